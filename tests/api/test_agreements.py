"""Signatures and identity through a real gateway (its own anvil, cooperative, indexer and
uvicorn: agreements put in force here would bind the session's other tests).

In the order of a cooperative's life: the council publishes the document seal's certificate by
a decision, and the node seals a PDF; a qualified GOST signature is attached to an anchored
document; the council publishes the membership agreements, a member's front-run anchor does not
block them, and from then on the gateway relays nothing of a member or applicant who has not
accepted the version in force; an organisation applies; the chair reads its record and the
read is logged for the applicant to see.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from node.documents.agreements import render_agreement
from node.documents.pdf import read_source
from node.documents.seal import verify_sealed
from tests.api.conftest import Api, running_gateway
from tests.documents.conftest import blank_pdf

ORGANISATION = {
    "kind": "organisation",
    "name": "Общество с ограниченной ответственностью «Ромашка»",
    "inn": "7707083893",
    "kpp": "773601001",
    "ogrn": "1027700132195",
    "address": "117312, г. Москва, ул. Вавилова, д. 19",
    "representative": {"name": "Сидоров Семён Семёнович", "position": "директор"},
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_gateway(tmp_path_factory.mktemp("agreements"), with_modules=False) as running:
        yield running


def _decide(api: Api, document_hash: str, propose_path: str) -> None:
    """A council decision through the API: propose (the route builds the item), two votes, the
    chair's protocol, execution."""
    sb = api.sandbox
    proposer, second, chair = sb.council[1], sb.council[2], sb.chair
    assert api.act(proposer, propose_path)["status"] == "indexed"
    items = api.ok(api.get(proposer, "/council/items"))["data"]
    item_id = next(i for i in items if i["document_hash"] == document_hash)["item_id"]
    for voter in (proposer, second):
        api.act(voter, f"/council/items/{item_id}/votes/tx", {"support": 1})
    api.act(chair, f"/council/items/{item_id}/protocol/tx", {"protocol_hash": document_hash})
    assert api.act(chair, f"/council/items/{item_id}/execution/tx")["status"] == "indexed"


def _upload(api: Api, account: LocalAccount, content: bytes, media: str, **params: Any) -> str:
    headers = {**api.headers(account), "Content-Type": media}
    r = api.http.post("/documents", content=content, headers=headers, params=params)
    sha: str = api.ok(r, 201)["sha256"]
    return sha


def _anchor(api: Api, account: LocalAccount, sha: str, kind: str = "other") -> dict[str, Any]:
    return api.act(account, f"/documents/{sha}/anchor/tx", {"document_type": kind})


def _accept(api: Api, account: LocalAccount, sha: str) -> dict[str, Any]:
    typed = api.ok(api.post(account, f"/documents/{sha}/signatures/typed-data"))
    body = {"signer": account.address, "signature": api.sign_typed(account, typed["typed_data"])}
    relay = api.ok(api.post(account, f"/documents/{sha}/signatures", json=body), 202)
    return api.wait(account, relay["id"])


def _relay_refused(api: Api, account: LocalAccount, path: str) -> dict[str, Any]:
    """Build a transaction (allowed) and send it to the relay: refused until accepted."""
    to_sign = api.ok(api.post(account, path, json={"document_type": "other"}))
    tx = {k: v for k, v in to_sign["transaction"].items() if v is not None and k != "from"}
    raw = account.sign_transaction(tx).raw_transaction.to_0x_hex()
    r = api.post(account, "/relay/transactions", json={"raw_transaction": raw})
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = r.json()
    return problem


