"""A union of cooperatives: member cooperatives join through their treasuries, by decision."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.client import (
    Cooperative,
    CooperativeKind,
    DocumentType,
    Fund,
    MemberKind,
    MemberStatus,
)
from node.cooperative.deploy import NetworkAddresses, create_cooperative
from tests.contracts.conftest import (
    TOKEN,
    Roles,
    expect_revert,
    h,
    standard_params,
)


def test_union_admits_member_cooperatives_by_their_treasuries(
    chain: Chain,
    coop: Cooperative,
    network: NetworkAddresses,
    roles: Roles,
    token_address: str,
    accounts: list[LocalAccount],
) -> None:
    union_roles = Roles(
        deployer=roles.deployer,
        chair=accounts[5],
        executor=accounts[6],
        cashier=accounts[7],
        verifier=accounts[8],
        council=(accounts[5], accounts[6], accounts[7]),
    )
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
        member_coop.pay_union_fees(roles.executor, union, Fund.RESERVE, decision)
        assert member_coop.fund_balances()[Fund.RESERVE] == before - org_fees
        union.admit(union_roles.executor, treasury, h(f"union admits {treasury}"))
        assert union.is_active_member(treasury)
        assert union.share_balance(treasury) == 5_000 * TOKEN

    assert union.active_member_count() == 2
    assert union.fund_balances()[Fund.SHARE] == 2 * 5_000 * TOKEN
