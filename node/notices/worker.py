"""The notifier: one pass follows the mirror, scans what came due, delivers the outbox and seals
the delivery lists of meeting notices. `Notifier.run` repeats passes until stopped (a thread
started with the gateway); `coop notices send-pending` runs one.

Every step commits on its own: the cursor with the rows it made, each delivery's result as
soon as it is known. A crash loses nothing but the result of the message in flight, which is
then sent again (at least once; receivers deduplicate on the event id).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from indexer.queries.common import NotFound, current_block
from node.notices import delivery_list, events, messages, store
from node.notices.events import Contracts
from node.notices.transport import (
    SmtpConfig,
    SmtpError,
    SmtpSession,
    WebhookRefused,
    post_webhook,
    webhook_body,
)

log = logging.getLogger(__name__)

#: Outbox rows handed over per batch (one SMTP connection each).
BATCH = 500
#: Sent e-mails are marked in the outbox this many at a time: a crash between the server's
#: answer and the commit re-sends at most this many (with the same event id and Message-ID).
SENT_COMMIT = 50


@dataclass
class NotifierConfig:
    smtp_url: str | None = None
    sender: str = "Кооператив <notices@coopnode.invalid>"
    backoff: float = 30.0
    backoff_max: float = 3600.0
    interval: float = 2.0
    webhook_timeout: float = 10.0
    webhook_private: bool = False
    """Deliver to loopback and private addresses (`COOP_NOTICES_WEBHOOK_PRIVATE`)."""


@dataclass
class Delivered:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)


class Notifier:
    """Follows one cooperative's mirror into the outbox and delivers it."""

    def __init__(self, engine: Engine, contracts: Contracts, config: NotifierConfig) -> None:
        self.engine = engine
        self.c = contracts
        self.config = config
        self.smtp = SmtpConfig.from_url(config.smtp_url) if config.smtp_url else None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0
        self.last_error: str | None = None
        self._seen: tuple[int, str | None] | None = None
        #: Asked before each pass of the thread: False means another process sends (see
        #: `node/api/notifier.py`, a leader lock per chain); None: always this one.
        self.gate: Callable[[], bool] | None = None
        #: Called when the thread has stopped (gives the gate's lock back).
        self.on_stop: Callable[[], None] | None = None

    # -- one pass ---------------------------------------------------------------------------

    def collect(self) -> events.Pass:
        """Follow the mirror to its head (several steps) and scan what came due; nothing when
        the mirror has not moved since the last pass (the scan judges time by its block)."""
        total = events.Pass()
        try:
            with self.engine.connect() as conn:
                head = current_block(conn, self.c.chain_id)
        except NotFound:
            return total
        mark = (head.number, head.hash)
        if mark == self._seen:
            return total
        while True:
            with self.engine.begin() as conn:
                step = events.follow(conn, self.c)
            total.events += step.events
            total.rows += step.rows
            total.notices += step.notices
            for k, v in step.kinds.items():
                total.kinds[k] = total.kinds.get(k, 0) + v
            if step.events < events.STEP:
                break
        with self.engine.begin() as conn:
            scanned = events.scan(conn, self.c)
        self._seen = mark
        total.rows += scanned.rows
        total.notices += scanned.notices
        for k, v in scanned.kinds.items():
            total.kinds[k] = total.kinds.get(k, 0) + v
        return total

    def deliver(self, at: int | None = None, *, limit: int | None = None) -> Delivered:
        """Hand every due row over (batches of `BATCH`); failures are rescheduled."""
        done = Delivered()
        handed = 0
        while limit is None or handed < limit:
            t = store.now() if at is None else at
            with self.engine.connect() as conn:
                rows = store.due(conn, t, BATCH if limit is None else min(BATCH, limit - handed))
            if not rows:
                break
            emails = [r for r in rows if r.channel == "email"]
            hooks = [r for r in rows if r.channel == "webhook"]
            progress = self._emails(emails, t, done) + self._webhooks(hooks, t, done)
            handed += len(rows)
            if not progress:
                break  # everything of this batch was deferred: the next pass tries again
        return done

    def seal_lists(self) -> list[str]:
        """Seal the delivery lists whose meetings are ready (see `delivery_list.ready`)."""
        try:
            with self.engine.connect() as conn:
                chain_time = current_block(conn, self.c.chain_id).timestamp or 0
        except NotFound:
            return []
        sealed = []
        with self.engine.begin() as conn:
            for key in delivery_list.ready(conn, chain_time):
                first = conn.execute(
                    sa.select(store.tables.outbox.c.payload, store.tables.outbox.c.kind)
                    .where(store.tables.outbox.c.subject_key == key)
                    .limit(1)
                ).first()
                text_hash = None
                if first is not None:
                    text = messages.render(first.kind, first.payload, self.c.name)
                    text_hash = hashlib.sha256(text.encode()).hexdigest()
                delivery_list.seal(
                    conn,
                    key,
                    chain_id=self.c.chain_id,
                    charter=self.c.charter,
                    notice_text_sha256=text_hash,
                )
                sealed.append(key)
        return sealed

    def tick(self) -> tuple[events.Pass, Delivered]:
        collected = self.collect()
        delivered = self.deliver()
        self.seal_lists()
        self.passes += 1
        return collected, delivered

    # -- channels ---------------------------------------------------------------------------

    def _text(self, row: Any) -> str:
        return messages.render(row.kind, row.payload, self.c.name)

    def _emails(self, rows: list[Any], t: int, done: Delivered) -> int:
        if not rows:
            return 0
        if self.smtp is None:
            with self.engine.begin() as conn:
                for r in rows:
                    store.mark_failed(
                        conn,
                        r,
                        "COOP_SMTP_URL is not set",
                        t,
                        backoff=self.config.backoff,
                        backoff_max=self.config.backoff_max,
                    )
            done.deferred += len(rows)
            return 0
        progress = 0
        at = datetime.fromtimestamp(t, UTC)
        sent: list[int] = []

        def flush() -> None:
            if sent:
                with self.engine.begin() as conn:
                    store.mark_sent(conn, sent, store.now())
                sent.clear()

        try:
            with SmtpSession(self.smtp) as session:
                for r in rows:
                    msg = messages.email(
                        sender=self.config.sender,
                        to=r.address,
                        kind=r.kind,
                        event_id=r.event_id,
                        recipient=r.recipient,
                        text=self._text(r),
                        at=at,
                    )
                    try:
                        session.send(msg)
                    except SmtpError as exc:
                        with self.engine.begin() as conn:
                            store.mark_failed(
                                conn,
                                r,
                                str(exc),
                                t,
                                backoff=self.config.backoff,
                                backoff_max=self.config.backoff_max,
                                permanent=exc.permanent,
                            )
                        done.failed += 1
                        continue
                    sent.append(r.id)
                    if len(sent) >= SENT_COMMIT:
                        flush()
                    progress += 1
                    done.sent += 1
                    done.by_channel["email"] = done.by_channel.get("email", 0) + 1
                flush()
        except (OSError, smtplib.SMTPException) as exc:
            # The server is down or hung up: every row not yet sent waits (backoff).
            flush()
            self.last_error = f"smtp: {exc!r}"
            log.warning("notices: SMTP unavailable, retrying later: %r", exc)
            sent_ids = self._sent_ids([r.id for r in rows])
            with self.engine.begin() as conn:
                for r in rows:
                    if r.id not in sent_ids:
                        store.mark_failed(
                            conn,
                            r,
                            f"smtp: {exc!r}",
                            t,
                            backoff=self.config.backoff,
                            backoff_max=self.config.backoff_max,
                        )
                        done.deferred += 1
        return progress

    def _sent_ids(self, ids: list[int]) -> set[int]:
        o = store.tables.outbox
        with self.engine.connect() as conn:
            return {
                int(r[0])
                for r in conn.execute(
                    sa.select(o.c.id).where(o.c.id.in_(ids), o.c.status != "pending")
                )
            }

    def _webhooks(self, rows: list[Any], t: int, done: Delivered) -> int:
        if not rows:
            return 0
        progress = 0
        with httpx.Client(timeout=self.config.webhook_timeout, follow_redirects=False) as client:
            for r in rows:
                with self.engine.connect() as conn:
                    hook = store.webhook_of(conn, r.recipient)
                if hook is None or hook[0] != r.address:
                    # removed or replaced since queued: the member no longer wants it there
                    with self.engine.begin() as conn:
                        store.mark_failed(
                            conn,
                            r,
                            "webhook removed",
                            t,
                            backoff=self.config.backoff,
                            backoff_max=self.config.backoff_max,
                            permanent=True,
                        )
                    continue
                if not self.config.webhook_private and not store.resolves_public(hook[0]):
                    with self.engine.begin() as conn:
                        store.mark_failed(
                            conn,
                            r,
                            "webhook host is not public",
                            t,
                            backoff=self.config.backoff,
                            backoff_max=self.config.backoff_max,
                            permanent=True,
                        )
                    done.failed += 1
                    continue
                body = webhook_body(
                    {
                        "event_id": r.event_id,
                        "kind": r.kind,
                        "recipient": r.recipient,
                        "cooperative": self.c.charter,
                        "chain_id": self.c.chain_id,
                        "created_at": r.created_at,
                        "payload": r.payload,
                        "text": self._text(r),
                    }
                )
                try:
                    post_webhook(client, hook[0], hook[1], r.event_id, body, store.now())
                except (httpx.HTTPError, WebhookRefused) as exc:
                    with self.engine.begin() as conn:
                        store.mark_failed(
                            conn,
                            r,
                            f"webhook: {exc!r}",
                            t,
                            backoff=self.config.backoff,
                            backoff_max=self.config.backoff_max,
                        )
                    done.deferred += 1
                    continue
                with self.engine.begin() as conn:
                    store.mark_sent(conn, [r.id], store.now())
                progress += 1
                done.sent += 1
                done.by_channel["webhook"] = done.by_channel.get("webhook", 0) + 1
        return progress

    # -- the thread -------------------------------------------------------------------------

    def run(self) -> None:
        while not self._stop.is_set():
            # Several gateway processes on one database: only the one holding the gate sends,
            # or every notice would go out once per process.
            if self.gate is not None and not self.gate():
                self._stop.wait(self.config.interval)
                continue
            try:
                self.tick()
                self.last_error = None
            except Exception as exc:  # a pass that fails (mirror down, database busy) is retried
                self.last_error = repr(exc)
                log.exception("notices: pass failed")
            self._stop.wait(self.config.interval)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="notifier", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None
        if self.on_stop is not None:
            self.on_stop()

    def wait_idle(self, timeout: float = 30) -> bool:
        """Until no row is due now (tests, `send-pending`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.engine.connect() as conn:
                if not store.due(conn, store.now(), 1):
                    return True
            time.sleep(0.05)
        return False
