"""Indexer benchmark: backfill throughput and live-follow lag, on SQLite and PostgreSQL.

The scenario of issue #21: 100,000 `Pinged` events on a fresh anvil, 25 blocks of 4,000
(EventBurst), one row per event in the projection. Backfills them into fresh SQLite files and
fresh PostgreSQL databases (a scratch database per run, dropped afterwards), with every
projection the node ships (the domain projections and the example `ping_note`, the one that
takes `Pinged`) and with none; then follows the chain while single transactions arrive and
measures the time from a mined block to its rows being visible in SQL.

On the same anvil, in the same run, it can also measure:
- `--baseline DIR`: the indexer of another checkout (e.g. the main branch before a change),
  the same backfills in a subprocess whose `sys.path` starts at DIR;
- `--ponder DIR`: Ponder (the TypeScript indexer), a project prepared in DIR (see
  `PONDER_SETUP` below; installed outside the repository), into PostgreSQL and PGlite;
- `--domain-rounds N`: the domain-projection benchmark and the audit
  (tests/indexer/test_projections_bench.py, N rounds of real cooperative traffic).

    python benchmarks/bench_indexer.py [--events 100000] [--per-tx 4000] [--pg-url URL|none]
        [--baseline /path/to/checkout] [--ponder /path/to/ponder-project]
        [--domain-rounds 2000] [--write]

`--write` writes the report to benchmarks/indexer_results.md.
Goals: >= 25,000 events/s into PostgreSQL with the projections (twice Ponder's 12,776), and
< 1 s lag.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.config import IndexerSettings  # noqa: E402
from indexer.run import Indexer  # noqa: E402
from node.chain.anvil import Anvil  # noqa: E402
from node.chain.artifacts import Artifacts  # noqa: E402
from node.chain.client import Chain  # noqa: E402
from node.chain.devkeys import dev_accounts  # noqa: E402

PER_TX = 4_000

#: What the previous reports measured (2026-12-05 09:39, load 4.9-14, before the foreign keys
#: went and the commit path was reworked; 2026-11-25, before issue #21, 20 blocks of 5,000).
PREVIOUS = {
    "backfill SQLite, raw events only": "1,728 events/s (load 14); 13,531 (2026-11-25)",
    "backfill SQLite, raw + projections": "1,575 events/s (load 14); 9,769 (2026-11-25)",
    "backfill PostgreSQL, raw events only": "2,167 events/s (load 14); 9,825 (2026-11-25)",
    "backfill PostgreSQL, raw + projections": "2,642 events/s (load 14); 8,658 (2026-11-25)",
    "live-follow lag SQLite (poll 0.5 s)": "median 0.389 s",
    "live-follow lag PostgreSQL (poll 0.5 s)": "median 0.345 s",
}
#: Issue #21's figures on the same scenario (its machine, its run).
ISSUE_FIGURES = (
    "Ponder 1.0 on PostgreSQL 12,776 events/s, on PGlite 7,056; Coopnode with its projection "
    "12,621 on PostgreSQL and 14,883 on SQLite"
)

PONDER_SETUP = """\
mkdir -p /tmp/ponder && cd /tmp/ponder && npm init -y && npm pkg set type=module
npm install ponder@1 viem@2 hono@4      # outside the repository, never committed
# ponder.config.ts (Ponder 1.0): networks.anvil {chainId: 31337, disableCache: true,
#   transport: http(process.env.PONDER_RPC_URL, {maxResponseBodySize: false})}  (viem 2.58
#   refuses answers over 10 MB by default and Ponder 1.0 does not split the range on it),
#   contract EventBurst {network: "anvil", abi: Pinged(address indexed,uint256 indexed,bytes32),
#   address: process.env.PONDER_ADDRESS, startBlock: 0}, database postgres when
#   DATABASE_URL is set, else pglite
# ponder.schema.ts: onchainTable("ping", {id text pk, sender hex, count bigint, note hex})
# src/index.ts: ponder.on("EventBurst:Pinged", insert one ping row per event)
# src/api/index.ts: an empty Hono app (Ponder 1.0 requires the file)"""

