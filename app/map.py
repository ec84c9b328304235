"""The home page: every catalogue layer on one offline Leaflet map."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("map", __name__)


@bp.get("/")
def home():
    return render_template("map.html")
