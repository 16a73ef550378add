"""DocumentRegistry: anchoring, versions, signatures by sender / EIP-712 / ERC-1271, refusals."""

from __future__ import annotations

from collections.abc import Callable

from eth_account.signers.local import LocalAccount
from web3.exceptions import ContractCustomError

from node.chain.client import Chain
from node.cooperative.client import Cooperative, DocumentType, events
from node.cooperative.deploy import NetworkAddresses, create_cooperative
from node.governance import deploy_governance
from tests.contracts.conftest import (
    TOKEN,
    ZERO32,
    Roles,
    expect_revert,
    fund,
    h,
    join,
    standard_params,
)

NewAccount = Callable[[], LocalAccount]


def _state(coop: Cooperative, *docs: bytes) -> tuple[object, ...]:
    d = coop.documents.functions
    return tuple(
        (
            d.documentOf(doc).call(),
            d.signaturesOf(doc).call(),
            d.previousVersion(doc).call(),
            d.nextVersion(doc).call(),
        )
        for doc in docs
    )


def test_anchor_versions_and_signatures(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    d = coop.documents.functions
    v1, v2, v3 = h("contract v1"), h("contract v2"), h("contract v3")
    coop.anchor(roles.chair, v1, DocumentType.CONTRACT)
    record = d.documentOf(v1).call()
    assert record[0] == roles.chair.address and record[2] == int(DocumentType.CONTRACT)
    coop.anchor(roles.chair, v2, DocumentType.CONTRACT, v1)
    coop.anchor(roles.executor, v3, DocumentType.CONTRACT, v2)  # an officer may version it
    assert d.currentVersion(v1).call() == v3
    assert d.previousVersion(v3).call() == v2
    assert d.nextVersion(v1).call() == v2

    coop.sign_document(roles.chair, v3)
    outsider = new_account()  # anyone may sign: the signature says who
    signature = coop.document_signature(outsider, v3)
    sent = coop.sign_document_with_sig(roles.deployer, v3, outsider.address, signature)
    (event,) = events(coop.documents, "DocumentSigned", sent.receipt)
    assert event["args"]["signer"] == outsider.address
    assert event["args"]["submitter"] == roles.deployer.address
    signatures = d.signaturesOf(v3).call()
    assert [s[0] for s in signatures] == [roles.chair.address, outsider.address]
    assert d.signedAt(v3, outsider.address).call() == signatures[1][1] > 0
    assert d.signatureAt(v3, 0).call()[0] == roles.chair.address
    assert d.documentOf(v3).call()[3] == 2


def test_anchor_refusals(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    outsider = new_account()
    doc, other = h("doc"), h("other")
    coop.anchor(roles.chair, doc, DocumentType.CONTRACT)
    coop.anchor(roles.chair, h("doc v2"), DocumentType.CONTRACT, doc)
    before = _state(coop, doc, other)
    expect_revert(
        lambda: coop.anchor(outsider, other, DocumentType.CONTRACT),
        "DocumentRegistryNotAuthorized",
        outsider.address,
    )
    expect_revert(
        lambda: coop.anchor(roles.chair, ZERO32, DocumentType.CONTRACT), "DocumentRegistryZeroHash"
    )
    expect_revert(
        lambda: coop.anchor(roles.chair, doc, DocumentType.CONTRACT),
        "DocumentRegistryAlreadyAnchored",
        doc,
    )
    expect_revert(
        lambda: coop.anchor(roles.chair, other, DocumentType.CONTRACT, h("nowhere")),
        "DocumentRegistryUnknownDocument",
        h("nowhere"),
    )
    expect_revert(
        lambda: coop.anchor(roles.chair, other, DocumentType.CONTRACT, doc),
        "DocumentRegistryAlreadyReplaced",
        doc,
        h("doc v2"),
    )
    expect_revert(
        lambda: coop.anchor(roles.chair, other, DocumentType.CHARTER, h("doc v2")),
        "DocumentRegistryTypeMismatch",
        int(DocumentType.CONTRACT),
        int(DocumentType.CHARTER),
    )
    assert _state(coop, doc, other) == before


def test_sign_refusals(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount, network: object
) -> None:
    d = coop.documents.functions
    doc = h("protocol")
    signer = new_account()
    expect_revert(lambda: coop.sign_document(signer, doc), "DocumentRegistryUnknownDocument", doc)
    coop.anchor(roles.chair, doc, DocumentType.MEETING_PROTOCOL)
    coop.sign_document(signer, doc)
    before = _state(coop, doc)
    expect_revert(
        lambda: coop.sign_document(signer, doc),
        "DocumentRegistryAlreadySigned",
        doc,
        signer.address,
    )
    # A signature for another document, or replayed for the same signer.
    wrong = coop.document_signature(signer, h("something else"))
    expect_revert(
        lambda: coop.sign_document_with_sig(roles.deployer, doc, signer.address, wrong),
        "DocumentRegistryInvalidSignature",
        doc,
        signer.address,
    )
    again = coop.document_signature(signer, doc)
    expect_revert(
        lambda: coop.sign_document_with_sig(roles.deployer, doc, signer.address, again),
        "DocumentRegistryAlreadySigned",
    )
    try:
        d.signatureAt(doc, 5).call()
        raise AssertionError("signatureAt past the end must revert")
    except ContractCustomError as exc:
        assert chain.decode_revert(exc).error == "DocumentRegistryNoSuchSignature"
    assert _state(coop, doc) == before


def test_erc1271_contract_wallet_signs(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    owner = new_account()
    wallet, _ = chain.deploy("TestContractWallet", owner.address, sender=roles.deployer)
    doc = h("contract with a company")
    coop.anchor(roles.chair, doc, DocumentType.CONTRACT)
    # The owner key signs for the wallet, naming it.
    signature = coop.document_signature(owner, doc, signer=wallet.address)
    coop.sign_document_with_sig(roles.deployer, doc, wallet.address, signature)
    assert coop.documents.functions.signedAt(doc, wallet.address).call() > 0
    # A key that is not the wallet's owner is refused.
    other = new_account()
    bad = coop.document_signature(other, h("x"), signer=wallet.address)
    coop.anchor(roles.chair, h("x"), DocumentType.CONTRACT)
    expect_revert(
        lambda: coop.sign_document_with_sig(roles.deployer, h("x"), wallet.address, bad),
        "DocumentRegistryInvalidSignature",
    )


def test_eip712_domain(coop: Cooperative, chain: Chain) -> None:
    fields, name, version, chain_id, verifying, _salt, _ext = (
        coop.documents.functions.eip712Domain().call()
    )
    assert (fields, name, version) == (b"\x0f", "Coopnode Documents", "1")
    assert chain_id == chain.chain_id and verifying == coop.addresses.documents


def _member(chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount) -> LocalAccount:
    account = new_account()
    fund(chain, coop, roles.deployer, account.address, 10_000 * TOKEN)
    join(coop, roles, account)
    return account


OFFICIAL = (DocumentType.COUNCIL_DECISION, DocumentType.MEETING_PROTOCOL, DocumentType.CHARTER)


def test_only_officers_anchor_official_documents(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    """Attack: a member (or a cashier, who holds an office but not this one) anchors a council
    decision, a meeting protocol or a charter of their own making."""
    member = _member(chain, coop, roles, new_account)
    d = coop.documents.functions
    for i, kind in enumerate(OFFICIAL):
        for intruder in (member, roles.cashier):
            forged = h(f"forged {i} by {intruder.address}")
            expect_revert(
                lambda who=intruder, doc=forged, kind=kind: coop.anchor(who, doc, kind),
                "DocumentRegistryNotOfficer",
                intruder.address,
                int(kind),
            )
            assert int(d.documentOf(forged).call()[0], 16) == 0
    assert not d.isOfficer(member.address).call() and not d.isOfficer(roles.cashier.address).call()
    # The chair and the decision executor do; a member still anchors their own contracts.
    coop.anchor(roles.chair, h("protocol"), DocumentType.MEETING_PROTOCOL)
    coop.anchor(roles.executor, h("decision"), DocumentType.COUNCIL_DECISION)
    coop.anchor(member, h("member's contract"), DocumentType.CONTRACT)
    assert d.documentOf(h("member's contract")).call()[0] == member.address


def test_only_the_author_or_an_officer_adds_a_version(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    """Attack: a member registers a new version of another member's contract."""
    author, intruder = (_member(chain, coop, roles, new_account) for _ in range(2))
    d = coop.documents.functions
    v1 = h("author's contract v1")
    coop.anchor(author, v1, DocumentType.CONTRACT)
    before = _state(coop, v1, h("intruder's v2"))
    expect_revert(
        lambda: coop.anchor(intruder, h("intruder's v2"), DocumentType.CONTRACT, v1),
        "DocumentRegistryNotVersionAuthor",
        v1,
        intruder.address,
    )
    assert _state(coop, v1, h("intruder's v2")) == before
    coop.anchor(author, h("author's v2"), DocumentType.CONTRACT, v1)
    coop.anchor(roles.chair, h("chair's v3"), DocumentType.CONTRACT, h("author's v2"))
    assert d.currentVersion(v1).call() == h("chair's v3")


def test_front_running_an_official_anchor_neither_blocks_nor_relabels_it(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    """Attack: a member sees the chair's pending anchor of H as a meeting protocol and anchors H
    first, as a contract of their own chained to another of theirs, and signs it."""
    squatter = _member(chain, coop, roles, new_account)
    d = coop.documents.functions
    protocol, own = h("protocol of the meeting"), h("squatter's contract")
    coop.anchor(squatter, own, DocumentType.CONTRACT)
    coop.anchor(squatter, protocol, DocumentType.CONTRACT, own)
    coop.sign_document(squatter, protocol)
    # Nor can the squatter take the official type itself.
    expect_revert(
        lambda: coop.anchor(squatter, h("another protocol"), DocumentType.MEETING_PROTOCOL),
        "DocumentRegistryNotOfficer",
    )

    sent = coop.anchor(roles.chair, protocol, DocumentType.MEETING_PROTOCOL)
    (reclaimed,) = events(coop.documents, "DocumentReclaimed", sent.receipt)
    assert reclaimed["args"]["firstAnchorer"] == squatter.address
    assert reclaimed["args"]["firstType"] == int(DocumentType.CONTRACT)
    record = d.documentOf(protocol).call()
    assert (record[0], record[2]) == (roles.chair.address, int(DocumentType.MEETING_PROTOCOL))
    assert record[3] == 1  # the signature of the hash stays
    assert d.previousVersion(protocol).call() == ZERO32
    assert d.nextVersion(own).call() == ZERO32
    # The official record is final: no one re-anchors it, officer or not.
    expect_revert(
        lambda: coop.anchor(roles.executor, protocol, DocumentType.COUNCIL_DECISION),
        "DocumentRegistryAlreadyAnchored",
        protocol,
    )
    expect_revert(
        lambda: coop.anchor(squatter, protocol, DocumentType.CONTRACT),
        "DocumentRegistryAlreadyAnchored",
        protocol,
    )
    # The chair's signature makes it a valid decision for a payout, as intended.
    coop.sign_document(roles.chair, protocol)
    assert d.signedAt(protocol, roles.chair.address).call() > 0


def test_council_members_and_the_general_meeting_are_officers(
    chain: Chain,
    network: NetworkAddresses,
    roles: Roles,
    token_address: str,
    new_account: NewAccount,
) -> None:
    """Once the Council is the decision executor, its sitting members and its general meeting
    anchor official documents; the former executor key and strangers do not."""
    coop, _ = create_cooperative(
        chain, roles.deployer, network.factory, standard_params(roles, token_address)
    )
    councillor, other, stranger = new_account(), new_account(), new_account()
    record = deploy_governance(
        chain,
        roles.executor,
        coop.addresses,
        [councillor.address, roles.chair.address, other.address],
    )
    d = coop.documents.functions
    assert d.isOfficer(councillor.address).call()
    assert d.isOfficer(record["council"]).call() and d.isOfficer(record["general_meeting"]).call()
    assert d.isOfficer(roles.chair.address).call()
    assert not d.isOfficer(roles.executor.address).call()  # handed over to the council
    assert not d.isOfficer(stranger.address).call()
    coop.anchor(councillor, h("council decision"), DocumentType.COUNCIL_DECISION)
    expect_revert(
        lambda: coop.anchor(roles.executor, h("old key's decision"), DocumentType.COUNCIL_DECISION),
        "DocumentRegistryNotOfficer",
    )


def test_a_signature_names_its_signer_and_is_not_replayed_for_another(
    chain: Chain, coop: Cooperative, roles: Roles, new_account: NewAccount
) -> None:
    """Attack: the owner key of an ERC-1271 wallet signs a document as itself; a relayer replays
    that signature as the wallet's (and as a second wallet of the same key), making the wallets
    sign what they never signed."""
    owner = new_account()
    wallet, _ = chain.deploy("TestContractWallet", owner.address, sender=roles.deployer)
    second, _ = chain.deploy("TestContractWallet", owner.address, sender=roles.deployer)
    d = coop.documents.functions
    doc = h("loan agreement")
    coop.anchor(roles.chair, doc, DocumentType.CONTRACT)
    as_owner = coop.document_signature(owner, doc)
    coop.sign_document_with_sig(roles.deployer, doc, owner.address, as_owner)
    for account in (wallet.address, second.address):
        expect_revert(
            lambda account=account: coop.sign_document_with_sig(
                roles.deployer, doc, account, as_owner
            ),
            "DocumentRegistryInvalidSignature",
            doc,
            account,
        )
        assert d.signedAt(doc, account).call() == 0
    # A signature made for the first wallet verifies for it alone.
    for_wallet = coop.document_signature(owner, doc, signer=wallet.address)
    expect_revert(
        lambda: coop.sign_document_with_sig(roles.deployer, doc, second.address, for_wallet),
        "DocumentRegistryInvalidSignature",
    )
    coop.sign_document_with_sig(roles.deployer, doc, wallet.address, for_wallet)
    assert [s[0] for s in d.signaturesOf(doc).call()] == [owner.address, wallet.address]
