"""Reads from the SQL mirror through `indexer.queries` (never SQL of our own over its tables).

Every answer of `indexer.queries` is current at one block (`as_of`, the indexer's cursor), read
in the same transaction as its rows. Answers are a pure function of the mirror at that block,
so the gateway caches them per (query, arguments) and cursor (number and hash): while the
indexer has not moved, a repeated read costs one primary-key lookup of the cursor. A reorg
changes the cursor's hash, so an orphaned answer is never served.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from indexer.queries import common
from node.api.amounts import as_response
from node.api.gateway import Gateway
from node.api.problems import Problem

log = logging.getLogger("coop.api.mirror")

T = TypeVar("T")

_CACHE_SIZE = 4096


class ReadCache:
    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self.size = size
        self._data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


def _cache(gw: Gateway) -> ReadCache:
    cache: ReadCache | None = getattr(gw, "_read_cache", None)
    if cache is None:
        cache = ReadCache()
        gw._read_cache = cache  # type: ignore[attr-defined]
    return cache


def not_indexed() -> Problem:
    return Problem(
        503,
        "Зеркало ещё не содержит этот кооператив: индексатор не догнал сеть / The mirror does "
        "not hold this cooperative yet: the indexer has not caught up",
        title="Данные ещё не готовы / Data not ready yet",
    )


def _cursor_key(conn: Any, chain_id: int) -> tuple[int, str | None] | None:
    try:
        ref = common.current_block(conn, chain_id)
    except common.NotFound:
        return None
    except DBAPIError:  # the indexer has not created the mirror's tables yet
        conn.rollback()
        return None
    return ref.number, ref.hash


def read(gw: Gateway, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(conn, *args, **kwargs)` at the mirror's current block, cached per block."""
    cache = _cache(gw)
    with gw.engine.connect() as conn:
        cursor = _cursor_key(conn, gw.chain_id)
        if cursor is None:
            raise not_indexed()
        key = (name, args, tuple(sorted(kwargs.items())), cursor)
        hit = cache.get(key)
        if hit is not None:
            return hit
        try:
            value = fn(conn, *args, chain_id=gw.chain_id, **kwargs)
        except (common.NotFound, DBAPIError) as exc:
            raise not_indexed() from exc
        # Stored under the block it was computed at (the same as `cursor` inside one snapshot).
        as_of = getattr(value, "as_of", None)
        stored_key = key if as_of is None else (name, args, key[2], (as_of.number, as_of.hash))
        cache.put(stored_key, value)
    _observe(gw, cursor)
    return value


def current_block(gw: Gateway) -> int | None:
    """The indexer's cursor block number (None when nothing is mirrored yet).

    Whoever is told "the mirror holds block N" (a relayed action reported `indexed`, an order's
    payment accepted) must then read at N or later from every route: the block is handed to the
    mirror clock, which every cached read is keyed by.
    """
    with gw.engine.connect() as conn:
        cursor = _cursor_key(conn, gw.chain_id)
    _observe(gw, cursor)
    return None if cursor is None else cursor[0]


def block_ref(gw: Gateway) -> Any:
    with gw.engine.connect() as conn:
        try:
            return common.current_block(conn, gw.chain_id)
        except (common.NotFound, DBAPIError) as exc:
            raise not_indexed() from exc


# -- the hot path: cached JSON per mirror block --------------------------------------------------


