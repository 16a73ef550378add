"""The bank: settings (which contracts), statements and lines, payers, orders, the ledger.

Revision ID: 0001_bank
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from node.bank import tables

revision: str = "0001_bank"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# This first revision creates the tables exactly as node/bank/tables.py declares them;
# later revisions alter them with explicit operations.
_ORDER = (tables.setting, tables.statement, tables.line, tables.payer, tables.order, tables.entry)


def upgrade() -> None:
    bind = op.get_bind()
    for table in _ORDER:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(_ORDER):
        table.drop(bind)
