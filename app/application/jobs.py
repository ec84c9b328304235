"""Background jobs: long work (report PDFs, exports) run off the request, with progress.

One row per job in the case store's `jobs` table (migration 0009) is what the user sees:
kind, owner, params, status (queued → running → done | failed), progress (0..1 and a
step key of app/strings.py `jobs.step.*`), the result file, the error in Thai and
English, attempts and times. Which process runs it is the queue's business
(app/application/job_queue.py): procrastinate on PostgreSQL, a thread pool on the
embedded store; both call `run_job` with the job's id.

A kind is registered in one line (`register(JobKind(...))`, see job_kinds.py): its
function gets the job's context, its validated params, a `progress(fraction, step)`
callback and the path to write; it returns the download name and media type.

A result is written to `.part-<id>-<worker>` in the results folder and renamed into
place (`<id>`) only when whole, before the row says done: a process killed half-way
leaves no result and no done row, and `recover` puts the job back in the queue when
its worker is dead (same host, no such process) or silent for `stale_after` seconds.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.strings import STRINGS, text
from cases import orm
from cases.errors import Forbidden, NotFound
from cases.policy import ADMIN, role_of
from gis.errors import PlannerError, Problem, ValidationError

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
HEARTBEAT_S = 5.0  # a running job's worker touches its row this often
STALE_AFTER_S = 60.0  # a running job silent this long is taken back
MAX_ATTEMPTS = 3
KEEP_DAYS = 7  # a finished job, and its file, this long (JOBS_KEEP_DAYS); PDPA exports too
PRUNE_EVERY_S = 3600.0

Progress = Callable[[float, str], None]

jobs_table = orm.jobs


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# ------------------------------------------------------------------ kinds


@dataclass(frozen=True)
class JobKind:
    """A kind of job: `run(ctx, job, progress, out) -> (download name, media type)`;
    `job.params` are validated, `job.owner` is the user name.

    `validate(params) -> params` raises ValidationError on bad params; `roles` may
    start the kind and read its results (the rule of what it produces)."""

    name: str
    run: Callable[[JobContext, Job, Progress, Path], tuple[str, str]]
    validate: Callable[[dict], dict]
    roles: frozenset[str]
    title_key: str
    max_attempts: int = MAX_ATTEMPTS
    # A finer rule of what the result may show this reader (a layer's access), checked
    # with the role on every read; and whether POST /api/jobs may start the kind (False:
    # only its own route, which sets params the client must not choose).
    may_read: Callable[[Any, Job], bool] | None = None
    startable: bool = True


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Register a kind of job (one line per kind)."""
    KINDS[kind.name] = kind
    return kind


def refused(key: str, *, field: str | None = None, **values) -> ValidationError:
    """A ValidationError of one problem, worded by the catalogue's `key`."""
    en, th = text(key, **values)
    return ValidationError([Problem(en, th, field=field)])


def kind_of(name: str) -> JobKind:
    if name not in KINDS:
        raise refused("jobs.err_kind", field="kind", kind=str(name)[:40])
    return KINDS[name]


# ------------------------------------------------------------------ context


@dataclass
class JobContext:
    """What a job may use: the instance folder and its stores, opened when first used."""

    home: Path
    case_store_opener: Callable[[], Any]
    layer_store_opener: Callable[[], Any]
    catalog_opener: Callable[[], Any]
    config: dict = field(default_factory=dict)

    @property
    def case_store(self):
        return self.case_store_opener()

    @property
    def engine(self) -> sa.Engine:
        return self.case_store.engine

    @property
    def layer_store(self):
        return self.layer_store_opener()

    @property
    def catalog(self):
        return self.catalog_opener()

    def results_dir(self) -> Path:
        return results_dir(self.home, self.config)


def results_dir(home: str | Path, config: dict | None = None) -> Path:
    """The one folder of job results: `JOBS_DIR` (config or PLANNER_JOBS_DIR), else
    `<instance>/jobs/`; made private (0700) when missing."""
    folder = (config or {}).get("JOBS_DIR") or os.environ.get("PLANNER_JOBS_DIR")
    path = Path(folder) if folder else Path(home) / "jobs"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def context_for(home, database_url=None, *, schema=None, config=None) -> JobContext:
    """A context outside the web app (a worker, the CLI): stores opened once, lazily."""
    opened: dict[str, Any] = {}
    lock = threading.Lock()

    def once(key, make):
        def get():
            with lock:
                if key not in opened:
                    opened[key] = make()
                return opened[key]

        return get

    def case_store():
        from cases.store import CaseStore

        return CaseStore(home, database_url, schema=schema)

    def layer_store():
        from gis.store import open_store

        return open_store(home, database_url, schema=schema)

    def catalog():
        from gis.catalog import load_catalog

        return load_catalog()

    return JobContext(
        home=Path(home),
        case_store_opener=once("cases", case_store),
        layer_store_opener=once("layers", layer_store),
        catalog_opener=once("catalog", catalog),
        config=dict(config or {}),
    )


