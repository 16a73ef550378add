"""Backfill benchmark with the domain projections on, over real cooperative events (opt-in).

    pytest -m bench tests/indexer/test_projections_bench.py -q -s

The scenario cooperative (tests/indexer/conftest.py) is extended with `COOP_INDEXER_BENCH_ROUNDS`
(default 2000) rounds of: a documented ВРЕ transfer, a document anchored and signed, an
invoice issued, accepted and paid: 8 events in 6 transactions per round, sent one by one
from impersonated member accounts. Each database then backfills from block 0 with the
default settings (finality 12, roots from the deployment record), with all projections and with
none (raw events only), and the audit of the projected SQLite mirror must pass.
"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import pytest

from indexer.audit import audit_raw
from tests.indexer.conftest import CoopScenario, DbFactory, _h

# Deselected from the default run by the `bench` marker (pyproject addopts: -m "not bench").
pytestmark = pytest.mark.bench

RESULTS: dict[str, str] = {}


def _send_all(url: str, txs: list[dict[str, Any]]) -> None:
    """One request per transaction, in order (later ones depend on earlier ones; a JSON-RPC
    batch is not guaranteed to be mined in order)."""
    with httpx.Client(timeout=120) as client:
        for i, tx in enumerate(txs):
            answer = client.post(
                url,
                json={"jsonrpc": "2.0", "id": i, "method": "eth_sendTransaction", "params": [tx]},
            ).json()
            assert "error" not in answer, answer
            while True:  # anvil answers before it has mined: wait, the next may depend on it
                rec = client.post(
                    url,
                    json={
                        "jsonrpc": "2.0",
                        "id": i,
                        "method": "eth_getTransactionReceipt",
                        "params": [answer["result"]],
                    },
                ).json()["result"]
                if rec is not None:
                    break
            assert rec["status"] == "0x1", (i, tx)


@pytest.fixture(scope="module")
def loaded(scenario: CoopScenario) -> CoopScenario:
    sc = scenario
    chain, coop, units = sc.chain, sc.coop, sc.units
    active = [sc.members[0], sc.members[2], sc.members[3], sc.recovered]
    for a in active:
        chain.w3.provider.make_request("anvil_impersonateAccount", [a.address])  # type: ignore[arg-type]
    rounds = int(os.environ.get("COOP_INDEXER_BENCH_ROUNDS", "2000"))
    next_id = units.obligation_count() + 1
    u, d = units.contract, coop.documents
    txs: list[dict[str, Any]] = []

    def tx(sender: str, contract: Any, fn: str, *args: Any) -> None:
        txs.append(
            {
                "from": sender,
                "to": contract.address,
                "data": contract.encode_abi(fn, list(args)),
                "gas": hex(400_000),
            }
        )

    for r in range(rounds):
        a, b = active[r % 4].address, active[(r + 1) % 4].address
        doc = _h(f"bench doc {r}")
        tx(a, u, "transferWithDocument", b, 10**15, _h(f"bench act {r}"))
        tx(a, d, "anchor", doc, 5, b"\0" * 32)
        tx(b, d, "sign", doc)
        tx(a, u, "issueObligation", b, 10**15, 0, _h(f"bench invoice {r}"))
        tx(b, u, "acceptObligation", next_id + r)
        tx(b, u, "payObligation", next_id + r, 10**15)
    started = time.monotonic()
    _send_all(chain.rpc_url, txs)
    RESULTS["load"] = f"{len(txs)} transactions in {time.monotonic() - started:.1f} s"
    assert units.obligation_count() == next_id + rounds - 1
    return sc


@pytest.mark.parametrize("projected", [True, False], ids=["projections", "raw-only"])
def test_backfill_domain_events(
    loaded: CoopScenario, db_factory: DbFactory, projected: bool
) -> None:
    live = db_factory()
    idx = loaded.indexer(live, finality_depth=12, initial_range=2000)
    if not projected:
        idx.dispatcher.projections.clear()
    try:
        report = idx.sync_once()
    finally:
        idx.close()
    kind = "PostgreSQL" if live.startswith("postgresql") else "SQLite"
    line = (
        f"{kind} {'raw + domain projections' if projected else 'raw events only'}: "
        f"{report.events_per_second:,.0f} events/s ({report.events} in {report.seconds:.2f} s, "
        f"{report.head} blocks)"
    )
    RESULTS[line] = ""
    print(f"\n{RESULTS.get('load')}\n{line}")
    if projected and kind == "SQLite":
        # The audit twice on the same mirror: views read one by one (as before batching), then
        # in batches (JSON-RPC batches, or Multicall3 where the chain has it).
        for batched in (False, True):
            started = time.monotonic()
            audit = audit_raw(loaded.chain, live, db_factory(), batched_views=batched)
            assert audit.ok, audit.differences[:5]
            line = (
                f"audit (rebuild + views{', views batched' if batched else ', views one by one'})"
                f": {time.monotonic() - started:.1f} s"
            )
            RESULTS[line] = ""
            print(line)
