"""Preferences are validated, and a member reaches only their own notices and settings: the
account is always the session's, never a parameter."""

from __future__ import annotations

import pytest

from node.notices.store import NoticeError, check_webhook_url
from tests.api.conftest import Api
from tests.notices.conftest import SmtpServer, code_in, put, text_of


def test_preferences_are_validated(napi: Api) -> None:
    m = napi.sandbox.members[3]
    before = napi.ok(napi.get(m, "/notices/preferences"))
    for body in (
        {"channels": [{"channel": "sms", "enabled": True}]},
        {"channels": [{"channel": "email", "enabled": True, "kinds": ["weather"]}]},
        {"channels": []},
        {
            "channels": [
                {"channel": "email", "enabled": True},
                {"channel": "email", "enabled": False},
            ]
        },
        {"channels": [{"channel": "email", "enabled": "maybe"}]},
    ):
        r = put(napi, m, "/notices/preferences", body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert napi.ok(napi.get(m, "/notices/preferences")) == before
    for address in ("no-at-sign", "a@b", "x@" + "d" * 300 + ".ru", "a b@c.ru"):
        r = napi.post(m, "/notices/email", json={"address": address})
        assert r.status_code == 422, address
    r = napi.post(m, "/notices/email/confirm", json={"code": "12345"})
    assert r.status_code == 422
    assert napi.post(m, "/notices/email/confirm", json={"code": "123456"}).status_code == 404


def test_webhook_urls_are_checked() -> None:
    for url in (
        "ftp://example.org/x",
        "http://user:pw@example.org/",
        "http://127.0.0.1/hook",
        "http://[::1]/hook",
        "http://10.0.0.5/hook",
        "http://localhost:8080/",
        "http://169.254.169.254/latest/meta-data",
    ):
        with pytest.raises(NoticeError):
            check_webhook_url(url, allow_private=False)
    assert check_webhook_url("https://hooks.example.org/x", allow_private=False)


def test_a_member_cannot_touch_another_members_notices(napi: Api, smtp: SmtpServer) -> None:
    sb = napi.sandbox
    alice, mallory = sb.members[0], sb.council[1]
    # Alice has something in her inbox (the sign-ins and her address bring the first notices
    # in later tests; here: a direct notice row of her own).
    from node.notices.store import Notice, enqueue

    with napi.gateway.engine.begin() as conn:
        enqueue(
            conn,
            [
                Notice(
                    "test:private",
                    "payment_due",
                    [alice.address],
                    {"obligation_id": 1, "due_date": 1_800_000_000, "outstanding": "10"},
                )
            ],
        )
    alices = napi.ok(napi.get(alice, "/notices/inbox"))["data"]
    (private,) = [n for n in alices if n["event_id"] == "test:private"]

    # Mallory's inbox never shows it, and marking it read is "not found".
    mine = napi.ok(napi.get(mallory, "/notices/inbox", params={"limit": 200}))["data"]
    assert all(n["id"] != private["id"] for n in mine)
    assert napi.post(mallory, f"/notices/inbox/{private['id']}/read").status_code == 404
    assert napi.ok(napi.get(alice, "/notices/inbox"))["data"][0]["read_at"] is None

    # Naming another account in a body is refused, not obeyed.
    r = put(
        napi,
        mallory,
        "/notices/preferences",
        {"account": alice.address, "channels": [{"channel": "inbox", "enabled": False}]},
    )
    assert r.status_code == 422
    r = napi.post(
        mallory, "/notices/email", json={"address": "m@evil.example", "account": alice.address}
    )
    assert r.status_code == 422
    assert napi.ok(napi.get(alice, "/notices/preferences"))["channels"][0]["enabled"] is True

    # Mallory gives Alice's address as his own: the code goes to Alice's mailbox, and the code
    # Alice could forward is bound to the account that asked, so it confirms nothing for
    # anyone else; Mallory's guesses run out.
    napi.ok(napi.post(mallory, "/notices/email", json={"address": "alice@mail.example"}), 202)
    (mail,) = smtp.mailbox.wait("alice@mail.example", "email_confirm")
    code = code_in(text_of(mail))
    napi.ok(napi.post(alice, "/notices/email", json={"address": "alice2@mail.example"}), 202)
    assert napi.post(alice, "/notices/email/confirm", json={"code": code}).status_code == 422
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    statuses = [
        napi.post(mallory, "/notices/email/confirm", json={"code": wrong}).status_code
        for _ in range(6)
    ]
    assert statuses == [422] * 5 + [429]
    assert napi.post(mallory, "/notices/email/confirm", json={"code": code}).status_code == 429
    assert napi.ok(napi.get(mallory, "/notices/preferences"))["email"]["confirmed"] is False

    # Nor can the node be used to flood a mailbox with codes: 5 an hour per account.
    flood = [
        napi.post(mallory, "/notices/email", json={"address": "victim@mail.example"}).status_code
        for _ in range(5)
    ]
    assert flood == [202] * 4 + [429]
    assert len(smtp.mailbox.to("victim@mail.example")) <= 4

    # Signed out: nothing.
    assert napi.http.get("/notices/inbox").status_code == 401
    assert napi.http.put("/notices/preferences", json={"channels": []}).status_code == 401
