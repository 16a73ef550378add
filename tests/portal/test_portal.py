"""The portal end to end in headless Chromium: wallet messages, joining, admission through the
council page, ВРЕ transfer and invoice acceptance, a signed ballot, and an auditor's registers,
audit and document verification; screenshots of the main pages (ru and en, desktop and phone)
go to artifacts/screenshots/.

The tests of this module build on each other in order, like a cooperative's life.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from typing import Any

import pytest
from eth_account import Account
from playwright.sync_api import FilePayload, Page, expect

from node.fund import Category
from node.governance.client import Convocation, Question
from node.governance.sandbox import fund, h, now, warp
from tests.api.conftest import Api
from tests.portal.conftest import PHONE, BrowserWallet, Portal, screenshot

TOKEN = 10**18
LONG = 60_000  # ms: a relayed action goes signed -> sent -> mined -> indexed

STATE: dict[str, Any] = {}


def _errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Script errors only: a 404 the page expects (e.g. "not a member yet") is logged by Chromium
    # as "Failed to load resource" and is not an error of the page.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    return errors


def test_no_wallet_says_so_in_russian_then_english(portal: Portal) -> None:
    page = portal.open(None)
    errors = _errors(page)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.click("#sign-in")
    msg = page.locator(".session .msg-error")
    expect(msg).to_contain_text("Кошелёк не найден")
    expect(msg).to_have_attribute("data-kind", "no_wallet")
    page.click("#lang")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("#sign-in")
    expect(page.locator(".session .msg-error")).to_contain_text("No wallet found")
    # The choice is kept across reloads.
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#lang")).to_have_text("Русский")
    assert errors == []


def test_amounts_stay_exact_and_follow_the_locale(portal: Portal) -> None:
    """Money never passes through a JS number: big integers from the API stay exact, amounts are
    formatted with BigInt in the chosen locale, typed amounts are parsed to base units."""
    page = portal.open(None)
    got = page.evaluate(
        """async () => {
          const api = await import('/portal/api.js');
          const i18n = await import('/portal/i18n.js');
          const parsed = api.parseJson('{"a": 123456789012345678901, "b": -9007199254740993,'
            + ' "c": 42, "d": "1e30", "e": 1.5, "f": [340282366920938463463374607431768211455]}');
          const ru = [i18n.fmtAmount('-1234567890123456789012', 18),
                      i18n.fmtAmount(parsed.a, 18, 2), i18n.fmtAmount('5', 18)];
          const units = i18n.parseAmount('12,5').toString();
          let bad = [];
          for (const x of ['', '0', '-1', '1.0000000000000000001', 'abc']) {
            try { i18n.parseAmount(x); bad.push('accepted ' + x); } catch { bad.push('refused'); }
          }
          i18n.setLang('en');
          const en = i18n.fmtAmount('1234567890000000000000', 18);
          i18n.setLang('ru');
          return { parsed, ru, units, bad, en };
        }"""
    )
    assert got["parsed"] == {
        "a": "123456789012345678901",
        "b": "-9007199254740993",
        "c": 42,
        "d": "1e30",
        "e": 1.5,
        "f": ["340282366920938463463374607431768211455"],
    }
    nbsp = "\u00a0"
    assert got["ru"] == [f"−1{nbsp}234,5678", "123,45", "0"]
    assert got["units"] == str(125 * 10**17)
    assert got["bad"] == ["refused"] * 5
    assert got["en"] == "1,234.5678"


def test_wrong_chain_offers_to_switch(portal: Portal, api: Api) -> None:
    wallet = BrowserWallet(api, Account.create(), chain_id=1)
    page = portal.open(wallet)
    page.click("#sign-in")
    msg = page.locator(".session .msg-error")
    expect(msg).to_have_attribute("data-kind", "wrong_chain")
    expect(msg).to_contain_text("другой сети (1)")
    expect(msg).to_contain_text(str(api.chain.chain_id))
    assert "personal_sign" not in wallet.calls  # nothing signed on the wrong chain
    msg.get_by_role("button", name="Переключить сеть").click()
    expect(page.locator(".session .msg-ok")).to_be_visible()
    assert wallet.chain_id == api.chain.chain_id
    portal.sign_in(page)
    expect(page.locator("[data-testid=roles]")).to_contain_text("нет ролей")


def test_rejected_signature_sends_nothing(portal: Portal, api: Api) -> None:
    wallet = BrowserWallet(api, Account.create(), reject={"personal_sign"})
    portal.requests.clear()
    page = portal.open(wallet)
    page.click("#sign-in")
    msg = page.locator(".session .msg-error")
    expect(msg).to_have_attribute("data-kind", "rejected")
    expect(msg).to_contain_text("Вы отклонили запрос")
    assert not any(url.endswith("/auth/verify") for _, url, _ in portal.requests)
    expect(page.locator("[data-testid=who]")).to_have_count(0)


def _done(page: Page, scope: str = "") -> None:
    """Wait until the progress in `scope` reaches "indexed"; on "failed", show the page's
    message."""
    progress = page.locator(f"{scope} .progress".strip()).last
    expect(progress).to_have_attribute("data-state", re.compile("indexed|failed"), timeout=LONG)
    if progress.get_attribute("data-state") == "failed":
        outcome = progress.locator("xpath=following-sibling::div[1]").inner_text()
        pytest.fail(f"the operation failed in the page: {outcome}")


def test_join_in_the_browser(portal: Portal, api: Api) -> None:
    w3 = api.chain.w3
    new = Account.create()
    assert w3.eth.get_balance(new.address) == 0
    wallet = BrowserWallet(api, new)
    page = portal.open(wallet)
    errors = _errors(page)
    portal.sign_in(page)
    expect(page.locator("[data-testid=roles]")).to_contain_text("нет ролей")
    page.get_by_role("link", name="Вступить").click()
    page.fill("#full_name", "Иванова Мария Петровна")
    page.fill("#birth_date", "1990-04-12")
    page.fill("#document_number", "4510 123456")
    page.fill("#postal_address", "Москва, ул. Садовая, 1")
    page.click("#generate")
    expect(page.locator("#sign-application")).to_be_visible(timeout=LONG)
    expect(page.locator(".msg-info").first).to_contain_text("Заявление сформировано")
    page.click("#sign-application")
    _done(page)
    expect(page.locator(".outcome .msg-ok").last).to_contain_text("Ожидайте")
    assert w3.eth.get_balance(new.address) == 0  # gasless: the cooperative paid
    member = api.ok(api.get(new, f"/members/{new.address}"))
    assert member["status_name"] == "applicant"
    expect(page.locator("[data-testid=roles]")).to_contain_text("заявитель")
    portal.go(page, "membership")
    expect(page.locator("[data-testid=member-status]")).to_have_text("заявитель")
    assert errors == []
    STATE.update(new=new, page=page, wallet=wallet)


def _council_click(portal: Portal, page: Page, selector: str) -> None:
    portal.go(page, "council")
    page.click(selector)
    _done(page, "#main")


def test_council_admits_through_the_portal(portal: Portal, api: Api) -> None:
    from tests.api.test_e2e import _decide, _generate

    sb, new = api.sandbox, STATE["new"]
    check = {"record_hash": "0x" + "11" * 32}
    api.act(sb.chair, f"/members/{new.address}/identity-check/tx", check)
    api.act(sb.deployer, f"/members/{new.address}/payment/tx", {"record_hash": "0x" + "22" * 32})
    # A council member proposes the admission from the list of applications, and votes.
    proposer = portal.open(BrowserWallet(api, sb.council[1]))
    portal.sign_in(proposer)
    expect(proposer.locator("[data-testid=roles]")).to_contain_text("член совета")
    portal.go(proposer, "council")
    application = proposer.locator("[data-testid=applications] tbody tr", has_text=new.address[:6])
    expect(application).to_contain_text("да")  # identity checked, fees paid
    application.locator(f"button[data-propose='{new.address}']").click()
    _done(proposer, "[data-testid=applications]")
    items = api.ok(api.get(sb.chair, "/council/items"))["data"]
    item_id = max(i["item_id"] for i in items if i["state_name"] == "pending")
    portal.go(proposer, "council")
    expect(proposer.locator("[data-testid=applications]")).to_contain_text("уже на голосовании")
    _council_click(portal, proposer, f"button[data-vote='{item_id}']")
    # The second vote, the protocol and the execution.
    voter = portal.open(BrowserWallet(api, sb.council[2]))
    portal.sign_in(voter)
    _council_click(portal, voter, f"button[data-vote='{item_id}']")
    chair = portal.open(BrowserWallet(api, sb.chair))
    portal.sign_in(chair)
    # The chair's protocol is generated from the chain's tally, shown, then signed.
    portal.go(chair, "council")
    chair.click(f"button[data-protocol='{item_id}']")
    expect(chair.locator("[data-testid=preview]")).to_contain_text("Протокол")
    chair.click("button[data-sign]")
    _done(chair, "#main")
    screenshot(chair, "council-ru-desktop")
    _council_click(portal, chair, f"button[data-execute='{item_id}']")
    item = next(
        i for i in api.ok(api.get(sb.chair, "/council/items"))["data"] if i["item_id"] == item_id
    )
    assert item["state_name"] == "executed"
    member = api.ok(api.get(new, f"/members/{new.address}"))
    assert member["status_name"] == "member"
    # A credit limit for ВРЕ, by a council decision made through the API.
    units = api.gateway.units.contract
    limit = units.functions.setCreditLimit(new.address, 1000 * TOKEN)._encode_transaction_data()
    decision = _generate(api, sb.council[1], "council_decision", {"agenda": "Лимит"})
    _decide(api, decision, [{"type": "call", "target": units.address, "data": limit}])
    member = api.ok(api.get(new, f"/members/{new.address}"))
    assert int(member["credit_limit"]) == 1000 * TOKEN
    # The applicant's page, left open on "my membership", follows the admission by itself.
    page = STATE["page"]
    expect(page.locator("[data-testid=roles]")).to_contain_text("пайщик", timeout=15_000)
    expect(page.locator("[data-testid=member-status]")).to_have_text("пайщик")
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("[data-testid=roles]")).to_contain_text("пайщик")
    portal.go(page, "membership")
    expect(page.locator("[data-testid=member-status]")).to_have_text("пайщик")
    expect(page.locator("[data-testid=history] tbody tr")).to_have_count(
        len(api.ok(api.get(new, f"/members/{new.address}/history"))["data"])
    )


def test_home_draws_members_and_shares_from_the_history(portal: Portal, api: Api) -> None:
    new, page = STATE["new"], STATE["page"]
    portal.go(page, "home")
    history = api.ok(api.get(new, "/history/membership"))["data"]
    chart = page.locator("[data-testid=members-chart]")
    expect(chart).to_have_attribute("data-points", str(len(history)))
    expect(chart).to_have_attribute("data-last-members", str(history[-1]["members"]))
    expect(chart.locator("svg")).to_be_visible()


def test_transfer_by_keyboard_and_accept_an_invoice(portal: Portal, api: Api) -> None:
    sb, new, page = api.sandbox, STATE["new"], STATE["page"]
    other = sb.members[0]
    fund(api.chain, [new.address])  # a transfer is the member's own transaction: it pays the gas
    portal.go(page, "units")
    expect(page.locator("[data-testid=credit-limit]")).to_contain_text("1\u00a0000")
    assert "eth_call" in STATE["wallet"].calls  # ВРЕ decimals read from the token
    # Keyboard only: type, Tab to the next field, Tab to the button, Enter.
    page.focus("#transfer-form-to")
    page.keyboard.type(other.address)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "transfer-form-amount"
    page.keyboard.type("25,5")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('form').id") == "transfer-form"
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    _done(page, "#transfer-form")
    member = api.ok(api.get(new, f"/members/{new.address}"))
    assert int(member["units_balance"]) == -255 * TOKEN // 10
    # Bad input is refused in the page, nothing is sent.
    portal.go(page, "units")
    page.fill("#transfer-form-to", "0x123")
    page.fill("#transfer-form-amount", "1")
    page.click("#transfer-form button[type=submit]")
    expect(page.locator("#transfer-form .msg-error")).to_contain_text("Неверный адрес")
    page.fill("#transfer-form-to", other.address)
    page.fill("#transfer-form-amount", "1,0000000000000000001")
    page.click("#transfer-form button[type=submit]")
    expect(page.locator("#transfer-form .msg-error")).to_contain_text("Неверная сумма")
    expect(page.locator("[data-testid=units-balance]")).to_contain_text("−25,5")

    # Another member invoices the new one; the new member accepts in the portal, gasless.
    api.act(other, "/units/invoices/tx", {"debtor": new.address, "amount": str(10 * TOKEN)})
    invoices = api.ok(
        api.get(new, "/units/obligations", params={"debtor": new.address, "status": "issued"})
    )["data"]
    oid = invoices[0]["obligation_id"]
    portal.go(page, "units")
    balance = api.chain.w3.eth.get_balance(new.address)
    page.click(f"button[data-obligation='{oid}']")
    _done(page, "[data-testid=to-accept]")
    assert api.chain.w3.eth.get_balance(new.address) == balance
    accepted = api.ok(api.get(new, "/units/obligations", params={"debtor": new.address}))["data"]
    assert next(o for o in accepted if o["obligation_id"] == oid)["status_name"] == "accepted"
    STATE["obligation"] = oid

    # A cycle (the new member invoices back 4 ВРЕ), cleared by a council member's run: the page
    # shows what the clearing cleared for the new member and the graph after it.
    api.act(new, "/units/invoices/tx", {"debtor": other.address, "amount": str(4 * TOKEN)})
    back = api.ok(
        api.get(other, "/units/obligations", params={"debtor": other.address, "status": "issued"})
    )["data"][0]["obligation_id"]
    typed = api.ok(api.post(other, f"/units/invoices/{back}/acceptance/typed-data", json={}))
    accepted_back = api.ok(
        api.post(
            other,
            f"/units/invoices/{back}/acceptance",
            json={
                "deadline": typed["typed_data"]["message"]["deadline"],
                "signature": api.sign_typed(other, typed["typed_data"]),
            },
        ),
        202,
    )
    assert api.wait(other, accepted_back["id"])["status"] == "indexed"
    run = api.ok(api.post(sb.council[1], "/units/clearings"), 202)
    for r in run["relays"]:
        assert api.wait(sb.council[1], r["id"])["status"] == "indexed"
    portal.go(page, "units")
    expect(page.locator("[data-testid=my-invoices] tbody tr")).to_have_count(2)
    clearing_row = page.locator("[data-testid=clearings] tbody tr").last
    expect(clearing_row.locator("td").nth(3)).to_have_text("4")
    # ... line by line, from the clearing's `ObligationCleared` events (GET /history/...).
    lines = page.locator("[data-testid=cleared-lines] tbody tr")
    expect(lines).to_have_count(2)
    mine = lines.filter(has_text="мой долг")
    expect(mine.locator("td").nth(1)).to_have_text(str(oid))
    expect(mine.locator("td").nth(4)).to_have_text("4")
    expect(mine.locator("td").nth(5)).to_have_text("6")
    expect(lines.filter(has_text="долг мне").locator("td").nth(5)).to_have_text("0")
    # The graphs draw every open obligation of the cooperative, as the page reads them (the
    # session's other tests may have left some): before, each with its amount; after, those
    # still owed. Ours: both invoices before, 6 ВРЕ still owed after.
    listed = api.ok(api.get(new, "/units/obligations", params={"limit": 500}))["data"]
    open_ = [o for o in listed if o["status_name"] in ("accepted", "settled")]
    ours = [o for o in open_ if o["obligation_id"] in (oid, back)]
    assert len(ours) == 2 and [int(o["outstanding"]) for o in ours if int(o["outstanding"])] == [
        6 * TOKEN
    ]
    graphs = page.locator("figure svg.chart line.edge")
    expect(graphs).to_have_count(len(open_) + sum(1 for o in open_ if int(o["outstanding"]) > 0))
    screenshot(page, "units-cleared-ru-desktop")


def test_sign_a_ballot(portal: Portal, api: Api) -> None:
    from tests.api.test_e2e import _decide, _generate

    sb, new, page = api.sandbox, STATE["new"], STATE["page"]
    opens = now(api.chain) + 3600 + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + 7 * 86_400,
        secretary=sb.secretary.address,
        questions=(
            Question(document_hash=bytes.fromhex("44" * 32)),
            Question(document_hash=bytes.fromhex("55" * 32)),
        ),
    )
    action = sb.governance.meeting.convene_action(convocation)
    notice = _generate(api, sb.council[1], "meeting_notice", {"questions": ["Отчёт", "Смета"]})
    _decide(
        api, notice, [{"type": "call", "target": action.target, "data": "0x" + action.data.hex()}]
    )
    warp(api.chain, opens + 1)
    api.synced()
    meeting_id = api.ok(api.get(new, "/meetings"))["data"][-1]["meeting_id"]
    portal.go(page, "meetings")
    form = page.locator(f"#ballot-{meeting_id}")
    form.get_by_label("против").nth(1).check()
    balance = api.chain.w3.eth.get_balance(new.address)
    form.get_by_role("button", name="Подписать бюллетень").click()
    _done(page, f"#ballot-{meeting_id}")
    meeting = sb.governance.meeting.contract
    assert meeting.functions.hasVoted(meeting_id, new.address).call()
    assert api.chain.w3.eth.get_balance(new.address) == balance  # the relayer paid
    got = next(
        m for m in api.ok(api.get(new, "/meetings"))["data"] if m["meeting_id"] == meeting_id
    )
    ballot = next(b for b in got["ballots"] if b["voter"] == new.address)
    assert ballot["choices"] == [1, 0]
    portal.go(page, "meetings")
    expect(page.locator(f"[data-meeting='{meeting_id}'] .msg-ok")).to_contain_text(
        "Вы проголосовали"
    )


def test_exchange_order_invoice_and_delivery_act(portal: Portal, api: Api) -> None:
    sb, new, page = api.sandbox, STATE["new"], STATE["page"]
    supplier = sb.members[1]
    offer = api.ok(
        api.post(
            supplier,
            "/offers",
            json={
                "title": "Мёд липовый",
                "category": "food",
                "price": str(2 * TOKEN),
                "quantity": 10,
            },
        ),
        201,
    )
    # The buyer orders in the portal.
    portal.go(page, "exchange")
    row = page.locator("[data-testid=offers] tbody tr", has_text="Мёд липовый")
    row.locator(f"#qty-{offer['id']}").fill("3")
    row.get_by_role("button", name="Заказать").click()
    expect(row.locator(".msg-ok")).to_contain_text("№")
    order = api.ok(api.get(new, "/orders"))["data"][0]
    assert order["quantity"] == 3 and order["status"] == "requested"
    # The supplier confirms in the portal; the ВРЕ invoice goes from the supplier's wallet.
    seller = portal.open(BrowserWallet(api, supplier))
    portal.sign_in(seller)
    portal.go(seller, "exchange")
    seller.click(f"button[data-confirm='{order['id']}']")
    _done(seller, "[data-testid=orders]")
    got = api.ok(api.get(new, f"/orders/{order['id']}"))
    assert got["status"] == "invoiced", got
    assert got["obligation_id"] is not None
    # The buyer anchors and signs the delivery act (the signature is gasless).
    portal.go(page, "exchange")
    page.click(f"button[data-act='{order['id']}']")
    _done(page, "[data-testid=orders]")
    act = api.ok(api.get(new, f"/orders/{order['id']}"))["act_sha256"]
    info = api.ok(api.get(new, f"/documents/{act}/info"))
    assert info["anchored"] and new.address in info["chain"]["signers"]
    portal.go(page, "exchange")
    expect(page.locator("[data-testid=acts] tbody tr")).to_have_count(1)
    screenshot(page, "exchange-orders-ru-desktop")


def _council_decides(api: Api, label: str, actions: list[Any]) -> None:
    sb = api.sandbox
    sb.governance.council.decide(sb.council[0], sb.council[:2], sb.chair, h(label), actions)
    api.synced()  # the decision is the test's own transaction: wait for the mirror


def test_fund_contribute_borrow_repay_and_property(portal: Portal, api: Api) -> None:
    """The fund page against the deployed fund: the payment token's decimals from the API,
    approve + contribute, request a loan, its schedule once the council disburses it, a
    repayment; the property register lists the assets the council registered."""
    sb, new, page = api.sandbox, STATE["new"], STATE["page"]
    fund_client = api.gateway.fund()
    assert fund_client is not None
    token = fund_client.token
    api.chain.transact(token.functions.mint(new.address, 1_000 * TOKEN), sb.deployer)
    portal.go(page, "fund")
    expect(page.locator("[data-testid=fund-token]")).to_contain_text("18")
    before = api.ok(api.get(new, f"/fund/members/{new.address}/position"))
    # Bad input is refused in the page; nothing is asked of the wallet.
    calls = len(STATE["wallet"].calls)
    page.fill("#contribute-amount", "1,0000000000000000001")
    page.click("#contribute-form button[type=submit]")
    expect(page.locator("#contribute-form .msg-error")).to_contain_text("Неверная сумма")
    assert len(STATE["wallet"].calls) == calls
    # Approve, then contribute: two transactions on one progress.
    page.fill("#contribute-amount", "150,5")
    page.click("#contribute-form button[type=submit]")
    expect(page.locator("#contribute-form .stage")).to_contain_text("Шаг 2 из 2", timeout=LONG)
    _done(page, "#contribute-form")
    position = api.ok(api.get(new, f"/fund/members/{new.address}/position"))
    assert int(position["balance"]) - int(before["balance"]) == 1505 * TOKEN // 10
    portal.go(page, "fund")
    expect(page.locator("[data-testid=fund-balance]")).to_contain_text("150,5")
    # A loan of 100 in two instalments over two months.
    text = "Ремонт теплицы"
    page.fill("#loan-amount", "100")
    page.fill("#loan-months", "2")
    page.fill("#loan-instalments", "2")
    page.fill("#loan-purpose", text)
    page.click("#loan-form button[type=submit]")
    _done(page, "#loan-form")
    loans = api.ok(api.get(new, f"/fund/members/{new.address}/loans"))["data"]
    loan = loans[-1]
    assert loan["principal"] == str(100 * TOKEN) and loan["state_name"] == "requested"
    assert loan["purpose"] == "0x" + hashlib.sha256(text.encode()).hexdigest()
    loan_id = loan["loan_id"]
    _council_decides(
        api,
        "approve the greenhouse loan",
        [fund_client.approve_action(loan_id, h("decision")), fund_client.disburse_action(loan_id)],
    )
    detail = api.ok(api.get(new, f"/fund/loans/{loan_id}"))
    assert detail["loan"]["state_name"] == "active"
    portal.go(page, "fund")
    schedule = page.locator(f"[data-testid=schedule-{loan_id}] tbody tr")
    expect(schedule).to_have_count(2)
    expect(schedule.nth(1).locator("td").nth(2)).to_contain_text("100")
    expect(schedule.nth(0).locator("td").nth(1)).not_to_contain_text("после выдачи")
    expect(page.locator("[data-testid=fund-borrowed]")).to_contain_text("100")
    # Repay 30: more than owed is refused in the page; then approve + repay.
    page.fill(f"#repay-{loan_id}-amount", "1000")
    page.click(f"#repay-{loan_id} button[type=submit]")
    expect(page.locator(f"#repay-{loan_id} .msg-error")).to_contain_text("Больше долга")
    page.fill(f"#repay-{loan_id}-amount", "30")
    page.click(f"#repay-{loan_id} button[type=submit]")
    _done(page, f"#repay-{loan_id}")
    detail = api.ok(api.get(new, f"/fund/loans/{loan_id}"))
    assert detail["loan"]["repaid"] == str(30 * TOKEN)
    portal.go(page, "fund")
    expect(page.locator(f"[data-testid=outstanding-{loan_id}]")).to_contain_text("70")
    screenshot(page, "fund-loan-ru-desktop")

    # The property register: an asset the council registered, in the page.
    registry = api.gateway.registry()
    assert registry is not None
    count = api.ok(api.get(new, "/property/assets"))["count"]
    _council_decides(
        api,
        "register the greenhouse",
        [
            registry.mint_action(
                new.address,
                Category.BUILDING,
                1_250_000 * TOKEN,
                h("greenhouse title"),
                h("greenhouse metadata"),
                h("decision greenhouse"),
            )
        ],
    )
    deadline = time.monotonic() + 30
    while api.ok(api.get(new, "/property/assets"))["count"] == count:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    portal.go(page, "property")
    rows = page.locator("[data-testid=property] tbody tr")
    expect(rows).to_have_count(count + 1)
    expect(rows.filter(has_text="здание")).to_contain_text("1\u00a0250\u00a0000")


def test_token_order_paid_from_the_wallet(portal: Portal, api: Api) -> None:
    """An offer with a token price ordered in the token: the supplier confirms (no ВРЕ
    invoice), the buyer pays by an ERC-20 transfer from the wallet and the order records it."""
    sb, new, page = api.sandbox, STATE["new"], STATE["page"]
    supplier = sb.members[1]
    token = api.gateway.coop.token
    offer = api.ok(
        api.post(
            supplier,
            "/offers",
            json={
                "title": "Саженцы яблони",
                "category": "plants",
                "price": str(3 * TOKEN),
                "token_price": str(25 * TOKEN // 10),
                "quantity": 20,
            },
        ),
        201,
    )
    portal.go(page, "exchange")
    row = page.locator("[data-testid=offers] tbody tr", has_text="Саженцы яблони")
    row.locator(f"#qty-{offer['id']}").fill("2")
    row.locator(f"#cur-{offer['id']}").select_option("token")
    row.get_by_role("button", name="Заказать").click()
    expect(row.locator(".msg-ok")).to_contain_text("№")
    order = next(o for o in api.ok(api.get(new, "/orders"))["data"] if o["offer_id"] == offer["id"])
    assert order["currency"] == "token" and order["token_total"] == str(5 * TOKEN)
    seller = portal.open(BrowserWallet(api, supplier))
    portal.sign_in(seller)
    portal.go(seller, "exchange")
    seller.click(f"button[data-confirm='{order['id']}']")
    _done(seller, "[data-testid=orders]")
    assert api.ok(api.get(new, f"/orders/{order['id']}"))["status"] == "confirmed"
    supplier_before = token.functions.balanceOf(supplier.address).call()
    portal.go(page, "exchange")
    page.click(f"button[data-pay='{order['id']}']")
    expect(page.locator("[data-testid=orders] .stage").last).to_contain_text(
        "Шаг 2 из 2", timeout=LONG
    )
    _done(page, "[data-testid=orders]")
    got = api.ok(api.get(new, f"/orders/{order['id']}"))
    assert got["token_payment_tx"] and got["settlement"] == "token", got
    assert token.functions.balanceOf(supplier.address).call() - supplier_before == 5 * TOKEN
    portal.go(page, "exchange")
    paid = page.locator("[data-testid=orders] tbody tr", has_text="оплачен токеном")
    expect(paid).to_have_count(1)
    expect(page.locator(f"button[data-pay='{order['id']}']")).to_have_count(0)
    # The union filter: the request asks for scope=union (this cooperative is in no union,
    # so its own offers are the whole union's catalogue).
    portal.requests.clear()
    page.select_option("#offer-scope", "union")
    expect(page.locator("[data-scope=union] [data-testid=offers]")).to_be_visible()
    assert any("scope=union" in url for _, url, _ in portal.requests)
    apples = page.locator("[data-testid=offers] tbody tr", has_text="Саженцы яблони")
    expect(apples).to_have_count(1)


def test_auditor_registers_audit_and_verify(portal: Portal, api: Api) -> None:
    sb = api.sandbox
    member, signer = sb.members[1], sb.members[2]
    content = f"Акт приёма-передачи № {time.time()}".encode()
    stored = api.ok(
        api.http.post(
            "/documents",
            content=content,
            headers={**api.headers(member), "Content-Type": "text/plain"},
        ),
        201,
    )
    digest = stored["sha256"]
    api.act(member, f"/documents/{digest}/anchor/tx", {"document_type": "contract"})
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

    page = portal.open(BrowserWallet(api, api.auditor))
    errors = _errors(page)
    portal.sign_in(page)
    expect(page.locator("[data-testid=roles]")).to_contain_text("ревизор")

    # Verify: the hash is computed in the browser; the file itself is never sent.
    portal.requests.clear()
    portal.go(page, "verify")
    act: FilePayload = {"name": "act.txt", "mimeType": "text/plain", "buffer": content}
    page.set_input_files("#verify-file", files=[act])
    result = page.locator("#verify-result")
    expect(result).to_have_attribute("data-anchored", "true")
    expect(result.locator("[data-testid=sha256]")).to_have_text(hashlib.sha256(content).hexdigest())
    expect(result.locator("[data-testid=anchored-by]")).to_have_text(member.address)
    expect(result.locator("[data-testid=signers]")).to_contain_text(signer.address)
    other = b"never anchored " + content
    unknown: FilePayload = {"name": "x.txt", "mimeType": "text/plain", "buffer": other}
    page.set_input_files("#verify-file", files=[unknown])
    expect(result).to_have_attribute("data-anchored", "false")
    expect(result).to_contain_text("не закреплён")
    screenshot(page, "verify-ru-desktop")
    for method, url, body in portal.requests:
        assert method == "GET", (method, url)
        assert body is None or (content not in body and other not in body)
        assert not url.endswith("/documents/verify")
    assert any(url.endswith(f"/audit/documents/{digest}") for _, url, _ in portal.requests)
    # Dropping the file on the page does the same.
    page.evaluate(
        """text => {
          const data = new DataTransfer();
          data.items.add(new File([text], 'act.txt', { type: 'text/plain' }));
          document.getElementById('drop-zone')
            .dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true }));
        }""",
        content.decode(),
    )
    expect(result).to_have_attribute("data-anchored", "true")
    expect(result.locator("[data-testid=sha256]")).to_have_text(hashlib.sha256(content).hexdigest())
    # Links to a document (from the agenda, the council, my documents) open the same check.
    portal.go(page, f"verify?sha256={digest}")
    expect(page.locator("#verify-result")).to_have_attribute("data-anchored", "true")

    # Registers with filters and CSV export.
    new = STATE["new"]
    portal.go(page, "registers?r=members")
    table = page.locator("[data-testid=register-members]")
    expect(table.locator("tbody tr")).to_have_count(
        api.ok(api.get(api.auditor, "/members"))["count"]
    )
    page.fill("#f-text", new.address[2:12].lower())
    expect(table.locator("tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.click("#export-csv")
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["account"] for r in rows] == [new.address]
    assert rows[0]["status_name"] == "member"
    assert rows[0]["units_balance"] == str(-255 * TOKEN // 10)  # exact, base units
    portal.go(page, "registers?r=obligations")
    page.select_option("#f-status", "accepted")
    page.click("#register-filters button[type=submit]")
    obligations = page.locator("[data-testid=register-obligations] tbody tr")
    expect(obligations.filter(has_text="погашен")).to_have_count(0)
    expect(obligations.filter(has_text="акцептован").first).to_be_visible()
    screenshot(page, "registers-ru-desktop")

    # The audit: the mirror against a fresh rebuild from the chain.
    portal.go(page, "audit")
    page.click("#run-audit")
    expect(page.locator("#audit-result")).to_have_attribute("data-ok", "true", timeout=180_000)
    expect(page.locator("#audit-result .msg-ok")).to_contain_text("Расхождений нет")
    screenshot(page, "audit-ru-desktop")
    assert errors == []


MEMBER_PAGES = ("home", "membership", "units", "meetings", "exchange", "fund", "property")
AUDITOR_PAGES = ("registers", "registers?r=obligations", "audit", "verify")
CHAIR_PAGES = ("council",)


def test_screenshots_ru_en_desktop_phone(portal: Portal, api: Api) -> None:
    new = STATE["new"]
    for who, account, routes in (
        ("member", new, MEMBER_PAGES),
        ("auditor", api.auditor, AUDITOR_PAGES),
        ("chair", api.sandbox.chair, CHAIR_PAGES),
    ):
        for device, viewport in (("desktop", None), ("phone", PHONE)):
            page = portal.open(BrowserWallet(api, account), viewport=viewport)
            errors = _errors(page)
            portal.sign_in(page)
            for lang in ("ru", "en"):
                if page.evaluate("document.documentElement.lang") != lang:
                    page.click("#lang")
                for route in routes:
                    portal.go(page, route)
                    if device == "phone":
                        width = page.evaluate("document.documentElement.scrollWidth")
                        assert width <= PHONE["width"], f"{route} overflows: {width}px"
                    name = route.replace("?r=", "-")
                    screenshot(page, f"{name}-{lang}-{device}")
            if who == "member":
                expect(page.locator("#nav")).to_contain_text("Units (ВРЕ)")
            assert errors == []
    # Signing out revokes the session on the gateway, not only in the page.
    token = page.evaluate("sessionStorage.getItem('coop.session')")
    assert api.http.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#sign-in")).to_be_visible()
    assert api.http.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # Nothing was asked of any host but the gateway (no CDN, no fonts, no analytics).
    ours = (api.base_url + "/", "data:", "blob:")
    foreign = {u for u in portal.all_urls if not u.startswith(ours)}
    assert foreign == set()
    assert any(u.endswith("/portal/app.js") for u in portal.all_urls)
