"""Factory, registry and charter: one transaction per cooperative, two cooperatives that cannot
touch each other, charter rules changed only by the decision executor."""

from __future__ import annotations

import time
from collections.abc import Callable

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.client import (
    ROLE_CASHIER,
    ROLE_VERIFIER,
    Cooperative,
    CooperativeKind,
    MemberKind,
    MemberStatus,
)
from node.cooperative.deploy import NetworkAddresses, create_cooperative
from tests.contracts.conftest import (
    MINIMUM,
    SPLIT_BPS,
    TOKEN,
    ZERO32,
    ZERO_ADDRESS,
    Roles,
    expect_revert,
    fund,
    h,
    join,
    standard_params,
)

NewAccount = Callable[[], LocalAccount]


def test_factory_creates_and_registers_a_whole_set(
    chain: Chain, coop: Cooperative, network: NetworkAddresses, roles: Roles, token_address: str
) -> None:
    c = coop.charter.functions
    assert c.name().call() == "Потребительский кооператив «Ромашка»"
    assert c.symbol().call() == "ROMA"
    assert c.kind().call() == int(CooperativeKind.CONSUMER)
    assert c.paymentToken().call() == token_address
    assert c.initialCouncil().call() == [a.address for a in roles.council]
    assert c.chair().call() == roles.chair.address
    assert c.decisionExecutor().call() == roles.executor.address
    assert c.fees(int(MemberKind.INDIVIDUAL)).call() == (100 * TOKEN, MINIMUM)
    assert c.fundSplit().call() == SPLIT_BPS
    assert c.isCashier(roles.cashier.address).call()
    assert c.isVerifier(roles.verifier.address).call() and c.isVerifier(roles.chair.address).call()
    assert not c.isVerifier(roles.cashier.address).call()
    assert c.isOfficer(roles.executor.address).call()
    assert c.membership().call() == coop.addresses.membership
    assert c.settlementUnits().call() == coop.addresses.settlement_units
    for contract in (coop.membership, coop.shares, coop.treasury, coop.documents):
        assert contract.functions.charter().call() == coop.addresses.charter
    assert coop.treasury.functions.paymentToken().call() == token_address
    units = coop.settlement_units.functions
    assert units.charter().call() == coop.addresses.charter
    assert units.membership().call() == coop.addresses.membership

    registry = chain.contract("NetworkRegistry", network.registry)
    r = registry.functions
    assert r.factory().call() == network.factory
    assert r.isCooperative(coop.addresses.charter).call()
    assert r.charterOf(coop.addresses.id).call() == coop.addresses.charter
    assert r.idOf(coop.addresses.charter).call() == coop.addresses.id
    # Only the factory registers.
    expect_revert(
        lambda: chain.transact(
            r.register((coop.addresses.charter,) * 6, 0, "fake", ZERO32, roles.chair.address),
            roles.deployer,
        ),
        "NetworkRegistryNotFactory",
        roles.deployer.address,
    )


def test_factory_refusals(
    chain: Chain, network: NetworkAddresses, roles: Roles, token_address: str
) -> None:
    registry = chain.contract("NetworkRegistry", network.registry)
    count = registry.functions.cooperativeCount().call()
    base = standard_params(roles, token_address)

    def create(**changes: object) -> object:
        from dataclasses import replace

        return create_cooperative(chain, roles.deployer, network.factory, replace(base, **changes))

    expect_revert(lambda: create(name=""), "CooperativeFactoryInvalidName")
    expect_revert(lambda: create(name="я" * 128), "CooperativeFactoryInvalidName")
    expect_revert(lambda: create(symbol="S" * 33), "CooperativeFactoryInvalidName")
    expect_revert(lambda: create(council=[]), "CooperativeFactoryInvalidCouncil", 0)
    # The law's least council is three people (Закон 3085-1 art. 21): two, or one named thrice,
    # is refused.
    c = [a.address for a in roles.council]
    expect_revert(lambda: create(council=c[:2]), "CooperativeFactoryInvalidCouncil", 2)
    expect_revert(
        lambda: create(council=[c[0], c[1], c[0]]),
        "CooperativeFactoryDuplicateCouncilMember",
        c[0],
    )
    expect_revert(
        lambda: create(council=[ZERO_ADDRESS, c[1], c[2]]), "CooperativeFactoryZeroAddress"
    )
    expect_revert(lambda: create(payment_token=ZERO_ADDRESS), "CooperativeFactoryZeroAddress")
    expect_revert(lambda: create(chair=ZERO_ADDRESS), "CharterZeroAddress")
    expect_revert(lambda: create(decision_executor=ZERO_ADDRESS), "CharterZeroAddress")
    expect_revert(lambda: create(charter_document=ZERO32), "CharterZeroHash")
    expect_revert(
        lambda: create(fund_split_bps=[0, 5_000, 2_500, 2_499]), "CharterInvalidFundSplit", 9_999
    )
    expect_revert(lambda: create(cashiers=[ZERO_ADDRESS]), "CharterZeroAddress")
    expect_revert(lambda: create(default_credit_limit=2**96), "SettlementUnitsLimitTooLarge")
    assert registry.functions.cooperativeCount().call() == count
    expect_revert(
        lambda: chain.deploy("CooperativeFactory", (ZERO_ADDRESS,) * 6, sender=roles.deployer),
        "CooperativeFactoryZeroAddress",
    )


