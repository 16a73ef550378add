"""The member's own forms: what blocks my exit (asked of the contracts themselves), paying,
rejecting and cancelling ВРЕ invoices outside the exchange, and the decisions that concern me.

Exit: `Membership.requestExit` refuses while any obligation source (the ВРЕ, the mutual-aid fund)
says `hasOpenObligations`: a negative ВРЕ balance or an accepted invoice either way, an open loan
or a guarantee (pledge). `GET /members/{address}/exit-check` asks every source, lists the
member's open invoices and loans from the mirror, and simulates `requestExit` from the member so
that the answer is the contract's own (`MembershipOpenObligations(account, source)`, a wrong
status), before the member signs anything.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel
from web3.exceptions import ContractCustomError, ContractLogicError

from indexer.models import DecisionPublic
from indexer.queries import fund as fund_queries
from indexer.queries import governance
from indexer.queries import units as units_queries
from indexer.queries.common import NotFound, Page
from node.api import mirror
from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, WriterDep, require_self_or
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.schemas import ADDRESS_PATTERN, TransactionToSign, Uint
from node.api.txbuild import unsigned_tx
from node.chain.client import checksum

router = APIRouter(tags=["members"])

AddressPath = Annotated[str, Path(pattern=ADDRESS_PATTERN, description="EVM address")]
ObligationId = Annotated[int, Path(ge=1, lt=2**64)]
#: A hash that is not an application: the simulation only asks whether the contract would refuse.
_PROBE = b"\x01" * 32


class ExitBlocker(BaseModel):
    source: str
    """The obligation source's address."""
    kind: str
    """settlement_units, mutual_aid_fund, other."""
    blocks: bool


class ExitCheckPublic(BaseModel):
    can_request: bool
    error: str | None
    """The custom error `requestExit` would revert with (None: it would pass)."""
    reason_ru: str | None
    reason_en: str | None
    sources: list[ExitBlocker]
    units_balance: int
    """The member's ВРЕ balance (negative: a debt that blocks the exit)."""
    open_invoices: list[int]
    """Accepted ВРЕ invoices the member owes or is owed (each blocks until paid, cleared or
    cancelled)."""
    open_loans: list[int]
    """Mutual-aid loans of the member not yet repaid."""


class PaymentCreate(BaseModel):
    amount: Uint
    """ВРЕ units (smallest unit), at most what is outstanding."""


def _kind(gw: Gateway, source: str) -> str:
    if source == gw.units.address:
        return "settlement_units"
    fund = gw.fund()
    if fund is not None and source == fund.address:
        return "mutual_aid_fund"
    return "other"


_REASONS = {
    "settlement_units": (
        "долг в ВРЕ или принятый счёт (оплатите, дождитесь взаимозачёта или попросите отменить)",
        "a ВРЕ debt or an accepted invoice (pay it, wait for the clearing or ask to cancel)",
    ),
    "mutual_aid_fund": (
        "непогашенный заём или поручительство в кассе взаимопомощи",
        "an unpaid loan or a guarantee in the mutual-aid fund",
    ),
    "other": ("открытое обязательство", "an open obligation"),
}


@router.get(
    "/members/{address}/exit-check",
    response_model=amounts_as_strings(ExitCheckPublic),
    responses=problem_responses(401, 403),
)
def exit_check(gw: GatewayDep, caller: CallerDep, address: AddressPath) -> ExitCheckPublic:
    """What blocks the member's exit now, as the contracts answer (the member and the council)."""
    require_self_or(caller, address, "council", "chair")
    who = checksum(address)
    membership = gw.coop.membership
    sources = [checksum(s) for s in membership.functions.obligationSources().call()]
    blockers = [
        ExitBlocker(
            source=s,
            kind=_kind(gw, s),
            blocks=bool(
                gw.chain.contract("IObligationSource", s).functions.hasOpenObligations(who).call()
            ),
        )
        for s in sources
    ]
    error: str | None = None
    reason: tuple[str, str] | None = None
    try:
        membership.functions.requestExit(_PROBE).call({"from": who})
    except (ContractCustomError, ContractLogicError) as exc:
        decoded = gw.chain.decode_revert(exc)
        error = decoded.error
        if error == "MembershipOpenObligations":
            kind = _kind(gw, checksum(str(decoded.error_args[1])))
            ru, en = _REASONS[kind]
            reason = (f"Выход невозможен: {ru}", f"Exit is blocked: {en}")
        elif error == "MembershipWrongStatus":
            reason = (
                "Заявление о выходе подаёт действующий пайщик (заявление уже подано или вы не "
                "пайщик)",
                "Only an active member applies to leave (already applied, or not a member)",
            )
        else:
            reason = (f"Контракт отклонил: {error}", f"The contract refused: {error}")
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    try:
        invoices, loans = _open_items(gw, who, charter, cid)
    except NotFound as exc:
        raise mirror.not_indexed() from exc
    return ExitCheckPublic(
        can_request=error is None,
        error=error,
        reason_ru=reason[0] if reason else None,
        reason_en=reason[1] if reason else None,
        sources=blockers,
        units_balance=gw.units.signed_balance(who),
        open_invoices=invoices,
        open_loans=loans,
    )


