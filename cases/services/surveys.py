"""Household surveys into the register: each submission once, matched to its household,
merged field by field with what officers changed since, photos kept as documents.

The application layer reads the export file (gis.importing.survey_files) and hands each
submission over as a `SurveyRecord`. `import_survey` checks and applies all of them in one
transaction: with `apply=False` it only reports what would happen (the preview), and a
refused submission is reported, never half-written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import shapely

from cases import policy, register
from cases.errors import DomainError, InvalidInput, NotFound
from cases.model import (
    Document,
    Household,
    Member,
    SurveyConflict,
    SurveySubmission,
    User,
    date_range_problem,
    snapshot,
)
from cases.services.common import _audit, _audit_entry, _case_for, _now, today_in_thailand
from cases.services.consent import follow_consent
from cases.services.documents import MAX_DOCUMENT_BYTES, safe_document_name, store_document_file
from cases.services.erasure import check_processing_allowed
from cases.services.geometry import geometry_from_geojson
from cases.unit_of_work import UnitOfWork
from cases.workflow import Workflows, default_workflows

STATUSES = ("new", "updated", "unchanged", "conflict", "refused")
STATUS_LABELS = {
    "new": {"th": "ครัวเรือนใหม่", "en": "New household"},
    "updated": {"th": "ปรับปรุงข้อมูล", "en": "Updated"},
    "unchanged": {"th": "ไม่เปลี่ยนแปลง", "en": "Unchanged"},
    "conflict": {"th": "ขัดแย้ง รอตรวจสอบ", "en": "Conflict, waiting for review"},
    "refused": {"th": "ไม่รับ", "en": "Refused"},
}
MATCH_DISTANCE_M = 3.0  # a GPS point this close to a household's location is that household
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Fields the import never takes from a survey: the programme's own records.
_SURVEY_FIELDS = tuple(f.name for f in register.HOUSEHOLD_FIELDS if f.kind != "point")


@dataclass
class SurveyRecord:
    """One submission, as read from an export. `values` and `members` hold the register's
    field names and the answers as text; `location` is (lon, lat)."""

    row: int
    instance_id: str | None
    form_version: str | None
    case_ref: str | None = None
    household_no: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    members: list[dict[str, Any]] = field(default_factory=list)
    location: tuple[float, float] | None = None
    gps_accuracy: float | None = None
    photos: list[tuple[str, bytes]] = field(default_factory=list)
    submitted_at: datetime | None = None


@dataclass
class SubmissionResult:
    row: int
    instance_id: str | None
    status: str
    household_no: int | None = None
    reasons: list[dict[str, str]] = field(default_factory=list)  # {th, en}
    fields: list[str] = field(default_factory=list)  # fields changed, or in conflict
    gps_flagged: bool = False
    photos: int = 0
    conflicts: list[SurveyConflict] = field(default_factory=list, repr=False)
    imported_at: datetime | None = None  # when an earlier import took it


@dataclass
class SurveyReport:
    case_ref: str
    applied: bool
    results: list[SubmissionResult]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            out[r.status] += 1
        return out

    @property
    def flagged(self) -> int:
        return sum(r.gps_flagged for r in self.results)


def _reason(en: str, th: str) -> dict[str, str]:
    return {"en": en, "th": th}


class _Refused(Exception):
    def __init__(self, en: str, th: str):
        super().__init__(en)
        self.reason = _reason(en, th)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _clean(record: SurveyRecord, workflows: Workflows) -> tuple[dict, list[dict]]:
    """The record's register values and members, checked; `_Refused` names the field."""
    try:
        raw = {k: v for k, v in record.values.items() if k in _SURVEY_FIELDS}
        values = register.clean_household(raw, tenure_kinds=workflows.tenure_kinds)
        register.check_consent(values)
        members = []
        for i, member in enumerate(record.members, start=1):
            try:
                members.append(register.clean_member(member))
            except InvalidInput as exc:
                raise _Refused(
                    f"member {i}: {exc.message_en}", f"สมาชิกคนที่ {i}: {exc.message_th}"
                ) from None
    except InvalidInput as exc:
        raise _Refused(exc.message_en, exc.message_th) from None
    # Empty answers say nothing: a survey does not blank what an officer recorded.
    values = {k: v for k, v in values.items() if v not in (None, "")}
    return values, members


