"""Recording the layout a community agreed: its checks and what it replaces."""

from datetime import date, timedelta

import pytest
import shapely
from world import OFFICER, VIEWER, case_by_ref

from cases import services
from cases.errors import Forbidden, StaleVersion

AGREED_ON = date(2026, 11, 1)


def _features(n=3):
    kinds = ["plot"] * (n - 1) + ["lane"]
    return [
        {"plot_no": f"P{i}", "kind": kind, "geometry": shapely.box(i * 10, 0, i * 10 + 9, 9)}
        for i, kind in enumerate(kinds, start=1)
    ]


def _record(store, user=OFFICER, **kwargs):
    case = case_by_ref(store, "KPP-CC-01")
    values = {
        "expected_version": case.version,
        "option_name": "ทางเลือก ก",
        "features": _features(),
        "agreed_by": "คณะกรรมการกลุ่มออมทรัพย์",
        "agreed_on": AGREED_ON,
        **kwargs,
    }
    return services.record_layout_decision(store.uow(), user, case.id, **values)


def test_an_agreed_layout_replaces_the_plots_and_moves_the_version_on(store):
    case = case_by_ref(store, "KPP-CC-01")
    decision = _record(store, metrics={"plots": 2})
    assert (decision.option_name, decision.recorded_by, decision.metrics) == (
        "ทางเลือก ก",
        "officer",
        {"plots": 2},
    )
    plots = services.list_plots(store.uow(), OFFICER, case.id)
    assert [(p.plot_no, p.kind) for p in plots] == [("P1", "plot"), ("P2", "plot"), ("P3", "lane")]
    assert case_by_ref(store, "KPP-CC-01").version == case.version + 1
    with pytest.raises(StaleVersion):
        _record(store, expected_version=case.version)
    audit = services.audit_log(store.uow(), OFFICER, entity="layout_decision")
    assert audit[0].after["plots"] == {"plot": 2, "lane": 1, "common": 0}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"problems": [{"en": "overlap", "th": "ซ้อนทับ"}]}, "layout"),
        ({"agreed_by": "  "}, "agreed_by"),
        ({"agreed_on": None}, "agreed_on"),
        ({"agreed_on": date.today() + timedelta(days=3)}, "agreed_on"),
        ({"features": []}, "features"),
        (
            {
                "features": _features()
                + [{"plot_no": "P1", "kind": "plot", "geometry": shapely.box(0, 0, 1, 1)}]
            },
            "plot_no",
        ),
        (
            {"features": [{"plot_no": "X", "kind": "house", "geometry": shapely.box(0, 0, 1, 1)}]},
            "kind",
        ),
        (
            {"features": [{"plot_no": "X", "kind": "plot", "geometry": shapely.Point(0, 0)}]},
            "geometry",
        ),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_a_layout_that_breaks_a_rule_is_refused_with_400(store, changes, field):
    with pytest.raises(services.LayoutRefused) as exc:
        _record(store, **changes)
    assert exc.value.status == 400 and exc.value.details["field"] == field
    assert exc.value.details["problems"]
    case = case_by_ref(store, "KPP-CC-01")
    assert services.list_plots(store.uow(), OFFICER, case.id) == []


def test_a_viewer_is_told_403_before_the_layout_is_checked(store):
    with pytest.raises(Forbidden):
        _record(store, user=VIEWER, problems=[{"en": "overlap", "th": "ซ้อนทับ"}])
