"""Data subjects' requests (PDPA s30-s36) and their outcome, for the record of
processing (s39 asks for the rejected ones and why). Officers and admins only.

Only the register of requests: carrying one out (an access export, an erasure) is left
for later (docs/decisions/0025).
"""

from __future__ import annotations

from datetime import date

from cases import policy, privacy
from cases.errors import Forbidden, InvalidInput
from cases.model import (
    MAX_TEXT,
    PDPA_START,
    REQUEST_KINDS,
    REQUEST_STATUSES,
    SubjectRequest,
    User,
    snapshot,
)
from cases.services.common import _audit, _check_length, _now, today_in_thailand
from cases.unit_of_work import UnitOfWork

KIND_LABELS = {
    "access": {"th": "ขอเข้าถึงและขอรับสำเนา (มาตรา 30)", "en": "Access and a copy (s30)"},
    "portability": {"th": "ขอรับหรือโอนข้อมูล (มาตรา 31)", "en": "Portability (s31)"},
    "objection": {"th": "คัดค้านการประมวลผล (มาตรา 32)", "en": "Objection (s32)"},
    "erasure": {"th": "ขอให้ลบหรือทำลาย (มาตรา 33)", "en": "Erasure (s33)"},
    "restriction": {"th": "ขอให้ระงับการใช้ (มาตรา 34)", "en": "Restriction (s34)"},
    "rectification": {"th": "ขอให้แก้ไขให้ถูกต้อง (มาตรา 35)", "en": "Rectification (s35)"},
}
STATUS_LABELS = {
    "open": {"th": "รอดำเนินการ", "en": "Open"},
    "fulfilled": {"th": "ดำเนินการแล้ว", "en": "Fulfilled"},
    "rejected": {"th": "ปฏิเสธ", "en": "Rejected"},
}


def _require_officer(user: User) -> None:
    if not policy.is_officer(user):
        raise Forbidden(
            "data subjects' requests are for officers and admins",
            "คำขอของเจ้าของข้อมูลสำหรับเจ้าหน้าที่เท่านั้น",
        )


def _check_day(day, field: str) -> date:
    if not isinstance(day, date):
        raise InvalidInput(f"{field} is required (YYYY-MM-DD)", f"ต้องระบุ {field}", field=field)
    if day > today_in_thailand():
        raise InvalidInput(f"{field} is in the future", f"{field} ต้องไม่เป็นวันในอนาคต", field=field)
    if day < PDPA_START:
        raise InvalidInput(
            f"{field} is before the PDPA (2019)",
            f"{field} ต้องไม่ก่อน พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล (พ.ศ. 2562)",
            field=field,
        )
    return day


def record_request(
    uow: UnitOfWork,
    user: User,
    *,
    kind: str,
    received_on: date,
    household_id: int | None = None,
    purpose: str | None = None,
    note: str = "",
) -> SubjectRequest:
    _require_officer(user)
    if kind not in REQUEST_KINDS:
        raise InvalidInput(
            f"the kind of request is one of {', '.join(REQUEST_KINDS)}",
            "ประเภทคำขอไม่ถูกต้อง",
            field="kind",
        )
    if purpose is not None and purpose not in privacy.PURPOSES:
        raise InvalidInput(
            f"{str(purpose)[:40]!r} is not a purpose ({', '.join(privacy.PURPOSES)})",
            f"{str(purpose)[:40]!r} ไม่ใช่วัตถุประสงค์ที่มี",
            field="purpose",
        )
    _check_length(note, "note", MAX_TEXT)
    item = SubjectRequest(
        kind=kind,
        received_on=_check_day(received_on, "received_on"),
        recorded_by=user.username,
        recorded_at=_now(),
        household_id=household_id,
        purpose=purpose,
        note=(note or "").strip(),
    )
    with uow:
        if household_id is not None:
            uow.repo.get_household(household_id)  # NotFound when there is none
        uow.repo.add_request(item)
        _audit(uow, user, "create", "pdpa request", item.id, None, snapshot(item))
        uow.commit()
    return item


def decide_request(
    uow: UnitOfWork,
    user: User,
    request_id: int,
    *,
    status: str,
    decided_on: date | None = None,
    reason: str = "",
) -> SubjectRequest:
    """Fulfil or reject a request; a rejection needs its reason."""
    _require_officer(user)
    if status not in REQUEST_STATUSES or status == "open":
        raise InvalidInput(
            "a request is fulfilled or rejected", "คำขอต้องดำเนินการแล้วหรือปฏิเสธ", field="status"
        )
    if status == "rejected" and not (reason or "").strip():
        raise InvalidInput(
            "say why the request is rejected (s39 keeps the reason)",
            "ต้องระบุเหตุผลที่ปฏิเสธคำขอ (มาตรา 39)",
            field="reason",
        )
    _check_length(reason, "reason", MAX_TEXT)
    with uow:
        item = uow.repo.get_request(request_id)
        before = snapshot(item)
        item.status = status
        item.decided_on = _check_day(decided_on or today_in_thailand(), "decided_on")
        if item.decided_on < item.received_on:
            raise InvalidInput(
                "the decision is dated before the request came",
                "วันที่ตัดสินต้องไม่ก่อนวันที่ได้รับคำขอ",
                field="decided_on",
            )
        item.reason = (reason or "").strip()
        uow.repo.update_request(item)
        _audit(uow, user, status, "pdpa request", item.id, before, snapshot(item))
        uow.commit()
    return item


def list_requests(uow: UnitOfWork, user: User) -> list[SubjectRequest]:
    _require_officer(user)
    with uow:
        return uow.repo.list_requests()


def rejected_counts(uow: UnitOfWork, user: User) -> dict[str | None, int]:
    """Rejected requests by the purpose they named (None: no purpose named)."""
    counts: dict[str | None, int] = {}
    for item in list_requests(uow, user):
        if item.status == "rejected":
            counts[item.purpose] = counts.get(item.purpose, 0) + 1
    return counts
