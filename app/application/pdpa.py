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
def audit_reads(entries) -> list[tuple[int, list[str]]]:
    """(household id, rows) the audit log's snapshots of households showed: a value of a
    personal field before or after a change is a read of it."""
    shown: dict[int, set[str]] = {}
    for entry in entries:
        if entry.entity != "household" or not str(entry.entity_id).isdigit():
            continue
        rows = shown.setdefault(int(entry.entity_id), set())
        for record in (entry.before, entry.after):
            if not isinstance(record, dict):
                continue
            rows.update(register.privacy_rows(record))
            for member in record.get("member_list") or []:
                rows.update(register.privacy_rows(member, table=register.MEMBER_PRIVACY))
    return [(hid, sorted(rows)) for hid, rows in shown.items() if rows]


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
        if hour > 23 or minute > 59:
            raise ValueError(f"{raw[:40]!r}: no such time of day / {raw[:40]!r}: ไม่มีเวลานี้ในหนึ่งวัน")
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


def household_requests(uow_factory, user: User, household: Household, lang: str) -> dict:
    """The household page's requests of the family (erasure s33, objection s32,
    restriction s34), in words with Buddhist Era dates: whether it is erased (when and,
    for officers, why: the reason is in the audit log), held back (the kind, since when,
    why), and the kinds to choose from. `may_act`: officers and admins only."""
    from cases.services.erasure import ERASE_ACTION, RESTRICTION_LABELS, restriction_words

    erased = None
    if household.erased_at is not None:
        reason = ""
        if is_officer(user):
            for entry in services.audit_log(
                uow_factory(), user, entity="household", entity_id=household.id, limit=500
            ):
                if entry.action == ERASE_ACTION and isinstance(entry.after, dict):
                    reason = str(entry.after.get("reason", ""))
                    break
        erased = {"on": format_time(household.erased_at, lang), "reason": reason}
    held = None
    if household.restriction is not None:
        held = {
            "kind": household.restriction,
            "label": restriction_words(household.restriction)[lang],
            "on": format_date(household.restricted_on, lang),
            "reason": household.restriction_reason,
        }
    return {
        "may_act": is_officer(user),
        "erased": erased,
        "held": held,
        "kinds": [(k, v[lang]) for k, v in RESTRICTION_LABELS.items()],
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
            "role_th": ROLE_LABELS.get(e.role, {}).get("th", e.role),
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
                "risk_th": services.RISK_LABELS.get(b.risk, {}).get("th", b.risk),
                "risk_en": services.RISK_LABELS.get(b.risk, {}).get("en", b.risk),
                "households_affected": b.households_affected,
                "description": b.description,
                "pdpc_notified_at": format_time(b.pdpc_notified_at, "th"),
                "subjects_notified_at": format_time(b.subjects_notified_at, "th"),
                "recorded_by": b.recorded_by,
            }
        )
    return rows


# -- subject access (s30, s31): everything held about a household ----------------------------
# The household's own columns beside the register's fields, with their labels (the
# register's fields carry their own: cases/register.py).
PROGRAMME_FIELDS = {
    "members": "survey.members",
    "agreed_to_move": "cases.agreed",
    "plot_no": "cases.plot_no",
    "house_status": "cases.house_status",
    "surveyed_on": "household.surveyed_on",
}
# Audit columns that are bookkeeping, not a change of the family's data.
# (`cleared`: what a withdrawal cleared, which the entry shows as changed columns too.)
_NOT_CHANGES = {"version", "id", "status_changed_on", "cleared"}
SUBJECT_ACCESS_FORMAT = "planner.subject_access/1"
SUBJECT_ACCESS_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pdpa"


def controller_name() -> str:
    return os.environ.get("PLANNER_CONTROLLER_NAME") or DEFAULT_CONTROLLER


@dataclass
class SubjectAccess:
    """A subject access export: `data` is the JSON document (English keys, ISO dates,
    codes with their words); the PDF is rendered from it (`subject_access_pdf`)."""

    household_id: int
    exported_on: date  # Thailand's date
    data: dict

    def filename(self, ext: str) -> str:
        return f"household-{self.household_id}-pdpa-export-{self.exported_on.isoformat()}.{ext}"


def _both(key: str, **values) -> dict[str, str]:
    return {lang: _t(key, lang, **values) for lang in ("th", "en")}


