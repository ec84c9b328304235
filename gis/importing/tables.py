"""Tables: CSV (UTF-8, TIS-620/cp874 or whatever the bytes say) and Excel workbooks.

They are read into plain DataFrames; `gis.importing.kobo` finds their coordinates."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from gis import formats
from gis.errors import Problem, ValidationError
from gis.importing.options import ReadNotes
from gis.importing.report import refuse


def decode_text(raw: bytes, encoding: str | None) -> tuple[str, str, bool]:
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


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def to_number(series: pd.Series) -> pd.Series:
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        series = series.astype("string").str.translate(_THAI_DIGITS).str.strip()
    return pd.to_numeric(series, errors="coerce")


def read_csv(path: Path, label: str, encoding: str | None, notes: ReadNotes) -> pd.DataFrame:
    """A CSV with its delimiter (`;`, `,` or tab) guessed from the header line."""
    raw = path.read_bytes()
    try:
        text, enc, detected = decode_text(raw, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise refuse(
            label, f"the text encoding cannot be read: {exc}", "อ่านรหัสอักขระของไฟล์ไม่ได้"
        ) from None
    notes.encoding, notes.encoding_detected = enc, detected
    delimiter = sniff_delimiter(text)
    check_field_counts(text, delimiter, label)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except Exception as exc:
        raise refuse(label, f"the CSV cannot be read: {exc}", "อ่านไฟล์ CSV ไม่ได้") from None
    df = df.replace({"": None})
    return _infer_types(df)


MAX_ROWS_LISTED = 20


# A layer's fields: GDAL's GeoPackage stops at 2,000 (and failed after 30 s of work).
MAX_COLUMNS = 1_000


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV, `;`, `,` or tab, whichever its header line holds most."""
    first = text.split("\n", 1)[0]
    return max([";", ",", "\t"], key=first.count)


def check_field_counts(text: str, delimiter: str, label: str) -> None:
    """Refuse rows with more fields than the header, naming each by its spreadsheet row
    (the header is row 1), before they shift their values into the wrong columns."""
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(rows, None)
        if header is None:
            return
        if len(header) > MAX_COLUMNS:
            raise refuse(
                label,
                f"the header has {len(header):,} columns, more than {MAX_COLUMNS:,}",
                f"แถวหัวตารางมี {len(header):,} คอลัมน์ เกิน {MAX_COLUMNS:,} คอลัมน์",
            )
        long = [(n, row) for n, row in enumerate(rows, start=2) if len(row) > len(header)]
    except csv.Error:
        return  # left to pandas, which names what it cannot read
    if not long:
        return
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    problems = []
    for n, row in long[:MAX_ROWS_LISTED]:
        line = delimiter.join(row)
        line = line if len(line) <= 80 else line[:77] + "..."
        problems.append(
            Problem(
                f"row {n} has {len(row)} fields but the header (row 1) has {len(header)}; "
                f"a value holding the separator {shown} must be in double quotes: {line}",
                f"แถวที่ {n} มี {len(row)} ช่อง แต่หัวตาราง (แถวที่ 1) มี {len(header)} ช่อง "
                f'ค่าที่มีตัวคั่น {shown} ต้องครอบด้วยเครื่องหมายคำพูด "...": {line}',
                file=label,
                feature=f"row {n}",
            )
        )
    if len(long) > MAX_ROWS_LISTED:
        more = len(long) - MAX_ROWS_LISTED
        problems.append(
            Problem(
                f"and {more} more row(s) with more fields than the header",
                f"และอีก {more} แถวที่มีจำนวนช่องมากกว่าหัวตาราง",
                file=label,
            )
        )
    raise ValidationError(problems)


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


def read_xlsx(path: Path, label: str) -> pd.DataFrame:
    """The first sheet of a workbook, its first row the header."""
    wb = formats.open_workbook(path, label=label)
    try:
        ws = wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
    except Exception as exc:  # openpyxl inflates and parses lazily: any error is corruption
        raise formats.corrupt_workbook(label, exc) from None
    finally:
        wb.close()
    if not rows:
        raise refuse(label, "the workbook is empty", "ไฟล์ Excel ว่างเปล่า")
    header = [str(h) if h is not None else f"column_{i}" for i, h in enumerate(rows[0])]
    df = pd.DataFrame([list(r) for r in rows[1:]], columns=header)
    df = df.dropna(how="all")
    for col in df.columns:
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return _infer_types(df)
