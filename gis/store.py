"""Where layers live: the embedded store (one GeoPackage per layer in the
instance folder, no server) or PostgreSQL/PostGIS.

Both stores keep the same promises:
- a layer is replaced or appended whole, or left exactly as it was;
- every write bumps the layer's version and records its provenance;
- reads can be limited to a bounding box in the storage CRS.

Rasters are files in both cases (`<home>/rasters/<name>.tif`); a database is
no better place for a 10 m flood grid than the disk.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd
import pyogrio

from gis.errors import PlannerError
from gis.layer_names import check_layer_name


class LayerNotFound(PlannerError):
    def __init__(self, name: str):
        super().__init__(f"layer {name!r} is not in the store")
        self.name = name


@dataclass
class LayerInfo:
    name: str
    feature_count: int
    crs: str | None
    geometry_type: str | None
    bounds: tuple[float, float, float, float] | None  # storage CRS
    version: int
    provenance: dict[str, Any] = field(default_factory=dict)
    written_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "feature_count": self.feature_count,
            "crs": self.crs,
            "geometry_type": self.geometry_type,
            "bounds": list(self.bounds) if self.bounds else None,
            "version": self.version,
            "provenance": self.provenance,
            "written_at": self.written_at,
        }


class LayerStore(Protocol):
    home: Path

    def layer_names(self) -> list[str]: ...
    def has_layer(self, name: str) -> bool: ...
    def info(self, name: str) -> LayerInfo: ...
    def read(
        self, name: str, *, bbox: tuple[float, float, float, float] | None = None
    ) -> gpd.GeoDataFrame: ...
    def write(
        self,
        name: str,
        gdf: gpd.GeoDataFrame,
        *,
        mode: str = "replace",
        provenance: dict | None = None,
    ) -> LayerInfo: ...
    def delete(self, name: str) -> None: ...


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _geometry_type(gdf: gpd.GeoDataFrame) -> str | None:
    types = sorted(set(gdf.geom_type.dropna()))
    if not types:
        return None
    base = {t.removeprefix("Multi") for t in types}
    return base.pop() if len(base) == 1 else "Geometry"


def _check_mode(mode: str) -> None:
    if mode not in ("replace", "append"):
        raise ValueError(f"mode must be 'replace' or 'append', not {mode!r}")


class RasterFiles:
    """Raster layers as GeoTIFF files in `<home>/rasters`, replaced atomically."""

    home: Path

    @property
    def raster_dir(self) -> Path:
        return self.home / "rasters"

    def raster_path(self, name: str) -> Path:
        path = self.raster_dir / f"{check_layer_name(name)}.tif"
        if not path.exists():
            raise LayerNotFound(name)
        return path

    def put_raster(self, name: str, source: str | Path) -> Path:
        self.raster_dir.mkdir(parents=True, exist_ok=True)
        target = self.raster_dir / f"{check_layer_name(name)}.tif"
        fd, tmp = tempfile.mkstemp(dir=self.raster_dir, suffix=".tif.part")
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
        return target

    def raster_names(self) -> list[str]:
        if not self.raster_dir.exists():
            return []
        return sorted(p.stem for p in self.raster_dir.glob("*.tif"))


class GeoPackageStore(RasterFiles):
    """The embedded store: one GeoPackage per layer, `<home>/layers/<name>.gpkg`.

    The version and provenance live in the GeoPackage's own layer metadata, so a
    layer and its record are one file. Each write goes to a temporary file in the
    same folder and is moved into place with `os.replace`: a crash mid-write
    leaves the old layer intact.
    """

    def __init__(self, home: str | Path):
        self.home = Path(home)
        self.layer_dir = self.home / "layers"
        self.layer_dir.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.home)!r})"

    def _path(self, name: str) -> Path:
        return self.layer_dir / f"{check_layer_name(name)}.gpkg"

    def layer_names(self) -> list[str]:
        # Hidden `.name.*.part.gpkg` files are writes in progress (or killed ones).
        return sorted(p.stem for p in self.layer_dir.glob("*.gpkg") if not p.name.startswith("."))

    def has_layer(self, name: str) -> bool:
        return self._path(name).exists()

    def info(self, name: str) -> LayerInfo:
        if not self.has_layer(name):
            raise LayerNotFound(name)
        raw = pyogrio.read_info(self._path(name), layer=name)
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

    def write(self, name, gdf, *, mode="replace", provenance=None):
        _check_mode(mode)
        version = 0
        if self.has_layer(name):
            current = self.info(name)
            version = current.version
            if mode == "append":
                gdf = pd.concat([self.read(name), gdf.to_crs(current.crs)], ignore_index=True)
        metadata = {
            "planner_version": str(version + 1),
            "planner_geometry_type": _geometry_type(gdf) or "",
            "planner_written_at": _now(),
            "planner_provenance": json.dumps(provenance or {}, ensure_ascii=False),
        }
        fd, tmp = tempfile.mkstemp(dir=self.layer_dir, prefix=f".{name}.", suffix=".part.gpkg")
        os.close(fd)
        os.unlink(tmp)  # GDAL wants to create the file itself
        try:
            pyogrio.write_dataframe(
                gdf, tmp, layer=name, driver="GPKG", use_arrow=True, layer_metadata=metadata
            )
            os.replace(tmp, self._path(name))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return self.info(name)

    def delete(self, name):
        if not self.has_layer(name):
            raise LayerNotFound(name)
        self._path(name).unlink()


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
