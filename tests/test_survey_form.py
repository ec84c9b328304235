"""The household survey as an XLSForm: generated from the register, converted by pyxform
to the XForm KoBoToolbox and ODK Collect run, and offered on the CLI and the case page."""

from __future__ import annotations

import io
import random
import re
import xml.etree.ElementTree as ET
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner
from pyxform.xls2xform import convert

from app.application.survey_form import (
    EN,
    TH,
    form_id_of,
    national_id_constraint,
    survey_form,
    survey_form_download,
)
from app.cli import main
from cases.errors import Forbidden, InvalidInput, NotFound
from cases.model import Case, Community, User
from cases.register import (
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    PHOTO_FIELDS,
    REGISTER_VERSION,
    national_id_check_digit,
    national_id_problem,
)
from cases.store import CaseStore
from cases.workflow import default_workflows

NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "x": "http://www.w3.org/2002/xforms",
    "jr": "http://openrosa.org/javarosa",
    "orx": "http://openrosa.org/xforms",
}
JR = "{http://openrosa.org/javarosa}"
FORM_ID = "codi_hh_kpp_cc_01"
ROOT = f"/{FORM_ID}"
WORKFLOWS = default_workflows()


def _case(ref="KPP-CC-01") -> Case:
    return Case(
        ref=ref,
        community_id="KPP-CC-01",
        case_type="canal_side",
        title_th="กรณีทดสอบ",
        title_en="Test case",
        stage="survey",
        stage_entered_on=date(2026, 1, 5),
    )


BANGKOK_COMMUNITY = Community(
    "KPP-CC-01", "ชุมชนหนึ่ง", "Community One", "Chatuchak", "จตุจักร", province_code="10"
)


class XForm:
    """The converted form, with the lookups the tests need."""

    def __init__(self, data: bytes):
        warnings: list[str] = []
        self.xml = convert(xlsform=io.BytesIO(data), file_type=".xlsx", warnings=warnings).xform
        self.warnings = warnings
        self.root = ET.fromstring(self.xml)
        model = self.root.find("h:head/x:model", NS)
        self.binds = {b.get("nodeset"): b for b in model.findall("x:bind", NS)}
        self.translations = model.findall("x:itext/x:translation", NS)
        self.instances = {i.get("id"): i for i in model.findall("x:instance", NS)}
        self.main = self.instances[None][0]
        self.body = self.root.find("h:body", NS)

    def text(self, text_id: str, lang: str = TH) -> str:
        for translation in self.translations:
            if translation.get("lang") == lang:
                for item in translation.findall("x:text", NS):
                    if item.get("id") == text_id:
                        return "".join(v.text or "" for v in item.findall("x:value", NS))
        raise KeyError(text_id)

    def items(self, list_name: str) -> list[dict[str, str]]:
        root = self.instances[list_name].find("x:root", NS)
        return [{c.tag.split("}")[1]: c.text for c in item} for item in root]


@pytest.fixture(scope="module")
def xform() -> XForm:
    return XForm(survey_form(_case(), BANGKOK_COMMUNITY, workflows=WORKFLOWS))


