"""Property-based stateful test of the mutual-aid fund's valuation (issue #14) against anvil:
random contributions, withdrawals (reviewing first when one is due), loans with interest
approved and disbursed by council decisions, partial and full repayments, time passing, reviews
and calls of guarantees, on the real governed cooperative.

Invariants after every step, read from the chain:
- the marked-down principal is exactly the unpaid principal of the loans the model knows are
  marked (overdue or defaulted at the last review, or called), and never above the lent
  principal;
- the pending interest is exactly the unpaid interest of the open loans;
- `reviewBy` is sound: while it has not passed, no open loan that is not marked down is overdue;
- the pool's units are the members' units; the fund holds exactly its cash; the entry value
  stays within 128 bits;
- every balance is the member's units at the exit value."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from indexer.projections.fund import principal_paid, value_of
from node.chain.client import TransactionReverted
from node.fund import FundRules, LoanRequest, LoanState
from node.governance.sandbox import h, now, warp
from tests.fund.conftest import (
    DAY,
    MONTH,
    RULES,
    TOKEN,
    World,
    council_decides,
    meeting_decides,
)

N_MEMBERS = 4
OPEN = (LoanState.ACTIVE, LoanState.OVERDUE, LoanState.DEFAULTED)
#: Refusals a random approval may meet; the request is then cancelled.
RULE_REFUSALS = {
    "MutualAidFundAboveContributionCap",
    "MutualAidFundAboveMemberCap",
    "MutualAidFundBelowReserve",
}

pytestmark = pytest.mark.slow


def test_fund_valuation_state_machine(world: World) -> None:
    w = world
    fund = w.fund
    members = w.members[:N_MEMBERS]
    # Loans carry interest (a general-meeting decision, once, before every example's snapshot).
    rules = FundRules(
        loan_to_contribution_bps=RULES.loan_to_contribution_bps,
        reserve_bps=RULES.reserve_bps,
        interest_bps=1_500,
        max_term=RULES.max_term,
        max_loan_per_member=RULES.max_loan_per_member,
    )
    document = h("15% a year")
    meeting_id = meeting_decides(w, [fund.rules_question(rules, document)], label="stateful")
    fund.set_rules(w.members[4], rules, document, meeting_id, 0)
    counter = [0]

    class FundMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = w.chain.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
            self.loans: list[int] = []
            self.marked: set[int] = set()

        def teardown(self) -> None:
            w.chain.w3.provider.make_request("evm_revert", [self.snapshot])  # type: ignore[arg-type]

        def open_loans(self) -> list[int]:
            return [i for i in self.loans if fund.state(i) in OPEN]

        def label(self) -> str:
            counter[0] += 1
            return f"stateful {counter[0]}"

        @initialize(
            amounts=st.lists(st.integers(500, 3_000), min_size=N_MEMBERS, max_size=N_MEMBERS)
        )
        def start(self, amounts: list[int]) -> None:
            # Everybody has something in the pool, so that most loans pass the rules.
            for member, amount in zip(members, amounts, strict=True):
                fund.contribute(member, amount * TOKEN)

        # -- rules ---------------------------------------------------------------------------

        @rule(who=st.integers(0, N_MEMBERS - 1), amount=st.integers(1, 3_000))
        def contribute(self, who: int, amount: int) -> None:
            fund.contribute(members[who], amount * TOKEN)

        @rule(who=st.integers(0, N_MEMBERS - 1), share=st.integers(1, 100))
        def withdraw(self, who: int, share: int) -> None:
            if fund.review_due():
                self.review()
            free = min(fund.position(members[who].address).withdrawable, fund.pool().cash)
            amount = free * share // 100
            if amount:
                fund.withdraw(members[who], amount)

        @rule(
            who=st.integers(0, N_MEMBERS - 1),
            amount=st.integers(1, 2_000),
            instalments=st.integers(1, 4),
            months=st.integers(1, 4),
        )
        def borrow(self, who: int, amount: int, instalments: int, months: int) -> None:
            borrower = members[who]
            request = LoanRequest(
                amount=amount * TOKEN,
                term=months * MONTH,
                instalments=instalments,
                purpose=h(self.label()),
            )
            loan_id, _ = fund.request_loan(borrower, request)
            label = self.label()
            try:
                council_decides(
                    w,
                    [fund.approve_action(loan_id, h(label)), fund.disburse_action(loan_id)],
                    label,
                )
            except TransactionReverted as refused:
                assert refused.error in RULE_REFUSALS, refused
                fund.cancel_loan(borrower, loan_id)
                return
            self.loans.append(loan_id)

        @precondition(lambda self: bool(self.loans))
        @rule(pick=st.integers(0, 100), share=st.integers(1, 100))
        def repay(self, pick: int, share: int) -> None:
            open_ids = self.open_loans()
            if not open_ids:
                return
            loan_id = open_ids[pick % len(open_ids)]
            info = fund.loan(loan_id)
            owed = fund.outstanding(loan_id)
            amount = max(1, owed * share // 100)
            fund.repay(members[[m.address for m in members].index(info.borrower)], loan_id, amount)
            if amount == owed:
                self.marked.discard(loan_id)

        @rule(days=st.integers(1, 45))
        def advance(self, days: int) -> None:
            warp(w.chain, now(w.chain) + days * DAY)

        @rule()
        def review(self) -> None:
            fund.review(w.members[5])
            self.marked = {
                i for i in self.loans if fund.state(i) in (LoanState.OVERDUE, LoanState.DEFAULTED)
            }

        @precondition(lambda self: bool(self.loans))
        @rule(pick=st.integers(0, 100))
        def call_guarantees(self, pick: int) -> None:
            overdue = [i for i in self.loans if fund.state(i) == LoanState.OVERDUE]
            if not overdue:
                return
            loan_id = overdue[pick % len(overdue)]
            label = self.label()
            council_decides(w, [fund.call_guarantees_action(loan_id, h(label))], label)
            self.marked.add(loan_id)

        # -- invariants ----------------------------------------------------------------------

        @invariant()
        def valuation_is_exact(self) -> None:
            valuation = fund.valuation()
            pool = fund.pool()
            impaired = pending = 0
            for loan_id in self.loans:
                info = fund.loan(loan_id)
                if info.state not in OPEN:
                    continue
                paid = principal_paid(info.repaid, info.principal, info.interest)
                pending += info.interest - (info.repaid - paid)
                if loan_id in self.marked:
                    impaired += info.principal - paid
            assert valuation.impaired == impaired
            assert valuation.pending_interest == pending
            assert valuation.impaired <= pool.lent
            assert valuation.entry_value < 2**128
            assert valuation.open_loans == len(self.open_loans())

        @invariant()
        def review_time_is_sound(self) -> None:
            review_by = fund.valuation().review_by
            if now(w.chain) > review_by:
                return
            for loan_id in self.loans:
                if loan_id not in self.marked:
                    assert fund.state(loan_id) != LoanState.OVERDUE, (loan_id, review_by)

        @invariant()
        def units_and_tokens_add_up(self) -> None:
            pool = fund.pool()
            positions = [fund.position(m.address) for m in members]
            assert sum(p.units for p in positions) == pool.total_units
            token = w.sb.cooperative.token
            assert int(token.functions.balanceOf(fund.address).call()) == pool.cash
            exit_value = fund.valuation().exit_value
            for member, p in zip(members, positions, strict=True):
                assert p.balance == value_of(p.units, exit_value, 0, pool.total_units)
                assert fund.balance_of(member.address) == p.balance

    run_state_machine_as_test(
        FundMachine,
        settings=settings(
            max_examples=8,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
