"""The dashboard: one cooperative at a glance, across domains, all at one block."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from indexer.models import (
    MEMBER_STATUS,
    DashboardPublic,
)
from indexer.queries.common import (
    DOC,
    MEMBER,
    Db,
    _chain,
    _coop_row,
    _exec,
    _latest,
    current_block,
)
from indexer.queries.documents import _doc_current
from indexer.queries.registry import _coop_public
from indexer.queries.shares import _holdings
from indexer.queries.treasury import _funds
from indexer.queries.units import OBLIGATION_ACCEPTED, _obligations, _units


def dashboard(db: Db, coop: str | int, chain_id: int | None = None) -> DashboardPublic:
    """Members by status, shares, funds, ВРЕ totals, open obligations: one cooperative at a
    glance, all at one block."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    statuses = _latest(
        MEMBER, ("account",), MEMBER.c.chain_id == cid, MEMBER.c.contract == c.membership
    )
    by_status = Counter(
        {
            MEMBER_STATUS[int(r.status)]: int(r.n)
            for r in _exec(
                db,
                sa.select(statuses.c.status, sa.func.count().label("n")).group_by(
                    statuses.c.status
                ),
            )
        }
    )
    holdings = _holdings(db, cid, c.shares, None)
    units = _units(db, cid, c.settlement_units, None)
    open_rows = _obligations(
        db,
        cid,
        c.settlement_units,
        lambda s: s.c.status == OBLIGATION_ACCEPTED,
        lambda s: s.c.outstanding != "0",
    )
    documents = int(
        _exec(
            db,
            sa.select(sa.func.count())
            .select_from(DOC)
            .where(DOC.c.chain_id == cid, DOC.c.contract == c.documents, _doc_current()),
        ).scalar()
    )
    return DashboardPublic(
        cooperative=_coop_public(db, cid, c),
        members_by_status={name: by_status.get(name, 0) for name in MEMBER_STATUS[1:]},
        active_members=by_status.get("member", 0),
        total_shares=sum(h.refundable for h in holdings.values()),
        entrance_fees=sum(h.entrance_fee for h in holdings.values()),
        funds=_funds(db, cid, c, as_of),
        units_supply=sum(b for b, _ in units.values() if b > 0),
        units_accounts=len(units),
        units_in_debt=sum(1 for b, _ in units.values() if b < 0),
        open_obligations=len(open_rows),
        open_obligations_total=sum(int(r.outstanding) for r in open_rows),
        documents=documents,
        as_of=as_of,
    )
