"""Which roles may call each route: one table, checked before every view.

Every endpoint of the app (pages, JSON API, flask-smorest routes, static files)
is listed in `POLICY` with the roles allowed, per HTTP method where they differ.
An endpoint missing from the table is refused to everyone (deny by default), and
tests/test_access.py fails when one is missing. The check runs after
`app.auth.load_user` and before any view or argument validation, so a viewer
gets 403 (not 422) on an officer's write, and a visitor 401 or the login page.

Finer checks stay where they are: which case a community representative may
see (cases.policy), which layers and fields a role may see (app.layer_access).
"""

from __future__ import annotations

import logging

from flask import Flask, g, redirect, request, url_for

from app.auth import NotLoggedIn
from app.errors import json_error
from cases.errors import Forbidden
from cases.policy import ALL_ROLES, ANONYMOUS, COMMUNITY_REP, OFFICERS, role_of

log = logging.getLogger(__name__)

EVERYONE = frozenset(ALL_ROLES)
USERS = EVERYONE - {ANONYMOUS}
EDITORS = frozenset({*OFFICERS, COMMUNITY_REP})  # case policy narrows reps further
STAFF = frozenset(OFFICERS)

Allowed = frozenset[str] | dict[str, frozenset[str]]

POLICY: dict[str, Allowed] = {
    # The public map and its data: layer access is decided per layer (app.layer_access).
    "static": EVERYONE,
    "map.home": EVERYONE,
    "api.list_layers": EVERYONE,
    "api.layer_features": EVERYONE,
    "api.raster_overlay": EVERYONE,
    "tiles.tile": EVERYONE,
    "imports_api.api_export": EVERYONE,
    "api-docs.openapi_json": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": EVERYONE,
    # Case tracker pages.
    "cases.case_list": USERS,
    "cases.case_page": USERS,
    "cases.document": USERS,
    "cases.household": EDITORS,
    "cases.new_case": STAFF,
    "layer_cases.from_layer": STAFF,
    "cases.add_household": EDITORS,
    "cases.budget": EDITORS,
    "cases.edit_case": EDITORS,
    "cases.hold": EDITORS,
    "cases.move": EDITORS,
    "cases.upload": EDITORS,
    "dashboard.dashboard": USERS,
    # The household survey form collects personal data: not for municipality viewers.
    "survey.survey_form": EDITORS,
    "survey.survey_import": EDITORS,
    "survey.resolve_conflict": EDITORS,
    # Counts for everyone who sees the case; the houses and conflicts only with personal data.
    "survey.survey_api": USERS,
    # Case tracker API.
    "cases_api.list_cases": {"GET": USERS},
    "cases_api.create_case": {"POST": STAFF},
    "cases_api.get_case": {"GET": USERS},
    "cases_api.update_case": {"PATCH": EDITORS},
    "cases_api.move_stage": {"POST": EDITORS},
    "cases_api.list_households": {"GET": EDITORS},
    "cases_api.add_household": {"POST": EDITORS},
    "cases_api.get_household": {"GET": EDITORS},
    "cases_api.update_household": {"PATCH": EDITORS},
    "cases_api.list_members": {"GET": EDITORS},
    "cases_api.put_members": {"PUT": EDITORS},
    "cases_api.dopa_children": {"GET": USERS},
    "cases_api.list_plots": {"GET": USERS},
    "cases_api.add_plot": {"POST": EDITORS},
    "cases_api.update_plot": {"PATCH": EDITORS},
    "cases_api.delete_plot": {"DELETE": EDITORS},
    "cases_api.upload_document": {"POST": EDITORS},
    "cases_api.download_document": {"GET": USERS},
    "cases_api.get_budget": {"GET": USERS},
    "cases_api.put_budget_line": {"PUT": EDITORS},
    "cases_api.audit": {"GET": STAFF},
    "cases_api.progress": {"GET": USERS},
    "cases_api.stalled": {"GET": USERS},
    "cases_api.finished_over_time": {"GET": USERS},
    "cases_api.workflows": {"GET": USERS},
    # Data in.
    "imports.imports_page": STAFF,
    "imports.show_import": STAFF,
    "imports_api.api_import": STAFF,
    "imports_api.api_import_report": STAFF,
    # The municipal site check: viewers use it.
    "overlap.overlap_page": USERS,
    "overlap.show_run": USERS,
    "overlap.download": USERS,
    "overlap_api.api_overlap": USERS,
    "overlap_api.api_download": USERS,
    # The community workshop: anyone logged in may look and print; editors save.
    "layout.workshop": USERS,
    "layout.print_options": USERS,
    "workshop_api.api_layouts": {"POST": USERS},
    "workshop_api.api_check": {"POST": USERS},
    "workshop_api.api_list_decisions": {"GET": USERS},
    "workshop_api.api_save_decision": {"POST": EDITORS},
    # Search: any user; what each role finds is decided by cases.services.search
    # (viewers never find households, representatives only their community).
    "search.search_page": USERS,
    "search_api.api_search": {"GET": USERS},
    # PDPA: a household's consent ledger (personal data: not for municipality viewers).
    "pdpa.record_consent": EDITORS,
    "pdpa.withdraw_consent": EDITORS,
    "pdpa_api.get_consent": {"GET": EDITORS},
    "pdpa_api.post_consent": {"POST": EDITORS},
    # Subject access exports hold the full national ID and the logs: officers and admins.
    "pdpa.export_pdf": STAFF,
    "pdpa.export_json": STAFF,
    # The family's requests: erasure (s33), objection (s32), restriction (s34).
    "pdpa.erase_household": STAFF,
    "pdpa.restrict_household": STAFF,
    "pdpa.lift_restriction": STAFF,
    # Background jobs: each user sees their own (an admin all), and only while their role
    # may read what the job's kind produces (app.application.jobs.may_read).
    "jobs.jobs_page": USERS,
    "jobs.new_job": USERS,
    "jobs.job_page": USERS,
    "jobs.result": USERS,
    "jobs_api.api_jobs": {"GET": USERS},
    "jobs_api.api_start_job": {"POST": USERS},
    "jobs_api.api_job": {"GET": USERS},
    "jobs_api.api_result": {"GET": USERS},
}


