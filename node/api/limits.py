"""Request size limit (ASGI middleware) and request budgets (token buckets: a burst, then a
steady rate) per client IP and per signing address, in a pluggable store (in-process here)."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from node.api.problems import PROBLEM_JSON, TITLES, Problem


class _TooLarge(Exception):
    pass


def _problem_bytes(status: int, detail: str, path: str) -> bytes:
    body = {"type": "about:blank", "title": TITLES[status], "status": status, "detail": detail}
    body["instance"] = path
    return json.dumps(body, ensure_ascii=False).encode()


class BodySizeLimit:
    """Refuse bodies larger than `max_bytes` with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = (
            f"Тело запроса больше {self.max_bytes} байт / "
            f"Request body larger than {self.max_bytes} bytes"
        )
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._refuse(scope, send, detail)
                    return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await self._refuse(scope, send, detail)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, detail: str) -> None:
        body = _problem_bytes(413, detail, str(scope.get("path", "")))
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


@dataclass
class _Bucket:
    tokens: float
    updated: float
    full_at: float
    """When the bucket will have refilled: from then on it is the same as no bucket."""


class RateStore(Protocol):
    """Where the budgets' token buckets live. `MemoryRateStore` keeps them in this process; a
    store shared by several gateway processes (Redis: one Lua script doing the same arithmetic
    on a hash per key) implements the same method."""

    def take(self, key: str, per_second: float, burst: float) -> float:
        """Take one token from `key`'s bucket (capacity `burst`, refilled at `per_second`).
        Returns 0 when taken, else the seconds until one is free (nothing is taken then)."""
        ...


class MemoryRateStore:
    """Token buckets in a dict, thread-safe. Bounded: past `max_keys` buckets, the full ones
    (idle clients) are forgotten first, then the longest unused."""

    def __init__(
        self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, per_second: float, burst: float) -> float:
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._evict(now)
                bucket = self._buckets[key] = _Bucket(burst, now, now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * per_second)
            bucket.updated = now
            if bucket.tokens < 1.0:
                return (1.0 - bucket.tokens) / per_second
            bucket.tokens -= 1.0
            bucket.full_at = now + (burst - bucket.tokens) / per_second
            return 0.0

    def _evict(self, now: float) -> None:
        # A bucket that has refilled is the same as no bucket: drop those first.
        idle = [k for k, b in self._buckets.items() if b.full_at <= now]
        for k in idle:
            del self._buckets[k]
        if len(self._buckets) >= self.max_keys:
            by_age = sorted(self._buckets, key=lambda k: self._buckets[k].updated)
            for k in by_age[: len(by_age) // 2]:
                del self._buckets[k]

    def __len__(self) -> int:
        return len(self._buckets)


@dataclass(frozen=True)
class Budget:
    """One budget: a burst of `burst` requests, then `per_minute` steady, per key (a client IP,
    a signing address). Several budgets share one store, each under its own key prefix."""

    name: str
    per_minute: float
    burst: float
    store: RateStore

    def take(self, key: str) -> float:
        """0 when the request fits the budget, else the seconds until it would."""
        return self.store.take(f"{self.name}:{key}", self.per_minute / 60.0, self.burst)

    def check(self, key: str) -> None:
        """Raise the gateway's 429 (problem+json, `Retry-After`) when over budget."""
        wait = self.take(key)
        if wait > 0:
            raise Problem(
                429,
                f"Слишком много запросов, повторите через {wait:.1f} с / Too many requests, "
                f"retry in {wait:.1f} s",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )


def client_key(scope_or_request: Any) -> str:
    client = getattr(scope_or_request, "client", None)
    return client.host if client is not None else "unknown"
