"""The officers' forms over HTTP: typed council decisions, the convening draft, the work list,
and the attacks: a non-council member (or an auditor) drafting a decision or reading the
council's work list is refused, invalid fields are 422 with the field named and nothing is
generated or sent. Nothing here sends a transaction (every draft is a simulation), so the
session's stack is left as it was found."""

from __future__ import annotations

from typing import Any

from eth_account import Account

from tests.api.conftest import Api


def _draft(api: Api, who: Any, body: dict[str, Any]) -> Any:
    return api.post(who, "/council/decisions", json=body)


def test_council_member_drafts_typed_decisions(api: Api) -> None:
    sb = api.sandbox
    member = sb.members[0]
    council = sb.council[1]
    council_contract = sb.governance.council.contract
    api.synced()
    # A credit limit: the summary says who, what, how much and which document.
    body = api.ok(
        _draft(
            api,
            council,
            {"kind": "credit_limit", "account": member.address, "limit": "5000", "reason": "тест"},
        )
    )
    assert body["title"].startswith("Кредитный лимит ВРЕ")
    labels = {line["label"]: line["value"] for line in body["lines"]}
    assert labels["Кто вносит / Proposed by"] == council.address
    assert labels["Кому / Whom"] == member.address
    assert labels["Документ / Document"] == body["document"]
    (action,) = body["actions"]
    assert action["function"] == "setCreditLimit"
    assert action["args"] == [member.address, "5000"]
    # The transaction proposes exactly those actions with the generated document's hash.
    tx = body["transaction"]
    assert tx["to"] == council_contract.address and tx["from"] == council.address
    fn, args = council_contract.decode_function_input(tx["data"])
    assert fn.fn_name == "propose"
    assert args["documentHash"].hex() == body["document"]
    assert [a.lower() for a in args["targets"]] == [action["target"].lower()]
    assert "0x" + args["calldatas"][0].hex() == action["data"]
    # The document exists and is verifiable.
    doc = api.get(council, f"/documents/{body['document']}")
    assert doc.status_code == 200, doc.text

    # Key recovery and exit with refund: the refund is shown.
    fresh = Account.create()
    body = api.ok(
        _draft(
            api,
            council,
            {"kind": "key_recovery", "account": member.address, "new_account": fresh.address},
        )
    )
    assert body["actions"][0]["function"] == "recoverMembership"
    body = api.ok(_draft(api, council, {"kind": "exit", "account": member.address}))
    assert body["actions"][0]["function"] == "exit"
    assert any("Shares refunded" in line["label"] for line in body["lines"])
    refund = next(line["value"] for line in body["lines"] if "refunded" in line["label"])
    holding = sb.cooperative.holding(member.address)
    assert int(refund) == holding.minimum_share + holding.voluntary_shares + holding.in_kind_shares


def test_decision_attacks_and_invalid_fields(api: Api) -> None:
    sb = api.sandbox
    member, council = sb.members[0], sb.council[1]
    outsider = sb.members[1]
    body = {"kind": "block", "account": member.address}
    # A member who is not on the council, and an auditor, get 403 and no document is made.
    r = _draft(api, outsider, body)
    assert r.status_code == 403, r.text
    assert "член совета" in r.json()["detail"]
    r = _draft(api, api.auditor, body)
    assert r.status_code == 403, r.text
    r = api.post(outsider, "/meetings/convocation", json={})
    assert r.status_code in (403, 422)
    # The work list of a role the caller does not hold.
    r = api.get(outsider, "/work", params={"role": "council"})
    assert r.status_code == 403, r.text
    assert "council" in r.json()["detail"]
    # Invalid fields: 422 naming the field.
    r = _draft(api, council, {"kind": "block", "account": "0x1234"})
    assert r.status_code == 422 and "account" in r.json()["detail"]
    r = _draft(api, council, {"kind": "launch_rockets", "account": member.address})
    assert r.status_code == 422
    r = _draft(api, council, {"kind": "credit_limit", "account": member.address, "limit": "-1"})
    assert r.status_code == 422 and "limit" in r.json()["detail"]
    # Facts checked against the chain: admitting a member, an empty fund, a loan that is not.
    r = _draft(api, council, {"kind": "admission", "account": member.address})
    assert r.status_code == 422 and "no application" in r.json()["detail"]
    assert r.json()["errors"][0]["loc"] == ["body", "account"]
    r = _draft(
        api,
        council,
        {"kind": "payout", "fund": "development", "to": member.address, "amount": str(10**30)},
    )
    assert r.status_code == 422 and "holds only" in r.json()["detail"]
    r = _draft(api, council, {"kind": "loan_approval", "loan_id": 10**9})
    assert r.status_code == 422 and "No such loan" in r.json()["detail"]
    r = _draft(
        api,
        council,
        {"kind": "key_recovery", "account": member.address, "new_account": outsider.address},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "new_account"]


