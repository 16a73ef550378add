"""The exchange end to end over HTTP and the chain: offer -> order -> confirm -> invoice on chain
-> delivery act signed by both -> paid; a second pair of orders left open and settled by a
clearing run; the refusals that change nothing."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from tests.api.conftest import Api
from tests.api.test_e2e import _decide, _generate
from tests.documents.pdfcheck import pdf_text

E18 = 10**18


@pytest.fixture(scope="module", autouse=True)
def credit_limit(api: Api) -> None:
    """Paying in ВРЕ needs a credit line: the council sets a default one by a decision.

    The default reaches only members who have not taken part in ВРЕ yet: the first obligation
    or transfer of a member fixes the limit then in force in the member's own slot (see
    `SettlementUnits._activeKeyOf`). Other tests of the session (the exchange's disputes)
    invoice our members before this module runs, so each member's limit is set too."""
    units = api.gateway.units.contract
    limits = [units.encode_abi("setDefaultCreditLimit", args=[1_000 * E18])] + [
        units.encode_abi("setCreditLimit", args=[m.address, 1_000 * E18])
        for m in api.sandbox.members
    ]
    decision = _generate(
        api,
        api.sandbox.council[1],
        "council_decision",
        {"agenda": "Кредитный лимит ВРЕ", "decision": "Установить 1000 ВРЕ"},
    )
    _decide(api, decision, [{"type": "call", "target": units.address, "data": d} for d in limits])
    assert units.functions.defaultCreditLimit().call() == 1_000 * E18


def _offer(api: Api, supplier: LocalAccount, **kw: Any) -> dict[str, Any]:
    body = {
        "title": "Мёд липовый",
        "description": "Свежий, с пасеки",
        "category": "еда",
        "unit": "кг",
        "price": str(10 * E18),
        "quantity": 5,
        "region": "Алтай",
        **kw,
    }
    offer: dict[str, Any] = api.ok(api.post(supplier, "/offers", json=body), 201)
    return offer


def _order(api: Api, buyer: LocalAccount, offer_id: int, quantity: int) -> dict[str, Any]:
    order: dict[str, Any] = api.ok(
        api.post(buyer, "/orders", json={"offer_id": offer_id, "quantity": quantity}), 201
    )
    return order


def _invoiced(api: Api, supplier: LocalAccount, order_id: int) -> dict[str, Any]:
    """The supplier confirms, signs the invoice and relays it; the order follows the chain."""
    confirmed = api.ok(api.post(supplier, f"/orders/{order_id}/confirmation"))
    assert confirmed["order"]["status"] == "confirmed"
    relay_id = api.sign_and_relay(supplier, confirmed["invoice"])
    assert api.wait(supplier, relay_id)["status"] == "indexed"
    order: dict[str, Any] = api.ok(api.get(supplier, f"/orders/{order_id}"))
    assert order["status"] == "invoiced" and order["obligation_id"] is not None
    return order


def _accept(api: Api, buyer: LocalAccount, obligation_id: int) -> None:
    typed = api.ok(
        api.post(buyer, f"/units/invoices/{obligation_id}/acceptance/typed-data", json={})
    )["typed_data"]
    accepted = api.ok(
        api.post(
            buyer,
            f"/units/invoices/{obligation_id}/acceptance",
            json={
                "deadline": typed["message"]["deadline"],
                "signature": api.sign_typed(buyer, typed),
            },
        ),
        202,
    )
    assert api.wait(buyer, accepted["id"])["status"] == "indexed"


def _act(api: Api, supplier: LocalAccount, buyer: LocalAccount, order_id: int) -> str:
    """The supplier draws up and anchors the act; both parties sign it gasless."""
    act = api.ok(api.post(supplier, f"/orders/{order_id}/act"))
    assert act["anchor"] is not None
    relay_id = api.sign_and_relay(supplier, act["anchor"])
    assert api.wait(supplier, relay_id)["status"] == "indexed"
    again = api.ok(api.post(buyer, f"/orders/{order_id}/act"))
    assert again["act_sha256"] == act["act_sha256"] and again["anchor"] is None
    for party in (supplier, buyer):
        typed = api.ok(api.post(party, act["sign_at"]))["typed_data"]
        signed = api.ok(
            api.post(
                party,
                f"/documents/{act['act_sha256']}/signatures",
                json={"signer": party.address, "signature": api.sign_typed(party, typed)},
            ),
            202,
        )
        assert api.wait(party, signed["id"])["status"] == "indexed"
    digest: str = act["act_sha256"]
    return digest


def test_offer_order_invoice_act_paid(api: Api) -> None:
    sb = api.sandbox
    supplier, buyer = sb.members[0], sb.members[1]
    offer = _offer(api, supplier)
    found = api.ok(api.get(buyer, "/offers", params={"q": "мёд", "region": "алтай"}))
    assert any(o["id"] == offer["id"] for o in found["data"])

    # Refusals: more than available, from oneself, someone else's confirmation.
    too_many = api.post(buyer, "/orders", json={"offer_id": offer["id"], "quantity": 6})
    assert too_many.status_code == 409
    assert too_many.headers["content-type"].startswith("application/problem+json")
    assert (
        api.post(supplier, "/orders", json={"offer_id": offer["id"], "quantity": 1}).status_code
        == 422
    )
    order = _order(api, buyer, offer["id"], 3)
    assert api.ok(api.get(buyer, f"/offers/{offer['id']}"))["quantity"] == 2
    assert api.post(buyer, f"/orders/{order['id']}/confirmation").status_code == 403
    assert api.ok(api.get(buyer, f"/orders/{order['id']}"))["status"] == "requested"

    order = _invoiced(api, supplier, order["id"])
    info = api.gateway.units.obligation(order["obligation_id"])
    stored = api.get(buyer, f"/documents/{order['document_sha256']}").content
    assert info.document_hash == hashlib.sha256(stored).digest()
    assert (info.creditor, info.debtor, info.amount) == (
        supplier.address,
        buyer.address,
        30 * E18,
    )

    _accept(api, buyer, order["obligation_id"])
    accepted = api.ok(api.get(buyer, f"/orders/{order['id']}"))
    assert (accepted["status"], accepted["invoice_status"]) == ("invoiced", "accepted")
    act = _act(api, supplier, buyer, order["id"])
    order = api.ok(api.get(buyer, f"/orders/{order['id']}"))
    assert order["status"] == "delivered" and order["act_signed"] is True
    pdf = api.get(buyer, f"/documents/{act}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Акт сдачи-приёмки" in pdf_text(pdf.content)

    paid = api.act(buyer, f"/orders/{order['id']}/payment/tx")
    assert paid["status"] == "indexed", paid
    order = api.ok(api.get(buyer, f"/orders/{order['id']}"))
    assert (order["status"], order["settlement"]) == ("completed", "settled")
    rep = api.ok(api.http.get(f"/orders/reputation/{supplier.address}"))
    assert rep["completed"] >= 1 and act in rep["acts"]


def test_orders_left_open_settle_by_clearing(api: Api) -> None:
    sb = api.sandbox
    a, b = sb.members[2], sb.members[3]
    honey = _offer(api, a, title="Мёд гречишный", price=str(7 * E18))
    repair = _offer(api, b, title="Ремонт крыши", category="услуги", unit="ч", price=str(7 * E18))
    first = _invoiced(api, a, _order(api, b, honey["id"], 2)["id"])
    second = _invoiced(api, b, _order(api, a, repair["id"], 2)["id"])
    _accept(api, b, first["obligation_id"])
    _accept(api, a, second["obligation_id"])
    _act(api, a, b, first["id"])
    _act(api, b, a, second["id"])
    for o in (first, second):
        assert api.ok(api.get(a, f"/orders/{o['id']}"))["status"] == "delivered"

    run = api.ok(api.post(sb.council[1], "/units/clearings"), 202)
    for r in run["relays"]:
        assert api.wait(sb.council[1], r["id"])["status"] == "indexed"
    for o in (first, second):
        done = api.ok(api.get(a, f"/orders/{o['id']}"))
        assert (done["status"], done["settlement"]) == ("completed", "settled")


def test_refusals_change_nothing(api: Api) -> None:
    sb = api.sandbox
    supplier, buyer = sb.members[0], sb.members[2]
    # Only members trade; an auditor writes nothing.
    stranger = Account.create()
    assert (
        api.post(
            stranger, "/offers", json={"title": "x", "category": "x", "price": "1", "quantity": 1}
        ).status_code
        == 403
    )
    assert (
        api.post(
            api.auditor,
            "/offers",
            json={"title": "x", "category": "x", "price": "1", "quantity": 1},
        ).status_code
        == 403
    )
    offer = _offer(api, supplier, title="Яблоки", quantity=3)
    early = _order(api, buyer, offer["id"], 1)
    assert api.post(buyer, f"/orders/{early['id']}/act").status_code == 409
    assert api.post(supplier, f"/orders/{early['id']}/payment/tx").status_code == 403
    assert api.post(supplier, f"/orders/{early['id']}/cancel").status_code == 403
    assert api.ok(api.post(buyer, f"/orders/{early['id']}/cancel"))["status"] == "cancelled"
    assert api.post(supplier, f"/orders/{early['id']}/confirmation").status_code == 409
    # Only the supplier edits; a withdrawn offer cannot be ordered or edited.
    assert (
        api.http.patch(
            f"/offers/{offer['id']}", json={"price": "1"}, headers=api.headers(buyer)
        ).status_code
        == 403
    )
    edited = api.ok(
        api.http.patch(
            f"/offers/{offer['id']}", json={"quantity": 4}, headers=api.headers(supplier)
        )
    )
    assert edited["quantity"] == 4
    # Attachments: a photo is stored content-addressed; wrong type or too large is refused.
    photo = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    with_photo = api.ok(
        api.http.post(
            f"/offers/{offer['id']}/attachments",
            content=photo,
            headers={**api.headers(supplier), "Content-Type": "image/png"},
        ),
        201,
    )
    assert with_photo["attachments"] == [hashlib.sha256(photo).hexdigest()]
    exe = api.http.post(
        f"/offers/{offer['id']}/attachments",
        content=b"MZ",
        headers={**api.headers(supplier), "Content-Type": "application/x-msdownload"},
    )
    assert exe.status_code == 415
    big = api.http.post(
        f"/offers/{offer['id']}/attachments",
        content=b"0" * (5 * 1024 * 1024 + 1),
        headers={**api.headers(supplier), "Content-Type": "image/png"},
    )
    assert big.status_code == 413
    assert len(api.ok(api.get(supplier, f"/offers/{offer['id']}"))["attachments"]) == 1
    # A declined order returns its quantity; a dispute goes to the council.
    order = _order(api, buyer, offer["id"], 2)
    declined = api.ok(api.post(supplier, f"/orders/{order['id']}/decline"))
    assert declined["status"] == "declined"
    assert api.ok(api.get(buyer, f"/offers/{offer['id']}"))["quantity"] == 4
    disputed_order = _order(api, buyer, offer["id"], 1)
    api.ok(api.post(supplier, f"/orders/{disputed_order['id']}/confirmation"))
    dispute = api.ok(
        api.post(buyer, f"/orders/{disputed_order['id']}/dispute", json={"reason": "Не привезли"})
    )
    assert dispute["order"]["status"] == "disputed"
    council = api.ok(api.get(sb.council[1], "/orders", params={"status": "disputed"}))
    assert any(o["id"] == disputed_order["id"] for o in council["data"])
    # The dispute statement goes on the council's agenda.
    proposed = api.act(
        sb.council[1], "/council/items/tx", {"document_hash": dispute["document_hash"]}
    )
    assert proposed["status"] == "indexed", proposed
    items = api.ok(api.get(sb.council[1], "/council/items"))["data"]
    assert any(i["document_hash"] == dispute["document_hash"] for i in items)
    stranger = api.get(sb.members[3], f"/orders/{disputed_order['id']}")
    assert stranger.status_code == 403
    withdrawn = api.http.delete(f"/offers/{offer['id']}", headers=api.headers(supplier))
    assert api.ok(withdrawn)["status"] == "withdrawn"
    late = api.post(buyer, "/orders", json={"offer_id": offer["id"], "quantity": 1})
    assert late.status_code == 409
    assert (
        api.http.patch(
            f"/offers/{offer['id']}", json={"quantity": 9}, headers=api.headers(supplier)
        ).status_code
        == 409
    )
    rep = api.ok(api.http.get(f"/orders/reputation/{buyer.address}"))
    assert rep["disputed"] >= 1 and rep["cancelled"] >= 1
