"""Mutual-aid fund and property register: contributions/withdrawals, loans and guarantees,
assets. Append-only ledgers keyed by their raw event, like revision 0002's.

Revision ID: 0003_fund_property
Revises: 0002_domain_projections
Create Date: 2026-11-25
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003_fund_property"
down_revision: str | None = "0002_domain_projections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")

# The ledger helper of revision 0002 (the module name starts with a digit: imported by name).
_ledger = importlib.import_module("indexer.migrations.versions.0002_domain_projections")._ledger


def _pool() -> list[sa.Column]:
    return [
        sa.Column("pool_cash", sa.String(78), nullable=False),
        sa.Column("pool_lent", sa.String(78), nullable=False),
        sa.Column("pool_units", sa.String(78), nullable=False),
    ]


def upgrade() -> None:
    _ledger(
        "fund_entry",
        *_pool(),
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("amount", sa.String(78), nullable=False),
        sa.Column("units", sa.String(78), nullable=False),
        sa.Column("units_after", sa.String(78), nullable=False),
        sa.Column("contributed_after", sa.String(80), nullable=False),
        index=("ix_fund_entry_account", ["chain_id", "contract", "account"]),
        key="account",
    )
    _ledger(
        "fund_loan_event",
        *_pool(),
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("loan_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(42), nullable=True),
        sa.Column("amount", sa.String(78), nullable=False),
        sa.Column("decision", sa.String(66), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("borrower", sa.String(42), nullable=False),
        sa.Column("principal", sa.String(78), nullable=False),
        sa.Column("interest", sa.String(78), nullable=False),
        sa.Column("repaid", sa.String(78), nullable=False),
        sa.Column("term", sa.BigInteger(), nullable=False),
        sa.Column("instalments", sa.Integer(), nullable=False),
        sa.Column("custom_schedule", sa.Boolean(), nullable=False),
        sa.Column("disbursed_at", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(66), nullable=False),
        sa.Column("guarantors", JSON, nullable=True),
        sa.Column("pledges", JSON, nullable=True),
        sa.Column("accepted_mask", sa.Integer(), nullable=False),
        index=("ix_fund_loan_event_loan", ["chain_id", "contract", "loan_id"]),
    )
    _ledger(
        "property_asset_event",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("token_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("decision", sa.String(66), nullable=True),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("custodian", sa.String(42), nullable=False),
        sa.Column("valuation", sa.String(78), nullable=False),
        sa.Column("title", sa.String(66), nullable=False),
        sa.Column("metadata_hash", sa.String(66), nullable=False),
        sa.Column("acquired_at", sa.BigInteger(), nullable=False),
        sa.Column("valued_at", sa.BigInteger(), nullable=False),
        sa.Column("encumbered", sa.Boolean(), nullable=False),
        sa.Column("pledgee", sa.String(42), nullable=False),
        sa.Column("pledge_amount", sa.String(78), nullable=False),
        sa.Column("pledge_document", sa.String(66), nullable=False),
        sa.Column("disposed", sa.Boolean(), nullable=False),
        sa.Column("disposal_kind", sa.Integer(), nullable=True),
        sa.Column("counterparty", sa.String(42), nullable=True),
        sa.Column("disposal_amount", sa.String(78), nullable=True),
        index=("ix_property_asset_event_token", ["chain_id", "contract", "token_id"]),
    )


def downgrade() -> None:
    for name in ("property_asset_event", "fund_loan_event", "fund_entry"):
        op.drop_table(name)
