"""Printable sheets of site layouts (`gis.layout`) for community workshops: an A3
landscape PDF with one page per option and a comparison sheet.

API
---
``layout_pdf(layouts, site, *, canal=None, setback=None, title_th, title_en,
lang="th", site_id="", parameters=None, when=None) -> bytes``
    The A3 landscape PDF (WeasyPrint, Sarabun embedded). One page per option: a
    large map (site outline, canal and its setback hatched red, lanes grey, plots
    coloured by type with their numbers, common space green, spare plots light
    grey, the access point; scale bar, north arrow, a round printed scale such as
    1:500; a long site lying slantwise is turned to lie along the sheet when that
    prints it at least 20 % larger, the north arrow turned with it) with the
    legend beneath it, and beside it the metrics in Thai with
    English: households housed against needed with the shortfall in large type,
    plots by type, plot areas, lane length per plot, common space, share of the
    site used, the cost estimate with its (illustrative, editable) unit costs, the
    parameters and the date in the Buddhist Era. Then the comparison sheet: every
    option as a small map, all at one scale, over a table of key metrics with the
    best value of each row highlighted (one such sheet per four options, so four
    options make five pages).

    `layouts` is what `generate_layouts` returned; `site` the site polygon (in the
    layouts' metric CRS, EPSG:32647); `canal` the canal lines and `setback` the
    distance from them that `generate_layouts` was given. `parameters` (optional)
    names the inputs for the parameter table: ``plot_types`` (PlotType objects or
    "row=3.5x8" strings), ``main_lane_width``, ``lane_width``, ``setback``,
    ``common_share``, ``seed``, ``source`` (where the site came from); other keys
    are ignored, and what is missing is read off the layouts where it can be (the
    unit costs always are: each layout's metrics carry the ones it was costed with).
    `when` is the date printed (default: today in Bangkok). `lang="en"` puts
    English first.

``write_layout_pdf(layouts, site, out, **same keywords) -> Path``
    The same PDF written to `out`, whole or not at all.

``layout_html(layouts, site, **same keywords) -> str``
    The same sheets as one offline HTML page (fonts inline; for a print preview).

``layout_sheet_svg(layout, site, *, canal=None, setback=None, width_mm=250,
height_mm=220, numbers=True, furniture=True, scale_denominator=None,
id_prefix="layout") -> str``
    The map of one option as a standalone SVG (user unit = mm on paper, from
    EPSG:32647; turned like the PDF's, see ``data-turn-deg``), for a web page. The map itself carries Latin text only (plot
    numbers, "N", the scale): WeasyPrint sets SVG text glyph by glyph, which
    breaks Thai marks, so the legend is separate: see `legend_items`.

``legend_items(layouts, plot_types=()) -> list[dict]``
    What the maps' colours mean: ``{"key", "color", "th", "en"}`` per entry, in
    legend order (plot types included), for a web page to draw its own legend.

``plot_colors(layouts, plot_types=()) -> dict[str, str]``
    Plot type → fill colour; pass it as ``layout_sheet_svg(..., colors=...)`` so
    that every option of a run colours its plot types alike.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from markupsafe import Markup

from gis.catalog import STORAGE_CRS
from gis.layout import DEFAULT_PLOT_TYPES, DEFAULT_UNIT_COSTS, PlotType, setback_area
from gis.report.html import BANGKOK, FONT_STACK, english_date, font_css, template_env
from gis.report.mapsvg import (
    FONT_FAMILY,
    MapFrame,
    css_swatch,
    nice_scale_length,
    north_arrow_svg,
    scale_bar_svg,
    svg_number,
    svg_path_d,
)
from gis.thaidate import thai_date

__all__ = [
    "layout_html",
    "layout_pdf",
    "layout_sheet_svg",
    "legend_items",
    "plot_colors",
    "write_layout_pdf",
]

# Colours of the maps. Plot types take PLOT_COLORS in order of first appearance;
# none of them is green (common space) or grey (lanes, spare plots).
PLOT_COLORS = ("#F4A259", "#7FB3E0", "#D99BC4", "#E8D36B", "#C9A27E", "#9FA8DA")
COLORS = {
    "site": "#111111",
    "setback": "#D32F2F",
    "canal": "#1E88E5",
    "main": "#8D8D8D",
    "lane": "#BDBDBD",
    "lane_stroke": "#6D6D6D",
    "common": "#8BC34A",
    "common_stroke": "#2E7D32",
    "spare": "#E6E6E6",
    "spare_stroke": "#9E9E9E",
    "plot_stroke": "#4E342E",
    "access": "#C62828",
}
STRIP_MM = 14.0  # the band under a map for the scale bar and north arrow
NUMBER_MAX_MM = 3.0  # plot numbers: at most this tall (8.5 pt) ...
NUMBER_MIN_MM = 1.3  # ... and never under 3.7 pt; smaller plots go unnumbered

# Text of the sheets, Thai and English.
T: dict[str, dict[str, str]] = {
    "households": {"th": "ครัวเรือนที่มีแปลง", "en": "Households housed"},
    "of_needed": {"th": "จาก {n} ครัวเรือนที่ต้องการ", "en": "of {n} households needed"},
    "shortfall": {"th": "ขาดอีก {n} ครัวเรือน", "en": "{n} households do not fit"},
    "shortfall_one": {"th": "ขาดอีก 1 ครัวเรือน", "en": "1 household does not fit"},
    "all_housed": {"th": "ทุกครัวเรือนมีแปลง", "en": "Every household has a plot"},
    "plots_by_type": {"th": "จำนวนแปลงตามแบบบ้าน", "en": "Plots by house type"},
    "plot_area": {"th": "เนื้อที่แปลง ต่ำสุด / เฉลี่ย", "en": "Plot area, smallest / mean"},
    "lane_per_plot": {"th": "ความยาวซอยต่อแปลง", "en": "Lane length per plot"},
    "lane_total": {"th": "ความยาวซอยรวม", "en": "Total lane length"},
    "common": {"th": "พื้นที่ส่วนกลาง", "en": "Common space"},
    "site_used": {"th": "สัดส่วนที่ดินที่ใช้", "en": "Share of the site used"},
    "site_area": {"th": "เนื้อที่โครงการ", "en": "Site area"},
    "spare": {"th": "แปลงว่างสำรอง", "en": "Spare plots"},
    "loop": {"th": "ถนนวน (รถดับเพลิง)", "en": "Loop lane (fire engines)"},
    "cost": {"th": "ประมาณการค่าก่อสร้าง", "en": "Cost estimate"},
    "cost_item": {"th": "รายการ", "en": "Item"},
    "unit_cost": {"th": "ราคาต่อหน่วย", "en": "Unit cost"},
    "quantity": {"th": "ปริมาณ", "en": "Quantity"},
    "baht": {"th": "บาท", "en": "baht"},
    "cost_total": {"th": "รวม", "en": "Total"},
    "cost_per_household": {"th": "ต่อครัวเรือน", "en": "Per household"},
    "cost_note": {
        "th": "ราคาต่อหน่วยเป็นค่าสมมติเพื่อใช้เปรียบเทียบ ไม่ใช่ราคากลาง "
        "แก้เป็นตัวเลขของชุมชนเองได้ที่ “ค่าก่อสร้างต่อหน่วย” ในหน้าประชุมวางผัง",
        "en": "Unit costs are illustrative, for comparing options, not published rates; "
        "change them to the community's own figures under “Unit costs” on the workshop page.",
    },
    "parameters": {"th": "ค่าที่ใช้ออกแบบ", "en": "Parameters"},
    "plot_types": {"th": "แบบแปลง (กว้าง × ลึก)", "en": "Plot types (width × depth)"},
    "main_lane_width": {"th": "ความกว้างซอยหลัก", "en": "Main lane width"},
    "lane_width": {"th": "ความกว้างซอยย่อย", "en": "Lane width"},
    "setback": {"th": "ระยะถอยร่นจากแนวคลอง", "en": "Setback from the canal line"},
    "common_share": {
        "th": "พื้นที่ส่วนกลางอย่างน้อย (ของที่ดินทั้งแปลง)",
        "en": "Common space, at least (of the whole site)",
    },
    "of_site": {"th": "ของที่ดินทั้งแปลง", "en": "of the whole site"},
    "below_target": {
        "th": "น้อยกว่าที่ขอไว้ {pct}",
        "en": "below the {pct} asked for",
    },
    "seed": {"th": "ค่าสุ่ม (seed)", "en": "Random seed"},
    "source": {"th": "ที่มาของขอบเขตที่ดิน", "en": "Site boundary from"},
    "crs": {"th": "ระบบพิกัด", "en": "Coordinates"},
    "date": {"th": "วันที่", "en": "Date"},
    "scale": {"th": "มาตราส่วน", "en": "Scale"},
    "scale_note": {"th": "เมื่อพิมพ์บนกระดาษ A3", "en": "when printed on A3"},
    "site_id": {"th": "พื้นที่", "en": "Site"},
    "compare": {"th": "เปรียบเทียบทางเลือก", "en": "Comparing the options"},
    "compare_note": {
        "th": "แผนที่ทุกรูปใช้มาตราส่วนเดียวกัน ช่องสีเขียวคือค่าที่ดีที่สุดของแถวนั้น",
        "en": "All maps are at one scale; the green cell is the best value in its row.",
    },
    "best": {"th": "ดีที่สุด", "en": "best"},
    "yes": {"th": "มี", "en": "yes"},
    "no": {"th": "ไม่มี", "en": "no"},
    "page": {"th": "หน้า", "en": "Page"},
    "of": {"th": "/", "en": "of"},
    "legend": {"th": "คำอธิบายสัญลักษณ์", "en": "Legend"},
    "none": {"th": "ไม่มี", "en": "none"},
    "empty": {
        "th": "ทางเลือกนี้วางแปลงไม่ได้เลย (ที่ดินที่เหลือจากระยะถอยร่นเล็กเกินไป หรือไม่มีทางเข้า)",
        "en": "No plot fits in this option (too little land outside the setback, or no access).",
    },
}
LEGEND_TEXT = {
    "site": {"th": "ขอบเขตที่ดินโครงการ", "en": "Site boundary"},
    "setback": {"th": "ระยะถอยร่นจากคลอง (ห้ามสร้าง)", "en": "Canal setback (no building)"},
    "canal": {"th": "แนวคลอง", "en": "Canal line"},
    "main": {"th": "ซอยหลัก", "en": "Main lane"},
    "lane": {"th": "ซอยย่อย / ถนนวน", "en": "Lanes and loop lane"},
    "common": {"th": "พื้นที่ส่วนกลาง", "en": "Common space"},
    "spare": {"th": "แปลงว่างสำรอง", "en": "Spare plot (not needed)"},
    "access": {"th": "ทางเข้าจากถนน", "en": "Access from the road"},
    "number": {"th": "เลขแปลง", "en": "Plot number"},
}
COST_ITEMS = (
    ("main_lane", "main_lane_per_m", "m", {"th": "ซอยหลัก", "en": "Main lane"}),
    ("lanes", "lane_per_m", "m", {"th": "ซอยย่อย", "en": "Lanes"}),
    ("plots", "plot_services", "plot", {"th": "สาธารณูปโภคแปลง", "en": "Plot services"}),
    ("common_space", "common_space_per_m2", "m2", {"th": "พื้นที่ส่วนกลาง", "en": "Common space"}),
)
UNITS = {
    "m": {"th": "ม.", "en": "m"},
    "m2": {"th": "ตร.ม.", "en": "m²"},
    "plot": {"th": "แปลง", "en": "plots"},
    "per_m": {"th": "บาท/ม.", "en": "baht/m"},
    "per_m2": {"th": "บาท/ตร.ม.", "en": "baht/m²"},
    "per_plot": {"th": "บาท/แปลง", "en": "baht/plot"},
    "hh": {"th": "ครัวเรือน", "en": "households"},
}

# Page geometry (mm): A3 landscape.
PAGE_W, PAGE_H = 420.0, 297.0
MARGINS = {"top": 9.0, "right": 10.0, "bottom": 11.0, "left": 10.0}
OPTION_MAP = (250.0, 222.0)  # the option map, strip included
COMPARE_LABEL_W = 58.0  # the comparison table's label column
COMPARE_COLUMNS = 4  # options per comparison sheet
COMPARE_MAP_MAX_H = 118.0


# ------------------------------------------------------------------ public API


def layout_pdf(
    layouts,
    site,
    *,
    canal=None,
    setback: float | None = None,
    title_th: str,
    title_en: str,
    lang: str = "th",
    site_id: str = "",
    parameters: dict[str, Any] | None = None,
    when: date | datetime | None = None,
    progress=None,
) -> bytes:
    """The layouts as an A3 landscape PDF: see the module docstring. `progress(fraction,
    step)` hears of the sheets' drawing, the layout and the writing."""
    from gis.report.html import html_to_pdf

    if progress is not None:
        progress(0.0, "pdf.sheets")
    html = _render(
        layouts,
        site,
        print_mode=True,
        canal=canal,
        setback=setback,
        title_th=title_th,
        title_en=title_en,
        lang=lang,
        site_id=site_id,
        parameters=parameters,
        when=when,
    )
    # Self-contained: only data: URIs (the fonts) load.
    return html_to_pdf(html, progress=progress, start=0.4)


