"""Shapefiles (usually zipped): Thai DBF text in UTF-8 or TIS-620, and the planner's
own long field names kept beside the DBF."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gis.importing.options import ReadNotes
from gis.importing.vector import read_vector

_LATIN1_THAI = re.compile("[\u00a1-\u00fb]")


def _looks_like_mojibake_thai(values: list[str]) -> bool:
    """GDAL read cp874 bytes as Latin-1: Thai shows up as 'Â.3' and friends."""
    text = "".join(values)
    if not text or re.search("[\u0e01-\u0e5b]", text):
        return False
    hits = len(_LATIN1_THAI.findall(text))
    if hits < 2:
        return False
    try:
        redecoded = text.encode("latin-1").decode("cp874")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return len(re.findall("[\u0e01-\u0e5b]", redecoded)) >= hits * 0.8


def _str_values(gdf: pd.DataFrame, limit: int = 200) -> list[str]:
    out = []
    for col in gdf.columns:
        if col == "geometry" or not (
            pd.api.types.is_string_dtype(gdf[col].dtype) or gdf[col].dtype == object
        ):
            continue
        out.extend(v for v in gdf[col].head(limit).tolist() if isinstance(v, str))
    return out


def _dbf_encoding(shp: Path) -> str | None:
    """The DBF's text encoding when there is no .cpg: UTF-8, else TIS-620/cp874.

    Decided from the bytes of the records, so a user never has to know the word
    "encoding". None when the bytes are plain ASCII or UTF-8 (GDAL's default)."""
    dbf = next((p for p in (shp.with_suffix(".dbf"), shp.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        return None
    raw = dbf.read_bytes()
    header_len = int.from_bytes(raw[8:10], "little") if len(raw) > 10 else 0
    body = raw[header_len:]
    try:
        body.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    text = body.decode("cp874", errors="replace")
    if len(re.findall("[\u0e01-\u0e5b]", text)) >= 1:
        return "cp874"
    return "latin-1"


def _declared_encoding(path: Path) -> str | None:
    cpg = next(
        (p for p in (path.with_suffix(".cpg"), path.with_suffix(".CPG")) if p.exists()), None
    )
    return None if cpg is None else (cpg.read_text(errors="replace").strip() or None)


def read_shapefile(
    path: Path, label: str, encoding: str | None, notes: ReadNotes
) -> gpd.GeoDataFrame:
    """A shapefile, its text encoding given, declared (.cpg) or detected from the DBF."""
    has_cpg = any(p.exists() for p in (path.with_suffix(".cpg"), path.with_suffix(".CPG")))
    if encoding:
        notes.encoding = encoding
    elif has_cpg:
        notes.encoding = _declared_encoding(path)  # GDAL reads the .cpg itself
    else:
        encoding = _dbf_encoding(path)
        notes.encoding, notes.encoding_detected = encoding or "utf-8", True
    gdf = read_vector(path, label, fmt="shp", encoding=encoding)
    if _looks_like_mojibake_thai(_str_values(gdf)):
        # GDAL decoded TIS-620 as Latin-1 ("Â.3"): read again as cp874.
        gdf = read_vector(path, label, fmt="shp", encoding="cp874")
        notes.encoding, notes.encoding_detected = "cp874", True
    return _long_field_names(gdf, path, notes)


def _long_field_names(gdf: gpd.GeoDataFrame, path: Path, notes: ReadNotes) -> gpd.GeoDataFrame:
    """Full names of the 10-character DBF fields, from the sidecar gis.exporting writes."""
    sidecar = path.with_name(f"{path.stem}.fields.json")
    if not sidecar.exists():
        return gdf
    try:
        names = json.loads(sidecar.read_text(encoding="utf-8"))
    except ValueError:
        names = {}
    if not isinstance(names, dict):
        names = {}
    names = {k: v for k, v in names.items() if isinstance(v, str) and k in gdf.columns}
    notes.sidecar_map = names
    return gdf.rename(columns=names)
