"""The `coop` command: one entry point for running, deploying and operating a Coopnode."""

from __future__ import annotations

import click
from pydantic import ValidationError

from node import __version__
from node.core.config import Settings
from node.core.logs import setup_logging


def load_settings() -> Settings:
    """Settings from the environment; a bad value is a clear error, not a traceback."""
    try:
        return Settings()
    except ValidationError as exc:
        raise click.ClickException("Неверная настройка / invalid setting:\n" + str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coop")
def main() -> None:
    """Coopnode: a blockchain-anchored node for digital cooperatives."""
    setup_logging()


@main.command()
def run() -> None:
    """Run the whole node: local chain (unless COOP_RPC_URL), demo deployment, gateway.

    Keeps running until Ctrl-C. State persists under COOP_DATA_DIR (default ./data).
    """
    from node.chain.anvil import AnvilError
    from node.chain.artifacts import ArtifactsError
    from node.chain.client import ChainError
    from node.chain.deployment import DeploymentError
    from node.runner import run as run_node

    settings = load_settings()
    try:
        run_node(settings)
    except (AnvilError, ArtifactsError, ChainError, DeploymentError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


def _register_subcommands() -> None:
    # Sub-command groups live beside the code they drive; they register here so that
    # `coop --help` lists everything in one place.
    from indexer.cli import audit, index
    from node.api.cli import serve
    from node.chain.cli import abi
    from node.clearing.cli import clearing
    from node.cooperative.cli import deploy
    from node.identity.cli import identity

    for command in (serve, deploy, clearing, index, audit, identity, abi):
        main.add_command(command)
    main.add_command(__import__("node.bank.cli", fromlist=["bank"]).bank)


_register_subcommands()
