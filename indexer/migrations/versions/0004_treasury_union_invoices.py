"""Treasury rows for the cooperative's acts in its union's ВРЕ (union_invoice_*): the union
obligation's id.

Revision ID: 0004_treasury_union_invoices
Revises: 0003_fund_property
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_treasury_union_invoices"
down_revision: str | None = "0003_fund_property"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("treasury_movement", sa.Column("obligation_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("treasury_movement") as batch:
        batch.drop_column("obligation_id")
