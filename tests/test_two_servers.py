"""Two `planner serve` processes on one PostGIS behave as one app (docs/decisions/0031).

Each server has its own instance folder (PLANNER_HOME) and both share one folder
(PLANNER_SHARED_DIR) and one database schema. One browser (one cookie jar) logs in on
A and carries on on B; a document uploaded on A downloads from B byte for byte; a stage
moved on A leaves B's (cached) dashboard at once; a logout on B ends the session on A.
No PLANNER_SECRET_KEY is set: the servers agree on the key kept in the shared folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from cases.sample import DEMO_USERS

DATABASE_URL = os.environ.get("DATABASE_URL") or None
pytestmark = pytest.mark.skipif(
    not DATABASE_URL,
    reason="several app servers need PostgreSQL (set DATABASE_URL); the embedded store "
    "is one process by design",
)
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus" / "good"
PASSWORDS = {name: password for name, password, _, _ in DEMO_USERS}
CSRF = re.compile(r'name="csrf[-_]token" (?:content|value)="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path, shared: Path, schema: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PLANNER_") and k not in ("DATABASE_URL", "PYTHONPATH")
    }
    env.update(
        PLANNER_HOME=str(home),
        PLANNER_SHARED_DIR=str(shared),
        DATABASE_URL=DATABASE_URL,
        PLANNER_DATABASE_SCHEMA=schema,
        PYTHONPATH=str(ROOT),
    )
    return env


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"planner serve exited: {process.communicate()[1][-2000:]}")
        try:
            requests.get(url + "/auth/login", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    pytest.fail(f"planner serve did not answer at {url} in {seconds} s")


@pytest.fixture
def two_servers(store_config, tmp_path):
    """Two `python -m app.cli serve` processes over the sample with demo users."""
    shared = tmp_path / "shared"
    homes = [tmp_path / "home-a", tmp_path / "home-b"]
    schema = store_config["DATABASE_SCHEMA"]
    sample = subprocess.run(
        [sys.executable, "-m", "app.cli", "sample", "--demo-users"],
        env=_env(homes[0], shared, schema),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert sample.returncode == 0, sample.stderr
    processes, urls = [], []
    try:
        for home in homes:  # started together: both may make the secret key first
            port = _free_port()
            urls.append(f"http://127.0.0.1:{port}")
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
                    env=_env(home, shared, schema),
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        for url, process in zip(urls, processes, strict=True):
            _wait_until_up(url, process)
        yield {"a": urls[0], "b": urls[1], "shared": shared, "homes": homes}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.communicate(timeout=30)


def _token(response: requests.Response) -> str:
    match = CSRF.search(response.text)
    assert match, f"no CSRF token in {response.url}"
    return match.group(1)


def _stalled_refs(browser: requests.Session, url: str) -> list[str]:
    page = browser.get(url + "/dashboard", allow_redirects=False)
    assert page.status_code == 200
    table = page.text.split('id="stalled-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-ref="([^"]+)"', table)


def test_two_servers_on_one_postgis_are_one_app(two_servers):
    a, b, shared = two_servers["a"], two_servers["b"], two_servers["shared"]
    browser = requests.Session()  # one cookie jar for both servers

    # Log in on A; the page's CSRF token came from B (the servers sign alike).
    login = browser.post(
        a + "/auth/login",
        data={
            "username": "officer",
            "password": PASSWORDS["officer"],
            "csrf_token": _token(browser.get(b + "/auth/login")),
        },
        allow_redirects=False,
    )
    assert login.status_code == 302, login.text[:500]
    # ... and carry on on B: the case page, not the login form.
    stalled = _stalled_refs(browser, b)
    assert stalled, "the sample has stalled cases on the dashboard"
    ref = stalled[0]
    case = browser.get(b + "/api/cases", params={"q": ref}).json()["items"][0]
    assert case["ref"] == ref
    page = browser.get(f"{b}/cases/{case['id']}", allow_redirects=False)
    assert page.status_code == 200 and ref in page.text
    token = _token(page)

    # Upload on A, download from B: the same bytes.
    data = os.urandom(64 * 1024) + "สัญญาเช่า".encode()
    upload = browser.post(
        f"{a}/api/cases/{case['id']}/documents",
        files={"file": ("สัญญา.pdf", data, "application/pdf")},
        data={"kind": "lease_contract"},
        headers={"X-CSRFToken": token},
    )
    assert upload.status_code == 201, upload.text[:500]
    download = browser.get(b + upload.headers["Location"])
    assert download.status_code == 200
    assert download.content == data
    digest = hashlib.sha256(data).hexdigest()
    assert download.headers["X-Checksum-SHA256"] == digest
    assert (shared / "documents" / digest[:2] / digest).read_bytes() == data
    for home in two_servers["homes"]:  # nothing an other server needs is kept apart
        assert not (home / "documents").exists() and not (home / "secret_key").exists()
    assert (shared / "secret_key").is_file()

    # An import on A and a site check on A: their report and run open on B.
    imported = browser.post(
        a + "/api/imports",
        files={"file": ("kobo_survey.csv", (CORPUS / "kobo_survey.csv").read_bytes())},
        data={"layer": "kobo_two_servers"},
        headers={"X-CSRFToken": token},
    )
    assert imported.status_code == 201, imported.text[:500]
    report = browser.get(f"{b}/api/imports/{imported.json()['id']}")
    assert report.status_code == 200 and report.json()["features_written"] == 3
    check = browser.post(
        a + "/api/overlap", json={"site_ids": [ref]}, headers={"X-CSRFToken": token}
    )
    assert check.status_code == 201, check.text[:500]
    csv_path = urlparse(check.json()["links"]["csv"]).path
    assert browser.get(b + csv_path).content == browser.get(a + csv_path).content
    run_page = browser.get(b + urlparse(check.headers["Location"]).path, allow_redirects=False)
    assert run_page.status_code == 200 and ref in run_page.text

    # Move the stalled case on A: B's dashboard, already cached, drops it at once.
    assert _stalled_refs(browser, b) == stalled  # B has these results cached now
    detail = browser.get(f"{b}/api/cases/{case['id']}").json()
    to_stage = next(m["stage"] for m in detail["allowed_moves"] if not m["missing"])
    move = browser.post(
        f"{a}/api/cases/{case['id']}/stage",
        json={"to_stage": to_stage, "note": "two servers", "version": detail["version"]},
        headers={"X-CSRFToken": token},
    )
    assert move.status_code == 200, move.text[:500]
    assert _stalled_refs(browser, b) == [r for r in stalled if r != ref]
    assert browser.get(f"{b}/api/cases/{case['id']}").json()["stage"] == to_stage

    # Log out on B; the same cookie, replayed on A, is refused.
    cookie = browser.cookies.get("session")
    logout = browser.post(b + "/auth/logout", data={"csrf_token": token}, allow_redirects=False)
    assert logout.status_code == 302
    replay = requests.get(
        f"{a}/api/cases/{case['id']}", cookies={"session": cookie}, allow_redirects=False
    )
    assert replay.status_code == 401
    page = requests.get(
        f"{a}/cases/{case['id']}", cookies={"session": cookie}, allow_redirects=False
    )
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]
