"""Flood and disaster hazard at housing sites: exact zonal statistics of a hazard
raster per site, nearest recorded disasters, and flood-depth scenarios from a DEM."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from pyproj import CRS
from rasterio.enums import MaskFlags
from rasterio.windows import Window

from gis.catalog import STORAGE_CRS
from gis.errors import Problem, ValidationError
from gis.formats import open_raster

DEFAULT_FLOOD_THRESHOLD_M = 0.5
# Where site areas are measured when the sites come in longitude/latitude.
METRIC_CRS_FOR_GEOGRAPHIC = STORAGE_CRS
OUTPUT_NODATA = -9999.0
# Cell coverage below this fraction of a cell is rounding noise, not coverage.
_COVERAGE_EPS = 1e-12
# A site whose covered share is this close to 1 is fully covered.
_FULL_TOL = 1e-9
# Largest raster window read at once (cells), and largest coverage buffer per batch.
_MAX_READ_CELLS = 64_000_000
_MAX_BATCH_CELLS = 2_000_000

_POLYGONAL = {"Polygon", "MultiPolygon"}
_POINTS = {"Point"}


# ------------------------------------------------------------------ validation


def _geometry_problems(
    geoms: np.ndarray,
    allowed: set[str] | None,
    layer: str,
    what_en: str = "",
    what_th: str = "",
    *,
    check_valid: bool = True,
) -> list[Problem]:
    """One problem per missing, empty, wrong-type or (if checked) invalid geometry."""
    problems = []
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    types = np.array(shapely.get_type_id(geoms))
    names = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint"}
    names |= {5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}
    ok_type = (
        np.ones(len(geoms), bool)
        if allowed is None
        else np.isin(types, [k for k, v in names.items() if v in allowed])
    )
    checkable = ~missing & ~empty & ok_type
    valid = np.ones(len(geoms), bool)
    if check_valid:
        valid[checkable] = shapely.is_valid(geoms[checkable])
    for i in np.flatnonzero(missing | empty | ~ok_type | ~valid):
        i = int(i)
        if missing[i]:
            en, th = "geometry is missing", "ไม่มีรูปเรขาคณิต"
        elif empty[i]:
            en, th = "geometry is empty", "รูปเรขาคณิตว่างเปล่า"
        elif not ok_type[i]:
            kind = names.get(int(types[i]), "unknown")
            en = f"geometry is a {kind}; {what_en}"
            th = f"รูปเรขาคณิตเป็น {kind} แต่{what_th}"
        else:
            reason = shapely.is_valid_reason(geoms[i])
            en, th = f"geometry is invalid ({reason})", f"รูปเรขาคณิตไม่ถูกต้อง ({reason})"
        problems.append(Problem(en, th, layer=layer, feature=i, field="geometry"))
    return problems


def _field_problem(gdf: pd.DataFrame, field: str | None, layer: str, role: str) -> list[Problem]:
    if field is None or field in gdf.columns:
        return []
    return [
        Problem(
            f"the {role} field {field!r} is not in the layer",
            f"ไม่มีฟิลด์ {field!r} ในชั้นข้อมูล",
            layer=layer,
            field=field,
        )
    ]


def _is_number(value) -> bool:
    try:
        return math.isfinite(float(value)) and not isinstance(value, bool)
    except (TypeError, ValueError):
        return False


def _metres_per_unit(crs: CRS) -> float | None:
    """Metres per CRS unit along the first axis, or None when the CRS is not projected."""
    if not crs.is_projected:
        return None
    return float(crs.axis_info[0].unit_conversion_factor)


# ------------------------------------------------------------------ exposure


def exposure(
    sites: gpd.GeoDataFrame,
    raster_path,
    threshold: float | None = None,
    *,
    site_id: str | None = None,
    band: int = 1,
) -> pd.DataFrame:
    """Exact coverage-weighted hazard statistics of a raster (e.g. flood depth) per site.

    Each cell counts with the exact share of it the site covers, as exactextract
    does, so small plots on coarse grids still get a value. Returns one row per
    site, in input order: `site_id`, `mean`, `max`, `min`, `covered_area_m2`,
    `area_above_m2` (area over cells deeper than `threshold`), `cells` and
    `status` ("ok", "partial" or "no_data"). Sites in another CRS than the raster
    are reprojected (the raster never is); `df.attrs["provenance"]` says so.
    """
    raster_path = Path(raster_path)
    label = str(raster_path)
    problems: list[Problem] = []
    if not isinstance(sites, gpd.GeoDataFrame):
        raise ValidationError(
            [Problem("sites must be a GeoDataFrame", "แปลงที่ดินต้องเป็น GeoDataFrame", layer="sites")]
        )
    geoms = np.asarray(sites.geometry.array, dtype=object)
    problems += _geometry_problems(
        geoms,
        _POLYGONAL,
        "sites",
        "a site must be a Polygon or MultiPolygon",
        "แปลงที่ดินต้องเป็นรูปหลายเหลี่ยม (Polygon หรือ MultiPolygon)",
    )
    problems += _field_problem(sites, site_id, "sites", "site id")
    if sites.crs is None:
        problems.append(
            Problem(
                "the sites have no coordinate reference system (CRS)",
                "ชั้นข้อมูลแปลงที่ดินไม่มีระบบพิกัดอ้างอิง (CRS)",
                layer="sites",
            )
        )
    if threshold is not None and not _is_number(threshold):
        problems.append(
            Problem(
                f"the threshold {threshold!r} is not a number",
                f"ค่าเกณฑ์ {threshold!r} ไม่ใช่ตัวเลข",
                file=label,
            )
        )
    src = None
    try:
        src = open_raster(raster_path, label=label)
    except ValidationError as exc:
        problems += exc.problems
    try:
        if src is not None:
            problems += _raster_problems(src, label, band)
        if problems:
            raise ValidationError(problems)
        return _exposure(sites, geoms, src, label, threshold, site_id, band)
    finally:
        if src is not None:
            src.close()


def _raster_problems(src, label: str, band: int) -> list[Problem]:
    problems = []
    if not isinstance(band, int) or not 1 <= band <= src.count:
        problems.append(
            Problem(
                f"the raster has {src.count} band(s); band {band!r} does not exist",
                f"แรสเตอร์มี {src.count} แบนด์ ไม่มีแบนด์ {band!r}",
                file=label,
            )
        )
    t = src.transform
    if t.b != 0 or t.d != 0:
        problems.append(
            Problem(
                "the raster grid is rotated or sheared; only north-up rasters are supported",
                "กริดของแรสเตอร์ถูกหมุนหรือเอียง รองรับเฉพาะแรสเตอร์ที่ทิศเหนืออยู่ด้านบน",
                file=label,
            )
        )
    if src.crs is None:
        problems.append(
            Problem(
                "the raster has no coordinate reference system (CRS)",
                "ไฟล์แรสเตอร์ไม่มีระบบพิกัดอ้างอิง (CRS)",
                file=label,
            )
        )
    return problems


def _exposure(sites, geoms, src, label, threshold, site_id, band) -> pd.DataFrame:
    n = len(sites)
    raster_crs = CRS.from_user_input(src.crs.to_wkt())
    provenance = {
        "raster": label,
        "band": band,
        "raster_crs": raster_crs.to_string(),
        "cell_size": (abs(src.transform.a), abs(src.transform.e)),
        "nodata": src.nodata,
        "sites_crs": sites.crs.to_string(),
        "sites_reprojected_from": None,
        "raster_resampled": False,
        "threshold": None if threshold is None else float(threshold),
    }
    # Site areas in m², measured in the sites' own CRS (or UTM 47N if geographic).
    per_unit = _metres_per_unit(sites.crs)
    if per_unit is None:
        site_area_m2 = shapely.area(sites.geometry.to_crs(METRIC_CRS_FOR_GEOGRAPHIC).array)
        provenance["site_area_crs"] = METRIC_CRS_FOR_GEOGRAPHIC
    else:
        site_area_m2 = shapely.area(geoms) * per_unit**2
        provenance["site_area_crs"] = sites.crs.to_string()
    if not sites.crs.equals(raster_crs, ignore_axis_order=True):
        geoms = np.asarray(sites.geometry.to_crs(raster_crs).array, dtype=object)
        provenance["sites_reprojected_from"] = sites.crs.to_string()
        lost = np.flatnonzero(~np.isfinite(shapely.bounds(geoms)).all(axis=1))
        if len(lost):
            raise ValidationError(
                [
                    Problem(
                        f"the site cannot be reprojected to the raster's CRS "
                        f"({raster_crs.to_string()})",
                        f"แปลงระบบพิกัดของแปลงที่ดินไปเป็นระบบพิกัดของแรสเตอร์ "
                        f"({raster_crs.to_string()}) ไม่ได้",
                        file=label,
                        layer="sites",
                        feature=int(i),
                        field="geometry",
                    )
                    for i in lost
                ]
            )

    stats = _zonal(geoms, src, band, threshold)
    t = src.transform
    pixel_area = shapely.area(geoms) / abs(t.a * t.e)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(pixel_area > 0, stats["weight"] / pixel_area, 0.0)
        mean = stats["sum"] / stats["weight"]
    cells = stats["cells"]
    no_data = cells == 0
    mean[no_data] = np.nan
    covered = np.where(no_data, 0.0, np.minimum(share, 1.0) * site_area_m2)
    if threshold is None:
        above = np.full(n, np.nan)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            above = np.where(pixel_area > 0, stats["above"] / pixel_area, 0.0) * site_area_m2
        above[no_data] = np.nan
    status = np.where(no_data, "no_data", np.where(share < 1 - _FULL_TOL, "partial", "ok"))
    ids = sites[site_id].to_numpy() if site_id is not None else sites.index.to_numpy()
    df = pd.DataFrame(
        {
            "site_id": ids,
            "mean": mean,
            "max": stats["max"],
            "min": stats["min"],
            "covered_area_m2": covered,
            "area_above_m2": above,
            "cells": cells.astype(np.int64),
            "status": status.astype(object),
        },
        index=sites.index,
    )
    df.attrs["provenance"] = provenance
    return df


def _site_windows(geoms: np.ndarray, transform, width: int, height: int):
    """Per-site cell window (c0, c1, r0, r1), clipped to the raster."""
    b = shapely.bounds(geoms)
    cols = (b[:, [0, 2]].T - transform.c) / transform.a
    rows = (b[:, [1, 3]].T - transform.f) / transform.e
    c0 = np.clip(np.floor(cols.min(0)), 0, width).astype(np.int64)
    c1 = np.clip(np.ceil(cols.max(0)), 0, width).astype(np.int64)
    r0 = np.clip(np.floor(rows.min(0)), 0, height).astype(np.int64)
    r1 = np.clip(np.ceil(rows.max(0)), 0, height).astype(np.int64)
    return c0, c1, r0, r1


def _zonal(geoms: np.ndarray, src, band: int, threshold) -> dict[str, np.ndarray]:
    """Coverage-weighted sums per site: weight, sum, above, cells, max, min."""
    n = len(geoms)
    out = {
        "weight": np.zeros(n),
        "sum": np.zeros(n),
        "above": np.zeros(n),
        "cells": np.zeros(n, np.int64),
        "max": np.full(n, np.nan),
        "min": np.full(n, np.nan),
    }
    t = src.transform
    c0, c1, r0, r1 = _site_windows(geoms, t, src.width, src.height)
    on = np.flatnonzero((c1 > c0) & (r1 > r0))
    if not len(on):
        return out
    # Tasks: a site's window, cut into bands of rows when it is too big for one batch.
    band_rows = np.maximum(1, _MAX_BATCH_CELLS // (c1[on] - c0[on] + 1))
    bands = -(-(r1[on] - r0[on]) // band_rows)
    site = np.repeat(on, bands)
    k = np.arange(len(site)) - np.repeat(np.cumsum(bands) - bands, bands)
    tr0 = r0[site] + k * np.repeat(band_rows, bands)
    tr1 = np.minimum(tr0 + np.repeat(band_rows, bands), r1[site])
    tc0, tc1 = c0[site], c1[site]
    oriented = shapely.orient_polygons(geoms)

    flags = src.mask_flag_enums[band - 1]
    use_mask = MaskFlags.per_dataset in flags or MaskFlags.alpha in flags
    scale, offset = src.scales[band - 1], src.offsets[band - 1]
    nodata = src.nodata
    flip = 1.0 if t.a * t.e < 0 else -1.0  # exterior rings are CCW in map units
    for group in _read_groups(tc0, tc1, tr0, tr1):
        gr0, gr1 = int(tr0[group].min()), int(tr1[group].max())
        gc0, gc1 = int(tc0[group].min()), int(tc1[group].max())
        window = Window(gc0, gr0, gc1 - gc0, gr1 - gr0)
        data = src.read(band, window=window)
        mask = src.read_masks(band, window=window) if use_mask else None
        # Batches of tasks whose coverage buffers fit in memory together; tasks stay in
        # site order, so each site's cells form one run within a batch.
        group = np.sort(group)
        size = (tr1[group] - tr0[group]) * (tc1[group] - tc0[group] + 1)
        batch_of = (np.cumsum(size) - size) // _MAX_BATCH_CELLS
        for batch in np.split(group, np.flatnonzero(np.diff(batch_of)) + 1):
            task, rows, cols, cov = _coverage(
                oriented[site[batch]], t, tc0[batch], tc1[batch], tr0[batch], tr1[batch], flip
            )
            flat = (rows - gr0) * data.shape[1] + (cols - gc0)
            values = data.ravel()[flat]
            valid = np.ones(len(values), bool)
            if values.dtype.kind == "f":
                valid &= ~np.isnan(values)
            if nodata is not None and not np.isnan(nodata):
                # Floats compare in the raster's own type (as stored), integers exactly.
                kind = values.dtype.kind
                valid &= values != (values.dtype.type(nodata) if kind == "f" else nodata)
            if mask is not None:
                valid &= mask.ravel()[flat] > 0
            values = values[valid].astype(np.float64)
            if scale != 1.0 or offset != 0.0:
                values = values * scale + offset
            who, cov = site[batch[task[valid]]], cov[valid]
            out["weight"] += np.bincount(who, cov, minlength=n)
            out["sum"] += np.bincount(who, cov * values, minlength=n)
            out["cells"] += np.bincount(who, minlength=n)
            if threshold is not None:
                deep = values > float(threshold)
                out["above"] += np.bincount(who[deep], cov[deep], minlength=n)
            if len(who):
                runs = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
                hit = who[runs]
                out["max"][hit] = np.fmax(out["max"][hit], np.maximum.reduceat(values, runs))
                out["min"][hit] = np.fmin(out["min"][hit], np.minimum.reduceat(values, runs))
    return out


def _read_groups(c0, c1, r0, r1) -> list[np.ndarray]:
    """Tasks grouped (by first row) so that each group's union window stays readable."""
    order = np.argsort(r0, kind="stable")
    span = int(c1.max() - c0.min())
    if span * int(r1.max() - r0.min()) <= _MAX_READ_CELLS:
        return [order]
    groups, start, top, bottom = [], 0, r0[order[0]], r1[order[0]]
    for k, i in enumerate(order):
        if (max(bottom, r1[i]) - top) * span > _MAX_READ_CELLS and k > start:
            groups.append(order[start:k])
            start, top, bottom = k, r0[i], r1[i]
        bottom = max(bottom, r1[i])
    groups.append(order[start:])
    return groups


