"""Site layouts for community workshops: plots, lanes and common space that house
every household, or say plainly how many do not fit.

A layout is built in a local frame where the main lane runs "up" (+v) from an
access point and secondary lanes run across it (±u), so every plot and lane is an
axis-aligned rectangle there; the frame is then rotated back onto the site. Every
option keeps these invariants (checked by `layout_problems`):

- plots do not overlap each other or the lanes;
- everything lies inside the site and outside the canal setback;
- every plot fronts a lane, and every lane connects to an access point (block
  complexity k = 1, in the terms of Brelsford et al.).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity
from shapely.geometry import Point, Polygon

from gis.catalog import STORAGE_CRS
from gis.errors import Problem, ValidationError

__all__ = [
    "DEFAULT_PLOT_TYPES",
    "DEFAULT_UNIT_COSTS",
    "EPS_AREA",
    "EPS_DIST",
    "MIN_FRONTAGE",
    "PARAMETER_RANGES",
    "Layout",
    "PlotType",
    "generate_layouts",
    "layout_metrics",
    "layout_problems",
    "common_space_notes",
    "long_axis_angle",
    "setback_area",
    "parse_plot_type",
]

# Tolerances: geometry is built exactly in the local frame and rotated once, so
# only floating-point noise (well under a millimetre) is tolerated.
EPS_AREA = 1e-4  # m²
EPS_DIST = 1e-3  # m
MIN_FRONTAGE = 2.0  # m of a plot's edge on a lane
COMMON_TOLERANCE_M2 = 0.01  # common space this far under its target still meets it
MAX_OVERLAP_PAIRS = 2000  # touching plot pairs measured by layout_problems


@dataclass(frozen=True)
class PlotType:
    """A house prototype and the plot it needs (width along the lane × depth)."""

    name: str
    width: float
    depth: float
    label_th: str = ""
    label_en: str = ""

    @property
    def area(self) -> float:
        return self.width * self.depth


DEFAULT_PLOT_TYPES = (
    PlotType("row", 3.5, 8.0, "บ้านแถว 3.5 × 8 ม.", "Row house 3.5 × 8 m"),
    PlotType("twin", 5.0, 10.0, "บ้านแฝด 5 × 10 ม.", "Twin house 5 × 10 m"),
)
# What the generator accepts (metres; common space as a share of the site).
PARAMETER_RANGES = {
    "main_lane_width": (2.0, 20.0),
    "lane_width": (1.5, 20.0),
    "setback": (0.0, 100.0),
    "common_share": (0.0, 0.6),
}
# Illustrative unit costs in baht, to be edited at the workshop (not published rates).
DEFAULT_UNIT_COSTS = {
    "main_lane_per_m": 6000.0,
    "lane_per_m": 4000.0,
    "plot_services": 25000.0,
    "common_space_per_m2": 300.0,
}


def parse_plot_type(text: str) -> PlotType:
    """'row=3.5x8' → PlotType('row', 3.5, 8)."""
    try:
        name, size = text.split("=", 1)
        width, depth = (float(v) for v in size.lower().replace("×", "x").split("x"))
    except ValueError:
        raise ValidationError(
            [
                Problem(
                    f"plot type {text!r} must look like NAME=WIDTHxDEPTH, e.g. row=3.5x8",
                    f"แบบแปลง {text!r} ต้องเขียนเป็น ชื่อ=กว้างxลึก เช่น row=3.5x8",
                    field="plot",
                )
            ]
        ) from None
    if not (1.5 <= width <= 30 and 3 <= depth <= 60):
        raise ValidationError(
            [
                Problem(
                    f"plot type {text!r}: width 1.5–30 m and depth 3–60 m",
                    f"แบบแปลง {text!r}: กว้าง 1.5–30 ม. ลึก 3–60 ม.",
                    field="plot",
                )
            ]
        )
    known = {t.name: t for t in DEFAULT_PLOT_TYPES}.get(name.strip())
    label_th = f"{known.label_th.split(' ')[0]} {width:g} × {depth:g} ม." if known else ""
    label_en = f"{known.label_en.rsplit(' ', 4)[0]} {width:g} × {depth:g} m" if known else ""
    return PlotType(name.strip(), width, depth, label_th, label_en)


@dataclass
class Layout:
    option: int
    name: dict[str, str]
    angle_deg: float
    pattern: dict[str, Any]
    plots: gpd.GeoDataFrame
    lanes: gpd.GeoDataFrame
    open_space: gpd.GeoDataFrame
    metrics: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)  # what it was generated from

    def to_dict(self) -> dict[str, Any]:
        return {
            "option": self.option,
            "name": self.name,
            "angle_deg": self.angle_deg,
            "pattern": self.pattern,
            "parameters": self.parameters,
            "metrics": self.metrics,
        }


# ------------------------------------------------------------------ validation


def _validate(site, households, plot_types, main_lane_width, lane_width, setback, common_share):
    problems = []
    if not isinstance(site, Polygon) or site.is_empty or not site.is_valid:
        problems.append(
            Problem(
                "the site must be one valid polygon",
                "พื้นที่โครงการต้องเป็นรูปหลายเหลี่ยมที่ถูกต้องหนึ่งรูป",
                field="site",
            )
        )
    if not isinstance(households, (int, np.integer)) or households < 1:
        problems.append(
            Problem(
                "households must be a whole number of at least 1",
                "จำนวนครัวเรือนต้องเป็นจำนวนเต็มอย่างน้อย 1",
                field="households",
            )
        )
    if not plot_types:
        problems.append(Problem("give at least one plot type", "ต้องมีแบบแปลงอย่างน้อยหนึ่งแบบ"))
    given = {
        "main_lane_width": main_lane_width,
        "lane_width": lane_width,
        "setback": setback,
        "common_share": common_share,
    }
    for name, value in given.items():
        lo, hi = PARAMETER_RANGES[name]
        if not (lo <= float(value) <= hi):
            problems.append(
                Problem(
                    f"{name} must be between {lo:g} and {hi:g}, not {value}",
                    f"{name} ต้องอยู่ระหว่าง {lo:g} ถึง {hi:g}",
                    field=name,
                )
            )
    if problems:
        raise ValidationError(problems)


# ------------------------------------------------------------------- geometry


def _inward_normal(buildable: Polygon, access: Point) -> tuple[float, float]:
    """Unit vector pointing into `buildable` from the boundary nearest `access`."""
    ring = np.asarray(buildable.exterior.coords)
    a, b = ring[:-1], ring[1:]
    p = np.array([access.x, access.y])
    ab = b - a
    t = np.clip(((p - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-12), 0, 1)
    d = np.hypot(*(a + ab * t[:, None] - p).T)
    k = int(np.argmin(d))
    tx, ty = ab[k] / (np.hypot(*ab[k]) or 1.0)
    for nx, ny in ((-ty, tx), (ty, -tx)):
        probe = Point(p[0] + nx * 1.0, p[1] + ny * 1.0)
        if buildable.contains(probe):
            return nx, ny
    cx, cy = buildable.representative_point().coords[0]
    v = np.array([cx - p[0], cy - p[1]])
    v /= np.hypot(*v) or 1.0
    return float(v[0]), float(v[1])


def long_axis_angle(site: Polygon) -> float:
    """Angle (radians) of the long side of the site's minimum rotated rectangle."""
    rect = np.asarray(shapely.minimum_rotated_rectangle(site).exterior.coords)
    e1, e2 = rect[1] - rect[0], rect[2] - rect[1]
    e = e1 if np.hypot(*e1) >= np.hypot(*e2) else e2
    return math.atan2(e[1], e[0])


