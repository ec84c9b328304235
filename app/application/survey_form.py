"""The household survey of a case as an XLSForm (KoBoToolbox, ODK Collect, Enketo).

Generated from the household register (cases/register.py), so every question's name is
the register field's name and the survey import can map the answers back:

- hidden `case_ref` (the case), hidden `household_no` (blank for a new household; a
  re-survey link pre-fills it: `?d[/<form_id>/household_no]=N`), calculated
  `form_version` (REGISTER_VERSION, checked on import);
- the `consent` group first: without consent a note ends the survey and every later
  group is not relevant; `vulnerability` needs the explicit consent of PDPA s26 too;
- one group per register section, in register order; the members repeat; the photos in
  the location group; cascading province → district → subdistrict lists (DOPA codes).

Labels, hints and constraint messages are Thai first, then English. Plain Python:
no Flask, no click (the web route and the CLI call `survey_form_download`).
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook

from app.strings import STRINGS
from cases import policy, services
from cases.errors import InvalidInput
from cases.model import Case, Community, User
from cases.register import (
    CASE_REF_FIELD,
    FORM_VERSION_FIELD,
    GPS_ACCURACY_M,
    HOUSEHOLD_FIELDS,
    HOUSEHOLD_NO_FIELD,
    MAX_MONEY,
    MEMBER_FIELDS,
    MEMBERS_REPEAT,
    PHOTO_FIELDS,
    REGISTER_VERSION,
    SECTION_OF_PHOTOS,
    SECTIONS,
    YES_NO,
    RegisterField,
    _dopa,
)
from cases.unit_of_work import UnitOfWork
from cases.workflow import Workflows, default_workflows

TH = "ภาษาไทย (th)"
EN = "English (en)"
LANGS = (("th", TH), ("en", EN))
ACCURACY_RANGE = (1.0, 100.0)  # metres a surveyor may ask for
MAX_PIXELS = 1600
FORM_ID_PREFIX = "codi_hh_"

CONSENT_GIVEN = "consent_given"
CONSENT_SENSITIVE = "consent_sensitive"
CONSENTED = "${consent_given} = 'yes'"
SENSITIVE_CONSENTED = f"{CONSENTED} and ${{{CONSENT_SENSITIVE}}} = 'yes'"
CONSENT_REFUSED_NOTE = "consent_refused"

SURVEY_COLUMNS = (
    "type",
    "name",
    *(f"label::{lang}" for _, lang in LANGS),
    *(f"hint::{lang}" for _, lang in LANGS),
    "required",
    "relevant",
    "constraint",
    *(f"constraint_message::{lang}" for _, lang in LANGS),
    "calculation",
    "default",
    "choice_filter",
    "appearance",
    "parameters",
    "body::accuracyThreshold",
)
CHOICE_COLUMNS = (
    "list_name",
    "name",
    *(f"label::{lang}" for _, lang in LANGS),
    "province",
    "district",
)
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language", "name")

# The list of each kind of place, and the column of the choices sheet that filters it.
PLACE_LISTS = {"province": "provinces", "district": "districts", "subdistrict": "subdistricts"}
PLACE_FILTERS = {
    "district": "province=${province_code}",
    "subdistrict": "district=${district_code}",
}


# -- the form ----------------------------------------------------------------------
def form_id_of(ref: str) -> str:
    """`codi_hh_` and the case ref made XML-safe: lowercase letters, digits, underscores."""
    safe = re.sub(r"[^a-z0-9_]+", "_", ref.lower()).strip("_")
    return FORM_ID_PREFIX + (safe or "case")


def _both(key: str, **values) -> dict[str, str]:
    entry = STRINGS[key]
    return {lang: entry[lang].format(**values) for lang in ("th", "en")}


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def national_id_constraint() -> str:
    """13 digits, and the mod-11 check digit of the first 12 (XPath, ODK's 0-indexed
    `substr(s, start, end)`): the rule of `cases.register.national_id_problem`."""
    weighted = " + ".join(f"substr(., {i}, {i + 1}) * {13 - i}" for i in range(12))
    return f"regex(., '^[0-9]{{13}}$') and (11 - (({weighted}) mod 11)) mod 10 = substr(., 12, 13)"


class _Sheet:
    """Rows of one sheet, each a dict of its columns."""

    def __init__(self, columns):
        self.columns = columns
        self.rows: list[dict] = []

    def add(self, **row) -> None:
        unknown = set(row) - set(self.columns)
        assert not unknown, unknown
        self.rows.append(row)


def _labels(prefix: str, text: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}::{lang}": text[code] for code, lang in LANGS if text.get(code)}


def _field_row(field: RegisterField, accuracy_m: float) -> dict:
    """The survey row of one register field, by its kind."""
    row: dict = {"name": field.name, **_labels("label", {"th": field.th, "en": field.en})}
    row.update(_labels("hint", {"th": field.hint_th, "en": field.hint_en}))
    if field.required:
        row["required"] = "yes"

    def constraint(expr: str, key: str, **values) -> None:
        row["constraint"] = expr
        row.update(_labels("constraint_message", _both(key, **values)))

    kind = field.kind
    if kind == "text":
        row["type"] = "text"
        constraint(
            f"string-length(.) <= {field.max_length}", "survey.text_too_long", n=field.max_length
        )
    elif kind == "int":
        low, high = field.minimum or 0, field.maximum or MAX_MONEY
        row["type"] = "integer"
        constraint(f". >= {low} and . <= {high}", "survey.number_range", low=low, high=high)
    elif kind == "bool":
        row["type"] = "select_one yes_no"
    elif kind == "date":
        row["type"] = "date"
    elif kind == "choice":
        row["type"] = f"select_one {field.name}"  # its list: the field's name
    elif kind == "national_id":
        row["type"] = "text"
        row["appearance"] = "numbers"
        row.update(_labels("hint", _both("survey.national_id_hint")))
        constraint(national_id_constraint(), "survey.national_id_bad")
    elif kind in PLACE_LISTS:
        row["type"] = f"select_one {PLACE_LISTS[kind]}"
        if kind in PLACE_FILTERS:
            row["choice_filter"] = PLACE_FILTERS[kind]
        if kind == "province":
            row.update(_labels("hint", _both("survey.address_hint")))
        else:
            row["appearance"] = "minimal"
    elif kind == "point":
        metres = _number(accuracy_m)
        row["type"] = "geopoint"
        row["body::accuracyThreshold"] = metres
        row.update(_labels("hint", _both("survey.gps_hint", m=metres)))
        constraint(f"selected-at(., 3) <= {metres}", "survey.gps_inaccurate", m=metres)
    else:  # pragma: no cover - a new kind in the register needs a row here
        raise ValueError(f"register field {field.name}: no form question for kind {kind!r}")
    return row


def _community_province(community: Community | None) -> str | None:
    """The community's DOPA province code, or the province its Thai name names."""
    if community is None:
        return None
    provinces, _, _ = _dopa()
    if community.province_code in provinces:
        return community.province_code
    name = (community.province_th or "").strip().removeprefix("จังหวัด").strip()
    return next((code for code, p in provinces.items() if name and p.name_th == name), None)


