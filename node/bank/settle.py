"""The bank meets the chain: confirmed ruble facts go to BankSettlements in batches, exit
refunds owed in rubles become payment orders, and a paid order closes its owed amount.

Crash safety: the chain is the truth. Before sending a batch, lines the contract already has
are marked recorded without resending (a crash between the transaction and the database
update loses nothing and repeats nothing); the contract itself refuses a second record of a
line or a second close of an owed amount.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from hexbytes import HexBytes
from sqlalchemy.engine import Engine
from web3.exceptions import ContractCustomError, ContractLogicError

from node.bank import tables
from node.bank.formats import Party, PaymentOrder, write_1c_orders
from node.bank.matching import Member, Purpose, payer_key
from node.chain.client import Chain
from node.cooperative.client import MemberStatus

#: Items per transaction: a batch must fit a block with room to spare.
BATCH = 150


class BankChainError(RuntimeError):
    """A chain-side step cannot proceed (shown to the cashier as is)."""


def _b32(hex_text: str) -> bytes:
    return bytes(HexBytes(hex_text))


def exit_obligation(account: str, decision: bytes) -> bytes:
    """The id of a share refund owed on exit: one per exit decision and account."""
    return keccak(abi_encode(["string", "address", "bytes32"], ["exit-refund", account, decision]))


@dataclass(frozen=True)
class Owed:
    """An amount the cooperative owes in rubles, as the chain shows it."""

    obligation: bytes
    kind: str
    account: str
    amount: int
    """Kopecks."""
    decision: bytes
    due: dt.date | None = None
    """A ruble loan's repayment date (from the council's decision)."""


def loan_obligation(account: str, decision: bytes) -> bytes:
    """The id of a ruble loan disbursed by a decision: anyone can tell from an `OwedPaid` fact
    alone (payee, decision, obligation) that it was a loan of the mutual-aid fund."""
    return keccak(abi_encode(["string", "address", "bytes32"], ["loan", account, decision]))


class ChainBank:
    """One cooperative's contracts as the bank module uses them."""

    def __init__(self, chain: Chain, charter: str, settlements: str) -> None:
        self.chain = chain
        self.charter = chain.contract("Charter", charter)
        self.membership = chain.contract("Membership", self.charter.functions.membership().call())
        self.shares = chain.contract("Shares", self.charter.functions.shares().call())
        self.settlements = chain.contract("BankSettlements", settlements)
        if self.settlements.functions.charter().call() != self.charter.address:
            raise BankChainError("BankSettlements belongs to another cooperative")
        decimals = int(self.shares.functions.decimals().call())
        if decimals < 2:
            raise BankChainError("the payment token has fewer than 2 decimals: no kopecks")
        self.scale = 10 ** (decimals - 2)
        """Token units per kopeck."""

    # -- reading ---------------------------------------------------------------------------

    def directory(self) -> ChainDirectory:
        return ChainDirectory(self)

    def owed_exits(self) -> list[Owed]:
        """Share refunds owed in rubles: SharesSettled with owedOffChain > 0, with the exit
        decision from the MemberExited of the same transaction."""
        settled = self.shares.events.SharesSettled().get_logs(from_block=0)
        exits = self.membership.events.MemberExited().get_logs(from_block=0)
        decision_of = {(e.transactionHash, e.args.account): e.args.decision for e in exits}
        owed = []
        for log in settled:
            amount = int(log.args.owedOffChain)
            if amount == 0:
                continue
            decision = decision_of.get((log.transactionHash, log.args.account))
            if decision is None:  # pragma: no cover - Shares.settle is called only by exit
                continue
            owed.append(
                Owed(
                    exit_obligation(log.args.account, decision),
                    "exit-refund",
                    log.args.account,
                    amount // self.scale,
                    bytes(decision),
                )
            )
        return owed

    def decided_payout(
        self, kind: str, account: str, amount: int, decision: bytes, due: dt.date | None = None
    ) -> Owed:
        """A ruble payout by decision (a loan from the mutual-aid fund, a payout): the decision
        must be a council decision anchored on chain and signed by the chair, the same rule the
        treasury applies to token payouts."""
        if kind not in {"loan", "payout"}:
            raise BankChainError(f"unknown payout kind {kind!r}")
        if amount <= 0:
            raise BankChainError("amount must be positive")
        documents = self.chain.contract(
            "DocumentRegistry", self.charter.functions.documents().call()
        )
        record = documents.functions.documentOf(decision).call()
        if int(record[1]) == 0 or int(record[2]) != 2:  # anchoredAt, documentType COUNCIL_DECISION
            raise BankChainError("решение совета не найдено в реестре документов")
        chair = self.charter.functions.chair().call()
        if int(documents.functions.signedAt(decision, chair).call()) == 0:
            raise BankChainError("решение не подписано председателем")
        obligation = keccak(abi_encode(["string", "address", "bytes32"], [kind, account, decision]))
        return Owed(obligation, kind, account, amount, decision, due if kind == "loan" else None)

    # -- writing ---------------------------------------------------------------------------

    def _confirmed(self, engine: Engine) -> list[sa.Row]:
        """Confirmed incoming lines not on chain yet; those the chain has are marked recorded
        (a crash after sending, or the cashier's wallet sent the batch)."""
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(tables.line)
                .where(tables.line.c.incoming, tables.line.c.status == "confirmed")
                .order_by(tables.line.c.id)
            ).all()
        todo = []
        for row in rows:
            if self.settlements.functions.lineRecorded(_b32(row.line_hash)).call():
                self._mark_recorded(engine, [row], None)
            else:
                todo.append(row)
        return todo

    def _incoming_item(self, r: sa.Row) -> tuple[bytes, str, int, int, bytes]:
        return (
            _b32(r.line_hash),
            r.match_account,
            int(r.amount) * self.scale,
            int(Purpose[r.match_purpose]),
            int(r.match_ref or 0).to_bytes(32, "big"),
        )

    def pending_incoming(
        self, engine: Engine, sender: str
    ) -> list[tuple[bytes, str, int, int, bytes]]:
        """The `recordIncoming` items still to send, in line order; those the contract would
        refuse are sent back to the queue with its reason."""
        return [
            self._incoming_item(r) for r in self._screen(engine, self._confirmed(engine), sender)
        ]

    def _screen(self, engine: Engine, rows: Sequence[sa.Row], sender: str) -> list[sa.Row]:
        """Keep the lines the contract accepts one by one (`eth_call` from the cashier); a line
        it refuses (the fees were paid meanwhile in tokens, the member left...) must not sink
        the whole batch: it goes back to the queue with the contract's error."""
        if not rows:
            return []
        fn = self.settlements.functions.recordIncoming
        try:
            fn([self._incoming_item(r) for r in rows]).call({"from": sender})
            return list(rows)
        except (ContractCustomError, ContractLogicError):
            pass
        kept = []
        for row in rows:
            try:
                fn([self._incoming_item(row)]).call({"from": sender})
                kept.append(row)
            except (ContractCustomError, ContractLogicError) as exc:
                refused = self.chain.decode_revert(exc)
                reason = f"отклонено контрактом: {refused.error}{refused.error_args or ''}"
                with engine.begin() as conn:
                    conn.execute(
                        tables.line.update()
                        .where(tables.line.c.id == row.id)
                        .values(status="queued", reason=reason[:300])
                    )
        return kept

    def record_incoming(self, engine: Engine, cashier: LocalAccount) -> list[str]:
        """Send every confirmed incoming line in batches; returns the transaction hashes."""
        todo = self._screen(engine, self._confirmed(engine), cashier.address)
        sent: list[str] = []
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            items = [self._incoming_item(r) for r in chunk]
            tx = self.chain.transact(self.settlements.functions.recordIncoming(items), cashier)
            tx_hash = HexBytes(tx.receipt["transactionHash"]).to_0x_hex()
            self._mark_recorded(engine, chunk, tx_hash)
            sent.append(tx_hash)
        return sent

    def _mark_recorded(self, engine: Engine, rows: Sequence[sa.Row], tx_hash: str | None) -> None:
        with engine.begin() as conn:
            for r in rows:
                conn.execute(
                    tables.line.update()
                    .where(tables.line.c.id == r.id)
                    .values(status="recorded", tx_hash=tx_hash)
                )
                if r.match_purpose == Purpose.ENTRY.name and r.payer_account:
                    key = payer_key(r.payer_inn, r.payer_account)
                    conn.execute(tables.payer.delete().where(tables.payer.c.payer_key == key))
                    new = {"payer_key": key, "account": r.match_account}
                    conn.execute(tables.payer.insert().values(**new))

    def _paid(self, engine: Engine) -> list[sa.Row]:
        """Paid orders not closed on chain yet; those the chain has closed are marked closed."""
        with engine.connect() as conn:
            paid = sa.select(tables.order).where(tables.order.c.status == "paid")
            rows = conn.execute(paid.order_by(tables.order.c.id)).all()
        todo = []
        for row in rows:
            closing = self.settlements.functions.closedBy(_b32(row.obligation)).call()
            if closing != b"\0" * 32:
                self._mark_closed(engine, [row], None)
            else:
                todo.append(row)
        return todo

    def _outgoing_item(self, r: sa.Row) -> tuple[bytes, str, int, bytes, bytes]:
        return (
            _b32(r.line_hash),
            r.account,
            int(r.amount) * self.scale,
            _b32(r.obligation),
            _b32(r.decision),
        )

    def pending_outgoing(self, engine: Engine) -> list[tuple[bytes, str, int, bytes, bytes]]:
        """The `recordOutgoing` items still to send."""
        return [self._outgoing_item(r) for r in self._paid(engine)]

    def sync(self, engine: Engine) -> tuple[int, int]:
        """Take what the chain recorded; returns how many lines became recorded and how many
        orders became closed."""
        before_in = len(lines_with_status(engine, "confirmed"))
        before_out = len(orders_with_status(engine, "paid"))
        left_in = len(self._confirmed(engine))
        left_out = len(self._paid(engine))
        return before_in - left_in, before_out - left_out

    def close_paid(self, engine: Engine, cashier: LocalAccount) -> list[str]:
        """Close on chain every owed amount whose order a statement line shows paid."""
        todo = self._paid(engine)
        sent = []
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            items = [self._outgoing_item(r) for r in chunk]
            tx = self.chain.transact(self.settlements.functions.recordOutgoing(items), cashier)
            tx_hash = HexBytes(tx.receipt["transactionHash"]).to_0x_hex()
            self._mark_closed(engine, chunk, tx_hash)
            sent.append(tx_hash)
        return sent

    def _mark_closed(self, engine: Engine, rows: Sequence[sa.Row], tx_hash: str | None) -> None:
        with engine.begin() as conn:
            for r in rows:
                conn.execute(
                    tables.order.update()
                    .where(tables.order.c.id == r.id)
                    .values(status="closed", tx_hash=tx_hash)
                )
                conn.execute(
                    tables.line.update()
                    .where(tables.line.c.line_hash == r.line_hash)
                    .values(status="recorded", tx_hash=tx_hash)
                )


