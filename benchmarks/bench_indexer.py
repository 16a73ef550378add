"""Indexer benchmark: backfill throughput and live-follow lag, on SQLite and PostgreSQL.

Puts 100,000 `Pinged` events on a fresh anvil (EventBurst: 5,000 events per transaction), then
backfills them into a fresh SQLite file and a fresh PostgreSQL database (skipped when none
answers), with and without the example projection; then follows the chain while single
transactions arrive and measures the time from a mined block to its rows being visible in SQL.

    python benchmarks/bench_indexer.py [--events 100000] [--pg-url URL] [--markdown]

Goals: >= 5,000 events/s backfill into each database, < 1 s lag.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
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

PER_TX = 5_000


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


def backfill(chain: Chain, url: str, *, projections: bool) -> tuple[int, float]:
    idx = Indexer(
        rpc_url=chain.rpc_url,
        database_url=url,
        artifacts=chain.artifacts,
        settings=IndexerSettings(finality_depth=12),
        projections=None if projections else [],
    )
    try:
        started = time.perf_counter()
        report = idx.sync_once()
        seconds = time.perf_counter() - started
    finally:
        idx.close()
    return report.events, seconds


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--lag-samples", type=int, default=20)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("DATABASE_URL")
        if os.environ.get("DATABASE_URL", "").startswith("postgresql")
        else "postgresql+psycopg2://postgres@127.0.0.1:5432/test",
        help="PostgreSQL server (a scratch database is created on it); 'none' to skip",
    )
    args = parser.parse_args()
    pg_server = None if args.pg_url == "none" else args.pg_url
    artifacts = Artifacts(ROOT / ".build" / "__local__.json")
    results: list[tuple[str, str, str]] = []
    with Anvil(free_port()) as node, tempfile.TemporaryDirectory(prefix="coop-bench-") as tmp:
        chain = Chain(node.url, artifacts)
        chain.wait_ready()
        owner = dev_accounts()[0]
        burst, _ = chain.deploy("EventBurst", sender=owner)
        started = time.perf_counter()
        emitted = 0
        while emitted < args.events:
            n = min(PER_TX, args.events - emitted)
            chain.transact(burst.functions.burst(n, emitted, b"bench".ljust(32, b"\0")), owner)
            emitted += n
        print(f"emitted {emitted} events in {time.perf_counter() - started:.1f} s", file=sys.stderr)

        with pg_database(pg_server) as pg_url, pg_database(pg_server) as pg_raw_url:
            targets = [
                (
                    "SQLite",
                    f"sqlite:///{Path(tmp) / 'bench.db'}",
                    f"sqlite:///{Path(tmp) / 'raw.db'}",
                ),
            ]
            if pg_url is not None and pg_raw_url is not None:
                targets.append(("PostgreSQL", pg_url, pg_raw_url))
            for label, url, raw_url in targets:
                events, seconds = backfill(chain, raw_url, projections=False)
                rate, detail = f"{events / seconds:,.0f} events/s", f"{events:,} in {seconds:.2f} s"
                results.append((f"backfill {label}, raw events only", rate, detail))
                events, seconds = backfill(chain, url, projections=True)
                rate, detail = f"{events / seconds:,.0f} events/s", f"{events:,} in {seconds:.2f} s"
                results.append((f"backfill {label}, raw + ping_note projection", rate, detail))
            for label, url, _ in targets:  # after every backfill: the lag runs add blocks
                lags = follow_lag(chain, url, args.lag_samples)
                q = statistics.quantiles(lags, n=20)
                median = f"median {statistics.median(lags):.3f} s"
                detail = f"p95 {q[-1]:.3f} s, max {max(lags):.3f} s over {len(lags)} blocks"
                results.append((f"live-follow lag {label} (poll 0.5 s)", median, detail))
    print("| measurement | result | detail |")
    print("|---|---|---|")
    for row in results:
        print(f"| {' | '.join(row)} |")


if __name__ == "__main__":
    main()
