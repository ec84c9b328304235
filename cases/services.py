"""What the web app, the API and the CLI call. Each function is one unit of
work: it checks permissions, applies the domain rules, writes the audit log,
and commits; or it raises a domain error and nothing changes."""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import os
import re
import secrets
import tempfile
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
import yaml
from pyproj import Transformer
from shapely.geometry import shape
from werkzeug.security import check_password_hash, generate_password_hash

from cases import policy
from cases.errors import Forbidden, InvalidInput, NotFound
from cases.model import (
    HOUSE_STATUSES,
    MAX_BAHT,
    MAX_TEXT,
    MAX_VERSION,
    ROLES,
    AuditEntry,
    BudgetLine,
    Case,
    Document,
    Household,
    LayoutDecision,
    LoginSession,
    Plot,
    StageEvent,
    User,
    date_range_problem,
    snapshot,
)
from cases.unit_of_work import UnitOfWork
from cases.workflow import Workflows, default_workflows

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# Thailand's extent, generously (lon/lat): a drawn site outside it is a mistake.
THAILAND = shapely.box(97.3, 5.6, 105.7, 20.5)
_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32647", always_xy=True)
_TO_WGS84 = Transformer.from_crs("EPSG:32647", "EPSG:4326", always_xy=True)
# Letters, digits and Thai (whose vowel and tone marks \w does not match), '.', '-', ' '.
_SAFE_FILENAME = re.compile(r"[^\w.\- \u0E00-\u0E7F]+", re.UNICODE)


BANGKOK = ZoneInfo("Asia/Bangkok")


def today_in_thailand() -> date:
    """Today's date where the cases are, whatever the server's time zone."""
    return datetime.now(BANGKOK).date()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _audit(uow: UnitOfWork, user: User, action: str, entity: str, entity_id, before, after) -> None:
    uow.repo.add_audit(
        AuditEntry(
            at=_now(),
            username=user.username,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before,
            after=after,
        )
    )


MAX_INT = 2**31 - 1
MAX_PAGE = 100_000  # a page number of a list; further pages are empty anyway


FIELD_NAMES_TH = {
    "title_th": "ชื่อกรณี (ไทย)",
    "title_en": "ชื่อกรณี (อังกฤษ)",
    "cooperative_name": "ชื่อสหกรณ์",
    "note": "หมายเหตุ",
    "phone": "โทรศัพท์",
    "plot_no": "เลขแปลง",
    "head_name": "ชื่อหัวหน้าครัวเรือน",
    "members": "จำนวนสมาชิก",
    "monthly_income": "รายได้ต่อเดือน",
    "planned": "วงเงินที่วางแผน",
    "approved": "วงเงินที่อนุมัติ",
    "disbursed": "เงินที่เบิกจ่าย",
    "agreed_by": "ผู้ตกลง",
    "option_name": "ชื่อทางเลือก",
}


def _th(name: str) -> str:
    return FIELD_NAMES_TH.get(name, name)


def _check_length(value, name: str, limit: int = MAX_TEXT) -> None:
    if value is not None and len(str(value)) > limit:
        raise InvalidInput(
            f"{name} is longer than {limit} characters",
            f"{_th(name)} ยาวเกิน {limit} ตัวอักษร",
            field=name,
        )


def _check_date(value: date | None, name: str) -> None:
    """A date the programmes' records can carry (cases.model's range), or refused."""
    problem = value is not None and date_range_problem(value, name)
    if problem:
        raise InvalidInput(problem[0], problem[1].replace(name, _th(name), 1), field=name)


# -- geometry at the boundary ---------------------------------------------------
def geometry_from_geojson(geojson: dict | None, *, allowed: tuple[str, ...], what: dict[str, str]):
    """A GeoJSON geometry (lon/lat, as drawn on the map) checked and converted to EPSG:32647.

    Refused: unreadable, empty, wrong type, invalid, or outside Thailand.
    """
    if geojson is None:
        return None
    try:
        geom = shape(geojson)
    except Exception as exc:
        raise InvalidInput(
            f"{what['en']}: not a GeoJSON geometry ({exc})", f"{what['th']}: รูปเรขาคณิตอ่านไม่ได้"
        ) from exc
    if geom.is_empty:
        raise InvalidInput(f"{what['en']}: the geometry is empty", f"{what['th']}: ไม่มีรูปเรขาคณิต")
    if geom.geom_type not in allowed:
        raise InvalidInput(
            f"{what['en']}: must be {' or '.join(allowed)}, not {geom.geom_type}",
            f"{what['th']}: ต้องเป็น {' หรือ '.join(allowed)} ไม่ใช่ {geom.geom_type}",
            field="geometry",
        )
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise InvalidInput(
            f"{what['en']}: the geometry is invalid ({reason})",
            f"{what['th']}: รูปเรขาคณิตไม่ถูกต้อง ({reason})",
            field="geometry",
        )
    if not THAILAND.contains(geom):
        raise InvalidInput(
            f"{what['en']}: lies outside Thailand; check that longitude and latitude are not swapped",
            f"{what['th']}: อยู่นอกประเทศไทย ตรวจสอบว่าไม่ได้สลับลองจิจูดกับละติจูด",
            field="geometry",
        )
    return _reproject(geom, _TO_UTM)


def _reproject(geom, transformer: Transformer):
    def transform(coords):
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, transform)


def geometry_to_geojson(geom) -> dict | None:
    if geom is None:
        return None
    return shapely.geometry.mapping(_reproject(geom, _TO_WGS84))


