"""Stage moves and their requirements, over the in-memory store."""

import hashlib
import re
from datetime import timedelta

import pytest
from world import OFFICER, REP, TODAY, case_by_ref

from cases import services
from cases.errors import Forbidden, InvalidInput, StaleVersion, TransitionRefused

DEMOLITION = {
    "kind": "demolition_record",
    "filename": "บันทึก.pdf",
    "content_type": "application/pdf",
    "data": b"%PDF-1.4 sample",
}


def _move(store, ref, to_stage, **kwargs):
    case = case_by_ref(store, ref)
    kwargs.setdefault("expected_version", case.version)
    kwargs.setdefault("on", TODAY)
    return services.move_stage(
        store.uow(), kwargs.pop("user", OFFICER), case.id, to_stage, **kwargs
    )


def test_refused_move_names_the_missing_requirement_and_changes_nothing(store):
    case = case_by_ref(store, "KPP-CC-05")  # in treasury_lease: next is temporary housing
    with pytest.raises(TransitionRefused) as exc:
        _move(store, "KPP-CC-05", "temporary_housing")
    assert exc.value.status == 422
    assert "Demolition record" in exc.value.message_en
    assert "บันทึกการรื้อถอน" in exc.value.message_th
    assert exc.value.details["missing"][0]["code"] == "demolition_record"
    after = case_by_ref(store, "KPP-CC-05")
    assert (after.stage, after.version, after.stage_entered_on) == (
        case.stage,
        case.version,
        case.stage_entered_on,
    )
    with store.uow() as uow:
        assert not any(d.kind == "demolition_record" for d in uow.repo.list_documents(case.id))


def test_a_move_needs_agreed_households_and_the_agreement(store):
    with pytest.raises(TransitionRefused) as exc:
        _move(store, "KPP-LS-03", "agreement_to_move")
    codes = {m["code"] for m in exc.value.details["missing"]}
    assert "agreement" in codes and len(codes) == 2


def test_skipping_stages_is_refused(store):
    with pytest.raises(TransitionRefused, match="move not allowed"):
        _move(store, "KPP-CC-05", "completed")


def test_an_illegal_move_names_each_stage_once_in_thai_and_english(store):
    with pytest.raises(TransitionRefused) as exc:
        _move(store, "KPP-CC-05", "completed")
    th, en = exc.value.message_th, exc.value.message_en
    assert th.startswith("ย้ายจากขั้นตอน '") and th.endswith("' โดยตรงไม่ได้")
    assert en.startswith("move not allowed: from '")
    for text in (th, en):
        stages = re.findall(r"'([^']+)'", text)
        assert len(stages) == 2 and len(set(stages)) == 2, text
        for stage in stages:
            assert text.count(stage) == 1, text  # no "ไปขั้นตอน X ไม่ได้: ... → X"
    assert exc.value.details["missing"][0]["kind"] == "transition"


def test_a_move_needing_agreed_households_says_so_once():
    from cases.workflow import Requirement

    need = Requirement("households_agreed", "households_agreed", {"th": "x", "en": "x"})
    assert need.message("th") == "ต้องมีครัวเรือนที่ยินยอมย้ายอย่างน้อยหนึ่งครัวเรือน"
    assert need.message("en") == "needs at least one household agreed to move"


def test_move_with_its_document_is_recorded(store):
    case = case_by_ref(store, "KPP-CC-05")
    event = _move(
        store, "KPP-CC-05", "temporary_housing", note="รื้อถอนแล้ว", new_documents=[DEMOLITION]
    )
    after = case_by_ref(store, "KPP-CC-05")
    assert (after.stage, after.version, after.stage_entered_on) == (
        "temporary_housing",
        case.version + 1,
        TODAY,
    )
    assert after.hold_reason is None  # a move releases a case on hold
    with store.uow() as uow:
        last = uow.repo.list_events(case.id)[-1]
        documents = uow.repo.list_documents(case.id)
        audit = uow.repo.list_audit(entity="case", entity_id=case.id)
    assert (last.to_stage, last.by, last.note, last.on) == (
        "temporary_housing",
        "officer",
        "รื้อถอนแล้ว",
        TODAY,
    )
    assert last.document_ids == event.document_ids and len(last.document_ids) == 1
    doc = next(d for d in documents if d.id == last.document_ids[0])
    assert (doc.kind, doc.size, doc.stage_event_id) == ("demolition_record", 15, last.id)
    assert doc.sha256 == hashlib.sha256(DEMOLITION["data"]).hexdigest()
    assert (store.documents_dir / doc.sha256[:2] / doc.sha256).read_bytes() == DEMOLITION["data"]
    assert audit[0].action == "move_stage"
    assert (audit[0].before["stage"], audit[0].after["stage"]) == (
        "treasury_lease",
        "temporary_housing",
    )


def test_refused_move_writes_no_file(store):
    photo = {"kind": "photo", "filename": "p.jpg", "data": b"personal photo"}
    with pytest.raises(TransitionRefused):
        _move(store, "KPP-CC-05", "temporary_housing", new_documents=[photo])
    assert not [p for p in store.documents_dir.rglob("*") if p.is_file()]


def test_moves_cannot_be_dated_in_the_future(store):
    future = services.today_in_thailand() + timedelta(days=2)
    with pytest.raises(InvalidInput, match="future"):
        _move(store, "KPP-CC-05", "temporary_housing", on=future, new_documents=[DEMOLITION])


def test_representatives_propose_and_officers_move(store):
    with pytest.raises(Forbidden, match="officers move stages"):
        _move(store, "KPP-CC-01", "moving_in", user=REP)


def test_a_second_officer_making_the_same_move_is_told_409(store):
    case = case_by_ref(store, "KPP-CC-05")
    _move(store, "KPP-CC-05", "temporary_housing", new_documents=[DEMOLITION])
    with pytest.raises(StaleVersion) as exc:
        _move(store, "KPP-CC-05", "temporary_housing", expected_version=case.version)
    assert exc.value.status == 409 and exc.value.details["current_version"] == case.version + 1


@pytest.mark.parametrize("version", ["", "abc", 0, -1, 2**31])
def test_a_move_needs_the_version_it_was_read_at(store, version):
    with pytest.raises(InvalidInput, match="version"):
        _move(store, "KPP-CC-05", "temporary_housing", expected_version=version)
