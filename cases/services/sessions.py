"""Login sessions: opened at login, resumed per request, ended at logout."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from cases.model import (
    LoginSession,
    User,
)
from cases.services.common import (
    _now,
)
from cases.unit_of_work import UnitOfWork


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(uow: UnitOfWork, user: User, *, max_age: timedelta) -> str:
    """Open a session for a user who just logged in; returns its random id (for the
    cookie; only its sha256 is stored). Sessions older than twice `max_age` are dropped."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with uow:
        uow.repo.add_session(
            LoginSession(
                token_hash=_token_hash(token), user_id=user.id, created_at=now, last_seen_at=now
            )
        )
        user.last_login_at = now
        uow.repo.update_user(user)
        uow.repo.delete_sessions_before(now - 2 * max_age)
        uow.commit()
    return token


def resume_session(
    uow: UnitOfWork,
    token: str,
    *,
    idle: timedelta,
    max_age: timedelta,
    touch_every: timedelta = timedelta(minutes=1),
) -> User | None:
    """The user of an open session, read afresh (role, active); None when the session is
    unknown, ended, idle longer than `idle` or older than `max_age` (then it is ended).
    `last_seen_at` is written at most once per `touch_every`."""
    if not token:
        return None
    now = _now()
    with uow:
        found = uow.repo.get_session(_token_hash(token))
        if found is None:
            return None
        login, user = found
        if login.ended_at is not None:
            return None
        if not user.active or now - login.last_seen_at > idle or now - login.created_at > max_age:
            uow.repo.end_session(login.id, now)
            uow.commit()
            return None
        if now - login.last_seen_at >= touch_every:
            uow.repo.touch_session(login.id, now)
            uow.commit()
    return user


def end_sessions(uow: UnitOfWork, token: str) -> int:
    """Log out: end every session of the user this session belongs to."""
    with uow:
        found = uow.repo.get_session(_token_hash(token or ""))
        if found is None:
            return 0
        ended = uow.repo.end_sessions_of(found[1].id, _now())
        uow.commit()
    return ended
