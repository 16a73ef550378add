"""Identity records: a member's personal data, encrypted at rest (only its hash is on chain).

The table lives in the gateway's Alembic history (`node/api/migrations`, revision 0001, table
`api_identity`); it is declared here so that the key rotation (`rotation.py`) and the gateway
read the same model without the identity code importing the HTTP layer. Times are unix seconds.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class IdentityRecord(SQLModel, table=True):
    """A member's identity record, AES-256-GCM encrypted; only `identity_hash` is on chain."""

    __tablename__ = "api_identity"

    address: str = Field(primary_key=True, max_length=42)
    identity_hash: str = Field(max_length=66)
    key_id: str | None = Field(default=None, max_length=16)
    """Which key encrypted it (first 8 bytes of the key's SHA-256, hex)."""
    nonce: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    ciphertext: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    created_at: int = Field(sa_type=sa.BigInteger)
    updated_at: int = Field(sa_type=sa.BigInteger)
    deleted_at: int | None = Field(default=None, sa_type=sa.BigInteger)
    """Set when the member had it erased: nonce and ciphertext are gone, the hash stays."""
