"""Proxies (доверенности) for general meetings: my proxies given and received (from the mirror),
and the three signed acts relayed without gas: issuing and revoking a proxy (signed by the
principal) and voting for a principal (signed by the holder).

The principal first has the document made (`POST /documents/generate` with `template: proxy`);
its SHA-256 is the `document_hash` the signed proxy carries on chain. Every act is simulated
before it is sent: a proxy the contract would refuse (over the charter's cap, expired, for a
principal who voted or left, ...) is answered at once with the contract's reason (422).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from hexbytes import HexBytes
from pydantic import BaseModel, Field
from sqlmodel import Session

from indexer.models import ProxiesOfPublic
from indexer.queries import governance
from node.api import mirror
from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, RelayRateLimit, WriterDep
from node.api.gateway import Gateway
from node.api.models import DocumentFile
from node.api.problems import Problem, problem_responses
from node.api.relay import relay_call
from node.api.routes.relay import public
from node.api.schemas import Address, Hash32, RelayPublic, Signature, TypedDataToSign
from node.api.txbuild import typed_digest
from node.chain.client import checksum
from node.governance.proxies import MeetingProxies, ProxyTerms

router = APIRouter(prefix="/proxies", tags=["proxies"])

MeetingId = Annotated[int, Path(ge=0, lt=2**64)]
Choices = Annotated[list[Annotated[int, Field(ge=0, le=2)]], Field(min_length=1, max_length=32)]
Expiry = Annotated[int, Field(gt=0, lt=2**40)]


class ProxyDraftCreate(BaseModel):
    meeting_id: int = Field(ge=0, lt=2**64)
    holder: Address
    """The member who will vote for you."""
    expires_at: Expiry
    """Unix seconds after which the proxy is void."""
    document_hash: Hash32
    """`0x` + the SHA-256 of the proxy document you had made (`template: proxy`)."""


class ProxyCreate(ProxyDraftCreate):
    nonce: int = Field(ge=0, lt=2**64)
    """The nonce you signed (from the typed data)."""
    signature: Signature


class RevocationCreate(BaseModel):
    nonce: int = Field(ge=0, lt=2**64)
    signature: Signature


class ProxyBallotDraftCreate(BaseModel):
    principal: Address
    """The member you vote for."""
    choices: Choices
    """One per question: 0 against, 1 for, 2 abstain."""


class ProxyBallotCreate(ProxyBallotDraftCreate):
    signature: Signature


def _proxies(gw: Gateway) -> MeetingProxies:
    gov = gw.governance()
    meeting = gov.meeting
    address = meeting.proxies_address() if meeting is not None else None
    if address is None:
        raise Problem(
            409,
            "У общего собрания кооператива нет контракта доверенностей / The cooperative's "
            "general meeting takes no votes by proxy",
        )
    return MeetingProxies(gw.chain, address)


def _terms(caller_address: str, body: ProxyDraftCreate) -> ProxyTerms:
    return ProxyTerms(
        meeting_id=body.meeting_id,
        principal=caller_address,
        holder=checksum(body.holder),
        expires_at=body.expires_at,
        document_hash=bytes(HexBytes(body.document_hash)),
    )


def _check_document(gw: Gateway, principal: str, document_hash: str) -> None:
    """The proxy's document must be one this node made for the principal (`template: proxy`):
    the hash on chain then always names a document anyone can fetch and verify."""
    digest = document_hash.lower().removeprefix("0x")
    with Session(gw.engine) as session:
        row = session.get(DocumentFile, digest)
    if row is None or row.template != "proxy" or row.stored_by != principal:
        raise Problem(
            422,
            "Сначала сформируйте документ доверенности (template: proxy) / Make the proxy "
            "document first (template: proxy)",
        )


def _check_nonce(p: MeetingProxies, principal: str, nonce: int) -> None:
    current = p.nonce(principal)
    if nonce != current:
        raise Problem(
            409,
            f"Подпись устарела: ожидался номер {current} / The signature is stale: nonce "
            f"{current} expected",
        )


@router.get(
    "",
    response_model=amounts_as_strings(ProxiesOfPublic),
    responses=problem_responses(401, 503),
)
async def my_proxies(gw: GatewayDep, caller: CallerDep) -> Response:
    """The proxies you gave and received, with their status at the mirror's block."""
    charter, cid, me = gw.coop.addresses.charter, gw.chain_id, caller.address
    return await mirror.respond(
        gw, ("proxies", me), lambda c: governance.proxies_of(c, me, charter, chain_id=cid)
    )


