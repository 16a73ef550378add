"""The mutual-aid fund (касса взаимопомощи): the pool and members' positions, loans with their
repayment schedule and history (from the mirror), and the member's own actions as transactions
to sign: approve the fund to pull the payment token, contribute, withdraw, request a loan,
accept a guarantee, repay, cancel a request.

Amounts are in the payment token's smallest units, as decimal strings (see node.api.amounts).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.engine import Connection

from indexer.models import LOAN_STATE, BlockRef, EventRef, FundPositionsPublic, LoanPublic
from indexer.queries import fund as fund_queries
from indexer.queries.common import Page
from node.api import mirror
from node.api.amounts import AmountIn, AmountOut, amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, WriterDep
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.schemas import ADDRESS_PATTERN, Address, Hash32, TransactionToSign
from node.api.txbuild import bytes32, unsigned_tx
from node.chain.client import checksum
from node.fund.client import MutualAidFund

router = APIRouter(prefix="/fund", tags=["fund"])

LoanId = Annotated[int, Path(ge=0, lt=2**63, description="Loan number")]
AddressPath = Annotated[str, Path(pattern=ADDRESS_PATTERN, description="EVM address")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=500)]
LoanStateQuery = Annotated[
    str | None,
    Query(
        pattern="^(" + "|".join(LOAN_STATE[1:]) + ")$",
        description="Loan state (`overdue` is derived from time: the mirror never lists it)",
    ),
]
MAX_UINT112 = 2**112 - 1


def _no_fund() -> Problem:
    return Problem(
        404,
        "У кооператива нет кассы взаимопомощи (в записи развёртывания нет mutual_aid_fund) "
        "/ The cooperative has no mutual-aid fund (no mutual_aid_fund in the deployment "
        "record)",
    )


def _fund_address(gw: Gateway) -> str:
    """The fund's address (no chain access: safe on the event loop)."""
    address = gw.module_address("mutual_aid_fund")
    if address is None:
        raise _no_fund()
    return address


def _fund(gw: Gateway) -> MutualAidFund:
    """The fund's client (its first use reads the payment token from the chain)."""
    fund = gw.fund()
    if fund is None:
        raise _no_fund()
    return fund


class InstalmentPublic(BaseModel):
    index: int
    """1-based."""
    cumulative_due: AmountOut
    """What must have been paid (principal and interest) by the end of this instalment."""
    due_at: int
    """Unix seconds (0 until the loan is disbursed)."""


class LoanEventOut(BaseModel):
    loan_id: int
    action: str
    """requested, guarantee_accepted, approved, disbursed, repaid, ... (the event)."""
    actor: str | None
    amount: AmountOut
    status: int
    state_name: str
    repaid: AmountOut
    """Total repaid after the event."""
    decision: str | None
    event: EventRef


class LoanDetail(BaseModel):
    """One loan (`loan(id)` as the mirror has it), its repayment schedule and its history."""

    loan: amounts_as_strings(LoanPublic)  # type: ignore[valid-type]
    schedule: list[InstalmentPublic]
    history: list[LoanEventOut]
    as_of: BlockRef


def _schedule(fund: MutualAidFund, loan: LoanPublic) -> list[InstalmentPublic]:
    """The contract's `instalmentDue(id, i)` for every instalment: computed like the contract
    for equal instalments, read from the chain for a custom split (not in the mirror)."""
    n = loan.instalments
    out = []
    for i in range(1, n + 1):
        if loan.custom_schedule:
            due, at = fund.instalment_due(loan.loan_id, i)
        else:
            principal_due = loan.principal * i // n
            interest_due = loan.interest * principal_due // loan.principal if loan.principal else 0
            due = principal_due + interest_due
            at = loan.disbursed_at + loan.term * i // n if loan.disbursed_at else 0
        out.append(InstalmentPublic(index=i, cumulative_due=due, due_at=at))
    return out


# -- reads ---------------------------------------------------------------------------------------