def test_seal_certificate_published_by_council_and_pdf_sealed(api: Api) -> None:
    sb = api.sandbox
    member = sb.members[0]
    cert = api.ok(api.get(member, "/documents/seal-certificate"))
    assert not cert["published"]
    assert cert["sha256"] == api.gateway.seal_key().cert_sha256
    # Only a council member may propose; the proposal is the council decision publishing it.
    refused = api.post(member, "/documents/seal-certificate/council-item/tx")
    assert refused.status_code == 422, refused.text  # CouncilNotMember, from the simulation
    _decide(api, "0x" + cert["sha256"], "/documents/seal-certificate/council-item/tx")
    published = api.ok(api.get(member, "/documents/seal-certificate"))
    assert published["published"] and published["published_by"] == sb.governance.council.address
    # The published certificate file is the one the node seals with.
    der = api.get(member, f"/documents/{cert['sha256']}").content
    assert hashlib.sha256(der).hexdigest() == cert["sha256"]

    # A stored, anchored PDF, sealed: the stored bytes are its prefix, the seal validates.
    pdf = blank_pdf("Council decision No. 1")
    sha = _upload(api, member, pdf, "application/pdf", filename="decision.pdf")
    _anchor(api, member, sha)
    r = api.get(member, f"/documents/{sha}/sealed")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    sealed = r.content
    assert sealed.startswith(pdf) and sealed != pdf
    assert api.get(member, f"/documents/{sha}/sealed").content == sealed  # sealed once
    local = verify_sealed(sealed, certificate_pem=cert["pem"].encode(), expected_sha256=sha)
    assert local.valid and local.anchored_sha256 == sha
    check = api.ok(api.http.post("/documents/verify-seal", content=sealed))  # no sign-in
    assert check["valid"] and check["anchored"] and check["anchored_sha256"] == sha
    tampered = sealed.replace(b"Council decision No. 1", b"Council decision No. 2")
    bad = api.ok(api.http.post("/documents/verify-seal", content=tampered))
    assert not bad["valid"] and not bad["intact"]
    # Only PDFs are sealed.
    text = _upload(api, member, "Просто текст".encode(), "text/plain")
    assert api.get(member, f"/documents/{text}/sealed").status_code == 409


def _openssl(work: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=work, check=True, capture_output=True)


