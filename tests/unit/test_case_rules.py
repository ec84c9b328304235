"""Opening and changing cases: drawn sites, hold reasons, stalled cases, versions."""

import random

import pytest
import shapely
from shapely.geometry import Point
from world import OFFICER, REP, TODAY, case_by_ref

from cases import services
from cases.errors import Forbidden, InvalidInput, StaleVersion
from cases.services.geometry import _TO_WGS84, _reproject
from cases.workflow import default_workflows, load_workflows

GOOD_SITE = {
    "type": "Polygon",
    "coordinates": [
        [[100.57, 13.88], [100.571, 13.88], [100.571, 13.881], [100.57, 13.881], [100.57, 13.88]]
    ],
}


def test_new_case_from_a_drawn_site(store):
    case = services.create_case(
        store.uow(),
        OFFICER,
        community_id="KPP-LS-03",
        case_type="disaster",
        variant="fire",
        title_th="บ้านหลังไฟไหม้",
        site_geojson=GOOD_SITE,
        on=TODAY,
    )
    assert case.stage == "damage_assessment" and case.site.area == pytest.approx(12_000, rel=0.05)
    assert case.ref == "KPP-LS-03-DIS-02" and case.title_en == "บ้านหลังไฟไหม้"
    back = services.geometry_to_geojson(case_by_ref(store, case.ref).site)
    assert back["coordinates"][0][0] == pytest.approx((100.57, 13.88))
    with store.uow() as uow:
        (opened,) = uow.repo.list_events(case.id)
    assert (opened.from_stage, opened.to_stage, opened.note) == (None, case.stage, "case opened")


def test_a_point_back_to_geojson_is_the_same_as_through_the_arrays():
    """geometry_to_geojson's shortcut for a point (a house) gives the very numbers, of the
    very types, that the general way through _reproject's arrays gives."""

    def general(geom):
        return shapely.geometry.mapping(_reproject(geom, _TO_WGS84))

    rng = random.Random(5)
    for _ in range(2000):  # all over Thailand, in EPSG:32647
        point = Point(rng.uniform(150_000, 1_200_000), rng.uniform(600_000, 2_300_000))
        assert repr(services.geometry_to_geojson(point)) == repr(general(point))
    for other in (Point(664_000, 1_531_000, 5), Point(), Point(664_000, 1_531_000).buffer(5)):
        assert repr(services.geometry_to_geojson(other)) == repr(general(other))


@pytest.mark.parametrize(
    "geometry, message",
    [
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [100.57, 13.88],
                        [100.571, 13.881],
                        [100.571, 13.88],
                        [100.57, 13.881],
                        [100.57, 13.88],
                    ]
                ],
            },
            "edges cross each other",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[13.88, 100.57], [13.88, 100.571], [13.881, 100.571], [13.88, 100.57]]
                ],
            },
            "swapped",
        ),
        ({"type": "Point", "coordinates": [100.57, 13.88]}, "must be Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": "nonsense"}, "not a GeoJSON geometry"),
    ],
)
def test_bad_site_geometry_is_refused(store, geometry, message):
    with pytest.raises(InvalidInput, match=message):
        services.create_case(
            store.uow(),
            OFFICER,
            community_id="KPP-LS-03",
            case_type="disaster",
            title_th="x",
            site_geojson=geometry,
        )
    _, total = services.list_cases(store.uow(), OFFICER, search="KPP-LS-03")
    assert total == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"case_type": "disaster"}, "cannot be changed"),
        ({"hold_reason": "bored"}, "unknown hold reason"),
        ({"variant": "tornado"}, "unknown variant"),
        ({"title_th": "  "}, "cannot be blank"),
        ({"note": "x" * 2001}, "longer than 2000"),
    ],
)
def test_bad_case_changes_are_refused(store, changes, message):
    case = case_by_ref(store, "KPP-LS-03")
    with pytest.raises(InvalidInput, match=message):
        services.update_case(store.uow(), OFFICER, case.id, changes, case.version)
    assert case_by_ref(store, "KPP-LS-03").version == case.version


def test_only_officers_open_cases(store):
    with pytest.raises(Forbidden, match="only officers"):
        services.create_case(
            store.uow(), REP, community_id="KPP-CC-01", case_type="disaster", title_th="x"
        )


def test_hold_and_release_are_on_the_timeline(store):
    case = case_by_ref(store, "KPP-LS-03")
    held = services.update_case(
        store.uow(),
        OFFICER,
        case.id,
        {"hold_reason": "budget_delayed"},
        case.version,
        event_note="รอ",
    )
    released = services.update_case(
        store.uow(), OFFICER, case.id, {"hold_reason": ""}, held.version
    )
    assert released.hold_reason is None and released.version == case.version + 2
    with store.uow() as uow:
        events = uow.repo.list_events(case.id)
    assert [(e.kind, e.hold_reason, e.note) for e in events] == [
        ("hold", "budget_delayed", "รอ"),
        ("release", None, ""),
    ]


def test_stale_update_is_refused_and_no_change_is_lost(store):
    case = case_by_ref(store, "KPP-LS-03")
    services.update_case(store.uow(), OFFICER, case.id, {"note": "first"}, case.version)
    with pytest.raises(StaleVersion) as exc:
        services.update_case(store.uow(), OFFICER, case.id, {"note": "second"}, case.version)
    assert exc.value.status == 409
    after = case_by_ref(store, "KPP-LS-03")
    assert (after.note, after.version) == ("first", case.version + 1)


def test_stalled_cases_carry_their_hold_reason(store):
    stalled = services.stalled_cases(store.uow(), OFFICER, today=TODAY)
    assert [s["ref"] for s in stalled] == ["KPP-CC-05"]
    (row,) = stalled
    assert row["hold_reason"] == "land_dispute" and row["stall_days"] == 180
    assert row["days_in_stage"] == (TODAY - row["stage_entered_on"]).days > 180
    assert services.stalled_cases(store.uow(), REP, today=TODAY) == []
    rows, total = services.list_cases(store.uow(), OFFICER, stalled=True, today=TODAY)
    assert total == 1 and rows[0]["stalled"] and rows[0]["ref"] == "KPP-CC-05"


def test_workflow_file_is_consistent_and_bilingual():
    workflows = load_workflows()
    canal = workflows.case_type("canal_side")
    assert {"agreement_to_move", "temporary_housing", "treasury_lease"} <= set(canal.stage_ids())
    assert {"land_dispute", "residents_not_agreed", "budget_delayed", "waiting_embankment"} <= set(
        workflows.hold_reasons
    )
    assert set(workflows.case_types) == {
        "canal_side",
        "baan_mankong",
        "disaster",
        "baan_pho_phiang",
    }
    assert set(workflows.variants["baan_mankong"]) == {
        "on_site_upgrading",
        "reblocking",
        "land_sharing",
        "reconstruction",
        "relocation",
    }
    assert set(default_workflows().hold_reasons) == set(workflows.hold_reasons)
