"""A real SMTP server in-process (aiosmtpd) and a gateway of its own mailing to it.

The gateway is `tests.api.conftest.running_gateway` (anvil, a governed cooperative of 4
members, the indexer, uvicorn) with the notifier thread on (every 0.2 s, first retry after
1 s) and `COOP_SMTP_URL` pointing at the server below. The suite's state builds up in order,
like the gateway suite's.
"""

from __future__ import annotations

import email
import email.policy
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPProtocol
from aiosmtpd.smtp import Envelope, Session

from tests.api.conftest import Api, running_gateway
from tests.conftest import free_port


@dataclass
class Mailbox:
    """What the SMTP server accepted, parsed; `refuse` makes it answer 451 (busy) to DATA."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTPProtocol, session: Session, envelope: Envelope) -> str:
        if self.refuse:
            return "451 4.3.0 try again later"
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait(
        self, address: str, kind: str, count: int = 1, timeout: float = 30
    ) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.to(address) if m["X-Coop-Kind"] == kind]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                pytest.fail(
                    f"no {kind} mail to {address}: {[m['Subject'] for m in self.to(address)]}"
                )
            time.sleep(0.05)


class SmtpServer:
    """The server, which the tests stop and start again (an outage) on the same port."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture(scope="package")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Mailbox())
    server.start()
    yield server
    server.stop()


def text_of(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


@pytest.fixture(scope="package")
def napi(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> Iterator[Api]:
    env = {
        "COOP_SMTP_URL": smtp.url,
        "COOP_NOTICES_INTERVAL": "0.2",
        "COOP_NOTICES_BACKOFF": "1",
        "COOP_NOTICES_BACKOFF_MAX": "2",
        "COOP_NOTICES_WEBHOOK_PRIVATE": "1",
        "COOP_PUBLIC_URL": "https://coop.test",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with running_gateway(Path(tmp_path_factory.mktemp("notices")), with_modules=False) as api:
            yield api
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def confirm_address(api: Api, smtp: SmtpServer, account: Any, address: str) -> None:
    """The whole confirmation: give the address, read the code from the mail, type it."""
    before = len(smtp.mailbox.to(address))
    api.ok(api.post(account, "/notices/email", json={"address": address}), 202)
    mails = smtp.mailbox.wait(address, "email_confirm", before + 1)
    code = code_in(text_of(mails[-1]))
    api.ok(api.post(account, "/notices/email/confirm", json={"code": code}))


def code_in(text: str) -> str:
    import re

    found = re.search(r"Код подтверждения адреса электронной почты: (\d{6})", text)
    assert found, text
    return found.group(1)


def put(api: Api, account: Any, path: str, body: Any) -> Any:
    return api.http.put(path, headers=api.headers(account), json=body)


def delete(api: Api, account: Any, path: str) -> Any:
    return api.http.delete(path, headers=api.headers(account))
