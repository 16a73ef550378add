"""Target programs (TargetPrograms): `program_event`, one ledger row per program event (two per
program on a key recovery), with the program's balance and units after it.

Revision ID: 0007_programs
Revises: 0006_labour
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_programs"
down_revision: str | None = "0006_labour"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "program_event",
        sa.Column("chain_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("block_hash", sa.String(66), nullable=False),
        sa.Column("log_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("program_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("account", sa.String(42), nullable=True),
        sa.Column("amount", sa.String(78), nullable=False),
        sa.Column("units", sa.String(78), nullable=False),
        sa.Column("document", sa.String(66), nullable=True),
        sa.Column("decision", sa.String(66), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("balance_after", sa.String(78), nullable=False),
        sa.Column("total_units_after", sa.String(78), nullable=False),
        sa.Column("members_after", sa.Integer(), nullable=False),
        sa.Column("epoch_after", sa.Integer(), nullable=False),
        sa.Column("status_after", sa.Integer(), nullable=False),
        sa.Column("member_units_after", sa.String(78), nullable=True),
        sa.Column("member_epoch", sa.Integer(), nullable=True),
        sa.Column("member_joined", sa.Boolean(), nullable=True),
        sa.Column("member_contributed_after", sa.String(78), nullable=True),
        sa.ForeignKeyConstraint(
            ["chain_id", "block_hash", "log_index"],
            ["idx_raw_event.chain_id", "idx_raw_event.block_hash", "idx_raw_event.log_index"],
            ondelete="CASCADE",
            name="fk_program_event_raw_event",
        ),
        sa.PrimaryKeyConstraint("chain_id", "block_hash", "log_index", "seq"),
    )
    op.create_index("ix_program_event_block", "program_event", ["chain_id", "block_number"])
    op.create_index(
        "ix_program_event_program", "program_event", ["chain_id", "contract", "program_id"]
    )
    op.create_index("ix_program_event_account", "program_event", ["chain_id", "account"])


def downgrade() -> None:
    op.drop_table("program_event")
