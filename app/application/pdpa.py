"""PDPA on the planner's pages and command line (issue 14; docs/decisions/0025).

- `household_reads`, `case_page_reads`: which privacy rows a page or an answer showed of
  each household, from the one classification (cases/privacy.py via cases/register.py);
  the entry points hand them to `cases.services.log_reads`.
- `household_privacy`: the household page's consent ledger and read log, in words, dates
  and times in the Buddhist Era.
- `write_ropa`: the record of processing activities (s39) as an Excel workbook, one row
  per purpose, in Thai (and an English sheet), from the classification and the retention
  configured for the instance (`retention_years`).
- `parse_local_time`, `format_time`, `breach_rows`, `read_rows`: the CLI's breach register
  and read log in Thai time.

No Flask, no click: the web and the CLI call this.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from app.strings import STRINGS
from cases import privacy, register, services
from cases.model import ROLE_LABELS, Breach, ConsentEvent, Household, Member, ReadEntry, User
from cases.policy import is_officer
from cases.services.consent import (
    ACTION_LABELS,
    SCOPE_LABELS,
    consent_documents,
    scope_fields,
    withdrawal_effect,
)
from cases.services.reads import VIA
from cases.unit_of_work import UnitOfWork
from gis.thaidate import format_date, parse_form_date

BANGKOK = ZoneInfo("Asia/Bangkok")
# How long each retention class is kept, in years after a case closes: an instance
# setting (environment PLANNER_RETENTION_PERSONAL_YEARS / _SENSITIVE_YEARS, or the
# instance config's RETENTION_PERSONAL_YEARS / RETENTION_SENSITIVE_YEARS).
DEFAULT_RETENTION_YEARS = {privacy.PERSONAL: 10, privacy.SENSITIVE: 2}
MAX_RETENTION_YEARS = 100
DEFAULT_CONTROLLER = "สถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน) · CODI"


def _t(key: str, lang: str, **values) -> str:
    return STRINGS[key][lang].format(**values)


# -- what a reader was shown ------------------------------------------------------------
def household_reads(
    household: Household,
    *,
    members: Iterable[Member] = (),
    photos: Iterable = (),
    names: Iterable[str] | None = None,
) -> list[str]:
    """The privacy rows shown of one household: its personal fields holding a value
    (limited to `names`), its members' fields and its photos."""
    rows = set(register.privacy_rows(vars(household), names))
    for member in members:
        rows.update(register.privacy_rows(vars(member), table=register.MEMBER_PRIVACY))
    if any(True for _ in photos):
        rows.add(privacy.DOCUMENT_KINDS["photo"])
    return sorted(rows)


# The household columns the case page's table shows (templates/cases/detail.html).
CASE_PAGE_FIELDS = ("head_name", "members", "monthly_income", "tenure", "agreed_to_move")


def case_page_reads(detail: dict) -> list[tuple[int, list[str]]]:
    """(household id, rows) the case page showed: its household table, and the personal
    values of the survey conflicts waiting for review."""
    shown: dict[int, set[str]] = {}
    for household in detail.get("households") or []:
        shown[household.id] = set(household_reads(household, names=CASE_PAGE_FIELDS))
    for conflict in detail.get("conflicts") or []:
        row = register.HOUSEHOLD_PRIVACY.get(conflict.field)
        if row:
            shown.setdefault(conflict.household_id, set()).add(row)
    return [(hid, sorted(rows)) for hid, rows in shown.items() if rows]


