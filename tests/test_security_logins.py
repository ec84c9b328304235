"""Logins and sessions attacked over real HTTP (issue 10, item 3): brute force, timing,
cookie replay, ended sessions, roles, timeouts, the user CLI and the demo accounts."""

from __future__ import annotations

import base64
import json
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from app import create_app
from app.cli import main, refuse_demo_on_network
from cases import orm, services
from cases.sample import DEMO_USERS
from cases.store import CaseStore
from tests.conftest import serve

PASSWORDS = {name: password for name, password, _, _ in DEMO_USERS}


@pytest.fixture
def store(sample_cases_store):
    """A case store of its own with the sample cases and the demo users (conftest)."""
    return sample_cases_store


@pytest.fixture
def make_app(store, store_config):
    def make(**config):
        return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **store_config, **config})

    return make


@pytest.fixture
def cli_env(store_config):
    env = {"PLANNER_HOME": store_config["PLANNER_HOME"]}
    if store_config["DATABASE_URL"]:
        env["DATABASE_URL"] = store_config["DATABASE_URL"]
        env["PLANNER_DATABASE_SCHEMA"] = store_config["DATABASE_SCHEMA"]
    return env


def planner(cli_env, *args, input=None):
    return CliRunner().invoke(main, list(args), env=cli_env, input=input, catch_exceptions=False)


# -- a tiny HTTP client: no redirects followed, cookies by hand --------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def cookie(self):
        for value in self.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                return value.split(";", 1)[0]
        return None


