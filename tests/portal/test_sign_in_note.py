"""The sign-in request explained in the person's language: the wallet shows the EIP-4361 message
in English (the standard allows ASCII only), so the portal says beside it, Russian first, what is
signed, for which site, and that it costs nothing."""

from __future__ import annotations

from eth_account import Account
from playwright.sync_api import Page

from tests.api.conftest import SIWE_DOMAIN, Api
from tests.portal.conftest import BrowserWallet, Portal

#: Remember what the page showed at the moment the wallet was asked to sign.
SPY = """() => {
  const request = window.ethereum.request.bind(window.ethereum);
  window.ethereum.request = async (args) => {
    if (args.method === "personal_sign") {
      window.noteAtSign = document.querySelector("[data-testid=sign-in-note]")?.textContent ?? null;
    }
    return request(args);
  };
}"""


def _note_at_sign(portal: Portal, api: Api, lang: str) -> str:
    page: Page = portal.open(BrowserWallet(api, Account.create()), lang=lang)
    page.evaluate(SPY)
    portal.sign_in(page)
    note: str = page.evaluate("window.noteAtSign")
    assert page.locator("[data-testid=sign-in-note]").count() == 0  # gone once signed in
    return note


def test_sign_in_request_is_explained_in_russian_then_english(portal: Portal, api: Api) -> None:
    ru = _note_at_sign(portal, api, "ru")
    assert "Sign-In with Ethereum" in ru and SIWE_DOMAIN in ru
    assert "не отправляет транзакцию и не стоит газа" in ru
    en = _note_at_sign(portal, api, "en")
    assert SIWE_DOMAIN in en and "costs no gas" in en
