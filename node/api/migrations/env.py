"""Alembic environment of the gateway's tables (version table `api_alembic_version`).

Run by `node.api.db.migrate(engine)` at app start with a live connection in
`config.attributes["connection"]`; the body is `indexer.db.run_history_env`, the same for
each of the node's own histories.
"""

from __future__ import annotations

from indexer.db import run_history_env
from node.api.db import VERSION_TABLE

run_history_env(VERSION_TABLE, "node.api.db.migrate(engine)")
