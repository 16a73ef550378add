"""The Alembic revisions create exactly the SQLModel tables, on SQLite and PostgreSQL, and
running them again is a no-op (every start calls `migrate`)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from indexer import models
from indexer.db import VERSION_TABLE, make_engine, migrate


def test_migrations_match_the_models_and_are_idempotent(db_url: str) -> None:
    migrate(db_url)
    migrate(db_url)
    engine = make_engine(db_url)
    ours = {*models.CORE_TABLES, models.PingNote.__tablename__}
    mine = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        if table.name in ours:
            table.to_metadata(mine)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
            )
            diff = [d for d in compare_metadata(ctx, mine) if d[0] != "remove_table"]
            assert diff == []
            assert set(sa.inspect(conn).get_table_names()) >= ours | {VERSION_TABLE}
    finally:
        engine.dispose()
