"""A static, print-quality map of a site check as SVG: no network, no matplotlib.

The sites are drawn over the layers they were checked against, clipped to the
sites' extent plus a margin: zoning coloured by the catalogue's classes (ก.
zones hatched), tenure parcel outlines, the flood-depth raster as an embedded
PNG, the canal setback, past disasters (one symbol per kind), and the sites
outlined by verdict with their ids. Everything is in EPSG:32647 metres, drawn
at one scale on both axes; the SVG's user unit is the millimetre on paper.

WeasyPrint lays out SVG text one character at a time, which breaks Thai vowel
and tone marks, so the map's own text is Latin only (site ids, "N", the scale
bar) except the optional legend; the PDF report draws its legend in HTML from
`SiteMap.legend` instead.
"""

from __future__ import annotations

import base64
import functools
import io
import math
from dataclasses import dataclass, field
from html import escape

import numpy as np
import shapely
from PIL import Image

from gis.catalog import STORAGE_CRS
from gis.rules import VERDICT_LABELS

VERDICT_COLORS = {"pass": "#2E7D32", "warning": "#EF8A00", "conflict": "#C62828"}
FONT_FAMILY = "Sarabun Latin, Sarabun Thai, Sarabun, Loma, Garuda, DejaVu Sans, sans-serif"
DISASTER_SYMBOLS = {"fire": "triangle", "flood": "circle", "eviction": "square"}
DISASTER_FALLBACK = {"fire": "#FF1744", "flood": "#2979FF", "eviction": "#6A1B9A"}

_LABEL_SIZE = 2.3  # mm, site id labels (about 6.5 pt)
_TEXT = {
    "sites": {"th": "พื้นที่โครงการ (ผลการตรวจ)", "en": "Sites (verdict)"},
    "tenure": {"th": "ขอบแปลงกรรมสิทธิ์ที่ดิน", "en": "Tenure parcel outlines"},
    "tenure_merged": {
        "th": "ขอบเขตกรรมสิทธิ์ที่ดิน (รวมแปลงตามเจ้าของ)",
        "en": "Tenure boundaries (parcels merged by owner)",
    },
    "setback": {"th": "แนวถอยร่นจากคลอง", "en": "Canal setback"},
    "flood": {"th": "ความลึกน้ำท่วม", "en": "Flood depth"},
    "disasters": {"th": "ภัยพิบัติในอดีต", "en": "Past disasters"},
    "zoning": {"th": "ผังเมืองรวม", "en": "Zoning"},
    "title": {"th": "แผนที่พื้นที่โครงการ", "en": "Site map"},
    "other": {"th": "อื่น ๆ", "en": "other"},
    "unit": {"th": "ม.", "en": "m"},
    "unit_km": {"th": "กม.", "en": "km"},
}


@dataclass
class LegendItem:
    swatch: str  # SVG elements drawn in a 6 x 3.6 mm box at the origin
    label: str
    defs: str = ""  # pattern definitions the swatch needs
    html: str = ""  # the same swatch as an HTML <span> styled with CSS only


@dataclass
class LegendSection:
    title: str
    items: list[LegendItem] = field(default_factory=list)


@dataclass
class SiteMap:
    svg: str
    legend: list[LegendSection]
    width_mm: float
    height_mm: float
    scale_bar_m: float
    mm_per_m: float
    bounds: tuple[float, float, float, float]  # the map's extent, EPSG:32647

    @property
    def scale_denominator(self) -> float:
        return 1000.0 / self.mm_per_m


SWATCH_W, SWATCH_H = 6.0, 3.6


def site_map_svg(report, *, width_mm: float, height_mm: float, lang: str = "th", **kw) -> str:
    """The map of `report` as an SVG string `width_mm` by `height_mm` on paper."""
    return render_site_map(report, width_mm=width_mm, height_mm=height_mm, lang=lang, **kw).svg


