"""Erasure, restriction and retention (PDPA s32-s34, s37; issue 14 items 4 and 5) on both
stores. The acceptance: a household with consent and a disabled member is exported
(JSON, and a PDF read for its Thai), then erased; afterwards no personal value of it is
found by a byte search of the instance folder or of a database dump, and the dashboard
and the district table are unchanged."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from app.application import erasure as app_erasure
from app.application import pdpa as app_pdpa
from app.cli import main
from cases import orm, register, services
from cases.errors import DomainError, Forbidden, InvalidInput
from cases.model import User
from cases.services.surveys import SurveyRecord
from tests.conftest import DATABASE_URL

pypdf = pytest.importorskip("pypdf")

OFFICER = User(username="officer", role="officer")
REP = User(username="rep.cc01", role="community_rep", community_id="KPP-CC-01")
TODAY = services.today_in_thailand()


@pytest.fixture(autouse=True)
def _today_in_thailand():
    """Today where the cases are, read afresh for each test: a run that passes
    midnight in Bangkok (17:00 UTC) must not compare against the day it started."""
    global TODAY
    TODAY = services.today_in_thailand()


CASE = "KPP-LS-03"
HEAD = "นางทดสอบลบ ข้อมูลหมด"
SPOUSE = "นายคู่สมรส ลบตามกัน"
TAKER = "อาสาสมัคร พยานลบ"
PHONE = "0891234567"
ADDRESS = "99/123 ซอยทดสอบการลบ"
NATIONAL_ID = "310170099887" + register.national_id_check_digit("310170099887")
FORM = b"%PDF-1.4 signed consent form of the household to erase 7f3a9c"


@pytest.fixture
def store(sample_cases_store):
    return sample_cases_store


def _case(store):
    with store.uow() as uow:
        return uow.repo.get_case_by_ref(CASE)


def _survey(n: int, **values) -> SurveyRecord:
    return SurveyRecord(
        row=n + 1,
        instance_id=f"uuid:erase-{n:04d}",
        form_version=register.REGISTER_VERSION,
        case_ref=CASE,
        values={
            "consent_given": "yes",
            "consent_sensitive": "yes",
            "consent_on": (TODAY - timedelta(days=3)).isoformat(),
            "consent_by": TAKER,
            "head_name": HEAD,
            "phone": PHONE,
            "address_no": ADDRESS,
            "disabled": "1",
            "monthly_income": "9100",
            **values,
        },
    )


@pytest.fixture
def household(store):
    """Surveyed (its values kept with the submission), with both consents, a signed form,
    a national ID, a disabled member and two members by name."""
    case = _case(store)
    report = services.import_survey(store.uow(), OFFICER, case.id, [_survey(1)], apply=True)
    assert report.counts()["new"] == 1, report.results[0].reasons
    hh = next(
        h for h in services.list_households(store.uow(), OFFICER, case.id) if h.head_name == HEAD
    )
    form = {"filename": "ยินยอม-ลบ.pdf", "content_type": "application/pdf", "data": FORM}
    hh, _ = services.record_consent(
        store.uow(), OFFICER, hh.id, scope="general", on=TODAY, taken_by=TAKER, new_document=form
    )
    hh = services.update_household(
        store.uow(), OFFICER, hh.id, {"national_id": NATIONAL_ID, "elderly": 1}, hh.version
    )
    services.set_members(
        store.uow(),
        OFFICER,
        hh.id,
        [
            {"name": HEAD, "sex": "female", "birth_year": 2511, "relation": "head"},
            {"name": SPOUSE, "sex": "male", "birth_year": 2509, "relation": "spouse"},
        ],
        hh.version,
    )
    return services.get_household(store.uow(), OFFICER, hh.id)


def _needles() -> dict[str, bytes]:
    """Each value as UTF-8 and as JSON writes it (Thai as \\u0e.. escapes, in JSON columns)."""
    plain = {
        "head": HEAD,
        "spouse": SPOUSE,
        "taker": TAKER,
        "phone": PHONE,
        "address": ADDRESS,
        "national_id": NATIONAL_ID,
    }
    out = {name: value.encode() for name, value in plain.items()}
    for name, value in plain.items():
        escaped = json.dumps(value)[1:-1].encode()
        if escaped != value.encode():
            out[f"{name} (JSON)"] = escaped
            out[f"{name} (JSON, upper)"] = escaped.replace(b"\\u0e", b"\\u0E")
    out["form"] = FORM
    return out


def _instance_bytes(home) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def _database_dump(store) -> bytes:
    if store.engine.dialect.name == "sqlite":
        conn = sqlite3.connect(store.home / "planner.sqlite")
        try:
            return "\n".join(conn.iterdump()).encode("utf-8")
        finally:
            conn.close()
    from app.application.backup import _libpq, _pg_tool

    url, env = _libpq(DATABASE_URL)
    schema = store.engine.dialect.default_schema_name
    with store.engine.connect() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    done = subprocess.run(
        [_pg_tool("pg_dump"), "--format=plain", f"--schema={schema}", url],
        capture_output=True,
        env={**__import__("os").environ, **env},
        check=True,
    )
    return done.stdout


def _found(haystacks: dict[str, bytes]) -> list[tuple[str, str]]:
    return [
        (name, where)
        for where, data in haystacks.items()
        for name, needle in _needles().items()
        if needle in data
    ]


def _figures(store):
    return (
        services.progress(store.uow(), OFFICER),
        services.progress_by_area(store.uow(), OFFICER),
    )


def test_an_exported_household_is_erased_leaving_no_personal_value(store, household, tmp_path):
    # Before: every value is held, and the export carries it (JSON, and a Thai PDF).
    assert _found({"dump": _database_dump(store)}), "the search would find nothing anyway"
    access = app_pdpa.subject_access(store.uow(), OFFICER, household.id)
    data = json.loads(app_pdpa.subject_access_json(access))
    assert {f["name"]: f["value"] for f in data["fields"]}["disabled"] == 1
    assert [m["name"] for m in data["members"]] == [HEAD, SPOUSE]
    text = "".join(
        p.extract_text()
        for p in pypdf.PdfReader(io.BytesIO(app_pdpa.subject_access_pdf(access))).pages
    )
    assert "ครัวเรือน" in text and "ทดสอบลบ" in text.replace(" ", "")
    figures = _figures(store)
    case_households = len(services.list_households(store.uow(), OFFICER, household.case_id))

    journal = tmp_path / "journal" / "erasures.jsonl"
    result = app_erasure.erase(
        store.uow, OFFICER, household.id, reason="คำขอลบข้อมูลเลขที่ 7 (มาตรา 33)", journal=journal
    )
    assert result.members == 2 and result.documents == 1 and result.files_removed == 1
    assert {"head_name", "national_id", "phone", "disabled", "elderly"} <= set(result.fields)

    # Nothing personal is left: the instance folder (SQLite file, WAL, documents) and a dump.
    found = _found({**_instance_bytes(store.home), "dump": _database_dump(store)})
    assert found == []
    # What the programme counts is kept: the dashboard and the district table are equal.
    assert _figures(store) == figures
    erased = services.get_household(store.uow(), OFFICER, household.id)
    assert erased.erased_at is not None and erased.head_name == "" and erased.disabled is None
    assert (erased.house_status, erased.agreed_to_move, erased.household_no) == (
        household.house_status,
        household.agreed_to_move,
        household.household_no,
    )
    assert len(services.list_households(store.uow(), OFFICER, household.case_id)) == case_households
    # The erasure is logged: who, when and why, never what; older snapshots are redacted.
    entries = services.audit_log(store.uow(), OFFICER, entity="household", entity_id=household.id)
    erase_entry = next(e for e in entries if e.action == "erase")
    assert erase_entry.username == "officer" and "มาตรา 33" in erase_entry.after["reason"]
    pdpa_acts = {"erase", "restrict", "lift", "subject_access"}
    assert {e.action for e in entries} > {"erase", "subject_access", "survey", "members"}
    assert all(e.after in (None, {"erased": True}) for e in entries if e.action not in pdpa_acts)
    # The consent ledger keeps what was agreed and when, not who signed.
    ledger = services.consent_ledger(store.uow(), OFFICER, household.id)
    assert [(e.action, e.scope) for e in ledger][:2] == [
        ("given", "general"),
        ("given", "sensitive"),
    ]
    assert all(e.taken_by == "" and e.document_id is None for e in ledger)
    # Journalled by key only, chained.
    (entry,) = app_erasure.read_journal(journal)
    assert (entry.seq, entry.household_id, entry.by) == (1, household.id, "officer")
    assert HEAD.encode() not in journal.read_bytes()

    # The same survey sent again changes nothing; a new one for the household is refused.
    case = _case(store)
    report = services.import_survey(store.uow(), OFFICER, case.id, [_survey(1)], apply=True)
    assert report.results[0].status == "unchanged"
    again = _survey(2)
    again.household_no = str(household.household_no)
    (res,) = services.import_survey(store.uow(), OFFICER, case.id, [again], apply=True).results
    assert res.status == "refused" and "ลบตามคำขอ" in res.reasons[0]["th"]
    # Erasing again journals nothing and says so.
    assert app_erasure.erase(
        store.uow, OFFICER, household.id, reason="again", journal=journal
    ).already
    assert len(app_erasure.read_journal(journal)) == 1


def test_erasure_is_for_officers_with_a_reason_and_refusals_journal_nothing(
    store, household, tmp_path
):
    journal = tmp_path / "erasures.jsonl"
    with pytest.raises(Forbidden):
        app_erasure.erase(store.uow, REP, household.id, reason="x", journal=journal)
    with pytest.raises(InvalidInput) as refused:
        app_erasure.erase(store.uow, OFFICER, household.id, reason="  ", journal=journal)
    assert refused.value.details["field"] == "reason" and "เหตุผล" in refused.value.message_th
    assert not journal.exists()
    assert services.get_household(store.uow(), OFFICER, household.id).head_name == HEAD


def test_erasing_sensitive_data_only_keeps_the_rest(store, household, tmp_path):
    result = app_erasure.erase(
        store.uow,
        OFFICER,
        household.id,
        reason="retention of sensitive data",
        journal=tmp_path / "j.jsonl",
        classes=("sensitive",),
    )
    kept = services.get_household(store.uow(), OFFICER, household.id)
    assert kept.head_name == HEAD and kept.national_id == NATIONAL_ID and kept.erased_at is None
    assert kept.disabled is None and kept.elderly is None and kept.monthly_income is None
    assert "disabled" in result.fields and "head_name" not in result.fields
    assert [m.name for m in services.list_members(store.uow(), OFFICER, household.id)] == [
        HEAD,
        SPOUSE,
    ]
    dump = _database_dump(store)
    assert HEAD.encode() in dump  # personal data stays until its own period ends


def test_a_broken_journal_is_refused(tmp_path):
    journal = tmp_path / "erasures.jsonl"
    for hid in (5, 6, 7):
        app_erasure.append_journal(
            journal, by="officer", household_id=hid, classes=("personal", "sensitive")
        )
    assert [e.seq for e in app_erasure.read_journal(journal)] == [1, 2, 3]
    lines = journal.read_text().splitlines()
    journal.write_text("\n".join([lines[0], lines[2]]) + "\n")  # entry 2 cut out
    with pytest.raises(app_erasure.JournalError, match="cut or edited"):
        app_erasure.read_journal(journal)
    edited = lines[1].replace('"household_id": 6', '"household_id": 9')
    journal.write_text("\n".join([lines[0], edited, lines[2]]) + "\n")
    with pytest.raises(app_erasure.JournalError):
        app_erasure.read_journal(journal)
    # A last line cut by a crash while it was written is no entry (its erasure never
    # committed: the entry comes first); the next entry replaces it.
    journal.write_text("\n".join(lines) + "\n" + lines[2][:20])
    assert [e.seq for e in app_erasure.read_journal(journal)] == [1, 2, 3]
    app_erasure.append_journal(journal, by="officer", household_id=8, classes=("sensitive",))
    assert [e.household_id for e in app_erasure.read_journal(journal)] == [5, 6, 7, 8]


def test_a_restricted_household_is_kept_and_left_out_of_processing(store, household):
    services.restrict_household(
        store.uow(), OFFICER, household.id, kind="objection", reason="คัดค้านการติดต่อทางโทรศัพท์"
    )
    held = services.get_household(store.uow(), OFFICER, household.id)
    assert (
        held.restriction == "objection" and held.restricted_on == TODAY and held.head_name == HEAD
    )
    with pytest.raises(InvalidInput) as refused:
        services.update_household(
            store.uow(), OFFICER, household.id, {"phone": "0800000000"}, held.version
        )
    assert "คัดค้านการติดต่อทางโทรศัพท์" in refused.value.message_th
    assert services.get_household(store.uow(), OFFICER, household.id).phone == PHONE
    again = _survey(3)
    again.household_no = str(household.household_no)
    case = _case(store)
    (res,) = services.import_survey(store.uow(), OFFICER, case.id, [again], apply=True).results
    assert res.status == "refused" and "คัดค้าน" in res.reasons[0]["th"]
    # Withdrawing consent stays possible; lifting the restriction lets edits through again.
    services.withdraw_consent(store.uow(), OFFICER, household.id, scope="sensitive")
    services.lift_restriction(store.uow(), OFFICER, household.id, reason="ครัวเรือนยกเลิกคำคัดค้าน")
    held = services.get_household(store.uow(), OFFICER, household.id)
    assert services.update_household(
        store.uow(), OFFICER, household.id, {"phone": "0800000000"}, held.version
    )
    with pytest.raises(InvalidInput):
        services.restrict_household(store.uow(), OFFICER, household.id, kind="forget", reason="x")


def test_retention_lists_then_anonymises_closed_cases_past_their_period(store, household, tmp_path):
    case = _case(store)
    ctype = services.case_detail  # noqa: F841  (the workflow is read by the service)
    from cases.workflow import default_workflows

    last = default_workflows().case_type(case.case_type).stage_ids()[-1]
    with store.uow() as uow:
        case.stage, case.stage_entered_on = last, date(2015, 3, 1)
        uow.repo.update_case(case, case.version)
        uow.commit()
    years = {"personal": 10, "sensitive": 2}
    runner = CliRunner()
    env = {"PLANNER_HOME": str(store.home), "PLANNER_ERASURE_JOURNAL": str(tmp_path / "j.jsonl")}
    if DATABASE_URL:
        env |= {"DATABASE_URL": DATABASE_URL, "PLANNER_DATABASE_SCHEMA": _schema(store)}
    due = services.retention_due(store.uow(), OFFICER, years=years, today=date(2024, 3, 1))
    assert household.id in {d.household_id for d in due}
    assert {d.classes for d in due if d.household_id == household.id} == {("sensitive",)}
    dry = runner.invoke(main, ["pdpa", "retention"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and CASE in dry.output
    assert services.get_household(store.uow(), OFFICER, household.id).head_name == HEAD
    done = runner.invoke(main, ["pdpa", "retention", "--apply"], env=env)
    assert done.exit_code == 0, done.output
    gone = services.get_household(store.uow(), OFFICER, household.id)
    assert gone.erased_at is not None and gone.head_name == ""  # 2015 + 10 years is past
    assert services.retention_due(store.uow(), OFFICER, years=years) == []


def _schema(store) -> str:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT current_schema()").scalar()


def test_planner_pdpa_erase_on_the_command_line(store, household, tmp_path):
    env = {"PLANNER_HOME": str(store.home), "PLANNER_ERASURE_JOURNAL": str(tmp_path / "j.jsonl")}
    if DATABASE_URL:
        env |= {"DATABASE_URL": DATABASE_URL, "PLANNER_DATABASE_SCHEMA": _schema(store)}
    runner = CliRunner()
    refused = runner.invoke(main, ["pdpa", "erase", "--household", str(household.id)], env=env)
    assert refused.exit_code != 0
    done = runner.invoke(
        main,
        ["pdpa", "erase", "--household", str(household.id), "--reason", "คำขอมาตรา 33"],
        env=env,
    )
    assert done.exit_code == 0, done.output
    assert "ลบ" in done.output and HEAD not in done.output
    assert services.get_household(store.uow(), OFFICER, household.id).erased_at is not None


def test_erasing_and_restricting_fulfil_the_familys_requests_in_the_register(
    store, household, tmp_path
):
    services.record_request(
        store.uow(),
        OFFICER,
        kind="erasure",
        received_on=TODAY - timedelta(days=2),
        household_id=household.id,
    )
    services.restrict_household(
        store.uow(), OFFICER, household.id, kind="restriction", reason="ขอระงับ"
    )
    app_erasure.erase(
        store.uow, OFFICER, household.id, reason="คำขอที่ 1", journal=tmp_path / "j.jsonl"
    )
    mine = [
        r for r in services.list_requests(store.uow(), OFFICER) if r.household_id == household.id
    ]
    assert sorted((r.kind, r.status, r.decided_on) for r in mine) == [
        ("erasure", "fulfilled", TODAY),
        ("restriction", "fulfilled", TODAY),
    ]
    assert [r.received_on for r in mine if r.kind == "erasure"] == [TODAY - timedelta(days=2)]


def test_a_shared_consent_sheet_and_the_kept_fields_outlive_an_erasure(store, household, tmp_path):
    """A case's signed sheet another household's consent rests on is not erased with one
    household; an erased household's house status and plot still change; the register's
    note of the family's request is redacted in the audit log too."""
    case = _case(store)
    other = next(
        h for h in services.list_households(store.uow(), OFFICER, case.id) if h.id != household.id
    )
    sheet = {
        "filename": "ใบยินยอมรวม.pdf",
        "content_type": "application/pdf",
        "data": b"%PDF shared",
    }
    _, event = services.record_consent(
        store.uow(), OFFICER, other.id, scope="general", on=TODAY, new_document=sheet
    )
    with store.uow() as uow:
        shared = uow.repo.get_document(event.document_id)
        # A case-level sheet, signed by several households.
        uow.connection.execute(
            orm.documents.update().where(orm.documents.c.id == shared.id).values(household_id=None)
        )
        uow.commit()
    withdrawn = services.get_household(store.uow(), OFFICER, household.id)
    services.withdraw_consent(store.uow(), OFFICER, household.id, scope="general")
    services.record_consent(
        store.uow(), OFFICER, household.id, scope="general", on=TODAY, document_id=shared.id
    )
    assert withdrawn
    services.record_request(
        store.uow(),
        OFFICER,
        kind="erasure",
        received_on=TODAY,
        household_id=household.id,
        note=f"{HEAD} โทร {PHONE}",
    )
    app_erasure.erase(store.uow, OFFICER, household.id, reason="คำขอ", journal=tmp_path / "j.jsonl")
    ledger = services.consent_ledger(store.uow(), OFFICER, other.id)
    assert [e.document_id for e in ledger] == [shared.id]
    with store.uow() as uow:
        assert uow.repo.document_hash_in_use(shared.sha256)
    assert (store.documents_dir / shared.sha256[:2] / shared.sha256).exists()
    assert PHONE.encode() not in _database_dump(store)
    erased = services.get_household(store.uow(), OFFICER, household.id)
    moved = services.update_household(
        store.uow(),
        OFFICER,
        household.id,
        {"house_status": "under_construction", "plot_no": "A-9"},
        erased.version,
    )
    assert (moved.house_status, moved.plot_no) == ("under_construction", "A-9")
    with pytest.raises(InvalidInput):
        services.update_household(
            store.uow(), OFFICER, household.id, {"phone": PHONE}, moved.version
        )


def test_an_unwritable_journal_refuses_the_erasure_in_words(store, household, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(DomainError) as refused:  # in words, never a crash
        app_erasure.erase(store.uow, OFFICER, household.id, reason="คำขอ", journal=folder)
    assert "PLANNER_ERASURE_JOURNAL" in refused.value.message_th
    assert services.get_household(store.uow(), OFFICER, household.id).head_name == HEAD
    runner = CliRunner()
    env = {"PLANNER_HOME": str(store.home), "PLANNER_ERASURE_JOURNAL": str(folder)}
    if DATABASE_URL:
        env |= {"DATABASE_URL": DATABASE_URL, "PLANNER_DATABASE_SCHEMA": _schema(store)}
    out = runner.invoke(
        main, ["pdpa", "erase", "--household", str(household.id), "--reason", "x"], env=env
    )
    assert out.exit_code == 1 and "Traceback" not in out.output and "บันทึกการลบ" in out.output
    clean = runner.invoke(main, ["pdpa", "vacuum"], env=env)
    assert clean.exit_code in (0, 1) and ("ล้างพื้นที่" in clean.output)
