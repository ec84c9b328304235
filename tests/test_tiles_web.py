"""GET /tiles/<layer>/<z>/<x>/<y>.mvt on both stores: who may fetch which layer's tiles,
what a tile holds, ETag and gzip, the cache and its tag, and the map's listing."""

from __future__ import annotations

import gzip
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from app import create_app
from app.application import tiles as tile_service
from cases.privacy import personal_fields
from cases.store import CaseStore
from gis import tiles
from gis.catalog import load_catalog
from gis.store import open_store
from tests.conftest import DATABASE_URL, AuthActions, _drop_schema, _new_schema

HOUSES = tile_service.TILE_ABOVE_FEATURES + 2_000  # enough to be drawn from tiles
CENTRE = (670_000.0, 1_530_000.0)  # Bang Sue, in UTM 47N (EPSG:32647)


def _houses(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(15)
    x = CENTRE[0] + rng.normal(0, 1500, n)
    y = CENTRE[1] + rng.normal(0, 1500, n)
    return gpd.GeoDataFrame(
        {
            "structure_id": [f"S{i:05d}" for i in range(n)],
            "community_id": [f"C{i % 40:02d}" for i in range(n)],
            "household_no": np.arange(n),
            "agreed_to_move": rng.random(n) < 0.5,
            "encroachment": rng.choice(["canal", "setback", "none"], n),
        },
        geometry=shapely.box(x, y, x + 6, y + 9),
        crs="EPSG:32647",
    )


@pytest.fixture(scope="module")
def tiled_config(tmp_path_factory):
    """The sample with a dense `structures` layer (personal) of HOUSES houses."""
    from app.application.sample_loader import load_whole_sample

    schema = _new_schema()
    home = tmp_path_factory.mktemp("tiles")
    store = open_store(home, DATABASE_URL, schema=schema)
    case_store = CaseStore(home, DATABASE_URL, schema=schema)
    load_whole_sample(store, case_store, load_catalog(), demo_users=True)
    case_store.dispose()
    store.write("structures", _houses(HOUSES))
    yield {"PLANNER_HOME": str(home), "DATABASE_URL": DATABASE_URL, "DATABASE_SCHEMA": schema}
    _drop_schema(schema)


@pytest.fixture(scope="module")
def tiled_app(tiled_config):
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **tiled_config})


def _centre_tile(z: int) -> tuple[int, int]:
    centre = gpd.GeoSeries([shapely.Point(CENTRE)], crs="EPSG:32647").to_crs(tiles.TILE_CRS)
    p = centre.iloc[0]
    return tiles.tiles_covering((p.x, p.y, p.x, p.y), z)[0]


def _url(layer: str, z: int) -> str:
    x, y = _centre_tile(z)
    return f"/tiles/{layer}/{z}/{x}/{y}.mvt"


def _client(app, username: str | None):
    client = app.test_client()
    if username:
        response = AuthActions(client).login(username)
        assert response.status_code == 302, response.data
    return client


def _features(response, layer: str) -> list[dict]:
    data = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return tiles.decode(data).get(layer, {}).get("features", [])


@pytest.mark.parametrize("username", [None, "admin", "officer", "rep.cc01", "viewer"])
def test_tiles_obey_the_layer_access_rules_for_every_role(tiled_app, username):
    client = _client(tiled_app, username)
    public = client.get(_url("communities", 14))  # public: everyone, logged in or not
    assert public.status_code == 200
    assert public.headers["Cache-Control"] == "public, no-cache"
    houses = client.get(_url("structures", 17))  # personal: logged-in users only
    if username is None:
        assert houses.status_code == 401
        error = houses.get_json()["error"]
        assert "log in" in error["en"] and "เข้าสู่ระบบ" in error["th"]
        return
    assert houses.status_code == 200
    assert houses.headers["Cache-Control"] == "no-store"  # where households live
    features = _features(houses, "structures")
    assert features, "a tile at the houses' centre holds houses"
    for feature in features:
        # The one field the layer is coloured by; no personal field, for any role.
        assert set(feature["properties"]) == {"encroachment"}
        assert not personal_fields(feature["properties"])


def test_the_listing_offers_tiles_for_the_big_layer_only_to_those_allowed(tiled_app):
    anonymous = _client(tiled_app, None).get("/api/layers").get_json()["layers"]
    assert "structures" not in {m["name"] for m in anonymous}
    officer = _client(tiled_app, "officer").get("/api/layers").get_json()["layers"]
    by_name = {m["name"]: m for m in officer}
    houses = by_name["structures"]
    assert houses["feature_count"] == HOUSES
    assert houses["tiles"]["url"].startswith("/tiles/structures/{z}/{x}/{y}.mvt?v=")
    assert houses["tiles"]["fields"] == ["encroachment"]
    assert "tiles" not in by_name["communities"]  # small layers stay GeoJSON


