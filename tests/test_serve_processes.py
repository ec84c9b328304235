"""`planner serve --processes 2` (docs/decisions/0034): two waitress processes on one
port serve one app. A login made through one holds on every new connection, both
processes take requests, a killed process is replaced, and SIGTERM stops them all."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from cases.sample import DEMO_USERS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="--processes needs a POSIX system"),
]
ROOT = Path(__file__).resolve().parent.parent
PASSWORDS = {name: password for name, password, _, _ in DEMO_USERS}
CSRF = re.compile(r'name="csrf[-_]token" (?:content|value)="([^"]+)"')
FRESH = {"Connection": "close"}  # a new connection each time: any process may take it


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(stat.parent.name))
    return out


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what} within {seconds} s")


@pytest.fixture
def two_processes(store_config):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PLANNER_") and k not in ("DATABASE_URL", "PYTHONPATH")
    }
    env.update(PLANNER_HOME=store_config["PLANNER_HOME"], PYTHONPATH=str(ROOT))
    if store_config["DATABASE_URL"]:
        env.update(
            DATABASE_URL=store_config["DATABASE_URL"],
            PLANNER_DATABASE_SCHEMA=store_config["DATABASE_SCHEMA"],
        )
    sample = subprocess.run(
        [sys.executable, "-m", "app.cli", "sample", "--demo-users"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert sample.returncode == 0, sample.stderr
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--processes", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"

    def up():
        if server.poll() is not None:
            pytest.fail(f"planner serve exited: {server.communicate()[1][-2000:]}")
        try:  # the port listens at once; the processes answer once their app is made
            return requests.get(url + "/auth/login", timeout=10, headers=FRESH).ok
        except requests.RequestException:
            return False

    try:
        _until(up, 60, "planner serve answered")
        yield server, url
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
        for pid in _children(server.pid):
            os.kill(pid, signal.SIGKILL)


def test_two_processes_serve_one_app_and_replace_a_dead_one(two_processes):
    server, url = two_processes
    children = _until(lambda: len(_children(server.pid)) == 2 and _children(server.pid), 30, "2")
    assert "2 processes" in "".join(server.stdout.readline() for _ in range(1))

    browser = requests.Session()
    page = browser.get(url + "/auth/login", headers=FRESH)
    token = CSRF.search(page.text).group(1)
    login = browser.post(
        url + "/auth/login",
        data={"username": "officer", "password": PASSWORDS["officer"], "csrf_token": token},
        headers=FRESH,
        allow_redirects=False,
    )
    assert login.status_code == 302
    before = {pid: _cpu_ticks(pid) for pid in children}
    for _ in range(40):  # each on a new connection: the session is the store's, not a process's
        r = browser.get(url + "/dashboard", headers=FRESH, allow_redirects=False)
        assert r.status_code == 200 and 'id="progress-table"' in r.text
    worked = {pid for pid in children if _cpu_ticks(pid) > before[pid]}
    assert worked == children, "both processes take connections"

    gone = min(children)
    os.kill(gone, signal.SIGKILL)
    now = _until(
        lambda: (c := _children(server.pid)) and len(c) == 2 and gone not in c and c,
        20,
        "a new process replaced the killed one",
    )
    assert gone not in now
    for _ in range(10):
        r = browser.get(url + "/dashboard", headers=FRESH, allow_redirects=False)
        assert r.status_code == 200

    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=20) == 0
    assert not _children(server.pid)
    assert not any(Path(f"/proc/{pid}").exists() for pid in now)
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/auth/login", timeout=2)
