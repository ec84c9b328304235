"""Upload formats decided from content, and GDAL kept to the driver of that format.

GDAL picks its driver from a file's bytes, not its name: a `.geojson` that is
really `<OGRVRTDataSource>` would read any file on the server, and a GeoJSON
`crs` link makes GDAL fetch a URL. So every upload is sniffed here first
(`check_format`), the content must match the suffix, and only then is it
opened, with the one driver for that format (`gdal_path`, `open_raster`) and
with GDAL's network access turned off. Zip containers (shapefile zips, KMZ,
XLSX) share one set of limits (`check_zip`). See docs/decisions/0009-upload-formats.md.
"""

from __future__ import annotations

import json
import re
import sqlite3
import stat
import zipfile
import zlib
from pathlib import Path

from gis.errors import Problem, ValidationError

# One rule for every zip-based container (.zip, .kmz, .xlsx).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
MAX_ZIP_RATIO = 100  # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
# A workbook is parsed cell by cell: its XML is held to a much smaller size.
MAX_XLSX_UNZIPPED_BYTES = 40 * 1024 * 1024
MAX_XLSX_ROWS = 200_000
MAX_XLSX_COLUMNS = 500

SUFFIX_FORMATS = {
    ".gpkg": "gpkg",
    ".shp": "shp",
    ".zip": "zip",
    ".kmz": "kmz",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".geojson": "geojson",
    ".json": "geojson",
    ".kml": "kml",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".tif": "tif",
    ".tiff": "tif",
}
_NAMES = {
    "gpkg": ("a GeoPackage", "GeoPackage"),
    "shp": ("a shapefile", "Shapefile"),
    "zip": ("a zip archive", "ไฟล์ zip"),
    "kmz": ("a KMZ (zipped KML)", "KMZ"),
    "xlsx": ("an Excel workbook", "Excel"),
    "geojson": ("GeoJSON", "GeoJSON"),
    "kml": ("KML", "KML"),
    "csv": ("a CSV table", "CSV"),
    "tif": ("a GeoTIFF", "GeoTIFF"),
}
# What the bytes look like, said plainly in the refusal.
_CONTENT = {
    "sqlite": ("an SQLite database", "ฐานข้อมูล SQLite"),
    "zip": ("a zip archive", "ไฟล์ zip"),
    "shp": ("a shapefile .shp", "ไฟล์ .shp"),
    "tiff": ("a TIFF image", "ภาพ TIFF"),
    "json": ("JSON", "JSON"),
    "xml": ("XML", "XML"),
    "gdal-xml": ("a GDAL virtual file (VRT/WMS XML) that reads other files or URLs", "ไฟล์ VRT"),
    "text": ("plain text", "ข้อความ"),
    "binary": ("binary data of an unknown kind", "ข้อมูลไบนารีที่ไม่รู้จัก"),
    "empty": ("empty", "ไฟล์ว่าง"),
}
# Root elements (and header markers) of GDAL's XML "virtual" formats.
_GDAL_XML = re.compile(
    rb"<\s*(OGRVRTDataSource|VRTDataset|GDAL_WMS|GDAL_WCS|GDAL_WMTS|GDALTileIndexDataset"
    rb"|WFS_GetCapabilities|OGRWFSDataSource|PAMDataset|OGRGMLAS)\b"
)
_SQLITE = b"SQLite format 3\x00"
_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
_SHP_MAGIC = b"\x00\x00\x27\x0a"
_TIFF = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-_]+:")
# Members a zip may hold: readable data, shapefile parts, KMZ images, notes.
_SHAPE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj", ".qix", ".sbn", ".sbx"}
_DATA = {".gpkg", ".geojson", ".json", ".kml", ".csv", ".xlsx"}
_HARMLESS = {".png", ".jpg", ".jpeg", ".gif", ".txt", ".pdf", ".xml", ".qml", ".md", ".html"}
_REFUSED_MEMBERS = {".vrt", ".ovr", ".aux", ".msk", ".xml.aux", ".lnk"}


# What reading a damaged, truncated or encrypted zip member may raise.
CORRUPT_ARCHIVE = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    EOFError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
)


