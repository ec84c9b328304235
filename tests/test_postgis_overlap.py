"""The in-database checks (gis.postgis_overlap) give the same answers as the
in-process ones (gis.overlap, gis.hazard) on the shipped sample.

These need PostGIS even when the layer store under test is the embedded one: they
use DATABASE_URL if set, else PLANNER_POSTGIS_TEST_URL, else the CI database
`planner_test` over the local socket (`.ci/run` creates it). They are skipped only
when no PostGIS database can be reached, and say so.
"""

from __future__ import annotations

import os
import uuid

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from shapely import affinity

from gis import overlap
from gis.errors import ValidationError
from gis.layers import load_sample
from gis.postgis_overlap import (
    area_by_category_sql,
    constraint_status_sql,
    nearest_disasters_sql,
)
from gis.store import GeoPackageStore, open_store

DATABASE_URL = (
    os.environ.get("DATABASE_URL")
    or os.environ.get("PLANNER_POSTGIS_TEST_URL")
    or "postgresql:///planner_test?host=/var/run/postgresql"
)


def _postgis_reachable(url: str) -> bool:
    from gis.postgis_store import _engine_url

    try:
        engine = sa.create_engine(_engine_url(url))
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT PostGIS_Version()"))
        engine.dispose()
        return True
    except Exception:
        return False


pytestmark = pytest.mark.skipif(
    not _postgis_reachable(DATABASE_URL), reason=f"no PostGIS database at {DATABASE_URL}"
)

RTOL = 1e-6
ATOL = 1e-6  # m², for tiny areas


