"""Erasure, restriction and retention of a household's personal data (PDPA s32-s34, s37).

- `erase_household` anonymises a household (s33): every field of the classification
  (cases/privacy.py) except `privacy.KEPT_ON_ERASURE` is cleared, its members, its
  documents and their files, the survey values and conflicts it left, and the old
  snapshots of the audit log about it and its documents. The house status, plot, dates
  and the tallies stay, so the dashboard does not change. With `classes=("sensitive",)`
  only the sensitive fields and documents go (retention of sensitive data).
  The erasure is audited (action `erase`) with who, when and why, never what.
- `restrict_household` marks a household (objection s32, restriction s34): it is kept,
  left out of processing (writes and survey updates are refused) and of exports, and
  the reason is shown. `lift_restriction` ends it.
- `retention_due` lists the households of closed cases past a class's period.
- `vacuum_after_erasure` leaves nothing of the erased rows in SQLite free pages or the
  WAL, or in PostgreSQL dead tuples.

Officers and admins only. docs/decisions/0028-pdpa-erasure-restriction-retention.md
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from cases import policy, privacy, register
from cases.errors import Forbidden, InvalidInput
from cases.model import MAX_TEXT, RESTRICTIONS, Household, SubjectRequest, User
from cases.services.common import _audit, _case_for, _check_length, _now, today_in_thailand
from cases.unit_of_work import UnitOfWork
from cases.workflow import Workflows, default_workflows

ERASE_ACTION = "erase"
# The PDPA's own acts about a household: their entries (who, when, why) outlive an
# erasure; their snapshots hold reasons and kinds, not the household's data.
PDPA_ACTIONS = frozenset({ERASE_ACTION, "restrict", "lift", "subject_access"})
# What replaces an audit snapshot of erased data: the entry keeps who, when and what kind
# of change, never the values.
REDACTED = {"erased": True}
RESTRICTION_LABELS = {
    "objection": {"th": "คัดค้านการประมวลผล (มาตรา 32)", "en": "Objection (s32)"},
    "restriction": {"th": "ระงับการใช้ข้อมูล (มาตรา 34)", "en": "Restriction (s34)"},
}


def restriction_words(kind: str | None) -> dict[str, str] | None:
    """A restriction's kind in words {th, en} (an unknown kind reads as a restriction)."""
    if kind is None:
        return None
    return dict(RESTRICTION_LABELS.get(kind, RESTRICTION_LABELS["restriction"]))


# The tables an erasure rewrites: vacuumed afterwards.
ERASURE_TABLES = (
    "households",
    "household_members",
    "documents",
    "stage_events",
    "survey_submissions",
    "survey_conflicts",
    "audit_log",
    "consent_events",
    "pdpa_requests",
)


@dataclass
class Erasure:
    household_id: int
    case_id: int
    classes: tuple[str, ...]
    fields: list[str] = field(default_factory=list)  # household columns cleared
    members: int = 0
    documents: int = 0
    files_removed: int = 0
    audit_entries: int = 0
    already: bool = False  # nothing was left to erase
    vacuum_left: list[str] = field(default_factory=list)  # vacuum_after_erasure's answer


def _require_officer(user: User) -> None:
    if not policy.is_officer(user):
        raise Forbidden(
            "only officers and admins erase or restrict a household's data",
            "เฉพาะเจ้าหน้าที่และผู้ดูแลระบบเท่านั้นที่ลบหรือระงับการใช้ข้อมูลของครัวเรือนได้",
        )


