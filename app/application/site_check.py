"""The site check: check sites against zoning, tenure, canal setback, flood depth and
past disasters; the exposure of sites to a raster; a flood from a canal water level.

One chain for the web page, its API and `planner overlap`: sites (a stored layer or a
file) → replacements (an uploaded zoning plan, for this run only) → the stored inputs
→ `gis.check.run_checks` → the report. Every function takes the layer store and the
catalogue as arguments; nothing here knows Flask or click.

Runs kept on the web live under `<home>/reports/overlap/<run id>/`: `keep_run` writes
one whole, `prune_runs` removes old ones, `run_folder` finds one by its id.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.strings import text
from cases.errors import NotFound
from gis import hazard
from gis.atomic import atomic_dir
from gis.check import (
    CHECK_LAYERS,
    CheckReport,
    inputs_from_store,
    layer_from_file,
    run_checks,
    sites_bbox,
    sites_from_file,
    sites_from_store,
)
from gis.errors import PlannerError, Problem, ValidationError
from gis.report import write_report
from gis.rules import CHECKS, RuleSet
from gis.store import private_dir, remove_stale

log = logging.getLogger(__name__)

SITES_LAYER = "communities"  # the stored sites the web page offers
RUN_ID = re.compile(r"[0-9a-f]{32}")
RUN_DAYS = 30  # default of OVERLAP_RUN_DAYS: runs older than this are removed
REPORT_FORMATS = ("csv", "geojson", "html", "pdf")


def _problem(key: str, *, file=None, layer=None, field=None, **values) -> Problem:
    en, th = text(f"site_check.{key}", layer=layer, **values)
    return Problem(en, th, file=file, layer=layer, field=field)


@dataclass
class SiteCheck:
    """What to check: the sites (a stored layer, or a file), the checks and the rules.

    `zoning_file` replaces the stored zoning for this run only. The labels are the
    names the user gave the files, for messages and provenance."""

    against: list[str]
    rules: RuleSet | None
    sites_layer: str | None = None
    site_ids: list[str] = field(default_factory=list)
    sites_file: Path | None = None
    sites_label: str | None = None
    crs: str | None = None
    zoning_file: Path | None = None
    zoning_label: str | None = None
    max_sites: int | None = None  # the web page's bound: a report per site is slow


# ------------------------------------------------------------------ the chain


def read_sites(store, catalog, check: SiteCheck, problems: list[Problem]):
    """The sites and their provenance, or (None, None) with the problems added."""
    try:
        if check.sites_file is not None:
            if check.site_ids:
                problems.append(_problem("ids_of_file", field="site_ids"))
                return None, None
            sites, info = sites_from_file(
                check.sites_file, catalog=catalog, file_label=check.sites_label, crs=check.crs
            )
            if sites.empty:
                problems.append(_problem("empty_file", file=check.sites_label))
                return None, None
            return sites, info
        if check.sites_layer is not None:
            if not store.has_layer(check.sites_layer):
                problems.append(_problem("no_sites_layer", layer=check.sites_layer))
                return None, None
            return sites_from_store(store, check.sites_layer, ids=check.site_ids or None)
    except ValidationError as exc:
        problems += exc.problems
    return None, None


def read_replacements(catalog, check: SiteCheck, problems: list[Problem]) -> dict:
    """The uploaded layers that replace stored ones for this run (the zoning plan)."""
    if check.zoning_file is None:
        return {}
    if "zoning" not in check.against:
        problems.append(_problem("zoning_unticked", file=check.zoning_label))
    try:
        zoning = layer_from_file(
            check.zoning_file, "zoning", catalog=catalog, file_label=check.zoning_label
        )
    except ValidationError as exc:
        problems += exc.problems
        return {}
    return {"zoning": zoning}


def missing_layers(store, against: list[str], replacements: dict) -> list[Problem]:
    """A problem for every check whose layer is neither stored nor replaced."""
    problems = []
    for check in against:
        layer = CHECK_LAYERS[check]
        stored = store.raster_names() if check == "flood" else store.layer_names()
        if check not in replacements and layer not in stored:
            problems.append(_problem("layer_missing", layer=layer, check=check))
    return problems


def dedupe(problems: list[Problem]) -> list[Problem]:
    """The sites are validated against themselves too; say each thing once."""
    seen, out = set(), []
    for p in problems:
        key = (p.file, p.layer, p.feature, p.field, p.severity)
        if p.feature is not None and key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out


def _relabel(problems: list[Problem], check: SiteCheck) -> list[Problem]:
    """Problems the analysis names 'sites' name the user's file (or stored layer)."""
    file = check.sites_label if check.sites_file is not None else None
    layer = None if check.sites_file is not None else check.sites_layer
    return [
        replace(p, file=file, layer=p.layer or layer) if p.file == "sites" else p for p in problems
    ]


