"""Rule sets: what a municipality or programme counts as a conflict or a warning.

A rule set is a YAML file (see `layers/rules/`). Each rule looks at one check
(zoning, tenure, setback, flood, disasters) and, when its condition holds for a
site, adds a reason with a severity. A site's verdict is the worst severity of
its reasons: pass, warning or conflict.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from gis.errors import Problem, ValidationError
from gis.paths import RULES_DIR

DEFAULT_RULES = RULES_DIR / "bangkok_baan_mankong.yaml"

PASS, WARNING, CONFLICT = "pass", "warning", "conflict"
SEVERITY_ORDER = {PASS: 0, WARNING: 1, CONFLICT: 2}
VERDICT_LABELS = {
    PASS: {"th": "ผ่าน", "en": "Pass"},
    WARNING: {"th": "ต้องระวัง", "en": "Warning"},
    CONFLICT: {"th": "ขัดแย้ง", "en": "Conflict"},
}
CHECKS = ("zoning", "tenure", "setback", "flood", "disasters")
_CATEGORY_CHECKS = ("zoning", "tenure")
_COMPARISONS = {
    "above": lambda v, x: v > x,
    "at_least": lambda v, x: v >= x,
    "below": lambda v, x: v < x,
    "at_most": lambda v, x: v <= x,
}
_NUMERIC_FIELDS = {
    "setback": ("inside_share", "inside_area_m2"),
    "flood": ("mean", "max", "min", "area_above_m2", "covered_area_m2"),
    "disasters": ("count_within", "nearest_distance_m"),
}
_CONDITION_KEYS = {"category_in", "category_prefix", "share_above", "status_in", "field"} | set(
    _COMPARISONS
)


@dataclass(frozen=True)
class Rule:
    id: str
    check: str
    severity: str
    when: dict[str, Any]
    reason: dict[str, str]
    applies_to_use: tuple[str, ...] = ()
    action: dict[str, str] | None = None

    def describe(self, lang: str) -> str:
        """The rule as a sentence for the report's 'rules applied' table."""
        return self.reason_template(lang).split("{", 1)[0].rstrip(" :(") or self.id

    def reason_template(self, lang: str, count: float | None = None) -> str:
        """The reason in `lang`; its singular (`en_one`, `th_one`) when the rule's
        field counts exactly one ("1 past disaster", not "1 past disaster(s)")."""
        if count == 1 and self.reason.get(f"{lang}_one"):
            return self.reason[f"{lang}_one"]
        return self.reason.get(lang) or self.reason["en"]


@dataclass(frozen=True)
class RuleSet:
    name: str
    title: dict[str, str]
    rules: tuple[Rule, ...]
    parameters: dict[str, float] = field(default_factory=dict)
    default_use: str = "residential"
    notes: dict[str, str] = field(default_factory=dict)
    file: str | None = None
    sha256: str | None = None

    @property
    def flood_threshold_m(self) -> float:
        return float(self.parameters.get("flood_threshold_m", 0.5))

    @property
    def disaster_radius_m(self) -> float:
        return float(self.parameters.get("disaster_radius_m", 200.0))

    def checks(self) -> list[str]:
        return sorted({r.check for r in self.rules}, key=CHECKS.index)

    def provenance(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "file": self.file,
            "sha256": self.sha256,
            "rules": [r.id for r in self.rules],
            "parameters": self.parameters,
        }


def available_rule_sets() -> list[Path]:
    return sorted(RULES_DIR.glob("*.yaml"))


