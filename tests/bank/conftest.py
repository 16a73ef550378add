"""A standard cooperative (the core suite's session fixtures) with BankSettlements deployed and
granted the cashier role by the decision executor, and a fresh bank database per test."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from indexer.db import make_engine
from node.bank.settle import ChainBank
from node.bank.store import migrate
from node.chain.client import Chain
from node.cooperative.client import Cooperative
from tests.contracts.conftest import (  # noqa: F401 - fixtures shared with the core suite
    Roles,
    coop,
    network,
    new_account,
    roles,
    token_address,
)
from tests.indexer.conftest import db_factory  # noqa: F401 - SQLite and PostgreSQL databases


@pytest.fixture
def bank_db(tmp_path: Path) -> sa.Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'bank.db'}")
    migrate(engine)
    return engine


@pytest.fixture
def chain_bank(chain: Chain, coop: Cooperative, roles: Roles) -> ChainBank:  # noqa: F811
    """Deployed inside the test (reverted after it) and made a cashier by decision."""
    contract, _ = chain.deploy("BankSettlements", coop.addresses.charter, sender=roles.deployer)
    chain.transact(coop.charter.functions.setRoles(contract.address, 1), roles.executor)
    return ChainBank(chain, coop.addresses.charter, contract.address)
