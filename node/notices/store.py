"""The notices in SQL: a member's channels and preferences, the outbox, the notifier's cursor.

The outbox is the one place a notice lives from the moment it is decided until a server has
taken it: rows are keyed `(event_id, recipient, channel)`, so deriving the same event again
(a restart that re-reads the mirror, a second scan of due dates) adds nothing, and delivery is
at least once (a crash after the server accepted and before the row says `sent` sends it again
with the same `X-Coop-Event-Id`, which a receiver deduplicates on).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from indexer.db import upgrade_history
from node.notices import tables
from node.notices.kinds import CHANNELS, EMAIL_CONFIRM, KINDS, LEGAL_KINDS

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "notice_alembic_version"

#: An e-mail confirmation code lives this long and allows this many wrong guesses.
CODE_TTL = 24 * 3600
CODE_ATTEMPTS = 5
#: At most this many confirmation codes per account in `CODE_WINDOW` seconds.
CODES_PER_WINDOW = 5
CODE_WINDOW = 3600
#: A server that refuses an address for good (5xx) is asked this many times before the notice
#: is marked failed (and listed so in the meeting's delivery list).
MAX_PERMANENT_ATTEMPTS = 3

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


class NoticeError(ValueError):
    """A request the notices refuse (bad address, wrong code...): nothing was changed.

    `status` is the HTTP-like class of the refusal the gateway maps it to (422 invalid input,
    404 not found, 409 conflict, 429 too many attempts)."""

    def __init__(self, status: int, ru: str, en: str) -> None:
        super().__init__(f"{ru} / {en}")
        self.status = status


def migrate(engine: Engine) -> None:
    """Bring the notices' tables to the newest revision (idempotent)."""
    upgrade_history(engine, str(MIGRATIONS_DIR), VERSION_TABLE)


def now() -> int:
    return int(time.time())


def _insert(conn: Connection, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT for the connection's dialect (SQLite or PostgreSQL)."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


# -- preferences --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelPreference:
    channel: str
    enabled: bool
    kinds: list[str] | None
    """None: every kind."""


def _check_kinds(kinds: Sequence[str] | None) -> list[str] | None:
    if kinds is None:
        return None
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise NoticeError(
            422, f"Неизвестные виды уведомлений: {unknown}", f"Unknown notice kinds: {unknown}"
        )
    return sorted(set(kinds))


def preferences(conn: Connection, account: str) -> list[ChannelPreference]:
    """The member's choice per channel; the inbox is on unless turned off, e-mail and webhook
    are off until the member turns them on."""
    rows = {
        r.channel: r
        for r in conn.execute(
            sa.select(tables.preference).where(tables.preference.c.account == account)
        )
    }
    out = []
    for channel in CHANNELS:
        r = rows.get(channel)
        if r is None:
            out.append(ChannelPreference(channel, channel == "inbox", None))
        else:
            out.append(ChannelPreference(channel, bool(r.enabled), r.kinds))
    return out


def set_preferences(conn: Connection, account: str, prefs: Iterable[ChannelPreference]) -> None:
    """Replace the member's choice for the channels given (validated first: a bad entry changes
    nothing)."""
    checked = []
    for p in prefs:
        if p.channel not in CHANNELS:
            raise NoticeError(
                422, f"Неизвестный канал {p.channel!r}", f"Unknown channel {p.channel!r}"
            )
        checked.append(ChannelPreference(p.channel, p.enabled, _check_kinds(p.kinds)))
    t = now()
    for p in checked:
        stmt = _insert(conn, tables.preference).values(
            account=account, channel=p.channel, enabled=p.enabled, kinds=p.kinds, updated_at=t
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["account", "channel"],
                set_={"enabled": p.enabled, "kinds": p.kinds, "updated_at": t},
            )
        )


# -- e-mail addresses ---------------------------------------------------------------------------


def normalise_email(address: str) -> str:
    address = address.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise NoticeError(
            422,
            f"Неверный адрес электронной почты: {address[:80]!r}",
            f"Not a valid e-mail address: {address[:80]!r}",
        )
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def _code_hash(account: str, code: str) -> str:
    return hashlib.sha256(f"{account.lower()}:{code}".encode()).hexdigest()


