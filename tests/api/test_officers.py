"""The officers' forms over HTTP: typed council decisions, the convening draft, the work list,
and the attacks: a non-council member (or an auditor) drafting a decision or reading the
council's work list is refused, invalid fields are 422 with the field named and nothing is
generated or sent. Nothing here sends a transaction (every draft is a simulation), so the
session's stack is left as it was found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eth_account import Account
from sqlmodel import Session, select

from node.api.models import DocumentFile
from tests.api.conftest import Api, running_gateway


def _stored(api: Api) -> int:
    """Files the gateway has stored (generated documents included)."""
    with Session(api.gateway.engine) as session:
        return len(session.exec(select(DocumentFile)).all())


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
    stored = _stored(api)
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
        {"kind": "payout", "fund": "reserve", "to": member.address, "amount": str(10**30)},
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
    assert _stored(api) == stored  # nothing refused left a document behind


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
    # A convener cannot lower the law's majority, nor open before the notice period; a refused
    # draft stores no document (every question is checked before any is generated).
    stored = _stored(api)
    low = {**body, "questions": [{"kind": "charter_change", "text": "x", "majority": "simple"}]}
    r = api.post(council, "/meetings/convocation", json=low)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", "questions", "0", "majority"]
    early = {**body, "opens_at": rules["earliest_opening"] - 600}
    r = api.post(council, "/meetings/convocation", json=early)
    assert r.status_code == 422 and "notice period" in r.json()["detail"]
    r = api.post(council, "/meetings/convocation", json={**body, "secretary": sb.chair.address})
    assert r.status_code == 422 and "secretary" in r.json()["detail"]
    needs = {
        **body,
        "questions": [
            {"kind": "annual_report", "text": "Отчёт"},
            {"kind": "exclusion", "text": "Исключить"},
        ],
    }
    r = api.post(council, "/meetings/convocation", json=needs)
    assert r.status_code == 422 and "member" in r.json()["detail"]
    assert r.json()["errors"][0]["loc"] == ["body", "questions", "1", "account"]
    assert _stored(api) == stored
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


def _send(api: Api, who: Any, step: dict[str, Any]) -> None:
    """What the portal's stages do with each transaction of a draft: the wallet picks the nonce."""
    tx = dict(step["transaction"])
    tx["nonce"] = api.chain.w3.eth.get_transaction_count(who.address, "pending")
    relay = api.sign_and_relay(who, {"transaction": tx})
    assert api.wait(who, relay)["status"] == "indexed"


def test_payout_needs_the_chairs_signature_on_the_decision(tmp_path: Path) -> None:
    """A payout moves money only on a decision document anchored as a council decision and
    signed by the chair. The draft anchors it first; a chair who signs only the protocol leaves
    the execution refused by the treasury, in Russian; the chair's protocol draft puts the
    document's signature first, and then the money moves. (A stack of its own: money moves.)"""
    with running_gateway(tmp_path, with_modules=False) as api:
        sb, coop = api.sandbox, api.sandbox.cooperative
        api.chain.transact(coop.token.functions.mint(sb.deployer.address, 10**21), sb.deployer)
        coop.approve_treasury(sb.deployer)
        coop.receive_income(sb.deployer, 10**21, b"\x01" * 32)
        api.chain.transact(coop.treasury.functions.distributeIncome(), sb.deployer)
        council, member = sb.council[1], sb.members[0]
        draft = api.ok(
            _draft(
                api,
                council,
                {"kind": "payout", "fund": "reserve", "to": member.address, "amount": "1000"},
            )
        )
        (anchor,) = draft["before"]
        assert anchor["transaction"]["to"] == coop.documents.address
        for step in (anchor, draft):
            _send(api, council, step)
        item_id = int(sb.governance.council.contract.functions.itemCount().call())
        for voter in sb.council[1:3]:
            api.act(voter, f"/council/items/{item_id}/votes/tx", {"support": 1})
        # Only the chair drafts the council protocol.
        assert api.post(council, f"/council/items/{item_id}/protocol/draft").status_code == 403
        protocol = api.ok(api.post(sb.chair, f"/council/items/{item_id}/protocol/draft"))
        (sign_doc,) = protocol["before"]
        _send(api, sb.chair, protocol)  # the protocol only, not the decision document
        r = api.post(council, f"/council/items/{item_id}/execution/tx")
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "TreasuryDecisionNotSigned"
        assert "не подписан председателем" in r.json()["detail"]
        _send(api, sb.chair, sign_doc)
        before = int(coop.token.functions.balanceOf(member.address).call())
        api.act(council, f"/council/items/{item_id}/execution/tx")
        assert int(coop.token.functions.balanceOf(member.address).call()) == before + 1000


