"""Thai-first user-visible strings and the Buddhist Era.

Every string a user sees has a Thai and an English form; Thai is the default.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request

LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = "th"
BUDDHIST_ERA_OFFSET = 543

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"th": "ระบบวางแผนที่อยู่อาศัยชุมชน", "en": "Community housing planner"},
    "app_subtitle": {
        "th": "คลองเปรมประชากร · บ้านมั่นคง พอช.",
        "en": "Khlong Prem Prachakorn · CODI Baan Mankong",
    },
    "map": {"th": "แผนที่", "en": "Map"},
    "language": {"th": "ภาษา", "en": "Language"},
}

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


def current_language() -> str:
    lang = request.args.get("lang") or request.cookies.get("lang")
    # Thai first: the browser's own language is not consulted, since workshop
    # laptops often run an English system for Thai-speaking users.
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def format_date(
    value: date | datetime | str | None,
    lang: str = DEFAULT_LANGUAGE,
    *,
    buddhist_era: bool | None = None,
) -> str:
    """`2019-04-09` as '9 เม.ย. 2562' in Thai (Buddhist Era) or '9 Apr 2019' in English."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if buddhist_era is None:
        buddhist_era = lang == "th"
    year = value.year + (BUDDHIST_ERA_OFFSET if buddhist_era else 0)
    if lang == "th":
        return f"{value.day} {THAI_MONTHS[value.month - 1]} {year}"
    return f"{value.day} {value.strftime('%b')} {year}{' BE' if buddhist_era else ''}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["thai_date"] = format_date

    @app.context_processor
    def inject_language():
        lang = current_language()
        return {"lang": lang, "strings": STRINGS, "t": lambda key: STRINGS[key][lang]}
