"""Erasure as a use case (PDPA s33): the journal, the erasure, the vacuum; and retention.

An erasure is written to the erasure journal *before* it commits, so that a backup
restored later replays it (docs/decisions/0024, 0028): an entry whose erasure then
failed only erases, on replay, what was asked to be erased. The journal is one JSON
line per erasure: `seq`, `at` (UTC), `by`, `household_id`, `classes` and `prev`, the
sha256 of the line before, so a cut or edited journal is seen. It names what was
erased by key only, never the data, and it should live on other storage than the
instance and its backups (`PLANNER_ERASURE_JOURNAL`; default `<shared folder>/erasures.jsonl`,
the folder every app server shares: docs/decisions/0031).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cases import privacy, services
from cases.errors import DomainError, NotFound
from cases.model import User

JOURNAL_NAME = "erasures.jsonl"
GENESIS = "0" * 64
MAX_JOURNAL_BYTES = 256 * 1024 * 1024
REPLAY_USER = User(username="restore", role="admin")


class JournalError(ValueError):
    """The erasure journal is damaged: cut, edited or not a journal."""


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    at: str
    by: str
    household_id: int
    classes: tuple[str, ...]
    prev: str
    line: str  # as written, for the next entry's `prev`

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.line.encode("utf-8")).hexdigest()


def journal_path(home: str | Path, settings: Mapping[str, object] | None = None) -> Path:
    """PLANNER_ERASURE_JOURNAL (or the app config's ERASURE_JOURNAL), else in `home`: the
    shared folder (PLANNER_SHARED_DIR, else the instance folder)."""
    configured = (settings or {}).get("ERASURE_JOURNAL") or os.environ.get(
        "PLANNER_ERASURE_JOURNAL"
    )
    return Path(str(configured)) if configured else Path(home) / JOURNAL_NAME


def read_journal(path: str | Path) -> list[JournalEntry]:
    """Every entry, checked: numbered 1, 2, ... and each chained to the one before."""
    path = Path(path)
    if not path.exists():
        return []
    if path.stat().st_size > MAX_JOURNAL_BYTES:
        raise JournalError(f"{path.name}: larger than {MAX_JOURNAL_BYTES} bytes")
    entries: list[JournalEntry] = []
    prev = GENESIS
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = text.split("\n")
    # A last line with no newline was cut by a crash while it was written: its erasure
    # never committed (the entry comes first), so it is not an entry; `append` drops it.
    lines = lines[:-1]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            entry = JournalEntry(
                seq=int(raw["seq"]),
                at=str(raw["at"]),
                by=str(raw["by"]),
                household_id=int(raw["household_id"]),
                classes=tuple(str(c) for c in raw["classes"]),
                prev=str(raw["prev"]),
                line=line,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise JournalError(f"{path.name} line {number}: not a journal entry ({exc})") from None
        if entry.seq != len(entries) + 1 or entry.prev != prev:
            raise JournalError(
                f"{path.name} line {number}: the journal was cut or edited before entry "
                f"{entry.seq} / บันทึกการลบถูกตัดหรือแก้ไขก่อนรายการที่ {entry.seq}"
            )
        if not set(entry.classes) <= set(privacy.CLASSES) or not entry.classes:
            raise JournalError(f"{path.name} line {number}: unknown classes")
        entries.append(entry)
        prev = entry.digest
    return entries


@contextlib.contextmanager
def _locked(path: Path):
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _drop_torn_tail(path: Path) -> None:
    """Cut a last line without its newline (a crash while it was written)."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with open(path, "r+b") as f:
            f.truncate(data.rfind(b"\n") + 1)
            f.flush()
            os.fsync(f.fileno())


def append_journal(path: str | Path, *, by: str, household_id: int, classes) -> JournalEntry:
    """Add one entry (under a lock: several app servers may share the journal) and fsync."""
    path = Path(path)
    with _locked(path):
        entries = read_journal(path)
        _drop_torn_tail(path)
        record = {
            "seq": (entries[-1].seq if entries else 0) + 1,
            "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "by": by,
            "household_id": int(household_id),
            "classes": list(classes),
            "prev": entries[-1].digest if entries else GENESIS,
        }
        line = json.dumps(record, ensure_ascii=False, sort_keys=True)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    return JournalEntry(
        record["seq"], record["at"], by, int(household_id), tuple(classes), record["prev"], line
    )


def erase(
    uow_factory,
    user: User,
    household_id: int,
    *,
    reason: str,
    journal: str | Path,
    classes=privacy.CLASSES,
    vacuum: bool = True,
    request: bool = True,
) -> services.Erasure:
    """Erase a household (cases/services/erasure.py): checked, journalled, committed, its
    files removed, then the store vacuumed. An erasure already done is not journalled."""
    # Checks first (role, reason, classes, the household), so a refusal journals nothing.
    household = services.check_erasure(
        uow_factory(), user, household_id, reason=reason, classes=classes
    )
    if household.erased_at is None:
        try:
            append_journal(journal, by=user.username, household_id=household_id, classes=classes)
        except (OSError, JournalError) as exc:
            raise DomainError(
                f"the erasure journal {Path(journal).name} cannot be written ({exc}); nothing "
                "was erased: check PLANNER_ERASURE_JOURNAL",
                f"เขียนบันทึกการลบ {Path(journal).name} ไม่ได้ จึงยังไม่ได้ลบข้อมูลใด "
                "กรุณาตรวจสอบ PLANNER_ERASURE_JOURNAL",
                field="journal",
            ) from None
    result = services.erase_household(
        uow_factory(), user, household_id, reason=reason, classes=classes, request=request
    )
    if vacuum:  # also when already erased: finishes an erasure whose vacuum did not
        result.vacuum_left = services.vacuum_after_erasure(uow_factory())
    return result


def replay_journal(uow_factory, entries, *, after: int = 0) -> int:
    """Erase again every household of the entries after sequence number `after` (a
    restore). Idempotent; a household that is not in the store is skipped. The count."""
    done = 0
    for entry in entries:
        if entry.seq <= after:
            continue
        try:
            result = services.erase_household(
                uow_factory(),
                REPLAY_USER,
                entry.household_id,
                reason=f"erasure journal entry {entry.seq} ({entry.at}, {entry.by})",
                classes=entry.classes,
                request=False,
            )
        except NotFound:
            continue
        done += 0 if result.already else 1
    if done:
        services.vacuum_after_erasure(uow_factory())
    return done


def apply_retention(uow_factory, user: User, due, *, years: dict[str, int], journal) -> int:
    """Erase what `services.retention_due` listed, each with its period as the reason;
    one vacuum at the end. The number of households erased."""
    from app.strings import STRINGS

    words = STRINGS["pdpa.retention.reason"]
    done = 0
    for item in due:
        period = years[item.classes[0]] if len(item.classes) == 1 else years[privacy.PERSONAL]
        reason = f"{words['th'].format(years=period)} / {words['en'].format(years=period)}"
        result = erase(
            uow_factory,
            user,
            item.household_id,
            reason=reason,
            journal=journal,
            classes=item.classes,
            vacuum=False,
            request=False,
        )
        done += 0 if result.already else 1
    if done:
        services.vacuum_after_erasure(uow_factory())
    return done


__all__ = [
    "JournalEntry",
    "JournalError",
    "append_journal",
    "apply_retention",
    "erase",
    "journal_path",
    "read_journal",
    "replay_journal",
]
