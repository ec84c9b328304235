"""The community workshop: compare site layouts on a projector, adjust one, save the one
the community agrees to its case.

`GET /cases/<id>/workshop` (anyone who may see the case; officers, admins and the
community's own representative may save) shows the case's land (`gis.layout_inputs.
community_site`, or the case's own site boundary if it differs), the canal and its setback.
Sliders and steppers set the households, plot sizes, lane widths, setback and common space;
"generate" asks `POST /api/cases/<id>/layouts` for 2–4 options (`gis.layout.
generate_layouts`), each sent as GeoJSON in WGS84 for other clients and again in EPSG:32647
metres for the page's script, which draws them on small maps without tiles, edits one by
hand (move a lane, merge or split plots) and, after every edit, asks `POST /api/cases/<id>/
workshop/check` for the verdict: `gis.layout.layout_problems` and `layout_metrics` on the
server, the same check a save runs. `POST /api/cases/<id>/layout-decisions` checks again
(400 listing every problem) and saves: the case's plots are replaced by
the option's plots, lanes and common space, and a layout decision (who agreed, when) is
recorded, in one unit of work (`cases.services.record_layout_decision`; 403 for a viewer or
another community's representative, 409 on a stale case version).
`GET /api/cases/<id>/layout-decisions` lists a case's decisions. `POST /cases/<id>/workshop/
options.pdf` prints the compared options, as adjusted on the page, as an A3 PDF
(`gis.report.layout_pdf`); the page offers it only when that renderer is installed.

The case page shows a big button to the workshop and the latest decision: the case page's
template (`cases/detail.html`) is not this module's, so until it includes
`layout/_case_panel.html` itself, the panel is put in after rendering (`_add_case_panel`).

The rules live in app/application/workshop.py; this module reads requests and answers.
The JSON API is the flask-smorest blueprint `workshop_api`, documented in
/api/openapi.json from its marshmallow schemas below.
"""

from __future__ import annotations

import io

from flask import Blueprint, g, jsonify, render_template, request, send_file, url_for
from markupsafe import Markup
from marshmallow import Schema, fields, validate

from app import cases_api
from app.application import workshop as app_workshop
from app.auth import login_required
from app.cases_api import ApiBlueprint
from app.cases_schemas import ErrorDetailSchema, ErrorSchema
from app.casestore import uow
from app.i18n import STRINGS, current_language, format_date
from app.store import get_store
from cases import services
from cases.errors import DomainError, NotFound
from gis.layout import DEFAULT_PLOT_TYPES, DEFAULT_UNIT_COSTS

bp = Blueprint("layout", __name__)
JS_STRING_PREFIX = "workshopjs."


def _labels() -> dict[str, str]:
    """The parameters' Thai names, for the problems a request's parameters have."""
    prefix = "workshop.p."
    return {k[len(prefix) :]: v["th"] for k, v in STRINGS.items() if k.startswith(prefix)}


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise services.LayoutRefused(
            "send a JSON object",
            "ข้อมูลที่ส่งมาไม่ใช่ JSON",
            field="body",
            problems=[{"en": "send a JSON object", "th": "ข้อมูลที่ส่งมาไม่ใช่ JSON", "field": "body"}],
        )
    return data


def _js_strings(lang: str) -> dict[str, str]:
    """The script's strings in the page's language, and each in Thai and English too
    (`key.th`, `key.en`): the broken rules are shown in both."""
    out = {}
    for key, value in STRINGS.items():
        if key.startswith(JS_STRING_PREFIX):
            name = key[len(JS_STRING_PREFIX) :]
            out[name] = value[lang]
            out[f"{name}.th"] = value["th"]
            out[f"{name}.en"] = value["en"]
    return out


def _decision_view(decision, lang: str) -> dict:
    option = decision.parameters.get("option") or {}
    name = option.get("name") or {}
    return {
        "id": decision.id,
        "name": name.get(lang) or decision.option_name,
        "agreed_by": decision.agreed_by,
        "agreed_on": format_date(decision.agreed_on, lang),
        "agreed_on_iso": decision.agreed_on.isoformat(),
        "note": decision.note,
        "recorded_by": decision.recorded_by,
        "recorded_at": format_date(decision.recorded_at, lang),
        "metrics": decision.metrics,
        "edits": decision.parameters.get("edits") or {},
    }


