"""The domain model, in the users' words: communities, cases, households,
plots, documents, budget lines and stage events. Plain Python: no Flask, no ORM.

Geometries are shapely objects in the storage CRS (`STORAGE_CRS`, metres).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from shapely.geometry.base import BaseGeometry

from cases.errors import InvalidInput, TransitionRefused
from cases.workflow import Workflows

# The storage CRS and "inside Thailand" (lon/lat: min x, min y, max x, max y). cases may
# not import gis, so these restate gis.catalog's STORAGE_CRS and THAILAND_EXTENT; a test
# (tests/test_rules_once.py) holds the two definitions equal.
STORAGE_CRS = "EPSG:32647"
THAILAND_EXTENT = (97.0, 5.0, 106.0, 21.0)
ROLES = ("admin", "officer", "community_rep", "viewer")
ROLE_LABELS = {
    "admin": {"th": "ผู้ดูแลระบบ", "en": "Admin"},
    "officer": {"th": "เจ้าหน้าที่", "en": "Housing officer"},
    "community_rep": {"th": "ผู้แทนชุมชน", "en": "Community representative"},
    "viewer": {"th": "ผู้ดูข้อมูล (เทศบาล/เขต)", "en": "Municipality viewer"},
}
HOUSE_STATUSES = ("not_started", "ready_to_build", "under_construction", "finished", "moved_in")
# PERSONAL_FIELDS, the household fields viewers never see, live in cases/register.py.
# Input limits, one place for the API, the forms and the services.
MAX_ID = 2**31 - 1  # record ids and versions: the columns are 32-bit integers
MAX_VERSION = MAX_ID
MAX_BAHT = 10**12  # a budget amount, whole baht
MAX_TEXT = 2000  # a title, note or name, in characters
# The dates the programmes' records can carry: B.E. 2500 to 2600 (1957 to 2057 C.E.).
# Every date a user gives (API, forms, workshop) is checked against these.
EARLIEST_DATE = date(1957, 1, 1)  # 1 ม.ค. 2500
LATEST_DATE = date(2057, 12, 31)  # 31 ธ.ค. 2600


def date_range_problem(value: date, field: str) -> tuple[str, str] | None:
    """(en, th) saying why `value` is outside EARLIEST_DATE..LATEST_DATE, or None."""
    if EARLIEST_DATE <= value <= LATEST_DATE:
        return None
    return (
        f"{field} must be between {EARLIEST_DATE} and {LATEST_DATE} "
        f"(B.E. 2500 to 2600), not {value}",
        f"{field} ต้องอยู่ระหว่างปี พ.ศ. 2500 ถึง พ.ศ. 2600",
    )


@dataclass
class Community:
    id: str
    name_th: str
    name_en: str
    district_en: str
    district_th: str
    province_th: str = ""
    # DOPA codes (cases/register.py checks them): 2, 4 and 6 digits.
    province_code: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None


@dataclass
class Case:
    ref: str
    community_id: str
    case_type: str
    title_th: str
    title_en: str
    stage: str
    stage_entered_on: date
    variant: str | None = None
    hold_reason: str | None = None
    cooperative_name: str | None = None
    site: BaseGeometry | None = None
    note: str = ""
    created_on: date | None = None
    version: int = 1
    id: int | None = None

    EDITABLE = ("title_th", "title_en", "variant", "cooperative_name", "note", "hold_reason")

    def move_to(
        self,
        workflows: Workflows,
        to_stage: str,
        *,
        on: date,
        by: str,
        note: str = "",
        documents: set[str],
        approved_budget: set[str],
        households_agreed: int,
    ) -> StageEvent:
        """Enter `to_stage`, or refuse, naming every missing requirement."""
        missing = workflows.missing_for(
            self.case_type,
            self.stage,
            to_stage,
            documents=documents,
            fields={"cooperative_name": self.cooperative_name},
            approved_budget=approved_budget,
            households_agreed=households_agreed,
        )
        if missing:
            ctype = workflows.case_type(self.case_type)
            target = (
                ctype.stage(to_stage).label
                if to_stage in ctype.stage_ids()
                else {"th": to_stage, "en": to_stage}
            )
            details = [{"kind": m.kind, "code": m.code, "label": m.label} for m in missing]
            if missing[0].kind == "transition":
                # Said once: the stages are the missing item (not "cannot move to X: move
                # not allowed: A → X", which named X twice).
                en, th = _illegal_move(ctype, self.stage, to_stage, target)
                raise TransitionRefused(en, th, missing=details)
            raise TransitionRefused(
                f"cannot move to '{target['en']}': " + "; ".join(m.message("en") for m in missing),
                f"ย้ายไปขั้นตอน '{target['th']}' ไม่ได้: " + "; ".join(m.message("th") for m in missing),
                missing=details,
            )
        if on < self.stage_entered_on:
            raise InvalidInput(
                f"the move date {on} is before the case entered its current stage ({self.stage_entered_on})",
                f"วันที่ย้ายขั้นตอน {on} อยู่ก่อนวันที่เข้าขั้นตอนปัจจุบัน ({self.stage_entered_on})",
            )
        event = StageEvent(
            case_id=self.id, from_stage=self.stage, to_stage=to_stage, on=on, by=by, note=note
        )
        self.stage = to_stage
        self.stage_entered_on = on
        self.hold_reason = None
        return event

    def days_in_stage(self, today: date) -> int:
        return (today - self.stage_entered_on).days


@dataclass
class Household:
    case_id: int
    household_no: int
    head_name: str = ""
    members: int | None = None
    monthly_income: int | None = None
    phone: str = ""
    tenure: str = "other"
    agreed_to_move: bool = False
    plot_no: str | None = None
    house_status: str = "not_started"
    status_changed_on: date | None = None
    finished_on: date | None = None
    structure_id: str | None = None
    location: BaseGeometry | None = None
    # The register's survey fields (cases/register.py has their labels and rules).
    national_id: str | None = None
    address_no: str = ""
    province_code: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None
    occupation: str | None = None
    years_here: int | None = None
    house_condition: str | None = None
    savings_member: bool | None = None
    monthly_saving: int | None = None
    elderly: int | None = None
    disabled: int | None = None
    chronically_ill: int | None = None
    consent_given: bool | None = None
    consent_sensitive: bool | None = None
    consent_on: date | None = None
    consent_by: str = ""
    surveyed_on: date | None = None
    # PDPA: set only by cases/services/erasure.py.
    erased_at: datetime | None = None
    restriction: str | None = None  # a key of RESTRICTIONS
    restriction_reason: str = ""
    restricted_on: date | None = None
    version: int = 1
    id: int | None = None

    EDITABLE = (
        "head_name",
        "members",
        "monthly_income",
        "phone",
        "tenure",
        "agreed_to_move",
        "plot_no",
        "house_status",
        "location",
        "structure_id",
        "national_id",
        "address_no",
        "province_code",
        "district_code",
        "subdistrict_code",
        "occupation",
        "years_here",
        "house_condition",
        "savings_member",
        "monthly_saving",
        "elderly",
        "disabled",
        "chronically_ill",
        "consent_given",
        "consent_sensitive",
        "consent_on",
        "consent_by",
    )

    def set_house_status(self, status: str, on: date) -> None:
        if status not in HOUSE_STATUSES:
            raise InvalidInput(f"unknown house status {status!r}", f"ไม่รู้จักสถานะบ้าน {status!r}")
        if status != self.house_status:
            self.house_status = status
            self.status_changed_on = on
            if status in ("finished", "moved_in") and self.finished_on is None:
                self.finished_on = on


@dataclass
class Member:
    """One person of a household (the survey's members repeat); `birth_year` in the B.E."""

    household_id: int | None
    member_no: int
    name: str = ""
    sex: str | None = None
    birth_year: int | None = None
    relation: str | None = None
    id: int | None = None


@dataclass
class Plot:
    case_id: int
    plot_no: str
    geometry: BaseGeometry
    kind: str = "plot"  # plot | lane | common
    version: int = 1
    id: int | None = None


@dataclass
class Document:
    case_id: int
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    stage_event_id: int | None = None
    household_id: int | None = None  # a household's own document (a survey photo)
    id: int | None = None


AMOUNT_NAMES_TH = {"planned": "วงเงินที่วางแผน", "approved": "วงเงินที่อนุมัติ", "disbursed": "เงินที่เบิกจ่าย"}


@dataclass
class BudgetLine:
    case_id: int
    kind: str
    planned: int = 0  # baht
    approved: int = 0
    disbursed: int = 0
    note: str = ""
    version: int = 1
    id: int | None = None

    EDITABLE = ("planned", "approved", "disbursed", "note")

    def check(self) -> None:
        for name in ("planned", "approved", "disbursed"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= MAX_BAHT:
                raise InvalidInput(
                    f"{name} must be a whole number of baht, 0 to {MAX_BAHT:,}",
                    f"{AMOUNT_NAMES_TH[name]} ต้องเป็นจำนวนเต็มบาท 0 ถึง {MAX_BAHT:,}",
                    field=name,
                )
        if self.disbursed > self.approved:
            raise InvalidInput(
                f"disbursed ({self.disbursed:,}) is more than approved ({self.approved:,})",
                f"เบิกจ่าย ({self.disbursed:,}) มากกว่าที่อนุมัติ ({self.approved:,})",
                field="disbursed",
            )


@dataclass
class StageEvent:
    case_id: int | None
    from_stage: str | None
    to_stage: str
    on: date
    by: str
    note: str = ""
    kind: str = "move"  # move | hold | release
    hold_reason: str | None = None
    document_ids: list[int] = field(default_factory=list)
    id: int | None = None


@dataclass
class SurveySubmission:
    """One survey submission, imported once: keyed by its `instance_id` (meta/instanceID).
    `status`: new, updated, unchanged, conflict or refused. `values` are the register
    fields it carried, kept so that a re-survey can tell an officer's edit from its own."""

    instance_id: str
    case_id: int
    form_version: str
    status: str
    imported_at: datetime
    imported_by: str
    household_id: int | None = None
    submitted_at: datetime | None = None
    gps_accuracy: float | None = None
    gps_flagged: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    reason: dict[str, str] = field(default_factory=dict)  # {th, en}
    id: int | None = None


@dataclass
class SurveyConflict:
    """A survey value that disagrees with an officer's later edit, waiting for review."""

    case_id: int
    household_id: int
    submission_id: int
    field: str
    officer_value: Any
    survey_value: Any
    resolved: str | None = None  # None: open; officer | survey
    resolved_by: str = ""
    resolved_at: datetime | None = None
    id: int | None = None


@dataclass
class User:
    username: str
    role: str
    password_hash: str = ""
    community_id: str | None = None
    display_name: str = ""
    active: bool = True
    last_login_at: datetime | None = None
    id: int | None = None


@dataclass
class LoginSession:
    """One login on the web: the sha256 of its random id (the cookie holds the id itself),
    whose it is, when it began, when it was last seen and when it ended (None: open)."""

    token_hash: str
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None = None
    id: int | None = None


@dataclass
class AuditEntry:
    at: datetime
    username: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    id: int | None = None


@dataclass
class LayoutDecision:
    """The site layout a community agreed (one option of a workshop, perhaps adjusted by
    hand): its name, metrics and parameters, who agreed and on which day. The layout's
    plots, lanes and common space are the case's plots."""

    case_id: int
    option_name: str
    agreed_by: str  # names, e.g. the savings-group committee
    agreed_on: date
    recorded_by: str
    recorded_at: datetime
    metrics: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    version: int = 1
    id: int | None = None


# -- PDPA records (docs/decisions/0025) -------------------------------------------------
# The Personal Data Protection Act B.E. 2562 was passed in 2019: no consent under it, and
# no breach of it, is dated earlier.
PDPA_START = date(2019, 1, 1)
CONSENT_ACTIONS = ("given", "withdrawn")
CONSENT_SCOPES = ("general", "sensitive")  # PDPA s19 and s26 (cases.privacy.SCOPES)
BREACH_RISKS = ("low", "high")
BREACH_DEADLINE = timedelta(hours=72)  # PDPA s37(4): tell the PDPC within 72 hours


@dataclass
class ConsentEvent:
    """One line of a household's consent and notice ledger: consent of a scope given or
    withdrawn, for which purposes (keys of cases.privacy.PURPOSES), on which day, who
    recorded it in the planner (`recorded_by`, a user) and who took it in the field
    (`taken_by`, e.g. a volunteer), with the signed form (a case document) when there is
    one. `source`: page, api, survey or register (an edit of the consent fields)."""

    household_id: int
    action: str
    scope: str
    purposes: list[str]
    on: date
    recorded_by: str
    recorded_at: datetime
    taken_by: str = ""
    document_id: int | None = None
    source: str = "page"
    note: str = ""
    id: int | None = None


@dataclass
class ReadEntry:
    """One read of a household's personal data by a user: which household, which fields
    (rows of cases.privacy.FIELDS), when (UTC) and through what (`via`)."""

    at: datetime
    username: str
    role: str
    household_id: int
    fields: list[str]
    via: str
    id: int | None = None


@dataclass
class Breach:
    """A personal data breach as the register records it (times UTC). The PDPC must be
    told within 72 hours of its detection (s37(4)) unless it is unlikely to put anyone's
    rights at risk; a high risk is told to the people affected too."""

    detected_at: datetime
    description: str
    households_affected: int
    risk: str
    recorded_by: str
    recorded_at: datetime
    pdpc_notified_at: datetime | None = None
    subjects_notified_at: datetime | None = None
    id: int | None = None

    @property
    def deadline(self) -> datetime:
        return self.detected_at + BREACH_DEADLINE

    def overdue(self, now: datetime) -> bool:
        """Not yet told to the PDPC and past the 72 hours."""
        return self.pdpc_notified_at is None and now > self.deadline

    def notified_late(self) -> bool:
        return self.pdpc_notified_at is not None and self.pdpc_notified_at > self.deadline


# A household's processing held back at its request (cases/services/erasure.py).
RESTRICTIONS = ("objection", "restriction")
REQUEST_KINDS = ("access", "rectification", "erasure", "restriction", "objection", "portability")
REQUEST_STATUSES = ("open", "fulfilled", "rejected")


@dataclass
class SubjectRequest:
    """A data subject's request under the PDPA (s30-s36): access, rectification, erasure,
    restriction, objection or portability; when it came, for which household and purpose
    (when it names one), and its outcome. A rejection keeps its reason: s39 asks for the
    rejected requests in the record of processing."""

    kind: str
    received_on: date
    recorded_by: str
    recorded_at: datetime
    household_id: int | None = None
    purpose: str | None = None  # a key of cases.privacy.PURPOSES
    status: str = "open"
    decided_on: date | None = None
    reason: str = ""
    note: str = ""
    id: int | None = None


def snapshot(obj) -> dict[str, Any]:
    """A JSON-friendly copy of a domain object, for the audit log."""
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, BaseGeometry):
            value = value.wkt
        elif isinstance(value, date | datetime):
            value = value.isoformat()
        out[f.name] = value
    return out


def _illegal_move(ctype, from_stage: str, to_stage: str, target: dict) -> tuple[str, str]:
    """A move the workflow does not allow, in English and Thai, naming each stage once."""
    if to_stage not in ctype.stage_ids():
        return (
            f"move not allowed: this case type has no stage '{to_stage}'",
            f"ย้ายขั้นตอนไม่ได้: ประเภทกรณีนี้ไม่มีขั้นตอน '{to_stage}'",
        )
    frm = ctype.stage(from_stage).label
    return (
        f"move not allowed: from '{frm['en']}' straight to '{target['en']}'",
        f"ย้ายจากขั้นตอน '{frm['th']}' ไปขั้นตอน '{target['th']}' โดยตรงไม่ได้",
    )
