"""Layout decisions: the site layout a community agreed at its workshop."""

from __future__ import annotations

from datetime import date

import shapely

from cases import policy
from cases.errors import InvalidInput
from cases.model import (
    Case,
    LayoutDecision,
    Plot,
    User,
    snapshot,
)
from cases.services.common import (
    _audit,
    _case_for,
    _check_version,
    _now,
    _th,
    today_in_thailand,
)
from cases.services.plots import PLOT_KINDS
from cases.unit_of_work import UnitOfWork


class LayoutRefused(InvalidInput):
    """A layout, or its agreement, that cannot be saved: answered 400, with every problem
    in `problems` ([{en, th, layer, feature, field}])."""

    status = 400


MAX_LAYOUT_FEATURES = 5000


def layout_context(uow: UnitOfWork, user: User, case_id: int) -> dict:
    """What the workshop page needs: the case, its community, whether the user may save a
    layout, household counts and the case's layout decisions (the latest first)."""
    with uow:
        case = _case_for(uow, user, case_id)
        return {
            "case": case,
            "community": uow.repo.get_community(case.community_id),
            "can_edit": policy.can_edit_case(user, case),
            "counts": uow.repo.household_counts([case.id]).get(
                case.id, {"households": 0, "agreed": 0}
            ),
            "decisions": uow.repo.list_layout_decisions(case.id),
        }


def require_layout_edit(uow: UnitOfWork, user: User, case_id: int) -> Case:
    """The case, if `user` may record a layout decision for it; else Forbidden."""
    with uow:
        return _case_for(uow, user, case_id, edit=True)


def list_layout_decisions(uow: UnitOfWork, user: User, case_id: int) -> list[LayoutDecision]:
    with uow:
        case = _case_for(uow, user, case_id)
        return uow.repo.list_layout_decisions(case.id)


def _layout_refused(en: str, th: str, field: str, problems: list[dict] | None = None):
    return LayoutRefused(
        en,
        th,
        field=field,
        problems=problems or [{"en": en, "th": th, "field": field}],
    )


def record_layout_decision(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    *,
    expected_version,
    option_name: str,
    features: list[dict],
    agreed_by: str,
    agreed_on: date | None,
    note: str = "",
    metrics: dict | None = None,
    parameters: dict | None = None,
    problems: list[dict] | None = None,
    confirm_replace: bool = False,
) -> LayoutDecision:
    """Save an agreed layout to a case, in one unit of work: the case's plots are replaced
    by `features` (dicts of plot_no, kind plot|lane|common and a shapely Polygon in
    EPSG:32647), a layout decision is recorded with who agreed and when, and the case's
    version moves on (a stale `expected_version` is refused with StaleVersion, 409).

    The layout's invariants (no overlaps, inside the site and outside the canal setback,
    every plot on a lane, every lane reaching the access point) need the layer store, so
    the caller checks them (`gis.layout.layout_problems`) and passes what it found as
    `problems`: any problem refuses the save (LayoutRefused, 400), after the permission
    check, so that a viewer or another community's representative is told 403 first.

    Plots drawn or redrawn by hand on the case page (`hand_drawn_plots`) are replaced only
    with `confirm_replace`: without it the save is refused listing them (field
    confirm_replace, `hand_drawn`), for the page to ask; the decision records them
    (parameters["replaced_hand_drawn"]).
    """
    expected = _check_version(expected_version)
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        _refuse_problems(problems)
        agreed_by = (agreed_by or "").strip()
        _check_agreement(agreed_by, agreed_on, note, option_name)
        new_plots = _layout_plots(case, features)
        current = uow.repo.list_plots(case.id)
        by_hand = _hand_drawn(uow, case.id, current)
        if by_hand and not confirm_replace:
            listed = ", ".join(p["plot_no"] for p in by_hand)
            raise LayoutRefused(
                f"saving this layout replaces {len(by_hand)} plot(s) drawn by hand: {listed}; "
                "confirm to replace them",
                f"การบันทึกผังนี้จะแทนที่แปลงที่วาดด้วยมือ {len(by_hand)} แปลง: {listed} กรุณายืนยันการแทนที่",
                field="confirm_replace",
                hand_drawn=by_hand,
                problems=[],
            )
        parameters = {**(parameters or {}), "replaced_hand_drawn": by_hand}
        before_plots = _plots_for_audit(current)
        uow.repo.update_case(case, expected)
        uow.repo.delete_plots_of_case(case.id)
        uow.repo.add_plots(new_plots)
        decision = uow.repo.add_layout_decision(
            LayoutDecision(
                case_id=case.id,
                option_name=(option_name or "").strip() or "-",
                agreed_by=agreed_by,
                agreed_on=agreed_on,
                recorded_by=user.username,
                recorded_at=_now(),
                metrics=metrics or {},
                parameters=parameters or {},
                note=(note or "").strip(),
            )
        )
        counts = {kind: sum(p.kind == kind for p in new_plots) for kind in PLOT_KINDS}
        before = {"case_version": expected, "plots": before_plots}
        after = {**snapshot(decision), "case_version": case.version, "plots": counts}
        _audit(uow, user, "record", "layout_decision", decision.id, before, after)
        uow.commit()
    return decision


