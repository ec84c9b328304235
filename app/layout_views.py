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
"""

from __future__ import annotations

import io

from flask import Blueprint, g, jsonify, render_template, request, send_file, url_for
from markupsafe import Markup

from app.application import workshop as app_workshop
from app.auth import login_required
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


@bp.post("/api/cases/<int:case_id>/layouts")
@login_required
def api_layouts(case_id: int):
    body = _json_body()
    return jsonify(
        app_workshop.layout_options(uow(), get_store(), g.user, case_id, body, _labels())
    )


@bp.post("/api/cases/<int:case_id>/workshop/check")
@login_required
def api_check(case_id: int):
    """The verdict on an edited layout: its broken rules and its metrics (nothing saved)."""
    body = _json_body()
    return jsonify(app_workshop.check_edited(uow(), get_store(), g.user, case_id, body, _labels()))


@bp.post("/api/cases/<int:case_id>/layout-decisions")
@login_required
def api_save_decision(case_id: int):
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


def _decision_json(decision, lang: str) -> dict:
    return {
        "id": decision.id,
        "case_id": decision.case_id,
        "option_name": decision.option_name,
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


@bp.get("/api/cases/<int:case_id>/layout-decisions")
@login_required
def api_list_decisions(case_id: int):
    lang = current_language()
    decisions = services.list_layout_decisions(uow(), g.user, case_id)
    return jsonify({"decisions": [_decision_json(d, lang) for d in decisions]})


@bp.post("/cases/<int:case_id>/workshop/options.pdf")
@login_required
def print_options(case_id: int):
    """The compared options as an A3 PDF (`gis.report.layout_pdf`): the options the
    parameters make, each as adjusted by hand on the page where the page sends it."""
    render = pdf_renderer()
    if render is None:
        raise NotFound("printing is not available", "ยังพิมพ์ไม่ได้")
    body = _json_body()
    case, ws, params, layouts = app_workshop.print_layouts(
        uow(), get_store(), g.user, case_id, body, _labels()
    )
    lang = current_language()
    name = {"th": ws.name_th, "en": ws.name_en}
    pdf = render(
        layouts,
        ws.site,
        canal=ws.canal if len(ws.canal) else None,
        setback=params["setback"],
        title_th=f"ทางเลือกผังชุมชน {name['th']}",
        title_en=f"Layout options: {name['en']}",
        lang=lang,
        site_id=case.ref,
        parameters={
            "plot_types": params["_plot_types"],
            **{k: params[k] for k in ("main_lane_width", "lane_width", "setback")},
            **{k: params[k] for k in ("common_share", "seed")},
            "source": f"{case.ref} · {name[lang]}",
        },
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


# ------------------------------------------------------------------ the API's documentation

_PARAMETERS_SCHEMA = {
    "type": "object",
    "properties": {
        "households": {"type": "integer", "minimum": 1},
        "plot_types": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "example": "row"},
                    "width": {"type": "number", "example": 3.5},
                    "depth": {"type": "number", "example": 8},
                },
            },
        },
        "main_lane_width": {"type": "number", "default": 6},
        "lane_width": {"type": "number", "default": 4},
        "setback": {
            "type": "number",
            "description": "metres from the canal's centre line (default: the site's)",
        },
        "common_share": {"type": "number", "default": 0.1, "description": "share of the site"},
        "options": {
            "type": "integer",
            "minimum": 2,
            "maximum": 4,
            "default": app_workshop.DEFAULT_OPTIONS,
        },
        "seed": {"type": "integer", "default": 0},
        "unit_costs": {
            "type": "object",
            "properties": {name: {"type": "number"} for name in DEFAULT_UNIT_COSTS},
        },
    },
}
_ERRORS = {
    "401": {"description": "Not logged in"},
    "403": {"description": "Not allowed for this user and case"},
    "404": {"description": "No such case"},
}
_API_DOCS = {
    "layout.api_layouts": (
        "post",
        {
            "summary": "Site layout options for a case's land (nothing is saved)",
            "description": (
                "Options made by gis.layout.generate_layouts for the case's community land, "
                "its canal setback and access point. Each option has its metrics, and its "
                "plots, lanes and open space as a FeatureCollection in WGS84 (`geojson`) and "
                "again in EPSG:32647 metres (`utm`)."
            ),
            "tags": ["workshop"],
            "requestBody": {"content": {"application/json": {"schema": _PARAMETERS_SCHEMA}}},
            "responses": {
                "200": {"description": "The site, the parameters used, and the options"},
                "400": {"description": "Refused: every problem with the parameters"},
                **_ERRORS,
            },
        },
    ),
    "layout.api_check": (
        "post",
        {
            "summary": "Check an edited layout (nothing is saved)",
            "description": (
                "The verdict the workshop page shows after every edit: every rule the layout "
                "breaks (gis.layout.layout_problems, in Thai and English, each with its plot "
                "or lane) and its metrics (gis.layout.layout_metrics), computed as a save "
                "computes them. The body is the save's, without who agreed and when."
            ),
            "tags": ["workshop"],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "option": {"type": "integer"},
                                "parameters": _PARAMETERS_SCHEMA,
                                "crs": {"type": "string", "enum": ["EPSG:4326", app_workshop.CRS]},
                                "access_point": {"type": "array", "items": {"type": "number"}},
                                "features": {"type": "object", "description": "FeatureCollection"},
                            },
                            "required": ["features"],
                        }
                    }
                }
            },
            "responses": {
                "200": {"description": "`problems` (empty when every rule is kept), `metrics`"},
                "400": {"description": "Refused: the layout or its parameters cannot be read"},
                **_ERRORS,
            },
        },
    ),
    "layout.api_save_decision": (
        "post",
        {
            "summary": "Save the layout a community agreed to its case",
            "description": (
                "Replaces the case's plots with the layout's plots (kind plot), lanes (kind "
                "lane) and common space (kind common), and records who agreed and when. The "
                "layout is checked first (no overlaps, inside the site and outside the canal "
                "setback, every plot on a lane, every lane reaching the access point)."
            ),
            "tags": ["workshop"],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "version": {"type": "integer", "description": "the case's"},
                                "option": {"type": "integer"},
                                "name": {"type": "object"},
                                "parameters": _PARAMETERS_SCHEMA,
                                "crs": {"type": "string", "enum": ["EPSG:4326", app_workshop.CRS]},
                                "access_point": {"type": "array", "items": {"type": "number"}},
                                "features": {
                                    "type": "object",
                                    "description": "FeatureCollection; properties.layer is "
                                    "plot, lane or open_space (kind common)",
                                },
                                "agreed_by": {"type": "string"},
                                "agreed_on": {"type": "string", "format": "date"},
                                "note": {"type": "string"},
                                "edits": {"type": "object"},
                            },
                            "required": ["version", "features", "agreed_by", "agreed_on"],
                        }
                    }
                }
            },
            "responses": {
                "201": {"description": "The decision recorded, and the case's new version"},
                "400": {"description": "Refused: every broken rule or bad input"},
                "409": {"description": "The case changed since it was read"},
                **_ERRORS,
            },
        },
    ),
    "layout.api_list_decisions": (
        "get",
        {
            "summary": "A case's layout decisions, the latest first",
            "tags": ["workshop"],
            "responses": {"200": {"description": "The decisions"}, **_ERRORS},
        },
    ),
}


def init_app(app) -> None:
    """Register the page and its API, the case page's panel, and document the API."""
    app.register_blueprint(bp)
    app.jinja_env.globals["workshop_case_panel"] = case_panel
    api = app.extensions["planner"].get("api")
    if api is None:
        return
    api.spec.tag({"name": "workshop", "description": "Community layout workshops"})
    for endpoint, (method, operation) in _API_DOCS.items():
        for rule in app.url_map.iter_rules(endpoint):
            api.spec.path(rule=rule, operations={method: operation})
