"""`planner prune`: housekeeping of the instance folder."""

from __future__ import annotations

import click

from app.cli.common import (
    main,
)


@main.command("prune")
@click.option(
    "--days",
    type=click.FloatRange(min=0),
    default=None,
    help="Keep site checks this many days (default: PLANNER_OVERLAP_RUN_DAYS, or 30).",
)
def prune_command(days):
    """Remove site checks older than the days kept (ลบผลการตรวจสอบพื้นที่ที่เก่าเกินกำหนด)."""
    import os

    from app import shared_dir
    from app.application.site_check import RUN_DAYS, prune_runs

    if days is None:
        days = float(os.environ.get("PLANNER_OVERLAP_RUN_DAYS") or RUN_DAYS)
    removed = prune_runs(shared_dir() / "reports" / "overlap", days)
    click.echo(
        f"removed {removed} site check(s) older than {days:g} days"
        f" / ลบผลการตรวจสอบพื้นที่ {removed} รายการที่เก่ากว่า {days:g} วัน"
    )
