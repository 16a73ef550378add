"""The indexer: mirrors every event of the watched contracts into SQL, reorg-safe.

One *step* reads the logs of a block range and commits, in a single SQL transaction, the raw
rows, the projections' ledger rows, newly discovered addresses, the headers of blocks above
the finality depth and the cursor (number, hash) of the range's last block. A crash anywhere
loses the step as a whole; the next start repeats it from the cursor.

Before each step the cursor's hash is compared with the chain. A mismatch is a reorg: the
common ancestor is the highest kept block whose hash still matches; everything above it
(raw rows, projection rows, discovered addresses, kept headers) is deleted in one transaction
with the cursor moved back, and the following steps re-read the new branch.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from eth_utils import keccak
from sqlalchemy.engine import Connection, Engine

from indexer.config import IndexerSettings
from indexer.db import (
    COPY_THRESHOLD,
    analyze_while_young,
    copy_text,
    insert_ignoring_duplicates,
    ledger_tables,
    make_engine,
    migrate,
)
from indexer.decode import ZERO_ADDRESS, EventDecoder, EventSpec, checksum
from indexer.leader import LeaderLock
from indexer.models import Block, Cursor, RawEvent, Status, WatchedAddress, utcnow
from indexer.projections import (
    Dispatcher,
    Event,
    Projection,
    ProjectionContext,
    default_projections,
    prepare_all,
)
from indexer.ranges import AdaptiveRange, RangeStats
from indexer.rpc import (
    Backoff,
    Rpc,
    RpcError,
    RpcTimeout,
    Stopped,
    is_range_limit,
    suggested_range,
)
from node.chain.artifacts import Artifacts

log = logging.getLogger("coop.indexer")

RAW = RawEvent.__table__  # type: ignore[attr-defined]
BLOCK = Block.__table__  # type: ignore[attr-defined]
CURSOR = Cursor.__table__  # type: ignore[attr-defined]
STATUS = Status.__table__  # type: ignore[attr-defined]
WATCHED = WatchedAddress.__table__  # type: ignore[attr-defined]
#: The columns of a decoded event row (`Indexer._decode_all`) that are written to RAW.
RAW_COLUMNS = (
    "chain_id",
    "block_number",
    "block_hash",
    "tx_hash",
    "tx_index",
    "log_index",
    "address",
    "event_name",
    "signature",
    "args",
    "topics",
    "data",
    "block_timestamp",
)


class IndexerError(RuntimeError):
    """The indexer cannot go on (another indexer writes the same mirror, bad settings...)."""


class RangeTooLarge(Exception):
    """eth_getLogs refused the range (too many results, provider limit, timeout)."""

    def __init__(self, size: int, suggested: int | None, timeout: bool, reason: str) -> None:
        self.size = size
        self.suggested = suggested
        self.timeout = timeout
        self.reason = reason
        super().__init__(reason)


class ChainMoved(Exception):
    """Answers of one step disagree (a reorg happened while reading): redo the step."""


@dataclass(frozen=True)
class ReorgInfo:
    old_cursor: int
    ancestor: int
    depth: int
    beyond_finality: bool


@dataclass
class StepInfo:
    """What one step is about to commit; given to the `before_commit` hook."""

    from_block: int
    to_block: int
    events: int
    discovered: list[str]


@dataclass
class SyncReport:
    """What a `sync_once` did."""

    start_cursor: int
    cursor: int = -1
    head: int = -1
    events: int = 0
    steps: int = 0
    discovered: list[str] = field(default_factory=list)
    reorgs: list[ReorgInfo] = field(default_factory=list)
    chain_moved: int = 0
    seconds: float = 0.0
    ranges: RangeStats | None = None

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class _Header:
    number: int
    hash: str
    parent_hash: str
    timestamp: int | None = None


@dataclass
class _Plan:
    """One step read from the chain and checked, ready to commit: the logs of [a, b] in chain
    order, the headers read for it, the addresses it discovers."""

    cursor: int
    a: int
    b: int
    headers: dict[int, _Header]
    events: list[dict[str, Any]]
    discovered: dict[str, tuple[int, dict[str, Any]]]
    head: _Header


@dataclass
class _Run:
    """One transaction of a step (at most `max_rows_per_step` rows, cut at a block boundary):
    what it writes, and what `Indexer._prepare` computed for it ahead of its commit."""

    cursor: int
    a: int
    end: _Header
    headers: dict[int, _Header]
    events: list[dict[str, Any]]
    discovered: dict[str, tuple[int, dict[str, Any]]]
    head: _Header
    calls: list[tuple[Event, list[Projection]]] = field(default_factory=list)
    """The projections' calls, in chain order."""
    raw_text: str | None = None
    """The raw rows in COPY's text format (PostgreSQL), rendered before the transaction."""


def _chunks(events: list[dict[str, Any]], cap: int) -> list[list[dict[str, Any]]]:
    """`events` (in chain order) cut at block boundaries into runs of at most `cap` rows; a
    single block with more than `cap` events stays whole (a cursor is a block)."""
    if len(events) <= cap:
        return [events]
    out: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    i = 0
    while i < len(events):
        n = events[i]["block_number"]
        j = i
        while j < len(events) and events[j]["block_number"] == n:
            j += 1
        if current and len(current) + (j - i) > cap:
            out.append(current)
            current = []
        current.extend(events[i:j])
        i = j
    out.append(current)
    return out


