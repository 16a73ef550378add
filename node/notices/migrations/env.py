"""Alembic environment of the notices' tables (version table `notice_alembic_version`).

Run by `node.notices.store.migrate(engine)` with a live connection in
`config.attributes["connection"]`; the body is `indexer.db.run_history_env`, the same for
each of the node's own histories.
"""

from __future__ import annotations

from indexer.db import run_history_env
from node.notices.store import VERSION_TABLE

run_history_env(VERSION_TABLE, "node.notices.store.migrate(engine)")