def _pair(obj) -> dict[str, str]:
    return {"th": obj.th, "en": obj.en}


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _time_words(value: datetime | None) -> dict[str, str]:
    return {lang: format_time(value, lang) for lang in ("th", "en")}


def _date_words(value) -> dict[str, str] | None:
    return {lang: format_date(value, lang) for lang in ("th", "en")} if value else None


def _privacy_of(row: str | None) -> dict | None:
    """A privacy row's class, purpose and lawful basis, codes with their words."""
    if not row:
        return None
    cls = privacy.FIELD_CLASSES[row]
    purpose = privacy.PURPOSES[cls.purpose]
    basis = purpose.lawful_basis
    return {
        "row": row,
        "row_label": _pair(cls),
        "class": cls.cls,
        "class_label": _both(f"pdpa.access.class.{cls.cls}"),
        "purpose": purpose.key,
        "purpose_label": _pair(purpose),
        "basis": basis.key,
        "basis_label": {
            "th": f"{basis.section_th} {basis.th}",
            "en": f"{basis.section_en} {basis.en}",
        },
    }


def _value_words(name: str, kind: str, value) -> dict[str, str] | None:
    """A stored value in words: choices, yes or no, DOPA areas, dates, a point; None for a
    value that is its own words (a name, a number)."""
    from app.application.words import register_value_words, words

    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _both("cases.yes" if value else "cases.no")
    if kind in ("province", "district", "subdistrict"):
        names = register.dopa_names(value)
        return names if names["th"] else None  # an unknown code stays as itself
    if name == "house_status":
        return words("house_status", value)
    if kind == "date":
        return _date_words(value)
    if kind == "point":
        lon, lat = value["lon"], value["lat"]
        return {lang: f"{lat:.6f}, {lon:.6f}" for lang in ("th", "en")}
    return register_value_words(name, value)


def _field_rows(household: Household) -> list[dict]:
    """Every register field and programme column of the household, in words."""
    rows = []
    kinds = {"members": "int", "agreed_to_move": "bool", "plot_no": "text"}
    kinds |= {"house_status": "choice", "surveyed_on": "date"}
    specs = [
        (f.name, f.kind, _pair(f), f.section, dict(register.SECTIONS[f.section]), f.privacy)
        for f in register.HOUSEHOLD_FIELDS
    ]
    programme = _both("pdpa.access.section.programme")
    specs += [
        (
            name,
            kinds[name],
            _both(key),
            "programme",
            programme,
            register.HOUSEHOLD_PRIVACY.get(name),
        )
        for name, key in PROGRAMME_FIELDS.items()
    ]
    for name, kind, label, section, section_label, row in specs:
        value = getattr(household, name)
        if kind == "point" and value is not None:
            from cases.services import geometry_to_geojson

            lon, lat = geometry_to_geojson(value)["coordinates"][:2]
            value = {"lon": round(lon, 7), "lat": round(lat, 7)}
        elif isinstance(value, date):
            value = value.isoformat()
        rows.append(
            {
                "name": name,
                "label": label,
                "section": section,
                "section_label": section_label,
                "value": value,
                "value_label": _value_words(name, kind, value),
                "privacy": _privacy_of(row),
            }
        )
    return rows


def _member_rows(members: Iterable[Member]) -> list[dict]:
    from app.application.words import register_value_words

    return [
        {
            "member_no": m.member_no,
            "name": m.name,
            "sex": m.sex,
            "sex_label": register_value_words("sex", m.sex),
            "birth_year_be": m.birth_year,
            "relation": m.relation,
            "relation_label": register_value_words("relation", m.relation),
        }
        for m in members
    ]


def _document_rows(documents) -> list[dict]:
    from app.application.words import words

    return [
        {
            "id": d.id,
            "kind": d.kind,
            "kind_label": words("document_kind", d.kind),
            "filename": d.filename,
            "content_type": d.content_type,
            "size_bytes": d.size,
            "uploaded_at": _iso(d.uploaded_at),
            "uploaded_at_label": _time_words(d.uploaded_at),
            "uploaded_by": d.uploaded_by,
            "privacy": _privacy_of(privacy.DOCUMENT_KINDS.get(d.kind)),
        }
        for d in documents
    ]