def render_site_map(
    report,
    *,
    width_mm: float,
    height_mm: float,
    lang: str = "th",
    legend: bool = True,
    catalog=None,
    id_prefix: str = "map",
) -> SiteMap:
    """Draw the map; also return its legend entries so a page can set them in HTML."""
    if lang not in ("th", "en"):
        raise ValueError(f"lang must be 'th' or 'en', not {lang!r}")
    catalog = catalog if catalog is not None else default_catalog()
    W, H = float(width_mm), float(height_mm)
    frame = MapFrame.fit(report.sites.geometry.values, W, H)
    pid = escape(id_prefix, quote=True)
    inputs = report.inputs
    styles = {name: entry.style for name, entry in catalog.layers.items()}
    defs: list[str] = []
    body: list[str] = []
    sections: list[LegendSection] = []

    zoning = getattr(inputs, "zoning", None) if inputs is not None else None
    if zoning is not None and len(zoning):
        g, sec, d = _draw_zoning(zoning, frame, styles.get("zoning", {}), lang, pid)
        body.append(g)
        defs.append(d)
        if sec.items:
            sections.append(sec)
    tenure = getattr(inputs, "tenure", None) if inputs is not None else None
    if tenure is not None and len(tenure):
        style = styles.get("tenure_parcels", {})
        geoms, keep = frame.clip(tenure.geometry.values)
        merged = False
        if len(geoms) > 200 and np.median(np.sqrt(shapely.area(geoms))) < 2.0:
            # Parcels under 2 mm on paper are a grey mush: draw the boundaries
            # between owner classes instead (parcels of one class merged).
            by = (
                tenure["owner_class"].astype(str).to_numpy()[keep]
                if "owner_class" in tenure
                else None
            )
            if by is not None:
                geoms = np.array(
                    [shapely.coverage_union_all(geoms[by == v]) for v in np.unique(by)]
                )
                merged = True
        d = svg_path_d(shapely.simplify(geoms, 0.08))
        if d:
            color = _attr(style.get("color", "#37474F"))
            body.append(
                f'<path class="tenure" d="{d}" fill="none" stroke="{color}" '
                f'stroke-width="0.07" stroke-opacity="0.55" stroke-linejoin="round"/>'
            )
            sw = (
                f'<rect x="0.6" y="0.6" width="{SWATCH_W - 1.2}" height="{SWATCH_H - 1.2}" '
                f'fill="none" stroke="{color}" stroke-width="0.15"/>'
            )
            html = css_swatch(stroke=color, stroke_w=0.2)
            title = _TEXT["tenure_merged" if merged else "tenure"][lang]
            sections.append(LegendSection(title, [LegendItem(sw, "", html=html)]))
    flood = getattr(inputs, "flood", None) if inputs is not None else None
    if flood is not None:
        style = styles.get("flood_depth", {})
        ramp = style.get("ramp") or []
        img = _flood_image(flood, frame, ramp, float(style.get("opacity", 0.6)))
        if img:
            body.append(img)
            title = catalog.layers["flood_depth"].title[lang] if "flood_depth" in catalog else ""
            sections.append(
                LegendSection(
                    title or _TEXT["flood"][lang],
                    [
                        LegendItem(
                            f'<rect width="{SWATCH_W}" height="{SWATCH_H}" '
                            f'fill="{_attr(c["color"])}" '
                            f'fill-opacity="{float(style.get("opacity", 0.6)):g}"/>',
                            c["label"][lang],
                            html=css_swatch(c["color"], float(style.get("opacity", 0.6))),
                        )
                        for c in ramp
                    ],
                )
            )
    setback = getattr(inputs, "setback", None) if inputs is not None else None
    if setback is not None and len(setback):
        style = styles.get("canal_setback", {})
        geoms, _ = frame.clip(setback.geometry.values, simplify=0.05)
        geoms = geoms[~shapely.is_empty(geoms)]
        if len(geoms):
            d = svg_path_d(np.array([shapely.union_all(shapely.make_valid(geoms))]))
            color = _attr(style.get("color", "#C62828"))
            fill = "#E53935"
            body.append(
                f'<path class="setback" d="{d}" fill="{fill}" fill-opacity="0.45" '
                f'fill-rule="evenodd" stroke="{color}" stroke-width="0.12" '
                f'stroke-opacity="0.85" stroke-linejoin="round"/>'
            )
            sw = (
                f'<rect x="0" y="0.9" width="{SWATCH_W}" height="{SWATCH_H - 1.8}" '
                f'fill="{fill}" fill-opacity="0.45" stroke="{color}" stroke-width="0.15"/>'
            )
            html = css_swatch(fill, 0.45, stroke=color, stroke_w=0.2)
            sections.append(LegendSection(_TEXT["setback"][lang], [LegendItem(sw, "", html=html)]))
    verdicts = dict(zip(report.verdicts["site_id"], report.verdicts["verdict"], strict=True))
    sites_g, site_boxes, anchors = _draw_sites(report.sites, frame, verdicts)
    body.append(sites_g)
    # Past disasters go over the sites: most of them lie inside one.
    disasters = getattr(inputs, "disasters", None) if inputs is not None else None
    if disasters is not None and len(disasters):
        g, sec = _draw_disasters(disasters, frame, styles.get("disaster_sites", {}), lang)
        if g:
            body.append(g)
            sections.append(sec)
    present = [v for v in VERDICT_LABELS if v in set(verdicts.values())] or list(VERDICT_LABELS)
    sections.insert(
        0,
        LegendSection(
            _TEXT["sites"][lang],
            [
                LegendItem(
                    _site_swatch(v),
                    VERDICT_LABELS[v][lang],
                    html=css_swatch(VERDICT_COLORS[v], 0.3, stroke=VERDICT_COLORS[v], stroke_w=0.5),
                )
                for v in present
            ],
        ),
    )

    # Map furniture: the corners with the fewest sites take the legend, north arrow
    # and scale bar; site labels keep clear of all three.
    scale_m = nice_scale_length(0.28 * W / frame.s)
    centres = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in site_boxes]
    legend_svg, legend_box, corner = "", None, None
    if legend:
        lw, lh = _legend_size(sections)
        k = min(1.0, (H - 6) / lh, W * 0.5 / lw)  # a small map gets a smaller legend
        if k >= 0.5:
            corner = _emptiest_corner(centres, W, H, lw * k, lh * k, ("tl", "br", "tr", "bl"))
            legend_box = _corner_box(corner, W, H, lw * k, lh * k)
            legend_svg = _legend_svg(sections, legend_box, lw, lh, k)
    top = "tr" if corner != "tr" else "tl"
    bottom = "bl" if corner != "bl" else "br"
    arrow_svg, arrow_box = north_arrow_svg(_corner_box(top, W, H, 8.0, 12.5))
    bar_w = scale_m * frame.s + 10.0
    bar_svg, bar_box = scale_bar_svg(_corner_box(bottom, W, H, bar_w, 8.5), scale_m, frame.s, lang)
    obstacles = [b for b in (legend_box, arrow_box, bar_box) if b]
    labels_svg = _place_labels(
        report.sites["site_id"].astype(str).tolist(), site_boxes, anchors, obstacles, W, H
    )

    title = escape(_TEXT["title"][lang])
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="site-map" width="{svg_number(W)}mm" '
        f'height="{svg_number(H)}mm" viewBox="0 0 {svg_number(W)} {svg_number(H)}" role="img" '
        f'font-family="{FONT_FAMILY}" data-mm-per-m="{frame.s:.6g}" '
        f'data-bounds="{" ".join(f"{v:.1f}" for v in frame.bounds)}" data-crs="{STORAGE_CRS}">'
        f"<title>{title}</title>"
        f'<defs><clipPath id="{pid}-clip"><rect width="{svg_number(W)}" height="{svg_number(H)}"/></clipPath>'
        f"{''.join(defs)}</defs>"
        f'<rect width="{svg_number(W)}" height="{svg_number(H)}" fill="#ffffff"/>'
        f'<g clip-path="url(#{pid}-clip)">{"".join(body)}{labels_svg}</g>'
        f"{arrow_svg}{bar_svg}{legend_svg}"
        f'<rect width="{svg_number(W)}" height="{svg_number(H)}" fill="none" stroke="#333333" '
        f'stroke-width="0.35"/></svg>'
    )
    return SiteMap(
        svg=svg,
        legend=sections,
        width_mm=W,
        height_mm=H,
        scale_bar_m=scale_m,
        mm_per_m=frame.s,
        bounds=frame.bounds,
    )


