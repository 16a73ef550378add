"""Where an exiting member's share refund is paid: the bank details the exit application
carries (recipient's name, account, БИК, optionally ИНН).

They are personal data (152-ФЗ), so they never go on chain and are stored sealed with the
node's identity keys (AES-256-GCM, `node/identity/crypto.py`; the member's address is the
associated data, so a record cannot be moved to another member). What is kept in the clear is
the SHA-256 of the salted canonical details: the exit application document may quote it, and
the contracts need nothing. The payment order for the refund (`settle.issue_orders`) takes
them before anything else.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from node.bank import tables
from node.bank.formats import Party, account_key_valid, bik_valid, inn_valid
from node.identity.crypto import KeyRing, Sealed


class RefundDetailsError(ValueError):
    """Refused bank details (the message says which field, in Russian and English)."""


@dataclass(frozen=True)
class RefundDetails:
    name: str
    """The recipient as the bank knows them (ФИО or the organisation's name)."""
    account: str
    """20 digits, with the control key that matches the БИК."""
    bik: str
    inn: str = ""

    def party(self) -> Party:
        return Party(name=self.name, inn=self.inn, account=self.account, bik=self.bik)


def validate(name: str, account: str, bik: str, inn: str = "") -> RefundDetails:
    """The details checked as a statement's lines are (and the account's control key)."""
    name, account, bik, inn = name.strip(), account.strip(), bik.strip(), inn.strip()
    if not 2 <= len(name) <= 160:
        raise RefundDetailsError("Получатель: от 2 до 160 знаков / Recipient: 2 to 160 characters")
    if not bik_valid(bik):
        raise RefundDetailsError("БИК: 9 цифр, начинается с 04 / БИК: 9 digits starting 04")
    if len(account) != 20 or not account.isdigit():
        raise RefundDetailsError("Счёт: 20 цифр / Account: 20 digits")
    if not account_key_valid(account, bik):
        raise RefundDetailsError(
            "Счёт не сходится с БИК по контрольному ключу / The account's control key does not "
            "match the БИК"
        )
    if inn and not inn_valid(inn):
        raise RefundDetailsError("ИНН: неверные контрольные цифры / ИНН: bad check digits")
    return RefundDetails(name=name, account=account, bik=bik, inn=inn)


def _associated(member: str) -> bytes:
    return b"bank-refund:" + member.lower().encode()


def save(
    engine: Engine,
    ring: KeyRing,
    member: str,
    details: RefundDetails,
    application_hash: str | None = None,
) -> str:
    """Store (replace) a member's refund details, sealed; returns their SHA-256 (hex)."""
    plaintext = json.dumps(
        {"salt": secrets.token_hex(16), **asdict(details)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    digest = hashlib.sha256(plaintext).hexdigest()
    sealed = ring.seal(plaintext, _associated(member))
    with engine.begin() as conn:
        conn.execute(tables.refund.delete().where(tables.refund.c.account == member))
        conn.execute(
            tables.refund.insert().values(
                account=member,
                key_id=sealed.key_id,
                nonce=sealed.nonce,
                ciphertext=sealed.ciphertext,
                details_sha256=digest,
                application_hash=application_hash,
                updated_at=int(time.time()),
            )
        )
    return digest


def load(engine: Engine, ring: KeyRing, member: str) -> tuple[RefundDetails, str] | None:
    """A member's refund details and their SHA-256, or None."""
    return load_sealed_as(engine, ring, member, member)


def load_sealed_as(
    engine: Engine, ring: KeyRing, member: str, owner: str
) -> tuple[RefundDetails, str] | None:
    """`member`'s record opened as if it were `owner`'s: the associated data binds a record
    to its member, so a row copied to another member does not open (DecryptionError)."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(tables.refund).where(tables.refund.c.account == member)
        ).first()
    if row is None:
        return None
    body = json.loads(
        ring.open(Sealed(row.key_id, bytes(row.nonce), bytes(row.ciphertext)), _associated(owner))
    )
    body.pop("salt", None)
    return RefundDetails(**body), row.details_sha256


def payees(engine: Engine, ring: KeyRing, members: list[str]) -> dict[str, Party]:
    """The refund details of those of `members` who gave them, as payment order payees."""
    out: dict[str, Party] = {}
    for member in members:
        found = load(engine, ring, member)
        if found is not None:
            out[member] = found[0].party()
    return out
