"""Coordinates in tables: KoBoToolbox and ODK exports (geopoint columns, geoshape and
geotrace text), Thai and English latitude/longitude or x/y headers, and WKT."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.errors import Problem, ValidationError
from gis.importing.report import refuse
from gis.importing.tables import to_number

_LAT_NAMES = ("lat", "latitude", "ละติจูด", "ละติจุด", "y", "northing", "พิกัด y", "พิกัดy")
_LON_NAMES = ("lon", "lng", "long", "longitude", "ลองจิจูด", "ลองติจูด", "x", "easting", "พิกัด x")
_PROJECTED_NAMES = ("y", "northing", "พิกัด y", "พิกัดy")


def table_to_gdf(df: pd.DataFrame, label: str, crs_given: str | None) -> gpd.GeoDataFrame:
    """Features from a table: WKT, coordinate columns or a KoBo/ODK shape column."""
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]
    wkt = next((c for c in df.columns if c.lower() in ("wkt", "geometry_wkt")), None)
    if wkt:
        return _from_wkt(df, wkt, label, crs_given)
    found = _find_coordinate_columns(list(df.columns))
    if found:
        return _from_coordinates(df, found, label, crs_given)
    shape_col = _find_shape_column(df)
    if shape_col:
        return _from_shapes(df, shape_col, label, crs_given)
    raise refuse(
        label,
        "no coordinate columns found; expected latitude/longitude (lat/lon, ละติจูด/ลองจิจูด, "
        "x/y), a KoBo _<name>_latitude/_<name>_longitude pair or an ODK <name>-Latitude pair; "
        f"columns are: {', '.join(df.columns)}",
        "ไม่พบคอลัมน์พิกัด ต้องมีละติจูด/ลองจิจูด (lat/lon, ละติจูด/ลองจิจูด, x/y)",
    )


def _from_wkt(df: pd.DataFrame, wkt: str, label: str, crs_given: str | None) -> gpd.GeoDataFrame:
    try:
        geoms = shapely.from_wkt(df[wkt].where(df[wkt].notna(), None).to_numpy(object))
    except shapely.errors.GEOSException as exc:
        raise refuse(
            label, f"a WKT geometry cannot be read: {exc}", "อ่านรูปเรขาคณิต WKT ไม่ได้", field=wkt
        ) from None
    return gpd.GeoDataFrame(
        df.drop(columns=[wkt]), geometry=list(geoms), crs=crs_given or "EPSG:4326"
    )


def _from_coordinates(df, found, label: str, crs_given: str | None) -> gpd.GeoDataFrame:
    lat_col, lon_col, kind = found
    lat, lon = to_number(df[lat_col]), to_number(df[lon_col])
    problems = []
    for col, values in ((lat_col, lat), (lon_col, lon)):
        for i in np.flatnonzero((values.isna() & df[col].notna()).to_numpy()):
            problems.append(
                Problem(
                    f"coordinate {df[col].iloc[i]!r} is not a number",
                    f"พิกัด {df[col].iloc[i]!r} ไม่ใช่ตัวเลข",
                    file=label,
                    feature=int(i),
                    field=col,
                )
            )
    if problems:
        raise ValidationError(problems)
    geoms = shapely.points(lon.to_numpy(float), lat.to_numpy(float))
    geoms = np.where(lat.isna() | lon.isna(), None, geoms)
    drop = _companion_columns(df, lat_col, lon_col, kind)
    projected = kind == "columns" and _norm(lat_col) in _PROJECTED_NAMES
    crs = crs_given or (None if projected and lat.abs().max() > 90 else "EPSG:4326")
    return gpd.GeoDataFrame(df.drop(columns=drop), geometry=list(geoms), crs=crs)


def _companion_columns(df, lat_col: str, lon_col: str, kind: str) -> list[str]:
    """The coordinate columns and what KoBo/ODK write beside them (altitude, precision)."""
    drop = [lat_col, lon_col]
    if kind == "kobo":
        stem = lat_col[: -len("_latitude")]
        drop += [c for c in (f"{stem}_altitude", f"{stem}_precision") if c in df.columns]
        raw = stem.lstrip("_")
        drop += [c for c in df.columns if c in (raw, raw.split("/")[-1]) and c not in drop]
    elif kind == "odk":
        stem = lat_col[: -len("-Latitude")]
        drop += [c for c in (f"{stem}-Altitude", f"{stem}-Accuracy") if c in df.columns]
    return drop


def _from_shapes(df, shape_col: str, label: str, crs_given: str | None) -> gpd.GeoDataFrame:
    geoms, problems = [], []
    for i, v in enumerate(df[shape_col]):
        try:
            geoms.append(_parse_odk_shape(v) if isinstance(v, str) else None)
        except (ValueError, shapely.errors.GEOSException):
            geoms.append(None)
            problems.append(
                Problem(
                    f"the shape {str(v)[:60]!r} cannot be read: expected "
                    "'lat lon alt acc;lat lon alt acc;…' with numbers",
                    f"อ่านรูปร่าง {str(v)[:60]!r} ไม่ได้ ต้องเป็น 'lat lon alt acc;…' ที่เป็นตัวเลข",
                    file=label,
                    feature=i,
                    field=shape_col,
                )
            )
    if problems:
        raise ValidationError(problems)
    return gpd.GeoDataFrame(
        df.drop(columns=[shape_col]), geometry=geoms, crs=crs_given or "EPSG:4326"
    )


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-/()]+", " ", str(name).strip().lower()).strip()


def _find_coordinate_columns(columns: list[str]) -> tuple[str, str, str] | None:
    """(lat column, lon column, kind) for KoBo, ODK, Thai and English headers."""
    cols = list(columns)
    # KoBo: _<name>_latitude / _<name>_longitude, maybe group-prefixed.
    for c in cols:
        low = str(c).lower()
        if low.endswith("_latitude"):
            lon = c[: -len("latitude")] + "longitude"
            if lon in cols:
                return c, lon, "kobo"
        if low.endswith("-latitude"):
            lon = c[: -len("Latitude")] + "Longitude"
            lon = next((x for x in cols if x.lower() == lon.lower()), None)
            if lon:
                return c, lon, "odk"
    norm = {_norm(c): c for c in cols}
    lat = next((norm[n] for n in _LAT_NAMES if n in norm), None)
    lon = next((norm[n] for n in _LON_NAMES if n in norm), None)
    if lat and lon:
        return lat, lon, "columns"
    return None


def _find_shape_column(df: pd.DataFrame) -> str | None:
    """A KoBo geoshape/geotrace column: 'lat lon alt acc;lat lon alt acc;…'."""
    pattern = re.compile(r"^\s*-?\d+(\.\d+)?\s+-?\d+(\.\d+)?(\s+\S+){0,2}\s*(;|$)")
    for col in df.columns:
        values = df[col].dropna()
        if values.empty or not all(isinstance(v, str) for v in values.head(20)):
            continue
        sample = values.head(20)
        if sample.map(lambda v: bool(pattern.match(v)) and ";" in v).all():
            return col
    return None


def _parse_odk_shape(text: str):
    pts = []
    for part in str(text).split(";"):
        nums = part.split()
        if len(nums) >= 2:
            pts.append((float(nums[1]), float(nums[0])))  # latitude first
    if len(pts) >= 4 and pts[0] == pts[-1]:
        return shapely.Polygon(pts)
    if len(pts) >= 2:
        return shapely.LineString(pts)
    return shapely.Point(pts[0]) if pts else None
