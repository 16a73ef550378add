"""Gateway benchmark: requests/s and p50/p99 latency of the main reads, and the time from a
relayed ballot to "indexed".

Everything runs on this machine over loopback: a fresh anvil, a governed cooperative with
members and invoices, the indexer following the chain into SQLite, the gateway under uvicorn
(one process, one worker). The load generator is `wrk` when installed (`apt-get install wrk`),
else a bounded Python thread pool (slower: it competes with the server for the 2 cores). Each
run is bounded in time.

    python benchmarks/bench_gateway.py [--seconds 5] [--connections 16] [--ballots 10]

Goal: at least 1,500 requests/s with p99 under 50 ms for a member's dashboard.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from eth_account.messages import encode_defunct, encode_typed_data

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.config import IndexerSettings  # noqa: E402
from indexer.run import Indexer  # noqa: E402
from node.api.main import create_app  # noqa: E402
from node.chain.anvil import Anvil  # noqa: E402
from node.chain.artifacts import Artifacts  # noqa: E402
from node.chain.client import Chain  # noqa: E402
from node.chain.devkeys import dev_accounts  # noqa: E402
from node.core.config import Settings  # noqa: E402
from node.governance.client import Action, Convocation, Question  # noqa: E402
from node.governance.deploy import GovernanceParams  # noqa: E402
from node.governance.sandbox import governed_cooperative, h, now, warp  # noqa: E402
from node.units.client import SettlementUnitsClient  # noqa: E402
from tests.conftest import free_port  # noqa: E402

TOKEN = 10**18


def sign_in(http: httpx.Client, account: Any) -> str:
    message = http.post("/auth/nonce", json={"address": account.address}).json()["message"]
    signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
    body = http.post("/auth/verify", json={"message": message, "signature": signature}).json()
    return str(body["token"])


def run_wrk(url: str, token: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if m is None:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(rps.group(1)) if rps else float("nan"),
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def run_python(url: str, token: str, seconds: int, connections: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
            while time.monotonic() < deadline:
                t0 = time.perf_counter()
                r = client.get(url)
                dt = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append(dt)
                    errors += r.status_code != 200

    started = time.monotonic()
    with ThreadPoolExecutor(connections) as pool:
        for _ in range(connections):
            pool.submit(worker)
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[int(len(latencies) * 0.99)],
        "errors": float(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--ballots", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--quiet-indexer",
        action="store_true",
        help="stop following the chain during the read runs (isolates the gateway)",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="coop-bench-gw-"))
    anvil = Anvil(free_port())
    anvil.start()
    stop = threading.Event()
    server: uvicorn.Server | None = None
    try:
        artifacts = Artifacts(ROOT / ".build" / "__local__.json")
        chain = Chain(anvil.url, artifacts)
        chain.wait_ready()
        accounts = dev_accounts(10)
        sb = governed_cooperative(
            chain, accounts, args.members, GovernanceParams(notice_period=3600), label="bench"
        )
        units = SettlementUnitsClient(chain, sb.cooperative.addresses.settlement_units)
        members = sb.members
        for i, m in enumerate(members):  # a ring of invoices, each accepted
            debtor = members[(i + 1) % len(members)]
            oid, _ = units.issue(m, debtor.address, (10 + i) * TOKEN)
            units.accept(debtor, oid)
        # A meeting open for voting, convened by a council decision.
        opens = now(chain) + 3600 + 60
        convocation = Convocation(
            opens_at=opens,
            closes_at=opens + 7 * 86_400,
            secretary=sb.secretary.address,
            questions=(Question(document_hash=h("agenda")),),
        )
        action: Action = sb.governance.meeting.convene_action(convocation)
        item_id = sb.governance.council.decide(
            sb.council[0], sb.council[:2], sb.chair, h("convene"), [action]
        )
        del item_id
        warp(chain, opens + 1)
        db_url = f"sqlite:///{tmp / 'coopnode.db'}"
        settings = Settings(
            data_dir=tmp,
            rpc_url=anvil.url,
            database_url=db_url,
            deployer_key="0x" + bytes(accounts[0].key).hex(),
            siwe_domain="bench.test",
            rate_limit_auth=1e9,
            rate_limit_relay=1e9,
            relay_poll_interval=0.02,
        )
        record = {
            "cooperatives": {"bench": {**sb.cooperative.addresses.to_dict()}},
            "contracts": {},
        }
        indexer = Indexer(
            rpc_url=anvil.url,
            database_url=db_url,
            artifacts=artifacts,
            settings=IndexerSettings(finality_depth=0, poll_interval=0.1),
        )
        indexer.sync_once()
        follower = threading.Thread(target=indexer.follow, args=(stop,), daemon=True)
        follower.start()
        app = create_app(settings, chain, record)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        http = httpx.Client(base_url=base, timeout=30)

        # Relayed ballot -> indexed.
        meeting_id = int(sb.governance.meeting.contract.functions.meetingCount().call())
        to_mined: list[float] = []
        to_indexed: list[float] = []
        for voter in members[: args.ballots]:
            auth = {"Authorization": f"Bearer {sign_in(http, voter)}"}
            typed = http.post(
                f"/meetings/{meeting_id}/ballots/typed-data", json={"choices": [1]}, headers=auth
            ).json()["typed_data"]
            signature = voter.sign_message(encode_typed_data(full_message=typed))
            t0 = time.perf_counter()
            r = http.post(
                f"/meetings/{meeting_id}/ballots",
                json={
                    "voter": voter.address,
                    "choices": [1],
                    "signature": signature.signature.to_0x_hex(),
                },
                headers=auth,
            )
            assert r.status_code == 202, r.text
            relay_id = r.json()["id"]
            mined_at = None
            while True:
                status = http.get(f"/relay/{relay_id}", headers=auth).json()["status"]
                if status in ("mined", "indexed") and mined_at is None:
                    mined_at = time.perf_counter() - t0
                if status == "indexed":
                    to_indexed.append((time.perf_counter() - t0) * 1000)
                    to_mined.append((mined_at or 0) * 1000)
                    break
                if status == "failed":
                    raise SystemExit(f"ballot failed: {r.text}")
                time.sleep(0.005)

        member = members[1]
        token = sign_in(http, member)
        if args.quiet_indexer:
            stop.set()
            follower.join(timeout=10)
        endpoints = {
            "member dashboard": f"/members/{member.address}/dashboard",
            "cooperative dashboard": "/cooperative/dashboard",
            "members (page of 20)": "/members?limit=20",
            "member": f"/members/{member.address}",
            "obligations (page of 20)": "/units/obligations?limit=20",
            "council items": "/council/items",
        }
        for path in endpoints.values():  # warm up, check they answer
            r = http.get(path, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, (path, r.text)
        tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
        results: dict[str, dict[str, float]] = {}
        # The machine is shared: the load average says how much the figures are worth.
        load_before = os.getloadavg()[0]
        for name, path in endpoints.items():
            runner = run_wrk if tool == "wrk" else run_python
            results[name] = runner(base + path, token, args.seconds, args.connections)
        load_after = os.getloadavg()[0]
        report = {
            "tool": tool,
            "connections": args.connections,
            "seconds": args.seconds,
            "members": args.members,
            "reads": results,
            "load_average": [load_before, load_after],
            "ballot_to_mined_ms": {
                "p50": statistics.median(to_mined),
                "max": max(to_mined),
            },
            "ballot_to_indexed_ms": {
                "p50": statistics.median(to_indexed),
                "max": max(to_indexed),
                "n": len(to_indexed),
            },
        }
        if args.json:
            print(json.dumps(report, indent=2))
            return
        print(
            f"load generator: {tool}, {args.connections} connections, {args.seconds} s each; "
            f"1-min load average {load_before:.1f} before, {load_after:.1f} after (2 cores)"
        )
        print(f"{'endpoint':28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
        for name, r in results.items():
            print(
                f"{name:28} {r['rps']:9.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
                f"{r['errors']:8.0f}"
            )
        bi = report["ballot_to_indexed_ms"]
        bm = report["ballot_to_mined_ms"]
        print(
            f"relayed ballot -> mined: p50 {bm['p50']:.0f} ms; -> indexed: p50 {bi['p50']:.0f} ms,"
            f" max {bi['max']:.0f} ms (n={bi['n']}, indexer poll 0.1 s, tracker 0.02 s)"
        )
    finally:
        stop.set()
        if server is not None:
            server.should_exit = True
        anvil.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
