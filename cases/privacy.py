"""Which fields hold personal data: the one classification the planner uses.

A small table, one row per kind of personal field: the household fields of
`cases.model.Household` and what an imported survey layer may call the same
thing (KoBo, ODK, spreadsheets with Thai headers). `classify_field` maps any
column name to "personal", "sensitive" or None. The PDPA work will add a
purpose and a lawful basis to each row.

Plain Python: no Flask, no gis.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

PERSONAL = "personal"  # identifies a person or a household
SENSITIVE = "sensitive"  # a person's circumstances: money, health, religion, ...
CLASSES = (PERSONAL, SENSITIVE)


@dataclass(frozen=True)
class FieldClass:
    """One kind of personal field and the names it goes by.

    `names` match the whole column name; `words` match a word inside it (Latin
    words at word boundaries, Thai words anywhere, since Thai has no spaces)."""

    field: str
    cls: str
    th: str
    en: str
    names: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


FIELDS: tuple[FieldClass, ...] = (
    FieldClass(
        "head_name",
        PERSONAL,
        "ชื่อหัวหน้าครัวเรือน",
        "Name of the head of household",
        names=(
            "name",
            "full_name",
            "first_name",
            "last_name",
            "given_name",
            "family_name",
            "surname",
            "head",
            "household_head",
            "hh_head",
            "hh_name",
            "head_of_household",
            "respondent",
            "respondent_name",
            "resident_name",
            "member_name",
            "person_name",
            "owner_name",
            "contact_name",
            "ชื่อ",
            "ชื่อสกุล",
            "ชื่อนามสกุล",
            "หัวหน้าครัวเรือน",
            "ผู้ให้ข้อมูล",
            "ผู้ตอบ",
        ),
        words=(
            "surname",
            "firstname",
            "lastname",
            "fullname",
            "นามสกุล",
            "ชื่อหัวหน้า",
            "ชื่อผู้",
            "ชื่อเจ้าของบ้าน",
            "ชื่อสมาชิก",
        ),
    ),
    FieldClass(
        "members",
        PERSONAL,
        "สมาชิกในครัวเรือน",
        "Household members",
        names=("household_members", "hh_members", "member_count", "สมาชิก"),
        words=("สมาชิกในครัวเรือน", "จำนวนสมาชิก"),
    ),
    FieldClass(
        "monthly_income",
        SENSITIVE,
        "รายได้",
        "Income",
        words=("income", "salary", "wage", "wages", "earnings", "debt", "รายได้", "เงินเดือน", "หนี้"),
    ),
    FieldClass(
        "phone",
        PERSONAL,
        "เบอร์โทรศัพท์",
        "Phone number",
        names=("line_id", "lineid"),
        words=(
            "phone",
            "tel",
            "telephone",
            "mobile",
            "cellphone",
            "email",
            "e_mail",
            "โทร",
            "เบอร์",
            "มือถือ",
            "อีเมล",
        ),
    ),
    FieldClass(
        "location",
        PERSONAL,
        "ตำแหน่งบ้าน",
        "Location of the household",
        names=("household_location", "hh_location", "home_location", "house_location"),
        words=("gps", "latitude", "longitude", "พิกัด", "ละติจูด", "ลองจิจูด"),
    ),
    FieldClass(
        "national_id",
        PERSONAL,
        "เลขประจำตัวประชาชน",
        "National ID number",
        names=("pid", "cid", "id_no", "id_number"),
        words=(
            "national_id",
            "nationalid",
            "id_card",
            "idcard",
            "citizen_id",
            "citizenid",
            "passport",
            "เลขบัตร",
            "บัตรประชาชน",
            "เลขประจำตัวประชาชน",
        ),
    ),
    FieldClass(
        "address",
        PERSONAL,
        "ที่อยู่",
        "Address",
        names=("house_no", "house_number", "addr"),
        words=("address", "ที่อยู่", "บ้านเลขที่"),
    ),
    FieldClass(
        "birth_date",
        PERSONAL,
        "วันเกิดและอายุ",
        "Date of birth and age",
        names=("age", "dob"),
        words=("birth", "birthday", "birthdate", "date_of_birth", "วันเกิด", "อายุ"),
    ),
    FieldClass(
        "gender",
        PERSONAL,
        "เพศ",
        "Sex or gender",
        names=("sex", "gender", "เพศ"),
    ),
    FieldClass(
        "photo",
        PERSONAL,
        "รูปถ่าย",
        "Photo",
        words=("photo", "photos", "picture", "image", "selfie", "รูปถ่าย", "ภาพถ่าย", "รูปภาพ"),
    ),
    FieldClass(
        "household_no",
        PERSONAL,
        "ครัวเรือนที่",
        "Household number",
        names=("household_no", "household_number", "hh_no", "household_id", "hh_id", "ครัวเรือนที่"),
        words=("เลขที่ครัวเรือน",),
    ),
    FieldClass(
        # A house's own id names its household ("KPP-CC-01-H0001" is household 1).
        "structure_id",
        PERSONAL,
        "รหัสบ้านหรือสิ่งปลูกสร้างของครัวเรือน",
        "A household's house or structure id",
        names=("structure_id", "house_id", "house_no", "รหัสสิ่งปลูกสร้าง", "บ้านเลขที่"),
    ),
    FieldClass(
        "agreed_to_move",
        PERSONAL,
        "การยินยอมย้ายของครัวเรือน",
        "A household's agreement to move",
        names=("agreed_to_move", "agree_to_move", "consent_to_move", "ยินยอมย้าย"),
    ),
    FieldClass(
        "consent",
        PERSONAL,
        "ความยินยอมของครัวเรือน",
        "A household's consent",
        names=(
            "consent",
            "consent_given",
            "consent_sensitive",
            "consent_on",
            "consent_by",
            "ความยินยอม",
        ),
    ),
    FieldClass(
        "occupation",
        PERSONAL,
        "อาชีพ",
        "Occupation",
        names=("occupation", "job", "อาชีพ"),
    ),
    FieldClass(
        "years_here",
        PERSONAL,
        "ระยะเวลาที่อาศัยอยู่",
        "Years living here",
        names=("years_here", "years_living_here", "ระยะเวลาที่อาศัย"),
    ),
    FieldClass(
        "tenure_status",
        PERSONAL,
        "สถานะการครอบครองที่อยู่อาศัยของครัวเรือน",
        "A household's tenure status",
        names=("tenure", "tenure_status", "สถานะการครอบครอง"),
    ),
    FieldClass(
        "house_condition",
        PERSONAL,
        "สภาพบ้านของครัวเรือน",
        "A household's house condition",
        names=("house_condition", "สภาพบ้าน"),
    ),
    FieldClass(
        "household_relation",
        PERSONAL,
        "ความสัมพันธ์ในครัวเรือน",
        "Relation within the household",
        names=("relation", "relationship", "ความสัมพันธ์"),
    ),
    FieldClass(
        "savings",
        SENSITIVE,
        "การออมและกลุ่มออมทรัพย์",
        "Savings and savings-group membership",
        names=("savings_member", "saving", "savings", "monthly_saving"),
        words=("saving", "savings", "เงินออม", "ออมทรัพย์"),
    ),
    FieldClass(
        # PDPA s26: health and disability; stored only with explicit consent.
        "vulnerability",
        SENSITIVE,
        "กลุ่มเปราะบาง (ผู้สูงอายุ ผู้พิการ ผู้ป่วยเรื้อรัง)",
        "Vulnerability (elderly, disabled, chronically ill)",
        names=(
            "elderly",
            "disabled",
            "chronically_ill",
            "vulnerable",
            "vulnerability",
            "ผู้สูงอายุ",
            "ผู้ป่วยเรื้อรัง",
        ),
        words=("elderly", "bedridden", "chronically", "เปราะบาง", "ติดเตียง"),
    ),
    FieldClass(
        "health",
        SENSITIVE,
        "สุขภาพ ความพิการ ศาสนา เชื้อชาติ ประวัติอาชญากรรม",
        "Health, disability, religion, ethnicity, criminal record",
        words=(
            "health",
            "disease",
            "illness",
            "disability",
            "disabled",
            "religion",
            "ethnicity",
            "criminal",
            "สุขภาพ",
            "โรค",
            "พิการ",
            "ศาสนา",
            "เชื้อชาติ",
        ),
    ),
)

# Every row by its key; cases/register.py names a row for each register field.
FIELD_CLASSES = {row.field: row for row in FIELDS}

_THAI = re.compile(r"[\u0E00-\u0E7F]")
_SEPARATORS = re.compile(r"[^0-9a-z\u0E00-\u0E7F]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def normalise(name: str) -> str:
    """`Head Name`, `headName`, `group/head-name` and `_head_name` all become `head_name`."""
    text = unicodedata.normalize("NFC", _CAMEL.sub("_", str(name))).casefold()
    return _SEPARATORS.sub("_", text).strip("_")


def _compact(name: str) -> str:
    return name.replace("_", "")


_BY_NAME = {_compact(normalise(n)): row for row in FIELDS for n in (row.field, *row.names)}


def field_class(name: str) -> FieldClass | None:
    """The row of the table that `name` falls under, or None (sensitive rows win)."""
    norm = normalise(name)
    found = []
    exact = _BY_NAME.get(_compact(norm))
    if exact is not None:
        found.append(exact)
    bounded, compact = f"_{norm}_", _compact(norm)
    for row in FIELDS:
        for word in row.words:
            if _THAI.search(word):
                if word in compact:
                    found.append(row)
            elif f"_{word}_" in bounded:
                found.append(row)
    if not found:
        return None
    return next((row for row in found if row.cls == SENSITIVE), found[0])


def classify_field(name: str) -> str | None:
    """ "personal", "sensitive" or None for a column name in any case, spacing or in Thai."""
    row = field_class(name)
    return row.cls if row is not None else None


def personal_fields(columns: Iterable[str]) -> list[str]:
    """The columns, in order, that hold personal or sensitive data."""
    return [c for c in columns if classify_field(c) is not None]