def _location(record: SurveyRecord):
    if record.location is None:
        return None
    lon, lat = record.location
    try:
        return geometry_from_geojson(
            {"type": "Point", "coordinates": [lon, lat]},
            allowed=("Point",),
            what={"en": "the GPS point", "th": "จุด GPS"},
        )
    except InvalidInput as exc:
        raise _Refused(exc.message_en, exc.message_th) from None


class _Index:
    """The case's households by number, house code and place, kept up to date during an
    import so that matching a submission costs no scan of every household."""

    def __init__(self, households: list[Household], structures: dict[str, Any]):
        self.structures = structures
        self._tree = None
        self.rebuild(households)

    def rebuild(self, households: list[Household]) -> None:
        self.by_no: dict[int, Household] = {}
        self.by_structure: dict[str, Household] = {}
        self.located: list[Household] = []
        self.xs: list[float] = []
        self.ys: list[float] = []
        for household in households:
            self.add(household)

    def add(self, household: Household) -> None:
        self.by_no[household.household_no] = household
        if household.structure_id:
            self.by_structure[household.structure_id] = household
        if household.location is not None:
            point = household.location.centroid
            self.located.append(household)
            self.xs.append(point.x)
            self.ys.append(point.y)

    def _inside(self, location) -> Household | None:
        """The household whose house (a structure of the community) holds the point."""
        if not self.structures:
            return None
        if self._tree is None:
            self._ids = list(self.structures)
            self._tree = shapely.STRtree([self.structures[i] for i in self._ids])
        for i in sorted(self._tree.query(location, predicate="covered_by")):
            household = self.by_structure.get(self._ids[i])
            if household is not None:
                return household
        return None

    def match(self, record, values, location) -> Household | None:
        """By the hidden household number, then the house code, then the place."""
        if record.household_no not in (None, ""):
            try:
                number = int(str(record.household_no).strip())
            except ValueError:
                raise _Refused(
                    f"the hidden household number {record.household_no!r} is not a number",
                    f"เลขครัวเรือนที่ซ่อนไว้ {record.household_no!r} ไม่ใช่ตัวเลข",
                ) from None
            if number not in self.by_no:
                raise _Refused(
                    f"the case has no household {number}; was the form prefilled for another case?",
                    f"กรณีนี้ไม่มีครัวเรือนที่ {number} แบบสำรวจอาจกรอกไว้สำหรับกรณีอื่น",
                )
            return self.by_no[number]
        structure_id = values.get("structure_id")
        if structure_id and structure_id in self.by_structure:
            return self.by_structure[structure_id]
        if location is None:
            return None
        inside = self._inside(location)
        if inside is not None or not self.located:
            return inside
        distances = np.hypot(np.asarray(self.xs) - location.x, np.asarray(self.ys) - location.y)
        best = int(np.argmin(distances))  # the first of the nearest
        return self.located[best] if distances[best] <= MATCH_DISTANCE_M else None


def _member_rows(members: list[Member]) -> list[dict]:
    return [{k: getattr(m, k) for k in ("name", "sex", "birth_year", "relation")} for m in members]


def _add_photos(uow, user, case, household, photos, batch: _Import, *, write: bool) -> int:
    """The photos not yet on the household (`hashes`: household id → its documents'
    sha256, read once for the import); their files only when the import is applied (a
    preview leaves nothing behind)."""
    known = batch.hashes.setdefault(household.id, set())
    added = 0
    for filename, data in photos:
        if not data or len(data) > min(MAX_PHOTO_BYTES, MAX_DOCUMENT_BYTES):
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in known:
            continue
        if write:
            store_document_file(uow, data)
        content_type = "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"
        batch.pending.append(
            Document(
                case_id=case.id,
                kind="photo",
                filename=safe_document_name(filename),
                content_type=content_type,
                size=len(data),
                sha256=digest,
                uploaded_by=user.username,
                uploaded_at=_now(),
                household_id=household.id,
            )
        )
        known.add(digest)
        added += 1
    return added


