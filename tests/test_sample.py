"""The deterministic sample builder: published counts, geometry rules, catalogue
validity, byte-identical rebuilds and the shipped files in layers/sample/."""

from __future__ import annotations

import datetime as dt
import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from pyproj import Transformer

from gis.catalog import load_catalog, validate_layer
from gis.errors import PlannerError
from gis.paths import SAMPLE_DIR
from gis.sample import FLOOD_NAME, GPKG_NAME, build_sample

MAX_BYTES = 25 * 1024 * 1024
PUBLISHED = {  # area: (communities, households agreed), nationthailand.com 40021770
    "Chatuchak": (5, 621),
    "Lak Si": (13, 2248),
    "Don Mueang": (14, 2542),
    "Lak Hok": (6, 929),
}
DISTRICT_OF = {"Chatuchak": "Chatu Chak", "Lak Si": "Lak Si", "Don Mueang": "Don Mueang"}
TO_LONLAT = Transformer.from_crs("EPSG:32647", "EPSG:4326", always_xy=True)


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    return out, build_sample(out)


@pytest.fixture(scope="module")
def layers(built):
    out, _ = built
    path = out / GPKG_NAME
    return {name: pyogrio.read_dataframe(path, layer=name) for name, _ in pyogrio.list_layers(path)}


# --- the package as a whole -------------------------------------------------


def test_package_holds_every_vector_layer_in_catalogue_order(built, catalog):
    out, summary = built
    names = [name for name, _ in pyogrio.list_layers(out / GPKG_NAME)]
    assert names == [e.name for e in catalog.vector_layers()]
    assert sorted(p.name for p in out.iterdir()) == sorted([GPKG_NAME, FLOOD_NAME])
    assert summary["counts"]["structures"] == 6386


def test_every_layer_passes_validation(layers, catalog):
    for name, gdf in layers.items():
        problems = validate_layer(gdf, catalog[name], file=GPKG_NAME)
        assert problems == [], [str(p) for p in problems]


def test_field_types_are_real_geopackage_types(built, catalog):
    out, _ = built
    expected = {
        "str": {"OFTString"},
        "int": {"OFTInteger", "OFTInteger64"},
        "float": {"OFTReal"},
        "bool": {"OFTInteger"},
        "date": {"OFTDate"},
    }
    for entry in catalog.vector_layers():
        info = pyogrio.read_info(out / GPKG_NAME, layer=entry.name)
        assert info["crs"] == "EPSG:32647"
        assert list(info["fields"]) == list(entry.fields)
        for fname, ogr_type, subtype in zip(
            info["fields"], info["ogr_types"], info["ogr_subtypes"]
        ):
            ftype = entry.fields[fname].type
            assert ogr_type in expected[ftype], (entry.name, fname, ogr_type)
            assert (subtype == "OFSTBoolean") == (ftype == "bool"), (entry.name, fname)


def test_files_are_small_enough(built):
    out, summary = built
    total = sum((out / name).stat().st_size for name in (GPKG_NAME, FLOOD_NAME))
    assert total <= MAX_BYTES
    assert summary["files"][GPKG_NAME]["bytes"] == (out / GPKG_NAME).stat().st_size


def test_two_builds_are_byte_identical(built, tmp_path):
    out, summary = built
    again = build_sample(tmp_path)
    for name in (GPKG_NAME, FLOOD_NAME):
        assert sha256(tmp_path / name) == sha256(out / name), name
        assert again["files"][name]["sha256"] == summary["files"][name]["sha256"]


def test_bad_setback_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError) as excinfo:
        build_sample(tmp_path, setback_m=-3)
    assert isinstance(excinfo.value, PlannerError)  # the CLI reports these cleanly
    assert list(tmp_path.iterdir()) == []


# --- canal ------------------------------------------------------------------


def test_canal_length_is_within_two_percent_of_published(layers, built):
    line = layers["canal_centreline"]
    assert len(line) == 1 and line.geom_type.iloc[0] == "LineString"
    length = line.length.iloc[0]
    assert abs(length - 50_800) <= 0.02 * 50_800
    assert built[1]["canal_length_m"] == pytest.approx(length, abs=0.1)
    row = line.iloc[0]
    assert (row.canal_id, row.name_th, row.width_m, row.setback_m) == (
        "KPP", "คลองเปรมประชากร", 12.0, 8.0
    )  # fmt: skip
    assert "approximate" in row.accuracy


