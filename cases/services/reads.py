"""The read log: every read of a household's personal data by a user (PDPA s39).

Kept apart from the audit log (which records changes): who, which household, which
fields (rows of cases/privacy.py, from the classification of what was shown), when and
through what. `log_reads` is the one function that writes it; the pages, the API and the
CLI call it after they have read what they show. Municipality viewers never read personal
data, so they never appear in it.
"""

from __future__ import annotations

from collections.abc import Iterable

from cases import policy, privacy
from cases.errors import Forbidden, InvalidInput
from cases.model import Document, ReadEntry, User
from cases.services.common import _case_for, _now
from cases.unit_of_work import UnitOfWork

# Through what a household's data was read: the key is stored, the labels shown.
VIA = {
    "household_page": {"th": "หน้าครัวเรือน", "en": "Household page"},
    "case_page": {"th": "หน้ากรณี (ตารางครัวเรือนและข้อขัดแย้งจากการสำรวจ)", "en": "Case page"},
    "household_api": {"th": "API ครัวเรือน", "en": "Household API"},
    "households_api": {"th": "API รายการครัวเรือนของกรณี", "en": "Case households API"},
    "members_api": {"th": "API สมาชิกในครัวเรือน", "en": "Members API"},
    "consent_api": {"th": "API ทะเบียนความยินยอม", "en": "Consent ledger API"},
    "national_id": {"th": "แสดงเลขประจำตัวประชาชนเต็ม", "en": "Full national ID shown"},
    "search": {"th": "ผลการค้นหา", "en": "Search results"},
    "document": {"th": "ดาวน์โหลดเอกสารส่วนบุคคล", "en": "Personal document downloaded"},
    "audit_api": {
        "th": "API บันทึกการแก้ไข (ค่าก่อนและหลังแก้ไข)",
        "en": "Audit log API (before and after)",
    },
    "cli": {"th": "บรรทัดคำสั่ง", "en": "Command line"},
    "subject_access": {
        "th": "ส่งออกข้อมูลตามคำขอของเจ้าของข้อมูล (มาตรา 30)",
        "en": "Subject access export (PDPA s30)",
    },
}
MAX_READS = 1000  # a page of the log


def log_reads(
    uow: UnitOfWork,
    user: User | None,
    via: str,
    reads: Iterable[tuple[int, Iterable[str]]],
) -> int:
    """Log that `user` was shown these (household id, privacy rows) through `via`: one
    row a household (a household shown twice is merged), all in one statement. Reads
    that showed no personal field are not logged. Returns the rows written."""
    if via not in VIA:
        raise ValueError(f"unknown read channel {via!r}")
    if user is None or not policy.sees_personal_data(user):
        return 0
    merged: dict[int, set[str]] = {}
    for household_id, fields in reads:
        rows = set(fields)
        unknown = rows - privacy.FIELD_CLASSES.keys()
        if unknown:
            raise ValueError(f"not rows of the classification: {sorted(unknown)}")
        if rows:
            merged.setdefault(int(household_id), set()).update(rows)
    if not merged:
        return 0
    at = _now()
    entries = [
        ReadEntry(
            at=at,
            username=user.username,
            role=user.role,
            household_id=household_id,
            fields=sorted(rows),
            via=via,
        )
        for household_id, rows in merged.items()
    ]
    with uow:
        uow.repo.add_reads(entries)
        uow.commit()
    return len(entries)


def log_document_read(uow: UnitOfWork, user: User | None, document: Document) -> int:
    """A personal document (an ID card copy, a consent form, a photo...) was downloaded:
    logged against its household, or against every household of its case when it names
    none (a community's survey forms). Documents of no personal kind are not logged."""
    row = privacy.document_class(document.kind)
    if row is None:
        return 0
    if document.household_id is not None:
        ids = [document.household_id]
    else:
        with uow:
            ids = [h.id for h in uow.repo.list_households(document.case_id)]
    return log_reads(uow, user, "document", [(i, [row.field]) for i in ids])


def read_log(
    uow: UnitOfWork,
    user: User,
    *,
    household_id: int | None = None,
    username: str | None = None,
    limit: int = 200,
) -> list[ReadEntry]:
    """Reads of personal data, the latest first: for officers and admins."""
    if not policy.is_officer(user):
        raise Forbidden(
            "the read log is for officers and admins", "บันทึกการเข้าดูข้อมูลสำหรับเจ้าหน้าที่เท่านั้น"
        )
    if not 1 <= int(limit) <= MAX_READS:
        raise InvalidInput(
            f"limit must be between 1 and {MAX_READS}",
            f"จำนวนรายการต้องอยู่ระหว่าง 1 ถึง {MAX_READS}",
            field="limit",
        )
    with uow:
        if household_id is not None:
            household = uow.repo.get_household(household_id)
            _case_for(uow, user, household.case_id)
        return uow.repo.list_reads(household_id=household_id, username=username, limit=limit)
