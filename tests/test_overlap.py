"""gis.overlap against an independent reference: geopandas.overlay."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gis.errors import ValidationError
from gis.overlap import area_by_category, constraint_status
from gis.paths import SAMPLE_GPKG

CRS = "EPSG:32647"


def _overlay_areas(sites, layer, by, site_id):
    """The reference: geopandas.overlay, areas summed per site and category."""
    ref = gpd.overlay(sites, layer, how="intersection", keep_geom_type=True)
    ref["area_m2"] = ref.geometry.area
    ref = ref[ref["area_m2"] > 0]
    return ref.groupby([site_id, by])["area_m2"].sum()


def _assert_same_areas(ours: pd.DataFrame, ref: pd.Series, by: str, *, rel=1e-6, tiny=1e-6):
    mine = ours.set_index(["site_id", by])["area_m2"]
    both = pd.concat([ref.rename("ref"), mine.rename("ours")], axis=1)
    # A sliver below `tiny` m² may appear on one side only (GEOS noise on shared edges).
    both = both[(both["ref"].fillna(0) > tiny) | (both["ours"].fillna(0) > tiny)]
    assert both.notna().all().all(), both[both.isna().any(axis=1)]
    err = (both["ours"] - both["ref"]).abs() / both["ref"]
    assert (err <= rel).all(), both[err > rel]


@pytest.fixture(scope="module")
def sample():
    import pyogrio

    return {
        name: pyogrio.read_dataframe(SAMPLE_GPKG, layer=name)
        for name in ("communities", "zoning", "tenure_parcels", "canal_setback", "structures")
    }


def test_sample_communities_by_zone_equal_geopandas_overlay(sample):
    sites = sample["communities"][["community_id", "geometry"]]
    ours = area_by_category(sites, sample["zoning"], "zone_code", site_id="community_id")
    ref = _overlay_areas(
        sites, sample["zoning"][["zone_code", "geometry"]], "zone_code", "community_id"
    )
    _assert_same_areas(ours, ref, "zone_code")
    # Shares are of the site's own area, and the zoning covers every community.
    totals = ours.groupby("site_id")["share"].sum()
    assert len(totals) == len(sites)
    assert np.allclose(totals, 1.0, atol=1e-9)


def test_sample_communities_by_tenure_equal_geopandas_overlay(sample):
    sites = sample["communities"][["community_id", "geometry"]]
    parcels = sample["tenure_parcels"][["owner_class", "geometry"]]
    ours = area_by_category(sites, parcels, "owner_class", site_id="community_id")
    ref = _overlay_areas(sites, parcels, "owner_class", "community_id")
    _assert_same_areas(ours, ref, "owner_class")
    assert set(ours["owner_class"]) <= {"treasury", "railway", "bma", "private"}


def test_structures_in_setback_equal_dissolved_overlay(sample):
    """Per-segment parts unioned per site give what one dissolved buffer gives."""
    sites = sample["structures"][["structure_id", "geometry"]]
    setback = sample["canal_setback"]
    ours = constraint_status(sites, setback, site_id="structure_id", part_id="segment_no")
    dissolved = gpd.GeoDataFrame(geometry=[shapely.union_all(setback.geometry.values)], crs=CRS)
    ref = gpd.overlay(sites, dissolved, how="intersection")
    ref_area = ref.set_index("structure_id").geometry.area
    ref_area = ref_area.groupby(level=0).sum().reindex(sites["structure_id"]).fillna(0.0)
    assert np.allclose(ours["inside_area_m2"].to_numpy(), ref_area.to_numpy(), rtol=1e-6, atol=1e-6)
    area = sites.geometry.area.to_numpy()
    inside = ours["status"].astype(str).to_numpy()
    assert (inside == "inside").sum() > 0 and (inside == "partly_inside").sum() > 0
    assert np.allclose(ref_area.to_numpy()[inside == "inside"], area[inside == "inside"], rtol=1e-9)
    assert (ref_area.to_numpy()[inside == "outside"] == 0).all()
    assert list(ours["site_id"]) == list(sites["structure_id"])  # input order kept
    # The parts named are exactly the segments each site overlaps with area.
    some = ours[ours["status"] == "partly_inside"].iloc[0]
    site = sites.geometry[sites["structure_id"] == some["site_id"]].iloc[0]
    overlapping = setback[shapely.area(shapely.intersection(setback.geometry.values, site)) > 0]
    assert some["parts"] == ",".join(str(n) for n in overlapping["segment_no"])


def test_site_wholly_inside_one_zone_takes_its_own_area():
    zone = gpd.GeoDataFrame({"zone_code": ["ย.3"]}, geometry=[shapely.box(0, 0, 100, 100)], crs=CRS)
    sites = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[shapely.box(10, 10, 30, 25)], crs=CRS)
    out = area_by_category(sites, zone, "zone_code", site_id="site_id")
    assert out.to_dict("records") == [
        {"site_id": "a", "zone_code": "ย.3", "area_m2": 300.0, "share": 1.0}
    ]


def test_touching_only_is_outside_and_no_row():
    zone = gpd.GeoDataFrame({"zone_code": ["ก.1"]}, geometry=[shapely.box(0, 0, 10, 10)], crs=CRS)
    sites = gpd.GeoDataFrame({"site_id": ["edge"]}, geometry=[shapely.box(10, 0, 20, 10)], crs=CRS)
    assert area_by_category(sites, zone, "zone_code", site_id="site_id").empty
    status = constraint_status(sites, zone, site_id="site_id")
    assert status.loc[0, "status"] == "outside"
    assert status.loc[0, "inside_area_m2"] == 0.0
    assert status.loc[0, "parts"] == ""


def test_overlapping_setback_parts_are_not_counted_twice():
    parts = gpd.GeoDataFrame(
        {"segment_no": [1, 2]},
        geometry=[shapely.box(0, 0, 60, 10), shapely.box(40, 0, 100, 10)],  # overlap 40..60
        crs=CRS,
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["p"]}, geometry=[shapely.box(30, 5, 70, 15)], crs=CRS
    )  # 40 × 10 = 400 m², half inside
    out = constraint_status(sites, parts, site_id="site_id", part_id="segment_no")
    row = out.iloc[0]
    assert row["inside_area_m2"] == pytest.approx(200.0)
    assert row["inside_share"] == pytest.approx(0.5)
    assert row["status"] == "partly_inside"
    assert row["parts"] == "1,2"


def test_site_inside_the_union_of_two_parts_is_inside():
    parts = gpd.GeoDataFrame(
        geometry=[shapely.box(0, 0, 50, 10), shapely.box(50, 0, 100, 10)], crs=CRS
    )
    sites = gpd.GeoDataFrame(geometry=[shapely.box(45, 2, 55, 8)], crs=CRS)
    out = constraint_status(sites, parts)
    assert out.loc[0, "status"] == "inside"
    assert out.loc[0, "inside_share"] == 1.0


def test_every_problem_is_reported_at_once():
    zone = gpd.GeoDataFrame(
        {"code": ["x"]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326"
    )  # wrong CRS and no zone_code
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    sites = gpd.GeoDataFrame(
        {"site_id": ["ok", "bad", "line"]},
        geometry=[shapely.box(0, 0, 1, 1), bowtie, shapely.LineString([(0, 0), (1, 1)])],
        crs=CRS,
    )
    with pytest.raises(ValidationError) as err:
        area_by_category(sites, zone, "zone_code", labels=("plan.gpkg", "zoning.gpkg"))
    problems = err.value.problems
    text = "\n".join(str(p) for p in problems)
    assert any(p.field == "crs" and p.file == "zoning.gpkg" for p in problems)  # not metric
    assert any(p.field == "zone_code" for p in problems)
    assert any(
        p.feature == 1 and p.field == "geometry" and "invalid" in p.message_en for p in problems
    )
    assert any(p.feature == 2 and "LineString" in p.message_en for p in problems)
    assert "plan.gpkg" in text
    assert all(p.message_th for p in problems)


def test_a_crs_mismatch_is_refused_not_reprojected():
    zone = gpd.GeoDataFrame(
        {"zone_code": ["x"]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:32648"
    )
    sites = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=CRS)
    with pytest.raises(ValidationError, match="reproject at import"):
        area_by_category(sites, zone, "zone_code")


# ------------------------------------------------------------- property tests


@st.composite
def polygon_layer(draw, n_min, n_max, size):
    n = draw(st.integers(n_min, n_max))
    geoms = []
    for _ in range(n):
        x = draw(st.floats(0, 200, allow_nan=False))
        y = draw(st.floats(0, 200, allow_nan=False))
        w = draw(st.floats(1, size, allow_nan=False))
        h = draw(st.floats(1, size, allow_nan=False))
        angle = draw(st.floats(0, 90))
        box = shapely.box(x, y, x + w, y + h)
        geoms.append(shapely.affinity.rotate(box, angle, origin="centroid"))
    return geoms


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sites=polygon_layer(1, 25, 40),
    zones=polygon_layer(1, 6, 150),
    seed=st.integers(0, 2**16),
)
def test_property_areas_equal_geopandas_overlay(sites, zones, seed):
    """Random rotated plots against random (possibly overlapping) zones."""
    rng = np.random.default_rng(seed)
    site_df = gpd.GeoDataFrame({"plot": range(len(sites))}, geometry=sites, crs=CRS)
    codes = rng.choice(["ย.1", "พ.2", "ก.1"], len(zones))
    zone_df = gpd.GeoDataFrame({"zone_code": codes}, geometry=zones, crs=CRS)
    ours = area_by_category(site_df, zone_df, "zone_code", site_id="plot")
    ref = _overlay_areas(site_df, zone_df, "zone_code", "plot")
    _assert_same_areas(ours, ref, "zone_code", tiny=1e-7)
    # Status against the same zones taken as a constraint layer.
    status = constraint_status(site_df, zone_df, site_id="plot")
    union = shapely.union_all(zone_df.geometry.values)
    expected = shapely.area(shapely.intersection(site_df.geometry.values, union))
    assert np.allclose(status["inside_area_m2"], expected, rtol=1e-6, atol=1e-6)


def test_nearly_coincident_edges_do_not_fool_the_overlay():
    """Two plots that only share an edge, with vertices one ulp apart: GEOS's plain
    intersection returns one whole plot (JTS issue #1000); the check must not."""
    a = shapely.from_wkt(
        "POLYGON ((14.099976998331915 27.67638656941351, 6.08096496980485 31.7623926984273, "
        "4.51165562627769 28.682536696042497, 12.530667654804754 24.596530567028708, "
        "14.099976998331915 27.67638656941351))"
    )
    b = shapely.from_wkt(
        "POLYGON ((15.669286341859074 30.75624257179831, 7.650274313332011 34.8422487008121, "
        "6.0809649698048505 31.7623926984273, 14.099976998331915 27.67638656941351, "
        "15.669286341859074 30.75624257179831))"
    )
    sites = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[a], crs=CRS)
    layer = gpd.GeoDataFrame({"zone_code": ["ก.1"]}, geometry=[b], crs=CRS)
    assert area_by_category(sites, layer, "zone_code", site_id="site_id").empty
    status = constraint_status(sites, layer, site_id="site_id")
    assert status.loc[0, "status"] == "outside" and status.loc[0, "inside_area_m2"] == 0
