"""The officer's work list under load: `GET /work` requests/s and p50/p99 latency for a council
member, the chair and the cashier, with the chain moving (a block every `--block-interval`
seconds, so the mirror's per-block cache is refilled all the time) and without.

Set-up on loopback: a fresh anvil, a governed cooperative (tests' `running_gateway`: 4 members,
a council of 3, the fund and the property register), `--items` council items proposed (half of
them with one vote), `--applicants` applicants at every stage of joining, a meeting convened;
the indexer follows into SQLite in a thread, the gateway is one uvicorn process in this one.
Load: `wrk -t2 -c<connections> --latency` (else a Python thread pool), `--seconds` per run.
The machine is shared: the 1-minute load average and this process's CPU time (the gateway and
the indexer; wrk is a separate process) are recorded beside wall time.

    python benchmarks/bench_officers.py [--seconds 5] [--connections 16] [--items 60]

Writes benchmarks/officers_results.md (with `--write`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_gateway import run_python, run_wrk, sign_in  # noqa: E402

from node.cooperative.client import MemberKind  # noqa: E402
from node.governance.client import Convocation, Question  # noqa: E402
from node.governance.sandbox import generated_accounts, now  # noqa: E402
from tests.api.conftest import running_gateway  # noqa: E402

OUT = ROOT / "benchmarks" / "officers_results.md"


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def setup(api: Any, items: int, applicants: int) -> None:
    sb = api.sandbox
    council = sb.governance.council
    for i in range(items):
        doc = hashlib.sha256(f"bench item {i}".encode()).digest()
        item_id, _ = council.propose(sb.council[1], doc)
        if i % 2:
            council.vote(sb.council[2], item_id)
    for j, account in enumerate(generated_accounts(applicants, "bench applicant")):
        sb.chain.w3.provider.make_request(  # type: ignore[arg-type]
            "anvil_setBalance", [account.address, hex(10**20)]
        )
        if j % 3 == 0:
            digest = hashlib.sha256(account.address.encode()).digest()
            sb.cooperative.apply(account, MemberKind.INDIVIDUAL, digest, digest)
        else:
            sb.applicant(account, "bench")
    opens = now(sb.chain) + 3600 + 60
    conv = Convocation(
        opens, opens + 86_400, sb.secretary.address, (Question(document_hash=b"\x44" * 32),)
    )
    sb.governance.convene(sb.council[1], sb.council[1:3], sb.chair, conv, b"\x45" * 32)
    api.synced()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--applicants", type=int, default=12)
    parser.add_argument("--block-interval", type=float, default=0.5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    tool = "wrk" if shutil.which("wrk") else "python"
    runner = run_wrk if tool == "wrk" else run_python
    with tempfile.TemporaryDirectory() as tmp, running_gateway(Path(tmp)) as api:
        t0 = time.monotonic()
        setup(api, args.items, args.applicants)
        setup_s = time.monotonic() - t0
        sb = api.sandbox
        # The tests' stack reads roles from the chain on every request (TTL 0); a node runs
        # with the default TTL (2 s), as the gateway benchmark does.
        api.gateway.settings.roles_ttl = 2.0
        who = {"council member": sb.council[1], "chair": sb.chair, "cashier": sb.deployer}
        tokens = {k: sign_in(api.http, a) for k, a in who.items()}
        sizes = {}
        for k, token in tokens.items():
            r = api.http.get("/work", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, r.text
            sizes[k] = len(r.json()["tasks"])
        rows: list[dict[str, Any]] = []
        stop = threading.Event()

        def mine() -> None:
            while not stop.wait(args.block_interval):
                sb.chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

        for moving in (False, True):
            miner = threading.Thread(target=mine, daemon=True) if moving else None
            if miner:
                stop.clear()
                miner.start()
            for k, token in tokens.items():
                load0, cpu0, wall0 = os.getloadavg()[0], cpu_seconds(), time.monotonic()
                res = runner(f"{api.base_url}/work", token, args.seconds, args.connections)
                wall = time.monotonic() - wall0
                cpu = cpu_seconds() - cpu0
                requests = res["rps"] * wall
                rows.append(
                    {
                        "who": k,
                        "chain": f"a block every {args.block_interval} s" if moving else "still",
                        "tasks": sizes[k],
                        **res,
                        "cpu_s": cpu,
                        "wall_s": wall,
                        "cpu_ms_per_req": 1000 * cpu / requests if requests else float("nan"),
                        "load": (load0, os.getloadavg()[0]),
                    }
                )
            if miner:
                stop.set()
                miner.join()
    lines = [
        "# Officers' work list under load",
        "",
        f"`python benchmarks/bench_officers.py --seconds {args.seconds} --connections "
        f"{args.connections} --items {args.items} --applicants {args.applicants} --write` "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load generator {tool}, "
        f"{args.connections} connections, {args.seconds} s per run; set-up {setup_s:.0f} s).",
        "",
        "Roles cached 2 s (the default `COOP_ROLES_TTL`). "
        f"Set-up: {args.items} council items (half with one vote), {args.applicants} applicants "
        "at every stage (applied, identity checked, fees paid), one convened meeting, on a fresh "
        "anvil with the indexer following into SQLite in the gateway's process. `GET /work` reads "
        "the council items, meetings and applicants through the mirror's per-block cache shared "
        "by every caller and filters them per caller; with the chain moving, each new block "
        "empties that cache. CPU is this process's (gateway + indexer threads; wrk runs apart), "
        "per request served; the machine has 2 cores shared with other sessions (1-minute load "
        "average before/after each run).",
        "",
        "| who | chain | tasks | req/s | p50 ms | p99 ms | non-2xx | CPU s / wall s | CPU ms/req "
        "| load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['who']} | {r['chain']} | {r['tasks']} | {r['rps']:,.0f} | {r['p50_ms']:.1f} "
            f"| {r['p99_ms']:.1f} | {r['errors']:.0f} | {r['cpu_s']:.1f} / {r['wall_s']:.1f} "
            f"| {r['cpu_ms_per_req']:.2f} | {r['load'][0]:.1f} → {r['load'][1]:.1f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        OUT.write_text(text)


if __name__ == "__main__":
    main()
