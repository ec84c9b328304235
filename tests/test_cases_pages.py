"""The case tracker's pages through Flask's test client: case list, case page and its forms,
the map's JSON endpoints, the new-case page and the dashboard, in Thai and in English.

Read-only tests use the shared sample app (`client`, `auth`); tests that write have a store of
their own (`writable_client`, `writable_auth`). The shared fixtures switch CSRF off; the CSRF
test makes its own app with it on.
"""

from __future__ import annotations

import html
import io
import json
import re
from html.parser import HTMLParser

import pytest
from shapely.geometry import shape

from app import create_app
from app.cases_schemas import HOUSEHOLD_MAP_FIELDS as MAP_FIELDS
from app.casestore import uow
from cases import services
from tests.conftest import AuthActions

# The published progress (nationthailand.com 40021770), as the dashboard must show it.
PUBLISHED = {
    "Chatuchak": ("621", "356 (5.57 %)", "133 (2.08 %)", "0 (0.00 %)"),
    "Lak Si": ("2,248", "88 (1.38 %)", "71 (1.11 %)", "7 (0.11 %)"),
    "Don Mueang": ("2,542", "0 (0.00 %)", "120 (1.88 %)", "14 (0.22 %)"),
    "Lak Hok": ("929", "190 (2.98 %)", "28 (0.44 %)", "0 (0.00 %)"),
}
TOTAL = ("6,340", "634 (9.93 %)", "352 (5.51 %)", "21 (0.33 %)")
# A case on hold in the sample whose next stage needs one document (a demolition record).
HELD_REF = "KPP-DM-02"


# -- helpers -----------------------------------------------------------------------------------
class _Tables(HTMLParser):
    """Rows of a page's tables as lists of cell texts, keyed by the row's data-* attribute."""

    def __init__(self, key: str):
        super().__init__()
        self.key = f"data-{key}"
        self.rows: dict[str, list[str]] = {}
        self._row: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and self.key in attrs:
            self._row = attrs[self.key]
            self.rows[self._row] = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self.rows[self._row].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str, key: str) -> dict[str, list[str]]:
    parser = _Tables(key)
    parser.feed(html)
    return parser.rows


def case_id(app, ref: str) -> int:
    with app.app_context(), uow() as work:
        return work.repo.get_case_by_ref(ref).id


def case_state(app, ref: str) -> dict:
    with app.app_context(), uow() as work:
        case = work.repo.get_case_by_ref(ref)
        return {
            "stage": case.stage,
            "version": case.version,
            "hold_reason": case.hold_reason,
            "stage_entered_on": case.stage_entered_on,
            "documents": len(work.repo.list_documents(case.id)),
            "events": len(work.repo.list_events(case.id)),
        }


def app_uow(app):
    with app.app_context():
        return uow()


def user(app, username: str):
    with app.app_context():
        return services.get_user(uow(), username)


def text(response) -> str:
    return response.get_data(as_text=True)


