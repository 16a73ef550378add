"""A network of N cooperatives with M members each on one anvil, built once and reloaded fast.

The cooperatives are created the way the node deploys them: the six implementations and the
`CooperativeFactory` (which creates the `NetworkRegistry`), one `createCooperative` per
cooperative, so the indexer discovers every set from `CooperativeRegistered`. Every member goes
the whole way of `Membership`: a signed application (`applyToJoinWithSig`, EIP-712, the member's
own key), an identity attestation, an attested fee payment and the admission decision.

What makes 100 x 1,000 fast:
- each cooperative's officer roles (decision executor, cashier, verifier) are held by a
  `TestBatchCaller` (contracts/test/) that only its owner key may drive, so one transaction
  admits `members_per_tx` members (4 calls each); the chair and the council are plain keys;
- anvil runs with automine off (`--no-mining`), a constant zero base fee and `--prune-history`
  (no state snapshot per block: 6 GB at 30,000 members otherwise); transactions
  from several senders (4 lanes, each with its own key, nonce and batch caller) are sent
  without waiting for receipts, a block's worth at a time (two batches of 64 members fill
  anvil's 30M gas), then mined with `anvil_mine`;
- call data is packed by hand (no web3 ABI encoding per call), and the members' keys,
  addresses and EIP-712 signatures come from `benchmarks/network_keys.cjs` (ethers, under 1 ms
  a member, against ~5 ms in pure Python), in a process that signs the next cooperative while
  anvil executes this one.

When done, anvil is stopped with SIGTERM and dumps its state (`--dump-state`: accounts, blocks,
transactions and receipts, so `eth_getLogs` answers after a reload; the call traces anvil also
keeps are stripped, see `strip_traces`) next to `scenario.json`
(the deployment record the node and the indexer read, every cooperative's addresses and its
members' addresses). `load(path)` starts an anvil with `--load-state` on a free port.

    from benchmarks.network_scenario import build, ensure, load
    with ensure(100, 1_000) as sc:          # loads the dump if present, else builds it (locked)
        sc.rpc_url, sc.record               # node's deployment record (roots for the indexer)
        sc.cooperatives[3]                  # Coop(slug, id, addresses, officer, owner, ...)
        sc.member_address(3, 17)            # the 18th member of the 4th cooperative
        sc.member_key(3, 17)                # its LocalAccount (derived from the seed)

    python benchmarks/network_scenario.py build --coops 100 --members 1000 [--out DIR]
    python benchmarks/network_scenario.py load DIR [--block-time 1]   # serves until Ctrl-C

Member keys are deterministic (`keccak256("{seed}/{coop}/{j}")`): never use them outside a
test chain. The default place is `$COOP_SCENARIO_DIR` or `/tmp/coopnode-scenarios/`, so the
benchmarks of several checkouts on one machine share one build.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import mmap
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import function_signature_to_4byte_selector as selector
from eth_utils import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.logs import DISCARD

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from node.chain.anvil import find_anvil  # noqa: E402
from node.chain.artifacts import Artifacts  # noqa: E402
from node.chain.client import Chain, checksum  # noqa: E402
from node.chain.devkeys import dev_accounts  # noqa: E402
from node.cooperative.client import CooperativeKind  # noqa: E402
from node.cooperative.deploy import (  # noqa: E402
    IMPLEMENTATIONS,
    CooperativeParams,
    sandbox_council,
)

FORMAT = 1
TOKEN = 10**18
SEED = "coopnode network scenario"
KEYS_JS = ROOT / "benchmarks" / "network_keys.cjs"
#: Kinds cycled over the cooperatives (every fifth kind; no union: unions take organisations).
KINDS = (
    CooperativeKind.CONSUMER,
    CooperativeKind.PRODUCTION,
    CooperativeKind.AGRICULTURAL,
    CooperativeKind.CREDIT,
    CooperativeKind.OTHER,
)

_APPLY = selector("applyToJoinWithSig(address,uint8,bytes32,bytes32,uint256,uint256,bytes)")
_ATTEST_IDENTITY = selector("attestIdentity(address,bytes32)")
_ATTEST_PAYMENT = selector("attestPayment(address,bytes32)")
_ADMIT = selector("admit(address,bytes32)")
_EXECUTE = selector("execute(address[],bytes[])")


def default_dir(n_coops: int, n_members: int) -> Path:
    base = os.environ.get("COOP_SCENARIO_DIR") or str(
        Path(tempfile.gettempdir()) / "coopnode-scenarios"
    )
    return Path(base) / f"network-{n_coops}x{n_members}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def slug_of(i: int) -> str:
    return f"coop{i:03d}"


@dataclass(frozen=True)
class Coop:
    """One cooperative of the scenario."""

    index: int
    slug: str
    id: int
    name: str
    kind: str
    addresses: dict[str, str]
    #: The `TestBatchCaller` holding the decision executor, cashier and verifier roles.
    officer: str
    #: The dev key that owns the batch caller, chairs the cooperative and sits on its council.
    owner: str
    council: list[str]


@dataclass
class Scenario:
    """A built network on a running anvil (`load`) or just built (`build`)."""

    path: Path
    rpc_url: str
    chain_id: int
    record: dict[str, Any]
    cooperatives: list[Coop]
    members: list[list[str]]
    seed: str = SEED
    stats: dict[str, Any] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def n_coops(self) -> int:
        return len(self.cooperatives)

    @property
    def n_members(self) -> int:
        return len(self.members[0]) if self.members else 0

    def member_address(self, coop: int, j: int) -> str:
        return self.members[coop][j]

    def member_key(self, coop: int, j: int) -> LocalAccount:
        """Member j of cooperative `coop` (indices from 0), with its key."""
        account: LocalAccount = Account.from_key(keccak(text=f"{self.seed}/{coop}/{j}"))
        return account

    def owner_key(self, coop: int) -> LocalAccount:
        """The dev key that owns cooperative `coop`'s batch caller (its chair)."""
        owner = self.cooperatives[coop].owner
        return next(a for a in dev_accounts() if a.address == owner)

    def chain(self) -> Chain:
        return Chain(self.rpc_url, Artifacts(ROOT / ".build" / "__local__.json"))

    def stop(self) -> None:
        stop_anvil(self.process)
        self.process = None

    def __enter__(self) -> Scenario:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# -- anvil ----------------------------------------------------------------------------------