# ------------------------------------------------------------------ rows


@dataclass
class Job:
    id: str
    kind: str
    owner: str
    params: dict
    status: str
    progress: float
    step: str
    result_name: str | None
    result_type: str | None
    error_en: str | None
    error_th: str | None
    attempts: int
    max_attempts: int
    worker: str | None
    heartbeat_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    def step_words(self) -> dict[str, str]:
        return step_words(self.step)

    def title(self) -> dict[str, str]:
        kind = KINDS.get(self.kind)
        key = kind.title_key if kind else "jobs.kind.unknown"
        return dict(STRINGS[key])


def step_words(step: str) -> dict[str, str]:
    """A step key in both languages (`jobs.step.<key>`; unknown keys: the generic word)."""
    entry = STRINGS.get(f"jobs.step.{step}") or STRINGS["jobs.step.working"]
    return {"th": entry["th"], "en": entry["en"]}


def _job(row) -> Job:
    return Job(**dict(row._mapping))


def create(
    engine: sa.Engine, kind_name: str, owner, params: dict, *, trusted: dict | None = None
) -> Job:
    """A queued job of `kind_name` for `owner` (a User), params validated; Forbidden
    when the owner's role may not run that kind. `trusted` params are set by the app
    (never by the client) after validation."""
    kind = kind_of(kind_name)
    if role_of(owner) not in kind.roles:
        raise Forbidden(*text("jobs.err_role"))
    clean = {**kind.validate(dict(params or {})), **(trusted or {})}
    job_id = secrets.token_hex(16)
    with engine.begin() as conn:
        conn.execute(
            jobs_table.insert().values(
                id=job_id,
                kind=kind.name,
                owner=owner.username,
                params=clean,
                status=QUEUED,
                progress=0.0,
                step="queued",
                attempts=0,
                max_attempts=kind.max_attempts,
                created_at=_now(),
            )
        )
    return get(engine, job_id)


def get(engine: sa.Engine, job_id: str) -> Job | None:
    if not isinstance(job_id, str) or len(job_id) != 32:
        return None
    with engine.connect() as conn:
        row = conn.execute(jobs_table.select().where(jobs_table.c.id == job_id)).first()
    return _job(row) if row else None


def list_jobs(engine: sa.Engine, owner: str | None = None, limit: int = 100) -> list[Job]:
    """The newest jobs first; only `owner`'s when given."""
    query = jobs_table.select().order_by(jobs_table.c.created_at.desc()).limit(limit)
    if owner is not None:
        query = query.where(jobs_table.c.owner == owner)
    with engine.connect() as conn:
        return [_job(r) for r in conn.execute(query)]


def ids_with_status(engine: sa.Engine, status: str) -> list[str]:
    query = sa.select(jobs_table.c.id).where(jobs_table.c.status == status)
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(query.order_by(jobs_table.c.created_at))]


def may_read(user, job: Job) -> bool:
    """Only the owner (or an admin) sees a job, and only while their role may read
    what the kind produces."""
    kind = KINDS.get(job.kind)
    if user is None or kind is None or role_of(user) not in kind.roles:
        return False
    if kind.may_read is not None and not kind.may_read(user, job):
        return False
    return job.owner == user.username or role_of(user) == ADMIN


def readable(engine: sa.Engine, user, job_id: str) -> Job:
    """The job if `user` may see it; NotFound otherwise (an id is never confirmed)."""
    job = get(engine, job_id)
    if job is None or not may_read(user, job):
        raise NotFound(*text("jobs.err_not_found"))
    return job


def result_path(ctx_or_dir, job: Job) -> Path | None:
    """The finished result of a done job, or None."""
    folder = ctx_or_dir.results_dir() if isinstance(ctx_or_dir, JobContext) else ctx_or_dir
    path = Path(folder) / job.id
    return path if job.status == DONE and path.is_file() else None


