"""Survey exports read into plain submissions: KoBoToolbox XLSX, CSV and media zips,
and ODK Central's "CSV zip". Generic: it knows no form, only how the exports are laid out.

Which export a file is comes from its content, never its suffix. Every file is hostile:
zips go through `gis.formats.check_zip`, workbooks through `check_xlsx`, CSV rows with too
many fields through `tables.check_field_counts`; rows, columns, cells, repeats and photos
are bounded. A refusal is a `ValidationError` naming the file, the row and the column, in
Thai and English; what is only doubtful is a warning and the rest is read.

Column names lose their group prefixes: KoBo joins groups with `/` (`head/head_name`),
ODK Central with `-` (`head-head_name`), so the name is the part after the last
separator. XLSForm names may hold `-` (never `/`): an ODK Central field named `photo-1`
would read as `1`; the planner's generated forms never use `-`. Metadata columns keep
their own names: KoBo's start with `_` (`_id`, `_uuid`, `_index`, `__version__` …),
ODK Central's are listed in `ODK_METADATA`. Two columns that would lose their prefixes
to the same name both keep their full names (and a warning says so).

The geopoint named `geopoint` is read into `RawSubmission.gps` and left out of `fields`.
A row without a usable instance id is kept with `instance_id=None` and a warning: the
importer, which deduplicates by instance id, decides what to do with it. Duplicate
instance ids (a re-sent submission) are all kept.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath

from gis import formats
from gis.errors import Problem, ValidationError
from gis.importing.options import MAX_FILE_BYTES
from gis.importing.tables import check_field_counts, decode_text, sniff_delimiter

SOURCES = ("kobo_xlsx", "kobo_csv", "odk_central_zip", "kobo_zip")
MAX_MEDIA_BYTES = 10 * 1024 * 1024
MAX_MEDIA_PER_SUBMISSION = 2  # zip entries allowed per submission, beyond MAX_ZIP_ENTRIES
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
MAX_WARNINGS = 200
ODK_METADATA = frozenset(
    {
        "SubmissionDate",
        "KEY",
        "PARENT_KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
    }
)
_GPS_PARTS = ("latitude", "longitude", "altitude", "accuracy")
_KOBO_GPS = {"latitude": "latitude", "longitude": "longitude", "altitude": "altitude"}
_KOBO_GPS["accuracy"] = "precision"
_INSTANCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")
MAX_INSTANCE_ID = 120  # with its "uuid:" prefix: the register keeps no longer one
_JPEG, _PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"


@dataclass
class RawSubmission:
    """One submission as the export holds it, all values text."""

    row: int  # spreadsheet row / CSV record (the header is row 1)
    instance_id: str | None  # "uuid:…"
    fields: dict[str, str]
    # repeat name → its rows in order, each with "_row"; every repeat read is a key
    repeats: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    gps: tuple[float, float, float | None, float | None] | None = None  # lat, lon, alt, acc
    submitted_at: str | None = None


@dataclass
class SurveyExport:
    """What one export file holds."""

    filename: str
    source: str  # one of SOURCES
    submissions: list[RawSubmission]
    # photo → bytes (JPEG or PNG only), by `<folder>/<name>` and by name; see `photo_for`
    media: dict[str, bytes]
    warnings: list[dict]  # {en, th, file, row, column}


@dataclass
class _Table:
    label: str  # the file (or zip member) named in messages
    name: str  # sheet title or CSV stem
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, values as text)


# ----------------------------------------------------------------- messages


def _where(row, column) -> tuple[str, str]:
    en = ", ".join(
        p for p in (row and f"row {row}", column is not None and f"column {column}") if p
    )
    th = " ".join(p for p in (row and f"แถวที่ {row}", column is not None and f"คอลัมน์ {column}") if p)
    return (f"{en}: " if en else ""), (f"{th}: " if th else "")


def _refuse(label: str, en: str, th: str, *, row=None, column=None) -> ValidationError:
    where_en, where_th = _where(row, column)
    return ValidationError(
        [
            Problem(
                where_en + en,
                where_th + th,
                file=label,
                feature=None if row is None else f"row {row}",
                field=column,
            )
        ]
    )


class _Warnings(list):
    """Warnings as {en, th, file, row, column}, at most MAX_WARNINGS of them."""

    dropped = 0

    def add(self, label: str, en: str, th: str, *, row=None, column=None) -> None:
        if len(self) >= MAX_WARNINGS:
            self.dropped += 1
            return
        where_en, where_th = _where(row, column)
        self.append(
            {
                "en": f"{label}: {where_en}{en}",
                "th": f"{label}: {where_th}{th}",
                "file": label,
                "row": row,
                "column": column,
            }
        )

    def finish(self, label: str) -> list[dict]:
        if self.dropped:
            n = self.dropped
            self.append(
                {
                    "en": f"{label}: and {n} more warning(s)",
                    "th": f"{label}: และคำเตือนอีก {n} รายการ",
                    "file": label,
                    "row": None,
                    "column": None,
                }
            )
        return list(self)


# ------------------------------------------------------------------- entry


def read_survey_export(
    path: str | Path,
    *,
    filename: str | None = None,
    geopoint: str = "location",
    max_submissions: int = 20_000,
    max_repeat: int = 40,
) -> SurveyExport:
    """Read a KoBoToolbox XLSX/CSV/zip or ODK Central CSV zip export into submissions.

    `filename` names the file in messages (default: the path's name); `geopoint` is the
    geopoint field read into `gps`. Refuses (ValidationError) anything else, and more
    than `max_submissions` submissions or `max_repeat` rows of one repeat in one."""
    path = Path(path)
    label = filename or path.name
    if path.is_symlink() or not path.is_file():
        raise _refuse(label, "the file does not exist or is not a regular file", "ไม่พบไฟล์")
    with open(path, "rb") as fh:
        head = fh.read(8192)
    kind = formats.sniff(head)
    warnings = _Warnings()
    limits = (max_submissions, max_repeat)
    if kind == "zip":
        # A survey zip is the table plus the photos, a few per submission: the usual
        # 1,000-entry bound of a zip would refuse any survey of more than ~1,000 houses.
        entries = formats.MAX_ZIP_ENTRIES + MAX_MEDIA_PER_SUBMISSION * max_submissions
        infos = formats.check_zip(path, label=label, max_entries=entries)
        if _is_workbook(infos):
            main, repeats = _read_xlsx(path, label, limits, warnings)
            source, media, flavour = "kobo_xlsx", {}, "kobo"
        else:
            source, flavour, main, repeats, media = _read_zip(path, infos, label, limits, warnings)
    elif kind == "text":
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _refuse(
                label,
                f"the CSV is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
                f"ไฟล์ CSV ใหญ่เกิน {MAX_FILE_BYTES // (1024 * 1024)} MB",
            )
        main = _read_csv(path.read_bytes(), label, path.stem, max_submissions)
        if "KEY" in main.header:
            raise _refuse(
                label,
                "this is the main table of an ODK Central export; upload the whole "
                "'CSV zip' download, which also holds the repeats and the photos",
                "ไฟล์นี้เป็นตารางหลักของ ODK Central กรุณาอัปโหลดไฟล์ zip ทั้งไฟล์ "
                "(ดาวน์โหลดแบบ CSV zip) ซึ่งมีข้อมูลสมาชิกและรูปถ่ายด้วย",
            )
        _warn_no_repeats(label, warnings)
        source, flavour, repeats, media = "kobo_csv", "kobo", [], {}
    else:
        is_en, is_th = formats._CONTENT[kind]
        if kind == "xml" and re.search(rb"<\s*(!doctype\s+)?html", head, re.I):
            is_en, is_th = "an HTML page", "หน้าเว็บ HTML"
        raise _refuse(
            label,
            f"the file's content is {is_en}; expected a KoBoToolbox export (XLSX, CSV or "
            "zip) or an ODK Central 'CSV zip'",
            f"เนื้อหาของไฟล์เป็น{is_th} ไม่ใช่ไฟล์ส่งออกจาก KoBoToolbox (XLSX, CSV หรือ zip) "
            "หรือ ODK Central (CSV zip)",
        )
    submissions = _build(main, repeats, flavour, geopoint, limits, warnings)
    return SurveyExport(label, source, submissions, media, warnings.finish(label))


def _warn_no_repeats(label: str, warnings: _Warnings) -> None:
    warnings.add(
        label,
        "a KoBoToolbox CSV export holds only the main table: repeat groups (such as "
        "household members) are not in it; export as XLSX, or as a zip with the photos",
        "ไฟล์ CSV จาก KoBoToolbox มีเฉพาะตารางหลัก ไม่มีข้อมูลกลุ่มซ้ำ (เช่น สมาชิกครัวเรือน) "
        "กรุณาส่งออกเป็น XLSX หรือดาวน์โหลดไฟล์ zip พร้อมรูปถ่าย",
    )


def _is_workbook(infos: list[zipfile.ZipInfo]) -> bool:
    names = {i.filename for i in infos}
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


# ------------------------------------------------------------------- cells


def _text(value) -> str:
    """A cell as text: whole numbers without `.0`, dates in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _check_header(header: list[str], label: str) -> list[str]:
    out, seen = [], set()
    for i, name in enumerate(header, start=1):
        name = name.strip() or f"column_{i}"
        if name in seen:
            raise _refuse(
                label,
                "the column appears twice in the header; values could be read from the wrong one",
                "หัวตารางมีคอลัมน์นี้ซ้ำสองครั้ง",
                row=1,
                column=name,
            )
        seen.add(name)
        out.append(name)
    return out


def _check_cells(values: list[str], header: list[str], label: str, row: int) -> None:
    for name, value in zip(header, values, strict=False):
        if len(value) > MAX_CELL_CHARS:
            raise _refuse(
                label,
                f"the value has {len(value):,} characters, more than {MAX_CELL_CHARS:,}",
                f"ค่ามี {len(value):,} ตัวอักษร เกิน {MAX_CELL_CHARS:,} ตัวอักษร",
                row=row,
                column=name,
            )


# -------------------------------------------------------------------- XLSX


def _read_xlsx(path: Path, label: str, limits, warnings: _Warnings):
    """The main (first) sheet and the repeat sheets (those with `_parent_index`)."""
    formats.check_xlsx(path, label=label)
    max_submissions, max_repeat = limits
    wb = formats.open_workbook(path, label=label)
    try:
        sheets = list(wb.worksheets)
        if not sheets:
            raise _refuse(label, "the workbook has no sheet", "ไฟล์ Excel ไม่มีแผ่นงาน")
        main = _read_sheet(sheets[0], label, min(formats.MAX_XLSX_ROWS, max_submissions))
        tables = [
            _read_sheet(ws, label, min(formats.MAX_XLSX_ROWS, max_submissions * max_repeat))
            for ws in sheets[1:]
        ]
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl inflates and parses lazily: any error is corruption
        raise formats.corrupt_workbook(label, exc) from None
    finally:
        wb.close()
    repeats = []
    names = {t.name for t in tables}
    for t in tables:
        if "_parent_index" not in t.header:
            warnings.add(
                label,
                f"sheet {t.name!r} is not a repeat (no _parent_index column); it is not read",
                f"แผ่นงาน {t.name!r} ไม่ใช่ข้อมูลกลุ่มซ้ำ (ไม่มีคอลัมน์ _parent_index) จึงไม่ได้อ่าน",
            )
            continue
        parent = _first_value(t, "_parent_table_name")
        if parent in names and parent != t.name:
            warnings.add(
                label,
                f"sheet {t.name!r} is a repeat inside the repeat {parent!r}; nested repeats "
                "are not read",
                f"แผ่นงาน {t.name!r} เป็นกลุ่มซ้ำซ้อนใน {parent!r} ซึ่งระบบไม่อ่าน",
            )
            continue
        repeats.append(t)
    return main, repeats


def _first_value(table: _Table, column: str) -> str | None:
    if column not in table.header or not table.rows:
        return None
    i = table.header.index(column)
    values = table.rows[0][1]
    return values[i] if i < len(values) else None


def _read_sheet(ws, label: str, max_rows: int) -> _Table:
    """A sheet's rows as text; refused at the first row past `max_rows` below the header
    (blank rows count: a sparse sheet would otherwise yield a million empty rows)."""
    sheet_label = f"{label} [{ws.title}]"
    max_cols = formats.MAX_XLSX_COLUMNS
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for n, cells in enumerate(ws.iter_rows(values_only=True, max_col=max_cols + 1), start=1):
        if n > max_rows + 1:
            raise _refuse(
                sheet_label,
                f"the sheet has more than {max_rows:,} rows below its header",
                f"แผ่นงานมีมากกว่า {max_rows:,} แถว (ไม่นับหัวตาราง)",
                row=n,
            )
        if header is None:
            cells = _trim(cells)  # read-only openpyxl pads rows to max_col
            if len(cells) > max_cols:
                raise _refuse(
                    sheet_label,
                    f"the header has more than {max_cols} columns",
                    f"หัวตารางมีมากกว่า {max_cols} คอลัมน์",
                    row=1,
                )
            header = _check_header([_text(c) for c in cells], sheet_label)
            continue
        values = [_text(c) for c in cells[: len(header)]]
        if len(cells) > len(header) and any(c not in (None, "") for c in cells[len(header) :]):
            raise _refuse(
                sheet_label,
                f"the row has values beyond the {len(header)} columns of the header",
                f"แถวนี้มีค่าเกินจำนวนคอลัมน์ของหัวตาราง ({len(header)} คอลัมน์)",
                row=n,
            )
        if not any(values):
            continue
        _check_cells(values, header, sheet_label, n)
        rows.append((n, values))
    if header is None:
        raise _refuse(sheet_label, "the sheet is empty", "แผ่นงานว่างเปล่า")
    return _Table(sheet_label, ws.title, header, rows)


def _trim(cells: tuple) -> tuple:
    end = len(cells)
    while end and cells[end - 1] in (None, ""):
        end -= 1
    return cells[:end]


# --------------------------------------------------------------------- CSV


def _read_csv(raw: bytes, label: str, name: str, max_rows: int) -> _Table:
    """A CSV (`;`, `,` or tab; UTF-8 with or without BOM, or a Thai code page)."""
    try:
        text, _, _ = decode_text(raw, None)
    except (UnicodeDecodeError, LookupError) as exc:
        raise _refuse(
            label, f"the text encoding cannot be read: {exc}", "อ่านรหัสอักขระของไฟล์ไม่ได้"
        ) from None
    delimiter = sniff_delimiter(text)
    check_field_counts(text, delimiter, label)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    n = 1
    try:
        for n, values in enumerate(reader, start=1):
            if header is None:
                header = _check_header(values, label)
                continue
            if n > max_rows + 1:
                raise _refuse(
                    label,
                    f"the table has more than {max_rows:,} rows below its header",
                    f"ตารางมีมากกว่า {max_rows:,} แถว (ไม่นับหัวตาราง)",
                    row=n,
                )
            if not any(v.strip() for v in values):
                continue
            values = values + [""] * (len(header) - len(values))
            _check_cells(values, header, label, n)
            rows.append((n, values))
    except csv.Error as exc:
        raise _refuse(
            label,
            f"the CSV cannot be read ({exc})",
            "อ่านไฟล์ CSV ไม่ได้ (รูปแบบไม่ถูกต้องหรือค่ายาวเกินไป)",
            row=n + 1,
        ) from None
    if header is None:
        raise _refuse(label, "the CSV is empty", "ไฟล์ CSV ว่างเปล่า")
    return _Table(label, name, header, rows)


# --------------------------------------------------------------------- zips


def _read_zip(path: Path, infos, label: str, limits, warnings: _Warnings):
    """A KoBo zip (one XLSX or CSV and attachments) or an ODK Central CSV zip."""
    max_submissions, max_repeat = limits
    workbooks, csvs, media = [], [], {}
    origin: dict[str, str] = {}
    with zipfile.ZipFile(path) as zf:
        for info in infos:
            if info.is_dir() or info.filename.startswith("__MACOSX/"):
                continue
            member = f"{label}/{info.filename}"
            base = PurePosixPath(info.filename.replace("\\", "/")).name
            head = _read_member(zf, info, label, limit=16)
            if head.startswith(b"PK\x03\x04"):
                workbooks.append(info)
            elif (
                base.lower().endswith(".csv")
                and not _is_attachment(info.filename)
                and formats.sniff(head) in ("text", "empty")
            ):
                csvs.append(info)
            elif not head.startswith((_JPEG, _PNG)):
                warnings.add(
                    member,
                    "not a JPEG or PNG photo (by its content); it is skipped",
                    "ไม่ใช่รูปถ่าย JPEG หรือ PNG (ตามเนื้อหาไฟล์) จึงข้ามไฟล์นี้",
                )
            elif info.file_size > MAX_MEDIA_BYTES:
                warnings.add(
                    member,
                    f"the photo is {info.file_size / 1e6:.1f} MB, more than "
                    f"{MAX_MEDIA_BYTES // (1024 * 1024)} MB; it is skipped",
                    f"รูปถ่ายขนาด {info.file_size / 1e6:.1f} MB เกิน "
                    f"{MAX_MEDIA_BYTES // (1024 * 1024)} MB จึงข้ามไฟล์นี้",
                )
            elif (key := _media_key(info.filename)) in media:
                warnings.add(
                    member,
                    f"another photo has the same name ({origin[key]}); only the first is read",
                    f"มีรูปถ่ายชื่อซ้ำกัน ({origin[key]}) ระบบอ่านเฉพาะไฟล์แรก",
                )
            else:
                data = _read_member(zf, info, label, limit=MAX_MEDIA_BYTES)
                media[key] = data
                origin[key] = info.filename
                # By name alone too, for a flat media folder (ODK Central's media/).
                media.setdefault(base, data)
        if len(workbooks) > 1 or (workbooks and csvs):
            names = ", ".join(i.filename for i in [*workbooks, *csvs][:5])
            raise _refuse(
                label,
                f"the zip holds more than one table ({names}); expected one KoBoToolbox "
                "export with its attachments, or one ODK Central CSV zip",
                f"ไฟล์ zip มีตารางมากกว่าหนึ่งไฟล์ ({names})",
            )
        if workbooks:
            info = workbooks[0]
            main, repeats = _read_inner_xlsx(zf, info, label, limits, warnings)
            return "kobo_zip", "kobo", main, repeats, media
        if not csvs:
            raise _refuse(
                label,
                "the zip holds no survey table (.xlsx or .csv); expected a KoBoToolbox "
                "export with its attachments, or an ODK Central CSV zip",
                "ไฟล์ zip ไม่มีตารางข้อมูลสำรวจ (.xlsx หรือ .csv)",
            )
        tables = []
        for info in csvs:
            if info.file_size > MAX_FILE_BYTES:
                raise _refuse(
                    f"{label}/{info.filename}",
                    f"the CSV is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
                    f"ไฟล์ CSV ใหญ่เกิน {MAX_FILE_BYTES // (1024 * 1024)} MB",
                )
            raw = _read_member(zf, info, label, limit=MAX_FILE_BYTES)
            stem = PurePosixPath(info.filename).stem
            bound = max_submissions * max_repeat
            tables.append(_read_csv(raw, f"{label}/{info.filename}", stem, bound))
    if len(tables) == 1 and "KEY" not in tables[0].header:
        main = tables[0]
        if len(main.rows) > max_submissions:
            raise _too_many_submissions(main, max_submissions)
        _warn_no_repeats(main.label, warnings)
        return "kobo_zip", "kobo", main, [], media
    mains = [t for t in tables if "PARENT_KEY" not in t.header]
    if len(mains) != 1 or "KEY" not in mains[0].header:
        raise _refuse(
            label,
            "the zip holds several CSV tables but not one ODK Central main table (with a "
            "KEY column and no PARENT_KEY column)",
            "ไฟล์ zip มีหลายตาราง CSV แต่ไม่มีตารางหลักของ ODK Central "
            "(มีคอลัมน์ KEY และไม่มี PARENT_KEY) เพียงหนึ่งตาราง",
        )
    main = mains[0]
    if len(main.rows) > max_submissions:
        raise _too_many_submissions(main, max_submissions)
    repeats = []
    for t in tables:
        if t is not main:
            short = t.name.removeprefix(main.name + "-")
            t.name = short.rsplit("-", 1)[-1]
            repeats.append(t)
    return "odk_central_zip", "odk", main, repeats, media


def _media_key(name: str) -> str:
    """`<folder>/<file name>`: KoBo keeps each submission's photos in a folder named by its
    instance id, so two submissions' `1700000000.jpg` stay apart (see `photo_for`)."""
    path = PurePosixPath(name.replace("\\", "/"))
    return f"{path.parent.name}/{path.name}"


def photo_for(media: dict[str, bytes], instance_id: str | None, filename: str) -> bytes | None:
    """A submission's photo: the one in its own instance folder, else the one by name."""
    uuid = (instance_id or "").removeprefix("uuid:")
    return media.get(f"{uuid}/{filename}") or media.get(filename)


def _is_attachment(name: str) -> bool:
    """Under ODK Central's `media/` or KoBo's `…/attachments/…`: a file a form collected."""
    parts = PurePosixPath(name.replace("\\", "/")).parts[:-1]
    return "media" in parts or "attachments" in parts


def _too_many_submissions(main: _Table, max_submissions: int) -> ValidationError:
    return _refuse(
        main.label,
        f"the export holds more than {max_submissions:,} submissions",
        f"ไฟล์มีแบบสำรวจมากกว่า {max_submissions:,} ชุด",
        row=main.rows[max_submissions][0],
    )


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, *, limit: int) -> bytes:
    try:
        with zf.open(info) as fh:
            return fh.read(limit)
    except formats.CORRUPT_ARCHIVE as exc:
        raise _refuse(
            f"{label}/{info.filename}",
            f"the zip member cannot be read (corrupt, truncated or encrypted: {exc})",
            "อ่านไฟล์ในไฟล์ zip ไม่ได้ (เสียหาย ไม่สมบูรณ์ หรือเข้ารหัส)",
        ) from None


