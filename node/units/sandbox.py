"""A cooperative for ВРЕ tests and gas benchmarks: one account holds every office.

The executor is the chair, the only council member, the cashier and the verifier, fees are zero,
and members join through the real path (application, identity check, payment attested by the
cashier, admission decision), so ВРЕ runs against the real Membership contract.
"""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.chain.client import Chain
from node.cooperative.client import Cooperative, CooperativeKind, MemberKind
from node.cooperative.deploy import (
    CooperativeParams,
    create_cooperative,
    deploy_network,
    deploy_test_token,
    sandbox_council,
)


def single_executor_cooperative(
    chain: Chain,
    deployer: LocalAccount,
    executor: LocalAccount,
    *,
    name: str,
    symbol: str,
    default_credit_limit: int,
) -> Cooperative:
    """Deploy a network and one consumer cooperative run by `executor` alone."""
    network = deploy_network(chain, deployer)
    token = deploy_test_token(chain, deployer)
    params = CooperativeParams(
        name=name,
        symbol=symbol,
        kind=CooperativeKind.CONSUMER,
        payment_token=token,
        council=sandbox_council(executor.address, name),
        chair=executor.address,
        decision_executor=executor.address,
        charter_document=keccak(text="charter"),
        individual_fees=(0, 0),
        organisation_fees=(0, 0),
        fund_split_bps=[0, 5_000, 2_500, 2_500],
        cashiers=[executor.address],
        verifiers=[executor.address],
        default_credit_limit=default_credit_limit,
    )
    cooperative, _ = create_cooperative(chain, deployer, network.factory, params)
    return cooperative


def admit(cooperative: Cooperative, executor: LocalAccount, account: LocalAccount) -> None:
    """The join flow: application, identity check, fees attested by the cashier, admission
    decision (the executor holds the verifier and cashier roles)."""
    tag = account.address
    cooperative.apply(
        account, MemberKind.INDIVIDUAL, keccak(text=f"id {tag}"), keccak(text=f"app {tag}")
    )
    cooperative.attest_identity(executor, account.address, keccak(text=f"check {tag}"))
    cooperative.attest_payment(executor, account.address, keccak(text=f"payment {tag}"))
    cooperative.admit(executor, account.address, keccak(text=f"admission {tag}"))