def _coverage(geoms, t, c0, c1, r0, r1, flip):
    """Exact share of each cell covered by each site, for cells with any coverage.

    Ring edges go to pixel space and are cut at every column and row line, so each
    piece lies in one cell; a piece adds the signed area between itself and the
    cell's right side to its cell, and its full signed height to every cell to its
    right (accumulated by a cumulative sum along each row of the site's window).
    Returns (site index within `geoms`, raster row, raster column, coverage share).
    """
    parts, part_site = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    px = (xy[:, 0] - t.c) / t.a
    py = (xy[:, 1] - t.f) / t.e
    keep = ring[1:] == ring[:-1]
    seg_site = part_site[ring_part[ring[:-1][keep]]]
    xa, ya, xb, yb = px[:-1][keep], py[:-1][keep], px[1:][keep], py[1:][keep]

    # Horizontal edges add nothing; edges wholly above or below the window neither.
    lo, hi = r0[seg_site], r1[seg_site]
    keep = (ya != yb) & (np.maximum(ya, yb) > lo) & (np.minimum(ya, yb) < hi)
    xa, ya, xb, yb, seg_site = xa[keep], ya[keep], xb[keep], yb[keep], seg_site[keep]
    lo, hi = lo[keep], hi[keep]
    # Clip edges to the window's rows.
    slope = (xb - xa) / (yb - ya)
    ya2, yb2 = np.clip(ya, lo, hi), np.clip(yb, lo, hi)
    xa = np.where(ya2 != ya, xa + (ya2 - ya) * slope, xa)
    xb = np.where(yb2 != yb, xa + (yb2 - ya2) * slope, xb)
    ya, yb = ya2, yb2

    # Cut at column lines inside the window; outside pieces lie wholly left or right.
    cl, cr = c0[seg_site], c1[seg_site]
    xa, ya, xb, yb, seg_site = _cut(xa, ya, xb, yb, seg_site, cl, cr)
    cl, cr = c0[seg_site], c1[seg_site]
    xa, xb = np.clip(xa, cl, cr), np.clip(xb, cl, cr)
    keep = ya != yb
    xa, ya, xb, yb, seg_site = xa[keep], ya[keep], xb[keep], yb[keep], seg_site[keep]
    # Cut at row lines (y and x swap roles).
    ya, xa, yb, xb, seg_site = _cut(ya, xa, yb, xb, seg_site, r0[seg_site], r1[seg_site])

    dy = yb - ya
    xm = (xa + xb) * 0.5
    cl, cr = c0[seg_site], c1[seg_site]
    col = np.clip(np.floor(xm), cl, cr).astype(np.int64)
    row = np.clip(np.floor((ya + yb) * 0.5), r0[seg_site], r1[seg_site] - 1).astype(np.int64)
    area = (col + 1 - xm) * dy

    # Window buffers, one row per raster row, plus a spare column for what lies right.
    width = c1 - c0 + 1
    height = r1 - r0
    offset = np.concatenate([[0], np.cumsum(height * width)])
    total = int(offset[-1])
    idx = offset[seg_site] + (row - r0[seg_site]) * width[seg_site] + (col - cl)
    acc = np.bincount(idx, area, minlength=total + 1)
    acc += np.bincount(idx + 1, dy - area, minlength=total + 1)
    cov = np.cumsum(acc[:total])
    # Segmented sums: subtract what came before each row's start.
    row_site = np.repeat(np.arange(len(geoms)), height)
    row_len = width[row_site]
    row_start = np.concatenate([[0], np.cumsum(row_len)[:-1]])
    before = np.concatenate([[0.0], cov[row_start[1:] - 1]])
    cov -= np.repeat(before, row_len)
    cov *= flip
    cov[row_start + row_len - 1] = 0.0  # the spare column
    hit = np.flatnonzero(cov > _COVERAGE_EPS)
    r = np.repeat(np.arange(len(row_site), dtype=np.int32), row_len)[hit]
    site = row_site[r]
    first_row = np.concatenate([[0], np.cumsum(height)[:-1]])
    rows = r0[site] + (r - first_row[site])
    cols = c0[site] + (hit - row_start[r])
    return site, rows, cols, cov[hit]


