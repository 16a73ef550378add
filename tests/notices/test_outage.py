"""A failing mail server delays, never loses; a restarted notifier resumes where it stopped and
sends each notice once per `(event_id, recipient, channel)`."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

from node.api.notifier import contracts_of, start_notifier
from node.governance.sandbox import h, now, warp
from node.notices import events, store, tables
from tests.api.conftest import Api
from tests.notices.conftest import SmtpServer, code_in, text_of


def _rows(api: Api, *where: Any) -> list[Any]:
    with api.gateway.engine.connect() as conn:
        return list(conn.execute(sa.select(tables.outbox).where(*where)))


def _until(predicate: Any, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out: {what}")
        time.sleep(0.05)


def test_outage_then_restart_delivers_exactly_once(napi: Api, smtp: SmtpServer) -> None:
    sb = napi.sandbox
    vera = sb.members[2]
    address = "vera@mail.example"
    o = tables.outbox

    # The server answers 451 (busy): the code waits and is retried with backoff.
    smtp.mailbox.refuse = True
    napi.ok(napi.post(vera, "/notices/email", json={"address": address}), 202)
    mine = (o.c.recipient == vera.address, o.c.kind == "email_confirm")
    _until(lambda: any(r.attempts >= 2 for r in _rows(napi, *mine)), what="two refused attempts")
    (row,) = _rows(napi, *mine)
    assert row.status == "pending" and "451" in row.last_error
    assert row.next_attempt_at > row.created_at  # backed off

    # Then the server is down altogether.
    smtp.mailbox.refuse = False
    smtp.stop()
    _until(
        lambda: "Connection refused" in (_rows(napi, *mine)[0].last_error or ""),
        what="a refused connection",
    )
    assert _rows(napi, *mine)[0].status == "pending"

    # The node stops (its notifier with it) while the chain goes on: a council item is proposed.
    napi.app.state.notifier.stop()
    gov = sb.governance
    assert gov.council is not None
    item_id, _ = gov.council.propose(sb.council[0], h("item while the notifier is down"))
    napi.synced()
    item_event = f"council_vote_needed:{gov.council.address}:{item_id}"
    assert not _rows(napi, o.c.event_id == item_event)

    # The node starts again and the server is back: the pending code is mailed once, and the
    # item proposed meanwhile is found from the stored cursor.
    smtp.start()
    restarted = start_notifier(napi.gateway)
    assert restarted is not None
    napi.app.state.notifier = restarted
    (mail,) = smtp.mailbox.wait(address, "email_confirm")
    _until(lambda: _rows(napi, *mine)[0].status == "sent", what="the code marked sent")
    napi.ok(napi.post(vera, "/notices/email/confirm", json={"code": code_in(text_of(mail))}))
    inbox = napi.ok(napi.get(sb.council[1], "/notices/inbox"))
    assert any(
        n["kind"] == "council_vote_needed" and n["payload"]["item_id"] == item_id
        for n in inbox["data"]
    ), inbox
    proposer_inbox = napi.ok(napi.get(sb.council[0], "/notices/inbox"))
    assert not any(n["kind"] == "council_vote_needed" for n in proposer_inbox["data"])

    # Replaying the mirror from the meeting's convening on adds no row: every event id is
    # already queued.
    before = len(_rows(napi))
    (convened, *_) = _rows(napi, o.c.kind == "meeting_convened")
    with napi.gateway.engine.begin() as conn:
        c = contracts_of(napi.gateway)
        events.start_at(conn, c, int(convened.payload["convened_block"]))
        replay = events.follow(conn, c, limit=100_000)
    assert replay.notices >= 2  # the meeting notice and the council item, derived again
    assert replay.rows == 0 and len(_rows(napi)) == before
    time.sleep(0.5)
    assert len(smtp.mailbox.to(address)) == 1  # sent exactly once
    keys = [(r.event_id, r.recipient, r.channel) for r in _rows(napi)]
    assert len(keys) == len(set(keys))


def test_news_older_than_a_week_is_not_sent_after_a_long_stop(napi: Api) -> None:
    """A node that was stopped for more than `MAX_AGE` does not announce what happened long
    ago when it catches up (the cursor still moves past it)."""
    sb = napi.sandbox
    assert sb.governance.council is not None
    napi.app.state.notifier.stop()
    item_id, _ = sb.governance.council.propose(sb.council[0], h("while stopped for 8 days"))
    warp(sb.chain, now(sb.chain) + events.MAX_AGE + 86_400)
    head = napi.synced()
    restarted = start_notifier(napi.gateway)
    assert restarted is not None
    napi.app.state.notifier = restarted
    c = contracts_of(napi.gateway)
    _until(
        lambda: _cursor_block(napi, c.cursor_name) >= head,
        what="the notifier's cursor past the old event",
    )
    stale = f"council_vote_needed:{sb.governance.council.address}:{item_id}"
    assert not _rows(napi, tables.outbox.c.event_id == stale)


def _cursor_block(api: Api, name: str) -> int:
    with api.gateway.engine.connect() as conn:
        got = store.read_cursor(conn, name)
    return -1 if got is None else got[0]
