"""Data in and out on the web: the upload page, its API, and export downloads.

`/imports` (officers and admins) uploads a file with a progress bar, shows the
import report, offers a field-mapping form when the file's names differ from the
catalogue's, and links exports. The API: `POST /api/imports` (multipart),
`GET /api/imports/<id>`, `GET /api/exports/<layer>?format=`.
"""

from __future__ import annotations

import io
import logging
from dataclasses import fields as dataclass_fields
from pathlib import Path

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request, send_file
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from app import cases_api, layer_access
from app.application import imports
from app.auth import roles_required
from app.cases_api import ApiBlueprint
from app.cases_schemas import ErrorDetailSchema, ErrorSchema
from app.errors import error_page, status_error
from app.store import get_catalog, get_store
from app.strings import text
from app.uploads import KeptUpload, KeptUploads, suffix_of
from cases import policy
from cases.errors import DomainError
from cases.policy import OFFICERS
from gis.errors import PlannerError, Problem, ValidationError
from gis.exporting import EXPORT_FORMATS
from gis.importing.crs import transformation_words

bp = Blueprint("imports", __name__)
log = logging.getLogger(__name__)
bp.add_app_template_global(transformation_words, "transformation_words")


@bp.app_template_global()
def layer_title(name: str | None, lang: str) -> str:
    """A layer's title in `lang` from the catalogue; a user's own layer keeps its name."""
    catalog = get_catalog()
    if name and name in catalog:
        return catalog[name].title[lang]
    return name or ""


