"""Treasury: income split into funds, payouts only by a chair-signed decision of the executor."""

from __future__ import annotations

from collections.abc import Callable

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.client import Cooperative, DocumentType, Fund, MemberKind, events
from node.cooperative.deploy import NetworkAddresses, create_cooperative
from tests.contracts.conftest import (
    ENTRANCE,
    MINIMUM,
    TOKEN,
    ZERO32,
    ZERO_ADDRESS,
    Roles,
    chain_state,
    expect_revert,
    fund,
    h,
    join,
    standard_params,
)

NewAccount = Callable[[], LocalAccount]


def test_income_is_split_by_charter_percentages(
    chain: Chain, coop: Cooperative, roles: Roles
) -> None:
    coop.approve_treasury(roles.deployer)
    coop.receive_income(roles.deployer, 1_001, h("sale"))
    assert coop.treasury.functions.pendingIncome().call() == 1_001
    # Shown split already; the rounding remainder goes to the reserve.
    assert coop.fund_balances() == {
        Fund.SHARE: 0,
        Fund.RESERVE: 501,
        Fund.MUTUAL_AID: 250,
        Fund.DEVELOPMENT: 250,
    }
    chain.transact(coop.treasury.functions.distributeIncome(), roles.deployer)
    assert coop.treasury.functions.pendingIncome().call() == 0
    assert coop.fund_balances()[Fund.RESERVE] == 501
    expect_revert(lambda: coop.receive_income(roles.deployer, 0, h("x")), "TreasuryZeroAmount")


def test_changing_the_split_distributes_old_income_first(
    chain: Chain, coop: Cooperative, roles: Roles
) -> None:
    coop.approve_treasury(roles.deployer)
    coop.receive_income(roles.deployer, 1_000, h("sale"))
    chain.transact(coop.charter.functions.setFundSplit([0, 0, 10_000, 0]), roles.executor)
    coop.receive_income(roles.deployer, 1_000, h("sale 2"))
    assert coop.fund_balances() == {
        Fund.SHARE: 0,
        Fund.RESERVE: 500,
        Fund.MUTUAL_AID: 1_250,
        Fund.DEVELOPMENT: 250,
    }


