"""`planner pdpa ...`: the PDPA records of the instance (issue 14; docs/decisions/0025).

- `planner pdpa ropa --out ropa.xlsx`: the record of processing activities (s39), in Thai.
- `planner pdpa reads --household ID`: who was shown a household's personal data, when.
- `planner pdpa export --household ID --out DIR`: everything held about a household
  (subject access, s30 and s31): a JSON file and a Thai PDF for the family.
- `planner pdpa breach add|list|notified`: the breach register and its 72-hour deadline.
- `planner pdpa request add|decide|list`: data subjects' requests and their outcome (the
  rejected ones are counted in the ropa).
"""

from __future__ import annotations

import json

import click

from app.cli.common import _cli_user, _fail, _open_case_store, main
from cases.model import BREACH_RISKS, REQUEST_KINDS, RESTRICTIONS


def _fail_both(exc) -> None:
    _fail(f"{exc.message_en} / {exc.message_th}")


@main.group()
def pdpa() -> None:
    """Personal data protection records (บันทึกตาม พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล)."""


@pdpa.command("ropa")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The .xlsx to write.")
def ropa_command(out) -> None:
    """Write the record of processing activities, s39 (บันทึกรายการตามมาตรา 39).

    Retention comes from PLANNER_RETENTION_PERSONAL_YEARS and
    PLANNER_RETENTION_SENSITIVE_YEARS (default 10 and 2 years after a case closes);
    the controller's name from PLANNER_CONTROLLER_NAME."""
    from app.application.pdpa import retention_years, write_ropa
    from cases import services

    if not out.lower().endswith(".xlsx"):
        _fail("--out must be an .xlsx file / ไฟล์ผลลัพธ์ต้องเป็น .xlsx")
    try:
        retention = retention_years()
    except ValueError as exc:
        _fail(exc)
    rejected = services.rejected_counts(_open_case_store().uow(), _cli_user())
    path = write_ropa(out, retention=retention, rejected=rejected)
    click.echo(f"wrote {path} / เขียนบันทึกรายการแล้ว")


@pdpa.command("reads")
@click.option("--household", "household_id", required=True, type=click.IntRange(1, 2**31 - 1))
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for machines.")
def reads_command(household_id, limit, as_json) -> None:
    """Who was shown a household's personal data (บันทึกการเข้าดูข้อมูลส่วนบุคคล)."""
    from app.application.pdpa import read_rows
    from cases.errors import DomainError

    try:
        rows = read_rows(_open_case_store().uow(), _cli_user(), household_id, limit=limit)
    except DomainError as exc:
        _fail_both(exc)
    if as_json:
        click.echo(json.dumps({"household_id": household_id, "reads": rows}, ensure_ascii=False))
        return
    if not rows:
        click.echo("no reads / ยังไม่มีการเข้าดู")
        return
    for row in rows:
        click.echo(
            f"{row['at']}  {row['username']} ({row['role_th']})  {row['via_th']}: "
            f"{', '.join(row['fields_th'])}"
        )


@pdpa.command("export")
@click.option("--household", "household_id", required=True, type=click.IntRange(1, 2**31 - 1))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="The folder to write both files into (made when missing).",
)
def export_command(household_id, out_dir) -> None:
    """Everything held about a household, s30 and s31 (ส่งออกข้อมูลตามคำขอของเจ้าของข้อมูล).

    Writes household-ID-pdpa-export-DATE.json (for machines) and .pdf (Thai, for the
    family; it holds the full national ID number). The export is audited and logged in
    the read log; the controller's name comes from PLANNER_CONTROLLER_NAME."""
    from app.application.pdpa import subject_access, write_subject_access
    from cases.errors import DomainError

    try:
        access = subject_access(_open_case_store().uow(), _cli_user(), household_id)
    except DomainError as exc:
        _fail_both(exc)
    json_path, pdf_path = write_subject_access(access, out_dir)
    click.echo(_words("pdpa.access.cli_wrote", id=household_id) + ":")
    click.echo(f"  JSON: {json_path}")
    click.echo(f"  PDF:  {pdf_path}")


@pdpa.group()
def breach() -> None:
    """The breach register: detection and the 72-hour deadline (ทะเบียนเหตุละเมิด)."""


def _time(value: str | None, what: str):
    from app.application.pdpa import parse_local_time

    if value is None:
        return None
    try:
        return parse_local_time(value)
    except ValueError as exc:
        _fail(f"{what}: {exc}")