def anvil_binary() -> str:
    """The native anvil, not npm's node wrapper: the wrapper may exit before anvil has finished
    dumping its state on SIGTERM."""
    found = sorted(ROOT.glob("node_modules/@foundry-rs/anvil-*/bin/anvil"))
    return str(found[0]) if found else find_anvil()


def start_anvil(port: int, *extra: str, log: Path | None = None) -> subprocess.Popen[bytes]:
    quiet = [] if os.environ.get("COOP_SCENARIO_ANVIL_LOG") else ["--silent"]
    cmd = [anvil_binary(), "--host", "127.0.0.1", "--port", str(port), *quiet, *extra]
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    if log and not isinstance(out, int):
        out.close()
    deadline = time.monotonic() + 600  # loading a large state takes a while
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"anvil exited with status {proc.returncode}: {' '.join(cmd)}")
        try:
            w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 5}))
            w3.eth.block_number  # noqa: B018 - the probe
            return proc
        except Exception:
            time.sleep(0.1)
    stop_anvil(proc)
    raise RuntimeError("anvil did not answer within 600 s")


def stop_anvil(proc: subprocess.Popen[bytes] | None, timeout: float = 900.0) -> None:
    """SIGTERM (anvil dumps its state if told to), wait; SIGKILL only if it hangs."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


class Sender:
    """One key sending pre-encoded transactions with its own nonce (no estimate, no wait)."""

    def __init__(self, w3: Web3, account: LocalAccount, chain_id: int) -> None:
        self.w3 = w3
        self.account = account
        self.chain_id = chain_id
        self.nonce = w3.eth.get_transaction_count(account.address, "pending")

    def send(self, to: str | None, data: bytes, gas: int) -> str:
        tx: dict[str, Any] = {
            "type": 2,
            "chainId": self.chain_id,
            "nonce": self.nonce,
            "gas": gas,
            "maxFeePerGas": 10**9,
            "maxPriorityFeePerGas": 0,
            "value": 0,
            "data": data,
        }
        if to is not None:
            tx["to"] = checksum(to)
        signed = self.account.sign_transaction(tx)
        self.nonce += 1
        return HexBytes(self.w3.eth.send_raw_transaction(signed.raw_transaction)).to_0x_hex()


def mine_all(w3: Web3, hashes: list[str]) -> list[dict[str, Any]]:
    """Mine until every transaction has a receipt; fail on any reverted one."""
    receipts: dict[str, Any] = {}
    pending = list(hashes)
    idle = 0
    while pending:
        w3.provider.make_request("anvil_mine", ["0x1"])  # type: ignore[arg-type]
        idle += 1
        if idle > 3:
            tx = w3.provider.make_request("eth_getTransactionByHash", [pending[0]])  # type: ignore[arg-type]
            raise RuntimeError(f"{len(pending)} transactions never mined, first {pending[0]}: {tx}")
        still = []
        for h in pending:
            r = w3.provider.make_request("eth_getTransactionReceipt", [h])  # type: ignore[arg-type]
            if r.get("result") is None:
                still.append(h)
            else:
                receipts[h] = r["result"]
                idle = 0
        pending = still
    bad = [h for h in hashes if int(receipts[h]["status"], 16) != 1]
    if bad:
        raise RuntimeError(f"{len(bad)} transactions reverted, first {bad[0]}")
    return [receipts[h] for h in hashes]


class Packer:
    """Sends transactions and mines a block whenever the next one would not fit: anvil drops a
    sender's later-nonce transaction when an earlier one spills into the next block."""

    def __init__(self, w3: Web3, block_gas: int, *, keep: bool = True) -> None:
        self.w3 = w3
        self.block_gas = block_gas
        self.keep = keep
        self.pending: list[str] = []
        self.gas = 0
        self.receipts: dict[str, Any] = {}
        self.blocks = 0

    def send(self, sender: Sender, to: str | None, data: bytes, gas: int) -> str:
        if self.gas + gas > self.block_gas:
            self.flush()
        h = sender.send(to, data, gas)
        self.pending.append(h)
        self.gas += gas
        return h

    def flush(self) -> None:
        if self.pending:
            receipts = mine_all(self.w3, self.pending)
            self.blocks += 1
            if self.keep:
                self.receipts.update(zip(self.pending, receipts, strict=True))
        self.pending, self.gas = [], 0


