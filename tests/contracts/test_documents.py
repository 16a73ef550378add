"""DocumentRegistry: anchoring, versions, signatures by sender / EIP-712 / ERC-1271, refusals."""

from __future__ import annotations

from collections.abc import Callable

from eth_account.signers.local import LocalAccount
from web3.exceptions import ContractCustomError

from node.chain.client import Chain
from node.cooperative.client import Cooperative, DocumentType, events
from tests.contracts.conftest import ZERO32, Roles, expect_revert, h

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
    coop.anchor(roles.cashier, v3, DocumentType.CONTRACT, v2)
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
    signature = coop.document_signature(owner, doc)  # the owner key signs for the wallet
    coop.sign_document_with_sig(roles.deployer, doc, wallet.address, signature)
    assert coop.documents.functions.signedAt(doc, wallet.address).call() > 0
    # A key that is not the wallet's owner is refused.
    other = new_account()
    bad = coop.document_signature(other, h("x"))
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
