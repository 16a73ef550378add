"""Fixtures for the cooperative core contracts: the network deployed once per session (before
any per-test snapshot, so every test starts from it), a standard cooperative, and helpers that
walk an account through the join flow."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.chain.client import Chain, TransactionReverted
from node.cooperative.client import Cooperative, CooperativeKind, MemberKind
from node.cooperative.deploy import (
    CooperativeParams,
    NetworkAddresses,
    create_cooperative,
    deploy_network,
    deploy_test_token,
)

TOKEN = 10**18
ZERO32 = b"\0" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

ENTRANCE = 100 * TOKEN
MINIMUM = 1_000 * TOKEN
ORG_ENTRANCE = 1_000 * TOKEN
ORG_MINIMUM = 5_000 * TOKEN
SPLIT_BPS = [0, 5_000, 2_500, 2_500]


def h(label: str) -> bytes:
    """A document or record hash for tests."""
    return keccak(text=label)


@dataclass(frozen=True)
class Roles:
    deployer: LocalAccount
    chair: LocalAccount
    executor: LocalAccount
    cashier: LocalAccount
    verifier: LocalAccount
    council: tuple[LocalAccount, ...]


#: The session's deployer is a key of its own, not a dev account: what it deploys outlives the
#: per-test snapshots, and other suites expect the dev accounts' nonces untouched.
DEPLOYER_KEY = keccak(text="coopnode tests: cooperative core deployer")


@pytest.fixture(scope="session")
def roles(chain: Chain, accounts: list[LocalAccount]) -> Roles:
    deployer: LocalAccount = Account.from_key(DEPLOYER_KEY)
    chain.w3.provider.make_request(
        "anvil_setBalance",  # type: ignore[arg-type]
        [deployer.address, hex(10**22)],
    )
    return Roles(
        deployer=deployer,
        chair=accounts[1],
        executor=accounts[2],
        cashier=accounts[3],
        verifier=accounts[4],
        council=(accounts[1], accounts[2], accounts[3]),
    )


@pytest.fixture(scope="session")
def network(chain: Chain, roles: Roles) -> NetworkAddresses:
    return deploy_network(chain, roles.deployer)


@pytest.fixture(scope="session")
def token_address(chain: Chain, roles: Roles, accounts: list[LocalAccount]) -> str:
    address = deploy_test_token(chain, roles.deployer)
    token = chain.contract("TestToken", address)
    for holder in [roles.deployer.address, *(a.address for a in accounts)]:
        chain.transact(token.functions.mint(holder, 1_000_000 * TOKEN), roles.deployer)
    return address


def standard_params(
    roles: Roles,
    token: str,
    *,
    name: str = "Потребительский кооператив «Ромашка»",
    kind: CooperativeKind = CooperativeKind.CONSUMER,
    symbol: str = "ROMA",
) -> CooperativeParams:
    return CooperativeParams(
        name=name,
        symbol=symbol,
        kind=kind,
        payment_token=token,
        council=[a.address for a in roles.council],
        chair=roles.chair.address,
        decision_executor=roles.executor.address,
        charter_document=h(f"charter of {name}"),
        individual_fees=(ENTRANCE, MINIMUM),
        organisation_fees=(ORG_ENTRANCE, ORG_MINIMUM),
        fund_split_bps=SPLIT_BPS,
        cashiers=[roles.cashier.address],
        verifiers=[roles.verifier.address],
        default_credit_limit=500 * TOKEN,
    )


@pytest.fixture(scope="session")
def coop(chain: Chain, network: NetworkAddresses, roles: Roles, token_address: str) -> Cooperative:
    cooperative, _ = create_cooperative(
        chain, roles.deployer, network.factory, standard_params(roles, token_address)
    )
    return cooperative


@pytest.fixture
def new_account(chain: Chain) -> Callable[[], LocalAccount]:
    """A fresh funded account (ETH for gas, tokens to pay fees)."""

    def make() -> LocalAccount:
        account: LocalAccount = Account.from_key(os.urandom(32))
        chain.w3.provider.make_request(
            "anvil_setBalance",  # type: ignore[arg-type]
            [account.address, hex(10**20)],
        )
        return account

    return make


def fund(chain: Chain, coop: Cooperative, minter: LocalAccount, to: str, amount: int) -> None:
    chain.transact(coop.token.functions.mint(to, amount), minter)


def apply_verify_pay(
    coop: Cooperative, roles: Roles, account: LocalAccount, kind: MemberKind = MemberKind.INDIVIDUAL
) -> None:
    """Applicant with identity verified and fees paid in tokens (not yet admitted)."""
    coop.apply(account, kind, h(f"id {account.address}"), h(f"application {account.address}"))
    coop.attest_identity(roles.verifier, account.address, h(f"check {account.address}"))
    coop.approve_treasury(account)
    coop.pay_fees(account, account.address)


def join(
    coop: Cooperative, roles: Roles, account: LocalAccount, kind: MemberKind = MemberKind.INDIVIDUAL
) -> None:
    """The whole join flow by the applicant's own wallet."""
    apply_verify_pay(coop, roles, account, kind)
    coop.admit(roles.executor, account.address, h(f"admission {account.address}"))


def expect_revert(action: Callable[[], object], error: str, *args: object) -> TransactionReverted:
    """Run `action`, assert it reverted with the named custom error (and args, if given)."""
    with pytest.raises(TransactionReverted) as info:
        action()
    assert info.value.error == error, f"expected {error}, got {info.value}"
    if args:
        assert info.value.error_args == args, info.value.error_args
    return info.value


def mine(chain: Chain, blocks: int = 1) -> None:
    chain.w3.provider.make_request("anvil_mine", [hex(blocks)])  # type: ignore[arg-type]


def chain_state(coop: Cooperative, *accounts: str) -> tuple[object, ...]:
    """A snapshot of everything a refused call could have changed, for before/after checks."""
    per_account = tuple(
        (
            coop.member(a),
            coop.membership.functions.dossierOf(a).call(),
            coop.holding(a),
            coop.token.functions.balanceOf(a).call(),
        )
        for a in accounts
    )
    return (
        per_account,
        coop.active_member_count(),
        coop.shares.functions.totalSupply().call(),
        tuple(coop.fund_balances().values()),
        coop.token.functions.balanceOf(coop.addresses.treasury).call(),
    )
