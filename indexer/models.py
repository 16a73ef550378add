"""The SQL mirror's tables, as typed SQLModel classes.

The Alembic revisions under `indexer/migrations/versions/` create exactly these tables (a test
compares the migrated schema with this metadata); nothing creates tables from the models at
runtime, so SQLite and PostgreSQL always get the same, reviewed DDL.

Every table carries `chain_id`: one database may mirror several chains (a test net and the
production chain) without their rows meeting.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

#: JSON everywhere, JSONB on PostgreSQL so that domain queries can index into `args`.
JsonType = sa.JSON().with_variant(JSONB(), "postgresql")
#: A 64-bit surrogate key on PostgreSQL; SQLite only auto-increments INTEGER PRIMARY KEY.
BigIdType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


#: Integer parts of composite primary keys are plain values, never sequences.
_NO_AUTOINC: dict[str, Any] = {"autoincrement": False}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class RawEvent(SQLModel, table=True):
    """One log of a watched contract, decoded with the project's compiled ABIs.

    The natural key is (chain_id, block_hash, log_index): a log re-delivered after a crash or a
    retry is ignored (ON CONFLICT DO NOTHING), while the same log in a replacing block of a
    reorg is a different row. Big integers are decimal strings inside `args`, so a uint256
    survives JSON exactly.
    """

    __tablename__ = "idx_raw_event"
    __table_args__ = (
        sa.UniqueConstraint("chain_id", "block_hash", "log_index", name="uq_idx_raw_event_key"),
        sa.Index("ix_idx_raw_event_order", "chain_id", "block_number", "log_index"),
        sa.Index("ix_idx_raw_event_name", "chain_id", "event_name"),
        sa.Index("ix_idx_raw_event_address", "chain_id", "address"),
    )

    id: int | None = Field(default=None, sa_type=BigIdType, primary_key=True)
    chain_id: int = Field(sa_type=sa.BigInteger)
    block_number: int = Field(sa_type=sa.BigInteger)
    block_hash: str = Field(max_length=66)
    tx_hash: str = Field(max_length=66)
    tx_index: int
    log_index: int
    address: str = Field(max_length=42)
    """Emitting contract, EIP-55 checksummed."""
    event_name: str | None = Field(default=None, max_length=128)
    """None when no compiled contract declares the log's topic0 (watch-all mode sees those)."""
    signature: str | None = Field(default=None, max_length=512)
    args: dict[str, Any] | None = Field(default=None, sa_type=JsonType)
    """Decoded arguments by name; ints as decimal strings, bytes as 0x-hex."""
    topics: list[str] | None = Field(default=None, sa_type=JsonType)
    """Raw topics, kept only when the log could not be decoded (so it can be later)."""
    data: str | None = Field(default=None, sa_type=sa.Text)
    """Raw data, kept only when the log could not be decoded."""


class Block(SQLModel, table=True):
    """A block above the finality depth: its hash tells a reorg, its parent links the chain."""

    __tablename__ = "idx_block"

    chain_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    number: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    hash: str = Field(max_length=66)
    parent_hash: str = Field(max_length=66)


class Cursor(SQLModel, table=True):
    """The last block whose events are all in SQL; written in the same transaction as them."""

    __tablename__ = "idx_cursor"

    chain_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    block_number: int = Field(sa_type=sa.BigInteger)
    """-1 before the first block is indexed (start_block - 1 in general)."""
    block_hash: str | None = Field(default=None, max_length=66)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime)


class Status(SQLModel, table=True):
    """Counters an operator watches, and the indexing scope an audit rebuilds with."""

    __tablename__ = "idx_status"

    chain_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    reorg_count: int = 0
    deepest_reorg: int = 0
    """Largest number of blocks undone by one reorg (an upper bound when deeper than
    finality: blocks without events leave no hash to compare)."""
    last_reorg_ancestor: int | None = Field(default=None, sa_type=sa.BigInteger)
    last_reorg_at: datetime | None = Field(default=None, sa_type=sa.DateTime)
    head_seen: int | None = Field(default=None, sa_type=sa.BigInteger)
    scope: dict[str, Any] | None = Field(default=None, sa_type=JsonType)
    """start_block, watch_all and discovery_events of the run that created the mirror."""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime)


class WatchedAddress(SQLModel, table=True):
    """A contract whose logs are mirrored from `from_block` on: a root, or discovered by an
    event (then `block_hash`/`log_index` name that event, and a reorg that orphans it removes
    the row)."""

    __tablename__ = "idx_watched_address"

    chain_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    address: str = Field(max_length=42, primary_key=True)
    from_block: int = Field(sa_type=sa.BigInteger)
    source: str = Field(max_length=16)
    """"root" or "discovered"."""
    event_name: str | None = Field(default=None, max_length=128)
    block_hash: str | None = Field(default=None, max_length=66)
    log_index: int | None = None


class PingNote(SQLModel, table=True):
    """Example projection: a ledger of Ping notes, one row per `Pinged` event.

    Keyed by its raw event (chain_id, block_hash, log_index) with a cascading foreign key, and
    carrying `block_number`, so that the generic reorg undo (delete above the ancestor) applies.
    "Current state" (e.g. the last note of a sender) is a query over the ledger, never a
    mutable row that an undo would have to reconstruct.
    """

    __tablename__ = "ping_note"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["chain_id", "block_hash", "log_index"],
            ["idx_raw_event.chain_id", "idx_raw_event.block_hash", "idx_raw_event.log_index"],
            ondelete="CASCADE",
            name="fk_ping_note_raw_event",
        ),
        sa.Index("ix_ping_note_sender", "chain_id", "sender"),
        sa.Index("ix_ping_note_block", "chain_id", "block_number"),
    )

    chain_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    block_hash: str = Field(max_length=66, primary_key=True)
    log_index: int = Field(primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    block_number: int = Field(sa_type=sa.BigInteger)
    contract: str = Field(max_length=42)
    sender: str = Field(max_length=42)
    count: str = Field(max_length=78)
    """uint256 as a decimal string (78 digits hold 2**256 - 1)."""
    note: str = Field(max_length=66)


#: The indexer's own tables, in creation order (audit and schema tests walk them).
CORE_TABLES = ("idx_raw_event", "idx_block", "idx_cursor", "idx_status", "idx_watched_address")
