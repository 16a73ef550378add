"""The document registry: anchored documents with their signatures (an officer's later
anchor of the same hash supersedes the first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from indexer.models import (
    DOCUMENT_TYPE,
    DocumentPublic,
    SignaturePublic,
)
from indexer.queries.common import (
    DOC,
    SIG,
    Db,
    Page,
    _chain,
    _coop_row,
    _exec,
    _fields,
    _ref,
    _refs,
    current_block,
)


def _documents_public(db: Db, chain_id: int, rows: Sequence[Any]) -> list[DocumentPublic]:
    if not rows:
        return []
    hashes = [r.document for r in rows]
    contracts = {r.contract for r in rows}
    sigs = list(
        _exec(
            db,
            sa.select(SIG)
            .where(
                SIG.c.chain_id == chain_id,
                SIG.c.document.in_(hashes),
                SIG.c.contract.in_(contracts),
            )
            .order_by(SIG.c.block_number, SIG.c.log_index),
        )
    )
    replaced = {
        (r.contract, r.replaces): r.document
        for r in _exec(
            db,
            sa.select(DOC.c.contract, DOC.c.replaces, DOC.c.document).where(
                DOC.c.chain_id == chain_id, DOC.c.replaces.in_(hashes), _doc_current()
            ),
        )
    }
    refs = _refs(db, chain_id, [*rows, *sigs])
    by_doc: dict[tuple[str, str], list[SignaturePublic]] = {}
    for s in sigs:
        ref = _ref(refs, s)
        by_doc.setdefault((s.contract, s.document), []).append(
            SignaturePublic(
                signer=s.signer, submitter=s.submitter, signed_at=ref.timestamp, event=ref
            )
        )
    out = []
    for r in rows:
        ref = _ref(refs, r)
        out.append(
            DocumentPublic(
                **_fields(r, DocumentPublic),
                document_type_name=DOCUMENT_TYPE[r.document_type],
                anchored_at=ref.timestamp,
                event=ref,
                signatures=by_doc.get((r.contract, r.document), []),
                replaced_by=replaced.get((r.contract, r.document)),
            )
        )
    return out


def _doc_current() -> sa.ColumnElement[bool]:
    """A `doc_document` row not superseded by a later anchor of the same hash: an officer's
    official anchor takes over a hash first anchored as another type (`DocumentReclaimed`),
    and the registry then holds the later record only."""
    later = DOC.alias("later")
    return ~sa.exists().where(
        later.c.chain_id == DOC.c.chain_id,
        later.c.contract == DOC.c.contract,
        later.c.document == DOC.c.document,
        sa.or_(
            later.c.block_number > DOC.c.block_number,
            sa.and_(
                later.c.block_number == DOC.c.block_number, later.c.log_index > DOC.c.log_index
            ),
        ),
    )


def list_documents(
    db: Db,
    coop: str | int,
    document_type: int | str | None = None,
    offset: int = 0,
    limit: int = 100,
    chain_id: int | None = None,
) -> Page[DocumentPublic]:
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    c = _coop_row(db, cid, coop)
    where = [DOC.c.chain_id == cid, DOC.c.contract == c.documents, _doc_current()]
    if document_type is not None:
        code = (
            DOCUMENT_TYPE.index(document_type) if isinstance(document_type, str) else document_type
        )
        where.append(DOC.c.document_type == code)
    count = int(_exec(db, sa.select(sa.func.count()).select_from(DOC).where(*where)).scalar())
    rows = list(
        _exec(
            db,
            sa.select(DOC)
            .where(*where)
            .order_by(DOC.c.block_number, DOC.c.log_index)
            .offset(offset)
            .limit(limit),
        )
    )
    return Page[DocumentPublic](data=_documents_public(db, cid, rows), count=count, as_of=as_of)


def document(
    db: Db, document_hash: str, coop: str | int | None = None, chain_id: int | None = None
) -> DocumentPublic | None:
    """One anchored document: type, who anchored it when (block, time), its signers."""
    cid = _chain(db, chain_id)
    where = [DOC.c.chain_id == cid, DOC.c.document == document_hash.lower(), _doc_current()]
    if coop is not None:
        where.append(DOC.c.contract == _coop_row(db, cid, coop).documents)
    rows = list(_exec(db, sa.select(DOC).where(*where).order_by(DOC.c.block_number).limit(1)))
    found = _documents_public(db, cid, rows)
    return found[0] if found else None