_SUFFIXES = {".gpkg", ".zip", ".shp", ".geojson", ".json", ".kml", ".kmz", ".csv", ".xlsx"}
_MIME = {
    "gpkg": "application/geopackage+sqlite3",
    "shp": "application/zip",
    "geojson": "application/geo+json",
    "kml": "application/vnd.google-earth.kml+xml",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _error(status: int, en: str, th: str, **extra):
    return jsonify({"error": {"status": status, "en": en, "th": th, **extra}}), status


def _field_map(form) -> dict[str, str]:
    """`mapto-<layer field>` = <file field> from the mapping form, or `map` lines."""
    out = {
        value.strip(): key[len("mapto-") :]
        for key, value in form.items()
        if key.startswith("mapto-") and value.strip()
    }
    out.update(imports.parse_field_map(line for line in form.getlist("map") if line.strip()))
    return out


KEEP_UPLOAD_HOURS = 24  # a file waits this long for its field mapping


def _uploads() -> KeptUploads:
    return KeptUploads(Path(get_store().home) / "uploads" / "pending", hours=KEEP_UPLOAD_HOURS)


def _owner() -> str:
    return f"user {g.user.id}"


def _keep_upload(upload) -> KeptUpload:
    """Keep a new upload until it is imported (the mapping form names it by its token)."""
    if upload is None or not upload.filename:
        raise PlannerError("choose a file to upload / โปรดเลือกไฟล์")
    suffix = suffix_of(upload.filename)
    if suffix not in _SUFFIXES:
        raise ValidationError(
            [
                Problem(
                    f"unsupported file type {suffix!r}",
                    f"ไม่รองรับไฟล์ชนิด {suffix!r}",
                    file=upload.filename,
                )
            ]
        )
    return _uploads().keep(upload, owner=_owner())


def _kept(token: str | None, *, claim: bool) -> KeptUpload:
    """The user's kept upload of `token`; a refusal in words when there is none."""
    found = (_uploads().claim if claim else _uploads().find)(token, owner=_owner())
    if found is None:
        raise ValidationError(
            [
                Problem(
                    "the uploaded file is no longer kept; choose it again",
                    "ไม่พบไฟล์ที่อัปโหลดไว้แล้ว โปรดเลือกไฟล์อีกครั้ง",
                    field="file",
                )
            ]
        )
    return found


def _options(form, label: str) -> imports.ImportOptions:
    layer = (form.get("layer") or "").strip()
    if layer == "__new__":
        layer = (form.get("new_layer") or "").strip()
    return imports.ImportOptions(
        layer=layer,
        mode=form.get("mode") or "replace",
        encoding=form.get("encoding") or None,
        crs=imports.checked_crs(form.get("crs"), label),
        field_map=_field_map(form) or None,
        source_layer=form.get("source_layer") or None,
        max_bytes=current_app.config.get("MAX_CONTENT_LENGTH") or 50 * 1024 * 1024,
        file_label=label,
    )


def _source(form, upload, *, claim: bool) -> KeptUpload:
    """The file to import: a new upload, or the one kept (claimed when it is to be imported)."""
    if upload is not None and upload.filename:
        return _keep_upload(upload)
    return _kept((form.get("pending") or "").strip(), claim=claim)


def _run_import(form, upload, *, keep: bool = False):
    """Import the upload, or the kept one the mapping form names. After a refusal the
    file is kept when `keep` (exc.pending), so fields can be mapped without re-sending."""
    kept = _source(form, upload, claim=True)
    try:
        report = imports.import_into(
            get_store(), get_catalog(), kept.path, _options(form, kept.label)
        )
    except ValidationError as exc:
        exc.pending = kept.token if keep else None
        _uploads().put_back(kept) if keep else _uploads().discard(kept)
        raise
    except BaseException:
        _uploads().discard(kept)
        raise
    _uploads().discard(kept)
    _tiles_after(report)
    return report


def _tiles_after(report) -> None:
    """A layer now drawn from tiles gets them made in the background (app/application/
    tiles.py); the import is done whether or not that can start."""
    from app.application.tiles import is_tiled
    from app.jobs_views import start_job

    if report.status != "written" or g.get("user") is None:
        return
    if not is_tiled(get_store().info(report.layer).feature_count):
        return
    try:
        start_job("tiles_build", {"layer": report.layer})
    except (PlannerError, DomainError) as exc:  # e.g. a role that may not start it
        log.info("tiles of %s not started: %s", report.layer, exc)


def _choices(token: str, form) -> dict:
    """The mapping form for the kept upload `token`: file fields, layer fields, suggestions."""
    kept = _kept(token, claim=False)
    choices = imports.field_choices(get_catalog(), kept.path, _options(form, kept.label))
    return {"pending": token, "file": kept.label, **vars(choices)}


@bp.route("/imports", methods=("GET", "POST"))
@roles_required(*OFFICERS)
def imports_page():
    catalog = get_catalog()
    report, problems, mapping = None, None, None
    status = 200
    if request.method == "POST":
        try:
            if request.form.get("action") == "fields":
                kept = _source(request.form, request.files.get("file"), claim=False)
                mapping = _choices(kept.token, request.form)
            else:
                imported = _run_import(request.form, request.files.get("file"), keep=True)
                report = imported.to_dict()
        except ValidationError as exc:
            problems = exc.problems
            refused = getattr(exc, "report", None)
            report = refused.to_dict() if refused is not None else None
            status = 422
            token = getattr(exc, "pending", None)
            if token and request.form.get("layer") in catalog:
                try:
                    mapping = _choices(token, request.form)
                except PlannerError:
                    mapping = None
        except PlannerError as exc:
            problems = [{"message_en": str(exc), "message_th": "คำขอไม่ถูกต้อง"}]
            status = 400
    layers = [e for e in catalog if e.kind == "vector"]
    store = get_store()
    return (
        render_template(
            "imports/upload.html",
            layers=layers,
            stored=store.layer_names(),
            report=report,
            problems=problems,
            mapping=mapping,
            form=request.form,
            history=imports.import_reports(store)[:20],
            formats=EXPORT_FORMATS,
        ),
        status,
    )


@bp.route("/imports/<report_id>")
@roles_required(*OFFICERS)
def show_import(report_id):
    try:
        report = imports.import_report(get_store(), report_id)
    except PlannerError:
        abort(404)
    return render_template("imports/report.html", report=report)


# ------------------------------------------------------------------ the API

api_bp = ApiBlueprint("imports_api", __name__, url_prefix="/api", description="Data in and out")


class ImportFormSchema(Schema):
    """A file to import into a layer, as multipart/form-data."""

    file = Upload(required=True)
    layer = fields.String(required=True, metadata={"description": "Catalogue or new layer"})
    mode = fields.String(validate=validate.OneOf(imports.MODES))
    crs = fields.String(metadata={"description": "CRS of a file that has none"})
    encoding = fields.String(metadata={"description": "e.g. cp874 (usually detected)"})
    map = fields.List(fields.String(), metadata={"description": "FILE_FIELD=LAYER_FIELD"})
    source_layer = fields.String(metadata={"description": "Layer inside a GeoPackage"})


def _label_field(what: str):
    return fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        allow_none=True,
        metadata={"description": f"{what} in words: {{th, en}}"},
    )


# The import report, field for field as gis.importing.ImportReport keeps it, and its
# codes in words beside them (app/application/imports.report_in_words).
ImportReportSchema = Schema.from_dict(
    {
        **{f.name: fields.Raw(allow_none=True) for f in dataclass_fields(imports.ImportReport)},
        "status_label": _label_field("`status`"),
        "mode_label": _label_field("`mode`"),
        "format_label": _label_field("`format` (null: not recognised)"),
        "layer_label": _label_field("`layer`: its title in the catalogue"),
        "transformation_label": _label_field("`transformation`; null when none"),
        "missing_fields_labels": fields.List(
            _label_field("A missing field"),
            metadata={"description": "`missing_fields` in words (a catalogue layer's)"},
        ),
    },
    name="ImportReportSchema",
)


class ImportRefusedDetailSchema(ErrorDetailSchema):
    problems = fields.List(
        fields.Dict(), metadata={"description": "Every problem: file, layer, feature, field"}
    )
    report = fields.Nested(ImportReportSchema, allow_none=True)


class ImportRefusedSchema(Schema):
    """An import refused, nothing written: every problem, and the report kept."""

    error = fields.Nested(ImportRefusedDetailSchema, required=True)