@router.get(
    "",
    response_model=amounts_as_strings(FundPositionsPublic),
    responses=problem_responses(401, 404, 503),
)
async def fund_overview(gw: GatewayDep, caller: CallerDep) -> Response:
    """The pool (cash, lent principal, units) and every member's position from the mirror:
    units, what they are worth at the book value (cash + lent), net contributions. What a
    member could withdraw now (the exit value, lower while a loan is marked down) is
    `GET /fund/members/{address}/position`; the pool's entry and exit values are
    `GET /fund/valuation`."""
    fund, cid = _fund_address(gw), gw.chain_id
    return await mirror.respond(
        gw, ("fund", fund), lambda c: fund_queries.fund_positions(c, fund, chain_id=cid)
    )


class PaymentTokenPublic(BaseModel):
    """The ERC-20 the fund takes and lends (amounts of `/fund/...` are in its smallest units)."""

    address: str
    symbol: str
    decimals: int


@router.get(
    "/token",
    response_model=PaymentTokenPublic,
    responses=problem_responses(401, 404),
)
async def payment_token(gw: GatewayDep, caller: CallerDep) -> PaymentTokenPublic:
    """The fund's payment token: address, symbol and decimals (read from the chain)."""
    _fund_address(gw)

    def read() -> PaymentTokenPublic:
        token = _fund(gw).token
        return PaymentTokenPublic(
            address=checksum(token.address),
            symbol=str(token.functions.symbol().call()),
            decimals=int(token.functions.decimals().call()),
        )

    return await run_in_threadpool(read)


