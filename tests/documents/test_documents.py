"""Every document kind made from a real scenario on anvil (see conftest.py), then read back as
an outsider would: PDF/A-3b markers, the embedded source, the text, regeneration byte for byte
from the file alone, the facts against the chain's own answers, and the anchor."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest

from node.documents.kinds import AGREEMENT_KINDS, KINDS, ROUTE_KINDS
from node.documents.pdf import regenerate
from node.documents.template_store import TemplateStore
from tests.documents.conftest import IDENTITIES, Scenario
from tests.documents.pdfcheck import embedded_source, pdf_text, pdfa_markers

TOKEN = 10**18
DATE = "2026-12-05"
MADE: dict[str, bytes] = {}


def compact(text: str) -> str:
    """Text without whitespace: a long hash or address may wrap anywhere in a table cell."""
    return re.sub(r"\s+", "", text)


LISTED_MEETING = 9_000
"""A meeting id the notifier never sees: the delivery list sealed here by the test is the only
one, sealed at noon of DATE."""


def _sealed_list(s: Scenario) -> Any:
    """Seal a delivery list for `LISTED_MEETING` as the notifier would (outbox rows, then
    `seal`), once."""
    from datetime import UTC, datetime

    from node.notices import delivery_list, store

    gw = s.api.gateway
    key = f"{gw.governance().meeting.address}:{LISTED_MEETING}"
    noon = int(datetime.fromisoformat(DATE + "T12:00:00+00:00").astimezone(UTC).timestamp())
    payload = {
        "meeting_contract": gw.governance().meeting.address,
        "meeting_id": LISTED_MEETING,
        "opens_at": noon + 7200,
        "notice_period": 3600,
        "deadline": noon + 3600,
        "agenda": [{"document_hash": "0x" + "ab" * 32}],
    }
    with gw.engine.begin() as conn:
        store.enqueue(
            conn,
            [
                store.Notice(
                    f"meeting_convened:{key}",
                    "meeting_convened",
                    [s.owner.address, s.buyer.address],
                    payload,
                    key,
                )
            ],
            at=noon - 60,
        )
        return delivery_list.seal(
            conn, key, chain_id=gw.chain_id, charter=gw.coop.addresses.charter, at=noon
        )


def _request(s: Scenario, kind: str) -> tuple[Any, dict[str, Any]]:
    """Who asks for `kind`, and with what."""
    sb, ids = s.api.sandbox, s.ids
    council = sb.council[1]
    owner, buyer = s.owner, s.buyer
    table: dict[str, tuple[Any, dict[str, Any]]] = {
        "membership_application": (owner, {}),
        "membership_application_organisation": (
            owner,
            {
                "fields": {
                    "name": "ООО «Тверские сады»",
                    "ogrn": "1026900000017",
                    "inn": "6901000017",
                    "representative": "Петрова А. С., директор, по уставу",
                }
            },
        ),
        "council_decision": (council, {"fields": {"agenda": "Смета", "decision": "Утвердить"}}),
        "meeting_question": (
            council,
            {
                "fields": {
                    "number": 2,
                    "kind_ru": "Изменение устава",
                    "kind_en": "Charter change",
                    "majority": "three_quarters",
                    "text": "Утвердить новую редакцию устава",
                    "accounts": [owner.address],
                }
            },
        ),
        "council_admission": (
            council,
            {
                "item_id": ids["item_id"],
                "fields": {
                    "agenda": "Приём в пайщики",
                    "decision": "Принять заявителей в пайщики",
                    "accounts": [owner.address, buyer.address],
                },
            },
        ),
        "council_exclusion": (
            council,
            {
                "fields": {
                    "agenda": "Исключение",
                    "decision": "Исключить за неуплату",
                    "accounts": [buyer.address],
                }
            },
        ),
        "council_program": (
            council,
            {
                "fields": {
                    "agenda": "Целевая программа",
                    "decision": "Открыть программу «Трактор»",
                    "accounts": [],
                }
            },
        ),
        "program_terms": (
            council,
            {
                "fields": {
                    "purpose": "Совместная покупка трактора",
                    "contributions": "от 1 000 ₽ в месяц",
                    "text": "Трактор используется участниками по очереди.",
                }
            },
        ),
        "council_payout": (
            council,
            {
                "fields": {
                    "agenda": "Возврат пая",
                    "decision": "Выплатить",
                    "accounts": [owner.address],
                    "amount": str(250 * TOKEN),
                }
            },
        ),
        "council_protocol": (
            council,
            {"item_ids": [ids["item_id"]], "fields": {"questions": ["Приём, собрание, имущество"]}},
        ),
        "meeting_notice": (
            council,
            {"meeting_id": ids["meeting_id"], "fields": {"questions": ["Утвердить смету"]}},
        ),
        "ballot": (
            owner,
            {"meeting_id": ids["meeting_id"], "fields": {"questions": ["Утвердить смету"]}},
        ),
        "proxy": (
            owner,
            {
                "meeting_id": ids["meeting_id"],
                "fields": {
                    "holder": buyer.address,
                    "expires_at": 1_900_000_000,
                    "questions": ["Утвердить смету"],
                },
            },
        ),
        "meeting_protocol": (
            sb.chair,
            {"meeting_id": ids["meeting_id"], "fields": {"questions": ["Утвердить смету"]}},
        ),
        "notice_delivery_list": (s.api.auditor, {"meeting_id": LISTED_MEETING}),
        "exit_application": (owner, {"fields": {"refund_details": "р/с 40817810000000000001"}}),
        "share_refund": (sb.chair, {"subject": owner.address}),
        "loan_agreement": (owner, {"loan_id": ids["loan_id"]}),
        "property_act": (owner, {"token_id": ids["token_id"]}),
        "delivery_act": (buyer, {"order_id": ids["order_id"]}),
        "member_extract": (owner, {}),
        "member_register": (s.api.auditor, {}),
    }
    if kind == "notice_delivery_list":
        _sealed_list(s)
    return table[kind]


def _make(s: Scenario, kind: str) -> bytes:
    if kind not in MADE:
        caller, body = _request(s, kind)
        api = s.api
        doc = api.ok(
            api.post(caller, "/documents/generate", json={"template": kind, "date": DATE, **body}),
            201,
        )
        got = api.get(caller, f"/documents/{doc['sha256']}")
        assert got.status_code == 200, got.text
        assert got.headers["content-type"] == "application/pdf"
        assert hashlib.sha256(got.content).hexdigest() == doc["sha256"]
        assert doc["personal"] == KINDS[kind].personal
        MADE[kind] = got.content
    return MADE[kind]


# -- what each document must state, checked against the chain ----------------------------------


def _application(s: Scenario, facts: dict[str, Any], text: str) -> None:
    fee, minimum = s.api.sandbox.cooperative.charter.functions.fees(0).call()
    assert facts["fees"] == {"entrance_fee": str(fee), "minimum_share": str(minimum)}
    assert facts["applicant"]["wallet"] == s.owner.address
    for value in IDENTITIES["owner"].values():
        assert value in facts["applicant"].values()
    assert IDENTITIES["owner"]["name"] in text and "4512 654321" in text
    assert s.owner.address in compact(text)


def _organisation(s: Scenario, facts: dict[str, Any], text: str) -> None:
    assert facts["applicant"]["ogrn"] == "1026900000017"
    assert "1026900000017" in text and "6901000017" in text
    assert "ОГРН" in text and "Заявление юридического лица" in text


def _admission(s: Scenario, facts: dict[str, Any], text: str) -> None:
    council = s.api.sandbox.governance.council
    item = council.item(s.ids["item_id"])
    got = facts["item"]
    assert (got["for_votes"], got["against_votes"], got["abstain_votes"]) == (
        item.for_votes,
        item.against_votes,
        item.abstain_votes,
    )
    assert got["document_hash"] == "0x" + item.document_hash.hex()
    voted = {v["member"] for v in got["votes"]}
    assert voted == {a for a in council.members() if council.has_voted(s.ids["item_id"], a)}
    names = {p["account"]: p["name"] for p in facts["decision"]["persons"]}
    assert names == {
        s.owner.address: IDENTITIES["owner"]["name"],
        s.buyer.address: IDENTITIES["buyer"]["name"],
    }
    assert "Решение совета о приёме в пайщики" in text
    assert IDENTITIES["buyer"]["name"] in text
    assert f"за / for: {item.for_votes}" in text


def _exclusion(s: Scenario, facts: dict[str, Any], text: str) -> None:
    assert "об исключении из пайщиков" in text and "Исключить за неуплату" in text
    assert s.buyer.address in compact(text)


def _payout(s: Scenario, facts: dict[str, Any], text: str) -> None:
    assert facts["decision"]["amount"] == str(250 * TOKEN)
    assert "Решение совета о выплате" in text and "250.00" in text


def _program_decision(s: Scenario, facts: dict[str, Any], text: str) -> None:
    assert "Решение совета о целевой программе" in text and "Трактор" in text


def _program_terms(s: Scenario, facts: dict[str, Any], text: str) -> None:
    assert facts["program"]["purpose"] == "Совместная покупка трактора"
    assert "Условия целевой программы" in text and "по очереди" in text


def _decision(s: Scenario, facts: dict[str, Any], text: str) -> None:
    assert "Смета" in text and "Утвердить" in text and "item" not in facts


def _council_protocol(s: Scenario, facts: dict[str, Any], text: str) -> None:
    council = s.api.sandbox.governance.council
    assert facts["council"] == council.members()
    (item,) = facts["items"]
    assert item["item_id"] == s.ids["item_id"] and item["title"] == "Приём, собрание, имущество"
    assert item["for_votes"] == council.item(s.ids["item_id"]).for_votes
    assert "Протокол заседания совета" in text and "Приём, собрание, имущество" in text


def _tally(s: Scenario) -> tuple[int, int, int]:
    q = s.api.sandbox.governance.meeting.question(s.ids["meeting_id"], 0)
    return q.for_votes, q.against_votes, q.abstain_votes


def _notice(s: Scenario, facts: dict[str, Any], text: str) -> None:
    meeting = s.api.sandbox.governance.meeting
    info = meeting.meeting(s.ids["meeting_id"])
    m = facts["meeting"]
    assert (m["opens_at"], m["closes_at"]) == (info.opens_at, info.closes_at)
    q = meeting.question(s.ids["meeting_id"], 0)
    assert m["questions"][0]["document_hash"] == "0x" + q.document_hash.hex()
    assert "Утвердить смету" in text and q.document_hash.hex() in compact(text)


def _question(s: Scenario, facts: dict[str, Any], text: str) -> None:
    q = facts["question"]
    assert (q["number"], q["majority"]) == (2, "three_quarters")
    assert q["persons"] == [{"account": s.owner.address, "name": IDENTITIES["owner"]["name"]}]
    assert "Проект решения общего собрания" in text and "вопрос 2" in text
    assert "не менее 3/4" in text and "Утвердить новую редакцию устава" in text


def _ballot(s: Scenario, facts: dict[str, Any], text: str) -> None:
    assert facts["voter"]["account"] == s.owner.address
    assert facts["voter"]["choices"] == s.voters[s.owner.address]
    assert facts["voter"]["name"] == IDENTITIES["owner"]["name"]
    assert "Бюллетень" in text and IDENTITIES["owner"]["name"] in text


def _proxy(s: Scenario, facts: dict[str, Any], text: str) -> None:
    proxy = facts["proxy"]
    assert proxy["principal"]["account"] == s.owner.address
    assert proxy["principal"]["name"] == IDENTITIES["owner"]["name"]
    assert proxy["holder"] == {"account": s.buyer.address, "name": None}
    assert proxy["expires_at"] == 1_900_000_000
    assert facts["meeting"]["meeting_id"] == s.ids["meeting_id"]
    assert "ballots" not in facts["meeting"]
    assert "Доверенность на голосование" in text and "Утвердить смету" in text
    assert s.buyer.address in compact(text)


def _protocol(s: Scenario, facts: dict[str, Any], text: str) -> None:
    m = facts["meeting"]
    info = s.api.sandbox.governance.meeting.meeting(s.ids["meeting_id"])
    q = m["questions"][0]
    assert (q["for_votes"], q["against_votes"], q["abstain_votes"]) == _tally(s) == (2, 1, 0)
    assert (m["participants"], m["eligible"]) == (info.participants, info.eligible)
    assert {b["voter"]: b["choices"] for b in m["ballots"]} == s.voters
    flat = compact(text)
    for voter in s.voters:
        assert voter in flat
    assert "за / for: 2, против / against: 1, воздержались / abstain: 0" in text
    assert "Утвердить смету" in text and "Список проголосовавших" in text


def _member_facts(s: Scenario, m: dict[str, Any]) -> None:
    coop = s.api.sandbox.cooperative
    assert int(m["share_balance"]) == coop.shares.functions.balanceOf(s.owner.address).call()
    assert m["status_name"] == "member"


def _exit(s: Scenario, facts: dict[str, Any], text: str) -> None:
    _member_facts(s, facts["member"])
    assert facts["refund_details"] == "р/с 40817810000000000001"
    assert IDENTITIES["owner"]["name"] in text and "40817810000000000001" in text


def _refund(s: Scenario, facts: dict[str, Any], text: str) -> None:
    _member_facts(s, facts["member"])
    fund = s.api.gateway.fund()
    assert fund is not None
    refundable = int(facts["member"]["refundable"])
    # The owner's loan request is not disbursed: nothing owed yet.
    assert int(facts["deductions"]) == 0 and int(facts["to_refund"]) == refundable
    assert "Итого к возврату" in text


def _loan(s: Scenario, facts: dict[str, Any], text: str) -> None:
    loan = facts["loan"]
    assert loan["borrower"] == s.owner.address and loan["principal"] == str(100 * TOKEN)
    assert len(facts["schedule"]) == loan["instalments"] == 1
    total = int(loan["principal"]) + int(loan["interest"])
    assert int(facts["schedule"][0]["amount"]) == total
    assert "Договор займа из кассы взаимопомощи" in text and "100.00" in text
    assert "График погашения" in text and IDENTITIES["owner"]["name"] in text


def _property(s: Scenario, facts: dict[str, Any], text: str) -> None:
    registry = s.api.gateway.registry()
    assert registry is not None
    a = facts["asset"]
    assert facts["direction"] == "contribution" and a["custodian"] == s.owner.address
    assert int(a["valuation"]) == 1_000 * TOKEN
    assert "Акт приёма-передачи имущества" in text and "1\u00a0000.00" in text.replace(
        " ", "\u00a0"
    )


def _delivery(s: Scenario, facts: dict[str, Any], text: str) -> None:
    o = facts["order"]
    assert (o["supplier"], o["buyer"], o["title"]) == (
        s.owner.address,
        s.buyer.address,
        "Проверка схемы",
    )
    assert "Акт сдачи-приёмки" in text and "Проверка схемы" in text


def _extract(s: Scenario, facts: dict[str, Any], text: str) -> None:
    _member_facts(s, facts["member"])
    assert facts["ledger"], "the owner's share movements"
    assert "Выписка из реестра пайщиков" in text and IDENTITIES["owner"]["name"] in text


def _register(s: Scenario, facts: dict[str, Any], text: str) -> None:
    api = s.api
    members = api.ok(api.get(api.auditor, "/members", params={"limit": 500}))
    assert len(facts["members"]) == members["count"]
    assert {m["account"] for m in facts["members"]} == {m["account"] for m in members["data"]}
    total = sum(int(m["share_balance"]) for m in facts["members"])
    assert int(facts["total_shares"]) == total
    assert s.owner.address in compact(text) and "Реестр пайщиков" in text


def _delivery_list(s: Scenario, facts: dict[str, Any], text: str) -> None:
    sealed = _sealed_list(s)  # the same list again: sealing twice returns the first
    assert facts["delivery_list"] == sealed.document
    assert facts["delivery_list_sha256"] == sealed.sha256
    assert hashlib.sha256(sealed.body).hexdigest() == sealed.sha256
    assert facts["delivery_list"]["meeting_id"] == LISTED_MEETING
    assert "Лист рассылки уведомления о созыве общего собрания" in text
    assert s.owner.address in compact(text) and s.buyer.address in compact(text)
    assert sealed.sha256 in compact(text)  # the JSON's hash stated in the PDF
    assert "as_of" not in facts  # made from the sealed record only: the same bytes always


CHECKS: dict[str, Callable[[Scenario, dict[str, Any], str], None]] = {
    "membership_application": _application,
    "membership_application_organisation": _organisation,
    "council_decision": _decision,
    "council_admission": _admission,
    "council_exclusion": _exclusion,
    "council_payout": _payout,
    "council_program": _program_decision,
    "program_terms": _program_terms,
    "council_protocol": _council_protocol,
    "meeting_notice": _notice,
    "meeting_question": _question,
    "ballot": _ballot,
    "proxy": _proxy,
    "meeting_protocol": _protocol,
    "notice_delivery_list": _delivery_list,
    "exit_application": _exit,
    "share_refund": _refund,
    "loan_agreement": _loan,
    "property_act": _property,
    "delivery_act": _delivery,
    "member_extract": _extract,
    "member_register": _register,
}


GENERATED = sorted(k for k in KINDS if k not in AGREEMENT_KINDS | ROUTE_KINDS)
"""Every kind `POST /documents/generate` makes; the agreements are published through
`/agreements/versions` (tests/api/test_agreements.py), the labour act through `/labour/acts`
(tests/labour)."""


def test_every_kind_is_checked() -> None:
    assert set(CHECKS) == set(GENERATED)


@pytest.mark.parametrize("kind", GENERATED)
def test_document(scenario: Scenario, kind: str) -> None:
    api = scenario.api
    pdf = _make(scenario, kind)

    # PDF/A-3b, fonts embedded, the source attached as the document's /Source.
    markers = pdfa_markers(pdf)
    assert (markers["part"], markers["conformance"]) == ("3", "B")
    assert markers["af"] == [("source.json", "/Source")]
    assert markers["attachments"] == ["source.json"]
    assert markers["fonts"] and all(markers["fonts"].values()), markers["fonts"]
    assert all("Coop-" in name for name in markers["fonts"])

    # The source: this kind, today's template version (served by hash), the facts.
    source = embedded_source(pdf)
    assert source["kind"] == kind and source["format"] == "coopnode-document/1"
    bundle = api.http.get(f"/documents/templates/{source['template']['sha256']}")
    assert bundle.status_code == 200
    assert hashlib.sha256(bundle.content).hexdigest() == source["template"]["sha256"]
    assert bundle.json()["template"] == KINDS[kind].template
    facts = source["facts"]
    charter = api.sandbox.cooperative.addresses.charter
    assert facts["cooperative"]["charter"] == charter and facts["date"] == DATE
    text = pdf_text(pdf)
    assert "05.12.2026" in text
    CHECKS[kind](scenario, facts, text)

    # Anyone regenerates it from the file alone: through the gateway, and here from the
    # stored template versions.
    again = api.ok(api.http.post("/documents/regenerate", content=pdf))
    assert again["identical"] is True and again["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert again["facts"] == facts


def test_regenerate_refuses_foreign_and_tampered_files(scenario: Scenario) -> None:
    api = scenario.api
    plain = api.http.post("/documents/regenerate", content=b"%PDF-1.7 not really")
    assert plain.status_code == 422
    pdf = _make(scenario, "meeting_protocol")
    # One byte more (a PDF reader still opens it): not the document its source makes.
    changed = pdf + b"\n% amended\n"
    answer = api.ok(api.http.post("/documents/regenerate", content=changed))
    assert answer["identical"] is False
    assert answer["regenerated_sha256"] == hashlib.sha256(pdf).hexdigest()


def test_protocol_anchored_and_verified(scenario: Scenario) -> None:
    api, sb = scenario.api, scenario.api.sandbox
    pdf = _make(scenario, "meeting_protocol")
    digest = hashlib.sha256(pdf).hexdigest()
    done = api.act(
        sb.chair, f"/documents/{digest}/anchor/tx", {"document_type": "meeting_protocol"}
    )
    assert done["status"] == "indexed", done
    verified = api.ok(api.http.post("/documents/verify", content=pdf))
    assert verified["anchored"] is True and verified["chain"]["anchored_by"] == sb.chair.address
    assert verified["chain"]["document_type"] == "meeting_protocol"
    # Regenerated from the file alone and the kept template versions: the same hash, so the
    # same anchor.
    assert regenerate(pdf, TemplateStore(api.settings.template_bundles_dir)) == pdf


def test_personal_documents_of_others_refused(scenario: Scenario) -> None:
    api = scenario.api
    answer = api.post(
        scenario.buyer,
        "/documents/generate",
        json={"template": "member_extract", "subject": scenario.owner.address},
    )
    assert answer.status_code == 403
    auditor = api.post(api.auditor, "/documents/generate", json={"template": "exit_application"})
    assert auditor.status_code == 403
    pdf = _make(scenario, "loan_agreement")
    digest = hashlib.sha256(pdf).hexdigest()
    assert api.get(scenario.buyer, f"/documents/{digest}").status_code == 403


def test_delivery_list_pdf_is_the_anchored_one_and_officers_anchor_it(scenario: Scenario) -> None:
    """The list's PDF is made once and its hash is what `/notice-delivery` shows and anchors;
    a plain member may read it (as an auditor does, no e-mail address in clear) but not anchor
    it; the chair anchors it."""
    api, sb = scenario.api, scenario.api.sandbox
    pdf = _make(scenario, "notice_delivery_list")
    digest = hashlib.sha256(pdf).hexdigest()
    path = f"/meetings/{LISTED_MEETING}/notice-delivery"
    seen = api.ok(api.get(api.auditor, path))
    assert seen["sealed"] and seen["pdf_sha256"] == digest
    assert seen["pdf_url"] == f"/documents/{digest}" and seen["anchor"] is None
    assert seen["may_anchor"] is False
    member = api.ok(api.get(scenario.buyer, path))
    assert member == seen  # a member sees what an auditor sees, nothing more
    # Asked again (any caller, any day): the one recorded PDF.
    again = api.ok(
        api.post(
            scenario.buyer,
            "/documents/generate",
            json={"template": "notice_delivery_list", "meeting_id": LISTED_MEETING},
        ),
        201,
    )
    assert again["sha256"] == digest
    # Not sealed (no notices of that meeting): nothing to make or anchor.
    missing = api.post(
        sb.chair,
        "/documents/generate",
        json={"template": "notice_delivery_list", "meeting_id": 8999},
    )
    assert missing.status_code == 409, missing.text
    assert api.post(sb.chair, "/meetings/8999/notice-delivery/anchor/tx").status_code == 409
    # A member who is no officer is refused, changing nothing.
    refused = api.post(scenario.buyer, path + "/anchor/tx")
    assert refused.status_code == 403, refused.text
    assert "должностное лицо" in refused.json()["detail"]
    assert api.ok(api.get(api.auditor, path))["anchor"] is None
    # The chair anchors the PDF's hash (not the JSON's).
    done = api.act(sb.chair, path + "/anchor/tx")
    assert done["status"] == "indexed", done
    anchored = api.ok(api.get(api.auditor, path))
    assert anchored["anchor"]["anchored_by"] == sb.chair.address
    verified = api.ok(api.http.post("/documents/verify", content=pdf))
    assert verified["anchored"] is True and verified["chain"]["document_type"] == "other"
