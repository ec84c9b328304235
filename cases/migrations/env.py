"""Alembic environment: runs on the connection handed over by `cases.db.migrate`,
or on `sqlalchemy.url` from alembic.ini for command-line use."""

from alembic import context
from sqlalchemy import engine_from_config, pool, text

from cases.orm import metadata

config = context.config
target_metadata = metadata


def _version_schema(connection) -> str | None:
    """On PostgreSQL, the store's own schema (first on its search path): a store in a
    schema of its own must not take `public.alembic_version` for its own."""
    if connection.dialect.name != "postgresql":
        return None
    return connection.execute(text("SELECT current_schema()")).scalar()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table_schema=_version_schema(connection),
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            version_table_schema=_version_schema(conn),
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
