"""The household register: one schema for every field a household survey records.

Each field has its Thai and English label, its kind, its bounds or choices, and the
row of `cases.privacy.FIELDS` that classifies it (personal or sensitive). The
services validate with `clean_household` / `clean_member`, the survey form is
generated from `HOUSEHOLD_FIELDS` and `MEMBER_FIELDS`, and the survey import maps
columns onto them: the rules live here once.

Plain Python: no Flask, no gis. Province, district and subdistrict codes are the
Department of Provincial Administration (DOPA) codes, checked against the
`geothai` package (MIT / CC-BY-4.0).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from cases import privacy
from cases.errors import InvalidInput

# Stamped into every generated form (XLSForm `version`). A submission made with another
# version is refused: change this whenever a field, choice or name below changes.
REGISTER_VERSION = "2026120201"
GPS_ACCURACY_M = 10.0  # default threshold: worse GPS points are flagged
MAX_MEMBERS = 40
MAX_NAME = 200
MAX_TEXT = 500
MAX_MONEY = 10_000_000  # baht a month
EARLIEST_BIRTH_YEAR_BE = 2443  # 1900: birth years are asked and kept in the Buddhist Era
LATEST_BIRTH_YEAR_BE = 2600


@dataclass(frozen=True)
class Choice:
    value: str
    th: str
    en: str


@dataclass(frozen=True)
class RegisterField:
    """One field of the register. `kind`: text, int, bool, date, choice, national_id,
    province, district, subdistrict, point. `privacy` names a row of cases.privacy.FIELDS
    (None: not personal). `explicit_consent`: stored only with the household's explicit
    consent to sensitive data (PDPA s26)."""

    name: str
    kind: str
    th: str
    en: str
    section: str
    privacy: str | None = None
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = MAX_TEXT
    required: bool = False
    explicit_consent: bool = False
    hint_th: str = ""
    hint_en: str = ""

    @property
    def cls(self) -> str | None:
        """personal, sensitive or None, from the one classification."""
        return privacy.FIELD_CLASSES[self.privacy].cls if self.privacy else None


SECTIONS = {
    "consent": {"th": "ความยินยอม", "en": "Consent"},
    "head": {"th": "หัวหน้าครัวเรือน", "en": "Head of household"},
    "address": {"th": "ที่อยู่", "en": "Address"},
    "livelihood": {"th": "อาชีพและรายได้", "en": "Occupation and income"},
    "housing": {"th": "ที่อยู่อาศัย", "en": "Housing"},
    "savings": {"th": "กลุ่มออมทรัพย์", "en": "Savings group"},
    "vulnerability": {"th": "กลุ่มเปราะบาง", "en": "Vulnerability"},
    "location": {"th": "ตำแหน่งและรูปถ่าย", "en": "Location and photos"},
}

YES_NO = (Choice("yes", "ใช่", "Yes"), Choice("no", "ไม่ใช่", "No"))
SEXES = (
    Choice("female", "หญิง", "Female"),
    Choice("male", "ชาย", "Male"),
    Choice("other", "อื่น ๆ หรือไม่ระบุ", "Other or not stated"),
)
RELATIONS = (
    Choice("head", "หัวหน้าครัวเรือน", "Head of household"),
    Choice("spouse", "คู่สมรส", "Spouse"),
    Choice("child", "บุตร", "Child"),
    Choice("parent", "บิดามารดา", "Parent"),
    Choice("grandchild", "หลาน", "Grandchild"),
    Choice("sibling", "พี่น้อง", "Brother or sister"),
    Choice("relative", "ญาติอื่น", "Other relative"),
    Choice("other", "ผู้อาศัยอื่น", "Other resident"),
)
HOUSE_CONDITIONS = (
    Choice("good", "ดี", "Good"),
    Choice("fair", "พอใช้", "Fair"),
    Choice("poor", "ทรุดโทรม", "Poor"),
    Choice("unsafe", "ไม่ปลอดภัย อยู่อาศัยไม่ได้", "Unsafe to live in"),
)
OCCUPATIONS = (
    Choice("daily_wage", "รับจ้างรายวัน", "Daily wage worker"),
    Choice("vendor", "ค้าขาย หาบเร่ แผงลอย", "Vendor or small trader"),
    Choice("employee", "ลูกจ้างประจำ พนักงาน", "Employee"),
    Choice("civil_servant", "รับราชการ รัฐวิสาหกิจ", "Civil servant"),
    Choice("own_business", "ธุรกิจส่วนตัว", "Own business"),
    Choice("farmer", "เกษตรกร ประมง", "Farmer or fisher"),
    Choice("driver", "ขับรถรับจ้าง วินมอเตอร์ไซค์", "Driver or motorcycle taxi"),
    Choice("unemployed", "ว่างงาน", "Unemployed"),
    Choice("retired", "เกษียณ ไม่ได้ทำงาน", "Retired or not working"),
    Choice("other", "อื่น ๆ", "Other"),
)

HOUSEHOLD_FIELDS: tuple[RegisterField, ...] = (
    RegisterField(
        "consent_given",
        "bool",
        "ครัวเรือนยินยอมให้เก็บและใช้ข้อมูลเพื่อโครงการที่อยู่อาศัยนี้",
        "The household consents to this data being collected and used for this housing project",
        "consent",
        privacy="consent",
        required=True,
    ),
    RegisterField(
        "consent_sensitive",
        "bool",
        "ยินยอมโดยชัดแจ้งให้เก็บข้อมูลสุขภาพและความพิการ (มาตรา 26)",
        "Explicit consent to record health and disability (PDPA s26)",
        "consent",
        privacy="consent",
    ),
    RegisterField(
        "consent_on", "date", "วันที่ให้ความยินยอม", "Date of consent", "consent", privacy="consent"
    ),
    RegisterField(
        "consent_by",
        "text",
        "ผู้บันทึกความยินยอม",
        "Consent recorded by",
        "consent",
        privacy="consent",
        max_length=MAX_NAME,
    ),
    RegisterField(
        "head_name",
        "text",
        "ชื่อ-นามสกุลหัวหน้าครัวเรือน",
        "Name of the head of household",
        "head",
        privacy="head_name",
        max_length=MAX_NAME,
    ),
    RegisterField(
        "national_id",
        "national_id",
        "เลขประจำตัวประชาชน 13 หลัก",
        "National ID number (13 digits)",
        "head",
        privacy="national_id",
        max_length=13,
    ),
    RegisterField(
        "phone", "text", "เบอร์โทรศัพท์", "Phone number", "head", privacy="phone", max_length=40
    ),
    RegisterField(
        "address_no",
        "text",
        "บ้านเลขที่ หมู่ ซอย ถนน",
        "House number, village, lane, road",
        "address",
        privacy="address",
        max_length=MAX_NAME,
    ),
    RegisterField(
        "province_code", "province", "จังหวัด (รหัส)", "Province (code)", "address", privacy="address"
    ),
    RegisterField(
        "district_code",
        "district",
        "อำเภอ/เขต (รหัส)",
        "District (code)",
        "address",
        privacy="address",
    ),
    RegisterField(
        "subdistrict_code",
        "subdistrict",
        "ตำบล/แขวง (รหัส)",
        "Subdistrict (code)",
        "address",
        privacy="address",
    ),
    RegisterField(
        "occupation",
        "choice",
        "อาชีพหลักของหัวหน้าครัวเรือน",
        "Main occupation of the head",
        "livelihood",
        privacy="occupation",
        choices=OCCUPATIONS,
    ),
    RegisterField(
        "monthly_income",
        "int",
        "รายได้ครัวเรือนต่อเดือน (บาท)",
        "Household income a month (baht)",
        "livelihood",
        privacy="monthly_income",
        minimum=0,
        maximum=MAX_MONEY,
    ),
    RegisterField(
        "years_here",
        "int",
        "อาศัยอยู่ที่นี่มาแล้วกี่ปี",
        "Years living here",
        "housing",
        privacy="years_here",
        minimum=0,
        maximum=120,
    ),
    RegisterField(
        "tenure",
        "choice",
        "สถานะการครอบครองที่อยู่อาศัย",
        "Tenure status",
        "housing",
        privacy="tenure_status",
        # The choices are the programme's tenure kinds (cases/workflows.yaml).
    ),
    RegisterField(
        "house_condition",
        "choice",
        "สภาพบ้าน",
        "House condition",
        "housing",
        privacy="house_condition",
        choices=HOUSE_CONDITIONS,
    ),
    RegisterField(
        "structure_id",
        "text",
        "รหัสบ้าน (ป้ายหน้าบ้าน)",
        "House code (plate on the house)",
        "housing",
        privacy="structure_id",
        max_length=40,
    ),
    RegisterField(
        "savings_member",
        "bool",
        "เป็นสมาชิกกลุ่มออมทรัพย์",
        "Member of the savings group",
        "savings",
        privacy="savings",
    ),
    RegisterField(
        "monthly_saving",
        "int",
        "เงินออมต่อเดือน (บาท)",
        "Saving a month (baht)",
        "savings",
        privacy="savings",
        minimum=0,
        maximum=MAX_MONEY,
    ),
    RegisterField(
        "elderly",
        "int",
        "จำนวนผู้สูงอายุ (60 ปีขึ้นไป)",
        "Elderly people (60 and over)",
        "vulnerability",
        privacy="vulnerability",
        minimum=0,
        maximum=MAX_MEMBERS,
        explicit_consent=True,
    ),
    RegisterField(
        "disabled",
        "int",
        "จำนวนผู้พิการ",
        "People with a disability",
        "vulnerability",
        privacy="vulnerability",
        minimum=0,
        maximum=MAX_MEMBERS,
        explicit_consent=True,
    ),
    RegisterField(
        "chronically_ill",
        "int",
        "จำนวนผู้ป่วยเรื้อรังหรือติดเตียง",
        "People chronically ill or bedridden",
        "vulnerability",
        privacy="vulnerability",
        minimum=0,
        maximum=MAX_MEMBERS,
        explicit_consent=True,
    ),
    RegisterField(
        "location",
        "point",
        "ตำแหน่งบ้าน (GPS)",
        "Location of the house (GPS)",
        "location",
        privacy="location",
    ),
)

MEMBER_FIELDS: tuple[RegisterField, ...] = (
    RegisterField(
        "name",
        "text",
        "ชื่อ-นามสกุล",
        "Name",
        "members",
        privacy="head_name",
        max_length=MAX_NAME,
        required=True,
    ),
    RegisterField("sex", "choice", "เพศ", "Sex", "members", privacy="gender", choices=SEXES),
    RegisterField(
        "birth_year",
        "int",
        "ปีเกิด (พ.ศ.)",
        "Year of birth (Buddhist Era)",
        "members",
        privacy="birth_date",
        minimum=EARLIEST_BIRTH_YEAR_BE,
        maximum=LATEST_BIRTH_YEAR_BE,
        hint_th="เช่น 2510",
        hint_en="for example 2510 (1967)",
    ),
    RegisterField(
        "relation",
        "choice",
        "ความสัมพันธ์กับหัวหน้าครัวเรือน",
        "Relation to the head",
        "members",
        privacy="household_relation",
        choices=RELATIONS,
    ),
)

# Names the generated form and the survey import share. Each section is a group of the
# form (KoBo exports it as `head/head_name`, ODK Central as `head-head_name`).
MEMBERS_REPEAT = "members"
PHOTO_FIELDS = {
    "photo_house": {"th": "รูปถ่ายบ้าน", "en": "Photo of the house"},
    "photo_other": {"th": "รูปถ่ายเพิ่มเติม", "en": "Another photo"},
}
CASE_REF_FIELD = "case_ref"  # hidden, the case's reference
HOUSEHOLD_NO_FIELD = "household_no"  # hidden, the household's number (blank: a new household)
FORM_VERSION_FIELD = "form_version"  # calculated, REGISTER_VERSION
SECTION_OF_PHOTOS = "location"

FIELDS_BY_NAME = {f.name: f for f in HOUSEHOLD_FIELDS}


def empty_value(name: str):
    """What a cleared household field holds: "" for text, None for anything else."""
    field = FIELDS_BY_NAME.get(name)
    return "" if field is not None and field.kind == "text" else None


# Household columns that identify a person or their circumstances, by the one
# classification (cases/privacy.py): municipality viewers never see them. `members`
# is the count of the members repeat.
PERSONAL_FIELDS = frozenset({f.name for f in HOUSEHOLD_FIELDS if f.cls} | {"members"})
MEMBER_FIELDS_BY_NAME = {f.name: f for f in MEMBER_FIELDS}
# The fields stored only with explicit consent: those whose privacy row rests on PDPA s26
# (a test holds the `explicit_consent` flags equal to this).
EXPLICIT_CONSENT_FIELDS = tuple(
    f.name
    for f in HOUSEHOLD_FIELDS
    if f.privacy and privacy.FIELD_CLASSES[f.privacy].basis == privacy.EXPLICIT_CONSENT
)
# The fields that rest on the household's general consent (PDPA s19): they may not be
# stored once the household has refused or withdrawn it.
CONSENT_FIELDS = tuple(
    f.name
    for f in HOUSEHOLD_FIELDS
    if f.privacy and privacy.FIELD_CLASSES[f.privacy].basis == privacy.CONSENT
)
# Every household column that holds personal data, with its privacy row: the register's
# fields, the member count and the agreement to move. The read log names these rows.
HOUSEHOLD_PRIVACY: dict[str, str] = {
    **{f.name: f.privacy for f in HOUSEHOLD_FIELDS if f.privacy},
    "members": "members",
    "agreed_to_move": "agreed_to_move",
}
MEMBER_PRIVACY: dict[str, str] = {f.name: f.privacy for f in MEMBER_FIELDS if f.privacy}


def privacy_rows(
    values: dict[str, Any], names=None, *, table: dict[str, str] = HOUSEHOLD_PRIVACY
) -> list[str]:
    """The privacy rows (keys of cases.privacy.FIELDS) of the personal fields of `values`
    that hold something, limited to `names` when given: what a reader was shown."""
    shown = table.keys() if names is None else [n for n in names if n in table]
    rows = {table[n] for n in shown if values.get(n) not in (None, "", [])}
    return sorted(rows)


# -- national ID ---------------------------------------------------------------
_DIGITS = re.compile(r"^[0-9]{13}$")


def national_id_problem(value: str) -> tuple[str, str] | None:
    """(en, th) saying why `value` is not a Thai national ID number, or None."""
    digits = re.sub(r"[\s-]", "", str(value))
    if not _DIGITS.match(digits):
        return (
            "a national ID number has 13 digits",
            "เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก",
        )
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    if (11 - total % 11) % 10 != int(digits[12]):
        return (
            "the national ID number's check digit is wrong (a digit is mistyped)",
            "เลขตรวจสอบ (หลักสุดท้าย) ของเลขประจำตัวประชาชนไม่ถูกต้อง อาจพิมพ์ผิดหนึ่งหลัก",
        )
    return None


def national_id_check_digit(first12: str) -> str:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return str((11 - total % 11) % 10)


def mask_national_id(value: str | None) -> str:
    """`1-2345-67890-12-1` shown as `x-xxxx-xxxxx-12-1`: the last three digits only."""
    if not value:
        return ""
    d = re.sub(r"\D", "", value)
    if len(d) != 13:
        return "x" * len(d)
    return f"x-xxxx-xxxxx-{d[10:12]}-{d[12]}"


# -- DOPA codes ----------------------------------------------------------------
@lru_cache(maxsize=1)
def _dopa():
    import geothai

    provinces = {p.code: p for p in geothai.provinces()}
    districts = {d.code: d for p in provinces for d in geothai.districts(p)}
    subdistricts = {s.code: s for d in districts for s in geothai.subdistricts(d)}
    return provinces, districts, subdistricts


def dopa_tables():
    """({code: province}, {code: district}, {code: subdistrict}) of the DOPA list."""
    return _dopa()


def dopa_area(code: str):
    """The province, district or subdistrict with DOPA `code` (2, 4 or 6 digits), or None."""
    provinces, districts, subdistricts = _dopa()
    return {2: provinces, 4: districts, 6: subdistricts}.get(len(code), {}).get(code)


def dopa_names(code: str | None) -> dict[str, str]:
    """{th, en} of a DOPA code, "" when unknown."""
    area = dopa_area(code) if code else None
    return {"th": area.name_th, "en": area.name_en} if area else {"th": "", "en": ""}


_LEVEL = {"province": 2, "district": 4, "subdistrict": 6}


def _dopa_problem(kind: str, code: str) -> tuple[str, str] | None:
    if not re.fullmatch(r"[0-9]+", code) or len(code) != _LEVEL[kind] or not dopa_area(code):
        th = {"province": "จังหวัด", "district": "อำเภอ/เขต", "subdistrict": "ตำบล/แขวง"}[kind]
        return (
            f"{code!r} is not a DOPA {kind} code ({_LEVEL[kind]} digits)",
            f"{code!r} ไม่ใช่รหัส{th}ของกรมการปกครอง ({_LEVEL[kind]} หลัก)",
        )
    return None


def dopa_code_problem(kind: str, code: str, *, within: str | None = None):
    """(en, th) when `code` is not a DOPA `kind` code (province, district, subdistrict)
    or, given `within`, not inside that province or district; None when it is."""
    problem = _dopa_problem(kind, code)
    if problem or not within or code.startswith(within):
        return problem
    return (
        f"{code!r} is not inside {within!r} ({dopa_names(within)['en']})",
        f"{code!r} ไม่อยู่ใน {within!r} ({dopa_names(within)['th']})",
    )


# -- validation ----------------------------------------------------------------
def _refuse(field: RegisterField, en: str, th: str) -> InvalidInput:
    return InvalidInput(f"{field.en}: {en}", f"{field.th}: {th}", field=field.name)


_TRUE = {True, "1", "true", "yes", "on", "ใช่", "y"}
_FALSE = {False, "0", "false", "no", "off", "ไม่ใช่", "n"}


def clean_value(field: RegisterField, value: Any, *, choices=None) -> Any:
    """`value` checked and converted for `field`; "" and None become None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None if field.kind != "text" else ""
    if field.kind == "text":
        text = str(value).strip()
        if len(text) > field.max_length:
            raise _refuse(
                field,
                f"at most {field.max_length} characters",
                f"ยาวได้ไม่เกิน {field.max_length} ตัวอักษร",
            )
        return text
    if field.kind == "bool":
        key = value.strip().casefold() if isinstance(value, str) else value
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise _refuse(field, "must be yes or no", "ต้องเป็น ใช่ หรือ ไม่ใช่")
    if field.kind == "int":
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            number = None
        if number is None or not math.isfinite(number) or number != int(number):
            raise _refuse(field, f"{value!r} is not a whole number", f"{value!r} ไม่ใช่จำนวนเต็ม")
        number = int(number)
        if not (field.minimum or 0) <= number <= (field.maximum or MAX_MONEY):
            raise _refuse(
                field,
                f"must be between {field.minimum or 0:,} and {field.maximum:,}",
                f"ต้องอยู่ระหว่าง {field.minimum or 0:,} ถึง {field.maximum:,}",
            )
        return number
    if field.kind == "date":
        from cases.model import date_range_problem

        if isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value).strip()[:10])
            except ValueError:
                raise _refuse(
                    field, f"{value!r} is not a date (YYYY-MM-DD)", f"{value!r} ไม่ใช่วันที่"
                ) from None
        problem = date_range_problem(day, field.en)
        if problem:
            raise _refuse(field, problem[0], problem[1])
        return day
    if field.kind == "choice":
        allowed = choices if choices is not None else [c.value for c in field.choices]
        text = str(value).strip()
        if text not in allowed:
            raise _refuse(
                field,
                f"{text!r} is not one of the choices ({', '.join(allowed)})",
                f"{text!r} ไม่ใช่ตัวเลือกที่มี",
            )
        return text
    if field.kind == "national_id":
        problem = national_id_problem(value)
        if problem:
            raise _refuse(field, *problem)
        return re.sub(r"[\s-]", "", str(value))
    if field.kind in _LEVEL:
        code = str(value).strip()
        problem = _dopa_problem(field.kind, code)
        if problem:
            raise _refuse(field, *problem)
        return code
    return value  # point: checked by the geometry service


