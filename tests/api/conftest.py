"""A real gateway over real HTTP: its own anvil, a governed cooperative, the indexer following
the chain into SQLite, and uvicorn serving `create_app` on a free port.

The gateway's suite does not use the shared `chain` fixture: that one reverts the chain after
every test, and the mirror would see each revert as a reorg. The suite's state builds up in
order instead (module scope), like a cooperative's life.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI

from indexer.config import IndexerSettings
from indexer.run import Indexer
from node.api.gateway import Gateway
from node.api.main import create_app
from node.chain.anvil import Anvil
from node.chain.artifacts import Artifacts
from node.chain.client import Chain
from node.chain.devkeys import dev_accounts
from node.core.config import Settings
from node.fund import CouncilSigners, FundParams, FundRules, deploy_fund_and_property
from node.governance.deploy import GovernanceParams
from node.governance.sandbox import Sandbox, governed_cooperative
from tests.conftest import free_port

SIWE_DOMAIN = "coop.test"


@dataclass
class Api:
    """An HTTP client of the running gateway, with the steps a wallet app performs."""

    base_url: str
    app: FastAPI
    sandbox: Sandbox
    auditor: LocalAccount
    settings: Settings
    http: httpx.Client = field(init=False)
    tokens: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base_url, timeout=30)

    @property
    def gateway(self) -> Gateway:
        gw: Gateway = self.app.state.gateway
        return gw

    @property
    def chain(self) -> Chain:
        return self.sandbox.chain

    def headers(self, account: LocalAccount) -> dict[str, str]:
        if account.address not in self.tokens:
            self.tokens[account.address] = self.sign_in(account)
        return {"Authorization": f"Bearer {self.tokens[account.address]}"}

    def siwe_message(self, account: LocalAccount) -> str:
        r = self.http.post("/auth/nonce", json={"address": account.address})
        assert r.status_code == 200, r.text
        message: str = r.json()["message"]
        return message

    def sign_in(self, account: LocalAccount) -> str:
        message = self.siwe_message(account)
        signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
        r = self.http.post("/auth/verify", json={"message": message, "signature": signature})
        assert r.status_code == 200, r.text
        token: str = r.json()["token"]
        return token

    def get(self, account: LocalAccount, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, headers=self.headers(account), **kw)

    def post(self, account: LocalAccount, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, headers=self.headers(account), **kw)

    def ok(self, response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, f"{response.status_code}: {response.text}"
        return response.json()

    def sign_and_relay(self, account: LocalAccount, to_sign: dict[str, Any]) -> str:
        """What a wallet does with a `.../tx` answer: sign it and send it to the relay."""
        tx = {k: v for k, v in to_sign["transaction"].items() if v is not None and k != "from"}
        raw = account.sign_transaction(tx).raw_transaction.to_0x_hex()
        body = self.ok(
            self.post(account, "/relay/transactions", json={"raw_transaction": raw}), 202
        )
        relay_id: str = body["id"]
        return relay_id

    def act(self, account: LocalAccount, path: str, body: dict[str, Any] | None = None) -> dict:
        """Build a transaction through the API, sign, relay, wait until indexed."""
        to_sign = self.ok(self.post(account, path, json=body or {}))
        return self.wait(account, self.sign_and_relay(account, to_sign))

    def sign_typed(self, account: LocalAccount, typed: dict[str, Any]) -> str:
        return account.sign_message(encode_typed_data(full_message=typed)).signature.to_0x_hex()

    def synced(self, block: int | None = None, timeout: float = 60) -> int:
        """Wait until the gateway's mirror holds `block` (default: the chain's head now).

        A test that writes to the chain itself (a council decision, a token mint) and then reads
        through the gateway calls this in between: the indexer follows the chain on its own
        clock, and reading before it has the block reads the past. The gateway is asked, not
        the database, so every later read of any route is at this block or newer.
        """
        target = self.chain.w3.eth.block_number if block is None else block
        deadline = time.monotonic() + timeout
        while True:
            seen = self.http.get("/cooperative").json().get("block")
            if seen is not None and seen >= target:
                return int(seen)
            if time.monotonic() > deadline:
                pytest.fail(f"the mirror did not reach block {target} (at {seen})")
            time.sleep(0.02)

    def wait(
        self, account: LocalAccount, relay_id: str, until: str = "indexed", timeout: float = 30
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            body: dict[str, Any] = self.ok(self.get(account, f"/relay/{relay_id}"))
            if body["status"] == until or body["status"] == "failed":
                return body
            if time.monotonic() > deadline:
                pytest.fail(f"relay {relay_id} stuck at {body}")
            time.sleep(0.05)


@contextmanager
def running_gateway(tmp: Path, *, with_modules: bool = True) -> Iterator[Api]:
    """A gateway of its own: anvil, a governed cooperative (with the mutual-aid fund and the
    property register unless `with_modules` is False), the indexer, uvicorn. The session's
    `api` is one; a module whose state must not leak into the other tests starts another."""
    anvil = Anvil(free_port())
    anvil.start()
    stop = threading.Event()
    server: uvicorn.Server | None = None
    threads: list[threading.Thread] = []
    try:
        artifacts = Artifacts(Path(__file__).resolve().parents[2] / ".build" / "__local__.json")
        chain = Chain(anvil.url, artifacts)
        chain.wait_ready()
        accounts = dev_accounts(10)
        sandbox = governed_cooperative(
            chain, accounts, 4, GovernanceParams(notice_period=3600), label="Шлюз"
        )
        # The mutual-aid fund and the property register (registered by a council decision).
        modules: dict[str, Any] = {}
        if with_modules:
            modules = deploy_fund_and_property(
                chain,
                sandbox.deployer,
                sandbox.cooperative.addresses.to_dict(),
                FundParams(
                    rules=FundRules(max_term=2 * 365 * 86_400),
                    base_uri="https://coop.test/property/",
                    council=CouncilSigners(sandbox.council[0], sandbox.council[:2], sandbox.chair),
                ),
            )
        # The chain's passkey account factory (one per chain, shared by cooperatives).
        passkey_factory, _ = chain.deploy("PasskeyAccountFactory", sender=sandbox.deployer)
        record = {
            "contracts": {"PasskeyAccountFactory": passkey_factory.address},
            "cooperatives": {
                "test": {
                    **sandbox.cooperative.addresses.to_dict(),
                    "council": sandbox.governance.council.address,
                    "general_meeting": sandbox.governance.meeting.address,
                    **{
                        k: modules[k]
                        for k in ("mutual_aid_fund", "property_registry")
                        if k in modules
                    },
                }
            },
        }
        auditor = Account.from_key(b"\x42" * 32)
        db_url = f"sqlite:///{tmp / 'coopnode.db'}"
        settings = Settings(
            data_dir=tmp,
            rpc_url=anvil.url,
            database_url=db_url,
            deployer_key="0x" + bytes(accounts[0].key).hex(),
            siwe_domain=SIWE_DOMAIN,
            auditors=[auditor.address],
            cooperative="test",
            rate_limit_auth=100_000,
            rate_limit_relay=100_000,
            relay_poll_interval=0.05,
            roles_ttl=0.0,
        )
        indexer = Indexer(
            rpc_url=anvil.url,
            database_url=db_url,
            artifacts=artifacts,
            settings=IndexerSettings(finality_depth=0, poll_interval=0.05),
        )
        threads.append(threading.Thread(target=indexer.follow, args=(stop,), daemon=True))
        app = create_app(settings, chain, record)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        threads.append(threading.Thread(target=server.run, daemon=True))
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline:
                pytest.fail("the gateway did not start")
            time.sleep(0.05)
        api = Api(f"http://127.0.0.1:{port}", app, sandbox, auditor, settings)
        # Wait until the mirror holds the cooperative.
        while api.http.get("/cooperative").json().get("details") is None:
            if time.monotonic() > deadline + 30:
                pytest.fail("the indexer did not mirror the cooperative")
            time.sleep(0.1)
        yield api
        api.http.close()
    finally:
        stop.set()
        if server is not None:
            server.should_exit = True
        for t in threads:
            t.join(timeout=10)
        anvil.stop()


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_gateway(tmp_path_factory.mktemp("gateway")) as running:
        yield running


@dataclass(frozen=True)
class SchemaObjects:
    """Real objects for the schema tests' path parameters: a member (`owner`, whose session the
    tests use) with a stored document, an invoice, a loan request, an offer and an order, a
    council decision, a meeting, a property asset and a relayed action; `buyer` ordered from
    `owner`. Made for these tests only, so what the tests do to them touches no other test."""

    owner: LocalAccount
    buyer: LocalAccount
    parameters: dict[str, Any]


@pytest.fixture(scope="session")
def schema_objects(api: Api) -> SchemaObjects:
    from eth_utils import keccak

    from node.fund.client import Category
    from node.governance.client import Action, Convocation, Question
    from node.governance.sandbox import fund, now

    token = 10**18
    sb = api.sandbox
    owner: LocalAccount = Account.from_key(keccak(text="coopnode schema tests: owner"))
    buyer: LocalAccount = Account.from_key(keccak(text="coopnode schema tests: buyer"))
    fund(api.chain, [owner.address, buyer.address])
    for account in (owner, buyer):
        sb.applicant(account, "schema")
    api.chain.transact(
        sb.cooperative.token.functions.mint(owner.address, 10_000 * token), sb.deployer
    )
    registry = api.gateway.registry()
    assert registry is not None
    opens = now(api.chain) + sb.governance.meeting.notice_period() + 3600
    convene = sb.governance.meeting.convene_action(
        Convocation(
            opens_at=opens,
            closes_at=opens + 7 * 86_400,
            secretary=sb.secretary.address,
            questions=(Question(document_hash=keccak(text="schema tests: question")),),
        )
    )
    membership = sb.cooperative.membership
    item_id = sb.governance.council.decide(
        sb.council[0],
        sb.council[:2],
        sb.chair,
        keccak(text="schema tests: admissions, a meeting, an asset"),
        [
            Action.call(membership, "admit", owner.address, keccak(text="admit owner")),
            Action.call(membership, "admit", buyer.address, keccak(text="admit buyer")),
            convene,
            registry.mint_action(
                owner.address,
                Category.EQUIPMENT,
                1_000 * token,
                keccak(text="schema tests: title"),
                keccak(text="schema tests: metadata"),
                keccak(text="schema tests: asset decision"),
            ),
        ],
    )
    obligation_id, _ = api.gateway.units.issue(
        owner, buyer.address, 5 * token, document_hash=keccak(text="schema tests: invoice")
    )
    api.synced()

    stored = api.http.post(
        "/documents",
        params={"filename": "note.txt"},
        content="Справка для проверки схемы / a note for the schema tests\n".encode(),
        headers={**api.headers(owner), "Content-Type": "text/plain; charset=utf-8"},
    )
    sha256 = api.ok(stored, 201)["sha256"]
    api.act(owner, "/fund/approval/tx", {"amount": str(1_000 * token)})
    contributed = api.act(owner, "/fund/contributions/tx", {"amount": str(500 * token)})
    assert contributed["status"] == "indexed", contributed
    loan = {
        "amount": str(100 * token),
        "term": 30 * 86_400,
        "instalments": 1,
        "purpose": "0x" + keccak(text="schema tests: loan").hex(),
    }
    assert api.act(owner, "/fund/loans/tx", loan)["status"] == "indexed"
    loans = api.ok(api.get(owner, f"/fund/members/{owner.address}/loans"))["data"]
    offer = api.ok(
        api.post(
            owner,
            "/offers",
            json={"title": "Проверка схемы", "category": "прочее", "price": "1", "quantity": 5},
        ),
        201,
    )
    order = api.ok(api.post(buyer, "/orders", json={"offer_id": offer["id"], "quantity": 1}), 201)
    meetings = api.ok(api.get(owner, "/meetings", params={"limit": 500}))["data"]
    assets = api.ok(api.get(owner, "/property/assets", params={"limit": 500}))["data"]
    asset = next(a for a in assets if a["custodian"] == owner.address)
    return SchemaObjects(
        owner=owner,
        buyer=buyer,
        parameters={
            "path.address": owner.address,
            "path.sha256": sha256,
            "path.item_id": item_id,
            "path.meeting_id": max(m["meeting_id"] for m in meetings),
            "path.obligation_id": obligation_id,
            "path.loan_id": loans[-1]["loan_id"],
            "path.token_id": asset["token_id"],
            "path.offer_id": offer["id"],
            "path.order_id": order["id"],
            "path.relay_id": contributed["id"],
            "path.name": "shares",
        },
    )


def _pinned_schema(api: Api, objects: SchemaObjects) -> Any:
    import schemathesis

    schema = schemathesis.openapi.from_dict(api.http.get("/openapi.json").json())
    schema.config.update(parameters=objects.parameters)
    # Probing every path with methods it does not have (405s, answered by the framework) is a
    # quarter of the coverage phase's requests and tests none of our code.
    schema.config.phases.coverage.unexpected_methods = set()
    return schema


@pytest.fixture(scope="session")
def api_schema(api: Api, schema_objects: SchemaObjects) -> Any:
    """The gateway's OpenAPI for schemathesis, every path parameter pinned to a real object."""
    return _pinned_schema(api, schema_objects)


@pytest.fixture(scope="session")
def api_schema_quick(api: Api, schema_objects: SchemaObjects) -> Any:
    """The same, with schemathesis' coverage phase (boundary and negative values of every
    parameter and body field) off: the explicit examples and a few generated cases only. For
    runs whose answers are mostly the same refusal (signed out: 401)."""
    schema = _pinned_schema(api, schema_objects)
    schema.config.phases.coverage.enabled = False
    return schema
