"""The exchange follower: advances open orders from the mirror's chain facts in the background,
so an order reaches `invoiced`, `delivered`, `completed` or the council's dispute outcome even
when nobody reads it.

It keeps no state of its own: each pass reads the orders that chain facts can still move
(`service.FOLLOWED`) of the served cooperative (as the supplier's or the buyer's) from the
database, in id order and in batches, and applies the facts (`shared.facts_of`,
`service.apply_facts`: states never go backwards). A restarted gateway therefore resumes where
the database stands. Started with the gateway (`coop serve`, `coop run`) every
`COOP_EXCHANGE_FOLLOW_INTERVAL` seconds (0: off).
"""

from __future__ import annotations

import logging
import threading

from sqlmodel import Session

from node.api.exchange.shared import facts_of
from node.api.gateway import Gateway
from node.exchange import service

log = logging.getLogger(__name__)

BATCH = 200


class Follower(threading.Thread):
    def __init__(self, gw: Gateway, interval: float) -> None:
        super().__init__(name="exchange-follower", daemon=True)
        self.gw = gw
        self.interval = interval
        self.passes = 0
        self.advanced = 0
        self._stop_event = threading.Event()

    def tick(self) -> int:
        """One pass over the open orders; returns how many changed."""
        changed = 0
        after = 0
        charter = self.gw.coop.addresses.charter
        with Session(self.gw.engine) as session:
            while True:
                batch = service.followed_orders(session, charter, after, BATCH)
                for order in batch:
                    after = int(order.id or 0)
                    facts = facts_of(self.gw, order)
                    try:
                        if facts is not None and service.apply_facts(session, order, facts):
                            changed += 1
                    except service.ExchangeError:
                        session.rollback()  # a move the machine refuses: left as it is
                if len(batch) < BATCH:
                    break
        self.passes += 1
        self.advanced += changed
        return changed

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            try:
                self.tick()
            except Exception:  # a pass that fails (mirror down, database busy) is retried
                log.exception("exchange follower pass failed")

    def stop(self) -> None:
        self._stop_event.set()


def start_follower(gw: Gateway | None) -> Follower | None:
    """Start the follower for the served cooperative (None: no gateway, or turned off)."""
    if gw is None or gw.settings.exchange_follow_interval <= 0:
        return None
    follower = Follower(gw, gw.settings.exchange_follow_interval)
    follower.start()
    return follower
