"""The municipal site check on the web: `/overlap`.

Anyone logged in (the municipality's `viewer` too) picks sites — communities of the
store by ticking them, or an uploaded plan of sites — optionally uploads a zoning plan
to check against instead of the stored one, ticks the checks and a rule set, and gets
the verdicts on a map and in a table, with PDF, CSV, GeoJSON and HTML of the same run.

Nothing is written to the layer store: uploads are read in a temporary folder that is
removed after the run, and an uploaded zoning plan replaces the stored zoning for that
run only. Each run's outputs are kept under `<store.home>/reports/overlap/<run id>/`
(the run id is 16 random bytes in hex), and downloads are served only from there.
A run belongs to whoever ran it (`owner` in run.json): only they, officers and
admins may open it — anyone else gets 404, so an id is never confirmed. Runs older
than `OVERLAP_RUN_DAYS` (default 30) are removed when a run is made, when the app
starts and by `planner prune`.

Routes: `GET|POST /overlap`, `GET /overlap/runs/<run_id>`,
`GET /overlap/runs/<run_id>/report.<ext>` (pdf, csv, geojson, html) and
`POST /api/overlap` (JSON or multipart; in /api/openapi.json).
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import shapely
from flask import (
    Blueprint,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from app import cases_api
from app.application import site_check, words
from app.application.site_check import RUN_DAYS, SITES_LAYER, SiteCheck, prune_runs
from app.auth import login_required
from app.cases_api import ApiBlueprint
from app.cases_schemas import ErrorDetailSchema, ErrorSchema
from app.i18n import STRINGS, current_language, format_date
from app.store import get_catalog, get_store
from cases.errors import NotFound
from cases.policy import OFFICERS
from gis.catalog import STORAGE_CRS
from gis.check import (
    CHECK_LAYERS,
    CHECK_TITLES,
    DISASTER_KINDS,
    FLOOD_STATUS_LABELS,
    SETBACK_LABELS,
    CheckReport,
)
from gis.errors import PlannerError, Problem, ValidationError
from gis.rules import (
    CHECKS,
    DEFAULT_RULES,
    SEVERITY_ORDER,
    VERDICT_LABELS,
    RuleSet,
    available_rule_sets,
    load_rules,
)

bp = Blueprint("overlap", __name__)

DOWNLOADS = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "html": "text/html",
}
UPLOAD_SUFFIXES = (".gpkg", ".zip", ".geojson", ".json", ".kml", ".kmz")
CRS_CHOICES = {
    "EPSG:4326": "EPSG:4326 GPS (WGS 84)",
    STORAGE_CRS: f"{STORAGE_CRS} UTM 47N (WGS 84)",
    "EPSG:24047": "EPSG:24047 Indian 1975 / UTM 47N",
}
VERDICT_COLOURS = {"pass": "#2b8a3e", "warning": "#f2a900", "conflict": "#c62828"}
# Hatched zoning classes (ก.1–ก.3) are drawn in this colour on the result map.
HATCH_FILL = "#a5d6a7"
MAP_MARGIN_M = 300  # the zoning and setback drawn around the sites, in metres
LOCAL_TIME = ZoneInfo("Asia/Bangkok")
RUN_READERS = OFFICERS  # roles that may open anyone's run


# ------------------------------------------------------------------ small helpers


def _text(key: str, **values) -> dict[str, str]:
    """A STRINGS entry in both languages, with {placeholders} filled in."""
    return {lang: STRINGS[key][lang].format(**values) for lang in ("th", "en")}


def _problem(key: str, *, file=None, layer=None, feature=None, field=None, **values) -> Problem:
    text = _text(key, **values)
    return Problem(text["en"], text["th"], file=file, layer=layer, feature=feature, field=field)


def _label(upload: FileStorage) -> str:
    """The name a user gave a file, without folders, for messages and provenance."""
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:200] or "upload"


def _uploaded(upload: FileStorage | None) -> bool:
    return upload is not None and bool(upload.filename)


def _split(values) -> list[str]:
    """['a', 'b,c'] or 'a,b' -> ['a', 'b', 'c'], without blanks or repeats, in order."""
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    out: list[str] = []
    for value in values or ():
        for part in str(value).split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def rule_sets() -> dict[str, Path]:
    """The rule sets a user may choose, by name (the file's stem)."""
    return {path.stem: path for path in available_rule_sets()}


def reports_root() -> Path:
    return Path(get_store().home) / "reports" / "overlap"


# ------------------------------------------------------------------ the request


@dataclass
class CheckRequest:
    source: str  # "store": communities by id; "file": an uploaded plan of sites
    site_ids: list[str]
    sites_file: FileStorage | None
    crs: str
    zoning_file: FileStorage | None
    against: list[str]
    rules: str
    lang: str

    def form_values(self) -> dict[str, Any]:
        """What the form shows again after an error (files must be chosen again)."""
        return {
            "source": self.source,
            "site_ids": self.site_ids,
            "crs": self.crs,
            "against": self.against,
            "rules": self.rules,
            "sites_label": _label(self.sites_file) if _uploaded(self.sites_file) else None,
        }


def _request_from_form(form, files) -> CheckRequest:
    sites_file = files.get("sites_file")
    source = form.get("source") or ("file" if _uploaded(sites_file) else "store")
    return CheckRequest(
        source=source,
        site_ids=_split(form.getlist("site_ids")),
        sites_file=sites_file,
        crs=(form.get("crs") or "").strip(),
        zoning_file=files.get("zoning_file"),
        against=_split(form.getlist("against")),
        rules=(form.get("rules") or DEFAULT_RULES.stem).strip(),
        lang=form.get("lang") if form.get("lang") in ("th", "en") else current_language(),
    )


def _request_from_json(body: dict) -> CheckRequest:
    return CheckRequest(
        source="store",
        site_ids=_split(body.get("site_ids")),
        sites_file=None,
        crs="",
        zoning_file=None,
        against=_split(body.get("against")) if "against" in body else list(CHECKS),
        rules=str(body.get("rules") or DEFAULT_RULES.stem).strip(),
        lang=body.get("lang") if body.get("lang") in ("th", "en") else current_language(),
    )


def _save_upload(upload: FileStorage, folder: Path, problems: list[Problem]) -> Path | None:
    """Keep an upload in the run's temporary folder, under a safe name; None (and a
    problem) if its type is not one the check reads."""
    label = _label(upload)
    suffix = Path(label).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        problems.append(
            _problem(
                "overlap.err_file_type",
                file=label,
                suffix=suffix or "—",
                allowed=", ".join(UPLOAD_SUFFIXES),
            )
        )
        return None
    folder.mkdir(parents=True, exist_ok=True)
    name = secure_filename(label)
    if not name.lower().endswith(suffix):
        name = f"upload{suffix}"
    path = folder / name
    upload.save(path)
    # The content must be what the name says (a .geojson that is VRT XML is refused).
    from gis.formats import check_format

    try:
        check_format(path, label=label)
    except ValidationError as exc:
        problems.extend(exc.problems)
        path.unlink(missing_ok=True)
        return None
    return path


# The importer's messages end with hints for the command line; on the web the form says
# how to fix them instead (see overlap/_problems.html).
_CLI_HINTS = (
    re.compile(r";? ?give one with --crs EPSG:NNNN \(.*?\)$"),
    re.compile(r";? ?map a file field to it with --map \S+"),
    re.compile(r" ?โปรดระบุด้วย --crs EPSG:NNNN \(.*?\)$"),
    re.compile(r" ?ใช้ --map เพื่อจับคู่ฟิลด์"),
)


def _web_wording(problems: list[Problem]) -> list[Problem]:
    out = []
    for p in problems:
        en, th = p.message_en, p.message_th
        for pattern in _CLI_HINTS:
            en, th = pattern.sub("", en), pattern.sub("", th)
        out.append(replace(p, message_en=en or p.message_en, message_th=th or p.message_th))
    return out


# ------------------------------------------------------------------ running a check


def _request_problems(req: CheckRequest) -> tuple[list[Problem], RuleSet | None]:
    """What is wrong with the form's own choices (checks, rule set, CRS, source),
    and the rule set chosen."""
    problems: list[Problem] = []
    unknown = [c for c in req.against if c not in CHECKS]
    if unknown:
        problems.append(_unknown_checks(unknown))
    if not any(c in CHECKS for c in req.against) and not unknown:
        problems.append(_problem("overlap.err_no_checks", field="against"))
    rules_path, rules = rule_sets().get(req.rules), None
    if rules_path is None:
        problems.append(_problem("overlap.err_rules", field="rules", name=req.rules[:80]))
    else:
        try:
            rules = load_rules(rules_path)
        except ValidationError as exc:
            problems += exc.problems
    if req.crs and req.crs not in CRS_CHOICES:
        problems.append(_problem("overlap.err_crs_choice", field="crs", crs=req.crs[:40]))
    if (req.source == "store" and not req.site_ids) or req.source not in ("store", "file"):
        problems.append(_problem("overlap.err_no_sites", field="site_ids"))
    if req.source == "file" and not _uploaded(req.sites_file):
        problems.append(_problem("overlap.err_no_sites_file", field="sites_file"))
    return problems, rules


def _unknown_checks(unknown: list[str]) -> Problem:
    """Checks asked for by a name the page does not know: the names given, and the checks
    there are, in words ("flood depth", not "flood")."""
    key = "overlap.err_unknown_check" + ("_many" if len(unknown) > 1 else "")
    names = ", ".join(f"“{name[:40]}”" for name in unknown[:10])
    said = {
        lang: STRINGS[key][lang].format(
            checks=names, known=", ".join(CHECK_TITLES[c][lang] for c in CHECKS)
        )
        for lang in ("th", "en")
    }
    return Problem(said["en"], said["th"], field="against")


def _site_check(req: CheckRequest, rules, work: Path, problems: list[Problem]) -> SiteCheck:
    """The application's request: the form's choices, with its uploads saved in `work`."""
    check = SiteCheck(
        against=req.against, rules=rules, max_sites=current_app.config["OVERLAP_MAX_SITES"]
    )
    if req.source == "file" and _uploaded(req.sites_file):
        check.sites_label = _label(req.sites_file)
        check.sites_file = _save_upload(req.sites_file, work / "sites", problems)
        check.crs = req.crs if req.crs in CRS_CHOICES else None
    elif req.source == "store" and req.site_ids:
        check.sites_layer, check.site_ids = SITES_LAYER, req.site_ids
    if _uploaded(req.zoning_file):
        check.zoning_label = _label(req.zoning_file)
        check.zoning_file = _save_upload(req.zoning_file, work / "zoning", problems)
    return check


def run_site_check(req: CheckRequest) -> dict[str, Any]:
    """Run the check of a request and keep its outputs; the run's page data.

    Every problem with the request and its files is raised at once, as a
    ValidationError; nothing is kept then.
    """
    problems, rules = _request_problems(req)
    with tempfile.TemporaryDirectory(prefix="planner-overlap-") as work:
        check = _site_check(req, rules, Path(work), problems)
        try:
            report = site_check.run_site_check(get_store(), get_catalog(), check, problems=problems)
        except ValidationError as exc:
            raise ValidationError(_web_wording(exc.problems)) from None

    def page_data(run_id: str, formats: list[str]) -> dict:
        return _page_data(
            report, req, run_id=run_id, formats=formats, sites_label=check.sites_label
        )

    return site_check.keep_run(
        reports_root(),
        report,
        lang=req.lang,
        owner=g.user.username,
        days=run_days(),
        page_data=page_data,
    )


# ------------------------------------------------------------------ what the page shows


def _json_records(df) -> list[dict]:
    """Records with NaN as None (as JSON null)."""
    return json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso"))


def _round_coords(value, digits: int = 6):
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, list):
        return [_round_coords(v, digits) for v in value]
    return value


