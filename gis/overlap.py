"""Exact overlap of sites with polygon layers: area and share per category (zone
code, tenure owner), and inside / partly inside / outside for constraint layers
such as the canal setback.

Areas are true intersections in the sites' metric CRS (the store keeps EPSG:32647).
Both inputs must already share that CRS; nothing is reprojected here. Pairs come
from an STRtree; a site wholly covered by one polygon takes its own area without
an intersection; constraint polygons stay per canal segment and are unioned only
per site, so no dissolved mega-polygon is ever built.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from gis.errors import Problem, ValidationError

__all__ = [
    "INSIDE",
    "OUTSIDE",
    "PARTLY_INSIDE",
    "area_by_category",
    "constraint_status",
    "site_ids",
    "status_table",
    "validate_sites",
]

INSIDE, PARTLY_INSIDE, OUTSIDE = "inside", "partly_inside", "outside"
STATUSES = (INSIDE, PARTLY_INSIDE, OUTSIDE)
# A site counts as wholly inside when at most this share of it is left out
# (floating-point noise of the intersection, not a planning tolerance).
_WHOLE = 1e-9


def site_ids(sites: gpd.GeoDataFrame, site_id: str | None) -> np.ndarray:
    """The values that name each site in a result: a column, or else the index."""
    if site_id is None:
        return np.asarray(sites.index)
    return sites[site_id].to_numpy()


def _polygonal_problems(gdf: gpd.GeoDataFrame, role: str, label: str | None) -> list[Problem]:
    problems = []
    geoms = np.asarray(gdf.geometry.values)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    kinds = shapely.get_type_id(geoms)
    polygonal = np.isin(kinds, (3, 6))  # Polygon, MultiPolygon
    valid = _in_chunks(shapely.is_valid, geoms)
    for i in np.flatnonzero(missing):
        problems.append(
            Problem(
                f"{role} feature has no geometry",
                f"{_ROLE_TH[role]} ไม่มีรูปร่าง",
                file=label,
                feature=_feature(gdf, i),
                field="geometry",
            )
        )
    for i in np.flatnonzero(~missing & ~polygonal):
        problems.append(
            Problem(
                f"{role} feature is a {geoms[i].geom_type}, not a polygon",
                f"{_ROLE_TH[role]} ไม่ใช่รูปหลายเหลี่ยม",
                file=label,
                feature=_feature(gdf, i),
                field="geometry",
            )
        )
    for i in np.flatnonzero(~missing & polygonal & ~valid):
        reason = shapely.is_valid_reason(geoms[i])
        problems.append(
            Problem(
                f"{role} geometry is invalid ({reason}); repair it before checking",
                f"รูปร่างของ{_ROLE_TH[role]}ไม่ถูกต้อง ({reason}) โปรดแก้ไขก่อนตรวจสอบ",
                file=label,
                feature=_feature(gdf, i),
                field="geometry",
            )
        )
    return problems


_ROLE_TH = {"site": "พื้นที่โครงการ", "layer": "ชั้นข้อมูล", "constraint": "ข้อจำกัด"}


def _feature(gdf: gpd.GeoDataFrame, i: int):
    label = gdf.index[i]
    return int(label) if isinstance(label, (int, np.integer)) else str(label)


def _crs_problems(
    sites: gpd.GeoDataFrame,
    layer: gpd.GeoDataFrame | None,
    labels: tuple[str | None, str | None],
) -> list[Problem]:
    problems = []
    pairs = [(sites, labels[0], "sites"), (layer, labels[1], "layer")]
    for gdf, label, role in pairs[: 1 if layer is None else 2]:
        if gdf.crs is None:
            problems.append(
                Problem(
                    f"the {role} have no coordinate reference system",
                    "ไม่มีระบบพิกัด",
                    file=label,
                    field="crs",
                )
            )
        elif not CRS.from_user_input(gdf.crs).is_projected or not _metres(gdf.crs):
            problems.append(
                Problem(
                    f"the {role} are in {gdf.crs.to_string()}, not a metric CRS; "
                    "areas need metres (import into EPSG:32647 first)",
                    f"ระบบพิกัด {gdf.crs.to_string()} ไม่ใช่หน่วยเมตร "
                    "โปรดนำเข้าเป็น EPSG:32647 ก่อนคำนวณพื้นที่",
                    file=label,
                    field="crs",
                )
            )
    if (
        layer is not None
        and sites.crs is not None
        and layer.crs is not None
        and not CRS.from_user_input(sites.crs).equals(CRS.from_user_input(layer.crs))
    ):
        problems.append(
            Problem(
                f"the sites are in {sites.crs.to_string()} but the layer is in "
                f"{layer.crs.to_string()}; reproject at import, never here",
                f"ระบบพิกัดของพื้นที่โครงการ ({sites.crs.to_string()}) ไม่ตรงกับชั้นข้อมูล "
                f"({layer.crs.to_string()})",
                file=labels[1],
                field="crs",
            )
        )
    return problems


def _metres(crs) -> bool:
    axis = CRS.from_user_input(crs).axis_info
    return bool(axis) and all((a.unit_name or "").startswith("met") for a in axis[:2])


def validate_sites(
    sites: gpd.GeoDataFrame,
    layer: gpd.GeoDataFrame | None = None,
    *,
    by: str | None = None,
    site_id: str | None = None,
    labels: tuple[str | None, str | None] = (None, None),
    role: str = "layer",
) -> None:
    """Every problem with the sites (and the layer, if given) at once, as one
    ValidationError."""
    problems = _crs_problems(sites, layer, labels)
    if site_id is not None and site_id not in sites.columns:
        problems.append(
            Problem(
                "the sites have no such id field",
                "ไม่มีฟิลด์รหัสพื้นที่นี้",
                file=labels[0],
                field=site_id,
            )
        )
    if layer is not None and by is not None and by not in layer.columns:
        problems.append(
            Problem(
                f"the layer has no field {by!r} to group by; it has "
                f"{', '.join(c for c in layer.columns if c != layer.geometry.name)}",
                f"ชั้นข้อมูลไม่มีฟิลด์ {by!r}",
                file=labels[1],
                field=by,
            )
        )
    problems += _polygonal_problems(sites, "site", labels[0])
    if layer is not None:
        problems += _polygonal_problems(layer, role, labels[1])
    if problems:
        raise ValidationError(problems)


# Shapely releases the GIL inside GEOS, so large batches of intersections run on
# every core. Prepared geometries are shared, so only unprepared operations go here.
_PARALLEL_MIN = 4000


def _in_chunks(fn, *arrays: np.ndarray) -> np.ndarray:
    """fn(*arrays) computed on every core, in contiguous chunks."""
    n = len(arrays[0])
    workers = min(os.cpu_count() or 1, 8)
    if n < _PARALLEL_MIN or workers == 1:
        return fn(*arrays)
    bounds = np.linspace(0, n, workers + 1).astype(int)
    chunks = [slice(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:])]
    with ThreadPoolExecutor(workers) as pool:
        return np.concatenate(list(pool.map(lambda c: fn(*(a[c] for a in arrays)), chunks)))


# GEOS's overlay can go wildly wrong on nearly coincident edges (JTS issue #1000,
# shapely #1871): the intersection of two polygons that only share an edge may
# come back as one of them. Results that cannot be right (outside both inputs'
# boxes, or larger than either input) are recomputed with snap-rounding on a
# nanometre grid, which is robust but several times slower.
ROBUST_GRID = 1e-9


def _implausible(result: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    rb, ab, bb = shapely.bounds(result), shapely.bounds(a), shapely.bounds(b)
    lo = np.maximum(ab[:, :2], bb[:, :2])
    hi = np.minimum(ab[:, 2:], bb[:, 2:])
    span = np.maximum(hi - lo, 0).max(axis=1, keepdims=True) + 1.0
    tol = 1e-9 * span
    empty = shapely.is_empty(result)
    outside = ((rb[:, :2] < lo - tol) | (rb[:, 2:] > hi + tol)).any(axis=1)
    area = shapely.area(result)
    too_big = area > np.minimum(shapely.area(a), shapely.area(b)) * (1 + 1e-9) + 1e-9
    return ~empty & (outside | too_big)


def _robust_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    result = shapely.intersection(a, b)
    bad = _implausible(result, a, b)
    if bad.any():
        result[bad] = shapely.intersection(a[bad], b[bad], grid_size=ROBUST_GRID)
    return result


def _intersection_areas(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact area of a[i] ∩ b[i] for every i."""
    return _in_chunks(lambda x, y: shapely.area(_robust_intersection(x, y)), a, b)


