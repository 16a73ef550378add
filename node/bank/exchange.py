"""The exchange's orders as ruble payments see them: what an order asks (`ExchangeOrders`,
the cashier's matching checks a `КП-<n>-БИР-<order>` payment against it before proposing it).

The order itself is moved by the chain fact, not from here: once the cashier's batch records
the payment (`BankSettlements.PaymentRecorded`, purpose ExchangeOrder, ref = the order id), the
exchange follower reads it from the mirror and the order is paid like a token transfer pays it
(`node.exchange.service.apply_facts`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from node.bank.matching import OrderDue
from node.exchange.models import Order


def exchange_orders(engine: Engine, scale: int, charter: str) -> ExchangeOrders | None:
    """The exchange's orders in this database; None when the gateway's tables are not there (a
    bank database of its own: exchange payments are then proposed on the reference alone)."""
    if not sa.inspect(engine).has_table(Order.__tablename__):
        return None
    return ExchangeOrders(engine, scale, charter)


class ExchangeOrders:
    """Orders of the exchange in the node's database."""

    def __init__(self, engine: Engine, scale: int, charter: str) -> None:
        self.engine = engine
        self.scale = scale
        """Token base units per kopeck."""
        self.charter = charter
        """This cooperative: only its own orders are paid into its account."""

    def due(self, order_id: int) -> OrderDue | None:
        with Session(self.engine) as session:
            order = session.get(Order, order_id)
            if order is None:
                return None
            total = int(order.token_total) if order.token_total is not None else -1
            kopecks = total // self.scale if total > 0 and total % self.scale == 0 else -1
            payable = (
                order.cooperative.lower() == self.charter.lower()
                and order.currency == "token"
                and order.status == "confirmed"
                and order.token_payment_tx is None
                and kopecks > 0
            )
            return OrderDue(order.buyer, kopecks, payable, order.status)
