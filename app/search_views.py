"""Search on the web: the page `GET /search?q=` and `GET /api/search?q=` (JSON).

Both call `cases.services.search`, which decides what the user's role may find (a
municipality viewer never finds a household; a community representative only their
own community) and refuses an over-long text in Thai and English. Here each result's
link target becomes an address: the case page, the household page, or the community's
cases list. The search box in every page's header is templates/_search_box.html.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from marshmallow import Schema, fields, validate

from app import cases_api
from app.auth import current_user, login_required
from app.cases_api import ApiBlueprint
from app.cases_schemas import ErrorSchema
from app.casestore import uow
from app.i18n import STRINGS
from cases import services
from cases.errors import InvalidInput
from cases.services.search import DEFAULT_LIMIT, MAX_LIMIT

bp = Blueprint("search", __name__)
api_bp = ApiBlueprint(
    "search_api",
    __name__,
    url_prefix="/api",
    description="Search cases, communities and households",
)

_ROUTES = {
    "case": ("cases.case_page", "case_id"),
    "household": ("cases.household", "household_id"),
    "community_cases": ("cases.case_list", "community"),
}


def link_url(link: services.Link) -> str:
    """The address a search result opens."""
    endpoint, arg = _ROUTES[link.kind]
    return url_for(endpoint, **{arg: link.key})


def _hit_dict(hit) -> dict:
    out = {name: getattr(hit, name) for name in hit.__dataclass_fields__}
    out["url"] = link_url(hit.link)
    return out


def _log_household_hits(user, results: services.SearchResults) -> None:
    """The households a search showed (head's name, house code) go in the read log."""
    services.log_reads(
        uow(),
        user,
        "search",
        [
            (hit.id, ["head_name"] + (["structure_id"] if hit.structure_id else []))
            for hit in results.households
        ],
    )


def results_dict(results: services.SearchResults) -> dict:
    """The answer of `GET /api/search` (and what the page shows)."""
    return {
        "q": results.text,
        "cases": [_hit_dict(h) for h in results.cases],
        "communities": [_hit_dict(h) for h in results.communities],
        "households": [_hit_dict(h) for h in results.households],
        "households_searched": results.households_searched,
        "more": sorted(results.more),
        # The groups with more matches in words, from the search page's own headings.
        "more_labels": [
            {lang: STRINGS[f"search.{group}"][lang] for lang in ("th", "en")}
            for group in sorted(results.more)
        ],
        "total": results.total,
    }


# -- the page -----------------------------------------------------------------------------
@bp.get("/search")
@login_required
def search_page():
    text = request.args.get("q", "")
    error, status = None, 200
    try:
        results = services.search(uow(), g.user, text)
        _log_household_hits(g.user, results)
    except InvalidInput as exc:
        error, status = exc, 422
        results = services.SearchResults(text="")
    return (
        render_template(
            "search.html",
            q=text[: services.MAX_SEARCH],
            results=results_dict(results),
            error=error,
        ),
        status,
    )


# -- the API ------------------------------------------------------------------------------
class SearchQuerySchema(Schema):
    q = fields.String(
        load_default="",
        metadata={
            "description": "Text to find: case ref or title, community name or code, "
            f"household head's name, household number or house code; at most "
            f"{services.MAX_SEARCH} characters (longer: 422)"
        },
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(
            min=1, max=MAX_LIMIT, error="must be from {min} to {max} / ต้องอยู่ระหว่าง {min} ถึง {max}"
        ),
        metadata={"description": "Results per group (cases, communities, households)"},
    )


class CaseHitSchema(Schema):
    id = fields.Integer(required=True)
    ref = fields.String(required=True)
    title_th = fields.String(required=True)
    title_en = fields.String(required=True)
    community_id = fields.String(required=True)
    community_th = fields.String(required=True)
    community_en = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "The case page"})


class CommunityHitSchema(Schema):
    id = fields.String(required=True)
    name_th = fields.String(required=True)
    name_en = fields.String(required=True)
    district_th = fields.String(required=True)
    district_en = fields.String(required=True)
    province_th = fields.String(required=True)
    province_code = fields.String(allow_none=True, metadata={"description": "DOPA, 2 digits"})
    district_code = fields.String(allow_none=True, metadata={"description": "DOPA, 4 digits"})
    url = fields.String(required=True, metadata={"description": "The community's cases list"})


class HouseholdHitSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    case_ref = fields.String(required=True)
    household_no = fields.Integer(required=True)
    head_name = fields.String(required=True)
    structure_id = fields.String(allow_none=True, metadata={"description": "House code"})
    community_id = fields.String(required=True)
    community_th = fields.String(required=True)
    community_en = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "The household page"})


class SearchResultsSchema(Schema):
    q = fields.String(required=True, metadata={"description": "The text as searched"})
    cases = fields.List(fields.Nested(CaseHitSchema), required=True)
    communities = fields.List(fields.Nested(CommunityHitSchema), required=True)
    households = fields.List(
        fields.Nested(HouseholdHitSchema),
        required=True,
        metadata={"description": "Empty for roles that do not see personal data"},
    )
    households_searched = fields.Boolean(
        required=True,
        metadata={"description": "False for municipality viewers: households not searched"},
    )
    more = fields.List(
        fields.String(), required=True, metadata={"description": "Groups with more matches"}
    )
    more_labels = fields.List(
        fields.Dict(keys=fields.String(), values=fields.String()),
        required=True,
        metadata={"description": "`more` in words: {th, en} each"},
    )
    total = fields.Integer(required=True)


@api_bp.route("/search", methods=["GET"], tags=["search"])
@api_bp.arguments(SearchQuerySchema, location="query")
@api_bp.response(200, SearchResultsSchema)
@api_bp.alt_response(
    422, schema=ErrorSchema, description="The text is too long (Thai and English message)"
)
def api_search(query):
    """Find cases, communities and households by name, number or code

    Community representatives find only their own community. Households are searched
    by head's name, household number or house code (never by national ID, phone or
    address), and only for the roles that see personal data: a municipality viewer
    gets `households: []` and `households_searched: false`. `%` and `_` match
    themselves. A text over the limit is refused (422, Thai and English).
    """
    user = current_user()
    results = services.search(uow(), user, query["q"], limit=query["limit"])
    _log_household_hits(user, results)
    return results_dict(results)


def init_app(app) -> None:
    """Register the page and the API (on the app's one documented Api)."""
    app.register_blueprint(bp)
    api = cases_api.planner_api(app)
    api.register_blueprint(api_bp)
    api.spec.tag({"name": "search", "description": "Search cases, communities and households"})
