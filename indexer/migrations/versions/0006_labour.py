"""Labour register: `labour_event`, one ledger row per LabourRegister event (and the
installer's LabourRegisterInstalled).

Revision ID: 0006_labour
Revises: 0005_meeting_proxies
Create Date: 2026-12-05
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006_labour"
down_revision: str | None = "0005_meeting_proxies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The ledger helper of revision 0002 (the module name starts with a digit: imported by name).
_ledger = importlib.import_module("indexer.migrations.versions.0002_domain_projections")._ledger


def upgrade() -> None:
    _ledger(
        "labour_event",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=True),
        sa.Column("distribution_id", sa.BigInteger(), nullable=True),
        sa.Column("member", sa.String(42), nullable=True),
        sa.Column("period", sa.BigInteger(), nullable=True),
        sa.Column("basis", sa.Integer(), nullable=True),
        sa.Column("amount", sa.String(78), nullable=True),
        sa.Column("data", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True),
        index=("ix_labour_event_contract", ["chain_id", "contract", "action"]),
    )
    op.create_index("ix_labour_event_member", "labour_event", ["chain_id", "member"])


def downgrade() -> None:
    op.drop_table("labour_event")
