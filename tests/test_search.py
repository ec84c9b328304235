"""Search: one box finds cases, communities and households by name, number or code, as
each role may (cases/services/search.py, app/search_views.py). On both stores: with
DATABASE_URL set these run on PostGIS.

- officers find households by head's name (any case of Latin letters, Thai as typed),
  household number (Arabic or Thai digits) and house code; cases by ref, title and
  community name; communities by name and code;
- a municipality viewer's text is never matched against households (counts only), but
  finds cases and communities;
- a community representative finds only their own community;
- `%` and `_` match themselves; an over-long text is refused in Thai and English;
- the search text (perhaps a person's name) is not logged.
"""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest

from cases import services
from cases.errors import InvalidInput
from cases.model import Case, Community, Household, User
from cases.store import CaseStore
from tests.conftest import DATABASE_URL, _drop_schema, _new_schema

OFFICER = User(username="officer", role="officer")
VIEWER = User(username="viewer", role="viewer")
REP = User(username="rep.c1", role="community_rep", community_id="C1")
ON = date(2025, 1, 6)

COMMUNITIES = [
    Community(
        "C1",
        "ชุมชนริมคลองทดสอบ",
        "Canal Test Community",
        "Chatuchak",
        "จตุจักร",
        "กรุงเทพมหานคร",
        "10",
        "1030",
    ),
    Community(
        "C2", "ชุมชนบ้านใหม่", "New Home Village", "Lak Si", "หลักสี่", "กรุงเทพมหานคร", "10", "1041"
    ),
    Community(
        "C3", "ชุมชน 100% ร่วมใจ", "Full_Hearts", "Lak Si", "หลักสี่", "กรุงเทพมหานคร", "10", "1041"
    ),
]
HOUSEHOLDS = {
    "C1": [
        (7, "Somchai Jaidee", "C1-H0007"),
        (8, "นางสมศรี ใจดี", "C1-H0008"),
        (9, "Ratio 50% Owner", "C1-H0009"),
        (10, "Ratio 500 Owner", "C1-H0010"),
        (11, "snake_case Name", "C1-H0011"),
        (12, "snakeXcase Name", "C1-H0012"),
    ],
    "C2": [(7, "Somchai Other", "C2-H0007")],
    "C3": [],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    schema = _new_schema()
    store = CaseStore(tmp_path_factory.mktemp("search"), DATABASE_URL, schema=schema)
    with store.uow() as uow:
        uow.repo.add_communities(COMMUNITIES)
        for community in COMMUNITIES:
            case = Case(
                ref=f"{community.id}-BMK-01",
                community_id=community.id,
                case_type="baan_mankong",
                title_th=f"บ้านมั่นคง {community.name_th}",
                title_en=f"Baan Mankong {community.name_en}",
                stage="survey",
                stage_entered_on=ON,
            )
            uow.repo.add_case(case, "baan_mankong")
            for no, head, structure in HOUSEHOLDS[community.id]:
                uow.repo.add_household(
                    Household(case.id, no, head_name=head, structure_id=structure)
                )
        uow.commit()
    yield store
    store.dispose()
    _drop_schema(schema)


def find(store, user, text, **kw):
    return services.search(store.uow(), user, text, **kw)


def heads(results) -> set[str]:
    return {h.head_name for h in results.households}


# -- officers ------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["Somchai Jaidee", "somchai jaidee", "SOMCHAI", "jaidee"])
def test_officer_finds_a_household_by_head_name_in_any_latin_case(store, text):
    results = find(store, OFFICER, text)
    assert "Somchai Jaidee" in heads(results)
    hit = next(h for h in results.households if h.head_name == "Somchai Jaidee")
    assert (hit.household_no, hit.structure_id, hit.case_ref) == (7, "C1-H0007", "C1-BMK-01")
    assert hit.link == services.Link("household", hit.id)


def test_officer_finds_a_household_by_thai_head_name(store):
    assert heads(find(store, OFFICER, "สมศรี")) == {"นางสมศรี ใจดี"}
    assert heads(find(store, OFFICER, "ใจดี")) == {"นางสมศรี ใจดี"}


@pytest.mark.parametrize("text", ["7", "๗", "no. 7", "เลขที่ 7"])
def test_officer_finds_households_by_number(store, text):
    found = {(h.case_ref, h.household_no) for h in find(store, OFFICER, text).households}
    assert {("C1-BMK-01", 7), ("C2-BMK-01", 7)} <= found


def test_officer_finds_a_household_by_house_code(store):
    results = find(store, OFFICER, "c1-h0008")
    assert heads(results) == {"นางสมศรี ใจดี"}


def test_no_national_id_phone_or_address_search(store):
    with store.uow() as uow:
        household = uow.repo.list_households(uow.repo.get_case_by_ref("C2-BMK-01").id)[0]
        household.national_id, household.phone, household.address_no = (
            "3101200099991",
            "0812349999",
            "99/9 ซอยลับ",
        )
        uow.repo.update_household(household, household.version)
        uow.commit()
    for text in ("3101200099991", "99991", "0812349999", "ซอยลับ"):
        assert find(store, OFFICER, text).households == [], text


@pytest.mark.parametrize("text", ["c1-bmk", "C1-BMK-01", "ริมคลอง", "canal test", "CANAL"])
def test_officer_finds_a_case_by_ref_and_community_name(store, text):
    results = find(store, OFFICER, text)
    assert "C1-BMK-01" in {c.ref for c in results.cases}
    hit = next(c for c in results.cases if c.ref == "C1-BMK-01")
    assert hit.link.kind == "case" and hit.community_th == "ชุมชนริมคลองทดสอบ"


@pytest.mark.parametrize("text", ["บ้านใหม่", "new home", "c2"])
def test_officer_finds_a_community_by_name_or_code(store, text):
    results = find(store, OFFICER, text)
    hit = next(c for c in results.communities if c.id == "C2")
    assert (hit.district_th, hit.district_code) == ("หลักสี่", "1041")
    assert hit.link == services.Link("community_cases", "C2")


# -- viewers and community representatives -------------------------------------------------
def test_viewer_never_finds_a_household_but_finds_cases_and_communities(store):
    for text in ("Somchai", "สมศรี", "7", "C1-H0007"):
        results = find(store, VIEWER, text)
        assert results.households == [] and not results.households_searched, text
    results = find(store, VIEWER, "ริมคลอง")
    assert [c.ref for c in results.cases] == ["C1-BMK-01"]
    assert [c.id for c in results.communities] == ["C1"]
    assert find(store, OFFICER, "x").households_searched


def test_community_rep_finds_only_their_community(store):
    results = find(store, REP, "Somchai")
    assert heads(results) == {"Somchai Jaidee"}
    results = find(store, REP, "ชุมชน")
    assert {c.id for c in results.communities} == {"C1"}
    assert {c.ref for c in results.cases} == {"C1-BMK-01"}
    assert find(store, REP, "บ้านใหม่").total == 0
    assert {(h.case_ref, h.household_no) for h in find(store, REP, "7").households} == {
        ("C1-BMK-01", 7)
    }


def test_community_rep_case_list_of_another_community_is_empty(store):
    assert services.list_cases(store.uow(), REP, community="C2") == ([], 0)
    rows, total = services.list_cases(store.uow(), OFFICER, community="C2")
    assert total == 1 and rows[0]["ref"] == "C2-BMK-01"


# -- wildcards and bounds ------------------------------------------------------------------
def test_percent_and_underscore_are_literal(store):
    assert heads(find(store, OFFICER, "50%")) == {"Ratio 50% Owner"}
    assert heads(find(store, OFFICER, "snake_case")) == {"snake_case Name"}
    assert heads(find(store, OFFICER, "%")) == {"Ratio 50% Owner"}
    assert heads(find(store, OFFICER, "_")) == {"snake_case Name"}
    assert [c.id for c in find(store, OFFICER, "100%").communities] == ["C3"]
    assert [c.id for c in find(store, OFFICER, "full_h").communities] == ["C3"]
    assert find(store, OFFICER, "!").total == 0  # the escape character itself


def test_an_over_long_text_is_refused_in_thai_and_english(store):
    with pytest.raises(InvalidInput) as refused:
        find(store, OFFICER, "ก" * 500)
    assert "100" in refused.value.message_en and "100" in refused.value.message_th
    assert "คำค้นหา" in refused.value.message_th and "search" in refused.value.message_en
    assert find(store, OFFICER, "ก" * services.MAX_SEARCH).total == 0
    assert find(store, OFFICER, "   ").total == 0


def test_limit_and_more(store):
    results = find(store, OFFICER, "C1-H", limit=2)
    assert len(results.households) == 2 and "households" in results.more


def test_the_search_text_is_not_logged(store, caplog):
    with caplog.at_level(logging.DEBUG):
        find(store, OFFICER, "Somchai Jaidee")
    assert "Somchai" not in caplog.text
    assert "1 households" in caplog.text


# -- the page and the API (the shared sample) ---------------------------------------------
SAMPLE_HEAD = "หัวหน้าครัวเรือนตัวอย่าง KPP-CC-01-H0003"


def test_api_search_by_role(client, auth):
    auth.login("officer")
    body = client.get("/api/search", query_string={"q": SAMPLE_HEAD}).get_json()
    assert [h["head_name"] for h in body["households"]] == [SAMPLE_HEAD]
    household = body["households"][0]
    assert household["url"] == f"/cases/households/{household['id']}"
    assert client.get(household["url"]).status_code == 200
    body = client.get("/api/search?q=Sample community Chatuchak 1").get_json()
    assert body["cases"] and body["cases"][0]["url"].startswith("/cases/")
    assert body["communities"][0]["url"] == "/cases?community=KPP-CC-01"
    auth.logout()

    auth.login("viewer")
    response = client.get("/api/search", query_string={"q": SAMPLE_HEAD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["households"] == [] and body["households_searched"] is False
    assert "หัวหน้าครัวเรือน" not in str({k: v for k, v in body.items() if k != "q"})
    body = client.get("/api/search?q=ชุมชนตัวอย่างจตุจักร 1").get_json()
    assert {c["community_id"] for c in body["cases"]} >= {"KPP-CC-01"}
    auth.logout()

    auth.login("rep.cc01")
    body = client.get("/api/search?q=ชุมชนตัวอย่าง&limit=50").get_json()
    assert {c["id"] for c in body["communities"]} == {"KPP-CC-01"}
    assert {c["community_id"] for c in body["cases"]} == {"KPP-CC-01"}
    body = client.get("/api/search?q=หัวหน้าครัวเรือนตัวอย่าง KPP-LS-01").get_json()
    assert body["households"] == []


def test_api_refuses_long_text_and_visitors(client, auth):
    assert client.get("/api/search?q=x").status_code == 401
    auth.login("officer")
    response = client.get("/api/search", query_string={"q": "x" * 500})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "100" in error["en"] and "คำค้นหา" in error["th"]
    assert client.get("/api/search?limit=0").status_code == 422
    assert client.get("/api/search").get_json()["total"] == 0


def test_the_api_is_documented(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "limit"}
    assert "422" in operation["responses"]


def test_search_page_by_role_and_language(client, auth):
    auth.login("officer")
    page = client.get("/search", query_string={"q": SAMPLE_HEAD}).get_data(as_text=True)
    assert SAMPLE_HEAD in page and "/cases/households/" in page
    assert 'id="header-search"' in page
    page = client.get("/search?q=Sample community Chatuchak 1&lang=en").get_data(as_text=True)
    assert "Communities" in page and 'href="/cases?community=KPP-CC-01"' in page
    listing = client.get("/cases?community=KPP-CC-01").get_data(as_text=True)
    assert re.findall(r'data-ref="([^"]+)"', listing) == ["KPP-CC-01"]
    auth.logout()

    auth.login("viewer")
    response = client.get("/search", query_string={"q": SAMPLE_HEAD})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    results = page.split('id="search-cases"', 1)[1]  # after the echoed text
    assert "หัวหน้าครัวเรือน" not in results and "/cases/households/" not in results
    assert 'id="households-hidden"' in page


def test_search_page_refuses_long_text_in_thai_and_english(client, auth):
    auth.login("officer")
    response = client.get("/search", query_string={"q": "ก" * 500})
    assert response.status_code == 422
    assert "คำค้นหายาวได้ไม่เกิน 100 ตัวอักษร" in response.get_data(as_text=True)
    response = client.get("/search", query_string={"q": "ก" * 500, "lang": "en"})
    assert "search for at most 100 characters" in response.get_data(as_text=True)
    assert client.get("/search").status_code == 200
    auth.logout()
    visitor = client.get("/search?q=x")
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]
