"""The community workshop: the site a case's layout is made for, the generator's
parameters, the options, an edited layout read back and checked, and saving the layout a
community agreed. The web page (app/layout_views.py) and `planner layout` (app/cli.py)
both come here; the invariants are `gis.layout.layout_problems`, run here on every check
and on every save (a save with a problem is refused).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon, shape

from cases import services
from cases.errors import DomainError, InvalidInput
from cases.model import date_range_problem
from gis.check import STORAGE_CRS as CRS
from gis.errors import PlannerError, Problem, ValidationError
from gis.layout import (
    DEFAULT_PLOT_TYPES,
    DEFAULT_UNIT_COSTS,
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
from gis.layout_inputs import (
    LayoutSite,
    community_site,
    land_side_access,
    largest_polygon,
    setback_from_centreline,
)
from gis.thaidate import parse_form_date

__all__ = [
    "CRS",
    "LIMITS",
    "case_site",
    "check_edited",
    "choose_site",
    "broken_rules",
    "generate",
    "generate_options",
    "layout_json",
    "layout_options",
    "page_defaults",
    "parse_layout",
    "parse_parameters",
    "print_layouts",
    "save_layout",
    "site_payload",
]

_TO_UTM = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
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
# A drawn plot, lane or space has tens of vertices; bounds keep a check cheap (a
# 100,000-vertex plot once held a server thread for 259 s).
MAX_FEATURE_VERTICES = 2_000
MAX_LAYOUT_VERTICES = 100_000
# Plots a site could hold at the smallest plot size: bounds the generator's work.
MAX_PLOTS_ON_SITE = 40_000
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


def case_site(store, case, community) -> LayoutSite:
    """A case's land in EPSG:32647: the community's land in the layer store with its
    canal, setback and access point; the case's own drawn site instead where it differs
    (or where the store has no such community)."""
    try:
        info = community_site(store, case.community_id).to_crs(CRS)
    except ValidationError:
        info = None
    own = largest_polygon(case.site) if case.site is not None else None
    if info is None:
        if own is None:
            raise InvalidInput(
                "this case has no site: draw its boundary on the case page first",
                "กรณีนี้ยังไม่มีขอบเขตพื้นที่ กรุณาวาดขอบเขตในหน้ากรณีก่อน",
                field="site",
            )
        no_canal = gpd.GeoSeries([], crs=CRS)
        return LayoutSite(
            case.ref, community.name_th, community.name_en, own, no_canal, 0.0,
            [land_side_access(own, no_canal)], 0, CRS,
        )  # fmt: skip
    info.setback_from_centreline_m = round(info.setback_from_centreline_m, 2)
    if own is not None and own.symmetric_difference(info.site).area > 1.0:
        info.site, info.access = own, [land_side_access(own, info.canal)]
    return info


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


def site_payload(ws: LayoutSite, setback: float) -> dict:
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
        "setback_zone": {"geojson": _geojson(zone), "utm": _utm(zone)},
        "access": {
            "geojson": _geojson(ws.access[0]) if ws.access else None,
            "utm": [ws.access[0].x, ws.access[0].y] if ws.access else None,
        },
    }


def page_defaults(ws: LayoutSite, counts: dict) -> dict:
    """The parameters the workshop page starts from."""
    households = ws.households or counts.get("agreed") or counts.get("households")
    return {
        "households": max(int(households or 0), 1),
        "plot_types": [
            {"name": t.name, "width": t.width, "depth": t.depth} for t in DEFAULT_PLOT_TYPES
        ],
        "main_lane_width": 6.0,
        "lane_width": 4.0,
        "setback": ws.setback_from_centreline_m,
        "common_share": 0.10,
        "options": DEFAULT_OPTIONS,
        "unit_costs": dict(DEFAULT_UNIT_COSTS),
    }


# ------------------------------------------------------------------ a site for the CLI

_LAYOUT_SUFFIXES = (".gpkg", ".geojson", ".json")
_LAYOUT_KINDS = {
    "site": (("Polygon", "MultiPolygon"), "a polygon", "ขอบเขตที่ดินต้องเป็นรูปหลายเหลี่ยม"),
    "canal": (
        ("LineString", "MultiLineString", "Polygon", "MultiPolygon"),
        "lines (or canal polygons)",
        "แนวคลองต้องเป็นเส้น (หรือรูปหลายเหลี่ยมของคลอง)",
    ),
    "access": (("Point", "MultiPoint"), "points", "ทางเข้าต้องเป็นจุด"),
}
FILE_SETBACK_M = 8.0  # a site file's canal lines without width_m and setback_m


def is_site_file(spec: str) -> bool:
    """Whether `--site` names a file rather than a community or a case."""
    path = Path(spec)
    return path.exists() or path.suffix.lower() in _LAYOUT_SUFFIXES


def _file_layers(path: Path) -> list[tuple[str, str]]:
    """(name, geometry type) of every layer of a GeoPackage, [] for other files."""
    if path.suffix.lower() != ".gpkg" or not path.exists():
        return []
    import pyogrio

    from gis import formats

    try:
        formats.check_format(formats.check_path(path, label=path.name), label=path.name)
    except ValidationError as exc:
        raise PlannerError(str(exc)) from None
    try:
        return [(str(n), str(t)) for n, t in pyogrio.list_layers(formats.gdal_path(path, "gpkg"))]
    except Exception as exc:  # GDAL's errors name no class we can rely on
        raise PlannerError(
            f"{path.name}: the GeoPackage cannot be opened ({str(exc).splitlines()[0]}) "
            f"/ เปิดไฟล์ GeoPackage ไม่ได้"
        ) from None


def _read_input(path: Path, role: str, catalog, *, source_layer=None, crs=None):
    """One layout input (site, canal or access) from a file, validated and reprojected
    into EPSG:32647; returns the frame and a note of the reprojection (or None)."""
    from gis.importing import read_and_validate

    if path.suffix.lower() not in _LAYOUT_SUFFIXES:
        raise PlannerError(
            f"{path.name}: the {role} file must be a GeoPackage (.gpkg) or GeoJSON (.geojson) "
            f"/ ไฟล์ต้องเป็น GeoPackage หรือ GeoJSON"
        )
    if source_layer is None and role != "site" and role in {n for n, _ in _file_layers(path)}:
        source_layer = role
    gdf, report = read_and_validate(
        path, layer=f"layout_{role}", catalog=catalog, crs=crs, source_layer=source_layer
    )
    allowed, what_en, what_th = _LAYOUT_KINDS[role]
    problems = [
        Problem(
            f"the {role} must be {what_en}; this feature is a {kind}",
            f"{what_th} แต่รายการนี้เป็น {kind}",
            file=report.file,
            layer=source_layer,
            feature=i,
            field="geometry",
        )
        for i, kind in enumerate(gdf.geom_type.astype(str))
        if kind not in allowed
    ]
    if problems:
        raise ValidationError(problems)
    note = None
    if report.source_crs and report.target_crs and report.source_crs != report.target_crs:
        where = f"{report.file}" + (f" (layer {source_layer})" if source_layer else "")
        note = f"{where}: {report.source_crs} → {report.target_crs}"
    return gdf, note


def _site_layer(path: Path, layers: list[tuple[str, str]]) -> str | None:
    names = [n for n, _ in layers]
    if not layers or "site" in names:
        return "site" if layers else None
    polygons = [n for n, t in layers if "Polygon" in t]
    if len(polygons) != 1:
        raise PlannerError(
            f"{path.name}: name the site layer 'site' (layers: {', '.join(names)}) "
            f"/ ตั้งชื่อชั้นข้อมูลขอบเขตที่ดินว่า site"
        )
    return polygons[0]


def _one_polygon(gdf, path: Path, site_layer) -> Polygon:
    parts = [(i, p) for i, g in enumerate(gdf.geometry) for p in getattr(g, "geoms", [g])]
    if len(parts) != 1:
        raise ValidationError(
            [
                Problem(
                    f"the site file holds {len(parts)} polygons; give exactly one site polygon",
                    f"ไฟล์มีรูปหลายเหลี่ยม {len(parts)} รูป ต้องมีขอบเขตที่ดินเพียงรูปเดียว",
                    file=path.name,
                    layer=site_layer,
                    feature=parts[1][0] if len(parts) > 1 else None,
                    field="geometry",
                )
            ]
        )
    return parts[0][1]


@dataclass
class ChosenSite:
    """The site `planner layout --site` names, and how it was found."""

    site: LayoutSite
    source: str  # the file and layer, or the store's community
    setback_how: str  # where the default setback comes from
    notes: list[str]  # reprojections made
    via_case: str | None = None  # the community a case ref stood for


def file_site(path: Path, catalog, *, households: int | None, crs=None, canal=None, access=None):
    """A site from a file (one polygon; a GeoPackage may hold `canal` and `access` layers
    beside it), with the canal and access files given."""
    if households is None:
        raise PlannerError(
            "--households is needed with a site file / ต้องระบุจำนวนครัวเรือน --households"
        )
    layers = _file_layers(path)
    site_layer = _site_layer(path, layers)
    gdf, note = _read_input(path, "site", catalog, source_layer=site_layer, crs=crs)
    names = {n for n, _ in layers}
    found = LayoutSite(
        path.stem, path.stem, path.stem, _one_polygon(gdf, path, site_layer),
        gpd.GeoSeries([], crs=CRS), 0.0, [], households, CRS,
    )  # fmt: skip
    chosen = ChosenSite(
        found,
        path.name + (f" (layer {site_layer})" if site_layer else ""),
        "default / ค่าเริ่มต้น",
        [note] if note else [],
    )
    canal = Path(canal) if canal else (path if "canal" in names else None)
    access = Path(access) if access else (path if "access" in names else None)
    return _with_files(chosen, catalog, canal, access)


def _with_files(chosen: ChosenSite, catalog, canal: Path | None, access: Path | None):
    """The site with the canal lines and access points of these files."""
    if canal is not None:
        table, note = _read_input(canal, "canal", catalog)
        chosen.notes += [note] if note else []
        chosen.site.canal = table.geometry
        chosen.site.setback_from_centreline_m = setback_from_centreline(
            table, default=FILE_SETBACK_M
        )
        chosen.setback_how = (
            "canal width_m / 2 + setback_m / ครึ่งความกว้างคลอง + ระยะถอยร่น"
            if {"width_m", "setback_m"} <= set(table.columns)
            else "default / ค่าเริ่มต้น"
        )
    if access is not None:
        table, note = _read_input(access, "access", catalog)
        chosen.notes += [note] if note else []
        chosen.site.access = [p for g in table.geometry for p in getattr(g, "geoms", [g])]
    return chosen


def choose_site(store_opener, spec: str, catalog, *, case_community, **files) -> ChosenSite:
    """`planner layout --site`: a site file (`file_site`), a community id of the layer
    store, or a case ref (`case_community(ref)` gives its community)."""
    if is_site_file(spec):
        return file_site(Path(spec), catalog, **files)
    store = store_opener()
    community_id, via_case = spec, None
    communities = store.read("communities") if store.has_layer("communities") else None
    if communities is None or spec not in set(communities["community_id"]):
        community_id = via_case = case_community(spec)
        if community_id is None:
            raise PlannerError(
                f"{spec!r} is neither a file nor a community id or case ref of "
                f"the store / ไม่พบไฟล์ ชุมชน หรือกรณี {spec!r}"
            )
    found = community_site(store, community_id)
    if files.get("households") is not None:
        found.households = files["households"]
    chosen = ChosenSite(
        found,
        f"store: communities {community_id}",
        "store: half the canal width + its setback / ครึ่งความกว้างคลอง + ระยะถอยร่น",
        [],
        via_case,
    )
    canal, access = files.get("canal"), files.get("access")
    return _with_files(chosen, catalog, canal and Path(canal), access and Path(access))


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
                "th": "{label} ต้องเป็นตัวเลข",
                "field": name,
            }
        )
        return default
    if not lo <= value <= hi:
        problems.append(
            {
                "en": f"{name} must be between {lo:g} and {hi:g}, not {value:g}",
                "th": f"{{label}} ต้องอยู่ระหว่าง {lo:g} ถึง {hi:g}",
                "field": name,
            }
        )
    return value


def _plot_types(data: dict, problems: list) -> list[PlotType]:
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
    plot_types = []
    for item in raw_types:
        item = item if isinstance(item, dict) else {}
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
    return plot_types


def parse_parameters(data, ws: LayoutSite, labels: dict[str, str] | None = None) -> dict:
    """The generator's parameters from a request, checked against gis.layout's
    PARAMETER_RANGES; every problem at once (LayoutRefused, 400). `labels`: the
    parameters' Thai names for the messages."""
    data = data if isinstance(data, dict) else {}
    problems: list[dict] = []
    households = max(ws.households, 1)
    params: dict[str, Any] = {
        "households": _number(data, "households", households, problems, 1, 5000, kind=int)
    }
    plot_types = _plot_types(data, problems)
    params["plot_types"] = [
        {
            "name": t.name,
            "width": t.width,
            "depth": t.depth,
            "label": {"th": t.label_th or t.name, "en": t.label_en or t.name},
        }
        for t in plot_types
    ]
    defaults = {
        "main_lane_width": 6.0,
        "lane_width": 4.0,
        "setback": ws.setback_from_centreline_m,
        "common_share": 0.10,
    }
    for name, default in defaults.items():
        params[name] = _number(data, name, default, problems, *PARAMETER_RANGES[name])
    params["options"] = _number(data, "options", DEFAULT_OPTIONS, problems, 2, 4, kind=int)
    params["seed"] = _number(data, "seed", 0, problems, 0, 2**31 - 1, kind=int)
    costs = data.get("unit_costs") if isinstance(data.get("unit_costs"), dict) else {}
    params["unit_costs"] = {
        name: _number(costs, name, default, problems, 0.0, 1e9)
        for name, default in DEFAULT_UNIT_COSTS.items()
    }
    if problems:
        for p in problems:
            p["th"] = p["th"].replace("{label}", (labels or {}).get(p["field"], p["field"]))
        raise _refused(
            problems,
            f"{len(problems)} parameter(s) are not right",
            f"ค่าที่ตั้งไว้ไม่ถูกต้อง {len(problems)} ข้อ",
        )
    params["_plot_types"] = plot_types
    return params


