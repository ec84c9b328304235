"""Catalogue styles as QGIS QML, the style QGIS loads by default from a GeoPackage.

`style_qml(entry)` gives the QML document of one vector layer: a categorized renderer
(`categorizedSymbol`) on the catalogue's `classify` field, or a single symbol, with
legend labels "ไทย / English", field aliases from the catalogue, and a value map that
shows each stored code of a coded field in words. Leaflet sizes (px)
become millimetres at 96 dpi, as QGIS draws them on screen and in print.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from gis.style import legend_label

MM_PER_PX = 25.4 / 96
_GEOMETRY = {"Point": ("marker", 0), "LineString": ("line", 1), "Polygon": ("fill", 2)}
DEFAULT_COLOR = "#3388ff"
OTHER_LABEL = {"th": "ค่าอื่น ๆ", "en": "Other values"}


def qgis_color(color: str, opacity: float = 1.0) -> str:
    """'#RRGGBB' and an opacity as QGIS's 'r,g,b,a'."""
    c = color.lstrip("#")
    rgb = ",".join(str(int(c[i : i + 2], 16)) for i in (0, 2, 4))
    return f"{rgb},{round(max(0.0, min(1.0, float(opacity))) * 255)}"


def _mm(px: float) -> str:
    return f"{float(px) * MM_PER_PX:.3g}"


def _dash(dash_array: str) -> str:
    return ";".join(_mm(float(v)) for v in dash_array.replace(",", " ").split())


def _layer(parent: ET.Element, cls: str, props: dict[str, str]) -> ET.Element:
    layer = ET.SubElement(parent, "layer", {"class": cls, "enabled": "1", "pass": "0"})
    layer.set("locked", "0")
    options = ET.SubElement(layer, "Option", type="Map")
    for key, value in props.items():
        ET.SubElement(options, "Option", name=key, value=str(value), type="QString")
    return layer


def _symbol(parent: ET.Element, name: str, kind: str) -> ET.Element:
    return ET.SubElement(
        parent,
        "symbol",
        name=name,
        type=kind,
        alpha="1",
        clip_to_extent="1",
        force_rhr="0",
    )


def _line_props(color: str, weight: float, dash: str | None) -> dict[str, str]:
    props = {
        "line_color": qgis_color(color),
        "line_width": _mm(weight),
        "line_width_unit": "MM",
        "line_style": "solid",
        "capstyle": "round",
        "joinstyle": "round",
        "use_custom_dash": "1" if dash else "0",
    }
    if dash:
        props |= {"customdash": _dash(dash), "customdash_unit": "MM"}
    return props


def add_symbol(
    parent: ET.Element, name: str, geometry_type: str, style: dict[str, Any], fill: str, **cls
) -> ET.Element:
    """One QGIS symbol drawing the catalogue `style`, filled with `fill`.

    `cls` is a classify class: `pattern: hatch` adds 45° lines in its `pattern_color`,
    which also draws the outline (as on the web map)."""
    kind = _GEOMETRY[geometry_type][0]
    stroke = style.get("color", DEFAULT_COLOR)
    weight = style.get("weight", 1)
    opacity = style.get("fill_opacity", 0.3)
    dash = style.get("dash_array")
    symbol = _symbol(parent, name, kind)
    if kind == "line":
        _layer(symbol, "SimpleLine", _line_props(stroke, weight, dash))
        return symbol
    if kind == "marker":
        _layer(
            symbol,
            "SimpleMarker",
            {
                "name": "circle",
                "color": qgis_color(fill, opacity),
                "outline_color": qgis_color(stroke),
                "outline_width": _mm(weight),
                "outline_width_unit": "MM",
                "outline_style": "solid",
                "size": _mm(2 * style.get("radius", 6)),
                "size_unit": "MM",
            },
        )
        return symbol
    hatch = cls.get("pattern") == "hatch"
    if hatch:
        stroke = cls.get("pattern_color", stroke)
    _layer(
        symbol,
        "SimpleFill",
        {
            "color": qgis_color(fill, opacity),
            "style": "solid" if opacity > 0 else "no",
            "outline_color": qgis_color(stroke),
            "outline_width": _mm(weight),
            "outline_width_unit": "MM",
            "outline_style": "no" if dash else "solid",
            "joinstyle": "round",
        },
    )
    if hatch:
        pattern = _layer(
            symbol,
            "LinePatternFill",
            {"angle": "45", "distance": "1.5", "distance_unit": "MM", "color": qgis_color(stroke)},
        )
        lines = _symbol(pattern, f"@{name}@1", "line")
        _layer(lines, "SimpleLine", _line_props(stroke, 1, None))
    if dash:
        _layer(symbol, "SimpleLine", _line_props(stroke, weight, dash))
    return symbol


