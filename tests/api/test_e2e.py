"""A new member's whole path through the gateway, over real HTTP, against anvil and the indexer.

A key made with eth-account and no ETH signs in, stores their identity record, downloads and
signs the application, applies gasless; the chair attests the identity check and the cashier
the payment; council members propose, vote, sign and execute the admission through the API;
the council convenes a meeting where the new member votes by signed ballot; then the new member
and another member invoice each other, accept each other's invoices gasless, and a clearing
run by a council member settles the smaller one.
"""

from __future__ import annotations

import time
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from node.governance.client import Convocation, Question
from node.governance.sandbox import fund, now, warp
from tests.api.conftest import Api
from tests.documents.pdfcheck import pdf_text

TOKEN = 10**18


def _decide(api: Api, document_hash: str, actions: list[dict[str, Any]]) -> int:
    """Propose, vote (2 of 3), sign, execute: a council decision made through the API."""
    sb = api.sandbox
    proposer, second, chair = sb.council[1], sb.council[2], sb.chair
    done = api.act(
        proposer, "/council/items/tx", {"document_hash": document_hash, "actions": actions}
    )
    assert done["status"] == "indexed", done
    items = api.ok(api.get(proposer, "/council/items"))["data"]
    item = next(i for i in items if i["document_hash"] == document_hash)
    item_id = item["item_id"]
    for voter in (proposer, second):
        assert (
            api.act(voter, f"/council/items/{item_id}/votes/tx", {"support": 1})["status"]
            == "indexed"
        )
    assert (
        api.act(chair, f"/council/items/{item_id}/protocol/tx", {"protocol_hash": document_hash})[
            "status"
        ]
        == "indexed"
    )
    executed = api.act(chair, f"/council/items/{item_id}/execution/tx")
    assert executed["status"] == "indexed", executed
    return int(item_id)


def _generate(api: Api, account: LocalAccount, template: str, fields: dict[str, Any]) -> str:
    doc = api.ok(
        api.post(account, "/documents/generate", json={"template": template, "fields": fields}),
        201,
    )
    return "0x" + doc["sha256"]


