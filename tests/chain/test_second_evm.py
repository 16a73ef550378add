"""The node on a second EVM implementation: EthereumJS's client (npm @ethereumjs/client), a
London Clique chain with a sealer and a follower that syncs it over devp2p.

Nothing here is anvil: no `anvil_*`/`evm_*` methods, blocks every second by the sealer, gas
estimated by EthereumJS's own EVM, receipts and logs served by the sealer and the follower. The
contracts are compiled for `paris` (tools/compile_evm.py: no PUSH0, no transient storage), the
target the `COOP_EVM_VERSION` setting names for such a chain.

One module-scoped run: a network and a cooperative through the factory, three members admitted
through the join flow, governance installed and the decision executor handed to the council, a
council decision (a member's ВРЕ credit limit) and a documented ВРЕ transfer; then the indexer
backfills from EthereumJS's RPC and `coop audit` finds the mirror equal to a rebuild and to
the contracts' views; a follower that syncs the chain over devp2p reaches the same head (block
hashes and state roots equal), answers the contracts' views and serves the indexer and the
audit the same way. Skipped when the client is not installed (`npm ci` installs it).
"""

from __future__ import annotations

import hashlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3.exceptions import Web3RPCError

from indexer.audit import audit_raw
from indexer.config import IndexerSettings
from indexer.run import Indexer, roots_from_record
from node.chain.artifacts import Artifacts
from node.chain.client import Chain
from node.chain.devkeys import dev_accounts
from node.chain.ethereumjs import EthereumJSNode, clique_genesis, find_ethereumjs
from node.cooperative.deploy import deploy_network
from node.core.config import PROJECT_ROOT
from node.governance.client import Action
from node.governance.sandbox import Sandbox, governed_cooperative, h
from node.units.client import SettlementUnitsClient

try:
    find_ethereumjs()
except RuntimeError:  # pragma: no cover - only without node_modules
    pytest.skip("@ethereumjs/client not installed (npm ci)", allow_module_level=True)

CHAIN_ID = 1_337_019
#: What the run deploys, compiled for paris (the rest of the ABIs come from the default build).
SOURCES = [
    "contracts/CooperativeFactory.sol",
    "contracts/Charter.sol",
    "contracts/Membership.sol",
    "contracts/Shares.sol",
    "contracts/Treasury.sol",
    "contracts/DocumentRegistry.sol",
    "contracts/SettlementUnits.sol",
    "contracts/GovernanceInstaller.sol",
    "contracts/Council.sol",
    "contracts/GeneralMeeting.sol",
    "contracts/MeetingProxies.sol",
    "contracts/test/TestToken.sol",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def paris_artifacts() -> Artifacts:
    """The deployed contracts compiled for paris over the default build's ABIs, cached in
    .build/evm-paris-test/ by a hash of the sources."""
    from tools.compile_evm import compile_for

    digest = hashlib.sha256()
    for path in sorted((PROJECT_ROOT / "contracts").rglob("*.sol")):
        digest.update(path.read_bytes())
    digest.update((PROJECT_ROOT / "tools" / "compile_evm.py").read_bytes())
    folder = PROJECT_ROOT / ".build" / "evm-paris-test"
    merged = folder / f"{digest.hexdigest()[:16]}.json"
    if not merged.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink()
        paris = folder / "paris.json.tmp"
        compile_for("paris", SOURCES, paris)
        base = json.loads((PROJECT_ROOT / ".build" / "__local__.json").read_text())
        base["contractTypes"].update(json.loads(paris.read_text())["contractTypes"])
        merged.write_text(json.dumps(base))
        paris.unlink()
    return Artifacts(merged)


@pytest.fixture(scope="module")
def ejs(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EthereumJSNode, EthereumJSNode]]:
    """A sealer and a follower peered over devp2p (discovery off, the sealer as bootnode)."""
    keys = dev_accounts()
    sealer = keys[9]
    genesis = clique_genesis(CHAIN_ID, sealer.address, [a.address for a in keys])
    root = tmp_path_factory.mktemp("ethereumjs")
    miner = EthereumJSNode(
        root / "sealer", genesis, rpc_port=free_port(), p2p_port=free_port(), sealer=sealer
    )
    miner.start()
    follower = EthereumJSNode(
        root / "follower",
        genesis,
        rpc_port=free_port(),
        p2p_port=free_port(),
        bootnode=miner.enode(),
    )
    try:
        follower.start()
        yield miner, follower
    finally:
        follower.stop()
        miner.stop()


@pytest.fixture(scope="module")
def run(ejs: tuple[EthereumJSNode, EthereumJSNode], paris_artifacts: Artifacts) -> dict[str, Any]:
    miner, _ = ejs
    chain = Chain(miner.url, paris_artifacts)
    chain.wait_ready()
    assert chain.chain_id == CHAIN_ID
    network = deploy_network(chain, dev_accounts()[0])
    sb = governed_cooperative(chain, dev_accounts(), 3, label="EthereumJS", network=network)
    council = sb.governance.council
    units = SettlementUnitsClient(chain, sb.cooperative.addresses.settlement_units)
    a, b = sb.members[0], sb.members[1]
    limit = Action.call(units.contract, "setCreditLimit", a.address, 1_000)
    item = council.decide(sb.council[0], sb.council[:2], sb.chair, h("credit limit"), [limit])
    units.transfer(a, b.address, 250, h("invoice 1"))
    head = chain.w3.eth.block_number
    return {"sb": sb, "chain": chain, "item": item, "head": head, "network": network}


