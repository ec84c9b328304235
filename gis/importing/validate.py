"""Validate and repair: field mapping, gentle type alignment, geometry repair and the
checks of a catalogue layer (its fields) or a user layer (one geometry family)."""

from __future__ import annotations

import re
from pathlib import PurePath

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


def orient_field_map(field_map, gdf, entry, label) -> dict[str, str]:
    """{file field: layer field} from pairs written either way round (`Name=name_th` or
    `name_th=Name`); a pair naming no file field, or no field of a catalogue layer, is
    refused naming the field."""
    if not field_map:
        return {}
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    targets = set(entry.fields) if entry is not None else None
    out, problems = {}, []
    for a, b in field_map.items():
        if a in columns and (targets is None or b in targets or b not in columns):
            src, dst = a, b
        elif b in columns:
            src, dst = b, a
        else:
            problems.append(
                Problem(
                    f"neither {a!r} nor {b!r} is a field of the file (its fields: "
                    f"{', '.join(map(str, columns)) or 'none'})",
                    f"ไม่มีฟิลด์ {a!r} หรือ {b!r} ในไฟล์ (ฟิลด์ในไฟล์: "
                    f"{', '.join(map(str, columns)) or 'ไม่มี'})",
                    file=label,
                    field=str(a),
                )
            )
            continue
        if targets is not None and dst not in targets:
            problems.append(
                Problem(
                    f"{dst!r} is not a field of layer {entry.name} (its fields: "
                    f"{', '.join(entry.fields)})",
                    f"{dst!r} ไม่ใช่ฟิลด์ของชั้นข้อมูล {entry.name} (ฟิลด์ของชั้นข้อมูล: "
                    f"{', '.join(entry.fields)})",
                    file=label,
                    field=str(dst),
                )
            )
            continue
        out[src] = dst
    if problems:
        raise ValidationError(problems)
    return out


def _norm(text: str) -> str:
    """Lower case, letters and digits only (Thai kept): `Community Name` → `communityname`."""
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


def suggest_field_map(file_fields, entry, only=None) -> dict[str, str]:
    """{layer field: file field} guessed by name: the field's name, its Thai and English
    labels and its catalogue aliases, exact first, then close (difflib); required fields
    first, each file field used once. `only`: just these layer fields."""
    from difflib import SequenceMatcher

    files = [f for f in file_fields if str(f).lower() not in _STORE_FIELDS]
    scored = []
    for spec in entry.fields.values():
        if only is not None and spec.name not in only:
            continue
        names = {_norm(spec.name), _norm(spec.label["th"]), _norm(spec.label["en"])}
        aliases = {_norm(a) for a in spec.aliases}
        for f in files:
            n = _norm(f)
            if not n:
                continue
            if n == _norm(spec.name):
                score = 3.0
            elif n in aliases:
                score = 2.5
            elif n in names:
                score = 2.0
            else:
                score = max(SequenceMatcher(None, n, other).ratio() for other in names | aliases)
                if score < 0.8:
                    continue
            scored.append((-score, not spec.required, spec.name, f))
    out: dict[str, str] = {}
    used: set = set()
    for _, _, name, f in sorted(scored, key=lambda t: (t[0], t[1], str(t[3]))):
        if name not in out and f not in used:
            out[name] = f
            used.add(f)
    return {name: out[name] for name in entry.fields if name in out}


def fill_generated(gdf, entry, label, report) -> gpd.GeoDataFrame:
    """Fields the catalogue generates (`generated: row_id`) filled where the file has
    none: `<file name>-<row>` (stable for the same file), each fill noted in the report."""
    if entry is None:
        return gdf
    for name, spec in entry.fields.items():
        if spec.generated != "row_id":
            continue
        column = gdf[name] if name in gdf.columns else pd.Series([None] * len(gdf), gdf.index)
        empty = column.isna() | column.astype(str).str.strip().eq("")
        if not empty.any():
            continue
        stem = PurePath(str(label).split("::")[0]).stem.encode("ascii", "ignore").decode()
        prefix = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")[:24] or entry.name
        gdf = gdf.copy()
        gdf[name] = column.astype(object).where(
            ~empty, [f"{prefix}-{i + 1:03d}" for i in range(len(gdf))]
        )
        others = [c for c in gdf.columns if c != gdf.geometry.name and c not in entry.fields]
        like = suggest_field_map(others, entry, only={name}).get(name)
        hint_en = f"; the file's field {like!r} looks like it: --map {name}={like}" if like else ""
        hint_th = f" ฟิลด์ {like!r} ในไฟล์อาจเป็นฟิลด์นี้: --map {name}={like}" if like else ""
        report.warnings.append(
            item(
                Problem(
                    f"{int(empty.sum())} feature(s) had no {name}; given {prefix}-NNN "
                    f"(file name and row){hint_en}",
                    f"{int(empty.sum())} รายการไม่มี {name} จึงตั้งให้เป็น {prefix}-NNN "
                    f"(ชื่อไฟล์และลำดับแถว){hint_th}",
                    file=label,
                    layer=entry.name,
                    field=name,
                    severity="warning",
                )
            )
        )
    return gdf


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


