"""Proxies through the gateway, over real HTTP: the principal has the доверенность made, signs it
in the wallet and the gateway relays it; the holder lists it, signs the principal's ballot and
the meeting counts it; a revocation signed the same way; refusals come back with the contract's
reason and change nothing."""

from __future__ import annotations

from eth_account import Account

from node.governance.client import Convocation, Question
from node.governance.sandbox import h, now, warp
from tests.api.conftest import Api


def _convene(api: Api) -> int:
    sb = api.sandbox
    opens = now(api.chain) + sb.governance.meeting.notice_period() + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + 7 * 86_400,
        secretary=sb.secretary.address,
        questions=(Question(h("proxy api question")),),
    )
    return sb.governance.convene(sb.council[0], sb.council[:2], sb.chair, convocation, h("conv"))


def _give(api: Api, principal, holder: str, meeting_id: int, expires_at: int) -> dict:  # type: ignore[no-untyped-def]
    doc = api.ok(
        api.post(
            principal,
            "/documents/generate",
            json={
                "template": "proxy",
                "meeting_id": meeting_id,
                "fields": {"holder": holder, "expires_at": expires_at, "questions": ["Отчёт"]},
            },
        ),
        201,
    )
    draft = {
        "meeting_id": meeting_id,
        "holder": holder,
        "expires_at": expires_at,
        "document_hash": "0x" + doc["sha256"],
    }
    payload = api.ok(api.post(principal, "/proxies/typed-data", json=draft))
    assert payload["submit_to"] == "/proxies"
    nonce = payload["typed_data"]["message"]["nonce"]
    signature = api.sign_typed(principal, payload["typed_data"])
    return api.post(principal, "/proxies", json={**draft, "nonce": nonce, "signature": signature})


def test_proxy_issued_used_and_revoked_through_the_gateway(api: Api) -> None:
    sb = api.sandbox
    principal, holder, other = sb.members[0], sb.members[1], sb.members[2]
    meeting_id = _convene(api)
    api.synced()
    expires = now(api.chain) + 30 * 86_400

    relay = api.ok(_give(api, principal, holder.address, meeting_id, expires), 202)
    assert api.wait(principal, relay["id"])["status"] == "indexed"
    received = api.ok(api.get(holder, "/proxies"))["received"]
    mine = next(p for p in received if p["meeting_id"] == meeting_id)
    assert (mine["principal"], mine["status"]) == (principal.address, "active")
    given = api.ok(api.get(principal, "/proxies"))["given"]
    assert any(p["meeting_id"] == meeting_id and p["holder"] == holder.address for p in given)

    # Refusals come back before anything is sent: a proxy to oneself (the document is not even
    # made), to a non-member (the contract's reason), a stale nonce.
    self_doc = api.post(
        other,
        "/documents/generate",
        json={
            "template": "proxy",
            "meeting_id": meeting_id,
            "fields": {"holder": other.address, "expires_at": expires},
        },
    )
    assert self_doc.status_code == 422
    outsider = Account.create().address
    refused = _give(api, other, outsider, meeting_id, expires)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "MeetingProxiesNotVoter"
    stale = api.post(
        other,
        "/proxies",
        json={
            "meeting_id": meeting_id,
            "holder": holder.address,
            "expires_at": expires,
            "document_hash": "0x" + "00" * 32,
            "nonce": 0,
            "signature": "0x" + "11" * 65,
        },
    )
    assert stale.status_code == 422  # no such proxy document made by this node

    # The other member gives a proxy and revokes it with a signed revocation.
    relay = api.ok(_give(api, other, holder.address, meeting_id, expires), 202)
    assert api.wait(other, relay["id"])["status"] == "indexed"
    rev = api.ok(api.post(other, f"/proxies/{meeting_id}/revocation/typed-data"))
    body = {
        "nonce": rev["typed_data"]["message"]["nonce"],
        "signature": api.sign_typed(other, rev["typed_data"]),
    }
    relay = api.ok(api.post(other, f"/proxies/{meeting_id}/revocation", json=body), 202)
    assert api.wait(other, relay["id"])["status"] == "indexed"
    statuses = {
        p["principal"]: p["status"]
        for p in api.ok(api.get(holder, "/proxies"))["received"]
        if p["meeting_id"] == meeting_id
    }
    assert statuses == {principal.address: "active", other.address: "revoked"}

    # Voting opens: the holder votes for the principal; the revoked proxy is refused.
    warp(api.chain, sb.governance.meeting.meeting(meeting_id).opens_at + 1)
    api.synced()
    ballot = {"principal": principal.address, "choices": [1]}
    payload = api.ok(api.post(holder, f"/proxies/{meeting_id}/ballots/typed-data", json=ballot))
    signed = {**ballot, "signature": api.sign_typed(holder, payload["typed_data"])}
    relay = api.ok(api.post(holder, f"/proxies/{meeting_id}/ballots", json=signed), 202)
    assert api.wait(holder, relay["id"])["status"] == "indexed"
    bad = {"principal": other.address, "choices": [1]}
    payload = api.ok(api.post(holder, f"/proxies/{meeting_id}/ballots/typed-data", json=bad))
    refused = api.post(
        holder,
        f"/proxies/{meeting_id}/ballots",
        json={**bad, "signature": api.sign_typed(holder, payload["typed_data"])},
    )
    assert refused.status_code == 422 and refused.json()["error"] == "MeetingProxiesNoProxy"

    meeting = next(
        m for m in api.ok(api.get(holder, "/meetings"))["data"] if m["meeting_id"] == meeting_id
    )
    assert meeting["participants"] == 1
    assert [b["voter"] for b in meeting["ballots"]] == [principal.address]
    used = {p["principal"]: p["status"] for p in meeting["proxies"]}
    assert used == {principal.address: "used", other.address: "revoked"}
    # The document the proxy carries is the one the node made and serves.
    proxy_doc = next(p for p in meeting["proxies"] if p["principal"] == principal.address)
    info = api.ok(api.get(holder, f"/documents/{proxy_doc['document_hash'][2:]}/info"))
    assert info["file"]["template"] == "proxy"
