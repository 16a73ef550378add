"""Property-based stateful test against anvil: random transfers, invoices, acceptances (direct
and signed), payments, cancellations and clearings (the engine's plans and random plans), and
membership changes (block, unblock, exit request, exit decision) through the real Membership
contract, on a real cooperative, checked against a model after every step.

Invariants after every step: the balances (with the treasury's account, which takes what a
leaving member held) sum to zero; no balance is below its limit; the
chain agrees with the model (balances, outstanding amounts, statuses, open counts, supply);
nothing outstanding is below zero; every clearing changed no member's net position; and the
ВРЕ contract's cached status bit is set only for active members."""

from __future__ import annotations

from dataclasses import dataclass

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

from node.chain.client import TransactionReverted
from node.clearing.engine import Obligation, plan_clearing
from node.units.client import ObligationStatus
from tests.units.conftest import DEFAULT_LIMIT, Coop

N_MEMBERS = 4

pytestmark = pytest.mark.slow


@dataclass
class Ob:
    debtor: int
    creditor: int
    status: ObligationStatus
    outstanding: int


def test_units_state_machine(coop: Coop) -> None:
    chain = coop.chain
    units = coop.units
    members = coop.members[:N_MEMBERS]
    people = [m.address for m in members]
    treasury = coop.cooperative.addresses.treasury

    class UnitsMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = chain.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
            self.balance = [0] * N_MEMBERS
            self.obs: dict[int, Ob] = {}
            # Membership status: "member", "blocked" (from Member), "exiting" or "exited".
            self.status = ["member"] * N_MEMBERS
            # The treasury's account: what members held when they exited.
            self.treasury = 0

        def teardown(self) -> None:
            chain.w3.provider.make_request("evm_revert", [self.snapshot])  # type: ignore[arg-type]

        @initialize()
        def start(self) -> None:
            assert units.obligation_count() == 0

        # -- helpers ------------------------------------------------------------------------

        def ids(self, status: ObligationStatus) -> list[int]:
            return sorted(i for i, o in self.obs.items() if o.status == status)

        def net(self) -> list[int]:
            net = list(self.balance)
            for o in self.obs.values():
                if o.status == ObligationStatus.ACCEPTED:
                    net[o.creditor] += o.outstanding
                    net[o.debtor] -= o.outstanding
            return net

        def expect(self, error: str | None, action: object) -> bool:
            """Run the action; True if it went through. A predicted error must be raised."""
            try:
                action()  # type: ignore[operator]
            except TransactionReverted as exc:
                assert exc.error == error, f"unexpected revert {exc} (expected {error})"
                return False
            assert error is None, f"expected {error}, the call went through"
            return True

        def active(self, i: int) -> bool:
            return self.status[i] == "member"

        def move_error(self, a: int, b: int, amount: int) -> str | None:
            """The error a transfer of `amount` from a to b must raise (None: it goes through).
            The sender is checked first (then written), the recipient second."""
            before = self.balance[a]
            if self.active(a):
                if before - amount < -DEFAULT_LIMIT:
                    return "SettlementUnitsInsufficientAvailable"
            elif before <= 0 or before - amount < 0:
                return "SettlementUnitsNotActiveMember"
            after_debit = before - amount
            to_before = after_debit if a == b else self.balance[b]
            if not self.active(b) and (to_before >= 0 or to_before + amount > 0):
                return "SettlementUnitsNotActiveMember"
            return None

        def open_for(self, i: int) -> bool:
            """Whether member i has something that blocks exit in the ВРЕ contract: a debt or
            an accepted obligation (units held and pending invoices do not)."""
            if self.balance[i] < 0:
                return True
            return any(
                o.status == ObligationStatus.ACCEPTED and i in (o.debtor, o.creditor)
                for o in self.obs.values()
            )

        def close_if_zero(self, oid: int) -> None:
            if self.obs[oid].outstanding == 0:
                self.obs[oid].status = ObligationStatus.SETTLED

        # -- rules --------------------------------------------------------------------------

        @rule(
            a=st.integers(0, N_MEMBERS - 1),
            b=st.integers(0, N_MEMBERS - 1),
            amount=st.integers(0, 1_300),
        )
        def transfer(self, a: int, b: int, amount: int) -> None:
            error = self.move_error(a, b, amount)
            if self.expect(error, lambda: units.transfer(members[a], people[b], amount)):
                self.balance[a] -= amount
                self.balance[b] += amount

        @rule(
            c=st.integers(0, N_MEMBERS - 1),
            d=st.integers(0, N_MEMBERS - 1),
            amount=st.integers(1, 600),
        )
        def issue(self, c: int, d: int, amount: int) -> None:
            if c == d:
                self.expect(
                    "SettlementUnitsSelfObligation",
                    lambda: units.issue(members[c], people[d], amount),
                )
                return
            if not (self.active(c) and self.active(d)):
                self.expect(
                    "SettlementUnitsNotActiveMember",
                    lambda: units.issue(members[c], people[d], amount),
                )
                return
            oid, _ = units.issue(members[c], people[d], amount)
            assert oid == len(self.obs) + 1
            self.obs[oid] = Ob(d, c, ObligationStatus.ISSUED, amount)

        @precondition(lambda self: bool(self.ids(ObligationStatus.ISSUED)))
        @rule(data=st.data(), signed=st.booleans())
        def accept(self, data: st.DataObject, signed: bool) -> None:
            oid = data.draw(st.sampled_from(self.ids(ObligationStatus.ISSUED)))
            o = self.obs[oid]
            debtor = members[o.debtor]
            both = self.active(o.debtor) and self.active(o.creditor)
            error = None if both else "SettlementUnitsNotActiveMember"
            if signed:
                deadline = int(chain.w3.eth.get_block("latest")["timestamp"]) + 600
                sig = units.sign_acceptance(debtor, oid, deadline)
                action = lambda: units.accept_with_signature(  # noqa: E731
                    coop.outsider, oid, deadline, sig
                )
            else:
                action = lambda: units.accept(debtor, oid)  # noqa: E731
            if self.expect(error, action):
                o.status = ObligationStatus.ACCEPTED

        @precondition(lambda self: bool(self.ids(ObligationStatus.ACCEPTED)))
        @rule(data=st.data())
        def pay(self, data: st.DataObject) -> None:
            oid = data.draw(st.sampled_from(self.ids(ObligationStatus.ACCEPTED)))
            o = self.obs[oid]
            amount = data.draw(st.integers(1, o.outstanding + 1))
            available = self.balance[o.debtor] + DEFAULT_LIMIT
            error = None
            if amount > o.outstanding:
                error = "SettlementUnitsExceedsOutstanding"
            elif amount > available:
                error = "SettlementUnitsInsufficientAvailable"
            if self.expect(error, lambda: units.pay(members[o.debtor], oid, amount)):
                o.outstanding -= amount
                self.balance[o.debtor] -= amount
                self.balance[o.creditor] += amount
                self.close_if_zero(oid)

        @precondition(
            lambda self: bool(
                self.ids(ObligationStatus.ACCEPTED) or self.ids(ObligationStatus.ISSUED)
            )
        )
        @rule(data=st.data())
        def cancel(self, data: st.DataObject) -> None:
            oid = data.draw(
                st.sampled_from(
                    self.ids(ObligationStatus.ACCEPTED) + self.ids(ObligationStatus.ISSUED)
                )
            )
            units.cancel(members[self.obs[oid].creditor], oid)
            self.obs[oid].status = ObligationStatus.CANCELLED
            self.obs[oid].outstanding = 0

        @precondition(lambda self: len(self.ids(ObligationStatus.ACCEPTED)) >= 2)
        @rule(max_per_chunk=st.integers(2, 6))
        def clear_with_engine(self, max_per_chunk: int) -> None:
            open_obs = [
                Obligation(i, people[o.debtor], people[o.creditor], o.outstanding)
                for i, o in self.obs.items()
                if o.status == ObligationStatus.ACCEPTED
            ]
            plan = plan_clearing(open_obs, max_per_chunk=max_per_chunk)
            net_before = self.net()
            for chunk in plan.chunks:
                receipt = units.settle_clearing(coop.outsider, chunk)
                assert receipt.total_cleared == sum(s.amount for s in chunk)
                for s in chunk:
                    self.obs[s.id].outstanding -= s.amount
                    self.close_if_zero(s.id)
            assert self.net() == net_before  # clearing changed no net position

        @precondition(lambda self: bool(self.ids(ObligationStatus.ACCEPTED)))
        @rule(data=st.data())
        def clear_random_plan(self, data: st.DataObject) -> None:
            """A random plan: applied only if valid and balanced, else reverts by name."""
            candidates = [i for i in self.obs if self.obs[i].status != ObligationStatus.NONE]
            ids = data.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=5))
            plan = [(i, data.draw(st.integers(0, self.obs[i].outstanding + 1))) for i in ids]
            # Predict the first failure the contract meets, in plan order.
            left = {i: o.outstanding for i, o in self.obs.items()}
            error = None
            shift = [0] * N_MEMBERS
            for i, amount in plan:
                o = self.obs[i]
                if amount == 0:
                    error = "SettlementUnitsZeroAmount"
                elif o.status not in (ObligationStatus.ACCEPTED, ObligationStatus.SETTLED):
                    # (a settled one passes this check and fails the next: nothing outstanding)
                    error = "SettlementUnitsUnexpectedStatus"
                elif amount > left[i]:
                    error = "SettlementUnitsExceedsOutstanding"
                if error:
                    break
                left[i] -= amount
                shift[o.debtor] -= amount
                shift[o.creditor] += amount
            if error is None and any(shift):
                error = "SettlementUnitsClearingUnbalanced"
            net_before = self.net()
            if self.expect(error, lambda: units.settle_clearing(coop.outsider, plan)):
                for i, amount in plan:
                    self.obs[i].outstanding -= amount
                    self.close_if_zero(i)
            assert self.net() == net_before

        # -- membership changes (the real Membership contract) --------------------------------

        @precondition(lambda self: "member" in self.status)
        @rule(data=st.data())
        def block(self, data: st.DataObject) -> None:
            i = data.draw(st.sampled_from([j for j, s in enumerate(self.status) if s == "member"]))
            coop.block(members[i])
            self.status[i] = "blocked"

        @precondition(lambda self: "blocked" in self.status)
        @rule(data=st.data())
        def unblock(self, data: st.DataObject) -> None:
            i = data.draw(st.sampled_from([j for j, s in enumerate(self.status) if s == "blocked"]))
            coop.unblock(members[i])
            self.status[i] = "member"

        @precondition(
            lambda self: not {"exiting", "exited"} & set(self.status) and "member" in self.status
        )
        @rule(data=st.data())
        def request_exit(self, data: st.DataObject) -> None:
            """At most one member leaves per run (the others keep trading)."""
            i = data.draw(st.sampled_from([j for j, s in enumerate(self.status) if s == "member"]))
            error = "MembershipOpenObligations" if self.open_for(i) else None
            if self.expect(error, lambda: coop.request_exit(members[i])):
                self.status[i] = "exiting"

        @precondition(lambda self: "exited" not in self.status)
        @rule(data=st.data())
        def exit(self, data: st.DataObject) -> None:
            """An exit decision, from Member, Blocked or Exiting (at most one per run): a
            positive balance left goes to the treasury's account."""
            i = data.draw(st.integers(0, N_MEMBERS - 1))
            error = "MembershipOpenObligations" if self.open_for(i) else None
            if self.expect(error, lambda: coop.exit(members[i])):
                self.treasury += max(self.balance[i], 0)
                self.balance[i] = min(self.balance[i], 0)
                self.status[i] = "exited"

        # -- invariants ---------------------------------------------------------------------

        @invariant()
        def cached_status_only_for_active_members(self) -> None:
            for i, p in enumerate(people):
                if units.contract.functions.memberStatusCached(p).call():
                    assert self.active(i), (i, self.status[i])
                assert coop.is_active(p) == self.active(i)

        @invariant()
        def balances_sum_to_zero_and_respect_limits(self) -> None:
            onchain = [units.signed_balance(p) for p in people]
            assert onchain == self.balance
            assert units.signed_balance(treasury) == self.treasury
            assert sum(onchain) + self.treasury == 0
            for p, b in zip(people, onchain, strict=True):
                assert b >= -units.credit_limit(p)
            assert units.total_supply() == sum(b for b in onchain if b > 0) + self.treasury

        @invariant()
        def obligations_match_the_model(self) -> None:
            assert units.obligation_count() == len(self.obs)
            open_count = [0] * N_MEMBERS
            for oid, o in self.obs.items():
                info = units.obligation(oid)
                assert info.outstanding >= 0
                assert (info.status, info.outstanding) == (o.status, o.outstanding), oid
                if o.status == ObligationStatus.ACCEPTED:
                    open_count[o.debtor] += 1
                    open_count[o.creditor] += 1
            assert [units.open_obligation_count(p) for p in people] == open_count

    run_state_machine_as_test(
        UnitsMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
