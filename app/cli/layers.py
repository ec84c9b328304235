"""`planner layers`: what the layer store holds."""

from __future__ import annotations

import json

import click

from app.cli.common import (
    _open_store,
    main,
)
from gis.catalog import load_catalog


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