# ------------------------------------------------------------------ running


def worker_name() -> str:
    """host:pid:token, so a dead worker on this host is known by its pid."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _worker_dead(worker: str | None) -> bool:
    if not worker:
        return True
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's worker: only its heartbeat tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _claim(engine: sa.Engine, job_id: str, worker: str) -> Job | None:
    now = _now()
    t = jobs_table.c
    with engine.begin() as conn:
        done = conn.execute(
            jobs_table.update()
            .where(t.id == job_id, t.status == QUEUED)
            .values(
                status=RUNNING,
                worker=worker,
                attempts=t.attempts + 1,
                heartbeat_at=now,
                started_at=now,
                progress=0.0,
                step="starting",
                error_en=None,
                error_th=None,
            )
        )
    return get(engine, job_id) if done.rowcount == 1 else None


def _update(engine: sa.Engine, job_id: str, by: str, **values) -> bool:
    """Change a running job's row, if worker `by` still has it."""
    t = jobs_table.c
    with engine.begin() as conn:
        done = conn.execute(
            jobs_table.update()
            .where(t.id == job_id, t.worker == by, t.status == RUNNING)
            .values(**values)
        )
    return done.rowcount == 1


class _Heartbeat(threading.Thread):
    def __init__(self, engine, job_id, worker, every: float):
        super().__init__(daemon=True, name=f"job-heartbeat-{job_id[:8]}")
        self.engine, self.job_id, self.worker, self.every = engine, job_id, worker, every
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(self.every):
            try:
                _update(self.engine, self.job_id, self.worker, heartbeat_at=_now())
            except Exception:  # noqa: BLE001 - a missed beat is retried next time
                log.exception("job %s: heartbeat failed", self.job_id)


