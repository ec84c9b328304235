"""The community workshop: compare site layouts on a projector, adjust one, save the one
the community agrees to its case.

`GET /cases/<id>/workshop` (anyone who may see the case; officers, admins and the
community's own representative may save) shows the case's land (`gis.layout_inputs.
community_site`, or the case's own site boundary if it differs), the canal and its setback.
Sliders and steppers set the households, plot sizes, lane widths, setback and common space;
"generate" asks `POST /api/cases/<id>/layouts` for 2–4 options (`gis.layout.
generate_layouts`), each sent as GeoJSON in WGS84 for other clients and again in EPSG:32647
metres for the page's script, which draws them on small maps without tiles, edits one by
hand (move a lane, merge or split plots) and re-checks the layout's invariants itself after
every edit. `POST /api/cases/<id>/layout-decisions` re-checks them with `gis.layout.
layout_problems` (400 listing every problem) and saves: the case's plots are replaced by
the option's plots, lanes and common space, and a layout decision (who agreed, when) is
recorded, in one unit of work (`cases.services.record_layout_decision`; 403 for a viewer or
another community's representative, 409 on a stale case version).
`GET /api/cases/<id>/layout-decisions` lists a case's decisions. `POST /cases/<id>/workshop/
options.pdf` prints the compared options, as adjusted on the page, as an A3 PDF
(`gis.report.layout_pdf`); the page offers it only when that renderer is installed.

The case page shows a big button to the workshop and the latest decision: the case page's
template (`cases/detail.html`) is not this module's, so until it includes
`layout/_case_panel.html` itself, the panel is put in after rendering (`_add_case_panel`).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from flask import Blueprint, g, jsonify, render_template, request, send_file, url_for
from markupsafe import Markup
from pyproj import Transformer
from shapely.geometry import Point, Polygon, shape

from app.auth import login_required
from app.casestore import uow
from app.i18n import STRINGS, current_language, format_date
from app.store import get_store
from cases import services
from cases.errors import DomainError, InvalidInput, NotFound
from cases.model import date_range_problem
from gis.catalog import STORAGE_CRS
from gis.errors import Problem, ValidationError
from gis.layout import (
    DEFAULT_PLOT_TYPES,
    DEFAULT_UNIT_COSTS,
    EPS_AREA,
    EPS_DIST,
    MIN_FRONTAGE,
    PARAMETER_RANGES,
    Layout,
    PlotType,
    generate_layouts,
    layout_metrics,
    layout_problems,
    long_axis_angle,
    parse_plot_type,
    setback_area,
)
from gis.layout_inputs import community_site, land_side_access, largest_polygon
from gis.thaidate import parse_form_date

bp = Blueprint("layout", __name__)
_TO_UTM = Transformer.from_crs("EPSG:4326", STORAGE_CRS, always_xy=True)

CRS = STORAGE_CRS
JS_STRING_PREFIX = "workshopjs."
# Parameter ranges offered on the page (gis.layout accepts wider ones).
LIMITS = {
    "households": (1, 2000, 1),
    "plot_width": (2.0, 12.0, 0.5),
    "plot_depth": (4.0, 24.0, 0.5),
    "main_lane_width": (3.0, 12.0, 0.5),
    "lane_width": (1.5, 10.0, 0.5),
    "setback": (0.0, 40.0, 1.0),
    "common_share": (0, 30, 1),  # per cent
}
DEFAULT_OPTIONS = 3
MAX_PLOT_NO = 99_999
SITE_MARGIN_M = 40.0  # how much of the canal and its setback is drawn around the site
ACCESS_TOLERANCE_M = 0.05


# ------------------------------------------------------------------ errors


def _refused(problems: list[dict], en: str, th: str, field: str = "parameters"):
    return services.LayoutRefused(en, th, field=field, problems=problems)


def _problem_dict(p: Problem) -> dict:
    return {
        "en": p.message_en,
        "th": p.message_th,
        "layer": p.layer,
        "feature": p.feature,
        "field": p.field,
    }


def _bad(en: str, th: str, field: str):
    return _refused([{"en": en, "th": th, "field": field}], en, th, field)


# ------------------------------------------------------------------ the site


@dataclass
class WorkshopSite:
    site: Polygon  # EPSG:32647
    canal: gpd.GeoSeries  # canal centre lines near the site
    setback_m: float  # from the canal's centre line
    access: list[Point]
    households: int
    name: dict[str, str]


def workshop_site(case, community) -> WorkshopSite:
    """The case's land: the community's land in the layer store with its canal, setback and
    access point; the case's own site boundary instead where one was drawn that differs."""
    try:
        info = community_site(get_store(), case.community_id)
    except ValidationError:
        info = None
    if info is not None and info.crs != CRS:
        info.site = gpd.GeoSeries([info.site], crs=info.crs).to_crs(CRS).iloc[0]
        info.canal = info.canal.to_crs(CRS)
        info.access = list(gpd.GeoSeries(info.access, crs=info.crs).to_crs(CRS))
    own = largest_polygon(case.site) if case.site is not None else None
    if info is None:
        if own is None:
            raise InvalidInput(
                "this case has no site: draw its boundary on the case page first",
                "กรณีนี้ยังไม่มีขอบเขตพื้นที่ กรุณาวาดขอบเขตในหน้ากรณีก่อน",
                field="site",
            )
        return WorkshopSite(
            own,
            gpd.GeoSeries([], crs=CRS),
            0.0,
            [land_side_access(own, gpd.GeoSeries([], crs=CRS))],
            0,
            {"th": community.name_th, "en": community.name_en},
        )
    site, access = info.site, info.access
    if own is not None and own.symmetric_difference(site).area > 1.0:
        site, access = own, [land_side_access(own, info.canal)]
    return WorkshopSite(
        site,
        info.canal,
        round(info.setback_from_centreline_m, 2),
        access,
        int(info.households),
        {"th": info.name_th, "en": info.name_en},
    )


