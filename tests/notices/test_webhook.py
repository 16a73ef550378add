"""Webhooks: a real local HTTP receiver checks the HMAC signature over the timestamp and body,
answers 500 twice (the notifier retries with backoff), then takes the notice; the event id is
the same on every attempt, so the receiver stores it once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from node.governance.sandbox import h
from node.notices.transport import verify
from tests.api.conftest import Api
from tests.conftest import free_port
from tests.notices.conftest import put


class Receiver:
    def __init__(self) -> None:
        self.secret = ""
        self.attempts: list[dict[str, Any]] = []
        self.stored: dict[str, dict[str, Any]] = {}
        self.fail_first = 2
        self.lock = threading.Lock()


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = verify(
                state.secret,
                self.headers["X-Coop-Timestamp"],
                body,
                self.headers["X-Coop-Signature"],
            )
            event_id = self.headers["X-Coop-Event-Id"]
            with state.lock:
                state.attempts.append({"event_id": event_id, "signed": ok, "at": time.time()})
                failing = state.fail_first > 0
                if failing:
                    state.fail_first -= 1
                elif ok:
                    state.stored.setdefault(event_id, json.loads(body))  # dedupe by event id
            self.send_response(500 if failing or not ok else 204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    thread.join(timeout=5)


def test_signed_webhook_retried_until_taken(napi: Api, receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    sb = napi.sandbox
    voter = sb.council[2]
    hook = napi.ok(put(napi, voter, "/notices/webhook", {"url": url}))
    assert hook["url"] == url and len(hook["secret"]) == 64
    state.secret = hook["secret"]
    napi.ok(
        put(
            napi,
            voter,
            "/notices/preferences",
            {"channels": [{"channel": "webhook", "enabled": True, "kinds": None}]},
        )
    )
    # Shown once: reading the preferences never gives the secret again.
    assert napi.ok(napi.get(voter, "/notices/preferences"))["webhook"] == {
        "url": url,
        "secret": None,
    }

    assert sb.governance.council is not None
    item_id, _ = sb.governance.council.propose(sb.council[0], h("webhook item"))
    event_id = f"council_vote_needed:{sb.governance.council.address}:{item_id}"
    deadline = time.monotonic() + 30
    while event_id not in state.stored:
        if time.monotonic() > deadline:
            pytest.fail(f"not delivered: {state.attempts}")
        time.sleep(0.05)
    tries = [a for a in state.attempts if a["event_id"] == event_id]
    assert len(tries) == 3 and all(a["signed"] for a in tries)
    assert tries[2]["at"] - tries[1]["at"] >= 1.0  # backoff, not a tight loop
    got = state.stored[event_id]
    assert got["kind"] == "council_vote_needed" and got["recipient"] == voter.address
    assert got["payload"]["item_id"] == item_id
    assert got["text"].startswith("Кооператив «Шлюз»")
    assert "Вопрос совета № " in got["text"]
    time.sleep(0.6)  # later passes send nothing more
    assert len([a for a in state.attempts if a["event_id"] == event_id]) == 3


def test_forged_signature_is_refused_by_the_receiver() -> None:
    from node.notices.transport import sign

    body = b'{"kind":"meeting_convened"}'
    good = sign("s" * 64, 1_800_000_000, body)
    assert verify("s" * 64, "1800000000", body, good)
    assert not verify("s" * 64, "1800000001", body, good)  # another timestamp
    assert not verify("s" * 64, "1800000000", body + b" ", good)  # another body
    assert not verify("t" * 64, "1800000000", body, good)  # another secret
