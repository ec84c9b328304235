"""Who may see and change what. Plain Python, used by every service."""

from __future__ import annotations

from collections.abc import Iterable

from cases import privacy
from cases.errors import Forbidden
from cases.model import ROLES, Case, User
from cases.register import PERSONAL_FIELDS

# Who may open a map layer (layers/catalog.yaml `access`, see docs/decisions/0010):
# public: everyone; logged_in: any user; personal: any user, and only the roles
# that see personal data get its personal fields.
LAYER_ACCESS = ("public", "logged_in", "personal")
ANONYMOUS = "anonymous"
# Every role a request can have, the anonymous visitor first.
ALL_ROLES = (ANONYMOUS, *ROLES)
# The roles by name (cases.model.ROLES): nothing else in cases/ spells them out.
ADMIN, OFFICER, COMMUNITY_REP, VIEWER = ROLES
OFFICERS = (ADMIN, OFFICER)  # housing officers, and the admin who may do all they do


def is_officer(user: User | None) -> bool:
    """An officer or the admin: opens cases, moves stages, sets budgets, reads the audit log."""
    return user is not None and user.role in OFFICERS


def is_community_rep(user: User | None) -> bool:
    return user is not None and user.role == COMMUNITY_REP


def is_viewer(user: User | None) -> bool:
    return user is not None and user.role == VIEWER


def needs_community(role: str) -> bool:
    """Whether a user of this role belongs to one community (a community representative)."""
    return role == COMMUNITY_REP


def community_scope(user: User | None) -> str | None:
    """The one community a user's lists and dashboards are limited to, or None for all."""
    return user.community_id if is_community_rep(user) else None


def can_view_case(user: User, case: Case) -> bool:
    if user.role == COMMUNITY_REP:
        return case.community_id == user.community_id
    return user.role in (*OFFICERS, VIEWER)


def can_edit_case(user: User, case: Case) -> bool:
    if user.role in OFFICERS:
        return True
    return user.role == COMMUNITY_REP and case.community_id == user.community_id


def sees_personal_data(user: User | None) -> bool:
    return user is not None and user.role in (*OFFICERS, COMMUNITY_REP)


def role_of(user: User | None) -> str:
    """The user's role, or "anonymous" for a visitor who has not logged in."""
    return ANONYMOUS if user is None else user.role


def may_see_layer(user: User | None, access: str) -> bool:
    """Whether `user` may open a layer of this access level (unknown levels: no one)."""
    if access == "public":
        return True
    return user is not None and access in ("logged_in", "personal")


def hidden_layer_fields(user: User | None, columns: Iterable[str]) -> frozenset[str]:
    """The columns of a layer `user` must not be shown: its personal and sensitive
    fields, unless the user's role sees personal data."""
    if sees_personal_data(user):
        return frozenset()
    return frozenset(privacy.personal_fields(columns))


def imported_layer_access(columns: Iterable[str]) -> str:
    """An imported layer: personal when any column is personal data, else logged_in."""
    return "personal" if privacy.personal_fields(columns) else "logged_in"


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
    if user.role != ADMIN:
        raise Forbidden("only an admin may do this", "เฉพาะผู้ดูแลระบบเท่านั้น")


def redact(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in PERSONAL_FIELDS}


def may_open_document(user: User, kind: str, workflows) -> bool:
    """Viewers never open documents about identifiable households (survey forms,
    agreements, loan contracts, photos...): a kind classified in cases/privacy.py, or
    marked `personal` in the workflows."""
    personal = privacy.document_class(kind) is not None or bool(
        workflows.document_kinds.get(kind, {}).get("personal")
    )
    return sees_personal_data(user) or not personal


def require_document(user: User, kind: str, workflows) -> None:
    if not may_open_document(user, kind, workflows):
        raise Forbidden(
            "this document holds household personal data; municipality viewers cannot open it",
            "เอกสารนี้มีข้อมูลส่วนบุคคลของครัวเรือน ผู้ดูข้อมูลของเทศบาลเปิดไม่ได้",
        )