def _sent(packer: Packer, sender: Sender, to: str | None, data: bytes, gas: int) -> str:
    """Send one transaction and mine it at once (for the few whose address the next needs)."""
    h = packer.send(sender, to, data, gas)
    packer.flush()
    return h


# -- call data ------------------------------------------------------------------------------


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _addr(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(address[2:])


def _apply_call(applicant: str, tag: str, deadline: int, signature: bytes) -> bytes:
    return (
        _APPLY
        + _addr(applicant)
        + _word(0)  # individual
        + keccak(text=f"identity {tag}")
        + keccak(text=f"application {tag}")
        + _word(0)  # nonce
        + _word(deadline)
        + _word(7 * 32)  # offset of the signature
        + _word(len(signature))
        + signature.ljust(96, b"\0")
    )


def _officer_calls(applicant: str, tag: str) -> list[bytes]:
    a = _addr(applicant)
    return [
        _ATTEST_IDENTITY + a + keccak(text=f"identity check {tag}"),
        _ATTEST_PAYMENT + a + keccak(text=f"payment {tag}"),
        _ADMIT + a + keccak(text=f"admission decision {tag}"),
    ]


def _execute(targets: list[str], calls: list[bytes]) -> bytes:
    return _EXECUTE + abi_encode(["address[]", "bytes[]"], [[checksum(t) for t in targets], calls])


# -- build ----------------------------------------------------------------------------------


def _deploy_code(chain: Chain, name: str, args: list[Any] | tuple[Any, ...] = ()) -> bytes:
    artifact = chain.artifacts.get(name)
    factory = chain.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    return bytes(HexBytes(factory.constructor(*args).data_in_transaction))


def _created(receipt: dict[str, Any]) -> str:
    return checksum(receipt["contractAddress"])


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """One builder of a directory at a time (across processes)."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(
    n_coops: int,
    n_members: int,
    path: Path | str | None = None,
    **kwargs: Any,
) -> Scenario:
    """Build the network on a fresh anvil, dump its state into `path`, and return the scenario
    (its anvil stopped: `load(path)` serves it). Keywords: `members_per_tx` (64), `lanes` (4),
    `log` (progress on stderr)."""
    out = Path(path) if path is not None else default_dir(n_coops, n_members)
    with _locked(out):
        return _build(n_coops, n_members, out, **kwargs)


def _build(
    n_coops: int,
    n_members: int,
    path: Path | str | None = None,
    *,
    members_per_tx: int = 64,
    lanes: int = 4,
    log: bool = True,
    prune: bool = True,
) -> Scenario:
    out = Path(path) if path is not None else default_dir(n_coops, n_members)
    out.mkdir(parents=True, exist_ok=True)
    state_file = out / "state.json"
    state_file.unlink(missing_ok=True)
    (out / "scenario.json").unlink(missing_ok=True)
    say = (
        (lambda s: print(f"[scenario] {s}", file=sys.stderr, flush=True))
        if log
        else (lambda s: None)
    )
    t0, cpu0, kids0 = time.perf_counter(), time.process_time(), _children_cpu()
    port = free_port()
    proc = start_anvil(
        port,
        "--no-mining",
        "--block-base-fee-per-gas",
        "0",
        *(["--prune-history"] if prune else []),
        "--dump-state",
        str(state_file),
        log=out / "anvil-build.log",
    )
    try:
        chain = Chain(f"http://127.0.0.1:{port}", Artifacts(ROOT / ".build" / "__local__.json"))
        w3 = chain.w3
        chain_id = chain.chain_id
        block_gas = int(w3.eth.get_block("latest")["gasLimit"])
        devs = dev_accounts()
        deployer = Sender(w3, devs[0], chain_id)
        owners = [Sender(w3, devs[1 + k], chain_id) for k in range(lanes)]

        # The network, exactly as `deploy_network` makes it; a token; one batch caller a lane.
        packer = Packer(w3, block_gas)

        def deploy(sender: Sender, name: str, *args: Any) -> str:
            code = _deploy_code(chain, name, args)
            gas = int(w3.eth.estimate_gas({"from": sender.account.address, "data": code}) * 1.2)
            return _created(packer.receipts[_sent(packer, sender, None, code, gas)])

        impls = {n: deploy(deployer, n) for n in IMPLEMENTATIONS}
        token = deploy(deployer, "TestToken", "Test Ruble", "tRUB")
        officers = [deploy(o, "TestBatchCaller", o.account.address) for o in owners]
        factory_address = deploy(
            deployer, "CooperativeFactory", tuple(impls[n] for n in IMPLEMENTATIONS)
        )
        factory = chain.contract("CooperativeFactory", factory_address)
        registry = chain.contract("NetworkRegistry", factory.functions.registry().call())
        say(f"network: factory {factory.address}, registry {registry.address}")

        # The cooperatives: one factory call each, sent by their owners' lanes in waves.
        coops: list[Coop] = []
        params_of: list[tuple[int, CooperativeParams]] = []
        for i in range(n_coops):
            lane = i % lanes
            owner = owners[lane].account.address
            kind = KINDS[i % len(KINDS)]
            params_of.append(
                (
                    lane,
                    CooperativeParams(
                        name=f"Кооператив №{i + 1}",
                        symbol=f"C{i + 1}",
                        kind=kind,
                        payment_token=token,
                        council=sandbox_council(owner, f"network scenario {i}"),
                        chair=owner,
                        decision_executor=officers[lane],
                        charter_document=keccak(text=f"Устав кооператива №{i + 1}"),
                        individual_fees=(100 * TOKEN, 1_000 * TOKEN),
                        organisation_fees=(1_000 * TOKEN, 5_000 * TOKEN),
                        fund_split_bps=[0, 5_000, 2_500, 2_500],
                        cashiers=[officers[lane]],
                        verifiers=[officers[lane]],
                    ),
                )
            )
        create_gas: int | None = None
        packer = Packer(w3, block_gas)
        created: list[tuple[str, CooperativeParams, int]] = []
        for lane, p in params_of:
            data = bytes(
                HexBytes(factory.functions.createCooperative(p.as_abi())._encode_transaction_data())
            )
            if create_gas is None:
                est = w3.eth.estimate_gas(
                    {"from": owners[lane].account.address, "to": factory.address, "data": data}
                )
                create_gas = int(est * 1.3) + 100_000
            created.append((packer.send(owners[lane], factory.address, data, create_gas), p, lane))
        packer.flush()
        for h, p, lane in created:
            (event,) = registry.events.CooperativeRegistered().process_receipt(
                _as_receipt(packer.receipts[h]), errors=DISCARD
            )
            c = event["args"]["contracts"]
            index = len(coops)
            coops.append(
                Coop(
                    index=index,
                    slug=slug_of(index),
                    id=int(event["args"]["id"]),
                    name=p.name,
                    kind=CooperativeKind(p.kind).name.lower(),
                    addresses={
                        "id": int(event["args"]["id"]),  # type: ignore[dict-item]
                        "charter": c["charter"],
                        "membership": c["membership"],
                        "shares": c["shares"],
                        "treasury": c["treasury"],
                        "documents": c["documents"],
                        "settlement_units": c["settlementUnits"],
                    },
                    officer=officers[lane],
                    owner=owners[lane].account.address,
                    council=list(p.council),
                )
            )
        t_coops = time.perf_counter() - t0
        say(f"{n_coops} cooperatives created in {t_coops:.1f} s")

        # The members: signed applications from the keys helper, admitted in batches.
        deadline = int(time.time()) + 20 * 365 * 86400
        separators = [
            HexBytes(
                chain.contract("Membership", c.addresses["membership"])
                .functions.domainSeparator()
                .call()
            ).to_0x_hex()
            for c in coops
        ]
        members: list[list[str]] = []
        member_gas: int | None = None
        signer = subprocess.Popen(
            ["node", str(KEYS_JS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert signer.stdin is not None and signer.stdout is not None
        for i in range(n_coops):
            req = {
                "seed": SEED,
                "coop": i,
                "start": 0,
                "count": n_members,
                "separator": separators[i],
                "deadline": deadline,
            }
            signer.stdin.write(json.dumps(req) + "\n")
        signer.stdin.close()
        packer = Packer(w3, block_gas, keep=False)
        for i, c in enumerate(coops):
            answer = json.loads(signer.stdout.readline())
            addresses = [checksum(a) for a in answer["addresses"]]
            members.append(addresses)
            sender = owners[i % lanes]
            membership = c.addresses["membership"]
            for start in range(0, n_members, members_per_tx):
                targets: list[str] = []
                calls: list[bytes] = []
                for j in range(start, min(start + members_per_tx, n_members)):
                    tag = f"{SEED}/{i}/{j}"
                    sig = bytes(HexBytes(answer["signatures"][j]))
                    targets += [membership] * 4
                    calls.append(_apply_call(addresses[j], tag, deadline, sig))
                    calls += _officer_calls(addresses[j], tag)
                data = _execute(targets, calls)
                if member_gas is None:
                    est = w3.eth.estimate_gas(
                        {"from": sender.account.address, "to": c.officer, "data": data}
                    )
                    member_gas = -(-est // (len(targets) // 4))
                    say(f"~{member_gas:,} gas a member (estimate of the first batch)")
                # Every member costs the same but the first of the first batch (estimated):
                # 5% and a little more, so that two batches of 64 fill a 30M block.
                gas = min(int(member_gas * (len(targets) // 4) * 1.05) + 100_000, block_gas)
                packer.send(sender, c.officer, data, gas)
            if (i + 1) % 10 == 0 or i + 1 == n_coops:
                say(
                    f"{i + 1}/{n_coops} cooperatives' members sent "
                    f"({time.perf_counter() - t0:.0f} s)"
                )
        packer.flush()
        signer.wait(60)

        head = w3.eth.get_block("latest")
        genesis = HexBytes(w3.eth.get_block(0)["hash"]).to_0x_hex()
        for c in coops[:: max(1, n_coops // 5)]:  # spot checks
            count = chain.contract("Membership", c.addresses["membership"]).functions
            assert count.activeMemberCount().call() == n_members, c.slug
        wall = time.perf_counter() - t0
        stats = {
            "n_coops": n_coops,
            "n_members": n_members,
            "members_per_tx": members_per_tx,
            "lanes": lanes,
            "blocks": int(head["number"]),
            "gas_per_member_estimate": member_gas,
            "build_wall_s": round(wall, 2),
            "build_cpu_s": round(time.process_time() - cpu0, 2),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
        record = _record(
            chain_id, genesis, factory.address, registry.address, token, impls, coops, head
        )
    except BaseException:
        stop_anvil(proc)
        raise
    t_dump = time.perf_counter()
    stop_anvil(proc)  # SIGTERM: anvil dumps the state into state.json
    stats["dump_s"] = round(time.perf_counter() - t_dump, 2)
    stats["state_bytes_with_traces"] = state_file.stat().st_size
    strip_traces(state_file)
    stats["anvil_cpu_s"] = round(_children_cpu() - kids0, 2)  # anvil and the keys helper
    stats["state_bytes"] = state_file.stat().st_size
    say(f"built in {wall:.1f} s; state dumped in {stats['dump_s']} s, {stats['state_bytes']:,} B")
    scenario = Scenario(
        path=out,
        rpc_url="",
        chain_id=chain_id,
        record=record,
        cooperatives=coops,
        members=members,
        stats=stats,
    )
    _write(scenario)
    return scenario


def _as_receipt(raw: dict[str, Any]) -> Any:
    """A raw JSON receipt in the shape web3's `process_receipt` reads."""
    return {
        "logs": [
            {
                "address": checksum(log["address"]),
                "topics": [HexBytes(t) for t in log["topics"]],
                "data": HexBytes(log["data"]),
                "blockNumber": int(log["blockNumber"], 16),
                "transactionHash": HexBytes(log["transactionHash"]),
                "transactionIndex": int(log["transactionIndex"], 16),
                "blockHash": HexBytes(log["blockHash"]),
                "logIndex": int(log["logIndex"], 16),
                "removed": False,
            }
            for log in raw["logs"]
        ]
    }


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _record(
    chain_id: int,
    genesis: str,
    factory: str,
    registry: str,
    token: str,
    impls: dict[str, str],
    coops: list[Coop],
    head: Any,
) -> dict[str, Any]:
    """The node's deployment record (`node/chain/deployment.py`, the demo's shape): the network's
    contracts under "contracts" (the indexer's roots), each cooperative under "cooperatives"."""
    contracts = {"CooperativeFactory": factory, "NetworkRegistry": registry, "TestToken": token}
    contracts.update({f"impl.{k}": v for k, v in impls.items()})
    return {
        "contracts": contracts,
        "cooperatives": {
            c.slug: {
                **c.addresses,
                "name": c.name,
                "kind": c.kind,
                "chair": c.owner,
                "decision_executor": c.officer,
                "council": c.council,
            }
            for c in coops
        },
        "payment_token": token,
        "network": {"factory": factory, "registry": registry, "implementations": impls},
        "chain_id": chain_id,
        "genesis_hash": genesis,
        "deployed_at_block": int(head["number"]),
        "deployed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "deployer": dev_accounts()[0].address,
    }


def _write(scenario: Scenario) -> None:
    data = {
        "format": FORMAT,
        "seed": scenario.seed,
        "chain_id": scenario.chain_id,
        "record": scenario.record,
        "cooperatives": [c.__dict__ for c in scenario.cooperatives],
        "members": scenario.members,
        "stats": scenario.stats,
    }
    tmp = scenario.path / "scenario.json.tmp"
    tmp.write_text(json.dumps(data))
    os.replace(tmp, scenario.path / "scenario.json")


_TRACES = re.compile(rb'"traces":\[')
_BRACKET = re.compile(rb"[\[\]]")


def strip_traces(path: Path) -> None:
    """Empty every transaction's call traces in an anvil state dump, in place.

    anvil keeps each transaction's full call trace (every inner call's input and output) and
    dumps it: ~20 kB a member here, 2.4 GB for 100 x 1,000, where the blocks, receipts and
    accounts take ~6.5 kB a member. Nothing the node reads needs them (no `debug_*` or `ots_*`);
    anvil loads `"traces":[]` fine. The scan is streaming (mmap and two regexes: the traces hold
    hex strings, addresses and enum names, never a bracket inside a string).
    """
    tmp = path.with_suffix(".stripped.tmp")
    with path.open("rb") as src, tmp.open("wb") as out:
        m = mmap.mmap(src.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            pos = 0
            while True:
                hit = _TRACES.search(m, pos)
                if hit is None:
                    out.write(m[pos:])
                    break
                out.write(m[pos : hit.end()])
                depth = 1
                for b in _BRACKET.finditer(m, hit.end()):
                    depth += 1 if m[b.start()] == 0x5B else -1
                    if depth == 0:
                        pos = b.start()
                        break
                else:
                    raise ValueError(f"{path}: unbalanced traces at byte {hit.start()}")
        finally:
            m.close()
    os.replace(tmp, path)


# -- load -----------------------------------------------------------------------------------


def read(path: Path | str) -> Scenario:
    """The scenario's description without starting a chain (`rpc_url` empty)."""
    p = Path(path)
    data = json.loads((p / "scenario.json").read_text())
    if data.get("format") != FORMAT:
        raise ValueError(f"{p}: scenario format {data.get('format')}, expected {FORMAT}")
    return Scenario(
        path=p,
        rpc_url="",
        chain_id=int(data["chain_id"]),
        record=data["record"],
        cooperatives=[Coop(**c) for c in data["cooperatives"]],
        members=data["members"],
        seed=data["seed"],
        stats=data["stats"],
    )


def load(path: Path | str, *, port: int | None = None, block_time: float | None = None) -> Scenario:
    """Start an anvil on the dumped state (a scratch copy: nothing is dumped back) and return
    the scenario on it. Automine by default; `block_time` for interval mining like a real
    chain. Stop it with `scenario.stop()` or use it as a context manager."""
    scenario = read(path)
    port = port or free_port()
    extra = ["--load-state", str(scenario.path / "state.json")]
    if block_time is not None:
        extra += ["--block-time", str(block_time)]
    t = time.perf_counter()
    scenario.process = start_anvil(port, *extra)
    scenario.rpc_url = f"http://127.0.0.1:{port}"
    scenario.stats = {**scenario.stats, "load_s": round(time.perf_counter() - t, 2)}
    return scenario


@contextmanager
def ensure(
    n_coops: int, n_members: int, path: Path | str | None = None, **kwargs: Any
) -> Iterator[Scenario]:
    """`load` the scenario at `path` (by default the shared place for this size), building it
    first if it is missing; a file lock makes concurrent callers build it once."""
    out = Path(path) if path is not None else default_dir(n_coops, n_members)
    with _locked(out):
        try:
            ready = read(out) if (out / "state.json").exists() else None
        except (OSError, ValueError):
            ready = None
        if ready is None or ready.n_coops != n_coops or ready.n_members != n_members:
            _build(n_coops, n_members, out, **kwargs)
    scenario = load(out)
    try:
        yield scenario
    finally:
        scenario.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the network and dump its state")
    b.add_argument("--coops", type=int, default=100)
    b.add_argument("--members", type=int, default=1_000)
    b.add_argument("--out", type=Path, help="directory (default: the shared place for the size)")
    b.add_argument("--members-per-tx", type=int, default=64)
    b.add_argument("--lanes", type=int, default=4)
    ld = sub.add_parser("load", help="serve a built network until Ctrl-C")
    ld.add_argument("path", type=Path)
    ld.add_argument("--port", type=int)
    ld.add_argument("--block-time", type=float)
    args = parser.parse_args()
    if args.command == "build":
        sc = build(
            args.coops,
            args.members,
            args.out,
            members_per_tx=args.members_per_tx,
            lanes=args.lanes,
        )
        print(json.dumps({"path": str(sc.path), **sc.stats}, indent=2))
        return
    sc = load(args.path, port=args.port, block_time=args.block_time)
    print(json.dumps({"rpc_url": sc.rpc_url, "load_s": sc.stats["load_s"]}), flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        sc.stop()


if __name__ == "__main__":
    main()
