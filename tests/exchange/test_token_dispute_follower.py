"""Payment in the payment token (verified on chain), the council's outcome of a dispute
reflected on the order, and the background follower (resumable), over HTTP and anvil."""

from __future__ import annotations

import time
from typing import Any

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from sqlmodel import Session

from node.api.exchange.follower import Follower, start_follower
from node.exchange import service
from node.units.client import ObligationStatus
from tests.api.conftest import Api
from tests.exchange.test_e2e import _invoiced, _offer, _order

E18 = 10**18


def _send(api: Api, account: LocalAccount, to_sign: dict[str, Any]) -> str:
    """What a wallet does with an unsigned transaction it broadcasts itself."""
    tx = {k: v for k, v in to_sign["transaction"].items() if v is not None and k != "from"}
    w3 = api.chain.w3
    tx_hash = w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    return HexBytes(tx_hash).to_0x_hex()


def _transfer(api: Api, account: LocalAccount, to: str, amount: int) -> str:
    token = api.gateway.coop.token
    fn = token.functions.transfer(to, amount)
    tx = fn.build_transaction(
        {
            "from": account.address,
            "nonce": api.chain.w3.eth.get_transaction_count(account.address, "pending"),
        }
    )
    signed = account.sign_transaction(tx)
    tx_hash = api.chain.w3.eth.send_raw_transaction(signed.raw_transaction)
    api.chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    return HexBytes(tx_hash).to_0x_hex()


def _record(api: Api, buyer: LocalAccount, order_id: int, tx_hash: str) -> Any:
    """Record the payment, waiting while the mirror has not reached the transfer's block."""
    deadline = time.monotonic() + 30
    while True:
        r = api.post(buyer, f"/orders/{order_id}/payment", json={"tx_hash": tx_hash})
        if r.status_code != 409 or "not confirmed" not in r.text or time.monotonic() > deadline:
            return r
        time.sleep(0.1)


def test_token_order_paid_by_verified_transfer(api: Api) -> None:
    sb = api.sandbox
    supplier, buyer, other = sb.members[2], sb.members[3], sb.members[0]
    token = api.gateway.coop.token
    api.chain.transact(token.functions.mint(buyer.address, 1_000 * E18), sb.deployer)

    plain = _offer(api, supplier, title="Дрова берёзовые")
    refused = api.post(
        buyer, "/orders", json={"offer_id": plain["id"], "quantity": 1, "currency": "token"}
    )
    assert refused.status_code == 422  # the offer has no token price

    offer = _offer(api, supplier, title="Сыр козий", token_price=7 * E18, quantity=4)
    assert offer["token_price"] == str(7 * E18)
    order = api.ok(
        api.post(
            buyer, "/orders", json={"offer_id": offer["id"], "quantity": 2, "currency": "token"}
        ),
        201,
    )
    assert order["currency"] == "token" and order["token_total"] == str(14 * E18)
    oid = order["id"]
    # Not before the supplier confirms.
    assert api.post(buyer, f"/orders/{oid}/payment/tx").status_code == 409
    confirmed = api.ok(api.post(supplier, f"/orders/{oid}/confirmation"))
    assert confirmed["invoice"] is None and confirmed["proposal"] is None
    assert api.post(supplier, f"/orders/{oid}/invoice/tx").status_code == 409

    # Transfers that are not the payment are refused, and nothing changes.
    short = _transfer(api, buyer, supplier.address, 13 * E18)
    elsewhere = _transfer(api, buyer, other.address, 14 * E18)
    for tx_hash in (short, elsewhere):
        r = _record(api, buyer, oid, tx_hash)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    unknown = "0x" + "ab" * 32
    assert api.post(buyer, f"/orders/{oid}/payment", json={"tx_hash": unknown}).status_code == 409
    assert api.post(supplier, f"/orders/{oid}/payment", json={"tx_hash": short}).status_code == 403
    assert api.ok(api.get(buyer, f"/orders/{oid}"))["status"] == "confirmed"

    # The gateway's transaction: the exact transfer of the payment token to the supplier.
    to_sign = api.ok(api.post(buyer, f"/orders/{oid}/payment/tx"))
    assert to_sign["transaction"]["to"] == token.address
    before = token.functions.balanceOf(supplier.address).call()
    paid_tx = _send(api, buyer, to_sign)
    assert token.functions.balanceOf(supplier.address).call() == before + 14 * E18
    paid = api.ok(_record(api, buyer, oid, paid_tx))
    assert paid["status"] == "invoiced" and paid["settlement"] == "token"
    assert paid["token_payment_tx"] == paid_tx.lower()
    # Once only, and one transaction pays one order.
    assert _record(api, buyer, oid, paid_tx).status_code == 409
    second = api.ok(
        api.post(
            buyer, "/orders", json={"offer_id": offer["id"], "quantity": 2, "currency": "token"}
        ),
        201,
    )
    api.ok(api.post(supplier, f"/orders/{second['id']}/confirmation"))
    reused = _record(api, buyer, second["id"], paid_tx)
    assert reused.status_code == 409 and "already paid" in reused.text


