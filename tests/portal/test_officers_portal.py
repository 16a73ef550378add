"""The officers run the cooperative from the portal, in Chromium, on a stack of their own (so the
other portal tests keep their numbering of items and meetings): the verifier checks an
applicant's papers and attests the identity from the work list; the council admits them with the
typed decision form (preview: who, what, which document; then the wallet); and one whole general
meeting, from convening to an executed decision, only through the portal: convene (law's
majority prefilled, notice period shown), council votes, the chair's generated protocol,
execution, members' ballots, closing, the secretary's and the chair's protocol, and the accepted
charter change executed. The only thing done outside the portal is moving the chain's clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from playwright.sync_api import Page, Playwright, expect

from node.governance.sandbox import warp
from tests.api.conftest import Api, running_gateway
from tests.portal.conftest import BrowserWallet, Portal

LONG = 60_000


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_gateway(tmp_path_factory.mktemp("officers"), with_modules=False) as api:
        yield api


@pytest.fixture(scope="module")
def officers(stack: Api, playwright_instance: Playwright, chromium_path: str) -> Iterator[Portal]:
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path, headless=True, args=["--no-sandbox"]
    )
    portal = Portal(stack, browser)
    try:
        yield portal
    finally:
        for c in portal.contexts:
            c.close()
        browser.close()


def _done(page: Page, scope: str) -> None:
    progress = page.locator(f"{scope} .progress").last
    expect(progress).to_have_attribute("data-state", re.compile("indexed|failed"), timeout=LONG)
    if progress.get_attribute("data-state") == "failed":
        pytest.fail(page.locator(f"{scope} .outcome").last.inner_text())


def _as(portal: Portal, account: LocalAccount, route: str) -> Page:
    page = portal.open(BrowserWallet(portal.api, account))
    portal.sign_in(page)
    portal.go(page, route)
    return page


def _sign_preview(page: Page, scope: str, expect_text: str) -> None:
    """The preview shows what will happen; only then does the officer sign."""
    expect(page.locator(f"{scope} [data-testid=preview]")).to_contain_text(
        expect_text, timeout=LONG
    )
    page.locator(f"{scope} button[data-sign]").click()
    _done(page, scope)


def _join(api: Api) -> LocalAccount:
    """An applicant through the API (the member's side is another test's): identity stored,
    application signed and relayed."""
    new = Account.create()
    identity = {
        "name": "Петров Пётр Петрович",
        "birth_date": "1985-01-02",
        "document_number": "4510 654321",
        "address": "Тула, ул. Ленина, 2",
    }
    api.ok(
        api.http.put(f"/members/{new.address}/identity", json=identity, headers=api.headers(new))
    )
    draft = api.ok(api.post(new, "/applications/draft", json={"kind": "individual"}))
    message = draft["typed_data"]["message"]
    relay = api.ok(
        api.post(
            new,
            "/applications",
            json={
                "applicant": new.address,
                "kind": "individual",
                "identity_hash": message["identityHash"],
                "application_hash": message["applicationHash"],
                "nonce": message["nonce"],
                "deadline": message["deadline"],
                "signature": api.sign_typed(new, draft["typed_data"]),
            },
        ),
        202,
    )
    assert api.wait(new, relay["id"])["status"] == "indexed"
    return new


def test_verifier_then_council_admit_from_the_work_list(officers: Portal, stack: Api) -> None:
    api, sb = stack, stack.sandbox
    new = _join(api)
    # The verifier (the chair attests identities) sees the applicant in the work list, opens the
    # record (decrypted for them, the read logged) and attests the check.
    page = _as(officers, sb.chair, "work")
    row = page.locator("[data-testid=work-tasks] tr", has_text=new.address)
    expect(row).to_contain_text("Проверить личность")
    row.locator(f"button[data-show-identity='{new.address}']").click()
    expect(page.locator(f"[data-testid='identity-{new.address}']")).to_contain_text("Петров Пётр")
    page.locator(f"button[data-attest-identity='{new.address}']").click()
    _done(page, "[data-testid=work-tasks]")
    assert sb.cooperative.member(new.address).identity_verified
    log = api.ok(api.get(new, f"/members/{new.address}/identity/disclosures"))
    assert any(d["viewer"] == sb.chair.address and d["what"] == "identity" for d in log)
    api.act(sb.deployer, f"/members/{new.address}/payment/tx", {"record_hash": "0x" + "22" * 32})
    api.synced()

    # A council member's work list now says "propose the admission"; the typed form builds it.
    page = _as(officers, sb.council[1], "work")
    expect(page.locator("[data-testid=work-tasks]")).to_contain_text("решение о приёме")
    portal = officers
    portal.go(page, "council")
    # A refusal first: an address that never applied, answered in Russian, nothing sent.
    stranger = Account.create().address
    page.select_option("#decision-kind", "admission")
    page.fill("#decision-account", stranger)
    page.click("#decision-form button[type=submit]")
    expect(page.locator("[data-testid=decision-draft] .msg-error")).to_contain_text(
        "Адрес не подавал заявления", timeout=LONG
    )
    page.fill("#decision-account", new.address)
    page.fill("#decision-reason", "Документы проверены, взносы оплачены")
    page.click("#decision-form button[type=submit]")
    preview = page.locator("[data-testid=decision-draft] [data-testid=preview]")
    expect(preview).to_contain_text(new.address, timeout=LONG)
    expect(preview.locator("[data-testid=preview-actions]")).to_contain_text("admit")
    document = preview.locator("[data-testid=preview-doc]").inner_text()
    _sign_preview(page, "[data-testid=decision-draft]", "Приём в пайщики")
    items = api.ok(api.get(sb.chair, "/council/items"))["data"]
    item = max(items, key=lambda i: i["item_id"])
    assert item["document_hash"] == "0x" + document and item["state_name"] == "pending"
    # Votes, who voted, the chair's generated protocol, the execution.
    _vote_protocol_execute(officers, api, item["item_id"], "admit")
    assert sb.cooperative.is_active_member(new.address)


def _vote_protocol_execute(portal: Portal, api: Api, item_id: int, what: str) -> None:
    sb = api.sandbox
    for voter in sb.council[1:3]:
        page = _as(portal, voter, "council")
        page.click(f"button[data-vote='{item_id}']")
        _done(page, "#main")
    portal.go(page, "council")
    voted = page.locator("[data-testid=council-open] tr", has_text=f"{item_id}")
    # What the item will execute, decoded, beside the vote.
    expect(page.locator(f"[data-actions='{item_id}']")).to_contain_text(
        "Membership.admit" if "admit" in what else "GeneralMeeting.convene"
    )
    expect(voted.locator(f"[data-voter='{sb.council[1].address}']")).to_be_visible()
    chair = _as(portal, sb.chair, "council")
    chair.click(f"button[data-protocol='{item_id}']")
    _sign_preview(chair, "[data-testid=council-open]", "Протокол")
    portal.go(chair, "council")
    chair.click(f"button[data-execute='{item_id}']")
    _done(chair, "#main")
    item = next(
        i for i in api.ok(api.get(sb.chair, "/council/items"))["data"] if i["item_id"] == item_id
    )
    assert item["state_name"] == "executed"


def _meeting(api: Api, who: LocalAccount, meeting_id: int) -> dict[str, Any]:
    api.synced()
    data = api.ok(api.get(who, "/meetings"))["data"]
    return next(m for m in data if m["meeting_id"] == meeting_id)


def test_whole_meeting_through_the_portal(officers: Portal, stack: Api) -> None:
    api, sb = stack, stack.sandbox
    convener = sb.council[1]
    page = _as(officers, convener, "meetings")
    form = page.locator("#convene-form")
    expect(form.locator("[data-testid=notice-period]")).to_contain_text("1 ч")
    page.fill("#convene-secretary", sb.secretary.address)
    page.fill("#q0-text", "Утвердить годовой отчёт за 2026 год")
    page.click("#convene-add")
    page.select_option("#q1-kind", "charter_change")
    # The law's majority for a charter change is prefilled and nothing lower can be chosen.
    expect(page.locator("#q1-majority")).to_have_value("three_quarters")
    assert page.locator("#q1-majority option[value=simple]").is_disabled()
    page.fill("#q1-text", "Утвердить новую редакцию устава")
    # Opening before the notice period is refused, in Russian, with the contract-side reason.
    opens = page.input_value("#convene-opens")
    page.fill("#convene-opens", "2020-01-01T10:00")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=convene-draft] .msg-error")).to_contain_text(
        "не раньше", timeout=LONG
    )
    page.fill("#convene-opens", opens)
    form.locator("button[type=submit]").click()
    preview = page.locator("[data-testid=convene-draft] [data-testid=preview]")
    expect(preview).to_contain_text(sb.secretary.address, timeout=LONG)
    _sign_preview(page, "[data-testid=convene-draft]", "Созыв общего собрания")
    item_id = max(i["item_id"] for i in api.ok(api.get(sb.chair, "/council/items"))["data"])
    _vote_protocol_execute(officers, api, item_id, "convene")

    meeting_id = int(sb.governance.meeting.contract.functions.meetingCount().call())
    m = _meeting(api, convener, meeting_id)
    assert [q["majority"] for q in m["questions"]] == [0, 2]
    warp(api.chain, int(m["opens_at"]) + 1)
    # Members vote with their signed ballots until the quorum is passed.
    voters = [a for a in sb.members if sb.cooperative.is_active_member(a.address)]
    need = m["eligible"] * m["quorum_bps"] // 10_000 + 1
    assert len(voters) >= need
    for voter in voters[:need]:
        vp = _as(officers, voter, "meetings")
        vp.locator(f"#ballot-{meeting_id} button[type=submit]").click()
        _done(vp, f"#ballot-{meeting_id}")
    warp(api.chain, int(m["closes_at"]) + 1)
    api.synced()

    # Anyone who runs the cooperative closes it; the tally is counted on chain.
    officers.go(page, "meetings")
    page.click(f"button[data-close='{meeting_id}']")
    _sign_preview(page, f"[data-meeting='{meeting_id}']", str(meeting_id))
    assert _meeting(api, convener, meeting_id)["state_name"] == "held"

    # The auditor's work list shows the protocol still unsigned (read-only, no button).
    aud = _as(officers, api.auditor, "work")
    expect(aud.locator("[data-testid=work-tasks]")).to_contain_text(
        f"Протокол собрания № {meeting_id} не подписан"
    )
    # The secretary's work list shows the unsigned protocol and since when; they sign it.
    sec = _as(officers, sb.secretary, "work")
    expect(sec.locator("[data-testid=work-tasks]")).to_contain_text("Подписать протокол собрания")
    officers.go(sec, "meetings")
    sec.click(f"button[data-meeting-protocol='{meeting_id}']")
    _sign_preview(sec, f"[data-meeting='{meeting_id}']", "Протокол")
    chair = _as(officers, sb.chair, "meetings")
    chair.click(f"button[data-meeting-protocol='{meeting_id}']")
    _sign_preview(chair, f"[data-meeting='{meeting_id}']", "Протокол")
    m = _meeting(api, convener, meeting_id)
    assert m["secretary_signed"] and m["chair_signed"]
    assert m["questions"][1]["accepted"]

    # The accepted charter change is executed from the page.
    officers.go(page, "meetings")
    page.click(f"button[data-execute-question='{meeting_id}-1']")
    _sign_preview(page, f"[data-meeting='{meeting_id}']", "2")
    charter_doc = sb.cooperative.charter.functions.charterDocument().call()
    assert "0x" + bytes(charter_doc).hex() == m["questions"][1]["document_hash"]
    assert _meeting(api, convener, meeting_id)["questions"][1]["executed"]


def test_named_fund_question_from_the_convening_form(officers: Portal, stack: Api) -> None:
    """A named-fund question: the fund's fields appear for that kind only, reach the gateway
    (a question below the fund's own majority is refused, in Russian), and the preview of a
    right one shows the draft. Nothing is signed: the stack's later tests are unaffected."""
    sb = stack.sandbox
    page = _as(officers, sb.council[1], "meetings")
    form = page.locator("#convene-form")
    expect(page.locator("#q0-f-name")).to_be_hidden()
    page.fill("#convene-secretary", sb.secretary.address)
    page.select_option("#q0-kind", "named_fund_create")
    expect(page.locator("#q0-f-name")).to_be_visible()
    expect(page.locator("#q0-f-fund_id")).to_be_hidden()
    page.fill("#q0-text", "Создать неделимый фонд")
    page.fill("#q0-f-name", "Неделимый фонд")
    page.fill("#q0-f-share", "12,5")
    page.select_option("#q0-f-rule", "meeting")
    page.select_option("#q0-f-majority", "two_thirds")
    page.check("#q0-f-indivisible")
    # The question's majority follows the fund's; forced lower, the gateway refuses it.
    expect(page.locator("#q0-majority")).to_have_value("two_thirds")
    page.select_option("#q0-majority", "simple")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=convene-draft] .msg-error")).to_contain_text(
        "не меньше", timeout=LONG
    )
    page.select_option("#q0-majority", "two_thirds")
    form.locator("button[type=submit]").click()
    preview = page.locator("[data-testid=convene-draft] [data-testid=preview]")
    expect(preview).to_contain_text(sb.secretary.address, timeout=LONG)
    page.select_option("#q0-kind", "named_fund_payout")
    expect(page.locator("#q0-f-to")).to_be_visible()
    expect(page.locator("#q0-f-name")).to_be_hidden()
