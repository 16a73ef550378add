"""`coop run` as a user runs it: a real process, a real anvil, a real HTTP server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from node.chain.artifacts import Artifacts
from node.chain.client import Chain
from node.chain.devkeys import demo_auditor
from node.core.config import PROJECT_ROOT
from tests.conftest import free_port

COOP = str(Path(sys.executable).parent / "coop")


class Node:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.api_port = free_port()
        self.anvil_port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / "coop-run.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COOP_")}
        env.pop("DATABASE_URL", None)
        env.update(
            # the `coop` entry point runs this checkout's code (not the one it was installed from)
            PYTHONPATH=str(PROJECT_ROOT),
            COOP_DATA_DIR=str(self.data_dir),
            COOP_API_PORT=str(self.api_port),
            COOP_ANVIL_PORT=str(self.anvil_port),
        )
        return env

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([COOP, "run"], env=self.env(), stdout=log, stderr=log)

    def health(self, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                pytest.fail(f"coop run exited early:\n{self.log.read_text()}")
            try:
                response = httpx.get(f"http://127.0.0.1:{self.api_port}/health", timeout=2)
                if response.status_code == 200:
                    body: dict[str, Any] = response.json()
                    return body
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"/health did not answer within {timeout}s:\n{self.log.read_text()}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = self.proc.wait(30)
        # The anvil child must be gone too: its port is free again.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _port_open(self.anvil_port):
            time.sleep(0.1)
        assert not _port_open(self.anvil_port), "anvil outlived the node"
        return code


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def node(tmp_data_dir: Path, artifacts: Artifacts) -> Iterator[Node]:
    n = Node(tmp_data_dir)
    yield n
    if n.proc is not None and n.proc.poll() is None:
        n.proc.kill()
        n.proc.wait(10)


def _mine_a_block(port: int) -> int:
    response = httpx.post(
        f"http://127.0.0.1:{port}",
        json={"jsonrpc": "2.0", "id": 1, "method": "evm_mine", "params": []},
    )
    response.raise_for_status()
    block = httpx.post(
        f"http://127.0.0.1:{port}",
        json={"jsonrpc": "2.0", "id": 2, "method": "eth_blockNumber", "params": []},
    ).json()["result"]
    return int(block, 16)


def test_run_reports_health_and_restart_keeps_state(node: Node) -> None:
    node.start()
    first = node.health()
    assert first["status"] == "ok"
    assert first["chain_id"] == 31337
    assert first["contracts"], "the demo cooperative was not deployed"
    record = json.loads((node.data_dir / "deployment.json").read_text())
    assert record["contracts"] == first["contracts"]
    head = _mine_a_block(node.anvil_port)
    assert node.stop() == 0

    node.start()
    second = node.health()
    assert second["contracts"] == first["contracts"], "restart deployed a new set"
    assert second["latest_block"] >= head, "restart lost blocks"
    assert node.stop() == 0


def test_the_demo_auditor_signs_in_as_auditor_without_coop_auditors(node: Node) -> None:
    """`make run` as a fresh clone runs it: no COOP_AUDITORS, yet the demo's auditor (appointed
    on chain by a decision) signs in with Sign-In with Ethereum and gets the auditor role."""
    assert not any(k == "COOP_AUDITORS" for k in node.env())
    node.start()
    node.health()
    auditor = demo_auditor()
    base = f"http://127.0.0.1:{node.api_port}"
    with httpx.Client(base_url=base, timeout=30) as http:
        nonce = http.post("/auth/nonce", json={"address": auditor.address})
        assert nonce.status_code == 200, nonce.text
        message = nonce.json()["message"]
        signature = auditor.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
        verified = http.post("/auth/verify", json={"message": message, "signature": signature})
        assert verified.status_code == 200, verified.text
        assert "auditor" in verified.json()["roles"]
        headers = {"Authorization": f"Bearer {verified.json()['token']}"}
        me = http.get("/auth/me", headers=headers).json()
        assert me["roles"] == ["auditor"]
        # An auditor reads the registers and writes nothing.
        assert http.get("/members", headers=headers).status_code == 200
        refused = http.post(
            "/documents/generate", headers=headers, json={"template": "meeting_notice"}
        )
        assert refused.status_code == 403, refused.text
        # The demo deployed BankSettlements and recorded it: the bank's screens work.
        loans = http.get("/bank/loans", headers=headers)
        assert loans.status_code == 200, loans.text
        assert (
            http.get(
                "/bank/reports/funds?from=2026-01-01&to=2026-12-31", headers=headers
            ).status_code
            == 200
        )
        # The indexer mirrors the appointment (AuditorChanged): GET /cooperative lists it.
        deadline = time.monotonic() + 60
        while auditor.address not in http.get("/cooperative").json()["auditors"]:
            assert time.monotonic() < deadline, http.get("/cooperative").json()
            time.sleep(0.2)
    assert node.stop() == 0


def test_hard_kill_loses_no_deployment(node: Node) -> None:
    node.start()
    first = node.health()
    time.sleep(1.5)  # one anvil state interval
    node.stop(signal.SIGKILL)

    node.start()
    second = node.health()
    assert second["contracts"] == first["contracts"]
    assert second["latest_block"] >= first["latest_block"]
    node.stop()


def test_bad_setting_is_a_clear_error_and_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "never"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOP_")}
    env.update(COOP_DATA_DIR=str(data), COOP_API_PORT="not-a-port", PYTHONPATH=str(PROJECT_ROOT))
    result = subprocess.run([COOP, "run"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "COOP_API_PORT" in result.stderr or "api_port" in result.stderr
    assert "Неверная настройка" in result.stderr
    assert not data.exists()


@pytest.mark.parametrize(
    "record",
    [
        # Hand-written: addresses only, no chain id or genesis hash.
        {"contracts": {"romashka.charter": "0x" + "11" * 20}},
        # Another chain's record.
        {"chain_id": 1, "genesis_hash": "0x" + "00" * 32, "contracts": {}},
    ],
    ids=["hand-written", "other-chain"],
)
def test_run_on_a_chain_of_ones_own_never_deploys_the_demo(
    chain: Chain, accounts: list[LocalAccount], tmp_path: Path, record: dict[str, Any]
) -> None:
    """With COOP_RPC_URL set, a record that does not describe that chain is refused before
    any transaction: the demo cooperatives must never land on a cooperative's real chain."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "deployment.json").write_text(json.dumps(record))
    deployer = accounts[9]
    nonce = chain.w3.eth.get_transaction_count(deployer.address)
    block = chain.w3.eth.block_number
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOP_")}
    env.pop("DATABASE_URL", None)
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        COOP_DATA_DIR=str(data),
        COOP_RPC_URL=chain.rpc_url,
        COOP_DEPLOYER_KEY=deployer.key.hex(),
        COOP_API_PORT=str(free_port()),
    )
    result = subprocess.run([COOP, "run"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "the deployment record does not describe this chain" in result.stderr
    assert chain.w3.eth.get_transaction_count(deployer.address) == nonce
    assert chain.w3.eth.block_number == block
    assert json.loads((data / "deployment.json").read_text()) == record