def write_layout_pdf(layouts, site, out, **kw) -> Path:
    """`layout_pdf` written to `out`; the file appears whole or not at all."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".pdf.part")
    os.close(fd)
    try:
        Path(tmp).write_bytes(layout_pdf(layouts, site, **kw))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def layout_html(layouts, site, **kw) -> str:
    """The same sheets as one offline HTML page (fonts inline, no URL loaded)."""
    return _render(layouts, site, print_mode=False, **kw)


def layout_sheet_svg(
    layout,
    site,
    *,
    canal=None,
    setback=None,
    width_mm: float = 250.0,
    height_mm: float = 220.0,
    numbers: bool = True,
    furniture: bool = True,
    scale_denominator: float | None = None,
    colors: dict[str, str] | None = None,
    lang: str = "th",
    id_prefix: str = "layout",
) -> str:
    """The map of one option as SVG, `width_mm` × `height_mm` on paper (the scale
    bar and north arrow in a strip at the bottom when `furniture`)."""
    return _layout_map(
        layout,
        site,
        exclusion=_exclusion_of(canal, setback),
        canal_lines=_lines(canal),
        width_mm=width_mm,
        height_mm=height_mm,
        numbers=numbers,
        furniture=furniture,
        denominator=scale_denominator,
        colors=colors or plot_colors([layout]),
        lang=lang,
        pid=id_prefix,
    ).svg


def plot_colors(layouts, plot_types=()) -> dict[str, str]:
    """Plot type name → fill colour, stable across the options of one run."""
    names: list[str] = [t.name for t in plot_types]
    for lay in layouts:
        for name in lay.plots["plot_type"].astype(str):
            if name not in names:
                names.append(name)
    return {n: PLOT_COLORS[i % len(PLOT_COLORS)] for i, n in enumerate(names)}


def legend_items(layouts, plot_types=()) -> list[dict[str, str]]:
    """The legend of the maps: key, colour and both languages' labels, in order."""
    colors = plot_colors(layouts, plot_types)
    sizes = _type_sizes(layouts, plot_types)
    items = [
        {"key": "site", "color": COLORS["site"], **LEGEND_TEXT["site"]},
        {"key": "setback", "color": COLORS["setback"], **LEGEND_TEXT["setback"]},
        {"key": "canal", "color": COLORS["canal"], **LEGEND_TEXT["canal"]},
        {"key": "main", "color": COLORS["main"], **LEGEND_TEXT["main"]},
        {"key": "lane", "color": COLORS["lane"], **LEGEND_TEXT["lane"]},
    ]
    for name, color in colors.items():
        w, d = sizes.get(name, (None, None))
        items.append({"key": f"plot:{name}", "color": color, **_type_label(name, w, d)})
    items += [
        {"key": "common", "color": COLORS["common"], **LEGEND_TEXT["common"]},
        {"key": "spare", "color": COLORS["spare"], **LEGEND_TEXT["spare"]},
        {"key": "access", "color": COLORS["access"], **LEGEND_TEXT["access"]},
    ]
    return items


