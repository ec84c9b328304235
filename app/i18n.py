"""Thai-first user-visible strings and the Buddhist Era.

Every string a user sees has a Thai and an English form; Thai is the default.
`STRINGS` (app/strings.py) is the one catalogue: Python, the templates (`t`) and the
browser (each page's `#server-strings` JSON block, read by static/js/i18n.js) use
it. Dates are formatted by gis.thaidate.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request

from app.strings import DEFAULT_LANGUAGE, LANGUAGES, STRINGS, count_text  # noqa: F401
from gis import thaidate


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
    return thaidate.format_date(value, lang, buddhist_era=buddhist_era)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["thai_date"] = format_date
    app.jinja_env.filters["thai_month"] = thaidate.format_month
    app.jinja_env.filters["display_year"] = thaidate.display_year

    @app.context_processor
    def inject_language():
        lang = current_language()
        return {
            "lang": lang,
            "strings": STRINGS,
            "dates": thaidate.date_table(),
            "t": lambda key: STRINGS[key][lang],
            # A code's words from a workflow table ({code: {th, en}}); the code if unknown.
            "label_of": lambda table, code: (
                table.get(code, {"th": code, "en": code})[lang] if code else ""
            ),
            # A count in words: `key_one` for 1 ("1 case"), else `key` ("{n} cases").
            "tn": lambda key, n, **values: count_text(key, n, lang, **values),
        }
