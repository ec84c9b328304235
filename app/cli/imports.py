"""`planner import`, `planner imports` and `planner export`: data in and out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.cli import (
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
@click.option(
    "--without-personal",
    is_flag=True,
    help="Leave out personal fields (cases/privacy.py), as a municipality viewer gets them.",
)
def export_command(layer_names, all_layers, fmt, out, open_data, without_personal):
    """Export layers for QGIS or spreadsheets (ส่งออกข้อมูล)."""
    from cases import privacy
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
        drop = set()
        if open_data or without_personal:  # open data never holds a personal field
            for name in names:
                drop |= set(privacy.personal_fields(store.read(name, bbox=(0, 0, 0, 0)).columns))
        written = export_layers(
            store, load_catalog(), names, fmt=fmt, out=out, open_data=open_data, drop_fields=drop
        )
    except PlannerError as exc:
        _fail(exc)
    click.echo(f"exported {', '.join(names)} → {written}")