def _consent_rows(ledger: Iterable[ConsentEvent]) -> list[dict]:
    return [
        {
            "id": e.id,
            "on": _iso(e.on),
            "on_label": _date_words(e.on),
            "action": e.action,
            "action_label": dict(ACTION_LABELS[e.action]),
            "scope": e.scope,
            "scope_label": dict(SCOPE_LABELS[e.scope]),
            "purposes": list(e.purposes),
            "purpose_labels": [
                {"th": purpose_label(p, "th"), "en": purpose_label(p, "en")} for p in e.purposes
            ],
            "recorded_by": e.recorded_by,
            "recorded_at": _iso(e.recorded_at),
            "recorded_at_label": _time_words(e.recorded_at),
            "taken_by": e.taken_by,
            "document_id": e.document_id,
            "source": e.source,
            "source_label": _both(f"pdpa.source.{e.source}")
            if f"pdpa.source.{e.source}" in STRINGS
            else {"th": e.source, "en": e.source},
            "note": e.note,
        }
        for e in ledger
    ]


def _audit_action_words(action: str) -> dict[str, str]:
    from app.application.words import AUDIT_ACTIONS, words

    if action.startswith("consent:") and action[8:] in ACTION_LABELS:
        return dict(ACTION_LABELS[action[8:]])
    if action == "subject_access":
        return _both("pdpa.access.audit_export")
    if action in AUDIT_ACTIONS:
        return words("audit_action", action)
    return {"th": action, "en": action}


def _changed(before: dict | None, after: dict | None) -> list[str]:
    """The columns an audit entry changed (all of them for a creation, none for a read)."""
    if not before or not after:
        return []
    names = (set(before) | set(after)) - _NOT_CHANGES
    return sorted(n for n in names if before.get(n) != after.get(n))


def _column_words(name: str) -> dict[str, str]:
    from app.application.words import words

    if name == "member_list":
        return _both("survey.members")
    if name == "consent_event":
        return _both("pdpa.ledger")
    if name == "restriction":
        return _both("pdpa.req.kind")
    if name in ("restriction_reason", "reason"):
        return _both("pdpa.req.why")
    if name in PROGRAMME_FIELDS:
        return _both(PROGRAMME_FIELDS[name])
    if name in register.FIELDS_BY_NAME:
        return words("register_field", name)
    return _both("pdpa.access.other_column")


def _audit_rows(entries) -> list[dict]:
    from app.application.words import words

    rows = []
    for e in entries:
        changed = _changed(e.before, e.after)
        if e.action == "reveal":
            changed = []
        rows.append(
            {
                "at": _iso(e.at),
                "at_label": _time_words(e.at),
                "username": e.username,
                "action": e.action,
                "action_label": _audit_action_words(e.action),
                "entity": e.entity,
                "entity_label": words("audit_entity", e.entity),
                "entity_id": e.entity_id,
                "fields_changed": changed,
                "fields_changed_labels": [_column_words(n) for n in changed],
            }
        )
    return rows


def _read_rows(entries: Iterable[ReadEntry]) -> list[dict]:
    return [
        {
            "at": _iso(e.at),
            "at_label": _time_words(e.at),
            "username": e.username,
            "role": e.role,
            "role_label": dict(ROLE_LABELS.get(e.role, {"th": e.role, "en": e.role})),
            "fields": list(e.fields),
            "field_labels": [
                _pair(privacy.FIELD_CLASSES[f]) for f in e.fields if f in privacy.FIELD_CLASSES
            ],
            "via": e.via,
            "via_label": dict(VIA.get(e.via, {"th": e.via, "en": e.via})),
        }
        for e in entries
    ]


def _request_rows(requests) -> list[dict]:
    from cases.services.subject_requests import KIND_LABELS, STATUS_LABELS

    return [
        {
            "id": r.id,
            "kind": r.kind,
            "kind_label": dict(KIND_LABELS[r.kind]),
            "received_on": _iso(r.received_on),
            "received_on_label": _date_words(r.received_on),
            "status": r.status,
            "status_label": dict(STATUS_LABELS[r.status]),
            "decided_on": _iso(r.decided_on),
            "reason": r.reason,
        }
        for r in requests
    ]


