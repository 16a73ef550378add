"""`/bank` through the real gateway: only a cashier imports, matches and confirms; the batch
comes back unsigned for the cashier's wallet; a malformed statement is a 422 naming the line."""

from __future__ import annotations

import io
from typing import Any

import httpx
import sqlalchemy as sa
from eth_account import Account
from eth_account.signers.local import LocalAccount
from openpyxl import load_workbook

from node.bank import tables
from node.bank.install import CouncilVote, install_bank_settlements
from node.bank.matching import Purpose, reference
from node.bank.store import contracts, migrate, remember_contracts
from node.governance.sandbox import h
from tests.api.conftest import Api
from tests.bank.statements import COOP_INN, Payment, one_c
from tests.exchange.test_e2e import _offer


def install(api: Api) -> str:
    """BankSettlements for the suite's cooperative, made a cashier by a council decision, and
    remembered in the gateway's database."""
    sandbox = api.sandbox
    coop = sandbox.cooperative
    engine = api.gateway.engine
    migrate(engine)
    known = contracts(engine)
    if known is not None:
        return known[1]
    address, _gas = install_bank_settlements(
        api.chain,
        sandbox.deployer,
        coop.addresses.charter,
        council=CouncilVote(
            sandbox.council[0],
            sandbox.council[: len(sandbox.council) // 2 + 1],
            sandbox.chair,
            h("решение: BankSettlements"),
        ),
    )
    remember_contracts(engine, coop.addresses.charter, address)
    return address


def test_cashier_screen(api: Api) -> None:
    sandbox = api.sandbox
    coop = sandbox.cooperative
    chain = api.chain
    address = install(api)
    cashier = sandbox.deployer
    # This cooperative's fees are zero: its member pays a voluntary share of 500 rubles.
    member = sandbox.members[1]
    index = int(coop.membership.functions.memberIndexOf(member.address).call())
    before = coop.holding(member.address).paid_off_chain
    scale = 10 ** (coop.shares.functions.decimals().call() - 2)
    statement = one_c(
        [Payment("501", 500_00, f"Добровольный пай {reference(index, Purpose.VOLUNTARY_SHARE)}")]
    )

    # Everyone but a cashier is refused before anything is read or written.
    stranger = Account.create()
    refused = api.post(stranger, "/bank/statements", content=statement)
    assert refused.status_code == 403
    assert api.post(api.auditor, "/bank/statements", content=statement).status_code == 403
    assert api.post(sandbox.members[0], "/bank/match").status_code == 403
    assert api.get(stranger, "/bank/lines").status_code == 403
    assert api.post(stranger, "/bank/confirm", json={"ids": [1]}).status_code == 403

    # A malformed file: 422 naming the line, nothing imported.
    bad = statement.replace("Сумма=".encode("cp1251"), "Сумма=-".encode("cp1251"))
    problem = api.post(cashier, "/bank/statements", content=bad)
    assert problem.status_code == 422 and "строка" in problem.json()["detail"]
    assert api.ok(api.get(api.auditor, "/bank/lines", params={"status": "new"})) == []

    assert api.ok(api.post(cashier, "/bank/statements", content=statement))["new_lines"] == 1
    again = api.ok(api.post(cashier, "/bank/statements", content=statement))
    assert again["already_imported"] and again["new_lines"] == 0
    assert api.ok(api.post(cashier, "/bank/match"))["proposed"] == 1
    (line,) = api.ok(api.get(cashier, "/bank/lines"))
    assert line["match_account"] == member.address
    assert line["match_purpose"] == "VOLUNTARY_SHARE"
    to_sign = api.ok(api.post(cashier, "/bank/confirm", json={"ids": [line["id"]]}))
    assert to_sign["transaction"]["to"] == address
    tx = {k: v for k, v in to_sign["transaction"].items() if v is not None and k != "from"}
    raw = cashier.sign_transaction(tx).raw_transaction
    receipt = chain.w3.eth.wait_for_transaction_receipt(chain.w3.eth.send_raw_transaction(raw))
    assert receipt["status"] == 1
    assert api.ok(api.post(cashier, "/bank/sync")) == {"recorded": 1, "closed": 0}
    assert coop.holding(member.address).paid_off_chain == before + 500_00 * scale
    (recorded,) = api.ok(api.get(api.auditor, "/bank/lines", params={"status": "recorded"}))
    assert recorded["id"] == line["id"]
    # Nothing left to record: a second confirmation has nothing to send.
    assert api.post(cashier, "/bank/confirm", json={"ids": [line["id"]]}).status_code == 409


def test_member_sees_own_payment_references(api: Api) -> None:
    member = api.sandbox.members[0]
    index = int(api.sandbox.cooperative.membership.functions.memberIndexOf(member.address).call())
    body = api.ok(api.get(member, "/bank/references"))
    assert body["index"] == index > 0
    refs = {r["code"]: r["reference"] for r in body["references"]}
    assert refs["ВЗН"] == f"КП-{index}-ВЗН" and refs["ФВП"] == f"КП-{index}-ФВП"
    assert api.ok(api.get(Account.create(), "/bank/references")) == {"index": 0, "references": []}
    assert api.http.get("/bank/references").status_code == 401


def test_exchange_order_paid_in_rubles(api: Api) -> None:
    """A token order paid by bank transfer quoting `КП-<n>-БИР-<order>`: the cashier's matching
    checks the order (buyer, amount, state), the attested payment on chain moves the order as
    a token transfer does (through the mirror, like every chain fact of the exchange)."""
    sb = api.sandbox
    coop = sb.cooperative
    install(api)
    cashier = sb.deployer
    supplier, buyer = sb.members[2], sb.members[3]
    scale = 10 ** (coop.shares.functions.decimals().call() - 2)
    offer = _offer(api, supplier, title="Мёд гречишный", token_price=7 * 100 * scale, quantity=6)
    order = api.ok(
        api.post(
            buyer, "/orders", json={"offer_id": offer["id"], "quantity": 2, "currency": "token"}
        ),
        201,
    )
    oid = order["id"]
    api.ok(api.post(supplier, f"/orders/{oid}/confirmation"))
    index = int(coop.membership.functions.memberIndexOf(buyer.address).call())
    other = int(coop.membership.functions.memberIndexOf(supplier.address).call())
    ref = reference(index, Purpose.EXCHANGE_ORDER, oid)
    statement = one_c(
        [
            Payment("701", 14_00, f"Оплата заказа {ref}"),
            Payment("702", 13_00, f"Оплата заказа {ref}", payer_account="40817810000000000702"),
            Payment(
                "703",
                14_00,
                f"Оплата {reference(other, Purpose.EXCHANGE_ORDER, oid)}",
                payer_account="40817810000000000703",
            ),
            Payment(
                "704",
                14_00,
                f"{reference(index, Purpose.EXCHANGE_ORDER, 999_999)}",
                payer_account="40817810000000000704",
            ),
        ]
    )
    api.ok(api.post(cashier, "/bank/statements", content=statement))
    matched = api.ok(api.post(cashier, "/bank/match"))
    assert matched["proposed"] >= 1
    queued = {
        r["purpose"]: r["reason"]
        for r in api.ok(api.get(cashier, "/bank/lines", params={"status": "queued"}))
    }
    reasons = " | ".join(str(v) for v in queued.values())
    assert "не равна заказу" in reasons  # 13.00 for a 14.00 order
    assert f"не пайщиком №{other}" in reasons  # someone else's order
    assert "заказ 999999 не найден" in reasons
    proposed = [
        r for r in api.ok(api.get(cashier, "/bank/lines")) if r["match_purpose"] == "EXCHANGE_ORDER"
    ]
    assert [r["purpose"] for r in proposed] == [f"Оплата заказа {ref}"]
    assert api.ok(api.get(buyer, f"/orders/{oid}"))["status"] == "confirmed"
    to_sign = api.ok(api.post(cashier, "/bank/confirm", json={"ids": [proposed[0]["id"]]}))
    tx = {k: v for k, v in to_sign["transaction"].items() if v is not None and k != "from"}
    raw = cashier.sign_transaction(tx).raw_transaction
    w3 = api.chain.w3
    assert w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw))["status"] == 1
    api.ok(api.post(cashier, "/bank/sync"))
    api.synced()
    paid = api.ok(api.get(buyer, f"/orders/{oid}"))
    assert paid["status"] == "invoiced" and paid["settlement"] == "bank"
    assert paid["token_payment_tx"] == proposed[0]["line_hash"]
    # The same order cannot be paid again by a token transfer.
    assert api.post(buyer, f"/orders/{oid}/payment/tx").status_code == 409