def load_rules(path: str | Path = DEFAULT_RULES) -> RuleSet:
    """Read and check a rule set; every problem is reported at once."""
    path = Path(path)
    label = path.name
    try:
        raw_bytes = path.read_bytes()
        raw = yaml.safe_load(raw_bytes.decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValidationError(
            [Problem(f"cannot read the rule set: {exc}", "อ่านชุดกฎไม่ได้", file=label)]
        ) from exc
    problems: list[Problem] = []

    def bad(en: str, th: str, *, rule=None, fld=None):
        problems.append(Problem(en, th, file=label, feature=rule, field=fld))

    if not isinstance(raw, dict):
        bad("the rule set must be a mapping with 'name' and 'rules'", "รูปแบบชุดกฎไม่ถูกต้อง")
        raise ValidationError(problems)
    title = raw.get("title") or {}
    if not (isinstance(title, dict) and title.get("th") and title.get("en")):
        bad(
            "the rule set needs a title in Thai and English",
            "ต้องมีชื่อชุดกฎทั้งภาษาไทยและอังกฤษ",
            fld="title",
        )
    parameters = raw.get("parameters") or {}
    if not isinstance(parameters, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in parameters.values()
    ):
        bad("parameters must map names to numbers", "ค่าพารามิเตอร์ต้องเป็นตัวเลข", fld="parameters")
        parameters = {}
    rules: list[Rule] = []
    seen: set[str] = set()
    raw_rules = raw.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        bad("the rule set has no rules", "ชุดกฎไม่มีกฎ", fld="rules")
        raw_rules = []
    for n, spec in enumerate(raw_rules):
        rid = spec.get("id") if isinstance(spec, dict) else None
        where = rid or n
        if not isinstance(spec, dict):
            bad("a rule must be a mapping", "กฎต้องเป็นรายการแบบ mapping", rule=where)
            continue
        if not rid or not isinstance(rid, str):
            bad("the rule has no id", "กฎไม่มีรหัส", rule=where, fld="id")
        elif rid in seen:
            bad(f"rule id {rid!r} is used twice", f"รหัสกฎ {rid!r} ซ้ำ", rule=where, fld="id")
        seen.add(rid or "")
        check = spec.get("check")
        if check not in CHECKS:
            bad(
                f"check must be one of {', '.join(CHECKS)}, not {check!r}",
                f"check ต้องเป็นหนึ่งใน {', '.join(CHECKS)}",
                rule=where,
                fld="check",
            )
        severity = spec.get("verdict")
        if severity not in (WARNING, CONFLICT):
            bad(
                f"verdict must be warning or conflict, not {severity!r}",
                "verdict ต้องเป็น warning หรือ conflict",
                rule=where,
                fld="verdict",
            )
        when = spec.get("when")
        if not isinstance(when, dict) or not when:
            bad("the rule has no condition (when)", "กฎไม่มีเงื่อนไข (when)", rule=where, fld="when")
            when = {}
        unknown = set(when) - _CONDITION_KEYS
        if unknown:
            bad(
                f"unknown condition(s): {', '.join(sorted(unknown))}",
                f"ไม่รู้จักเงื่อนไข: {', '.join(sorted(unknown))}",
                rule=where,
                fld="when",
            )
        if check in _NUMERIC_FIELDS and "field" in when:
            if when["field"] not in _NUMERIC_FIELDS[check]:
                bad(
                    f"field for {check} must be one of {', '.join(_NUMERIC_FIELDS[check])}",
                    f"field ของ {check} ต้องเป็นหนึ่งใน {', '.join(_NUMERIC_FIELDS[check])}",
                    rule=where,
                    fld="when.field",
                )
            if not any(k in when for k in _COMPARISONS):
                bad(
                    "a field condition needs above, at_least, below or at_most",
                    "เงื่อนไขตัวเลขต้องมี above, at_least, below หรือ at_most",
                    rule=where,
                    fld="when",
                )
        if check in _CATEGORY_CHECKS and not ({"category_in", "category_prefix"} & set(when)):
            bad(
                "a zoning or tenure rule needs category_in or category_prefix",
                "กฎผังเมืองหรือกรรมสิทธิ์ต้องระบุ category_in หรือ category_prefix",
                rule=where,
                fld="when",
            )
        reason = spec.get("reason") or {}
        if not (isinstance(reason, dict) and reason.get("th") and reason.get("en")):
            bad(
                "the rule needs a reason in Thai and English",
                "กฎต้องมีคำอธิบายทั้งภาษาไทยและอังกฤษ",
                rule=where,
                fld="reason",
            )
            reason = {"th": str(rid), "en": str(rid)}
        action = spec.get("action")
        if action is not None and not (isinstance(action, dict) and action.get("th")):
            bad("action needs Thai and English", "action ต้องมีทั้งไทยและอังกฤษ", rule=where)
            action = None
        uses = spec.get("applies_to_use") or ()
        rules.append(
            Rule(
                id=str(rid),
                check=str(check),
                severity=str(severity),
                when=dict(when),
                reason={k: str(v) for k, v in reason.items()},
                applies_to_use=tuple(map(str, uses))
                if isinstance(uses, (list, tuple))
                else (str(uses),),
                action=action,
            )
        )
    if problems:
        raise ValidationError(problems)
    return RuleSet(
        name=str(raw.get("name") or path.stem),
        title={k: str(v) for k, v in title.items()},
        rules=tuple(rules),
        parameters={k: float(v) for k, v in parameters.items()},
        default_use=str(raw.get("default_use") or "residential"),
        notes={k: str(v) for k, v in (raw.get("notes") or {}).items()},
        file=label,
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
    )


# --------------------------------------------------------------------- evaluate


def _matches_category(value: Any, when: dict[str, Any]) -> bool:
    text = "" if value is None else str(value)
    if "category_in" in when and text in {str(v) for v in when["category_in"]}:
        return True
    return any(text.startswith(str(p)) for p in when.get("category_prefix", ()))


def _compare(value: Any, when: dict[str, Any]) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return all(fn(float(value), float(when[k])) for k, fn in _COMPARISONS.items() if k in when)


def _fmt(template: str, values: dict[str, Any]) -> str:
    try:
        return template.format(**values)
    except (KeyError, ValueError, IndexError):
        return template


def _number(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _category_hits(rule: Rule, rows: pd.DataFrame, by: str) -> dict[Any, dict[str, Any]]:
    """Per site: categories matching the rule, their share and area."""
    if rows is None or rows.empty:
        return {}
    match = rows[rows[by].map(lambda v: _matches_category(v, rule.when))]
    out = {}
    threshold = float(rule.when.get("share_above", 0.0))
    for site, grp in match.groupby("site_id", sort=False):
        share, area = float(grp["share"].sum()), float(grp["area_m2"].sum())
        if share > threshold and area > 0:
            out[site] = {
                "categories": ", ".join(map(str, grp[by])),
                "share": share,
                "share_pct": f"{share:.0%}",
                "area_m2": area,
                "area": f"{area:,.0f}",
            }
    return out


def evaluate(
    rules: RuleSet,
    site_ids: list,
    *,
    results: dict[str, pd.DataFrame],
    category_fields: dict[str, str],
    site_uses: dict[Any, str] | None = None,
) -> pd.DataFrame:
    """A verdict per site with its reasons.

    `results` holds the tables of the checks that ran (keyed by check name);
    rules for checks that did not run are skipped and listed in
    `attrs["rules_skipped"]`. Returns `site_id`, `verdict`, `reasons` (a list of
    dicts: rule, severity, th, en, action_th, action_en).
    """
    uses = site_uses or {}
    reasons: dict[Any, list[dict[str, Any]]] = {s: [] for s in site_ids}
    skipped = []
    for rule in rules.rules:
        table = results.get(rule.check)
        if table is None:
            skipped.append(rule.id)
            continue
        if rule.check in _CATEGORY_CHECKS:
            hits = _category_hits(rule, table, category_fields[rule.check])
        else:
            hits = {}
            for row in table.to_dict("records"):
                ok = True
                if "status_in" in rule.when:
                    ok = str(row.get("status")) in {str(s) for s in rule.when["status_in"]}
                if ok and "field" in rule.when:
                    ok = _compare(row.get(rule.when["field"]), rule.when)
                if ok and "share_above" in rule.when:
                    ok = (_number(row.get("inside_share")) or 0.0) > float(rule.when["share_above"])
                if ok:
                    values = {k: v for k, v in row.items() if k != "site_id"}
                    for k in ("mean", "max", "min", "inside_share", "nearest_distance_m"):
                        if _number(values.get(k)) is not None:
                            values[k] = _number(values[k])
                    if _number(values.get("inside_share")) is not None:
                        values["share_pct"] = f"{values['inside_share']:.0%}"
                    values["value"] = row.get(rule.when.get("field", ""), "")
                    hits[row["site_id"]] = values
        for site, values in hits.items():
            if site not in reasons:
                continue
            if rule.applies_to_use and uses.get(site, rules.default_use) not in rule.applies_to_use:
                continue
            action = rule.action or {}
            reasons[site].append(
                {
                    "rule": rule.id,
                    "check": rule.check,
                    "severity": rule.severity,
                    "th": _fmt(rule.reason_template("th", _number(values.get("value"))), values),
                    "en": _fmt(rule.reason_template("en", _number(values.get("value"))), values),
                    "action_th": action.get("th", ""),
                    "action_en": action.get("en", ""),
                }
            )
    rows = []
    for site in site_ids:
        worst = max(
            (r["severity"] for r in reasons[site]), key=SEVERITY_ORDER.__getitem__, default=PASS
        )
        rows.append({"site_id": site, "verdict": worst, "reasons": reasons[site]})
    out = pd.DataFrame(rows, columns=["site_id", "verdict", "reasons"])
    out.attrs["rules_skipped"] = skipped
    return out
