"""Refill projections from the raw events already in the mirror, without reading the chain.

A projection added by an upgrade (or changed) starts empty for the past: the indexer runs
projections when a step commits, and the steps of the past are done. `replay` deletes the
projections' ledger rows and applies the stored `idx_raw_event` rows to them again, in chain
order, through the same `ProjectionContext` the indexer uses; no RPC is made, so a replay of
a large mirror takes seconds where a re-index from block 0 takes the chain's whole history.

It runs in ONE transaction per chain: a crash or an error leaves the projections as they
were, and the cursor row is locked for its duration, so an indexer step committing meanwhile
waits for it. Stop the node (`coop run` / `coop index`) first all the same: an indexer step
that has already applied its projections before the replay deletes them would be undone by
it and then re-applied, which is harmless, but the replay's own batches would wait on that
indexer's locks.

    coop index --replay                       # every projection
    coop index --replay --projection units.transfer --projection ping_note
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from indexer.db import analyze_while_young, make_engine, migrate
from indexer.models import Cursor, RawEvent
from indexer.projections import (
    Dispatcher,
    Event,
    Projection,
    ProjectionContext,
    default_projections,
    prepare_all,
)

log = logging.getLogger("coop.indexer.replay")

RAW = RawEvent.__table__  # type: ignore[attr-defined]
CURSOR = Cursor.__table__  # type: ignore[attr-defined]


class ReplayError(ValueError):
    """Bad replay request (an unknown projection name); nothing was changed."""


@dataclass
class ReplayReport:
    """What a replay did, per chain."""

    projections: list[str]
    chains: dict[int, int] = field(default_factory=dict)
    """chain id -> raw events read."""
    applied: int = 0
    """Raw events at least one replayed projection subscribes to."""
    seconds: float = 0.0


def select_projections(names: Iterable[str] = ()) -> list[Projection]:
    """The default projections, or those named (by `Projection.name`)."""
    every = default_projections()
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return every
    by_name = {p.name: p for p in every}
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise ReplayError(
            f"unknown projection(s) {', '.join(unknown)}; known: {', '.join(sorted(by_name))}"
        )
    return [by_name[n] for n in wanted]


def replay(
    database: str | Engine,
    projections: Sequence[Projection] | None = None,
    *,
    batch_rows: int = 10_000,
) -> ReplayReport:
    """Delete the projections' rows and rebuild them from the stored raw events.

    `projections`: those to rebuild (default: every projection shipped with the node). The
    raw events are read in pages of `batch_rows` in chain order; each page is one projection
    batch (its state cache dies with it, as with an indexer step), and all of them share one
    transaction per chain.
    """
    if batch_rows < 1:
        raise ReplayError("batch_rows must be at least 1")
    engine = make_engine(database) if isinstance(database, str) else database
    chosen = list(default_projections() if projections is None else projections)
    report = ReplayReport(projections=[p.name for p in chosen])
    started = time.monotonic()
    try:
        migrate(engine)
        with engine.connect() as conn:
            chains = [int(c) for c in conn.execute(sa.select(CURSOR.c.chain_id)).scalars()]
        for chain_id in chains:
            with engine.begin() as conn:
                read, applied = _replay_chain(conn, chain_id, chosen, batch_rows)
            report.chains[chain_id] = read
            report.applied += applied
            log.info(
                "replayed %d raw events of chain %d into %s", read, chain_id, report.projections
            )
    finally:
        if isinstance(database, str):
            engine.dispose()
    report.seconds = time.monotonic() - started
    return report


def _replay_chain(
    conn: Connection, chain_id: int, projections: list[Projection], batch_rows: int
) -> tuple[int, int]:
    # Take the cursor row's lock first: an indexer committing a step for this chain waits.
    conn.execute(
        CURSOR.update()
        .where(CURSOR.c.chain_id == chain_id)
        .values(block_number=CURSOR.c.block_number)
    )
    for proj in projections:
        proj.revert_above(conn, chain_id, -1)
    dispatcher = Dispatcher(projections)
    wants = dispatcher.wants
    cols = (
        RAW.c.block_number,
        RAW.c.block_hash,
        RAW.c.tx_hash,
        RAW.c.tx_index,
        RAW.c.log_index,
        RAW.c.address,
        RAW.c.event_name,
        RAW.c.signature,
        RAW.c.args,
    )
    after: tuple[int, int] | None = None
    read = applied = 0
    while True:
        query = sa.select(*cols).where(RAW.c.chain_id == chain_id)
        if after is not None:
            query = query.where(sa.tuple_(RAW.c.block_number, RAW.c.log_index) > sa.tuple_(*after))
        page = conn.execute(
            query.order_by(RAW.c.block_number, RAW.c.log_index).limit(batch_rows)
        ).all()
        if not page:
            break
        read += len(page)
        after = (int(page[-1].block_number), int(page[-1].log_index))
        ctx = ProjectionContext(conn, chain_id)
        calls: list[tuple[Event, list[Projection]]] = []
        for r in page:
            if r.event_name is None or r.signature is None:
                continue  # not decoded: no projection can take it
            targets = wants(r.event_name, r.signature)
            if not targets:
                continue
            applied += 1
            event = Event(
                chain_id=chain_id,
                block_number=int(r.block_number),
                block_hash=r.block_hash,
                tx_hash=r.tx_hash,
                tx_index=int(r.tx_index),
                log_index=int(r.log_index),
                address=r.address,
                name=r.event_name,
                signature=r.signature,
                args=r.args or {},
            )
            calls.append((event, targets))
        prepare_all(ctx, calls)
        for event, targets in calls:
            for proj in targets:
                proj.apply(ctx, event)
        ctx.close()
    for table in dispatcher.tables():
        analyze_while_young(conn, table, applied)
    return read, applied
