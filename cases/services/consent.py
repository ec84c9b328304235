"""A household's consent and notice ledger (PDPA s19, s26).

Each line says what was agreed or withdrawn (a scope: general consent, s19, or explicit
consent to sensitive data, s26), for which purposes (cases/privacy.py PURPOSES), on which
day, who recorded it and who took it in the field, and the signed form when there is one.
The household's consent_* columns are the ledger's current state, changed with it in the
same unit of work:

- `record_consent` and `withdraw_consent` are the use cases: one line each, and
  withdrawing is one action like giving. Withdrawing a consent clears the household's
  fields that rested on it (s26: health and disability; s19: the phone number), since they
  may no longer be processed; the answer names them.
- `follow_consent` is for the other writers of a household (the register form and API,
  the survey import, a resolved survey conflict): the lines a change of the consent columns
  means, so that the columns never change without the ledger saying so.

docs/decisions/0025-pdpa-classification-consent-and-read-log.md
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from cases import policy, privacy, register
from cases.errors import InvalidInput
from cases.model import (
    CONSENT_ACTIONS,
    CONSENT_SCOPES,
    MAX_ID,
    MAX_TEXT,
    PDPA_START,
    ConsentEvent,
    Document,
    Household,
    User,
    snapshot,
)
from cases.services.common import (
    _audit,
    _case_for,
    _check_length,
    _now,
    today_in_thailand,
)
from cases.services.documents import _check_document, safe_document_name, store_document_file
from cases.services.erasure import check_processing_allowed
from cases.unit_of_work import UnitOfWork
from cases.workflow import Workflows, default_workflows

# The household column that holds each scope's current state.
COLUMN = {"general": "consent_given", "sensitive": "consent_sensitive"}
SOURCES = ("page", "api", "survey", "register", "cli")
SCOPE_LABELS = {
    "general": {"th": "ความยินยอมทั่วไป (มาตรา 19)", "en": "General consent (PDPA s19)"},
    "sensitive": {
        "th": "ความยินยอมโดยชัดแจ้ง ข้อมูลอ่อนไหว (มาตรา 26)",
        "en": "Explicit consent to sensitive data (PDPA s26)",
    },
}
ACTION_LABELS = {
    "given": {"th": "ให้ความยินยอม", "en": "Given"},
    "withdrawn": {"th": "ถอนความยินยอม", "en": "Withdrawn"},
}
CONSENT_DOCUMENT_KIND = "consent_form"


def scope_fields(scope: str) -> tuple[str, ...]:
    """The household fields that rest on a consent of `scope` (by their lawful basis in
    the classification): what a withdrawal clears and what may not be stored without it."""
    basis = privacy.SCOPES[scope]
    return tuple(
        name
        for name, row in register.HOUSEHOLD_PRIVACY.items()
        if privacy.FIELD_CLASSES[row].basis == basis
    )


def withdrawal_effect(household: Household, scope: str) -> list[str]:
    """The fields of `household` a withdrawal of `scope` would clear (those holding a value)."""
    return [name for name in scope_fields(scope) if getattr(household, name) not in (None, "")]


def consent_date_problem(on: date, today: date) -> tuple[str, str] | None:
    """(en, th) when `on` cannot be a consent's date: in the future, or before the PDPA."""
    if on > today:
        return (
            f"the consent's date {on} is in the future",
            "วันที่ให้หรือถอนความยินยอมต้องไม่เป็นวันในอนาคต",
        )
    if on < PDPA_START:
        return (
            f"the consent's date {on} is before the PDPA was passed (2019)",
            "วันที่ให้หรือถอนความยินยอมต้องไม่ก่อน พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล (พ.ศ. 2562)",
        )
    return None


def _check_on(on: Any, *, field: str = "on") -> date:
    if not isinstance(on, date):
        raise InvalidInput(
            "the consent's date is required (YYYY-MM-DD)",
            "ต้องระบุวันที่ให้หรือถอนความยินยอม",
            field=field,
        )
    problem = consent_date_problem(on, today_in_thailand())
    if problem:
        raise InvalidInput(*problem, field=field)
    return on


def _check_scope(scope: str) -> str:
    if scope not in CONSENT_SCOPES:
        raise InvalidInput(
            f"the scope of a consent is general (s19) or sensitive (s26), not {str(scope)[:40]!r}",
            "ขอบเขตความยินยอมต้องเป็น ทั่วไป (มาตรา 19) หรือ ข้อมูลอ่อนไหว (มาตรา 26)",
            field="scope",
        )
    return scope


def _check_purposes(scope: str, purposes) -> list[str]:
    """The purposes of a consent of `scope`: keys of PURPOSES resting on its basis (all
    of them when none are given)."""
    allowed = privacy.purposes_of_scope(scope)
    chosen = [p for p in (purposes or []) if p]
    if not chosen:
        return list(allowed)
    wrong = [str(p)[:40] for p in chosen if p not in allowed]
    if wrong:
        raise InvalidInput(
            f"{', '.join(wrong)}: not a purpose a {scope} consent covers "
            f"(choose from {', '.join(allowed)})",
            f"{', '.join(wrong)}: ไม่ใช่วัตถุประสงค์ที่ความยินยอมประเภทนี้ครอบคลุม",
            field="purposes",
        )
    return sorted(set(chosen), key=list(allowed).index)