# ------------------------------------------------------------------- the maps


@dataclass
class _Map:
    svg: str
    denominator: float


_DENOMS = [m * 10**e for e in range(1, 6) for m in (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5)]
ROTATE_GAIN = 1.2  # turn the map off north-up only if that prints it 20 % larger


@dataclass
class _View:
    """World (EPSG:32647 metres) to paper (mm): a turn of `turn_deg` anticlockwise
    about `origin` (0 for north up), then a frame at a round scale."""

    frame: MapFrame
    turn_deg: float = 0.0
    origin: tuple[float, float] = (0.0, 0.0)

    @property
    def s(self) -> float:
        return self.frame.s

    @property
    def denominator(self) -> float:
        return 1000.0 / self.frame.s

    def _turn(self, xy: np.ndarray) -> np.ndarray:
        if not self.turn_deg:
            return xy
        t = math.radians(self.turn_deg)
        c, s = math.cos(t), math.sin(t)
        ox, oy = self.origin
        x, y = xy[:, 0] - ox, xy[:, 1] - oy
        return np.column_stack([ox + c * x - s * y, oy + s * x + c * y])

    def points(self, xy) -> np.ndarray:
        return self.frame.to_paper(self._turn(np.asarray(xy, dtype="float64").reshape(-1, 2)))

    def direction(self, dx: float, dy: float) -> tuple[float, float]:
        """A world direction as a unit vector on paper (y down)."""
        t = math.radians(self.turn_deg)
        x, y = dx * math.cos(t) - dy * math.sin(t), dx * math.sin(t) + dy * math.cos(t)
        n = math.hypot(x, y) or 1.0
        return x / n, -y / n

    def clip(self, geoms):
        """Polygons or lines in paper mm, cut to the frame."""
        geoms = np.asarray(geoms, dtype=object)
        if self.turn_deg:
            geoms = shapely.transform(geoms, self._turn)
        return self.frame.clip(geoms)[0]


def _fit_view(site, w: float, h: float, *, anchors=(), denominator=None, turn_deg=None) -> _View:
    """The view of `site` in `w` × `h` mm at the largest round scale (1:500, 1:750 …)
    that holds it and the access arrows (`anchors`: access point and inward direction,
    in world metres), so the printed scale can be stated exactly; turned to lay a
    long, slanting site along the paper when that prints it much larger."""
    origin = tuple(site.centroid.coords[0]) if not site.is_empty else (0.0, 0.0)
    if turn_deg is None:
        turn_deg = 0.0
        best = _fit(site, anchors, 0.0, origin, w, h)[0]
        for cand in _turn_candidates(site):
            need = _fit(site, anchors, cand, origin, w, h)[0]
            if need * ROTATE_GAIN <= best:
                best, turn_deg = need, cand
    denominator, (x0, y0, x1, y1) = _fit(site, anchors, turn_deg, origin, w, h, denominator)
    s = 1000.0 / denominator
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hw, hh = w / s / 2, h / s / 2
    return _View(MapFrame(cx - hw, cy - hh, cx + hw, cy + hh, s, w, h), turn_deg, origin)


