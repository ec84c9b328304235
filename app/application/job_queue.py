"""Who runs the jobs of app/application/jobs.py (docs/decisions/0032-background-jobs.md).

- PostgreSQL: procrastinate keeps the queue in PostgreSQL (its own tables, beside the
  case store's), so every worker on every machine (`planner worker`, or the thread in
  `planner serve`) shares it. Its task carries only the job's id; our `jobs` row holds
  what the user sees.
- Embedded store: a small thread pool in the serving process, fed by a poller that
  also picks up jobs queued by another process on the same store.

Both recover stale jobs (jobs.recover) when they start and every few seconds, and
remove jobs finished more than a week ago (jobs.prune) once an hour.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from app.application import jobs
from app.application.jobs import JobContext

log = logging.getLogger(__name__)

POLL_S = 2.0
TASK_NAME = "planner.run_job"


class LocalQueue:
    """Jobs run by threads of this process; the `jobs` table is the queue."""

    def __init__(self, ctx: JobContext, threads: int = 2, poll: float = POLL_S):
        self.ctx, self.poll = ctx, poll
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="planner-job")
        self.worker = jobs.worker_name()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.busy: set[str] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def submit(self, job_id: str) -> None:
        with self.lock:
            if job_id in self.busy:
                return
            self.busy.add(job_id)
        self.pool.submit(self._run, job_id)

    def _run(self, job_id: str) -> None:
        try:
            jobs.run_job(self.ctx, job_id, self.worker)
        except Exception:  # noqa: BLE001 - the poller goes on
            log.exception("job %s: could not run", job_id)
        finally:
            with self.lock:
                self.busy.discard(job_id)
            self.wake.set()

    def enqueue(self, job_id: str) -> None:
        """Run it here when this queue runs jobs; else its row waits for a worker."""
        if self.thread is not None:
            self.submit(job_id)

    def tick(self) -> None:
        """Take back stale jobs, drop old finished ones, and start every queued one."""
        jobs.recover(self.ctx)
        jobs.prune_now_and_then(self.ctx)
        for job_id in jobs.ids_with_status(self.ctx.engine, jobs.QUEUED):
            self.submit(job_id)

    def start(self) -> LocalQueue:
        def loop():
            while not self.stopping.is_set():
                try:
                    self.tick()
                except Exception:  # noqa: BLE001 - a database hiccup: try again
                    log.exception("jobs: poll failed")
                self.wake.wait(self.poll)
                self.wake.clear()

        self.thread = threading.Thread(target=loop, daemon=True, name="planner-jobs")
        self.thread.start()
        return self

    def run_forever(self) -> None:
        self.start()
        try:
            while self.thread.is_alive():
                self.thread.join(1.0)
        finally:
            self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        self.pool.shutdown(wait=False, cancel_futures=True)


def _libpq_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


class ProcrastinateQueue:
    """Jobs deferred to procrastinate; a worker runs them, here or on another machine."""

    def __init__(self, ctx: JobContext, database_url: str, schema: str | None = None):
        import procrastinate

        self.ctx = ctx
        kwargs = {"options": f"-csearch_path={schema},public"} if schema else {}
        self.connector = procrastinate.PsycopgConnector(
            conninfo=_libpq_url(database_url), kwargs=kwargs, min_size=1, max_size=4
        )
        self.app = procrastinate.App(connector=self.connector)
        # Deferring from request threads uses its own synchronous connection pool.
        self.defer_app = procrastinate.App(
            connector=procrastinate.SyncPsycopgConnector(
                conninfo=_libpq_url(database_url), kwargs=kwargs, min_size=1, max_size=2
            )
        )
        self._defer_open = False
        self._lock = threading.Lock()
        self.worker = jobs.worker_name()

        @self.app.task(name=TASK_NAME, pass_context=False)
        def run_planner_job(job_id: str) -> None:
            job = jobs.run_job(self.ctx, job_id, self.worker)
            if job is not None and job.status == jobs.QUEUED:  # failed, attempts remain
                self.enqueue(job_id)

        self.task = run_planner_job
        self.stopping = threading.Event()
        self._schema_ready = False

    def ensure_schema(self) -> None:
        """procrastinate's tables, made once per database schema."""
        if self._schema_ready:
            return
        import sqlalchemy as sa

        with self.ctx.engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7510032)"))
            there = conn.execute(sa.text("SELECT to_regclass('procrastinate_jobs')")).scalar()
            if there is None:
                sql = self.app.schema_manager.get_schema()
                conn.exec_driver_sql(sql.replace("%", "%%"))
        self._schema_ready = True

    def enqueue(self, job_id: str) -> None:
        self.ensure_schema()
        with self._lock:
            if not self._defer_open:
                self.defer_app.open()
                self._defer_open = True
        self.defer_app.configure_task(TASK_NAME).defer(job_id=job_id)

    def tick(self) -> None:
        for job_id in jobs.recover(self.ctx):
            self.enqueue(job_id)
        jobs.prune_now_and_then(self.ctx)

    def run_forever(self, concurrency: int = 1) -> None:
        """Run the worker until stopped (SIGINT/SIGTERM in `planner worker`)."""
        self.ensure_schema()
        threading.Thread(target=self._sweeper, daemon=True, name="planner-jobs-sweep").start()
        self.app.run_worker(
            concurrency=concurrency, fetch_job_polling_interval=1.0, name=self.worker
        )

    def _sweeper(self) -> None:
        while not self.stopping.wait(POLL_S):
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a database hiccup: try again
                log.exception("jobs: sweep failed")

    def start(self) -> ProcrastinateQueue:
        """The worker in a thread of this process (`planner serve`, tests)."""
        self.ensure_schema()
        self.tick()

        def loop():
            async def work():
                async with self.app.open_async():
                    task = asyncio.ensure_future(
                        self.app.run_worker_async(
                            install_signal_handlers=False,
                            fetch_job_polling_interval=1.0,
                            name=self.worker,
                        )
                    )
                    while not self.stopping.is_set() and not task.done():
                        await asyncio.sleep(0.5)
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task

            asyncio.run(work())

        threading.Thread(target=loop, daemon=True, name="planner-procrastinate").start()
        threading.Thread(target=self._sweeper, daemon=True, name="planner-jobs-sweep").start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        with self._lock:
            if self._defer_open:
                self.defer_app.close()
                self._defer_open = False


def make_queue(ctx: JobContext, database_url: str | None, schema: str | None = None):
    """The queue of a store: procrastinate on PostgreSQL, threads on the embedded store."""
    if database_url and database_url.startswith(("postgresql", "postgres:")):
        return ProcrastinateQueue(ctx, database_url, schema)
    return LocalQueue(ctx)
