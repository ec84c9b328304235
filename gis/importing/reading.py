"""Reading any supported file: checks common to every format, then its format's reader."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from gis import formats
from gis.formats import MAX_UNZIPPED_BYTES
from gis.importing.archive import locate
from gis.importing.geojson import read_geojson
from gis.importing.gpkg import read_gpkg
from gis.importing.kml import read_kml_bytes
from gis.importing.kobo import table_to_gdf
from gis.importing.options import MAX_FILE_BYTES, ReadNotes
from gis.importing.report import refuse
from gis.importing.shapefile import read_shapefile
from gis.importing.tables import read_csv, read_xlsx

READABLE = ("gpkg", "shp", "zip", "kmz", "geojson", "kml", "csv", "xlsx")


def read_file(
    path: str | Path,
    *,
    encoding: str | None = None,
    source_layer: str | None = None,
    workdir: str | Path,
    max_bytes: int = MAX_FILE_BYTES,
    max_unzipped: int = MAX_UNZIPPED_BYTES,
    label: str | None = None,
    state: ReadNotes | None = None,
) -> gpd.GeoDataFrame:
    """Read any supported file into a GeoDataFrame in its own CRS (or none).

    `PATH::NAME` names a GeoPackage layer. What was learned on the way (format,
    encoding, layer) goes into `state`."""
    notes = state if state is not None else ReadNotes()
    text = str(path)
    if "::" in text and source_layer is None:
        text, source_layer = text.split("::", 1)
    label = label or Path(text).name
    path = _checked_path(text, label, max_bytes)
    outer = formats.check_format(path, label=label, allowed=READABLE)
    data = locate(path, Path(workdir), label, max_unzipped)
    # The file inside a zip is checked too, named after the archive and the member.
    inner = f"{label}!{data.name}" if data != path else label
    fmt = formats.check_format(data, label=inner, allowed=READABLE) if data != path else outer
    notes.format = "kmz" if outer == "kmz" else fmt
    return _read_format(data, fmt, label, inner, encoding, source_layer, notes)


def _checked_path(text: str, label: str, max_bytes: int) -> Path:
    """The path, refused when it is unsafe, missing, empty or too large."""
    path = formats.check_path(text, label=label)
    if not path.exists():
        raise refuse(label, "the file does not exist", "ไม่พบไฟล์")
    size = path.stat().st_size
    if size > max_bytes:
        raise refuse(
            label,
            f"the file is {size:,} bytes, over the upload limit of {max_bytes:,}",
            f"ไฟล์มีขนาด {size:,} ไบต์ เกินขีดจำกัด {max_bytes:,} ไบต์",
        )
    if size == 0:
        raise refuse(label, "the file is empty", "ไฟล์ว่างเปล่า")
    return path


def _read_format(
    data: Path,
    fmt: str,
    label: str,
    inner: str,
    encoding: str | None,
    source_layer: str | None,
    notes: ReadNotes,
) -> gpd.GeoDataFrame:
    if fmt == "kml":
        return read_kml_bytes(data.read_bytes(), label=label)
    if fmt == "csv":
        return table_to_gdf(read_csv(data, label, encoding, notes), label, notes.crs)
    if fmt == "xlsx":
        formats.check_xlsx(data, label=inner)
        notes.encoding = "utf-8 (xlsx)"
        return table_to_gdf(read_xlsx(data, label), label, notes.crs)
    if fmt == "gpkg":
        return read_gpkg(data, label, source_layer, notes)
    if fmt == "shp":
        return read_shapefile(data, label, encoding, notes)
    if fmt == "geojson":
        return read_geojson(data, label, encoding, notes)
    raise refuse(
        label,
        f"unsupported file type {data.suffix!r}; the planner reads .gpkg, .shp, .zip, "
        ".geojson, .kml, .kmz, .csv and .xlsx",
        f"ไม่รองรับไฟล์ชนิด {data.suffix!r}",
    )
