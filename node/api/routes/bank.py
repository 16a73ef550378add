"""`/bank`: the cashier's screen. Statements in, proposed matches confirmed, payment orders out.

Who may call: the cooperative's cashiers (`Charter.isCashier`, read from the chain for the
signed-in address); auditors, the council and the chair may read the lines and orders. Everyone
else gets 403 before anything is read or written. The gateway holds no cashier key: the batch
that records confirmed payments on chain is returned unsigned for the cashier's own wallet, and
`POST /bank/sync` then takes what the chain recorded (the chain is the truth).
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from node.api.deps import Caller, CallerDep, GatewayDep, WriterDep
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.schemas import TransactionToSign
from node.api.txbuild import unsigned_tx
from node.bank import matching, settle, store
from node.bank.exchange import exchange_orders
from node.bank.formats import StatementError, format_amount

router = APIRouter(prefix="/bank", tags=["bank"])

#: A statement of 100,000 lines is about 60 MB in 1C format; the gateway's body limit applies
#: first, this one says so in Russian.
MAX_STATEMENT_BYTES = 64 * 1024 * 1024
STATUSES = ("new", "proposed", "queued", "confirmed", "recorded", "paid")

_migrated: set[int] = set()
_migrate_lock = threading.Lock()


def _engine(gw: Gateway) -> Engine:
    """The gateway's database, with the bank's tables brought up to date once per process."""
    engine = gw.engine
    with _migrate_lock:
        if id(engine) not in _migrated:
            store.migrate(engine)
            _migrated.add(id(engine))
    return engine


def _require_cashier(caller: Caller) -> None:
    if not caller.has("cashier"):
        raise Problem(
            403, "Только кассир кооператива / Only a cashier of the cooperative may do this"
        )


def _require_reader(caller: Caller) -> None:
    if not caller.has("cashier", "auditor", "council", "chair"):
        raise Problem(
            403,
            "Выписки видят кассир, ревизор, совет и председатель / Only cashiers, auditors, "
            "the council and the chair may read bank lines",
        )


def _bank(gw: Gateway) -> settle.ChainBank:
    engine = _engine(gw)
    address = gw.module_address("bank_settlements")
    if address is None:
        known = store.contracts(engine)
        if known is None or known[0] != gw.coop.addresses.charter:
            raise Problem(503, "BankSettlements не установлен / BankSettlements is not installed")
        address = known[1]
    try:
        return settle.ChainBank(gw.chain, gw.coop.addresses.charter, address)
    except settle.BankChainError as exc:
        raise Problem(503, str(exc)) from exc


class ImportPublic(BaseModel):
    lines: int
    new_lines: int
    already_imported: bool


class LinePublic(BaseModel):
    id: int
    line_hash: str
    incoming: bool
    booked: str
    amount: str
    """Rubles, `1100.00`."""
    payer_name: str
    payer_inn: str
    purpose: str
    status: str
    reason: str | None
    match_purpose: str | None
    match_account: str | None
    match_ref: str | None


class ConfirmCreate(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=settle.BATCH)


class SyncPublic(BaseModel):
    recorded: int
    closed: int


class MatchPublic(BaseModel):
    proposed: int
    queued: int
    orders_paid: int


@router.post(
    "/statements", response_model=ImportPublic, responses=problem_responses(401, 403, 413, 422)
)
async def import_statement(request: Request, gw: GatewayDep, caller: WriterDep) -> ImportPublic:
    """Import a statement file (the raw bytes: 1C «Клиент-банк» or camt.053). A malformed file
    is refused with its line number and imports nothing; the same file twice changes nothing."""
    _require_cashier(caller)
    data = await request.body()
    if len(data) > MAX_STATEMENT_BYTES:
        raise Problem(413, "Файл выписки слишком велик / Statement file too large")

    def run() -> ImportPublic:
        try:
            result = store.import_file(_engine(gw), data)
        except StatementError as exc:
            raise Problem(422, str(exc)) from exc
        return ImportPublic(
            lines=result.lines, new_lines=result.new_lines, already_imported=result.already_imported
        )

    return await run_in_threadpool(run)


@router.post("/match", response_model=MatchPublic, responses=problem_responses(401, 403, 503))
async def match_lines(gw: GatewayDep, caller: WriterDep) -> MatchPublic:
    """Propose what each new payment pays; tie outgoing lines to their payment orders."""
    _require_cashier(caller)

    def run() -> MatchPublic:
        bank = _bank(gw)
        engine = _engine(gw)
        orders = exchange_orders(engine, bank.scale)
        counts = matching.match_pending(engine, bank.directory(), orders)
        paid = settle.match_outgoing(engine)
        return MatchPublic(
            proposed=counts["proposed"],
            queued=counts["queued"] + paid["queued"],
            orders_paid=paid["paid"],
        )

    return await run_in_threadpool(run)


@router.get("/lines", response_model=list[LinePublic], responses=problem_responses(401, 403))
async def list_lines(
    gw: GatewayDep,
    caller: CallerDep,
    status: Annotated[str, Query(pattern="^(" + "|".join(STATUSES) + ")$")] = "proposed",
) -> list[LinePublic]:
    """The lines with one status: `proposed` is the cashier's screen, `queued` the waiting list
    (each with its reason)."""
    _require_reader(caller)

    def run() -> list[LinePublic]:
        rows = matching.lines_by_status(_engine(gw), status)
        return [_line(r) for r in rows]

    return await run_in_threadpool(run)


def _line(r: Any) -> LinePublic:
    return LinePublic(
        id=r.id,
        line_hash=r.line_hash,
        incoming=r.incoming,
        booked=r.booked,
        amount=format_amount(int(r.amount)),
        payer_name=r.payer_name,
        payer_inn=r.payer_inn,
        purpose=r.purpose,
        status=r.status,
        reason=r.reason,
        match_purpose=r.match_purpose,
        match_account=r.match_account,
        match_ref=r.match_ref,
    )


@router.post(
    "/confirm", response_model=TransactionToSign, responses=problem_responses(401, 403, 409, 422)
)
async def confirm_lines(
    gw: GatewayDep, caller: WriterDep, body: ConfirmCreate
) -> TransactionToSign:
    """Confirm proposed matches and get the one transaction that records them on chain, for the
    cashier's wallet (simulated first: a refusal is a 422 with the contract's error)."""
    _require_cashier(caller)

    def run() -> TransactionToSign:
        bank = _bank(gw)
        engine = _engine(gw)
        matching.confirm(engine, body.ids)
        items = bank.pending_incoming(engine, caller.address)
        if not items:
            raise Problem(409, "Нечего записывать: нет подтверждённых строк / Nothing confirmed")
        fn = bank.settlements.functions.recordIncoming(items[: settle.BATCH])
        return unsigned_tx(
            gw,
            fn,
            caller.address,
            f"Записать {min(len(items), settle.BATCH)} банковских платежей / Record bank payments",
        )

    return await run_in_threadpool(run)


@router.post(
    "/close", response_model=TransactionToSign, responses=problem_responses(401, 403, 409, 422)
)
async def close_orders(gw: GatewayDep, caller: WriterDep) -> TransactionToSign:
    """The transaction closing on chain the owed amounts a statement shows paid."""
    _require_cashier(caller)

    def run() -> TransactionToSign:
        bank = _bank(gw)
        items = bank.pending_outgoing(_engine(gw))
        if not items:
            raise Problem(409, "Нет оплаченных поручений / No paid orders to close")
        fn = bank.settlements.functions.recordOutgoing(items[: settle.BATCH])
        return unsigned_tx(gw, fn, caller.address, "Закрыть оплаченные обязательства")

    return await run_in_threadpool(run)


@router.post("/sync", response_model=SyncPublic, responses=problem_responses(401, 403, 503))
async def sync(gw: GatewayDep, caller: WriterDep) -> SyncPublic:
    """Take what the chain recorded (after the cashier's wallet sent the transaction)."""
    _require_cashier(caller)

    def run() -> SyncPublic:
        recorded, closed = _bank(gw).sync(_engine(gw))
        return SyncPublic(recorded=recorded, closed=closed)

    return await run_in_threadpool(run)


class ReferencePublic(BaseModel):
    code: str
    """ВЗН, ПАЙ, ФВП, ЗАЙМ, БИР."""
    reference: str
    """What to write in the purpose of the transfer (ЗАЙМ / БИР add `-<loan or order number>`)."""


class ReferencesPublic(BaseModel):
    index: int
    """The member index (`Membership.memberIndexOf`); 0 before the first application."""
    references: list[ReferencePublic]


@router.get("/references", response_model=ReferencesPublic, responses=problem_responses(401))
async def my_references(gw: GatewayDep, caller: CallerDep) -> ReferencesPublic:
    """The payment references the signed-in member quotes in a bank transfer's purpose, so that
    the cashier's matching finds what the payment pays. Only one's own."""

    def run() -> ReferencesPublic:
        index = int(gw.coop.membership.functions.memberIndexOf(caller.address).call())
        if index == 0:
            return ReferencesPublic(index=0, references=[])
        return ReferencesPublic(
            index=index,
            references=[
                ReferencePublic(code=code, reference=matching.reference(index, purpose))
                for code, purpose in matching.CODES.items()
            ],
        )

    return await run_in_threadpool(run)