class ChainDirectory:
    """Members by index and address, read from the chain once per matching run."""

    def __init__(self, bank: ChainBank) -> None:
        self._by_index: dict[int, Member] = {}
        self._by_address: dict[str, Member] = {}
        logs = bank.membership.events.ApplicationSubmitted().get_logs(from_block=0)
        fees = {}
        for kind in (0, 1):
            entrance, minimum = bank.charter.functions.fees(kind).call()
            total = int(entrance) + int(minimum)
            fees[kind] = total // bank.scale if total % bank.scale == 0 else -1
        for account in {log.args.account for log in logs}:
            index = int(bank.membership.functions.memberIndexOf(account).call())
            if index == 0:
                continue
            record = bank.membership.functions.memberOf(account).call()
            status, kind, fees_paid = MemberStatus(record[0]), int(record[1]), bool(record[4])
            member = Member(
                index=index,
                address=account,
                applicant_unpaid=status is MemberStatus.APPLICANT and not fees_paid,
                active=status is MemberStatus.MEMBER,
                fees_due=fees[kind],
            )
            self._by_index[index] = member
            self._by_address[account] = member

    def by_index(self, index: int) -> Member | None:
        return self._by_index.get(index)

    def by_address(self, address: str) -> Member | None:
        return self._by_address.get(address)


