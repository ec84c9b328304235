"""Logins, sessions, login rate limits and CSRF.

Pages log in with a form; the signed session cookie carries only a random session id,
whose sha256 is a row of the case store's `sessions` table, so every app server on the
same database shares the sessions, and logout, a new password or disabling the user ends
them all at once. The user row is read on every request: a new role or a disabled user
applies on the next one. Scripts may call the API with HTTP Basic auth instead; those
requests carry no ambient cookie, so they are exempt from the CSRF check.

Failed logins (form and Basic) are counted per user name and per address with
Flask-Limiter's storage; past the limit the answer is 429 with Retry-After, before any
password is hashed. See docs/decisions/0011-sessions-and-logins.md.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import os
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import limits
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import TooManyRequests

from app.casestore import uow
from cases import policy, services
from cases.errors import DomainError, Forbidden

bp = Blueprint("auth", __name__, url_prefix="/auth")
csrf = CSRFProtect()
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

DEFAULTS = {
    "SESSION_IDLE_SECONDS": 2 * 3600,  # a session unused this long is over
    "SESSION_MAX_AGE_SECONDS": 12 * 3600,  # and any session this old
    "SESSION_TOUCH_SECONDS": 60,  # last_seen_at is written at most this often
    "LOGIN_FAILURES_PER_USER": "5 per 15 minutes",
    "LOGIN_FAILURES_PER_ADDRESS": "30 per 15 minutes",
    # Where failures are counted: memory (one process) or e.g. redis://host:6379 to share
    # the counts between app servers (any Flask-Limiter / `limits` storage URI).
    "RATELIMIT_STORAGE_URI": "memory://",
}


class NotLoggedIn(DomainError):
    status = 401


class TooManyAttempts(TooManyRequests):
    """Too many failed logins for a user name or an address; app/errors.py answers it."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after=retry_after)
        self.retry_seconds = retry_after


def current_user():
    return g.get("user")


def login_required(view):
    """Pages: redirect to the login form. API: 401 JSON."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.get("user") is None:
            if request.path.startswith("/api/"):
                raise NotLoggedIn("log in first", "กรุณาเข้าสู่ระบบก่อน")
            return redirect(url_for("auth.login", next=request.full_path))
        return view(**kwargs)

    return wrapped


def roles_required(*roles):
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(**kwargs):
            if g.user.role not in roles:
                raise Forbidden(
                    f"this needs the role {' or '.join(roles)}", "บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้"
                )
            return view(**kwargs)

        return wrapped

    return decorator


# -- failed-login limits -------------------------------------------------------
def _limits(username: str) -> list[tuple[limits.RateLimitItem, str, str]]:
    """(limit, kind, key) for this user name and the request's address."""
    config = current_app.config
    return [
        (limits.parse(config["LOGIN_FAILURES_PER_USER"]), "user", username.lower()[:80]),
        (
            limits.parse(config["LOGIN_FAILURES_PER_ADDRESS"]),
            "address",
            request.remote_addr or "",
        ),
    ]


def _strategy():
    limiter: Limiter = current_app.extensions["planner"]["login_limiter"]
    return limiter.limiter if limiter.enabled else None


def check_login_limits(username: str) -> None:
    """Raise TooManyAttempts when this user name or address has used up its failures."""
    strategy = _strategy()
    for item, kind, key in _limits(username) if strategy else ():
        if not strategy.test(item, "login-failures", kind, key):
            stats = strategy.get_window_stats(item, "login-failures", kind, key)
            raise TooManyAttempts(max(1, math.ceil(stats.reset_time - time.time())))


def count_login_failure(username: str) -> None:
    strategy = _strategy()
    for item, kind, key in _limits(username) if strategy else ():
        strategy.hit(item, "login-failures", kind, key)


def _forget_user_failures(username: str) -> None:
    strategy = _strategy()
    if strategy:
        item, kind, key = _limits(username)[0]
        strategy.clear(item, "login-failures", kind, key)


# -- sessions ------------------------------------------------------------------
def _seconds(name: str) -> timedelta:
    return timedelta(seconds=float(current_app.config[name]))


def _session_user():
    token = session.get("sid")
    if not token:
        return None
    return services.resume_session(
        uow(),
        token,
        idle=_seconds("SESSION_IDLE_SECONDS"),
        max_age=_seconds("SESSION_MAX_AGE_SECONDS"),
        touch_every=_seconds("SESSION_TOUCH_SECONDS"),
    )


