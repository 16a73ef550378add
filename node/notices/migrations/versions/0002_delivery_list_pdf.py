"""The delivery list's PDF: the SHA-256 of the document made from the sealed list (the hash an
officer anchors), recorded once so that a later template version never changes what is anchored.

Revision ID: 0002_delivery_list_pdf
Revises: 0001_notices
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_delivery_list_pdf"
down_revision: str | None = "0001_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice_delivery_list") as batch:
        batch.add_column(sa.Column("pdf_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notice_delivery_list") as batch:
        batch.drop_column("pdf_sha256")