def _read_inner_xlsx(zf, info, label: str, limits, warnings: _Warnings):
    inner = f"{label}/{info.filename}"
    if info.file_size > MAX_FILE_BYTES:
        raise _refuse(
            inner,
            f"the workbook is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
            f"ไฟล์ Excel ใหญ่เกิน {MAX_FILE_BYTES // (1024 * 1024)} MB",
        )
    raw = _read_member(zf, info, label, limit=MAX_FILE_BYTES)
    with tempfile.TemporaryDirectory(prefix="survey-") as tmp:
        target = Path(tmp) / "export.xlsx"
        target.write_bytes(raw)
        if not _is_workbook(formats.check_zip(target, label=inner)):
            raise _refuse(
                inner,
                "the zip inside the zip is not an Excel workbook",
                "ไฟล์ zip ที่อยู่ในไฟล์ zip ไม่ใช่ไฟล์ Excel",
            )
        return _read_xlsx(target, inner, limits, warnings)


# ------------------------------------------------------------ submissions


@dataclass
class _Columns:
    """How a table's columns map to field names, the geopoint and the instance id."""

    names: list[str | None]  # field name per column (None: a geopoint column)
    gps_parts: dict[str, int]  # latitude/longitude/altitude/accuracy → column index
    gps_text: int | None


