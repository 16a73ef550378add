"""The treasury: fund balances as `Treasury.fundBalances()` answers (pending income split by
the charter's current percentages) and its movements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from indexer.models import (
    BlockRef,
    FundsPublic,
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
        balances = [b + p for b, p in zip(balances, _split(pending, bps), strict=True)]
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