def test_new_member_end_to_end(api: Api) -> None:
    sb, w3 = api.sandbox, api.chain.w3
    new = Account.create()
    assert w3.eth.get_balance(new.address) == 0

    # Sign in and store the identity record (encrypted; only its hash will go on chain).
    identity = {
        "name": "Иванова Мария Петровна",
        "birth_date": "1990-04-12",
        "document_number": "4510 123456",
        "address": "Москва, ул. Садовая, 1",
    }
    stored = api.ok(
        api.http.put(f"/members/{new.address}/identity", json=identity, headers=api.headers(new))
    )
    draft = api.ok(api.post(new, "/applications/draft", json={"kind": "individual"}))
    assert draft["identity_hash"] == stored["identity_hash"]

    # Download the application, check it, sign the EIP-712 payload, apply without ETH.
    doc = api.get(new, f"/documents/{draft['document_sha256']}")
    assert doc.status_code == 200
    assert doc.headers["content-type"] == "application/pdf"
    assert "Иванова Мария Петровна" in pdf_text(doc.content)
    assert (
        "0x" + __import__("hashlib").sha256(doc.content).hexdigest() == (draft["application_hash"])
    )
    message = draft["typed_data"]["message"]
    signature = api.sign_typed(new, draft["typed_data"])
    relay = api.ok(
        api.post(
            new,
            "/applications",
            json={
                "applicant": new.address,
                "kind": "individual",
                "identity_hash": message["identityHash"],
                "application_hash": message["applicationHash"],
                "nonce": message["nonce"],
                "deadline": message["deadline"],
                "signature": signature,
            },
        ),
        202,
    )
    assert relay["status"] in ("pending", "mined", "indexed")
    assert api.wait(new, relay["id"])["status"] == "indexed"
    assert w3.eth.get_balance(new.address) == 0
    assert api.ok(api.get(new, f"/members/{new.address}"))["status_name"] == "applicant"
    assert "applicant" in api.ok(api.get(new, "/auth/me"))["roles"]

    # The chair attests the identity check, the cashier the bank payment.
    api.act(
        sb.chair, f"/members/{new.address}/identity-check/tx", {"record_hash": "0x" + "11" * 32}
    )
    api.act(sb.deployer, f"/members/{new.address}/payment/tx", {"record_hash": "0x" + "22" * 32})

    # The council admits by votes made through the API.
    decision = _generate(
        api, sb.council[1], "council_decision", {"agenda": "Приём", "decision": "Принять"}
    )
    _decide(api, decision, [{"type": "admit", "account": new.address}])
    member = api.ok(api.get(new, f"/members/{new.address}"))
    assert member["status_name"] == "member"
    history = api.ok(api.get(new, f"/members/{new.address}/history"))
    assert history["data"][0]["status_name"] == "applicant"
    assert history["data"][-1]["status_name"] == "member"
    assert "member" in api.ok(api.get(new, "/auth/me"))["roles"]

    # A general meeting: convened by a council decision, the new member votes by signed ballot.
    opens = now(api.chain) + 3600 + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + 7 * 86_400,
        secretary=sb.secretary.address,
        questions=(Question(document_hash=bytes.fromhex("33" * 32)),),
    )
    action = sb.governance.meeting.convene_action(convocation)
    notice = _generate(api, sb.council[1], "meeting_notice", {"questions": ["Отчёт совета"]})
    _decide(
        api, notice, [{"type": "call", "target": action.target, "data": "0x" + action.data.hex()}]
    )
    warp(api.chain, opens + 1)
    api.synced()
    meetings = api.ok(api.get(new, "/meetings"))["data"]
    meeting_id = meetings[-1]["meeting_id"]
    payload = api.ok(
        api.post(new, f"/meetings/{meeting_id}/ballots/typed-data", json={"choices": [1]})
    )
    ballot = api.ok(
        api.post(
            new,
            f"/meetings/{meeting_id}/ballots",
            json={
                "voter": new.address,
                "choices": [1],
                "signature": api.sign_typed(new, payload["typed_data"]),
            },
        ),
        202,
    )
    assert api.wait(new, ballot["id"])["status"] == "indexed"
    assert sb.governance.meeting.contract.functions.hasVoted(meeting_id, new.address).call()
    assert w3.eth.get_balance(new.address) == 0
    meeting = next(
        m for m in api.ok(api.get(new, "/meetings"))["data"] if m["meeting_id"] == meeting_id
    )
    assert any(b["voter"] == new.address for b in meeting["ballots"])

    # Invoices both ways, accepted gasless, cleared by a council member's clearing run.
    other = sb.members[0]
    fund(api.chain, [new.address])  # issuing an invoice is the member's own transaction
    api.act(new, "/units/invoices/tx", {"debtor": other.address, "amount": str(100 * TOKEN)})
    api.act(other, "/units/invoices/tx", {"debtor": new.address, "amount": str(60 * TOKEN)})
    invoices = api.ok(api.get(new, "/units/obligations", params={"status": "issued"}))["data"]
    by_debtor = {o["debtor"]: o["obligation_id"] for o in invoices}
    for debtor in (other, new):
        oid = by_debtor[debtor.address]
        typed = api.ok(api.post(debtor, f"/units/invoices/{oid}/acceptance/typed-data", json={}))[
            "typed_data"
        ]
        accepted = api.ok(
            api.post(
                debtor,
                f"/units/invoices/{oid}/acceptance",
                json={
                    "deadline": typed["message"]["deadline"],
                    "signature": api.sign_typed(debtor, typed),
                },
            ),
            202,
        )
        assert api.wait(debtor, accepted["id"])["status"] == "indexed"
    dash = api.ok(api.get(new, f"/members/{new.address}/dashboard"))
    assert len(dash["owes"]) == 1 and len(dash["owed"]) == 1
    run = api.ok(api.post(sb.council[1], "/units/clearings"), 202)
    assert run["report"]["cleared_on_chain"] == str(120 * TOKEN)  # 60 off each of the two
    for r in run["relays"]:
        assert api.wait(sb.council[1], r["id"])["status"] == "indexed"
    after = api.ok(api.get(new, "/units/obligations", params={"debtor": new.address}))["data"]
    assert after[0]["status_name"] == "settled" and after[0]["outstanding"] == "0"
    remaining = api.ok(api.get(new, "/units/obligations", params={"creditor": new.address}))
    assert remaining["data"][0]["outstanding"] == str(40 * TOKEN)
    clearings = api.ok(api.get(new, "/units/clearings"))
    assert clearings["count"] >= 1
    dashboard = api.ok(api.get(sb.chair, "/cooperative/dashboard"))
    assert dashboard["active_members"] >= 5
    assert dashboard["as_of"]["number"] >= after[0]["last_event"]["block_number"]


def test_document_upload_anchor_verify(api: Api) -> None:
    sb = api.sandbox
    member = sb.members[1]
    content = f"Акт приёма-передачи {time.time()}".encode()
    stored = api.ok(
        api.http.post(
            "/documents",
            content=content,
            headers={**api.headers(member), "Content-Type": "text/plain"},
        ),
        201,
    )
    digest = stored["sha256"]
    unknown = api.ok(api.http.post("/documents/verify", content=content))
    assert unknown["anchored"] is False
    api.act(member, f"/documents/{digest}/anchor/tx", {"document_type": "contract"})
    # A second member signs gasless.
    signer = sb.members[2]
    typed = api.ok(api.post(signer, f"/documents/{digest}/signatures/typed-data"))["typed_data"]
    relay = api.ok(
        api.post(
            signer,
            f"/documents/{digest}/signatures",
            json={"signer": signer.address, "signature": api.sign_typed(signer, typed)},
        ),
        202,
    )
    assert api.wait(signer, relay["id"])["status"] == "indexed"
    verified = api.ok(api.http.post("/documents/verify", content=content))
    assert verified["anchored"] is True
    assert verified["chain"]["anchored_by"] == member.address
    assert verified["chain"]["signers"] == [signer.address]
    assert verified["anchor"]["event"]["block_number"] > 0
    got = api.get(member, f"/documents/{digest}")
    assert got.content == content
    assert got.headers["x-document-anchored-by"] == member.address
    assert got.headers["x-document-signers"] == signer.address
    assert int(got.headers["x-document-anchored-block"]) > 0