# -- times in Thailand --------------------------------------------------------------------
def format_time(value: datetime | None, lang: str = "th") -> str:
    """A stored time (naive UTC) as Thailand's time: '2 ธ.ค. 2569 20:05 น.' in Thai
    (Buddhist Era), '2 Dec 2026 20:05' in English."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    local = aware.astimezone(BANGKOK)
    return f"{format_date(local.date(), lang)} {local:%H:%M}{_t('pdpa.time_suffix', lang)}"


_LOCAL = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2}))?\s*$")


def parse_local_time(text: str) -> datetime:
    """'2569-12-01 09:30' or '2026-12-01 09:30' (Thailand's time; a year of 2400 or later
    is Buddhist Era) or an ISO time with its offset, as an aware datetime. ValueError
    naming the expected form otherwise."""
    raw = (text or "").strip()
    match = _LOCAL.match(raw)
    if match:
        day = parse_form_date(match.group(1))  # a Buddhist Era year taken back to C.E.
        hour, minute = int(match.group(2) or 0), int(match.group(3) or 0)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANGKOK)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"{raw[:40]!r}: give a time like 2569-12-01 09:30 (Thailand's time) / "
            "ใส่เวลาแบบ 2569-12-01 09:30 (เวลาประเทศไทย)"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=BANGKOK)


# -- the household page ---------------------------------------------------------------------
def purpose_label(key: str, lang: str) -> str:
    purpose = privacy.PURPOSES.get(key)
    return getattr(purpose, lang) if purpose else key


def field_labels(names: Iterable[str], lang: str) -> list[str]:
    """Register field names in words."""
    return [getattr(register.FIELDS_BY_NAME[n], lang) for n in names]


def row_labels(rows: Iterable[str], lang: str) -> list[str]:
    """Privacy rows in words."""
    return [getattr(privacy.FIELD_CLASSES[r], lang) for r in rows if r in privacy.FIELD_CLASSES]


def _ledger_line(event: ConsentEvent, lang: str) -> dict:
    return {
        "id": event.id,
        "on": format_date(event.on, lang),
        "action": event.action,
        "action_label": ACTION_LABELS[event.action][lang],
        "scope": event.scope,
        "scope_label": SCOPE_LABELS[event.scope][lang],
        "purposes": [purpose_label(p, lang) for p in event.purposes],
        "recorded_by": event.recorded_by,
        "recorded_at": format_time(event.recorded_at, lang),
        "taken_by": event.taken_by,
        "document_id": event.document_id,
        "source": _t(f"pdpa.source.{event.source}", lang)
        if f"pdpa.source.{event.source}" in STRINGS
        else event.source,
        "note": event.note,
    }


def _read_line(entry: ReadEntry, lang: str) -> dict:
    return {
        "at": format_time(entry.at, lang),
        "username": entry.username,
        "role": ROLE_LABELS.get(entry.role, {}).get(lang, entry.role),
        "fields": row_labels(entry.fields, lang),
        "via": VIA.get(entry.via, {}).get(lang, entry.via),
    }


@dataclass
class ScopeState:
    scope: str
    label: str
    state: str  # given | withdrawn | none
    purposes: list[tuple[str, str]]  # (key, words) a consent of this scope may cover
    clears: list[str]  # field labels a withdrawal would clear now


def household_privacy(
    uow_factory, user: User, household: Household, lang: str, *, read_limit: int = 200
) -> dict:
    """The household page's PDPA section: the state of each consent scope, the ledger in
    words (Buddhist Era dates), the case's signed consent forms to choose from, and, for
    officers and admins, the read log. `uow_factory()` gives a fresh unit of work."""
    ledger = services.consent_ledger(uow_factory(), user, household.id)
    scopes = []
    for scope, column in (("general", "consent_given"), ("sensitive", "consent_sensitive")):
        value = getattr(household, column)
        state = "given" if value is True else "withdrawn" if value is False else "none"
        scopes.append(
            ScopeState(
                scope=scope,
                label=SCOPE_LABELS[scope][lang],
                state=state,
                purposes=[
                    (key, purpose_label(key, lang)) for key in privacy.purposes_of_scope(scope)
                ],
                clears=field_labels(withdrawal_effect(household, scope), lang),
            )
        )
    reads = None
    if is_officer(user):
        reads = [
            _read_line(e, lang)
            for e in services.read_log(
                uow_factory(), user, household_id=household.id, limit=read_limit
            )
        ]
    forms = consent_documents(uow_factory(), user, household.id)
    return {
        "scopes": scopes,
        "documents": [(d.id, d.filename, format_time(d.uploaded_at, lang)) for d in forms],
        "ledger": [_ledger_line(e, lang) for e in reversed(ledger)],
        "reads": reads,
        "scope_fields": {s: field_labels(scope_fields(s), lang) for s in ("general", "sensitive")},
        "today": services.today_in_thailand().isoformat(),
    }


def consent_answer(household: Household, ledger: list[ConsentEvent], lang: str = "en") -> dict:
    """`GET /api/households/<id>/consent`: the current state and the ledger."""
    return {
        "household_id": household.id,
        "version": household.version,
        "consent_given": household.consent_given,
        "consent_sensitive": household.consent_sensitive,
        "consent_on": household.consent_on,
        "consent_by": household.consent_by,
        "items": [
            {
                "id": e.id,
                "action": e.action,
                "scope": e.scope,
                "purposes": e.purposes,
                "purpose_labels": [
                    {"th": purpose_label(p, "th"), "en": purpose_label(p, "en")} for p in e.purposes
                ],
                "on": e.on,
                "recorded_by": e.recorded_by,
                "recorded_at": e.recorded_at,
                "taken_by": e.taken_by,
                "document_id": e.document_id,
                "source": e.source,
                "note": e.note,
            }
            for e in ledger
        ],
    }


# -- retention and the record of processing (s39) --------------------------------------------
def retention_years(settings: Mapping[str, object] | None = None) -> dict[str, int]:
    """Years kept after a case closes, per retention class: from `settings` (an app's
    config: RETENTION_PERSONAL_YEARS...) or the environment (PLANNER_RETENTION_...)."""
    out = {}
    for cls, default in DEFAULT_RETENTION_YEARS.items():
        key = f"RETENTION_{cls.upper()}_YEARS"
        raw = settings.get(key) if settings is not None else os.environ.get(f"PLANNER_{key}")
        if raw in (None, ""):
            out[cls] = default
            continue
        try:
            years = int(str(raw).strip())
        except ValueError:
            raise ValueError(
                f"PLANNER_{key} must be a whole number of years, not {str(raw)[:20]!r} / "
                f"PLANNER_{key} ต้องเป็นจำนวนปี"
            ) from None
        if not 1 <= years <= MAX_RETENTION_YEARS:
            raise ValueError(
                f"PLANNER_{key} must be 1 to {MAX_RETENTION_YEARS} years / "
                f"PLANNER_{key} ต้องอยู่ระหว่าง 1 ถึง {MAX_RETENTION_YEARS} ปี"
            )
        out[cls] = years
    return out


ROPA_COLUMNS = (
    "no",
    "purpose",
    "basis",
    "categories",
    "subjects",
    "recipients",
    "retention",
    "security",
    "transfer",
    "rejected",
)


def ropa_rows(
    retention: Mapping[str, int],
    lang: str = "th",
    rejected: Mapping[str | None, int] | None = None,
) -> list[dict[str, str]]:
    """One row per purpose of processing, from the classification, in `lang`; with the
    rejected requests that named each purpose (`rejected`, from the requests register)."""
    rejected = rejected or {}
    rows = []
    for no, purpose in enumerate(privacy.PURPOSES.values(), start=1):
        basis = purpose.lawful_basis
        categories = []
        for row in privacy.rows_of_purpose(purpose.key):
            label = getattr(row, lang)
            if row.cls == privacy.SENSITIVE:
                label += f" ({_t('pdpa.ropa.sensitive', lang)})"
            categories.append(label)
        recipients = [ROLE_LABELS[r][lang] for r in purpose.recipients]
        outside = getattr(purpose, f"outside_{lang}")
        if outside:
            recipients.append(outside)
        section = basis.section_th if lang == "th" else basis.section_en
        rows.append(
            {
                "no": str(no),
                "purpose": getattr(purpose, lang),
                "basis": f"{section} {getattr(basis, lang)}",
                "categories": "\n".join(categories),
                "subjects": getattr(purpose, f"subjects_{lang}"),
                "recipients": "\n".join(recipients),
                "retention": _t(
                    f"pdpa.ropa.retention.{purpose.retention}",
                    lang,
                    years=retention[purpose.retention],
                ),
                "security": _t("pdpa.security_measures", lang),
                "transfer": _t("pdpa.ropa.no_transfer", lang),
                "rejected": rejected.get(purpose.key, 0),
            }
        )
    return rows


def write_ropa(
    out: str | Path,
    *,
    retention: Mapping[str, int] | None = None,
    controller: str | None = None,
    today: date | None = None,
    rejected: Mapping[str | None, int] | None = None,
) -> Path:
    """The record of processing (s39) as an .xlsx: a Thai sheet first, an English one.
    `rejected`: rejected requests by purpose (`cases.services.rejected_counts`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    retention = retention or retention_years()
    controller = controller or os.environ.get("PLANNER_CONTROLLER_NAME") or DEFAULT_CONTROLLER
    today = today or services.today_in_thailand()
    book = Workbook()
    widths = {"no": 6, "purpose": 40, "basis": 28, "categories": 40, "subjects": 28}
    widths["rejected"] = 16
    for index, lang in enumerate(("th", "en")):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = _t("pdpa.ropa.sheet", lang)
        sheet.append([_t("pdpa.ropa.title", lang)])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([_t("pdpa.ropa.controller", lang), controller])
        sheet.append([_t("pdpa.ropa.system", lang)])
        sheet.append([_t("pdpa.ropa.generated", lang), format_date(today, lang)])
        sheet.append([])
        header_row = sheet.max_row + 1
        sheet.append([_t(f"pdpa.ropa.col.{c}", lang) for c in ROPA_COLUMNS])
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in ropa_rows(retention, lang, rejected):
            sheet.append([row[c] for c in ROPA_COLUMNS])
            for cell in sheet[sheet.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append([])
        sheet.append([_t("pdpa.ropa.rejected_other", lang, n=(rejected or {}).get(None, 0))])
        for i, column in enumerate(ROPA_COLUMNS):
            letter = chr(ord("A") + i)
            sheet.column_dimensions[letter].width = widths.get(column, 34)
        sheet.freeze_panes = f"A{header_row + 1}"
    path = Path(out)
    book.save(path)
    return path


# -- the CLI's read log and breach register ------------------------------------------------------
def read_rows(uow: UnitOfWork, user: User, household_id: int, *, limit: int = 200) -> list[dict]:
    """A household's read log for the CLI, in both languages."""
    entries = services.read_log(uow, user, household_id=household_id, limit=limit)
    return [
        {
            "at_utc": e.at.isoformat(),
            "at": format_time(e.at, "th"),
            "username": e.username,
            "role": e.role,
            "fields": e.fields,
            "fields_th": row_labels(e.fields, "th"),
            "fields_en": row_labels(e.fields, "en"),
            "via": e.via,
            "via_th": VIA.get(e.via, {}).get("th", e.via),
        }
        for e in entries
    ]


def breach_status(breach: Breach, now: datetime) -> str:
    """overdue, open (not told, in time), notified or notified_late."""
    if breach.pdpc_notified_at is None:
        return "overdue" if breach.overdue(now) else "open"
    return "notified_late" if breach.notified_late() else "notified"


def breach_rows(uow: UnitOfWork, user: User, *, now: datetime | None = None) -> list[dict]:
    """Every breach with its 72-hour deadline, in Thai time, and whether it is overdue."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for b in services.list_breaches(uow, user):
        status = breach_status(b, now)
        left = b.deadline - now
        rows.append(
            {
                "id": b.id,
                "detected_at_utc": b.detected_at.isoformat(),
                "detected_at": format_time(b.detected_at, "th"),
                "deadline_utc": b.deadline.isoformat(),
                "deadline": format_time(b.deadline, "th"),
                "hours_left": round(left / timedelta(hours=1), 1),
                "status": status,
                "status_th": STRINGS[f"pdpa.breach.{status}"]["th"],
                "status_en": STRINGS[f"pdpa.breach.{status}"]["en"],
                "overdue": status == "overdue",
                "risk": b.risk,
                "households_affected": b.households_affected,
                "description": b.description,
                "pdpc_notified_at": format_time(b.pdpc_notified_at, "th"),
                "subjects_notified_at": format_time(b.subjects_notified_at, "th"),
                "recorded_by": b.recorded_by,
            }
        )
    return rows