def _turned(geom, view: _View):
    return shapely.transform(geom, view._turn) if view.turn_deg else geom


def _arrow_mm(w: float, h: float = 0.0) -> float:
    """Length of the access arrow on a map `w` mm wide."""
    del h  # by width alone, so a map and its frame agree whatever its height
    return min(9.0, max(4.0, 0.07 * w))


def _fit(site, anchors, turn_deg, origin, w, h, denominator=None):
    """(denominator, extent in turned metres): the largest round scale at which the
    site, a little ground round it and the access arrows fit in `w` × `h` mm (or the
    extent at the `denominator` given)."""
    probe = _View(MapFrame(0, 0, 1, 1, 1.0, w, h), turn_deg, origin)
    x0, y0, x1, y1 = (float(v) for v in shapely.bounds(_turned(site, probe)))
    if not all(map(math.isfinite, (x0, y0, x1, y1))) or x1 <= x0 or y1 <= y0:
        x0, y0, x1, y1 = 0.0, 0.0, 1.0, 1.0
    pad_m = max(2.0, 0.02 * max(x1 - x0, y1 - y0))
    tails = []
    for px, py, dx, dy in anchors:
        ((tx, ty),) = probe._turn(np.array([[px, py]]))
        t = math.radians(turn_deg)
        ux, uy = dx * math.cos(t) - dy * math.sin(t), dx * math.sin(t) + dy * math.cos(t)
        tails.append((tx, ty, ux, uy))
    arrow = _arrow_mm(w, h) + 1.0
    margin = 1.5  # mm of paper kept free at the frame

    def extent(d):
        m = pad_m
        ex = [x0 - m, y0 - m, x1 + m, y1 + m]
        for tx, ty, ux, uy in tails:
            k = arrow * d / 1000.0
            ex = [
                min(ex[0], tx - ux * k),
                min(ex[1], ty - uy * k),
                max(ex[2], tx - ux * k),
                max(ex[3], ty - uy * k),
            ]
        return ex

    def fits(d):
        ex = extent(d)
        s = 1000.0 / d
        return (ex[2] - ex[0]) * s + 2 * margin <= w and (ex[3] - ex[1]) * s + 2 * margin <= h

    if denominator is None:
        denominator = next((d for d in _DENOMS if fits(d)), None)
        if denominator is None:  # larger than any round scale: fit it exactly
            ex = extent(_DENOMS[-1])
            denominator = max(
                (ex[2] - ex[0]) * 1000.0 / max(w - 2 * margin, 1.0),
                (ex[3] - ex[1]) * 1000.0 / max(h - 2 * margin, 1.0),
            )
    return denominator, tuple(extent(denominator))


def _anchors(layouts) -> list[tuple[float, float, float, float]]:
    """Access point and the main lane's direction (world) of each layout."""
    out = []
    for lay in layouts:
        p = (lay.pattern or {}).get("access_point")
        if p is not None:
            a = math.radians(lay.angle_deg)
            out.append((float(p[0]), float(p[1]), -math.sin(a), math.cos(a)))
    return out


def _turn_candidates(site) -> list[float]:
    """Turns (degrees, within ±90 so north stays on the upper side) that lay the
    site's long side along the paper or up it."""
    if site.is_empty:
        return []
    rect = shapely.get_coordinates(shapely.minimum_rotated_rectangle(site))
    if len(rect) < 3:
        return []
    e1, e2 = rect[1] - rect[0], rect[2] - rect[1]
    e = e1 if np.hypot(*e1) >= np.hypot(*e2) else e2
    along = -math.degrees(math.atan2(e[1], e[0]))  # long side horizontal
    out = []
    for t in (along, along + 90.0):
        t = (t + 90.0) % 180.0 - 90.0
        if abs(t) > 1.0:
            out.append(round(t, 2))
    return out


def _lines(canal) -> list:
    if canal is None:
        return []
    geoms = getattr(canal, "geometry", canal)
    if hasattr(geoms, "geom_type") and not hasattr(geoms, "values"):
        geoms = [geoms]
    return [g for g in list(geoms) if g is not None and not g.is_empty]


def _exclusion_of(canal, setback):
    lines = _lines(canal)
    if not lines or not setback:
        return None
    return setback_area(lines, float(setback))


def _hatch(pid: str) -> str:
    c = COLORS["setback"]
    return (
        f'<pattern id="{pid}-hatch" patternUnits="userSpaceOnUse" width="1.6" height="1.6" '
        f'patternTransform="rotate(45)"><rect width="1.6" height="1.6" fill="#FDECEC"/>'
        f'<line x1="0" y1="0.4" x2="1.6" y2="0.4" stroke="{c}" stroke-width="0.35"/></pattern>'
    )


