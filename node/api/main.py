"""The HTTP gateway: one FastAPI app, routers per resource.

`create_app(settings, chain, deployment)` builds it (the runner and `coop serve` call it): it
opens the mirror's database, runs the gateway's own migrations, resolves the cooperative it
serves, and starts the relay tracker with the app. When no cooperative can be resolved (an empty
deployment record), `/health` still answers and every other route says why with a 503.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from node import __version__, portal
from node.api import mirror
from node.api.db import gateway_engine, migrate
from node.api.exchange.follower import start_follower
from node.api.gateway import Gateway, GatewayConfigError
from node.api.limits import BodySizeLimit, RateStore
from node.api.network import CooperativeScope, Network
from node.api.notifier import install as install_notices
from node.api.notifier import start_notifier
from node.api.problems import PROBLEM_JSON, TITLES, ProblemDetail, install_handlers
from node.api.relay import Tracker
from node.api.routes import (
    agreements,
    applications,
    audit,
    auth,
    bank,
    branches,
    contracts,
    cooperative,
    council,
    decisions,
    documents,
    fund,
    health,
    history,
    labour,
    meeting_officers,
    meetings,
    member_forms,
    members,
    network,
    notices,
    offers,
    orders,
    passkeys,
    programs,
    property,
    proxies,
    relay,
    signatures,
    unit_transfers,
    units,
    work,
)
from node.api.timing import SlowRequestLog
from node.chain.client import Chain
from node.core.config import Settings

log = logging.getLogger("coop.api")

DESCRIPTION = """
Шлюз цифрового кооператива / Gateway of a digital cooperative.

* **Чтение / reads** come from the SQL mirror; every answer says at which block it is current
  (`as_of` or `block`).
* **Запись / writes** never need the gateway to hold a member's key: `.../tx` routes return a
  transaction for the member's wallet (send it signed to `POST /relay/transactions`);
  `.../typed-data` routes return an EIP-712 payload whose signature the gateway relays, paying
  the gas (applications, ballots, invoice acceptances, document signatures). Each relayed action
  has a tracking id: `GET /relay/{id}` (pending, mined, indexed, failed with the reason).
* **Вход / sign-in**: Sign-In with Ethereum (EIP-4361), `POST /auth/nonce` then
  `POST /auth/verify`; send the token as `Authorization: Bearer`. Roles come from the chain.
* **Ошибки / errors**: `application/problem+json` (RFC 9457).
"""


def create_app(
    settings: Settings,
    chain: Chain,
    deployment: dict[str, Any] | None,
    *,
    engine: Engine | None = None,
    track_relays: bool = True,
    limits_store: RateStore | None = None,
    index: bool = False,
) -> FastAPI:
    """`index=True` also follows the chain into the mirror in a thread of this process while
    it holds the chain's leader lock (`indexer.leader`): of several gateway processes started
    with it, one indexes and the others stand by to take over."""
    tracker: Tracker | None = None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal tracker
        gw: Gateway | None = app.state.gateway
        # Everything loaded so far (web3, ABIs, models) lives as long as the app: keep it out of
        # the cyclic GC's full collections, which otherwise stall requests for hundreds of ms.
        gc.collect()
        gc.freeze()
        clock: mirror.MirrorClock | None = None
        if gw is not None:
            clock = mirror.MirrorClock(gw)
            clock.start()
            gw.mirror_clock = clock  # type: ignore[attr-defined]
        if gw is not None and track_relays:
            tracker = Tracker(gw, lambda: mirror.current_block(gw))
            tracker.start()
        follower = start_follower(gw)
        app.state.exchange_follower = follower
        notifier = start_notifier(gw)
        app.state.notifier = notifier
        index_stop = threading.Event()
        index_thread: threading.Thread | None = None
        if index:
            from indexer.run import Indexer

            indexer = Indexer.from_settings(settings)
            app.state.indexer = indexer
            index_thread = threading.Thread(
                target=indexer.follow, args=(index_stop,), name="indexer", daemon=True
            )
            index_thread.start()
        try:
            yield
        finally:
            if notifier is not None:
                notifier.stop()
            index_stop.set()
            if index_thread is not None:
                index_thread.join(timeout=10)
            if follower is not None:
                follower.stop()
                follower.join(timeout=5)
            if tracker is not None:
                tracker.stop()
                tracker.join(timeout=5)
            if clock is not None and gw is not None:
                clock.stop()
                clock.join(timeout=5)
                gw.mirror_clock = None  # type: ignore[attr-defined]

    app = FastAPI(
        title="Coopnode",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.chain = chain
    app.state.deployment = deployment
    app.state.gateway = None
    app.state.gateway_error = None
    app.state.indexer = None
    app.state.network = None
    try:
        db = engine or gateway_engine(settings.effective_database_url)
        migrate(db)
        app.state.gateway = Gateway(settings, chain, deployment, db, limits_store)
        install_notices(app.state.gateway)
        app.state.network = Network(app.state.gateway)
    except GatewayConfigError as exc:
        app.state.gateway_error = str(exc)
        log.warning("gateway routes disabled: %s", exc)

    install_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SlowRequestLog, threshold_ms=settings.log_slow_request_ms)
    app.add_middleware(CooperativeScope)
    app.include_router(health.router)
    for module in (
        auth,
        cooperative,
        contracts,
        members,
        member_forms,
        agreements,
        applications,
        council,
        meetings,
        proxies,
        units,
        signatures,
        documents,
        fund,
        property,
        programs,
        offers,
        orders,
        relay,
        passkeys,
        unit_transfers,
        audit,
        history,
        bank,
        notices,
        decisions,
        meeting_officers,
        work,
        labour,
        branches,
        network,
    ):
        app.include_router(module.router)
    app.include_router(notices.meetings_router)
    portal.install(app)
    _register_problem_schema(app)
    return app


#: Problems any operation may answer with (body limit, validation, unexpected, not configured).
COMMON_PROBLEMS = (400, 413, 422, 500, 503)


def _register_problem_schema(app: FastAPI) -> None:
    """Make `ProblemDetail` a named component, and declare the problem answers every operation
    may give as `application/problem+json` (FastAPI's default 422 body is replaced by ours)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ProblemDetail", ProblemDetail.model_json_schema())
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        ref = {"$ref": "#/components/schemas/ProblemDetail"}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                for status in COMMON_PROBLEMS:
                    responses.setdefault(str(status), {"description": TITLES[status]})
                for status, response in responses.items():
                    if status.isdigit() and int(status) >= 400:
                        response["content"] = {PROBLEM_JSON: {"schema": ref}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
