"""Importers: the files officers, surveyors and municipalities really have.

One entry point, `import_file`, and a pure staged part, `read_and_validate`, that
reads, checks and converts a file into the layer's catalogue CRS without writing
anything. Every problem is collected and reported at once (`ValidationError`),
naming the file, the feature and the field.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
import uuid
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

from gis import formats
from gis.catalog import Catalog, validate_layer
from gis.errors import PlannerError, Problem, ValidationError
from gis.formats import MAX_UNZIPPED_BYTES
from gis.layer_names import check_layer_name
from gis.store import VersionConflict, private_dir, record_reports, write_json_atomic

# Limits for hostile input; callers (CLI, web) may pass their own.
# Zip limits (MAX_UNZIPPED_BYTES, MAX_ZIP_ENTRIES) are gis.formats's, for every container.
MAX_FILE_BYTES = 50 * 1024 * 1024

# GDAL reads nothing from the network on the planner's behalf (gis.formats).
formats.harden_pyogrio()

# Thailand with a margin (WGS 84 lon/lat).
THAILAND_BOUNDS = (97.0, 5.0, 106.0, 21.0)

# Indian 1975 → WGS 84: EPSG:1304 ("Indian 1975 to WGS 84 (2)", 3-parameter
# geocentric translation 210, 814, 289). See docs/decisions/0006-indian-1975.md.
INDIAN_1975 = CRS.from_epsg(4240)
INDIAN_1975_TRANSFORMATION = {
    "code": "EPSG:1304",
    "name": "Indian 1975 to WGS 84 (2)",
    "method": "Geocentric translations (210, 814, 289)",
    "decision": "docs/decisions/0006-indian-1975.md",
}
_INDIAN_TO_WGS84_GEOG = (
    "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
    "+step +proj=push +v_3 +step +proj=cart +ellps=evrst30 "
    "+step +proj=helmert +x=210 +y=814 +z=289 +step +inv +proj=cart +ellps=WGS84 "
    "+step +proj=pop +v_3 +step +proj=unitconvert +xy_in=rad +xy_out=deg"
)

FORMATS = ("gpkg", "shp", "geojson", "kml", "kmz", "csv", "xlsx", "zip")

_LAT_NAMES = ("lat", "latitude", "ละติจูด", "ละติจุด", "y", "northing", "พิกัด y", "พิกัดy")
_LON_NAMES = ("lon", "lng", "long", "longitude", "ลองจิจูด", "ลองติจูด", "x", "easting", "พิกัด x")


@dataclass
class ImportReport:
    """What was read, fixed, skipped and which transformation was used."""

    id: str
    file: str
    layer: str
    mode: str
    format: str | None = None
    source_layer: str | None = None
    created_at: str = ""
    status: str = "pending"  # pending | validated | written | refused
    features_read: int = 0
    features_written: int = 0
    new_layer: bool = False
    encoding: str | None = None
    encoding_detected: bool = False
    source_crs: str | None = None
    target_crs: str | None = None
    transformation: dict[str, Any] | None = None
    field_map: dict[str, str] = field(default_factory=dict)
    unmapped_fields: list[str] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    store_version: int | None = None
    attempts: int = 1  # >1: another import wrote to the layer meanwhile; checked again

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        lines = [
            f"import {self.id}: {self.file} → layer {self.layer} ({self.mode}) [{self.status}]",
            f"  read {self.features_read} feature(s), written {self.features_written}",
        ]
        if self.encoding:
            how = "detected" if self.encoding_detected else "given/declared"
            lines.append(f"  text encoding: {self.encoding} ({how})")
        if self.source_crs:
            lines.append(f"  CRS: {self.source_crs} → {self.target_crs}")
        if self.transformation:
            t = self.transformation
            code = f"{t['code']} " if t.get("code") else ""
            lines.append(f"  transformation: {code}{t.get('name', '')}")
        if self.field_map:
            lines.append("  field map: " + ", ".join(f"{k}→{v}" for k, v in self.field_map.items()))
        for label, items in (("fixed", self.fixed), ("skipped", self.skipped)):
            for item in items:
                lines.append(f"  {label}: {item.get('where', '')}: {item.get('en', '')}")
        for item in self.warnings:
            lines.append(f"  warning: {item.get('where', '')}: {item.get('en', '')}")
        for item in self.problems:
            lines.append(f"  problem: {item.get('where', '')}: {item.get('en', '')}")
        return "\n".join(lines)


def _item(p: Problem) -> dict[str, Any]:
    return {**p.to_dict(), "where": p.where(), "en": p.message_en, "th": p.message_th}


# ---------------------------------------------------------------- hostile input


def _refuse(file: str, en: str, th: str, **kw) -> ValidationError:
    return ValidationError([Problem(en, th, file=file, **kw)])


def safe_extract(
    archive: Path, dest: Path, *, max_bytes: int = MAX_UNZIPPED_BYTES, file_label: str | None = None
) -> list[Path]:
    """Extract a zip into `dest`, refusing zip slip, links, VRTs and zip bombs.

    The members are checked first (`formats.check_zip`: count, total and ratio),
    then bytes are counted while extracting (declared sizes can lie). Members the
    planner never reads (anything but data, shapefile parts, images and notes)
    are left in the archive."""
    label = file_label or archive.name
    infos = formats.check_zip(archive, label=label, max_bytes=max_bytes)
    refused = [i.filename for i in infos if formats.refused_member(i.filename)]
    if refused:
        raise ValidationError(
            [
                Problem(
                    "the archive holds a GDAL virtual file (VRT), sidecar or overview "
                    "(.vrt, .aux.xml, .ovr), which could read other files; it is refused",
                    "ไฟล์ zip มีไฟล์เสมือนของ GDAL (VRT: .vrt, .aux.xml, .ovr) ซึ่งอาจอ่านไฟล์อื่น จึงไม่รับ",
                    file=label,
                    feature=name,
                )
                for name in refused
            ]
        )
    dest = dest.resolve()
    out: list[Path] = []
    total = 0
    with zipfile.ZipFile(archive) as zf:
        for info in infos:
            if info.is_dir() or not formats.zip_member_allowed(info.filename):
                continue
            target = (dest / info.filename).resolve()
            if not target.is_relative_to(dest):
                raise _refuse(
                    label,
                    "zip entry would be written outside the extraction folder "
                    "(zip slip); the archive is refused",
                    "รายการในไฟล์ zip จะถูกเขียนออกนอกโฟลเดอร์ (zip slip) จึงไม่รับไฟล์นี้",
                    feature=info.filename,
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(1 << 16):
                        total += len(chunk)
                        if total > max_bytes:
                            raise _refuse(
                                label,
                                f"the archive expands beyond the limit of {max_bytes:,} bytes "
                                "(zip bomb?)",
                                f"ไฟล์ zip ขยายเกินขีดจำกัด {max_bytes:,} ไบต์",
                            )
                        dst.write(chunk)
            except (
                zipfile.BadZipFile,
                EOFError,
                OSError,
                ValueError,
                zlib.error,
                NotImplementedError,
                RuntimeError,
            ) as exc:
                if isinstance(exc, ValidationError):
                    raise
                raise _refuse(
                    label,
                    f"the archive is corrupt or truncated ({exc})",
                    "ไฟล์ zip เสียหายหรือไม่สมบูรณ์",
                    feature=info.filename,
                ) from None
            with open(target, "rb") as fh:
                if formats.sniff(fh.read(8192)) == "gdal-xml":
                    raise _refuse(
                        label,
                        "an archive member is a GDAL virtual file (VRT/WMS XML) that reads "
                        "other files or URLs; the archive is refused",
                        "ไฟล์ในไฟล์ zip เป็นไฟล์เสมือนของ GDAL (VRT) ซึ่งอาจอ่านไฟล์อื่น จึงไม่รับ",
                        feature=info.filename,
                    )
            out.append(target)
    return out


# ---------------------------------------------------------------- readers


_READABLE = ("gpkg", "shp", "zip", "kmz", "geojson", "kml", "csv", "xlsx")


def _decode_text(raw: bytes, encoding: str | None) -> tuple[str, str, bool]:
    """(text, encoding, detected) — UTF-8 first, then Thai code pages."""
    if encoding:
        return raw.decode(encoding), encoding, False
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8", True
    try:
        return raw.decode("utf-8"), "utf-8", True
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp874")
        if re.search("[\u0e01-\u0e5b]", text):
            return text, "cp874", True
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise UnicodeDecodeError("unknown", raw[:1], 0, 1, "cannot detect the text encoding")
    return str(best), best.encoding, True


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


def _read_vector(
    path: Path, label: str, *, fmt: str, layer: str | None, encoding: str | None, state
):
    kwargs = {"use_arrow": True}
    if layer:
        kwargs["layer"] = layer
    is_shp = path.suffix.lower() == ".shp"
    if is_shp and not encoding:
        cpg = next(
            (p for p in (path.with_suffix(".cpg"), path.with_suffix(".CPG")) if p.exists()), None
        )
        if cpg is not None:
            state["encoding"] = cpg.read_text(errors="replace").strip() or None
        else:
            detected = _dbf_encoding(path)
            if detected:
                encoding = detected
                state["encoding"], state["encoding_detected"] = detected, True
            else:
                state["encoding"], state["encoding_detected"] = "utf-8", True
    elif encoding:
        state["encoding"] = encoding
    if encoding:
        kwargs["encoding"] = encoding
    source = formats.gdal_path(path, fmt)
    try:
        gdf = pyogrio.read_dataframe(source, **kwargs)
    except Exception as exc:  # GDAL's errors name no class we can rely on
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _refuse(
            label,
            f"the file cannot be read (corrupt, truncated or not a {path.suffix} file): {msg}",
            "อ่านไฟล์ไม่ได้ (ไฟล์เสียหาย ไม่สมบูรณ์ หรือผิดรูปแบบ)",
        ) from None
    if is_shp and _looks_like_mojibake_thai(_str_values(gdf)):
        # GDAL decoded TIS-620 as Latin-1 ("Â.3"): read again as cp874.
        kwargs["encoding"] = "cp874"
        gdf = pyogrio.read_dataframe(source, **kwargs)
        state["encoding"], state["encoding_detected"] = "cp874", True
    return gdf


def _gpkg_layers(path: Path, label: str) -> list[str]:
    try:
        return [str(row[0]) for row in pyogrio.list_layers(formats.gdal_path(path, "gpkg"))]
    except Exception as exc:
        raise _refuse(
            label,
            f"the GeoPackage cannot be opened (corrupt or truncated): {str(exc).splitlines()[0]}",
            "เปิดไฟล์ GeoPackage ไม่ได้ (ไฟล์เสียหายหรือไม่สมบูรณ์)",
        ) from None


# ----------------------------------------------------------- KML / KMZ (defusedxml)

_KML_NS = "{http://www.opengis.net/kml/2.2}"


def _strip_ns(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kml_coords(text: str | None) -> list[tuple[float, float]]:
    pts = []
    for token in (text or "").split():
        parts = token.split(",")
        if len(parts) >= 2:
            pts.append((float(parts[0]), float(parts[1])))
    return pts


def _kml_geometry(el):
    tag = _strip_ns(el.tag)
    if tag == "Point":
        c = _kml_coords(_find_text(el, "coordinates"))
        return shapely.Point(c[0]) if c else None
    if tag == "LineString":
        c = _kml_coords(_find_text(el, "coordinates"))
        return shapely.LineString(c) if len(c) >= 2 else None
    if tag == "Polygon":
        outer = None
        holes = []
        for child in el.iter():
            ctag = _strip_ns(child.tag)
            if ctag in ("outerBoundaryIs", "innerBoundaryIs"):
                ring = _kml_coords(_find_text(child, "coordinates"))
                if ctag == "outerBoundaryIs":
                    outer = ring
                else:
                    holes.append(ring)
        return shapely.Polygon(outer, holes) if outer and len(outer) >= 3 else None
    if tag == "MultiGeometry":
        parts = [_kml_geometry(c) for c in el if _strip_ns(c.tag) in _KML_GEOMS]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        kinds = {p.geom_type for p in parts}
        if kinds == {"Polygon"}:
            return shapely.MultiPolygon(parts)
        if kinds == {"LineString"}:
            return shapely.MultiLineString(parts)
        if kinds == {"Point"}:
            return shapely.MultiPoint(parts)
        return shapely.GeometryCollection(parts)
    return None


_KML_GEOMS = ("Point", "LineString", "Polygon", "MultiGeometry")


def _find_text(el, name: str) -> str | None:
    for child in el.iter():
        if _strip_ns(child.tag) == name:
            return child.text
    return None


def _html_to_text(html: str) -> str:
    from html.parser import HTMLParser

    chunks: list[str] = []

    class P(HTMLParser):
        def handle_data(self, data):
            chunks.append(data)

        def handle_starttag(self, tag, attrs):
            if tag in ("br", "p", "tr", "li", "div"):
                chunks.append("\n")

    P().feed(html)
    return re.sub(r"\n\s*\n+", "\n", "".join(chunks)).strip()


def read_kml_bytes(raw: bytes, *, label: str) -> gpd.GeoDataFrame:
    """Placemarks of a (Google Earth) KML, parsed with a hardened XML parser."""
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        root = DET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise _refuse(
            label,
            f"the KML declares a DTD or XML entities, which are refused for safety "
            f"(entity expansion / external entities): {type(exc).__name__}",
            "ไฟล์ KML มีการประกาศ DTD หรือ entity ซึ่งไม่รับเพื่อความปลอดภัย",
        ) from None
    except Exception as exc:
        raise _refuse(
            label,
            f"the KML is not well-formed XML (corrupt or truncated): {exc}",
            "ไฟล์ KML ไม่ใช่ XML ที่ถูกต้อง (เสียหายหรือไม่สมบูรณ์)",
        ) from None
    rows = []
    geoms = []

    def walk(el, folders):
        for child in el:
            tag = _strip_ns(child.tag)
            if tag in ("Folder", "Document"):
                name = None
                for c in child:
                    if _strip_ns(c.tag) == "name":
                        name = (c.text or "").strip()
                        break
                walk(child, folders + [name] if tag == "Folder" and name else folders)
            elif tag == "Placemark":
                props: dict[str, Any] = {"name": None, "description": None}
                geom = None
                for c in child:
                    ctag = _strip_ns(c.tag)
                    if ctag == "name":
                        props["name"] = (c.text or "").strip()
                    elif ctag == "description":
                        text = c.text or ""
                        props["description"] = _html_to_text(text) if "<" in text else text.strip()
                    elif ctag == "ExtendedData":
                        for d in c.iter():
                            dtag = _strip_ns(d.tag)
                            if dtag in ("Data", "SimpleData") and d.get("name"):
                                value = (_find_text(d, "value") if dtag == "Data" else d.text) or ""
                                props[d.get("name")] = value.strip()
                    elif ctag in _KML_GEOMS:
                        geom = _kml_geometry(c)
                props["folder"] = "/".join(folders) if folders else None
                rows.append(props)
                geoms.append(geom)

    try:
        walk(root, [])
    except (ValueError, shapely.errors.GEOSException) as exc:
        raise _refuse(
            label,
            f"a placemark's coordinates cannot be read (not numbers, or too few points "
            f"for its shape): {str(exc)[:120]}",
            "อ่านพิกัดของหมุด (placemark) ไม่ได้ (ไม่ใช่ตัวเลขหรือจุดไม่พอ)",
            feature=len(rows),
            field="coordinates",
        ) from None
    df = pd.DataFrame(rows)
    for col in df.columns:
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms), crs="EPSG:4326")


# ---------------------------------------------------------- tables with coordinates


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-/()]+", " ", str(name).strip().lower()).strip()


def _find_coordinate_columns(columns: list[str]) -> tuple[str, str, str] | None:
    """(lat column, lon column, kind) for KoBo, ODK, Thai and English headers."""
    cols = list(columns)
    # KoBo: _<name>_latitude / _<name>_longitude, maybe group-prefixed.
    for c in cols:
        low = str(c).lower()
        if low.endswith("_latitude"):
            lon = c[: -len("latitude")] + "longitude"
            if lon in cols:
                return c, lon, "kobo"
        if low.endswith("-latitude"):
            lon = c[: -len("Latitude")] + "Longitude"
            lon = next((x for x in cols if x.lower() == lon.lower()), None)
            if lon:
                return c, lon, "odk"
    norm = {_norm(c): c for c in cols}
    lat = next((norm[n] for n in _LAT_NAMES if n in norm), None)
    lon = next((norm[n] for n in _LON_NAMES if n in norm), None)
    if lat and lon:
        return lat, lon, "columns"
    return None


def _find_shape_column(df: pd.DataFrame) -> str | None:
    """A KoBo geoshape/geotrace column: 'lat lon alt acc;lat lon alt acc;…'."""
    pattern = re.compile(r"^\s*-?\d+(\.\d+)?\s+-?\d+(\.\d+)?(\s+\S+){0,2}\s*(;|$)")
    for col in df.columns:
        values = df[col].dropna()
        if values.empty or not all(isinstance(v, str) for v in values.head(20)):
            continue
        sample = values.head(20)
        if sample.map(lambda v: bool(pattern.match(v)) and ";" in v).all():
            return col
    return None


def _parse_odk_shape(text: str):
    pts = []
    for part in str(text).split(";"):
        nums = part.split()
        if len(nums) >= 2:
            pts.append((float(nums[1]), float(nums[0])))  # latitude first
    if len(pts) >= 4 and pts[0] == pts[-1]:
        return shapely.Polygon(pts)
    if len(pts) >= 2:
        return shapely.LineString(pts)
    return shapely.Point(pts[0]) if pts else None


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _to_number(series: pd.Series) -> pd.Series:
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        series = series.astype("string").str.translate(_THAI_DIGITS).str.strip()
    return pd.to_numeric(series, errors="coerce")


def _table_to_gdf(df: pd.DataFrame, label: str, crs_given: str | None) -> gpd.GeoDataFrame:
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]
    wkt = next((c for c in df.columns if c.lower() in ("wkt", "geometry_wkt")), None)
    if wkt:
        try:
            geoms = shapely.from_wkt(df[wkt].where(df[wkt].notna(), None).to_numpy(object))
        except shapely.errors.GEOSException as exc:
            raise _refuse(
                label, f"a WKT geometry cannot be read: {exc}", "อ่านรูปเรขาคณิต WKT ไม่ได้", field=wkt
            ) from None
        return gpd.GeoDataFrame(
            df.drop(columns=[wkt]), geometry=list(geoms), crs=crs_given or "EPSG:4326"
        )
    found = _find_coordinate_columns(list(df.columns))
    shape_col = _find_shape_column(df) if not found else None
    if found:
        lat_col, lon_col, kind = found
        lat, lon = _to_number(df[lat_col]), _to_number(df[lon_col])
        problems = []
        for col, values in ((lat_col, lat), (lon_col, lon)):
            for i in np.flatnonzero((values.isna() & df[col].notna()).to_numpy()):
                problems.append(
                    Problem(
                        f"coordinate {df[col].iloc[i]!r} is not a number",
                        f"พิกัด {df[col].iloc[i]!r} ไม่ใช่ตัวเลข",
                        file=label,
                        feature=int(i),
                        field=col,
                    )
                )
        if problems:
            raise ValidationError(problems)
        geoms = shapely.points(lon.to_numpy(float), lat.to_numpy(float))
        geoms = np.where(lat.isna() | lon.isna(), None, geoms)
        drop = [lat_col, lon_col]
        if kind == "kobo":
            stem = lat_col[: -len("_latitude")]
            drop += [c for c in (f"{stem}_altitude", f"{stem}_precision") if c in df.columns]
            raw = stem.lstrip("_")
            drop += [c for c in df.columns if c in (raw, raw.split("/")[-1]) and c not in drop]
        elif kind == "odk":
            stem = lat_col[: -len("-Latitude")]
            drop += [c for c in (f"{stem}-Altitude", f"{stem}-Accuracy") if c in df.columns]
        projected = kind == "columns" and _norm(lat_col) in ("y", "northing", "พิกัด y", "พิกัดy")
        crs = crs_given or (None if projected and lat.abs().max() > 90 else "EPSG:4326")
        return gpd.GeoDataFrame(df.drop(columns=drop), geometry=list(geoms), crs=crs)
    if shape_col:
        geoms, problems = [], []
        for i, v in enumerate(df[shape_col]):
            try:
                geoms.append(_parse_odk_shape(v) if isinstance(v, str) else None)
            except (ValueError, shapely.errors.GEOSException):
                geoms.append(None)
                problems.append(
                    Problem(
                        f"the shape {str(v)[:60]!r} cannot be read: expected "
                        "'lat lon alt acc;lat lon alt acc;…' with numbers",
                        f"อ่านรูปร่าง {str(v)[:60]!r} ไม่ได้ ต้องเป็น 'lat lon alt acc;…' ที่เป็นตัวเลข",
                        file=label,
                        feature=i,
                        field=shape_col,
                    )
                )
        if problems:
            raise ValidationError(problems)
        return gpd.GeoDataFrame(
            df.drop(columns=[shape_col]), geometry=geoms, crs=crs_given or "EPSG:4326"
        )
    raise _refuse(
        label,
        "no coordinate columns found; expected latitude/longitude (lat/lon, ละติจูด/ลองจิจูด, "
        "x/y), a KoBo _<name>_latitude/_<name>_longitude pair or an ODK <name>-Latitude pair; "
        f"columns are: {', '.join(df.columns)}",
        "ไม่พบคอลัมน์พิกัด ต้องมีละติจูด/ลองจิจูด (lat/lon, ละติจูด/ลองจิจูด, x/y)",
    )


def _read_csv(path: Path, label: str, encoding: str | None, state) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text, enc, detected = _decode_text(raw, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise _refuse(
            label, f"the text encoding cannot be read: {exc}", "อ่านรหัสอักขระของไฟล์ไม่ได้"
        ) from None
    state["encoding"], state["encoding_detected"] = enc, detected
    first = text.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first.count)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except Exception as exc:
        raise _refuse(label, f"the CSV cannot be read: {exc}", "อ่านไฟล์ CSV ไม่ได้") from None
    df = df.replace({"": None})
    return _infer_types(df)


def _infer_types(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers stay numbers: whole columns that parse as numbers become numeric."""
    out = df.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
            continue
        nonnull = values.dropna()
        if nonnull.empty:
            continue
        as_text = nonnull.astype(str)
        # Leading zeros (ids, phone numbers) stay text.
        if as_text.str.match(r"^0\d").any():
            continue
        nums = pd.to_numeric(as_text, errors="coerce")
        if nums.notna().all():
            if (nums % 1 == 0).all() and not as_text.str.contains(r"[.eE]").any():
                out[col] = pd.array(
                    [None if pd.isna(v) else int(v) for v in pd.to_numeric(values)], dtype="Int64"
                )
            else:
                out[col] = pd.to_numeric(values)
    return out