@breach.command("add")
@click.option(
    "--detected",
    required=True,
    help="When it was detected, Thailand's time: 2569-12-01 09:30 (B.E.) or 2026-12-01 09:30.",
)
@click.option("--description", required=True, help="What happened.")
@click.option("--households", required=True, type=click.IntRange(0, 10_000_000))
@click.option("--risk", required=True, type=click.Choice(BREACH_RISKS))
@click.option("--pdpc-notified", default=None, help="When the PDPC was told (same form).")
@click.option("--subjects-notified", default=None, help="When the people were told.")
def breach_add(detected, description, households, risk, pdpc_notified, subjects_notified):
    """Record a breach (บันทึกเหตุละเมิดข้อมูลส่วนบุคคล)."""
    from app.application.pdpa import format_time
    from cases import services
    from cases.errors import DomainError

    try:
        item = services.record_breach(
            _open_case_store().uow(),
            _cli_user(),
            detected_at=_time(detected, "--detected"),
            description=description,
            households_affected=households,
            risk=risk,
            pdpc_notified_at=_time(pdpc_notified, "--pdpc-notified"),
            subjects_notified_at=_time(subjects_notified, "--subjects-notified"),
        )
    except DomainError as exc:
        _fail_both(exc)
    click.echo(
        f"recorded breach {item.id}; tell the PDPC by {format_time(item.deadline, 'en')} / "
        f"บันทึกเหตุละเมิดที่ {item.id} แล้ว ต้องแจ้ง สคส. ภายใน {format_time(item.deadline, 'th')}"
    )


@breach.command("notified")
@click.argument("breach_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--pdpc", default=None, help="When the PDPC was told, Thailand's time.")
@click.option("--subjects", default=None, help="When the people affected were told.")
def breach_notified(breach_id, pdpc, subjects):
    """Record when the PDPC or the people affected were told (บันทึกการแจ้ง)."""
    from cases import services
    from cases.errors import DomainError

    if pdpc is None and subjects is None:
        _fail("give --pdpc or --subjects / ระบุ --pdpc หรือ --subjects")
    try:
        services.breach_notified(
            _open_case_store().uow(),
            _cli_user(),
            breach_id,
            pdpc_notified_at=_time(pdpc, "--pdpc"),
            subjects_notified_at=_time(subjects, "--subjects"),
        )
    except DomainError as exc:
        _fail_both(exc)
    click.echo(f"recorded / บันทึกแล้ว: breach {breach_id}")


@breach.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for machines.")
def breach_list(as_json):
    """Every breach with its deadline (detected + 72 h) in Thai time, and if overdue."""
    from app.application.pdpa import breach_rows
    from cases.errors import DomainError

    try:
        rows = breach_rows(_open_case_store().uow(), _cli_user())
    except DomainError as exc:
        _fail_both(exc)
    if as_json:
        click.echo(json.dumps({"breaches": rows}, ensure_ascii=False))
        return
    if not rows:
        click.echo("no breach recorded / ไม่มีเหตุละเมิดที่บันทึกไว้")
        return
    for row in rows:
        flag = "!! " if row["overdue"] else ""
        click.echo(
            f"{flag}#{row['id']} ตรวจพบ {row['detected_at']} · กำหนดแจ้ง สคส. {row['deadline']} · "
            f"{row['status_th']} / {row['status_en']}"
        )
        click.echo(
            f"    {row['risk_th']} / {row['risk_en']} · ครัวเรือนที่ได้รับผลกระทบ"
            f" {row['households_affected']:,} households affected: {row['description']}"
        )
        if row["pdpc_notified_at"]:
            click.echo(f"    แจ้ง สคส. {row['pdpc_notified_at']}")
        if row["subjects_notified_at"]:
            click.echo(f"    แจ้งเจ้าของข้อมูล {row['subjects_notified_at']}")


@pdpa.group()
def request() -> None:
    """Data subjects' requests and their outcome (คำขอของเจ้าของข้อมูล)."""


def _day(value: str | None, what: str):
    from gis.thaidate import parse_form_date

    if value is None:
        return None
    try:
        return parse_form_date(value)
    except ValueError:
        _fail(f"{what}: give a date like 2569-12-01 / ใส่วันที่แบบ 2569-12-01")