# -- users ------------------------------------------------------------------
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
    if role == "community_rep" and not community_id:
        raise InvalidInput("a community representative needs a community", "ผู้แทนชุมชนต้องระบุชุมชน")
    password_hash = hash_password(password)
    with uow:
        if role == "community_rep":
            uow.repo.get_community(community_id)
        if uow.repo.get_user(username):
            raise InvalidInput(f"user {username!r} exists already", f"มีผู้ใช้ {username!r} อยู่แล้ว")
        user = uow.repo.add_user(
            User(
                username=username,
                role=role,
                community_id=community_id if role == "community_rep" else None,
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
    if role == "community_rep" and not community_id:
        raise InvalidInput("a community representative needs a community", "ผู้แทนชุมชนต้องระบุชุมชน")
    with uow:
        user = _existing_user(uow, username)
        if role == "community_rep":
            uow.repo.get_community(community_id)
        user.role = role
        user.community_id = community_id if role == "community_rep" else None
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


# -- login sessions ------------------------------------------------------------
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


# -- cases ------------------------------------------------------------------
def _case_for(uow: UnitOfWork, user: User, case_id: int, *, edit: bool = False) -> Case:
    case = uow.repo.get_case(case_id)
    (policy.require_edit if edit else policy.require_view)(user, case)
    return case


def require_edit_of(
    uow: UnitOfWork,
    user: User,
    *,
    case_id: int | None = None,
    household_id: int | None = None,
    plot_id: int | None = None,
    officers_only: bool = False,
    **_ignored,
) -> None:
    """Forbidden (403) or NotFound (404) unless `user` may change this record: checked
    before the request's body is read, so a refusal never depends on the body."""
    if officers_only and user.role not in ("admin", "officer"):
        raise Forbidden("only officers may do this", "เฉพาะเจ้าหน้าที่เท่านั้นที่ทำรายการนี้ได้")
    with uow:
        if household_id is not None:
            case_id = uow.repo.get_household(household_id).case_id
        elif plot_id is not None:
            case_id = uow.repo.get_plot(plot_id).case_id
        if case_id is not None:
            _case_for(uow, user, case_id, edit=True)
        elif user.role == "viewer":
            raise Forbidden("municipality viewers only read", "ผู้ดูข้อมูลดูได้อย่างเดียว แก้ไขไม่ได้")


def _check_version(expected_version) -> int:
    try:
        version = int(str(expected_version).strip()[:20])
    except (TypeError, ValueError):
        raise InvalidInput(
            "the record's version is required (it was read with the record)",
            "ต้องส่งหมายเลขฉบับของข้อมูลมาด้วย",
            field="version",
        ) from None
    if not 1 <= version <= MAX_VERSION:
        raise InvalidInput(
            f"version must be between 1 and {MAX_VERSION:,}",
            f"หมายเลขฉบับ (version) ต้องอยู่ระหว่าง 1 ถึง {MAX_VERSION:,}",
            field="version",
        )
    return version


def create_case(
    uow: UnitOfWork,
    user: User,
    *,
    community_id: str,
    case_type: str,
    title_th: str,
    title_en: str = "",
    variant: str | None = None,
    site_geojson: dict | None = None,
    on: date | None = None,
    ref: str | None = None,
    workflows: Workflows | None = None,
) -> Case:
    workflows = workflows or default_workflows()
    if user.role not in ("admin", "officer"):
        raise Forbidden("only officers open new cases", "เฉพาะเจ้าหน้าที่เท่านั้นที่เปิดกรณีใหม่ได้")
    try:
        ctype = workflows.case_type(case_type)
    except KeyError:
        raise InvalidInput(
            f"unknown case type {case_type!r}", f"ไม่รู้จักประเภทกรณี {case_type!r}", field="case_type"
        ) from None
    variants = workflows.variants.get(ctype.programme, {})
    if variant and variant not in variants:
        raise InvalidInput(
            f"unknown variant {variant!r} for {case_type}",
            f"ไม่รู้จักประเภทย่อย {variant!r}",
            field="variant",
        )
    if not (title_th or "").strip():
        raise InvalidInput("the case needs a Thai title", "ต้องมีชื่อกรณีภาษาไทย", field="title_th")
    for name, value in (("title_th", title_th), ("title_en", title_en), ("variant", variant)):
        _check_length(value, name)
    _check_date(on, "on")
    site = geometry_from_geojson(
        site_geojson,
        allowed=("Polygon", "MultiPolygon"),
        what={"en": "site boundary", "th": "ขอบเขตพื้นที่"},
    )
    on = on or today_in_thailand()
    with uow:
        uow.repo.get_community(community_id)
        if ref is None:
            _, count = uow.repo.list_cases(community_id=community_id)
            ref = f"{community_id}-{case_type[:3].upper()}-{count + 1:02d}"
        case = Case(
            ref=ref,
            community_id=community_id,
            case_type=case_type,
            variant=variant,
            title_th=title_th.strip(),
            title_en=(title_en or title_th).strip(),
            stage=ctype.first_stage.id,
            stage_entered_on=on,
            site=site,
            created_on=on,
        )
        uow.repo.add_case(case, ctype.programme)
        uow.repo.add_event(
            StageEvent(
                case_id=case.id,
                from_stage=None,
                to_stage=case.stage,
                on=on,
                by=user.username,
                note="case opened",
            )
        )
        _audit(uow, user, "create", "case", case.id, None, snapshot(case))
        uow.commit()
    return case


def get_case(uow: UnitOfWork, user: User, case_id: int) -> Case:
    with uow:
        return _case_for(uow, user, case_id)


def update_case(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    changes: dict[str, Any],
    expected_version,
    *,
    workflows: Workflows | None = None,
    event_note: str = "",
) -> Case:
    """Change a case's fields. Putting a case on hold or releasing it (a change of
    `hold_reason`) is also recorded on its timeline, with `event_note`."""
    workflows = workflows or default_workflows()
    expected = _check_version(expected_version)
    changes = dict(changes)
    if "hold_reason" in changes:
        changes["hold_reason"] = changes["hold_reason"] or None
    unknown = set(changes) - set(Case.EDITABLE) - {"site"}
    if unknown:
        raise InvalidInput(
            f"these fields cannot be changed: {', '.join(sorted(unknown))}",
            f"แก้ไขฟิลด์เหล่านี้ไม่ได้: {', '.join(sorted(unknown))}",
        )
    if changes.get("hold_reason") and changes["hold_reason"] not in workflows.hold_reasons:
        raise InvalidInput(
            f"unknown hold reason {changes['hold_reason']!r}",
            f"ไม่รู้จักเหตุที่หยุดชะงัก {changes['hold_reason']!r}",
            field="hold_reason",
        )
    if changes.get("variant"):
        ctype_programmes = {t.programme for t in workflows.case_types.values()}
        known = {v for p in ctype_programmes for v in workflows.variants.get(p, {})}
        if changes["variant"] not in known:
            raise InvalidInput(
                f"unknown variant {changes['variant']!r}",
                f"ไม่รู้จักประเภทย่อย {changes['variant']!r}",
                field="variant",
            )
    for name in ("title_th", "title_en"):
        if name in changes and not str(changes[name] or "").strip():
            raise InvalidInput(f"{name} cannot be blank", "ชื่อกรณีต้องไม่ว่าง", field=name)
    for name in ("title_th", "title_en", "cooperative_name", "note", "variant"):
        _check_length(changes.get(name), name)
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        before = snapshot(case)
        for name, value in changes.items():
            if name == "site":
                value = geometry_from_geojson(
                    value,
                    allowed=("Polygon", "MultiPolygon"),
                    what={"en": "site boundary", "th": "ขอบเขตพื้นที่"},
                )
            setattr(case, name, value if value != "" or name == "note" else None)
        uow.repo.update_case(case, expected)
        if "hold_reason" in changes and changes["hold_reason"] != before["hold_reason"]:
            uow.repo.add_event(
                StageEvent(
                    case_id=case.id,
                    from_stage=case.stage,
                    to_stage=case.stage,
                    on=today_in_thailand(),
                    by=user.username,
                    kind="hold" if case.hold_reason else "release",
                    hold_reason=case.hold_reason,
                    note=event_note,
                )
            )
        _audit(uow, user, "update", "case", case.id, before, snapshot(case))
        uow.commit()
    return case


def store_document_file(uow: UnitOfWork, data: bytes) -> str:
    """Content-addressed: documents/<sha[:2]>/<sha>. Written before the row, via a temp file."""
    digest = hashlib.sha256(data).hexdigest()
    target = uow.documents_dir / digest[:2] / digest
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    return digest


def document_path(uow: UnitOfWork, document: Document) -> Path:
    return uow.documents_dir / document.sha256[:2] / document.sha256


def _check_document(kind: str, filename: str, data: bytes, workflows: Workflows) -> None:
    if kind not in workflows.document_kinds:
        raise InvalidInput(
            f"unknown document kind {kind!r}", f"ไม่รู้จักประเภทเอกสาร {kind!r}", field="kind"
        )
    if not data:
        raise InvalidInput(
            f"the file {filename!r} is empty", f"ไฟล์ {filename!r} ว่างเปล่า", field="file"
        )
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            f"the file {filename!r} is {len(data):,} bytes; the limit is {MAX_DOCUMENT_BYTES:,}",
            f"ไฟล์ {filename!r} ใหญ่เกินกำหนด ({len(data):,} ไบต์ เกิน {MAX_DOCUMENT_BYTES:,})",
            field="file",
        )


def _new_document(
    uow: UnitOfWork,
    user: User,
    case: Case,
    kind: str,
    filename: str,
    content_type: str,
    data: bytes,
    workflows: Workflows,
) -> Document:
    _check_document(kind, filename, data, workflows)
    safe_name = _SAFE_FILENAME.sub("_", Path(filename or "document").name)[:200] or "document"
    digest = store_document_file(uow, data)
    return uow.repo.add_document(
        Document(
            case_id=case.id,
            kind=kind,
            filename=safe_name,
            content_type=(content_type or "application/octet-stream")[:120],
            size=len(data),
            sha256=digest,
            uploaded_by=user.username,
            uploaded_at=_now(),
        )
    )


def upload_document(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    *,
    kind: str,
    filename: str,
    content_type: str,
    data: bytes,
    workflows: Workflows | None = None,
) -> Document:
    workflows = workflows or default_workflows()
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        document = _new_document(uow, user, case, kind, filename, content_type, data, workflows)
        _audit(uow, user, "upload", "document", document.id, None, snapshot(document))
        uow.commit()
    return document


def get_document(uow: UnitOfWork, user: User, document_id: int) -> tuple[Document, Path]:
    with uow:
        document = uow.repo.get_document(document_id)
        _case_for(uow, user, document.case_id)
        policy.require_document(user, document.kind, default_workflows())
        return document, document_path(uow, document)


def move_stage(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    to_stage: str,
    *,
    expected_version,
    on: date | None = None,
    note: str = "",
    new_documents: list[dict] | None = None,
    workflows: Workflows | None = None,
) -> StageEvent:
    """Move a case to another stage with the documents that go with the move.

    `new_documents` are dicts of kind, filename, content_type and data, attached
    in the same transaction: a refused move stores none of them.
    """
    workflows = workflows or default_workflows()
    expected = _check_version(expected_version)
    _check_date(on, "on")
    on = on or today_in_thailand()
    if on > today_in_thailand():
        raise InvalidInput(f"the move date {on} is in the future", f"วันที่ {on} ยังมาไม่ถึง", field="on")
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        if user.role == "community_rep":
            raise Forbidden(
                "community representatives propose; officers move stages",
                "ผู้แทนชุมชนเสนอได้ แต่การย้ายขั้นตอนต้องทำโดยเจ้าหน้าที่",
            )
        if case.version != expected:
            # Checked before the workflow: two officers making the same move both
            # see the stage they started from, and the second one is told why.
            uow.repo.update_case(case, expected)
        before = snapshot(case)
        new_documents = new_documents or []
        for d in new_documents:
            _check_document(d["kind"], d["filename"], d["data"], workflows)
        # Check the move first, counting the documents that come with it, so that a
        # refused move writes no file at all.
        documents = {d.kind for d in uow.repo.list_documents(case.id)}
        documents |= {d["kind"] for d in new_documents}
        approved = {b.kind for b in uow.repo.list_budget_lines(case.id) if b.approved > 0}
        agreed = uow.repo.household_counts([case.id]).get(case.id, {}).get("agreed", 0)
        event = case.move_to(
            workflows,
            to_stage,
            on=on,
            by=user.username,
            note=note,
            documents=documents,
            approved_budget=approved,
            households_agreed=agreed,
        )
        uow.repo.update_case(case, expected)
        attached = [
            _new_document(
                uow,
                user,
                case,
                d["kind"],
                d["filename"],
                d.get("content_type", ""),
                d["data"],
                workflows,
            )
            for d in new_documents
        ]
        event.document_ids = [d.id for d in attached]
        uow.repo.add_event(event)
        uow.repo.link_documents(event.document_ids, event.id)
        _audit(uow, user, "move_stage", "case", case.id, before, snapshot(case))
        uow.commit()
    return event


def case_detail(
    uow: UnitOfWork, user: User, case_id: int, *, workflows: Workflows | None = None
) -> dict:
    """Everything the case page shows, with personal data only for those who may see it."""
    workflows = workflows or default_workflows()
    with uow:
        case = _case_for(uow, user, case_id)
        community = uow.repo.get_community(case.community_id)
        counts = uow.repo.household_counts([case.id]).get(case.id, {"households": 0, "agreed": 0})
        detail = {
            "case": case,
            "community": community,
            "counts": counts,
            "events": uow.repo.list_events(case.id),
            "documents": [
                d
                for d in uow.repo.list_documents(case.id)
                if policy.may_open_document(user, d.kind, workflows)
            ],
            "budget_lines": uow.repo.list_budget_lines(case.id),
            "plots": uow.repo.list_plots(case.id),
            "households": uow.repo.list_households(case.id)
            if policy.sees_personal_data(user)
            else None,
            "allowed_moves": workflows.case_type(case.case_type).allowed_moves(case.stage),
            "can_edit": policy.can_edit_case(user, case),
        }
    return detail


def list_cases(
    uow: UnitOfWork,
    user: User,
    *,
    programme=None,
    district=None,
    stage=None,
    search=None,
    stalled: bool = False,
    today: date | None = None,
    page: int = 1,
    per_page: int = 50,
    workflows: Workflows | None = None,
) -> tuple[list[dict], int]:
    workflows = workflows or default_workflows()
    page, per_page = max(1, min(MAX_PAGE, int(page))), max(1, min(500, int(per_page)))
    community_id = user.community_id if user.role == "community_rep" else None
    with uow:
        case_ids = None
        if stalled:
            case_ids = [
                s["id"]
                for s in _stalled(uow, workflows, today or today_in_thailand(), community_id)
            ]
        rows, total = uow.repo.list_cases(
            programme=programme or None,
            district=district or None,
            stage=stage or None,
            community_id=community_id,
            search=(search or "").strip() or None,
            case_ids=case_ids,
            limit=per_page,
            offset=(page - 1) * per_page,
        )
        counts = uow.repo.household_counts([r["id"] for r in rows])
    today = today or today_in_thailand()
    for row in rows:
        row["counts"] = counts.get(row["id"], {"households": 0, "agreed": 0})
        stage = workflows.case_type(row["case_type"]).stage(row["stage"])
        entered = row["stage_entered_on"]
        row["days_in_stage"] = (today - entered).days
        row["stalled"] = bool(stage.stall_days and row["days_in_stage"] > stage.stall_days)
    return rows, total


def _stalled(uow: UnitOfWork, workflows: Workflows, today: date, community_id=None) -> list[dict]:
    thresholds = {
        (ctype.id, stage.id): stage
        for ctype in workflows.case_types.values()
        for stage in ctype.stages
        if stage.stall_days
    }
    # In the stage longer than its threshold: entered before today - stall_days.
    entered_before = {
        key: today - timedelta(days=stage.stall_days) for key, stage in thresholds.items()
    }
    out = uow.repo.case_stage_rows(community_id=community_id, entered_before=entered_before)
    for row in out:
        stage = thresholds[(row["case_type"], row["stage"])]
        row.update(
            days_in_stage=(today - row["stage_entered_on"]).days,
            stall_days=stage.stall_days,
            stage_label=stage.label,
        )
    return sorted(out, key=lambda r: -r["days_in_stage"] / r["stall_days"])


def stalled_cases(
    uow: UnitOfWork, user: User, *, today: date | None = None, workflows: Workflows | None = None
) -> list[dict]:
    workflows = workflows or default_workflows()
    community_id = user.community_id if user.role == "community_rep" else None
    today = today or today_in_thailand()
    return _cached(
        uow,
        ("stalled", today, community_id, id(workflows)),
        lambda: _stalled(uow, workflows, today, community_id),
        copy_out=_copy_rows,
    )


STATUS_COLUMNS = ("finished", "under_construction", "ready_to_build", "not_started")
# Dashboard results per store, query and store generation. Any write that changes
# them bumps the generation in the same transaction, so an entry is never stale.
_DASHBOARD_CACHE: dict[tuple, Any] = {}


def _cached(uow: UnitOfWork, key: tuple, compute, *, copy_out=copy.deepcopy):
    """`compute()` once per store generation; callers get a copy they may change."""
    with uow:
        generation = uow.repo.generation()
        # One database may hold several instances, one per schema: key by both.
        store = (str(uow.engine.url), uow.engine.dialect.default_schema_name)
        full_key = (*store, generation, *key)
        if full_key not in _DASHBOARD_CACHE:
            if len(_DASHBOARD_CACHE) > 256:
                _DASHBOARD_CACHE.clear()
            _DASHBOARD_CACHE[full_key] = compute()
        return copy_out(_DASHBOARD_CACHE[full_key])


def _copy_rows(rows: list[dict]) -> list[dict]:
    return [dict(row) for row in rows]


def progress(uow: UnitOfWork, user: User | None = None, *, programme: str | None = None) -> dict:
    """Progress by district (and programme), the way the government reports it.

    `finished` counts houses finished, including those whose families moved in.
    Shares are of all households.
    """
    community_id = user.community_id if user and user.role == "community_rep" else None
    return _cached(
        uow,
        ("progress", programme, community_id),
        lambda: _progress(
            uow.repo.progress_rows(programme=programme, community_id=community_id), programme
        ),
    )


def _progress(rows, programme):
    districts: dict[str, dict] = {}
    for district_en, district_th, prog, status, agreed, n in rows:
        item = districts.setdefault(
            district_en,
            {
                "district_en": district_en,
                "district_th": district_th,
                "programmes": set(),
                "households": 0,
                "households_agreed": 0,
                **dict.fromkeys(STATUS_COLUMNS, 0),
                "moved_in": 0,
            },
        )
        n = int(n)
        item["programmes"].add(prog)
        item["households"] += n
        item["households_agreed"] += n if agreed else 0
        column = "finished" if status == "moved_in" else status
        item[column] += n
        if status == "moved_in":
            item["moved_in"] += n
    table = []
    for item in sorted(districts.values(), key=lambda d: _DISTRICT_ORDER.get(d["district_en"], 99)):
        item["programmes"] = sorted(item["programmes"])
        table.append(item)
    total = {
        "district_en": "total",
        "district_th": "รวม",
        "households": 0,
        "households_agreed": 0,
        "moved_in": 0,
        **dict.fromkeys(STATUS_COLUMNS, 0),
    }
    for item in table:
        for key in ("households", "households_agreed", "moved_in", *STATUS_COLUMNS):
            total[key] += item[key]
    for item in [*table, total]:
        item["shares"] = {
            key: round(100 * item[key] / total["households"], 2) if total["households"] else 0.0
            for key in STATUS_COLUMNS
        }
    return {"programme": programme, "districts": table, "total": total}


# Districts in the order the canal runs (north from the mouth); others after, by name.
_DISTRICT_ORDER = {
    "Dusit": 0,
    "Bang Sue": 1,
    "Chatuchak": 2,
    "Lak Si": 3,
    "Don Mueang": 4,
    "Lak Hok": 5,
}


def finished_over_time(
    uow: UnitOfWork, user: User | None = None, *, programme: str | None = None
) -> list[dict]:
    if user is not None and user.role == "community_rep":
        with uow:
            months = uow.repo.finished_by_month_for_community(
                user.community_id, programme=programme
            )
    else:
        months = _cached(
            uow,
            ("finished", programme),
            lambda: uow.repo.finished_by_month(programme=programme),
            copy_out=list,
        )
    out, cumulative = [], 0
    for month, n in months:
        cumulative += n
        out.append({"month": month, "finished": n, "cumulative": cumulative})
    return out


# -- households -------------------------------------------------------------------
def _household_values(changes: dict[str, Any], workflows: Workflows) -> dict[str, Any]:
    out = {}
    for name, value in changes.items():
        if name not in Household.EDITABLE:
            raise InvalidInput(
                f"household field {name!r} cannot be changed",
                f"แก้ไขฟิลด์ {name!r} ของครัวเรือนไม่ได้",
                field=name,
            )
        if name in ("members", "monthly_income") and value not in (None, ""):
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise InvalidInput(
                    f"{name} must be a whole number", f"{_th(name)} ต้องเป็นจำนวนเต็ม", field=name
                ) from None
            if not 0 <= value <= MAX_INT:
                raise InvalidInput(
                    f"{name} must be between 0 and {MAX_INT:,}",
                    f"{_th(name)} ต้องอยู่ระหว่าง 0 ถึง {MAX_INT:,}",
                    field=name,
                )
        if name in ("members", "monthly_income") and value == "":
            value = None
        if name in ("phone", "plot_no"):
            _check_length(value, name, 40)
        if name == "head_name":
            _check_length(value, name, 200)
        if name == "tenure" and value not in workflows.tenure_kinds:
            raise InvalidInput(
                f"unknown tenure {value!r}", f"ไม่รู้จักสถานะการครอบครอง {value!r}", field=name
            )
        if name == "house_status" and value not in HOUSE_STATUSES:
            raise InvalidInput(
                f"unknown house status {value!r}", f"ไม่รู้จักสถานะบ้าน {value!r}", field=name
            )
        if name == "agreed_to_move":
            value = value in (True, "true", "1", "on", 1)
        if name == "location":
            value = geometry_from_geojson(
                value, allowed=("Point",), what={"en": "household location", "th": "ตำแหน่งครัวเรือน"}
            )
        out[name] = value
    return out


def add_household(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    values: dict[str, Any],
    *,
    workflows: Workflows | None = None,
) -> Household:
    workflows = workflows or default_workflows()
    values = _household_values(values, workflows)
    status = values.pop("house_status", "not_started")
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        household = Household(
            case_id=case.id, household_no=uow.repo.next_household_no(case.id), **values
        )
        household.set_house_status(status, today_in_thailand())
        uow.repo.add_household(household)
        _audit(uow, user, "create", "household", household.id, None, snapshot(household))
        uow.commit()
    return household


def get_household(uow: UnitOfWork, user: User, household_id: int) -> Household:
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id)
        policy.require_personal_data(user)
        return household


