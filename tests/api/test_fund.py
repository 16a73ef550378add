"""The mutual-aid fund and the property register over real HTTP: a member contributes, requests
a loan, the council approves and disburses it, the member repays through `.../tx` routes, and
every read (pool, loans with filters, one loan's schedule and history, the register) comes from
the mirror with amounts as decimal strings."""

from __future__ import annotations

import time
from typing import Any

from eth_account.signers.local import LocalAccount

from node.fund import Category, LoanRequest, MutualAidFund, PropertyRegistry
from node.governance.sandbox import h, now, warp
from tests.api.conftest import Api

TOKEN = 10**18
DAY = 86_400


def _fund(api: Api) -> MutualAidFund:
    fund = api.gateway.fund()
    assert fund is not None
    return fund


def _until(api: Api, account: LocalAccount, path: str, check: Any, timeout: float = 30) -> Any:
    """Poll a mirror read until `check(body)` holds (the indexer follows the chain)."""
    deadline = time.monotonic() + timeout
    while True:
        body = api.ok(api.get(account, path))
        if check(body):
            return body
        assert time.monotonic() < deadline, f"{path} never matched: {body}"
        time.sleep(0.1)


def _council_decides(api: Api, label: str, actions: list[Any]) -> None:
    sb = api.sandbox
    sb.governance.council.decide(sb.council[0], sb.council[:2], sb.chair, h(label), actions)
    api.synced()  # the decision is the test's own transaction: wait for the mirror


def test_contribute_borrow_repay(api: Api) -> None:
    sb = api.sandbox
    borrower, stranger = sb.members[3], sb.members[0]
    fund = _fund(api)
    api.chain.transact(
        sb.cooperative.token.functions.mint(borrower.address, 10_000 * TOKEN), sb.deployer
    )

    # Contribute: approve the fund, then contribute (amount as a string; int still accepted).
    api.act(borrower, "/fund/approval/tx", {"amount": str(5_000 * TOKEN)})
    done = api.act(borrower, "/fund/contributions/tx", {"amount": 1_000 * TOKEN})
    assert done["status"] == "indexed", done
    overview = _until(
        api,
        borrower,
        "/fund",
        lambda b: any(p["account"] == borrower.address for p in b["positions"]),
    )
    assert overview["cash"] == str(1_000 * TOKEN)
    position = next(p for p in overview["positions"] if p["account"] == borrower.address)
    assert position["balance"] == str(1_000 * TOKEN) and isinstance(position["units"], str)

    # Request a loan of 600 in two instalments over 60 days.
    purpose = "0x" + h("ремонт крыши").hex()
    request = {
        "amount": str(600 * TOKEN),
        "term": 60 * DAY,
        "instalments": 2,
        "purpose": purpose,
    }
    assert api.act(borrower, "/fund/loans/tx", request)["status"] == "indexed"
    page = _until(
        api, borrower, f"/fund/loans?borrower={borrower.address}", lambda b: b["count"] == 1
    )
    loan = page["data"][0]
    loan_id = loan["loan_id"]
    assert loan["state_name"] == "requested" and loan["principal"] == str(600 * TOKEN)
    assert api.ok(api.get(borrower, "/fund/loans?state=requested"))["count"] == 1
    assert api.ok(api.get(borrower, "/fund/loans?state=active"))["count"] == 0
    assert api.ok(api.get(borrower, f"/fund/loans?borrower={stranger.address}"))["count"] == 0
    mine = api.ok(api.get(stranger, f"/fund/members/{borrower.address}/loans"))
    assert [x["loan_id"] for x in mine["data"]] == [loan_id]

    # The council approves and disburses it (one decision, two actions).
    _council_decides(
        api,
        "approve the roof loan",
        [fund.approve_action(loan_id, h("decision")), fund.disburse_action(loan_id)],
    )
    detail = _until(
        api,
        borrower,
        f"/fund/loans/{loan_id}",
        lambda b: b["loan"]["state_name"] == "active",
    )
    assert [e["action"] for e in detail["history"]][:1] == ["requested"]
    assert {"approved", "disbursed"} <= {e["action"] for e in detail["history"]}
    schedule = detail["schedule"]
    assert [s["index"] for s in schedule] == [1, 2]
    assert schedule[-1]["cumulative_due"] == str(600 * TOKEN)
    assert schedule[0]["cumulative_due"] == str(300 * TOKEN)
    for i, s in enumerate(schedule, 1):  # the mirror's schedule is the contract's
        due, at = fund.instalment_due(loan_id, i)
        assert (s["cumulative_due"], s["due_at"]) == (str(due), at)
    assert detail["loan"]["outstanding"] == str(600 * TOKEN)

    # Repay the first instalment through the API.
    assert (
        api.act(borrower, f"/fund/loans/{loan_id}/repayments/tx", {"amount": str(300 * TOKEN)})[
            "status"
        ]
        == "indexed"
    )
    detail = _until(
        api,
        borrower,
        f"/fund/loans/{loan_id}",
        lambda b: b["loan"]["repaid"] == str(300 * TOKEN),
    )
    assert detail["loan"]["outstanding"] == str(300 * TOKEN)
    assert detail["history"][-1]["action"] == "repaid"
    assert detail["history"][-1]["amount"] == str(300 * TOKEN)

    # Over-repaying is refused by the contract before anything is sent.
    r = api.post(borrower, f"/fund/loans/{loan_id}/repayments/tx", json={"amount": str(10**24)})
    assert r.status_code == 422 and r.json()["error"] == "MutualAidFundOverpayment", r.text

    # Repay the rest: the loan closes (and no longer blocks the member's exit).
    api.act(borrower, f"/fund/loans/{loan_id}/repayments/tx", {"amount": str(300 * TOKEN)})
    _until(
        api,
        borrower,
        f"/fund/loans/{loan_id}",
        lambda b: b["loan"]["state_name"] == "repaid",
    )
    assert api.ok(api.get(borrower, "/fund/loans?state=repaid"))["count"] == 1

    position = api.ok(api.get(borrower, f"/fund/members/{borrower.address}/position"))
    assert position["borrowed"] == "0" and isinstance(position["withdrawable"], str)


