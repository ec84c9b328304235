"""The case tracker's JSON API, documented by OpenAPI (flask-smorest).

Views are thin: parse the request (marshmallow schemas, in app/cases_schemas.py),
call one service in `cases.services` or the application layer (`app.application`),
which check permissions, apply the domain rules, audit and commit, and shape the
answer with a schema. The OpenAPI document is generated
from these decorators and served at `GET /api/openapi.json`; there is no
Swagger/ReDoc page, because those load from CDNs and the planner must work offline.

All geometry in and out is GeoJSON in EPSG:4326 (lon, lat); dates are ISO 8601.
Every updatable resource carries `version`; an update names the version it read
(in the body, or as `If-Match`), and a stale one is refused with 409.

Errors keep the planner's shape for every path under /api/:
`{"error": {"status", "en", "th", ...details}}`.
"""

from __future__ import annotations

import functools
import json
import math

from apispec import BasePlugin
from flask import Flask, Response, jsonify, request, send_file, url_for
from flask_smorest import Api, Blueprint
from marshmallow import missing
from sqlalchemy.exc import IntegrityError
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.http import parse_options_header

from app import schema_dump
from app.application.case_detail import case_detail
from app.application.pdpa import audit_reads, household_reads
from app.auth import NotLoggedIn, current_user
from app.cases_schemas import (
    HOUSEHOLD_MAP_FIELDS,
    AuditListSchema,
    AuditQuerySchema,
    BudgetInSchema,
    BudgetLineSchema,
    BudgetSchema,
    CaseCreateSchema,
    CaseDetailSchema,
    CasePageSchema,
    CaseQuerySchema,
    CaseSchema,
    CaseUpdateSchema,
    DocumentSchema,
    DocumentUploadSchema,
    DopaChildrenSchema,
    ErrorSchema,
    FinishedOverTimeSchema,
    HouseholdInSchema,
    HouseholdListQuerySchema,
    HouseholdListSchema,
    HouseholdMapListSchema,
    HouseholdSchema,
    HouseholdUpdateSchema,
    IfMatchSchema,
    MemberListSchema,
    MembersPutSchema,
    PlotCollectionSchema,
    PlotFeatureSchema,
    PlotInSchema,
    PlotUpdateSchema,
    ProgrammeQuerySchema,
    ProgressSchema,
    StageMoveFormSchema,
    StageMoveSchema,
    StalledListSchema,
    VersionQuerySchema,
    WorkflowsSchema,
)
from app.casestore import uow
from app.errors import http_error_page, http_title, json_error
from app.request_guard import load_json
from cases import register, services
from cases.errors import InvalidInput, NotFound
from cases.model import (
    MAX_VERSION,
)
from cases.workflow import default_workflows

API_CONFIG = {
    "API_TITLE": "Community housing planner: case tracker API",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
}

# Thai for the HTTP errors that do not come from the domain (unknown path, wrong method...).
_HTTP_TH = {
    400: "คำขอไม่ถูกต้อง",
    401: "กรุณาเข้าสู่ระบบก่อน",
    403: "ไม่มีสิทธิ์ทำรายการนี้",
    404: "ไม่พบรายการที่ขอ",
    405: "ไม่รองรับวิธีเรียกใช้นี้ (HTTP method)",
    409: "ข้อมูลขัดแย้งกับการแก้ไขอื่น",
    413: "ไฟล์หรือคำขอมีขนาดใหญ่เกินกำหนด",
    415: "ไม่รองรับชนิดข้อมูลที่ส่งมา",
    422: "ข้อมูลที่ส่งมาไม่ถูกต้อง",
    500: "เกิดข้อผิดพลาดในระบบ",
}


def _flatten_messages(messages) -> dict:
    """webargs messages ({location: {field: [..]}}) as {field: [..]}."""
    out: dict = {}
    for location, value in (messages or {}).items():
        if isinstance(value, dict):
            out.update(value)
        else:
            out[location] = value
    return out


def _describe(messages: dict) -> str:
    parts = []
    for name, value in messages.items():
        text = (
            " ".join(map(str, value)) if isinstance(value, list) else json.dumps(value, default=str)
        )
        parts.append(f"{name}: {text}")
    return "; ".join(parts)