def public(params: dict) -> dict:
    """The parameters as answered (without the parsed plot types)."""
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


def generate_options(ws: LayoutSite, params: dict) -> list[Layout]:
    """The options gis.layout makes for the site with these parameters (ValidationError
    when none can be made, or when the site holds more plots than one run may lay out:
    a 1.2 km² site of 1.5 × 3 m plots once took 104 s and 386 MB)."""
    smallest = min(t.width * t.depth for t in params["_plot_types"])
    room = ws.site.area / smallest
    if room > MAX_PLOTS_ON_SITE:
        raise ValidationError(
            [
                Problem(
                    f"the site ({ws.site.area / 10_000:,.1f} ha) would hold about {room:,.0f} "
                    f"plots of {smallest:g} m², more than {MAX_PLOTS_ON_SITE:,} in one layout; "
                    "draw a smaller site or choose larger plots",
                    f"ที่ดิน ({ws.site.area / 10_000:,.1f} เฮกตาร์) จะมีแปลงขนาด {smallest:g} ตร.ม. "
                    f"ราว {room:,.0f} แปลง เกิน {MAX_PLOTS_ON_SITE:,} แปลงต่อผัง "
                    "กรุณาวาดขอบเขตที่เล็กลงหรือเลือกแปลงที่ใหญ่ขึ้น",
                    field="plot_types",
                )
            ]
        )
    return generate_layouts(
        ws.site,
        households=params["households"],
        canal=ws.canal if ws.canal is not None and len(ws.canal) else None,
        access=ws.access or None,
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


def generate(ws: LayoutSite, params: dict) -> list[Layout]:
    """`generate_options`, refused with every problem (LayoutRefused, 400) for the web."""
    try:
        return generate_options(ws, params)
    except ValidationError as exc:
        problems = [_problem_dict(p) for p in exc.problems]
        raise _refused(problems, "the layouts could not be made", "สร้างผังไม่ได้ด้วยค่าที่ตั้งไว้") from None


def broken_rules(layouts: list[Layout], ws: LayoutSite, setback: float) -> list[str]:
    """Every rule the generated options break ('option N: problem'); none is expected."""
    broken = []
    for lay in layouts:
        point = lay.pattern.get("access_point")
        access = [Point(point)] if point is not None else ws.access
        for p in check(lay, ws, setback, access):
            broken.append(f"option {lay.option}: {p['en']} / {p['th']}")
    return broken


# ------------------------------------------------------------------ an edited layout in


def _shape(geometry, crs: str):
    if not isinstance(geometry, dict):
        raise ValueError("no geometry")
    if crs == CRS:
        geom = shape(geometry)
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"a {geom.geom_type}, not a polygon")
        if shapely.get_num_coordinates(geom) > MAX_FEATURE_VERTICES:
            raise ValueError(f"more than {MAX_FEATURE_VERTICES:,} vertices")
        if geom.is_empty or not geom.is_valid:
            raise ValueError(shapely.is_valid_reason(geom))
        return geom
    return services.geometry_from_geojson(
        geometry,
        allowed=("Polygon", "MultiPolygon"),
        what={"en": "layout part", "th": "ส่วนของผัง"},
    )