def _short_name(raw: str, flavour: str) -> str:
    if flavour == "kobo":
        if raw.startswith("_"):
            return "_" + raw.rsplit("/", 1)[-1].lstrip("_") if "/" in raw else raw
        return raw.rsplit("/", 1)[-1]
    if raw in ODK_METADATA or raw.startswith("SET-OF-"):
        return raw
    parts = raw.split("-")
    if len(parts) > 1 and parts[-1].lower() in _GPS_PARTS:
        return "-".join(parts[-2:])
    return parts[-1]


def _columns(table: _Table, flavour: str, geopoint: str, warnings: _Warnings) -> _Columns:
    gps_parts: dict[str, int] = {}
    gps_text = None
    names: list[str | None] = []
    for i, raw in enumerate(table.header):
        part = _gps_part(raw, flavour, geopoint)
        if part:
            gps_parts.setdefault(part, i)
            names.append(None)
            continue
        short = _short_name(raw, flavour)
        if short == geopoint:
            gps_text = i if gps_text is None else gps_text
            names.append(None)
            continue
        names.append(short)
    counts: dict[str, int] = {}
    for n in names:
        if n is not None:
            counts[n] = counts.get(n, 0) + 1
    for i, n in enumerate(names):
        if n is not None and counts[n] > 1:
            names[i] = table.header[i]
    clashes = sorted(n for n, c in counts.items() if c > 1)
    if clashes:
        warnings.add(
            table.label,
            f"columns in different groups share the names {', '.join(clashes)}; they keep "
            "their full names with the group",
            f"คอลัมน์ในกลุ่มต่างกันมีชื่อซ้ำกัน ({', '.join(clashes)}) จึงใช้ชื่อเต็มพร้อมชื่อกลุ่ม",
        )
    return _Columns(names, gps_parts, gps_text)


