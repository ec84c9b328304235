"""Exporters: what QGIS and spreadsheets open.

`export_layers(store, catalog, names, fmt=..., out=...)` writes one file (or a
zip for shapefiles / several layers of a one-layer format). GeoPackages carry the
catalogue styles in a `layer_styles` table (QML and SLD) so QGIS opens them styled.
"""

from __future__ import annotations

import html
import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from gis.catalog import Catalog
from gis.errors import PlannerError
from gis.qml import style_qml

EXPORT_FORMATS = ("gpkg", "shp", "geojson", "kml", "csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The layers and fields open data may hold. Which fields are personal is not decided
# here: the app passes them in as `drop_fields` (from cases/privacy.py).
OPEN_DATA_LAYERS = ("communities",)
OPEN_DATA_KEEP = {
    "communities": (
        "community_id",
        "name_th",
        "name_en",
        "province_code",
        "district_code",
        "subdistrict_code",
        "area_en",
        "area_th",
        "province_th",
        "bank",
        "households_total",
        "households_agreed",
    )
}


def shapefile_names(columns: list[str]) -> dict[str, str]:
    """Unique DBF field names of at most 10 characters for `columns`."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        short = col[:10]
        n = 1
        while short.lower() in used:
            suffix = f"_{n}"
            short = col[: 10 - len(suffix)] + suffix
            n += 1
        used.add(short.lower())
        out[col] = short
    return out


def neutralise_formula(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def open_data_frame(
    name: str, gdf: gpd.GeoDataFrame, *, drop_fields: Collection[str] = ()
) -> gpd.GeoDataFrame:
    """Communities' counts and geometry only, without any of `drop_fields`."""
    keep = [c for c in OPEN_DATA_KEEP.get(name, ()) if c in gdf.columns]
    keep = [c for c in keep if c not in drop_fields]
    return gdf[keep + [gdf.geometry.name]]


def without_fields(gdf: gpd.GeoDataFrame, drop_fields: Collection[str]) -> gpd.GeoDataFrame:
    """`gdf` without the columns named in `drop_fields` (the geometry always stays)."""
    drop = [c for c in gdf.columns if c in drop_fields and c != gdf.geometry.name]
    return gdf.drop(columns=drop) if drop else gdf


def _frames(store, catalog, names, open_data, drop_fields) -> dict[str, gpd.GeoDataFrame]:
    if open_data:
        names = [n for n in names if n in OPEN_DATA_LAYERS]
        if not names:
            raise PlannerError(
                "open-data export holds community counts only; include layer communities"
            )
    out = {}
    for name in names:
        gdf = store.read(name)
        if open_data:
            out[name] = open_data_frame(name, gdf, drop_fields=drop_fields)
        else:
            out[name] = without_fields(gdf, drop_fields)
    return out


def _for_people(frames: dict, catalog: Catalog, fmt: str) -> dict:
    """The frames with their codes' words, for the formats people read (WORDS_FORMATS)."""
    if fmt not in WORDS_FORMATS:
        return frames
    return {name: with_words(gdf, catalog.layers.get(name)) for name, gdf in frames.items()}


def _rgb(color: str) -> str:
    c = color.lstrip("#")
    return f"{int(c[0:2], 16)},{int(c[2:4], 16)},{int(c[4:6], 16)},255"


def style_sld(name: str, entry) -> str:
    """A small SLD 1.1 document for the catalogue style of a layer."""
    style = entry.style if entry is not None else {}
    gtype = entry.geometry_type if entry is not None else "Polygon"
    stroke = style.get("color", "#3388ff")
    width = style.get("weight", 1)
    fill = style.get("fill_color", stroke)
    opacity = style.get("fill_opacity", 0.3)

    def symbolizer(fill_color: str) -> str:
        if gtype == "Point":
            return (
                "<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>circle"
                f'</se:WellKnownName><se:Fill><se:SvgParameter name="fill">{fill_color}'
                f'</se:SvgParameter></se:Fill><se:Stroke><se:SvgParameter name="stroke">{stroke}'
                "</se:SvgParameter></se:Stroke></se:Mark><se:Size>"
                f"{style.get('radius', 6) * 2}</se:Size></se:Graphic></se:PointSymbolizer>"
            )
        if gtype == "LineString":
            return (
                f'<se:LineSymbolizer><se:Stroke><se:SvgParameter name="stroke">{stroke}'
                f'</se:SvgParameter><se:SvgParameter name="stroke-width">{width}'
                "</se:SvgParameter></se:Stroke></se:LineSymbolizer>"
            )
        return (
            f'<se:PolygonSymbolizer><se:Fill><se:SvgParameter name="fill">{fill_color}'
            f'</se:SvgParameter><se:SvgParameter name="fill-opacity">{opacity}'
            f'</se:SvgParameter></se:Fill><se:Stroke><se:SvgParameter name="stroke">{stroke}'
            f'</se:SvgParameter><se:SvgParameter name="stroke-width">{width}'
            "</se:SvgParameter></se:Stroke></se:PolygonSymbolizer>"
        )

    rules = []
    classify = style.get("classify")
    if classify:
        for cls in classify["classes"]:
            label = html.escape(cls["label"]["en"])
            ors = "".join(
                "<ogc:PropertyIsEqualTo><ogc:PropertyName>"
                f"{html.escape(classify['field'])}</ogc:PropertyName><ogc:Literal>"
                f"{html.escape(str(v))}</ogc:Literal></ogc:PropertyIsEqualTo>"
                for v in cls["values"]
            )
            flt = f"<ogc:Or>{ors}</ogc:Or>" if len(cls["values"]) > 1 else ors
            rules.append(
                f"<se:Rule><se:Name>{label}</se:Name><ogc:Filter>{flt}</ogc:Filter>"
                f"{symbolizer(cls['fill_color'])}</se:Rule>"
            )
    else:
        rules.append(f"<se:Rule><se:Name>{html.escape(name)}</se:Name>{symbolizer(fill)}</se:Rule>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" '
        'xmlns:ogc="http://www.opengis.net/ogc" xmlns:se="http://www.opengis.net/se" '
        'version="1.1.0"><NamedLayer>'
        f"<se:Name>{html.escape(name)}</se:Name><UserStyle><se:Name>{html.escape(name)}</se:Name>"
        f"<se:FeatureTypeStyle>{''.join(rules)}</se:FeatureTypeStyle></UserStyle>"
        "</NamedLayer></StyledLayerDescriptor>"
    )


def write_layer_styles(gpkg: Path, catalog: Catalog, names: list[str]) -> None:
    """QGIS's `layer_styles` table, registered in gpkg_contents as attributes.

    Each layer gets one default row (`useAsDefault` 1) with the catalogue style as QML,
    which QGIS loads on open, and as SLD."""
    con = sqlite3.connect(gpkg)
    try:
        con.executescript(
            """
            CREATE TABLE IF NOT EXISTS layer_styles (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
              f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
              useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
              update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
            """
        )
        con.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'QGIS layer styles', strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
        )
        for name in names:
            entry = catalog.layers.get(name)
            geom_col = con.execute(
                "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
            ).fetchone()
            title = entry.title["en"] if entry is not None else name
            # QGIS opens a layer with the QML of its default row; other tools read the SLD.
            qml = entry is not None and entry.kind == "vector" and geom_col is not None
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL)",
                (
                    name,
                    geom_col[0] if geom_col else "geom",
                    name,
                    style_qml(entry) if qml else None,
                    style_sld(name, entry),
                    f"Catalogue style: {title}",
                ),
            )
        con.commit()
    finally:
        con.close()


