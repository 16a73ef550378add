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
cycle-removal baseline under a time budget. Prints a markdown table and writes it, with the
command that produced it, to ``benchmarks/clearing_results.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import ortools

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
    load_after = os.getloadavg()
    result = table(rows, args.greedy_budget)
    if stress:
        result += "\n\nStress shapes:\n\n" + table(stress, args.greedy_budget)
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

The number of chunks is mostly set by the graph, not by the code: the cleared amounts need
about one independent cycle per settled obligation (minus one per member), a chunk is a sum
of cycles, and on a graph without local structure a 150-entry chunk holds only a handful of
independent cycles. For scale (measured during development with variants of the
decomposition, not by this script): the shortest cycle through each obligation by
breadth-first search gives 4,373 chunks (631,924 entries) on the 100k uniform graph but takes
about 6 minutes in Python; a plain depth-first walk gives 56,540 chunks (8.6 million entries)
and over 10 s of chunking. The walk with a one-step look-ahead used here sits in between,
within the time goal.

Stress shapes: *sparse uniform* has half as many members as obligations (long cycles, little
to clear); *ring* is one cycle through every member (the flow solver alone took half a
minute on a 20k ring before chains were contracted; the plan is necessarily one 100k-entry
chunk); *two members* puts every obligation between the same pair (a worst case for
rescanning adjacency lists)."""


if __name__ == "__main__":
    main()