def _cut(xa, ya, xb, yb, seg, lo, hi):
    """Cut segments at the integer lines x = k strictly inside them, lo <= k <= hi."""
    dx = xb - xa
    k_lo = np.maximum(np.floor(np.minimum(xa, xb)) + 1, lo)
    k_hi = np.minimum(np.ceil(np.maximum(xa, xb)) - 1, hi)
    count = np.where(dx != 0, np.maximum(k_hi - k_lo + 1, 0), 0).astype(np.int64)
    if not count.any():
        return xa, ya, xb, yb, seg
    npts = count + 2
    first = np.concatenate([[0], np.cumsum(npts)[:-1]])
    total = int(first[-1] + npts[-1])
    owner = np.repeat(np.arange(len(xa)), npts)
    j = np.arange(total) - first[owner]
    step = np.where(dx > 0, 1.0, -1.0)
    k_start = np.where(dx > 0, k_lo, k_hi)
    k = k_start[owner] + (j - 1) * step[owner]
    slope = (yb - ya) / np.where(dx != 0, dx, 1.0)
    x = k
    y = ya[owner] + (k - xa[owner]) * slope[owner]
    is_first = j == 0
    is_last = j == npts[owner] - 1
    x = np.where(is_first, xa[owner], np.where(is_last, xb[owner], x))
    y = np.where(is_first, ya[owner], np.where(is_last, yb[owner], y))
    starts = np.flatnonzero(~is_last)
    return x[starts], y[starts], x[starts + 1], y[starts + 1], seg[owner[starts]]


