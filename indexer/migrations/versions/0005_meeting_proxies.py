"""Proxies (доверенности) of general meetings: `gov_proxy_event`, one ledger row per
MeetingProxiesInstalled / ProxyIssued / ProxyRevoked / ProxyBallotCast.

Revision ID: 0005_meeting_proxies
Revises: 0004_treasury_union_invoices
Create Date: 2026-12-05
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_meeting_proxies"
down_revision: str | None = "0004_treasury_union_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The ledger helper of revision 0002 (the module name starts with a digit: imported by name).
_ledger = importlib.import_module("indexer.migrations.versions.0002_domain_projections")._ledger


def upgrade() -> None:
    _ledger(
        "gov_proxy_event",
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("meeting_contract", sa.String(42), nullable=True),
        sa.Column("meeting_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("principal", sa.String(42), nullable=False),
        sa.Column("holder", sa.String(42), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("document_hash", sa.String(66), nullable=True),
        sa.Column("choices", sa.String(78), nullable=True),
        sa.Column("by_signature", sa.Boolean(), nullable=False),
        index=("ix_gov_proxy_event_meeting", ["chain_id", "meeting_contract", "meeting_id"]),
    )
    op.create_index("ix_gov_proxy_event_principal", "gov_proxy_event", ["chain_id", "principal"])
    op.create_index("ix_gov_proxy_event_holder", "gov_proxy_event", ["chain_id", "holder"])


def downgrade() -> None:
    op.drop_table("gov_proxy_event")