def pdf_renderer():
    """`gis.report.layout_pdf.layout_pdf`, once it exists; None until then."""
    try:
        from gis.report.layout_pdf import layout_pdf
    except ImportError:
        return None
    return layout_pdf


def _plot_types_shown() -> dict:
    return {
        "plot_type_labels": {
            t.name: {"th": t.label_th.split(" ")[0], "en": t.label_en.rsplit(" ", 4)[0]}
            for t in DEFAULT_PLOT_TYPES
        },
        "plot_types": [
            {
                "name": t.name,
                "width": t.width,
                "depth": t.depth,
                "label": {"th": t.label_th, "en": t.label_en},
            }
            for t in DEFAULT_PLOT_TYPES
        ],
    }


@bp.get("/cases/<int:case_id>/workshop")
@login_required
def workshop(case_id: int):
    ctx = services.layout_context(uow(), g.user, case_id)
    ws = app_workshop.case_site(get_store(), ctx["case"], ctx["community"])
    lang = current_language()
    g.page_url = url_for("layout.workshop", case_id=case_id)
    today = services.today_in_thailand()
    return render_template(
        "layout/workshop.html",
        case=ctx["case"],
        community=ctx["community"],
        site_name={"th": ws.name_th, "en": ws.name_en},
        can_edit=ctx["can_edit"],
        decision=_decision_view(ctx["decisions"][0], lang) if ctx["decisions"] else None,
        defaults=app_workshop.page_defaults(ws, ctx["counts"]),
        limits=app_workshop.LIMITS,
        site=app_workshop.site_payload(ws, ws.setback_from_centreline_m),
        js_strings=_js_strings(lang),
        today=today,
        years=list(range(today.year - 3, today.year + 1)),
        can_print=pdf_renderer() is not None,
        print_url=url_for("layout.print_options", case_id=case_id),
        **_plot_types_shown(),
    )


@bp.post("/cases/<int:case_id>/workshop/options.pdf")
@login_required
def print_options(case_id: int):
    """The compared options as an A3 PDF (`gis.report.layout_pdf`): the options the
    parameters make, each as adjusted by hand on the page where the page sends it."""
    if pdf_renderer() is None:
        raise NotFound("printing is not available", "ยังพิมพ์ไม่ได้")
    case, pdf = app_workshop.layout_sheets(
        uow(), get_store(), g.user, case_id, _json_body(), _labels(), lang=current_language()
    )
    response = send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{case.ref}-layout-options.pdf",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------ the case page's panel


def case_panel(case) -> Markup:
    """The case page's workshop button and latest layout decision."""
    lang = current_language()
    try:
        decisions = services.list_layout_decisions(uow(), g.user, case.id)
    except DomainError:
        return Markup("")
    return Markup(
        render_template(
            "layout/_case_panel.html",
            case=case,
            decision=_decision_view(decisions[0], lang) if decisions else None,
        )
    )


# ------------------------------------------------------------------ the API


def _decision_json(decision, lang: str) -> dict:
    return {
        "id": decision.id,
        "case_id": decision.case_id,
        "option_name": decision.option_name,
        # The option's name as the workshop showed it, in both languages (null: unknown).
        "option_name_label": (decision.parameters.get("option") or {}).get("name") or None,
        "agreed_by": decision.agreed_by,
        "agreed_on": decision.agreed_on.isoformat(),
        "agreed_on_text": format_date(decision.agreed_on, lang),
        "note": decision.note,
        "recorded_by": decision.recorded_by,
        "recorded_at": decision.recorded_at.isoformat(),
        "metrics": decision.metrics,
        "parameters": decision.parameters,
        "version": decision.version,
    }


api_bp = ApiBlueprint(
    "workshop_api", __name__, url_prefix="/api", description="Community layout workshops"
)
_CRS = validate.OneOf(["EPSG:4326", app_workshop.CRS])


class PlotTypeInSchema(Schema):
    name = fields.String(required=True, metadata={"example": "row"})
    width = fields.Float(required=True, metadata={"description": "metres", "example": 3.5})
    depth = fields.Float(required=True, metadata={"description": "metres", "example": 8})


class PlotTypeSchema(PlotTypeInSchema):
    label = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


