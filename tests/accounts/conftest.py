"""Passkey accounts against a governed cooperative (tests/governance's session fixtures) and a
per-chain `PasskeyAccountFactory`."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from node.accounts.client import PasskeyAccounts
from node.chain.client import Chain
from tests.governance.conftest import coop, gov_installer, gov_network  # noqa: F401


@pytest.fixture(scope="session")
def accounts_factory(chain: Chain, accounts: list[LocalAccount]) -> PasskeyAccounts:
    factory, _ = chain.deploy("PasskeyAccountFactory", sender=accounts[0])
    return PasskeyAccounts(chain, factory.address)
