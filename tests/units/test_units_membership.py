"""ВРЕ and Membership together: exit is blocked while a member is in debt or has an open
obligation (through Membership's real exit path), a positive balance left at exit goes to the
treasury's account, blocked and exiting members may only wind
down, and key recovery moves a member's whole position."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from node.chain.client import TransactionReverted
from node.cooperative.client import events
from node.units.client import ObligationStatus
from tests.units.conftest import DEFAULT_LIMIT, Coop


def _exit_blocked(coop: Coop, member: LocalAccount) -> None:
    """Neither the member's exit request nor an exit decision goes through."""
    for attempt in (lambda: coop.request_exit(member), lambda: coop.exit(member)):
        with pytest.raises(TransactionReverted) as info:
            attempt()
        assert info.value.error == "MembershipOpenObligations"
        assert info.value.error_args == (member.address, coop.units.address)
    assert coop.is_active(member.address)


def test_units_contract_is_an_obligation_source(coop: Coop) -> None:
    sources = coop.membership.functions.obligationSources().call()
    assert coop.units.address in sources


def test_exit_blocked_while_in_debt_not_while_in_credit(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    units.transfer(a, b.address, 100)
    assert units.has_open_obligations(a.address)  # owes the others
    assert not units.has_open_obligations(b.address)  # is owed: forfeits it on exit if unspent
    assert not units.has_open_obligations(c.address)
    _exit_blocked(coop, a)
    # Settle up: b spends its 100 with c, c's units repay a's debt.
    units.transfer(b, c.address, 100)
    units.transfer(c, a.address, 100)
    assert units.signed_balance(a.address) == 0
    assert units.signed_balance(b.address) == 0
    coop.request_exit(a)
    coop.exit(a)
    coop.exit(b)  # an exit decision without a request
    assert not coop.is_active(a.address)
    assert not coop.is_active(b.address)


def _sum_of_balances(coop: Coop) -> int:
    people = [*coop.members, coop.outsider]
    treasury = coop.cooperative.addresses.treasury
    return sum(coop.units.signed_balance(a) for a in [*(p.address for p in people), treasury])


def test_a_stranger_cannot_block_an_exit_with_one_unit_or_an_invoice(coop: Coop) -> None:
    """Attack: right before a member's exit request another member sends them 1 ВРЕ and an
    invoice they never accepted. Neither holds the exit back; the unit goes to the
    cooperative's treasury account at the exit decision (`ExitBalanceForfeited`)."""
    leaver, griefer = coop.members[:2]
    units = coop.units
    treasury = coop.cooperative.addresses.treasury
    units.transfer(griefer, leaver.address, 1)
    invoice, _ = units.issue(griefer, leaver.address, 5)
    assert not units.has_open_obligations(leaver.address)
    coop.request_exit(leaver)
    # Exiting: no one can top the balance up any more, nor make the invoice a debt.
    coop.reverts(
        "SettlementUnitsNotActiveMember", lambda: units.transfer(griefer, leaver.address, 1)
    )
    coop.reverts("SettlementUnitsNotActiveMember", lambda: units.accept(leaver, invoice))
    supply = units.total_supply()
    sent = coop.exit(leaver)
    (forfeited,) = events(units.contract, "ExitBalanceForfeited", sent.receipt)
    assert forfeited["args"]["member"] == leaver.address
    assert forfeited["args"]["treasury"] == treasury
    assert forfeited["args"]["amount"] == 1
    assert units.signed_balance(leaver.address) == 0
    assert units.signed_balance(treasury) == 1
    assert units.total_supply() == supply
    assert _sum_of_balances(coop) == 0
    assert not coop.is_active(leaver.address)


def test_a_leaving_member_may_spend_their_units_before_the_decision(coop: Coop) -> None:
    leaver, buyer, seller = coop.members[:3]
    units = coop.units
    treasury = coop.cooperative.addresses.treasury
    units.transfer(buyer, leaver.address, 80)
    coop.request_exit(leaver)
    units.transfer(leaver, seller.address, 75)  # settles what it can while exiting
    coop.exit(leaver)
    assert units.signed_balance(leaver.address) == 0
    assert units.signed_balance(treasury) == 5  # the rest forfeited
    assert _sum_of_balances(coop) == 0


def test_exit_from_member_or_blocked_forfeits_a_positive_balance(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    treasury = coop.cooperative.addresses.treasury
    units.transfer(c, a.address, 7)
    units.transfer(c, b.address, 11)
    coop.exit(a)  # straight from Member
    coop.block(b)
    assert units.signed_balance(b.address) == 11  # blocking forfeits nothing
    coop.exit(b)  # from Blocked
    assert units.signed_balance(a.address) == units.signed_balance(b.address) == 0
    assert units.signed_balance(treasury) == 18
    assert units.signed_balance(c.address) == -18
    # A negative balance still blocks the exit.
    _exit_blocked(coop, c)
    assert _sum_of_balances(coop) == 0


def test_exit_blocked_by_open_obligation_as_debtor_and_as_creditor(coop: Coop) -> None:
    creditor, debtor, other = coop.members[:3]
    units = coop.units
    pending, _ = units.issue(creditor, other.address, 30)
    # An invoice not accepted blocks nobody (else anyone could block anyone's exit).
    assert not units.has_open_obligations(other.address)
    assert not units.has_open_obligations(creditor.address)
    oid, _ = units.issue(creditor, debtor.address, 50)
    units.accept(debtor, oid)
    _exit_blocked(coop, debtor)
    _exit_blocked(coop, creditor)
    units.pay(debtor, oid, 50)
    assert units.obligation(oid).status == ObligationStatus.SETTLED
    assert units.open_obligation_count(debtor.address) == 0
    _exit_blocked(coop, debtor)  # the debt is now a negative balance
    assert not units.has_open_obligations(creditor.address)  # holding units blocks nothing
    units.transfer(creditor, debtor.address, 50)
    coop.request_exit(creditor)  # the pending invoice it issued does not hold it back
    coop.exit(creditor)
    coop.request_exit(debtor)
    coop.exit(debtor)
    # The invoice of the member who left can no longer be accepted (not active).
    err = coop.reverts("SettlementUnitsNotActiveMember", lambda: units.accept(other, pending))
    assert err.error_args == (creditor.address,)
    units.reject(other, pending)


def test_blocked_member_with_debts_cannot_leave_until_settled(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    units.transfer(a, b.address, 70)
    oid, _ = units.issue(c, a.address, 20)
    units.accept(a, oid)
    coop.block(a)
    _exit_blocked_decision(coop, a)
    units.pay(a, oid, 20)  # a blocked debtor may still pay what it owes
    _exit_blocked_decision(coop, a)  # now owes 90 by balance
    units.transfer(c, a.address, 20)  # repaid toward zero by active members
    units.transfer(b, a.address, 70)
    assert units.signed_balance(a.address) == 0
    coop.exit(a)


def _exit_blocked_decision(coop: Coop, member: LocalAccount) -> None:
    with pytest.raises(TransactionReverted) as info:
        coop.exit(member)
    assert info.value.error == "MembershipOpenObligations"


def test_blocked_member_may_only_wind_down(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    units.transfer(a, b.address, 100)  # a: -100, b: +100
    owed, _ = units.issue(b, a.address, 10)
    units.accept(a, owed)
    coop.block(a)
    coop.block(b)
    # No new credit: the blocked debtor cannot borrow, the blocked creditor cannot receive.
    err = coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(a, c.address, 1))
    assert err.error_args == (a.address,)
    err = coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(c, b.address, 1))
    assert err.error_args == (b.address,)
    coop.reverts("SettlementUnitsNotActiveMember", lambda: units.issue(b, c.address, 1))
    coop.reverts("SettlementUnitsNotActiveMember", lambda: units.issue(c, a.address, 1))
    # The blocked creditor may spend down to zero, not below.
    coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(b, c.address, 101))
    units.transfer(b, c.address, 60)
    # The blocked debtor may be repaid up to zero, not above.
    coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(c, a.address, 101))
    units.transfer(c, a.address, 60)
    assert units.signed_balance(a.address) == -40
    assert units.signed_balance(b.address) == 40
    # Between two non-active members only as far as both move toward zero.
    coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(a, b.address, 1))
    units.transfer(b, a.address, 10)
    assert (units.signed_balance(a.address), units.signed_balance(b.address)) == (-30, 30)
    # Paying an existing obligation stays possible (it creates no credit).
    units.pay(a, owed, 10)
    assert units.signed_balance(a.address) == -40
    assert units.signed_balance(b.address) == 40


