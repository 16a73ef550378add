"""ВРЕ balances: mutual credit between active members, limits, the ERC-20 view, allowances and
the decision-gated credit limits."""

from __future__ import annotations

from tests.units.conftest import DEFAULT_LIMIT, Coop


def test_erc20_metadata_of_a_fresh_cooperative(coop: Coop) -> None:
    c = coop.units.contract.functions
    assert c.symbol().call() == "ВРЕ"
    assert c.name().call() == "Внутренние расчётные единицы"
    assert c.decimals().call() == 18
    assert c.totalSupply().call() == 0
    assert coop.units.default_credit_limit() == DEFAULT_LIMIT
    assert c.charter().call() == coop.charter
    assert c.membership().call() == coop.membership.address


def test_transfer_creates_mutual_credit(coop: Coop) -> None:
    a, b = coop.members[0], coop.members[1]
    units = coop.units
    sent = units.transfer(a, b.address, 300)
    events = units.decode_events("Transfer", sent)
    assert [(e.args["from"], e.args["to"], e.args["value"]) for e in events] == [
        (a.address, b.address, 300)
    ]
    assert units.signed_balance(a.address) == -300
    assert units.signed_balance(b.address) == 300
    assert units.balance_of(a.address) == 0  # the wallet view shows the positive part
    assert units.balance_of(b.address) == 300
    assert units.available(a.address) == DEFAULT_LIMIT - 300
    assert units.available(b.address) == DEFAULT_LIMIT + 300
    assert units.total_supply() == 300


def test_limit_edge_exactly_at_minus_limit_then_one_more(coop: Coop) -> None:
    a, b = coop.members[0], coop.members[1]
    units = coop.units
    units.transfer(a, b.address, DEFAULT_LIMIT)
    assert units.signed_balance(a.address) == -DEFAULT_LIMIT
    assert units.available(a.address) == 0
    err = coop.reverts(
        "SettlementUnitsInsufficientAvailable", lambda: units.transfer(a, b.address, 1)
    )
    assert err.error_args == (a.address, 0, 1)


def test_limit_counts_positive_balance(coop: Coop) -> None:
    a, b = coop.members[0], coop.members[1]
    units = coop.units
    units.transfer(b, a.address, 200)
    units.transfer(a, b.address, DEFAULT_LIMIT + 200)  # the 200 received plus the full limit
    assert units.signed_balance(a.address) == -DEFAULT_LIMIT
    err = coop.reverts(
        "SettlementUnitsInsufficientAvailable",
        lambda: units.transfer(a, b.address, 1),
    )
    assert err.error_args == (a.address, 0, 1)


def test_transfer_to_and_from_non_members_reverts(coop: Coop) -> None:
    a, outsider = coop.members[0], coop.outsider
    units = coop.units
    err = coop.reverts(
        "SettlementUnitsNotActiveMember", lambda: units.transfer(a, outsider.address, 1)
    )
    assert err.error_args == (outsider.address,)
    err = coop.reverts(
        "SettlementUnitsNotActiveMember", lambda: units.transfer(outsider, a.address, 1)
    )
    assert err.error_args == (outsider.address,)
    # Not even a zero transfer from a stranger (nothing to wind down).
    coop.reverts("SettlementUnitsNotActiveMember", lambda: units.transfer(outsider, a.address, 0))


def test_transfer_to_zero_address_and_oversized_amount_revert(coop: Coop) -> None:
    a = coop.members[0]
    units = coop.units
    zero = "0x" + "00" * 20
    coop.reverts("SettlementUnitsZeroAddress", lambda: units.transfer(a, zero, 1))
    coop.reverts(
        "SettlementUnitsAmountTooLarge",
        lambda: units.transfer(a, coop.members[1].address, 2**128),
    )


def test_transfer_with_document_and_zero_and_self(coop: Coop) -> None:
    a, b = coop.members[0], coop.members[1]
    units = coop.units
    doc = b"\xab" * 32
    sent = units.transfer(a, b.address, 5, document_hash=doc)
    documented = units.decode_events("TransferDocumented", sent)
    assert len(documented) == 1
    assert documented[0].args["documentHash"] == doc
    assert documented[0].args["amount"] == 5
    before = coop.state()
    units.transfer(a, b.address, 0)  # ERC-20: zero transfers are normal transfers
    units.transfer(a, a.address, 7)  # to oneself: nets out
    assert coop.state() == before


