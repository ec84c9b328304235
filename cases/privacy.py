"""Which fields hold personal data: the one classification the planner uses.

A small table, one row per kind of personal field: the household fields of
`cases.model.Household` and what an imported survey layer may call the same
thing (KoBo, ODK, spreadsheets with Thai headers). `classify_field` maps any
column name to "personal", "sensitive" or None.

Each row also names its processing purpose (`PURPOSES`), and through it its lawful
basis under the PDPA B.E. 2562 (`BASES`), its recipients by role and its retention
class: the consent ledger, the read log and the record of processing (s39) all read
them from here. Document kinds that hold personal data name their row in
`DOCUMENT_KINDS`. docs/decisions/0025-pdpa-classification-consent-and-read-log.md

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

# -- lawful bases (PDPA B.E. 2562) ---------------------------------------------------------
PUBLIC_TASK = "s24_4"  # a task in the public interest or of official authority
CONTRACT = "s24_3"  # a contract with the data subject, or steps before one
LEGAL_OBLIGATION = "s24_6"  # the controller's legal obligation
CONSENT = "s19"  # consent, in writing or electronically, for a stated purpose
EXPLICIT_CONSENT = "s26"  # explicit consent to sensitive data (health, disability...)


@dataclass(frozen=True)
class Basis:
    key: str
    section_th: str
    section_en: str
    th: str
    en: str
    needs_consent: bool = False


BASES: dict[str, Basis] = {
    b.key: b
    for b in (
        Basis(
            PUBLIC_TASK,
            "มาตรา 24 (4)",
            "s24(4)",
            "การปฏิบัติหน้าที่เพื่อประโยชน์สาธารณะหรือตามอำนาจรัฐ",
            "A task in the public interest or in the exercise of official authority",
        ),
        Basis(
            CONTRACT,
            "มาตรา 24 (3)",
            "s24(3)",
            "การปฏิบัติตามสัญญาที่เจ้าของข้อมูลเป็นคู่สัญญา",
            "A contract the data subject is party to",
        ),
        Basis(
            LEGAL_OBLIGATION,
            "มาตรา 24 (6)",
            "s24(6)",
            "การปฏิบัติตามกฎหมายของผู้ควบคุมข้อมูล",
            "A legal obligation of the controller",
        ),
        Basis(
            CONSENT,
            "มาตรา 19",
            "s19",
            "ความยินยอมของเจ้าของข้อมูล",
            "The data subject's consent",
            needs_consent=True,
        ),
        Basis(
            EXPLICIT_CONSENT,
            "มาตรา 26",
            "s26",
            "ความยินยอมโดยชัดแจ้ง (ข้อมูลอ่อนไหว)",
            "Explicit consent (sensitive data)",
            needs_consent=True,
        ),
    )
}

# Consent scopes of the ledger: general consent (s19) and explicit consent (s26).
GENERAL, SENSITIVE_SCOPE = "general", "sensitive"
SCOPES = {GENERAL: CONSENT, SENSITIVE_SCOPE: EXPLICIT_CONSENT}
# Retention classes: how long is configured per instance (app/application/pdpa.py).
RETENTION_CLASSES = (PERSONAL, SENSITIVE)


@dataclass(frozen=True)
class Purpose:
    """Why the planner processes a kind of data: the basis it rests on, who may receive
    it (roles of cases.model.ROLES, and others outside the planner) and its retention."""

    key: str
    th: str
    en: str
    basis: str
    recipients: tuple[str, ...]
    retention: str
    outside_th: str = ""
    outside_en: str = ""
    subjects_th: str = "หัวหน้าครัวเรือนและสมาชิกในครัวเรือนที่อยู่ในโครงการ"
    subjects_en: str = "Heads and members of the households in the programme"

    @property
    def lawful_basis(self) -> Basis:
        return BASES[self.basis]


_STAFF = ("admin", "officer")
_EDITORS = ("admin", "officer", "community_rep")

PURPOSES: dict[str, Purpose] = {
    p.key: p
    for p in (
        Purpose(
            "housing_programme",
            "วางแผนและดำเนินโครงการที่อยู่อาศัย: สำรวจ ตรวจสิทธิ์ จัดผัง ก่อสร้าง และย้ายเข้าอยู่",
            "Plan and run the housing programme: survey, eligibility, layout, building "
            "and moving in",
            PUBLIC_TASK,
            _EDITORS,
            PERSONAL,
            outside_th="เขต/เทศบาลเห็นเฉพาะจำนวนครัวเรือน ไม่เห็นข้อมูลรายครัวเรือน",
            outside_en="Municipalities see household counts only, never a household",
        ),
        Purpose(
            "housing_finance",
            "สินเชื่อที่อยู่อาศัย เงินอุดหนุน สัญญาเช่าที่ดิน และการออมของกลุ่มออมทรัพย์/สหกรณ์",
            "Housing loans, subsidies, land leases and the savings group or cooperative",
            CONTRACT,
            _EDITORS,
            PERSONAL,
            outside_th="สหกรณ์ที่ครัวเรือนเป็นสมาชิก (สัญญาเงินกู้และสัญญาเช่า)",
            outside_en="The household's cooperative (loan and lease contracts)",
        ),
        Purpose(
            "legal_records",
            "เก็บหลักฐานความยินยอมและการแจ้งวัตถุประสงค์ (มาตรา 19 และ 23) และบันทึกรายการ (มาตรา 39)",
            "Keep proof of consent and notice (s19, s23) and the records of processing (s39)",
            LEGAL_OBLIGATION,
            _STAFF,
            PERSONAL,
            outside_th="สำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล เมื่อร้องขอ",
            outside_en="The PDPC office, on request",
        ),
        Purpose(
            "contact",
            "ติดต่อครัวเรือนเรื่องการประชุมและความคืบหน้า ทางโทรศัพท์หรือไลน์",
            "Contact the household about meetings and progress, by phone or LINE",
            CONSENT,
            _EDITORS,
            PERSONAL,
        ),
        Purpose(
            "vulnerability_support",
            "ดูแลผู้สูงอายุ ผู้พิการ และผู้ป่วยเรื้อรัง: ออกแบบบ้าน จัดลำดับ และช่วยเหลือการย้าย",
            "Care for elderly, disabled and chronically ill people: house design, "
            "priority and help with moving",
            EXPLICIT_CONSENT,
            _EDITORS,
            SENSITIVE,
        ),
    )
}


def purposes_of_scope(scope: str) -> tuple[str, ...]:
    """The purposes a consent of this scope (general s19, sensitive s26) covers."""
    return tuple(k for k, p in PURPOSES.items() if p.basis == SCOPES[scope])


@dataclass(frozen=True)
class FieldClass:
    """One kind of personal field and the names it goes by, why it is processed
    (`purpose`, a key of PURPOSES) and so on what lawful basis.

    `names` match the whole column name; `words` match a word inside it (Latin
    words at word boundaries, Thai words anywhere, since Thai has no spaces)."""

    field: str
    cls: str
    th: str
    en: str
    names: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    purpose: str = ""

    @property
    def basis(self) -> str:
        """The lawful basis (a key of BASES), from the purpose."""
        return PURPOSES[self.purpose].basis

    @property
    def needs_consent(self) -> bool:
        return BASES[self.basis].needs_consent


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
        purpose="housing_programme",
    ),
    FieldClass(
        "members",
        PERSONAL,
        "สมาชิกในครัวเรือน",
        "Household members",
        names=("household_members", "hh_members", "member_count", "สมาชิก"),
        words=("สมาชิกในครัวเรือน", "จำนวนสมาชิก"),
        purpose="housing_programme",
    ),
    FieldClass(
        "monthly_income",
        SENSITIVE,
        "รายได้",
        "Income",
        words=("income", "salary", "wage", "wages", "earnings", "debt", "รายได้", "เงินเดือน", "หนี้"),
        purpose="housing_finance",
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
        purpose="contact",
    ),
    FieldClass(
        "location",
        PERSONAL,
        "ตำแหน่งบ้าน",
        "Location of the household",
        names=("household_location", "hh_location", "home_location", "house_location"),
        words=("gps", "latitude", "longitude", "พิกัด", "ละติจูด", "ลองจิจูด"),
        purpose="housing_programme",
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
        purpose="housing_programme",
    ),
    FieldClass(
        "address",
        PERSONAL,
        "ที่อยู่",
        "Address",
        names=("house_no", "house_number", "addr"),
        words=("address", "ที่อยู่", "บ้านเลขที่"),
        purpose="housing_programme",
    ),
    FieldClass(
        "birth_date",
        PERSONAL,
        "วันเกิดและอายุ",
        "Date of birth and age",
        names=("age", "dob"),
        words=("birth", "birthday", "birthdate", "date_of_birth", "วันเกิด", "อายุ"),
        purpose="housing_programme",
    ),
    FieldClass(
        "gender",
        PERSONAL,
        "เพศ",
        "Sex or gender",
        names=("sex", "gender", "เพศ"),
        purpose="housing_programme",
    ),
    FieldClass(
        "photo",
        PERSONAL,
        "รูปถ่าย",
        "Photo",
        words=("photo", "photos", "picture", "image", "selfie", "รูปถ่าย", "ภาพถ่าย", "รูปภาพ"),
        purpose="housing_programme",
    ),
    FieldClass(
        "household_no",
        PERSONAL,
        "ครัวเรือนที่",
        "Household number",
        names=("household_no", "household_number", "hh_no", "household_id", "hh_id", "ครัวเรือนที่"),
        words=("เลขที่ครัวเรือน",),
        purpose="housing_programme",
    ),
    FieldClass(
        # A house's own id names its household ("KPP-CC-01-H0001" is household 1).
        "structure_id",
        PERSONAL,
        "รหัสบ้านหรือสิ่งปลูกสร้างของครัวเรือน",
        "A household's house or structure id",
        names=("structure_id", "house_id", "house_no", "รหัสสิ่งปลูกสร้าง", "บ้านเลขที่"),
        purpose="housing_programme",
    ),
    FieldClass(
        "agreed_to_move",
        PERSONAL,
        "การยินยอมย้ายของครัวเรือน",
        "A household's agreement to move",
        names=("agreed_to_move", "agree_to_move", "consent_to_move", "ยินยอมย้าย"),
        purpose="housing_programme",
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
        purpose="legal_records",
    ),
    FieldClass(
        "occupation",
        PERSONAL,
        "อาชีพ",
        "Occupation",
        names=("occupation", "job", "อาชีพ"),
        purpose="housing_programme",
    ),
    FieldClass(
        "years_here",
        PERSONAL,
        "ระยะเวลาที่อาศัยอยู่",
        "Years living here",
        names=("years_here", "years_living_here", "ระยะเวลาที่อาศัย"),
        purpose="housing_programme",
    ),
    FieldClass(
        "tenure_status",
        PERSONAL,
        "สถานะการครอบครองที่อยู่อาศัยของครัวเรือน",
        "A household's tenure status",
        names=("tenure", "tenure_status", "สถานะการครอบครอง"),
        purpose="housing_programme",
    ),
    FieldClass(
        "house_condition",
        PERSONAL,
        "สภาพบ้านของครัวเรือน",
        "A household's house condition",
        names=("house_condition", "สภาพบ้าน"),
        purpose="housing_programme",
    ),
    FieldClass(
        "household_relation",
        PERSONAL,
        "ความสัมพันธ์ในครัวเรือน",
        "Relation within the household",
        names=("relation", "relationship", "ความสัมพันธ์"),
        purpose="housing_programme",
    ),
    FieldClass(
        "savings",
        SENSITIVE,
        "การออมและกลุ่มออมทรัพย์",
        "Savings and savings-group membership",
        names=("savings_member", "saving", "savings", "monthly_saving"),
        words=("saving", "savings", "เงินออม", "ออมทรัพย์"),
        purpose="housing_finance",
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
        purpose="vulnerability_support",
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
        purpose="vulnerability_support",
    ),
    FieldClass(
        # A household's loan or lease contract: amounts owed and repayments.
        "loan",
        SENSITIVE,
        "สัญญาเงินกู้ สัญญาเช่า และหนี้สินของครัวเรือน",
        "A household's loan or lease contract and debt",
        names=("loan", "loan_amount", "สินเชื่อ"),
        words=("loan", "repayment", "เงินกู้", "ผ่อนชำระ"),
        purpose="housing_finance",
    ),
    FieldClass(
        # A filled-in survey form (paper or a KoBo/ODK printout): every answer at once.
        "survey_form",
        PERSONAL,
        "แบบสำรวจครัวเรือนที่กรอกแล้ว",
        "A household's filled-in survey form",
        names=("survey_form",),
        purpose="housing_programme",
    ),
)

# Every row by its key; cases/register.py names a row for each register field.
FIELD_CLASSES = {row.field: row for row in FIELDS}

# Document kinds (cases/workflows.yaml) that hold a household's personal data, and the
# row each falls under. cases.policy keeps viewers out of them; a test holds this table
# and the workflows' `personal: true` flags equal.
DOCUMENT_KINDS: dict[str, str] = {
    "survey_form": "survey_form",
    "id_card_copy": "national_id",
    "consent_form": "consent",
    "agreement": "agreed_to_move",
    "savings_record": "savings",
    "loan_contract": "loan",
    "damage_assessment": "house_condition",
    "photo": "photo",
}


# What an erasure (s33, by anonymisation) keeps of a household: what the programme must
# still count once nobody can be told from it. Its house status, plot and dates hold no
# personal data; these rows do, but alone they name no one: the household's number in
# its case, its house's id, whether it agreed to move (the dashboard's counts) and its
# tenure kind (eligibility counts). cases/services/erasure.py
KEPT_ON_ERASURE = ("household_no", "structure_id", "agreed_to_move", "tenure_status")


def document_class(kind: str) -> FieldClass | None:
    """The row a document kind falls under, or None when it holds no personal data."""
    key = DOCUMENT_KINDS.get(kind)
    return FIELD_CLASSES[key] if key else None


def rows_of_purpose(purpose: str) -> list[FieldClass]:
    """The rows processed for `purpose`, in the table's order."""
    return [row for row in FIELDS if row.purpose == purpose]


def rows_of_basis(basis: str) -> list[FieldClass]:
    """The rows whose lawful basis is `basis` (e.g. EXPLICIT_CONSENT)."""
    return [row for row in FIELDS if row.basis == basis]


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
