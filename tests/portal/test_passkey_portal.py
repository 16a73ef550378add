"""A person with only a browser and a passkey, in headless Chromium with its virtual WebAuthn
authenticator (the DevTools protocol's WebAuthn domain, through Playwright's CDP session): they
create a passkey, join without ETH, are admitted, vote, accept an invoice, add a second passkey
(a second device), lose both and are recovered by the council.

One scenario, kept lean: the council's steps are taken directly on the chain (the council's
portal pages have their own tests in test_portal.py). The page is opened at `localhost`, the
only host name a WebAuthn relying party may have on plain HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import CDPSession, Page, expect

from node.governance import Action
from tests.accounts.admission import admit_and_convene
from tests.api.conftest import Api
from tests.portal.conftest import Portal

TOKEN = 10**18
LONG = 60_000


@pytest.fixture
def localhost(api: Api) -> Iterator[str]:
    """The gateway's URL at `localhost`, with passkeys made for it (restored afterwards)."""
    settings = api.gateway.settings
    saved = settings.passkey_rp_id, settings.passkey_origins
    url = api.base_url.replace("127.0.0.1", "localhost")
    settings.passkey_rp_id, settings.passkey_origins = "localhost", [url]
    yield url
    settings.passkey_rp_id, settings.passkey_origins = saved


def authenticator(cdp: CDPSession, present: bool = True, transport: str = "internal") -> str:
    """A passkey authenticator, user verified: this device's own (fingerprint or face:
    `internal`; Chrome has one per browser) or another one (`usb`: a security key, or a phone
    reached from this computer)."""
    options: dict[str, Any] = {
        "protocol": "ctap2",
        "transport": transport,
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": present,
    }
    answer: dict[str, str] = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    return answer["authenticatorId"]


def present(cdp: CDPSession, authenticator_id: str, yes: bool) -> None:
    """Whether the authenticator answers (a person touching that device, or not)."""
    cdp.send(
        "WebAuthn.setAutomaticPresenceSimulation",
        {"authenticatorId": authenticator_id, "enabled": yes},
    )


def done(page: Page, scope: str) -> None:
    progress = page.locator(f"{scope} .progress").last
    expect(progress).to_have_attribute("data-state", re.compile("indexed|failed"), timeout=LONG)
    if progress.get_attribute("data-state") == "failed":
        pytest.fail(page.locator(f"{scope} .msg-error").last.inner_text())


def roles(page: Page) -> str:
    return page.locator("[data-testid=roles]").inner_text()