def test_payout_needs_executor_and_chair_signed_decision(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    member = new_account()
    fund(chain, coop, roles.deployer, member.address, 10_000 * TOKEN)
    join(coop, roles, member)
    recipient = new_account()
    decision = h("council decision 7: mutual aid to a member")
    amount = ENTRANCE // 4  # the whole mutual-aid fund

    before = chain_state(coop, recipient.address)
    ex = roles.executor
    # Not anchored yet.
    expect_revert(
        lambda: coop.payout(ex, Fund.MUTUAL_AID, recipient.address, amount, decision),
        "TreasuryDecisionNotSigned",
        decision,
    )
    coop.anchor(ex, decision, DocumentType.COUNCIL_DECISION)
    # Anchored but not signed by the chair (a council member's signature is not enough).
    coop.sign_document(roles.cashier, decision)
    expect_revert(
        lambda: coop.payout(ex, Fund.MUTUAL_AID, recipient.address, amount, decision),
        "TreasuryDecisionNotSigned",
    )
    coop.sign_document(roles.chair, decision)
    # The chair alone cannot pay: only the executor calls.
    expect_revert(
        lambda: coop.payout(roles.chair, Fund.MUTUAL_AID, recipient.address, amount, decision),
        "TreasuryNotDecisionExecutor",
        roles.chair.address,
    )
    expect_revert(
        lambda: coop.payout(ex, Fund.MUTUAL_AID, ZERO_ADDRESS, amount, decision),
        "TreasuryZeroAddress",
    )
    expect_revert(
        lambda: coop.payout(ex, Fund.MUTUAL_AID, recipient.address, 0, decision),
        "TreasuryZeroAmount",
    )
    expect_revert(
        lambda: coop.payout(ex, Fund.MUTUAL_AID, recipient.address, amount + 1, decision),
        "TreasuryInsufficientFund",
        int(Fund.MUTUAL_AID),
        amount,
        amount + 1,
    )
    assert chain_state(coop, recipient.address) == before

    sent = coop.payout(ex, Fund.MUTUAL_AID, recipient.address, amount, decision)
    (event,) = events(coop.treasury, "PaidOut", sent.receipt)
    assert event["args"]["decision"] == decision
    assert coop.token.functions.balanceOf(recipient.address).call() == amount
    assert coop.fund_balances()[Fund.MUTUAL_AID] == 0
    assert coop.fund_balances()[Fund.SHARE] == MINIMUM

    # One decision moves money once.
    coop.approve_treasury(roles.deployer)
    coop.receive_income(roles.deployer, 4 * amount, h("more"))
    before = chain_state(coop, recipient.address)
    expect_revert(
        lambda: coop.payout(ex, Fund.MUTUAL_AID, recipient.address, amount, decision),
        "TreasuryDecisionAlreadyExecuted",
        decision,
    )
    assert chain_state(coop, recipient.address) == before


def test_protocol_of_wrong_type_does_not_authorise_a_payout(
    chain: Chain, coop: Cooperative, roles: Roles
) -> None:
    coop.approve_treasury(roles.deployer)
    coop.receive_income(roles.deployer, 1_000, h("sale"))
    contract = h("a supply contract")
    coop.anchor(roles.executor, contract, DocumentType.CONTRACT)
    coop.sign_document(roles.chair, contract)
    expect_revert(
        lambda: coop.payout(roles.executor, Fund.RESERVE, roles.chair.address, 1, contract),
        "TreasuryDecisionNotSigned",
    )
    protocol = h("meeting protocol")
    coop.anchor(roles.executor, protocol, DocumentType.MEETING_PROTOCOL)
    coop.sign_document(roles.chair, protocol)
    coop.payout(roles.executor, Fund.RESERVE, roles.chair.address, 1, protocol)


def test_module_only_entry_points(chain: Chain, coop: Cooperative, roles: Roles) -> None:
    t = coop.treasury.functions
    before = chain_state(coop, roles.deployer.address)
    expect_revert(
        lambda: chain.transact(t.collect(roles.deployer.address, 1, 1), roles.deployer),
        "TreasuryNotModule",
        roles.deployer.address,
    )
    expect_revert(
        lambda: chain.transact(t.refund(roles.deployer.address, 1), roles.executor),
        "TreasuryNotModule",
    )
    expect_revert(
        lambda: chain.transact(t.joinUnion(ZERO_ADDRESS, h("i"), h("a")), roles.executor),
        "TreasuryZeroAddress",
    )
    expect_revert(
        lambda: chain.transact(t.joinUnion(ZERO_ADDRESS, h("i"), h("a")), roles.chair),
        "TreasuryNotDecisionExecutor",
    )
    expect_revert(
        lambda: chain.transact(t.payUnionFees(ZERO_ADDRESS, 1, 0, ZERO32), roles.executor),
        "TreasuryZeroAddress",
    )
    assert chain_state(coop, roles.deployer.address) == before


def _hostile_coop(chain: Chain, network: NetworkAddresses, roles: Roles, token: str) -> Cooperative:
    """A cooperative created with a hostile payment token (the factory does not refuse it:
    what a token does on transfer cannot be read from its code, so the treasury measures)."""
    coop, _ = create_cooperative(
        chain, roles.deployer, network.factory, standard_params(roles, token, symbol="HOST")
    )
    return coop


def _pay_fees_refused(
    coop: Cooperative, roles: Roles, applicant: LocalAccount, received: int
) -> None:
    coop.apply(applicant, MemberKind.INDIVIDUAL, h("id"), h("application"))
    coop.attest_identity(roles.verifier, applicant.address, h("check"))
    coop.approve_treasury(applicant)
    before = chain_state(coop, applicant.address)
    expect_revert(
        lambda: coop.pay_fees(applicant, applicant.address),
        "TreasuryTransferShortfall",
        ENTRANCE + MINIMUM,
        received,
    )
    assert chain_state(coop, applicant.address) == before


def test_a_fee_on_transfer_token_cannot_inflate_the_funds(
    chain: Chain, network: NetworkAddresses, roles: Roles, new_account: NewAccount
) -> None:
    """Attack: fees paid in a token that burns 1% on transfer. The old treasury credited the
    whole amount while receiving 99%: its funds promised more than it held, so the last
    refunds and payouts would fail. Now nothing is credited unless the whole amount arrives."""
    token, _ = chain.deploy("TestFeeToken", 100, sender=roles.deployer)
    coop = _hostile_coop(chain, network, roles, token.address)
    applicant = new_account()
    chain.transact(token.functions.mint(applicant.address, 10_000 * TOKEN), roles.deployer)
    _pay_fees_refused(coop, roles, applicant, (ENTRANCE + MINIMUM) * 99 // 100)
    chain.transact(token.functions.mint(roles.deployer.address, 1_000 * TOKEN), roles.deployer)
    coop.approve_treasury(roles.deployer)
    expect_revert(
        lambda: coop.receive_income(roles.deployer, 1_000, h("sale")),
        "TreasuryTransferShortfall",
        1_000,
        990,
    )
    # Every fund is backed by what the treasury holds.
    held = token.functions.balanceOf(coop.addresses.treasury).call()
    assert sum(coop.fund_balances().values()) == held == 0
    # The same token without its fee is paid in normally.
    chain.transact(token.functions.setFee(0), roles.deployer)
    coop.pay_fees(applicant, applicant.address)
    assert token.functions.balanceOf(coop.addresses.treasury).call() == ENTRANCE + MINIMUM
    assert sum(coop.fund_balances().values()) == ENTRANCE + MINIMUM


def test_a_rebasing_token_cannot_inflate_the_funds(
    chain: Chain, network: NetworkAddresses, roles: Roles, new_account: NewAccount
) -> None:
    """Attack: fees paid in a rebasing token (balances = shares x index) whose transfers round
    the shares down, so the treasury receives a little less than it credits."""
    token, _ = chain.deploy("TestRebasingToken", sender=roles.deployer)
    coop = _hostile_coop(chain, network, roles, token.address)
    applicant = new_account()
    chain.transact(token.functions.mint(applicant.address, 10_000 * TOKEN), roles.deployer)
    chain.transact(token.functions.rebase(3 * 10**18), roles.deployer)  # balances triple
    due = ENTRANCE + MINIMUM
    received = (due * 10**18 // (3 * 10**18)) * 3 * 10**18 // 10**18
    assert received < due
    _pay_fees_refused(coop, roles, applicant, received)
    assert sum(coop.fund_balances().values()) == 0
    assert token.functions.balanceOf(coop.addresses.treasury).call() == 0


def test_a_hook_token_cannot_pay_twice_into_one_measurement(
    chain: Chain, network: NetworkAddresses, roles: Roles
) -> None:
    """Attack: an ERC-777-style token calls the payer's hook while the treasury pulls; the hook
    has an accomplice pay 10 tokens of income into the same treasury. The payer's own transfer
    loses a 1% fee (10 of 1,000), so the outer measurement (990 + 10) would look complete:
    1,010 credited, 1,000 held. A pull inside a pull is refused."""
    token, _ = chain.deploy("TestHookToken", 100, sender=roles.deployer)
    coop = _hostile_coop(chain, network, roles, token.address)
    treasury = coop.addresses.treasury
    payer, _ = chain.deploy("TestReentrantPayer", token.address, sender=roles.deployer)
    accomplice, _ = chain.deploy("TestReentrantPayer", token.address, sender=roles.deployer)
    for holder in (payer, accomplice):
        chain.transact(token.functions.mint(holder.address, 10_000 * TOKEN), roles.deployer)
    chain.transact(token.functions.setHook(payer.address, payer.address), roles.deployer)
    chain.transact(
        payer.functions.setAccomplice(accomplice.address, treasury, 10 * TOKEN), roles.deployer
    )
    expect_revert(
        lambda: chain.transact(payer.functions.pay(treasury, 1_000 * TOKEN), roles.deployer),
        "TreasuryReentrantTransfer",
    )
    assert coop.treasury.functions.pendingIncome().call() == 0
    assert token.functions.balanceOf(treasury).call() == 0
    # Each alone is measured as usual: the accomplice's plain payment goes through.
    chain.transact(accomplice.functions.pay(treasury, 10 * TOKEN), roles.deployer)
    assert coop.treasury.functions.pendingIncome().call() == 10 * TOKEN
    assert token.functions.balanceOf(treasury).call() == 10 * TOKEN
