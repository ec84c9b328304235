"""The dashboard cache never serves one instance's tallies to another, also when two
instances share one PostgreSQL database in different schemas (same URL)."""

from __future__ import annotations

from datetime import date

from cases import services
from cases.model import Case, Community
from cases.store import CaseStore
from tests.conftest import DATABASE_URL, _drop_schema, _new_schema


def _one_case(store: CaseStore) -> None:
    with store.uow() as uow:
        uow.repo.add_communities(
            [Community("KPP-T-01", "ชุมชนทดสอบ", "Test community", "Lak Si", "หลักสี่")]
        )
        uow.repo.add_case(
            Case(
                ref="T-01",
                community_id="KPP-T-01",
                case_type="canal_side",
                title_th="ทดสอบ",
                title_en="Test",
                stage="survey",
                stage_entered_on=date(2026, 1, 5),
            ),
            "canal_side",
        )
        uow.commit()


def _touch(store: CaseStore, times: int) -> None:
    with store.uow() as uow:
        for _ in range(times):
            uow.repo.touch()
        uow.commit()


def test_two_instances_in_one_database_keep_their_own_tallies(tmp_path):
    schemas = [_new_schema(), _new_schema()]
    filled = CaseStore(tmp_path / "a", DATABASE_URL, schema=schemas[0])
    empty = CaseStore(tmp_path / "b", DATABASE_URL, schema=schemas[1])
    try:
        _one_case(filled)
        _touch(empty, 2)  # the same store generation as `filled`: only the key tells them apart
        with filled.uow() as a, empty.uow() as b:
            assert a.repo.generation() == b.repo.generation()
        if DATABASE_URL:
            assert str(filled.engine.url) == str(empty.engine.url)
        stalled = services.stalled_cases(filled.uow(), _officer(), today=date(2026, 12, 1))
        assert [row["ref"] for row in stalled] == ["T-01"]
        assert services.stalled_cases(empty.uow(), _officer(), today=date(2026, 12, 1)) == []
    finally:
        filled.dispose()
        empty.dispose()
        for schema in schemas:
            _drop_schema(schema)


def _officer():
    from cases.model import User

    return User(username="officer", role="officer", password_hash="")


def test_a_district_name_in_two_provinces_belongs_to_both(tmp_path):
    """Thai district names repeat across provinces (Chaloem Phra Kiat stands in five):
    the case list's province filter must list such a district under each of them."""
    store = CaseStore(tmp_path / "s", DATABASE_URL, schema=(schema := _new_schema()))
    try:
        with store.uow() as uow:
            uow.repo.add_communities(
                [
                    Community("A", "ก", "A", "Chaloem Phra Kiat", "เฉลิมพระเกียรติ", "", "18"),
                    Community("B", "ข", "B", "Chaloem Phra Kiat", "เฉลิมพระเกียรติ", "", "30"),
                    Community("C", "ค", "C", "Mueang Khon Kaen", "เมืองขอนแก่น", "", "40"),
                ]
            )
            uow.commit()
        assert services.district_provinces(store.uow()) == {
            "Chaloem Phra Kiat": frozenset({"18", "30"}),
            "Mueang Khon Kaen": frozenset({"40"}),
        }
    finally:
        store.dispose()
        _drop_schema(schema)
