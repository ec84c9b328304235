"""Case detail: a case as the user may see it, with its allowed moves and what each still needs.

What a move still needs is a workflow rule over the case's documents, fields, approved
budget and agreed households. It is worked out here, once, inside the unit of work and
from all the case's documents, before any are hidden from the user: every role that may
see the case is told the same `missing` list (a municipality viewer may not open a
personal document, but the document is there and the move does not need it again).
The case page and `GET /api/cases/<id>` both show this answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases import policy, services
from cases.model import User
from cases.unit_of_work import UnitOfWork
from cases.workflow import Requirement, Workflows, default_workflows


@dataclass(frozen=True)
class AllowedMove:
    """A stage the case may move to next, and what the move still needs (empty: ready)."""

    stage: str
    missing: list[Requirement]


def allowed_moves(
    uow: UnitOfWork,
    case,
    workflows: Workflows,
    *,
    documents: list | None = None,
    budget_lines: list | None = None,
    counts: dict | None = None,
) -> list[AllowedMove]:
    """The case's allowed moves with what each still needs, from all its documents.

    Call inside `with uow:`; reads the documents, budget lines and household counts
    not given."""
    if documents is None:
        documents = uow.repo.list_documents(case.id)
    if budget_lines is None:
        budget_lines = uow.repo.list_budget_lines(case.id)
    if counts is None:
        counts = uow.repo.household_counts([case.id]).get(case.id, {})
    kinds = {d.kind for d in documents}
    approved = {b.kind for b in budget_lines if b.approved > 0}
    agreed = counts.get("agreed", 0)
    return [
        AllowedMove(
            stage,
            workflows.missing_for(
                case.case_type,
                case.stage,
                stage,
                documents=kinds,
                fields={"cooperative_name": case.cooperative_name},
                approved_budget=approved,
                households_agreed=agreed,
            ),
        )
        for stage in workflows.case_type(case.case_type).allowed_moves(case.stage)
    ]


def case_detail(
    uow: UnitOfWork, user: User, case_id: int, *, workflows: Workflows | None = None
) -> dict:
    """Everything the case page and the API show of one case, in one transaction.

    Keys: case, community, counts, events, documents (those the user may open),
    budget_lines, plots, households (None for those who may not see personal data),
    allowed_moves (stage ids), moves (`AllowedMove`s, from all documents), can_edit,
    survey (progress counts) and conflicts (survey conflicts waiting for review; None for
    those who may not see personal data).
    Forbidden (403) or NotFound (404) as for any read of the case."""
    workflows = workflows or default_workflows()
    personal = policy.sees_personal_data(user)
    with uow:
        case = uow.repo.get_case(case_id)
        policy.require_view(user, case)
        counts = uow.repo.household_counts([case.id]).get(case.id, {"households": 0, "agreed": 0})
        documents = uow.repo.list_documents(case.id)
        budget_lines = uow.repo.list_budget_lines(case.id)
        moves = allowed_moves(
            uow, case, workflows, documents=documents, budget_lines=budget_lines, counts=counts
        )
        households = uow.repo.list_households(case.id)
        submissions = uow.repo.list_submissions(case.id)
        conflicts = uow.repo.list_conflicts(case.id)
        detail = {
            "case": case,
            "community": uow.repo.get_community(case.community_id),
            "counts": counts,
            "events": uow.repo.list_events(case.id),
            "documents": [
                d for d in documents if policy.may_open_document(user, d.kind, workflows)
            ],
            "budget_lines": budget_lines,
            "plots": uow.repo.list_plots(case.id),
            "households": households if personal else None,
            "allowed_moves": [m.stage for m in moves],
            "moves": moves,
            "can_edit": policy.can_edit_case(user, case),
        }
    detail["survey"] = services.survey_summary(user, households, submissions, conflicts)
    detail["conflicts"] = conflicts if personal else None
    return detail
