"""Issue 2: loading the sample into the store, and serving a layer as GeoJSON.

- sample_load: `load_sample` (validate every layer against the catalogue, then
  atomic versioned writes) against a bare pyogrio read + write of the same
  layers. Target: at most 2x the bare copy.
- structures_geojson: `GET /api/layers/structures?bbox=…` (6,386 footprints:
  read, reproject, round, serialise, through Flask, uncached) against pyogrio read + geopandas
  `to_crs(4326).to_json()`. Target: at most 1.5x.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pyogrio
from run import best_of, entry

from app import create_app
from gis.catalog import load_catalog
from gis.layers import load_sample
from gis.paths import SAMPLE_GPKG
from gis.store import GeoPackageStore


def run() -> list[dict]:
    catalog = load_catalog()
    work = Path(tempfile.mkdtemp(prefix="bench-layers-"))
    try:

        def ours_load():
            home = work / "store"
            shutil.rmtree(home, ignore_errors=True)
            load_sample(GeoPackageStore(home), catalog)

        def anchor_copy():
            out = work / "bare"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            for layer in catalog.vector_layers():
                gdf = pyogrio.read_dataframe(SAMPLE_GPKG, layer=layer.name, use_arrow=True)
                pyogrio.write_dataframe(
                    gdf, out / f"{layer.name}.gpkg", layer=layer.name, use_arrow=True
                )
            for raster in catalog.raster_layers():
                shutil.copyfile(SAMPLE_GPKG.parent / raster.file, out / raster.file)

        ours_s, anchor_s = best_of(ours_load, 3), best_of(anchor_copy, 3)
        load = entry(
            "sample_load", ours_s, "pyogrio read+write of the same layers", anchor_s, "ratio <= 2.0"
        )
        load["met"] = load["ratio"] <= 2.0

        app = create_app(
            {"TESTING": True, "PLANNER_HOME": str(work / "store"), "DATABASE_URL": None}
        )
        client = app.test_client()

        def ours_geojson():
            # A bbox around the whole corridor: read, reproject and serialise every
            # time (whole-layer responses are cached, which would flatter us).
            response = client.get("/api/layers/structures?bbox=100.3,13.5,100.9,14.3")
            assert response.status_code == 200, response.get_data(as_text=True)

        def anchor_geojson():
            gdf = pyogrio.read_dataframe(SAMPLE_GPKG, layer="structures", use_arrow=True)
            gdf.to_crs("EPSG:4326").to_json()

        ours_s, anchor_s = best_of(ours_geojson), best_of(anchor_geojson)
        geojson = entry(
            "structures_geojson",
            ours_s,
            "pyogrio read + to_crs(4326).to_json()",
            anchor_s,
            "ratio <= 1.5",
        )
        geojson["met"] = geojson["ratio"] <= 1.5
        return [load, geojson]
    finally:
        shutil.rmtree(work, ignore_errors=True)