def import_survey(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    records: list[SurveyRecord],
    *,
    apply: bool,
    accuracy_m: float = register.GPS_ACCURACY_M,
    structures: dict[str, Any] | None = None,
    workflows: Workflows | None = None,
) -> SurveyReport:
    """Check every record and, with `apply`, write them all in one transaction."""
    workflows = workflows or default_workflows()
    structures = structures or {}
    results: list[SubmissionResult] = []
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        policy.require_personal_data(user)
        households = uow.repo.list_households(case.id)
        ids = [r.instance_id for r in records if r.instance_id]
        # Read once, kept up to date here: no query per submission for these.
        run = _Import(
            uow=uow,
            user=user,
            case=case,
            workflows=workflows,
            accuracy_m=accuracy_m,
            apply=apply,
            households=households,
            base_values=uow.repo.last_survey_values(case.id),
            members_now=uow.repo.members_of_case(case.id),
            earlier=uow.repo.submitted_instance_ids(ids),
            next_no=uow.repo.next_household_no(case.id),
            hashes=uow.repo.household_document_hashes(case.id),
            index=_Index(households, structures),
        )
        for record in records:
            result = SubmissionResult(
                row=record.row, instance_id=record.instance_id, status="refused"
            )
            results.append(result)
            try:
                _one(run, record, result)
            except _Refused as exc:
                result.status = "refused"
                result.reasons.append(exc.reason)
        uow.repo.count_households(run.added)
        uow.repo.add_many(run.pending)
        if apply:
            uow.commit()
    return SurveyReport(case_ref=case.ref, applied=apply, results=results)


@dataclass
class _Import:
    """One import: who, which case and how, what was read once at its start (households,
    the last survey values, members, submissions already imported, the next household
    number, the photos' hashes, the matching index), and what it gathers to write at its
    end (new households for the tallies; members, documents, submissions, audits)."""

    uow: UnitOfWork
    user: User
    case: Any
    workflows: Workflows
    accuracy_m: float
    apply: bool
    households: list[Household]
    base_values: dict[int, dict]
    members_now: dict[int, list[Member]]
    earlier: dict[str, SurveySubmission]
    next_no: int
    hashes: dict[int, set[str]]
    index: _Index
    seen: dict[str, tuple[int, str]] = field(default_factory=dict)  # id → (row, digest)
    added: list[Household] = field(default_factory=list)  # for the tallies, counted once
    pending: list = field(default_factory=list)  # members, documents, submissions, audits


