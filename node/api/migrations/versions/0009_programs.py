"""Target programs' exchange scope: `api_exchange_offer.program_id` (an offer seen and ordered
only by the members of one target program; null for the whole cooperative).

Revision ID: 0009_programs
Revises: 0007_passkeys
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_programs"
down_revision: str | None = "0007_passkeys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_exchange_offer") as batch:
        batch.add_column(sa.Column("program_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_api_exchange_offer_program_id", "api_exchange_offer", ["program_id"])


def downgrade() -> None:
    op.drop_index("ix_api_exchange_offer_program_id", table_name="api_exchange_offer")
    with op.batch_alter_table("api_exchange_offer") as batch:
        batch.drop_column("program_id")