# -- the Api, its parser and blueprint ------------------------------------------------
class PlannerApi(Api):
    """flask-smorest's Api, answering errors in the planner's JSON shape."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        """Every HTTPException (404, 405, 413, request validation 422, ...).

        flask-smorest registers this for the whole app, replacing app/errors.py's
        handler; so it answers like that one: JSON `{"error": ...}` under /api/,
        the Thai and English error page elsewhere. Domain errors never come here: app/errors.py
        handles DomainError (and CSRFError) itself.
        """
        if not request.path.startswith("/api/"):
            return http_error_page(error)
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        # Keep the exception's own headers (Allow on 405, ...), not its HTML body's type.
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        messages = data.get("messages") or data.get("errors")
        if messages:
            problems = _flatten_messages(messages)
            body, status = json_error(
                status,
                f"the request is not valid: {_describe(problems)}",
                f"{_HTTP_TH.get(status, _HTTP_TH[400])}: {_describe(problems)}",
                fields=problems,
            )
        else:
            body, status = json_error(
                status,
                error.description or error.name,
                _HTTP_TH.get(status) or http_title(status)["th"],
            )
        return body, status, headers


class CommonErrors(BasePlugin):
    """Documents, on every operation of the document (this module's and the ones other
    modules add by hand), the errors any request can meet: 400 (bad bytes, JSON or
    query), 413, 429, and for those needing a login 401/403, for writes 422."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            codes = [400, 413, 429]
            if operation.get("security") != []:
                codes += [401, 403]
            if method.lower() in ("post", "put", "patch", "delete"):
                codes.append(422)
            responses = operation.setdefault("responses", {})
            for code in codes:
                if code in responses or str(code) in responses:
                    continue
                responses[str(code)] = {
                    "description": _ERROR_DESCRIPTIONS[code],
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }


class Parser(FlaskParser):
    """webargs, plus two body locations: multipart (form fields and files
    together) and json_or_multipart (either, by the request's content type)."""

    __location_map__ = {
        **FlaskParser.__location_map__,
        "multipart": "load_multipart",
        "json_or_multipart": "load_json_or_multipart",
    }

    def load_multipart(self, req, schema):
        data = MultiDict(
            [
                *((k, v) for k, v in req.form.items(multi=True) if k != "csrf_token"),
                *req.files.items(multi=True),
            ]
        )
        return self._makeproxy(data, schema)

    def _raw_load_json(self, req):
        """The body through the request guard (depth, Unicode, finite numbers)."""
        if not is_json_request(req):
            return missing
        return load_json(req.get_data(cache=True))

    def load_json_or_multipart(self, req, schema):
        if req.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return self.load_multipart(req, schema)
        return self.load_json(req, schema)


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
        # Documented as JSON; the multipart alternative is added with @blp.doc.
        "json_or_multipart": "application/json",
    }


blp = ApiBlueprint(
    "cases_api",
    __name__,
    url_prefix="/api",
    description="Case tracker: cases, households, plots, documents, budget, dashboards.",
)

_ERROR_DESCRIPTIONS = {
    400: "Unreadable request: malformed or too deeply nested JSON, NaN/Infinity, text that "
    "is not valid Unicode, a bad query string or header; the field is named",
    401: "Not logged in (send a session cookie or HTTP Basic credentials)",
    403: "Your role may not do this, or the record belongs to another community",
    404: "No such record",
    409: "Stale version: someone else changed the record since you read it; nothing changed",
    413: "The request body is too large",
    422: "Invalid input, or a refused stage move (missing requirements listed); nothing changed",
    429: "Too many requests or login attempts; wait and try again",
}
# Every operation can answer these (bad bytes, no login, too large, invalid, too many).
_ALWAYS = (400, 401, 413, 422, 429)


def errors(*codes):
    """Document error responses (always in the `{"error": ...}` shape)."""

    def decorator(func):
        for code in sorted({*codes, *_ALWAYS}):
            func = blp.alt_response(
                code, schema=ErrorSchema, description=_ERROR_DESCRIPTIONS[code]
            )(func)
        return func

    return decorator


