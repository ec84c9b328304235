"""A small world for the unit tier, in memory (tests/fakes.py): three communities on the
canal, a case in each, households and documents; and the users who act on it.
No database, no sample store."""

from __future__ import annotations

from datetime import date, datetime

from fakes import FakeCaseStore

from cases.model import Case, Community, Document, Household, User

OFFICER = User(username="officer", role="officer")
ADMIN = User(username="admin", role="admin")
VIEWER = User(username="viewer", role="viewer")
REP = User(username="rep.cc01", role="community_rep", community_id="KPP-CC-01")
TODAY = date(2026, 11, 25)

COMMUNITIES = [
    Community("KPP-CC-01", "ชุมชนหนึ่ง", "Community One", "Chatuchak", "จตุจักร"),
    Community("KPP-CC-05", "ชุมชนห้า", "Community Five", "Chatuchak", "จตุจักร"),
    Community("KPP-LS-03", "ชุมชนสาม", "Community Three", "Lak Si", "หลักสี่"),
]


def _case(ref: str, stage: str, entered: date, **extra) -> Case:
    return Case(
        ref=ref,
        community_id=ref,
        case_type="canal_side",
        title_th=f"กรณี {ref}",
        title_en=f"Case {ref}",
        stage=stage,
        stage_entered_on=entered,
        created_on=date(2019, 4, 9),
        **extra,
    )


def _document(case_id: int, kind: str) -> Document:
    return Document(
        case_id=case_id,
        kind=kind,
        filename=f"{kind}.pdf",
        content_type="application/pdf",
        size=3,
        sha256="0" * 64,
        uploaded_by="officer",
        uploaded_at=datetime(2020, 1, 1),
    )


def new_store(tmp_path) -> FakeCaseStore:
    """KPP-CC-01 building (5 households, 3 finished); KPP-CC-05 long in its treasury lease,
    on hold for a land dispute; KPP-LS-03 just surveyed (3 households, none agreed)."""
    store = FakeCaseStore(tmp_path / "documents")
    with store.uow() as uow:
        repo = uow.repo
        repo.add_communities(COMMUNITIES)
        cc01 = repo.add_case(_case("KPP-CC-01", "construction", date(2025, 6, 1)), "canal_side")
        cc05 = repo.add_case(
            _case("KPP-CC-05", "treasury_lease", date(2024, 1, 10), hold_reason="land_dispute"),
            "canal_side",
        )
        ls03 = repo.add_case(_case("KPP-LS-03", "survey", date(2026, 10, 1)), "canal_side")
        statuses = ["finished", "finished", "moved_in", "under_construction", "not_started"]
        for no, status in enumerate(statuses, start=1):
            finished = date(2021, no, 15) if status in ("finished", "moved_in") else None
            repo.add_household(
                Household(
                    case_id=cc01.id,
                    household_no=no,
                    head_name=f"หัวหน้า {no}",
                    agreed_to_move=no < 5,
                    house_status=status,
                    finished_on=finished,
                )
            )
        for no in (1, 2, 3):
            repo.add_household(Household(case_id=ls03.id, household_no=no, tenure="renting"))
        for kind in ("agreement", "approval", "layout_plan"):
            repo.add_document(_document(cc01.id, kind))
        repo.add_document(_document(cc05.id, "lease_contract"))
        uow.commit()
    return store


def case_by_ref(store, ref: str) -> Case:
    with store.uow() as uow:
        return uow.repo.get_case_by_ref(ref)