def test_implementations_and_clones_cannot_be_reinitialised(
    chain: Chain, coop: Cooperative, network: NetworkAddresses, roles: Roles
) -> None:
    config = (
        roles.chair.address,
        roles.chair.address,
        h("c"),
        (0, 0),
        (0, 0),
        [0, 10_000, 0, 0],
        [],
        [],
    )
    impl = chain.contract("Charter", network.implementations["Charter"])
    expect_revert(
        lambda: chain.transact(impl.functions.initialize(config), roles.deployer),
        "InvalidInitialization",
    )
    expect_revert(
        lambda: chain.transact(coop.charter.functions.initialize(config), roles.deployer),
        "InvalidInitialization",
    )
    impl_m = chain.contract("Membership", network.implementations["Membership"])
    expect_revert(
        lambda: chain.transact(impl_m.functions.initialize([]), roles.deployer),
        "InvalidInitialization",
    )


def test_two_cooperatives_cannot_touch_each_other(
    chain: Chain,
    coop: Cooperative,
    network: NetworkAddresses,
    roles: Roles,
    token_address: str,
    accounts: list[LocalAccount],
    new_account: NewAccount,
) -> None:
    # A second cooperative with its own officers (accounts 5..9).
    other_roles = Roles(
        deployer=accounts[9],
        chair=accounts[5],
        executor=accounts[6],
        cashier=accounts[7],
        verifier=accounts[8],
        council=(accounts[5], accounts[6], accounts[7]),
    )
    other, _ = create_cooperative(
        chain,
        accounts[9],
        network.factory,
        standard_params(other_roles, token_address, name="Лесная артель", symbol="LES"),
    )
    assert other.addresses.id == coop.addresses.id + 1
    contracts = [
        v for a in (coop.addresses, other.addresses) for k, v in a.to_dict().items() if k != "id"
    ]
    assert len(set(contracts)) == 12

    member = new_account()
    fund(chain, coop, roles.deployer, member.address, 10_000 * TOKEN)
    join(coop, roles, member)
    # The first cooperative's executor, chair and cashier have no power in the second.
    applicant = new_account()
    other.apply(applicant, MemberKind.INDIVIDUAL, h("id"), h("app"))
    expect_revert(
        lambda: other.attest_identity(roles.chair, applicant.address, h("c")),
        "MembershipNotVerifier",
    )
    expect_revert(
        lambda: other.attest_payment(roles.cashier, applicant.address, h("bank")),
        "MembershipNotCashier",
    )
    expect_revert(
        lambda: other.admit(roles.executor, applicant.address, h("d")),
        "MembershipNotDecisionExecutor",
    )
    expect_revert(
        lambda: chain.transact(
            other.charter.functions.setDecisionExecutor(roles.executor.address), roles.executor
        ),
        "CharterNotDecisionExecutor",
    )
    # ...and the second's executor cannot move the first's members or money.
    expect_revert(
        lambda: coop.exit(other_roles.executor, member.address, h("d")),
        "MembershipNotDecisionExecutor",
    )
    decision = h("foreign decision")
    other.anchor(other_roles.executor, decision, 2)
    other.sign_document(other_roles.chair, decision)
    expect_revert(
        lambda: coop.payout(other_roles.executor, 0, other_roles.executor.address, 1, decision),
        "TreasuryNotDecisionExecutor",
    )
    # One cooperative's contracts cannot call the other's internal entry points.
    expect_revert(
        lambda: chain.transact(
            coop.shares.functions.creditEntry(member.address, 1, 1, False), other_roles.executor
        ),
        "SharesNotMembership",
    )
    # A signed application for one cooperative does not verify on the other's contract.
    signer = new_account()
    sig, nonce, deadline = coop.sign_application(
        signer, MemberKind.INDIVIDUAL, h("id"), h("app"), deadline=int(time.time()) + 600
    )
    expect_revert(
        lambda: other.apply_with_sig(
            roles.deployer,
            signer.address,
            MemberKind.INDIVIDUAL,
            h("id"),
            h("app"),
            nonce,
            deadline,
            sig,
        ),
        "MembershipInvalidSignature",
    )
    coop.apply_with_sig(
        roles.deployer,
        signer.address,
        MemberKind.INDIVIDUAL,
        h("id"),
        h("app"),
        nonce,
        deadline,
        sig,
    )
    # The same goes for document signatures.
    doc = h("shared text")
    coop.anchor(roles.chair, doc, 5)
    other.anchor(other_roles.chair, doc, 5)
    doc_sig = coop.document_signature(signer, doc)
    expect_revert(
        lambda: other.sign_document_with_sig(roles.deployer, doc, signer.address, doc_sig),
        "DocumentRegistryInvalidSignature",
    )
    coop.sign_document_with_sig(roles.deployer, doc, signer.address, doc_sig)
    assert other.status(member.address) is MemberStatus.NONE
    assert coop.status(signer.address) is MemberStatus.APPLICANT


