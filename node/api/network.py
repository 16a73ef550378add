"""One node for the whole network: the cooperatives this gateway serves besides its default one.

Every cooperative the network registry announced on the chain (`CooperativeRegistered`, read
from the mirror, never listed by hand) is served under `/c/{slug}/...` by the same routers: the
`CooperativeScope` middleware resolves the slug to that cooperative's `Gateway` (a sibling of the
default one, built on first use and kept) and hands it to the dependencies in the request's
scope; the route then sees `/...` as if the node served only that cooperative. The unscoped
routes keep serving the default cooperative (`COOP_COOPERATIVE`).

A slug is the cooperative's key in the deployment record, or its registry number ("7"), or its
charter address. A cooperative registered after the node started is served as soon as the mirror
holds its registration: an unknown slug is looked up in the mirror again (at most once per
mirror block and slug).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from anyio import to_thread
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Receive, Scope, Send
from web3 import Web3

from indexer.queries import network as queries
from node.api.gateway import Gateway
from node.api.problems import problem_response
from node.chain.client import checksum

log = logging.getLogger("coop.api.network")

PREFIX = "/c/"
#: A record key, a registry number or an address: nothing else reaches the database.
SLUG = re.compile(r"^(?:[a-z0-9][a-z0-9_-]{0,62}|0x[0-9a-fA-F]{40})$")


class Network:
    """The cooperatives this process serves: slug -> gateway, built lazily and kept."""

    def __init__(self, default: Gateway) -> None:
        self.default = default
        self._by_slug: dict[str, Gateway] = {default.slug.lower(): default}
        self._misses: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, Any]] = {
            str(k).lower(): v
            for k, v in (default.deployment.get("cooperatives") or {}).items()
            if isinstance(v, dict) and Web3.is_address(str(v.get("charter", "")))
        }
        self._record_slugs: dict[str, str] = {
            str(checksum(v["charter"])): k for k, v in self._records.items()
        }

    def slug_of(self, coop_id: int, charter: str) -> str:
        """The prefix the directory announces: the record's key, else the registry number."""
        if charter == self.default.coop.addresses.charter:
            return self.default.slug
        return self._record_slugs.get(charter, str(coop_id))

    def cached(self, slug: str) -> Gateway | None:
        return self._by_slug.get(slug.lower())

    def resolve(self, slug: str) -> Gateway | None:
        """The gateway of the cooperative `slug` names (None: none such). May read the mirror
        and the chain: call it off the event loop."""
        key = slug.lower()
        hit = self._by_slug.get(key)
        if hit is not None:
            return hit
        if not SLUG.match(slug):
            return None
        head = self._head()
        if head is not None and key in self._misses and self._misses[key] == head:
            return None
        found = self._find(key)
        if found is None:
            with self._lock:
                if len(self._misses) > 10_000:
                    self._misses.clear()
                self._misses[key] = head
            return None
        canonical, charter, record = found
        with self._lock:
            gw = self.default.family.get(charter)
            if gw is None:
                gw = self.default.sibling(canonical, charter, record)
                log.info("serving cooperative %s (%s)", canonical, charter)
            self._by_slug[key] = gw
            self._misses.pop(key, None)
        return gw

    def _head(self) -> Any:
        clock = getattr(self.default, "mirror_clock", None)
        return clock.head if clock is not None else None

    def _find(self, key: str) -> tuple[str, str, dict[str, Any]] | None:
        record = self._records.get(key)
        if record is not None:
            return key, checksum(record["charter"]), record
        gw = self.default
        name = checksum(key) if Web3.is_address(key) else key
        if not name.isdigit() and not Web3.is_address(name):
            return None
        try:
            with gw.engine.connect() as conn:
                found = queries.find_cooperative(conn, name, gw.chain_id)
        except DBAPIError:  # the mirror's tables are not there yet
            return None
        if found is None:
            return None
        coop_id, charter = found
        record = self._records.get(self._record_slugs.get(charter, ""), {"charter": charter})
        return self.slug_of(coop_id, charter), charter, {"id": coop_id, **record}


def network_of(app: Any) -> Network | None:
    network: Network | None = getattr(app.state, "network", None)
    return network


class CooperativeScope:
    """`/c/{slug}/rest` is `/rest` of the cooperative `slug`: the slug's gateway goes into the
    request's state (`deps.get_gateway` reads it) and the prefix into `root_path`, so the same
    routers match (Starlette routes on the path less the root path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        slug = path[len(PREFIX) :].split("/", 1)[0]
        network = network_of(scope["app"])
        gw = None
        if network is not None and slug:
            gw = network.cached(slug)
            if gw is None:
                gw = await to_thread.run_sync(network.resolve, slug)
        if gw is None:
            response = problem_response(
                404,
                f"В сети нет кооператива «{slug[:66]}» / No cooperative «{slug[:66]}» in the "
                "network",
                instance=path[:200],
            )
            await response(scope, receive, send)
            return
        scope = dict(scope)
        scope["root_path"] = scope.get("root_path", "") + PREFIX + slug
        scope["state"] = {**(scope.get("state") or {}), "gateway": gw}
        await self.app(scope, receive, send)