def start_email_confirmation(conn: Connection, account: str, address: str) -> str:
    """Remember `address` as the member's, unconfirmed, and return the code to mail to it.

    The code is bound to the account: another member who learns it cannot confirm the address
    for themselves; and nothing but the code is mailed to an address before it is confirmed."""
    address = normalise_email(address)
    t = now()
    recent = conn.execute(
        sa.select(sa.func.count())
        .select_from(tables.outbox)
        .where(
            tables.outbox.c.recipient == account,
            tables.outbox.c.kind == EMAIL_CONFIRM,
            tables.outbox.c.created_at > t - CODE_WINDOW,
        )
    ).scalar()
    if int(recent or 0) >= CODES_PER_WINDOW:
        # The node must not become a way to flood someone's mailbox with codes.
        raise NoticeError(
            429,
            "Слишком много кодов за час: попробуйте позже",
            "Too many codes this hour: try later",
        )
    code = f"{secrets.randbelow(10**6):06d}"
    values = {
        "address": address,
        "confirmed_at": None,
        "code_hash": _code_hash(account, code),
        "code_expires_at": t + CODE_TTL,
        "attempts": 0,
        "updated_at": t,
    }
    stmt = _insert(conn, tables.email).values(account=account, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["account"], set_=values))
    return code


def confirm_email(conn: Connection, account: str, code: str) -> str:
    """Confirm the member's pending address with the mailed code; returns the address."""
    row = conn.execute(sa.select(tables.email).where(tables.email.c.account == account)).first()
    if row is None or row.code_hash is None:
        raise NoticeError(
            404, "Нет адреса, ожидающего подтверждения", "No address awaits confirmation"
        )
    if row.attempts >= CODE_ATTEMPTS:
        raise NoticeError(
            429,
            "Слишком много неверных кодов: укажите адрес снова",
            "Too many wrong codes: give the address again",
        )
    if int(row.code_expires_at or 0) < now():
        raise NoticeError(
            410, "Код устарел: укажите адрес снова", "The code expired: give the address again"
        )
    if not hmac.compare_digest(row.code_hash, _code_hash(account, code.strip())):
        raise NoticeError(422, "Неверный код", "Wrong code")
    conn.execute(
        tables.email.update()
        .where(tables.email.c.account == account)
        .values(confirmed_at=now(), code_hash=None, code_expires_at=None, attempts=0)
    )
    # The codes mailed are spent: they do not stay readable in the outbox.
    conn.execute(
        tables.outbox.update()
        .where(
            tables.outbox.c.recipient == account,
            tables.outbox.c.kind == EMAIL_CONFIRM,
            tables.outbox.c.status != "pending",
        )
        .values(payload={})
    )
    return str(row.address)


def count_wrong_code(conn: Connection, account: str) -> None:
    """One more wrong guess (in its own transaction: the refusal rolls back the caller's)."""
    conn.execute(
        tables.email.update()
        .where(tables.email.c.account == account)
        .values(attempts=tables.email.c.attempts + 1)
    )


def email_of(conn: Connection, account: str) -> tuple[str, bool] | None:
    """(address, confirmed) of the member, or None."""
    row = conn.execute(sa.select(tables.email).where(tables.email.c.account == account)).first()
    return None if row is None else (str(row.address), row.confirmed_at is not None)


def remove_email(conn: Connection, account: str) -> None:
    conn.execute(tables.email.delete().where(tables.email.c.account == account))


# -- webhooks -----------------------------------------------------------------------------------


def _private_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return None if ip.is_global else ip


def check_webhook_url(url: str, *, allow_private: bool) -> str:
    """An http(s) URL without credentials, not naming a loopback or private address (unless
    `allow_private`): a member must not make the node call the cooperative's internal services.
    Names are resolved when delivering (`resolves_public`), where a name that has come to point
    inside is refused too."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise NoticeError(
            422, f"Неверный адрес webhook: {url[:80]!r}", f"Not a valid webhook URL: {url[:80]!r}"
        )
    if parts.username or parts.password:
        raise NoticeError(
            422, "Адрес webhook без логина и пароля", "A webhook URL carries no credentials"
        )
    if not allow_private:
        ip = _private_ip(parts.hostname)
        if ip is not None or parts.hostname.lower() in ("localhost", "localhost.localdomain"):
            raise NoticeError(
                422,
                f"Адрес {parts.hostname} закрыт для webhook",
                f"Webhooks to {parts.hostname} are not allowed",
            )
    return url


def resolves_public(url: str) -> bool:
    """Every address the URL's host resolves to is public (checked before each delivery)."""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    return all(ipaddress.ip_address(str(i[4][0]).split("%")[0]).is_global for i in infos)


