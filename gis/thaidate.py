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