def _gps_part(raw: str, flavour: str, geopoint: str) -> str | None:
    if flavour == "kobo":
        last = raw.rsplit("/", 1)[-1]
        for part, suffix in _KOBO_GPS.items():
            if last == f"_{geopoint}_{suffix}" or (
                raw.startswith("_") and "/" in raw and last == f"{geopoint}_{suffix}"
            ):
                return part
        return None
    for part in _GPS_PARTS:
        tail = f"{geopoint}-{part}"
        if raw.lower().endswith(tail.lower()) and (
            len(raw) == len(tail) or raw[-len(tail) - 1] == "-"
        ):
            return part
    return None


def _build(main: _Table, repeats, flavour: str, geopoint: str, limits, warnings):
    max_submissions, max_repeat = limits
    if len(main.rows) > max_submissions:
        raise _too_many_submissions(main, max_submissions)
    cols = _columns(main, flavour, geopoint, warnings)
    if not {"instanceID", "KEY", "_uuid"} & set(cols.names):
        raise _refuse(
            main.label,
            "the table has no instance id column (meta/instanceID, _uuid or KEY): it is not "
            "a KoBoToolbox or ODK Central export (export with XML values and headers)",
            "ตารางไม่มีคอลัมน์รหัสแบบสำรวจ (meta/instanceID, _uuid หรือ KEY) "
            "จึงไม่ใช่ไฟล์ส่งออกจาก KoBoToolbox หรือ ODK Central "
            "(กรุณาส่งออกแบบ XML values and headers)",
            row=1,
        )
    submissions = []
    for n, values in main.rows:
        fields = {name: v for name, v in zip(cols.names, values, strict=False) if name}
        submissions.append(
            RawSubmission(
                row=n,
                instance_id=_instance_id(fields, main.label, n, warnings),
                fields=fields,
                gps=_gps(cols, values, main, n, warnings),
                submitted_at=fields.get("_submission_time") or fields.get("SubmissionDate") or None,
            )
        )
    _join_repeats(main, submissions, repeats, flavour, geopoint, max_repeat, warnings)
    return submissions


