"""Where made tiles are kept, keyed by layer, layer tag (its version and write time)
and key ("z/x/y", or "index" for the layer's box index). A new tag makes the old
entries unreachable; `drop_other_versions` frees them.

* `SQLiteTileCache`: one SQLite file in the embedded store's instance folder.
* `PostgresTileCache`: a table beside the layers, so every app server sharing the
  database shares the tiles too (docs/decisions/0029).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

import sqlalchemy as sa


class SQLiteTileCache:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        with self._connect() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS tiles (layer TEXT NOT NULL, version TEXT NOT NULL,"
                " key TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (layer, key))"
            )

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            new = not self.path.exists()
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            if new:
                self.path.chmod(0o600)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def get(self, layer: str, version: str, key: str) -> bytes | None:
        row = (
            self._connect()
            .execute(
                "SELECT data FROM tiles WHERE layer = ? AND key = ? AND version = ?",
                (layer, key, version),
            )
            .fetchone()
        )
        return bytes(row[0]) if row else None

    def put(self, layer: str, version: str, key: str, data: bytes) -> None:
        # Busy for 5 s: the tile is simply made again next time.
        with contextlib.suppress(sqlite3.OperationalError):
            self._connect().execute(
                "INSERT INTO tiles (layer, version, key, data) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (layer, key) DO UPDATE SET version = excluded.version,"
                " data = excluded.data",
                (layer, version, key, data),
            )

    def drop_other_versions(self, layer: str, version: str) -> int:
        cur = self._connect().execute(
            "DELETE FROM tiles WHERE layer = ? AND version <> ?", (layer, version)
        )
        return cur.rowcount

    def clear(self, layer: str) -> None:
        self._connect().execute("DELETE FROM tiles WHERE layer = ?", (layer,))

    def count(self, layer: str, version: str) -> int:
        return (
            self._connect()
            .execute("SELECT count(*) FROM tiles WHERE layer = ? AND version = ?", (layer, version))
            .fetchone()[0]
        )


class PostgresTileCache:
    def __init__(self, engine: sa.Engine, schema: str):
        self.engine = engine
        self.table = f"{schema}.tile_cache"
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    f"CREATE TABLE IF NOT EXISTS {self.table} (layer text NOT NULL,"
                    " version text NOT NULL, key text NOT NULL, data bytea NOT NULL,"
                    " PRIMARY KEY (layer, key))"
                )
            )

    def get(self, layer: str, version: str, key: str) -> bytes | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    f"SELECT data FROM {self.table}"
                    " WHERE layer = :layer AND key = :key AND version = :version"
                ),
                {"layer": layer, "key": key, "version": version},
            ).first()
        return bytes(row[0]) if row else None

    def put(self, layer: str, version: str, key: str, data: bytes) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.text(
                    f"INSERT INTO {self.table} (layer, version, key, data)"
                    " VALUES (:layer, :version, :key, :data)"
                    " ON CONFLICT (layer, key) DO UPDATE SET version = excluded.version,"
                    " data = excluded.data"
                ),
                {"layer": layer, "version": version, "key": key, "data": data},
            )

    def drop_other_versions(self, layer: str, version: str) -> int:
        with self.engine.begin() as conn:
            return conn.execute(
                sa.text(f"DELETE FROM {self.table} WHERE layer = :layer AND version <> :version"),
                {"layer": layer, "version": version},
            ).rowcount

    def clear(self, layer: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.text(f"DELETE FROM {self.table} WHERE layer = :layer"), {"layer": layer}
            )

    def count(self, layer: str, version: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.text(
                    f"SELECT count(*) FROM {self.table} WHERE layer = :layer AND version = :version"
                ),
                {"layer": layer, "version": version},
            ).scalar_one()
