"""Dates as Thai readers write them: Buddhist Era years, short Thai month names.

The one date formatter of the planner: Python (`format_date`, `thai_date`, and
`format_month` for a month without a day), the templates (app/i18n's filters) and the
browser (`date_table`, sent in each page's JSON data) all use these tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

BUDDHIST_ERA_OFFSET = 543
THAI_MONTHS = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]

EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def be_year(year: int) -> int:
    """A Common Era year as a Buddhist Era year: 2011 → 2554."""
    return int(year) + BUDDHIST_ERA_OFFSET


def display_year(year: int, lang: str) -> int:
    """The year as a reader of `lang` counts it: Buddhist Era in Thai."""
    return be_year(year) if lang == "th" else int(year)


def date_table() -> dict[str, Any]:
    """The month names and year offsets per language, for the browser's formatter."""
    return {
        "months": {"th": THAI_MONTHS, "en": EN_MONTHS},
        "year_offset": {"th": BUDDHIST_ERA_OFFSET, "en": 0},
    }


def as_date(value: Any) -> date | None:
    """A date from a date, datetime, pandas Timestamp or ISO text; None if there is none."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def format_date(value: Any, lang: str = "th", *, buddhist_era: bool | None = None) -> str:
    """'2019-04-09' as '9 เม.ย. 2562' in Thai (Buddhist Era) or '9 Apr 2019' in English
    ('9 Apr 2562 BE' when `buddhist_era` is asked for); '' when there is no date."""
    d = as_date(value)
    if d is None:
        return ""
    if buddhist_era is None:
        buddhist_era = lang == "th"
    year = be_year(d.year) if buddhist_era else d.year
    if lang == "th":
        return f"{d.day} {THAI_MONTHS[d.month - 1]} {year}"
    return f"{d.day} {EN_MONTHS[d.month - 1]} {year}{' BE' if buddhist_era else ''}"


def as_month(value: Any) -> tuple[int, int] | None:
    """(year, month) from 'YYYY-MM', a date, datetime, Timestamp or ISO date text."""
    text = str(value).strip() if isinstance(value, str) else None
    if text is not None and len(text) == 7 and text[4] == "-":
        try:
            year, month = int(text[:4]), int(text[5:])
        except ValueError:
            return None
        return (year, month) if 1 <= month <= 12 else None
    d = as_date(value)
    return (d.year, d.month) if d is not None else None


def format_month(value: Any, lang: str = "th", *, buddhist_era: bool | None = None) -> str:
    """A month, with no day: '2020-03' as 'มี.ค. 2563' in Thai (Buddhist Era) or
    'Mar 2020' in English; '' when there is none."""
    ym = as_month(value)
    if ym is None:
        return ""
    year, month = ym
    if buddhist_era is None:
        buddhist_era = lang == "th"
    shown = be_year(year) if buddhist_era else year
    if lang == "th":
        return f"{THAI_MONTHS[month - 1]} {shown}"
    return f"{EN_MONTHS[month - 1]} {shown}{' BE' if buddhist_era else ''}"


def thai_date(value: Any) -> str:
    """'2011-10-10' as '10 ต.ค. 2554' (Buddhist Era); '' when there is no date."""
    return format_date(value, "th")


def english_date(value: Any) -> str:
    """'2011-10-10' as '10 Oct 2011'; '' when there is no date."""
    return format_date(value, "en")


def parse_form_date(raw: str | None) -> date | None:
    """'YYYY-MM-DD' from a form, where a year of 2400 or later is Buddhist Era; None
    when empty. Raises ValueError for anything else. The range a record may carry is
    the domain's rule (cases.model.date_range_problem)."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 10:
        if raw:
            raise ValueError(f"not a date: {raw!r}")
        return None
    year, month, day = (int(part) for part in raw.split("-"))
    # B.E. 2567-02-29 is a real day (2024 was a leap year): convert before building it.
    return date(year - BUDDHIST_ERA_OFFSET if year >= 2400 else year, month, day)
