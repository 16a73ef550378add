"""The exchange's rules: offers, search, the order state machine and its documents.

Offers and orders are catalogue data in the gateway's database; money moves on chain. An
order advances through explicit states (`TRANSITIONS`); the parties' acts move it from
`requested` to `confirmed`, `declined` or `cancelled`, and chain facts read through the mirror
(`Facts`: the invoice issued with the order document's hash, the delivery act anchored and
signed by both, the invoice settled by payment or clearing) move it further. A refused step
raises `ExchangeError` and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from node.exchange.models import Offer, Order

UNIT = 10**18
#: Photos and attachments of offers: at most this many bytes, of these media types.
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 10
ALLOWED_MEDIA = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf", "text/plain"}
)

#: The order state machine: state -> states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"confirmed", "declined", "cancelled"}),
    "confirmed": frozenset({"invoiced", "cancelled", "disputed"}),
    "invoiced": frozenset({"delivered", "cancelled", "disputed"}),
    "delivered": frozenset({"completed", "disputed"}),
    "disputed": frozenset({"cancelled", "delivered", "completed"}),
    "completed": frozenset(),
    "declined": frozenset(),
    "cancelled": frozenset(),
}
ORDER_STATES = tuple(TRANSITIONS)
#: States in which chain facts can still move an order.
FOLLOWED = frozenset({"confirmed", "invoiced", "delivered", "disputed"})
#: How an order is paid: a ВРЕ invoice, or a transfer of the cooperative's payment token.
CURRENCIES = ("units", "token")
#: The council's outcomes of a dispute.
OUTCOMES = ("buyer", "supplier")
#: States from which a party may raise a dispute.
DISPUTABLE = frozenset({"confirmed", "invoiced", "delivered"})
#: States that release the reserved quantity back to the offer.
RELEASING = frozenset({"declined", "cancelled"})


class ExchangeError(Exception):
    """A refused step: HTTP status and a Russian / English message."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _now() -> int:
    return int(time.time())


def price_value(amount: int) -> float:
    return float(Decimal(amount) / Decimal(UNIT))