def test_property_and_union_builders(api: Api) -> None:
    sb = api.sandbox
    council, member = sb.council[1], sb.members[0]
    registry = api.gateway.registry()
    assert registry is not None
    body = api.ok(
        _draft(
            api,
            council,
            {
                "kind": "contribution_in_kind",
                "account": member.address,
                "amount": "100000",
                "title": "Трактор МТЗ-82",
                "category": "vehicle",
            },
        )
    )
    # The share is credited and the property enters the register, on one decision.
    assert [a["function"] for a in body["actions"]] == ["creditInKind", "mint"]
    assert body["actions"][1]["target"] == registry.address
    assert body["actions"][1]["args"][:3] == [member.address, "3", "100000"]
    assert body["actions"][0]["args"][2] == "0x" + body["document"]
    body = api.ok(
        _draft(
            api,
            council,
            {
                "kind": "property_mint",
                "custodian": member.address,
                "category": "building",
                "valuation": "5",
                "title": "Склад",
            },
        )
    )
    assert body["actions"][0]["function"] == "mint"
    r = _draft(api, council, {"kind": "property_revaluation", "token_id": 10**6, "valuation": "1"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "token_id"]
    r = _draft(
        api,
        council,
        {
            "kind": "contribution_in_kind",
            "account": Account.create().address,
            "amount": "1",
            "title": "x",
            "category": "other",
        },
    )
    assert r.status_code == 422 and "Not an active member" in r.json()["detail"]
    other = Account.create().address
    body = api.ok(
        _draft(
            api,
            council,
            {
                "kind": "union_invoice",
                "union_units": other,
                "debtor": member.address,
                "amount": "7",
                "due_date": "2027-01-31",
            },
        )
    )
    (action,) = body["actions"]
    assert action["function"] == "issueUnionObligation"
    assert action["args"][:3] == [other, member.address, "7"]
    r = _draft(
        api,
        council,
        {
            "kind": "union_invoice",
            "union_units": other,
            "debtor": other,
            "amount": "7",
            "due_date": "31.01.2027",
        },
    )
    assert r.status_code == 422 and "due_date" in r.json()["detail"]


def test_item_actions_are_decoded(api: Api) -> None:
    """What an item executes, decoded with the cooperative's own ABIs (the set-up registered the
    fund with Membership by a council decision: item 1)."""
    sb = api.sandbox
    actions = api.ok(api.get(sb.members[1], "/council/items/1/actions"))
    decoded = {(a["contract"], a["function"]) for a in actions}
    assert ("Membership", "addObligationSource") in decoded
    # A target outside the cooperative's contracts (the fund installer) is shown raw, not guessed.
    for a in actions:
        if a["contract"] == "?":
            assert a["function"] == "?" and a["data"].startswith(a["args"][0][:10])
    item = sb.governance.council.actions_of(1)
    assert [a["target"] for a in actions] == [x.target for x in item]
    assert [a["data"] for a in actions] == ["0x" + x.data.hex() for x in item]
    assert api.get(sb.members[1], f"/council/items/{10**6}/actions").status_code == 404


def test_decision_amounts_have_units_and_show_formatted(api: Api) -> None:
    """The form scales what an officer types ("12,5") by the token's decimals the gateway names
    for each amount field; the preview shows the amount formatted with its unit beside the
    base units the chain receives; the decision still takes and checks base units."""
    sb = api.sandbox
    member, council = sb.members[0], sb.council[1]
    assert api.http.get("/council/decisions/units").status_code == 401
    units = api.ok(api.get(member, "/council/decisions/units"))
    vre = sb.cooperative.settlement_units.functions
    pay = sb.cooperative.token.functions
    assert units["credit_limit.limit"] == {
        "symbol": vre.symbol().call(),
        "decimals": vre.decimals().call(),
    }
    assert units["payout.amount"] == {
        "symbol": pay.symbol().call(),
        "decimals": pay.decimals().call(),
    }
    assert set(units) == {
        "credit_limit.limit",
        "payout.amount",
        "contribution_in_kind.amount",
        "property_mint.valuation",
        "property_revaluation.valuation",
        "union_invoice.amount",
        "named_fund_payout.amount",
        "program_spend.amount",
    }
    decimals = units["credit_limit.limit"]["decimals"]
    typed = 125 * 10 ** (decimals - 1)  # "12,5"
    body = api.ok(
        _draft(
            api, council, {"kind": "credit_limit", "account": member.address, "limit": str(typed)}
        )
    )
    (limit,) = [line["value"] for line in body["lines"] if line["label"].startswith("Лимит")]
    assert limit == f"12,5 {units['credit_limit.limit']['symbol']} ({typed})"
    assert body["actions"][0]["args"] == [member.address, str(typed)]
    # Still base units, checked as before: a typed decimal string is refused, nothing made.
    stored = _stored(api)
    for bad in ("12,5", "12.5", "1e18", ""):
        r = _draft(api, council, {"kind": "credit_limit", "account": member.address, "limit": bad})
        assert r.status_code == 422 and "limit" in r.json()["detail"], (bad, r.text)
    # A payout larger than the fund: the refusal states the fund's balance formatted.
    r = _draft(
        api,
        council,
        {"kind": "payout", "fund": "reserve", "to": member.address, "amount": str(10**30)},
    )
    assert r.status_code == 422 and units["payout.amount"]["symbol"] in r.json()["detail"]
    assert _stored(api) == stored


def test_reconvening_a_meeting_that_missed_its_quorum(tmp_path: Path) -> None:
    """A meeting nobody voted in misses its quorum; a council member drafts its reconvening
    (same agenda and register, the notice period checked), the council passes it and the new
    meeting is scheduled. Refused: a member outside the council, a meeting that did not miss
    its quorum, a date inside the notice period, nothing generated. (A stack of its own: the
    chain's clock is moved.)"""
    from node.governance import Convocation, MeetingState, Question
    from node.governance.sandbox import h, now, warp

    with running_gateway(tmp_path, with_modules=False) as api:
        sb = api.sandbox
        meeting = sb.governance.meeting
        council = sb.council[1]
        notice = meeting.notice_period()
        opens = now(sb.chain) + notice + 60
        first = sb.governance.convene(
            sb.council[0],
            sb.council[:2],
            sb.chair,
            Convocation(
                opens_at=opens,
                closes_at=opens + 3600,
                secretary=sb.secretary.address,
                questions=(Question(h("смета")),),
            ),
            h("convene"),
        )
        scheduled = {
            "kind": "reconvene",
            "meeting_id": first,
            "opens_at": opens + 10 * notice,
            "closes_at": opens + 10 * notice + 3600,
            "secretary": sb.secretary.address,
        }
        stored = _stored(api)
        r = _draft(api, council, scheduled)  # still scheduled, not missed
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "meeting_id"]
        warp(sb.chain, opens + 3600)
        meeting.close(sb.chair, first)
        assert meeting.state(first) is MeetingState.QUORUM_MISSED
        api.synced()
        soon = {**scheduled, "opens_at": now(sb.chain) + 1, "closes_at": now(sb.chain) + 7200}
        r = _draft(api, council, soon)
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "opens_at"]
        start = now(sb.chain) + notice + 600
        body = {**scheduled, "opens_at": start, "closes_at": start + 86_400}
        assert _draft(api, sb.members[3], body).status_code == 403
        assert _draft(api, council, {**body, "meeting_id": 99}).status_code == 422
        assert _stored(api) == stored  # nothing refused left a document behind

        draft = api.ok(_draft(api, council, body))
        assert draft["title"].startswith("Повторный созыв общего собрания")
        (action,) = draft["actions"]
        assert action["function"] == "reconvene" and action["target"] == meeting.address
        assert action["args"][:3] == [str(first), str(start), str(start + 86_400)]
        _send(api, council, draft)
        item_id = int(sb.governance.council.contract.functions.itemCount().call())
        for voter in sb.council[1:3]:
            api.act(voter, f"/council/items/{item_id}/votes/tx", {"support": 1})
        protocol = api.ok(api.post(sb.chair, f"/council/items/{item_id}/protocol/draft"))
        _send(api, sb.chair, protocol)
        api.act(council, f"/council/items/{item_id}/execution/tx")
        second = int(meeting.contract.functions.meetingCount().call())
        assert second == first + 1
        assert meeting.state(first) is MeetingState.RECONVENED
        assert meeting.state(second) is MeetingState.SCHEDULED
        assert meeting.meeting(second).opens_at == start
        assert [q.document_hash for q in meeting.questions_of(second)] == [h("смета")]