def _clear(household: Household, names) -> None:
    for name in names:
        setattr(household, name, register.empty_value(name))


def _apply(household: Household, event: ConsentEvent) -> list[str]:
    """The household's columns in step with `event`; the fields a withdrawal cleared."""
    if event.action == "given":
        setattr(household, COLUMN[event.scope], True)
        household.consent_on = event.on
        household.consent_by = event.taken_by or event.recorded_by
        return []
    cleared = withdrawal_effect(household, event.scope)
    setattr(household, COLUMN[event.scope], False)
    _clear(household, cleared)
    return cleared


def _document_for(
    uow, user, case, household, document_id, new_document, workflows
) -> Document | None:
    """The signed form: a document of the household's case, or a file stored now."""
    if new_document:
        data = new_document.get("data") or b""
        filename = new_document.get("filename") or "consent.pdf"
        _check_document(CONSENT_DOCUMENT_KIND, filename, data, workflows)
        document = uow.repo.add_document(
            Document(
                case_id=case.id,
                kind=CONSENT_DOCUMENT_KIND,
                filename=safe_document_name(filename),
                content_type=(new_document.get("content_type") or "application/octet-stream")[:120],
                size=len(data),
                sha256=store_document_file(uow, data),
                uploaded_by=user.username,
                uploaded_at=_now(),
                household_id=household.id,
            )
        )
        _audit(uow, user, "upload", "document", document.id, None, snapshot(document))
        return document
    if document_id in (None, ""):
        return None
    try:
        number = int(document_id)
        if not 1 <= number <= MAX_ID:
            raise ValueError(number)  # a number no document has: a 500 on the database
    except (TypeError, ValueError):
        raise InvalidInput(
            "the signed form must be a document's number",
            "ต้องระบุหมายเลขเอกสาร",
            field="document_id",
        ) from None
    document = uow.repo.get_document(number)
    if document.case_id != household.case_id or document.household_id not in (None, household.id):
        raise InvalidInput(
            f"document {number} is not a document of this household's case",
            f"เอกสารหมายเลข {number} ไม่ใช่เอกสารของกรณีของครัวเรือนนี้",
            field="document_id",
        )
    return document


def _write(uow, user, household, event, before, cleared) -> None:
    uow.repo.update_household(household, household.version)
    uow.repo.add_consent_event(event)
    after = {**snapshot(household), "consent_event": snapshot(event)}
    if cleared:
        after["cleared"] = cleared
    _audit(uow, user, f"consent:{event.action}", "household", household.id, before, after)


def record_consent(
    uow: UnitOfWork,
    user: User,
    household_id: int,
    *,
    scope: str,
    on: date,
    purposes: list[str] | None = None,
    taken_by: str = "",
    document_id: int | None = None,
    new_document: dict | None = None,
    note: str = "",
    source: str = "page",
    workflows: Workflows | None = None,
) -> tuple[Household, ConsentEvent]:
    """Record a consent given (one line of the ledger); the household's columns follow.
    `new_document` ({filename, content_type, data}) stores the signed form with it."""
    workflows = workflows or default_workflows()
    scope = _check_scope(scope)
    on = _check_on(on)
    chosen = _check_purposes(scope, purposes)
    _check_length(taken_by, "taken_by", register.MAX_NAME)
    _check_length(note, "note", MAX_TEXT)
    with uow:
        household = uow.repo.get_household(household_id)
        case = _case_for(uow, user, household.case_id, edit=True)
        policy.require_personal_data(user)
        check_processing_allowed(household)
        _check_after_withdrawal(uow, household.id, scope, on)
        document = _document_for(uow, user, case, household, document_id, new_document, workflows)
        before = snapshot(household)
        event = ConsentEvent(
            household_id=household.id,
            action="given",
            scope=scope,
            purposes=chosen,
            on=on,
            recorded_by=user.username,
            recorded_at=_now(),
            taken_by=(taken_by or "").strip(),
            document_id=document.id if document else None,
            source=source if source in SOURCES else "page",
            note=(note or "").strip(),
        )
        _apply(household, event)
        _write(uow, user, household, event, before, [])
        uow.commit()
    return household, event


def _check_after_withdrawal(uow: UnitOfWork, household_id: int, scope: str, on: date) -> None:
    """A consent given again is dated on or after its scope's last withdrawal: the ledger
    is evidence, and a consent dated before a withdrawal would read as already withdrawn."""
    withdrawals = [
        e.on
        for e in uow.repo.list_consent_events(household_id)
        if e.scope == scope and e.action == "withdrawn" and e.on is not None
    ]
    if withdrawals and on < max(withdrawals):
        last = max(withdrawals)
        raise InvalidInput(
            f"the consent is dated {on.isoformat()}, before it was withdrawn on"
            f" {last.isoformat()}; give the day it was given again",
            "วันที่ให้ความยินยอมอยู่ก่อนวันที่ถอนความยินยอมครั้งล่าสุด กรุณาระบุวันที่ให้ความยินยอมครั้งใหม่",
            field="on",
        )