def normalize(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


# -- offers -----------------------------------------------------------------------------------


def create_offer(
    session: Session,
    *,
    cooperative: str,
    supplier: str,
    title: str,
    description: str,
    category: str,
    unit: str,
    price: int,
    quantity: int,
    region: str = "",
    token_price: int | None = None,
    program_id: int | None = None,
    supplier_programs: Collection[int] = (),
) -> Offer:
    """A new active offer. `program_id` scopes it to a target program, which the supplier must
    be in (`supplier_programs`: the programs the caller checked they are in)."""
    if program_id is not None and program_id not in supplier_programs:
        raise ExchangeError(
            403,
            f"Вы не участвуете в программе {program_id} / You are not in program {program_id}",
        )
    if price <= 0:
        raise ExchangeError(422, "Цена должна быть больше нуля / The price must be positive")
    if quantity < 0:
        raise ExchangeError(422, "Количество не может быть отрицательным / Negative quantity")
    now = _now()
    offer = Offer(
        cooperative=cooperative,
        supplier=supplier,
        title=title.strip(),
        search_text=normalize(f"{title} {description}"),
        description=description,
        category=normalize(category),
        unit=unit.strip(),
        price=str(price),
        price_value=price_value(price),
        token_price=None if token_price is None else str(token_price),
        quantity=quantity,
        region=normalize(region),
        program_id=program_id,
        created_at=now,
        updated_at=now,
    )
    session.add(offer)
    session.commit()
    session.refresh(offer)
    return offer


def get_offer(session: Session, offer_id: int) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise ExchangeError(404, f"Нет предложения {offer_id} / No offer {offer_id}")
    return offer


def _own_active(session: Session, offer_id: int, caller: str) -> Offer:
    offer = get_offer(session, offer_id)
    if offer.supplier != caller:
        raise ExchangeError(
            403,
            "Изменять предложение может только его автор / Only the supplier may change an offer",
        )
    if offer.status != "active":
        raise ExchangeError(409, f"Предложение {offer_id} снято / Offer {offer_id} is withdrawn")
    return offer


def update_offer(session: Session, offer_id: int, caller: str, changes: dict[str, Any]) -> Offer:
    offer = _own_active(session, offer_id, caller)
    for key, value in changes.items():
        if value is None:
            continue
        if key == "price":
            if int(value) <= 0:
                raise ExchangeError(
                    422, "Цена должна быть больше нуля / The price must be positive"
                )
            offer.price = str(int(value))
            offer.price_value = price_value(int(value))
        elif key == "token_price":
            offer.token_price = str(int(value))
        elif key in ("category", "region"):
            setattr(offer, key, normalize(str(value)))
        elif key in ("title", "description", "unit", "quantity"):
            setattr(offer, key, value)
    offer.search_text = normalize(f"{offer.title} {offer.description}")
    offer.updated_at = _now()
    session.add(offer)
    session.commit()
    session.refresh(offer)
    return offer


def withdraw_offer(session: Session, offer_id: int, caller: str) -> Offer:
    offer = _own_active(session, offer_id, caller)
    offer.status = "withdrawn"
    offer.updated_at = _now()
    session.add(offer)
    session.commit()
    session.refresh(offer)
    return offer


def add_attachment(session: Session, offer_id: int, caller: str, sha256: str) -> Offer:
    offer = _own_active(session, offer_id, caller)
    items: list[str] = json.loads(offer.attachments)
    if sha256 not in items:
        if len(items) >= MAX_ATTACHMENTS:
            raise ExchangeError(
                409,
                f"Не больше {MAX_ATTACHMENTS} файлов на предложение / At most "
                f"{MAX_ATTACHMENTS} files per offer",
            )
        items.append(sha256)
    offer.attachments = json.dumps(items)
    offer.updated_at = _now()
    session.add(offer)
    session.commit()
    session.refresh(offer)
    return offer


def check_attachment(media_type: str, size: int) -> str:
    """The normalized media type of an upload, or a refusal (413, 415)."""
    media = media_type.split(";")[0].strip().lower()
    if size > MAX_ATTACHMENT_BYTES:
        raise ExchangeError(
            413,
            f"Файл больше {MAX_ATTACHMENT_BYTES} байт / File larger than "
            f"{MAX_ATTACHMENT_BYTES} bytes",
        )
    if size == 0:
        raise ExchangeError(422, "Пустой файл / Empty file")
    if media not in ALLOWED_MEDIA:
        allowed = ", ".join(sorted(ALLOWED_MEDIA))
        raise ExchangeError(
            415, f"Недопустимый тип файла {media}; можно: {allowed} / Disallowed type {media}"
        )
    return media


@dataclass(frozen=True)
class OfferQuery:
    text: str | None = None
    category: str | None = None
    region: str | None = None
    supplier: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    status: str | None = "active"
    cooperatives: Sequence[str] = field(default_factory=tuple)
    """Visible cooperatives (empty: all)."""
    program: int | None = None
    """A target program's offers only (the caller checked the reader is in it); None: the
    offers of no program (a program's offers never show outside it)."""


FTS_TABLE = "api_exchange_offer_fts"


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _conditions(q: OfferQuery, dialect: str = "") -> list[Any]:
    where: list[Any] = []
    if q.status:
        where.append(col(Offer.status) == q.status)
    if q.cooperatives:
        where.append(col(Offer.cooperative).in_(list(q.cooperatives)))
    if q.program is None:
        where.append(col(Offer.program_id).is_(None))
    else:
        where.append(col(Offer.program_id) == q.program)
    if q.category:
        where.append(col(Offer.category) == normalize(q.category))
    if q.region:
        where.append(col(Offer.region) == normalize(q.region))
    if q.supplier:
        where.append(col(Offer.supplier) == q.supplier)
    if q.price_min is not None:
        where.append(col(Offer.price_value) >= price_value(q.price_min))
    if q.price_max is not None:
        where.append(col(Offer.price_value) <= price_value(q.price_max))
    words = normalize(q.text or "").split()[:8]
    if dialect == "sqlite":
        # The FTS5 trigram index finds words of 3+ characters; shorter ones fall back to LIKE.
        long_words = [w for w in words if len(w) >= 3]
        if long_words:
            match = " AND ".join(_fts_phrase(w) for w in long_words)
            where.append(
                col(Offer.id).in_(
                    sa.select(sa.literal_column("rowid"))
                    .select_from(sa.table(FTS_TABLE))
                    .where(sa.text(f"{FTS_TABLE} MATCH :match").bindparams(match=match))
                )
            )
        words = [w for w in words if len(w) < 3]
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(col(Offer.search_text).like(f"%{escaped}%", escape="\\"))
    return where


def search_offers(
    session: Session, q: OfferQuery, offset: int = 0, limit: int = 50
) -> tuple[list[Offer], int]:
    """A page of matching offers, newest first, and how many match in all."""
    where = _conditions(q, session.get_bind().dialect.name)
    stmt = select(Offer).where(*where).order_by(col(Offer.id).desc()).offset(offset).limit(limit)
    rows = list(session.exec(stmt))
    if offset == 0 and len(rows) < limit:
        return rows, len(rows)
    count = session.exec(select(sa.func.count()).select_from(Offer).where(*where)).one()
    return rows, int(count)


# -- orders -----------------------------------------------------------------------------------


def get_order(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise ExchangeError(404, f"Нет заказа {order_id} / No order {order_id}")
    return order


def advance(order: Order, target: str) -> None:
    """Move `order` to `target` if the state machine allows it, else refuse (409)."""
    if target not in TRANSITIONS.get(order.status, frozenset()):
        raise ExchangeError(
            409,
            f"Заказ {order.id} в состоянии {order.status}: переход в {target} невозможен / "
            f"Order {order.id} is {order.status}: cannot become {target}",
        )
    order.status = target
    order.updated_at = _now()


def place_order(
    session: Session,
    *,
    offer_id: int,
    buyer: str,
    quantity: int,
    note: str = "",
    currency: str = "units",
    buyer_cooperative: str | None = None,
    union_charter: str | None = None,
    receiver: str | None = None,
    buyer_programs: Collection[int] = (),
) -> Order:
    """Reserve `quantity` of an active offer for `buyer` (checked and written atomically).

    `buyer_cooperative` and `union_charter` are set for a cross-cooperative order (the caller
    has checked that both cooperatives are active members of that union); `receiver` is the
    trustee of the buyer's branch who receives the goods for it (the caller read it on chain).
    An offer scoped to a target program is ordered only by its members (`buyer_programs`: the
    programs the caller checked the buyer is in)."""
    if quantity <= 0:
        raise ExchangeError(422, "Количество должно быть больше нуля / Quantity must be positive")
    if currency not in CURRENCIES:
        raise ExchangeError(422, f"Неизвестная валюта {currency} / Unknown currency {currency}")
    offer = get_offer(session, offer_id)
    if currency == "token" and offer.token_price is None:
        raise ExchangeError(
            422,
            f"У предложения {offer_id} нет цены в платёжном токене / Offer {offer_id} has no "
            "price in the payment token",
        )
    if currency == "token" and buyer_cooperative is not None:
        raise ExchangeError(
            422,
            "Между кооперативами союза расчёт только в ВРЕ союза / Between the union's "
            "cooperatives the order is settled in the union's ВРЕ only",
        )
    if offer.status != "active":
        raise ExchangeError(409, f"Предложение {offer_id} снято / Offer {offer_id} is withdrawn")
    if offer.program_id is not None and (
        buyer_cooperative is not None or offer.program_id not in buyer_programs
    ):
        raise ExchangeError(
            403,
            f"Предложение только для участников программы {offer.program_id} / The offer is for "
            f"the members of program {offer.program_id} only",
        )
    if offer.supplier == buyer:
        raise ExchangeError(422, "Нельзя заказать у самого себя / You cannot order from yourself")
    # Reserve with a conditional update: two concurrent orders cannot both take the last units.
    reserved = session.exec(
        sa.update(Offer)
        .where(
            col(Offer.id) == offer_id,
            col(Offer.status) == "active",
            col(Offer.quantity) >= quantity,
        )
        .values(quantity=col(Offer.quantity) - quantity, updated_at=_now())
    )
    if reserved.rowcount != 1:
        session.rollback()
        raise ExchangeError(
            409,
            f"Доступно только {offer.quantity} {offer.unit}, заказано {quantity} / Only "
            f"{offer.quantity} available, {quantity} ordered",
        )
    now = _now()
    order = Order(
        offer_id=offer_id,
        cooperative=offer.cooperative,
        supplier=offer.supplier,
        buyer=buyer,
        quantity=quantity,
        unit_price=offer.price,
        total=str(int(offer.price) * quantity),
        note=note,
        currency=currency,
        token_total=None if currency == "units" else str(int(offer.token_price or 0) * quantity),
        buyer_cooperative=buyer_cooperative,
        union_charter=union_charter,
        receiver=receiver,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    session.commit()
    session.refresh(order)
    return order


def _release(session: Session, order: Order) -> None:
    session.exec(
        sa.update(Offer)
        .where(col(Offer.id) == order.offer_id)
        .values(quantity=col(Offer.quantity) + order.quantity, updated_at=_now())
    )


def _party(order: Order, caller: str, who: str) -> None:
    expected = order.supplier if who == "supplier" else order.buyer
    if caller != expected:
        ru = "поставщик" if who == "supplier" else "покупатель"
        raise ExchangeError(
            403, f"Это может сделать только {ru} заказа / Only the order's {who} may do this"
        )


def order_document(order: Order, offer: Offer, chain_id: int) -> bytes:
    """The canonical order document (sorted-key UTF-8 JSON): its SHA-256 is the invoice's
    `documentHash`, recomputable by anyone from the order's data."""
    body = {
        "type": "coopnode.exchange.order",
        "version": 1,
        "chain_id": chain_id,
        "cooperative": order.cooperative,
        "order_id": order.id,
        "offer": {
            "id": offer.id,
            "title": offer.title,
            "category": offer.category,
            "unit": offer.unit,
        },
        "supplier": order.supplier,
        "buyer": order.buyer,
        "quantity": order.quantity,
        "unit_price": order.unit_price,
        "total": order.total,
        "ordered_at": order.created_at,
    }
    if order.buyer_cooperative is not None:
        body["buyer_cooperative"] = order.buyer_cooperative
        body["union"] = order.union_charter
    if order.currency == "token":
        body["currency"] = "token"
        body["token_total"] = order.token_total
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def confirm_order(session: Session, order_id: int, caller: str, document_sha256: str) -> Order:
    order = get_order(session, order_id)
    _party(order, caller, "supplier")
    advance(order, "confirmed")
    order.document_sha256 = document_sha256
    session.add(order)
    session.commit()
    session.refresh(order)
    return order


def check_confirmable(session: Session, order_id: int, caller: str) -> tuple[Order, Offer]:
    order = get_order(session, order_id)
    _party(order, caller, "supplier")
    if "confirmed" not in TRANSITIONS[order.status]:
        advance(order, "confirmed")  # raises the 409
    return order, get_offer(session, order.offer_id)


def decline_order(session: Session, order_id: int, caller: str) -> Order:
    order = get_order(session, order_id)
    _party(order, caller, "supplier")
    advance(order, "declined")
    _release(session, order)
    session.add(order)
    session.commit()
    session.refresh(order)
    return order


def cancel_order(session: Session, order_id: int, caller: str) -> Order:
    """The buyer withdraws an order before the supplier has confirmed it."""
    order = get_order(session, order_id)
    _party(order, caller, "buyer")
    if order.status != "requested":
        raise ExchangeError(
            409,
            f"Заказ {order_id} уже {order.status}: отменить можно только до подтверждения / "
            f"Order {order_id} is {order.status}: only a requested order can be cancelled",
        )
    advance(order, "cancelled")
    _release(session, order)
    session.add(order)
    session.commit()
    session.refresh(order)
    return order


def start_act(session: Session, order_id: int, caller: str) -> tuple[Order, Offer]:
    order = get_order(session, order_id)
    if caller not in (order.buyer, order.supplier):
        raise ExchangeError(
            403, "Акт составляют стороны заказа / Only the order's parties draw up the act"
        )
    if order.status != "invoiced":
        raise ExchangeError(
            409,
            f"Акт составляется после выставления счёта; заказ {order_id} в состоянии "
            f"{order.status} / The act follows the invoice; order {order_id} is {order.status}",
        )
    return order, get_offer(session, order.offer_id)


def set_act(session: Session, order: Order, sha256: str) -> Order:
    order.act_sha256 = sha256
    order.updated_at = _now()
    session.add(order)
    session.commit()
    session.refresh(order)
    return order


def dispute_document(order: Order, caller: str, reason: str) -> bytes:
    body = {
        "type": "coopnode.exchange.dispute",
        "version": 1,
        "order_id": order.id,
        "order_document": order.document_sha256,
        "obligation_id": order.obligation_id,
        "raised_by": caller,
        "supplier": order.supplier,
        "buyer": order.buyer,
        "reason": reason,
        "raised_at": _now(),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def check_disputable(session: Session, order_id: int, caller: str) -> Order:
    order = get_order(session, order_id)
    if caller not in (order.buyer, order.supplier):
        raise ExchangeError(403, "Спор открывают стороны заказа / Only the parties may dispute")
    if order.status not in DISPUTABLE:
        advance(order, "disputed")  # raises the 409
    return order


def dispute_order(session: Session, order_id: int, caller: str, sha256: str) -> Order:
    order = check_disputable(session, order_id, caller)
    advance(order, "disputed")
    order.dispute_sha256 = sha256
    session.add(order)
    session.commit()
    session.refresh(order)
    return order


# -- chain facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the chain (through the mirror) says about an order."""

    obligation_id: int | None = None
    obligation_status: str | None = None
    """issued | accepted | settled | cancelled | rejected."""
    act_signers: frozenset[str] = frozenset()
    """Who signed the anchored delivery act (empty: not anchored)."""
    dispute_outcome: str | None = None
    """buyer | supplier: the council's executed decision on the order's dispute statement."""
    bank_payments: tuple[BankPayment, ...] = ()
    """Ruble payments a cashier attested for the order on chain (BankSettlements'
    `PaymentRecorded`, purpose ExchangeOrder), in chain order."""


@dataclass(frozen=True)
class BankPayment:
    """A bank transfer paying an order, as the chain records it."""

    line: str
    """The statement line's hash (0x-hex): what paid the order, unique like a transaction."""
    payer: str
    amount: int
    """In the payment token's base units (rubles scaled by its decimals)."""


def _settled(order: Order, facts: Facts) -> bool:
    return facts.obligation_status == "settled" or order.token_payment_tx is not None


def _act_signed(order: Order, facts: Facts) -> bool:
    """The supplier and the buyer signed the act, or the supplier and the trustee of the buyer's
    branch who received the goods for it (`receiver`)."""
    if order.supplier not in facts.act_signers:
        return False
    return order.buyer in facts.act_signers or (
        order.receiver is not None and order.receiver in facts.act_signers
    )


def _delivered(order: Order, facts: Facts) -> bool:
    """Both parties signed the act; or, between cooperatives, the buyer's cooperative accepted
    the invoice by its council's decision (its acknowledgement of the delivery); or the council
    decided a dispute for the supplier."""
    if _act_signed(order, facts):
        return True
    if "supplier" in (order.dispute_outcome, facts.dispute_outcome):
        return True  # the council found the delivery made
    return order.buyer_cooperative is not None and facts.obligation_status in (
        "accepted",
        "settled",
    )


def target_state(order: Order, facts: Facts) -> str:
    """Where the chain facts put a followed order (never backwards)."""
    status = order.status
    if status not in FOLLOWED:
        return status
    if status == "disputed":
        if facts.dispute_outcome == "buyer":
            return "cancelled"
        if facts.dispute_outcome == "supplier":
            return "completed" if _settled(order, facts) else "delivered"
        return status
    if order.currency == "units" and facts.obligation_status in ("cancelled", "rejected"):
        return "cancelled" if status in ("confirmed", "invoiced") else status
    if facts.obligation_id is None and order.token_payment_tx is None:
        return status
    signed = _delivered(order, facts)
    if signed and _settled(order, facts):
        return "completed"
    if signed:
        return "delivered"
    return "invoiced" if status == "confirmed" else status


def _take_bank_payment(order: Order, facts: Facts) -> bool:
    """A ruble payment recorded on chain pays a token order as a token transfer does: the
    payer must be the buyer and the amount exactly `token_total`, after the supplier's
    confirmation. The line's hash takes the place of the transfer's (one order per line).
    Payments that do not fit are left alone (the cashier's matching queues them before they
    reach the chain; one that got there anyway is a refund matter, not a payment)."""
    if order.currency != "token" or order.token_payment_tx is not None:
        return False
    if order.status != "confirmed" or order.token_total is None:
        return False
    for paid in facts.bank_payments:
        if paid.payer.lower() == order.buyer.lower() and paid.amount == int(order.token_total):
            order.token_payment_tx = paid.line
            order.settlement = "bank"
            return True
    return False


def apply_facts(session: Session, order: Order, facts: Facts) -> bool:
    """Advance `order` along the state machine to what the facts show; True if it changed."""
    changed = _take_bank_payment(order, facts)
    target = target_state(order, facts)
    if facts.obligation_id is not None and order.obligation_id != facts.obligation_id:
        order.obligation_id = facts.obligation_id
        changed = True
    if facts.obligation_status is not None and order.invoice_status != facts.obligation_status:
        order.invoice_status = facts.obligation_status
        changed = True
    if facts.obligation_status == "settled" and order.settlement is None:
        order.settlement = "settled"
        changed = True
    if facts.dispute_outcome is not None and order.dispute_outcome != facts.dispute_outcome:
        order.dispute_outcome = facts.dispute_outcome
        changed = True
    signed = _act_signed(order, facts)
    if signed and not order.act_signed:
        order.act_signed = True
        changed = True
    path = {
        ("confirmed", "delivered"): ["invoiced", "delivered"],
        ("confirmed", "completed"): ["invoiced", "delivered", "completed"],
        ("invoiced", "completed"): ["delivered", "completed"],
    }.get((order.status, target), [target] if target != order.status else [])
    before = order.status
    for step in path:
        advance(order, step)
        changed = True
    if order.status in RELEASING and path:
        # Followers of two gateways and readers may apply the same facts at once: only the one
        # whose guarded update moves the row out of `before` returns the quantity.
        with session.no_autoflush:
            claimed = session.exec(
                sa.update(Order)
                .where(col(Order.id) == order.id, col(Order.status) == before)
                .values(status=order.status, updated_at=_now())
            )
            if claimed.rowcount == 1:
                _release(session, order)
    if changed:
        order.updated_at = _now()
        session.add(order)
        session.commit()
        session.refresh(order)
    return changed


def list_orders(
    session: Session,
    *,
    party: str | None = None,
    role: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
    cooperative: str | None = None,
) -> tuple[list[Order], int]:
    """Orders newest first; `cooperative`: only those it takes part in (as the supplier's or
    the buyer's cooperative)."""
    where: list[Any] = []
    if cooperative is not None:
        where.append(
            sa.or_(
                col(Order.cooperative) == cooperative,
                col(Order.buyer_cooperative) == cooperative,
            )
        )
    if party is not None:
        if role == "buyer":
            where.append(col(Order.buyer) == party)
        elif role == "supplier":
            where.append(col(Order.supplier) == party)
        else:
            where.append(sa.or_(col(Order.buyer) == party, col(Order.supplier) == party))
    if status is not None:
        where.append(col(Order.status) == status)
    stmt = select(Order).where(*where).order_by(col(Order.id).desc()).offset(offset).limit(limit)
    rows = list(session.exec(stmt))
    count = session.exec(select(sa.func.count()).select_from(Order).where(*where)).one()
    return rows, int(count)


@dataclass(frozen=True)
class Reputation:
    address: str
    completed: int
    """Orders whose delivery act is anchored and signed by both parties."""
    disputed: int
    cancelled: int
    """Declined by the supplier or cancelled (by the buyer, or the invoice on chain)."""
    as_supplier: int
    as_buyer: int
    acts: list[str]
    """The signed delivery acts (SHA-256): anyone can check them at `POST /documents/verify`."""


def reputation(session: Session, address: str) -> Reputation:
    rows: Iterable[Order] = session.exec(
        select(Order).where(sa.or_(col(Order.buyer) == address, col(Order.supplier) == address))
    )
    completed = disputed = cancelled = as_supplier = as_buyer = 0
    acts: list[str] = []
    for o in rows:
        if o.supplier == address:
            as_supplier += 1
        else:
            as_buyer += 1
        if o.act_signed and o.act_sha256:
            completed += 1
            acts.append(o.act_sha256)
        elif o.status == "completed":
            completed += 1  # between cooperatives: acknowledged by the buyer cooperative
        if o.status == "disputed":
            disputed += 1
        elif o.status in RELEASING:
            cancelled += 1
    return Reputation(address, completed, disputed, cancelled, as_supplier, as_buyer, acts)


# -- payment in the payment token, dispute outcome --------------------------------------------


def record_token_payment(session: Session, order_id: int, caller: str, tx_hash: str) -> Order:
    """Record a verified ERC-20 transfer paying a token order (the caller verified it on
    chain); the order counts as invoiced and paid."""
    order = get_order(session, order_id)
    _party(order, caller, "buyer")
    if order.currency != "token":
        raise ExchangeError(
            409, f"Заказ {order_id} оплачивается в ВРЕ / Order {order_id} is paid in ВРЕ"
        )
    if order.token_payment_tx is not None:
        raise ExchangeError(409, f"Заказ {order_id} уже оплачен / Order {order_id} is paid")
    if order.status != "confirmed":
        raise ExchangeError(
            409,
            f"Оплата после подтверждения поставщиком; заказ {order_id} в состоянии "
            f"{order.status} / Pay after the supplier confirms; order {order_id} is "
            f"{order.status}",
        )
    taken = session.exec(select(Order).where(col(Order.token_payment_tx) == tx_hash)).first()
    if taken is not None:
        raise ExchangeError(
            409,
            f"Транзакция {tx_hash} уже оплатила заказ {taken.id} / Transaction {tx_hash} "
            f"already paid order {taken.id}",
        )
    order.token_payment_tx = tx_hash
    order.settlement = "token"
    advance(order, "invoiced")
    session.add(order)
    session.commit()
    session.refresh(order)
    return order


def resolution_document(order: Order, outcome: str) -> bytes:
    """The council's resolution of a dispute (canonical JSON, no time in it): its SHA-256 is
    the protocol hash the chair signs, so anyone can tell the outcome from the chain."""
    if outcome not in OUTCOMES:
        raise ExchangeError(422, "Исход спора: buyer или supplier / Outcome: buyer or supplier")
    body = {
        "type": "coopnode.exchange.dispute_resolution",
        "version": 1,
        "order_id": order.id,
        "dispute": order.dispute_sha256,
        "supplier": order.supplier,
        "buyer": order.buyer,
        "outcome": outcome,
        "decision_ru": "спор решён в пользу покупателя: заказ отменён, счёт отменяется"
        if outcome == "buyer"
        else "спор решён в пользу поставщика: поставка признана",
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def outcome_of(order: Order, protocol_hash: str | None) -> str | None:
    """Which resolution document `protocol_hash` (0x-prefixed SHA-256) is, if any."""
    if protocol_hash is None or order.dispute_sha256 is None:
        return None
    for outcome in OUTCOMES:
        digest = hashlib.sha256(resolution_document(order, outcome)).hexdigest()
        if protocol_hash.lower() == "0x" + digest:
            return outcome
    return None


def followed_orders(
    session: Session, cooperative: str, after_id: int = 0, limit: int = 200
) -> list[Order]:
    """Orders chain facts can still move that touch `cooperative` (as the supplier's or the
    buyer's), in id order from `after_id` (the follower's batches)."""
    stmt = (
        select(Order)
        .where(
            col(Order.status).in_(sorted(FOLLOWED)),
            sa.or_(
                col(Order.cooperative) == cooperative,
                col(Order.buyer_cooperative) == cooperative,
            ),
            col(Order.id) > after_id,
        )
        .order_by(col(Order.id))
        .limit(limit)
    )
    return list(session.exec(stmt))