@request.command("add")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(REQUEST_KINDS),
)
@click.option("--received", required=True, help="The day it came: 2569-12-01 (B.E.) or 2026-12-01.")
@click.option("--household", "household_id", type=click.IntRange(1, 2**31 - 1), default=None)
@click.option("--purpose", default=None, help="The purpose it names, e.g. contact.")
@click.option("--note", default="")
def request_add(kind, received, household_id, purpose, note):
    """Record a request (บันทึกคำขอ)."""
    from cases import services
    from cases.errors import DomainError

    try:
        item = services.record_request(
            _open_case_store().uow(),
            _cli_user(),
            kind=kind,
            received_on=_day(received, "--received"),
            household_id=household_id,
            purpose=purpose,
            note=note,
        )
    except DomainError as exc:
        _fail_both(exc)
    click.echo(f"recorded request {item.id} / บันทึกคำขอที่ {item.id} แล้ว")


@request.command("decide")
@click.argument("request_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--status", required=True, type=click.Choice(["fulfilled", "rejected"]))
@click.option("--reason", default="", help="Why it is rejected (required for a rejection).")
@click.option("--on", "decided_on", default=None, help="The day of the decision (default today).")
def request_decide(request_id, status, reason, decided_on):
    """Fulfil or reject a request (บันทึกผลคำขอ)."""
    from cases import services
    from cases.errors import DomainError

    try:
        services.decide_request(
            _open_case_store().uow(),
            _cli_user(),
            request_id,
            status=status,
            reason=reason,
            decided_on=_day(decided_on, "--on"),
        )
    except DomainError as exc:
        _fail_both(exc)
    click.echo(f"request {request_id}: {status} / บันทึกผลคำขอแล้ว")


@request.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for machines.")
def request_list(as_json):
    """Every request, the latest first (รายการคำขอ)."""
    from cases import services
    from cases.errors import DomainError
    from cases.services.subject_requests import KIND_LABELS, STATUS_LABELS
    from gis.thaidate import format_date

    try:
        items = services.list_requests(_open_case_store().uow(), _cli_user())
    except DomainError as exc:
        _fail_both(exc)
    if as_json:
        rows = [
            {
                "id": r.id,
                "kind": r.kind,
                "received_on": r.received_on.isoformat(),
                "household_id": r.household_id,
                "purpose": r.purpose,
                "status": r.status,
                "decided_on": r.decided_on.isoformat() if r.decided_on else None,
                "reason": r.reason,
            }
            for r in items
        ]
        click.echo(json.dumps({"requests": rows}, ensure_ascii=False))
        return
    if not items:
        click.echo("no request recorded / ยังไม่มีคำขอ")
    for r in items:
        household = f" ครัวเรือน {r.household_id}" if r.household_id else ""
        click.echo(
            f"#{r.id} {format_date(r.received_on, 'th')} {KIND_LABELS[r.kind]['th']}{household}"
            f" · {STATUS_LABELS[r.status]['th']} / {STATUS_LABELS[r.status]['en']}"
            + (f" · {r.reason}" if r.reason else "")
        )


def _words(key: str, **values) -> str:
    """A catalogue entry, Thai / English; a value may itself be words {th, en}."""
    from app.strings import STRINGS

    entry = STRINGS[key]
    return " / ".join(
        entry[lang].format(**{k: v[lang] if isinstance(v, dict) else v for k, v in values.items()})
        for lang in ("th", "en")
    )


def _journal():
    from app import shared_dir
    from app.application.erasure import journal_path

    return journal_path(shared_dir())


_HOUSEHOLD = click.IntRange(1, 2**31 - 1)


@pdpa.command("erase")
@click.option("--household", "household_id", required=True, type=_HOUSEHOLD)
@click.option("--reason", required=True, help="Why (the request's number, s33); kept in the log.")
@click.option(
    "--sensitive-only", is_flag=True, help="Erase only the sensitive fields and documents."
)
def erase_command(household_id, reason, sensitive_only) -> None:
    """Erase a household's personal data, s33 (ลบข้อมูลส่วนบุคคลของครัวเรือน).

    Clears every personal field but the household number, house id, agreement to move and
    tenure; removes members, documents and their files, survey values and the audit log's
    old snapshots; then vacuums the store. House status, plot and the dashboard stay. The
    erasure is journalled first (PLANNER_ERASURE_JOURNAL) so a restored backup replays it."""
    from app.application.erasure import erase
    from cases import privacy
    from cases.errors import DomainError

    classes = (privacy.SENSITIVE,) if sensitive_only else privacy.CLASSES
    store = _open_case_store()
    try:
        result = erase(
            store.uow, _cli_user(), household_id, reason=reason, journal=_journal(), classes=classes
        )
    except DomainError as exc:  # a refusal, or a journal that cannot be written
        _fail_both(exc)
    if result.vacuum_left:
        click.echo(_words("pdpa.vacuum.left", left=", ".join(result.vacuum_left)), err=True)
    if result.already:
        click.echo(_words("pdpa.erase.cli_already", id=household_id))
        return
    click.echo(
        _words(
            "pdpa.erase.cli_done",
            id=household_id,
            fields=len(result.fields),
            members=result.members,
            documents=result.documents,
            audit=result.audit_entries,
        )
    )