def _geojson(geom) -> dict | None:
    return services.geometry_to_geojson(geom) if geom is not None and not geom.is_empty else None


def _utm(geom) -> dict | None:
    return shapely.geometry.mapping(geom) if geom is not None and not geom.is_empty else None


def _canal_union(canal):
    lines = [g for g in canal if g is not None and not g.is_empty]
    return shapely.union_all(lines) if lines else None


def _long_side_angle(site: Polygon) -> float:
    """Degrees (−90, 90] of the long side of the site's minimum rotated rectangle."""
    angle = math.degrees(long_axis_angle(site))
    if angle > 90:
        angle -= 180
    elif angle <= -90:
        angle += 180
    return round(angle, 3)


def site_payload(ws: WorkshopSite, setback: float) -> dict:
    """The site, canal, setback zone and access point, in WGS84 and in EPSG:32647."""
    canal = _canal_union(ws.canal)
    area = ws.site.buffer(max(SITE_MARGIN_M, setback + 20.0))
    zone = None
    if canal is not None and setback > 0:
        # Exactly the area the generator keeps clear.
        zone = setback_area(canal, setback).intersection(area)
    canal_near = canal.intersection(area) if canal is not None else None
    c = ws.site.centroid
    return {
        "crs": CRS,
        "origin": [round(c.x), round(c.y)],
        # The maps turn the site's long side level, to use the width of the screen.
        "display_angle_deg": _long_side_angle(ws.site),
        "site": {"geojson": _geojson(ws.site), "utm": _utm(ws.site)},
        "site_area_m2": ws.site.area,
        "canal": {"geojson": _geojson(canal_near), "utm": _utm(canal_near)},
        "setback_m": setback,
        # The browser checks edits with the generator's own tolerances.
        "tolerances": {"eps": EPS_DIST, "eps_area": EPS_AREA, "min_frontage": MIN_FRONTAGE},
        "setback_zone": {"geojson": _geojson(zone), "utm": _utm(zone)},
        "access": {
            "geojson": _geojson(ws.access[0]) if ws.access else None,
            "utm": [ws.access[0].x, ws.access[0].y] if ws.access else None,
        },
    }


# ------------------------------------------------------------------ parameters


def _number(data: dict, name: str, default, problems: list, lo: float, hi: float, *, kind=float):
    raw = data.get(name, default)
    try:
        value = kind(raw)
        if kind is int and float(raw) != value:
            raise ValueError
        if not math.isfinite(value):
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        problems.append(
            {
                "en": f"{name} must be a number, not {raw!r}",
                "th": f"{STRINGS.get(f'workshop.p.{name}', {}).get('th', name)} ต้องเป็นตัวเลข",
                "field": name,
            }
        )
        return default
    if not lo <= value <= hi:
        label = STRINGS.get(f"workshop.p.{name}", {}).get("th", name)
        problems.append(
            {
                "en": f"{name} must be between {lo:g} and {hi:g}, not {value:g}",
                "th": f"{label} ต้องอยู่ระหว่าง {lo:g} ถึง {hi:g}",
                "field": name,
            }
        )
    return value