def _one(run: _Import, record: SurveyRecord, result: SubmissionResult) -> None:
    uow, user, case, workflows, batch = run.uow, run.user, run.case, run.workflows, run
    households, base_values, members_now = run.households, run.base_values, run.members_now
    earlier, seen, accuracy_m, apply = run.earlier, run.seen, run.accuracy_m, run.apply
    if not record.instance_id:
        raise _Refused(
            "the submission has no instance id (meta/instanceID); it cannot be imported safely",
            "รายการนี้ไม่มีรหัสรายการ (meta/instanceID) จึงนำเข้าอย่างปลอดภัยไม่ได้",
        )
    if record.instance_id in earlier:
        done = earlier[record.instance_id]
        result.status = "unchanged"
        result.household_no = next(
            (h.household_no for h in households if h.id == done.household_id), None
        )
        result.imported_at = done.imported_at
        result.reasons.append(
            _reason(
                "already imported: the same submission changes nothing",
                "นำเข้าแล้ว รายการเดิมไม่เปลี่ยนแปลงข้อมูล",
            )
        )
        return
    if record.instance_id in seen:
        first_row, first_digest = seen[record.instance_id]
        if _content_digest(record) != first_digest:
            raise _Refused(
                f"row {record.row}: the instance id {record.instance_id} is also on row "
                f"{first_row} with other answers; an export never holds two versions of one "
                "submission: check the file",
                f"แถวที่ {record.row}: รหัสรายการ {record.instance_id} ซ้ำกับแถวที่ {first_row} "
                "แต่คำตอบต่างกัน ไฟล์ส่งออกไม่ควรมีรายการเดียวกันสองแบบ กรุณาตรวจสอบไฟล์",
            )
        result.status = "unchanged"
        result.reasons.append(
            _reason(
                "the same submission appears again in this file (sent twice)",
                "รายการเดียวกันซ้ำในไฟล์นี้ (ส่งซ้ำ)",
            )
        )
        return
    if (record.form_version or "") != register.REGISTER_VERSION:
        raise _Refused(
            f"made with form version {record.form_version or '(none)'}; this planner takes "
            f"version {register.REGISTER_VERSION}: download the current form",
            f"ทำด้วยแบบสำรวจรุ่น {record.form_version or '(ไม่ระบุ)'} แต่ระบบรับรุ่น "
            f"{register.REGISTER_VERSION} กรุณาดาวน์โหลดแบบสำรวจรุ่นปัจจุบัน",
        )
    if record.case_ref and record.case_ref != case.ref:
        raise _Refused(
            f"the submission is for case {record.case_ref}, not {case.ref}",
            f"รายการนี้เป็นของกรณี {record.case_ref} ไม่ใช่ {case.ref}",
        )
    consent = str(record.values.get("consent_given", "")).strip().casefold()
    if consent not in ("yes", "true", "1", "ใช่"):
        raise _Refused(
            "the household did not give consent: nothing of it is stored",
            "ครัวเรือนไม่ให้ความยินยอม จึงไม่บันทึกข้อมูลใด ๆ",
        )
    values, members = _clean(record, workflows)
    location = _location(record)
    if record.gps_accuracy is not None and record.gps_accuracy > accuracy_m:
        result.gps_flagged = True
        result.reasons.append(
            _reason(
                f"GPS accuracy {record.gps_accuracy:.0f} m is worse than {accuracy_m:.0f} m: "
                "check the location",
                f"ความแม่นยำ GPS {record.gps_accuracy:.0f} ม. ต่ำกว่าเกณฑ์ {accuracy_m:.0f} ม. "
                "กรุณาตรวจสอบตำแหน่ง",
            )
        )
    seen[record.instance_id] = (record.row, _content_digest(record))
    household = batch.index.match(record, values, location)
    if household is not None:
        try:
            check_processing_allowed(household)
        except InvalidInput as exc:
            raise _Refused(exc.message_en, exc.message_th) from None
    surveyed_on = _surveyed_on(record)
    if household is None:
        household = Household(
            case_id=case.id,
            household_no=batch.next_no,
            tenure=values.pop("tenure", "other"),
            **values,
        )
        household.location = location
        household.surveyed_on = surveyed_on
        household.members = len(members) or None
        consents = _consents(None, household, user, record)
        _check(household)
        household.set_house_status("not_started", today_in_thailand())
        uow.repo.add_household(household, tallies=batch.added)
        for event in consents:  # the consent the survey carries, on the ledger
            event.household_id = household.id
        batch.pending.extend(consents)
        batch.next_no += 1
        households.append(household)
        batch.index.add(household)
        batch.pending.extend(Member(household.id, no, **m) for no, m in enumerate(members, start=1))
        batch.pending.append(
            _audit_entry(user, "survey", "household", household.id, None, snapshot(household))
        )
        result.status = "new"
        result.fields = sorted(values)
    else:
        _merge(
            uow,
            user,
            case,
            household,
            values,
            members,
            location,
            record,
            result,
            base_values.get(household.id),
            members_now.get(household.id, []),
            surveyed_on,
        )
        if {"structure_id", "location"} & set(result.fields):
            batch.index.rebuild(households)
    result.household_no = household.household_no
    result.photos = _add_photos(uow, user, case, household, record.photos, batch, write=apply)
    stored = {k: _jsonable(v) for k, v in values.items()}
    if stored.get("national_id"):  # the base of the next merge needs only to compare it
        stored["national_id"] = _digest(stored["national_id"])
    stored["members"] = members
    if location is not None:
        stored["location"] = location.wkt
    submission = SurveySubmission(
        instance_id=record.instance_id,
        case_id=case.id,
        household_id=household.id,
        form_version=record.form_version or "",
        status=result.status,
        imported_at=_now(),
        imported_by=user.username,
        submitted_at=record.submitted_at,
        gps_accuracy=record.gps_accuracy,
        gps_flagged=result.gps_flagged,
        values=stored,
        reason=result.reasons[0] if result.reasons else {},
    )
    if result.conflicts:  # the conflicts need the submission's id now
        uow.repo.add_submission(submission)
        for conflict in result.conflicts:
            conflict.submission_id = submission.id
            uow.repo.add_conflict(conflict)
    else:
        batch.pending.append(submission)
    base_values[household.id] = stored


