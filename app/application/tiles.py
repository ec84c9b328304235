"""Vector tiles of the stored layers (docs/decisions/0029-vector-tiles.md).

* Which layers the map draws from tiles: vector layers of more than
  `TILE_ABOVE_FEATURES` features; smaller ones stay GeoJSON.
* Which fields a tile carries: the one its style colours by, unless `cases.privacy`
  classifies it personal. So a tile is the same for everyone allowed the layer, and
  each is made once per layer tag and kept in the store's tile cache.
* Which kind of tile: none where no feature's box meets the tile, the features
  (`store.mvt`) where few do, a count per cell (`gis.tiles.summary_tile`) where a
  detail tile would hold more than `DETAIL_MAX_FEATURES` or weigh over 100 KB, or
  where the layer's typical feature is less than a pixel across.

Who may fetch a layer's tiles is the web's business (app.layer_access); nothing here
knows Flask.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from cases import privacy
from gis import tiles

TILE_ABOVE_FEATURES = 10_000
PREBUILD_MAX_ZOOM = 10  # `build_tiles` makes every non-empty tile up to this zoom
_INDEX_KEY = "index"
_INDEXES: OrderedDict = OrderedDict()  # (store, layer, tag) -> BoxIndex, a few at most
_INDEXES_KEPT = 6
# Tiles recently served, in this process's memory: {(store, layer, tag, z/x/y): bytes}.
# A tile never changes under its tag (a write makes a new one), so none goes stale; on
# PostGIS a kept tile spares two round trips to the tile cache table.
_TILES: OrderedDict = OrderedDict()
TILES_KEPT_BYTES = 16 * 1024 * 1024
_tiles_bytes = 0
_lock = threading.Lock()


@dataclass(frozen=True)
class Tile:
    data: bytes  # the MVT, not compressed; empty where the layer has nothing
    tag: str  # the layer's tag: the tile changes only when it does


def is_tiled(feature_count: int) -> bool:
    """Whether the map draws a layer of this many features from tiles."""
    return feature_count > TILE_ABOVE_FEATURES


def tile_fields(style: dict | None, columns) -> list[str]:
    """The attributes a tile carries: the style's classifying field, if stored and not
    personal. Popups read the features themselves, through the layer API."""
    classify = (style or {}).get("classify") or {}
    wanted = [classify["field"]] if classify.get("field") else []
    personal = set(privacy.personal_fields(wanted))
    return [f for f in wanted if f in set(columns) and f not in personal]


def _cache_tag(tag: str, fields: list[str]) -> str:
    return f"{tag}:{','.join(fields)}" if fields else tag


def _store_key(store) -> tuple:
    """Which store a kept index or tile belongs to: its address and schema."""
    return repr(store), getattr(store, "schema", None)


def box_index(store, name: str, tag: str) -> tiles.BoxIndex:
    """The layer's box index: from this process's memory, else the tile cache, else
    made from the store's feature boxes (and then kept in both)."""
    key = (*_store_key(store), name, tag)
    with _lock:
        if key in _INDEXES:
            _INDEXES.move_to_end(key)
            return _INDEXES[key]
    data = store.tile_cache.get(name, tag, _INDEX_KEY)
    if data is not None:
        index = tiles.BoxIndex.from_bytes(data)
    else:
        boxes, crs = store.feature_boxes(name)
        index = tiles.box_index(boxes, crs=crs) if crs else tiles.BoxIndex.from_boxes(boxes[:0])
        store.tile_cache.put(name, tag, _INDEX_KEY, index.to_bytes())
    with _lock:
        _INDEXES[key] = index
        while len(_INDEXES) > _INDEXES_KEPT:
            _INDEXES.popitem(last=False)
    return index


def make_tile(store, name: str, tag: str, z: int, x: int, y: int, *, fields) -> bytes:
    """Tile z/x/y of the layer, made now (not from the cache)."""
    index = box_index(store, name, tag)
    meeting = len(index.meeting(tiles.buffered_bounds(z, x, y)))
    if meeting == 0:
        return b""
    if meeting <= tiles.DETAIL_MAX_FEATURES and index.shows_at(z):
        data = store.mvt(name, z, x, y, fields=fields)
        if len(data) <= tiles.MAX_TILE_BYTES:
            return data
    return tiles.summary_tile(index, z, x, y, layer=name)


