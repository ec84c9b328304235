"""The case store of the app (SQLite in the instance folder, or PostgreSQL)."""

from __future__ import annotations

from flask import Flask

from app.store import opened
from cases.store import CaseStore
from cases.unit_of_work import UnitOfWork


def get_case_store() -> CaseStore:
    """The app's case store, opened (and migrated) once, even under concurrent first requests."""
    return opened("case_store", CaseStore)


def uow() -> UnitOfWork:
    """A fresh unit of work for one service call."""
    return get_case_store().uow()


def init_app(app: Flask) -> None:
    app.extensions["planner"].setdefault("case_store", None)
