"""Subject access (PDPA s30, s31; issue 14 item 3) on both stores: a household with
consent (general and explicit), a disabled member and coded register fields, viewed by an
officer, exported as JSON and as a Thai PDF (read with pypdf) from the household page's
buttons and from `planner pdpa export`; refused to viewers and community representatives;
the export itself audited and in the read log."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from click.testing import CliRunner

from app import create_app
from app.application import pdpa as app_pdpa
from app.cli import main
from cases import register, services
from cases.errors import Forbidden
from cases.model import User
from tests.conftest import DATABASE_URL, AuthActions

pypdf = pytest.importorskip("pypdf")

OFFICER = User(username="officer", role="officer")
ADMIN = User(username="admin", role="admin")
REP = User(username="rep.cc01", role="community_rep", community_id="KPP-CC-01")
CASE = "KPP-CC-01"  # rep.cc01's community
TODAY = services.today_in_thailand()


@pytest.fixture(autouse=True)
def _today_in_thailand():
    """Today where the cases are, read afresh for each test: a run that passes
    midnight in Bangkok (17:00 UTC) must not compare against the day it started."""
    global TODAY
    TODAY = services.today_in_thailand()


HEAD = "นางสมศรี ใจดี"
NATIONAL_ID = "110170012345" + register.national_id_check_digit("110170012345")
# The codes of the choice fields this household holds: never shown in the family's PDF.
CODES = ("daily_wage", "poor", "female", "male", "spouse", "not_started", "consent:given")


@pytest.fixture
def store(sample_cases_store):
    return sample_cases_store


@pytest.fixture
def household(store):
    """A household of CASE with both consents, a disabled and an elderly member, coded
    register fields and two members."""
    with store.uow() as uow:
        case = uow.repo.get_case_by_ref(CASE)
    hh = services.list_households(store.uow(), OFFICER, case.id)[0]
    yesterday = TODAY - timedelta(days=1)
    form = {"filename": "หนังสือยินยอม.pdf", "content_type": "application/pdf", "data": b"%PDF-1.4"}
    services.record_consent(
        store.uow(),
        OFFICER,
        hh.id,
        scope="general",
        on=yesterday,
        taken_by="อาสาสมัคร สมใจ",
        new_document=form,
    )
    saved, _ = services.record_consent(store.uow(), OFFICER, hh.id, scope="sensitive", on=TODAY)
    saved = services.update_household(
        store.uow(),
        OFFICER,
        hh.id,
        {
            "head_name": HEAD,
            "disabled": 1,
            "elderly": 1,
            "occupation": "daily_wage",
            "house_condition": "poor",
            "national_id": NATIONAL_ID,
        },
        saved.version,
    )
    services.set_members(
        store.uow(),
        OFFICER,
        hh.id,
        [
            {"name": HEAD, "sex": "female", "birth_year": 2510, "relation": "head"},
            {"name": "นายสมชาย ใจดี", "sex": "male", "birth_year": 2508, "relation": "spouse"},
        ],
        saved.version,
    )
    return services.get_household(store.uow(), OFFICER, hh.id)


@pytest.fixture
def web(store, store_config):
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **store_config})


def _client(app, username):
    client = app.test_client()
    assert AuthActions(client).login(username).status_code == 302
    return client


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text with ำ read as า: Sarabun's shared glyph comes back from pypdf as
    either (tests/test_layout_outputs.py); compare with `_flat` words."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return _flat("\n".join(page.extract_text() for page in reader.pages))


def _flat(text: str) -> str:
    """Without ำ (read as า) and without spaces or line breaks (a table cell wraps)."""
    return re.sub(r"\s+", "", text.replace("\u0e33", "\u0e32"))


def _check_json(data: dict, household) -> None:
    assert data["format"] == "planner.subject_access/1"
    assert data["household"]["id"] == household.id and data["case"]["ref"] == CASE
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", data["exported_at"])
    fields = {f["name"]: f for f in data["fields"]}
    assert fields["head_name"]["value"] == HEAD
    assert fields["national_id"]["value"] == NATIONAL_ID  # the family's own, in full
    assert fields["disabled"]["value"] == 1
    assert fields["disabled"]["privacy"]["basis"] == "s26"
    assert fields["disabled"]["privacy"]["class"] == "sensitive"
    assert fields["occupation"]["value"] == "daily_wage"
    assert fields["occupation"]["value_label"] == {"th": "รับจ้างรายวัน", "en": "Daily wage worker"}
    assert fields["phone"]["privacy"]["purpose"] == "contact"
    assert fields["consent_on"]["value"] == TODAY.isoformat()
    members = data["members"]
    assert [m["relation"] for m in members] == ["head", "spouse"]
    assert members[0]["sex_label"]["th"] == "หญิง" and members[0]["birth_year_be"] == 2510
    consent = [(e["action"], e["scope"]) for e in data["consent"]]
    assert consent == [("given", "general"), ("given", "sensitive")]
    assert data["consent"][0]["taken_by"] == "อาสาสมัคร สมใจ"
    assert data["consent"][1]["purposes"] == ["vulnerability_support"]
    (document,) = data["documents"]
    assert document["kind"] == "consent_form" and document["filename"] == "หนังสือยินยอม.pdf"
    assert document["size_bytes"] == 8 and document["kind_label"]["th"]
    assert data["consent"][0]["document_id"] == document["id"]
    actions = [a["action"] for a in data["audit"]]
    assert actions.count("consent:given") == 2 and "update" in actions and "members" in actions
    update = next(a for a in data["audit"] if a["action"] == "update")
    assert {"disabled", "occupation", "national_id"} <= set(update["fields_changed"])
    assert update["username"] == "officer" and update["action_label"]["th"] == "แก้ไข"
    reads = [(r["username"], r["via"]) for r in data["reads"]]
    assert ("officer", "household_page") in reads
    page_read = next(r for r in data["reads"] if r["via"] == "household_page")
    assert "vulnerability" in page_read["fields"] and page_read["role_label"]["th"] == "เจ้าหน้าที่"


def _check_pdf(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    for heading in (
        "ข้อมูลส่วนบุคคลของครัวเรือนที่ระบบเก็บไว้",
        "ข้อมูลในทะเบียนครัวเรือน",
        "สมาชิกในครัวเรือน",
        "ประวัติความยินยอม",
        "ประวัติการแก้ไขข้อมูล",
        "ประวัติการเข้าดูข้อมูล",
    ):
        assert _flat(heading) in text, heading
    assert "สมศรี" in text and "ใจดี" in text  # the head's name
    assert NATIONAL_ID in text
    assert str(TODAY.year + 543) in text  # Buddhist Era
    assert str(TODAY.year) not in text  # no C.E. date
    assert _flat("หนังสือยินยอม.pdf") in text  # the documents, listed
    for said in ("รับจ้างรายวัน", "ทรุดโทรม", "หญิง", "คู่สมรส", "เจ้าหน้าที่"):
        assert _flat(said) in text, said
    for code in CODES:
        assert code not in text, code
    assert _flat("หน้า 1 จาก") in text  # page numbers
    return text


def test_export_on_the_page_json_and_pdf_logged_and_refused_to_others(web, store, household):
    officer, rep, viewer = (_client(web, u) for u in ("officer", "rep.cc01", "viewer"))
    page = officer.get(f"/cases/households/{household.id}")  # a read, in the read log
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="pdpa-export-pdf"' in html
    assert "ส่งออกข้อมูลของครัวเรือนนี้ (มาตรา 30)" in html
    rep_page = rep.get(f"/cases/households/{household.id}")
    assert rep_page.status_code == 200
    assert 'id="pdpa-export' not in rep_page.get_data(as_text=True)

    url = f"/cases/households/{household.id}/pdpa-export"
    for client in (rep, viewer):
        for ext in ("json", "pdf"):
            assert client.get(f"{url}.{ext}").status_code == 403, ext

    # Another site's link or script cannot make an export (each one is audited and logged).
    for site in ("cross-site", "same-site"):
        forged = officer.get(f"{url}.pdf", headers={"Sec-Fetch-Site": site})
        assert forged.status_code == 403, site
    clicked = officer.get(f"{url}.json", headers={"Sec-Fetch-Site": "same-origin"})
    assert clicked.status_code == 200

    got = officer.get(f"{url}.json")
    assert got.status_code == 200 and got.mimetype == "application/json"
    # The view says "private, no-store"; app/security_headers.py sets every logged-in
    # answer to "no-store", which is stricter.
    assert "no-store" in got.headers["Cache-Control"]
    name = f"household-{household.id}-pdpa-export-{TODAY.isoformat()}.json"
    assert name in got.headers["Content-Disposition"]
    data = json.loads(got.get_data().decode("utf-8"))
    _check_json(data, household)
    assert ("rep.cc01", "household_page") in [(r["username"], r["via"]) for r in data["reads"]]

    got = officer.get(f"{url}.pdf")
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert "no-store" in got.headers["Cache-Control"]
    text = _check_pdf(got.get_data())
    assert _flat("ส่งออกข้อมูลตามคำขอของเจ้าของข้อมูล") in text  # the JSON export, in the PDF's logs

    # The three exports were audited and logged as reads of the household.
    audit = services.audit_log(store.uow(), ADMIN, entity="household", entity_id=household.id)
    assert [a.action for a in audit].count("subject_access") == 3  # not the forged two
    reads = services.read_log(store.uow(), ADMIN, household_id=household.id)
    exports = [r for r in reads if r.via == "subject_access"]
    assert len(exports) == 3 and {"national_id", "vulnerability", "consent"} <= set(
        exports[0].fields
    )


def test_only_officers_and_admins_export(store, household):
    with pytest.raises(Forbidden):
        services.subject_access_records(store.uow(), REP, household.id)
    access = app_pdpa.subject_access(store.uow(), ADMIN, household.id, controller="สำนักงานทดสอบ")
    assert access.data["controller"] == "สำนักงานทดสอบ"
    assert access.data["exported_by"]["role_label"]["en"] == "Admin"


def test_planner_pdpa_export_writes_both_files(store, store_config, household, tmp_path):
    env = {"PLANNER_HOME": store_config["PLANNER_HOME"], "PLANNER_CONTROLLER_NAME": "พอช. ภาคกลาง"}
    if DATABASE_URL:
        env["DATABASE_URL"] = DATABASE_URL
        env["PLANNER_DATABASE_SCHEMA"] = store_config["DATABASE_SCHEMA"]
    services.log_reads(
        store.uow(), OFFICER, "household_page", [(household.id, ["head_name", "vulnerability"])]
    )
    services.record_request(
        store.uow(), ADMIN, kind="access", received_on=TODAY, household_id=household.id
    )
    out = tmp_path / "exports"
    result = CliRunner().invoke(
        main, ["pdpa", "export", "--household", str(household.id), "--out", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    stem = f"household-{household.id}-pdpa-export-{TODAY.isoformat()}"
    json_path, pdf_path = out / f"{stem}.json", out / f"{stem}.pdf"
    assert str(json_path) in result.output and str(pdf_path) in result.output
    # A family's data with its full national ID: readable by the officer's account only.
    assert {json_path.stat().st_mode & 0o777, pdf_path.stat().st_mode & 0o777} == {0o600}
    assert "เขียนข้อมูลของครัวเรือน" in result.output and "wrote household" in result.output
    data = json.loads(json_path.read_text(encoding="utf-8"))
    _check_json(data, household)
    assert data["controller"] == "พอช. ภาคกลาง"
    assert data["request"]["kind"] == "access" and data["request"]["status"] == "open"
    text = _check_pdf(pdf_path.read_bytes())
    assert _flat("พอช. ภาคกลาง") in text
    assert _flat("วันที่รับคำขอ") in text and _flat("ขอเข้าถึงและขอรับสำเนา (มาตรา 30)") in text
    missing = CliRunner().invoke(
        main, ["pdpa", "export", "--household", "999999", "--out", str(out)], env=env
    )
    assert missing.exit_code == 1
