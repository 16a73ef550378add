"""The bank's SQL tables (SQLAlchemy Core), in the node's database.

Their own Alembic history (`node/bank/migrations`, version table `bank_alembic_version`) so that
they evolve apart from the gateway's and the indexer's. Amounts are kopecks (BIGINT); dates are
ISO strings (`YYYY-MM-DD`), which sort and compare the same in SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

statement = sa.Table(
    "bank_statement",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("account", sa.String(34), nullable=False),
    sa.Column("lines", sa.Integer, nullable=False),
    sa.Column("new_lines", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.BigInteger, nullable=False),
)

line = sa.Table(
    "bank_line",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("line_hash", sa.String(66), nullable=False, unique=True),
    sa.Column("bank_ref", sa.String(200), nullable=False, unique=True),
    sa.Column("statement_id", sa.Integer, sa.ForeignKey("bank_statement.id"), nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("incoming", sa.Boolean, nullable=False),
    sa.Column("booked", sa.String(10), nullable=False, index=True),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("number", sa.String(64), nullable=False),
    sa.Column("payer_name", sa.String(300), nullable=False),
    sa.Column("payer_inn", sa.String(12), nullable=False, index=True),
    sa.Column("payer_account", sa.String(34), nullable=False, index=True),
    sa.Column("payer_bik", sa.String(9), nullable=False),
    sa.Column("payee_name", sa.String(300), nullable=False),
    sa.Column("payee_inn", sa.String(12), nullable=False),
    sa.Column("payee_account", sa.String(34), nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    # new -> proposed (a match found) -> confirmed (by the cashier) -> recorded (on chain);
    # or queued (no match, or a partial payment), with `reason`.
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("reason", sa.String(300), nullable=True),
    sa.Column("match_purpose", sa.String(24), nullable=True),
    sa.Column("match_account", sa.String(42), nullable=True),
    sa.Column("match_ref", sa.String(66), nullable=True),
    sa.Column("match_amount", sa.Numeric(78, 0), nullable=True),
    sa.Column("obligation", sa.String(66), nullable=True, unique=True),
    sa.Column("tx_hash", sa.String(66), nullable=True),
)

setting = sa.Table(
    "bank_setting",
    metadata,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

payer = sa.Table(
    "bank_payer",
    metadata,
    sa.Column("payer_key", sa.String(64), primary_key=True),
    sa.Column("account", sa.String(42), nullable=False),
)

order = sa.Table(
    "bank_order",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("obligation", sa.String(66), nullable=False, unique=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("account", sa.String(42), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("decision", sa.String(66), nullable=False),
    sa.Column("number", sa.String(16), nullable=False, unique=True),
    sa.Column("payee_name", sa.String(300), nullable=False),
    sa.Column("payee_inn", sa.String(12), nullable=False),
    sa.Column("payee_account", sa.String(34), nullable=False),
    sa.Column("payee_bik", sa.String(9), nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    # issued -> paid (a statement line shows it) -> closed (on chain)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("line_hash", sa.String(66), nullable=True, unique=True),
    sa.Column("tx_hash", sa.String(66), nullable=True),
    # A ruble loan's repayment date (`YYYY-MM-DD`, from the council's decision), revision 0002.
    sa.Column("due", sa.String(10), nullable=True),
)

refund = sa.Table(
    "bank_refund_details",
    metadata,
    # Where a member's share refund is to be paid (revision 0002): personal data, so sealed
    # with the node's identity keys (AES-256-GCM, node/identity/crypto.py, the member's address
    # as associated data); only the SHA-256 of the salted canonical details is in the clear.
    sa.Column("account", sa.String(42), primary_key=True),
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("nonce", sa.LargeBinary, nullable=False),
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    sa.Column("details_sha256", sa.String(64), nullable=False),
    sa.Column("application_hash", sa.String(66), nullable=True),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

entry = sa.Table(
    "bank_ledger_entry",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    # What the entry derives from: `line:<hash>` or `chain:<tx>:<log index>` (one entry each).
    sa.Column("source", sa.String(80), nullable=False, unique=True),
    sa.Column("booked", sa.String(10), nullable=False),
    sa.Column("debit", sa.String(8), nullable=False),
    sa.Column("credit", sa.String(8), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("member", sa.String(42), nullable=True, index=True),
    sa.Column("document", sa.String(66), nullable=True),
    sa.Column("memo", sa.String(300), nullable=False),
    # Covering indexes of the turnover report: a period's sums per account are read from the
    # index alone (no table lookups), in SQLite and PostgreSQL alike.
    sa.Index("ix_bank_ledger_booked_debit", "booked", "debit", "amount"),
    sa.Index("ix_bank_ledger_booked_credit", "booked", "credit", "amount"),
)
