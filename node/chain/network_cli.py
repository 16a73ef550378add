"""`coop network genesis`: the genesis file of a cooperatives' QBFT chain (`node.chain.genesis`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click


@click.group()
def network() -> None:
    """Сеть кооперативов / The cooperatives' network and its chain."""


def _allocation(value: str) -> tuple[str, int]:
    address, _, wei = value.partition("=")
    if not wei.isdigit():
        raise click.BadParameter(f"{value!r}: expected ADDRESS=WEI")
    return address, int(wei)


@network.command("genesis")
@click.option(
    "--validator",
    "validators",
    multiple=True,
    help="A validator's address (repeat, one per cooperative, at least 4). Each cooperative "
    "makes its own key (`besu public-key export-address`) and gives only the address.",
)
@click.option(
    "--generate",
    type=click.IntRange(min=0),
    default=0,
    help="Generate this many validator keys into OUT/validator-<i>/key (a test network only: "
    "one machine then holds every key).",
)
@click.option("--chain-id", type=click.IntRange(min=1), required=True)
@click.option("--block-period", type=click.IntRange(min=1), default=2, show_default=True)
@click.option(
    "--request-timeout",
    type=click.IntRange(min=2),
    default=4,
    show_default=True,
    help="Seconds before a round without a block moves to the next proposer.",
)
@click.option(
    "--evm-version",
    type=click.Choice(["london", "shanghai", "cancun"]),
    default="cancun",
    show_default=True,
    help="The newest EVM the chain runs (the contracts are compiled for cancun).",
)
@click.option(
    "--fund",
    "funds",
    multiple=True,
    help="ADDRESS=WEI allocated at genesis (the deployer, the relayers): repeat.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("qbft-network"),
    show_default=True,
)
def genesis(
    validators: tuple[str, ...],
    generate: int,
    chain_id: int,
    block_period: int,
    request_timeout: int,
    evm_version: str,
    funds: tuple[str, ...],
    out_dir: Path,
) -> None:
    """Write OUT/genesis.json for Hyperledger Besu with QBFT and print its extraData.

    Start each validator with `besu --genesis-file=genesis.json --node-private-key-file=KEY
    --rpc-http-enabled ...`, then point the node at one of them (COOP_RPC_URL) with
    COOP_INDEXER_FINALITY_DEPTH=0: a QBFT block is final once made (see docs/deploy.md)."""
    from eth_account import Account

    from node.chain.genesis import GenesisError, fault_tolerance, qbft_genesis

    addresses = list(validators)
    keys: list[tuple[str, str]] = []
    for _ in range(generate):
        account = Account.create()
        keys.append((account.address, account.key.hex().removeprefix("0x")))
        addresses.append(account.address)
    try:
        doc = qbft_genesis(
            addresses,
            chain_id=chain_id,
            block_period=block_period,
            request_timeout=request_timeout,
            evm_version=evm_version,
            alloc=dict(_allocation(f) for f in funds),
        )
    except GenesisError as exc:
        raise click.ClickException(str(exc)) from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "genesis.json").write_text(json.dumps(doc, indent=2) + "\n")
    for i, (address, key) in enumerate(keys, start=1):
        folder = out_dir / f"validator-{i}"
        folder.mkdir(exist_ok=True)
        fd = os.open(folder / "key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        (folder / "address").write_text(address + "\n")
    click.echo(
        f"{out_dir / 'genesis.json'}: QBFT, chain {chain_id}, {len(addresses)} validators "
        f"(blocks continue with up to {fault_tolerance(len(addresses))} down), EVM "
        f"{evm_version}",
        err=True,
    )
    click.echo(doc["extraData"])
