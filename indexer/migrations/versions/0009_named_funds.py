"""The funds a charter names: `treasury_named_fund_entry`, one ledger row per named fund an
event touches (NamedFundCreated / NamedFundChanged / NamedIncomeDistributed / NamedFundPaidOut),
with the fund's terms and balance after it.

Revision ID: 0009_named_funds
Revises: 0008_branches
Create Date: 2026-12-05
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_named_funds"
down_revision: str | None = "0008_branches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The ledger helper of revision 0002 (the module name starts with a digit: imported by name).
_ledger = importlib.import_module("indexer.migrations.versions.0002_domain_projections")._ledger


def upgrade() -> None:
    _ledger(
        "treasury_named_fund_entry",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("fund_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("share_bps", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Integer(), nullable=False),
        sa.Column("majority", sa.Integer(), nullable=False),
        sa.Column("indivisible", sa.Boolean(), nullable=False),
        sa.Column("regulation", sa.String(66), nullable=False),
        sa.Column("amount", sa.String(78), nullable=False),
        sa.Column("counterparty", sa.String(42), nullable=True),
        sa.Column("document", sa.String(66), nullable=True),
        sa.Column("balance", sa.String(78), nullable=False),
        key="fund_id",
        index=("ix_treasury_named_fund_entry_fund", ["chain_id", "contract", "fund_id"]),
    )


def downgrade() -> None:
    op.drop_table("treasury_named_fund_entry")