def _layout_map(
    layout,
    site,
    *,
    exclusion,
    canal_lines,
    width_mm,
    height_mm,
    numbers,
    furniture,
    colors,
    lang,
    pid,
    view: _View | None = None,
    denominator=None,
) -> _Map:
    W, H = float(width_mm), float(height_mm)
    mh = H - (STRIP_MM if furniture else 0.0)
    view = view or _fit_view(site, W, mh, anchors=_anchors([layout]), denominator=denominator)
    pid = escape(pid, quote=True)
    s = view.s
    body: list[str] = []

    def paths(geoms):
        geoms = np.asarray(list(geoms), dtype=object)
        return svg_path_d(view.clip(geoms)) if len(geoms) else ""

    # Site ground, then the setback over it, hatched.
    site_d = paths([site])
    body.append(f'<path d="{site_d}" fill="#FBFAF6" stroke="none"/>')
    if exclusion is not None:
        d = paths([exclusion])
        if d:
            body.append(
                f'<path class="setback" d="{d}" fill="url(#{pid}-hatch)" fill-rule="evenodd" '
                f'stroke="{COLORS["setback"]}" stroke-width="0.3" stroke-dasharray="1.6 0.8"/>'
            )
    if canal_lines:
        d = _lines_d(view.clip(canal_lines))
        if d:
            body.append(
                f'<path class="canal" d="{d}" fill="none" stroke="{COLORS["canal"]}" '
                f'stroke-width="0.9" stroke-linecap="round" stroke-linejoin="round"/>'
            )
    lanes = layout.lanes
    if len(lanes):
        kinds = lanes["kind"].astype(str).to_numpy()
        geoms = lanes.geometry.values
        for kind, fill in (("main", COLORS["main"]), ("other", COLORS["lane"])):
            d = paths(geoms[kinds == "main" if kind == "main" else kinds != "main"])
            if d:
                body.append(
                    f'<path class="lanes lanes-{kind}" d="{d}" fill="{fill}" '
                    f'stroke="{COLORS["lane_stroke"]}" stroke-width="0.12" stroke-linejoin="round"/>'
                )
    spaces = layout.open_space
    if len(spaces):
        kinds = spaces["kind"].astype(str).to_numpy()
        geoms = spaces.geometry.values
        d = paths(geoms[kinds == "spare"])
        if d:
            body.append(
                f'<path class="spare" d="{d}" fill="{COLORS["spare"]}" '
                f'stroke="{COLORS["spare_stroke"]}" stroke-width="0.12" stroke-dasharray="0.6 0.4"/>'
            )
        d = paths(geoms[kinds == "common"])
        if d:
            body.append(
                f'<path class="common" d="{d}" fill="{COLORS["common"]}" fill-opacity="0.75" '
                f'stroke="{COLORS["common_stroke"]}" stroke-width="0.25"/>'
            )
    plots = layout.plots
    if len(plots):
        types = plots["plot_type"].astype(str).to_numpy()
        geoms = plots.geometry.values
        for name in dict.fromkeys(types):
            fill = escape(colors.get(name, "#CCCCCC"), quote=True)
            body.append(
                f'<path class="plots" data-type="{escape(name, quote=True)}" '
                f'd="{paths(geoms[types == name])}" fill="{fill}" '
                f'stroke="{COLORS["plot_stroke"]}" stroke-width="0.13" stroke-linejoin="round"/>'
            )
    body.append(
        f'<path class="site" d="{site_d}" fill="none" stroke="{COLORS["site"]}" '
        f'stroke-width="0.55" stroke-linejoin="round"/>'
    )
    if numbers and len(plots):
        body.append(_plot_numbers(plots, view))
    access = (layout.pattern or {}).get("access_point")
    if access is not None:
        body.append(_access_marker(access, layout.angle_deg, view, _arrow_mm(W, mh)))

    furniture_svg = ""
    denom = view.denominator
    if furniture:
        scale_m = nice_scale_length(0.22 * W / s)
        bar_w = scale_m * s + 10.0
        bar_svg, _ = scale_bar_svg((1.0, mh + 3.0, 1.0 + bar_w, mh + 11.5), scale_m, s, lang)
        arrow_svg, _ = north_arrow_svg((W - 9.0, mh + 1.0, W - 1.0, mh + 13.5))
        if view.turn_deg:
            # North on paper: the arrow turns with the map.
            arrow_svg = (
                f'<g transform="rotate({-view.turn_deg:.2f},{W - 5.0:.2f},{mh + 7.25:.2f})">'
                f"{arrow_svg}</g>"
            )
        furniture_svg = (
            f"{bar_svg}{arrow_svg}"
            f'<text class="scale-text" x="{bar_w + 5:.2f}" y="{mh + 9.6:.2f}" font-size="3.2" '
            f'font-weight="700" fill="#111111">1:{denom:,.0f}</text>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="layout-map" width="{svg_number(W)}mm" '
        f'height="{svg_number(H)}mm" viewBox="0 0 {svg_number(W)} {svg_number(H)}" role="img" '
        f'font-family="{FONT_FAMILY}" data-option="{int(layout.option)}" '
        f'data-scale="1:{denom:.0f}" data-mm-per-m="{s:.6g}" data-crs="{STORAGE_CRS}" '
        f'data-turn-deg="{view.turn_deg:g}">'
        f'<defs><clipPath id="{pid}-clip"><rect width="{svg_number(W)}" height="{svg_number(mh)}"/></clipPath>'
        f"{_hatch(pid)}</defs>"
        f'<rect width="{svg_number(W)}" height="{svg_number(H)}" fill="#ffffff"/>'
        f'<g clip-path="url(#{pid}-clip)">{"".join(body)}</g>'
        f'<rect width="{svg_number(W)}" height="{svg_number(mh)}" fill="none" stroke="#333333" '
        f'stroke-width="0.3"/>{furniture_svg}</svg>'
    )
    return _Map(svg, denom)


def _lines_d(geoms) -> str:
    parts = []
    for g in shapely.get_parts(np.asarray(geoms, dtype=object)):
        if g.is_empty:
            continue
        rings = [g] if g.geom_type == "LineString" else []
        if g.geom_type == "Polygon":
            rings = [g.exterior, *g.interiors]
        for r in rings:
            c = shapely.get_coordinates(r)
            if len(c) >= 2:
                parts.append("M" + " ".join(f"{x:.2f},{y:.2f}" for x, y in c))
    return "".join(parts)


def _plot_numbers(plots, view: _View) -> str:
    """Every plot's number at its centre, one type size for the whole map (as large as
    the tightest plot allows, capped), each along the plot side that takes it best;
    upright or reading upwards, never upside down."""
    geoms = plots.geometry.values
    nos = plots["plot_no"].astype(int).to_numpy()
    if not len(nos):
        return ""
    n = len(str(int(nos.max())))
    char = 0.58  # Sarabun digit advance, em
    centres = view.points(shapely.get_coordinates(shapely.centroid(geoms)))
    rects = shapely.minimum_rotated_rectangle(geoms)
    picks = []
    for g in rects:
        c = view.points(shapely.get_coordinates(g))
        if len(c) < 4:
            picks.append((0.0, 0.0))
            continue
        e1, e2 = c[1] - c[0], c[2] - c[1]
        l1, l2 = float(np.hypot(*e1)), float(np.hypot(*e2))
        cands = []
        for along, length, across in ((e1, l1, l2), (e2, l2, l1)):
            fs = min(0.82 * length / (char * n), 0.62 * across, NUMBER_MAX_MM)
            a = math.degrees(math.atan2(along[1], along[0]))
            a = (a + 90.0) % 180.0 - 90.0  # [-90, 90): upright, or reading upwards
            cands.append((fs, a))
        # The larger type; of two about as large, the more nearly horizontal.
        picks.append(max(cands, key=lambda c: (round(c[0] / 0.15), -abs(c[1]))))
    fits = np.array([p[0] for p in picks])
    fs = float(np.clip(np.percentile(fits, 5), NUMBER_MIN_MM, NUMBER_MAX_MM))
    out = []
    y = f"{0.34 * fs:.2f}"  # centres the digits on the plot
    for no, (cx, cy), (_, a) in zip(nos, centres, picks, strict=True):
        rot = f" rotate({a:.1f})" if abs(a) > 0.05 else ""
        out.append(f'<text transform="translate({cx:.2f},{cy:.2f}){rot}" y="{y}">{no}</text>')
    return (
        f'<g class="plot-numbers" text-anchor="middle" font-weight="700" fill="#1A1A1A" '
        f'font-size="{fs:.2f}">{"".join(out)}</g>'
    )


