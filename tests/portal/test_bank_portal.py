"""The cashier's bank page in Chromium: import a statement, see the proposal and the queue,
confirm with the cashier's wallet; a member sees the payment references to quote."""

from __future__ import annotations

from pathlib import Path

from eth_utils import keccak
from playwright.sync_api import FilePayload, expect

from node.bank.formats import Party, parse_1c
from node.bank.settle import Owed, issue_orders
from tests.api.conftest import Api
from tests.api.test_bank import install
from tests.bank.statements import COOP_INN, Payment, one_c
from tests.portal.conftest import BrowserWallet, Portal

LONG = 60_000


def test_cashier_confirms_a_bank_payment(portal: Portal, api: Api) -> None:
    install(api)
    sb = api.sandbox
    coop = sb.cooperative
    member = sb.members[2]
    index = int(coop.membership.functions.memberIndexOf(member.address).call())
    before = coop.holding(member.address).paid_off_chain
    scale = 10 ** (coop.shares.functions.decimals().call() - 2)

    # The member sees the reference to quote.
    page = portal.open(BrowserWallet(api, member))
    portal.sign_in(page)
    portal.go(page, "membership")
    expect(page.locator("[data-testid='ref-ПАЙ']")).to_have_text(f"КП-{index}-ПАЙ", timeout=LONG)

    statement = one_c(
        [
            Payment("701", 250_00, f"Добровольный паевой взнос КП-{index}-ПАЙ"),
            Payment("702", 10_00, "без ссылки", payer_account="40817810000000000702"),
        ]
    )
    page = portal.open(BrowserWallet(api, sb.deployer))  # the cashier
    portal.sign_in(page)
    expect(page.locator("[data-testid=roles]")).to_contain_text("кассир")
    portal.go(page, "bank")
    file: FilePayload = {"name": "kl_to_1c.txt", "mimeType": "text/plain", "buffer": statement}
    page.set_input_files("#bank-file", files=[file])
    page.click("#bank-import")
    expect(page.locator("#bank-status")).to_contain_text("Новых строк: 2", timeout=LONG)
    expect(page.locator("[data-testid=bank-proposed]")).to_contain_text(member.address)
    expect(page.locator("[data-testid=bank-queued]")).to_contain_text("нет ссылки")
    page.click("#bank-confirm")
    expect(page.locator(".outcome .msg-ok")).to_be_visible(timeout=LONG)
    assert coop.holding(member.address).paid_off_chain == before + 250_00 * scale
    recorded = api.ok(api.get(sb.deployer, "/bank/lines", params={"status": "recorded"}))
    assert any(r["purpose"].endswith(f"КП-{index}-ПАЙ") for r in recorded)
    # A member is not a cashier: the page says so and shows nothing.
    page = portal.open(BrowserWallet(api, member))
    portal.sign_in(page)
    portal.go(page, "bank")
    expect(page.locator("#main")).to_contain_text("для кассира")


def test_orders_reports_refund_details_and_ruble_loans(portal: Portal, api: Api) -> None:
    """The cashier downloads the payment orders as a 1C file and a report as XLSX; a member
    gives the refund details for the exit and sees their ruble loan on the fund page."""
    install(api)
    sb = api.sandbox
    cashier, member = sb.deployer, sb.members[3]
    engine = api.gateway.engine
    # A loan order as `coop bank payout` makes it from a council decision (the decision's check
    # is the chain scenarios' business): approved, not paid out yet.
    payee = Party("Пайщик Четвёртый", "", "", "40817810400000000042", "044525225")
    loan = Owed(keccak(b"portal loan"), "loan", member.address, 1_234_56, keccak(b"decision"))
    (order_id,), _ = issue_orders(engine, [loan], payee_override={member.address: payee})

    page = portal.open(BrowserWallet(api, cashier))
    portal.sign_in(page)
    portal.go(page, "bank")
    expect(page.locator("[data-testid=bank-orders]")).to_contain_text("1234.56", timeout=LONG)
    page.click("#bank-orders-issue")  # nothing owed by exits here: no new order
    expect(page.locator("#bank-orders-status")).to_contain_text("Новых поручений: 0")
    page.fill("#bank-ours-name", "ПК «Тест»")
    page.fill("#bank-ours-inn", COOP_INN)
    page.fill("#bank-ours-account", "40702810038000017240")
    page.fill("#bank-ours-bik", "044525225")
    with page.expect_download() as got:
        page.click("#bank-orders-file")
    orders = got.value
    assert orders.suggested_filename == "kl_to_1c.txt"
    (line,) = parse_1c(Path(orders.path()).read_bytes()).lines
    assert line.amount == 1_234_56 and line.payee.account == payee.account
    page.click("#bank-close")  # no statement shows it paid yet: nothing to close
    expect(page.locator(".outcome")).to_contain_text("Нет оплаченных поручений", timeout=LONG)
    page.click("#bank-ledger")
    expect(page.locator("#bank-books-status")).to_contain_text("Проводок:", timeout=LONG)
    page.select_option("#bank-report-kind", "osv")
    with page.expect_download() as got:
        page.click("#bank-report")
    assert got.value.suggested_filename.startswith("osv_")
    assert Path(got.value.path()).read_bytes()[:2] == b"PK"  # XLSX

    # The auditor reads the books and the loans on #/bank, and has nothing to change there.
    page = portal.open(BrowserWallet(api, api.auditor))
    portal.sign_in(page)
    portal.go(page, "bank")
    expect(page.locator("#bank-report")).to_be_visible(timeout=LONG)
    expect(page.locator("[data-testid=bank-ruble-loans]")).to_contain_text(f"ЗАЙМ-{order_id}")
    for cashier_only in ("#bank-import", "#bank-orders-file", "#bank-close", "#bank-ledger"):
        expect(page.locator(cashier_only)).to_have_count(0)

    # The member: refund details on the membership page (a mistyped account is refused).
    page = portal.open(BrowserWallet(api, member))
    portal.sign_in(page)
    portal.go(page, "membership")
    page.fill("#bank-refund-name", "Пайщик Четвёртый")
    page.fill("#bank-refund-account", "40817810500000000042")
    page.fill("#bank-refund-bik", "044525225")
    page.click("#bank-refund-save")
    expect(page.locator("#bank-refund-status")).to_contain_text("контрольному ключу")
    page.fill("#bank-refund-account", "40817810400000000042")
    page.click("#bank-refund-save")
    expect(page.locator("#bank-refund-status")).to_contain_text("SHA-256", timeout=LONG)
    assert api.ok(api.get(member, "/bank/refund-details"))["account"] == "40817810400000000042"
    # The fund page: the member's ruble loan, approved and not paid out, with its reference.
    portal.go(page, "fund")
    loans = page.locator("[data-testid=bank-ruble-loans]")
    expect(loans).to_contain_text("одобрен, не выдан", timeout=LONG)
    expect(loans).to_contain_text(f"ЗАЙМ-{order_id}")
