"""The kinds of background job (app/application/jobs.py), one `register` each.

- `site_check`: the site check's PDF report (the corridor report) over stored sites;
  anyone logged in, as the site check page.
- `workshop_pdf`: the workshop's A3 layout sheets of a case; whoever may see the case.
- `pdpa_export`: a household's subject access export (PDF or JSON); officers and
  admins only, as the synchronous export.
- `tiles_build`: a large layer's vector tiles made ahead (app/application/tiles.py);
  started after an import of such a layer, or by staff; the result is a summary.
- `layer_export`: a large layer as a file (app/imports_views.py starts it above
  `EXPORT_JOB_FEATURES`; who may read it is the layer's rule, app/jobs_views.py).
"""

from __future__ import annotations

from pathlib import Path

from app.application import jobs
from app.application.jobs import Job, JobContext, JobKind, Progress, refused, register
from app.strings import STRINGS, text
from cases import services
from cases.errors import Forbidden
from cases.policy import ALL_ROLES, ANONYMOUS, OFFICERS, role_of

USERS = frozenset(ALL_ROLES) - {ANONYMOUS}
STAFF = frozenset(OFFICERS)
MAX_SITES = 200  # as the site check page's OVERLAP_MAX_SITES


def scaled(progress: Progress, lo: float, hi: float) -> Progress:
    """`progress` for a part of the work that runs from `lo` to `hi` of the whole."""
    return lambda fraction, step: progress(lo + (hi - lo) * fraction, step)


def _lang(params: dict) -> str:
    lang = params.get("lang") or "th"
    if lang not in ("th", "en"):
        raise refused("jobs.err_lang", field="lang")
    return lang


def _owner(ctx: JobContext, job: Job):
    """The job's owner as stored now: a removed or demoted user's job does not run."""
    user = services.get_user(ctx.case_store.uow(), job.owner)
    kind = jobs.KINDS[job.kind]
    if user is None or not user.active or role_of(user) not in kind.roles:
        raise Forbidden(*text("jobs.err_role"))
    return user


# ------------------------------------------------------------------ the site check PDF


def _site_check_params(params: dict) -> dict:
    from gis.rules import CHECKS, DEFAULT_RULES, available_rule_sets

    ids = params.get("site_ids")
    if isinstance(ids, str):
        ids = [part.strip() for part in ids.split(",")]
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise refused("jobs.err_site_ids", field="site_ids")
    ids = [i.strip()[:80] for i in ids if i.strip()]
    if not ids or len(ids) > MAX_SITES:
        raise refused("jobs.err_site_ids", field="site_ids")
    against = params.get("against") or list(CHECKS)
    if not isinstance(against, list) or not against or any(c not in CHECKS for c in against):
        raise refused("jobs.err_against", field="against", known=", ".join(CHECKS))
    rules = str(params.get("rules") or DEFAULT_RULES.stem)
    if rules not in {p.stem for p in available_rule_sets()}:
        raise refused("jobs.err_rules", field="rules")
    return {"site_ids": ids, "against": against, "rules": rules, "lang": _lang(params)}


def _site_check_run(ctx: JobContext, job: Job, progress: Progress, out: Path):
    from app.application.site_check import SITES_LAYER, SiteCheck, run_site_check
    from gis.report.html import render_pdf
    from gis.rules import available_rule_sets, load_rules

    p = job.params
    rules = load_rules({r.stem: r for r in available_rule_sets()}[p["rules"]])
    check = SiteCheck(against=p["against"], rules=rules, sites_layer=SITES_LAYER)
    check.site_ids = p["site_ids"]
    report = run_site_check(
        ctx.layer_store, ctx.catalog, check, progress=scaled(progress, 0.0, 0.4)
    )
    out.write_bytes(render_pdf(report, lang=p["lang"], progress=scaled(progress, 0.4, 1.0)))
    return "site-check-report.pdf", "application/pdf"


register(JobKind("site_check", _site_check_run, _site_check_params, USERS, "jobs.kind.site_check"))


# ------------------------------------------------------------------ the workshop's A3 sheets


def _workshop_params(params: dict) -> dict:
    case_id = params.get("case_id")
    if not isinstance(case_id, int) or isinstance(case_id, bool) or case_id < 1:
        raise refused("jobs.err_case", field="case_id")
    body = params.get("body") or {}
    if not isinstance(body, dict):
        raise refused("jobs.err_body", field="body")
    return {"case_id": case_id, "body": body, "lang": _lang(params)}


