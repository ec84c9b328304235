"""A new housing officer's first project, end to end in a real headless Chromium, on an
empty store of its own (no sample): Khon Kaen communities from a Google Earth KML (fields
mapped on the page), their cases from the layer, a household added by hand, the survey
form downloaded, an ODK Central CSV zip (photos, members) built from that form imported
on the case page (preview, then confirm), the conflict it raises resolved, the province
on the dashboard, and a municipality viewer who sees counts and never a name.

Requests to other hosts are aborted and fail the test; console errors fail it too.
Screenshots go to tests/output/<test name>/ (git-ignored): look at them after a run.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from app import create_app
from cases import register, services
from cases.policy import OFFICER, VIEWER
from cases.store import CaseStore
from tests.conftest import serve
from tests.test_anywhere import PLACES, khon_kaen_kml
from tests.test_cases_browser import Session
from tests.test_survey_acceptance import _jpeg, _national_id, form_questions, write_odk_zip

pytestmark = pytest.mark.browser

USERS = {"kk": ("khonkaen-officer-1", OFFICER), "kkviewer": ("khonkaen-viewer-1", VIEWER)}
PHONE = {"width": 390, "height": 844}
COMMUNITY = PLACES[1][0]  # ชุมชนโนนหนองวัด
BY_HAND = "นายสมศักดิ์ ใจงาม"
SURVEYED = ["นางคำปุ่น ศรีเมือง", "ด.ช. ภูมิ ศรีเมือง"]


@pytest.fixture
def server(store_config):
    """The real app (CSRF on) over an empty store with an officer and a viewer."""
    store = CaseStore(
        store_config["PLANNER_HOME"],
        store_config["DATABASE_URL"],
        schema=store_config["DATABASE_SCHEMA"],
    )
    for name, (password, role) in USERS.items():
        services.add_user(store.uow(), name, password, role)
    store.dispose()
    with serve(create_app({"TESTING": True, **store_config})) as url:
        yield url


@pytest.fixture
def session(browser, server, output_dir):
    s = Session(browser, server, output_dir)
    yield s
    s.close()


def _login(session, username):
    page = session.page
    session.goto("/auth/login")
    page.fill("#username", username)
    page.fill("#password", USERS[username][0])
    page.click("button[type=submit]")
    expect(page.locator("#who")).to_contain_text(username)


def _survey(case_ref: str, household_no: int) -> list[dict]:
    """A new household (two members, a photo) and a re-survey of the hand-added household
    (its hidden household_no) with another income."""

    def answers(i, head, number, income, members, lat, lon):
        return {
            "case_ref": case_ref,
            "household_no": number,
            "form_version": register.REGISTER_VERSION,
            "consent_given": "yes",
            "consent_sensitive": "no",
            "consent_on": "2026-11-30",
            "consent_by": "อาสาสมัคร มาลี",
            "head_name": head,
            "national_id": _national_id(10 + i),
            "phone": f"08123456{i:02d}",
            "address_no": f"{40 + i} หมู่ 5",
            "province_code": "40",
            "district_code": "4001",
            "occupation": "vendor",
            "monthly_income": str(income),
            "years_here": "12",
            "tenure": "other",
            "house_condition": "poor",
            "savings_member": "yes",
            "monthly_saving": "100",
            "photo_house": f"house-kk-{i}.jpg",
            "_gps": (lat, lon, 160.0, 4.0),
            "_members": members,
            "_instance": f"uuid:4000000{i}-aaaa-4bbb-8ccc-00000000000{i}",
            "_photo": _jpeg(60 * i),
        }

    new = answers(
        1,
        SURVEYED[0],
        "",
        7500,
        [
            {"name": SURVEYED[0], "sex": "female", "birth_year": "2512", "relation": "head"},
            {"name": SURVEYED[1], "sex": "male", "birth_year": "2558", "relation": "child"},
        ],
        16.4315,
        102.8315,
    )
    again = answers(
        2,
        BY_HAND,
        str(household_no),
        12000,
        [{"name": BY_HAND, "sex": "male", "birth_year": "2505", "relation": "head"}],
        16.4320,
        102.8320,
    )
    return [new, again]


def _fits_a_phone(session, name: str) -> None:
    """The page as it is, at 390 px wide: nothing pushes it sideways."""
    page = session.page
    wide = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        page.wait_for_function(f"document.documentElement.clientWidth === {PHONE['width']}")
        session.shot(f"phone-{name}", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    finally:
        page.set_viewport_size(wide)


def test_a_new_officer_runs_a_khon_kaen_survey_and_the_viewer_sees_counts(session, tmp_path):
    page = session.page
    _login(session, "kk")

    # 1. Three communities from a Google Earth KML; the file's fields mapped on the page.
    page.click("nav.page-nav >> text=นำเข้าข้อมูล")
    page.set_input_files(
        "#file",
        files=[
            {
                "name": "ชุมชนขอนแก่น.kml",
                "mimeType": "application/vnd.google-earth.kml+xml",
                "buffer": khon_kaen_kml(),
            }
        ],
    )
    page.select_option("#layer", "communities")
    page.click("button[value=fields]")
    expect(page.locator("#mapping")).to_contain_text("ชุมชนขอนแก่น.kml")
    expect(page.locator("#mapto-name_th")).to_have_value("name")
    session.shot("field-mapping", full_page=True)
    page.click("button[value=import]")
    report = page.locator("#import-result .report")
    expect(report.locator("dd[data-status=written]")).to_have_text("บันทึกแล้ว")
    expect(report).to_contain_text("3 / 3")
    expect(report).to_contain_text("name → name_th")
    session.shot("import-report", full_page=True)

    # 2. Their cases: a preview, then the confirmation.
    page.click("nav.page-nav >> text=เปิดกรณีจากชั้นข้อมูลชุมชน")
    page.select_option("#lc-layer", "communities")
    page.select_option("#lc-programme", "baan_mankong")
    page.select_option("#lc-province", "40")
    page.select_option("#lc-district", "4001")
    page.click("#layer-cases-form button[value=preview]")
    plan = page.locator("#layer-cases-plan")
    expect(plan).to_have_attribute("data-to-open", "3")
    expect(plan).to_have_attribute("data-written", "no")
    expect(plan.locator("tbody tr")).to_have_count(3)
    expect(plan.locator("tbody tr").first).to_contain_text("40 ขอนแก่น")
    page.click("#layer-cases-confirm")
    expect(plan).to_have_attribute("data-written", "yes")
    session.shot("cases-opened", full_page=True)
    page.click("#layer-cases-plan a")
    expect(page.locator("#result-count")).to_contain_text("3")

    # 3. One case; a household added by hand.
    page.click(f"tr:has-text('{COMMUNITY}') a")
    expect(page.locator("h1")).to_contain_text(COMMUNITY)
    case_path = urlparse(page.url).path
    case_ref = page.locator("h1 .case-ref").inner_text().strip()
    session.wait_for_map()
    page.fill("#new-head", BY_HAND)
    page.fill("#new-members", "3")
    page.fill("#new-income", "9000")
    page.click("#add-household-form button[type=submit]")
    expect(page.locator(".flash")).to_have_text("เพิ่มครัวเรือนแล้ว")
    rows = page.locator("#households-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("9,000")
    household_no = int(rows.first.locator("td").first.inner_text())

    # 4. The survey form (XLSForm) from the case page.
    with page.expect_download() as download:
        page.click("#survey-form-link")
    form_name = download.value.suggested_filename
    assert form_name.endswith(".xlsx")
    download.value.save_as(tmp_path / form_name)
    xlsx = (tmp_path / form_name).read_bytes()

    # 5. What comes back from ODK Central: a CSV zip with the members and photos.
    main_cols, repeat_cols = form_questions(xlsx)
    assert {"case_ref", "household_no", "head/head_name"} <= set(main_cols)
    odk_zip = tmp_path / "odk-central.zip"
    write_odk_zip(
        odk_zip,
        form_name.removesuffix(".xlsx"),
        main_cols,
        repeat_cols,
        _survey(case_ref, household_no),
    )

    # 6. Imported on the case page: upload, preview (nothing written), confirm.
    page.click("#survey-import-link")
    page.set_input_files("#survey-file", str(odk_zip))
    page.click("#survey-upload button[type=submit]")
    expect(page.locator("#survey-report-title")).to_contain_text("ยังไม่บันทึก")
    expect(page.locator("#survey-rows tr[data-status=new]")).to_have_count(1)
    expect(page.locator("#survey-rows tr[data-status=conflict]")).to_have_count(1)
    expect(page.locator("#survey-rows tr[data-status=conflict]")).to_contain_text(
        "รายได้ครัวเรือนต่อเดือน"
    )
    session.shot("survey-preview", full_page=True)
    _fits_a_phone(session, "survey-preview")
    page.click("#survey-confirm button[type=submit]")
    expect(page.locator("#survey-report-title")).to_have_text("นำเข้าเรียบร้อย")
    expect(page.locator("#survey-rows tr[data-status=new]")).to_have_count(1)

    # 7. Back on the case page: two surveyed, two conflicts (the income, and the member
    # count typed by hand against the survey's list); take the survey's income, keep the count.
    page.click("text=กลับไปหน้ากรณี")
    expect(page.locator("#survey-surveyed")).to_have_text("2")
    expect(page.locator("#survey-conflict-count")).to_have_text("2")
    expect(page.locator("#households-table tbody tr")).to_have_count(2)
    expect(page.locator("#households-table")).to_contain_text(SURVEYED[0])
    expect(page.locator("#survey-conflicts tbody tr")).to_have_count(2)
    members = page.locator("#survey-conflicts tbody tr", has_text="สมาชิก")
    expect(members).to_contain_text("3")
    conflict = page.locator("#survey-conflicts tbody tr", has_text="12,000")
    expect(conflict).to_contain_text("9,000")
    expect(conflict).to_contain_text("12,000")
    session.wait_for_map()
    page.locator("#survey").scroll_into_view_if_needed()
    session.shot("conflict")
    _fits_a_phone(session, "case-page")
    conflict.locator("button[value=survey]").click()
    expect(page.locator(".flash")).to_have_text("บันทึกการตัดสินแล้ว")
    expect(page.locator("#survey-conflict-count")).to_have_text("1")
    page.locator("#survey-conflicts tbody tr", has_text="สมาชิก").locator(
        "button[value=officer]"
    ).click()
    expect(page.locator("#survey-conflict-count")).to_have_text("0")
    expect(page.locator("#survey-conflicts")).to_have_count(0)
    by_hand = page.locator(f"#households-table tbody tr:has-text('{BY_HAND}')")
    expect(by_hand).to_contain_text("12,000")
    session.shot("conflict-resolved", full_page=True)
    # The surveyed household's register: its consent date in the Buddhist Era, and the
    # members table scrolls in its own box on a phone.
    page.locator("#households-table tbody tr", has_text=SURVEYED[0]).locator("a").first.click()
    expect(page.locator("#hh-consent_on-be")).to_have_text(re.compile(r"= \d+ \S+ 25\d\d"))
    _fits_a_phone(session, "household")
    page.go_back()

    # 8. The province on the dashboard.
    page.click("nav.page-nav >> text=ภาพรวมความคืบหน้า")
    province = page.locator("tr[data-province-code='40']")
    expect(province).to_contain_text("ขอนแก่น")
    expect(province.locator("td[data-col=households]")).to_have_text("2")
    expect(page.locator("tr[data-district-code='4001']")).to_contain_text("เมืองขอนแก่น")
    session.shot("dashboard", full_page=True)

    # 9. The municipality viewer: counts only, never a name.
    page.click(".logout-form button")
    _login(session, "kkviewer")
    session.goto(case_path)
    session.wait_for_map()
    expect(page.locator("#households-hidden")).to_be_visible()
    expect(page.locator("#household-status-counts")).to_contain_text("2")
    expect(page.locator("#survey-surveyed")).to_have_text("2")
    expect(page.locator("#households-table")).to_have_count(0)
    expect(page.locator("#survey-import-link")).to_have_count(0)
    names = [BY_HAND, *SURVEYED]
    html = page.content()
    assert not [n for n in names if n in html]
    session.shot("viewer-case", full_page=True)
    session.goto("/dashboard")
    expect(page.locator("tr[data-province-code='40']")).to_contain_text("ขอนแก่น")
    assert not [n for n in names if n in page.content()]
    survey = page.request.get(session.base + case_path + "/survey.json").json()
    assert survey["surveyed"] == 2 and survey["conflicts"] == 0
    assert "structures" not in survey and "open_conflicts" not in survey
    assert not [n for n in names if n in str(survey)]
    assert page.request.get(session.base + case_path + "/survey-import").status == 403
    session.check_clean()
    assert re.fullmatch(r"[\w-]+", case_ref)