def fast_response(status_code: int, schema, *, views: dict | None = None):
    """`@blp.response(status_code, schema)`, the answer dumped by the schema's plan
    (app/schema_dump.py): the same JSON as flask-smorest's `schema.dump`, without
    marshmallow's per-field work. flask-smorest documents the schema as for any
    response and sends the view's Response as it is. For views that return the
    object only (no status or headers). `views` ({name: schema}) dumps by a narrower
    schema when the query's validated `view` (the view's first argument) names one."""

    def decorator(func):
        @functools.wraps(func)
        def dumped(*args, **kwargs):
            chosen = schema
            if views and args and isinstance(args[0], dict):
                chosen = views.get(args[0].get("view"), schema)
            response = jsonify(schema_dump.dump(chosen, func(*args, **kwargs)))
            response.status_code = status_code
            return response

        return blp.response(status_code, schema)(dumped)

    return decorator


def edit_permission(*, officers_only: bool = False):
    """Check that the user may change the record in the URL before the body is
    validated (put between @blp.route and @blp.arguments): 403, never 422, for
    someone who may not change it, whatever they send."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            services.require_edit_of(
                uow(), current_user(), officers_only=officers_only, **(request.view_args or {})
            )
            return func(*args, **kwargs)

        return wrapper

    return decorator


@blp.before_request
def _require_login():
    if current_user() is None:
        raise NotLoggedIn(
            "log in first (session cookie or HTTP Basic)", "กรุณาเข้าสู่ระบบก่อน (คุกกี้หรือ HTTP Basic)"
        )


@blp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Answers may hold personal data: never in a shared or on-disk cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@blp.errorhandler(IntegrityError)
def _integrity_error(exc: IntegrityError):
    """Two requests creating the same thing at once (same household number,
    plot number, budget kind or case ref): the database's unique constraint
    refuses the second; tell the client to reload instead of failing with 500."""
    text = str(exc.orig).lower()
    if "unique" in text or getattr(exc.orig, "sqlstate", None) == "23505":
        return json_error(
            409,
            "this conflicts with a record saved at the same moment; reload and try again",
            "ข้อมูลซ้ำกับรายการที่เพิ่งบันทึกพร้อมกัน กรุณาโหลดใหม่แล้วลองอีกครั้ง",
        )
    raise exc


# -- request helpers ------------------------------------------------------------------
def _version_from(body_version, headers: dict):
    """The version the client read: `version` in the body or the If-Match header."""
    raw = (headers or {}).get("if_match")
    header_version = None
    if raw:
        token = raw.strip()
        token = token[2:] if token.startswith("W/") else token
        try:
            header_version = int(token.strip('"'))
        except ValueError:
            raise InvalidInput(
                f'If-Match must be the record\'s version, like "3", not {raw!r}',
                f'If-Match ต้องเป็นหมายเลขฉบับของข้อมูล เช่น "3" ไม่ใช่ {raw!r}',
                field="If-Match",
            ) from None
        if not 1 <= header_version <= MAX_VERSION:
            raise InvalidInput(
                f"If-Match must be a version from 1 to {MAX_VERSION:,}",
                f"If-Match ต้องเป็นหมายเลขฉบับ 1 ถึง {MAX_VERSION:,}",
                field="If-Match",
            )
    if body_version is not None and header_version is not None and body_version != header_version:
        raise InvalidInput(
            f"version {body_version} in the body and If-Match {header_version} disagree",
            f"หมายเลขฉบับในข้อมูล ({body_version}) ไม่ตรงกับ If-Match ({header_version})",
            field="version",
        )
    return body_version if body_version is not None else header_version


# -- views: cases -----------------------------------------------------------------------
PAGINATION_HEADERS = {
    "X-Pagination": {
        "description": "JSON object as text: total, total_pages, first_page, last_page, "
        "page, previous_page, next_page",
        "schema": {"type": "string"},
    }
}
MULTIPART_STAGE_MOVE = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/StageMove"}},
            "multipart/form-data": {"schema": {"$ref": "#/components/schemas/StageMoveForm"}},
        }
    }
}


@blp.route("/cases", methods=["GET"], tags=["cases"])
@blp.arguments(CaseQuerySchema, location="query")
@blp.response(200, CasePageSchema, headers=PAGINATION_HEADERS)
@errors(401)
def list_cases(query):
    """List cases, a page at a time

    Filters combine. Community representatives see their own community's cases.
    No personal data: households appear as counts only.
    """
    page, per_page = query["page"], query["per_page"]
    rows, total = services.list_cases(
        uow(),
        current_user(),
        programme=query.get("programme"),
        district=query.get("district"),
        stage=query.get("stage"),
        search=query.get("q"),
        stalled=query["stalled"],
        page=page,
        per_page=per_page,
    )
    pages = max(1, math.ceil(total / per_page))
    header = {"total": total, "total_pages": pages, "first_page": 1, "last_page": pages}
    header["page"] = page
    if page > 1:
        header["previous_page"] = min(page - 1, pages)
    if page < pages:
        header["next_page"] = page + 1
    body = {"items": rows, "total": total, "page": page, "per_page": per_page, "pages": pages}
    return body, {"X-Pagination": json.dumps(header)}


@blp.route("/cases", methods=["POST"], tags=["cases"])
@edit_permission(officers_only=True)
@blp.arguments(CaseCreateSchema)
@blp.response(201, CaseSchema)
@errors(401, 403, 404)
def create_case(body):
    """Open a case (officers and admins)

    The site boundary is GeoJSON (Polygon or MultiPolygon) in lon/lat; it must be
    valid and inside Thailand. The case starts in its type's first stage.
    """
    case = services.create_case(
        uow(),
        current_user(),
        community_id=body["community_id"],
        case_type=body["case_type"],
        title_th=body["title_th"],
        title_en=body["title_en"],
        variant=body.get("variant"),
        site_geojson=body.get("site"),
        on=body.get("on"),
    )
    return case, 201, {"Location": url_for("cases_api.get_case", case_id=case.id)}


@blp.route("/cases/<int:case_id>", methods=["GET"], tags=["cases"])
@blp.response(200, CaseDetailSchema)
@errors(401, 403, 404)
def get_case(case_id):
    """A case with its community, counts, timeline, documents, budget and plots

    `allowed_moves` lists the stages the case may move to next and, for each,
    what is still missing, counting all the case's documents: every role that may
    see the case gets the same list, even when some documents are not listed for it.
    """
    return case_detail(uow(), current_user(), case_id)


@blp.route("/cases/<int:case_id>", methods=["PATCH"], tags=["cases"])
@edit_permission()
@blp.arguments(CaseUpdateSchema)
@blp.arguments(IfMatchSchema, location="headers")
@blp.response(200, CaseSchema)
@errors(401, 403, 404, 409)
def update_case(body, headers, case_id):
    """Change a case's fields

    Send the `version` you read (or If-Match). Setting `hold_reason` puts the
    case on hold; null releases it. Stage moves go through /stage.
    """
    version = _version_from(body.pop("version", None), headers)
    return services.update_case(uow(), current_user(), case_id, body, version)


@blp.route("/cases/<int:case_id>/stage", methods=["POST"], tags=["cases"])
@edit_permission(officers_only=True)
@blp.arguments(StageMoveFormSchema, location="json_or_multipart")
@blp.arguments(IfMatchSchema, location="headers")
@blp.response(200, CaseDetailSchema)
@blp.doc(**MULTIPART_STAGE_MOVE)
@errors(401, 403, 404, 409, 422)
def move_stage(body, headers, case_id):
    """Move a case to another stage (officers and admins)

    JSON, or multipart/form-data with the documents that go with the move
    (`files` and `kinds`, repeated in the same order); those documents are stored
    in the same transaction. A refused move answers 422 listing every missing
    requirement, and changes nothing: no stage, no version, no document.
    """
    documents = [
        {
            "kind": kind,
            "filename": file.filename or "document",
            "content_type": _content_type(file),
            "data": file.read(),
        }
        for file, kind in zip(body["files"], body["kinds"], strict=True)
    ]
    user = current_user()
    services.move_stage(
        uow(),
        user,
        case_id,
        body["to_stage"],
        expected_version=_version_from(body.get("version"), headers),
        on=body.get("on"),
        note=body["note"],
        new_documents=documents,
    )
    return case_detail(uow(), user, case_id)


# -- views: households ----------------------------------------------------------------
@blp.route("/cases/<int:case_id>/households", methods=["GET"], tags=["households"])
@blp.arguments(HouseholdListQuerySchema, location="query")
@fast_response(200, HouseholdListSchema, views={"map": HouseholdMapListSchema})
@errors(401, 403, 404, 422)
def list_households(query, case_id):
    """A case's households, with personal data

    Officers, admins and the case's own community representative; municipality
    viewers get 403 (they see counts, in the case). `view=map` answers only the
    fields the case map draws (HouseholdMapSchema), and only those are logged as read.
    """
    user = current_user()
    households = services.list_households(uow(), user, case_id)
    names = HOUSEHOLD_MAP_FIELDS if query["view"] == "map" else None
    services.log_reads(
        uow(),
        user,
        "households_api",
        [(h.id, household_reads(h, names=names)) for h in households],
    )
    return {"items": households, "total": len(households)}


@blp.route("/cases/<int:case_id>/households", methods=["POST"], tags=["households"])
@edit_permission()
@blp.arguments(HouseholdInSchema)
@blp.response(201, HouseholdSchema)
@errors(401, 403, 404)
def add_household(body, case_id):
    """Add a household to a case

    `location` is a GeoJSON Point in lon/lat.
    """
    household = services.add_household(uow(), current_user(), case_id, body)
    return (
        household,
        201,
        {"Location": url_for("cases_api.get_household", household_id=household.id)},
    )


@blp.route("/households/<int:household_id>", methods=["GET"], tags=["households"])
@fast_response(200, HouseholdSchema)
@errors(401, 403, 404)
def get_household(household_id):
    """One household"""
    user = current_user()
    household = services.get_household(uow(), user, household_id)
    services.log_reads(uow(), user, "household_api", [(household.id, household_reads(household))])
    return household


@blp.route("/households/<int:household_id>", methods=["PATCH"], tags=["households"])
@edit_permission()
@blp.arguments(HouseholdUpdateSchema)
@blp.arguments(IfMatchSchema, location="headers")
@blp.response(200, HouseholdSchema)
@errors(401, 403, 404, 409)
def update_household(body, headers, household_id):
    """Change a household (send the version you read)"""
    version = _version_from(body.pop("version", None), headers)
    user = current_user()
    household = services.update_household(uow(), user, household_id, body, version)
    # The answer is the whole household: a read of it, like GET.
    services.log_reads(uow(), user, "household_api", [(household.id, household_reads(household))])
    return household


def _member_list(household, members) -> dict:
    return {
        "household_id": household.id,
        "version": household.version,
        "items": members,
        "total": len(members),
    }


@blp.route("/households/<int:household_id>/members", methods=["GET"], tags=["households"])
@blp.response(200, MemberListSchema)
@errors(401, 403, 404)
def list_members(household_id):
    """A household's members (birth years in the Buddhist Era)"""
    user = current_user()
    household = services.get_household(uow(), user, household_id)
    members = services.list_members(uow(), user, household_id)
    shown = household_reads(household, members=members, names=())
    services.log_reads(uow(), user, "members_api", [(household.id, shown)])
    return _member_list(household, members)


