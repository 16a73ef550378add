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


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp: Path = tmp_path_factory.mktemp("gateway")
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
        record = {
            "contracts": {},
            "cooperatives": {
                "test": {
                    **sandbox.cooperative.addresses.to_dict(),
                    "council": sandbox.governance.council.address,
                    "general_meeting": sandbox.governance.meeting.address,
                    "mutual_aid_fund": modules["mutual_aid_fund"],
                    "property_registry": modules["property_registry"],
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
def api_schema(api: Api) -> Any:
    import schemathesis

    return schemathesis.openapi.from_dict(api.http.get("/openapi.json").json())
