"""The household register on both stores: its rules (national ID, DOPA codes, explicit
consent), and survey submissions merged into it once each, with conflicts for review."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from cases import register, services
from cases.errors import Forbidden, InvalidInput
from cases.model import User
from cases.services.surveys import SurveyRecord

OFFICER = User(username="officer", role="officer")
VIEWER = User(username="viewer", role="viewer")
CASE = "KPP-LS-03"


def national_id(first12: str) -> str:
    return first12 + register.national_id_check_digit(first12)


GOOD_ID = national_id("110170012345")


def test_national_id_check_digit_and_mask():
    assert register.national_id_problem(GOOD_ID) is None
    assert register.national_id_problem(f"{GOOD_ID[:1]}-{GOOD_ID[1:5]}-{GOOD_ID[5:]}") is None
    wrong = GOOD_ID[:12] + str((int(GOOD_ID[12]) + 1) % 10)
    en, th = register.national_id_problem(wrong)
    assert "check digit" in en and "เลขตรวจสอบ" in th
    assert register.national_id_problem("12345") is not None
    masked = register.mask_national_id(GOOD_ID)
    assert masked.endswith(f"{GOOD_ID[10:12]}-{GOOD_ID[12]}") and GOOD_ID[:10] not in masked


def test_dopa_codes_are_checked_against_the_dataset():
    assert register.dopa_names("10")["th"] == "กรุงเทพมหานคร"
    assert register.dopa_names("4001")["en"] == "Mueang Khon Kaen"
    cleaned = register.clean_household(
        {"province_code": "40", "district_code": "4001", "subdistrict_code": "400101"}
    )
    assert cleaned["subdistrict_code"] == "400101"
    with pytest.raises(InvalidInput, match="is not in 40"):
        register.clean_household({"province_code": "40", "district_code": "1030"})
    with pytest.raises(InvalidInput, match="not a DOPA district code"):
        register.clean_household({"district_code": "9999"})


def test_every_register_field_is_classified_once():
    for item in register.HOUSEHOLD_FIELDS + register.MEMBER_FIELDS:
        assert item.cls in ("personal", "sensitive"), item.name
    assert {"elderly", "disabled", "chronically_ill"} == set(register.EXPLICIT_CONSENT_FIELDS)
    assert register.FIELDS_BY_NAME["elderly"].cls == "sensitive"
    assert {"national_id", "monthly_income", "head_name"} <= register.PERSONAL_FIELDS


@pytest.fixture
def store(sample_cases_store):
    return sample_cases_store


def _case(store):
    with store.uow() as uow:
        return uow.repo.get_case_by_ref(CASE)


def test_health_needs_explicit_consent(store):
    case = _case(store)
    household = services.list_households(store.uow(), OFFICER, case.id)[0]
    with pytest.raises(InvalidInput, match="explicit consent"):
        services.update_household(
            store.uow(), OFFICER, household.id, {"elderly": 2}, household.version
        )
    saved = services.update_household(
        store.uow(),
        OFFICER,
        household.id,
        {"consent_sensitive": "yes", "elderly": "2", "national_id": GOOD_ID},
        household.version,
    )
    assert saved.elderly == 2 and saved.national_id == GOOD_ID
    with pytest.raises(InvalidInput, match="check digit"):
        services.update_household(
            store.uow(),
            OFFICER,
            household.id,
            {"national_id": GOOD_ID[:12] + "0" if GOOD_ID[12] != "0" else GOOD_ID[:12] + "1"},
            saved.version,
        )


def _record(n, **kw) -> SurveyRecord:
    values = {
        "consent_given": "yes",
        "consent_on": "2026-11-30",
        "consent_by": "อาสาสมัคร สมศรี",
        "head_name": f"นางทดสอบ ครัวเรือน{n}",
        "national_id": national_id(f"3100{n:08d}"),
        "monthly_income": "9000",
        "tenure": "renting",
        "house_condition": "poor",
        "occupation": "vendor",
        "years_here": "20",
        "savings_member": "yes",
        "monthly_saving": "300",
    }
    values.update(kw.pop("values", {}))
    return SurveyRecord(
        row=n + 1,
        instance_id=kw.pop("instance_id", f"uuid:{n:08d}-0000-4000-8000-000000000000"),
        form_version=kw.pop("form_version", register.REGISTER_VERSION),
        case_ref=CASE,
        values=values,
        members=kw.pop(
            "members",
            [
                {
                    "name": values["head_name"],
                    "sex": "female",
                    "birth_year": "2515",
                    "relation": "head",
                },
                {"name": "ด.ช. ลูก", "sex": "male", "birth_year": "2560", "relation": "child"},
            ],
        ),
        location=kw.pop("location", (100.5600 + n * 0.0001, 13.8600)),
        gps_accuracy=kw.pop("gps_accuracy", 4.0),
        photos=kw.pop("photos", [(f"house{n}.jpg", b"\xff\xd8\xff" + bytes([n]) * 50)]),
        submitted_at=datetime(2026, 11, 30, 10, 0),
        **kw,
    )


def test_survey_import_once_with_conflicts_for_review(store):
    case = _case(store)
    first = [_record(1), _record(2), _record(3, gps_accuracy=25.0)]
    first.append(replace(_record(1), row=9))  # re-sent
    first.append(_record(4, form_version="2025010101"))
    first.append(_record(5, values={"consent_given": "no"}))
    first.append(_record(6, values={"elderly": "1"}))  # s26 without explicit consent
    preview = services.import_survey(store.uow(), OFFICER, case.id, first, apply=False)
    assert preview.counts() == {"new": 3, "updated": 0, "unchanged": 1, "conflict": 0, "refused": 3}
    with store.uow() as uow:  # the preview wrote nothing
        assert not uow.repo.list_submissions(case.id)
    before = len(services.list_households(store.uow(), OFFICER, case.id))
    report = services.import_survey(store.uow(), OFFICER, case.id, first, apply=True)
    assert report.counts() == preview.counts()
    by_row = {r.row: r for r in report.results}
    assert by_row[4].gps_flagged and "25 m" in by_row[4].reasons[0]["en"]
    assert "2025010101" in by_row[5].reasons[0]["en"]
    assert register.REGISTER_VERSION in by_row[5].reasons[0]["th"]
    assert "consent" in by_row[6].reasons[0]["en"]
    assert "explicit consent" in by_row[7].reasons[0]["en"]
    households = services.list_households(store.uow(), OFFICER, case.id)
    assert len(households) == before + 3
    new = {h.household_no: h for h in households}[by_row[2].household_no]
    assert new.head_name == "นางทดสอบ ครัวเรือน1" and new.monthly_income == 9000
    with store.uow() as uow:
        members = uow.repo.list_members(new.id)
        photos = uow.repo.list_household_documents(new.id)
    assert [m.relation for m in members] == ["head", "child"] and members[0].birth_year == 2515
    assert len(photos) == 1 and photos[0].kind == "photo"

    again = services.import_survey(store.uow(), OFFICER, case.id, first, apply=True)
    assert again.counts() == {"new": 0, "updated": 0, "unchanged": 4, "conflict": 0, "refused": 3}
    assert len(services.list_households(store.uow(), OFFICER, case.id)) == before + 3

    # An officer corrects the income; a re-survey (a new submission) says otherwise.
    services.update_household(store.uow(), OFFICER, new.id, {"monthly_income": 12000}, new.version)
    resurvey = _record(
        1, instance_id="uuid:resurvey-1", values={"monthly_income": "8000", "years_here": "21"}
    )
    resurvey.household_no = str(new.household_no)
    report = services.import_survey(store.uow(), OFFICER, case.id, [resurvey], apply=True)
    (result,) = report.results
    assert result.status == "conflict" and "monthly_income" in result.fields
    household = services.get_household(store.uow(), OFFICER, new.id)
    assert household.monthly_income == 12000 and household.years_here == 21
    (conflict,) = services.list_conflicts(store.uow(), OFFICER, case.id)
    assert (conflict.officer_value, conflict.survey_value) == (12000, 8000)
    services.resolve_conflict(store.uow(), OFFICER, conflict.id, "survey")
    assert services.get_household(store.uow(), OFFICER, new.id).monthly_income == 8000
    assert not services.list_conflicts(store.uow(), OFFICER, case.id)
    progress = services.survey_progress(store.uow(), OFFICER, case.id)
    assert progress["surveyed"] == 3 and progress["conflicts"] == 0 and progress["gps_flagged"] == 1

    with pytest.raises(Forbidden):
        services.import_survey(store.uow(), VIEWER, case.id, first, apply=False)
    counts = services.survey_progress(store.uow(), VIEWER, case.id)
    assert counts["surveyed"] == 3 and "surveyed_structures" not in counts