def _open_items(gw: Gateway, who: str, charter: str, cid: int) -> tuple[list[int], list[int]]:
    """The member's accepted ВРЕ invoices (either side) and unpaid loans, from the mirror."""
    with gw.engine.connect() as conn:
        invoices = [
            o.obligation_id
            for side in ("debtor", "creditor")
            for o in units_queries.list_obligations(
                conn,
                charter,
                **{side: who},  # type: ignore[arg-type]
                status="accepted",
                limit=500,
                chain_id=cid,
            ).data
        ]
        loans: list[int] = []
        fund = gw.fund()
        if fund is not None:
            loans = [
                loan.loan_id
                for loan in fund_queries.list_loans(
                    conn, fund.address, who, None, 0, 500, chain_id=cid
                ).data
                if int(loan.outstanding) > 0
            ]
    return sorted(set(invoices)), loans


@router.get(
    "/members/{address}/decisions",
    response_model=amounts_as_strings(Page[DecisionPublic]),
    responses=problem_responses(401, 403, 503),
)
async def my_decisions(gw: GatewayDep, caller: CallerDep, address: AddressPath) -> Response:
    """Council items and meeting questions whose actions name the member, and the meetings they
    voted in (the member, the council and the auditors)."""
    require_self_or(caller, address, "council", "chair", "auditor")
    who, charter, cid = checksum(address), gw.coop.addresses.charter, gw.chain_id
    return await mirror.respond(
        gw, ("decisions", who), lambda c: governance.decisions_of(c, who, charter, chain_id=cid)
    )


def _invoice_tx(gw: Gateway, caller: str, fn_name: str, *args: int, what: str) -> TransactionToSign:
    fn = getattr(gw.units.contract.functions, fn_name)(*args)
    return unsigned_tx(gw, fn, caller, what)


@router.post(
    "/units/invoices/{obligation_id}/payment/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 422),
)
def payment_tx(
    gw: GatewayDep, caller: WriterDep, obligation_id: ObligationId, body: PaymentCreate
) -> TransactionToSign:
    """For the debtor: pay an accepted invoice in ВРЕ, in full or in part (your transaction)."""
    amount = int(body.amount)
    if amount <= 0 or amount >= 2**128:
        raise Problem(
            422,
            "Сумма должна быть больше нуля и меньше 2^128 / The amount must be above zero and "
            "below 2^128",
        )
    return _invoice_tx(
        gw,
        caller.address,
        "payObligation",
        obligation_id,
        amount,
        what="Оплатить счёт в ВРЕ / Pay a ВРЕ invoice",
    )


@router.post(
    "/units/invoices/{obligation_id}/rejection/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 422),
)
def rejection_tx(
    gw: GatewayDep, caller: WriterDep, obligation_id: ObligationId
) -> TransactionToSign:
    """For the debtor: reject an invoice not yet accepted."""
    return _invoice_tx(
        gw,
        caller.address,
        "rejectObligation",
        obligation_id,
        what="Отклонить счёт / Reject the invoice",
    )


@router.post(
    "/units/invoices/{obligation_id}/cancellation/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 422),
)
def cancellation_tx(
    gw: GatewayDep, caller: WriterDep, obligation_id: ObligationId
) -> TransactionToSign:
    """For the creditor: cancel an invoice (waives what is outstanding)."""
    return _invoice_tx(
        gw,
        caller.address,
        "cancelObligation",
        obligation_id,
        what="Отменить счёт (долг прощается) / Cancel the invoice (the debt is waived)",
    )
