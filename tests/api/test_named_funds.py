"""The funds a charter names through the gateway: the list with balances and rules, the meeting
question that creates or changes one (its majority raised to the fund's own, the convener
cannot lower it), the council decision that spends a council fund; refusals (shares over
100 %, no such fund, a divisible change of an indivisible fund) are 422 naming the field and
generate nothing. Nothing here sends a transaction: the session's cooperative keeps no named
fund, so the other suites' fund figures stay as they expect."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from node.api.models import DocumentFile
from tests.api.conftest import Api


def _stored(api: Api) -> int:
    with Session(api.gateway.engine) as session:
        return len(session.exec(select(DocumentFile)).all())


def _convocation(api: Api, questions: list[dict[str, Any]]) -> dict[str, Any]:
    rules = api.ok(api.get(api.sandbox.council[1], "/meetings/rules"))
    opens = rules["earliest_opening"] + 120
    return {
        "opens_at": opens,
        "closes_at": opens + 3600,
        "secretary": api.sandbox.secretary.address,
        "questions": questions,
    }


def test_named_funds_listed_and_drafted(api: Api) -> None:
    sb = api.sandbox
    council = sb.council[1]
    api.synced()
    listed = api.ok(api.get(sb.members[0], "/cooperative/funds/named"))
    assert listed["data"] == [] and listed["shares_total_bps"] == 0
    assert listed["treasury"] == sb.cooperative.addresses.treasury

    fund = {
        "name": "Неделимый фонд",
        "share_bps": 2_000,
        "rule": "meeting",
        "majority": "two_thirds",
        "indivisible": True,
    }
    questions = [
        {"kind": "named_fund_create", "text": "Создать неделимый фонд", "fund": fund},
        {
            "kind": "named_fund_create",
            "text": "Создать фонд накопления",
            "fund": {"name": "Фонд накопления", "share_bps": 500},
        },
    ]
    rules = api.ok(api.get(council, "/meetings/rules"))
    assert {"named_fund_create", "named_fund_change", "named_fund_payout"} <= {
        k["kind"] for k in rules["question_kinds"]
    }
    draft = api.ok(api.post(council, "/meetings/convocation", json=_convocation(api, questions)))
    # The fund spent by 2/3 is created by 2/3 at least; the council's fund by a simple majority.
    assert [q["majority"] for q in draft["questions"]] == ["two_thirds", "simple"]
    _, args = sb.governance.council.contract.decode_function_input(draft["transaction"]["data"])
    meeting = sb.governance.meeting.contract
    _, conv = meeting.decode_function_input(args["calldatas"][0])
    treasury = sb.cooperative.treasury
    q0 = conv["convocation"]["questions"][0]
    assert q0["majority"] == 1 and q0["targets"] == [treasury.address]
    fn, call = treasury.decode_function_input(q0["calldatas"][0])
    assert fn.fn_name == "createNamedFund"
    assert (call["name"], call["shareBasisPoints"], call["rule"], call["majority"]) == (
        "Неделимый фонд",
        2_000,
        1,
        1,
    )
    assert (
        call["indivisible"] is True
        and call["regulation"].hex() == draft["questions"][0]["document"]
    )

    # Refusals: nothing generated.
    stored = _stored(api)
    low = [{**questions[0], "majority": "simple"}]
    r = api.post(council, "/meetings/convocation", json=_convocation(api, low))
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == [
        "body",
        "questions",
        "0",
        "majority",
    ]
    over = [{**questions[0], "fund": {**fund, "share_bps": 10_001}}]
    r = api.post(council, "/meetings/convocation", json=_convocation(api, over))
    assert r.status_code == 422
    over = [
        {**questions[0], "fund": {**fund, "share_bps": 6_000}},
        {**questions[1], "fund": {"name": "Фонд Б", "share_bps": 4_001}},
    ]
    # Each question is checked against the chain's total alone (the meeting may accept
    # either); the Treasury refuses the second at execution if both pass.
    api.ok(api.post(council, "/meetings/convocation", json=_convocation(api, over)))
    stored = _stored(api)
    none = [{"kind": "named_fund_change", "text": "x", "fund": {"fund_id": 0, "share_bps": 1}}]
    r = api.post(council, "/meetings/convocation", json=_convocation(api, none))
    assert r.status_code == 422 and "No such named fund" in r.json()["detail"]
    assert r.json()["errors"][0]["loc"] == ["body", "questions", "0", "fund", "fund_id"]
    bare = [{"kind": "named_fund_payout", "text": "x"}]
    r = api.post(council, "/meetings/convocation", json=_convocation(api, bare))
    assert r.status_code == 422 and "fund" in r.json()["detail"]
    council_majority = [
        {**questions[1], "fund": {"name": "Ф", "share_bps": 1, "majority": "two_thirds"}}
    ]
    r = api.post(council, "/meetings/convocation", json=_convocation(api, council_majority))
    assert r.status_code == 422 and "council spends" in r.json()["detail"]
    # The council's decision to spend a named fund: no such fund yet.
    r = api.post(
        council,
        "/council/decisions",
        json={"kind": "named_fund_payout", "fund_id": 0, "to": sb.members[0].address, "amount": 1},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "fund_id"]
    assert _stored(api) == stored
