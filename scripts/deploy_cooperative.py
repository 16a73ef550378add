"""Deploy a cooperative from a YAML/JSON description through ape's provider.

    ape run deploy_cooperative examples/cooperative.yaml --network ethereum:local:foundry

The deployer key comes from COOP_DEPLOYER_KEY (on a local anvil: its first development key).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from node.chain.artifacts import Artifacts
from node.chain.client import Chain, account_from_key
from node.cooperative.deploy import deploy_cooperative
from node.cooperative.description import DescriptionError, load_description
from node.core.config import ANVIL_DEV_KEY, PROJECT_ROOT


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.argument("description_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def cli(provider: object, description_file: Path) -> None:
    """Развернуть кооператив по описанию / Deploy a cooperative from its description."""
    try:
        description = load_description(description_file)
    except DescriptionError as exc:
        raise click.ClickException(str(exc)) from exc
    uri = provider.http_uri  # type: ignore[attr-defined]
    chain = Chain(uri, Artifacts(PROJECT_ROOT / ".build" / "__local__.json"))
    sender = account_from_key(os.environ.get("COOP_DEPLOYER_KEY", ANVIL_DEV_KEY))
    json.dump(
        deploy_cooperative(chain, sender, description), sys.stdout, indent=2, ensure_ascii=False
    )
    click.echo()