def set_webhook(conn: Connection, account: str, url: str, *, allow_private: bool) -> str:
    """Register (or replace) the member's webhook; returns its new HMAC secret (shown once)."""
    url = check_webhook_url(url, allow_private=allow_private)
    secret = secrets.token_hex(32)
    values = {"url": url, "secret": secret, "created_at": now()}
    stmt = _insert(conn, tables.webhook).values(account=account, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["account"], set_=values))
    return secret


def webhook_of(conn: Connection, account: str) -> tuple[str, str] | None:
    """(url, secret) of the member's webhook, or None."""
    row = conn.execute(sa.select(tables.webhook).where(tables.webhook.c.account == account)).first()
    return None if row is None else (str(row.url), str(row.secret))


def remove_webhook(conn: Connection, account: str) -> None:
    conn.execute(tables.webhook.delete().where(tables.webhook.c.account == account))


# -- the outbox ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """One thing that happened, for whom: the notifier turns it into one row per channel."""

    event_id: str
    kind: str
    recipients: Sequence[str]
    payload: dict[str, Any]
    subject_key: str | None = None


def _channels(conn: Connection, recipients: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per recipient: the channels' preferences, the confirmed e-mail, the webhook."""
    out: dict[str, dict[str, Any]] = {
        r: {"prefs": {}, "email": None, "webhook": None} for r in recipients
    }
    for chunk_start in range(0, len(recipients), 900):
        chunk = list(recipients[chunk_start : chunk_start + 900])
        for r in conn.execute(
            sa.select(tables.preference).where(tables.preference.c.account.in_(chunk))
        ):
            out[r.account]["prefs"][r.channel] = (bool(r.enabled), r.kinds)
        for r in conn.execute(
            sa.select(tables.email.c.account, tables.email.c.address).where(
                tables.email.c.account.in_(chunk), tables.email.c.confirmed_at.is_not(None)
            )
        ):
            out[r.account]["email"] = r.address
        for r in conn.execute(
            sa.select(tables.webhook.c.account, tables.webhook.c.url).where(
                tables.webhook.c.account.in_(chunk)
            )
        ):
            out[r.account]["webhook"] = r.url
    return out


def _wants(prefs: dict[str, Any], channel: str, kind: str) -> bool:
    enabled, kinds = prefs.get(channel, (channel == "inbox", None))
    if kind in LEGAL_KINDS and channel in ("inbox", "email"):
        return True  # the legal notice reaches every channel the member has (law, not taste)
    return bool(enabled) and (kinds is None or kind in kinds)


def enqueue(conn: Connection, notices: Iterable[Notice], at: int | None = None) -> int:
    """Queue each notice on every channel its recipients chose; returns the rows added. A notice
    whose event id is already in the outbox adds nothing; rows are moreover unique by
    `(event_id, recipient, channel)` (two notifiers racing insert each row once)."""
    t = now() if at is None else at
    added = 0
    for notice in notices:
        recipients = sorted(set(notice.recipients))
        if not recipients:
            continue
        fanned_out = conn.execute(
            sa.select(tables.outbox.c.id)
            .where(tables.outbox.c.event_id == notice.event_id)
            .limit(1)
        ).first()
        if fanned_out is not None:
            # An event is fanned out once, with the channels chosen then: replaying it (a reset
            # cursor, a reorg that re-includes it) adds nothing, not even for an address
            # confirmed since.
            continue
        channels = _channels(conn, recipients)
        rows = []
        for r in recipients:
            c = channels[r]
            for channel, address in (
                ("inbox", None),
                ("email", c["email"]),
                ("webhook", c["webhook"]),
            ):
                if channel != "inbox" and address is None:
                    continue
                if not _wants(c["prefs"], channel, notice.kind):
                    continue
                rows.append(
                    {
                        "event_id": notice.event_id,
                        "kind": notice.kind,
                        "recipient": r,
                        "channel": channel,
                        "address": address,
                        "payload": notice.payload,
                        "subject_key": notice.subject_key,
                        # the inbox is the database itself: delivered when queued
                        "status": "sent" if channel == "inbox" else "pending",
                        "attempts": 0,
                        "next_attempt_at": t,
                        "created_at": t,
                        "sent_at": t if channel == "inbox" else None,
                    }
                )
        for start in range(0, len(rows), 500):
            stmt = _insert(conn, tables.outbox).values(rows[start : start + 500])
            result = conn.execute(
                stmt.on_conflict_do_nothing(index_elements=["event_id", "recipient", "channel"])
            )
            added += max(result.rowcount or 0, 0)
    return added


def enqueue_direct(
    conn: Connection,
    event_id: str,
    kind: str,
    recipient: str,
    channel: str,
    address: str,
    payload: dict[str, Any],
) -> None:
    """One row to a given address whatever the preferences (the confirmation code: the only
    thing ever mailed to an unconfirmed address)."""
    t = now()
    stmt = _insert(conn, tables.outbox).values(
        event_id=event_id,
        kind=kind,
        recipient=recipient,
        channel=channel,
        address=address,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=t,
        created_at=t,
    )
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["event_id", "recipient", "channel"]))


