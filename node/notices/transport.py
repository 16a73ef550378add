"""Handing notices over: SMTP (`COOP_SMTP_URL`) and signed webhooks.

A webhook request is `POST <url>` with the JSON notice as body and the headers
`X-Coop-Event-Id` (the same on every retry: the receiver deduplicates on it),
`X-Coop-Timestamp` (unix seconds) and `X-Coop-Signature: sha256=<hex>`, the HMAC-SHA256 of
`<timestamp>.<body>` with the webhook's secret (a receiver rejects an old timestamp, so a
captured request cannot be replayed later). Any 2xx answer is delivery; anything else is
retried with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx


class TransportConfigError(ValueError):
    """`COOP_SMTP_URL` cannot be understood."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        """`smtp://[user:password@]host[:port][?starttls=1]` or `smtps://...` (TLS at once)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise TransportConfigError(
                f"COOP_SMTP_URL: ожидается smtp://host:port / expected smtp://host:port, got "
                f"{parts.scheme or '?'}://..."
            )
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 587 if starttls else 25),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=starttls,
            tls=tls,
        )


class SmtpError(Exception):
    """A message the server did not take; `permanent`: it refused it for good (5xx)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmtpSession:
    """One connection for a batch of messages (a 10,000-member meeting is not 10,000 TCP
    handshakes). Connection errors raise `OSError`/`smtplib.SMTPException`: the batch waits."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        c = self.config
        if c.tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                c.host, c.port, timeout=c.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            if c.starttls:
                smtp.starttls(context=ssl.create_default_context())
        if c.user:
            smtp.login(c.user, c.password or "")
        self._smtp = smtp
        return self

    def __exit__(self, *exc: object) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, message: EmailMessage) -> None:
        assert self._smtp is not None
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise SmtpError(f"{code} {text!r}", permanent=500 <= code < 600) from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code in (421,):  # the server is closing: the whole batch waits
                raise
            raise SmtpError(
                f"{exc.smtp_code} {exc.smtp_error!r}", permanent=500 <= exc.smtp_code < 600
            ) from exc
        if refused:
            code, text = next(iter(refused.values()))
            raise SmtpError(f"{code} {text!r}", permanent=500 <= code < 600)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (and the tests): recompute and compare in constant time."""
    try:
        expected = sign(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, signature)


def webhook_body(notice: dict[str, Any]) -> bytes:
    return json.dumps(notice, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def post_webhook(
    client: httpx.Client, url: str, secret: str, event_id: str, body: bytes, timestamp: int
) -> None:
    """POST one notice; raises `httpx.HTTPError` (network) or `WebhookRefused` (not 2xx)."""
    response = client.post(
        url,
        content=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Coop-Event-Id": event_id,
            "X-Coop-Timestamp": str(timestamp),
            "X-Coop-Signature": sign(secret, timestamp, body),
        },
    )
    if not 200 <= response.status_code < 300:
        raise WebhookRefused(f"HTTP {response.status_code}")


class WebhookRefused(Exception):
    """The receiver answered, but not with 2xx."""
