"""Cases from a layer: one community and one case per feature of a communities layer
that has no case of the programme yet (`planner cases create --from-layer` and the page
/cases/from-layer). Run twice, nothing new is opened.

Each feature's DOPA codes come from its own `province_code`, `district_code` and
`subdistrict_code` fields when it has them (mapped at import), else from the codes
given; every code is checked with cases/register.py. All or nothing: a problem in any
feature refuses the whole run, naming the feature and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cases import services
from cases.errors import InvalidInput
from cases.model import STORAGE_CRS, Community, User
from cases.register import dopa_code_problem, dopa_names, dopa_tables
from cases.workflow import Workflows, default_workflows
from gis.errors import PlannerError, Problem, ValidationError

# Community ids are at most 40 characters, and a case's ref adds "-BAA-01".
MAX_COMMUNITY_ID = 32
_CODES = (("province", "province_code"), ("district", "district_code"))
_LEVELS = (("province_code", 2), ("district_code", 4), ("subdistrict_code", 6))


@dataclass
class LayerCasesPlan:
    """What a run would do: the features read, the cases to open, those that have one."""

    layer: str
    programme: str
    case_type: str
    features: int = 0
    to_open: list[dict[str, Any]] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    written: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "programme": self.programme,
            "case_type": self.case_type,
            "features": self.features,
            "to_open": self.to_open,
            "existing": self.existing,
            "opened": self.opened,
            "written": self.written,
        }

    def summary(self) -> str:
        """The run in a few lines, Thai and English."""
        n, e = len(self.to_open), len(self.existing)
        verb = ("opened", "เปิดแล้ว") if self.written else ("to open", "จะเปิด")
        return "\n".join(
            [
                f"layer {self.layer}: {self.features} feature(s) / ชั้นข้อมูล {self.layer}: "
                f"{self.features} รายการ",
                f"cases {verb[0]}: {n} ({self.case_type}) / กรณีที่{verb[1]}: {n}",
                f"already had a case: {e} / มีกรณีอยู่แล้ว: {e}",
                *(
                    f"  {r['ref'] if 'ref' in r else r['community_id']}  {r['name_th']}"
                    f"  {r['province_code'] or '-'}/{r['district_code'] or '-'}"
                    for r in self.to_open
                ),
            ]
        )


def dopa_choices() -> dict[str, list[dict[str, str]]]:
    """Provinces and districts (DOPA code, Thai, English) for the page's selects."""
    provinces, districts, _ = dopa_tables()
    return {
        "provinces": [
            {"code": c, "th": p.name_th, "en": p.name_en} for c, p in sorted(provinces.items())
        ],
        "districts": [
            {"code": c, "th": d.name_th, "en": d.name_en, "province": c[:2]}
            for c, d in sorted(districts.items())
        ],
    }


def case_type_of(programme: str, workflows: Workflows) -> str:
    """The case type a programme's new cases get (the first of the programme)."""
    for ctype in workflows.case_types.values():
        if ctype.programme == programme:
            return ctype.id
    raise InvalidInput(
        f"unknown programme {programme[:40]!r} (one of {', '.join(workflows.programmes)})",
        f"ไม่รู้จักโครงการ {programme[:40]!r}",
        field="programme",
    )


def _given_codes(province_code: str | None, district_code: str | None) -> dict[str, str | None]:
    codes = {"province_code": (province_code or "").strip() or None}
    codes["district_code"] = (district_code or "").strip() or None
    for kind, name in _CODES:
        if codes[name]:
            within = codes["province_code"] if kind == "district" else None
            problem = dopa_code_problem(kind, codes[name], within=within)
            if problem:
                raise InvalidInput(*problem, field=name)
    if codes["district_code"] and not codes["province_code"]:
        codes["province_code"] = codes["district_code"][:2]
    return codes


def _text(value) -> str | None:
    """A field's value as text ("40" for 40 or 40.0), None when empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _feature_codes(row: dict, given: dict, i: int, layer: str, problems: list) -> dict:
    """A feature's DOPA codes: its own fields first, then the codes given; checked."""
    own = {name: _text(row.get(name)) for name, _ in _LEVELS}
    if not any(own.values()):
        return {**given, "subdistrict_code": None}
    codes = dict(own)
    for name, digits in _LEVELS[::-1]:  # a subdistrict names its district and province
        if codes[name]:
            for parent, pdigits in _LEVELS:
                if pdigits < digits and not codes[parent]:
                    codes[parent] = codes[name][:pdigits]
    for (name, digits), kind in zip(_LEVELS, ("province", "district", "subdistrict")):
        if not codes[name]:
            continue
        parent = {2: None, 4: codes["province_code"], 6: codes["district_code"]}[digits]
        problem = dopa_code_problem(kind, codes[name], within=parent)
        if problem:
            problems.append(Problem(*problem, layer=layer, feature=i, field=name))
    return codes