def _read_feature(i: int, feature, crs: str, types: dict, spare: bool, out: dict) -> dict | None:
    """Put one sent feature into out["plot"|"lane"|"open_space"]; a problem, or None."""
    if not isinstance(feature, dict):
        return {
            "en": f"feature {i}: not a GeoJSON feature",
            "th": f"ส่วนที่ {i}: ไม่ใช่ feature ของ GeoJSON",
            "feature": i,
            "field": "features",
        }
    props = feature.get("properties")
    props = props if isinstance(props, dict) else {}
    layer = props.get("layer")
    try:
        geom = _shape(feature.get("geometry"), crs)
    except (
        ValueError,
        TypeError,
        AttributeError,
        KeyError,
        IndexError,
        shapely.errors.ShapelyError,
        DomainError,
    ) as exc:
        return {
            "en": f"feature {i}: not a valid polygon ({exc})",
            "th": f"ส่วนที่ {i}: รูปเรขาคณิตไม่ถูกต้อง",
            "feature": i,
            "field": "geometry",
        }
    if layer == "plot":
        if geom.geom_type != "Polygon":
            return {"en": f"plot {i} must be one polygon", "th": "แปลงต้องเป็นรูปเดียว", "feature": i}
        plot_type = str(props.get("plot_type") or "")
        size = types.get(plot_type, {})
        out["plot"].append(
            {
                "plot_no": str(props.get("plot_no") or "").strip(),
                "plot_type": plot_type,
                "width_m": float(size.get("width", 0) or 0),
                "depth_m": float(size.get("depth", 0) or 0),
                "lane_id": str(props.get("lane_id") or ""),
                "geometry": geom,
            }
        )
    elif layer == "lane":
        lane_id = str(props.get("lane_id") or f"lane-{i}")[:36]
        kind = str(props.get("kind") or "secondary")
        out["lane"].append({"lane_id": lane_id, "kind": kind, "geometry": geom})
    elif layer == "open_space":
        if props.get("kind") == "common" or (spare and props.get("kind") == "spare"):
            out["open_space"].append({"kind": props["kind"], "geometry": geom})
    else:
        return {
            "en": f"feature {i}: layer must be plot, lane or open_space",
            "th": f"ส่วนที่ {i}: ต้องเป็นแปลง ซอย หรือพื้นที่ส่วนกลาง",
            "feature": i,
            "field": "layer",
        }
    return None


