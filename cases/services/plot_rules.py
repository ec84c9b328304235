"""The rules every drawn plot keeps, in one place: the plot API (a plot drawn or redrawn
on the case page) and the workshop's check of a layout (app/application/workshop.py)
both call `plot_problems`.

- the geometry is valid (the problem said in words, with where it is);
- the plot lies inside its case's site (within `SITE_TOLERANCE_M`);
- it does not overlap another plot of the case by more than `OVERLAP_TOLERANCE_M2`
  (slivers thinner than `SITE_TOLERANCE_M`, from rounding lon/lat, are not overlaps).

Geometries are in EPSG:32647 (metres); each problem's spot is a lon/lat point for the
map to mark.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

from cases.errors import InvalidInput
from cases.model import STORAGE_CRS

SITE_TOLERANCE_M = 0.05  # 5 cm: a corner snapped to the site's edge, rounded to 7 decimals
OVERLAP_TOLERANCE_M2 = 0.1  # m², after the slivers thinner than SITE_TOLERANCE_M are dropped
MAX_OVERLAP_PAIRS = 2000  # touching pairs measured at most (600 stacked plots took 13 s)

_TO_WGS84 = Transformer.from_crs(STORAGE_CRS, "EPSG:4326", always_xy=True)

# GEOS's reasons (shapely.is_valid_reason), in words a housing officer reads.
_REASONS = {
    "self-intersection": (
        "its edges cross each other; move the corners so that no two edges cross",
        "เส้นขอบตัดกันเอง กรุณาย้ายมุมไม่ให้เส้นขอบไขว้กัน",
    ),
    "ring self-intersection": (
        "its outline touches itself at a corner; move that corner",
        "เส้นขอบแตะตัวเองที่มุม กรุณาย้ายมุมนั้น",
    ),
    "too few points": (
        "it has too few corners; a plot needs at least three",
        "มีมุมน้อยเกินไป แปลงต้องมีอย่างน้อยสามมุม",
    ),
    "hole lies outside shell": (
        "a hole in it lies outside its outline",
        "ช่องว่างในแปลงอยู่นอกเส้นขอบ",
    ),
    "interior is disconnected": (
        "its inside is cut into separate pieces",
        "พื้นที่ภายในแปลงถูกแบ่งออกเป็นหลายส่วน",
    ),
    "nested holes": ("it has a hole inside another hole", "มีช่องว่างซ้อนอยู่ในช่องว่างอื่น"),
    "nested shells": ("one outline lies inside another", "เส้นขอบหนึ่งอยู่ภายในอีกเส้นหนึ่ง"),
    "duplicate rings": ("it has the same outline twice", "มีเส้นขอบซ้ำกัน"),
    "invalid coordinate": ("a corner has no proper coordinates", "พิกัดของมุมแปลงไม่ถูกต้อง"),
    "ring is not closed": ("its outline is not closed", "เส้นขอบไม่ปิด"),
}
_UNKNOWN = ("its shape is not a proper polygon; draw it again", "รูปแปลงไม่ถูกต้อง กรุณาวาดใหม่")
_WHERE = re.compile(r"\[\s*([-+0-9.eE]+)[ ,]+([-+0-9.eE]+)\s*\]")


@dataclass(frozen=True)
class PlotProblem:
    """One broken rule: which (`rule`: invalid | outside_site | overlap), which plot, the
    other plot of an overlap, the message in English and Thai, and where (lon, lat)."""

    rule: str
    plot_no: str
    en: str
    th: str
    spot: tuple[float, float] | None = None
    other_plot: str | None = None

    def as_dict(self) -> dict:
        """JSON-ready: the spot as a GeoJSON Point (lon, lat)."""
        out = {"rule": self.rule, "plot_no": self.plot_no, "en": self.en, "th": self.th}
        if self.other_plot is not None:
            out["other_plot"] = self.other_plot
        out["spot"] = (
            {"type": "Point", "coordinates": list(self.spot)} if self.spot is not None else None
        )
        return out

    def error_details(self) -> dict:
        """What an error answer carries beside its messages."""
        out = self.as_dict()
        del out["en"], out["th"]
        return {"field": "geometry", **out, "problems": [self.as_dict()]}


def _lonlat(point) -> tuple[float, float]:
    lon, lat = _TO_WGS84.transform(point.x, point.y)
    return round(float(lon), 7), round(float(lat), 7)


def validity_problem(
    geom, plot_no: str, *, lonlat: bool = False, what: dict | None = None
) -> PlotProblem | None:
    """Why a polygon is invalid, in words, and where; None if it is valid. `lonlat`: the
    geometry is still in lon/lat (as drawn); else EPSG:32647. `what`: the thing named
    ({en, th}), a plot by default."""
    if geom.is_valid:
        return None
    reason = shapely.is_valid_reason(geom) or ""
    words = _REASONS.get(reason.split("[")[0].strip().lower(), _UNKNOWN)
    spot = None
    found = _WHERE.search(reason)
    if found:
        point = shapely.Point(float(found.group(1)), float(found.group(2)))
        spot = (round(point.x, 7), round(point.y, 7)) if lonlat else _lonlat(point)
    what = what or {"en": f"plot {plot_no}", "th": f"แปลง {plot_no}"}
    return PlotProblem(
        "invalid",
        str(plot_no),
        f"{what['en']}: {words[0]}",
        f"{what['th']}: {words[1]}",
        spot,
    )


def _outside(plot_no: str, geom, grown_site) -> PlotProblem | None:
    if grown_site.covers(geom):
        return None
    outside = geom.difference(grown_site)
    parts = [p for p in shapely.get_parts(outside) if not p.is_empty]
    where = max(parts, key=lambda p: p.area) if parts else geom
    share = outside.area / geom.area if geom.area > 0 else 1.0
    if share > 0.999:
        en = f"plot {plot_no} lies outside the case's site; draw it inside the site boundary"
        th = f"แปลง {plot_no} อยู่นอกขอบเขตพื้นที่ของกรณีนี้ กรุณาวาดภายในขอบเขตพื้นที่"
    else:
        area = f"{outside.area:,.1f}"
        en = f"plot {plot_no} reaches {area} m² beyond the case's site boundary"
        th = f"แปลง {plot_no} ยื่นออกนอกขอบเขตพื้นที่ของกรณีนี้ {area} ตร.ม."
    return PlotProblem("outside_site", str(plot_no), en, th, _lonlat(where.representative_point()))


def _overlap(no_a: str, a, no_b: str, b) -> PlotProblem | None:
    shrunk = shapely.buffer([a, b], -SITE_TOLERANCE_M, join_style="mitre")
    core = shapely.intersection(shrunk[0], shrunk[1], grid_size=1e-6)
    if core.is_empty or core.area <= OVERLAP_TOLERANCE_M2:
        return None
    overlap = shapely.intersection(a, b, grid_size=1e-6)
    area = f"{overlap.area:,.1f}"
    return PlotProblem(
        "overlap",
        str(no_a),
        f"plot {no_a} overlaps plot {no_b} by {area} m²",
        f"แปลง {no_a} ทับซ้อนกับแปลง {no_b} {area} ตร.ม.",
        _lonlat(core.representative_point()),
        other_plot=str(no_b),
    )


def plot_problems(
    plots: Sequence[tuple[str, object]],
    site=None,
    *,
    others: Sequence[tuple[str, object]] = (),
) -> list[PlotProblem]:
    """Every rule the `plots` ((plot_no, polygon in EPSG:32647)) break: each is valid,
    inside `site` (when the case has one) and overlaps neither another of `plots` nor
    any of `others` (the case's plots already stored, not checked themselves)."""
    problems: list[PlotProblem] = []
    checked: list[tuple[str, object]] = []
    for no, geom in plots:
        bad = validity_problem(geom, no)
        if bad is not None:
            problems.append(bad)
        else:
            checked.append((str(no), geom))
    if site is not None and not site.is_empty:
        grown = site.buffer(SITE_TOLERANCE_M)
        shapely.prepare(grown)
        problems += [p for no, g in checked if (p := _outside(no, g, grown)) is not None]
    everything = checked + [(str(no), g) for no, g in others if g is not None and g.is_valid]
    if not checked or len(everything) < 2:
        return problems
    geoms = np.array([g for _, g in everything], dtype=object)
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms[: len(checked)], predicate="intersects")
    keep = (a != b) & ((a < b) | (b >= len(checked)))  # each pair once; stored ones once
    pairs = list(zip(a[keep].tolist(), b[keep].tolist(), strict=True))
    for i, j in pairs[:MAX_OVERLAP_PAIRS]:
        found = _overlap(everything[i][0], geoms[i], everything[j][0], geoms[j])
        if found is not None:
            problems.append(found)
    if len(pairs) > MAX_OVERLAP_PAIRS:
        problems.append(
            PlotProblem(
                "overlap",
                "",
                f"more than {MAX_OVERLAP_PAIRS:,} pairs of plots touch; fix the overlaps shown first",
                f"มีแปลงที่ชนกันเกิน {MAX_OVERLAP_PAIRS:,} คู่ กรุณาแก้แปลงที่ซ้อนกันที่แสดงก่อน",
            )
        )
    return problems


def refuse_first(problems: list[PlotProblem]):
    """The error answering the first problem (422), carrying every problem found."""
    first = problems[0]
    return InvalidInput(
        first.en,
        first.th,
        **{**first.error_details(), "problems": [p.as_dict() for p in problems]},
    )
