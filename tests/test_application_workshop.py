"""The workshop's application layer without Flask or a database: the parameters'
ranges, an edited layout read back and checked by gis.layout, and the setback rule that
`planner layout` and the layer store share."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from app.application import workshop
from cases.errors import InvalidInput
from gis.layout import PARAMETER_RANGES, layout_problems
from gis.layout_inputs import LayoutSite, setback_from_centreline

X0, Y0 = 660_000.0, 1_530_000.0  # EPSG:32647, in Bangkok


@pytest.fixture
def site() -> LayoutSite:
    """A 120 × 80 m site with a canal along its south edge and the road to the north."""
    land = box(X0, Y0, X0 + 120, Y0 + 80)
    canal = gpd.GeoSeries([LineString([(X0 - 50, Y0 - 5), (X0 + 170, Y0 - 5)])], crs=workshop.CRS)
    return LayoutSite(
        "T-1", "ทดสอบ", "Test", land, canal, 14.0, [Point(X0 + 60, Y0 + 80)], 40, workshop.CRS
    )


def _body(layout, option: int = 1) -> dict:
    features = json.loads(json.dumps(workshop.layout_json(layout)["utm"]))["features"]
    features = [
        f
        for f in features
        if f["properties"]["layer"] != "open_space" or f["properties"]["kind"] == "common"
    ]
    access = layout.pattern.get("access_point")
    return {
        "option": option,
        "crs": workshop.CRS,
        "access_point": list(access) if access else None,
        "features": {"type": "FeatureCollection", "features": features},
    }


def test_parameters_are_range_checked_by_gis_layouts_ranges(site):
    params = workshop.parse_parameters({}, site)
    assert params["setback"] == 14.0 and params["households"] == 40
    hi = PARAMETER_RANGES["lane_width"][1]
    with pytest.raises(InvalidInput) as refused:
        workshop.parse_parameters(
            {"lane_width": hi + 1, "setback": "wide", "households": 2.5},
            site,
            {"lane_width": "ความกว้างซอย"},
        )
    problems = {p["field"]: p for p in refused.value.details["problems"]}
    assert set(problems) == {"lane_width", "setback", "households"}
    assert problems["lane_width"]["th"].startswith("ความกว้างซอย ต้องอยู่ระหว่าง")
    assert (
        f"between {PARAMETER_RANGES['lane_width'][0]:g} and {hi:g}"
        in (problems["lane_width"]["en"])
    )


def test_an_edited_layout_is_checked_by_gis_layout(site):
    params = workshop.parse_parameters({"options": 2}, site)
    layout = workshop.generate(site, params)[0]
    body = _body(layout)
    mine, parts = workshop.parse_layout(body, params)
    access = workshop.access_for(body, site)
    assert workshop.check(mine, site, params["setback"], access) == []
    assert {p["kind"] for p in parts} >= {"plot", "lane"}
    # A plot moved 200 m north: outside the site and off its lane, as gis.layout says.
    plot = next(f for f in body["features"]["features"] if f["properties"]["layer"] == "plot")
    moved = shapely.affinity.translate(shapely.geometry.shape(plot["geometry"]), 0, 200)
    plot["geometry"] = shapely.geometry.mapping(moved)
    mine, _ = workshop.parse_layout(body, params)
    got = workshop.check(mine, site, params["setback"], access)
    # The plots' drawing rules are the plot API's (cases.services.plot_problems); the rest
    # (lanes, frontage, setback, access) gis.layout's.
    rules = workshop.plot_rule_problems(mine, site.site)
    want = layout_problems(
        mine, site.site, canal=site.canal, setback=14.0, access=access, plot_rules=False
    )
    assert [(p["en"], p["feature"]) for p in got] == [(p["en"], p["feature"]) for p in rules] + [
        (p.message_en, p.feature) for p in want
    ]
    no = str(plot["properties"]["plot_no"])
    outside = next(p for p in got if p.get("rule") == "outside_site")
    assert outside["feature"] == no and f"plot {no} lies outside the case's site" in outside["en"]
    assert f"แปลง {no}" in outside["th"] and outside["spot"]["type"] == "Point"


def test_a_layout_that_cannot_be_read_is_refused_with_every_problem(site):
    params = workshop.parse_parameters({}, site)
    body = {
        "crs": workshop.CRS,
        "features": [
            {"properties": {"layer": "plot", "plot_no": "1"}, "geometry": None},
            {"properties": {"layer": "road"}, "geometry": shapely.geometry.mapping(site.site)},
        ],
    }
    with pytest.raises(InvalidInput) as refused:
        workshop.parse_layout(body, params)
    assert [p.get("field") for p in refused.value.details["problems"]] == ["geometry", "layer"]
    with pytest.raises(InvalidInput) as refused:
        workshop.parse_layout({"crs": "EPSG:3857", "features": [{}]}, params)
    assert refused.value.details["field"] == "crs"


def test_one_setback_rule_for_the_store_and_for_files():
    canal = pd.DataFrame({"width_m": [10.0, 20.0], "setback_m": [5.0, 3.0]})
    assert setback_from_centreline(canal) == 13.0  # the widest band: 20 / 2 + 3
    assert setback_from_centreline(pd.DataFrame({"x": [1]}), default=8.0) == 8.0
    assert setback_from_centreline(pd.DataFrame({"x": [1]})) == 12.0 / 2 + 8.0


def test_a_site_file_with_its_canal_gives_the_canals_setback(tmp_path):
    from gis.catalog import load_catalog

    crs = workshop.CRS
    site_path = tmp_path / "site.geojson"
    gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 100, Y0 + 60)], crs=crs).to_file(site_path)
    canal_path = tmp_path / "canal.geojson"
    gpd.GeoDataFrame(
        {"width_m": [12.0], "setback_m": [6.0]},
        geometry=[LineString([(X0, Y0 - 4), (X0 + 100, Y0 - 4)])],
        crs=crs,
    ).to_file(canal_path)
    chosen = workshop.choose_site(
        lambda: pytest.fail("a file needs no store"),
        str(site_path),
        load_catalog(),
        case_community=lambda ref: None,
        households=30,
        canal=str(canal_path),
    )
    assert chosen.site.setback_from_centreline_m == 12.0
    assert chosen.site.households == 30 and chosen.site.site_id == "site"
    assert "width_m / 2 + setback_m" in chosen.setback_how
    layouts = workshop.generate_options(
        chosen.site, {**workshop.parse_parameters({}, chosen.site), "options": 2}
    )
    assert workshop.broken_rules(layouts, chosen.site, 12.0) == []
