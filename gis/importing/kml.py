"""KML and KMZ (Google Earth): placemarks, their folders and extended data, parsed with
a hardened XML parser (defusedxml: no DTDs, entities or external references)."""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gis.importing.report import refuse


def read_kml_bytes(raw: bytes, *, label: str) -> gpd.GeoDataFrame:
    """Placemarks of a (Google Earth) KML, parsed with a hardened XML parser."""
    root = _parse(raw, label)
    rows: list[dict[str, Any]] = []
    geoms: list = []
    try:
        _walk(root, [], rows, geoms)
    except (ValueError, shapely.errors.GEOSException) as exc:
        raise refuse(
            label,
            f"a placemark's coordinates cannot be read (not numbers, or too few points "
            f"for its shape): {str(exc)[:120]}",
            "อ่านพิกัดของหมุด (placemark) ไม่ได้ (ไม่ใช่ตัวเลขหรือจุดไม่พอ)",
            feature=len(rows),
            field="coordinates",
        ) from None
    df = pd.DataFrame(rows)
    for col in df.columns:
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms), crs="EPSG:4326")


def _parse(raw: bytes, label: str):
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        return DET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise refuse(
            label,
            f"the KML declares a DTD or XML entities, which are refused for safety "
            f"(entity expansion / external entities): {type(exc).__name__}",
            "ไฟล์ KML มีการประกาศ DTD หรือ entity ซึ่งไม่รับเพื่อความปลอดภัย",
        ) from None
    except Exception as exc:
        raise refuse(
            label,
            f"the KML is not well-formed XML (corrupt or truncated): {exc}",
            "ไฟล์ KML ไม่ใช่ XML ที่ถูกต้อง (เสียหายหรือไม่สมบูรณ์)",
        ) from None


def _walk(el, folders: list[str], rows: list, geoms: list) -> None:
    """Placemarks under `el`, each with the path of the folders it sits in."""
    for child in el:
        tag = _strip_ns(child.tag)
        if tag in ("Folder", "Document"):
            name = None
            for c in child:
                if _strip_ns(c.tag) == "name":
                    name = (c.text or "").strip()
                    break
            _walk(child, folders + [name] if tag == "Folder" and name else folders, rows, geoms)
        elif tag == "Placemark":
            props, geom = _placemark(child)
            props["folder"] = "/".join(folders) if folders else None
            rows.append(props)
            geoms.append(geom)


def _placemark(el) -> tuple[dict[str, Any], Any]:
    props: dict[str, Any] = {"name": None, "description": None}
    geom = None
    for c in el:
        ctag = _strip_ns(c.tag)
        if ctag == "name":
            props["name"] = (c.text or "").strip()
        elif ctag == "description":
            text = c.text or ""
            props["description"] = _html_to_text(text) if "<" in text else text.strip()
        elif ctag == "ExtendedData":
            for d in c.iter():
                dtag = _strip_ns(d.tag)
                if dtag in ("Data", "SimpleData") and d.get("name"):
                    value = (_find_text(d, "value") if dtag == "Data" else d.text) or ""
                    props[d.get("name")] = value.strip()
        elif ctag in _KML_GEOMS:
            geom = _kml_geometry(c)
    return props, geom


_KML_NS = "{http://www.opengis.net/kml/2.2}"


def _strip_ns(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kml_coords(text: str | None) -> list[tuple[float, float]]:
    pts = []
    for token in (text or "").split():
        parts = token.split(",")
        if len(parts) >= 2:
            pts.append((float(parts[0]), float(parts[1])))
    return pts


def _kml_geometry(el):
    tag = _strip_ns(el.tag)
    if tag == "Point":
        c = _kml_coords(_find_text(el, "coordinates"))
        return shapely.Point(c[0]) if c else None
    if tag == "LineString":
        c = _kml_coords(_find_text(el, "coordinates"))
        return shapely.LineString(c) if len(c) >= 2 else None
    if tag == "Polygon":
        outer = None
        holes = []
        for child in el.iter():
            ctag = _strip_ns(child.tag)
            if ctag in ("outerBoundaryIs", "innerBoundaryIs"):
                ring = _kml_coords(_find_text(child, "coordinates"))
                if ctag == "outerBoundaryIs":
                    outer = ring
                else:
                    holes.append(ring)
        return shapely.Polygon(outer, holes) if outer and len(outer) >= 3 else None
    if tag == "MultiGeometry":
        parts = [_kml_geometry(c) for c in el if _strip_ns(c.tag) in _KML_GEOMS]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        kinds = {p.geom_type for p in parts}
        if kinds == {"Polygon"}:
            return shapely.MultiPolygon(parts)
        if kinds == {"LineString"}:
            return shapely.MultiLineString(parts)
        if kinds == {"Point"}:
            return shapely.MultiPoint(parts)
        return shapely.GeometryCollection(parts)
    return None


_KML_GEOMS = ("Point", "LineString", "Polygon", "MultiGeometry")


def _find_text(el, name: str) -> str | None:
    for child in el.iter():
        if _strip_ns(child.tag) == name:
            return child.text
    return None


def _html_to_text(html: str) -> str:
    from html.parser import HTMLParser

    chunks: list[str] = []

    class P(HTMLParser):
        def handle_data(self, data):
            chunks.append(data)

        def handle_starttag(self, tag, attrs):
            if tag in ("br", "p", "tr", "li", "div"):
                chunks.append("\n")

    P().feed(html)
    return re.sub(r"\n\s*\n+", "\n", "".join(chunks)).strip()