def run_site_check(
    store,
    catalog,
    check: SiteCheck,
    *,
    problems: list[Problem] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> CheckReport:
    """Read the sites and inputs and run the checks; the report.

    `problems` are those the caller already found with its request: every problem,
    theirs and ours, is raised at once as a ValidationError, and nothing runs then.
    `progress(fraction, step)` hears of the reading and of each check.
    """
    progress = progress or (lambda fraction, step: None)
    progress(0.0, "read_sites")
    problems = list(problems or [])
    against = [c for c in CHECKS if c in check.against]
    sites, sites_info = read_sites(store, catalog, check, problems)
    replacements = read_replacements(catalog, check, problems)
    problems += missing_layers(store, against, replacements)
    if sites is not None and check.max_sites is not None and len(sites) > check.max_sites:
        problems.append(
            _problem(
                "too_many_sites",
                file=check.sites_label,
                field="sites",
                count=len(sites),
                limit=check.max_sites,
            )
        )
    if problems:
        raise ValidationError(dedupe(problems))
    progress(0.1, "read_inputs")
    inputs = inputs_from_store(
        store, against, catalog=catalog, replacements=replacements, bbox=sites_bbox(sites)
    )
    try:
        return run_checks(
            sites,
            inputs,
            rules=check.rules,
            against=against,
            site_name="site_name",
            sites_info=sites_info,
            progress=lambda fraction, step: progress(0.3 + 0.7 * fraction, step),
        )
    except ValidationError as exc:
        raise ValidationError(dedupe(_relabel(exc.problems, check))) from None


# ------------------------------------------------------------------ kept runs


def write_reports(report: CheckReport, folder: Path, lang: str) -> list[str]:
    """Write report.<ext> for every format that can be written; the formats written.

    The HTML/PDF renderer is optional, and one broken format must not lose the run."""
    formats = []
    for ext in REPORT_FORMATS:
        try:
            write_report(report, folder / f"report.{ext}", lang=lang)
        except ImportError:
            log.warning("site check: no renderer for .%s", ext)
            continue
        except Exception:  # noqa: BLE001 - one broken format must not lose the run
            log.exception("site check: could not write report.%s", ext)
            continue
        formats.append(ext)
    return formats


def keep_run(
    root: Path,
    report: CheckReport,
    *,
    lang: str,
    owner: str,
    days: float,
    page_data: Callable[[str, list[str]], dict],
) -> dict:
    """Write a run's reports and its page data (`page_data(run_id, formats)`) under
    `root/<run id>/`, whole and readable by its owner only; older runs are pruned
    first. Returns the page data, with `owner`."""
    root = private_dir(root)
    prune_runs(root, days)
    run_id = secrets.token_hex(16)
    with atomic_dir(root / run_id) as part:  # another app server sees it whole or not at all
        data = page_data(run_id, write_reports(report, part, lang))
        data["owner"] = owner
        (part / "run.json").write_text(
            json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8"
        )
        for path in part.iterdir():
            os.chmod(path, 0o600)
    return data


def run_folder(root: Path, run_id: str) -> Path:
    """The folder of a kept run; NotFound unless the id is 32 hex digits and it exists."""
    if not (isinstance(run_id, str) and RUN_ID.fullmatch(run_id)):
        raise NotFound(*_run_text(run_id))
    folder = Path(root) / run_id
    if not (folder / "run.json").is_file():
        raise NotFound(*_run_text(run_id))
    return folder


def _run_text(run_id) -> tuple[str, str]:
    return text("site_check.no_run", run_id=str(run_id)[:40])


def prune_runs(root: Path, days: float) -> int:
    """Remove runs under `root` made more than `days` days ago, and unfinished
    `.part-*` / `.*.part` folders over an hour old; returns how many runs were removed."""
    root = Path(root)
    if not root.is_dir():
        return 0
    cutoff = datetime.now(UTC).timestamp() - days * 86400
    removed = 0
    for folder in root.iterdir():
        if not RUN_ID.fullmatch(folder.name):
            continue
        try:
            made = datetime.fromisoformat(
                json.loads((folder / "run.json").read_text(encoding="utf-8"))["created_at"]
            ).timestamp()
        except (OSError, ValueError, KeyError, TypeError):
            made = folder.stat().st_mtime  # unreadable: its folder's time
        if made < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    remove_stale([*root.glob(".part-*"), *root.glob(".*.part")])  # old and gis.atomic names
    return removed


# ------------------------------------------------------------------ hazards


@dataclass
class Exposure:
    """Each site's exposure to a raster, and how long the zonal statistics took."""

    table: Any  # a DataFrame: site_id, mean, max, min, covered_area_m2, area_above_m2, status
    threshold: float
    seconds: float


def exposure(
    store,
    catalog,
    *,
    raster: Path,
    threshold: float | None = None,
    sites_layer: str | None = None,
    sites_file: Path | None = None,
    crs: str | None = None,
) -> Exposure:
    """The exposure of the sites (a stored layer, or a file) to a raster: the
    coverage-weighted mean, max, min and the area above `threshold` (default: the
    flood rule's)."""
    raster = Path(raster)
    if not raster.exists():
        raise PlannerError(f"no raster file {raster} / ไม่พบไฟล์แรสเตอร์")
    threshold = hazard.DEFAULT_FLOOD_THRESHOLD_M if threshold is None else threshold
    problems: list[Problem] = []
    check = SiteCheck(
        against=[], rules=None, sites_layer=sites_layer, sites_file=sites_file, crs=crs
    )
    sites, _ = read_sites(store, catalog, check, problems)
    if problems:
        raise ValidationError(problems)
    started = time.perf_counter()
    table = hazard.exposure(sites, raster, threshold=threshold, site_id="site_id")
    return Exposure(table, threshold, time.perf_counter() - started)


def flood_scenario(store, *, dem: Path, level: float, out: Path, canal_layer=None) -> Path:
    """Flood depth from a canal water level and a DEM, written to `out`; only ground
    connected to the stored `canal_layer` floods when one is given."""
    canal = None
    if canal_layer:
        if not store.has_layer(canal_layer):
            raise PlannerError(f"no layer {canal_layer} in the store / ไม่มีชั้นข้อมูลนี้")
        canal = store.read(canal_layer)
    return hazard.flood_depth_from_level(dem, level, out, connected_to=canal)
