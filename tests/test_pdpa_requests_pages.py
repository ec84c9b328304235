"""PDPA requests of the family on the household page (issue 14 item 4), on both stores:
an officer erases (s33), objects to or restricts (s32, s34) and lifts, from the page;
community representatives and viewers never see the section and get 403 on its routes;
a refusal (no reason, no tick, an edit while held back) is shown in words and changes
nothing; the case page, the households API and the subject-access export show the state.
"""

from __future__ import annotations

import pytest

from app import create_app
from app.application.words import words
from cases import services
from cases.model import User
from tests.conftest import AuthActions
from tests.test_pdpa_access import _flat, _pdf_text

OFFICER = User(username="officer", role="officer")
ADMIN = User(username="admin", role="admin")
CASE = "KPP-CC-01"  # rep.cc01's community
HEAD = "นางทดสอบ ลบได้"
REASON = "คำขอเลขที่ 12/2569"


@pytest.fixture
def store(sample_cases_store):
    return sample_cases_store


@pytest.fixture
def household(store):
    with store.uow() as uow:
        case = uow.repo.get_case_by_ref(CASE)
    hh = services.list_households(store.uow(), OFFICER, case.id)[0]
    services.update_household(store.uow(), OFFICER, hh.id, {"head_name": HEAD}, hh.version)
    return services.get_household(store.uow(), OFFICER, hh.id)


@pytest.fixture
def web(store, store_config):
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **store_config})


def _client(app, username):
    client = app.test_client()
    assert AuthActions(client).login(username).status_code == 302
    return client


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_only_officers_see_the_section_and_post(web, store, household):
    officer, rep, viewer = (_client(web, u) for u in ("officer", "rep.cc01", "viewer"))
    page = _html(officer.get(f"/cases/households/{household.id}"))
    assert 'id="pdpa-requests"' in page and 'id="erase-form"' in page
    assert 'id="restrict-form"' in page
    assert "ลบข้อมูลส่วนบุคคล (มาตรา 33)" in page  # labelled in Thai first
    rep_page = rep.get(f"/cases/households/{household.id}")
    assert rep_page.status_code == 200 and 'id="pdpa-requests"' not in _html(rep_page)
    base = f"/cases/households/{household.id}"
    form = {"reason": REASON, "confirm": "yes", "kind": "objection"}
    for client in (rep, viewer):
        for action in ("erase", "restrict", "lift"):
            assert client.post(f"{base}/{action}", data=form).status_code == 403, action
    now = services.get_household(store.uow(), OFFICER, household.id)
    assert now.erased_at is None and now.restriction is None and now.head_name == HEAD


def test_officer_erases_from_the_page(web, store, household, store_config):
    officer = _client(web, "officer")
    base = f"/cases/households/{household.id}"
    # Refusals: no reason, no tick; shown in words (both languages), nothing erased.
    got = officer.post(
        f"{base}/erase", data={"reason": " ", "confirm": "yes"}, follow_redirects=True
    )
    assert got.status_code == 200 and "ต้องระบุเหตุผล" in _html(got)
    assert "say why" in _html(got)
    got = officer.post(f"{base}/erase", data={"reason": REASON}, follow_redirects=True)
    assert got.status_code == 200 and "ต้องทำเครื่องหมายยืนยันก่อนลบ" in _html(got)
    assert services.get_household(store.uow(), OFFICER, household.id).head_name == HEAD

    got = officer.post(f"{base}/erase", data={"reason": REASON, "confirm": "yes"})
    assert got.status_code == 302 and got.headers["Location"].endswith(base)
    page = _html(officer.get(base))
    assert 'id="pdpa-erased"' in page and REASON in page
    assert 'id="household-form"' not in page and 'id="consent"' not in page
    assert 'id="pdpa-requests"' not in page and HEAD not in page
    assert 'id="read-log"' in page  # who viewed the record stays on it for officers
    assert 'id="programme-form"' in page  # house status and plot still change
    assert str(services.today_in_thailand().year + 543) in page  # a Buddhist Era date
    erased = services.get_household(store.uow(), OFFICER, household.id)
    assert erased.erased_at is not None and erased.head_name == ""
    # The rep sees the erased state, without the reason or any form.
    rep_page = _html(_client(web, "rep.cc01").get(base))
    assert 'id="pdpa-erased"' in rep_page and 'id="household-form"' not in rep_page

    # The subject-access export still works and says so.
    data = officer.get(f"{base}/pdpa-export.json").get_json()
    assert data["household"]["erased_at"] and data["household"]["erased_at_label"]["th"]
    pdf = officer.get(f"{base}/pdpa-export.pdf")
    assert pdf.status_code == 200
    assert _flat("ลบข้อมูลส่วนบุคคลตามคำขอแล้วเมื่อ") in _pdf_text(pdf.get_data())
    # The API and the case page mark it in words.
    api = officer.get(f"/api/households/{household.id}").get_json()
    assert api["erased_at"] and api["held_back_label"]["th"] == "ลบข้อมูลแล้ว"
    listed = officer.get(f"/api/cases/{household.case_id}/households").get_json()["items"]
    mine = next(h for h in listed if h["id"] == household.id)
    assert mine["head_name"] == "" and mine["held_back_label"]["en"] == "Data erased"
    case_page = _html(officer.get(f"/cases/{household.case_id}"))
    assert 'data-held-back="erased"' in case_page and "ลบข้อมูลแล้ว" in case_page
    # The audit log says it in words.
    audit = services.audit_log(store.uow(), ADMIN, entity="household", entity_id=household.id)
    assert "erase" in [a.action for a in audit]
    assert words("audit_action", "erase")["th"] == "ลบข้อมูลส่วนบุคคลตามคำขอ"
    exported = {a["action"]: a for a in data["audit"]}
    assert exported["erase"]["action_label"]["th"] == "ลบข้อมูลส่วนบุคคลตามคำขอ"


