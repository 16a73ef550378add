"""Backfill benchmark with the domain projections on, over real cooperative events (opt-in).

    pytest -m bench tests/indexer/test_projections_bench.py -q -s

The scenario cooperative (tests/indexer/conftest.py) is extended with `COOP_INDEXER_BENCH_ROUNDS`
(default 2000) rounds of: a documented ВРЕ transfer, a document anchored and signed, an
invoice issued, accepted and paid: 8 events in 6 transactions per round, sent one by one
from impersonated member accounts. Each database then backfills from block 0 with the
default settings (finality 12, roots from the deployment record), with all projections and with
none (raw events only), and the audit of the projected SQLite mirror must pass.

    COOP_INDEXER_BENCH_STATE=/tmp/bench16k.state pytest -m bench ...   # keep / reuse the chain
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from indexer.audit import audit_raw
from indexer.run import Indexer, roots_from_record
from node.chain.anvil import Anvil
from node.chain.artifacts import Artifacts
from node.chain.client import Chain
from tests.conftest import free_port
from tests.indexer.conftest import CoopScenario, DbFactory, _h, make_indexer

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


class _Restored:
    """The loaded scenario restored from a state file: the chain and the deployment record are
    all the benchmark reads."""

    def __init__(self, chain: Chain, record: dict[str, Any]) -> None:
        self.chain = chain
        self.record = record

    def indexer(self, db_url: str, **settings: Any) -> Indexer:
        settings.setdefault("roots", roots_from_record(self.record))
        return make_indexer(self.chain, db_url, **settings)


def _cache_key(rounds: int) -> dict[str, Any]:
    from tests.conftest import ARTIFACTS

    digest = hashlib.sha256(Path(ARTIFACTS).read_bytes()).hexdigest()[:16]
    return {"rounds": rounds, "artifacts": digest}


@pytest.fixture(scope="module")
def loaded(request: pytest.FixtureRequest) -> Iterator[CoopScenario | _Restored]:
    """The scenario with `COOP_INDEXER_BENCH_ROUNDS` rounds of traffic. With
    `COOP_INDEXER_BENCH_STATE=FILE`, the loaded chain is kept in FILE (anvil's state dump:
    blocks, receipts and logs included) with the deployment record beside it (FILE.json), and
    a later run with the same rounds and compiled contracts starts anvil from it in seconds
    instead of sending the ~12,000 transactions again."""
    rounds = int(os.environ.get("COOP_INDEXER_BENCH_ROUNDS", "2000"))
    state = os.environ.get("COOP_INDEXER_BENCH_STATE")
    cache = Path(state) if state else None
    meta = cache.with_suffix(".json") if cache else None
    if cache and meta and cache.exists() and meta.exists():
        saved = json.loads(meta.read_text())
        if saved.get("key") == _cache_key(rounds):
            from tests.conftest import ARTIFACTS

            started = time.monotonic()
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / "state.json"
                shutil.copyfile(cache, copy)  # anvil dumps back into the copy when it stops
                node = Anvil(free_port(), copy, state_interval=86_400)
                node.start()
                try:
                    chain = Chain(node.url, Artifacts(ARTIFACTS))
                    chain.wait_ready()
                    RESULTS["load"] = (
                        f"{saved['transactions']} transactions restored from {cache.name} "
                        f"in {time.monotonic() - started:.1f} s"
                    )
                    yield _Restored(chain, saved["record"])
                finally:
                    node.stop()
            return
    if not (cache and meta):
        sc = request.getfixturevalue("scenario")
        _load(sc, rounds)
        yield sc
        return
    # To be cached, the chain must keep every block's state (the indexer reads installers'
    # code at past blocks): anvil with a state file runs with --preserve-historical-states.
    from tests.conftest import ARTIFACTS

    with tempfile.TemporaryDirectory() as tmp:
        node = Anvil(free_port(), Path(tmp) / "state.json", state_interval=86_400)
        node.start()
        try:
            chain = Chain(node.url, Artifacts(ARTIFACTS))
            chain.wait_ready()
            sc = CoopScenario(chain)
            txs = _load(sc, rounds)
            dump = chain.w3.provider.make_request("anvil_dumpState", [])
            raw = bytes.fromhex(str(dump["result"]).removeprefix("0x"))
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_bytes(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
            meta.write_text(
                json.dumps({"key": _cache_key(rounds), "record": sc.record, "transactions": txs})
            )
            yield sc
        finally:
            node.stop()


def _load(sc: CoopScenario, rounds: int) -> int:
    chain, coop, units = sc.chain, sc.coop, sc.units
    active = [sc.members[0], sc.members[2], sc.members[3], sc.recovered]
    for a in active:
        chain.w3.provider.make_request("anvil_impersonateAccount", [a.address])  # type: ignore[arg-type]
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
    return len(txs)


@pytest.mark.parametrize("projected", [True, False], ids=["projections", "raw-only"])
def test_backfill_domain_events(
    loaded: CoopScenario | _Restored, db_factory: DbFactory, projected: bool
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
