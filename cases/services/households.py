"""Households of a case: added, read by those who see personal data, changed by version."""

from __future__ import annotations

from typing import Any

from cases import policy, register
from cases.errors import Forbidden, InvalidInput
from cases.model import (
    HOUSE_STATUSES,
    Document,
    Household,
    Member,
    User,
    snapshot,
)
from cases.services.common import (
    MAX_INT,
    _audit,
    _case_for,
    _check_length,
    _check_version,
    _th,
    today_in_thailand,
)
from cases.services.consent import copy_for_consent, follow_consent
from cases.services.erasure import check_processing_allowed
from cases.services.geometry import geometry_from_geojson
from cases.unit_of_work import UnitOfWork
from cases.workflow import Workflows, default_workflows


def _household_values(changes: dict[str, Any], workflows: Workflows) -> dict[str, Any]:
    """`changes` checked by the register's rules (cases/register.py), field by field."""
    out = {}
    for name, value in changes.items():
        if name not in Household.EDITABLE:
            raise InvalidInput(
                f"household field {name!r} cannot be changed",
                f"แก้ไขฟิลด์ {name!r} ของครัวเรือนไม่ได้",
                field=name,
            )
        if name == "members" and value not in (None, ""):
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise InvalidInput(
                    f"{name} must be a whole number", f"{_th(name)} ต้องเป็นจำนวนเต็ม", field=name
                ) from None
            if not 0 <= value <= MAX_INT:
                raise InvalidInput(
                    f"{name} must be between 0 and {MAX_INT:,}",
                    f"{_th(name)} ต้องอยู่ระหว่าง 0 ถึง {MAX_INT:,}",
                    field=name,
                )
        if name == "members" and value == "":
            value = None
        if name == "plot_no":
            _check_length(value, name, 40)
        if name == "house_status" and value not in HOUSE_STATUSES:
            raise InvalidInput(
                f"unknown house status {value!r}", f"ไม่รู้จักสถานะบ้าน {value!r}", field=name
            )
        if name == "agreed_to_move":
            value = value in (True, "true", "1", "on", 1)
        if name == "location":
            value = geometry_from_geojson(
                value, allowed=("Point",), what={"en": "household location", "th": "ตำแหน่งครัวเรือน"}
            )
        out[name] = value
    out = register.clean_household(out, tenure_kinds=workflows.tenure_kinds)
    if out.get("tenure") is None and "tenure" in out:
        out["tenure"] = "other"
    for name in ("head_name", "phone", "address_no", "consent_by", "structure_id"):
        if name in out and out[name] is None:
            out[name] = "" if name != "structure_id" else None
    return out


def _check_register(household: Household) -> None:
    """Rules across fields, on the household as it would be saved."""
    register.check_address(vars(household))
    register.check_consent(vars(household))


def add_household(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    values: dict[str, Any],
    *,
    workflows: Workflows | None = None,
    source: str = "register",
) -> Household:
    workflows = workflows or default_workflows()
    values = _household_values(values, workflows)
    status = values.pop("house_status", "not_started")
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        household = Household(
            case_id=case.id, household_no=uow.repo.next_household_no(case.id), **values
        )
        household.set_house_status(status, today_in_thailand())
        events = follow_consent(None, household, user, source=source)
        _check_register(household)
        uow.repo.add_household(household)
        _audit(uow, user, "create", "household", household.id, None, snapshot(household))
        _add_consent_events(uow, household, events)
        uow.commit()
    return household


def _add_consent_events(uow: UnitOfWork, household: Household, events) -> None:
    """The consent ledger's lines for a change of the consent columns (services/consent.py)."""
    for event in events:
        event.household_id = household.id
        uow.repo.add_consent_event(event)


def get_household(uow: UnitOfWork, user: User, household_id: int) -> Household:
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id)
        policy.require_personal_data(user)
        return household


def list_households(uow: UnitOfWork, user: User, case_id: int) -> list[Household]:
    with uow:
        _case_for(uow, user, case_id)
        policy.require_personal_data(user)
        return uow.repo.list_households(case_id)


