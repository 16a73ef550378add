"""Membership: members with their shares and ВРЕ position, applications, a member's history,
and members and shares over time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from indexer.models import (
    MEMBER_KIND,
    MEMBER_STATUS,
    BlockRef,
    HoldingPublic,
    MemberEventPublic,
    MemberPublic,
)
from indexer.queries.common import (
    MEMBER,
    RAW,
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
from indexer.queries.shares import _holdings
from indexer.queries.units import _default_limit, _units

MEMBER_ACTIVE = 2


def _members_public(
    db: Db, chain_id: int, coop: Any, rows: Sequence[Any], as_of: BlockRef
) -> list[MemberPublic]:
    accounts = [r.account for r in rows]
    holdings = _holdings(db, chain_id, coop.shares, accounts)
    units = _units(db, chain_id, coop.settlement_units, accounts)
    default = _default_limit(db, chain_id, coop.settlement_units)
    refs = _refs(db, chain_id, rows)
    out = []
    for r in rows:
        h = holdings.get(r.account, HoldingPublic())
        balance, own = units.get(r.account, (0, None))
        limit = default if own is None else own
        out.append(
            MemberPublic(
                cooperative=coop.charter,
                account=r.account,
                status=int(r.status),
                status_name=MEMBER_STATUS[r.status],
                member_kind=int(r.member_kind),
                kind_name=MEMBER_KIND[r.member_kind],
                blocked_from=int(r.blocked_from),
                identity_verified=bool(r.identity_verified),
                fees_paid=bool(r.fees_paid),
                nonce=int(r.nonce),
                applied_at=int(r.applied_at),
                admitted_at=int(r.admitted_at),
                shares=h,
                share_balance=h.refundable,
                units_balance=balance,
                credit_limit=limit,
                units_available=max(0, balance + limit),
                last_event=_ref(refs, r),
                as_of=as_of,
            )
        )
    return out


def get_member(
    db: Db, coop: str | int, address: str, chain_id: int | None = None
) -> MemberPublic | None:
    """Status, kind, shares breakdown, ВРЕ signed balance and credit limit of `address`
    (None if it never had a membership record)."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    sub = _latest(
        MEMBER,
        ("account",),
        MEMBER.c.chain_id == cid,
        MEMBER.c.contract == c.membership,
        MEMBER.c.account == address,
    )
    rows = list(_exec(db, sa.select(sub)))
    if not rows:
        return None
    return _members_public(db, cid, c, rows, as_of)[0]


def list_members(
    db: Db,
    coop: str | int,
    status: int | str | None = None,
    offset: int = 0,
    limit: int = 100,
    chain_id: int | None = None,
) -> Page[MemberPublic]:
    """Accounts with a membership record, by current status (a number or a name), in order
    of their first application."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    sub = _latest(MEMBER, ("account",), MEMBER.c.chain_id == cid, MEMBER.c.contract == c.membership)
    where = []
    if status is not None:
        code = MEMBER_STATUS.index(status) if isinstance(status, str) else status
        where.append(sub.c.status == code)
    count = int(_exec(db, sa.select(sa.func.count()).select_from(sub).where(*where)).scalar())
    rows = list(
        _exec(
            db,
            sa.select(sub).where(*where).order_by(sub.c.account).offset(offset).limit(limit),
        )
    )
    return Page[MemberPublic](
        data=_members_public(db, cid, c, rows, as_of), count=count, as_of=as_of
    )


def member_history(
    db: Db, coop: str | int, address: str, chain_id: int | None = None
) -> Page[MemberEventPublic]:
    """Every membership event of `address`, oldest first, with the record after each."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    rows = list(
        _exec(
            db,
            sa.select(MEMBER)
            .where(
                MEMBER.c.chain_id == cid,
                MEMBER.c.contract == c.membership,
                MEMBER.c.account == address,
            )
            .order_by(MEMBER.c.block_number, MEMBER.c.log_index),
        )
    )
    refs = _refs(db, cid, rows)
    data = [
        MemberEventPublic(
            **_fields(r, MemberEventPublic),
            event=_ref(refs, r),
            status_name=MEMBER_STATUS[r.status],
        )
        for r in rows
    ]
    return Page[MemberEventPublic](data=data, count=len(data), as_of=as_of)