def _read_xlsx(path: Path, label: str) -> pd.DataFrame:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise _refuse(
            label,
            f"the workbook cannot be read (corrupt or truncated): {exc}",
            "อ่านไฟล์ Excel ไม่ได้ (ไฟล์เสียหายหรือไม่สมบูรณ์)",
        ) from None
    try:
        ws = wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
    except Exception as exc:  # openpyxl inflates and parses lazily: any error is corruption
        raise _refuse(
            label,
            f"the workbook cannot be read (corrupt or truncated): {str(exc)[:120]}",
            "อ่านไฟล์ Excel ไม่ได้ (ไฟล์เสียหายหรือไม่สมบูรณ์)",
        ) from None
    finally:
        wb.close()
    if not rows:
        raise _refuse(label, "the workbook is empty", "ไฟล์ Excel ว่างเปล่า")
    header = [str(h) if h is not None else f"column_{i}" for i, h in enumerate(rows[0])]
    df = pd.DataFrame([list(r) for r in rows[1:]], columns=header)
    df = df.dropna(how="all")
    for col in df.columns:
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return _infer_types(df)


# ------------------------------------------------------------------------ CRS


def _resolve_crs(
    gdf: gpd.GeoDataFrame, *, crs: str | None, target: str, label: str, report: ImportReport
) -> gpd.GeoDataFrame:
    if crs:
        try:
            given = CRS.from_user_input(crs)
        except Exception:
            raise _refuse(
                label, f"unknown CRS {crs!r}", f"ไม่รู้จักระบบพิกัด {crs!r}", field="crs"
            ) from None
        if gdf.crs is not None and not CRS.from_user_input(gdf.crs).equals(given):
            report.warnings.append(
                _item(
                    Problem(
                        f"the file declares {gdf.crs.to_string()}; {crs} was given and used",
                        f"ไฟล์ระบุระบบพิกัด {gdf.crs.to_string()} แต่ใช้ {crs} ตามที่กำหนด",
                        file=label,
                        severity="warning",
                    )
                )
            )
        gdf = gdf.set_crs(given, allow_override=True)
    if gdf.crs is None:
        raise _refuse(
            label,
            "the file has no coordinate reference system (no .prj); give one with "
            "--crs EPSG:NNNN (for example EPSG:32647 for UTM 47N, EPSG:24047 for Indian 1975)",
            "ไฟล์ไม่มีระบบพิกัด (ไม่มีไฟล์ .prj) โปรดระบุด้วย --crs EPSG:NNNN "
            "(เช่น EPSG:32647 หรือ EPSG:24047)",
            field="crs",
        )
    where = _check_location(gdf, label)
    if where:
        raise ValidationError(where)
    source = CRS.from_user_input(gdf.crs)
    target_crs = CRS.from_user_input(target)
    report.source_crs = source.to_string()
    report.target_crs = target_crs.to_string()
    if source.equals(target_crs):
        report.transformation = {"code": None, "name": "none (already in the layer CRS)"}
        return gdf
    if source.geodetic_crs is not None and source.geodetic_crs.equals(INDIAN_1975):
        return _from_indian_1975(gdf, source, target_crs, report)
    transformer = Transformer.from_crs(source, target_crs, always_xy=True)
    report.transformation = {"code": None, "name": transformer.description}
    return gdf.to_crs(target_crs)


