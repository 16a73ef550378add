"""Indexer speed: the projection ledgers lose their foreign key to `idx_raw_event`.

Every ledger row is written in the transaction of its raw event, keyed by that event, and the
reorg undo deletes both by block number (each projection's `revert_above`, then the indexer's
sweep of every ledger table, then the raw rows), so the foreign key guarded nothing the indexer
does not already guarantee. Its per-row check was about half of PostgreSQL's time in a step
(COPY of 100,000 `ping_note` rows: a lookup and a row lock on the raw event per row).

The constraints are found by reflection (every foreign key that references `idx_raw_event`),
so ledgers created by other revisions with the 0002 helper before this one lose theirs too.
On SQLite the tables are rebuilt (batch mode); their rows are kept.

Revision ID: 0010_indexer_speed
Revises: 0009_named_funds
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_indexer_speed"
down_revision: str | None = "0009_named_funds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RAW_KEY = ["chain_id", "block_hash", "log_index"]


def _raw_references() -> list[tuple[str, str]]:
    """(table, constraint name) of every foreign key that references idx_raw_event."""
    insp = sa.inspect(op.get_bind())
    out: list[tuple[str, str]] = []
    for table in sorted(insp.get_table_names()):
        for fk in insp.get_foreign_keys(table):
            if fk.get("referred_table") == "idx_raw_event" and fk.get("name"):
                out.append((table, str(fk["name"])))
    return out


def _ledgers() -> list[str]:
    """Tables keyed by a raw event: primary key starting with (chain_id, block_hash, log_index)
    and a block_number column."""
    insp = sa.inspect(op.get_bind())
    out: list[str] = []
    for table in sorted(insp.get_table_names()):
        if table == "idx_raw_event":
            continue
        pk = insp.get_pk_constraint(table).get("constrained_columns") or []
        cols = {c["name"] for c in insp.get_columns(table)}
        if sorted(pk[:3]) == sorted(RAW_KEY) and "block_number" in cols:
            out.append(table)
    return out


def upgrade() -> None:
    for table, name in _raw_references():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    for table in _ledgers():
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(
                f"fk_{table}_raw_event",
                "idx_raw_event",
                RAW_KEY,
                RAW_KEY,
                ondelete="CASCADE",
            )
