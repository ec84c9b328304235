"""Hostile input stops here, as a 4xx naming the field, never a 500.

- JSON bodies: at most MAX_JSON_BYTES, nested at most MAX_JSON_DEPTH deep, no
  NaN/Infinity (nor numbers like 1e400 that overflow to it), no integer past 64
  bits, every string valid Unicode (no lone surrogate from a `\\ud800` escape).
  Flask's `request.get_json` (via the app's JSON provider) and the API's webargs
  parser both read bodies through `load_json`.
- Query strings, form fields and the If-Match header: valid UTF-8 / ASCII.
- Integers in URL paths (`<int:case_id>`): at most cases.model.MAX_ID, else 404.

Refusals are `Refused` (an HTTPException), answered in app/errors.py's JSON shape
under /api/ and as the error page elsewhere.
"""

from __future__ import annotations

import json
import math
from urllib.parse import unquote_to_bytes

from flask import Flask, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from app.errors import json_error
from cases.errors import DomainError
from cases.model import MAX_ID

MAX_JSON_BYTES = 16 * 1024 * 1024  # a saved layout of 5000 parts fits easily
MAX_JSON_DEPTH = 64
MAX_JSON_INT = 2**63 - 1
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class Refused(HTTPException):
    """A request refused before it reaches a view: status, English, Thai, field."""

    def __init__(self, status: int, en: str, th: str, field: str):
        super().__init__(description=en)
        self.code, self.en, self.th, self.field = status, en, th, field


def _bad(en: str, th: str, field: str, status: int = 400) -> Refused:
    return Refused(status, f"{field}: {en}", f"{field}: {th}", field)


# -- JSON -------------------------------------------------------------------------------
class _NotFinite(str):
    """Stands in for NaN, Infinity or an overflowing float until the walk names its field."""


def _parse_float(text: str):
    value = float(text)
    return value if math.isfinite(value) else _NotFinite(text)


def _where(path: list) -> str:
    return ".".join(str(p) for p in path) or "body"


def _bad_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _no_nul(text: str, field: str) -> None:
    """No field holds a NUL character: PostgreSQL's text cannot, and no form needs one."""
    if "\x00" in text:
        raise _bad(
            "text holds a NUL character (\\u0000), which no field may hold",
            "ข้อความมีอักขระ NUL (\\u0000) ซึ่งไม่อนุญาตให้มีในช่องใด",
            field[:60] or "body",
        )