def _hand_drawn(uow: UnitOfWork, case_id: int, plots: list[Plot]) -> list[dict]:
    """The plots drawn or redrawn by hand, as {plot_no, kind}: the plot API audits each,
    a saved layout's plots are audited with their decision. Ids of deleted plots come back,
    so only entries after the case's latest decision, naming the same plot, count."""
    decisions = uow.repo.list_layout_decisions(case_id)
    since = 0
    if decisions:
        recorded = uow.repo.list_audit(entity="layout_decision", entity_id=decisions[0].id, limit=1)
        since = recorded[0].id if recorded else 0
    out = []
    for p in plots:
        last = uow.repo.list_audit(entity="plot", entity_id=p.id, limit=1)
        if last and last[0].id > since and (last[0].after or {}).get("plot_no") == p.plot_no:
            out.append({"plot_no": p.plot_no, "kind": p.kind})
    return out


def hand_drawn_plots(uow: UnitOfWork, user: User, case_id: int) -> list[dict]:
    """The case's plots a saved layout would replace that were drawn by hand."""
    with uow:
        case = _case_for(uow, user, case_id)
        return _hand_drawn(uow, case.id, uow.repo.list_plots(case.id))


def _refuse_problems(problems: list[dict] | None) -> None:
    """A layout that breaks any of its invariants is not saved."""
    if problems:
        raise _layout_refused(
            f"the layout breaks {len(problems)} rule(s); fix them before saving",
            f"ผังนี้ผิดเงื่อนไข {len(problems)} ข้อ กรุณาแก้ไขก่อนบันทึก",
            "layout",
            problems,
        )


def _check_agreement(agreed_by: str, agreed_on: date | None, note: str, option_name: str) -> None:
    """Who agreed (required), when (required, not in the future), and text within limits."""
    if not agreed_by:
        raise _layout_refused(
            "say who agreed to the layout (e.g. the savings-group committee)",
            "กรุณาระบุผู้ที่ตกลงเลือกผังนี้ (เช่น คณะกรรมการกลุ่มออมทรัพย์)",
            "agreed_by",
        )
    if agreed_on is None:
        raise _layout_refused("give the date of the agreement", "กรุณาระบุวันที่ตกลง", "agreed_on")
    if agreed_on > today_in_thailand():
        raise _layout_refused(
            f"the agreement date {agreed_on} is in the future",
            f"วันที่ตกลง {agreed_on} ยังมาไม่ถึง",
            "agreed_on",
        )
    for value, name, limit in (
        (agreed_by, "agreed_by", 1000),
        (note, "note", 2000),
        (option_name, "option_name", 300),
    ):
        if value is not None and len(str(value)) > limit:
            raise _layout_refused(
                f"{name} is longer than {limit} characters",
                f"{_th(name)} ยาวเกิน {limit} ตัวอักษร",
                name,
            )


def _layout_plots(case: Case, features: list[dict]) -> list[Plot]:
    """The layout's parts as the case's new plots: at least one, at most
    MAX_LAYOUT_FEATURES, each with its own number, a known kind and one valid polygon."""
    if not features:
        raise _layout_refused(
            "the layout has no plots, lanes or common space",
            "ผังนี้ไม่มีแปลง ซอย หรือพื้นที่ส่วนกลาง",
            "features",
        )
    if len(features) > MAX_LAYOUT_FEATURES:
        raise _layout_refused(
            f"a layout has at most {MAX_LAYOUT_FEATURES} parts",
            f"ผังหนึ่งมีได้ไม่เกิน {MAX_LAYOUT_FEATURES} ส่วน",
            "features",
        )
    seen: set[str] = set()
    new_plots = []
    for item in features:
        plot_no = str(item.get("plot_no") or "").strip()
        kind = item.get("kind")
        geom = item.get("geometry")
        if not plot_no or len(plot_no) > 40 or plot_no in seen:
            raise _layout_refused(
                f"every part needs its own number of at most 40 characters ({plot_no!r})",
                f"ทุกส่วนของผังต้องมีเลขไม่ซ้ำกัน ไม่เกิน 40 ตัวอักษร ({plot_no!r})",
                "plot_no",
            )
        if kind not in PLOT_KINDS:
            raise _layout_refused(
                f"part {plot_no}: kind must be one of {', '.join(PLOT_KINDS)}",
                f"ส่วน {plot_no}: ประเภทไม่ถูกต้อง",
                "kind",
            )
        if (
            geom is None
            or geom.geom_type != "Polygon"
            or geom.is_empty
            or not geom.is_valid
            or geom.area <= 0
        ):
            raise _layout_refused(
                f"part {plot_no}: must be one valid polygon",
                f"ส่วน {plot_no}: ต้องเป็นรูปหลายเหลี่ยมที่ถูกต้องหนึ่งรูป",
                "geometry",
            )
        seen.add(plot_no)
        new_plots.append(Plot(case_id=case.id, plot_no=plot_no, geometry=geom, kind=kind))
    return new_plots


def _plots_for_audit(plots: list[Plot]) -> list[dict]:
    """The plots a layout replaces, as the audit log keeps them (WKT to the millimetre)."""
    return [
        {
            "plot_no": p.plot_no,
            "kind": p.kind,
            "geometry": shapely.to_wkt(p.geometry, rounding_precision=3),
        }
        for p in plots
    ]