def test_members_demand_an_extraordinary_meeting(api: Api) -> None:
    """A member joins the demand for an extraordinary meeting by its agenda (documents and
    majorities): the draft states the agenda hash and the count, the wallet sends
    `demandMeeting`; a second demand of the same member, a non-member and a malformed agenda are
    refused before anything is signed."""
    from node.governance import Majority, Question
    from node.governance.sandbox import h

    sb = api.sandbox
    meeting = sb.governance.meeting
    member, other = sb.members[2], sb.members[3]
    body = {
        "questions": [
            {"document_hash": "0x" + h("внеочередное: смета").hex(), "majority": "simple"},
            {"document_hash": "0x" + h("внеочередное: устав").hex(), "majority": "two_thirds"},
        ]
    }
    agenda = meeting.agenda_hash(
        [
            Question(h("внеочередное: смета"), Majority.SIMPLE),
            Question(h("внеочередное: устав"), Majority.TWO_THIRDS),
        ]
    )
    draft = api.ok(api.post(member, "/meetings/demands", json=body))
    lines = {line["label"]: line["value"] for line in draft["lines"]}
    assert lines["Повестка (хеш) / Agenda (hash)"] == "0x" + agenda.hex()
    assert lines["Уже требуют / Demanding already"].startswith("0 /")
    assert draft["transaction"]["to"] == meeting.address
    fn, args = meeting.contract.decode_function_input(draft["transaction"]["data"])
    assert fn.fn_name == "demandMeeting" and args["agendaHash_"] == agenda
    done = api.act(member, "/meetings/demands", body)
    assert done["status"] == "indexed", done
    assert meeting.demand_info(agenda)["count"] == 1
    # The same member again: the contract's reason, nothing signed.
    again = api.post(member, "/meetings/demands", json=body)
    assert again.status_code == 422 and again.json()["error"] == "GeneralMeetingAlreadyDemanded"
    # Another member joins the same agenda and sees the count.
    seen = api.ok(api.post(other, "/meetings/demands", json=body))
    counted = {line["label"]: line["value"] for line in seen["lines"]}
    assert counted["Уже требуют / Demanding already"].startswith("1 /")
    # Not a member; a malformed agenda.
    assert api.post(api.auditor, "/meetings/demands", json=body).status_code == 403
    for bad in ({"questions": []}, {"questions": [{"document_hash": "0x12"}]}):
        assert api.post(member, "/meetings/demands", json=bad).status_code == 422
