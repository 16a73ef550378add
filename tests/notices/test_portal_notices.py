"""The portal's Notices page in Debian's Chromium: a member reads the meeting's notice in the
inbox, gives an e-mail address, types the code the real SMTP server received, and marks the
notice read; only the page is used."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

from tests.api.conftest import Api
from tests.notices.conftest import SmtpServer, code_in, text_of
from tests.portal.conftest import CHROMIUM, BrowserWallet, Portal


@pytest.fixture(scope="module")
def portal(napi: Api) -> Iterator[Portal]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        portal = Portal(napi, browser)
        try:
            yield portal
        finally:
            for c in portal.contexts:
                c.close()
            browser.close()


def test_notices_page_inbox_and_email(portal: Portal, napi: Api, smtp: SmtpServer) -> None:
    member = napi.sandbox.members[3]
    page = portal.open(BrowserWallet(napi, member))
    portal.sign_in(page)
    portal.go(page, "notices")
    inbox = page.locator("[data-testid=notices-inbox]")
    notice = inbox.locator("li[data-kind=meeting_convened]")
    assert "УВЕДОМЛЕНИЕ О СОЗЫВЕ ОБЩЕГО СОБРАНИЯ" in notice.inner_text()
    unread_before = napi.ok(napi.get(member, "/notices/inbox"))["unread"]

    page.fill("#notices-email", "gleb@mail.example")
    page.click("[data-testid=notices-email-send]")
    page.wait_for_selector("text=Код отправлен на gleb@mail.example")
    (mail,) = smtp.mailbox.wait("gleb@mail.example", "email_confirm")
    page.fill("#notices-code", code_in(text_of(mail)))
    page.click("[data-testid=notices-email-confirm]")
    page.wait_for_selector(".msg-ok >> text=Адрес подтверждён")
    prefs = napi.ok(napi.get(member, "/notices/preferences"))
    assert prefs["email"] == {"address": "gleb@mail.example", "confirmed": True}

    notice.locator("button").click()
    page.wait_for_function("() => !document.querySelector('li[data-kind=meeting_convened].unread')")
    assert napi.ok(napi.get(member, "/notices/inbox"))["unread"] == unread_before - 1
