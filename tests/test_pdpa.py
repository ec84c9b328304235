"""PDPA on both stores (issue 14; docs/decisions/0025): migration 0007 and its backfill,
the consent ledger (services, survey import, API), the read log (pages and API, in one
insert for a list), the breach register, and the `planner pdpa` commands."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from app import create_app
from app.application import pdpa as app_pdpa
from app.cli import main
from cases import orm, privacy, register, services
from cases.db import case_store_url, make_engine, migrate
from cases.model import User
from cases.services.surveys import SurveyRecord
from tests.conftest import DATABASE_URL, AuthActions

OFFICER = User(username="officer", role="officer")
ADMIN = User(username="admin", role="admin")
VIEWER = User(username="viewer", role="viewer")
CASE = "KPP-CC-01"  # rep.cc01's community
TODAY = services.today_in_thailand()


@pytest.fixture(autouse=True)
def _today_in_thailand():
    """Today where the cases are, read afresh for each test: a run that passes
    midnight in Bangkok (17:00 UTC) must not compare against the day it started."""
    global TODAY
    TODAY = services.today_in_thailand()


@pytest.fixture
def store(sample_cases_store):
    return sample_cases_store


def _households(store, ref=CASE):
    with store.uow() as uow:
        case = uow.repo.get_case_by_ref(ref)
    return case, services.list_households(store.uow(), OFFICER, case.id)


# -- migration 0007 -----------------------------------------------------------------------
def test_migration_0007_backfills_the_ledger_from_the_consent_on_record(store_config):
    Path(store_config["PLANNER_HOME"]).mkdir(parents=True)
    url = case_store_url(store_config["PLANNER_HOME"], DATABASE_URL)
    engine = make_engine(url, schema=store_config["DATABASE_SCHEMA"])
    migrate(engine, "0006")
    with engine.begin() as conn:
        conn.execute(
            orm.communities.insert(),
            {"id": "X-1", "name_th": "ก", "name_en": "A", "district_en": "D", "district_th": "ด"},
        )
        conn.execute(
            orm.cases.insert(),
            {
                "ref": "X-1",
                "community_id": "X-1",
                "case_type": "canal_side",
                "programme": "canal_side",
                "title_th": "ก",
                "title_en": "A",
                "stage": "survey",
                "stage_entered_on": date(2025, 1, 1),
            },
        )
        case_id = conn.execute(sa.select(orm.cases.c.id)).scalar()
        base = {"case_id": case_id, "tenure": "other", "agreed_to_move": False}
        base.update(house_status="not_started", consent_given=None, consent_sensitive=None)
        base.update(consent_on=None, consent_by="")
        conn.execute(
            orm.households.insert(),
            [
                {
                    **base,
                    "household_no": 1,
                    "consent_given": True,
                    "consent_on": date(2025, 3, 1),
                    "consent_by": "อาสา ก",
                    "consent_sensitive": True,
                },
                {**base, "household_no": 2, "consent_given": True, "consent_by": ""},
                {**base, "household_no": 3},
            ],
        )
    migrate(engine, "0007")
    with engine.connect() as conn:
        rows = (
            conn.execute(sa.select(orm.consent_events).order_by(orm.consent_events.c.id))
            .mappings()
            .all()
        )
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert version == "0007"
    assert [(r["action"], r["scope"], r["purposes"], r["source"]) for r in rows] == [
        ("given", "general", ["contact"], "register"),
        ("given", "sensitive", ["vulnerability_support"], "register"),
        ("given", "general", ["contact"], "register"),
    ]
    assert rows[0]["on"] == date(2025, 3, 1) and rows[0]["taken_by"] == "อาสา ก"
    assert rows[0]["recorded_by"] == "migration 0007"


# -- the ledger on the real store --------------------------------------------------------------
def test_the_ledger_and_the_household_stay_in_step(store):
    _, households = _households(store)
    household = households[0]
    saved, _ = services.record_consent(
        store.uow(), OFFICER, household.id, scope="sensitive", on=TODAY - timedelta(days=1)
    )
    saved = services.update_household(
        store.uow(), OFFICER, household.id, {"elderly": 2, "chronically_ill": 1}, saved.version
    )
    after, event, cleared = services.withdraw_consent(
        store.uow(), OFFICER, household.id, scope="sensitive"
    )
    assert cleared == ["elderly", "chronically_ill"]
    stored = services.get_household(store.uow(), OFFICER, household.id)
    assert (stored.consent_sensitive, stored.elderly, stored.chronically_ill) == (False, None, None)
    ledger = services.consent_ledger(store.uow(), OFFICER, household.id)
    assert [(e.action, e.scope) for e in ledger] == [
        ("given", "sensitive"),
        ("withdrawn", "sensitive"),
    ]
    assert ledger[1].id == event.id and ledger[1].purposes == ["vulnerability_support"]


def _survey_record(n: int, **values) -> SurveyRecord:
    return SurveyRecord(
        row=n + 1,
        instance_id=f"uuid:pdpa-{n:04d}",
        form_version=register.REGISTER_VERSION,
        case_ref="KPP-LS-03",
        values={
            "consent_given": "yes",
            "consent_sensitive": "yes",
            "consent_on": (TODAY - timedelta(days=2)).isoformat(),
            "consent_by": "อาสาสมัคร สมศรี",
            "head_name": f"นางทดสอบ พีดีพีเอ{n}",
            "elderly": "1",
            **values,
        },
        submitted_at=datetime(2026, 11, 30, 10, 0),
    )


def test_a_consent_given_again_is_not_dated_before_its_withdrawal(store):
    from cases.errors import InvalidInput

    _, households = _households(store)
    hid = households[3].id
    day = TODAY - timedelta(days=10)
    services.record_consent(
        store.uow(), OFFICER, hid, scope="general", on=day, purposes=["contact"]
    )
    services.withdraw_consent(store.uow(), OFFICER, hid, scope="general", on=day + timedelta(5))
    with pytest.raises(InvalidInput) as refused:
        services.record_consent(
            store.uow(), OFFICER, hid, scope="general", on=day + timedelta(3), purposes=["contact"]
        )
    assert refused.value.details["field"] == "on" and "ถอนความยินยอม" in refused.value.message_th
    assert [e.action for e in services.consent_ledger(store.uow(), OFFICER, hid)] == [
        "given",
        "withdrawn",
    ]  # nothing written
    services.record_consent(
        store.uow(), OFFICER, hid, scope="general", on=day + timedelta(5), purposes=["contact"]
    )
    # The other scope has its own history.
    services.record_consent(store.uow(), OFFICER, hid, scope="sensitive", on=day)


def test_a_survey_carrying_consent_writes_the_ledger(store):
    case, before = _households(store, "KPP-LS-03")
    report = services.import_survey(store.uow(), OFFICER, case.id, [_survey_record(1)], apply=True)
    assert report.counts()["new"] == 1, report.results[0].reasons
    _, households = _households(store, "KPP-LS-03")
    new = next(h for h in households if h.head_name == "นางทดสอบ พีดีพีเอ1")
    ledger = services.consent_ledger(store.uow(), OFFICER, new.id)
    assert [(e.action, e.scope, e.source, e.taken_by) for e in ledger] == [
        ("given", "general", "survey", "อาสาสมัคร สมศรี"),
        ("given", "sensitive", "survey", "อาสาสมัคร สมศรี"),
    ]
    assert ledger[0].on == TODAY - timedelta(days=2) and "uuid:pdpa-0001" in ledger[0].note
    # A re-survey that withdraws explicit consent clears the health counts.
    again = _survey_record(1, consent_sensitive="no", elderly="")
    again.instance_id, again.household_no = "uuid:pdpa-0001-b", str(new.household_no)
    report = services.import_survey(store.uow(), OFFICER, case.id, [again], apply=True)
    assert report.results[0].status == "updated", report.results[0].reasons
    stored = services.get_household(store.uow(), OFFICER, new.id)
    assert stored.consent_sensitive is False and stored.elderly is None
    assert services.consent_ledger(store.uow(), OFFICER, new.id)[-1].action == "withdrawn"
    # A consent dated before the Act is refused, naming why; nothing of it is stored.
    old = _survey_record(2, consent_on="2018-06-01")
    (result,) = services.import_survey(store.uow(), OFFICER, case.id, [old], apply=True).results
    assert result.status == "refused" and "PDPA" in result.reasons[0]["en"]


# -- the read log ---------------------------------------------------------------------------------
def test_the_read_log_takes_a_list_in_one_insert(store):
    _, households = _households(store)
    statements = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO READ_LOG"):
            statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        written = services.log_reads(
            store.uow(),
            OFFICER,
            "households_api",
            [(h.id, app_pdpa.household_reads(h)) for h in households],
        )
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", count)
    assert written == len([h for h in households if app_pdpa.household_reads(h)]) > 5
    assert len(statements) == 1
    rows = services.read_log(store.uow(), ADMIN, household_id=households[0].id)
    assert rows[0].username == "officer" and "head_name" in rows[0].fields


# -- the breach register ----------------------------------------------------------------------------
def test_breaches_keep_their_times(store):
    detected = app_pdpa.parse_local_time("2569-11-28 09:30")  # B.E., Thailand's time
    assert detected.astimezone(UTC).replace(tzinfo=None) == datetime(2026, 11, 28, 2, 30)
    breach = services.record_breach(
        store.uow(),
        OFFICER,
        detected_at=detected,
        description="แฟ้มแบบสำรวจหาย",
        households_affected=40,
        risk="high",
    )
    (row,) = app_pdpa.breach_rows(store.uow(), ADMIN, now=datetime(2026, 12, 2, 0, 0))
    assert row["id"] == breach.id and row["overdue"] and row["status"] == "overdue"
    assert row["detected_at"] == "28 พ.ย. 2569 09:30 น."
    assert row["deadline"] == "1 ธ.ค. 2569 09:30 น."


# -- the commands -----------------------------------------------------------------------------------
def _env(store_config) -> dict:
    env = {"PLANNER_HOME": store_config["PLANNER_HOME"]}
    if DATABASE_URL:
        env["DATABASE_URL"] = DATABASE_URL
        env["PLANNER_DATABASE_SCHEMA"] = store_config["DATABASE_SCHEMA"]
    return env


def test_planner_pdpa_ropa_writes_the_s39_record_in_thai(store, store_config, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "ropa.xlsx"
    env = {**_env(store_config), "PLANNER_RETENTION_SENSITIVE_YEARS": "3"}
    runner = CliRunner()
    for purpose in ("vulnerability_support", None):
        extra = ["--purpose", purpose] if purpose else []
        added = runner.invoke(
            main,
            ["pdpa", "request", "add", "--kind", "erasure", "--received", "2569-11-20", *extra],
            env=env,
        )
        assert added.exit_code == 0, added.output
    for request_id in (1, 2):
        decided = runner.invoke(
            main,
            [
                "pdpa",
                "request",
                "decide",
                str(request_id),
                "--status",
                "rejected",
                "--reason",
                "ต้องเก็บไว้ตามสัญญาเงินกู้",
            ],
            env=env,
        )
        assert decided.exit_code == 0, decided.output
    listed = runner.invoke(main, ["pdpa", "request", "list"], env=env)
    assert "ขอให้ลบหรือทำลาย (มาตรา 33)" in listed.output and "ปฏิเสธ" in listed.output
    result = CliRunner().invoke(main, ["pdpa", "ropa", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r[0] == "ลำดับ")
    assert header[1:5] == [
        "วัตถุประสงค์ของการประมวลผล",
        "ฐานทางกฎหมาย",
        "ประเภทข้อมูลส่วนบุคคล",
        "เจ้าของข้อมูลส่วนบุคคล",
    ]
    body = rows[rows.index(header) + 1 :]
    programme = next(r for r in body if r[2].startswith("มาตรา 24 (4)"))
    assert "ชื่อหัวหน้าครัวเรือน" in programme[3] and "10 ปี" in programme[6]
    health = next(r for r in body if r[2].startswith("มาตรา 26"))
    assert "3 ปี" in health[6] and "ข้อมูลอ่อนไหว" in health[3]
    body, footer = body[: len(privacy.PURPOSES)], body[len(privacy.PURPOSES) :]
    assert all(r[8].startswith("ไม่มี") for r in body)  # no transfer abroad
    assert header[9] == "คำขอของเจ้าของข้อมูลที่ถูกปฏิเสธ (จำนวน)"
    assert health[9] == 1 and programme[9] == 0
    assert "ไม่ระบุวัตถุประสงค์: 1" in footer[-1][0]
    assert book.worksheets[1].title == "Record s39"
    bad = CliRunner().invoke(
        main,
        ["pdpa", "ropa", "--out", str(out)],
        env={**env, "PLANNER_RETENTION_PERSONAL_YEARS": "ten"},
    )
    assert bad.exit_code == 1 and "whole number" in bad.output


def test_planner_pdpa_breach_and_reads(store, store_config):
    env = _env(store_config)
    runner = CliRunner()
    added = runner.invoke(
        main,
        [
            "pdpa",
            "breach",
            "add",
            "--detected",
            "2569-11-28 09:30",
            "--description",
            "โทรศัพท์ที่มีรูปถ่ายหาย",
            "--households",
            "12",
            "--risk",
            "low",
        ],
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert "1 ธ.ค. 2569 09:30 น." in added.output
    listed = runner.invoke(main, ["pdpa", "breach", "list", "--json"], env=env)
    (row,) = json.loads(listed.output)["breaches"]
    assert row["overdue"] and row["households_affected"] == 12
    told = runner.invoke(
        main, ["pdpa", "breach", "notified", str(row["id"]), "--pdpc", "2569-11-29 10:00"], env=env
    )
    assert told.exit_code == 0, told.output
    listed = runner.invoke(main, ["pdpa", "breach", "list"], env=env)
    assert "แจ้ง สคส. แล้ว" in listed.output and "!!" not in listed.output
    assert "ความเสี่ยงต่ำ / Low risk" in listed.output and " low risk" not in listed.output
    no_such_hour = runner.invoke(
        main,
        ["pdpa", "breach", "add", "--detected", "2569-11-28 25:00", "--description", "x"]
        + ["--households", "1", "--risk", "low"],
        env=env,
    )
    assert no_such_hour.exit_code == 1 and "ไม่มีเวลานี้" in no_such_hour.output
    future = runner.invoke(
        main,
        [
            "pdpa",
            "breach",
            "add",
            "--detected",
            "2600-01-01 00:00",
            "--description",
            "x",
            "--households",
            "1",
            "--risk",
            "low",
        ],
        env=env,
    )
    assert future.exit_code == 1 and "future" in future.output

    _, households = _households(store)
    services.log_reads(store.uow(), OFFICER, "household_page", [(households[0].id, ["head_name"])])
    reads = runner.invoke(main, ["pdpa", "reads", "--household", str(households[0].id)], env=env)
    assert reads.exit_code == 0, reads.output
    assert "officer (เจ้าหน้าที่)" in reads.output and "หน้าครัวเรือน" in reads.output
    assert "ชื่อหัวหน้าครัวเรือน" in reads.output


# -- the household page and the API (Flask test client) -------------------------------------------
@pytest.fixture
def web(store, store_config):
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **store_config})
    return app


def _client(app, username):
    client = app.test_client()
    assert AuthActions(client).login(username).status_code == 302
    return client


def test_the_household_page_shows_the_ledger_and_the_read_log(web, store):
    _, households = _households(store)
    household = households[0]
    officer, rep, viewer = (_client(web, u) for u in ("officer", "rep.cc01", "viewer"))
    url = f"/cases/households/{household.id}"

    recorded = officer.post(
        f"{url}/consent",
        data={
            "scope": "sensitive",
            "on": f"{TODAY.year + 543}-{TODAY.month:02d}-{TODAY.day:02d}",  # B.E.
            "purposes": "vulnerability_support",
            "taken_by": "อาสาสมัคร สมศรี",
        },
    )
    assert recorded.status_code == 302 and recorded.headers["Location"].endswith("#consent")
    saved = services.get_household(store.uow(), OFFICER, household.id)
    services.update_household(store.uow(), OFFICER, household.id, {"disabled": 1}, saved.version)

    assert rep.get(url).status_code == 200  # a read by the representative
    page = officer.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="consent-ledger"' in html and "อาสาสมัคร สมศรี" in html
    assert "ดูแลผู้สูงอายุ ผู้พิการ" in html  # the purpose in words
    assert f"{TODAY.year + 543}" in html  # Buddhist Era
    assert 'id="read-log-table"' in html and "rep.cc01" in html and "ผู้แทนชุมชน" in html
    assert 'id="withdraw-sensitive"' in html
    # The representative sees the ledger, not the read log.
    assert 'id="read-log-table"' not in rep.get(url).get_data(as_text=True)

    confirm = officer.get(f"{url}?withdraw=sensitive").get_data(as_text=True)
    assert 'id="withdraw-confirm"' in confirm and "จำนวนผู้พิการ" in confirm
    withdrawn = officer.post(f"{url}/consent/withdraw", data={"scope": "sensitive"})
    assert withdrawn.status_code == 302
    after = officer.get(url).get_data(as_text=True)
    assert "ถอนความยินยอมแล้ว" in after and "ลบข้อมูลแล้ว: จำนวนผู้พิการ" in after
    assert services.get_household(store.uow(), OFFICER, household.id).disabled is None

    bad = officer.post(f"{url}/consent", data={"scope": "general", "on": "2018-01-01"})
    assert bad.status_code == 302
    assert "ก่อน พ.ร.บ." in officer.get(url).get_data(as_text=True)
    # A signed-form number no document could have: refused in words, not a 500.
    for number in ("99999999999999999999", "-1", "0"):
        huge = officer.post(
            f"{url}/consent",
            data={
                "scope": "general",
                "on": f"{TODAY.year + 543}-{TODAY.month:02d}-{TODAY.day:02d}",
                "purposes": "contact",
                "document_id": number,
            },
        )
        assert huge.status_code == 302, number
        assert "ต้องระบุหมายเลขเอกสาร" in officer.get(url).get_data(as_text=True)

    assert viewer.get(url).status_code == 403
    assert viewer.post(f"{url}/consent", data={"scope": "general"}).status_code == 403
    reads = services.read_log(store.uow(), ADMIN, household_id=household.id)
    assert {r.username for r in reads} == {"officer", "rep.cc01"}
    assert {r.via for r in reads} == {"household_page"}
    assert "vulnerability" in reads[-1].fields


def test_the_consent_api_and_the_reads_of_the_household_api(web, store):
    _, households = _households(store)
    household = households[1]
    officer, viewer = _client(web, "officer"), _client(web, "viewer")
    url = f"/api/households/{household.id}/consent"
    empty = officer.get(url)
    assert empty.status_code == 200 and empty.get_json()["items"] == []
    # Even "nothing recorded yet" is the household's consent state, read by this officer.
    first = services.read_log(store.uow(), ADMIN, household_id=household.id)
    assert [(r.username, r.via, r.fields) for r in first] == [
        ("officer", "consent_api", ["consent"])
    ]
    given = officer.post(
        url, json={"action": "given", "scope": "general", "on": TODAY.isoformat(), "taken_by": "ก"}
    )
    assert given.status_code == 201, given.get_data(as_text=True)
    assert given.get_json()["consent_given"] is True
    future = officer.post(
        url,
        json={"action": "given", "scope": "general", "on": (TODAY + timedelta(days=1)).isoformat()},
    )
    assert future.status_code == 422 and future.get_json()["error"]["th"]
    patched = officer.patch(
        f"/api/households/{household.id}",
        json={"version": given.get_json()["version"], "phone": "0811111111"},
    )
    assert patched.status_code == 200
    # A write's answer is the whole household: read, and logged as GET's would be.
    vias = [r.via for r in services.read_log(store.uow(), ADMIN, household_id=household.id)]
    assert "household_api" in vias
    members = officer.put(
        f"/api/households/{household.id}/members",
        json={"version": patched.get_json()["version"], "members": [{"name": "สมาชิก ก"}]},
    )
    assert members.status_code == 200, members.get_data(as_text=True)
    vias = [r.via for r in services.read_log(store.uow(), ADMIN, household_id=household.id)]
    assert "members_api" in vias
    withdrawn = officer.post(url, json={"action": "withdrawn", "scope": "general"})
    body = withdrawn.get_json()
    assert withdrawn.status_code == 201 and body["cleared"] == ["phone"]
    assert [i["action"] for i in body["items"]] == ["given", "withdrawn"]
    assert body["items"][0]["purpose_labels"][0]["th"].startswith("ติดต่อครัวเรือน")
    assert len(officer.get(url).get_json()["items"]) == 2  # a read of the ledger
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, json={"action": "given", "scope": "general"}).status_code == 403

    case_id = household.case_id
    assert officer.get(f"/api/cases/{case_id}/households").status_code == 200
    assert officer.get(f"/api/households/{household.id}").status_code == 200
    assert officer.get(f"/api/households/{household.id}/members").status_code == 200
    assert viewer.get(f"/api/cases/{case_id}/households").status_code == 403
    vias = [r.via for r in services.read_log(store.uow(), ADMIN, household_id=household.id)]
    assert {"households_api", "household_api", "consent_api"} <= set(vias)
    everyone = services.read_log(store.uow(), ADMIN, limit=1000)
    assert len([r for r in everyone if r.via == "households_api"]) == len(households)
    assert "viewer" not in {r.username for r in everyone}
    # The audit log's before and after snapshots show the values: a read of them too.
    audit = officer.get(f"/api/audit?entity=household&entity_id={household.id}")
    assert audit.status_code == 200 and audit.get_json()["items"]
    (read,) = [
        r
        for r in services.read_log(store.uow(), ADMIN, household_id=household.id)
        if r.via == "audit_api"
    ]
    assert read.username == "officer" and {"phone", "head_name", "members"} <= set(read.fields)


def test_a_personal_document_downloaded_is_in_the_read_log(web, store):
    """A signed consent form (a household's own document) downloaded from the page or the
    API is a read of that household's personal data; a layout plan is no one's."""
    case, households = _households(store)
    household = households[2]
    _, event = services.record_consent(
        store.uow(),
        OFFICER,
        household.id,
        scope="general",
        on=TODAY,
        purposes=["contact"],
        taken_by="ก",
        new_document={
            "filename": "ใบยินยอม.pdf",
            "content_type": "application/pdf",
            "data": b"%PDF-1.4 signed consent",
        },
    )
    plan = services.upload_document(
        store.uow(),
        OFFICER,
        case.id,
        kind="layout_plan",
        filename="ผัง.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4 layout plan",
    )
    officer = _client(web, "officer")
    assert officer.get(f"/cases/documents/{event.document_id}").status_code == 200
    assert officer.get(f"/api/documents/{event.document_id}").status_code == 200
    assert officer.get(f"/cases/documents/{plan.id}").status_code == 200
    reads = services.read_log(store.uow(), ADMIN, household_id=household.id)
    downloads = [r for r in reads if r.via == "document"]
    assert len(downloads) == 2 and all(r.fields == ["consent"] for r in downloads)
    everyone = services.read_log(store.uow(), ADMIN, limit=1000)
    assert len([r for r in everyone if r.via == "document"]) == 2  # not the layout plan
