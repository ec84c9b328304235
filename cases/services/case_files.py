"""Cases: open, read, change, list, and the audit log of changes."""

from __future__ import annotations

from datetime import date
from typing import Any

from cases import policy
from cases.errors import Forbidden, InvalidInput
from cases.model import (
    Case,
    Community,
    StageEvent,
    User,
    snapshot,
)
from cases.services.common import (
    MAX_PAGE,
    _audit,
    _case_for,
    _check_date,
    _check_length,
    _check_version,
    today_in_thailand,
)
from cases.services.dashboard import stalled_since
from cases.services.geometry import geometry_from_geojson
from cases.unit_of_work import UnitOfWork
from cases.workflow import Workflows, default_workflows


def require_edit_of(
    uow: UnitOfWork,
    user: User,
    *,
    case_id: int | None = None,
    household_id: int | None = None,
    plot_id: int | None = None,
    officers_only: bool = False,
    **_ignored,
) -> None:
    """Forbidden (403) or NotFound (404) unless `user` may change this record: checked
    before the request's body is read, so a refusal never depends on the body."""
    if officers_only and not policy.is_officer(user):
        raise Forbidden("only officers may do this", "เฉพาะเจ้าหน้าที่เท่านั้นที่ทำรายการนี้ได้")
    with uow:
        if household_id is not None:
            case_id = uow.repo.get_household(household_id).case_id
        elif plot_id is not None:
            case_id = uow.repo.get_plot(plot_id).case_id
        if case_id is not None:
            _case_for(uow, user, case_id, edit=True)
        elif policy.is_viewer(user):
            raise Forbidden("municipality viewers only read", "ผู้ดูข้อมูลดูได้อย่างเดียว แก้ไขไม่ได้")


def create_case(
    uow: UnitOfWork,
    user: User,
    *,
    community_id: str,
    case_type: str,
    title_th: str,
    title_en: str = "",
    variant: str | None = None,
    site_geojson: dict | None = None,
    on: date | None = None,
    ref: str | None = None,
    workflows: Workflows | None = None,
) -> Case:
    workflows = workflows or default_workflows()
    if not policy.is_officer(user):
        raise Forbidden("only officers open new cases", "เฉพาะเจ้าหน้าที่เท่านั้นที่เปิดกรณีใหม่ได้")
    ctype = _new_case_type(workflows, case_type, variant)
    if not (title_th or "").strip():
        raise InvalidInput("the case needs a Thai title", "ต้องมีชื่อกรณีภาษาไทย", field="title_th")
    for name, value in (("title_th", title_th), ("title_en", title_en), ("variant", variant)):
        _check_length(value, name)
    _check_date(on, "on")
    site = geometry_from_geojson(
        site_geojson,
        allowed=("Polygon", "MultiPolygon"),
        what={"en": "site boundary", "th": "ขอบเขตพื้นที่"},
    )
    on = on or today_in_thailand()
    with uow:
        uow.repo.get_community(community_id)
        if ref is None:
            _, count = uow.repo.list_cases(community_id=community_id)
            ref = f"{community_id}-{case_type[:3].upper()}-{count + 1:02d}"
        case = Case(
            ref=ref,
            community_id=community_id,
            case_type=case_type,
            variant=variant,
            title_th=title_th.strip(),
            title_en=(title_en or title_th).strip(),
            stage=ctype.first_stage.id,
            stage_entered_on=on,
            site=site,
            created_on=on,
        )
        uow.repo.add_case(case, ctype.programme)
        opened = StageEvent(case.id, None, case.stage, on, user.username, note="case opened")
        uow.repo.add_event(opened)
        _audit(uow, user, "create", "case", case.id, None, snapshot(case))
        uow.commit()
    return case


