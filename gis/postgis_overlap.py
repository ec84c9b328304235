"""The overlap and hazard checks of `gis.overlap` and `gis.hazard`, run inside
PostGIS for layers too large to load into Python.

Each function returns the same frame as its in-process twin:

- `area_by_category_sql` ~ `gis.overlap.area_by_category`
- `constraint_status_sql` ~ `gis.overlap.constraint_status`
- `nearest_disasters_sql` ~ `gis.hazard.nearest_disasters`

The layers are stored layers (tables `<store.schema>.<name>`, geometry `geom` with
a GiST index, row number `fid`). The sites are a stored layer too, or a
GeoDataFrame in the store's CRS: that one is copied (as WKB) into a TEMPORARY
table of the same transaction, indexed and analysed, and dropped at commit;
nothing is ever written into the store's schema.

Pairs come from `ST_Intersects` on the GiST index; a site covered by one polygon
takes its own area without an intersection (`ST_CoveredBy`); constraint parts are
unioned per site only. Every problem with the arguments (unknown layer, missing
field, wrong CRS, bad geometry) is reported at once as one `ValidationError`.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from pyproj import CRS

from gis.catalog import STORAGE_CRS
from gis.errors import Problem, ValidationError
from gis.layer_names import check_layer_name
from gis.overlap import status_table
from gis.postgis_store import GEOMETRY_COLUMN, META_TABLE, ROW_COLUMN, PostGISStore

__all__ = ["area_by_category_sql", "constraint_status_sql", "nearest_disasters_sql"]

# At most this many geometry problems are listed one by one; the rest are counted.
_MAX_GEOMETRY_PROBLEMS = 100
_ORD = "_ord"  # row order of an uploaded sites table

_ROLE_TH = {
    "sites": "พื้นที่โครงการ",
    "layer": "ชั้นข้อมูล",
    "constraint": "ข้อจำกัด",
    "disasters": "จุดเกิดภัย",
}


# ------------------------------------------------------------------ sources


@dataclass
class _Table:
    """A table to query: quoted name, ordering column and (for sites) the ids."""

    name: str  # layer name, or "sites" for an uploaded frame
    sql: str  # quoted, schema-qualified (or temporary) table name
    order: str  # quoted column giving the input order
    id_sql: str | None = None  # quoted id column, when the ids live in the table
    frame: gpd.GeoDataFrame | None = None  # the uploaded frame, when there is one
    site_id: str | None = None


def _q(conn, name: str) -> str:
    """`name` as an always-quoted SQL identifier."""
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _table_sql(conn, store: PostGISStore, name: str) -> str:
    return f"{_q(conn, store.schema)}.{_q(conn, name)}"


def _check_store(store) -> None:
    if not isinstance(store, PostGISStore):
        raise ValidationError(
            [
                Problem(
                    f"in-database checks need a PostGIS store, not {type(store).__name__}; "
                    "set DATABASE_URL or use gis.overlap / gis.hazard",
                    "การตรวจสอบในฐานข้อมูลต้องใช้ที่เก็บ PostGIS (ตั้งค่า DATABASE_URL)",
                )
            ]
        )


def _columns(conn, store: PostGISStore, name: str) -> list[str]:
    rows = conn.execute(
        sa.text(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = :s AND table_name = :t ORDER BY ordinal_position"
        ),
        {"s": store.schema, "t": name},
    )
    return [r[0] for r in rows]


def _srid(conn, store: PostGISStore, name: str) -> int | None:
    row = conn.execute(
        sa.text(f"SELECT srid FROM {_q(conn, store.schema)}.{META_TABLE} WHERE name = :n"),
        {"n": name},
    ).first()
    return int(row[0]) if row is not None and row[0] is not None else None


def _geometry_type(conn, store: PostGISStore, name: str) -> str | None:
    row = conn.execute(
        sa.text(f"SELECT geometry_type FROM {_q(conn, store.schema)}.{META_TABLE} WHERE name = :n"),
        {"n": name},
    ).first()
    return row[0] if row is not None else None


def _layer_problems(store: PostGISStore, name, role: str) -> list[Problem]:
    """Is `name` a stored layer?"""
    try:
        check_layer_name(name)
    except Exception:  # noqa: BLE001 - any bad name is one problem to report
        return [
            Problem(
                f"{name!r} is not a layer name",
                f"{name!r} ไม่ใช่ชื่อชั้นข้อมูล",
                layer=str(name),
            )
        ]
    if not store.has_layer(name):
        return [
            Problem(
                f"the {role} layer {name!r} is not in the store",
                f"ไม่มีชั้นข้อมูล{_ROLE_TH[role]} {name!r} ในที่เก็บข้อมูล",
                layer=name,
            )
        ]
    return []


def _field_problems(
    columns: list[str], field: str | None, layer: str, role: str, what: str
) -> list[Problem]:
    if field is None:
        return []
    if field == GEOMETRY_COLUMN:
        return [
            Problem(
                f"{field!r} is the geometry of the {role} layer, not a {what} field",
                f"{field!r} เป็นรูปเรขาคณิต ไม่ใช่ฟิลด์",
                layer=layer,
                field=field,
            )
        ]
    if field in columns:
        return []
    others = ", ".join(c for c in columns if c not in (GEOMETRY_COLUMN, ROW_COLUMN))
    return [
        Problem(
            f"the {role} layer has no {what} field {field!r}; it has {others}",
            f"ชั้นข้อมูล{_ROLE_TH[role]}ไม่มีฟิลด์ {field!r}",
            layer=layer,
            field=field,
        )
    ]


def _metric_problems(srid: int | None, layer: str, role: str) -> list[Problem]:
    if srid is None:
        return [
            Problem(
                f"the {role} layer has no coordinate reference system",
                "ไม่มีระบบพิกัด",
                layer=layer,
                field="crs",
            )
        ]
    crs = CRS.from_epsg(srid)
    axis = crs.axis_info
    if (
        not crs.is_projected
        or not axis
        or not all((a.unit_name or "").startswith("met") for a in axis[:2])
    ):
        return [
            Problem(
                f"the {role} layer is in EPSG:{srid}, not a metric CRS; "
                "areas and distances need metres (import into EPSG:32647 first)",
                f"ระบบพิกัด EPSG:{srid} ไม่ใช่หน่วยเมตร โปรดนำเข้าเป็น EPSG:32647",
                layer=layer,
                field="crs",
            )
        ]
    return []


def _frame_geometry_problems(gdf: gpd.GeoDataFrame, *, polygonal: bool) -> list[Problem]:
    """Missing, empty, non-polygonal (when asked) and invalid geometries of a frame."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    kinds = shapely.get_type_id(geoms)
    wrong = ~missing & ~empty & (~np.isin(kinds, (3, 6)) if polygonal else False)
    check = ~missing & ~empty & ~wrong
    valid = np.ones(len(geoms), dtype=bool)
    valid[check] = shapely.is_valid(geoms[check])
    problems = []
    for i in np.flatnonzero(missing | empty | wrong | ~valid):
        label = gdf.index[i]
        feature = int(label) if isinstance(label, (int, np.integer)) else str(label)
        if missing[i] or empty[i]:
            en, th = "site feature has no geometry", "พื้นที่โครงการไม่มีรูปร่าง"
        elif wrong[i]:
            en = f"site feature is a {geoms[i].geom_type}, not a polygon"
            th = "พื้นที่โครงการไม่ใช่รูปหลายเหลี่ยม"
        else:
            reason = shapely.is_valid_reason(geoms[i])
            en = f"site geometry is invalid ({reason}); repair it before checking"
            th = f"รูปร่างของพื้นที่โครงการไม่ถูกต้อง ({reason}) โปรดแก้ไขก่อนตรวจสอบ"
        problems.append(Problem(en, th, layer="sites", feature=feature, field="geometry"))
        if len(problems) >= _MAX_GEOMETRY_PROBLEMS:
            break
    return problems


