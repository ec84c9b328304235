"""The dashboard: progress by district, houses finished over time, stalled cases; cached
per store generation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cases import policy
from cases.model import (
    User,
)
from cases.services.common import (
    today_in_thailand,
)
from cases.unit_of_work import UnitOfWork
from cases.workflow import Workflows, default_workflows


def _stall_thresholds(workflows: Workflows) -> dict[tuple, Any]:
    return {
        (ctype.id, stage.id): stage
        for ctype in workflows.case_types.values()
        for stage in ctype.stages
        if stage.stall_days
    }


def stalled_since(workflows: Workflows, today: date) -> dict[tuple, date]:
    """{(case_type, stage): date}: a case is stalled when it entered the stage before
    that date (in it longer than the stage's stall_days)."""
    return {
        key: today - timedelta(days=stage.stall_days)
        for key, stage in _stall_thresholds(workflows).items()
    }


def _stalled(uow: UnitOfWork, workflows: Workflows, today: date, community_id=None) -> list[dict]:
    thresholds = _stall_thresholds(workflows)
    out = uow.repo.case_stage_rows(
        community_id=community_id, entered_before=stalled_since(workflows, today)
    )
    for row in out:
        stage = thresholds[(row["case_type"], row["stage"])]
        row.update(
            days_in_stage=(today - row["stage_entered_on"]).days,
            stall_days=stage.stall_days,
            stage_label=stage.label,
        )
    return sorted(out, key=lambda r: -r["days_in_stage"] / r["stall_days"])


def stalled_cases(
    uow: UnitOfWork, user: User, *, today: date | None = None, workflows: Workflows | None = None
) -> list[dict]:
    workflows = workflows or default_workflows()
    community_id = policy.community_scope(user)
    today = today or today_in_thailand()
    return _cached(
        uow,
        ("stalled", today, community_id, id(workflows)),
        lambda: _stalled(uow, workflows, today, community_id),
    )


STATUS_COLUMNS = ("finished", "under_construction", "ready_to_build", "not_started")
# Dashboard results per store, query and store generation. Any write that changes
# them bumps the generation in the same transaction, so an entry is never stale.
_DASHBOARD_CACHE: dict[tuple, Any] = {}


def _cached(uow: UnitOfWork, key: tuple, compute):
    """`compute()` once per store generation. The value is shared by every caller (a
    deep copy of the national tables cost more than the page): read it, never change it."""
    with uow:
        return _remember((*_store_of(uow), uow.repo.generation(), *key), compute)


def cached_page(uow: UnitOfWork, user: User | None, key: tuple, render):
    """`render()`, a part of a page drawn only from the dashboard's results, once per
    store generation, day and `user`'s scope (`key` holds the rest: language, filters).
    `render` reads the store itself, so it runs after the generation is read: a write
    in between is in the page kept under the older generation, never the other way."""
    scope = ("page", policy.community_scope(user), today_in_thailand(), *key)
    with uow:
        full_key = (*_store_of(uow), uow.repo.generation(), *scope)
    return _remember(full_key, render)


def _remember(full_key: tuple, compute):
    """The cache's entry for `full_key`, computed when missing (at most 257 kept)."""
    if full_key not in _DASHBOARD_CACHE:
        value = compute()
        if len(_DASHBOARD_CACHE) > 256:
            _DASHBOARD_CACHE.clear()
        _DASHBOARD_CACHE[full_key] = value
    return _DASHBOARD_CACHE[full_key]


def _store_of(uow: UnitOfWork) -> tuple[str, str | None]:
    # One database may hold several instances, one per schema: key by both.
    return str(uow.engine.url), uow.engine.dialect.default_schema_name


def progress(
    uow: UnitOfWork,
    user: User | None = None,
    *,
    programme: str | None = None,
    province: str | None = None,
) -> dict:
    """Progress by district (and programme), the way the government reports it; with
    `province` (a DOPA code), that province's districts only, shares of its households.

    `finished` counts houses finished, including those whose families moved in.
    `shares` are of all households (the government's table, kept exactly);
    `own_progress` is each district's own: finished out of its households agreed to
    move, e.g. Chatuchak 356 of 621 = 57 %, not the 5.57 % of all that `shares` gives.
    """
    community_id = policy.community_scope(user)

    def compute():
        rows = uow.repo.progress_rows(programme=programme, community_id=community_id)
        if province:
            names = uow.repo.districts_in_province(province)
            rows = [row for row in rows if row[0] in names]
        return _progress(rows, programme)

    return _cached(uow, ("progress", programme, community_id, province), compute)


def _progress(rows, programme):
    districts: dict[str, dict] = {}
    for district_en, district_th, prog, status, agreed, n in rows:
        item = districts.setdefault(
            district_en,
            {
                "district_en": district_en,
                "district_th": district_th,
                "programmes": set(),
                "households": 0,
                "households_agreed": 0,
                **dict.fromkeys(STATUS_COLUMNS, 0),
                "moved_in": 0,
            },
        )
        n = int(n)
        item["programmes"].add(prog)
        item["households"] += n
        item["households_agreed"] += n if agreed else 0
        column = "finished" if status == "moved_in" else status
        item[column] += n
        if status == "moved_in":
            item["moved_in"] += n
    table = []
    for item in sorted(districts.values(), key=lambda d: _DISTRICT_ORDER.get(d["district_en"], 99)):
        item["programmes"] = sorted(item["programmes"])
        table.append(item)
    total = {
        "district_en": "total",
        "district_th": "รวม",
        "households": 0,
        "households_agreed": 0,
        "moved_in": 0,
        **dict.fromkeys(STATUS_COLUMNS, 0),
    }
    for item in table:
        for key in ("households", "households_agreed", "moved_in", *STATUS_COLUMNS):
            total[key] += item[key]
    for item in [*table, total]:
        item["shares"] = {
            key: round(100 * item[key] / total["households"], 2) if total["households"] else 0.0
            for key in STATUS_COLUMNS
        }
        agreed = item["households_agreed"]
        item["own_progress"] = {
            "finished": item["finished"],
            "agreed": agreed,
            "percent": round(100 * item["finished"] / agreed, 1) if agreed else None,
        }
    return {"programme": programme, "districts": table, "total": total}


# Districts in the order the canal runs (north from the mouth); others after, by name.
_DISTRICT_ORDER = {
    "Dusit": 0,
    "Bang Sue": 1,
    "Chatuchak": 2,
    "Lak Si": 3,
    "Don Mueang": 4,
    "Lak Hok": 5,
}


def finished_over_time(
    uow: UnitOfWork, user: User | None = None, *, programme: str | None = None
) -> list[dict]:
    if policy.is_community_rep(user):
        with uow:
            months = uow.repo.finished_by_month_for_community(
                user.community_id, programme=programme
            )
    else:
        months = _cached(
            uow,
            ("finished", programme),
            lambda: uow.repo.finished_by_month(programme=programme),
        )
    out, cumulative = [], 0
    for month, n in months:
        cumulative += n
        out.append({"month": month, "finished": n, "cumulative": cumulative})
    return out


def progress_by_area(
    uow: UnitOfWork, user: User | None = None, *, programme: str | None = None
) -> list[dict]:
    """Progress by province, then district, keyed by the communities' DOPA codes (names in
    Thai and English from cases/register.py); shares are of the area's own households."""
    community_id = policy.community_scope(user)

    def compute():
        rows = uow.repo.area_rows(programme=programme, community_id=community_id)
        counts = uow.repo.area_case_counts(programme=programme, community_id=community_id)
        return _by_area(rows, counts)

    return _cached(uow, ("areas", programme, community_id), compute)


def district_provinces(uow: UnitOfWork) -> dict[str, frozenset[str]]:
    """{district_en: its provinces' DOPA codes} of the communities (a district name may
    stand in several provinces), once per store generation."""
    return _cached(uow, ("district provinces",), lambda: uow.repo.district_provinces())


def _area_item(code: str | None) -> dict:
    from cases.register import dopa_names

    names = dopa_names(code)
    return {
        "code": code or "",
        "name_th": names["th"] or "ไม่ระบุ",
        "name_en": names["en"] or "not given",
        "communities": 0,
        "cases": 0,
        "households": 0,
        "households_agreed": 0,
        **dict.fromkeys(STATUS_COLUMNS, 0),
    }


def _by_area(rows, counts) -> list[dict]:
    provinces: dict[str, dict] = {}

    def district(pcode, dcode):
        p = provinces.setdefault(pcode or "", {**_area_item(pcode), "districts": {}})
        d = p["districts"].setdefault(dcode or "", _area_item(dcode))
        return p, d

    for pcode, dcode, status, agreed, n in rows:
        n = int(n)
        column = "finished" if status == "moved_in" else status
        for item in district(pcode, dcode):
            item["households"] += n
            item["households_agreed"] += n if agreed else 0
            item[column] += n
    for pcode, dcode, communities, cases in counts:
        for item in district(pcode, dcode):
            item["communities"] += int(communities)
            item["cases"] += int(cases)
    out = []
    for p in sorted(provinces.values(), key=lambda a: (not a["code"], a["code"])):
        p["districts"] = sorted(p["districts"].values(), key=lambda a: (not a["code"], a["code"]))
        for item in [p, *p["districts"]]:
            total = item["households"]
            item["shares"] = {
                key: round(100 * item[key] / total, 2) if total else 0.0 for key in STATUS_COLUMNS
            }
        out.append(p)
    return out
