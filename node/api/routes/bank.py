"""`/bank`: the cashier's screen. Statements in, proposed matches confirmed, payment orders out.

Who may call: the cooperative's cashiers (`Charter.isCashier`, read from the chain for the
signed-in address); auditors, the council and the chair may read the lines and orders. Everyone
else gets 403 before anything is read or written. The gateway holds no cashier key: the batch
that records confirmed payments on chain is returned unsigned for the cashier's own wallet, and
`POST /bank/sync` then takes what the chain recorded (the chain is the truth).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from node.api.deps import Caller, CallerDep, GatewayDep, WriterDep
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.schemas import TransactionToSign
from node.api.txbuild import unsigned_tx
from node.bank import ledger, loans, matching, refunds, reports, settle, store
from node.bank.exchange import exchange_orders
from node.bank.formats import (
    Party,
    StatementError,
    account_key_valid,
    format_amount,
    inn_valid,
)
from node.chain.client import checksum

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
        orders = exchange_orders(engine, bank.scale, bank.charter.address)
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


# -- payment orders, closing, the books and reports, refund details, the ruble loan book ------


class OrderPublic(BaseModel):
    id: int
    number: str
    kind: str
    """exit-refund | loan | payout."""
    account: str
    amount: str
    """Rubles, `1100.00`."""
    decision: str
    status: str
    """issued -> paid (a statement line shows it) -> closed (on chain)."""
    due: str | None
    payee_name: str
    payee_account: str
    """The cashier sees it whole; everyone else the last four digits (personal data)."""
    payee_bik: str
    purpose: str
    line_hash: str | None
    tx_hash: str | None


class IssuedPublic(BaseModel):
    created: list[int]
    skipped: list[str]
    """Members owed a refund who gave no bank details and paid nothing by bank: no order."""


class Ours(BaseModel):
    """The cooperative's own account, the payer of the orders."""

    name: str = Field(min_length=2, max_length=160)
    inn: str = Field(pattern=r"^\d{10}$")
    kpp: str = Field(default="", pattern=r"^(\d{9})?$")
    account: str = Field(pattern=r"^\d{20}$")
    bik: str = Field(pattern=r"^\d{9}$")


class LedgerPublic(BaseModel):
    entries: int


class RefundCreate(BaseModel):
    name: str = Field(max_length=200)
    account: str = Field(max_length=40)
    bik: str = Field(max_length=20)
    inn: str = Field(default="", max_length=20)
    application_hash: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{64}$")
    """The exit application these details belong to."""


class RefundPublic(BaseModel):
    name: str
    account: str
    bik: str
    inn: str
    sha256: str
    """SHA-256 of the salted canonical details: what the exit application may quote."""


class RubleLoanPublic(BaseModel):
    loan_id: int
    borrower: str
    principal: str
    repaid: str
    outstanding: str
    due: str | None
    state: str
    """approved | outstanding | overdue | repaid (as the fund's token loans)."""
    decision: str
    disbursed_line: str | None
    reference: str | None
    """What the borrower writes in a repayment's purpose."""


class FundRublesPublic(BaseModel):
    contributed: str
    lent: str
    repaid: str
    outstanding: str
    cash: str


class LoanBookPublic(BaseModel):
    loans: list[RubleLoanPublic]
    totals: FundRublesPublic
    """The fund's ruble totals from chain facts (the whole fund, whoever asks)."""


def _mask(account: str) -> str:
    return "•" * 16 + account[-4:]


def _order(r: Any, cashier: bool) -> OrderPublic:
    return OrderPublic(
        id=r.id,
        number=r.number,
        kind=r.kind,
        account=r.account,
        amount=format_amount(int(r.amount)),
        decision=r.decision,
        status=r.status,
        due=r.due,
        payee_name=r.payee_name if cashier else r.payee_name[:1] + "…",
        payee_account=r.payee_account if cashier else _mask(r.payee_account),
        payee_bik=r.payee_bik,
        purpose=r.purpose,
        line_hash=r.line_hash,
        tx_hash=r.tx_hash,
    )


@router.get("/orders", response_model=list[OrderPublic], responses=problem_responses(401, 403))
async def list_orders(
    gw: GatewayDep,
    caller: CallerDep,
    status: Annotated[str | None, Query(pattern="^(issued|paid|closed)$")] = None,
) -> list[OrderPublic]:
    """Payment orders (refunds on exit, payouts and loans by decision) and how far each went."""
    _require_reader(caller)

    def run() -> list[OrderPublic]:
        return [_order(r, caller.has("cashier")) for r in settle.orders(_engine(gw), status)]

    return await run_in_threadpool(run)


