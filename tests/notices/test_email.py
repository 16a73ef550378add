"""The legal notice of a general meeting, end to end on a real chain: members confirm their
e-mail addresses with the mailed code, the council convenes a meeting, the notifier (the
gateway's thread) follows the mirror and mails every confirmed address through a real SMTP
server, in Russian with the agenda and the links to the materials; the delivery list is
sealed, its hash anchored by the chair, and shown to an auditor, who recomputes it."""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from node.governance import Convocation, Question
from node.governance.sandbox import h, now, warp
from tests.api.conftest import Api
from tests.notices.conftest import SmtpServer, code_in, confirm_address, put, text_of


def _wait_json(api: Api, account: object, path: str, ok: object, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        r = api.get(account, path)  # type: ignore[arg-type]
        if r.status_code == 200 and ok(r.json()):  # type: ignore[operator]
            body: dict = r.json()
            return body
        if time.monotonic() > deadline:
            pytest.fail(f"{path}: {r.status_code} {r.text[:500]}")
        time.sleep(0.1)


def test_confirmation_mail_is_russian_and_binds_the_address(napi: Api, smtp: SmtpServer) -> None:
    a = napi.sandbox.members[0]
    api_ok = napi.ok(napi.post(a, "/notices/email", json={"address": "Anna@Mail.Example"}), 202)
    assert api_ok == {"address": "Anna@mail.example", "confirmed": False}
    (mail,) = smtp.mailbox.wait("Anna@mail.example", "email_confirm")
    text = text_of(mail)
    assert mail["Subject"].startswith("Подтверждение адреса электронной почты / ")
    assert text.index("Код подтверждения") < text.index("Your e-mail confirmation code")
    assert "https://coop.test/#/notices" in text
    prefs = napi.ok(napi.get(a, "/notices/preferences"))
    assert prefs["email"] == {"address": "Anna@mail.example", "confirmed": False}
    napi.ok(napi.post(a, "/notices/email/confirm", json={"code": code_in(text)}))
    prefs = napi.ok(napi.get(a, "/notices/preferences"))
    assert prefs["email"]["confirmed"] is True


def test_meeting_notice_mailed_listed_and_anchored(napi: Api, smtp: SmtpServer) -> None:
    sb = napi.sandbox
    confirm_address(napi, smtp, sb.members[1], "boris@mail.example")
    # A member who chose no kinds on e-mail still gets the legal notice there.
    napi.ok(
        put(
            napi,
            sb.members[1],
            "/notices/preferences",
            {"channels": [{"channel": "email", "enabled": True, "kinds": ["invoice_issued"]}]},
        )
    )
    materials = h("смета на 2027 год")
    notice_period = sb.governance.meeting.notice_period()
    opens = now(sb.chain) + notice_period + 120
    meeting_id = sb.governance.convene(
        sb.council[0],
        sb.council[:2],
        sb.chair,
        Convocation(
            opens_at=opens,
            closes_at=opens + 86_400,
            secretary=sb.secretary.address,
            questions=(Question(materials),),
        ),
        h("convene notices"),
    )

    for address in ("Anna@mail.example", "boris@mail.example"):
        (mail,) = smtp.mailbox.wait(address, "meeting_convened")
        text = text_of(mail)
        assert mail["Subject"] == (
            "Уведомление о созыве общего собрания / Notice of a general meeting"
        )
        assert f"УВЕДОМЛЕНИЕ О СОЗЫВЕ ОБЩЕГО СОБРАНИЯ ПАЙЩИКОВ № {meeting_id}" in text
        assert text.index("Повестка дня") < text.index("NOTICE OF GENERAL MEETING")
        assert "Кооператив «Шлюз»" in text
        assert "0x" + materials.hex() in text
        assert f"https://coop.test/documents/{materials.hex()}" in text
        assert "https://coop.test/#/meetings" in text
        assert "простое большинство" in text and "Срок уведомления по уставу: 1 ч" in text
        assert mail["X-Coop-Event-Id"] == (
            f"meeting_convened:{sb.governance.meeting.address}:{meeting_id}"
        )
    # Every member has it in the portal's inbox, the same text.
    inbox = napi.ok(napi.get(sb.members[3], "/notices/inbox"))
    (notice,) = [n for n in inbox["data"] if n["kind"] == "meeting_convened"]
    assert notice["payload"]["meeting_id"] == meeting_id
    assert "УВЕДОМЛЕНИЕ О СОЗЫВЕ" in notice["text"]

    # The delivery list: sealed once every notice is settled, shown to an auditor.
    path = f"/meetings/{meeting_id}/notice-delivery"
    listing = _wait_json(napi, napi.auditor, path, lambda b: b["sealed"])
    body = json.dumps(
        listing["document"], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()
    assert hashlib.sha256(body).hexdigest() == listing["sha256"]
    doc = listing["document"]
    assert doc["title_ru"] == "Лист рассылки уведомлений о созыве общего собрания пайщиков"
    assert doc["meeting_id"] == meeting_id and doc["notice_period"] == notice_period
    accounts = {r["account"] for r in doc["recipients"]}
    assert accounts == {m.address for m in sb.members}
    mailed = {
        r["account"]: d
        for r in doc["recipients"]
        for d in r["deliveries"]
        if d["channel"] == "email"
    }
    assert set(mailed) == {sb.members[0].address, sb.members[1].address}
    boris = mailed[sb.members[1].address]
    assert boris["address_sha256"] == hashlib.sha256(b"boris@mail.example").hexdigest()
    assert boris["status"] == "sent" and boris["in_time"] is True
    assert boris["sent_at"] <= doc["deadline"] == opens - notice_period
    assert "boris@mail.example" not in body.decode()  # personal data only as a hash

    # Nothing anchored yet; the chair anchors it with their own wallet.
    assert listing["anchor"] is None
    # The PDF of the list (its facts: this JSON and its hash) is what is anchored, by an officer.
    assert listing["pdf_url"] == f"/documents/{listing['pdf_sha256']}"
    pdf = napi.get(napi.auditor, listing["pdf_url"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == listing["pdf_sha256"]
    regenerated = napi.ok(napi.http.post("/documents/regenerate", content=pdf.content))
    assert regenerated["kind"] == "notice_delivery_list"
    assert regenerated["facts"]["delivery_list_sha256"] == listing["sha256"]
    assert regenerated["facts"]["delivery_list"] == doc
    plain = sb.members[-1]  # a member who is neither council, chair nor secretary
    assert plain.address not in {a.address for a in sb.council} | {
        sb.chair.address,
        sb.secretary.address,
    }
    refused = napi.post(plain, path + "/anchor/tx")
    assert refused.status_code == 403, refused.text
    result = napi.act(sb.chair, path + "/anchor/tx")
    assert result["status"] == "indexed", result
    anchored = napi.ok(napi.get(napi.auditor, path))
    assert anchored["anchor"]["anchored_by"] == sb.chair.address
    assert anchored["sha256"] == listing["sha256"]  # sealed once: the same list
    on_chain = sb.cooperative.documents.functions.documentOf(
        bytes.fromhex(listing["pdf_sha256"])
    ).call()
    assert on_chain[2] == 7  # DocumentType.Other

    # Voting opens by the chain's clock: the periodic scan tells every member, once.
    warp(sb.chain, opens)
    napi.synced()
    opened = _wait_json(
        napi,
        sb.members[2],
        "/notices/inbox",
        lambda b: any(n["kind"] == "voting_opened" for n in b["data"]),
    )
    assert sum(n["kind"] == "voting_opened" for n in opened["data"]) == 1
    time.sleep(0.6)  # three more passes of the scan
    again = napi.ok(napi.get(sb.members[2], "/notices/inbox"))
    assert sum(n["kind"] == "voting_opened" for n in again["data"]) == 1