# -- login, navigation, language ---------------------------------------------------------------
def test_login_page_is_thai_first_and_bilingual(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    body = text(response)
    assert '<html lang="th">' in body
    assert "เข้าสู่ระบบ" in body and "ชื่อผู้ใช้" in body and "รหัสผ่าน" in body
    body = text(client.get("/auth/login?lang=en"))
    assert '<html lang="en">' in body and "User name" in body and "Password" in body


def test_wrong_password_is_refused_in_both_languages(client):
    response = client.post("/auth/login", data={"username": "officer", "password": "nope"})
    assert response.status_code == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in text(response)
    response = client.post("/auth/login?lang=en", data={"username": "officer", "password": "nope"})
    assert "Wrong user name or password" in text(response)


def test_pages_need_a_login(client):
    for url in ("/cases", "/cases/1", "/dashboard", "/cases/new"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/auth/login" in response.headers["Location"]
    response = client.get("/api/cases/1")
    assert response.status_code == 401
    assert response.get_json()["error"]["th"]


def test_login_goes_to_the_cases_and_shows_who_is_logged_in(client, auth):
    response = auth.login("officer")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases")
    body = text(client.get("/cases"))
    assert 'id="who"' in body and "officer" in body and "เจ้าหน้าที่" in body
    for label in ("แผนที่", "รายการกรณี", "ภาพรวมความคืบหน้า", "เปิดกรณีใหม่", "ออกจากระบบ"):
        assert label in body
    body = text(client.get("/cases?lang=en"))
    assert "Housing officer" in body and "Dashboard" in body and "Log out" in body


def test_language_choice_is_remembered(client, auth):
    auth.login("viewer")
    response = client.get("/cases?lang=en")
    assert "lang=en" in response.headers.get("Set-Cookie", "")
    body = text(client.get("/dashboard"))
    assert '<html lang="en">' in body and "Municipality viewer" in body
    client.get("/cases?lang=th")
    assert '<html lang="th">' in text(client.get("/dashboard"))


# -- case list -----------------------------------------------------------------------------------
def test_case_list_in_thai_and_english(client, auth):
    auth.login("officer")
    body = text(client.get("/cases"))
    rows = table_rows(body, "ref")
    assert len(rows) == 20  # the first page
    assert "พบ 38 กรณี" in body and "หน้า 1 จาก 2" in body
    ref, community, district, stage, days, status, households = rows[HELD_REF]
    assert community == "ชุมชนตัวอย่างดอนเมือง 2" and district == "ดอนเมือง"
    assert stage == "สัญญาเช่าที่ราชพัสดุกับสหกรณ์"
    assert int(days.replace(",", "")) > 180
    assert "ล่าช้า" in status and "รอการก่อสร้างเขื่อนริมคลอง" in status
    assert households == "221 / 221"
    body = text(client.get("/cases?lang=en"))
    rows = table_rows(body, "ref")
    assert "38 cases" in body
    assert rows[HELD_REF][1:4] == [
        "Sample community Don Mueang 2",
        "Don Mueang",
        "Treasury land lease to the cooperative",
    ]
    assert (
        "Stalled" in rows[HELD_REF][5] and "Waiting for the embankment works" in rows[HELD_REF][5]
    )
    assert f'href="/cases/{case_id(client.application, HELD_REF)}"' in body


def test_case_list_pages(client, auth):
    auth.login("officer")
    first = table_rows(text(client.get("/cases")), "ref")
    second = table_rows(text(client.get("/cases?page=2")), "ref")
    assert len(first) == 20 and len(second) == 18
    assert not set(first) & set(second)


def test_case_list_filters(app, client, auth):
    auth.login("officer")
    rows = table_rows(text(client.get("/cases?district=Lak+Si")), "ref")
    assert len(rows) == 13 and all(ref.startswith("KPP-LS-") for ref in rows)
    rows = table_rows(text(client.get("/cases?stage=cooperative")), "ref")
    assert rows and all(r[3] == "จดทะเบียนสหกรณ์" for r in rows.values())
    rows = table_rows(text(client.get("/cases?q=KPP-DM-02")), "ref")
    assert list(rows) == [HELD_REF]
    rows = table_rows(text(client.get("/cases?q=ดอนเมือง")), "ref")
    assert len(rows) == 14
    body = text(client.get("/cases?programme=disaster"))
    assert not table_rows(body, "ref") and "ไม่พบกรณีที่ตรงกับตัวกรอง" in body
    stalled = {s["ref"] for s in services.stalled_cases(app_uow(app), user(app, "officer"))}
    rows = {}
    for page in (1, 2):
        rows.update(table_rows(text(client.get(f"/cases?stalled=1&page={page}")), "ref"))
    assert stalled and set(rows) == stalled
    assert all("ล่าช้า" in r[5] for r in rows.values())
    # Filters combine, and the pager keeps them.
    rows = table_rows(text(client.get("/cases?district=Don+Mueang&stalled=1")), "ref")
    assert rows and all(ref.startswith("KPP-DM-") and ref in stalled for ref in rows)


def test_community_representative_sees_only_their_case(client, auth):
    auth.login("rep.cc01")
    rows = table_rows(text(client.get("/cases")), "ref")
    assert list(rows) == ["KPP-CC-01"]


# -- case page -----------------------------------------------------------------------------------
def test_case_page_in_thai_with_buddhist_era_dates(app, client, auth):
    auth.login("officer")
    cid = case_id(app, HELD_REF)
    response = client.get(f"/cases/{cid}")
    assert response.status_code == 200
    body = text(response)
    assert HELD_REF in body and "ย้ายและสร้างบ้านใหม่ ชุมชนตัวอย่างดอนเมือง 2" in body
    # Stage since 10 May 2022 = 10 พ.ค. 2565; the timeline's first event 16 Sep 2018 = 2561.
    assert "10 พ.ค. 2565" in body and "16 ก.ย. 2561" in body
    assert "สัญญาเช่าที่ราชพัสดุกับสหกรณ์" in body
    assert "หยุดชะงัก: รอการก่อสร้างเขื่อนริมคลอง" in body
    # Budget with thousands separators; documents with download links; households.
    assert "11,050,000" in body and "96,135,000" in body
    assert 'href="/cases/documents/' in body and "KPP-DM-02-lease_contract.txt" in body
    assert 'id="households-table"' in body and "หัวหน้าครัวเรือนตัวอย่าง KPP-DM-02-H0001" in body
    # The move form names what the next stage still needs, and carries the version.
    assert "ต้องแนบเอกสาร: บันทึกการรื้อถอน" in body
    assert 'name="version" value="1"' in body and 'name="csrf_token"' in body
    # The map reads its data from the documented API; Geoman is loaded for editors.
    assert f'data-case-url="/api/cases/{cid}"' in body
    assert f'data-households-url="/api/cases/{cid}/households?view=map"' in body
    assert 'data-plot-url="/api/plots/987654321"' in body
    assert "leaflet-geoman.min.js" in body and "vendor/leaflet/leaflet.js" in body
    assert "https://" not in re.sub(r'xmlns="[^"]+"', "", body.split("<body")[1])


def test_case_page_in_english(app, client, auth):
    auth.login("officer")
    body = text(client.get(f"/cases/{case_id(app, HELD_REF)}?lang=en"))
    assert "Rehousing of Sample community Don Mueang 2" in body
    assert "10 May 2022" in body and "Treasury land lease to the cooperative" in body
    assert "needs the document: Demolition record" in body
    assert "On hold: Waiting for the embankment works" in body


def test_the_maps_data_from_the_api_is_lon_lat_geojson(app, client, auth):
    auth.login("officer")
    cid = case_id(app, HELD_REF)
    data = client.get(f"/api/cases/{cid}").get_json()
    assert data["ref"] == HELD_REF and data["can_edit"] is True
    lon, lat = data["site"]["coordinates"][0][0]
    assert 100 < lon < 101 and 13 < lat < 14.5
    assert data["plots"] == {"type": "FeatureCollection", "features": []}
    households = client.get(f"/api/cases/{cid}/households").get_json()["items"]
    located = [h for h in households if h["location"] is not None]
    assert len(located) == 221 and located[0]["location"]["type"] == "Point"
    # The map's own view: the fields it draws, the same values, and no more read.
    drawn = client.get(f"/api/cases/{cid}/households?view=map").get_json()
    assert drawn["total"] == len(households) == len(drawn["items"])
    assert drawn["items"] == [{k: h[k] for k in MAP_FIELDS} for h in households]
    with app.app_context(), uow() as work:
        household_id = households[0]["id"]
        reads = work.repo.list_reads(household_id=household_id, limit=10)
    full, mapped = reads[1], reads[0]  # newest first
    assert {"monthly_income", "head_name"} <= set(full.fields) and mapped.via == "households_api"
    assert "head_name" in mapped.fields and set(mapped.fields) < set(full.fields)
    assert "monthly_income" not in mapped.fields and "national_id" not in mapped.fields
    wrong = client.get(f"/api/cases/{cid}/households?view=everything")
    assert wrong.status_code == 422
    assert "view" in wrong.get_data(as_text=True) and "ต้องเป็น" in wrong.get_data(as_text=True)


def test_viewer_sees_counts_but_no_households(app, client, auth):
    auth.login("viewer")
    cid = case_id(app, HELD_REF)
    body = text(client.get(f"/cases/{cid}"))
    assert "หัวหน้าครัวเรือน" not in body.replace("ครัวเรือนทั้งหมด", "")
    assert "KPP-DM-02-H0001" not in body and 'id="households-table"' not in body
    assert 'id="households-hidden"' in body and "221 / 221" in body
    # No forms for a viewer, and the map gets no household locations (personal data).
    assert 'id="move-form"' not in body and 'id="hold-form"' not in body
    assert "leaflet-geoman" not in body
    assert "data-households-url" not in body
    data = client.get(f"/api/cases/{cid}").get_json()
    assert data["can_edit"] is False and "households" not in data
    assert client.get(f"/api/cases/{cid}/households").status_code == 403
    with app.app_context(), uow() as work:
        household_id = work.repo.list_households(cid)[0].id
    assert client.get(f"/cases/households/{household_id}").status_code == 403
    # Nor may a viewer change anything.
    response = client.post(f"/cases/{cid}/hold", data={"action": "release", "version": "1"})
    assert response.status_code == 403


def test_representative_gets_403_on_another_community(app, client, auth):
    auth.login("rep.cc01")
    other = case_id(app, HELD_REF)
    response = client.get(f"/cases/{other}")
    assert response.status_code == 403
    assert "ไม่มีสิทธิ์" in text(response)
    assert client.get(f"/cases/{other}?lang=en").status_code == 403
    assert "may not see case" in text(client.get(f"/cases/{other}?lang=en"))
    response = client.get(f"/api/cases/{other}")
    assert response.status_code == 403 and response.get_json()["error"]["th"]
    own = client.get(f"/cases/{case_id(app, 'KPP-CC-01')}?lang=th")
    assert own.status_code == 200
    body = text(own)
    # A representative edits their community's case, but officers move stages.
    assert 'id="upload-form"' in body and 'id="move-form"' not in body
    assert "ผู้แทนชุมชนแก้ไขข้อมูลได้" in body


def test_unknown_case_is_a_404_page(client, auth):
    auth.login("officer")
    response = client.get("/cases/99999")
    assert response.status_code == 404
    assert "ไม่พบข้อมูล" in text(response)


# -- dashboard -------------------------------------------------------------------------------------
def _progress(body: str) -> dict[str, tuple[str, ...]]:
    rows = table_rows(body, "district")
    # columns: district, households, agreed, finished, under construction, ready, not started
    return {k: (r[2], r[3], r[4], r[5]) for k, r in rows.items()}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_dashboard_shows_the_published_progress_exactly(client, auth, lang):
    auth.login("viewer")
    body = text(client.get(f"/dashboard?lang={lang}"))
    progress = _progress(body)
    assert list(progress) == [*PUBLISHED, "total"]
    for district, expected in PUBLISHED.items():
        assert progress[district] == expected, district
    assert progress["total"] == TOTAL
    names = table_rows(body, "district")
    if lang == "th":
        assert [r[0] for r in names.values()] == ["จตุจักร", "หลักสี่", "ดอนเมือง", "หลักหก", "รวม"]
        assert "ความคืบหน้ารายเขต" in body and "กรณีที่ล่าช้า" in body
    else:
        assert names["total"][0] == "Total" and "Progress by district" in body
    # The chart is inline SVG drawn on the server: bars per month and a cumulative line.
    assert '<svg viewBox="0 0 960 360"' in body and "<polyline" in body
    assert body.count('class="bar"') >= 70
    assert ("2563" in body) if lang == "th" else ("2020" in body)


# Each district's own progress: houses finished out of its households agreed to move.
OWN = {
    "th": {"Chatuchak": "356 จาก 621 ที่ยินยอม = 57 %", "total": "634 จาก 6,340 ที่ยินยอม = 10 %"},
    "en": {"Chatuchak": "356 of 621 agreed = 57 %", "total": "634 of 6,340 agreed = 10 %"},
}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_dashboard_adds_each_districts_own_progress_beside_the_governments_table(
    client, auth, lang
):
    auth.login("viewer")
    body = text(client.get(f"/dashboard?lang={lang}"))
    rows = table_rows(body, "district")
    # The government's columns are untouched; the district's own progress is the last one.
    assert _progress(body)["Chatuchak"] == PUBLISHED["Chatuchak"]
    for district, own in OWN[lang].items():
        assert rows[district][-1] == own, district
    assert rows["Lak Si"][-1].endswith("= 4 %")  # 88 of 2,248
    label = "ความคืบหน้าของเขตเอง" if lang == "th" else "The district's own progress"
    assert label in html.unescape(body)
    hint = "ตามแบบรายงานของรัฐ" if lang == "th" else "as the government reports them"
    assert hint in html.unescape(body)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_dashboard_months_are_months_in_the_buddhist_era_in_thai(client, auth, lang):
    """Tooltips, the chart's summary and the table: 'มี.ค. 2563', never '2020-03', and
    no day a month does not have ('1 มี.ค. 2563')."""
    auth.login("viewer")
    body = text(client.get(f"/dashboard?lang={lang}"))
    chart = body[body.index('id="chart-title"') :]
    assert not re.search(r"\b20\d\d-\d\d\b", chart), re.search(r"\b20\d\d-\d\d\b", chart)
    titles = re.findall(r'class="bar"><title>([^<]*)</title>', chart)
    assert titles and all(re.match(r"^\S+ \d{4}: ", t) for t in titles), titles[:3]
    months = re.findall(r"<tr><td>([^<]*)</td>", chart)
    assert months and all(re.fullmatch(r"\S+ \d{4}", m) for m in months), months[:3]
    if lang == "th":
        assert all(int(m.split()[-1]) > 2500 for m in months)
        assert not re.search(r"<td>\d{1,2} \S+ 25\d\d</td>", chart)
    desc = re.search(r'<desc id="chart-svg-desc">([^<]*)</desc>', chart).group(1)
    assert re.search(r"\S+ \d{4} (ถึง|to) \S+ \d{4}$", desc), desc


def test_dashboard_lists_the_stalled_cases_with_their_hold_reasons(app, client, auth):
    auth.login("officer")
    body = text(client.get("/dashboard"))
    stalled = services.stalled_cases(app_uow(app), user(app, "officer"))
    rows = table_rows(body, "ref")
    assert list(rows) == [s["ref"] for s in stalled]
    assert "รอการก่อสร้างเขื่อนริมคลอง" in rows[HELD_REF][4]
    assert f'href="/cases/{case_id(app, HELD_REF)}"' in body


def test_dashboard_programme_filter(client, auth):
    auth.login("officer")
    assert _progress(text(client.get("/dashboard?programme=canal_side")))["total"] == TOTAL
    body = text(client.get("/dashboard?programme=disaster"))
    assert _progress(body)["total"] == ("0", "0 (0.00 %)", "0 (0.00 %)", "0 (0.00 %)")
    assert "ยังไม่มีบ้านที่สร้างเสร็จ" in body and "ไม่มีกรณีที่ล่าช้า" in body


# -- forms that write ------------------------------------------------------------------------------
def test_refused_move_names_what_is_missing_and_changes_nothing(writable_client, writable_auth):
    client, app = writable_client, writable_client.application
    writable_auth.login("officer")
    cid = case_id(app, HELD_REF)
    before = case_state(app, HELD_REF)
    form = {"to_stage": "temporary_housing", "on": "2026-11-20", "version": "1", "note": "ลองย้าย"}
    response = client.post(f"/cases/{cid}/move", data=form)
    assert response.status_code == 422
    body = text(response)
    assert 'id="error-move"' in body
    assert "ย้ายไปขั้นตอน" in body and "ต้องแนบเอกสาร: บันทึกการรื้อถอน" in body
    assert ">ลองย้าย</textarea>" in body  # what the user typed is kept
    response = client.post(f"/cases/{cid}/move?lang=en", data=form)
    assert "cannot move to" in text(response)
    assert "needs the document: Demolition record" in text(response)
    # A document of the wrong kind is refused too, and not stored.
    wrong = {
        **form,
        "document_kind": "photo",
        "document_file": (io.BytesIO(b"a photo"), "photo.jpg"),
    }
    response = client.post(f"/cases/{cid}/move", data=wrong, content_type="multipart/form-data")
    assert response.status_code == 422
    assert case_state(app, HELD_REF) == before


def test_move_with_a_document_then_the_dashboard_changes(writable_client, writable_auth):
    client, app = writable_client, writable_client.application
    writable_auth.login("officer")
    cid = case_id(app, HELD_REF)
    before = case_state(app, HELD_REF)
    assert HELD_REF in table_rows(text(client.get("/dashboard")), "ref")
    data = {
        "to_stage": "temporary_housing",
        "on": "2569-11-20",  # a Buddhist Era year is taken back to 2026
        "version": "1",
        "note": "รื้อถอนแล้ว",
        "document_kind": ["demolition_record", "other"],
        "document_file": [
            (io.BytesIO("บันทึก".encode()), "demolition-2569.pdf"),
            (io.BytesIO(b""), ""),
        ],
    }
    response = client.post(f"/cases/{cid}/move", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    after = case_state(app, HELD_REF)
    assert after["stage"] == "temporary_housing" and after["hold_reason"] is None
    assert after["version"] == before["version"] + 1
    assert after["documents"] == before["documents"] + 1
    assert str(after["stage_entered_on"]) == "2026-11-20"
    body = text(client.get(response.headers["Location"]))
    assert "ย้ายขั้นตอนแล้ว" in body  # the flash
    assert "20 พ.ย. 2569" in body and "รื้อถอนแล้ว" in body
    assert "บันทึกการรื้อถอน: demolition-2569.pdf" in body  # on the timeline, with its move
    assert HELD_REF not in table_rows(text(client.get("/dashboard")), "ref")
    # A form read before that move (version 1) is stale: "someone else changed this, reload".
    stale = {"to_stage": "construction", "on": "2026-11-21", "version": "1"}
    response = client.post(f"/cases/{cid}/move", data=stale)
    assert response.status_code == 409
    assert "มีผู้อื่นแก้ไขข้อมูลนี้ไปแล้ว" in text(response) and "โหลดหน้าใหม่" in text(response)


def test_hold_release_case_details_budget_and_stale_edits(writable_client, writable_auth):
    client, app = writable_client, writable_client.application
    writable_auth.login("officer")
    cid = case_id(app, "KPP-LS-05")  # cooperative stage, recently entered, not on hold
    url = f"/cases/{cid}"
    version = case_state(app, "KPP-LS-05")["version"]
    # Hold needs a reason.
    response = client.post(f"{url}/hold", data={"action": "hold", "version": version})
    assert response.status_code == 422 and "กรุณาเลือกเหตุที่หยุดชะงัก" in text(response)
    response = client.post(
        f"{url}/hold", data={"action": "hold", "hold_reason": "land_dispute", "version": version}
    )
    assert response.status_code == 302
    assert case_state(app, "KPP-LS-05")["hold_reason"] == "land_dispute"
    body = text(client.get(url))
    assert "หยุดชะงัก: ข้อพิพาทเรื่องที่ดิน" in body
    # A second form read at the old version is refused with "reload".
    response = client.post(f"{url}/hold?lang=en", data={"action": "release", "version": version})
    assert response.status_code == 409
    assert "Someone else changed this" in text(response) and "Reload" in text(response)
    response = client.post(f"{url}/hold", data={"action": "release", "version": version + 1})
    assert response.status_code == 302
    assert case_state(app, "KPP-LS-05")["hold_reason"] is None
    # Case details; an empty Thai title is refused.
    version = case_state(app, "KPP-LS-05")["version"]
    response = client.post(f"{url}/edit", data={"title_th": " ", "version": version})
    assert response.status_code == 422 and "ต้องมีชื่อกรณีภาษาไทย" in text(response)
    response = client.post(
        f"{url}/edit",
        data={
            "title_th": "ย้ายชุมชน <ทดสอบ>",
            "title_en": "Rehousing",
            "cooperative_name": "สหกรณ์ทดสอบ จำกัด",
            "note": "",
            "version": version,
        },
    )
    assert response.status_code == 302
    body = text(client.get(url))
    assert "ย้ายชุมชน &lt;ทดสอบ&gt;" in body and "สหกรณ์ทดสอบ จำกัด" in body
    # Budget: a new line, then an edit with thousands separators; more disbursed than approved
    # is refused with the service's message.
    response = client.post(
        f"{url}/budget",
        data={"kind": "land_loan", "planned": "1,000,000", "approved": "900,000", "disbursed": "0"},
    )
    assert response.status_code == 302
    body = text(client.get(url))
    assert 'value="900,000"' in body
    response = client.post(
        f"{url}/budget",
        data={"kind": "land_loan", "approved": "900,000", "disbursed": "950,000", "version": "1"},
    )
    assert response.status_code == 422
    assert "เบิกจ่าย (950,000) มากกว่าที่อนุมัติ (900,000)" in text(response)
    response = client.post(f"{url}/budget", data={"kind": "land_loan", "approved": "1"})
    assert response.status_code == 422  # an existing line needs the version it was read at


def test_households_documents_and_escaping(writable_client, writable_auth):
    client, app = writable_client, writable_client.application
    writable_auth.login("rep.cc01")  # the community's representative may edit households
    cid = case_id(app, "KPP-CC-01")
    url = f"/cases/{cid}"
    response = client.post(
        f"{url}/households",
        data={
            "head_name": "<script>alert(1)</script>",
            "members": "3",
            "monthly_income": "9000",
            "tenure": "renting",
            "agreed_to_move": "1",
        },
    )
    assert response.status_code == 302
    # The new household is the last; the redirect goes to the page of the table that holds it.
    assert "?household=" in response.headers["Location"]
    body = text(client.get(response.headers["Location"]))
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    with app.app_context(), uow() as work:
        household = work.repo.list_households(cid)[-1]
    page = client.get(f"/cases/households/{household.id}")
    assert page.status_code == 200 and 'name="version" value="1"' in text(page)
    form = {
        "head_name": "นางทดสอบ",
        "house_status": "finished",
        "agreed_to_move": "1",
        "tenure": "cooperative_lease",
        "members": "4",
        "monthly_income": "12000",
        "version": "1",
    }
    response = client.post(f"/cases/households/{household.id}", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"?household={household.id}#hh-{household.id}"
    )
    body = text(client.get(response.headers["Location"]))
    assert "นางทดสอบ" in body
    response = client.post(f"/cases/households/{household.id}", data=form)  # version 1 again
    assert response.status_code == 409 and "มีผู้อื่นแก้ไขข้อมูลนี้ไปแล้ว" in text(response)
    response = client.post(
        f"/cases/households/{household.id}", data={**form, "members": "-1", "version": "2"}
    )
    assert response.status_code == 422  # the service's message, next to the form
    assert 'id="error-household"' in text(response) and "members" in text(response)
    # Upload a document, then download it: an attachment, never sniffed.
    response = client.post(
        f"{url}/documents",
        data={"kind": "photo", "file": (io.BytesIO(b"<html>not a page</html>"), "site.html")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context(), uow() as work:
        document = work.repo.list_documents(cid)[-1]
    response = client.get(f"/cases/documents/{document.id}")
    assert response.status_code == 200
    assert response.data == b"<html>not a page</html>"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "site.html" in response.headers["Content-Disposition"]
    response = client.post(f"{url}/documents", data={"kind": "photo"})
    assert response.status_code == 422 and "กรุณาเลือกไฟล์" in text(response)
    # A representative may not move stages or set budgets: the service says so.
    response = client.post(f"{url}/budget", data={"kind": "land_loan", "approved": "1"})
    assert response.status_code == 403
    # Nor see another community's documents.
    writable_auth.login("rep.cc01")
    with app.app_context(), uow() as work:
        other_doc = work.repo.list_documents(case_id(app, HELD_REF))[0]
    assert client.get(f"/cases/documents/{other_doc.id}").status_code == 403


def test_map_writes_through_the_api_validate_version_and_audit(writable_client, writable_auth):
    """The case page's map saves through the documented API (see app/static/js/case_map.js)."""
    client, app = writable_client, writable_client.application
    writable_auth.login("officer")
    cid = case_id(app, "KPP-LS-05")
    data = client.get(f"/api/cases/{cid}").get_json()
    inner = shape(data["site"]).representative_point()  # plots are drawn inside the site
    lon, lat = inner.x, inner.y
    square = [
        [lon, lat],
        [lon + 0.0001, lat],
        [lon + 0.0001, lat + 0.0001],
        [lon, lat + 0.0001],
        [lon, lat],
    ]
    plot = {"type": "Polygon", "coordinates": [square]}
    response = client.post(
        f"/api/cases/{cid}/plots", json={"plot_no": "1", "kind": "plot", "geometry": plot}
    )
    assert response.status_code == 201
    feature = response.get_json()
    assert 100 < feature["properties"]["area_m2"] < 140  # about 10.8 m x 11.0 m
    # Errors come back in both languages: outside Thailand, wrong type, duplicate number, blank.
    swapped = {"type": "Polygon", "coordinates": [[[y, x] for x, y in square]]}
    response = client.post(f"/api/cases/{cid}/plots", json={"plot_no": "2", "geometry": swapped})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "outside Thailand" in error["en"] and "นอกประเทศไทย" in error["th"]
    response = client.post(
        f"/api/cases/{cid}/plots",
        json={"plot_no": "3", "geometry": {"type": "Point", "coordinates": [lon, lat]}},
    )
    assert response.status_code == 422
    response = client.post(f"/api/cases/{cid}/plots", json={"plot_no": "1", "geometry": plot})
    assert response.status_code == 422 and "มีแปลง 1 อยู่แล้ว" in response.get_json()["error"]["th"]
    response = client.post(f"/api/cases/{cid}/plots", json={"plot_no": " ", "geometry": plot})
    assert response.status_code == 422 and "ต้องไม่เว้นว่าง" in response.get_json()["error"]["th"]
    # Edit the plot at its version; a stale version is a 409.
    pid = feature["properties"]["id"]
    bigger = [[x + (0.00005 if x > lon else 0), y] for x, y in square]
    response = client.patch(
        f"/api/plots/{pid}",
        json={"geometry": {"type": "Polygon", "coordinates": [bigger]}, "version": 1},
    )
    assert response.status_code == 200
    assert response.get_json()["properties"]["version"] == 2
    response = client.patch(f"/api/plots/{pid}", json={"geometry": plot, "version": 1})
    assert response.status_code == 409
    # The site, at the case's version.
    site = data["site"]
    response = client.patch(f"/api/cases/{cid}", json={"site": site, "version": 99})
    assert response.status_code == 409
    response = client.patch(f"/api/cases/{cid}", json={"site": site, "version": data["version"]})
    assert response.status_code == 200
    # A household's location.
    household = client.get(f"/api/cases/{cid}/households").get_json()["items"][0]
    response = client.patch(
        f"/api/households/{household['id']}",
        json={
            "location": {"type": "Point", "coordinates": [lon, lat]},
            "version": household["version"],
        },
    )
    assert response.status_code == 200
    # Delete the plot at its version: a stale one is a 409, the current one a 204.
    assert client.delete(f"/api/plots/{pid}?version=1").status_code == 409
    assert client.delete(f"/api/plots/{pid}?version=2").status_code == 204
    assert client.get(f"/api/cases/{cid}").get_json()["plots"]["features"] == []
    actions = [(a.action, a.entity) for a in services.audit_log(app_uow(app), user(app, "officer"))]
    assert ("create", "plot") in actions and ("delete", "plot") in actions
    # A viewer may read the map but not change it.
    writable_auth.login("viewer")
    response = client.post(f"/api/cases/{cid}/plots", json={"plot_no": "9", "geometry": plot})
    assert response.status_code == 403 and response.get_json()["error"]["en"]


def test_new_case_page(writable_client, writable_auth):
    client = writable_client
    writable_auth.login("viewer")
    assert client.get("/cases/new").status_code == 403
    writable_auth.login("officer")
    body = text(client.get("/cases/new"))
    assert 'name="site"' in body and "KPP-CC-01" in body and "ย้ายชุมชนริมคลอง" in body
    form = {
        "community_id": "KPP-LS-05",
        "case_type": "baan_mankong",
        "variant": "reblocking",
        "title_th": "ปรับผังชุมชน",
        "title_en": "Reblocking",
        "site": "",
    }
    response = client.post("/cases/new", data=form)
    assert response.status_code == 422 and "กรุณาวาดขอบเขตพื้นที่บนแผนที่ก่อน" in text(response)
    assert 'value="ปรับผังชุมชน"' in text(response)  # kept
    square = [
        [100.60, 13.88],
        [100.601, 13.88],
        [100.601, 13.881],
        [100.60, 13.881],
        [100.60, 13.88],
    ]
    form["site"] = json.dumps({"type": "Polygon", "coordinates": [square]})
    response = client.post("/cases/new", data={**form, "variant": "fire"})
    assert response.status_code == 422 and "ไม่รู้จักประเภทย่อย" in text(response)
    response = client.post("/cases/new", data=form)
    assert response.status_code == 302
    body = text(client.get(response.headers["Location"]))
    assert "เปิดกรณีใหม่แล้ว" in body and "ปรับผังชุมชน" in body and "สำรวจชุมชนและครัวเรือน" in body


# -- CSRF ------------------------------------------------------------------------------------------
def test_forms_and_map_saves_without_a_csrf_token_are_refused(writable_config):
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, **writable_config})
    client = app.test_client()
    # Even the login form needs its token.
    login = {"username": "officer", "password": AuthActions.passwords["officer"]}
    assert client.post("/auth/login", data=login).status_code == 400
    page = text(client.get("/auth/login"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={**login, "csrf_token": token})
    assert response.status_code == 302
    cid = case_id(app, "KPP-LS-05")
    body = text(client.get(f"/cases/{cid}"))
    token = re.search(r'name="csrf-token" content="([^"]+)"', body).group(1)
    assert body.count(f'name="csrf_token" value="{token}"') >= 4
    form = {"action": "hold", "hold_reason": "other", "version": "1"}
    response = client.post(f"/cases/{cid}/hold", data=form)
    assert response.status_code == 400
    assert "แบบฟอร์มหมดอายุหรือมาจากเว็บอื่น" in text(response)
    assert case_state(app, "KPP-LS-05")["hold_reason"] is None
    response = client.post(f"/cases/{cid}/hold", data={**form, "csrf_token": "forged"})
    assert response.status_code == 400
    response = client.post(f"/cases/{cid}/hold", data={**form, "csrf_token": token})
    assert response.status_code == 302
    assert case_state(app, "KPP-LS-05")["hold_reason"] == "other"
    # The map saves through the API with the session cookie: it sends the token as a header.
    site = client.get(f"/api/cases/{cid}").get_json()["site"]
    body = {"site": site, "version": 2}
    assert client.patch(f"/api/cases/{cid}", json=body).status_code == 400
    response = client.patch(f"/api/cases/{cid}", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_form_dates_may_be_given_in_the_buddhist_era():
    from datetime import date

    from app.cases_views import _parse_date
    from cases.errors import InvalidInput

    assert _parse_date("2026-11-20") == date(2026, 11, 20)
    assert _parse_date("2569-11-20") == date(2026, 11, 20)
    assert _parse_date("2567-02-29") == date(2024, 2, 29)  # a leap day in B.E. 2567
    assert _parse_date("") is None
    for bad in ("2026-13-01", "20/11/2569", "x"):
        with pytest.raises(InvalidInput):
            _parse_date(bad)


def test_representative_dashboard_is_their_community_only(client, auth):
    auth.login("rep.cc01")
    body = text(client.get("/dashboard"))
    progress = table_rows(body, "district")
    assert list(progress) == ["Chatuchak", "total"]
    assert progress["total"][1:4] == ["94", "94", "94 (100.00 %)"]
    assert "รวม 94 หลัง" in body  # the chart counts their houses only


def test_the_drawn_dashboard_is_kept_per_scope_and_language_never_shared(client, auth):
    """The tables are drawn once per store generation and kept as HTML: an officer's
    national page, drawn first, is never what a representative or an English reader gets."""
    auth.login("officer")
    officer_th = text(client.get("/dashboard"))
    assert list(table_rows(officer_th, "district"))[-1] == "total"
    assert len(table_rows(officer_th, "district")) > 2
    assert '<html lang="th">' in officer_th and "ความคืบหน้า" in officer_th
    officer_en = text(client.get("/dashboard?lang=en"))
    assert "ความคืบหน้า" not in officer_en.split("<main", 1)[1]
    auth.logout()
    auth.login("rep.cc01")
    rep = text(client.get("/dashboard?lang=th"))
    assert list(table_rows(rep, "district")) == ["Chatuchak", "total"]
    auth.logout()
    auth.login("officer")
    assert (
        text(client.get("/dashboard?lang=th")).split("<main", 1)[1]
        == officer_th.split("<main", 1)[1]
    )