def _workshop_run(ctx: JobContext, job: Job, progress: Progress, out: Path):
    from app.application import workshop

    p = job.params
    user = _owner(ctx, job)
    progress(0.0, "layouts")
    labels = {k[len("workshop.p.") :]: v["th"] for k, v in STRINGS.items()
              if k.startswith("workshop.p.")}  # fmt: skip
    case, pdf = workshop.layout_sheets(
        ctx.case_store.uow(),
        ctx.layer_store,
        user,
        p["case_id"],
        p["body"],
        labels,
        lang=p["lang"],
        progress=scaled(progress, 0.2, 1.0),
    )
    out.write_bytes(pdf)
    return f"{case.ref}-layout-options.pdf", "application/pdf"


register(JobKind("workshop_pdf", _workshop_run, _workshop_params, USERS, "jobs.kind.workshop_pdf"))


# ------------------------------------------------------------------ the PDPA export


def _pdpa_params(params: dict) -> dict:
    hid = params.get("household_id")
    if isinstance(hid, str) and hid.isdigit():
        hid = int(hid)
    if not isinstance(hid, int) or isinstance(hid, bool) or hid < 1:
        raise refused("jobs.err_household", field="household_id")
    fmt = params.get("format") or "pdf"
    if fmt not in ("pdf", "json"):
        raise refused("jobs.err_format", field="format")
    return {"household_id": hid, "format": fmt}


def _pdpa_run(ctx: JobContext, job: Job, progress: Progress, out: Path):
    from app.application import pdpa

    user = _owner(ctx, job)
    progress(0.0, "gather")
    access = pdpa.subject_access(ctx.case_store.uow(), user, job.params["household_id"])
    fmt = job.params["format"]
    if fmt == "json":
        out.write_bytes(pdpa.subject_access_json(access))
        return access.filename("json"), "application/json"
    from gis.report.html import html_to_pdf

    html = pdpa.subject_access_html(access)
    out.write_bytes(html_to_pdf(html, progress=scaled(progress, 0.2, 1.0)))
    return access.filename("pdf"), "application/pdf"


register(JobKind("pdpa_export", _pdpa_run, _pdpa_params, STAFF, "jobs.kind.pdpa_export"))


# ------------------------------------------------------------------ a large layer's export


def layer_export_params(params: dict) -> dict:
    from gis.exporting import EXPORT_FORMATS

    layer = params.get("layer")
    if not isinstance(layer, str) or not layer or len(layer) > 80:
        raise refused("jobs.err_layer", field="layer")
    fmt = params.get("format") or "gpkg"
    if fmt not in EXPORT_FORMATS:
        raise refused("jobs.err_format", field="format")
    return {"layer": layer, "format": fmt, "open_data": bool(params.get("open_data"))}


def layer_export_run(ctx: JobContext, job: Job, progress: Progress, out: Path):
    """The layer written by gis.exporting, without the fields the owner may not see
    (`drop_fields`, set by the app when the job was made)."""
    import shutil
    import tempfile

    from app.application.imports import export_to

    p = job.params
    suffix = "zip" if p["format"] == "shp" else p["format"]
    progress(0.1, "export")
    work = tempfile.mkdtemp(prefix="planner-job-export-", dir=out.parent)
    try:
        written = export_to(
            ctx.layer_store,
            ctx.catalog,
            [p["layer"]],
            fmt=p["format"],
            out=Path(work) / f"{p['layer']}.{suffix}",
            open_data=p["open_data"],
            drop_fields=p.get("drop_fields") or (),
        )
        progress(0.9, "export")
        shutil.move(written, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    media = {
        "gpkg": "application/geopackage+sqlite3",
        "shp": "application/zip",
        "geojson": "application/geo+json",
        "kml": "application/vnd.google-earth.kml+xml",
        "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    return f"{p['layer']}{'-open-data' if p['open_data'] else ''}.{suffix}", media[p["format"]]


# ------------------------------------------------------------------ a large layer's tiles


def _tiles_params(params: dict) -> dict:
    layer = params.get("layer")
    if not isinstance(layer, str) or not layer or len(layer) > 80:
        raise refused("jobs.err_layer", field="layer")
    return {"layer": layer}


def _tiles_run(ctx: JobContext, job: Job, progress: Progress, out: Path):
    """The layer's box index and its tiles up to zoom 10, made and kept; a JSON summary."""
    import json

    from app.application import tiles

    _owner(ctx, job)
    name = job.params["layer"]
    progress(0.02, "tiles")
    made = tiles.prebuild(
        ctx.layer_store, ctx.catalog, [name], progress=lambda f: progress(0.02 + 0.96 * f, "tiles")
    )
    out.write_text(json.dumps({"layer": name, "tiles": made.get(name, 0)}), encoding="utf-8")
    return f"{name}-tiles.json", "application/json"


register(JobKind("tiles_build", _tiles_run, _tiles_params, STAFF, "jobs.kind.tiles_build"))
