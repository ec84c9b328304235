"""`planner sample`: build and load the Khlong Prem Prachakorn sample."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from app.cli.common import (
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
    "--national",
    is_flag=True,
    help="Build the illustrative national-scale sample instead: 2,000 communities in the "
    "77 provinces, 300,000 structures and households (ตัวอย่างระดับประเทศ, ข้อมูลตัวอย่าง).",
)
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=float,
    help="With --national: a fraction of the national counts (e.g. 0.01).",
)
@click.option(
    "--demo-users",
    is_flag=True,
    help="Also create the README's demo logins (for trying on this machine only; "
    "`planner serve` then refuses any address but 127.0.0.1).",
)
def sample(
    rebuild: bool,
    seed: int,
    setback_m: float,
    out_dir: Path,
    no_load: bool,
    national: bool,
    scale: float,
    demo_users: bool,
) -> None:
    """Load the Khlong Prem Prachakorn sample into the store (ชุดข้อมูลตัวอย่าง)."""
    from app.application import sample_loader

    if national:
        if rebuild or no_load or out_dir != SAMPLE_DIR:
            _say("national.rebuild_too", error=True)
        _national(seed, scale, demo_users)
        return

    catalog = load_catalog()
    if rebuild:
        from gis.paths import SOURCES_DIR
        from gis.sample import build_sample

        if not SOURCES_DIR.is_dir():  # the wheel carries the built sample, not its sources
            _fail(
                "--rebuild needs a checkout of the project (layers/sources) / "
                "การสร้างชุดข้อมูลตัวอย่างใหม่ต้องใช้ซอร์สโค้ดของโครงการ (layers/sources)"
            )

        started = time.perf_counter()
        summary = build_sample(out_dir, seed=seed, setback_m=setback_m)
        click.echo(f"rebuilt the sample in {out_dir} in {time.perf_counter() - started:.1f} s")
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1, default=str))
    if no_load:
        return
    store = _open_store()
    try:
        counts = sample_loader.load_sample_layers(store, catalog, out_dir)
    except (ValidationError, PlannerError, FileNotFoundError) as exc:
        _fail(exc)
    click.echo(f"loaded {len(counts)} layers into {store!r}:")
    for name, count in counts.items():
        click.echo(f"  {name:<18} {count:>7}")
    case_store = _open_case_store()
    result = sample_loader.load_sample_case_data(case_store, catalog, out_dir)
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
    _echo_demo_logins(sample_loader.add_demo_logins(case_store))


def _echo_demo_logins(logins) -> None:
    click.echo("demo logins (sample only, this machine only) / บัญชีทดลอง (ใช้ในเครื่องนี้เท่านั้น):")
    for username, password, role, community in logins:
        click.echo(f"  {username:<10} {password:<20} {role}{' ' + community if community else ''}")


def _say(key: str, *, error: bool = False, **values) -> None:
    """A catalogue message in both languages; an error exits with status 2."""
    from app.strings import text

    en, th = text(key, **values)
    if error:
        click.echo(f"error / ข้อผิดพลาด: {en}\n  {th}", err=True)
        raise SystemExit(2)
    click.echo(f"{en}\n  {th}")


def _national(seed: int, scale: float, demo_users: bool) -> None:
    """`planner sample --national`: the illustrative national-scale store."""
    from app.application.national_sample import CaseStoreNotEmpty, load_national_sample

    if not 0 < scale <= 1:
        _say("national.bad_scale", error=True, scale=scale)
    store, case_store = _open_store(), _open_case_store()
    try:
        result = load_national_sample(store, case_store, load_catalog(), seed=seed, scale=scale)
    except CaseStoreNotEmpty as exc:
        _say("national.cases_exist", error=True, cases=exc.cases)
    except (ValidationError, PlannerError) as exc:
        _fail(exc)
    layers, cases, timings = result["layers"], result["cases"], result["timings"]
    _say(
        "national.built",
        seed=seed,
        scale=scale,
        seconds=timings["total_s"],
        store=repr(store),
    )
    _say(
        "national.counts",
        communities=layers["communities"],
        provinces=result["provinces"],
        structures=layers["structures"],
        parcels=layers["tenure_parcels"],
        cases=cases["cases"],
        households=cases["households"],
        events=cases["events"],
    )
    _say("national.timings", **timings)
    if result["removed"]:
        _say("national.removed", names=", ".join(result["removed"]))
    _say("national.illustrative")
    if demo_users:
        from app.application import sample_loader

        logins = sample_loader.add_demo_logins(case_store, rep_community=result["first_community"])
        _echo_demo_logins(logins)
