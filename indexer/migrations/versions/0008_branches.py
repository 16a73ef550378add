"""Cooperative branches (кооперативные участки): `branch_event`, one ledger row per `IBranches`
event (branch created, trustee set, member joined or counted, delegates elected or removed,
applicant verified by the trustee, branch meeting convened).

Revision ID: 0008_branches
Revises: 0007_programs
Create Date: 2026-12-05
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0008_branches"
down_revision: str | None = "0007_programs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The ledger helper of revision 0002 (the module name starts with a digit: imported by name).
_ledger = importlib.import_module("indexer.migrations.versions.0002_domain_projections")._ledger


def upgrade() -> None:
    _ledger(
        "branch_event",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("branch_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("account", sa.String(42), nullable=True),
        sa.Column("member_index", sa.BigInteger(), nullable=True),
        sa.Column("from_branch", sa.BigInteger(), nullable=True),
        sa.Column("counted", sa.Boolean(), nullable=True),
        sa.Column("meeting", sa.String(42), nullable=True),
        sa.Column("meeting_id", sa.BigInteger(), nullable=True),
        sa.Column("document_hash", sa.String(66), nullable=True),
        sa.Column("delegates", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True),
        index=("ix_branch_event_branch", ["chain_id", "contract", "branch_id"]),
    )
    op.create_index("ix_branch_event_account", "branch_event", ["chain_id", "account"])


def downgrade() -> None:
    op.drop_table("branch_event")
