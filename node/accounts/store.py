"""The registered passkeys (`api_passkey`) and what the chain says about them.

A stored passkey may sign for its account only while the chain agrees: the account holds the
key (`isPasskey`), or, before the account is deployed, the account's address is the one the
key's counterfactual address (the key was its first). So a passkey removed on chain stops
signing in at once, and a row alone never gives anyone an account.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from webauthn.helpers import bytes_to_base64url

from node.accounts.client import PasskeyAccounts
from node.accounts.models import PasskeyCredential
from node.accounts.passkeys import (
    PasskeyError,
    RegisteredPasskey,
    VerifiedAssertion,
    verify_assertion,
)
from node.chain.client import checksum

#: Passkeys one account may register with the gateway (phones, laptops, keys).
MAX_PER_ACCOUNT = 10


def save(
    engine: Engine, account: str, passkey: RegisteredPasskey, label: str | None
) -> PasskeyCredential:
    """Store a verified registration for `account`; a credential id is registered once."""
    credential_id = bytes_to_base64url(passkey.credential_id)
    with Session(engine) as session:
        if session.get(PasskeyCredential, credential_id) is not None:
            raise PasskeyError(
                "Этот ключ доступа уже зарегистрирован", "This passkey is already registered"
            )
        count = len(
            session.exec(
                select(PasskeyCredential).where(col(PasskeyCredential.account) == account)
            ).all()
        )
        if count >= MAX_PER_ACCOUNT:
            raise PasskeyError(
                f"Не больше {MAX_PER_ACCOUNT} ключей доступа на счёт",
                f"At most {MAX_PER_ACCOUNT} passkeys per account",
            )
        row = PasskeyCredential(
            credential_id=credential_id,
            account=checksum(account),
            public_key=passkey.public_key,
            qx="0x" + passkey.qx.hex(),
            qy="0x" + passkey.qy.hex(),
            sign_count=passkey.sign_count,
            label=label,
            created_at=int(time.time()),
        )
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def find(engine: Engine, credential_id: str) -> PasskeyCredential | None:
    with Session(engine) as session:
        return session.get(PasskeyCredential, credential_id)


def of_account(engine: Engine, account: str) -> list[PasskeyCredential]:
    with Session(engine) as session:
        rows = session.exec(
            select(PasskeyCredential)
            .where(col(PasskeyCredential.account) == checksum(account))
            .order_by(col(PasskeyCredential.created_at))
        ).all()
        return list(rows)


def forget(engine: Engine, credential_id: str) -> None:
    """Drop a stored passkey (the caller checked that the chain no longer lets it sign)."""
    with Session(engine) as session:
        row = session.get(PasskeyCredential, credential_id)
        if row is not None:
            session.delete(row)
            session.commit()


def is_passkey_account(engine: Engine, account: str) -> bool:
    with Session(engine) as session:
        row = session.exec(
            select(PasskeyCredential)
            .where(col(PasskeyCredential.account) == checksum(account))
            .limit(1)
        ).first()
        return row is not None


def key_of(row: PasskeyCredential) -> tuple[bytes, bytes]:
    return bytes.fromhex(row.qx[2:]), bytes.fromhex(row.qy[2:])


def controls(accounts: PasskeyAccounts, row: PasskeyCredential) -> bool:
    """Whether the chain lets this passkey sign for its account now."""
    qx, qy = key_of(row)
    if accounts.is_deployed(row.account):
        return bool(accounts.account(row.account).functions.isPasskey(qx, qy).call())
    return accounts.address_of(qx, qy) == checksum(row.account)


def first_key(
    engine: Engine, accounts: PasskeyAccounts, account: str
) -> tuple[bytes, bytes] | None:
    """The key the account's address was derived from (what deploys it), if registered here."""
    for row in of_account(engine, account):
        qx, qy = key_of(row)
        if accounts.address_of(qx, qy) == checksum(account):
            return qx, qy
    return None


def assert_with(
    engine: Engine,
    accounts: PasskeyAccounts,
    credential: dict[str, Any],
    *,
    challenge: bytes,
    rp_id: str,
    origins: list[str],
    account: str | None = None,
) -> tuple[PasskeyCredential, VerifiedAssertion]:
    """Verify an assertion by a registered passkey (of `account`, when given) that the chain
    still honours, and move its signature counter forward."""
    credential_id = credential.get("id") if isinstance(credential, dict) else None
    row = (
        find(engine, credential_id)
        if isinstance(credential_id, str) and len(credential_id) <= 1400
        else None
    )
    if row is None:
        raise PasskeyError("Ключ доступа не зарегистрирован", "The passkey is not registered")
    if account is not None and row.account != checksum(account):
        raise PasskeyError("Ключ доступа другого счёта", "The passkey belongs to another account")
    verified = verify_assertion(
        credential,
        challenge=challenge,
        rp_id=rp_id,
        origin=origins,
        public_key=row.public_key,
        sign_count=row.sign_count,
    )
    if not controls(accounts, row):
        raise PasskeyError(
            "Этот ключ доступа больше не управляет счётом",
            "This passkey no longer controls the account",
        )
    with Session(engine) as session:
        fresh = session.get(PasskeyCredential, row.credential_id)
        if fresh is not None:
            fresh.sign_count = verified.new_sign_count
            session.add(fresh)
            session.commit()
    return row, verified
