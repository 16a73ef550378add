"""What the gateway refuses: forged or replayed sign-ins, expired sessions, other members'
personal data, an auditor's writes, someone else's signatures and transactions; and the limits."""

from __future__ import annotations

import time

from eth_account import Account
from eth_account.messages import encode_defunct
from fastapi.testclient import TestClient

from node.api.limits import Budget, MemoryRateStore
from tests.api.conftest import Api

PROBLEM = "application/problem+json"
IDENTITY = {
    "name": "Петров Пётр",
    "birth_date": "1980-01-01",
    "document_number": "1234 567890",
    "address": "Тверь",
}


def _problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_signature_by_another_address(api: Api) -> None:
    victim, attacker = Account.create(), Account.create()
    message = api.siwe_message(victim)
    forged = attacker.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
    body = _problem(
        api.http.post("/auth/verify", json={"message": message, "signature": forged}), 401
    )
    assert "not made by this address" in body["detail"]


def test_replayed_nonce(api: Api) -> None:
    account = Account.create()
    message = api.siwe_message(account)
    signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
    first = api.http.post("/auth/verify", json={"message": message, "signature": signature})
    assert first.status_code == 200
    body = _problem(
        api.http.post("/auth/verify", json={"message": message, "signature": signature}), 401
    )
    assert "nonce" in body["detail"]


def test_message_for_another_domain_or_chain(api: Api) -> None:
    account = Account.create()
    for old, new in (("coop.test", "evil.test"), ("Chain ID: ", "Chain ID: 1")):
        message = api.siwe_message(account).replace(old, new, 1)
        signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
        _problem(
            api.http.post("/auth/verify", json={"message": message, "signature": signature}), 401
        )


def test_erc1271_contract_wallet_signs_in(api: Api) -> None:
    owner = api.sandbox.members[3]
    wallet, _ = api.chain.deploy("TestContractWallet", owner.address, sender=api.sandbox.deployer)
    r = api.http.post("/auth/nonce", json={"address": wallet.address})
    message = r.json()["message"]
    signature = owner.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
    session = api.ok(
        api.http.post("/auth/verify", json={"message": message, "signature": signature})
    )
    assert session["address"] == wallet.address


