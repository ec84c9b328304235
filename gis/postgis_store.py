"""The server store: each layer a PostGIS table in schema `planner_layers`, with a
GiST index, plus one metadata table for versions and provenance.

A write goes to a staging table and is swapped in inside one transaction, so a
reader sees the old layer or the new one, never half of either. The transaction
holds an advisory lock on the layer (so an append reads what it appends to under
the lock) and records the import report of the new version in `import_reports`.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa
from pyproj import CRS

from gis import tiles
from gis.layer_names import check_layer_name
from gis.store_base import (
    REPORTS_FOLDER,
    LayerInfo,
    LayerNotFound,
    RasterFiles,
    check_mode,
    check_version,
    geometry_type_of,
    kept_metadata,
    layer_tag,
    private_dir,
    record_reports,
    utc_now,
)
from gis.tile_cache import PostgresTileCache

SCHEMA = "planner_layers"
META_TABLE = "layer_meta"
REPORTS_TABLE = "import_reports"
GEOMETRY_COLUMN = "geom"
ROW_COLUMN = "fid"


class _Meta(NamedTuple):
    """A layer's row of the metadata table, as `_meta` reads it."""

    version: int
    geometry_type: str | None
    srid: int | None
    provenance: dict | None
    written_at: str | None


_META_COLUMNS = ", ".join(_Meta._fields)


