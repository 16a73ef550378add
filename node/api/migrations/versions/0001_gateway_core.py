"""Gateway tables: sign-in nonces, relay tracking, encrypted identity records, document files.

Revision ID: 0001_gateway_core
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_gateway_core"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_siwe_nonce",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.Column("used_by", sa.String(42), nullable=True),
    )
    op.create_table(
        "api_relay",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("to_address", sa.String(42), nullable=True),
        sa.Column("tx_hash", sa.String(66), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(128), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_api_relay_account", "api_relay", ["account"])
    op.create_index("ix_api_relay_tx_hash", "api_relay", ["tx_hash"])
    op.create_index("ix_api_relay_status", "api_relay", ["status"])
    op.create_table(
        "api_identity",
        sa.Column("address", sa.String(42), primary_key=True),
        sa.Column("identity_hash", sa.String(66), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=True),
        sa.Column("nonce", sa.LargeBinary(), nullable=True),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.BigInteger(), nullable=True),
    )
    op.create_table(
        "api_document_file",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("template", sa.String(64), nullable=True),
        sa.Column("stored_by", sa.String(42), nullable=True),
        sa.Column("subject", sa.String(42), nullable=True),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_api_document_file_subject", "api_document_file", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_api_document_file_subject", "api_document_file")
    op.drop_table("api_document_file")
    op.drop_table("api_identity")
    op.drop_index("ix_api_relay_status", "api_relay")
    op.drop_index("ix_api_relay_tx_hash", "api_relay")
    op.drop_index("ix_api_relay_account", "api_relay")
    op.drop_table("api_relay")
    op.drop_table("api_siwe_nonce")