def _content_digest(record: SurveyRecord) -> str:
    """What a submission answers (not when it was sent): a re-sent copy has the same."""
    content = (
        record.form_version,
        record.case_ref,
        record.household_no,
        sorted((k, str(v)) for k, v in record.values.items()),
        [sorted((k, str(v)) for k, v in m.items()) for m in record.members],
        record.location,
        record.gps_accuracy,
        [(name, hashlib.sha256(data).hexdigest()) for name, data in record.photos],
    )
    return hashlib.sha256(repr(content).encode()).hexdigest()


def _surveyed_on(record: SurveyRecord) -> date:
    """The day of the survey: the submission's date, which must be a real one (the
    register's date range, and not after tomorrow), else today."""
    today = today_in_thailand()
    if record.submitted_at is None:
        return today
    day = record.submitted_at.date()
    problem = date_range_problem(day, "the submission date")
    if problem is None and day > today + timedelta(days=1):
        problem = (
            f"the submission date must not be in the future, not {day}",
            "วันที่ส่งแบบสำรวจต้องไม่เป็นวันในอนาคต",
        )
    if problem:
        raise _Refused(
            f"row {record.row}, column _submission_time/SubmissionDate: {problem[0]}",
            f"แถวที่ {record.row} คอลัมน์ _submission_time/SubmissionDate: {problem[1]} "
            f"(ไม่ใช่ {day.isoformat()})",
        )
    return day


def _consents(before, household: Household, user, record: SurveyRecord) -> list:
    """The consent ledger's lines for what this submission changes (services/consent.py)."""
    try:
        return follow_consent(
            before,
            household,
            user,
            source="survey",
            note=f"survey {record.instance_id}"[:200],
        )
    except InvalidInput as exc:
        raise _Refused(exc.message_en, exc.message_th) from None


def _check(household: Household) -> None:
    try:
        register.check_address(vars(household))
        register.check_consent(vars(household))
    except InvalidInput as exc:
        raise _Refused(exc.message_en, exc.message_th) from None