def repair_geometries(
    gdf, entry, label: str, report: ImportReport
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Invalid geometries made valid, keeping the layer's kind, each repair reported.

    `make_valid` may split a feature into a collection (a polygon with a spike gives a
    Polygon and a LineString): the part of the layer's kind (a user layer: the
    feature's own kind) is kept and what was dropped is named in the report. A feature
    whose repair leaves nothing of that kind, or cannot be repaired, is an error.
    Parts with a coordinate that is not a number (NaN, infinite) are dropped first."""
    geoms = gdf.geometry.values
    present = ~empty_geometries(gdf)
    nonfinite = present & _nonfinite(geoms)
    invalid = present & (nonfinite | ~shapely.is_valid(geoms))
    if not invalid.any():
        return gdf, []
    arr = np.asarray(geoms, dtype=object).copy()
    unit = _length_unit(gdf.crs)
    problems = []
    for i in np.flatnonzero(invalid):
        original = arr[i]
        family = entry.geometry_type if entry is not None else _FAMILIES.get(original.geom_type)
        where = {"file": label, "feature": int(i), "field": "geometry"}
        unnumbered = []
        if nonfinite[i]:
            parts = shapely.get_parts(original)
            bad = _nonfinite(parts)
            if bad.all():
                problems.append(
                    Problem(
                        "a coordinate is not a number (NaN or infinite)",
                        "มีพิกัดที่ไม่ใช่ตัวเลข (NaN หรือค่าอนันต์)",
                        **where,
                    )
                )
                continue
            unnumbered = list(parts[bad])
            original = _combine(list(parts[~bad]), _FAMILIES.get(original.geom_type))
        if nonfinite[i] and shapely.is_valid(original):
            reason = "a part has no coordinates or a coordinate that is not a number"
            reason_th = "มีส่วนที่ไม่มีพิกัดหรือพิกัดไม่ใช่ตัวเลข"
        else:
            reason = reason_th = shapely.is_valid_reason(original)
        try:
            repaired = shapely.make_valid(original)
        except shapely.errors.GEOSException:
            problems.append(
                Problem(
                    f"geometry is invalid ({reason}) and cannot be repaired; fix it in the source",
                    f"รูปเรขาคณิตไม่ถูกต้อง ({reason_th}) และซ่อมไม่ได้ กรุณาแก้ในไฟล์ต้นทาง",
                    **where,
                )
            )
            continue
        kept, dropped = _keep_family(repaired, family)
        dropped = unnumbered + dropped
        if kept is None:  # the feature stays as it was, refused
            en, th = _describe_all(dropped, unit)
            problems.append(
                Problem(
                    f"the {original.geom_type} is invalid ({reason}); repaired with make_valid "
                    f"it leaves no {family}, only {en or 'nothing'}; fix it in the source",
                    f"{original.geom_type} ไม่ถูกต้อง ({reason_th}) เมื่อซ่อมด้วย make_valid แล้วไม่เหลือ "
                    f"{family} เหลือเพียง {th or 'ไม่มีอะไรเลย'} กรุณาแก้ในไฟล์ต้นทาง",
                    **where,
                )
            )
            continue
        arr[i] = kept
        en = f"invalid geometry repaired with make_valid ({reason})"
        th = f"ซ่อมรูปเรขาคณิตที่ไม่ถูกต้องด้วย make_valid ({reason_th})"
        if dropped:
            kept_en, kept_th = _describe(kept, unit)
            dropped_en, dropped_th = _describe_all(dropped, unit)
            en += f"; kept the {kept_en}, dropped {dropped_en}"
            th += f" เก็บส่วน {kept_th} ไว้ และตัดส่วนต่อไปนี้ทิ้ง: {dropped_th}"
        report.fixed.append(item(Problem(en, th, severity="warning", **where)))
    gdf = gdf.set_geometry(gpd.GeoSeries(arr, index=gdf.index, crs=gdf.crs))
    return gdf, problems


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
    suggested = suggest_field_map(report.unmapped_fields, entry)
    for p in validate_layer(gdf, entry, file=label):
        if p.field in report.missing_fields and p.message_en.startswith("required field"):
            example = f"--map {p.field}={suggested.get(p.field, 'FILE_FIELD')}"
            p = Problem(
                p.message_en
                + f"; map a file field to it with {example}"
                + " (file fields: "
                + (", ".join(report.unmapped_fields) or "none")
                + ")",
                p.message_th
                + f" ใช้ {example} เพื่อจับคู่ฟิลด์ (ฟิลด์ในไฟล์: "
                + (", ".join(report.unmapped_fields) or "ไม่มี")
                + ")",
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


_FAMILIES = {
    "Point": "Point",
    "MultiPoint": "Point",
    "LineString": "LineString",
    "LinearRing": "LineString",
    "MultiLineString": "LineString",
    "Polygon": "Polygon",
    "MultiPolygon": "Polygon",
}


def _keep_family(geom, family: str | None):
    """(the parts of `geom` of `family` as one geometry or None, the parts dropped)."""
    if family is None or _FAMILIES.get(geom.geom_type) == family:
        return geom, []
    parts = shapely.get_parts(geom)  # members of a collection, single parts of a multi
    parts = np.concatenate([shapely.get_parts(p) for p in parts]) if len(parts) else parts
    keep = [p for p in parts if _FAMILIES.get(p.geom_type) == family and not p.is_empty]
    dropped = [p for p in parts if _FAMILIES.get(p.geom_type) != family and not p.is_empty]
    if not keep:
        return None, dropped
    return _combine(keep, family), dropped


def _combine(parts: list, family: str | None):
    """Parts of one family as one geometry (polygons dissolved)."""
    if family == "Polygon":
        return shapely.union_all(parts)
    if len(parts) == 1:
        return parts[0]
    if family == "LineString":
        return shapely.multilinestrings(parts)
    if family == "Point":
        return shapely.multipoints(parts)
    return shapely.geometrycollections(parts)


def _nonfinite(geoms) -> np.ndarray:
    """Which geometries have an empty part or a coordinate that is not a finite number
    (a NaN coordinate reprojected becomes an empty part)."""
    geoms = np.asarray(geoms, dtype=object)
    parts, owner = shapely.get_parts(geoms, return_index=True)
    coords, index = shapely.get_coordinates(parts, return_index=True)
    bad = shapely.is_empty(parts)
    bad[index[~np.isfinite(coords).all(axis=1)]] = True
    out = np.zeros(len(geoms), dtype=bool)
    out[owner[bad]] = True
    return out


def _describe(geom, unit: str) -> tuple[str, str]:
    """In English and Thai: 'Polygon (area 1,234.5 m²)', 'LineString (length 111.2 m)'."""
    kind = _FAMILIES.get(geom.geom_type)
    if geom.is_empty or not np.isfinite(shapely.get_coordinates(geom)).all():
        return (
            f"{geom.geom_type} without usable coordinates",
            f"{geom.geom_type} ที่ไม่มีพิกัดที่ใช้ได้",
        )
    if kind == "Polygon":
        return (
            f"{geom.geom_type} (area {geom.area:,.1f} {unit}²)",
            f"{geom.geom_type} (พื้นที่ {geom.area:,.1f} {unit}²)",
        )
    if kind == "LineString":
        return (
            f"{geom.geom_type} (length {geom.length:,.1f} {unit})",
            f"{geom.geom_type} (ยาว {geom.length:,.1f} {unit})",
        )
    if geom.geom_type == "Point":
        d = 6 if unit == "°" else 1
        at = f"({geom.x:.{d}f}, {geom.y:.{d}f})"
        return f"Point {at}", f"จุด {at}"
    return geom.geom_type, geom.geom_type


def _describe_all(geoms, unit: str) -> tuple[str, str]:
    described = [_describe(g, unit) for g in geoms]
    return ", ".join(en for en, _ in described), ", ".join(th for _, th in described)


def _length_unit(crs) -> str:
    if crs is None:
        return "units"
    name = crs.axis_info[0].unit_name if crs.axis_info else "units"
    return {"metre": "m", "degree": "°", "US survey foot": "ftUS"}.get(name, name)