def parse_parameters(data: dict | None, ws: WorkshopSite) -> dict[str, Any]:
    """The generator's parameters from a request, checked; every problem at once (400)."""
    data = data if isinstance(data, dict) else {}
    problems: list[dict] = []
    households = _number(data, "households", max(ws.households, 1), problems, 1, 5000, kind=int)
    plot_types: list[PlotType] = []
    raw_types = data.get("plot_types")
    if raw_types is None:
        raw_types = [
            {"name": t.name, "width": t.width, "depth": t.depth} for t in DEFAULT_PLOT_TYPES
        ]
    if not isinstance(raw_types, list) or not 1 <= len(raw_types) <= 4:
        problems.append(
            {
                "en": "plot_types must be a list of 1 to 4 plot types",
                "th": "ต้องมีแบบแปลง 1 ถึง 4 แบบ",
                "field": "plot_types",
            }
        )
        raw_types = []
    for item in raw_types:
        if not isinstance(item, dict):
            item = {}
        name = str(item.get("name") or "").strip()
        if not name or not name.replace("_", "").replace("-", "").isalnum() or len(name) > 20:
            problems.append(
                {
                    "en": f"a plot type needs a short name of letters, not {name!r}",
                    "th": "แบบแปลงต้องมีชื่อสั้นๆ เป็นตัวอักษร",
                    "field": "plot_types",
                }
            )
            continue
        try:
            plot_types.append(
                parse_plot_type(f"{name}={float(item.get('width'))}x{float(item.get('depth'))}")
            )
        except (TypeError, ValueError, OverflowError):
            problems.append(
                {
                    "en": f"plot type {name}: width and depth must be numbers",
                    "th": f"แบบแปลง {name}: ความกว้างและความลึกต้องเป็นตัวเลข",
                    "field": "plot_types",
                }
            )
        except ValidationError as exc:
            problems += [_problem_dict(p) for p in exc.problems]
    params = {
        "households": households,
        "plot_types": [
            {
                "name": t.name,
                "width": t.width,
                "depth": t.depth,
                "label": {"th": t.label_th or t.name, "en": t.label_en or t.name},
            }
            for t in plot_types
        ],
        "main_lane_width": _number(
            data, "main_lane_width", 6.0, problems, *PARAMETER_RANGES["main_lane_width"]
        ),
        "lane_width": _number(data, "lane_width", 4.0, problems, *PARAMETER_RANGES["lane_width"]),
        "setback": _number(data, "setback", ws.setback_m, problems, *PARAMETER_RANGES["setback"]),
        "common_share": _number(
            data, "common_share", 0.10, problems, *PARAMETER_RANGES["common_share"]
        ),
        "options": _number(data, "options", DEFAULT_OPTIONS, problems, 2, 4, kind=int),
        "seed": _number(data, "seed", 0, problems, 0, 2**31 - 1, kind=int),
    }
    costs = data.get("unit_costs") or {}
    if not isinstance(costs, dict):
        costs = {}
    params["unit_costs"] = {
        name: _number(costs, name, default, problems, 0.0, 1e9)
        for name, default in DEFAULT_UNIT_COSTS.items()
    }
    if problems:
        raise _refused(
            problems,
            f"{len(problems)} parameter(s) are not right",
            f"ค่าที่ตั้งไว้ไม่ถูกต้อง {len(problems)} ข้อ",
        )
    params["_plot_types"] = plot_types
    return params


def _public(params: dict) -> dict:
    return {k: v for k, v in params.items() if not k.startswith("_")}


# ------------------------------------------------------------------ layouts out


