"""`planner survey`: the household survey of a case (KoBoToolbox / ODK).

`planner survey form --case ID|REF --out form.xlsx [--accuracy 10]` writes the case's
XLSForm (app/application/survey_form.py). More `survey` commands (the import of the
answers) join this group. Bad input ends with a Thai and English message and exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from app.cli.common import _cli_user, _echo_problems, _open_case_store, _open_store, main
from app.strings import text

EXIT_BAD_INPUT = 2


def _refuse(en: str, th: str) -> None:
    """A bad-input message in both languages on stderr, then exit code 2."""
    click.echo(f"error / ข้อผิดพลาด: {en}\n  {th}", err=True)
    sys.exit(EXIT_BAD_INPUT)


@main.group("survey")
def survey() -> None:
    """Household survey forms (แบบสำรวจครัวเรือน) for KoBoToolbox and ODK Collect."""


@survey.command("form")
@click.option("--case", "case_key", required=True, help="The case's id or reference.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),  # a folder: refused below, in Thai too
    help="The XLSForm (.xlsx) to write.",
)
@click.option(
    "--accuracy",
    default=None,
    help="GPS accuracy the house's location must reach, in metres (1-100; default 10).",
)
def survey_form_command(case_key: str, out: Path, accuracy: str | None) -> None:
    """Write the household survey of a case as an XLSForm (.xlsx)."""
    from app.application.survey_form import survey_form_download
    from cases.errors import DomainError, NotFound
    from cases.register import GPS_ACCURACY_M, REGISTER_VERSION

    if out.is_dir() or not out.parent.is_dir():
        _refuse(*text("survey.cannot_write", path=out, reason="no such folder / ไม่มีโฟลเดอร์นี้"))
    try:
        filename, data = survey_form_download(
            _open_case_store().uow(),
            _cli_user(),
            case_key,
            accuracy_m=GPS_ACCURACY_M if accuracy is None else accuracy,
        )
    except NotFound:
        _refuse(*text("survey.unknown_case", case=case_key))
    except DomainError as exc:
        _refuse(exc.message_en, exc.message_th)
    try:
        out.write_bytes(data)
    except OSError as exc:
        _refuse(*text("survey.cannot_write", path=out, reason=exc.strerror or exc))
    en, th = text(
        "survey.written", form=filename.removesuffix(".xlsx"), path=out, version=REGISTER_VERSION
    )
    click.echo(f"{th}\n{en}")


@survey.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--case", "case_key", required=True, help="The case's id or reference.")
@click.option("--dry-run", is_flag=True, help="Only report what the import would do.")
@click.option(
    "--accuracy",
    default=None,
    help="GPS points worse than this many metres are flagged (1-100; default 10).",
)
def survey_import_command(file: Path, case_key: str, dry_run: bool, accuracy: str | None) -> None:
    """Import a KoBoToolbox (XLSX, CSV, zip) or ODK Central (CSV zip) survey export into
    the case's household register; each submission once."""
    from app.application.survey_form import checked_accuracy
    from app.application.survey_import import import_survey_file, report_rows
    from cases import services
    from cases.errors import DomainError, NotFound
    from cases.register import GPS_ACCURACY_M
    from gis.errors import ValidationError

    if not file.is_file():
        _refuse(*text("survey.no_file", path=file))
    store = _open_case_store()
    user = _cli_user()
    try:
        accuracy_m = GPS_ACCURACY_M if accuracy is None else checked_accuracy(accuracy)
        case = services.find_case(store.uow(), user, case_key)
        report, warnings = import_survey_file(
            store.uow(),
            user,
            case.id,
            file,
            apply=not dry_run,
            filename=file.name,
            layer_store=_open_store(),
            accuracy_m=accuracy_m,
        )
    except NotFound:
        _refuse(*text("survey.unknown_case", case=case_key))
    except ValidationError as exc:
        _echo_problems(exc, *text("survey.unreadable", path=file.name))
        sys.exit(EXIT_BAD_INPUT)
    except DomainError as exc:
        _refuse(exc.message_en, exc.message_th)
    for warning in warnings:
        click.echo(f"! {warning['th']}\n  {warning['en']}")
    for th_row, en_row in zip(report_rows(report, "th"), report_rows(report, "en"), strict=True):
        where = str(th_row["row"])
        if th_row["household_no"]:
            where += f" → {th_row['household_no']}"
        click.echo(f"  [{th_row['status_label']} / {en_row['status_label']}] {where}")
        for reason_th, reason_en in zip(th_row["reasons"], en_row["reasons"], strict=True):
            click.echo(f"      {reason_th}\n      {reason_en}")
    counts = report.counts()
    en, th = text(
        "survey.import_done" if not dry_run else "survey.import_preview",
        case=report.case_ref,
        **counts,
        flagged=report.flagged,
    )
    click.echo(f"{th}\n{en}")
