"""The routes the portal added to the gateway: `/audit`, `/audit/documents/{sha256}`,
`/units/transfers/tx`, `/history/...` and `/fund/token`, over real HTTP (their happy paths
run in the browser in test_portal)."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.api.conftest import Api

TOKEN = 10**18


def test_audit_is_for_auditors_council_and_chair(api: Api) -> None:
    member = api.sandbox.members[0]
    r = api.post(member, "/audit")
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert api.http.post("/audit").status_code == 401


def test_document_by_hash_needs_no_sign_in_and_checks_the_hash(api: Api) -> None:
    unknown = hashlib.sha256(b"nobody anchored this").hexdigest()
    body = api.ok(api.http.get(f"/audit/documents/{unknown}"))
    assert body["anchored"] is False and body["sha256"] == unknown
    for bad in ("0x" + unknown, unknown.upper(), unknown[:-1]):
        assert api.http.get(f"/audit/documents/{bad}").status_code == 422


def test_transfer_tx_is_validated_and_simulated(api: Api) -> None:
    sb = api.sandbox
    sender, to = sb.members[0], sb.members[1]
    zero = api.ok(
        api.post(sender, "/units/transfers/tx", json={"to": to.address, "amount": "0"}), 422
    )
    assert "больше нуля" in zero["detail"]
    self_ = api.post(sender, "/units/transfers/tx", json={"to": sender.address, "amount": "1"})
    assert self_.status_code == 422
    bad = api.post(sender, "/units/transfers/tx", json={"to": "0x12", "amount": "1"})
    assert bad.status_code == 422
    # Beyond balance and credit limit: the contract's refusal, before any gas is spent.
    over = api.post(
        sender, "/units/transfers/tx", json={"to": to.address, "amount": str(10**9 * TOKEN)}
    )
    assert over.status_code == 422, over.text
    assert over.json().get("error"), over.json()
    # An auditor writes nothing.
    assert (
        api.post(api.auditor, "/units/transfers/tx", json={"to": to.address, "amount": "1"})
    ).status_code == 403


def _accept(api: Api, debtor: Any, oid: int) -> None:
    typed = api.ok(api.post(debtor, f"/units/invoices/{oid}/acceptance/typed-data", json={}))
    relay = api.ok(
        api.post(
            debtor,
            f"/units/invoices/{oid}/acceptance",
            json={
                "deadline": typed["typed_data"]["message"]["deadline"],
                "signature": api.sign_typed(debtor, typed["typed_data"]),
            },
        ),
        202,
    )
    assert api.wait(debtor, relay["id"])["status"] == "indexed"


def _invoice(api: Api, creditor: Any, debtor: Any, amount: int) -> int:
    api.act(creditor, "/units/invoices/tx", {"debtor": debtor.address, "amount": str(amount)})
    issued = api.ok(
        api.get(
            debtor,
            "/units/obligations",
            params={"debtor": debtor.address, "creditor": creditor.address, "status": "issued"},
        )
    )["data"]
    oid = int(max(o["obligation_id"] for o in issued))
    _accept(api, debtor, oid)
    return oid


def test_history_of_clearings_per_member(api: Api) -> None:
    """What one clearing cleared on a member's invoices, from the `ObligationCleared` events of
    the clearing's transaction, and who may read it."""
    sb = api.sandbox
    a, b = sb.members[2], sb.members[3]
    ab = _invoice(api, a, b, 7 * TOKEN)  # b owes a 7
    ba = _invoice(api, b, a, 3 * TOKEN)  # a owes b 3
    run = api.ok(api.post(sb.council[1], "/units/clearings"), 202)
    for r in run["relays"]:
        assert api.wait(sb.council[1], r["id"])["status"] == "indexed"
    body = api.ok(api.get(a, f"/history/members/{a.address}/clearings"))
    assert body["count"] == len(body["data"]) == len(api.ok(api.get(a, "/units/clearings"))["data"])
    last = next(
        c for c in reversed(body["data"]) if any(x["obligation_id"] == ab for x in c["lines"])
    )
    lines = {x["obligation_id"]: x for x in last["lines"]}
    assert lines[ab]["amount"] == str(3 * TOKEN) and lines[ab]["outstanding"] == str(4 * TOKEN)
    assert lines[ba]["amount"] == str(3 * TOKEN) and lines[ba]["outstanding"] == "0"
    assert (lines[ab]["creditor"], lines[ab]["debtor"]) == (a.address, b.address)
    # A set-off keeps each net position: cleared as debtor equals cleared as creditor.
    assert last["cleared_as_debtor"] == last["cleared_as_creditor"]
    assert int(last["cleared_as_debtor"]) >= 3 * TOKEN
    assert int(last["total_cleared"]) >= 6 * TOKEN
    assert last["event"]["tx_hash"]
    # Every line is the member's own.
    for c in body["data"]:
        for x in c["lines"]:
            assert a.address in (x["debtor"], x["creditor"])
    # The member themself, the council and auditors; not another member; not anonymous.
    assert api.get(api.auditor, f"/history/members/{a.address}/clearings").status_code == 200
    assert api.get(sb.council[1], f"/history/members/{a.address}/clearings").status_code == 200
    other = api.get(sb.members[0], f"/history/members/{a.address}/clearings")
    assert other.status_code == 403 and "application/problem+json" in other.headers["content-type"]
    assert api.http.get(f"/history/members/{a.address}/clearings").status_code == 401
    assert api.get(a, "/history/members/0x12/clearings").status_code == 422


def test_history_of_members_and_shares(api: Api) -> None:
    member = api.sandbox.members[0]
    body = api.ok(api.get(member, "/history/membership"))
    points = body["data"]
    assert points and body["count"] == len(points)
    blocks = [p["block_number"] for p in points]
    assert blocks == sorted(set(blocks))  # one point per block, in chain order
    assert all(isinstance(p["total_shares"], str) and p["timestamp"] for p in points)
    # The last point is the cooperative now (the dashboard, at the same mirror block).
    dash = api.ok(api.get(member, "/cooperative/dashboard"))
    if dash["as_of"]["number"] == body["as_of"]["number"]:
        assert points[-1]["members"] == dash["active_members"]
        assert points[-1]["total_shares"] == dash["total_shares"]
    assert points[0]["members"] <= points[-1]["members"]
    assert api.http.get("/history/membership").status_code == 401


def test_fund_payment_token(api: Api) -> None:
    member = api.sandbox.members[0]
    body = api.ok(api.get(member, "/fund/token"))
    fund = api.gateway.fund()
    assert fund is not None
    assert body["address"] == fund.token.address
    assert body["decimals"] == fund.token.functions.decimals().call() == 18
    assert body["symbol"] == fund.token.functions.symbol().call()
    assert api.http.get("/fund/token").status_code == 401