def _check_reason(reason: str, field_name: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(
            "say why (the record keeps the reason, not the data)",
            "ต้องระบุเหตุผล (บันทึกจะเก็บเหตุผล ไม่เก็บข้อมูลที่ลบ)",
            field=field_name,
        )
    _check_length(text, field_name, MAX_TEXT)
    return text


def _check_classes(classes) -> tuple[str, ...]:
    chosen = tuple(c for c in privacy.CLASSES if c in set(classes or ()))
    if not chosen or set(classes) - set(privacy.CLASSES):
        raise InvalidInput(
            f"classes are some of {', '.join(privacy.CLASSES)}",
            "ประเภทข้อมูลต้องเป็นข้อมูลส่วนบุคคลหรือข้อมูลอ่อนไหว",
            field="classes",
        )
    return chosen


def erasable_fields(classes=privacy.CLASSES) -> tuple[str, ...]:
    """The household columns an erasure of these classes clears, from the classification."""
    return tuple(
        name
        for name, row in register.HOUSEHOLD_PRIVACY.items()
        if row not in privacy.KEPT_ON_ERASURE and privacy.FIELD_CLASSES[row].cls in classes
    )


def _erased_documents(uow: UnitOfWork, household: Household, classes) -> list:
    """The household's documents of these classes, and (for a whole erasure) the signed
    consent forms its ledger names."""
    docs = {d.id: d for d in uow.repo.list_household_documents(household.id)}
    if privacy.PERSONAL in classes:
        named = {e.document_id for e in uow.repo.list_consent_events(household.id) if e.document_id}
        for d in uow.repo.list_documents(household.case_id):
            # A case's signed sheet that other households' consent rests on too stays.
            if d.id in named and not uow.repo.document_named_by_others(d.id, household.id):
                docs[d.id] = d
    return sorted((d for d in docs.values() if _document_cls(d) in classes), key=lambda d: d.id)


def _document_cls(document) -> str:
    """A household's document's class: its kind's, or personal for a kind with none (a
    document of the household still shows its home or its people)."""
    row = privacy.document_class(document.kind)
    return row.cls if row is not None else privacy.PERSONAL


def _without(record, names: set[str]):
    """A snapshot without the erased keys (None stays None)."""
    if not isinstance(record, dict):
        return record
    return {k: v for k, v in record.items() if k not in names}


def check_erasure(
    uow: UnitOfWork, user: User, household_id: int, *, reason: str, classes=privacy.CLASSES
) -> Household:
    """What `erase_household` checks before it writes: the household, as it is now."""
    _require_officer(user)
    _check_classes(classes)
    _check_reason(reason)
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id, edit=True)
    return household


def erase_household(
    uow: UnitOfWork,
    user: User,
    household_id: int,
    *,
    reason: str,
    classes=privacy.CLASSES,
    request: bool = True,
) -> Erasure:
    """Anonymise a household (see the module); idempotent: erasing what is gone does
    nothing but say so. Document files no other row refers to are removed after the commit.
    With `request` (the family asked: the page, the CLI), the register of requests gets
    its erasure request fulfilled: the open one recorded earlier, or a new line for today."""
    _require_officer(user)
    classes = _check_classes(classes)
    reason = _check_reason(reason)
    whole = set(classes) == set(privacy.CLASSES)
    names = erasable_fields(classes)
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id, edit=True)
        result = Erasure(household.id, household.case_id, classes)
        if household.erased_at is not None:
            result.already = True
            return result
        for name in names:
            value = getattr(household, name)
            if value not in (None, "") and value is not False:
                result.fields.append(name)
            setattr(household, name, register.empty_value(name))
        members = uow.repo.list_members(household.id) if whole else []
        if members:
            uow.repo.replace_members(household.id, [])
            result.members = len(members)
        documents = _erased_documents(uow, household, classes)
        result.documents = len(documents)
        hashes = {d.sha256 for d in documents}
        # The survey's copies of the erased values, and its conflicts about them.
        keys = set(names) | ({"member_list", "members_list"} if whole else set())
        for submission in uow.repo.submissions_of_household(household.id):
            values = {} if whole else _without(submission.values, keys)
            if values != submission.values or (whole and submission.reason):
                uow.repo.set_submission_values(
                    submission.id, values, {} if whole else submission.reason
                )
        uow.repo.delete_conflicts_of_household(household.id, None if whole else names)
        # The audit log's old snapshots about the household and its erased documents.
        requests = [r.id for r in uow.repo.list_requests(household_id=household.id)]
        about = uow.repo.audit_about(household.id, [d.id for d in documents], requests)
        for entry in about:
            if entry.entity == "household" and entry.action in PDPA_ACTIONS:
                continue
            if entry.entity == "pdpa request":  # the request's note is the family's words
                before, after = _without(entry.before, {"note"}), _without(entry.after, {"note"})
            elif whole or entry.entity == "document":
                before, after = (
                    (None if entry.before is None else REDACTED),
                    (None if entry.after is None else REDACTED),
                )
            else:
                before, after = _without(entry.before, keys), _without(entry.after, keys)
            if (before, after) != (entry.before, entry.after):
                uow.repo.set_audit_snapshots(entry.id, before, after)
                result.audit_entries += 1
        uow.repo.delete_documents([d.id for d in documents])
        if whole:
            uow.repo.redact_consent_events(household.id)
            uow.repo.redact_request_notes(household.id)
            if request:
                _fulfil_request(uow, user, household.id, "erasure")
            household.erased_at = _now()
            household.restriction, household.restriction_reason = None, ""
            household.restricted_on = None
        uow.repo.update_household(household, household.version)
        _audit(
            uow,
            user,
            ERASE_ACTION,
            "household",
            household.id,
            None,
            {"reason": reason, "classes": list(classes)},
        )
        uow.commit()
    result.files_removed = _remove_files(uow, hashes)
    return result


