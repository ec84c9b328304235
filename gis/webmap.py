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
from gis.layers import dates_to_iso
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
    bounds = None
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
        if entry.name in ("communities", "canal_centreline"):
            b = gdf.total_bounds
            bounds = (
                b
                if bounds is None
                else [
                    min(bounds[0], b[0]),
                    min(bounds[1], b[1]),
                    max(bounds[2], b[2]),
                    max(bounds[3], b[3]),
                ]
            )
    folium.LayerControl(collapsed=False).add_to(fmap)
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
