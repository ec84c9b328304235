"""Budget lines of a case and the published per-household rates."""

import pytest
from world import OFFICER, REP, TODAY, case_by_ref

from cases import services
from cases.errors import Forbidden, InvalidInput, StaleVersion


def test_budget_lines(store):
    case = case_by_ref(store, "KPP-LS-03")
    line = services.set_budget_line(
        store.uow(), OFFICER, case.id, kind="temporary_housing", planned="1,200,000"
    )
    assert (line.planned, line.approved, line.version) == (1_200_000, 0, 1)
    with pytest.raises(InvalidInput, match="disbursed"):
        services.set_budget_line(
            store.uow(), OFFICER, case.id, kind="temporary_housing", disbursed=5, expected_version=1
        )
    line = services.set_budget_line(
        store.uow(),
        OFFICER,
        case.id,
        kind="temporary_housing",
        approved=1_000_000,
        expected_version=1,
    )
    assert (line.approved, line.version) == (1_000_000, 2)
    with pytest.raises(StaleVersion):
        services.set_budget_line(
            store.uow(), OFFICER, case.id, kind="temporary_housing", approved=1, expected_version=1
        )
    (kept,) = services.list_budget_lines(store.uow(), OFFICER, case.id)
    assert (kept.planned, kept.approved) == (1_200_000, 1_000_000)


@pytest.mark.parametrize(
    "kind, amount, message",
    [
        ("temporary_housing", "lots", "whole number of baht"),
        ("temporary_housing", "9" * 40, "0 to"),
        ("temporary_housing", -1, "0 to"),
        ("gold", 1, "unknown budget kind"),
    ],
)
def test_bad_amounts_are_refused(store, kind, amount, message):
    case = case_by_ref(store, "KPP-LS-03")
    with pytest.raises(InvalidInput, match=message):
        services.set_budget_line(store.uow(), OFFICER, case.id, kind=kind, planned=amount)
    assert services.list_budget_lines(store.uow(), OFFICER, case.id) == []


def test_budgets_are_set_by_officers(store):
    case = case_by_ref(store, "KPP-CC-01")
    with pytest.raises(Forbidden, match="officers"):
        services.set_budget_line(store.uow(), REP, case.id, kind="housing_loan", planned=1)


def test_new_budget_lines_start_from_the_published_rate(store):
    """Baan Pho Phiang: up to 40,000 baht per house (FACTS.md); canal-side: no public rate."""
    case = services.create_case(
        store.uow(),
        OFFICER,
        community_id="KPP-LS-03",
        case_type="baan_pho_phiang",
        title_th="ซ่อมบ้าน",
        on=TODAY,
    )
    for _ in range(3):
        services.add_household(store.uow(), OFFICER, case.id, {"tenure": "owner"})
    line = services.set_budget_line(store.uow(), OFFICER, case.id, kind="housing_subsidy")
    assert line.planned == 120_000 and "40,000" in line.note
    canal = case_by_ref(store, "KPP-LS-03")
    line = services.set_budget_line(store.uow(), OFFICER, canal.id, kind="temporary_housing")
    assert line.planned == 0
    assert services.budget_rate("canal_side", "housing_subsidy") is None
