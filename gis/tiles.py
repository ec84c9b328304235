"""Mapbox vector tiles (MVT) of a layer: the tile grid, a box index of the features,
and the two kinds of tile the map draws.

* a **detail** tile: the features themselves, simplified to half a screen pixel at the
  tile's zoom and clipped to the tile and a small buffer;
* a **summary** tile, where a detail tile would be too heavy (more than
  `DETAIL_MAX_FEATURES`, or more than `MAX_TILE_BYTES` once encoded) or its features
  smaller than a pixel: one point per 16-pixel cell with the number of features whose
  box centre falls in it.

Pure functions: GeoDataFrames and arrays in, bytes out. Web Mercator (EPSG:3857)
is the tile CRS; the caller hands features in their own CRS and nothing is
reprojected silently: `detail_tile` reprojects, and says so in its name of the CRS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import shapely
from pyproj import CRS, Transformer

from gis.errors import PlannerError

TILE_CRS = "EPSG:3857"
EXTENT = 4096  # MVT units across a tile
BUFFER = 64  # MVT units kept beyond the tile's edge, so strokes meet across tiles
MAX_ZOOM = 22
MAX_TILE_BYTES = 100_000  # no tile the map fetches is heavier (before gzip)
DETAIL_MAX_FEATURES = 2_000  # above this a tile summarises instead
SUMMARY_CELL_PX = 16  # a summary tile has (256 / 16)² = 256 cells at most
WORLD = 20037508.342789244  # half the Web Mercator world, metres
TILE_PX = 256


class TileError(PlannerError):
    """A tile address off the grid, or a layer that cannot be tiled."""

    def __init__(self, message_en: str, message_th: str):
        super().__init__(message_en)
        self.message_th = message_th


def check_tile(z: int, x: int, y: int) -> None:
    """Refuse a tile address that is not on the grid (0 <= x, y < 2**z, z <= MAX_ZOOM)."""
    if not (0 <= z <= MAX_ZOOM):
        raise TileError(
            f"zoom must be 0 to {MAX_ZOOM}, not {z}",
            f"ระดับซูมต้องอยู่ระหว่าง 0 ถึง {MAX_ZOOM} ไม่ใช่ {z}",
        )
    n = 1 << z
    if not (0 <= x < n and 0 <= y < n):
        raise TileError(
            f"tile {z}/{x}/{y} is off the grid: x and y must be 0 to {n - 1} at zoom {z}",
            f"ไทล์ {z}/{x}/{y} อยู่นอกตาราง ที่ซูม {z} ค่า x และ y ต้องอยู่ระหว่าง 0 ถึง {n - 1}",
        )


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's box in EPSG:3857 metres (minx, miny, maxx, maxy); y counts from the north."""
    size = 2 * WORLD / (1 << z)
    minx = -WORLD + x * size
    maxy = WORLD - y * size
    return (minx, maxy - size, minx + size, maxy)


def pixel_metres(z: int) -> float:
    """The width of a screen pixel at zoom `z`, in EPSG:3857 metres."""
    return 2 * WORLD / (TILE_PX * (1 << z))


def simplify_tolerance(z: int) -> float:
    """Half a screen pixel at zoom `z` (EPSG:3857 metres): finer cannot be seen."""
    return pixel_metres(z) / 2


