"""Passkeys: the WebAuthn credentials of members' passkey accounts (`node/accounts/models.py`).

Revision ID: 0007_passkeys
Revises: 0006_relayer_nonce
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_passkeys"
down_revision: str | None = "0006_relayer_nonce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_passkey",
        sa.Column("credential_id", sa.String(1400), primary_key=True),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("qx", sa.String(66), nullable=False),
        sa.Column("qy", sa.String(66), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(100), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_api_passkey_account", "api_passkey", ["account"])


def downgrade() -> None:
    op.drop_index("ix_api_passkey_account", table_name="api_passkey")
    op.drop_table("api_passkey")
