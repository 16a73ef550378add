"""The passkeys the gateway has verified, per member account.

The table lives in the gateway's Alembic history (`node/api/migrations`, revision
0007_passkeys, table `api_passkey`); it is declared here so that the domain code and the gateway
read the same model. The chain, not this table, says which passkeys control an account: a row
is the public key and counter the gateway checks an assertion with, and is used only while the
account holds the key on chain (or, before the account exists, while the key is the one its
address was derived from). Times are unix seconds.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class PasskeyCredential(SQLModel, table=True):
    """One registered passkey (a WebAuthn public-key credential)."""

    __tablename__ = "api_passkey"

    credential_id: str = Field(primary_key=True, max_length=1400)
    """base64url of the credential id (up to 1023 bytes)."""
    account: str = Field(index=True, max_length=42)
    """The `PasskeyAccount` it signs for."""
    public_key: bytes = Field(sa_type=sa.LargeBinary)
    """The COSE public key from the registration."""
    qx: str = Field(max_length=66)
    qy: str = Field(max_length=66)
    sign_count: int = Field(default=0, sa_type=sa.BigInteger)
    label: str | None = Field(default=None, max_length=100)
    created_at: int = Field(sa_type=sa.BigInteger)