# ------------------------------------------------------------------ nearest disasters


def _metric_crs_problems(sites, disasters) -> list[Problem]:
    problems = []
    for gdf, layer in ((sites, "sites"), (disasters, "disasters")):
        if gdf.crs is None:
            problems.append(
                Problem(
                    "the layer has no coordinate reference system (CRS)",
                    "ชั้นข้อมูลไม่มีระบบพิกัดอ้างอิง (CRS)",
                    layer=layer,
                )
            )
    if problems:
        return problems
    if not sites.crs.equals(disasters.crs, ignore_axis_order=True):
        a, b = sites.crs.to_string(), disasters.crs.to_string()
        return [
            Problem(
                f"the sites ({a}) and the disasters ({b}) use different coordinate "
                "reference systems; reproject one layer first (nothing is reprojected "
                "silently)",
                f"แปลงที่ดิน ({a}) และจุดเกิดภัย ({b}) ใช้ระบบพิกัดต่างกัน กรุณาแปลงระบบพิกัดของชั้นใดชั้นหนึ่งก่อน",
                layer="disasters",
            )
        ]
    if _metres_per_unit(sites.crs) != 1.0:
        crs = sites.crs.to_string()
        return [
            Problem(
                f"{crs} is not a projected CRS in metres; distances need metres",
                f"{crs} ไม่ใช่ระบบพิกัดฉากที่มีหน่วยเป็นเมตร จึงวัดระยะทางเป็นเมตรไม่ได้",
                layer="sites",
            )
        ]
    return []


