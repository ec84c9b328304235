"""The `planner` command line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from gis.catalog import load_catalog
from gis.errors import PlannerError, ValidationError
from gis.paths import SAMPLE_DIR


def _open_store():
    import os

    from app import planner_home
    from gis.store import open_store

    return open_store(
        planner_home(),
        os.environ.get("DATABASE_URL") or None,
        schema=os.environ.get("PLANNER_DATABASE_SCHEMA") or None,
    )


def _open_case_store():
    import os

    from app import planner_home
    from cases.store import CaseStore

    return CaseStore(
        planner_home(),
        os.environ.get("DATABASE_URL") or None,
        schema=os.environ.get("PLANNER_DATABASE_SCHEMA") or None,
    )


def _fail(exc: Exception) -> None:
    click.echo(f"error / ข้อผิดพลาด: {exc}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Community housing planner (ระบบวางแผนที่อยู่อาศัยชุมชน).

    The store lives in the instance folder PLANNER_HOME (default: instance/);
    set DATABASE_URL=postgresql://... to use PostgreSQL/PostGIS instead.
    """


@main.command()
@click.option(
    "--rebuild",
    is_flag=True,
    help="Regenerate the sample files in layers/sample from layers/sources first.",
)
@click.option("--seed", default=2562, show_default=True, help="Random seed of the rebuild.")
@click.option(
    "--setback",
    "setback_m",
    default=8.0,
    show_default=True,
    help="Canal setback in metres from the canal edge (rebuild only).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=SAMPLE_DIR,
    show_default=True,
    help="Folder for the rebuilt files.",
)
@click.option("--no-load", is_flag=True, help="Only rebuild; do not load into the store.")
def sample(rebuild: bool, seed: int, setback_m: float, out_dir: Path, no_load: bool) -> None:
    """Load the Khlong Prem Prachakorn sample into the store (ชุดข้อมูลตัวอย่าง)."""
    from gis.layers import load_sample

    catalog = load_catalog()
    if rebuild:
        from gis.sample import build_sample

        started = time.perf_counter()
        summary = build_sample(out_dir, seed=seed, setback_m=setback_m)
        click.echo(f"rebuilt the sample in {out_dir} in {time.perf_counter() - started:.1f} s")
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1, default=str))
    if no_load:
        return
    store = _open_store()
    try:
        counts = load_sample(
            store, catalog, package=out_dir / "khlong_prem_sample.gpkg", raster_dir=out_dir
        )
    except (ValidationError, PlannerError, FileNotFoundError) as exc:
        _fail(exc)
    click.echo(f"loaded {len(counts)} layers into {store!r}:")
    for name, count in counts.items():
        click.echo(f"  {name:<18} {count:>7}")
    from cases.sample import DEMO_USERS, load_sample_cases
    from gis.layers import read_package

    result = load_sample_cases(
        _open_case_store(), read_package(out_dir / "khlong_prem_sample.gpkg", catalog)
    )
    if result["skipped"]:
        click.echo(f"the case store already has {result['cases']} cases; kept them as they are")
    else:
        click.echo(
            f"loaded {result['cases']} sample cases with {result['households']:,} households"
        )
    click.echo("demo logins (sample only) / บัญชีทดลอง:")
    for username, password, role, community in DEMO_USERS:
        click.echo(f"  {username:<10} {password:<20} {role}{' ' + community if community else ''}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the map and the API (เปิดเว็บแผนที่)."""
    from app import create_app

    app = create_app()
    click.echo(f"serving the planner at http://{host}:{port}  (Ctrl+C to stop)")
    app.run(host=host, port=port, debug=False, threaded=True)


def layer_report(store, catalog) -> list[dict]:
    """Name, geometry type, feature count and CRS of every stored layer, with
    the summaries the catalogue asks for (`summary_by`) and line lengths."""
    report = []
    for name in store.layer_names():
        info = store.info(name)
        item = {
            "name": name,
            "geometry_type": info.geometry_type,
            "feature_count": info.feature_count,
            "crs": info.crs,
            "version": info.version,
            "in_catalog": name in catalog,
        }
        entry = catalog.layers.get(name)
        summary_by = entry.extra.get("summary_by") if entry else None
        if summary_by or info.geometry_type == "LineString":
            gdf = store.read(name)
            if summary_by:
                counts = gdf[summary_by].value_counts().sort_index()
                item["count_by"] = {summary_by: {str(k): int(v) for k, v in counts.items()}}
            if info.geometry_type == "LineString":
                item["length_m"] = round(float(gdf.to_crs(catalog.storage_crs).length.sum()), 1)
        report.append(item)
    for name in store.raster_names():
        import rasterio

        with rasterio.open(store.raster_path(name)) as src:
            report.append(
                {
                    "name": name,
                    "geometry_type": "Raster",
                    "feature_count": 1,
                    "crs": src.crs.to_string() if src.crs else None,
                    "width": src.width,
                    "height": src.height,
                    "cell_size": list(src.res),
                    "in_catalog": name in catalog,
                }
            )
    return report


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def layers(as_json: bool) -> None:
    """List the layers in the store (ชั้นข้อมูลในคลัง)."""
    catalog = load_catalog()
    report = layer_report(_open_store(), catalog)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
        return
    if not report:
        click.echo("the store is empty; run `planner sample` / คลังข้อมูลว่าง ให้รัน planner sample")
        return
    for item in report:
        entry = catalog.layers.get(item["name"])
        title = f"{entry.title['th']} / {entry.title['en']}" if entry else "(user layer)"
        click.echo(
            f"{item['name']:<18} {item['geometry_type'] or '':<11} "
            f"{item['feature_count']:>7}  {item['crs'] or 'no CRS':<11} {title}"
        )


def _cli_user():
    """The CLI acts as an officer of the instance it runs on."""
    from cases.model import User

    return User(username="cli", role="admin")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--programme", default=None, help="Only this programme (e.g. canal_side).")
def progress(as_json: bool, programme: str | None) -> None:
    """Progress by district: households agreed, finished, under construction, ready to build."""
    from cases import services

    table = services.progress(_open_case_store().uow(), programme=programme)
    if as_json:
        click.echo(json.dumps(table, ensure_ascii=False, indent=1))
        return
    header = ("district / เขต", "agreed", "finished", "building", "ready", "not started")
    click.echo(
        f"{header[0]:<24}{header[1]:>9}{header[2]:>16}{header[3]:>16}{header[4]:>14}{header[5]:>13}"
    )
    for row in [*table["districts"], table["total"]]:
        s = row["shares"]
        name = (
            f"{row['district_th']} {row['district_en']}"
            if row["district_en"] != "total"
            else "รวม total"
        )
        click.echo(
            f"{name:<24}{row['households_agreed']:>9,}"
            f"{row['finished']:>7,} ({s['finished']:5.2f} %)"
            f"{row['under_construction']:>7,} ({s['under_construction']:5.2f} %)"
            f"{row['ready_to_build']:>5,} ({s['ready_to_build']:5.2f} %)"
            f"{row['not_started']:>13,}"
        )


@main.command("cases")
@click.option("--programme", default=None)
@click.option("--district", default=None)
@click.option("--stage", default=None)
@click.option(
    "--stalled", is_flag=True, help="Only cases longer in their stage than its threshold."
)
@click.option("--json", "as_json", is_flag=True)
def list_cases_command(programme, district, stage, stalled, as_json) -> None:
    """List cases with their stage (กรณีและขั้นตอน)."""
    from cases import services
    from cases.workflow import default_workflows

    rows, total = services.list_cases(
        _open_case_store().uow(),
        _cli_user(),
        programme=programme,
        district=district,
        stage=stage,
        stalled=stalled,
        per_page=500,
    )
    if as_json:
        click.echo(
            json.dumps({"total": total, "cases": rows}, ensure_ascii=False, indent=1, default=str)
        )
        return
    workflows = default_workflows()
    for row in rows:
        label = workflows.case_type(row["case_type"]).stage(row["stage"]).label
        flag = " STALLED/ล่าช้า" if row["stalled"] else ""
        hold = f" [{row['hold_reason']}]" if row["hold_reason"] else ""
        click.echo(
            f"{row['ref']:<12} {row['district_en']:<11} {label['th']} / {label['en']}"
            f" · {row['days_in_stage']} d{flag}{hold}"
        )
    click.echo(f"{total} case(s)")


@main.group()
def user() -> None:
    """Manage logins (ผู้ใช้)."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "officer", "community_rep", "viewer"])
)
@click.option("--community", default=None, help="The community of a community_rep, e.g. KPP-CC-01.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when not given.",
)
@click.option("--display-name", default="")
def user_add(name, role, community, password, display_name) -> None:
    """Create a user NAME with a role."""
    from cases import services
    from cases.errors import DomainError

    try:
        created = services.add_user(
            _open_case_store().uow(),
            name,
            password,
            role,
            community_id=community,
            display_name=display_name,
        )
    except DomainError as exc:
        _fail(exc)
    click.echo(f"created user {created.username} ({created.role})")


def _problem_lines(exc: ValidationError) -> str:
    lines = []
    for p in exc.problems:
        where = p.where()
        lines.append(f"  - {where}: {p.message_en}" if where else f"  - {p.message_en}")
        lines.append(f"    {where}: {p.message_th}" if where else f"    {p.message_th}")
    return "\n".join(lines)


@main.command("import")
@click.argument("path")
@click.option("--layer", "layer_name", required=True, help="Catalogue layer, or a new layer name.")
@click.option("--mode", type=click.Choice(["replace", "append"]), default="replace")
@click.option("--encoding", default=None, help="Text encoding, e.g. cp874 (usually detected).")
@click.option("--crs", default=None, help="CRS of a file that has none, e.g. EPSG:24047.")
@click.option("--map", "mappings", multiple=True, help="FILE_FIELD=LAYER_FIELD (repeatable).")
@click.option("--source-layer", default=None, help="Layer inside a GeoPackage (or PATH::NAME).")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
def import_command(path, layer_name, mode, encoding, crs, mappings, source_layer, as_json):
    """Import a file (GeoPackage, Shapefile/zip, GeoJSON, KML/KMZ, CSV, XLSX, KoBo, ODK)
    into layer NAME (นำเข้าข้อมูล)."""
    from gis.importing import import_file

    field_map = {}
    for item in mappings:
        if "=" not in item:
            _fail(PlannerError(f"--map takes FILE_FIELD=LAYER_FIELD, not {item!r}"))
        src, dst = item.split("=", 1)
        field_map[src.strip()] = dst.strip()
    try:
        report = import_file(
            path,
            layer=layer_name,
            catalog=load_catalog(),
            store=_open_store(),
            mode=mode,
            encoding=encoding,
            crs=crs,
            field_map=field_map or None,
            source_layer=source_layer,
        )
    except ValidationError as exc:
        rid = getattr(getattr(exc, "report", None), "id", None)
        click.echo(
            f"error / ข้อผิดพลาด: import refused, nothing was written / "
            f"ไม่นำเข้า ไม่มีการเขียนข้อมูล ({len(exc.problems)} problem(s) / ปัญหา)",
            err=True,
        )
        click.echo(_problem_lines(exc), err=True)
        if rid:
            click.echo(f"report / รายงาน: planner imports --show {rid}", err=True)
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(report.summary())


@main.command("imports")
@click.option("--show", "show_id", default=None, help="Show one import report.")
@click.option("--json", "as_json", is_flag=True)
def imports_command(show_id, as_json):
    """List import reports, or show one (รายงานการนำเข้า)."""
    from gis.importing import ImportReport, list_reports, load_report

    store = _open_store()
    if show_id:
        try:
            data = load_report(store, show_id)
        except PlannerError as exc:
            _fail(exc)
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            click.echo(ImportReport(**data).summary())
        return
    reports = list_reports(store)
    if as_json:
        click.echo(json.dumps(reports, ensure_ascii=False, indent=1))
        return
    for r in reports:
        click.echo(
            f"{r['id']}  {r['status']:<9} {r['layer']:<20} {r['features_written']:>7}  {r['file']}"
        )


@main.command("export")
@click.option("--layer", "layer_names", multiple=True, help="Layer to export (repeatable).")
@click.option("--all", "all_layers", is_flag=True, help="Every vector layer in the store.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["gpkg", "shp", "geojson", "kml", "csv", "xlsx"]),
    required=True,
)
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--open-data", is_flag=True, help="Community counts and geometry only.")
def export_command(layer_names, all_layers, fmt, out, open_data):
    """Export layers for QGIS or spreadsheets (ส่งออกข้อมูล)."""
    from gis.exporting import export_layers

    store = _open_store()
    names = list(layer_names)
    if all_layers:
        catalog = load_catalog()
        names = [
            n
            for n in store.layer_names()
            if n not in catalog.layers or catalog.layers[n].kind == "vector"
        ]
    if not names:
        _fail(PlannerError("give --layer NAME or --all / ระบุ --layer หรือ --all"))
    missing = [n for n in names if not store.has_layer(n)]
    if missing:
        _fail(PlannerError(f"no layer {', '.join(missing)} in the store / ไม่มีชั้นข้อมูลนี้"))
    try:
        written = export_layers(store, load_catalog(), names, fmt=fmt, out=out, open_data=open_data)
    except PlannerError as exc:
        _fail(exc)
    click.echo(f"exported {', '.join(names)} → {written}")


if __name__ == "__main__":
    main()
