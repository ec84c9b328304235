"""Households, their counts, and the dashboard built from them."""

import pytest
from world import OFFICER, REP, case_by_ref

from cases import services
from cases.errors import InvalidInput, StaleVersion


def test_household_edits_are_versioned_and_audited(store):
    case = case_by_ref(store, "KPP-LS-03")
    household = services.list_households(store.uow(), OFFICER, case.id)[0]
    updated = services.update_household(
        store.uow(),
        OFFICER,
        household.id,
        {"house_status": "ready_to_build", "members": "4"},
        household.version,
    )
    assert (updated.house_status, updated.members, updated.version) == (
        "ready_to_build",
        4,
        household.version + 1,
    )
    assert updated.status_changed_on == services.today_in_thailand()
    with pytest.raises(StaleVersion):
        services.update_household(
            store.uow(), OFFICER, household.id, {"members": 9}, household.version
        )
    with pytest.raises(InvalidInput, match="house status"):
        services.update_household(
            store.uow(), OFFICER, household.id, {"house_status": "flying"}, updated.version
        )
    audit = services.audit_log(store.uow(), OFFICER, entity="household", entity_id=household.id)
    assert audit[0].before["house_status"] == household.house_status
    assert audit[0].after["house_status"] == "ready_to_build"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"members": "many"}, "whole number"),
        ({"monthly_income": -5}, "between 0"),
        ({"tenure": "castle"}, "not one of the choices"),
        ({"version": 7}, "cannot be changed"),
        ({"phone": "0" * 41}, "at most 40 characters"),
        ({"location": {"type": "Point", "coordinates": [2.35, 48.85]}}, "outside Thailand"),
    ],
)
def test_bad_household_values_are_refused(store, changes, message):
    case = case_by_ref(store, "KPP-LS-03")
    with pytest.raises(InvalidInput, match=message):
        services.add_household(store.uow(), OFFICER, case.id, changes)
    assert len(services.list_households(store.uow(), OFFICER, case.id)) == 3


def test_new_households_are_numbered_on_and_counted(store):
    case = case_by_ref(store, "KPP-LS-03")
    added = services.add_household(
        store.uow(), OFFICER, case.id, {"head_name": "ครัวเรือนใหม่", "agreed_to_move": "on"}
    )
    assert (added.household_no, added.agreed_to_move, added.house_status) == (
        4,
        True,
        "not_started",
    )
    rows, _ = services.list_cases(store.uow(), OFFICER, search="KPP-LS-03")
    assert rows[0]["counts"]["households"] == 4 and rows[0]["counts"]["agreed"] == 1


def test_progress_counts_moved_in_as_finished_and_shares_of_all_households(store):
    table = services.progress(store.uow())
    assert [d["district_en"] for d in table["districts"]] == ["Chatuchak", "Lak Si"]
    chatuchak = table["districts"][0]
    assert (chatuchak["households"], chatuchak["households_agreed"]) == (5, 4)
    assert (chatuchak["finished"], chatuchak["moved_in"], chatuchak["under_construction"]) == (
        3,
        1,
        1,
    )
    total = table["total"]
    assert (total["households"], total["finished"], total["not_started"]) == (8, 3, 4)
    assert total["shares"] == {
        "finished": 37.5,
        "under_construction": 12.5,
        "ready_to_build": 0.0,
        "not_started": 50.0,
    }


def test_the_dashboard_follows_every_household_change(store):
    """The cached progress is keyed by the store's generation: a write is seen at once."""
    assert services.progress(store.uow())["total"]["finished"] == 3
    case = case_by_ref(store, "KPP-LS-03")
    household = services.list_households(store.uow(), OFFICER, case.id)[0]
    services.update_household(
        store.uow(), OFFICER, household.id, {"house_status": "finished"}, household.version
    )
    assert services.progress(store.uow())["total"]["finished"] == 4
    months = services.finished_over_time(store.uow())
    assert [m["cumulative"] for m in months] == [1, 2, 3, 4]
    assert months[-1]["month"] == services.today_in_thailand().strftime("%Y-%m")


def test_representatives_see_their_own_community_on_the_dashboard(store):
    table = services.progress(store.uow(), REP)
    assert [d["district_en"] for d in table["districts"]] == ["Chatuchak"]
    assert table["total"]["households"] == 5
    assert [m["cumulative"] for m in services.finished_over_time(store.uow(), REP)] == [1, 2, 3]