def allowed_roles(endpoint: str, method: str) -> frozenset[str] | None:
    """The roles that may call `endpoint` with `method`; None when it is not declared."""
    allowed = POLICY.get(endpoint)
    if allowed is None or isinstance(allowed, frozenset):
        return allowed
    if method == "HEAD":
        method = "GET"
    return allowed.get(method)


def may_open(endpoint: str, user=None, method: str = "GET") -> bool:
    """Whether `user` (default: this request's) may call `endpoint`: the header shows a
    link only to those who may follow it (app/templates/_header.html)."""
    roles = allowed_roles(endpoint, method)
    return roles is not None and role_of(user if user is not None else g.get("user")) in roles


def _wants_json() -> bool:
    path = request.path
    return (
        path.startswith("/api/")
        or path.endswith(".json")
        or request.is_json
        or request.accept_mimetypes.best == "application/json"
    )


def _refuse(exc):
    if _wants_json():
        return json_error(exc.status, exc.message_en, exc.message_th)
    raise exc  # app/errors.py renders the page in the user's language


def check_route():
    """before_request: refuse the route unless the table lets this role call it."""
    endpoint = request.endpoint
    if endpoint is None or request.method == "OPTIONS":
        return None  # no such route (404/405), or a pre-flight that returns no data
    role = role_of(g.get("user"))
    roles = allowed_roles(endpoint, request.method)
    if roles is not None and role in roles:
        return None
    if roles is None:
        log.error("route %s %s is not in app/route_policy.py; refused", request.method, endpoint)
        return _refuse(
            Forbidden(
                "this address is not open to anyone yet",
                "หน้านี้ยังไม่ได้กำหนดสิทธิ์การเข้าถึง จึงยังเปิดไม่ได้",
            )
        )
    if role == ANONYMOUS:
        if not _wants_json():
            return redirect(url_for("auth.login", next=request.full_path))
        return _refuse(NotLoggedIn("log in first", "กรุณาเข้าสู่ระบบก่อน"))
    return _refuse(
        Forbidden(
            f"this needs the role {' or '.join(sorted(roles - {ANONYMOUS}))}",
            "บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้",
        )
    )


def init_app(app: Flask) -> None:
    """Register the check; call after `auth.init_app`, whose `load_user` must run first."""
    app.before_request(check_route)
    app.context_processor(lambda: {"may_open": may_open})