def _from_indian_1975(gdf, source: CRS, target: CRS, report: ImportReport):
    """Indian 1975 → target through the chosen EPSG:1304, never PROJ's default."""
    to_geog = Transformer.from_crs(source, INDIAN_1975, always_xy=True)
    datum = Transformer.from_pipeline(_INDIAN_TO_WGS84_GEOG)
    to_target = Transformer.from_crs("EPSG:4326", target, always_xy=True)

    def fn(x, y, z=None):
        lon, lat = to_geog.transform(x, y)
        lon, lat = datum.transform(lon, lat)
        return to_target.transform(lon, lat)

    geoms = shapely.transform(
        gdf.geometry.values,
        lambda xy: np.column_stack(fn(xy[:, 0], xy[:, 1])) if len(xy) else xy,
    )
    report.transformation = dict(INDIAN_1975_TRANSFORMATION)
    out = gdf.copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=target))
    return out


def _check_location(gdf: gpd.GeoDataFrame, label: str) -> list[Problem]:
    """Features outside Thailand, or that look like latitude and longitude swapped."""
    if gdf.empty:
        return []
    geoms = gdf.geometry.values
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return []
    b = shapely.bounds(np.asarray(geoms)[ok])
    source = CRS.from_user_input(gdf.crs)
    if not source.is_geographic or not source.equals(CRS.from_epsg(4326)):
        # Corners only (vectorised): enough to say "outside" or "swapped".
        t = Transformer.from_crs(source, "EPSG:4326", always_xy=True)
        x0, y0 = t.transform(b[:, 0], b[:, 1])
        x1, y1 = t.transform(b[:, 2], b[:, 3])
        b = np.column_stack(
            [np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1)]
        )
    b = np.where(np.isfinite(b), b, 1e9)
    minx, miny, maxx, maxy = THAILAND_BOUNDS
    inside = (b[:, 0] >= minx) & (b[:, 2] <= maxx) & (b[:, 1] >= miny) & (b[:, 3] <= maxy)
    swapped = (b[:, 1] >= minx) & (b[:, 3] <= maxx) & (b[:, 0] >= miny) & (b[:, 2] <= maxy)
    idx = np.flatnonzero(ok)
    problems = []
    for j in np.flatnonzero(~inside):
        i = int(idx[j])
        if swapped[j]:
            en = (
                f"coordinates ({b[j, 0]:.5f}, {b[j, 1]:.5f}) look like latitude and longitude "
                "swapped; Thailand is about 97–106° E, 5–21° N"
            )
            th = "พิกัดดูเหมือนสลับละติจูดกับลองจิจูด ประเทศไทยอยู่ที่ลองจิจูด 97–106 ละติจูด 5–21"
        else:
            en = f"coordinates ({b[j, 0]:.5f}, {b[j, 1]:.5f}) are outside Thailand"
            th = "พิกัดอยู่นอกประเทศไทย"
        problems.append(Problem(en, th, file=label, feature=i, field="geometry"))
    return problems