def _piece_touching(geom, target, tol=EPS_DIST):
    """The part of `geom` nearest `target` if within `tol`, else None."""
    parts = [p for p in shapely.get_parts(geom) if p.area > EPS_AREA]
    if not parts:
        return None
    dists = [p.distance(target) for p in parts]
    k = int(np.argmin(dists))
    return parts[k] if dists[k] <= tol else None


def _option_plan(k: int, rng: np.random.Generator, n_types: int, n_access: int) -> dict:
    """What varies between options: orientation, lane pattern, plot mix, common space."""
    base = [
        {"orientation": "frontage", "mix": "first", "common": "near", "loop": False},
        {"orientation": "axis", "mix": "second", "common": "far", "loop": False},
        {"orientation": "frontage", "mix": "alternate", "common": "far", "loop": True},
        {"orientation": "axis_cross", "mix": "alternate", "common": "near", "loop": False},
    ]
    plan = dict(base[k % len(base)])
    plan["access"] = k % max(n_access, 1)
    plan["phase"] = 0.0 if k < len(base) else float(rng.uniform(0, 1))
    plan["skew_deg"] = 0.0 if k < len(base) else float(rng.uniform(-12, 12))
    if n_types == 1:
        plan["mix"] = "first"
    return plan


_ORIENTATION_NAMES = {
    "frontage": ("ซอยหลักตั้งฉากกับถนนทางเข้า", "main lane square to the access road"),
    "axis": ("ซอยหลักตามแนวยาวของที่ดิน", "main lane along the site's long side"),
    "axis_cross": ("ซอยหลักขวางแนวยาวของที่ดิน", "main lane across the site"),
}


# ------------------------------------------------------------------ generator


def generate_layouts(
    site: Polygon,
    *,
    households: int,
    canal=None,
    access=None,
    plot_types: tuple[PlotType, ...] | list[PlotType] = DEFAULT_PLOT_TYPES,
    main_lane_width: float = 6.0,
    lane_width: float = 4.0,
    setback: float = 8.0,
    common_share: float = 0.10,
    options: int = 4,
    seed: int = 0,
    unit_costs: dict[str, float] | None = None,
    crs: str = STORAGE_CRS,
) -> list[Layout]:
    """`options` different valid layouts of `site` for `households` households.

    `canal`: canal centre lines (LineString/MultiLineString or a GeoSeries); nothing
    is built within `setback` metres of them. `access`: points on existing roads
    (on the site boundary); default: the point of the boundary nearest the site's
    centre that is outside the setback. Deterministic for a given `seed`.
    """
    plot_types = tuple(plot_types)
    _validate(site, households, plot_types, main_lane_width, lane_width, setback, common_share)
    costs = {**DEFAULT_UNIT_COSTS, **(unit_costs or {})}
    parameters = {
        "households": int(households),
        "plot_types": [
            {"name": t.name, "width_m": t.width, "depth_m": t.depth} for t in plot_types
        ],
        "main_lane_width_m": float(main_lane_width),
        "lane_width_m": float(lane_width),
        "setback_m": float(setback),
        "common_share": float(common_share),
        "options": int(options),
        "seed": int(seed),
    }
    # Work near the origin (whole metres off), so that the same site gives the same
    # layouts wherever it lies, and map coordinates keep their full precision.
    offset = (float(round(site.centroid.x)), float(round(site.centroid.y)))

    def near_origin(g):
        return affinity.translate(g, -offset[0], -offset[1])

    local_site = near_origin(site)
    lines = _as_geoms(canal)
    exclusion = setback_area([near_origin(g) for g in lines], setback) if lines else None
    buildable = local_site.difference(exclusion) if exclusion is not None else local_site
    buildable = shapely.make_valid(buildable)
    points = [near_origin(p) for p in _as_points(access)]
    access_points = _access_points(points or None, local_site, buildable)
    rng = np.random.default_rng(seed)
    layouts = []
    for k in range(options):
        plan = _option_plan(k, rng, len(plot_types), len(access_points))
        layout = _one_layout(
            k + 1,
            plan,
            site=site,
            buildable=buildable,
            access_points=access_points,
            households=int(households),
            plot_types=plot_types,
            main_w=float(main_lane_width),
            lane_w=float(lane_width),
            common_share=float(common_share),
            costs=costs,
            crs=crs,
            offset=offset,
        )
        layout.parameters = parameters
        layouts.append(layout)
    return layouts


