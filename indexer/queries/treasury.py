"""The treasury: fund balances as `Treasury.fundBalances()` answers (pending income split by
the charter's current percentages, after the named funds took their parts) and its movements;
the funds a charter names as `Treasury.namedFund` answers them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from indexer.models import (
    BlockRef,
    FundsPublic,
    NamedFundEntry,
    NamedFundPublic,
    NamedFundsPublic,
    TreasuryMovementPublic,
)
from indexer.queries.common import (
    TREASURY,
    Db,
    Page,
    _chain,
    _config,
    _coop_row,
    _exec,
    _fields,
    _ref,
    _refs,
    current_block,
)

NAMED = NamedFundEntry.__table__  # type: ignore[attr-defined]
RULES = ("council", "meeting")
MAJORITIES = ("simple", "two_thirds", "three_quarters")


def _split(income: int, basis_points: Sequence[int]) -> list[int]:
    """Treasury._split: floor per fund, the rounding rest to the reserve."""
    parts = [income * bp // 10_000 for bp in basis_points]
    parts[1] += income - sum(parts)
    return parts


def fund_balances(db: Db, coop: str | int, chain_id: int | None = None) -> FundsPublic:
    """`Treasury.fundBalances()`: stored balances plus pending income split by the charter's
    current percentages."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    return _funds(db, cid, c, as_of)


def _funds(db: Db, chain_id: int, c: Any, as_of: BlockRef) -> FundsPublic:
    row = _exec(
        db,
        sa.select(TREASURY)
        .where(TREASURY.c.chain_id == chain_id, TREASURY.c.contract == c.treasury)
        .order_by(TREASURY.c.block_number.desc(), TREASURY.c.log_index.desc())
        .limit(1),
    ).first()
    if row is None:
        return FundsPublic(treasury=c.treasury, as_of=as_of)
    balances = [
        int(row.share_fund),
        int(row.reserve_fund),
        int(row.mutual_aid_fund),
        int(row.development_fund),
    ]
    pending = int(row.pending_income)
    if pending:
        split = _config(db, chain_id, c.charter, "fund_split")
        bps = [int(v) for v in split.value.split(",")] if split is not None else [0, 10_000, 0, 0]
        named = sum(pending * int(r.share_bps) // 10_000 for r in _named_rows(db, chain_id, c))
        rest = pending - named
        balances = [b + p for b, p in zip(balances, _split(rest, bps), strict=True)]
    return FundsPublic(
        treasury=c.treasury,
        share=balances[0],
        reserve=balances[1],
        mutual_aid=balances[2],
        development=balances[3],
        pending_income=pending,
        as_of=as_of,
    )


def treasury_movements(
    db: Db, coop: str | int, offset: int = 0, limit: int = 100, chain_id: int | None = None
) -> Page[TreasuryMovementPublic]:
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    where = [TREASURY.c.chain_id == cid, TREASURY.c.contract == c.treasury]
    count = int(_exec(db, sa.select(sa.func.count()).select_from(TREASURY).where(*where)).scalar())
    rows = list(
        _exec(
            db,
            sa.select(TREASURY)
            .where(*where)
            .order_by(TREASURY.c.block_number, TREASURY.c.log_index)
            .offset(offset)
            .limit(limit),
        )
    )
    refs = _refs(db, cid, rows)
    data = [
        TreasuryMovementPublic(**_fields(r, TreasuryMovementPublic), event=_ref(refs, r))
        for r in rows
    ]
    return Page[TreasuryMovementPublic](data=data, count=count, as_of=as_of)


def _named_rows(db: Db, chain_id: int, c: Any) -> list[Any]:
    """The latest row of each named fund of the cooperative's treasury, by fund id."""
    where = [NAMED.c.chain_id == chain_id, NAMED.c.contract == c.treasury]
    count = int(
        _exec(
            db,
            sa.select(sa.func.count())
            .select_from(NAMED)
            .where(*where, NAMED.c.action == "created"),
        ).scalar()
    )
    rows = []
    for fund_id in range(count):
        row = _exec(
            db,
            sa.select(NAMED)
            .where(*where, NAMED.c.fund_id == fund_id)
            .order_by(NAMED.c.block_number.desc(), NAMED.c.log_index.desc())
            .limit(1),
        ).first()
        if row is not None:
            rows.append(row)
    return rows


def named_funds(db: Db, coop: str | int, chain_id: int | None = None) -> NamedFundsPublic:
    """`Treasury.namedFund` for every named fund: terms and balance, pending income counted as
    split (floor(pending * share / 10,000) each, as the contract will split it)."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    rows = _named_rows(db, cid, c)
    last = _exec(
        db,
        sa.select(TREASURY.c.pending_income)
        .where(TREASURY.c.chain_id == cid, TREASURY.c.contract == c.treasury)
        .order_by(TREASURY.c.block_number.desc(), TREASURY.c.log_index.desc())
        .limit(1),
    ).first()
    pending = int(last.pending_income) if last is not None else 0
    refs = _refs(db, cid, rows)
    data = [
        NamedFundPublic(
            fund_id=int(r.fund_id),
            name=r.name,
            balance=int(r.balance) + pending * int(r.share_bps) // 10_000,
            share_bps=int(r.share_bps),
            rule=RULES[int(r.rule)],
            majority=MAJORITIES[int(r.majority)],
            indivisible=bool(r.indivisible),
            regulation=r.regulation,
            last_event=_ref(refs, r),
        )
        for r in rows
    ]
    return NamedFundsPublic(
        treasury=c.treasury,
        shares_total_bps=sum(f.share_bps for f in data),
        data=data,
        as_of=as_of,
    )