def subject_access(
    uow: UnitOfWork, user: User, household_id: int, *, controller: str | None = None
) -> SubjectAccess:
    """Everything the planner holds about a household (PDPA s30 access, s31 in a
    machine-readable form), for an officer or admin: the register fields with their
    class, purpose and lawful basis, the national ID in full (the family's own data),
    members, the case and community, documents (listed), the consent ledger, the audit
    entries and the read log. The export is audited (`subject_access`) and logged in the
    read log. `uow` is entered once per step (a fresh transaction each)."""
    records = services.subject_access_records(uow, user, household_id)
    household, case = records.household, records.case
    shown = set(household_reads(household, members=records.members))
    shown |= {
        privacy.DOCUMENT_KINDS[d.kind]
        for d in records.documents
        if d.kind in privacy.DOCUMENT_KINDS
    }
    if records.consent:
        shown.add("consent")
    services.log_reads(uow, user, "subject_access", [(household.id, sorted(shown))])
    from app.application.words import stage_words, words

    now = datetime.now(UTC).replace(microsecond=0)
    today = now.astimezone(BANGKOK).date()
    community = records.community
    data = {
        "format": SUBJECT_ACCESS_FORMAT,
        "law": _both("pdpa.access.law"),
        "controller": controller or controller_name(),
        "exported_at": _iso(now),
        "exported_on": today.isoformat(),
        "exported_on_label": _date_words(today),
        "exported_at_label": _time_words(now),
        "exported_by": {
            "username": user.username,
            "role": user.role,
            "role_label": dict(ROLE_LABELS.get(user.role, {"th": user.role, "en": user.role})),
        },
        "confidential": True,
        "household": {
            "id": household.id,
            "household_no": household.household_no,
            "version": household.version,
            "erased_at": _iso(household.erased_at),
            "erased_at_label": _time_words(household.erased_at) if household.erased_at else None,
            "restriction": household.restriction,
            "restriction_label": services.restriction_words(household.restriction),
            "restriction_reason": household.restriction_reason,
            "restricted_on": _iso(household.restricted_on),
            "restricted_on_label": _date_words(household.restricted_on),
        },
        "case": {
            "id": case.id,
            "ref": case.ref,
            "title": {"th": case.title_th, "en": case.title_en},
            "case_type": case.case_type,
            "case_type_label": words("case_type", case.case_type),
            "stage": case.stage,
            "stage_label": stage_words(case.case_type, case.stage),
        },
        "community": {
            "id": community.id,
            "name": {"th": community.name_th, "en": community.name_en},
            "district": {"th": community.district_th, "en": community.district_en},
            "province_th": community.province_th,
        },
        "fields": _field_rows(household),
        "members": _member_rows(records.members),
        "documents": _document_rows(records.documents),
        "consent": _consent_rows(records.consent),
        "audit": _audit_rows(records.audit),
        "reads": _read_rows(records.reads),
        "requests": _request_rows(records.requests),
    }
    access_requests = [r for r in data["requests"] if r["kind"] in ("access", "portability")]
    data["request"] = access_requests[-1] if access_requests else None
    return SubjectAccess(household_id=household.id, exported_on=today, data=data)


def subject_access_json(access: SubjectAccess) -> bytes:
    """The export as UTF-8 JSON, Thai as itself (s31: a machine-readable form)."""
    import json

    return (json.dumps(access.data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode(
        "utf-8"
    )


def subject_access_html(access: SubjectAccess) -> str:
    """The family's copy as one HTML page for print: Thai first, A4, Sarabun inline."""
    import jinja2

    from gis.report.html import FONT_STACK, font_css

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(SUBJECT_ACCESS_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    labels = {
        key[len("pdpa.access.") :]: value
        for key, value in STRINGS.items()
        if key.startswith("pdpa.access.")
    }
    return env.get_template("subject_access_pdf.html").render(
        d=access.data,
        T=labels,
        font_faces=font_css(sfnt=True),
        font_stack=FONT_STACK,
    )


def subject_access_pdf(access: SubjectAccess) -> bytes:
    """The family's copy as an A4 PDF with the Thai font embedded (gis/report)."""
    from gis.report.html import html_to_pdf

    return html_to_pdf(subject_access_html(access))


def write_subject_access(access: SubjectAccess, out_dir: str | Path) -> tuple[Path, Path]:
    """Both files into `out_dir` (made when missing): (the JSON, the PDF). They hold a
    family's personal data and full national ID: readable by their owner only (0600)."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    json_path = folder / access.filename("json")
    pdf_path = folder / access.filename("pdf")
    _write_private(json_path, subject_access_json(access))
    _write_private(pdf_path, subject_access_pdf(access))
    return json_path, pdf_path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_CREAT
