"""Importing a 100,000-feature GeoPackage through `gis.importing.import_file`, against
a bare `pyogrio.read_dataframe(use_arrow=True)` + `pyogrio.write_dataframe` of the
same file, measured in the same run. Target: ratio <= 2.0."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from run import best_of, entry

from gis.catalog import load_catalog
from gis.importing import import_file
from gis.store import GeoPackageStore

N = 100_000


def make_plots(path: Path, n: int = N) -> None:
    """n 8 × 8 m house plots in EPSG:32647 near Lak Si, catalogue `structures` fields."""
    rng = np.random.default_rng(4)
    side = int(np.ceil(np.sqrt(n)))
    i = np.arange(n)
    x0 = 665_000 + (i % side) * 10.0
    y0 = 1_530_000 + (i // side) * 10.0
    geoms = shapely.box(x0, y0, x0 + 8, y0 + 8)
    gdf = gpd.GeoDataFrame(
        {
            "structure_id": [f"S-{k:06d}" for k in i],
            "community_id": [f"KPP-CC-{k % 38 + 1:02d}" for k in i],
            "household_no": i + 1,
            "agreed_to_move": rng.random(n) < 0.8,
            "encroachment": rng.choice(["none", "setback", "canal"], n),
        },
        geometry=geoms,
        crs="EPSG:32647",
    )
    pyogrio.write_dataframe(gdf, path, layer="structures", use_arrow=True)


def run() -> list[dict]:
    catalog = load_catalog()
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        src = work / "plots.gpkg"
        make_plots(src)

        def ours():
            home = work / "store"
            shutil.rmtree(home, ignore_errors=True)
            import_file(src, layer="structures", catalog=catalog, store=GeoPackageStore(home))

        def anchor():
            out = work / "bare.gpkg"
            out.unlink(missing_ok=True)
            gdf = pyogrio.read_dataframe(src, use_arrow=True)
            pyogrio.write_dataframe(gdf, out, layer="structures", use_arrow=True)

        ours_s, anchor_s = best_of(ours, 3), best_of(anchor, 3)
        item = entry(
            "import_gpkg_100k",
            ours_s,
            "pyogrio read_dataframe(use_arrow) + write_dataframe of the same file",
            anchor_s,
            "ratio <= 2.0",
            features=N,
        )
        item["met"] = item["ratio"] <= 2.0
        return [item]
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    import json

    for item in run():
        print(json.dumps(item))