def _as_geoms(canal) -> list:
    if canal is None:
        return []
    if isinstance(canal, (gpd.GeoSeries, gpd.GeoDataFrame)):
        geoms = list(canal.geometry if isinstance(canal, gpd.GeoDataFrame) else canal)
    elif isinstance(canal, (list, tuple, np.ndarray)):
        geoms = list(canal)
    else:
        geoms = [canal]
    return [g for g in geoms if g is not None and not g.is_empty]


def setback_area(canal, setback: float):
    """Where nothing may be built: within `setback` metres of the canal lines (None
    without a canal)."""
    geoms = _as_geoms(canal)
    if not geoms:
        return None
    # Circumscribe the round ends: every point outside is at least `setback` away.
    quad_segs = 16
    radius = setback / math.cos(math.pi / (4 * quad_segs))
    return shapely.union_all(
        shapely.buffer(np.array(geoms, dtype=object), radius, quad_segs=quad_segs)
    )


def _access_points(access, site: Polygon, buildable) -> list[Point]:
    if access is None:
        points = []
    elif isinstance(access, (gpd.GeoSeries, gpd.GeoDataFrame)):
        points = list(access.geometry if isinstance(access, gpd.GeoDataFrame) else access)
    elif isinstance(access, Point):
        points = [access]
    else:
        points = list(access)
    usable = []
    for p in points:
        # An access point is where a road meets the site: snap it onto the boundary.
        on_site = site.exterior.interpolate(site.exterior.project(p))
        if not buildable.is_empty and buildable.distance(on_site) <= EPS_DIST:
            usable.append(on_site)
    if not usable and not buildable.is_empty:
        # Default: the boundary point of the buildable area nearest the site centre.
        biggest = max(shapely.get_parts(buildable), key=lambda g: g.area)
        centre = site.centroid
        shared = biggest.exterior.intersection(site.exterior.buffer(EPS_DIST))
        line = shared if not shared.is_empty else biggest.exterior
        usable.append(line.interpolate(line.project(centre)))
    return usable


