"""Stages as data: case types, their stages and transitions, what each stage
requires, and the coded hold reasons, all read from `workflows.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

WORKFLOWS_PATH = Path(__file__).with_name("workflows.yaml")


@dataclass(frozen=True)
class Stage:
    id: str
    label: dict[str, str]
    requires_documents: tuple[str, ...] = ()
    requires_fields: tuple[str, ...] = ()
    requires_budget: tuple[str, ...] = ()
    requires_households_agreed: bool = False
    stall_days: int | None = None


@dataclass(frozen=True)
class Requirement:
    """One thing missing before a case may enter a stage."""

    kind: str  # document | field | budget | households_agreed | transition
    code: str
    label: dict[str, str]

    def message(self, lang: str) -> str:
        if self.kind == "households_agreed":
            # One sentence: "needs households agreed: at least one household" said it twice.
            return {
                "th": "ต้องมีครัวเรือนที่ยินยอมย้ายอย่างน้อยหนึ่งครัวเรือน",
                "en": "needs at least one household agreed to move",
            }[lang]
        what = {
            "document": {"th": "ต้องแนบเอกสาร", "en": "needs the document"},
            "field": {"th": "ต้องกรอกข้อมูล", "en": "needs the field"},
            "budget": {"th": "ต้องมีงบประมาณที่อนุมัติแล้ว", "en": "needs an approved budget line"},
            "households_agreed": {"th": "ต้องมีครัวเรือนที่ยินยอมย้าย", "en": "needs"},
            "transition": {"th": "ไม่อนุญาตให้ย้ายขั้นตอน", "en": "move not allowed"},
        }[self.kind][lang]
        return f"{what}: {self.label[lang]}"


@dataclass(frozen=True)
class CaseType:
    id: str
    programme: str
    label: dict[str, str]
    stages: tuple[Stage, ...]
    extra_transitions: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @property
    def first_stage(self) -> Stage:
        return self.stages[0]

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(f"case type {self.id} has no stage {stage_id!r}")

    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

    def index(self, stage_id: str) -> int:
        return self.stage_ids().index(stage_id)

    def next_stage(self, stage_id: str) -> Stage | None:
        i = self.index(stage_id)
        return self.stages[i + 1] if i + 1 < len(self.stages) else None

    def allowed_moves(self, stage_id: str) -> list[str]:
        moves = []
        following = self.next_stage(stage_id)
        if following:
            moves.append(following.id)
        moves += sorted(to for frm, to in self.extra_transitions if frm == stage_id)
        return moves


@dataclass(frozen=True)
class Workflows:
    programmes: dict[str, dict[str, str]]
    variants: dict[str, dict[str, dict[str, str]]]
    case_types: dict[str, CaseType]
    document_kinds: dict[str, dict[str, str]]
    hold_reasons: dict[str, dict[str, str]]
    house_statuses: dict[str, dict[str, str]]
    tenure_kinds: dict[str, dict[str, str]]
    budget_kinds: dict[str, dict[str, str]]

    def case_type(self, case_type: str) -> CaseType:
        try:
            return self.case_types[case_type]
        except KeyError:
            raise KeyError(f"unknown case type {case_type!r}") from None

    def missing_for(
        self,
        case_type: str,
        from_stage: str,
        to_stage: str,
        *,
        documents: set[str],
        fields: dict[str, object],
        approved_budget: set[str],
        households_agreed: int,
    ) -> list[Requirement]:
        """What stands between a case and `to_stage`; empty when the move is allowed."""
        ctype = self.case_type(case_type)
        if to_stage not in ctype.stage_ids():
            return [Requirement("transition", to_stage, {"th": to_stage, "en": to_stage})]
        target = ctype.stage(to_stage)
        if to_stage not in ctype.allowed_moves(from_stage):
            frm = ctype.stage(from_stage).label
            label = {lang: f"{frm[lang]} → {target.label[lang]}" for lang in ("th", "en")}
            return [Requirement("transition", f"{from_stage}->{to_stage}", label)]
        missing = []
        for kind in target.requires_documents:
            if kind not in documents:
                missing.append(Requirement("document", kind, _label(self.document_kinds[kind])))
        for name in target.requires_fields:
            if fields.get(name) in (None, ""):
                missing.append(
                    Requirement("field", name, FIELD_LABELS.get(name, {"th": name, "en": name}))
                )
        for kind in target.requires_budget:
            if kind not in approved_budget:
                missing.append(Requirement("budget", kind, _label(self.budget_kinds[kind])))
        if target.requires_households_agreed and households_agreed < 1:
            missing.append(
                Requirement(
                    "households_agreed",
                    "households_agreed",
                    {"th": "อย่างน้อยหนึ่งครัวเรือน", "en": "at least one household agreed to move"},
                )
            )
        return missing


def _label(entry: dict) -> dict[str, str]:
    return {"th": entry["th"], "en": entry["en"]}


FIELD_LABELS = {
    "cooperative_name": {"th": "ชื่อสหกรณ์", "en": "Cooperative name"},
}


def _stage(raw: dict) -> Stage:
    requires = raw.get("requires") or {}
    return Stage(
        id=raw["id"],
        label=raw["label"],
        requires_documents=tuple(requires.get("documents", ())),
        requires_fields=tuple(requires.get("fields", ())),
        requires_budget=tuple(requires.get("budget", ())),
        requires_households_agreed=bool(requires.get("households_agreed", False)),
        stall_days=raw.get("stall_days"),
    )


def load_workflows(path: str | Path = WORKFLOWS_PATH) -> Workflows:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    case_types = {}
    for type_id, spec in raw["case_types"].items():
        case_types[type_id] = CaseType(
            id=type_id,
            programme=spec["programme"],
            label=spec["label"],
            stages=tuple(_stage(s) for s in spec["stages"]),
            extra_transitions=frozenset(
                (t["from"], t["to"]) for t in spec.get("extra_transitions", ())
            ),
        )
    workflows = Workflows(
        programmes={k: v["label"] for k, v in raw["programmes"].items()},
        variants=raw.get("variants", {}),
        case_types=case_types,
        document_kinds=raw["document_kinds"],
        hold_reasons=raw["hold_reasons"],
        house_statuses=raw["house_statuses"],
        tenure_kinds=raw["tenure_kinds"],
        budget_kinds=raw["budget_kinds"],
    )
    _check(workflows)
    return workflows


def _check(workflows: Workflows) -> None:
    """Every code a stage refers to must be defined, and every label bilingual."""
    problems = []
    for ctype in workflows.case_types.values():
        if ctype.programme not in workflows.programmes:
            problems.append(f"{ctype.id}: unknown programme {ctype.programme}")
        ids = ctype.stage_ids()
        if len(ids) != len(set(ids)):
            problems.append(f"{ctype.id}: duplicate stage ids")
        for frm, to in ctype.extra_transitions:
            if frm not in ids or to not in ids:
                problems.append(f"{ctype.id}: transition {frm}->{to} names an unknown stage")
        for stage in ctype.stages:
            if not (stage.label.get("th") and stage.label.get("en")):
                problems.append(f"{ctype.id}.{stage.id}: label needs th and en")
            for kind in stage.requires_documents:
                if kind not in workflows.document_kinds:
                    problems.append(f"{ctype.id}.{stage.id}: unknown document kind {kind}")
            for kind in stage.requires_budget:
                if kind not in workflows.budget_kinds:
                    problems.append(f"{ctype.id}.{stage.id}: unknown budget kind {kind}")
            for name in stage.requires_fields:
                if name not in FIELD_LABELS:
                    problems.append(f"{ctype.id}.{stage.id}: unknown field {name}")
    for table in (
        "document_kinds",
        "hold_reasons",
        "house_statuses",
        "tenure_kinds",
        "budget_kinds",
    ):
        for code, label in getattr(workflows, table).items():
            if not (label.get("th") and label.get("en")):
                problems.append(f"{table}.{code}: label needs th and en")
    if problems:
        raise ValueError("workflows.yaml has problems:\n" + "\n".join(problems))


@cache
def default_workflows() -> Workflows:
    return load_workflows()
