"""Background jobs on the web: `/jobs`, `/jobs/<id>` and `/api/jobs`.

Starting a job answers at once: `POST /api/jobs` with `{"kind", "params"}` gives 202
and the job's address; the forms' `POST /jobs` redirects to the job's page. The page
shows a <progress> bar and the step in words, read from the database (it survives a
reload) and polled from `/api/jobs/<id>` by static/js/jobs.js; a download link
appears when the job is done. A user sees only their own jobs (an admin sees all),
and only while their role may read what the job's kind produces: anyone else gets 404.

The queue (app/application/job_queue.py) is made per app on first use; the embedded
store's thread pool starts with the first job, PostgreSQL's worker thread when
`JOBS_WORKER` is set (`planner serve` sets it) or with `planner worker`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from app import cases_api
from app.application import (
    job_kinds,  # noqa: F401 - registers the kinds
    jobs,
)
from app.application.job_queue import make_queue
from app.auth import login_required
from app.cases_api import ApiBlueprint
from app.casestore import get_case_store
from app.i18n import current_language
from app.store import get_catalog, get_store
from app.strings import text
from cases.errors import DomainError, NotFound
from cases.policy import ADMIN, role_of
from gis.errors import ValidationError

EXPORT_JOB_FEATURES = 50_000  # exports of larger layers run as jobs (config of that name)


def _export_readable(user, job: jobs.Job) -> bool:
    """A layer export is readable while the reader may open the layer and the file holds
    no field the reader may not see (it was made without `drop_fields`)."""
    from app import layer_access

    layer = job.params.get("layer", "")
    try:
        if not layer_access.may_see(layer, user):
            return False
        hidden = layer_access.hidden_fields(layer, user)
    except Exception:  # noqa: BLE001 - a layer gone since: nothing to read
        return False
    return set(hidden) <= set(job.params.get("drop_fields") or ())


jobs.register(
    jobs.JobKind(
        "layer_export",
        job_kinds.layer_export_run,
        job_kinds.layer_export_params,
        job_kinds.USERS,
        "jobs.kind.layer_export",
        may_read=_export_readable,
        startable=False,
    )
)

bp = Blueprint("jobs", __name__)
api_bp = ApiBlueprint(
    "jobs_api", __name__, url_prefix="/api", description="Background jobs: reports and exports"
)
_starting = threading.Lock()


# ------------------------------------------------------------------ the queue


def job_context(app: Flask) -> jobs.JobContext:
    """The jobs' context over the app's own stores (opened once, in an app context)."""

    def in_app(get):
        def opener():
            with app.app_context():
                return get()

        return opener

    return jobs.JobContext(
        # The shared folder (docs/decisions/0031): any app server's worker can run a job
        # and any app server can hand out its result.
        home=Path(app.config["SHARED_DIR"]),
        case_store_opener=in_app(get_case_store),
        layer_store_opener=in_app(get_store),
        catalog_opener=in_app(get_catalog),
        config={k: v for k, v in app.config.items() if k.startswith("JOBS_")},
    )


def get_queue(app: Flask | None = None):
    """The app's queue, made once."""
    app = app or current_app._get_current_object()
    ext = app.extensions["planner"]
    if ext.get("job_queue") is None:
        with _starting:
            if ext.get("job_queue") is None:
                ext["job_queue"] = make_queue(
                    job_context(app),
                    app.config.get("DATABASE_URL"),
                    app.config.get("DATABASE_SCHEMA"),
                )
    return ext["job_queue"]


def start_worker(app: Flask):
    """Run jobs in this process (a thread pool, or procrastinate's worker thread)."""
    queue = get_queue(app)
    with _starting:
        if not app.extensions["planner"].get("job_worker"):
            queue.start()
            app.extensions["planner"]["job_worker"] = True
    return queue


def _runs_here(app: Flask) -> bool:
    embedded = not (app.config.get("DATABASE_URL") or "").startswith("postgres")
    return bool(app.config.get("JOBS_WORKER", embedded))


def start_job(kind: str, params, *, trusted: dict | None = None) -> jobs.Job:
    """A new job of this user's, queued; `trusted` params come from the app itself."""
    if not isinstance(params, dict):
        raise jobs.refused("jobs.err_params", field="params")
    if trusted is None and not jobs.kind_of(kind).startable:
        raise jobs.refused("jobs.err_kind", field="kind", kind=str(kind)[:40])
    app = current_app._get_current_object()
    job = jobs.create(get_case_store().engine, kind, g.user, params, trusted=trusted)
    if _runs_here(app):
        start_worker(app)
    get_queue(app).enqueue(job.id)
    return job


def export_as_job(layer: str, fmt: str, open_data: bool, hidden) -> tuple | None:
    """A large layer's export as a job (202 and its address) for a logged-in user, or
    None when the layer is small enough to send at once (or nobody is logged in)."""
    limit = current_app.config.get("EXPORT_JOB_FEATURES", EXPORT_JOB_FEATURES)
    if g.get("user") is None or get_store().info(layer).feature_count <= limit:
        return None
    job = start_job(
        "layer_export",
        {"layer": layer, "format": fmt, "open_data": open_data},
        trusted={"drop_fields": sorted(hidden)},
    )
    body = jobs.job_dict(job, links=_links(job))
    return jsonify(body), 202, {"Location": body["links"]["page"]}


def _links(job: jobs.Job) -> dict[str, str]:
    links = {
        "page": url_for("jobs.job_page", job_id=job.id),
        "api": url_for("jobs_api.api_job", job_id=job.id),
    }
    if job.status == jobs.DONE:
        links["result"] = url_for("jobs.result", job_id=job.id)
    return links