def _geojson(gdf, columns: list[str]) -> dict:
    """A small WGS 84 FeatureCollection of `columns` (for Leaflet)."""
    gdf = gdf[[c for c in columns if c in gdf.columns] + [gdf.geometry.name]]
    data = json.loads(gdf.to_crs("EPSG:4326").to_json(drop_id=True, na="null"))
    for feature in data["features"]:
        if feature.get("geometry"):
            geom = feature["geometry"]
            geom["coordinates"] = _round_coords(geom["coordinates"])
    return {"type": "FeatureCollection", "features": data["features"]}


def _near(gdf, bounds, margin: float):
    if gdf is None or gdf.empty:
        return None
    minx, miny, maxx, maxy = bounds
    return gdf.cx[minx - margin : maxx + margin, miny - margin : maxy + margin]


def _zoning_classes() -> tuple[dict[str, dict], list[dict]]:
    """zone code -> {fill, label} from the catalogue's zoning style, and its classes."""
    classes = []
    by_code = {}
    try:
        style = get_catalog()["zoning"].style or {}
    except Exception:  # noqa: BLE001 - a catalogue without zoning: plain grey
        style = {}
    for cls in (style.get("classify") or {}).get("classes", []):
        fill = HATCH_FILL if cls.get("pattern") == "hatch" else cls.get("fill_color", "#cccccc")
        item = {"fill": fill, "label": cls.get("label") or {}}
        classes.append(item)
        for code in cls.get("values", []):
            by_code[str(code)] = item
    return by_code, classes


