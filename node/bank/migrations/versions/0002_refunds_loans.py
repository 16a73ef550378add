"""Refund bank details of exiting members (sealed) and the due date of ruble loans.

Revision ID: 0002_refunds_loans
Revises: 0001_bank
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_refunds_loans"
down_revision: str | None = "0001_bank"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bank_refund_details",
        sa.Column("account", sa.String(42), primary_key=True),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("nonce", sa.LargeBinary, nullable=False),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("details_sha256", sa.String(64), nullable=False),
        sa.Column("application_hash", sa.String(66), nullable=True),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    with op.batch_alter_table("bank_order") as batch:
        batch.add_column(sa.Column("due", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_order") as batch:
        batch.drop_column("due")
    op.drop_table("bank_refund_details")
