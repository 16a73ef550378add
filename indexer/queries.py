"""The read side of the mirror: typed answers for the gateway, the CLI and reports.

Every function takes an open SQLAlchemy `Connection` or SQLModel `Session` (the gateway's
`SessionDep`), a cooperative (its charter address, any of its contract addresses, or its number
in the registry) where it applies, and returns `indexer.models` read models. Every answer says
at which block it is current (`as_of`, the indexer's cursor): read it in the same transaction as
the rows (`with engine.connect() as conn:` or one `Session`) and the two agree.

"Current state" is the latest ledger row per entity (see `indexer/projections/_domain.py`);
states that depend on time only (a council item's expiry, a meeting's Scheduled / Open / Ended)
are computed at the cursor block's timestamp, exactly as the contracts' views would answer at
that block. uint256 amounts are stored as decimal strings and summed in Python, exactly, on both
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

from indexer.models import (
    ASSET_CATEGORY,
    COOPERATIVE_KIND,
    DOCUMENT_TYPE,
    ITEM_STATE,
    LOAN_STATE,
    MEETING_STATE,
    MEMBER_KIND,
    MEMBER_STATUS,
    OBLIGATION_STATUS,
    AssetEvent,
    AssetPublic,
    Ballot,
    BallotPublic,
    BlockRef,
    Clearing,
    ClearingPublic,
    ConfigEvent,
    Cooperative,
    CooperativePublic,
    CouncilItemEvent,
    CouncilItemPublic,
    CouncilVotePublic,
    Cursor,
    DashboardPublic,
    Document,
    DocumentPublic,
    EventRef,
    FundEntry,
    FundLoanEvent,
    FundPositionPublic,
    FundPositionsPublic,
    FundsPublic,
    GuaranteePublic,
    HoldingPublic,
    LoanPublic,
    MeetingEvent,
    MeetingPublic,
    MemberEvent,
    MemberEventPublic,
    MemberPublic,
    ObligationEvent,
    ObligationPublic,
    Question,
    QuestionPublic,
    RawEvent,
    ShareEntry,
    ShareEntryPublic,
    Signature,
    SignaturePublic,
    TransferPublic,
    TreasuryMovement,
    TreasuryMovementPublic,
    UnitsEntry,
    UnitsTransferDoc,
)

Db = Connection | Session
T = TypeVar("T")

RAW = RawEvent.__table__  # type: ignore[attr-defined]
CURSOR = Cursor.__table__  # type: ignore[attr-defined]
COOP = Cooperative.__table__  # type: ignore[attr-defined]
CONFIG = ConfigEvent.__table__  # type: ignore[attr-defined]
MEMBER = MemberEvent.__table__  # type: ignore[attr-defined]
SHARE = ShareEntry.__table__  # type: ignore[attr-defined]
TREASURY = TreasuryMovement.__table__  # type: ignore[attr-defined]
DOC = Document.__table__  # type: ignore[attr-defined]
SIG = Signature.__table__  # type: ignore[attr-defined]
UNITS = UnitsEntry.__table__  # type: ignore[attr-defined]
UNITS_DOC = UnitsTransferDoc.__table__  # type: ignore[attr-defined]
OBLIGATION = ObligationEvent.__table__  # type: ignore[attr-defined]
CLEARING = Clearing.__table__  # type: ignore[attr-defined]
ITEM = CouncilItemEvent.__table__  # type: ignore[attr-defined]
MEETING = MeetingEvent.__table__  # type: ignore[attr-defined]
QUESTION = Question.__table__  # type: ignore[attr-defined]
BALLOT = Ballot.__table__  # type: ignore[attr-defined]
FUND_ENTRY = FundEntry.__table__  # type: ignore[attr-defined]
FUND_LOAN = FundLoanEvent.__table__  # type: ignore[attr-defined]
ASSET = AssetEvent.__table__  # type: ignore[attr-defined]

MEMBER_ACTIVE = 2
OBLIGATION_ACCEPTED = 2


class Page(BaseModel, Generic[T]):
    """A list answer: `{data, count, as_of}` (count: all matching rows, not just this page)."""

    data: list[T]
    count: int
    as_of: BlockRef


class NotFound(LookupError):
    """The cooperative (or chain) is not in the mirror."""


# -- basics -----------------------------------------------------------------------------------


def _exec(db: Db, stmt: Any) -> Any:
    return db.execute(stmt)


def _chain(db: Db, chain_id: int | None) -> int:
    if chain_id is not None:
        return chain_id
    ids = [int(r[0]) for r in _exec(db, sa.select(CURSOR.c.chain_id))]
    if len(ids) != 1:
        raise NotFound(
            "the mirror holds no chain yet" if not ids else f"several chains {ids}: pass chain_id"
        )
    return ids[0]


def current_block(db: Db, chain_id: int | None = None) -> BlockRef:
    """The indexer's cursor: every row of the mirror is current at this block."""
    cid = _chain(db, chain_id)
    row = _exec(
        db,
        sa.select(CURSOR.c.block_number, CURSOR.c.block_hash, CURSOR.c.block_timestamp).where(
            CURSOR.c.chain_id == cid
        ),
    ).first()
    if row is None:
        raise NotFound(f"chain {cid} is not mirrored")
    return BlockRef(
        chain_id=cid,
        number=int(row.block_number),
        hash=row.block_hash,
        timestamp=row.block_timestamp,
    )


