"""Documents: upload or generate (content-addressed by SHA-256), download with the anchor and
signers, verify a file against the chain, anchor and sign (the signature relayed gasless)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from hexbytes import HexBytes
from pydantic import BaseModel, Field
from sqlmodel import Session

from indexer.models import DocumentPublic
from indexer.queries import documents
from indexer.queries.common import Page
from node.api import mirror
from node.api.agreements import is_current_agreement
from node.api.amounts import amounts_as_strings
from node.api.deps import Caller, CallerDep, GatewayDep, RelayRateLimit, WriterDep
from node.api.disclosures import log_disclosure
from node.api.documents import (
    DOCUMENT_MEDIA_TYPES,
    cooperative_context,
    document_media_type,
    store_document,
)
from node.api.gateway import Gateway
from node.api.models import DocumentFile
from node.api.problems import Problem, problem_responses
from node.api.relay import relay_call
from node.api.routes.relay import public
from node.api.schemas import (
    SHA256_PATTERN,
    Address,
    Hash32,
    RelayPublic,
    Signature,
    TransactionToSign,
    TypedDataToSign,
)
from node.api.txbuild import EIP712_DOMAIN, bytes32, typed_digest, unsigned_tx
from node.chain.client import checksum
from node.cooperative.client import DOCUMENT_SIGNATURE_TYPES, DocumentType, eip712_domain
from node.documents.store import sha256_hex
from node.documents.templates import TEMPLATES, render

router = APIRouter(prefix="/documents", tags=["documents"])

Sha256Path = Annotated[str, Path(pattern=SHA256_PATTERN, description="SHA-256, 64 hex digits")]
TemplateName = Literal[
    "membership_application",
    "exit_application",
    "council_decision",
    "meeting_notice",
    "meeting_protocol",
    "loan_agreement",
]
DocumentTypeName = Literal[
    "application",
    "exit",
    "council_decision",
    "meeting_protocol",
    "charter",
    "contract",
    "payment",
    "other",
]
FILE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class DocumentFilePublic(BaseModel):
    sha256: str
    size: int
    media_type: str
    filename: str | None
    template: str | None
    personal: bool
    subject: str | None
    created_at: int
    url: str


class GenerateCreate(BaseModel):
    template: TemplateName
    fields: dict[str, str | int | list[str | dict[str, str | int]]] = Field(default_factory=dict)
    """Template data (names, amounts, dates, agenda questions). Personal data of `subject` is
    filled in from their identity record when the caller may read it."""
    subject: Address | None = None
    """The member the document is about (personal templates: defaults to the caller)."""


class OnChainAnchor(BaseModel):
    anchored_by: str
    anchored_at: int
    document_type: str
    signers: list[str]


class DocumentInfoPublic(BaseModel):
    sha256: str
    file: DocumentFilePublic | None
    """The stored file (None: not stored here, or erased)."""
    anchor: DocumentPublic | None
    """The anchor as the mirror has it: block, time, who anchored, signatures."""
    chain: OnChainAnchor | None
    """The anchor as the chain answers now (also before the indexer has caught up)."""
    anchored: bool
    block: int | None


class AnchorCreate(BaseModel):
    document_type: DocumentTypeName = "other"
    replaces: Hash32 | None = None


class SignatureCreate(BaseModel):
    signer: Address
    signature: Signature


def _file_public(row: DocumentFile) -> DocumentFilePublic:
    return DocumentFilePublic(
        **row.model_dump(exclude={"stored_by"}), url=f"/documents/{row.sha256}"
    )


def _chain_anchor(gw: Gateway, digest: str) -> OnChainAnchor | None:
    raw = gw.coop.documents.functions.documentOf(bytes.fromhex(digest)).call()
    anchored_by, anchored_at, doc_type, count = raw
    if int(anchored_by, 16) == 0:
        return None
    signers: list[str] = []
    if count:
        signers = [
            checksum(s[0])
            for s in gw.coop.documents.functions.signaturesOf(bytes.fromhex(digest)).call()
        ]
    return OnChainAnchor(
        anchored_by=checksum(anchored_by),
        anchored_at=int(anchored_at),
        document_type=DocumentType(int(doc_type)).name.lower(),
        signers=signers,
    )


def _mirror_anchor(gw: Gateway, digest: str) -> tuple[DocumentPublic | None, int | None]:
    try:
        found = mirror.read(
            gw, "document", documents.document, "0x" + digest, gw.coop.addresses.charter
        )
        ref = mirror.block_ref(gw)
    except Problem:
        return None, None
    return found, ref.number


def _info(gw: Gateway, digest: str) -> DocumentInfoPublic:
    with Session(gw.engine) as session:
        row = session.get(DocumentFile, digest)
    anchor, block = _mirror_anchor(gw, digest)
    chain = _chain_anchor(gw, digest)
    return DocumentInfoPublic(
        sha256=digest,
        file=_file_public(row) if row is not None and gw.store.exists(digest) else None,
        anchor=anchor,
        chain=chain,
        anchored=chain is not None or anchor is not None,
        block=block,
    )


def _may_read(caller: Caller, row: DocumentFile) -> bool:
    if not row.personal:
        return True
    return (row.subject is not None and caller.address == row.subject) or caller.has(
        "council", "chair", "verifier"
    )


@router.get(
    "",
    response_model=amounts_as_strings(Page[DocumentPublic]),
    responses=problem_responses(401, 503),
)
async def list_documents(
    gw: GatewayDep,
    caller: CallerDep,
    document_type: DocumentTypeName | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Documents anchored in the cooperative's registry, oldest first."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    return await mirror.respond(
        gw,
        ("documents", document_type, offset, limit),
        lambda c: documents.list_documents(c, charter, document_type, offset, limit, chain_id=cid),
    )


@router.post(
    "",
    response_model=amounts_as_strings(DocumentFilePublic),
    status_code=201,
    openapi_extra=FILE_BODY,
    responses=problem_responses(401, 403, 413, 422),
)
async def upload_document(
    request: Request,
    gw: GatewayDep,
    caller: WriterDep,
    filename: Annotated[str | None, Query(max_length=255, pattern=r"^[^/\\\x00]+$")] = None,
    personal: bool = False,
) -> DocumentFilePublic:
    """Store a file (the request body as is); its name is its SHA-256. `personal=true`: a
    document with your personal data (a power of attorney, a scan of a passport): stored
    encrypted, readable by you, the council, the chair and the verifier only (each of their
    reads logged), erased with your identity record."""
    content = await request.body()
    if not content:
        raise Problem(422, "Пустой файл / Empty file")
    media = document_media_type(request.headers.get("content-type"))
    row = await run_in_threadpool(
        lambda: store_document(
            gw,
            content,
            media_type=media,
            filename=filename,
            stored_by=caller.address,
            subject=caller.address if personal else None,
            personal=personal,
        )
    )
    return _file_public(row)


@router.post(
    "/generate",
    response_model=amounts_as_strings(DocumentFilePublic),
    status_code=201,
    responses=problem_responses(401, 403, 422),
)
def generate_document(
    gw: GatewayDep, caller: WriterDep, body: GenerateCreate
) -> DocumentFilePublic:
    """Render one of the cooperative's legal documents to HTML and store it."""
    template = TEMPLATES[body.template]
    subject: str | None = checksum(body.subject) if body.subject else None
    if template.personal and subject is None:
        subject = caller.address
    ctx: dict[str, Any] = {
        "date": datetime.now(UTC).date().isoformat(),
        **cooperative_context(gw),
    }
    if subject is not None:
        ctx["wallet"] = subject
        if caller.address == subject or caller.has("council"):
            fields = _identity_fields(gw, subject)
            if fields:
                log_disclosure(gw, caller, subject, f"identity:{body.template}")
            ctx.update(fields)
    ctx.update(body.fields)
    content = render(body.template, ctx)
    row = store_document(
        gw,
        content,
        media_type="text/html; charset=utf-8",
        filename=f"{body.template}.html",
        template=body.template,
        stored_by=caller.address,
        subject=subject,
        personal=template.personal,
    )
    return _file_public(row)