# Formats read by people rather than by GIS software: each coded field (catalogue
# `values`) is followed by its words, `<field>_th` and `<field>_en`, and the code stays
# (an import drops the word columns again). GeoPackages show the words in QGIS through
# the QML's value map (gis/qml.py); GeoJSON and shapefiles carry the codes only.
WORDS_FORMATS = ("csv", "xlsx", "kml")


def with_words(gdf: gpd.GeoDataFrame, entry) -> gpd.GeoDataFrame:
    """`gdf` with the words of each coded field beside it (`entry.word_columns()`); a
    value the catalogue has no words for keeps itself as its words."""
    if entry is None or entry.kind != "vector":
        return gdf
    added = entry.word_columns()
    order: list[str] = []
    out = gdf.copy()
    for col in gdf.columns:
        order.append(col)
        spec = entry.fields.get(col)
        if spec is None or not spec.values:
            continue
        for name, (field, lang) in added.items():
            if field != col or name in gdf.columns:
                continue
            out[name] = gdf[col].map(
                lambda v, lang=lang, spec=spec: None if _missing(v) else spec.value_label(v, lang)
            )
            order.append(name)
    return out[order]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _tabular(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attributes plus WKT geometry (WGS 84), formulas neutralised."""
    geo = gdf.to_crs("EPSG:4326") if gdf.crs is not None else gdf
    df = pd.DataFrame(geo.drop(columns=geo.geometry.name))
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col].dtype):
            df[col] = df[col].map(neutralise_formula)
    df["wkt"] = shapely.to_wkt(geo.geometry.values, rounding_precision=9)
    return df


def export_layers(
    store,
    catalog: Catalog,
    names: list[str],
    *,
    fmt: str,
    out: str | Path,
    open_data: bool = False,
    drop_fields: Collection[str] = (),
) -> Path:
    """Write layers `names` to `out` in `fmt`; returns the written path.

    One-layer formats (geojson, kml, csv) with several layers become a zip.
    Columns named in `drop_fields` (personal data the reader may not see) are left out."""
    if fmt not in EXPORT_FORMATS:
        raise PlannerError(f"unknown export format {fmt!r}; choose one of {EXPORT_FORMATS}")
    out = Path(out)
    frames = _frames(store, catalog, list(names), open_data, frozenset(drop_fields))
    frames = _for_people(frames, catalog, fmt)
    if not frames:
        raise PlannerError("nothing to export")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="planner-export-") as work:
        work = Path(work)
        if fmt == "gpkg":
            tmp = work / "export.gpkg"
            for name, gdf in frames.items():
                pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG", append=tmp.exists())
            write_layer_styles(tmp, catalog, list(frames))
            shutil.move(tmp, out)
            return out
        if fmt == "xlsx":
            tmp = work / "export.xlsx"
            with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                for name, gdf in frames.items():
                    _tabular(gdf).to_excel(writer, sheet_name=name[:31], index=False)
            shutil.move(tmp, out)
            return out
        files: list[Path] = []
        for name, gdf in frames.items():
            if fmt == "shp":
                folder = work / name
                folder.mkdir()
                target = folder / f"{name}.shp"
                short = shapefile_names([c for c in gdf.columns if c != gdf.geometry.name])
                pyogrio.write_dataframe(
                    gdf.rename(columns=short), target, driver="ESRI Shapefile", encoding="UTF-8"
                )
                # DBF names stop at 10 characters: the full names travel beside them.
                (folder / f"{name}.fields.json").write_text(
                    json.dumps({v: k for k, v in short.items()}, ensure_ascii=False, indent=1),
                    encoding="utf-8",
                )
                target.with_suffix(".cpg").write_text("UTF-8")
                files += sorted(folder.iterdir())
            elif fmt == "geojson":
                target = work / f"{name}.geojson"
                pyogrio.write_dataframe(gdf.to_crs("EPSG:4326"), target, driver="GeoJSON")
                files.append(target)
            elif fmt == "kml":
                target = work / f"{name}.kml"
                pyogrio.write_dataframe(gdf.to_crs("EPSG:4326"), target, driver="KML")
                files.append(target)
            elif fmt == "csv":
                target = work / f"{name}.csv"
                _tabular(gdf).to_csv(target, index=False, encoding="utf-8-sig")
                files.append(target)
        if fmt != "shp" and len(files) == 1 and out.suffix.lower() != ".zip":
            shutil.move(files[0], out)
            return out
        tmp = work / "export.zip"
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in files:
                zf.write(f, f.name)
        shutil.move(tmp, out)
    return out