def test_canal_water_is_twelve_metres_wide(layers):
    water = layers["canal_water"]
    length = layers["canal_centreline"].length.iloc[0]
    assert len(water) == 1
    assert water.area.iloc[0] == pytest.approx(12 * length, rel=0.005)


def test_setback_is_segmented_band_outside_the_water(layers):
    setback = layers["canal_setback"]
    water = layers["canal_water"].geometry.iloc[0]
    length = layers["canal_centreline"].length.iloc[0]
    assert len(setback) > 100
    assert setback["segment_no"].tolist() == list(range(1, len(setback) + 1))
    assert (setback["setback_m"] == 8.0).all()
    assert setback.area.sum() == pytest.approx(2 * 8.0 * length, rel=0.01)
    assert shapely.area(shapely.intersection(setback.geometry.values, water)).sum() < 1.0
    # Each feature is one ~200 m stretch: a band on each bank.
    assert (shapely.get_num_geometries(setback.geometry.values) == 2).all()
    piece = 2 * 8.0 * length / len(setback)
    assert setback.area.between(0.9 * piece, 1.1 * piece).all()


# --- communities and households ---------------------------------------------


def test_community_counts_and_households_match_published_figures(layers):
    com = layers["communities"]
    assert len(com) == 38
    per_area = com.groupby("area_en").agg(
        n=("community_id", "size"), agreed=("households_agreed", "sum")
    )
    assert {a: (int(r.n), int(r.agreed)) for a, r in per_area.iterrows()} == PUBLISHED
    assert com["households_agreed"].sum() == 6340
    assert com["households_total"].sum() == 6386
    assert (com["households_agreed"] <= com["households_total"]).all()
    assert (com["households_total"] > com["households_agreed"]).sum() > 1  # 46 spread out
    assert com["community_id"].is_unique
    assert com["name_en"].str.startswith("Sample community").all()
    assert com["name_th"].str.startswith("ชุมชนตัวอย่าง").all()
    assert set(com["bank"]) == {"east", "west"}
    expected_th = {"Chatuchak": "จตุจักร", "Lak Si": "หลักสี่", "Don Mueang": "ดอนเมือง",
                   "Lak Hok": "หลักหก"}  # fmt: skip
    assert (com["area_th"] == com["area_en"].map(expected_th)).all()
    assert (com.loc[com.area_en == "Lak Hok", "province_th"] == "ปทุมธานี").all()


def test_bangkok_communities_lie_in_their_real_districts(layers):
    com = layers["communities"]
    districts = layers["districts"].set_index("name_en").geometry
    bangkok = com[com.area_en != "Lak Hok"]
    targets = bangkok["area_en"].map(DISTRICT_OF).map(districts)
    assert shapely.within(bangkok.geometry.values, targets.values).all()


def test_lak_hok_communities_lie_on_the_canal_outside_bangkok(layers):
    com = layers["communities"]
    lak_hok = com[com.area_en == "Lak Hok"].geometry.values
    bangkok = shapely.union_all(layers["districts"].geometry.values)
    assert not shapely.intersects(lak_hok, bangkok).any()
    centres = shapely.get_coordinates(shapely.centroid(lak_hok))
    _, lat = TO_LONLAT.transform(centres[:, 0], centres[:, 1])
    assert ((lat > 13.955) & (lat < 13.99)).all()


def test_communities_start_in_the_water_and_do_not_overlap(layers):
    geoms = layers["communities"].geometry.values
    water = layers["canal_water"].geometry.iloc[0]
    assert shapely.intersects(geoms, water).all()
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    assert (a == b).all()


def test_one_structure_per_household(layers):
    com = layers["communities"].set_index("community_id")
    st = layers["structures"]
    assert len(st) == 6386
    assert st["structure_id"].is_unique
    per = st.groupby("community_id").agg(
        n=("household_no", "size"), top=("household_no", "max"), agreed=("agreed_to_move", "sum")
    )
    assert (per["n"] == com.loc[per.index, "households_total"]).all()
    assert (per["top"] == per["n"]).all()
    assert (per["agreed"] == com.loc[per.index, "households_agreed"]).all()
    assert st["agreed_to_move"].dtype == bool
    assert st["agreed_to_move"].sum() == 6340


def test_each_structure_is_inside_its_community(layers):
    com = layers["communities"].set_index("community_id").geometry
    st = layers["structures"]
    assert shapely.within(st.geometry.values, com.loc[st["community_id"]].values).all()
    areas = st.area
    assert areas.between(3.2 * 6.0 - 0.01, 4.0 * 7.5 + 0.01).all()


