"""`planner import`, `planner imports` and `planner export`: data in and out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.application import imports
from app.cli.common import (
    _fail,
    _open_store,
    _problem_lines,
    main,
)
from gis.catalog import load_catalog
from gis.errors import PlannerError, ValidationError


@main.command("import")
@click.argument("path")
@click.option("--layer", "layer_name", required=True, help="Catalogue layer, or a new layer name.")
@click.option("--mode", type=click.Choice(["replace", "append"]), default="replace")
@click.option("--encoding", default=None, help="Text encoding, e.g. cp874 (usually detected).")
@click.option("--crs", default=None, help="CRS of a file that has none, e.g. EPSG:24047.")
@click.option(
    "--map",
    "mappings",
    multiple=True,
    help="LAYER_FIELD=FILE_FIELD or FILE_FIELD=LAYER_FIELD, e.g. name_th=Name (repeatable).",
)
@click.option("--source-layer", default=None, help="Layer inside a GeoPackage (or PATH::NAME).")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
def import_command(path, layer_name, mode, encoding, crs, mappings, source_layer, as_json):
    """Import a file (GeoPackage, Shapefile/zip, GeoJSON, KML/KMZ, CSV, XLSX, KoBo, ODK)
    into layer NAME (นำเข้าข้อมูล)."""
    try:
        options = imports.ImportOptions(
            layer=layer_name,
            mode=mode,
            encoding=encoding,
            crs=crs,
            field_map=imports.parse_field_map(mappings),
            source_layer=source_layer,
        )
        report = imports.import_into(_open_store(), load_catalog(), path, options)
    except ValidationError as exc:
        _echo_refusal(exc)
    except PlannerError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(report.summary())


def _echo_refusal(exc: ValidationError) -> None:
    """Exit 1 with every problem of a refused import, and where its report is."""
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


@main.command("imports")
@click.option("--show", "show_id", default=None, help="Show one import report.")
@click.option("--json", "as_json", is_flag=True)
def imports_command(show_id, as_json):
    """List import reports, or show one (รายงานการนำเข้า)."""
    store = _open_store()
    if show_id:
        try:
            data = imports.import_report(store, show_id)
        except PlannerError as exc:
            _fail(exc)
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            click.echo(imports.report_summary(data))
        return
    reports = imports.import_reports(store)
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
@click.option(
    "--without-personal",
    is_flag=True,
    help="Leave out personal fields (cases/privacy.py), as a municipality viewer gets them.",
)
def export_command(layer_names, all_layers, fmt, out, open_data, without_personal):
    """Export layers for QGIS or spreadsheets (ส่งออกข้อมูล)."""
    store, catalog = _open_store(), load_catalog()
    names = imports.vector_layers(store, catalog) if all_layers else list(layer_names)
    if not names:
        _fail(PlannerError("give --layer NAME or --all / ระบุ --layer หรือ --all"))
    try:
        drop = imports.personal_fields(store, names) if without_personal else set()
        written = imports.export_to(
            store, catalog, names, fmt=fmt, out=out, open_data=open_data, drop_fields=drop
        )
    except PlannerError as exc:
        _fail(exc)
    click.echo(f"exported {', '.join(names)} → {written}")
