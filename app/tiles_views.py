"""`GET /tiles/<layer>/<z>/<x>/<y>.mvt`: a vector layer's Mapbox vector tiles.

The layer's access rule applies as for its GeoJSON (app.layer_access); a tile holds
no personal field, so it is the same for everyone allowed the layer. A browser may
keep (and revalidate) the tiles of public and logged-in layers; those of a personal
layer, the homes of households, it is told not to store. The ETag is the
layer's tag and the tile's address: a browser revalidates and gets 304 until the
layer is written again. Gzip when the browser takes it (docs/decisions/0029).
"""

from __future__ import annotations

import gzip

from flask import Blueprint, Flask, Response, g, request

from app import layer_access
from app.application import tiles as tile_service
from app.store import get_catalog, get_store
from gis.store import LayerNotFound

bp = Blueprint("tiles", __name__, url_prefix="/tiles")
MVT_TYPE = "application/vnd.mapbox-vector-tile"


def tile_fields(name: str) -> list[str]:
    """The fields the layer's tiles carry (its style's classifying field)."""
    entry = get_catalog().layers.get(name)
    style = entry.style if entry is not None else None
    return tile_service.tile_fields(style, layer_access.layer_columns(name))


@bp.get("/<name>/<int:z>/<int:x>/<int:y>.mvt")
def tile(name: str, z: int, x: int, y: int):
    store, catalog = get_store(), get_catalog()
    entry = catalog.layers.get(name)
    if (entry is not None and entry.kind != "vector") or not store.has_layer(name):
        raise LayerNotFound(name)
    layer_access.require_layer(name)
    made = tile_service.layer_tile(store, name, z, x, y, fields=tile_fields(name))
    access = layer_access.layer_access(name)
    public = access == "public"
    # The tiles of a personal layer are never stored by the browser (app.security_headers).
    g.holds_no_personal_data = access != "personal"
    headers = {
        "ETag": f'"{name}-{made.tag}-{z}-{x}-{y}"',
        "Cache-Control": "public, no-cache" if public else "private, no-cache",
        "Vary": "Accept-Encoding" if public else "Accept-Encoding, Cookie, Authorization",
    }
    if request.if_none_match.contains(headers["ETag"].strip('"')):
        return Response(status=304, headers=headers)
    if made.data and "gzip" in request.accept_encodings:
        headers["Content-Encoding"] = "gzip"
        return Response(
            gzip.compress(made.data, compresslevel=5), mimetype=MVT_TYPE, headers=headers
        )
    return Response(made.data, mimetype=MVT_TYPE, headers=headers)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
