"""Who may see and change what. Plain Python, used by every service."""

from __future__ import annotations

from cases.errors import Forbidden
from cases.model import PERSONAL_FIELDS, Case, User


def can_view_case(user: User, case: Case) -> bool:
    if user.role == "community_rep":
        return case.community_id == user.community_id
    return user.role in ("admin", "officer", "viewer")


def can_edit_case(user: User, case: Case) -> bool:
    if user.role in ("admin", "officer"):
        return True
    return user.role == "community_rep" and case.community_id == user.community_id


def sees_personal_data(user: User) -> bool:
    return user.role in ("admin", "officer", "community_rep")


def require_view(user: User, case: Case) -> None:
    if not can_view_case(user, case):
        raise Forbidden(
            f"{user.username} may not see case {case.ref}",
            f"ผู้ใช้ {user.username} ไม่มีสิทธิ์ดูกรณี {case.ref}",
        )


def require_edit(user: User, case: Case) -> None:
    require_view(user, case)
    if not can_edit_case(user, case):
        raise Forbidden(
            f"{user.username} ({user.role}) may not change case {case.ref}",
            f"ผู้ใช้ {user.username} ไม่มีสิทธิ์แก้ไขกรณี {case.ref}",
        )


def require_personal_data(user: User) -> None:
    if not sees_personal_data(user):
        raise Forbidden(
            "municipality viewers see household counts only, not households",
            "ผู้ดูข้อมูลของเทศบาลเห็นเฉพาะจำนวนครัวเรือน ไม่เห็นข้อมูลรายครัวเรือน",
        )


def require_admin(user: User) -> None:
    if user.role != "admin":
        raise Forbidden("only an admin may do this", "เฉพาะผู้ดูแลระบบเท่านั้น")


def redact(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in PERSONAL_FIELDS}


def may_open_document(user: User, kind: str, workflows) -> bool:
    """Viewers never open documents about identifiable households (survey forms,
    agreements, loan contracts, photos...)."""
    personal = bool(workflows.document_kinds.get(kind, {}).get("personal"))
    return sees_personal_data(user) or not personal


def require_document(user: User, kind: str, workflows) -> None:
    if not may_open_document(user, kind, workflows):
        raise Forbidden(
            "this document holds household personal data; municipality viewers cannot open it",
            "เอกสารนี้มีข้อมูลส่วนบุคคลของครัวเรือน ผู้ดูข้อมูลของเทศบาลเปิดไม่ได้",
        )