def test_structures_do_not_overlap(layers):
    geoms = layers["structures"].geometry.values
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    assert (a == b).all()


def test_encroachment_is_computed_from_the_geometry(layers):
    st = layers["structures"]
    water = layers["canal_water"].geometry.iloc[0]
    setback = shapely.union_all(layers["canal_setback"].geometry.values)
    geoms = st.geometry.values
    expected = np.where(
        shapely.intersects(geoms, water),
        "canal",
        np.where(shapely.intersects(geoms, setback), "setback", "none"),
    )
    assert (st["encroachment"].to_numpy() == expected).all()
    share = st["encroachment"].value_counts(normalize=True)
    assert share["canal"] > 0.1 and share["setback"] > 0.1 and share["none"] > 0.3


def test_a_wider_setback_catches_more_structures(tmp_path, layers):
    summary = build_sample(tmp_path, setback_m=25.0)
    st = pyogrio.read_dataframe(tmp_path / GPKG_NAME, layer="structures")
    line = pyogrio.read_dataframe(tmp_path / GPKG_NAME, layer="canal_centreline")
    assert line["setback_m"].iloc[0] == 25.0
    default = layers["structures"]["encroachment"].value_counts()
    wider = st["encroachment"].value_counts()
    assert wider["canal"] == default["canal"]  # the same houses, a wider band
    assert wider["setback"] > default["setback"]
    assert summary["encroachment"]["setback"] == wider["setback"]


# --- context layers ---------------------------------------------------------


def test_districts_are_the_fifty_real_ones(layers):
    d = layers["districts"]
    assert len(d) == 50 and d["dcode"].is_unique
    assert {"Chatu Chak", "Lak Si", "Don Mueang"} <= set(d["name_en"])
    assert (d.loc[d.name_en == "Chatu Chak", "name_th"] == "เขตจตุจักร").all()
    assert (d["province_th"] == "กรุงเทพมหานคร").all()
    assert (d["population"] > 0).all()


def test_railway_runs_beside_the_canal_but_clear_of_it(layers):
    rail = layers["railway"].geometry.iloc[0]
    water = layers["canal_water"].geometry.iloc[0]
    assert rail.length > 15_000
    assert 200 < rail.distance(water) < 1000
    assert shapely.distance(layers["communities"].geometry.values, rail).min() > 200
    districts = layers["districts"]
    crossed = set(districts.loc[districts.intersects(rail), "name_en"])
    assert {"Chatu Chak", "Lak Si", "Don Mueang"} <= crossed


def test_tenure_parcels_do_not_overlap(layers):
    parcels = layers["tenure_parcels"]
    assert set(parcels["owner_class"]) == {"treasury", "railway", "bma", "private"}
    assert parcels["parcel_id"].is_unique
    geoms = parcels.geometry.values
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = a < b
    overlap = shapely.area(shapely.intersection(geoms[a[keep]], geoms[b[keep]])).sum()
    assert overlap < 1.0  # m², numerical noise only
    treasury = parcels[parcels.owner_class == "treasury"]
    assert len(treasury) > 100
    labels = parcels.groupby("owner_class")[["owner_th", "owner_en"]].first()
    assert labels.loc["treasury", "owner_en"] == "Treasury Department"
    assert labels.loc["railway", "owner_th"] == "การรถไฟแห่งประเทศไทย"


def test_no_bma_land_outside_bangkok(layers):
    parcels = layers["tenure_parcels"]
    bangkok = shapely.union_all(layers["districts"].geometry.values)
    bma = parcels[parcels.owner_class == "bma"].geometry.values
    assert shapely.within(shapely.point_on_surface(bma), bangkok).all()


def test_zoning_tiles_the_corridor_with_real_codes(layers):
    zones = layers["zoning"]
    allowed = {"ย.3", "ย.4", "ย.5", "ย.6", "ย.7", "พ.2", "พ.3", "อ.1", "อ.3", "ก.2", "ส."}
    assert 100 <= len(zones) <= 400
    assert set(zones["zone_code"]) <= allowed
    assert (zones["zone_class"] == zones["zone_code"].str[0] + ".").all()
    geoms = zones.geometry.values
    union = shapely.union_all(geoms)
    assert union.area == pytest.approx(shapely.area(geoms).sum(), rel=1e-6)  # no overlaps
    line = layers["canal_centreline"].geometry.iloc[0]
    communities = shapely.union_all(layers["communities"].geometry.values)
    assert union.contains(communities)
    assert union.area > 2 * 1400 * 18_000  # about 1.5 km each side, Chatuchak to Lak Hok
    assert union.distance(line) == 0