def _check_plot_numbers(plots: list[dict]) -> None:
    nos = [p["plot_no"] for p in plots]
    if any(not no for no in nos) or len(set(nos)) != len(nos):
        raise _bad("every plot needs its own number", "ทุกแปลงต้องมีเลขแปลงไม่ซ้ำกัน", "plot_no")
    odd = next(
        (
            no
            for no in nos
            if not (no.isascii() and no.isdigit() and len(no) <= 9 and 0 < int(no) <= MAX_PLOT_NO)
        ),
        None,
    )
    if odd is not None:
        # The workshop numbers plots 1, 2, 3...; the printed sheet and its labels need that.
        raise InvalidInput(
            f"plot_no must be a whole number from 1 to {MAX_PLOT_NO}, not {odd[:20]!r}",
            f"เลขแปลง (plot_no) ต้องเป็นจำนวนเต็ม 1 ถึง {MAX_PLOT_NO} ไม่ใช่ {odd[:20]!r}",
            field="plot_no",
        )


def _frame(rows: list[dict], columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows or None, columns=columns, geometry="geometry", crs=CRS)


def _lane_rows(lanes: list[dict]) -> list[dict]:
    """Lanes with their width and length (the sides of their minimum rotated rectangle)."""
    rows = []
    for lane in lanes:
        rect = np.asarray(shapely.minimum_rotated_rectangle(lane["geometry"]).exterior.coords)
        sides = sorted([np.hypot(*(rect[1] - rect[0])), np.hypot(*(rect[2] - rect[1]))])
        rows.append({**lane, "width_m": round(sides[0], 3), "length_m": sides[1]})
    return rows