def _now(as_of: BlockRef) -> int:
    """The cursor block's timestamp (time-derived states are judged at it)."""
    return as_of.timestamp or 0


def _latest(
    table: sa.Table, partition: Sequence[str], *where: Any, extra_order: Sequence[str] = ()
) -> sa.Subquery:
    """Latest row per `partition` (chain order) among rows matching `where`."""
    order = [table.c.block_number.desc(), table.c.log_index.desc()]
    order += [table.c[c].desc() for c in extra_order]
    rn = (
        sa.func.row_number()
        .over(partition_by=[table.c[c] for c in partition], order_by=order)
        .label("_rn")
    )
    inner = sa.select(table, rn).where(*where).subquery()
    return sa.select(inner).where(inner.c._rn == 1).subquery()


def _refs(db: Db, chain_id: int, rows: Iterable[Any]) -> dict[tuple[str, int], EventRef]:
    """EventRefs (tx hash, timestamp) for ledger rows, from their raw events."""
    keys = {(r.block_hash, int(r.log_index)): int(r.block_number) for r in rows}
    out: dict[tuple[str, int], EventRef] = {}
    if not keys:
        return out
    hashes = sorted({k[0] for k in keys})
    for i in range(0, len(hashes), 500):
        chunk = hashes[i : i + 500]
        for r in _exec(
            db,
            sa.select(
                RAW.c.block_hash, RAW.c.log_index, RAW.c.tx_hash, RAW.c.block_timestamp
            ).where(RAW.c.chain_id == chain_id, RAW.c.block_hash.in_(chunk)),
        ):
            key = (r.block_hash, int(r.log_index))
            if key in keys:
                out[key] = EventRef(
                    block_number=keys[key],
                    block_hash=r.block_hash,
                    log_index=key[1],
                    tx_hash=r.tx_hash,
                    timestamp=r.block_timestamp,
                )
    for key, number in keys.items():
        out.setdefault(key, EventRef(block_number=number, block_hash=key[0], log_index=key[1]))
    return out


def _events_of(
    db: Db, table: Any, chain_id: int, contract: str, action: str, key: str, page: list[Any]
) -> list[Any]:
    """The `action` rows of a ledger for the entities (by `key`) of one page, e.g. the event
    that created each loan or asset on it (its "since" reference)."""
    ids = [int(getattr(r, key)) for r in page]
    stmt = sa.select(table).where(
        table.c.chain_id == chain_id,
        table.c.contract == contract,
        table.c.action == action,
        table.c[key].in_(ids),
    )
    return list(_exec(db, stmt))


def _ref(refs: dict[tuple[str, int], EventRef], row: Any) -> EventRef:
    return refs[(row.block_hash, int(row.log_index))]


# -- cooperatives -----------------------------------------------------------------------------


def _coop_row(db: Db, chain_id: int, coop: str | int) -> Any:
    where = [COOP.c.chain_id == chain_id]
    if isinstance(coop, int):
        where.append(COOP.c.coop_id == coop)
    else:
        address = coop
        where.append(
            sa.or_(
                *(
                    COOP.c[c] == address
                    for c in (
                        "charter",
                        "membership",
                        "shares",
                        "treasury",
                        "documents",
                        "settlement_units",
                    )
                )
            )
        )
    row = _exec(db, sa.select(COOP).where(*where).order_by(COOP.c.block_number).limit(1)).first()
    if row is None:
        raise NotFound(f"no cooperative {coop!r} in the mirror of chain {chain_id}")
    return row


def _config(db: Db, chain_id: int, contract: str, action: str) -> Any:
    return _exec(
        db,
        sa.select(CONFIG)
        .where(
            CONFIG.c.chain_id == chain_id,
            CONFIG.c.contract == contract,
            CONFIG.c.action == action,
        )
        .order_by(CONFIG.c.block_number.desc(), CONFIG.c.log_index.desc())
        .limit(1),
    ).first()


def _auditors(db: Db, chain_id: int, charter: str) -> list[str]:
    """Accounts whose latest `AuditorChanged` appointed them."""
    latest = _latest(
        CONFIG,
        ("account",),
        CONFIG.c.chain_id == chain_id,
        CONFIG.c.contract == charter,
        CONFIG.c.action == "auditor",
    )
    rows = _exec(db, sa.select(latest.c.account).where(latest.c.number == 1))
    return sorted(r.account for r in rows)


