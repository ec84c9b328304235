"""Deterministic synthetic layers at district scale for the overlap benchmarks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
import shapely.ops

CRS = "EPSG:32647"
ZONE_CODES = np.array(["ย.1", "ย.2", "ย.3", "ย.4", "พ.1", "พ.2", "อ.1", "ก.1", "ก.2", "ส."])


def plots(n: int, *, seed: int = 1, size=(10.0, 20.0), x0=660_000.0, y0=1_530_000.0):
    """`n` rotated rectangular plots (about 6–28 m × 12–28 m) on a 30 m grid."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    gx, gy = np.meshgrid(np.arange(side), np.arange(side))
    cx = x0 + gx.ravel()[:n] * 30.0 + rng.uniform(-3, 3, n)
    cy = y0 + gy.ravel()[:n] * 30.0 + rng.uniform(-3, 3, n)
    w = rng.uniform(0.6, 1.4, n) * size[0]
    d = rng.uniform(0.6, 1.4, n) * size[1]
    angle = rng.uniform(0, np.pi, n)
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    xs, ys = corners[:, 0][None] * w[:, None], corners[:, 1][None] * d[:, None]
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    coords = np.stack([cx[:, None] + xs * c - ys * s, cy[:, None] + xs * s + ys * c], -1)
    return gpd.GeoDataFrame({"plot_id": np.arange(n)}, geometry=shapely.polygons(coords), crs=CRS)


def zoning(n: int, extent, *, seed: int = 2, densify: float = 20.0):
    """`n` zoning polygons tiling the extent (Voronoi cells, edges every 20 m)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = extent
    points = shapely.multipoints(shapely.points(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)))
    frame = shapely.box(x0 - 100, y0 - 100, x1 + 100, y1 + 100)
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=frame))
    cells = shapely.segmentize(shapely.intersection(cells, frame), densify)
    codes = ZONE_CODES[rng.integers(0, len(ZONE_CODES), len(cells))]
    return gpd.GeoDataFrame({"zone_code": codes}, geometry=cells, crs=CRS)


def canal_setback(extent, *, n_segments: int = 300, seed: int = 3, setback=8.0, half_width=6.0):
    """A canal meandering back and forth across the extent, its setback buffered per
    segment (flat ends, so neighbouring parts share edges and overlap at bends)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = extent
    rows, pts = 6, []
    for r in range(rows):
        y = y0 + (r + 0.5) * (y1 - y0) / rows
        xs = np.linspace(x0, x1, 400)
        if r % 2:
            xs = xs[::-1]
        ys = y + 120 * np.sin(xs / 300.0 + r) + rng.normal(0, 2, xs.size)
        pts.append(np.column_stack([xs, ys]))
    line = shapely.linestrings(np.vstack(pts))
    cuts = np.linspace(0, line.length, n_segments + 1)
    segments = [shapely.ops.substring(line, a, b) for a, b in zip(cuts[:-1], cuts[1:])]
    parts = shapely.buffer(np.array(segments), half_width + setback, cap_style="flat")
    return gpd.GeoDataFrame({"segment_no": np.arange(1, n_segments + 1)}, geometry=parts, crs=CRS)
