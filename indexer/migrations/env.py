"""Alembic environment of the indexer's schema.

Run programmatically by `indexer.db.migrate(url)` with a live connection in
`config.attributes["connection"]`; `alembic -c <ini>` with `sqlalchemy.url` works too, for
authors writing a new revision (`alembic revision -m "..."`; autogenerate is a drafting aid only,
every revision is reviewed code).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from indexer.db import VERSION_TABLE, make_engine, run_env_migrations

config = context.config


def _run(connection: Connection) -> None:
    run_env_migrations(connection, VERSION_TABLE)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection in config.attributes")
    engine = make_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; run indexer.db.migrate")
run_migrations_online()
