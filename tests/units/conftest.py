"""A real cooperative on anvil for the ВРЕ tests: the network and one cooperative deployed by
`node.cooperative.deploy`, several members admitted through Membership's real admission path
(decisions by the configured executor account), and the ВРЕ client bound to its
SettlementUnits clone. Deployed once per session; every test runs in a chain snapshot."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from node.chain.client import Chain, Sent, TransactionReverted
from node.cooperative.client import Cooperative, send
from node.units.client import ObligationInfo, SettlementUnitsClient
from node.units.sandbox import admit, single_executor_cooperative

DEFAULT_LIMIT = 1_000
DECISION = b"\x01" * 32


@dataclass
class Coop:
    """One deployed cooperative as the ВРЕ tests see it."""

    chain: Chain
    units: SettlementUnitsClient
    membership: Contract
    charter: str
    executor: LocalAccount
    members: list[LocalAccount]
    outsider: LocalAccount
    cooperative: Cooperative

    # -- membership decisions (the real Membership contract) ------------------------------

    def _decide(self, fn: Any) -> Sent:
        return send(self.chain, fn, self.executor)

    def block(self, member: LocalAccount) -> Sent:
        return self._decide(self.membership.functions.blockMember(member.address, DECISION))

    def unblock(self, member: LocalAccount) -> Sent:
        return self.unblock_address(member.address)

    def unblock_address(self, account: str) -> Sent:
        return self._decide(self.membership.functions.unblockMember(account, DECISION))

    def decide(self, fn: Any) -> Sent:
        """Any Membership call as a decision of the executor."""
        return self._decide(fn)

    def request_exit(self, member: LocalAccount) -> Sent:
        return send(self.chain, self.membership.functions.requestExit(DECISION), member)

    def exit(self, member: LocalAccount) -> Sent:
        return self._decide(self.membership.functions.exit(member.address, DECISION))

    def recover(self, old: LocalAccount, new: str) -> Sent:
        fn = self.membership.functions.recoverMembership(old.address, new, DECISION)
        return self._decide(fn)

    def is_active(self, account: str) -> bool:
        return bool(self.membership.functions.isActiveMember(account).call())

    # -- state snapshots for "nothing changed" checks ---------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything the contract exposes about the test accounts and all obligations."""
        units = self.units
        people = [*self.members, self.outsider]
        obligations: list[ObligationInfo] = [
            units.obligation(i) for i in range(1, units.obligation_count() + 1)
        ]
        return {
            "balances": [units.signed_balance(p.address) for p in people],
            "limits": [units.credit_limit(p.address) for p in people],
            "open": [units.open_obligation_count(p.address) for p in people],
            "supply": units.total_supply(),
            "default": units.default_credit_limit(),
            "obligations": obligations,
        }

    def reverts(self, error: str, action: Callable[[], object]) -> TransactionReverted:
        """Run `action`, expect the named custom error, and check that nothing changed."""
        before = self.state()
        with pytest.raises(TransactionReverted) as info:
            action()
        assert info.value.error == error, info.value
        assert self.state() == before
        return info.value


def _deploy(chain: Chain, accounts: list[LocalAccount]) -> Coop:
    """The network, one cooperative and six members admitted through the real join flow."""
    deployer, executor = accounts[0], accounts[1]
    members, outsider = accounts[2:8], accounts[9]
    cooperative = single_executor_cooperative(
        chain,
        deployer,
        executor,
        name="Потребительский кооператив «ВРЕ»",
        symbol="VRE",
        default_credit_limit=DEFAULT_LIMIT,
    )
    for member in members:
        admit(cooperative, executor, member)
    return Coop(
        chain=chain,
        units=SettlementUnitsClient(chain, cooperative.addresses.settlement_units),
        membership=cooperative.membership,
        charter=cooperative.addresses.charter,
        executor=executor,
        members=list(members),
        outsider=outsider,
        cooperative=cooperative,
    )


@pytest.fixture(scope="session")
def coop_session(chain: Chain, accounts: list[LocalAccount]) -> Coop:
    if os.environ.get("COOP_SKIP_UNITS_DEPLOY"):
        pytest.skip("cooperative deployment disabled")
    return _deploy(chain, accounts)


@pytest.fixture
def coop(coop_session: Coop, chain: Chain) -> Iterator[Coop]:
    # `chain` in the signature makes the autouse isolation snapshot and revert this test.
    yield coop_session


@pytest.fixture
def units(coop: Coop) -> SettlementUnitsClient:
    return coop.units


def clone_of(chain: Chain, sender: LocalAccount, implementation: str) -> str:
    """Deploy an EIP-1167 minimal proxy of `implementation` (what the factory does)."""
    impl = bytes.fromhex(implementation[2:])
    init_code = (
        bytes.fromhex("3d602d80600a3d3981f3363d3d373d3d3d363d73")
        + impl
        + bytes.fromhex("5af43d82803e903d91602b57fd5bf3")
    )
    tx = {
        "from": sender.address,
        "data": init_code,
        "nonce": chain.w3.eth.get_transaction_count(sender.address, "pending"),
        "chainId": chain.chain_id,
        "gas": 200_000,
        "maxFeePerGas": chain.w3.eth.gas_price * 2 + 10**9,
        "maxPriorityFeePerGas": 10**9,
    }
    signed = sender.sign_transaction(tx)
    tx_hash = chain.w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash)
    address = receipt["contractAddress"]
    assert address is not None
    return str(address)


def fresh_units(coop: Coop, default_limit: int = DEFAULT_LIMIT) -> SettlementUnitsClient:
    """A second ВРЕ contract of the same cooperative (a clone of a fresh implementation)."""
    implementation, _ = coop.chain.deploy("SettlementUnits", sender=coop.executor)
    address = clone_of(coop.chain, coop.executor, implementation.address)
    client = SettlementUnitsClient(coop.chain, address)
    fn = client.contract.functions.initialize(coop.charter, coop.membership.address, default_limit)
    coop.chain.transact(fn, coop.executor)
    return client
