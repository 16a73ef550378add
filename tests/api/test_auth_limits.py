"""The sign-in budget: normal use (sign in, reload, sign in again, several tabs) passes; a flood
from one IP across many addresses, or for one address from many IPs, gets 429 with
`Retry-After`; the budget refills.

Each test builds its own app over the shared gateway's chain and database with the limits it
tests (the shared `api` fixture keeps its limits out of the way of the other suites)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from fastapi.testclient import TestClient

from node.api.limits import Budget, MemoryRateStore, RateStore
from node.api.main import create_app
from node.core.config import Settings
from tests.api.conftest import Api

PROBLEM = "application/problem+json"


def _app(api: Api, store: RateStore | None = None, **limits: Any) -> FastAPI:
    settings: Settings = api.settings.model_copy(update=limits)
    record = {"cooperatives": {"test": {"charter": api.gateway.coop.addresses.charter}}}
    return create_app(settings, api.chain, record, track_relays=False, limits_store=store)


@pytest.fixture
def defaults(api: Api) -> Iterator[FastAPI]:
    """An app with the limits a node gets when nothing is configured."""
    fresh = Settings(_env_file=None)  # type: ignore[call-arg]
    yield _app(
        api,
        rate_limit_auth=fresh.rate_limit_auth,
        rate_limit_auth_burst=fresh.rate_limit_auth_burst,
        rate_limit_auth_address=fresh.rate_limit_auth_address,
        rate_limit_auth_address_burst=fresh.rate_limit_auth_address_burst,
    )


def _sign_in(client: TestClient, account: LocalAccount) -> Any:
    r = client.post("/auth/nonce", json={"address": account.address})
    if r.status_code != 200:
        return r
    message = r.json()["message"]
    signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
    return client.post("/auth/verify", json={"message": message, "signature": signature})


def _too_many(r: Any) -> float:
    assert r.status_code == 429, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == 429 and "Too many requests" in body["detail"]
    retry = int(r.headers["retry-after"])
    assert retry >= 1
    return retry


def test_documented_defaults() -> None:
    """The numbers docs/api.md gives."""
    fresh = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (fresh.rate_limit_auth, fresh.rate_limit_auth_burst) == (60.0, None)
    assert (fresh.rate_limit_auth_address, fresh.rate_limit_auth_address_burst) == (30.0, None)


def test_normal_use_passes(defaults: FastAPI) -> None:
    """One person: 20 sign-ins of one address within a minute (sign in, reload, several tabs),
    each followed by a call with the session, then a second person behind the same IP."""
    me, partner = Account.create(), Account.create()
    with TestClient(defaults) as client:
        for _ in range(20):
            r = _sign_in(client, me)
            assert r.status_code == 200, r.text
            token = r.json()["token"]
            me_r = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert me_r.status_code == 200
        for _ in range(5):
            assert _sign_in(client, partner).status_code == 200


def _flood(send: Any, limit: int = 400) -> tuple[int, float, Any]:
    """Send until the first refusal: (calls served, seconds taken, the refusal)."""
    started = time.monotonic()
    for served in range(limit):
        r = send(served)
        if r.status_code != 200:
            return served, time.monotonic() - started, r
    pytest.fail(f"{limit} calls and no 429")


def test_flood_from_one_ip_across_addresses(defaults: FastAPI) -> None:
    """A burst of 120 sign-in calls per IP (2 minutes of the steady 60/min), then 429, whatever
    addresses the calls name; another IP is not affected."""
    with TestClient(defaults, client=("203.0.113.7", 50000)) as flooder:
        served, seconds, refusal = _flood(
            lambda _: flooder.post("/auth/nonce", json={"address": Account.create().address})
        )
        # the burst, plus what the steady rate (1/s) refilled while the flood ran
        assert 120 <= served <= 120 + int(seconds) + 1
        assert _too_many(refusal) == 1  # the steady rate frees one call a second
        _too_many(flooder.post("/auth/nonce", json={}))  # with no address at all either
    neighbour = TestClient(defaults, client=("203.0.113.8", 50000))
    assert _sign_in(neighbour, Account.create()).status_code == 200


def test_flood_for_one_address_from_many_ips(defaults: FastAPI) -> None:
    """Calls naming one address: a burst of 60 (30 sign-ins), then 429 from any IP; another
    address is not affected."""
    target = Account.create()
    served, seconds, refusal = _flood(
        lambda i: TestClient(defaults, client=(f"198.51.100.{i % 50}", 50000)).post(
            "/auth/nonce", json={"address": target.address}
        )
    )
    assert 60 <= served <= 60 + int(seconds / 2) + 1  # steady 30/min: one call every 2 s
    assert _too_many(refusal) in (1, 2)
    elsewhere = TestClient(defaults, client=("198.51.100.200", 50000))
    _too_many(elsewhere.post("/auth/nonce", json={"address": target.address}))
    # The verify step counts against the address too (its message names it).
    signed = target.sign_message(encode_defunct(text="x")).signature.to_0x_hex()
    message = (
        f"coop.test wants you to sign in with your Ethereum account:\n{target.address}\n\n\n"
        "URI: http://coop.test\nVersion: 1\nChain ID: 1\nNonce: abcdefgh12\n"
        "Issued At: 2026-01-01T00:00:00Z"
    )
    _too_many(elsewhere.post("/auth/verify", json={"message": message, "signature": signed}))
    assert _sign_in(elsewhere, Account.create()).status_code == 200


def test_budget_refills(api: Api) -> None:
    """After a 429 the client waits `Retry-After` seconds and is served again."""
    app = _app(
        api,
        rate_limit_auth_address=120.0,  # one call every 0.5 s
        rate_limit_auth_address_burst=2.0,
    )
    account = Account.create()
    client = TestClient(app)
    assert _sign_in(client, account).status_code == 200  # nonce + verify: the burst of 2
    retry = _too_many(client.post("/auth/nonce", json={"address": account.address}))
    time.sleep(retry)
    assert client.post("/auth/nonce", json={"address": account.address}).status_code == 200


def test_gateways_sharing_a_store_share_the_budget(api: Api) -> None:
    """Two gateway processes behind one store (what a Redis store gives): the budget of an
    address is spent across both, not once per process."""
    store = MemoryRateStore()
    limits = {"rate_limit_auth_address": 1.0, "rate_limit_auth_address_burst": 4.0}
    first, second = (TestClient(_app(api, store, **limits)) for _ in range(2))
    address = Account.create().address
    for client in (first, second, first, second):
        assert client.post("/auth/nonce", json={"address": address}).status_code == 200
    _too_many(first.post("/auth/nonce", json={"address": address}))
    _too_many(second.post("/auth/nonce", json={"address": address}))


# -- the budget itself (the store a Redis-backed one would replace) -------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_steady_rate_then_refill() -> None:
    clock = Clock()
    budget = Budget("auth-ip", 60, 3, MemoryRateStore(clock=clock))
    assert [budget.take("a") for _ in range(3)] == [0, 0, 0]
    assert budget.take("a") == pytest.approx(1.0)  # 60/min: the next token in 1 s
    assert budget.take("b") == 0  # keys are independent
    clock.now += 0.5
    assert budget.take("a") == pytest.approx(0.5)  # a refused call takes nothing
    clock.now += 0.5
    assert budget.take("a") == 0 and budget.take("a") > 0  # one token back per second
    clock.now += 60
    assert [budget.take("a") for _ in range(4)][:3] == [0, 0, 0]  # refilled, capped at burst


def test_budgets_share_a_store_under_their_own_names() -> None:
    store = MemoryRateStore()
    ip, address = Budget("auth-ip", 60, 1, store), Budget("auth-address", 60, 1, store)
    assert ip.take("k") == 0 and address.take("k") == 0
    assert ip.take("k") > 0 and address.take("k") > 0


def test_store_memory_is_bounded() -> None:
    clock = Clock()
    store = MemoryRateStore(max_keys=100, clock=clock)
    budget = Budget("b", 60, 1, store)
    for i in range(1000):  # a flood of distinct keys (spoofed addresses)
        budget.take(str(i))
    assert len(store) <= 100
    clock.now += 2  # all refilled: the same as no bucket, dropped first
    budget.take("new")
    assert len(store) == 1