def _fulfil_request(uow: UnitOfWork, user: User, household_id: int, kind: str) -> None:
    """The family's request of this kind (erasure s33, objection s32, restriction s34) in
    the register, fulfilled today: the open one recorded earlier, or a new line."""
    today = today_in_thailand()
    open_ = [
        r
        for r in uow.repo.list_requests(household_id=household_id)
        if r.kind == kind and r.status == "open"
    ]
    if open_:
        for item in open_:
            item.status, item.decided_on = "fulfilled", max(today, item.received_on)
            uow.repo.update_request(item)
        return
    uow.repo.add_request(
        SubjectRequest(
            kind=kind,
            received_on=today,
            recorded_by=user.username,
            recorded_at=_now(),
            household_id=household_id,
            status="fulfilled",
            decided_on=today,
        )
    )


def _remove_files(uow: UnitOfWork, hashes) -> int:
    """Remove the document files no row refers to any more (content-addressed: another
    household's identical file keeps it)."""
    removed = 0
    with uow:
        unused = [h for h in sorted(hashes) if h and not uow.repo.document_hash_in_use(h)]
    for digest in unused:
        path = uow.documents_dir / digest[:2] / digest
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


# How long a vacuum waits for a table's lock before it leaves that table for later: an
# erasure must not queue every reader of the app behind VACUUM FULL's exclusive lock.
VACUUM_LOCK_TIMEOUT_MS = 5000


def vacuum_after_erasure(uow: UnitOfWork) -> list[str]:
    """Rewrite the store so erased values leave no trace in free pages, the WAL or dead
    tuples: SQLite VACUUM then a truncating checkpoint; PostgreSQL VACUUM FULL of the
    tables an erasure rewrites (each waits at most VACUUM_LOCK_TIMEOUT_MS for its lock).
    Returns what could not be done now (a reader held the WAL or a lock, or another
    session's snapshot still sees old rows): empty when the store is clean; run again
    (`planner pdpa vacuum`) when it is not."""
    engine = uow.engine
    left: list[str] = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {VACUUM_LOCK_TIMEOUT_MS}")
            try:
                conn.exec_driver_sql("VACUUM")
            except sa.exc.OperationalError:
                left.append("VACUUM")
            busy, log, done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            if busy or (log not in (0, -1) and done != log):
                left.append("wal_checkpoint")
            return left
        conn.exec_driver_sql(f"SET lock_timeout = {VACUUM_LOCK_TIMEOUT_MS}")
        for table in ERASURE_TABLES:
            try:
                conn.execute(sa.text(f'VACUUM FULL "{table}"'))
            except sa.exc.OperationalError:
                left.append(table)
        # VACUUM FULL keeps row versions an older snapshot of another session may see.
        older = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
            " AND datname = current_database() AND backend_xmin IS NOT NULL"
        ).scalar()
        if older:
            left.append("snapshot")
    return left


def restrict_household(
    uow: UnitOfWork,
    user: User,
    household_id: int,
    *,
    kind: str,
    reason: str,
    on: date | None = None,
) -> Household:
    """Mark a household objected to (s32) or restricted (s34): kept, left out of
    processing and exports, with the reason shown."""
    _require_officer(user)
    if kind not in RESTRICTIONS:
        raise InvalidInput(
            f"the kind is one of {', '.join(RESTRICTIONS)}",
            "ต้องเลือกคัดค้านหรือระงับการใช้ข้อมูล",
            field="kind",
        )
    reason = _check_reason(reason)
    on = on or today_in_thailand()
    if on > today_in_thailand():
        raise InvalidInput("the day is in the future", "วันที่ต้องไม่เป็นวันในอนาคต", field="on")
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id, edit=True)
        _check_not_erased(household)
        before = {k: getattr(household, k) for k in ("restriction", "restriction_reason")}
        household.restriction, household.restriction_reason = kind, reason
        household.restricted_on = on
        uow.repo.update_household(household, household.version)
        after = {"restriction": kind, "restriction_reason": reason}
        _audit(uow, user, "restrict", "household", household.id, before, after)
        _fulfil_request(uow, user, household.id, kind)
        uow.commit()
    return household