def test_fund_inputs_are_validated(api: Api) -> None:
    sb = api.sandbox
    member = sb.members[2]
    purpose = "0x" + h("x").hex()
    bad_bodies: list[tuple[str, dict[str, Any]]] = [
        ("/fund/contributions/tx", {"amount": "1e18"}),
        ("/fund/contributions/tx", {"amount": "-5"}),
        ("/fund/contributions/tx", {"amount": 1.5}),
        ("/fund/contributions/tx", {"amount": str(2**256)}),
        ("/fund/contributions/tx", {"amount": True}),
        ("/fund/loans/tx", {"amount": "100", "term": 10, "instalments": 2, "purpose": "0x12"}),
        (
            "/fund/loans/tx",
            {
                "amount": "100",
                "term": 10,
                "instalments": 2,
                "purpose": purpose,
                "schedule": ["10", "10"],
            },
        ),
        (
            "/fund/loans/tx",
            {
                "amount": "100",
                "term": 10,
                "purpose": purpose,
                "guarantors": [sb.members[0].address],
                "pledges": [],
            },
        ),
    ]
    for path, body in bad_bodies:
        r = api.post(member, path, json=body)
        assert r.status_code == 422, (path, body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert api.get(member, "/fund/loans/999999").status_code == 404
    assert api.get(member, "/fund/loans?state=bogus").status_code == 422
    # An auditor reads the fund but writes nothing.
    assert api.get(api.auditor, "/fund").status_code == 200
    r = api.post(api.auditor, "/fund/contributions/tx", json={"amount": "1"})
    assert r.status_code == 403, r.text
    # A contribution the contract would refuse (no allowance) is a 422 with its error.
    r = api.post(sb.members[1], "/fund/contributions/tx", json={"amount": str(10**30)})
    assert r.status_code == 422, r.text


def test_property_register(api: Api) -> None:
    sb = api.sandbox
    registry = api.gateway.registry()
    assert isinstance(registry, PropertyRegistry)
    custodian = sb.members[1]
    _council_decides(
        api,
        "register the tractor and the plot",
        [
            registry.mint_action(
                custodian.address,
                Category.VEHICLE,
                250_000 * TOKEN,
                h("tractor title"),
                h("tractor metadata"),
                h("decision 1"),
            ),
            registry.mint_action(
                sb.members[2].address,
                Category.LAND,
                10**30,
                h("plot title"),
                h("plot metadata"),
                h("decision 2"),
            ),
        ],
    )
    page = _until(api, custodian, "/property/assets", lambda b: b["count"] == 2)
    assert [a["category_name"] for a in page["data"]] == ["vehicle", "land"]
    # A valuation beyond 2**53 survives the trip exactly (a string, not a JSON number).
    assert page["data"][1]["valuation"] == str(10**30)
    by_custodian = api.ok(api.get(custodian, f"/property/assets?custodian={custodian.address}"))
    assert [a["category_name"] for a in by_custodian["data"]] == ["vehicle"]
    assert api.ok(api.get(custodian, "/property/assets?category=land"))["count"] == 1
    paged = api.ok(api.get(custodian, "/property/assets?limit=1&offset=1"))
    assert paged["count"] == 2 and [a["category_name"] for a in paged["data"]] == ["land"]
    assert api.ok(api.get(custodian, "/property/assets?encumbered=true"))["count"] == 0
    token_id = page["data"][0]["token_id"]
    detail = api.ok(api.get(custodian, f"/property/assets/{token_id}"))
    assert detail["asset"]["custodian"] == custodian.address
    assert [e["action"] for e in detail["history"]] == ["minted"]
    assert detail["history"][0]["valuation"] == str(250_000 * TOKEN)
    assert api.get(custodian, "/property/assets/424242").status_code == 404
    assert api.get(custodian, "/property/assets?category=spaceship").status_code == 422


def test_overdue_loan_is_marked_down_after_a_review(api: Api) -> None:
    """Issue #14 over HTTP: once an instalment is missed, the withdrawal the gateway builds is
    refused (`MutualAidFundReviewDue`) until somebody signs the review it builds; then the
    overdue principal is marked down and withdrawals go on at the exit value."""
    sb = api.sandbox
    borrower, saver = sb.members[1], sb.members[2]
    fund = _fund(api)
    for member in (borrower, saver):
        api.chain.transact(
            sb.cooperative.token.functions.mint(member.address, 10_000 * TOKEN), sb.deployer
        )
        api.act(member, "/fund/approval/tx", {"amount": str(10_000 * TOKEN)})
        api.act(member, "/fund/contributions/tx", {"amount": str(1_000 * TOKEN)})
    before = api.ok(api.get(saver, "/fund/valuation"))
    assert before["impaired"] == "0" and before["review_due"] is False
    loan_id, _ = fund.request_loan(
        borrower, LoanRequest(amount=500 * TOKEN, term=30 * DAY, purpose=h("late"))
    )
    _council_decides(
        api,
        "approve the late loan",
        [fund.approve_action(loan_id, h("late")), fund.disburse_action(loan_id)],
    )
    warp(api.chain, now(api.chain) + 31 * DAY)
    api.synced()

    r = api.post(saver, "/fund/withdrawals/tx", json={"amount": str(100 * TOKEN)})
    assert r.status_code == 422 and r.json()["error"] == "MutualAidFundReviewDue", r.text
    assert api.ok(api.get(saver, "/fund/valuation"))["review_due"] is True

    assert api.act(saver, "/fund/review/tx")["status"] == "indexed"
    after = api.ok(api.get(saver, "/fund/valuation"))
    assert after["impaired"] == str(500 * TOKEN) and after["review_due"] is False
    assert int(after["exit_value"]) == int(before["exit_value"]) - 500 * TOKEN
    assert after["open_loans"] >= 1
    api.act(saver, "/fund/withdrawals/tx", {"amount": str(100 * TOKEN)})
    # The borrower pays in full: the marked principal comes back with the payment.
    fund.repay(borrower, loan_id, 500 * TOKEN)
    assert fund.valuation().impaired == 0