# ------------------------------------------------------------------ the stages


def _new_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:4]


def _locate(path: Path, workdir: Path, label: str, max_unzipped: int) -> Path:
    """The file to read: the path itself, or the data file inside a zip/KMZ."""
    suffix = path.suffix.lower()
    if suffix not in (".zip", ".kmz"):
        return path
    files = safe_extract(path, workdir, max_bytes=max_unzipped, file_label=label)
    if suffix == ".kmz":
        files = [f for f in files if f.suffix.lower() == ".kml"]
    candidates = {}
    for f in files:
        ext = f.suffix.lower()
        if ext in (".shp", ".gpkg", ".geojson", ".json", ".kml", ".csv", ".xlsx"):
            candidates.setdefault(ext, []).append(f)
    for ext in (".kml", ".shp", ".gpkg", ".geojson", ".json", ".csv", ".xlsx"):
        if candidates.get(ext):
            if suffix == ".kmz":
                doc = [f for f in candidates[ext] if f.name == "doc.kml"]
                return (doc or sorted(candidates[ext]))[0]
            return sorted(candidates[ext])[0]
    raise _refuse(
        label,
        "the archive holds no file the planner can read (.shp, .gpkg, .geojson, .kml, .csv, .xlsx)",
        "ไม่พบไฟล์ที่อ่านได้ในไฟล์ zip",
    )


