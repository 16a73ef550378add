"""Alembic environment of the gateway's tables (version table `api_alembic_version`).

Run by `node.api.db.migrate(engine)` at app start with a live connection in
`config.attributes["connection"]`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from node.api.db import VERSION_TABLE

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("run the gateway's migrations through node.api.db.migrate(engine)")
_run(connection)
