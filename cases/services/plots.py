"""Plots, lanes and common space of a case, drawn on the map."""

from __future__ import annotations

from cases.errors import InvalidInput
from cases.model import (
    Plot,
    User,
    snapshot,
)
from cases.services.common import (
    _audit,
    _case_for,
    _check_version,
)
from cases.services.geometry import geometry_from_geojson
from cases.services.plot_rules import plot_problems, refuse_first
from cases.unit_of_work import UnitOfWork

PLOT_KINDS = ("plot", "lane", "common")


def add_plot(
    uow: UnitOfWork, user: User, case_id: int, *, plot_no: str, geometry: dict, kind: str = "plot"
) -> Plot:
    if kind not in PLOT_KINDS:
        raise InvalidInput(
            f"plot kind must be one of {PLOT_KINDS}", "ประเภทแปลงไม่ถูกต้อง", field="kind"
        )
    geom = geometry_from_geojson(
        geometry, allowed=("Polygon",), what={"en": f"plot {plot_no}", "th": f"แปลง {plot_no}"}
    )
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        existing = uow.repo.list_plots(case.id)
        if any(p.plot_no == str(plot_no) for p in existing):
            raise InvalidInput(
                f"plot {plot_no} exists already in this case",
                f"มีแปลง {plot_no} อยู่แล้ว",
                field="plot_no",
            )
        _check_rules(case, str(plot_no), kind, geom, existing)
        plot = uow.repo.add_plot(
            Plot(case_id=case.id, plot_no=str(plot_no), geometry=geom, kind=kind)
        )
        _audit(uow, user, "create", "plot", plot.id, None, snapshot(plot))
        uow.commit()
    return plot


def update_plot(
    uow: UnitOfWork, user: User, plot_id: int, *, geometry: dict, expected_version
) -> Plot:
    expected = _check_version(expected_version)
    with uow:
        plot = uow.repo.get_plot(plot_id)
        case = _case_for(uow, user, plot.case_id, edit=True)
        before = snapshot(plot)
        plot.geometry = geometry_from_geojson(
            geometry,
            allowed=("Polygon",),
            what={"en": f"plot {plot.plot_no}", "th": f"แปลง {plot.plot_no}"},
        )
        others = [p for p in uow.repo.list_plots(case.id) if p.id != plot.id]
        _check_rules(case, plot.plot_no, plot.kind, plot.geometry, others)
        uow.repo.update_plot(plot, expected)
        _audit(uow, user, "update", "plot", plot.id, before, snapshot(plot))
        uow.commit()
    return plot


def _check_rules(case, plot_no: str, kind: str, geom, others: list[Plot]) -> None:
    """The drawing rules (cases.services.plot_rules): inside the case's site, no overlap
    with the case's other plots (lanes may cross lanes), valid; refused 422 with the spot."""
    problems = plot_problems(
        [(plot_no, geom)],
        case.site,
        others=[(p.plot_no, p.geometry) for p in others if not (kind == p.kind == "lane")],
    )
    if problems:
        raise refuse_first(problems)


def list_plots(uow: UnitOfWork, user: User, case_id: int) -> list[Plot]:
    with uow:
        case = _case_for(uow, user, case_id)
        return uow.repo.list_plots(case.id)


def delete_plot_versioned(uow: UnitOfWork, user: User, plot_id: int, expected_version) -> None:
    """Delete a plot only if it is still the version the caller read.

    The versioned update first is the compare-and-set (and takes the row lock):
    a stale version raises `StaleVersion` and nothing is deleted.
    """
    expected = _check_version(expected_version)
    with uow:
        plot = uow.repo.get_plot(plot_id)
        _case_for(uow, user, plot.case_id, edit=True)
        before = snapshot(plot)
        uow.repo.update_plot(plot, expected)
        uow.repo.delete_plot(plot_id)
        _audit(uow, user, "delete", "plot", plot_id, before, None)
        uow.commit()
