"""`planner serve --processes 2`: one port, two waitress processes, one supervisor
(docs/decisions/0034-several-server-processes.md).

The real CLI in a subprocess over a store of its own with the demo users. A login made
on one process holds on the other (sessions are rows in the store, the secret key is
made once); a child killed with SIGKILL is replaced; SIGTERM stops the parent and every
child, exit status 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import DATABASE_URL, AuthActions
from tests.test_two_servers import _free_port, _token

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="reads children from /proc (Linux)"
    ),
]
ROOT = Path(__file__).resolve().parent.parent
CLOSE = {"Connection": "close"}  # a new connection each time: any process may take it


def _children(parent: int) -> set[int]:
    """The pids whose parent is `parent`, from /proc/<pid>/stat."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        fields = text.rsplit(")", 1)[1].split()  # after "(name)": state, ppid, ...
        if int(fields[1]) == parent and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    pytest.fail(f"not within {seconds} s: {what}")


@pytest.fixture
def served(store_config, sample_cases_store):
    """`python -m app.cli serve --processes 2` on a free port; yields (url, process)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PLANNER_") and k not in ("DATABASE_URL", "PYTHONPATH")
    }
    env.update(PLANNER_HOME=store_config["PLANNER_HOME"], PYTHONPATH=str(ROOT))
    if DATABASE_URL:
        env.update(
            DATABASE_URL=DATABASE_URL, PLANNER_DATABASE_SCHEMA=store_config["DATABASE_SCHEMA"]
        )
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--processes", "2", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _answers(url, process), 40, f"planner serve answers at {url}")
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()  # the test failed before stopping it: the children follow (prctl)
        process.communicate(timeout=30)


def _answers(url: str, process: subprocess.Popen) -> bool:
    """The login page answers. The port listens before the children have made their app,
    so a first request may wait in the backlog: a timeout is not an error here."""
    if process.poll() is not None:
        pytest.fail(f"planner serve exited: {process.communicate()[1][-2000:]}")
    try:
        return requests.get(url + "/auth/login", headers=CLOSE, timeout=10).status_code == 200
    except requests.RequestException:
        return False


def _cases(browser: requests.Session, url: str) -> requests.Response:
    return browser.get(url + "/api/cases", headers=CLOSE, allow_redirects=False, timeout=10)


def test_one_login_holds_on_every_process(served):
    url, process = served
    children = _wait_for(lambda: _children(process.pid), 10, "two children")
    assert len(children) == 2, children
    # The parent forked with no thread of its own: besides the main thread only the
    # allocator's, which jemalloc (imported with pyarrow) makes again after a fork.
    tasks = Path(f"/proc/{process.pid}/task")
    threads = [
        (t / "comm").read_text().strip() for t in tasks.iterdir() if t.name != str(process.pid)
    ]
    assert set(threads) <= {"jemalloc_bg_thd"}, threads
    first, second = sorted(children)

    browser = requests.Session()
    anonymous = _cases(browser, url)
    assert anonymous.status_code != 200
    form = browser.get(url + "/auth/login", headers=CLOSE, timeout=10)
    login = browser.post(
        url + "/auth/login",
        data={
            "username": "officer",
            "password": AuthActions.passwords["officer"],
            "csrf_token": _token(form),
        },
        headers=CLOSE,
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 302, login.text[:500]
    # With one child stopped every connection goes to the other: the session holds on each.
    for stopped in (first, second):
        os.kill(stopped, signal.SIGSTOP)
        try:
            for _ in range(5):
                reply = _cases(browser, url)
                assert reply.status_code == 200, reply.text[:500]
                assert reply.json()["items"]
        finally:
            os.kill(stopped, signal.SIGCONT)
    assert process.poll() is None


def test_a_killed_child_is_replaced_and_sigterm_stops_all(served):
    url, process = served
    children = _wait_for(lambda: _children(process.pid), 10, "two children")
    assert len(children) == 2, children
    killed = min(children)
    os.kill(killed, signal.SIGKILL)

    def replaced() -> set[int]:
        now = _children(process.pid)
        return now if len(now) == 2 and killed not in now else set()

    children = _wait_for(replaced, 10, "a new child in place of the killed one")
    for _ in range(6):
        assert requests.get(url + "/auth/login", headers=CLOSE, timeout=10).status_code == 200

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    _, err = process.communicate(timeout=5)
    assert f"{killed} ended (signal 9)" in err and "กำลังเริ่มโพรเซสใหม่" in err
    for pid in children:  # every child gone, not left running without its parent
        assert not Path(f"/proc/{pid}").exists() or _state(pid) == "Z"
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/auth/login", timeout=2)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_children_that_keep_dying_stop_the_server(tmp_path):
    """An app that cannot start: a few restarts, then the parent gives up, exit 1."""
    home = tmp_path / "instance"
    home.mkdir()
    (home / "config.py").write_text('raise RuntimeError("broken config")\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANNER_")}
    env.update(PLANNER_HOME=str(home), PLANNER_PROCESSES="2")
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(_free_port())],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "with 2 processes" in result.stdout  # PLANNER_PROCESSES
    assert "broken config" in result.stderr
    assert "server processes keep dying" in result.stderr and "หยุดทำงานซ้ำ" in result.stderr