def nearest_disasters(
    sites: gpd.GeoDataFrame,
    disasters: gpd.GeoDataFrame,
    *,
    radius: float = 200.0,
    site_id: str | None = None,
    disaster_id: str | None = None,
    date_field: str | None = "event_date",
    kind_field: str | None = "kind",
) -> pd.DataFrame:
    """The nearest recorded disaster (point) to each site, and how many lie within `radius` m.

    Both layers must share one projected CRS in metres (nothing is reprojected).
    Returns one row per site: `site_id`, `nearest_id` (from `disaster_id`, else the
    index), `nearest_kind`, `nearest_date` (None where `kind_field`/`date_field` is
    None), `nearest_distance_m` and `count_within` (points at most `radius` m away).
    """
    geoms = np.asarray(sites.geometry.array, dtype=object)
    points = np.asarray(disasters.geometry.array, dtype=object)
    # Distances need no validity, only something to measure from.
    problems = _geometry_problems(geoms, None, "sites", check_valid=False)
    problems += _geometry_problems(
        points,
        _POINTS,
        "disasters",
        "a disaster must be a point",
        "จุดเกิดภัยต้องเป็นรูปจุด (Point)",
        check_valid=False,
    )
    problems += _field_problem(sites, site_id, "sites", "site id")
    problems += _field_problem(disasters, disaster_id, "disasters", "disaster id")
    problems += _field_problem(disasters, date_field, "disasters", "date")
    problems += _field_problem(disasters, kind_field, "disasters", "kind")
    problems += _metric_crs_problems(sites, disasters)
    if not _is_number(radius) or float(radius) < 0:
        problems.append(
            Problem(
                f"the radius {radius!r} is not a non-negative number of metres",
                f"รัศมี {radius!r} ต้องเป็นจำนวนเมตรที่ไม่ติดลบ",
            )
        )
    if problems:
        raise ValidationError(problems)

    n, m = len(geoms), len(points)
    ids = sites[site_id].to_numpy() if site_id is not None else sites.index.to_numpy()
    df = pd.DataFrame({"site_id": ids}, index=sites.index)
    if m == 0 or n == 0:
        for name in ("nearest_id", "nearest_kind", "nearest_date"):
            df[name] = pd.Series([None] * n, index=sites.index, dtype=object)
        df["nearest_distance_m"] = np.full(n, np.nan)
        df["count_within"] = np.zeros(n, np.int64)
        return df
    nearest, distance = _nearest_points(geoms, points)
    # Points within the radius (inclusive): query a tree of the sites with the points.
    within = shapely.STRtree(geoms).query(points, predicate="dwithin", distance=float(radius))[1]

    def column(values: pd.Series | pd.Index) -> pd.Series:
        return pd.Series(values.take(nearest).array, index=sites.index)

    df["nearest_id"] = column(disasters[disaster_id] if disaster_id else disasters.index)
    for name, field in (("nearest_kind", kind_field), ("nearest_date", date_field)):
        if field is None:
            df[name] = pd.Series([None] * n, index=sites.index, dtype=object)
        else:
            df[name] = column(disasters[field])
    df["nearest_distance_m"] = distance
    df["count_within"] = np.bincount(within, minlength=n).astype(np.int64)
    return df