def open_community_cases(
    uow: UnitOfWork,
    user: User,
    items: list[tuple[Community, Any]],
    *,
    case_type: str,
    on: date | None = None,
    workflows: Workflows | None = None,
) -> list[Case]:
    """One case per community that has none of the case type's programme yet, in one
    transaction: new communities are added, each case's site is its geometry (EPSG:32647,
    already checked). Communities that already have such a case are left alone, so
    running it twice opens nothing new. The cases opened."""
    workflows = workflows or default_workflows()
    if not policy.is_officer(user):
        raise Forbidden("only officers open new cases", "เฉพาะเจ้าหน้าที่เท่านั้นที่เปิดกรณีใหม่ได้")
    ctype = _new_case_type(workflows, case_type, None)
    on = on or today_in_thailand()
    _check_date(on, "on")
    opened: list[Case] = []
    with uow:
        known = uow.repo.community_ids()
        with_case = uow.repo.community_ids_with_cases(programme=ctype.programme)
        new = [c for c, _ in items if c.id not in known]
        uow.repo.add_communities(new)
        for community, site in items:
            if community.id in with_case:
                continue
            with_case.add(community.id)
            _, count = uow.repo.list_cases(community_id=community.id)
            title_en = f"{ctype.label['en']}: {community.name_en or community.name_th}"
            case = Case(
                ref=f"{community.id}-{case_type[:3].upper()}-{count + 1:02d}",
                community_id=community.id,
                case_type=case_type,
                title_th=f"{ctype.label['th']} {community.name_th}"[:200],
                title_en=title_en[:200],
                stage=ctype.first_stage.id,
                stage_entered_on=on,
                site=site,
                created_on=on,
            )
            uow.repo.add_case(case, ctype.programme)
            event = StageEvent(case.id, None, case.stage, on, user.username, note="case opened")
            uow.repo.add_event(event)
            _audit(uow, user, "create", "case", case.id, None, snapshot(case))
            opened.append(case)
        uow.commit()
    return opened


def _new_case_type(workflows: Workflows, case_type: str, variant: str | None):
    """The workflow of a new case's type, checking the type and its variant."""
    try:
        ctype = workflows.case_type(case_type)
    except KeyError:
        raise InvalidInput(
            f"unknown case type {case_type!r}", f"ไม่รู้จักประเภทกรณี {case_type!r}", field="case_type"
        ) from None
    if variant and variant not in workflows.variants.get(ctype.programme, {}):
        raise InvalidInput(
            f"unknown variant {variant!r} for {case_type}",
            f"ไม่รู้จักประเภทย่อย {variant!r}",
            field="variant",
        )
    return ctype


def get_case(uow: UnitOfWork, user: User, case_id: int) -> Case:
    with uow:
        return _case_for(uow, user, case_id)


def find_case(uow: UnitOfWork, user: User, case_key: int | str) -> Case:
    """A case by id (an int or digits) or by its ref, as the user may see it."""
    with uow:
        if isinstance(case_key, int) or str(case_key).strip().isdigit():
            return _case_for(uow, user, int(case_key))
        case = uow.repo.get_case_by_ref(str(case_key).strip())
        policy.require_view(user, case)
        return case


def update_case(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    changes: dict[str, Any],
    expected_version,
    *,
    workflows: Workflows | None = None,
    event_note: str = "",
) -> Case:
    """Change a case's fields. Putting a case on hold or releasing it (a change of
    `hold_reason`) is also recorded on its timeline, with `event_note`."""
    workflows = workflows or default_workflows()
    expected = _check_version(expected_version)
    changes = _case_changes(changes, workflows)
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        before = snapshot(case)
        for name, value in changes.items():
            if name == "site":
                value = geometry_from_geojson(
                    value,
                    allowed=("Polygon", "MultiPolygon"),
                    what={"en": "site boundary", "th": "ขอบเขตพื้นที่"},
                )
            setattr(case, name, value if value != "" or name == "note" else None)
        uow.repo.update_case(case, expected)
        if "hold_reason" in changes and changes["hold_reason"] != before["hold_reason"]:
            uow.repo.add_event(
                StageEvent(
                    case_id=case.id,
                    from_stage=case.stage,
                    to_stage=case.stage,
                    on=today_in_thailand(),
                    by=user.username,
                    kind="hold" if case.hold_reason else "release",
                    hold_reason=case.hold_reason,
                    note=event_note,
                )
            )
        _audit(uow, user, "update", "case", case.id, before, snapshot(case))
        uow.commit()
    return case


