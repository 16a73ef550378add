"""Alembic environment of the notices' tables (version table `notice_alembic_version`).

Run by `node.notices.store.migrate(engine)` with a live connection in
`config.attributes["connection"]`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from node.notices.store import VERSION_TABLE

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
    raise RuntimeError("run the notices' migrations through node.notices.store.migrate(engine)")
_run(connection)
