"""The gateway's state: which cooperative it serves, its contracts, keys, stores and caches.

A gateway serves one cooperative (`COOP_COOPERATIVE`: a slug of the deployment record or a
Charter address; by default the record's first cooperative): its members, its council. The node
serves the other cooperatives of the network through siblings (`Gateway.sibling`, built on first
request by `node.api.network`) that share the process-wide parts (relayer, sessions, stores).
Roles come from the served cooperative's chain state (cached for `roles_ttl` seconds):

| role | from |
|---|---|
| applicant | `Membership.statusOf(a) == Applicant` |
| member | `Membership.isActiveMember(a)` |
| council | `Council.isCouncilMember(a)` (executor is a Council), else `initialCouncil()` |
| chair | `Charter.chair() == a` |
| cashier, verifier | `Charter.isCashier(a)`, `Charter.isVerifier(a)` |
| auditor | `Charter.isAuditor(a)` (appointed by a decision), or listed in `COOP_AUDITORS` |
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_account.signers.local import LocalAccount
from sqlalchemy.engine import Engine
from web3 import Web3

from indexer.queries import common
from node.accounts.client import PasskeyAccounts
from node.api.auth import SessionSigner, load_session_secret
from node.api.limits import Budget, MemoryRateStore, RateStore
from node.api.sessions import Revocations
from node.api.stores import Nonces, RedisNonces, RedisRateStore, SqlNonces, redis_client
from node.chain.client import Chain, account_from_key, checksum
from node.cooperative.client import Cooperative
from node.core.config import Settings
from node.documents.store import DocumentStore
from node.documents.template_store import TemplateStore
from node.fund.client import MutualAidFund, PropertyRegistry
from node.governance.client import Council, GeneralMeeting
from node.identity.crypto import KeyRing, load_keyring
from node.units.client import SettlementUnitsClient

if TYPE_CHECKING:
    from node.documents.seal import SealKey

log = logging.getLogger("coop.api.gateway")

ZERO = "0x0000000000000000000000000000000000000000"

ROLE_NAMES = ("applicant", "member", "council", "chair", "cashier", "verifier", "auditor")
#: Roles that may act (everyone signed in may read; an auditor never writes).
WRITING_ROLES = frozenset({"applicant", "member", "council", "chair", "cashier", "verifier"})


class GatewayConfigError(RuntimeError):
    """The deployment record does not name the cooperative the gateway should serve."""


def resolve_cooperative(
    deployment: dict[str, Any] | None, wanted: str | None
) -> tuple[str, str, dict[str, Any]]:
    """(slug, charter address, record) of the cooperative to serve."""
    cooperatives: dict[str, Any] = (deployment or {}).get("cooperatives") or {}
    if wanted and Web3.is_address(wanted):
        for slug, record in cooperatives.items():
            if str(record.get("charter", "")).lower() == wanted.lower():
                return slug, checksum(wanted), record
        return "cooperative", checksum(wanted), {"charter": checksum(wanted)}
    if wanted:
        if wanted not in cooperatives:
            raise GatewayConfigError(
                f"COOP_COOPERATIVE={wanted!r}: no such cooperative in the deployment record "
                f"(known: {', '.join(cooperatives) or 'none'})"
            )
        return wanted, checksum(cooperatives[wanted]["charter"]), cooperatives[wanted]
    if not cooperatives:
        raise GatewayConfigError(
            "the deployment record names no cooperative: set COOP_COOPERATIVE to a Charter address"
        )
    slug = next(iter(cooperatives))
    return slug, checksum(cooperatives[slug]["charter"]), cooperatives[slug]


@dataclass(frozen=True)
class Governance:
    council: Council | None
    meeting: GeneralMeeting | None
    executor: str


#: What a sibling gateway does not take over from the gateway it was made from (see
#: `Gateway.sibling`): everything of one cooperative, and the caches keyed by nothing else.
_PER_COOPERATIVE = frozenset(
    {
        "slug",
        "record",
        "coop",
        "units",
        "_roles",
        "_roles_lock",
        "_lookup_locks",
        "_refreshing",
        "_gov",
        "_fund",
        "_passkeys",
        "_seal",
        "_seal_lock",
        "_registry",
        "_read_cache",
        "_notices_name",
        "notifier",
    }
)


class Gateway:
    """Everything a request handler needs, built once per app (and once per further
    cooperative the node serves, see `sibling`)."""

    def __init__(
        self,
        settings: Settings,
        chain: Chain,
        deployment: dict[str, Any] | None,
        engine: Engine,
        limits_store: RateStore | None = None,
    ) -> None:
        self.settings = settings
        self.chain = chain
        self.deployment = deployment or {}
        self.engine = engine
        slug, charter, record = resolve_cooperative(deployment, settings.cooperative)
        self.chain_id = chain.chain_id
        self.relayer: LocalAccount = account_from_key(settings.effective_relayer_key)
        self.relay_lock = threading.Lock()
        self._relay_activity = threading.Event()  # see node.api.relay.relay_activity
        self.keyring: KeyRing = load_keyring(settings.pii_keys, settings.gateway_dir / "pii.key")
        self.store = DocumentStore(settings.documents_dir, self.keyring)
        self.templates = TemplateStore(settings.template_bundles_dir, settings.templates_dir)
        self.sessions = SessionSigner(
            load_session_secret(settings.session_secret, settings.gateway_dir / "session.key"),
            settings.session_ttl,
        )
        self.revocations = Revocations(engine, settings.session_ttl)
        self.revocations.load()
        self.auditors = frozenset(checksum(a) for a in settings.auditors if Web3.is_address(a))
        # Shared by every gateway process when COOP_REDIS_URL is set (see node.api.stores).
        self.redis = redis_client(settings.redis_url) if settings.redis_url else None
        self.nonces: Nonces = (
            RedisNonces(self.redis, settings.redis_prefix)
            if self.redis is not None
            else SqlNonces(engine)
        )
        if limits_store is None:
            limits_store = (
                RedisRateStore(self.redis, settings.redis_prefix)
                if self.redis is not None
                else MemoryRateStore()
            )
        self.limits: RateStore = limits_store
        auth, auth_address = settings.rate_limit_auth, settings.rate_limit_auth_address
        self.auth_limit = Budget(
            "auth-ip", auth, settings.rate_limit_auth_burst or 2 * auth, self.limits
        )
        self.auth_address_limit = Budget(
            "auth-address",
            auth_address,
            settings.rate_limit_auth_address_burst or 2 * auth_address,
            self.limits,
        )
        relay = settings.rate_limit_relay
        self.relay_limit = Budget("relay-ip", relay, max(5.0, relay / 4), self.limits)
        self._role_refresher = ThreadPoolExecutor(1, thread_name_prefix="coop-roles")
        self._own_relays: set[str] = set()  # see node.api.relay.own_relays (one per process)
        self.family: dict[str, Gateway] = {}
        """Charter -> the gateway serving it in this process: this one and its siblings (the
        other cooperatives of the network this node serves, see `sibling`)."""
        self._serve(slug, charter, record)

    def _serve(self, slug: str, charter: str, record: dict[str, Any]) -> None:
        """Take up the cooperative this gateway serves: its contracts and its caches."""
        self.slug, self.record = slug, record
        self.coop = Cooperative.from_charter(self.chain, charter, int(record.get("id", 0) or 0))
        self.units = SettlementUnitsClient(self.chain, self.coop.addresses.settlement_units)
        self._roles: dict[str, tuple[float, frozenset[str]]] = {}
        self._roles_lock = threading.Lock()
        self._lookup_locks: dict[str, threading.Lock] = {}
        self._refreshing: set[str] = set()
        self._gov: tuple[float, Governance] | None = None
        self._fund: MutualAidFund | None = None
        self._passkeys: PasskeyAccounts | None = None
        self._seal: SealKey | None = None
        self._seal_lock = threading.Lock()
        self._registry: PropertyRegistry | None = None
        self.family[self.coop.addresses.charter] = self

    def sibling(self, slug: str, charter: str, record: dict[str, Any] | None = None) -> Gateway:
        """This node serving another cooperative of the network: the process-wide parts (the
        chain, the database, the relayer and its lock, sessions and their revocations, nonces,
        rate limits, keys, the document store, the mirror clock) are this gateway's; the
        cooperative's contracts, roles and caches (reads, governance, modules) its own."""
        other = object.__new__(Gateway)
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _PER_COOPERATIVE})
        other._serve(slug, checksum(charter), dict(record or {"charter": checksum(charter)}))
        return other

    # -- contracts ----------------------------------------------------------------------------

    def contract_addresses(self) -> dict[str, str]:
        a = self.coop.addresses
        out = {
            "charter": a.charter,
            "membership": a.membership,
            "shares": a.shares,
            "treasury": a.treasury,
            "documents": a.documents,
            "settlement_units": a.settlement_units,
        }
        gov = self.governance()
        if gov.council is not None:
            out["council"] = gov.council.address
        if gov.meeting is not None:
            out["general_meeting"] = gov.meeting.address
            proxies = gov.meeting.proxies_address()
            if proxies is not None:
                out["meeting_proxies"] = proxies
        for key in ("mutual_aid_fund", "property_registry", "branches", "target_programs"):
            address = self.module_address(key)
            if address is not None:
                out[key] = address
        labour = self.labour_register_address()
        if labour is not None:
            out["labour_register"] = labour
        return out

    def labour_register_address(self) -> str | None:
        """The labour register: the record's `labour_register`, else the latest one the mirror
        saw installed for the charter (`LabourRegisterInstalled`); None when there is none."""
        address = self.module_address("labour_register")
        if address is not None:
            return address
        from sqlalchemy.exc import DBAPIError

        from indexer.queries import labour

        try:
            with self.engine.connect() as conn:
                found = labour.register_of(conn, self.coop.addresses.charter, self.chain_id)
        except DBAPIError:  # the indexer has not created the mirror's tables yet
            return None
        return checksum(found) if found else None

    def module_address(self, key: str) -> str | None:
        """A module deployed beside the factory's set (`mutual_aid_fund`, `property_registry`):
        from the cooperative's record, else the record's `contracts["<slug>.<key>"]`."""
        contracts = self.deployment.get("contracts") or {}
        value = self.record.get(key) or contracts.get(f"{self.slug}.{key}")
        if isinstance(value, str) and Web3.is_address(value):
            return checksum(value)
        return None

    def passkeys(self) -> PasskeyAccounts | None:
        """The chain's passkey account factory (`COOP_PASSKEY_FACTORY`, else the deployment
        record's `contracts.PasskeyAccountFactory`); None when passkeys are off."""
        contracts = self.deployment.get("contracts") or {}
        address = self.settings.passkey_factory or contracts.get("PasskeyAccountFactory")
        if not isinstance(address, str) or not Web3.is_address(address):
            return None
        cached = self._passkeys
        if cached is None or cached.address != checksum(address):
            cached = self._passkeys = PasskeyAccounts(self.chain, address)
        return cached

    def fund(self) -> MutualAidFund | None:
        """The cooperative's mutual-aid fund client (None when none is deployed)."""
        address = self.module_address("mutual_aid_fund")
        if address is None:
            return None
        cached = self._fund
        if cached is None or cached.address != address:
            cached = self._fund = MutualAidFund(self.chain, address)
        return cached

    def registry(self) -> PropertyRegistry | None:
        address = self.module_address("property_registry")
        if address is None:
            return None
        cached = self._registry
        if cached is None or cached.address != address:
            cached = self._registry = PropertyRegistry(self.chain, address)
        return cached

    def seal_key(self) -> SealKey:
        """The node's document seal, made on first use in `<data>/seal/` and the same ever
        after (never regenerated: see `node.documents.seal`)."""
        from node.documents.seal import ensure_seal_key  # pyHanko: loaded when first sealing

        with self._seal_lock:
            if self._seal is None:
                name = str(self.coop.charter.functions.name().call())
                self._seal, _created = ensure_seal_key(self.settings.seal_dir, name)
            return self._seal

    def governance(self) -> Governance:
        """The council and meeting contracts, found from the charter's decision executor."""
        now = time.monotonic()
        cached = self._gov
        if cached is not None and now - cached[0] < max(self.settings.roles_ttl, 1.0):
            return cached[1]
        executor = checksum(self.coop.charter.functions.decisionExecutor().call())
        council: Council | None = None
        meeting: GeneralMeeting | None = None
        if self.chain.has_code(executor):
            try:
                candidate = Council(self.chain, executor)
                meeting_address = candidate.contract.functions.generalMeeting().call()
                council = candidate
                if int(meeting_address, 16) != 0:
                    meeting = GeneralMeeting(self.chain, meeting_address)
            except Exception:  # the executor is some other contract (a multisig, ...)
                council = None
        gov = Governance(council, meeting, executor)
        self._gov = (now, gov)
        return gov

    # -- roles --------------------------------------------------------------------------------
    #
    # A role lookup is eight contract calls. They are cached per address for `roles_ttl`
    # seconds; when an entry goes stale, the request that notices it keeps the stale roles
    # (at most `2 * roles_ttl` old) and one background refresh per address replaces them.
    # Without this every request of a busy session missed at the same moment when the entry
    # expired, each ran the eight calls in the thread pool, and the p99 latency of every read
    # became the length of that herd (about a second every `roles_ttl` seconds): see
    # benchmarks/gateway_results.md. A cold or too old entry is looked up once (per-address
    # lock): concurrent requests wait for that one lookup instead of repeating it.

    def cached_roles(self, address: str) -> frozenset[str] | None:
        """The roles when a fresh lookup is cached (no chain access), else None."""
        cached = self._roles.get(address)
        if cached is not None and time.monotonic() - cached[0] < self.settings.roles_ttl:
            return cached[1]
        return None

    def usable_roles(self, address: str) -> frozenset[str] | None:
        """Cached roles that may still be served (fresh, or stale by less than `roles_ttl`),
        starting a background refresh of a stale entry; None when a lookup must be awaited."""
        cached = self._roles.get(address)
        if cached is None:
            return None
        age = time.monotonic() - cached[0]
        ttl = self.settings.roles_ttl
        if age < ttl:
            return cached[1]
        if age >= 2 * ttl:
            return None
        self._refresh_roles_later(address)
        return cached[1]

    def _refresh_roles_later(self, address: str) -> None:
        with self._roles_lock:
            if address in self._refreshing:
                return
            self._refreshing.add(address)

        def refresh() -> None:
            try:
                self.roles(address, force=True)
            except Exception as exc:  # the next request retries (stale roles expire at 2 * ttl)
                log.warning("background role lookup of %s failed: %s", address, exc)
            finally:
                with self._roles_lock:
                    self._refreshing.discard(address)

        self._role_refresher.submit(refresh)

    def roles(self, address: str, *, force: bool = False) -> frozenset[str]:
        address = checksum(address)
        if not force:
            fresh = self.cached_roles(address)
            if fresh is not None:
                return fresh
        with self._roles_lock:
            lock = self._lookup_locks.setdefault(address, threading.Lock())
        with lock:  # one lookup per address at a time; the others find its result
            if not force:
                fresh = self.cached_roles(address)
                if fresh is not None:
                    return fresh
            started = time.monotonic()
            result = self._lookup_roles(address)
            with self._roles_lock:
                if len(self._roles) > 50_000:
                    self._roles.clear()
                    self._lookup_locks.clear()
                self._roles[address] = (started, result)
            return result

    def _lookup_roles(self, address: str) -> frozenset[str]:
        roles: set[str] = set()
        if address in self.auditors or self.coop.charter.functions.isAuditor(address).call():
            roles.add("auditor")
        status = int(self.coop.membership.functions.statusOf(address).call())
        if status == 1:
            roles.add("applicant")
        if self.coop.is_active_member(address):
            roles.add("member")
        gov = self.governance()
        if gov.council is not None:
            if gov.council.contract.functions.isCouncilMember(address).call():
                roles.add("council")
        elif address in {checksum(a) for a in self.coop.charter.functions.initialCouncil().call()}:
            roles.add("council")
        if checksum(self.coop.charter.functions.chair().call()) == address:
            roles.add("chair")
        role_bits = int(self.coop.charter.functions.rolesOf(address).call())
        if role_bits & 1:
            roles.add("cashier")
        if role_bits & 2:
            roles.add("verifier")
        return frozenset(roles)

    def mirror_moved(
        self, conn: Any, before: tuple[int, str | None] | None, now: tuple[int, str | None]
    ) -> None:
        """The mirror passed from block `before` to `now`: drop the cached roles its new events
        may have changed, so that once an action is `indexed` every gateway process (each has
        its own cache) answers with the roles it gave. Membership events drop the addresses
        they name; any event of the charter or the council (chair, officers, council seats)
        drops every entry. A step back (a reorg) drops everything."""
        if before is None or now[0] <= before[0]:
            if before is not None and before != now:
                self.forget_roles()
            return
        a = self.coop.addresses
        gov = self._gov[1] if self._gov is not None else None
        wide = {a.charter} | ({gov.council.address} if gov and gov.council else set())
        seen = common.touched(conn, before[0], now[0], {a.membership, *wide}, self.chain_id)
        if seen.emitters & wide:
            self.forget_roles()
            return
        with self._roles_lock:
            for address in seen.addresses:
                self._roles.pop(checksum(address), None)

    def forget_roles(self, address: str | None = None) -> None:
        with self._roles_lock:
            if address is None:
                self._roles.clear()
            else:
                self._roles.pop(checksum(address), None)
        self._gov = None
