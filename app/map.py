"""The home page: every catalogue layer on one offline Leaflet map, opening on the
extent of what is loaded (gis.webmap.initial_bounds), wherever in Thailand that is."""

from __future__ import annotations

import json

from flask import Blueprint, render_template

from app import layer_access
from app.store import get_store
from gis.webmap import initial_bounds

bp = Blueprint("map", __name__)


@bp.get("/")
def home():
    store = get_store()
    visible = [n for n in store.layer_names() if layer_access.may_see(n)]
    bounds = initial_bounds(store, visible)
    return render_template("map.html", initial_bounds=json.dumps(bounds) if bounds else "")
