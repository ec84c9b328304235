"""Hostile survey exports and requests against the import, the conflicts and the register
(a red-team pass): each test is an attack that once worked, or one that must keep failing."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from app import create_app
from cases import register
from cases.errors import InvalidInput
from gis.importing.survey_files import read_survey_export
from tests.conftest import AuthActions

CASE = "KPP-CC-01"  # rep.cc01's community
OTHER = "KPP-LS-03"
HEADER = ["_uuid", "form_version", "case_ref", "household_no", "consent/consent_given"]
HEADER += ["head/head_name"]


def _row(**answers) -> dict:
    base = {
        "_uuid": str(uuid.uuid4()),
        "form_version": register.REGISTER_VERSION,
        "consent_given": "yes",
        "head_name": "นางทดสอบ ใจดี",
    }
    return {**base, **answers}


def export_csv(rows: list[dict], extra: tuple[str, ...] = ()) -> bytes:
    """A KoBoToolbox CSV export (main table only) of `rows`, keyed by the short names."""
    header = [*HEADER, *extra]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(col.rsplit("/", 1)[-1], "") for col in header])
    return out.getvalue().encode()


def jpeg(shade: int = 0) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (shade, 0, 0)).save(out, "JPEG")
    return out.getvalue()


def case_id(client, ref: str) -> int:
    items = client.get(f"/api/cases?q={ref}").get_json()["items"]
    return next(c["id"] for c in items if c["ref"] == ref)


def preview(client, cid: int, name: str, data: bytes):
    return client.post(
        f"/cases/{cid}/survey-import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm(client, cid: int, token: str):
    return client.post(
        f"/cases/{cid}/survey-import", data={"token": token, "confirm": "1", "filename": "x"}
    )


def token_of(response) -> str:
    html = response.get_data(as_text=True)
    assert 'name="token" value="' in html, html
    return html.split('name="token" value="', 1)[1].split('"', 1)[0]


def uploads(client) -> list[str]:
    folder = Path(client.application.config["PLANNER_HOME"]) / "uploads" / "surveys"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def households(client, cid: int) -> list[dict]:
    return client.get(f"/api/cases/{cid}/households?per_page=1000").get_json()["items"]


@pytest.fixture
def officer(writable_client):
    AuthActions(writable_client).login("officer")
    return writable_client


# -- the register's rules ------------------------------------------------------------
@pytest.mark.parametrize("text", ["1e400", "-1e400", "inf", "nan", "NaN", "Infinity"])
def test_a_non_finite_number_is_refused_naming_the_field(text):
    field = register.FIELDS_BY_NAME["monthly_income"]
    with pytest.raises(InvalidInput) as caught:
        register.clean_value(field, text)
    assert caught.value.details["field"] == "monthly_income"
    assert "whole number" in caught.value.message_en and "จำนวนเต็ม" in caught.value.message_th


def test_a_subdistrict_without_its_district_must_lie_in_the_province():
    # 500101 is Si Phum, Mueang Chiang Mai: not in Bangkok (10).
    with pytest.raises(InvalidInput) as caught:
        register.clean_household({"province_code": "10", "subdistrict_code": "500101"})
    assert caught.value.details["field"] == "subdistrict_code"
    assert "500101" in caught.value.message_en and "ไม่อยู่ใน" in caught.value.message_th
    register.clean_household({"province_code": "10", "subdistrict_code": "104101"})


def test_a_document_name_keeps_no_path_quote_or_control_character():
    from cases.services.documents import safe_document_name

    assert safe_document_name("a\r\nSet-Cookie: x=1.jpg") == "a_Set-Cookie_ x_1.jpg"
    assert safe_document_name('x"; filename=evil.html') == "x_ filename_evil.html"
    assert safe_document_name("..\\..\\win.jpg") == "win.jpg"
    assert safe_document_name("/etc/passwd") == "passwd"
    assert safe_document_name("บ้าน หลังที่ 1.jpg") == "บ้าน หลังที่ 1.jpg"
    assert safe_document_name("") == "document"


def test_an_instance_id_too_long_for_the_register_is_read_without_one(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(export_csv([_row(_uuid="a" * 116), _row(_uuid="b" * 115)]))
    export = read_survey_export(path)
    assert [s.instance_id for s in export.submissions] == [None, "uuid:" + "b" * 115]
    assert any("not an instance id" in w["en"] and w["row"] == 2 for w in export.warnings)


# -- the import page -----------------------------------------------------------------
def test_a_non_finite_number_is_a_refused_row_never_a_500(officer):
    cid = case_id(officer, CASE)
    rows = [_row(monthly_income="1e400"), _row(monthly_income="nan"), _row(years_here="inf")]
    response = preview(
        officer,
        cid,
        "numbers.csv",
        export_csv(rows, ("income/monthly_income", "housing/years_here")),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert html.count('data-status="refused"') == 3
    assert "รายได้ครัวเรือนต่อเดือน" in html  # the field, named in Thai


def test_the_household_page_refuses_a_non_finite_number_without_a_500(officer):
    cid = case_id(officer, CASE)
    household = households(officer, cid)[0]
    response = officer.post(
        f"/cases/households/{household['id']}",
        data={"version": str(household["version"]), "monthly_income": "1e400"},
    )
    assert response.status_code in (400, 422), response.status_code
    assert "รายได้ครัวเรือนต่อเดือน" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "moment", ["2999-01-01T00:00:00", "0001-01-01T00:00:00", "2100-06-01T10:00:00+07:00"]
)
def test_a_submission_date_out_of_range_is_refused(officer, moment):
    cid = case_id(officer, CASE)
    before = len(households(officer, cid))
    response = preview(
        officer,
        cid,
        "dates.csv",
        export_csv([_row(_submission_time=moment)], ("_submission_time",)),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-status="refused"' in html, html
    assert "_submission_time" in html
    done = confirm(officer, cid, token_of(response))
    assert done.status_code == 200
    assert len(households(officer, cid)) == before


def test_one_instance_id_with_other_answers_is_refused_not_called_a_resend(officer):
    cid = case_id(officer, CASE)
    same = str(uuid.uuid4())
    rows = [
        _row(_uuid=same, head_name="นางหนึ่ง"),
        _row(_uuid=same, head_name="นายสอง ปลอม"),
        _row(_uuid=same, head_name="นางหนึ่ง"),  # a true re-send: the same answers
    ]
    response = preview(officer, cid, "dup.csv", export_csv(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    statuses = [part.split('"', 1)[0] for part in html.split('data-status="')[1:]]
    assert statuses == ["new", "refused", "unchanged"]
    assert "row 2" in html or "แถวที่ 2" in html


def test_photo_file_names_are_made_safe_and_download(officer):
    cid = case_id(officer, CASE)
    names = ["a\r\nSet-Cookie: x=1.jpg", 'x"; filename=evil.html']
    rows = [_row(head_name=f"photo {i}", photo_house=name) for i, name in enumerate(names)]
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        zf.writestr("export.csv", export_csv(rows, ("location/photo_house",)))
        for i, name in enumerate(names):
            zf.writestr(f"u/attachments/form/{i}/{name}", jpeg(i))
    response = preview(officer, cid, "photos.zip", data.getvalue())
    assert response.status_code == 200, response.get_data(as_text=True)
    assert confirm(officer, cid, token_of(response)).status_code == 200
    heads = {h["head_name"]: h["id"] for h in households(officer, cid)}
    for i in range(len(names)):
        page = officer.get(f"/cases/households/{heads[f'photo {i}']}").get_data(as_text=True)
        link = page.split('href="/cases/documents/', 1)[1].split('"', 1)[0]
        photo = officer.get(f"/cases/documents/{link}")
        assert photo.status_code == 200
        disposition = photo.headers["Content-Disposition"]
        assert "\r" not in disposition and "\n" not in disposition
        assert photo.headers["X-Content-Type-Options"] == "nosniff"


def test_a_refused_upload_leaves_no_file_behind(officer):
    cid = case_id(officer, CASE)
    for name, data in (("bad.csv", b"no,instance\n1,2\n"), ("bad.zip", b"PK\x03\x04garbage")):
        response = preview(officer, cid, name, data)
        assert response.status_code == 422
    assert uploads(officer) == []


def test_a_conflict_of_another_case_is_not_resolved_through_this_case(officer):
    here, there = case_id(officer, CASE), case_id(officer, OTHER)
    household = households(officer, there)[0]
    row = _row(case_ref=OTHER, household_no=str(household["household_no"]), head_name="อื่น")
    response = preview(officer, there, "c.csv", export_csv([row]))
    assert confirm(officer, there, token_of(response)).status_code == 200
    (conflict,) = officer.get(f"/cases/{there}/survey.json").get_json()["open_conflicts"]
    wrong = officer.post(
        f"/cases/{here}/survey-conflicts/{conflict['id']}", data={"keep": "survey"}
    )
    assert wrong.status_code == 404
    still = officer.get(f"/cases/{there}/survey.json").get_json()["open_conflicts"]
    assert [c["id"] for c in still] == [conflict["id"]]
    assert households(officer, there)[0]["head_name"] == household["head_name"]
    right = officer.post(
        f"/cases/{there}/survey-conflicts/{conflict['id']}", data={"keep": "officer"}
    )
    assert right.status_code == 302
    assert officer.get(f"/cases/{there}/survey.json").get_json()["open_conflicts"] == []


# -- who may do what (these held: kept as regressions) --------------------------------
def test_a_token_confirms_once_for_its_own_user_and_case(writable_client):
    auth = AuthActions(writable_client)
    auth.login("officer")
    here, there = case_id(writable_client, CASE), case_id(writable_client, OTHER)
    token = token_of(preview(writable_client, here, "t.csv", export_csv([_row()])))
    assert confirm(writable_client, there, token).status_code == 400  # another case
    assert confirm(writable_client, here, "*" * 24).status_code == 400  # a glob
    auth.logout()
    auth.login("rep.cc01")
    assert confirm(writable_client, here, token).status_code == 400  # another user
    auth.logout()
    auth.login("officer")
    assert confirm(writable_client, here, token).status_code == 200
    assert confirm(writable_client, here, token).status_code == 400  # replayed
    assert uploads(writable_client) == []


def test_a_representative_imports_into_no_other_community_and_a_viewer_sees_counts(
    writable_client,
):
    auth = AuthActions(writable_client)
    auth.login("officer")
    there = case_id(writable_client, OTHER)
    auth.logout()
    auth.login("rep.cc01")
    assert preview(writable_client, there, "r.csv", export_csv([_row()])).status_code == 403
    assert writable_client.get(f"/cases/{there}/survey-import").status_code == 403
    assert writable_client.get(f"/cases/{there}/survey.json").status_code in (403, 404)
    assert uploads(writable_client) == []
    auth.logout()
    auth.login("viewer")
    counts = writable_client.get(f"/cases/{there}/survey.json").get_json()
    assert set(counts) == {
        "households",
        "surveyed",
        "not_surveyed",
        "submissions",
        "conflicts",
        "gps_flagged",
        "last_import",
    }
    assert writable_client.get(f"/cases/{there}/survey-import").status_code == 403


def test_the_survey_forms_need_the_csrf_token(writable_config):
    app = create_app({"TESTING": True, **writable_config})  # CSRF on, as served
    client = app.test_client()
    login = client.get("/auth/login").get_data(as_text=True)
    token = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/auth/login",
        data={"username": "officer", "password": "officer-demo-2562", "csrf_token": token},
    )
    cid = case_id(client, CASE)
    response = preview(client, cid, "x.csv", export_csv([_row()]))
    assert response.status_code == 400
    assert (
        client.post(f"/cases/{cid}/survey-conflicts/1", data={"keep": "survey"}).status_code == 400
    )
    assert uploads(client) == []