def _one_layout(
    option,
    plan,
    *,
    site,
    buildable,
    access_points,
    households,
    plot_types,
    main_w,
    lane_w,
    common_share,
    costs,
    crs,
    offset,
) -> Layout:
    empty = _empty_frames(crs)
    plan = {**plan, "access_point": None}
    if buildable.is_empty or not access_points:
        return _finish(
            option, plan, 0.0, site, households, [], [], [], costs, crs, empty, common_share
        )
    access = access_points[plan["access"]]
    plan["access_point"] = (access.x + offset[0], access.y + offset[1])
    normal = _inward_normal(
        max(shapely.get_parts(buildable), key=lambda g: g.distance(access) * -1), access
    )
    direction = math.atan2(normal[1], normal[0])
    if plan["orientation"] in ("axis", "axis_cross"):
        axis = long_axis_angle(site) + (math.pi / 2 if plan["orientation"] == "axis_cross" else 0.0)
        # The axis direction nearest the inward normal, if it still points inward.
        candidates = [axis, axis + math.pi]
        best = min(candidates, key=lambda a: abs(math.remainder(a - direction, 2 * math.pi)))
        if abs(math.remainder(best - direction, 2 * math.pi)) < math.radians(60):
            direction = best
    direction += math.radians(plan["skew_deg"])
    # Local frame: rotate so the main lane runs along +v from the access point.
    angle = math.degrees(direction) - 90.0
    ax, ay = access.x, access.y
    local = affinity.rotate(affinity.translate(buildable, -ax, -ay), -angle, origin=(0, 0))
    free = local.buffer(-EPS_DIST, join_style="mitre")
    if free.is_empty:
        return _finish(
            option, plan, angle, site, households, [], [], [], costs, crs, empty, common_share
        )
    minu, minv, maxu, maxv = local.bounds

    # Main lane: from the access point inward.
    main = _piece_touching(
        shapely.intersection(shapely.box(-main_w / 2, -1.0, main_w / 2, maxv + 1.0), free),
        Point(0, 0),
        tol=main_w,
    )
    if main is None or main.area < main_w * main_w:
        return _finish(
            option, plan, angle, site, households, [], [], [], costs, crs, empty, common_share
        )

    types = _row_types(plan["mix"], plot_types)
    # Secondary lanes across the main lane, with back-to-back rows between them.
    lanes_local: list[tuple[str, Polygon]] = [("main", main)]
    rows: list[tuple[float, float, PlotType, int]] = []  # (v0, v1, type, lane index)
    v = 2 * EPS_DIST + plan["phase"] * types[0].depth
    row_k = 0
    lane_index = 0
    _, main_v0, _, main_v1 = main.bounds
    while True:
        below = types[row_k % len(types)]
        above = types[(row_k + 1) % len(types)]
        lane_v0 = v + below.depth
        lane_v1 = lane_v0 + lane_w
        if lane_v0 >= main_v1 - lane_w:
            break
        strip = shapely.box(minu - 1, lane_v0, maxu + 1, lane_v1)
        pieces = shapely.intersection(strip, free)
        lane = _piece_touching(pieces, main, tol=EPS_DIST)
        if lane is not None:
            lane_index += 1
            if plan["loop"]:
                # Keep a lane's width free at both ends for the loop lane.
                u0, _, u1, _ = lane.bounds
                u0, u1 = min(u0 + lane_w, -main_w / 2), max(u1 - lane_w, main_w / 2)
                lane = lane.intersection(shapely.box(u0, lane_v0 - 1, u1, lane_v1 + 1))
            lanes_local.append((f"lane{lane_index}", lane))
            rows.append((v, lane_v0, below, lane_index))
            rows.append((lane_v1, lane_v1 + above.depth, above, lane_index))
        v = lane_v1 + above.depth
        row_k += 2

    # Plots in every row, outward from the main lane on both sides.
    plots_local = _plot_candidates(rows, lanes_local, main, free)
    plots_local = _drop_overlaps(plots_local, lanes_local)
    # Common space: a run of candidate plots near the access point or at the far end,
    # of at least the asked share of the whole site (not of the buildable part: the
    # form, the metrics and the A3 sheet all say "of the site").
    plots_local, common = _take_common(plots_local, site.area * common_share, plan["common"])
    # Houses beyond the households needed are left as spare open space.
    plots_local.sort(key=lambda p: abs(p["centre"][0]) + p["centre"][1])
    spare = plots_local[households:]
    plots_local = plots_local[:households]
    lanes_local = _trim_lanes(lanes_local, plots_local, common, main_w)
    if plan["loop"]:
        lanes_local = _add_loop(lanes_local, free, lane_w, plots_local, common)
    if not plots_local:
        # Nothing fits: no lane or common space is worth building (or costing).
        lanes_local, common, spare = [], None, []
    open_local = []
    if common is not None:
        open_local.append(("common", common))
    for p in spare:
        open_local.append(("spare", p["geom"]))

    def back(g):
        moved = affinity.rotate(g, angle, origin=(0, 0))
        return affinity.translate(moved, ax + offset[0], ay + offset[1])

    plots = [{**p, "geom": back(p["geom"])} for p in plots_local]
    lanes = [(name, back(g)) for name, g in lanes_local]
    open_space = [(kind, back(g)) for kind, g in open_local]
    return _finish(
        option,
        plan,
        angle,
        site,
        households,
        plots,
        lanes,
        open_space,
        costs,
        crs,
        None,
        common_share,
    )


def _largest(geom):
    parts = shapely.get_parts(geom)
    return max(parts, key=lambda g: g.area) if len(parts) else geom


def _row_types(mix: str, plot_types) -> list[PlotType]:
    if mix == "second" and len(plot_types) > 1:
        return [plot_types[1]]
    if mix == "alternate" and len(plot_types) > 1:
        return list(plot_types)
    return [plot_types[0]]


def _plot_candidates(rows, lanes_local, main, free):
    """Plots along each secondary lane, outward from the main lane on both sides."""
    lanes = dict(lanes_local)
    out = []
    mu0, _, mu1, _ = main.bounds
    for v0, v1, ptype, lane_index in rows:
        lane = lanes.get(f"lane{lane_index}")
        if lane is None:
            continue
        lu0, _, lu1, _ = lane.bounds
        w = ptype.width
        # Neighbours share edges bit for bit (u1 of one is u0 of the next), so GEOS
        # never meets nearly coincident lines between them.
        n_right = max(int(math.floor((lu1 - mu1) / w + 1e-9)), 0)
        n_left = max(int(math.floor((mu0 - lu0) / w + 1e-9)), 0)
        right = mu1 + w * np.arange(n_right + 1)
        left = mu0 - w * np.arange(n_left + 1)
        u0s = np.concatenate([right[:-1], left[1:]])
        u1s = np.concatenate([right[1:], left[:-1]])
        if not len(u0s):
            continue
        boxes = shapely.box(u0s, v0, u1s, v1)
        ok = shapely.covers(free, boxes)
        for u0, box, good in zip(u0s, boxes, ok, strict=True):
            if good:
                out.append(
                    {
                        "geom": box,
                        "type": ptype,
                        "lane": f"lane{lane_index}",
                        "centre": (float(u0 + w / 2), float((v0 + v1) / 2)),
                        "row": (v0, v1),
                    }
                )
    return out


