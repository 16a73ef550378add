"""ВРЕ (SettlementUnits): balances and credit limits, transfers with their documents,
obligations (invoices) as `obligation(id)` answers, clearings, and what each clearing cleared
for a member."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from indexer.models import (
    OBLIGATION_STATUS,
    ClearingPublic,
    EventRef,
    ObligationPublic,
    TransferPublic,
)
from indexer.queries.common import (
    CLEARING,
    OBLIGATION,
    RAW,
    UNITS,
    UNITS_DOC,
    Db,
    Page,
    _chain,
    _config,
    _coop_row,
    _exec,
    _fields,
    _latest,
    _ref,
    _refs,
    current_block,
)

OBLIGATION_ACCEPTED = 2


def _default_limit(db: Db, chain_id: int, units: str) -> int:
    row = _config(db, chain_id, units, "default_credit_limit")
    return int(row.value) if row is not None else 0


def _units(
    db: Db, chain_id: int, units: str, accounts: Sequence[str] | None
) -> dict[str, tuple[int, int | None]]:
    """account -> (signed balance, own limit or None)."""
    where = [UNITS.c.chain_id == chain_id, UNITS.c.contract == units]
    if accounts is not None:
        where.append(UNITS.c.account.in_(list(accounts)))
    sub = _latest(UNITS, ("account",), *where, extra_order=("leg",))
    return {
        r.account: (int(r.balance), int(r.credit_limit) if r.credit_limit is not None else None)
        for r in _exec(db, sa.select(sub))
    }


def list_transfers(
    db: Db,
    coop: str | int,
    account: str | None = None,
    offset: int = 0,
    limit: int = 100,
    chain_id: int | None = None,
) -> Page[TransferPublic]:
    """ВРЕ transfers (including obligation payments), oldest first, with their documents."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    where = [
        UNITS.c.chain_id == cid,
        UNITS.c.contract == c.settlement_units,
        UNITS.c.action == "sent",
    ]
    if account is not None:
        where.append(sa.or_(UNITS.c.account == account, UNITS.c.counterparty == account))
    count = int(_exec(db, sa.select(sa.func.count()).select_from(UNITS).where(*where)).scalar())
    doc = UNITS_DOC.alias("d")
    rows = list(
        _exec(
            db,
            sa.select(UNITS, doc.c.document.label("doc"))
            .join(
                doc,
                sa.and_(
                    doc.c.chain_id == UNITS.c.chain_id,
                    doc.c.block_hash == UNITS.c.block_hash,
                    doc.c.log_index == UNITS.c.log_index + 1,
                ),
                isouter=True,
            )
            .where(*where)
            .order_by(UNITS.c.block_number, UNITS.c.log_index)
            .offset(offset)
            .limit(limit),
        )
    )
    refs = _refs(db, cid, rows)
    data = [
        TransferPublic(
            contract=r.contract,
            sender=r.account,
            recipient=r.counterparty,
            amount=-int(r.delta),
            document=r.doc,
            event=_ref(refs, r),
        )
        for r in rows
    ]
    return Page[TransferPublic](data=data, count=count, as_of=as_of)


def _obligations(db: Db, chain_id: int, units: str, *where: Any) -> list[Any]:
    sub = _latest(
        OBLIGATION,
        ("obligation_id",),
        OBLIGATION.c.chain_id == chain_id,
        OBLIGATION.c.contract == units,
    )
    return list(
        _exec(db, sa.select(sub).where(*[w(sub) for w in where]).order_by(sub.c.obligation_id))
    )


def _obligations_public(
    db: Db, chain_id: int, units: str, rows: Sequence[Any]
) -> list[ObligationPublic]:
    if not rows:
        return []
    issued = list(
        _exec(
            db,
            sa.select(OBLIGATION).where(
                OBLIGATION.c.chain_id == chain_id,
                OBLIGATION.c.contract == units,
                OBLIGATION.c.action == "issued",
                OBLIGATION.c.obligation_id.in_([int(r.obligation_id) for r in rows]),
            ),
        )
    )
    refs = _refs(db, chain_id, [*rows, *issued])
    first = {int(r.obligation_id): _ref(refs, r) for r in issued}
    return [
        ObligationPublic(
            contract=r.contract,
            obligation_id=int(r.obligation_id),
            debtor=r.debtor,
            creditor=r.creditor,
            status=int(r.status),
            status_name=OBLIGATION_STATUS[r.status],
            due_date=int(r.due_date),
            amount=int(r.total),
            outstanding=int(r.outstanding),
            document_hash=r.document_hash,
            issued=first.get(int(r.obligation_id), _ref(refs, r)),
            last_event=_ref(refs, r),
        )
        for r in rows
    ]


