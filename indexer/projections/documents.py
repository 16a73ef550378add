"""Documents and signatures: `DocumentAnchored` and `DocumentSigned`, one row each.

When a document was anchored or signed is its raw event's block timestamp (the registry's own
`anchoredAt` / `signedAt` are that block's timestamp too).
"""

from __future__ import annotations

from indexer.models import Document, Signature
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import add


@projection("DocumentAnchored", tables=(Document,), name="documents.anchored")
def document_anchored(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    add(
        ctx,
        Document,
        event,
        contract=event.address,
        document=a["document"],
        document_type=int(a["documentType"]),
        anchored_by=a["anchoredBy"],
        replaces=a["replaces"],
    )


@projection("DocumentSigned", tables=(Signature,), name="documents.signed")
def document_signed(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    add(
        ctx,
        Signature,
        event,
        contract=event.address,
        document=a["document"],
        signer=a["signer"],
        submitter=a["submitter"],
    )