def _drop_overlaps(cands, lanes_local):
    if not cands:
        return cands
    lane_union = shapely.union_all([g for _, g in lanes_local])
    geoms = np.array([c["geom"] for c in cands], dtype=object)
    overlap = shapely.area(shapely.intersection(geoms, lane_union)) > EPS_AREA
    return [c for c, bad in zip(cands, overlap, strict=True) if not bad]


def _take_common(cands, target_area, where):
    """Turn a compact block of candidate plots into common space of ≥ target_area:
    two back-to-back rows on one side of the main lane, from the main lane outward,
    near the access point or at the far end."""
    if target_area <= 0 or not cands:
        return cands, None
    distance = [c["centre"][1] + abs(c["centre"][0]) for c in cands]
    first = int(np.argmin(distance) if where == "near" else np.argmax(distance))
    seed = cands[first]
    side = np.sign(seed["centre"][0]) or 1.0
    rows = sorted({c["row"] for c in cands}, key=lambda r: abs(r[0] - seed["row"][0]))
    # Prefer the nearest block (two back-to-back rows, one side) that holds it all.
    for row in rows:
        block = {r for r in rows if abs(r[0] - row[1]) < 1e-6 or abs(r[1] - row[0]) < 1e-6}
        members = [
            i
            for i, c in enumerate(cands)
            if c["row"] in ({row} | block) and np.sign(c["centre"][0]) == side
        ]
        if sum(cands[i]["geom"].area for i in members) >= target_area:
            rows = [row, *[r for r in rows if r != row]]
            break
    taken: list[int] = []
    area = 0.0
    done: set = set()
    for row in rows:
        if area >= target_area or row in done:
            continue
        # The row and the one back to back with it make one block.
        block = {r for r in rows if abs(r[0] - row[1]) < 1e-6 or abs(r[1] - row[0]) < 1e-6}
        block = {row} | {r for r in block if r not in done}
        done |= block
        members = [
            i for i, c in enumerate(cands) if c["row"] in block and np.sign(c["centre"][0]) == side
        ]
        members.sort(key=lambda i: abs(cands[i]["centre"][0]))
        for i in members:
            if area >= target_area:
                break
            taken.append(i)
            area += cands[i]["geom"].area
    if not taken:
        return cands, None
    common = shapely.union_all([cands[i]["geom"] for i in taken])
    chosen = set(taken)
    return [c for i, c in enumerate(cands) if i not in chosen], common


def _trim_lanes(lanes_local, plots, common, main_w):
    """Secondary lanes end at their last plot; the main lane at its last side lane."""
    users: dict[str, list[Polygon]] = {}
    for p in plots:
        users.setdefault(p["lane"], []).append(p["geom"])
    if common is not None:
        for name, lane in lanes_local:
            if name != "main" and lane.distance(common) <= EPS_DIST:
                users.setdefault(name, []).append(common)
    out = []
    main = dict(lanes_local)["main"]
    mu0, mv0, mu1, mv1 = main.bounds
    top = mv0 + main_w
    for name, lane in lanes_local:
        if name == "main":
            continue
        geoms = users.get(name)
        if not geoms:
            continue
        lu0, lv0, lu1, lv1 = lane.bounds
        bounds = np.array([g.bounds for g in geoms])
        u0 = min(bounds[:, 0].min(), mu0)
        u1 = max(bounds[:, 2].max(), mu1)
        out.append((name, _largest(lane.intersection(shapely.box(u0, lv0 - 1, u1, lv1 + 1)))))
        top = max(top, lv1)
    # The main lane stops at the last side lane it serves.
    out.insert(
        0, ("main", _largest(main.intersection(shapely.box(mu0 - 1, mv0 - 1, mu1 + 1, top))))
    )
    return out


def _add_loop(lanes_local, free, lane_w, plots, common):
    """Join the far ends of the side lanes with a lane parallel to the main lane (a
    loop for fire engines), beyond the last plots, where it fits inside the site."""
    side = [(n, g) for n, g in lanes_local if n != "main"]
    if len(side) < 2:
        return lanes_local
    taken = [p["geom"] for p in plots] + ([common] if common is not None else [])
    blocked = shapely.union_all(taken) if taken else Polygon()
    out = list(lanes_local)
    for sign in (1, -1):
        edges = [g.bounds[2] if sign > 0 else g.bounds[0] for _, g in side]
        edges += [g.bounds[2] if sign > 0 else g.bounds[0] for g in taken]
        far = max(edges) if sign > 0 else min(edges)
        u0, u1 = (far, far + lane_w) if sign > 0 else (far - lane_w, far)
        v0 = min(g.bounds[1] for _, g in side)
        v1 = max(g.bounds[3] for _, g in side)
        loop = shapely.box(u0, v0, u1, v1)
        if not free.covers(loop) or loop.intersection(blocked).area > EPS_AREA:
            continue
        joined = []
        for name, g in side:
            gu0, gv0, gu1, gv1 = g.bounds
            gap = shapely.box(gu1, gv0, u0, gv1) if sign > 0 else shapely.box(u1, gv0, gu0, gv1)
            if gap.area <= EPS_AREA or (
                free.covers(gap) and gap.intersection(blocked).area <= EPS_AREA
            ):
                joined.append((name, _largest(shapely.union_all([g, gap]))))
        if len(joined) < 2:
            continue
        lookup = dict(joined)
        out = [(n, lookup.get(n, g)) for n, g in out]
        side = [(n, lookup.get(n, g)) for n, g in side]
        out.append((f"loop_{'east' if sign > 0 else 'west'}", loop))
    return out


