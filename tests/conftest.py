"""Shared fixtures: a real anvil chain per test session, the node's own chain client, and
snapshot/revert isolation per test (state made in one test is gone in the next)."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from node.chain.anvil import Anvil
from node.chain.artifacts import Artifacts
from node.chain.client import Chain
from node.chain.devkeys import dev_accounts
from node.core.config import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / ".build" / "__local__.json"

# The `coop` processes the tests start run this checkout's code: the console script's editable
# install maps `node` to whichever checkout installed it last, which in a shared environment
# need not be this one.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_compiled() -> None:
    """Compile when any contract is newer than the manifest (`make test` compiles first)."""
    sources = [p for p in (PROJECT_ROOT / "contracts").rglob("*.sol") if ".cache" not in p.parts]
    if ARTIFACTS.exists() and all(p.stat().st_mtime <= ARTIFACTS.stat().st_mtime for p in sources):
        return
    subprocess.run(["ape", "compile"], cwd=PROJECT_ROOT, check=True)


@pytest.fixture(scope="session")
def artifacts() -> Artifacts:
    _ensure_compiled()
    return Artifacts(ARTIFACTS)


@pytest.fixture(scope="session")
def anvil() -> Iterator[Anvil]:
    # A larger gas limit than mainnet's lets the tests send big batches (ballots, clearings).
    node = Anvil(free_port())
    node.start()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def chain(anvil: Anvil, artifacts: Artifacts) -> Chain:
    client = Chain(anvil.url, artifacts)
    client.wait_ready()
    return client


@pytest.fixture(scope="session")
def accounts() -> list[LocalAccount]:
    return dev_accounts(10)


@pytest.fixture(autouse=True)
def _isolate_chain(request: pytest.FixtureRequest) -> Iterator[None]:
    """Revert the chain after every test that used it."""
    if "chain" not in request.fixturenames:
        yield
        return
    chain: Chain = request.getfixturevalue("chain")
    snapshot = chain.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    yield
    chain.w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]


@pytest.fixture
def tmp_data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path
