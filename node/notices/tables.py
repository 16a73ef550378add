"""The notices' SQL tables (SQLAlchemy Core), in the node's database.

Their own Alembic history (`node/notices/migrations`, version table `notice_alembic_version`)
so that they evolve apart from the gateway's and the indexer's. Times are unix seconds.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: A 64-bit surrogate key on PostgreSQL; SQLite only auto-increments INTEGER PRIMARY KEY.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

preference = sa.Table(
    "notice_preference",
    metadata,
    sa.Column("account", sa.String(42), primary_key=True),
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("kinds", sa.JSON, nullable=True),
    # None: every kind; else the kinds the member wants here (the legal notice of a meeting is
    # mailed whatever the list says).
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

email = sa.Table(
    "notice_email",
    metadata,
    sa.Column("account", sa.String(42), primary_key=True),
    sa.Column("address", sa.String(254), nullable=False),
    sa.Column("confirmed_at", sa.BigInteger, nullable=True),
    # None until the member types the code mailed to `address`: nothing else is mailed there
    # before (nobody subscribes someone else).
    sa.Column("code_hash", sa.String(64), nullable=True),
    sa.Column("code_expires_at", sa.BigInteger, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

webhook = sa.Table(
    "notice_webhook",
    metadata,
    sa.Column("account", sa.String(42), primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret", sa.String(64), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

outbox = sa.Table(
    "notice_outbox",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(200), nullable=False),
    # What happened, named the same on every pass (`meeting_convened:<contract>:<id>`), so a
    # replayed block or a second scan adds nothing.
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("recipient", sa.String(42), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("address", sa.String(2000), nullable=True),
    # The e-mail address or webhook URL as chosen when the notice was queued.
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("subject_key", sa.String(120), nullable=True),
    # The meeting a legal notice belongs to (`<contract>:<id>`): its delivery list.
    sa.Column("status", sa.String(12), nullable=False),
    # pending -> sent; or failed (the server refused the address for good, after
    # `max_attempts`). An inbox notice is `sent` when queued.
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.BigInteger, nullable=False),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("sent_at", sa.BigInteger, nullable=True),
    sa.Column("read_at", sa.BigInteger, nullable=True),
    sa.UniqueConstraint("event_id", "recipient", "channel", name="uq_notice_outbox_key"),
    sa.Index("ix_notice_outbox_due", "status", "next_attempt_at"),
    sa.Index("ix_notice_outbox_recipient", "recipient", "channel", "id"),
    sa.Index("ix_notice_outbox_subject", "subject_key"),
)

cursor = sa.Table(
    "notice_cursor",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    # `events:<chain id>:<charter>`: how far the notifier has read the mirror.
    sa.Column("block_number", sa.BigInteger, nullable=False),
    sa.Column("log_index", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

delivery_list = sa.Table(
    "notice_delivery_list",
    metadata,
    sa.Column("subject_key", sa.String(120), primary_key=True),
    # `<meeting contract>:<meeting id>`.
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("body", sa.Text, nullable=False),
    # The canonical JSON; its SHA-256 is stated inside the list's PDF.
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("pdf_sha256", sa.String(64), nullable=True),
    # The PDF made from the sealed list (document kind `notice_delivery_list`), recorded once:
    # the hash an officer anchors in the DocumentRegistry.
)
