"""Gas of every user-facing transaction of the cooperative core contracts.

One function, `measure_core_gas`, shared by the benchmark script (`benchmarks/bench_gas_core.py`,
which writes the table and the snapshot) and the snapshot test (which fails when a figure grows
by more than 5%). Figures are steady state: a warm-up member and cooperative go first, so that
one-off first writes (the first fund balance, the registry's first entry) are not counted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.chain.client import Chain
from node.cooperative.client import CooperativeKind, DocumentType, MemberKind
from node.cooperative.deploy import (
    CooperativeParams,
    create_cooperative,
    deploy_network,
    deploy_test_token,
)

TOKEN = 10**18

#: Reference figures of well-known contracts (from the issue), for the table.
REFERENCES: dict[str, int] = {
    "OpenZeppelin ERC-20 transfer (existing holder)": 34_454,
    "OpenZeppelin ERC-20 transfer (new holder)": 51_554,
    "ERC-721 mint": 68_760,
    "ERC-3643 (T-REX) permissioned transfer": 155_742,
}

#: Goals from the issue.
DEPLOY_GOAL = 1_000_000
MEMBER_ACTION_GOAL = 120_000

#: The measured transactions, in table order, with what each one is.
ACTIONS: dict[str, str] = {
    "factory_deploy": (
        "CooperativeFactory.createCooperative: whole set (6 clones), initialised, registered"
    ),
    "apply": "Membership.applyToJoin by the applicant's wallet",
    "apply_by_signature": "Membership.applyToJoinWithSig (EIP-712, sent by a relayer)",
    "attest_identity": "Membership.attestIdentity by a verifier",
    "pay_fees_erc20": (
        "Membership.payFees: entrance fee + minimum share by ERC-20 into the treasury"
    ),
    "attest_payment": "Membership.attestPayment: cashier attests a bank payment",
    "admit": "Membership.admit by the decision executor",
    "contribute": "Shares.contribute: voluntary share by ERC-20",
    "anchor": "DocumentRegistry.anchor",
    "sign": "DocumentRegistry.sign by the signer's wallet",
    "sign_by_signature": "DocumentRegistry.signWithSig (EIP-712, sent by a relayer)",
    "request_exit": "Membership.requestExit by the member",
    "exit": "Membership.exit by the decision executor, refund from the share fund",
}


def _h(label: str) -> bytes:
    return keccak(text=label)


def bench_params(token: str, accounts: Sequence[LocalAccount], name: str) -> CooperativeParams:
    """A typical cooperative: Cyrillic name, three council members, one cashier, one trustee."""
    chair, executor, cashier, verifier = accounts[1], accounts[2], accounts[3], accounts[4]
    return CooperativeParams(
        name=name,
        symbol="ROMA",
        kind=CooperativeKind.CONSUMER,
        payment_token=token,
        council=[chair.address, executor.address, cashier.address],
        chair=chair.address,
        decision_executor=executor.address,
        charter_document=_h(f"charter {name}"),
        individual_fees=(100 * TOKEN, 1_000 * TOKEN),
        organisation_fees=(1_000 * TOKEN, 5_000 * TOKEN),
        fund_split_bps=[0, 5_000, 2_500, 2_500],
        cashiers=[cashier.address],
        verifiers=[verifier.address],
        default_credit_limit=500 * TOKEN,
    )


def measure_core_gas(chain: Chain, accounts: Sequence[LocalAccount]) -> dict[str, int]:
    """Deploy a network and measure each action once in steady state; returns name -> gas.

    Needs at least 10 funded accounts; the chain's state is changed (run it on a snapshot or a
    throw-away anvil).
    """
    deployer, _chair, executor, cashier, verifier = accounts[:5]
    a, b, c, _spare, relayer = accounts[5:10]
    network = deploy_network(chain, deployer)
    token_address = deploy_test_token(chain, deployer)
    token = chain.contract("TestToken", token_address)
    for account in accounts:
        chain.transact(token.functions.mint(account.address, 1_000_000 * TOKEN), deployer)

    # Warm-up cooperative: the registry's and factory's first writes are paid here.
    create_cooperative(
        chain, deployer, network.factory, bench_params(token_address, accounts, "Разминка")
    )
    coop, sent = create_cooperative(
        chain,
        deployer,
        network.factory,
        bench_params(token_address, accounts, "Потребительский кооператив «Ромашка»"),
    )
    gas: dict[str, int] = {"factory_deploy": sent.gas_used}

    # Warm-up member: first fund balances, first active-member checkpoint.
    for account in (a, b, c):
        coop.approve_treasury(account)
    coop.apply(a, MemberKind.INDIVIDUAL, _h("id a"), _h("app a"))
    coop.attest_identity(verifier, a.address, _h("check a"))
    coop.pay_fees(a, a.address)
    coop.admit(executor, a.address, _h("decision a"))

    gas["apply"] = coop.apply(b, MemberKind.INDIVIDUAL, _h("id b"), _h("app b")).gas_used
    signature, nonce, deadline = coop.sign_application(
        c, MemberKind.INDIVIDUAL, _h("id c"), _h("app c"), deadline=int(time.time()) + 3600
    )
    gas["apply_by_signature"] = coop.apply_with_sig(
        relayer,
        c.address,
        MemberKind.INDIVIDUAL,
        _h("id c"),
        _h("app c"),
        nonce,
        deadline,
        signature,
    ).gas_used
    gas["attest_identity"] = coop.attest_identity(verifier, b.address, _h("check b")).gas_used
    coop.attest_identity(verifier, c.address, _h("check c"))
    gas["pay_fees_erc20"] = coop.pay_fees(b, b.address).gas_used
    gas["attest_payment"] = coop.attest_payment(cashier, c.address, _h("bank c")).gas_used
    coop.admit(executor, c.address, _h("decision c"))
    gas["admit"] = coop.admit(executor, b.address, _h("decision b")).gas_used
    coop.contribute(a, 10 * TOKEN)
    gas["contribute"] = coop.contribute(b, 10 * TOKEN).gas_used

    coop.anchor(a, _h("doc 0"), DocumentType.CONTRACT)
    gas["anchor"] = coop.anchor(b, _h("doc 1"), DocumentType.CONTRACT).gas_used
    coop.sign_document(a, _h("doc 1"))
    gas["sign"] = coop.sign_document(b, _h("doc 1")).gas_used
    doc_signature = coop.document_signature(c, _h("doc 1"))
    gas["sign_by_signature"] = coop.sign_document_with_sig(
        relayer, _h("doc 1"), c.address, doc_signature
    ).gas_used

    coop.request_exit(a, _h("exit app a"))
    gas["request_exit"] = coop.request_exit(b, _h("exit app b")).gas_used
    coop.exit(executor, a.address, _h("exit decision a"))
    gas["exit"] = coop.exit(executor, b.address, _h("exit decision b")).gas_used
    return gas


def gas_table(gas: dict[str, int]) -> str:
    """A Markdown table of the measured figures beside the reference figures and goals."""
    lines = [
        "| Transaction | Gas | Goal | Within goal |",
        "|---|---:|---:|:---:|",
    ]
    for key, what in ACTIONS.items():
        value = gas[key]
        goal = DEPLOY_GOAL if key == "factory_deploy" else MEMBER_ACTION_GOAL
        ok = "yes" if value < goal else "**no**"
        lines.append(f"| `{key}`: {what} | {value:,} | < {goal:,} | {ok} |")
    lines += ["", "| Reference (well-known contracts) | Gas |", "|---|---:|"]
    lines += [f"| {name} | {value:,} |" for name, value in REFERENCES.items()]
    return "\n".join(lines) + "\n"
