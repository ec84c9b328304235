"""Stage moves: a case enters its next stage with the documents that go with it."""

from __future__ import annotations

from datetime import date

from cases import policy
from cases.errors import Forbidden, InvalidInput
from cases.model import (
    Case,
    StageEvent,
    User,
    snapshot,
)
from cases.services.common import (
    _audit,
    _case_for,
    _check_date,
    _check_version,
    today_in_thailand,
)
from cases.services.documents import _check_document, _new_document
from cases.unit_of_work import UnitOfWork
from cases.workflow import Workflows, default_workflows


def move_stage(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    to_stage: str,
    *,
    expected_version,
    on: date | None = None,
    note: str = "",
    new_documents: list[dict] | None = None,
    workflows: Workflows | None = None,
) -> StageEvent:
    """Move a case to another stage with the documents that go with the move.

    `new_documents` are dicts of kind, filename, content_type and data, attached
    in the same transaction: a refused move stores none of them.
    """
    workflows = workflows or default_workflows()
    expected = _check_version(expected_version)
    _check_date(on, "on")
    on = on or today_in_thailand()
    if on > today_in_thailand():
        raise InvalidInput(f"the move date {on} is in the future", f"วันที่ {on} ยังมาไม่ถึง", field="on")
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        if policy.is_community_rep(user):
            raise Forbidden(
                "community representatives propose; officers move stages",
                "ผู้แทนชุมชนเสนอได้ แต่การย้ายขั้นตอนต้องทำโดยเจ้าหน้าที่",
            )
        if case.version != expected:
            # Checked before the workflow: two officers making the same move both
            # see the stage they started from, and the second one is told why.
            uow.repo.update_case(case, expected)
        before = snapshot(case)
        new_documents = new_documents or []
        for d in new_documents:
            _check_document(d["kind"], d["filename"], d["data"], workflows)
        # Check the move first, counting the documents that come with it, so that a
        # refused move writes no file at all.
        event = case.move_to(
            workflows,
            to_stage,
            on=on,
            by=user.username,
            note=note,
            **_what_the_case_has(uow, case, {d["kind"] for d in new_documents}),
        )
        uow.repo.update_case(case, expected)
        attached = [_attach(uow, user, case, d, workflows) for d in new_documents]
        event.document_ids = [d.id for d in attached]
        uow.repo.add_event(event)
        uow.repo.link_documents(event.document_ids, event.id)
        _audit(uow, user, "move_stage", "case", case.id, before, snapshot(case))
        uow.commit()
    return event


def _what_the_case_has(uow: UnitOfWork, case: Case, new_kinds: set[str]) -> dict:
    """What a stage's requirements are checked against: the kinds of the case's documents
    (with those coming with the move), its approved budget kinds, households agreed."""
    documents = {d.kind for d in uow.repo.list_documents(case.id)} | new_kinds
    approved = {b.kind for b in uow.repo.list_budget_lines(case.id) if b.approved > 0}
    agreed = uow.repo.household_counts([case.id]).get(case.id, {}).get("agreed", 0)
    return {"documents": documents, "approved_budget": approved, "households_agreed": agreed}


def _attach(uow: UnitOfWork, user: User, case: Case, item: dict, workflows: Workflows):
    """Store one document that comes with a move (a dict of kind, filename, content_type, data)."""
    return _new_document(
        uow,
        user,
        case,
        item["kind"],
        item["filename"],
        item.get("content_type", ""),
        item["data"],
        workflows,
    )
