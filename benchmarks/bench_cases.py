"""Issue 3: the case tracker at national scale.

A synthetic store of 2,000 communities, 300,000 households and 20,000 stage
events, on the embedded store (SQLite) and, when DATABASE_URL is set, on
PostgreSQL. Measured: p50 and p95 of the dashboard (progress by district,
stalled cases, houses finished over time) and of the filtered case list (one
district and stage, page 1, with household counts).
Anchor: a bare `SELECT house_status, count(*) FROM households GROUP BY 1` on the
same store, the least any progress table can cost.
Target: dashboard and case list p95 under 100 ms on the embedded store.
The dashboard is cached per store generation (decision 0005); the
`dashboard_after_write` entry times reads that each follow a write, uncached.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta

import numpy as np
import shapely
import sqlalchemy as sa
from run import entry

from cases import services
from cases.model import Case, Community, Household, StageEvent, User
from cases.store import CaseStore
from cases.workflow import default_workflows

COMMUNITIES = 2_000
HOUSEHOLDS = 300_000
EVENTS = 20_000
RUNS = 40
OFFICER = User(username="bench", role="officer")
DISTRICTS = [f"District {i:02d}" for i in range(50)]
TODAY = date(2026, 11, 25)


def build(store: CaseStore, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    workflows = default_workflows()
    types = list(workflows.case_types)
    with store.uow() as uow:
        uow.repo.add_communities(
            [
                Community(
                    id=f"C{i:05d}",
                    name_th=f"ชุมชน {i}",
                    name_en=f"Community {i}",
                    district_en=DISTRICTS[i % 50],
                    district_th=f"เขต {i % 50}",
                )
                for i in range(COMMUNITIES)
            ]
        )
        cases = []
        for i in range(COMMUNITIES):
            ctype = workflows.case_type(types[i % len(types)])
            stage = ctype.stages[int(rng.integers(0, len(ctype.stages)))].id
            entered = date(2019, 1, 1) + timedelta(days=int(rng.integers(0, 2800)))
            case = Case(
                ref=f"R{i:05d}",
                community_id=f"C{i:05d}",
                case_type=ctype.id,
                title_th=f"กรณี {i}",
                title_en=f"Case {i}",
                stage=stage,
                stage_entered_on=entered,
                id=i + 1,
                site=shapely.box(600000 + i, 1500000, 600050 + i, 1500050),
            )
            cases.append((case, ctype.programme))
        uow.repo.add_cases(cases)
        statuses = np.array(
            ["not_started", "ready_to_build", "under_construction", "finished", "moved_in"]
        )
        status_idx = rng.choice(5, size=HOUSEHOLDS, p=[0.6, 0.05, 0.1, 0.2, 0.05])
        case_ids = rng.integers(1, COMMUNITIES + 1, size=HOUSEHOLDS)
        finished_days = rng.integers(0, 2400, size=HOUSEHOLDS)
        batch = []
        for n in range(HOUSEHOLDS):
            status = statuses[status_idx[n]]
            finished = status in ("finished", "moved_in")
            batch.append(
                Household(
                    case_id=int(case_ids[n]),
                    household_no=n + 1,
                    head_name=f"ครัวเรือน {n}",
                    members=3,
                    monthly_income=12000,
                    tenure="renting",
                    agreed_to_move=bool(n % 10),
                    house_status=str(status),
                    finished_on=date(2020, 1, 1) + timedelta(days=int(finished_days[n]))
                    if finished
                    else None,
                    location=shapely.Point(600000 + n % 5000, 1500000 + n // 5000),
                )
            )
            if len(batch) == 20_000:
                uow.repo.add_households(batch)
                batch = []
        uow.repo.add_households(batch)
        uow.repo.add_events(
            [
                StageEvent(
                    case_id=int(rng.integers(1, COMMUNITIES + 1)),
                    from_stage=None,
                    to_stage="survey",
                    on=date(2019, 1, 1) + timedelta(days=int(rng.integers(0, 2800))),
                    by="bench",
                )
                for _ in range(EVENTS)
            ]
        )
        uow.commit()
    if store.url.startswith("postgresql"):
        with store.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))


def percentiles(fn, runs: int = RUNS) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def measure(label: str, store: CaseStore) -> list[dict]:
    started = time.perf_counter()
    build(store)
    build_s = time.perf_counter() - started

    def dashboard():
        services.progress(store.uow())
        services.stalled_cases(store.uow(), OFFICER, today=TODAY)
        services.finished_over_time(store.uow())

    def case_list():
        rows, total = services.list_cases(
            store.uow(),
            OFFICER,
            district="District 07",
            stage="construction",
            today=TODAY,
            per_page=50,
        )
        assert total > 0

    def anchor():
        with store.engine.connect() as conn:
            conn.execute(sa.text("SELECT house_status, count(*) FROM households GROUP BY 1")).all()

    def dashboard_after_write():
        # Every read follows a change, so nothing comes from the cache.
        with store.uow() as uow:
            uow.repo.touch()
            uow.commit()
        started = time.perf_counter()
        dashboard()
        return time.perf_counter() - started

    cold = sorted(dashboard_after_write() for _ in range(RUNS // 2))
    anchor_p50, anchor_p95 = percentiles(anchor)
    out = []
    cold_item = entry(
        f"cases_dashboard_after_write_{label}_p95",
        cold[int(0.95 * (len(cold) - 1))],
        "bare GROUP BY house_status (p95)",
        anchor_p95,
        "reported",
    )
    cold_item.update(p50_s=round(statistics.median(cold), 4), build_s=round(build_s, 1))
    out.append(cold_item)
    for name, fn in (("dashboard", dashboard), ("case_list_filtered", case_list)):
        p50, p95 = percentiles(fn)
        item = entry(
            f"cases_{name}_{label}_p95",
            p95,
            "bare GROUP BY house_status (p95)",
            anchor_p95,
            "p95 < 0.100 s" if label == "embedded" else "reported",
        )
        item.update(
            p50_s=round(p50, 4),
            anchor_p50_s=round(anchor_p50, 4),
            build_s=round(build_s, 1),
            scale=f"{COMMUNITIES} communities, {HOUSEHOLDS} households, {EVENTS} stage events",
        )
        if label == "embedded":
            item["met"] = p95 < 0.100
        out.append(item)
    return out


def run() -> list[dict]:
    results = []
    home = tempfile.mkdtemp(prefix="bench-cases-")
    try:
        store = CaseStore(home)
        results += measure("embedded", store)
        store.dispose()
        url = os.environ.get("DATABASE_URL")
        if url:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            store = CaseStore(home, url, schema=schema)
            try:
                results += measure("postgis", store)
            finally:
                with store.engine.begin() as conn:
                    conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
                store.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return results
