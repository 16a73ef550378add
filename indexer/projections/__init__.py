"""Projections: typed tables derived from raw events, undone generically on reorgs.

The design (see docs/indexer.md): a projection writes *append-only ledger rows*, one or more
per event, each carrying the raw event's key (chain_id, block_hash, log_index) and its
`block_number`. Undoing a reorg back to block A is then the same for every projection: delete
its ledger rows with block_number > A (the foreign key to the raw event cascades too). "Current
state" (a member's status, a balance) is a query or view over the ledger, never a mutable row
that an undo would have to reconstruct. A projection that really needs a mutable table
overrides `revert_above` and recomputes it from its ledger.

Usage::

    @projection("Pinged", tables=(PingNote,))
    def ping_note(ctx: ProjectionContext, event: Event) -> None:
        ctx.add(PingNote, chain_id=event.chain_id, ...)

Projections run inside the indexer's transaction, in (block, tx index, log index) order,
after the raw rows of the batch are inserted, so a crash never separates them from the cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

from indexer.db import insert_ignoring_duplicates


@dataclass(frozen=True, slots=True)
class Event:
    """One decoded log as projections see it (args exactly as stored in idx_raw_event)."""

    chain_id: int
    block_number: int
    block_hash: str
    tx_hash: str
    tx_index: int
    log_index: int
    address: str
    name: str
    signature: str
    args: dict[str, Any]

    def key(self) -> dict[str, Any]:
        """The raw event's natural key, for a ledger row's foreign key."""
        return {
            "chain_id": self.chain_id,
            "block_hash": self.block_hash,
            "log_index": self.log_index,
        }

    def int(self, name: str) -> int:
        """An integer argument (stored as a decimal string) as a Python int."""
        return int(self.args[name])


class ProjectionContext:
    """What a projection writes through during one batch.

    `add` buffers rows and inserts them in bulk (ON CONFLICT DO NOTHING, so a replayed batch is
    harmless); `session` first flushes the buffer so that reads see earlier events of the batch.
    """

    def __init__(self, conn: Connection, chain_id: int, *, fresh: bool = False) -> None:
        self.conn = conn
        self.chain_id = chain_id
        #: Nothing is mirrored from the batch's first block on (see `insert_ignoring_duplicates`).
        self.fresh = fresh
        self._pending: dict[sa.Table, list[dict[str, Any]]] = {}
        self._session: Session | None = None

    def add(self, model: type[SQLModel], **values: Any) -> None:
        table: sa.Table = model.__table__  # type: ignore[attr-defined]
        self._pending.setdefault(table, []).append(values)

    def flush(self) -> None:
        for table, rows in self._pending.items():
            insert_ignoring_duplicates(self.conn, table, rows, fresh=self.fresh)
        self._pending.clear()
        # Rows of a later flush of this batch could repeat a key flushed now: only the first
        # flush may skip the conflict check.
        self.fresh = False
        if self._session is not None:
            self._session.flush()

    @property
    def session(self) -> Session:
        """A SQLModel session inside the indexer's transaction (it never commits by itself)."""
        self.flush()
        if self._session is None:
            self._session = Session(bind=self.conn, join_transaction_mode="create_savepoint")
        return self._session

    def close(self) -> None:
        self.flush()
        if self._session is not None:
            self._session.close()
            self._session = None


class Projection:
    """Base class: subscribe to event names (or full signatures) and write ledger rows."""

    name: str = "projection"
    events: frozenset[str] = frozenset()
    tables: tuple[type[SQLModel], ...] = ()
    """Ledger tables with chain_id and block_number columns: undone by `revert_above`."""

    def apply(self, ctx: ProjectionContext, event: Event) -> None:
        raise NotImplementedError

    def prepare(self, ctx: ProjectionContext, events: list[Event]) -> None:
        """Before a batch's `events` for this projection are applied: load in bulk what they
        will look up (`_domain.prefetch_latest`). The default does nothing."""

    def revert_above(self, conn: Connection, chain_id: int, block_number: int) -> None:
        """Undo everything this projection derived from blocks above `block_number`."""
        for model in self.tables:
            table: sa.Table = model.__table__  # type: ignore[attr-defined]
            conn.execute(
                sa.delete(table).where(
                    table.c.chain_id == chain_id, table.c.block_number > block_number
                )
            )


