"""Offline folium maps of catalogue layers, for notebooks and saved HTML.

folium loads Leaflet, jQuery and Bootstrap from CDNs by default. Workshop
laptops have no internet, so these maps inline the vendored Leaflet instead
and load nothing else.
"""

from __future__ import annotations

import base64
from collections.abc import Collection
from functools import cache

import folium
import geopandas as gpd

from gis.catalog import Catalog
from gis.layers import bounds_to_wgs84, dates_to_iso
from gis.paths import VENDOR_DIR
from gis.style import feature_style, legend_items


@cache
def _data_uri(relative: str, mime: str) -> str:
    payload = base64.b64encode((VENDOR_DIR / relative).read_bytes()).decode("ascii")
    return f"data:{mime};base64,{payload}"


def offline_map(**kwargs) -> folium.Map:
    """A folium Map with no tiles and no request leaving the machine."""
    kwargs.setdefault("tiles", None)
    kwargs.setdefault("prefer_canvas", True)
    fmap = folium.Map(**kwargs)
    fmap.default_js = [("leaflet", _data_uri("leaflet/leaflet.js", "text/javascript"))]
    fmap.default_css = [("leaflet_css", _data_uri("leaflet/leaflet.css", "text/css"))]
    return fmap


# The layers a map opens on when they are loaded; otherwise every loaded layer.
FOCUS_LAYERS = ("communities",)


def union_bounds(boxes) -> list[float] | None:
    """The box around the given [west, south, east, north] boxes (None ones skipped)."""
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]


def initial_bounds(store, names=None) -> list[float] | None:
    """Where a map opens (WGS 84 [west, south, east, north]): the loaded communities,
    else every loaded vector layer of `names` (default: all); None on an empty store.
    Nothing assumes the Khlong Prem corridor: a store of Khon Kaen data opens there."""
    stored = [n for n in store.layer_names() if names is None or n in names]
    boxes = {}
    for name in stored:
        info = store.info(name)
        if info.feature_count:
            boxes[name] = bounds_to_wgs84(info.bounds, info.crs)
    focus = union_bounds(boxes.get(n) for n in FOCUS_LAYERS)
    return focus or union_bounds(boxes.values())


def corridor_map(
    layers: dict[str, gpd.GeoDataFrame],
    catalog: Catalog,
    *,
    lang: str = "th",
    drop_fields: Collection[str] = (),
) -> folium.Map:
    """Every given layer on one offline map, styled and labelled from the catalogue.

    Columns named in `drop_fields` (personal data the reader may not see) are left out
    of the map's data and pop-ups; which layers to pass in is the caller's decision."""
    fmap = offline_map()
    bounds = everything = None
    for entry in catalog:
        gdf = layers.get(entry.name)
        if gdf is None or entry.kind != "vector":
            continue
        gdf = gdf.drop(
            columns=[c for c in gdf.columns if c in drop_fields and c != gdf.geometry.name]
        )
        gdf = dates_to_iso(gdf.to_crs("EPSG:4326"))
        fields = [f for f in entry.fields if f in gdf.columns]
        style = entry.style
        title = entry.title[lang] + ("" if entry.status == "real" else f" ({entry.status})")
        folium.GeoJson(
            gdf,
            name=title,
            style_function=lambda feature, style=style: feature_style(style, feature["properties"]),
            marker=folium.CircleMarker(radius=style.get("radius", 5))
            if entry.geometry_type == "Point"
            else None,
            popup=folium.GeoJsonPopup(
                fields=fields, aliases=[entry.fields[f].label[lang] for f in fields]
            ),
        ).add_to(fmap)
        if entry.name in (*FOCUS_LAYERS, "canal_centreline") and not gdf.empty:
            bounds = union_bounds([bounds, list(gdf.total_bounds)])
        elif not gdf.empty:
            everything = union_bounds([everything, list(gdf.total_bounds)])
    folium.LayerControl(collapsed=False).add_to(fmap)
    bounds = bounds or everything  # no corridor: whatever is loaded, anywhere in Thailand
    if bounds is not None:
        fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    zoning = catalog.layers.get("zoning")
    if zoning is not None:
        rows = "".join(
            f'<div><span style="display:inline-block;width:14px;height:14px;background:{color};'
            f'border:1px solid #555;margin-right:6px"></span>{label}</div>'
            for color, label in legend_items(zoning.style, lang)
        )
        legend = (
            '<div style="position:fixed;bottom:20px;left:20px;z-index:9999;background:white;'
            f'padding:8px;font-size:12px;border:1px solid #999">{rows}</div>'
        )
        fmap.get_root().html.add_child(folium.Element(legend))
    return fmap