def read_file(
    path: str | Path,
    *,
    encoding: str | None = None,
    source_layer: str | None = None,
    workdir: str | Path,
    max_bytes: int = MAX_FILE_BYTES,
    max_unzipped: int = MAX_UNZIPPED_BYTES,
    label: str | None = None,
    state: dict | None = None,
) -> gpd.GeoDataFrame:
    """Read any supported file into a GeoDataFrame in its own CRS (or none)."""
    state = state if state is not None else {}
    text = str(path)
    if "::" in text and source_layer is None:
        text, source_layer = text.split("::", 1)
    label = label or Path(text).name
    path = formats.check_path(text, label=label)
    if not path.exists():
        raise _refuse(label, "the file does not exist", "ไม่พบไฟล์")
    size = path.stat().st_size
    if size > max_bytes:
        raise _refuse(
            label,
            f"the file is {size:,} bytes, over the upload limit of {max_bytes:,}",
            f"ไฟล์มีขนาด {size:,} ไบต์ เกินขีดจำกัด {max_bytes:,} ไบต์",
        )
    if size == 0:
        raise _refuse(label, "the file is empty", "ไฟล์ว่างเปล่า")
    outer = formats.check_format(path, label=label, allowed=_READABLE)
    data = _locate(path, Path(workdir), label, max_unzipped)
    # The file inside a zip is checked too, named after the archive and the member.
    inner = f"{label}!{data.name}" if data != path else label
    fmt = formats.check_format(data, label=inner, allowed=_READABLE) if data != path else outer
    state["format"] = "kmz" if outer == "kmz" else fmt
    if fmt == "xlsx":
        formats.check_xlsx(data, label=inner)
    if fmt == "kml":
        return read_kml_bytes(data.read_bytes(), label=label)
    if fmt == "csv":
        return _table_to_gdf(_read_csv(data, label, encoding, state), label, state.get("crs"))
    if fmt == "xlsx":
        state["encoding"] = "utf-8 (xlsx)"
        return _table_to_gdf(_read_xlsx(data, label), label, state.get("crs"))
    if fmt == "gpkg":
        layers = _gpkg_layers(data, label)
        if source_layer is None:
            if len(layers) != 1:
                raise _refuse(
                    label,
                    f"the GeoPackage holds {len(layers)} layers ({', '.join(layers)}); "
                    "choose one with --source-layer NAME or PATH::NAME",
                    f"ไฟล์ GeoPackage มี {len(layers)} ชั้นข้อมูล โปรดเลือกหนึ่งชั้น",
                    field="source_layer",
                )
            source_layer = layers[0]
        elif source_layer not in layers:
            raise _refuse(
                label,
                f"the GeoPackage has no layer {source_layer!r}; it has {', '.join(layers)}",
                f"ไม่มีชั้นข้อมูล {source_layer!r} ในไฟล์",
                field="source_layer",
            )
        state["source_layer"] = source_layer
        return _read_vector(data, label, fmt=fmt, layer=source_layer, encoding=None, state=state)
    if fmt in ("shp", "geojson"):
        gdf = _read_vector(data, label, fmt=fmt, layer=None, encoding=encoding, state=state)
        sidecar = data.with_name(f"{data.stem}.fields.json")
        if fmt == "shp" and sidecar.exists():
            # Written by gis.exporting: full names of the 10-character DBF fields.
            try:
                names = json.loads(sidecar.read_text(encoding="utf-8"))
            except ValueError:
                names = {}
            names = {k: v for k, v in names.items() if isinstance(v, str) and k in gdf.columns}
            state["sidecar_map"] = names
            gdf = gdf.rename(columns=names)
        return gdf
    raise _refuse(
        label,
        f"unsupported file type {path.suffix!r}; the planner reads .gpkg, .shp, .zip, "
        ".geojson, .kml, .kmz, .csv and .xlsx",
        f"ไม่รองรับไฟล์ชนิด {path.suffix!r}",
    )


