"""The log of who read a member's personal data.

Personal data leave the vault decrypted only through the gateway; every such read by someone
other than the member (the council, the chair, the identity verifier, a reader of a personal
document) leaves a row: who, with which roles, what, when. The member, the council and auditors
can read the log (152-ФЗ art. 14: the subject's right to know who received their data). The
member's own reads are not logged: they disclose nothing.
"""

from __future__ import annotations

import time

from pydantic import BaseModel
from sqlmodel import Session, col, select

from node.api.deps import Caller
from node.api.gateway import Gateway
from node.api.models import Disclosure
from node.chain.client import checksum


class DisclosurePublic(BaseModel):
    subject: str
    viewer: str
    roles: list[str]
    what: str
    """`identity`, or `document:<sha256>` (a personal document)."""
    created_at: int


def log_disclosure(gw: Gateway, caller: Caller, subject: str, what: str) -> None:
    """Record that `caller` read `subject`'s personal data (nothing when it is their own)."""
    if caller.address.lower() == subject.lower():
        return
    with Session(gw.engine) as session:
        session.add(
            Disclosure(
                subject=checksum(subject),
                viewer=checksum(caller.address),
                roles=",".join(sorted(caller.roles))[:128],
                what=what[:128],
                created_at=int(time.time()),
            )
        )
        session.commit()


def list_disclosures(gw: Gateway, subject: str, offset: int, limit: int) -> list[DisclosurePublic]:
    with Session(gw.engine) as session:
        rows = session.exec(
            select(Disclosure)
            .where(col(Disclosure.subject) == subject)
            .order_by(col(Disclosure.id).desc())
            .offset(offset)
            .limit(limit)
        ).all()
    return [
        DisclosurePublic(
            subject=r.subject,
            viewer=r.viewer,
            roles=[x for x in r.roles.split(",") if x],
            what=r.what,
            created_at=r.created_at,
        )
        for r in rows
    ]