def _candidate_pairs(site_geoms: np.ndarray, layer_geoms: np.ndarray):
    """(site index, layer index, covered) for every pair that shares area or edge.

    `covered` marks the fast path: the layer polygon covers the whole site, so the
    overlap is the site's own area and needs no intersection.
    """
    tree = shapely.STRtree(layer_geoms)
    si, li = tree.query(site_geoms)  # bounding boxes only
    shapely.prepare(layer_geoms)
    covered = shapely.covers(layer_geoms[li], site_geoms[si])
    touching = covered.copy()
    rest = ~covered
    touching[rest] = shapely.intersects(layer_geoms[li[rest]], site_geoms[si[rest]])
    return si[touching], li[touching], covered[touching]


def area_by_category(
    sites: gpd.GeoDataFrame,
    layer: gpd.GeoDataFrame,
    by: str,
    *,
    site_id: str | None = None,
    labels: tuple[str | None, str | None] = (None, None),
) -> pd.DataFrame:
    """Area and share of each site per category of `layer[by]`.

    One row per site and category it overlaps (categories with only a shared edge
    are left out): `site_id`, `by`, `area_m2` (exact intersection area) and `share`
    (of the site's own area). Several polygons of one category are summed. Sites
    that overlap nothing have no rows; `uncovered_share` tells that per site.
    """
    validate_sites(sites, layer, by=by, site_id=site_id, labels=labels)
    site_geoms = np.asarray(sites.geometry.values)
    layer_geoms = np.asarray(layer.geometry.values)
    ids = site_ids(sites, site_id)
    site_area = shapely.area(site_geoms)

    si, li, covered = _candidate_pairs(site_geoms, layer_geoms)
    area = np.empty(len(si), dtype=float)
    area[covered] = site_area[si[covered]]
    rest = ~covered
    area[rest] = _intersection_areas(site_geoms[si[rest]], layer_geoms[li[rest]])

    keep = area > 0
    pairs = pd.DataFrame(
        {
            "_site": si[keep],
            by: layer[by].to_numpy()[li[keep]],
            "area_m2": area[keep],
        }
    )
    out = pairs.groupby(["_site", by], sort=True, dropna=False, observed=True)["area_m2"].sum()
    out = out.reset_index()
    out["share"] = out["area_m2"] / site_area[out["_site"].to_numpy()]
    out.insert(0, "site_id", ids[out["_site"].to_numpy()])
    out = out.drop(columns="_site").reset_index(drop=True)
    out.attrs["site_area_m2"] = dict(zip(ids.tolist(), site_area.tolist(), strict=True))
    return out