def _renderer(root: ET.Element, geometry_type: str, style: dict[str, Any]) -> None:
    base_fill = style.get("fill_color", style.get("color", DEFAULT_COLOR))
    classify = style.get("classify")
    if not classify:
        renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol")
        _renderer_flags(renderer)
        add_symbol(ET.SubElement(renderer, "symbols"), "0", geometry_type, style, base_fill)
        return
    renderer = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr=classify["field"])
    _renderer_flags(renderer)
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    classes = list(classify["classes"])
    for i, cls in enumerate(classes):
        cat = ET.SubElement(
            categories, "category", symbol=str(i), render="true", label=legend_label(cls["label"])
        )
        values = [str(v) for v in cls["values"]]
        if len(values) == 1:
            cat.set("value", values[0])
        else:  # one legend entry for several codes, as QGIS writes merged categories
            for v in values:
                ET.SubElement(cat, "val", value=v)
        extra = {k: cls[k] for k in ("pattern", "pattern_color") if k in cls}
        add_symbol(symbols, str(i), geometry_type, style, cls["fill_color"], **extra)
    # QGIS draws a value no class names with the "" category ("all other values").
    n = str(len(classes))
    ET.SubElement(
        categories, "category", symbol=n, value="", render="true", label=legend_label(OTHER_LABEL)
    )
    add_symbol(symbols, n, geometry_type, style, base_fill)
    source = ET.SubElement(renderer, "source-symbol")
    add_symbol(source, "0", geometry_type, style, base_fill)


def _renderer_flags(renderer: ET.Element) -> None:
    for key, value in (
        ("symbollevels", "0"),
        ("enableorderby", "0"),
        ("forceraster", "0"),
        ("referencescale", "-1"),
    ):
        renderer.set(key, value)


def _value_maps(root: ET.Element, entry) -> None:
    """A value-map widget for each coded field (catalogue `values`): QGIS's attribute
    table and forms show "ไทย / English" where the stored code is, and keep the code."""
    coded = [spec for spec in entry.fields.values() if spec.values]
    if not coded:
        return
    config = ET.SubElement(root, "fieldConfiguration")
    for spec in coded:
        field = ET.SubElement(config, "field", name=spec.name, configurationFlags="None")
        widget = ET.SubElement(field, "editWidget", type="ValueMap")
        options = ET.SubElement(ET.SubElement(widget, "config"), "Option", type="Map")
        items = ET.SubElement(options, "Option", name="map", type="List")
        for code, words in spec.values.items():
            item = ET.SubElement(items, "Option", type="Map")
            ET.SubElement(item, "Option", name=legend_label(words), value=str(code), type="QString")


def style_qml(entry) -> str:
    """The QML document of a vector layer's catalogue entry (`gis.catalog.LayerEntry`)."""
    if entry.geometry_type not in _GEOMETRY:
        raise ValueError(f"layer {entry.name}: no QML for geometry type {entry.geometry_type}")
    root = ET.Element("qgis", version="3.22.0", styleCategories="Symbology|Fields|Legend")
    _renderer(root, entry.geometry_type, entry.style or {})
    ET.SubElement(root, "legend", type="default-vector", showLabelLegend="0")
    _value_maps(root, entry)
    aliases = ET.SubElement(root, "aliases")
    for i, spec in enumerate(entry.fields.values()):
        ET.SubElement(
            aliases, "alias", field=spec.name, index=str(i), name=legend_label(spec.label)
        )
    ET.SubElement(root, "layerGeometryType").text = str(_GEOMETRY[entry.geometry_type][1])
    ET.indent(root, space=" ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )
