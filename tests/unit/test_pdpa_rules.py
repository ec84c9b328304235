"""PDPA (issue 14) over the fakes: the one classification, the consent ledger kept in step
with the household, the read log and the breach register."""

from datetime import UTC, date, datetime, timedelta

import pytest
from world import ADMIN, OFFICER, REP, VIEWER, case_by_ref

from cases import policy, privacy, register, services
from cases.errors import Forbidden, InvalidInput
from cases.model import PDPA_START
from cases.services.consent import follow_consent, scope_fields
from cases.workflow import default_workflows

TODAY = services.today_in_thailand()


@pytest.fixture(autouse=True)
def _today_in_thailand():
    """Today where the cases are, read afresh for each test: a run that passes
    midnight in Bangkok (17:00 UTC) must not compare against the day it started."""
    global TODAY
    TODAY = services.today_in_thailand()


# -- the classification: one place, everything reads from it -------------------------------
def test_every_register_member_and_document_field_has_a_class_purpose_and_basis():
    workflows = default_workflows()
    personal_kinds = {k for k, v in workflows.document_kinds.items() if v.get("personal")}
    assert personal_kinds == set(privacy.DOCUMENT_KINDS), "workflows.yaml and privacy disagree"
    rows = [f.privacy for f in register.HOUSEHOLD_FIELDS + register.MEMBER_FIELDS]
    rows += list(register.HOUSEHOLD_PRIVACY.values()) + list(privacy.DOCUMENT_KINDS.values())
    for key in rows:
        row = privacy.FIELD_CLASSES[key]  # every one resolves
        assert row.cls in privacy.CLASSES, key
        assert row.purpose in privacy.PURPOSES, key
        assert row.basis in privacy.BASES, key
        assert privacy.PURPOSES[row.purpose].retention in privacy.RETENTION_CLASSES
    for kind in personal_kinds:
        assert privacy.document_class(kind).basis in privacy.BASES
    assert privacy.document_class("layout_plan") is None


def test_every_row_and_purpose_is_sound():
    roles = {"admin", "officer", "community_rep", "viewer"}
    for row in privacy.FIELDS:
        assert row.purpose in privacy.PURPOSES, row.field
        if row.basis == privacy.EXPLICIT_CONSENT:  # s26 is sensitive data by definition
            assert row.cls == privacy.SENSITIVE, row.field
    for purpose in privacy.PURPOSES.values():
        assert purpose.th and purpose.en and purpose.basis in privacy.BASES
        assert set(purpose.recipients) <= roles - {"viewer"}  # viewers see counts only
        assert privacy.rows_of_purpose(purpose.key), f"{purpose.key} covers no data"
    for scope in privacy.SCOPES:
        assert privacy.purposes_of_scope(scope)


def test_explicit_consent_fields_are_the_s26_rows():
    flagged = {f.name for f in register.HOUSEHOLD_FIELDS if f.explicit_consent}
    assert flagged == set(register.EXPLICIT_CONSENT_FIELDS) == set(scope_fields("sensitive"))
    assert set(register.CONSENT_FIELDS) == set(scope_fields("general")) == {"phone"}


def test_viewers_never_open_a_classified_document():
    workflows = default_workflows()
    for kind in privacy.DOCUMENT_KINDS:
        assert not policy.may_open_document(VIEWER, kind, workflows), kind
    assert not policy.may_open_document(VIEWER, "consent_form", workflows)
    assert not policy.may_open_document(VIEWER, "id_card_copy", workflows)
    assert policy.may_open_document(OFFICER, "consent_form", workflows)
    assert policy.may_open_document(VIEWER, "layout_plan", workflows)


# -- the consent ledger -------------------------------------------------------------------------
def _household(store, ref="KPP-CC-01", index=0):
    case = case_by_ref(store, ref)
    return services.list_households(store.uow(), OFFICER, case.id)[index]


