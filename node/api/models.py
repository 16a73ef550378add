"""The gateway's own tables (sign-in nonces, relay tracking, document files, revoked sessions).

They live in the mirror's database but in their own Alembic history (`node/api/migrations`,
version table `api_alembic_version`), created exactly by revision 0001; nothing creates tables
from these classes at run time. Times are unix seconds. Tables of a domain that the gateway's
history creates are declared by the domain: members' identity records in
`node/identity/models.py`, the exchange's offers and orders in `node/exchange/models.py`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class SiweNonce(SQLModel, table=True):
    """A sign-in nonce: issued once, used at most once, before it expires."""

    __tablename__ = "api_siwe_nonce"

    nonce: str = Field(primary_key=True, max_length=64)
    issued_at: int = Field(sa_type=sa.BigInteger)
    expires_at: int = Field(sa_type=sa.BigInteger)
    used_at: int | None = Field(default=None, sa_type=sa.BigInteger)
    used_by: str | None = Field(default=None, max_length=42)


class RelayBase(SQLModel):
    kind: str = Field(max_length=32)
    """What was relayed: application, ballot, acceptance, signature, transaction, clearing."""
    account: str = Field(max_length=42, index=True)
    """On whose behalf (the signed-in address)."""
    to_address: str | None = Field(default=None, max_length=42)
    tx_hash: str | None = Field(default=None, max_length=66, index=True)
    status: str = Field(default="pending", max_length=16, index=True)
    """pending -> mined -> indexed, or failed (with `error`)."""
    block_number: int | None = Field(default=None, sa_type=sa.BigInteger)
    error: str | None = Field(default=None, max_length=128)
    detail: str | None = Field(default=None, sa_type=sa.Text)


class Relay(RelayBase, table=True):
    """One relayed action, tracked until the indexer has it (survives restarts)."""

    __tablename__ = "api_relay"

    id: str = Field(primary_key=True, max_length=36)
    created_at: int = Field(sa_type=sa.BigInteger)
    updated_at: int = Field(sa_type=sa.BigInteger)
    sender: str | None = Field(default=None, max_length=42)
    """The relayer account that sent it (None: a member-signed transaction). Revision 0006."""
    nonce: int | None = Field(default=None, sa_type=sa.BigInteger)
    """The relayer's nonce it took (see `node.api.relay`: one writer per relayer key)."""
    sent_at: int | None = Field(default=None, sa_type=sa.BigInteger)
    """When the current `tx_hash` was broadcast (a replacement resets it)."""
    unsigned_tx: str | None = Field(default=None, sa_type=sa.Text)
    """The relayer's transaction (JSON, no signature): re-signed with higher fees when stuck."""
    replaced_hashes: str | None = Field(default=None, sa_type=sa.Text)
    """Earlier hashes of the same nonce (comma-separated): whichever is mined is the one."""


class RelayerNonce(SQLModel, table=True):
    """The next nonce of a relayer account on a chain, written only under the relayer's lock
    (PostgreSQL advisory lock): the single writer of that key's nonces. Revision 0006."""

    __tablename__ = "api_relayer_nonce"

    chain_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    address: str = Field(primary_key=True, max_length=42)
    next_nonce: int = Field(sa_type=sa.BigInteger)
    updated_at: int = Field(sa_type=sa.BigInteger)


class DocumentFile(SQLModel, table=True):
    """A stored file, content-addressed by SHA-256 (the file is `documents/<sha256>`)."""

    __tablename__ = "api_document_file"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int = Field(sa_type=sa.BigInteger)
    media_type: str = Field(max_length=128)
    filename: str | None = Field(default=None, max_length=255)
    template: str | None = Field(default=None, max_length=64)
    stored_by: str | None = Field(default=None, max_length=42)
    subject: str | None = Field(default=None, max_length=42, index=True)
    """The member a personal document is about (who, with the council, may read it)."""
    personal: bool = False
    """Holds personal data: stored encrypted, readable by its subject and the council only,
    erased with the member's identity record (its hash stays on chain)."""
    created_at: int = Field(sa_type=sa.BigInteger)