def list_households(uow: UnitOfWork, user: User, case_id: int) -> list[Household]:
    with uow:
        _case_for(uow, user, case_id)
        policy.require_personal_data(user)
        return uow.repo.list_households(case_id)


def update_household(
    uow: UnitOfWork,
    user: User,
    household_id: int,
    changes: dict[str, Any],
    expected_version,
    *,
    workflows: Workflows | None = None,
) -> Household:
    workflows = workflows or default_workflows()
    expected = _check_version(expected_version)
    values = _household_values(changes, workflows)
    with uow:
        household = uow.repo.get_household(household_id)
        _case_for(uow, user, household.case_id, edit=True)
        before = snapshot(household)
        status = values.pop("house_status", None)
        for name, value in values.items():
            setattr(household, name, value)
        if status:
            household.set_house_status(status, today_in_thailand())
        uow.repo.update_household(household, expected)
        _audit(uow, user, "update", "household", household.id, before, snapshot(household))
        uow.commit()
    return household


# -- plots ------------------------------------------------------------------------
PLOT_KINDS = ("plot", "lane", "common")


def add_plot(
    uow: UnitOfWork, user: User, case_id: int, *, plot_no: str, geometry: dict, kind: str = "plot"
) -> Plot:
    if kind not in PLOT_KINDS:
        raise InvalidInput(
            f"plot kind must be one of {PLOT_KINDS}", "ประเภทแปลงไม่ถูกต้อง", field="kind"
        )
    geom = geometry_from_geojson(
        geometry, allowed=("Polygon",), what={"en": f"plot {plot_no}", "th": f"แปลง {plot_no}"}
    )
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        if any(p.plot_no == str(plot_no) for p in uow.repo.list_plots(case.id)):
            raise InvalidInput(
                f"plot {plot_no} exists already in this case",
                f"มีแปลง {plot_no} อยู่แล้ว",
                field="plot_no",
            )
        plot = uow.repo.add_plot(
            Plot(case_id=case.id, plot_no=str(plot_no), geometry=geom, kind=kind)
        )
        _audit(uow, user, "create", "plot", plot.id, None, snapshot(plot))
        uow.commit()
    return plot