def _map_data(report: CheckReport) -> dict:
    sites = report.sites.assign(n=range(1, len(report.sites) + 1))
    sites = sites.merge(report.verdicts[["site_id", "verdict"]], on="site_id", how="left")
    inside = gpd.GeoSeries(shapely.point_on_surface(sites.geometry.values), crs=sites.crs)
    inside = inside.to_crs("EPSG:4326")
    sites["at"] = [[round(p.y, 6), round(p.x, 6)] for p in inside]  # lat, lon for Leaflet
    out = {"sites": _geojson(sites, ["n", "site_id", "name", "verdict", "at"]), "legend": {}}
    bounds = report.sites.total_bounds
    inputs = report.inputs
    zoning = _near(inputs.zoning if inputs else None, bounds, MAP_MARGIN_M)
    if zoning is not None and not zoning.empty and "zone_code" in zoning.columns:
        by_code, _ = _zoning_classes()
        fc = _geojson(zoning, ["zone_code", "use_th", "use_en"])
        used = {}
        for feature in fc["features"]:
            code = str(feature["properties"].get("zone_code") or "")
            cls = by_code.get(code)
            feature["properties"]["fill"] = cls["fill"] if cls else "#cccccc"
            if cls is not None:
                used[id(cls)] = cls
        out["zoning"] = fc
        out["legend"]["zoning"] = list(used.values())
    setback = _near(inputs.setback if inputs else None, bounds, MAP_MARGIN_M)
    if setback is not None and not setback.empty:
        out["setback"] = _geojson(setback, [])
    return out