@router.get(
    "/loans",
    response_model=amounts_as_strings(Page[LoanPublic]),
    responses=problem_responses(401, 404, 503),
)
async def list_loans(
    gw: GatewayDep,
    caller: CallerDep,
    borrower: Annotated[str | None, Query(pattern=ADDRESS_PATTERN)] = None,
    state: LoanStateQuery = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Response:
    """Loans of the fund, filtered by borrower and state, paginated (oldest first)."""
    fund, cid = _fund_address(gw), gw.chain_id
    who = checksum(borrower) if borrower else None
    return await mirror.respond(
        gw,
        ("loans", fund, who, state, offset, limit),
        lambda c: fund_queries.list_loans(c, fund, who, state, offset, limit, chain_id=cid),
    )


@router.get(
    "/loans/{loan_id}",
    response_model=LoanDetail,
    responses=problem_responses(401, 404, 503),
)
async def get_loan(gw: GatewayDep, caller: CallerDep, loan_id: LoanId) -> Response:
    """One loan with its repayment schedule (`instalmentDue`) and every event of its life."""
    fund, cid = _fund_address(gw), gw.chain_id

    def compute(c: Connection) -> LoanDetail:  # in the thread pool
        loan = fund_queries.get_loan(c, fund, loan_id, chain_id=cid)
        if loan is None:
            raise Problem(404, f"Займа {loan_id} нет / No loan {loan_id}")
        history = fund_queries.loan_history(c, fund, loan_id, chain_id=cid)
        return LoanDetail(
            loan=loan.model_dump(),
            schedule=_schedule(_fund(gw), loan),
            history=[LoanEventOut.model_validate(e.model_dump()) for e in history.data],
            as_of=history.as_of,
        )

    return await mirror.respond(gw, ("loan", fund, loan_id), compute)


@router.get(
    "/members/{address}/loans",
    response_model=amounts_as_strings(Page[LoanPublic]),
    responses=problem_responses(401, 404, 503),
)
async def member_loans(
    gw: GatewayDep,
    caller: CallerDep,
    address: AddressPath,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Response:
    """The loans a member borrowed (after key recoveries, by their current address)."""
    fund, cid, who = _fund_address(gw), gw.chain_id, checksum(address)
    return await mirror.respond(
        gw,
        ("loans", fund, who, None, offset, limit),
        lambda c: fund_queries.list_loans(c, fund, who, None, offset, limit, chain_id=cid),
    )


class PositionPublic(BaseModel):
    """`positionOf(member)` read from the chain now (what a withdrawal may take)."""

    account: str
    units: AmountOut
    balance: AmountOut
    pledged: AmountOut
    borrowed: AmountOut
    locked_for_loans: AmountOut
    withdrawable: AmountOut
    open_loans: int
    open_pledges: int
    max_loan: AmountOut
    """`maxLoanFor(member)`: the largest loan the rules would approve now."""


@router.get(
    "/members/{address}/position",
    response_model=PositionPublic,
    responses=problem_responses(401, 404),
)
async def member_position(
    gw: GatewayDep, caller: CallerDep, address: AddressPath
) -> PositionPublic:
    """A member's position in the fund from the chain: balance, pledges, loans, what may be
    withdrawn and borrowed now."""
    _fund_address(gw)
    who = checksum(address)

    def read() -> PositionPublic:
        fund = _fund(gw)
        p = fund.position(who)
        return PositionPublic(
            account=who,
            units=p.units,
            balance=p.balance,
            pledged=p.pledged,
            borrowed=p.borrowed,
            locked_for_loans=p.locked_for_loans,
            withdrawable=p.withdrawable,
            open_loans=p.open_loans,
            open_pledges=p.open_pledges,
            max_loan=fund.max_loan_for(who),
        )

    return await run_in_threadpool(read)


class ValuationPublic(BaseModel):
    """`valuation()` read from the chain now: contributions buy units at `entry_value`,
    withdrawals sell them at `exit_value` (docs/fund-and-property.md, "Entry and exit
    values")."""

    entry_value: AmountOut
    """Cash + lent principal + pending interest."""
    exit_value: AmountOut
    """Cash + lent principal - marked-down principal."""
    pending_interest: AmountOut
    impaired: AmountOut
    """Unpaid principal of the loans marked down (overdue or defaulted)."""
    review_by: int
    """Unix seconds after which a withdrawal needs `POST /fund/review/tx` first."""
    review_due: bool
    open_loans: int


@router.get("/valuation", response_model=ValuationPublic, responses=problem_responses(401, 404))
async def fund_valuation(gw: GatewayDep, caller: CallerDep) -> ValuationPublic:
    """The pool's entry and exit values, pending interest, marked-down principal and whether a
    withdrawal needs a review of the loans first."""
    _fund_address(gw)

    def read() -> ValuationPublic:
        fund = _fund(gw)
        v = fund.valuation()
        return ValuationPublic(
            entry_value=v.entry_value,
            exit_value=v.exit_value,
            pending_interest=v.pending_interest,
            impaired=v.impaired,
            review_by=v.review_by,
            review_due=fund.review_due(),
            open_loans=v.open_loans,
        )

    return await run_in_threadpool(read)


# -- transactions to sign ------------------------------------------------------------------------


class AmountCreate(BaseModel):
    amount: AmountIn
    """In the payment token's smallest units."""


class LoanCreate(BaseModel):
    """`IMutualAidFund.LoanRequest`."""

    amount: AmountIn
    term: int = Field(ge=1, lt=2**32)
    """Seconds from disbursement to the last instalment."""
    instalments: int = Field(default=1, ge=1, le=255)
    purpose: Hash32
    """SHA-256 of the document stating the loan's purpose."""
    schedule: list[AmountIn] = Field(default_factory=list, max_length=255)
    """Principal per instalment (empty: equal instalments); sums to `amount`."""
    guarantors: list[Address] = Field(default_factory=list, max_length=8)
    pledges: list[AmountIn] = Field(default_factory=list, max_length=8)
    """What each guarantor pledges from their own balance."""

    @model_validator(mode="after")
    def _consistent(self) -> LoanCreate:
        if self.amount == 0 or self.amount > MAX_UINT112:
            raise ValueError("amount: between 1 and 2**112 - 1")
        if self.term < self.instalments:
            raise ValueError("term: at least one second per instalment")
        if self.schedule and (
            len(self.schedule) != self.instalments or sum(self.schedule) != self.amount
        ):
            raise ValueError("schedule: one amount per instalment, summing to amount")
        if len(self.pledges) != len(self.guarantors):
            raise ValueError("pledges: one per guarantor")
        if len({g.lower() for g in self.guarantors}) != len(self.guarantors):
            raise ValueError("guarantors: each at most once")
        return self


@router.post(
    "/approval/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def approval_tx(gw: GatewayDep, caller: WriterDep, body: AmountCreate) -> TransactionToSign:
    """Let the fund pull up to `amount` of the payment token from your wallet (needed once
    before contributing)."""
    fund = _fund(gw)
    fn = fund.token.functions.approve(fund.address, body.amount)
    return unsigned_tx(
        gw,
        fn,
        caller.address,
        "Разрешить кассе списать взнос / Allow the fund to collect the contribution",
    )


@router.post(
    "/contributions/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def contribution_tx(gw: GatewayDep, caller: WriterDep, body: AmountCreate) -> TransactionToSign:
    """For an active member: contribute to the fund (buys pool units)."""
    fund = _fund(gw)
    fn = fund.contract.functions.contribute(body.amount)
    return unsigned_tx(
        gw, fn, caller.address, "Взнос в кассу взаимопомощи / Contribute to the mutual-aid fund"
    )


@router.post(
    "/withdrawals/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def withdrawal_tx(gw: GatewayDep, caller: WriterDep, body: AmountCreate) -> TransactionToSign:
    """Withdraw from your free balance at the exit value (only the fund's cash, not what is
    lent out). Refused with `MutualAidFundReviewDue` when a due time of an open loan passed
    since the last review: sign `POST /fund/review/tx` first."""
    fund = _fund(gw)
    fn = fund.contract.functions.withdraw(body.amount)
    return unsigned_tx(
        gw, fn, caller.address, "Вывод из кассы взаимопомощи / Withdraw from the mutual-aid fund"
    )


@router.post(
    "/review/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def review_tx(gw: GatewayDep, caller: WriterDep) -> TransactionToSign:
    """For anyone: bring the fund's view of its loans up to date (`review` with every open
    loan, read from the chain now), so that overdue loans are marked down and withdrawals may
    go ahead."""
    fund = _fund(gw)
    fn = fund.contract.functions.review(fund.open_loan_ids())
    return unsigned_tx(
        gw,
        fn,
        caller.address,
        "Пересмотр займов кассы взаимопомощи / Review the mutual-aid fund's loans",
    )


@router.post(
    "/loans/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def loan_request_tx(gw: GatewayDep, caller: WriterDep, body: LoanCreate) -> TransactionToSign:
    """For an active member: request a loan (the council approves it by a decision)."""
    fund = _fund(gw)
    request = (
        body.amount,
        body.term,
        body.instalments,
        bytes32(body.purpose),
        list(body.schedule),
        [checksum(g) for g in body.guarantors],
        list(body.pledges),
    )
    fn = fund.contract.functions.requestLoan(request)
    return unsigned_tx(gw, fn, caller.address, "Заявка на заём / Request a loan")


@router.post(
    "/loans/{loan_id}/guarantee/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def guarantee_tx(gw: GatewayDep, caller: WriterDep, loan_id: LoanId) -> TransactionToSign:
    """For a named guarantor: accept the guarantee (locks your pledge)."""
    fund = _fund(gw)
    fn = fund.contract.functions.acceptGuarantee(loan_id)
    return unsigned_tx(gw, fn, caller.address, "Принять поручительство / Accept the guarantee")


@router.post(
    "/loans/{loan_id}/repayments/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def repayment_tx(
    gw: GatewayDep, caller: WriterDep, loan_id: LoanId, body: AmountCreate
) -> TransactionToSign:
    """For the borrower or an accepted guarantor: repay (never more than is owed). Approve the
    fund for the amount first (`POST /fund/approval/tx`)."""
    fund = _fund(gw)
    fn = fund.contract.functions.repay(loan_id, body.amount)
    return unsigned_tx(gw, fn, caller.address, "Погашение займа / Repay the loan")


@router.post(
    "/loans/{loan_id}/cancellation/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def cancellation_tx(gw: GatewayDep, caller: WriterDep, loan_id: LoanId) -> TransactionToSign:
    """For the borrower: withdraw a request not yet approved."""
    fund = _fund(gw)
    fn = fund.contract.functions.cancelLoan(loan_id)
    return unsigned_tx(gw, fn, caller.address, "Отозвать заявку на заём / Cancel the request")
