"""The `planner` command line: the `main` group and the helpers its commands share;
one module per feature registers its commands on `main`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gis.errors import ValidationError


def _open_store():
    import os

    from app import planner_home
    from gis.store import open_store

    return open_store(
        planner_home(),
        os.environ.get("DATABASE_URL") or None,
        schema=os.environ.get("PLANNER_DATABASE_SCHEMA") or None,
    )


def _open_case_store():
    import os

    from app import planner_home
    from cases.store import CaseStore

    return CaseStore(
        planner_home(),
        os.environ.get("DATABASE_URL") or None,
        schema=os.environ.get("PLANNER_DATABASE_SCHEMA") or None,
    )


def _fail(exc: Exception) -> None:
    click.echo(f"error / ข้อผิดพลาด: {exc}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Community housing planner (ระบบวางแผนที่อยู่อาศัยชุมชน).

    The store lives in the instance folder PLANNER_HOME (default: instance/);
    set DATABASE_URL=postgresql://... to use PostgreSQL/PostGIS instead.
    """


def _cli_user():
    """The CLI acts as an officer of the instance it runs on."""
    from cases.model import User

    return User(username="cli", role="admin")


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


# Each feature's module registers its commands on `main` when imported.
from app.cli import (  # noqa: E402
    cases,
    imports,
    layers,
    maintenance,
    sample,
    serve,
    site_check,
    users,
    workshop,
)
from app.cli.layers import layer_report  # noqa: E402
from app.cli.serve import (  # noqa: E402
    BODY_SLACK_BYTES,
    MAX_HEADER_BYTES,
    is_loopback,
    refuse_demo_on_network,
    waitress_options,
)

__all__ = [
    "BODY_SLACK_BYTES",
    "MAX_HEADER_BYTES",
    "cases",
    "imports",
    "is_loopback",
    "layer_report",
    "layers",
    "main",
    "maintenance",
    "refuse_demo_on_network",
    "sample",
    "serve",
    "site_check",
    "users",
    "waitress_options",
    "workshop",
]
