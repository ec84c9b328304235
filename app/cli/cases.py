"""`planner progress` and `planner cases`: the case tracker from the command line."""

from __future__ import annotations

import json
import sys

import click

from app.cli.common import (
    _cli_user,
    _echo_problems,
    _fail,
    _open_case_store,
    _open_store,
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


@main.group("cases", invoke_without_command=True)
@click.option("--programme", default=None)
@click.option("--district", default=None)
@click.option("--stage", default=None)
@click.option(
    "--stalled", is_flag=True, help="Only cases longer in their stage than its threshold."
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_cases_command(ctx, programme, district, stage, stalled, as_json) -> None:
    """List cases with their stage (กรณีและขั้นตอน); `planner cases create` opens them."""
    if ctx.invoked_subcommand is not None:
        return
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


@list_cases_command.command("create")
@click.option("--from-layer", "layer", required=True, help="A communities layer in the store.")
@click.option("--programme", required=True, help="e.g. baan_mankong, canal_side, disaster.")
@click.option("--province-code", default=None, help="DOPA province code, e.g. 40 (Khon Kaen).")
@click.option("--district-code", default=None, help="DOPA district code, e.g. 4001.")
@click.option("--dry-run", is_flag=True, help="Only say what would be opened.")
@click.option("--json", "as_json", is_flag=True)
def create_from_layer(layer, programme, province_code, district_code, dry_run, as_json) -> None:
    """One community and one case per feature of a layer that has no case yet
    (เปิดกรณีจากชั้นข้อมูลชุมชน); running it twice opens nothing new."""
    from app.application import layer_cases
    from cases.errors import DomainError
    from gis.errors import PlannerError, ValidationError

    run = layer_cases.plan_cases_from_layer if dry_run else layer_cases.create_cases_from_layer
    try:
        plan = run(
            _open_store(),
            _open_case_store(),
            _cli_user(),
            layer=layer,
            programme=programme,
            province_code=province_code,
            district_code=district_code,
        )
    except ValidationError as exc:
        _echo_problems(exc, "no case was opened", "ไม่ได้เปิดกรณีใด")
        sys.exit(1)
    except DomainError as exc:
        _fail(PlannerError(f"{exc.message_en} / {exc.message_th}"))
    except PlannerError as exc:
        _fail(exc)
    plan = plan[0] if dry_run else plan
    if as_json:
        click.echo(json.dumps(plan.to_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(plan.summary())