UnitCostsSchema = Schema.from_dict(
    {name: fields.Float(metadata={"default": cost}) for name, cost in DEFAULT_UNIT_COSTS.items()},
    name="UnitCostsSchema",
)


class LayoutParametersInSchema(Schema):
    """What the generator is asked for; every one has a default (the site's, for the
    households and the setback). Checked by app/application/workshop.py, which refuses
    with every problem at once (400)."""

    households = fields.Integer(validate=validate.Range(1, 5000))
    plot_types = fields.List(
        fields.Nested(PlotTypeInSchema),
        validate=validate.Length(1, 4),
        metadata={"description": "1 to 4"},
    )
    main_lane_width = fields.Float(metadata={"default": 6.0})
    lane_width = fields.Float(metadata={"default": 4.0})
    setback = fields.Float(metadata={"description": "metres from the canal's centre line"})
    common_share = fields.Float(metadata={"default": 0.1, "description": "share of the site"})
    options = fields.Integer(
        validate=validate.Range(2, 4), metadata={"default": app_workshop.DEFAULT_OPTIONS}
    )
    seed = fields.Integer(validate=validate.Range(0, 2**31 - 1), metadata={"default": 0})
    unit_costs = fields.Nested(UnitCostsSchema)


class LayoutParametersSchema(Schema):
    """The parameters used, every default filled in."""

    households = fields.Integer(required=True)
    plot_types = fields.List(fields.Nested(PlotTypeSchema), required=True)
    main_lane_width = fields.Float(required=True)
    lane_width = fields.Float(required=True)
    setback = fields.Float(required=True)
    common_share = fields.Float(required=True)
    options = fields.Integer(required=True)
    seed = fields.Integer(required=True)
    unit_costs = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)


class LayoutCheckSchema(Schema):
    """An edited layout to check: the save's body without who agreed and when."""

    option = fields.Integer(metadata={"description": "The option it was made from"})
    parameters = fields.Nested(LayoutParametersInSchema)
    crs = fields.String(validate=_CRS, metadata={"default": "EPSG:4326"})
    access_point = fields.List(
        fields.Float(), metadata={"description": "[x, y] in `crs`, on the site's edge"}
    )
    features = fields.Dict(
        required=True,
        metadata={
            "description": "FeatureCollection; properties.layer is plot, lane or open_space "
            "(kind common)"
        },
    )


class LayoutDecisionInSchema(LayoutCheckSchema):
    """A layout the community agreed, to save to its case."""

    version = fields.Integer(required=True, metadata={"description": "The case's, as read"})
    name = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"example": {"th": "", "en": ""}}
    )
    agreed_by = fields.String(required=True)
    agreed_on = fields.String(
        required=True, metadata={"description": "YYYY-MM-DD; a year from 2400 is Buddhist Era"}
    )
    note = fields.String()
    confirm_replace = fields.Boolean(
        metadata={
            "description": "Replace the plots drawn by hand on the case page (listed "
            "in a refusal without it)"
        }
    )
    edits = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Counts of merged, split and lanes_moved"},
    )


class LayoutProblemSchema(Schema):
    """A broken rule or unreadable part, in Thai and English, with what it is about."""

    en = fields.String(required=True)
    th = fields.String(required=True)
    field = fields.String(allow_none=True)
    layer = fields.String(allow_none=True)
    feature = fields.Raw(allow_none=True, metadata={"description": "The feature's index or id"})
    rule = fields.String(
        metadata={"description": "A plot's drawing rule broken: invalid | outside_site | overlap"}
    )
    other_plot = fields.String(allow_none=True, metadata={"description": "The plot overlapped"})
    spot = fields.Dict(
        allow_none=True, metadata={"description": "Where: a GeoJSON Point in lon/lat, to mark"}
    )


class HandDrawnPlotSchema(Schema):
    plot_no = fields.String(required=True)
    kind = fields.String(required=True)


class LayoutRefusedDetailSchema(ErrorDetailSchema):
    problems = fields.List(fields.Nested(LayoutProblemSchema))
    hand_drawn = fields.List(
        fields.Nested(HandDrawnPlotSchema),
        metadata={"description": "field confirm_replace: the plots drawn by hand it replaces"},
    )


class LayoutRefusedSchema(Schema):
    """Refused, nothing saved: every problem with the parameters or the layout."""

    error = fields.Nested(LayoutRefusedDetailSchema, required=True)


