"""Storing documents (file + index row) and the cooperative's part of a template's data."""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import Session

from node.api.gateway import Gateway
from node.api.models import DocumentFile


def store_document(
    gw: Gateway,
    content: bytes,
    *,
    media_type: str,
    filename: str | None = None,
    template: str | None = None,
    stored_by: str | None = None,
    subject: str | None = None,
    personal: bool = False,
) -> DocumentFile:
    """Write the file content-addressed and index it; the same content twice is one file."""
    digest = gw.store.put(content, personal=personal)
    with Session(gw.engine) as session:
        row = session.get(DocumentFile, digest)
        if row is None:
            row = DocumentFile(
                sha256=digest,
                size=len(content),
                media_type=media_type[:128],
                filename=filename[:255] if filename else None,
                template=template,
                stored_by=stored_by,
                subject=subject,
                personal=personal,
                created_at=int(time.time()),
            )
            session.add(row)
            session.commit()
            session.refresh(row)
        elif not gw.store.exists(digest) or (personal and not row.personal):
            # Re-stored after an erasure, or now known to be personal.
            row.personal = row.personal or personal
            row.subject = row.subject or subject
            session.add(row)
            session.commit()
            session.refresh(row)
        return row


def cooperative_context(gw: Gateway) -> dict[str, Any]:
    return {
        "cooperative_name": gw.coop.charter.functions.name().call(),
        "charter": gw.coop.addresses.charter,
        "chain_id": gw.chain_id,
    }
