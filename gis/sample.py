"""Deterministic sample data for the Khlong Prem Prachakorn corridor.

`build_sample` turns the two sources in `layers/sources/` (the real Bangkok
district boundaries and the approximate canal route) into one GeoPackage holding
every vector layer of the catalogue, plus an illustrative flood-depth GeoTIFF.
The published counts (38 communities, 6,340 households agreed, 6,386 in all) are
kept exactly; every shape except the districts and the route is invented, seeded
with `numpy.random.default_rng(seed)`. Two builds with the same arguments give
byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from pyogrio.raw import write as write_ogr
from pyproj import Transformer
from rasterio.transform import Affine
from shapely import ops

from gis.catalog import STORAGE_CRS, Catalog, LayerEntry, check_layer, load_catalog
from gis.errors import PlannerError
from gis.paths import SAMPLE_DIR, SOURCES_DIR

GPKG_NAME = "khlong_prem_sample.gpkg"
FLOOD_NAME = "flood_depth.tif"
ROUTE_FILE = "khlong-prem-route-approx.geojson"
DISTRICTS_FILE = "bangkok-districts.geojson"
# Stamped into gpkg_contents.last_change instead of the build time (Cabinet
# approval of the Khlong Prem master plan, 9 April 2019).
FIXED_TIMESTAMP = "2019-04-09T00:00:00.000Z"

CANAL_ID = "KPP"
CANAL_NAME_TH = "คลองเปรมประชากร"
CANAL_NAME_EN = "Khlong Prem Prachakorn"
CANAL_WIDTH_M = 12.0
PUBLISHED_LENGTH_M = 50_800.0
SEGMENT_M = 200.0
HOUSEHOLDS_NOT_AGREED = 46  # 6,386 to be rehoused minus 6,340 agreed

# Community strips: they start a little inside the water (structures encroach)
# and hold rows of ~4 x 7 m houses facing the canal.
WATER_INSET_M = 1.5
ROW0_START_M = (4.6, 7.2)  # first row, from the centreline: over the water or on the bank
ROW_START_M = 15.2  # second row
ROW_PITCH_M = 9.0
ROW_JITTER_M = 0.6
HOUSE_DEPTH_M = (6.0, 7.5)
HOUSE_WIDTH_M = (3.2, 4.0)
FRONTAGE_M = 4.5
STRIP_END_M = 1.0
BACK_MARGIN_M = 1.0
MAX_ROWS = 6
CROSS_SECTION_M = 70.0  # depth checked on both banks when looking for room
DISTRICT_MARGIN_M = 20.0
MIN_GAP_M = 30.0
LAK_HOK_LAT = (13.955, 13.99)  # Bangkok boundary to Khlong Rangsit

TENURE_BAND_M = 500.0
TENURE_CELL_M = 100.0
TREASURY_HALF_M = 20.0
RAILWAY_HALF_M = 20.0
ZONING_BAND_M = 1500.0
ZONING_CELLS = 200
FLOOD_BAND_M = 1500.0
FLOOD_CELL_M = 10.0
FLOOD_NODATA = -9999.0
CORRIDOR_NORTH_LAT = 14.0

# Illustrative Northern line: Bang Sue, Don Mueang station, Rangsit, then north.
RAILWAY_LONLAT = ((100.537, 13.806), (100.604, 13.917), (100.617, 13.99), (100.6185, 14.0))
DON_MUEANG_AIRPORT_LONLAT = (100.6067, 13.9126)


class SampleSettingError(PlannerError, ValueError):
    """An argument of `build_sample` is out of range."""


@dataclass(frozen=True)
class Area:
    """A stretch of the canal with its published counts."""

    code: str
    name_en: str
    name_th: str
    province_th: str
    district_en: str | None  # dname_e of its real district; None for Lak Hok
    communities: int
    households_agreed: int
    # DOPA codes: province, district, subdistrict (the Bangkok communities' khwaeng are
    # not known). Checked against geothai by tests/test_anywhere.py.
    dopa: tuple[str, str, str | None] = ("", "", None)


AREAS = (
    Area("CC", "Chatuchak", "จตุจักร", "กรุงเทพมหานคร", "Chatu Chak", 5, 621, ("10", "1030", None)),
    Area("LS", "Lak Si", "หลักสี่", "กรุงเทพมหานคร", "Lak Si", 13, 2248, ("10", "1041", None)),
    Area(
        "DM", "Don Mueang", "ดอนเมือง", "กรุงเทพมหานคร", "Don Mueang", 14, 2542, ("10", "1036", None)
    ),
    Area("LH", "Lak Hok", "หลักหก", "ปทุมธานี", None, 6, 929, ("13", "1301", "130114")),
)

OWNERS = {
    "treasury": ("กรมธนารักษ์ (ที่ราชพัสดุ)", "Treasury Department"),
    "railway": ("การรถไฟแห่งประเทศไทย", "State Railway of Thailand"),
    "bma": ("กรุงเทพมหานคร", "Bangkok Metropolitan Administration"),
    "private": ("เอกชน", "Private"),
}

ZONE_USES = {
    "ย.3": ("ที่อยู่อาศัยหนาแน่นน้อย", "Low-density residential"),
    "ย.4": ("ที่อยู่อาศัยหนาแน่นน้อย", "Low-density residential"),
    "ย.5": ("ที่อยู่อาศัยหนาแน่นปานกลาง", "Medium-density residential"),
    "ย.6": ("ที่อยู่อาศัยหนาแน่นปานกลาง", "Medium-density residential"),
    "ย.7": ("ที่อยู่อาศัยหนาแน่นปานกลาง", "Medium-density residential"),
    "พ.2": ("พาณิชยกรรม", "Commercial"),
    "พ.3": ("พาณิชยกรรม", "Commercial"),
    "อ.1": ("อุตสาหกรรม", "Industrial"),
    "อ.3": ("คลังสินค้า", "Warehouse"),
    "ก.2": ("อนุรักษ์ชนบทและเกษตรกรรม", "Rural and agricultural conservation"),
    "ส.": ("สถาบันราชการ สาธารณูปโภคและสาธารณูปการ", "Government and public facilities"),
}
# Probabilities of each zone code by setting (the order of ZONE_USES).
_ZONE_MIX = {
    "pathum_thani": {"ก.2": 35, "ย.3": 20, "ย.4": 15, "อ.1": 10, "อ.3": 10, "พ.2": 10},
    "railway": {"พ.3": 35, "พ.2": 20, "ส.": 20, "ย.6": 15, "อ.3": 10},
    "canal": {"ย.5": 30, "ย.6": 25, "ย.4": 20, "ย.7": 10, "พ.2": 10, "ส.": 5},
    "inland": {"ย.3": 20, "ย.4": 20, "ย.5": 15, "ย.6": 10, "ย.7": 10, "พ.2": 10, "พ.3": 5,
               "อ.3": 5, "ส.": 5},
}  # fmt: skip

_TO_LONLAT = Transformer.from_crs(STORAGE_CRS, "EPSG:4326", always_xy=True)
_FROM_LONLAT = Transformer.from_crs("EPSG:4326", STORAGE_CRS, always_xy=True)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def build_sample(out_dir: Path, *, seed: int = 2562, setback_m: float = 8.0) -> dict:
    """Write out_dir/khlong_prem_sample.gpkg (one layer per vector catalogue layer)
    and out_dir/flood_depth.tif. Return a summary dict (counts per layer, canal
    length in m, etc.).

    Deterministic: the same seed and setback give byte-identical files. Files are
    written to a temporary folder inside `out_dir` and moved into place at the end,
    so a failed build leaves the previous files untouched.
    """
    if not (isinstance(setback_m, (int, float)) and 0 < setback_m <= 50):
        raise SampleSettingError(
            f"setback_m must be a number of metres in (0, 50], not {setback_m!r}"
        )
    started = time.perf_counter()
    out_dir = Path(out_dir)
    catalog = load_catalog()
    layers, raster, info = _make_layers(int(seed), float(setback_m))
    for name, gdf in layers.items():
        check_layer(gdf, catalog[name], file=GPKG_NAME)

    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".sample-build-", dir=out_dir))
    try:
        _write_gpkg(work / GPKG_NAME, catalog, layers)
        _write_flood_tif(work / FLOOD_NAME, catalog["flood_depth"], *raster, seed=seed)
        os.replace(work / GPKG_NAME, out_dir / GPKG_NAME)
        os.replace(work / FLOOD_NAME, out_dir / FLOOD_NAME)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    files = {}
    for name in (GPKG_NAME, FLOOD_NAME):
        path = out_dir / name
        files[name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    depth = raster[0]
    return {
        "seed": int(seed),
        "setback_m": float(setback_m),
        "counts": {name: len(gdf) for name, gdf in layers.items()},
        "canal_length_m": round(info["canal_length_m"], 1),
        "canal_length_published_m": PUBLISHED_LENGTH_M,
        **{k: v for k, v in info.items() if k != "canal_length_m"},
        "flood_depth": {
            "width": int(depth.shape[1]),
            "height": int(depth.shape[0]),
            "cell_size_m": FLOOD_CELL_M,
            "cells_in_corridor": int((depth != FLOOD_NODATA).sum()),
            "cells_wet": int((depth > 0).sum()),
            "max_depth_m": round(float(depth.max()), 2),
        },
        "files": files,
        "seconds": round(time.perf_counter() - started, 2),
    }


# ---------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------


def _make_layers(seed: int, setback_m: float):
    """All vector layers (catalogue order is applied when writing) and the raster."""
    (
        rng_households,
        rng_layout,
        rng_tenure,
        rng_zoning,
        rng_sites,
        rng_flood,
    ) = np.random.default_rng(seed).spawn(6)
    line, route_props = _read_route(SOURCES_DIR / ROUTE_FILE)
    if abs(line.length - PUBLISHED_LENGTH_M) > 0.02 * PUBLISHED_LENGTH_M:
        raise PlannerError(
            f"{ROUTE_FILE}: the route is {line.length / 1000:.2f} km in EPSG:32647, more than "
            f"2 % from the published {PUBLISHED_LENGTH_M / 1000:.1f} km"
        )
    districts = _read_districts(SOURCES_DIR / DISTRICTS_FILE)
    bangkok = shapely.union_all(districts.geometry.values)

    segments = _segments(line, SEGMENT_M)
    water = shapely.buffer(line, CANAL_WIDTH_M / 2, cap_style="flat")
    centreline, water_gdf, setback = _canal_layers(line, water, segments, route_props, setback_m)

    households = _households(rng_households)
    runs = _area_runs(line, districts, bangkok)
    communities, structures = _communities_and_structures(line, runs, households, rng_layout)
    _check_placement(communities, districts, bangkok)
    structures["encroachment"] = _encroachment(structures.geometry.values, water, setback)

    railway = _railway(communities, water)
    tenure = _tenure(line, communities, railway.geometry.iloc[0], bangkok, rng_tenure)
    zoning = _zoning(line, railway.geometry.iloc[0], communities, bangkok, rng_zoning)
    sites = _disaster_sites(communities, structures, rng_sites)
    raster = _flood_depth(line, rng_flood)

    layers = {
        "districts": _districts_layer(districts),
        "zoning": zoning,
        "tenure_parcels": tenure,
        "canal_setback": setback,
        "canal_water": water_gdf,
        "canal_centreline": centreline,
        "railway": railway,
        "communities": communities,
        "structures": structures,
        "disaster_sites": sites,
    }
    enc = structures["encroachment"].value_counts()
    by_area = communities.groupby("area_en", sort=False)
    info = {
        "canal_length_m": float(line.length),
        "households_total": int(communities["households_total"].sum()),
        "households_agreed": int(communities["households_agreed"].sum()),
        "communities_by_area": {k: int(v) for k, v in by_area.size().items()},
        "households_agreed_by_area": {
            k: int(v) for k, v in by_area["households_agreed"].sum().items()
        },
        "encroachment": {k: int(enc.get(k, 0)) for k in ("canal", "setback", "none")},
    }
    return layers, raster, info


def _read_route(path: Path) -> tuple[shapely.LineString, dict]:
    """The canal route (first feature) in EPSG:32647, and its properties."""
    gdf = pyogrio.read_dataframe(path)
    first = gdf.iloc[[0]]
    if first.geometry.iloc[0].geom_type != "LineString":
        raise PlannerError(f"{path.name}: the first feature must be the route LineString")
    line = first.to_crs(STORAGE_CRS).geometry.iloc[0]
    props = {k: first[k].iloc[0] for k in ("name_th", "name_en", "accuracy") if k in first}
    return line, props


def _read_districts(path: Path) -> gpd.GeoDataFrame:
    gdf = pyogrio.read_dataframe(path).to_crs(STORAGE_CRS)
    gdf = gdf.sort_values("dcode", kind="stable").reset_index(drop=True)
    geoms = gdf.geometry.values
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        gdf.loc[bad, "geometry"] = shapely.make_valid(geoms[bad])
    return gdf


def _districts_layer(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "dcode": districts["dcode"].astype(str).to_numpy(object),
            "name_th": districts["dname"].astype(str).to_numpy(object),
            "name_en": districts["dname_e"].astype(str).to_numpy(object),
            "province_th": districts["pname"].astype(str).to_numpy(object),
            "population": (districts["no_male"] + districts["no_female"]).astype("int64"),
            "no_commu": districts["no_commu"].astype("int64"),
        },
        geometry=districts.geometry.values,
        crs=STORAGE_CRS,
    )


# --- canal ------------------------------------------------------------------


def _segments(line: shapely.LineString, target_m: float) -> np.ndarray:
    """The line cut into equal pieces of about `target_m`."""
    n = max(1, round(line.length / target_m))
    breaks = np.linspace(0.0, line.length, n + 1)
    return np.array([ops.substring(line, a, b) for a, b in zip(breaks[:-1], breaks[1:])])


def _canal_layers(line, water, segments, props, setback_m):
    accuracy = str(props.get("accuracy") or "approximate route; not a surveyed centreline")
    common = {
        "canal_id": [CANAL_ID],
        "name_th": [str(props.get("name_th") or CANAL_NAME_TH)],
        "name_en": [str(props.get("name_en") or CANAL_NAME_EN)],
        "width_m": [CANAL_WIDTH_M],
    }
    centreline = gpd.GeoDataFrame(
        {**common, "setback_m": [setback_m], "accuracy": [accuracy]},
        geometry=[line],
        crs=STORAGE_CRS,
    )
    water_gdf = gpd.GeoDataFrame(common, geometry=[water], crs=STORAGE_CRS)
    outer = shapely.buffer(segments, CANAL_WIDTH_M / 2 + setback_m, cap_style="flat")
    inner = shapely.buffer(segments, CANAL_WIDTH_M / 2, cap_style="flat")
    bands = shapely.difference(outer, inner)
    setback = gpd.GeoDataFrame(
        {
            "canal_id": [CANAL_ID] * len(bands),
            "segment_no": np.arange(1, len(bands) + 1, dtype="int64"),
            "setback_m": np.full(len(bands), setback_m),
        },
        geometry=bands,
        crs=STORAGE_CRS,
    )
    return centreline, water_gdf, setback


def _frame(line, s):
    """Points on the line at chainages `s`, with unit tangents and left normals."""
    s = np.asarray(s, dtype=float)
    pts = shapely.get_coordinates(shapely.line_interpolate_point(line, s))
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(line, s + 0.5))
    behind = shapely.get_coordinates(shapely.line_interpolate_point(line, s - 0.5))
    tangent = ahead - behind
    tangent /= np.linalg.norm(tangent, axis=1)[:, None]
    left = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    return pts, tangent, left


def _chainage_at_lat(line, lat: float) -> float:
    """First chainage (m) where the route reaches latitude `lat`."""
    s = np.arange(0.0, line.length, 5.0)
    pts = shapely.get_coordinates(shapely.line_interpolate_point(line, s))
    _, lats = _TO_LONLAT.transform(pts[:, 0], pts[:, 1])
    hit = np.flatnonzero(lats >= lat)
    return float(s[hit[0]]) if hit.size else float(line.length)


# --- communities and structures ---------------------------------------------


def _split(total: int, n: int, rng: np.random.Generator, spread: float = 0.4) -> np.ndarray:
    """`total` split into `n` positive integers with seeded weights; sums exactly."""
    weights = rng.uniform(1 - spread, 1 + spread, n)
    raw = total * weights / weights.sum()
    parts = np.floor(raw).astype("int64")
    order = np.argsort(-(raw - parts), kind="stable")
    parts[order[: total - parts.sum()]] += 1
    return parts


def _households(rng) -> list[dict]:
    """Households total and agreed per community, in area order."""
    rows = []
    for area in AREAS:
        for k, agreed in enumerate(_split(area.households_agreed, area.communities, rng), 1):
            rows.append({"area": area, "number": k, "agreed": int(agreed)})
    not_agreed = np.zeros(len(rows), dtype="int64")
    holders = np.sort(rng.choice(len(rows), size=int(rng.integers(8, 15)), replace=False))
    not_agreed[holders] = _split(HOUSEHOLDS_NOT_AGREED, len(holders), rng)
    for row, extra in zip(rows, not_agreed):
        row["total"] = row["agreed"] + int(extra)
    return rows


def _area_runs(line, districts, bangkok) -> dict[str, list[tuple[float, float]]]:
    """Chainage runs where both banks, CROSS_SECTION_M deep, lie in each area."""
    s = np.arange(0.0, line.length, 10.0)
    pts, _, left = _frame(line, s)
    offsets = np.linspace(-CROSS_SECTION_M, CROSS_SECTION_M, 9)
    probes = pts[:, None, :] + offsets[None, :, None] * left[:, None, :]
    flat = shapely.points(probes.reshape(-1, 2))
    tree = shapely.STRtree(districts.geometry.values)
    hit_probe, hit_district = tree.query(flat, predicate="within")
    label = np.full(len(flat), -1)
    label[hit_probe] = hit_district
    label = label.reshape(len(s), len(offsets))
    _, lats = _TO_LONLAT.transform(pts[:, 0], pts[:, 1])
    runs = {}
    for area in AREAS:
        if area.district_en is not None:
            index = np.flatnonzero(districts["dname_e"].to_numpy() == area.district_en)
            if index.size != 1:
                raise PlannerError(f"{DISTRICTS_FILE}: no single district {area.district_en!r}")
            ok = (label == index[0]).all(axis=1)
        else:
            ok = (label == -1).all(axis=1) & (lats >= LAK_HOK_LAT[0]) & (lats <= LAK_HOK_LAT[1])
        runs[area.code] = _true_runs(s, ok, step=10.0, margin=DISTRICT_MARGIN_M)
    return runs


def _true_runs(s, ok, *, step, margin):
    runs = []
    edges = np.diff(np.concatenate([[0], ok.astype(int), [0]]))
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        start, end = s[a] + margin, s[b - 1] + step - margin
        if end - start > 100:
            runs.append((float(start), float(end)))
    return runs


def _strip_length(households: int, rows: int) -> float:
    per_row = math.ceil(households / rows)
    slots = per_row + math.ceil(0.04 * per_row) + 2
    return slots * FRONTAGE_M + 2 * STRIP_END_M


def _outer_offset(rows: int) -> float:
    if rows == 1:
        back = ROW0_START_M[1] + HOUSE_DEPTH_M[1]
    else:
        back = ROW_START_M + (rows - 2) * ROW_PITCH_M + ROW_JITTER_M + HOUSE_DEPTH_M[1]
    return back + BACK_MARGIN_M


def _place_strips(runs, lengths, rng):
    """Start and end chainages for strips of `lengths`, in order, with gaps."""
    room = sum(b - a for a, b in runs)
    slack = room - sum(lengths) - MIN_GAP_M * (len(lengths) + 1)
    if slack < 0:
        return None
    weights = rng.uniform(0.3, 1.7, len(lengths))
    extra = slack * weights / weights.sum()
    for factor in (1.0, 0.8, 0.6, 0.4, 0.2, 0.0):
        placed, run, pos = [], 0, runs[0][0]
        for length, more in zip(lengths, extra * factor):
            start = pos + MIN_GAP_M + more
            while start + length > runs[run][1]:
                run += 1
                if run == len(runs):
                    break
                start = runs[run][0] + MIN_GAP_M
            if run == len(runs):
                break
            placed.append((start, start + length))
            pos = start + length
        if len(placed) == len(lengths):
            return placed
    return None


def _community_polygon(line, s0, s1, side, rows):
    sub = ops.substring(line, s0, s1)
    inner = shapely.offset_curve(
        sub, side * (CANAL_WIDTH_M / 2 - WATER_INSET_M), join_style="mitre", mitre_limit=5.0
    )
    outer = shapely.offset_curve(
        sub, side * _outer_offset(rows), join_style="mitre", mitre_limit=5.0
    )
    ring = np.vstack([shapely.get_coordinates(inner), shapely.get_coordinates(outer)[::-1]])
    return sub, shapely.Polygon(ring)


def _house_candidates(sub, side, rows, rng):
    """Candidate footprints row by row, ordered along the canal then by row."""
    rects, keys = [], []
    for j in range(rows):
        if j == 0:
            lo, hi = ROW0_START_M
        else:
            lo = ROW_START_M + (j - 1) * ROW_PITCH_M
            hi = lo + ROW_JITTER_M
        nominal = (lo + hi) / 2 + sum(HOUSE_DEPTH_M) / 4
        row_line = shapely.offset_curve(sub, side * nominal, join_style="mitre", mitre_limit=5.0)
        n = int((row_line.length - 2 * STRIP_END_M) // FRONTAGE_M)
        if n <= 0:
            continue
        d = STRIP_END_M + FRONTAGE_M * (np.arange(n) + 0.5)
        pts, tangent, left = _frame(row_line, d)
        away = side * left
        start = rng.uniform(lo, hi, n)
        depth = rng.uniform(*HOUSE_DEPTH_M, n)
        width = rng.uniform(*HOUSE_WIDTH_M, n)
        centre = pts + away * (start + depth / 2 - nominal)[:, None]
        half_t = tangent * (width / 2)[:, None]
        half_a = away * (depth / 2)[:, None]
        ring = np.stack(
            [
                centre - half_t - half_a,
                centre + half_t - half_a,
                centre + half_t + half_a,
                centre - half_t + half_a,
                centre - half_t - half_a,
            ],
            axis=1,
        )
        rects.append(shapely.polygons(ring))
        keys.append(np.column_stack([np.arange(n), np.full(n, j)]))
    rects = np.concatenate(rects)
    keys = np.concatenate(keys)
    order = np.lexsort((keys[:, 1], keys[:, 0]))
    return rects[order]


def _without_overlaps(rects: np.ndarray) -> np.ndarray:
    """Keep footprints in order, dropping any that overlaps one already kept."""
    a, b = shapely.STRtree(rects).query(rects, predicate="intersects")
    pairs = sorted((int(j), int(i)) for i, j in zip(a, b) if i < j)
    keep = np.ones(len(rects), dtype=bool)
    for j, i in pairs:
        if keep[i]:
            keep[j] = False
    return rects[keep]


def _communities_and_structures(line, runs, households, rng):
    rows_by_area: dict[str, list[dict]] = {}
    for row in households:
        rows_by_area.setdefault(row["area"].code, []).append(row)

    community_rows, structure_rows = [], []
    side_index = 0
    for area in AREAS:
        members = rows_by_area[area.code]
        if not runs[area.code]:
            raise PlannerError(f"no room on the canal for the {area.name_en} communities")
        rows = rng.integers(2, 5, len(members))
        while True:
            lengths = [_strip_length(m["total"], int(r)) for m, r in zip(members, rows)]
            placed = _place_strips(runs[area.code], lengths, rng)
            if placed is not None:
                break
            if rows.min() >= MAX_ROWS:
                raise PlannerError(f"the {area.name_en} communities do not fit on the canal")
            rows = np.minimum(rows + 1, MAX_ROWS)

        for member, r, (s0, s1) in zip(members, rows, placed):
            side = 1 if side_index % 2 == 0 else -1  # left of the route going north is west
            side_index += 1
            r = int(r)
            while True:
                sub, polygon = _community_polygon(line, s0, s1, side, r)
                rects = _house_candidates(sub, side, r, rng)
                rects = _without_overlaps(rects[shapely.within(rects, polygon)])
                if len(rects) >= member["total"] or r >= MAX_ROWS:
                    break
                r += 1
            n = member["total"]
            if len(rects) < n:
                raise PlannerError(f"community {area.code}-{member['number']} has no room")
            rects = rects[np.sort(rng.choice(len(rects), size=n, replace=False))]
            cid = f"{CANAL_ID}-{area.code}-{member['number']:02d}"
            community_rows.append(
                {
                    "community_id": cid,
                    "name_th": f"ชุมชนตัวอย่าง{area.name_th} {member['number']}",
                    "name_en": f"Sample community {area.name_en} {member['number']}",
                    "province_code": area.dopa[0],
                    "district_code": area.dopa[1],
                    "subdistrict_code": area.dopa[2],
                    "area_en": area.name_en,
                    "area_th": area.name_th,
                    "province_th": area.province_th,
                    "bank": "west" if side == 1 else "east",
                    "households_total": n,
                    "households_agreed": member["agreed"],
                    "geometry": polygon,
                }
            )
            agreed = np.zeros(n, dtype=bool)
            agreed[rng.permutation(n)[: member["agreed"]]] = True
            for k in range(n):
                structure_rows.append(
                    {
                        "structure_id": f"{cid}-H{k + 1:04d}",
                        "community_id": cid,
                        "household_no": k + 1,
                        "agreed_to_move": bool(agreed[k]),
                        "geometry": rects[k],
                    }
                )

    communities = _frame_of(community_rows, {"households_total": "int64",
                                             "households_agreed": "int64"})  # fmt: skip
    structures = _frame_of(structure_rows, {"household_no": "int64", "agreed_to_move": bool})
    return communities, structures


def _frame_of(rows: list[dict], dtypes: dict) -> gpd.GeoDataFrame:
    df = pd.DataFrame(rows)
    geoms = df.pop("geometry").to_numpy()
    for column in df.columns:
        df[column] = df[column].astype(dtypes.get(column, object))
    return gpd.GeoDataFrame(df, geometry=geoms, crs=STORAGE_CRS)


def _check_placement(communities, districts, bangkok):
    """Every Bangkok community inside its district; Lak Hok outside Bangkok; no overlaps."""
    by_name = dict(zip(districts["dname_e"], districts.geometry.values))
    district_of = {a.name_en: a.district_en for a in AREAS}
    problems = []
    for cid, area, geom in zip(
        communities["community_id"], communities["area_en"], communities.geometry.values
    ):
        district = district_of[area]
        if district is not None and not shapely.within(geom, by_name[district]):
            problems.append(f"{cid} is not inside {district}")
        if district is None and shapely.intersects(geom, bangkok):
            problems.append(f"{cid} reaches into Bangkok")
    a, b = shapely.STRtree(communities.geometry.values).query(
        communities.geometry.values, predicate="intersects"
    )
    problems += [f"communities {i} and {j} overlap" for i, j in zip(a, b) if i < j]
    if problems:
        raise PlannerError("sample communities misplaced:\n" + "\n".join(problems))


def _encroachment(structures: np.ndarray, water, setback: gpd.GeoDataFrame) -> np.ndarray:
    """'canal' if a footprint touches the water, 'setback' if the setback band, else 'none'."""
    shapely.prepare(water)
    result = np.full(len(structures), "none", dtype=object)
    hit, _ = shapely.STRtree(setback.geometry.values).query(structures, predicate="intersects")
    result[np.unique(hit)] = "setback"
    result[shapely.intersects(structures, water)] = "canal"
    return result


# --- railway, tenure, zoning, disaster sites --------------------------------


def _railway(communities, water) -> gpd.GeoDataFrame:
    lon, lat = zip(*RAILWAY_LONLAT)
    x, y = _FROM_LONLAT.transform(np.array(lon), np.array(lat))
    rail = shapely.LineString(np.column_stack([x, y]))
    clearance = min(
        shapely.distance(rail, water), float(shapely.distance(rail, communities.geometry).min())
    )
    if clearance < 200:
        raise PlannerError(f"the sample railway runs {clearance:.0f} m from the canal")
    return gpd.GeoDataFrame(
        {
            "name_th": ["ทางรถไฟสายเหนือ (แนวตัวอย่าง)"],
            "name_en": ["Northern railway line (illustrative)"],
        },
        geometry=[rail],
        crs=STORAGE_CRS,
    )


def _tenure(line, communities, rail, bangkok, rng) -> gpd.GeoDataFrame:
    """Treasury strip along the canal, railway land, then a BMA/private grid."""
    treasury = shapely.buffer(_segments(line, SEGMENT_M), TREASURY_HALF_M, cap_style="flat")
    rail_parts = shapely.buffer(_segments(rail, 1000.0), RAILWAY_HALF_M, cap_style="flat")
    canal_strip = shapely.buffer(line, TREASURY_HALF_M, cap_style="flat")
    rail_strip = shapely.buffer(rail, RAILWAY_HALF_M, cap_style="flat")
    rail_parts = _parts(shapely.difference(rail_parts, canal_strip))

    ends = shapely.line_locate_point(line, shapely.centroid(communities.geometry.values))
    s0 = max(0.0, float(ends.min()) - 600.0)
    s1 = min(line.length, float(ends.max()) + 600.0)
    band = shapely.buffer(ops.substring(line, s0, s1), TENURE_BAND_M, cap_style="flat")
    cells = _grid(band.bounds, TENURE_CELL_M)
    cells = cells[shapely.intersects(cells, band)]
    cells = shapely.intersection(cells, band)
    cells = shapely.difference(cells, shapely.union(canal_strip, rail_strip))
    cells = _parts(cells)
    shapely.prepare(bangkok)
    in_bangkok = shapely.within(shapely.point_on_surface(cells), bangkok)
    is_bma = (rng.random(len(cells)) < 0.15) & in_bangkok

    classes = (
        ["treasury"] * len(treasury)
        + ["railway"] * len(rail_parts)
        + ["bma" if b else "private" for b in is_bma]
    )
    counters: dict[str, int] = {}
    ids = []
    prefix = {"treasury": "TRE", "railway": "SRT", "bma": "BMA", "private": "PRV"}
    for c in classes:
        counters[c] = counters.get(c, 0) + 1
        ids.append(f"{prefix[c]}-{counters[c]:04d}")
    return gpd.GeoDataFrame(
        {
            "parcel_id": np.array(ids, dtype=object),
            "owner_class": np.array(classes, dtype=object),
            "owner_th": np.array([OWNERS[c][0] for c in classes], dtype=object),
            "owner_en": np.array([OWNERS[c][1] for c in classes], dtype=object),
        },
        geometry=np.concatenate([treasury, rail_parts, cells]),
        crs=STORAGE_CRS,
    )


def _grid(bounds, size) -> np.ndarray:
    """Square cells of `size` m covering `bounds`, snapped to the UTM grid, row by row."""
    x0, y0 = math.floor(bounds[0] / size) * size, math.floor(bounds[1] / size) * size
    x1, y1 = math.ceil(bounds[2] / size) * size, math.ceil(bounds[3] / size) * size
    ys, xs = np.meshgrid(np.arange(y0, y1, size), np.arange(x0, x1, size), indexing="ij")
    return shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + size, ys.ravel() + size)


def _parts(geoms: np.ndarray, min_area: float = 20.0) -> np.ndarray:
    """Single polygons of `geoms`, in order, without slivers."""
    parts = shapely.get_parts(geoms)
    parts = parts[shapely.get_type_id(parts) == 3]
    return parts[shapely.area(parts) >= min_area]


def _zoning(line, rail, communities, bangkok, rng) -> gpd.GeoDataFrame:
    """Voronoi zones over the corridor, ~1.5 km each side, Chatuchak to Lak Hok."""
    chatuchak = communities["area_en"].to_numpy() == "Chatuchak"
    first = shapely.line_locate_point(
        line, shapely.centroid(communities.geometry.values[chatuchak])
    )
    s0 = max(0.0, float(first.min()) - 1500.0)
    s1 = _chainage_at_lat(line, CORRIDOR_NORTH_LAT)
    corridor = shapely.buffer(ops.substring(line, s0, s1), ZONING_BAND_M, cap_style="flat")
    x0, y0, x1, y1 = corridor.bounds
    seeds = np.empty((0, 2))
    while len(seeds) < ZONING_CELLS:
        xy = np.column_stack([rng.uniform(x0, x1, 400), rng.uniform(y0, y1, 400)])
        seeds = np.vstack([seeds, xy[shapely.contains_xy(corridor, xy[:, 0], xy[:, 1])]])
    seeds = seeds[:ZONING_CELLS]
    cells = shapely.get_parts(
        shapely.voronoi_polygons(
            shapely.multipoints(seeds), extend_to=shapely.buffer(corridor, 100), ordered=True
        )
    )
    zones = _parts(shapely.intersection(cells, corridor), min_area=1.0)

    centres = shapely.point_on_surface(zones)
    shapely.prepare(bangkok)
    in_bangkok = shapely.within(centres, bangkok)
    to_rail = shapely.distance(centres, rail)
    to_canal = shapely.distance(centres, line)
    ax, ay = _FROM_LONLAT.transform(*DON_MUEANG_AIRPORT_LONLAT)
    to_airport = shapely.distance(centres, shapely.Point(ax, ay))
    draws = rng.random(len(zones))
    codes = []
    for bkk, dr, dc, da, u in zip(in_bangkok, to_rail, to_canal, to_airport, draws):
        if not bkk:
            mix = _ZONE_MIX["pathum_thani"]
        elif da < 1200 and dr > 150:
            codes.append("ส.")  # Don Mueang airport
            continue
        elif dr < 300:
            mix = _ZONE_MIX["railway"]
        elif dc < 400:
            mix = _ZONE_MIX["canal"]
        else:
            mix = _ZONE_MIX["inland"]
        cumulative = np.cumsum(list(mix.values())) / sum(mix.values())
        codes.append(list(mix)[int(np.searchsorted(cumulative, u, side="right"))])
    # Farmland zoning under some Lak Hok communities, for the conflict checks to find.
    lak_hok = communities.geometry.values[communities["area_en"].to_numpy() == "Lak Hok"]
    tree = shapely.STRtree(zones)
    for geom in lak_hok[::2]:
        for i in tree.query(shapely.point_on_surface(geom), predicate="intersects"):
            codes[int(i)] = "ก.2"
    codes = np.array(codes, dtype=object)
    return gpd.GeoDataFrame(
        {
            "zone_id": np.array([f"Z-{i:03d}" for i in range(1, len(zones) + 1)], dtype=object),
            "zone_code": codes,
            "zone_class": np.array([c[0] + "." for c in codes], dtype=object),
            "use_th": np.array([ZONE_USES[c][0] for c in codes], dtype=object),
            "use_en": np.array([ZONE_USES[c][1] for c in codes], dtype=object),
        },
        geometry=zones,
        crs=STORAGE_CRS,
    )


_SITE_TEXT = {
    "fire": (
        "ไฟไหม้บ้านเรือน {n} ครัวเรือน ที่{name_th} (เหตุการณ์ตัวอย่าง)",
        "Fire damaged the homes of {n} households in {name_en} (illustrative event)",
    ),
    "flood": (
        "น้ำท่วมปี 2554 ท่วมขังบ้านเรือน {n} ครัวเรือน ที่{name_th} (เหตุการณ์ตัวอย่าง)",
        "2011 flood: water stood in the homes of {n} households in {name_en} (illustrative event)",
    ),
    "eviction": (
        "แจ้งให้รื้อถอนบ้านเรือน {n} ครัวเรือน ที่{name_th} (เหตุการณ์ตัวอย่าง)",
        "Eviction notice to {n} households in {name_en} (illustrative event)",
    ),
}


def _disaster_sites(communities, structures, rng) -> gpd.GeoDataFrame:
    n = int(rng.integers(32, 39))
    kinds = rng.choice(["fire", "flood", "eviction"], size=n, p=[0.45, 0.25, 0.30])
    picks = rng.integers(0, len(communities), n)
    by_community = structures.groupby("community_id", sort=False).indices
    rows = []
    for kind, c in zip(kinds, picks):
        community = communities.iloc[int(c)]
        members = by_community[community["community_id"]]
        house = structures.geometry.values[members[int(rng.integers(len(members)))]]
        total = int(community["households_total"])
        if kind == "flood":
            day = dt.date(2011, 10, 10) + dt.timedelta(days=int(rng.integers(0, 50)))
            affected = int(rng.integers(total // 3, total + 1))
        else:
            day = dt.date(2015, 1, 1) + dt.timedelta(days=int(rng.integers(0, 3653)))
            affected = int(rng.integers(3, min(60, total) + 1))
        th, en = _SITE_TEXT[str(kind)]
        names = {"n": affected, "name_th": community["name_th"], "name_en": community["name_en"]}
        rows.append(
            {
                "kind": str(kind),
                "event_date": day,
                "households_affected": affected,
                "description_th": th.format(**names),
                "description_en": en.format(**names),
                "geometry": shapely.centroid(house),
            }
        )
    rows.sort(key=lambda r: (r["event_date"], r["kind"], r["description_en"]))
    for i, row in enumerate(rows, 1):
        row["site_id"] = f"DS-{i:03d}"
    gdf = _frame_of(rows, {"households_affected": "int64"})
    gdf["event_date"] = pd.to_datetime(gdf["event_date"].astype(str))
    return gdf[["site_id", "kind", "event_date", "households_affected", "description_th",
                "description_en", "geometry"]]  # fmt: skip


# --- flood depth ------------------------------------------------------------


def _flood_depth(line, rng):
    """Depth (m, float32, cm steps) on a 10 m grid within 1.5 km of the canal."""
    sub = ops.substring(line, 0.0, _chainage_at_lat(line, CORRIDOR_NORTH_LAT))
    c = FLOOD_CELL_M
    bx0, by0, bx1, by1 = sub.bounds
    x0 = math.floor((bx0 - FLOOD_BAND_M) / c) * c
    y0 = math.floor((by0 - FLOOD_BAND_M) / c) * c
    x1 = math.ceil((bx1 + FLOOD_BAND_M) / c) * c
    y1 = math.ceil((by1 + FLOOD_BAND_M) / c) * c
    width, height = round((x1 - x0) / c), round((y1 - y0) / c)
    xs = (x0 + c / 2 + c * np.arange(width)).astype(np.float32)
    ys = (y1 - c / 2 - c * np.arange(height)).astype(np.float32)
    dist = _distance_to_polyline(xs, ys, shapely.get_coordinates(sub))

    depth = 1.1 * np.exp(-dist / 250.0)
    pockets = 48
    along = rng.uniform(0.0, sub.length, pockets)
    across = rng.uniform(-FLOOD_BAND_M * 0.9, FLOOD_BAND_M * 0.9, pockets)
    sigma = rng.uniform(150.0, 650.0, pockets)
    amplitude = rng.uniform(0.3, 1.3, pockets)
    pts, _, left = _frame(sub, along)
    centres = pts + left * across[:, None]
    for (cx, cy), sg, amp in zip(centres, sigma, amplitude):
        reach = 3 * sg
        cols = slice(
            max(0, int((cx - reach - x0) // c)), min(width, int((cx + reach - x0) // c) + 1)
        )
        rows = slice(
            max(0, int((y1 - cy - reach) // c)), min(height, int((y1 - cy + reach) // c) + 1)
        )
        dx2 = (xs[cols] - cx) ** 2
        dy2 = (ys[rows] - cy) ** 2
        depth[rows, cols] += amp * np.exp(-(dy2[:, None] + dx2[None, :]) / (2 * sg * sg))
    # The 2011 flood stood deeper in the north (Don Mueang, Lak Hok).
    north = 0.7 + 0.6 * (ys - ys.min()) / max(1.0, float(ys.max() - ys.min()))
    depth = np.clip(depth * north[:, None] - 0.45, 0.0, None)
    depth = np.round(depth, 2).astype(np.float32)
    depth[dist > FLOOD_BAND_M] = FLOOD_NODATA
    return depth, Affine(c, 0.0, x0, 0.0, -c, y1)


def _distance_to_polyline(xs, ys, coords) -> np.ndarray:
    """Distance (m) from each grid cell centre to the polyline `coords`."""
    best = np.full((len(ys), len(xs)), np.inf, dtype=np.float32)
    X, Y = xs[None, :], ys[:, None]
    for (ax, ay), (bx, by) in zip(coords[:-1], coords[1:]):
        dx, dy = np.float32(bx - ax), np.float32(by - ay)
        t = ((X - np.float32(ax)) * dx + (Y - np.float32(ay)) * dy) / (dx * dx + dy * dy)
        np.clip(t, 0, 1, out=t)
        px = X - np.float32(ax) - t * dx
        py = Y - np.float32(ay) - t * dy
        np.minimum(best, np.sqrt(px * px + py * py), out=best)
    return best


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _ogr_column(series: pd.Series, ftype: str) -> np.ndarray:
    if ftype == "str":
        return np.array([str(v) for v in series], dtype=object)
    if ftype == "int":
        return series.to_numpy(dtype="int64")
    if ftype == "float":
        return series.to_numpy(dtype="float64")
    if ftype == "bool":
        return series.to_numpy(dtype=bool)
    if ftype == "date":  # datetime64[D] becomes a GeoPackage DATE column
        return pd.to_datetime(series).to_numpy().astype("datetime64[D]")
    raise PlannerError(f"unknown field type {ftype!r}")


def _write_gpkg(path: Path, catalog: Catalog, layers: dict[str, gpd.GeoDataFrame]) -> None:
    """One GeoPackage layer per vector catalogue layer, in catalogue order."""
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_TIMESTAMP})
    try:
        for entry in catalog.vector_layers():
            _write_layer(path, entry, layers[entry.name])
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def _write_layer(path: Path, entry: LayerEntry, gdf: gpd.GeoDataFrame) -> None:
    geoms = gdf.geometry.values
    multi = bool((shapely.get_type_id(geoms) >= 4).any())
    gtype = ("Multi" if multi else "") + entry.geometry_type
    fields = list(entry.fields)
    write_ogr(
        str(path),
        shapely.to_wkb(geoms, output_dimension=2),
        [_ogr_column(gdf[f], entry.fields[f].type) for f in fields],
        fields,
        layer=entry.name,
        driver="GPKG",
        geometry_type=gtype,
        crs=STORAGE_CRS,
        promote_to_multi=multi,
        encoding="UTF-8",
        layer_options={
            "IDENTIFIER": entry.title["en"],
            "DESCRIPTION": f"{entry.status}: {entry.status_note['en']}",
        },
    )


def _write_flood_tif(path: Path, entry: LayerEntry, depth, transform, *, seed: int) -> None:
    profile = {
        "driver": "GTiff",
        "width": depth.shape[1],
        "height": depth.shape[0],
        "count": 1,
        "dtype": "float32",
        "crs": STORAGE_CRS,
        "transform": transform,
        "nodata": FLOOD_NODATA,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        "predictor": 3,
        "zlevel": 6,
    }
    with rasterio.Env(GDAL_NUM_THREADS="1"), rasterio.open(path, "w", **profile) as dst:
        dst.write(depth, 1)
        dst.set_band_description(1, "flood depth (m)")
        dst.update_tags(
            units=entry.extra.get("units", "m"),
            status=entry.status,
            note=entry.status_note["en"],
            generator=f"gis/sample.py seed={seed}",
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> dict:
    """`python -m gis.sample [--out DIR] [--seed N] [--setback-m M]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR)
    parser.add_argument("--seed", type=int, default=2562)
    parser.add_argument("--setback-m", type=float, default=8.0)
    args = parser.parse_args(argv)
    summary = build_sample(args.out, seed=args.seed, setback_m=args.setback_m)
    for key, value in summary.items():
        print(f"{key}: {value}")
    return summary


if __name__ == "__main__":
    main()