class FeatureSchema(Schema):
    type = fields.String(required=True)
    geometry = fields.Dict(required=True, allow_none=True)
    properties = fields.Dict(
        required=True,
        metadata={"description": "layer (plot, lane, open_space) and its numbers"},
    )


class FeatureCollectionSchema(Schema):
    type = fields.String(required=True)
    features = fields.List(fields.Nested(FeatureSchema), required=True)
    crs = fields.Dict()


class GeometryPairSchema(Schema):
    """One geometry in WGS84 (`geojson`) and in EPSG:32647 metres (`utm`); null if none."""

    geojson = fields.Dict(required=True, allow_none=True)
    utm = fields.Dict(required=True, allow_none=True)


class AccessPointSchema(Schema):
    geojson = fields.Dict(required=True, allow_none=True)
    utm = fields.List(fields.Float(), required=True, allow_none=True)


class LayoutOptionSchema(Schema):
    """One option of gis.layout.generate_layouts."""

    option = fields.Integer(required=True)
    name = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    angle_deg = fields.Float(required=True)
    pattern = fields.Dict(required=True)
    access_point = fields.List(fields.Float(), required=True, allow_none=True)
    metrics = fields.Dict(required=True, metadata={"description": "gis.layout.layout_metrics"})
    geojson = fields.Nested(FeatureCollectionSchema, required=True)
    utm = fields.Nested(FeatureCollectionSchema, required=True)


class WorkshopCaseSchema(Schema):
    id = fields.Integer(required=True)
    ref = fields.String(required=True)
    version = fields.Integer(required=True)
    can_edit = fields.Boolean(required=True)


class LayoutOptionsSchema(Schema):
    """The case, the parameters used, its land, and the options."""

    case = fields.Nested(WorkshopCaseSchema, required=True)
    parameters = fields.Nested(LayoutParametersSchema, required=True)
    crs = fields.String(required=True)
    origin = fields.List(fields.Integer(), required=True)
    display_angle_deg = fields.Float(required=True)
    site = fields.Nested(GeometryPairSchema, required=True)
    site_area_m2 = fields.Float(required=True)
    canal = fields.Nested(GeometryPairSchema, required=True)
    setback_m = fields.Float(required=True)
    setback_zone = fields.Nested(GeometryPairSchema, required=True)
    access = fields.Nested(AccessPointSchema, required=True)
    options = fields.List(fields.Nested(LayoutOptionSchema), required=True)


class LayoutVerdictSchema(Schema):
    """Every rule the layout breaks (none when it keeps them all) and its metrics."""

    problems = fields.List(fields.Nested(LayoutProblemSchema), required=True)
    metrics = fields.Dict(required=True, metadata={"description": "gis.layout.layout_metrics"})


class LayoutDecisionSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    option_name = fields.String(required=True)
    option_name_label = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        allow_none=True,
        metadata={"description": "The option's name in words: {th, en}; null when unknown"},
    )
    agreed_by = fields.String(required=True)
    agreed_on = fields.String(required=True, metadata={"description": "ISO date"})
    agreed_on_text = fields.String(required=True, metadata={"description": "As the user reads it"})
    note = fields.String(required=True)
    recorded_by = fields.String(required=True)
    recorded_at = fields.String(required=True, metadata={"description": "ISO date and time"})
    metrics = fields.Dict(required=True)
    parameters = fields.Dict(
        required=True, metadata={"description": "The parameters, option and edits"}
    )
    version = fields.Integer(required=True)


class WorkshopCaseVersionSchema(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)


class LayoutSavedSchema(Schema):
    ok = fields.Boolean(required=True)
    decision = fields.Nested(LayoutDecisionSchema, required=True)
    case = fields.Nested(
        WorkshopCaseVersionSchema, required=True, metadata={"description": "The case's new version"}
    )
    case_url = fields.String(required=True)


class LayoutDecisionListSchema(Schema):
    decisions = fields.List(fields.Nested(LayoutDecisionSchema), required=True)


_SCHEMAS = {
    "LayoutParametersIn": LayoutParametersInSchema,
    "LayoutCheck": LayoutCheckSchema,
    "LayoutDecisionIn": LayoutDecisionInSchema,
    "LayoutRefused": LayoutRefusedSchema,
}


def _body(name: str) -> dict:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
        }
    }