def _apply_field_map(gdf, field_map, label, report) -> gpd.GeoDataFrame:
    if not field_map:
        return gdf
    problems = []
    for src in field_map:
        if src not in gdf.columns:
            problems.append(
                Problem(
                    "the field to map is not in the file",
                    "ไม่มีฟิลด์นี้ในไฟล์",
                    file=label,
                    field=src,
                )
            )
    if problems:
        raise ValidationError(problems)
    report.field_map = {**report.field_map, **field_map}
    return gdf.rename(columns=field_map)


_BOOL_WORDS = {
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "yes": True,
    "no": False,
    "ใช่": True,
    "ไม่": False,
}


def _coerce_to_catalog(gdf, entry) -> gpd.GeoDataFrame:
    """Gentle type alignment that loses nothing: text-looking numbers, bool words."""
    gdf = gdf.copy()
    for name, spec in entry.fields.items():
        if name not in gdf.columns:
            continue
        col = gdf[name]
        if spec.type == "int" and not pd.api.types.is_integer_dtype(col.dtype):
            nums = _to_number(col)
            if (nums.notna() == col.notna()).all() and (nums.dropna() % 1 == 0).all():
                gdf[name] = nums.astype("Int64")
        elif spec.type == "float" and not pd.api.types.is_float_dtype(col.dtype):
            nums = _to_number(col)
            if (nums.notna() == col.notna()).all():
                gdf[name] = nums.astype(float)
        elif spec.type == "str" and not pd.api.types.is_string_dtype(col.dtype):
            if col.dtype != object:
                gdf[name] = col.astype("string").astype(object).where(col.notna(), None)
        elif spec.type == "bool" and not pd.api.types.is_bool_dtype(col.dtype):
            mapped = col.map(
                lambda v: _BOOL_WORDS.get(str(v).strip().lower()) if v is not None else None
            )
            if (mapped.notna() == col.notna()).all():
                gdf[name] = mapped.astype("boolean")
    return gdf


