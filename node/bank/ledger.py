"""The books: a double-entry ledger derived from chain facts and bank lines.

Nothing here is typed in by hand. Every entry names its source: `line:<hash>` for a statement
line, `chain:<tx>:<log index>[:<part>]` for an on-chain fact. The ledger is rebuilt whole
(in one transaction) from those sources, so it can always be checked against them
(`coop audit`, `node.bank.audit`). Amounts are kopecks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from hexbytes import HexBytes
from sqlalchemy.engine import Engine

from node.bank import tables
from node.bank.matching import Purpose
from node.bank.store import bulk_insert

#: The chart of accounts a cooperative uses (subaccounts of the Russian chart where it has them).
ACCOUNTS: Mapping[str, str] = {
    "51": "Расчётный счёт",
    "58.03": "Займы, выданные пайщикам (фонд взаимопомощи)",
    "75": "Расчёты с пайщиками",
    "76.БИР": "Расчёты по заказам пайщиков (биржа)",
    "76.НП": "Невыясненные поступления",
    "76.НС": "Невыясненные списания",
    "80": "Паевой фонд",
    "82": "Резервный фонд",
    "86.01": "Целевые поступления: вступительные взносы",
    "86.02": "Фонд взаимопомощи",
}

#: Where each kind of incoming payment is credited once it is tied to a member.
CREDIT_OF: Mapping[Purpose, str] = {
    Purpose.VOLUNTARY_SHARE: "80",
    Purpose.FUND_CONTRIBUTION: "86.02",
    Purpose.LOAN_REPAYMENT: "58.03",
    Purpose.EXCHANGE_ORDER: "76.БИР",
}

#: Where each kind of outgoing payment order is debited (the owed amount it closes).
DEBIT_OF_ORDER: Mapping[str, str] = {"exit-refund": "75", "loan": "58.03", "payout": "75"}


#: The columns of an entry, in the order of `Entry.row()`.
ENTRY_COLUMNS = ("source", "booked", "debit", "credit", "amount", "member", "document", "memo")


@dataclass(frozen=True)
class Entry:
    source: str
    booked: dt.date
    debit: str
    credit: str
    amount: int
    member: str | None
    document: str | None
    memo: str

    def row(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "booked": self.booked.isoformat(),
            "debit": self.debit,
            "credit": self.credit,
            "amount": self.amount,
            "member": self.member,
            "document": self.document,
            "memo": self.memo[:300],
        }


@dataclass(frozen=True)
class ChainFacts:
    """The on-chain facts the books use, already decoded (amounts in kopecks)."""

    recorded: list[dict[str, Any]]
    """PaymentRecorded: line, payer, purpose, ref (int), amount, tx, log."""
    entry_split: dict[tuple[str, str], tuple[int, int]]
    """(tx, account) -> (entrance fee, minimum share) from Membership.PaymentAttested."""
    owed: list[dict[str, Any]]
    """SharesSettled with owedOffChain > 0: account, amount, tx, log, booked."""
    paid: list[dict[str, Any]]
    """OwedPaid: obligation, payee, line, decision, amount, tx, log."""


def _tx(log: Any) -> str:
    return HexBytes(log.transactionHash).to_0x_hex()


def read_chain(bank: Any) -> ChainFacts:
    """Decode the facts from a `ChainBank` (all blocks)."""
    scale = bank.scale
    recorded = [
        {
            "line": "0x" + bytes(e.args.line).hex(),
            "payer": e.args.payer,
            "purpose": Purpose(e.args.purpose),
            "ref": int.from_bytes(bytes(e.args.ref), "big"),
            "amount": int(e.args.amount) // scale,
            "tx": _tx(e),
            "log": int(e.logIndex),
        }
        for e in bank.settlements.events.PaymentRecorded().get_logs(from_block=0)
    ]
    split = {
        (_tx(e), e.args.account): (
            int(e.args.entranceFee) // scale,
            int(e.args.minimumShare) // scale,
        )
        for e in bank.membership.events.PaymentAttested().get_logs(from_block=0)
    }
    days: dict[int, dt.date] = {}

    def day(block: int) -> dt.date:
        if block not in days:
            stamp = int(bank.chain.w3.eth.get_block(block)["timestamp"])
            days[block] = dt.datetime.fromtimestamp(stamp, dt.UTC).date()
        return days[block]

    owed = [
        {
            "account": e.args.account,
            "amount": int(e.args.owedOffChain) // scale,
            "tx": _tx(e),
            "log": int(e.logIndex),
            "booked": day(int(e.blockNumber)),
        }
        for e in bank.shares.events.SharesSettled().get_logs(from_block=0)
        if int(e.args.owedOffChain) > 0
    ]
    paid = [
        {
            "obligation": "0x" + bytes(e.args.obligation).hex(),
            "payee": e.args.payee,
            "line": "0x" + bytes(e.args.line).hex(),
            "decision": "0x" + bytes(e.args.decision).hex(),
            "amount": int(e.args.amount) // scale,
            "tx": _tx(e),
            "log": int(e.logIndex),
        }
        for e in bank.settlements.events.OwedPaid().get_logs(from_block=0)
    ]
    return ChainFacts(recorded, split, owed, paid)


def read_mirror(db: Any, settlements: str, membership: str, shares: str, scale: int) -> ChainFacts:
    """The same facts as `read_chain`, from the indexer's mirror (`indexer.queries.bank`):
    SQL reads of the mirrored events instead of `eth_getLogs` from block 0, so a rebuild on a
    long chain costs what the books need. `db` is a connection or session of the mirror; the
    BankSettlements must be watched (the deployment record's `bank_settlements`)."""
    from indexer.queries import bank as mirror_bank

    found = mirror_bank.events(
        db,
        {
            settlements: ["PaymentRecorded", "OwedPaid"],
            membership: ["PaymentAttested"],
            shares: ["SharesSettled"],
        },
    ).data
    recorded: list[dict[str, Any]] = []
    split: dict[tuple[str, str], tuple[int, int]] = {}
    owed: list[dict[str, Any]] = []
    paid: list[dict[str, Any]] = []
    for f in found:
        a = f.args
        if f.event == "PaymentRecorded" and f.address == settlements:
            recorded.append(
                {
                    "line": str(a["line"]).lower(),
                    "payer": a["payer"],
                    "purpose": Purpose(int(a["purpose"])),
                    "ref": int(str(a["ref"]), 16),
                    "amount": int(a["amount"]) // scale,
                    "tx": f.tx_hash,
                    "log": f.log_index,
                }
            )
        elif f.event == "OwedPaid" and f.address == settlements:
            paid.append(
                {
                    "obligation": str(a["obligation"]).lower(),
                    "payee": a["payee"],
                    "line": str(a["line"]).lower(),
                    "decision": str(a["decision"]).lower(),
                    "amount": int(a["amount"]) // scale,
                    "tx": f.tx_hash,
                    "log": f.log_index,
                }
            )
        elif f.event == "PaymentAttested" and f.address == membership:
            split[(f.tx_hash, a["account"])] = (
                int(a["entranceFee"]) // scale,
                int(a["minimumShare"]) // scale,
            )
        elif f.event == "SharesSettled" and f.address == shares and int(a["owedOffChain"]) > 0:
            stamp = f.block_timestamp or 0
            owed.append(
                {
                    "account": a["account"],
                    "amount": int(a["owedOffChain"]) // scale,
                    "tx": f.tx_hash,
                    "log": f.log_index,
                    "booked": dt.datetime.fromtimestamp(stamp, dt.UTC).date(),
                }
            )
    return ChainFacts(recorded, split, owed, paid)


def chain_facts(bank: Any, engine: Engine) -> ChainFacts:
    """The facts for the books: from the mirror in `engine` when it holds the cooperative's
    BankSettlements (the normal case on a node: `coop run` indexes into the same database),
    else from the chain over RPC (a node without a mirror, a contract not watched yet)."""
    from indexer.queries import bank as mirror_bank

    settlements = bank.settlements.address
    if sa.inspect(engine).has_table("idx_raw_event"):
        with engine.connect() as conn:
            if mirror_bank.watches(conn, settlements):
                return read_mirror(
                    conn, settlements, bank.membership.address, bank.shares.address, bank.scale
                )
    return read_chain(bank)


def derive(lines: Iterable[sa.Row], orders: Iterable[sa.Row], facts: ChainFacts) -> list[Entry]:
    """The entries of the books (pure)."""
    entries: list[Entry] = []
    recorded = {r["line"]: r for r in facts.recorded}
    paid = {p["line"]: p for p in facts.paid}
    kind_of_order = {o.obligation: o.kind for o in orders}
    booked_of: dict[str, dt.date] = {}
    for line in lines:
        booked = dt.date.fromisoformat(line.booked)
        booked_of[line.line_hash] = booked
        source = f"line:{line.line_hash}"
        if line.incoming:
            fact = recorded.get(line.line_hash)
            credit = "75" if fact is not None else "76.НП"
            member = fact["payer"] if fact is not None else None
            memo = f"Поступление №{line.number} от {line.payer_name}: {line.purpose}"
            entries.append(Entry(source, booked, "51", credit, line.amount, member, source, memo))
        else:
            closing = paid.get(line.line_hash)
            if closing is not None:
                debit = DEBIT_OF_ORDER.get(kind_of_order.get(closing["obligation"], ""), "75")
                member = closing["payee"]
            else:
                debit, member = "76.НС", None
            memo = f"Списание №{line.number} получателю {line.payee_name}: {line.purpose}"
            entries.append(Entry(source, booked, debit, "51", line.amount, member, source, memo))
    for r in facts.recorded:
        line_day = booked_of.get(r["line"])
        if line_day is None:
            continue  # recorded on chain, statement not imported here: the audit reports it
        booked = line_day
        source = f"chain:{r['tx']}:{r['log']}"
        member = r["payer"]
        if r["purpose"] is Purpose.ENTRY:
            entrance, minimum = facts.entry_split.get((r["tx"], member), (0, r["amount"]))
            if entrance:
                entries.append(
                    Entry(
                        f"{source}:1",
                        booked,
                        "75",
                        "86.01",
                        entrance,
                        member,
                        r["line"],
                        "Вступительный взнос",
                    )
                )
            entries.append(
                Entry(
                    f"{source}:2",
                    booked,
                    "75",
                    "80",
                    minimum,
                    member,
                    r["line"],
                    "Минимальный паевой взнос",
                )
            )
        else:
            entries.append(
                Entry(
                    source,
                    booked,
                    "75",
                    CREDIT_OF[r["purpose"]],
                    r["amount"],
                    member,
                    r["line"],
                    f"Зачтено: {r['purpose'].name}",
                )
            )
    for o in facts.owed:
        entries.append(
            Entry(
                f"chain:{o['tx']}:{o['log']}",
                o["booked"],
                "80",
                "75",
                o["amount"],
                o["account"],
                o["tx"],
                "Паевой взнос к возврату при выходе",
            )
        )
    return entries


def rebuild(engine: Engine, facts: ChainFacts) -> int:
    """Replace the ledger with the entries derived now; returns their number."""
    with engine.begin() as conn:
        lines = conn.execute(sa.select(tables.line).order_by(tables.line.c.id)).all()
        orders = conn.execute(sa.select(tables.order)).all()
        entries = derive(lines, orders, facts)
        conn.execute(tables.entry.delete())
        rows = [tuple(e.row().values()) for e in entries]
        bulk_insert(conn, tables.entry, ENTRY_COLUMNS, rows)
    return len(entries)


@dataclass(frozen=True)
class TurnoverRow:
    """One account's line of the оборотно-сальдовая ведомость (kopecks)."""

    account: str
    name: str
    opening_debit: int
    opening_credit: int
    turnover_debit: int
    turnover_credit: int
    closing_debit: int
    closing_credit: int


def turnover(engine: Engine, first: dt.date, last: dt.date) -> list[TurnoverRow]:
    """Оборотно-сальдовая ведомость for [first, last].

    Two grouped scans (debit side, credit side), each of one covering index: the opening
    balance sums everything before `first`, the turnover what lies within the period.
    """
    e = tables.entry
    start, end = first.isoformat(), last.isoformat()
    before = e.c.booked < start
    sums: dict[str, list[int]] = {}
    with engine.connect() as conn:
        for column, side in ((e.c.debit, 0), (e.c.credit, 1)):
            query = (
                sa.select(
                    column,
                    sa.func.sum(sa.case((before, e.c.amount), else_=0)),
                    sa.func.sum(sa.case((before, 0), else_=e.c.amount)),
                )
                .where(e.c.booked <= end)
                .group_by(column)
            )
            for acc, opening, period in conn.execute(query):
                row = sums.setdefault(acc, [0, 0, 0, 0])
                row[side] += int(opening or 0)
                row[2 + side] += int(period or 0)
    out = []
    for acc in sorted(sums):
        open_d, open_c, debit, credit = sums[acc]
        opening = open_d - open_c
        closing = opening + debit - credit
        if opening == 0 and debit == 0 and credit == 0:
            continue
        out.append(
            TurnoverRow(
                acc,
                ACCOUNTS.get(acc, acc),
                max(opening, 0),
                max(-opening, 0),
                debit,
                credit,
                max(closing, 0),
                max(-closing, 0),
            )
        )
    return out


def balances(engine: Engine, member: str | None = None) -> dict[str, int]:
    """Balance (debit − credit) of every account, optionally of one member's entries."""
    e = tables.entry
    out: dict[str, int] = {}
    with engine.connect() as conn:
        for column, sign in ((e.c.debit, 1), (e.c.credit, -1)):
            query = sa.select(column, sa.func.sum(e.c.amount)).group_by(column)
            if member is not None:
                query = query.where(e.c.member == member)
            for acc, total in conn.execute(query):
                out[acc] = out.get(acc, 0) + sign * int(total)
    return out