@blp.route("/households/<int:household_id>/members", methods=["PUT"], tags=["households"])
@edit_permission()
@blp.arguments(MembersPutSchema)
@blp.arguments(IfMatchSchema, location="headers")
@blp.response(200, MemberListSchema)
@errors(401, 403, 404, 409)
def put_members(body, headers, household_id):
    """Replace a household's members (send the household's version you read)

    Each member is checked by the register (name required; sex and relation from their
    choices; birth year in the Buddhist Era). The household's `members` count follows.
    """
    user = current_user()
    household, members = services.set_members(
        uow(),
        user,
        household_id,
        body["members"],
        _version_from(body.get("version"), headers),
    )
    shown = household_reads(household, members=members, names=())
    services.log_reads(uow(), user, "members_api", [(household.id, shown)])
    return _member_list(household, members)


# -- views: plots ---------------------------------------------------------------------
@blp.route("/cases/<int:case_id>/plots", methods=["GET"], tags=["plots"])
@blp.response(200, PlotCollectionSchema)
@errors(401, 403, 404)
def list_plots(case_id):
    """A case's plots (and lanes, common land) as a GeoJSON FeatureCollection"""
    return services.list_plots(uow(), current_user(), case_id)


@blp.route("/cases/<int:case_id>/plots", methods=["POST"], tags=["plots"])
@edit_permission()
@blp.arguments(PlotInSchema)
@blp.response(201, PlotFeatureSchema)
@errors(401, 403, 404)
def add_plot(body, case_id):
    """Draw a plot: a GeoJSON Polygon in lon/lat, valid and inside Thailand"""
    plot = services.add_plot(
        uow(),
        current_user(),
        case_id,
        plot_no=body["plot_no"],
        geometry=body["geometry"],
        kind=body["kind"],
    )
    return plot, 201, {"Location": url_for("cases_api.update_plot", plot_id=plot.id)}


