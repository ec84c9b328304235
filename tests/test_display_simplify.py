"""Layers simplified for display (`GET /api/layers/<name>?simplify=<metres>`, issue 13 item 8).

The districts are 2.2 MB of GeoJSON at full detail; the map asks for the detail its zoom can
show. Only geometry changes: the properties, and the access rules that remove some of them,
are those of the full layer.
"""

from __future__ import annotations

import gzip

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from gis.layers import (
    display_decimals,
    simplify_for_display,
    snap_tolerance,
    worth_simplifying,
)


def _wiggly(x0: float, x1: float, y0: float, y1: float, step: float = 1.0) -> Polygon:
    """A box whose top edge zigzags by 0.3 m every metre (many vertices, little shape)."""
    top = [(x0 + i * step, y1 + (0.3 if i % 2 else 0.0)) for i in range(int((x1 - x0) / step) + 1)]
    return Polygon([(x0, y0), (x1, y0), *reversed(top)])


def _coords(geoms) -> int:
    return int(shapely.get_num_coordinates(geoms).sum())


def test_tolerances_snap_down_to_a_few_steps():
    assert snap_tolerance(0.4) is None
    assert snap_tolerance(1) == 1
    assert snap_tolerance(23.9) == 20
    assert snap_tolerance(10_000) == 500
    assert display_decimals(None) == 7
    assert display_decimals(2) == 6
    assert display_decimals(20) == 5


def test_neighbours_keep_one_shared_edge_and_no_feature_is_lost():
    # Two neighbours sharing a zigzag edge, and a tiny third one.
    edge = [(100 + (0.4 if i % 2 else 0), i) for i in range(101)]
    left = Polygon([(0, 0), *edge, (0, 100)])
    right = Polygon([*edge, (200, 100), (200, 0)])
    tiny = box(300, 300, 300.5, 300.5)
    gdf = gpd.GeoDataFrame(
        {"name": ["a", "b", "c"]}, geometry=[left, right, tiny], crs="EPSG:32647"
    )
    assert shapely.coverage_is_valid(gdf.geometry.values)
    out = simplify_for_display(gdf, 5)
    assert list(out["name"]) == ["a", "b", "c"] and out.crs == gdf.crs
    assert _coords(out.geometry.values) < _coords(gdf.geometry.values) / 5
    assert out.geometry.is_valid.all() and not out.geometry.is_empty.any()
    # Still a coverage: no gap or overlap opened between the neighbours.
    assert shapely.coverage_is_valid(out.geometry.values)
    assert out.geometry.iloc[0].intersection(out.geometry.iloc[1]).area == pytest.approx(
        0, abs=1e-6
    )
    assert out.geometry.union_all().area == pytest.approx(gdf.geometry.union_all().area, rel=0.01)
    assert gdf.geometry.iloc[0].equals(left), "the input was changed"


def test_overlapping_polygons_are_simplified_one_by_one_and_stay_valid():
    a, b = _wiggly(0, 200, 0, 50), _wiggly(100, 300, 20, 70)
    gdf = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[a, b], crs="EPSG:32647")
    out = simplify_for_display(gdf, 2)
    assert _coords(out.geometry.values) < _coords(gdf.geometry.values) / 10
    assert out.geometry.is_valid.all()


def test_only_detailed_lines_and_polygons_are_worth_simplifying():
    points = gpd.GeoDataFrame(geometry=[Point(0, 0)] * 100, crs="EPSG:32647")
    houses = gpd.GeoDataFrame(
        geometry=[box(i, 0, i + 0.5, 0.5) for i in range(100)], crs="EPSG:32647"
    )
    districts = gpd.GeoDataFrame(geometry=[_wiggly(0, 200, 0, 50)], crs="EPSG:32647")
    assert not worth_simplifying(points)
    assert not worth_simplifying(houses)
    assert worth_simplifying(districts)
    assert not worth_simplifying(districts.iloc[:0])


def test_a_geographic_layer_takes_metres_as_degrees_of_latitude():
    wiggly = shapely.affinity.scale(_wiggly(0, 2000, 0, 500, step=10), 1e-5, 1e-5, origin=(0, 0))
    gdf = gpd.GeoDataFrame(
        geometry=[shapely.affinity.translate(wiggly, 100.5, 13.8)], crs="EPSG:4326"
    )
    # The zigzag is 3e-6 degrees (~0.3 m): 5 m flattens it, and keeps the 2 km box.
    out = simplify_for_display(gdf, 5).geometry.iloc[0]
    assert _coords(out) < 30  # of 205
    assert out.area == pytest.approx(gdf.geometry.iloc[0].area, rel=0.01)


# ---------------------------------------------------------------- over HTTP


def _props(response) -> list[dict]:
    return [f["properties"] for f in response.get_json()["features"]]


