"""Several gateway processes, one truth: four `coop serve --index` processes on four ports (the
several-hosts layout: one address per process, as a load balancer sees them) against one
PostgreSQL database, one Redis database and one anvil.

- Concurrent relayed actions from many members, sent to every process at once: each mined
  exactly once, the relayer's nonces consecutive (no gap, none twice).
- A sign-in budget holds across processes: the N+1th request for an address is refused
  whichever process it reaches; a sign-in nonce used at one process is refused at another.
- A relayer transaction stuck in the pool is replaced with higher fees, by one process.
- One indexer leads (leader lock); when its process is killed, another takes over.

Uses its own PostgreSQL database (`test_scale`, dropped and made again) and Redis database 11.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import sqlalchemy as sa
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from eth_account.signers.local import LocalAccount

from node.api.txbuild import EIP712_DOMAIN
from node.chain.anvil import Anvil
from node.chain.artifacts import Artifacts
from node.chain.client import Chain
from node.chain.devkeys import dev_accounts
from node.cooperative.client import APPLICATION_TYPES, eip712_domain
from node.governance.deploy import GovernanceParams
from node.governance.sandbox import Sandbox, governed_cooperative
from tests.conftest import free_port

# Run once, by `make test-postgres` (-m postgres), not again by the default run: the cluster
# needs PostgreSQL whatever DATABASE_URL says, and costs ~30 s. Alone: `pytest -m postgres <this>`.
pytestmark = [pytest.mark.postgres, pytest.mark.postgres_only]

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"
DB_NAME = "test_scale"
REDIS_URL = "redis://127.0.0.1:6379/11"
SIWE_DOMAIN = "coop.test"
WORKERS = 4
MEMBERS = 24
#: Sign-in calls an address may make at once (then one a minute): small, to be exhausted.
ADDRESS_BURST = 8


@dataclass
class Cluster:
    chain: Chain
    anvil_url: str
    sandbox: Sandbox
    ports: list[int]
    procs: dict[int, subprocess.Popen[bytes]]
    db_url: str
    http: httpx.Client
    env: dict[str, str]
    """The environment every gateway process of the cluster shares."""
    data: Path

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i % len(self.ports)]}"

    def health(self, port: int) -> dict[str, Any]:
        r = self.http.get(f"http://127.0.0.1:{port}/health")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def sign_in(self, account: LocalAccount, at: int, verify_at: int) -> str:
        r = self.http.post(f"{self.url(at)}/auth/nonce", json={"address": account.address})
        assert r.status_code == 200, r.text
        message = r.json()["message"]
        signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
        r = self.http.post(
            f"{self.url(verify_at)}/auth/verify",
            json={"message": message, "signature": signature},
        )
        assert r.status_code == 200, r.text
        token: str = r.json()["token"]
        return token

    def apply(self, account: LocalAccount, token: str, at: int) -> dict[str, Any]:
        """The applicant signs an EIP-712 application; the gateway relays it (pays the gas)."""
        membership = self.sandbox.cooperative.membership
        deadline = int(self.chain.w3.eth.get_block("latest")["timestamp"]) + 3600
        message = {
            "applicant": account.address,
            "kind": 0,
            "identityHash": "0x" + secrets.token_hex(32),
            "applicationHash": "0x" + secrets.token_hex(32),
            "nonce": 0,
            "deadline": deadline,
        }
        typed = {
            "types": {"EIP712Domain": EIP712_DOMAIN, **APPLICATION_TYPES},
            "primaryType": "Application",
            "domain": eip712_domain(membership),
            "message": message,
        }
        signature = account.sign_message(encode_typed_data(full_message=typed)).signature
        r = self.http.post(
            f"{self.url(at)}/applications",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "applicant": account.address,
                "kind": "individual",
                "identity_hash": message["identityHash"],
                "application_hash": message["applicationHash"],
                "nonce": 0,
                "deadline": deadline,
                "signature": signature.to_0x_hex(),
            },
        )
        assert r.status_code == 202, r.text
        body: dict[str, Any] = r.json()
        return body

    def wait(self, relay_id: str, token: str, at: int, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            r = self.http.get(
                f"{self.url(at)}/relay/{relay_id}", headers={"Authorization": f"Bearer {token}"}
            )
            assert r.status_code == 200, r.text
            body: dict[str, Any] = r.json()
            if body["status"] in ("indexed", "failed"):
                return body
            if time.monotonic() > deadline:
                pytest.fail(f"relay {relay_id} stuck at {body}")
            time.sleep(0.1)


def _reset_stores() -> str:
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{DB_NAME}"')
    except sa.exc.OperationalError as exc:
        if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
            pytest.fail(f"PostgreSQL does not answer: {exc}")
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432: {exc}")
    finally:
        admin.dispose()
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    return f"{PG_SERVER}/{DB_NAME}"


def _drop_stores() -> None:
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    admin.dispose()
    redis.Redis.from_url(REDIS_URL).flushdb()


def worker_env(
    tmp: Path, anvil_url: str, db_url: str, deployer_key: str, **extra: str
) -> dict[str, str]:
    """The environment every gateway process of the cluster shares (docs/deploy.md)."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COOP_DATA_DIR": str(tmp),
        "COOP_RPC_URL": anvil_url,
        "DATABASE_URL": db_url,
        "COOP_REDIS_URL": REDIS_URL,
        "COOP_REDIS_PREFIX": "coop-test-workers:",
        "COOP_DEPLOYER_KEY": deployer_key,
        "COOP_SESSION_SECRET": secrets.token_hex(32),
        "COOP_PII_KEYS": secrets.token_hex(32),
        "COOP_SIWE_DOMAIN": SIWE_DOMAIN,
        "COOP_COOPERATIVE": "test",
        "COOP_RATE_LIMIT_AUTH": "100000",
        "COOP_RATE_LIMIT_RELAY": "100000",
        "COOP_RATE_LIMIT_AUTH_ADDRESS": "1",
        "COOP_RATE_LIMIT_AUTH_ADDRESS_BURST": str(ADDRESS_BURST),
        "COOP_RELAY_POLL_INTERVAL": "0.05",
        "COOP_RELAY_REPLACE_AFTER": "2",
        "COOP_INDEXER_FINALITY_DEPTH": "0",
        "COOP_INDEXER_POLL_INTERVAL": "0.1",
        "COOP_INDEXER_LEADER_RETRY": "0.3",
        "COOP_LOG_LEVEL": "WARNING",
        **extra,
    }