def _empty_frames(crs):
    return (
        gpd.GeoDataFrame({"plot_no": [], "plot_type": []}, geometry=[], crs=crs),
        gpd.GeoDataFrame({"lane_id": [], "kind": []}, geometry=[], crs=crs),
        gpd.GeoDataFrame({"space_id": [], "kind": []}, geometry=[], crs=crs),
    )


def _finish(
    option, plan, angle, site, households, plots, lanes, open_space, costs, crs, empty, common_share
):
    """Frames, metrics and a name for one option."""
    plot_rows = [
        {
            "plot_no": i + 1,
            "plot_type": p["type"].name,
            "width_m": p["type"].width,
            "depth_m": p["type"].depth,
            "lane_id": p["lane"],
            "geometry": p["geom"],
        }
        for i, p in enumerate(plots)
    ]
    plots_gdf = gpd.GeoDataFrame(
        plot_rows or None,
        columns=["plot_no", "plot_type", "width_m", "depth_m", "lane_id", "geometry"],
        geometry="geometry",
        crs=crs,
    )
    plots_gdf["area_m2"] = plots_gdf.geometry.area
    lane_rows = []
    for name, g in lanes:
        kind = "main" if name == "main" else ("loop" if name.startswith("loop") else "secondary")
        rect = shapely.minimum_rotated_rectangle(g)
        c = np.asarray(rect.exterior.coords)
        sides = sorted([np.hypot(*(c[1] - c[0])), np.hypot(*(c[2] - c[1]))])
        lane_rows.append(
            {
                "lane_id": name,
                "kind": kind,
                "width_m": round(sides[0], 3),
                "length_m": sides[1],
                "geometry": g,
            }
        )
    lanes_gdf = gpd.GeoDataFrame(
        lane_rows or None,
        columns=["lane_id", "kind", "width_m", "length_m", "geometry"],
        geometry="geometry",
        crs=crs,
    )
    open_rows = [
        {"space_id": i + 1, "kind": kind, "area_m2": g.area, "geometry": g}
        for i, (kind, g) in enumerate(open_space)
    ]
    open_gdf = gpd.GeoDataFrame(
        open_rows or None,
        columns=["space_id", "kind", "area_m2", "geometry"],
        geometry="geometry",
        crs=crs,
    )
    metrics = layout_metrics(
        plots_gdf, lanes_gdf, open_gdf, site, households, costs, common_share=common_share
    )
    th_or, en_or = _ORIENTATION_NAMES[plan["orientation"]]
    mix = ", ".join(sorted(plots_gdf["plot_type"].unique())) or "-"
    name = {
        "th": f"ทางเลือก {option}: {th_or}" + (" มีถนนวน" if plan["loop"] else ""),
        "en": f"Option {option}: {en_or}" + (", with a loop lane" if plan["loop"] else ""),
    }
    pattern = {**plan, "plot_types": mix}
    return Layout(option, name, round(angle, 3), pattern, plots_gdf, lanes_gdf, open_gdf, metrics)


def layout_metrics(
    plots, lanes, open_space, site, households, costs, *, common_share: float | None = None
) -> dict[str, Any]:
    """The option's numbers. Every share is of the whole site (`site_area_m2`);
    `common_share`, the share of the site asked for common space, is carried as
    `common_space_target_share` so a sheet can print what was asked beside what was
    taken (and `common_space_below_target` when hand edits took it below)."""
    housed = len(plots)
    lane_len = float(lanes["length_m"].sum()) if len(lanes) else 0.0
    main_len = float(lanes.loc[lanes["kind"] == "main", "length_m"].sum()) if len(lanes) else 0.0
    common = open_space[open_space["kind"] == "common"] if len(open_space) else open_space
    common_area = float(common.geometry.area.sum()) if len(common) else 0.0
    # The ground they cover, once: lanes overlap where they meet, and may run to the edge.
    parts = [*plots.geometry.values, *lanes.geometry.values, *common.geometry.values]
    used = float(shapely.union_all(parts).intersection(site).area) if parts else 0.0
    by_type = plots.groupby("plot_type").size().to_dict() if housed else {}
    cost = {
        "main_lane": main_len * costs["main_lane_per_m"],
        "lanes": (lane_len - main_len) * costs["lane_per_m"],
        "plots": housed * costs["plot_services"],
        "common_space": common_area * costs["common_space_per_m2"],
    }
    cost["total"] = sum(cost.values())
    return {
        "households_needed": int(households),
        "households_housed": int(housed),
        "shortfall": int(max(households - housed, 0)),
        "plots_by_type": {k: int(v) for k, v in by_type.items()},
        "plot_area_min_m2": float(plots.geometry.area.min()) if housed else 0.0,
        "plot_area_mean_m2": float(plots.geometry.area.mean()) if housed else 0.0,
        "lane_length_m": lane_len,
        "lane_length_per_plot_m": lane_len / housed if housed else 0.0,
        "common_space_m2": common_area,
        "common_space_share": common_area / site.area,
        **(
            {
                "common_space_target_share": float(common_share),
                "common_space_below_target": bool(
                    housed and common_area < float(common_share) * site.area - COMMON_TOLERANCE_M2
                ),
            }
            if common_share is not None
            else {}
        ),
        "site_area_m2": site.area,
        "site_used_share": used / site.area,
        "cost_baht": {k: round(v) for k, v in cost.items()},
        "cost_per_household_baht": round(cost["total"] / housed) if housed else None,
        "unit_costs": dict(costs),
    }