def list_applications(
    db: Db, coop: str | int, open_only: bool = True, chain_id: int | None = None
) -> Page[MemberEventPublic]:
    """Applications (the latest of each account); `open_only`: still awaiting a decision."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    apps = _latest(
        MEMBER,
        ("account",),
        MEMBER.c.chain_id == cid,
        MEMBER.c.contract == c.membership,
        MEMBER.c.action == "applied",
    )
    rows = list(_exec(db, sa.select(apps).order_by(apps.c.block_number, apps.c.log_index)))
    if open_only:
        now = {
            r.account: int(r.status)
            for r in _exec(
                db,
                sa.select(
                    _latest(
                        MEMBER,
                        ("account",),
                        MEMBER.c.chain_id == cid,
                        MEMBER.c.contract == c.membership,
                    )
                ),
            )
        }
        rows = [r for r in rows if now.get(r.account) == 1]
    refs = _refs(db, cid, rows)
    data = [
        MemberEventPublic(
            **_fields(r, MemberEventPublic),
            event=_ref(refs, r),
            status_name=MEMBER_STATUS[r.status],
        )
        for r in rows
    ]
    return Page[MemberEventPublic](data=data, count=len(data), as_of=as_of)


class MembershipPoint(BaseModel):
    """The cooperative right after one membership or shares event."""

    block_number: int
    timestamp: int | None
    members: int
    """Members in the `member` status."""
    total_shares: int
    """Sum of every holding's refundable part (minimum + voluntary + in-kind)."""


def membership_history(
    db: Db, coop: str | int, chain_id: int | None = None
) -> Page[MembershipPoint]:
    """Members and shares over time: one point per block with a membership or shares event,
    replayed in chain order from the two ledgers (each row carries the state after it)."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    members = sa.select(
        MEMBER.c.block_number,
        MEMBER.c.log_index,
        MEMBER.c.block_hash,
        MEMBER.c.account,
        MEMBER.c.status,
        sa.cast(sa.null(), SHARE.c.minimum_share.type).label("refundable_min"),
        sa.cast(sa.null(), SHARE.c.voluntary_shares.type).label("refundable_vol"),
        sa.cast(sa.null(), SHARE.c.in_kind_shares.type).label("refundable_kind"),
        sa.literal("m").label("kind"),
    ).where(MEMBER.c.chain_id == cid, MEMBER.c.contract == c.membership)
    shares = sa.select(
        SHARE.c.block_number,
        SHARE.c.log_index,
        SHARE.c.block_hash,
        SHARE.c.account,
        sa.cast(sa.null(), MEMBER.c.status.type).label("status"),
        SHARE.c.minimum_share,
        SHARE.c.voluntary_shares,
        SHARE.c.in_kind_shares,
        sa.literal("s").label("kind"),
    ).where(SHARE.c.chain_id == cid, SHARE.c.contract == c.shares)
    both = sa.union_all(members, shares).subquery()
    rows = list(
        _exec(
            db,
            sa.select(both, RAW.c.block_timestamp)
            .outerjoin(
                RAW,
                sa.and_(
                    RAW.c.chain_id == cid,
                    RAW.c.block_hash == both.c.block_hash,
                    RAW.c.log_index == both.c.log_index,
                ),
            )
            .order_by(both.c.block_number, both.c.log_index, both.c.kind),
        )
    )
    status: dict[str, int] = {}
    held: dict[str, int] = {}
    active = total = 0
    points: list[MembershipPoint] = []
    for r in rows:
        if r.kind == "m":
            before = status.get(r.account)
            status[r.account] = int(r.status)
            active += (status[r.account] == MEMBER_ACTIVE) - (before == MEMBER_ACTIVE)
        else:
            now = int(r.refundable_min) + int(r.refundable_vol) + int(r.refundable_kind)
            total += now - held.get(r.account, 0)
            held[r.account] = now
        point = MembershipPoint(
            block_number=int(r.block_number),
            timestamp=None if r.block_timestamp is None else int(r.block_timestamp),
            members=active,
            total_shares=total,
        )
        if points and points[-1].block_number == point.block_number:
            points[-1] = point
        else:
            points.append(point)
    return Page[MembershipPoint](data=points, count=len(points), as_of=as_of)


def active_accounts(db: Db, coop: str | int, chain_id: int | None = None) -> list[str]:
    """Addresses whose current status is `member`, sorted: who a cooperative-wide notice goes
    to (one query, none of `list_members`' holdings and balances)."""
    cid = _chain(db, chain_id)
    c = _coop_row(db, cid, coop)
    sub = _latest(MEMBER, ("account",), MEMBER.c.chain_id == cid, MEMBER.c.contract == c.membership)
    code = MEMBER_STATUS.index("member")
    return [
        str(r[0])
        for r in _exec(
            db, sa.select(sub.c.account).where(sub.c.status == code).order_by(sub.c.account)
        )
    ]
