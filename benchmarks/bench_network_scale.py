"""A network at scale: 100 cooperatives x 1,000 members on one chain (issue #19's figures).

Deploy time (wall and CPU) of the network built by `benchmarks/network_scenario.py` (taken
from its build record, or rebuilt with `--rebuild`), the time to reload the dumped chain, the
indexer's backfill of the whole network from block 0 into a fresh SQLite file and a fresh
PostgreSQL database (events/s, wall and CPU of the indexer and of anvil), the mirror's size
(the SQLite file, PostgreSQL's `pg_total_relation_size` of every table), and `coop audit`
(a rebuild into a scratch SQLite database, row by row comparison and every contract view
checked, the command as an operator runs it) on the SQLite mirror.

    python benchmarks/bench_network_scale.py [--coops 100] [--members 1000] [--path DIR]
        [--rebuild] [--pg-url URL|none] [--write]

`--write` writes benchmarks/network_scale_results.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.network_scenario import build, default_dir, load, read  # noqa: E402
from indexer.config import IndexerSettings  # noqa: E402
from indexer.run import Indexer, roots_from_record  # noqa: E402

ROWS = re.compile(r": (\d+) rows compared$")
PG_DEFAULT = "postgresql+psycopg2://postgres@127.0.0.1:5432/wt_chains"


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (anvil) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def backfill(rpc_url: str, url: str, record: dict[str, Any], anvil_pid: int) -> dict[str, Any]:
    idx = Indexer(
        rpc_url=rpc_url,
        database_url=url,
        artifacts=_artifacts(),
        settings=IndexerSettings(roots=roots_from_record(record), finality_depth=0),
    )
    try:
        a0, c0, t0 = proc_cpu(anvil_pid), time.process_time(), time.perf_counter()
        report = idx.sync_once()
        wall = time.perf_counter() - t0
        cpu, anvil_cpu = time.process_time() - c0, proc_cpu(anvil_pid) - a0
    finally:
        idx.close()
    return {
        "events": report.events,
        "blocks": report.cursor + 1,
        "wall": wall,
        "cpu": cpu,
        "anvil_cpu": anvil_cpu,
    }


def _artifacts() -> Any:
    from node.chain.artifacts import Artifacts

    return Artifacts(ROOT / ".build" / "__local__.json")


def sqlite_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def pg_sizes(url: str) -> tuple[int, int]:
    """(sum of pg_total_relation_size over the public tables, pg_database_size)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                sa.text(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r'"
                )
            ).scalar_one()
            db = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one()
    finally:
        engine.dispose()
    return int(tables), int(db)


