"""GDAL vector reads (through pyogrio), shared by the GeoJSON, GeoPackage and shapefile readers."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from gis import formats
from gis.importing.report import refuse


def read_vector(
    path: Path, label: str, *, fmt: str, layer: str | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """One layer of a vector file; a file GDAL cannot read is refused, naming it."""
    kwargs: dict = {"use_arrow": True}
    if layer:
        kwargs["layer"] = layer
    if encoding:
        kwargs["encoding"] = encoding
    try:
        return pyogrio.read_dataframe(formats.gdal_path(path, fmt), **kwargs)
    except Exception as exc:  # GDAL's errors name no class we can rely on
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise refuse(
            label,
            f"the file cannot be read (corrupt, truncated or not a {path.suffix} file): {msg}",
            "อ่านไฟล์ไม่ได้ (ไฟล์เสียหาย ไม่สมบูรณ์ หรือผิดรูปแบบ)",
        ) from None
