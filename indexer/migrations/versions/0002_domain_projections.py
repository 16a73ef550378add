"""Domain projections: cooperatives, configuration, members, shares, treasury, documents, ВРЕ
balances, obligations and clearings, council items and votes, meetings, questions, ballots; and
block timestamps on raw events and the cursor.

Every domain table is an append-only ledger keyed by its raw event (chain_id, block_hash,
log_index), with `block_number` for the generic reorg undo (the cascading foreign key to
`idx_raw_event` this revision used to create is gone: see 0010_indexer_speed). Rows
describing an entity carry its state after the event; "current state" is a query
(`indexer/queries/`).

Revision ID: 0002_domain_projections
Revises: 0001_indexer_core
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002_domain_projections"
down_revision: str | None = "0001_indexer_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _ledger(
    name: str,
    *columns: sa.Column,
    key: str | None = None,
    index: tuple[str, list[str]] | None = None,
) -> None:
    """A ledger table: the raw event's key and block, the domain columns, an index on
    (chain_id, block_number) for the undo, and an optional lookup index. `key` names a column
    that completes the primary key (several rows of one event).

    No foreign key to `idx_raw_event` (since revision 0010_indexer_speed, which drops those
    that earlier databases have): the indexer writes a ledger row in the transaction of its
    raw event and undoes both by block number; PostgreSQL's per-row check cost about half the
    server's time of a step. Later revisions create their ledgers with this helper too."""
    extra_pk = [key] if key else []
    op.create_table(
        name,
        sa.Column("chain_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("block_hash", sa.String(66), nullable=False),
        sa.Column("log_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("chain_id", "block_hash", "log_index", *extra_pk),
    )
    op.create_index(f"ix_{name}_block", name, ["chain_id", "block_number"])
    if index is not None:
        op.create_index(index[0], name, index[1])


def upgrade() -> None:
    with op.batch_alter_table("idx_raw_event") as batch:
        batch.add_column(sa.Column("block_timestamp", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("idx_cursor") as batch:
        batch.add_column(sa.Column("block_timestamp", sa.BigInteger(), nullable=True))

    _ledger(
        "coop_cooperative",
        sa.Column("network_registry", sa.String(42), nullable=False),
        sa.Column("coop_id", sa.BigInteger(), nullable=False),
        sa.Column("charter", sa.String(42), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("charter_document", sa.String(66), nullable=False),
        sa.Column("chair", sa.String(42), nullable=False),
        sa.Column("membership", sa.String(42), nullable=False),
        sa.Column("shares", sa.String(42), nullable=False),
        sa.Column("treasury", sa.String(42), nullable=False),
        sa.Column("documents", sa.String(42), nullable=False),
        sa.Column("settlement_units", sa.String(42), nullable=False),
        index=("ix_coop_cooperative_charter", ["chain_id", "charter"]),
    )
    _ledger(
        "coop_config_event",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("account", sa.String(42), nullable=True),
        sa.Column("previous", sa.String(78), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("number", sa.BigInteger(), nullable=True),
        sa.Column("entrance_fee", sa.String(78), nullable=True),
        sa.Column("minimum_share", sa.String(78), nullable=True),
        index=("ix_coop_config_event_contract", ["chain_id", "contract", "action"]),
    )
    _ledger(
        "member_event",
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("member_kind", sa.Integer(), nullable=False),
        sa.Column("blocked_from", sa.Integer(), nullable=False),
        sa.Column("identity_verified", sa.Boolean(), nullable=False),
        sa.Column("fees_paid", sa.Boolean(), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("applied_at", sa.BigInteger(), nullable=False),
        sa.Column("admitted_at", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.String(66), nullable=True),
        sa.Column("identity_hash", sa.String(66), nullable=True),
        sa.Column("counterparty", sa.String(42), nullable=True),
        sa.Column("entrance_fee", sa.String(78), nullable=True),
        sa.Column("minimum_share", sa.String(78), nullable=True),
        index=("ix_member_event_account", ["chain_id", "contract", "account"]),
        key="account",
    )
    _ledger(
        "share_entry",
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("amount", sa.String(78), nullable=False),
        sa.Column("off_chain", sa.Boolean(), nullable=False),
        sa.Column("document", sa.String(66), nullable=True),
        sa.Column("counterparty", sa.String(42), nullable=True),
        sa.Column("refunded_on_chain", sa.String(78), nullable=True),
        sa.Column("owed_off_chain", sa.String(78), nullable=True),
        sa.Column("minimum_share", sa.String(78), nullable=False),
        sa.Column("voluntary_shares", sa.String(78), nullable=False),
        sa.Column("in_kind_shares", sa.String(78), nullable=False),
        sa.Column("entrance_fee", sa.String(78), nullable=False),
        sa.Column("paid_off_chain", sa.String(78), nullable=False),
        index=("ix_share_entry_account", ["chain_id", "contract", "account"]),
        key="account",
    )
    _ledger(
        "treasury_movement",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("fund", sa.Integer(), nullable=True),
        sa.Column("counterparty", sa.String(42), nullable=True),
        sa.Column("amount", sa.String(78), nullable=False),
        sa.Column("share_amount", sa.String(78), nullable=True),
        sa.Column("document", sa.String(66), nullable=True),
        sa.Column("parts", sa.String(315), nullable=True),
        sa.Column("share_fund", sa.String(78), nullable=False),
        sa.Column("reserve_fund", sa.String(78), nullable=False),
        sa.Column("mutual_aid_fund", sa.String(78), nullable=False),
        sa.Column("development_fund", sa.String(78), nullable=False),
        sa.Column("pending_income", sa.String(78), nullable=False),
        index=("ix_treasury_movement_contract", ["chain_id", "contract"]),
    )
    _ledger(
        "doc_document",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("document", sa.String(66), nullable=False),
        sa.Column("document_type", sa.Integer(), nullable=False),
        sa.Column("anchored_by", sa.String(42), nullable=False),
        sa.Column("replaces", sa.String(66), nullable=False),
        index=("ix_doc_document_hash", ["chain_id", "document"]),
    )
    _ledger(
        "doc_signature",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("document", sa.String(66), nullable=False),
        sa.Column("signer", sa.String(42), nullable=False),
        sa.Column("submitter", sa.String(42), nullable=False),
        index=("ix_doc_signature_document", ["chain_id", "document"]),
    )
    _ledger(
        "units_entry",
        sa.Column("leg", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("counterparty", sa.String(42), nullable=True),
        sa.Column("delta", sa.String(80), nullable=False),
        sa.Column("balance", sa.String(80), nullable=False),
        sa.Column("credit_limit", sa.String(78), nullable=True),
        index=("ix_units_entry_account", ["chain_id", "contract", "account"]),
        key="leg",
    )
    _ledger(
        "units_transfer_doc",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("sender", sa.String(42), nullable=False),
        sa.Column("recipient", sa.String(42), nullable=False),
        sa.Column("amount", sa.String(78), nullable=False),
        sa.Column("document", sa.String(66), nullable=False),
    )
    _ledger(
        "units_obligation_event",
        sa.Column("obligation_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("amount", sa.String(78), nullable=False),
        sa.Column("by_signature", sa.Boolean(), nullable=True),
        sa.Column("debtor", sa.String(42), nullable=False),
        sa.Column("creditor", sa.String(42), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.String(78), nullable=False),
        sa.Column("outstanding", sa.String(78), nullable=False),
        sa.Column("document_hash", sa.String(66), nullable=False),
        index=("ix_units_obligation_event_id", ["chain_id", "contract", "obligation_id"]),
        key="obligation_id",
    )
    _ledger(
        "units_clearing",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("submitter", sa.String(42), nullable=False),
        sa.Column("plan_hash", sa.String(66), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("total_cleared", sa.String(78), nullable=False),
    )
    _ledger(
        "gov_council_item_event",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(42), nullable=True),
        sa.Column("support", sa.Integer(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("for_votes", sa.Integer(), nullable=False),
        sa.Column("against_votes", sa.Integer(), nullable=False),
        sa.Column("abstain_votes", sa.Integer(), nullable=False),
        sa.Column("document_hash", sa.String(66), nullable=False),
        sa.Column("protocol_hash", sa.String(66), nullable=True),
        sa.Column("targets", JSON, nullable=True),
        sa.Column("calldatas", JSON, nullable=True),
        index=("ix_gov_council_item_event_item", ["chain_id", "contract", "item_id"]),
    )
    _ledger(
        "gov_meeting_event",
        sa.Column("meeting_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("actor", sa.String(42), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("previous_meeting_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.BigInteger(), nullable=False),
        sa.Column("closes_at", sa.BigInteger(), nullable=False),
        sa.Column("record_block", sa.BigInteger(), nullable=False),
        sa.Column("quorum_bps", sa.Integer(), nullable=False),
        sa.Column("secretary", sa.String(42), nullable=False),
        sa.Column("chair", sa.String(42), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("eligible", sa.Integer(), nullable=True),
        sa.Column("accepted_mask", sa.BigInteger(), nullable=False),
        sa.Column("executed_mask", sa.BigInteger(), nullable=False),
        sa.Column("secretary_signed", sa.Boolean(), nullable=False),
        sa.Column("chair_signed", sa.Boolean(), nullable=False),
        sa.Column("protocol_hash", sa.String(66), nullable=True),
        index=("ix_gov_meeting_event_meeting", ["chain_id", "contract", "meeting_id"]),
        key="meeting_id",
    )
    _ledger(
        "gov_question",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("meeting_id", sa.BigInteger(), nullable=False),
        sa.Column("question_index", sa.Integer(), nullable=False),
        sa.Column("document_hash", sa.String(66), nullable=False),
        sa.Column("majority", sa.Integer(), nullable=False),
        sa.Column("targets", JSON, nullable=False),
        sa.Column("calldatas", JSON, nullable=False),
        index=("ix_gov_question_meeting", ["chain_id", "contract", "meeting_id"]),
    )
    _ledger(
        "gov_ballot",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("meeting_id", sa.BigInteger(), nullable=False),
        sa.Column("voter", sa.String(42), nullable=False),
        sa.Column("choices", sa.String(78), nullable=True),
        sa.Column("by_signature", sa.Boolean(), nullable=False),
        sa.Column("rejected_reason", sa.String(10), nullable=True),
        index=("ix_gov_ballot_meeting", ["chain_id", "contract", "meeting_id"]),
    )


def downgrade() -> None:
    for name in reversed(DOMAIN_TABLES):
        op.drop_table(name)
    with op.batch_alter_table("idx_cursor") as batch:
        batch.drop_column("block_timestamp")
    with op.batch_alter_table("idx_raw_event") as batch:
        batch.drop_column("block_timestamp")


DOMAIN_TABLES = (
    "coop_cooperative",
    "coop_config_event",
    "member_event",
    "share_entry",
    "treasury_movement",
    "doc_document",
    "doc_signature",
    "units_entry",
    "units_transfer_doc",
    "units_obligation_event",
    "units_clearing",
    "gov_council_item_event",
    "gov_meeting_event",
    "gov_question",
    "gov_ballot",
)
