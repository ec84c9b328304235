"""Containers: zip archives (zipped shapefiles and the like) and KMZ, opened safely."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from gis import formats
from gis.errors import Problem, ValidationError
from gis.formats import MAX_UNZIPPED_BYTES
from gis.importing.options import MAX_FILE_BYTES
from gis.importing.report import refuse

_DATA_SUFFIXES = (".kml", ".shp", ".gpkg", ".geojson", ".json", ".csv", ".xlsx")


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
    _refuse_virtual_members(infos, label)
    dest = dest.resolve()
    out: list[Path] = []
    budget = [max_bytes]  # bytes still allowed, across members
    with zipfile.ZipFile(archive) as zf:
        for info in infos:
            if info.is_dir() or not formats.zip_member_allowed(info.filename):
                continue
            target = (dest / info.filename).resolve()
            if not target.is_relative_to(dest):
                raise refuse(
                    label,
                    "zip entry would be written outside the extraction folder "
                    "(zip slip); the archive is refused",
                    "รายการในไฟล์ zip จะถูกเขียนออกนอกโฟลเดอร์ (zip slip) จึงไม่รับไฟล์นี้",
                    feature=info.filename,
                )
            _extract_member(zf, info, target, label, budget, max_bytes)
            out.append(target)
    return out


def _refuse_virtual_members(infos, label: str) -> None:
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


_CORRUPT = (
    zipfile.BadZipFile,
    EOFError,
    OSError,
    ValueError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
)


def _extract_member(zf, info, target: Path, label: str, budget: list[int], limit: int) -> None:
    """Copy one member, counting bytes against what the archive may still expand to."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zf.open(info) as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 16):
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise refuse(
                        label,
                        f"the archive expands beyond the limit of {limit:,} bytes (zip bomb?)",
                        f"ไฟล์ zip ขยายเกินขีดจำกัด {limit:,} ไบต์",
                    )
                dst.write(chunk)
    except _CORRUPT as exc:
        if isinstance(exc, ValidationError):
            raise
        raise refuse(
            label,
            f"the archive is corrupt or truncated ({exc})",
            "ไฟล์ zip เสียหายหรือไม่สมบูรณ์",
            feature=info.filename,
        ) from None
    with open(target, "rb") as fh:
        if formats.sniff(fh.read(8192)) == "gdal-xml":
            raise refuse(
                label,
                "an archive member is a GDAL virtual file (VRT/WMS XML) that reads "
                "other files or URLs; the archive is refused",
                "ไฟล์ในไฟล์ zip เป็นไฟล์เสมือนของ GDAL (VRT) ซึ่งอาจอ่านไฟล์อื่น จึงไม่รับ",
                feature=info.filename,
            )


def locate(path: Path, workdir: Path, label: str, max_unzipped: int) -> Path:
    """The file to read: the path itself, or the data file inside a zip/KMZ.

    In a KMZ only KML counts, and doc.kml first; otherwise the first kind found in
    the order of `_DATA_SUFFIXES`, the first name of that kind."""
    suffix = path.suffix.lower()
    if suffix not in (".zip", ".kmz"):
        return path
    files = safe_extract(path, workdir, max_bytes=max_unzipped, file_label=label)
    if suffix == ".kmz":
        files = [f for f in files if f.suffix.lower() == ".kml"]
    for ext in _DATA_SUFFIXES:
        found = sorted(f for f in files if f.suffix.lower() == ext)
        if found:
            doc = [f for f in found if f.name == "doc.kml"] if suffix == ".kmz" else []
            return (doc or found)[0]
    raise refuse(
        label,
        "the archive holds no file the planner can read (.shp, .gpkg, .geojson, .kml, .csv, .xlsx)",
        "ไม่พบไฟล์ที่อ่านได้ในไฟล์ zip",
    )


def copy_upload(stream, dest: Path, *, max_bytes: int = MAX_FILE_BYTES) -> int:
    """Copy an upload to `dest`, counting bytes; refuse past `max_bytes`."""
    total = 0
    with open(dest, "wb") as out:
        while chunk := stream.read(1 << 16):
            total += len(chunk)
            if total > max_bytes:
                raise refuse(
                    dest.name,
                    f"the upload is over the size limit of {max_bytes:,} bytes",
                    f"ไฟล์ที่อัปโหลดใหญ่เกินขีดจำกัด {max_bytes:,} ไบต์",
                )
            out.write(chunk)
    return total