def _not_found(func):
    return api_bp.alt_response(
        404, schema=ErrorSchema, description="No such case, or not yours to see"
    )(func)


def _refused(description: str):
    return api_bp.alt_response(400, schema=LayoutRefusedSchema, description=description)


@api_bp.route("/cases/<int:case_id>/layouts", methods=["POST"], tags=["workshop"])
@api_bp.doc(**_body("LayoutParametersIn"))
@api_bp.alt_response(200, schema=LayoutOptionsSchema, description="The options", success=True)
@_refused("Refused: every problem with the parameters, or no option could be made")
@_not_found
@login_required
def api_layouts(case_id: int):
    """Site layout options for a case's land (nothing is saved)

    Options made by gis.layout.generate_layouts for the case's community land, its canal
    setback and access point. Each option has its metrics, and its plots, lanes and open
    space as a FeatureCollection in WGS84 (`geojson`) and again in EPSG:32647 metres (`utm`).
    """
    body = _json_body()
    return jsonify(
        app_workshop.layout_options(uow(), get_store(), g.user, case_id, body, _labels())
    )


@api_bp.route("/cases/<int:case_id>/workshop/check", methods=["POST"], tags=["workshop"])
@api_bp.doc(**_body("LayoutCheck"))
@api_bp.alt_response(200, schema=LayoutVerdictSchema, description="The verdict", success=True)
@_refused("Refused: the layout or its parameters cannot be read")
@_not_found
@login_required
def api_check(case_id: int):
    """Check an edited layout (nothing is saved)

    The verdict the workshop page shows after every edit: every rule the layout breaks
    (gis.layout.layout_problems, in Thai and English, each with its plot or lane) and its
    metrics (gis.layout.layout_metrics), computed as a save computes them.
    """
    body = _json_body()
    return jsonify(app_workshop.check_edited(uow(), get_store(), g.user, case_id, body, _labels()))


@api_bp.route("/cases/<int:case_id>/layout-decisions", methods=["POST"], tags=["workshop"])
@api_bp.doc(**_body("LayoutDecisionIn"))
@api_bp.alt_response(
    201,
    schema=LayoutSavedSchema,
    description="Saved: the decision and the case's version",
    success=True,
)
@_refused("Refused: every broken rule or bad input; nothing saved")
@api_bp.alt_response(409, schema=ErrorSchema, description="The case changed since it was read")
@_not_found
@login_required
def api_save_decision(case_id: int):
    """Save the layout a community agreed to its case

    Replaces the case's plots with the layout's plots (kind plot), lanes (kind lane) and
    common space (kind common), and records who agreed and when, in one unit of work. The
    layout is checked first (no overlaps, inside the site and outside the canal setback,
    every plot on a lane, every lane reaching the access point).
    """
    body = _json_body()
    decision = app_workshop.save_layout(uow(), get_store(), g.user, case_id, body, _labels())
    after = services.get_case(uow(), g.user, case_id)
    return jsonify(
        {
            "ok": True,
            "decision": _decision_json(decision, current_language()),
            "case": {"id": after.id, "version": after.version},
            "case_url": url_for("cases.case_page", case_id=case_id, _anchor="layout-decision"),
        }
    ), 201


@api_bp.route("/cases/<int:case_id>/layout-decisions", methods=["GET"], tags=["workshop"])
@api_bp.alt_response(
    200, schema=LayoutDecisionListSchema, description="The decisions", success=True
)
@_not_found
@login_required
def api_list_decisions(case_id: int):
    """A case's layout decisions, the latest first"""
    lang = current_language()
    decisions = services.list_layout_decisions(uow(), g.user, case_id)
    return jsonify({"decisions": [_decision_json(d, lang) for d in decisions]})


def init_app(app) -> None:
    """Register the page, its API on the app's one Api (documented from the schemas
    above, whatever the order of init_app calls), and the case page's panel."""
    app.register_blueprint(bp)
    app.jinja_env.globals["workshop_case_panel"] = case_panel
    api = cases_api.planner_api(app)
    for name, schema in _SCHEMAS.items():
        if name not in api.spec.components.schemas:
            api.spec.components.schema(name, schema=schema)
    api.register_blueprint(api_bp)
    api.spec.tag({"name": "workshop", "description": "Community layout workshops"})
