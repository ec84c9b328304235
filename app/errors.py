"""Domain errors mapped to HTTP codes, as JSON for the API and pages elsewhere.

`json_error` is the planner's one JSON error answer; every JSON endpoint uses it.
`http_error_page` is the page for every other 4xx and 5xx (unknown address, wrong
method, too large, a crash): error.html with the app's header, in Thai and English,
never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, TooManyRequests

from app.application import words
from app.strings import STRINGS
from cases.errors import DomainError
from gis.errors import CatalogError, PlannerError, ValidationError
from gis.store import LayerNotFound

log = logging.getLogger(__name__)


def json_error(status: int, message_en: str, message_th: str, **extra):
    """The planner's one JSON error answer: `{"error": {"status", "en", "th", ...extra}}`
    and the status, for every JSON endpoint (API, map and site-check scripts)."""
    return jsonify(
        {"error": {"status": status, "en": message_en, "th": message_th, **extra}}
    ), status


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/tiles/"))  # read by scripts, not people


def layer_not_found(exc: LayerNotFound):
    return json_error(404, f"no layer named {exc.name!r}", f"ไม่มีชั้นข้อมูลชื่อ {exc.name!r}")


def catalog_error(exc: CatalogError):
    name = request.view_args.get("name") if request.view_args else None
    return json_error(404, f"no layer named {name!r} in the catalogue", "ไม่มีชั้นข้อมูลนี้ในทะเบียนชั้นข้อมูล")


def validation_error(exc: ValidationError):
    return json_error(
        422, str(exc), "ข้อมูลไม่ผ่านการตรวจสอบ", problems=[p.to_dict() for p in exc.problems]
    )


def planner_error(exc: PlannerError):
    return json_error(400, str(exc), getattr(exc, "message_th", None) or "คำขอไม่ถูกต้อง")


def _details_in_words(details: dict) -> dict:
    """A refused stage move's `missing` items with each kind in words (`kind_label`)."""
    missing = details.get("missing")
    if not isinstance(missing, list):
        return details
    said = [
        {**m, "kind_label": words.words("requirement", m.get("kind"))} if isinstance(m, dict) else m
        for m in missing
    ]
    return {**details, "missing": said}


def domain_error(exc: DomainError):
    if _wants_json():
        details = _details_in_words(exc.details)
        return json_error(exc.status, exc.message_en, exc.message_th, **details)
    return render_template("error.html", error=exc), exc.status


def csrf_error(exc: CSRFError):
    if _wants_json():
        return json_error(
            400, f"CSRF check failed: {exc.description}", "การตรวจสอบความปลอดภัยของแบบฟอร์มล้มเหลว"
        )
    error = DomainError(
        "The form expired or came from another site; reload the page and try again.",
        "แบบฟอร์มหมดอายุหรือมาจากเว็บอื่น กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง",
    )
    return render_template("error.html", error=error), 400


def too_many_requests(exc: TooManyRequests):
    """429 (failed-login limits, app/auth.py): Thai and English, with Retry-After."""
    retry = getattr(exc, "retry_after", None)
    seconds = int(retry) if isinstance(retry, int | float) else 60
    minutes = max(1, -(-seconds // 60))
    en = f"Too many failed logins. Wait {minutes} minutes and try again."
    th = f"ลองเข้าสู่ระบบผิดหลายครั้งเกินไป กรุณารอ {minutes} นาทีแล้วลองใหม่"
    if _wants_json():
        response, status = json_error(429, en, th, retry_after=seconds)
    else:
        error = DomainError(en, th)
        error.status = 429
        response, status = make_response(render_template("error.html", error=error)), 429
    response.status_code = status
    response.headers["Retry-After"] = str(seconds)
    return response


def http_title(status: int) -> dict[str, str]:
    """The catalogue's {th, en} name of an HTTP error status."""
    fallback = "error.http.5xx" if status >= 500 else "error.http.4xx"
    return STRINGS.get(f"error.http.{status}") or STRINGS[fallback]


def http_text(status: int) -> dict[str, str]:
    """The catalogue's {th, en} explanation of an HTTP error status, for its page."""
    fallback = "error.http.5xx.text" if status >= 500 else "error.http.4xx.text"
    return STRINGS.get(f"error.http.{status}.text") or STRINGS[fallback]


def status_error(status: int, message_en: str | None = None, message_th: str | None = None):
    """A DomainError with `status`, in the catalogue's words unless given, for error.html."""
    text = http_text(status)
    error = DomainError(message_en or text["en"], message_th or text["th"])
    error.status = status
    error.title_key = next(
        key
        for key in (f"error.http.{status}", "error.http.5xx" if status >= 500 else "error.http.4xx")
        if key in STRINGS
    )
    return error


def error_page(error: DomainError, headers=None):
    """error.html for `error`; a plain bilingual page if even that cannot be drawn."""
    status = error.status
    try:
        body = render_template("error.html", error=error)
    except Exception:  # the page must not fail while it reports a failure
        log.exception("error page for %s could not be rendered", status)
        title = http_title(status)
        body = (
            f'<!doctype html><html lang="th"><meta charset="utf-8"><title>{status}</title>'
            f"<h1>{escape(title['th'])}</h1><p>{escape(error.message_th)}</p>"
            f'<h2 lang="en">{escape(title["en"])}</h2><p lang="en">{escape(error.message_en)}</p>'
            f'<p><a href="/">แผนที่ · Map</a></p></html>'
        )
    response = make_response(body, status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_error_page(exc: HTTPException):
    """The page for an HTTP error outside /api/: its status in words, with the header.
    Keeps the exception's own headers (Allow on 405, ...). Redirects pass through.
    A crash comes here as a 500 after Flask has logged it; the page says only its status."""
    status = exc.code or 500
    if status < 400:
        return exc
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return error_page(status_error(status), headers)


def http_error(exc: HTTPException):
    if _wants_json():
        return json_error(
            exc.code or 500, exc.description or exc.name, http_title(exc.code or 500)["th"]
        )
    return http_error_page(exc)


HANDLERS = (
    (LayerNotFound, layer_not_found),
    (CatalogError, catalog_error),
    (ValidationError, validation_error),
    (PlannerError, planner_error),
    (DomainError, domain_error),
    (CSRFError, csrf_error),
    (TooManyRequests, too_many_requests),
    (HTTPException, http_error),
)


def init_app(app: Flask) -> None:
    for exception, handler in HANDLERS:
        app.register_error_handler(exception, handler)