def _plain(value):
    """numpy and tuples as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _features(layout: Layout, to_geojson) -> list[dict]:
    out = []
    for row in layout.plots.itertuples():
        out.append(
            {
                "type": "Feature",
                "geometry": to_geojson(row.geometry),
                "properties": {
                    "layer": "plot",
                    "plot_no": int(row.plot_no),
                    "plot_type": row.plot_type,
                    "width_m": float(row.width_m),
                    "depth_m": float(row.depth_m),
                    "lane_id": row.lane_id,
                    "area_m2": float(row.area_m2),
                },
            }
        )
    for row in layout.lanes.itertuples():
        out.append(
            {
                "type": "Feature",
                "geometry": to_geojson(row.geometry),
                "properties": {
                    "layer": "lane",
                    "lane_id": row.lane_id,
                    "kind": row.kind,
                    "width_m": float(row.width_m),
                    "length_m": float(row.length_m),
                },
            }
        )
    for row in layout.open_space.itertuples():
        out.append(
            {
                "type": "Feature",
                "geometry": to_geojson(row.geometry),
                "properties": {
                    "layer": "open_space",
                    "space_id": int(row.space_id),
                    "kind": row.kind,
                    "area_m2": float(row.area_m2),
                },
            }
        )
    return out


def layout_json(layout: Layout) -> dict:
    access = layout.pattern.get("access_point")
    return {
        "option": layout.option,
        "name": layout.name,
        "angle_deg": layout.angle_deg,
        "pattern": _plain(layout.pattern),
        "access_point": list(access) if access else None,
        "metrics": _plain(layout.metrics),
        "geojson": {"type": "FeatureCollection", "features": _features(layout, _geojson)},
        "utm": {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": CRS}},
            "features": _features(layout, _utm),
        },
    }


def make_layouts(ws: WorkshopSite, params: dict) -> list[Layout]:
    try:
        return generate_layouts(
            ws.site,
            households=params["households"],
            canal=ws.canal if len(ws.canal) else None,
            access=ws.access,
            plot_types=params["_plot_types"],
            main_lane_width=params["main_lane_width"],
            lane_width=params["lane_width"],
            setback=params["setback"],
            common_share=params["common_share"],
            options=params["options"],
            seed=params["seed"],
            unit_costs=params["unit_costs"],
            crs=CRS,
        )
    except ValidationError as exc:
        problems = [_problem_dict(p) for p in exc.problems]
        raise _refused(problems, "the layouts could not be made", "สร้างผังไม่ได้ด้วยค่าที่ตั้งไว้") from None


# ------------------------------------------------------------------ a layout in


def _shape(geometry, crs: str):
    if not isinstance(geometry, dict):
        raise ValueError("no geometry")
    if crs == CRS:
        geom = shape(geometry)
        if geom.is_empty or not geom.is_valid:
            raise ValueError(shapely.is_valid_reason(geom))
        return geom
    return services.geometry_from_geojson(
        geometry,
        allowed=("Polygon", "MultiPolygon"),
        what={"en": "layout part", "th": "ส่วนของผัง"},
    )


def parse_layout(body: dict, params: dict, *, spare: bool = False) -> tuple[Layout, list[dict]]:
    """The layout a save request sends (plots, lanes, common space), as a gis Layout, and
    the parts to store as the case's plots. `spare`: keep spare open space in the Layout
    too (for printing; it is never stored)."""
    crs = str(body.get("crs") or "EPSG:4326").upper()
    if crs not in (CRS, "EPSG:4326"):
        raise _bad(f"crs must be {CRS} or EPSG:4326", f"ระบบพิกัดต้องเป็น {CRS} หรือ EPSG:4326", "crs")
    raw = body.get("features")
    if isinstance(raw, dict):
        raw = raw.get("features")
    if not isinstance(raw, list) or not raw:
        raise _bad("send the layout's features", "ไม่มีข้อมูลผังที่จะบันทึก", "features")
    if len(raw) > services.MAX_LAYOUT_FEATURES:
        raise _bad("too many features", "ผังมีส่วนมากเกินไป", "features")
    types = {t["name"]: t for t in params["plot_types"]}
    plots, lanes, spaces, problems = [], [], [], []
    for i, feature in enumerate(raw):
        props = (feature or {}).get("properties") or {}
        layer = props.get("layer")
        try:
            geom = _shape((feature or {}).get("geometry"), crs)
        except (ValueError, TypeError, AttributeError, DomainError) as exc:
            problems.append(
                {
                    "en": f"feature {i}: not a valid polygon ({exc})",
                    "th": f"ส่วนที่ {i}: รูปเรขาคณิตไม่ถูกต้อง",
                    "feature": i,
                    "field": "geometry",
                }
            )
            continue
        if layer == "plot":
            plot_type = str(props.get("plot_type") or "")
            if geom.geom_type != "Polygon":
                problems.append(
                    {"en": f"plot {i} must be one polygon", "th": "แปลงต้องเป็นรูปเดียว", "feature": i}
                )
                continue
            plots.append(
                {
                    "plot_no": str(props.get("plot_no") or "").strip(),
                    "plot_type": plot_type,
                    "width_m": float(types.get(plot_type, {}).get("width", 0) or 0),
                    "depth_m": float(types.get(plot_type, {}).get("depth", 0) or 0),
                    "lane_id": str(props.get("lane_id") or ""),
                    "geometry": geom,
                }
            )
        elif layer == "lane":
            lanes.append(
                {
                    "lane_id": str(props.get("lane_id") or f"lane-{i}")[:36],
                    "kind": str(props.get("kind") or "secondary"),
                    "geometry": geom,
                }
            )
        elif layer == "open_space":
            if props.get("kind") == "common" or (spare and props.get("kind") == "spare"):
                spaces.append({"kind": props["kind"], "geometry": geom})
        else:
            problems.append(
                {
                    "en": f"feature {i}: layer must be plot, lane or open_space",
                    "th": f"ส่วนที่ {i}: ต้องเป็นแปลง ซอย หรือพื้นที่ส่วนกลาง",
                    "feature": i,
                    "field": "layer",
                }
            )
    if problems:
        raise _refused(problems, "the layout could not be read", "อ่านข้อมูลผังไม่ได้", "features")
    nos = [p["plot_no"] for p in plots]
    if any(not no for no in nos) or len(set(nos)) != len(nos):
        raise _bad("every plot needs its own number", "ทุกแปลงต้องมีเลขแปลงไม่ซ้ำกัน", "plot_no")
    odd = next(
        (no for no in nos if not (no.isascii() and no.isdigit() and 0 < int(no) <= MAX_PLOT_NO)),
        None,
    )
    if odd is not None:
        # The workshop numbers plots 1, 2, 3...; the printed sheet and its labels need that.
        raise InvalidInput(
            f"plot_no must be a whole number from 1 to {MAX_PLOT_NO}, not {odd[:20]!r}",
            f"เลขแปลง (plot_no) ต้องเป็นจำนวนเต็ม 1 ถึง {MAX_PLOT_NO} ไม่ใช่ {odd[:20]!r}",
            field="plot_no",
        )
    plots_gdf = gpd.GeoDataFrame(
        [{**p, "plot_no": p["plot_no"]} for p in plots] or None,
        columns=["plot_no", "plot_type", "width_m", "depth_m", "lane_id", "geometry"],
        geometry="geometry",
        crs=CRS,
    )
    plots_gdf["area_m2"] = plots_gdf.geometry.area
    lane_rows = []
    for lane in lanes:
        rect = np.asarray(shapely.minimum_rotated_rectangle(lane["geometry"]).exterior.coords)
        sides = sorted([np.hypot(*(rect[1] - rect[0])), np.hypot(*(rect[2] - rect[1]))])
        lane_rows.append({**lane, "width_m": round(sides[0], 3), "length_m": sides[1]})
    lanes_gdf = gpd.GeoDataFrame(
        lane_rows or None,
        columns=["lane_id", "kind", "width_m", "length_m", "geometry"],
        geometry="geometry",
        crs=CRS,
    )
    common_parts = [
        part for s in spaces if s["kind"] == "common" for part in shapely.get_parts(s["geometry"])
    ]
    spare_parts = [
        part for s in spaces if s["kind"] == "spare" for part in shapely.get_parts(s["geometry"])
    ]
    open_gdf = gpd.GeoDataFrame(
        [
            {"space_id": i + 1, "kind": kind, "area_m2": g.area, "geometry": g}
            for i, (kind, g) in enumerate(
                [("common", g) for g in common_parts] + [("spare", g) for g in spare_parts]
            )
        ]
        or None,
        columns=["space_id", "kind", "area_m2", "geometry"],
        geometry="geometry",
        crs=CRS,
    )
    option = _number(body, "option", 0, [], 0, 99, kind=int)
    name = body.get("name") if isinstance(body.get("name"), dict) else {}
    layout = Layout(
        option=option,
        name={"th": str(name.get("th") or ""), "en": str(name.get("en") or "")},
        angle_deg=0.0,
        pattern={},
        plots=plots_gdf,
        lanes=lanes_gdf,
        open_space=open_gdf,
    )
    parts = (
        [{"plot_no": p["plot_no"], "kind": "plot", "geometry": p["geometry"]} for p in plots]
        + [
            {"plot_no": f"L-{lane['lane_id']}", "kind": "lane", "geometry": lane["geometry"]}
            for lane in lanes
        ]
        + [
            {"plot_no": f"C-{i + 1}", "kind": "common", "geometry": g}
            for i, g in enumerate(common_parts)
        ]
    )
    return layout, parts


def check_layout(layout: Layout, ws: WorkshopSite, setback: float, access) -> list[dict]:
    """`layout_problems` for a layout, as JSON-ready problems."""
    try:
        problems = layout_problems(
            layout,
            ws.site,
            canal=ws.canal if len(ws.canal) else None,
            setback=setback,
            access=list(access),
        )
    except shapely.errors.GEOSException as exc:
        return [
            {
                "en": f"the layout could not be checked ({exc}); adjust it and try again",
                "th": "ตรวจผังนี้ไม่ได้ กรุณาปรับผังแล้วลองอีกครั้ง",
                "layer": "layout",
                "feature": None,
                "field": "geometry",
            }
        ]
    return [_problem_dict(p) for p in problems]


def _access_for(body: dict, ws: WorkshopSite) -> list[Point]:
    """The option's access point, if it lies on the site's edge; else the site's own."""
    raw = body.get("access_point")
    try:
        x, y = (float(v) for v in raw)
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError
        point = Point(x, y)
        if str(body.get("crs") or "").upper() != CRS:
            point = Point(*_TO_UTM.transform(x, y))
    except (TypeError, ValueError, OverflowError):
        return ws.access
    if ws.site.exterior.distance(point) <= ACCESS_TOLERANCE_M:
        return [point]
    return ws.access