@blp.route("/plots/<int:plot_id>", methods=["PATCH"], tags=["plots"])
@edit_permission()
@blp.arguments(PlotUpdateSchema)
@blp.arguments(IfMatchSchema, location="headers")
@blp.response(200, PlotFeatureSchema)
@errors(401, 403, 404, 409)
def update_plot(body, headers, plot_id):
    """Redraw a plot (send the version you read)"""
    return services.update_plot(
        uow(),
        current_user(),
        plot_id,
        geometry=body["geometry"],
        expected_version=_version_from(body.get("version"), headers),
    )


@blp.route("/plots/<int:plot_id>", methods=["DELETE"], tags=["plots"])
@edit_permission()
@blp.arguments(VersionQuerySchema, location="query")
@blp.arguments(IfMatchSchema, location="headers")
@blp.response(204)
@errors(401, 403, 404, 409)
def delete_plot(query, headers, plot_id):
    """Delete a plot, if it is still the version you read (`?version=` or If-Match)"""
    services.delete_plot_versioned(
        uow(), current_user(), plot_id, _version_from(query.get("version"), headers)
    )
    return Response(status=204)


# -- views: documents -------------------------------------------------------------------
def _served_type(stored: str | None) -> str:
    """A stored content type as sent: the type, and its charset once if it had one."""
    mimetype, options = parse_options_header(stored or "")
    if not mimetype or "/" not in mimetype:
        return "application/octet-stream"
    charset = options.get("charset")
    return f"{mimetype}; charset={charset}" if charset else mimetype


