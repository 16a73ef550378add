"""Shares: the ERC-20 read interface, refused transfers, voluntary / in-kind shares, moves by
decision, bank-paid parts refunded off chain."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.client import Cooperative, MemberKind, events
from tests.contracts.conftest import (
    MINIMUM,
    TOKEN,
    ZERO32,
    Roles,
    chain_state,
    expect_revert,
    fund,
    h,
    join,
)

NewAccount = Callable[[], LocalAccount]


@pytest.fixture
def pair(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> tuple[LocalAccount, LocalAccount]:
    a, b = new_account(), new_account()
    for account in (a, b):
        fund(chain, coop, roles.deployer, account.address, 100_000 * TOKEN)
        join(coop, roles, account)
    return a, b


def test_transfers_are_refused(
    chain: Chain, coop: Cooperative, pair: tuple[LocalAccount, LocalAccount]
) -> None:
    a, b = pair
    s = coop.shares.functions
    before = chain_state(coop, a.address, b.address)
    expect_revert(lambda: chain.transact(s.transfer(b.address, 1), a), "SharesNonTransferable")
    expect_revert(lambda: chain.transact(s.approve(b.address, 1), a), "SharesNonTransferable")
    expect_revert(
        lambda: chain.transact(s.transferFrom(a.address, b.address, 1), b),
        "SharesNonTransferable",
    )
    assert s.allowance(a.address, b.address).call() == 0
    assert chain_state(coop, a.address, b.address) == before


def test_voluntary_contribution_by_token_and_by_bank(
    chain: Chain, coop: Cooperative, roles: Roles, pair: tuple[LocalAccount, LocalAccount]
) -> None:
    a, _ = pair
    sent = coop.contribute(a, 250 * TOKEN)
    (transfer,) = events(coop.shares, "Transfer", sent.receipt)
    assert transfer["args"]["value"] == 250 * TOKEN
    assert coop.share_balance(a.address) == MINIMUM + 250 * TOKEN
    s = coop.shares.functions
    chain.transact(s.attestContribution(a.address, 50 * TOKEN, h("bank 9")), roles.cashier)
    holding = coop.holding(a.address)
    assert holding.voluntary_shares == 300 * TOKEN
    assert holding.paid_off_chain == 50 * TOKEN
    assert coop.fund_balances()[0] == 2 * MINIMUM + 250 * TOKEN


def test_contribution_refusals(
    chain: Chain,
    coop: Cooperative,
    roles: Roles,
    pair: tuple[LocalAccount, LocalAccount],
    new_account: NewAccount,
) -> None:
    a, _ = pair
    stranger = new_account()
    s = coop.shares.functions
    before = chain_state(coop, a.address, stranger.address)
    expect_revert(lambda: coop.contribute(a, 0), "SharesZeroAmount")
    expect_revert(
        lambda: coop.contribute(stranger, TOKEN), "SharesNotActiveMember", stranger.address
    )
    expect_revert(
        lambda: chain.transact(s.attestContribution(a.address, TOKEN, h("b")), roles.chair),
        "SharesNotCashier",
        roles.chair.address,
    )
    expect_revert(
        lambda: chain.transact(s.attestContribution(a.address, TOKEN, ZERO32), roles.cashier),
        "SharesZeroHash",
    )
    expect_revert(
        lambda: chain.transact(
            s.attestContribution(stranger.address, TOKEN, h("b")), roles.cashier
        ),
        "SharesNotActiveMember",
    )
    assert chain_state(coop, a.address, stranger.address) == before


def test_in_kind_and_move_by_decision_and_settlement(
    chain: Chain, coop: Cooperative, roles: Roles, pair: tuple[LocalAccount, LocalAccount]
) -> None:
    a, b = pair
    s = coop.shares.functions
    chain.transact(s.creditInKind(a.address, 700 * TOKEN, h("valuation")), roles.executor)
    coop.contribute(a, 300 * TOKEN)
    chain.transact(
        s.attestContribution(a.address, 100 * TOKEN, h("bank")), roles.cashier
    )  # a: voluntary 400 (100 bank-paid), in kind 700
    sent = chain.transact(
        s.moveByDecision(a.address, b.address, 150 * TOKEN, h("move")), roles.executor
    )
    (moved,) = events(coop.shares, "Transfer", sent.receipt)
    assert (moved["args"]["from"], moved["args"]["to"]) == (a.address, b.address)
    ha, hb = coop.holding(a.address), coop.holding(b.address)
    assert ha.voluntary_shares == 250 * TOKEN and hb.voluntary_shares == 150 * TOKEN
    # The bank-paid part moves first.
    assert ha.paid_off_chain == 0 and hb.paid_off_chain == 100 * TOKEN
    supply = s.totalSupply().call()
    assert supply == coop.share_balance(a.address) + coop.share_balance(b.address)

    # a leaves: minimum + token-paid voluntary on chain; in kind owed off chain.
    tokens = coop.token.functions.balanceOf(a.address).call()
    sent = coop.exit(roles.executor, a.address, h("exit a"))
    (settled,) = events(coop.shares, "SharesSettled", sent.receipt)
    assert settled["args"]["refundedOnChain"] == MINIMUM + 250 * TOKEN
    assert settled["args"]["owedOffChain"] == 700 * TOKEN
    assert coop.token.functions.balanceOf(a.address).call() == tokens + MINIMUM + 250 * TOKEN
    # b leaves: the bank-paid 100 it received is owed off chain.
    sent = coop.exit(roles.executor, b.address, h("exit b"))
    (settled,) = events(coop.shares, "SharesSettled", sent.receipt)
    assert settled["args"]["refundedOnChain"] == MINIMUM + 50 * TOKEN
    assert settled["args"]["owedOffChain"] == 100 * TOKEN
    assert s.totalSupply().call() == 0
    assert coop.fund_balances()[0] == 0


def test_decision_refusals(
    chain: Chain,
    coop: Cooperative,
    roles: Roles,
    pair: tuple[LocalAccount, LocalAccount],
    new_account: NewAccount,
) -> None:
    a, b = pair
    stranger = new_account()
    s = coop.shares.functions
    coop.contribute(a, 10 * TOKEN)
    before = chain_state(coop, a.address, b.address, stranger.address)
    ex = roles.executor
    expect_revert(
        lambda: chain.transact(s.creditInKind(a.address, TOKEN, h("v")), roles.chair),
        "SharesNotDecisionExecutor",
        roles.chair.address,
    )
    expect_revert(
        lambda: chain.transact(s.creditInKind(a.address, TOKEN, ZERO32), ex), "SharesZeroHash"
    )
    expect_revert(
        lambda: chain.transact(s.creditInKind(a.address, 0, h("v")), ex), "SharesZeroAmount"
    )
    expect_revert(
        lambda: chain.transact(s.creditInKind(stranger.address, TOKEN, h("v")), ex),
        "SharesNotActiveMember",
    )
    expect_revert(
        lambda: chain.transact(s.moveByDecision(a.address, b.address, 1, h("m")), roles.chair),
        "SharesNotDecisionExecutor",
    )
    expect_revert(
        lambda: chain.transact(s.moveByDecision(a.address, b.address, 1, ZERO32), ex),
        "SharesZeroHash",
    )
    expect_revert(
        lambda: chain.transact(s.moveByDecision(a.address, b.address, 0, h("m")), ex),
        "SharesZeroAmount",
    )
    expect_revert(
        lambda: chain.transact(s.moveByDecision(a.address, a.address, 1, h("m")), ex),
        "SharesSameAccount",
    )
    expect_revert(
        lambda: chain.transact(s.moveByDecision(a.address, stranger.address, 1, h("m")), ex),
        "SharesNotActiveMember",
        stranger.address,
    )
    expect_revert(
        lambda: chain.transact(s.moveByDecision(a.address, b.address, 11 * TOKEN, h("m")), ex),
        "SharesInsufficientVoluntary",
        a.address,
        10 * TOKEN,
        11 * TOKEN,
    )
    # Only the cooperative's own Membership may credit, settle or rebind.
    expect_revert(
        lambda: chain.transact(s.creditEntry(a.address, 1, 1, False), ex), "SharesNotMembership"
    )
    expect_revert(lambda: chain.transact(s.settle(a.address), ex), "SharesNotMembership")
    expect_revert(
        lambda: chain.transact(s.rebind(a.address, stranger.address), ex), "SharesNotMembership"
    )
    assert chain_state(coop, a.address, b.address, stranger.address) == before


def test_organisation_member_holding(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    org = new_account()
    fund(chain, coop, roles.deployer, org.address, 100_000 * TOKEN)
    join(coop, roles, org, MemberKind.ORGANISATION)
    holding = coop.holding(org.address)
    assert holding.minimum_share == 5_000 * TOKEN
    assert holding.entrance_fee == 1_000 * TOKEN
