"""The ВРЕ contract's cached membership status (issue #5): a bit in each member's balance slot,
set lazily after Membership said "active", cleared by Membership's push whenever the address
stops being an active member, trusted only while the contract is one of Membership's
obligation sources. Every test goes through the real Membership contract."""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount

from node.units.client import SettlementUnitsClient
from tests.units.conftest import Coop, fresh_units


def cached(units: SettlementUnitsClient, account: LocalAccount | str) -> bool:
    address = account if isinstance(account, str) else account.address
    return bool(units.contract.functions.memberStatusCached(address).call())


def trusted(units: SettlementUnitsClient) -> bool:
    return bool(units.contract.functions.memberStatusCacheTrusted().call())


def _warm(coop: Coop, *members: LocalAccount) -> None:
    """A round of transfers that sets every member's bit (and nets out)."""
    units = coop.units
    ring = list(members)
    for i, m in enumerate(ring):
        units.transfer(m, ring[(i + 1) % len(ring)].address, 1)
    for m in ring:
        assert cached(units, m), m.address


def _new_address(coop: Coop) -> LocalAccount:
    account: LocalAccount = Account.create()
    coop.chain.w3.provider.make_request(  # type: ignore[arg-type]
        "anvil_setBalance", [account.address, hex(10**20)]
    )
    return account


def test_bits_are_set_lazily_by_movements_and_trusted_from_the_start(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    assert trusted(units)  # the factory registered it with Membership before initialising it
    assert not any(cached(units, m) for m in (a, b, c))
    units.transfer(a, b.address, 5)
    assert cached(units, a) and cached(units, b)
    assert not cached(units, c)
    # A non-member's slot never gets the bit, even when a wind-down movement writes it.
    assert not cached(units, coop.outsider)


def test_transfer_after_exit_request_exit_or_block_is_refused_though_bit_was_set(
    coop: Coop,
) -> None:
    leaver, exited, blocked, other = coop.members[:4]
    units = coop.units
    _warm(coop, leaver, exited, blocked, other)

    coop.request_exit(leaver)
    coop.exit(exited)  # straight from Member, no request
    coop.block(blocked)
    for gone in (leaver, exited, blocked):
        assert not cached(units, gone), gone.address
        err = coop.reverts(
            "SettlementUnitsNotActiveMember", lambda g=gone: units.transfer(g, other.address, 1)
        )
        assert err.error_args == (gone.address,)
        err = coop.reverts(
            "SettlementUnitsNotActiveMember", lambda g=gone: units.transfer(other, g.address, 1)
        )
        assert err.error_args == (gone.address,)
        not_active = "SettlementUnitsNotActiveMember"
        coop.reverts(not_active, lambda g=gone: units.issue(g, other.address, 1))
        coop.reverts(not_active, lambda g=gone: units.issue(other, g.address, 1))
    assert cached(units, other)  # the others keep their bit
    units.transfer(other, coop.members[4].address, 1)


def test_accepting_an_invoice_after_the_creditor_was_blocked_is_refused(coop: Coop) -> None:
    creditor, debtor = coop.members[:2]
    units = coop.units
    _warm(coop, creditor, debtor)
    oid, _ = units.issue(creditor, debtor.address, 10)
    coop.block(creditor)
    err = coop.reverts("SettlementUnitsNotActiveMember", lambda: units.accept(debtor, oid))
    assert err.error_args == (creditor.address,)
    coop.unblock(creditor)
    units.accept(debtor, oid)


def test_unblock_reactivates_lazily(coop: Coop) -> None:
    a, b = coop.members[:2]
    units = coop.units
    _warm(coop, a, b)
    coop.block(a)
    assert not cached(units, a)
    coop.unblock(a)
    assert coop.is_active(a.address)
    assert not cached(units, a)  # unblocking pushes nothing
    units.transfer(a, b.address, 3)  # asks Membership once, then caches
    assert cached(units, a)
    assert units.signed_balance(a.address) == -3


def test_key_recovery_carries_the_bit_of_an_active_member(coop: Coop) -> None:
    a, b = coop.members[:2]
    units = coop.units
    _warm(coop, a, b)
    units.transfer(a, b.address, 10)
    new = _new_address(coop)
    coop.recover(a, new.address)
    assert cached(units, new)  # moved with the slot: the new address is an active member
    assert not cached(units, a)
    assert units.signed_balance(new.address) == -10
    units.transfer(new, b.address, 1)
    coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(a, b.address, 1))


def test_key_recovery_of_a_blocked_member_carries_no_bit(coop: Coop) -> None:
    a, b = coop.members[:2]
    units = coop.units
    _warm(coop, a, b)
    units.transfer(a, b.address, 10)
    coop.block(a)
    new = _new_address(coop)
    coop.recover(a, new.address)
    assert not cached(units, new)
    assert not coop.is_active(new.address)
    err = coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(new, b.address, 1))
    assert err.error_args == (new.address,)
    coop.unblock_address(new.address)
    units.transfer(new, b.address, 1)
    assert cached(units, new)


def test_detached_contract_stops_trusting_bits_and_asks_membership(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    _warm(coop, a, b, c)
    membership = coop.membership.functions
    coop.decide(membership.removeObligationSource(units.address))
    assert not trusted(units)
    assert not cached(units, a)  # a set bit no longer counts
    units.transfer(a, b.address, 1)  # still works: Membership says a and b are active
    # Membership no longer tells this contract about blocks: the stale bit must not let the
    # blocked member create credit.
    coop.block(a)
    err = coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(a, b.address, 1))
    assert err.error_args == (a.address,)
    coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(c, a.address, 5))
    # Registering it again does not make the old bits trusted again.
    coop.decide(membership.addObligationSource(units.address))
    assert not trusted(units)
    coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(a, b.address, 1))


def test_a_contract_not_registered_at_initialisation_never_trusts_bits(coop: Coop) -> None:
    a, b = coop.members[:2]
    other = fresh_units(coop)
    assert not trusted(other)
    other.transfer(a, b.address, 4)
    assert not cached(other, a)
    coop.block(a)  # Membership does not tell this contract
    coop.reverts("SettlementUnitsNotActiveMember", lambda: other.transfer(a, b.address, 1))


def test_hooks_only_by_membership(coop: Coop) -> None:
    a, b = coop.members[:2]
    units = coop.units
    _warm(coop, a, b)
    fns = units.contract.functions
    for fn in (fns.memberDeactivated(a.address), fns.detached()):
        for caller in (a, coop.executor):
            err = coop.reverts(
                "SettlementUnitsUnauthorized", lambda f=fn, s=caller: coop.chain.transact(f, s)
            )
            assert err.error_args == (caller.address,)
    assert cached(units, a) and trusted(units)
