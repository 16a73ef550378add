"""Documents: upload or generate (content-addressed by SHA-256), download with the anchor and
signers, verify a file against the chain, anchor and sign (the signature relayed gasless)."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from hexbytes import HexBytes
from pydantic import BaseModel, Field
from sqlmodel import Session
from web3 import Web3

from indexer.models import DocumentPublic
from indexer.queries import documents
from indexer.queries import fund as fund_queries
from indexer.queries.common import NotFound, Page
from node.api import mirror
from node.api.agreements import is_current_agreement
from node.api.amounts import amounts_as_strings
from node.api.deps import Caller, CallerDep, GatewayDep, RelayRateLimit, WriterDep
from node.api.disclosures import log_disclosure
from node.api.documents import (
    DOCUMENT_MEDIA_TYPES,
    cooperative_context,
    document_media_type,
    generate_pdf,
    identity_of,
    store_document,
)
from node.api.gateway import Gateway
from node.api.models import DocumentFile
from node.api.problems import Problem, problem_responses
from node.api.relay import relay_call
from node.api.routes.fund import _schedule as fund_schedule
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
from node.cooperative.client import (
    DOCUMENT_SIGNATURE_TYPES,
    DocumentType,
    MemberKind,
    eip712_domain,
)
from node.documents import facts
from node.documents.kinds import KINDS
from node.documents.pdf import DocumentSourceError, read_source, regenerate
from node.documents.store import sha256_hex

router = APIRouter(prefix="/documents", tags=["documents"])

Sha256Path = Annotated[str, Path(pattern=SHA256_PATTERN, description="SHA-256, 64 hex digits")]
KindName = Literal[
    "membership_application",
    "membership_application_organisation",
    "council_decision",
    "council_admission",
    "council_exclusion",
    "council_payout",
    "council_program",
    "program_terms",
    "council_protocol",
    "meeting_notice",
    "meeting_question",
    "ballot",
    "proxy",
    "notice_delivery_list",
    "meeting_protocol",
    "exit_application",
    "share_refund",
    "loan_agreement",
    "property_act",
    "delivery_act",
    "member_extract",
    "member_register",
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


FieldValue = str | int | list[str | int | dict[str, str | int]]


class GenerateCreate(BaseModel):
    template: KindName
    """The document kind (`docs/documents.md` lists them and the facts each states)."""
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    """What the chain does not know: a question's wording, an agenda, refund details, a
    representative. Facts read from the chain (tallies, votes, shares, loans) always win."""
    subject: Address | None = None
    """The member the document is about (personal kinds: defaults to the caller)."""
    meeting_id: int | None = Field(default=None, ge=0, lt=2**63)
    """meeting_notice (optional), ballot, proxy, notice_delivery_list, meeting_protocol."""
    item_id: int | None = Field(default=None, ge=0, lt=2**63)
    """council_decision and its kinds (optional: the item's tally and votes)."""
    item_ids: list[Annotated[int, Field(ge=0, lt=2**63)]] = Field(
        default_factory=list, max_length=200
    )
    """council_protocol: the items considered."""
    loan_id: int | None = Field(default=None, ge=0, lt=2**63)
    """loan_agreement."""
    token_id: int | None = Field(default=None, ge=0, lt=2**63)
    """property_act."""
    order_id: int | None = Field(default=None, ge=0, lt=2**63)
    """delivery_act."""
    date: dt.date | None = None
    """The document's date (default: today, UTC)."""


class RegeneratedPublic(BaseModel):
    sha256: str
    """Of the uploaded file."""
    regenerated_sha256: str
    """Of the document made again from the file's own source and template version."""
    identical: bool
    kind: str
    template_sha256: str
    facts: dict[str, Any]


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
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def generate_document(
    gw: GatewayDep, caller: CallerDep, body: GenerateCreate
) -> DocumentFilePublic:
    """Make one of the cooperative's documents as PDF/A-3b from the chain's facts (and the
    caller's `fields` for what the chain does not hold) and store it. The facts are embedded
    in the PDF (`source.json`): `POST /documents/regenerate` makes it again byte for byte."""
    if caller.is_auditor and body.template not in AUDITOR_KINDS:
        raise Problem(
            403,
            "Ревизор только читает: реестр пайщиков и протоколы / An auditor only reads: "
            "the register of members and the protocols",
        )
    if body.template == "notice_delivery_list":
        return _file_public(_delivery_list_pdf(gw, body))
    kind = KINDS[body.template]
    subject: str | None = checksum(body.subject) if body.subject else None
    if kind.personal and subject is None:
        subject = caller.address
    if (
        kind.personal
        and subject is not None
        and subject != caller.address
        and not caller.has("council", "chair")
    ):
        raise Problem(
            403,
            "Документ с персональными данными другого пайщика готовит совет / Only the "
            "council prepares a personal document of another member",
        )
    facts_ = _document_facts(gw, caller, body, subject)
    row = generate_pdf(
        gw,
        body.template,
        facts_,
        stored_by=caller.address,
        subject=subject if kind.personal else None,
    )
    return _file_public(row)


def _delivery_list_pdf(gw: Gateway, body: GenerateCreate) -> DocumentFile:
    """The sealed delivery list of a meeting's notice: always the one PDF recorded for it (its
    facts are the notices' sealed record, not the caller's; `date` is the day it was sealed)."""
    from node.api.routes.notices import delivery_list_document

    if body.meeting_id is None:
        raise Problem(422, "Укажите meeting_id / Give meeting_id")
    row = delivery_list_document(gw, body.meeting_id)
    if row is None:
        raise Problem(
            409,
            "Лист рассылки ещё не закрыт: уведомления доставляются / The delivery list is not "
            "sealed yet: notices are being delivered",
        )
    return row


AUDITOR_KINDS = frozenset(
    {"member_register", "meeting_protocol", "council_protocol", "notice_delivery_list"}
)
"""What an auditor (who writes nothing else) may have made: the registers they audit."""
ORG_FIELDS = ("name", "ogrn", "inn", "address", "representative", "decision")
DECISION_SUBJECTS = {
    "council_admission": ("о приёме в пайщики", "to admit members"),
    "council_exclusion": ("об исключении из пайщиков", "to exclude members"),
    "council_payout": ("о выплате", "to pay out"),
    "council_program": ("о целевой программе", "on a target program"),
}


def _fields_text(body: GenerateCreate, key: str) -> str | None:
    value = body.fields.get(key)
    return None if value is None else str(value)


def _texts(body: GenerateCreate) -> list[str]:
    raw = body.fields.get("questions") or []
    if not isinstance(raw, list):
        return [str(raw)]
    return [str(q.get("text", "")) if isinstance(q, dict) else str(q) for q in raw]


def _name(gw: Gateway, caller: Caller, address: str) -> str | None:
    """The member's name from the identity vault: for themselves and the council only."""
    if caller.address != address and not caller.has("council", "chair"):
        return None
    name = identity_of(gw, address).get("name")
    if name is not None:
        log_disclosure(gw, caller, address, "identity:name")
    return name


def _read(gw: Gateway, fn: Any) -> Any:
    try:
        with gw.engine.connect() as conn:
            return fn(conn)
    except facts.FactsNotFound as exc:
        raise Problem(404, f"Нет данных в зеркале / Not in the mirror: {exc}") from exc
    except NotFound as exc:
        raise mirror.not_indexed() from exc


def _document_facts(
    gw: Gateway, caller: Caller, body: GenerateCreate, subject: str | None
) -> dict[str, Any]:
    """The facts of `body.template`: the chain's (through the mirror) over the caller's."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    coop = cooperative_context(gw)
    date = (body.date or datetime.now(UTC).date()).isoformat()
    base = facts.header(
        facts.cooperative(str(coop["cooperative_name"]), charter, cid),
        date,
        mirror.current_block(gw),
    )
    base["chair"] = checksum(gw.coop.charter.functions.chair().call())
    for key in ("place", "secretary", "accountant", "meeting_no", "refund_details"):
        if key in body.fields:
            base[key] = _fields_text(body, key)
    k = body.template
    who = subject or caller.address
    if k in ("membership_application", "membership_application_organisation"):
        return {**base, **_application_facts(gw, caller, body, who)}
    if k.startswith("council_") and k != "council_protocol":
        return {**base, **_decision_facts(gw, caller, body, subject)}
    if k == "council_protocol":
        if not body.item_ids:
            raise Problem(422, "Укажите item_ids / Give the items considered: item_ids")
        gov = gw.governance()
        council = gov.council.members() if gov.council is not None else []
        texts = _texts(body)
        titles = {i: texts[n] for n, i in enumerate(body.item_ids) if n < len(texts)}
        item_ids = body.item_ids
        got = _read(
            gw, lambda c: facts.council_protocol(c, charter, item_ids, cid, council, titles)
        )
        return {**base, **got}
    if k == "meeting_question":
        return {**base, **_question_facts(gw, caller, body)}
    if k in ("meeting_notice", "ballot", "meeting_protocol"):
        return {**base, **_meeting_facts(gw, caller, body, who)}
    if k == "proxy":
        return {**base, **_proxy_facts(gw, caller, body)}
    if k in ("exit_application", "member_extract", "share_refund"):
        name = _name(gw, caller, who)
        if k == "member_extract":
            return {
                **base,
                **_read(gw, lambda c: facts.member_extract(c, charter, who, cid, name)),
            }
        m = _read(gw, lambda c: facts.get_member(c, charter, who, cid))
        if k == "exit_application":
            return {**base, "member": facts.member(m, name)}
        return {**base, **facts.share_refund(m, _debts(gw, m), name)}
    if k == "member_register":
        return {**base, **_read(gw, lambda c: facts.member_register(c, charter, cid))}
    if k == "loan_agreement":
        return {**base, **_loan_facts(gw, caller, body)}
    if k == "property_act":
        registry = gw.module_address("property_registry")
        if registry is None or body.token_id is None:
            raise Problem(422, "Укажите token_id (нужен реестр имущества) / Give token_id")
        token_id = body.token_id
        return {**base, **_read(gw, lambda c: facts.asset(c, registry, token_id, cid))}
    if k == "delivery_act":
        return {**base, **_delivery_facts(gw, caller, body)}
    if k == "program_terms":
        purpose = _fields_text(body, "purpose")
        if not purpose:
            raise Problem(422, "Укажите цель программы / Give the program's purpose: purpose")
        program = {f: _fields_text(body, f) for f in ("contributions", "term", "text")}
        return {**base, "program": {"purpose": purpose, **program}}
    raise Problem(422, f"Неизвестный вид документа / Unknown kind {k}")


def _application_facts(
    gw: Gateway, caller: Caller, body: GenerateCreate, who: str
) -> dict[str, Any]:
    individual = body.template == "membership_application"
    member_kind = MemberKind.INDIVIDUAL if individual else MemberKind.ORGANISATION
    entrance_fee, minimum_share = gw.coop.charter.functions.fees(int(member_kind)).call()
    applicant: dict[str, Any] = {f: _fields_text(body, f) for f in ORG_FIELDS if f in body.fields}
    if who == caller.address or caller.has("council"):
        record = identity_of(gw, who)
        if record:
            log_disclosure(gw, caller, who, f"identity:{body.template}")
        # The vault's record wins where it states something; an empty optional field of it
        # (a person's ИНН not given) does not erase what the applicant typed.
        applicant.update({k: v for k, v in record.items() if v is not None})
    applicant["wallet"] = who
    return {
        "applicant": applicant,
        "fees": {"entrance_fee": str(entrance_fee), "minimum_share": str(minimum_share)},
    }


def _decision_facts(
    gw: Gateway, caller: Caller, body: GenerateCreate, subject: str | None
) -> dict[str, Any]:
    raw = body.fields.get("accounts") or ([subject] if subject else [])
    accounts = [
        checksum(a)
        for a in (raw if isinstance(raw, list) else [raw])
        if isinstance(a, str) and Web3.is_address(a)
    ]
    ru, en = DECISION_SUBJECTS.get(body.template, (None, None))
    amount = str(body.fields.get("amount", ""))
    out: dict[str, Any] = {
        "decision": {
            "subject_ru": ru,
            "subject_en": en,
            "agenda": _fields_text(body, "agenda"),
            "text": _fields_text(body, "decision"),
            "persons": [{"account": a, "name": _name(gw, caller, a)} for a in accounts],
            "amount": amount if amount.isdigit() else None,
        }
    }
    if body.item_id is not None:
        charter, cid, item_id = gw.coop.addresses.charter, gw.chain_id, body.item_id
        out["item"] = _read(gw, lambda c: facts.council_item(c, charter, item_id, cid))
    return out


MAJORITY_TEXTS = {
    "simple": ("простое (более половины)", "simple (more than half)"),
    "two_thirds": ("не менее 2/3", "at least 2/3"),
    "three_quarters": ("не менее 3/4", "at least 3/4"),
}


def _question_facts(gw: Gateway, caller: Caller, body: GenerateCreate) -> dict[str, Any]:
    """A meeting question's draft resolution, drafted before convening (the council's words;
    the chain knows only the document's hash once convened)."""
    raw = body.fields.get("accounts") or []
    accounts = [
        checksum(a)
        for a in (raw if isinstance(raw, list) else [raw])
        if isinstance(a, str) and Web3.is_address(a)
    ]
    majority = str(body.fields.get("majority", "simple"))
    ru, en = MAJORITY_TEXTS.get(majority, MAJORITY_TEXTS["simple"])
    number = body.fields.get("number")
    return {
        "question": {
            "number": int(number) if isinstance(number, int) else None,
            "kind_ru": _fields_text(body, "kind_ru"),
            "kind_en": _fields_text(body, "kind_en"),
            "majority": majority,
            "majority_ru": ru,
            "majority_en": en,
            "text": _fields_text(body, "text"),
            "persons": [{"account": a, "name": _name(gw, caller, a)} for a in accounts],
        }
    }


def _meeting_facts(gw: Gateway, caller: Caller, body: GenerateCreate, who: str) -> dict[str, Any]:
    texts = _texts(body)
    if body.meeting_id is None:
        if body.template != "meeting_notice":
            raise Problem(422, "Укажите meeting_id / Give meeting_id")
        # The notice drafted before the council convenes: the agenda as the council words it,
        # with each question's materials when already generated (`fields.documents`).
        raw = body.fields.get("documents") or []
        docs = [str(d) for d in raw] if isinstance(raw, list) else []
        return {
            "meeting": {
                "meeting_id": None,
                "opens_at": body.fields.get("opens_at"),
                "closes_at": body.fields.get("closes_at"),
                "secretary": _fields_text(body, "secretary_address"),
                "questions": [
                    {"text": t, "document_hash": docs[n] if n < len(docs) else None}
                    for n, t in enumerate(texts)
                ],
            }
        }
    charter, cid, mid = gw.coop.addresses.charter, gw.chain_id, body.meeting_id
    if body.template == "ballot":
        name = _name(gw, caller, who)
        got = _read(gw, lambda c: facts.ballot(c, charter, mid, who, cid, texts, name))
    else:
        got = _read(gw, lambda c: facts.meeting(c, charter, mid, cid, texts))
    return dict(got)


def _proxy_facts(gw: Gateway, caller: Caller, body: GenerateCreate) -> dict[str, Any]:
    """A proxy the caller gives (the principal is always the caller: nobody drafts another
    member's доверенность): `meeting_id`, `fields.holder`, `fields.expires_at` (unix seconds)."""
    holder, expires = body.fields.get("holder"), body.fields.get("expires_at")
    if body.meeting_id is None or not isinstance(holder, str) or not Web3.is_address(holder):
        raise Problem(
            422,
            "Укажите meeting_id и fields.holder (адрес представителя) / Give meeting_id and "
            "fields.holder (the holder's address)",
        )
    if not isinstance(expires, int) and not (isinstance(expires, str) and expires.isdigit()):
        raise Problem(422, "Укажите fields.expires_at (unix-время) / Give fields.expires_at")
    principal, holder = caller.address, checksum(holder)
    if principal == holder:
        raise Problem(422, "Нельзя выдать доверенность себе / A member cannot be their own proxy")
    charter, cid, mid = gw.coop.addresses.charter, gw.chain_id, body.meeting_id
    who = {"account": principal, "name": _name(gw, caller, principal)}
    to = {"account": holder, "name": None}
    texts = _texts(body)
    return dict(
        _read(gw, lambda c: facts.proxy(c, charter, mid, who, to, int(expires), cid, texts))
    )


def _loan_facts(gw: Gateway, caller: Caller, body: GenerateCreate) -> dict[str, Any]:
    fund = gw.fund()
    if fund is None or body.loan_id is None:
        raise Problem(422, "Укажите loan_id (нужна касса взаимопомощи) / Give loan_id")
    cid, loan_id, address = gw.chain_id, body.loan_id, fund.address
    loan = _read(gw, lambda c: fund_queries.get_loan(c, address, loan_id, chain_id=cid))
    if loan is None:
        raise Problem(404, f"Займа {loan_id} нет / No loan {loan_id}")
    if caller.address != loan.borrower and not caller.has("council", "chair"):
        raise Problem(403, "Договор займа: заёмщик и совет / The borrower and the council")
    schedule = [(int(i.cumulative_due), int(i.due_at)) for i in fund_schedule(fund, loan)]
    name = _name(gw, caller, loan.borrower)
    return dict(_read(gw, lambda c: facts.loan(c, address, loan_id, cid, schedule, name)))


def _delivery_facts(gw: Gateway, caller: Caller, body: GenerateCreate) -> dict[str, Any]:
    if body.order_id is None:
        raise Problem(422, "Укажите order_id / Give order_id")
    from node.exchange import service

    # A refused lookup raises ExchangeError, mapped to problem+json by node/api/problems.py.
    with Session(gw.engine) as session:
        order = service.get_order(session, body.order_id)
        offer = service.get_offer(session, order.offer_id)
    if caller.address not in (order.buyer, order.supplier) and not caller.has("council"):
        raise Problem(403, "Акт: стороны заказа и совет / The parties and the council")
    return facts.delivery_order(order, offer)


def _debts(gw: Gateway, m: Any) -> int:
    """What a leaving member owes: a negative ВРЕ balance and what is outstanding on loans."""
    owed = max(-int(m.units_balance), 0)
    fund = gw.fund()
    if fund is not None:
        address, cid = fund.address, gw.chain_id
        loans = _read(
            gw, lambda c: fund_queries.list_loans(c, address, m.account, None, 0, 500, chain_id=cid)
        )
        owed += sum(int(loan.outstanding) for loan in loans.data)
    return owed


@router.post(
    "/regenerate",
    response_model=RegeneratedPublic,
    openapi_extra=FILE_BODY,
    responses=problem_responses(413, 422),
)
async def regenerate_document(request: Request, gw: GatewayDep) -> RegeneratedPublic:
    """Make a document again from its own embedded source (`source.json`: the facts, the kind
    and the template version) and say whether the bytes are identical. No sign-in: the caller
    holds the file already."""
    content = await request.body()
    if not content:
        raise Problem(422, "Пустой файл / Empty file")
    return await run_in_threadpool(_regenerate, gw, content)


def _regenerate(gw: Gateway, content: bytes) -> RegeneratedPublic:
    try:
        source = read_source(content)
        again = regenerate(content, gw.templates)
    except DocumentSourceError as exc:
        raise Problem(422, f"Документ не воспроизводится / Cannot regenerate: {exc}") from exc
    return RegeneratedPublic(
        sha256=sha256_hex(content),
        regenerated_sha256=sha256_hex(again),
        identical=again == content,
        kind=str(source["kind"]),
        template_sha256=str(source["template"]["sha256"]),
        facts=source["facts"],
    )


@router.get(
    "/templates/{sha256}",
    response_class=Response,
    responses={
        200: {"description": "The template bundle (JSON)", "content": {"application/json": {}}},
        **problem_responses(404),
    },
)
def template_bundle(gw: GatewayDep, sha256: Sha256Path) -> Response:
    """A template version by its SHA-256 (named in every document's `source.json`): the
    kind's template and the shared files it was rendered with. No sign-in."""
    bundle = gw.templates.get(sha256)
    if bundle is None:
        raise Problem(404, f"Шаблона {sha256} нет / No template {sha256}")
    return Response(content=bundle.canonical(), media_type="application/json")


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
