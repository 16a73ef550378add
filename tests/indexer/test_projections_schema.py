"""Revision 0002 creates exactly the domain ledgers and the timestamp columns of the SQLModel
classes, on SQLite and PostgreSQL, and every domain ledger is registered with a projection (so
the reorg undo and the audit cover it)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from indexer import models
from indexer.db import VERSION_TABLE, make_engine, migrate
from indexer.projections import Dispatcher, default_projections


def test_domain_schema_matches_the_models(db_url: str) -> None:
    migrate(db_url)
    migrate(db_url)
    ours = {*models.CORE_TABLES, models.PingNote.__tablename__, *models.DOMAIN_TABLES}
    mine = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        if table.name in ours:
            table.to_metadata(mine)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
            )
            diff = [d for d in compare_metadata(ctx, mine) if d[0] != "remove_table"]
            assert diff == []
            assert set(sa.inspect(conn).get_table_names()) >= ours
    finally:
        engine.dispose()


def test_every_domain_ledger_has_a_projection() -> None:
    tables = {t.name for t in Dispatcher(default_projections()).tables()}
    assert set(models.DOMAIN_TABLES) <= tables
