"""Members: lists and histories from the mirror, a member's dashboard, personal data, and the
officers' attestations (identity check, bank payment) and the member's exit request as
transactions to sign."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from hexbytes import HexBytes
from pydantic import BaseModel
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from indexer.models import (
    MEMBER_STATUS,
    BlockRef,
    MemberEventPublic,
    MemberPublic,
    ObligationPublic,
)
from indexer.queries import members, units
from indexer.queries.common import Page
from node.api import mirror
from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, WriterDep, require_self_or
from node.api.disclosures import DisclosurePublic, list_disclosures, log_disclosure
from node.api.models import DocumentFile
from node.api.problems import Problem, problem_responses
from node.api.routes.bank import RefundCreate, check_refund_details, store_refund_details
from node.api.schemas import ADDRESS_PATTERN, Hash32, TransactionToSign
from node.api.txbuild import bytes32, unsigned_tx
from node.chain.client import checksum
from node.identity.crypto import (
    DecryptionError,
    IdentityData,
    OrganisationData,
    Sealed,
    open_identity,
    seal_identity,
)
from node.identity.models import IdentityRecord

router = APIRouter(prefix="/members", tags=["members"])

AddressPath = Annotated[str, Path(pattern=ADDRESS_PATTERN, description="EVM address")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=500)]

STATUSES = MEMBER_STATUS


class MemberDashboard(BaseModel):
    """A member at a glance: record, shares, ВРЕ, open invoices, roles; at one block."""

    address: str
    member: MemberPublic | None
    owes: list[ObligationPublic]
    """Issued or accepted invoices where the member is the debtor."""
    owed: list[ObligationPublic]
    """Issued or accepted invoices where the member is the creditor."""
    as_of: BlockRef


class IdentityPublic(BaseModel):
    address: str
    identity_hash: str
    """What goes on chain as `identityHash` (salted SHA-256 of the record)."""
    created_at: int
    updated_at: int


class IdentityRead(IdentityPublic):
    identity: IdentityData | OrganisationData
    """An individual's record, or an organisation's (`kind: organisation`)."""


@router.get(
    "",
    response_model=amounts_as_strings(Page[MemberPublic]),
    responses=problem_responses(401, 503),
)
async def list_members(
    gw: GatewayDep,
    caller: CallerDep,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(STATUSES) + ")$")] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Response:
    """Accounts with a membership record (filter by status), paginated."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    return await mirror.respond(
        gw,
        ("members", status, offset, limit),
        lambda c: members.list_members(c, charter, status, offset, limit, chain_id=cid),
    )


@router.get(
    "/{address}",
    response_model=amounts_as_strings(MemberPublic),
    responses=problem_responses(401, 404, 503),
)
async def get_member(gw: GatewayDep, caller: CallerDep, address: AddressPath) -> Response:
    """One account's membership record, shares and ВРЕ position."""
    charter, cid, account = gw.coop.addresses.charter, gw.chain_id, checksum(address)

    def compute(c: Connection) -> MemberPublic:
        found = members.get_member(c, charter, account, chain_id=cid)
        if found is None:
            raise Problem(404, f"{address} не подавал заявления / {address} never applied")
        return found

    return await mirror.respond(gw, ("member", account), compute)


@router.get(
    "/{address}/history",
    response_model=amounts_as_strings(Page[MemberEventPublic]),
    responses=problem_responses(401, 503),
)
async def member_history(gw: GatewayDep, caller: CallerDep, address: AddressPath) -> Response:
    """Every membership event of the account, oldest first."""
    charter, cid, account = gw.coop.addresses.charter, gw.chain_id, checksum(address)
    return await mirror.respond(
        gw,
        ("history", account),
        lambda c: members.member_history(c, charter, account, chain_id=cid),
    )


def _open(page: Page[ObligationPublic]) -> list[ObligationPublic]:
    return [o for o in page.data if o.status_name in ("issued", "accepted")]


