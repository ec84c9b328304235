"""The `planner` command line: one module per feature registers its commands on the
`main` group (app/cli/common.py, with the helpers they share)."""

from __future__ import annotations

# Each feature's module registers its commands on `main` when imported.
from app.cli import (
    backup,
    cases,
    imports,
    jobs,
    layers,
    maintenance,
    pdpa,
    sample,
    serve,
    site_check,
    survey,
    users,
    workshop,
)
from app.cli.common import main
from app.cli.layers import layer_report
from app.cli.serve import (
    BODY_SLACK_BYTES,
    MAX_HEADER_BYTES,
    is_loopback,
    refuse_demo_on_network,
    waitress_options,
)

__all__ = [
    "BODY_SLACK_BYTES",
    "MAX_HEADER_BYTES",
    "backup",
    "cases",
    "imports",
    "is_loopback",
    "jobs",
    "layer_report",
    "layers",
    "main",
    "maintenance",
    "pdpa",
    "refuse_demo_on_network",
    "sample",
    "serve",
    "site_check",
    "survey",
    "users",
    "waitress_options",
    "workshop",
]
