"""A union of cooperatives: member cooperatives join through their treasuries, by decision."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.client import (
    Cooperative,
    CooperativeKind,
    DocumentType,
    Fund,
    MemberKind,
    MemberStatus,
    events,
)
from node.cooperative.deploy import NetworkAddresses, create_cooperative
from node.cooperative.union import (
    accept_union_obligation,
    cancel_union_obligation,
    issue_union_obligation,
    join_union,
    pay_union_obligation,
    reject_union_obligation,
    union_units_of,
)
from node.units.client import ObligationStatus, SettlementUnitsClient
from tests.contracts.conftest import (
    TOKEN,
    ZERO_ADDRESS,
    Roles,
    expect_revert,
    h,
    standard_params,
)


def _union_roles(roles: Roles, accounts: list[LocalAccount]) -> Roles:
    """The union's own office holders (accounts 5 to 8), deployed by the cooperative's deployer."""
    return Roles(
        deployer=roles.deployer,
        chair=accounts[5],
        executor=accounts[6],
        cashier=accounts[7],
        verifier=accounts[8],
        council=(accounts[5], accounts[6], accounts[7]),
    )


def test_union_admits_member_cooperatives_by_their_treasuries(
    chain: Chain,
    coop: Cooperative,
    network: NetworkAddresses,
    roles: Roles,
    token_address: str,
    accounts: list[LocalAccount],
) -> None:
    union_roles = _union_roles(roles, accounts)
    union, _ = create_cooperative(
        chain,
        roles.deployer,
        network.factory,
        standard_params(
            union_roles,
            token_address,
            name="Союз кооперативов",
            symbol="UNION",
            kind=CooperativeKind.UNION,
        ),
    )
    second, _ = create_cooperative(
        chain,
        roles.deployer,
        network.factory,
        standard_params(roles, token_address, name="Лесная артель", symbol="LES"),
    )
    # A union admits organisations only.
    expect_revert(
        lambda: union.apply(accounts[9], MemberKind.INDIVIDUAL, h("id"), h("app")),
        "MembershipKindNotAllowed",
        int(MemberKind.INDIVIDUAL),
    )
    org_fees = 1_000 * TOKEN + 5_000 * TOKEN
    for member_coop in (coop, second):
        # The member cooperative earns money, then decides to join and pay from its reserve.
        member_coop.approve_treasury(roles.deployer)
        member_coop.receive_income(roles.deployer, 20_000 * TOKEN, h("income"))
        member_coop.join_union(roles.executor, union, h("registry record"), h("union application"))
        treasury = member_coop.addresses.treasury
        assert union.status(treasury) is MemberStatus.APPLICANT
        assert union.member(treasury).kind is MemberKind.ORGANISATION
        union.attest_identity(union_roles.chair, treasury, h(f"check {treasury}"))

        decision = h(f"join the union {treasury}")
        before = member_coop.fund_balances()[Fund.RESERVE]
        expect_revert(
            lambda mc=member_coop, d=decision: mc.pay_union_fees(
                roles.executor, union, Fund.RESERVE, d
            ),
            "TreasuryDecisionNotSigned",
        )
        member_coop.anchor(roles.executor, decision, DocumentType.COUNCIL_DECISION)
        member_coop.sign_document(roles.chair, decision)
        # The decision approved the fees as they stood; the union may not take more, nor be
        # paid as some other union.
        expect_revert(
            lambda mc=member_coop, d=decision: mc.pay_union_fees(
                roles.executor, union, Fund.RESERVE, d, approved_amount=org_fees - 1
            ),
            "TreasuryUnionFeesAboveApproved",
        )
        wrong = second if member_coop is coop else coop
        expect_revert(
            lambda mc=member_coop, d=decision, w=wrong: mc.pay_union_fees(
                roles.executor, w, Fund.RESERVE, d
            ),
            "TreasuryWrongUnion",
        )
        member_coop.pay_union_fees(roles.executor, union, Fund.RESERVE, decision)
        token = chain.contract("TestToken", member_coop.charter.functions.paymentToken().call())
        allowance = token.functions.allowance(
            treasury, union.charter.functions.treasury().call()
        ).call()
        assert allowance == 0
        assert member_coop.fund_balances()[Fund.RESERVE] == before - org_fees
        union.admit(union_roles.executor, treasury, h(f"union admits {treasury}"))
        assert union.is_active_member(treasury)
        assert union.share_balance(treasury) == 5_000 * TOKEN

    assert union.active_member_count() == 2
    assert union.fund_balances()[Fund.SHARE] == 2 * 5_000 * TOKEN


# -- obligations between member cooperatives in the union's ВРЕ ------------------------------


@dataclass(frozen=True)
class UnionSet:
    union: Cooperative
    union_roles: Roles
    first: Cooperative
    second: Cooperative
    outsider: Cooperative

    @property
    def units(self) -> SettlementUnitsClient:
        return SettlementUnitsClient(self.union.chain, self.union.addresses.settlement_units)


@pytest.fixture
def union_set(
    chain: Chain,
    coop: Cooperative,
    network: NetworkAddresses,
    roles: Roles,
    token_address: str,
    accounts: list[LocalAccount],
) -> UnionSet:
    """Two cooperatives in a union (joined by decision), and a third one outside any union."""
    union_roles = _union_roles(roles, accounts)
    union, _ = create_cooperative(
        chain,
        roles.deployer,
        network.factory,
        standard_params(
            union_roles, token_address, name="Союз", symbol="UNI", kind=CooperativeKind.UNION
        ),
    )
    second, _ = create_cooperative(
        chain,
        roles.deployer,
        network.factory,
        standard_params(roles, token_address, name="Артель", symbol="ART"),
    )
    outsider, _ = create_cooperative(
        chain,
        roles.deployer,
        network.factory,
        standard_params(roles, token_address, name="Одиночка", symbol="ONE"),
    )
    for member_coop in (coop, second):
        member_coop.approve_treasury(roles.deployer)
        member_coop.receive_income(roles.deployer, 20_000 * TOKEN, h("income"))
        join_union(
            member_coop, union, roles.executor, roles.chair, union_roles.chair, union_roles.executor
        )
        assert union.is_active_member(member_coop.addresses.treasury)
    return UnionSet(union, union_roles, coop, second, outsider)


def test_member_cooperatives_invoice_accept_and_pay_in_the_union(
    union_set: UnionSet, roles: Roles, chain: Chain
) -> None:
    s = union_set
    units_address = s.union.addresses.settlement_units
    a, b = s.first.addresses.treasury, s.second.addresses.treasury
    assert union_units_of(chain, s.first) == units_address
    assert union_units_of(chain, s.outsider) is None
    # The supplier cooperative invoices the buyer cooperative by its council's decision.
    oid, sent = issue_union_obligation(
        s.second, roles.executor, units_address, a, 120 * TOKEN, h("order document")
    )
    info = s.units.obligation(oid)
    assert (info.creditor, info.debtor, info.amount) == (b, a, 120 * TOKEN)
    assert info.status is ObligationStatus.ISSUED and info.document_hash == h("order document")
    issued = events(s.second.treasury, "UnionObligationIssued", sent.receipt)[0]["args"]
    assert (issued["unionUnits"], issued["obligationId"], issued["debtor"]) == (
        units_address,
        oid,
        a,
    )
    assert issued["amount"] == 120 * TOKEN and issued["documentHash"] == h("order document")
    # Only the debtor cooperative accepts; only the creditor cancels.
    expect_revert(
        lambda: accept_union_obligation(s.second, roles.executor, units_address, oid),
        "SettlementUnitsNotDebtor",
    )
    sent = accept_union_obligation(s.first, roles.executor, units_address, oid)
    assert events(s.first.treasury, "UnionObligationAccepted", sent.receipt)
    assert s.units.obligation(oid).status is ObligationStatus.ACCEPTED
    # It pays part within the union's default credit line (500), then the rest.
    sent = pay_union_obligation(s.first, roles.executor, units_address, oid, 20 * TOKEN)
    paid = events(s.first.treasury, "UnionObligationPaid", sent.receipt)[0]["args"]
    assert paid["amount"] == 20 * TOKEN
    assert s.units.obligation(oid).outstanding == 100 * TOKEN
    pay_union_obligation(s.first, roles.executor, units_address, oid, 100 * TOKEN)
    assert s.units.obligation(oid).status is ObligationStatus.SETTLED
    assert s.units.balance_of(b) == 120 * TOKEN
    assert s.units.signed_balance(a) == -120 * TOKEN


def test_union_obligations_cancelled_and_rejected_by_decision(
    union_set: UnionSet, roles: Roles
) -> None:
    s = union_set
    units_address = s.union.addresses.settlement_units
    a = s.first.addresses.treasury
    oid, _ = issue_union_obligation(s.second, roles.executor, units_address, a, TOKEN, h("x"))
    expect_revert(
        lambda: cancel_union_obligation(s.first, roles.executor, units_address, oid),
        "SettlementUnitsNotCreditor",
    )
    sent = cancel_union_obligation(s.second, roles.executor, units_address, oid)
    assert events(s.second.treasury, "UnionObligationCancelled", sent.receipt)
    assert s.units.obligation(oid).status is ObligationStatus.CANCELLED
    oid, _ = issue_union_obligation(s.second, roles.executor, units_address, a, TOKEN, h("y"))
    sent = reject_union_obligation(s.first, roles.executor, units_address, oid)
    assert events(s.first.treasury, "UnionObligationRejected", sent.receipt)
    assert s.units.obligation(oid).status is ObligationStatus.REJECTED


def test_union_obligation_refusals_change_nothing(
    union_set: UnionSet, roles: Roles, accounts: list[LocalAccount]
) -> None:
    s = union_set
    units_address = s.union.addresses.settlement_units
    a, outsider = s.first.addresses.treasury, s.outsider.addresses.treasury
    count = s.units.obligation_count()
    # Not the decision executor (a council member's own key is not the council's decision).
    expect_revert(
        lambda: issue_union_obligation(s.second, accounts[9], units_address, a, TOKEN, h("z")),
        "TreasuryNotDecisionExecutor",
        accounts[9].address,
    )
    # A cooperative that never applied to a union.
    expect_revert(
        lambda: issue_union_obligation(s.outsider, roles.executor, units_address, a, TOKEN, h("z")),
        "TreasuryNoUnion",
    )
    # The ВРЕ of another union (here: the cooperative's own ВРЕ).
    expect_revert(
        lambda: issue_union_obligation(
            s.second, roles.executor, s.second.addresses.settlement_units, a, TOKEN, h("z")
        ),
        "TreasuryWrongUnion",
        s.union.addresses.membership,
        s.second.addresses.membership,
    )
    for action in (accept_union_obligation, cancel_union_obligation, reject_union_obligation):
        expect_revert(
            lambda act=action: act(s.outsider, roles.executor, units_address, 1), "TreasuryNoUnion"
        )
        expect_revert(
            lambda act=action: act(s.first, accounts[9], units_address, 1),
            "TreasuryNotDecisionExecutor",
        )
    expect_revert(
        lambda: pay_union_obligation(s.first, roles.executor, ZERO_ADDRESS, 1, TOKEN),
        "TreasuryZeroAddress",
    )
    # The union's rules still hold: a debtor outside the union is refused by the union's ВРЕ.
    expect_revert(
        lambda: issue_union_obligation(
            s.second, roles.executor, units_address, outsider, TOKEN, h("z")
        ),
        "SettlementUnitsNotActiveMember",
        outsider,
    )
    assert s.units.obligation_count() == count