def test_rebind_moves_balance_limit_and_obligations(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    units.set_credit_limit(coop.executor, a.address, 1_500)
    units.transfer(a, b.address, 200)
    as_debtor, _ = units.issue(b, a.address, 30)
    units.accept(a, as_debtor)
    as_creditor, _ = units.issue(a, c.address, 40)
    units.accept(c, as_creditor)
    pending, _ = units.issue(c, a.address, 5)

    new_key = Account.create()
    coop.chain.w3.provider.make_request(  # type: ignore[arg-type]
        "anvil_setBalance", [new_key.address, hex(10**20)]
    )
    coop.recover(a, new_key.address)

    assert units.signed_balance(new_key.address) == -200
    assert units.credit_limit(new_key.address) == 1_500
    assert units.open_obligation_count(new_key.address) == 2
    assert units.obligation(as_debtor).debtor == new_key.address
    assert units.obligation(as_creditor).creditor == new_key.address
    assert units.obligation(pending).debtor == new_key.address
    # The lost key holds nothing and can do nothing.
    assert units.signed_balance(a.address) == 0
    assert not units.has_open_obligations(a.address)
    assert units.credit_limit(a.address) == DEFAULT_LIMIT
    coop.reverts("SettlementUnitsNotDebtor", lambda: units.pay(a, as_debtor, 1))
    coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(a, b.address, 1))
    # The new key acts for the member.
    units.pay(new_key, as_debtor, 30)
    units.accept(new_key, pending)
    units.cancel(new_key, as_creditor)
    units.transfer(new_key, b.address, 1)
    assert units.signed_balance(new_key.address) == -231


def test_rebind_only_by_membership_and_never_onto_a_used_account(coop: Coop) -> None:
    a = coop.members[0]
    units = coop.units
    fn = units.contract.functions.rebindMember(a.address, coop.outsider.address)
    err = coop.reverts("SettlementUnitsUnauthorized", lambda: coop.chain.transact(fn, a))
    assert err.error_args == (a.address,)
    coop.reverts("SettlementUnitsUnauthorized", lambda: coop.chain.transact(fn, coop.executor))
    # A decision gave the outsider a limit: it now has a member key here, so a recovery onto
    # it would merge two positions; the recovery as a whole reverts.
    units.set_credit_limit(coop.executor, coop.outsider.address, 10)
    err = coop.reverts(
        "SettlementUnitsRebindTargetInUse", lambda: coop.recover(a, coop.outsider.address)
    )
    assert err.error_args == (coop.outsider.address,)
