"""`coop clearing run` as an operator runs it: a real process against a real chain, reading the
open obligations from the chain or from a real SQL mirror that a real indexer filled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from eth_account.signers.local import LocalAccount

from indexer.config import IndexerSettings
from indexer.run import Indexer
from tests.units.conftest import Coop, fresh_units

COOP = str(Path(sys.executable).parent / "coop")


def _owe(coop: Coop, debtor: LocalAccount, creditor: LocalAccount, amount: int) -> int:
    oid, _ = coop.units.issue(creditor, debtor.address, amount)
    coop.units.accept(debtor, oid)
    return oid


def _run(
    coop: Coop, data_dir: Path, *args: str, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOP_") and k != "DATABASE_URL"}
    env.update(
        COOP_RPC_URL=coop.chain.rpc_url,
        COOP_DEPLOYER_KEY=coop.outsider.key.hex(),
        COOP_DATA_DIR=str(data_dir),
    )
    if database_url is not None:
        env["DATABASE_URL"] = database_url
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

    assert json.loads(dry.stdout)["source"] == "chain"
    assert json.loads(dry.stdout)["mirror_not_used"] == "no mirror database is configured"

    result = _run(coop, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "зачтено / cleared on chain: 600" in result.stdout
    assert "obligations read from: блокчейн / chain" in result.stdout
    assert [coop.units.obligation(i).outstanding for i in (1, 2, 3)] == [100, 0, 50]


# -- the SQL mirror ---------------------------------------------------------------------------


def _mirror(coop: Coop, tmp_path: Path) -> str:
    """A SQLite mirror of the whole chain, synced to the head by a real indexer."""
    url = f"sqlite:///{tmp_path / 'mirror.db'}"
    indexer = Indexer(
        rpc_url=coop.chain.rpc_url,
        database_url=url,
        artifacts=coop.chain.artifacts,
        settings=IndexerSettings(finality_depth=2),
    )
    try:
        indexer.sync_once()
    finally:
        indexer.close()
    return url


def _triangle(coop: Coop) -> tuple[int, int, int]:
    a, b, c = coop.members[:3]
    return _owe(coop, a, b, 300), _owe(coop, b, c, 200), _owe(coop, c, a, 250)


def _address_args(coop: Coop) -> tuple[str, ...]:
    return ("--cooperative", coop.units.address)


def test_run_reads_a_current_mirror_and_settles(coop: Coop, tmp_path: Path) -> None:
    ids = _triangle(coop)
    url = _mirror(coop, tmp_path)
    head = coop.chain.w3.eth.block_number
    result = _run(coop, tmp_path, *_address_args(coop), "--json", database_url=url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["source"], report["mirror_block"]) == ("mirror", head)
    assert report["open_obligations"] == 3
    assert report["cleared_on_chain"] == 600
    assert [coop.units.obligation(i).outstanding for i in ids] == [100, 0, 50]


def test_the_plan_comes_from_the_mirror_not_the_chain(coop: Coop, tmp_path: Path) -> None:
    """A mirror one block behind, allowed by --max-mirror-lag, still lists an obligation the
    chain has since paid off: the plan is the mirror's, and the contract refuses its chunk."""
    ab, bc, ca = _triangle(coop)
    url = _mirror(coop, tmp_path)
    b = coop.members[1]
    coop.units.pay(b, bc, 200)  # bc settled on chain; the mirror does not know yet
    args = (*_address_args(coop), "--max-mirror-lag", "1")
    dry = _run(coop, tmp_path, *args, "--dry-run", "--json", database_url=url)
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert report["source"] == "mirror"
    assert report["open_obligations"] == 3  # the chain has 2 open
    assert report["planned_cleared"] == 600
    result = _run(coop, tmp_path, *args, "--json", database_url=url)
    assert result.returncode == 0, result.stderr  # the JSON report carries the failure
    chunk = json.loads(result.stdout)["chunks"][0]
    assert chunk["status"] == "failed"
    assert chunk["error"] == "SettlementUnitsExceedsOutstanding"
    assert [coop.units.obligation(i).outstanding for i in (ab, bc, ca)] == [300, 0, 250]


def test_a_stale_mirror_falls_back_to_the_chain(coop: Coop, tmp_path: Path) -> None:
    ab, bc, ca = _triangle(coop)
    url = _mirror(coop, tmp_path)
    coop.units.pay(coop.members[1], bc, 200)  # one block the mirror has not seen
    result = _run(coop, tmp_path, *_address_args(coop), "--json", database_url=url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["source"] == "chain"
    assert "behind" in report["mirror_not_used"]
    assert report["open_obligations"] == 2
    assert report["cleared_on_chain"] == 0  # ab and ca alone form no cycle
    # Forcing the mirror refuses to run instead.
    forced = _run(coop, tmp_path, *_address_args(coop), "--source", "mirror", database_url=url)
    assert forced.returncode == 1
    assert "the SQL mirror is not usable" in forced.stderr
    assert "behind" in forced.stderr
    assert [coop.units.obligation(i).outstanding for i in (ab, bc, ca)] == [300, 0, 250]


def test_a_mirror_without_the_contract_falls_back_to_the_chain(coop: Coop, tmp_path: Path) -> None:
    other = fresh_units(coop)  # a ВРЕ contract of no mirrored cooperative
    a, b = coop.members[:2]
    oid, _ = other.issue(b, a.address, 5)
    other.accept(a, oid)
    url = _mirror(coop, tmp_path)
    result = _run(coop, tmp_path, "--cooperative", other.address, "--json", database_url=url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["source"] == "chain"
    assert "does not hold this contract" in report["mirror_not_used"]
    assert report["open_obligations"] == 1


def test_forcing_the_chain_skips_a_current_mirror(coop: Coop, tmp_path: Path) -> None:
    _triangle(coop)
    url = _mirror(coop, tmp_path)
    args = (*_address_args(coop), "--source", "chain", "--dry-run", "--json")
    result = _run(coop, tmp_path, *args, database_url=url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["source"] == "chain" and "mirror_not_used" not in report
    assert report["planned_cleared"] == 600


def test_a_missing_sqlite_file_is_not_created(coop: Coop, tmp_path: Path) -> None:
    _triangle(coop)
    missing = tmp_path / "nowhere" / "mirror.db"
    args = (*_address_args(coop), "--dry-run", "--json")
    result = _run(coop, tmp_path, *args, database_url=f"sqlite:///{missing}")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["source"] == "chain"
    assert not missing.exists() and not missing.parent.exists()


def test_run_refuses_an_address_without_contract(coop: Coop, tmp_path: Path) -> None:
    result = _run(coop, tmp_path, "--cooperative", "0x" + "11" * 20)
    assert result.returncode == 1
    assert "нет контракта / no contract" in result.stderr


def test_run_without_record_or_address_is_a_clear_error(coop: Coop, tmp_path: Path) -> None:
    result = _run(coop, tmp_path)
    assert result.returncode == 1
    assert "no cooperative" in result.stderr
