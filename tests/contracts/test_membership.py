"""Membership: every state transition and every refused call (named error, nothing changed)."""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import pairwise

import pytest
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.client import Cooperative, MemberKind, MemberStatus, events
from tests.contracts.conftest import (
    MINIMUM,
    TOKEN,
    ZERO32,
    ZERO_ADDRESS,
    Roles,
    apply_verify_pay,
    chain_state,
    expect_revert,
    fund,
    h,
    join,
    mine,
)

NewAccount = Callable[[], LocalAccount]


@pytest.fixture
def member(coop: Cooperative, roles: Roles, new_account: NewAccount, chain: Chain) -> LocalAccount:
    account = new_account()
    fund(chain, coop, roles.deployer, account.address, 100_000 * TOKEN)
    join(coop, roles, account)
    return account


@pytest.fixture
def applicant(coop: Cooperative, new_account: NewAccount) -> LocalAccount:
    account = new_account()
    coop.apply(account, MemberKind.INDIVIDUAL, h("id"), h("app"))
    return account


# -- apply ------------------------------------------------------------------------------------


def test_apply_refusals(coop: Cooperative, new_account: NewAccount, member: LocalAccount) -> None:
    fresh = new_account()
    before = chain_state(coop, fresh.address, member.address)
    expect_revert(
        lambda: coop.apply(fresh, MemberKind.INDIVIDUAL, ZERO32, h("app")), "MembershipZeroHash"
    )
    expect_revert(
        lambda: coop.apply(fresh, MemberKind.INDIVIDUAL, h("id"), ZERO32), "MembershipZeroHash"
    )
    expect_revert(
        lambda: coop.apply(member, MemberKind.INDIVIDUAL, h("id2"), h("app2")),
        "MembershipDuplicateApplication",
        member.address,
        int(MemberStatus.MEMBER),
    )
    assert chain_state(coop, fresh.address, member.address) == before


def test_duplicate_application_refused(coop: Cooperative, applicant: LocalAccount) -> None:
    before = chain_state(coop, applicant.address)
    expect_revert(
        lambda: coop.apply(applicant, MemberKind.INDIVIDUAL, h("id2"), h("app2")),
        "MembershipDuplicateApplication",
        applicant.address,
        int(MemberStatus.APPLICANT),
    )
    assert chain_state(coop, applicant.address) == before