def test_charter_changes_by_decision_only(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    c = coop.charter.functions
    ex, chair = roles.executor, roles.chair
    trustee = new_account()

    def snapshot() -> tuple[object, ...]:
        return (
            c.decisionExecutor().call(),
            c.chair().call(),
            c.rolesOf(trustee.address).call(),
            c.fees(0).call(),
            c.fundSplit().call(),
            c.charterDocument().call(),
        )

    before = snapshot()
    for fn in (
        c.setDecisionExecutor(chair.address),
        c.setChair(trustee.address),
        c.setRoles(trustee.address, ROLE_VERIFIER),
        c.setFees(0, (1, 2)),
        c.setFundSplit([10_000, 0, 0, 0]),
        c.setCharterDocument(h("v2")),
    ):
        expect_revert(lambda fn=fn: chain.transact(fn, chair), "CharterNotDecisionExecutor")
    expect_revert(
        lambda: chain.transact(c.setDecisionExecutor(ZERO_ADDRESS), ex), "CharterZeroAddress"
    )
    expect_revert(lambda: chain.transact(c.setChair(ZERO_ADDRESS), ex), "CharterZeroAddress")
    expect_revert(lambda: chain.transact(c.setRoles(ZERO_ADDRESS, 1), ex), "CharterZeroAddress")
    expect_revert(
        lambda: chain.transact(c.setRoles(trustee.address, 4), ex), "CharterUnknownRoles", 4
    )
    expect_revert(
        lambda: chain.transact(c.setFundSplit([1, 0, 0, 0]), ex), "CharterInvalidFundSplit", 1
    )
    expect_revert(lambda: chain.transact(c.setCharterDocument(ZERO32), ex), "CharterZeroHash")
    assert snapshot() == before

    chain.transact(c.setRoles(trustee.address, ROLE_VERIFIER | ROLE_CASHIER), ex)
    assert c.isVerifier(trustee.address).call() and c.isCashier(trustee.address).call()
    chain.transact(c.setFees(0, (5, 6)), ex)
    assert c.fees(0).call() == (5, 6)
    chain.transact(c.setCharterDocument(h("charter v2")), ex)
    assert c.charterDocument().call() == h("charter v2")
    chain.transact(c.setChair(trustee.address), ex)
    assert c.chair().call() == trustee.address
    # Handing decisions to a new executor (later: the council contract) takes power from the old.
    council_contract = new_account()
    chain.transact(c.setDecisionExecutor(council_contract.address), ex)
    assert c.decisionExecutor().call() == council_contract.address
    expect_revert(lambda: chain.transact(c.setFees(0, (1, 1)), ex), "CharterNotDecisionExecutor")