# ------------------------------------------------------------------ views


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise _bad("send a JSON object", "ข้อมูลที่ส่งมาไม่ใช่ JSON", "body")
    return data


def _js_strings(lang: str) -> dict[str, str]:
    """The script's strings in the page's language, and each in Thai and English too
    (`key.th`, `key.en`): the broken rules are shown in both."""
    out = {}
    for key, value in STRINGS.items():
        if key.startswith(JS_STRING_PREFIX):
            name = key[len(JS_STRING_PREFIX) :]
            out[name] = value[lang]
            out[f"{name}.th"] = value["th"]
            out[f"{name}.en"] = value["en"]
    return out


def _decision_view(decision, lang: str) -> dict:
    option = decision.parameters.get("option") or {}
    name = option.get("name") or {}
    return {
        "id": decision.id,
        "name": name.get(lang) or decision.option_name,
        "agreed_by": decision.agreed_by,
        "agreed_on": format_date(decision.agreed_on, lang),
        "agreed_on_iso": decision.agreed_on.isoformat(),
        "note": decision.note,
        "recorded_by": decision.recorded_by,
        "recorded_at": format_date(decision.recorded_at, lang),
        "metrics": decision.metrics,
        "edits": decision.parameters.get("edits") or {},
    }


def pdf_renderer():
    """`gis.report.layout_pdf.layout_pdf`, once it exists; None until then."""
    try:
        from gis.report.layout_pdf import layout_pdf
    except ImportError:
        return None
    return layout_pdf