def test_signed_application_refusals(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    applicant, stranger = new_account(), new_account()
    relayer = roles.deployer
    kind, idh, app = MemberKind.INDIVIDUAL, h("id"), h("app")
    before = chain_state(coop, applicant.address)

    # Expired.
    sig, nonce, _ = coop.sign_application(applicant, kind, idh, app, deadline=1)
    expect_revert(
        lambda: coop.apply_with_sig(relayer, applicant.address, kind, idh, app, nonce, 1, sig),
        "MembershipSignatureExpired",
        1,
    )
    # Signed by someone else.
    deadline = int(time.time()) + 3600
    sig, nonce, _ = coop.sign_application(stranger, kind, idh, app, nonce=0, deadline=deadline)
    expect_revert(
        lambda: coop.apply_with_sig(relayer, applicant.address, kind, idh, app, 0, deadline, sig),
        "MembershipInvalidSignature",
        applicant.address,
    )
    # Foreign chain: a domain with another chain id.
    domain = {
        "name": "Coopnode Membership",
        "version": "1",
        "chainId": 1,
        "verifyingContract": coop.addresses.membership,
    }
    sig, _, _ = coop.sign_application(
        applicant, kind, idh, app, nonce=0, deadline=deadline, domain=domain
    )
    expect_revert(
        lambda: coop.apply_with_sig(relayer, applicant.address, kind, idh, app, 0, deadline, sig),
        "MembershipInvalidSignature",
    )
    # Tampered content (the kind differs from what was signed).
    sig, _, _ = coop.sign_application(applicant, kind, idh, app, nonce=0, deadline=deadline)
    expect_revert(
        lambda: coop.apply_with_sig(
            relayer, applicant.address, MemberKind.ORGANISATION, idh, app, 0, deadline, sig
        ),
        "MembershipInvalidSignature",
    )
    assert chain_state(coop, applicant.address) == before

    # Replay: the same signed application cannot be used twice (even after an exit).
    coop.apply_with_sig(relayer, applicant.address, kind, idh, app, 0, deadline, sig)
    coop.exit(roles.executor, applicant.address, h("declined"))
    before = chain_state(coop, applicant.address)
    expect_revert(
        lambda: coop.apply_with_sig(relayer, applicant.address, kind, idh, app, 0, deadline, sig),
        "MembershipInvalidNonce",
        applicant.address,
        1,
    )
    assert chain_state(coop, applicant.address) == before


def test_contract_wallet_applies_by_erc1271_signature(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    owner = new_account()
    wallet, _ = chain.deploy("TestContractWallet", owner.address, sender=roles.deployer)

    class WalletSigner:
        """Signs typed data with the owner's key, on behalf of the wallet's address."""

        address = wallet.address

        def sign_typed_data(self, **kwargs: object) -> object:
            return owner.sign_typed_data(**kwargs)  # type: ignore[arg-type]

    sig, nonce, deadline = coop.sign_application(
        WalletSigner(),  # type: ignore[arg-type]
        MemberKind.ORGANISATION,
        h("org"),
        h("org app"),
    )
    coop.apply_with_sig(
        roles.deployer,
        wallet.address,
        MemberKind.ORGANISATION,
        h("org"),
        h("org app"),
        nonce,
        deadline,
        sig,
    )
    assert coop.status(wallet.address) is MemberStatus.APPLICANT
    assert coop.member(wallet.address).kind is MemberKind.ORGANISATION


# -- identity and payment ---------------------------------------------------------------------


def test_attest_identity_refusals(
    coop: Cooperative, roles: Roles, applicant: LocalAccount, member: LocalAccount
) -> None:
    before = chain_state(coop, applicant.address, member.address)
    expect_revert(
        lambda: coop.attest_identity(roles.cashier, applicant.address, h("c")),
        "MembershipNotVerifier",
        roles.cashier.address,
    )
    expect_revert(
        lambda: coop.attest_identity(roles.verifier, applicant.address, ZERO32),
        "MembershipZeroHash",
    )
    expect_revert(
        lambda: coop.attest_identity(roles.verifier, member.address, h("c")),
        "MembershipWrongStatus",
        member.address,
        int(MemberStatus.MEMBER),
    )
    assert chain_state(coop, applicant.address, member.address) == before
    coop.attest_identity(roles.verifier, applicant.address, h("c"))
    before = chain_state(coop, applicant.address)
    expect_revert(
        lambda: coop.attest_identity(roles.chair, applicant.address, h("c2")),
        "MembershipIdentityAlreadyVerified",
        applicant.address,
    )
    assert chain_state(coop, applicant.address) == before


def test_pay_fees_refusals(
    chain: Chain,
    coop: Cooperative,
    roles: Roles,
    applicant: LocalAccount,
    new_account: NewAccount,
) -> None:
    stranger = new_account()
    # No approval / no tokens: the token's own error, nothing changed.
    before = chain_state(coop, applicant.address)
    expect_revert(lambda: coop.pay_fees(applicant, applicant.address), "ERC20InsufficientAllowance")
    expect_revert(
        lambda: coop.pay_fees(roles.deployer, stranger.address),
        "MembershipWrongStatus",
        stranger.address,
        int(MemberStatus.NONE),
    )
    expect_revert(
        lambda: coop.attest_payment(roles.verifier, applicant.address, h("bank")),
        "MembershipNotCashier",
        roles.verifier.address,
    )
    expect_revert(
        lambda: coop.attest_payment(roles.cashier, applicant.address, ZERO32),
        "MembershipZeroHash",
    )
    assert chain_state(coop, applicant.address) == before

    fund(chain, coop, roles.deployer, applicant.address, 10_000 * TOKEN)
    coop.approve_treasury(applicant)
    coop.pay_fees(applicant, applicant.address)
    before = chain_state(coop, applicant.address)
    expect_revert(
        lambda: coop.pay_fees(applicant, applicant.address),
        "MembershipFeesAlreadyPaid",
        applicant.address,
    )
    expect_revert(
        lambda: coop.attest_payment(roles.cashier, applicant.address, h("bank")),
        "MembershipFeesAlreadyPaid",
    )
    assert chain_state(coop, applicant.address) == before


def test_someone_else_may_pay_for_an_applicant(
    coop: Cooperative, roles: Roles, applicant: LocalAccount
) -> None:
    coop.approve_treasury(roles.deployer)
    payer_before = coop.token.functions.balanceOf(roles.deployer.address).call()
    coop.pay_fees(roles.deployer, applicant.address)
    assert coop.member(applicant.address).fees_paid
    assert coop.token.functions.balanceOf(roles.deployer.address).call() < payer_before
    assert coop.holding(applicant.address).minimum_share == MINIMUM


# -- admission --------------------------------------------------------------------------------


def test_admit_refusals(
    chain: Chain, coop: Cooperative, roles: Roles, applicant: LocalAccount, member: LocalAccount
) -> None:
    before = chain_state(coop, applicant.address, member.address)
    expect_revert(
        lambda: coop.admit(roles.chair, applicant.address, h("d")),
        "MembershipNotDecisionExecutor",
        roles.chair.address,
    )
    expect_revert(
        lambda: coop.admit(roles.executor, applicant.address, ZERO32), "MembershipZeroHash"
    )
    expect_revert(
        lambda: coop.admit(roles.executor, applicant.address, h("d")),
        "MembershipIdentityNotVerified",
        applicant.address,
    )
    expect_revert(
        lambda: coop.admit(roles.executor, member.address, h("d")),
        "MembershipWrongStatus",
        member.address,
        int(MemberStatus.MEMBER),
    )
    assert chain_state(coop, applicant.address, member.address) == before
    coop.attest_identity(roles.verifier, applicant.address, h("c"))
    before = chain_state(coop, applicant.address)
    expect_revert(
        lambda: coop.admit(roles.executor, applicant.address, h("d")),
        "MembershipFeesUnpaid",
        applicant.address,
    )
    assert chain_state(coop, applicant.address) == before


def test_admission_is_checkpointed_by_block(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    a, b = new_account(), new_account()
    for account in (a, b):
        fund(chain, coop, roles.deployer, account.address, 10_000 * TOKEN)
        apply_verify_pay(coop, roles, account)
    block0 = chain.w3.eth.block_number
    coop.admit(roles.executor, a.address, h("da"))
    block1 = chain.w3.eth.block_number
    mine(chain)
    coop.admit(roles.executor, b.address, h("db"))
    block2 = chain.w3.eth.block_number
    mine(chain)
    m = coop.membership.functions
    assert m.wasActiveMemberAt(a.address, block0).call() is False
    assert m.wasActiveMemberAt(a.address, block1).call() is True
    assert m.wasActiveMemberAt(b.address, block1).call() is False
    assert m.wasActiveMemberAt(b.address, block2).call() is True
    assert m.activeMemberCountAt(block0).call() == 0
    assert m.activeMemberCountAt(block1).call() == 1
    assert m.activeMemberCountAt(block2).call() == 2
    assert coop.active_member_count() == 2
    assert coop.member(a.address).admitted_at > 0


# -- exit -------------------------------------------------------------------------------------


def test_request_exit_then_exit_with_refund(
    chain: Chain, coop: Cooperative, roles: Roles, member: LocalAccount
) -> None:
    before_tokens = coop.token.functions.balanceOf(member.address).call()
    coop.request_exit(member, h("exit application"))
    block_exiting = chain.w3.eth.block_number
    assert coop.status(member.address) is MemberStatus.EXITING
    assert not coop.is_active_member(member.address)
    assert coop.active_member_count() == 0
    mine(chain)
    assert (
        coop.membership.functions.wasActiveMemberAt(member.address, block_exiting).call() is False
    )
    assert coop.membership.functions.wasActiveMemberAt(member.address, block_exiting - 1).call()

    sent = coop.exit(roles.executor, member.address, h("exit decision"))
    (settled,) = events(coop.shares, "SharesSettled", sent.receipt)
    assert settled["args"]["refundedOnChain"] == MINIMUM
    assert settled["args"]["owedOffChain"] == 0
    assert coop.status(member.address) is MemberStatus.EXITED
    # The minimum share comes back; the entrance fee does not.
    assert coop.token.functions.balanceOf(member.address).call() == before_tokens + MINIMUM
    assert coop.share_balance(member.address) == 0
    assert coop.shares.functions.totalSupply().call() == 0
    assert coop.fund_balances()[0] == 0


def test_exit_directly_from_member_and_reapply(
    chain: Chain, coop: Cooperative, roles: Roles, member: LocalAccount
) -> None:
    coop.exit(roles.executor, member.address, h("expelled"))
    assert coop.status(member.address) is MemberStatus.EXITED
    assert coop.active_member_count() == 0
    # An exited person may apply again, from scratch.
    coop.apply(member, MemberKind.INDIVIDUAL, h("id again"), h("app again"))
    record = coop.member(member.address)
    assert record.status is MemberStatus.APPLICANT
    assert not record.identity_verified and not record.fees_paid
    assert record.nonce == 2
    assert coop.membership.functions.dossierOf(member.address).call()[2] == ZERO32


def test_declining_an_applicant_refunds_the_minimum_share(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    account = new_account()
    fund(chain, coop, roles.deployer, account.address, 10_000 * TOKEN)
    apply_verify_pay(coop, roles, account)
    before = coop.token.functions.balanceOf(account.address).call()
    coop.exit(roles.executor, account.address, h("declined"))
    assert coop.status(account.address) is MemberStatus.EXITED
    assert coop.token.functions.balanceOf(account.address).call() == before + MINIMUM


def test_exit_refusals(
    coop: Cooperative, roles: Roles, member: LocalAccount, new_account: NewAccount
) -> None:
    stranger = new_account()
    before = chain_state(coop, member.address, stranger.address)
    expect_revert(lambda: coop.request_exit(member, ZERO32), "MembershipZeroHash")
    expect_revert(
        lambda: coop.request_exit(stranger, h("x")),
        "MembershipWrongStatus",
        stranger.address,
        int(MemberStatus.NONE),
    )
    expect_revert(
        lambda: coop.exit(member, member.address, h("d")),
        "MembershipNotDecisionExecutor",
        member.address,
    )
    expect_revert(lambda: coop.exit(roles.executor, member.address, ZERO32), "MembershipZeroHash")
    expect_revert(
        lambda: coop.exit(roles.executor, stranger.address, h("d")),
        "MembershipWrongStatus",
        stranger.address,
        int(MemberStatus.NONE),
    )
    assert chain_state(coop, member.address, stranger.address) == before
    coop.exit(roles.executor, member.address, h("d"))
    before = chain_state(coop, member.address)
    expect_revert(
        lambda: coop.exit(roles.executor, member.address, h("d2")),
        "MembershipWrongStatus",
        member.address,
        int(MemberStatus.EXITED),
    )
    assert chain_state(coop, member.address) == before


def test_exit_refused_with_open_obligations(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    debtor, creditor = new_account(), new_account()
    for account in (debtor, creditor):
        fund(chain, coop, roles.deployer, account.address, 10_000 * TOKEN)
        join(coop, roles, account)
    # The debtor pays the creditor in ВРЕ on credit: the debtor's balance goes negative.
    units = coop.settlement_units
    chain.transact(units.functions.transfer(creditor.address, 100 * TOKEN), debtor)
    assert units.functions.hasOpenObligations(debtor.address).call()

    before = chain_state(coop, debtor.address)
    expect_revert(
        lambda: coop.request_exit(debtor, h("exit")),
        "MembershipOpenObligations",
        debtor.address,
        coop.addresses.settlement_units,
    )
    expect_revert(
        lambda: coop.exit(roles.executor, debtor.address, h("exit decision")),
        "MembershipOpenObligations",
        debtor.address,
        coop.addresses.settlement_units,
    )
    assert chain_state(coop, debtor.address) == before

    # Settled: the creditor pays the units back, and the debtor may leave.
    chain.transact(units.functions.transfer(debtor.address, 100 * TOKEN), creditor)
    coop.request_exit(debtor, h("exit"))
    coop.exit(roles.executor, debtor.address, h("exit decision"))
    assert coop.status(debtor.address) is MemberStatus.EXITED


# -- blocking ---------------------------------------------------------------------------------


def test_block_and_unblock_member(
    chain: Chain, coop: Cooperative, roles: Roles, member: LocalAccount
) -> None:
    coop.block(roles.executor, member.address, h("block"))
    record = coop.member(member.address)
    assert record.status is MemberStatus.BLOCKED
    assert record.blocked_from is MemberStatus.MEMBER
    assert not coop.is_active_member(member.address)
    assert coop.active_member_count() == 0
    coop.unblock(roles.executor, member.address, h("unblock"))
    assert coop.status(member.address) is MemberStatus.MEMBER
    assert coop.active_member_count() == 1


def test_block_applicant_and_exiting(
    coop: Cooperative, roles: Roles, applicant: LocalAccount, member: LocalAccount
) -> None:
    coop.block(roles.executor, applicant.address, h("b1"))
    coop.request_exit(member, h("exit"))
    coop.block(roles.executor, member.address, h("b2"))
    assert coop.active_member_count() == 0
    coop.unblock(roles.executor, applicant.address, h("u1"))
    coop.unblock(roles.executor, member.address, h("u2"))
    assert coop.status(applicant.address) is MemberStatus.APPLICANT
    assert coop.status(member.address) is MemberStatus.EXITING
    assert coop.active_member_count() == 0
    # A blocked member can be expelled (exit from Blocked).
    coop.block(roles.executor, member.address, h("b3"))
    coop.exit(roles.executor, member.address, h("expel"))
    assert coop.status(member.address) is MemberStatus.EXITED


def test_block_refusals(
    coop: Cooperative, roles: Roles, member: LocalAccount, new_account: NewAccount
) -> None:
    stranger = new_account()
    before = chain_state(coop, member.address, stranger.address)
    expect_revert(
        lambda: coop.block(roles.chair, member.address, h("b")),
        "MembershipNotDecisionExecutor",
    )
    expect_revert(lambda: coop.block(roles.executor, member.address, ZERO32), "MembershipZeroHash")
    expect_revert(
        lambda: coop.block(roles.executor, stranger.address, h("b")),
        "MembershipWrongStatus",
        stranger.address,
        int(MemberStatus.NONE),
    )
    expect_revert(
        lambda: coop.unblock(roles.executor, member.address, h("u")),
        "MembershipWrongStatus",
        member.address,
        int(MemberStatus.MEMBER),
    )
    expect_revert(
        lambda: coop.unblock(roles.chair, member.address, h("u")),
        "MembershipNotDecisionExecutor",
    )
    expect_revert(
        lambda: coop.unblock(roles.executor, member.address, ZERO32), "MembershipZeroHash"
    )
    assert chain_state(coop, member.address, stranger.address) == before
    coop.block(roles.executor, member.address, h("b"))
    before = chain_state(coop, member.address)
    expect_revert(
        lambda: coop.block(roles.executor, member.address, h("b again")),
        "MembershipWrongStatus",
        member.address,
        int(MemberStatus.BLOCKED),
    )
    assert chain_state(coop, member.address) == before


# -- key recovery -----------------------------------------------------------------------------


def test_key_recovery_moves_membership_shares_and_units(
    chain: Chain, coop: Cooperative, roles: Roles, member: LocalAccount, new_account: NewAccount
) -> None:
    other, new_key = new_account(), new_account()
    fund(chain, coop, roles.deployer, other.address, 10_000 * TOKEN)
    join(coop, roles, other)
    # The member owes ВРЕ to another member: the debt must follow the membership.
    units = coop.settlement_units
    chain.transact(units.functions.transfer(other.address, 40 * TOKEN), member)
    admitted_at = coop.member(member.address).admitted_at
    block_before = chain.w3.eth.block_number
    mine(chain)

    sent = coop.recover(roles.executor, member.address, new_key.address, h("recovery"))
    (moved,) = events(coop.shares, "Transfer", sent.receipt)
    assert moved["args"]["from"] == member.address and moved["args"]["to"] == new_key.address

    assert coop.status(member.address) is MemberStatus.NONE
    record = coop.member(new_key.address)
    assert record.status is MemberStatus.MEMBER
    assert record.admitted_at == admitted_at
    assert coop.share_balance(new_key.address) == MINIMUM
    assert coop.share_balance(member.address) == 0
    assert coop.active_member_count() == 2
    assert units.functions.signedBalanceOf(new_key.address).call() == -40 * TOKEN
    assert units.functions.signedBalanceOf(member.address).call() == 0
    dossier = coop.membership.functions.dossierOf(new_key.address).call()
    assert dossier[0] == h(f"id {member.address}")
    m = coop.membership.functions
    assert m.wasActiveMemberAt(member.address, block_before).call() is True
    now = chain.w3.eth.block_number
    mine(chain)
    assert m.wasActiveMemberAt(member.address, now).call() is False
    assert m.wasActiveMemberAt(new_key.address, now).call() is True
    # The old key can no longer act as a member; the new one can.
    expect_revert(lambda: coop.request_exit(member, h("x")), "MembershipWrongStatus")
    assert coop.is_active_member(new_key.address)


def test_key_recovery_refusals(
    coop: Cooperative,
    roles: Roles,
    member: LocalAccount,
    applicant: LocalAccount,
    new_account: NewAccount,
) -> None:
    stranger, new_key = new_account(), new_account()
    before = chain_state(coop, member.address, applicant.address, new_key.address)
    expect_revert(
        lambda: coop.recover(roles.chair, member.address, new_key.address, h("r")),
        "MembershipNotDecisionExecutor",
    )
    expect_revert(
        lambda: coop.recover(roles.executor, member.address, new_key.address, ZERO32),
        "MembershipZeroHash",
    )
    expect_revert(
        lambda: coop.recover(roles.executor, member.address, ZERO_ADDRESS, h("r")),
        "MembershipZeroAddress",
    )
    expect_revert(
        lambda: coop.recover(roles.executor, stranger.address, new_key.address, h("r")),
        "MembershipWrongStatus",
        stranger.address,
        int(MemberStatus.NONE),
    )
    expect_revert(
        lambda: coop.recover(roles.executor, member.address, applicant.address, h("r")),
        "MembershipAccountInUse",
        applicant.address,
    )
    assert chain_state(coop, member.address, applicant.address, new_key.address) == before


# -- obligation sources -----------------------------------------------------------------------


def test_obligation_source_registration(
    chain: Chain, coop: Cooperative, roles: Roles, network: object
) -> None:
    m = coop.membership.functions
    units = coop.addresses.settlement_units
    assert m.obligationSources().call() == [units]
    # A recording test source stands in for a second source (a fund, a loan book).
    source, _ = chain.deploy("TestObligationSource", True, sender=roles.deployer)
    other = source.address
    chain.transact(m.addObligationSource(other), roles.executor)
    assert m.obligationSources().call() == [units, other]
    expect_revert(
        lambda: chain.transact(m.addObligationSource(other), roles.executor),
        "MembershipObligationSourceExists",
        other,
    )
    expect_revert(
        lambda: chain.transact(m.addObligationSource(ZERO_ADDRESS), roles.executor),
        "MembershipZeroAddress",
    )
    expect_revert(
        lambda: chain.transact(m.addObligationSource(roles.chair.address), roles.chair),
        "MembershipNotDecisionExecutor",
    )
    assert source.functions.detachments().call() == 0
    chain.transact(m.removeObligationSource(other), roles.executor)
    assert m.obligationSources().call() == [units]
    assert source.functions.detachments().call() == 1  # the removed source is told
    expect_revert(
        lambda: chain.transact(m.removeObligationSource(other), roles.executor),
        "MembershipUnknownObligationSource",
        other,
    )
    expect_revert(
        lambda: chain.transact(m.removeObligationSource(units), roles.chair),
        "MembershipNotDecisionExecutor",
    )
    assert m.obligationSources().call() == [units]


def test_every_source_hears_of_every_deactivation(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    """Leaving the active status (exit request, block of an active member) and every exit are
    pushed to every obligation source that caches status; admission, unblocking and blocking a
    non-member are not."""
    m = coop.membership.functions
    source, _ = chain.deploy("TestObligationSource", True, sender=roles.deployer)
    chain.transact(m.addObligationSource(source.address), roles.executor)
    # A source that caches no status (like the mutual-aid fund) is never called.
    quiet, _ = chain.deploy("TestObligationSource", False, sender=roles.deployer)
    chain.transact(m.addObligationSource(quiet.address), roles.executor)
    told = source.functions.deactivations

    def joined() -> LocalAccount:
        account = new_account()
        fund(chain, coop, roles.deployer, account.address, 100_000 * TOKEN)
        join(coop, roles, account)
        return account

    requester, exited, blocked = joined(), joined(), joined()
    assert [told(a.address).call() for a in (requester, exited, blocked)] == [0, 0, 0]

    coop.request_exit(requester, h("leave"))
    assert told(requester.address).call() == 1
    coop.exit(roles.executor, requester.address, h("exit"))  # every exit: told again
    assert told(requester.address).call() == 2

    coop.exit(roles.executor, exited.address, h("exit2"))  # straight from Member
    assert told(exited.address).call() == 1

    coop.block(roles.executor, blocked.address, h("block"))
    assert told(blocked.address).call() == 1
    coop.unblock(roles.executor, blocked.address, h("unblock"))  # reactivation: not pushed
    assert told(blocked.address).call() == 1
    coop.block(roles.executor, blocked.address, h("block2"))
    assert told(blocked.address).call() == 2

    applicant = new_account()
    coop.apply(applicant, MemberKind.INDIVIDUAL, h("id"), h("app"))
    coop.block(roles.executor, applicant.address, h("block3"))  # never active: not pushed
    assert told(applicant.address).call() == 0
    coop.exit(roles.executor, applicant.address, h("exit3"))  # but its exit is
    assert told(applicant.address).call() == 1
    # The cooperative's own ВРЕ contract heard of them too (it is the first source).
    units = coop.addresses.settlement_units
    assert m.obligationSources().call() == [units, source.address, quiet.address]
    everyone = (requester, exited, blocked, applicant)
    assert [quiet.functions.deactivations(a.address).call() for a in everyone] == [0, 0, 0, 0]
    assert [told(a.address).call() for a in everyone] == [2, 1, 2, 1]


def test_initialize_twice_refused(coop: Cooperative, roles: Roles, chain: Chain) -> None:
    expect_revert(
        lambda: chain.transact(coop.membership.functions.initialize([]), roles.executor),
        "InvalidInitialization",
    )


def test_eip712_domain(coop: Cooperative, chain: Chain) -> None:
    fields, name, version, chain_id, verifying, _salt, _ext = (
        coop.membership.functions.eip712Domain().call()
    )
    assert fields == b"\x0f"
    assert (name, version) == ("Coopnode Membership", "1")
    assert chain_id == chain.chain_id
    assert verifying == coop.addresses.membership


# -- member index -----------------------------------------------------------------------------


def index_of(coop: Cooperative, account: str) -> int:
    return int(coop.membership.functions.memberIndexOf(account).call())


def index_count(coop: Cooperative) -> int:
    return int(coop.membership.functions.memberIndexCount().call())


def voter_index(coop: Cooperative, account: str, block: int) -> int:
    return int(coop.membership.functions.voterIndexAt(account, block).call())


def indexed_state(coop: Cooperative, *accounts: str) -> tuple[object, ...]:
    """`chain_state` plus the member indices and the index counter."""
    return (
        chain_state(coop, *accounts),
        tuple(index_of(coop, a) for a in accounts),
        index_count(coop),
    )


def test_index_assigned_at_first_application_in_order(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    first, second, never = new_account(), new_account(), new_account()
    fund(chain, coop, roles.deployer, first.address, 100_000 * TOKEN)
    count = index_count(coop)
    assert index_of(coop, never.address) == 0
    coop.apply(first, MemberKind.INDIVIDUAL, h("id 1"), h("app 1"))
    coop.apply(second, MemberKind.INDIVIDUAL, h("id 2"), h("app 2"))
    assert index_of(coop, first.address) == count + 1
    assert index_of(coop, second.address) == count + 2
    assert index_count(coop) == count + 2
    # Admission keeps it; an applicant (not active) votes with nothing.
    coop.attest_identity(roles.verifier, first.address, h("check 1"))
    coop.approve_treasury(first)
    coop.pay_fees(first, first.address)
    block = coop.chain.w3.eth.block_number
    assert voter_index(coop, first.address, block) == 0
    coop.admit(roles.executor, first.address, h("admission 1"))
    assert index_of(coop, first.address) == count + 1
    admitted = coop.chain.w3.eth.block_number
    assert voter_index(coop, first.address, admitted) == count + 1
    assert voter_index(coop, first.address, admitted - 1) == 0
    assert voter_index(coop, never.address, admitted) == 0
    # The public record is unchanged in shape: the index is not part of `memberOf`.
    assert len(coop.membership.functions.memberOf(first.address).call()) == 8


def test_index_kept_through_exit_and_reapplication(
    chain: Chain, coop: Cooperative, roles: Roles, member: LocalAccount
) -> None:
    index = index_of(coop, member.address)
    assert index != 0
    coop.request_exit(member, h("exit application"))
    coop.exit(roles.executor, member.address, h("exit decision"))
    assert coop.status(member.address) is MemberStatus.EXITED
    assert index_of(coop, member.address) == index
    count = index_count(coop)
    coop.apply(member, MemberKind.INDIVIDUAL, h("id again"), h("app again"))
    assert index_of(coop, member.address) == index
    assert index_count(coop) == count


def test_index_moves_with_key_recovery(
    chain: Chain, coop: Cooperative, roles: Roles, member: LocalAccount, new_account: NewAccount
) -> None:
    new_key = new_account()
    index = index_of(coop, member.address)
    block_before = chain.w3.eth.block_number
    mine(chain)
    coop.recover(roles.executor, member.address, new_key.address, h("recovery"))
    recovered_at = chain.w3.eth.block_number
    mine(chain)
    assert index_of(coop, new_key.address) == index
    assert index_of(coop, member.address) == 0
    # At a record block before the recovery the membership votes with its new key, and the old
    # (lost or stolen) key has no vote at all: the new address inherits the membership's past.
    assert voter_index(coop, member.address, block_before) == 0
    assert voter_index(coop, new_key.address, block_before) == index
    assert voter_index(coop, member.address, recovered_at) == 0
    assert voter_index(coop, new_key.address, recovered_at) == index


def test_recovered_address_can_neither_apply_nor_receive_a_membership(
    chain: Chain,
    coop: Cooperative,
    roles: Roles,
    member: LocalAccount,
    new_account: NewAccount,
) -> None:
    new_key, other = new_account(), new_account()
    fund(chain, coop, roles.deployer, other.address, 100_000 * TOKEN)
    join(coop, roles, other)
    coop.recover(roles.executor, member.address, new_key.address, h("recovery"))
    before = indexed_state(coop, member.address, new_key.address, other.address)
    expect_revert(
        lambda: coop.apply(member, MemberKind.INDIVIDUAL, h("id x"), h("app x")),
        "MembershipAddressRecovered",
        member.address,
    )
    deadline = int(time.time()) + 3600
    kind, idh, app = MemberKind.INDIVIDUAL, h("id y"), h("app y")
    sig, nonce, _ = coop.sign_application(member, kind, idh, app, deadline=deadline)
    expect_revert(
        lambda: coop.apply_with_sig(
            roles.deployer, member.address, kind, idh, app, nonce, deadline, sig
        ),
        "MembershipAddressRecovered",
        member.address,
    )
    # Not even the membership it lost: an address's index never changes once assigned.
    expect_revert(
        lambda: coop.recover(roles.executor, new_key.address, member.address, h("back")),
        "MembershipAccountInUse",
        member.address,
    )
    expect_revert(
        lambda: coop.recover(roles.executor, other.address, member.address, h("other")),
        "MembershipAccountInUse",
        member.address,
    )
    assert indexed_state(coop, member.address, new_key.address, other.address) == before


def test_index_refusals_change_nothing(
    coop: Cooperative, new_account: NewAccount, applicant: LocalAccount
) -> None:
    fresh = new_account()
    before = indexed_state(coop, fresh.address, applicant.address)
    expect_revert(
        lambda: coop.apply(fresh, MemberKind.INDIVIDUAL, ZERO32, h("app")), "MembershipZeroHash"
    )
    expect_revert(
        lambda: coop.apply(applicant, MemberKind.INDIVIDUAL, h("id2"), h("app2")),
        "MembershipDuplicateApplication",
    )
    assert indexed_state(coop, fresh.address, applicant.address) == before


def test_long_history_answers_every_past_block_and_moves_with_recovery(
    chain: Chain, coop: Cooperative, roles: Roles, member: LocalAccount, new_account: NewAccount
) -> None:
    """The active history packs entries several to a slot (two in the first, three in each
    further one): a member blocked and unblocked many times spans several slots, and every past
    block still gets its answer, before and after a key recovery copies the history."""
    m = coop.membership.functions
    index = index_of(coop, member.address)
    # (block, active after it, count after it)
    changes = [(chain.w3.eth.block_number, True, int(m.activeMemberCount().call()))]
    mine(chain)
    for i in range(6):
        coop.block(roles.executor, member.address, h(f"block {i}"))
        changes.append((chain.w3.eth.block_number, False, changes[0][2] - 1))
        mine(chain)
        coop.unblock(roles.executor, member.address, h(f"unblock {i}"))
        changes.append((chain.w3.eth.block_number, True, changes[0][2]))
        mine(chain)
    new_key = new_account()
    coop.recover(roles.executor, member.address, new_key.address, h("recovery"))
    recovered_at = chain.w3.eth.block_number
    mine(chain)
    for number, active, count in changes:
        for account in (member.address, new_key.address):
            assert m.wasActiveMemberAt(account, number).call() is active, (account, number)
            assert m.wasActiveMemberAt(account, number + 1).call() is active, (account, number)
        assert voter_index(coop, new_key.address, number) == (index if active else 0)
        assert m.activeMemberCountAt(number).call() == count
    for (_, before, count_before), (number, _, _) in pairwise(changes):
        # The block before a change has the previous state.
        assert m.wasActiveMemberAt(new_key.address, number - 1).call() is before
        assert m.activeMemberCountAt(number - 1).call() == count_before
    assert m.wasActiveMemberAt(member.address, recovered_at).call() is False
    assert m.wasActiveMemberAt(new_key.address, recovered_at).call() is True
    assert voter_index(coop, member.address, changes[-1][0]) == 0  # a former address holds none
