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


if __name__ == "__main__":
    main()
