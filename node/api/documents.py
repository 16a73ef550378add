"""Storing documents (file + index row) and the cooperative's part of a template's data."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlmodel import Session

from node.api.gateway import Gateway
from node.api.models import DocumentFile

#: The media types a stored document is served as: `GET /documents/{sha256}` declares each of
#: them, and a file stored with any other type is served as `application/octet-stream`. Kept
#: to what a cooperative's papers are (text, HTML the gateway generates, PDF, office formats,
#: scans, detached electronic signatures), so that the schema names every answer.
DOCUMENT_MEDIA_TYPES: tuple[str, ...] = (
    "application/octet-stream",
    "application/pdf",
    "application/json",
    "application/xml",
    "application/zip",
    "application/rtf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/pkcs7-signature",
    "text/plain",
    "text/html",
    "text/csv",
    "text/markdown",
    "text/xml",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/tiff",
)
_SERVED = frozenset(DOCUMENT_MEDIA_TYPES)
_CHARSET = re.compile(r"^\s*charset\s*=\s*\"?([A-Za-z0-9_.:-]{1,40})\"?\s*$", re.I)


def document_media_type(value: str | None) -> str:
    """The media type a document with the declared `value` is stored and served as: one of
    `DOCUMENT_MEDIA_TYPES` (text types keep their charset), else `application/octet-stream`."""
    if not value:
        return "application/octet-stream"
    base, *params = value.split(";")
    base = base.strip().lower()
    if base not in _SERVED:
        return "application/octet-stream"
    if base.startswith("text/"):
        for param in params:
            found = _CHARSET.match(param)
            if found:
                return f"{base}; charset={found.group(1).lower()}"
    return base


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


# -- generated documents (PDF/A-3b from the chain's facts) ---------------------------------------


def identity_of(gw: Gateway, address: str) -> dict[str, Any]:
    """The member's identity record (decrypted), with its hash; {} when there is none."""
    from node.identity.crypto import Sealed, open_identity
    from node.identity.models import IdentityRecord

    with Session(gw.engine) as session:
        row = session.get(IdentityRecord, address)
    if row is None or row.ciphertext is None or row.nonce is None:
        return {}
    data, _ = open_identity(
        gw.keyring, address, Sealed(row.key_id or "", row.nonce, row.ciphertext)
    )
    return {**data.model_dump(mode="json"), "identity_hash": row.identity_hash}


def generate_pdf(
    gw: Gateway,
    kind: str,
    facts: dict[str, Any],
    *,
    stored_by: str | None,
    subject: str | None = None,
    filename: str | None = None,
) -> DocumentFile:
    """Render `kind` from `facts` with today's template bundle and store the PDF."""
    from node.documents.kinds import KINDS
    from node.documents.pdf import make

    pdf, _source = make(gw.templates, kind, facts)
    return store_document(
        gw,
        pdf,
        media_type="application/pdf",
        filename=filename or f"{kind}.pdf",
        template=kind,
        stored_by=stored_by,
        subject=subject,
        personal=KINDS[kind].personal,
    )
