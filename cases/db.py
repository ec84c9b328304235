"""Engines for the case store: SQLite in the instance folder, or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def case_store_url(home: str | Path, database_url: str | None = None) -> str:
    if database_url:
        for prefix in ("postgresql://", "postgres://"):
            if database_url.startswith(prefix):
                return "postgresql+psycopg://" + database_url[len(prefix) :]
        return database_url
    return f"sqlite:///{Path(home).resolve() / 'planner.sqlite'}"


def make_engine(url: str, *, schema: str | None = None) -> sa.Engine:
    """An engine; on PostgreSQL, `schema` (created if missing) comes first on the search path."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    connect_args = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema},public"
        bootstrap = sa.create_engine(url)
        with bootstrap.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        bootstrap.dispose()
    engine = sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
    return engine


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` with Alembic."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
