"""Logins, sessions and CSRF.

Pages log in with a form and a session cookie; every form carries a CSRF token.
Scripts may call the API with HTTP Basic auth instead; those requests carry no
ambient cookie, so they are exempt from the CSRF check.
"""

from __future__ import annotations

import functools
import hashlib
import time

from flask import (
    Blueprint,
    Flask,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFProtect

from app.casestore import uow
from cases import services
from cases.errors import DomainError, Forbidden

bp = Blueprint("auth", __name__, url_prefix="/auth")
csrf = CSRFProtect()
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class NotLoggedIn(DomainError):
    status = 401


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


@bp.route("/login", methods=("GET", "POST"))
def login():
    error = None
    if request.method == "POST":
        user = services.authenticate(
            uow(), request.form.get("username", ""), request.form.get("password", "")
        )
        if user is None:
            error = {"th": "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "en": "Wrong user name or password"}
        else:
            session.clear()
            session["username"] = user.username
            target = request.args.get("next") or url_for("cases.case_list")
            # Only local paths: never redirect to another site after login.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("cases.case_list")
            return redirect(target)
    return render_template("auth/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    session.clear()
    flash("logged_out")
    return redirect(url_for("map.home"))


_BASIC_CACHE: dict[tuple[str, str], tuple[float, object]] = {}
BASIC_CACHE_SECONDS = 60


def _basic_user(username: str, password: str):
    """Check HTTP Basic credentials; a good pair is remembered for a minute, so that
    scripts making many calls do not pay the password hash on each one."""
    key = (username, hashlib.sha256(password.encode()).hexdigest())
    hit = _BASIC_CACHE.get(key)
    if hit and time.monotonic() - hit[0] < BASIC_CACHE_SECONDS:
        return hit[1]
    user = services.authenticate(uow(), username, password)
    if user is not None:
        if len(_BASIC_CACHE) > 1000:
            _BASIC_CACHE.clear()
        _BASIC_CACHE[key] = (time.monotonic(), user)
    return user


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)

    @app.before_request
    def load_user():
        g.user = None
        auth = request.authorization
        if auth and auth.type == "basic" and request.path.startswith("/api/"):
            g.user = _basic_user(auth.username or "", auth.password or "")
            if g.user is None:
                raise NotLoggedIn("wrong user name or password", "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")
            return
        username = session.get("username")
        if username:
            user = services.get_user(uow(), username)
            g.user = user if user and user.active else None
        if g.user is None and request.path.startswith("/api/"):
            return  # not logged in: the API answers 401, there is no session to protect
        if request.method in UNSAFE_METHODS and app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()

    @app.context_processor
    def inject_user():
        return {"current_user": g.get("user")}
