"""The bank's chain facts as the mirror holds them: the raw, decoded events of a cooperative's
BankSettlements (watched as a root from the deployment record, key `bank_settlements`) and the
Membership / Shares events the books use.

The books (`node.bank.ledger`) read these instead of scanning the chain from block 0 over RPC:
on a long chain a rebuild costs SQL reads of the events it needs, nothing else. Each answer
carries the block it is current at, like every query of the mirror.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from indexer.models import BlockRef, Status, WatchedAddress
from indexer.queries.common import RAW, Db, _chain, _exec, current_block

STATUS = Status.__table__  # type: ignore[attr-defined]
WATCHED = WatchedAddress.__table__  # type: ignore[attr-defined]


class RawFact(BaseModel):
    """One mirrored event: where it is, and its decoded arguments (ints as decimal strings,
    bytes as 0x-hex, addresses checksummed)."""

    address: str
    event: str
    block_number: int
    block_timestamp: int | None
    tx_hash: str
    log_index: int
    args: dict[str, Any]


class Facts(BaseModel):
    as_of: BlockRef
    data: list[RawFact]


def events(db: Db, contracts: dict[str, list[str]], chain_id: int | None = None) -> Facts:
    """The events named per contract (`{address: [event names]}`), in chain order."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    wanted = [
        sa.and_(RAW.c.address == address, RAW.c.event_name.in_(names))
        for address, names in contracts.items()
        if names
    ]
    if not wanted:
        return Facts(as_of=as_of, data=[])
    rows = _exec(
        db,
        sa.select(
            RAW.c.address,
            RAW.c.event_name,
            RAW.c.block_number,
            RAW.c.block_timestamp,
            RAW.c.tx_hash,
            RAW.c.log_index,
            RAW.c.args,
        )
        .where(RAW.c.chain_id == cid, RAW.c.block_number <= as_of.number, sa.or_(*wanted))
        .order_by(RAW.c.block_number, RAW.c.log_index),
    )
    return Facts(
        as_of=as_of,
        data=[
            RawFact(
                address=r.address,
                event=r.event_name,
                block_number=int(r.block_number),
                block_timestamp=r.block_timestamp,
                tx_hash=r.tx_hash,
                log_index=int(r.log_index),
                args=dict(r.args or {}),
            )
            for r in rows
        ],
    )


class ExchangePayments(BaseModel):
    as_of: BlockRef
    by_order: dict[int, list[RawFact]]
    """Exchange order id -> the ruble payments recorded for it, in chain order."""


#: IBankSettlements.Purpose.ExchangeOrder.
EXCHANGE_ORDER = 4


def exchange_payments(db: Db, settlements: str, chain_id: int | None = None) -> ExchangePayments:
    """The ruble payments a cashier recorded for exchange orders (`PaymentRecorded` with
    purpose ExchangeOrder and ref = the order id), by order: one read per mirror block serves
    every order the exchange follower looks at."""
    found = events(db, {settlements: ["PaymentRecorded"]}, chain_id)
    by_order: dict[int, list[RawFact]] = {}
    for f in found.data:
        if int(f.args.get("purpose", -1)) == EXCHANGE_ORDER:
            by_order.setdefault(int(str(f.args["ref"]), 16), []).append(f)
    return ExchangePayments(as_of=found.as_of, by_order=by_order)


def watches(db: Db, address: str, chain_id: int | None = None) -> bool:
    """Whether the mirror holds *all* of `address`'s events: the mirror watches every contract,
    or the address has been watched since the mirror's first block (a root added later is
    watched only from then on: its past is missing until a re-index, so this says False and
    readers take the chain instead). False when the mirror holds no chain yet."""
    try:
        cid = _chain(db, chain_id)
    except LookupError:
        return False
    status = _exec(db, sa.select(STATUS.c.scope).where(STATUS.c.chain_id == cid)).first()
    scope = status.scope if status is not None and isinstance(status.scope, dict) else {}
    if scope.get("watch_all"):
        return True
    row = _exec(
        db,
        sa.select(WATCHED.c.from_block).where(
            WATCHED.c.chain_id == cid, WATCHED.c.address == address
        ),
    ).first()
    return row is not None and int(row.from_block) <= int(scope.get("start_block") or 0)
