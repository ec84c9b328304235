"""Sample cases for the Khlong Prem Prachakorn communities.

One canal-side case per sample community, one household per structure. The
house statuses reproduce the published progress table exactly (nationthailand.com
40021770): finished / under construction / ready to build per district. The
histories follow the published timeline: Cabinet approval on 9 April 2019,
CODI approvals from April 2019, first houses finished in 2020.

Names, incomes and amounts are illustrative and say so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import shapely

from cases.model import BudgetLine, Case, Community, Document, Household, StageEvent
from cases.services import add_user, store_document_file
from cases.store import CaseStore
from cases.workflow import default_workflows

SEED = 2562
# Published progress (houses) per area: finished, under construction, ready to build.
PUBLISHED_PROGRESS = {
    "Chatuchak": (356, 133, 0),
    "Lak Si": (88, 71, 7),
    "Don Mueang": (0, 120, 14),
    "Lak Hok": (190, 28, 0),
}
AREA_ORDER = ("Chatuchak", "Lak Si", "Don Mueang", "Lak Hok")
APPROVAL_START = date(2019, 4, 9)  # Cabinet approval of the master plan
DEMO_USERS = [
    # username, password, role, community (for the representative)
    ("admin", "admin-demo-2562", "admin", None),
    ("officer", "officer-demo-2562", "officer", None),
    ("rep.cc01", "rep-demo-2562", "community_rep", "KPP-CC-01"),
    ("viewer", "viewer-demo-2562", "viewer", None),
]
# Stage a case has reached, and documents/budget that reaching it implies.
_STAGE_DOCUMENTS = {
    "agreement_to_move": ["agreement"],
    "savings_group": ["savings_record"],
    "cooperative": ["cooperative_registration"],
    "approval": ["layout_plan", "approval"],
    "treasury_lease": ["lease_contract"],
    "temporary_housing": ["demolition_record"],
}
_HOLD_REASONS = ["land_dispute", "residents_not_agreed", "budget_delayed", "waiting_embankment"]


def _day(rng: np.random.Generator, start: date, end: date) -> date:
    span = max(1, (end - start).days)
    return start + timedelta(days=int(rng.integers(0, span)))


def _assign_statuses(
    agreed_by_community: dict[str, list[int]], area_communities: list[str], area: str
):
    """House status per (community, household_no): the published numbers, community by community."""
    finished, building, ready = PUBLISHED_PROGRESS[area]
    quota = [("finished", finished), ("under_construction", building), ("ready_to_build", ready)]
    statuses: dict[tuple[str, int], str] = {}
    queue = [(cid, no) for cid in area_communities for no in agreed_by_community[cid]]
    i = 0
    for status, n in quota:
        for cid, no in queue[i : i + n]:
            statuses[(cid, no)] = status
        i += n
    if i > len(queue):
        raise ValueError(f"{area}: the published progress exceeds the households agreed")
    return statuses


def build_sample_cases(layers: dict, *, seed: int = SEED) -> dict:
    """Domain objects for the sample, without ids: communities, cases and their parts."""
    rng = np.random.default_rng(seed)
    workflows = default_workflows()
    stages = workflows.case_type("canal_side").stage_ids()
    communities_gdf = layers["communities"].sort_values("community_id").reset_index(drop=True)
    structures = (
        layers["structures"].sort_values(["community_id", "household_no"]).reset_index(drop=True)
    )

    communities = [
        Community(
            id=r.community_id,
            name_th=r.name_th,
            name_en=r.name_en,
            district_en=r.area_en,
            district_th=r.area_th,
            province_th=r.province_th,
            # DOPA codes from the layer (gis/sample.py); an older package has none.
            province_code=getattr(r, "province_code", None) or None,
            district_code=getattr(r, "district_code", None) or None,
            subdistrict_code=getattr(r, "subdistrict_code", None) or None,
        )
        for r in communities_gdf.itertuples()
    ]
    agreed_by_community = {
        cid: group.loc[group["agreed_to_move"], "household_no"].tolist()
        for cid, group in structures.groupby("community_id")
    }
    statuses: dict[tuple[str, int], str] = {}
    for area in AREA_ORDER:
        ids = communities_gdf.loc[communities_gdf["area_en"] == area, "community_id"].tolist()
        statuses.update(_assign_statuses(agreed_by_community, ids, area))

    # When each finished house was finished: community by community, March 2020 to
    # September 2026, so that the chart of houses finished runs to the present.
    first, last = date(2020, 3, 1), date(2026, 9, 30)
    finished_keys = [
        (cid, no)
        for cid in communities_gdf["community_id"]
        for no in agreed_by_community[cid]
        if statuses.get((cid, no)) == "finished"
    ]
    # Irregular gaps, as houses are handed over in batches: cumulative random steps
    # stretched over the period.
    span = (last - first).days
    # A generator of its own, so the rest of the sample keeps its draws.
    batches = np.random.default_rng(seed + 1)
    steps = np.cumsum(batches.exponential(1.0, size=len(finished_keys)) ** 3)
    offsets = (span * (steps - steps[0]) / max(steps[-1] - steps[0], 1e-9)).astype(int)
    finished_on = {
        key: first + timedelta(days=int(offset)) for key, offset in zip(finished_keys, offsets)
    }

    plans = {}
    for r in communities_gdf.itertuples():
        mine = [s for (cid, _), s in statuses.items() if cid == r.community_id]
        agreed = len(agreed_by_community[r.community_id])
        if mine and len(mine) == agreed and all(s == "finished" for s in mine):
            stage = "completed"
        elif "finished" in mine or "under_construction" in mine:
            stage = "construction"
        elif "ready_to_build" in mine:
            stage = "temporary_housing"
        else:
            stage = str(
                rng.choice(
                    [
                        "agreement_to_move",
                        "savings_group",
                        "cooperative",
                        "layout_design",
                        "approval",
                        "treasury_lease",
                    ]
                )
            )
        plans[r.community_id] = stage

    out_cases, events, documents, budgets, households = [], [], [], [], []
    for index, r in enumerate(communities_gdf.itertuples()):
        stage = plans[r.community_id]
        reached = stages[: stages.index(stage) + 1]
        done = sorted(d for (cid, _), d in finished_on.items() if cid == r.community_id)
        # Surveys in 2018, CODI approvals from April 2019, construction from late 2019.
        on = _day(rng, date(2018, 1, 15), date(2018, 9, 30))
        history = []
        for s in reached:
            if s == "approval":
                # The first communities to finish were among the approvals of April 2019.
                until = date(2019, 4, 30) if stage == "completed" else date(2019, 12, 20)
                on = max(on, _day(rng, APPROVAL_START, until))
            elif s == "construction":
                on = max(on, _day(rng, date(2019, 11, 1), date(2025, 12, 31)))
                if done:
                    on = min(on, done[0] - timedelta(days=240))
            elif s == "moving_in":
                on = done[-1] + timedelta(days=15)
            elif s == "completed":
                on = done[-1] + timedelta(days=75)
            elif history:
                on = on + timedelta(days=int(rng.integers(40, 200)))
            history.append((s, on))
        # Cases before construction: the latest stage entered recently, or long ago and on hold.
        hold = None
        if stage not in ("construction", "temporary_housing", "completed"):
            last_stage, last_on = history[-1]
            if index % 2 == 0:
                hold = _HOLD_REASONS[(index // 2) % len(_HOLD_REASONS)]
                last_on = max(last_on, _day(rng, date(2022, 1, 1), date(2024, 6, 30)))
            else:
                last_on = max(last_on, _day(rng, date(2026, 6, 1), date(2026, 10, 31)))
            history[-1] = (last_stage, last_on)
        case = Case(
            ref=f"{r.community_id}",
            community_id=r.community_id,
            case_type="canal_side",
            title_th=f"ย้ายและสร้างบ้านใหม่ {r.name_th}",
            title_en=f"Rehousing of {r.name_en}",
            stage=stage,
            stage_entered_on=history[-1][1],
            hold_reason=hold,
            cooperative_name=(
                f"สหกรณ์เคหสถานตัวอย่าง {r.name_th} จำกัด" if "cooperative" in reached else None
            ),
            site=r.geometry,
            created_on=history[0][1],
            note="ข้อมูลตัวอย่าง / illustrative sample case",
        )
        out_cases.append(case)
        previous = None
        for s, on in history:
            events.append(
                (
                    r.community_id,
                    StageEvent(
                        case_id=None,
                        from_stage=previous,
                        to_stage=s,
                        on=on,
                        by="officer",
                        note="ข้อมูลตัวอย่าง / sample history",
                    ),
                )
            )
            for kind in _STAGE_DOCUMENTS.get(s, []):
                documents.append((r.community_id, kind, on))
            previous = s
        if hold:
            events.append(
                (
                    r.community_id,
                    StageEvent(
                        case_id=None,
                        from_stage=stage,
                        to_stage=stage,
                        kind="hold",
                        hold_reason=hold,
                        on=history[-1][1] + timedelta(days=30),
                        by="officer",
                        note="ข้อมูลตัวอย่าง / sample",
                    ),
                )
            )
        n_households = int(r.households_total)
        if "approval" in reached:
            # Illustrative amounts, labelled as such; no published per-household figure exists.
            for kind in ("infrastructure_subsidy", "housing_subsidy", "housing_loan"):
                planned = (
                    n_households
                    * {
                        "infrastructure_subsidy": 50_000,
                        "housing_subsidy": 25_000,
                        "housing_loan": 360_000,
                    }[kind]
                )
                disbursed = (
                    planned
                    if stage == "completed"
                    else planned // 2
                    if stage == "construction"
                    else 0
                )
                budgets.append(
                    (
                        r.community_id,
                        BudgetLine(
                            case_id=0,
                            kind=kind,
                            planned=planned,
                            approved=planned,
                            disbursed=disbursed,
                            note="จำนวนเงินตัวอย่าง / illustrative amount",
                        ),
                    )
                )

    for s in structures.itertuples():
        key = (s.community_id, s.household_no)
        status = statuses.get(key, "not_started")
        done_on = finished_on.get(key)
        changed = done_on
        if status == "finished" and plans[s.community_id] == "completed":
            status = "moved_in"
        elif status in ("under_construction", "ready_to_build"):
            changed = _day(rng, date(2024, 1, 1), date(2026, 10, 31))
        households.append(
            (
                s.community_id,
                Household(
                    case_id=0,
                    household_no=int(s.household_no),
                    head_name=f"หัวหน้าครัวเรือนตัวอย่าง {s.structure_id}",
                    members=int(rng.integers(1, 8)),
                    monthly_income=int(rng.integers(60, 260)) * 100,
                    phone="",
                    tenure="treasury_encroaching" if s.encroachment != "none" else "renting",
                    agreed_to_move=bool(s.agreed_to_move),
                    house_status=status,
                    status_changed_on=changed,
                    finished_on=done_on,
                    structure_id=s.structure_id,
                    location=shapely.Point(s.geometry.centroid.x, s.geometry.centroid.y),
                ),
            )
        )
    return {
        "communities": communities,
        "cases": out_cases,
        "events": events,
        "documents": documents,
        "budgets": budgets,
        "households": households,
    }


def load_sample_cases(
    store: CaseStore, layers: dict, *, seed: int = SEED, demo_users: bool = False
) -> dict:
    """Write the sample cases into an empty case store (one transaction), and the demo users
    only when `demo_users` is true (`planner sample --demo-users`).

    `layers` are the sample's layers by name (GeoDataFrames); the sample loader of the
    application layer (app.application.sample_loader) reads them from the GeoPackage."""
    plan = build_sample_cases(layers, seed=seed)
    workflows = default_workflows()
    with store.uow() as uow:
        _, existing = uow.repo.list_cases()
        if existing:
            return {"skipped": True, "cases": existing}
        repo = uow.repo
        repo.add_communities(plan["communities"])
        ids = {}
        for case in plan["cases"]:
            repo.add_case(case, workflows.case_type(case.case_type).programme)
            ids[case.community_id] = case.id
        for community_id, event in plan["events"]:
            event.case_id = ids[community_id]
        event_ids = {}
        for community_id, event in plan["events"]:
            repo.add_event(event)
            event_ids.setdefault((community_id, event.to_stage), event.id)
        stamp = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
        for community_id, kind, on in plan["documents"]:
            label = workflows.document_kinds[kind]
            text = (
                f"{label['th']} / {label['en']}\n{community_id}\n{on.isoformat()}\n"
                "เอกสารตัวอย่าง / sample document\n"
            ).encode()
            digest = store_document_file(uow, text)
            stage = next(s for s, kinds in _STAGE_DOCUMENTS.items() if kind in kinds)
            repo.add_document(
                Document(
                    case_id=ids[community_id],
                    kind=kind,
                    filename=f"{community_id}-{kind}.txt",
                    content_type="text/plain; charset=utf-8",
                    size=len(text),
                    sha256=digest,
                    uploaded_by="officer",
                    uploaded_at=stamp,
                    stage_event_id=event_ids.get((community_id, stage)),
                )
            )
        for community_id, line in plan["budgets"]:
            line.case_id = ids[community_id]
            repo.add_budget_line(line)
        rows = []
        for community_id, household in plan["households"]:
            household.case_id = ids[community_id]
            rows.append(household)
        repo.add_households(rows)
        uow.commit()
    if demo_users:
        add_demo_users(store)
    return {
        "skipped": False,
        "cases": len(plan["cases"]),
        "households": len(plan["households"]),
        "communities": len(plan["communities"]),
    }


def add_demo_users(store: CaseStore, *, rep_community: str | None = None) -> None:
    """The README's demo logins, where missing. For trying the planner on one machine only:
    `planner serve` refuses the network while any still has its demo password. The
    community representative represents `rep_community` when given (another sample's)."""
    for username, password, role, community in DEMO_USERS:
        with store.uow() as uow:
            exists = uow.repo.get_user(username)
        if community and rep_community:
            community = rep_community
        if not exists:
            add_user(store.uow(), username, password, role, community_id=community)
