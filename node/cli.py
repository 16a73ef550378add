"""The `coop` command: one entry point for running, deploying and operating a Coopnode."""

from __future__ import annotations

import click

from node import __version__
from node.core.cli_settings import load_settings
from node.core.logs import setup_logging

# Command modules import `load_settings` from node.core.cli_settings; it stays importable
# from here for existing callers.
__all__ = ["load_settings", "main"]


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
    # `coop --help` lists everything in one place. The command modules import only click at
    # module level (their libraries are imported inside the commands), so registering them
    # costs next to nothing and `coop --help` or `coop clearing plan` loads no web3,
    # SQLAlchemy or pydantic.
    from indexer.cli import EXTRA_AUDIT_CHECKS, audit, index
    from node.api.cli import serve
    from node.bank.cli import bank
    from node.chain.cli import abi
    from node.chain.network_cli import network
    from node.clearing.cli import clearing
    from node.cooperative.cli import deploy
    from node.documents.signatures_cli import signatures
    from node.identity.cli import identity
    from node.notices.cli import notices

    # `coop audit` also checks the cooperative's books against the chain (node/bank/audit.py).
    EXTRA_AUDIT_CHECKS.append("node.bank.audit:audit_books")
    for command in (
        serve,
        deploy,
        clearing,
        index,
        audit,
        identity,
        abi,
        signatures,
        bank,
        network,
    ):
        main.add_command(command)
    main.add_command(notices)


_register_subcommands()
