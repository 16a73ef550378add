"""What each incoming payment pays: the payment reference first, then the payer.

The portal shows each member a reference `КП-<member index>-<code>[-<item>]` to put in the
purpose of a transfer (codes below). A payment is *proposed* when the reference (or a payer
already confirmed once, for an application's fees) names a member and the amount fits; the
cashier then confirms. Anything else is *queued* with the reason, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from node.bank import tables


class Purpose(IntEnum):
    """IBankSettlements.Purpose, in the same order."""

    ENTRY = 0
    VOLUNTARY_SHARE = 1
    FUND_CONTRIBUTION = 2
    LOAN_REPAYMENT = 3
    EXCHANGE_ORDER = 4


CODES: Mapping[str, Purpose] = {
    "ВЗН": Purpose.ENTRY,  # вступительный взнос и минимальный паевой взнос
    "ПАЙ": Purpose.VOLUNTARY_SHARE,  # добровольный паевой взнос
    "ФВП": Purpose.FUND_CONTRIBUTION,  # взнос в фонд взаимопомощи
    "ЗАЙМ": Purpose.LOAN_REPAYMENT,  # возврат займа (с номером займа)
    "БИР": Purpose.EXCHANGE_ORDER,  # оплата заказа (с номером заказа)
}
_NEEDS_ITEM = {Purpose.LOAN_REPAYMENT, Purpose.EXCHANGE_ORDER}
REFERENCE = re.compile(r"КП-(\d{1,9})-(ВЗН|ПАЙ|ФВП|ЗАЙМ|БИР)(?:-(\d{1,18}))?(?![\w-])", re.I)


def reference(index: int, purpose: Purpose, item: int | None = None) -> str:
    """The payment reference the portal shows a member."""
    code = next(c for c, p in CODES.items() if p is purpose)
    return f"КП-{index}-{code}" + (f"-{item}" if item is not None else "")


@dataclass(frozen=True)
class Member:
    """What matching needs to know of an account (read from chain by the caller)."""

    index: int
    address: str
    applicant_unpaid: bool
    """An applicant whose entrance fee and minimum share are not paid yet."""
    active: bool
    fees_due: int
    """Entrance fee + minimum share for its kind, in kopecks."""


class Directory(Protocol):
    def by_index(self, index: int) -> Member | None: ...

    def by_address(self, address: str) -> Member | None: ...


@dataclass(frozen=True)
class OrderDue:
    """What an exchange order asks of a ruble payment."""

    buyer: str
    amount: int
    """Kopecks (-1: the token price is not a whole number of kopecks: not payable in rubles)."""
    payable: bool
    """A token order the supplier confirmed and nobody paid yet."""
    status: str


class OrderBook(Protocol):
    def due(self, order_id: int) -> OrderDue | None: ...


@dataclass(frozen=True)
class Decision:
    status: str
    """proposed or queued."""
    reason: str | None = None
    purpose: Purpose | None = None
    account: str | None = None
    item: int | None = None


def payer_key(inn: str, account: str) -> str:
    return f"{inn}:{account}"


def decide(
    purpose_text: str,
    amount: int,
    payer: str,
    directory: Directory,
    known: Mapping[str, str],
    orders: OrderBook | None = None,
) -> Decision:
    """The match for one incoming line (pure: no I/O beyond the directory)."""
    found = REFERENCE.search(purpose_text.replace("—", "-").replace("–", "-"))
    if found is None:
        address = known.get(payer)
        member = directory.by_address(address) if address else None
        if member is not None and member.applicant_unpaid and amount == member.fees_due:
            return Decision("proposed", None, Purpose.ENTRY, member.address)
        if member is not None:
            return Decision(
                "queued", f"нет ссылки КП-…; плательщик известен ({member.address})", None
            )
        return Decision("queued", "нет ссылки КП-… и плательщик неизвестен")
    index, code, item_text = int(found.group(1)), found.group(2).upper(), found.group(3)
    purpose = CODES[code]
    member = directory.by_index(index)
    if member is None:
        return Decision("queued", f"пайщик №{index} не найден")
    item = int(item_text) if item_text else None
    if purpose in _NEEDS_ITEM and item is None:
        return Decision("queued", f"в ссылке {code} нет номера займа/заказа")
    if purpose is Purpose.ENTRY:
        if not member.applicant_unpaid:
            return Decision("queued", f"пайщик №{index}: взносы уже оплачены или нет заявления")
        if amount < member.fees_due:
            return Decision("queued", f"частичная оплата: {amount} из {member.fees_due} коп.")
        if amount > member.fees_due:
            return Decision("queued", f"переплата: {amount} вместо {member.fees_due} коп.")
    elif not member.active and purpose is not Purpose.LOAN_REPAYMENT:
        return Decision("queued", f"№{index} не действующий пайщик")
    if purpose is Purpose.EXCHANGE_ORDER and orders is not None and item is not None:
        due = orders.due(item)
        if due is None:
            return Decision("queued", f"заказ {item} не найден")
        if due.buyer.lower() != member.address.lower():
            return Decision("queued", f"заказ {item} оформлен не пайщиком №{index}")
        if not due.payable:
            return Decision("queued", f"заказ {item} не ждёт оплаты в рублях ({due.status})")
        if amount != due.amount:
            return Decision("queued", f"сумма {amount} коп. не равна заказу {item}: {due.amount}")
    return Decision("proposed", None, purpose, member.address, item)


def match_pending(
    engine: Engine, directory: Directory, orders: OrderBook | None = None
) -> dict[str, int]:
    """Match every new (and re-match every queued) incoming line; returns counts by status."""
    counts = {"proposed": 0, "queued": 0}
    with engine.begin() as conn:
        payers = sa.select(tables.payer.c.payer_key, tables.payer.c.account)
        known = {key: account for key, account in conn.execute(payers).all()}
        rows = conn.execute(
            sa.select(
                tables.line.c.id,
                tables.line.c.purpose,
                tables.line.c.amount,
                tables.line.c.payer_inn,
                tables.line.c.payer_account,
            ).where(tables.line.c.incoming, tables.line.c.status.in_(("new", "queued")))
        ).all()
        updates = []
        for row in rows:
            decision = decide(
                row.purpose,
                row.amount,
                payer_key(row.payer_inn, row.payer_account),
                directory,
                known,
                orders,
            )
            counts[decision.status] += 1
            purpose = decision.purpose
            item = decision.item
            updates.append(
                {
                    "b_id": row.id,
                    "status": decision.status,
                    "reason": decision.reason,
                    "match_purpose": purpose.name if purpose is not None else None,
                    "match_account": decision.account,
                    "match_ref": str(item) if item is not None else None,
                }
            )
        if updates and conn.dialect.name == "postgresql":
            _update_via_copy(conn, updates)
        elif updates:
            conn.execute(
                tables.line.update()
                .where(tables.line.c.id == sa.bindparam("b_id"))
                .values(
                    status=sa.bindparam("status"),
                    reason=sa.bindparam("reason"),
                    match_purpose=sa.bindparam("match_purpose"),
                    match_account=sa.bindparam("match_account"),
                    match_ref=sa.bindparam("match_ref"),
                ),
                updates,
            )
    return counts


_MATCH_COLUMNS = ("b_id", "status", "reason", "match_purpose", "match_account", "match_ref")
_match_tmp = sa.Table(
    "bank_match_tmp",
    sa.MetaData(),
    sa.Column("b_id", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(16)),
    sa.Column("reason", sa.String(300)),
    sa.Column("match_purpose", sa.String(24)),
    sa.Column("match_account", sa.String(42)),
    sa.Column("match_ref", sa.String(66)),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def _update_via_copy(conn: sa.Connection, updates: list[dict[str, object]]) -> None:
    """PostgreSQL: the match results COPYed into a temporary table, then one UPDATE joining it
    (psycopg2 sends an executemany UPDATE one row at a time: 100,000 round trips)."""
    from node.bank.store import bulk_insert

    _match_tmp.create(conn)
    bulk_insert(
        conn, _match_tmp, _MATCH_COLUMNS, [tuple(u[c] for c in _MATCH_COLUMNS) for u in updates]
    )
    conn.exec_driver_sql(
        "UPDATE bank_line SET status = t.status, reason = t.reason,"
        " match_purpose = t.match_purpose, match_account = t.match_account,"
        " match_ref = t.match_ref FROM bank_match_tmp t WHERE bank_line.id = t.b_id"
    )
    _match_tmp.drop(conn)


def confirm(engine: Engine, ids: Iterable[int] | None) -> int:
    """The cashier confirms proposed matches (all, or the listed line ids); returns how many.

    Only `proposed` lines move: a queued line must first be matched (a payment reference
    corrected by re-matching), a recorded one is never touched again.
    """
    where = [tables.line.c.status == "proposed", tables.line.c.incoming]
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return 0
        where.append(tables.line.c.id.in_(wanted))
    with engine.begin() as conn:
        result = conn.execute(tables.line.update().where(*where).values(status="confirmed"))
        return int(result.rowcount)


def lines_by_status(engine: Engine, *statuses: str) -> list[sa.Row]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(tables.line)
                .where(tables.line.c.status.in_(statuses))
                .order_by(tables.line.c.id)
            ).all()
        )