def _rai(m2) -> dict[str, str]:
    """An area in Thai land units: rai, ngan and square wa (1 rai = 4 ngan = 400 wa = 1,600 m²)."""
    if m2 is None:
        return {"th": "", "en": ""}
    wa_total = round(float(m2) / 4)
    rai, rest = divmod(wa_total, 400)
    ngan, wa = divmod(rest, 100)
    return {
        "th": f"{rai:,} ไร่ {ngan} งาน {wa} ตร.ว.",
        "en": f"{rai:,} rai {ngan} ngan {wa} sq. wa",
    }


def _pct(share) -> str:
    return f"{float(share):.0%}" if share is not None else ""


def _findings(row: dict, against: list[str], radius: float) -> list[dict]:
    """What each check found for one site, as short sentences in Thai and English."""
    out = []

    def add(check, th, en):
        out.append({"check": check, "title": CHECK_TITLES[check], "th": th, "en": en})

    for check in ("zoning", "tenure"):
        if check not in against:
            continue
        th, en = row.get(f"{check}_th") or "", row.get(check) or ""
        uncovered = row.get(f"{check}_uncovered_share") or 0.0
        if uncovered > 0.005:
            th = "; ".join(filter(None, [th, f"ไม่มีข้อมูล {_pct(uncovered)}"]))
            en = "; ".join(filter(None, [en, f"no data {_pct(uncovered)}"]))
        add(check, th or "ไม่มีข้อมูล", en or "no data")
    if "setback" in against:
        status = str(row.get("setback_status") or "")
        label = SETBACK_LABELS.get(status, {"th": status, "en": status})
        share = row.get("setback_share")
        extra = f" {_pct(share)}" if share and status != "outside" else ""
        add("setback", label["th"] + extra, label["en"] + extra)
    if "flood" in against:
        status = str(row.get("flood_status") or "")
        if status == "no_data" or row.get("flood_mean_m") is None:
            label = FLOOD_STATUS_LABELS.get("no_data")
            add("flood", label["th"], label["en"])
        else:
            mean, top = row.get("flood_mean_m"), row.get("flood_max_m")
            add(
                "flood",
                f"เฉลี่ย {mean:.2f} ม. สูงสุด {top:.2f} ม.",
                f"mean {mean:.2f} m, max {top:.2f} m",
            )
    if "disasters" in against:
        n = int(row.get("disasters_within") or 0)
        kind = DISASTER_KINDS.get(row.get("nearest_disaster_kind") or "", None)
        dist = row.get("nearest_disaster_m")
        th = f"{n} ครั้งในระยะ {radius:,.0f} ม."
        en = f"{n} within {radius:,.0f} m"
        if kind and dist is not None:
            th += (
                f"; ใกล้ที่สุด: {kind['th']} {row.get('nearest_disaster_date_th') or ''} "
                f"ห่าง {dist:,.0f} ม."
            )
            en += (
                f"; nearest: {kind['en']} {row.get('nearest_disaster_date') or ''}, "
                f"{dist:,.0f} m away"
            )
        add("disasters", th, en)
    return out


