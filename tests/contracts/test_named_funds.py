"""Funds a charter names (неделимый фонд, фонд накопления...): created and changed only by a
general-meeting decision of at least the fund's own majority, each with its share of income
(split exactly), its rule of use and an indivisible flag that the exit refund never touches.

Every attack is performed and seen refused: a council item or a founders'-key-less path creating
a fund, a meeting decision below the fund's majority creating, changing or spending it, a
decision its rule does not allow, spending more than the balance, clearing the indivisible flag,
shares over 100 %, and an exit refund that would need the indivisible fund's money."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from indexer.audit import audit_raw
from indexer.db import make_engine
from indexer.queries import treasury as treasury_q
from node.chain.client import Chain
from node.cooperative import named_funds as nf
from node.cooperative.client import Cooperative, DocumentType, Fund, events
from node.cooperative.deploy import NetworkAddresses
from node.governance import Choice, Majority, Question
from node.governance.sandbox import Sandbox, governed_cooperative, now, warp
from tests.contracts.conftest import (
    ENTRANCE,
    MINIMUM,
    SPLIT_BPS,
    TOKEN,
    Roles,
    expect_revert,
    fund,
    h,
    join,
)
from tests.indexer.conftest import make_indexer

NewAccount = Callable[[], LocalAccount]
COUNCIL, MEETING = nf.SpendRule.COUNCIL, nf.SpendRule.MEETING


def terms(name: str, bps: int, rule: nf.SpendRule = COUNCIL, majority: int = 0, ind: bool = False):
    return nf.NamedFundTerms(name, bps, rule, Majority(majority), ind)


def totals(coop: Cooperative) -> tuple[int, int]:
    """(money the treasury accounts for in its funds, tokens it holds)."""
    four = sum(coop.fund_balances().values())
    named = sum(coop.treasury.functions.namedFundBalances().call())
    return four + named, int(coop.token.functions.balanceOf(coop.addresses.treasury).call())


# -- with the founders' key as executor (before governance) -----------------------------------


def test_income_split_is_exact_with_named_funds(
    chain: Chain, coop: Cooperative, roles: Roles
) -> None:
    ex = roles.executor
    sent = nf.create(coop, ex, terms("Неделимый фонд", 1_234, MEETING, 1, True), h("положение 1"))
    (ev,) = events(coop.treasury, "NamedFundCreated", sent.receipt)
    assert (ev["args"]["fundId"], ev["args"]["name"]) == (0, "Неделимый фонд")
    nf.create(coop, ex, terms("Фонд накопления", 777), h("положение 2"))
    assert coop.treasury.functions.namedSharesTotal().call() == 2_011

    coop.approve_treasury(roles.deployer)
    income = 1_000_003
    coop.receive_income(roles.deployer, income, h("sale"))
    named, four = nf.split_income(income, [1_234, 777], SPLIT_BPS)
    # Shown split already, by the same rounding the distribution uses.
    assert coop.treasury.functions.namedFundBalances().call() == named
    assert list(coop.fund_balances().values()) == four
    sent = chain.transact(coop.treasury.functions.distributeIncome(), roles.deployer)
    (n_ev,) = events(coop.treasury, "NamedIncomeDistributed", sent.receipt)
    (d_ev,) = events(coop.treasury, "IncomeDistributed", sent.receipt)
    assert list(n_ev["args"]["parts"]) == named == [123_400, 77_700]
    assert d_ev["args"]["amount"] == income and list(d_ev["args"]["parts"]) == four
    assert sum(named) + sum(four) == income  # exact: nothing lost, nothing made
    assert [f.balance for f in nf.named_funds(coop)] == named
    assert totals(coop)[0] == totals(coop)[1]


def test_shares_over_100_and_bad_terms_are_refused(coop: Cooperative, roles: Roles) -> None:
    ex, t = roles.executor, coop.treasury.functions
    nf.create(coop, ex, terms("Фонд A", 6_000), h("a"))

    def create(name: str, bps: int, rule: int = 0, majority: int = 0) -> object:
        return coop.chain.transact(t.createNamedFund(name, bps, rule, majority, False, h(name)), ex)

    expect_revert(lambda: create("Фонд B", 4_001), "TreasuryNamedSharesOver100", 10_001)
    expect_revert(lambda: create("", 1), "TreasuryInvalidFundName")
    expect_revert(lambda: create("Ф" * 33, 1), "TreasuryInvalidFundName")  # 66 bytes
    expect_revert(lambda: create("Фонд C", 1, 0, 1), "TreasuryInvalidSpendRule", 0, 1)
    expect_revert(lambda: create("Фонд C", 1, 1, 3), "TreasuryInvalidSpendRule", 1, 3)
    nf.create(coop, ex, terms("Фонд B", 4_000), h("b"))  # exactly 100 %
    change = t.changeNamedFund(1, 4_001, 0, 0, False, h("b2"))
    expect_revert(lambda: coop.chain.transact(change, ex), "TreasuryNamedSharesOver100", 10_001)
    unknown = t.changeNamedFund(2, 1, 0, 0, False, h("x"))
    expect_revert(lambda: coop.chain.transact(unknown, ex), "TreasuryUnknownNamedFund", 2)
    # Only the decision executor at all.
    expect_revert(
        lambda: coop.chain.transact(
            t.createNamedFund("Фонд D", 0, 0, 0, False, h("d")), roles.chair
        ),
        "TreasuryNotDecisionExecutor",
    )
    assert t.namedSharesTotal().call() == 10_000
    # All income goes to the named funds; the four get none of it, and the sum stays exact.
    coop.approve_treasury(roles.deployer)
    coop.receive_income(roles.deployer, 999, h("sale"))
    assert t.namedFundBalances().call() == [599, 399]
    assert sum(coop.fund_balances().values()) == 1  # the rounding rest, to the reserve


def test_indivisible_fund_is_never_refunded_on_exit(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    ex, t = roles.executor, coop.treasury.functions
    a, b = new_account(), new_account()
    for m in (a, b):
        fund(chain, coop, roles.deployer, m.address, 10_000 * TOKEN)
        join(coop, roles, m)
    nf.create(coop, ex, terms("Неделимый фонд", 5_000, MEETING, 0, True), h("неделимый"))
    coop.approve_treasury(roles.deployer)
    coop.receive_income(roles.deployer, 4 * MINIMUM, h("big sale"))
    indivisible = t.namedFund(0).call()[1]
    assert indivisible == 2 * MINIMUM

    # The flag is never cleared, whatever the decision.
    clear = t.changeNamedFund(0, 5_000, 1, 0, False, h("clear"))
    expect_revert(lambda: chain.transact(clear, ex), "TreasuryFundIndivisible", 0)

    # A leaves: the refund comes from the share fund; no named fund moves.
    coop.exit(ex, a.address, h("exit a"))
    assert t.namedFund(0).call()[1] == indivisible
    assert coop.fund_balances()[Fund.SHARE] == MINIMUM

    # The share fund is spent down by decision; B's refund then finds it short and is refused,
    # even though the treasury holds far more tokens (the indivisible fund's).
    decision = h("council decision: share fund spent")
    coop.anchor_signed_decision(ex, roles.chair, decision)
    coop.payout(ex, Fund.SHARE, roles.deployer.address, 1, decision)
    held = int(coop.token.functions.balanceOf(coop.addresses.treasury).call())
    assert held > MINIMUM
    expect_revert(
        lambda: coop.exit(ex, b.address, h("exit b")),
        "TreasuryInsufficientFund",
        int(Fund.SHARE),
        MINIMUM - 1,
        MINIMUM,
    )
    # Nor can the share register (the only refund caller) be impersonated.
    expect_revert(
        lambda: chain.transact(t.refund(b.address, 1), ex), "TreasuryNotModule", ex.address
    )
    assert t.namedFund(0).call()[1] == indivisible
    assert totals(coop)[0] == totals(coop)[1]


def test_spending_a_named_fund_needs_a_signed_decision_and_a_balance(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    ex = roles.executor
    nf.create(coop, ex, terms("Фонд накопления", 2_500), h("накопления"))
    coop.approve_treasury(roles.deployer)
    coop.receive_income(roles.deployer, 4_000, h("sale"))
    to = new_account().address
    decision = h("council decision: buy a tractor")
    expect_revert(lambda: nf.payout(coop, ex, 0, to, 1, decision), "TreasuryDecisionNotSigned")
    coop.anchor(ex, decision, DocumentType.COUNCIL_DECISION)
    coop.sign_document(roles.chair, decision)
    expect_revert(
        lambda: nf.payout(coop, ex, 0, to, 1_001, decision),
        "TreasuryInsufficientNamedFund",
        0,
        1_000,
        1_001,
    )
    expect_revert(lambda: nf.payout(coop, ex, 1, to, 1, decision), "TreasuryUnknownNamedFund", 1)
    expect_revert(
        lambda: nf.payout(coop, roles.chair, 0, to, 1, decision), "TreasuryNotDecisionExecutor"
    )
    sent = nf.payout(coop, ex, 0, to, 1_000, decision)
    (ev,) = events(coop.treasury, "NamedFundPaidOut", sent.receipt)
    assert (ev["args"]["fundId"], ev["args"]["amount"]) == (0, 1_000)
    assert coop.token.functions.balanceOf(to).call() == 1_000
    assert nf.named_funds(coop)[0].balance == 0
    expect_revert(
        lambda: nf.payout(coop, ex, 0, to, 1, decision), "TreasuryDecisionAlreadyExecuted"
    )
    assert totals(coop)[0] == totals(coop)[1]
    # The entrance fees of later members are income too: the fund takes its share of them.
    member = new_account()
    fund(chain, coop, roles.deployer, member.address, 10_000 * TOKEN)
    join(coop, roles, member)
    assert nf.named_funds(coop)[0].balance == ENTRANCE // 4


# -- through the council and the general meeting ----------------------------------------------


@pytest.fixture(scope="module")
def gov(chain: Chain, accounts: list[LocalAccount], network: NetworkAddresses) -> Sandbox:
    """Six members, the council holding the executor role."""
    return governed_cooperative(chain, accounts, 6, network=network, label="Фонды")


def _hold(sb: Sandbox, questions: list[Question], label: str) -> int:
    """Convene, everyone votes for every question, close, both sign the protocol."""
    from node.governance import Convocation

    meeting = sb.governance.meeting
    opens = now(sb.chain) + meeting.notice_period() + 60
    conv = Convocation(opens, opens + 86_400, sb.secretary.address, tuple(questions))
    meeting_id = sb.governance.convene(sb.council[0], sb.council[:2], sb.chair, conv, h(label))
    warp(sb.chain, opens)
    for m in sb.members:
        meeting.cast_ballot(m, meeting_id, [Choice.FOR] * len(questions))
    warp(sb.chain, opens + 86_400)
    meeting.close(sb.deployer, meeting_id)
    meeting.sign_protocol(sb.secretary, meeting_id, h(f"{label} protocol"))
    meeting.sign_protocol(sb.chair, meeting_id, h(f"{label} protocol"))
    return meeting_id


def test_meeting_creates_changes_and_spends_named_funds(gov: Sandbox, tmp_path: Path) -> None:
    sb, coop = gov, gov.cooperative
    t = coop.treasury.functions
    council, meeting = sb.governance.council, sb.governance.meeting
    to = sb.members[0].address
    simple, two_thirds = Majority.SIMPLE, Majority.TWO_THIRDS

    # The council cannot even put a fund on its agenda: the function is the meeting's.
    create_acc = nf.create_action(coop, terms("Фонд накопления", 1_500), h("reg acc"))
    expect_revert(
        lambda: council.propose(sb.council[0], h("council tries"), [create_acc]),
        "CouncilActionReservedToMeeting",
    )

    indivisible = terms("Неделимый фонд", 2_000, MEETING, 1, True)
    q = [
        Question(h("q0"), simple, (create_acc,)),
        Question(h("q1"), two_thirds, (nf.create_action(coop, indivisible, h("reg ind")),)),
        # A fund spent by 2/3 cannot be created by a simple majority.
        Question(
            h("q2"), simple, (nf.create_action(coop, terms("Фонд X", 1, MEETING, 1), h("x")),)
        ),
        # Nor loosened by one: the old rule's majority is needed.
        Question(
            h("q3"),
            simple,
            (nf.change_action(coop, 1, terms("-", 2_000, COUNCIL, 0, True), h("l")),),
        ),
        # Nor made divisible, by any majority.
        Question(
            h("q4"),
            Majority.THREE_QUARTERS,
            (nf.change_action(coop, 1, terms("-", 2_000, MEETING, 1, False), h("d")),),
        ),
        # Spent by a simple majority: refused; by 2/3: paid.
        Question(h("q5"), simple, (nf.payout_action(coop, 1, to, 100, h("q5")),)),
        Question(h("q6"), two_thirds, (nf.payout_action(coop, 1, to, 100, h("q6")),)),
    ]
    meeting_id = _hold(sb, q, "funds meeting")
    meeting.execute(sb.deployer, meeting_id, 0)
    meeting.execute(sb.deployer, meeting_id, 1)
    assert [(f.name, f.share_bps, f.rule, f.indivisible) for f in nf.named_funds(coop)] == [
        ("Фонд накопления", 1_500, COUNCIL, False),
        ("Неделимый фонд", 2_000, MEETING, True),
    ]
    for i in (2, 3, 5):
        expect_revert(
            lambda i=i: meeting.execute(sb.deployer, meeting_id, i), "MeetingDecisionRequired"
        )
    expect_revert(lambda: meeting.execute(sb.deployer, meeting_id, 4), "TreasuryFundIndivisible")

    # Income arrives (a sale), split on the next payout.
    sb.chain.transact(coop.token.functions.mint(sb.deployer.address, 10_999), sb.deployer)
    coop.approve_treasury(sb.deployer)
    coop.receive_income(sb.deployer, 10_000, h("sale"))
    before = coop.token.functions.balanceOf(to).call()
    meeting.execute(sb.deployer, meeting_id, 6)
    assert coop.token.functions.balanceOf(to).call() == before + 100
    assert t.namedFundBalances().call() == [1_500, 2_000 - 100]
    assert tuple(t.namedFund(1).call())[2:] == (2_000, 1, 1, True)  # nothing loosened

    # The council spends the fund its rule gives it, by its signed decision; not a cent more,
    # and not the meeting's fund.
    doc = h("council decision: accumulation fund to a supplier")
    coop.anchor_signed_decision(sb.chair, sb.chair, doc)
    too_much = [nf.payout_action(coop, 0, to, 1_501, doc)]
    item = council.propose(sb.council[0], doc, too_much)[0]
    for m in sb.council[:2]:
        council.vote(m, item)
    council.sign_protocol(sb.chair, item, doc)
    expect_revert(
        lambda: council.execute(sb.chair, item, too_much), "TreasuryInsufficientNamedFund"
    )
    council.decide(
        sb.council[0], sb.council[:2], sb.chair, doc, [nf.payout_action(coop, 0, to, 1_500, doc)]
    )
    doc2 = h("council decision: the indivisible fund")
    coop.anchor_signed_decision(sb.chair, sb.chair, doc2)
    expect_revert(
        lambda: council.decide(
            sb.council[0], sb.council[:2], sb.chair, doc2, [nf.payout_action(coop, 1, to, 1, doc2)]
        ),
        "MeetingDecisionRequired",
    )
    assert t.namedFundBalances().call() == [0, 1_900]
    assert totals(coop)[0] == totals(coop)[1]

    # The mirror: every fund's terms and balance (pending income counted as split, as the
    # contract will split it), the four funds' balances beside them; `coop audit` agrees.
    coop.receive_income(sb.deployer, 999, h("sale pending"))
    live = f"sqlite:///{tmp_path / 'live.db'}"
    make_indexer(sb.chain, live).sync_once()
    engine = make_engine(live)
    try:
        with engine.connect() as conn:
            mirror = treasury_q.named_funds(conn, coop.addresses.charter)
            four = treasury_q.fund_balances(conn, coop.addresses.charter)
    finally:
        engine.dispose()
    assert [(f.name, f.balance, f.rule, f.majority, f.indivisible) for f in mirror.data] == [
        ("Фонд накопления", 149, "council", "simple", False),
        ("Неделимый фонд", 1_900 + 199, "meeting", "two_thirds", True),
    ]
    assert [f.balance for f in mirror.data] == t.namedFundBalances().call()
    assert mirror.shares_total_bps == 3_500
    assert [four.share, four.reserve, four.mutual_aid, four.development] == list(
        coop.fund_balances().values()
    )
    report = audit_raw(sb.chain, live, f"sqlite:///{tmp_path / 'scratch.db'}")
    assert report.ok, report.differences
    assert report.compared["views:named funds"] == 2
