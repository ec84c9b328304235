"""Who may see and change what, by role (cases.policy through the services)."""

import pytest
from world import ADMIN, OFFICER, REP, VIEWER, case_by_ref

from cases import policy, services
from cases.errors import Forbidden
from cases.model import ROLES


def test_roles(store):
    own = case_by_ref(store, "KPP-CC-01")
    other = case_by_ref(store, "KPP-LS-03")
    assert services.list_households(store.uow(), REP, own.id)
    with pytest.raises(Forbidden):
        services.list_households(store.uow(), REP, other.id)
    with pytest.raises(Forbidden, match="household counts only"):
        services.list_households(store.uow(), VIEWER, own.id)
    with pytest.raises(Forbidden):
        services.update_case(store.uow(), VIEWER, own.id, {"note": "x"}, own.version)
    rows, total = services.list_cases(store.uow(), REP)
    assert total == 1 and rows[0]["ref"] == "KPP-CC-01"
    detail = services.case_detail(store.uow(), VIEWER, own.id)
    assert detail["households"] is None and detail["counts"]["households"] == 5
    assert not detail["can_edit"]
    with pytest.raises(Forbidden):
        services.audit_log(store.uow(), VIEWER)
    assert services.audit_log(store.uow(), ADMIN) == []


def test_viewers_cannot_open_documents_about_households(store):
    case = case_by_ref(store, "KPP-CC-01")
    documents = services.case_detail(store.uow(), OFFICER, case.id)["documents"]
    agreement = next(d for d in documents if d.kind == "agreement")
    with pytest.raises(Forbidden, match="personal data"):
        services.get_document(store.uow(), VIEWER, agreement.id)
    document, path = services.get_document(store.uow(), REP, agreement.id)
    assert document.kind == "agreement" and path.name == document.sha256
    seen = {d.kind for d in services.case_detail(store.uow(), VIEWER, case.id)["documents"]}
    assert "agreement" not in seen and "approval" in seen


def test_edits_are_refused_before_the_body_is_read(store):
    own = case_by_ref(store, "KPP-CC-01")
    other = case_by_ref(store, "KPP-LS-03")
    services.require_edit_of(store.uow(), REP, case_id=own.id)
    with pytest.raises(Forbidden):
        services.require_edit_of(store.uow(), REP, case_id=other.id)
    with pytest.raises(Forbidden, match="only officers"):
        services.require_edit_of(store.uow(), REP, case_id=own.id, officers_only=True)
    with pytest.raises(Forbidden, match="only read"):
        services.require_edit_of(store.uow(), VIEWER)
    household = services.list_households(store.uow(), OFFICER, other.id)[0]
    with pytest.raises(Forbidden):
        services.require_edit_of(store.uow(), REP, household_id=household.id)


def test_role_names_live_in_the_policy_module():
    assert (policy.ADMIN, policy.OFFICER, policy.COMMUNITY_REP, policy.VIEWER) == ROLES
    assert [policy.is_officer(u) for u in (ADMIN, OFFICER, REP, VIEWER, None)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert policy.community_scope(REP) == "KPP-CC-01"
    assert policy.community_scope(OFFICER) is None and policy.community_scope(None) is None
    assert [r for r in ROLES if policy.needs_community(r)] == ["community_rep"]