def test_record_consent_writes_a_line_and_the_household_follows(store):
    household = _household(store)
    on = TODAY - timedelta(days=3)
    saved, event = services.record_consent(
        store.uow(), OFFICER, household.id, scope="sensitive", on=on, taken_by="อาสา สมศรี"
    )
    assert (saved.consent_sensitive, saved.consent_on, saved.consent_by) == (True, on, "อาสา สมศรี")
    assert saved.version == household.version + 1
    assert event.purposes == ["vulnerability_support"] and event.recorded_by == "officer"
    ledger = services.consent_ledger(store.uow(), OFFICER, household.id)
    assert [(e.action, e.scope, e.on) for e in ledger] == [("given", "sensitive", on)]
    audit = services.audit_log(store.uow(), OFFICER, entity="household", entity_id=household.id)
    assert audit[0].action == "consent:given"
    assert audit[0].after["consent_event"]["scope"] == "sensitive"
    # The health fields may now be stored.
    services.update_household(store.uow(), OFFICER, household.id, {"elderly": 2}, saved.version)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"scope": "general", "on": "tomorrow"}, "in the future"),
        ({"scope": "general", "on": PDPA_START - timedelta(days=1)}, "before the PDPA"),
        ({"scope": "everything", "on": TODAY}, "general .s19. or sensitive"),
        ({"scope": "general", "on": TODAY, "purposes": ["vulnerability_support"]}, "not a purpose"),
        ({"scope": "general", "on": None}, "date is required"),
    ],
)
def test_a_consent_that_cannot_be_is_refused_and_nothing_changes(store, kwargs, message):
    household = _household(store)
    if kwargs["on"] == "tomorrow":  # counted from the day the test runs
        kwargs = {**kwargs, "on": TODAY + timedelta(days=1)}
    with pytest.raises(InvalidInput, match=message):
        services.record_consent(store.uow(), OFFICER, household.id, **kwargs)
    assert services.consent_ledger(store.uow(), OFFICER, household.id) == []
    assert services.get_household(store.uow(), OFFICER, household.id).version == household.version


def test_who_may_record_consent(store):
    household = _household(store)
    other = _household(store, "KPP-LS-03")
    with pytest.raises(Forbidden):
        services.record_consent(store.uow(), VIEWER, household.id, scope="general", on=TODAY)
    with pytest.raises(Forbidden):  # a representative of another community
        services.record_consent(store.uow(), REP, other.id, scope="general", on=TODAY)
    services.record_consent(store.uow(), REP, household.id, scope="general", on=TODAY)


def test_withdrawing_sensitive_consent_clears_the_health_fields(store):
    household = _household(store)
    saved, _ = services.record_consent(
        store.uow(), OFFICER, household.id, scope="sensitive", on=TODAY
    )
    saved = services.update_household(
        store.uow(), OFFICER, household.id, {"elderly": 1, "disabled": 2}, saved.version
    )
    after, event, cleared = services.withdraw_consent(
        store.uow(), OFFICER, household.id, scope="sensitive", note="ถอนทางโทรศัพท์"
    )
    assert cleared == ["elderly", "disabled"]
    assert (after.consent_sensitive, after.elderly, after.disabled) == (False, None, None)
    assert (event.action, event.on, event.note) == ("withdrawn", TODAY, "ถอนทางโทรศัพท์")
    audit = services.audit_log(store.uow(), OFFICER, entity="household", entity_id=household.id)
    assert audit[0].action == "consent:withdrawn" and audit[0].after["cleared"] == cleared
    with pytest.raises(InvalidInput, match="explicit consent"):
        services.update_household(store.uow(), OFFICER, household.id, {"elderly": 1}, after.version)
    with pytest.raises(InvalidInput, match="no explicit consent"):
        services.withdraw_consent(store.uow(), OFFICER, household.id, scope="sensitive")


def test_withdrawing_general_consent_clears_the_phone_and_refuses_it_after(store):
    household = _household(store)
    saved, _ = services.record_consent(
        store.uow(), OFFICER, household.id, scope="general", on=TODAY
    )
    saved = services.update_household(
        store.uow(), OFFICER, household.id, {"phone": "0812345678"}, saved.version
    )
    after, _, cleared = services.withdraw_consent(store.uow(), ADMIN, household.id, scope="general")
    assert cleared == ["phone"] and after.phone == "" and after.consent_given is False
    with pytest.raises(InvalidInput, match="withdrawn its consent"):
        services.update_household(
            store.uow(), OFFICER, household.id, {"phone": "0899999999"}, after.version
        )
    # Recorded again: the phone may be stored again.
    again, _ = services.record_consent(
        store.uow(), OFFICER, household.id, scope="general", on=TODAY
    )
    services.update_household(store.uow(), OFFICER, household.id, {"phone": "08"}, again.version)
    actions = [e.action for e in services.consent_ledger(store.uow(), OFFICER, household.id)]
    assert actions == ["given", "withdrawn", "given"]