def _choices(sheet: _Sheet, workflows: Workflows, province: str | None) -> None:
    def add(list_name: str, value: str, th: str, en: str, **filters) -> None:
        sheet.add(
            list_name=list_name, name=value, **_labels("label", {"th": th, "en": en}), **filters
        )

    for c in YES_NO:
        add("yes_no", c.value, c.th, c.en)
    for field in (*HOUSEHOLD_FIELDS, *MEMBER_FIELDS):
        if field.kind != "choice":
            continue
        if field.name == "tenure":
            for code, label in workflows.tenure_kinds.items():
                add("tenure", code, label["th"], label["en"])
        for c in field.choices:
            add(field.name, c.value, c.th, c.en)
    provinces, districts, subdistricts = _dopa()
    for code, p in sorted(provinces.items()):
        add("provinces", code, p.name_th, p.name_en)
    for code, d in sorted(districts.items()):
        if province is None or code[:2] == province:
            add("districts", code, d.name_th, d.name_en, province=code[:2])
    for code, s in sorted(subdistricts.items()):
        if province is None or code[:2] == province:
            add("subdistricts", code, s.name_th, s.name_en, district=code[:4])


def _survey(sheet: _Sheet, case: Case, province: str | None, accuracy_m: float) -> None:
    sheet.add(type="hidden", name=CASE_REF_FIELD, default=case.ref)
    sheet.add(type="hidden", name=HOUSEHOLD_NO_FIELD)
    sheet.add(type="calculate", name=FORM_VERSION_FIELD, calculation=f"'{REGISTER_VERSION}'")
    for section, label in SECTIONS.items():
        fields = [f for f in HOUSEHOLD_FIELDS if f.section == section]
        if not fields and section != SECTION_OF_PHOTOS:
            continue
        group: dict = {"type": "begin_group", "name": section, **_labels("label", label)}
        if section == "vulnerability":
            group["relevant"] = SENSITIVE_CONSENTED
        elif section != "consent":
            group["relevant"] = CONSENTED
        sheet.add(**group)
        for field in fields:
            row = _field_row(field, accuracy_m)
            if field.name == "province_code" and province:
                row["default"] = province
            if section == "consent" and field.name == CONSENT_SENSITIVE:
                row["relevant"] = CONSENTED
            if field.name == "consent_on":
                row["default"] = "today()"
                row["constraint"] = ". <= today()"
                row.update(_labels("constraint_message", _both("survey.consent_on_future")))
            sheet.add(**row)
            if field.name == CONSENT_GIVEN:
                sheet.add(
                    type="note",
                    name=CONSENT_REFUSED_NOTE,
                    relevant=f"${{{CONSENT_GIVEN}}} = 'no'",
                    **_labels("label", _both("survey.consent_refused")),
                )
        if section == SECTION_OF_PHOTOS:
            for name, photo in PHOTO_FIELDS.items():
                sheet.add(
                    type="image",
                    name=name,
                    parameters=f"max-pixels={MAX_PIXELS}",
                    **_labels("label", photo),
                )
        sheet.add(type="end_group", name=section)
        if section == "head":
            _members(sheet, accuracy_m)


