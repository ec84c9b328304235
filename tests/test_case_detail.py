"""Case detail (app/application/case_detail.py): what each allowed move still needs is worked
out once, from all the case's documents, so every role that may see a case is told the same."""

from __future__ import annotations

import io
import re

from app.application.case_detail import case_detail
from app.casestore import uow
from cases.model import User

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[100.60, 13.88], [100.601, 13.88], [100.601, 13.881], [100.60, 13.881], [100.60, 13.88]]
    ],
}


def _api_missing(client, url: str) -> dict[str, list[str]]:
    detail = client.get(url).get_json()
    return {m["stage"]: [r["code"] for r in m["missing"]] for m in detail["allowed_moves"]}


def _page_missing(client, case_id: int) -> dict[str, list[str]]:
    """The officer's move form: one block per allowed move, listing what it still needs."""
    body = client.get(f"/cases/{case_id}?lang=en").get_data(as_text=True)
    blocks = re.findall(r'data-requirements-for="([^"]+)">(.*?)</div>', body, re.S)
    return {stage: re.findall(r"<li>(.*?)</li>", block) for stage, block in blocks}


def test_every_role_is_told_the_same_missing_list(writable_client, writable_auth):
    client, app = writable_client, writable_client.application
    writable_auth.login("officer")
    # A new canal-side case of the representative's community: its next move (agreement to
    # move) needs the agreement, a personal document a municipality viewer may not open.
    case = client.post(
        "/api/cases",
        json={
            "community_id": "KPP-CC-01",
            "case_type": "canal_side",
            "title_th": "ทดสอบเอกสารส่วนบุคคล",
            "site": SQUARE,
        },
    ).get_json()
    url = case["url"]
    before = _api_missing(client, url)
    assert "agreement" in before["agreement_to_move"]
    response = client.post(
        f"{url}/documents",
        data={"file": (io.BytesIO(b"signed agreements"), "agreements.txt"), "kind": "agreement"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201

    officer = _api_missing(client, url)
    assert "agreement" not in officer["agreement_to_move"]
    assert officer["agreement_to_move"] == ["households_agreed"]
    page = _page_missing(client, case["id"])
    assert sorted(page) == sorted(officer)
    assert [len(items) for items in page.values()] == [len(officer[s]) for s in page]
    assert "Agreement to move" not in " ".join(page["agreement_to_move"])

    for username in ("viewer", "rep.cc01"):
        writable_auth.login(username)
        assert _api_missing(client, url) == officer, username
        kinds = {d["kind"] for d in client.get(url).get_json()["documents"]}
        # The viewer is not shown the personal document, yet is told the move has it.
        assert ("agreement" in kinds) == (username == "rep.cc01"), username
        assert client.get(f"/cases/{case['id']}").status_code == 200

    # The application function itself, as the page and the API call it.
    with app.app_context():
        viewer = User(username="viewer", role="viewer")
        detail = case_detail(uow(), viewer, case["id"])
    assert {m.stage: [r.code for r in m.missing] for m in detail["moves"]} == officer
    assert detail["allowed_moves"] == [m.stage for m in detail["moves"]]
    assert detail["households"] is None
