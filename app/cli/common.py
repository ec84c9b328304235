"""The `main` group and the helpers the `planner` commands share (the feature
modules import this; app/cli/__init__.py imports them, so there is no cycle)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gis.errors import ValidationError


def _open_store():
    import os

    from app import shared_dir
    from gis.store import open_store

    return open_store(
        shared_dir(),
        os.environ.get("DATABASE_URL") or None,
        schema=os.environ.get("PLANNER_DATABASE_SCHEMA") or None,
    )


def _open_case_store():
    import os

    from app import shared_dir
    from cases.store import CaseStore
    from gis.atomic import write_atomic

    return CaseStore(
        shared_dir(),
        os.environ.get("DATABASE_URL") or None,
        schema=os.environ.get("PLANNER_DATABASE_SCHEMA") or None,
        write_file=write_atomic,
    )


def _fail(exc: Exception) -> None:
    click.echo(f"error / ข้อผิดพลาด: {exc}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Community housing planner (ระบบวางแผนที่อยู่อาศัยชุมชน).

    The store lives in the instance folder PLANNER_HOME (default: instance/);
    set DATABASE_URL=postgresql://... to use PostgreSQL/PostGIS instead, and
    PLANNER_SHARED_DIR for the files several app servers share.
    """


def _cli_user():
    """The CLI acts as an officer of the instance it runs on."""
    from cases.model import User
    from cases.policy import ADMIN

    return User(username="cli", role=ADMIN)


def _problem_lines(exc: ValidationError) -> str:
    lines = []
    for p in exc.problems:
        where = p.where()
        lines.append(f"  - {where}: {p.message_en}" if where else f"  - {p.message_en}")
        lines.append(f"    {where}: {p.message_th}" if where else f"    {p.message_th}")
    return "\n".join(lines)


def _echo_problems(exc: ValidationError, en: str = "", th: str = "") -> None:
    """A bilingual headline with the count, then every problem, on stderr."""
    n = len(exc.problems)
    headline = f"{en} ({n} problem(s)) / {th} ({n} ปัญหา)" if en else f"{n} problem(s) / ปัญหา"
    click.echo(f"error / ข้อผิดพลาด: {headline}", err=True)
    click.echo(_problem_lines(exc), err=True)


def _is_stored_layer(store, spec: str) -> bool:
    """A stored layer name rather than a file path."""
    from gis.layer_names import is_layer_name

    return is_layer_name(spec) and not Path(spec).exists() and store.has_layer(spec)


def _split(values: str) -> list[str]:
    return [v.strip() for v in values.split(",") if v.strip()]
