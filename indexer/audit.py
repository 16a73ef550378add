"""Audit: rebuild the mirror from the chain into a fresh database and compare row by row.

The live mirror went through crashes, retries and reorg undos; a fresh rebuild went through
none. If both agree on every raw event, watched address, projection row and the cursor, the
incremental machinery did its job. The live side is read in one snapshot first, the rebuild
then stops at the live cursor, so a live indexer may keep running during an audit.

Domain checks (projections against the contracts' own view functions) come with the domain
projections.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from indexer.config import IndexerSettings
from indexer.db import make_engine
from indexer.models import Cursor, RawEvent, Status, WatchedAddress
from indexer.projections import Dispatcher, Projection, default_projections
from indexer.run import Indexer
from node.chain.client import Chain

log = logging.getLogger("coop.indexer.audit")

RAW = RawEvent.__table__  # type: ignore[attr-defined]
CURSOR = Cursor.__table__  # type: ignore[attr-defined]
STATUS = Status.__table__  # type: ignore[attr-defined]
WATCHED = WatchedAddress.__table__  # type: ignore[attr-defined]

#: Columns that differ between two correct mirrors by construction.
_SURROGATE = {"id", "updated_at"}


@dataclass
class AuditReport:
    chain_id: int
    live_cursor: tuple[int, str | None] | None = None
    rebuilt_cursor: tuple[int, str | None] | None = None
    compared: dict[str, int] = field(default_factory=dict)
    """Rows compared per table (live side)."""
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        return out


def _snapshot(
    conn: Connection, chain_id: int, tables: list[sa.Table]
) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for table in tables:
        cols = [c for c in table.c if c.name not in _SURROGATE]
        rows = conn.execute(sa.select(*cols).where(table.c.chain_id == chain_id)).mappings()
        out[table.name] = [dict(r) for r in rows]
    return out


def _read_live(
    url: str, chain_id: int, tables: list[sa.Table]
) -> tuple[
    tuple[int, str | None] | None, dict[str, Any] | None, list[str], dict[str, list[dict[str, Any]]]
]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                cur = conn.execute(
                    sa.select(CURSOR.c.block_number, CURSOR.c.block_hash).where(
                        CURSOR.c.chain_id == chain_id
                    )
                ).first()
                scope = conn.execute(
                    sa.select(STATUS.c.scope).where(STATUS.c.chain_id == chain_id)
                ).scalar()
                roots = [
                    r.address
                    for r in conn.execute(
                        sa.select(WATCHED.c.address).where(
                            WATCHED.c.chain_id == chain_id, WATCHED.c.source == "root"
                        )
                    )
                ]
                rows = _snapshot(conn, chain_id, tables)
    finally:
        engine.dispose()
    cursor = (int(cur.block_number), cur.block_hash) if cur is not None else None
    return cursor, scope, roots, rows


def _describe(row: dict[str, Any]) -> str:
    return (
        f"block {row['block_number']} ({row['block_hash'][:10]}…) log {row['log_index']} "
        f"{row.get('event_name') or 'undecoded'} at {row['address']}"
    )


def _compare_raw(live: list[dict[str, Any]], rebuilt: list[dict[str, Any]], out: list[str]) -> None:
    key = lambda r: (r["block_hash"], r["log_index"])  # noqa: E731
    lmap = {key(r): r for r in live}
    rmap = {key(r): r for r in rebuilt}
    if len(lmap) != len(live):
        out.append(f"idx_raw_event: {len(live) - len(lmap)} duplicate rows in the live mirror")
    for k in sorted(rmap.keys() - lmap.keys(), key=lambda k: (rmap[k]["block_number"], k[1])):
        out.append(f"idx_raw_event: missing in live: {_describe(rmap[k])}")
    for k in sorted(lmap.keys() - rmap.keys(), key=lambda k: (lmap[k]["block_number"], k[1])):
        out.append(f"idx_raw_event: extra in live (not on the chain): {_describe(lmap[k])}")
    for k in sorted(lmap.keys() & rmap.keys(), key=lambda k: (lmap[k]["block_number"], k[1])):
        lrow, rrow = lmap[k], rmap[k]
        for col in lrow:
            if lrow[col] != rrow.get(col):
                out.append(
                    f"idx_raw_event: {_describe(lrow)}: {col} live={lrow[col]!r} "
                    f"rebuilt={rrow.get(col)!r}"
                )


def _compare_rows(
    name: str, live: list[dict[str, Any]], rebuilt: list[dict[str, Any]], out: list[str]
) -> None:
    def freeze(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((k, repr(v)) for k, v in row.items()))

    lc, rc = Counter(map(freeze, live)), Counter(map(freeze, rebuilt))
    for row, n in sorted((rc - lc).items()):
        out.append(f"{name}: missing in live ({n}x): {dict(row)}")
    for row, n in sorted((lc - rc).items()):
        out.append(f"{name}: extra in live ({n}x): {dict(row)}")


def audit_raw(
    chain: Chain,
    live_url: str,
    scratch_url: str,
    *,
    settings: IndexerSettings | None = None,
    projections: list[Projection] | None = None,
) -> AuditReport:
    """Rebuild into `scratch_url` (must be empty for this chain) and compare with `live_url`."""
    chain_id = chain.chain_id
    report = AuditReport(chain_id=chain_id)
    projs = default_projections() if projections is None else projections
    tables = [RAW, WATCHED, *Dispatcher(projs).tables()]
    live_cursor, scope, roots, live_rows = _read_live(live_url, chain_id, tables)
    report.live_cursor = live_cursor
    if live_cursor is None:
        report.differences.append(f"the live mirror has no cursor for chain {chain_id}")
        return report

    base = settings or IndexerSettings()
    scope = scope or {}
    rebuild_settings = base.model_copy(
        update={
            "start_block": int(scope.get("start_block", base.start_block)),
            "watch_all": bool(scope.get("watch_all", not roots)),
            "discovery_events": set(scope.get("discovery_events", base.discovery_events)),
            "roots": roots,
        }
    )
    scratch = make_engine(scratch_url)
    try:
        with scratch.connect() as conn:
            insp = sa.inspect(conn)
            if (
                insp.has_table(CURSOR.name)
                and conn.execute(
                    sa.select(CURSOR.c.chain_id).where(CURSOR.c.chain_id == chain_id)
                ).first()
            ):
                raise ValueError(
                    f"scratch database {scratch_url} is not empty: audit needs a fresh one"
                )
        rebuilder = Indexer(
            rpc_url=chain.rpc_url,
            database_url=scratch_url,
            artifacts=chain.artifacts,
            settings=rebuild_settings,
            projections=projs,
            engine=scratch,
        )
        try:
            live_number = live_cursor[0]
            if live_number >= rebuild_settings.start_block:
                rebuilder.sync_once(to_block=live_number)
            with scratch.connect() as conn:
                cur = conn.execute(
                    sa.select(CURSOR.c.block_number, CURSOR.c.block_hash).where(
                        CURSOR.c.chain_id == chain_id
                    )
                ).first()
                report.rebuilt_cursor = (int(cur.block_number), cur.block_hash) if cur else None
                rebuilt_rows = _snapshot(conn, chain_id, tables)
        finally:
            rebuilder.rpc.close()
    finally:
        scratch.dispose()

    diffs = report.differences
    if report.rebuilt_cursor != live_cursor:
        diffs.append(
            f"cursor: live={live_cursor} rebuilt={report.rebuilt_cursor} (a live cursor off the "
            "chain is a reorg the live indexer has not undone yet)"
        )
    for table in tables:
        live = live_rows[table.name]
        report.compared[table.name] = len(live)
        if table is RAW:
            _compare_raw(live, rebuilt_rows[table.name], diffs)
        else:
            _compare_rows(table.name, live, rebuilt_rows[table.name], diffs)
    if diffs:
        log.warning("audit found %d differences", len(diffs))
    return report
