"""The demo cooperative that `make run` deploys on a fresh local chain.

PLACEHOLDER until the core contracts land: deploys the smoke contract only.
"""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain


def deploy_demo(chain: Chain, deployer: LocalAccount) -> dict[str, Any]:
    """Deploy the demo set and return a JSON-serialisable record of what was deployed."""
    ping, _ = chain.deploy("Ping", deployer.address, sender=deployer)
    return {"contracts": {"Ping": ping.address}}