def test_qualified_signature_attached_and_verified(api: Api, tmp_path: Path) -> None:
    member = api.sandbox.members[1]
    content = "Договор поставки № 12 между пайщиками\n".encode()
    sha = _upload(api, member, content, "text/plain", filename="contract.txt")
    # GOST R 34.10-2012 key, certificate and detached CMS made with OpenSSL's GOST engine.
    _openssl(tmp_path, "genpkey", "-engine", "gost", "-algorithm", "gost2012_256",
             "-pkeyopt", "paramset:A", "-out", "k.pem")  # fmt: skip
    _openssl(tmp_path, "req", "-engine", "gost", "-new", "-x509", "-md_gost12_256", "-key",
             "k.pem", "-subj", "/C=RU/CN=Петров Пётр", "-utf8", "-days", "10",
             "-out", "c.pem")  # fmt: skip
    (tmp_path / "doc").write_bytes(content)
    (tmp_path / "other").write_bytes(content + b"!")
    for name in ("doc", "other"):
        _openssl(tmp_path, "cms", "-engine", "gost", "-sign", "-binary", "-in", name,
                 "-signer", "c.pem", "-inkey", "k.pem", "-md", "md_gost12_256",
                 "-outform", "DER", "-out", f"{name}.sig")  # fmt: skip
    signature = (tmp_path / "doc.sig").read_bytes()
    headers = {**api.headers(member), "Content-Type": "application/pkcs7-signature"}
    path = f"/documents/{sha}/qualified-signatures"

    # Only an anchored document takes a qualified signature.
    assert api.http.post(path, content=signature, headers=headers).status_code == 409
    _anchor(api, member, sha)
    good = api.ok(api.http.post(path, content=signature, headers=headers), 201)
    assert good["valid"] and good["algorithm"] == "GOST R 34.10-2012 (256)"
    assert "Петров Пётр" in good["signer_subject"] and not good["chain_checked"]
    cert_der = subprocess.run(
        ["openssl", "x509", "-in", "c.pem", "-outform", "DER"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    ).stdout
    assert good["cert_sha256"] == hashlib.sha256(cert_der).hexdigest()
    # A signature of another file (the document as tampered) is recorded as invalid.
    other = (tmp_path / "other.sig").read_bytes()
    bad = api.ok(api.http.post(path, content=other, headers=headers), 201)
    assert not bad["valid"] and bad["error"]
    listed = api.ok(api.get(member, path))
    assert [s["valid"] for s in listed] == [True, False]
    # The signature file itself is kept, content-addressed.
    stored = api.get(member, f"/documents/{good['signature_sha256']}")
    assert stored.content == signature


def test_agreements_must_be_accepted_before_acting(api: Api) -> None:
    sb = api.sandbox
    member, chair, attacker = sb.members[2], sb.chair, sb.members[3]
    status = api.ok(api.get(member, "/agreements"))
    assert status == {"current": [], "all_accepted": True}  # nothing published: nothing asked

    # Only the chair or a council member publishes a version.
    body = {"kind": "pep", "effective_date": "2026-12-01"}
    refused = api.post(member, "/agreements/versions", json=body)
    assert refused.status_code == 403
    draft = api.ok(api.post(chair, "/agreements/versions", json=body), 201)
    pep1 = draft["agreement"]["sha256"]
    assert draft["agreement"]["version"] == 1 and not draft["agreement"]["in_force"]
    text = pdf_text(api.get(member, f"/documents/{pep1}").content)
    assert "Соглашение о порядке использования простой электронной подписи" in text
    assert "63-ФЗ" in text
    # Rendered deterministically: anyone recomputes the hash from the cooperative's data.
    coop = api.gateway.coop
    ctx = {
        "cooperative_name": coop.charter.functions.name().call(),
        "charter": coop.addresses.charter,
        "registry": coop.addresses.documents,
        "chain_id": api.gateway.chain_id,
        "version": 1,
        "effective_date": "2026-12-01",
    }
    pep1_pdf = render_agreement("pep", ctx, api.gateway.templates)
    assert hashlib.sha256(pep1_pdf).hexdigest() == pep1
    assert read_source(pep1_pdf)["facts"]["version"] == 1  # PDF/A-3b with its facts embedded
    assert api.ok(api.get(member, "/agreements"))["current"] == []  # published, not in force

    # A member anchors the hash first, as an ordinary document: it does not put the text in
    # force, and the officer's official anchor takes the hash over.
    _anchor(api, attacker, pep1, "other")
    assert api.ok(api.get(member, "/agreements"))["current"] == []
    assert _anchor(api, chair, pep1, "council_decision")["status"] == "indexed"
    current = api.ok(api.get(member, "/agreements"))
    assert [(a["kind"], a["version"], a["accepted"]) for a in current["current"]] == [
        ("pep", 1, False)
    ]
    assert not current["all_accepted"]

    # Until the member accepts, the gateway relays nothing of theirs, with a clear problem.
    probe = "0x" + "77" * 32
    problem = _relay_refused(api, member, f"/documents/{probe[2:]}/anchor/tx")
    assert problem["error"] == "AgreementNotAccepted"
    assert "Сначала примите" in problem["detail"] and "First accept" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["agreements", "pep"]
    assert pep1 in problem["errors"][0]["type"]

    # Accepting is the one act relayed meanwhile; then the member acts again.
    accepted = _accept(api, member, pep1)
    assert accepted["status"] == "indexed" and accepted["kind"] == "agreement"
    assert api.ok(api.get(member, "/agreements"))["all_accepted"]
    assert _anchor(api, member, probe[2:])["status"] == "indexed"

    # An auditor sees who accepted which version (the registry's signatures, mirrored).
    info = api.ok(api.get(api.auditor, f"/documents/{pep1}/info"))
    assert member.address in info["chain"]["signers"]
    assert member.address in [s["signer"] for s in info["anchor"]["signatures"]]
    assert info["chain"]["document_type"] == "council_decision"

    # A new version (and the consent) in force: the member must accept before acting again.
    # The chair, bound like everyone, accepts version 1 before anchoring version 2.
    draft2 = api.ok(
        api.post(
            chair, "/agreements/versions", json={"kind": "pep", "effective_date": "2027-01-01"}
        ),
        201,
    )
    pep2 = draft2["agreement"]["sha256"]
    assert draft2["agreement"]["version"] == 2
    problem = _relay_refused(api, chair, f"/documents/{pep2}/anchor/tx")
    assert problem["error"] == "AgreementNotAccepted"
    _accept(api, chair, pep1)
    api.wait(chair, api.sign_and_relay(chair, draft2["anchor"]))  # replaces version 1
    consent = api.ok(
        api.post(
            chair,
            "/agreements/versions",
            json={"kind": "personal_data", "effective_date": "2027-01-01"},
        ),
        201,
    )
    pd1 = consent["agreement"]["sha256"]
    assert "152-ФЗ" in pdf_text(api.get(member, f"/documents/{pd1}").content)
    _accept(api, chair, pep2)
    api.wait(chair, api.sign_and_relay(chair, consent["anchor"]))
    versions = api.ok(api.get(member, "/agreements/versions"))
    assert [(v["kind"], v["version"], v["in_force"]) for v in versions] == [
        ("pep", 1, True),
        ("pep", 2, True),
        ("personal_data", 1, True),
    ]
    problem = _relay_refused(api, member, f"/documents/{'78' * 32}/anchor/tx")
    assert sorted(e["loc"][1] for e in problem["errors"]) == ["pep", "personal_data"]
    assert pep2 in str(problem["errors"]) and pep1 not in str(problem["errors"])
    _accept(api, member, pep2)
    _accept(api, member, pd1)
    assert _anchor(api, member, "78" * 32)["status"] == "indexed"


def test_organisation_applies_after_accepting_and_disclosures_logged(api: Api) -> None:
    sb = api.sandbox
    org = Account.create()
    stored = api.ok(
        api.http.put(
            f"/members/{org.address}/identity", json=ORGANISATION, headers=api.headers(org)
        )
    )
    # Wrong check digits are refused with the field named; nothing is stored.
    bad = {**ORGANISATION, "ogrn": "1027700132196"}
    r = api.http.put(f"/members/{org.address}/identity", json=bad, headers=api.headers(org))
    assert r.status_code == 422 and "ОГРН" in r.text
    # An organisation's record does not apply as an individual.
    mismatch = api.post(org, "/applications/draft", json={"kind": "individual"})
    assert mismatch.status_code == 422 and "организация" in mismatch.text
    draft = api.ok(api.post(org, "/applications/draft", json={"kind": "organisation"}))
    assert draft["identity_hash"] == stored["identity_hash"]
    message = draft["typed_data"]["message"]
    application = {
        "applicant": org.address,
        "kind": "organisation",
        "identity_hash": message["identityHash"],
        "application_hash": message["applicationHash"],
        "nonce": message["nonce"],
        "deadline": message["deadline"],
        "signature": api.sign_typed(org, draft["typed_data"]),
    }
    # The application is refused until the applicant accepts both agreements in force.
    r = api.post(org, "/applications", json=application)
    assert r.status_code == 403 and r.json()["error"] == "AgreementNotAccepted"
    for agreement in api.ok(api.get(org, "/agreements"))["current"]:
        assert _accept(api, org, agreement["sha256"])["status"] == "indexed"
    relay = api.ok(api.post(org, "/applications", json=application), 202)
    assert api.wait(org, relay["id"])["status"] == "indexed"

    # The chair (who attests identities) reads the record; a plain member may not.
    read = api.ok(api.get(sb.chair, f"/members/{org.address}/identity"))
    assert read["identity"]["kind"] == "organisation" and read["identity"]["inn"] == "7707083893"
    assert api.get(sb.members[0], f"/members/{org.address}/identity").status_code == 403
    api.ok(api.get(org, f"/members/{org.address}/identity"))  # their own read: not logged
    log = api.ok(api.get(org, f"/members/{org.address}/identity/disclosures"))
    assert [(d["viewer"], d["what"]) for d in log] == [(sb.chair.address, "identity")]
    assert "chair" in log[0]["roles"]
    # Auditors see the log; other members do not.
    assert len(api.ok(api.get(api.auditor, f"/members/{org.address}/identity/disclosures"))) == 1
    assert api.get(sb.members[0], f"/members/{org.address}/identity/disclosures").status_code == 403

    # A power of attorney uploaded as personal: the council's read is logged too.
    poa = _upload(api, org, "Доверенность № 1".encode(), "text/plain", personal="true")
    assert api.get(sb.members[0], f"/documents/{poa}").status_code == 403
    assert api.get(sb.council[1], f"/documents/{poa}").status_code == 200
    log = api.ok(api.get(org, f"/members/{org.address}/identity/disclosures"))
    assert (sb.council[1].address, f"document:{poa}") in [(d["viewer"], d["what"]) for d in log]


def pdf_text(pdf: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages)
    return " ".join(text.split())  # lines wrap where the layout wraps them