def _sent_features(body: dict) -> tuple[str, list]:
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
    vertices = _vertex_count(raw)
    if vertices > MAX_LAYOUT_VERTICES:
        raise _bad(
            f"the layout has {vertices:,} vertices, more than {MAX_LAYOUT_VERTICES:,}",
            f"ผังมีจุดยอด {vertices:,} จุด เกิน {MAX_LAYOUT_VERTICES:,} จุด",
            "features",
        )
    return crs, raw


def _vertex_count(raw: list) -> int:
    """Coordinate pairs in the features sent, counted before any geometry is built."""
    count, stack = 0, [f.get("geometry") for f in raw if isinstance(f, dict)]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.append(item.get("coordinates"))
            stack.extend(item.get("geometries") or [])
        elif isinstance(item, list):
            if item and all(isinstance(v, (int, float)) for v in item):
                count += 1
            else:
                stack.extend(item)
    return count


def parse_layout(body: dict, params: dict, *, spare: bool = False) -> tuple[Layout, list[dict]]:
    """The layout a request sends (plots, lanes, common space), as a gis Layout, and the
    parts to store as the case's plots. `spare`: keep spare open space in the Layout too
    (for printing; it is never stored)."""
    crs, raw = _sent_features(body)
    types = {t["name"]: t for t in params["plot_types"]}
    out: dict[str, list] = {"plot": [], "lane": [], "open_space": []}
    problems = [p for i, f in enumerate(raw) if (p := _read_feature(i, f, crs, types, spare, out))]
    if problems:
        raise _refused(problems, "the layout could not be read", "อ่านข้อมูลผังไม่ได้", "features")
    plots, lanes = out["plot"], out["lane"]
    _check_plot_numbers(plots)
    plots_gdf = _frame(plots, ["plot_no", "plot_type", "width_m", "depth_m", "lane_id", "geometry"])
    plots_gdf["area_m2"] = plots_gdf.geometry.area
    parts = {
        kind: [part for s in out["open_space"] if s["kind"] == kind for part in shapely.get_parts(s["geometry"])]
        for kind in ("common", "spare")
    }  # fmt: skip
    spaces = [("common", g) for g in parts["common"]] + [("spare", g) for g in parts["spare"]]
    open_gdf = _frame(
        [
            {"space_id": i + 1, "kind": kind, "area_m2": g.area, "geometry": g}
            for i, (kind, g) in enumerate(spaces)
        ],
        ["space_id", "kind", "area_m2", "geometry"],
    )
    name = body.get("name") if isinstance(body.get("name"), dict) else {}
    layout = Layout(
        option=_number(body, "option", 0, [], 0, 99, kind=int),
        name={"th": str(name.get("th") or ""), "en": str(name.get("en") or "")},
        angle_deg=0.0,
        pattern={},
        plots=plots_gdf,
        lanes=_frame(_lane_rows(lanes), ["lane_id", "kind", "width_m", "length_m", "geometry"]),
        open_space=open_gdf,
    )
    stored = (
        [{"plot_no": p["plot_no"], "kind": "plot", "geometry": p["geometry"]} for p in plots]
        + [{"plot_no": f"L-{x['lane_id']}", "kind": "lane", "geometry": x["geometry"]} for x in lanes]
        + [{"plot_no": f"C-{i + 1}", "kind": "common", "geometry": g} for i, g in enumerate(parts["common"])]
    )  # fmt: skip
    return layout, stored