@bp.get("/cases/<int:case_id>/workshop")
@login_required
def workshop(case_id: int):
    ctx = services.layout_context(uow(), g.user, case_id)
    case = ctx["case"]
    ws = workshop_site(case, ctx["community"])
    lang = current_language()
    g.page_url = url_for("layout.workshop", case_id=case_id)
    households = ws.households or ctx["counts"].get("agreed") or ctx["counts"].get("households")
    defaults = {
        "households": max(int(households or 0), 1),
        "plot_types": [
            {"name": t.name, "width": t.width, "depth": t.depth} for t in DEFAULT_PLOT_TYPES
        ],
        "main_lane_width": 6.0,
        "lane_width": 4.0,
        "setback": ws.setback_m,
        "common_share": 0.10,
        "options": DEFAULT_OPTIONS,
        "unit_costs": dict(DEFAULT_UNIT_COSTS),
    }
    today = services.today_in_thailand()
    return render_template(
        "layout/workshop.html",
        case=case,
        community=ctx["community"],
        site_name=ws.name,
        can_edit=ctx["can_edit"],
        decision=_decision_view(ctx["decisions"][0], lang) if ctx["decisions"] else None,
        defaults=defaults,
        limits=LIMITS,
        plot_type_labels={
            t.name: {"th": t.label_th.split(" ")[0], "en": t.label_en.rsplit(" ", 4)[0]}
            for t in DEFAULT_PLOT_TYPES
        },
        plot_types=[
            {
                "name": t.name,
                "width": t.width,
                "depth": t.depth,
                "label": {"th": t.label_th, "en": t.label_en},
            }
            for t in DEFAULT_PLOT_TYPES
        ],
        site=site_payload(ws, ws.setback_m),
        js_strings=_js_strings(lang),
        today=today,
        years=list(range(today.year - 3, today.year + 1)),
        can_print=pdf_renderer() is not None,
        print_url=url_for("layout.print_options", case_id=case_id),
    )


@bp.post("/api/cases/<int:case_id>/layouts")
@login_required
def api_layouts(case_id: int):
    ctx = services.layout_context(uow(), g.user, case_id)
    ws = workshop_site(ctx["case"], ctx["community"])
    params = parse_parameters(_json_body(), ws)
    layouts = make_layouts(ws, params)
    return jsonify(
        {
            "case": {
                "id": ctx["case"].id,
                "ref": ctx["case"].ref,
                "version": ctx["case"].version,
                "can_edit": ctx["can_edit"],
            },
            "parameters": _public(params),
            **site_payload(ws, params["setback"]),
            "options": [layout_json(lay) for lay in layouts],
        }
    )


def _agreed_on(raw) -> date | None:
    try:
        value = parse_form_date(str(raw or ""))
    except ValueError:
        raise _bad(
            f"not a date: {raw!r} (use YYYY-MM-DD)", f"วันที่ไม่ถูกต้อง: {raw!r}", "agreed_on"
        ) from None
    problem = value is not None and date_range_problem(value, "agreed_on")
    if problem:
        raise _bad(*problem, "agreed_on")
    return value


def _edits(raw) -> dict[str, int]:
    if not isinstance(raw, dict):
        return {}
    out = {}
    for name in ("merged", "split", "lanes_moved"):
        try:
            out[name] = max(0, min(int(raw.get(name) or 0), 100_000))
        except (TypeError, ValueError, OverflowError):
            out[name] = 0
    return out