def _rule_text(template: str) -> str:
    """A rule's reason with its {placeholders} as '…': what the rule looks for."""
    return re.sub(r"\{[^{}]*\}", "…", template)


def _site_rows(report: CheckReport) -> list[dict]:
    """Each site with its verdict, reasons (worst first) and findings."""
    verdicts = report.verdicts.set_index("site_id")
    sites = []
    for row in _json_records(report.summary):
        site_id = row["site_id"]
        sites.append(
            {
                "site_id": site_id,
                "name": row.get("name") or "",
                "area_m2": row.get("area_m2"),
                "area_rai": _rai(row.get("area_m2")),
                "verdict": verdicts.at[site_id, "verdict"],
                "reasons": sorted(
                    verdicts.at[site_id, "reasons"],
                    key=lambda r: -SEVERITY_ORDER.get(r.get("severity"), 0),
                ),
                "findings": _findings(row, report.against, report.rules.disaster_radius_m),
            }
        )
    return sites


def _input_rows(report: CheckReport) -> list[dict]:
    """The layer each check read: stored (with its version) or uploaded."""
    inputs = []
    for check in report.against:
        info = report.provenance["inputs"].get(check, {})
        inputs.append(
            {
                "check": check,
                "title": CHECK_TITLES[check],
                "layer": info.get("layer"),
                "layer_title": info.get("title"),
                "version": info.get("version"),
                "status": info.get("status"),
                "source": info.get("source"),
                "uploaded_file": info.get("uploaded_file"),
                "features": info.get("features"),
            }
        )
    return inputs


def _rule_rows(report: CheckReport) -> list[dict]:
    """Every rule of the rule set, and whether this run used it."""
    return [
        {
            "id": r.id,
            "check": r.check,
            "check_title": CHECK_TITLES.get(r.check, {"th": r.check, "en": r.check}),
            "severity": r.severity,
            "th": _rule_text(r.reason_template("th")),
            "en": _rule_text(r.reason_template("en")),
            "action_th": (r.action or {}).get("th", ""),
            "action_en": (r.action or {}).get("en", ""),
            "used": r.check in report.against,
        }
        for r in report.rules.rules
    ]


def _page_data(
    report: CheckReport, req: CheckRequest, *, run_id: str, formats: list, sites_label
) -> dict:
    """What the run's page, its API answer and run.json hold."""
    rules = report.rules
    sites, inputs, applied = _site_rows(report), _input_rows(report), _rule_rows(report)
    sites_info = report.provenance.get("sites", {})
    return {
        "id": run_id,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "user": getattr(g.get("user"), "username", None),
        "lang": req.lang,
        "against": report.against,
        "counts": report.counts(),
        "sites": sites,
        "sites_source": {
            "kind": req.source,
            "file": sites_label,
            "layer": sites_info.get("layer"),
            "version": sites_info.get("version"),
            "count": len(sites),
            "reprojected": sites_info.get("reprojected"),
            "source_crs": sites_info.get("source_crs"),
        },
        "inputs": inputs,
        "rule_set": {
            "name": rules.name,
            "title": rules.title,
            "notes": rules.notes,
            "file": rules.file,
            "sha256": rules.sha256,
            "parameters": rules.parameters,
            "rules": applied,
            "skipped": report.provenance.get("rules_skipped", []),
        },
        "provenance": report.provenance,
        "map": _map_data(report),
        "formats": formats,
    }


def _load_run(run_id: str) -> tuple[Path, dict]:
    """A run the current user may open: their own, or any for officers and admins.

    Anyone else gets the same 404 as for a run that does not exist."""
    folder = site_check.run_folder(reports_root(), run_id)
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    user = g.user
    if not (user.role in RUN_READERS or (run.get("owner") and run["owner"] == user.username)):
        raise NotFound(
            f"no site check {run_id!r} (a check opens only for whoever ran it,"
            " officers and admins)",
            "ไม่พบผลการตรวจสอบนี้ (ผลการตรวจสอบเปิดได้เฉพาะผู้ที่สั่งตรวจ เจ้าหน้าที่ และผู้ดูแลระบบ)",
        )
    return folder, run