def _members(sheet: _Sheet, accuracy_m: float) -> None:
    sheet.add(
        type="begin_repeat",
        name=MEMBERS_REPEAT,
        relevant=CONSENTED,
        **_labels("label", _both("survey.members")),
    )
    for field in MEMBER_FIELDS:
        sheet.add(**_field_row(field, accuracy_m))
    sheet.add(type="end_repeat", name=MEMBERS_REPEAT)


def checked_accuracy(accuracy_m) -> float:
    low, high = ACCURACY_RANGE
    try:
        value = float(accuracy_m)
    except (TypeError, ValueError):
        value = float("nan")
    if not low <= value <= high:  # NaN fails too
        en, th = (
            STRINGS["survey.bad_accuracy"][lang].format(
                low=_number(low), high=_number(high), value=accuracy_m
            )
            for lang in ("en", "th")
        )
        raise InvalidInput(en, th, field="accuracy")
    return value


def survey_form(
    case: Case,
    community: Community | None,
    *,
    workflows: Workflows,
    accuracy_m: float = GPS_ACCURACY_M,
) -> bytes:
    """The household survey of `case` as an XLSForm workbook (.xlsx bytes).

    `accuracy_m`: the GPS accuracy (metres, 1–100) the location must reach."""
    accuracy_m = checked_accuracy(accuracy_m)
    province = _community_province(community)
    survey, choices, settings = (
        _Sheet(SURVEY_COLUMNS),
        _Sheet(CHOICE_COLUMNS),
        _Sheet(SETTINGS_COLUMNS),
    )
    _survey(survey, case, province, accuracy_m)
    _choices(choices, workflows, province)
    form_id = form_id_of(case.ref)
    title = _both(
        "survey.form_title", ref=case.ref, community=community.name_th if community else ""
    )
    settings.add(
        form_title=title["th"].strip(),
        form_id=form_id,
        version=REGISTER_VERSION,
        default_language=TH,
        name=form_id,  # the instance's root: Enketo's `?d[/<form_id>/household_no]=N`
    )
    book = Workbook()
    book.remove(book.active)
    for name, sheet in (("survey", survey), ("choices", choices), ("settings", settings)):
        ws = book.create_sheet(name)
        ws.append(list(sheet.columns))
        for row in sheet.rows:
            ws.append([row.get(column) for column in sheet.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- the use case --------------------------------------------------------------------
def survey_form_download(
    uow: UnitOfWork,
    user: User,
    case_key: int | str,
    *,
    workflows: Workflows | None = None,
    accuracy_m: float = GPS_ACCURACY_M,
) -> tuple[str, bytes]:
    """(filename, xlsx bytes) of the survey form of a case (its id or ref).

    The form collects personal data: officers, admins and the case community's
    representatives only (Forbidden for municipality viewers and other communities'
    representatives; NotFound for an unknown case; InvalidInput for a bad accuracy)."""
    accuracy_m = checked_accuracy(accuracy_m)
    case = services.find_case(uow, user, case_key)
    with uow:
        policy.require_personal_data(user)
        community = uow.repo.get_community(case.community_id)
    data = survey_form(
        case, community, workflows=workflows or default_workflows(), accuracy_m=accuracy_m
    )
    return f"{form_id_of(case.ref)}.xlsx", data
