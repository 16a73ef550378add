"""The cashier's bank page in Chromium: import a statement, see the proposal and the queue,
confirm with the cashier's wallet; a member sees the payment references to quote."""

from __future__ import annotations

from playwright.sync_api import FilePayload, expect

from tests.api.conftest import Api
from tests.api.test_bank import install
from tests.bank.statements import Payment, one_c
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