def _table_geometry_problems(
    conn, table: _Table, role: str, *, polygonal: bool, near: _Table | None = None
) -> list[Problem]:
    """Missing, empty, non-polygonal and invalid geometries of a stored table.

    With `near`, only the features whose box meets a box of `near` are checked:
    those are the only ones the query will touch.
    """
    g = _q(conn, GEOMETRY_COLUMN)
    bad = [f"t.{g} IS NULL", f"ST_IsEmpty(t.{g})", f"NOT ST_IsValid(t.{g})"]
    if polygonal:
        bad.insert(2, f"GeometryType(t.{g}) NOT IN ('POLYGON', 'MULTIPOLYGON')")
    where = "(" + " OR ".join(bad) + ")"
    if near is not None:
        where += f" AND EXISTS (SELECT 1 FROM {near.sql} n WHERE n.{g} && t.{g})"
    rows = conn.execute(
        sa.text(
            f"SELECT t.{table.order}, t.{g} IS NULL OR ST_IsEmpty(t.{g}), GeometryType(t.{g}),"
            f" CASE WHEN t.{g} IS NULL OR ST_IsEmpty(t.{g}) THEN NULL"
            f" ELSE ST_IsValidReason(t.{g}) END"
            f" FROM {table.sql} t WHERE {where} ORDER BY 1 LIMIT {_MAX_GEOMETRY_PROBLEMS + 1}"
        )
    ).all()
    problems = []
    word, word_th = ("site", "พื้นที่โครงการ") if role == "sites" else (role, _ROLE_TH[role])
    for feature, missing, kind, reason in rows[:_MAX_GEOMETRY_PROBLEMS]:
        if missing:
            en, th = f"{word} feature has no geometry", f"{word_th} ไม่มีรูปร่าง"
        elif polygonal and kind not in ("POLYGON", "MULTIPOLYGON"):
            en, th = f"{word} feature is a {kind}, not a polygon", f"{word_th} ไม่ใช่รูปหลายเหลี่ยม"
        else:
            en = f"{word} geometry is invalid ({reason}); repair it before checking"
            th = f"รูปร่างของ{word_th}ไม่ถูกต้อง ({reason}) โปรดแก้ไขก่อนตรวจสอบ"
        problems.append(Problem(en, th, layer=table.name, feature=int(feature), field="geometry"))
    if len(rows) > _MAX_GEOMETRY_PROBLEMS:
        problems.append(
            Problem(
                f"more than {_MAX_GEOMETRY_PROBLEMS} features have bad geometry; "
                "only the first are listed",
                f"มีรูปร่างที่ไม่ถูกต้องมากกว่า {_MAX_GEOMETRY_PROBLEMS} รายการ",
                layer=table.name,
                field="geometry",
            )
        )
    return problems


