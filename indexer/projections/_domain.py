"""Helpers shared by the domain projections: complete rows, per-batch state, lookups.

A domain ledger row describing an entity (a member, a holding, an obligation) carries the
entity's state *after* its event, so the current state is simply the latest row. To write that
state a projection needs the state before the event: it keeps it in a per-batch cache (one
`ProjectionContext` = one indexer step) and, on a miss, reads the latest committed row. Every
write of a keyed row goes through the cache, so rows buffered but not yet inserted are never
needed from the database, and nothing flushes the bulk insert buffer early. The cache dies with
the batch, so a reorg undo (which runs between batches) can never leave it stale.

At scale one SELECT per missed key dominates a backfill (nearly every event of a fresh member
misses), so a projection may `prefetch_latest` before its events are applied (its `prepare`
hook): one query loads the latest committed rows of every key the step touches, and `latest`
answers those keys from memory, None for a key without a row. The answer is the same the SELECT
would give, since a key's rows of the current step go through the cache and are never read
back, and the prefetched rows die with the batch like the rest of it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import SQLModel

from indexer.models import Cooperative, RawEvent
from indexer.projections import Event, ProjectionContext

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
ZERO_HASH = "0x" + "00" * 32

RAW = RawEvent.__table__  # type: ignore[attr-defined]
COOP = Cooperative.__table__  # type: ignore[attr-defined]

#: Module roles of a cooperative's contract set (columns of `coop_cooperative`).
ROLES = ("charter", "membership", "shares", "treasury", "documents", "settlement_units")

_batches: weakref.WeakKeyDictionary[ProjectionContext, dict[Hashable, Any]] = (
    weakref.WeakKeyDictionary()
)
_columns: dict[sa.Table, tuple[str, ...]] = {}

T = TypeVar("T")


def table_of(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table


def add(ctx: ProjectionContext, model: type[SQLModel], event: Event, **values: Any) -> None:
    """Buffer one ledger row of `event`: the raw event's key and block, then `values`; every
    other column is None (bulk inserts need the same keys in every row of a table)."""
    table = table_of(model)
    cols = _columns.get(table)
    if cols is None:
        cols = _columns[table] = tuple(c.name for c in table.c)
    row = dict.fromkeys(cols)
    row.update(
        chain_id=event.chain_id,
        block_hash=event.block_hash,
        log_index=event.log_index,
        block_number=event.block_number,
    )
    row.update(values)
    ctx.add(model, **row)


def batch(ctx: ProjectionContext) -> dict[Hashable, Any]:
    """State cache of the current indexer step."""
    state = _batches.get(ctx)
    if state is None:
        state = _batches[ctx] = {}
    return state


def cached(ctx: ProjectionContext, key: Hashable, load: Callable[[], T]) -> T:
    """The batch's value for `key`, loading it (from committed rows) on a miss."""
    state = batch(ctx)
    if key not in state:
        state[key] = load()
    value: T = state[key]
    return value


def store(ctx: ProjectionContext, key: Hashable, value: Any) -> None:
    batch(ctx)[key] = value


_CHUNK = 500


def _prefetch_key(
    table: sa.Table, order_extra: tuple[str, ...], column: str, where: dict[str, Any]
) -> Hashable:
    return ("latest", table.name, order_extra, column, frozenset(where.items()))


def prefetch_latest(
    ctx: ProjectionContext,
    model: type[SQLModel],
    column: str,
    values: Iterable[Any],
    order_extra: tuple[str, ...] = (),
    **where: Any,
) -> None:
    """Load the latest committed row of `model` matching `where` for every value of `column` in
    `values`, in one query (per 500 values), so that `latest(ctx, model, order_extra,
    **where, column=value)` answers from memory during this batch (None where there is none)."""
    table = table_of(model)
    key = _prefetch_key(table, order_extra, column, where)
    known: dict[Any, dict[str, Any] | None] = batch(ctx).setdefault(key, {})
    wanted = [v for v in dict.fromkeys(values) if v not in known]
    conds = [table.c.chain_id == ctx.chain_id] + [table.c[k] == v for k, v in where.items()]
    order = [table.c.block_number.desc(), table.c.log_index.desc()]
    order += [table.c[c].desc() for c in order_extra]
    rank = sa.func.row_number().over(partition_by=table.c[column], order_by=order)
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        ranked = (
            sa.select(table, rank.label("prefetch_rank"))
            .where(*conds, table.c[column].in_(chunk))
            .subquery()
        )
        found: dict[Any, dict[str, Any] | None] = dict.fromkeys(chunk)
        for row in ctx.conn.execute(sa.select(ranked).where(ranked.c.prefetch_rank == 1)):
            values_of = dict(row._mapping)
            del values_of["prefetch_rank"]
            found[values_of[column]] = values_of
        known.update(found)


def latest(
    ctx: ProjectionContext, model: type[SQLModel], order_extra: tuple[str, ...] = (), **where: Any
) -> dict[str, Any] | None:
    """The latest committed row of `model` matching `where` (chain order)."""
    table = table_of(model)
    state = batch(ctx)
    for column, value in where.items():
        rest = {k: v for k, v in where.items() if k != column}
        known = state.get(_prefetch_key(table, order_extra, column, rest))
        if known is not None and value in known:
            row = known[value]
            return dict(row) if row is not None else None
    conds = [table.c.chain_id == ctx.chain_id] + [table.c[k] == v for k, v in where.items()]
    order = [table.c.block_number.desc(), table.c.log_index.desc()]
    order += [table.c[c].desc() for c in order_extra]
    row = ctx.conn.execute(sa.select(table).where(*conds).order_by(*order).limit(1)).first()
    return dict(row._mapping) if row is not None else None


def block_time(ctx: ProjectionContext, event: Event) -> int:
    """Unix seconds of the event's block (from its raw row, inserted earlier in the step)."""

    def load() -> int:
        value = ctx.conn.execute(
            sa.select(RAW.c.block_timestamp)
            .where(RAW.c.chain_id == ctx.chain_id, RAW.c.block_hash == event.block_hash)
            .where(RAW.c.block_timestamp.is_not(None))
            .limit(1)
        ).scalar()
        return int(value or 0)

    return cached(ctx, ("block_time", event.block_hash), load)


def register_cooperative(ctx: ProjectionContext, row: dict[str, Any]) -> None:
    """Make a cooperative registered in this batch known to lookups of the same batch."""
    for role in ROLES:
        store(ctx, ("coop_by", role, row[role]), row)


def cooperative_by(ctx: ProjectionContext, role: str, address: str) -> dict[str, Any] | None:
    """The registered cooperative whose `role` contract is `address` (None if none)."""

    def load() -> dict[str, Any] | None:
        found = ctx.conn.execute(
            sa.select(COOP).where(COOP.c.chain_id == ctx.chain_id, COOP.c[role] == address).limit(1)
        ).first()
        return dict(found._mapping) if found is not None else None

    # A miss is cached too: a registration later in the batch overwrites it
    # (`register_cooperative`).
    found: dict[str, Any] | bool = cached(ctx, ("coop_by", role, address), lambda: load() or False)
    return found if isinstance(found, dict) else None


def is_module(ctx: ProjectionContext, role: str, address: str) -> bool:
    return cooperative_by(ctx, role, address) is not None


def hex32(value: Any) -> str:
    return str(value) if value else ZERO_HASH