def _case_changes(changes: dict[str, Any], workflows: Workflows) -> dict[str, Any]:
    """The changes to a case's fields, checked: editable fields only, known hold reasons
    and variants, titles not blank, text within limits ("" hold reason: released)."""
    changes = dict(changes)
    if "hold_reason" in changes:
        changes["hold_reason"] = changes["hold_reason"] or None
    unknown = set(changes) - set(Case.EDITABLE) - {"site"}
    if unknown:
        raise InvalidInput(
            f"these fields cannot be changed: {', '.join(sorted(unknown))}",
            f"แก้ไขฟิลด์เหล่านี้ไม่ได้: {', '.join(sorted(unknown))}",
        )
    if changes.get("hold_reason") and changes["hold_reason"] not in workflows.hold_reasons:
        raise InvalidInput(
            f"unknown hold reason {changes['hold_reason']!r}",
            f"ไม่รู้จักเหตุที่หยุดชะงัก {changes['hold_reason']!r}",
            field="hold_reason",
        )
    if changes.get("variant"):
        ctype_programmes = {t.programme for t in workflows.case_types.values()}
        known = {v for p in ctype_programmes for v in workflows.variants.get(p, {})}
        if changes["variant"] not in known:
            raise InvalidInput(
                f"unknown variant {changes['variant']!r}",
                f"ไม่รู้จักประเภทย่อย {changes['variant']!r}",
                field="variant",
            )
    for name in ("title_th", "title_en"):
        if name in changes and not str(changes[name] or "").strip():
            raise InvalidInput(f"{name} cannot be blank", "ชื่อกรณีต้องไม่ว่าง", field=name)
    for name in ("title_th", "title_en", "cooperative_name", "note", "variant"):
        _check_length(changes.get(name), name)
    return changes


def case_detail(
    uow: UnitOfWork, user: User, case_id: int, *, workflows: Workflows | None = None
) -> dict:
    """Everything the case page shows, with personal data only for those who may see it."""
    workflows = workflows or default_workflows()
    with uow:
        case = _case_for(uow, user, case_id)
        community = uow.repo.get_community(case.community_id)
        counts = uow.repo.household_counts([case.id]).get(case.id, {"households": 0, "agreed": 0})
        detail = {
            "case": case,
            "community": community,
            "counts": counts,
            "events": uow.repo.list_events(case.id),
            "documents": [
                d
                for d in uow.repo.list_documents(case.id)
                if policy.may_open_document(user, d.kind, workflows)
            ],
            "budget_lines": uow.repo.list_budget_lines(case.id),
            "plots": uow.repo.list_plots(case.id),
            "households": uow.repo.list_households(case.id)
            if policy.sees_personal_data(user)
            else None,
            "allowed_moves": workflows.case_type(case.case_type).allowed_moves(case.stage),
            "can_edit": policy.can_edit_case(user, case),
        }
    return detail


def list_cases(
    uow: UnitOfWork,
    user: User,
    *,
    programme=None,
    district=None,
    province=None,
    stage=None,
    search=None,
    community=None,
    stalled: bool = False,
    today: date | None = None,
    page: int = 1,
    per_page: int = 50,
    workflows: Workflows | None = None,
) -> tuple[list[dict], int]:
    """Cases as `user` may see them; `community` (an id) narrows to one community's."""
    workflows = workflows or default_workflows()
    page, per_page = max(1, min(MAX_PAGE, int(page))), max(1, min(500, int(per_page)))
    community_id = policy.community_scope(user)
    if community:
        if community_id is not None and community != community_id:
            return [], 0  # a representative asking for another community: none of theirs
        community_id = community
    today = today or today_in_thailand()
    with uow:
        rows, total = uow.repo.list_cases(
            programme=programme or None,
            district=district or None,
            province=province or None,
            stage=stage or None,
            community_id=community_id,
            search=(search or "").strip() or None,
            stalled_before=stalled_since(workflows, today) if stalled else None,
            limit=per_page,
            offset=(page - 1) * per_page,
        )
        counts = uow.repo.household_counts([r["id"] for r in rows])
    for row in rows:
        row["counts"] = counts.get(row["id"], {"households": 0, "agreed": 0})
        stage = workflows.case_type(row["case_type"]).stage(row["stage"])
        entered = row["stage_entered_on"]
        row["days_in_stage"] = (today - entered).days
        row["stalled"] = bool(stage.stall_days and row["days_in_stage"] > stage.stall_days)
    return rows, total


def audit_log(
    uow: UnitOfWork, user: User, *, entity: str | None = None, entity_id=None, limit: int = 200
):
    if not policy.is_officer(user):
        raise Forbidden("the audit log is for officers", "บันทึกการแก้ไขสำหรับเจ้าหน้าที่เท่านั้น")
    with uow:
        return uow.repo.list_audit(entity=entity, entity_id=entity_id, limit=limit)


def communities_with_cases(uow: UnitOfWork, user: User, *, programme: str | None = None) -> set:
    """Ids of the communities that have a case (of `programme`, when given)."""
    if not policy.is_officer(user):
        raise Forbidden("only officers open new cases", "เฉพาะเจ้าหน้าที่เท่านั้นที่เปิดกรณีใหม่ได้")
    with uow:
        return uow.repo.community_ids_with_cases(programme=programme)
