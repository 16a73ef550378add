"""`coop network genesis`: a Besu QBFT genesis for the cooperatives' chain, checked offline
against the encoding Besu's own documentation shows."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from node.chain.genesis import (
    GenesisError,
    decode_qbft_extra_data,
    fault_tolerance,
    qbft_extra_data,
    qbft_genesis,
)
from node.chain.network_cli import network

#: The QBFT genesis example of Besu's documentation ("Configure QBFT consensus"): four
#: validators and the extraData Besu derives from them.
BESU_VALIDATORS = [
    "0x64a702e6263b7297a96638cac6ae65e6541f4169",
    "0x3923390ad55e90c237593b3b0e401f3b08a03185",
    "0xaefdb9a738c9f433e5b6b212a6d62f6370c2f692",
    "0xc7eeb9a4e00ce683cf93039b212648e01c6c6b78",
]
BESU_EXTRA_DATA = (
    "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549464a702e6263b72"
    "97a96638cac6ae65e6541f4169943923390ad55e90c237593b3b0e401f3b08a0318594aefdb9a738c9f433e5b6"
    "b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0"
)


def test_extra_data_is_besus() -> None:
    assert qbft_extra_data(BESU_VALIDATORS) == BESU_EXTRA_DATA
    decoded = decode_qbft_extra_data(BESU_EXTRA_DATA)
    assert [v.lower() for v in decoded.validators] == BESU_VALIDATORS  # order kept
    assert decoded.vanity == bytes(32)
    assert decoded.vote == [] and decoded.round == 0 and decoded.seals == []


@pytest.mark.parametrize("n", [4, 7, 25, 100])
def test_n_validators_round_trip(n: int) -> None:
    validators = [Account.create().address for _ in range(n)]
    extra = qbft_extra_data(validators)
    assert decode_qbft_extra_data(extra).validators == validators
    assert fault_tolerance(n) == (n - 1) // 3


def test_refused_validator_sets() -> None:
    three = [Account.create().address for _ in range(3)]
    with pytest.raises(GenesisError, match="at least 4"):
        qbft_genesis(three, chain_id=2026)
    four = [*three, three[0]]
    with pytest.raises(GenesisError, match="twice"):
        qbft_genesis(four, chain_id=2026)
    with pytest.raises(GenesisError, match="not an address"):
        qbft_genesis([*three, "0x1234"], chain_id=2026)
    with pytest.raises(GenesisError, match="EVM version"):
        qbft_genesis([*three, Account.create().address], chain_id=2026, evm_version="paris")
    with pytest.raises(GenesisError):
        decode_qbft_extra_data("0xdeadbeef")


def test_cli_generates_keys_and_genesis(tmp_path: Path) -> None:
    deployer = Account.create().address
    result = CliRunner().invoke(
        network,
        [
            "genesis",
            "--generate",
            "4",
            "--chain-id",
            "2026",
            "--evm-version",
            "shanghai",
            "--fund",
            f"{deployer}=1000000000000000000000",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "genesis.json").read_text())
    assert doc["config"]["chainId"] == 2026
    assert doc["config"]["qbft"] == {
        "blockperiodseconds": 2,
        "epochlength": 30000,
        "requesttimeoutseconds": 4,
    }
    assert doc["config"]["shanghaiTime"] == 0 and "cancunTime" not in doc["config"]
    assert doc["alloc"][deployer[2:].lower()] == {"balance": hex(10**21)}
    assert result.stdout.strip().splitlines()[-1] == doc["extraData"]  # the last line, on stdout
    named = decode_qbft_extra_data(doc["extraData"]).validators
    for i, address in enumerate(named, start=1):
        key_file = tmp_path / f"validator-{i}" / "key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert Account.from_key(bytes.fromhex(key_file.read_text())).address == address
        assert (tmp_path / f"validator-{i}" / "address").read_text().strip() == address


def test_cli_refuses_three_validators(tmp_path: Path) -> None:
    args = ["genesis", "--chain-id", "2026", "--out", str(tmp_path)]
    for _ in range(3):
        args += ["--validator", Account.create().address]
    result = CliRunner().invoke(network, args)
    assert result.exit_code != 0
    assert "at least 4" in result.output
    assert not (tmp_path / "genesis.json").exists()
