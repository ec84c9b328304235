"""A synthetic case store at national scale: communities in every province (real DOPA
province, district and subdistrict codes), one case each across the four programmes,
households and stage histories. Seeded and deterministic; every name says it is
illustrative. Shared by `planner sample --national` (app/application/national_sample.py)
and the case-tracker benchmark (benchmarks/bench_cases.py); decision 0030.

Plain Python and numpy: geometry (case sites, household locations) is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import shapely
import sqlalchemy as sa

from cases.model import Case, Community, Household, StageEvent
from cases.register import dopa_tables
from cases.store import CaseStore
from cases.workflow import default_workflows

COMMUNITIES = 2_000
HOUSEHOLDS = 300_000
EVENTS = 20_000
BANGKOK = "10"
# Bangkok carries more communities than any other province (as CODI's own lists do).
BANGKOK_WEIGHT = 8.0
# Share of cases by programme (illustrative).
PROGRAMME_SHARES = {
    "baan_mankong": 0.45,
    "baan_pho_phiang": 0.30,
    "canal_side": 0.15,
    "disaster": 0.10,
}
FIRST_DAY, LAST_DAY = date(2019, 1, 1), date(2026, 10, 31)
NOTE = "ข้อมูลตัวอย่างระดับประเทศ / illustrative national sample"
_BUILD_STAGES = {"construction", "repair", "moving_in"}
_STATUSES = np.array(
    ["not_started", "ready_to_build", "under_construction", "finished", "moved_in"]
)
# House status shares by where the case stands: before approval, approved, building, done.
_STATUS_SHARES = {
    "early": [1.0, 0.0, 0.0, 0.0, 0.0],
    "approved": [0.75, 0.25, 0.0, 0.0, 0.0],
    "building": [0.2, 0.1, 0.4, 0.3, 0.0],
    "done": [0.0, 0.0, 0.0, 0.2, 0.8],
}


@dataclass
class Plan:
    """Communities (in order) and how many households each has."""

    communities: list[Community]
    households: np.ndarray  # households per community, same order
    seed: int


def _split(total: int, n: int, rng: np.random.Generator, weights=None) -> np.ndarray:
    """`total` split into `n` positive parts (one each first when total >= n)."""
    base = np.ones(n, dtype=np.int64) if total >= n else np.zeros(n, dtype=np.int64)
    p = rng.dirichlet(np.full(n, 2.0)) if weights is None else np.asarray(weights, float)
    return base + rng.multinomial(total - int(base.sum()), p / p.sum())


def plan(seed: int, *, communities: int = COMMUNITIES, households: int = HOUSEHOLDS) -> Plan:
    """Communities spread over the 77 provinces (each province at least one when there
    are 77 or more), each in a real district and subdistrict of its province."""
    rng = np.random.default_rng(seed)
    provinces, districts, subdistricts = dopa_tables()
    codes = sorted(provinces)
    weights = rng.uniform(0.6, 1.4, len(codes))
    weights[codes.index(BANGKOK)] = BANGKOK_WEIGHT
    per_province = _split(communities, len(codes), rng, weights)
    by_province: dict[str, list] = {}
    for d in sorted(districts.values(), key=lambda d: d.code):
        by_province.setdefault(d.province_code, []).append(d)
    by_district: dict[str, list] = {}
    for s in sorted(subdistricts.values(), key=lambda s: s.code):
        by_district.setdefault(s.district_code, []).append(s)
    out = []
    for code, n in zip(codes, per_province):
        province = provinces[code]
        for _ in range(int(n)):
            i = len(out)
            pool = by_province[code]
            district = pool[int(rng.integers(len(pool)))]
            subs = by_district.get(district.code) or [None]
            sub = subs[int(rng.integers(len(subs)))]
            out.append(
                Community(
                    id=f"N{i + 1:05d}",
                    name_th=f"ชุมชนตัวอย่าง {i + 1} {district.name_th}",
                    name_en=f"Illustrative community {i + 1}, {district.name_en}",
                    district_en=district.name_en,
                    district_th=district.name_th,
                    province_th=province.name_th,
                    province_code=code,
                    district_code=district.code,
                    subdistrict_code=sub.code if sub else None,
                )
            )
    # Lognormal sizes: most communities have 50-250 households, a few many more.
    sizes = rng.lognormal(0.0, 0.6, len(out))
    return Plan(out, _split(households, len(out), rng, sizes), seed)


def _history(rng, stages: list[str], n_events: int) -> tuple[list[tuple[str, str]], int]:
    """(kind, stage) of a case's `n_events` events: moves up to its stage, then hold and
    release pairs at the stage it had reached; and the index of the stage it is in."""
    moves = min(n_events, int(rng.integers(1, len(stages) + 1)))
    kinds = ["move"] * moves
    extra = n_events - moves
    for _ in range(extra // 2):
        at = int(rng.integers(1, len(kinds) + 1))
        kinds[at:at] = ["hold", "release"]
    if extra % 2:
        kinds.append("hold")
    out, reached = [], -1
    for kind in kinds:
        if kind == "move":
            reached += 1
        out.append((kind, stages[reached]))
    return out, moves - 1


def write(
    store: CaseStore,
    plan: Plan,
    *,
    events: int = EVENTS,
    sites: list | None = None,
    locations: np.ndarray | None = None,
    structure_ids: list[str] | None = None,
    agreed: np.ndarray | None = None,
) -> dict[str, int]:
    """Write the plan into `store` in one transaction: one case per community, its
    households (locations, structure ids and agreement from the layers when given) and
    `events` stage events. Returns the counts written."""
    rng = np.random.default_rng(plan.seed + 1)
    workflows = default_workflows()
    programmes = list(PROGRAMME_SHARES)
    reasons = sorted(workflows.hold_reasons)
    n_cases = len(plan.communities)
    if events < n_cases:
        raise ValueError(f"{events} stage events for {n_cases} cases: each case needs one")
    per_case_events = _split(events, n_cases, rng)
    case_types = rng.choice(len(programmes), size=n_cases, p=list(PROGRAMME_SHARES.values()))
    total_households = int(plan.households.sum())
    if agreed is None:
        agreed = rng.random(total_households) < 0.85
    with store.uow() as uow:
        repo = uow.repo
        repo.add_communities(plan.communities)
        phases, all_events = [], []
        for i, community in enumerate(plan.communities):
            ctype = workflows.case_type(programmes[case_types[i]])
            stages = ctype.stage_ids()
            history, reached = _history(rng, stages, int(per_case_events[i]))
            days = np.sort(rng.integers(0, (LAST_DAY - FIRST_DAY).days, size=len(history)))
            dated = [(k, s, FIRST_DAY + timedelta(days=int(d))) for (k, s), d in zip(history, days)]
            last_move = [on for k, _, on in dated if k == "move"][-1]
            on_hold = history[-1][0] == "hold"
            stage = stages[reached]
            case = Case(
                ref=f"NAT-{community.id}",
                community_id=community.id,
                case_type=ctype.id,
                title_th=f"กรณีตัวอย่าง {community.name_th}",
                title_en=f"Illustrative case, {community.name_en}",
                stage=stage,
                stage_entered_on=last_move,
                hold_reason=reasons[i % len(reasons)] if on_hold else None,
                cooperative_name=(
                    f"สหกรณ์ตัวอย่าง {community.name_th} จำกัด"
                    if "cooperative" in stages[: reached + 1]
                    else None
                ),
                site=sites[i] if sites is not None else None,
                created_on=dated[0][2],
                note=NOTE,
            )
            repo.add_case(case, ctype.programme)
            previous = None
            for n, (kind, s, on) in enumerate(dated):
                all_events.append(
                    StageEvent(
                        case_id=case.id,
                        from_stage=previous if kind == "move" else s,
                        to_stage=s,
                        on=on,
                        by="officer",
                        note=NOTE,
                        kind=kind,
                        hold_reason=reasons[(i + n) % len(reasons)] if kind == "hold" else None,
                    )
                )
                if kind == "move":
                    previous = s
            approval = stages.index("approval")
            phases.append(
                (
                    case.id,
                    "done"
                    if stage == "completed"
                    else "building"
                    if stage in _BUILD_STAGES
                    else "approved"
                    if reached >= approval
                    else "early",
                )
            )
        repo.add_events(all_events)
        _households(repo, plan, phases, rng, locations, structure_ids, agreed)
        uow.commit()
    if store.url.startswith("postgresql"):  # fresh statistics for the planner's first queries
        with store.engine.begin() as conn:
            for table in (
                "communities",
                "cases",
                "households",
                "stage_events",
                "household_tallies",
            ):
                conn.execute(sa.text(f"ANALYZE {table}"))
    return {
        "communities": n_cases,
        "cases": n_cases,
        "households": total_households,
        "events": len(all_events),
    }


def _households(repo, plan, phases, rng, locations, structure_ids, agreed) -> None:
    total = int(plan.households.sum())
    owner = np.repeat(np.arange(len(plan.communities)), plan.households)
    shares = np.array([_STATUS_SHARES[phase] for _, phase in phases])
    # One uniform draw per household against its case's cumulative shares.
    cumulative = np.cumsum(shares, axis=1)[owner]
    status_idx = (rng.random(total)[:, None] > cumulative).sum(axis=1).clip(0, 4)
    finished_days = rng.integers(365, (LAST_DAY - FIRST_DAY).days, size=total)
    members = rng.integers(1, 8, size=total)
    income = rng.integers(60, 260, size=total) * 100
    numbers = np.arange(total) - np.repeat(
        np.cumsum(plan.households) - plan.households, plan.households
    )
    points = shapely.points(locations) if locations is not None else None
    batch = []
    for n in range(total):
        status = str(_STATUSES[status_idx[n]])
        done = status in ("finished", "moved_in")
        batch.append(
            Household(
                case_id=phases[owner[n]][0],
                household_no=int(numbers[n]) + 1,
                head_name=f"ครัวเรือนตัวอย่าง {n + 1}",
                members=int(members[n]),
                monthly_income=int(income[n]),
                tenure="renting",
                agreed_to_move=bool(agreed[n]),
                house_status=status,
                finished_on=FIRST_DAY + timedelta(days=int(finished_days[n])) if done else None,
                structure_id=structure_ids[n] if structure_ids is not None else None,
                location=points[n] if points is not None else None,
            )
        )
        if len(batch) == 20_000:
            repo.add_households(batch)
            batch = []
    repo.add_households(batch)