def test_low_zooms_count_instead_of_drawing_and_every_tile_stays_small(tiled_app):
    client = _client(tiled_app, "officer")
    seen = {}
    for z in range(5, 19):
        response = client.get(_url("structures", z), headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200
        assert len(response.data) <= tiles.MAX_TILE_BYTES
        features = _features(response, "structures")
        kinds = {"count" in f["properties"] for f in features}
        assert len(kinds) == 1, f"zoom {z}: a tile is either counts or houses"
        seen[z] = (kinds.pop(), features)
    counted, features = seen[8]
    assert counted and sum(f["properties"]["count"] for f in features) == HOUSES
    assert seen[12][0] is True  # a 6 x 9 m house is under a pixel at zoom 12
    assert seen[17][0] is False  # and a shape at zoom 17
    assert all(f["geometry"]["type"] == "Polygon" for f in seen[17][1])


def test_etag_and_gzip(tiled_app):
    client = _client(tiled_app, "officer")
    url = _url("structures", 16)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert plain.mimetype == "application/vnd.mapbox-vector-tile"
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data)
    etag = plain.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data


def test_a_new_version_of_the_layer_changes_the_tag_and_the_tiles(tiled_config, tiled_app):
    store = open_store(
        tiled_config["PLANNER_HOME"], DATABASE_URL, schema=tiled_config["DATABASE_SCHEMA"]
    )
    client = _client(tiled_app, "officer")
    url = _url("structures", 17)
    before = client.get(url, headers={"Accept-Encoding": "identity"})
    houses = store.read("structures")
    houses["encroachment"] = "canal"
    store.write("structures", houses)
    after = client.get(url, headers={"Accept-Encoding": "identity"})
    assert after.headers["ETag"] != before.headers["ETag"]
    assert {f["properties"]["encroachment"] for f in _features(after, "structures")} == {"canal"}
    assert client.get(url, headers={"If-None-Match": before.headers["ETag"]}).status_code == 200


def test_build_tiles_makes_the_national_view_ahead_and_drops_old_tags(tiled_config):
    store = open_store(
        tiled_config["PLANNER_HOME"], DATABASE_URL, schema=tiled_config["DATABASE_SCHEMA"]
    )
    steps = []
    made = tile_service.build_tiles(
        store, "structures", fields=["encroachment"], max_zoom=8, progress=steps.append
    )
    assert made >= 9  # at least one tile a zoom
    assert steps and steps[-1] == 1.0
    tag = f"{store.layer_tag('structures')}:encroachment"
    assert store.tile_cache.count("structures", tag) >= made  # and the box index


@pytest.mark.parametrize(
    "path, status",
    [
        ("/tiles/structures/23/0/0.mvt", 400),
        ("/tiles/structures/3/8/0.mvt", 400),
        ("/tiles/structures/3/0/99999999999999999999.mvt", 404),  # bounded numbers
        ("/tiles/no_such_layer/3/0/0.mvt", 404),
        ("/tiles/flood_depth/3/0/0.mvt", 404),  # a raster
        ("/tiles/structures/-1/0/0.mvt", 404),  # not a tile address at all
    ],
)
def test_bad_tile_addresses_get_a_message_in_both_languages(tiled_app, path, status):
    response = _client(tiled_app, "officer").get(path)
    assert response.status_code == status
    if status == 400:
        error = response.get_json()["error"]
        assert "tile" in error["en"] or "zoom" in error["en"]
        assert "ไทล์" in error["th"] or "ซูม" in error["th"]


def _tiled_features(page) -> list[dict]:
    """What MapLibre draws of `structures` in the view now (after its tiles have loaded)."""
    page.wait_for_function(
        """() => { const e = plannerMap.state.entries.get("structures");
                   const gl = e && e.layer.plannerGL && e.layer.plannerGL.getMaplibreMap();
                   return gl && gl.loaded() && gl.areTilesLoaded() && !plannerMap.map._animatingZoom; }""",
        timeout=30_000,
    )
    page.wait_for_timeout(300)  # the binding follows Leaflet's view on a 32 ms throttle
    return page.evaluate(
        """() => plannerMap.state.entries.get("structures").layer.plannerGL.getMaplibreMap()
                 .queryRenderedFeatures().filter((f) => f.sourceLayer === "structures")
                 .map((f) => ({ type: f.geometry.type, props: f.properties }))"""
    )