def test_districts_simplified_for_a_zoom(client):
    full = client.get("/api/layers/districts")
    simple = client.get("/api/layers/districts?simplify=23")
    assert simple.status_code == 200 and simple.mimetype == "application/geo+json"
    assert simple.headers["X-Simplified-Metres"] == "20"
    assert full.headers["X-Simplified-Metres"] == "0"
    assert len(simple.data) < len(full.data) / 10
    # The same districts, with the same properties (the pop-ups), in valid shapes.
    assert _props(simple) == _props(full)
    shapes = gpd.GeoDataFrame.from_features(simple.get_json()["features"], crs="EPSG:4326")
    assert shapes.is_valid.all() and not shapes.is_empty.any()
    # Coordinates at 5 decimals (about a metre) at this tolerance.
    lon = simple.get_json()["features"][0]["geometry"]["coordinates"][0][0][0]
    assert round(lon, 5) == lon
    # Cached by tolerance: 23 m and 20 m are the same answer, with a tag of its own.
    assert simple.headers["ETag"] != full.headers["ETag"]
    again = client.get("/api/layers/districts?simplify=20")
    assert again.headers["ETag"] == simple.headers["ETag"] and again.data == simple.data
    assert (
        client.get(
            "/api/layers/districts?simplify=20", headers={"If-None-Match": simple.headers["ETag"]}
        ).status_code
        == 304
    )
    # Below a metre: full detail, the same answer as without the parameter.
    fine = client.get("/api/layers/districts?simplify=0.5")
    assert fine.headers["ETag"] == full.headers["ETag"]
    assert fine.headers["X-Simplified-Metres"] == "0"


def test_gzipped_simplified_districts_are_small(client):
    response = client.get("/api/layers/districts?simplify=20", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.data) < 60_000  # 596 KB at full detail


def test_static_text_is_gzipped_with_its_own_etag(client):
    """Leaflet and our scripts and styles: gzipped when the browser takes it (app/compress.py)."""
    url = "/static/vendor/leaflet/leaflet.js"
    plain = client.get(url)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["Cache-Control"] == plain.headers["Cache-Control"]
    assert gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 2
    # Each form has its own ETag, and each is answered with 304 when the browser has it.
    assert packed.headers["ETag"] != plain.headers["ETag"]
    for response, accept in ((packed, "gzip"), (plain, "identity")):
        again = client.get(
            url, headers={"Accept-Encoding": accept, "If-None-Match": response.headers["ETag"]}
        )
        assert again.status_code == 304 and again.data == b"", accept
        assert again.headers["ETag"] == response.headers["ETag"]
    # The cached gzip is served again, the same bytes.
    assert client.get(url, headers={"Accept-Encoding": "gzip"}).data == packed.data
    # A style sheet too; rendered pages and small files are left as they are.
    css = client.get("/static/vendor/leaflet/leaflet.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers


def test_plain_layers_are_served_whole(client):
    full = client.get("/api/layers/communities")
    asked = client.get("/api/layers/communities?simplify=50")
    assert asked.headers["X-Simplified-Metres"] == "0"
    assert asked.headers["ETag"] == full.headers["ETag"] and asked.data == full.data


@pytest.mark.parametrize("value", ["-1", "abc", "nan", "inf"])
def test_a_bad_tolerance_is_a_clear_400(client, value):
    response = client.get(f"/api/layers/districts?simplify={value}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "simplify" in error["en"] and error["th"]


def test_simplified_with_a_bbox(client):
    bbox = "100.50,13.75,100.60,13.85"
    some = client.get(f"/api/layers/districts?bbox={bbox}")
    simple = client.get(f"/api/layers/districts?bbox={bbox}&simplify=50")
    assert simple.headers["X-Simplified-Metres"] == "50"
    assert _props(simple) == _props(some) and len(_props(some)) > 0
    assert len(simple.data) < len(some.data) / 10


@pytest.fixture
def structures_detailed(app, monkeypatch):
    """Pretend the house outlines are worth simplifying (they are not: 5 corners each)."""
    monkeypatch.setattr("app.api.worth_simplifying", lambda gdf: True)

    def forget():
        cache = app.extensions["planner"]["cache"]
        for key in [k for k in cache if "structures" in k]:
            del cache[key]

    forget()
    yield
    forget()


def test_simplifying_keeps_hidden_fields_hidden(client, auth, structures_detailed):
    auth.login("viewer")
    viewer_full = client.get("/api/layers/structures")
    viewer = client.get("/api/layers/structures?simplify=1")
    assert viewer.headers["X-Simplified-Metres"] == "1"
    assert _props(viewer) == _props(viewer_full)
    assert not {"household_no", "agreed_to_move", "structure_id"} & set(_props(viewer)[0])
    auth.login("officer")
    officer = client.get("/api/layers/structures?simplify=1")
    assert {"household_no", "agreed_to_move"} <= set(_props(officer)[0])
    assert officer.headers["ETag"] != viewer.headers["ETag"]
    assert officer.headers["Cache-Control"] == "no-store"
    # The viewer's simplified copy is not the officer's.
    stale = client.get(
        "/api/layers/structures?simplify=1", headers={"If-None-Match": viewer.headers["ETag"]}
    )
    assert stale.status_code == 200
    auth.logout()
    assert client.get("/api/layers/structures?simplify=1").status_code in (401, 403)
