"""Signatures beyond the wallet's: the cooperative's seal on its PDFs (PAdES), the seal's
certificate and its publication by a council decision, and qualified signatures (КЭП, GOST)
attached to documents as detached CMS files. See `docs/signatures.md`.

Mounted before the documents router: `/documents/seal-certificate` must not be taken for a
document hash by `GET /documents/{sha256}`.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlmodel import Session, col, select

from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, WriterDep
from node.api.disclosures import log_disclosure
from node.api.documents import store_document
from node.api.gateway import Gateway
from node.api.models import DocumentFile, QualifiedSignature, SealedDocument
from node.api.problems import Problem, problem_responses
from node.api.routes.documents import FILE_BODY, _may_read
from node.api.schemas import SHA256_PATTERN, TransactionToSign
from node.api.txbuild import unsigned_tx
from node.chain.client import checksum
from node.cooperative.client import DocumentType

router = APIRouter(prefix="/documents", tags=["signatures"])

Sha256Path = Annotated[str, Path(pattern=SHA256_PATTERN, description="SHA-256, 64 hex digits")]


class SealCertificatePublic(BaseModel):
    pem: str
    """The seal's self-issued X.509 certificate (ECDSA P-256)."""
    sha256: str
    """SHA-256 of the DER certificate: the hash the council's decision anchors."""
    subject: str
    not_before: int
    not_after: int
    published: bool
    """Anchored as a council decision document (an executed council item)."""
    published_at: int | None
    published_by: str | None


class SealCheckPublic(BaseModel):
    valid: bool
    """Intact, signed by the published seal certificate, nothing appended after the seal."""
    intact: bool
    trusted: bool
    """The signer's certificate is this node's published seal certificate."""
    covers_whole_file: bool
    signer_subject: str
    cert_sha256: str
    anchored_sha256: str | None
    """SHA-256 of the unsealed revision inside (the document's anchored digest)."""
    anchored: bool
    """That revision is anchored in the cooperative's registry."""


class QualifiedSignaturePublic(BaseModel):
    document: str
    signature_sha256: str
    valid: bool
    chain_checked: bool
    signer_subject: str | None
    cert_sha256: str | None
    algorithm: str | None
    error: str | None
    submitted_by: str
    created_at: int


def _anchor_of(gw: Gateway, digest: str) -> tuple[str, int, int]:
    anchored_by, anchored_at, doc_type, _ = gw.coop.documents.functions.documentOf(
        bytes.fromhex(digest)
    ).call()
    return checksum(anchored_by), int(anchored_at), int(doc_type)


def _is_zero(address: str) -> bool:
    return int(address, 16) == 0


@router.get(
    "/seal-certificate",
    response_model=amounts_as_strings(SealCertificatePublic),
    responses=problem_responses(401),
)
def seal_certificate(gw: GatewayDep, caller: CallerDep) -> SealCertificatePublic:
    """The certificate of the cooperative's document seal and whether a council decision has
    published it (compare it with the one a sealed PDF shows)."""
    key = gw.seal_key()
    cert = key.certificate
    by, at, doc_type = _anchor_of(gw, key.cert_sha256)
    published = not _is_zero(by) and doc_type == int(DocumentType.COUNCIL_DECISION)
    return SealCertificatePublic(
        pem=key.cert_pem.decode(),
        sha256=key.cert_sha256,
        subject=cert.subject.rfc4514_string(),
        not_before=int(cert.not_valid_before_utc.timestamp()),
        not_after=int(cert.not_valid_after_utc.timestamp()),
        published=published,
        published_at=at if published else None,
        published_by=by if published else None,
    )


@router.post(
    "/seal-certificate/council-item/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 409, 422),
)
def publish_seal_certificate_tx(gw: GatewayDep, caller: WriterDep) -> TransactionToSign:
    """For a council member: propose the council decision that publishes the seal's
    certificate. The item's document is the certificate (stored, `GET /documents/{sha256}`);
    executed, it anchors the certificate's hash as a council decision document."""
    from node.api.routes.council import _council

    council = _council(gw)
    key = gw.seal_key()
    store_document(
        gw,
        key.cert_der,
        media_type="application/octet-stream",
        filename="cooperative-seal.cer",
        stored_by=caller.address,
    )
    digest = bytes.fromhex(key.cert_sha256)
    documents = gw.coop.documents
    call = documents.encode_abi("anchor", [digest, int(DocumentType.COUNCIL_DECISION), b"\0" * 32])
    fn = council.contract.functions.propose(digest, [documents.address], [bytes.fromhex(call[2:])])
    return unsigned_tx(
        gw,
        fn,
        caller.address,
        "Опубликовать сертификат печати документов решением совета / Publish the document "
        "seal's certificate by a council decision",
    )


