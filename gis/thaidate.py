"""Dates as Thai readers write them: Buddhist Era years, short Thai month names."""

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


def thai_date(value: Any) -> str:
    """'2011-10-10' as '10 ต.ค. 2554' (Buddhist Era); '' when there is no date."""
    d = as_date(value)
    return f"{d.day} {THAI_MONTHS[d.month - 1]} {d.year + BUDDHIST_ERA_OFFSET}" if d else ""


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
