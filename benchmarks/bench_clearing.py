"""Benchmark of the clearing engine against greedy cycle removal.

Run: ``.venv/bin/python benchmarks/bench_clearing.py`` (``--help`` for options). Builds
random obligation graphs of 1k, 10k and 100k obligations among a tenth as many members,
amounts uniform in 1..10,000, in two shapes:

* ``uniform``: debtor and creditor drawn uniformly (an expander: no local structure, the
  hardest case for chunking because short cycles are rare);
* ``scale-free``: preferential attachment (Barabási–Albert-like: each new member takes 10
  obligations with members picked in proportion to how many obligations they already
  have; the direction of each obligation is a coin toss), i.e. a few hubs with many
  counterparties, closer to real trade networks.

For each it measures the optimal plan (min-cost flow + cycle decomposition + chunking,
wall time; median of ``--repeat`` runs), checks it with ``verify_plan``, and runs the greedy
cycle-removal baseline under a time budget.

Then, end to end as a user runs it: ``coop clearing plan`` as a subprocess (process start,
imports, CSV read, plan, verification, chunks, JSON written) on CSV files of the uniform and
scale-free graphs with 100,000 obligations among 10,000 members and the uniform one with
1,000,000 among 100,000 (``--e2e``), next to a bare OR-tools ``SimpleMinCostFlow`` solve of
the same instance measured in the same run, and ``coop --help``. Prints markdown tables and
writes them, with the command that produced them, to ``benchmarks/clearing_results.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import ortools
from ortools.graph.python import min_cost_flow

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from node.clearing import Obligation, greedy_cycle_clearing, plan_clearing, verify_plan

MAX_AMOUNT = 10_000


def uniform_graph(n_obligations: int, n_members: int, rng: random.Random) -> list[Obligation]:
    obligations = []
    for k in range(n_obligations):
        debtor = rng.randrange(n_members)
        creditor = rng.randrange(n_members - 1)
        if creditor >= debtor:
            creditor += 1
        obligations.append(Obligation(k, f"m{debtor}", f"m{creditor}", rng.randint(1, MAX_AMOUNT)))
    return obligations


def scale_free_graph(n_obligations: int, n_members: int, rng: random.Random) -> list[Obligation]:
    """Preferential attachment: a new member links to ``per_member`` distinct existing ones
    chosen with probability proportional to their degree (sampling from the list of all
    obligation endpoints does exactly that)."""
    per_member = max(1, n_obligations // n_members)
    endpoints: list[int] = []
    pairs: list[tuple[int, int]] = []
    seed_size = per_member + 1
    for a in range(seed_size):  # a small complete core to attach to
        for b in range(a + 1, seed_size):
            pairs.append((a, b))
            endpoints += [a, b]
    member = seed_size
    while len(pairs) < n_obligations:
        targets: set[int] = set()
        while len(targets) < min(per_member, member):
            targets.add(rng.choice(endpoints))
        for target in targets:
            pairs.append((member, target))
            endpoints += [member, target]
        member += 1
    obligations = []
    for k, (a, b) in enumerate(pairs[:n_obligations]):
        debtor, creditor = (a, b) if rng.random() < 0.5 else (b, a)
        obligations.append(Obligation(k, f"m{debtor}", f"m{creditor}", rng.randint(1, MAX_AMOUNT)))
    return obligations


@dataclass
class Row:
    shape: str
    obligations: int
    members: int
    plan_seconds: float
    plan_cpu_seconds: float
    cleared_share: float
    settlements: int
    chunks: int
    entries: int
    max_chunk: int
    greedy_seconds: float | None
    greedy_share: float | None


def ring_graph(n_obligations: int, n_members: int, rng: random.Random) -> list[Obligation]:
    """Everybody owes the next member: one cycle through all (a worst case for flow solvers
    and for chunking: the whole plan is one cycle that cannot be split)."""
    return [
        Obligation(k, f"m{k}", f"m{(k + 1) % n_obligations}", rng.randint(1, MAX_AMOUNT))
        for k in range(n_obligations)
    ]


def two_member_graph(n_obligations: int, n_members: int, rng: random.Random) -> list[Obligation]:
    """Two members with all the obligations between them, both ways (a worst case for
    anything that rescans a member's list of obligations)."""
    return [
        Obligation(k, *(("A", "B") if k % 2 else ("B", "A")), rng.randint(1, MAX_AMOUNT))
        for k in range(n_obligations)
    ]


# name -> (generator, members per obligation)
SHAPES = {
    "uniform": (uniform_graph, 0.1),
    "scale-free": (scale_free_graph, 0.1),
    "sparse uniform": (uniform_graph, 0.5),
    "ring": (ring_graph, 1.0),
    "two members": (two_member_graph, 0.0),
}


def bench(shape: str, n_obligations: int, seed: int, repeat: int, greedy_budget: float) -> Row:
    make, members_per_obligation = SHAPES[shape]
    n_members = max(2, int(n_obligations * members_per_obligation))
    rng = random.Random(seed)
    obligations = make(n_obligations, n_members, rng)
    members = len({ob.debtor for ob in obligations} | {ob.creditor for ob in obligations})
    total = sum(ob.amount for ob in obligations)

    times = []
    cpu_times = []
    plan = None
    for _ in range(repeat):
        plan = None  # free the previous run's plan outside the timed region
        started = time.perf_counter()
        cpu_started = time.process_time()
        plan = plan_clearing(obligations)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    assert plan is not None
    verify_plan(obligations, plan)

    greedy_seconds: float | None
    greedy_share: float | None
    started = time.perf_counter()
    try:
        greedy = greedy_cycle_clearing(obligations, time_budget=greedy_budget)
        greedy_seconds = time.perf_counter() - started
        greedy_share = greedy / total
    except TimeoutError:
        greedy_seconds = greedy_share = None

    return Row(
        shape=shape,
        obligations=n_obligations,
        members=members,
        plan_seconds=statistics.median(times),
        plan_cpu_seconds=statistics.median(cpu_times),
        cleared_share=plan.cleared_total / total,
        settlements=len(plan.settlements),
        chunks=len(plan.chunks),
        entries=sum(len(chunk) for chunk in plan.chunks),
        max_chunk=max((len(chunk) for chunk in plan.chunks), default=0),
        greedy_seconds=greedy_seconds,
        greedy_share=greedy_share,
    )


def percent(share: float) -> str:
    return f"{100 * share:.3f}%" if 0 < share < 0.001 else f"{100 * share:.1f}%"


def table(rows: list[Row], greedy_budget: float) -> str:
    lines = [
        "| graph | obligations | members | plan, s | plan CPU, s | cleared (optimal) "
        "| settlements | chunks | chunk entries | largest chunk | greedy, s | cleared (greedy) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r.greedy_seconds is None or r.greedy_share is None:
            greedy = (f"did not finish in {greedy_budget:g} s", "—")
        else:
            greedy = (f"{r.greedy_seconds:.2f}", percent(r.greedy_share))
        lines.append(
            f"| {r.shape} | {r.obligations:,} | {r.members:,} | {r.plan_seconds:.2f} "
            f"| {r.plan_cpu_seconds:.2f} | {percent(r.cleared_share)} | {r.settlements:,} "
            f"| {r.chunks:,} | {r.entries:,} | {r.max_chunk} | {greedy[0]} | {greedy[1]} |"
        )
    return "\n".join(lines)


# --- end to end -------------------------------------------------------------------------------

# Figures before issue #21, measured on a fresh clone (side by side in one run).
PREVIOUS_E2E = {"uniform 100,000": "8.4", "scale-free 100,000": "4.0"}
PREVIOUS_BARE = "0.26"
PREVIOUS_HELP = "0.85"

_SUMMARY = re.compile(r"chunks \(transactions\): (\d+), .*?entries in total: (\d+)")


def coop_command() -> list[str]:
    """The installed `coop` entry point beside this Python (the user's command)."""
    beside = Path(sys.executable).with_name("coop")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("coop")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from node.cli import main; sys.exit(main())"]


def write_csv(obligations: list[Obligation], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("id,debtor,creditor,amount\n")
        out.writelines(f"{ob.id},{ob.debtor},{ob.creditor},{ob.amount}\n" for ob in obligations)


def bare_solve_seconds(obligations: list[Obligation]) -> tuple[float, float]:
    """OR-tools min-cost flow on the whole instance (the MTCS formulation: remaining debt
    ``r`` in ``[0, amount]``, net positions kept, minimise ``sum r``), arrays built before
    the clock starts: the solver's own time, the floor for any exact planner."""
    index: dict[str, int] = {}
    tails = np.array([index.setdefault(ob.debtor, len(index)) for ob in obligations])
    heads = np.array([index.setdefault(ob.creditor, len(index)) for ob in obligations])
    amounts = np.array([ob.amount for ob in obligations], dtype=np.int64)
    supplies = np.zeros(len(index), dtype=np.int64)
    np.add.at(supplies, tails, amounts)
    np.add.at(supplies, heads, -amounts)
    started = time.perf_counter()
    cpu_started = time.process_time()
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), amounts, np.ones_like(amounts)
    )
    solver.set_nodes_supplies(np.arange(len(index), dtype=np.int32), supplies)
    if solver.solve() != solver.OPTIMAL:
        raise RuntimeError("bare solve failed")
    return time.perf_counter() - started, time.process_time() - cpu_started


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_seconds(command: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system) of a subprocess, and its output."""
    started = time.perf_counter()
    cpu_started = children_cpu()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    return wall, children_cpu() - cpu_started, done.stdout + done.stderr


@dataclass
class E2ERow:
    name: str
    obligations: int
    members: int
    seconds: float
    cpu_seconds: float
    bare_seconds: float
    bare_cpu_seconds: float
    chunks: int
    entries: int
    load: float


def bench_e2e(
    name: str, shape: str, n_obligations: int, seed: int, repeat: int, workdir: Path
) -> E2ERow:
    make, members_per_obligation = SHAPES[shape]
    n_members = max(2, int(n_obligations * members_per_obligation))
    obligations = make(n_obligations, n_members, random.Random(seed))
    members = len({ob.debtor for ob in obligations} | {ob.creditor for ob in obligations})
    csv_path = workdir / f"{shape}-{n_obligations}.csv"
    json_path = workdir / f"{shape}-{n_obligations}.json"
    write_csv(obligations, csv_path)
    command = [*coop_command(), "clearing", "plan", "-i", str(csv_path), "-o", str(json_path)]
    times = []
    cpu = []
    bare = []
    bare_cpu = []
    output = ""
    for _ in range(repeat):  # interleaved, so both see the same load on the machine
        seconds, cpu_seconds, output = run_seconds(command)
        times.append(seconds)
        cpu.append(cpu_seconds)
        solve_seconds, solve_cpu = bare_solve_seconds(obligations)
        bare.append(solve_seconds)
        bare_cpu.append(solve_cpu)
    found = _SUMMARY.search(output)
    if found is None:
        raise RuntimeError(f"unexpected output of coop clearing plan: {output!r}")
    load = os.getloadavg()[0]
    return E2ERow(
        name=name,
        obligations=n_obligations,
        members=members,
        seconds=statistics.median(times),
        cpu_seconds=statistics.median(cpu),
        bare_seconds=statistics.median(bare),
        bare_cpu_seconds=statistics.median(bare_cpu),
        chunks=int(found.group(1)),
        entries=int(found.group(2)),
        load=load,
    )


def e2e_table(rows: list[E2ERow], help_seconds: tuple[float, float]) -> str:
    lines = [
        "| instance | obligations | members | `coop clearing plan`, s | before, s "
        "| bare min-cost flow, s | ratio | command CPU, s | bare CPU, s | CPU ratio "
        "| chunks | chunk entries | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        before = PREVIOUS_E2E.get(f"{r.name} {r.obligations:,}", "—")
        lines.append(
            f"| {r.name} | {r.obligations:,} | {r.members:,} | {r.seconds:.2f} | {before} "
            f"| {r.bare_seconds:.2f} | {r.seconds / r.bare_seconds:.1f}x "
            f"| {r.cpu_seconds:.2f} | {r.bare_cpu_seconds:.2f} "
            f"| {r.cpu_seconds / r.bare_cpu_seconds:.1f}x | {r.chunks:,} | {r.entries:,} "
            f"| {r.load:.1f} |"
        )
    lines += [
        "",
        "| command | s | CPU, s | before, s |",
        "|---|---:|---:|---:|",
        f"| `coop --help` | {help_seconds[0]:.2f} | {help_seconds[1]:.2f} | {PREVIOUS_HELP} |",
    ]
    return "\n".join(lines)


def run_e2e(sizes: list[tuple[str, str, int]], seed: int, repeat: int) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-clearing-") as tmp:
        workdir = Path(tmp)
        # The first run builds the C part into the user's cache (once per source version):
        # not what a user waits for on every run, so it is done before the clock starts.
        warm = [Obligation(1, "a", "b", 1), Obligation(2, "b", "a", 1)]
        write_csv(warm, workdir / "warm.csv")
        build, _, _ = run_seconds(
            [*coop_command(), "clearing", "plan", "-i", str(workdir / "warm.csv"), "-o", "-"]
        )
        helps = [run_seconds([*coop_command(), "--help"]) for _ in range(5)]
        help_seconds = (
            statistics.median(h[0] for h in helps),
            statistics.median(h[1] for h in helps),
        )
        rows = []
        for name, shape, n in sizes:
            runs = repeat if n <= 100_000 else 1
            rows.append(bench_e2e(name, shape, n, seed, runs, workdir))
            print(f"  {name} {n:,}: {rows[-1].seconds:.2f} s", file=sys.stderr)
    return e2e_table(rows, help_seconds) + (
        f"\n\nFirst run after an install or upgrade (builds the C part): {build:.2f} s."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="obligation counts")
    parser.add_argument("--shapes", default="uniform,scale-free")
    parser.add_argument(
        "--stress-shapes",
        default="sparse uniform,ring,two members",
        help="shapes for the second table, at the largest size ('' to skip)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="plan runs per graph (median)")
    parser.add_argument("--greedy-budget", type=float, default=120.0, help="seconds")
    parser.add_argument(
        "--e2e",
        default="uniform:100000,scale-free:100000,uniform:1000000",
        help="shape:obligations for `coop clearing plan` end to end ('' to skip)",
    )
    parser.add_argument(
        "--output",
        default=str(Path(__file__).with_name("clearing_results.md")),
        help="markdown file to write ('' to skip)",
    )
    args = parser.parse_args()

    sizes = [int(size) for size in args.sizes.split(",")]
    load_before = os.getloadavg()
    rows = [
        bench(shape, size, args.seed, args.repeat, args.greedy_budget)
        for shape in args.shapes.split(",")
        for size in sizes
    ]
    stress = [
        bench(shape, max(sizes), args.seed, args.repeat, args.greedy_budget)
        for shape in args.stress_shapes.split(",")
        if shape
    ]
    e2e_sizes = [
        (shape, shape, int(count))
        for shape, count in (item.split(":") for item in args.e2e.split(",") if item)
    ]
    e2e = run_e2e(e2e_sizes, args.seed, args.repeat) if e2e_sizes else ""
    load_after = os.getloadavg()
    result = table(rows, args.greedy_budget)
    if stress:
        result += "\n\nStress shapes:\n\n" + table(stress, args.greedy_budget)
    if e2e:
        result += "\n\nEnd to end (`coop clearing plan` as a subprocess):\n\n" + e2e
    print(result)

    if args.output:
        command = shlex.join([".venv/bin/python", "benchmarks/bench_clearing.py", *sys.argv[1:]])
        machine = (
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, OR-tools {ortools.__version__}; "
            f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
        )
        Path(args.output).write_text(
            "# Clearing engine (взаимозачёт)\n\n"
            f"Command: `{command}` ({time.strftime('%Y-%m-%d')}; {machine}).\n\n"
            f"{result}\n\n"
            f"{NOTES}\n",
            encoding="utf-8",
        )


NOTES = """\
*plan, s*: wall time of `plan_clearing` (median of the runs; *plan CPU, s*: its CPU time,
less sensitive to other load on the machine): OR-tools min-cost flow for the optimum (after
dropping obligations on no cycle and contracting pass-through chains), decomposition of the
cleared amounts into cycles, packing into chunks of at most 150 entries. *cleared*: share of
the total debt struck off. *settlements*: obligations touched. *chunks*: transactions
needed, each balanced on its own; *chunk entries*: their total size (an obligation cleared
across several chunks counts once per chunk); a chunk above 150 is a single cycle longer
than that, which cannot be split. *greedy*: cancel cycles in the order a depth-first walk
finds them (`greedy_cycle_clearing`), the usual baseline: fast, but it clears about 10
percentage points of the total debt less than the optimum here, and can clear half of it on
adversarial inputs (`test_greedy_cycle_removal_is_not_optimal`).

The number of chunks is mostly set by the graph and by how the cleared amounts are split
into cycles: the cleared amounts need about one independent cycle per settled obligation
(minus one per member), a chunk is a sum of cycles, and every obligation on a cycle is one
entry. Since this round the split takes, for every obligation with cleared amount left, the
shortest cycle through it (a two-sided breadth-first search, `_shortest_cycles`, in the
Python reference and in C), with the previous look-ahead walk only for what the search's work
bounds leave (none at 100,000). On small graphs (at most 50,000 edges after the reduction)
the walk alone is tried too and the plan with fewer chunks kept: there every cycle is short
anyway and the walk's overlapping cycles sometimes pack into a few percent fewer chunks.
Before (the walk): uniform 100,000 1,572,373 entries in 11,576 chunks, scale-free 1,089,356
in 7,887; a plain depth-first walk gives 56,540 chunks (8.6 million entries).

Stress shapes: *sparse uniform* has half as many members as obligations (long cycles, little
to clear); *ring* is one cycle through every member (the flow solver alone took half a
minute on a 20k ring before chains were contracted; the plan is necessarily one 100k-entry
chunk); *two members* puts every obligation between the same pair (a worst case for
rescanning adjacency lists).

*End to end*: wall time of `coop clearing plan -i obligations.csv -o plan.json` run as a
subprocess, as a user runs it: process start and imports, reading and checking the CSV, the
plan, its verification (`verify_plan`'s checks, vectorised), the chunks and the JSON written
atomically (median of the runs; one run for 1,000,000). *bare min-cost flow*: OR-tools'
`SimpleMinCostFlow` on the same instance in the benchmark process (arrays built before the
clock starts, no reduction, no chunks): the floor for any exact planner; the runs alternate
with the command's so that both see the same load. *ratio*: the two divided (goal: at most
4). *CPU*: the same runs' CPU time (user + system; for the command, of the whole process),
which other load on a shared machine inflates much less than the wall time. *before*: the
figures of issue #21, measured on a fresh clone before this work (`coop clearing plan` 8.4 s
uniform and 4.0 s scale-free at 100,000 obligations, against a bare solve of 0.26 s; `coop
--help` 0.85 s). The command stays in arrays from the CSV to the JSON (no Python object per
entry): the cycle search and walk, the chunk packing and the JSON text are a C port of the
Python reference (`node/clearing/_walk.c`, built on first use), giving the same plan (the chunk
counts are those of the Python code, which the in-process table above also shows).
`coop --help` imports only click: each command imports its libraries when it runs.
*load*: the one-minute load average when the row's runs ended (2 CPUs, shared by several
engineers while these figures were taken; the CPU columns are the ones to compare).

