"""The app's stores and catalogue, one per app, opened lazily.

`opened` is the one way a store is opened: the layer store here and the case store
(app/casestore.py) both go through it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, request

from gis.catalog import Catalog, load_catalog
from gis.store import LayerStore, open_store, secure_home
from gis.store_base import metadata_kept

_opening = threading.RLock()


def opened(key: str, opener: Callable[..., Any]) -> Any:
    """The app's store under `key`, opened once (even under concurrent first requests)
    from the shared folder (SHARED_DIR: the instance folder unless set) and
    DATABASE_URL/DATABASE_SCHEMA."""
    ext = current_app.extensions["planner"]
    if ext.get(key) is None:
        with _opening:
            if ext.get(key) is None:
                ext[key] = opener(
                    current_app.config["SHARED_DIR"],
                    current_app.config.get("DATABASE_URL"),
                    schema=current_app.config.get("DATABASE_SCHEMA"),
                )
    return ext[key]


def get_store() -> LayerStore:
    return opened("store", open_store)


def get_catalog() -> Catalog:
    return current_app.extensions["planner"]["catalog"]


def init_app(app: Flask) -> None:
    """The store opens on first use; the instance and shared folders are made private now."""
    for folder in {app.config["PLANNER_HOME"], app.config["SHARED_DIR"]}:
        secure_home(folder)
    app.extensions["planner"] = {"store": None, "catalog": load_catalog(), "cache": {}}

    @app.before_request
    def _keep_layer_metadata():
        """A GET reads the layers' metadata once (PostGIS: one query, not one a question)."""
        if request.method in ("GET", "HEAD"):
            g.layer_metadata_kept = contextlib.ExitStack()
            g.layer_metadata_kept.enter_context(metadata_kept())

    @app.teardown_request
    def _drop_layer_metadata(_exc):
        kept = g.pop("layer_metadata_kept", None)
        if kept is not None:
            kept.close()