# -- payment orders --------------------------------------------------------------------------


ORDER_TAG = "КП-ВЫП-"


def issue_orders(
    engine: Engine, owed: Iterable[Owed], *, payee_override: dict[str, Party] | None = None
) -> tuple[list[int], list[str]]:
    """Create a payment order for each owed amount that has none (one per obligation).

    The payee's bank details are those the member paid from (its last recorded incoming
    line), unless given. Returns the new order ids and the accounts skipped for lack of
    details.
    """
    created: list[int] = []
    skipped: list[str] = []
    with engine.begin() as conn:
        for item in owed:
            key = "0x" + item.obligation.hex()
            if conn.execute(
                sa.select(tables.order.c.id).where(tables.order.c.obligation == key)
            ).first():
                continue
            party = (payee_override or {}).get(item.account) or _payee_from_lines(
                conn, item.account
            )
            if party is None:
                skipped.append(item.account)
                continue
            next_number = (
                conn.execute(sa.select(sa.func.count()).select_from(tables.order)).scalar_one() + 1
            )
            number = str(next_number)
            what = {
                "exit-refund": "Возврат паевого взноса при выходе из кооператива",
                "loan": "Заём из фонда взаимопомощи по решению совета",
            }.get(item.kind, "Выплата по решению совета")
            purpose = f"{what} {ORDER_TAG}{number}. НДС не облагается"
            order_id = conn.execute(
                tables.order.insert().values(
                    obligation=key,
                    kind=item.kind,
                    account=item.account,
                    amount=item.amount,
                    decision="0x" + item.decision.hex(),
                    number=number,
                    payee_name=party.name,
                    payee_inn=party.inn,
                    payee_account=party.account,
                    payee_bik=party.bik,
                    purpose=purpose,
                    created_at=int(time.time()),
                    status="issued",
                    due=item.due.isoformat() if item.due is not None else None,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            created.append(int(order_id))
    return created, skipped


def _payee_from_lines(conn: sa.Connection, account: str) -> Party | None:
    row = conn.execute(
        sa.select(tables.line)
        .where(
            tables.line.c.incoming,
            tables.line.c.status == "recorded",
            tables.line.c.match_account == account,
        )
        .order_by(tables.line.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Party(
        name=row.payer_name, inn=row.payer_inn, account=row.payer_account, bik=row.payer_bik
    )


def export_orders(engine: Engine, ours: Party, *, on: dt.date | None = None) -> bytes:
    """The issued (not yet paid) orders as a 1C file for the bank client."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(tables.order)
            .where(tables.order.c.status == "issued")
            .order_by(tables.order.c.id)
        ).all()
    day = on or dt.date.today()
    orders = [
        PaymentOrder(
            number=r.number,
            date=day,
            amount=int(r.amount),
            payer=ours,
            payee=Party(
                name=r.payee_name, inn=r.payee_inn, account=r.payee_account, bik=r.payee_bik
            ),
            purpose=r.purpose,
        )
        for r in rows
    ]
    return write_1c_orders(orders, ours.account)


def match_outgoing(engine: Engine) -> dict[str, int]:
    """Tie each new outgoing line to the issued order it pays: the order tag in the purpose,
    the same amount and the same payee account; anything else waits in the queue."""
    counts = {"paid": 0, "queued": 0}
    with engine.begin() as conn:
        lines = conn.execute(
            sa.select(tables.line).where(
                sa.not_(tables.line.c.incoming), tables.line.c.status.in_(("new", "queued"))
            )
        ).all()
        for line in lines:
            reason = None
            order = None
            start = line.purpose.find(ORDER_TAG)
            if start < 0:
                reason = f"нет ссылки {ORDER_TAG}… в назначении платежа"
            else:
                digits = ""
                for ch in line.purpose[start + len(ORDER_TAG) :]:
                    if not ch.isdigit():
                        break
                    digits += ch
                order = conn.execute(
                    sa.select(tables.order).where(tables.order.c.number == digits)
                ).first()
                if order is None:
                    reason = f"платёжное поручение {digits or '?'} не найдено"
                elif order.status != "issued":
                    reason = f"поручение {order.number} уже оплачено: повторная оплата?"
                elif order.amount != line.amount or order.payee_account != line.payee_account:
                    reason = f"сумма или счёт получателя не совпадают с поручением {order.number}"
            if reason is not None or order is None:
                counts["queued"] += 1
                conn.execute(
                    tables.line.update()
                    .where(tables.line.c.id == line.id)
                    .values(status="queued", reason=reason)
                )
                continue
            counts["paid"] += 1
            conn.execute(
                tables.order.update()
                .where(tables.order.c.id == order.id)
                .values(status="paid", line_hash=line.line_hash)
            )
            conn.execute(
                tables.line.update()
                .where(tables.line.c.id == line.id)
                .values(
                    status="paid",
                    reason=None,
                    obligation=order.obligation,
                    match_account=order.account,
                    match_purpose=order.kind,
                )
            )
    return counts


def close_paid_and_match(bank: ChainBank, engine: Engine, cashier: LocalAccount) -> list[str]:
    """Tie new outgoing lines to their orders, then close the paid ones on chain."""
    match_outgoing(engine)
    return bank.close_paid(engine, cashier)


def lines_with_status(engine: Engine, status: str) -> list[sa.Row]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(tables.line.c.id).where(
                    tables.line.c.incoming, tables.line.c.status == status
                )
            ).all()
        )


def orders_with_status(engine: Engine, status: str) -> list[sa.Row]:
    with engine.connect() as conn:
        return list(
            conn.execute(sa.select(tables.order.c.id).where(tables.order.c.status == status)).all()
        )


def orders(engine: Engine, status: str | None = None) -> list[sa.Row]:
    """Payment orders, newest first (all, or those with one status)."""
    query = sa.select(tables.order).order_by(tables.order.c.id.desc())
    if status is not None:
        query = query.where(tables.order.c.status == status)
    with engine.connect() as conn:
        return list(conn.execute(query).all())
