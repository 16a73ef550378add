"""Several gateway processes: the relayer's next nonce (one writer under a lock), and what a
relayed transaction needs to be replaced with higher fees when it is stuck.

Revision ID: 0006_relayer_nonce
Revises: 0005_signatures
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_relayer_nonce"
down_revision: str | None = "0005_signatures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_relayer_nonce",
        sa.Column("chain_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("address", sa.String(42), primary_key=True),
        sa.Column("next_nonce", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    with op.batch_alter_table("api_relay") as batch:
        batch.add_column(sa.Column("sender", sa.String(42), nullable=True))
        batch.add_column(sa.Column("nonce", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("sent_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("unsigned_tx", sa.Text(), nullable=True))
        batch.add_column(sa.Column("replaced_hashes", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_relay") as batch:
        for name in ("replaced_hashes", "unsigned_tx", "sent_at", "nonce", "sender"):
            batch.drop_column(name)
    op.drop_table("api_relayer_nonce")