def open_workbook(path: Path, *, label: str):
    """An openpyxl workbook, read-only with values: refused in Thai and English when
    openpyxl cannot open it (call `check_xlsx` first; the caller closes it)."""
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl parses lazily: any error is a damaged file
        raise corrupt_workbook(label, exc) from None


def corrupt_workbook(label: str, exc: Exception) -> ValidationError:
    return refuse(
        label,
        f"the workbook cannot be read (corrupt or truncated): {str(exc)[:120]}",
        "อ่านไฟล์ Excel ไม่ได้ (ไฟล์เสียหายหรือไม่สมบูรณ์)",
    )


def refuse(file: str, en: str, th: str, **kw) -> ValidationError:
    """One problem that refuses the whole file."""
    return ValidationError([Problem(en, th, file=file, **kw)])


def check_path(path: str | Path, *, label: str) -> Path:
    """A local file path: refuse GDAL virtual paths (/vsicurl/, /vsizip/ …), URLs and
    driver prefixes (CSV:, GPKG: …). Returns it made absolute."""
    text = str(path)
    if "/vsi" in text.replace("\\", "/").lower() or _SCHEME.match(text):
        raise refuse(
            label,
            "the path is a URL, a GDAL virtual path (/vsi…) or a driver prefix; "
            "only plain local files are read",
            "เส้นทางไฟล์เป็น URL หรือเส้นทางเสมือนของ GDAL (/vsi…) อ่านได้เฉพาะไฟล์ในเครื่องเท่านั้น",
        )
    return Path(text).absolute()


def sniff(head: bytes) -> str:
    """What the first bytes are: sqlite, zip, shp, tiff, json, xml, gdal-xml, text,
    binary or empty."""
    if not head:
        return "empty"
    if head.startswith(_SQLITE):
        return "sqlite"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(_SHP_MAGIC):
        return "shp"
    if head.startswith(_TIFF):
        return "tiff"
    if _GDAL_XML.search(head):
        return "gdal-xml"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with a byte order mark
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if b"\x00" in head[:4096]:
        return "binary"
    if body.startswith(b"{") or body.startswith(b"["):
        return "json"
    if body.startswith(b"<"):
        return "xml"
    return "text"


def _expected(fmt: str, kind: str, head: bytes) -> bool:
    if fmt == "gpkg":
        return kind == "sqlite" and head[68:72] in _GPKG_IDS
    if fmt == "shp":
        return kind == "shp"
    if fmt in ("zip", "kmz", "xlsx"):
        return kind == "zip"
    if fmt == "geojson":
        return kind == "json"
    if fmt == "kml":
        return kind == "xml" and _xml_root(head) == "kml"
    if fmt == "csv":
        return kind == "text"
    if fmt == "tif":
        return kind == "tiff"
    return False


def _xml_root(head: bytes) -> str | None:
    """Local name of the first element, past the XML declaration and comments."""
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    text = re.sub(r"<\?.*?\?>|<!--.*?-->", "", text, flags=re.S)
    m = re.search(r"<\s*([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)", text)
    return m.group(2).lower() if m else None


def check_format(path: str | Path, *, label: str, allowed: tuple[str, ...] | None = None) -> str:
    """The format of `path` from its suffix, confirmed by its content; refuses a
    mismatch (a `.geojson` that is XML, a `.tif` that is VRT XML …)."""
    path = Path(path)
    suffix = path.suffix.lower()
    fmt = SUFFIX_FORMATS.get(suffix)
    if fmt is None or (allowed is not None and fmt not in allowed):
        kinds = allowed or tuple(dict.fromkeys(SUFFIX_FORMATS.values()))
        raise refuse(
            label,
            f"unsupported file type {suffix or '(none)'!r}; expected {', '.join(kinds)}",
            f"ไม่รองรับไฟล์ชนิด {suffix or '(ไม่มี)'!r} (รองรับ {', '.join(kinds)})",
        )
    if path.is_symlink() or not path.is_file():
        raise refuse(label, "the file does not exist or is not a regular file", "ไม่พบไฟล์")
    with open(path, "rb") as fh:
        head = fh.read(8192)
    kind = sniff(head)
    if not _expected(fmt, kind, head):
        what_en, what_th = _NAMES[fmt]
        is_en, is_th = _CONTENT[kind]
        if fmt == "gpkg" and kind == "sqlite":
            is_en, is_th = "an SQLite database that is not a GeoPackage", "SQLite ที่ไม่ใช่ GeoPackage"
        if fmt == "kml" and kind == "xml":
            root = _xml_root(head) or "?"
            is_en, is_th = f"XML with root <{root}>, not <kml>", f"XML ที่มี root <{root}>"
        raise refuse(
            label,
            f"the file is named {suffix} but its content is {is_en}, not {what_en}; "
            "it is refused for safety",
            f"ไฟล์ชื่อ {suffix} แต่เนื้อหาเป็น {is_th} ไม่ใช่ {what_th} จึงไม่รับไฟล์นี้เพื่อความปลอดภัย",
        )
    if fmt == "geojson":
        _check_geojson_head(path, label)
    if fmt == "gpkg":
        check_gpkg_schema(path, label=label)
    return fmt