def _access_marker(access, angle_deg: float, view: _View, length: float = 9.0) -> str:
    """An arrow from outside the site pointing in along the main lane, and a dot."""
    px, py = view.points([[float(access[0]), float(access[1])]])[0]
    a = math.radians(angle_deg)
    dx, dy = view.direction(-math.sin(a), math.cos(a))  # the main lane, on paper
    tail = (px - length * dx, py - length * dy)
    head = (px - 1.4 * dx, py - 1.4 * dy)
    nx, ny = -dy, dx
    base = (head[0] - 3.0 * dx, head[1] - 3.0 * dy)
    tri = [head, (base[0] + 1.6 * nx, base[1] + 1.6 * ny), (base[0] - 1.6 * nx, base[1] - 1.6 * ny)]
    c = COLORS["access"]
    return (
        f'<g class="access"><line x1="{tail[0]:.2f}" y1="{tail[1]:.2f}" x2="{base[0]:.2f}" '
        f'y2="{base[1]:.2f}" stroke="#ffffff" stroke-width="1.6" stroke-linecap="round"/>'
        f'<line x1="{tail[0]:.2f}" y1="{tail[1]:.2f}" x2="{base[0]:.2f}" y2="{base[1]:.2f}" '
        f'stroke="{c}" stroke-width="0.8" stroke-linecap="round"/>'
        f'<path d="M{" ".join(f"{x:.2f},{y:.2f}" for x, y in tri)}Z" fill="{c}" '
        f'stroke="#ffffff" stroke-width="0.3" stroke-linejoin="round"/>'
        f'<circle cx="{px:.2f}" cy="{py:.2f}" r="1.1" fill="{c}" stroke="#ffffff" '
        f'stroke-width="0.35"/></g>'
    )


# --------------------------------------------------------------- the sheets


def _render(
    layouts,
    site,
    *,
    canal=None,
    setback=None,
    title_th: str,
    title_en: str,
    lang: str = "th",
    site_id: str = "",
    parameters: dict[str, Any] | None = None,
    when: date | datetime | None = None,
    print_mode: bool,
) -> str:
    if lang not in ("th", "en"):
        raise ValueError(f"lang must be 'th' or 'en', not {lang!r}")
    if not layouts:
        raise ValueError("no layouts to print")
    ctx = sheet_context(
        layouts,
        site,
        canal=canal,
        setback=setback,
        title_th=title_th,
        title_en=title_en,
        lang=lang,
        site_id=site_id,
        parameters=parameters,
        when=when,
        print_mode=print_mode,
    )
    return template_env().get_template("layout.html.j2").render(**ctx)


def sheet_context(
    layouts,
    site,
    *,
    canal=None,
    setback=None,
    title_th: str,
    title_en: str,
    lang: str = "th",
    site_id: str = "",
    parameters: dict[str, Any] | None = None,
    when: date | datetime | None = None,
    print_mode: bool = True,
) -> dict[str, Any]:
    """Everything the template shows, as plain values (escaped by the template)."""
    params = dict(parameters or {})
    plot_types = tuple(_as_plot_type(t) for t in params.get("plot_types") or ())
    colors = plot_colors(layouts, plot_types)
    exclusion = _exclusion_of(canal, setback)
    canal_lines = _lines(canal)
    when = when or datetime.now(BANGKOK).date()
    other = "en" if lang == "th" else "th"
    options = []
    for lay in layouts:
        m = _layout_map(
            lay,
            site,
            exclusion=exclusion,
            canal_lines=canal_lines,
            width_mm=OPTION_MAP[0],
            height_mm=OPTION_MAP[1],
            numbers=True,
            furniture=True,
            colors=colors,
            lang=lang,
            pid=f"opt{lay.option}",
        )
        options.append(_option_context(lay, m, lang))
    compare = _compare_context(layouts, site, exclusion, canal_lines, colors, lang)
    legend = [
        {**item, "swatch": Markup(_legend_swatch(item["key"], item["color"]))}
        for item in legend_items(layouts, plot_types=plot_types)
    ]
    legend.append({"key": "number", "swatch": Markup(_number_swatch()), **LEGEND_TEXT["number"]})
    return {
        "lang": lang,
        "other": other,
        "T": T,
        "print_mode": print_mode,
        "font_css": Markup(font_css(print_mode)),
        "font_stack": Markup(FONT_STACK),
        "margins": MARGINS,
        "title": {"th": title_th, "en": title_en},
        "site_id": site_id,
        "date": {"th": thai_date(when), "en": english_date(when)},
        "options": options,
        "compare": compare,
        "legend": legend,
        "parameters": _parameter_rows(layouts, params, setback, plot_types, lang),
        "map_w": OPTION_MAP[0],
    }


def _option_context(lay, m: _Map, lang: str) -> dict[str, Any]:
    mt = lay.metrics
    needed, housed = int(mt["households_needed"]), int(mt["households_housed"])
    short = int(mt["shortfall"])
    if short == 1:
        short_text = dict(T["shortfall_one"])
    elif short:
        short_text = {k: v.format(n=f"{short:,}") for k, v in T["shortfall"].items()}
    else:
        short_text = dict(T["all_housed"])
    spare = int((lay.open_space["kind"] == "spare").sum()) if len(lay.open_space) else 0
    sizes = _type_sizes([lay])
    by_type = [
        {"label": _type_label(name, *sizes.get(name, (None, None))), "n": int(n)}
        for name, n in (mt.get("plots_by_type") or {}).items()
    ]
    u = {k: UNITS[k][lang] for k in UNITS}
    rows = [
        {
            "label": T["plot_area"],
            "value": f"{_num(mt['plot_area_min_m2'], 1)} / {_num(mt['plot_area_mean_m2'], 1)} "
            f"{u['m2']}",
        },
        {"label": T["lane_per_plot"], "value": f"{_num(mt['lane_length_per_plot_m'], 1)} {u['m']}"},
        {"label": T["lane_total"], "value": f"{_num(mt['lane_length_m'])} {u['m']}"},
        {
            "label": T["common"],
            "value": _common_value(mt, u, lang),
        },
        {"label": T["site_used"], "value": _pct(mt["site_used_share"])},
        {"label": T["spare"], "value": f"{spare:,}"},
        {
            "label": T["loop"],
            "value": T["yes" if (lay.pattern or {}).get("loop") else "no"][lang],
        },
    ]
    costs = mt.get("cost_baht") or {}
    unit_costs = {**DEFAULT_UNIT_COSTS, **(mt.get("unit_costs") or {})}
    quantities = {
        "main_lane": _lane_length(lay, main=True),
        "lanes": _lane_length(lay, main=False),
        "plots": housed,
        "common_space": mt["common_space_m2"],
    }
    unit_word = {"m": "per_m", "m2": "per_m2", "plot": "per_plot"}
    cost_rows = [
        {
            "label": label,
            "unit_cost": f"{_num(unit_costs.get(key))} {u[unit_word[unit]]}",
            "quantity": f"{_num(quantities[item], 0)} {u[unit]}",
            "baht": _num(costs.get(item)),
        }
        for item, key, unit, label in COST_ITEMS
    ]
    per_hh = mt.get("cost_per_household_baht")
    return {
        "option": lay.option,
        "name": lay.name,
        "map_svg": Markup(m.svg),
        "scale": f"1:{m.denominator:,.0f}",
        "needed": needed,
        "housed": housed,
        "shortfall": short,
        "short_text": short_text,
        "empty": housed == 0,
        "by_type": by_type,
        "rows": rows,
        "cost_rows": cost_rows,
        "cost_total": _num(costs.get("total")),
        "cost_per_household": _num(per_hh) if per_hh is not None else "–",
    }


