"""What several gateway processes must share besides the database: request budgets and
single-use sign-in nonces, in Redis when `COOP_REDIS_URL` is set.

One process (the laptop default) keeps its budgets in memory (`limits.MemoryRateStore`) and its
sign-in nonces in the database (`SqlNonces`). With Redis both move there, so that:
- a budget of N requests is N whichever worker a request lands on (one Lua script takes a
  token atomically; the clock is Redis's own `TIME`, the same for every host);
- a nonce issued by one worker can be used at any other, once: consuming it is one `DEL`,
  which only one caller can see succeed; its expiry is the key's TTL.
A Redis error is a 503 (the request is neither let through unlimited nor half-done).
"""

from __future__ import annotations

import time
from typing import Protocol

import redis
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from node.api.models import SiweNonce
from node.api.problems import Problem

#: Token bucket in a hash {tokens, updated}: the same arithmetic as `MemoryRateStore.take`.
#: Returns the seconds to wait as a string (0 when a token was taken).
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(b[1])
local updated = tonumber(b[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local wait = 0
if tokens < 1 then
  wait = (1 - tokens) / rate
else
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return tostring(wait)
"""


def unavailable(exc: Exception) -> Problem:
    return Problem(
        503,
        f"Общее хранилище шлюза (Redis) недоступно: {exc} / The gateway's shared store "
        f"(Redis) is unavailable: {exc}",
    )


def redis_client(url: str) -> redis.Redis:
    """A thread-safe client (its own connection pool) with short timeouts: a stalled Redis
    answers 503 quickly instead of holding every request."""
    return redis.Redis.from_url(
        url, socket_timeout=2.0, socket_connect_timeout=2.0, health_check_interval=30
    )


class RedisRateStore:
    """`limits.RateStore` in Redis: one bucket per key under `prefix`, expiring once full."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._take = client.register_script(_TAKE)

    def take(self, key: str, per_second: float, burst: float) -> float:
        try:
            wait = self._take(keys=[f"{self.prefix}rate:{key}"], args=[per_second, burst])
        except redis.RedisError as exc:
            raise unavailable(exc) from exc
        return float(wait)


class Nonces(Protocol):
    """Single-use sign-in nonces."""

    def issue(self, nonce: str, issued_at: int, expires_at: int) -> None: ...

    def consume(self, nonce: str, now: int, address: str) -> bool:
        """Mark `nonce` used by `address`; True for exactly one caller, and only before it
        expires."""
        ...


class SqlNonces:
    """Nonces in `api_siwe_nonce` (one process, or several on one database)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.table = SiweNonce.__table__  # type: ignore[attr-defined]

    def issue(self, nonce: str, issued_at: int, expires_at: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                self.table.insert().values(nonce=nonce, issued_at=issued_at, expires_at=expires_at)
            )

    def consume(self, nonce: str, now: int, address: str) -> bool:
        table = self.table
        with self.engine.begin() as conn:
            used = conn.execute(
                sa.update(table)
                .where(
                    table.c.nonce == nonce,
                    table.c.used_at.is_(None),
                    table.c.expires_at > now,
                )
                .values(used_at=now, used_by=address)
            ).rowcount
        return bool(used == 1)


class RedisNonces:
    """Nonces as Redis keys with a TTL: issued by `SET NX EX`, consumed by `DEL` (only one
    caller gets 1 back; an expired key is gone)."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def issue(self, nonce: str, issued_at: int, expires_at: int) -> None:
        ttl = max(1, expires_at - int(time.time()))
        try:
            created = self.client.set(f"{self.prefix}siwe:{nonce}", issued_at, nx=True, ex=ttl)
        except redis.RedisError as exc:
            raise unavailable(exc) from exc
        if not created:  # 128 random bits collided: never in practice, but never reuse
            raise RuntimeError("sign-in nonce already issued")

    def consume(self, nonce: str, now: int, address: str) -> bool:
        try:
            return int(self.client.delete(f"{self.prefix}siwe:{nonce}")) == 1
        except redis.RedisError as exc:
            raise unavailable(exc) from exc
