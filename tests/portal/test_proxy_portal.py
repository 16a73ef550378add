"""Proxies in the browser (real Chromium, real stack): a member gives another member a proxy on
the «Доверенности» page (document made, signed in the wallet, relayed); the holder votes for
themselves on the meetings page and for the principal on the proxies page; the tally counts two."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from node.governance.client import Convocation, Question
from node.governance.sandbox import h, now, warp
from tests.api.conftest import Api
from tests.portal.conftest import BrowserWallet, Portal
from tests.portal.test_portal import _done

LONG = 60_000


def test_give_a_proxy_and_the_holder_votes_for_both(portal: Portal, api: Api) -> None:
    sb = api.sandbox
    principal, holder = sb.members[0], sb.members[1]
    opens = now(api.chain) + sb.governance.meeting.notice_period() + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + 7 * 86_400,
        secretary=sb.secretary.address,
        questions=(Question(h("portal proxy question")),),
    )
    meeting_id = sb.governance.convene(
        sb.council[0], sb.council[:2], sb.chair, convocation, h("portal proxy convene")
    )
    api.synced()

    # The principal gives the proxy: the page says what will happen before anything is signed.
    page = portal.open(BrowserWallet(api, principal), route="proxies")
    portal.sign_in(page)
    portal.go(page, "proxies")
    expect(page.locator("nav")).to_contain_text("Доверенности")
    page.select_option("#proxy-meeting", str(meeting_id))
    page.fill("#proxy-holder", holder.address)
    expect(page.locator("[data-testid=proxy-preview]")).to_contain_text(holder.address)
    expect(page.locator("[data-testid=proxy-preview]")).to_contain_text(f"№ {meeting_id}")
    page.get_by_role("button", name="Сформировать и подписать доверенность").click()
    _done(page, "#proxy-give")
    portal.go(page, "proxies")
    given = page.locator("[data-testid=proxies-given]")
    expect(given).to_contain_text("действует")

    # Voting opens; the holder votes for themselves and, as proxy, for the principal.
    warp(api.chain, opens + 1)
    api.synced()
    other = portal.open(BrowserWallet(api, holder), route="meetings")
    portal.sign_in(other)
    portal.go(other, "meetings")
    own = other.locator(f"#ballot-{meeting_id}")
    own.get_by_role("button", name="Подписать бюллетень").click()
    _done(other, f"#ballot-{meeting_id}")
    portal.go(other, "proxies")
    expect(other.locator("[data-testid=proxies-received]")).to_contain_text("действует")
    form = other.locator(f"#proxy-ballot-{meeting_id}-{principal.address}")
    form.get_by_label("против").check()
    form.get_by_role("button", name="Подписать бюллетень").click()
    _done(other, f"#proxy-ballot-{meeting_id}-{principal.address}")

    info = sb.governance.meeting.meeting(meeting_id)
    assert info.participants == 2
    q = sb.governance.meeting.contract.functions.question(meeting_id, 0).call()
    assert (q[3], q[4]) == (1, 1)  # the holder for, the principal (by proxy) against
    portal.go(other, "proxies")
    expect(other.locator("[data-testid=proxies-received]")).to_contain_text(
        re.compile("использована")
    )

    # The holder's membership page: the decisions that concern them (their ballot), and what
    # the contracts say about leaving, before anything is signed.
    portal.go(other, "membership")
    expect(other.locator("[data-testid=member-decisions]")).to_contain_text("Мой голос на собрании")
    other.click("#exit-check")
    expect(other.locator("[data-testid=exit-blockers]")).to_contain_text("ВРЕ")