def _instance_id(fields: dict[str, str], label: str, row: int, warnings) -> str | None:
    for column in ("instanceID", "KEY", "_uuid"):
        value = fields.get(column, "").strip()
        if not value:
            continue
        if not _INSTANCE_ID.match(value) or len(_uuid(value)) > MAX_INSTANCE_ID:
            warnings.add(
                label,
                f"{value[:60]!r} is not an instance id; the submission is read without one",
                f"{value[:60]!r} ไม่ใช่รหัสแบบสำรวจ (instance id) จึงอ่านโดยไม่มีรหัส",
                row=row,
                column=column,
            )
            return None
        return _uuid(value)
    warnings.add(
        label,
        "the submission has no instance id (meta/instanceID, KEY or _uuid); it cannot be "
        "told apart from a re-sent copy",
        "แบบสำรวจนี้ไม่มีรหัส (meta/instanceID, KEY หรือ _uuid) จึงแยกไม่ออกว่าเป็นชุดที่ส่งซ้ำหรือไม่",
        row=row,
    )
    return None


def _uuid(value: str) -> str:
    return value if value.startswith("uuid:") else f"uuid:{value}"


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _gps(cols: _Columns, values: list[str], table: _Table, row: int, warnings):
    """(lat, lon, alt, acc) from the split columns, else the "lat lon alt acc" text."""

    def cell(i):
        return values[i] if i is not None and i < len(values) else ""

    parts = {k: cell(i) for k, i in cols.gps_parts.items()}
    column = None
    try:
        if parts.get("latitude", "").strip() or parts.get("longitude", "").strip():
            column = table.header[cols.gps_parts["latitude"]]
            nums = [_number(parts.get(k, "")) for k in _GPS_PARTS]
        elif cell(cols.gps_text).strip():
            column = table.header[cols.gps_text]
            words = cell(cols.gps_text).split()
            if len(words) not in (2, 3, 4):
                raise ValueError(cell(cols.gps_text))
            nums = [_number(w) for w in words] + [None] * (4 - len(words))
        else:
            return None
        lat, lon, alt, acc = nums
        if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
            raise ValueError
        if acc is not None and acc < 0:
            raise ValueError
    except (ValueError, KeyError):
        warnings.add(
            table.label,
            "the GPS point is not 'latitude longitude altitude accuracy' in degrees and "
            "metres; the submission is read without it",
            "จุด GPS ไม่อยู่ในรูปแบบ 'ละติจูด ลองจิจูด ความสูง ความแม่นยำ' จึงอ่านโดยไม่มีตำแหน่ง",
            row=row,
            column=column,
        )
        return None
    return lat, lon, alt, acc