def plan_cases_from_layer(
    layer_store,
    case_store,
    user: User,
    *,
    layer: str,
    programme: str,
    province_code: str | None = None,
    district_code: str | None = None,
    workflows: Workflows | None = None,
) -> tuple[LayerCasesPlan, list[tuple[Community, Any]]]:
    """The communities and sites a run would use, and the plan; nothing is written.

    Refused (ValidationError) with every problem of every feature."""
    workflows = workflows or default_workflows()
    case_type = case_type_of(programme, workflows)
    given = _given_codes(province_code, district_code)
    if not layer_store.has_layer(layer):
        raise PlannerError(f"no layer {layer[:40]!r} in the store / ไม่มีชั้นข้อมูล {layer[:40]!r}")
    gdf = layer_store.read(layer)
    if gdf.crs is not None and gdf.crs.to_string() != STORAGE_CRS:
        gdf = gdf.to_crs(STORAGE_CRS)
    plan = LayerCasesPlan(layer=layer, programme=programme, case_type=case_type)
    plan.features = len(gdf)
    with_case = services.communities_with_cases(case_store.uow(), user, programme=programme)
    problems: list[Problem] = []
    items: list[tuple[Community, Any]] = []
    seen: set[str] = set()
    for i, (row, geom) in enumerate(
        zip(gdf.drop(columns=gdf.geometry.name).to_dict("records"), gdf.geometry.values)
    ):
        cid = _text(row.get("community_id")) or f"{layer}-{i + 1:03d}"
        name_th = _text(row.get("name_th")) or _text(row.get("name_en")) or cid
        if len(cid) > MAX_COMMUNITY_ID:
            problems.append(
                Problem(
                    f"community id {cid[:60]!r} is longer than {MAX_COMMUNITY_ID} characters",
                    f"รหัสชุมชน {cid[:60]!r} ยาวเกิน {MAX_COMMUNITY_ID} ตัวอักษร",
                    layer=layer,
                    feature=i,
                    field="community_id",
                )
            )
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(
                Problem(
                    "a case's site must be a polygon",
                    "ขอบเขตพื้นที่ของกรณีต้องเป็นรูปหลายเหลี่ยม",
                    layer=layer,
                    feature=i,
                    field="geometry",
                )
            )
        codes = _feature_codes(row, given, i, layer, problems)
        if cid in seen or cid in with_case:
            if cid not in plan.existing:
                plan.existing.append(cid)
            continue
        seen.add(cid)
        district = dopa_names(codes["district_code"])
        province = dopa_names(codes["province_code"])
        community = Community(
            id=cid,
            name_th=name_th,
            name_en=_text(row.get("name_en")) or name_th,
            district_en=(district["en"] or _text(row.get("area_en")) or "")[:80],
            district_th=(district["th"] or _text(row.get("area_th")) or "")[:80],
            province_th=(province["th"] or _text(row.get("province_th")) or "")[:80],
            **codes,
        )
        items.append((community, geom))
        plan.to_open.append(
            {
                "community_id": cid,
                "name_th": name_th,
                "province_code": codes["province_code"],
                "district_code": codes["district_code"],
                "subdistrict_code": codes["subdistrict_code"],
            }
        )
    if problems:
        raise ValidationError(problems)
    return plan, items


def create_cases_from_layer(layer_store, case_store, user: User, **kwargs) -> LayerCasesPlan:
    """Open the planned cases (all in one transaction); the plan with the refs opened."""
    workflows = kwargs.get("workflows") or default_workflows()
    plan, items = plan_cases_from_layer(layer_store, case_store, user, **kwargs)
    opened = services.open_community_cases(
        case_store.uow(), user, items, case_type=plan.case_type, workflows=workflows
    )
    plan.opened = [case.ref for case in opened]
    plan.written = True
    by_id = {case.community_id: case.ref for case in opened}
    plan.to_open = [{**r, "ref": by_id[r["community_id"]]} for r in plan.to_open]
    return plan