@router.post(
    "/typed-data",
    response_model=amounts_as_strings(TypedDataToSign),
    responses=problem_responses(401, 403, 409, 422),
)
def proxy_payload(gw: GatewayDep, caller: WriterDep, body: ProxyDraftCreate) -> TypedDataToSign:
    """The EIP-712 proxy for your wallet (`eth_signTypedData_v4`): you are the principal."""
    p = _proxies(gw)
    _check_document(gw, caller.address, body.document_hash)
    typed = p.proxy_typed_data(_terms(caller.address, body))
    return TypedDataToSign(typed_data=typed, digest=typed_digest(typed), submit_to="/proxies")


@router.post(
    "",
    response_model=amounts_as_strings(RelayPublic),
    status_code=202,
    dependencies=[RelayRateLimit],
    responses=problem_responses(401, 403, 409, 422, 429),
)
def issue_proxy(gw: GatewayDep, caller: WriterDep, body: ProxyCreate) -> RelayPublic:
    """Relay your signed proxy (`issueBySig`); the cooperative pays the gas."""
    p = _proxies(gw)
    _check_document(gw, caller.address, body.document_hash)
    _check_nonce(p, caller.address, body.nonce)
    terms = _terms(caller.address, body)
    fn = p.contract.functions.issueBySig(terms.as_abi(), bytes(HexBytes(body.signature)))
    return public(relay_call(gw, fn, kind="proxy", account=caller.address))


@router.post(
    "/{meeting_id}/revocation/typed-data",
    response_model=amounts_as_strings(TypedDataToSign),
    responses=problem_responses(401, 403, 409),
)
def revocation_payload(gw: GatewayDep, caller: WriterDep, meeting_id: MeetingId) -> TypedDataToSign:
    """The EIP-712 revocation of your proxy for the meeting."""
    p = _proxies(gw)
    typed = p.revocation_typed_data(meeting_id, caller.address)
    return TypedDataToSign(
        typed_data=typed,
        digest=typed_digest(typed),
        submit_to=f"/proxies/{meeting_id}/revocation",
    )


@router.post(
    "/{meeting_id}/revocation",
    response_model=amounts_as_strings(RelayPublic),
    status_code=202,
    dependencies=[RelayRateLimit],
    responses=problem_responses(401, 403, 409, 422, 429),
)
def revoke_proxy(
    gw: GatewayDep, caller: WriterDep, meeting_id: MeetingId, body: RevocationCreate
) -> RelayPublic:
    """Relay your signed revocation (`revokeBySig`): possible until the holder has voted."""
    p = _proxies(gw)
    _check_nonce(p, caller.address, body.nonce)
    fn = p.contract.functions.revokeBySig(
        meeting_id, caller.address, bytes(HexBytes(body.signature))
    )
    return public(relay_call(gw, fn, kind="proxy_revocation", account=caller.address))


@router.post(
    "/{meeting_id}/ballots/typed-data",
    response_model=amounts_as_strings(TypedDataToSign),
    responses=problem_responses(401, 403, 409, 422),
)
def proxy_ballot_payload(
    gw: GatewayDep, caller: WriterDep, meeting_id: MeetingId, body: ProxyBallotDraftCreate
) -> TypedDataToSign:
    """The EIP-712 ballot you sign as the holder of `principal`'s proxy."""
    p = _proxies(gw)
    typed = p.proxy_ballot_typed_data(
        meeting_id, checksum(body.principal), caller.address, body.choices
    )
    return TypedDataToSign(
        typed_data=typed, digest=typed_digest(typed), submit_to=f"/proxies/{meeting_id}/ballots"
    )


@router.post(
    "/{meeting_id}/ballots",
    response_model=amounts_as_strings(RelayPublic),
    status_code=202,
    dependencies=[RelayRateLimit],
    responses=problem_responses(401, 403, 409, 422, 429),
)
def cast_proxy_ballot(
    gw: GatewayDep, caller: WriterDep, meeting_id: MeetingId, body: ProxyBallotCreate
) -> RelayPublic:
    """Relay the principal's ballot you signed as their proxy holder (`castAsProxyBySig`)."""
    p = _proxies(gw)
    fn = p.contract.functions.castAsProxyBySig(
        meeting_id,
        checksum(body.principal),
        caller.address,
        [int(c) for c in body.choices],
        bytes(HexBytes(body.signature)),
    )
    return public(relay_call(gw, fn, kind="proxy_ballot", account=caller.address))