def _content_type(file: FileStorage) -> str:
    """The upload's declared type without parameters; anything odd becomes octet-stream."""
    mimetype = (file.mimetype or "").strip()
    return mimetype if 0 < len(mimetype) <= 100 else "application/octet-stream"


@blp.route("/cases/<int:case_id>/documents", methods=["POST"], tags=["documents"])
@edit_permission()
@blp.arguments(DocumentUploadSchema, location="multipart")
@blp.response(201, DocumentSchema)
@errors(401, 403, 404)
def upload_document(body, case_id):
    """Attach a document to a case (multipart: `file` and `kind`)"""
    file = body["file"]
    document = services.upload_document(
        uow(),
        current_user(),
        case_id,
        kind=body["kind"],
        filename=file.filename or "document",
        content_type=_content_type(file),
        data=file.read(),
    )
    location = url_for("cases_api.download_document", document_id=document.id)
    return document, 201, {"Location": location}


@blp.route("/documents/<int:document_id>", methods=["GET"], tags=["documents"])
@blp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="*/*",
    description="The file, as an attachment, with the type it was uploaded with (one "
    "charset at most); ETag and X-Checksum-SHA256 carry its SHA-256",
    headers={
        "X-Checksum-SHA256": {
            "description": "SHA-256 of the file, hex",
            "schema": {"type": "string"},
        },
        "ETag": {"description": "The SHA-256, quoted", "schema": {"type": "string"}},
        "Content-Disposition": {
            "description": "attachment; filename=...",
            "schema": {"type": "string"},
        },
    },
)
@errors(401, 403, 404)
def download_document(document_id):
    """Download a document: the exact bytes uploaded"""
    document, path = services.get_document(uow(), current_user(), document_id)
    if not path.is_file():
        raise NotFound(
            f"the file of document {document_id} is missing from the document store",
            f"ไม่พบไฟล์ของเอกสารหมายเลข {document_id} ในที่เก็บเอกสาร",
        )
    services.log_document_read(uow(), current_user(), document)
    response = send_file(
        path,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=document.filename,
        etag=document.sha256,
        conditional=True,
        max_age=0,
    )
    response.headers["Content-Type"] = _served_type(document.content_type)
    response.headers["X-Checksum-SHA256"] = document.sha256
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# -- views: budget ----------------------------------------------------------------------
@blp.route("/cases/<int:case_id>/budget", methods=["GET"], tags=["budget"])
@blp.response(200, BudgetSchema)
@errors(401, 403, 404)
def get_budget(case_id):
    """A case's budget lines (baht) and their totals"""
    lines = services.list_budget_lines(uow(), current_user(), case_id)
    totals = {k: sum(getattr(b, k) for b in lines) for k in ("planned", "approved", "disbursed")}
    return {"case_id": case_id, "items": lines, "totals": totals}


