"""Issue #14: the mutual-aid fund shares losses and income fairly. Each test performs an attack
that worked on the fund before the valuation rule (docs/fund-and-property.md, "Entry and exit
values"):

- loss escape: a contributor who sees a loan go overdue withdraws their whole position at the
  pre-loss value before the general meeting writes the loan off, leaving the loss to the others;
- income capture: an attacker contributes just before a large repayment with interest and
  withdraws right after, taking a share of interest earned while their money was not lent.

Each asserts the attack is refused or gains nothing, and that the honest contributors end with
their pro-rata share."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from node.fund import FundRules, LoanRequest, LoanState
from node.governance._utils import events
from node.governance.sandbox import h, warp
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


def _token_balance(w: World, account: str) -> int:
    return int(w.sb.cooperative.token.functions.balanceOf(account).call())


def _borrow(w: World, borrower: LocalAccount, request: LoanRequest, label: str) -> int:
    loan_id, _ = w.fund.request_loan(borrower, request)
    council_decides(
        w,
        [w.fund.approve_action(loan_id, h(label)), w.fund.disburse_action(loan_id)],
        label,
    )
    return loan_id


def _close(actual: int, expected: int, tolerance: int = 10) -> bool:
    return abs(actual - expected) <= tolerance


def test_loss_escape_before_write_off_is_refused(world: World) -> None:
    """The attacker (m3) sees m0's loan overdue and tries to take out 1,000 at the pre-loss
    value. Refused until the fund is reviewed; then the overdue principal is marked down and
    the attacker leaves with 1,000 less their pro-rata share of the 1,000 at risk, as the
    others keep after the write-off."""
    w = world
    m0, m1, m2, attacker = w.members[:4]
    for member, amount in zip((m0, m1, m2, attacker), (500, 1_000, 1_000, 1_000), strict=True):
        w.fund.contribute(member, amount * TOKEN)
    loan_id = _borrow(
        w, m0, LoanRequest(amount=1_000 * TOKEN, term=MONTH, purpose=h("a tractor")), "lend"
    )
    # Healthy: the pool is worth 3,500 either way.
    assert w.fund.balance_of(attacker.address) == 1_000 * TOKEN
    advance(w, MONTH + 1)
    assert w.fund.state(loan_id) == LoanState.OVERDUE

    # The attack: the whole position at the pre-loss value. Refused until the fund's view of
    # its loans is current.
    state = fund_state(w, [loan_id])
    _, due = w.fund.instalment_due(loan_id, 1)
    expect_revert(lambda: w.fund.withdraw(attacker, 1_000 * TOKEN), "MutualAidFundReviewDue", due)
    assert fund_state(w, [loan_id]) == state
    assert w.fund.valuation().review_by == due

    # Anybody (here a member with no stake in the outcome) brings the view up to date; the
    # overdue principal is marked down at once, for everybody.
    sent = w.fund.review(w.members[6])
    assert sent.receipt["status"] == 1
    valuation = w.fund.valuation()
    assert valuation.impaired == 1_000 * TOKEN
    assert valuation.exit_value == 2_500 * TOKEN
    fair = 1_000 * TOKEN * 2_500 // 3_500  # 714.28...: the loss shared 1,000 : 3,500
    escaped = w.fund.balance_of(attacker.address)
    assert _close(escaped, fair)
    expect_revert(
        lambda: w.fund.withdraw(attacker, 1_000 * TOKEN),
        "MutualAidFundBalanceLocked",
        attacker.address,
        1_000 * TOKEN,
        escaped,
    )
    wallet = _token_balance(w, attacker.address)
    w.fund.withdraw(attacker, escaped)
    assert _token_balance(w, attacker.address) == wallet + escaped

    # The meeting writes the loan off: the others keep exactly what the attacker got per unit
    # of contribution.
    document = h("write-off act")
    meeting_id = meeting_decides(
        w, [w.fund.write_off_question(loan_id, document)], label="write-off"
    )
    w.fund.write_off(w.members[5], loan_id, document, meeting_id, 0)
    assert w.fund.valuation().impaired == 0
    for member in (m1, m2):
        assert _close(w.fund.balance_of(member.address), fair)
    assert _close(w.fund.balance_of(m0.address), fair // 2)


def test_marked_down_loan_that_is_repaid_restores_the_value(world: World) -> None:
    """The mark-down is not a loss: when the borrower catches up, the value comes back (to
    those who stayed) at the next review, and a defaulted loan stays marked down until repaid
    or written off."""
    w = world
    m0, m1 = w.members[:2]
    w.fund.contribute(m0, 1_000 * TOKEN)
    w.fund.contribute(m1, 3_000 * TOKEN)
    loan_id = _borrow(
        w,
        m0,
        LoanRequest(amount=1_200 * TOKEN, term=3 * MONTH, instalments=3, purpose=h("seed")),
        "lend",
    )
    advance(w, MONTH + 1)
    assert w.fund.state(loan_id) == LoanState.OVERDUE
    sent = w.fund.review(m1)
    (marked,) = events(w.fund.contract, "LoanMarkedDown", sent.receipt)
    assert marked["args"]["unpaidPrincipal"] == 1_200 * TOKEN
    assert w.fund.valuation().impaired == 1_200 * TOKEN
    assert _close(w.fund.balance_of(m1.address), 3_000 * TOKEN * 2_800 // 4_000)
    # The borrower pays the missed instalment: current again. What was paid is no longer
    # marked down; the rest is until the next review looks at the loan again.
    w.fund.repay(m0, loan_id, 400 * TOKEN)
    assert w.fund.state(loan_id) == LoanState.ACTIVE
    assert w.fund.valuation().impaired == 800 * TOKEN
    sent = w.fund.review(w.members[7])
    (lifted,) = events(w.fund.contract, "LoanMarkDownLifted", sent.receipt)
    assert lifted["args"]["unpaidPrincipal"] == 800 * TOKEN
    valuation = w.fund.valuation()
    assert valuation.impaired == 0
    # The next review is due when the second instalment falls due.
    assert valuation.review_by == w.fund.instalment_due(loan_id, 2)[1]
    assert w.fund.balance_of(m1.address) == 3_000 * TOKEN
    w.fund.withdraw(m1, 100 * TOKEN)

    # Misses the second one; the council calls the (absent) guarantees: Defaulted, marked down
    # without a review.
    advance(w, MONTH)
    assert w.fund.state(loan_id) == LoanState.OVERDUE
    council_decides(w, [w.fund.call_guarantees_action(loan_id, h("call"))], "call")
    assert w.fund.state(loan_id) == LoanState.DEFAULTED
    assert w.fund.valuation().impaired == 800 * TOKEN
    w.fund.repay(m0, loan_id, 800 * TOKEN)
    assert w.fund.state(loan_id) == LoanState.REPAID
    valuation = w.fund.valuation()
    assert (valuation.impaired, valuation.open_loans) == (0, 0)
    assert w.fund.balance_of(m1.address) == 2_900 * TOKEN


def test_interest_capture_around_a_repayment_gains_nothing(world: World) -> None:
    """The attacker (m3) puts in 30,000 just before m0 repays a 1,200 loan with a year's
    interest and takes everything out right after. The interest goes to those whose money was
    in the pool while it was lent; the attacker gets back at most what they put in."""
    w = world
    m0, m1, m2, attacker = w.members[:4]
    rules = FundRules(
        loan_to_contribution_bps=RULES.loan_to_contribution_bps,
        reserve_bps=RULES.reserve_bps,
        interest_bps=1_200,
        max_term=RULES.max_term,
        max_loan_per_member=RULES.max_loan_per_member,
    )
    document = h("interest 12% a year")
    meeting_id = meeting_decides(w, [w.fund.rules_question(rules, document)], label="interest")
    w.fund.set_rules(w.members[4], rules, document, meeting_id, 0)
    for member in (m0, m1, m2):
        w.fund.contribute(member, 1_000 * TOKEN)
    term = 12 * MONTH
    loan_id = _borrow(
        w,
        m0,
        LoanRequest(amount=1_200 * TOKEN, term=term, instalments=2, purpose=h("tools")),
        "lend",
    )
    interest = w.fund.loan(loan_id).interest
    assert interest == 1_200 * TOKEN * 1_200 * term // (10_000 * 365 * DAY)
    advance(w, 10 * DAY)

    wallet = _token_balance(w, attacker.address)
    w.fund.contribute(attacker, 30_000 * TOKEN)
    w.fund.repay(m0, loan_id, 1_200 * TOKEN + interest)
    assert w.fund.state(loan_id) == LoanState.REPAID
    w.fund.withdraw(attacker, w.fund.balance_of(attacker.address))
    gain = _token_balance(w, attacker.address) - wallet
    assert gain <= 0, f"the attacker captured {gain} of {interest} interest"
    assert gain > -10  # rounding only: an honest round trip costs nothing real
    for member in (m0, m1, m2):
        assert _close(w.fund.balance_of(member.address), 1_000 * TOKEN + interest // 3)


def test_contribution_pays_for_income_already_earned(world: World) -> None:
    """A contribution buys units at the entry value, which counts the interest fixed on open
    loans; a withdrawal sells them at the exit value, which counts only what was received and
    not marked down. A newcomer does not dilute the interest the others' money earns."""
    w = world
    m0, m1, newcomer = w.members[:3]
    rules = FundRules(
        loan_to_contribution_bps=RULES.loan_to_contribution_bps,
        reserve_bps=RULES.reserve_bps,
        interest_bps=1_000,
        max_term=RULES.max_term,
        max_loan_per_member=RULES.max_loan_per_member,
    )
    document = h("interest 10% a year")
    meeting_id = meeting_decides(w, [w.fund.rules_question(rules, document)], label="interest")
    w.fund.set_rules(w.members[4], rules, document, meeting_id, 0)
    w.fund.contribute(m0, 1_000 * TOKEN)
    w.fund.contribute(m1, 1_000 * TOKEN)
    loan_id = _borrow(
        w,
        m0,
        LoanRequest(amount=1_000 * TOKEN, term=6 * MONTH, instalments=1, purpose=h("x")),
        "lend",
    )
    interest = w.fund.loan(loan_id).interest
    valuation = w.fund.valuation()
    assert valuation.pending_interest == interest
    assert valuation.entry_value == 2_000 * TOKEN + interest
    assert valuation.exit_value == 2_000 * TOKEN
    w.fund.contribute(newcomer, 2_000 * TOKEN)
    # The newcomer paid for the pending interest: their balance (exit value) is below what
    # they put in until the interest arrives.
    assert w.fund.balance_of(newcomer.address) < 2_000 * TOKEN
    w.fund.repay(m0, loan_id, 1_000 * TOKEN + interest)
    assert _close(w.fund.balance_of(newcomer.address), 2_000 * TOKEN)
    assert _close(w.fund.balance_of(m1.address), 1_000 * TOKEN + interest // 2)


def _next_block_at(w: World, timestamp: int) -> None:
    w.chain.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]