class SessionRevocation(SQLModel, table=True):
    """A revoked session (`session_id`: logout) or every session of `address` issued before
    `not_before` (log out everywhere). Kept until the sessions it revokes have expired anyway
    (`expires_at`), then purged. Created by revision 0004."""

    __tablename__ = "api_session_revocation"

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=42, index=True)
    session_id: str | None = Field(default=None, max_length=32)
    not_before: int | None = Field(default=None, sa_type=sa.BigInteger)
    """Sessions of `address` issued before this unix second are revoked."""
    expires_at: int = Field(sa_type=sa.BigInteger, index=True)
    created_at: int = Field(sa_type=sa.BigInteger)


class Disclosure(SQLModel, table=True):
    """Someone other than the member read the member's personal data (an identity record or a
    personal document): who, in which role, what, when. Kept after the data is erased, since
    the member may ask who saw it (152-ФЗ art. 14). Created by revision 0005."""

    __tablename__ = "api_disclosure"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=42, index=True)
    viewer: str = Field(max_length=42, index=True)
    roles: str = Field(max_length=128)
    """The viewer's roles that allowed it (comma-separated)."""
    what: str = Field(max_length=128)
    """`identity` or `document:<sha256>`."""
    created_at: int = Field(sa_type=sa.BigInteger)


class QualifiedSignature(SQLModel, table=True):
    """A detached qualified signature (КЭП, GOST R 34.10-2012, CMS) attached to a document,
    with the node's verification result. Created by revision 0005."""

    __tablename__ = "api_qualified_signature"

    id: int | None = Field(default=None, primary_key=True)
    document: str = Field(max_length=64, index=True)
    """SHA-256 of the signed document."""
    signature_sha256: str = Field(max_length=64)
    """The signature file (stored content-addressed, `GET /documents/{sha256}`)."""
    valid: bool
    chain_checked: bool
    """The signer's certificate chain was checked against a trusted root given with it."""
    signer_subject: str | None = Field(default=None, sa_type=sa.Text)
    cert_sha256: str | None = Field(default=None, max_length=64)
    algorithm: str | None = Field(default=None, max_length=64)
    error: str | None = Field(default=None, max_length=256)
    submitted_by: str = Field(max_length=42)
    created_at: int = Field(sa_type=sa.BigInteger)


class AgreementVersion(SQLModel, table=True):
    """A published version of one of the cooperative's membership agreements (the ПЭП
    agreement, the personal data consent). It is in force once an officer has anchored it on
    chain; a member accepts it by signing it in DocumentRegistry. Created by revision 0005."""

    __tablename__ = "api_agreement_version"
    __table_args__ = (sa.UniqueConstraint("kind", "version", name="uq_api_agreement_version"),)

    sha256: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=32, index=True)
    version: int
    effective_date: str = Field(max_length=10)
    published_by: str = Field(max_length=42)
    created_at: int = Field(sa_type=sa.BigInteger)


class SealedDocument(SQLModel, table=True):
    """The sealed copy (PAdES) of a stored PDF: the unsealed file's bytes are a prefix of it.
    Created by revision 0005."""

    __tablename__ = "api_sealed_document"

    sha256: str = Field(primary_key=True, max_length=64)
    """The unsealed PDF (the anchored digest)."""
    sealed_sha256: str = Field(max_length=64)
    cert_sha256: str = Field(max_length=64)
    created_at: int = Field(sa_type=sa.BigInteger)


GATEWAY_TABLES = (
    "api_siwe_nonce",
    "api_relay",
    "api_identity",
    "api_document_file",
    "api_session_revocation",
    "api_disclosure",
    "api_qualified_signature",
    "api_agreement_version",
    "api_sealed_document",
    "api_relayer_nonce",
)
