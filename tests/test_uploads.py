"""Uploads kept between two requests (app/uploads.py): one mechanism for the survey import's
confirmation and the layer import's field mapping. Only the sender finds an upload by its
token, a confirmation claims it so that nothing is imported twice, and old ones go."""

from __future__ import annotations

import io
import os
import re
import time

from werkzeug.datastructures import FileStorage

from app.uploads import KeptUploads
from tests.conftest import AuthActions


def _file(name: str, data: bytes = b"a,b\n1,2\n") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def test_only_the_sender_finds_an_upload_and_a_claim_takes_it_once(tmp_path):
    uploads = KeptUploads(tmp_path, hours=1)
    kept = uploads.keep(_file("ผลสำรวจ ชุมชน 1.csv"), owner="user 1, case 7")
    assert kept.label == "ผลสำรวจ ชุมชน 1.csv" and kept.path.read_bytes() == b"a,b\n1,2\n"
    assert kept.path.suffix == ".csv" and kept.path.name.isascii()
    # A survey export holds personal data: only the app's account reads what is kept.
    assert {p.stat().st_mode & 0o777 for p in kept.folder.iterdir()} == {0o600}
    assert kept.folder.stat().st_mode & 0o777 == 0o700
    assert uploads.find(kept.token, owner="user 2, case 7") is None
    assert uploads.find(kept.token, owner="user 1, case 8") is None
    assert uploads.claim(kept.token, owner="user 2, case 7") is None

    claimed = uploads.claim(kept.token, owner="user 1, case 7")
    assert claimed is not None and claimed.path.read_bytes() == b"a,b\n1,2\n"
    assert uploads.claim(kept.token, owner="user 1, case 7") is None  # a second confirmation
    assert uploads.find(kept.token, owner="user 1, case 7") is None

    uploads.put_back(claimed)  # e.g. a stale version: the user may confirm again
    again = uploads.claim(kept.token, owner="user 1, case 7")
    assert again is not None
    uploads.discard(again)
    assert list(tmp_path.iterdir()) == []


def test_a_token_that_is_not_one_finds_nothing(tmp_path):
    uploads = KeptUploads(tmp_path, hours=1)
    uploads.keep(_file("a.csv"), owner="user 1")
    for token in ("", None, "..", "../../etc", ".claimed-x", "a" * 200, "label.txt"):
        assert uploads.find(token, owner="user 1") is None
        assert uploads.claim(token, owner="user 1") is None


def test_a_long_or_strange_name_is_kept_under_a_safe_one(tmp_path):
    uploads = KeptUploads(tmp_path, hours=1)
    kept = uploads.keep(_file("../" + "ก" * 10_000 + ".xlsx"), owner="user 1")
    assert kept.path.parent.parent == tmp_path and kept.path.name == "upload.xlsx"
    assert len(kept.label) == 500


def test_uploads_older_than_their_hours_are_removed_when_another_is_kept(tmp_path):
    uploads = KeptUploads(tmp_path, hours=1)
    old = uploads.keep(_file("old.csv"), owner="user 1")
    two_hours_ago = time.time() - 7200
    os.utime(old.folder, (two_hours_ago, two_hours_ago))
    new = uploads.keep(_file("new.csv"), owner="user 1")
    assert uploads.find(old.token, owner="user 1") is None
    assert uploads.find(new.token, owner="user 1") is not None


def test_another_officer_cannot_import_a_file_kept_for_its_field_mapping(writable_app):
    """The layer import's kept file is its sender's: another officer's form naming its
    token is told the file is no longer kept, and the sender can still map and import it."""
    sender, other = writable_app.test_client(), writable_app.test_client()
    AuthActions(sender).login("officer")
    AuthActions(other).login("admin")
    csv = "id,name_th,x,y\nC1,ชุมชนหนึ่ง,100.55,13.80\n".encode()
    page = sender.post(
        "/imports",
        data={"file": (io.BytesIO(csv), "ชุมชน.csv"), "layer": "communities", "action": "fields"},
        content_type="multipart/form-data",
    )
    token = re.search(r'name="pending" value="([A-Za-z0-9_-]+)"', page.get_data(as_text=True))
    assert token, page.get_data(as_text=True)[:2000]
    form = {"pending": token.group(1), "layer": "communities", "action": "fields"}
    refused = other.post("/imports", data=form)
    assert refused.status_code == 422
    assert "ไม่พบไฟล์ที่อัปโหลดไว้" in refused.get_data(as_text=True)
    assert sender.post("/imports", data=form).status_code == 200
