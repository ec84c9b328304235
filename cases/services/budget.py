"""Budget lines of a case, and the programmes' published per-household rates."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from cases import policy
from cases.errors import Forbidden, InvalidInput
from cases.model import (
    MAX_BAHT,
    BudgetLine,
    User,
    snapshot,
)
from cases.services.common import (
    _audit,
    _case_for,
    _check_version,
    _th,
)
from cases.unit_of_work import UnitOfWork
from cases.workflow import Workflows, default_workflows

BUDGET_DEFAULTS_PATH = Path(__file__).parent.parent / "budget_defaults.yaml"


@functools.cache
def _budget_defaults() -> dict:
    return yaml.safe_load(BUDGET_DEFAULTS_PATH.read_text(encoding="utf-8"))["programmes"]


def budget_rate(programme: str, kind: str) -> dict | None:
    """The editable default rate (`budget_defaults.yaml`) for a programme's budget kind:
    `{per_household, source}`, or None where no public figure exists."""
    rate = _budget_defaults().get(programme, {}).get(kind)
    return rate if rate and rate.get("per_household") else None


def set_budget_line(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    *,
    kind: str,
    planned=None,
    approved=None,
    disbursed=None,
    note: str | None = None,
    expected_version=None,
    workflows: Workflows | None = None,
) -> BudgetLine:
    """Create the case's budget line of `kind`, or update it (then `expected_version` is required)."""
    workflows = workflows or default_workflows()
    if kind not in workflows.budget_kinds:
        raise InvalidInput(
            f"unknown budget kind {kind!r}", f"ไม่รู้จักประเภทงบประมาณ {kind!r}", field="kind"
        )
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        if policy.is_community_rep(user):
            raise Forbidden("budgets are set by officers", "งบประมาณกำหนดโดยเจ้าหน้าที่")
        existing = next((b for b in uow.repo.list_budget_lines(case.id) if b.kind == kind), None)
        line = existing or BudgetLine(case_id=case.id, kind=kind)
        before = snapshot(line) if existing else None
        if existing is None and planned in (None, ""):
            # A new line starts from the programme's published per-household rate, if any.
            rate = budget_rate(workflows.case_type(case.case_type).programme, kind)
            if rate:
                households = uow.repo.household_counts([case.id]).get(case.id, {})
                line.planned = rate["per_household"] * households.get("households", 0)
                line.note = f"{rate['per_household']:,} baht × households ({rate['source']})"
        for name, value in (("planned", planned), ("approved", approved), ("disbursed", disbursed)):
            if value not in (None, ""):
                setattr(line, name, _baht(value, name))
        if note is not None:
            line.note = note
        line.check()
        if existing:
            uow.repo.update_budget_line(line, _check_version(expected_version))
        else:
            uow.repo.add_budget_line(line)
        action = "update" if existing else "create"
        _audit(uow, user, action, "budget_line", line.id, before, snapshot(line))
        uow.commit()
    return line


def list_budget_lines(uow: UnitOfWork, user: User, case_id: int) -> list[BudgetLine]:
    with uow:
        case = _case_for(uow, user, case_id)
        return uow.repo.list_budget_lines(case.id)


def _baht(value, name: str) -> int:
    """A whole number of baht from a form or JSON value ("1,200,000" is fine); amounts past
    MAX_BAHT come back as MAX_BAHT + 1, for `BudgetLine.check` to refuse."""
    try:
        amount = str(value).replace(",", "").strip()
        if len(amount) > 16:
            amount = str(MAX_BAHT + 1)
        return int(amount)
    except ValueError:
        raise InvalidInput(
            f"{name} must be a whole number of baht",
            f"{_th(name)} ต้องเป็นจำนวนเต็มบาท",
            field=name,
        ) from None
