"""`planner overlap`, `planner exposure` and `planner flood-scenario`: the site check."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.application import site_check
from app.application.site_check import SiteCheck
from app.cli.common import (
    _echo_problems,
    _fail,
    _is_stored_layer,
    _open_store,
    _split,
    main,
)
from gis.catalog import load_catalog
from gis.errors import PlannerError, ValidationError


@main.command("overlap")
@click.option(
    "--sites",
    "sites_spec",
    required=True,
    help="A stored polygon layer (e.g. communities) or a file (gpkg, shp/zip, geojson, kml).",
)
@click.option("--ids", default=None, help="Only these sites of a stored layer, comma-separated.")
@click.option(
    "--against",
    default="zoning,tenure,setback,flood,disasters",
    show_default=True,
    help="Checks to run, comma-separated.",
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Rule-set YAML (default: layers/rules/bangkok_baan_mankong.yaml).",
)
@click.option(
    "--zoning-file",
    default=None,
    help="Check against this zoning file instead of the stored zoning layer.",
)
@click.option("--crs", default=None, help="CRS of a sites file that has none, e.g. EPSG:24047.")
@click.option("--lang", type=click.Choice(["th", "en"]), default="th", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Report file: .csv, .geojson, .html or .pdf.",
)
@click.option("--json", "as_json", is_flag=True, help="Also print the verdicts as JSON.")
def overlap_command(sites_spec, ids, against, rules_path, zoning_file, crs, lang, out, as_json):
    """Check sites against zoning, tenure, canal setback, flood depth and past disasters
    (ตรวจสอบพื้นที่กับผังเมือง กรรมสิทธิ์ ระยะถอยร่น น้ำท่วม และภัยพิบัติ)."""
    from app.application.job_kinds import scaled
    from app.cli.jobs import terminal_progress
    from gis.report import FORMATS, write_report
    from gis.rules import DEFAULT_RULES, load_rules

    if out.suffix.lower() not in FORMATS:
        _fail(PlannerError(f"--out must end in {', '.join(FORMATS)} / นามสกุลไฟล์ไม่รองรับ"))
    store = _open_store()
    try:
        check = SiteCheck(
            against=_split(against),
            rules=load_rules(rules_path or DEFAULT_RULES),
            site_ids=_split(ids or ""),
            crs=crs,
            zoning_file=Path(zoning_file) if zoning_file else None,
        )
        _choose_sites(check, store, sites_spec)
        with terminal_progress(f"{out.name}") as progress:
            report = site_check.run_site_check(
                store, load_catalog(), check, progress=scaled(progress, 0.0, 0.4)
            )
            written = write_report(report, out, lang=lang, progress=scaled(progress, 0.4, 1.0))
    except ValidationError as exc:
        _echo_problems(exc, "the check could not run", "ตรวจสอบไม่ได้")
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    _echo_verdicts(report, written, as_json)


def _choose_sites(check, store, spec: str) -> None:
    """`--sites`: a stored layer's name, or else a file."""
    if _is_stored_layer(store, spec):
        check.sites_layer = spec
    else:
        check.sites_file, check.sites_label = Path(spec), None


def _echo_verdicts(report, written, as_json: bool) -> None:
    counts = report.counts()
    click.echo(
        f"{len(report.sites)} site(s) / พื้นที่: "
        f"{counts['pass']} pass / ผ่าน, {counts['warning']} warning / ต้องระวัง, "
        f"{counts['conflict']} conflict / ขัดแย้ง"
    )
    for row in report.verdicts.to_dict("records"):
        click.echo(f"  {row['site_id']:<14} {row['verdict']}")
        for reason in row["reasons"]:
            click.echo(f"      - {reason['th']}")
            click.echo(f"        {reason['en']}")
    timings = report.provenance["timings_s"]
    click.echo(f"took {timings['total']:.2f} s; report → {written}")
    if as_json:
        click.echo(
            json.dumps(
                report.verdicts.to_dict("records"), ensure_ascii=False, indent=1, default=str
            )
        )


@main.command("exposure")
@click.option("--sites", "sites_path", required=True, help="Sites file, or a stored layer.")
@click.option(
    "--raster", "raster_path", required=True, help="Raster file (GeoTIFF), e.g. flood depth."
)
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="Report the area above this value (e.g. 0.5 m). Default: the flood rule's 0.5.",
)
@click.option("--crs", default=None, help="CRS of a sites file that has none.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output .csv file.")
def exposure_command(sites_path, raster_path, threshold, crs, out):
    """Exposure of each site to a raster: coverage-weighted mean, max, min and the area above
    a threshold (ค่าความเสี่ยงจากแรสเตอร์ของแต่ละพื้นที่)."""
    if out.suffix.lower() != ".csv":
        _fail(PlannerError("--out must be a .csv file / ต้องเป็นไฟล์ .csv"))
    try:
        store = _open_store()
        stored = _is_stored_layer(store, sites_path)
        result = site_check.exposure(
            store,
            load_catalog(),
            raster=Path(raster_path),
            threshold=threshold,
            sites_layer=sites_path if stored else None,
            sites_file=None if stored else Path(sites_path),
            crs=crs,
        )
    except ValidationError as exc:
        _echo_problems(exc)
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    _write_exposure(result, out)


def _write_exposure(result, out: Path) -> None:
    """The exposure table as CSV, and a one-line summary."""
    table = result.table
    columns = {
        "site_id": "site_id",
        "mean": "mean",
        "max": "max",
        "min": "min",
        "covered_area_m2": "covered_area_m2",
        "area_above_m2": f"area_above_{result.threshold:g}_m2",
        "status": "status",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    table[list(columns)].rename(columns=columns).to_csv(
        out, index=False, float_format="%.6g", encoding="utf-8-sig"
    )
    counts = table["status"].value_counts().to_dict()
    click.echo(
        f"{len(table)} site(s) in {result.seconds:.2f} s: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + f" → {out}"
    )
    if counts.get("no_data"):
        click.echo(
            f"{counts['no_data']} site(s) have no data under them (status no_data), not 0 "
            f"/ {counts['no_data']} พื้นที่ไม่มีข้อมูล",
        )


@main.command("flood-scenario")
@click.option("--dem", "dem_path", required=True, help="Ground elevation GeoTIFF (m).")
@click.option("--level", type=float, required=True, help="Water level in the canal (m).")
@click.option(
    "--canal",
    "canal_layer",
    default=None,
    help="Flood only ground connected to this stored line/polygon layer (e.g. canal_water).",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output .tif")
def flood_scenario_command(dem_path, level, canal_layer, out):
    """Flood depth from a canal water level and a DEM (ความลึกน้ำท่วมจากระดับน้ำในคลอง)."""
    try:
        store = _open_store() if canal_layer else None
        written = site_check.flood_scenario(
            store, dem=dem_path, level=level, out=out, canal_layer=canal_layer
        )
    except ValidationError as exc:
        _echo_problems(exc)
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    click.echo(f"flood depth at level {level:g} m → {written} / ความลึกน้ำท่วม → {written}")