def _nearest_points(geoms: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of and distance to the nearest point for each geometry, exactly.

    A k-d tree proposes the points nearest each geometry's bounding-box centre;
    exact shapely distances decide among those that could still be nearest. A
    geometry lies within `reach` (half its bounding-box diagonal) of its centre,
    so a point not proposed is at least (k-th centre distance − reach) away; where
    that does not rule it out, STRtree.query_nearest answers instead.
    """
    from scipy.spatial import cKDTree

    n, m = len(geoms), len(points)
    bounds = shapely.bounds(geoms)
    centre = (bounds[:, :2] + bounds[:, 2:]) * 0.5
    reach = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) * 0.5
    k = min(4, m)
    near_d, near_j = cKDTree(shapely.get_coordinates(points)).query(centre, k=k)
    near_d, near_j = near_d.reshape(n, k), near_j.reshape(n, k)
    # Candidate j can only win if its lower bound beats the first one's upper bound.
    site, j = np.nonzero(near_d - reach[:, None] <= near_d[:, :1] + reach[:, None])
    cand = near_j[site, j]
    dist = shapely.distance(geoms[site], points[cand])
    # Per site (`site` is ascending): the first candidate at the smallest distance.
    starts = np.flatnonzero(np.r_[True, site[1:] != site[:-1]])
    distance = np.minimum.reduceat(dist, starts)
    best = np.flatnonzero(dist == np.repeat(distance, np.diff(np.r_[starts, len(site)])))
    best = best[np.r_[True, site[best][1:] != site[best][:-1]]]
    nearest = cand[best]
    if k < m:
        unsure = np.flatnonzero(distance > near_d[:, -1] - reach)
        if len(unsure):
            tree = shapely.STRtree(points)
            (i, j), d = tree.query_nearest(geoms[unsure], return_distance=True, all_matches=False)
            nearest[unsure[i]] = j
            distance[unsure[i]] = d
    return nearest, distance


# ------------------------------------------------------------------ flood scenarios


def flood_depth_from_level(
    dem_path, water_level: float, out_path, *, connected_to: gpd.GeoDataFrame | None = None
) -> Path:
    """A flood scenario: depth = water level − ground where positive, else 0 (m).

    With `connected_to` (canal lines or polygons in the DEM's CRS) only ground
    hydraulically connected to the canal (8 neighbours, through flooded cells)
    gets water. DEM nodata stays nodata (-9999). Writes a float32 GeoTIFF on the
    DEM's grid and returns its path.
    """
    from rasterio.features import rasterize
    from scipy import ndimage

    dem_path, out_path = Path(dem_path), Path(out_path)
    label = str(dem_path)
    problems: list[Problem] = []
    if not _is_number(water_level):
        problems.append(
            Problem(
                f"the water level {water_level!r} is not a number",
                f"ระดับน้ำ {water_level!r} ไม่ใช่ตัวเลข",
                file=label,
            )
        )
    try:
        src = open_raster(dem_path, label=label)
    except ValidationError as exc:
        raise ValidationError(problems + exc.problems) from None
    with src:
        if connected_to is not None:
            geoms = np.asarray(connected_to.geometry.array, dtype=object)
            problems += _geometry_problems(
                geoms,
                {"LineString", "MultiLineString", "Polygon", "MultiPolygon"},
                "canals",
                "a canal must be a line or a polygon",
                "คลองต้องเป็นเส้นหรือรูปหลายเหลี่ยม",
            )
            if src.crs is None or connected_to.crs is None:
                problems.append(
                    Problem(
                        "the DEM and the canals both need a coordinate reference system (CRS)",
                        "ทั้ง DEM และชั้นข้อมูลคลองต้องมีระบบพิกัดอ้างอิง (CRS)",
                        file=label,
                        layer="canals",
                    )
                )
            elif not connected_to.crs.equals(src.crs.to_wkt(), ignore_axis_order=True):
                problems.append(
                    Problem(
                        f"the canals ({connected_to.crs.to_string()}) are not in the DEM's "
                        f"CRS ({src.crs.to_string()}); reproject them first",
                        f"ชั้นข้อมูลคลอง ({connected_to.crs.to_string()}) ไม่ได้อยู่ในระบบพิกัด"
                        f"เดียวกับ DEM ({src.crs.to_string()}) กรุณาแปลงระบบพิกัดก่อน",
                        file=label,
                        layer="canals",
                    )
                )
        if problems:
            raise ValidationError(problems)
        ground = src.read(1, masked=True)
        profile = src.profile
        transform = src.transform

    valid = ~np.ma.getmaskarray(ground)
    ground = ground.filled(np.nan).astype(np.float64)
    valid &= ~np.isnan(ground)
    depth = np.where(valid, float(water_level) - np.where(valid, ground, 0.0), 0.0)
    depth = np.maximum(depth, 0.0)
    if connected_to is not None:
        touched = rasterize(
            ((g, 1) for g in geoms),
            out_shape=depth.shape,
            transform=transform,
            all_touched=True,
            fill=0,
            dtype="uint8",
        ).astype(bool)
        wet = depth > 0
        labels, _ = ndimage.label(wet, structure=np.ones((3, 3), bool))
        reached = np.unique(labels[touched & wet])
        depth[~np.isin(labels, reached[reached > 0])] = 0.0
    out = np.where(valid, depth, OUTPUT_NODATA).astype(np.float32)
    profile.update(
        driver="GTiff", dtype="float32", count=1, nodata=OUTPUT_NODATA, compress="deflate"
    )
    for key in ("blockxsize", "blockysize", "tiled", "photometric", "interleave"):
        profile.pop(key, None)
    if min(out.shape) >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(out_path, "w", **profile) as dst:
        dst.write(out, 1)
    return out_path