# ------------------------------------------------------------------- checking


def layout_problems(
    layout: Layout,
    site: Polygon,
    *,
    canal=None,
    setback: float = 0.0,
    access=None,
    plot_rules: bool = True,
) -> list[Problem]:
    """Every broken invariant of a layout (an empty list when it is valid).
    `plot_rules` False: the caller checks the plots against the site and each other with
    its own rule set (the case tracker's drawing rules, as the workshop does).

    Computed about the site's centre: at UTM magnitudes GEOS's snap-rounded overlay
    can fail on shared edges (TopologyException)."""
    problems: list[Problem] = []
    dx, dy = float(round(site.centroid.x)), float(round(site.centroid.y))

    def near(geoms):
        return shapely.transform(np.asarray(geoms, dtype=object), lambda xy: xy - [dx, dy])

    plots = near(layout.plots.geometry.values)
    lanes = near(layout.lanes.geometry.values)
    spaces = near(layout.open_space.geometry.values)
    site = near([site])[0]
    canal = list(near(_as_geoms(canal))) if _as_geoms(canal) else None
    access = list(near(_as_points(access))) if _as_points(access) else None
    nos = layout.plots["plot_no"].tolist()

    def bad(en, th, feature=None, fld="geometry"):
        problems.append(Problem(en, th, layer="plots", feature=feature, field=fld))

    grown_site = site.buffer(EPS_DIST)
    for i, g in enumerate(plots if plot_rules else []):
        if not grown_site.covers(g):
            bad("plot is not inside the site", "แปลงอยู่นอกพื้นที่โครงการ", nos[i])
    for g in lanes:
        if not grown_site.covers(g):
            bad("a lane leaves the site", "ซอยออกนอกพื้นที่โครงการ")
    exclusion = setback_area(canal, setback)
    if exclusion is not None:
        for i, g in enumerate(plots):
            if _overlap_area(g, exclusion) > EPS_AREA:
                bad("plot is inside the canal setback", "แปลงอยู่ในระยะถอยร่นจากคลอง", nos[i])
        for g in np.concatenate([lanes, spaces]):
            if _overlap_area(g, exclusion) > EPS_AREA:
                bad("a lane or space is inside the setback", "ซอยหรือพื้นที่ส่วนกลางอยู่ในระยะถอยร่น")
    if len(plots) and plot_rules:
        tree = shapely.STRtree(plots)
        a, b = tree.query(plots, predicate="intersects")
        pairs = a < b
        a, b = a[pairs], b[pairs]
        # Plots stacked on each other touch pairwise: measure a bounded number of pairs
        # (600 stacked plots once took 13 s), and say so when more touch.
        more = len(a) > MAX_OVERLAP_PAIRS
        a, b = a[:MAX_OVERLAP_PAIRS], b[:MAX_OVERLAP_PAIRS]
        areas = _overlap_area(plots[a], plots[b])
        for i, j in zip(a[areas > EPS_AREA], b[areas > EPS_AREA], strict=True):
            bad(f"plots {nos[i]} and {nos[j]} overlap", f"แปลง {nos[i]} และ {nos[j]} ซ้อนกัน", nos[i])
        if more:
            bad(
                f"more than {MAX_OVERLAP_PAIRS:,} pairs of plots touch; fix the overlaps shown first",
                f"มีแปลงที่ชนกันเกิน {MAX_OVERLAP_PAIRS:,} คู่ กรุณาแก้แปลงที่ซ้อนกันที่แสดงก่อน",
            )
    if len(plots) and len(lanes):
        lane_union = shapely.union_all(lanes)
        overlap = _overlap_area(plots, lane_union)
        for i in np.flatnonzero(overlap > EPS_AREA):
            bad("plot overlaps a lane", "แปลงทับซอย", nos[i])
        frontage = shapely.length(
            shapely.intersection(shapely.boundary(plots), shapely.buffer(lane_union, EPS_DIST))
        )
        for i in np.flatnonzero(frontage < MIN_FRONTAGE):
            bad("plot does not front a lane", "แปลงไม่ติดซอย", nos[i])
    elif len(plots):
        bad("plots but no lanes", "มีแปลงแต่ไม่มีซอย")
    if len(lanes):
        problems += _lane_connectivity(lanes, layout.lanes["lane_id"].tolist(), access)
    return problems


def _overlap_area(a, b):
    """Overlap area, snap-rounded so nearly coincident shared edges count as 0."""
    return shapely.area(shapely.intersection(a, b, grid_size=1e-9))


def _lane_connectivity(lanes, names, access) -> list[Problem]:
    points = _as_points(access)
    grown = shapely.buffer(lanes, EPS_DIST)
    reached = np.zeros(len(lanes), dtype=bool)
    for p in points:
        reached |= shapely.distance(lanes, p) <= EPS_DIST * 10
    if not points:
        return [Problem("no access point", "ไม่มีจุดทางเข้า", layer="lanes")]
    frontier = list(np.flatnonzero(reached))
    while frontier:
        i = frontier.pop()
        touching = np.flatnonzero(~reached & shapely.intersects(grown, lanes[i]))
        reached[touching] = True
        frontier.extend(touching.tolist())
    return [
        Problem(
            f"lane {names[i]} does not connect to an access point",
            f"ซอย {names[i]} ไม่เชื่อมกับทางเข้า",
            layer="lanes",
            feature=names[i],
        )
        for i in np.flatnonzero(~reached)
    ]


