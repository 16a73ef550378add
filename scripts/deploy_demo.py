"""Deploy the demo network (three cooperatives, one a union of the other two) through ape.

    ape run deploy_demo --network ethereum:local:foundry

Uses anvil's development accounts: run it on a fresh local chain only.
"""

from __future__ import annotations

import json
import sys

import click
from ape.cli import ConnectedProviderCommand, network_option

from node.chain.artifacts import Artifacts
from node.chain.client import Chain
from node.chain.devkeys import dev_accounts
from node.cooperative.demo import deploy_demo
from node.core.config import PROJECT_ROOT


@click.command(cls=ConnectedProviderCommand)
@network_option()
def cli(provider: object) -> None:
    """Развернуть демонстрационную сеть / Deploy the demo network."""
    uri = provider.http_uri  # type: ignore[attr-defined]
    chain = Chain(uri, Artifacts(PROJECT_ROOT / ".build" / "__local__.json"))
    json.dump(deploy_demo(chain, dev_accounts(10)[0]), sys.stdout, indent=2, ensure_ascii=False)
    click.echo()
