"""The page /cases/from-layer (officers): open one case per community of a layer.

A form (layer, programme, province and district from the DOPA list), a preview of the
cases that would be opened, then a confirmation; app/application/layer_cases.py does
the work, as for `planner cases create --from-layer`.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from app.application import layer_cases
from app.auth import roles_required
from app.casestore import get_case_store
from app.store import get_catalog, get_store
from cases import register
from cases.errors import DomainError, Forbidden
from cases.policy import OFFICERS
from cases.workflow import default_workflows
from gis.errors import PlannerError, ValidationError

bp = Blueprint("layer_cases", __name__)


def _polygon_layers(store) -> list[str]:
    """Stored layers of polygons: those a case's site can come from."""
    return [n for n in store.layer_names() if "Polygon" in (store.info(n).geometry_type or "")]


@bp.route("/cases/from-layer", methods=("GET", "POST"))
@roles_required(*OFFICERS)
def from_layer():
    store = get_store()
    layers = _polygon_layers(store)
    form = request.form if request.method == "POST" else request.args
    values = {
        "layer": form.get("layer") or ("communities" if "communities" in layers else ""),
        "programme": form.get("programme") or "baan_mankong",
        "province_code": form.get("province_code") or None,
        "district_code": form.get("district_code") or None,
    }
    plan, problems, error, status = None, None, None, 200
    if request.method == "POST":
        confirm = request.form.get("action") == "confirm"
        run = layer_cases.create_cases_from_layer if confirm else layer_cases.plan_cases_from_layer
        try:
            result = run(store, get_case_store(), g.user, **values)
            plan = result if confirm else result[0]
        except Forbidden:
            raise
        except ValidationError as exc:
            problems, status = exc.problems, 422
        except DomainError as exc:
            error, status = {"en": exc.message_en, "th": exc.message_th}, 422
        except PlannerError as exc:
            error, status = {"en": str(exc), "th": str(exc)}, 422
    return (
        render_template(
            "cases/from_layer.html",
            layers=layers,
            values=values,
            programmes=default_workflows().programmes,
            dopa=layer_cases.dopa_choices(),
            dopa_names=register.dopa_names,
            layer_titles={e.name: e.title for e in get_catalog() if e.name in layers},
            plan=plan,
            problems=problems,
            error=error,
        ),
        status,
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
