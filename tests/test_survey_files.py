"""Survey exports (KoBoToolbox XLSX, CSV and zip; ODK Central CSV zip) read into plain
submissions, and hostile ones refused naming the file, the row and the column."""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile

import openpyxl
import pytest
from PIL import Image

from gis.errors import ValidationError
from gis.importing.survey_files import RawSubmission, SurveyExport, photo_for, read_survey_export

pytestmark = pytest.mark.unit

UUID1 = "uuid:5f0c7d1e-3b1a-4c2e-9d6f-111111111111"
UUID2 = "uuid:5f0c7d1e-3b1a-4c2e-9d6f-222222222222"
FORM_UUID = "aBcDeF123"


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "JPEG")
    return buf.getvalue()


# Two households and a re-sent copy of the first (same instance id); the first has three
# members, a photo and a GPS point at 25 m accuracy.
HOUSEHOLDS = [
    {
        "uuid": UUID1,
        "consent_given": "yes",
        "head_name": "สมศรี ใจดี",
        "house_condition": "poor",
        "gps": (13.7563, 100.5018, 5.0, 25.0),
        "photo_house": "1712345678901.jpg",
        "case_ref": "C-2026-0007",
        "submitted": "2026-01-15T09:30:00",
        "members": [
            ("สมศรี ใจดี", "female", 2510, "head"),
            ("สมชาย ใจดี", "male", 2508, "spouse"),
            ("ฟ้าใส ใจดี", "female", 2550, "child"),
        ],
    },
    {
        "uuid": UUID2,
        "consent_given": "yes",
        "head_name": "ประยุทธ มั่นคง",
        "house_condition": "fair",
        "gps": (13.7601, 100.4987, 3.5, 8.0),
        "photo_house": "",
        "case_ref": "C-2026-0007",
        "submitted": "2026-01-15T10:02:11",
        "members": [("ประยุทธ มั่นคง", "male", 2519, "head")],
    },
]
HOUSEHOLDS.append({**HOUSEHOLDS[0], "submitted": "2026-01-15T11:45:00"})  # re-sent
FORM = ["consent_given", "head_name", "house_condition", "photo_house", "case_ref"]
FORM += ["form_version", "instanceID"]
MEMBER = ["name", "sex", "birth_year", "relation"]

KOBO_META = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status"]
KOBO_META += ["_submitted_by", "__version__", "_tags", "_index"]


def kobo_main(groups: bool = True) -> tuple[list[str], list[list]]:
    g = (lambda group, name: f"{group}/{name}") if groups else (lambda group, name: name)
    gps = "_location/location_" if groups else "_location_"
    header = [
        "start",
        g("consent", "consent_given"),
        g("head", "head_name"),
        g("housing", "house_condition"),
        g("location", "location"),
        *(gps + p for p in ("latitude", "longitude", "altitude", "precision")),
        g("location", "photo_house"),
        "case_ref",
        "form_version",
        g("meta", "instanceID"),
        *KOBO_META,
    ]
    rows = []
    for i, h in enumerate(HOUSEHOLDS, start=1):
        lat, lon, alt, acc = h["gps"]
        rows.append(
            [
                "2026-01-15T09:00:00.000+07:00",
                h["consent_given"],
                h["head_name"],
                h["house_condition"],
                f"{lat} {lon} {alt} {acc}",
                lat,
                lon,
                alt,
                acc,
                h["photo_house"] or None,
                h["case_ref"],
                "2026120201",
                h["uuid"],
                1000 + i,
                h["uuid"].removeprefix("uuid:"),
                h["submitted"],
                None,
                None,
                "submitted_via_web",
                "surveyor1",
                "vGqkd8aRaEzn5",
                None,
                i,
            ]
        )
    return header, rows


