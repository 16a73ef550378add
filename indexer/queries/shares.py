"""Share contributions: every holding's breakdown (minimum, voluntary, in kind, entrance fee)
and the share ledger."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from indexer.models import (
    HoldingPublic,
    ShareEntryPublic,
)
from indexer.queries.common import (
    SHARE,
    Db,
    Page,
    _chain,
    _coop_row,
    _exec,
    _fields,
    _latest,
    _ref,
    _refs,
    current_block,
)


def _holdings(
    db: Db, chain_id: int, shares: str, accounts: Sequence[str] | None
) -> dict[str, HoldingPublic]:
    where = [SHARE.c.chain_id == chain_id, SHARE.c.contract == shares]
    if accounts is not None:
        where.append(SHARE.c.account.in_(list(accounts)))
    sub = _latest(SHARE, ("account",), *where)
    return {
        r.account: HoldingPublic(
            minimum_share=int(r.minimum_share),
            voluntary_shares=int(r.voluntary_shares),
            in_kind_shares=int(r.in_kind_shares),
            entrance_fee=int(r.entrance_fee),
            paid_off_chain=int(r.paid_off_chain),
        )
        for r in _exec(db, sa.select(sub))
    }


def share_ledger(
    db: Db, coop: str | int, address: str | None = None, chain_id: int | None = None
) -> Page[ShareEntryPublic]:
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    where = [SHARE.c.chain_id == cid, SHARE.c.contract == c.shares]
    if address is not None:
        where.append(SHARE.c.account == address)
    rows = list(
        _exec(db, sa.select(SHARE).where(*where).order_by(SHARE.c.block_number, SHARE.c.log_index))
    )
    refs = _refs(db, cid, rows)
    data = [ShareEntryPublic(**_fields(r, ShareEntryPublic), event=_ref(refs, r)) for r in rows]
    return Page[ShareEntryPublic](data=data, count=len(data), as_of=as_of)