@blp.route("/cases/<int:case_id>/budget/<kind>", methods=["PUT"], tags=["budget"])
@edit_permission(officers_only=True)
@blp.arguments(BudgetInSchema)
@blp.arguments(IfMatchSchema, location="headers")
@blp.response(200, BudgetLineSchema, description="The line, updated")
@blp.alt_response(201, schema=BudgetLineSchema, description="The line, created", success=True)
@errors(401, 403, 404, 409)
def put_budget_line(body, headers, case_id, kind):
    """Set a budget line (officers and admins)

    Creates the line of this kind, or updates it: then send the version you read.
    Disbursed may not exceed approved.
    """
    line = services.set_budget_line(
        uow(),
        current_user(),
        case_id,
        kind=kind,
        planned=body.get("planned"),
        approved=body.get("approved"),
        disbursed=body.get("disbursed"),
        note=body.get("note"),
        expected_version=_version_from(body.get("version"), headers),
    )
    return line, 201 if line.version == 1 else 200


# -- views: dashboards, audit, workflows --------------------------------------------------
@blp.route("/progress", methods=["GET"], tags=["dashboard"])
@blp.arguments(ProgrammeQuerySchema, location="query")
@blp.response(200, ProgressSchema)
@errors(401)
def progress(query):
    """Houses by status and district, the way the government reports it

    `finished` includes houses whose families moved in; shares are % of all
    households.
    """
    return services.progress(uow(), current_user(), programme=query.get("programme"))


@blp.route("/stalled", methods=["GET"], tags=["dashboard"])
@blp.response(200, StalledListSchema)
@errors(401)
def stalled():
    """Cases longer in their stage than the stage allows, most overdue first"""
    rows = services.stalled_cases(uow(), current_user())
    return {"items": rows, "total": len(rows)}


@blp.route("/finished-over-time", methods=["GET"], tags=["dashboard"])
@blp.arguments(ProgrammeQuerySchema, location="query")
@blp.response(200, FinishedOverTimeSchema)
@errors(401)
def finished_over_time(query):
    """Houses finished per month, and cumulatively"""
    programme = query.get("programme")
    return {
        "programme": programme,
        "months": services.finished_over_time(uow(), current_user(), programme=programme),
    }


@blp.route("/audit", methods=["GET"], tags=["audit"])
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditListSchema)
@errors(401, 403)
def audit(query):
    """The audit log, newest first (officers and admins)"""
    entries = services.audit_log(
        uow(),
        current_user(),
        entity=query.get("entity"),
        entity_id=query.get("entity_id"),
        limit=query["limit"],
    )
    services.log_reads(uow(), current_user(), "audit_api", audit_reads(entries))
    return {"items": entries}


@blp.route("/workflows", methods=["GET"], tags=["reference"])
@blp.response(200, WorkflowsSchema)
@errors(401)
def workflows():
    """Case types and their stages, hold reasons and every code list, labelled th/en"""
    return default_workflows()