def _resolve(
    conn,
    store: PostGISStore,
    sites,
    site_id: str | None,
    others: list[tuple[str, object, list[tuple[str | None, str]]]],
) -> tuple[_Table | None, dict[str, _Table], int | None, list[Problem]]:
    """Check the sites and the other layers; every problem at once.

    `others` lists (role, layer name, [(field, what), ...]). Returns the sites
    table (not yet uploaded when it is a frame), the other tables by role, the
    SRID shared by all, and the problems.
    """
    problems: list[Problem] = []
    tables: dict[str, _Table] = {}
    srids: dict[str, int | None] = {}
    for role, name, fields in others:
        found = _layer_problems(store, name, role)
        problems += found
        if found:
            continue
        columns = _columns(conn, store, name)
        for field, what in fields:
            problems += _field_problems(columns, field, name, role, what)
        srids[role] = _srid(conn, store, name)
        problems += _metric_problems(srids[role], name, role)
        tables[role] = _Table(name, _table_sql(conn, store, name), _q(conn, ROW_COLUMN))

    site_table = None
    if isinstance(sites, gpd.GeoDataFrame):
        if site_id is not None and site_id not in sites.columns:
            problems.append(
                Problem(
                    f"the sites have no id field {site_id!r}",
                    "ไม่มีฟิลด์รหัสพื้นที่นี้",
                    layer="sites",
                    field=site_id,
                )
            )
        site_table = _Table("sites", "", _q(conn, _ORD), frame=sites, site_id=site_id)
    elif isinstance(sites, str):
        found = _layer_problems(store, sites, "sites")
        problems += found
        if not found:
            columns = _columns(conn, store, sites)
            problems += _field_problems(columns, site_id, sites, "sites", "id")
            srids["sites"] = _srid(conn, store, sites)
            problems += _metric_problems(srids["sites"], sites, "sites")
            site_table = _Table(
                sites,
                _table_sql(conn, store, sites),
                _q(conn, ROW_COLUMN),
                id_sql=_q(conn, site_id if site_id is not None else ROW_COLUMN),
                site_id=site_id,
            )
    else:
        problems.append(
            Problem(
                "the sites must be a stored layer name or a GeoDataFrame, "
                f"not {type(sites).__name__}",
                "พื้นที่โครงการต้องเป็นชื่อชั้นข้อมูลหรือ GeoDataFrame",
                layer="sites",
            )
        )

    known = {role: s for role, s in srids.items() if s is not None}
    if len(set(known.values())) > 1:
        described = ", ".join(f"{role} EPSG:{s}" for role, s in known.items())
        problems.append(
            Problem(
                f"the layers are in different CRSs ({described}); reproject at import",
                "ชั้นข้อมูลใช้ระบบพิกัดต่างกัน",
                field="crs",
            )
        )
    srid = next(iter(known.values()), None)
    if site_table is not None and site_table.frame is not None and srid is not None:
        crs = site_table.frame.crs
        if crs is None:
            problems.append(
                Problem(
                    f"the sites have no coordinate reference system; they must be in EPSG:{srid}",
                    f"พื้นที่โครงการไม่มีระบบพิกัด ต้องเป็น EPSG:{srid}",
                    layer="sites",
                    field="crs",
                )
            )
        elif not CRS.from_user_input(crs).equals(CRS.from_epsg(srid)):
            problems.append(
                Problem(
                    f"the sites are in {CRS.from_user_input(crs).to_string()} but the store "
                    f"keeps EPSG:{srid}; reproject the sites first",
                    f"ระบบพิกัดของพื้นที่โครงการไม่ตรงกับที่เก็บข้อมูล (EPSG:{srid})",
                    layer="sites",
                    field="crs",
                )
            )
    return site_table, tables, srid, problems


