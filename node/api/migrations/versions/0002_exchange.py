"""Exchange: offers and orders (catalogue data; money moves on chain in ВРЕ).

Revision ID: 0002_exchange
Revises: 0001_gateway_core
Create Date: 2026-11-25
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

log = logging.getLogger("alembic.runtime.migration")

revision: str = "0002_exchange"
down_revision: str | None = "0001_gateway_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_exchange_offer",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("cooperative", sa.String(42), nullable=False),
        sa.Column("supplier", sa.String(42), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("price", sa.String(78), nullable=False),
        sa.Column("price_value", sa.Float(), nullable=False),
        sa.Column("token_price", sa.String(78), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("attachments", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_index(
        "ix_api_exchange_offer_listing", "api_exchange_offer", ["status", "cooperative", "id"]
    )
    op.create_index(
        "ix_api_exchange_offer_category",
        "api_exchange_offer",
        ["status", "category", "price_value"],
    )
    op.create_index(
        "ix_api_exchange_offer_region", "api_exchange_offer", ["status", "region", "price_value"]
    )
    op.create_index("ix_api_exchange_offer_supplier", "api_exchange_offer", ["supplier", "id"])
    op.create_index("ix_api_exchange_offer_price", "api_exchange_offer", ["status", "price_value"])
    _text_index()
    op.create_table(
        "api_exchange_order",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("cooperative", sa.String(42), nullable=False),
        sa.Column("supplier", sa.String(42), nullable=False),
        sa.Column("buyer", sa.String(42), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.String(78), nullable=False),
        sa.Column("total", sa.String(78), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=True),
        sa.Column("obligation_id", sa.BigInteger(), nullable=True),
        sa.Column("invoice_status", sa.String(16), nullable=True),
        sa.Column("act_sha256", sa.String(64), nullable=True),
        sa.Column("act_signed", sa.Boolean(), nullable=False),
        sa.Column("dispute_sha256", sa.String(64), nullable=True),
        sa.Column("settlement", sa.String(16), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_api_exchange_order_offer_id", "api_exchange_order", ["offer_id"])
    op.create_index("ix_api_exchange_order_supplier", "api_exchange_order", ["supplier"])
    op.create_index("ix_api_exchange_order_buyer", "api_exchange_order", ["buyer"])
    op.create_index("ix_api_exchange_order_status", "api_exchange_order", ["status"])


def _text_index() -> None:
    """Substring search on `search_text` without a full scan: a trigram full-text index
    (SQLite FTS5 `trigram`, kept in step by triggers; PostgreSQL `pg_trgm` GIN, used by the
    same `LIKE '%word%'`)."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE api_exchange_offer_fts USING fts5(search_text, "
            "content='api_exchange_offer', content_rowid='id', tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER api_exchange_offer_ai AFTER INSERT ON api_exchange_offer BEGIN "
            "INSERT INTO api_exchange_offer_fts(rowid, search_text) "
            "VALUES (new.id, new.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER api_exchange_offer_ad AFTER DELETE ON api_exchange_offer BEGIN "
            "INSERT INTO api_exchange_offer_fts(api_exchange_offer_fts, rowid, search_text) "
            "VALUES ('delete', old.id, old.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER api_exchange_offer_au AFTER UPDATE OF search_text "
            "ON api_exchange_offer BEGIN "
            "INSERT INTO api_exchange_offer_fts(api_exchange_offer_fts, rowid, search_text) "
            "VALUES ('delete', old.id, old.search_text); "
            "INSERT INTO api_exchange_offer_fts(rowid, search_text) "
            "VALUES (new.id, new.search_text); END"
        )
    elif dialect == "postgresql":
        bind = op.get_bind()
        try:
            with bind.begin_nested():  # a refused extension must not abort the migration
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except sa.exc.DBAPIError as exc:
            log.warning("pg_trgm unavailable (%s): offer text search will scan", exc.orig)
            return
        op.execute(
            "CREATE INDEX ix_api_exchange_offer_trgm ON api_exchange_offer "
            "USING gin (search_text gin_trgm_ops)"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS api_exchange_offer_{trigger}")
        op.execute("DROP TABLE IF EXISTS api_exchange_offer_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_api_exchange_offer_trgm")
    for name in ("status", "buyer", "supplier", "offer_id"):
        op.drop_index(f"ix_api_exchange_order_{name}", "api_exchange_order")
    op.drop_table("api_exchange_order")
    for name in ("price", "supplier", "region", "category", "listing"):
        op.drop_index(f"ix_api_exchange_offer_{name}", "api_exchange_offer")
    op.drop_table("api_exchange_offer")
