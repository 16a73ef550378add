"""`coop abi export [--out DIR]`: the contracts' ABIs for wallets and tools (`node.chain.abi`)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def abi() -> None:
    """ABI контрактов для кошельков и инструментов / The contracts' ABIs for wallets and tools."""


@abi.command("export")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("abi"),
    show_default=True,
    help="Folder to write <Contract>.json, signatures.json and metadata/ into.",
)
def export(out_dir: Path) -> None:
    """Write each contract's ABI (<Contract>.json), every error, event and function selector
    with its signature (signatures.json) and the NatSpec (metadata/<Contract>.json).

    Then `forge selectors cache --extra-abis-path DIR` teaches `cast` the cooperative's errors:
    `cast decode-error <revert data>` prints e.g. `SharesNonTransferable()`."""
    from node.chain import abi as abi_files
    from node.chain.artifacts import Artifacts, ArtifactsError
    from node.core.cli_settings import load_settings

    settings = load_settings()
    try:
        artifacts = Artifacts(settings.artifacts_path)
    except ArtifactsError as exc:
        raise click.ClickException(str(exc)) from exc
    written = abi_files.export(artifacts, out_dir)
    contracts = sum(1 for p in written if p.parent == out_dir and p.name != "signatures.json")
    click.echo(f"{contracts} ABIs, {abi_files.SIGNATURES_FILE} and metadata written to {out_dir}")
