"""The planner's web app: an app factory in the style of Flask's tutorial."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from gis.paths import DEFAULT_HOME

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def planner_home() -> Path:
    """The instance folder: `PLANNER_HOME`, else `instance/` in a checkout or the user's
    data folder when installed (gis.paths.DEFAULT_HOME)."""
    return Path(os.environ.get("PLANNER_HOME") or DEFAULT_HOME).resolve()


def shared_dir() -> Path:
    """The folder of the files every app server must see (documents, uploads, import
    reports, site checks, rasters; the stores' folder): `PLANNER_SHARED_DIR`, else the
    instance folder (docs/decisions/0031)."""
    return Path(os.environ.get("PLANNER_SHARED_DIR") or planner_home()).resolve()


def _instance_secret(folder: Path) -> str:
    """The session-signing key when PLANNER_SECRET_KEY is not set: made once and kept in
    the shared folder, so that every app server sharing it signs alike."""
    import secrets

    from gis.atomic import create_once

    return create_once(folder / "secret_key", secrets.token_hex(32)).decode().strip()


def create_app(test_config: dict | None = None) -> Flask:
    home = Path((test_config or {}).get("PLANNER_HOME") or planner_home())
    home.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(home), instance_relative_config=True)
    app.config.from_mapping(
        PLANNER_HOME=str(home),
        DATABASE_URL=os.environ.get("DATABASE_URL") or None,
        DATABASE_SCHEMA=os.environ.get("PLANNER_DATABASE_SCHEMA") or None,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        # Form fields a request may have: the site check ticks one box per community,
        # and a national store has 2,000; the page itself refuses more than it checks.
        MAX_FORM_PARTS=5_000,
        JSON_SORT_KEYS=False,
        # The session cookie: never read by scripts, not sent on cross-site posts;
        # Secure when served over HTTPS (PLANNER_SECURE_COOKIES=1 or `serve --https`).
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SECURE_COOKIES=False,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("PLANNER")
    else:
        app.config.from_mapping(test_config)
    shared = Path(app.config.get("SHARED_DIR") or home).resolve()
    app.config["SHARED_DIR"] = str(shared)
    shared.mkdir(mode=0o700, parents=True, exist_ok=True)  # made private by store.init_app
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(shared)
    if app.config.get("SECURE_COOKIES"):
        app.config["SESSION_COOKIE_SECURE"] = True
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from app import api, auth, casestore, errors, i18n, map, store

    store.init_app(app)
    casestore.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    from app import request_guard  # bad JSON, Unicode and numbers: 4xx, never 500

    request_guard.init_app(app)
    auth.init_app(app)
    from app import security_headers  # CSP with nonce, no framing, no-store on personal data

    security_headers.init_app(app)
    from app import compress  # gzip of static JS, CSS and HTML for browsers that take it

    compress.init_app(app)
    from app import route_policy  # route × role table; after auth: load_user runs first

    route_policy.init_app(app)
    app.register_blueprint(map.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    from app import cases_views

    app.register_blueprint(cases_views.bp)
    app.register_blueprint(cases_views.dashboard_bp)
    from app import layer_cases_views  # /cases/from-layer: cases from a communities layer

    layer_cases_views.init_app(app)
    from app import cases_api  # the case tracker's JSON API and /api/openapi.json

    cases_api.init_app(app)
    from app import imports_views  # data in and out: /imports, /api/imports, /api/exports

    imports_views.init_app(app)
    from app import overlap_views  # the municipal site check: /overlap, /api/overlap

    overlap_views.init_app(app)
    from app import layout_views  # the community workshop: /cases/<id>/workshop, its API

    layout_views.init_app(app)
    from app import survey_views  # the household survey: /cases/<id>/survey-form.xlsx

    survey_views.init_app(app)
    from app import search_views  # one box: cases, communities, households; /api/search

    search_views.init_app(app)
    from app import pdpa_views  # PDPA: a household's consent ledger, page forms and API

    pdpa_views.init_app(app)
    from app import tiles_views  # vector tiles of the large layers: /tiles/<layer>/z/x/y.mvt

    tiles_views.init_app(app)
    from app import jobs_views  # background jobs: /jobs, /api/jobs (reports, exports)

    jobs_views.init_app(app)
    return app