def _coop_public(db: Db, chain_id: int, row: Any) -> CooperativePublic:
    chair = _config(db, chain_id, row.charter, "chair")
    executor = _config(db, chain_id, row.charter, "executor")
    document = _config(db, chain_id, row.charter, "charter_document")
    split = _config(db, chain_id, row.charter, "fund_split")
    refs = _refs(db, chain_id, [row])
    return CooperativePublic(
        chain_id=chain_id,
        network_registry=row.network_registry,
        coop_id=int(row.coop_id),
        charter=row.charter,
        kind=int(row.kind),
        kind_name=COOPERATIVE_KIND[row.kind] if row.kind < len(COOPERATIVE_KIND) else "?",
        name=row.name,
        charter_document=document.value if document is not None else row.charter_document,
        chair=chair.account if chair is not None else row.chair,
        decision_executor=executor.account if executor is not None else None,
        fund_split=[int(v) for v in split.value.split(",")] if split is not None else [],
        auditors=_auditors(db, chain_id, row.charter),
        membership=row.membership,
        shares=row.shares,
        treasury=row.treasury,
        documents=row.documents,
        settlement_units=row.settlement_units,
        registered=_ref(refs, row),
    )


def list_cooperatives(db: Db, chain_id: int | None = None) -> Page[CooperativePublic]:
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    rows = list(
        _exec(
            db,
            sa.select(COOP)
            .where(COOP.c.chain_id == cid)
            .order_by(COOP.c.block_number, COOP.c.log_index),
        )
    )
    data = [_coop_public(db, cid, r) for r in rows]
    return Page[CooperativePublic](data=data, count=len(data), as_of=as_of)


def get_cooperative(db: Db, coop: str | int, chain_id: int | None = None) -> CooperativePublic:
    cid = _chain(db, chain_id)
    return _coop_public(db, cid, _coop_row(db, cid, coop))


# -- members ----------------------------------------------------------------------------------


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


def _fields(row: Any, model: type[SQLModel]) -> dict[str, Any]:
    m = row._mapping
    return {k: m[k] for k in model.model_fields if k in m}


# -- shares and treasury ----------------------------------------------------------------------


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


# -- ВРЕ --------------------------------------------------------------------------------------


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


# -- documents --------------------------------------------------------------------------------


def _documents_public(db: Db, chain_id: int, rows: Sequence[Any]) -> list[DocumentPublic]:
    if not rows:
        return []
    hashes = [r.document for r in rows]
    contracts = {r.contract for r in rows}
    sigs = list(
        _exec(
            db,
            sa.select(SIG)
            .where(
                SIG.c.chain_id == chain_id,
                SIG.c.document.in_(hashes),
                SIG.c.contract.in_(contracts),
            )
            .order_by(SIG.c.block_number, SIG.c.log_index),
        )
    )
    replaced = {
        (r.contract, r.replaces): r.document
        for r in _exec(
            db,
            sa.select(DOC.c.contract, DOC.c.replaces, DOC.c.document).where(
                DOC.c.chain_id == chain_id, DOC.c.replaces.in_(hashes), _doc_current()
            ),
        )
    }
    refs = _refs(db, chain_id, [*rows, *sigs])
    by_doc: dict[tuple[str, str], list[SignaturePublic]] = {}
    for s in sigs:
        ref = _ref(refs, s)
        by_doc.setdefault((s.contract, s.document), []).append(
            SignaturePublic(
                signer=s.signer, submitter=s.submitter, signed_at=ref.timestamp, event=ref
            )
        )
    out = []
    for r in rows:
        ref = _ref(refs, r)
        out.append(
            DocumentPublic(
                **_fields(r, DocumentPublic),
                document_type_name=DOCUMENT_TYPE[r.document_type],
                anchored_at=ref.timestamp,
                event=ref,
                signatures=by_doc.get((r.contract, r.document), []),
                replaced_by=replaced.get((r.contract, r.document)),
            )
        )
    return out


def _doc_current() -> sa.ColumnElement[bool]:
    """A `doc_document` row not superseded by a later anchor of the same hash: an officer's
    official anchor takes over a hash first anchored as another type (`DocumentReclaimed`),
    and the registry then holds the later record only."""
    later = DOC.alias("later")
    return ~sa.exists().where(
        later.c.chain_id == DOC.c.chain_id,
        later.c.contract == DOC.c.contract,
        later.c.document == DOC.c.document,
        sa.or_(
            later.c.block_number > DOC.c.block_number,
            sa.and_(
                later.c.block_number == DOC.c.block_number, later.c.log_index > DOC.c.log_index
            ),
        ),
    )


def list_documents(
    db: Db,
    coop: str | int,
    document_type: int | str | None = None,
    offset: int = 0,
    limit: int = 100,
    chain_id: int | None = None,
) -> Page[DocumentPublic]:
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    where = [DOC.c.chain_id == cid, DOC.c.contract == c.documents, _doc_current()]
    if document_type is not None:
        code = (
            DOCUMENT_TYPE.index(document_type) if isinstance(document_type, str) else document_type
        )
        where.append(DOC.c.document_type == code)
    count = int(_exec(db, sa.select(sa.func.count()).select_from(DOC).where(*where)).scalar())
    rows = list(
        _exec(
            db,
            sa.select(DOC)
            .where(*where)
            .order_by(DOC.c.block_number, DOC.c.log_index)
            .offset(offset)
            .limit(limit),
        )
    )
    return Page[DocumentPublic](data=_documents_public(db, cid, rows), count=count, as_of=as_of)