def test_a_dense_layer_pans_and_zooms_from_tiles_in_chromium(tiled_config, browser, output_dir):
    from tests.conftest import serve

    houses = gpd.GeoSeries([shapely.Point(CENTRE)], crs="EPSG:32647").to_crs(4326).iloc[0]
    errors: list[str] = []
    with serve(create_app({"TESTING": True, **tiled_config})) as base:
        context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="th-TH")
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/auth/login")
        page.fill("#username", "officer")
        page.fill("#password", AuthActions.passwords["officer"])
        page.click("form button[type=submit]")
        page.goto(f"{base}/")
        page.wait_for_selector('body[data-tiles-state="ready"]', timeout=60_000)
        drawn = {}
        for z in (8, 12, 17):
            page.evaluate(
                "([lat, lon, z]) => plannerMap.map.setView([lat, lon], z, { animate: false })",
                [houses.y, houses.x, z],
            )
            drawn[z] = _tiled_features(page)
            page.screenshot(path=str(output_dir / f"tiles-z{z}.png"))
        # Counts far out, houses coloured by encroachment close in; no field beyond that.
        assert drawn[8] and all("count" in f["props"] for f in drawn[8])
        assert drawn[12] and all("count" in f["props"] for f in drawn[12])
        assert drawn[17] and {f["type"] for f in drawn[17]} <= {"Polygon", "MultiPolygon"}
        assert {k for f in drawn[17] for k in f["props"]} == {"encroachment"}
        # A pan at zoom 17 draws the houses there.
        page.evaluate("() => plannerMap.map.panBy([300, 200], { animate: false })")
        assert _tiled_features(page)
        # A click on a house opens its pop-up, read from the layer's API.
        page.evaluate(
            "([lat, lon]) => plannerMap.map.setView([lat, lon], 18, { animate: false })",
            [houses.y, houses.x],
        )
        box = page.evaluate(
            """() => { const map = plannerMap.map;
                       const gl = plannerMap.state.entries.get("structures").layer.plannerGL
                         .getMaplibreMap();
                       const size = map.getSize();
                       const points = gl.queryRenderedFeatures()
                         .filter((f) => f.sourceLayer === "structures" && f.geometry.type === "Polygon")
                         .map((f) => { const c = f.geometry.coordinates[0];
                                       const lon = c.reduce((s, p) => s + p[0], 0) / c.length;
                                       const lat = c.reduce((s, p) => s + p[1], 0) / c.length;
                                       return map.latLngToContainerPoint([lat, lon]); });
                       // The house nearest the middle: clear of the layer list and legend.
                       const mid = L.point(size.x / 2, size.y / 2);
                       points.sort((a, b) => a.distanceTo(mid) - b.distanceTo(mid));
                       const r = map.getContainer().getBoundingClientRect();
                       return [r.left + points[0].x, r.top + points[0].y]; }"""
        )
        page.mouse.click(*box)
        popup = page.wait_for_selector(".leaflet-popup .popup-structures", timeout=10_000)
        text = popup.inner_text()
        assert re.search(r"S\d{5}", text), text  # the structure's id, e.g. S01234
        context.close()
    assert errors == [], errors


def test_importing_a_large_layer_makes_its_tiles_in_a_background_job(writable_config, tmp_path):
    import io
    import time

    import pyogrio

    app = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "JOBS_WORKER": True, **writable_config}
    )
    try:
        client = _client(app, "officer")
        path = tmp_path / "structures.gpkg"
        pyogrio.write_dataframe(_houses(HOUSES), path, layer="structures")
        data = {"file": (io.BytesIO(path.read_bytes()), path.name), "layer": "structures"}
        res = client.post("/api/imports", data=data, content_type="multipart/form-data")
        assert res.status_code in (200, 201), res.get_data(as_text=True)[:400]
        listed = client.get("/api/jobs").get_json()["jobs"]
        job = next(j for j in listed if j["kind"] == "tiles_build")
        deadline = time.monotonic() + 120
        while job["status"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.2)
            job = client.get(f"/api/jobs/{job['id']}").get_json()
        assert job["status"] == "done", job
        store = open_store(
            writable_config["PLANNER_HOME"], DATABASE_URL, schema=writable_config["DATABASE_SCHEMA"]
        )
        tag = f"{store.layer_tag('structures')}:encroachment"
        assert store.tile_cache.count("structures", tag) > 10  # the index and the tiles
        # A viewer may not start one (staff only); the refusal says so in both languages.
        viewer = _client(app, "viewer")
        res = viewer.post(
            "/api/jobs", json={"kind": "tiles_build", "params": {"layer": "structures"}}
        )
        assert res.status_code == 403
    finally:
        queue = app.extensions["planner"].get("job_queue")
        if queue is not None:
            queue.stop()