@router.get(
    "/{address}/dashboard",
    response_model=amounts_as_strings(MemberDashboard),
    responses=problem_responses(401, 503),
)
async def member_dashboard(gw: GatewayDep, caller: CallerDep, address: AddressPath) -> Response:
    """The member's record and open invoices both ways, all current at one block (the
    member's roles: `GET /auth/me`)."""
    charter, cid, account = gw.coop.addresses.charter, gw.chain_id, checksum(address)

    def compute(c: Connection) -> MemberDashboard:
        member = members.get_member(c, charter, account, chain_id=cid)
        owes = units.list_obligations(c, charter, account, None, None, 0, 500, chain_id=cid)
        owed = units.list_obligations(c, charter, None, account, None, 0, 500, chain_id=cid)
        return MemberDashboard(
            address=account,
            member=member,
            owes=_open(owes),
            owed=_open(owed),
            as_of=min((owes.as_of, owed.as_of), key=lambda b: b.number),
        )

    return await mirror.respond(gw, ("member_dashboard", account), compute)


# -- personal data ------------------------------------------------------------------------------


def _identity_row(session: Session, address: str) -> IdentityRecord | None:
    return session.get(IdentityRecord, checksum(address))


@router.put(
    "/{address}/identity",
    response_model=amounts_as_strings(IdentityPublic),
    responses=problem_responses(401, 403, 422),
)
def put_identity(
    gw: GatewayDep,
    caller: WriterDep,
    address: AddressPath,
    body: IdentityData | OrganisationData,
) -> IdentityPublic:
    """Store (or replace) your identity record, encrypted; returns the hash for the chain.

    An organisation sends `kind: organisation` with its requisites (ИНН, КПП, ОГРН: check
    digits validated), address and representative; a power of attorney is a personal document
    stored first (`POST /documents`) and named by its SHA-256."""
    require_self_or(caller, address)
    account = checksum(address)
    digest, sealed = seal_identity(gw.keyring, account, body)
    now = int(time.time())
    with Session(gw.engine) as session:
        row = _identity_row(session, account)
        if row is None:
            row = IdentityRecord(address=account, identity_hash="", created_at=now, updated_at=now)
        row.identity_hash = HexBytes(digest).to_0x_hex()
        row.key_id, row.nonce, row.ciphertext = sealed.key_id, sealed.nonce, sealed.ciphertext
        row.updated_at, row.deleted_at = now, None
        session.add(row)
        session.commit()
        session.refresh(row)
        return IdentityPublic.model_validate(row, from_attributes=True)


@router.get(
    "/{address}/identity",
    response_model=amounts_as_strings(IdentityRead),
    responses=problem_responses(401, 403, 404, 410),
)
def get_identity(gw: GatewayDep, caller: CallerDep, address: AddressPath) -> IdentityRead:
    """The decrypted record: for the member, the council, the chair and the identity verifier
    (who checks it against the applicant's papers). Every read by someone other than the member
    is logged (`GET /members/{address}/identity/disclosures`)."""
    require_self_or(caller, address, "council", "chair", "verifier")
    with Session(gw.engine) as session:
        row = _identity_row(session, address)
    if row is None:
        raise Problem(404, "Анкеты нет / No identity record")
    if row.deleted_at is not None or row.ciphertext is None or row.nonce is None:
        raise Problem(410, "Анкета удалена по просьбе пайщика / Erased at the member's request")
    try:
        data, _salt = open_identity(
            gw.keyring, row.address, Sealed(row.key_id or "", row.nonce, row.ciphertext)
        )
    except DecryptionError as exc:
        raise Problem(
            500, "Нет ключа для расшифровки анкеты / No key decrypts this record"
        ) from exc
    log_disclosure(gw, caller, row.address, "identity")
    return IdentityRead(
        address=row.address,
        identity_hash=row.identity_hash,
        created_at=row.created_at,
        updated_at=row.updated_at,
        identity=data,
    )


