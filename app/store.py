"""The layer store and catalogue, one per app, opened lazily."""

from __future__ import annotations

from flask import Flask, current_app

from gis.catalog import Catalog, load_catalog
from gis.store import LayerStore, open_store, secure_home


def get_store() -> LayerStore:
    ext = current_app.extensions["planner"]
    if ext.get("store") is None:
        ext["store"] = open_store(
            current_app.config["PLANNER_HOME"],
            current_app.config.get("DATABASE_URL"),
            schema=current_app.config.get("DATABASE_SCHEMA"),
        )
    return ext["store"]


def get_catalog() -> Catalog:
    return current_app.extensions["planner"]["catalog"]


def init_app(app: Flask) -> None:
    """The store opens on first use; the instance folder is made private now."""
    secure_home(app.config["PLANNER_HOME"])
    app.extensions["planner"] = {"store": None, "catalog": load_catalog(), "cache": {}}