def _merge(
    uow,
    user,
    case,
    household,
    values,
    members,
    location,
    record,
    result,
    base,
    current_members,
    surveyed_on,
) -> None:
    """Three-way: the last survey (base), the household now (ours), this survey (theirs).
    Ours unchanged since the base: take theirs. Both changed, differently: a conflict.
    Works on a copy: a refusal leaves the household as it was for the next submission."""
    original, household = household, replace(household)
    before = snapshot(household)
    changed, conflicts = [], []
    theirs = dict(values)
    if location is not None:
        theirs["location"] = location
    for name, value in theirs.items():
        ours = getattr(household, name)
        if _same(ours, value):
            continue
        if base is not None and name in base:
            past = shapely.from_wkt(base[name]) if name == "location" else base[name]
            if name == "national_id":
                officer_edited = _digest(ours) != past
            else:
                officer_edited = not _same(ours, past)
        else:  # never surveyed: fill what is empty, never overwrite an officer's record
            officer_edited = ours not in (None, "", "other")
        if officer_edited:
            conflicts.append((name, ours, value))
        else:
            setattr(household, name, value)
            changed.append(name)
    ours_members = _member_rows(current_members)
    base_members = (base or {}).get("members")
    take_members = False
    typed_count = household.members not in (None, 0) and household.members != len(members)
    if members and ours_members != members:
        if not ours_members and base is None and typed_count:
            # No one listed, but an officer typed how many live here: the survey's list
            # says otherwise, so it waits for review rather than replacing the count.
            conflicts.append(("members", household.members, members))
        elif not ours_members or ours_members == base_members:
            take_members = True
            household.members = len(members)
            changed.append("members")
        else:
            conflicts.append(("members", ours_members, members))
    household.surveyed_on = surveyed_on
    consents = _consents(original, household, user, record)
    _check(household)  # refused here: nothing of this submission was written
    if take_members:
        uow.repo.replace_members(household.id, [Member(household.id, 0, **m) for m in members])
    uow.repo.update_household(household, household.version)
    uow.repo.add_many(consents)
    vars(original).update(vars(household))
    _audit(uow, user, "survey", "household", household.id, before, snapshot(household))
    result.fields = changed + [c[0] for c in conflicts]
    result.conflicts = [
        SurveyConflict(
            case_id=case.id,
            household_id=household.id,
            submission_id=0,
            field=name,
            officer_value=_stored(ours),
            survey_value=_stored(theirs_value),
        )
        for name, ours, theirs_value in conflicts
    ]
    if conflicts:
        result.status = "conflict"
        labels = ", ".join(_label(c[0], "en") for c in conflicts)
        labels_th = ", ".join(_label(c[0], "th") for c in conflicts)
        if base is None:  # the household's first survey
            reason = _reason(
                f"an officer recorded {labels} before this first survey, and the survey says "
                "otherwise: waiting for review on the case page",
                f"เจ้าหน้าที่บันทึก {labels_th} ไว้ก่อนการสำรวจครั้งแรก และการสำรวจให้ค่าต่างออกไป "
                "รอตรวจสอบที่หน้ากรณี",
            )
        else:
            reason = _reason(
                f"an officer changed {labels} since the last survey, and this survey says "
                "otherwise: waiting for review on the case page",
                f"เจ้าหน้าที่แก้ไข {labels_th} หลังการสำรวจครั้งก่อน และการสำรวจนี้ให้ค่าต่างออกไป "
                "รอตรวจสอบที่หน้ากรณี",
            )
        result.reasons.append(reason)
    elif changed:
        result.status = "updated"
    else:
        result.status = "unchanged"


def _digest(value) -> str | None:
    return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest() if value else None


def _stored(value: Any) -> Any:
    """A value as JSON: geometries as WKT, dates as ISO."""
    return value.wkt if hasattr(value, "wkt") else _jsonable(value)


def _same(a, b) -> bool:
    if hasattr(a, "wkt") or hasattr(b, "wkt"):
        return a is not None and b is not None and a.equals_exact(b, 0.5)
    if isinstance(a, date) and isinstance(b, str):
        return a.isoformat() == b
    if isinstance(b, date) and isinstance(a, str):
        return b.isoformat() == a
    return a == b


def _label(name: str, lang: str) -> str:
    if name == "members":
        return {"th": "สมาชิกในครัวเรือน", "en": "members"}[lang]
    field_ = register.FIELDS_BY_NAME.get(name)
    return getattr(field_, lang) if field_ else name