# ------------------------------------------------------------------ checking


def plot_rule_problems(layout: Layout, site) -> list[dict]:
    """The drawing rules every plot keeps (`cases.services.plot_problems`, the rule set the
    plot API uses): valid, inside the site, no overlap with another plot."""
    plots = list(zip(layout.plots["plot_no"].astype(str), layout.plots.geometry, strict=True))
    return [
        {
            "en": p.en,
            "th": p.th,
            "layer": "plots",
            "feature": p.plot_no or None,
            "field": "geometry",
            "rule": p.rule,
            "other_plot": p.other_plot,
            "spot": p.as_dict()["spot"],
        }
        for p in services.plot_problems(plots, site)
    ]


def check(layout: Layout, ws: LayoutSite, setback: float, access) -> list[dict]:
    """The plots' drawing rules (`plot_rule_problems`) and the layout's own invariants
    (`gis.layout.layout_problems`: setback, lanes, frontage, access), as JSON-ready
    problems."""
    try:
        problems = layout_problems(
            layout,
            ws.site,
            canal=ws.canal if len(ws.canal) else None,
            setback=setback,
            access=list(access),
            plot_rules=False,
        )
        rules = plot_rule_problems(layout, ws.site)
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
    return rules + [_problem_dict(p) for p in problems]


