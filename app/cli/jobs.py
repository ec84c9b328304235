"""`planner jobs` (the background jobs) and `planner worker` (run them), and the
terminal progress bar the long commands show (fed by the same `progress(fraction,
step)` callback as a job's row)."""

from __future__ import annotations

import contextlib
import os
import sys

import click

from app.cli.common import main


def _job_config() -> dict:
    """JOBS_* settings from the environment (PLANNER_JOBS_STALE_S and the like)."""
    config = {}
    for key in ("JOBS_DIR", "JOBS_STALE_S", "JOBS_HEARTBEAT_S"):
        value = os.environ.get(f"PLANNER_{key}")
        if value:
            config[key] = value if key == "JOBS_DIR" else float(value)
    return config


def _context():
    from app import shared_dir
    from app.application import job_kinds  # noqa: F401 - registers the kinds
    from app.application.jobs import context_for

    return context_for(
        shared_dir(),
        os.environ.get("DATABASE_URL") or None,
        schema=os.environ.get("PLANNER_DATABASE_SCHEMA") or None,
        config=_job_config(),
    )


@contextlib.contextmanager
def terminal_progress(label: str):
    """A progress bar on stderr; yields the `progress(fraction, step)` callback."""
    from app.application.jobs import step_words

    tty = sys.stderr.isatty()
    with click.progressbar(length=1000, label=label, file=sys.stderr, show_eta=False) as bar:
        done, said = [0], [None]

        def progress(fraction: float, step: str) -> None:
            words = step_words(step)
            bar.label = f"{label}: {words['en']} / {words['th']}"
            target = int(min(max(fraction, 0.0), 1.0) * 1000)
            if not tty and step != said[0]:  # a log: one line per step, not a bar
                said[0] = step
                click.echo(f"{bar.label} ({target // 10}%)", err=True)
            if target > done[0]:
                bar.update(target - done[0])
                done[0] = target

        yield progress
        progress(1.0, "done")


@main.command("jobs")
@click.option("--user", default=None, help="Only this user's jobs.")
def jobs_command(user):
    """List background jobs, newest first (งานเบื้องหลัง)."""
    from app.application import jobs

    ctx = _context()
    rows = jobs.list_jobs(ctx.engine, user or None)
    if not rows:
        click.echo("no jobs / ยังไม่มีงาน")
        return
    for job in rows:
        data = jobs.job_dict(job)
        step = data["step_label"]
        click.echo(
            f"{job.id}  {job.kind:<13} {job.owner:<12} {job.status:<8} "
            f"{round(job.progress * 100):>3}%  {step['en']} / {step['th']}  "
            f"{data['created_at']['th']}"
            + (f"  {job.result_name}" if job.result_name and job.status == jobs.DONE else "")
            + (f"  {job.error_en} / {job.error_th}" if job.status == jobs.FAILED else "")
        )


@main.command("worker")
@click.option("--threads", default=2, show_default=True, help="Jobs at once (embedded store).")
def worker_command(threads):
    """Run background jobs until stopped (ตัวทำงานเบื้องหลัง): procrastinate's worker on
    PostgreSQL (any number, on any machine), the jobs table's own queue on the embedded
    store. Jobs whose worker died go back to the queue."""
    from app.application.job_queue import LocalQueue, ProcrastinateQueue
    from app.strings import STRINGS

    ctx = _context()
    url = os.environ.get("DATABASE_URL") or ""
    said = STRINGS["jobs.cli.worker"]
    if url.startswith("postgres"):
        queue = ProcrastinateQueue(ctx, url, os.environ.get("PLANNER_DATABASE_SCHEMA") or None)
        how = "procrastinate, PostgreSQL"
    else:
        queue = LocalQueue(ctx, threads=threads)
        how = "embedded store"
    click.echo(f"{said['en'].format(how=how)} / {said['th'].format(how=how)}", err=True)
    try:
        queue.run_forever()
    except KeyboardInterrupt:
        queue.stop()
