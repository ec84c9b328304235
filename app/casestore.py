"""The case store of the app (SQLite in the shared folder, or PostgreSQL); its document
files are written whole by gis.atomic (docs/decisions/0031)."""

from __future__ import annotations

import functools

from flask import Flask

from app.store import opened
from cases.store import CaseStore
from cases.unit_of_work import UnitOfWork
from gis.atomic import write_atomic


def get_case_store() -> CaseStore:
    """The app's case store, opened (and migrated) once, even under concurrent first requests."""
    return opened("case_store", functools.partial(CaseStore, write_file=write_atomic))


def uow() -> UnitOfWork:
    """A fresh unit of work for one service call."""
    return get_case_store().uow()


def init_app(app: Flask) -> None:
    app.extensions["planner"].setdefault("case_store", None)