def kobo_members(groups: bool = True) -> tuple[list[str], list[list]]:
    header = [f"members/{m}" if groups else m for m in MEMBER]
    header += ["_index", "_parent_table_name", "_parent_index", "_submission__id"]
    header += ["_submission__uuid"]
    rows, n = [], 0
    for i, h in enumerate(HOUSEHOLDS, start=1):
        for member in h["members"]:
            n += 1
            rows.append([*member, n, "แบบสำรวจครัวเรือน", i, 1000 + i, h["uuid"][5:]])
    return header, rows


def write_kobo_xlsx(path, *, groups: bool = True, members=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "แบบสำรวจครัวเรือน"
    header, rows = kobo_main(groups)
    ws.append(header)
    for row in rows:
        ws.append(row)
    ms = wb.create_sheet("members")
    header, rows = members or kobo_members(groups)
    ms.append(header)
    for row in rows:
        ms.append(row)
    wb.save(path)
    return path


def kobo_csv_bytes(delimiter: str = ";", bom: bool = True) -> bytes:
    header, rows = kobo_main()
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode()


def attachment_path(h) -> str:
    return f"surveyor1/attachments/{FORM_UUID}/{h['uuid'][5:]}/{h['photo_house']}"


def write_kobo_zip(path, *, extra=()):
    inner = write_kobo_xlsx(path.parent / "inner.xlsx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(inner, "household_survey_2026_01_15.xlsx")
        zf.writestr(attachment_path(HOUSEHOLDS[0]), jpeg())
        for name, data in extra:
            zf.writestr(name, data)
    return path


ODK_META = ["KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent"]
ODK_META += ["AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]


def odk_tables() -> tuple[bytes, bytes]:
    main = io.StringIO()
    w = csv.writer(main, lineterminator="\r\n")
    w.writerow(
        [
            "SubmissionDate",
            "start",
            "consent-consent_given",
            "head-head_name",
            "housing-house_condition",
            *(f"location-location-{p}" for p in ("Latitude", "Longitude", "Altitude")),
            "location-location-Accuracy",
            "location-photo_house",
            "case_ref",
            "form_version",
            "meta-instanceID",
            *ODK_META,
        ]
    )
    for h in HOUSEHOLDS:
        w.writerow(
            [
                h["submitted"] + ".000Z",
                "2026-01-15T09:00:00.000+07:00",
                h["consent_given"],
                h["head_name"],
                h["house_condition"],
                *h["gps"],
                h["photo_house"],
                h["case_ref"],
                "2026120201",
                h["uuid"],
                h["uuid"],
                "12",
                "surveyor1",
                "1" if h["photo_house"] else "0",
                "1",
                "",
                "approved",
                "collect:abc",
                "0",
                "2026120201",
            ]
        )
    rep = io.StringIO()
    w = csv.writer(rep, lineterminator="\r\n")
    w.writerow([*(f"members-{m}" for m in MEMBER), "PARENT_KEY", "KEY"])
    for h in HOUSEHOLDS[:2]:  # Central holds one submission per instance id
        for i, member in enumerate(h["members"], start=1):
            w.writerow([*member, h["uuid"], f"{h['uuid']}/members[{i}]"])
    return main.getvalue().encode("utf-8-sig"), rep.getvalue().encode("utf-8-sig")


def write_odk_zip(path):
    main, rep = odk_tables()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("household_survey.csv", main)
        zf.writestr("household_survey-members.csv", rep)
        zf.writestr(f"media/{HOUSEHOLDS[0]['photo_house']}", jpeg())
        zf.writestr("media/upload.csv", "a,b\r\n1,2\r\n")  # a file question's upload
    return path


def content(export: SurveyExport, *, repeats: bool = True) -> list:
    """What every format must agree on: form fields, members, GPS, instance id."""
    out = []
    for s in export.submissions:
        fields = {k: s.fields[k] for k in FORM}
        members = [{k: m[k] for k in MEMBER} for m in s.repeats.get("members", [])]
        gps = tuple(round(v, 6) for v in s.gps) if s.gps else None
        out.append((s.instance_id, fields, members if repeats else None, gps))
    return out


def expected() -> list:
    out = []
    for h in HOUSEHOLDS:
        fields = {k: h[k] for k in FORM if k in h}
        fields |= {"form_version": "2026120201", "instanceID": h["uuid"]}
        members = [dict(zip(MEMBER, map(str, m), strict=True)) for m in h["members"]]
        out.append((h["uuid"], fields, members, h["gps"]))
    return out


def problems(exc: pytest.ExceptionInfo) -> tuple[str, str, list]:
    ps = exc.value.problems
    return " ".join(str(p) for p in ps), " ".join(p.message_th for p in ps), ps


# ------------------------------------------------------------------ formats


def test_kobo_xlsx_with_groups(tmp_path):
    export = read_survey_export(write_kobo_xlsx(tmp_path / "export.xlsx"))
    assert export.source == "kobo_xlsx" and export.filename == "export.xlsx"
    assert content(export) == expected()
    first = export.submissions[0]
    assert first.row == 2 and first.gps == (13.7563, 100.5018, 5.0, 25.0)
    assert first.submitted_at == "2026-01-15T09:30:00"
    assert first.fields["_id"] == "1001" and first.fields["__version__"] == "vGqkd8aRaEzn5"
    assert "location" not in first.fields and "head/head_name" not in first.fields
    assert [m["_row"] for m in first.repeats["members"]] == ["2", "3", "4"]
    assert first.repeats["members"][0]["_parent_index"] == "1"
    # the re-sent copy is kept; the importer deduplicates
    assert [s.instance_id for s in export.submissions] == [UUID1, UUID2, UUID1]
    assert export.media == {} and export.warnings == []


def test_kobo_xlsx_without_group_names_in_headers(tmp_path):
    path = write_kobo_xlsx(tmp_path / "export.xlsx", groups=False)
    export = read_survey_export(path, filename="รอบที่ 1.xlsx")
    assert export.filename == "รอบที่ 1.xlsx"
    assert content(export) == expected()


def test_gps_from_the_geopoint_text_alone(tmp_path):
    header, rows = kobo_main()
    keep = [i for i, h in enumerate(header) if not h.startswith("_location/")]
    wb = openpyxl.Workbook()
    for row in [header, *rows]:
        wb.active.append([row[i] for i in keep])
    wb.save(tmp_path / "e.xlsx")
    export = read_survey_export(tmp_path / "e.xlsx")
    assert [s.gps for s in export.submissions] == [h["gps"] for h in HOUSEHOLDS]


def test_kobo_xlsx_instance_id_from_uuid_when_meta_is_missing(tmp_path):
    header, rows = kobo_main()
    i = header.index("meta/instanceID")
    wb = openpyxl.Workbook()
    wb.active.append(header[:i] + header[i + 1 :])
    for row in rows:
        wb.active.append(row[:i] + row[i + 1 :])
    wb.save(tmp_path / "e.xlsx")
    export = read_survey_export(tmp_path / "e.xlsx")
    assert [s.instance_id for s in export.submissions] == [UUID1, UUID2, UUID1]


@pytest.mark.parametrize(("delimiter", "bom"), [(";", True), (",", False)])
def test_kobo_csv(tmp_path, delimiter, bom):
    path = tmp_path / "export.csv"
    path.write_bytes(kobo_csv_bytes(delimiter, bom))
    export = read_survey_export(path)
    assert export.source == "kobo_csv"
    assert content(export, repeats=False) == [(*e[:2], None, e[3]) for e in expected()]
    assert all(s.repeats == {} for s in export.submissions)
    assert export.submissions[0].gps[3] == 25.0
    [warning] = export.warnings
    assert "XLSX" in warning["en"] and "export.csv" in warning["en"]
    assert "สมาชิก" in warning["th"]


def test_kobo_zip_with_attachments(tmp_path):
    export = read_survey_export(write_kobo_zip(tmp_path / "kobo.zip"))
    assert export.source == "kobo_zip"
    assert content(export) == expected()
    first = export.submissions[0]
    assert photo_for(export.media, first.instance_id, HOUSEHOLDS[0]["photo_house"]) == jpeg()
    assert export.warnings == []


def test_odk_central_csv_zip(tmp_path):
    export = read_survey_export(write_odk_zip(tmp_path / "household_survey.zip"))
    assert export.source == "odk_central_zip"
    assert content(export) == expected()
    first = export.submissions[0]
    assert first.submitted_at == "2026-01-15T09:30:00.000Z"
    assert first.fields["SubmitterID"] == "12" and first.fields["KEY"] == UUID1
    assert first.repeats["members"][1]["KEY"] == f"{UUID1}/members[2]"
    assert photo_for(export.media, first.instance_id, HOUSEHOLDS[0]["photo_house"]) == jpeg()
    # the re-sent copy shares its KEY: both get the members, and a warning says so
    upload, key = export.warnings
    assert "KEY" in key["en"] and "rows 2, 4" in key["en"]
    assert "household_survey.zip/media/upload.csv: not a JPEG or PNG" in upload["en"]


def test_all_four_formats_agree(tmp_path):
    xlsx = read_survey_export(write_kobo_xlsx(tmp_path / "a.xlsx"))
    kzip = read_survey_export(write_kobo_zip(tmp_path / "b.zip"))
    odk = read_survey_export(write_odk_zip(tmp_path / "c.zip"))
    (tmp_path / "d.csv").write_bytes(kobo_csv_bytes())
    kcsv = read_survey_export(tmp_path / "d.csv")
    assert content(xlsx) == content(kzip) == content(odk)
    assert content(kcsv, repeats=False) == content(xlsx, repeats=False)
    name = HOUSEHOLDS[0]["photo_house"]
    for a, b in zip(kzip.submissions, odk.submissions, strict=True):
        assert photo_for(kzip.media, a.instance_id, name) == photo_for(
            odk.media, b.instance_id, name
        )
    assert isinstance(xlsx.submissions[0], RawSubmission)


def test_source_comes_from_content_not_suffix(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes(write_odk_zip(tmp_path / "o.zip").read_bytes())
    assert read_survey_export(path).source == "odk_central_zip"


# ------------------------------------------------------------ doubtful rows


def test_missing_instance_id_is_a_warning_naming_the_row(tmp_path):
    text = kobo_csv_bytes().decode("utf-8-sig")
    text = text.replace(UUID2, "").replace(UUID2[5:], "")
    (tmp_path / "e.csv").write_text(text, encoding="utf-8")
    export = read_survey_export(tmp_path / "e.csv")
    assert [s.instance_id for s in export.submissions] == [UUID1, None, UUID1]
    warning = next(w for w in export.warnings if w["row"] == 3)
    assert "e.csv" in warning["en"] and "row 3" in warning["en"]
    assert "instance id" in warning["en"] and "แถวที่ 3" in warning["th"]


def test_orphan_repeat_row_is_a_warning(tmp_path):
    header, rows = kobo_members()
    rows.append(["ไม่มีบ้าน", "male", 2500, "other", 99, "x", 42, 0, ""])
    path = write_kobo_xlsx(tmp_path / "e.xlsx", members=(header, rows))
    export = read_survey_export(path)
    assert content(export) == expected()
    [warning] = export.warnings
    assert f"row {len(rows) + 1}" in warning["en"] and "_parent_index" in warning["en"]
    assert "e.xlsx [members]" in warning["en"] and "แถวที่" in warning["th"]


def test_bad_gps_is_a_warning_and_no_point(tmp_path):
    text = kobo_csv_bytes(",", False).decode()
    text = text.replace("13.7601", "north")
    (tmp_path / "e.csv").write_text(text)
    export = read_survey_export(tmp_path / "e.csv")
    assert export.submissions[1].gps is None
    assert any("GPS" in w["en"] and w["row"] == 3 for w in export.warnings)


def test_group_name_clash_keeps_full_names(tmp_path):
    header, rows = kobo_main()
    header[header.index("housing/house_condition")] = "housing/head_name"
    wb = openpyxl.Workbook()
    wb.active.append(header)
    wb.active.append(rows[0])
    wb.save(tmp_path / "e.xlsx")
    [s] = read_survey_export(tmp_path / "e.xlsx").submissions
    assert s.fields["head/head_name"] == "สมศรี ใจดี" and s.fields["housing/head_name"] == "poor"


# ------------------------------------------------------------------ limits


def test_too_many_members_in_one_submission_is_refused(tmp_path):
    path = write_kobo_xlsx(tmp_path / "e.xlsx")
    with pytest.raises(ValidationError) as exc:
        read_survey_export(path, max_repeat=2)
    en, th, [p] = problems(exc)
    assert p.file == "e.xlsx [members]" and p.feature == "row 4"
    assert "more than 2 rows" in en and "row 2 of the main table" in en and "แถวที่ 2" in th


def test_too_many_submissions_is_refused(tmp_path):
    for path in (write_kobo_xlsx(tmp_path / "e.xlsx"), write_odk_zip(tmp_path / "o.zip")):
        with pytest.raises(ValidationError) as exc:
            read_survey_export(path, max_submissions=2)
        en, th, [p] = problems(exc)
        assert "more than 2" in en and "row 4" in en and "เกิน" not in en and "แถวที่" in th


# ------------------------------------------------------------------ hostile


def test_zip_slip_is_refused(tmp_path):
    path = tmp_path / "evil.zip"
    main, rep = odk_tables()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("household_survey.csv", main)
        zf.writestr("../../etc/cron.d/evil.csv", rep)
    with pytest.raises(ValidationError) as exc:
        read_survey_export(path)
    en, th, [p] = problems(exc)
    assert p.file == "evil.zip" and "zip slip" in en and "zip slip" in th
    assert p.feature == "../../etc/cron.d/evil.csv"


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("household_survey.csv", odk_tables()[0])
        zf.writestr("media/huge.jpg", b"\xff\xd8\xff" + bytes(30 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        read_survey_export(path)
    en, th, [p] = problems(exc)
    assert p.file == "bomb.zip" and p.feature == "media/huge.jpg"
    assert "zip bomb" in en and "เกินกำหนด" in th


def test_non_image_photo_and_oversized_photo_are_skipped_with_warnings(tmp_path):
    big = b"\x89PNG\r\n\x1a\n" + os.urandom(10_500_000)  # incompressible: no zip bomb
    path = write_kobo_zip(
        tmp_path / "kobo.zip",
        extra=[("surveyor1/attachments/x/y/photo.jpg", b"MZ\x90\x00 not a photo"), ("b.png", big)],
    )
    export = read_survey_export(path)
    assert {key.rsplit("/", 1)[-1] for key in export.media} == {HOUSEHOLDS[0]["photo_house"]}
    en = " | ".join(w["en"] for w in export.warnings)
    assert "kobo.zip/surveyor1/attachments/x/y/photo.jpg: not a JPEG or PNG" in en
    assert "kobo.zip/b.png: the photo is" in en and "10 MB" in en
    assert all(w["th"] for w in export.warnings)


def test_csv_row_with_an_extra_field_is_refused(tmp_path):
    lines = kobo_csv_bytes().decode("utf-8-sig").split("\r\n")
    lines[2] += ";surplus"
    (tmp_path / "e.csv").write_text("\r\n".join(lines), encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        read_survey_export(tmp_path / "e.csv")
    en, th, [p] = problems(exc)
    assert p.file == "e.csv" and p.feature == "row 3"
    n = len(kobo_main()[0])
    assert f"row 3 has {n + 1} fields" in en and f"แถวที่ 3 มี {n + 1} ช่อง" in th


def test_csv_with_an_overlong_cell_is_refused(tmp_path):
    text = kobo_csv_bytes(",", False).decode().replace("สมศรี ใจดี", "ก" * 40_000, 1)
    (tmp_path / "e.csv").write_text(text)
    with pytest.raises(ValidationError) as exc:
        read_survey_export(tmp_path / "e.csv")
    en, th, [p] = problems(exc)
    assert p.file == "e.csv" and p.feature == "row 2" and p.field == "head/head_name"
    assert "40,000 characters" in en and "แถวที่ 2 คอลัมน์ head/head_name" in th


def strip_dimension(path):
    """The workbook without the sheet size it declares (which check_xlsx reads)."""
    src = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
            zout.writestr(info, data)
    return path


def _wide_workbook(path, *, dimension: bool):
    wb = openpyxl.Workbook()
    wb.active.append([f"q{i}" for i in range(2000)] + ["_uuid"])
    wb.active.append(["x"] * 2000 + ["abc"])
    wb.save(path)
    return path if dimension else strip_dimension(path)


def test_sparse_sheet_is_refused_at_the_row_past_the_limit(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["_uuid", "head_name"])
    wb.active.append(["abc", "สมศรี"])
    wb.active.cell(row=1_000_000, column=1, value="far away")
    wb.save(tmp_path / "sparse.xlsx")
    with pytest.raises(ValidationError) as exc:
        read_survey_export(strip_dimension(tmp_path / "sparse.xlsx"), max_submissions=50)
    en, th, [p] = problems(exc)
    assert p.feature == "row 52" and "more than 50 rows" in en and "แถวที่ 52" in th


@pytest.mark.parametrize("dimension", [True, False])
def test_xlsx_with_2000_columns_is_refused(tmp_path, dimension):
    path = _wide_workbook(tmp_path / "wide.xlsx", dimension=dimension)
    with pytest.raises(ValidationError) as exc:
        read_survey_export(path)
    en, th, [p] = problems(exc)
    assert "wide.xlsx" in p.file and "columns" in en and "คอลัมน์" in th
    assert p.feature in ("xl/worksheets/sheet1.xml", "row 1")


def test_html_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_text("<!DOCTYPE html><html><body>Session expired, please log in</body></html>")
    with pytest.raises(ValidationError) as exc:
        read_survey_export(path)
    en, th, [p] = problems(exc)
    assert p.file == "export.xlsx" and "HTML" in en and "HTML" in th


def test_text_that_is_not_an_export_is_refused(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("name,phone\nสมศรี,0812345678\n")
    with pytest.raises(ValidationError) as exc:
        read_survey_export(path)
    en, th, [p] = problems(exc)
    assert p.file == "notes.csv" and p.feature == "row 1"
    assert "no instance id column" in en and "แถวที่ 1" in th


def test_nested_odk_repeat_is_skipped_with_a_warning(tmp_path):
    path = write_odk_zip(tmp_path / "o.zip")
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(
            "household_survey-illnesses.csv",
            f"illnesses-illness,PARENT_KEY,KEY\r\nเบาหวาน,{UUID1}/members[1],"
            f"{UUID1}/members[1]/illnesses[1]\r\n",
        )
    export = read_survey_export(path)
    assert content(export) == expected()
    assert any("nested repeats are not read" in w["en"] for w in export.warnings)


def test_odk_main_csv_alone_is_refused_with_advice(tmp_path):
    (tmp_path / "household_survey.csv").write_bytes(odk_tables()[0])
    with pytest.raises(ValidationError) as exc:
        read_survey_export(tmp_path / "household_survey.csv")
    en, th, _ = problems(exc)
    assert "CSV zip" in en and "zip" in th


def test_a_zip_of_a_fake_workbook_is_refused(tmp_path):
    path = tmp_path / "kobo.zip"
    with zipfile.ZipFile(path, "w") as zf:
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as z:
            z.writestr("readme.txt", "hi")
        zf.writestr("export.xlsx", inner.getvalue())
    with pytest.raises(ValidationError) as exc:
        read_survey_export(path)
    en, th, [p] = problems(exc)
    assert p.file == "kobo.zip/export.xlsx" and "not an Excel workbook" in en