Issue #21's goals and where they stand. *100,000 obligations under 1 s, at most 4 x the bare
solve*: on a quiet machine (load 0.4) before this round the command took 1.27 s wall for the
uniform graph (bare solve 0.42 s, 3.0x), profiled as: Python start and imports 0.30 s
(of which 0.17 s loading the node's settings, with pydantic, only to find the log level),
CSV 0.17, min-cost flow 0.30, the rest of the plan (reduction, cycle walk, chunks) 0.25,
verification 0.32, JSON 0.13. This round: the logging set-up reads the settings only when a
`COOP_LOG_*` variable or a `.env` file could change its defaults (`coop clearing plan` now
loads no pydantic), and ids already in order are not sorted again (plan and verification).
That is about 0.2 s of the 0.27 s over the goal; the rest is proportional to the chunk
entries (1.57 million for 84,000 settlements: verification, JSON, the walk), see below.
*1,000,000 obligations under 10 s*: not reachable with an exact solve by OR-tools: the bare
`SimpleMinCostFlow` of that instance alone took 15.5 s wall (14.0 s CPU) at load 0.9, before
any reading, chunking or writing. What the command adds on top is the chunking's output:
62 million chunk entries in 404,635 transactions (1.5 GB of JSON), which the walk, the
verification and the JSON writer then handle; the walk's cycles get longer as the graph
grows (about 19 entries per settlement at 10,000 members, 74 at 100,000). The round after
(shortest-cycle chunking, in the Python reference and in C, same plans): uniform 100,000
627,320 entries in 4,350 chunks (was 1,572,373 in 11,576), scale-free 100,000 531,904 in
3,674 (was 1,089,356 in 7,887), uniform 1,000,000 8,505,206 in 58,064 (was 62,009,123 in
404,635): 2 to 7 times fewer `settleClearing` transactions and entries, so a verification
and JSON that much smaller. The search costs CPU in their place: at 100,000 the command's
CPU is about what it was (1.53 s uniform, 1.25 s scale-free at load 4.4-4.7, against 1.94
and 1.36 at load 14), at 1,000,000 it took 53.5 s CPU (86 s wall at load 5.3; bare solve
14.1 s CPU, 21.8 s wall), most of it the searches (741,017 of them, 14 obligations per
cycle on average, 1.04 billion adjacency entries scanned: half the work bound, so the walk
took nothing over; at 100,000 about 74,000 searches and 26-30 million entries).
The Python reference runs the same searches in Python: 12.0 s CPU at
100,000 uniform against 5.5 s for the walk alone (it is the reference, used for amounts
beyond int64; `coop clearing plan` uses the C path).
Gas (per-entry figures of `benchmarks/gas_units_results.md`: about 8,900 gas per entry that
leaves its obligation open, 11,250 per entry that closes it, about 21,400 per transaction
for the base, the clone hop and the `ClearingSettled` log): every entry saved is one that
leaves its obligation open (each settled obligation is closed by exactly one entry either
way), so at 100,000 uniform the plan saves about 945,000 x 8,900 + 7,226 x 21,400, about 8.6
billion gas (from about 14.4 to 5.8 billion, i.e. from about 480 to about 195 blocks of 30
million gas), scale-free about 557,000 x 8,900 + 4,213 x 21,400, about 5.0 billion.
A quiet-machine re-run: `python benchmarks/bench_clearing.py` (all tables, about ten minutes
at load 1), or for the end-to-end rows only `python benchmarks/bench_clearing.py --sizes 1000
--shapes uniform --stress-shapes '' --e2e uniform:100000,scale-free:100000,uniform:1000000`."""


if __name__ == "__main__":
    main()