def _readable(job_id: str) -> jobs.Job:
    return jobs.readable(get_case_store().engine, g.user, job_id)


def _visible_jobs() -> list[jobs.Job]:
    owner = None if role_of(g.user) == ADMIN else g.user.username
    return [j for j in jobs.list_jobs(get_case_store().engine, owner) if jobs.may_read(g.user, j)]


def _error(status: int, en: str, th: str, **extra):
    return jsonify({"error": {"status": status, "en": en, "th": th, **extra}}), status


# ------------------------------------------------------------------ pages


@bp.get("/jobs")
@login_required
def jobs_page():
    """The user's jobs, newest first."""
    shown = [jobs.job_dict(j, links=_links(j)) for j in _visible_jobs()]
    return render_template("jobs/list.html", jobs=shown)


@bp.post("/jobs")
@login_required
def new_job():
    """Start a job from a page's form (kind and its fields); to the job's page."""
    form = request.form
    params = {}
    for key in form:
        if key in ("csrf_token", "kind"):
            continue
        values = form.getlist(key)
        params[key] = values if len(values) > 1 or key in ("site_ids", "against") else values[0]
    params.setdefault("lang", current_language())
    try:
        job = start_job(form.get("kind", ""), params)
    except DomainError as exc:
        return render_template("jobs/refused.html", en=exc.message_en, th=exc.message_th), (
            exc.status
        )
    except ValidationError as exc:
        en, th = jobs._words_of(exc)
        return render_template("jobs/refused.html", en=en, th=th), 400
    return redirect(url_for("jobs.job_page", job_id=job.id), 303)


@bp.get("/jobs/<job_id>")
@login_required
def job_page(job_id: str):
    """One job: its progress bar, its step in words, the download when done."""
    job = _readable(job_id)
    return render_template("jobs/show.html", job=jobs.job_dict(job, links=_links(job)))


@bp.get("/jobs/<job_id>/result")
@login_required
def result(job_id: str):
    """The finished job's file, as an attachment; never cached."""
    return _send_result(job_id)


def _send_result(job_id: str):
    job = _readable(job_id)
    path = jobs.result_path(
        jobs.results_dir(current_app.config["PLANNER_HOME"], _jobs_config()), job
    )
    if path is None:
        raise NotFound(*text("jobs.err_not_ready"))
    response = send_file(
        path,
        mimetype=job.result_type or "application/octet-stream",
        as_attachment=True,
        download_name=job.result_name or job.id,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _jobs_config() -> dict:
    return {k: v for k, v in current_app.config.items() if k.startswith("JOBS_")}


# ------------------------------------------------------------------ the API


@api_bp.route("/jobs", methods=["GET"], tags=["jobs"])
@api_bp.alt_response(200, description="The user's jobs, newest first", success=True)
@login_required
def api_jobs():
    """The user's background jobs (an admin's: everyone's)"""
    return jsonify({"jobs": [jobs.job_dict(j, links=_links(j)) for j in _visible_jobs()]})


@api_bp.route("/jobs", methods=["POST"], tags=["jobs"])
@api_bp.doc(
    requestBody={
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["kind", "params"],
                    "properties": {
                        "kind": {
                            "type": "string",
                            "enum": sorted(k for k, v in jobs.KINDS.items() if v.startable),
                        },
                        "params": {"type": "object"},
                    },
                }
            }
        }
    }
)
@api_bp.alt_response(202, description="Queued: the job, with its address", success=True)
@api_bp.alt_response(400, description="Bad kind or params, said in Thai and English")
@api_bp.alt_response(403, description="Your role may not run this kind of job")
@login_required
def api_start_job():
    """Start a background job: site_check, workshop_pdf or pdpa_export"""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, *text("jobs.err_params"))
    try:
        job = start_job(str(body.get("kind", "")), body.get("params", {}))
    except ValidationError as exc:
        en, th = jobs._words_of(exc)
        return _error(400, en, th, problems=[p.to_dict() for p in exc.problems])
    except DomainError as exc:
        return _error(exc.status, exc.message_en, exc.message_th)
    body = jobs.job_dict(job, links=_links(job))
    return jsonify(body), 202, {"Location": body["links"]["page"]}


@api_bp.route("/jobs/<job_id>", methods=["GET"], tags=["jobs"])
@api_bp.alt_response(200, description="The job: status, progress, step, links", success=True)
@api_bp.alt_response(404, description="No such job, or not yours")
@login_required
def api_job(job_id: str):
    """A background job's state (poll it for progress)"""
    job = _readable(job_id)
    return jsonify(jobs.job_dict(job, links=_links(job)))


@api_bp.route("/jobs/<job_id>/result", methods=["GET"], tags=["jobs"])
@api_bp.alt_response(200, description="The file, as an attachment", success=True)
@api_bp.alt_response(404, description="No such job, not yours, or not done")
@login_required
def api_result(job_id: str):
    """A finished job's file"""
    return _send_result(job_id)


def init_app(app: Flask) -> None:
    """Register the pages and the API; `JOBS_WORKER` starts the worker with the app."""
    app.register_blueprint(bp)
    api = cases_api.planner_api(app)
    api.register_blueprint(api_bp)
    api.spec.tag({"name": "jobs", "description": "Background jobs: reports and exports"})
    if app.config.get("JOBS_WORKER") == "start":
        start_worker(app)