def update_plot(
    uow: UnitOfWork, user: User, plot_id: int, *, geometry: dict, expected_version
) -> Plot:
    expected = _check_version(expected_version)
    with uow:
        plot = uow.repo.get_plot(plot_id)
        _case_for(uow, user, plot.case_id, edit=True)
        before = snapshot(plot)
        plot.geometry = geometry_from_geojson(
            geometry,
            allowed=("Polygon",),
            what={"en": f"plot {plot.plot_no}", "th": f"แปลง {plot.plot_no}"},
        )
        uow.repo.update_plot(plot, expected)
        _audit(uow, user, "update", "plot", plot.id, before, snapshot(plot))
        uow.commit()
    return plot


# -- layout decisions (the community workshop, app/layout_views.py) ----------------------
class LayoutRefused(InvalidInput):
    """A layout, or its agreement, that cannot be saved: answered 400, with every problem
    in `problems` ([{en, th, layer, feature, field}])."""

    status = 400


MAX_LAYOUT_FEATURES = 5000


def layout_context(uow: UnitOfWork, user: User, case_id: int) -> dict:
    """What the workshop page needs: the case, its community, whether the user may save a
    layout, household counts and the case's layout decisions (the latest first)."""
    with uow:
        case = _case_for(uow, user, case_id)
        return {
            "case": case,
            "community": uow.repo.get_community(case.community_id),
            "can_edit": policy.can_edit_case(user, case),
            "counts": uow.repo.household_counts([case.id]).get(
                case.id, {"households": 0, "agreed": 0}
            ),
            "decisions": uow.repo.list_layout_decisions(case.id),
        }