def _council_decides(api: Api, proposal: dict[str, Any], protocol_hash: str) -> None:
    sb = api.sandbox
    proposer, second, chair = sb.council[1], sb.council[2], sb.chair
    body = {"document_hash": proposal["document_hash"], "actions": proposal["actions"]}
    assert api.act(proposer, "/council/items/tx", body)["status"] == "indexed"
    items = api.ok(api.get(proposer, "/council/items"))["data"]
    item_id = next(i for i in items if i["document_hash"] == proposal["document_hash"])["item_id"]
    for voter in (proposer, second):
        assert api.act(voter, f"/council/items/{item_id}/votes/tx", {"support": 1})["status"] == (
            "indexed"
        )
    done = api.act(chair, f"/council/items/{item_id}/protocol/tx", {"protocol_hash": protocol_hash})
    assert done["status"] == "indexed"
    assert api.act(chair, f"/council/items/{item_id}/execution/tx")["status"] == "indexed"


def _disputed(api: Api, supplier: LocalAccount, buyer: LocalAccount, title: str) -> int:
    offer = _offer(api, supplier, title=title)
    order = _order(api, buyer, offer["id"], 1)
    _invoiced(api, supplier, order["id"])
    disputed = api.ok(
        api.post(buyer, f"/orders/{order['id']}/dispute", json={"reason": "Не привезли"})
    )
    assert disputed["order"]["status"] == "disputed"
    return int(order["id"])


def test_dispute_outcome_follows_the_councils_executed_decision(api: Api) -> None:
    sb = api.sandbox
    supplier, buyer, member = sb.members[0], sb.members[1], sb.members[2]
    for_buyer = _disputed(api, supplier, buyer, "Пчелиный воск")
    for_supplier = _disputed(api, supplier, buyer, "Прополис")

    # Only the council decides; the outcome must be one of two.
    path = f"/orders/{for_buyer}/dispute/resolution"
    assert api.post(member, path, json={"outcome": "buyer"}).status_code == 403
    assert api.post(sb.council[1], path, json={"outcome": "draw"}).status_code == 422

    resolution = api.ok(api.post(sb.council[1], path, json={"outcome": "buyer"}))
    order = api.ok(api.get(buyer, f"/orders/{for_buyer}"))
    assert resolution["proposal"]["document_hash"] == "0x" + order["dispute_sha256"]
    doc = api.get(buyer, f"/documents/{resolution['protocol_hash'][2:]}")
    assert doc.status_code == 200 and '"outcome":"buyer"' in doc.text
    # A decision not yet executed changes nothing.
    assert order["status"] == "disputed" and order["dispute_outcome"] is None
    _council_decides(api, resolution["proposal"], resolution["protocol_hash"])
    order = api.ok(api.get(buyer, f"/orders/{for_buyer}"))
    assert order["status"] == "cancelled" and order["dispute_outcome"] == "buyer"
    # The supplier, bound by the decision, cancels the invoice: the order stays cancelled.
    cancel = api.gateway.units.contract.functions.cancelObligation(order["obligation_id"])
    api.chain.transact(cancel, supplier)
    assert api.gateway.units.obligation(order["obligation_id"]).status is (
        ObligationStatus.CANCELLED
    )

    resolution = api.ok(
        api.post(
            sb.council[2],
            f"/orders/{for_supplier}/dispute/resolution",
            json={"outcome": "supplier"},
        )
    )
    _council_decides(api, resolution["proposal"], resolution["protocol_hash"])
    order = api.ok(api.get(supplier, f"/orders/{for_supplier}"))
    assert order["status"] == "delivered" and order["dispute_outcome"] == "supplier"
    assert api.ok(api.get(supplier, f"/orders/{for_buyer}"))["status"] == "cancelled"


