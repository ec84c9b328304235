"""The case store's integration tests, on the embedded store and on PostGIS: what the
repository and the database do (versioned updates, tallies, migrations, unique records,
geometry columns, the sample's published figures).

The domain and service rules run in the unit tier, over in-memory fakes (tests/unit/):
  stage moves and their requirements (refused move, skipped stages, a refused move
  writes no file, no future dates): tests/unit/test_stage_moves.py;
  drawn sites and bad site geometry, hold reasons, stalled cases, the workflow file:
  tests/unit/test_case_rules.py;
  household edits, versioned and audited; progress and finished-over-time:
  tests/unit/test_households_and_dashboard.py;
  roles, and viewers who cannot open documents about households:
  tests/unit/test_permissions.py;
  budget lines and the published rates: tests/unit/test_budget_lines.py;
  users and passwords, login sessions: tests/unit/test_users_and_sessions.py;
  layout decisions: tests/unit/test_layouts.py.
"""

from datetime import date

import pytest
import sqlalchemy as sa

from cases import orm, services
from cases.errors import StaleVersion
from cases.model import User
from cases.sample import build_sample_cases
from cases.store import CaseStore
from cases.workflow import default_workflows

OFFICER = User(username="officer", role="officer")
TODAY = date(2026, 11, 25)
PUBLISHED = {
    "Chatuchak": (621, 356, 133, 0),
    "Lak Si": (2248, 88, 71, 7),
    "Don Mueang": (2542, 0, 120, 14),
    "Lak Hok": (929, 190, 28, 0),
}


@pytest.fixture
def store(sample_cases_store):
    return sample_cases_store


@pytest.fixture(scope="module")
def shared(sample_config):
    store = CaseStore(
        sample_config["PLANNER_HOME"],
        sample_config["DATABASE_URL"],
        schema=sample_config["DATABASE_SCHEMA"],
    )
    yield store
    store.dispose()


def _case(store, ref):
    with store.uow() as uow:
        return uow.repo.get_case_by_ref(ref)


def test_progress_reproduces_the_published_table(shared):
    table = services.progress(shared.uow())
    rows = {r["district_en"]: r for r in table["districts"]}
    assert list(rows) == ["Chatuchak", "Lak Si", "Don Mueang", "Lak Hok"]
    for district, (agreed, finished, building, ready) in PUBLISHED.items():
        row = rows[district]
        assert (
            row["households_agreed"],
            row["finished"],
            row["under_construction"],
            row["ready_to_build"],
        ) == (agreed, finished, building, ready)
    total = table["total"]
    assert (total["households"], total["households_agreed"]) == (6386, 6340)
    assert (total["finished"], total["under_construction"], total["ready_to_build"]) == (
        634,
        352,
        21,
    )
    assert total["shares"] == {
        "finished": 9.93,
        "under_construction": 5.51,
        "ready_to_build": 0.33,
        "not_started": 84.23,
    }


def test_history_follows_the_published_timeline(shared):
    with shared.uow() as uow:
        rows, total = uow.repo.list_cases()
        approvals = [
            e.on for r in rows for e in uow.repo.list_events(r["id"]) if e.to_stage == "approval"
        ]
    assert total == 38
    assert approvals and min(approvals) >= date(2019, 4, 9)
    assert min(approvals) < date(2019, 6, 1)
    months = services.finished_over_time(shared.uow())
    assert months[0]["month"].startswith("2020")
    assert months[-1]["cumulative"] == 634
    assert [m["cumulative"] for m in months] == sorted(m["cumulative"] for m in months)


def test_stalled_cases_carry_their_hold_reason(shared):
    stalled = services.stalled_cases(shared.uow(), OFFICER, today=TODAY)
    assert 0 < len(stalled) < 38
    assert all(s["days_in_stage"] > s["stall_days"] for s in stalled)
    reasons = {s["hold_reason"] for s in stalled} - {None}
    assert {"land_dispute", "budget_delayed"} <= reasons
    assert reasons <= set(default_workflows().hold_reasons)


def test_move_with_its_document_is_recorded(store):
    case = _case(store, "KPP-CC-05")
    event = services.move_stage(
        store.uow(),
        OFFICER,
        case.id,
        "temporary_housing",
        expected_version=case.version,
        on=TODAY,
        note="รื้อถอนแล้ว 12 หลัง",
        new_documents=[
            {
                "kind": "demolition_record",
                "filename": "บันทึก.pdf",
                "content_type": "application/pdf",
                "data": b"%PDF-1.4 sample",
            }
        ],
    )
    after = _case(store, "KPP-CC-05")
    assert (after.stage, after.version, after.stage_entered_on) == (
        "temporary_housing",
        case.version + 1,
        TODAY,
    )
    with store.uow() as uow:
        events = uow.repo.list_events(case.id)
        documents = uow.repo.list_documents(case.id)
        audit = uow.repo.list_audit(entity="case", entity_id=case.id)
    last = events[-1]
    assert (last.to_stage, last.by, last.note, last.on) == (
        "temporary_housing",
        "officer",
        "รื้อถอนแล้ว 12 หลัง",
        TODAY,
    )
    assert last.document_ids == event.document_ids and len(last.document_ids) == 1
    doc = next(d for d in documents if d.id == last.document_ids[0])
    assert (doc.kind, doc.size, doc.stage_event_id) == ("demolition_record", 15, last.id)
    import hashlib

    assert doc.sha256 == hashlib.sha256(b"%PDF-1.4 sample").hexdigest()
    assert (store.documents_dir / doc.sha256[:2] / doc.sha256).read_bytes() == b"%PDF-1.4 sample"
    assert audit[0].action == "move_stage"
    assert (
        audit[0].before["stage"] == "treasury_lease"
        and audit[0].after["stage"] == "temporary_housing"
    )


