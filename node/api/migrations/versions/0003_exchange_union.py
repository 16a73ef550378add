"""Exchange: cross-cooperative orders through a union, payment in the payment token, the
council's outcome of a dispute.

Revision ID: 0003_exchange_union
Revises: 0002_exchange
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_exchange_union"
down_revision: str | None = "0002_exchange"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("buyer_cooperative", sa.String(42), None),
    ("union_charter", sa.String(42), None),
    ("currency", sa.String(8), "units"),
    ("token_total", sa.String(78), None),
    ("token_payment_tx", sa.String(66), None),
    ("dispute_outcome", sa.String(16), None),
)


def upgrade() -> None:
    with op.batch_alter_table("api_exchange_order") as batch:
        for name, type_, default in _COLUMNS:
            batch.add_column(
                sa.Column(
                    name,
                    type_,
                    nullable=default is None,
                    server_default=default,
                )
            )
        batch.create_unique_constraint(
            "uq_api_exchange_order_token_payment_tx", ["token_payment_tx"]
        )
    op.create_index(
        "ix_api_exchange_order_buyer_cooperative", "api_exchange_order", ["buyer_cooperative"]
    )


def downgrade() -> None:
    op.drop_index("ix_api_exchange_order_buyer_cooperative", table_name="api_exchange_order")
    with op.batch_alter_table("api_exchange_order") as batch:
        batch.drop_constraint("uq_api_exchange_order_token_payment_tx", type_="unique")
        for name, _, _ in reversed(_COLUMNS):
            batch.drop_column(name)