@bp.post("/api/cases/<int:case_id>/layout-decisions")
@login_required
def api_save_decision(case_id: int):
    body = _json_body()
    # Who may save is settled before anything else is read: 403, not 400, for a viewer.
    case = services.require_layout_edit(uow(), g.user, case_id)
    ctx = services.layout_context(uow(), g.user, case_id)
    ws = workshop_site(case, ctx["community"])
    params = parse_parameters(body.get("parameters"), ws)
    layout, parts = parse_layout(body, params)
    access = _access_for(body, ws)
    problems = check_layout(layout, ws, params["setback"], access)
    metrics = _plain(
        layout_metrics(
            layout.plots,
            layout.lanes,
            layout.open_space,
            ws.site,
            params["households"],
            params["unit_costs"],
        )
    )
    name = layout.name
    decision = services.record_layout_decision(
        uow(),
        g.user,
        case_id,
        expected_version=body.get("version"),
        option_name=name.get("th") or name.get("en") or f"{layout.option}",
        features=parts,
        agreed_by=str(body.get("agreed_by") or ""),
        agreed_on=_agreed_on(body.get("agreed_on")),
        note=str(body.get("note") or ""),
        metrics=metrics,
        parameters={
            **_public(params),
            "option": {"option": layout.option, "name": name},
            "access_point": [access[0].x, access[0].y] if access else None,
            "edits": _edits(body.get("edits")),
        },
        problems=problems,
    )
    after = services.get_case(uow(), g.user, case_id)
    lang = current_language()
    return jsonify(
        {
            "ok": True,
            "decision": _decision_json(decision, lang),
            "case": {"id": after.id, "version": after.version},
            "case_url": url_for("cases.case_page", case_id=case_id, _anchor="layout-decision"),
        }
    ), 201


def _decision_json(decision, lang: str) -> dict:
    return {
        "id": decision.id,
        "case_id": decision.case_id,
        "option_name": decision.option_name,
        "agreed_by": decision.agreed_by,
        "agreed_on": decision.agreed_on.isoformat(),
        "agreed_on_text": format_date(decision.agreed_on, lang),
        "note": decision.note,
        "recorded_by": decision.recorded_by,
        "recorded_at": decision.recorded_at.isoformat(),
        "metrics": decision.metrics,
        "parameters": decision.parameters,
        "version": decision.version,
    }


@bp.get("/api/cases/<int:case_id>/layout-decisions")
@login_required
def api_list_decisions(case_id: int):
    lang = current_language()
    decisions = services.list_layout_decisions(uow(), g.user, case_id)
    return jsonify({"decisions": [_decision_json(d, lang) for d in decisions]})


@bp.post("/cases/<int:case_id>/workshop/options.pdf")
@login_required
def print_options(case_id: int):
    """The compared options as an A3 PDF (`gis.report.layout_pdf`): the options the
    parameters make, each as adjusted by hand on the page where the page sends it."""
    render = pdf_renderer()
    if render is None:
        raise NotFound("printing is not available", "ยังพิมพ์ไม่ได้")
    ctx = services.layout_context(uow(), g.user, case_id)
    case = ctx["case"]
    ws = workshop_site(case, ctx["community"])
    body = _json_body()
    params = parse_parameters(body.get("parameters"), ws)
    layouts = make_layouts(ws, params)
    edited = {}
    for item in body.get("options") or []:
        if isinstance(item, dict) and isinstance(item.get("features"), (list, dict)):
            edited[_number(item, "option", 0, [], 0, 99, kind=int)] = item
    for lay in layouts:
        item = edited.get(lay.option)
        if item is None:
            continue
        mine, _ = parse_layout(
            {"crs": CRS, "features": item["features"], "option": lay.option}, params, spare=True
        )
        lay.plots, lay.lanes, lay.open_space = mine.plots, mine.lanes, mine.open_space
        lay.metrics = _plain(
            layout_metrics(
                mine.plots,
                mine.lanes,
                mine.open_space,
                ws.site,
                params["households"],
                params["unit_costs"],
            )
        )
    lang = current_language()
    pdf = render(
        layouts,
        ws.site,
        canal=ws.canal if len(ws.canal) else None,
        setback=params["setback"],
        title_th=f"ทางเลือกผังชุมชน {ws.name['th']}",
        title_en=f"Layout options: {ws.name['en']}",
        lang=lang,
        site_id=case.ref,
        parameters={
            "plot_types": params["_plot_types"],
            "main_lane_width": params["main_lane_width"],
            "lane_width": params["lane_width"],
            "setback": params["setback"],
            "common_share": params["common_share"],
            "seed": params["seed"],
            "source": f"{case.ref} · {ws.name[lang]}",
        },
    )
    response = send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{case.ref}-layout-options.pdf",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------ the case page's panel