def start_gateway(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    code = "from node.cli import main; main()"
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--index", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_healthy(http: httpx.Client, port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gateway on {port} exited: {log.read_text()[-3000:]}")
        try:
            if http.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gateway on {port} did not start: {log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    db_url = _reset_stores()
    tmp = tmp_path_factory.mktemp("workers")
    anvil = Anvil(free_port())
    anvil.start()
    procs: dict[int, subprocess.Popen[bytes]] = {}
    http = httpx.Client(timeout=60)
    try:
        chain = Chain(anvil.url, Artifacts(ROOT / ".build" / "__local__.json"))
        chain.wait_ready()
        accounts = dev_accounts(10)
        sandbox = governed_cooperative(
            chain, accounts, 3, GovernanceParams(notice_period=3600), label="Воркеры"
        )
        record = {
            "contracts": {},
            "cooperatives": {
                "test": {
                    **sandbox.cooperative.addresses.to_dict(),
                    "council": sandbox.governance.council.address,
                    "general_meeting": sandbox.governance.meeting.address,
                }
            },
        }
        (tmp / "deployment.json").write_text(json.dumps(record))
        env = worker_env(tmp, anvil.url, db_url, "0x" + bytes(accounts[0].key).hex())
        ports = [free_port() for _ in range(WORKERS)]
        for port in ports:
            procs[port] = start_gateway(env, port, tmp / f"gateway-{port}.log")
        for port in ports:
            wait_healthy(http, port, procs[port], tmp / f"gateway-{port}.log")
        cluster = Cluster(chain, anvil.url, sandbox, ports, procs, db_url, http, env, tmp)
        # The mirror holds the cooperative (whichever process indexes).
        deadline = time.monotonic() + 60
        while http.get(f"{cluster.url(0)}/cooperative").json().get("details") is None:
            if time.monotonic() > deadline:
                pytest.fail("the indexer did not mirror the cooperative")
            time.sleep(0.2)
        yield cluster
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        http.close()
        anvil.stop()
        _drop_stores()


def test_one_indexer_leads(cluster: Cluster) -> None:
    roles = [cluster.health(port)["indexer"] for port in cluster.ports]
    assert sorted(roles) == ["leader"] + ["standby"] * (WORKERS - 1), roles
    assert len({cluster.health(port)["worker"] for port in cluster.ports}) == WORKERS


def test_sign_in_nonce_is_single_use_across_processes(cluster: Cluster) -> None:
    account = Account.create()
    r = cluster.http.post(f"{cluster.url(0)}/auth/nonce", json={"address": account.address})
    message = r.json()["message"]
    signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
    body = {"message": message, "signature": signature}
    first = cluster.http.post(f"{cluster.url(1)}/auth/verify", json=body)
    assert first.status_code == 200, first.text
    for i in (2, 3, 0, 1):  # the same signed message again, at every process
        again = cluster.http.post(f"{cluster.url(i)}/auth/verify", json=body)
        assert again.status_code == 401, again.text
        assert "nonce" in again.json()["detail"]


def test_budget_holds_across_processes(cluster: Cluster) -> None:
    account = Account.create()
    answers = []
    for i in range(ADDRESS_BURST):  # round robin: each process sees a quarter of them
        r = cluster.http.post(f"{cluster.url(i)}/auth/nonce", json={"address": account.address})
        answers.append(r.status_code)
    assert answers == [200] * ADDRESS_BURST
    for i in range(WORKERS):  # the next one is refused by every process
        r = cluster.http.post(f"{cluster.url(i)}/auth/nonce", json={"address": account.address})
        assert r.status_code == 429, r.text
        assert int(r.headers["Retry-After"]) >= 1
    # Another address still has its whole budget.
    other = Account.create()
    r = cluster.http.post(f"{cluster.url(3)}/auth/nonce", json={"address": other.address})
    assert r.status_code == 200


def test_concurrent_relays_mined_once_without_nonce_gap(cluster: Cluster) -> None:
    w3 = cluster.chain.w3
    relayer = cluster.sandbox.deployer.address
    start = int(w3.eth.get_transaction_count(relayer, "pending"))
    members = [Account.create() for _ in range(MEMBERS)]

    def one(i: int) -> tuple[LocalAccount, str, str]:
        account = members[i]
        token = cluster.sign_in(account, at=i, verify_at=i + 1)
        relay = cluster.apply(account, token, at=i + 2)
        return account, token, relay["id"]

    with ThreadPoolExecutor(12) as pool:
        sent = list(pool.map(one, range(MEMBERS)))
    done = [cluster.wait(relay_id, token, at=i + 3) for i, (_, token, relay_id) in enumerate(sent)]
    assert [d["status"] for d in done] == ["indexed"] * MEMBERS, done

    hashes = [d["tx_hash"] for d in done]
    assert len(set(hashes)) == MEMBERS  # one transaction per action
    nonces = sorted(int(w3.eth.get_transaction(h)["nonce"]) for h in hashes)
    assert nonces == list(range(start, start + MEMBERS))  # consecutive: no gap, none twice
    assert int(w3.eth.get_transaction_count(relayer, "latest")) == start + MEMBERS
    for h in hashes:
        receipt = w3.eth.get_transaction_receipt(h)
        assert receipt["status"] == 1 and receipt["from"] == relayer
    membership = cluster.sandbox.cooperative.membership
    for account, _, _ in sent:  # each application reached the contract (once: nonce 0 only)
        assert int(membership.functions.statusOf(account.address).call()) == 1
    engine = sa.create_engine(cluster.db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT nonce FROM api_relay WHERE kind = 'application' ORDER BY nonce")
        ).all()
    engine.dispose()
    assert [int(r[0]) for r in rows] == list(range(start, start + MEMBERS))


def test_stuck_relay_replaced_with_higher_fees(cluster: Cluster) -> None:
    w3 = cluster.chain.w3
    relayer = cluster.sandbox.deployer.address
    account = Account.create()
    token = cluster.sign_in(account, at=0, verify_at=1)
    start = int(w3.eth.get_transaction_count(relayer, "latest"))
    w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    try:
        relay = cluster.apply(account, token, at=2)
        first = relay["tx_hash"]
        original = w3.eth.get_transaction(first)
        deadline = time.monotonic() + 20
        while True:  # a tracker (any process) replaces it after COOP_RELAY_REPLACE_AFTER (2 s)
            r = cluster.http.get(
                f"{cluster.url(3)}/relay/{relay['id']}",
                headers={"Authorization": f"Bearer {token}"},
            )
            if r.json()["tx_hash"] != first:
                break
            if time.monotonic() > deadline:
                pytest.fail("the stuck transaction was not replaced")
            time.sleep(0.2)
        replacement = w3.eth.get_transaction(r.json()["tx_hash"])
        assert replacement["nonce"] == original["nonce"]
        assert replacement["maxFeePerGas"] > original["maxFeePerGas"]
        assert replacement["maxPriorityFeePerGas"] > original["maxPriorityFeePerGas"]
    finally:
        w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    done = cluster.wait(relay["id"], token, at=1)
    assert done["status"] == "indexed", done
    receipt = w3.eth.get_transaction_receipt(done["tx_hash"])
    assert receipt["status"] == 1
    assert int(w3.eth.get_transaction_count(relayer, "latest")) == start + 1  # one nonce used
    assert (
        int(cluster.sandbox.cooperative.membership.functions.statusOf(account.address).call()) == 1
    )


def test_standby_indexer_takes_over_when_the_leader_dies(cluster: Cluster) -> None:
    leader = next(p for p in cluster.ports if cluster.health(p)["indexer"] == "leader")
    cluster.procs[leader].send_signal(signal.SIGKILL)
    cluster.procs[leader].wait(timeout=10)
    cluster.ports.remove(leader)
    deadline = time.monotonic() + 20
    while True:
        roles = [cluster.health(p)["indexer"] for p in cluster.ports]
        if roles.count("leader") == 1:
            break
        assert roles.count("leader") == 0, roles
        if time.monotonic() > deadline:
            pytest.fail(f"no standby took over: {roles}")
        time.sleep(0.2)
    assert sorted(roles) == ["leader", "standby", "standby"]
    # The mirror moves on: a relayed action after the kill is indexed.
    account = Account.create()
    token = cluster.sign_in(account, at=0, verify_at=1)
    relay = cluster.apply(account, token, at=2)
    assert cluster.wait(relay["id"], token, at=0)["status"] == "indexed"


def test_several_workers_need_postgres_and_redis(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COOP_DATA_DIR": str(tmp_path),
        "COOP_RPC_URL": "http://127.0.0.1:1",
        "COOP_API_WORKERS": "2",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'coop.db'}",
    }
    env.pop("COOP_REDIS_URL", None)
    code = "from node.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "COOP_API_WORKERS=2 needs DATABASE_URL on PostgreSQL and COOP_REDIS_URL" in done.stderr


def test_uvicorn_workers_on_one_port(cluster: Cluster) -> None:
    """`COOP_API_WORKERS=2 coop serve`: two processes answer on one port (the kernel spreads
    the connections), and the budget of an address is one budget across them."""
    port = free_port()
    log = cluster.data / f"workers-{port}.log"
    proc = start_gateway({**cluster.env, "COOP_API_WORKERS": "2"}, port, log)
    try:
        wait_healthy(cluster.http, port, proc, log)
        url = f"http://127.0.0.1:{port}"
        pids: set[int] = set()
        deadline = time.monotonic() + 30
        while len(pids) < 2:  # a new connection each time
            pids.add(httpx.get(f"{url}/health", headers={"Connection": "close"}).json()["worker"])
            if time.monotonic() > deadline:
                pytest.fail(f"one worker answered: {pids}")
        account = Account.create()
        codes = [
            httpx.post(
                f"{url}/auth/nonce",
                json={"address": account.address},
                headers={"Connection": "close"},
            ).status_code
            for _ in range(ADDRESS_BURST + 1)
        ]
        assert codes == [200] * ADDRESS_BURST + [429]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