def test_review_must_be_complete_and_the_mark_down_is_to_the_second(world: World) -> None:
    """A withdrawal in the second an instalment falls due goes through; one second later, when
    the instalment is missed, it waits for a review. A review that leaves out a loan, repeats
    one, lists one out of order or lists a closed one is refused: nobody can hide an overdue
    loan from it."""
    w = world
    m0, m1, saver = w.members[:3]
    for member in (m0, m1, saver):
        w.fund.contribute(member, 1_000 * TOKEN)
    first = _borrow(
        w,
        m0,
        LoanRequest(amount=600 * TOKEN, term=2 * MONTH, instalments=2, purpose=h("a")),
        "first",
    )
    advance(w, DAY)
    second = _borrow(
        w,
        m1,
        LoanRequest(amount=400 * TOKEN, term=2 * MONTH, instalments=2, purpose=h("b")),
        "second",
    )
    closed = _borrow(w, saver, LoanRequest(amount=TOKEN, term=MONTH, purpose=h("c")), "closed")
    w.fund.repay(saver, closed, TOKEN)
    assert w.fund.state(closed) == LoanState.REPAID
    _, due = w.fund.instalment_due(first, 1)
    valuation = w.fund.valuation()
    assert (valuation.review_by, valuation.open_loans) == (due, 2)

    _next_block_at(w, due)
    w.fund.withdraw(saver, 10 * TOKEN)  # due now, missed only after
    warp(w.chain, due + 1)  # the instalment is missed from this second on
    expect_revert(lambda: w.fund.withdraw(saver, 10 * TOKEN), "MutualAidFundReviewDue", due)
    assert w.fund.state(first) == LoanState.OVERDUE
    assert w.fund.state(second) == LoanState.ACTIVE

    state = fund_state(w, [first, second, closed])
    bad: list[tuple[list[int], str, tuple[object, ...]]] = [
        ([second], "MutualAidFundReviewIncomplete", (1, 2)),
        ([first, second, closed], "MutualAidFundReviewIncomplete", (3, 2)),
        ([second, first], "MutualAidFundInvalidRequest", ()),
        ([first, first], "MutualAidFundInvalidRequest", ()),
        ([second, closed], "MutualAidFundUnexpectedLoanState", (closed, int(LoanState.REPAID))),
        ([first, 99], "MutualAidFundUnexpectedLoanState", (99, int(LoanState.NONE))),
    ]
    for ids, error, args in bad:
        expect_revert(lambda ids=ids: w.fund.review(w.members[5], ids), error, *args)
    assert fund_state(w, [first, second, closed]) == state
    assert w.fund.valuation().impaired == 0

    sent = w.fund.review(w.members[5], [first, second])
    (reviewed,) = events(w.fund.contract, "FundReviewed", sent.receipt)
    _, second_due = w.fund.instalment_due(second, 1)
    assert reviewed["args"]["impaired"] == 600 * TOKEN
    assert reviewed["args"]["reviewBy"] == second_due
    assert w.fund.valuation().impaired == 600 * TOKEN
    w.fund.withdraw(saver, 10 * TOKEN)