def _identity_fields(gw: Gateway, address: str) -> dict[str, Any]:
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


@router.post(
    "/verify",
    response_model=amounts_as_strings(DocumentInfoPublic),
    openapi_extra=FILE_BODY,
    responses=problem_responses(413, 422),
)
async def verify_document(request: Request, gw: GatewayDep) -> DocumentInfoPublic:
    """Is this file anchored, when, by whom, and who signed it? (No sign-in needed.)"""
    content = await request.body()
    if not content:
        raise Problem(422, "Пустой файл / Empty file")
    return await run_in_threadpool(_info, gw, sha256_hex(content))


@router.get(
    "/{sha256}",
    response_class=Response,
    responses={
        200: {
            "description": "The file, as the media type it was stored with (any type not "
            "listed here is served as application/octet-stream); X-Document-* headers carry "
            "its anchor and signers",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in DOCUMENT_MEDIA_TYPES
            },
        },
        **problem_responses(401, 403, 404, 410),
    },
)
def download_document(gw: GatewayDep, caller: CallerDep, sha256: Sha256Path) -> Response:
    """The file, with `X-Document-Anchored-Block`, `-Anchored-At`, `-Anchored-By` and
    `-Signers` headers (full details: `GET /documents/{sha256}/info`)."""
    with Session(gw.engine) as session:
        row = session.get(DocumentFile, sha256)
    if row is None:
        raise Problem(404, f"Файла {sha256} нет / No file {sha256}")
    if not _may_read(caller, row):
        raise Problem(
            403,
            "Документ с персональными данными: только пайщик и совет / Personal document: the "
            "member and the council only",
        )
    content = gw.store.get(sha256)
    if content is None:
        raise Problem(410, "Файл удалён по просьбе пайщика / Erased at the member's request")
    if row.personal and row.subject is not None:
        log_disclosure(gw, caller, row.subject, f"document:{sha256}")
    info = _info(gw, sha256)
    headers = {"X-Document-Sha256": sha256}
    if info.anchor is not None:
        headers["X-Document-Anchored-Block"] = str(info.anchor.event.block_number)
    if info.chain is not None:
        headers["X-Document-Anchored-At"] = str(info.chain.anchored_at)
        headers["X-Document-Anchored-By"] = info.chain.anchored_by
        headers["X-Document-Signers"] = ",".join(info.chain.signers)
    # A stored HTML file must not run as a page of the gateway's origin (the portal's).
    headers["Content-Security-Policy"] = "sandbox"
    headers["X-Content-Type-Options"] = "nosniff"
    media = document_media_type(row.media_type)
    return Response(content=content, media_type=media, headers=headers)


