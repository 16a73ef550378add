"""Joining: the application document and its EIP-712 payload, the gasless submission, and the
list of open applications."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Response
from hexbytes import HexBytes
from pydantic import BaseModel, Field
from sqlmodel import Session

from indexer.models import MemberEventPublic
from indexer.queries import members
from indexer.queries.common import Page
from node.api import mirror
from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, RelayRateLimit, WriterDep
from node.api.documents import cooperative_context, generate_pdf
from node.api.problems import Problem, problem_responses
from node.api.relay import relay_call
from node.api.routes.relay import public
from node.api.schemas import Address, Hash32, RelayPublic, Signature, TypedDataToSign
from node.api.txbuild import EIP712_DOMAIN, bytes32, typed_digest
from node.chain.client import checksum
from node.cooperative.client import APPLICATION_TYPES, MemberKind, eip712_domain
from node.documents.facts import cooperative, header
from node.identity.crypto import OrganisationData, Sealed, open_identity
from node.identity.models import IdentityRecord

router = APIRouter(prefix="/applications", tags=["applications"])

Kind = Literal["individual", "organisation"]


class ApplicationDraftCreate(BaseModel):
    kind: Kind = "individual"
    valid_for: int = Field(default=86_400, ge=600, le=30 * 86_400)
    """Seconds the signature stays usable (the EIP-712 `deadline`)."""


class ApplicationDraftPublic(TypedDataToSign):
    document_sha256: str
    """The application document (`GET /documents/{sha256}`); its hash is `applicationHash`."""
    identity_hash: Hash32
    application_hash: Hash32


class ApplicationCreate(BaseModel):
    applicant: Address
    kind: Kind = "individual"
    identity_hash: Hash32
    application_hash: Hash32
    nonce: int = Field(ge=0, lt=2**64)
    deadline: int = Field(ge=0, lt=2**64)
    signature: Signature


def _kind(kind: str) -> MemberKind:
    return MemberKind.INDIVIDUAL if kind == "individual" else MemberKind.ORGANISATION


@router.get(
    "",
    response_model=amounts_as_strings(Page[MemberEventPublic]),
    responses=problem_responses(401, 503),
)
async def list_applications(gw: GatewayDep, caller: CallerDep, open_only: bool = True) -> Response:
    """Applications, the latest of each account; by default those awaiting a decision."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    return await mirror.respond(
        gw,
        ("applications", open_only),
        lambda c: members.list_applications(c, charter, open_only, chain_id=cid),
    )


@router.post(
    "/draft",
    response_model=amounts_as_strings(ApplicationDraftPublic),
    responses=problem_responses(401, 403, 409, 422),
)
def draft_application(
    gw: GatewayDep, caller: WriterDep, body: ApplicationDraftCreate
) -> ApplicationDraftPublic:
    """Generate your membership application from your identity record (store it first with
    `PUT /members/{address}/identity`) and the EIP-712 payload to sign. Signing needs no ETH."""
    account = caller.address
    with Session(gw.engine) as session:
        row = session.get(IdentityRecord, account)
    if row is None or row.ciphertext is None or row.nonce is None:
        raise Problem(
            409,
            "Сначала сохраните анкету: PUT /members/{address}/identity / Store your identity "
            "record first: PUT /members/{address}/identity",
        )
    identity, _salt = open_identity(
        gw.keyring, account, Sealed(row.key_id or "", row.nonce, row.ciphertext)
    )
    kind = _kind(body.kind)
    if isinstance(identity, OrganisationData) != (kind == MemberKind.ORGANISATION):
        raise Problem(
            422,
            "Вид пайщика не совпадает с анкетой (организация или физическое лицо) / The member "
            "kind does not match the identity record (organisation or individual)",
        )
    entrance_fee, minimum_share = gw.coop.charter.functions.fees(int(kind)).call()
    latest = gw.chain.w3.eth.get_block("latest")
    deadline = int(latest["timestamp"]) + body.valid_for
    charter = gw.coop.addresses.charter
    name = str(cooperative_context(gw)["cooperative_name"])
    facts = {
        **header(
            cooperative(name, charter, gw.chain_id),
            datetime.fromtimestamp(time.time(), UTC).date().isoformat(),
        ),
        "chair": checksum(gw.coop.charter.functions.chair().call()),
        "applicant": {
            **identity.model_dump(mode="json"),
            "wallet": account,
            "identity_hash": row.identity_hash,
        },
        "fees": {"entrance_fee": str(entrance_fee), "minimum_share": str(minimum_share)},
    }
    kind_name = (
        "membership_application"
        if kind == MemberKind.INDIVIDUAL
        else "membership_application_organisation"
    )
    doc = generate_pdf(gw, kind_name, facts, stored_by=account, subject=account)
    application_hash = "0x" + doc.sha256
    nonce = int(gw.coop.membership.functions.memberOf(account).call()[5])
    typed = {
        "types": {"EIP712Domain": EIP712_DOMAIN, **APPLICATION_TYPES},
        "primaryType": "Application",
        "domain": eip712_domain(gw.coop.membership),
        "message": {
            "applicant": account,
            "kind": int(kind),
            "identityHash": row.identity_hash,
            "applicationHash": application_hash,
            "nonce": nonce,
            "deadline": deadline,
        },
    }
    return ApplicationDraftPublic(
        typed_data=typed,
        digest=typed_digest(typed),
        submit_to="/applications",
        document_sha256=doc.sha256,
        identity_hash=row.identity_hash,
        application_hash=application_hash,
    )


@router.post(
    "",
    response_model=amounts_as_strings(RelayPublic),
    status_code=202,
    dependencies=[RelayRateLimit],
    responses=problem_responses(401, 403, 422, 429),
)
def submit_application(gw: GatewayDep, caller: WriterDep, body: ApplicationCreate) -> RelayPublic:
    """Relay a signed application (`applyToJoinWithSig`); the cooperative pays the gas."""
    fn = gw.coop.membership.functions.applyToJoinWithSig(
        checksum(body.applicant),
        int(_kind(body.kind)),
        bytes32(body.identity_hash),
        bytes32(body.application_hash),
        body.nonce,
        body.deadline,
        bytes(HexBytes(body.signature)),
    )
    return public(relay_call(gw, fn, kind="application", account=caller.address))
