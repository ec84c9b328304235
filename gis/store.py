"""Where layers live: the embedded store (one GeoPackage per layer in the
instance folder, no server) or PostgreSQL/PostGIS.

Both stores keep the same promises:
- a layer is replaced or appended whole, or left exactly as it was;
- every write bumps the layer's version and records its provenance;
- reads can be limited to a bounding box in the storage CRS.

Rasters are files in both cases (`<home>/rasters/<name>.tif`); a database is
no better place for a 10 m flood grid than the disk.

Writes to one layer are serialised (a lock file per layer here, an advisory lock
on PostgreSQL), so an append reads the layer it appends to under the lock. An
import report handed to `write` is kept with the layer version it made, in the
same atomic step, and copied to `<home>/imports/` (see docs/decisions/0013).
The instance folder is private: folders 0700, files 0600.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

from gis import tiles
from gis.errors import PlannerError
from gis.layer_names import check_layer_name
from gis.store_base import (  # noqa: F401 - re-exported: callers import them from gis.store
    REPORTS_FOLDER,
    LayerInfo,
    LayerNotFound,
    LayerStore,
    RasterFiles,
    VersionConflict,
    check_mode,
    check_version,
    clean_locked,
    file_lock,
    geometry_type_of,
    layer_tag,
    private_dir,
    record_reports,
    remove_stale,
    secure_home,
    utc_now,
    write_json_atomic,
)
from gis.tile_cache import SQLiteTileCache


class GeoPackageStore(RasterFiles):
    """The embedded store: one GeoPackage per layer, `<home>/layers/<name>.gpkg`.

    The version and provenance live in the GeoPackage's own layer metadata, so a
    layer and its record are one file; so is the import report of that version.
    Each write holds `layers/.<name>.lock`, goes to a temporary file in the same
    folder and is moved into place with `os.replace`: a crash mid-write leaves
    the old layer intact, and its temporary file is removed at the next open.
    """

    def __init__(self, home: str | Path):
        self.home = Path(home)
        self.layer_dir = private_dir(self.home / "layers")
        self._infos: dict[str, tuple[tuple, dict]] = {}
        clean_locked(self.layer_dir, r"\.(?P<name>[a-z0-9_]+)\.[^.]+\.part\.gpkg(-\w+)?$")
        self._open_home()

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.home)!r})"

    def _path(self, name: str) -> Path:
        return self.layer_dir / f"{check_layer_name(name)}.gpkg"

    def layer_names(self) -> list[str]:
        # Hidden `.name.*.part.gpkg` files are writes in progress (or killed ones).
        return sorted(p.stem for p in self.layer_dir.glob("*.gpkg") if not p.name.startswith("."))

    def has_layer(self, name: str) -> bool:
        return self._path(name).exists()

    def _lock(self, name: str):
        return file_lock(self.layer_dir / f".{check_layer_name(name)}.lock")

    def _read_info(self, name: str) -> dict:
        """pyogrio's `read_info` of the layer, kept while its file is the same file: every
        write replaces the file (a new inode), so its stat is the key. A tile or a layer
        list then costs a stat, not an open of the GeoPackage."""
        path = self._path(name)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise LayerNotFound(name) from None
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        kept = self._infos.get(name)
        if kept is not None and kept[0] == key:
            return kept[1]
        raw = pyogrio.read_info(path, layer=name)
        self._infos[name] = (key, raw)  # one assignment: no lock needed
        return raw

    def kept_reports(self) -> list[dict]:
        out = []
        for name in self.layer_names():
            with contextlib.suppress(Exception):  # a broken layer file keeps no report
                report = (self._read_info(name).get("layer_metadata") or {}).get(
                    "planner_import_report"
                )
                if report:
                    out.append(json.loads(report))
        return out

    def info(self, name: str) -> LayerInfo:
        raw = self._read_info(name)
        meta = raw.get("layer_metadata") or {}
        bounds = raw.get("total_bounds")
        return LayerInfo(
            name=name,
            feature_count=int(raw["features"]),
            crs=raw.get("crs"),
            geometry_type=meta.get("planner_geometry_type") or raw.get("geometry_type"),
            bounds=tuple(float(b) for b in bounds) if bounds is not None else None,
            version=int(meta.get("planner_version", 0)),
            provenance=json.loads(meta.get("planner_provenance", "{}")),
            written_at=meta.get("planner_written_at"),
        )

    def read(self, name, *, bbox=None):
        if not self.has_layer(name):
            raise LayerNotFound(name)
        return pyogrio.read_dataframe(
            self._path(name), layer=name, bbox=tuple(bbox) if bbox else None, use_arrow=True
        )

    def write(
        self, name, gdf, *, mode="replace", provenance=None, expected_version=None, report=None
    ):
        check_mode(mode)
        with self._lock(name):
            return self._write_locked(name, gdf, mode, provenance, expected_version, report)

    def _write_locked(self, name, gdf, mode, provenance, expected_version, report):
        version = 0
        if self.has_layer(name):
            current = self.info(name)
            version = current.version
            previous = self._kept_report(name)
            if previous:  # a writer killed after its swap: keep its report before ours
                record_reports(self.home, [previous])
        check_version(name, expected_version, version)
        if mode == "append" and version:
            gdf = pd.concat([self.read(name), gdf.to_crs(current.crs)], ignore_index=True)
        metadata = {
            "planner_version": str(version + 1),
            "planner_geometry_type": geometry_type_of(gdf) or "",
            "planner_written_at": utc_now(),
            "planner_provenance": json.dumps(provenance or {}, ensure_ascii=False),
        }
        if report is not None:
            report["store_version"] = version + 1
            metadata["planner_import_report"] = json.dumps(report, ensure_ascii=False, default=str)
        fd, tmp = tempfile.mkstemp(dir=self.layer_dir, prefix=f".{name}.", suffix=".part.gpkg")
        os.close(fd)
        os.unlink(tmp)  # GDAL wants to create the file itself
        try:
            pyogrio.write_dataframe(
                gdf, tmp, layer=name, driver="GPKG", use_arrow=True, layer_metadata=metadata
            )
            os.chmod(tmp, 0o600)
            os.replace(tmp, self._path(name))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return self.info(name)

    def _kept_report(self, name: str) -> dict | None:
        meta = self._read_info(name).get("layer_metadata") or {}
        return (
            json.loads(meta["planner_import_report"]) if meta.get("planner_import_report") else None
        )

    def delete(self, name):
        with self._lock(name):
            if not self.has_layer(name):
                raise LayerNotFound(name)
            self._path(name).unlink()

    # ------------------------------------------------------------------ tiles

    @functools.cached_property
    def tile_cache(self) -> SQLiteTileCache:
        return SQLiteTileCache(private_dir(self.home / "tiles") / "cache.sqlite")

    def layer_tag(self, name: str) -> str:
        """The layer's version and time written, read from its metadata only."""
        meta = self._read_info(name).get("layer_metadata") or {}
        return layer_tag(meta.get("planner_version", 0), meta.get("planner_written_at"))

    def feature_boxes(self, name: str) -> tuple[np.ndarray, str | None]:
        """Every feature's box (minx, miny, maxx, maxy) in the storage CRS, and that CRS:
        read from the GeoPackage's R-tree, not from the features."""
        path = self._path(name)
        crs = self._read_info(name).get("crs")
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            (column,) = conn.execute(
                "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
            ).fetchone()
            rtree = f"rtree_{name}_{column}".replace('"', "")
            rows = conn.execute(f'SELECT minx, miny, maxx, maxy FROM "{rtree}"').fetchall()
        return np.array(rows, dtype="float64").reshape(-1, 4), crs

    def mvt(self, name: str, z: int, x: int, y: int, *, fields=()) -> bytes:
        """The detail tile z/x/y of the layer (gis.tiles.detail_tile)."""
        crs = self._read_info(name).get("crs") if self.has_layer(name) else None
        gdf = self.read(name, bbox=tiles.search_box(z, x, y, crs) if crs else None)
        return tiles.detail_tile(gdf, z, x, y, layer=name, fields=list(fields))


def open_store(
    home: str | Path, database_url: str | None = None, *, schema: str | None = None
) -> LayerStore:
    """The store for an instance folder: PostGIS when a postgresql:// URL is given
    On PostgreSQL `schema` names the instance: its layers live in `<schema>_layers`
    (default `planner_layers`) and its case tables in `<schema>` (default `public`)."""
    if database_url:
        if not database_url.startswith(("postgresql:", "postgresql+psycopg:", "postgres:")):
            raise PlannerError(f"unsupported DATABASE_URL scheme: {database_url.split(':')[0]}")
        from gis.postgis_store import PostGISStore

        return PostGISStore(
            home, database_url, **({"schema": f"{schema}_layers"} if schema else {})
        )
    return GeoPackageStore(home)