@router.get(
    "/{sha256}/info",
    response_model=amounts_as_strings(DocumentInfoPublic),
    responses=problem_responses(401),
)
def document_info(gw: GatewayDep, caller: CallerDep, sha256: Sha256Path) -> DocumentInfoPublic:
    """The stored file's details, its anchor (block, time, by whom) and its signers."""
    return _info(gw, sha256)


@router.post(
    "/{sha256}/anchor/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 422),
)
def anchor_tx(
    gw: GatewayDep, caller: WriterDep, sha256: Sha256Path, body: AnchorCreate
) -> TransactionToSign:
    """For a member or an officer: anchor the document's hash in the registry (council
    decisions, meeting protocols and the charter: officers only, see `docs/contracts.md`)."""
    kind = DocumentType[body.document_type.upper()]
    replaces = bytes32(body.replaces) if body.replaces else b"\0" * 32
    fn = gw.coop.documents.functions.anchor(bytes.fromhex(sha256), int(kind), replaces)
    return unsigned_tx(gw, fn, caller.address, "Закрепить документ / Anchor the document")


@router.post(
    "/{sha256}/signatures/typed-data",
    response_model=amounts_as_strings(TypedDataToSign),
    responses=problem_responses(401, 403),
)
def signature_payload(gw: GatewayDep, caller: WriterDep, sha256: Sha256Path) -> TypedDataToSign:
    """The EIP-712 signature of the document for your wallet; no ETH needed."""
    typed = {
        "types": {"EIP712Domain": EIP712_DOMAIN, **DOCUMENT_SIGNATURE_TYPES},
        "primaryType": "DocumentSignature",
        "domain": eip712_domain(gw.coop.documents),
        "message": {"signer": caller.address, "document": "0x" + sha256},
    }
    return TypedDataToSign(
        typed_data=typed, digest=typed_digest(typed), submit_to=f"/documents/{sha256}/signatures"
    )


@router.post(
    "/{sha256}/signatures",
    response_model=amounts_as_strings(RelayPublic),
    status_code=202,
    dependencies=[RelayRateLimit],
    responses=problem_responses(401, 403, 422, 429),
)
def submit_signature(
    gw: GatewayDep, caller: WriterDep, sha256: Sha256Path, body: SignatureCreate
) -> RelayPublic:
    """Relay a signer's EIP-712 signature of an anchored document (`signWithSig`). Signing a
    membership agreement in force is its acceptance: the one act relayed before it."""
    fn = gw.coop.documents.functions.signWithSig(
        bytes.fromhex(sha256), checksum(body.signer), bytes(HexBytes(body.signature))
    )
    kind = "agreement" if is_current_agreement(gw, sha256) else "signature"
    return public(relay_call(gw, fn, kind=kind, account=caller.address))
