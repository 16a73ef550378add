"""The mutual-aid fund on a real governed cooperative: contributions, full loan life cycles (on
time, early, overdue with guarantors, written off), the charter's rules at approval, withdrawals
of what is not lent out, exit blocked by a loan, key recovery. Every refused call is checked for
its named error and for nothing having changed."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from eth_account.signers.local import LocalAccount

from node.chain.client import checksum
from node.fund import FundRules, LoanRequest, LoanState, PoolInfo
from node.governance import Action
from node.governance._utils import events
from node.governance.sandbox import fund as fund_eth
from node.governance.sandbox import generated_accounts, h, now, warp
from tests.fund.conftest import (
    DAY,
    MONTH,
    RULES,
    TOKEN,
    World,
    advance,
    council_decides,
    expect_revert,
    fund_state,
    meeting_decides,
)


def contribute(w: World, amounts: Sequence[int]) -> None:
    """Member i contributes amounts[i] tokens (zero: nothing)."""
    for member, amount in zip(w.members, amounts, strict=False):
        if amount:
            w.fund.contribute(member, amount * TOKEN)


def borrow(
    w: World,
    borrower: LocalAccount,
    request: LoanRequest,
    *,
    accept: Sequence[LocalAccount] = (),
    disburse: bool = True,
    label: str = "loan",
) -> int:
    """Request a loan, have the guarantors accept, and approve (and disburse) it in one council
    decision."""
    loan_id, _ = w.fund.request_loan(borrower, request)
    for guarantor in accept:
        w.fund.accept_guarantee(guarantor, loan_id)
    actions = [w.fund.approve_action(loan_id, h(f"approve {label}"))]
    if disburse:
        actions.append(w.fund.disburse_action(loan_id))
    council_decides(w, actions, f"approve {label}")
    return loan_id


def token_balance(w: World, account: str) -> int:
    return int(w.sb.cooperative.token.functions.balanceOf(account).call())


# -- contributions --------------------------------------------------------------------------


def test_contributions_are_tracked_per_member(world: World) -> None:
    w = world
    m0, m1 = w.members[0], w.members[1]
    before = token_balance(w, m0.address)
    sent = w.fund.contribute(m0, 1_000 * TOKEN)
    w.fund.contribute(m1, 500 * TOKEN)
    (event,) = events(w.fund.contract, "Contributed", sent.receipt)
    assert event["args"]["member"] == m0.address
    assert event["args"]["amount"] == 1_000 * TOKEN
    assert w.fund.balance_of(m0.address) == 1_000 * TOKEN
    assert w.fund.balance_of(m1.address) == 500 * TOKEN
    assert token_balance(w, m0.address) == before - 1_000 * TOKEN
    assert token_balance(w, w.fund.address) == 1_500 * TOKEN
    pool = w.fund.pool()
    assert (pool.cash, pool.lent) == (1_500 * TOKEN, 0)
    position = w.fund.position(m0.address)
    assert position.withdrawable == 1_000 * TOKEN
    assert not w.fund.has_open_obligations(m0.address)

    # Somebody who is not an active member, and a zero amount: refused, nothing changed.
    outsider = w.sb.council[0]
    w.chain.transact(w.sb.cooperative.token.functions.approve(w.fund.address, 2**256 - 1), outsider)
    state = fund_state(w, accounts=[outsider.address])
    expect_revert(
        lambda: w.fund.contribute(outsider, TOKEN),
        "MutualAidFundNotActiveMember",
        outsider.address,
    )
    expect_revert(lambda: w.fund.contribute(m0, 0), "MutualAidFundZeroAmount")
    assert fund_state(w, accounts=[outsider.address]) == state

    # A partial withdrawal from the cash.
    w.fund.withdraw(m1, 200 * TOKEN)
    assert w.fund.balance_of(m1.address) == 300 * TOKEN
    assert w.fund.pool().cash == 1_300 * TOKEN


# -- loan life cycles ----------------------------------------------------------------------------


def test_on_time_loan_life_cycle_and_exit(world: World) -> None:
    w = world
    m0 = w.members[0]
    contribute(w, [1_000, 1_000, 1_000, 1_000])
    request = LoanRequest(
        amount=900 * TOKEN, term=3 * MONTH, instalments=3, purpose=h("a milking machine")
    )
    loan_id, sent = w.fund.request_loan(m0, request)
    assert w.fund.state(loan_id) == LoanState.REQUESTED
    (event,) = events(w.fund.contract, "LoanRequested", sent.receipt)
    assert event["args"]["request"]["amount"] == 900 * TOKEN
    # A request alone does not block the exit; the borrower may still cancel it.
    assert not w.fund.has_open_obligations(m0.address)

    wallet = token_balance(w, m0.address)
    exec_sent = council_decides(
        w,
        [w.fund.approve_action(loan_id, h("approve 1")), w.fund.disburse_action(loan_id)],
        "approve 1",
    )
    assert events(w.fund.contract, "LoanApproved", exec_sent.receipt)
    assert events(w.fund.contract, "LoanDisbursed", exec_sent.receipt)
    info = w.fund.loan(loan_id)
    assert info.state == LoanState.ACTIVE
    assert (info.principal, info.interest, info.borrower) == (900 * TOKEN, 0, m0.address)
    assert token_balance(w, m0.address) == wallet + 900 * TOKEN
    pool = w.fund.pool()
    assert (pool.cash, pool.lent) == (3_100 * TOKEN, 900 * TOKEN)
    assert w.fund.position(m0.address).borrowed == 900 * TOKEN

    # The borrower cannot leave while the loan is open.
    coop = w.sb.cooperative
    expect_revert(
        lambda: coop.request_exit(m0, h("exit m0")),
        "MembershipOpenObligations",
        m0.address,
        w.fund.address,
    )

    # Equal instalments, each paid a day before it falls due: never overdue.
    for i in (1, 2, 3):
        due, due_at = w.fund.instalment_due(loan_id, i)
        assert due == 300 * TOKEN * i
        assert due_at == info.disbursed_at + MONTH * i
        warp(w.chain, due_at - DAY)
        assert w.fund.state(loan_id) == LoanState.ACTIVE
        w.fund.repay(m0, loan_id, 300 * TOKEN)
        warp(w.chain, due_at + DAY)
        assert w.fund.amount_overdue(loan_id) == 0
    assert w.fund.state(loan_id) == LoanState.REPAID
    pool = w.fund.pool()
    assert (pool.cash, pool.lent) == (4_000 * TOKEN, 0)
    assert w.fund.balance_of(m0.address) == 1_000 * TOKEN
    assert not w.fund.has_open_obligations(m0.address)
    coop.request_exit(m0, h("exit m0"))


def test_early_repayment_releases_the_guarantee(world: World) -> None:
    w = world
    m0, m1 = w.members[0], w.members[1]
    contribute(w, [1_000, 1_000, 2_000])
    request = LoanRequest(
        amount=1_500 * TOKEN,
        term=6 * MONTH,
        instalments=6,
        purpose=h("seeds"),
        guarantors=(m1.address,),
        pledges=(500 * TOKEN,),
    )
    loan_id = borrow(w, m0, request, accept=[m1])
    position = w.fund.position(m1.address)
    assert (position.pledged, position.withdrawable, position.open_pledges) == (
        500 * TOKEN,
        500 * TOKEN,
        1,
    )
    expect_revert(
        lambda: w.sb.cooperative.request_exit(m1, h("exit m1")),
        "MembershipOpenObligations",
        m1.address,
        w.fund.address,
    )

    advance(w, 10 * DAY)
    sent = w.fund.repay(m0, loan_id, 1_500 * TOKEN)
    assert events(w.fund.contract, "LoanClosed", sent.receipt)
    (released,) = events(w.fund.contract, "GuaranteeReleased", sent.receipt)
    assert released["args"]["guarantor"] == m1.address
    assert w.fund.state(loan_id) == LoanState.REPAID
    position = w.fund.position(m1.address)
    assert (position.pledged, position.withdrawable, position.open_pledges) == (
        0,
        1_000 * TOKEN,
        0,
    )
    w.sb.cooperative.request_exit(m1, h("exit m1"))
    assert w.fund.pool().lent == 0


def test_overdue_loan_calls_the_guarantors(world: World) -> None:
    w = world
    m0, m1, m2 = w.members[:3]
    contribute(w, [1_000, 1_000, 1_000, 2_000])
    request = LoanRequest(
        amount=1_800 * TOKEN,
        term=3 * MONTH,
        instalments=3,
        purpose=h("a greenhouse"),
        guarantors=(m1.address, m2.address),
        pledges=(500 * TOKEN, 400 * TOKEN),
    )
    loan_id = borrow(w, m0, request, accept=[m1, m2])
    assert w.fund.guarantees(loan_id)[1].amount == 400 * TOKEN

    # Not overdue yet: the guarantees cannot be called.
    state = fund_state(w, [loan_id])
    expect_revert(
        lambda: council_decides(
            w, [w.fund.call_guarantees_action(loan_id, h("call early"))], "call early"
        ),
        "MutualAidFundUnexpectedLoanState",
        loan_id,
        int(LoanState.ACTIVE),
    )
    assert fund_state(w, [loan_id]) == state

    # The first instalment is missed.
    _, first_due = w.fund.instalment_due(loan_id, 1)
    warp(w.chain, first_due)
    assert w.fund.state(loan_id) == LoanState.ACTIVE  # due now, missed only after
    advance(w, 1)
    assert w.fund.state(loan_id) == LoanState.OVERDUE
    assert w.fund.amount_overdue(loan_id) == 600 * TOKEN

    sent = council_decides(
        w, [w.fund.call_guarantees_action(loan_id, h("call guarantees"))], "call guarantees"
    )
    called = {
        e["args"]["guarantor"]: e["args"]["amount"]
        for e in events(w.fund.contract, "GuaranteeCalled", sent.receipt)
    }
    assert called == {m1.address: 500 * TOKEN, m2.address: 400 * TOKEN}
    info = w.fund.loan(loan_id)
    assert info.state == LoanState.DEFAULTED
    assert info.repaid == 900 * TOKEN
    assert w.fund.outstanding(loan_id) == 900 * TOKEN
    # The guarantors' pledged contributions became repayment, taken at the book value (cash +
    # lent): 500 and 400 out of their 1,000. The 900 still owed is marked down: every balance
    # (book 500, 600, 2,000, 1,000: 4,100) carries its share while it is unpaid.
    assert w.fund.valuation().impaired == 900 * TOKEN
    book = {m1: 500, m2: 600, w.members[3]: 2_000, m0: 1_000}
    for member, value in book.items():
        marked = value * TOKEN * 3_200 // 4_100
        assert abs(w.fund.balance_of(member.address) - marked) <= 2
    assert w.fund.position(m1.address).open_pledges == 0
    pool = w.fund.pool()
    assert (pool.cash, pool.lent) == (3_200 * TOKEN, 900 * TOKEN)

    # The guarantors are free to leave; the borrower pays the rest and is free too. The value
    # comes back in full.
    w.sb.cooperative.request_exit(m2, h("exit m2"))
    w.fund.repay(m0, loan_id, 900 * TOKEN)
    assert w.fund.state(loan_id) == LoanState.REPAID
    assert not w.fund.has_open_obligations(m0.address)
    assert w.fund.valuation().impaired == 0
    for member, value in book.items():
        assert abs(w.fund.balance_of(member.address) - value * TOKEN) <= 2


def test_write_off_by_meeting_shares_the_loss_pro_rata(world: World) -> None:
    w = world
    m0 = w.members[0]
    contribute(w, [1_000, 2_000, 3_000])
    request = LoanRequest(amount=1_000 * TOKEN, term=MONTH, purpose=h("repairs"))
    loan_id = borrow(w, m0, request)
    w.fund.repay(m0, loan_id, 100 * TOKEN)
    advance(w, MONTH + DAY)
    assert w.fund.state(loan_id) == LoanState.OVERDUE

    document = h("write-off act")
    wrong = h("another act")
    meeting_id = meeting_decides(
        w,
        [
            w.fund.write_off_question(loan_id, document),
            w.fund.write_off_question(loan_id, wrong),
        ],
        votes_for=5,
        label="write-off",
    )
    state = fund_state(w, [loan_id])
    # The commitment must be this loan and this act; the meeting and question must exist.
    expect_revert(
        lambda: w.fund.write_off(m0, loan_id, h("forged act"), meeting_id, 0),
        "MutualAidFundDecisionMismatch",
    )
    expect_revert(
        lambda: w.fund.write_off(m0, loan_id, document, meeting_id, 2),
        "MutualAidFundNotMeetingDecision",
        meeting_id,
        2,
    )
    expect_revert(
        lambda: w.fund.write_off(m0, loan_id, document, meeting_id + 1, 0),
        "MutualAidFundNotMeetingDecision",
        meeting_id + 1,
        0,
    )
    assert fund_state(w, [loan_id]) == state

    sent = w.fund.write_off(w.members[5], loan_id, document, meeting_id, 0)
    (event,) = events(w.fund.contract, "LoanWrittenOff", sent.receipt)
    assert event["args"]["loss"] == 900 * TOKEN
    assert w.fund.state(loan_id) == LoanState.WRITTEN_OFF
    # Pool: 6,000 contributed, 100 repaid, 900 lost: 5,100 shared 1 : 2 : 3.
    pool = w.fund.pool()
    assert (pool.cash, pool.lent) == (5_100 * TOKEN, 0)
    for member, share in zip(w.members[:3], (1, 2, 3), strict=True):
        assert abs(w.fund.balance_of(member.address) - 850 * TOKEN * share) <= 1
    assert not w.fund.has_open_obligations(m0.address)
    # Used once: the second question (another act) does not match this write-off either.
    expect_revert(
        lambda: w.fund.write_off(m0, loan_id, wrong, meeting_id, 1),
        "MutualAidFundUnexpectedLoanState",
        loan_id,
        int(LoanState.WRITTEN_OFF),
    )


def test_custom_schedule_and_overdue(world: World) -> None:
    w = world
    m0 = w.members[0]
    contribute(w, [1_000, 2_000])
    request = LoanRequest(
        amount=1_000 * TOKEN,
        term=3 * MONTH,
        instalments=3,
        purpose=h("a balloon loan"),
        schedule=(100 * TOKEN, 200 * TOKEN, 700 * TOKEN),
    )
    loan_id = borrow(w, m0, request)
    assert w.fund.loan(loan_id).custom_schedule
    assert [w.fund.instalment_due(loan_id, i)[0] for i in (1, 2, 3)] == [
        100 * TOKEN,
        300 * TOKEN,
        1_000 * TOKEN,
    ]
    w.fund.repay(m0, loan_id, 99 * TOKEN)
    advance(w, MONTH + DAY)
    assert w.fund.state(loan_id) == LoanState.OVERDUE
    assert w.fund.amount_overdue(loan_id) == TOKEN
    w.fund.repay(m0, loan_id, TOKEN)
    assert w.fund.state(loan_id) == LoanState.ACTIVE


def test_interest_set_by_meeting_goes_to_the_contributors(world: World) -> None:
    w = world
    m0 = w.members[0]
    contribute(w, [1_000, 1_000, 2_000])
    rules = FundRules(
        loan_to_contribution_bps=RULES.loan_to_contribution_bps,
        reserve_bps=RULES.reserve_bps,
        interest_bps=1_200,
        max_term=RULES.max_term,
        max_loan_per_member=RULES.max_loan_per_member,
    )
    document = h("interest 12% a year")
    # The commitment is computed off chain (node.fund.rules_commitment); the fund accepting the
    # meeting's decision below is what shows it matches the contract's.
    question = w.fund.rules_question(rules, document)
    meeting_id = meeting_decides(w, [question], label="interest")
    w.fund.set_rules(w.members[4], rules, document, meeting_id, 0)
    assert w.fund.rules() == rules
    state = fund_state(w)
    expect_revert(
        lambda: w.fund.set_rules(w.members[4], rules, document, meeting_id, 0),
        "MutualAidFundDecisionUsed",
        meeting_id,
        0,
    )
    assert fund_state(w) == state

    term = 12 * MONTH
    loan_id = borrow(
        w, m0, LoanRequest(amount=1_200 * TOKEN, term=term, instalments=2, purpose=h("tools"))
    )
    interest = 1_200 * TOKEN * 1_200 * term // (10_000 * 365 * DAY)
    info = w.fund.loan(loan_id)
    assert info.interest == interest
    assert w.fund.instalment_due(loan_id, 1)[0] == 600 * TOKEN + interest // 2
    w.fund.repay(m0, loan_id, info.total_due)
    assert w.fund.state(loan_id) == LoanState.REPAID
    pool = w.fund.pool()
    assert (pool.cash, pool.lent) == (4_000 * TOKEN + interest, 0)
    # Interest raised every balance pro rata (1 : 1 : 2).
    for member, share in zip(w.members[:3], (1, 1, 2), strict=True):
        expected = (1_000 * TOKEN + interest // 4) * share
        assert abs(w.fund.balance_of(member.address) - expected) <= 2


# -- the rules at approval -----------------------------------------------------------------------


def test_reserve_rule(world: World) -> None:
    w = world
    m0, m1 = w.members[0], w.members[1]
    contribute(w, [1_000, 1_000])
    # Pool 2,000; reserve 20% = 400; lendable 1,600.
    assert w.fund.max_loan_for(m0.address) == 1_600 * TOKEN
    too_much, _ = w.fund.request_loan(
        m0, LoanRequest(amount=1_601 * TOKEN, term=MONTH, purpose=h("too much"))
    )
    state = fund_state(w, [too_much])
    expect_revert(
        lambda: council_decides(
            w, [w.fund.approve_action(too_much, h("approve too much"))], "approve too much"
        ),
        "MutualAidFundBelowReserve",
        1_601 * TOKEN,
        1_600 * TOKEN,
    )
    assert fund_state(w, [too_much]) == state
    w.fund.cancel_loan(m0, too_much)
    assert w.fund.state(too_much) == LoanState.CANCELLED

    loan_id = borrow(
        w, m0, LoanRequest(amount=1_600 * TOKEN, term=MONTH, purpose=h("exactly the rest"))
    )
    pool = w.fund.pool()
    assert (pool.cash, pool.lent) == (400 * TOKEN, 1_600 * TOKEN)
    assert w.fund.max_loan_for(m1.address) == 0

    # What is lent out cannot be withdrawn: only the cash.
    state = fund_state(w, [loan_id])
    expect_revert(
        lambda: w.fund.withdraw(m1, 401 * TOKEN),
        "MutualAidFundInsufficientCash",
        401 * TOKEN,
        400 * TOKEN,
    )
    assert fund_state(w, [loan_id]) == state
    w.fund.withdraw(m1, 400 * TOKEN)
    assert w.fund.pool().cash == 0


def test_caps_at_approval(world: World) -> None:
    w = world
    m0, m1 = w.members[0], w.members[1]
    contribute(w, [500, 0, 3_000, 10_000])

    # Twice the contribution: 1,000 for m0.
    over, _ = w.fund.request_loan(
        m0, LoanRequest(amount=1_001 * TOKEN, term=MONTH, purpose=h("over the multiple"))
    )
    state = fund_state(w, [over])
    expect_revert(
        lambda: council_decides(w, [w.fund.approve_action(over, h("a1"))], "a1"),
        "MutualAidFundAboveContributionCap",
        m0.address,
        1_001 * TOKEN,
        1_000 * TOKEN,
    )
    assert fund_state(w, [over]) == state

    # The multiple counts what is already owed: 600 + 401 > 1,000.
    borrow(w, m0, LoanRequest(amount=600 * TOKEN, term=MONTH, purpose=h("first")))
    second, _ = w.fund.request_loan(
        m0, LoanRequest(amount=401 * TOKEN, term=MONTH, purpose=h("second"))
    )
    state = fund_state(w, [second])
    expect_revert(
        lambda: council_decides(w, [w.fund.approve_action(second, h("a2"))], "a2"),
        "MutualAidFundAboveContributionCap",
        m0.address,
        401 * TOKEN,
        400 * TOKEN,
    )
    assert fund_state(w, [second]) == state

    # The per-member cap: 5,000 even for a member whose multiple allows 6,000.
    m2 = w.members[2]
    big, _ = w.fund.request_loan(
        m2, LoanRequest(amount=5_001 * TOKEN, term=MONTH, purpose=h("big"))
    )
    state = fund_state(w, [big])
    expect_revert(
        lambda: council_decides(w, [w.fund.approve_action(big, h("a3"))], "a3"),
        "MutualAidFundAboveMemberCap",
        m2.address,
        5_001 * TOKEN,
        5_000 * TOKEN,
    )
    assert fund_state(w, [big]) == state

    # A member who contributed nothing can borrow nothing.
    nothing, _ = w.fund.request_loan(
        m1, LoanRequest(amount=TOKEN, term=MONTH, purpose=h("nothing"))
    )
    expect_revert(
        lambda: council_decides(w, [w.fund.approve_action(nothing, h("a4"))], "a4"),
        "MutualAidFundAboveContributionCap",
        m1.address,
        TOKEN,
        0,
    )


def test_malformed_requests_are_refused(world: World) -> None:
    w = world
    m0, m1 = w.members[0], w.members[1]
    contribute(w, [1_000, 1_000])
    state = fund_state(w)
    ok = LoanRequest(amount=100 * TOKEN, term=MONTH, purpose=h("ok"))
    cases: list[tuple[LoanRequest, str, tuple[object, ...]]] = [
        (LoanRequest(amount=0, term=MONTH, purpose=h("x")), "MutualAidFundZeroAmount", ()),
        (LoanRequest(amount=TOKEN, term=MONTH, purpose=b"\0" * 32), "MutualAidFundZeroHash", ()),
        (
            LoanRequest(amount=TOKEN, term=MONTH, instalments=0, purpose=h("x")),
            "MutualAidFundInvalidRequest",
            (),
        ),
        (
            LoanRequest(amount=TOKEN, term=25 * MONTH, purpose=h("x")),
            "MutualAidFundTermTooLong",
            (25 * MONTH, 24 * MONTH),
        ),
        (
            LoanRequest(
                amount=3 * TOKEN,
                term=MONTH,
                instalments=2,
                schedule=(TOKEN, TOKEN),
                purpose=h("x"),
            ),
            "MutualAidFundInvalidRequest",
            (),
        ),
        (
            LoanRequest(
                amount=TOKEN,
                term=MONTH,
                purpose=h("x"),
                guarantors=(m0.address,),
                pledges=(TOKEN,),
            ),
            "MutualAidFundInvalidRequest",
            (),
        ),
        (
            LoanRequest(
                amount=TOKEN,
                term=MONTH,
                purpose=h("x"),
                guarantors=(m1.address, m1.address),
                pledges=(TOKEN, TOKEN),
            ),
            "MutualAidFundInvalidRequest",
            (),
        ),
        (
            LoanRequest(
                amount=TOKEN,
                term=MONTH,
                purpose=h("x"),
                guarantors=(w.chair.address,),
                pledges=(TOKEN,),
            ),
            "MutualAidFundNotActiveMember",
            (w.chair.address,),
        ),
    ]
    for request, error, args in cases:
        expect_revert(partial(w.fund.request_loan, m0, request), error, *args)
    assert fund_state(w) == state
    w.fund.request_loan(m0, ok)


def test_approval_needs_a_council_decision(world: World) -> None:
    w = world
    m0, m1 = w.members[0], w.members[1]
    contribute(w, [1_000, 1_000])
    request = LoanRequest(
        amount=500 * TOKEN,
        term=MONTH,
        purpose=h("x"),
        guarantors=(m1.address,),
        pledges=(200 * TOKEN,),
    )
    loan_id, _ = w.fund.request_loan(m0, request)
    state = fund_state(w, [loan_id])
    for caller in (w.chair, m0, w.sb.deployer, w.sb.council[1]):
        expect_revert(
            partial(
                w.chain.transact,
                w.fund.contract.functions.approveLoan(loan_id, h("no decision")),
                caller,
            ),
            "MutualAidFundNotDecisionExecutor",
            caller.address,
        )
    # A council decision, but the guarantor has not accepted yet.
    expect_revert(
        lambda: council_decides(w, [w.fund.approve_action(loan_id, h("early"))], "early"),
        "MutualAidFundGuaranteesPending",
        loan_id,
    )
    # Somebody else cannot accept in the guarantor's name, nor disburse.
    expect_revert(
        lambda: w.fund.accept_guarantee(w.members[2], loan_id),
        "MutualAidFundNotGuarantor",
        loan_id,
        w.members[2].address,
    )
    expect_revert(
        lambda: w.fund.disburse(m0, loan_id),
        "MutualAidFundUnexpectedLoanState",
        loan_id,
        int(LoanState.REQUESTED),
    )
    assert fund_state(w, [loan_id]) == state

    w.fund.accept_guarantee(m1, loan_id)
    expect_revert(
        lambda: w.fund.accept_guarantee(m1, loan_id),
        "MutualAidFundNotGuarantor",
        loan_id,
        m1.address,
    )
    borrow_state = fund_state(w, [loan_id])
    council_decides(w, [w.fund.approve_action(loan_id, h("approve"))], "approve")
    assert w.fund.state(loan_id) == LoanState.APPROVED
    assert fund_state(w, [loan_id]) != borrow_state
    state = fund_state(w, [loan_id])
    expect_revert(
        lambda: w.fund.disburse(w.members[3], loan_id),
        "MutualAidFundNotBorrower",
        loan_id,
        w.members[3].address,
    )
    assert fund_state(w, [loan_id]) == state
    w.fund.disburse(m0, loan_id)
    assert w.fund.state(loan_id) == LoanState.ACTIVE


def test_cancel_and_reject_return_the_money(world: World) -> None:
    w = world
    m0, m1 = w.members[0], w.members[1]
    contribute(w, [1_000, 1_000])
    request = LoanRequest(
        amount=500 * TOKEN,
        term=MONTH,
        purpose=h("x"),
        guarantors=(m1.address,),
        pledges=(200 * TOKEN,),
    )
    approved = borrow(w, m0, request, accept=[m1], disburse=False, label="cancel me")
    assert w.fund.pool().lent == 500 * TOKEN
    assert w.fund.has_open_obligations(m0.address)
    state = fund_state(w, [approved])
    expect_revert(
        lambda: w.fund.cancel_loan(m1, approved),
        "MutualAidFundNotBorrower",
        approved,
        m1.address,
    )
    assert fund_state(w, [approved]) == state
    w.fund.cancel_loan(m0, approved)
    assert w.fund.pool() == PoolInfo(
        cash=2_000 * TOKEN, lent=0, total_units=2_000 * TOKEN, loan_count=1
    )
    assert w.fund.position(m1.address).pledged == 0
    assert not w.fund.has_open_obligations(m0.address)

    requested, _ = w.fund.request_loan(m0, request)
    w.fund.accept_guarantee(m1, requested)
    council_decides(w, [w.fund.reject_action(requested, h("reject"))], "reject")
    assert w.fund.state(requested) == LoanState.REJECTED
    assert w.fund.position(m1.address).pledged == 0


# -- repayments and withdrawals ------------------------------------------------------------------


def test_repayment_rules(world: World) -> None:
    w = world
    m0, m1, m5 = w.members[0], w.members[1], w.members[5]
    contribute(w, [1_000, 1_000])
    request = LoanRequest(
        amount=500 * TOKEN,
        term=MONTH,
        purpose=h("x"),
        guarantors=(m1.address,),
        pledges=(100 * TOKEN,),
    )
    loan_id = borrow(w, m0, request, accept=[m1])
    state = fund_state(w, [loan_id])
    expect_revert(
        lambda: w.fund.repay(m5, loan_id, TOKEN),
        "MutualAidFundNotAllowedPayer",
        loan_id,
        m5.address,
    )
    expect_revert(
        lambda: w.fund.repay(m0, loan_id, 501 * TOKEN),
        "MutualAidFundOverpayment",
        loan_id,
        501 * TOKEN,
        500 * TOKEN,
    )
    expect_revert(lambda: w.fund.repay(m0, loan_id, 0), "MutualAidFundZeroAmount")
    expect_revert(lambda: w.fund.repay(m0, 99, TOKEN), "MutualAidFundUnknownLoan", 99)
    assert fund_state(w, [loan_id]) == state
    # The guarantor may pay for the borrower.
    w.fund.repay(m1, loan_id, 200 * TOKEN)
    w.fund.repay(m0, loan_id, 300 * TOKEN)
    assert w.fund.state(loan_id) == LoanState.REPAID
    expect_revert(
        lambda: w.fund.repay(m0, loan_id, TOKEN),
        "MutualAidFundUnexpectedLoanState",
        loan_id,
        int(LoanState.REPAID),
    )


def test_withdrawals_stop_at_pledges_and_loans(world: World) -> None:
    w = world
    m0, m1 = w.members[0], w.members[1]
    contribute(w, [1_000, 1_000, 3_000])
    request = LoanRequest(
        amount=1_000 * TOKEN,
        term=MONTH,
        purpose=h("x"),
        guarantors=(m1.address,),
        pledges=(400 * TOKEN,),
    )
    loan_id = borrow(w, m0, request, accept=[m1])
    # The borrower's 1,000 owed keeps 500 of their contribution (twice the contribution rule).
    assert w.fund.position(m0.address).locked_for_loans == 500 * TOKEN
    state = fund_state(w, [loan_id])
    expect_revert(
        lambda: w.fund.withdraw(m0, 501 * TOKEN),
        "MutualAidFundBalanceLocked",
        m0.address,
        501 * TOKEN,
        500 * TOKEN,
    )
    expect_revert(
        lambda: w.fund.withdraw(m1, 601 * TOKEN),
        "MutualAidFundBalanceLocked",
        m1.address,
        601 * TOKEN,
        600 * TOKEN,
    )
    expect_revert(
        lambda: w.fund.withdraw(w.members[6], TOKEN),
        "MutualAidFundBalanceLocked",
        w.members[6].address,
        TOKEN,
        0,
    )
    assert fund_state(w, [loan_id]) == state
    w.fund.withdraw(m0, 500 * TOKEN)
    w.fund.withdraw(m1, 600 * TOKEN)
    # A guarantor cannot pledge what is locked.
    second, _ = w.fund.request_loan(
        w.members[2],
        LoanRequest(
            amount=TOKEN,
            term=MONTH,
            purpose=h("y"),
            guarantors=(m1.address,),
            pledges=(TOKEN,),
        ),
    )
    expect_revert(
        lambda: w.fund.accept_guarantee(m1, second),
        "MutualAidFundBalanceLocked",
        m1.address,
        TOKEN,
        0,
    )


def test_exit_by_council_decision_is_blocked_by_a_loan(world: World) -> None:
    w = world
    m0 = w.members[0]
    contribute(w, [1_000, 1_000])
    loan_id = borrow(w, m0, LoanRequest(amount=100 * TOKEN, term=MONTH, purpose=h("x")))
    membership = w.sb.cooperative.membership
    exit_action = Action.call(membership, "exit", m0.address, h("exit decision"))
    expect_revert(
        lambda: council_decides(w, [exit_action], "exit m0"),
        "MembershipOpenObligations",
        m0.address,
        w.fund.address,
    )
    assert w.sb.cooperative.is_active_member(m0.address)
    w.fund.repay(m0, loan_id, 100 * TOKEN)
    council_decides(w, [Action.call(membership, "exit", m0.address, h("exit 2"))], "exit 2")
    assert not w.sb.cooperative.is_active_member(m0.address)
    # The contribution stays the former member's to withdraw.
    w.fund.withdraw(m0, 1_000 * TOKEN)
    assert w.fund.balance_of(m0.address) == 0


def test_key_recovery_moves_the_loan_and_the_pledge(world: World) -> None:
    w = world
    m0, m1 = w.members[0], w.members[1]
    contribute(w, [1_000, 1_000])
    request = LoanRequest(
        amount=600 * TOKEN,
        term=MONTH,
        purpose=h("x"),
        guarantors=(m1.address,),
        pledges=(300 * TOKEN,),
    )
    loan_id = borrow(w, m0, request, accept=[m1])
    (new_key,) = generated_accounts(1, "recovered borrower")
    fund_eth(w.chain, [new_key.address])
    recover = Action.call(
        w.sb.cooperative.membership,
        "recoverMembership",
        m0.address,
        new_key.address,
        h("lost key"),
    )
    sent = council_decides(w, [recover], "recover m0")
    assert events(w.fund.contract, "FundMemberRebound", sent.receipt)
    assert w.fund.loan(loan_id).borrower == checksum(new_key.address)
    assert w.fund.balance_of(new_key.address) == 1_000 * TOKEN
    assert w.fund.balance_of(m0.address) == 0
    assert w.fund.has_open_obligations(new_key.address)
    assert not w.fund.has_open_obligations(m0.address)

    w.chain.transact(
        w.sb.cooperative.token.functions.mint(new_key.address, 1_000 * TOKEN), w.sb.deployer
    )
    w.fund.approve(new_key)
    state = fund_state(w, [loan_id], [new_key.address])
    expect_revert(
        lambda: w.fund.repay(m0, loan_id, TOKEN),
        "MutualAidFundNotAllowedPayer",
        loan_id,
        m0.address,
    )
    assert fund_state(w, [loan_id], [new_key.address]) == state
    w.fund.repay(new_key, loan_id, 600 * TOKEN)
    assert w.fund.state(loan_id) == LoanState.REPAID
    assert w.fund.position(m1.address).pledged == 0


def test_meeting_decision_must_be_held_signed_and_accepted(world: World) -> None:
    w = world
    rules = FundRules(interest_bps=500, max_term=RULES.max_term)
    document = h("rules")
    question = w.fund.rules_question(rules, document)
    # Rejected by the members (4 of 9 for): not a decision.
    rejected = meeting_decides(w, [question], votes_for=4, label="rejected")
    # Accepted, but the protocol is not signed.
    unsigned = meeting_decides(w, [question], label="unsigned", sign=False)
    state = fund_state(w)
    for meeting_id in (rejected, unsigned):
        expect_revert(
            partial(w.fund.set_rules, w.members[0], rules, document, meeting_id, 0),
            "MutualAidFundNotMeetingDecision",
            meeting_id,
            0,
        )
    assert fund_state(w) == state
    assert now(w.chain) > 0