def metrics(layout: Layout, ws: LayoutSite, params: dict) -> dict:
    """`gis.layout.layout_metrics` for a layout, as plain JSON values."""
    return _plain(
        layout_metrics(
            layout.plots,
            layout.lanes,
            layout.open_space,
            ws.site,
            params["households"],
            params["unit_costs"],
            common_share=params.get("common_share"),
        )
    )


def access_for(body: dict, ws: LayoutSite) -> list[Point]:
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


def _site_of(uow, store, user, case_id: int) -> tuple[dict, LayoutSite]:
    ctx = services.layout_context(uow, user, case_id)
    return ctx, case_site(store, ctx["case"], ctx["community"])


# The sites the live check used lately: reading the layers costs more than checking a layout.
# Keyed by the store, the case and its version; kept a minute (a save reads afresh).
_SITES: dict[tuple, tuple[float, LayoutSite]] = {}
SITE_CACHE_SECONDS = 60.0


def _recent_site(store, case, community) -> LayoutSite:
    key = (id(store), case.id, case.version, case.community_id)
    now = time.monotonic()
    hit = _SITES.get(key)
    if hit is not None and now - hit[0] < SITE_CACHE_SECONDS:
        return hit[1]
    ws = case_site(store, case, community)
    for old in [k for k, (t, _) in _SITES.items() if now - t >= SITE_CACHE_SECONDS]:
        _SITES.pop(old, None)
    if len(_SITES) < 64:
        _SITES[key] = (now, ws)
    return ws


def check_edited(uow, store, user, case_id: int, body: dict, labels=None) -> dict:
    """The verdict on an edited layout, as the workshop page asks after every edit: every
    broken invariant (`layout_problems`) and the layout's metrics; nothing is saved."""
    ctx = services.layout_context(uow, user, case_id)
    ws = _recent_site(store, ctx["case"], ctx["community"])
    params = parse_parameters(body.get("parameters"), ws, labels)
    layout, _ = parse_layout(body, params)
    problems = check(layout, ws, params["setback"], access_for(body, ws))
    return {"problems": problems, "metrics": metrics(layout, ws, params)}


def layout_options(uow, store, user, case_id: int, data, labels=None) -> dict:
    """The options for a case's land with these parameters (nothing is saved)."""
    ctx, ws = _site_of(uow, store, user, case_id)
    params = parse_parameters(data, ws, labels)
    case = ctx["case"]
    return {
        "case": {
            "id": case.id,
            "ref": case.ref,
            "version": case.version,
            "can_edit": ctx["can_edit"],
        },
        "parameters": public(params),
        **site_payload(ws, params["setback"]),
        "options": [layout_json(lay) for lay in generate(ws, params)],
    }