class ExportQuerySchema(Schema):
    format = fields.String(validate=validate.OneOf(list(EXPORT_FORMATS)), load_default="gpkg")
    open_data = fields.Boolean(metadata={"description": "Community counts and geometry only"})


_SCHEMAS = {
    "ImportForm": ImportFormSchema,
    "ImportReport": ImportReportSchema,
    "ImportRefused": ImportRefusedSchema,
}


def _in_words(report: dict) -> dict:
    return imports.report_in_words(report, get_catalog())


@api_bp.route("/imports", methods=["POST"], tags=["imports"])
@api_bp.doc(
    requestBody={
        "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/ImportForm"}}}
    }
)
@api_bp.alt_response(201, schema=ImportReportSchema, description="The import report", success=True)
@api_bp.alt_response(
    422,
    schema=ImportRefusedSchema,
    description="Refused: every problem, naming file, feature and field",
)
@roles_required(*OFFICERS)
def api_import():
    """Import a file into a layer (validated first; all or nothing)"""
    try:
        if not (request.files.get("file") and request.files["file"].filename):
            raise PlannerError("choose a file to upload / โปรดเลือกไฟล์")
        report = _run_import(request.form, request.files.get("file"))
    except ValidationError as exc:
        refused = getattr(exc, "report", None)
        return _error(
            422,
            "import refused, nothing was written: " + "; ".join(str(p) for p in exc.problems),
            "ไม่นำเข้า ไม่มีการเขียนข้อมูล: "
            + "; ".join(f"{p.where()}: {p.message_th}" for p in exc.problems),
            problems=[p.to_dict() for p in exc.problems],
            report=_in_words(refused.to_dict()) if refused is not None else None,
        )
    except PlannerError as exc:
        return _error(400, str(exc), "คำขอไม่ถูกต้อง")
    return jsonify(_in_words(report.to_dict())), 201


@api_bp.route("/imports/<report_id>", methods=["GET"], tags=["imports"])
@api_bp.alt_response(200, schema=ImportReportSchema, description="The report", success=True)
@api_bp.alt_response(404, schema=ErrorSchema, description="No such report")
@roles_required(*OFFICERS)
def api_import_report(report_id):
    """An import report, kept after the import"""
    try:
        return jsonify(_in_words(imports.import_report(get_store(), report_id)))
    except PlannerError:
        return _error(404, f"no import report {report_id!r}", "ไม่พบรายงานการนำเข้า")


@api_bp.route("/exports/<layer>", methods=["GET"], tags=["imports"])
@api_bp.doc(parameters=[{"in": "query", "schema": ExportQuerySchema}])
@api_bp.alt_response(200, description="The file", success=True)
@api_bp.alt_response(
    202, description="A large layer (over EXPORT_JOB_FEATURES): a background job, its address"
)
@api_bp.alt_response(404, schema=ErrorSchema, description="No such layer")
def api_export(layer):
    """Download a layer as gpkg, shp (zip), geojson, kml, csv or xlsx

    Who may export what: app/route_policy.py and app/layer_access.py, as on the map.
    """
    fmt = request.args.get("format", "gpkg")
    open_data = request.args.get("open_data") in ("1", "true", "yes")
    if fmt not in EXPORT_FORMATS:
        return _error(400, f"unknown format {fmt!r}", f"ไม่รู้จักรูปแบบ {fmt!r}")
    store = get_store()
    if not store.has_layer(layer):
        return _error(404, f"no layer named {layer!r}", f"ไม่มีชั้นข้อมูลชื่อ {layer!r}")
    layer_access.require_layer(layer)
    if open_data:  # open data is for anyone: never a personal field
        hidden = policy.hidden_layer_fields(None, layer_access.layer_columns(layer))
    else:
        hidden = layer_access.hidden_fields(layer)
    from app.jobs_views import export_as_job  # a large layer: a background job, 202

    queued = export_as_job(layer, fmt, open_data, hidden)
    if queued is not None:
        return queued
    data, name = imports.export_bytes(
        store, get_catalog(), layer, fmt=fmt, open_data=open_data, drop_fields=hidden
    )
    response = send_file(
        io.BytesIO(data), mimetype=_MIME[fmt], as_attachment=True, download_name=name
    )
    if not open_data and layer_access.served_personal(layer):
        response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Cookie, Authorization"
    return response


@bp.app_errorhandler(413)
def too_large(exc):
    """Any upload over MAX_CONTENT_LENGTH: JSON under /api/, else the error page."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    en, th = text("error.too_large", limit=limit // (1024 * 1024))
    if request.path.startswith("/api/"):
        return _error(413, en, th)
    return error_page(status_error(413, en, th))


def init_app(app) -> None:
    """Register the pages and API, and describe the API in the app's OpenAPI document."""
    app.register_blueprint(bp)
    api = cases_api.planner_api(app)
    for name, schema in _SCHEMAS.items():
        if name not in api.spec.components.schemas:
            api.spec.components.schema(name, schema=schema)
    api.register_blueprint(api_bp)
    api.spec.tag({"name": "imports", "description": "Data in and out"})