def test_expired_and_tampered_session(api: Api) -> None:
    account = Account.create()
    token, _ = api.gateway.sessions.issue(account.address, now=time.time() - 7200)
    body = _problem(api.http.get("/auth/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert "expired" in body["detail"]
    fresh, _ = api.gateway.sessions.issue(account.address)
    head, payload, mac = fresh.split(".")
    tampered = f"{head}.{payload[:-2]}AA.{mac}"
    _problem(api.http.get("/auth/me", headers={"Authorization": f"Bearer {tampered}"}), 401)
    _problem(api.http.get("/members"), 401)


def test_member_cannot_read_another_members_personal_data(api: Api) -> None:
    sb = api.sandbox
    owner, other = sb.members[1], sb.members[2]
    api.ok(
        api.http.put(
            f"/members/{owner.address}/identity", json=IDENTITY, headers=api.headers(owner)
        )
    )
    _problem(api.get(other, f"/members/{owner.address}/identity"), 403)
    _problem(
        api.http.put(
            f"/members/{owner.address}/identity", json=IDENTITY, headers=api.headers(other)
        ),
        403,
    )
    _problem(api.get(api.auditor, f"/members/{owner.address}/identity"), 403)
    # The member and the council can.
    assert api.ok(api.get(owner, f"/members/{owner.address}/identity"))["identity"]["name"]
    assert api.ok(api.get(sb.council[1], f"/members/{owner.address}/identity"))["identity"]


def test_identity_is_encrypted_at_rest_and_erasable(api: Api) -> None:
    from sqlmodel import Session

    from node.identity.models import IdentityRecord

    account = Account.create()
    stored = api.ok(
        api.http.put(
            f"/members/{account.address}/identity", json=IDENTITY, headers=api.headers(account)
        )
    )
    with Session(api.gateway.engine) as s:
        row = s.get(IdentityRecord, account.address)
        assert row is not None and row.ciphertext is not None
        assert "Петров".encode() not in row.ciphertext
    draft = api.ok(api.post(account, "/applications/draft", json={}))
    path = api.settings.documents_dir / f"{draft['document_sha256']}.sealed"
    assert path.exists() and "Петров".encode() not in path.read_bytes()
    gone = api.http.delete(f"/members/{account.address}/identity", headers=api.headers(account))
    assert gone.status_code == 204
    _problem(api.get(account, f"/members/{account.address}/identity"), 410)
    _problem(api.get(account, f"/documents/{draft['document_sha256']}"), 410)
    assert not path.exists()
    # The hash itself is kept: what is on chain still refers to a (now unreadable) record.
    with Session(api.gateway.engine) as s:
        row = s.get(IdentityRecord, account.address)
        assert row is not None and row.identity_hash == stored["identity_hash"]


def test_auditor_reads_but_cannot_write(api: Api) -> None:
    auditor = api.auditor
    assert api.get(auditor, "/members").status_code == 200
    assert api.get(auditor, "/cooperative/dashboard").status_code == 200
    for path, body in (
        ("/council/items/tx", {"document_hash": "0x" + "01" * 32}),
        ("/units/invoices/tx", {"debtor": auditor.address, "amount": "1"}),
        ("/relay/transactions", {"raw_transaction": "0x00"}),
        ("/documents/generate", {"template": "meeting_notice"}),
        ("/applications/draft", {}),
    ):
        body_ = _problem(api.post(auditor, path, json=body), 403)
        assert "auditor" in body_["detail"]
    _problem(
        api.http.put(
            f"/members/{auditor.address}/identity", json=IDENTITY, headers=api.headers(auditor)
        ),
        403,
    )


def test_ballot_signed_by_another_address(api: Api) -> None:
    sb = api.sandbox
    voter, forger = sb.members[2], Account.create()
    meetings = api.ok(api.get(voter, "/meetings"))["data"]
    meeting_id = meetings[-1]["meeting_id"] if meetings else 1
    typed = api.ok(
        api.post(
            voter,
            f"/meetings/{meeting_id}/ballots/typed-data",
            json={"choices": [1], "voter": voter.address},
        )
    )["typed_data"]
    body = _problem(
        api.post(
            voter,
            f"/meetings/{meeting_id}/ballots",
            json={
                "voter": voter.address,
                "choices": [1],
                "signature": api.sign_typed(forger, typed),
            },
        ),
        422,
    )
    assert body["error"] in ("GeneralMeetingInvalidSignature", "GeneralMeetingNotOpen")


def test_relay_refuses_someone_elses_transaction(api: Api) -> None:
    sb = api.sandbox
    member, other = sb.members[0], sb.members[1]
    to_sign = api.ok(
        api.post(other, "/units/invoices/tx", json={"debtor": member.address, "amount": "5"})
    )
    tx = {k: v for k, v in to_sign["transaction"].items() if v is not None and k != "from"}
    raw = other.sign_transaction(tx).raw_transaction.to_0x_hex()
    body = _problem(api.post(member, "/relay/transactions", json={"raw_transaction": raw}), 403)
    assert "another address" in body["detail"]
    # A call the contract would refuse is answered at once with its custom error.
    refused = api.post(member, "/council/items/tx", json={"document_hash": "0x" + "05" * 32})
    assert _problem(refused, 422)["error"].startswith("Council")


def test_problem_shapes_and_limits(api: Api) -> None:
    _problem(api.http.get("/no/such/path"), 404)
    _problem(api.get(api.sandbox.chair, "/members/0x1234"), 422)
    big = b"x" * (api.settings.max_body_bytes + 1)
    _problem(api.http.post("/documents/verify", content=big), 413)


def test_rate_limit_on_sign_in(api: Api) -> None:
    from node.api.main import create_app

    settings = api.settings.model_copy(
        update={"rate_limit_auth": 6.0, "rate_limit_auth_burst": 5.0}
    )
    app = create_app(
        settings,
        api.chain,
        {"cooperatives": {"test": {"charter": api.gateway.coop.addresses.charter}}},
    )
    with TestClient(app) as client:
        codes = [client.post("/auth/nonce", json={}).status_code for _ in range(8)]
    assert codes[:5] == [200] * 5 and codes[-1] == 429
    bucket = Budget("test", 60, 1, MemoryRateStore())
    assert bucket.take("a") == 0 and bucket.take("a") > 0 and bucket.take("b") == 0