def update_household(
    uow: UnitOfWork,
    user: User,
    household_id: int,
    changes: dict[str, Any],
    expected_version,
    *,
    members: list[dict[str, Any]] | None = None,
    workflows: Workflows | None = None,
    source: str = "register",
) -> Household:
    """Change a household by version; with `members` (the page's form), its member list
    too, in the same change: replaced when it differs, and then it sets the count.
    A change of the consent fields is a line of the consent ledger too (withdrawing one
    clears the fields that rested on it, unless the change sets them: then refused)."""
    workflows = workflows or default_workflows()
    expected = _check_version(expected_version)
    values = _household_values(changes, workflows)
    rows = _member_rows(members) if members is not None else None
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id, edit=True)
        stored = _rows(uow.repo.list_members(household.id)) if rows is not None else None
        changing = {n for n, v in values.items() if getattr(household, n) != v}
        if rows is not None and rows != stored:
            changing.add("members")
        check_processing_allowed(household, changing)
        before = snapshot(household)
        old = copy_for_consent(household)
        status = values.pop("house_status", None)
        for name, value in values.items():
            setattr(household, name, value)
        if status:
            household.set_house_status(status, today_in_thailand())
        changed = {n for n, v in values.items() if getattr(old, n) != v}
        events = follow_consent(old, household, user, source=source, changed=changed)
        _check_register(household)
        after_extra = {}
        if rows is not None:
            if rows != stored:
                before["member_list"], after_extra["member_list"] = stored, rows
            if rows or rows != stored:
                household.members = len(rows)
        uow.repo.update_household(household, expected)
        if "member_list" in after_extra:
            uow.repo.replace_members(household.id, [Member(household.id, 0, **r) for r in rows])
        _add_consent_events(uow, household, events)
        after = {**snapshot(household), **after_extra}
        _audit(uow, user, "update", "household", household.id, before, after)
        uow.commit()
    return household


def list_members(uow: UnitOfWork, user: User, household_id: int) -> list[Member]:
    """The household's members in order (personal data: not for viewers)."""
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id)
        policy.require_personal_data(user)
        return uow.repo.list_members(household_id)


def _member_rows(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each member checked by the register; a refusal names the member's row."""
    if not isinstance(members, list) or len(members) > register.MAX_MEMBERS:
        raise InvalidInput(
            f"send a list of at most {register.MAX_MEMBERS} members",
            f"ส่งรายชื่อสมาชิกได้ไม่เกิน {register.MAX_MEMBERS} คน",
            field="members",
        )
    rows = []
    for no, values in enumerate(members, start=1):
        try:
            rows.append(register.clean_member(dict(values)))
        except InvalidInput as exc:
            raise InvalidInput(
                f"member {no}: {exc.message_en}",
                f"สมาชิกคนที่ {no}: {exc.message_th}",
                field=f"members.{no - 1}.{exc.details.get('field', 'name')}",
            ) from None
    return rows


def set_members(
    uow: UnitOfWork,
    user: User,
    household_id: int,
    members: list[dict[str, Any]],
    expected_version,
) -> tuple[Household, list[Member]]:
    """Replace the household's members (the version it was read at); `members` counts them."""
    expected = _check_version(expected_version)
    rows = _member_rows(members)
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id, edit=True)
        check_processing_allowed(household)
        before = {**snapshot(household), "member_list": _rows(uow.repo.list_members(household.id))}
        new = [Member(household.id, 0, **row) for row in rows]
        household.members = len(new)
        uow.repo.update_household(household, expected)
        uow.repo.replace_members(household.id, new)
        after = {**snapshot(household), "member_list": _rows(new)}
        _audit(uow, user, "members", "household", household.id, before, after)
        uow.commit()
    return household, new


def _rows(members: list[Member]) -> list[dict[str, Any]]:
    return [{f: getattr(m, f) for f in register.MEMBER_FIELDS_BY_NAME} for m in members]


def reveal_national_id(uow: UnitOfWork, user: User, household_id: int) -> str:
    """The full national ID number, for an officer; the reveal is audited (not the number)."""
    if not policy.is_officer(user):
        raise Forbidden(
            "only officers may see the full national ID number",
            "เฉพาะเจ้าหน้าที่เท่านั้นที่ดูเลขประจำตัวประชาชนเต็มได้",
        )
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id)
        _audit(uow, user, "reveal", "household", household.id, None, {"field": "national_id"})
        uow.commit()
        return household.national_id or ""


def household_photos(uow: UnitOfWork, user: User, household_id: int) -> list[Document]:
    """The household's own documents (survey photos) the user may open."""
    workflows = default_workflows()
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id)
        policy.require_personal_data(user)
        documents = uow.repo.list_household_documents(household_id)
    return [d for d in documents if policy.may_open_document(user, d.kind, workflows)]