@router.get(
    "/{address}/identity/disclosures",
    response_model=list[DisclosurePublic],
    responses=problem_responses(401, 403),
)
def identity_disclosures(
    gw: GatewayDep,
    caller: CallerDep,
    address: AddressPath,
    offset: Offset = 0,
    limit: Limit = 100,
) -> list[DisclosurePublic]:
    """Who other than the member read the member's personal data (the identity record,
    personal documents), newest first: for the member, the council and auditors."""
    require_self_or(caller, address, "council", "auditor")
    return list_disclosures(gw, checksum(address), offset, limit)


@router.delete(
    "/{address}/identity",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
def delete_identity(gw: GatewayDep, caller: WriterDep, address: AddressPath) -> Response:
    """Erase the record and the member's personal documents. The hashes stay on chain and stay
    consistent; without the salt and the text they can no longer be linked to a person."""
    require_self_or(caller, address, "council")
    account = checksum(address)
    now = int(time.time())
    with Session(gw.engine) as session:
        row = _identity_row(session, account)
        if row is None:
            raise Problem(404, "Анкеты нет / No identity record")
        row.key_id = row.nonce = row.ciphertext = None
        row.deleted_at = now
        session.add(row)
        files = session.exec(
            select(DocumentFile).where(
                col(DocumentFile.subject) == account, col(DocumentFile.personal).is_(True)
            )
        ).all()
        for f in files:
            gw.store.erase(f.sha256)
        session.commit()
    return Response(status_code=204)


# -- transactions to sign -----------------------------------------------------------------------


class AttestationCreate(BaseModel):
    record_hash: Hash32
    """Hash of the identity check record (verifier) or of the payment document (cashier)."""


class ExitCreate(BaseModel):
    application_hash: Hash32
    """SHA-256 of the signed exit application (see `POST /documents/generate`)."""
    refund: RefundCreate | None = None
    """Where the refund of shares paid in rubles goes (the member's own request only): checked
    and stored sealed off chain (`docs/bank.md`, "Refund details"), never on chain."""


@router.post(
    "/{address}/identity-check/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 422),
)
def identity_check_tx(
    gw: GatewayDep, caller: WriterDep, address: AddressPath, body: AttestationCreate
) -> TransactionToSign:
    """For the chair or a verifier: attest that the applicant's identity was checked."""
    fn = gw.coop.membership.functions.attestIdentity(checksum(address), bytes32(body.record_hash))
    return unsigned_tx(
        gw, fn, caller.address, "Подтвердить проверку личности / Attest the identity check"
    )


@router.post(
    "/{address}/payment/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 422),
)
def payment_tx(
    gw: GatewayDep, caller: WriterDep, address: AddressPath, body: AttestationCreate
) -> TransactionToSign:
    """For a cashier: attest that the applicant paid the fees by bank."""
    fn = gw.coop.membership.functions.attestPayment(checksum(address), bytes32(body.record_hash))
    return unsigned_tx(
        gw, fn, caller.address, "Подтвердить оплату взносов / Attest the payment of fees"
    )


@router.post(
    "/{address}/exit/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 422),
)
def exit_tx(
    gw: GatewayDep, caller: WriterDep, address: AddressPath, body: ExitCreate
) -> TransactionToSign:
    """For the member: request to leave (blocked while ВРЕ debts or loans are open)."""
    require_self_or(caller, address)
    if body.refund is not None:
        if caller.address.lower() != address.lower():
            raise Problem(403, "Реквизиты даёт сам пайщик / Only the member gives refund details")
        check_refund_details(body.refund)
    fn = gw.coop.membership.functions.requestExit(bytes32(body.application_hash))
    tx = unsigned_tx(gw, fn, caller.address, "Заявление о выходе / Request to leave")
    if body.refund is not None:  # the exit is possible (simulated): keep where to refund
        store_refund_details(gw, caller.address, body.refund, body.application_hash)
    return tx