def _upload(conn, sites: _Table, srid: int) -> None:
    """Copy the sites frame into a temporary table (dropped at commit), indexed."""
    frame = sites.frame
    geoms = np.asarray(frame.geometry.values, dtype=object)
    wkb = shapely.to_wkb(geoms, output_dimension=2)
    tag = uuid.uuid4().hex[:12]
    raw, table = _q(conn, f"_pgo_raw_{tag}"), _q(conn, f"_pgo_sites_{tag}")
    g = _q(conn, GEOMETRY_COLUMN)
    conn.execute(
        sa.text(f"CREATE TEMPORARY TABLE {raw} ({sites.order} bigint, wkb bytea) ON COMMIT DROP")
    )
    rows = [(i, None if w is None else bytes(w)) for i, w in enumerate(wkb)]
    driver = conn.connection.driver_connection
    if _is_psycopg3(driver):
        with driver.cursor() as cur, cur.copy(f"COPY {raw} ({sites.order}, wkb) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
    elif rows:  # another driver: plain batched inserts
        conn.execute(
            sa.text(f"INSERT INTO {raw} ({sites.order}, wkb) VALUES (:o, :w)"),
            [{"o": o, "w": w} for o, w in rows],
        )
    conn.execute(
        sa.text(
            f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS"
            f" SELECT {sites.order}, ST_GeomFromWKB(wkb, {int(srid)}) AS {g} FROM {raw}"
        )
    )
    conn.execute(sa.text(f"DROP TABLE {raw}"))
    conn.execute(sa.text(f"ALTER TABLE {table} ADD PRIMARY KEY ({sites.order})"))
    conn.execute(sa.text(f"CREATE INDEX ON {table} USING gist ({g})"))
    conn.execute(sa.text(f"ANALYZE {table}"))
    sites.sql = table


def _prepare(
    store,
    conn,
    sites,
    site_id,
    others,
    *,
    polygonal: bool,
    check_geometry: bool,
) -> tuple[_Table, dict[str, _Table]]:
    """Validate everything, upload a sites frame, check geometries; raise on problems."""
    # The work is in GEOS calls that JIT cannot speed up; their high declared
    # costs would only make every query pay for compiling.
    conn.execute(sa.text("SET LOCAL jit = off"))
    site_table, tables, srid, problems = _resolve(conn, store, sites, site_id, others)
    if site_table is not None and site_table.frame is not None and check_geometry:
        problems += _frame_geometry_problems(site_table.frame, polygonal=polygonal)
    if problems:
        raise ValidationError(problems)
    if site_table.frame is not None:
        _upload(conn, site_table, srid if srid is not None else int(STORAGE_CRS.split(":")[1]))
    if check_geometry:
        if site_table.frame is None:
            problems += _table_geometry_problems(conn, site_table, "sites", polygonal=polygonal)
        if polygonal:
            for role, table in tables.items():
                problems += _table_geometry_problems(
                    conn, table, role, polygonal=True, near=site_table
                )
        if problems:
            raise ValidationError(problems)
    return site_table, tables


def _site_ids(site_table: _Table, ords: np.ndarray, db_ids) -> np.ndarray:
    """The id of each site, in `ords` order: from the frame, or as read from the table."""
    if site_table.frame is not None:
        frame = site_table.frame
        values = frame.index if site_table.site_id is None else frame[site_table.site_id]
        return np.asarray(values)[ords.astype(np.int64)]
    return pd.Series(list(db_ids), dtype=object).infer_objects().to_numpy()


def _frame_index(site_table: _Table, n: int) -> pd.Index:
    if site_table.frame is not None:
        return site_table.frame.index
    return pd.RangeIndex(n)


def _sites_areas(conn, site_table: _Table):
    """(ord, id, area) of every site, in input order."""
    g = _q(conn, GEOMETRY_COLUMN)
    id_sql = f"s.{site_table.id_sql}" if site_table.id_sql else "NULL"
    rows = conn.execute(
        sa.text(
            f"SELECT s.{site_table.order}, {id_sql}, ST_Area(s.{g})"
            f" FROM {site_table.sql} s ORDER BY 1"
        )
    ).all()
    ords = np.array([r[0] for r in rows], dtype=np.int64)
    ids = _site_ids(site_table, ords, [r[1] for r in rows])
    area = np.array([r[2] if r[2] is not None else np.nan for r in rows], dtype=float)
    return ords, ids, area


# ------------------------------------------------------------------ area by category


def area_by_category_sql(
    store: PostGISStore,
    sites: str | gpd.GeoDataFrame,
    layer: str,
    by: str,
    *,
    site_id: str | None = "site_id",
    check_geometry: bool = True,
) -> pd.DataFrame:
    """Area and share of each site per category of `layer.by`, computed in PostGIS.

    The same frame as `gis.overlap.area_by_category`: one row per site and
    category it overlaps with positive area, `site_id`, `by`, `area_m2`, `share`,
    sorted by site (input order: `fid` of a stored layer, row order of a frame)
    then category. `sites` is a stored layer name (`site_id` one of its columns,
    or None for `fid`) or a GeoDataFrame in the store's CRS (`site_id` a column,
    or None for its index). `attrs["site_area_m2"]` maps each site to its area.
    With `check_geometry` the sites, and the layer features near them, are checked
    for missing, non-polygonal and invalid geometry first.
    """
    _check_store(store)
    with store.engine.begin() as conn:
        site_table, tables = _prepare(
            store,
            conn,
            sites,
            site_id,
            [("layer", layer, [(by, "category")])],
            polygonal=True,
            check_geometry=check_geometry,
        )
        lt = tables["layer"]
        g = _q(conn, GEOMETRY_COLUMN)
        rows = conn.execute(
            sa.text(
                "SELECT p.ord, p.cat, sum(p.area) FROM ("
                f" SELECT s.{site_table.order} AS ord, l.{_q(conn, by)} AS cat,"
                f" CASE WHEN ST_CoveredBy(s.{g}, l.{g}) THEN ST_Area(s.{g})"
                f" ELSE ST_Area(ST_Intersection(s.{g}, l.{g})) END AS area"
                f" FROM {site_table.sql} s JOIN {lt.sql} l ON ST_Intersects(s.{g}, l.{g})"
                ") p WHERE p.area > 0 GROUP BY p.ord, p.cat"
            )
        ).all()
        ords, ids, site_area = _sites_areas(conn, site_table)

    pairs = pd.DataFrame(
        {
            "_pos": pd.Index(ords).get_indexer([r[0] for r in rows]).astype(np.int64),
            by: pd.Series([r[1] for r in rows], dtype=object),
            "area_m2": np.array([r[2] for r in rows], dtype=float),
        }
    )
    if len(pairs):
        pairs[by] = pairs[by].infer_objects()
    out = pairs.sort_values(["_pos", by], kind="stable", na_position="last")
    out = out.reset_index(drop=True)
    pos = out["_pos"].to_numpy()
    out["share"] = out["area_m2"] / site_area[pos]
    out.insert(0, "site_id", ids[pos])
    out = out.drop(columns="_pos")
    out.attrs["site_area_m2"] = dict(zip(ids.tolist(), site_area.tolist(), strict=True))
    return out


# ------------------------------------------------------------------ constraint status


def constraint_status_sql(
    store: PostGISStore,
    sites: str | gpd.GeoDataFrame,
    constraint: str,
    *,
    site_id: str | None = "site_id",
    part_id: str | None = None,
    check_geometry: bool = True,
) -> pd.DataFrame:
    """Inside, partly inside or outside a stored constraint layer, per site, in PostGIS.

    The same frame as `gis.overlap.constraint_status`: one row per site in input
    order, `site_id`, `site_area_m2`, `inside_area_m2` (area inside the union of
    the constraint parts the site meets, unioned per site only), `inside_share`,
    `status` and `parts` (comma-separated `part_id` values, or `fid`s, of the parts
    it overlaps with positive area; for a site wholly covered by a part, the parts
    that cover it, as in gis.overlap).
    """
    _check_store(store)
    with store.engine.begin() as conn:
        site_table, tables = _prepare(
            store,
            conn,
            sites,
            site_id,
            [("constraint", constraint, [(part_id, "part id")])],
            polygonal=True,
            check_geometry=check_geometry,
        )
        ct = tables["constraint"]
        g, fid = _q(conn, GEOMETRY_COLUMN), _q(conn, ROW_COLUMN)
        part = f"l.{_q(conn, part_id)}" if part_id is not None else f"l.{fid}"
        id_sql = f"s.{site_table.id_sql}" if site_table.id_sql else "NULL"
        o = site_table.order
        rows = conn.execute(
            sa.text(
                # Pairs first, in one join: the planner can drive it from the
                # constraint side, so each part is prepared once for all its sites.
                "WITH pairs AS MATERIALIZED ("
                f" SELECT s.{o} AS ord, l.{fid} AS fid, {part} AS part,"
                f" ST_CoveredBy(s.{g}, l.{g}) AS covered"
                f" FROM {site_table.sql} s JOIN {ct.sql} l ON ST_Intersects(s.{g}, l.{g})"
                "), whole AS ("
                " SELECT ord, bool_or(covered) AS whole,"
                " array_agg(part ORDER BY fid) FILTER (WHERE covered) AS covering"
                " FROM pairs GROUP BY ord"
                # Sites covered by one part need no intersection at all.
                "), pieces AS ("
                f" SELECT p.ord, p.fid, p.part, ST_Intersection(s.{g}, l.{g}) AS piece"
                " FROM pairs p JOIN whole w ON w.ord = p.ord AND NOT w.whole"
                f" JOIN {site_table.sql} s ON s.{o} = p.ord JOIN {ct.sql} l ON l.{fid} = p.fid"
                "), inside AS ("
                # The parts a site meets are unioned for that site only.
                " SELECT ord, ST_Area(ST_Union(piece)) AS inside,"
                " array_agg(part ORDER BY fid) FILTER (WHERE ST_Area(piece) > 0) AS parts"
                " FROM pieces GROUP BY ord"
                ")"
                f" SELECT s.{o}, {id_sql}, ST_Area(s.{g}), coalesce(w.whole, false),"
                " w.covering, i.inside, i.parts"
                f" FROM {site_table.sql} s LEFT JOIN whole w ON w.ord = s.{o}"
                f" LEFT JOIN inside i ON i.ord = s.{o} ORDER BY 1"
            )
        ).all()

    ords = np.array([r[0] for r in rows], dtype=np.int64)
    ids = _site_ids(site_table, ords, [r[1] for r in rows])
    site_area = np.array([r[2] for r in rows], dtype=float)
    whole = np.array([bool(r[3]) for r in rows], dtype=bool)
    inside = np.array([r[5] if r[5] is not None else 0.0 for r in rows], dtype=float)
    met = np.array(
        [",".join(str(p) for p in ((r[4] if r[3] else r[6]) or [])) for r in rows], dtype=object
    )
    return status_table(ids, site_area, inside, whole, met)


# ------------------------------------------------------------------ nearest disasters


def nearest_disasters_sql(
    store: PostGISStore,
    sites: str | gpd.GeoDataFrame,
    disasters: str,
    *,
    radius: float = 200.0,
    site_id: str | None = "site_id",
    disaster_id: str | None = None,
    date_field: str | None = "event_date",
    kind_field: str | None = "kind",
    check_geometry: bool = True,
) -> pd.DataFrame:
    """The nearest recorded disaster to each site, and how many lie within `radius` m.

    The same frame as `gis.hazard.nearest_disasters`: one row per site, in input
    order, `site_id`, `nearest_id` (`disaster_id` column, or `fid`),
    `nearest_kind`, `nearest_date`, `nearest_distance_m` and `count_within`
    (disasters at most `radius` m away, inclusive). The nearest is exact: the
    index's nearest-neighbour order (`<->`) only bounds the search, and the
    candidates within that bound are ranked by `ST_Distance` (ties by `fid`).
    """
    _check_store(store)
    problems = []
    if not _is_number(radius) or float(radius) < 0:
        problems.append(
            Problem(
                f"the radius {radius!r} is not a non-negative number of metres",
                f"รัศมี {radius!r} ต้องเป็นจำนวนเมตรที่ไม่ติดลบ",
            )
        )
    with store.engine.begin() as conn:
        if isinstance(disasters, str) and not _layer_problems(store, disasters, "disasters"):
            kind = _geometry_type(conn, store, disasters)
            if kind not in (None, "Point"):
                problems.append(
                    Problem(
                        f"the disasters layer holds {kind} geometries; a disaster must be a point",
                        "จุดเกิดภัยต้องเป็นรูปจุด (Point)",
                        layer=disasters,
                        field="geometry",
                    )
                )
        try:
            site_table, tables = _prepare(
                store,
                conn,
                sites,
                site_id,
                [
                    (
                        "disasters",
                        disasters,
                        [(disaster_id, "id"), (date_field, "date"), (kind_field, "kind")],
                    )
                ],
                polygonal=False,
                check_geometry=check_geometry,
            )
        except ValidationError as exc:
            raise ValidationError(problems + exc.problems) from None
        if problems:
            raise ValidationError(problems)
        dt = tables["disasters"]
        g, fid = _q(conn, GEOMETRY_COLUMN), _q(conn, ROW_COLUMN)

        def col(field):
            return f"d.{_q(conn, field)}" if field is not None else "NULL"

        id_sql = f"s.{site_table.id_sql}" if site_table.id_sql else "NULL"
        rows = conn.execute(
            sa.text(
                f"SELECT s.{site_table.order}, {id_sql}, n.nid, n.kind, n.day, n.dist,"
                " coalesce(c.n, 0)"
                f" FROM {site_table.sql} s"
                # Any candidate's true distance bounds the nearest one's, whatever
                # `<->` measures (box or true distance): the nearest lies within it.
                " LEFT JOIN LATERAL ("
                f"  SELECT ST_Distance(d.{g}, s.{g}) AS bound FROM {dt.sql} d"
                f"  WHERE d.{g} IS NOT NULL AND NOT ST_IsEmpty(d.{g})"
                f"  ORDER BY d.{g} <-> s.{g} LIMIT 1"
                " ) b ON true"
                " LEFT JOIN LATERAL ("
                f"  SELECT {col(disaster_id) if disaster_id is not None else 'd.' + fid} AS nid,"
                f"   {col(kind_field)} AS kind, {col(date_field)} AS day,"
                f"   ST_Distance(d.{g}, s.{g}) AS dist"
                f"  FROM {dt.sql} d"
                f"  WHERE ST_DWithin(d.{g}, s.{g}, b.bound * (1 + 1e-9) + 1e-9)"
                f"  ORDER BY 4, d.{fid} LIMIT 1"
                " ) n ON true"
                " LEFT JOIN LATERAL ("
                f"  SELECT count(*) AS n FROM {dt.sql} d"
                f"  WHERE ST_DWithin(d.{g}, s.{g}, :radius)"
                " ) c ON true"
                " ORDER BY 1"
            ),
            {"radius": float(radius)},
        ).all()

    n = len(rows)
    ords = np.array([r[0] for r in rows], dtype=np.int64)
    ids = _site_ids(site_table, ords, [r[1] for r in rows])
    index = _frame_index(site_table, n)

    def column(k, present):
        if not present:
            return pd.Series([None] * n, index=index, dtype=object)
        return pd.Series([r[k] for r in rows], index=index, dtype=object).infer_objects()

    df = pd.DataFrame({"site_id": ids}, index=index)
    df["nearest_id"] = column(2, True)
    df["nearest_kind"] = column(3, kind_field is not None)
    df["nearest_date"] = column(4, date_field is not None)
    df["nearest_distance_m"] = np.array(
        [r[5] if r[5] is not None else np.nan for r in rows], dtype=float
    )
    df["count_within"] = np.array([r[6] for r in rows], dtype=np.int64)
    return df


def _is_psycopg3(driver) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency of the store
        return False
    return isinstance(driver, psycopg.Connection)


def _is_number(value) -> bool:
    try:
        return math.isfinite(float(value)) and not isinstance(value, bool)
    except (TypeError, ValueError):
        return False