def test_convening_draft_prefills_the_law_and_checks_the_notice(api: Api) -> None:
    sb = api.sandbox
    council = sb.council[1]
    rules = api.ok(api.get(council, "/meetings/rules"))
    assert rules["notice_period"] == 3600
    kinds = {k["kind"]: k["majority"] for k in rules["question_kinds"]}
    assert kinds["charter_change"] == "three_quarters" and kinds["exclusion"] == "two_thirds"
    opens = rules["earliest_opening"] + 120
    body = {
        "opens_at": opens,
        "closes_at": opens + 3600,
        "secretary": sb.secretary.address,
        "questions": [
            {"kind": "annual_report", "text": "Утвердить годовой отчёт"},
            {"kind": "charter_change", "text": "Новая редакция устава"},
        ],
    }
    draft = api.ok(api.post(council, "/meetings/convocation", json=body))
    assert [q["majority"] for q in draft["questions"]] == ["simple", "three_quarters"]
    assert draft["notice"] and all(q["document"] for q in draft["questions"])
    fn, args = sb.governance.council.contract.decode_function_input(draft["transaction"]["data"])
    assert fn.fn_name == "propose" and args["documentHash"].hex() == draft["notice"]
    assert args["targets"] == [sb.governance.meeting.address]
    # The convene call carries the law's majorities (what the chain would check again).
    meeting = sb.governance.meeting.contract
    conv_fn, conv = meeting.decode_function_input(args["calldatas"][0])
    assert conv_fn.fn_name == "convene"
    assert [q["majority"] for q in conv["convocation"]["questions"]] == [0, 2]
    # A convener cannot lower the law's majority, nor open before the notice period.
    low = {**body, "questions": [{"kind": "charter_change", "text": "x", "majority": "simple"}]}
    r = api.post(council, "/meetings/convocation", json=low)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", "questions", "0", "majority"]
    early = {**body, "opens_at": rules["earliest_opening"] - 600}
    r = api.post(council, "/meetings/convocation", json=early)
    assert r.status_code == 422 and "notice period" in r.json()["detail"]
    r = api.post(council, "/meetings/convocation", json={**body, "secretary": sb.chair.address})
    assert r.status_code == 422 and "secretary" in r.json()["detail"]
    needs = {**body, "questions": [{"kind": "exclusion", "text": "Исключить"}]}
    r = api.post(council, "/meetings/convocation", json=needs)
    assert r.status_code == 422 and "member" in r.json()["detail"]
    # The chair signs the protocol of a meeting only if they are its officer; a member is not.
    r = api.post(sb.members[1], "/meetings/1/protocol/draft")
    assert r.status_code in (403, 404)


def test_work_list_by_role(api: Api) -> None:
    sb = api.sandbox
    api.synced()
    work = api.ok(api.get(sb.council[1], "/work"))
    assert "council" in work["roles"]
    assert all(t["link"].startswith("#/") for t in work["tasks"])
    chair = api.ok(api.get(sb.chair, "/work", params={"role": "chair"}))
    assert all(t["role"] == "chair" for t in chair["tasks"])
    cashier = api.ok(api.get(sb.deployer, "/work"))
    assert "cashier" in cashier["roles"]
    member = api.ok(api.get(sb.members[1], "/work"))
    assert {t["role"] for t in member["tasks"]} <= {"member"}
    auditor = api.ok(api.get(api.auditor, "/work", params={"role": "auditor"}))
    assert all(t["role"] == "auditor" for t in auditor["tasks"])


def test_payout_draft_anchors_the_decision_first(api: Api) -> None:
    """A payout moves money only on a decision document anchored as a council decision and
    signed by the chair: the draft carries the anchoring as a first step (the chair's signature
    comes with the protocol draft). Only the chair drafts a council protocol."""
    sb = api.sandbox
    council = sb.council[1]
    treasury = sb.cooperative.treasury
    balance = int(treasury.functions.fundBalance(1).call())  # reserve
    assert balance > 0
    body = api.ok(
        _draft(
            api,
            council,
            {"kind": "payout", "fund": "reserve", "to": sb.members[0].address, "amount": "1"},
        )
    )
    (anchor,) = body["before"]
    assert anchor["transaction"]["to"] == sb.cooperative.documents.address
    assert body["actions"][0]["function"] == "payout"
    r = api.post(council, f"/council/items/{10**6}/protocol/draft")
    assert r.status_code == 403  # only the chair drafts a council protocol
    r = api.post(sb.chair, f"/council/items/{10**6}/protocol/draft")
    assert r.status_code == 404