def _lane_length(lay, *, main: bool) -> float:
    lanes = lay.lanes
    if not len(lanes):
        return 0.0
    pick = lanes["kind"] == "main" if main else lanes["kind"] != "main"
    return float(lanes.loc[pick, "length_m"].sum())


# Rows of the comparison table: (key, label, value(metrics, layout), better).
def _compare_rows(layouts, lang: str) -> list[dict[str, Any]]:
    u = {k: UNITS[k][lang] for k in UNITS}

    def spare(lay):
        return int((lay.open_space["kind"] == "spare").sum()) if len(lay.open_space) else 0

    specs = [
        ("housed", T["households"], lambda m, lay: m["households_housed"], "max", _int_fmt),
        (
            "shortfall",
            {"th": "ครัวเรือนที่ยังไม่มีแปลง", "en": "Households without a plot"},
            lambda m, lay: m["shortfall"],
            "min",
            _int_fmt,
        ),
        (
            "by_type",
            T["plots_by_type"],
            lambda m, lay: (
                ", ".join(
                    f"{_type_label(str(k), None, None)[lang]} {v}"
                    for k, v in (m.get("plots_by_type") or {}).items()
                )
                or "–"
            ),
            None,
            str,
        ),
        (
            "plot_mean",
            {"th": "เนื้อที่แปลงเฉลี่ย", "en": "Mean plot area"},
            lambda m, lay: m["plot_area_mean_m2"],
            "max",
            lambda v: f"{_num(v, 1)} {u['m2']}",
        ),
        (
            "lane_per_plot",
            T["lane_per_plot"],
            lambda m, lay: m["lane_length_per_plot_m"] if m["households_housed"] else None,
            "min",
            lambda v: f"{_num(v, 1)} {u['m']}",
        ),
        (
            "common",
            {
                "th": "สัดส่วนพื้นที่ส่วนกลาง (ของที่ดินทั้งแปลง)",
                "en": "Common space (share of the whole site)",
            },
            lambda m, lay: m["common_space_share"],
            None,
            _pct,
        ),
        ("site_used", T["site_used"], lambda m, lay: m["site_used_share"], None, _pct),
        ("spare", T["spare"], lambda m, lay: spare(lay), None, _int_fmt),
        (
            "loop",
            T["loop"],
            lambda m, lay: T["yes" if (lay.pattern or {}).get("loop") else "no"][lang],
            None,
            str,
        ),
        (
            "cost_total",
            {"th": "ค่าก่อสร้างรวม (บาท)", "en": "Total cost (baht)"},
            lambda m, lay: (m.get("cost_baht") or {}).get("total"),
            None,  # cheaper in total may only mean fewer households housed
            _num,
        ),
        (
            "cost_hh",
            {"th": "ค่าก่อสร้างต่อครัวเรือน (บาท)", "en": "Cost per household (baht)"},
            lambda m, lay: m.get("cost_per_household_baht"),
            "min",
            _num,
        ),
    ]
    rows = []
    for key, label, get, better, fmt in specs:
        values = [get(lay.metrics, lay) for lay in layouts]
        best: set[int] = set()
        numeric = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
        if better and len(numeric) > 1 and max(numeric) - min(numeric) > 1e-9:
            target = max(numeric) if better == "max" else min(numeric)
            best = {i for i, v in enumerate(values) if v is not None and abs(v - target) <= 1e-9}
        # Every household housed is the first thing that matters: mark it even if tied.
        if key == "shortfall" and any(v == 0 for v in values):
            best = {i for i, v in enumerate(values) if v == 0}
        rows.append(
            {
                "key": key,
                "label": label,
                "cells": [
                    {"text": "–" if v is None else fmt(v), "best": i in best}
                    for i, v in enumerate(values)
                ],
            }
        )
    return rows


def _compare_context(layouts, site, exclusion, canal_lines, colors, lang) -> dict[str, Any]:
    """Small maps of up to four options a sheet, all at one round scale, over their
    key metrics (best of each row marked across all options)."""
    k = len(layouts)
    cols = min(k, COMPARE_COLUMNS)
    avail_w = PAGE_W - MARGINS["left"] - MARGINS["right"] - COMPARE_LABEL_W
    map_w = avail_w / cols - 3.0
    # One view for every small map: the largest round scale at which the site fits;
    # the maps are then only as tall as the site needs at that scale.
    anchors = _anchors(layouts)
    view = _fit_view(site, map_w, COMPARE_MAP_MAX_H - STRIP_MM, anchors=anchors)
    _, (x0, y0, x1, y1) = _fit(
        site, anchors, view.turn_deg, view.origin, map_w, 100.0, view.denominator
    )
    map_h = min(COMPARE_MAP_MAX_H, (y1 - y0) * view.s + STRIP_MM + 3.0)
    view = _fit_view(
        site,
        map_w,
        map_h - STRIP_MM,
        anchors=anchors,
        denominator=view.denominator,
        turn_deg=view.turn_deg,
    )
    denom = view.denominator
    maps = [
        _layout_map(
            lay,
            site,
            exclusion=exclusion,
            canal_lines=canal_lines,
            width_mm=map_w,
            height_mm=map_h,
            numbers=False,
            furniture=True,
            colors=colors,
            lang=lang,
            pid=f"cmp{lay.option}",
            view=view,
        )
        for lay in layouts
    ]
    rows = _compare_rows(layouts, lang)
    groups = [list(range(i, min(i + cols, k))) for i in range(0, k, cols)]
    return {
        "groups": [
            {
                "options": [
                    {
                        "option": layouts[i].option,
                        "name": layouts[i].name,
                        "map_svg": Markup(maps[i].svg),
                    }
                    for i in g
                ],
                "rows": [{**row, "cells": [row["cells"][i] for i in g]} for row in rows],
            }
            for g in groups
        ],
        "scale": f"1:{denom:,.0f}",
        "label_w": COMPARE_LABEL_W,
    }


