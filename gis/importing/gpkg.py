"""GeoPackages: one layer chosen by name, or the only one."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from gis import formats
from gis.importing.options import ReadNotes
from gis.importing.report import refuse
from gis.importing.vector import read_vector


def gpkg_layers(path: Path, label: str) -> list[str]:
    try:
        return [str(row[0]) for row in pyogrio.list_layers(formats.gdal_path(path, "gpkg"))]
    except Exception as exc:
        raise refuse(
            label,
            f"the GeoPackage cannot be opened (corrupt or truncated): {str(exc).splitlines()[0]}",
            "เปิดไฟล์ GeoPackage ไม่ได้ (ไฟล์เสียหายหรือไม่สมบูรณ์)",
        ) from None


def read_gpkg(
    path: Path, label: str, source_layer: str | None, notes: ReadNotes
) -> gpd.GeoDataFrame:
    """The layer `source_layer`, or the GeoPackage's only layer."""
    layers = gpkg_layers(path, label)
    if source_layer is None:
        if len(layers) != 1:
            raise refuse(
                label,
                f"the GeoPackage holds {len(layers)} layers ({', '.join(layers)}); "
                "choose one with --source-layer NAME or PATH::NAME",
                f"ไฟล์ GeoPackage มี {len(layers)} ชั้นข้อมูล โปรดเลือกหนึ่งชั้น",
                field="source_layer",
            )
        source_layer = layers[0]
    elif source_layer not in layers:
        raise refuse(
            label,
            f"the GeoPackage has no layer {source_layer!r}; it has {', '.join(layers)}",
            f"ไม่มีชั้นข้อมูล {source_layer!r} ในไฟล์",
            field="source_layer",
        )
    notes.source_layer = source_layer
    return read_vector(path, label, fmt="gpkg", layer=source_layer)
