"""Catalogue styles turned into Leaflet path options, shared by every map we draw."""

from __future__ import annotations

from typing import Any


def feature_style(style: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """Leaflet path options for one feature, following the catalogue's `classify`."""
    out = {
        "color": style.get("color", "#3388ff"),
        "weight": style.get("weight", 1),
        "fillColor": style.get("fill_color", style.get("color", "#3388ff")),
        "fillOpacity": style.get("fill_opacity", 0.3),
    }
    if style.get("dash_array"):
        out["dashArray"] = style["dash_array"]
    classify = style.get("classify")
    if classify:
        value = properties.get(classify["field"])
        for cls in classify["classes"]:
            if value in cls["values"]:
                out["fillColor"] = cls["fill_color"]
                if cls.get("pattern") == "hatch":
                    out["color"] = cls.get("pattern_color", out["color"])
                break
    return out


def legend_items(style: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(colour, label) pairs of a layer's legend in `lang`."""
    if style.get("classify"):
        return [(c["fill_color"], c["label"][lang]) for c in style["classify"]["classes"]]
    if style.get("ramp"):
        return [(c["color"], c["label"][lang]) for c in style["ramp"]]
    return [(style.get("fill_color", style.get("color", "#3388ff")), "")]


def legend_label(label: dict[str, str]) -> str:
    """One legend label in both languages, Thai first: "ไทย / English"."""
    th, en = label.get("th", ""), label.get("en", "")
    return f"{th} / {en}" if th and en and th != en else th or en
