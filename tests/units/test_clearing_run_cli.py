"""`coop clearing run` as an operator runs it: a real process against a real chain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from eth_account.signers.local import LocalAccount

from tests.units.conftest import Coop

COOP = str(Path(sys.executable).parent / "coop")


def _owe(coop: Coop, debtor: LocalAccount, creditor: LocalAccount, amount: int) -> int:
    oid, _ = coop.units.issue(creditor, debtor.address, amount)
    coop.units.accept(debtor, oid)
    return oid


def _run(coop: Coop, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOP_")}
    env.update(
        COOP_RPC_URL=coop.chain.rpc_url,
        COOP_DEPLOYER_KEY=coop.outsider.key.hex(),
        COOP_DATA_DIR=str(data_dir),
    )
    return subprocess.run(
        [COOP, "clearing", "run", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_run_settles_the_cycle_from_the_deployment_record(coop: Coop, tmp_path: Path) -> None:
    a, b, c = coop.members[:3]
    _owe(coop, a, b, 300)
    _owe(coop, b, c, 200)
    _owe(coop, c, a, 250)
    (tmp_path / "deployment.json").write_text(
        json.dumps(
            {
                "contracts": {},
                "cooperatives": {"demo": {"settlement_units": coop.units.address}},
            }
        )
    )
    dry = _run(coop, tmp_path, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["planned_cleared"] == 600
    assert coop.units.obligation(1).outstanding == 300, "a dry run changed the chain"

    result = _run(coop, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "зачтено / cleared on chain: 600" in result.stdout
    assert [coop.units.obligation(i).outstanding for i in (1, 2, 3)] == [100, 0, 50]


def test_run_refuses_an_address_without_contract(coop: Coop, tmp_path: Path) -> None:
    result = _run(coop, tmp_path, "--cooperative", "0x" + "11" * 20)
    assert result.returncode == 1
    assert "нет контракта / no contract" in result.stderr


def test_run_without_record_or_address_is_a_clear_error(coop: Coop, tmp_path: Path) -> None:
    result = _run(coop, tmp_path)
    assert result.returncode == 1
    assert "no cooperative" in result.stderr