class FunctionProjection(Projection):
    def __init__(
        self,
        fn: Callable[[ProjectionContext, Event], None],
        events: Iterable[str],
        tables: tuple[type[SQLModel], ...],
        name: str | None = None,
        prepare: Callable[[ProjectionContext, list[Event]], None] | None = None,
    ) -> None:
        self.fn = fn
        self.prepare_fn = prepare
        self.events = frozenset(events)
        self.tables = tables
        self.name = name or fn.__name__

    def apply(self, ctx: ProjectionContext, event: Event) -> None:
        self.fn(ctx, event)

    def prepare(self, ctx: ProjectionContext, events: list[Event]) -> None:
        if self.prepare_fn is not None:
            self.prepare_fn(ctx, events)


_REGISTRY: dict[str, Projection] = {}


def register(proj: Projection) -> Projection:
    """Add a projection to the default set (by name: re-registering replaces)."""
    _REGISTRY[proj.name] = proj
    return proj


def projection(
    *events: str,
    tables: tuple[type[SQLModel], ...] = (),
    name: str | None = None,
    prepare: Callable[[ProjectionContext, list[Event]], None] | None = None,
) -> Callable[
    [Callable[[ProjectionContext, Event], None]], Callable[[ProjectionContext, Event], None]
]:
    """Decorator: register `fn(ctx, event)` for events named (or signed) like `events`
    (`prepare(ctx, events)`, if given, runs first on each batch's events for it)."""

    def wrap(
        fn: Callable[[ProjectionContext, Event], None],
    ) -> Callable[[ProjectionContext, Event], None]:
        register(FunctionProjection(fn, events, tables, name, prepare))
        return fn

    return wrap


def default_projections() -> list[Projection]:
    """Every projection shipped with the node (importing their modules registers them)."""
    from indexer.projections import (  # noqa: F401 - register on import
        branches,
        documents,
        fund,
        governance,
        labour,
        members,
        ping,
        programs,
        property,
        registry,
        shares,
        treasury,
        units,
    )

    return list(_REGISTRY.values())


def prepare_all(ctx: ProjectionContext, calls: list[tuple[Event, list[Projection]]]) -> None:
    """Run each projection's `prepare` on its events of the batch (before any is applied)."""
    per: dict[Projection, list[Event]] = {}
    for event, targets in calls:
        for proj in targets:
            per.setdefault(proj, []).append(event)
    for proj, events in per.items():
        proj.prepare(ctx, events)


class Dispatcher:
    """Routes each event to the projections subscribed to its name or signature."""

    def __init__(self, projections: Iterable[Projection]) -> None:
        self.projections = list(projections)
        self._routes: dict[str, list[Projection]] = {}
        self._wanted: dict[tuple[str, str], list[Projection]] = {}
        for proj in self.projections:
            for key in proj.events:
                self._routes.setdefault(key, []).append(proj)

    def wants(self, name: str, signature: str) -> list[Projection]:
        key = (name, signature)
        found = self._wanted.get(key)
        if found is None:
            by_name = self._routes.get(name, [])
            by_sig = self._routes.get(signature, [])
            found = by_name + [p for p in by_sig if p not in by_name] if by_sig else by_name
            self._wanted[key] = found
        return found

    def tables(self) -> list[sa.Table]:
        seen: list[sa.Table] = []
        for proj in self.projections:
            for model in proj.tables:
                table: sa.Table = model.__table__  # type: ignore[attr-defined]
                if table not in seen:
                    seen.append(table)
        return seen
