"""Indexer core: raw events, blocks above finality, cursor, status, watched addresses, and the
example `ping_note` projection ledger.

Revision ID: 0001_indexer_core
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001_indexer_core"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "idx_raw_event",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(66), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("tx_index", sa.Integer(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(42), nullable=False),
        sa.Column("event_name", sa.String(128), nullable=True),
        sa.Column("signature", sa.String(512), nullable=True),
        sa.Column("args", JSON, nullable=True),
        sa.Column("topics", JSON, nullable=True),
        sa.Column("data", sa.Text(), nullable=True),
        sa.UniqueConstraint("chain_id", "block_hash", "log_index", name="uq_idx_raw_event_key"),
    )
    op.create_index(
        "ix_idx_raw_event_order", "idx_raw_event", ["chain_id", "block_number", "log_index"]
    )
    op.create_index("ix_idx_raw_event_name", "idx_raw_event", ["chain_id", "event_name"])
    op.create_index("ix_idx_raw_event_address", "idx_raw_event", ["chain_id", "address"])

    op.create_table(
        "idx_block",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("number", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(66), nullable=False),
        sa.Column("parent_hash", sa.String(66), nullable=False),
    )
    op.create_table(
        "idx_cursor",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(66), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "idx_status",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("reorg_count", sa.Integer(), nullable=False),
        sa.Column("deepest_reorg", sa.Integer(), nullable=False),
        sa.Column("last_reorg_ancestor", sa.BigInteger(), nullable=True),
        sa.Column("last_reorg_at", sa.DateTime(), nullable=True),
        sa.Column("head_seen", sa.BigInteger(), nullable=True),
        sa.Column("scope", JSON, nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "idx_watched_address",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("address", sa.String(42), primary_key=True),
        sa.Column("from_block", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("event_name", sa.String(128), nullable=True),
        sa.Column("block_hash", sa.String(66), nullable=True),
        sa.Column("log_index", sa.Integer(), nullable=True),
    )
    op.create_table(
        "ping_note",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("block_hash", sa.String(66), primary_key=True),
        sa.Column("log_index", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("sender", sa.String(42), nullable=False),
        sa.Column("count", sa.String(78), nullable=False),
        sa.Column("note", sa.String(66), nullable=False),
        sa.ForeignKeyConstraint(
            ["chain_id", "block_hash", "log_index"],
            ["idx_raw_event.chain_id", "idx_raw_event.block_hash", "idx_raw_event.log_index"],
            ondelete="CASCADE",
            name="fk_ping_note_raw_event",
        ),
    )
    op.create_index("ix_ping_note_sender", "ping_note", ["chain_id", "sender"])
    op.create_index("ix_ping_note_block", "ping_note", ["chain_id", "block_number"])


def downgrade() -> None:
    op.drop_table("ping_note")
    op.drop_table("idx_watched_address")
    op.drop_table("idx_status")
    op.drop_table("idx_cursor")
    op.drop_table("idx_block")
    op.drop_table("idx_raw_event")