def lift_restriction(uow: UnitOfWork, user: User, household_id: int, *, reason: str) -> Household:
    """End an objection or restriction: the household is processed again."""
    _require_officer(user)
    reason = _check_reason(reason)
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id, edit=True)
        if household.restriction is None:
            raise InvalidInput(
                "this household's processing is not restricted",
                "ครัวเรือนนี้ไม่ได้ถูกระงับการใช้ข้อมูล",
                field="restriction",
            )
        before = {"restriction": household.restriction}
        household.restriction, household.restriction_reason = None, ""
        household.restricted_on = None
        uow.repo.update_household(household, household.version)
        _audit(uow, user, "lift", "household", household.id, before, {"reason": reason})
        uow.commit()
    return household


def _check_not_erased(household: Household) -> None:
    if household.erased_at is not None:
        raise InvalidInput(
            "this household's personal data was erased at its request; nothing can be added",
            "ข้อมูลส่วนบุคคลของครัวเรือนนี้ถูกลบตามคำขอแล้ว ไม่สามารถเพิ่มข้อมูลได้",
            field="household",
        )


def check_processing_allowed(household: Household, changing=None) -> None:
    """Refuse a write to an erased or restricted household, saying why (the one rule every
    writer of a household's personal data calls). A change of only what an erasure keeps
    (`changing`: house status, plot, agreement to move, tenure, house id) goes through:
    the programme goes on counting the house."""
    if changing is not None and not set(changing) & set(erasable_fields()):
        return
    _check_not_erased(household)
    if household.restriction is not None:
        label = restriction_words(household.restriction)
        raise InvalidInput(
            f"this household's data is held back ({label['en']}): "
            f"{household.restriction_reason}; lift it before changing the record",
            f"ข้อมูลของครัวเรือนนี้ถูกระงับการใช้ ({label['th']}): "
            f"{household.restriction_reason} ต้องยกเลิกการระงับก่อนแก้ไข",
            field="restriction",
        )


def is_held_back(household: Household) -> bool:
    """Left out of processing and exports: erased, objected to or restricted."""
    return household.erased_at is not None or household.restriction is not None


@dataclass(frozen=True)
class Due:
    household_id: int
    case_id: int
    case_ref: str
    closed_on: date
    classes: tuple[str, ...]


def retention_due(
    uow: UnitOfWork,
    user: User,
    *,
    years: dict[str, int],
    today: date | None = None,
    workflows: Workflows | None = None,
) -> list[Due]:
    """Households of closed cases (at their workflow's last stage) whose personal or
    sensitive data is past its retention period (`years` by class, counted from the day
    the case closed) and still held."""
    _require_officer(user)
    workflows = workflows or default_workflows()
    today = today or today_in_thailand()
    sensitive = erasable_fields((privacy.SENSITIVE,))
    out: list[Due] = []
    with uow:
        last = {t.stage_ids()[-1] for t in workflows.case_types.values()}
        for case in uow.repo.cases_at_stages(last):
            if workflows.case_type(case.case_type).next_stage(case.stage) is not None:
                continue
            closed = case.stage_entered_on
            past = tuple(c for c in privacy.CLASSES if _add_years(closed, years[c]) <= today)
            if not past:
                continue
            for household in uow.repo.list_households(case.id):
                if household.erased_at is not None:
                    continue
                if privacy.PERSONAL in past:
                    classes = privacy.CLASSES
                elif any(getattr(household, n) not in (None, "") for n in sensitive) or any(
                    _document_cls(d) == privacy.SENSITIVE
                    for d in uow.repo.list_household_documents(household.id)
                ):
                    classes = (privacy.SENSITIVE,)
                else:
                    continue
                out.append(Due(household.id, case.id, case.ref, closed, classes))
    return out


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


__all__ = [
    "ERASE_ACTION",
    "ERASURE_TABLES",
    "RESTRICTION_LABELS",
    "Due",
    "Erasure",
    "check_erasure",
    "check_processing_allowed",
    "erasable_fields",
    "erase_household",
    "is_held_back",
    "lift_restriction",
    "restrict_household",
    "restriction_words",
    "retention_due",
    "vacuum_after_erasure",
]
