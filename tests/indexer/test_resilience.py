"""Crashes and a misbehaving RPC: nothing lost, nothing duplicated, the waits are explained.

- an exception after the batch's inserts but before its commit (the `before_commit` hook);
- the indexer as a subprocess, SIGKILLed several times in the middle of a backfill;
- a real HTTP proxy in front of anvil that refuses large eth_getLogs ranges ("query returned
  more than 10000 results"), times out and answers 503 at random (seeded);
- an RPC that is down.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy.engine import Connection

from indexer.audit import audit_raw
from indexer.rpc import RpcUnavailable
from indexer.run import StepInfo
from node.chain.client import Chain
from node.core.config import PROJECT_ROOT
from tests.conftest import free_port
from tests.indexer.conftest import DbFactory, deploy_ping, make_indexer, note, rows


class Boom(RuntimeError):
    pass


def test_exception_before_commit_leaves_the_previous_step_intact(
    chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory
) -> None:
    live = db_factory()
    ping = deploy_ping(chain, accounts[0])
    for i in range(4):
        chain.transact(ping.functions.ping(note(f"x{i}")), accounts[1])
    steps: list[StepInfo] = []

    def crash_on_third(conn: Connection, step: StepInfo) -> None:
        steps.append(step)
        if len(steps) == 3:
            raise Boom("crash after the inserts, before the commit")

    idx = make_indexer(chain, live, initial_range=1, max_range=1, before_commit=crash_on_third)
    with pytest.raises(Boom):
        idx.sync_once()
    idx.close()
    ((cursor,),) = rows(live, "SELECT block_number FROM idx_cursor")
    assert cursor == steps[1].to_block  # the third step left no trace
    assert rows(live, "SELECT count(*) FROM idx_raw_event WHERE block_number > :c", c=cursor) == [
        (0,)
    ]
    assert rows(live, "SELECT count(*) FROM ping_note WHERE block_number > :c", c=cursor) == [(0,)]

    restarted = make_indexer(chain, live, initial_range=1, max_range=1)
    restarted.sync_once()
    restarted.close()
    assert audit_raw(chain, live, db_factory()).ok


def _cursor_or_none(url: str) -> int | None:
    try:
        got = rows(url, "SELECT block_number FROM idx_cursor")
    except Exception:  # schema not created yet
        return None
    return int(got[0][0]) if got else None


BLOCKS, PER_BLOCK = 10, 1000


def test_sigkill_mid_backfill_loses_and_duplicates_nothing(
    own_chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory
) -> None:
    chain, live = own_chain, db_factory()
    burst, _ = chain.deploy("EventBurst", sender=accounts[0])
    for i in range(BLOCKS):
        chain.transact(burst.functions.burst(PER_BLOCK, i * PER_BLOCK, note("kill")), accounts[0])
    head = chain.w3.eth.block_number
    env = {
        **os.environ,
        "COOP_INDEXER_INITIAL_RANGE": "1",
        "COOP_INDEXER_MAX_RANGE": "1",
        "COOP_INDEXER_FINALITY_DEPTH": "2",
    }
    cmd = [
        sys.executable, "-m", "indexer.cli", "index", "--once",
        "--database-url", live, "--rpc-url", chain.rpc_url,
    ]  # fmt: skip
    kills = 0
    seen: list[int] = []
    for target in (2, 5, 8):  # kill once the cursor passed these blocks
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            c = _cursor_or_none(live)
            if c is not None and c >= target:
                break
            time.sleep(0.01)
        time.sleep(random.Random(target).uniform(0, 0.05))  # somewhere inside the next step
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(10)
        c = _cursor_or_none(live)
        assert c is not None
        seen.append(c)
        # Every committed step is complete: rows exactly up to the cursor, 1500 per block.
        ((n,),) = rows(live, "SELECT count(*) FROM idx_raw_event WHERE event_name = 'Pinged'")
        blocks_with_bursts = max(0, c - 1)  # block 1 deployed EventBurst
        assert n == PER_BLOCK * blocks_with_bursts
    assert kills >= 2, seen
    done = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    unique = "count(DISTINCT block_hash || ':' || log_index)"
    pinged = f"SELECT count(*), {unique} FROM idx_raw_event WHERE event_name = 'Pinged'"
    assert rows(live, pinged) == [(PER_BLOCK * BLOCKS, PER_BLOCK * BLOCKS)]
    assert rows(live, "SELECT block_number FROM idx_cursor") == [(head,)]
    assert audit_raw(chain, live, db_factory()).ok


class FlakyProxy:
    """A JSON-RPC proxy on loopback that misbehaves like a public provider."""

    def __init__(self, upstream: str, *, seed: int = 7, max_logs: int = 3) -> None:
        self.upstream = upstream
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.max_logs = max_logs
        self.counts = {"limit": 0, "timeout": 0, "http503": 0, "forwarded": 0}
        self.client = httpx.Client(timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                status, answer = proxy.handle(body)
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the indexer gave up waiting (the timeout we injected)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def roll(self) -> float:
        with self.lock:
            return self.rng.random()

    def handle(self, body: bytes) -> tuple[int, bytes]:
        req = json.loads(body)
        if self.roll() < 0.08:
            self.counts["http503"] += 1
            return 503, b'{"error": "service unavailable"}'
        logs_call = isinstance(req, dict) and req.get("method") == "eth_getLogs"
        if logs_call:
            flt = req["params"][0]
            assert "topics" not in flt  # never (trailing) null topics
            size = int(flt["toBlock"], 16) - int(flt["fromBlock"], 16) + 1
            if size > 2 and self.roll() < 0.15:
                self.counts["timeout"] += 1
                time.sleep(0.6)  # longer than the indexer's rpc_timeout
        resp = self.client.post(
            self.upstream, content=body, headers={"content-type": "application/json"}
        )
        if logs_call and len(resp.json().get("result") or []) > self.max_logs:
            # Like a public provider: the answer is refused for its size, not its range.
            self.counts["limit"] += 1
            err = {"code": -32005, "message": "query returned more than 10000 results"}
            return 200, json.dumps({"jsonrpc": "2.0", "id": req["id"], "error": err}).encode()
        self.counts["forwarded"] += 1
        return resp.status_code, resp.content

    def __enter__(self) -> FlakyProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.client.close()


@pytest.fixture
def proxy(own_chain: Chain) -> Iterator[FlakyProxy]:
    with FlakyProxy(own_chain.rpc_url) as p:
        yield p


def test_flaky_rpc_adapts_the_range_and_still_equals_the_audit(
    own_chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory, proxy: FlakyProxy
) -> None:
    chain, live = own_chain, db_factory()
    ping = deploy_ping(chain, accounts[0])
    for i in range(6):
        chain.transact(ping.functions.ping(note(f"p{i}")), accounts[1 + i % 3])
    rpc(chain, "anvil_mine", [hex(40)])  # sparse stretch: the range should grow here
    for i in range(6):
        chain.transact(ping.functions.ping(note(f"q{i}")), accounts[1])
    idx = make_indexer(
        chain, live, rpc_url=proxy.url, initial_range=8, max_range=64, rpc_timeout=0.3,
        backoff_initial=0.01, backoff_max=0.05,
    )  # fmt: skip
    report = idx.sync_once()
    idx.close()
    stats = report.ranges
    assert stats is not None
    assert report.cursor == chain.w3.eth.block_number
    assert proxy.counts["limit"] > 0 and proxy.counts["timeout"] > 0 and proxy.counts["http503"] > 0
    assert stats.shrinks > 0 and stats.grows > 0
    assert stats.limit_errors > 0 and stats.timeouts > 0
    assert stats.largest > 8 and stats.smallest < 8
    assert idx.backoff.retries > 0
    assert audit_raw(chain, live, db_factory()).ok


def rpc(chain: Chain, method: str, params: list[Any]) -> Any:
    return chain.w3.provider.make_request(method, params)  # type: ignore[arg-type]


def test_rpc_down_is_explained_and_bounded(
    db_url: str, chain: Chain, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    idx = make_indexer(chain, db_url, rpc_url=f"http://127.0.0.1:{port}", max_retries=2)
    with caplog.at_level(logging.WARNING, logger="coop.indexer.rpc"), pytest.raises(RpcUnavailable):
        idx.sync_once()
    idx.close()
    assert (
        f"waiting for RPC http://127.0.0.1:{port}: connection refused, retry in 0.05 s"
        in caplog.text
    )
    assert "retry in 0.1 s" in caplog.text  # exponential