def test_restrict_then_edit_refused_then_lift(web, store, household):
    officer = _client(web, "officer")
    base = f"/cases/households/{household.id}"
    got = officer.post(
        f"{base}/restrict", data={"kind": "objection", "reason": ""}, follow_redirects=True
    )
    assert got.status_code == 200 and "ต้องระบุเหตุผล" in _html(got)
    assert services.get_household(store.uow(), OFFICER, household.id).restriction is None

    got = officer.post(f"{base}/restrict", data={"kind": "objection", "reason": REASON})
    assert got.status_code == 302
    page = _html(officer.get(base))
    assert 'id="pdpa-held"' in page and "คัดค้านการประมวลผล (มาตรา 32)" in page and REASON in page
    assert 'id="household-form"' not in page and 'id="lift-form"' in page
    assert str(services.today_in_thailand().year + 543) in page
    held = services.get_household(store.uow(), OFFICER, household.id)
    # An edit (an old tab's form) is refused with the reason; nothing changes.
    got = officer.post(base, data={"head_name": "อื่น", "version": held.version})
    assert got.status_code == 422 and REASON in _html(got) and "ระงับการใช้" in _html(got)
    assert services.get_household(store.uow(), OFFICER, household.id).head_name == HEAD
    # What the programme counts still changes, from the page's one remaining form.
    assert 'id="programme-form"' in _html(officer.get(base))
    got = officer.post(
        base, data={"house_status": "under_construction", "plot_no": "B-2", "version": held.version}
    )
    assert got.status_code == 302, _html(got)[:500]
    moved = services.get_household(store.uow(), OFFICER, household.id)
    assert (moved.house_status, moved.plot_no, moved.restriction) == (
        "under_construction",
        "B-2",
        "objection",
    )
    api = officer.get(f"/api/households/{household.id}").get_json()
    assert api["restriction"] == "objection" and api["restriction_reason"] == REASON
    assert api["restriction_label"]["th"] == "คัดค้านการประมวลผล (มาตรา 32)"
    assert api["restricted_on"] == services.today_in_thailand().isoformat()
    case_page = _html(officer.get(f"/cases/{household.case_id}"))
    assert 'data-held-back="restricted"' in case_page

    got = officer.post(f"{base}/lift", data={"reason": ""}, follow_redirects=True)
    assert "ต้องระบุเหตุผล" in _html(got)
    got = officer.post(f"{base}/lift", data={"reason": "ครอบครัวขอยกเลิก"}, follow_redirects=True)
    assert got.status_code == 200 and 'id="household-form"' in _html(got)
    assert services.get_household(store.uow(), OFFICER, household.id).restriction is None
    actions = [
        a.action
        for a in services.audit_log(store.uow(), ADMIN, entity="household", entity_id=household.id)
    ]
    assert {"restrict", "lift"} <= set(actions)
    # The audit API says each in words.
    query = f"/api/audit?entity=household&entity_id={household.id}"
    labels = {a["action"]: a["action_label"] for a in officer.get(query).get_json()["items"]}
    assert labels["restrict"]["th"] == "ระงับการใช้ข้อมูล"
    assert labels["lift"] == {"th": "ยกเลิกการระงับการใช้ข้อมูล", "en": "Hold lifted"}
