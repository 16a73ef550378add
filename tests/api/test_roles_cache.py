"""The role cache under concurrent requests (the cause of the benchmark's one-second p99): when
an entry goes stale, requests keep being served from it while one background lookup refreshes
it; with no usable entry, concurrent requests share one lookup instead of each making the
eight contract calls."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api.conftest import Api


@pytest.fixture
def counted(api: Api) -> Iterator[list[float]]:
    """Counts the gateway's real chain lookups (the lookup itself is unchanged)."""
    gw = api.gateway
    # The mirror drops cached roles when it passes events naming them (Gateway.mirror_moved):
    # let it catch up with earlier tests' blocks first, so that only this test's lookups count.
    api.synced()
    time.sleep(0.1)
    calls: list[float] = []
    lock = threading.Lock()
    real = gw._lookup_roles
    ttl = gw.settings.roles_ttl

    def lookup(address: str) -> frozenset[str]:
        with lock:
            calls.append(time.monotonic())
        return real(address)

    gw._lookup_roles = lookup  # type: ignore[method-assign]
    gw.settings.roles_ttl = 1.0
    try:
        yield calls
    finally:
        gw._lookup_roles = real  # type: ignore[method-assign]
        gw.settings.roles_ttl = ttl
        gw.forget_roles()


def _burst(api: Api, token: str, n: int = 16) -> list[httpx.Response]:
    headers = {"Authorization": f"Bearer {token}"}
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: api.http.get("/auth/me", headers=headers), range(n)))


def test_one_lookup_per_address_under_load(api: Api, counted: list[float]) -> None:
    member = api.sandbox.members[2]
    token = api.sign_in(member)  # verify looks the roles up once
    api.gateway.forget_roles(member.address)
    counted.clear()

    # No entry: 16 concurrent requests, one lookup.
    assert all(r.status_code == 200 for r in _burst(api, token))
    assert len(counted) == 1

    # Fresh entry: no lookup at all.
    assert all(r.status_code == 200 for r in _burst(api, token))
    assert len(counted) == 1

    # Stale (older than the TTL, younger than twice it): served at once, one background refresh.
    time.sleep(1.1)
    started = time.monotonic()
    responses = _burst(api, token)
    assert all(r.status_code == 200 for r in responses)
    deadline = time.monotonic() + 5
    while len(counted) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(counted) == 2, counted
    assert counted[1] >= started

    # Too old (more than twice the TTL): looked up again, once.
    time.sleep(2.1)
    assert all(r.status_code == 200 for r in _burst(api, token))
    time.sleep(0.2)
    assert len(counted) == 3, counted
    assert set(responses[0].json()["roles"]) == set(api.gateway.roles(member.address))
