"""Users and their passwords: hashing (bounded), accounts, roles and activation."""

from __future__ import annotations

import contextlib
import os
import re
import threading

from werkzeug.security import check_password_hash, generate_password_hash

from cases import policy
from cases.errors import InvalidInput, NotFound
from cases.model import (
    ROLES,
    User,
)
from cases.services.common import (
    _now,
)
from cases.unit_of_work import UnitOfWork

MIN_PASSWORD_LENGTH = 10
# At most this many password hashes (scrypt, 32 MiB each) run at once in a process: a
# burst of bad logins queues here instead of exhausting memory.
HASH_CONCURRENCY = 2
_hash_slots = threading.BoundedSemaphore(HASH_CONCURRENCY)
_hash_lock = threading.Lock()
_hash_stats = {"running": 0, "peak": 0, "done": 0}
_dummy_hash: list[str] = []


@contextlib.contextmanager
def _hashing():
    with _hash_slots:
        with _hash_lock:
            _hash_stats["running"] += 1
            _hash_stats["peak"] = max(_hash_stats["peak"], _hash_stats["running"])
        try:
            yield
        finally:
            with _hash_lock:
                _hash_stats["running"] -= 1
                _hash_stats["done"] += 1


def hash_stats(*, reset: bool = False) -> dict:
    """Password hashes running now, the most at once, and done (since the last reset)."""
    with _hash_lock:
        stats = dict(_hash_stats)
        if reset:
            _hash_stats.update(peak=_hash_stats["running"], done=0)
    return stats


def hash_password(password: str) -> str:
    with _hashing():
        return generate_password_hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    with _hashing():
        return check_password_hash(password_hash, password)


def _check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
            f"รหัสผ่านต้องมีอย่างน้อย {MIN_PASSWORD_LENGTH} ตัวอักษร",
        )


def add_user(
    uow: UnitOfWork,
    username: str,
    password: str,
    role: str,
    *,
    community_id: str | None = None,
    display_name: str = "",
) -> User:
    if role not in ROLES:
        raise InvalidInput(
            f"role must be one of {', '.join(ROLES)}", f"บทบาทต้องเป็น {', '.join(ROLES)}"
        )
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{2,80}", username or ""):
        raise InvalidInput(
            "user names are 2-80 letters, digits, '.', '_' or '-'",
            "ชื่อผู้ใช้ต้องเป็นตัวอักษรอังกฤษหรือตัวเลข 2-80 ตัว",
        )
    _check_password_rules(password)
    if policy.needs_community(role) and not community_id:
        raise InvalidInput("a community representative needs a community", "ผู้แทนชุมชนต้องระบุชุมชน")
    password_hash = hash_password(password)
    with uow:
        if policy.needs_community(role):
            uow.repo.get_community(community_id)
        if uow.repo.get_user(username):
            raise InvalidInput(f"user {username!r} exists already", f"มีผู้ใช้ {username!r} อยู่แล้ว")
        user = uow.repo.add_user(
            User(
                username=username,
                role=role,
                community_id=community_id if policy.needs_community(role) else None,
                display_name=display_name or username,
                password_hash=password_hash,
            )
        )
        uow.commit()
    return user


def authenticate(uow: UnitOfWork, username: str, password: str) -> User | None:
    """The active user with this password, or None. An unknown or disabled user costs the
    same hash as a known one, so the time taken does not tell which names exist."""
    with uow:
        user = uow.repo.get_user(username or "")
    if user is None:
        if not _dummy_hash:
            _dummy_hash.append(generate_password_hash(os.urandom(16).hex()))
        verify_password(_dummy_hash[0], password or "")
        return None
    ok = verify_password(user.password_hash, password or "")
    return user if ok and user.active else None


def get_user(uow: UnitOfWork, username: str) -> User | None:
    with uow:
        return uow.repo.get_user(username)


def list_users(uow: UnitOfWork) -> list[User]:
    with uow:
        return uow.repo.list_users()


def _existing_user(uow: UnitOfWork, username: str) -> User:
    user = uow.repo.get_user(username)
    if user is None:
        raise NotFound(f"no user {username!r}", f"ไม่มีผู้ใช้ {username!r}")
    return user


def change_password(uow: UnitOfWork, username: str, password: str) -> int:
    """Set a new password and end every session of the user; how many sessions ended."""
    _check_password_rules(password)
    password_hash = hash_password(password)
    with uow:
        user = _existing_user(uow, username)
        user.password_hash = password_hash
        uow.repo.update_user(user)
        ended = uow.repo.end_sessions_of(user.id, _now())
        uow.commit()
    return ended


def set_user_active(uow: UnitOfWork, username: str, active: bool) -> int:
    """Enable or disable a user; disabling ends every session. How many sessions ended."""
    with uow:
        user = _existing_user(uow, username)
        user.active = active
        uow.repo.update_user(user)
        ended = 0 if active else uow.repo.end_sessions_of(user.id, _now())
        uow.commit()
    return ended


def set_user_role(
    uow: UnitOfWork, username: str, role: str, *, community_id: str | None = None
) -> User:
    """Give a user another role; it applies from the user's next request."""
    if role not in ROLES:
        raise InvalidInput(
            f"role must be one of {', '.join(ROLES)}", f"บทบาทต้องเป็น {', '.join(ROLES)}"
        )
    if policy.needs_community(role) and not community_id:
        raise InvalidInput("a community representative needs a community", "ผู้แทนชุมชนต้องระบุชุมชน")
    with uow:
        user = _existing_user(uow, username)
        if policy.needs_community(role):
            uow.repo.get_community(community_id)
        user.role = role
        user.community_id = community_id if policy.needs_community(role) else None
        uow.repo.update_user(user)
        uow.commit()
    return user


def users_with_password(uow: UnitOfWork, passwords: dict[str, str]) -> list[str]:
    """Which of these active users still have the given password (e.g. the demo ones)."""
    with uow:
        users = [uow.repo.get_user(name) for name in passwords]
    return [
        u.username
        for u in users
        if u is not None and u.active and verify_password(u.password_hash, passwords[u.username])
    ]
