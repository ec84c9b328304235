"""Issue 15: vector tiles of a 300,000-structure layer, and the first map page.

- tiles_cold_p95_<store> / tiles_warm_p95_<store>: `GET /tiles/structures/z/x/y.mvt`
  through the app (a logged-in officer), over tiles at zooms 6 to 18 that hold
  houses. Cold: the tile cache is empty (the layer's box index is made, as after a
  write and `build_tiles`); warm: the same tiles again, from the cache. Every tile's
  size is checked against 100 KB. Anchor: the GeoJSON of the same detail tiles
  (zooms 15 to 18) from `GET /api/layers/structures?bbox=…`, what the map fetched
  before tiles. Targets: p95 <= 150 ms cold, <= 50 ms warm, no tile over 100 KB.
- tiles_first_map_page_<store>: the bytes (gzipped, as sent) of the first map page in
  headless Chromium until every layer is drawn, against the folium map of the same
  layers embedded as GeoJSON (gzipped). Target: at most 1 MB.

The store: `planner sample --national` (300,000 structures, 50,000 tenure parcels,
2,000 communities; 2,000 cases and 300,000 households).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from run import entry

from app import create_app
from app.application import tiles as tile_service
from cases.sample import DEMO_USERS
from gis import tiles

ZOOMS = range(6, 19)
PER_ZOOM = 12
MAX_PAGE_BYTES = 1_000_000
PASSWORD = {u: p for u, p, _, _ in DEMO_USERS}


def _p95(values) -> float:
    return float(np.percentile(np.asarray(values), 95))


def prepare(home: Path, url: str | None, schema: str | None) -> None:
    """The national store (`planner sample --national`, its tiles prebuilt), demo logins."""
    from app.application.national_sample import load_national_sample
    from app.application.sample_loader import add_demo_logins
    from cases.store import CaseStore
    from gis.catalog import load_catalog
    from gis.store import open_store

    store = open_store(home, url, schema=schema)
    case_store = CaseStore(home, url, schema=schema)
    result = load_national_sample(store, case_store, load_catalog())
    add_demo_logins(case_store, rep_community=result["first_community"])
    case_store.dispose()


def _tile_addresses(store) -> list[tuple[int, int, int]]:
    """PER_ZOOM tiles at each zoom, each round a house picked at random."""
    index = tile_service.box_index(store, "structures", store.layer_tag("structures"))
    rng = np.random.default_rng(15)
    out = []
    for z in ZOOMS:
        for i in rng.integers(0, len(index), PER_ZOOM):
            b = index.boxes[i]
            cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
            x, y = tiles.tiles_covering((cx, cy, cx, cy), z)[0]
            out.append((z, x, y))
    return out


def _login(client) -> None:
    response = client.post(
        "/auth/login", data={"username": "officer", "password": PASSWORD["officer"]}
    )
    assert response.status_code == 302, response.status_code


def _time(client, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    return seconds, len(response.data)


def measure_tiles(label: str, config: dict) -> list[dict]:
    from gis.store import open_store

    store = open_store(
        config["PLANNER_HOME"], config["DATABASE_URL"], schema=config["DATABASE_SCHEMA"]
    )
    store.tile_cache.clear("structures")  # every tile cold
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **config})
    client = app.test_client()
    _login(client)
    addresses = _tile_addresses(store)
    cold, warm, sizes = [], [], []
    for z, x, y in addresses:
        seconds, _ = _time(client, f"/tiles/structures/{z}/{x}/{y}.mvt")
        cold.append(seconds)
        plain = client.get(
            f"/tiles/structures/{z}/{x}/{y}.mvt", headers={"Accept-Encoding": "identity"}
        )
        sizes.append(len(plain.data))
    for z, x, y in addresses:
        warm.append(_time(client, f"/tiles/structures/{z}/{x}/{y}.mvt")[0])
    anchor = []
    for z, x, y in addresses:
        if z < 15:
            continue
        minx, miny, maxx, maxy = tiles.search_box(z, x, y, "EPSG:4326")
        anchor.append(_time(client, f"/api/layers/structures?bbox={minx},{miny},{maxx},{maxy}")[0])
    extra = {
        "tiles": len(addresses),
        "zooms": f"{min(ZOOMS)}-{max(ZOOMS)}",
        "max_tile_bytes": max(sizes),
        "tiles_over_100kb": sum(s > tiles.MAX_TILE_BYTES for s in sizes),
        "p50_s": round(statistics.median(cold), 4),
    }
    small = extra["tiles_over_100kb"] == 0
    anchor_name = "GeoJSON of the same detail tiles via /api/layers?bbox (p95)"
    cold_entry = entry(
        f"tiles_cold_p95_{label}",
        _p95(cold),
        anchor_name,
        _p95(anchor),
        "p95 <= 0.150 s, every tile <= 100 KB",
        **extra,
    )
    cold_entry["met"] = cold_entry["ours_s"] <= 0.150 and small
    extra["p50_s"] = round(statistics.median(warm), 4)
    warm_entry = entry(
        f"tiles_warm_p95_{label}",
        _p95(warm),
        anchor_name,
        _p95(anchor),
        "p95 <= 0.050 s, every tile <= 100 KB",
        **extra,
    )
    warm_entry["met"] = warm_entry["ours_s"] <= 0.050 and small
    return [cold_entry, warm_entry]


def _folium_bytes(config: dict) -> tuple[int, float]:
    """The folium map of every layer an officer sees, as GeoJSON: gzipped bytes, seconds."""
    import folium

    from gis.store import open_store

    store = open_store(
        config["PLANNER_HOME"], config["DATABASE_URL"], schema=config["DATABASE_SCHEMA"]
    )
    started = time.perf_counter()
    fmap = folium.Map(location=[13.0, 101.0], zoom_start=6, tiles=None)
    for name in store.layer_names():
        gdf = store.read(name).to_crs(4326)
        folium.GeoJson(gdf.to_json(), name=name).add_to(fmap)
    html = fmap.get_root().render().encode("utf-8")
    return len(gzip.compress(html, compresslevel=6)), time.perf_counter() - started


def measure_first_page(label: str, config: dict) -> dict:
    """Bytes over the wire of the first map page in Chromium, until all is drawn."""
    from playwright.sync_api import sync_playwright

    with _serve(create_app({"TESTING": True, **config})) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/auth/login")
        page.fill("#username", "officer")
        page.fill("#password", PASSWORD["officer"])
        page.click("form button[type=submit]")
        page.wait_for_load_state("networkidle")
        responses = []
        page.on("requestfinished", lambda r: responses.append(r))
        started = time.perf_counter()
        page.goto(f"{base}/")
        page.wait_for_selector('body[data-map-state="ready"]', timeout=120_000)
        page.wait_for_selector('body[data-tiles-state="ready"]', timeout=120_000)
        page.wait_for_load_state("networkidle")
        seconds = time.perf_counter() - started
        sent = sum(r.sizes()["responseBodySize"] for r in responses)
        browser.close()
    anchor_bytes, anchor_s = _folium_bytes(config)
    return {
        "name": f"tiles_first_map_page_{label}",
        "ours_s": round(seconds, 3),
        "anchor": "folium map of the same layers as GeoJSON (gzipped bytes; its build time)",
        "anchor_s": round(anchor_s, 3),
        "ratio": round(sent / anchor_bytes, 4),
        "target": "first map page <= 1 MB gzipped (ratio is of bytes)",
        "ours_bytes": sent,
        "anchor_bytes": anchor_bytes,
        "requests": len(responses),
        "met": sent <= MAX_PAGE_BYTES,
    }


@contextlib.contextmanager
def _serve(app):
    """The app on a free loopback port, in a thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _run_store(label: str, url: str | None) -> list[dict]:
    home = Path(tempfile.mkdtemp(prefix=f"bench-tiles-{label}-"))
    schema = f"bench_{uuid.uuid4().hex[:8]}" if url else None
    try:
        started = time.perf_counter()
        prepare(home, url, schema)
        print(
            f"  {label}: national store built in {time.perf_counter() - started:.0f} s", flush=True
        )
        config = {"PLANNER_HOME": str(home), "DATABASE_URL": url, "DATABASE_SCHEMA": schema}
        return [*measure_tiles(label, config), measure_first_page(label, config)]
    finally:
        if url:
            from gis.store import open_store

            engine = open_store(home, url, schema=schema).engine
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            engine.dispose()
        shutil.rmtree(home, ignore_errors=True)


def run() -> list[dict]:
    results = _run_store("embedded", None)
    url = os.environ.get("DATABASE_URL")
    if url:
        results += _run_store("postgis", url)
    return results
