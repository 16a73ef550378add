"""`coop bank import` from the command line: a statement imported once, the same file again
changes nothing, a malformed file fails with its line and imports nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from eth_account.signers.local import LocalAccount

from indexer.db import make_engine
from indexer.run import roots_from_record
from node.bank import tables
from node.chain.anvil import Anvil
from node.chain.deployment import read_record, write_json_atomic
from node.cli import main
from node.cooperative.client import Cooperative
from tests.bank.statements import Payment, camt053, one_c
from tests.contracts.conftest import ENTRANCE, MINIMUM, TOKEN, Roles, h


def test_import_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path))
    good = tmp_path / "kl_to_1c.txt"
    good.write_bytes(one_c([Payment("1", 1_100_00, "КП-3-ВЗН"), Payment("2", 50_00, "КП-3-ПАЙ")]))
    bad = tmp_path / "broken.txt"
    bad.write_bytes(
        good.read_bytes().replace(b"\xd1\xf3\xec\xec\xe0=50.00", b"\xd1\xf3\xec\xec\xe0=50,00")
    )
    assert bad.read_bytes() != good.read_bytes()
    runner = CliRunner()

    first = runner.invoke(main, ["bank", "import", str(good)])
    assert first.exit_code == 0, first.output
    assert "строк 2, новых 2" in first.output
    again = runner.invoke(main, ["bank", "import", str(good)])
    assert again.exit_code == 0 and "уже импортирован" in again.output
    broken = runner.invoke(main, ["bank", "import", str(bad)])
    assert broken.exit_code == 1
    assert "строка" in broken.output and "1100,00" not in broken.output
    with make_engine(url).connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(tables.line)).scalar_one()
    assert count == 2


def test_join_paid_by_bank_from_the_command_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    anvil: Anvil,
    coop: Cooperative,
    roles: Roles,
    new_account: Callable[[], LocalAccount],
) -> None:
    """deploy -> (decision grants the role) -> import -> match -> confirm (one batch)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'node.db'}")
    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COOP_RPC_URL", anvil.url)
    monkeypatch.setenv("COOP_DEPLOYER_KEY", "0x" + bytes(roles.deployer.key).hex())
    monkeypatch.setenv("COOP_BANK_CHARTER", coop.addresses.charter)
    # The deployment record knows the cooperative: the address is written beside its modules.
    write_json_atomic(
        tmp_path / "deployment.json",
        {"contracts": {}, "cooperatives": {"coop": {"charter": coop.addresses.charter}}},
    )
    runner = CliRunner()
    deployed = runner.invoke(main, ["bank", "deploy"])
    assert deployed.exit_code == 0, deployed.output
    address = deployed.output.split("BankSettlements: ")[1].split()[0]
    record = read_record(tmp_path / "deployment.json")
    assert record is not None
    assert record["cooperatives"]["coop"]["bank_settlements"] == address
    assert record["contracts"]["coop.bank_settlements"] == address
    assert address in roots_from_record(record)  # the indexer watches it
    data = deployed.output.split("data   ")[1].split()[0]
    assert data == coop.charter.encode_abi("setRoles", args=[address, 1])
    coop.chain.transact(coop.charter.functions.setRoles(address, 1), roles.executor)
    monkeypatch.setenv("COOP_BANK_SETTLEMENTS", address)

    alice = new_account()
    coop.apply(alice, 0, h("cli id"), h("cli application"))
    coop.attest_identity(roles.verifier, alice.address, h("cli check"))
    index = int(coop.membership.functions.memberIndexOf(alice.address).call())
    fees = (ENTRANCE + MINIMUM) // TOKEN * 100
    statement = tmp_path / "statement.xml"
    statement.write_bytes(camt053([Payment("C-1", fees, f"Взнос КП-{index}-ВЗН")]))
    assert runner.invoke(main, ["bank", "import", str(statement)]).exit_code == 0
    matched = runner.invoke(main, ["bank", "match"])
    assert matched.exit_code == 0 and "предложено 1" in matched.output, matched.output
    # Without the cashier's key nothing is sent; the key is read from the environment only.
    monkeypatch.delenv("COOP_CASHIER_KEY", raising=False)
    refused = runner.invoke(main, ["bank", "confirm", "--all"])
    assert refused.exit_code == 1 and "COOP_CASHIER_KEY" in refused.output
    assert not coop.member(alice.address).fees_paid
    monkeypatch.setenv("COOP_CASHIER_KEY", "0x" + bytes(roles.cashier.key).hex())
    confirmed = runner.invoke(main, ["bank", "confirm", "--all"])
    assert confirmed.exit_code == 0 and "транзакций 1" in confirmed.output, confirmed.output
    assert coop.member(alice.address).fees_paid