class MirrorClock(threading.Thread):
    """Keeps the mirror's cursor in memory (polled every `interval` s), so that a cached read
    costs no database access at all. The block an answer states is the one it was computed at,
    so a clock a few milliseconds behind the indexer never mislabels data; it only delays the
    moment a fresher answer is served."""

    def __init__(self, gw: Gateway, interval: float = 0.02) -> None:
        super().__init__(name="coop-mirror-clock", daemon=True)
        self.gw = gw
        self.interval = interval
        self.stop_event = threading.Event()
        self.head: tuple[int, str | None] | None = None
        self.applied: tuple[int, str | None] | None = None
        """The cursor up to which `Gateway.mirror_moved` has been told."""
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self.tick()

    def tick(self) -> None:
        # One connection kept for the clock's life: a pool checkout pings the database first
        # (`pool_pre_ping`), a third round trip on every tick of every worker. A failed tick
        # drops it; the next tick opens a new one.
        if self._conn is None:
            self._conn = self.gw.engine.connect()
        try:
            self._tick(self._conn)
        except BaseException:
            self._close()
            raise
        else:
            self._conn.rollback()  # end the snapshot (SQLite) and never sit idle in transaction

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already broken: the pool discards it
                log.debug("mirror clock connection close failed", exc_info=True)

    def _tick(self, conn: Connection) -> None:
        # The read and the assignment under one lock: a reader that saw a newer cursor after
        # this read waits to `observe` it until this tick has assigned, so the clock never
        # goes back from what a reader saw (except on a reorg, which only a tick applies).
        with self._lock:
            self.head = cursor = _cursor_key(conn, self.gw.chain_id)
        # Sessions revoked by another gateway process (see node.api.sessions).
        self.gw.revocations.refresh(conn)
        # Caches of chain facts drop what the newly mirrored blocks changed (a reader's
        # `observe` may have moved `head` already: this keeps its own mark).
        if cursor is not None and cursor != self.applied:
            if self.applied is not None:
                # Every cooperative this process serves (the siblings share the clock).
                for gw in list(self.gw.family.values()):
                    gw.mirror_moved(conn, self.applied, cursor)
            self.applied = cursor

    def observe(self, cursor: tuple[int, str | None]) -> None:
        """A reader saw the cursor at `cursor` in the database: move the clock there at once.

        Without it the reads of one client could go back in time: an answer computed at block
        N (or a relay reported `indexed` at N) followed, on another route, by a cached answer at
        the clock's older block. Only a forward move is taken here; a reorg's step back is the
        next tick's (until then an answer may be one computed just before the reorg, as any
        answer read just before it is).
        """
        with self._lock:
            if self.head is None or cursor[0] > self.head[0]:
                self.head = cursor

    def run(self) -> None:
        try:
            while not self.stop_event.wait(self.interval):
                try:
                    self.tick()
                except Exception:  # keep ticking through a locked or restarting database
                    log.exception("mirror clock tick failed")
        finally:
            self._close()

    def stop(self) -> None:
        self.stop_event.set()
        if not self.is_alive():  # never started: `run` will not close the connection
            self._close()


def _clock(gw: Gateway) -> MirrorClock | None:
    clock: MirrorClock | None = getattr(gw, "mirror_clock", None)
    return clock if clock is not None and clock.is_alive() else None


def _observe(gw: Gateway, cursor: tuple[int, str | None] | None) -> None:
    clock = _clock(gw)
    if clock is not None and cursor is not None:
        clock.observe(cursor)


def _head(gw: Gateway) -> tuple[int, str | None] | None:
    clock = _clock(gw)
    if clock is not None:
        return clock.head
    with gw.engine.connect() as conn:
        return _cursor_key(conn, gw.chain_id)


async def head_block(gw: Gateway) -> tuple[int, str | None]:
    """The mirror's block now, (number, hash): the clock's when it runs (no query), else the
    database's cursor; 503 while nothing is mirrored. For routes that cache their own answers
    per block (`GET /work`)."""
    clock = _clock(gw)
    head = clock.head if clock is not None else None
    if head is None:
        head = await run_in_threadpool(_head, gw)
    if head is None:
        raise not_indexed()
    return head


def shared_cache(gw: Gateway) -> ReadCache:
    """The gateway's per-block read cache (keys carry the block, so entries never go stale)."""
    return _cache(gw)


def _compute(gw: Gateway, compute: Callable[[Connection], BaseModel]) -> BaseModel:
    with gw.engine.connect() as conn:
        try:
            return compute(conn)
        except (common.NotFound, DBAPIError) as exc:
            raise not_indexed() from exc


def _respond(body: bytes, block: int) -> Response:
    return Response(
        content=body, media_type="application/json", headers={"X-Coop-Block": str(block)}
    )


async def respond(
    gw: Gateway, key: tuple[Any, ...], compute: Callable[[Connection], BaseModel]
) -> Response:
    """The JSON answer of `compute(conn)` (a model with `as_of`), cached per mirror block.

    A hit is served from memory on the event loop; a miss runs the queries in the thread pool.
    The `X-Coop-Block` header repeats the block the answer is current at.
    """
    clock = _clock(gw)
    head = clock.head if clock is not None else None
    if head is None:
        head = await run_in_threadpool(_head, gw)
    if head is None:
        raise not_indexed()
    cache = _cache(gw)
    hit = cache.get((*key, head))
    if hit is not None:
        return _respond(hit, head[0])
    value = await run_in_threadpool(_compute, gw, compute)
    # Amounts as decimal strings (see node.api.amounts), the same model the route declares.
    body = as_response(type(value), value).model_dump_json().encode()
    as_of = getattr(value, "as_of", None)
    block = head if as_of is None else (as_of.number, as_of.hash)
    cache.put((*key, block), body)
    if clock is not None and as_of is not None:
        # Computed at a newer block than the clock's: later reads must not go back from it.
        clock.observe(block)
    return _respond(body, block[0])