def document(
    db: Db, document_hash: str, coop: str | int | None = None, chain_id: int | None = None
) -> DocumentPublic | None:
    """One anchored document: type, who anchored it when (block, time), its signers."""
    cid = _chain(db, chain_id)
    where = [DOC.c.chain_id == cid, DOC.c.document == document_hash.lower(), _doc_current()]
    if coop is not None:
        where.append(DOC.c.contract == _coop_row(db, cid, coop).documents)
    rows = list(_exec(db, sa.select(DOC).where(*where).order_by(DOC.c.block_number).limit(1)))
    found = _documents_public(db, cid, rows)
    return found[0] if found else None


# -- governance -------------------------------------------------------------------------------


def councils_of(db: Db, coop: str | int, chain_id: int | None = None) -> list[str]:
    """Council contracts of a cooperative: the charter's decision executors that are councils
    (they emitted council events), latest first."""
    cid = _chain(db, chain_id)
    c = _coop_row(db, cid, coop)
    executors = [
        r.account
        for r in _exec(
            db,
            sa.select(CONFIG.c.account)
            .where(
                CONFIG.c.chain_id == cid,
                CONFIG.c.contract == c.charter,
                CONFIG.c.action == "executor",
            )
            .order_by(CONFIG.c.block_number.desc(), CONFIG.c.log_index.desc()),
        )
    ]
    councils = {
        r[0]
        for r in _exec(
            db,
            sa.select(CONFIG.c.contract).where(
                CONFIG.c.chain_id == cid,
                CONFIG.c.action == "council_seated",
                CONFIG.c.contract.in_(executors),
            ),
        )
    }
    seen: list[str] = []
    for e in executors:
        if e in councils and e not in seen:
            seen.append(e)
    return seen


def _council_epoch(db: Db, chain_id: int, council: str) -> int:
    row = _config(db, chain_id, council, "council_seated")
    return int(row.number) if row is not None else 0


def _item_state(status: int, epoch: int, expires_at: int, current_epoch: int, now: int) -> int:
    """Council._state at time `now`."""
    if status == 1:
        return 6 if epoch != current_epoch or now >= expires_at else 1
    if status == 2:
        return 6 if now >= expires_at else 2
    return status