# -- review ------------------------------------------------------------------------
def list_conflicts(uow: UnitOfWork, user: User, case_id: int) -> list[SurveyConflict]:
    with uow:
        _case_for(uow, user, case_id)
        policy.require_personal_data(user)
        return uow.repo.list_conflicts(case_id)


def resolve_conflict(
    uow: UnitOfWork,
    user: User,
    conflict_id: int,
    keep: str,
    *,
    case_id: int | None = None,
    workflows=None,
) -> SurveyConflict:
    """Keep the officer's value or take the survey's; the household changes by version.
    With `case_id`, a conflict of another case is not found (and nothing is written)."""
    workflows = workflows or default_workflows()
    if keep not in ("officer", "survey"):
        raise InvalidInput(
            "choose to keep the officer's value or the survey's",
            "เลือกว่าจะใช้ค่าของเจ้าหน้าที่หรือค่าจากการสำรวจ",
            field="keep",
        )
    with uow:
        conflict = uow.repo.get_conflict(conflict_id)
        if case_id is not None and conflict.case_id != case_id:
            raise NotFound(
                f"case {case_id} has no survey conflict {conflict_id}",
                f"กรณี {case_id} ไม่มีข้อขัดแย้งจากการสำรวจหมายเลข {conflict_id}",
            )
        _case_for(uow, user, conflict.case_id, edit=True)
        if conflict.resolved:
            raise DomainError("this conflict was already resolved", "ข้อขัดแย้งนี้ได้รับการแก้ไขแล้ว")
        household = uow.repo.get_household(conflict.household_id)
        if keep == "survey":
            check_processing_allowed(household)
        before = snapshot(household)
        old = replace(household)
        if keep == "survey":
            if conflict.field == "members":
                rows = [register.clean_member(m) for m in conflict.survey_value or []]
                uow.repo.replace_members(household.id, [Member(household.id, 0, **m) for m in rows])
                household.members = len(rows)
            elif conflict.field == "location":
                household.location = shapely.from_wkt(conflict.survey_value)
            else:
                cleaned = register.clean_household(
                    {conflict.field: conflict.survey_value}, tenure_kinds=workflows.tenure_kinds
                )
                setattr(household, conflict.field, cleaned[conflict.field])
            events = follow_consent(old, household, user, source="survey", changed={conflict.field})
            register.check_consent(vars(household))
            uow.repo.update_household(household, household.version)
            uow.repo.add_many(events)
        conflict.resolved, conflict.resolved_by, conflict.resolved_at = keep, user.username, _now()
        uow.repo.resolve_conflict(conflict)
        _audit(uow, user, f"resolve:{keep}", "household", household.id, before, snapshot(household))
        uow.commit()
        return conflict


def survey_progress(uow: UnitOfWork, user: User, case_id: int) -> dict:
    """Counts for the case page: households surveyed or not, open conflicts, flagged GPS,
    and the house codes surveyed (for the map). Viewers get the counts only."""
    with uow:
        case = _case_for(uow, user, case_id)
        households = uow.repo.list_households(case.id)
        submissions = uow.repo.list_submissions(case.id)
        conflicts = uow.repo.list_conflicts(case.id)
    return survey_summary(user, households, submissions, conflicts)


def survey_summary(user: User, households: list, submissions: list, conflicts: list) -> dict:
    """`survey_progress` from a case's households, submissions and conflicts already read."""
    surveyed = [h for h in households if h.surveyed_on]
    out = {
        "households": len(households),
        "surveyed": len(surveyed),
        "not_surveyed": len(households) - len(surveyed),
        "submissions": len(submissions),
        "conflicts": len(conflicts),
        "gps_flagged": sum(s.gps_flagged for s in submissions),
        "last_import": max((s.imported_at for s in submissions), default=None),
    }
    if policy.sees_personal_data(user):
        out["surveyed_structures"] = sorted(h.structure_id for h in surveyed if h.structure_id)
        out["structures"] = sorted(h.structure_id for h in households if h.structure_id)
    return out