def _parameter_rows(layouts, params, setback, plot_types, lang) -> list[dict[str, Any]]:
    u = {k: UNITS[k][lang] for k in UNITS}
    sizes = _type_sizes(layouts, plot_types)
    # The house types in words with their sizes, not their codes ("row", "twin").
    types = [_type_label(name, w, d)[lang] for name, (w, d) in sizes.items() if w] or ["–"]
    lanes = [lay.lanes for lay in layouts if len(lay.lanes)]
    main_w = params.get("main_lane_width")
    lane_w = params.get("lane_width")
    if main_w is None and lanes:
        mains = [float(la.loc[la["kind"] == "main", "width_m"].max()) for la in lanes]
        main_w = max(v for v in mains if math.isfinite(v)) if mains else None
    if lane_w is None and lanes:
        others = [la.loc[la["kind"] != "main", "width_m"] for la in lanes]
        vals = [float(v.min()) for v in others if len(v)]
        lane_w = min(vals) if vals else None
    sb = params.get("setback", setback)
    areas = [lay.metrics.get("site_area_m2") for lay in layouts]
    rows = [
        {"label": T["site_area"], "value": f"{_num(areas[0])} {u['m2']}"},
        {"label": T["plot_types"], "value": "; ".join(types)},
        {"label": T["main_lane_width"], "value": _len(main_w, u)},
        {"label": T["lane_width"], "value": _len(lane_w, u)},
        {"label": T["setback"], "value": _len(sb, u) if sb else T["none"][lang]},
        {
            "label": T["common_share"],
            "value": _pct(_asked_common_share(layouts, params)),
        },
        {"label": T["seed"], "value": str(params.get("seed", "–"))},
        {"label": T["crs"], "value": "EPSG:32647 (UTM 47N)"},
    ]
    if params.get("source"):
        rows.append({"label": T["source"], "value": str(params["source"])})
    return rows


# ------------------------------------------------------------------- helpers


def _as_plot_type(t) -> PlotType:
    if isinstance(t, PlotType):
        return t
    from gis.layout import parse_plot_type

    return parse_plot_type(str(t))


def _type_sizes(layouts, plot_types=()) -> dict[str, tuple[float | None, float | None]]:
    """Plot type name → (width, depth) in metres, from the given types or the plots."""
    sizes: dict[str, tuple[float | None, float | None]] = {
        t.name: (t.width, t.depth) for t in plot_types
    }
    for lay in layouts:
        p = lay.plots
        if not len(p) or "width_m" not in p or "depth_m" not in p:
            continue
        for name, grp in p.groupby("plot_type"):
            sizes.setdefault(
                str(name), (float(grp["width_m"].iloc[0]), float(grp["depth_m"].iloc[0]))
            )
    return sizes


def _type_label(name: str, width: float | None, depth: float | None) -> dict[str, str]:
    """'บ้านแถว 3.5 × 8 ม.' / 'Row house 3.5 × 8 m' for the default names, else the
    name with the size."""
    known = {t.name: t for t in DEFAULT_PLOT_TYPES}.get(name)
    th_word = known.label_th.split(" ")[0] if known else name
    en_word = known.label_en.rsplit(" ", 4)[0] if known else name
    if width is None or depth is None:
        return {"th": th_word, "en": en_word}
    return {"th": f"{th_word} {width:g} × {depth:g} ม.", "en": f"{en_word} {width:g} × {depth:g} m"}


def _legend_swatch(key: str, color: str) -> str:
    if key == "setback":
        return css_swatch("#FDECEC", stroke=color, stroke_w=0.25, hatch=color)
    if key == "site":
        return css_swatch("#FBFAF6", stroke=color, stroke_w=0.5)
    if key == "canal":
        style = f"width:5mm;height:0;border-top:0.9mm solid {color};vertical-align:0.6mm"
        return f'<span class="swatch swatch-line" style="{escape(style, quote=True)}"></span>'
    if key == "access":
        return css_swatch(color, shape="circle", stroke="#ffffff")
    if key in ("main", "lane"):
        return css_swatch(color, stroke=COLORS["lane_stroke"], stroke_w=0.15)
    if key == "common":
        return css_swatch(color, 0.75, stroke=COLORS["common_stroke"], stroke_w=0.25)
    if key == "spare":
        return css_swatch(color, stroke=COLORS["spare_stroke"], stroke_w=0.15)
    return css_swatch(color, stroke=COLORS["plot_stroke"], stroke_w=0.15)


def _number_swatch() -> str:
    return '<span class="swatch swatch-number">12</span>'


def _num(value, digits: int = 0) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(v):
        return "–"
    return f"{v:,.{digits}f}"


def _int_fmt(value) -> str:
    return _num(value, 0)


def _common_value(mt: dict, u: dict, lang: str) -> str:
    """'1,020 m² (10.2 % of the whole site)', and what was asked if it fell short."""
    text = (
        f"{_num(mt['common_space_m2'])} {u['m2']} "
        f"({_pct(mt['common_space_share'])} {T['of_site'][lang]})"
    )
    if mt.get("common_space_below_target"):
        text += " · " + T["below_target"][lang].format(pct=_pct(mt["common_space_target_share"]))
    return text


def _asked_common_share(layouts, params) -> float | None:
    """The common-space share the options were made with: the sheet's parameters, else
    what the generator carried in each option's metrics."""
    if params.get("common_share") is not None:
        return params["common_share"]
    asked = [lay.metrics.get("common_space_target_share") for lay in layouts]
    return next((a for a in asked if a is not None), None)


def _pct(value) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    return "–" if not math.isfinite(v) else f"{v * 100:.1f} %"


def _len(value, u) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    return f"{v:g} {u['m']}"