def _as_points(access) -> list[Point]:
    if access is None:
        return []
    if isinstance(access, Point):
        return [access]
    if isinstance(access, (gpd.GeoSeries, gpd.GeoDataFrame)):
        return list(access.geometry if isinstance(access, gpd.GeoDataFrame) else access)
    return list(access)


def layouts_frame(layouts: list[Layout], layer: str) -> gpd.GeoDataFrame:
    """All options' `plots`, `lanes` or `open_space` in one frame with an `option` column."""
    frames = []
    for lay in layouts:
        gdf = getattr(lay, layer).copy()
        gdf.insert(0, "option", lay.option)
        frames.append(gdf)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


# -------------------------------------------------------------------- outputs


def write_geopackage(layouts: list[Layout], path, *, site: Polygon | None = None) -> dict:
    """Layers `plots`, `lanes` and `open_space` (each with an `option` column, and
    `site` if given) in one GeoPackage, written whole or not at all, plus the
    metrics as JSON beside it (`<name>.metrics.json`). Returns the metrics."""
    import json
    import os
    import tempfile
    from pathlib import Path

    import pyogrio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".partial-", suffix=".gpkg")
    os.close(fd)
    os.unlink(tmp)
    try:
        for layer in ("plots", "lanes", "open_space"):
            gdf = layouts_frame(layouts, layer)
            pyogrio.write_dataframe(gdf, tmp, layer=layer, driver="GPKG")
        if site is not None:
            crs = layouts[0].plots.crs
            pyogrio.write_dataframe(
                gpd.GeoDataFrame({"name": ["site"]}, geometry=[site], crs=crs),
                tmp,
                layer="site",
                driver="GPKG",
            )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    metrics = {"options": [lay.to_dict() for lay in layouts]}
    metrics_path = path.with_suffix(".metrics.json")
    metrics_path.write_text(
        json.dumps(metrics, ensure_ascii=False, indent=1, default=float), encoding="utf-8"
    )
    return metrics


def write_dxf(layout: Layout, path, *, site: Polygon | None = None) -> None:
    """One option as a DXF drawing for the architect: layers SITE, PLOTS, LANES,
    OPEN_SPACE, PLOT_NUMBERS and NOTES (the common space as a share of the whole
    site, beside the share asked for), in metres (UTM coordinates)."""
    import ezdxf
    from ezdxf import units

    doc = ezdxf.new("R2010")
    doc.units = units.M
    msp = doc.modelspace()
    colours = {"SITE": 7, "PLOTS": 30, "LANES": 8, "OPEN_SPACE": 3, "PLOT_NUMBERS": 7, "NOTES": 7}
    for name, colour in colours.items():
        doc.layers.add(name, color=colour)

    def rings(geom, layer, extra=None):
        for poly in shapely.get_parts(geom):
            for ring in [poly.exterior, *poly.interiors]:
                msp.add_lwpolyline(
                    list(ring.coords)[:-1], close=True, dxfattribs={"layer": layer, **(extra or {})}
                )

    if site is not None:
        rings(site, "SITE")
    for g in layout.lanes.geometry:
        rings(g, "LANES")
    for g in layout.open_space.geometry:
        rings(g, "OPEN_SPACE")
    for no, g in zip(layout.plots["plot_no"], layout.plots.geometry, strict=True):
        rings(g, "PLOTS")
        c = g.centroid
        text = msp.add_text(f"{no}", dxfattribs={"layer": "PLOT_NUMBERS", "height": 1.0})
        text.set_placement((c.x, c.y), align=ezdxf.enums.TextEntityAlignment.MIDDLE_CENTER)
        text.dxf.rotation = layout.angle_deg

    bounds = (site if site is not None else shapely.union_all(layout.plots.geometry.values)).bounds
    if all(math.isfinite(b) for b in bounds):
        for k, line in enumerate(common_space_notes(layout.metrics)):
            note = msp.add_text(line, dxfattribs={"layer": "NOTES", "height": 1.5})
            note.set_placement((bounds[0], bounds[1] - 3.0 - 2.5 * k))

    doc.saveas(str(path))


def common_space_notes(metrics: dict[str, Any]) -> list[str]:
    """The common space as the DXF's NOTES state it, in Thai and English: its area,
    its share of the whole site and the share asked for."""
    if "common_space_m2" not in metrics:
        return []
    area = metrics["common_space_m2"]
    share = metrics["common_space_share"] * 100
    site = metrics.get("site_area_m2", 0.0)
    asked = metrics.get("common_space_target_share")
    th = f"พื้นที่ส่วนกลาง {area:,.0f} ตร.ม. = {share:.1f} % ของที่ดินทั้งแปลง ({site:,.0f} ตร.ม.)"
    en = f"Common space {area:,.0f} m² = {share:.1f} % of the whole site ({site:,.0f} m²)"
    if asked is not None:
        th += f" · ขออย่างน้อย {asked * 100:.1f} %"
        en += f" · asked: at least {asked * 100:.1f} %"
    return [th, en]