# A GeoPackage's own spatial index is the one virtual table an upload may hold.
_RTREE = re.compile(r"\s*create\s+virtual\s+table\s+\S+\s+using\s+rtree\s*\(", re.I)


def check_gpkg_schema(path: Path, *, label: str) -> None:
    """Plain tables only: refuse views, virtual tables (bar the R-tree index) and
    generated columns, which SQLite evaluates when GDAL reads the file. SpatiaLite's
    VirtualText table, for one, reads any file on the server."""
    uri = f"{Path(path).absolute().as_uri()}?mode=ro&immutable=1"
    try:
        con = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        raise _refuse_schema(label, "cannot be opened as SQLite", "เปิดเป็น SQLite ไม่ได้") from None
    try:
        rows = con.execute("SELECT type, name, rootpage, sql FROM sqlite_master").fetchall()
        for kind, name, rootpage, sql in rows:
            sql = sql or ""
            if kind == "view":
                raise _refuse_schema(label, f"holds a view ({name!r})", f"มีวิว (view) {name!r}")
            if kind != "table":
                continue
            virtual = rootpage == 0 or re.search(r"\bvirtual\b", sql, re.I)
            if virtual and not _RTREE.match(sql):
                raise _refuse_schema(
                    label, f"holds a virtual table ({name!r})", f"มีตารางเสมือน {name!r}"
                )
            if not virtual:
                generated = [
                    col[1]
                    for col in con.execute(f'PRAGMA table_xinfo("{name.replace(chr(34), "")}")')
                    if col[6] in (2, 3)
                ]
                if generated:
                    raise _refuse_schema(
                        label,
                        f"table {name!r} has computed columns ({', '.join(generated)})",
                        f"ตาราง {name!r} มีคอลัมน์ที่คำนวณ ({', '.join(generated)})",
                    )
    except sqlite3.Error as exc:
        raise refuse(
            label,
            f"the GeoPackage is corrupt or truncated ({str(exc)[:80]})",
            "ไฟล์ GeoPackage เสียหายหรือไม่สมบูรณ์",
        ) from None
    finally:
        con.close()


def _refuse_schema(label: str, what_en: str, what_th: str):
    return refuse(
        label,
        f"the GeoPackage {what_en}; only plain feature tables are read from an upload. "
        "Export the layer again as a plain GeoPackage (QGIS: Export → Save Features As)",
        f"GeoPackage นี้{what_th} ระบบรับเฉพาะตารางข้อมูลธรรมดา "
        "กรุณาส่งออกชั้นข้อมูลใหม่เป็น GeoPackage ธรรมดา (QGIS: Export → Save Features As)",
    )


