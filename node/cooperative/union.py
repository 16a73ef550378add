"""A union of cooperatives: joining it through the treasury, and the treasury's decisions on
obligations in the union's ВРЕ (`Treasury.issueUnionObligation` and the rest).

Each call here is sent by the cooperative's decision executor: a key in the demo and the
contract tests, the council contract (through a council decision) in a governed cooperative.
"""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.chain.client import Chain, Sent, checksum
from node.cooperative.client import Cooperative, DocumentType, Fund, events, send


def _h(label: str) -> bytes:
    return keccak(text=label)


def join_union(
    member: Cooperative,
    union: Cooperative,
    executor: LocalAccount,
    member_chair: LocalAccount,
    union_chair: LocalAccount,
    union_executor: LocalAccount | None = None,
) -> None:
    """The member cooperative applies, its chair signs the decision to pay the fees from the
    reserve, it pays, and the union admits its treasury."""
    treasury = member.addresses.treasury
    member.join_union(
        executor, union, _h(f"registry record {treasury}"), _h(f"union app {treasury}")
    )
    union.attest_identity(union_chair, treasury, _h(f"union check {treasury}"))
    decision = _h(f"decision: {member.addresses.charter} joins {union.addresses.charter}")
    member.anchor(executor, decision, DocumentType.COUNCIL_DECISION)
    member.sign_document(member_chair, decision)
    member.pay_union_fees(executor, union, Fund.RESERVE, decision)
    union.admit(union_executor or executor, treasury, _h(f"union admits {treasury}"))


def union_units_of(chain: Chain, member: Cooperative) -> str | None:
    """The ВРЕ (SettlementUnits) of the union `member` applied to, read from the chain."""
    register = checksum(member.treasury.functions.joinedUnion().call())
    if int(register, 16) == 0:
        return None
    union = Cooperative.from_charter(
        chain, chain.contract("Membership", register).functions.charter().call()
    )
    return union.addresses.settlement_units


def issue_union_obligation(
    member: Cooperative,
    executor: LocalAccount,
    union_units: str,
    debtor_treasury: str,
    amount: int,
    document_hash: bytes,
) -> tuple[int, Sent]:
    """The cooperative invoices another member cooperative (its treasury) in the union's ВРЕ."""
    fn = member.treasury.functions.issueUnionObligation(
        checksum(union_units), checksum(debtor_treasury), amount, 0, document_hash
    )
    sent = send(member.chain, fn, executor)
    issued = events(member.treasury, "UnionObligationIssued", sent.receipt)
    return int(issued[0]["args"]["obligationId"]), sent


def accept_union_obligation(
    member: Cooperative, executor: LocalAccount, union_units: str, obligation_id: int
) -> Sent:
    fn = member.treasury.functions.acceptUnionObligation(checksum(union_units), obligation_id)
    return send(member.chain, fn, executor)


def pay_union_obligation(
    member: Cooperative,
    executor: LocalAccount,
    union_units: str,
    obligation_id: int,
    amount: int,
) -> Sent:
    fn = member.treasury.functions.payUnionObligation(checksum(union_units), obligation_id, amount)
    return send(member.chain, fn, executor)


def cancel_union_obligation(
    member: Cooperative, executor: LocalAccount, union_units: str, obligation_id: int
) -> Sent:
    fn = member.treasury.functions.cancelUnionObligation(checksum(union_units), obligation_id)
    return send(member.chain, fn, executor)


def reject_union_obligation(
    member: Cooperative, executor: LocalAccount, union_units: str, obligation_id: int
) -> Sent:
    fn = member.treasury.functions.rejectUnionObligation(checksum(union_units), obligation_id)
    return send(member.chain, fn, executor)


def measure_union_gas(chain: Chain, accounts: list[LocalAccount]) -> dict[str, int]:
    """Deploy a union of two cooperatives on a fresh dev chain and measure the treasury's union
    obligation calls once each (second of their kind, so storage is warm as in steady use).

    `accounts[0]` deploys and executes the decisions, `[1]` chairs the members, `[2]` the union.
    """
    from node.cooperative.client import CooperativeKind
    from node.cooperative.deploy import (
        CooperativeParams,
        create_cooperative,
        deploy_network,
        deploy_test_token,
        sandbox_council,
    )

    deployer, chair, union_chair = accounts[0], accounts[1], accounts[2]
    network = deploy_network(chain, deployer)
    token = deploy_test_token(chain, deployer)
    chain.transact(
        chain.contract("TestToken", token).functions.mint(deployer.address, 10**24), deployer
    )

    def make(name: str, kind: CooperativeKind, chair_of: LocalAccount) -> Cooperative:
        coop, _ = create_cooperative(
            chain,
            deployer,
            network.factory,
            CooperativeParams(
                name=name,
                symbol="GAS",
                kind=kind,
                payment_token=token,
                council=sandbox_council(chair_of.address, name),
                chair=chair_of.address,
                decision_executor=deployer.address,
                charter_document=_h(name),
                individual_fees=(0, 0),
                organisation_fees=(10**21, 5 * 10**21),
                fund_split_bps=[0, 5_000, 2_500, 2_500],
                cashiers=[],
                verifiers=[],
                default_credit_limit=10**21,
            ),
        )
        return coop

    union = make("Союз", CooperativeKind.UNION, union_chair)
    first = make("Первый", CooperativeKind.CONSUMER, chair)
    second = make("Второй", CooperativeKind.PRODUCTION, chair)
    for member in (first, second):
        member.approve_treasury(deployer)
        member.receive_income(deployer, 2 * 10**22, _h("income"))
        join_union(member, union, deployer, chair, union_chair)
    units = union.addresses.settlement_units
    a = first.addresses.treasury
    gas: dict[str, int] = {}
    for round_ in range(2):
        oid, sent = issue_union_obligation(second, deployer, units, a, 10**18, _h(f"o{round_}"))
        gas["issueUnionObligation"] = sent.gas_used
        gas["acceptUnionObligation"] = accept_union_obligation(first, deployer, units, oid).gas_used
        gas["payUnionObligation (part)"] = pay_union_obligation(
            first, deployer, units, oid, 10**17
        ).gas_used
        gas["payUnionObligation (settles)"] = pay_union_obligation(
            first, deployer, units, oid, 9 * 10**17
        ).gas_used
        oid, _ = issue_union_obligation(second, deployer, units, a, 10**18, _h(f"c{round_}"))
        gas["cancelUnionObligation"] = cancel_union_obligation(
            second, deployer, units, oid
        ).gas_used
        oid, _ = issue_union_obligation(second, deployer, units, a, 10**18, _h(f"r{round_}"))
        gas["rejectUnionObligation"] = reject_union_obligation(first, deployer, units, oid).gas_used
    return gas