class Indexer:
    """Mirrors watched contracts' events from `rpc_url` into `database_url`.

    `sync_once()` catches up with the head once; `follow(stop_event)` keeps polling. The schema
    is migrated on construction (idempotent).
    """

    def __init__(
        self,
        *,
        rpc_url: str,
        database_url: str,
        artifacts: Artifacts,
        settings: IndexerSettings | None = None,
        projections: Sequence[Projection] | None = None,
        before_commit: Callable[[Connection, StepInfo], None] | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.settings = settings or IndexerSettings()
        self.rpc = Rpc(rpc_url, timeout=self.settings.rpc_timeout)
        self.database_url = database_url
        self.engine = engine or make_engine(database_url)
        migrate(self.engine)
        self.decoder = EventDecoder(artifacts)
        self.artifacts = artifacts
        self.announcers = _announcers(artifacts, self.settings)
        self._verified: dict[str, bool] = {}
        self._runtime_codes: dict[str, bytes] = {}
        self.dispatcher = Dispatcher(default_projections() if projections is None else projections)
        self.before_commit = before_commit
        self.ranges = AdaptiveRange(
            self.settings.initial_range, self.settings.min_range, self.settings.max_range
        )
        self._stop: threading.Event | None = None
        self.backoff = Backoff(
            rpc_url,
            initial=self.settings.backoff_initial,
            cap=self.settings.backoff_max,
            max_retries=self.settings.max_retries,
        )
        self._chain_id: int | None = None
        self._watched: dict[str, int] = {}
        #: Blocks per eth_getLogs that the last dense stretch allows under the row cap (None:
        #: no limit beyond the adaptive range).
        self._row_range: int | None = None
        self._pool: ThreadPoolExecutor | None = None
        #: The chain's leader lock while `follow` runs (see `indexer.leader`).
        self.leader: LeaderLock | None = None

    @classmethod
    def from_settings(
        cls,
        node_settings: Any = None,
        indexer_settings: IndexerSettings | None = None,
        **overrides: Any,
    ) -> Indexer:
        """The indexer the node runs: RPC, database and artifacts from node.core.config."""
        from node.core.config import Settings

        node = node_settings or Settings()
        return cls(
            rpc_url=overrides.pop("rpc_url", None) or node.effective_rpc_url,
            database_url=overrides.pop("database_url", None) or node.effective_database_url,
            artifacts=overrides.pop("artifacts", None) or Artifacts(node.artifacts_path),
            settings=with_chain_finality(indexer_settings or IndexerSettings(), node),
            **overrides,
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self.rpc.close()
        self.engine.dispose()

    # -- public API ---------------------------------------------------------------------------

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self._rpc("eth_chainId", []), 16)
        return self._chain_id

    @property
    def range_stats(self) -> RangeStats:
        return self.ranges.stats

    def sync_once(
        self,
        to_block: int | None = None,
        stop_event: threading.Event | None = None,
        *,
        initialise: bool = True,
    ) -> SyncReport:
        """Index up to the head (or `to_block`), handling any reorg on the way.

        `initialise=False` skips creating or checking the cursor, status and root rows and
        reloading the watched set: for `follow`, which does that once each time it becomes the
        leader rather than on every poll (six queries a poll otherwise)."""
        self._stop = stop_event
        self.backoff.stop = stop_event
        started = time.monotonic()
        if initialise:
            self._initialise()
        cursor_number, cursor_hash = self._read_cursor()
        report = SyncReport(start_cursor=cursor_number, cursor=cursor_number)
        # The commit of one step runs in a background thread while the next step is read from
        # the chain and decoded: the database works while Python parses. At most one commit is
        # in flight, and `planned` is the cursor it will leave.
        pending: Future[None] | None = None
        planned: tuple[int, str | None] | None = None

        def drain() -> None:
            nonlocal pending, planned
            if pending is not None:
                done, pending, planned = pending, None, None
                done.result()

        try:
            while True:
                if stop_event is not None and stop_event.is_set():
                    break
                head = self._header("latest")
                report.head = head.number
                target = head.number if to_block is None else min(to_block, head.number)
                cursor_number, cursor_hash = planned or self._read_cursor()
                if cursor_number == head.number and cursor_hash == head.hash:
                    break
                if cursor_hash is not None and not self._canonical(cursor_number, cursor_hash):
                    if pending is not None:
                        drain()  # undo from the committed state only
                        continue
                    report.reorgs.append(self._undo_reorg(cursor_number, head.number))
                    continue
                if cursor_number >= target:
                    break
                try:
                    plan = self._step(cursor_number, cursor_hash, target, head)
                except ChainMoved as exc:
                    report.chain_moved += 1
                    log.info("chain moved while reading (%s): re-checking for a reorg", exc)
                    drain()
                    continue
                drain()
                for addr, (fb, _) in plan.discovered.items():
                    self._watched.setdefault(addr, fb)
                if self.settings.background_commit:
                    if self._pool is None:
                        self._pool = ThreadPoolExecutor(1, thread_name_prefix="coop-indexer")
                    # Each run is prepared here while the previous one commits; the runs
                    # commit in order, and none after one that failed.
                    for run in self._runs(plan):
                        self._prepare(run)
                        pending = self._pool.submit(self._commit_after, pending, run)
                    planned = (plan.b, plan.headers[plan.b].hash)
                else:
                    self._commit_plan(plan)
                report.steps += 1
                report.events += len(plan.events)
                report.discovered.extend(plan.discovered)
                report.cursor = plan.b
            drain()
        except BaseException:
            if pending is not None:
                wait([pending])  # never leave a commit running behind the caller's back
            raise
        report.cursor = self._read_cursor()[0]
        report.seconds = time.monotonic() - started
        report.ranges = self.ranges.stats
        return report

    def follow(self, stop_event: threading.Event) -> None:
        """Poll the head every `poll_interval` seconds and index new blocks until stopped.

        Only while holding the chain's leader lock (`indexer.leader`): a second indexer of the
        same chain and mirror (another gateway worker, another host) waits as a standby and
        takes over when the leader dies."""
        log.info(
            "following %s into %s (poll every %g s, finality %d)",
            self.rpc.url,
            self.engine.url.render_as_string(hide_password=True),
            self.settings.poll_interval,
            self.settings.finality_depth,
        )
        lock = self.leader = LeaderLock(self.engine, self.chain_id)
        standby_said = False
        leading = False
        try:
            while not stop_event.is_set():
                if not lock.try_acquire():
                    leading = False
                    if not standby_said:
                        log.info("another indexer leads chain %d: standing by", self.chain_id)
                        standby_said = True
                    stop_event.wait(self.settings.leader_retry)
                    continue
                standby_said = False
                if not leading:
                    # Once per leadership: the leader before us may have discovered contracts.
                    self._initialise()
                    leading = True
                try:
                    report = self.sync_once(stop_event=stop_event, initialise=False)
                except Stopped:
                    break
                if report.events or report.reorgs:
                    log.debug(
                        "block %d: +%d events, %d reorgs",
                        report.cursor,
                        report.events,
                        len(report.reorgs),
                    )
                stop_event.wait(self.settings.poll_interval)
        finally:
            lock.release()

    @property
    def role(self) -> str | None:
        """`leader` or `standby` while following (None before `follow`)."""
        lock = self.leader
        if lock is None:
            return None
        return "leader" if lock.is_leader else "standby"

    # -- RPC ----------------------------------------------------------------------------------

    def _rpc(self, method: str, params: list[Any]) -> Any:
        return self.backoff.run(method, lambda: self.rpc.call(method, params))

    def _header(self, number: int | str) -> _Header:
        tag = number if isinstance(number, str) else hex(number)
        block = self._rpc("eth_getBlockByNumber", [tag, False])
        if block is None:
            raise ChainMoved(f"block {number} is gone")
        return _Header(
            int(block["number"], 16), block["hash"], block["parentHash"], _timestamp(block)
        )

    def _headers(self, numbers: list[int]) -> dict[int, _Header]:
        out: dict[int, _Header] = {}
        for i in range(0, len(numbers), 100):
            chunk = numbers[i : i + 100]
            blocks = self._batch_blocks(chunk)
            for n, block in zip(chunk, blocks, strict=True):
                if block is None:
                    raise ChainMoved(f"block {n} is gone")
                out[n] = _Header(n, block["hash"], block["parentHash"], _timestamp(block))
        return out

    def _batch_blocks(self, numbers: list[int]) -> list[Any]:
        calls: list[tuple[str, list[Any]]] = [
            ("eth_getBlockByNumber", [hex(n), False]) for n in numbers
        ]
        return self.backoff.run("eth_getBlockByNumber", lambda: self.rpc.batch(calls))

    def _canonical(self, number: int, block_hash: str) -> bool:
        block = self._rpc("eth_getBlockByNumber", [hex(number), False])
        return block is not None and block["hash"] == block_hash

    def _get_logs_once(
        self, a: int, b: int, addresses: list[str] | None, topics: list[Any] | None = None
    ) -> list[dict[str, Any]]:
        """One eth_getLogs per address chunk (or one by `topics` from any address when
        `addresses` is None); a refused range raises RangeTooLarge."""
        size = b - a + 1
        self.ranges.used(size)
        chunks: list[list[str] | None]
        if addresses is None:
            chunks = [None]
        else:
            n = self.settings.max_addresses_per_query
            chunks = [addresses[i : i + n] for i in range(0, len(addresses), n)]
        out: list[dict[str, Any]] = []
        for chunk in chunks:
            # No "topics" key at all: a trailing null topic is refused by some providers and
            # makes others fall back to slow paths.
            flt: dict[str, Any] = {"fromBlock": hex(a), "toBlock": hex(b)}
            if chunk is not None:
                flt["address"] = chunk
            if topics is not None:
                flt["topics"] = topics

            def call(f: dict[str, Any] = flt) -> Any:
                try:
                    return self.rpc.call("eth_getLogs", [f])
                except RpcTimeout as exc:
                    raise RangeTooLarge(size, None, True, exc.reason) from exc
                except RpcError as exc:
                    if is_range_limit(exc):
                        raise RangeTooLarge(size, suggested_range(exc), False, exc.message) from exc
                    raise

            out.extend(self.backoff.run(f"eth_getLogs {a}..{b}", call))
        return out

    def _get_logs_adaptive(
        self, a: int, target: int, addresses: list[str] | None, topics: list[Any] | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """Logs of [a, b] for the largest b <= target the provider accepts now (and the row
        cap's density estimate allows)."""
        while True:
            size = self.ranges.size
            if self._row_range is not None:
                size = min(size, self._row_range)
            b = min(a + size - 1, target)
            try:
                logs = self._get_logs_once(a, b, addresses, topics)
            except RangeTooLarge as exc:
                if not self.ranges.shrink(exc.size, suggested=exc.suggested, timeout=exc.timeout):
                    log.warning(
                        "waiting for RPC %s: eth_getLogs %d..%d refused even at the minimum "
                        "range (%s), retry in %g s",
                        self.rpc.url,
                        a,
                        b,
                        exc.reason,
                        self.settings.backoff_initial,
                    )
                    self.backoff.sleep(self.settings.backoff_initial)
                else:
                    log.debug(
                        "eth_getLogs %d..%d refused (%s): range -> %d",
                        a,
                        b,
                        exc.reason,
                        self.ranges.size,
                    )
                continue
            self.ranges.success(b - a + 1)
            return b, logs

    def _get_logs_covering(
        self, a: int, b: int, addresses: list[str] | None, topics: list[Any] | None = None
    ) -> list[dict[str, Any]]:
        """All logs of exactly [a, b], split into accepted sub-ranges."""
        out: list[dict[str, Any]] = []
        pos = a
        while pos <= b:
            end, logs = self._get_logs_adaptive(pos, b, addresses, topics)
            out.extend(logs)
            pos = end + 1
        return out

    # -- database -----------------------------------------------------------------------------

    def _initialise(self) -> None:
        """Create the cursor and status rows and the roots on first start; load watched set."""
        chain_id = self.chain_id
        s = self.settings
        scope = {
            "start_block": s.start_block,
            "watch_all": s.watches_all,
            "discovery_events": sorted(s.discovery_events),
        }
        with self.engine.begin() as conn:
            if (
                conn.execute(
                    sa.select(CURSOR.c.chain_id).where(CURSOR.c.chain_id == chain_id)
                ).first()
                is None
            ):
                conn.execute(
                    CURSOR.insert().values(
                        chain_id=chain_id,
                        block_number=s.start_block - 1,
                        block_hash=None,
                        updated_at=utcnow(),
                    )
                )
                conn.execute(
                    STATUS.insert().values(
                        chain_id=chain_id,
                        reorg_count=0,
                        deepest_reorg=0,
                        scope=scope,
                        updated_at=utcnow(),
                    )
                )
            else:
                stored = conn.execute(
                    sa.select(STATUS.c.scope).where(STATUS.c.chain_id == chain_id)
                ).scalar()
                if stored != scope:
                    log.warning(
                        "indexing scope changed from %s to %s: rows already mirrored keep the old "
                        "scope (re-index into an empty database to apply it to the past)",
                        stored,
                        scope,
                    )
                    conn.execute(
                        STATUS.update().where(STATUS.c.chain_id == chain_id).values(scope=scope)
                    )
            cursor = conn.execute(
                sa.select(CURSOR.c.block_number).where(CURSOR.c.chain_id == chain_id)
            ).scalar_one()
            known = {
                r.address
                for r in conn.execute(
                    sa.select(WATCHED.c.address).where(WATCHED.c.chain_id == chain_id)
                )
            }
            new_roots = [a for a in s.roots if a not in known]
            if new_roots:
                from_block = max(s.start_block, cursor + 1)
                if cursor >= s.start_block:
                    log.warning(
                        "new roots %s are watched from block %d on; re-index to mirror their past",
                        ", ".join(new_roots),
                        from_block,
                    )
                insert_ignoring_duplicates(
                    conn,
                    WATCHED,
                    [
                        {
                            "chain_id": chain_id,
                            "address": a,
                            "from_block": from_block,
                            "source": "root",
                        }
                        for a in new_roots
                    ],
                )
        self._load_watched()

    def _load_watched(self) -> None:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(WATCHED.c.address, WATCHED.c.from_block).where(
                    WATCHED.c.chain_id == self.chain_id
                )
            )
            self._watched = {r.address: int(r.from_block) for r in rows}

    def _read_cursor(self) -> tuple[int, str | None]:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(CURSOR.c.block_number, CURSOR.c.block_hash).where(
                    CURSOR.c.chain_id == self.chain_id
                )
            ).one()
        return int(row.block_number), row.block_hash

    # -- one step -----------------------------------------------------------------------------

    def _step(self, cursor: int, cursor_hash: str | None, target: int, head: _Header) -> _Plan:
        """Read and check the next block range; nothing is written yet."""
        a = cursor + 1
        watch_all = self.settings.watches_all
        addresses = None if watch_all else sorted(self._watched)
        if addresses == []:
            # Nothing to watch (yet): the range is empty by definition; still move the cursor.
            b = min(a + self.settings.max_range - 1, target)
            logs: list[dict[str, Any]] = []
        else:
            b, logs = self._get_logs_adaptive(a, target, addresses)
            self._learn_density(b - a + 1, len(logs))

        # Headers: every block of the range within the finality window, and the range's end.
        window_low = max(a, head.number - self.settings.finality_depth)
        numbers = sorted(set(range(window_low, b + 1)) | {b})
        headers = self._headers(numbers)

        events = self._decode_all(logs)
        discovered: dict[str, tuple[int, dict[str, Any]]] = {}
        pending = events
        announced = watch_all or not self.announcers or addresses == []
        while True:
            while pending:
                found = self._discover(pending, discovered)
                if not found:
                    break
                discovered.update(found)
                if watch_all:
                    break  # their logs are in the range's answer already
                low = min(fb for fb, _ in found.values())
                extra = self._get_logs_covering(low, b, sorted(found))
                pending = [
                    e
                    for e in self._decode_all(extra)
                    if e["block_number"] >= found[e["address"]][0]
                ]
                events.extend(pending)
            if announced:
                break
            # Installers' announcements from unwatched addresses, once the range's cooperatives
            # (charters) are known; what they announce is discovered by the loop above.
            announced = True
            pending = self._announcements(a, b, discovered)
            events.extend(pending)

        self._check_consistency(cursor, cursor_hash, headers, events)
        self._fill_timestamps(headers, events)
        unique = {(e["block_hash"], e["log_index"]): e for e in events}
        ordered = sorted(
            unique.values(), key=lambda e: (e["block_number"], e["tx_index"], e["log_index"])
        )
        return _Plan(cursor, a, b, headers, ordered, discovered, head)

    def _learn_density(self, blocks: int, logs: int) -> None:
        """Keep the next ranges near `max_rows_per_step` rows: a dense stretch narrows the
        block range, each lighter answer doubles it back (the adaptive range stays the bound)."""
        cap = self.settings.max_rows_per_step
        if logs > cap:
            self._row_range = max(1, blocks * cap // logs)
        elif self._row_range is not None:
            grown = self._row_range * 2
            self._row_range = None if grown >= self.settings.max_range else grown

    def _runs(self, plan: _Plan) -> list[_Run]:
        """A step as one transaction per run of at most `max_rows_per_step` rows.

        A huge range of a sparse chain is committed in several transactions, each ending on a
        block whose events are all in it: its cursor is that block (hash and time from its
        logs), and a crash between them loses only the runs not yet committed.
        """
        out: list[_Run] = []
        cursor, a = plan.cursor, plan.a
        runs = _chunks(plan.events, self.settings.max_rows_per_step)
        for i, run in enumerate(runs):
            if i == len(runs) - 1:
                end = _Header(
                    plan.b,
                    plan.headers[plan.b].hash,
                    plan.headers[plan.b].parent_hash,
                    plan.headers[plan.b].timestamp,
                )
            else:
                last = run[-1]
                end = _Header(last["block_number"], last["block_hash"], "", last["block_timestamp"])
            out.append(
                _Run(
                    cursor,
                    a,
                    end,
                    {n: h for n, h in plan.headers.items() if a <= n <= end.number},
                    run,
                    {k: v for k, v in plan.discovered.items() if a <= v[0] <= end.number},
                    plan.head,
                )
            )
            cursor, a = end.number, end.number + 1
        return out

    def _commit_plan(self, plan: _Plan) -> None:
        """Commit a step, run after run, in this thread."""
        for run in self._runs(plan):
            self._prepare(run)
            self._commit_step(run)

    def _commit_after(self, previous: Future[None] | None, run: _Run) -> None:
        """Commit `run` once the run before it has committed (its error, if any, is raised
        again: nothing commits after a failed run)."""
        if previous is not None:
            previous.result()
        self._commit_step(run)

    def _prepare(self, run: _Run) -> None:
        """What a run's transaction needs that depends on its events only: the projections'
        calls and, for PostgreSQL's COPY, the raw rows' text. Runs outside the transaction,
        in the reading thread, while the run before commits."""
        run.calls = self._projection_calls(run.events)
        if self.engine.dialect.name == "postgresql" and len(run.events) >= COPY_THRESHOLD:
            run.raw_text = copy_text(run.events, RAW_COLUMNS)

    def _projection_calls(
        self, events: list[dict[str, Any]]
    ) -> list[tuple[Event, list[Projection]]]:
        calls: list[tuple[Event, list[Projection]]] = []
        if not self.dispatcher.projections:
            return calls
        wants = self.dispatcher.wants
        for e in events:
            spec = e["_spec"]
            if spec is None:
                continue
            targets = wants(spec.name, spec.signature)
            if not targets:
                continue
            event = Event(
                chain_id=e["chain_id"],
                block_number=e["block_number"],
                block_hash=e["block_hash"],
                tx_hash=e["tx_hash"],
                tx_index=e["tx_index"],
                log_index=e["log_index"],
                address=e["address"],
                name=spec.name,
                signature=spec.signature,
                args=e["args"],
            )
            calls.append((event, targets))
        return calls

    def _decode_all(self, logs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        chain_id = self.chain_id
        rows: list[dict[str, Any]] = []
        decode = self.decoder.decode_pair
        append = rows.append
        for lg in logs:
            if lg.get("removed"):
                continue
            topics = lg["topics"]
            data = lg["data"]
            spec, args = decode(topics, data)
            # Newer nodes (anvil, geth >= 1.16) put the block time in the log; else headers.
            ts = lg.get("blockTimestamp")
            append(
                {
                    "chain_id": chain_id,
                    "block_number": int(lg["blockNumber"], 16),
                    "block_hash": lg["blockHash"],
                    "tx_hash": lg["transactionHash"],
                    "tx_index": int(lg["transactionIndex"], 16),
                    "log_index": int(lg["logIndex"], 16),
                    "address": checksum(lg["address"]),
                    "event_name": spec.name if spec else None,
                    "signature": spec.signature if spec else None,
                    "args": args,
                    "topics": None if spec else topics,
                    "data": None if spec else data,
                    "block_timestamp": int(ts, 16) if isinstance(ts, str) else None,
                    "_spec": spec,
                }
            )
        return rows

    def _announcements(
        self, a: int, b: int, discovered: dict[str, tuple[int, dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        """Discovery events of [a, b] emitted by unwatched installers (`settings.installers`)
        about a watched charter: the installer's code is checked against its compiled code."""
        topics = [sorted(_topic0(sig) for sig in self.announcers)]
        out: list[dict[str, Any]] = []
        for ev in self._decode_all(self._get_logs_covering(a, b, None, topics)):
            address, spec = ev["address"], ev["_spec"]
            if spec is None or address in self._watched or address in discovered:
                continue  # a watched emitter's logs are in the step already
            charter = ev["args"].get("charter") if isinstance(ev["args"], dict) else None
            if not isinstance(charter, str):
                continue
            since = self._watched.get(charter)
            if since is None and charter in discovered:
                since = discovered[charter][0]
            if since is None or since > ev["block_number"]:
                continue  # not a cooperative this indexer follows (yet)
            names = self.announcers.get(spec.signature, ())
            if not self._is_installer(address, names, b):
                log.warning(
                    "%s at %s names charter %s but is not an installer's code: ignored",
                    spec.name,
                    address,
                    charter,
                )
                continue
            out.append(ev)
        return out

    def _is_installer(self, address: str, names: Iterable[str], block: int) -> bool:
        """Whether the code at `address` is one of the compiled contracts `names`, immutables
        aside (cached: an installer's code never changes)."""
        if address not in self._verified:
            code = bytes.fromhex(str(self._rpc("eth_getCode", [address, hex(block)]))[2:])
            self._verified[address] = any(
                _same_code(code, self._runtime_code(name)) for name in names
            )
        return self._verified[address]

    def _runtime_code(self, name: str) -> bytes:
        if name not in self._runtime_codes:
            manifest = json.loads(self.artifacts.path.read_text())
            runtime = manifest["contractTypes"][name].get("runtimeBytecode") or {}
            self._runtime_codes[name] = bytes.fromhex(str(runtime.get("bytecode") or "0x")[2:])
        return self._runtime_codes[name]

    def _discover(
        self, events: list[dict[str, Any]], already: dict[str, tuple[int, dict[str, Any]]]
    ) -> dict[str, tuple[int, dict[str, Any]]]:
        rule = self.settings.discovery_events
        found: dict[str, tuple[int, dict[str, Any]]] = {}
        if not rule:
            return found
        for ev in sorted(events, key=lambda e: (e["block_number"], e["tx_index"], e["log_index"])):
            spec = ev["_spec"]
            if spec is None or spec.name not in rule:
                continue
            for addr in spec.addresses(ev["args"]):
                if (
                    addr == ZERO_ADDRESS
                    or addr in self._watched
                    or addr in already
                    or addr in found
                ):
                    continue
                found[addr] = (ev["block_number"], ev)
        return found

    def _check_consistency(
        self,
        cursor: int,
        cursor_hash: str | None,
        headers: dict[int, _Header],
        events: list[dict[str, Any]],
    ) -> None:
        """Logs and headers of one step must describe one chain, linked to the cursor."""
        for n, h in headers.items():
            prev = headers.get(n - 1)
            if prev is not None and h.parent_hash != prev.hash:
                raise ChainMoved(f"block {n} does not link to block {n - 1}")
            if n == cursor + 1 and cursor_hash is not None and h.parent_hash != cursor_hash:
                raise ChainMoved(f"block {n} does not link to the cursor")
        seen: dict[int, str] = {}
        for e in events:
            n, bh = e["block_number"], e["block_hash"]
            expected = headers[n].hash if n in headers else seen.setdefault(n, bh)
            if bh != expected:
                raise ChainMoved(f"a log of block {n} names another block hash")

    def _fill_timestamps(self, headers: dict[int, _Header], events: list[dict[str, Any]]) -> None:
        """Give every event its block's timestamp: from the log itself when the node sends it,
        else from the step's headers, else from headers fetched for the blocks holding events
        (whose hashes must match the logs', or the chain moved while reading)."""
        missing = sorted(
            {e["block_number"] for e in events if e["block_timestamp"] is None} - headers.keys()
        )
        extra = self._headers(missing) if missing else {}
        for e in events:
            if e["block_timestamp"] is not None:
                continue
            n = e["block_number"]
            h = headers.get(n) or extra[n]
            if h.hash != e["block_hash"]:
                raise ChainMoved(f"a log of block {n} names another block hash")
            e["block_timestamp"] = h.timestamp

    def _commit_step(self, run: _Run) -> None:
        cursor, a, end, headers = run.cursor, run.a, run.end, run.headers
        events, discovered, head = run.events, run.discovered, run.head
        chain_id = self.chain_id
        b = end.number
        keep_from = head.number - self.settings.finality_depth
        with self.engine.begin() as conn:
            # Nothing mirrored from block a on (the usual case, unless a crashed run left
            # rows): no row of this step can collide with a stored one, and PostgreSQL may
            # COPY straight into the tables instead of through a temporary table.
            fresh = (
                conn.dialect.name == "postgresql"
                and conn.execute(
                    sa.select(RAW.c.id)
                    .where(RAW.c.chain_id == chain_id, RAW.c.block_number >= a)
                    .limit(1)
                ).first()
                is None
            )
            insert_ignoring_duplicates(
                conn, RAW, events, fresh=fresh, columns=RAW_COLUMNS, text=run.raw_text
            )
            analyze_while_young(conn, RAW, len(events), if_referenced=True)
            self._apply_projections(conn, run.calls, fresh=fresh)
            if discovered:
                insert_ignoring_duplicates(
                    conn,
                    WATCHED,
                    [
                        {
                            "chain_id": chain_id,
                            "address": addr,
                            "from_block": fb,
                            "source": "discovered",
                            "event_name": ev["event_name"],
                            "block_hash": ev["block_hash"],
                            "log_index": ev["log_index"],
                        }
                        for addr, (fb, ev) in discovered.items()
                    ],
                )
            kept = [
                {
                    "chain_id": chain_id,
                    "number": h.number,
                    "hash": h.hash,
                    "parent_hash": h.parent_hash,
                }
                for h in headers.values()
                if h.number >= keep_from
            ]
            if kept:
                conn.execute(
                    sa.delete(BLOCK).where(BLOCK.c.chain_id == chain_id, BLOCK.c.number >= a)
                )
                conn.execute(BLOCK.insert(), kept)
            conn.execute(
                sa.delete(BLOCK).where(BLOCK.c.chain_id == chain_id, BLOCK.c.number < keep_from)
            )
            moved = conn.execute(
                CURSOR.update()
                .where(CURSOR.c.chain_id == chain_id, CURSOR.c.block_number == cursor)
                .values(
                    block_number=b,
                    block_hash=end.hash,
                    block_timestamp=end.timestamp,
                    updated_at=utcnow(),
                )
            ).rowcount
            if moved != 1:
                raise IndexerError(
                    "the cursor moved under this indexer: another indexer writes the same "
                    "database for this chain"
                )
            conn.execute(
                STATUS.update()
                .where(STATUS.c.chain_id == chain_id)
                .values(head_seen=head.number, updated_at=utcnow())
            )
            if self.before_commit is not None:
                self.before_commit(conn, StepInfo(a, b, len(events), list(discovered)))

    def _apply_projections(
        self, conn: Connection, calls: list[tuple[Event, list[Projection]]], *, fresh: bool = False
    ) -> None:
        if not calls:
            return
        ctx = ProjectionContext(conn, self.chain_id, fresh=fresh)
        prepare_all(ctx, calls)
        for event, targets in calls:
            for proj in targets:
                proj.apply(ctx, event)
        ctx.close()

    # -- reorgs -------------------------------------------------------------------------------

    def _find_ancestor(self, cursor: int, head: int) -> tuple[int, str | None]:
        """The highest block we hold a hash for that is still canonical.

        First the kept headers (the finality window), then the parent hash of the lowest kept
        header, then - for a reorg deeper than the window - the blocks that hold mirrored
        events. Blocks without events leave no hash, so beyond the window the ancestor found
        may lie below the true one: that only re-reads a few empty blocks.
        """
        chain_id = self.chain_id
        with self.engine.connect() as conn:
            kept = [
                (int(r.number), r.hash, r.parent_hash)
                for r in conn.execute(
                    sa.select(BLOCK.c.number, BLOCK.c.hash, BLOCK.c.parent_hash)
                    .where(BLOCK.c.chain_id == chain_id, BLOCK.c.number <= cursor)
                    .order_by(BLOCK.c.number.desc())
                )
            ]
        candidates: list[tuple[int, str]] = [(n, h) for n, h, _ in kept]
        if kept:
            lowest, _, parent = kept[-1]
            candidates.append((lowest - 1, parent))
        found = self._first_canonical([c for c in candidates if 0 <= c[0] <= head])
        if found is not None:
            return found
        below = min([c[0] for c in candidates] + [cursor + 1])
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(RAW.c.block_number, RAW.c.block_hash)
                    .where(RAW.c.chain_id == chain_id, RAW.c.block_number < below)
                    .group_by(RAW.c.block_number, RAW.c.block_hash)
                    .order_by(RAW.c.block_number.desc())
                    .limit(64)
                ).all()
            if not rows:
                return self.settings.start_block - 1, None
            found = self._first_canonical(
                [(int(r.block_number), r.block_hash) for r in rows if r.block_number <= head]
            )
            if found is not None:
                return found
            below = int(rows[-1].block_number)

    def _first_canonical(self, candidates: list[tuple[int, str]]) -> tuple[int, str] | None:
        for i in range(0, len(candidates), 64):
            chunk = candidates[i : i + 64]
            headers = self._headers_or_none([n for n, _ in chunk])
            for n, h in chunk:
                if headers.get(n) == h:
                    return n, h
        return None

    def _headers_or_none(self, numbers: list[int]) -> dict[int, str | None]:
        blocks = self._batch_blocks(numbers)
        return {n: (b["hash"] if b else None) for n, b in zip(numbers, blocks, strict=True)}

    def _undo_reorg(self, cursor: int, head: int) -> ReorgInfo:
        ancestor, ancestor_hash = self._find_ancestor(cursor, head)
        depth = cursor - ancestor
        beyond = depth > self.settings.finality_depth
        chain_id = self.chain_id
        with self.engine.begin() as conn:
            for proj in self.dispatcher.projections:
                proj.revert_above(conn, chain_id, ancestor)
            # Ledgers no projection of this indexer writes (rows of an earlier run with more
            # projections): no foreign key cascades from the raw rows any more.
            reverted = {t.name for t in self.dispatcher.tables()}
            for table in ledger_tables(conn):
                if table.name not in reverted:
                    conn.execute(
                        sa.delete(table).where(
                            table.c.chain_id == chain_id, table.c.block_number > ancestor
                        )
                    )
            conn.execute(
                sa.delete(RAW).where(RAW.c.chain_id == chain_id, RAW.c.block_number > ancestor)
            )
            conn.execute(
                sa.delete(WATCHED).where(
                    WATCHED.c.chain_id == chain_id,
                    WATCHED.c.source == "discovered",
                    WATCHED.c.from_block > ancestor,
                )
            )
            conn.execute(
                sa.delete(BLOCK).where(BLOCK.c.chain_id == chain_id, BLOCK.c.number > ancestor)
            )
            moved = conn.execute(
                CURSOR.update()
                .where(CURSOR.c.chain_id == chain_id, CURSOR.c.block_number == cursor)
                .values(
                    block_number=ancestor,
                    block_hash=ancestor_hash,
                    block_timestamp=None,  # unknown here; the next step sets it
                    updated_at=utcnow(),
                )
            ).rowcount
            if moved != 1:
                raise IndexerError("the cursor moved under this indexer during a reorg undo")
            conn.execute(
                STATUS.update()
                .where(STATUS.c.chain_id == chain_id)
                .values(
                    reorg_count=STATUS.c.reorg_count + 1,
                    deepest_reorg=sa.case(
                        (STATUS.c.deepest_reorg < depth, depth), else_=STATUS.c.deepest_reorg
                    ),
                    last_reorg_ancestor=ancestor,
                    last_reorg_at=utcnow(),
                    updated_at=utcnow(),
                )
            )
        self._load_watched()
        if beyond:
            log.error(
                "reorg of up to %d blocks (cursor %d, ancestor %d) is deeper than the finality "
                "depth %d: undone from the mirrored events' hashes; raise finality_depth",
                depth,
                cursor,
                ancestor,
                self.settings.finality_depth,
            )
        else:
            log.warning(
                "reorg: blocks %d..%d orphaned, back to ancestor %d", ancestor + 1, cursor, ancestor
            )
        return ReorgInfo(old_cursor=cursor, ancestor=ancestor, depth=depth, beyond_finality=beyond)


def _topic0(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


def _announcers(artifacts: Artifacts, settings: IndexerSettings) -> dict[str, tuple[str, ...]]:
    """Signature of each discovery event an installer of `settings.installers` declares ->
    the installers (compiled names) that may emit it from an unwatched address."""
    out: dict[str, tuple[str, ...]] = {}
    for name in sorted(settings.installers):
        if name not in artifacts:
            continue  # an older build without this installer: nothing to look for
        for item in artifacts.get(name).events():
            if item.get("name") in settings.discovery_events:
                sig = EventSpec.from_abi(item).signature
                out[sig] = (*out.get(sig, ()), name)
    return out


#: PUSH32: solc leaves an immutable as `PUSH32 0` in the compiled runtime code and writes the
#: value there at construction.
_PUSH32 = 0x7F


def _immutable_slots(code: bytes) -> list[int]:
    """Offsets of the 32-byte `PUSH32 0` placeholders of immutables in compiled runtime code.
    Walks the instructions (PUSH data is skipped); solc pushes a zero constant with PUSH0, so a
    `PUSH32 0` is an immutable's placeholder."""
    slots: list[int] = []
    i = 0
    while i < len(code):
        op = code[i]
        if 0x60 <= op <= _PUSH32:
            width = op - 0x5F
            if op == _PUSH32 and code[i + 1 : i + 33] == bytes(32):
                slots.append(i + 1)
            i += 1 + width
        else:
            i += 1
    return slots


def _same_code(deployed: bytes, compiled: bytes) -> bool:
    """Whether `deployed` is `compiled` with address immutables filled in (any other byte
    differing, or a non-address value in an immutable's slot, means another contract)."""
    if not compiled or len(deployed) != len(compiled):
        return False
    masked = bytearray(deployed)
    for at in _immutable_slots(compiled):
        if deployed[at : at + 12] != bytes(12):
            return False
        masked[at : at + 32] = bytes(32)
    return bytes(masked) == compiled


def _timestamp(obj: dict[str, Any], key: str = "timestamp") -> int | None:
    value = obj.get(key)
    return int(value, 16) if isinstance(value, str) else None


#: Keys of a deployment record's "contracts" mapping that are indexing roots: the registry
#: announces every cooperative (CooperativeRegistered carries its whole contract set).
ROOT_KEYS = (
    "NetworkRegistry",
    "CooperativeFactory",
    "GovernanceInstaller",
    "FundInstaller",
    "TargetProgramsInstaller",
)
#: Record keys (suffixes) of modules installed beside the factory's set. Installed through the
#: network's installers they are announced on chain (`GovernanceInstalled`, `FundInstalled`:
#: discovery events, found even when the installer is no root, see `IndexerSettings.installers`);
#: the record's addresses are still watched as roots, for records of modules deployed before
#: the installers (a fund and register of separate clone transactions announce nothing).
#: `bank_settlements` (node/bank) is deployed by itself and announced by nothing: a root.
GOVERNANCE_KEYS = (
    "council",
    "general_meeting",
    "Council",
    "GeneralMeeting",
    "meeting_proxies",
    "MeetingProxies",
    "mutual_aid_fund",
    "property_registry",
    "bank_settlements",
    "labour_register",
    "target_programs",
)


def with_chain_finality(settings: IndexerSettings, node_settings: Any) -> IndexerSettings:
    """The chain's finality (`COOP_CHAIN_CONFIRMATIONS`: 0 on a BFT chain) as the finality
    depth, unless `COOP_INDEXER_FINALITY_DEPTH` sets the indexer's own: one number per chain,
    the indexer's knob for the rare case it must differ."""
    confirmations = getattr(node_settings, "chain_confirmations", None)
    if confirmations is None or "finality_depth" in settings.model_fields_set:
        return settings
    return settings.model_copy(update={"finality_depth": int(confirmations)})


def roots_from_record(deployment_record: dict[str, Any]) -> list[str]:
    """The indexing roots a deployment record names (see `indexer_from_settings`)."""
    contracts: dict[str, Any] = deployment_record.get("contracts") or {}
    roots = [contracts[k] for k in ROOT_KEYS if isinstance(contracts.get(k), str)]
    for key, value in contracts.items():
        if isinstance(value, str) and key.rsplit(".", 1)[-1] in GOVERNANCE_KEYS:
            roots.append(value)
    for coop in (deployment_record.get("cooperatives") or {}).values():
        if isinstance(coop, dict):
            roots += [coop[k] for k in GOVERNANCE_KEYS if isinstance(coop.get(k), str)]
    seen: dict[str, None] = {}
    for address in roots:
        seen.setdefault(checksum(address), None)
    return list(seen)


def indexer_from_settings(
    settings: Any,
    deployment_record: dict[str, Any],
    indexer_settings: IndexerSettings | None = None,
    **overrides: Any,
) -> Indexer:
    """The indexer `coop run` starts: RPC, database and artifacts from the node's `Settings`,
    roots from the deployment record (the NetworkRegistry and the CooperativeFactory of its
    "contracts" mapping, plus any governance contracts it names), every other knob from
    `COOP_INDEXER_*` (roots given there win over the record's).

        idx = indexer_from_settings(settings, record)
        threading.Thread(target=idx.follow, args=(stop,), daemon=True).start()
    """
    base = indexer_settings or IndexerSettings()
    if not base.roots:
        roots = roots_from_record(deployment_record)
        if roots:
            base = base.model_copy(update={"roots": roots})
    return Indexer.from_settings(settings, base, **overrides)