def http(url, *, method="GET", form=None, cookie=None, basic=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if cookie:
        req.add_header("Cookie", cookie)
    if basic:
        token = base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    try:
        with _opener.open(req, timeout=60) as res:
            return Reply(res.status, res.headers, res.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.headers, err.read())


def login(base, username, password=None):
    return http(
        f"{base}/auth/login",
        method="POST",
        form={"username": username, "password": password or PASSWORDS[username]},
    )


def logged_in_cookie(base, username):
    reply = login(base, username)
    assert reply.status == 302, reply.text
    return reply.cookie()


def sees_cases(base, cookie) -> bool:
    """True when the cookie is a live session (pages and API agree)."""
    page = http(f"{base}/cases", cookie=cookie)
    api = http(f"{base}/api/cases", cookie=cookie)
    assert (page.status == 200) == (api.status == 200)
    if page.status != 200:
        assert page.status == 302 and "/auth/login" in page.headers["Location"]
        assert api.status == 401
    return page.status == 200


# -- brute force -------------------------------------------------------------------------
def test_form_brute_force_is_refused_before_the_right_password(make_app):
    with serve(make_app()) as base:
        statuses = [login(base, "officer", f"guess-{i}").status for i in range(30)]
        assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
        right = login(base, "officer")
        assert right.status == 429 and not sees_cases(base, right.cookie())
        assert 0 < int(right.headers["Retry-After"]) <= 15 * 60
        assert "ลองเข้าสู่ระบบผิดหลายครั้งเกินไป" in right.text
        assert "Too many failed logins" in right.text
        # Only that user name is locked; another user from the same address logs in.
        assert login(base, "viewer").status == 302


def test_form_brute_force_across_user_names_is_limited_per_address(make_app):
    app = make_app(LOGIN_FAILURES_PER_ADDRESS="8 per 15 minutes")
    with serve(app) as base:
        statuses = [login(base, f"user{i}", "guess-guess").status for i in range(10)]
        assert statuses == [401] * 8 + [429] * 2
        assert login(base, "viewer").status == 429


def test_basic_auth_brute_force_is_refused(make_app):
    with serve(make_app()) as base:
        replies = [http(f"{base}/api/cases", basic=("viewer", f"guess-{i}")) for i in range(30)]
        assert [r.status for r in replies[:5]] == [401] * 5
        assert {r.status for r in replies[5:]} == {429}
        right = http(f"{base}/api/cases", basic=("viewer", PASSWORDS["viewer"]))
        assert right.status == 429
        error = right.json()["error"]
        assert error["status"] == 429 and "Too many failed logins" in error["en"]
        assert "ลองเข้าสู่ระบบผิด" in error["th"]
        assert int(right.headers["Retry-After"]) > 0
        # A good login does not count: the officer's scripts keep working.
        for _ in range(10):
            assert http(f"{base}/api/cases", basic=("officer", PASSWORDS["officer"])).status == 200


def test_unknown_and_known_user_names_take_the_same_time(make_app):
    app = make_app(
        LOGIN_FAILURES_PER_USER="1000 per minute", LOGIN_FAILURES_PER_ADDRESS="1000 per minute"
    )

    def timed(username):
        started = time.perf_counter()
        assert login(base, username, "not-the-password").status == 401
        return time.perf_counter() - started

    with serve(app) as base:
        login(base, "nobody-here", "warm-up")  # the dummy hash is made once
        # Interleaved, so that load from elsewhere on the machine hits both alike.
        pairs = [(timed("officer"), timed("nobody-here")) for _ in range(7)]
        known = statistics.median(k for k, _ in pairs)
        unknown = statistics.median(u for _, u in pairs)
    print(f"wrong password: known user {known:.3f} s, unknown user {unknown:.3f} s")
    assert 0.5 < known / unknown < 2


def test_parallel_bad_basic_requests_hash_a_few_at_a_time(make_app):
    app = make_app(
        LOGIN_FAILURES_PER_USER="1000 per minute", LOGIN_FAILURES_PER_ADDRESS="1000 per minute"
    )
    replies = []
    with serve(app) as base:
        services.hash_stats(reset=True)

        def attack(i):
            name = "officer" if i % 2 else f"nobody{i}"
            replies.append(http(f"{base}/api/cases", basic=(name, f"wrong-{i}")).status)

        started = time.perf_counter()
        threads = [threading.Thread(target=attack, args=(i,)) for i in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    stats = services.hash_stats()
    print(f"32 bad Basic requests in {elapsed:.2f} s, at most {stats['peak']} hashes at once")
    assert replies == [401] * 32
    assert stats["done"] >= 32
    assert stats["peak"] <= services.HASH_CONCURRENCY


# -- sessions ----------------------------------------------------------------------------
def test_a_cookie_copied_before_logout_is_dead_after_it(make_app):
    with serve(make_app()) as base:
        cookie = logged_in_cookie(base, "officer")
        elsewhere = logged_in_cookie(base, "officer")  # the same user on another device
        assert sees_cases(base, cookie) and sees_cases(base, elsewhere)
        assert http(f"{base}/auth/logout", method="POST", cookie=cookie).status == 302
        assert not sees_cases(base, cookie)
        assert not sees_cases(base, elsewhere)  # logout ends every session of the user


def test_the_cookie_carries_only_a_session_id(make_app, store):
    app = make_app()
    with serve(app) as base:
        cookie = logged_in_cookie(base, "viewer")
    data = app.session_interface.get_signing_serializer(app).loads(cookie.split("=", 1)[1])
    assert set(data) == {"sid"}
    with store.engine.connect() as conn:
        hashes = conn.execute(sa.select(orm.sessions.c.token_hash)).scalars().all()
    assert data["sid"] not in hashes and len(hashes) == 1 and len(hashes[0]) == 64


def test_password_change_and_disable_end_sessions_and_basic_auth(make_app, cli_env):
    with serve(make_app()) as base:
        cookies = [logged_in_cookie(base, "officer") for _ in range(2)]
        old = ("officer", PASSWORDS["officer"])
        assert http(f"{base}/api/cases", basic=old).status == 200  # now in the Basic cache
        result = planner(
            cli_env, "user", "passwd", "officer", "--password-stdin", input="a-new-secret-99\n"
        )
        assert result.exit_code == 0 and "ended 2 session(s)" in result.output
        assert not any(sees_cases(base, c) for c in cookies)
        assert http(f"{base}/api/cases", basic=old).status == 401
        new = ("officer", "a-new-secret-99")
        assert http(f"{base}/api/cases", basic=new).status == 200
        cookie = logged_in_cookie(base, "viewer")
        viewer = ("viewer", PASSWORDS["viewer"])
        assert http(f"{base}/api/cases", basic=viewer).status == 200
        result = planner(cli_env, "user", "disable", "viewer")
        assert result.exit_code == 0 and "ended 1 session(s)" in result.output
        assert not sees_cases(base, cookie)
        assert http(f"{base}/api/cases", basic=viewer).status == 401
        assert login(base, "viewer").status == 401
        assert planner(cli_env, "user", "enable", "viewer").exit_code == 0
        assert http(f"{base}/api/cases", basic=viewer).status == 200
        assert not sees_cases(base, cookie)  # enabling does not revive an ended session


def test_a_new_role_applies_on_the_next_request(make_app, cli_env):
    with serve(make_app()) as base:
        cookie = logged_in_cookie(base, "officer")
        basic = ("officer", PASSWORDS["officer"])
        case_id = http(f"{base}/api/cases", basic=basic).json()["items"][0]["id"]
        households = f"{base}/api/cases/{case_id}/households"
        assert http(households, cookie=cookie).status == 200
        assert http(households, basic=basic).status == 200
        assert planner(cli_env, "user", "role", "officer", "--role", "viewer").exit_code == 0
        assert http(households, cookie=cookie).status == 403
        assert http(households, basic=basic).status == 403


def _session_row(store):
    with store.engine.connect() as conn:
        return conn.execute(sa.select(orm.sessions)).one()


def _shift(store, **back):
    """Move the open session's times back, e.g. last_seen_at=timedelta(hours=3)."""
    row = _session_row(store)
    values = {name: getattr(row, name) - delta for name, delta in back.items()}
    with store.engine.begin() as conn:
        conn.execute(orm.sessions.update().values(**values))


def test_idle_sessions_end(make_app, store):
    with serve(make_app()) as base:
        cookie = logged_in_cookie(base, "officer")
        first = _session_row(store)
        assert sees_cases(base, cookie)
        assert _session_row(store).last_seen_at == first.last_seen_at  # no write per request
        _shift(store, last_seen_at=timedelta(minutes=5))
        assert sees_cases(base, cookie)
        assert _session_row(store).last_seen_at > first.last_seen_at - timedelta(minutes=5)
        _shift(store, last_seen_at=timedelta(hours=2, minutes=1))
        assert not sees_cases(base, cookie)
        assert _session_row(store).ended_at is not None


def test_sessions_end_at_their_maximum_age(make_app, store):
    with serve(make_app()) as base:
        cookie = logged_in_cookie(base, "officer")
        _shift(store, created_at=timedelta(hours=11, minutes=59))
        assert sees_cases(base, cookie)
        _shift(store, created_at=timedelta(minutes=2))
        assert not sees_cases(base, cookie)  # in use, but more than 12 h old


def test_timeouts_are_configurable(make_app):
    with serve(make_app(SESSION_IDLE_SECONDS=1, SESSION_TOUCH_SECONDS=0)) as base:
        cookie = logged_in_cookie(base, "officer")
        assert sees_cases(base, cookie)
        time.sleep(2.2)
        assert not sees_cases(base, cookie)


# -- the user CLI ------------------------------------------------------------------------
def test_user_cli_passwd_list_disable(cli_env, make_app):
    short = planner(cli_env, "user", "passwd", "officer", "--password-stdin", input="short\n")
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output and "อย่างน้อย 10 ตัวอักษร" in short.output
    mismatch = planner(cli_env, "user", "passwd", "officer", input="long-secret-1\nother-one-2\n")
    assert mismatch.exit_code != 0
    typed = planner(cli_env, "user", "passwd", "officer", input="long-secret-1\nlong-secret-1\n")
    assert typed.exit_code == 0, typed.output
    nobody = planner(cli_env, "user", "passwd", "nobody", "--password-stdin", input="x" * 12)
    assert nobody.exit_code == 1 and "no user 'nobody'" in nobody.output
    missing = planner(cli_env, "user", "disable", "nobody")
    assert missing.exit_code == 1 and "no user 'nobody'" in missing.output
    with serve(make_app()) as base:
        assert login(base, "officer", "long-secret-1").status == 302
    rows = json.loads(planner(cli_env, "user", "list", "--json").output)
    by_name = {r["username"]: r for r in rows}
    assert set(by_name) == set(PASSWORDS)
    assert by_name["officer"]["last_login_at"] and by_name["viewer"]["last_login_at"] is None
    assert by_name["rep.cc01"]["community_id"] == "KPP-CC-01"
    assert planner(cli_env, "user", "disable", "rep.cc01").exit_code == 0
    table = planner(cli_env, "user", "list").output
    assert "rep.cc01" in table and "no / ระงับ" in table and "scrypt" not in table
    assert all("hash" not in key for key in rows[0])


# -- demo accounts -----------------------------------------------------------------------
def test_sample_without_demo_users_creates_no_login(store_config, cli_env):
    result = planner(cli_env, "sample")
    assert result.exit_code == 0, result.output
    assert "no demo logins" in result.output and "officer-demo-2562" not in result.output
    assert json.loads(planner(cli_env, "user", "list", "--json").output) == []
    again = planner(cli_env, "sample", "--demo-users")
    assert "officer-demo-2562" in again.output
    names = {r["username"] for r in json.loads(planner(cli_env, "user", "list", "--json").output)}
    assert names == set(PASSWORDS)


def test_serve_refuses_the_network_while_demo_passwords_remain(store, store_config, cli_env):
    def reopen():
        return CaseStore(
            store_config["PLANNER_HOME"],
            store_config["DATABASE_URL"],
            schema=store_config["DATABASE_SCHEMA"],
        )

    for host in ("127.0.0.1", "::1", "localhost"):
        refuse_demo_on_network(host, reopen())
    with pytest.raises(click.ClickException) as refused:
        refuse_demo_on_network("0.0.0.0", reopen())
    message = refused.value.message
    assert "admin, officer, rep.cc01, viewer" in message and "บัญชีทดลอง" in message
    assert "planner user passwd officer" in message and "planner user disable viewer" in message
    result = planner(cli_env, "serve", "--host", "0.0.0.0", "--port", "1")
    assert result.exit_code == 1 and "refusing to serve on 0.0.0.0" in result.output
    services.change_password(store.uow(), "officer", "a-real-password-1")
    services.change_password(store.uow(), "admin", "a-real-password-2")
    services.set_user_active(store.uow(), "viewer", False)
    with pytest.raises(click.ClickException) as refused:
        refuse_demo_on_network("192.0.2.10", reopen())
    assert "rep.cc01" in refused.value.message and "officer" not in refused.value.message
    services.set_user_active(store.uow(), "rep.cc01", False)
    refuse_demo_on_network("0.0.0.0", reopen())  # nothing left to refuse


@pytest.mark.parametrize(
    "target",
    ["/%09/evil.com", "/\t/evil.com", "/\\evil.com", "//evil.com", "https://evil.com/", "/\n/x"],
)
def test_login_never_redirects_to_another_site(make_app, target):
    """The red team's `next=/%09/evil.com` became `Location: //evil.com`."""
    with serve(make_app()) as base:
        reply = http(
            f"{base}/auth/login?next={urllib.parse.quote(target, safe='/%')}",
            method="POST",
            form={"username": "officer", "password": PASSWORDS["officer"]},
        )
        assert reply.status == 302, reply.text
        location = reply.headers["Location"]
        parts = urllib.parse.urlsplit(location)
        assert parts.netloc in ("", urllib.parse.urlsplit(base).netloc), location
        assert not parts.path.startswith("//") and "evil.com" not in location, location
        # A local target is still honoured.
        local = http(
            f"{base}/auth/login?next=/cases%3Fstage%3Dsurvey",
            method="POST",
            form={"username": "officer", "password": PASSWORDS["officer"]},
        )
        assert local.headers["Location"].endswith("/cases?stage=survey")