def require_layout_edit(uow: UnitOfWork, user: User, case_id: int) -> Case:
    """The case, if `user` may record a layout decision for it; else Forbidden."""
    with uow:
        return _case_for(uow, user, case_id, edit=True)


def list_layout_decisions(uow: UnitOfWork, user: User, case_id: int) -> list[LayoutDecision]:
    with uow:
        case = _case_for(uow, user, case_id)
        return uow.repo.list_layout_decisions(case.id)


def _layout_refused(en: str, th: str, field: str, problems: list[dict] | None = None):
    return LayoutRefused(
        en,
        th,
        field=field,
        problems=problems or [{"en": en, "th": th, "field": field}],
    )


def record_layout_decision(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    *,
    expected_version,
    option_name: str,
    features: list[dict],
    agreed_by: str,
    agreed_on: date | None,
    note: str = "",
    metrics: dict | None = None,
    parameters: dict | None = None,
    problems: list[dict] | None = None,
) -> LayoutDecision:
    """Save an agreed layout to a case, in one unit of work: the case's plots are replaced
    by `features` (dicts of plot_no, kind plot|lane|common and a shapely Polygon in
    EPSG:32647), a layout decision is recorded with who agreed and when, and the case's
    version moves on (a stale `expected_version` is refused with StaleVersion, 409).

    The layout's invariants (no overlaps, inside the site and outside the canal setback,
    every plot on a lane, every lane reaching the access point) need the layer store, so
    the caller checks them (`gis.layout.layout_problems`) and passes what it found as
    `problems`: any problem refuses the save (LayoutRefused, 400), after the permission
    check, so that a viewer or another community's representative is told 403 first.
    """
    expected = _check_version(expected_version)
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        if problems:
            raise _layout_refused(
                f"the layout breaks {len(problems)} rule(s); fix them before saving",
                f"ผังนี้ผิดเงื่อนไข {len(problems)} ข้อ กรุณาแก้ไขก่อนบันทึก",
                "layout",
                problems,
            )
        agreed_by = (agreed_by or "").strip()
        if not agreed_by:
            raise _layout_refused(
                "say who agreed to the layout (e.g. the savings-group committee)",
                "กรุณาระบุผู้ที่ตกลงเลือกผังนี้ (เช่น คณะกรรมการกลุ่มออมทรัพย์)",
                "agreed_by",
            )
        if agreed_on is None:
            raise _layout_refused("give the date of the agreement", "กรุณาระบุวันที่ตกลง", "agreed_on")
        if agreed_on > today_in_thailand():
            raise _layout_refused(
                f"the agreement date {agreed_on} is in the future",
                f"วันที่ตกลง {agreed_on} ยังมาไม่ถึง",
                "agreed_on",
            )
        for value, name, limit in (
            (agreed_by, "agreed_by", 1000),
            (note, "note", 2000),
            (option_name, "option_name", 300),
        ):
            if value is not None and len(str(value)) > limit:
                raise _layout_refused(
                    f"{name} is longer than {limit} characters",
                    f"{_th(name)} ยาวเกิน {limit} ตัวอักษร",
                    name,
                )
        if not features:
            raise _layout_refused(
                "the layout has no plots, lanes or common space",
                "ผังนี้ไม่มีแปลง ซอย หรือพื้นที่ส่วนกลาง",
                "features",
            )
        if len(features) > MAX_LAYOUT_FEATURES:
            raise _layout_refused(
                f"a layout has at most {MAX_LAYOUT_FEATURES} parts",
                f"ผังหนึ่งมีได้ไม่เกิน {MAX_LAYOUT_FEATURES} ส่วน",
                "features",
            )
        seen: set[str] = set()
        new_plots = []
        for item in features:
            plot_no = str(item.get("plot_no") or "").strip()
            kind = item.get("kind")
            geom = item.get("geometry")
            if not plot_no or len(plot_no) > 40 or plot_no in seen:
                raise _layout_refused(
                    f"every part needs its own number of at most 40 characters ({plot_no!r})",
                    f"ทุกส่วนของผังต้องมีเลขไม่ซ้ำกัน ไม่เกิน 40 ตัวอักษร ({plot_no!r})",
                    "plot_no",
                )
            if kind not in PLOT_KINDS:
                raise _layout_refused(
                    f"part {plot_no}: kind must be one of {', '.join(PLOT_KINDS)}",
                    f"ส่วน {plot_no}: ประเภทไม่ถูกต้อง",
                    "kind",
                )
            if (
                geom is None
                or geom.geom_type != "Polygon"
                or geom.is_empty
                or not geom.is_valid
                or geom.area <= 0
            ):
                raise _layout_refused(
                    f"part {plot_no}: must be one valid polygon",
                    f"ส่วน {plot_no}: ต้องเป็นรูปหลายเหลี่ยมที่ถูกต้องหนึ่งรูป",
                    "geometry",
                )
            seen.add(plot_no)
            new_plots.append(Plot(case_id=case.id, plot_no=plot_no, geometry=geom, kind=kind))
        before_plots = [
            {
                "plot_no": p.plot_no,
                "kind": p.kind,
                "geometry": shapely.to_wkt(p.geometry, rounding_precision=3),
            }
            for p in uow.repo.list_plots(case.id)
        ]
        uow.repo.update_case(case, expected)
        uow.repo.delete_plots_of_case(case.id)
        uow.repo.add_plots(new_plots)
        decision = uow.repo.add_layout_decision(
            LayoutDecision(
                case_id=case.id,
                option_name=(option_name or "").strip() or "-",
                agreed_by=agreed_by,
                agreed_on=agreed_on,
                recorded_by=user.username,
                recorded_at=_now(),
                metrics=metrics or {},
                parameters=parameters or {},
                note=(note or "").strip(),
            )
        )
        counts = {kind: sum(p.kind == kind for p in new_plots) for kind in PLOT_KINDS}
        _audit(
            uow,
            user,
            "record",
            "layout_decision",
            decision.id,
            {"case_version": expected, "plots": before_plots},
            {**snapshot(decision), "case_version": case.version, "plots": counts},
        )
        uow.commit()
    return decision


