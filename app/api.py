"""JSON API over the layer catalogue and the store."""

from __future__ import annotations

import gzip
import hashlib
import math

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from app import layer_access
from app.application import tiles as tile_service
from app.store import get_catalog, get_store
from app.tiles_views import tile_fields
from gis.errors import PlannerError
from gis.layers import (
    bbox_to_storage,
    bounds_to_wgs84,
    display_decimals,
    simplify_for_display,
    snap_tolerance,
    to_geojson,
    worth_simplifying,
)
from gis.raster import render_overlay_png
from gis.store import LayerNotFound
from gis.thaidate import format_date

bp = Blueprint("api", __name__, url_prefix="/api")
# What a user is served depends on who they are (docs/decisions/0010).
_VARY = "Accept-Encoding, Cookie, Authorization"


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
        if not layer_access.may_see(entry.name):
            continue
        item = _without(entry.to_dict(), layer_access.hidden_fields(entry.name))
        if entry.kind == "vector" and entry.name in stored:
            info = store.info(entry.name)
            item.update(
                feature_count=info.feature_count,
                version=info.version,
                bounds=bounds_to_wgs84(info.bounds, info.crs),
                loaded=True,
            )
            item.update(_tiles_entry(entry.name, info))
            if info.provenance.get("import_id"):
                # A user's own file in a catalogue layer: not the sample, whatever the
                # catalogue says of the sample's shapes.
                item.update(_imported_status(info.provenance))
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
        if layer_access.may_see(name):
            info = store.info(name)
            entry = _user_layer_entry(name, info)
            entry.update(_tiles_entry(name, info))
            out.append(_without(entry, layer_access.hidden_fields(name)))
    response = jsonify({"layers": out})
    response.headers["Vary"] = _VARY
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _tiles_entry(name: str, info) -> dict:
    """`tiles` for a layer the map draws from vector tiles (app.application.tiles)."""
    if not tile_service.is_tiled(info.feature_count):
        return {}
    tag = get_store().layer_tag(name)
    url = f"{request.script_root}/tiles/{name}/{{z}}/{{x}}/{{y}}.mvt?v={tag}"
    return {"tiles": {"url": url, "fields": tile_fields(name), "layer": name}}


# The licence of data a user imported: whatever came with the file.
_AS_SUPPLIED = {"th": "ตามที่มากับไฟล์ที่นำเข้า", "en": "As supplied with the imported file"}


def _imported_status(provenance: dict) -> dict:
    file = str(provenance.get("file") or "")
    day = format_date(provenance.get("imported_at"), "th")
    day_en = format_date(provenance.get("imported_at"), "en")
    return {
        "status": "imported",
        "status_note": {
            "th": f"นำเข้าจากไฟล์ {file} เมื่อ {day}".strip(),
            "en": f"Imported from {file} on {day_en}".strip(),
        },
        "source": {"name": {"th": file, "en": file}},
        "licence": dict(_AS_SUPPLIED),
    }


def _without(item: dict, hidden: frozenset[str]) -> dict:
    """A layer's listing without the fields the user may not see."""
    if hidden:
        item["fields"] = {k: v for k, v in item["fields"].items() if k not in hidden}
    return item


# Imported layers that are not in the catalogue are drawn in these, in turn.
_USER_LAYER_COLOURS = ["#D81B60", "#00897B", "#5E35B1", "#F4511E", "#3949AB", "#7CB342"]


def _user_layer_entry(name: str, info) -> dict:
    """A catalogue-like entry for a layer a user imported under a new name."""
    colour = _USER_LAYER_COLOURS[sum(map(ord, name)) % len(_USER_LAYER_COLOURS)]
    fields = {
        field: {"type": "str", "label": {"th": field, "en": field}, "required": False}
        for field in layer_access.layer_columns(name)
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
        "source": {
            **(info.provenance or {}),
            "name": {"th": "นำเข้าโดยผู้ใช้", "en": "Imported by a user"},
        },
        "licence": dict(_AS_SUPPLIED),
        "access": layer_access.layer_access(name),
        "draw_order": 100,
        "feature_count": info.feature_count,
        "version": info.version,
        "bounds": bounds_to_wgs84(info.bounds, info.crs),
        "loaded": True,
    }


