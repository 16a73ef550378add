"""Signatures and identity: disclosure log, qualified (GOST) signatures, membership agreement
versions, sealed copies of PDFs.

Revision ID: 0005_signatures
Revises: 0004_session_revocation
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_signatures"
down_revision: str | None = "0004_session_revocation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_disclosure",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(42), nullable=False),
        sa.Column("viewer", sa.String(42), nullable=False),
        sa.Column("roles", sa.String(128), nullable=False),
        sa.Column("what", sa.String(128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_api_disclosure_subject", "api_disclosure", ["subject"])
    op.create_index("ix_api_disclosure_viewer", "api_disclosure", ["viewer"])
    op.create_table(
        "api_qualified_signature",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("signature_sha256", sa.String(64), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("chain_checked", sa.Boolean(), nullable=False),
        sa.Column("signer_subject", sa.Text(), nullable=True),
        sa.Column("cert_sha256", sa.String(64), nullable=True),
        sa.Column("algorithm", sa.String(64), nullable=True),
        sa.Column("error", sa.String(256), nullable=True),
        sa.Column("submitted_by", sa.String(42), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_api_qualified_signature_document", "api_qualified_signature", ["document"])
    op.create_table(
        "api_agreement_version",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_date", sa.String(10), nullable=False),
        sa.Column("published_by", sa.String(42), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("kind", "version", name="uq_api_agreement_version"),
    )
    op.create_index("ix_api_agreement_version_kind", "api_agreement_version", ["kind"])
    op.create_table(
        "api_sealed_document",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("sealed_sha256", sa.String(64), nullable=False),
        sa.Column("cert_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("api_sealed_document")
    op.drop_index("ix_api_agreement_version_kind", "api_agreement_version")
    op.drop_table("api_agreement_version")
    op.drop_index("ix_api_qualified_signature_document", "api_qualified_signature")
    op.drop_table("api_qualified_signature")
    op.drop_index("ix_api_disclosure_viewer", "api_disclosure")
    op.drop_index("ix_api_disclosure_subject", "api_disclosure")
    op.drop_table("api_disclosure")