def _status(api: Api, order_id: int) -> str:
    with Session(api.gateway.engine) as session:
        return service.get_order(session, order_id).status


def test_follower_advances_orders_nobody_reads_and_resumes_after_restart(api: Api) -> None:
    sb = api.sandbox
    supplier, buyer = sb.members[1], sb.members[2]
    running = api.app.state.exchange_follower
    assert running is not None and running.is_alive()

    # Running with the gateway: the order becomes invoiced without a read.
    offer = _offer(api, supplier, title="Клюква")
    first = _order(api, buyer, offer["id"], 1)["id"]
    confirmed = api.ok(api.post(supplier, f"/orders/{first}/confirmation"))
    assert api.wait(supplier, api.sign_and_relay(supplier, confirmed["invoice"]))["status"] == (
        "indexed"
    )
    deadline = time.monotonic() + 30
    while _status(api, first) != "invoiced" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _status(api, first) == "invoiced"
    assert running.passes > 0

    # Stopped (the gateway is down): chain facts pile up, the order stays where it was.
    running.stop()
    running.join(timeout=10)
    second = _order(api, buyer, offer["id"], 1)["id"]
    confirmed = api.ok(api.post(supplier, f"/orders/{second}/confirmation"))
    assert api.wait(supplier, api.sign_and_relay(supplier, confirmed["invoice"]))["status"] == (
        "indexed"
    )
    time.sleep(0.5)
    assert _status(api, second) == "confirmed"
    # A new follower (a restarted gateway) picks up from the database and the mirror.
    restarted = Follower(api.gateway, interval=3600)
    assert restarted.tick() >= 1
    assert _status(api, second) == "invoiced"
    assert restarted.tick() == 0  # nothing new: idempotent
    api.app.state.exchange_follower = start_follower(api.gateway)


def test_offers_of_cooperatives_outside_the_union_stay_out_of_reach(api: Api) -> None:
    """The served cooperative is in no union: another cooperative's offer in the shared
    catalogue is neither listed (even with scope=union), nor shown, nor orderable."""
    sb = api.sandbox
    buyer = sb.members[1]
    with Session(api.gateway.engine) as session:
        foreign = service.create_offer(
            session,
            cooperative="0x" + "ee" * 20,
            supplier="0x" + "ef" * 20,
            title="Чужой мёд",
            description="",
            category="еда",
            unit="кг",
            price=E18,
            quantity=5,
            region="",
        )
        foreign_id = foreign.id
    for scope in ("cooperative", "union"):
        found = api.ok(api.get(buyer, "/offers", params={"q": "чужой", "scope": scope}))
        assert found["count"] == 0
    assert api.get(buyer, f"/offers/{foreign_id}").status_code == 404
    refused = api.post(buyer, "/orders", json={"offer_id": foreign_id, "quantity": 1})
    assert refused.status_code == 403
    with Session(api.gateway.engine) as session:
        assert service.get_offer(session, foreign_id or 0).quantity == 5