# ------------------------------------------------------------------ saving


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


def save_layout(uow, store, user, case_id: int, body: dict, labels=None):
    """Save the layout a community agreed to its case: checked here with
    `layout_problems` (any problem refuses it, 400), then its plots, lanes and common
    space replace the case's plots and the decision is recorded, in one unit of work.
    Who may save is settled first: 403, not 400, for a viewer."""
    case = services.require_layout_edit(uow, user, case_id)
    ctx = services.layout_context(uow, user, case_id)
    ws = case_site(store, case, ctx["community"])
    params = parse_parameters(body.get("parameters"), ws, labels)
    layout, parts = parse_layout(body, params)
    if layout.plots.empty:
        raise _bad(
            "a layout to save needs at least one plot",
            "ผังที่จะบันทึกต้องมีแปลงอย่างน้อยหนึ่งแปลง",
            "features",
        )
    access = access_for(body, ws)
    name = layout.name
    return services.record_layout_decision(
        uow,
        user,
        case_id,
        expected_version=body.get("version"),
        option_name=name.get("th") or name.get("en") or f"{layout.option}",
        features=parts,
        agreed_by=str(body.get("agreed_by") or ""),
        agreed_on=_agreed_on(body.get("agreed_on")),
        note=str(body.get("note") or ""),
        metrics=metrics(layout, ws, params),
        parameters={
            **public(params),
            "option": {"option": layout.option, "name": name},
            "access_point": [access[0].x, access[0].y] if access else None,
            "edits": _edits(body.get("edits")),
        },
        problems=check(layout, ws, params["setback"], access),
        confirm_replace=body.get("confirm_replace") is True,
    )


# ------------------------------------------------------------------ printing


def print_layouts(uow, store, user, case_id: int, body: dict, labels=None):
    """The options the parameters make, each as adjusted by hand where the request sends
    it, for printing; returns the case, its site, the parameters and the layouts."""
    ctx, ws = _site_of(uow, store, user, case_id)
    params = parse_parameters(body.get("parameters"), ws, labels)
    layouts = generate(ws, params)
    edited = {}
    options = body.get("options")
    if options is not None and not isinstance(options, list):
        raise _bad("options must be a list of layouts", "options ต้องเป็นรายการผัง", "options")
    for item in options or []:
        if isinstance(item, dict) and isinstance(item.get("features"), (list, dict)):
            edited[_number(item, "option", 0, [], 0, 99, kind=int)] = item
    for lay in layouts:
        item = edited.get(lay.option)
        if item is None:
            continue
        sent = {"crs": CRS, "features": item["features"], "option": lay.option}
        mine, _ = parse_layout(sent, params, spare=True)
        lay.plots, lay.lanes, lay.open_space = mine.plots, mine.lanes, mine.open_space
        lay.metrics = metrics(mine, ws, params)
    return ctx["case"], ws, params, layouts


def layout_sheets(uow, store, user, case_id: int, body: dict, labels, *, lang, progress=None):
    """The compared options as the A3 PDF (`gis.report.layout_pdf`): the case and the PDF
    bytes. One use case for the workshop page's print button and its background job."""
    from gis.report.layout_pdf import layout_pdf

    case, ws, params, layouts = print_layouts(uow, store, user, case_id, body, labels)
    name = {"th": ws.name_th, "en": ws.name_en}
    pdf = layout_pdf(
        layouts,
        ws.site,
        canal=ws.canal if len(ws.canal) else None,
        setback=params["setback"],
        title_th=f"ทางเลือกผังชุมชน {name['th']}",
        title_en=f"Layout options: {name['en']}",
        lang=lang,
        site_id=case.ref,
        parameters={
            "plot_types": params["_plot_types"],
            **{k: params[k] for k in ("main_lane_width", "lane_width", "setback")},
            **{k: params[k] for k in ("common_share", "seed")},
            "source": f"{case.ref} · {name[lang]}",
        },
        progress=progress,
    )
    return case, pdf