def test_a_cooperative_runs_on_ethereumjs(run: dict[str, Any]) -> None:
    sb: Sandbox = run["sb"]
    coop = sb.cooperative
    assert coop.active_member_count() == 3
    assert coop.charter.functions.decisionExecutor().call() == sb.governance.council.address
    units = SettlementUnitsClient(run["chain"], coop.addresses.settlement_units)
    assert units.credit_limit(sb.members[0].address) == 1_000
    assert units.signed_balance(sb.members[0].address) == -250
    assert units.balance_of(sb.members[1].address) == 250
    # Nothing of the code is anvil's: the chain answers as EthereumJS.
    version = run["chain"].w3.provider.make_request("web3_clientVersion", [])  # type: ignore[arg-type]
    assert "ethereumjs" in str(version.get("result", "")).lower()


def index_and_audit(chain: Chain, run: dict[str, Any], folder: Path) -> int:
    """Backfills the mirror from `chain`'s RPC up to the run's head and audits it against a
    rebuild and the contracts' views read through the same RPC; returns the events indexed."""
    record = {
        "contracts": {
            "CooperativeFactory": run["network"].factory,
            "NetworkRegistry": run["network"].registry,
        },
        "cooperatives": {"ejs": {"council": run["sb"].governance.council.address}},
    }
    live = f"sqlite:///{folder / 'live.db'}"
    idx = Indexer(
        rpc_url=chain.rpc_url,
        database_url=live,
        artifacts=chain.artifacts,
        settings=IndexerSettings(roots=roots_from_record(record), finality_depth=0),
    )
    try:
        report = idx.sync_once(to_block=run["head"])
    finally:
        idx.close()
    assert report.events > 20
    audit = audit_raw(chain, live, f"sqlite:///{folder / 'scratch.db'}")
    assert audit.ok, audit.differences
    assert audit.compared["idx_raw_event"] == report.events
    return int(report.events)


def test_the_indexer_and_audit_run_on_it(run: dict[str, Any], tmp_path: Path) -> None:
    run["events"] = index_and_audit(run["chain"], run, tmp_path)


def executed(chain: Chain, number: int, address: str) -> bool:
    """Whether `chain`'s node has executed block `number`: EthereumJS answers for a block it has
    imported (`eth_blockNumber`, `eth_getBlockByNumber`) before it has executed it, and only
    execution writes the block's state and receipts."""
    if chain.w3.eth.block_number < number:
        return False
    try:
        chain.w3.eth.get_balance(address, number)
    except Web3RPCError:  # "value for 0x... not found in DB": not executed yet
        return False
    return True


def test_a_follower_syncs_the_chain_over_devp2p(
    run: dict[str, Any], ejs: tuple[EthereumJSNode, EthereumJSNode], tmp_path: Path
) -> None:
    """The follower peers with the sealer over RLPx, imports and executes every block the run
    sealed (hash and state root equal, transactions included); with the sealer then stopped,
    it answers the contracts' views from its own state and serves the indexer and `coop audit`
    as the sealer did. Before the launcher's fixes 3 and 4 (tools/ethereumjs-node.mjs) it
    stopped a few blocks after it connected. Runs last: it stops the sealer."""
    _, follower = ejs
    chain = Chain(follower.url, run["chain"].artifacts)
    head = run["head"]
    sb: Sandbox = run["sb"]
    deadline = time.monotonic() + 60
    while not executed(chain, head, sb.members[0].address):
        assert time.monotonic() < deadline, f"the follower did not sync: {follower.log_tail()}"
        time.sleep(0.5)
    sealer = run["chain"].w3
    with_txs = [n for n in range(1, head + 1) if sealer.eth.get_block(n)["transactions"]]
    assert len(with_txs) > 10
    for number in (with_txs[0], with_txs[-1], head):
        mine, theirs = chain.w3.eth.get_block(number), sealer.eth.get_block(number)
        assert mine["hash"] == theirs["hash"]
        assert mine["stateRoot"] == theirs["stateRoot"]
    peers = chain.w3.provider.make_request("net_peerCount", [])  # type: ignore[arg-type]
    assert int(peers["result"], 16) >= 1
    # The follower alone from here: its "latest" is the block it imported last, answered before
    # it is executed, so a view read at "latest" while blocks still come may briefly fail.
    # A block in flight when the sealer stops may still arrive: wait for a head that stays put.
    ejs[0].stop()
    settled = -1
    while settled != (last := chain.w3.eth.block_number) or not executed(
        chain, last, sb.members[0].address
    ):
        assert time.monotonic() < deadline, f"the follower did not execute: {follower.log_tail()}"
        settled = last
        time.sleep(0.5)
    units = SettlementUnitsClient(chain, sb.cooperative.addresses.settlement_units)
    assert units.credit_limit(sb.members[0].address) == 1_000
    assert units.signed_balance(sb.members[0].address) == -250
    events = index_and_audit(chain, run, tmp_path)
    assert events == run.get("events", events)
