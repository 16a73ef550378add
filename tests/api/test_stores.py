"""The stores several gateway processes share (node/api/stores.py), against the real Redis, and
the roles cache dropped by the mirror's new events (`Gateway.mirror_moved`).

Redis database 13 is this file's own (flushed before and after)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import pytest
import redis
from eth_account import Account

from node.api.limits import Budget, MemoryRateStore
from node.api.problems import Problem
from node.api.stores import RedisNonces, RedisRateStore, redis_client
from node.cooperative.client import MemberKind
from node.governance.sandbox import fund
from tests.api.conftest import Api

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    c = redis_client(REDIS_URL)
    try:
        c.flushdb()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    yield c
    c.flushdb()
    c.close()


def test_redis_budget_is_the_memory_budget(client: redis.Redis) -> None:
    """Burst, refusal with the wait, refill: the same answers as the in-process buckets."""
    shared = Budget("t", per_minute=60.0, burst=3, store=RedisRateStore(client, "p:"))
    local = Budget("t", per_minute=60.0, burst=3, store=MemoryRateStore())
    for budget in (shared, local):
        assert [budget.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
        wait = budget.take("k")
        assert 0.9 < wait <= 1.0  # one token a second
        assert budget.take("other") == 0.0  # a budget per key
        with pytest.raises(Problem) as refused:
            budget.check("k")
        assert refused.value.status == 429
    time.sleep(1.05)
    assert shared.take("k") == 0.0  # refilled
    assert 0 < client.pttl("p:rate:t:k") <= 4000  # forgotten once full again


def test_redis_nonce_is_consumed_once(client: redis.Redis) -> None:
    nonces = RedisNonces(client, "p:")
    now = int(time.time())
    nonce = secrets.token_hex(16)
    nonces.issue(nonce, now, now + 60)
    assert nonces.consume(nonce, now, "0xA") is True
    assert nonces.consume(nonce, now, "0xA") is False  # used
    assert nonces.consume(secrets.token_hex(16), now, "0xA") is False  # never issued
    short = secrets.token_hex(16)
    nonces.issue(short, now, now + 1)
    time.sleep(1.2)
    assert nonces.consume(short, now, "0xA") is False  # expired


def test_redis_down_is_503_not_unlimited() -> None:
    dead = redis_client("redis://127.0.0.1:1/0")
    budget = Budget("t", per_minute=60.0, burst=3, store=RedisRateStore(dead, "p:"))
    with pytest.raises(Problem) as exc:
        budget.check("k")
    assert exc.value.status == 503
    with pytest.raises(Problem) as exc2:
        RedisNonces(dead, "p:").consume("abc", 0, "0xA")
    assert exc2.value.status == 503


def test_roles_dropped_when_the_mirror_passes_a_membership_event(api: Api) -> None:
    gw = api.gateway
    applicant = Account.create()
    bystander = api.sandbox.members[1].address
    fund(api.chain, [applicant.address], 10**18)
    gw.roles(applicant.address)
    gw.roles(bystander)
    assert applicant.address in gw._roles and bystander in gw._roles
    api.sandbox.cooperative.apply(applicant, MemberKind.INDIVIDUAL, b"\x01" * 32, b"\x02" * 32)
    api.synced()
    deadline = time.monotonic() + 5
    while applicant.address in gw._roles:  # the mirror clock's next tick drops it
        if time.monotonic() > deadline:
            pytest.fail("the applicant's cached roles survived the mirrored application")
        time.sleep(0.02)
    assert bystander in gw._roles  # an address the new events do not name is kept
    assert "applicant" in gw.roles(applicant.address)