def clean_household(values: dict[str, Any], *, tenure_kinds=()) -> dict[str, Any]:
    """The register fields of `values`, checked one by one; other keys pass through."""
    out = dict(values)
    for name, value in values.items():
        field = FIELDS_BY_NAME.get(name)
        if field is None or field.kind == "point":
            continue
        choices = list(tenure_kinds) if name == "tenure" else None
        out[name] = clean_value(field, value, choices=choices)
    check_address(out)
    return out


def check_address(values: dict[str, Any]) -> None:
    """A district must lie in its province and a subdistrict in its district (or, without
    one, in its province)."""
    province = values.get("province_code")
    district = values.get("district_code")
    subdistrict = values.get("subdistrict_code")
    # A subdistrict without its district must still lie in the province.
    pairs = (
        (province, district, "district_code"),
        (district or province, subdistrict, "subdistrict_code"),
    )
    for parent, child, name in pairs:
        if parent and child and not child.startswith(parent):
            field = FIELDS_BY_NAME[name]
            raise _refuse(
                field,
                f"{child} ({dopa_names(child)['en']}) is not in {parent} ({dopa_names(parent)['en']})",
                f"{child} ({dopa_names(child)['th']}) ไม่อยู่ใน {parent} ({dopa_names(parent)['th']})",
            )