def case_panel(case) -> Markup:
    """The case page's workshop button and latest layout decision."""
    lang = current_language()
    try:
        decisions = services.list_layout_decisions(uow(), g.user, case.id)
    except DomainError:
        return Markup("")
    return Markup(
        render_template(
            "layout/_case_panel.html",
            case=case,
            decision=_decision_view(decisions[0], lang) if decisions else None,
        )
    )


# ------------------------------------------------------------------ the API's documentation

_PARAMETERS_SCHEMA = {
    "type": "object",
    "properties": {
        "households": {"type": "integer", "minimum": 1},
        "plot_types": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "example": "row"},
                    "width": {"type": "number", "example": 3.5},
                    "depth": {"type": "number", "example": 8},
                },
            },
        },
        "main_lane_width": {"type": "number", "default": 6},
        "lane_width": {"type": "number", "default": 4},
        "setback": {
            "type": "number",
            "description": "metres from the canal's centre line (default: the site's)",
        },
        "common_share": {"type": "number", "default": 0.1, "description": "share of the site"},
        "options": {"type": "integer", "minimum": 2, "maximum": 4, "default": DEFAULT_OPTIONS},
        "seed": {"type": "integer", "default": 0},
        "unit_costs": {
            "type": "object",
            "properties": {name: {"type": "number"} for name in DEFAULT_UNIT_COSTS},
        },
    },
}
_ERRORS = {
    "401": {"description": "Not logged in"},
    "403": {"description": "Not allowed for this user and case"},
    "404": {"description": "No such case"},
}
_API_DOCS = {
    "layout.api_layouts": (
        "post",
        {
            "summary": "Site layout options for a case's land (nothing is saved)",
            "description": (
                "Options made by gis.layout.generate_layouts for the case's community land, "
                "its canal setback and access point. Each option has its metrics, and its "
                "plots, lanes and open space as a FeatureCollection in WGS84 (`geojson`) and "
                "again in EPSG:32647 metres (`utm`)."
            ),
            "tags": ["workshop"],
            "requestBody": {"content": {"application/json": {"schema": _PARAMETERS_SCHEMA}}},
            "responses": {
                "200": {"description": "The site, the parameters used, and the options"},
                "400": {"description": "Refused: every problem with the parameters"},
                **_ERRORS,
            },
        },
    ),
    "layout.api_save_decision": (
        "post",
        {
            "summary": "Save the layout a community agreed to its case",
            "description": (
                "Replaces the case's plots with the layout's plots (kind plot), lanes (kind "
                "lane) and common space (kind common), and records who agreed and when. The "
                "layout is checked first (no overlaps, inside the site and outside the canal "
                "setback, every plot on a lane, every lane reaching the access point)."
            ),
            "tags": ["workshop"],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "version": {"type": "integer", "description": "the case's"},
                                "option": {"type": "integer"},
                                "name": {"type": "object"},
                                "parameters": _PARAMETERS_SCHEMA,
                                "crs": {"type": "string", "enum": ["EPSG:4326", CRS]},
                                "access_point": {"type": "array", "items": {"type": "number"}},
                                "features": {
                                    "type": "object",
                                    "description": "FeatureCollection; properties.layer is "
                                    "plot, lane or open_space (kind common)",
                                },
                                "agreed_by": {"type": "string"},
                                "agreed_on": {"type": "string", "format": "date"},
                                "note": {"type": "string"},
                                "edits": {"type": "object"},
                            },
                            "required": ["version", "features", "agreed_by", "agreed_on"],
                        }
                    }
                }
            },
            "responses": {
                "201": {"description": "The decision recorded, and the case's new version"},
                "400": {"description": "Refused: every broken rule or bad input"},
                "409": {"description": "The case changed since it was read"},
                **_ERRORS,
            },
        },
    ),
    "layout.api_list_decisions": (
        "get",
        {
            "summary": "A case's layout decisions, the latest first",
            "tags": ["workshop"],
            "responses": {"200": {"description": "The decisions"}, **_ERRORS},
        },
    ),
}


def init_app(app) -> None:
    """Register the page and its API, the case page's panel, and document the API."""
    app.register_blueprint(bp)
    app.jinja_env.globals["workshop_case_panel"] = case_panel
    api = app.extensions["planner"].get("api")
    if api is None:
        return
    api.spec.tag({"name": "workshop", "description": "Community layout workshops"})
    for endpoint, (method, operation) in _API_DOCS.items():
        for rule in app.url_map.iter_rules(endpoint):
            api.spec.path(rule=rule, operations={method: operation})