# -- budget -----------------------------------------------------------------------
BUDGET_DEFAULTS_PATH = Path(__file__).with_name("budget_defaults.yaml")


@functools.cache
def _budget_defaults() -> dict:
    return yaml.safe_load(BUDGET_DEFAULTS_PATH.read_text(encoding="utf-8"))["programmes"]


def budget_rate(programme: str, kind: str) -> dict | None:
    """The editable default rate (`budget_defaults.yaml`) for a programme's budget kind:
    `{per_household, source}`, or None where no public figure exists."""
    rate = _budget_defaults().get(programme, {}).get(kind)
    return rate if rate and rate.get("per_household") else None


def set_budget_line(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    *,
    kind: str,
    planned=None,
    approved=None,
    disbursed=None,
    note: str | None = None,
    expected_version=None,
    workflows: Workflows | None = None,
) -> BudgetLine:
    """Create the case's budget line of `kind`, or update it (then `expected_version` is required)."""
    workflows = workflows or default_workflows()
    if kind not in workflows.budget_kinds:
        raise InvalidInput(
            f"unknown budget kind {kind!r}", f"ไม่รู้จักประเภทงบประมาณ {kind!r}", field="kind"
        )
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        if user.role == "community_rep":
            raise Forbidden("budgets are set by officers", "งบประมาณกำหนดโดยเจ้าหน้าที่")
        existing = next((b for b in uow.repo.list_budget_lines(case.id) if b.kind == kind), None)
        line = existing or BudgetLine(case_id=case.id, kind=kind)
        before = snapshot(line) if existing else None
        if existing is None and planned in (None, ""):
            # A new line starts from the programme's published per-household rate, if any.
            rate = budget_rate(workflows.case_type(case.case_type).programme, kind)
            if rate:
                households = uow.repo.household_counts([case.id]).get(case.id, {})
                line.planned = rate["per_household"] * households.get("households", 0)
                line.note = f"{rate['per_household']:,} baht × households ({rate['source']})"
        for name, value in (("planned", planned), ("approved", approved), ("disbursed", disbursed)):
            if value not in (None, ""):
                try:
                    amount = str(value).replace(",", "").strip()
                    if len(amount) > 16:  # past MAX_BAHT: refused by line.check below
                        amount = str(MAX_BAHT + 1)
                    setattr(line, name, int(amount))
                except ValueError:
                    raise InvalidInput(
                        f"{name} must be a whole number of baht",
                        f"{_th(name)} ต้องเป็นจำนวนเต็มบาท",
                        field=name,
                    ) from None
        if note is not None:
            line.note = note
        line.check()
        if existing:
            uow.repo.update_budget_line(line, _check_version(expected_version))
        else:
            uow.repo.add_budget_line(line)
        _audit(
            uow,
            user,
            "update" if existing else "create",
            "budget_line",
            line.id,
            before,
            snapshot(line),
        )
        uow.commit()
    return line