def test_an_edit_of_the_consent_fields_is_a_line_of_the_ledger(store):
    household = _household(store)
    on = TODAY - timedelta(days=10)
    saved = services.update_household(
        store.uow(),
        OFFICER,
        household.id,
        {
            "consent_given": "yes",
            "consent_sensitive": "yes",
            "consent_on": on.isoformat(),
            "elderly": 1,
        },
        household.version,
    )
    ledger = services.consent_ledger(store.uow(), OFFICER, household.id)
    assert [(e.action, e.scope, e.on, e.source) for e in ledger] == [
        ("given", "general", on, "register"),
        ("given", "sensitive", on, "register"),
    ]
    # Set to "no" in the form (the other fields sent unchanged): a withdrawal, clearing them.
    saved = services.update_household(
        store.uow(), OFFICER, household.id, {"consent_sensitive": "no", "elderly": 1}, saved.version
    )
    assert saved.elderly is None
    assert services.consent_ledger(store.uow(), OFFICER, household.id)[-1].action == "withdrawn"
    with pytest.raises(InvalidInput, match="in the future"):
        services.update_household(
            store.uow(),
            OFFICER,
            household.id,
            {"consent_sensitive": "yes", "consent_on": (TODAY + timedelta(days=2)).isoformat()},
            saved.version,
        )


def test_follow_consent_on_a_new_household(store):
    household = _household(store)
    household.consent_given, household.consent_on = True, TODAY
    events = follow_consent(None, household, OFFICER, source="survey", note="survey uuid:1")
    assert [(e.action, e.scope, e.source) for e in events] == [("given", "general", "survey")]
    household.consent_on = date(2018, 12, 31)
    with pytest.raises(InvalidInput, match="before the PDPA"):
        follow_consent(None, household, OFFICER, source="survey")


def test_the_signed_form_must_be_of_the_same_case(store):
    household = _household(store)
    cc05 = case_by_ref(store, "KPP-CC-05")
    with store.uow() as uow:
        theirs = [d for d in uow.repo.list_documents(cc05.id)][0]
        ours = uow.repo.list_documents(household.case_id)[0]
    with pytest.raises(InvalidInput, match="not a document of this household's case"):
        services.record_consent(
            store.uow(), OFFICER, household.id, scope="general", on=TODAY, document_id=theirs.id
        )
    _, event = services.record_consent(
        store.uow(), OFFICER, household.id, scope="general", on=TODAY, document_id=ours.id
    )
    assert event.document_id == ours.id
    _, event = services.record_consent(
        store.uow(),
        OFFICER,
        household.id,
        scope="general",
        on=TODAY,
        new_document={
            "filename": "consent.pdf",
            "content_type": "application/pdf",
            "data": b"%PDF",
        },
    )
    document = services.get_document(store.uow(), OFFICER, event.document_id)[0]
    assert (document.kind, document.household_id) == ("consent_form", household.id)


# -- the read log -------------------------------------------------------------------------------
def test_reads_are_logged_one_row_a_household_and_never_for_viewers(store):
    a, b = _household(store, index=0), _household(store, index=1)
    written = services.log_reads(
        store.uow(),
        OFFICER,
        "households_api",
        [(a.id, ["head_name"]), (b.id, ["head_name", "phone"]), (a.id, ["members"]), (b.id, [])],
    )
    assert written == 2
    rows = services.read_log(store.uow(), ADMIN)
    assert {(r.household_id, tuple(r.fields)) for r in rows} == {
        (a.id, ("head_name", "members")),
        (b.id, ("head_name", "phone")),
    }
    assert {r.username for r in rows} == {"officer"} and {r.via for r in rows} == {"households_api"}
    assert services.log_reads(store.uow(), VIEWER, "household_page", [(a.id, ["head_name"])]) == 0
    assert len(services.read_log(store.uow(), ADMIN, household_id=a.id)) == 1
    with pytest.raises(ValueError):
        services.log_reads(store.uow(), OFFICER, "household_page", [(a.id, ["shoe_size"])])
    with pytest.raises(Forbidden):
        services.read_log(store.uow(), REP, household_id=a.id)


