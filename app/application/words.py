"""Every stored code in words: the one lookup from a coded value to its Thai and English.

A stored code ("canal_side", "treasury_encroaching", "written") is data, not text for a
person. The words of each code are kept once, where they always were; this module only
looks them up, so the API's `<field>_label`, the pages and the exports say the same:

- cases/workflows.yaml (`cases.workflow`): programmes, variants, case types and their
  stages, document kinds, hold reasons, house statuses, tenure kinds, budget kinds;
- the household register (`cases.register`): the choices of occupation, house condition,
  sex and relation, and the register's field names;
- `cases.model.ROLE_LABELS` and `cases.services.surveys.STATUS_LABELS`;
- app/strings.py: plot kinds, stage event kinds, what a stage move still needs, audit
  actions and records, an import's status, mode and format;
- gis: a site check's verdicts and severities (`gis.rules`) and checks (`gis.check`).

`VOCABULARIES` names each list; `words(vocabulary, code)` is one code's {th, en};
`labelled(record, {field: vocabulary})` puts `<field>_label` beside each coded field of a
JSON answer. A code no list knows keeps itself as its words (data from elsewhere is
never hidden), and None stays None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from app.strings import STRINGS
from cases import register
from cases.model import ROLE_LABELS
from cases.services.plots import PLOT_KINDS
from cases.services.surveys import STATUS_LABELS as SURVEY_STATUS_LABELS
from cases.workflow import default_workflows
from gis.check import CHECK_TITLES
from gis.rules import VERDICT_LABELS

Words = dict[str, str]

IMPORT_STATUSES = ("written", "validated", "refused", "pending")
IMPORT_MODES = ("replace", "append")
IMPORT_FORMATS = ("gpkg", "shp", "geojson", "kml", "kmz", "csv", "xlsx", "zip", "unknown")
EVENT_KINDS = {
    "move": "words.event.move",
    "hold": "cases.event_hold",
    "release": "cases.event_release",
}
AUDIT_ACTIONS = (
    "create",
    "update",
    "delete",
    "move_stage",
    "members",
    "reveal",
    "record",
    "upload",
    "survey",
    "resolve:officer",
    "resolve:survey",
    "consent:given",
    "consent:withdrawn",
    "subject_access",
    "notified",
    "fulfilled",
    "rejected",
    "erase",
    "restrict",
    "lift",
)
REQUIREMENTS = ("document", "field", "budget", "households_agreed", "transition")
AUDIT_ENTITIES = (
    "case",
    "household",
    "plot",
    "document",
    "budget_line",
    "layout_decision",
    "breach",
    "pdpa request",
)


def _pair(entry: Mapping[str, Any]) -> Words:
    return {"th": str(entry["th"]), "en": str(entry["en"])}


def _strings(keys: Mapping[str, str]) -> dict[str, Words]:
    return {code: _pair(STRINGS[key]) for code, key in keys.items()}


def _choices(choices: Iterable[register.Choice]) -> dict[str, Words]:
    return {c.value: {"th": c.th, "en": c.en} for c in choices}


def _register_choices(name: str) -> dict[str, Words]:
    field = register.FIELDS_BY_NAME.get(name) or register.MEMBER_FIELDS_BY_NAME[name]
    return _choices(field.choices)


def _workflow(table: str) -> Callable[[], dict[str, Words]]:
    return lambda: {k: _pair(v) for k, v in getattr(default_workflows(), table).items()}


def _case_types() -> dict[str, Words]:
    return {k: _pair(ct.label) for k, ct in default_workflows().case_types.items()}


def _variants() -> dict[str, Words]:
    out: dict[str, Words] = {}
    for table in default_workflows().variants.values():
        for code, label in table.items():
            out.setdefault(code, _pair(label))
    return out


def _stages() -> dict[str, Words]:
    """Every stage id of every case type, in workflow order (an id means one thing)."""
    out: dict[str, Words] = {}
    for ctype in default_workflows().case_types.values():
        for stage in ctype.stages:
            out.setdefault(stage.id, _pair(stage.label))
    return out


def _register_fields() -> dict[str, Words]:
    fields = {f.name: {"th": f.th, "en": f.en} for f in register.HOUSEHOLD_FIELDS}
    fields |= {f.name: {"th": f.th, "en": f.en} for f in register.MEMBER_FIELDS}
    fields["members"] = _pair(STRINGS["survey.members"])
    return fields


# Each vocabulary: its name and how to read its {code: {th, en}} from where it is kept.
VOCABULARIES: dict[str, Callable[[], dict[str, Words]]] = {
    "programme": _workflow("programmes"),
    "case_type": _case_types,
    "variant": _variants,
    "stage": _stages,
    "document_kind": _workflow("document_kinds"),
    "hold_reason": _workflow("hold_reasons"),
    "house_status": _workflow("house_statuses"),
    "tenure": _workflow("tenure_kinds"),
    "budget_kind": _workflow("budget_kinds"),
    "occupation": lambda: _register_choices("occupation"),
    "house_condition": lambda: _register_choices("house_condition"),
    "sex": lambda: _register_choices("sex"),
    "relation": lambda: _register_choices("relation"),
    "register_field": _register_fields,
    "role": lambda: {k: _pair(v) for k, v in ROLE_LABELS.items()},
    "survey_status": lambda: {k: _pair(v) for k, v in SURVEY_STATUS_LABELS.items()},
    "plot_kind": lambda: _strings({k: f"cases.plot_kind_{k}" for k in PLOT_KINDS}),
    "event_kind": lambda: _strings(EVENT_KINDS),
    "requirement": lambda: _strings({k: f"words.requirement.{k}" for k in REQUIREMENTS}),
    "audit_action": lambda: _strings({k: f"words.audit.{k}" for k in AUDIT_ACTIONS}),
    "audit_entity": lambda: _strings({k: f"words.entity.{k}" for k in AUDIT_ENTITIES}),
    "import_status": lambda: _strings({k: f"imports.status.{k}" for k in IMPORT_STATUSES}),
    "import_mode": lambda: _strings({k: f"imports.mode.{k}" for k in IMPORT_MODES}),
    "import_format": lambda: _strings({k: f"imports.format.{k}" for k in IMPORT_FORMATS}),
    "verdict": lambda: {k: _pair(v) for k, v in VERDICT_LABELS.items()},
    "severity": lambda: {k: _pair(v) for k, v in VERDICT_LABELS.items()},
    "check": lambda: {k: _pair(v) for k, v in CHECK_TITLES.items()},
}


@cache
def table(vocabulary: str) -> dict[str, Words]:
    """Every code of `vocabulary` with its words (read once: the lists are version
    controlled, not edited while the app runs)."""
    return VOCABULARIES[vocabulary]()


def words(vocabulary: str, code: Any) -> Words | None:
    """The words of one code; None for None or "", the code itself when no list knows it."""
    if code is None or code == "":
        return None
    found = table(vocabulary).get(str(code))
    return dict(found) if found else {"th": str(code), "en": str(code)}


def stage_words(case_type: str | None, stage: str | None) -> Words | None:
    """A stage's words as its case type names it (any case type's, for an unknown type)."""
    if stage is None:
        return None
    try:
        return _pair(default_workflows().case_type(case_type).stage(stage).label)
    except KeyError:
        return words("stage", stage)


def variant_words(programme: str | None, variant: str | None) -> Words | None:
    """A variant's words as its programme names it (any programme's, for another)."""
    if not variant:
        return None
    found = default_workflows().variants.get(programme or "", {}).get(variant)
    return _pair(found) if found else words("variant", variant)


def all_codes() -> dict[str, set[str]]:
    """Every vocabulary's codes, for tests that look for a code shown as text."""
    return {name: set(table(name)) for name in VOCABULARIES}


def labelled(record: Mapping[str, Any], vocabularies: Mapping[str, str]) -> dict[str, Any]:
    """`record` with `<field>_label` {th, en} beside each field named in `vocabularies`
    ({field: vocabulary}); a list of codes gets `<field>_labels`."""
    out = dict(record)
    for field, vocabulary in vocabularies.items():
        if field not in record:
            continue
        value = record[field]
        if isinstance(value, list):
            out[f"{field}_labels"] = [words(vocabulary, v) for v in value]
        else:
            out[f"{field}_label"] = words(vocabulary, value)
    return out


def register_value_words(name: str, value: Any) -> Words | None:
    """A value of a household register field in words when it is coded (a choice, the
    tenure, yes or no); None for a value that is its own words (a name, a number)."""
    if value is None or value == "":
        return None
    field = register.FIELDS_BY_NAME.get(name) or register.MEMBER_FIELDS_BY_NAME.get(name)
    if field is not None and field.kind == "bool" and isinstance(value, bool):
        return _pair(STRINGS["cases.yes" if value else "cases.no"])
    if name == "tenure":
        return words("tenure", value)
    if field is not None and field.choices:
        return words(name, value) if name in VOCABULARIES else _choices(field.choices).get(value)
    return None