def _parse_simplify(raw: str | None) -> int | None:
    """?simplify=<metres>: the display tolerance, snapped down to gis.layers.SIMPLIFY_STEPS."""
    if raw is None or raw == "":
        return None
    try:
        metres = float(raw)
    except ValueError:
        metres = math.nan
    if not math.isfinite(metres) or metres < 0:
        raise PlannerError(f"simplify must be a distance in metres (0 or more), not {raw!r}")
    return snap_tolerance(metres)


def _simplify_tolerance(name: str, stamp, requested: int | None) -> int | None:
    """The tolerance actually applied: none for layers too plain to gain from it."""
    if requested is None:
        return None
    cache = current_app.extensions["planner"]["cache"]
    key = ("worth-simplifying", name)
    if cache.get(key, (None,))[0] != stamp:
        cache[key] = (stamp, worth_simplifying(get_store().read(name)))
    return requested if cache[key][1] else None


def _serialise(gdf, tolerance: int | None) -> str:
    """GeoJSON of features already stripped of hidden fields, simplified for display.

    Simplification is in the storage CRS (metres), before reprojection to lon/lat, and
    touches geometry only: the properties are exactly those of the full layer.
    """
    if tolerance:
        gdf = simplify_for_display(gdf, tolerance)
    return to_geojson(gdf, decimals=display_decimals(tolerance))


@bp.get("/layers/<name>")
def layer_features(name: str):
    catalog = get_catalog()
    if name in catalog and catalog[name].kind != "vector":
        raise PlannerError(f"layer {name!r} is a raster; see /api/layers/{name}/overlay.png")
    store = get_store()
    if name not in catalog and not store.has_layer(name):
        raise LayerNotFound(name)
    layer_access.require_layer(name)
    hidden = layer_access.hidden_fields(name)
    headers = {"Vary": _VARY, "Cache-Control": _cache_control(name)}
    info = store.info(name)
    stamp = (info.version, info.written_at)
    # The map asks for the detail its zoom can show (?simplify=<metres>); the answer says
    # what it got, so that it knows whether zooming in needs finer shapes.
    tolerance = _simplify_tolerance(name, stamp, _parse_simplify(request.args.get("simplify")))
    headers["X-Simplified-Metres"] = str(tolerance or 0)
    if request.args.get("bbox"):
        bbox = bbox_to_storage(_parse_bbox(request.args["bbox"]), info.crs)
        body = _serialise(_drop(store.read(name, bbox=bbox), hidden), tolerance)
        return Response(body, mimetype="application/geo+json", headers=headers)
    # Whole layers are what the map asks for on every page load; keep the latest
    # version of each serialised, once per view (all fields, or without some) and
    # per display tolerance (a handful of steps).
    cache = current_app.extensions["planner"]["cache"]
    key = ("geojson", name, hidden, tolerance)
    if cache.get(key, (None,))[0] != stamp:
        text = _serialise(_drop(store.read(name), hidden), tolerance).encode("utf-8")
        cache[key] = (stamp, text, gzip.compress(text, compresslevel=5))
    _, text, packed = cache[key]
    view = hashlib.sha256("\n".join(sorted(hidden)).encode()).hexdigest()[:8] if hidden else "all"
    detail = f"-s{tolerance}" if tolerance else ""
    etag = f'"{name}-{info.version}-{len(text)}-{view}{detail}"'
    headers["ETag"] = etag
    if request.if_none_match.contains(etag.strip('"')):
        return Response(status=304, headers=headers)
    if "gzip" in request.accept_encodings:
        # Workshop laptops often serve the map to others over Wi-Fi.
        headers["Content-Encoding"] = "gzip"
        return Response(packed, mimetype="application/geo+json", headers=headers)
    return Response(text, mimetype="application/geo+json", headers=headers)


def _drop(gdf, hidden: frozenset[str]):
    return gdf.drop(columns=[c for c in gdf.columns if c in hidden]) if hidden else gdf


def _cache_control(name: str) -> str:
    """Never store personal fields; revalidate the rest (privately unless public)."""
    if layer_access.served_personal(name):
        return "no-store"
    return "no-cache" if layer_access.layer_access(name) == "public" else "private, no-cache"


@bp.get("/layers/<name>/overlay.png")
def raster_overlay(name: str):
    if get_catalog()[name].kind != "raster":
        raise LayerNotFound(name)
    layer_access.require_layer(name)
    png, _ = _raster_overlay(name)
    public = layer_access.layer_access(name) == "public"
    headers = {"Cache-Control": "max-age=300" if public else "private, max-age=300"}
    if not public:
        headers["Vary"] = _VARY
    return Response(png, mimetype="image/png", headers=headers)
