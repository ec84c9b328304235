"""Site-check runs belong to whoever ran them (issue 10, item 8), over the running app:
other viewers and community representatives get 404 on the page, the downloads and
the API; officers and admins may open them; old runs are pruned."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from app import create_app
from cases.services import add_user
from cases.store import CaseStore
from tests.conftest import AuthActions, serve

PASSWORDS = {**AuthActions.passwords, "viewer2": "viewer2-demo-2562"}


@pytest.fixture
def runs_config(writable_config):
    store = CaseStore(
        writable_config["PLANNER_HOME"],
        writable_config["DATABASE_URL"],
        schema=writable_config["DATABASE_SCHEMA"],
    )
    add_user(store.uow(), "viewer2", PASSWORDS["viewer2"], "viewer")
    store.dispose()
    return {**writable_config, "OVERLAP_RUN_DAYS": 30}


@pytest.fixture
def base(runs_config):
    with serve(create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **runs_config})) as url:
        yield url


def _session(base: str, username: str) -> requests.Session:
    s = requests.Session()
    res = s.post(
        f"{base}/auth/login",
        data={"username": username, "password": PASSWORDS[username]},
        allow_redirects=False,
    )
    assert res.status_code in (302, 303), res.text[-500:]
    return s


def _api_run(base: str, username: str) -> str:
    res = requests.post(
        f"{base}/api/overlap",
        json={"site_ids": ["KPP-CC-01"], "against": ["zoning"]},
        auth=(username, PASSWORDS[username]),
        timeout=120,
    )
    assert res.status_code == 201, res.text
    return res.json()["run_id"]


def _urls(base: str, run_id: str) -> dict[str, str]:
    return {
        "page": f"{base}/overlap/runs/{run_id}",
        "download": f"{base}/overlap/runs/{run_id}/report.csv",
        "api": f"{base}/api/overlap/runs/{run_id}/report.csv",
    }


def _status(base: str, username: str, run_id: str) -> dict[str, int]:
    session = _session(base, username)
    out = {}
    for kind, url in _urls(base, run_id).items():
        if kind == "api":
            res = requests.get(url, auth=(username, PASSWORDS[username]), timeout=60)
        else:
            res = session.get(url, timeout=60)
        out[kind] = res.status_code
        if res.status_code == 404:  # the page in Thai (its default); the API in both
            assert "เปิดได้เฉพาะผู้ที่สั่งตรวจ" in res.text, res.text[-2000:]
            if kind == "api":
                assert "only for whoever ran it" in res.json()["error"]["en"]
    return out


def test_a_run_opens_only_for_its_owner_officers_and_admins(base, runs_config):
    run_id = _api_run(base, "viewer")
    run_dir = Path(runs_config["PLANNER_HOME"]) / "reports" / "overlap" / run_id
    assert json.loads((run_dir / "run.json").read_text("utf-8"))["owner"] == "viewer"
    ok = {"page": 200, "download": 200, "api": 200}
    hidden = {"page": 404, "download": 404, "api": 404}
    assert _status(base, "viewer", run_id) == ok
    assert _status(base, "officer", run_id) == ok
    assert _status(base, "admin", run_id) == ok
    assert _status(base, "viewer2", run_id) == hidden
    assert _status(base, "rep.cc01", run_id) == hidden
    # the same 404 as a run that does not exist: the id is not confirmed
    other = requests.get(
        _urls(base, "0" * 32)["api"], auth=("viewer2", PASSWORDS["viewer2"]), timeout=60
    )
    mine = requests.get(
        _urls(base, run_id)["api"], auth=("viewer2", PASSWORDS["viewer2"]), timeout=60
    )
    assert other.status_code == mine.status_code == 404
    if os.name != "nt":  # the run's folder and files are private
        assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
        assert {stat.S_IMODE(p.stat().st_mode) for p in run_dir.iterdir()} == {0o600}
        assert stat.S_IMODE(run_dir.parent.stat().st_mode) == 0o700


def test_run_ids_are_random(base):
    ids = {_api_run(base, "viewer") for _ in range(2)}
    assert len(ids) == 2 and all(len(i) == 32 and int(i, 16) for i in ids)


def _age(runs_config, run_id: str, days: float) -> None:
    path = Path(runs_config["PLANNER_HOME"]) / "reports" / "overlap" / run_id / "run.json"
    run = json.loads(path.read_text("utf-8"))
    run["created_at"] = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    path.write_text(json.dumps(run, ensure_ascii=False), "utf-8")


def test_old_runs_are_pruned(base, runs_config):
    old, recent = _api_run(base, "viewer"), _api_run(base, "viewer")
    _age(runs_config, old, 31)
    _age(runs_config, recent, 29)
    new = _api_run(base, "viewer")  # a new run prunes the old ones
    viewer = _session(base, "viewer")
    assert viewer.get(_urls(base, old)["page"]).status_code == 404
    assert viewer.get(_urls(base, recent)["page"]).status_code == 200
    assert viewer.get(_urls(base, new)["page"]).status_code == 200
    # and so does `planner prune --days`
    _age(runs_config, recent, 3)
    env = {**os.environ, "PLANNER_HOME": runs_config["PLANNER_HOME"]}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "prune", "--days", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "removed 1 site check(s)" in result.stdout and "ลบผลการตรวจสอบพื้นที่ 1" in result.stdout
    assert viewer.get(_urls(base, recent)["page"]).status_code == 404
    assert viewer.get(_urls(base, new)["page"]).status_code == 200