@router.get(
    "/{sha256}/sealed",
    response_class=Response,
    responses={
        200: {
            "description": "The PDF with the cooperative's PAdES seal appended (the stored "
            "file's bytes are its prefix)",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(401, 403, 404, 409, 410),
    },
)
def sealed_document(gw: GatewayDep, caller: CallerDep, sha256: Sha256Path) -> Response:
    """A stored PDF with the cooperative's seal: any PDF reader shows whether it is intact.
    Sealed once, then the same file is served."""
    from node.documents.seal import SealError, seal_pdf

    with Session(gw.engine) as session:
        row = session.get(DocumentFile, sha256)
        sealed_row = session.get(SealedDocument, sha256)
    if row is None:
        raise Problem(404, f"Файла {sha256} нет / No file {sha256}")
    if not _may_read(caller, row):
        raise Problem(403, "Документ с персональными данными / Personal document")
    if row.personal and row.subject is not None:
        log_disclosure(gw, caller, row.subject, f"document:{sha256}")
    if sealed_row is not None:
        sealed = gw.store.get(sealed_row.sealed_sha256)
        if sealed is not None:
            return _pdf(sealed, sha256)
    content = gw.store.get(sha256)
    if content is None:
        raise Problem(410, "Файл удалён по просьбе пайщика / Erased at the member's request")
    if not content.startswith(b"%PDF-"):
        raise Problem(409, "Печать ставится только на PDF / Only a PDF can be sealed")
    key = gw.seal_key()
    try:
        result = seal_pdf(content, key)
    except SealError as exc:
        raise Problem(409, f"PDF не удалось опечатать / The PDF cannot be sealed: {exc}") from exc
    store_document(
        gw,
        result.sealed,
        media_type="application/pdf",
        filename=(row.filename or "document.pdf").removesuffix(".pdf") + ".sealed.pdf",
        stored_by=row.stored_by,
        subject=row.subject,
        personal=row.personal,
    )
    with Session(gw.engine) as session:
        if session.get(SealedDocument, sha256) is None:
            session.add(
                SealedDocument(
                    sha256=sha256,
                    sealed_sha256=result.sealed_sha256,
                    cert_sha256=key.cert_sha256,
                    created_at=int(time.time()),
                )
            )
            session.commit()
    return _pdf(result.sealed, sha256)


def _pdf(content: bytes, anchored: str) -> Response:
    return Response(
        content=content,
        media_type="application/pdf",
        headers={"X-Document-Sha256": anchored, "X-Content-Type-Options": "nosniff"},
    )


@router.post(
    "/verify-seal",
    response_model=amounts_as_strings(SealCheckPublic),
    openapi_extra=FILE_BODY,
    responses=problem_responses(413, 422),
)
async def verify_seal(request: Request, gw: GatewayDep) -> SealCheckPublic:
    """Check a sealed PDF: the seal (pyHanko, trusting only this node's seal certificate) and
    the anchor of the unsealed revision inside. No sign-in needed."""
    content = await request.body()
    return await run_in_threadpool(_verify_seal, gw, content)


def _verify_seal(gw: Gateway, content: bytes) -> SealCheckPublic:
    from node.documents.seal import SealError, verify_sealed

    key = gw.seal_key()
    try:
        check = verify_sealed(content, certificate_pem=key.cert_pem)
    except SealError as exc:
        raise Problem(422, f"Печать не найдена / No seal found: {exc}") from exc
    except Exception as exc:  # a malformed PDF: pyHanko's own errors
        raise Problem(422, "Файл не читается как PDF / Not a readable PDF") from exc
    anchored = False
    if check.anchored_sha256 is not None:
        anchored = not _is_zero(_anchor_of(gw, check.anchored_sha256)[0])
    return SealCheckPublic(
        valid=check.valid,
        intact=check.intact,
        trusted=check.trusted,
        covers_whole_file=check.covers_whole_file,
        signer_subject=check.signer_subject,
        cert_sha256=check.cert_sha256,
        anchored_sha256=check.anchored_sha256,
        anchored=anchored,
    )


def _qualified_public(row: QualifiedSignature) -> QualifiedSignaturePublic:
    return QualifiedSignaturePublic.model_validate(row, from_attributes=True)


@router.post(
    "/{sha256}/qualified-signatures",
    response_model=amounts_as_strings(QualifiedSignaturePublic),
    status_code=201,
    openapi_extra=FILE_BODY,
    responses=problem_responses(401, 403, 404, 409, 413, 422, 503),
)
async def attach_qualified_signature(
    request: Request, gw: GatewayDep, caller: WriterDep, sha256: Sha256Path
) -> QualifiedSignaturePublic:
    """Attach a qualified electronic signature (КЭП, GOST R 34.10-2012) of an anchored
    document: the detached CMS file (`.sig`, `.p7s`, DER or PEM) as the body. The node checks it
    with OpenSSL's GOST engine and records the result, valid or not."""
    signature = await request.body()
    return await run_in_threadpool(_attach, gw, caller.address, sha256, signature)


def _attach(gw: Gateway, account: str, sha256: str, signature: bytes) -> QualifiedSignaturePublic:
    from node.documents.gost import MAX_SIGNATURE_BYTES, GostUnavailable, verify_detached

    if not signature or len(signature) > MAX_SIGNATURE_BYTES:
        raise Problem(422, "Пустой или слишком большой файл подписи / Empty or oversized file")
    with Session(gw.engine) as session:
        row = session.get(DocumentFile, sha256)
    content = gw.store.get(sha256) if row is not None else None
    if row is None or content is None:
        raise Problem(
            404,
            "Подписываемый документ не хранится здесь: загрузите его (POST /documents) / "
            "The signed document is not stored here: upload it (POST /documents)",
        )
    if row.personal and not (row.subject == account):
        raise Problem(403, "Документ с персональными данными / Personal document")
    if _is_zero(_anchor_of(gw, sha256)[0]):
        raise Problem(
            409, "Документ не закреплён в реестре / The document is not anchored in the registry"
        )
    ca: bytes | None = None
    if gw.settings.gost_ca_file is not None:
        try:
            ca = gw.settings.gost_ca_file.read_bytes()
        except OSError as exc:
            raise Problem(
                503,
                "Файл доверенных УЦ (COOP_GOST_CA_FILE) не читается / The trusted CA file "
                "(COOP_GOST_CA_FILE) cannot be read",
            ) from exc
    try:
        check = verify_detached(content, signature, ca_pem=ca)
    except GostUnavailable as exc:
        raise Problem(503, str(exc)) from exc
    stored = store_document(
        gw,
        signature,
        media_type="application/pkcs7-signature",
        filename=f"{sha256[:16]}.sig",
        stored_by=account,
    )
    record = QualifiedSignature(
        document=sha256,
        signature_sha256=stored.sha256,
        valid=check.valid,
        chain_checked=check.chain_checked,
        signer_subject=check.signer_subject,
        cert_sha256=check.cert_sha256,
        algorithm=check.algorithm,
        error=check.error[:256] if check.error else None,
        submitted_by=checksum(account),
        created_at=int(time.time()),
    )
    with Session(gw.engine) as session:
        session.add(record)
        session.commit()
        session.refresh(record)
    return _qualified_public(record)


@router.get(
    "/{sha256}/qualified-signatures",
    response_model=list[QualifiedSignaturePublic],
    responses=problem_responses(401),
)
def qualified_signatures(
    gw: GatewayDep, caller: CallerDep, sha256: Sha256Path
) -> list[QualifiedSignaturePublic]:
    """The qualified signatures attached to the document, with the node's verdict on each."""
    with Session(gw.engine) as session:
        rows = session.exec(
            select(QualifiedSignature)
            .where(col(QualifiedSignature.document) == sha256)
            .order_by(col(QualifiedSignature.id))
        ).all()
    return [_qualified_public(r) for r in rows]
