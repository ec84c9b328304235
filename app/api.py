"""JSON API over the layer catalogue and the store."""

from __future__ import annotations

import gzip
import math

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from app.store import get_catalog, get_store
from gis.errors import PlannerError
from gis.layers import bbox_to_storage, bounds_to_wgs84, to_geojson
from gis.raster import render_overlay_png
from gis.store import LayerNotFound

bp = Blueprint("api", __name__, url_prefix="/api")


def _parse_bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in raw.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise PlannerError(f"bbox must be minx,miny,maxx,maxy in degrees, not {raw!r}")
    minx, miny, maxx, maxy = values
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise PlannerError(f"bbox {raw!r} is not a lon/lat box with min < max")
    return values


def _raster_overlay(name: str):
    """The coloured PNG of a raster layer and its bounds, cached per file version."""
    entry = get_catalog()[name]
    path = get_store().raster_path(name)
    key = (name, path.stat().st_mtime_ns)
    cache = current_app.extensions["planner"]["cache"]
    if key not in cache:
        cache[key] = render_overlay_png(path, entry.style.get("ramp", []))
    return cache[key]


@bp.get("/layers")
def list_layers():
    store = get_store()
    stored = set(store.layer_names())
    rasters = set(store.raster_names())
    out = []
    for entry in get_catalog():
        item = entry.to_dict()
        if entry.kind == "vector" and entry.name in stored:
            info = store.info(entry.name)
            item.update(
                feature_count=info.feature_count,
                version=info.version,
                bounds=bounds_to_wgs84(info.bounds, info.crs),
                loaded=True,
            )
        elif entry.kind == "raster" and entry.name in rasters:
            _, bounds = _raster_overlay(entry.name)
            (south, west), (north, east) = bounds
            item.update(
                feature_count=1,
                loaded=True,
                bounds=[west, south, east, north],
                overlay={"url": url_for("api.raster_overlay", name=entry.name), "bounds": bounds},
            )
        else:
            item.update(feature_count=0, loaded=False, bounds=None)
        out.append(item)
    catalog = get_catalog()
    for name in sorted(stored - set(catalog.layers)):
        out.append(_user_layer_entry(name, store.info(name)))
    return jsonify({"layers": out})


# Imported layers that are not in the catalogue are drawn in these, in turn.
_USER_LAYER_COLOURS = ["#D81B60", "#00897B", "#5E35B1", "#F4511E", "#3949AB", "#7CB342"]


def _user_layer_entry(name: str, info) -> dict:
    """A catalogue-like entry for a layer a user imported under a new name."""
    colour = _USER_LAYER_COLOURS[sum(map(ord, name)) % len(_USER_LAYER_COLOURS)]
    fields = {
        field: {"type": "str", "label": {"th": field, "en": field}, "required": False}
        for field in get_store().read(name, bbox=(0, 0, 0, 0)).columns
        if field != "geometry"
    }
    return {
        "name": name,
        "title": {"th": f"{name} (นำเข้า)", "en": f"{name} (imported)"},
        "kind": "vector",
        "geometry_type": info.geometry_type,
        "crs": info.crs,
        "status": "imported",
        "status_note": {
            "th": "ชั้นข้อมูลที่ผู้ใช้นำเข้า ไม่อยู่ในทะเบียนชั้นข้อมูล",
            "en": "Imported by a user; not in the layer catalogue",
        },
        "fields": fields,
        "style": {
            "color": colour,
            "fill_color": colour,
            "weight": 2,
            "fill_opacity": 0.35,
            "radius": 6,
        },
        "source": info.provenance or {"name": "import"},
        "licence": "as supplied",
        "draw_order": 100,
        "feature_count": info.feature_count,
        "version": info.version,
        "bounds": bounds_to_wgs84(info.bounds, info.crs),
        "loaded": True,
    }


@bp.get("/layers/<name>")
def layer_features(name: str):
    catalog = get_catalog()
    if name in catalog and catalog[name].kind != "vector":
        raise PlannerError(f"layer {name!r} is a raster; see /api/layers/{name}/overlay.png")
    store = get_store()
    if name not in catalog and not store.has_layer(name):
        raise LayerNotFound(name)
    info = store.info(name)
    if request.args.get("bbox"):
        bbox = bbox_to_storage(_parse_bbox(request.args["bbox"]), info.crs)
        body = to_geojson(store.read(name, bbox=bbox))
    else:
        # Whole layers are what the map asks for on every page load; keep the
        # latest version of each serialised.
        cache = current_app.extensions["planner"]["cache"]
        key = ("geojson", name)
        stamp = (info.version, info.written_at)
        if cache.get(key, (None,))[0] != stamp:
            text = to_geojson(store.read(name)).encode("utf-8")
            cache[key] = (stamp, text, gzip.compress(text, compresslevel=5))
        _, text, packed = cache[key]
        etag = f'"{name}-{info.version}-{len(text)}"'
        if request.if_none_match.contains(etag.strip('"')):
            return Response(status=304, headers={"ETag": etag})
        headers = {"ETag": etag, "Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
        if "gzip" in request.accept_encodings:
            # Workshop laptops often serve the map to others over Wi-Fi.
            headers["Content-Encoding"] = "gzip"
            return Response(packed, mimetype="application/geo+json", headers=headers)
        return Response(text, mimetype="application/geo+json", headers=headers)
    return Response(body, mimetype="application/geo+json")


@bp.get("/layers/<name>/overlay.png")
def raster_overlay(name: str):
    if get_catalog()[name].kind != "raster":
        raise LayerNotFound(name)
    png, _ = _raster_overlay(name)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "max-age=300"})