def _join_repeats(main, submissions, repeats, flavour, geopoint, max_repeat, warnings):
    """Each repeat row onto its submission: KoBo `_parent_index` → `_index`, ODK Central
    `PARENT_KEY` → `KEY`. A duplicated key takes the rows to every submission with it."""
    key, parent_key = ("_index", "_parent_index") if flavour == "kobo" else ("KEY", "PARENT_KEY")
    if repeats and key not in main.header:
        raise _refuse(
            main.label,
            f"the main table has no {key} column, so its repeats cannot be joined to it",
            f"ตารางหลักไม่มีคอลัมน์ {key} จึงเชื่อมข้อมูลกลุ่มซ้ำไม่ได้",
            row=1,
        )
    by_key: dict[str, list[RawSubmission]] = {}
    for s in submissions:
        value = s.fields.get(key, "").strip()
        if value:
            by_key.setdefault(value, []).append(s)
    if flavour == "kobo":
        for value, group in by_key.items():
            if len(group) > 1:
                raise _refuse(
                    main.label,
                    f"_index {value!r} appears on more than one row",
                    f"_index {value!r} ซ้ำกันมากกว่าหนึ่งแถว",
                    row=group[1].row,
                    column="_index",
                )
    for table in repeats:
        cols = _columns(table, flavour, geopoint, warnings)
        if parent_key not in table.header:
            raise _refuse(
                table.label,
                f"the repeat table has no {parent_key} column",
                f"ตารางกลุ่มซ้ำไม่มีคอลัมน์ {parent_key}",
                row=1,
            )
        p = table.header.index(parent_key)
        first = table.rows[0][1][p] if table.rows and p < len(table.rows[0][1]) else ""
        if flavour == "odk" and "/" in first:
            warnings.add(
                table.label,
                f"{table.name!r} is a repeat inside another repeat ({parent_key} "
                f"{first[:60]!r}); nested repeats are not read",
                f"{table.name!r} เป็นกลุ่มซ้ำซ้อนในกลุ่มซ้ำอื่น ซึ่งระบบไม่อ่าน",
            )
            continue
        for s in submissions:
            s.repeats.setdefault(table.name, [])
        for n, values in table.rows:
            owners = by_key.get(values[p].strip() if p < len(values) else "")
            if not owners:
                warnings.add(
                    table.label,
                    f"the repeat row points at no submission ({parent_key} "
                    f"{values[p][:60]!r}); it is skipped",
                    f"แถวของกลุ่มซ้ำนี้ไม่ตรงกับแบบสำรวจใด ({parent_key} {values[p][:60]!r}) จึงข้ามแถวนี้",
                    row=n,
                    column=parent_key,
                )
                continue
            item = {name: v for name, v in zip(cols.names, values, strict=False) if name}
            item["_row"] = str(n)
            for s in owners:
                rows = s.repeats[table.name]
                if len(rows) >= max_repeat:
                    raise _refuse(
                        table.label,
                        f"the submission on row {s.row} of the main table has more than "
                        f"{max_repeat} rows of the repeat {table.name!r}",
                        f"แบบสำรวจในแถวที่ {s.row} ของตารางหลักมีข้อมูลกลุ่มซ้ำ {table.name!r} "
                        f"เกิน {max_repeat} แถว",
                        row=n,
                        column=parent_key,
                    )
                rows.append(dict(item))
        if flavour == "odk":
            for value, group in by_key.items():
                if len(group) > 1 and any(s.repeats[table.name] for s in group):
                    warnings.add(
                        main.label,
                        f"KEY {value[:60]!r} is on rows {', '.join(str(s.row) for s in group)}; "
                        f"each gets the same {table.name!r} rows",
                        f"KEY {value[:60]!r} ซ้ำในแถวที่ {', '.join(str(s.row) for s in group)} "
                        f"ทุกแถวได้ข้อมูล {table.name!r} ชุดเดียวกัน",
                        column="KEY",
                    )


__all__ = [
    "MAX_MEDIA_BYTES",
    "ODK_METADATA",
    "SOURCES",
    "RawSubmission",
    "SurveyExport",
    "read_survey_export",
]