@router.post("/orders", response_model=IssuedPublic, responses=problem_responses(401, 403, 503))
async def issue(gw: GatewayDep, caller: WriterDep) -> IssuedPublic:
    """Create a payment order for every share refund owed in rubles that has none; the payee
    is the bank details the exit application carried, else the account the member paid from."""
    _require_cashier(caller)

    def run() -> IssuedPublic:
        bank = _bank(gw)
        engine = _engine(gw)
        owed = bank.owed_exits()
        known = refunds.payees(engine, gw.keyring, sorted({o.account for o in owed}))
        created, skipped = settle.issue_orders(engine, owed, payee_override=known)
        return IssuedPublic(created=created, skipped=skipped)

    return await run_in_threadpool(run)


@router.post("/orders/file", responses=problem_responses(401, 403, 409, 422))
async def orders_file(gw: GatewayDep, caller: WriterDep, body: Ours) -> Response:
    """The issued orders as a 1C «Клиент-банк» file (windows-1251) for the bank client."""
    _require_cashier(caller)
    if not inn_valid(body.inn):
        raise Problem(422, "ИНН кооператива: неверные контрольные цифры / bad ИНН")
    if not account_key_valid(body.account, body.bik):
        raise Problem(422, "Счёт не сходится с БИК по контрольному ключу / account key mismatch")

    def run() -> bytes:
        engine = _engine(gw)
        if not settle.orders(engine, "issued"):
            raise Problem(409, "Нет неоплаченных поручений / No issued orders")
        ours = Party(name=body.name, inn=body.inn, kpp=body.kpp, account=body.account, bik=body.bik)
        return settle.export_orders(engine, ours)

    data = await run_in_threadpool(run)
    return Response(
        data,
        media_type="text/plain; charset=windows-1251",
        headers={"Content-Disposition": 'attachment; filename="kl_to_1c.txt"'},
    )


@router.post("/ledger", response_model=LedgerPublic, responses=problem_responses(401, 403, 503))
async def rebuild_ledger(gw: GatewayDep, caller: WriterDep) -> LedgerPublic:
    """Rebuild the books from the statement lines and the chain's facts (from the mirror)."""
    _require_cashier(caller)

    def run() -> LedgerPublic:
        engine = _engine(gw)
        return LedgerPublic(entries=ledger.rebuild(engine, ledger.chain_facts(_bank(gw), engine)))

    return await run_in_threadpool(run)


REPORT_KINDS = ("osv", "register", "funds", "member", "1c")


@router.get("/reports/{kind}", responses=problem_responses(401, 403, 422))
async def report(
    gw: GatewayDep,
    caller: CallerDep,
    kind: str,
    first: Annotated[dt.date, Query(alias="from")],
    last: Annotated[dt.date, Query(alias="to")],
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")] = "csv",
    member: Annotated[str | None, Query(pattern="^0x[0-9a-fA-F]{40}$")] = None,
) -> Response:
    """A report of the books as a file: `osv` (оборотно-сальдовая ведомость), `register`
    (реестр пайщиков), `funds`, `member` (movements of one member), `1c` (entries for 1C)."""
    _require_reader(caller)
    if kind not in REPORT_KINDS:
        raise Problem(422, f"Отчёт: {', '.join(REPORT_KINDS)} / Report kinds")
    if last < first:
        raise Problem(422, "Период: «по» раньше «с» / The period ends before it starts")
    if kind == "member" and member is None:
        raise Problem(422, "Укажите пайщика (member) / member is required")

    def run() -> bytes:
        table = reports.build(_engine(gw), kind, first, last, checksum(member) if member else None)
        if kind == "1c":
            return reports.to_csv(table, encoding="cp1251")
        return reports.to_xlsx(table, kind) if fmt == "xlsx" else reports.to_csv(table)

    data = await run_in_threadpool(run)
    suffix = "csv" if kind == "1c" or fmt == "csv" else "xlsx"
    media = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if suffix == "xlsx"
        else "text/csv"
    )
    name = f"{kind}_{first.isoformat()}_{last.isoformat()}.{suffix}"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.put(
    "/refund-details", response_model=RefundPublic, responses=problem_responses(401, 403, 422)
)
async def put_refund_details(gw: GatewayDep, caller: WriterDep, body: RefundCreate) -> RefundPublic:
    """The signed-in member's bank details for the refund of shares on exit (carried by the
    exit application). Stored sealed off chain; only one's own."""

    def run() -> RefundPublic:
        return store_refund_details(gw, caller.address, body, body.application_hash)

    return await run_in_threadpool(run)