def read_and_validate(
    path: str | Path,
    *,
    layer: str,
    catalog: Catalog,
    store=None,
    mode: str = "replace",
    encoding: str | None = None,
    crs: str | None = None,
    field_map: dict[str, str] | None = None,
    source_layer: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    max_unzipped: int = MAX_UNZIPPED_BYTES,
    file_label: str | None = None,
    report: ImportReport | None = None,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read, validate, repair and reproject a file; write nothing.

    Returns the GeoDataFrame in the layer's catalogue CRS and the report. Raises
    `ValidationError` with every problem found (also kept in `report.problems`).
    """
    if mode not in ("replace", "append"):
        raise PlannerError(f"mode must be 'replace' or 'append', not {mode!r}")
    check_layer_name(layer)
    label = file_label or Path(str(path).split("::", 1)[0]).name
    report = report or ImportReport(id=_new_id(), file=label, layer=layer, mode=mode)
    report.created_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        gdf = _stages(
            path,
            layer=layer,
            catalog=catalog,
            store=store,
            mode=mode,
            encoding=encoding,
            crs=crs,
            field_map=field_map,
            source_layer=source_layer,
            max_bytes=max_bytes,
            max_unzipped=max_unzipped,
            label=label,
            report=report,
        )
    except ValidationError as exc:
        report.status = "refused"
        report.problems = [_item(p) for p in exc.problems]
        raise
    report.status = "validated"
    return gdf, report


def _stages(
    path,
    *,
    layer,
    catalog,
    store,
    mode,
    encoding,
    crs,
    field_map,
    source_layer,
    max_bytes,
    max_unzipped,
    label,
    report,
) -> gpd.GeoDataFrame:
    state: dict[str, Any] = {"crs": crs}
    with tempfile.TemporaryDirectory(prefix="planner-import-") as work:
        gdf = read_file(
            path,
            encoding=encoding,
            source_layer=source_layer,
            workdir=work,
            max_bytes=max_bytes,
            max_unzipped=max_unzipped,
            label=label,
            state=state,
        )
    report.format = state.get("format")
    report.source_layer = state.get("source_layer")
    report.encoding = state.get("encoding") or encoding
    report.encoding_detected = bool(state.get("encoding_detected"))
    report.features_read = len(gdf)
    if state.get("sidecar_map"):
        report.field_map = dict(state["sidecar_map"])
    gdf = gdf.reset_index(drop=True)
    if gdf.empty:
        raise _refuse(label, "the file holds no features", "ไฟล์ไม่มีข้อมูลเลย")

    entry = catalog.layers.get(layer)
    if entry is not None and entry.kind != "vector":
        raise _refuse(
            label,
            f"layer {layer} is a raster layer; files with features cannot go into it",
            f"ชั้นข้อมูล {layer} เป็นแรสเตอร์",
        )
    report.new_layer = entry is None
    gdf = _apply_field_map(gdf, field_map, label, report)
    target = entry.crs if entry is not None else catalog.storage_crs
    gdf = _resolve_crs(gdf, crs=crs, target=target, label=label, report=report)

    problems: list[Problem] = []
    if entry is not None:
        report.missing_fields = [f for f in entry.fields if f not in gdf.columns]
        report.unmapped_fields = [
            c for c in gdf.columns if c != gdf.geometry.name and c not in entry.fields
        ]
        gdf = _coerce_to_catalog(gdf, entry)

    geoms = gdf.geometry.values
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    invalid = ~empty & ~shapely.is_valid(geoms)
    if invalid.any():
        idx = np.flatnonzero(invalid)
        reasons = shapely.is_valid_reason(geoms[idx])
        repaired = shapely.make_valid(geoms[idx])
        if entry is not None and entry.geometry_type == "Polygon":
            repaired = np.array([_polygonal(g) for g in repaired], dtype=object)
        geoms = geoms.copy() if hasattr(geoms, "copy") else np.array(geoms)
        arr = np.asarray(gdf.geometry.values, dtype=object).copy()
        arr[idx] = repaired
        gdf = gdf.set_geometry(gpd.GeoSeries(arr, index=gdf.index, crs=gdf.crs))
        for i, reason in zip(idx, reasons, strict=True):
            report.fixed.append(
                _item(
                    Problem(
                        f"invalid geometry repaired with make_valid ({reason})",
                        f"ซ่อมรูปเรขาคณิตที่ไม่ถูกต้องด้วย make_valid ({reason})",
                        file=label,
                        feature=int(i),
                        field="geometry",
                        severity="warning",
                    )
                )
            )
    if entry is None:
        for i in np.flatnonzero(empty):
            problems.append(
                Problem(
                    "geometry is empty",
                    "ไม่มีรูปเรขาคณิต",
                    file=label,
                    feature=int(i),
                    field="geometry",
                )
            )
        # A user layer keeps the file's fields; one geometry family per layer.
        fams = {_family(t) for t in shapely.get_type_id(gdf.geometry.values[~empty])}
        if len(fams) > 1:
            problems.append(
                Problem(
                    f"the file mixes geometry types ({', '.join(sorted(fams))}); "
                    "a layer holds one kind",
                    "ไฟล์มีรูปเรขาคณิตหลายชนิดปนกัน",
                    file=label,
                    field="geometry",
                )
            )
    else:
        for p in validate_layer(gdf, entry, file=label):
            if p.field in report.missing_fields and p.message_en.startswith("required field"):
                p = Problem(
                    p.message_en
                    + "; map a file field to it with --map FILE_FIELD="
                    + p.field
                    + " (file fields: "
                    + (", ".join(report.unmapped_fields) or "none")
                    + ")",
                    p.message_th + " ใช้ --map เพื่อจับคู่ฟิลด์",
                    file=label,
                    layer=p.layer,
                    feature=p.feature,
                    field=p.field,
                    severity=p.severity,
                )
            problems.append(p)
    problems += _duplicates(gdf, entry, layer, store, mode, label)
    errors = [p for p in problems if p.severity == "error"]
    report.warnings += [_item(p) for p in problems if p.severity != "error"]
    if errors:
        raise ValidationError(errors)
    return gdf


def _family(type_id: int) -> str:
    return {
        0: "Point",
        4: "Point",
        1: "LineString",
        5: "LineString",
        2: "LineString",
        3: "Polygon",
        6: "Polygon",
    }.get(int(type_id), "GeometryCollection")


def _polygonal(geom):
    """make_valid may return a collection; keep its polygonal part."""
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return geom
    return shapely.union_all(parts)


def _id_field(entry, gdf) -> str | None:
    if entry is not None:
        for name in entry.fields:
            if name.endswith("_id") and name in gdf.columns:
                return name
    return None


def _duplicates(gdf, entry, layer, store, mode, label) -> list[Problem]:
    """Duplicates inside the file, and (append) against what is already stored."""
    problems = []
    id_field = _id_field(entry, gdf)
    if id_field:
        dup = gdf[id_field].duplicated(keep="first") & gdf[id_field].notna()
        for i in np.flatnonzero(dup.to_numpy()):
            problems.append(
                Problem(
                    f"id {gdf[id_field].iloc[i]!r} appears twice in the file",
                    f"รหัส {gdf[id_field].iloc[i]!r} ซ้ำในไฟล์",
                    file=label,
                    feature=int(i),
                    field=id_field,
                )
            )
    if mode != "append" or store is None or not store.has_layer(layer):
        return problems
    stored = store.read(layer)
    if id_field and id_field in stored.columns:
        existing = set(stored[id_field].dropna().astype(str))
        hit = gdf[id_field].astype(str).isin(existing) & gdf[id_field].notna()
        for i in np.flatnonzero(hit.to_numpy()):
            problems.append(
                Problem(
                    f"id {gdf[id_field].iloc[i]!r} is already in layer {layer}",
                    f"รหัส {gdf[id_field].iloc[i]!r} มีอยู่แล้วในชั้นข้อมูล {layer}",
                    file=label,
                    feature=int(i),
                    field=id_field,
                )
            )
    if len(stored):
        stored_wkb = set(
            shapely.to_wkb(shapely.set_precision(stored.to_crs(gdf.crs).geometry.values, 0.001))
        )
        mine = shapely.to_wkb(shapely.set_precision(gdf.geometry.values, 0.001))
        for i, w in enumerate(mine):
            if w is not None and w in stored_wkb:
                problems.append(
                    Problem(
                        f"the same geometry is already in layer {layer}",
                        f"รูปเรขาคณิตเดียวกันมีอยู่แล้วในชั้นข้อมูล {layer}",
                        file=label,
                        feature=i,
                        field="geometry",
                    )
                )
    return problems


# --------------------------------------------------------------------- writing

WRITE_ATTEMPTS = 5  # checks of an append against a layer other imports keep changing


def reports_dir(store) -> Path:
    return Path(store.home) / "imports"


def save_report(store, report: ImportReport) -> Path:
    folder = private_dir(reports_dir(store))
    return write_json_atomic(folder / f"{report.id}.json", report.to_dict())


def _record_kept_reports(store) -> None:
    """Copy reports kept with layers (a writer killed after its swap) to the folder."""
    kept = getattr(store, "kept_reports", None)
    if kept is not None:
        record_reports(Path(store.home), kept())


def load_report(store, report_id: str) -> dict[str, Any]:
    if not re.fullmatch(r"[0-9A-Za-z\-]{1,64}", report_id or ""):
        raise PlannerError(f"no import report {report_id!r}")
    path = reports_dir(store) / f"{report_id}.json"
    if not path.exists():
        _record_kept_reports(store)
    if not path.exists():
        raise PlannerError(f"no import report {report_id!r}")
    return json.loads(path.read_text(encoding="utf-8"))


def list_reports(store) -> list[dict[str, Any]]:
    _record_kept_reports(store)
    folder = reports_dir(store)
    if not folder.exists():
        return []
    out = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")]
    return sorted(out, key=lambda r: r.get("id", ""), reverse=True)


def import_file(
    path: str | Path,
    *,
    layer: str,
    catalog: Catalog,
    store,
    mode: str = "replace",
    encoding: str | None = None,
    crs: str | None = None,
    field_map: dict[str, str] | None = None,
    source_layer: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    max_unzipped: int = MAX_UNZIPPED_BYTES,
    file_label: str | None = None,
) -> ImportReport:
    """Validate then write atomically; the report is saved either way.

    The written report is kept with the layer version it made, in the same atomic
    step. An append is checked against the version it will be appended to: when
    another import wrote to the layer meanwhile, the file is checked again (up to
    `WRITE_ATTEMPTS` times) and then appended, or refused if it now clashes.
    On refusal, raises `ValidationError` (the report id is on `exc.report`)."""
    label = file_label or Path(str(path).split("::", 1)[0]).name
    report_id = _new_id()
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        report = ImportReport(id=report_id, file=label, layer=layer, mode=mode, attempts=attempt)
        # The version is read before the check, so the check saw it or a later one.
        seen = store.info(layer).version if store.has_layer(layer) else 0
        try:
            gdf, report = read_and_validate(
                path,
                layer=layer,
                catalog=catalog,
                store=store,
                mode=mode,
                encoding=encoding,
                crs=crs,
                field_map=field_map,
                source_layer=source_layer,
                max_bytes=max_bytes,
                max_unzipped=max_unzipped,
                file_label=label,
                report=report,
            )
        except ValidationError as exc:
            exc.report = report
            save_report(store, report)
            raise
        if attempt > 1:
            report.warnings.append(
                _item(
                    Problem(
                        f"another import wrote to layer {layer} at the same time; this file was"
                        f" checked again against version {seen} and added after it",
                        f"มีการนำเข้าอื่นเขียนชั้นข้อมูล {layer} ในเวลาเดียวกัน จึงตรวจไฟล์นี้ใหม่"
                        f"กับรุ่น {seen} แล้วเพิ่มต่อท้าย",
                        file=label,
                        layer=layer,
                        severity="warning",
                    )
                )
            )
        provenance = {
            "import_id": report.id,
            "file": label,
            "format": report.format,
            "source_crs": report.source_crs,
            "transformation": report.transformation,
            "imported_at": report.created_at,
        }
        report.status = "written"
        report.features_written = len(gdf)
        record = report.to_dict()
        try:
            info = store.write(
                layer,
                gdf,
                mode=mode,
                provenance=provenance,
                expected_version=seen if mode == "append" else None,
                report=record,
            )
        except VersionConflict:
            continue
        report.store_version = info.version
        save_report(store, report)
        return report
    clash = Problem(
        f"layer {layer} was changed by other imports {WRITE_ATTEMPTS} times while this"
        " file was being checked; nothing was written, import it again",
        f"ชั้นข้อมูล {layer} ถูกแก้ไขโดยการนำเข้าอื่น {WRITE_ATTEMPTS} ครั้งระหว่างตรวจไฟล์นี้"
        " จึงไม่ได้เขียนข้อมูล กรุณานำเข้าใหม่อีกครั้ง",
        file=label,
        layer=layer,
    )
    report.status = "refused"
    report.features_written = 0
    report.problems = [_item(clash)]
    save_report(store, report)
    exc = ValidationError([clash])
    exc.report = report
    raise exc


def copy_upload(stream, dest: Path, *, max_bytes: int = MAX_FILE_BYTES) -> int:
    """Copy an upload to `dest`, counting bytes; refuse past `max_bytes`."""
    total = 0
    with open(dest, "wb") as out:
        while chunk := stream.read(1 << 16):
            total += len(chunk)
            if total > max_bytes:
                raise _refuse(
                    dest.name,
                    f"the upload is over the size limit of {max_bytes:,} bytes",
                    f"ไฟล์ที่อัปโหลดใหญ่เกินขีดจำกัด {max_bytes:,} ไบต์",
                )
            out.write(chunk)
    return total


__all__ = [
    "ImportReport",
    "import_file",
    "read_and_validate",
    "read_file",
    "safe_extract",
    "read_kml_bytes",
    "save_report",
    "load_report",
    "list_reports",
    "copy_upload",
    "shutil",
]
