"""`planner sample`: build and load the Khlong Prem Prachakorn sample."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from app.cli import (
    _fail,
    _open_case_store,
    _open_store,
    main,
)
from gis.catalog import load_catalog
from gis.errors import PlannerError, ValidationError
from gis.paths import SAMPLE_DIR


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
@click.option(
    "--demo-users",
    is_flag=True,
    help="Also create the README's demo logins (for trying on this machine only; "
    "`planner serve` then refuses any address but 127.0.0.1).",
)
def sample(
    rebuild: bool, seed: int, setback_m: float, out_dir: Path, no_load: bool, demo_users: bool
) -> None:
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
    from cases.sample import DEMO_USERS, add_demo_users, load_sample_cases
    from gis.layers import read_package

    case_store = _open_case_store()
    result = load_sample_cases(
        case_store, read_package(out_dir / "khlong_prem_sample.gpkg", catalog), demo_users=False
    )
    if result["skipped"]:
        click.echo(f"the case store already has {result['cases']} cases; kept them as they are")
    else:
        click.echo(
            f"loaded {result['cases']} sample cases with {result['households']:,} households"
        )
    if not demo_users:
        click.echo(
            "no demo logins: create users with `planner user add NAME --role ROLE` "
            "(or load with --demo-users to try it on this machine) / "
            "ไม่มีบัญชีทดลอง สร้างผู้ใช้ด้วย planner user add"
        )
        return
    add_demo_users(case_store)
    click.echo("demo logins (sample only, this machine only) / บัญชีทดลอง (ใช้ในเครื่องนี้เท่านั้น):")
    for username, password, role, community in DEMO_USERS:
        click.echo(f"  {username:<10} {password:<20} {role}{' ' + community if community else ''}")
