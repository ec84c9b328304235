"""In-memory fakes of the case store's repository and unit of work (cosmicpython's
FakeRepository and FakeUnitOfWork), so domain and service tests need no database.

They implement the interface of `cases.repository.Repository` and
`cases.unit_of_work.UnitOfWork` that the services use: versioned updates refuse a stale
version with `StaleVersion`, reads return copies, and nothing is kept unless the unit of
work commits. Household counts and dashboard rows are counted afresh from the
households (the real store keeps tallies; tests/test_cases_domain.py checks those).
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from cases.errors import NotFound, StaleVersion
from cases.model import (
    AuditEntry,
    Breach,
    BudgetLine,
    Case,
    Community,
    ConsentEvent,
    Document,
    Household,
    LayoutDecision,
    LoginSession,
    Plot,
    ReadEntry,
    StageEvent,
    SubjectRequest,
    User,
)
from gis.atomic import write_atomic


class FakeData:
    """What a store holds: one list of records per table, plus case programmes."""

    def __init__(self):
        self.tables: dict[str, dict[int | str, object]] = {
            name: {}
            for name in (
                "communities",
                "cases",
                "households",
                "plots",
                "documents",
                "budget_lines",
                "events",
                "users",
                "sessions",
                "audit",
                "layout_decisions",
                "consent_events",
                "reads",
                "breaches",
                "requests",
            )
        }
        self.programmes: dict[int, str] = {}
        self.generation = 0
        self.last_id = 0
        self.key = uuid.uuid4().hex  # tells the dashboard cache one fake store from another


class FakeRepository:
    """Repository over a FakeData; same methods as cases.repository.Repository."""

    def __init__(self, data: FakeData):
        self.data = data
        self.t = data.tables

    # -- helpers ---------------------------------------------------------------
    def _add(self, table: str, obj):
        self.data.last_id += 1
        obj.id = self.data.last_id
        self.t[table][obj.id] = copy.deepcopy(obj)
        return obj

    def _get(self, table: str, key, what_en: str, what_th: str):
        if key not in self.t[table]:
            raise NotFound(f"no {what_en} {key}", f"ไม่มี{what_th} {key}")
        return copy.deepcopy(self.t[table][key])

    def _update_versioned(self, table: str, obj, expected_version: int, label: str) -> None:
        current = self.t[table].get(obj.id)
        if current is None:
            raise NotFound(f"no {label} {obj.id}", f"ไม่มี {obj.id}")
        if current.version != expected_version:
            raise StaleVersion(
                f"{label} {obj.id} was changed by someone else (version {current.version}, "
                f"you had {expected_version}); reload and try again",
                f"มีผู้อื่นแก้ไขแล้ว (ฉบับที่ {current.version})",
                current_version=current.version,
            )
        obj.version = expected_version + 1
        self.t[table][obj.id] = copy.deepcopy(obj)
        self.touch()

    def _of_case(self, table: str, case_id: int, key=lambda r: r.id) -> list:
        rows = [copy.deepcopy(r) for r in self.t[table].values() if r.case_id == case_id]
        return sorted(rows, key=key)

    # -- generations and tallies ------------------------------------------------
    def touch(self) -> None:
        self.data.generation += 1

    def generation(self) -> int:
        return self.data.generation

    def check_tallies(self) -> list[tuple]:
        return []  # counted afresh on every read: always in step

    # -- communities -------------------------------------------------------------
    def add_communities(self, items: list[Community]) -> None:
        for c in items:
            self.t["communities"][c.id] = copy.deepcopy(c)
        self.touch()

    def get_community(self, community_id: str) -> Community:
        return self._get("communities", community_id, "community", "ชุมชน")

    def list_communities(self) -> list[Community]:
        return [copy.deepcopy(c) for _, c in sorted(self.t["communities"].items())]

    # -- cases -------------------------------------------------------------------
    def add_case(self, case: Case, programme: str) -> Case:
        self._add("cases", case)
        self.data.programmes[case.id] = programme
        self.touch()
        return case

    def add_cases(self, items: list[tuple[Case, str]]) -> None:
        for case, programme in items:
            self.add_case(replace(case), programme)

    def get_case(self, case_id: int) -> Case:
        return self._get("cases", case_id, "case", "กรณีหมายเลข")

    def get_case_by_ref(self, ref: str) -> Case:
        for case in self.t["cases"].values():
            if case.ref == ref:
                return copy.deepcopy(case)
        raise NotFound(f"no case {ref!r}", f"ไม่มีกรณี {ref!r}")

    def update_case(self, case: Case, expected_version: int) -> None:
        self._update_versioned("cases", case, expected_version, "case")

    def _case_row(self, case: Case) -> dict:
        community = self.t["communities"][case.community_id]
        return {
            "id": case.id,
            "ref": case.ref,
            "case_type": case.case_type,
            "programme": self.data.programmes[case.id],
            "variant": case.variant,
            "title_th": case.title_th,
            "title_en": case.title_en,
            "stage": case.stage,
            "stage_entered_on": case.stage_entered_on,
            "hold_reason": case.hold_reason,
            "version": case.version,
            "community_id": case.community_id,
            "community_th": community.name_th,
            "community_en": community.name_en,
            "district_en": community.district_en,
            "district_th": community.district_th,
        }

    def list_cases(
        self,
        *,
        programme=None,
        district=None,
        stage=None,
        community_id=None,
        search=None,
        stalled_before=None,
        province=None,
        limit=None,
        offset: int = 0,
    ) -> tuple[list[dict], int]:
        rows = [self._case_row(c) for c in self.t["cases"].values()]
        communities = self.t["communities"]

        def matches(r: dict) -> bool:
            text = " ".join(
                str(r[k]) for k in ("ref", "title_en", "title_th", "community_th", "community_en")
            )
            return (
                (not programme or r["programme"] == programme)
                and (not district or r["district_en"] == district)
                and (not province or communities[r["community_id"]].province_code == province)
                and (not stage or r["stage"] == stage)
                and (not community_id or r["community_id"] == community_id)
                and (stalled_before is None or _entered_before(r, stalled_before))
                and (not search or search.lower() in text.lower())
            )

        rows = sorted((r for r in rows if matches(r)), key=lambda r: r["ref"])
        end = None if limit is None else offset + limit
        return rows[offset:end], len(rows)

    def household_counts(self, case_ids: list[int]) -> dict[int, dict[str, int]]:
        counts: dict[int, dict[str, int]] = {}
        for h in self.t["households"].values():
            if h.case_id in case_ids:
                item = counts.setdefault(h.case_id, {"households": 0, "agreed": 0})
                item["households"] += 1
                item["agreed"] += bool(h.agreed_to_move)
                item[h.house_status] = item.get(h.house_status, 0) + 1
        return counts

    # -- households --------------------------------------------------------------
    def add_household(self, household: Household) -> Household:
        self.touch()
        return self._add("households", household)

    def add_households(self, items: list[Household]) -> None:
        for h in items:
            self.add_household(replace(h))

    def get_household(self, household_id: int) -> Household:
        return self._get("households", household_id, "household", "ครัวเรือนหมายเลข")

    def update_household(self, household: Household, expected_version: int) -> None:
        self._update_versioned("households", household, expected_version, "household")

    def list_households(self, case_id: int) -> list[Household]:
        return self._of_case("households", case_id, key=lambda h: h.household_no)

    def next_household_no(self, case_id: int) -> int:
        return max((h.household_no for h in self.list_households(case_id)), default=0) + 1

    # -- plots -------------------------------------------------------------------
    def add_plot(self, plot: Plot) -> Plot:
        return self._add("plots", plot)

    def get_plot(self, plot_id: int) -> Plot:
        return self._get("plots", plot_id, "plot", "แปลงหมายเลข")

    def update_plot(self, plot: Plot, expected_version: int) -> None:
        self._update_versioned("plots", plot, expected_version, "plot")

    def delete_plot(self, plot_id: int) -> None:
        self.t["plots"].pop(plot_id, None)

    def list_plots(self, case_id: int) -> list[Plot]:
        return self._of_case("plots", case_id, key=lambda p: p.plot_no)

    def add_plots(self, items: list[Plot]) -> None:
        for p in items:
            self._add("plots", replace(p))

    def delete_plots_of_case(self, case_id: int) -> None:
        for plot in self.list_plots(case_id):
            self.delete_plot(plot.id)

    # -- layout decisions --------------------------------------------------------
    def add_layout_decision(self, decision: LayoutDecision) -> LayoutDecision:
        return self._add("layout_decisions", decision)

    def list_layout_decisions(self, case_id: int) -> list[LayoutDecision]:
        return self._of_case("layout_decisions", case_id, key=lambda d: -d.id)

    # -- documents ---------------------------------------------------------------
    def add_document(self, document: Document) -> Document:
        return self._add("documents", document)

    def get_document(self, document_id: int) -> Document:
        return self._get("documents", document_id, "document", "เอกสารหมายเลข")

    def list_documents(self, case_id: int) -> list[Document]:
        return self._of_case("documents", case_id)

    def link_documents(self, document_ids: list[int], stage_event_id: int) -> None:
        for i in document_ids:
            self.t["documents"][i].stage_event_id = stage_event_id

    # -- budget ------------------------------------------------------------------
    def add_budget_line(self, line: BudgetLine) -> BudgetLine:
        if any(b.kind == line.kind for b in self.list_budget_lines(line.case_id)):
            raise StaleVersion("someone else saved the same record at the same moment")
        return self._add("budget_lines", line)

    def get_budget_line(self, line_id: int) -> BudgetLine:
        return self._get("budget_lines", line_id, "budget line", "รายการงบประมาณ")

    def update_budget_line(self, line: BudgetLine, expected_version: int) -> None:
        self._update_versioned("budget_lines", line, expected_version, "budget line")

    def list_budget_lines(self, case_id: int) -> list[BudgetLine]:
        return self._of_case("budget_lines", case_id)

    # -- stage events ------------------------------------------------------------
    def add_event(self, event: StageEvent) -> StageEvent:
        return self._add("events", event)

    def add_events(self, items: list[StageEvent]) -> None:
        for e in items:
            self._add("events", replace(e))

    def list_events(self, case_id: int) -> list[StageEvent]:
        return self._of_case("events", case_id, key=lambda e: (e.on, e.id))

    # -- users and login sessions ------------------------------------------------
    def add_user(self, user: User) -> User:
        return self._add("users", user)

    def get_user(self, username: str) -> User | None:
        found = [u for u in self.t["users"].values() if u.username == username]
        return copy.deepcopy(found[0]) if found else None

    def list_users(self) -> list[User]:
        return sorted(
            (copy.deepcopy(u) for u in self.t["users"].values()), key=lambda u: u.username
        )

    def update_user(self, user: User) -> None:
        self.t["users"][user.id] = copy.deepcopy(user)

    def add_session(self, login: LoginSession) -> LoginSession:
        return self._add("sessions", login)

    def get_session(self, token_hash: str) -> tuple[LoginSession, User] | None:
        for login in self.t["sessions"].values():
            if login.token_hash == token_hash:
                return copy.deepcopy(login), copy.deepcopy(self.t["users"][login.user_id])
        return None

    def touch_session(self, session_id: int, at) -> None:
        self.t["sessions"][session_id].last_seen_at = at

    def end_session(self, session_id: int, at) -> None:
        login = self.t["sessions"][session_id]
        login.ended_at = login.ended_at or at

    def end_sessions_of(self, user_id: int, at) -> int:
        open_ = [s for s in self.t["sessions"].values() if s.user_id == user_id and not s.ended_at]
        for login in open_:
            login.ended_at = at
        return len(open_)

    def delete_sessions_before(self, before) -> None:
        for key in [k for k, s in self.t["sessions"].items() if s.created_at < before]:
            del self.t["sessions"][key]

    # -- audit -------------------------------------------------------------------
    def add_audit(self, entry: AuditEntry) -> None:
        self._add("audit", entry)

    def list_audit(self, *, entity=None, entity_id=None, limit: int = 200):
        rows = [
            copy.deepcopy(a)
            for a in self.t["audit"].values()
            if (not entity or a.entity == entity)
            and (entity_id is None or a.entity_id == str(entity_id))
        ]
        return sorted(rows, key=lambda a: -a.id)[:limit]

    # -- PDPA: consent ledger, read log, breach register ----------------------------
    def add_consent_event(self, event: ConsentEvent) -> ConsentEvent:
        return self._add("consent_events", event)

    def list_consent_events(self, household_id: int) -> list[ConsentEvent]:
        rows = [
            copy.deepcopy(e)
            for e in self.t["consent_events"].values()
            if e.household_id == household_id
        ]
        return sorted(rows, key=lambda e: (e.on, e.id))

    def add_reads(self, entries: list[ReadEntry]) -> None:
        for entry in entries:
            self._add("reads", replace(entry))

    def list_reads(self, *, household_id=None, username=None, limit: int = 200):
        rows = [
            copy.deepcopy(r)
            for r in self.t["reads"].values()
            if (household_id is None or r.household_id == household_id)
            and (username is None or r.username == username)
        ]
        return sorted(rows, key=lambda r: -r.id)[:limit]

    def add_breach(self, breach: Breach) -> Breach:
        return self._add("breaches", breach)

    def get_breach(self, breach_id: int) -> Breach:
        return self._get("breaches", breach_id, "breach", "เหตุละเมิดหมายเลข")

    def update_breach(self, breach: Breach) -> None:
        self.t["breaches"][breach.id] = copy.deepcopy(breach)

    def list_breaches(self) -> list[Breach]:
        rows = [copy.deepcopy(b) for b in self.t["breaches"].values()]
        return sorted(rows, key=lambda b: (b.detected_at, b.id), reverse=True)

    def add_request(self, item: SubjectRequest) -> SubjectRequest:
        return self._add("requests", item)

    def get_request(self, request_id: int) -> SubjectRequest:
        return self._get("requests", request_id, "request", "คำขอหมายเลข")

    def update_request(self, item: SubjectRequest) -> None:
        self.t["requests"][item.id] = copy.deepcopy(item)

    def list_requests(self, *, household_id: int | None = None) -> list[SubjectRequest]:
        rows = [
            copy.deepcopy(r)
            for r in self.t["requests"].values()
            if household_id is None or r.household_id == household_id
        ]
        return sorted(rows, key=lambda r: (r.received_on, r.id), reverse=True)

    # -- dashboard aggregates ------------------------------------------------------
    def _households_with_place(self, community_id=None, programme=None):
        for h in self.t["households"].values():
            case = self.t["cases"][h.case_id]
            place = self.t["communities"][case.community_id]
            prog = self.data.programmes[case.id]
            if (community_id is None or case.community_id == community_id) and (
                not programme or prog == programme
            ):
                yield h, place, prog

    def progress_rows(self, *, programme=None, community_id=None):
        counts: dict[tuple, int] = {}
        for h, place, prog in self._households_with_place(community_id, programme):
            key = (
                place.district_en,
                place.district_th,
                prog,
                h.house_status,
                bool(h.agreed_to_move),
            )
            counts[key] = counts.get(key, 0) + 1
        return [(*key, n) for key, n in counts.items()]

    def case_stage_rows(self, *, community_id=None, entered_before=None):
        out = []
        for case in self.t["cases"].values():
            if community_id and case.community_id != community_id:
                continue
            row = self._case_row(case)
            if entered_before is not None and not _entered_before(row, entered_before):
                continue
            out.append({k: row[k] for k in _STAGE_ROW_KEYS})
        return out

    def finished_by_month(self, *, programme=None) -> list[tuple[str, int]]:
        return self._finished_months(None, programme)

    def finished_by_month_for_community(self, community_id: str, *, programme=None):
        return self._finished_months(community_id, programme)

    def _finished_months(self, community_id, programme) -> list[tuple[str, int]]:
        months: dict[str, int] = {}
        for h, _, _ in self._households_with_place(community_id, programme):
            if h.finished_on:
                key = h.finished_on.strftime("%Y-%m")
                months[key] = months.get(key, 0) + 1
        return sorted(months.items())


_STAGE_ROW_KEYS = (
    "id",
    "ref",
    "case_type",
    "programme",
    "stage",
    "stage_entered_on",
    "hold_reason",
    "title_th",
    "title_en",
    "district_en",
    "district_th",
)


class FakeUnitOfWork:
    """One transaction over a FakeData: the repository works on a copy, which replaces
    the data on commit; leaving without a commit forgets it (like a rollback)."""

    def __init__(self, data: FakeData, documents_dir: str | Path):
        self.data = data
        self.documents_dir = Path(documents_dir)
        self.write_file = write_atomic  # real files, written as the app writes them
        # The dashboard cache keys entries by the store's engine URL and schema.
        self.engine = SimpleNamespace(
            url=f"fake://{data.key}", dialect=SimpleNamespace(default_schema_name=None)
        )
        self.committed = False

    def __enter__(self) -> FakeUnitOfWork:
        self._working = copy.deepcopy(self.data)
        self.repo = FakeRepository(self._working)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._working = None

    def commit(self) -> None:
        self.data.__dict__.update(copy.deepcopy(self._working).__dict__)
        self.committed = True

    def rollback(self) -> None:
        self._working = copy.deepcopy(self.data)
        self.repo = FakeRepository(self._working)


class FakeCaseStore:
    """A case store in memory (its documents in a folder): `uow()` as CaseStore has."""

    def __init__(self, documents_dir: str | Path):
        self.data = FakeData()
        self.documents_dir = Path(documents_dir)

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.data, self.documents_dir)


def _entered_before(row: dict, entered_before: dict) -> bool:
    before = entered_before.get((row["case_type"], row["stage"]))
    return bool(before and row["stage_entered_on"] < before)