def layer_tile(store, name: str, z: int, x: int, y: int, *, fields) -> Tile:
    """Tile z/x/y of a stored layer, from the cache or made and kept there."""
    tiles.check_tile(z, x, y)
    tag = store.layer_tag(name)
    cache_tag, key = _cache_tag(tag, list(fields)), f"{z}/{x}/{y}"
    kept = (*_store_key(store), name, cache_tag, key)
    with _lock:
        data = _TILES.get(kept)
        if data is not None:
            _TILES.move_to_end(kept)
    if data is None:
        data = store.tile_cache.get(name, cache_tag, key)
        if data is None:
            data = make_tile(store, name, tag, z, x, y, fields=list(fields))
            store.tile_cache.put(name, cache_tag, key, data)
        _keep_tile(kept, data)
    return Tile(data=data, tag=tag)


def _keep_tile(kept: tuple, data: bytes) -> None:
    """Keep a served tile in memory, dropping the least recently served past
    `TILES_KEPT_BYTES`."""
    global _tiles_bytes
    with _lock:
        if kept in _TILES:
            return
        _TILES[kept] = data
        _tiles_bytes += len(data)
        while _tiles_bytes > TILES_KEPT_BYTES and _TILES:
            _tiles_bytes -= len(_TILES.popitem(last=False)[1])


def build_tiles(
    store,
    name: str,
    *,
    fields,
    max_zoom: int = PREBUILD_MAX_ZOOM,
    progress: Callable[[float], None] | None = None,
) -> int:
    """Make and keep the layer's box index and every non-empty tile from zoom 0 to
    `max_zoom` (the ones a national view asks for first); drop older tags' tiles.
    Returns the number of tiles made."""
    tag = store.layer_tag(name)
    cache_tag = _cache_tag(tag, list(fields))
    index = box_index(store, name, tag)
    store.tile_cache.drop_other_versions(name, cache_tag)
    store.tile_cache.put(name, cache_tag, _INDEX_KEY, index.to_bytes())
    todo = [(z, x, y) for z in range(max_zoom + 1) for x, y in _tiles_with_features(index, z)]
    for i, (z, x, y) in enumerate(todo, 1):
        key = f"{z}/{x}/{y}"
        if store.tile_cache.get(name, cache_tag, key) is None:
            data = make_tile(store, name, tag, z, x, y, fields=list(fields))
            store.tile_cache.put(name, cache_tag, key, data)
        if progress is not None and (i % 50 == 0 or i == len(todo)):
            progress(i / len(todo))
    return len(todo)


def layer_fields(store, catalog, name: str) -> list[str]:
    """The fields `name`'s tiles carry, from its catalogue style and stored columns."""
    entry = catalog.layers.get(name)
    columns = [c for c in store.read(name, bbox=(0, 0, 0, 0)).columns if c != "geometry"]
    return tile_fields(entry.style if entry is not None else None, columns)


def prebuild(store, catalog, names, *, progress=None) -> dict[str, int]:
    """`build_tiles` for each of `names` drawn from tiles (more than
    TILE_ABOVE_FEATURES features): what a write of a large layer is followed by."""
    made = {}
    for name in names:
        if not is_tiled(store.info(name).feature_count):
            continue
        made[name] = build_tiles(
            store, name, fields=layer_fields(store, catalog, name), progress=progress
        )
    return made


def _tiles_with_features(index: tiles.BoxIndex, z: int) -> list[tuple[int, int]]:
    """(x, y) of the tiles at zoom z that hold a feature's box centre."""
    if not len(index):
        return []
    b = index.boxes
    size = 2 * tiles.WORLD / (1 << z)
    n = (1 << z) - 1
    xs = ((((b[:, 0] + b[:, 2]) / 2) + tiles.WORLD) // size).clip(0, n).astype(int)
    ys = ((tiles.WORLD - (b[:, 1] + b[:, 3]) / 2) // size).clip(0, n).astype(int)
    return sorted({(int(x), int(y)) for x, y in zip(xs, ys, strict=True)})
