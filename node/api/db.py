"""The gateway's database: the mirror's engine, and the gateway's own Alembic history."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from indexer.db import lock_for_transaction, make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Not the indexer's `idx_alembic_version`: each history keeps its own version table.
VERSION_TABLE = "api_alembic_version"


def migrate(engine: Engine) -> None:
    """Bring the gateway's tables to the newest revision (idempotent; runs at app start)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_table", VERSION_TABLE)
    with engine.begin() as conn:
        lock_for_transaction(conn, "coop:migrate")  # gateway workers start at once
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def gateway_engine(url: str) -> Engine:
    return make_engine(url)
