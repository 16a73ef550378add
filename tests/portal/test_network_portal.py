"""The cooperative switcher: a member of «Поле» and «Лес» (one node serving the network of
tests/api/test_network.py) signs in once, switches to «Лес», and the portal then calls «Лес»'s
scoped API (`/c/3/...`) with the same session and shows «Лес»'s name and roles. A member of
one cooperative only sees no switcher."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from playwright.sync_api import Playwright, expect

from tests.api.test_network import Net, net  # noqa: F401  (the network's stack)
from tests.portal.conftest import BrowserWallet, Portal


@pytest.fixture(scope="module")
def portal(net: Net, playwright_instance: Playwright, chromium_path: str) -> Iterator[Portal]:  # noqa: F811
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path, headless=True, args=["--no-sandbox"]
    )
    stack = SimpleNamespace(chain=net.chain, base_url=net.url)
    p = Portal(stack, browser)  # type: ignore[arg-type]
    try:
        yield p
    finally:
        for c in p.contexts:
            c.close()
        browser.close()


def test_member_of_two_cooperatives_switches(net: Net, portal: Portal) -> None:  # noqa: F811
    page = portal.open(BrowserWallet(portal.api, net.both))
    portal.sign_in(page)
    switcher = page.locator("[data-testid=coop-switcher]")
    expect(switcher.locator("option")).to_have_count(2)
    expect(page.locator("#coop-name")).to_have_text("Кооператив «Поле»")
    portal.requests.clear()
    switcher.select_option("3")
    expect(page.locator("#coop-name")).to_have_text("Кооператив «Лес»")
    expect(page.locator("[data-testid=roles]")).to_contain_text("пайщик")
    urls = [url for _, url, _ in portal.requests]
    assert any(url.endswith("/c/3/auth/me") for url in urls), urls
    assert not any(url.endswith("/auth/me") and "/c/3/" not in url for url in urls), urls
    # Reloaded, the page stays with «Лес».
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#coop-name")).to_have_text("Кооператив «Лес»")

    # Opened at «Лес»'s own address, signed out: «Лес» is in view.
    direct = portal.open(None, route="home")
    direct.goto(f"{net.url}/c/3/#/home")
    direct.wait_for_selector("body[data-ready='1']")
    expect(direct.locator("#coop-name")).to_have_text("Кооператив «Лес»")

    single = portal.open(BrowserWallet(portal.api, net.members["field"][1]))
    portal.sign_in(single)
    expect(single.locator("[data-testid=roles]")).to_be_visible()
    expect(single.locator("[data-testid=coop-switcher]")).to_have_count(0)
