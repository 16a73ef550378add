"""A second EVM implementation for the node's portability suite: EthereumJS's client.

`@ethereumjs/client` (npm, in package.json) runs a Clique proof-of-authority chain: one sealer
(`--mine`, blocks every `period` seconds) and any number of followers that sync its blocks over
devp2p (RLPx, `--bootnodes`), each serving JSON-RPC. Its EVM, state trie, transaction pool and
RPC are EthereumJS's own (TypeScript), nothing shared with anvil (Rust, revm).

What it supports, as used here: Clique up to the London hardfork only (Shanghai and later are
post-Merge and need a consensus client), so the contracts must be compiled for `paris` (no
PUSH0, no transient storage, no MCOPY: `tools/compile_evm.py`, `COOP_EVM_VERSION=paris`); no
`anvil_*`/`evm_*` methods (no time travel, no balance setting: accounts are funded in the
genesis), no `eth_call` state overrides; `eth_getLogs` answers at most 10,000 logs a call;
blocks come at the Clique period, never on demand. Dev and test use only.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

from eth_account.signers.local import LocalAccount

from node.core.config import PROJECT_ROOT


class EthereumJSError(RuntimeError):
    """The client could not be found or did not start."""


def find_ethereumjs() -> Path:
    """The launcher `tools/ethereumjs-node.mjs` (the client's own command line with the fixes
    it describes), once `npm ci` has installed the client."""
    cli = PROJECT_ROOT / "node_modules" / "@ethereumjs" / "client" / "dist" / "esm" / "bin"
    if not (cli / "cli.js").exists():
        raise EthereumJSError("@ethereumjs/client not installed: run `npm ci`")
    return PROJECT_ROOT / "tools" / "ethereumjs-node.mjs"


def clique_genesis(
    chain_id: int,
    sealer: str,
    funded: list[str],
    *,
    period: int = 1,
    gas_limit: int = 30_000_000,
    balance: int = 10**24,
) -> dict[str, object]:
    """A geth-style genesis of a London Clique chain sealed by `sealer`."""
    forks = [
        "homestead",
        "eip150",
        "eip155",
        "eip158",
        "byzantium",
        "constantinople",
        "petersburg",
        "istanbul",
        "berlin",
        "london",
    ]
    return {
        "config": {
            "chainId": chain_id,
            **{f"{f}Block": 0 for f in forks},
            "clique": {"period": period, "epoch": 30_000},
        },
        "nonce": "0x0",
        "timestamp": hex(int(time.time())),
        "gasLimit": hex(gas_limit),
        "difficulty": "0x1",
        "mixHash": "0x" + "00" * 32,
        "coinbase": "0x" + "00" * 20,
        "baseFeePerGas": hex(10**9),
        "extraData": "0x" + "00" * 32 + sealer.lower().removeprefix("0x") + "00" * 65,
        "alloc": {a.lower().removeprefix("0x"): {"balance": hex(balance)} for a in funded},
    }


class EthereumJSNode:
    """One EthereumJS client process: a sealer (`sealer` given) or a follower (`bootnode`)."""

    def __init__(
        self,
        workdir: Path,
        genesis: dict[str, object],
        *,
        rpc_port: int,
        p2p_port: int,
        sealer: LocalAccount | None = None,
        bootnode: str | None = None,
    ) -> None:
        self.workdir = workdir
        self.genesis = genesis
        self.rpc_port = rpc_port
        self.p2p_port = p2p_port
        self.sealer = sealer
        self.bootnode = bootnode
        self.process: subprocess.Popen[bytes] | None = None
        self.log_file = workdir / "client.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}"

    def start(self, timeout: float = 120.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        genesis_file = self.workdir / "coopnet.json"  # the chain's name is the file's
        genesis_file.write_text(json.dumps(self.genesis))
        cmd = [
            "node",
            str(find_ethereumjs()),
            "--gethGenesis",
            str(genesis_file),
            "--dataDir",
            str(self.workdir / "data"),
            "--rpc",
            "--rpcAddr",
            "127.0.0.1",
            "--rpcPort",
            str(self.rpc_port),
            "--port",
            str(self.p2p_port),
            "--extIP",
            "127.0.0.1",
            "--discDns",
            "false",
            "--discV4",
            "false",
            "--logFile",
            "false",
            "--logLevel",
            "info",
        ]
        if self.sealer is not None:
            key_file = self.workdir / "sealer.key"
            key_file.write_text(self.sealer.key.hex().removeprefix("0x"))
            os.chmod(key_file, 0o600)
            cmd += ["--mine", "--unlock", str(key_file), "--isSingleNode"]
        if self.bootnode is not None:
            cmd += ["--bootnodes", self.bootnode]
        with self.log_file.open("ab") as out:
            # In its own folder: the client's log rotation writes a file next to it even with
            # `--logFile false`.
            self.process = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=self.workdir,
            )
        self._wait_rpc(timeout)

    def _wait_rpc(self, timeout: float) -> None:
        import urllib.request

        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise EthereumJSError(
                    f"ethereumjs exited with {self.process.returncode}: {self.log_tail()}"
                )
            try:
                req = urllib.request.Request(
                    self.url, body.encode(), {"content-type": "application/json"}
                )
                with urllib.request.urlopen(req, timeout=2) as r:
                    if json.loads(r.read()).get("result"):
                        return
            except OSError:
                pass
            time.sleep(0.25)
        raise EthereumJSError(f"no JSON-RPC at {self.url} within {timeout:.0f}s: {self.log_tail()}")

    def enode(self, timeout: float = 60.0) -> str:
        """This node's devp2p address, as a follower's `--bootnodes` takes it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r"enode://([0-9a-f]{128})@", self.log_file.read_text())
            if found:
                return f"enode://{found.group(1)}@127.0.0.1:{self.p2p_port}"
            time.sleep(0.25)
        raise EthereumJSError(f"no enode in {self.log_file}")

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_file.read_text()[-chars:]
        except OSError:
            return ""

    def stop(self, timeout: float = 20.0) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGINT)  # the client shuts down in order on SIGINT
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def __enter__(self) -> EthereumJSNode:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
