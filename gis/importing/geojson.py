"""GeoJSON files (as exported by QGIS, geojson.io and the planner itself)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from gis.importing.options import ReadNotes
from gis.importing.vector import read_vector


def read_geojson(
    path: Path, label: str, encoding: str | None, notes: ReadNotes
) -> gpd.GeoDataFrame:
    """A GeoJSON file; GDAL reads it as UTF-8 unless an encoding is given."""
    if encoding:
        notes.encoding = encoding
    return read_vector(path, label, fmt="geojson", encoding=encoding)