def _engine_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class PostGISStore(RasterFiles):
    def __init__(self, home: str | Path, database_url: str, *, schema: str = SCHEMA):
        self.schema = check_layer_name(schema)
        self.home = private_dir(home)
        self.engine = sa.create_engine(_engine_url(database_url), future=True)
        self._kept_key = (str(self.engine.url), self.schema)  # see `_kept`
        self._counted: dict = {}  # (name, version, written at) -> count and extent
        with self.engine.begin() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
            conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {self.schema}"))
            conn.execute(
                sa.text(
                    f"CREATE TABLE IF NOT EXISTS {self.schema}.{META_TABLE} ("
                    " name text PRIMARY KEY, version integer NOT NULL, geometry_type text,"
                    " srid integer, provenance jsonb NOT NULL DEFAULT '{}', written_at text)"
                )
            )
            conn.execute(
                sa.text(
                    f"CREATE TABLE IF NOT EXISTS {self.schema}.{REPORTS_TABLE} ("
                    " id text PRIMARY KEY, layer text NOT NULL, version integer NOT NULL,"
                    " report jsonb NOT NULL, recorded_at text NOT NULL)"
                )
            )
        self._open_home()

    def __repr__(self) -> str:
        return f"PostGISStore({self.engine.url.render_as_string(hide_password=True)!r})"

    def _kept(self, conn=None) -> dict | None:
        """Every layer's metadata row by name, read once within `metadata_kept` (None
        outside it)."""
        kept = kept_metadata()
        if kept is None:
            return None
        key = self._kept_key
        if key not in kept:
            query = sa.text(f"SELECT name, {_META_COLUMNS} FROM {self.schema}.{META_TABLE}")
            if conn is None:
                with self.engine.connect() as own:
                    rows = own.execute(query).all()
            else:
                rows = conn.execute(query).all()
            kept[key] = {r[0]: _Meta(*r[1:]) for r in rows}
        return kept[key]

    def _forget_kept(self) -> None:
        kept = kept_metadata()
        if kept is not None:
            kept.pop(self._kept_key, None)

    def layer_names(self) -> list[str]:
        kept = self._kept()
        if kept is not None:
            return sorted(kept)
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.text(f"SELECT name FROM {self.schema}.{META_TABLE} ORDER BY name")
            )
            return [r[0] for r in rows]

    def has_layer(self, name: str) -> bool:
        kept = self._kept()
        if kept is not None:
            return name in kept
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.text(f"SELECT 1 FROM {self.schema}.{META_TABLE} WHERE name = :n"), {"n": name}
            ).first()
            return row is not None

    def _meta(self, conn, name: str, *, fresh: bool = False):
        """The layer's metadata row; kept within `metadata_kept` unless `fresh` (a write's,
        under its lock)."""
        kept = None if fresh else self._kept(conn)
        if kept is not None:
            row = kept.get(name)
        else:
            row = conn.execute(
                sa.text(f"SELECT {_META_COLUMNS} FROM {self.schema}.{META_TABLE} WHERE name = :n"),
                {"n": name},
            ).first()
        if row is None:
            raise LayerNotFound(name)
        return row

    def info(self, name: str) -> LayerInfo:
        check_layer_name(name)
        with self.engine.connect() as conn:
            version, geometry_type, srid, provenance, written_at = self._meta(conn, name)
            stamp = (name, int(version), str(written_at))
            counted = self._counted.get(stamp)
            if counted is None:  # a full scan: once per layer version in this process
                counted = conn.execute(
                    sa.text(
                        "SELECT c, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
                        f" (SELECT count(*) AS c, ST_Extent({GEOMETRY_COLUMN}) AS e"
                        f' FROM {self.schema}."{name}") s'
                    )
                ).first()
                self._counted = {k: v for k, v in self._counted.items() if name not in k[:2]}
                self._counted[stamp] = counted
        count, xmin, ymin, xmax, ymax = counted
        return LayerInfo(
            name=name,
            feature_count=int(count),
            crs=f"EPSG:{srid}" if srid else None,
            geometry_type=geometry_type,
            bounds=(xmin, ymin, xmax, ymax) if xmin is not None else None,
            version=int(version),
            provenance=provenance or {},
            written_at=written_at,
        )

    def kept_reports(self) -> list[dict]:
        """The reports in `import_reports` not yet copied to `<home>/imports/`."""
        folder = self.home / REPORTS_FOLDER
        with self.engine.connect() as conn:
            ids = [
                r[0] for r in conn.execute(sa.text(f"SELECT id FROM {self.schema}.{REPORTS_TABLE}"))
            ]
            missing = [i for i in ids if not (folder / f"{i}.json").exists()]
            if not missing:
                return []
            rows = conn.execute(
                sa.text(f"SELECT report FROM {self.schema}.{REPORTS_TABLE} WHERE id = ANY(:ids)"),
                {"ids": missing},
            )
            return [r[0] for r in rows]

    def read(self, name, *, bbox=None):
        check_layer_name(name)
        with self.engine.connect() as conn:
            return self._read(conn, name, bbox)

    def _read(self, conn, name, bbox=None, *, fresh=False):
        srid = self._meta(conn, name, fresh=fresh).srid
        sql = f'SELECT * FROM {self.schema}."{name}"'
        params = {}
        if bbox:
            sql += f" WHERE {GEOMETRY_COLUMN} && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, :srid)"
            params = dict(zip(("xmin", "ymin", "xmax", "ymax"), map(float, bbox)), srid=srid)
        sql += f" ORDER BY {ROW_COLUMN}"
        gdf = gpd.read_postgis(sa.text(sql), conn, geom_col=GEOMETRY_COLUMN, params=params)
        gdf = gdf.drop(columns=[ROW_COLUMN]).rename_geometry("geometry")
        if srid:
            gdf = gdf.set_crs(f"EPSG:{srid}", allow_override=True)
        return gdf

    def write(
        self, name, gdf, *, mode="replace", provenance=None, expected_version=None, report=None
    ):
        check_mode(mode)
        check_layer_name(name)
        staging = f"_staging_{name}"[:63]
        with self.engine.begin() as conn:
            # Held to the end of the transaction: one writer per layer at a time.
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:n))"),
                {"n": f"{self.schema}.{name}"},
            )
            existing = conn.execute(
                sa.text(f"SELECT version, srid FROM {self.schema}.{META_TABLE} WHERE name = :n"),
                {"n": name},
            ).first()
            version = existing[0] if existing else 0
            check_version(name, expected_version, version)
            out = gdf
            if mode == "append" and existing:
                current = self._read(conn, name, fresh=True)
                out = pd.concat([current, gdf.to_crs(current.crs)], ignore_index=True)
            out = gpd.GeoDataFrame(out.copy(), geometry=out.geometry.name, crs=out.crs)
            out = out.rename_geometry(GEOMETRY_COLUMN).reset_index(drop=True)
            out.index.name = ROW_COLUMN
            out = out.reset_index()
            srid = CRS.from_user_input(out.crs).to_epsg() if out.crs else None
            conn.execute(sa.text(f'DROP TABLE IF EXISTS {self.schema}."{staging}"'))
            out.to_postgis(staging, conn, schema=self.schema, index=False)
            conn.execute(sa.text(f'DROP TABLE IF EXISTS {self.schema}."{name}"'))
            conn.execute(sa.text(f'ALTER TABLE {self.schema}."{staging}" RENAME TO "{name}"'))
            # to_postgis names the GiST index after the staging table; rename it
            # too, or the next write's staging index would collide with it.
            conn.execute(
                sa.text(
                    f'ALTER INDEX IF EXISTS {self.schema}."idx_{staging}_{GEOMETRY_COLUMN}"'
                    f' RENAME TO "idx_{name}_{GEOMETRY_COLUMN}"'
                )
            )
            conn.execute(
                sa.text(f'ALTER TABLE {self.schema}."{name}" ADD PRIMARY KEY ({ROW_COLUMN})')
            )
            conn.execute(
                sa.text(
                    f"INSERT INTO {self.schema}.{META_TABLE} (name, version, geometry_type, srid,"
                    " provenance, written_at) VALUES (:n, :v, :g, :s, CAST(:p AS jsonb), :w)"
                    " ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version,"
                    " geometry_type = EXCLUDED.geometry_type, srid = EXCLUDED.srid,"
                    " provenance = EXCLUDED.provenance, written_at = EXCLUDED.written_at"
                ),
                {
                    "n": name,
                    "v": version + 1,
                    "g": geometry_type_of(gdf),
                    "s": srid,
                    "p": json.dumps(provenance or {}, ensure_ascii=False),
                    "w": utc_now(),
                },
            )
            if report is not None:
                report["store_version"] = version + 1
                conn.execute(
                    sa.text(
                        f"INSERT INTO {self.schema}.{REPORTS_TABLE} (id, layer, version, report,"
                        " recorded_at) VALUES (:i, :n, :v, CAST(:r AS jsonb), :w)"
                    ),
                    {
                        "i": str(report["id"]),
                        "n": name,
                        "v": version + 1,
                        "r": json.dumps(report, ensure_ascii=False, default=str),
                        "w": utc_now(),
                    },
                )
        self._forget_kept()
        if report is not None:
            record_reports(self.home, [report])
        return self.info(name)

    def delete(self, name):
        check_layer_name(name)
        with self.engine.begin() as conn:
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:n))"),
                {"n": f"{self.schema}.{name}"},
            )
            self._meta(conn, name, fresh=True)
            conn.execute(sa.text(f'DROP TABLE IF EXISTS {self.schema}."{name}"'))
            conn.execute(
                sa.text(f"DELETE FROM {self.schema}.{META_TABLE} WHERE name = :n"), {"n": name}
            )
        self._forget_kept()

    # ------------------------------------------------------------------ tiles

    @functools.cached_property
    def tile_cache(self) -> PostgresTileCache:
        return PostgresTileCache(self.engine, self.schema)

    def layer_tag(self, name: str) -> str:
        """The layer's version and time written, from the metadata table only: it
        changes with every write, also when a layer is removed and written anew."""
        check_layer_name(name)
        with self.engine.connect() as conn:
            meta = self._meta(conn, name)
        return layer_tag(meta.version, meta.written_at)

    def feature_boxes(self, name: str) -> tuple[np.ndarray, str | None]:
        """Every feature's box (minx, miny, maxx, maxy) in the storage CRS, and that CRS."""
        check_layer_name(name)
        with self.engine.connect() as conn:
            srid = self._meta(conn, name).srid
            rows = conn.execute(
                sa.text(
                    f"SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM"
                    f' (SELECT {GEOMETRY_COLUMN}::box2d AS b FROM {self.schema}."{name}"'
                    f" WHERE {GEOMETRY_COLUMN} IS NOT NULL) s"
                )
            ).fetchall()
        return np.array(rows, dtype="float64").reshape(-1, 4), f"EPSG:{srid}" if srid else None

    def _columns(self, conn, name: str) -> frozenset[str]:
        """The layer table's columns, remembered per layer version in this process."""
        meta = self._meta(conn, name)
        stamp = ("columns", name, int(meta.version), str(meta.written_at))
        if stamp not in self._counted:
            rows = conn.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_schema = :s AND table_name = :t"
                ),
                {"s": self.schema, "t": name},
            )
            self._counted[stamp] = frozenset(r[0] for r in rows)
        return self._counted[stamp]

    def mvt(self, name: str, z: int, x: int, y: int, *, fields=()) -> bytes:
        """The detail tile z/x/y: ST_AsMVT over ST_AsMVTGeom, the `&&` on the buffered
        tile envelope using the layer's GiST index, simplified to half a pixel first."""
        tiles.check_tile(z, x, y)
        check_layer_name(name)
        with self.engine.connect() as conn:
            srid = self._meta(conn, name).srid
            columns = self._columns(conn, name)
            chosen = [f for f in fields if f in columns and f not in (GEOMETRY_COLUMN, ROW_COLUMN)]
            attrs = "".join(f', t."{f}"' for f in chosen)
            margin = tiles.BUFFER / tiles.EXTENT
            geom = f"t.{GEOMETRY_COLUMN}"
            if srid and srid != 3857:
                search = f"ST_Transform(ST_Segmentize(ST_TileEnvelope(:z, :x, :y, margin => {margin}), :seg), {int(srid)})"
                shape = f"ST_Transform(ST_SimplifyPreserveTopology({geom}, :tol), 3857)"
            else:
                search = f"ST_TileEnvelope(:z, :x, :y, margin => {margin})"
                shape = f"ST_SimplifyPreserveTopology({geom}, :tol)"
            sql = (
                f"SELECT ST_AsMVT(q, :layer, {tiles.EXTENT}, 'geom') FROM ("
                f" SELECT ST_AsMVTGeom({shape}, ST_TileEnvelope(:z, :x, :y),"
                f" {tiles.EXTENT}, {tiles.BUFFER}, true) AS geom{attrs}"
                f' FROM {self.schema}."{name}" t WHERE {geom} && {search}'
                ") q WHERE q.geom IS NOT NULL"
            )
            size = 2 * tiles.WORLD / (1 << z)
            data = conn.execute(
                sa.text(sql),
                {
                    "z": z,
                    "x": x,
                    "y": y,
                    "layer": name,
                    "tol": tiles.simplify_tolerance(z),
                    "seg": size / 8,
                },
            ).scalar()
        return bytes(data or b"")