def _sheets(data: bytes) -> dict[str, list[dict]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    out = {}
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        out[ws.title] = [dict(zip(rows[0], r)) for r in rows[1:]]
    out["_headers"] = {ws.title: [c.value for c in ws[1]] for ws in book.worksheets}
    return out


# -- the workbook and the XForm -------------------------------------------------------
def test_the_workbook_is_an_xlsform_with_thai_first():
    sheets = _sheets(survey_form(_case(), BANGKOK_COMMUNITY, workflows=WORKFLOWS))
    assert list(sheets)[:3] == ["survey", "choices", "settings"]
    headers = sheets["_headers"]["survey"]
    for column in ("label", "hint", "constraint_message"):
        assert headers.index(f"{column}::{TH}") + 1 == headers.index(f"{column}::{EN}")
    settings = sheets["settings"][0]
    assert settings["default_language"] == TH == "ภาษาไทย (th)"
    assert settings["form_id"] == FORM_ID
    assert str(settings["version"]) == REGISTER_VERSION
    assert settings["form_title"].startswith("แบบสำรวจครัวเรือน KPP-CC-01")


def test_pyxform_converts_it_without_warnings(xform):
    assert xform.warnings == []
    assert xform.main.tag.endswith(FORM_ID)  # the root Enketo's ?d[/<form_id>/...] names
    assert xform.main.get("id") == FORM_ID and xform.main.get("version") == REGISTER_VERSION
    assert xform.translations[0].get("lang") == TH and xform.translations[0].get("default")
    assert xform.text(f"{ROOT}/head/head_name:label") == "ชื่อ-นามสกุลหัวหน้าครัวเรือน"
    assert xform.text(f"{ROOT}/head/head_name:label", EN) == "Name of the head of household"


def test_form_id_is_xml_safe():
    assert form_id_of("KPP-CC-01") == FORM_ID
    assert form_id_of("ชุมชน 12/3 A") == "codi_hh_12_3_a"
    assert re.fullmatch(r"[a-z][a-z0-9_]*", form_id_of("!!!"))


def test_hidden_fields_and_the_version_come_first(xform):
    first = [child.tag.split("}")[1] for child in xform.main][:4]
    assert first == ["case_ref", "household_no", "form_version", "consent"]
    assert xform.main.find("x:case_ref", NS).text == "KPP-CC-01"
    assert not xform.main.find("x:household_no", NS).text  # blank: a new household
    assert xform.binds[f"{ROOT}/form_version"].get("calculate") == f"'{REGISTER_VERSION}'"
    # Hidden: no control in the body.
    refs = {e.get("ref") for e in xform.body.iter()}
    assert f"{ROOT}/case_ref" not in refs and f"{ROOT}/household_no" not in refs


def test_consent_comes_first_and_a_refusal_ends_the_survey(xform):
    groups = [g for g in xform.body if g.tag.endswith("group")]
    assert groups[0].get("ref") == f"{ROOT}/consent"
    assert groups[0][1].get("ref") == f"{ROOT}/consent/consent_given"  # after the label
    assert xform.binds[f"{ROOT}/consent/consent_given"].get("required") == "true()"
    refused = xform.binds[f"{ROOT}/consent/consent_refused"]
    assert "consent_given  = 'no'" in refused.get("relevant")
    assert "สิ้นสุด" in xform.text(f"{ROOT}/consent/consent_refused:label")
    # Every later group, the members repeat included, needs consent.
    for group in groups[1:]:
        relevant = xform.binds[group.get("ref")].get("relevant")
        assert f"{ROOT}/consent/consent_given  = 'yes'" in relevant, group.get("ref")
    assert len(groups) == 9  # 7 sections after consent, and the members repeat's group
    assert "consent_sensitive  = 'yes'" in xform.binds[f"{ROOT}/vulnerability"].get("relevant")
    assert xform.main.find("x:consent/x:consent_on", NS) is not None
    setvalue = xform.root.find("h:head/x:model/x:setvalue", NS)
    assert setvalue.get("ref") == f"{ROOT}/consent/consent_on"
    assert setvalue.get("value") == "today()"


def test_every_register_field_is_a_question_of_the_same_name(xform):
    leaves = {nodeset.rsplit("/", 1)[1] for nodeset in xform.binds}
    register = {f.name for f in (*HOUSEHOLD_FIELDS, *MEMBER_FIELDS)} | set(PHOTO_FIELDS)
    assert register <= leaves
    for field in HOUSEHOLD_FIELDS:
        assert f"{ROOT}/{field.section}/{field.name}" in xform.binds, field.name


def test_kinds_become_question_types_and_constraints(xform):
    b = xform.binds
    assert b[f"{ROOT}/head/head_name"].get("constraint") == "string-length(.) <= 200"
    income = b[f"{ROOT}/livelihood/monthly_income"]
    assert income.get("type") == "int"
    assert income.get("constraint") == ". >= 0 and . <= 10000000"
    assert "10,000,000" in xform.text(f"{ROOT}/livelihood/monthly_income:jr:constraintMsg")
    assert b[f"{ROOT}/consent/consent_on"].get("type") == "date"
    tenure = [i["name"] for i in xform.items("tenure")]
    assert tenure == list(WORKFLOWS.tenure_kinds)
    assert [i["name"] for i in xform.items("yes_no")] == ["yes", "no"]
    assert {i["name"] for i in xform.items("occupation")} >= {"daily_wage", "vendor"}


def test_members_are_a_repeat_with_buddhist_era_birth_years(xform):
    repeat = xform.body.find(".//x:repeat", NS)
    assert repeat.get("nodeset") == f"{ROOT}/members"
    names = [c.get("ref").rsplit("/", 1)[1] for c in repeat if c.get("ref")]
    assert names == [f.name for f in MEMBER_FIELDS]
    birth = xform.binds[f"{ROOT}/members/birth_year"]
    assert birth.get("constraint") == ". >= 2443 and . <= 2600"
    assert xform.binds[f"{ROOT}/members/name"].get("required") == "true()"
    assert xform.text(f"{ROOT}/members/birth_year:hint") == "เช่น 2510"


def test_the_location_needs_the_accuracy_and_photos_are_small():
    form = XForm(survey_form(_case(), BANGKOK_COMMUNITY, workflows=WORKFLOWS, accuracy_m=5))
    point = form.binds[f"{ROOT}/location/location"]
    assert point.get("type") == "geopoint"
    assert point.get("constraint") == "selected-at(., 3) <= 5"
    assert "5 เมตร" in form.text(f"{ROOT}/location/location:jr:constraintMsg")
    assert "5 m" in form.text(f"{ROOT}/location/location:jr:constraintMsg", EN)
    control = form.body.find(f".//x:input[@ref='{ROOT}/location/location']", NS)
    assert control.get("accuracyThreshold") == "5"
    for name in PHOTO_FIELDS:
        photo = form.binds[f"{ROOT}/location/{name}"]
        assert photo.get("type") == "binary"
        assert photo.get("{http://openrosa.org/xforms}max-pixels") == "1600"
        assert form.body.find(f".//x:upload[@ref='{ROOT}/location/{name}']", NS) is not None


@pytest.mark.parametrize("accuracy", [0, 0.5, 101, "abc", float("nan")])
def test_an_accuracy_out_of_range_is_refused(accuracy):
    with pytest.raises(InvalidInput) as refused:
        survey_form(_case(), BANGKOK_COMMUNITY, workflows=WORKFLOWS, accuracy_m=accuracy)
    assert "เมตร" in refused.value.message_th and " m " in refused.value.message_en


def test_addresses_cascade_within_the_communitys_province(xform):
    assert xform.main.find("x:address/x:province_code", NS).text == "10"
    districts = xform.items("districts")
    assert len(districts) == 50 and {d["province"] for d in districts} == {"10"}
    subdistricts = xform.items("subdistricts")
    assert {s["district"][:2] for s in subdistricts} == {"10"}
    assert all(s["name"].startswith(s["district"]) for s in subdistricts)
    assert len(xform.items("provinces")) == 77
    body = ET.tostring(xform.body, encoding="unicode")
    assert f"instance('districts')/root/item[province= {ROOT}/address/province_code ]" in body
    assert f"instance('subdistricts')/root/item[district= {ROOT}/address/district_code ]" in body


def test_the_province_follows_the_thai_name_and_without_one_all_are_listed():
    by_name = Community("X", "ชุมชน", "Community", "Mueang", "เมือง", province_th="นนทบุรี")
    form = XForm(survey_form(_case(), by_name, workflows=WORKFLOWS))
    assert form.main.find("x:address/x:province_code", NS).text == "12"
    assert {d["province"] for d in form.items("districts")} == {"12"}
    unknown = Community("X", "ชุมชน", "Community", "", "")
    form = XForm(survey_form(_case(), unknown, workflows=WORKFLOWS))
    assert not form.main.find("x:address/x:province_code", NS).text
    assert len(form.items("districts")) == 928 and len(form.items("subdistricts")) > 7000


# -- the national ID check digit, evaluated --------------------------------------------
def _evaluate(expression: str, value: str) -> bool:
    """The generated XPath constraint evaluated on `value` (the few functions it uses)."""

    def substr(start: int, end: int) -> float:
        part = value[start:end]
        return float(part) if part.isdigit() else float("nan")

    py = expression.replace(" mod ", " % ")
    py = re.sub(r"regex\(\., '([^']*)'\)", lambda m: repr(bool(re.search(m.group(1), value))), py)
    py = re.sub(r"substr\(\., (\d+), (\d+)\)", r"substr(\1, \2)", py)
    py = re.sub(r"(?<![<>!=])=(?!=)", "==", py)
    assert set(re.findall(r"[A-Za-z_]+", py)) <= {"substr", "and", "True", "False"}, py
    return bool(eval(py, {"substr": substr}))  # noqa: S307 - our own expression, checked above


def _valid_id(first12: str) -> str:
    return first12 + national_id_check_digit(first12)


@pytest.mark.parametrize(
    "value",
    [
        _valid_id("110170020345"),
        _valid_id("310050011234"),
        _valid_id("000000000000"),
        _valid_id("999999999999"),
        "1101700203451",  # a check digit to test: whatever it is, both rules agree
        "1101700203450",
        "123456789012",  # 12 digits
        "12345678901234",  # 14 digits
        "1-1017-00203-45-1",
        "11017002034a1",
        "",
    ],
)
def test_the_check_digit_constraint_agrees_with_the_register(value):
    expected = national_id_problem(value) is None and value.isdigit()
    assert _evaluate(national_id_constraint(), value) is expected


def test_the_check_digit_constraint_agrees_on_many_numbers():
    """Random 13-digit numbers (about one in ten valid) and every valid one's neighbours."""
    rng = random.Random(2569)
    values = ["".join(rng.choice("0123456789") for _ in range(13)) for _ in range(500)]
    values += [_valid_id(v[:12]) for v in values[:100]]
    verdicts = {_evaluate(national_id_constraint(), v) for v in values}
    assert verdicts == {True, False}
    for value in values:
        assert _evaluate(national_id_constraint(), value) is (national_id_problem(value) is None)


def test_the_form_carries_the_evaluated_constraint(xform):
    bind = xform.binds[f"{ROOT}/head/national_id"]
    assert bind.get("constraint") == national_id_constraint()
    assert "13" in xform.text(f"{ROOT}/head/national_id:jr:constraintMsg")


# -- the use case, on the sample ---------------------------------------------------------
@pytest.fixture(scope="module")
def sample_cases(sample_config):
    store = CaseStore(
        sample_config["PLANNER_HOME"],
        sample_config["DATABASE_URL"],
        schema=sample_config["DATABASE_SCHEMA"],
    )
    with store.uow() as uow:
        own = uow.repo.get_case_by_ref("KPP-CC-01")
        other = next(
            c
            for c in (uow.repo.get_case(i) for i in range(1, 10))
            if c.community_id != own.community_id
        )
    yield store, own, other
    store.dispose()


OFFICER = User(username="officer", role="officer")
REP = User(username="rep.cc01", role="community_rep", community_id="KPP-CC-01")
VIEWER = User(username="viewer", role="viewer")


def test_officers_and_the_communitys_rep_get_the_form(sample_cases):
    store, own, other = sample_cases
    filename, data = survey_form_download(store.uow(), OFFICER, own.id)
    assert filename == f"{FORM_ID}.xlsx" and data[:2] == b"PK"
    assert survey_form_download(store.uow(), REP, "KPP-CC-01")[0] == filename
    assert (
        survey_form_download(store.uow(), OFFICER, other.ref)[0] == f"{form_id_of(other.ref)}.xlsx"
    )


def test_viewers_and_other_communities_are_refused(sample_cases):
    store, own, other = sample_cases
    with pytest.raises(Forbidden):
        survey_form_download(store.uow(), VIEWER, own.id)
    with pytest.raises(Forbidden):
        survey_form_download(store.uow(), REP, other.id)
    with pytest.raises(NotFound):
        survey_form_download(store.uow(), OFFICER, 999_999)
    with pytest.raises(NotFound):
        survey_form_download(store.uow(), OFFICER, "NO-SUCH-CASE")


# -- the CLI -----------------------------------------------------------------------------
def _planner(sample_config, *args):
    env = {"PLANNER_HOME": sample_config["PLANNER_HOME"]}
    if sample_config.get("DATABASE_URL"):
        env["DATABASE_URL"] = sample_config["DATABASE_URL"]
        env["PLANNER_DATABASE_SCHEMA"] = sample_config["DATABASE_SCHEMA"]
    return CliRunner().invoke(main, list(args), env=env)


def test_cli_writes_the_form(sample_config, tmp_path):
    out = tmp_path / "form.xlsx"
    result = _planner(
        sample_config, "survey", "form", "--case", "KPP-CC-01", "--out", str(out), "--accuracy", "8"
    )
    assert result.exit_code == 0, result.output
    assert "บันทึกแบบสำรวจ" in result.output and "wrote the survey form" in result.output
    form = XForm(out.read_bytes())
    assert form.binds[f"{ROOT}/location/location"].get("constraint") == "selected-at(., 3) <= 8"


@pytest.mark.parametrize(
    ("args", "th", "en"),
    [
        (["--case", "NO-SUCH"], "ไม่พบกรณี", "no case NO-SUCH"),
        (["--case", "999999"], "ไม่พบกรณี", "no case 999999"),
        (["--case", "KPP-CC-01", "--accuracy", "0"], "เมตร", "between 1 and 100 m"),
        (["--case", "KPP-CC-01", "--accuracy", "250"], "เมตร", "between 1 and 100 m"),
        (["--case", "KPP-CC-01", "--accuracy", "ten"], "เมตร", "between 1 and 100 m"),
    ],
)
def test_cli_refuses_bad_input_in_both_languages(sample_config, tmp_path, args, th, en):
    out = tmp_path / "form.xlsx"
    result = _planner(sample_config, "survey", "form", *args, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert th in result.output and en in result.output
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize("where", ["missing/form.xlsx", "."])
def test_cli_refuses_a_path_it_cannot_write(sample_config, tmp_path, where):
    result = _planner(
        sample_config, "survey", "form", "--case", "KPP-CC-01", "--out", str(tmp_path / where)
    )
    assert result.exit_code == 2, result.output
    assert "เขียนไฟล์" in result.output and "cannot write" in result.output


# -- the web -------------------------------------------------------------------------------
def _case_id(app, ref="KPP-CC-01") -> int:
    from app.casestore import uow

    with app.app_context(), uow() as work:
        return work.repo.get_case_by_ref(ref).id


def test_officer_downloads_the_form_from_the_case_page(app, client, auth):
    case_id = _case_id(app)
    auth.login("officer")
    page = client.get(f"/cases/{case_id}")
    assert f'href="/cases/{case_id}/survey-form.xlsx"' in page.get_data(as_text=True)
    assert "ดาวน์โหลดแบบสำรวจ (XLSForm)" in page.get_data(as_text=True)
    response = client.get(f"/cases/{case_id}/survey-form.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"{FORM_ID}.xlsx" in disposition
    assert "no-store" in response.headers["Cache-Control"]
    assert XForm(response.data).main.find("x:case_ref", NS).text == "KPP-CC-01"


def test_the_communitys_rep_downloads_its_own_only(app, client, auth, sample_cases):
    _, own, other = sample_cases
    auth.login("rep.cc01")
    assert client.get(f"/cases/{own.id}/survey-form.xlsx").status_code == 200
    assert client.get(f"/cases/{other.id}/survey-form.xlsx").status_code == 403


def test_viewers_and_visitors_do_not_get_the_form(app, client, auth):
    case_id = _case_id(app)
    anonymous = client.get(f"/cases/{case_id}/survey-form.xlsx")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    auth.login("viewer")
    assert client.get(f"/cases/{case_id}/survey-form.xlsx").status_code == 403
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "survey-form.xlsx" not in page
    assert client.get("/cases/999999/survey-form.xlsx").status_code == 403  # viewers: never
    auth.logout()
    auth.login("officer")
    assert client.get("/cases/999999/survey-form.xlsx").status_code == 404