def test_stale_update_is_refused_and_no_change_is_lost(store):
    case = _case(store, "KPP-LS-03")
    services.update_case(store.uow(), OFFICER, case.id, {"note": "first"}, case.version)
    with pytest.raises(StaleVersion) as exc:
        services.update_case(store.uow(), OFFICER, case.id, {"note": "second"}, case.version)
    assert exc.value.status == 409
    after = _case(store, "KPP-LS-03")
    assert (after.note, after.version) == ("first", case.version + 1)


GOOD_SITE = {
    "type": "Polygon",
    "coordinates": [
        [[100.57, 13.88], [100.571, 13.88], [100.571, 13.881], [100.57, 13.881], [100.57, 13.88]]
    ],
}


def test_new_case_from_a_drawn_site(store):
    case = services.create_case(
        store.uow(),
        OFFICER,
        community_id="KPP-LS-03",
        case_type="disaster",
        variant="fire",
        title_th="บ้านหลังไฟไหม้",
        site_geojson=GOOD_SITE,
        on=TODAY,
    )
    assert case.stage == "damage_assessment" and case.site.area == pytest.approx(12_000, rel=0.05)
    back = services.geometry_to_geojson(_case(store, case.ref).site)
    assert back["coordinates"][0][0] == pytest.approx((100.57, 13.88))


def test_migrations_match_the_tables(store):
    """Alembic's history builds exactly the schema the code uses."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from cases.orm import metadata

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert version == "0009"  # the head: 0009_jobs
    # Tables that are not ours (PostGIS's spatial_ref_sys) do not count; GiST indexes are
    # created by the migration only, on PostgreSQL.
    ours = [
        d
        for d in diff
        if not (
            isinstance(d, tuple) and d[0] == "remove_table" and d[1].name not in metadata.tables
        )
        and not (isinstance(d, tuple) and d[0] == "remove_index" and d[1].name.startswith("gix_"))
    ]
    assert ours == []


def test_dashboard_tallies_stay_in_step_with_households(store):
    case = _case(store, "KPP-LS-03")
    households = services.list_households(store.uow(), OFFICER, case.id)
    services.update_household(
        store.uow(),
        OFFICER,
        households[0].id,
        {"house_status": "finished", "agreed_to_move": True},
        households[0].version,
    )
    services.update_household(
        store.uow(), OFFICER, households[1].id, {"agreed_to_move": False}, households[1].version
    )
    services.add_household(
        store.uow(), OFFICER, case.id, {"head_name": "ครัวเรือนใหม่", "tenure": "renting"}
    )
    with store.uow() as uow:
        assert uow.repo.check_tallies() == []
    after = services.progress(store.uow())["total"]
    assert (after["households"], after["finished"]) == (6387, 635)


def test_migration_0002_counts_existing_households(store_config, tmp_path, sample_layers):
    """Upgrade a store holding data at revision 0001: the tallies are filled from it."""
    from cases.db import case_store_url, make_engine, migrate
    from cases.unit_of_work import UnitOfWork

    engine = make_engine(
        case_store_url(tmp_path, store_config["DATABASE_URL"]),
        schema=store_config["DATABASE_SCHEMA"],
    )
    migrate(engine, "0001")
    plan = build_sample_cases(sample_layers)
    with engine.begin() as conn:
        # Plain inserts of the columns 0001 has: today's repository writes more.
        inspector = sa.inspect(conn)
        known = {
            t: {c["name"] for c in inspector.get_columns(t)} for t in ("communities", "households")
        }
        conn.execute(
            orm.communities.insert(),
            [
                {k: v for k, v in vars(c).items() if k in known["communities"]}
                for c in plan["communities"]
            ],
        )
        ids = {}
        for i, case in enumerate(plan["cases"], start=1):
            row = {k: v for k, v in vars(case).items() if k != "id"}
            conn.execute(orm.cases.insert().values(id=i, programme="canal_side", **row))
            ids[case.community_id] = i
        rows = []
        for community_id, household in plan["households"]:
            household.case_id = ids[community_id]
            rows.append(household)
        conn.execute(
            orm.households.insert(),
            [{k: v for k, v in vars(h).items() if k in known["households"] - {"id"}} for h in rows],
        )
    migrate(engine, "head")
    uow = UnitOfWork(engine, tmp_path / "documents")
    with uow:
        assert uow.repo.check_tallies() == []
    assert services.progress(uow)["total"]["finished"] == 634


def test_a_race_on_a_unique_record_is_a_conflict_not_a_crash(store):
    from cases.model import BudgetLine

    case = _case(store, "KPP-LS-03")
    with pytest.raises(StaleVersion, match="same moment"), store.uow() as uow:
        uow.repo.add_budget_line(BudgetLine(case_id=case.id, kind="land_loan"))
        uow.repo.add_budget_line(BudgetLine(case_id=case.id, kind="land_loan"))
    with store.uow() as uow:
        assert not [b for b in uow.repo.list_budget_lines(case.id) if b.kind == "land_loan"]
