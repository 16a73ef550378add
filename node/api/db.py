"""The gateway's database: the mirror's engine, and the gateway's own Alembic history."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from indexer.db import make_engine, upgrade_history

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Not the indexer's `idx_alembic_version`: each history keeps its own version table.
VERSION_TABLE = "api_alembic_version"


def migrate(engine: Engine) -> None:
    """Bring the gateway's tables to the newest revision (idempotent; runs at app start)."""
    upgrade_history(engine, str(MIGRATIONS_DIR), VERSION_TABLE)


def gateway_engine(url: str) -> Engine:
    return make_engine(url)