def constraint_status(
    sites: gpd.GeoDataFrame,
    constraint: gpd.GeoDataFrame,
    *,
    site_id: str | None = None,
    part_id: str | None = None,
    labels: tuple[str | None, str | None] = (None, None),
) -> pd.DataFrame:
    """Inside, partly inside or outside a constraint layer, per site.

    One row per site, in input order: `site_id`, `site_area_m2`, `inside_area_m2`
    (area of the site inside the union of the constraint polygons it meets),
    `inside_share`, `status` and `parts` (comma-separated ids of the constraint
    polygons it overlaps, in layer order: `part_id` column or index; for a site
    wholly inside one part, the part or parts covering it). Overlapping parts (buffers of adjacent canal
    segments) are unioned per site, so nothing is counted twice.
    """
    validate_sites(sites, constraint, site_id=site_id, labels=labels, role="constraint")
    site_geoms = np.asarray(sites.geometry.values)
    parts = np.asarray(constraint.geometry.values)
    part_names = site_ids(constraint, part_id)
    ids = site_ids(sites, site_id)
    site_area = shapely.area(site_geoms)

    si, li, covered = _candidate_pairs(site_geoms, parts)
    inside = np.zeros(len(site_geoms), dtype=float)
    whole = np.zeros(len(site_geoms), dtype=bool)
    whole[si[covered]] = True
    inside[whole] = site_area[whole]

    rest = ~covered & ~whole[si]
    rsi, rli = si[rest], li[rest]
    pieces = _robust_intersection(site_geoms[rsi], parts[rli])
    piece_area = shapely.area(pieces)
    shares_area = covered.copy()
    shares_area[rest] = piece_area > 0
    order = np.argsort(rsi, kind="stable")
    rsi, pieces = rsi[order], pieces[order]
    sites_hit, first, counts = np.unique(rsi, return_index=True, return_counts=True)
    single = counts == 1
    inside[sites_hit[single]] = piece_area[order][first[single]]
    if (~single).any():
        # Pad each site's pieces into one row and union along it (vectorised).
        multi_first, multi_counts = first[~single], counts[~single]
        width = int(multi_counts.max())
        grid = np.full((len(multi_first), width), None, dtype=object)
        for k in range(width):
            has = multi_counts > k
            grid[has, k] = pieces[multi_first[has] + k]
        merged = shapely.area(shapely.union_all(grid, axis=1))
        # The union of a site's pieces can be no larger than their sum or the site,
        # and no smaller than the largest piece (same GEOS caveat as above).
        areas = shapely.area(grid.astype(object))
        areas = np.where(np.equal(grid, None), 0.0, areas)
        hit = sites_hit[~single]
        upper = np.minimum(areas.sum(axis=1), site_area[hit]) * (1 + 1e-9) + 1e-9
        lower = areas.max(axis=1) * (1 - 1e-9) - 1e-9
        bad = (merged > upper) | (merged < lower)
        if bad.any():
            merged[bad] = shapely.area(shapely.union_all(grid[bad], axis=1, grid_size=ROBUST_GRID))
        inside[hit] = merged

    order = np.lexsort((li[shares_area], si[shares_area]))  # parts in layer order
    hit_site, hit_part = si[shares_area][order], part_names[li[shares_area][order]]
    met = np.full(len(site_geoms), "", dtype=object)
    if len(hit_site):
        joined = pd.Series(hit_part.astype(str)).groupby(hit_site).agg(",".join)
        met[joined.index.to_numpy()] = joined.to_numpy()
    return status_table(ids, site_area, inside, whole, met)


def status_table(ids, site_area, inside, whole, parts) -> pd.DataFrame:
    """The constraint-status frame from per-site areas (shared with the SQL twin in
    gis.postgis_overlap): inside when covered by one part or all but float noise of
    the site is inside, partly inside when any area is, else outside."""
    share = np.divide(inside, site_area, out=np.zeros_like(inside), where=site_area > 0)
    share = np.minimum(share, 1.0)
    status = np.where(
        whole | (share >= 1.0 - _WHOLE), INSIDE, np.where(inside > 0, PARTLY_INSIDE, OUTSIDE)
    )
    return pd.DataFrame(
        {
            "site_id": ids,
            "site_area_m2": site_area,
            "inside_area_m2": np.where(status == INSIDE, site_area, inside),
            "inside_share": np.where(status == INSIDE, 1.0, share),
            "status": pd.Categorical(status, categories=STATUSES),
            "parts": parts,
        }
    )