def _check_geojson_head(path: Path, label: str) -> None:
    """A GeoJSON object whose `crs`, if any, is a plain name (GDAL fetches `link` CRSs)."""
    try:
        doc = json.loads(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    except (ValueError, RecursionError) as exc:
        raise refuse(
            label,
            f"the GeoJSON is not valid JSON (corrupt or truncated): {str(exc)[:120]}",
            "ไฟล์ GeoJSON ไม่ใช่ JSON ที่ถูกต้อง (เสียหายหรือไม่สมบูรณ์)",
        ) from None
    if not isinstance(doc, dict):
        raise refuse(
            label,
            "the GeoJSON is not a JSON object (FeatureCollection, Feature or geometry)",
            "ไฟล์ GeoJSON ต้องเป็นออบเจกต์ JSON (FeatureCollection)",
        )
    crs = doc.get("crs")
    if crs is None:
        return
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    ok = (
        isinstance(crs, dict)
        and str(crs.get("type", "")).lower() == "name"
        and isinstance(name, str)
        and re.fullmatch(r"[A-Za-z0-9:._\- ]{1,100}", name) is not None
        and "://" not in name
    )
    if not ok:
        raise refuse(
            label,
            "the GeoJSON 'crs' member must be a named CRS (e.g. urn:ogc:def:crs:EPSG::32647); "
            "linked or URL CRSs are refused because reading them would fetch from the network",
            "ระบบพิกัด (crs) ใน GeoJSON ต้องเป็นชื่อ เช่น EPSG:32647 "
            "ไม่รับแบบลิงก์หรือ URL เพราะต้องดึงข้อมูลจากเครือข่าย",
            field="crs",
        )


def gdal_path(path: Path, fmt: str) -> str:
    """The string handed to GDAL: absolute, with the driver forced where GDAL allows."""
    path = Path(path).absolute()
    prefix = {"geojson": "GeoJSON:", "gpkg": "GPKG:"}.get(fmt, "")
    return f"{prefix}{path}"


# ----------------------------------------------------------------------- zips


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return stat.S_ISLNK(mode) if mode else False


def check_zip(
    path: Path,
    *,
    label: str,
    max_bytes: int = MAX_UNZIPPED_BYTES,
    max_entries: int = MAX_ZIP_ENTRIES,
    max_ratio: int = MAX_ZIP_RATIO,
) -> list[zipfile.ZipInfo]:
    """Members of a zip container, refused before anything is inflated when they
    are too many, expand too far (total or per member ratio), are symlinks, or
    would land outside the folder (zip slip). Python's zipfile stops at each
    member's declared size, so the declared sizes bound what is read later."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise refuse(
            label,
            f"the file is not a readable zip archive (corrupt or truncated: {exc})",
            "ไฟล์ zip เสียหายหรือไม่สมบูรณ์ อ่านไม่ได้",
        ) from None
    if len(infos) > max_entries:
        raise refuse(
            label,
            f"the archive holds {len(infos)} entries, more than {max_entries}",
            f"ไฟล์ zip มี {len(infos)} รายการ เกินกำหนด {max_entries}",
        )
    problems = []
    for info in infos:
        name = info.filename.replace("\\", "/")
        if (
            not name
            or name.startswith("/")
            or ".." in Path(name).parts
            or re.match(r"^[A-Za-z]:", name)
        ):
            problems.append(
                Problem(
                    "zip entry would be written outside the extraction folder "
                    "(zip slip); the archive is refused",
                    "รายการในไฟล์ zip จะถูกเขียนออกนอกโฟลเดอร์ (zip slip) จึงไม่รับไฟล์นี้",
                    file=label,
                    feature=info.filename,
                )
            )
        elif _is_symlink(info):
            problems.append(
                Problem(
                    "zip entry is a symbolic link; links are refused",
                    "รายการในไฟล์ zip เป็นลิงก์ (symlink) ซึ่งไม่รับ",
                    file=label,
                    feature=info.filename,
                )
            )
        elif info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            problems.append(
                Problem(
                    f"zip entry expands {ratio:,.0f} times ({info.compress_size:,} → "
                    f"{info.file_size:,} bytes), more than {max_ratio} times (zip bomb?)",
                    f"รายการในไฟล์ zip ขยายตัว {ratio:,.0f} เท่า เกินกำหนด {max_ratio} เท่า",
                    file=label,
                    feature=info.filename,
                )
            )
    if problems:
        raise ValidationError(problems)
    declared = sum(i.file_size for i in infos)
    if declared > max_bytes:
        raise refuse(
            label,
            f"the archive expands to {declared:,} bytes, more than the limit of "
            f"{max_bytes:,} (zip bomb?)",
            f"ไฟล์ zip ขยายได้ {declared:,} ไบต์ เกินขีดจำกัด {max_bytes:,} ไบต์",
        )
    return infos


def zip_member_allowed(name: str) -> bool:
    """Whether a zip member is extracted: data, shapefile parts, KMZ images, notes."""
    low = name.lower()
    if low.endswith(".aux.xml") or Path(low).suffix in _REFUSED_MEMBERS:
        return False
    suffix = Path(low).suffix
    return suffix in _SHAPE_PARTS or suffix in _DATA or suffix in _HARMLESS


def refused_member(name: str) -> bool:
    """A member that is never accepted in any archive (VRT, PAM sidecar, overview)."""
    low = name.lower()
    return low.endswith(".aux.xml") or Path(low).suffix in _REFUSED_MEMBERS


def check_xlsx(path: Path, *, label: str) -> None:
    """An .xlsx that is a real workbook, small enough to parse, before openpyxl
    touches it: the zip rule, a tighter total, and the declared sheet size."""
    infos = check_zip(path, label=label, max_bytes=MAX_XLSX_UNZIPPED_BYTES)
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise refuse(
            label,
            "the file is named .xlsx but is not an Excel workbook "
            "(no [Content_Types].xml or xl/workbook.xml)",
            "ไฟล์ชื่อ .xlsx แต่ไม่ใช่ไฟล์ Excel",
        )
    with zipfile.ZipFile(path) as zf:
        for info in infos:
            if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", info.filename):
                continue
            try:
                with zf.open(info) as fh:
                    head = fh.read(4096)
            except CORRUPT_ARCHIVE as exc:
                raise refuse(
                    label,
                    f"the workbook is corrupt ({exc})",
                    "ไฟล์ Excel เสียหาย",
                    feature=info.filename,
                ) from None
            m = re.search(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?([A-Z]+)(\d+)"', head)
            if not m:
                continue
            cols = 0
            for ch in m.group(1).decode():
                cols = cols * 26 + ord(ch) - 64
            rows = int(m.group(2))
            if rows > MAX_XLSX_ROWS or cols > MAX_XLSX_COLUMNS:
                raise refuse(
                    label,
                    f"the sheet declares {rows:,} rows × {cols:,} columns, more than "
                    f"{MAX_XLSX_ROWS:,} × {MAX_XLSX_COLUMNS}",
                    f"แผ่นงานมี {rows:,} แถว × {cols:,} คอลัมน์ เกินกำหนด",
                    feature=info.filename,
                )


# --------------------------------------------------------------------- GDAL

# GDAL never goes to the network for an upload: curl requests go to a dead proxy
# and /vsicurl/ (and /vsis3/ …) accept no file name at all.
NO_NETWORK = {
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/nonexistent/planner-no-network",
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
}
# Rasters also skip PAM sidecars (<file>.aux.xml) and sibling files (.ovr overviews).
RASTER_ENV = {
    **NO_NETWORK,
    "GDAL_PAM_ENABLED": "NO",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
}


def harden_pyogrio() -> None:
    """Turn GDAL's network access off in pyogrio's GDAL (process-wide; the planner
    never reads from the network)."""
    import pyogrio

    pyogrio.set_gdal_config_options(NO_NETWORK)


def open_raster(path: str | Path, *, label: str | None = None):
    """A GeoTIFF opened read-only with the GTiff driver only, no sidecars, no network.

    Refuses anything that is not a TIFF by content (e.g. a `.tif` that is VRT XML)."""
    import rasterio

    label = label or Path(str(path)).name
    path = check_path(path, label=label)
    check_format(path, label=label, allowed=("tif",))
    with rasterio.Env(**RASTER_ENV):
        try:
            return rasterio.open(path, driver="GTiff")
        except (rasterio.errors.RasterioIOError, OSError) as exc:
            raise refuse(
                label,
                f"the raster cannot be opened ({str(exc).splitlines()[0] if str(exc) else exc})",
                "เปิดไฟล์แรสเตอร์ไม่ได้",
            ) from None


__all__ = [
    "MAX_UNZIPPED_BYTES",
    "MAX_ZIP_ENTRIES",
    "MAX_ZIP_RATIO",
    "check_format",
    "check_path",
    "check_xlsx",
    "check_zip",
    "gdal_path",
    "harden_pyogrio",
    "open_raster",
    "refuse",
    "refused_member",
    "sniff",
    "zip_member_allowed",
]
