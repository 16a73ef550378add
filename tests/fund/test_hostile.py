"""Hostile keys: the chair alone, the council alone (a passed and signed council item), the
former executor and an ordinary member cannot move the cooperative's property or the fund's
money. Every attempt fails with its named error and changes nothing."""

from __future__ import annotations

from functools import partial

from node.fund import Category, Disposal, DisposalKind, LoanRequest
from node.governance import Action
from node.governance.sandbox import h
from tests.fund.conftest import (
    MONTH,
    TOKEN,
    World,
    council_decides,
    expect_revert,
    fund_state,
    registry_state,
)


def _setup(w: World) -> tuple[int, int]:
    """Contributions, an active loan and one asset in the register."""
    for member in w.members[:4]:
        w.fund.contribute(member, 1_000 * TOKEN)
    loan_id, _ = w.fund.request_loan(
        w.members[0], LoanRequest(amount=500 * TOKEN, term=MONTH, purpose=h("loan"))
    )
    council_decides(
        w,
        [w.fund.approve_action(loan_id, h("approve")), w.fund.disburse_action(loan_id)],
        "approve",
    )
    title = h("title of the barn")
    sent = council_decides(
        w,
        [
            w.registry.mint_action(
                w.members[0].address, Category.BUILDING, 5_000 * TOKEN, title, h("meta"), h("d")
            )
        ],
        "barn",
    )
    (token_id,) = w.registry.minted_ids(w.chain, w.registry.address, sent)
    return loan_id, token_id


def test_chair_alone_cannot_move_property_or_money(world: World) -> None:
    w = world
    loan_id, token_id = _setup(w)
    chair = w.chair
    thief = chair.address
    sale = Disposal(DisposalKind.SALE, h("forged sale"), thief, 1)
    f = w.fund.contract.functions
    r = w.registry.contract.functions
    before = (fund_state(w, [loan_id], [thief]), registry_state(w, [token_id]))
    attempts = [
        (r.mint(thief, 0, TOKEN, h("t"), h("m"), h("d")), "PropertyRegistryNotDecisionExecutor"),
        (r.revalue(token_id, 1, h("d")), "PropertyRegistryNotDecisionExecutor"),
        (r.setCustodian(token_id, thief, h("d")), "PropertyRegistryNotDecisionExecutor"),
        (r.transferFrom(w.registry.holder(), thief, token_id), "PropertyRegistryTransferForbidden"),
        (r.dispose(token_id, sale.as_abi(), 1, 0), "PropertyRegistryNotMeetingDecision"),
        (f.approveLoan(loan_id, h("d")), "MutualAidFundNotDecisionExecutor"),
        (f.callGuarantees(loan_id, h("d")), "MutualAidFundNotDecisionExecutor"),
        (f.rejectLoan(loan_id, h("d")), "MutualAidFundNotDecisionExecutor"),
        (f.withdraw(TOKEN), "MutualAidFundBalanceLocked"),
        (f.writeOff(loan_id, h("d"), 1, 0), "MutualAidFundNotMeetingDecision"),
        (f.rebindMember(w.members[0].address, thief), "MutualAidFundNotMembership"),
    ]
    for fn, error in attempts:
        expect_revert(partial(w.chain.transact, fn, chair), error)
    # The former executor (who deployed) has no power left either.
    expect_revert(
        lambda: w.chain.transact(f.approveLoan(loan_id, h("d")), w.sb.deployer),
        "MutualAidFundNotDecisionExecutor",
        w.sb.deployer.address,
    )
    assert (fund_state(w, [loan_id], [thief]), registry_state(w, [token_id])) == before


def test_council_alone_cannot_dispose_or_take_fund_money(world: World) -> None:
    w = world
    loan_id, token_id = _setup(w)
    council = w.sb.governance.council.address
    sale = Disposal(DisposalKind.SALE, h("council sells the barn"), w.sb.council[0].address, 1)
    before = (fund_state(w, [loan_id], [council]), registry_state(w, [token_id]))
    attempts: list[tuple[Action, str]] = [
        # Property leaves only by a meeting decision: the council's own call is not one.
        (
            Action.call(w.registry.contract, "dispose", token_id, sale.as_abi(), 1, 0),
            "PropertyRegistryNotMeetingDecision",
        ),
        (
            Action.call(
                w.registry.contract, "transferFrom", w.registry.holder(), council, token_id
            ),
            "PropertyRegistryTransferForbidden",
        ),
        # The fund pays out only to members from their own balance and to borrowers.
        (Action.call(w.fund.contract, "withdraw", TOKEN), "MutualAidFundBalanceLocked"),
        (
            Action.call(w.fund.contract, "writeOff", loan_id, h("forgive"), 1, 0),
            "MutualAidFundNotMeetingDecision",
        ),
        (
            Action.call(w.fund.contract, "repay", loan_id, TOKEN),
            "MutualAidFundNotAllowedPayer",
        ),
    ]
    for i, (action, error) in enumerate(attempts):
        expect_revert(partial(council_decides, w, [action], f"hostile {i}"), error)
    assert (fund_state(w, [loan_id], [council]), registry_state(w, [token_id])) == before


def test_member_alone_cannot_move_property_or_money(world: World) -> None:
    w = world
    loan_id, token_id = _setup(w)
    m5 = w.members[5]
    before = (fund_state(w, [loan_id]), registry_state(w, [token_id]))
    expect_revert(
        lambda: w.chain.transact(w.registry.contract.functions.approve(m5.address, token_id), m5),
        "PropertyRegistryApprovalForbidden",
    )
    expect_revert(
        lambda: w.fund.withdraw(m5, TOKEN), "MutualAidFundBalanceLocked", m5.address, TOKEN, 0
    )
    expect_revert(
        lambda: w.fund.disburse(m5, loan_id),
        "MutualAidFundUnexpectedLoanState",
    )
    assert (fund_state(w, [loan_id]), registry_state(w, [token_id])) == before