@blp.route("/dopa/<code>/children", methods=["GET"], tags=["reference"])
@blp.response(200, DopaChildrenSchema)
@errors(401, 404)
def dopa_children(code):
    """The districts of a province or the subdistricts of a district (DOPA codes)

    `code` is a province's 2-digit or a district's 4-digit code; `th` lists the provinces.
    Names in Thai and English, from the geothai package.
    """
    items = register.dopa_children("" if code == "th" else code)
    if items is None:
        raise NotFound(
            f"{code[:20]!r} is not a DOPA province or district code",
            f"{code[:20]!r} ไม่ใช่รหัสจังหวัดหรืออำเภอของกรมการปกครอง",
        )
    return {"code": code, "items": items}


# -- registration -----------------------------------------------------------------------
def _document_layer_api(api: Api, app: Flask) -> None:
    """The layer API (app/api.py, plain Flask) in the same OpenAPI document."""
    docs = {
        "api.list_layers": {
            "summary": "The layer catalogue, with feature counts and bounds",
            "responses": {"200": {"description": "`{layers: [...]}`"}},
        },
        "api.layer_features": {
            "summary": "A vector layer as GeoJSON (EPSG:4326)",
            "parameters": [
                {
                    "in": "query",
                    "name": "bbox",
                    "schema": {"type": "string"},
                    "description": "minx,miny,maxx,maxy in degrees",
                }
            ],
            "responses": {
                "200": {
                    "description": "FeatureCollection",
                    "content": {"application/geo+json": {"schema": {"type": "object"}}},
                },
                "404": "NOT_FOUND",
            },
        },
        "api.raster_overlay": {
            "summary": "A raster layer as a coloured, transparent PNG",
            "responses": {
                "200": {
                    "description": "PNG",
                    "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
                },
                "404": "NOT_FOUND",
            },
        },
    }
    for endpoint, operation in docs.items():
        for rule in app.url_map.iter_rules(endpoint):
            api.spec.path(
                rule=rule, operations={"get": {**operation, "tags": ["layers"], "security": []}}
            )


def planner_api(app: Flask) -> PlannerApi:
    """The app's one Api (and OpenAPI document), made on first use: other modules
    register their documented blueprints on it, whatever the order of init_app calls."""
    if app.extensions["planner"].get("api") is None:
        init_app(app)
    return app.extensions["planner"]["api"]


def init_app(app: Flask) -> None:
    if app.extensions["planner"].get("api") is not None:
        return  # made already by planner_api
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": (
                    "Case tracker of the community housing planner (CODI Baan Mankong, "
                    "canal-side rehousing along Khlong Prem Prachakorn). GeoJSON in "
                    "EPSG:4326; ISO dates; `version` on every updatable record. Errors: "
                    '`{"error": {"status", "en", "th", ...}}`. Unsafe requests with a '
                    "session cookie need the CSRF token (X-CSRFToken header); HTTP Basic "
                    "requests do not."
                ),
            },
            "security": [{"basicAuth": []}, {"cookieAuth": []}],
        },
    )
    api = PlannerApi(app, spec_kwargs={"extra_plugins": [CommonErrors()]})
    api.spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    api.spec.components.security_scheme(
        "cookieAuth", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    api.spec.components.schema("StageMove", schema=StageMoveSchema)
    api.spec.components.schema("StageMoveForm", schema=StageMoveFormSchema)
    api.register_blueprint(blp)
    for name, description in (
        ("cases", "Cases, their fields and stage moves"),
        ("households", "Households (personal data: not for municipality viewers)"),
        ("plots", "Plots, lanes and common land, as GeoJSON"),
        ("documents", "Documents attached to cases"),
        ("budget", "Budget lines"),
        ("dashboard", "Progress, stalled cases, houses finished over time"),
        ("audit", "Who changed what"),
        ("reference", "Stages and code lists, labelled in Thai and English"),
        ("layers", "Map layers (public)"),
    ):
        api.spec.tag({"name": name, "description": description})
    _document_layer_api(api, app)
    app.extensions["planner"]["api"] = api
