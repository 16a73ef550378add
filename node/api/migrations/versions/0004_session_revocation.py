"""Sessions: revoked session tokens (logout) and per-address cut-offs (log out everywhere).

Revision ID: 0004_session_revocation
Revises: 0003_exchange_union
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_session_revocation"
down_revision: str | None = "0003_exchange_union"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_session_revocation",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("address", sa.String(42), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=True),
        sa.Column("not_before", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_api_session_revocation_address", "api_session_revocation", ["address"])
    op.create_index(
        "ix_api_session_revocation_expires_at", "api_session_revocation", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_api_session_revocation_expires_at", "api_session_revocation")
    op.drop_index("ix_api_session_revocation_address", "api_session_revocation")
    op.drop_table("api_session_revocation")
