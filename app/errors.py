"""Domain errors mapped to HTTP codes, as JSON for the API and text elsewhere.

`json_error` is the planner's one JSON error answer; every JSON endpoint uses it."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, TooManyRequests

from cases.errors import DomainError
from gis.errors import CatalogError, PlannerError, ValidationError
from gis.store import LayerNotFound


def json_error(status: int, message_en: str, message_th: str, **extra):
    """The planner's one JSON error answer: `{"error": {"status", "en", "th", ...extra}}`
    and the status, for every JSON endpoint (API, map and site-check scripts)."""
    return jsonify(
        {"error": {"status": status, "en": message_en, "th": message_th, **extra}}
    ), status


def _wants_json() -> bool:
    return request.path.startswith("/api/")


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
    return json_error(400, str(exc), "คำขอไม่ถูกต้อง")


def domain_error(exc: DomainError):
    if _wants_json():
        return json_error(exc.status, exc.message_en, exc.message_th, **exc.details)
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


def http_error(exc: HTTPException):
    if _wants_json():
        return json_error(exc.code or 500, exc.description or exc.name, exc.name)
    return exc


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