def default_catalog():
    """The project's layer catalogue, read once per change of the file."""
    from gis.paths import CATALOG_PATH

    try:
        stamp = CATALOG_PATH.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _catalog(stamp)


@functools.lru_cache(maxsize=2)
def _catalog(_stamp: int):
    from gis.catalog import load_catalog

    return load_catalog()


def legend_swatch_svg(item: LegendItem, *, cls: str = "swatch") -> str:
    """A legend swatch as a small standalone inline SVG (for an HTML legend)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" width="{SWATCH_W}mm" '
        f'height="{SWATCH_H}mm" viewBox="0 0 {SWATCH_W} {SWATCH_H}">'
        f"{'<defs>' + item.defs + '</defs>' if item.defs else ''}{item.swatch}</svg>"
    )


def css_swatch(
    fill: str | None = None,
    opacity: float = 1.0,
    *,
    stroke: str | None = None,
    stroke_w: float = 0.15,
    hatch: str | None = None,
    shape: str = "rect",
) -> str:
    """A legend swatch as an empty <span> drawn by CSS (cheap for WeasyPrint, which
    lays out every inline SVG as an image of its own)."""
    fill_css = _rgba(fill, opacity) if fill else "transparent"
    if shape == "triangle":
        style = (
            "width:0;height:0;border-left:1.35mm solid transparent;"
            f"border-right:1.35mm solid transparent;border-bottom:2.4mm solid {fill_css}"
        )
    elif shape in ("circle", "square", "diamond"):
        radius = "50%" if shape == "circle" else "0"
        style = (
            f"width:2.1mm;height:2.1mm;background:{fill_css};border-radius:{radius};"
            f"border:0.15mm solid {stroke or '#000000'}"
        )
    else:
        bg = fill_css
        if hatch:  # a tiny PNG: WeasyPrint draws CSS gradients slowly
            bg = f"url({_hatch_png(fill or '#ffffff', opacity, hatch)}) 0 0 / 100% 100%"
        border = f"border:{stroke_w:g}mm solid {stroke}" if stroke else "border:0"
        style = f"width:{SWATCH_W - 1:g}mm;height:{SWATCH_H - 1:g}mm;background:{bg};{border}"
    return f'<span class="swatch swatch-{shape}" style="{escape(style, quote=True)}"></span>'


@functools.lru_cache(maxsize=16)
def _hatch_png(fill: str, opacity: float, color: str) -> str:
    """A hatched legend swatch (6 × 3.6 mm at 200 dpi) as a PNG data URI."""
    w, h = 47, 28
    bg, fg = _rgb(fill), _rgb(color)
    img = Image.new("RGBA", (w, h), (*bg, int(round(255 * opacity))))
    px = img.load()
    for y in range(h):
        for x in range(w):
            if (x + y) % 9 < 2:
                px[x, h - 1 - y] = (*fg, 255)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    if len(h) != 6:
        return (128, 128, 128)
    return tuple(int(h[i : i + 2], 16) for i in (0, 2, 4))


def _rgba(color: str, opacity: float) -> str:
    h = color.lstrip("#")
    if len(h) != 6:
        return color
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{opacity:.2f})"


def nice_scale_length(max_m: float) -> float:
    """The longest 1, 2 or 5 × 10ⁿ metres not over `max_m` (at least 1 m)."""
    if not (max_m > 1):
        return 1.0
    exp = math.floor(math.log10(max_m))
    for m in (5, 2, 1):
        if m * 10**exp <= max_m:
            return float(m * 10**exp)
    return float(10**exp)


# ----------------------------------------------------------------------- frame


@dataclass
class MapFrame:
    x0: float
    y0: float
    x1: float
    y1: float
    s: float  # mm on paper per metre
    w: float
    h: float

    @classmethod
    def fit(cls, geoms, w: float, h: float) -> MapFrame:
        if len(geoms) and not shapely.is_empty(geoms).all():
            x0, y0, x1, y1 = shapely.total_bounds(geoms)
        else:
            x0, y0, x1, y1 = 0.0, 0.0, 1.0, 1.0
        dx, dy = x1 - x0, y1 - y0
        margin = max(80.0, 0.06 * max(dx, dy))
        x0, y0, x1, y1 = x0 - margin, y0 - margin, x1 + margin, y1 + margin
        dx, dy = max(x1 - x0, 300.0), max(y1 - y0, 300.0)
        s = min(w / dx, h / dy)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half_w, half_h = w / s / 2, h / s / 2
        return cls(cx - half_w, cy - half_h, cx + half_w, cy + half_h, s, w, h)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)

    def to_paper(self, coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords)
        out[:, 0] = (coords[:, 0] - self.x0) * self.s
        out[:, 1] = (self.y1 - coords[:, 1]) * self.s
        return out

    def clip(self, geoms, *, simplify: float = 0.0, pad_mm: float = 2.0):
        """Geometries cut to the frame (plus a pad), in paper millimetres."""
        geoms = np.asarray(geoms)
        pad = pad_mm / self.s
        box = (self.x0 - pad, self.y0 - pad, self.x1 + pad, self.y1 + pad)
        rect = shapely.box(*box)
        shapely.prepare(rect)
        keep = shapely.intersects(rect, geoms)
        geoms = geoms[keep].copy()
        cut = ~shapely.contains_properly(rect, geoms)  # only edge features are cut
        if cut.any():
            geoms[cut] = shapely.clip_by_rect(geoms[cut], *box)
        geoms = shapely.transform(geoms, self.to_paper)
        if simplify:
            geoms = shapely.simplify(geoms, simplify)
        return geoms, keep


def _attr(value) -> str:
    """A catalogue value (a colour) made safe inside an attribute."""
    return escape(str(value), quote=True)


def svg_number(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def svg_path_d(geoms) -> str:
    """SVG path data of the polygons among `geoms` (paper mm), rings closed."""
    parts: list[str] = []
    for poly in _polygons(geoms):
        if poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            c = shapely.get_coordinates(ring)[:-1]
            if len(c) < 3:
                continue
            parts.append("M" + " ".join(f"{x:.2f},{y:.2f}" for x, y in c) + "Z")
    return "".join(parts)


def _polygons(geoms) -> np.ndarray:
    """The polygons inside `geoms`, multi-parts and collections opened (clipping and
    unions may also yield lines and points, which are dropped)."""
    parts = shapely.get_parts(np.asarray(geoms))
    while True:
        multi = np.isin(shapely.get_type_id(parts), (4, 5, 6, 7))
        if not multi.any():
            break
        parts = np.concatenate([parts[~multi], shapely.get_parts(parts[multi])])
    return parts[shapely.get_type_id(parts) == 3]


# --------------------------------------------------------------------- layers


def _hatch_defs(pid: str, fill: str, color: str) -> str:
    return (
        f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="1.2" height="1.2" '
        f'patternTransform="rotate(45)"><rect width="1.2" height="1.2" fill="{fill}"/>'
        f'<line x1="0" y1="0.3" x2="1.2" y2="0.3" stroke="{color}" stroke-width="0.25"/>'
        f"</pattern>"
    )


def _hatch_d(polygons, *, spacing: float) -> str:
    """Path data of 45° hatch lines `spacing` mm apart, cut to `polygons` (paper mm)."""
    area = shapely.union_all(shapely.make_valid(np.asarray(polygons)))
    if area.is_empty:
        return ""
    x0, y0, x1, y1 = area.bounds
    step = spacing * math.sqrt(2)  # along the axes, for `spacing` between the lines
    offsets = np.arange(x0 + y0, x1 + y1 + step, step)
    starts = np.stack([np.full_like(offsets, x0), offsets - x0], axis=1)
    ends = np.stack([np.full_like(offsets, x1), offsets - x1], axis=1)
    lines = shapely.linestrings(np.stack([starts, ends], axis=1))
    parts = shapely.get_parts(shapely.intersection(lines, area))
    out = []
    parts = parts[(shapely.get_type_id(parts) == 1) & ~shapely.is_empty(parts)]
    for part in parts:  # lines only: a line touching a corner leaves a point
        xy = shapely.get_coordinates(part)
        out.append("M" + " ".join(f"{x:.2f},{y:.2f}" for x, y in xy))
    return "".join(out)


def _draw_zoning(zoning, frame: MapFrame, style: dict, lang: str, pid: str):
    classify = (style.get("classify") or {}) if style else {}
    field_ = classify.get("field", "zone_code")
    classes = classify.get("classes", [])
    geoms, keep = frame.clip(zoning.geometry.values, simplify=0.08)
    values = (
        zoning[field_].astype(str).to_numpy()[keep]
        if field_ in zoning.columns
        else np.array([""] * int(keep.sum()))
    )
    # Lighter than the catalogue's fill: the flood depths are drawn over the zones.
    opacity = round(float(style.get("fill_opacity", 0.45)) * 0.75, 3)
    out, defs, items = [], [], []
    assigned = np.zeros(len(geoms), dtype=bool)
    for n, cls in enumerate([*classes, None]):
        if cls is None:  # codes the catalogue does not classify
            mask = ~assigned
            fill, label = "#E0E0E0", _TEXT["other"][lang]
        else:
            mask = np.isin(values, [str(v) for v in cls["values"]]) & ~assigned
            fill, label = _attr(cls["fill_color"]), cls["label"][lang]
        assigned |= mask
        if not mask.any():
            continue
        d = svg_path_d(geoms[mask])
        if not d:
            continue
        item_defs, hatch_d = "", ""
        if cls is not None and cls.get("pattern") == "hatch":
            # Hatching drawn as lines cut to the zones: an SVG <pattern> costs
            # WeasyPrint far more time than the few hundred segments.
            hid = f"{pid}-hatch-{n}"
            hatch = _attr(cls.get("pattern_color", "#2E7D32"))
            hatch_d = _hatch_d(geoms[mask], spacing=1.1)
            item_defs = _hatch_defs(f"{hid}-sw", fill, hatch)
            swatch = (
                f'<rect width="{SWATCH_W}" height="{SWATCH_H}" fill="url(#{hid}-sw)" '
                f'fill-opacity="0.9" stroke="#666666" stroke-width="0.1"/>'
            )
            op = 0.9
            html = css_swatch(fill, 0.9, stroke="#666666", hatch=hatch)
        else:
            swatch = (
                f'<rect width="{SWATCH_W}" height="{SWATCH_H}" fill="{fill}" '
                f'fill-opacity="{opacity}" stroke="#666666" stroke-width="0.1"/>'
            )
            op = opacity
            html = css_swatch(fill, opacity, stroke="#666666")
        out.append(
            f'<path class="zone" data-class="{escape(label, quote=True)}" d="{d}" '
            f'fill="{fill}" fill-opacity="{op}" fill-rule="evenodd" stroke="#555555" '
            f'stroke-width="0.12" stroke-opacity="0.8"/>'
        )
        if hatch_d:
            out.append(
                f'<path class="hatch" data-class="{escape(label, quote=True)}" d="{hatch_d}" '
                f'fill="none" stroke="{hatch}" stroke-width="0.18"/>'
            )
        items.append(LegendItem(swatch, label, item_defs, html))
    # Zone codes on zones large enough on paper (ย.5, ก.2: no Thai marks, so they
    # survive WeasyPrint's letter-by-letter SVG text).
    big = shapely.area(geoms) > 150.0
    if big.any():
        pts = shapely.get_coordinates(shapely.point_on_surface(geoms[big]))
        for (x, y), code in zip(pts, values[big], strict=True):
            out.append(
                f'<text class="zone-code" x="{x:.2f}" y="{y + 0.8:.2f}" font-size="2.4" '
                f'text-anchor="middle" fill="#333333" fill-opacity="0.85">{escape(code)}</text>'
            )
    return (
        f'<g class="zoning">{"".join(out)}</g>',
        LegendSection(_TEXT["zoning"][lang], items),
        "".join(defs),
    )


def _flood_image(path, frame: MapFrame, ramp: list[dict], opacity: float) -> str:
    from pyproj import CRS
    from rasterio.enums import Resampling
    from rasterio.windows import Window

    from gis.formats import open_raster

    try:
        src = open_raster(path)
    except Exception:  # noqa: BLE001 - an unreadable raster just leaves the map without it
        return ""
    with src:
        t = src.transform
        if (
            src.crs is None
            or not CRS.from_user_input(src.crs).equals(CRS(STORAGE_CRS))
            or t.b != 0
            or t.d != 0
            or t.e >= 0
        ):
            return ""  # not a north-up raster in the storage CRS: left out, never warped
        c0 = max(0, math.floor((frame.x0 - t.c) / t.a))
        c1 = min(src.width, math.ceil((frame.x1 - t.c) / t.a))
        r0 = max(0, math.floor((t.f - frame.y1) / -t.e))
        r1 = min(src.height, math.ceil((t.f - frame.y0) / -t.e))
        if c1 <= c0 or r1 <= r0:
            return ""
        win = Window(c0, r0, c1 - c0, r1 - r0)
        left, top = t.c + c0 * t.a, t.f + r0 * t.e
        right, bottom = t.c + c1 * t.a, t.f + r1 * t.e
        # No finer than 0.3 mm per pixel on paper (about 85 dpi): the depths are
        # smooth, and every pixel costs time in the PDF.
        w_mm, h_mm = (right - left) * frame.s, (top - bottom) * frame.s
        cols = int(min(win.width, max(1, math.ceil(w_mm / 0.3))))
        rows = int(min(win.height, max(1, math.ceil(h_mm / 0.3))))
        data = src.read(
            1, window=win, out_shape=(rows, cols), resampling=Resampling.nearest, masked=True
        )
    ramp = sorted(ramp, key=lambda c: c["value"])
    if not ramp:
        return ""
    values = np.array([c["value"] for c in ramp], dtype="float64")
    filled = np.ma.filled(data.astype("float64"), np.nan)
    idx = np.searchsorted(values, filled, side="right")  # 0: below the first class
    idx[~np.isfinite(filled)] = 0
    if not idx.any():
        return ""
    palette = [0, 0, 0]
    for c in ramp:
        h = c["color"].lstrip("#")
        palette += [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    img = Image.fromarray(idx.astype("uint8"), "P")
    img.putpalette(palette)
    alpha = int(round(255 * opacity))
    buf = io.BytesIO()
    img.save(buf, format="PNG", transparency=bytes([0] + [alpha] * len(ramp)))
    data_uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    x, y = (left - frame.x0) * frame.s, (frame.y1 - top) * frame.s
    return (
        f'<image class="flood" x="{x:.3f}" y="{y:.3f}" width="{w_mm:.3f}" '
        f'height="{h_mm:.3f}" preserveAspectRatio="none" style="image-rendering:pixelated" '
        f'href="{data_uri}"/>'
    )


def _symbol(kind: str, x: float, y: float, r: float, fill: str) -> str:
    shape = DISASTER_SYMBOLS.get(kind, "diamond")
    common = f'fill="{fill}" stroke="#000000" stroke-width="0.15"'
    if shape == "circle":
        return f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r * 0.85:.2f}" {common}/>'
    if shape == "square":
        a = r * 0.78
        return f'<rect x="{x - a:.2f}" y="{y - a:.2f}" width="{2 * a:.2f}" height="{2 * a:.2f}" {common}/>'
    if shape == "triangle":
        pts = [(x, y - r * 1.05), (x + r * 0.95, y + r * 0.65), (x - r * 0.95, y + r * 0.65)]
    else:
        pts = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    return f'<path d="M{" ".join(f"{a:.2f},{b:.2f}" for a, b in pts)}Z" {common}/>'


def _draw_disasters(disasters, frame: MapFrame, style: dict, lang: str):
    pts = shapely.get_coordinates(shapely.centroid(disasters.geometry.values))
    kinds = (
        disasters["kind"].astype(str).to_numpy()
        if "kind" in disasters.columns
        else np.array(["?"] * len(pts))
    )
    paper = frame.to_paper(pts) if len(pts) else pts
    colors = {k: v for k, v in DISASTER_FALLBACK.items()}
    labels = {}
    for cls in (style.get("classify") or {}).get("classes", []):
        for v in cls["values"]:
            colors[str(v)] = _attr(cls["fill_color"])
            labels[str(v)] = cls["label"][lang]
    r = 1.0
    out, seen = [], []
    for (x, y), kind in zip(paper, kinds, strict=True):
        if not (-r <= x <= frame.w + r and -r <= y <= frame.h + r):
            continue
        out.append(_symbol(kind, x, y, r, colors.get(kind, "#757575")))
        if kind not in seen:
            seen.append(kind)
    if not out:
        return "", None
    order = [k for k in colors if k in seen] + [k for k in seen if k not in colors]
    items = [
        LegendItem(
            _symbol(k, SWATCH_W / 2, SWATCH_H / 2, 1.25, colors.get(k, "#757575")),
            labels.get(k, k),
            html=css_swatch(
                colors.get(k, "#757575"), shape=DISASTER_SYMBOLS.get(k, "diamond"), stroke="#000000"
            ),
        )
        for k in order
    ]
    return f'<g class="disasters">{"".join(out)}</g>', LegendSection(
        _TEXT["disasters"][lang], items
    )


def _site_swatch(verdict: str) -> str:
    c = VERDICT_COLORS[verdict]
    return (
        f'<rect x="0.5" y="0.5" width="{SWATCH_W - 1}" height="{SWATCH_H - 1}" fill="{c}" '
        f'fill-opacity="0.3" stroke="{c}" stroke-width="0.6"/>'
    )


def _draw_sites(sites, frame: MapFrame, verdicts: dict) -> tuple[str, list[tuple]]:
    geoms = shapely.transform(sites.geometry.values, frame.to_paper)
    casing, outlines, markers, boxes = [], [], [], []
    anchors = []
    for sid, geom in zip(sites["site_id"].astype(str), geoms, strict=True):
        verdict = verdicts.get(sid, "pass")
        color = VERDICT_COLORS.get(verdict, "#333333")
        d = svg_path_d(np.array([geom])) if geom is not None else ""
        x0, y0, x1, y1 = shapely.bounds(geom) if geom is not None else (0, 0, 0, 0)
        if not all(map(math.isfinite, (x0, y0, x1, y1))):
            x0 = y0 = x1 = y1 = -100.0  # no geometry: off the map, no label
        boxes.append((x0 - 0.4, y0 - 0.4, x1 + 0.4, y1 + 0.4))
        inner = shapely.get_coordinates(shapely.point_on_surface(geom))
        anchors.append(tuple(inner[0]) if len(inner) else ((x0 + x1) / 2, (y0 + y1) / 2))
        esc = escape(sid, quote=True)
        casing.append(d)
        outlines.append(
            f'<path class="site-outline site-{verdict}" data-site-id="{esc}" d="{d}" '
            f'fill="{color}" fill-opacity="0.3" fill-rule="evenodd" stroke="{color}" '
            f'stroke-width="0.5" stroke-linejoin="round"/>'
        )
        if max(x1 - x0, y1 - y0) < 2.0:  # too small to see at this scale: ring it
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            markers.append(
                f'<circle class="site-marker" cx="{cx:.2f}" cy="{cy:.2f}" r="1.7" fill="none" '
                f'stroke="{color}" stroke-width="0.35"/>'
            )
            boxes[-1] = (cx - 1.9, cy - 1.9, cx + 1.9, cy + 1.9)
    g = (
        f'<g class="sites"><path class="site-casing" d="{"".join(casing)}" fill="none" '
        f'stroke="#ffffff" stroke-width="1.1" stroke-linejoin="round"/>'
        f"{''.join(markers)}{''.join(outlines)}</g>"
    )
    return g, boxes, anchors


# ------------------------------------------------------------------- labels


def _overlap(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _place_labels(
    ids: list[str], boxes: list[tuple], anchors: list, obstacles: list, W: float, H: float
) -> str:
    """Site ids on large sites, beside small ones, greedily kept clear of each other,
    of the other sites and of the map furniture; a leader line joins a label set
    further off."""
    fs = _LABEL_SIZE
    th = fs * 1.05
    placed: list[tuple] = []
    out: list[str] = []
    order = sorted(range(len(ids)), key=lambda i: (boxes[i][1], boxes[i][0]))
    for i in order:
        bx0, by0, bx1, by1 = boxes[i]
        if bx1 < 0 or by1 < 0 or bx0 > W or by0 > H:
            continue
        tw = 0.56 * fs * len(ids[i]) + 0.4
        cy = (by0 + by1) / 2
        cands = []
        inside = bx1 - bx0 > tw + 3 and by1 - by0 > th + 1.5
        if inside:  # big enough to carry its own label
            ax, ay = anchors[i]
            cands.append((ax - tw / 2, ay - th / 2, 0.0))
        for d in (0.6, 2.5, 5.0, 8.0, 12.0):
            dy = 0 if d < 1 else d * 0.6
            cands += [
                (bx1 + d, cy - th / 2, d),
                (bx0 - d - tw, cy - th / 2, d),
                (bx1 + d, cy - th / 2 - dy - th * 0.6, d),
                (bx0 - d - tw, cy - th / 2 + dy + th * 0.6, d),
                (bx1 + d, cy - th / 2 + dy + th * 0.6, d),
                (bx0 - d - tw, cy - th / 2 - dy - th * 0.6, d),
            ]
        best, best_cost = None, math.inf
        for rank, (x, y, d) in enumerate(cands):
            box = (x, y, x + tw, y + th)
            cost = 0.0
            if box[0] < 0.5 or box[1] < 0.5 or box[2] > W - 0.5 or box[3] > H - 0.5:
                cost += 1000.0
            cost += sum(_overlap(box, p) for p in placed) * 10
            cost += sum(_overlap(box, o) for o in obstacles) * 10
            cost += sum(_overlap(box, b) for j, b in enumerate(boxes) if j != i) * 5
            if not (inside and rank == 0):
                cost += _overlap(box, boxes[i]) * 5
            cost += rank * 0.01
            if cost < best_cost:
                best, best_cost = (box, d), cost
            if cost < 1:
                break
        box, d = best
        placed.append(box)
        x, y = box[0], box[1] + fs * 0.82
        if d > 1:  # leader line from the label's near edge to the site's box
            lx = box[0] if box[0] > bx1 else box[2]
            ly = (box[1] + box[3]) / 2
            sx = min(max(lx, bx0), bx1)
            sy = min(max(ly, by0), by1)
            out.append(
                f'<line class="leader" x1="{lx:.2f}" y1="{ly:.2f}" x2="{sx:.2f}" y2="{sy:.2f}" '
                f'stroke="#333333" stroke-width="0.15"/>'
            )
        out.append(
            f'<rect x="{box[0]:.2f}" y="{box[1]:.2f}" width="{tw:.2f}" height="{th:.2f}" '
            f'rx="0.5" fill="#ffffff" fill-opacity="0.8"/>'
            f'<text class="site-label" x="{x + 0.2:.2f}" y="{y:.2f}" font-size="{fs}" '
            f'font-weight="700" fill="#111111">{escape(ids[i])}</text>'
        )
    return f'<g class="labels">{"".join(out)}</g>'


# ------------------------------------------------------------------ furniture


def _corner_box(corner: str, W: float, H: float, w: float, h: float, pad: float = 2.5):
    x = pad if corner[1] == "l" else W - pad - w
    y = pad if corner[0] == "t" else H - pad - h
    return (x, y, x + w, y + h)


def _emptiest_corner(centres, W, H, w, h, corners) -> str:
    def crowd(c):
        b = _corner_box(c, W, H, w, h)
        return sum(1 for x, y in centres if b[0] - 3 <= x <= b[2] + 3 and b[1] - 3 <= y <= b[3] + 3)

    return min(corners, key=lambda c: (crowd(c), corners.index(c)))


def north_arrow_svg(box) -> tuple[str, tuple]:
    x0, y0, x1, y1 = box
    cx = (x0 + x1) / 2
    top, base = y0 + 5.0, y1 - 1.0
    half = 2.4
    return (
        f'<g class="north-arrow"><rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" '
        f'height="{y1 - y0:.2f}" rx="0.8" fill="#ffffff" fill-opacity="0.85"/>'
        f'<text x="{cx:.2f}" y="{y0 + 3.9:.2f}" font-size="3.4" font-weight="700" '
        f'text-anchor="middle" fill="#111111">N</text>'
        f'<path d="M{cx:.2f},{top:.2f} {cx + half:.2f},{base:.2f} {cx:.2f},{base - 1.6:.2f}Z" '
        f'fill="#111111"/>'
        f'<path d="M{cx:.2f},{top:.2f} {cx - half:.2f},{base:.2f} {cx:.2f},{base - 1.6:.2f}Z" '
        f'fill="#ffffff" stroke="#111111" stroke-width="0.25" stroke-linejoin="round"/></g>',
        box,
    )


def _fmt_len(m: float, km: bool) -> str:
    v = m / 1000 if km else m
    return f"{v:g}"


def scale_bar_svg(box, length_m: float, s: float, lang: str) -> tuple[str, tuple]:
    x0, y0, x1, y1 = box
    bar = length_m * s
    km = length_m >= 1000
    unit = _TEXT["unit_km" if km else "unit"][lang]
    bx, by = x0 + 2.0, y1 - 3.2
    half = bar / 2
    labels = [
        (0.0, "0"),
        (length_m / 2, _fmt_len(length_m / 2, km)),
        (length_m, _fmt_len(length_m, km)),
    ]
    texts = "".join(
        f'<text class="scale-label" data-m="{m:g}" x="{bx + m * s:.2f}" y="{by - 1.0:.2f}" '
        f'font-size="2.3" text-anchor="middle" fill="#111111">{escape(t)}</text>'
        for m, t in labels
    )
    return (
        f'<g class="scale-bar" data-length-m="{length_m:g}">'
        f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" rx="0.8" '
        f'fill="#ffffff" fill-opacity="0.85"/>'
        f'<rect x="{bx:.2f}" y="{by:.2f}" width="{half:.2f}" height="1.2" fill="#111111" '
        f'stroke="#111111" stroke-width="0.2"/>'
        f'<rect x="{bx + half:.2f}" y="{by:.2f}" width="{half:.2f}" height="1.2" '
        f'fill="#ffffff" stroke="#111111" stroke-width="0.2"/>'
        f"{texts}"
        f'<text class="scale-unit" x="{bx + bar + 1.6:.2f}" y="{by + 1.1:.2f}" font-size="2.3" '
        f'fill="#111111">{escape(unit)}</text></g>',
        box,
    )


# --------------------------------------------------------------------- legend

_LEG_FS = 2.4
_LEG_ROW = 4.1
_LEG_HEAD = 4.4


def _legend_size(sections: list[LegendSection]) -> tuple[float, float]:
    rows, width = 0.0, 30.0
    for sec in sections:
        rows += _LEG_HEAD
        width = max(width, _text_w(sec.title, _LEG_FS) + 4)
        for item in sec.items:
            rows += _LEG_ROW if item.label or len(sec.items) > 1 else 0
            width = max(width, SWATCH_W + 3 + _text_w(item.label, _LEG_FS) + 4)
        if sec.items and not any(i.label for i in sec.items):
            rows += 0  # a single unlabelled swatch sits beside the title
    return width, rows + 3.0


def _text_w(text: str, fs: float) -> float:
    # Thai marks take no width; Latin and Thai letters about half an em.
    n = sum(1 for ch in text if not ("\u0e31" <= ch <= "\u0e3a" or "\u0e47" <= ch <= "\u0e4e"))
    return n * fs * 0.56


def _legend_svg(sections: list[LegendSection], box, lw: float, lh: float, k: float) -> str:
    """The legend drawn at the origin in `lw` × `lh` mm, scaled by `k` into `box`."""
    x0, y0 = 0.0, 0.0
    out = [
        f'<g class="legend" transform="translate({box[0]:.2f},{box[1]:.2f}) scale({k:.3f})">'
        f'<rect width="{lw:.2f}" height="{lh:.2f}" rx="0.8" fill="#ffffff" '
        f'fill-opacity="0.92" stroke="#999999" stroke-width="0.15"/>'
    ]
    defs = []
    y = y0 + 1.5
    for sec in sections:
        single = len(sec.items) == 1 and not sec.items[0].label
        y += _LEG_HEAD
        if single:
            item = sec.items[0]
            defs.append(item.defs)
            out.append(
                f'<g transform="translate({x0 + 2:.2f},{y - _LEG_FS * 0.85 - 0.3:.2f})">'
                f"{item.swatch}</g>"
                f'<text x="{x0 + 2 + SWATCH_W + 2:.2f}" y="{y:.2f}" font-size="{_LEG_FS}" '
                f'font-weight="700" fill="#111111">{escape(sec.title)}</text>'
            )
            continue
        out.append(
            f'<text x="{x0 + 2:.2f}" y="{y:.2f}" font-size="{_LEG_FS}" font-weight="700" '
            f'fill="#111111">{escape(sec.title)}</text>'
        )
        for item in sec.items:
            y += _LEG_ROW
            defs.append(item.defs)
            out.append(
                f'<g transform="translate({x0 + 2:.2f},{y - SWATCH_H + 0.5:.2f})">{item.swatch}</g>'
                f'<text x="{x0 + 2 + SWATCH_W + 2:.2f}" y="{y:.2f}" font-size="{_LEG_FS}" '
                f'fill="#111111">{escape(item.label)}</text>'
            )
    out.append("</g>")
    return (f"<defs>{''.join(defs)}</defs>" if any(defs) else "") + "".join(out)