@pytest.fixture(scope="module")
def store(tmp_path_factory, catalog):
    """A fresh PostGIS store (own schema) loaded with the sample; dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    store = open_store(tmp_path_factory.mktemp("pgo-instance"), DATABASE_URL, schema=schema)
    load_sample(store, catalog)
    yield store
    with store.engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{store.schema}" CASCADE'))
    store.engine.dispose()


@pytest.fixture(scope="module")
def layers(store):
    """The sample layers as read into Python, for the in-process twins."""
    names = ("communities", "zoning", "tenure_parcels", "canal_setback", "structures")
    return {name: store.read(name) for name in names + ("disaster_sites",)}


@pytest.fixture(scope="module")
def rectangles(layers):
    """200 random (partly rotated) rectangles near the canal, plus one two-part site,
    with integer ids and a shuffled index."""
    rng = np.random.default_rng(20240611)
    parts = layers["canal_setback"].geometry.to_numpy()
    geoms = []
    for _ in range(200):
        part = parts[rng.integers(len(parts))]
        # A point on the part's boundary or inside it, then pushed sideways.
        ring = shapely.get_exterior_ring(shapely.get_geometry(part, 0))
        anchor = ring.interpolate(rng.uniform(0, ring.length))
        x = anchor.x + rng.uniform(-20, 20)
        y = anchor.y + rng.uniform(-20, 20)
        w, h = rng.uniform(1.0, 30.0, size=2)
        box = shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        if rng.random() < 0.5:
            box = affinity.rotate(box, rng.uniform(0, 90), origin="centroid")
        geoms.append(box)
    # Small squares across segment joints: inside the union of two parts, but
    # covered by neither alone.
    for i in range(0, len(parts) - 1, 20):
        joint = shapely.intersection(parts[i], parts[i + 1])
        for piece in shapely.get_parts(joint):
            if piece.geom_type == "LineString":
                mid = piece.interpolate(0.5, normalized=True)
                geoms.append(shapely.box(mid.x - 1, mid.y - 1, mid.x + 1, mid.y + 1))
    # Small squares well inside one part: covered whole (the fast path).
    for i in range(5, len(parts), 40):
        for strip in shapely.get_parts(parts[i]):
            mid = shapely.point_on_surface(strip)
            geoms.append(shapely.box(mid.x - 0.5, mid.y - 0.5, mid.x + 0.5, mid.y + 0.5))
    geoms.append(shapely.union(geoms[0], affinity.translate(geoms[1], 500, 500)))
    n = len(geoms)
    frame = gpd.GeoDataFrame(
        {"rect_id": np.arange(1000, 1000 + n)},
        geometry=geoms,
        crs="EPSG:32647",
        index=pd.Index(rng.permutation(n) + 5000, name="row"),
    )
    assert frame.is_valid.all()
    return frame


def assert_same_areas(sql: pd.DataFrame, py: pd.DataFrame, by: str) -> None:
    assert list(sql.columns) == ["site_id", by, "area_m2", "share"] == list(py.columns)
    assert len(sql) == len(py) > 0
    assert sql["site_id"].tolist() == py["site_id"].tolist()
    assert sql[by].tolist() == py[by].tolist()
    np.testing.assert_allclose(sql["area_m2"], py["area_m2"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(sql["share"], py["share"], rtol=RTOL, atol=ATOL)
    assert sql.attrs["site_area_m2"].keys() == py.attrs["site_area_m2"].keys()
    np.testing.assert_allclose(
        list(sql.attrs["site_area_m2"].values()),
        list(py.attrs["site_area_m2"].values()),
        rtol=RTOL,
        atol=ATOL,
    )


def assert_same_status(sql: pd.DataFrame, py: pd.DataFrame) -> None:
    assert list(sql.columns) == list(py.columns)
    assert len(sql) == len(py) > 0
    assert sql["site_id"].tolist() == py["site_id"].tolist()
    for column in ("site_area_m2", "inside_area_m2", "inside_share"):
        np.testing.assert_allclose(sql[column], py[column], rtol=RTOL, atol=ATOL)
    assert sql["status"].dtype == py["status"].dtype
    assert sql["status"].tolist() == py["status"].tolist()
    # The same parts; gis.overlap lists them in its search tree's order, the
    # database in the layer's row order.
    assert [set(p.split(",")) for p in sql["parts"]] == [set(p.split(",")) for p in py["parts"]]


# ------------------------------------------------------------------ area by category


@pytest.mark.parametrize(
    ("layer", "by"), [("zoning", "zone_code"), ("tenure_parcels", "owner_class")]
)
def test_communities_by_category_match_in_process(store, layers, layer, by):
    sql = area_by_category_sql(store, "communities", layer, by, site_id="community_id")
    py = overlap.area_by_category(layers["communities"], layers[layer], by, site_id="community_id")
    assert_same_areas(sql, py, by)
    assert sql[by].nunique() > 1


@pytest.mark.parametrize(
    ("layer", "by"), [("zoning", "zone_code"), ("tenure_parcels", "owner_class")]
)
def test_uploaded_sites_by_category_match_in_process(store, layers, rectangles, layer, by):
    sql = area_by_category_sql(store, rectangles, layer, by, site_id="rect_id")
    py = overlap.area_by_category(rectangles, layers[layer], by, site_id="rect_id")
    assert_same_areas(sql, py, by)
    assert sql["site_id"].dtype == py["site_id"].dtype


def test_uploaded_sites_by_index(store, layers, rectangles):
    sql = area_by_category_sql(store, rectangles, "zoning", "zone_code", site_id=None)
    py = overlap.area_by_category(rectangles, layers["zoning"], "zone_code")
    assert_same_areas(sql, py, "zone_code")


def test_sites_that_meet_nothing(store):
    far = gpd.GeoDataFrame(
        {"site_id": ["far"]}, geometry=[shapely.box(0, 0, 10, 10)], crs="EPSG:32647"
    )
    out = area_by_category_sql(store, far, "zoning", "zone_code")
    assert list(out.columns) == ["site_id", "zone_code", "area_m2", "share"]
    assert out.empty
    assert out.attrs["site_area_m2"] == {"far": pytest.approx(100.0)}
    status = constraint_status_sql(store, far, "canal_setback")
    assert status["status"].tolist() == ["outside"]
    assert status["parts"].tolist() == [""]
    assert status["inside_area_m2"].tolist() == [0.0]


# ------------------------------------------------------------------ constraint status


def test_communities_in_setback_match_in_process(store, layers):
    sql = constraint_status_sql(
        store, "communities", "canal_setback", site_id="community_id", part_id="segment_no"
    )
    py = overlap.constraint_status(
        layers["communities"],
        layers["canal_setback"],
        site_id="community_id",
        part_id="segment_no",
    )
    assert_same_status(sql, py)


def test_structures_in_setback_match_in_process(store, layers):
    sql = constraint_status_sql(
        store, "structures", "canal_setback", site_id="structure_id", part_id="segment_no"
    )
    py = overlap.constraint_status(
        layers["structures"],
        layers["canal_setback"],
        site_id="structure_id",
        part_id="segment_no",
    )
    assert len(sql) == len(layers["structures"]) == 6386
    assert_same_status(sql, py)
    assert set(sql["status"]) == {"inside", "partly_inside", "outside"}
    assert sql["parts"].str.contains(",").any()  # sites across a segment joint


def test_uploaded_sites_in_setback_match_in_process(store, layers, rectangles):
    for part_id in ("segment_no", None):
        sql = constraint_status_sql(
            store, rectangles, "canal_setback", site_id="rect_id", part_id=part_id
        )
        py = overlap.constraint_status(
            rectangles, layers["canal_setback"], site_id="rect_id", part_id=part_id
        )
        assert_same_status(sql, py)
    fids = [[int(f) for f in p.split(",")] for p in sql["parts"] if p]
    assert all(f == sorted(f) for f in fids)  # part_id=None: row numbers, in row order
    assert set(sql["status"]) == {"inside", "partly_inside", "outside"}
    # Inside through the union of two parts (no single part covers the site).
    straddling = (sql["status"] == "inside") & sql["parts"].str.contains(",")
    assert straddling.sum() >= 10


def test_uploads_never_touch_the_store_schema(store, rectangles):
    def tables():
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                {"s": store.schema},
            )
            return sorted(r[0] for r in rows)

    before = tables()
    constraint_status_sql(store, rectangles, "canal_setback", site_id="rect_id")
    assert tables() == before
    with store.engine.connect() as conn:
        left = conn.execute(
            sa.text("SELECT count(*) FROM pg_class WHERE relname LIKE '\\_pgo\\_%'")
        ).scalar()
    assert left == 0


# ------------------------------------------------------------------ nearest disasters


def assert_same_nearest(sql: pd.DataFrame, py: pd.DataFrame, disasters, sites, id_field) -> None:
    assert list(sql.columns) == list(py.columns)
    assert sql.index.equals(py.index)
    assert sql["site_id"].tolist() == py["site_id"].tolist()
    np.testing.assert_allclose(sql["nearest_distance_m"], py["nearest_distance_m"], rtol=RTOL)
    assert sql["count_within"].tolist() == py["count_within"].tolist()
    # Equidistant disasters may be picked differently; the pick must be one of them.
    points = disasters.geometry.to_numpy()
    ids = disasters[id_field].to_numpy() if id_field else disasters.index.to_numpy()
    for geom, s, p, d in zip(
        sites.geometry, sql["nearest_id"], py["nearest_id"], sql["nearest_distance_m"], strict=True
    ):
        if s != p:
            tied = ids[np.isclose(shapely.distance(points, geom), d, rtol=RTOL, atol=1e-9)]
            assert s in tied and p in tied
    same = sql["nearest_id"] == py["nearest_id"]
    assert same.mean() > 0.5
    for column in ("nearest_kind", "nearest_date"):
        assert sql.loc[same, column].tolist() == py.loc[same, column].tolist()


def test_nearest_disasters_match_in_process(store, layers, rectangles):
    from gis import hazard

    disasters = layers["disaster_sites"]
    cases = [
        ("communities", layers["communities"], "community_id", "site_id", 200.0),
        ("communities", layers["communities"], "community_id", None, 1000.0),
        (rectangles, rectangles, "rect_id", "site_id", 500.0),
    ]
    for sites, frame, site_id, disaster_id, radius in cases:
        sql = nearest_disasters_sql(
            store,
            sites,
            "disaster_sites",
            radius=radius,
            site_id=site_id,
            disaster_id=disaster_id,
        )
        py = hazard.nearest_disasters(
            frame, disasters, radius=radius, site_id=site_id, disaster_id=disaster_id
        )
        assert_same_nearest(sql, py, disasters, frame, disaster_id)
        assert sql["count_within"].sum() > 0


def test_nearest_is_exact_for_long_diagonal_sites(store, layers):
    """A long thin diagonal site: its box is near many points it is far from."""
    disasters = layers["disaster_sites"]
    (x0, y0), (x1, y1) = (
        disasters.geometry.iloc[0].coords[0],
        disasters.geometry.iloc[-1].coords[0],
    )
    line = shapely.LineString([(x0 + 300, y0 - 300), (x1 + 300, y1 - 300)])
    sites = gpd.GeoDataFrame(
        {"site_id": ["diag", "thin"]},
        geometry=[line.buffer(2, cap_style="flat"), affinity.rotate(line, 3).buffer(1)],
        crs="EPSG:32647",
    )
    out = nearest_disasters_sql(store, sites, "disaster_sites", radius=0)
    points = disasters.geometry.to_numpy()
    for geom, nearest, dist in zip(
        sites.geometry, out["nearest_id"], out["nearest_distance_m"], strict=True
    ):
        true = shapely.distance(points, geom)
        assert dist == pytest.approx(true.min(), rel=RTOL)
        assert true[nearest] == pytest.approx(true.min(), rel=RTOL)
    assert out["count_within"].tolist() == [
        int((shapely.distance(points, g) <= 0).sum()) for g in sites.geometry
    ]


# ------------------------------------------------------------------ validation


def test_every_problem_is_reported_at_once(store):
    with pytest.raises(ValidationError) as caught:
        area_by_category_sql(store, "communities", "no_such_layer", "zone_code", site_id="nope")
    problems = caught.value.problems
    assert len(problems) == 2
    assert {(p.layer, p.field) for p in problems} == {
        ("no_such_layer", None),
        ("communities", "nope"),
    }

    with pytest.raises(ValidationError) as caught:
        area_by_category_sql(store, "no_such_sites", "zoning", "no_such_field")
    assert {(p.layer, p.field) for p in caught.value.problems} == {
        ("no_such_sites", None),
        ("zoning", "no_such_field"),
    }

    with pytest.raises(ValidationError) as caught:
        constraint_status_sql(
            store, "structures", "canal_setback", site_id="structure_no", part_id="segment"
        )
    assert {p.field for p in caught.value.problems} == {"structure_no", "segment"}

    with pytest.raises(ValidationError) as caught:
        nearest_disasters_sql(
            store, "communities", "zoning", site_id="community_id", kind_field="nope", radius=-1
        )
    text = str(caught.value)
    assert "radius" in text and "'nope'" in text and "point" in text


def test_bad_uploaded_sites_are_reported(store):
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    frame = gpd.GeoDataFrame(
        {"site_id": ["a", "b", "c"]},
        geometry=[bowtie, shapely.Point(1, 1), None],
        crs="EPSG:4326",
    )
    with pytest.raises(ValidationError) as caught:
        constraint_status_sql(store, frame, "canal_setback", site_id="site_id")
    problems = caught.value.problems
    assert sorted(p.field for p in problems) == ["crs", "geometry", "geometry", "geometry"]
    assert any("invalid" in p.message_en for p in problems)
    assert any("EPSG:32647" in p.message_en for p in problems)

    with pytest.raises(ValidationError, match="layer name or a GeoDataFrame"):
        area_by_category_sql(store, 42, "zoning", "zone_code")
    with pytest.raises(ValidationError, match="not a layer name"):
        area_by_category_sql(store, "communities", "Bad Name;", "zone_code")


def test_needs_a_postgis_store(tmp_path):
    with pytest.raises(ValidationError, match="PostGIS"):
        area_by_category_sql(GeoPackageStore(tmp_path), "communities", "zoning", "zone_code")


def test_the_whole_check_in_the_database_equals_the_in_process_one(store, catalog):
    """`run_checks` on a PostGIS store computes zoning, tenure, setback and disasters
    by SQL on the stored layers; the summary and verdicts equal the in-process run."""
    from gis.check import CHECKS, inputs_from_store, run_checks, sites_bbox, sites_from_store
    from gis.rules import load_rules

    sites, info = sites_from_store(store, "communities")
    in_db = inputs_from_store(store, list(CHECKS), catalog=catalog, bbox=sites_bbox(sites))
    assert in_db.in_database == {"zoning", "tenure", "setback", "disasters"}
    local = inputs_from_store(store, list(CHECKS), catalog=catalog, in_database=False)
    a = run_checks(sites, in_db, rules=load_rules(), site_name="site_name", sites_info=info)
    b = run_checks(sites, local, rules=load_rules(), site_name="site_name", sites_info=info)
    assert a.provenance["inputs"]["zoning"]["computed_in"].startswith("PostGIS")
    assert list(a.verdicts["verdict"]) == list(b.verdicts["verdict"])
    x, y = a.summary, b.summary
    for column in x.columns:
        if column.startswith("nearest_disaster") and column != "nearest_disaster_m":
            continue  # ties between equally near points may pick either
        if x[column].dtype.kind == "f":
            assert np.allclose(x[column], y[column], rtol=RTOL, atol=ATOL, equal_nan=True), column
        elif not column.startswith("reasons"):
            assert x[column].astype(str).tolist() == y[column].astype(str).tolist(), column
