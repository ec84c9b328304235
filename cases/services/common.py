"""What every service shares: today in Thailand, the audit entry, the case a user may
see or change, and the checks of lengths, dates and versions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cases import policy
from cases.errors import InvalidInput
from cases.model import (
    MAX_TEXT,
    MAX_VERSION,
    AuditEntry,
    Case,
    User,
    date_range_problem,
)
from cases.register import mask_national_id
from cases.unit_of_work import UnitOfWork

BANGKOK = ZoneInfo("Asia/Bangkok")


def today_in_thailand() -> date:
    """Today's date where the cases are, whatever the server's time zone."""
    return datetime.now(BANGKOK).date()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _audit(uow: UnitOfWork, user: User, action: str, entity: str, entity_id, before, after) -> None:
    """One audit entry. A national ID is kept masked: the log says that it changed, and
    never becomes a second copy of the number."""
    uow.repo.add_audit(_audit_entry(user, action, entity, entity_id, before, after))


def _audit_entry(user: User, action: str, entity: str, entity_id, before, after) -> AuditEntry:
    return AuditEntry(
        at=_now(),
        username=user.username,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=_masked(before),
        after=_masked(after),
    )


def _masked(record):
    if isinstance(record, dict) and record.get("national_id"):
        return {**record, "national_id": mask_national_id(record["national_id"])}
    return record


MAX_INT = 2**31 - 1
MAX_PAGE = 100_000  # a page number of a list; further pages are empty anyway


FIELD_NAMES_TH = {
    "title_th": "ชื่อกรณี (ไทย)",
    "title_en": "ชื่อกรณี (อังกฤษ)",
    "cooperative_name": "ชื่อสหกรณ์",
    "note": "หมายเหตุ",
    "phone": "โทรศัพท์",
    "plot_no": "เลขแปลง",
    "head_name": "ชื่อหัวหน้าครัวเรือน",
    "members": "จำนวนสมาชิก",
    "monthly_income": "รายได้ต่อเดือน",
    "planned": "วงเงินที่วางแผน",
    "approved": "วงเงินที่อนุมัติ",
    "disbursed": "เงินที่เบิกจ่าย",
    "agreed_by": "ผู้ตกลง",
    "option_name": "ชื่อทางเลือก",
}


def _th(name: str) -> str:
    return FIELD_NAMES_TH.get(name, name)


def _check_length(value, name: str, limit: int = MAX_TEXT) -> None:
    if value is not None and len(str(value)) > limit:
        raise InvalidInput(
            f"{name} is longer than {limit} characters",
            f"{_th(name)} ยาวเกิน {limit} ตัวอักษร",
            field=name,
        )


def _check_date(value: date | None, name: str) -> None:
    """A date the programmes' records can carry (cases.model's range), or refused."""
    problem = value is not None and date_range_problem(value, name)
    if problem:
        raise InvalidInput(problem[0], problem[1].replace(name, _th(name), 1), field=name)


def _case_for(uow: UnitOfWork, user: User, case_id: int, *, edit: bool = False) -> Case:
    case = uow.repo.get_case(case_id)
    (policy.require_edit if edit else policy.require_view)(user, case)
    return case


def _check_version(expected_version) -> int:
    try:
        version = int(str(expected_version).strip()[:20])
    except (TypeError, ValueError):
        raise InvalidInput(
            "the record's version is required (it was read with the record)",
            "ต้องส่งหมายเลขฉบับของข้อมูลมาด้วย",
            field="version",
        ) from None
    if not 1 <= version <= MAX_VERSION:
        raise InvalidInput(
            f"version must be between 1 and {MAX_VERSION:,}",
            f"หมายเลขฉบับ (version) ต้องอยู่ระหว่าง 1 ถึง {MAX_VERSION:,}",
            field="version",
        )
    return version