def council_items(
    db: Db,
    coop: str | int | None = None,
    council: str | None = None,
    offset: int = 0,
    limit: int = 100,
    chain_id: int | None = None,
) -> Page[CouncilItemPublic]:
    """Council items with their votes and state at the mirror's block (of the cooperative's
    councils, or of `council`)."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    if council is not None:
        councils = [council]
    elif coop is not None:
        councils = councils_of(db, coop, cid)
    else:
        raise ValueError("give a cooperative or a council address")
    sub = _latest(
        ITEM, ("contract", "item_id"), ITEM.c.chain_id == cid, ITEM.c.contract.in_(councils)
    )
    all_rows = list(_exec(db, sa.select(sub).order_by(sub.c.contract, sub.c.item_id)))
    rows = all_rows[offset : offset + limit]
    ids = [int(r.item_id) for r in rows]
    history = list(
        _exec(
            db,
            sa.select(ITEM)
            .where(
                ITEM.c.chain_id == cid,
                ITEM.c.contract.in_(councils),
                ITEM.c.item_id.in_(ids),
                ITEM.c.action.in_(("proposed", "vote")),
            )
            .order_by(ITEM.c.block_number, ITEM.c.log_index),
        )
    )
    refs = _refs(db, cid, [*rows, *history])
    epochs = {c: _council_epoch(db, cid, c) for c in councils}
    now = _now(as_of)
    data = []
    for r in rows:
        mine = [h for h in history if h.contract == r.contract and h.item_id == r.item_id]
        proposed = next((h for h in mine if h.action == "proposed"), r)
        state = _item_state(int(r.status), int(r.epoch), int(r.expires_at), epochs[r.contract], now)
        data.append(
            CouncilItemPublic(
                contract=r.contract,
                item_id=int(r.item_id),
                state=state,
                state_name=ITEM_STATE[state],
                epoch=int(r.epoch),
                expires_at=int(r.expires_at),
                for_votes=int(r.for_votes),
                against_votes=int(r.against_votes),
                abstain_votes=int(r.abstain_votes),
                document_hash=r.document_hash,
                protocol_hash=r.protocol_hash,
                proposer=proposed.actor if proposed is not r else None,
                targets=proposed.targets or [],
                calldatas=proposed.calldatas or [],
                votes=[
                    CouncilVotePublic(member=h.actor, support=int(h.support), event=_ref(refs, h))
                    for h in mine
                    if h.action == "vote"
                ],
                proposed=_ref(refs, proposed),
                last_event=_ref(refs, r),
            )
        )
    return Page[CouncilItemPublic](data=data, count=len(all_rows), as_of=as_of)


def meeting_contracts_of(db: Db, coop: str | int, chain_id: int | None = None) -> list[str]:
    """GeneralMeeting contracts of a cooperative: targets of its councils' items that convened
    meetings (no event names a cooperative's meeting contract otherwise)."""
    cid = _chain(db, chain_id)
    councils = councils_of(db, coop, cid)
    targets: set[str] = set()
    for r in _exec(
        db,
        sa.select(ITEM.c.targets).where(
            ITEM.c.chain_id == cid, ITEM.c.contract.in_(councils), ITEM.c.action == "proposed"
        ),
    ):
        targets.update(r.targets or [])
    if not targets:
        return []
    return sorted(
        r[0]
        for r in _exec(
            db,
            sa.select(MEETING.c.contract)
            .where(MEETING.c.chain_id == cid, MEETING.c.contract.in_(sorted(targets)))
            .distinct(),
        )
    )


def _meeting_state(status: int, opens_at: int, closes_at: int, now: int) -> int:
    """GeneralMeeting._state at time `now`."""
    if status == 1:
        if now < opens_at:
            return 1
        return 2 if now < closes_at else 3
    return status


def unpack_choices(packed: int, count: int) -> list[int]:
    return [(packed >> (2 * i)) & 3 for i in range(count)]


def meetings(
    db: Db,
    coop: str | int | None = None,
    meeting_contract: str | None = None,
    chain_id: int | None = None,
) -> Page[MeetingPublic]:
    """General meetings with agenda, ballots, tallies and state at the mirror's block."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    if meeting_contract is not None:
        contracts = [meeting_contract]
    elif coop is not None:
        contracts = meeting_contracts_of(db, coop, cid)
    else:
        raise ValueError("give a cooperative or a meeting contract")
    sub = _latest(
        MEETING,
        ("contract", "meeting_id"),
        MEETING.c.chain_id == cid,
        MEETING.c.contract.in_(contracts),
    )
    rows = list(_exec(db, sa.select(sub).order_by(sub.c.contract, sub.c.meeting_id)))
    questions = list(
        _exec(
            db,
            sa.select(QUESTION)
            .where(QUESTION.c.chain_id == cid, QUESTION.c.contract.in_(contracts))
            .order_by(QUESTION.c.meeting_id, QUESTION.c.question_index),
        )
    )
    ballots = list(
        _exec(
            db,
            sa.select(BALLOT)
            .where(BALLOT.c.chain_id == cid, BALLOT.c.contract.in_(contracts))
            .order_by(BALLOT.c.block_number, BALLOT.c.log_index),
        )
    )
    convened = list(
        _exec(
            db,
            sa.select(MEETING).where(
                MEETING.c.chain_id == cid,
                MEETING.c.contract.in_(contracts),
                MEETING.c.action == "convened",
            ),
        )
    )
    refs = _refs(db, cid, [*ballots, *convened])
    first = {(r.contract, int(r.meeting_id)): _ref(refs, r) for r in convened}
    previous = {(r.contract, int(r.meeting_id)): int(r.previous_meeting_id) for r in rows}
    agenda: dict[tuple[str, int], list[Any]] = {}
    for q in questions:
        agenda.setdefault((q.contract, int(q.meeting_id)), []).append(q)
    now = _now(as_of)
    data = []
    for r in rows:
        key = (r.contract, int(r.meeting_id))
        root = key
        while root not in agenda and previous.get(root):
            root = (root[0], previous[root])
        qs = agenda.get(root, [])
        cast = [b for b in ballots if (b.contract, int(b.meeting_id)) == key]
        counted = [b for b in cast if b.choices is not None]
        tallies = [[0, 0, 0] for _ in qs]
        for b in counted:
            for i, choice in enumerate(unpack_choices(int(b.choices), len(qs))):
                tallies[i][choice] += 1
        participants = r.participants if r.participants is not None else len(counted)
        state = _meeting_state(int(r.status), int(r.opens_at), int(r.closes_at), now)
        data.append(
            MeetingPublic(
                contract=r.contract,
                meeting_id=int(r.meeting_id),
                state=state,
                state_name=MEETING_STATE[state],
                previous_meeting_id=int(r.previous_meeting_id),
                attempt=int(r.attempt),
                opens_at=int(r.opens_at),
                closes_at=int(r.closes_at),
                record_block=int(r.record_block),
                quorum_bps=int(r.quorum_bps),
                secretary=r.secretary,
                chair=r.chair,
                participants=int(participants),
                eligible=int(r.eligible or 0),
                accepted_mask=int(r.accepted_mask),
                executed_mask=int(r.executed_mask),
                secretary_signed=bool(r.secretary_signed),
                chair_signed=bool(r.chair_signed),
                protocol_hash=r.protocol_hash,
                questions=[
                    QuestionPublic(
                        index=int(q.question_index),
                        document_hash=q.document_hash,
                        majority=int(q.majority),
                        targets=q.targets or [],
                        calldatas=q.calldatas or [],
                        against_votes=tallies[i][0],
                        for_votes=tallies[i][1],
                        abstain_votes=tallies[i][2],
                        accepted=bool(int(r.accepted_mask) >> i & 1),
                        executed=bool(int(r.executed_mask) >> i & 1),
                    )
                    for i, q in enumerate(qs)
                ],
                ballots=[
                    BallotPublic(
                        voter=b.voter,
                        choices=unpack_choices(int(b.choices), len(qs))
                        if b.choices is not None
                        else None,
                        by_signature=bool(b.by_signature),
                        rejected_reason=b.rejected_reason,
                        event=_ref(refs, b),
                    )
                    for b in cast
                ],
                convened=first[key],
            )
        )
    return Page[MeetingPublic](data=data, count=len(data), as_of=as_of)


# -- dashboard --------------------------------------------------------------------------------


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


__all__ = [
    "NotFound",
    "Page",
    "council_items",
    "councils_of",
    "current_block",
    "dashboard",
    "document",
    "fund_balances",
    "get_cooperative",
    "get_member",
    "list_applications",
    "list_clearings",
    "list_cooperatives",
    "list_documents",
    "list_members",
    "list_obligations",
    "list_transfers",
    "meeting_contracts_of",
    "meetings",
    "member_history",
    "open_obligations",
    "share_ledger",
    "treasury_movements",
]


# -- mutual-aid fund and property register ------------------------------------------------------
#
# A cooperative's fund and register are not announced by any event (they are watched as roots
# from the deployment record): these functions take the contract's address. `fund_contracts` and
# `property_registries` list the addresses whose events the mirror holds.


def fund_contracts(db: Db, chain_id: int | None = None) -> list[str]:
    """Every MutualAidFund with mirrored events."""
    cid = _chain(db, chain_id)
    found: set[str] = set()
    for table in (FUND_ENTRY, FUND_LOAN):
        found |= {
            r[0] for r in _exec(db, sa.select(table.c.contract).where(table.c.chain_id == cid))
        }
    return sorted(found)


def property_registries(db: Db, chain_id: int | None = None) -> list[str]:
    """Every PropertyRegistry with mirrored events."""
    cid = _chain(db, chain_id)
    return sorted(
        {r[0] for r in _exec(db, sa.select(ASSET.c.contract).where(ASSET.c.chain_id == cid))}
    )


def _rebinds(db: Db, chain_id: int, fund: str) -> dict[str, str]:
    """old address -> new address, from the key recoveries of `fund`."""
    rows = list(
        _exec(
            db,
            sa.select(FUND_ENTRY.c.block_hash, FUND_ENTRY.c.log_index, FUND_ENTRY.c.account)
            .add_columns(FUND_ENTRY.c.action)
            .where(
                FUND_ENTRY.c.chain_id == chain_id,
                FUND_ENTRY.c.contract == fund,
                FUND_ENTRY.c.action.in_(("rebound_from", "rebound_to")),
            ),
        )
    )
    new = {(r.block_hash, r.log_index): r.account for r in rows if r.action == "rebound_to"}
    return {
        r.account: new[(r.block_hash, r.log_index)]
        for r in rows
        if r.action == "rebound_from" and (r.block_hash, r.log_index) in new
    }


def _current_address(rebinds: dict[str, str], account: str) -> str:
    seen = {account}
    while account in rebinds and rebinds[account] not in seen:
        account = rebinds[account]
        seen.add(account)
    return account


def _pool_row(db: Db, chain_id: int, fund: str) -> Any:
    found = []
    for table in (FUND_ENTRY, FUND_LOAN):
        row = _exec(
            db,
            sa.select(
                table.c.block_number,
                table.c.log_index,
                table.c.pool_cash,
                table.c.pool_lent,
                table.c.pool_units,
            )
            .where(table.c.chain_id == chain_id, table.c.contract == fund)
            .order_by(table.c.block_number.desc(), table.c.log_index.desc())
            .limit(1),
        ).first()
        if row is not None:
            found.append(row)
    if not found:
        raise NotFound(f"no mutual-aid fund events of {fund} in the mirror")
    return max(found, key=lambda r: (int(r.block_number), int(r.log_index)))


def fund_positions(db: Db, fund: str, chain_id: int | None = None) -> FundPositionsPublic:
    """The pool (`pool()`: cash, lent, total units) and every member with units or history in
    the fund: units (`positionOf.units`), balance at the book value (`balanceOf` when no loan is
    marked down) and net contributions."""
    from indexer.projections.fund import value_of

    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    try:
        pool = _pool_row(db, cid, fund)
    except NotFound:  # a fund nobody has contributed to yet: an empty pool
        return FundPositionsPublic(
            contract=fund, cash=0, lent=0, total_units=0, positions=[], as_of=as_of
        )
    cash, lent, total = int(pool.pool_cash), int(pool.pool_lent), int(pool.pool_units)
    sub = _latest(
        FUND_ENTRY, ("account",), FUND_ENTRY.c.chain_id == cid, FUND_ENTRY.c.contract == fund
    )
    rows = list(_exec(db, sa.select(sub).order_by(sub.c.account)))
    refs = _refs(db, cid, rows)
    positions = [
        FundPositionPublic(
            contract=fund,
            account=r.account,
            units=int(r.units_after),
            balance=value_of(int(r.units_after), cash, lent, total),
            contributed=int(r.contributed_after),
            last_event=_ref(refs, r),
        )
        for r in rows
    ]
    return FundPositionsPublic(
        contract=fund, cash=cash, lent=lent, total_units=total, positions=positions, as_of=as_of
    )


_ACTIVE_LOAN, _APPROVED_LOAN, _DEFAULTED_LOAN = 3, 2, 4


def _loan_state(status: int) -> int:
    """Stored `LoanStatus` -> `LoanState` (the mirror does not derive `Overdue`)."""
    return status if status <= _ACTIVE_LOAN else status + 1


def _outstanding(status: int, principal: int, interest: int, repaid: int) -> int:
    """`outstanding(id)`."""
    if status in (_ACTIVE_LOAN, _DEFAULTED_LOAN):
        return principal + interest - repaid
    return principal + interest if status == _APPROVED_LOAN else 0


def _loan_status_codes(state: int) -> list[int]:
    """Stored `LoanStatus` values whose `LoanState` is `state` (inverse of `_loan_state`)."""
    if state <= _ACTIVE_LOAN:
        return [state]
    if state == _ACTIVE_LOAN + 1:  # Overdue: derived from time, never stored
        return []
    return [state - 1]


def _loan_public(
    fund: str,
    r: Any,
    rebinds: dict[str, str],
    refs: dict[tuple[str, int], EventRef],
    first: dict[int, EventRef],
) -> LoanPublic:
    st, principal, interest, repaid = (
        int(r.status),
        int(r.principal),
        int(r.interest),
        int(r.repaid),
    )
    guarantees = [
        GuaranteePublic(
            guarantor=_current_address(rebinds, g),
            amount=int(p),
            accepted=bool(int(r.accepted_mask) >> i & 1),
        )
        for i, (g, p) in enumerate(zip(r.guarantors or [], r.pledges or [], strict=True))
    ]
    return LoanPublic(
        contract=fund,
        loan_id=int(r.loan_id),
        status=st,
        state=_loan_state(st),
        state_name=LOAN_STATE[_loan_state(st)],
        borrower=_current_address(rebinds, r.borrower),
        principal=principal,
        interest=interest,
        repaid=repaid,
        outstanding=_outstanding(st, principal, interest, repaid),
        term=int(r.term),
        instalments=int(r.instalments),
        custom_schedule=bool(r.custom_schedule),
        disbursed_at=int(r.disbursed_at),
        purpose=r.purpose,
        guarantees=guarantees,
        accepted_mask=int(r.accepted_mask),
        requested=first.get(int(r.loan_id), _ref(refs, r)),
        last_event=_ref(refs, r),
    )


def list_loans(
    db: Db,
    fund: str,
    borrower: str | None = None,
    status: int | str | None = None,
    offset: int = 0,
    limit: int = 100,
    chain_id: int | None = None,
    *,
    loan_id: int | None = None,
) -> Page[LoanPublic]:
    """Loans of a fund as `loan(id)` answers (state without `Overdue`, which depends on time
    and the schedule), with `outstanding(id)` and the guarantees. `status` filters on the
    `LoanState` (number or name: "requested", "active", ...); `borrower` on the current address
    (after key recoveries). Filtered, counted and paged in SQL: only the page is loaded."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    rebinds = _rebinds(db, cid, fund)
    where: list[Any] = [FUND_LOAN.c.chain_id == cid, FUND_LOAN.c.contract == fund]
    if loan_id is not None:
        where.append(FUND_LOAN.c.loan_id == loan_id)
    sub = _latest(FUND_LOAN, ("loan_id",), *where)
    conditions: list[Any] = []
    if status is not None:
        code = LOAN_STATE.index(status) if isinstance(status, str) else int(status)
        conditions.append(sub.c.status.in_(_loan_status_codes(code)))
    if borrower is not None:
        # Every stored address whose current address (after recoveries) is `borrower`.
        stored = {a for a in {borrower, *rebinds} if _current_address(rebinds, a) == borrower}
        conditions.append(sub.c.borrower.in_(sorted(stored)))
    total = int(
        _exec(db, sa.select(sa.func.count()).select_from(sub).where(*conditions)).scalar_one()
    )
    page = list(
        _exec(
            db,
            sa.select(sub).where(*conditions).order_by(sub.c.loan_id).offset(offset).limit(limit),
        )
    )
    requested = _events_of(db, FUND_LOAN, cid, fund, "requested", "loan_id", page)
    refs = _refs(db, cid, [*page, *requested])
    first = {int(r.loan_id): _ref(refs, r) for r in requested}
    data = [_loan_public(fund, r, rebinds, refs, first) for r in page]
    return Page[LoanPublic](data=data, count=total, as_of=as_of)


def get_loan(db: Db, fund: str, loan_id: int, chain_id: int | None = None) -> LoanPublic | None:
    """One loan as `list_loans` describes it (None when the mirror has no such loan)."""
    page = list_loans(db, fund, loan_id=loan_id, limit=1, chain_id=chain_id)
    return page.data[0] if page.data else None


class LoanEventPublic(BaseModel):
    """One event of a loan's life (request, guarantee, approval, disbursement, repayment...)."""

    loan_id: int
    action: str
    actor: str | None
    amount: int
    status: int
    """Stored `LoanStatus` after the event."""
    state_name: str
    repaid: int
    """Total repaid after the event."""
    decision: str | None
    event: EventRef


def loan_history(
    db: Db, fund: str, loan_id: int, chain_id: int | None = None
) -> Page[LoanEventPublic]:
    """Every event of one loan, oldest first."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    rebinds = _rebinds(db, cid, fund)
    rows = list(
        _exec(
            db,
            sa.select(FUND_LOAN)
            .where(
                FUND_LOAN.c.chain_id == cid,
                FUND_LOAN.c.contract == fund,
                FUND_LOAN.c.loan_id == loan_id,
            )
            .order_by(FUND_LOAN.c.block_number, FUND_LOAN.c.log_index),
        )
    )
    refs = _refs(db, cid, rows)
    data = [
        LoanEventPublic(
            loan_id=int(r.loan_id),
            action=r.action,
            actor=_current_address(rebinds, r.actor) if r.actor else None,
            amount=int(r.amount),
            status=int(r.status),
            state_name=LOAN_STATE[_loan_state(int(r.status))],
            repaid=int(r.repaid),
            decision=r.decision,
            event=_ref(refs, r),
        )
        for r in rows
    ]
    return Page[LoanEventPublic](data=data, count=len(data), as_of=as_of)


def _asset_public(
    registry: str, r: Any, refs: dict[tuple[str, int], EventRef], first: dict[int, EventRef]
) -> AssetPublic:
    return AssetPublic(
        contract=registry,
        token_id=int(r.token_id),
        exists=not r.disposed,
        category=int(r.category),
        category_name=ASSET_CATEGORY[int(r.category)],
        custodian=r.custodian,
        valuation=int(r.valuation),
        title=r.title,
        metadata_hash=r.metadata_hash,
        acquired_at=int(r.acquired_at),
        valued_at=int(r.valued_at),
        encumbered=bool(r.encumbered),
        pledgee=r.pledgee,
        pledge_amount=int(r.pledge_amount),
        pledge_document=r.pledge_document,
        disposal_kind=r.disposal_kind,
        counterparty=r.counterparty,
        disposal_amount=int(r.disposal_amount) if r.disposal_amount is not None else None,
        minted=first.get(int(r.token_id), _ref(refs, r)),
        last_event=_ref(refs, r),
    )


def list_assets(
    db: Db,
    registry: str,
    include_disposed: bool = True,
    custodian: str | None = None,
    category: int | str | None = None,
    offset: int = 0,
    limit: int = 100,
    chain_id: int | None = None,
    *,
    token_id: int | None = None,
    encumbered: bool | None = None,
) -> Page[AssetPublic]:
    """Assets of a property register as `asset(id)` answers, with `exists(id)` and, for a
    disposed asset, how it left the register. Filtered, counted and paged in SQL."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    where: list[Any] = [ASSET.c.chain_id == cid, ASSET.c.contract == registry]
    if token_id is not None:
        where.append(ASSET.c.token_id == token_id)
    sub = _latest(ASSET, ("token_id",), *where)
    conditions: list[Any] = []
    if not include_disposed:
        conditions.append(sub.c.disposed.is_(False))
    if custodian is not None:
        conditions.append(sub.c.custodian == custodian)
    if category is not None:
        code = ASSET_CATEGORY.index(category) if isinstance(category, str) else category
        conditions.append(sub.c.category == code)
    if encumbered is not None:
        conditions.append(sub.c.encumbered.is_(encumbered))
    total = int(
        _exec(db, sa.select(sa.func.count()).select_from(sub).where(*conditions)).scalar_one()
    )
    page = list(
        _exec(
            db,
            sa.select(sub).where(*conditions).order_by(sub.c.token_id).offset(offset).limit(limit),
        )
    )
    minted = _events_of(db, ASSET, cid, registry, "minted", "token_id", page)
    refs = _refs(db, cid, [*page, *minted])
    first = {int(r.token_id): _ref(refs, r) for r in minted}
    data = [_asset_public(registry, r, refs, first) for r in page]
    return Page[AssetPublic](data=data, count=total, as_of=as_of)


def get_asset(
    db: Db, registry: str, token_id: int, chain_id: int | None = None
) -> AssetPublic | None:
    """One asset as `list_assets` describes it (None when the mirror has no such asset)."""
    page = list_assets(db, registry, token_id=token_id, limit=1, chain_id=chain_id)
    return page.data[0] if page.data else None


class AssetEventPublic(BaseModel):
    """One event of an asset's life: registration, revaluation, custodian change, pledge,
    release, disposal; with the record after it."""

    token_id: int
    action: str
    decision: str | None
    custodian: str
    valuation: int
    encumbered: bool
    disposed: bool
    event: EventRef


def asset_history(
    db: Db, registry: str, token_id: int, chain_id: int | None = None
) -> Page[AssetEventPublic]:
    """Every event of one asset, oldest first."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    rows = list(
        _exec(
            db,
            sa.select(ASSET)
            .where(
                ASSET.c.chain_id == cid,
                ASSET.c.contract == registry,
                ASSET.c.token_id == token_id,
            )
            .order_by(ASSET.c.block_number, ASSET.c.log_index),
        )
    )
    refs = _refs(db, cid, rows)
    data = [
        AssetEventPublic(
            token_id=int(r.token_id),
            action=r.action,
            decision=r.decision,
            custodian=r.custodian,
            valuation=int(r.valuation),
            encumbered=bool(r.encumbered),
            disposed=bool(r.disposed),
            event=_ref(refs, r),
        )
        for r in rows
    ]
    return Page[AssetEventPublic](data=data, count=len(data), as_of=as_of)


# -- history: what each clearing cleared for a member, members and shares over time ----------


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
