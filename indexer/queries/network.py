"""The network directory: every cooperative the registry announced, its unions and their member
cooperatives, and public figures per cooperative (members, shares, ВРЕ turnover, meetings held),
all at one block."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from indexer.models import (
    COOPERATIVE_KIND,
    MEMBER_STATUS,
    NetworkCooperativePublic,
    NetworkDirectoryPublic,
    NetworkMemberCooperative,
)
from indexer.queries.common import (
    COOP,
    MEETING,
    MEMBER,
    UNITS,
    Db,
    _chain,
    _exec,
    _latest,
    current_block,
)
from indexer.queries.governance import meeting_contracts_of
from indexer.queries.shares import _holdings

UNION = COOPERATIVE_KIND.index("union")
_ACTIVE = MEMBER_STATUS.index("member")
_HELD = 5
"""`MEETING_STATE` "held": the meeting reached quorum and decided."""


def _all_cooperatives(db: Db, chain_id: int) -> list[Any]:
    return list(
        _exec(
            db,
            sa.select(COOP)
            .where(COOP.c.chain_id == chain_id)
            .order_by(COOP.c.block_number, COOP.c.log_index),
        )
    )


def find_cooperative(db: Db, slug: str, chain_id: int | None = None) -> tuple[int, str] | None:
    """(registry number, charter) of a cooperative named by its number or any of its contract
    addresses (checksummed); None when the mirror has no such cooperative."""
    cid = _chain(db, chain_id)
    where: list[Any] = [COOP.c.chain_id == cid]
    if slug.isdigit():
        where.append(COOP.c.coop_id == int(slug))
    else:
        where.append(sa.or_(COOP.c.charter == slug, COOP.c.treasury == slug))
    row = _exec(
        db, sa.select(COOP.c.coop_id, COOP.c.charter).where(*where).order_by(COOP.c.block_number)
    ).first()
    return None if row is None else (int(row.coop_id), str(row.charter))


def _active_counts(db: Db, chain_id: int, memberships: list[str]) -> dict[str, int]:
    sub = _latest(
        MEMBER,
        ("contract", "account"),
        MEMBER.c.chain_id == chain_id,
        MEMBER.c.contract.in_(memberships),
    )
    rows = _exec(
        db,
        sa.select(sub.c.contract, sa.func.count().label("n"))
        .where(sub.c.status == _ACTIVE)
        .group_by(sub.c.contract),
    )
    return {r.contract: int(r.n) for r in rows}


def _union_links(db: Db, chain_id: int, coops: list[Any]) -> list[tuple[Any, Any]]:
    """(union row, member row) for every cooperative's treasury that is an active member of
    another cooperative of the network."""
    by_treasury = {c.treasury: c for c in coops}
    by_membership = {c.membership: c for c in coops}
    if not by_treasury:
        return []
    sub = _latest(
        MEMBER,
        ("contract", "account"),
        MEMBER.c.chain_id == chain_id,
        MEMBER.c.account.in_(sorted(by_treasury)),
    )
    rows = _exec(db, sa.select(sub.c.contract, sub.c.account).where(sub.c.status == _ACTIVE))
    return [
        (by_membership[r.contract], by_treasury[r.account])
        for r in rows
        if r.contract in by_membership
    ]


def _turnover(db: Db, chain_id: int, units: list[str]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    rows = _exec(
        db,
        sa.select(UNITS.c.contract, UNITS.c.delta).where(
            UNITS.c.chain_id == chain_id,
            UNITS.c.contract.in_(units),
            UNITS.c.action == "received",
        ),
    )
    for r in rows:
        totals[r.contract] += int(r.delta)
    return totals


def _meetings_held(db: Db, chain_id: int, charter: str) -> int:
    contracts = meeting_contracts_of(db, charter, chain_id)
    if not contracts:
        return 0
    sub = _latest(
        MEETING,
        ("contract", "meeting_id"),
        MEETING.c.chain_id == chain_id,
        MEETING.c.contract.in_(contracts),
    )
    return int(
        _exec(db, sa.select(sa.func.count()).select_from(sub).where(sub.c.status == _HELD)).scalar()
    )


def directory(
    db: Db, offset: int = 0, limit: int = 20, chain_id: int | None = None
) -> NetworkDirectoryPublic:
    """A page of the network's cooperatives in registration order, with their figures."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    coops = _all_cooperatives(db, cid)
    page = coops[offset : offset + limit]
    links = _union_links(db, cid, coops)
    members_of: dict[str, list[NetworkMemberCooperative]] = defaultdict(list)
    unions_of: dict[str, list[int]] = defaultdict(list)
    for union, member in links:
        members_of[union.charter].append(
            NetworkMemberCooperative(
                coop_id=int(member.coop_id), charter=member.charter, name=member.name
            )
        )
        unions_of[member.charter].append(int(union.coop_id))
    active = _active_counts(db, cid, [c.membership for c in page]) if page else {}
    turnover = _turnover(db, cid, [c.settlement_units for c in page]) if page else {}
    data = []
    for c in page:
        holdings = _holdings(db, cid, c.shares, None)
        kind = int(c.kind)
        data.append(
            NetworkCooperativePublic(
                coop_id=int(c.coop_id),
                charter=c.charter,
                name=c.name,
                kind=kind,
                kind_name=COOPERATIVE_KIND[kind] if kind < len(COOPERATIVE_KIND) else "?",
                registered_block=int(c.block_number),
                active_members=active.get(c.membership, 0),
                total_shares=sum(h.refundable for h in holdings.values()),
                units_turnover=turnover.get(c.settlement_units, 0),
                meetings_held=_meetings_held(db, cid, c.charter),
                member_cooperatives=sorted(members_of[c.charter], key=lambda m: m.coop_id),
                unions=sorted(unions_of[c.charter]),
            )
        )
    return NetworkDirectoryPublic(
        data=data,
        count=len(coops),
        unions=sum(1 for c in coops if int(c.kind) == UNION),
        offset=offset,
        limit=limit,
        as_of=as_of,
    )


def memberships_of(db: Db, address: str, chain_id: int | None = None) -> list[tuple[int, str]]:
    """(registry number, charter) of every cooperative `address` (checksummed) is an active
    member of, in registration order."""
    cid = _chain(db, chain_id)
    sub = _latest(MEMBER, ("contract",), MEMBER.c.chain_id == cid, MEMBER.c.account == address)
    active = {
        r.contract for r in _exec(db, sa.select(sub.c.contract).where(sub.c.status == _ACTIVE))
    }
    return [
        (int(c.coop_id), c.charter) for c in _all_cooperatives(db, cid) if c.membership in active
    ]
