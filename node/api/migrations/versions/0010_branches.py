"""Exchange orders delivered to a cooperative branch: `api_exchange_order.receiver`, the trustee
of the buyer's branch who receives the goods for it.

Revision ID: 0010_branches
Revises: 0009_programs
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_branches"
down_revision: str | None = "0009_programs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_exchange_order") as batch:
        batch.add_column(sa.Column("receiver", sa.String(42), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_exchange_order") as batch:
        batch.drop_column("receiver")