def check_consent(values: dict[str, Any]) -> None:
    """Health and disability need explicit consent (PDPA s26): refuse them without it. The
    fields resting on general consent (s19) are refused once it was refused or withdrawn
    (consent_given False; None is "not recorded yet")."""
    given = [n for n in EXPLICIT_CONSENT_FIELDS if values.get(n) not in (None, "", 0)]
    if given and values.get("consent_sensitive") is not True:
        names_en = ", ".join(FIELDS_BY_NAME[n].en for n in given)
        names_th = ", ".join(FIELDS_BY_NAME[n].th for n in given)
        raise InvalidInput(
            f"{names_en}: health and disability can be recorded only with the household's "
            "explicit consent (PDPA s26); record the consent first",
            f"{names_th}: บันทึกข้อมูลสุขภาพและความพิการได้เฉพาะเมื่อครัวเรือนให้ความยินยอมโดยชัดแจ้ง "
            "(พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล มาตรา 26) กรุณาบันทึกความยินยอมก่อน",
            field=given[0],
        )
    refused = [n for n in CONSENT_FIELDS if values.get(n) not in (None, "")]
    if refused and values.get("consent_given") is False:
        names_en = ", ".join(FIELDS_BY_NAME[n].en for n in refused)
        names_th = ", ".join(FIELDS_BY_NAME[n].th for n in refused)
        raise InvalidInput(
            f"{names_en}: the household has refused or withdrawn its consent (PDPA s19), so "
            "this cannot be stored; record the consent again first",
            f"{names_th}: ครัวเรือนไม่ให้หรือถอนความยินยอมแล้ว (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล "
            "มาตรา 19) จึงบันทึกข้อมูลนี้ไม่ได้ กรุณาบันทึกความยินยอมใหม่ก่อน",
            field=refused[0],
        )


def clean_member(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for field in MEMBER_FIELDS:
        if field.name in values:
            out[field.name] = clean_value(field, values[field.name])
    if not out.get("name"):
        field = MEMBER_FIELDS_BY_NAME["name"]
        raise _refuse(field, "a member needs a name", "สมาชิกต้องมีชื่อ")
    return out


def dopa_children(code: str | None) -> list[dict[str, str]] | None:
    """The provinces (code None or ""), a province's districts or a district's
    subdistricts, as {code, th, en} in DOPA code order; None when `code` is unknown."""
    provinces, districts, subdistricts = _dopa()
    if not code:
        table, prefix = provinces, ""
    elif len(code) in (2, 4) and dopa_area(code):
        table, prefix = (districts if len(code) == 2 else subdistricts), code
    else:
        return None
    return [
        {"code": c, "th": a.name_th, "en": a.name_en}
        for c, a in sorted(table.items())
        if c.startswith(prefix)
    ]
