"""A third-party tool decodes the cooperative's custom errors from the ABIs we publish.

Foundry's `cast` (the real binary) meets a shares transfer that reverts on anvil: told nothing, it
shows the selector as the string "zff"; given the ABIs (`coop abi export`, or the gateway's
`GET /contracts/{name}/abi`) through `forge selectors cache`, `cast decode-error` prints
`SharesNonTransferable()`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from eth_utils import keccak

from node.core.config import PROJECT_ROOT
from tests.api.conftest import Api

BIN = PROJECT_ROOT / "node_modules" / ".bin"
CAST, FORGE = str(BIN / "cast"), str(BIN / "forge")
COOP = str(Path(sys.executable).parent / "coop")
SELECTOR = "0x" + keccak(text="SharesNonTransferable()")[:4].hex()


def _tool_env(home: Path) -> dict[str, str]:
    # Foundry keeps its signature cache under $HOME/.foundry: a home of the test's own.
    return {**os.environ, "HOME": str(home), "NO_COLOR": "1"}


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def _cast_share_transfer(api: Api, env: dict[str, str], cwd: Path) -> str:
    """A member tries to move shares with `cast send`; anvil reverts; what `cast` says."""
    member = api.sandbox.members[0]
    other = api.sandbox.members[1]
    shares = api.gateway.coop.addresses.shares
    sent = _run(
        [
            CAST,
            "send",
            shares,
            "transfer(address,uint256)",
            other.address,
            "1",
            "--rpc-url",
            api.settings.rpc_url,
            "--private-key",
            "0x" + bytes(member.key).hex(),
        ],
        env,
        cwd,
    )
    # (The npm wrapper of cast exits 0 even on errors: the message is what counts.)
    assert "execution reverted" in sent.stderr, (sent.stdout, sent.stderr)
    return sent.stderr


def test_cast_decodes_a_real_revert_with_the_exported_abis(api: Api, tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = _tool_env(home)
    said = _cast_share_transfer(api, env, work)
    # The symptom: told nothing, cast reads the selector's bytes 7a 66 66 as text.
    assert "execution reverted: zff" in said and "SharesNonTransferable" not in said, said
    found = re.search(r'data: "(0x[0-9a-fA-F]+)"', said)
    assert found is not None, said
    data = found.group(1)
    assert data.lower() == SELECTOR

    out = tmp_path / "abi"
    exported = _run([COOP, "abi", "export", "--out", str(out)], env, work)
    assert exported.returncode == 0, exported.stderr
    assert json.loads((out / "Shares.json").read_text()) == api.chain.artifacts.get("Shares").abi
    table = json.loads((out / "signatures.json").read_text())
    assert table["errors"][SELECTOR] == "SharesNonTransferable()"

    cached = _run(
        [FORGE, "selectors", "cache", "--extra-abis-path", str(out), "--root", str(work)], env, work
    )
    assert cached.returncode == 0, cached.stderr
    decoded = _run([CAST, "decode-error", data], env, work)
    assert decoded.returncode == 0, decoded.stderr
    assert decoded.stdout.strip() == "SharesNonTransferable()"
    # And cast's own revert message now names the error.
    assert "SharesNonTransferable" in _cast_share_transfer(api, env, work)


def test_the_gateway_serves_each_contracts_abi(api: Api, tmp_path: Path) -> None:
    listed = api.ok(api.http.get("/contracts"))
    assert listed["chain_id"] == api.chain.chain_id
    by_name = {c["name"]: c for c in listed["contracts"]}
    assert by_name["shares"]["address"] == api.gateway.coop.addresses.shares
    assert by_name["council"]["contract"] == "Council"
    for name in ("charter", "membership", "shares", "treasury", "documents", "settlement_units"):
        assert name in by_name
    abi_dir = tmp_path / "abi"
    abi_dir.mkdir()
    for entry in listed["contracts"]:
        body = api.ok(api.http.get(entry["abi_url"]))
        assert body == api.chain.artifacts.get(entry["contract"]).abi
        (abi_dir / f"{entry['contract']}.json").write_text(json.dumps(body))
    missing = api.http.get("/contracts/nonexistent/abi")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    table = api.ok(api.http.get("/contracts/signatures"))
    assert table["errors"][SELECTOR] == "SharesNonTransferable()"

    # The ABIs as served are enough for cast as well.
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = _tool_env(home)
    cached = _run(
        [FORGE, "selectors", "cache", "--extra-abis-path", str(abi_dir), "--root", str(work)],
        env,
        work,
    )
    assert cached.returncode == 0, cached.stderr
    decoded = _run([CAST, "decode-error", SELECTOR], env, work)
    assert decoded.stdout.strip() == "SharesNonTransferable()", decoded.stderr


@pytest.mark.parametrize("sig", ["SharesNotActiveMember(address)"])
def test_cast_decodes_an_errors_arguments_with_the_published_signature(
    api: Api, sig: str, tmp_path: Path
) -> None:
    """Without forge: the signature from signatures.json given to `cast decode-error --sig`."""
    table = api.ok(api.http.get("/contracts/signatures"))
    selector = "0x" + keccak(text=sig)[:4].hex()
    assert table["errors"][selector] == sig
    stranger = "0x" + "ab" * 20
    data = selector + "00" * 12 + stranger[2:]
    env = _tool_env(tmp_path)
    decoded = _run([CAST, "decode-error", data, "--sig", table["errors"][selector]], env, tmp_path)
    assert decoded.returncode == 0, decoded.stderr
    assert decoded.stdout.strip().lower() == stranger