def test_some_farmland_zones_meet_communities(layers):
    zones = layers["zoning"]
    farm = shapely.union_all(zones[zones.zone_class == "ก."].geometry.values)
    com = layers["communities"]
    hit = com[shapely.intersects(com.geometry.values, farm)]
    assert len(hit) >= 1 and "Lak Hok" in set(hit["area_en"])


def test_disaster_sites_are_dated_events_near_communities(layers):
    sites = layers["disaster_sites"]
    assert 30 <= len(sites) <= 40
    assert set(sites["kind"]) == {"fire", "flood", "eviction"}
    assert pd.api.types.is_datetime64_any_dtype(sites["event_date"])
    dates = sites["event_date"].dt.date
    floods = sites["kind"] == "flood"
    assert dates[floods].map(lambda d: d.year == 2011).all()
    assert dates[~floods].between(dt.date(2015, 1, 1), dt.date(2024, 12, 31)).all()
    assert (sites["households_affected"] > 0).all()
    near = shapely.distance(
        sites.geometry.values, shapely.union_all(layers["communities"].geometry)
    )
    assert (near < 50).all()
    assert sites["site_id"].is_unique


# --- flood raster -----------------------------------------------------------


def test_flood_depth_raster(built):
    out, _ = built
    with rasterio.open(out / FLOOD_NAME) as src:
        assert src.crs.to_epsg() == 32647
        assert src.res == (10.0, 10.0)
        assert src.nodata == -9999
        assert src.dtypes == ("float32",)
        assert src.compression.name.lower() == "deflate"
        assert src.profile["tiled"]
        depth = src.read(1)
        bounds = src.bounds
    inside = depth != -9999
    assert depth[0, 0] == -9999 and depth[-1, -1] == -9999  # outside the band
    values = depth[inside]
    assert (values >= 0).all()
    assert 0.3 < (values == 0).mean() < 0.95
    assert values.max() > 1.0
    assert np.allclose(values * 100, np.round(values * 100), atol=1e-3)  # cm steps
    _, south = TO_LONLAT.transform(bounds.left, bounds.bottom + 1500)
    _, north = TO_LONLAT.transform(bounds.right, bounds.top - 1500)
    assert south < 13.765 and north > 13.99


# --- shipped files ----------------------------------------------------------


def test_shipped_sample_matches_a_fresh_build(built, catalog):
    out, _ = built
    shipped = SAMPLE_DIR / GPKG_NAME
    assert shipped.exists(), "run `python -m gis.sample` to write layers/sample/"
    assert shipped.stat().st_size <= MAX_BYTES
    names = [name for name, _ in pyogrio.list_layers(shipped)]
    assert names == [name for name, _ in pyogrio.list_layers(out / GPKG_NAME)]
    for name in names:
        old = pyogrio.read_dataframe(shipped, layer=name)
        new = pyogrio.read_dataframe(out / GPKG_NAME, layer=name)
        pd.testing.assert_frame_equal(
            pd.DataFrame(old.drop(columns="geometry")), pd.DataFrame(new.drop(columns="geometry"))
        )
        assert old.crs == new.crs
        same = shapely.equals_exact(old.geometry.values, new.geometry.values, tolerance=1e-6)
        assert same.all(), f"{name}: {int((~same).sum())} geometries differ"
    with rasterio.open(SAMPLE_DIR / FLOOD_NAME) as a, rasterio.open(out / FLOOD_NAME) as b:
        assert a.profile == b.profile
        assert np.array_equal(a.read(1), b.read(1))


# --- validation of broken data ----------------------------------------------


def test_validate_layer_reports_every_problem_of_a_broken_copy(layers, catalog):
    broken = layers["communities"].drop(columns="name_th").copy()  # the one required field
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])
    broken.loc[3, "geometry"] = bowtie
    broken = gpd.GeoDataFrame(broken, geometry="geometry").set_crs(4326, allow_override=True)
    broken["households_total"] = broken["households_total"].astype(str)
    problems = validate_layer(broken, catalog["communities"], file="broken.gpkg")
    text = [str(p) for p in problems]
    assert any(p.field == "name_th" and "missing" in p.message_en for p in problems), text
    assert any(p.feature == 3 and "invalid" in p.message_en for p in problems), text
    assert any("EPSG:4326" in p.message_en for p in problems), text
    assert any(p.field == "households_total" for p in problems), text
    assert all(p.layer == "communities" and p.file == "broken.gpkg" for p in problems)
    assert all(p.message_th for p in problems)