def tiles_covering(bounds, z: int) -> list[tuple[int, int]]:
    """(x, y) of every tile at zoom `z` that meets `bounds` (EPSG:3857)."""
    minx, miny, maxx, maxy = bounds
    size = 2 * WORLD / (1 << z)
    n = (1 << z) - 1
    x0 = min(max(int((minx + WORLD) // size), 0), n)
    x1 = min(max(int((maxx + WORLD) // size), 0), n)
    y0 = min(max(int((WORLD - maxy) // size), 0), n)
    y1 = min(max(int((WORLD - miny) // size), 0), n)
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


@dataclass(frozen=True)
class BoxIndex:
    """Each feature's box in EPSG:3857, sorted by its west edge: how many features a
    tile meets, and where they cluster, without reading the layer."""

    boxes: np.ndarray  # (n, 4) float64: minx, miny, maxx, maxy, sorted by minx
    widest: float  # the widest box, so a west-edge search misses nothing

    @classmethod
    def from_boxes(cls, boxes: np.ndarray) -> BoxIndex:
        boxes = np.asarray(boxes, dtype="float64").reshape(-1, 4)
        boxes = boxes[np.all(np.isfinite(boxes), axis=1)]
        boxes = boxes[np.argsort(boxes[:, 0], kind="stable")]
        widest = float((boxes[:, 2] - boxes[:, 0]).max()) if len(boxes) else 0.0
        return cls(boxes=boxes, widest=widest)

    def __len__(self) -> int:
        return len(self.boxes)

    @property
    def typical_size(self) -> float:
        """The median feature's larger side (EPSG:3857 metres); 0 for an empty index."""
        if not len(self.boxes):
            return 0.0
        b = self.boxes
        return float(np.median(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])))

    def shows_at(self, z: int) -> bool:
        """Whether the typical feature is at least a screen pixel across at zoom z; a
        smaller one is a count, not a shape."""
        return self.typical_size >= pixel_metres(z)

    def meeting(self, bounds) -> np.ndarray:
        """The boxes that meet `bounds` (EPSG:3857)."""
        minx, miny, maxx, maxy = bounds
        b = self.boxes
        lo = np.searchsorted(b[:, 0], minx - self.widest, side="left")
        hi = np.searchsorted(b[:, 0], maxx, side="right")
        part = b[lo:hi]
        keep = (part[:, 2] >= minx) & (part[:, 1] <= maxy) & (part[:, 3] >= miny)
        return part[keep]

    def to_bytes(self) -> bytes:
        return self.boxes.astype("<f8").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> BoxIndex:
        return cls.from_boxes(np.frombuffer(data, dtype="<f8").reshape(-1, 4))


def box_index(boxes: np.ndarray, *, crs) -> BoxIndex:
    """The index of feature boxes given in `crs` (minx, miny, maxx, maxy rows): each
    box's corners are taken to EPSG:3857 and boxed again."""
    boxes = np.asarray(boxes, dtype="float64").reshape(-1, 4)
    if len(boxes) and CRS.from_user_input(crs) != CRS.from_user_input(TILE_CRS):
        to_web = Transformer.from_crs(crs, TILE_CRS, always_xy=True)
        xs = boxes[:, [0, 2, 2, 0]].ravel()
        ys = boxes[:, [1, 1, 3, 3]].ravel()
        wx, wy = to_web.transform(xs, ys)
        wx, wy = np.asarray(wx).reshape(-1, 4), np.asarray(wy).reshape(-1, 4)
        boxes = np.column_stack([wx.min(1), wy.min(1), wx.max(1), wy.max(1)])
    return BoxIndex.from_boxes(boxes)


def buffered_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's box grown by BUFFER MVT units on each side (EPSG:3857)."""
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    pad = (maxx - minx) * BUFFER / EXTENT
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def search_box(z: int, x: int, y: int, crs) -> tuple[float, float, float, float]:
    """The buffered tile's box in `crs` (edges densified, so it holds the whole tile)."""
    to_crs = Transformer.from_crs(TILE_CRS, crs, always_xy=True)
    return tuple(to_crs.transform_bounds(*buffered_bounds(z, x, y), densify_pts=21))


def _to_tile_units(geoms: np.ndarray, z: int, x: int, y: int) -> np.ndarray:
    """EPSG:3857 geometries in whole tile units (0..EXTENT, y up), all at once."""
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    scale = np.array([EXTENT / (maxx - minx), EXTENT / (maxy - miny)])
    origin = np.array([minx, miny])
    moved = shapely.transform(geoms, lambda xy: np.round((xy - origin) * scale))
    # Outer rings anticlockwise with y up: clockwise once the encoder turns y down, as
    # the MVT spec wants; done here for all at once, so the encoder need not check each.
    return shapely.orient_polygons(moved, exterior_cw=False)


def _encode(name: str, geoms: np.ndarray, props: list[dict]) -> bytes:
    """The MVT of geometries already in tile units (see `_to_tile_units`)."""
    features = [
        {"geometry": g, "properties": p}
        for g, p in zip(geoms, props, strict=True)
        if g is not None and not g.is_empty
    ]
    if not features:
        return b""
    return mapbox_vector_tile.encode(
        [{"name": name, "features": features}],
        default_options={"extents": EXTENT, "check_winding_order": False},
    )


def _plain(value):
    """An MVT attribute value: str, int, float or bool; None is left out."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def detail_tile(
    gdf: gpd.GeoDataFrame, z: int, x: int, y: int, *, layer: str, fields: list[str] = ()
) -> bytes:
    """The MVT of `gdf`'s features in tile z/x/y: taken from their CRS to EPSG:3857,
    simplified to half a pixel, clipped to the buffered tile; attributes `fields` only."""
    check_tile(z, x, y)
    if gdf.crs is None:
        raise TileError(
            f"layer {layer!r} has no CRS; a tile needs one",
            f"ชั้นข้อมูล {layer} ไม่มีระบบพิกัด จึงทำไทล์ไม่ได้",
        )
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.empty:
        return b""
    geoms = gdf.geometry.to_crs(TILE_CRS).values
    geoms = shapely.simplify(geoms, simplify_tolerance(z), preserve_topology=True)
    geoms = shapely.clip_by_rect(geoms, *buffered_bounds(z, x, y))
    keep = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    columns = [f for f in fields if f in gdf.columns]
    records = gdf.loc[keep, columns].to_dict("records") if columns else None
    shapes = []
    for geom in geoms[keep]:
        if geom.geom_type == "GeometryCollection":  # a clip can leave lines beside areas
            top = max(p.dim for p in geom.geoms)
            geom = shapely.union_all([g for g in shapely.get_parts(geom) if g.dim == top])
        shapes.append(geom)
    props = [
        {k: v for k, v in ((k, _plain(v)) for k, v in record.items()) if v is not None}
        for record in (records or [{}] * len(shapes))
    ]
    return _encode(layer, _to_tile_units(np.array(shapes, dtype=object), z, x, y), props)


def summary_tile(index: BoxIndex, z: int, x: int, y: int, *, layer: str) -> bytes:
    """One point per SUMMARY_CELL_PX cell of tile z/x/y holding box centres, with
    `count`: the features there; the point sits at the centres' mean."""
    check_tile(z, x, y)
    boxes = index.meeting(tile_bounds(z, x, y))
    cx = (boxes[:, 0] + boxes[:, 2]) / 2
    cy = (boxes[:, 1] + boxes[:, 3]) / 2
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    inside = (cx >= minx) & (cx < maxx) & (cy > miny) & (cy <= maxy)
    cx, cy = cx[inside], cy[inside]
    if not len(cx):
        return b""
    cells = TILE_PX // SUMMARY_CELL_PX
    size = (maxx - minx) / cells
    col = np.minimum(((cx - minx) // size).astype(int), cells - 1)
    row = np.minimum(((maxy - cy) // size).astype(int), cells - 1)
    key = row * cells + col
    order = np.argsort(key, kind="stable")
    key, cx, cy = key[order], cx[order], cy[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    counts = np.diff(np.r_[starts, len(key)])
    mean_x = np.add.reduceat(cx, starts) / counts
    mean_y = np.add.reduceat(cy, starts) / counts
    points = shapely.points(mean_x, mean_y)
    props = [{"count": int(n)} for n in counts]
    return _encode(layer, _to_tile_units(points, z, x, y), props)


def decode(tile: bytes) -> dict:
    """The layers of an MVT as GeoJSON-like dicts in tile units (for tests and checks)."""
    return mapbox_vector_tile.decode(tile) if tile else {}
