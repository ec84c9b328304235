"""`planner overlap`, `planner exposure` and `planner flood-scenario`: the site check."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from app.cli import (
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
    from gis.check import (
        inputs_from_store,
        layer_from_file,
        run_checks,
        sites_bbox,
        sites_from_file,
        sites_from_store,
    )
    from gis.report import FORMATS, write_report
    from gis.rules import DEFAULT_RULES, load_rules

    if out.suffix.lower() not in FORMATS:
        _fail(PlannerError(f"--out must end in {', '.join(FORMATS)} / นามสกุลไฟล์ไม่รองรับ"))
    catalog = load_catalog()
    store = _open_store()
    checks = _split(against)
    try:
        rules = load_rules(rules_path or DEFAULT_RULES)
        if _is_stored_layer(store, sites_spec):
            sites, sites_info = sites_from_store(store, sites_spec, ids=_split(ids or ""))
        else:
            if ids:
                raise PlannerError("--ids selects sites of a stored layer, not of a file")
            sites, sites_info = sites_from_file(sites_spec, catalog=catalog, crs=crs)
        replacements = {}
        if zoning_file:
            replacements["zoning"] = layer_from_file(zoning_file, "zoning", catalog=catalog)
        inputs = inputs_from_store(
            store, checks, catalog=catalog, replacements=replacements, bbox=sites_bbox(sites)
        )
        report = run_checks(
            sites,
            inputs,
            rules=rules,
            against=checks,
            site_name="site_name",
            sites_info=sites_info,
        )
        written = write_report(report, out, lang=lang)
    except ValidationError as exc:
        _echo_problems(exc, "the check could not run", "ตรวจสอบไม่ได้")
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
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
    from gis import hazard
    from gis.check import sites_from_file, sites_from_store

    if out.suffix.lower() != ".csv":
        _fail(PlannerError("--out must be a .csv file / ต้องเป็นไฟล์ .csv"))
    raster = Path(raster_path)
    if not raster.exists():
        _fail(PlannerError(f"no raster file {raster} / ไม่พบไฟล์แรสเตอร์"))
    threshold = hazard.DEFAULT_FLOOD_THRESHOLD_M if threshold is None else threshold
    try:
        store = _open_store()
        if _is_stored_layer(store, sites_path):
            sites, _ = sites_from_store(store, sites_path)
        else:
            sites, _ = sites_from_file(sites_path, catalog=load_catalog(), crs=crs)
        started = time.perf_counter()
        table = hazard.exposure(sites, raster, threshold=threshold, site_id="site_id")
        elapsed = time.perf_counter() - started
    except ValidationError as exc:
        _echo_problems(exc)
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    columns = {
        "site_id": "site_id",
        "mean": "mean",
        "max": "max",
        "min": "min",
        "covered_area_m2": "covered_area_m2",
        "area_above_m2": f"area_above_{threshold:g}_m2",
        "status": "status",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    table[list(columns)].rename(columns=columns).to_csv(
        out, index=False, float_format="%.6g", encoding="utf-8-sig"
    )
    counts = table["status"].value_counts().to_dict()
    click.echo(
        f"{len(table)} site(s) in {elapsed:.2f} s: "
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
    from gis import hazard

    try:
        canal = None
        if canal_layer:
            store = _open_store()
            if not store.has_layer(canal_layer):
                raise PlannerError(f"no layer {canal_layer} in the store / ไม่มีชั้นข้อมูลนี้")
            canal = store.read(canal_layer)
        written = hazard.flood_depth_from_level(dem_path, level, out, connected_to=canal)
    except ValidationError as exc:
        _echo_problems(exc)
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    click.echo(f"flood depth at level {level:g} m → {written} / ความลึกน้ำท่วม → {written}")