def list_obligations(
    db: Db,
    coop: str | int,
    debtor: str | None = None,
    creditor: str | None = None,
    status: int | str | None = None,
    offset: int = 0,
    limit: int = 100,
    chain_id: int | None = None,
) -> Page[ObligationPublic]:
    """Obligations (invoices) of a cooperative's ВРЕ, as `obligation(id)` answers now."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    filters: list[Any] = []
    if debtor is not None:
        filters.append(lambda s: s.c.debtor == debtor)
    if creditor is not None:
        filters.append(lambda s: s.c.creditor == creditor)
    if status is not None:
        code = OBLIGATION_STATUS.index(status) if isinstance(status, str) else status
        filters.append(lambda s: s.c.status == code)
    rows = _obligations(db, cid, c.settlement_units, *filters)
    page = rows[offset : offset + limit]
    data = _obligations_public(db, cid, c.settlement_units, page)
    return Page[ObligationPublic](data=data, count=len(rows), as_of=as_of)


def open_obligations(
    db: Db, units_address: str, chain_id: int | None = None
) -> Page[ObligationPublic]:
    """Accepted obligations with something outstanding: what `coop clearing run` plans over
    (`Obligation(id, debtor, creditor, amount=outstanding)` for the clearing engine)."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    rows = _obligations(
        db,
        cid,
        units_address,
        lambda s: s.c.status == OBLIGATION_ACCEPTED,
        lambda s: s.c.outstanding != "0",
    )
    data = _obligations_public(db, cid, units_address, rows)
    return Page[ObligationPublic](data=data, count=len(data), as_of=as_of)


def list_clearings(db: Db, coop: str | int, chain_id: int | None = None) -> Page[ClearingPublic]:
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    rows = list(
        _exec(
            db,
            sa.select(CLEARING)
            .where(CLEARING.c.chain_id == cid, CLEARING.c.contract == c.settlement_units)
            .order_by(CLEARING.c.block_number, CLEARING.c.log_index),
        )
    )
    refs = _refs(db, cid, rows)
    data = [ClearingPublic(**_fields(r, ClearingPublic), event=_ref(refs, r)) for r in rows]
    return Page[ClearingPublic](data=data, count=len(data), as_of=as_of)


class ClearedLine(BaseModel):
    """One obligation line of a clearing (`ObligationCleared`), the obligation after it."""

    obligation_id: int
    debtor: str
    creditor: str
    amount: int
    """What this clearing set off on the obligation."""
    outstanding: int
    """What remained owed right after it."""


class MemberClearingPublic(BaseModel):
    """One applied clearing (`ClearingSettled`) and its lines on the member's obligations."""

    submitter: str
    plan_hash: str
    entries: int
    total_cleared: int
    event: EventRef
    lines: list[ClearedLine]
    """The member's lines only (as debtor or creditor); empty when nothing of theirs cleared."""
    cleared_as_debtor: int
    """Sum of the member's debts set off (a set-off keeps each net position, so it equals
    `cleared_as_creditor`)."""
    cleared_as_creditor: int


def member_clearings(
    db: Db, coop: str | int, address: str, chain_id: int | None = None
) -> Page[MemberClearingPublic]:
    """Every clearing of the cooperative's ВРЕ, oldest first, with the obligation lines of that
    clearing's transaction where `address` is the debtor or the creditor (one SQL join:
    `ObligationCleared` rows and the `ClearingSettled` row share the transaction)."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    raw_c = RAW.alias("raw_c")
    clearings = list(
        _exec(
            db,
            sa.select(CLEARING, raw_c.c.tx_hash)
            .join(
                raw_c,
                sa.and_(
                    raw_c.c.chain_id == CLEARING.c.chain_id,
                    raw_c.c.block_hash == CLEARING.c.block_hash,
                    raw_c.c.log_index == CLEARING.c.log_index,
                ),
            )
            .where(CLEARING.c.chain_id == cid, CLEARING.c.contract == c.settlement_units)
            .order_by(CLEARING.c.block_number, CLEARING.c.log_index),
        )
    )
    raw_o = RAW.alias("raw_o")
    lines = list(
        _exec(
            db,
            sa.select(
                OBLIGATION.c.obligation_id,
                OBLIGATION.c.debtor,
                OBLIGATION.c.creditor,
                OBLIGATION.c.amount,
                OBLIGATION.c.outstanding,
                raw_o.c.tx_hash,
            )
            .join(
                raw_o,
                sa.and_(
                    raw_o.c.chain_id == OBLIGATION.c.chain_id,
                    raw_o.c.block_hash == OBLIGATION.c.block_hash,
                    raw_o.c.log_index == OBLIGATION.c.log_index,
                ),
            )
            .where(
                OBLIGATION.c.chain_id == cid,
                OBLIGATION.c.contract == c.settlement_units,
                OBLIGATION.c.action == "cleared",
                sa.or_(OBLIGATION.c.debtor == address, OBLIGATION.c.creditor == address),
            )
            .order_by(OBLIGATION.c.block_number, OBLIGATION.c.log_index),
        )
    )
    by_tx: dict[str, list[ClearedLine]] = {}
    for r in lines:
        by_tx.setdefault(r.tx_hash, []).append(
            ClearedLine(
                obligation_id=int(r.obligation_id),
                debtor=r.debtor,
                creditor=r.creditor,
                amount=int(r.amount),
                outstanding=int(r.outstanding),
            )
        )
    refs = _refs(db, cid, clearings)
    data = []
    for r in clearings:
        mine = by_tx.get(r.tx_hash, [])
        data.append(
            MemberClearingPublic(
                submitter=r.submitter,
                plan_hash=r.plan_hash,
                entries=int(r.entries),
                total_cleared=int(r.total_cleared),
                event=_ref(refs, r),
                lines=mine,
                cleared_as_debtor=sum(x.amount for x in mine if x.debtor == address),
                cleared_as_creditor=sum(x.amount for x in mine if x.creditor == address),
            )
        )
    return Page[MemberClearingPublic](data=data, count=len(data), as_of=as_of)
