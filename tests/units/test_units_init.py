"""Initialising the ВРЕ contract: the implementation is locked, a clone initialises once."""

from __future__ import annotations

import pytest

from node.chain.client import TransactionReverted
from node.units.client import SettlementUnitsClient
from tests.units.conftest import Coop, clone_of

ZERO = "0x" + "00" * 20


def test_implementation_cannot_be_initialised(coop: Coop) -> None:
    impl, _ = coop.chain.deploy("SettlementUnits", sender=coop.executor)
    fn = impl.functions.initialize(coop.charter, coop.membership.address, 1)
    with pytest.raises(TransactionReverted) as info:
        coop.chain.transact(fn, coop.executor)
    assert info.value.error == "InvalidInitialization"


def test_clone_initialises_once_with_checked_arguments(coop: Coop) -> None:
    impl, _ = coop.chain.deploy("SettlementUnits", sender=coop.executor)
    units = SettlementUnitsClient(coop.chain, clone_of(coop.chain, coop.executor, impl.address))
    init = units.contract.functions.initialize

    def attempt(charter: str, membership: str, limit: int) -> str:
        with pytest.raises(TransactionReverted) as info:
            coop.chain.transact(init(charter, membership, limit), coop.executor)
        return info.value.error

    members = coop.membership.address
    assert attempt(ZERO, members, 1) == "SettlementUnitsZeroAddress"
    assert attempt(coop.charter, ZERO, 1) == "SettlementUnitsZeroAddress"
    assert attempt(coop.charter, members, 2**96) == "SettlementUnitsLimitTooLarge"
    coop.chain.transact(init(coop.charter, members, 2**96 - 1), coop.executor)
    assert units.default_credit_limit() == 2**96 - 1
    assert attempt(coop.charter, members, 1) == "InvalidInitialization"


def test_the_cooperatives_clone_is_initialised(coop: Coop) -> None:
    fn = coop.units.contract.functions.initialize(coop.charter, coop.membership.address, 1)
    with pytest.raises(TransactionReverted) as info:
        coop.chain.transact(fn, coop.executor)
    assert info.value.error == "InvalidInitialization"
