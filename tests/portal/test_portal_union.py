"""A union order in the browser: two cooperatives of a union (the real stack of
tests/exchange/test_union_e2e.py: anvil, one indexer, a gateway per cooperative). A member of
«Поле» finds an offer of «Лес» with the union filter and orders it; the supplier confirms and is
told that the council invoices (no wallet transaction); a council member of «Лес» prepares the
draft decision from the order and puts it to the council's vote from the page; both sides see
the order waiting for the councils."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account.signers.local import LocalAccount
from playwright.sync_api import Page, Playwright, expect

from tests.exchange.test_union_e2e import E18, Union, union  # noqa: F401  (the union's stack)
from tests.portal.conftest import BrowserWallet, Portal, screenshot
from tests.portal.test_portal import LONG, _done


def _open(portal: Portal, account: LocalAccount, route: str = "exchange") -> Page:
    page = portal.open(BrowserWallet(portal.api, account))
    portal.sign_in(page)
    portal.go(page, route)
    return page


@pytest.fixture(scope="module")
def portals(
    union: Union,  # noqa: F811
    playwright_instance: Playwright,
    chromium_path: str,
) -> Iterator[dict[str, Portal]]:
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path, headless=True, args=["--no-sandbox"]
    )
    out = {"field": Portal(union.field, browser), "forest": Portal(union.forest, browser)}
    try:
        yield out
    finally:
        for p in out.values():
            for c in p.contexts:
                c.close()
        browser.close()


def test_union_order_goes_to_the_councils(union: Union, portals: dict[str, Portal]) -> None:  # noqa: F811
    field, forest = union.field, union.forest
    buyer, supplier = field.sandbox.members[0], forest.sandbox.members[1]
    offer = forest.ok(
        forest.post(
            supplier,
            "/offers",
            json={
                "title": "Брус сосновый",
                "category": "лес",
                "unit": "м³",
                "price": str(7 * E18),
                "quantity": 9,
            },
        ),
        201,
    )
    # The buyer finds it only with the union filter, and orders it.
    page = _open(portals["field"], buyer)
    offers = page.locator("[data-testid=offers] tbody tr", has_text="Брус сосновый")
    expect(offers).to_have_count(0)
    page.select_option("#offer-scope", "union")
    expect(offers).to_have_count(1)
    expect(offers).to_contain_text(forest.sandbox.cooperative.addresses.charter[:6])
    offers.locator(f"#qty-{offer['id']}").fill("2")
    offers.get_by_role("button", name="Заказать").click()
    expect(offers.locator(".msg-ok")).to_contain_text("другого кооператива союза")
    order = field.ok(field.get(buyer, "/orders"))["data"][0]
    assert order["offer_id"] == offer["id"] and order["buyer_cooperative"]

    # The supplier confirms: no wallet transaction; the draft decision is explained.
    seller = _open(portals["forest"], supplier)
    seller.click(f"button[data-confirm='{order['id']}']")
    _done(seller, "[data-testid=orders]")
    box = seller.locator("[data-testid=union-proposal]")
    expect(box).to_contain_text("совет")
    expect(box).to_contain_text("член совета")
    expect(box.get_by_role("link", name="Открыть страницу совета")).to_have_attribute(
        "href", "#/council"
    )
    expect(box.locator("button[data-propose-union]")).to_have_count(0)  # not on the council
    got = forest.ok(forest.get(supplier, f"/orders/{order['id']}"))
    assert got["status"] == "confirmed" and got["obligation_id"] is None

    # A council member of «Лес» prepares the decision from the order and proposes it.
    member = forest.sandbox.council[1]
    council = _open(portals["forest"], member)
    row = council.locator("[data-testid=orders] tbody tr", has_text=supplier.address[:6]).filter(
        has=council.locator(f"button[data-union='invoice-{order['id']}']")
    )
    expect(row.locator("[data-testid=union-waiting]")).to_contain_text("Ожидает решений советов")
    row.locator(f"button[data-union='invoice-{order['id']}']").click()
    box = row.locator("[data-testid=union-proposal]")
    expect(box).to_contain_text("внесите его на голосование совета")
    box.locator("button[data-propose-union]").click()
    _done(council, "[data-testid=union-proposal]")
    screenshot(council, "exchange-union-ru-desktop")
    items = forest.ok(forest.get(member, "/council/items"))["data"]
    proposed = [i for i in items if i["state_name"] == "pending"]
    assert proposed, items
    item_id = max(i["item_id"] for i in proposed)
    box.get_by_role("link", name="Открыть страницу совета").click()
    council.wait_for_function("() => document.getElementById('main').dataset.page === 'council'")
    expect(council.locator(f"button[data-vote='{item_id}']")).to_be_visible(timeout=LONG)
    council.wait_for_function("() => !document.querySelector('.lazy')")
    expect(council.locator("#nav")).to_contain_text("Биржа")  # the council sees union orders
    screenshot(council, "council-union-ru-desktop")

    # The buyer sees the order waiting for the councils.
    portals["field"].go(page, "exchange")
    mine = page.locator("[data-testid=orders] tbody tr").filter(has_text="другого кооператива")
    expect(mine.first.locator("[data-testid=union-waiting]")).to_be_visible()
