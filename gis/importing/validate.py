"""Validate and repair: field mapping, gentle type alignment, geometry repair and the
checks of a catalogue layer (its fields) or a user layer (one geometry family)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.catalog import validate_layer
from gis.errors import Problem, ValidationError
from gis.importing.report import ImportReport, item
from gis.importing.tables import to_number

# Names a layer's store keeps for itself (GeoPackage and PostGIS feature ids, geometry).
_STORE_FIELDS = frozenset({"fid", "ogc_fid", "geom", "geometry", "wkb_geometry", "gid"})


def apply_field_map(gdf, field_map, label, report) -> gpd.GeoDataFrame:
    """File fields renamed to catalogue fields; a field to map that is not there is refused."""
    if not field_map:
        return gdf
    problems = []
    geometry = gdf.geometry.name
    targets = list(field_map.values())
    for src, dst in field_map.items():
        if src not in gdf.columns:
            problems.append(
                Problem(
                    "the field to map is not in the file",
                    "ไม่มีฟิลด์นี้ในไฟล์",
                    file=label,
                    field=src,
                )
            )
        elif geometry in (src, dst) or str(dst).lower() in _STORE_FIELDS:
            problems.append(
                Problem(
                    f"{src!r} cannot be renamed to {dst!r}: the geometry and the store's own "
                    f"fields ({', '.join(sorted(_STORE_FIELDS))}) keep their names",
                    f"เปลี่ยนชื่อ {src!r} เป็น {dst!r} ไม่ได้ เพราะฟิลด์รูปเรขาคณิตและฟิลด์ของระบบต้องใช้ชื่อเดิม",
                    file=label,
                    field=src,
                )
            )
        elif targets.count(dst) > 1 or (dst in gdf.columns and dst not in field_map):
            problems.append(
                Problem(
                    f"two fields would be named {dst!r}",
                    f"จะมีสองฟิลด์ที่ชื่อ {dst!r}",
                    file=label,
                    field=src,
                )
            )
    if problems:
        raise ValidationError(problems)
    report.field_map = {**report.field_map, **field_map}
    return gdf.rename(columns=field_map)


_BOOL_WORDS = {
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "yes": True,
    "no": False,
    "ใช่": True,
    "ไม่": False,
}


def coerce_to_catalog(gdf, entry) -> gpd.GeoDataFrame:
    """Gentle type alignment that loses nothing: text-looking numbers, bool words."""
    gdf = gdf.copy()
    for name, spec in entry.fields.items():
        if name not in gdf.columns:
            continue
        col = gdf[name]
        if spec.type == "int" and not pd.api.types.is_integer_dtype(col.dtype):
            nums = to_number(col)
            if (nums.notna() == col.notna()).all() and (nums.dropna() % 1 == 0).all():
                gdf[name] = nums.astype("Int64")
        elif spec.type == "float" and not pd.api.types.is_float_dtype(col.dtype):
            nums = to_number(col)
            if (nums.notna() == col.notna()).all():
                gdf[name] = nums.astype(float)
        elif spec.type == "str" and not pd.api.types.is_string_dtype(col.dtype):
            if col.dtype != object:
                gdf[name] = col.astype("string").astype(object).where(col.notna(), None)
        elif spec.type == "bool" and not pd.api.types.is_bool_dtype(col.dtype):
            mapped = col.map(
                lambda v: _BOOL_WORDS.get(str(v).strip().lower()) if v is not None else None
            )
            if (mapped.notna() == col.notna()).all():
                gdf[name] = mapped.astype("boolean")
    return gdf


def repair_geometries(gdf, entry, label: str, report: ImportReport) -> gpd.GeoDataFrame:
    """Invalid geometries made valid (polygons stay polygons), each repair reported."""
    geoms = gdf.geometry.values
    invalid = ~empty_geometries(gdf) & ~shapely.is_valid(geoms)
    if not invalid.any():
        return gdf
    idx = np.flatnonzero(invalid)
    reasons = shapely.is_valid_reason(geoms[idx])
    repaired = shapely.make_valid(geoms[idx])
    if entry is not None and entry.geometry_type == "Polygon":
        repaired = np.array([_polygonal(g) for g in repaired], dtype=object)
    arr = np.asarray(gdf.geometry.values, dtype=object).copy()
    arr[idx] = repaired
    gdf = gdf.set_geometry(gpd.GeoSeries(arr, index=gdf.index, crs=gdf.crs))
    for i, reason in zip(idx, reasons, strict=True):
        report.fixed.append(
            item(
                Problem(
                    f"invalid geometry repaired with make_valid ({reason})",
                    f"ซ่อมรูปเรขาคณิตที่ไม่ถูกต้องด้วย make_valid ({reason})",
                    file=label,
                    feature=int(i),
                    field="geometry",
                    severity="warning",
                )
            )
        )
    return gdf


def empty_geometries(gdf) -> np.ndarray:
    geoms = gdf.geometry.values
    return shapely.is_missing(geoms) | shapely.is_empty(geoms)


def user_layer_problems(gdf, label: str, empty: np.ndarray) -> list[Problem]:
    """A user layer keeps the file's fields: every feature has a geometry, of one family.

    `empty` marks the features the file gave no geometry (before any repair)."""
    geoms = gdf.geometry.values
    problems = [
        Problem("geometry is empty", "ไม่มีรูปเรขาคณิต", file=label, feature=int(i), field="geometry")
        for i in np.flatnonzero(empty)
    ]
    fams = {_family(t) for t in shapely.get_type_id(geoms[~empty])}
    if len(fams) > 1:
        problems.append(
            Problem(
                f"the file mixes geometry types ({', '.join(sorted(fams))}); "
                "a layer holds one kind",
                "ไฟล์มีรูปเรขาคณิตหลายชนิดปนกัน",
                file=label,
                field="geometry",
            )
        )
    return problems


def catalog_layer_problems(gdf, entry, label: str, report: ImportReport) -> list[Problem]:
    """The catalogue's checks; a missing required field says how to map one to it."""
    problems = []
    for p in validate_layer(gdf, entry, file=label):
        if p.field in report.missing_fields and p.message_en.startswith("required field"):
            p = Problem(
                p.message_en
                + "; map a file field to it with --map FILE_FIELD="
                + p.field
                + " (file fields: "
                + (", ".join(report.unmapped_fields) or "none")
                + ")",
                p.message_th + " ใช้ --map เพื่อจับคู่ฟิลด์",
                file=label,
                layer=p.layer,
                feature=p.feature,
                field=p.field,
                severity=p.severity,
            )
        problems.append(p)
    return problems


def _family(type_id: int) -> str:
    return {
        0: "Point",
        4: "Point",
        1: "LineString",
        5: "LineString",
        2: "LineString",
        3: "Polygon",
        6: "Polygon",
    }.get(int(type_id), "GeometryCollection")


def _polygonal(geom):
    """make_valid may return a collection; keep its polygonal part."""
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return geom
    return shapely.union_all(parts)
