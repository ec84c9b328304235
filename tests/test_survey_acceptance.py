"""Issue 12's acceptance, end to end on both stores: the form generated for a sample case
converts with pyxform; a KoBo XLSX export and an ODK Central CSV zip are built from that
form's own questions (Thai text, the members repeat, photos, a re-sent submission, one
from an old form version, a GPS point at 25 m, and a household an officer changed); both
import; the register ends exactly as expected; importing again changes nothing."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from app.application.survey_form import survey_form_download
from app.application.survey_import import import_survey_file
from cases import register, services
from cases.model import User

OFFICER = User(username="officer", role="officer")
CASE = "KPP-LS-03"
HEADS = ["นางสมศรี ริมคลอง", "นายประยุทธ์ ใจดี", "นางบุญมี ศรีสุข"]


def _jpeg(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (shade, 120, 80)).save(out, "JPEG")
    return out.getvalue()


def _national_id(n: int) -> str:
    first = f"31012{n:07d}"
    return first + register.national_id_check_digit(first)


def form_questions(xlsx: bytes) -> tuple[list[str], list[str]]:
    """The main and repeat column paths (KoBo style, group/name) of the generated form."""
    book = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    rows = list(book["survey"].iter_rows(values_only=True))
    header = list(rows[0])
    kind, name = header.index("type"), header.index("name")
    stack: list[str] = []
    main, repeat = [], []
    for row in rows[1:]:
        qtype, qname = (row[kind] or "").strip(), row[name]
        if qtype in ("begin_group", "begin group", "begin_repeat", "begin repeat"):
            stack.append(qname)
        elif qtype in ("end_group", "end group", "end_repeat", "end repeat"):
            stack.pop()
        elif qname and qtype not in ("note",):
            path = "/".join([*stack, qname])
            (repeat if register.MEMBERS_REPEAT in stack else main).append(path)
    return main, repeat


def _people(head: str, i: int, count: int | None) -> list[dict]:
    """The members repeat: the head and children (as many as an officer counted, if given)."""
    sex = "female" if "นาง" in head else "male"
    people = [{"name": head, "sex": sex, "birth_year": "2510", "relation": "head"}]
    for k in range(1, count or 2):
        people.append(
            {
                "name": f"ด.ญ. ลูกคนที่ {i + 1}.{k}",
                "sex": "female",
                "birth_year": "2555",
                "relation": "child",
            }
        )
    return people


def submissions(case_ref: str, officer_household) -> list[dict]:
    """Five submissions; the third re-surveys the officer's household (same head, at its
    house), the fourth re-sends the first, the fifth uses an old form."""
    out = []
    officer_household_no = officer_household.household_no
    at = services.geometry_to_geojson(officer_household.location)["coordinates"]
    for i, head in enumerate(HEADS):
        if i == 2:
            head = officer_household.head_name
        answers = {
            "case_ref": case_ref,
            "household_no": str(officer_household_no) if i == 2 else "",
            "form_version": register.REGISTER_VERSION,
            "consent_given": "yes",
            "consent_sensitive": "yes" if i == 0 else "no",
            "consent_on": "2026-11-30",
            "consent_by": "อาสาสมัคร มาลี",
            "head_name": head,
            "national_id": _national_id(i + 1),
            "phone": f"08123456{i:02d}",
            "address_no": f"{12 + i}/3 ซอยริมคลองเปรม",
            "province_code": "10",
            "district_code": "1041",
            "occupation": "vendor",
            "monthly_income": str(7000 + 1000 * i) if i != 2 else "15000",
            "years_here": "25",
            "tenure": "treasury_encroaching",
            "house_condition": "poor",
            "savings_member": "yes",
            "monthly_saving": "200",
            "elderly": "1" if i == 0 else "",
            "photo_house": f"house-{i}.jpg",
            "_gps": (13.8600 + i * 0.0002, 100.5600 + i * 0.0002, 3.0, 25.0 if i == 1 else 4.0)
            if i != 2
            else (at[1], at[0], 3.0, 4.0),
            "_members": _people(head, i, officer_household.members if i == 2 else None),
            "_instance": f"uuid:0000000{i}-aaaa-4bbb-8ccc-00000000000{i}",
            "_photo": _jpeg(40 * i),
        }
        out.append(answers)
    resent = dict(out[0])
    old = dict(
        out[1], form_version="2025010101", _instance="uuid:99999999-aaaa-4bbb-8ccc-000000000099"
    )
    return [*out, resent, old]


def write_kobo_xlsx(path: Path, main_cols, repeat_cols, subs) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "แบบสำรวจครัวเรือน"
    gps_col = next(c for c in main_cols if c.endswith("/location"))
    header = [*main_cols, "meta/instanceID", "_id", "_uuid", "_submission_time", "_index"]
    sheet.append(header)
    members = book.create_sheet(register.MEMBERS_REPEAT)
    members.append([*repeat_cols, "_index", "_parent_table_name", "_parent_index"])
    member_index = 0
    for index, sub in enumerate(subs, start=1):
        row = []
        for col in main_cols:
            key = col.rsplit("/", 1)[-1]
            if col == gps_col:
                lat, lon, alt, acc = sub["_gps"]
                row.append(f"{lat} {lon} {alt} {acc}")
            else:
                row.append(sub.get(key, ""))
        uuid = sub["_instance"].removeprefix("uuid:")
        row += [sub["_instance"], 1000 + index, uuid, "2026-11-30T10:00:00", index]
        sheet.append(row)
        for member in sub["_members"]:
            member_index += 1
            members.append(
                [member.get(c.rsplit("/", 1)[-1], "") for c in repeat_cols]
                + [member_index, sheet.title, index]
            )
    book.save(path)


def write_kobo_zip(path: Path, xlsx: Path, subs) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(xlsx, xlsx.name)
        written = set()
        for sub in subs:
            folder = sub["_instance"].removeprefix("uuid:")
            name = f"officer/attachments/form/{folder}/{sub['photo_house']}"
            if name not in written:  # a re-sent submission's photo is the same file
                zf.writestr(name, sub["_photo"])
                written.add(name)


def write_odk_zip(path: Path, form_id: str, main_cols, repeat_cols, subs) -> None:
    def odk(col: str) -> str:
        return col.replace("/", "-")

    gps_col = next(c for c in main_cols if c.endswith("/location"))
    header = ["SubmissionDate"]
    for col in main_cols:
        if col == gps_col:
            base = odk(col)
            header += [
                f"{base}-Latitude",
                f"{base}-Longitude",
                f"{base}-Altitude",
                f"{base}-Accuracy",
            ]
        else:
            header.append(odk(col))
    header += [
        "meta-instanceID",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "ReviewState",
        "FormVersion",
    ]
    main, rep = io.StringIO(), io.StringIO()
    w, r = csv.writer(main), csv.writer(rep)
    w.writerow(header)
    r.writerow([*(odk(c) for c in repeat_cols), "PARENT_KEY", "KEY"])
    for sub in subs:
        row = ["2026-11-30T10:00:00.000Z"]
        for col in main_cols:
            if col == gps_col:
                lat, lon, alt, acc = sub["_gps"]
                row += [lat, lon, alt, acc]
            else:
                row.append(sub.get(col.rsplit("/", 1)[-1], ""))
        row += [sub["_instance"], sub["_instance"], "5", "officer", "", sub["form_version"]]
        w.writerow(row)
        for k, member in enumerate(sub["_members"], start=1):
            r.writerow(
                [member.get(c.rsplit("/", 1)[-1], "") for c in repeat_cols]
                + [sub["_instance"], f"{sub['_instance']}/members[{k}]"]
            )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{form_id}.csv", main.getvalue().encode("utf-8"))
        zf.writestr(f"{form_id}-{register.MEMBERS_REPEAT}.csv", rep.getvalue().encode("utf-8"))
        for sub in subs:
            if f"media/{sub['photo_house']}" not in zf.namelist():
                zf.writestr(f"media/{sub['photo_house']}", sub["_photo"])


@pytest.fixture
def store(sample_cases_store):
    return sample_cases_store


def register_state(store, case_id) -> list:
    """Everything the register holds for a case, comparable across imports."""
    with store.uow() as uow:
        members = uow.repo.members_of_case(case_id)
        out = []
        for h in uow.repo.list_households(case_id):
            docs = sorted(d.sha256 for d in uow.repo.list_household_documents(h.id))
            out.append(
                (
                    {k: v for k, v in vars(h).items() if k != "location"},
                    h.location.wkt if h.location else None,
                    [(m.name, m.sex, m.birth_year, m.relation) for m in members.get(h.id, [])],
                    docs,
                )
            )
        conflicts = [
            (c.household_id, c.field, c.resolved)
            for c in uow.repo.list_conflicts(case_id, open_only=False)
        ]
        submissions = [(s.instance_id, s.status) for s in uow.repo.list_submissions(case_id)]
    return [out, conflicts, submissions]


def test_form_to_register_from_kobo_and_odk(store, tmp_path):
    from pyxform.xls2xform import convert

    case = services.find_case(store.uow(), OFFICER, CASE)
    filename, xlsx = survey_form_download(store.uow(), OFFICER, case.id)
    form_path = tmp_path / filename
    form_path.write_bytes(xlsx)
    converted = convert(xlsform=str(form_path))
    assert "<h:title>" in converted.xform and "ครัวเรือน" in converted.xform
    main_cols, repeat_cols = form_questions(xlsx)
    assert {"head/head_name", "consent/consent_given", "case_ref", "household_no"} <= set(main_cols)
    assert any(c.endswith("/name") for c in repeat_cols)

    # An officer corrects an existing household before the survey comes back.
    existing = services.list_households(store.uow(), OFFICER, case.id)[0]
    services.update_household(
        store.uow(), OFFICER, existing.id, {"monthly_income": 11000}, existing.version
    )
    before = len(services.list_households(store.uow(), OFFICER, case.id))

    subs = submissions(case.ref, existing)
    kobo_xlsx = tmp_path / "kobo.xlsx"
    write_kobo_xlsx(kobo_xlsx, main_cols, repeat_cols, subs)
    kobo_zip = tmp_path / "kobo-with-photos.zip"
    write_kobo_zip(kobo_zip, kobo_xlsx, subs)
    report, warnings = import_survey_file(store.uow(), OFFICER, case.id, kobo_zip, apply=True)
    statuses = [(r.row, r.status) for r in report.results]
    assert [s for _, s in statuses] == ["new", "new", "conflict", "unchanged", "refused"], (
        report.results
    )
    flagged = [r for r in report.results if r.gps_flagged]
    assert len(flagged) == 1 and "25 m" in flagged[0].reasons[0]["en"]
    refused = report.results[4]
    assert (
        "2025010101" in refused.reasons[0]["en"]
        and register.REGISTER_VERSION in refused.reasons[0]["en"]
    )
    assert "ส่งซ้ำ" in report.results[3].reasons[0]["th"]

    households = {
        h.household_no: h for h in services.list_households(store.uow(), OFFICER, case.id)
    }
    assert len(households) == before + 2
    first = households[report.results[0].household_no]
    assert first.head_name == HEADS[0] and first.national_id == _national_id(1)
    assert first.elderly == 1 and first.consent_sensitive is True
    assert (first.province_code, first.district_code) == ("10", "1041")
    with store.uow() as uow:
        assert [m.name for m in uow.repo.list_members(first.id)] == [HEADS[0], "ด.ญ. ลูกคนที่ 1.1"]
        (photo,) = uow.repo.list_household_documents(first.id)
        assert photo.kind == "photo" and photo.size == len(subs[0]["_photo"])
    officer_edit = households[existing.household_no]
    assert officer_edit.monthly_income == 11000  # kept, waiting for review
    conflicts = services.list_conflicts(store.uow(), OFFICER, case.id)
    (conflict,) = conflicts
    assert (conflict.field, conflict.officer_value, conflict.survey_value) == (
        "monthly_income",
        11000,
        15000,
    )
    assert officer_edit.years_here == 25 and officer_edit.national_id == _national_id(3)

    state = register_state(store, case.id)
    odk_zip = tmp_path / "odk-central.zip"
    write_odk_zip(odk_zip, filename.removesuffix(".xlsx"), main_cols, repeat_cols, subs)
    report, _ = import_survey_file(store.uow(), OFFICER, case.id, odk_zip, apply=True)
    assert [r.status for r in report.results] == ["unchanged"] * 4 + ["refused"]
    report, _ = import_survey_file(store.uow(), OFFICER, case.id, kobo_zip, apply=True)
    assert [r.status for r in report.results] == ["unchanged"] * 4 + ["refused"]
    assert register_state(store, case.id) == state

    # The ODK Central export alone, into a fresh case, ends the same way as the KoBo one.
    progress = services.survey_progress(store.uow(), OFFICER, case.id)
    assert progress["surveyed"] == 3 and progress["conflicts"] == 1 and progress["gps_flagged"] == 1
    services.resolve_conflict(store.uow(), OFFICER, conflict.id, "survey")
    assert services.get_household(store.uow(), OFFICER, existing.id).monthly_income == 15000


def test_the_case_page_imports_a_survey_with_a_preview(writable_client, writable_auth, tmp_path):
    from cases.store import CaseStore as _Store

    app = writable_client.application
    store = _Store(
        app.config["PLANNER_HOME"], app.config["DATABASE_URL"], schema=app.config["DATABASE_SCHEMA"]
    )
    case = services.find_case(store.uow(), OFFICER, CASE)
    existing = services.list_households(store.uow(), OFFICER, case.id)[0]
    filename, xlsx = survey_form_download(store.uow(), OFFICER, case.id)
    main_cols, repeat_cols = form_questions(xlsx)
    subs = submissions(case.ref, existing)
    odk_zip = tmp_path / "odk.zip"
    write_odk_zip(odk_zip, filename.removesuffix(".xlsx"), main_cols, repeat_cols, subs)
    store.dispose()

    writable_auth.login("officer")
    page = writable_client.get(f"/cases/{case.id}")
    assert 'id="survey-import-link"' in page.get_data(as_text=True)
    preview = writable_client.post(
        f"/cases/{case.id}/survey-import",
        data={"file": (io.BytesIO(odk_zip.read_bytes()), "odk.zip")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "ยังไม่บันทึก" in html
    assert html.count('data-status="new"') == 2 and html.count('data-status="refused"') == 1
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
    assert (
        writable_client.get(f"/cases/{case.id}").get_data(as_text=True).count('id="conflict-') == 0
    )
    done = writable_client.post(
        f"/cases/{case.id}/survey-import",
        data={"token": token, "confirm": "1", "filename": "odk.zip"},
    )
    assert done.status_code == 200 and "นำเข้าเรียบร้อย" in done.get_data(as_text=True)
    again = writable_client.post(
        f"/cases/{case.id}/survey-import",
        data={"token": token, "confirm": "1", "filename": "odk.zip"},
    )
    assert again.status_code == 400 and "หมดอายุ" in again.get_data(as_text=True)
    page = writable_client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="survey-conflicts"' in page and "รายได้ครัวเรือนต่อเดือน" in page
    survey = writable_client.get(f"/cases/{case.id}/survey.json").get_json()
    assert survey["surveyed"] == 3 and survey["structures"]["features"]
    conflict_id = survey["open_conflicts"][0]["id"]
    writable_client.post(
        f"/cases/{case.id}/survey-conflicts/{conflict_id}", data={"keep": "officer"}
    )
    assert writable_client.get(f"/cases/{case.id}/survey.json").get_json()["conflicts"] == 0

    writable_auth.logout()
    writable_auth.login("viewer")
    counts = writable_client.get(f"/cases/{case.id}/survey.json").get_json()
    assert counts["surveyed"] == 3 and "structures" not in counts and "open_conflicts" not in counts
    assert writable_client.get(f"/cases/{case.id}/survey-import").status_code == 403


def test_two_submissions_photos_of_the_same_name_stay_apart(store, tmp_path):
    """KoBo names photos by the phone's clock: two houses may both send `1700000000.jpg`.
    Each household gets the photo from its own submission's folder."""
    import hashlib

    case = services.find_case(store.uow(), OFFICER, CASE)
    existing = services.list_households(store.uow(), OFFICER, case.id)[0]
    _, xlsx = survey_form_download(store.uow(), OFFICER, case.id)
    main_cols, repeat_cols = form_questions(xlsx)
    subs = submissions(case.ref, existing)[:2]
    for sub in subs:
        sub["photo_house"] = "1700000000.jpg"
    kobo_xlsx = tmp_path / "kobo.xlsx"
    write_kobo_xlsx(kobo_xlsx, main_cols, repeat_cols, subs)
    kobo_zip = tmp_path / "kobo.zip"
    write_kobo_zip(kobo_zip, kobo_xlsx, subs)
    report, warnings = import_survey_file(store.uow(), OFFICER, case.id, kobo_zip, apply=True)
    assert [r.status for r in report.results] == ["new", "new"] and warnings == []
    households = {
        h.household_no: h for h in services.list_households(store.uow(), OFFICER, case.id)
    }
    with store.uow() as uow:
        for result, sub in zip(report.results, subs, strict=True):
            (photo,) = uow.repo.list_household_documents(households[result.household_no].id)
            assert photo.sha256 == hashlib.sha256(sub["_photo"]).hexdigest()
