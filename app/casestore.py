"""The case store of the app (SQLite in the instance folder, or PostgreSQL)."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from cases.store import CaseStore
from cases.unit_of_work import UnitOfWork

_opening = threading.Lock()


def get_case_store() -> CaseStore:
    """The app's case store, opened (and migrated) once, even under concurrent first requests."""
    ext = current_app.extensions["planner"]
    if ext.get("case_store") is None:
        with _opening:
            if ext.get("case_store") is None:
                ext["case_store"] = CaseStore(
                    current_app.config["PLANNER_HOME"],
                    current_app.config.get("DATABASE_URL"),
                    schema=current_app.config.get("DATABASE_SCHEMA"),
                )
    return ext["case_store"]


def uow() -> UnitOfWork:
    """A fresh unit of work for one service call."""
    return get_case_store().uow()


def init_app(app: Flask) -> None:
    app.extensions["planner"].setdefault("case_store", None)