def check_refund_details(body: RefundCreate) -> refunds.RefundDetails:
    """The details checked (422 naming the bad field), nothing stored."""
    try:
        return refunds.validate(body.name, body.account, body.bik, body.inn)
    except refunds.RefundDetailsError as exc:
        raise Problem(422, str(exc)) from exc


def store_refund_details(
    gw: Gateway, member: str, body: RefundCreate, application_hash: str | None
) -> RefundPublic:
    """Validate and store a member's refund details sealed (also from the exit application's
    route, `POST /members/{address}/exit/tx` with `refund`): 403 for an address that never
    applied, 422 naming the bad field; nothing is stored then."""
    index = int(gw.coop.membership.functions.memberIndexOf(member).call())
    if index == 0:
        raise Problem(403, "Только пайщик или заявитель / Only a member or an applicant")
    details = check_refund_details(body)
    digest = refunds.save(_engine(gw), gw.keyring, member, details, application_hash)
    return RefundPublic(**asdict(details), sha256=digest)


@router.get("/refund-details", response_model=RefundPublic, responses=problem_responses(401, 404))
async def get_refund_details(gw: GatewayDep, caller: CallerDep) -> RefundPublic:
    """One's own refund details (nobody reads another member's: the cashier sees them only
    as the payee of the refund's payment order)."""

    def run() -> RefundPublic:
        found = refunds.load(_engine(gw), gw.keyring, caller.address)
        if found is None:
            raise Problem(404, "Реквизиты не указаны / No refund details")
        details, digest = found
        return RefundPublic(**asdict(details), sha256=digest)

    return await run_in_threadpool(run)


@router.get("/loans", response_model=LoanBookPublic, responses=problem_responses(401, 403, 503))
async def ruble_loans(
    gw: GatewayDep,
    caller: CallerDep,
    member: Annotated[str | None, Query(pattern="^0x[0-9a-fA-F]{40}$")] = None,
) -> LoanBookPublic:
    """The mutual-aid fund's ruble loans: one's own (a member), or anyone's / all for the
    cashier, the council, the chair and auditors; with the fund's ruble totals."""
    wanted: str | None = checksum(member) if member else None
    if not caller.has("cashier", "auditor", "council", "chair"):
        if wanted is not None and wanted != caller.address:
            raise Problem(403, "Только свои займы / Only one's own loans")
        wanted = caller.address

    def run() -> LoanBookPublic:
        bank = _bank(gw)
        engine = _engine(gw)
        facts = ledger.chain_facts(bank, engine)
        today = dt.datetime.now(dt.UTC).date()
        rows = loans.loan_book(engine, facts, today, wanted)
        index_of: dict[str, int] = {}

        def ref(loan: loans.RubleLoan) -> str | None:
            if loan.borrower not in index_of:
                index_of[loan.borrower] = int(
                    bank.membership.functions.memberIndexOf(loan.borrower).call()
                )
            index = index_of[loan.borrower]
            purpose = matching.Purpose.LOAN_REPAYMENT
            return matching.reference(index, purpose, loan.loan_id) if index else None

        totals = loans.fund_totals(facts)
        return LoanBookPublic(
            loans=[
                RubleLoanPublic(
                    loan_id=x.loan_id,
                    borrower=x.borrower,
                    principal=format_amount(x.principal),
                    repaid=format_amount(x.repaid),
                    outstanding=format_amount(x.outstanding),
                    due=x.due.isoformat() if x.due else None,
                    state=x.state,
                    decision=x.decision,
                    disbursed_line=x.disbursed_line,
                    reference=ref(x),
                )
                for x in rows
            ],
            totals=FundRublesPublic(
                contributed=format_amount(totals.contributed),
                lent=format_amount(totals.lent),
                repaid=format_amount(totals.repaid),
                outstanding=format_amount(totals.outstanding),
                cash=format_amount(totals.cash),
            ),
        )

    return await run_in_threadpool(run)
