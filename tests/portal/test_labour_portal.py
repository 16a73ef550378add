"""The «Труд» page in the browser (real Chromium, real stack): a member makes the results act
and records the work (anchor and record signed in the wallet); the approver the council
appointed sees it in the queue and approves it; the member sees it counted as points."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from node.chain.devkeys import dev_accounts
from node.governance.sandbox import h
from node.labour import LabourRegister, Unit, deploy_installer, install_action, predict_register
from tests.api.conftest import Api
from tests.labour.conftest import council_decides
from tests.portal.conftest import BrowserWallet, Portal
from tests.portal.test_portal import _done

LONG = 60_000
TOKEN = 10**18


def test_record_and_approve_work(portal: Portal, api: Api) -> None:
    sb = api.sandbox
    member, approver = sb.members[2], dev_accounts(10)[5]
    installer = deploy_installer(api.chain, sb.deployer)["installer"]
    charter = sb.cooperative.addresses.charter
    reg = LabourRegister(api.chain, predict_register(api.chain, installer, charter))
    council_decides(
        sb,
        [
            install_action(api.chain, installer, charter, False),
            reg.set_rate_action(0, 450 * TOKEN, Unit.HOUR, True, h("portal rate")),
            reg.set_approver_action(approver.address),
        ],
        "portal labour register",
    )
    api.synced()

    page = portal.open(BrowserWallet(api, member), route="labour")
    portal.sign_in(page)
    portal.go(page, "labour")
    expect(page.locator("nav")).to_contain_text("Труд")
    form = page.locator("[data-testid=labour-record]")
    page.fill("#labour-period", "20281")
    page.fill("#labour-quantity", "800")
    page.fill("#labour-task", "Сборка стеллажей")
    page.fill("#labour-result", "Собрано 4 стеллажа")
    form.get_by_role("button", name="Составить акт и записать работу").click()
    _done(page, "[data-testid=labour-record]")
    portal.go(page, "labour")
    expect(page.locator("[data-testid=labour-mine]")).to_contain_text("recorded", timeout=LONG)

    other = portal.open(BrowserWallet(api, approver), route="labour")
    portal.sign_in(other)
    portal.go(other, "labour")
    queue = other.locator("[data-testid=labour-queue]")
    expect(queue).to_contain_text(re.compile(r"3\s600"), timeout=LONG)
    queue.get_by_role("button", name="Утвердить", exact=True).first.click()
    _done(other, "[data-testid=labour-queue]")
    portal.go(page, "labour")
    expect(page.locator("[data-testid=labour-mine]")).to_contain_text("points", timeout=LONG)