# -- the breach register --------------------------------------------------------------------------
def _now():
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def test_a_breach_has_its_72_hour_deadline(store):
    detected = _now() - timedelta(hours=80)
    breach = services.record_breach(
        store.uow(),
        OFFICER,
        detected_at=detected,
        description="โน้ตบุ๊กที่มีแบบสำรวจหาย",
        households_affected=120,
        risk="high",
    )
    assert breach.deadline == detected + timedelta(hours=72)
    assert breach.overdue(_now()) and not breach.overdue(detected + timedelta(hours=71))
    told = services.breach_notified(
        store.uow(), OFFICER, breach.id, pdpc_notified_at=detected + timedelta(hours=75)
    )
    assert told.notified_late() and not told.overdue(_now())
    later = services.record_breach(
        store.uow(),
        ADMIN,
        detected_at=(_now() - timedelta(hours=1)).replace(tzinfo=UTC),
        description="อีเมลส่งผิดคน",
        households_affected=1,
        risk="low",
    )
    assert [b.id for b in services.list_breaches(store.uow(), ADMIN)] == [later.id, breach.id]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"detected_at": datetime(2030, 1, 1)}, "in the future"),
        ({"detected_at": datetime(2018, 1, 1)}, "before the PDPA"),
        ({"risk": "medium"}, "low or high"),
        ({"households_affected": -1}, "whole number"),
        ({"description": " "}, "describe"),
        ({"pdpc_notified_at": datetime(2025, 1, 1)}, "before the breach was detected"),
    ],
)
def test_a_breach_that_cannot_be_is_refused(store, changes, message):
    values = {
        "detected_at": datetime(2026, 1, 1, 8, 0),
        "description": "x",
        "households_affected": 3,
        "risk": "low",
        **changes,
    }
    with pytest.raises(InvalidInput, match=message):
        services.record_breach(store.uow(), OFFICER, **values)
    with pytest.raises(Forbidden):
        services.list_breaches(store.uow(), REP)


# -- data subjects' requests ----------------------------------------------------------------------
def test_requests_and_their_rejections_are_counted_by_purpose(store):
    household = _household(store)
    first = services.record_request(
        store.uow(),
        OFFICER,
        kind="erasure",
        received_on=TODAY,
        household_id=household.id,
        purpose="contact",
    )
    second = services.record_request(store.uow(), ADMIN, kind="access", received_on=TODAY)
    with pytest.raises(InvalidInput, match="say why"):
        services.decide_request(store.uow(), OFFICER, first.id, status="rejected")
    services.decide_request(
        store.uow(), OFFICER, first.id, status="rejected", reason="ยังอยู่ระหว่างสัญญาเงินกู้"
    )
    services.decide_request(store.uow(), OFFICER, second.id, status="fulfilled")
    assert services.rejected_counts(store.uow(), ADMIN) == {"contact": 1}
    with pytest.raises(InvalidInput, match="not a purpose"):
        services.record_request(
            store.uow(), OFFICER, kind="access", received_on=TODAY, purpose="marketing"
        )
    with pytest.raises(InvalidInput, match="in the future"):
        services.record_request(
            store.uow(), OFFICER, kind="access", received_on=TODAY + timedelta(days=1)
        )
    with pytest.raises(Forbidden):
        services.list_requests(store.uow(), REP)


# -- erasure: what goes and what stays, from the classification -----------------------------
def test_an_erasure_clears_every_classified_field_but_what_the_programme_counts():
    from cases.services.erasure import erasable_fields

    whole = set(erasable_fields())
    kept = {n for n, row in register.HOUSEHOLD_PRIVACY.items() if row in privacy.KEPT_ON_ERASURE}
    assert whole | kept == set(register.HOUSEHOLD_PRIVACY) and not whole & kept
    assert kept == {"structure_id", "agreed_to_move", "tenure"}  # the tallies' inputs stay
    assert {"head_name", "national_id", "phone", "location", "disabled", "consent_by"} <= whole
    sensitive = set(erasable_fields((privacy.SENSITIVE,)))
    assert sensitive == {
        n for n in whole if privacy.FIELD_CLASSES[register.HOUSEHOLD_PRIVACY[n]].cls == "sensitive"
    }
    assert {"monthly_income", "disabled", "monthly_saving"} <= sensitive
    assert "head_name" not in sensitive
    assert set(privacy.KEPT_ON_ERASURE) <= set(privacy.FIELD_CLASSES)


@pytest.mark.parametrize("kind", ["objection", "restriction"])
def test_a_held_back_household_refuses_writes_naming_the_reason(kind):
    from cases.model import Household
    from cases.services.erasure import check_processing_allowed, is_held_back

    household = Household(case_id=1, household_no=1, restriction=kind, restriction_reason="ขอหยุด")
    assert is_held_back(household)
    with pytest.raises(InvalidInput) as refused:
        check_processing_allowed(household)
    assert "ขอหยุด" in refused.value.message_th and refused.value.details["field"] == "restriction"
    check_processing_allowed(Household(case_id=1, household_no=2))  # nothing held back
