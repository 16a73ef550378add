"""ВРЕ: obligations (invoices) from the mirror, issuing as a transaction to sign, gasless
acceptance by EIP-712 signature, and clearing (взаимозачёт) runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from hexbytes import HexBytes
from pydantic import BaseModel, Field

from indexer.models import OBLIGATION_STATUS, ClearingPublic, ObligationPublic
from indexer.queries import units
from indexer.queries.common import Page
from node.api import mirror
from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, RelayRateLimit, WriterDep
from node.api.problems import Problem, problem_responses
from node.api.relay import relay_call, relayer_lock, track
from node.api.routes.relay import public
from node.api.schemas import (
    ADDRESS_PATTERN,
    Address,
    Hash32,
    RelayPublic,
    Signature,
    TransactionToSign,
    TypedDataToSign,
    Uint,
)
from node.api.txbuild import bytes32, typed_digest, unsigned_tx
from node.chain.client import checksum
from node.units.clearing_run import run_clearing
from node.units.client import ObligationStatus

router = APIRouter(prefix="/units", tags=["units"])

ObligationId = Annotated[int, Path(ge=0, lt=2**64)]
ZERO_HASH = "0x" + "00" * 32


class InvoiceCreate(BaseModel):
    debtor: Address
    amount: Uint
    due_date: int = Field(default=0, ge=0, lt=2**40)
    document_hash: Hash32 = ZERO_HASH


class AcceptanceDraftCreate(BaseModel):
    valid_for: int = Field(default=86_400, ge=60, le=30 * 86_400)


class AcceptanceCreate(BaseModel):
    deadline: int = Field(ge=0, lt=2**64)
    signature: Signature


#: Amounts in `coop clearing run`'s report (sent as decimal strings).
REPORT_AMOUNTS = frozenset(
    {
        "amount",
        "debt_total",
        "planned_cleared",
        "planned_remaining",
        "cleared_on_chain",
        "remaining_on_chain",
    }
)


class ClearingRunPublic(BaseModel):
    report: dict[str, Any]
    """`coop clearing run`'s report: totals, chunks with transactions or errors (amounts as
    decimal strings)."""
    relays: list[RelayPublic]
    """One tracked entry per settled chunk."""


@router.get(
    "/obligations",
    response_model=amounts_as_strings(Page[ObligationPublic]),
    responses=problem_responses(401, 503),
)
async def list_obligations(
    gw: GatewayDep,
    caller: CallerDep,
    debtor: Annotated[str | None, Query(pattern=ADDRESS_PATTERN)] = None,
    creditor: Annotated[str | None, Query(pattern=ADDRESS_PATTERN)] = None,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(OBLIGATION_STATUS) + ")$")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Invoices of the cooperative's ВРЕ, filtered by debtor, creditor, status."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    d = checksum(debtor) if debtor else None
    cr = checksum(creditor) if creditor else None
    return await mirror.respond(
        gw,
        ("obligations", d, cr, status, offset, limit),
        lambda c: units.list_obligations(c, charter, d, cr, status, offset, limit, chain_id=cid),
    )


@router.post(
    "/invoices/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 422),
)
def invoice_tx(gw: GatewayDep, caller: WriterDep, body: InvoiceCreate) -> TransactionToSign:
    """For a member: invoice another member in ВРЕ (a transaction from your wallet)."""
    fn = gw.units.contract.functions.issueObligation(
        checksum(body.debtor), int(body.amount), body.due_date, bytes32(body.document_hash)
    )
    return unsigned_tx(gw, fn, caller.address, "Выставить счёт в ВРЕ / Issue a ВРЕ invoice")


@router.post(
    "/invoices/{obligation_id}/acceptance/typed-data",
    response_model=amounts_as_strings(TypedDataToSign),
    responses=problem_responses(401, 403, 409, 422),
)
def acceptance_payload(
    gw: GatewayDep, caller: WriterDep, obligation_id: ObligationId, body: AcceptanceDraftCreate
) -> TypedDataToSign:
    """For the debtor: the EIP-712 acceptance of an invoice; no ETH needed."""
    info = gw.units.obligation(obligation_id)
    if info.status != ObligationStatus.ISSUED:
        raise Problem(
            409,
            f"Счёт {obligation_id} в состоянии {info.status.name}, а не ISSUED / Invoice "
            f"{obligation_id} is {info.status.name}, not ISSUED",
        )
    deadline = int(gw.chain.w3.eth.get_block("latest")["timestamp"]) + body.valid_for
    typed = gw.units.accept_typed_data(obligation_id, deadline)
    return TypedDataToSign(
        typed_data=typed,
        digest=typed_digest(typed),
        submit_to=f"/units/invoices/{obligation_id}/acceptance",
    )


@router.post(
    "/invoices/{obligation_id}/acceptance",
    response_model=amounts_as_strings(RelayPublic),
    status_code=202,
    dependencies=[RelayRateLimit],
    responses=problem_responses(401, 403, 422, 429),
)
def submit_acceptance(
    gw: GatewayDep, caller: WriterDep, obligation_id: ObligationId, body: AcceptanceCreate
) -> RelayPublic:
    """Relay the debtor's signed acceptance; the cooperative pays the gas."""
    fn = gw.units.contract.functions.acceptObligationWithSignature(
        obligation_id, body.deadline, bytes(HexBytes(body.signature))
    )
    return public(relay_call(gw, fn, kind="acceptance", account=caller.address))


@router.get(
    "/clearings",
    response_model=amounts_as_strings(Page[ClearingPublic]),
    responses=problem_responses(401, 503),
)
async def list_clearings(gw: GatewayDep, caller: CallerDep) -> Response:
    """Clearings applied to the cooperative's ВРЕ."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    return await mirror.respond(
        gw, ("clearings",), lambda c: units.list_clearings(c, charter, chain_id=cid)
    )


@router.post(
    "/clearings",
    response_model=amounts_as_strings(ClearingRunPublic),
    status_code=202,
    dependencies=[RelayRateLimit],
    responses=problem_responses(401, 403, 429),
)
def run_clearing_now(gw: GatewayDep, caller: WriterDep) -> ClearingRunPublic:
    """For the council, the chair or a cashier: plan the largest set-off of the open
    obligations and settle it from the relayer account, chunk by chunk."""
    if not caller.has("council", "chair", "cashier"):
        raise Problem(
            403,
            "Запустить взаимозачёт могут совет, председатель и кассир / Only the council, the "
            "chair and cashiers may run a clearing",
        )
    with relayer_lock(gw):  # the relayer key's single writer, across gateway processes
        report = run_clearing(gw.chain, gw.units.address, gw.relayer)
    for part in (report, *report["chunks"]):  # amounts as decimal strings (node.api.amounts)
        for key in REPORT_AMOUNTS & part.keys():
            if part[key] is not None:
                part[key] = str(part[key])
    relays = [
        public(track(gw, "clearing", caller.address, gw.units.address, chunk["tx"]))
        for chunk in report["chunks"]
        if chunk.get("tx")
    ]
    return ClearingRunPublic(report=report, relays=relays)
