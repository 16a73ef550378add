"""What every domain's queries share: the session type, the `Page` answer, `NotFound`, the
cursor (`current_block`), the tables, and the helpers that read the latest ledger row per entity
and the event references of rows.

The helpers with a leading underscore are the package's own: the domain modules use them, the
gateway never does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

from indexer.models import (
    AssetEvent,
    Ballot,
    BlockRef,
    Clearing,
    ConfigEvent,
    Cooperative,
    CouncilItemEvent,
    Cursor,
    Document,
    EventRef,
    FundEntry,
    FundLoanEvent,
    LabourEvent,
    MeetingEvent,
    MemberEvent,
    ObligationEvent,
    ProxyEvent,
    Question,
    RawEvent,
    ShareEntry,
    Signature,
    TreasuryMovement,
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
PROXY = ProxyEvent.__table__  # type: ignore[attr-defined]
FUND_ENTRY = FundEntry.__table__  # type: ignore[attr-defined]
FUND_LOAN = FundLoanEvent.__table__  # type: ignore[attr-defined]
ASSET = AssetEvent.__table__  # type: ignore[attr-defined]
LABOUR = LabourEvent.__table__  # type: ignore[attr-defined]


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


def _fields(row: Any, model: type[SQLModel]) -> dict[str, Any]:
    m = row._mapping
    return {k: m[k] for k in model.model_fields if k in m}


class Touched(BaseModel):
    """What the events of some contracts in a range of blocks name (see `touched`)."""

    emitters: set[str]
    """Which of the contracts emitted at least one event."""
    addresses: set[str]
    """Every address argument of those events (checksummed as stored)."""


def touched(
    db: Db, after: int, upto: int, contracts: Iterable[str], chain_id: int | None = None
) -> Touched:
    """The events `contracts` emitted in blocks `after + 1 .. upto`: who emitted, whom they
    name. A cache of per-address facts read from the chain (the gateway's roles) drops what
    these events may have changed once the mirror has passed them."""
    cid = _chain(db, chain_id)
    wanted = list(contracts)
    emitters: set[str] = set()
    addresses: set[str] = set()
    if not wanted or upto <= after:
        return Touched(emitters=emitters, addresses=addresses)
    t = RawEvent.__table__  # type: ignore[attr-defined]
    stmt = sa.select(t.c.address, t.c.args).where(
        t.c.chain_id == cid,
        t.c.block_number > after,
        t.c.block_number <= upto,
        t.c.address.in_(wanted),
    )
    for row in _exec(db, stmt):
        emitters.add(str(row.address))
        for value in (row.args or {}).values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and len(item) == 42 and item.startswith("0x"):
                    addresses.add(item)
    return Touched(emitters=emitters, addresses=addresses)