def test_join_vote_trade_add_a_passkey_lose_both_and_be_recovered(
    portal: Portal, api: Api, localhost: str
) -> None:
    sb, w3 = api.sandbox, api.chain.w3
    context = portal.browser.new_context(locale="ru-RU")
    portal.contexts.append(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    phone = authenticator(cdp)
    page.goto(f"{localhost}/#/home")
    page.wait_for_selector("body[data-ready='1']")

    # No wallet in this browser: "Sign in with a passkey" beside the wallet button; a new
    # person creates one, and their account's address is known at once.
    expect(page.locator("#passkey-sign-in")).to_have_text("Войти с ключом доступа")
    page.click("#passkey-create")
    expect(page.locator("[data-testid=roles]")).to_contain_text("нет ролей", timeout=LONG)
    address = page.evaluate("sessionStorage.getItem('coop.address')")
    assert w3.eth.get_code(address) == b""

    # Joins: the application is signed by the passkey, the account deployed with it, no ETH.
    page.get_by_role("link", name="Вступить").click()
    page.fill("#full_name", "Петрова Анна Сергеевна")
    page.fill("#birth_date", "1992-06-01")
    page.fill("#document_number", "4511 654321")
    page.fill("#postal_address", "Тверь, ул. Советская, 5")
    page.click("#generate")
    expect(page.locator("#sign-application")).to_be_enabled(timeout=LONG)
    page.click("#sign-application")
    done(page, ".outcome")
    assert w3.eth.get_code(address) != b"" and w3.eth.get_balance(address) == 0
    assert api.ok(api.get(sb.members[0], f"/members/{address}"))["status_name"] == "applicant"

    # The council admits (with a ВРЕ credit limit) and convenes a meeting.
    admit_and_convene(api, address, b"\x61\x62\x63\x64\x65")
    coop, units = sb.cooperative, api.gateway.units.contract
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("[data-testid=roles]")).to_contain_text("пайщик")

    # Votes with the passkey.
    meeting_id = api.ok(api.get(sb.members[0], "/meetings"))["data"][-1]["meeting_id"]
    portal.go(page, "meetings")
    form = page.locator(f"#ballot-{meeting_id}")
    form.get_by_role("button", name="Подписать бюллетень").click()
    done(page, f"#ballot-{meeting_id}")
    assert sb.governance.meeting.contract.functions.hasVoted(meeting_id, address).call()

    # Accepts an invoice, and transfers ВРЕ (the account's own call, relayed).
    other = sb.members[0]
    api.act(other, "/units/invoices/tx", {"debtor": address, "amount": str(7 * TOKEN)})
    api.synced()
    portal.go(page, "units")
    oid = api.ok(
        api.get(other, "/units/obligations", params={"debtor": address, "status": "issued"})
    )["data"][0]["obligation_id"]
    page.click(f"button[data-obligation='{oid}']")
    done(page, "[data-testid=to-accept]")
    portal.go(page, "units")
    page.fill("#transfer-form-to", other.address)
    page.fill("#transfer-form-amount", "2,5")
    page.click("#transfer-form button[type=submit]")
    done(page, "#transfer-form")
    assert units.functions.signedBalanceOf(address).call() == -25 * TOKEN // 10
    assert w3.eth.get_balance(address) == 0

    # A second passkey on another authenticator: made there, confirmed with the first one.
    laptop = authenticator(cdp, present=True, transport="usb")
    present(cdp, phone, False)
    portal.go(page, "passkeys")
    page.fill("#passkey-label", "ноутбук")
    page.click("#passkey-add")
    expect(page.locator("#passkey-confirm")).to_be_visible(timeout=LONG)
    present(cdp, phone, True)
    present(cdp, laptop, False)
    page.click("#passkey-confirm")
    done(page, ".page")
    account = api.chain.contract("PasskeyAccount", address)
    assert account.functions.passkeyCount().call() == 2
    expect(page.locator("[data-testid=passkeys] tbody tr")).to_have_count(2)

    # The laptop removed again (signed by the phone), then forgotten; the last one stays.
    rows = page.locator("[data-testid=passkeys] tbody tr")
    rows.nth(1).locator("button[data-remove]").click()
    rows.nth(1).locator("button[data-remove-confirm]").click()
    expect(page.locator("[data-testid=passkeys] button[data-forget]")).to_be_visible(timeout=LONG)
    assert account.functions.passkeyCount().call() == 1
    page.click("[data-testid=passkeys] button[data-forget]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("последний ключ")
    expect(page.locator("[data-testid=passkeys] button[data-remove]")).to_have_count(0)

    # Both devices lost: a new passkey on a new phone is a new account; the council moves
    # the membership (shares, ВРЕ balance, vote) to it by its key recovery decision.
    for gone in (phone, laptop):
        cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": gone})
    authenticator(cdp)
    page.get_by_role("button", name="Выйти").click()
    page.click("#passkey-create")
    expect(page.locator("[data-testid=roles]")).to_contain_text("нет ролей", timeout=LONG)
    recovered = page.evaluate("sessionStorage.getItem('coop.address')")
    assert recovered != address
    sb.governance.council.decide(
        sb.council[0],
        sb.council[:2],
        sb.chair,
        b"\x66" * 32,
        [Action.call(coop.membership, "recoverMembership", address, recovered, b"\x67" * 32)],
    )
    api.synced()
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("[data-testid=roles]")).to_contain_text("пайщик")
    assert units.functions.signedBalanceOf(recovered).call() == -25 * TOKEN // 10
    assert errors == []