def _put(api: Api, account: LocalAccount, path: str, **kw: Any) -> httpx.Response:
    return api.http.put(path, headers=api.headers(account), **kw)


def test_orders_reports_refund_details_and_loans(api: Api) -> None:
    """The screens behind payment orders, closing, the books' reports, refund details and the
    ruble loan book, with who may do what: a non-cashier neither issues orders, nor downloads
    them, nor closes, nor rebuilds; nobody reads another member's refund details."""
    sb = api.sandbox
    install(api)
    cashier, member, other = sb.deployer, sb.members[1], sb.members[2]
    stranger = Account.create()
    ours = {
        "name": "ПК «Тест»",
        "inn": COOP_INN,
        "account": "40702810038000017240",
        "bik": "044525225",
    }

    # Privileged paths refused to everyone but a cashier (the auditor reads, never writes).
    for who in (member, api.auditor, stranger):
        assert api.post(who, "/bank/orders").status_code == 403
        assert api.post(who, "/bank/orders/file", json=ours).status_code == 403
        assert api.post(who, "/bank/close").status_code == 403
        assert api.post(who, "/bank/ledger").status_code == 403
    for who in (member, stranger):
        assert api.get(who, "/bank/orders").status_code == 403
        r = api.get(who, "/bank/reports/osv", params={"from": "2026-01-01", "to": "2026-12-31"})
        assert r.status_code == 403
    # The auditor reads orders (payee accounts masked) and reports.
    assert isinstance(api.ok(api.get(api.auditor, "/bank/orders")), list)

    # Refund details: validated (the account's control key against the БИК), one's own only.
    details = {
        "name": "Иванов Иван Иванович",
        "account": "40702810038000017240",
        "bik": "044525225",
    }
    bad = {**details, "account": "40702810138000017240"}  # one digit mistyped
    r = _put(api, member, "/bank/refund-details", json=bad)
    assert r.status_code == 422 and "контрольному ключу" in r.json()["detail"]
    assert (
        _put(api, member, "/bank/refund-details", json={**details, "bik": "12345"}).status_code
        == 422
    )
    assert (
        _put(api, member, "/bank/refund-details", json={**details, "inn": "7707083894"}).status_code
        == 422
    )
    assert _put(api, stranger, "/bank/refund-details", json=details).status_code == 403
    saved = api.ok(_put(api, member, "/bank/refund-details", json=details))
    assert saved["account"] == details["account"] and len(saved["sha256"]) == 64
    assert api.ok(api.get(member, "/bank/refund-details"))["sha256"] == saved["sha256"]
    assert api.get(other, "/bank/refund-details").status_code == 404  # not someone else's
    assert api.get(cashier, "/bank/refund-details").status_code == 404
    # Sealed at rest: the account number is not in the database in the clear.
    with api.gateway.engine.connect() as conn:
        row = conn.execute(
            sa.select(tables.refund).where(tables.refund.c.account == member.address)
        ).one()
    assert details["account"].encode() not in bytes(row.ciphertext)

    # The exit application carries them: refused whole when bad (nothing stored), not for
    # someone else's exit, stored with the application's hash when the exit is possible.
    application = "0x" + "ab" * 32
    exit_path = f"/members/{other.address}/exit/tx"
    r = api.post(other, exit_path, json={"application_hash": application, "refund": bad})
    assert r.status_code == 422 and "контрольному ключу" in r.json()["detail"]
    assert api.get(other, "/bank/refund-details").status_code == 404
    for_other = {"application_hash": application, "refund": details}
    assert api.post(member, exit_path, json=for_other).status_code == 403
    to_sign = api.post(
        other, exit_path, json={**for_other, "refund": {**details, "name": "Другой"}}
    )
    assert to_sign.status_code == 200, to_sign.text
    assert api.ok(api.get(other, "/bank/refund-details"))["name"] == "Другой"
    with api.gateway.engine.connect() as conn:
        stored = conn.execute(
            sa.select(tables.refund.c.application_hash).where(
                tables.refund.c.account == other.address
            )
        ).scalar_one()
    assert stored == application

    # Orders: nothing owed in rubles here, so nothing issued and no file to download.
    assert api.ok(api.post(cashier, "/bank/orders")) == {"created": [], "skipped": []}
    assert api.post(cashier, "/bank/orders/file", json=ours).status_code == 409
    assert (
        api.post(
            cashier, "/bank/orders/file", json={**ours, "account": "40702810138000017240"}
        ).status_code
        == 422
    )
    assert api.post(cashier, "/bank/close").status_code == 409

    # The books and their reports.
    assert api.ok(api.post(cashier, "/bank/ledger"))["entries"] >= 0
    period = {"from": "2000-01-01", "to": "2099-12-31"}
    osv = api.get(api.auditor, "/bank/reports/osv", params=period)
    assert osv.status_code == 200 and osv.content.startswith("\ufeffСчёт".encode())
    xlsx = api.get(cashier, "/bank/reports/register", params={**period, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert load_workbook(io.BytesIO(xlsx.content)).active is not None
    assert api.get(cashier, "/bank/reports/member", params=period).status_code == 422
    assert api.get(cashier, "/bank/reports/nope", params=period).status_code == 422
    one_c_file = api.get(cashier, "/bank/reports/1c", params=period)
    assert one_c_file.content.decode("cp1251").startswith("Дата;СчетДт")

    # The ruble loan book: a member sees only their own; the fund's totals for all.
    book = api.ok(api.get(member, "/bank/loans"))
    assert book["loans"] == [] and set(book["totals"]) >= {"lent", "repaid", "outstanding"}
    assert api.get(member, "/bank/loans", params={"member": other.address}).status_code == 403
    assert (
        api.ok(api.get(api.auditor, "/bank/loans", params={"member": other.address}))["loans"] == []
    )
