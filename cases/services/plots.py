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
        if any(p.plot_no == str(plot_no) for p in uow.repo.list_plots(case.id)):
            raise InvalidInput(
                f"plot {plot_no} exists already in this case",
                f"มีแปลง {plot_no} อยู่แล้ว",
                field="plot_no",
            )
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
        _case_for(uow, user, plot.case_id, edit=True)
        before = snapshot(plot)
        plot.geometry = geometry_from_geojson(
            geometry,
            allowed=("Polygon",),
            what={"en": f"plot {plot.plot_no}", "th": f"แปลง {plot.plot_no}"},
        )
        uow.repo.update_plot(plot, expected)
        _audit(uow, user, "update", "plot", plot.id, before, snapshot(plot))
        uow.commit()
    return plot


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
