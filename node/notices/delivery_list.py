"""The delivery list of a meeting's notice (лист рассылки уведомлений): the legal record of to
whom, by which channel and when the notice of a general meeting was sent.

It is sealed once per meeting, when no notice of it is still pending (every one delivered or
refused for good) or, at the latest, when voting opens (what is still pending then is listed
as such). Its body is canonical JSON (sorted keys, no spaces, UTF-8), so anyone holding it can
recompute its SHA-256. The gateway makes it a document (kind `notice_delivery_list`, PDF/A-3b
whose facts are this JSON and its hash) once, records the PDF's hash here (`record_pdf`), and
that PDF's hash is what an officer anchors in the cooperative's DocumentRegistry
(`DocumentType.Other`, `POST /meetings/{id}/notice-delivery/anchor/tx`). E-mail addresses and
webhook URLs are personal data: the list carries their SHA-256, which proves the address to
whoever knows it and discloses it to nobody else.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from node.notices import tables
from node.notices.store import _insert, now

DOCUMENT_KIND = "notice_delivery_list"
TITLE_RU = "Лист рассылки уведомлений о созыве общего собрания пайщиков"
TITLE_EN = "Delivery list of the notices of a general meeting"


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _hash(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.strip().lower().encode()).hexdigest()


@dataclass(frozen=True)
class DeliveryList:
    subject_key: str
    sha256: str
    body: bytes
    created_at: int
    pdf_sha256: str | None = None
    """The PDF made from it (`record_pdf`), once made."""

    @property
    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


def build(
    conn: Connection,
    subject_key: str,
    *,
    chain_id: int,
    charter: str,
    sealed_at: int,
    notice_text_sha256: str | None = None,
) -> dict[str, Any]:
    """The list's content from the outbox rows of the meeting's legal notice."""
    rows = list(
        conn.execute(
            sa.select(tables.outbox)
            .where(tables.outbox.c.subject_key == subject_key)
            .order_by(tables.outbox.c.recipient, tables.outbox.c.channel)
        )
    )
    if not rows:
        raise LookupError(subject_key)
    p = rows[0].payload
    deadline = int(p.get("deadline", 0))
    recipients: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        recipients.setdefault(r.recipient, []).append(
            {
                "channel": r.channel,
                "address_sha256": _hash(r.address),
                "status": r.status,
                "sent_at": r.sent_at,
                "attempts": int(r.attempts) if r.channel != "inbox" else 0,
                "in_time": r.sent_at is not None and int(r.sent_at) <= deadline,
            }
        )
    return {
        "document": DOCUMENT_KIND,
        "title_ru": TITLE_RU,
        "title_en": TITLE_EN,
        "chain_id": chain_id,
        "charter": charter,
        "meeting_contract": p.get("meeting_contract"),
        "meeting_id": p.get("meeting_id"),
        "event_id": rows[0].event_id,
        "convened_block": p.get("convened_block"),
        "convened_tx": p.get("convened_tx"),
        "opens_at": p.get("opens_at"),
        "notice_period": p.get("notice_period"),
        "deadline": deadline,
        "notice_text_sha256": notice_text_sha256,
        "agenda": [q.get("document_hash") for q in p.get("agenda", [])],
        "recipients": [
            {"account": account, "deliveries": deliveries}
            for account, deliveries in sorted(recipients.items())
        ],
        "recipient_count": len(recipients),
        "delivered_count": sum(
            1 for d in recipients.values() if any(x["status"] == "sent" for x in d)
        ),
        "sealed_at": sealed_at,
    }


def seal(
    conn: Connection,
    subject_key: str,
    *,
    chain_id: int,
    charter: str,
    notice_text_sha256: str | None = None,
    at: int | None = None,
) -> DeliveryList:
    """Seal the list once (a second call returns the first)."""
    existing = get(conn, subject_key)
    if existing is not None:
        return existing
    t = now() if at is None else at
    body = canonical(
        build(
            conn,
            subject_key,
            chain_id=chain_id,
            charter=charter,
            sealed_at=t,
            notice_text_sha256=notice_text_sha256,
        )
    )
    digest = hashlib.sha256(body).hexdigest()
    stmt = _insert(conn, tables.delivery_list).values(
        subject_key=subject_key, sha256=digest, body=body.decode(), created_at=t
    )
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["subject_key"]))
    found = get(conn, subject_key)
    assert found is not None
    return found


def get(conn: Connection, subject_key: str) -> DeliveryList | None:
    row = conn.execute(
        sa.select(tables.delivery_list).where(tables.delivery_list.c.subject_key == subject_key)
    ).first()
    if row is None:
        return None
    return DeliveryList(
        row.subject_key, row.sha256, row.body.encode(), int(row.created_at), row.pdf_sha256
    )


def record_pdf(conn: Connection, subject_key: str, pdf_sha256: str) -> str:
    """Record the PDF made from the sealed list; the first recorded stays (what is anchored must
    not move when a template changes). Returns the recorded hash."""
    t = tables.delivery_list
    conn.execute(
        sa.update(t)
        .where(t.c.subject_key == subject_key, t.c.pdf_sha256.is_(None))
        .values(pdf_sha256=pdf_sha256)
    )
    found = get(conn, subject_key)
    if found is None or found.pdf_sha256 is None:
        raise LookupError(subject_key)
    return found.pdf_sha256


def ready(conn: Connection, chain_time: int) -> list[str]:
    """Meetings whose list is not sealed and whose notices are all settled, or whose voting
    has opened (by the chain's clock)."""
    o = tables.outbox
    sealed = sa.select(tables.delivery_list.c.subject_key)
    keys = [
        r[0]
        for r in conn.execute(
            sa.select(o.c.subject_key)
            .where(o.c.subject_key.is_not(None), o.c.subject_key.not_in(sealed))
            .distinct()
        )
    ]
    out = []
    for key in keys:
        pending = conn.execute(
            sa.select(sa.func.count())
            .select_from(o)
            .where(o.c.subject_key == key, o.c.status == "pending")
        ).scalar()
        if pending:
            first = conn.execute(
                sa.select(o.c.payload).where(o.c.subject_key == key).limit(1)
            ).first()
            opens_at = int((first.payload if first is not None else {}).get("opens_at", 0))
            if chain_time < opens_at:
                continue
        out.append(key)
    return out