def audit_log(
    uow: UnitOfWork, user: User, *, entity: str | None = None, entity_id=None, limit: int = 200
):
    if user.role not in ("admin", "officer"):
        raise Forbidden("the audit log is for officers", "บันทึกการแก้ไขสำหรับเจ้าหน้าที่เท่านั้น")
    with uow:
        return uow.repo.list_audit(entity=entity, entity_id=entity_id, limit=limit)


# -- reads and a versioned delete for the JSON API (app/cases_api.py) --------------------
def list_budget_lines(uow: UnitOfWork, user: User, case_id: int) -> list[BudgetLine]:
    with uow:
        case = _case_for(uow, user, case_id)
        return uow.repo.list_budget_lines(case.id)


def list_plots(uow: UnitOfWork, user: User, case_id: int) -> list[Plot]:
    with uow:
        case = _case_for(uow, user, case_id)
        return uow.repo.list_plots(case.id)


def delete_plot_versioned(uow: UnitOfWork, user: User, plot_id: int, expected_version) -> None:
    """Delete a plot only if it is still the version the caller read.

    The versioned update first is the compare-and-set (and takes the row lock):
    a stale version raises `StaleVersion` and nothing is deleted.
    """
    expected = _check_version(expected_version)
    with uow:
        plot = uow.repo.get_plot(plot_id)
        _case_for(uow, user, plot.case_id, edit=True)
        before = snapshot(plot)
        uow.repo.update_plot(plot, expected)
        uow.repo.delete_plot(plot_id)
        _audit(uow, user, "delete", "plot", plot_id, before, None)
        uow.commit()