@pdpa.command("restrict")
@click.option("--household", "household_id", required=True, type=_HOUSEHOLD)
@click.option("--kind", required=True, type=click.Choice(RESTRICTIONS))
@click.option("--reason", required=True, help="Why; shown on the household's page.")
def restrict_command(household_id, kind, reason) -> None:
    """Hold back a household's processing: objection s32 or restriction s34 (ระงับการใช้)."""
    from cases import services
    from cases.errors import DomainError

    try:
        services.restrict_household(
            _open_case_store().uow(), _cli_user(), household_id, kind=kind, reason=reason
        )
    except DomainError as exc:
        _fail_both(exc)
    click.echo(_words("pdpa.restrict.cli_done", id=household_id))


@pdpa.command("lift")
@click.option("--household", "household_id", required=True, type=_HOUSEHOLD)
@click.option("--reason", required=True)
def lift_command(household_id, reason) -> None:
    """End an objection or restriction (ยกเลิกการระงับการใช้ข้อมูล)."""
    from cases import services
    from cases.errors import DomainError

    try:
        services.lift_restriction(
            _open_case_store().uow(), _cli_user(), household_id, reason=reason
        )
    except DomainError as exc:
        _fail_both(exc)
    click.echo(_words("pdpa.restrict.cli_lifted", id=household_id))


@pdpa.command("retention")
@click.option("--apply", "apply_", is_flag=True, help="Erase; without it, only list (dry run).")
def retention_command(apply_) -> None:
    """List, then with --apply erase, the data of closed cases past its retention period
    (ลบข้อมูลที่เกินระยะเวลาเก็บรักษา). Periods: PLANNER_RETENTION_PERSONAL_YEARS and
    PLANNER_RETENTION_SENSITIVE_YEARS, counted from the day a case reached its last stage."""
    from app.application.erasure import apply_retention
    from app.application.pdpa import retention_years
    from app.strings import STRINGS
    from cases import services
    from cases.errors import DomainError

    try:
        years = retention_years()
    except ValueError as exc:
        _fail(exc)
    store = _open_case_store()
    try:
        due = services.retention_due(store.uow(), _cli_user(), years=years)
    except DomainError as exc:
        _fail_both(exc)
    if not due:
        click.echo(_words("pdpa.retention.cli_none"))
        return
    for item in due:
        what = {
            lang: " + ".join(STRINGS[f"pdpa.class.{c}"][lang] for c in item.classes)
            for lang in ("th", "en")
        }
        click.echo(
            _words(
                "pdpa.retention.cli_line",
                id=item.household_id,
                ref=item.case_ref,
                closed=item.closed_on.isoformat(),
                what=what,
            )
        )
    if not apply_:
        click.echo(_words("pdpa.retention.cli_dry_run", n=len(due)))
        return
    try:
        n = apply_retention(store.uow, _cli_user(), due, years=years, journal=_journal())
    except DomainError as exc:  # a refusal, or a journal that cannot be written
        _fail_both(exc)
    click.echo(_words("pdpa.retention.cli_applied", n=n))


@pdpa.command("vacuum")
def vacuum_command() -> None:
    """Rewrite the store so nothing erased is left in free pages, the WAL or dead tuples
    (ล้างพื้นที่ว่างในฐานข้อมูลหลังการลบ): after an erasure that said it could not finish."""
    from cases import services

    left = services.vacuum_after_erasure(_open_case_store().uow())
    if left:
        click.echo(_words("pdpa.vacuum.left", left=", ".join(left)), err=True)
        raise SystemExit(1)
    click.echo(_words("pdpa.vacuum.done"))