BASELINE_SNIPPET = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from indexer.config import IndexerSettings
from indexer.run import Indexer
from node.chain.artifacts import Artifacts
idx = Indexer(rpc_url=sys.argv[2], database_url=sys.argv[3],
              artifacts=Artifacts(Path(sys.argv[1]) / ".build" / "__local__.json"),
              settings=IndexerSettings(finality_depth=12),
              projections=None if sys.argv[4] == "1" else [])
c = time.process_time()
t = time.perf_counter()
report = idx.sync_once()
seconds = time.perf_counter() - t
print(json.dumps({"events": report.events, "seconds": seconds, "cpu": time.process_time() - c}))
idx.close()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def pg_database(server: str | None) -> Iterator[str | None]:
    """A scratch PostgreSQL database, dropped afterwards; None when no server answers."""
    if server is None:
        yield None
        return
    admin = sa.create_engine(
        sa.make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    name = f"coop_idx_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        print(f"PostgreSQL at {server} unavailable ({exc.orig}); skipping it", file=sys.stderr)
        admin.dispose()
        yield None
        return
    try:
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _backend_cpu(pids: set[int]) -> float:
    """CPU seconds (user + system) the PostgreSQL backends `pids` have used so far (read from
    /proc: the server runs on this machine)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


CPU: dict[str, str] = {}
"""Per measurement: the CPU time it used (this process; PostgreSQL's backends; Ponder)."""


def backfill(chain: Chain, url: str, *, projections: bool) -> tuple[int, float, str]:
    idx = Indexer(
        rpc_url=chain.rpc_url,
        database_url=url,
        artifacts=chain.artifacts,
        settings=IndexerSettings(finality_depth=12),
        projections=None if projections else [],
    )
    pids: set[int] = set()
    if url.startswith("postgresql"):

        @sa.event.listens_for(idx.engine, "connect")
        def _pid(dbapi_conn: object, _record: object) -> None:
            cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
            cur.execute("SELECT pg_backend_pid()")
            pids.add(int(cur.fetchone()[0]))
            cur.close()

        idx.engine.dispose()  # the migration's connection: the step's are counted
    try:
        cpu = time.process_time()
        started = time.perf_counter()
        report = idx.sync_once()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        server = f", PostgreSQL backend {_backend_cpu(pids):.2f} s" if pids else ""
    finally:
        idx.close()
    return report.events, seconds, f"CPU: indexer {cpu:.2f} s{server}"


def follow_lag(chain: Chain, url: str, samples: int) -> list[float]:
    """Seconds from a transaction's block being mined to its row being readable in SQL."""
    accounts = dev_accounts()
    ping, _ = chain.deploy("Ping", accounts[0].address, sender=accounts[0])
    idx = Indexer(
        rpc_url=chain.rpc_url,
        database_url=url,
        artifacts=chain.artifacts,
        settings=IndexerSettings(finality_depth=12),
    )
    idx.sync_once()
    stop = threading.Event()
    thread = threading.Thread(target=idx.follow, args=(stop,), daemon=True)
    thread.start()
    reader = sa.create_engine(url)
    lags: list[float] = []
    rng = random.Random(1)
    try:
        for i in range(samples):
            time.sleep(rng.uniform(0.05, 0.6))  # arrivals out of phase with the poll
            sent = chain.transact(
                ping.functions.ping(f"lag{i}".encode().ljust(32, b"\0")), accounts[1]
            )
            mined = time.perf_counter()
            while True:
                with reader.connect() as conn:
                    seen = conn.execute(
                        sa.text("SELECT 1 FROM idx_raw_event WHERE block_number = :n"),
                        {"n": sent.block_number},
                    ).first()
                if seen is not None:
                    break
                time.sleep(0.002)
            lags.append(time.perf_counter() - mined)
    finally:
        stop.set()
        thread.join(10)
        reader.dispose()
        idx.close()
    return lags


def rate(events: int, seconds: float, cpu: str = "") -> tuple[str, str]:
    detail = f"{events:,} in {seconds:.2f} s" + (f"; {cpu}" if cpu else "")
    return f"{events / seconds:,.0f} events/s", detail


def baseline_backfill(
    checkout: str, rpc_url: str, url: str, *, projections: bool
) -> tuple[int, float, str]:
    """The same backfill with another checkout's indexer (its own Python process)."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            BASELINE_SNIPPET,
            checkout,
            rpc_url,
            url,
            "1" if projections else "0",
        ],
        check=True,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    return int(answer["events"]), float(answer["seconds"]), f"CPU: indexer {answer['cpu']:.2f} s"


def ponder_version(project: str) -> str:
    try:
        meta = json.loads((Path(project) / "node_modules/ponder/package.json").read_text())
        return str(meta["version"])
    except (OSError, ValueError, KeyError):
        return "?"


#: The log line that says Ponder starts reading the chain (0.16: its JSON-RPC connection;
#: 1.0: the historical sync).
PONDER_START = ("Connected to JSON-RPC", "historical sync")


def ponder_backfill(
    project: str, rpc_url: str, address: str, pg_url: str | None, events: int
) -> tuple[float, float]:
    """Seconds from Ponder's start of reading the chain until its /ready answers 200
    (historical indexing done), with one row per event checked afterwards through its
    database; and the CPU seconds of Ponder's processes (node, esbuild) from start to exit."""
    port = free_port()
    env = dict(os.environ, PONDER_RPC_URL=rpc_url, PONDER_ADDRESS=address)
    env.pop("DATABASE_URL", None)
    if pg_url is not None:
        env["DATABASE_URL"] = (
            sa.make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
    shutil.rmtree(Path(project) / ".ponder", ignore_errors=True)
    schema = f"bench_{secrets.token_hex(3)}"
    log_path = Path(project) / f"ponder-{schema}.log"
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            ["npx", "ponder", "start", "--schema", schema, "--port", str(port)],
            cwd=project,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its node and esbuild processes: counted and stopped together
        )
        try:
            connected: float | None = None
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"ponder exited: see {log_path}")
                if connected is None and any(m in log_path.read_text() for m in PONDER_START):
                    connected = time.monotonic()
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as r:
                        if r.status == 200 and connected is not None:
                            seconds = time.monotonic() - connected
                            break
                except (urllib.error.URLError, OSError):
                    pass
                time.sleep(0.05)
            else:
                raise RuntimeError("ponder did not finish within 10 minutes")
            if pg_url is not None:
                engine = sa.create_engine(pg_url)
                with engine.connect() as conn:
                    got = conn.execute(sa.text(f'SELECT count(*) FROM "{schema}".ping')).scalar()
                engine.dispose()
                if got != events:
                    raise RuntimeError(f"ponder wrote {got} rows, expected {events}")
            cpu = _session_cpu(proc.pid)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    return seconds, cpu


def _session_cpu(session: int) -> float:
    """CPU seconds used by every process of a session (with their reaped children)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:
            total += sum(int(f) for f in fields[11:15]) / tick
    return total


def domain_bench(rounds: int, pg_server: str | None) -> list[str]:
    """tests/indexer/test_projections_bench.py's lines (backfills and audits)."""
    env = dict(os.environ, COOP_INDEXER_BENCH_ROUNDS=str(rounds))
    if pg_server is not None:
        env["DATABASE_URL"] = pg_server
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-m",
            "bench",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "-o",
            "timeout=3000",
            "tests/indexer/test_projections_bench.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = domain_lines(out.stdout)
    if out.returncode != 0:
        lines.append(f"(the benchmark test failed, exit {out.returncode}: {out.stdout[-300:]})")
    return lines


def domain_lines(output: str) -> list[str]:
    """The figures the domain benchmark prints (pytest -s output)."""
    keep = ("SQLite ", "PostgreSQL ", "audit ", "transactions in")
    lines = [ln.strip(" .") for ln in output.splitlines() if ln.strip(" .").startswith(keep)]
    return list(dict.fromkeys(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--per-tx", type=int, default=PER_TX)
    parser.add_argument("--lag-samples", type=int, default=20)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("DATABASE_URL")
        if os.environ.get("DATABASE_URL", "").startswith("postgresql")
        else "postgresql+psycopg2://postgres@127.0.0.1:5432/test",
        help="PostgreSQL server (a scratch database is created on it); 'none' to skip",
    )
    parser.add_argument("--baseline", help="another checkout whose indexer is measured too")
    parser.add_argument("--ponder", help="a prepared Ponder project directory")
    parser.add_argument(
        "--ponder-dbs", type=int, default=2, help="2: PostgreSQL and PGlite; 1: PostgreSQL only"
    )
    parser.add_argument("--domain-rounds", type=int, default=0)
    parser.add_argument(
        "--domain-log",
        help="instead of --domain-rounds: the saved output of a run of the domain benchmark "
        "(pytest -m bench -s tests/indexer/test_projections_bench.py)",
    )
    parser.add_argument(
        "--domain-wait",
        type=float,
        default=0,
        help="seconds to wait, after our measurements, for the --domain-log run to print its "
        "audit figures (it may run beside this one)",
    )
    parser.add_argument("--write", action="store_true", help="write benchmarks/indexer_results.md")
    args = parser.parse_args()
    pg_server = None if args.pg_url == "none" else args.pg_url
    artifacts = Artifacts(ROOT / ".build" / "__local__.json")
    results: list[tuple[str, str, str, str]] = []
    with Anvil(free_port()) as node, tempfile.TemporaryDirectory(prefix="coop-bench-") as tmp:
        chain = Chain(node.url, artifacts)
        chain.wait_ready()
        owner = dev_accounts()[0]
        burst, _ = chain.deploy("EventBurst", sender=owner)
        started = time.perf_counter()
        emitted = 0
        while emitted < args.events:
            n = min(args.per_tx, args.events - emitted)
            chain.transact(burst.functions.burst(n, emitted, b"bench".ljust(32, b"\0")), owner)
            emitted += n
        # 100 empty blocks on top, so that every event block is final for Ponder too (it
        # backfills final blocks only and follows the rest block by block).
        chain.w3.provider.make_request("anvil_mine", ["0x64"])  # type: ignore[arg-type]
        setup = (
            f"{emitted:,} events in {-(-emitted // args.per_tx)} transactions of up to "
            f"{args.per_tx:,} (one block each), emitted in {time.perf_counter() - started:.1f} s"
        )
        print(setup, file=sys.stderr)

        def record(name: str, result: str, detail: str) -> None:
            results.append((name, result, detail, PREVIOUS.get(name, "")))
            print(f"{name}: {result} ({detail})", file=sys.stderr)

        kinds = [("SQLite", None)]
        if pg_server is not None:
            kinds.append(("PostgreSQL", pg_server))
        for label, server in kinds:
            for projected in (False, True):
                what = "raw + projections" if projected else "raw events only"
                with pg_database(server) as pg_url:
                    url = pg_url or f"sqlite:///{Path(tmp) / f'{secrets.token_hex(4)}.db'}"
                    if server is not None and pg_url is None:
                        continue
                    events, seconds, cpu = backfill(chain, url, projections=projected)
                    record(f"backfill {label}, {what}", *rate(events, seconds, cpu))
                if args.baseline:
                    with pg_database(server) as pg_url:
                        url = pg_url or f"sqlite:///{Path(tmp) / f'{secrets.token_hex(4)}.db'}"
                        events, seconds, cpu = baseline_backfill(
                            args.baseline, chain.rpc_url, url, projections=projected
                        )
                        record(
                            f"baseline ({args.baseline}): {label}, {what}",
                            *rate(events, seconds, cpu),
                        )
        if args.ponder:
            for label, server in [("PostgreSQL", pg_server), ("PGlite", None)][: args.ponder_dbs]:
                if label == "PostgreSQL" and server is None:
                    continue
                version = ponder_version(args.ponder)
                with pg_database(server) as pg_url:
                    try:
                        seconds, used = ponder_backfill(
                            args.ponder, chain.rpc_url, burst.address, pg_url, emitted
                        )
                        record(
                            f"Ponder {version} on {label}",
                            *rate(emitted, seconds, f"CPU: Ponder's processes {used:.2f} s"),
                        )
                    except RuntimeError as exc:
                        record(f"Ponder {version} on {label}", "failed", str(exc))
        for label, server in kinds:  # after every backfill: the lag runs add blocks
            with pg_database(server) as pg_url:
                if server is not None and pg_url is None:
                    continue
                url = pg_url or f"sqlite:///{Path(tmp) / 'lag.db'}"
                lags = follow_lag(chain, url, args.lag_samples)
                q = statistics.quantiles(lags, n=20)
                median = f"median {statistics.median(lags):.3f} s"
                detail = f"p95 {q[-1]:.3f} s, max {max(lags):.3f} s over {len(lags)} blocks"
                record(f"live-follow lag {label} (poll 0.5 s)", median, detail)
    domain = domain_bench(args.domain_rounds, pg_server) if args.domain_rounds else []
    if args.domain_log:
        path, deadline = Path(args.domain_log), time.monotonic() + args.domain_wait
        while time.monotonic() < deadline and (
            not path.exists() or "views batched" not in path.read_text()
        ):
            time.sleep(10)
        domain = domain_lines(path.read_text()) if path.exists() else []
    report = render(args, setup, results, domain)
    print(report)
    if args.write:
        (ROOT / "benchmarks" / "indexer_results.md").write_text(report)


def render(
    args: argparse.Namespace,
    setup: str,
    results: list[tuple[str, str, str, str]],
    domain: list[str],
) -> str:
    load = os.getloadavg()
    command = "python benchmarks/bench_indexer.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    rows = "\n".join(f"| {n} | {r} | {d} | {p} |" for n, r, d, p in results)
    domain_text = "\n".join(f"- {line}" for line in domain) or (
        "- (no figures in this run: `--domain-rounds` not given, or the `--domain-log` run had "
        "not finished)"
    )
    return TEMPLATE.format(
        command=command.strip(),
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        load=f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
        setup=setup,
        rows=rows,
        issue=ISSUE_FIGURES,
        domain=domain_text,
        rounds=args.domain_rounds,
        ponder_setup=PONDER_SETUP,
    )


TEMPLATE = """# Indexer benchmark

Generated by `benchmarks/bench_indexer.py` on {date}. Command (from the repository root, after
`make compile`; PostgreSQL from `DATABASE_URL` or the local server, where scratch databases are
created and dropped):

```
export SOLCX_BINARY_PATH=$PWD/.solcx PATH=$PWD/node_modules/.bin:$PWD/.venv/bin:$PATH
{command}
```

Machine: {machine}, shared with other engineers' test runs (load average 1/5/15 min at the end
of the run: {load}). On this machine the figures vary by about +-40% from one run to the next
and by much more under load; compare figures of the same run.

Set-up: a fresh anvil; {setup}. Each backfill writes into a fresh database with the default
settings (finality 12, adaptive range starting at 2,000 blocks, at most 10,000 rows per
transaction): the time is wall-clock for `sync_once()` and covers the RPC calls, JSON parsing,
decoding, the inserts and the commits. "raw + projections" runs every projection the node
ships; `ping_note` is the one that takes `Pinged`, one row per event (the domain projections
are registered but take none of these events: see the domain scenario below for those).
The lag is the time from `send + receipt` (the block is mined) until a separate connection
sees the row; transactions arrive at random times, out of phase with the 0.5 s poll.

| measurement | result | detail | previous report |
|---|---|---|---|
{rows}

Issue #21's figures for the same scenario, measured on its machine: {issue}. Ponder's figure
here, when present, is measured in this run against the same anvil: from the start of its
historical sync (its log line; 0.16: its JSON-RPC connection) until its `/ready` answers
(historical indexing done; its build and migrations before are not counted), one `ping` row
per event, with its RPC cache off. Its CPU is that of its processes (node, esbuild) from start
to exit, build included. Ours: the indexer process's CPU and that of the PostgreSQL backend it
used (read from /proc). Its project (outside the repository):

```
{ponder_setup}
```

## Why it is fast

- Logs stay plain JSON dicts (no web3 result formatters), parsed with orjson. Static one-word
  event arguments (uintN, intN, address, bool, bytesN) are decoded by slicing the hex, with
  eth_abi's padding and range checks; an event made only of such words gets one generated
  decoding function (`indexer/decode.py`); other types go through eth_abi.
- A step's rows reach PostgreSQL by COPY: straight into the tables when nothing is mirrored
  from the step's first block on (every table keyed by its raw event; duplicates of one step
  dropped first, as ON CONFLICT DO NOTHING would), else through a temporary table and
  `INSERT ... ON CONFLICT DO NOTHING`. The COPY text is joined line by line, escaping only a
  line that needs it. SQLite gets one executemany per table.
- No foreign keys from the projection ledgers to `idx_raw_event` (revision
  `0010_indexer_speed`): the per-row check (a lookup and a row lock of the raw event) was
  about half of PostgreSQL's time. A ledger row is written in its raw event's transaction and
  the reorg undo deletes both by block number, every ledger table included.
- At most `max_rows_per_step` (10,000) rows per transaction, cut at block boundaries. The
  runs commit in a background thread, in order; the reading thread prepares each run (the
  projections' calls, the COPY text) while the one before commits, then reads the next range.

## Domain projections and the audit ({rounds} rounds)

`tests/indexer/test_projections_bench.py` (`pytest -m bench`; with
`COOP_INDEXER_BENCH_STATE=FILE` the loaded chain is kept in an anvil state file and restored in
seconds by the next run): the test scenario cooperative,
then rounds of real domain traffic from four member accounts (a documented ВРЕ transfer, a
document anchored and signed, an invoice issued, accepted and paid: 8 events in 6
transactions per round, one transaction per block); each database backfills from block 0 with
the roots of the deployment record, every domain ledger written. Then `coop audit`'s
`audit_raw` on the SQLite mirror twice: the contract views read one by one (as before), then in
batches (a recording walk lists the calls, JSON-RPC batches of 500 `eth_call`s, or Multicall3's
`aggregate3` where the chain has it at 0xcA11bde05977b3631167028862bE2a173976CA11, answer them).

{domain}

"views one by one" is the audit as it was before the batches (every view an `eth_call` of its
own through web3); "views batched" is `coop audit` now; both in the same run, on the same
mirror. The `--domain-log` run's command:

```
COOP_INDEXER_BENCH_ROUNDS=2000 COOP_INDEXER_BENCH_STATE=/tmp/bench16k.state \\
  DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/wt_indexer \\
  python -m pytest -m bench -q -s -p no:cacheprovider -o timeout=3000 \\
  tests/indexer/test_projections_bench.py | tee bench16k.log
```

Previous report (2026-11-25, 2,000 rounds = 16,120 events over 12,097 blocks): SQLite with the
domain projections 11,003 events/s; PostgreSQL 10,600 events/s with `max_range` 2,000 and
650-1,270 events/s with steps of 8,000 blocks; audit (rebuild + every view) 27.3 s.
"""


if __name__ == "__main__":
    main()