def run_days() -> float:
    """How many days a site check is kept (`OVERLAP_RUN_DAYS`)."""
    try:
        return float(current_app.config.get("OVERLAP_RUN_DAYS", RUN_DAYS))
    except (TypeError, ValueError):
        return float(RUN_DAYS)


def _links(run_id: str, formats: list[str], *, api: bool = False) -> dict[str, str]:
    """The run's page and its reports: page routes, or (api) the API's, absolute."""
    links = {"page": url_for("overlap.show_run", run_id=run_id, _external=api)}
    endpoint = "overlap_api.api_download" if api else "overlap.download"
    for ext in formats:
        links[ext] = url_for(endpoint, run_id=run_id, ext=ext, _external=api)
    return links


def _when(iso: str, lang: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone(LOCAL_TIME)
    return f"{format_date(moment.date(), lang)} {moment:%H:%M}"


# ------------------------------------------------------------------ pages


def _communities() -> list[dict]:
    store = get_store()
    if not store.has_layer(SITES_LAYER):
        return []
    gdf = store.read(SITES_LAYER)
    cols = [c for c in ("community_id", "name_th", "name_en", "area_th", "area_en") if c in gdf]
    if "community_id" not in cols:
        return []
    rows = gdf[cols].fillna("").astype(str).sort_values("community_id")
    return rows.to_dict("records")


def _form_page(problems=None, values=None, status: int = 200):
    g.page_url = url_for("overlap.overlap_page")
    sets = []
    for name, path in rule_sets().items():
        try:
            rules = load_rules(path)
        except ValidationError:
            continue
        covered = rules.checks()
        sets.append(
            {
                "name": name,
                "title": rules.title,
                "checks": {
                    lang: ", ".join(CHECK_TITLES[c][lang] for c in covered) for lang in ("th", "en")
                },
            }
        )
    values = values or {}
    zoning_fields = []
    if any(p.layer == CHECK_LAYERS["zoning"] and p.field for p in problems or []):
        try:
            entry = get_catalog()["zoning"]
            zoning_fields = [f for f, spec in entry.fields.items() if spec.required]
        except Exception:  # noqa: BLE001 - no hint without a catalogue entry
            zoning_fields = []
    return (
        render_template(
            "overlap/form.html",
            zoning_fields=zoning_fields,
            communities=_communities(),
            rule_sets=sets,
            default_rules=DEFAULT_RULES.stem,
            checks=_checks_offered(),
            crs_choices=CRS_CHOICES,
            suffixes=UPLOAD_SUFFIXES,
            problems=problems or [],
            values=values,
            limit_mb=(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024),
        ),
        status,
    )


def _checks_offered() -> list[dict]:
    """Every check, and whether its layer is loaded: a store without it (the national
    sample has no zoning or flood map) starts with that check unticked."""
    store = get_store()
    loaded = set(store.layer_names()) | set(store.raster_names())
    return [
        {"name": c, "title": CHECK_TITLES[c], "available": CHECK_LAYERS[c] in loaded}
        for c in CHECKS
    ]


@bp.route("/overlap", methods=("GET", "POST"))
@login_required
def overlap_page():
    if request.method == "GET":
        return _form_page()
    req = _request_from_form(request.form, request.files)
    try:
        data = run_site_check(req)
    except ValidationError as exc:
        return _form_page(exc.problems, req.form_values(), 400)
    except PlannerError as exc:
        problem = Problem(str(exc), "คำขอไม่ถูกต้อง")
        return _form_page([problem], req.form_values(), 400)
    return redirect(url_for("overlap.show_run", run_id=data["id"]), code=303)


@bp.get("/overlap/runs/<run_id>")
@login_required
def show_run(run_id):
    _, run = _load_run(run_id)
    lang = current_language()
    return render_template(
        "overlap/result.html",
        run=run,
        when=_when(run["created_at"], lang),
        links=_links(run_id, run["formats"]),
        downloads=list(DOWNLOADS),
        verdict_labels=VERDICT_LABELS,
        verdict_colours=VERDICT_COLOURS,
    )


@bp.get("/overlap/runs/<run_id>/report.<ext>")
@login_required
def download(run_id, ext):
    return _send_report(run_id, ext)


def _send_report(run_id: str, ext: str):
    """A report of a run, only from its folder; 404 for anything else."""
    if ext not in DOWNLOADS:
        raise NotFound(f"no report format {ext!r}", "ไม่มีรายงานรูปแบบนี้")
    folder, _ = _load_run(run_id)
    path = folder / f"report.{ext}"
    if not path.is_file():
        raise NotFound(f"this check has no .{ext} report", "การตรวจสอบนี้ไม่มีรายงานรูปแบบนี้")
    response = send_file(
        path,
        mimetype=DOWNLOADS[ext],
        as_attachment=True,
        download_name=f"site-check-{run_id[:8]}.{ext}",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if ext == "html":
        # Opened from our own site, a report is only a document: no scripts, no forms.
        response.headers["Content-Security-Policy"] = "sandbox"
    return response


# ------------------------------------------------------------------ the API

api_bp = ApiBlueprint(
    "overlap_api", __name__, url_prefix="/api", description="The municipal site check"
)
_LANGS = validate.OneOf(["th", "en"])


class OverlapRequestSchema(Schema):
    """A site check of stored communities, as JSON."""

    site_ids = fields.List(
        fields.String(), required=True, metadata={"description": "Community ids"}
    )
    against = fields.List(
        fields.String(validate=validate.OneOf(CHECKS)),
        metadata={"description": "The checks to run (default: all)"},
    )
    rules = fields.String(metadata={"description": "A rule set's name"})
    lang = fields.String(validate=_LANGS)


class OverlapFormSchema(OverlapRequestSchema):
    """A site check as multipart: stored communities, or `source=file` with a plan of
    the sites; `zoning_file` replaces the stored zoning for this run only."""

    site_ids = fields.List(fields.String())
    source = fields.String(validate=validate.OneOf(["store", "file"]))
    sites_file = Upload(metadata={"description": "gpkg, zip, geojson, kml or kmz"})
    crs = fields.String(validate=validate.OneOf(list(CRS_CHOICES)))
    zoning_file = Upload()


class CheckRefusedDetailSchema(ErrorDetailSchema):
    problems = fields.List(
        fields.Dict(), metadata={"description": "Every problem: file, layer, feature, field"}
    )


class CheckRefusedSchema(Schema):
    """A site check refused: every problem with the request and its files."""

    error = fields.Nested(CheckRefusedDetailSchema, required=True)


class RuleSetNameSchema(Schema):
    name = fields.String(required=True)
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class WordsSchema(Schema):
    th = fields.String(required=True)
    en = fields.String(required=True)


class ReasonSchema(Schema):
    """Why a site got its verdict: one rule that held, in Thai and English."""

    rule = fields.String(required=True, metadata={"description": "The rule's id"})
    check = fields.String(required=True)
    check_label = fields.Nested(WordsSchema, required=True)
    severity = fields.String(required=True)
    severity_label = fields.Nested(WordsSchema, required=True)
    th = fields.String(required=True)
    en = fields.String(required=True)
    action_th = fields.String()
    action_en = fields.String()


class SiteVerdictSchema(Schema):
    site_id = fields.String(required=True)
    name = fields.String(required=True)
    verdict = fields.String(required=True, validate=validate.OneOf(list(VERDICT_LABELS)))
    verdict_label = fields.Nested(WordsSchema, required=True)
    verdict_th = fields.String(required=True)
    verdict_en = fields.String(required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class OverlapResultSchema(Schema):
    """A kept site check: counts, a verdict per site with its reasons, and links."""

    run_id = fields.String(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    against = fields.List(fields.String(), required=True)
    against_labels = fields.List(
        fields.Nested(WordsSchema), required=True, metadata={"description": "`against` in words"}
    )
    rule_set = fields.Nested(RuleSetNameSchema, required=True)
    verdicts = fields.List(fields.Nested(SiteVerdictSchema), required=True)
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


_SCHEMAS = {
    "OverlapRequest": OverlapRequestSchema,
    "OverlapForm": OverlapFormSchema,
    "OverlapResult": OverlapResultSchema,
    "CheckRefused": CheckRefusedSchema,
}


def _api_error(status: int, en: str, th: str, **extra):
    return jsonify({"error": {"status": status, "en": en, "th": th, **extra}}), status


def _api_request() -> CheckRequest:
    """The request of a JSON body or a multipart form (all checks unless named)."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise PlannerError("the body must be a JSON object / ข้อมูลต้องเป็นออบเจกต์ JSON")
        return _request_from_json(body)
    req = _request_from_form(request.form, request.files)
    if "against" not in request.form:
        req.against = list(CHECKS)
    return req


def _api_result(data: dict) -> dict:
    """The API's answer for a kept run."""
    return {
        "run_id": data["id"],
        "counts": data["counts"],
        "against": data["against"],
        "against_labels": [words.words("check", c) for c in data["against"]],
        "rule_set": {"name": data["rule_set"]["name"], "title": data["rule_set"]["title"]},
        "verdicts": [
            {
                "site_id": s["site_id"],
                "name": s["name"],
                "verdict": s["verdict"],
                "verdict_label": words.words("verdict", s["verdict"]),
                "verdict_th": VERDICT_LABELS[s["verdict"]]["th"],
                "verdict_en": VERDICT_LABELS[s["verdict"]]["en"],
                "reasons": [
                    words.labelled(r, {"check": "check", "severity": "severity"})
                    for r in s["reasons"]
                ],
            }
            for s in data["sites"]
        ],
        "links": _links(data["id"], data["formats"], api=True),
    }


@api_bp.route("/overlap", methods=["POST"], tags=["overlap"])
@api_bp.doc(
    requestBody={
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/OverlapRequest"}},
            "multipart/form-data": {"schema": {"$ref": "#/components/schemas/OverlapForm"}},
        }
    }
)
@api_bp.alt_response(201, schema=OverlapResultSchema, description="The run, kept", success=True)
@api_bp.alt_response(
    400,
    schema=CheckRefusedSchema,
    description="Refused: every problem, naming file, feature and field",
)
@login_required
def api_overlap():
    """Check sites against zoning, tenure, canal setback, flood and past disasters

    Runs the municipal site check and keeps its reports (PDF, CSV, GeoJSON, HTML)
    under a random run id; nothing is written to the layer store.
    """
    try:
        data = run_site_check(_api_request())
    except ValidationError as exc:
        return _api_error(
            400,
            "the check could not run, nothing was kept: " + "; ".join(str(p) for p in exc.problems),
            "ตรวจสอบไม่ได้ ไม่มีการบันทึกข้อมูล: "
            + "; ".join(f"{p.where()}: {p.message_th}" for p in exc.problems),
            problems=[p.to_dict() for p in exc.problems],
        )
    except PlannerError as exc:
        return _api_error(400, str(exc), "คำขอไม่ถูกต้อง")
    body = _api_result(data)
    return jsonify(body), 201, {"Location": body["links"]["page"]}


@api_bp.route("/overlap/runs/<run_id>/report.<ext>", methods=["GET"], tags=["overlap"])
@api_bp.alt_response(200, description="The file, as an attachment", success=True)
@api_bp.alt_response(
    404,
    schema=ErrorSchema,
    description="No such run, not yours (only its owner, officers and admins may open a"
    " run), or no report in that format",
)
@login_required
def api_download(run_id, ext):
    """A report of a site check: pdf, csv (UTF-8 with BOM), geojson or html"""
    return _send_report(run_id, ext)


@bp.errorhandler(413)
@api_bp.errorhandler(413)
def too_large(exc):
    """The app's upload limit (MAX_CONTENT_LENGTH), said on the form page in both languages."""
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    text = _text("overlap.err_too_large", limit=limit)
    if request.path.startswith("/api/"):
        return _api_error(413, text["en"], text["th"])
    return _form_page([Problem(text["en"], text["th"], field="file")], {}, 413)


def init_app(app) -> None:
    """Register the page and the API, describe the API in the app's OpenAPI document,
    and remove site checks older than `OVERLAP_RUN_DAYS`."""
    app.register_blueprint(bp)
    app.config.setdefault("OVERLAP_RUN_DAYS", RUN_DAYS)
    # Sites one check from the web may hold: each site costs map and report work, and
    # 400 sites took 24 s of a server thread (the red team); the CLI has no bound.
    app.config.setdefault("OVERLAP_MAX_SITES", 200)
    with app.app_context():
        try:
            prune_runs(Path(app.config["SHARED_DIR"]) / "reports" / "overlap", run_days())
        except OSError:
            app.logger.exception("site check: could not prune old runs")
    api = cases_api.planner_api(app)
    for name, schema in _SCHEMAS.items():
        if name not in api.spec.components.schemas:
            api.spec.components.schema(name, schema=schema)
    api.register_blueprint(api_bp)
    api.spec.tag({"name": "overlap", "description": "The municipal site check"})