def audit(rpc_url: str, url: str) -> dict[str, Any]:
    """`coop audit` as an operator runs it, in its own process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), COOP_LOG_LEVEL="WARNING")
    c0, t0 = children_cpu(), time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from node.cli import main; main()",
            "audit",
            "--database-url",
            url,
            "--rpc-url",
            rpc_url,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    lines = out.stdout.strip().splitlines()
    return {
        "wall": wall,
        "cpu": children_cpu() - c0,
        "ok": out.returncode == 0,
        "last": lines[-1] if lines else out.stderr.strip()[-300:],
        "rows": sum(int(m.group(1)) for m in map(ROWS.search, lines) if m),
        "output": out.stdout,
    }


def mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coops", type=int, default=100)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--path", type=Path)
    parser.add_argument("--rebuild", action="store_true", help="build the network anew")
    parser.add_argument("--pg-url", default=PG_DEFAULT, help="a server URL, or 'none'")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    path = args.path or default_dir(args.coops, args.members)
    if args.rebuild or not (path / "scenario.json").exists():
        build(args.coops, args.members, path)
    stats = read(path).stats
    rows: list[tuple[str, str, str, str]] = []

    def record(name: str, result: str, cpu: str, detail: str) -> None:
        rows.append((name, result, cpu, detail))
        print(f"{name}: {result} | {cpu} | {detail}", file=sys.stderr, flush=True)

    members = stats["n_coops"] * stats["n_members"]
    record(
        f"deploy {stats['n_coops']} x {stats['n_members']:,}",
        f"{stats['build_wall_s']:,.0f} s wall",
        f"{stats['build_cpu_s']:,.0f} s Python + {stats['anvil_cpu_s']:,.0f} s anvil and the "
        "keys helper",
        f"{members:,} members admitted ({members / stats['build_wall_s']:,.0f}/s), "
        f"{stats['blocks']:,} blocks, ~{stats['gas_per_member_estimate']:,} gas a member; built "
        f"{stats['built_at']}, load average then {' / '.join(map(str, stats['load_average']))}",
    )
    record(
        "state dump",
        mb(stats["state_bytes"]),
        "",
        f"{mb(stats['state_bytes_with_traces'])} with anvil's call traces, which are stripped; "
        f"dumped in {stats['dump_s']:.0f} s",
    )
    with load(path) as sc, tempfile.TemporaryDirectory(prefix="coop-scale-") as tmp:
        assert sc.process is not None
        record("reload (anvil --load-state)", f"{sc.stats['load_s']:.1f} s", "", "")
        pid = sc.process.pid
        sqlite_file = Path(tmp) / "mirror.db"
        sqlite_url = f"sqlite:///{sqlite_file}"
        r = backfill(sc.rpc_url, sqlite_url, sc.record, pid)
        record(
            "backfill SQLite",
            f"{r['events'] / r['wall']:,.0f} events/s",
            f"{r['cpu']:,.0f} s indexer + {r['anvil_cpu']:,.0f} s anvil",
            f"{r['events']:,} events of {r['blocks']:,} blocks in {r['wall']:,.0f} s",
        )
        record("mirror size SQLite", mb(sqlite_size(sqlite_file)), "", "file and WAL")
        if args.pg_url != "none":
            server = sa.make_url(args.pg_url)
            admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
            # A scratch database named after the URL's (wt_chains -> wt_chains_<random>).
            name = f"{server.database or 'wt_chains'}_{secrets.token_hex(3)}"
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            try:
                pg_url = server.set(database=name).render_as_string(hide_password=False)
                r = backfill(sc.rpc_url, pg_url, sc.record, pid)
                record(
                    "backfill PostgreSQL",
                    f"{r['events'] / r['wall']:,.0f} events/s",
                    f"{r['cpu']:,.0f} s indexer + {r['anvil_cpu']:,.0f} s anvil",
                    f"{r['events']:,} events of {r['blocks']:,} blocks in {r['wall']:,.0f} s",
                )
                tables, db = pg_sizes(pg_url)
                record(
                    "mirror size PostgreSQL",
                    mb(tables),
                    "",
                    f"sum of pg_total_relation_size (tables, indexes, TOAST); database {mb(db)}",
                )
            finally:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()
        a = audit(sc.rpc_url, sqlite_url)
        record(
            "coop audit (SQLite mirror)",
            f"{a['wall']:,.0f} s wall",
            f"{a['cpu']:,.0f} s",
            f"{'clean' if a['ok'] else 'NOT CLEAN'}: {a['rows']:,} rows compared; «{a['last']}»",
        )
        if not a["ok"]:
            print(a["output"], file=sys.stderr)
    report = render(rows)
    print(report)
    if args.write:
        (ROOT / "benchmarks" / "network_scale_results.md").write_text(report)


def render(rows: list[tuple[str, str, str, str]]) -> str:
    load_avg = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    command = "python benchmarks/bench_network_scale.py " + " ".join(
        shlex.quote(a) for a in sys.argv[1:]
    )
    table = "\n".join(f"| {n} | {r} | {c} | {d} |" for n, r, c, d in rows)
    return TEMPLATE.format(
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        command=command.strip(),
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        load=load_avg,
        rows=table,
    )


TEMPLATE = """# A network at scale: 100 cooperatives x 1,000 members

Generated by `benchmarks/bench_network_scale.py` on {date}. Command (from the repository root,
after `make compile`):

```
export SOLCX_BINARY_PATH=$PWD/.solcx PATH=$PWD/node_modules/.bin:$PWD/.venv/bin:$PATH
{command}
```

Machine: {machine}, shared with the test runs of seven other checkouts (load average 1/5/15
min at the end of the run: {load}; wall times are inflated by the load, CPU times much less).

The network (`benchmarks/network_scenario.py`): the six implementations and the
`CooperativeFactory` with its `NetworkRegistry`, then one `createCooperative` per cooperative
(every fifth a consumer, production, agricultural, credit or other cooperative, each with its
own charter, council, fees and fund split), then every member the whole way through
`Membership`: an EIP-712 application signed by the member's own key and relayed
(`applyToJoinWithSig`), an identity attestation, an attested fee payment (shares credited) and
the admission decision. The officer roles are held by a batch caller so that one transaction
carries 64 members (256 calls); anvil runs with automine off, two such transactions fill a
30M-gas block. The chain is dumped once (`anvil --dump-state`) and reloaded for every run.

The indexer backfills from block 0 with the node's settings (the roots from the deployment
record: the registry and the factory; every cooperative discovered from
`CooperativeRegistered`; every projection), into a fresh database each time. `coop audit`
runs as the operator's command on the SQLite mirror: it rebuilds the mirror from the chain
into a scratch SQLite database, compares every row, and checks the mirror against the
contracts' views (batched through Multicall3).

| measurement | result | CPU | detail |
|---|---|---|---|
{rows}
"""


if __name__ == "__main__":
    main()