def withdraw_consent(
    uow: UnitOfWork,
    user: User,
    household_id: int,
    *,
    scope: str,
    on: date | None = None,
    taken_by: str = "",
    document_id: int | None = None,
    note: str = "",
    source: str = "page",
    workflows: Workflows | None = None,
) -> tuple[Household, ConsentEvent, list[str]]:
    """Withdraw a consent (one action, as giving was). The fields that rested on it are
    cleared in the same unit of work and named in the answer (the third item)."""
    workflows = workflows or default_workflows()
    scope = _check_scope(scope)
    on = _check_on(on if on is not None else today_in_thailand())
    _check_length(taken_by, "taken_by", register.MAX_NAME)
    _check_length(note, "note", MAX_TEXT)
    with uow:
        household = uow.repo.get_household(household_id)
        case = _case_for(uow, user, household.case_id, edit=True)
        policy.require_personal_data(user)
        if getattr(household, COLUMN[scope]) is not True:
            label = SCOPE_LABELS[scope]
            raise InvalidInput(
                f"there is no {label['en'].lower()} on record to withdraw",
                f"ไม่มี{label['th']}ที่บันทึกไว้ให้ถอน",
                field="scope",
            )
        document = _document_for(uow, user, case, household, document_id, None, workflows)
        before = snapshot(household)
        event = ConsentEvent(
            household_id=household.id,
            action="withdrawn",
            scope=scope,
            purposes=list(privacy.purposes_of_scope(scope)),
            on=on,
            recorded_by=user.username,
            recorded_at=_now(),
            taken_by=(taken_by or "").strip(),
            document_id=document.id if document else None,
            source=source if source in SOURCES else "page",
            note=(note or "").strip(),
        )
        cleared = _apply(household, event)
        _write(uow, user, household, event, before, cleared)
        uow.commit()
    return household, event, cleared


def consent_ledger(uow: UnitOfWork, user: User, household_id: int) -> list[ConsentEvent]:
    """The household's ledger, oldest first (personal data: not for viewers)."""
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id)
        policy.require_personal_data(user)
        return uow.repo.list_consent_events(household.id)


def consent_documents(uow: UnitOfWork, user: User, household_id: int) -> list[Document]:
    """The signed consent forms a consent of this household may point to: the case's
    documents of kind consent_form, the household's own or not yet anyone's."""
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id)
        policy.require_personal_data(user)
        return [
            d
            for d in uow.repo.list_documents(household.case_id)
            if d.kind == CONSENT_DOCUMENT_KIND and d.household_id in (None, household.id)
        ]


def follow_consent(
    before: Household | None,
    household: Household,
    user: User,
    *,
    source: str,
    changed=(),
    note: str = "",
) -> list[ConsentEvent]:
    """The ledger lines a change of the consent columns from `before` (None: a new
    household) to `household` means, for writers other than the two use cases above.

    A scope that was given and is no longer clears the fields that rested on it, unless
    this change sets them itself (then the register's check refuses the write). General
    consent given again with another date or taker is a new `given` line. A given date
    outside the ledger's bounds is refused (InvalidInput on consent_on). The lines carry
    `household.id`, which a new household gets when it is added: set it then."""
    events: list[ConsentEvent] = []
    today = today_in_thailand()
    for scope, column in COLUMN.items():
        was = before is not None and getattr(before, column) is True
        now = getattr(household, column) is True
        renewed = (
            scope == "general"
            and was
            and now
            and (household.consent_on, household.consent_by)
            != (before.consent_on, before.consent_by)
        )
        if now and (not was or renewed):
            on = household.consent_on or today
            problem = consent_date_problem(on, today)
            if problem:
                field = register.FIELDS_BY_NAME["consent_on"]
                raise InvalidInput(
                    f"{field.en}: {problem[0]}", f"{field.th}: {problem[1]}", field="consent_on"
                )
            action = "given"
        elif was and not now:
            _clear(household, [n for n in withdrawal_effect(household, scope) if n not in changed])
            on, action = today, "withdrawn"
        else:
            continue
        events.append(
            ConsentEvent(
                household_id=household.id,
                action=action,
                scope=scope,
                purposes=list(privacy.purposes_of_scope(scope)),
                on=on,
                recorded_by=user.username,
                recorded_at=_now(),
                taken_by=household.consent_by if action == "given" else "",
                source=source,
                note=note,
            )
        )
    return events


def copy_for_consent(household: Household) -> Household:
    """The household as it was, to give `follow_consent` as `before`."""
    return replace(household)


__all__ = [
    "ACTION_LABELS",
    "COLUMN",
    "CONSENT_ACTIONS",
    "SCOPE_LABELS",
    "consent_date_problem",
    "consent_documents",
    "consent_ledger",
    "copy_for_consent",
    "follow_consent",
    "record_consent",
    "scope_fields",
    "withdraw_consent",
    "withdrawal_effect",
]