@bp.route("/login", methods=("GET", "POST"))
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "")
        try:
            check_login_limits(username)
        except TooManyAttempts as exc:
            minutes = math.ceil(exc.retry_seconds / 60)
            error = {
                "th": f"ลองเข้าสู่ระบบผิดหลายครั้งเกินไป กรุณารอ {minutes} นาทีแล้วลองใหม่",
                "en": f"Too many failed logins. Wait {minutes} minutes and try again.",
                "both": True,
            }
            response = current_app.make_response(
                (render_template("auth/login.html", error=error), 429)
            )
            response.headers["Retry-After"] = str(exc.retry_seconds)
            return response
        user = services.authenticate(uow(), username, request.form.get("password", ""))
        if user is None:
            count_login_failure(username)
            error = {"th": "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "en": "Wrong user name or password"}
        else:
            _forget_user_failures(username)
            token = services.start_session(uow(), user, max_age=_seconds("SESSION_MAX_AGE_SECONDS"))
            session.clear()
            session["sid"] = token
            return redirect(local_target(request.args.get("next")) or url_for("cases.case_list"))
    return render_template("auth/login.html", error=error), 401 if error else 200


def local_target(raw: str | None) -> str | None:
    """`raw` if it is a path on this site, else None: never redirect to another site.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so
    "/<tab>/evil.com" and "/<backslash>evil.com" would leave the site: refused."""
    if not raw or len(raw) > 2000:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in raw):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not raw.startswith("/") or raw.startswith("//"):
        return None
    return raw


@bp.post("/logout")
def logout():
    """End every session of this user (on every device), not just this cookie."""
    token = session.get("sid")
    if token:
        services.end_sessions(uow(), token)
    session.clear()
    flash("logged_out")
    return redirect(url_for("map.home"))


# -- HTTP Basic ------------------------------------------------------------------
# Remembers which (user, password) pairs verified against which password hash, so that
# scripts making many calls do not pay scrypt on each one. The user row is still read on
# every request: a disabled user, a new role or a new password applies at once.
_BASIC_CACHE: dict[bytes, tuple[float, str]] = {}
_BASIC_KEY = os.urandom(32)
_basic_lock = threading.Lock()
BASIC_CACHE_SECONDS = 300


def _basic_user(username: str, password: str):
    key = hmac.new(_BASIC_KEY, f"{username}\0{password}".encode(), hashlib.sha256).digest()
    user = services.get_user(uow(), username)
    hit = _BASIC_CACHE.get(key)
    if (
        user is not None
        and user.active
        and hit
        and time.monotonic() - hit[0] < BASIC_CACHE_SECONDS
        and hmac.compare_digest(hit[1], user.password_hash)
    ):
        return user
    check_login_limits(username)
    user = services.authenticate(uow(), username, password)
    if user is None:
        count_login_failure(username)
        return None
    with _basic_lock:
        if len(_BASIC_CACHE) > 1000:
            _BASIC_CACHE.clear()
        _BASIC_CACHE[key] = (time.monotonic(), user.password_hash)
    return user


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    csrf.init_app(app)
    # No limits of its own: the login code tests and hits failure counts in its storage.
    limiter = Limiter(
        key_func=lambda: request.remote_addr or "",
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        storage_options=app.config.get("RATELIMIT_STORAGE_OPTIONS", {}),
    )
    limiter.init_app(app)
    app.extensions["planner"]["login_limiter"] = limiter

    @app.before_request
    def load_user():
        g.user = None
        auth = request.authorization
        if auth and auth.type == "basic" and request.path.startswith("/api/"):
            g.user = _basic_user(auth.username or "", auth.password or "")
            if g.user is None:
                raise NotLoggedIn("wrong user name or password", "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")
            return
        g.user = _session_user()
        if g.user is None and session.get("sid"):
            session.pop("sid")  # ended or expired: drop it from the cookie too
        if g.user is None and request.path.startswith("/api/"):
            return  # not logged in: the API answers 401, there is no session to protect
        if request.method in UNSAFE_METHODS and app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()

    @app.context_processor
    def inject_user():
        user = g.get("user")
        return {"current_user": user, "is_officer": policy.is_officer(user)}