def _check_tree(value) -> None:
    """Depth, numbers and strings of a parsed JSON document, without recursion."""
    stack = [(value, [], 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, _NotFinite):
            raise _bad(
                f"{item} is not a finite number",
                f"{item} ไม่ใช่ตัวเลขที่ใช้ได้ (ต้องเป็นค่าจำกัด)",
                _where(path),
            )
        if isinstance(item, str):
            if _bad_text(item):
                raise _bad(
                    "text is not valid Unicode (a lone surrogate such as \\ud800)",
                    "ข้อความมีอักขระที่ไม่ถูกต้อง (ไม่ใช่ Unicode ที่สมบูรณ์)",
                    _where(path),
                )
            _no_nul(item, _where(path))
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            continue
        elif isinstance(item, int):
            if abs(item) > MAX_JSON_INT:
                raise _bad(
                    "the number is too large (past 64 bits)",
                    "ตัวเลขมีค่ามากเกินไป (เกิน 64 บิต)",
                    _where(path),
                )
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise _bad(
                    f"JSON is nested more than {MAX_JSON_DEPTH} levels deep",
                    f"ข้อมูล JSON ซ้อนกันเกิน {MAX_JSON_DEPTH} ชั้น",
                    "body",
                )
            if isinstance(item, dict):
                for key, child in item.items():
                    if _bad_text(key):
                        raise _bad(
                            "a key is not valid Unicode",
                            "ชื่อฟิลด์มีอักขระที่ไม่ถูกต้อง",
                            _where(path) if path else "body",
                        )
                    _no_nul(key, _where(path) if path else "body")
                    stack.append((child, [*path, key], depth + 1))
            else:
                stack.extend((child, [*path, i], depth + 1) for i, child in enumerate(item))


def load_json(data: bytes | str):
    """A JSON document from a request body, or Refused (400, 413) naming the field."""
    if len(data) > MAX_JSON_BYTES:
        raise _bad(
            f"the JSON body is larger than {MAX_JSON_BYTES:,} bytes",
            f"ข้อมูล JSON ใหญ่เกิน {MAX_JSON_BYTES:,} ไบต์",
            "body",
            413,
        )
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _bad("the body is not UTF-8", "ข้อมูลที่ส่งมาไม่ใช่ UTF-8", "body") from None
    try:
        value = json.loads(
            data,
            parse_float=_parse_float,
            parse_constant=_NotFinite,
        )
    except RecursionError:
        raise _bad(
            f"JSON is nested more than {MAX_JSON_DEPTH} levels deep",
            f"ข้อมูล JSON ซ้อนกันเกิน {MAX_JSON_DEPTH} ชั้น",
            "body",
        ) from None
    except ValueError as exc:
        raise _bad(
            f"not valid JSON ({str(exc)[:120]})", "ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง", "body"
        ) from None
    _check_tree(value)
    return value


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading request bodies through `load_json`."""

    def loads(self, s, **kwargs):
        return load_json(s)


# -- URL paths, query strings, forms, headers -------------------------------------------
class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in routes: a number past MAX_ID is no record (404), never a
    database overflow."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise Refused(
                404,
                f"no record {value[:30]}: record numbers go up to {MAX_ID:,}",
                f"ไม่มีรายการหมายเลข {value[:30]} (หมายเลขรายการสูงสุด {MAX_ID:,})",
                "id",
            )
        return number


def _check_urlencoded(raw: bytes, where: str) -> None:
    for part in raw.split(b"&"):
        name, _, value = part.partition(b"=")
        try:
            field = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise _bad(
                f"a {where} name is not valid UTF-8",
                "ชื่อฟิลด์มีอักขระที่ไม่ถูกต้อง",
                where,
            ) from None
        try:
            text = unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise _bad(
                "text is not valid UTF-8 (a lone surrogate or a broken character)",
                "ข้อความมีอักขระที่ไม่ถูกต้อง (ไม่ใช่ UTF-8 ที่สมบูรณ์)",
                field[:60],
            ) from None
        _no_nul(field, where)
        _no_nul(text, field)


def _check_request() -> None:
    _check_urlencoded(request.query_string, "query")
    if_match = request.headers.get("If-Match")
    if if_match is not None and (not if_match.isascii() or len(if_match) > 100):
        raise _bad(
            'must be the record\'s version in ASCII, like "3"',
            'ต้องเป็นหมายเลขฉบับของข้อมูล เช่น "3"',
            "If-Match",
        )
    if request.mimetype == "application/json" and (request.content_length or 0) > MAX_JSON_BYTES:
        load_json(b" " * (MAX_JSON_BYTES + 1))  # the same 413
    if request.mimetype == "application/x-www-form-urlencoded":
        _check_urlencoded(request.get_data(cache=True), "form")
    elif request.mimetype == "multipart/form-data":
        # Werkzeug decodes multipart fields with errors="replace": U+FFFD marks bad bytes.
        for name, value in request.form.items(multi=True):
            _no_nul(value, name)
            if "\ufffd" in value or _bad_text(value):
                raise _bad(
                    "text is not valid UTF-8 (a lone surrogate or a broken character)",
                    "ข้อความมีอักขระที่ไม่ถูกต้อง (ไม่ใช่ UTF-8 ที่สมบูรณ์)",
                    name[:60],
                )


def _answer(exc: Refused):
    if request.path.startswith("/api/"):
        return json_error(exc.code, exc.en, exc.th, field=exc.field)
    error = DomainError(exc.en, exc.th)
    error.status = exc.code
    return render_template("error.html", error=error), exc.code


def init_app(app: Flask) -> None:
    """Register the guard. Call before blueprints are registered (the int converter)."""
    provider = GuardedJSONProvider(app)
    provider.ensure_ascii = app.json.ensure_ascii
    provider.sort_keys = app.json.sort_keys
    app.json_provider_class = GuardedJSONProvider
    app.json = provider
    app.url_map.converters["int"] = BoundedIntConverter
    app.register_error_handler(Refused, _answer)
    app.before_request(_check_request)
