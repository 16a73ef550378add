"""The gateway's side of the notices: the served cooperative's contracts for the notifier, and
the notifier thread started with the gateway (`coop serve`, `coop run`), like the exchange
follower. `COOP_NOTICES_INTERVAL=0` turns the thread off."""

from __future__ import annotations

import logging

from indexer.leader import LeaderLock
from node.api.gateway import Gateway
from node.notices import store
from node.notices.events import Contracts
from node.notices.worker import Notifier, NotifierConfig

log = logging.getLogger(__name__)


def cooperative_name(gw: Gateway) -> str:
    """The cooperative's name (the header of every notice), read from the charter once."""
    name = getattr(gw, "_notices_name", None)
    if name is None:
        name = str(gw.coop.charter.functions.name().call())
        gw._notices_name = name  # type: ignore[attr-defined]
    return name


def contracts_of(gw: Gateway) -> Contracts:
    gov = gw.governance()
    fund = gw.fund()
    a = gw.coop.addresses
    return Contracts(
        chain_id=gw.chain_id,
        charter=a.charter,
        membership=a.membership,
        units=a.settlement_units,
        documents=a.documents,
        council=gov.council.address if gov.council is not None else None,
        meeting=gov.meeting.address if gov.meeting is not None else None,
        fund=fund.address if fund is not None else None,
        public_url=gw.settings.public_url,
        name=cooperative_name(gw),
    )


def notifier_of(gw: Gateway) -> Notifier:
    s = gw.settings
    return Notifier(
        gw.engine,
        contracts_of(gw),
        NotifierConfig(
            smtp_url=s.smtp_url,
            sender=s.notices_from,
            backoff=s.notices_backoff,
            backoff_max=s.notices_backoff_max,
            interval=s.notices_interval,
            webhook_private=s.notices_webhook_private,
        ),
    )


def install(gw: Gateway) -> None:
    """The notices' tables (their own Alembic history), at app start."""
    store.migrate(gw.engine)


def start_notifier(gw: Gateway | None) -> Notifier | None:
    """Start the notifier for the served cooperative (None: no gateway, or turned off)."""
    if gw is None or gw.settings.notices_interval <= 0:
        return None
    notifier = notifier_of(gw)
    # One sender per chain and database, whatever the number of gateway processes: the same
    # kind of leader lock as the indexer's, under its own name.
    lock = LeaderLock(gw.engine, gw.chain_id, role="notices")
    notifier.gate = lock.try_acquire
    notifier.on_stop = lock.release
    notifier.start()
    gw.notifier = notifier  # type: ignore[attr-defined]
    log.info("notices: notifier started (smtp %s)", "on" if gw.settings.smtp_url else "off")
    return notifier