def test_supply_is_the_sum_of_positive_balances(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    units.transfer(a, b.address, 100)  # credit created: 100
    units.transfer(b, c.address, 40)  # b stays positive: supply unchanged
    assert units.total_supply() == 100
    units.transfer(c, a.address, 40)  # repays part of a's debt
    assert units.total_supply() == 60
    units.transfer(b, a.address, 60)  # everyone back to zero
    assert units.total_supply() == 0
    assert [units.signed_balance(m.address) for m in (a, b, c)] == [0, 0, 0]


def test_transfer_from_with_allowance(coop: Coop) -> None:
    a, b, spender = coop.members[0], coop.members[1], coop.outsider
    units = coop.units
    c = units.contract.functions
    coop.chain.transact(c.approve(spender.address, 50), a)
    assert c.allowance(a.address, spender.address).call() == 50
    coop.chain.transact(c.transferFrom(a.address, b.address, 30), spender)
    assert c.allowance(a.address, spender.address).call() == 20
    assert units.signed_balance(b.address) == 30
    err = coop.reverts(
        "SettlementUnitsInsufficientAllowance",
        lambda: coop.chain.transact(c.transferFrom(a.address, b.address, 21), spender),
    )
    assert err.error_args == (spender.address, 20, 21)
    coop.chain.transact(c.approve(spender.address, 2**256 - 1), a)
    coop.chain.transact(c.transferFrom(a.address, b.address, 10), spender)
    assert c.allowance(a.address, spender.address).call() == 2**256 - 1
    coop.reverts(
        "SettlementUnitsZeroAddress",
        lambda: coop.chain.transact(c.approve("0x" + "00" * 20, 1), a),
    )


def test_credit_limit_decisions(coop: Coop) -> None:
    a, b = coop.members[0], coop.members[1]
    units = coop.units
    units.transfer(a, b.address, 600)
    # Only the decision executor.
    err = coop.reverts(
        "SettlementUnitsUnauthorized", lambda: units.set_credit_limit(a, a.address, 10_000)
    )
    assert err.error_args == (a.address,)
    coop.reverts("SettlementUnitsUnauthorized", lambda: units.set_default_credit_limit(a, 5))
    # Never below what the member already owes: balance >= -limit always.
    err = coop.reverts(
        "SettlementUnitsLimitBelowDebt",
        lambda: units.set_credit_limit(coop.executor, a.address, 599),
    )
    assert err.error_args == (a.address, 599, 600)
    coop.reverts(
        "SettlementUnitsLimitTooLarge",
        lambda: units.set_credit_limit(coop.executor, a.address, 2**96),
    )
    coop.reverts(
        "SettlementUnitsZeroAddress",
        lambda: units.set_credit_limit(coop.executor, "0x" + "00" * 20, 1),
    )
    units.set_credit_limit(coop.executor, a.address, 600)  # exactly the debt: allowed
    assert units.available(a.address) == 0
    units.set_credit_limit(coop.executor, a.address, 2_000)
    assert units.credit_limit(a.address) == 2_000
    units.transfer(a, b.address, 1_400)
    assert units.signed_balance(a.address) == -2_000


def test_default_limit_applies_to_members_who_have_not_taken_part(coop: Coop) -> None:
    a, b, fresh = coop.members[0], coop.members[1], coop.members[2]
    units = coop.units
    units.transfer(a, b.address, 900)  # a and b take part: their limit is fixed at 1000
    coop.reverts(
        "SettlementUnitsLimitTooLarge",
        lambda: units.set_default_credit_limit(coop.executor, 2**96),
    )
    units.set_default_credit_limit(coop.executor, 100)
    assert units.default_credit_limit() == 100
    assert units.credit_limit(a.address) == DEFAULT_LIMIT  # a owes 900: still within limit
    assert units.credit_limit(fresh.address) == 100
    units.transfer(fresh, b.address, 100)
    coop.reverts(
        "SettlementUnitsInsufficientAvailable", lambda: units.transfer(fresh, b.address, 1)
    )
    units.set_default_credit_limit(coop.executor, 5_000)
    assert units.credit_limit(fresh.address) == 100  # fixed when fresh first took part


def test_transfer_to_oneself_is_checked_against_the_limit(coop: Coop) -> None:
    """Found by the state machine: a self-transfer beyond the limit must revert too."""
    a = coop.members[0]
    units = coop.units
    err = coop.reverts(
        "SettlementUnitsInsufficientAvailable",
        lambda: units.transfer(a, a.address, DEFAULT_LIMIT + 1),
    )
    assert err.error_args == (a.address, DEFAULT_LIMIT, DEFAULT_LIMIT + 1)
    units.transfer(a, a.address, DEFAULT_LIMIT)
    assert units.signed_balance(a.address) == 0