def run_job(ctx: JobContext, job_id: str, worker: str | None = None) -> Job | None:
    """Claim a queued job and run it to done or failed; None when it was not queued
    (another worker has it, or it is finished). A bad request (ValidationError,
    PlannerError) fails at once; anything else is retried up to `max_attempts`."""
    engine = ctx.engine
    worker = worker or worker_name()
    job = _claim(engine, job_id, worker)
    if job is None:
        return None
    kind = KINDS.get(job.kind)
    folder = ctx.results_dir()
    part = folder / f".part-{job.id}-{worker.replace(':', '-')}"
    beat = _Heartbeat(
        engine, job.id, worker, float(ctx.config.get("JOBS_HEARTBEAT_S", HEARTBEAT_S))
    )
    beat.start()
    last = [0.0]

    def progress(fraction: float, step: str) -> None:
        now = time.monotonic()
        fraction = min(max(float(fraction), 0.0), 1.0)
        if now - last[0] < 0.2 and fraction < 1.0:
            return
        last[0] = now
        _update(engine, job.id, worker, progress=fraction, step=step[:80], heartbeat_at=_now())

    try:
        if kind is None:
            raise PlannerError(" / ".join(text("jobs.err_kind", kind=job.kind)))
        name, media_type = kind.run(ctx, job, progress, part)
        with open(part, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(part, 0o600)
        os.replace(part, folder / job.id)
        _update(
            engine,
            job.id,
            worker,
            status=DONE,
            progress=1.0,
            step="done",
            result_name=name,
            result_type=media_type,
            finished_at=_now(),
        )
    except (ValidationError, PlannerError, NotFound, Forbidden) as exc:
        en, th = _words_of(exc)
        _update(engine, job.id, worker, status=FAILED, step="failed", error_en=en,
                error_th=th, finished_at=_now())  # fmt: skip
    except Exception:  # noqa: BLE001 - the job fails or is retried, the worker goes on
        log.exception("job %s (%s) failed", job.id, job.kind)
        en, th = text("jobs.err_unexpected")
        if job.attempts < job.max_attempts:
            _update(engine, job.id, worker, status=QUEUED, step="retry", error_en=en,
                    error_th=th, worker=None)  # fmt: skip
        else:
            _update(engine, job.id, worker, status=FAILED, step="failed", error_en=en,
                    error_th=th, finished_at=_now())  # fmt: skip
    finally:
        beat.stop.set()
        part.unlink(missing_ok=True)
    return get(engine, job.id)


def _words_of(exc: Exception) -> tuple[str, str]:
    """(en, th) of a refusal: the problems of a ValidationError, or the message."""
    if isinstance(exc, ValidationError):
        return (
            "; ".join(p.message_en for p in exc.problems),
            "; ".join(p.message_th for p in exc.problems),
        )
    en = getattr(exc, "message_en", None) or str(exc)
    th = getattr(exc, "message_th", None) or en
    return en, th


def recover(ctx: JobContext, stale_after: float | None = None) -> list[str]:
    """Take back running jobs whose worker died (on this host) or fell silent for
    `stale_after` seconds: queued again while attempts remain, else failed; their
    partial files are removed. Returns the ids queued again."""
    stale_after = float(
        stale_after if stale_after is not None else ctx.config.get("JOBS_STALE_S", STALE_AFTER_S)
    )
    engine, folder = ctx.engine, ctx.results_dir()
    limit = _now() - timedelta(seconds=stale_after)
    t = jobs_table.c
    with engine.connect() as conn:
        running = conn.execute(
            sa.select(t.id, t.worker, t.heartbeat_at, t.attempts, t.max_attempts).where(
                t.status == RUNNING
            )
        ).all()
    requeued = []
    for job_id, worker, beat, attempts, max_attempts in running:
        if not (_worker_dead(worker) or beat is None or beat < limit):
            continue
        if attempts < max_attempts:
            values = {"status": QUEUED, "step": "retry", "worker": None}
        else:
            en, th = text("jobs.err_gave_up")
            values = {"status": FAILED, "step": "failed", "error_en": en, "error_th": th,
                      "finished_at": _now()}  # fmt: skip
        with engine.begin() as conn:
            done = conn.execute(
                jobs_table.update()
                .where(t.id == job_id, t.status == RUNNING, t.worker == worker)
                .values(**values)
            )
        if done.rowcount == 1:
            for part in folder.glob(f".part-{job_id}-*"):
                part.unlink(missing_ok=True)
            if values["status"] == QUEUED:
                requeued.append(job_id)
            log.warning("job %s: worker %s gone; %s", job_id, worker, values["status"])
    return requeued


def prune(ctx: JobContext, keep_days: float | None = None) -> list[str]:
    """Remove jobs finished (done or failed) more than `keep_days` ago (JOBS_KEEP_DAYS,
    default KEEP_DAYS), their result files first: a report or a PDPA export is not kept
    for ever. Returns the ids removed."""
    days = float(
        keep_days if keep_days is not None else ctx.config.get("JOBS_KEEP_DAYS", KEEP_DAYS)
    )
    t = jobs_table.c
    old = sa.and_(t.status.in_((DONE, FAILED)), t.finished_at < _now() - timedelta(days=days))
    with ctx.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(sa.select(t.id).where(old))]
    folder = ctx.results_dir()
    for job_id in ids:
        (folder / job_id).unlink(missing_ok=True)
    if ids:
        with ctx.engine.begin() as conn:
            conn.execute(jobs_table.delete().where(old, t.id.in_(ids)))
        log.info("jobs: removed %d finished more than %g days ago", len(ids), days)
    return ids


_pruned_at: dict[int, float] = {}


def prune_now_and_then(ctx: JobContext) -> None:
    """`prune` at most once per PRUNE_EVERY_S in this process (the queues' ticks)."""
    now = time.monotonic()
    if now - _pruned_at.get(id(ctx), -PRUNE_EVERY_S) >= PRUNE_EVERY_S:
        _pruned_at[id(ctx)] = now
        prune(ctx)


def job_dict(job: Job, *, links: dict | None = None) -> dict:
    """The API's view of a job (the same on the page's JSON and /api/jobs)."""
    from app.application.pdpa import format_time

    def when(value):
        if value is None:
            return None
        words = {lang: format_time(value, lang) for lang in ("th", "en")}
        return {"iso": value.replace(tzinfo=UTC).isoformat(), **words}

    return {
        "id": job.id,
        "kind": job.kind,
        "title": job.title(),
        "owner": job.owner,
        "status": job.status,
        "status_label": dict(STRINGS[f"jobs.status.{job.status}"]),
        "progress": round(job.progress, 3),
        "step": job.step,
        "step_label": job.step_words(),
        "error": {"en": job.error_en, "th": job.error_th} if job.error_en else None,
        "attempts": job.attempts,
        "result_name": job.result_name if job.status == DONE else None,
        "created_at": when(job.created_at),
        "started_at": when(job.started_at),
        "finished_at": when(job.finished_at),
        "links": links or {},
    }
