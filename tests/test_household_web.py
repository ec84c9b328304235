"""The household register on the web: the API (masked national ID, register rules as
422s naming the field, members) and the household page (sections in Thai, masked ID with
an audited reveal, DOPA selects, members and photos). Both stores, via the fixtures."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.casestore import uow
from cases import register, services
from cases.model import Document
from tests.conftest import AuthActions

CASE = "KPP-CC-01"  # rep.cc01's community
GOOD_ID = "110170012345" + register.national_id_check_digit("110170012345")
BAD_ID = GOOD_ID[:12] + str((int(GOOD_ID[12]) + 1) % 10)
MEMBERS = [
    {"name": "นางสมศรี ใจดี", "sex": "female", "birth_year": 2510, "relation": "head"},
    {"name": "ด.ช. สมชาย ใจดี", "sex": "male", "birth_year": 2558, "relation": "grandchild"},
]


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["en"] and error["th"]
    return error


def households_of(client, ref: str = CASE) -> list[dict]:
    cases = client.get(f"/api/cases?q={ref}").get_json()["items"]
    case = next(c for c in cases if c["ref"] == ref)
    return client.get(f"{case['url']}/households").get_json()["items"]


@pytest.fixture
def officer(writable_client):
    AuthActions(writable_client).login("officer")
    return writable_client


@pytest.fixture
def household(officer) -> dict:
    return households_of(officer)[0]


def audit(client, household_id: int) -> list[dict]:
    query = f"/api/audit?entity=household&entity_id={household_id}"
    return client.get(query).get_json()["items"]


# -- the API --------------------------------------------------------------------------------
def test_the_api_sends_the_national_id_masked_only(officer, household):
    saved = officer.patch(household["url"], json={"version": 1, "national_id": GOOD_ID})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    body = saved.get_json()
    assert body["national_id_masked"] == register.mask_national_id(GOOD_ID)
    assert body["national_id_masked"] == f"x-xxxx-xxxxx-{GOOD_ID[10:12]}-{GOOD_ID[12]}"
    assert "national_id" not in body
    for response in (officer.get(household["url"]), officer.get(saved.get_json()["url"])):
        assert GOOD_ID not in response.get_data(as_text=True)
    assert all(GOOD_ID not in str(h) for h in households_of(officer))


def test_a_bad_check_digit_is_a_422_naming_the_field_in_both_languages(officer, household):
    error = error_of(
        officer.patch(household["url"], json={"version": 1, "national_id": BAD_ID}), 422
    )
    assert error["field"] == "national_id"
    assert "National ID" in error["en"] and "check digit" in error["en"]
    assert "เลขประจำตัวประชาชน" in error["th"]
    error = error_of(
        officer.patch(household["url"], json={"version": 1, "district_code": "9999"}), 422
    )
    assert error["field"] == "district_code" and "อำเภอ" in error["th"]
    assert officer.get(household["url"]).get_json()["version"] == 1


def test_vulnerability_needs_explicit_consent(officer, household):
    error = error_of(officer.patch(household["url"], json={"version": 1, "elderly": 2}), 422)
    assert error["field"] == "elderly" and "s26" in error["en"] and "มาตรา 26" in error["th"]
    changes = {"version": 1, "consent_given": True, "consent_sensitive": True, "elderly": 2}
    saved = officer.patch(household["url"], json=changes)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["elderly"] == 2 and saved.get_json()["consent_sensitive"] is True


def test_register_fields_round_trip_through_the_api(officer, household):
    changes = {
        "version": 1,
        "occupation": "vendor",
        "province_code": "10",
        "district_code": "1041",
        "subdistrict_code": "104101",
        "years_here": 25,
        "savings_member": True,
        "monthly_saving": 300,
        "consent_given": True,
        "consent_on": "2025-01-15",
        "address_no": "12/3 หมู่ 4",
    }
    saved = officer.patch(household["url"], json=changes)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    body = saved.get_json()
    for name, value in changes.items():
        if name != "version":
            assert body[name] == value, name
    error = error_of(officer.patch(household["url"], json={"version": 2, "occupation": "x"}), 422)
    assert error["field"] == "occupation"


def test_members_put_round_trip_versioned_and_audited(officer, household):
    url = f"{household['url']}/members"
    assert officer.get(url).get_json() == {
        "household_id": household["id"],
        "version": 1,
        "items": [],
        "total": 0,
    }
    put = officer.put(url, json={"version": 1, "members": MEMBERS})
    assert put.status_code == 200, put.get_data(as_text=True)
    body = put.get_json()
    assert body["version"] == 2 and body["total"] == 2
    assert [{k: m[k] for k in MEMBERS[0]} for m in body["items"]] == MEMBERS
    assert [m["member_no"] for m in body["items"]] == [1, 2]
    assert officer.get(url).get_json() == body
    assert officer.get(household["url"]).get_json()["members"] == 2
    assert error_of(officer.put(url, json={"version": 1, "members": []}), 409)
    bad = [{**MEMBERS[0], "birth_year": 1967}]  # C.E., not B.E.
    error = error_of(officer.put(url, json={"version": 2, "members": bad}), 422)
    assert "member 1" in error["en"] and "สมาชิกคนที่ 1" in error["th"]
    assert error["field"] == "members.0.birth_year"
    error_of(officer.put(url, json={"version": 2, "members": [{"sex": "female"}]}), 422)
    assert officer.get(url).get_json()["total"] == 2
    entries = audit(officer, household["id"])
    assert entries[0]["action"] == "members"
    assert entries[0]["after"]["member_list"][0]["name"] == MEMBERS[0]["name"]
    cleared = officer.put(url, json={"members": []}, headers={"If-Match": '"2"'})
    assert cleared.status_code == 200 and cleared.get_json()["total"] == 0


def test_viewers_get_403_on_members_and_households(writable_client, household):
    client = writable_client
    AuthActions(client).login("viewer")
    url = f"{household['url']}/members"
    error_of(client.get(url), 403)
    error_of(client.put(url, json={"version": 1, "members": MEMBERS}), 403)
    error_of(client.get(household["url"]), 403)
    AuthActions(client).login("rep.cc01")  # the community's representative edits
    assert client.put(url, json={"version": 1, "members": MEMBERS[:1]}).status_code == 200


def test_dopa_children(officer, writable_client):
    districts = officer.get("/api/dopa/10/children").get_json()
    assert districts["code"] == "10"
    lak_si = next(d for d in districts["items"] if d["code"] == "1041")
    assert lak_si == {"code": "1041", "th": "เขตหลักสี่", "en": "Lak Si"}
    subdistricts = officer.get("/api/dopa/1041/children").get_json()["items"]
    assert subdistricts and all(s["code"].startswith("1041") for s in subdistricts)
    assert len(officer.get("/api/dopa/th/children").get_json()["items"]) == 77
    for code in ("99", "104101", "x", "1"):
        error_of(officer.get(f"/api/dopa/{code}/children"), 404)
    AuthActions(writable_client).logout()
    error_of(writable_client.get("/api/dopa/10/children"), 401)


# -- the page -------------------------------------------------------------------------------
def test_the_page_shows_the_register_in_thai_masked_and_reveals_with_an_audit(officer, household):
    officer.patch(household["url"], json={"version": 1, "national_id": GOOD_ID})
    page_url = f"/cases/households/{household['id']}"
    page = officer.get(page_url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    for label in ("เลขประจำตัวประชาชน 13 หลัก", "กลุ่มเปราะบาง", "ความยินยอม", "ปีเกิด (พ.ศ.)"):
        assert label in body, label
    assert "มาตรา 26" in body and "section 26" in body  # the PDPA note, in both languages
    assert 'id="section-vulnerability" disabled' in body  # no explicit consent yet
    masked = register.mask_national_id(GOOD_ID)
    assert masked in body and GOOD_ID not in body
    assert "reveal=national_id" in body
    assert not [e for e in audit(officer, household["id"]) if e["action"] == "reveal"]
    revealed = officer.get(f"{page_url}?reveal=national_id").get_data(as_text=True)
    assert GOOD_ID in revealed
    entries = [e for e in audit(officer, household["id"]) if e["action"] == "reveal"]
    assert len(entries) == 1 and entries[0]["username"] == "officer"
    assert GOOD_ID not in str(entries[0])
    english = officer.get(f"{page_url}?lang=en").get_data(as_text=True)
    assert "National ID number (13 digits)" in english and "Vulnerability" in english
    # The breadcrumb: cases › case ref › household N.
    assert f">{CASE}</a> ›" in body and f"ครัวเรือนลำดับที่ {household['household_no']}" in body


def test_a_representative_sees_the_page_masked_and_may_not_reveal(writable_client, household):
    client = writable_client
    AuthActions(client).login("officer")
    client.patch(household["url"], json={"version": 1, "national_id": GOOD_ID})
    AuthActions(client).login("rep.cc01")
    page_url = f"/cases/households/{household['id']}"
    body = client.get(page_url).get_data(as_text=True)
    assert register.mask_national_id(GOOD_ID) in body and "reveal=national_id" not in body
    refused = client.get(f"{page_url}?reveal=national_id")
    assert refused.status_code == 403 and GOOD_ID not in refused.get_data(as_text=True)
    AuthActions(client).login("viewer")
    assert client.get(page_url).status_code == 403


def test_the_page_form_saves_register_fields_and_members(officer, household):
    page_url = f"/cases/households/{household['id']}"
    form = {
        "version": "1",
        "head_name": "นางสมศรี ใจดี",
        "national_id": GOOD_ID,
        "occupation": "daily_wage",
        "province_code": "10",
        "district_code": "1041",
        "subdistrict_code": "104101",
        "consent_given": "yes",
        "consent_sensitive": "",
        "consent_on": "2568-01-15",  # B.E.
        "savings_member": "no",
        "tenure": "renting",
        "member_rows": "3",
        "m-0-name": MEMBERS[0]["name"],
        "m-0-sex": "female",
        "m-0-birth_year": "2510",
        "m-0-relation": "head",
        "m-1-name": "",
        "m-2-name": MEMBERS[1]["name"],
        "m-2-birth_year": "2558",
    }
    saved = officer.post(page_url, data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    body = officer.get(household["url"]).get_json()
    assert body["occupation"] == "daily_wage" and body["subdistrict_code"] == "104101"
    assert body["consent_given"] is True and body["consent_on"] == "2025-01-15"
    assert body["savings_member"] is False and body["members"] == 2
    assert body["national_id_masked"] == register.mask_national_id(GOOD_ID)
    members = officer.get(f"{household['url']}/members").get_json()["items"]
    assert [m["name"] for m in members] == [MEMBERS[0]["name"], MEMBERS[1]["name"]]
    page = officer.get(page_url).get_data(as_text=True)
    assert "15 ม.ค. 2568" in page  # the consent date in the Buddhist Era
    assert 'value="1041" selected' in page and "เขตหลักสี่" in page
    # Remove the first member; a bad national ID is refused next to the form, nothing saved.
    version = str(body["version"])
    refused = officer.post(page_url, data={**form, "version": version, "national_id": BAD_ID})
    assert refused.status_code == 422
    assert 'id="error-household"' in refused.get_data(as_text=True)
    assert "เลขตรวจสอบ" in refused.get_data(as_text=True)
    kept = {**form, "version": version, "national_id": "", "m-0-remove": "1"}
    assert officer.post(page_url, data=kept).status_code == 302
    members = officer.get(f"{household['url']}/members").get_json()["items"]
    assert [m["name"] for m in members] == [MEMBERS[1]["name"]]
    body = officer.get(household["url"]).get_json()
    assert body["members"] == 1 and body["national_id_masked"]  # blank kept the number


def test_the_page_shows_the_households_photos_to_those_who_may_open_them(
    officer, writable_client, household
):
    app = writable_client.application
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 32
    with app.app_context():
        work = uow()
        with work:
            digest = services.store_document_file(work, png)
            photo = work.repo.add_document(
                Document(
                    case_id=household["case_id"],
                    kind="photo",
                    filename="house.png",
                    content_type="image/png",
                    size=len(png),
                    sha256=digest,
                    uploaded_by="officer",
                    uploaded_at=datetime(2025, 1, 15, 3, 0),
                    household_id=household["id"],
                )
            )
            work.commit()
    body = officer.get(f"/cases/households/{household['id']}").get_data(as_text=True)
    link = f"/cases/documents/{photo.id}"
    assert f'<img src="{link}"' in body and "15 ม.ค. 2568" in body
    assert officer.get(link).data == png
    AuthActions(writable_client).login("viewer")  # a photo is a personal document
    assert writable_client.get(link).status_code == 403
