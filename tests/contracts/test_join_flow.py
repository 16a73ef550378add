"""The join flow end to end: apply (own wallet, by signature, by a contract wallet), identity
attested, fees paid by ERC-20 or by a cashier's attestation, admission, shares in `balanceOf`."""

from __future__ import annotations

from collections.abc import Callable

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.client import Cooperative, Fund, MemberKind, MemberStatus, events
from tests.contracts.conftest import (
    ENTRANCE,
    MINIMUM,
    ORG_ENTRANCE,
    ORG_MINIMUM,
    Roles,
    fund,
    h,
)


def test_join_by_signature_and_token_payment(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: Callable[[], LocalAccount]
) -> None:
    applicant = new_account()
    relayer = roles.deployer
    fund(chain, coop, roles.deployer, applicant.address, 10_000 * 10**18)
    signature, nonce, deadline = coop.sign_application(
        applicant, MemberKind.INDIVIDUAL, h("id"), h("application")
    )
    sent = coop.apply_with_sig(
        relayer,
        applicant.address,
        MemberKind.INDIVIDUAL,
        h("id"),
        h("application"),
        nonce,
        deadline,
        signature,
    )
    (event,) = events(coop.membership, "ApplicationSubmitted", sent.receipt)
    assert event["args"]["account"] == applicant.address
    assert event["args"]["submitter"] == relayer.address
    record = coop.member(applicant.address)
    assert record.status is MemberStatus.APPLICANT
    assert record.nonce == 1
    dossier = coop.membership.functions.dossierOf(applicant.address).call()
    assert dossier[0] == h("id") and dossier[1] == h("application")

    coop.attest_identity(roles.chair, applicant.address, h("check"))
    assert coop.member(applicant.address).identity_verified

    coop.approve_treasury(applicant)
    before = coop.token.functions.balanceOf(applicant.address).call()
    coop.pay_fees(applicant, applicant.address)
    assert coop.token.functions.balanceOf(applicant.address).call() == before - ENTRANCE - MINIMUM
    funds = coop.fund_balances()
    assert funds[Fund.SHARE] == MINIMUM
    assert funds[Fund.RESERVE] == ENTRANCE // 2
    assert funds[Fund.MUTUAL_AID] == ENTRANCE // 4
    assert funds[Fund.DEVELOPMENT] == ENTRANCE // 4

    assert not coop.is_active_member(applicant.address)
    sent = coop.admit(roles.executor, applicant.address, h("decision"))
    assert coop.status(applicant.address) is MemberStatus.MEMBER
    assert coop.is_active_member(applicant.address)
    assert coop.active_member_count() == 1
    # The wallet view: an ERC-20 balance of the refundable share capital.
    assert coop.shares.functions.balanceOf(applicant.address).call() == MINIMUM
    assert coop.shares.functions.totalSupply().call() == MINIMUM
    assert coop.shares.functions.decimals().call() == 18
    assert coop.shares.functions.name().call() == "Потребительский кооператив «Ромашка»"
    assert coop.shares.functions.symbol().call() == "ROMA"
    holding = coop.holding(applicant.address)
    assert holding.entrance_fee == ENTRANCE and holding.minimum_share == MINIMUM


def test_organisation_pays_by_cashier_attestation(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: Callable[[], LocalAccount]
) -> None:
    org = new_account()
    coop.apply(org, MemberKind.ORGANISATION, h("org id"), h("org application"))
    coop.attest_identity(roles.verifier, org.address, h("org check"))
    sent = coop.attest_payment(roles.cashier, org.address, h("bank order 17"))
    (event,) = events(coop.membership, "PaymentAttested", sent.receipt)
    assert event["args"]["entranceFee"] == ORG_ENTRANCE
    assert event["args"]["minimumShare"] == ORG_MINIMUM
    # Bank money is off chain: the funds do not move.
    assert all(v == 0 for v in coop.fund_balances().values())
    coop.admit(roles.executor, org.address, h("org decision"))
    assert coop.share_balance(org.address) == ORG_MINIMUM
    holding = coop.holding(org.address)
    assert holding.paid_off_chain == ORG_MINIMUM
    assert event["args"]["paymentDocument"] == h("bank order 17")
    assert event["args"]["cashier"] == roles.cashier.address