def due(conn: Connection, at: int, limit: int) -> list[Any]:
    """Pending rows whose time has come, oldest first."""
    return list(
        conn.execute(
            sa.select(tables.outbox)
            .where(tables.outbox.c.status == "pending", tables.outbox.c.next_attempt_at <= at)
            .order_by(tables.outbox.c.next_attempt_at, tables.outbox.c.id)
            .limit(limit)
        )
    )


def mark_sent(conn: Connection, ids: Sequence[int], at: int) -> None:
    if ids:
        conn.execute(
            tables.outbox.update()
            .where(tables.outbox.c.id.in_(list(ids)))
            .values(
                status="sent", sent_at=at, attempts=tables.outbox.c.attempts + 1, last_error=None
            )
        )


def mark_failed(
    conn: Connection,
    row: Any,
    error: str,
    at: int,
    *,
    backoff: float,
    backoff_max: float,
    permanent: bool = False,
) -> None:
    """One more failed attempt: retried after `backoff * 2**attempts` (capped), or, refused
    for good `MAX_PERMANENT_ATTEMPTS` times, marked failed."""
    attempts = int(row.attempts) + 1
    delay = min(backoff * 2 ** (attempts - 1), backoff_max)
    status = "failed" if permanent and attempts >= MAX_PERMANENT_ATTEMPTS else "pending"
    conn.execute(
        tables.outbox.update()
        .where(tables.outbox.c.id == row.id)
        .values(
            status=status,
            attempts=attempts,
            next_attempt_at=at + int(delay),
            last_error=error[:500],
        )
    )


def inbox(
    conn: Connection, account: str, *, unread: bool = False, offset: int = 0, limit: int = 50
) -> tuple[list[Any], int]:
    where = [tables.outbox.c.recipient == account, tables.outbox.c.channel == "inbox"]
    if unread:
        where.append(tables.outbox.c.read_at.is_(None))
    count = int(
        conn.execute(sa.select(sa.func.count()).select_from(tables.outbox).where(*where)).scalar()
        or 0
    )
    rows = list(
        conn.execute(
            sa.select(tables.outbox)
            .where(*where)
            .order_by(tables.outbox.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    return rows, count


def mark_read(conn: Connection, account: str, notice_id: int) -> None:
    """Mark one of the member's own inbox notices read (another's is not found)."""
    result = conn.execute(
        tables.outbox.update()
        .where(
            tables.outbox.c.id == notice_id,
            tables.outbox.c.recipient == account,
            tables.outbox.c.channel == "inbox",
        )
        .values(read_at=sa.func.coalesce(tables.outbox.c.read_at, now()))
    )
    if not result.rowcount:
        raise NoticeError(404, "Нет такого уведомления", "No such notice")


def status(conn: Connection) -> dict[str, dict[str, int]]:
    """Rows per channel and status (what `coop notices status` prints)."""
    out: dict[str, dict[str, int]] = {}
    for r in conn.execute(
        sa.select(tables.outbox.c.channel, tables.outbox.c.status, sa.func.count()).group_by(
            tables.outbox.c.channel, tables.outbox.c.status
        )
    ):
        out.setdefault(r[0], {})[r[1]] = int(r[2])
    return out


# -- the cursor ---------------------------------------------------------------------------------


def read_cursor(conn: Connection, name: str) -> tuple[int, int] | None:
    row = conn.execute(sa.select(tables.cursor).where(tables.cursor.c.name == name)).first()
    return None if row is None else (int(row.block_number), int(row.log_index))


def write_cursor(conn: Connection, name: str, block: int, log_index: int) -> None:
    values = {"block_number": block, "log_index": log_index, "updated_at": now()}
    stmt = _insert(conn, tables.cursor).values(name=name, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_=values))
