"""`planner progress` and `planner cases`: the case tracker from the command line."""

from __future__ import annotations

import json

import click

from app.cli.common import (
    _cli_user,
    _open_case_store,
    main,
)


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
