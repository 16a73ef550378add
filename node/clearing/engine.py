"""The clearing engine: maximum multilateral set-off (взаимозачёт) of members' obligations.

Members owe each other amounts of ВРЕ. When debts go round in a cycle (A owes B, B owes C,
C owes A) the same amount can be struck off every obligation of the cycle and nobody's net
position changes. The engine finds the set-off that clears the *most* in total and splits it
into chunks small enough for one transaction each.

Why a min-cost flow and not "find a cycle, cancel it, repeat": greedy cycle cancelling is
order-dependent and can be far from optimal (see :func:`greedy_cycle_clearing` and the tests:
on A<->B plus A->B->C->D->A sharing the A->B debt, greedy clears 2, the optimum 4). The
optimum is the MTCS (multilateral trade credit set-off) formulation:

    choose the remaining debt ``f_e`` in ``[0, amount_e]`` on every obligation ``e`` so that
    every member keeps the net position the original obligations give them, minimising
    ``sum f_e``; the cleared amount is ``amount_e - f_e``.

Equivalently the cleared amounts ``c_e`` form a circulation (inflow == outflow at every
member) bounded by ``0 <= c_e <= amount_e`` with the largest total. The constraint matrix is
totally unimodular, so an integral optimum exists and a network-flow solver finds one;
we use OR-tools' ``SimpleMinCostFlow`` (cost-scaling push-relabel, in C++). Before solving,
obligations that lie on no cycle are dropped and chains of members who only pass debt
through are contracted (exact reductions that keep the solver fast on long thin shapes such
as a ring of 100,000 members; see the optimisation section below).

OR-tools works in int64. On-chain amounts are uint256, so when the amounts are too large for
int64 the engine solves exactly by *capacity scaling with a proximity bound*: it solves the
problem on the amounts shifted right by ``k`` bits, doubles the answer ``j`` bits at a time
and re-solves only the bounded correction. This relies on the proximity theorem for totally
unimodular systems (Cook, Gerards, Schrijver, Tardos 1986; Schrijver, *Theory of Linear and
Integer Programming*, Thm 10.5): if the right-hand side moves by at most ``d`` in every
coordinate, some optimum of the new problem lies within ``n * d`` (``n`` variables) of any
optimum of the old one. Scaling a solution by ``2**j`` is optimal for the amounts
``(a >> k) << j``, which differ from ``a >> (k - j)`` by less than ``2**j``; so the correction
can be searched in a box of half-width ``m * (2**j - 1)`` around it, and that box fits int64.
The result is exact for any size of integer.

Chunks. A plan bigger than a block goes in several transactions, and the contract checks each
chunk on its own: in every chunk every member's cleared debts must equal their cleared
claims. The cleared circulation is decomposed into simple cycles (each cycle keeps all net
positions) and the cycles are packed greedily into chunks of at most ``max_per_chunk``
distinct obligation ids. Within a chunk entries of the same id are merged (amounts summed);
one id may appear in several chunks with parts of its cleared amount, which is why a chunk is
a list of ``(id, amount)`` settlements rather than a list of ids. A single cycle longer than
``max_per_chunk`` cannot be split without unbalancing it, so it goes alone into its own
(oversized) chunk.

How many chunks a plan needs is mostly fixed by the graph: the cleared amounts need about one
independent cycle per settled obligation, every cycle costs one entry per obligation on it,
and so short cycles mean few entries. The decomposition therefore takes, for every edge with
flow left, the shortest cycle through it (:func:`_shortest_cycles`, a two-sided
breadth-first search; bounded in work, with the look-ahead walk of :func:`_decompose_cycles`
for whatever the bounds leave). At 100,000 obligations that is 2 to 2.7 times fewer
entries and chunks than the walk alone (7 times at 1,000,000); on small graphs, where the
walk's overlapping cycles sometimes pack into fewer chunks, both are tried and the better
kept (:func:`_plan_unpaused`).
Which decomposition is chosen never changes the settlements, only how they are split.
``benchmarks/bench_clearing.py`` reports chunk counts next to the timings.

Two implementations of one method. The list code (Python ints, any size) is the reference. Whenever
the amounts fit one exact int64 solve, :func:`plan_arrays` runs the same steps on int64 arrays:
strong components, the shortest-cycle search and the walk, the chunk packing (and the plan's JSON
text, :func:`node.clearing.io.plan_arrays_to_json`) in C (``_walk.c``, a port of the Python
functions that gives the same plan, built on first use by :mod:`node.clearing._native`), the rest
vectorised with numpy; :func:`verify_plan_arrays` checks its result with numpy, trusting nothing the
C produced. :func:`plan_clearing` takes that path by itself; ``coop clearing plan`` reads CSV
straight into arrays and writes JSON from them, so even a plan of millions of entries never becomes
Python objects. The tests hold the two paths to the same output.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np
from ortools.graph.python import min_cost_flow

from node.clearing.limits import DEFAULT_MAX_PER_CHUNK

# Total capacity handed to OR-tools in one solve. int64 tops out at 2**63 - 1; staying well
# below keeps every intermediate sum of the solver (supplies, flows, costs) in range.
_SOLVER_LIMIT = 2**60

# How far back along its path the cycle-finding walk looks for a way home (see
# _decompose_cycles); tuned on the benchmark graphs: shorter finds fewer cycles per step,
# longer finds longer cycles.
_WALK_WINDOW = 128
# How many edges of one member the walk looks at per visit (see _decompose_cycles).
_SCAN_LIMIT = 32
# Work bounds of the shortest-cycle search (see _shortest_cycles), in adjacency entries
# scanned: one search gives up beyond _SEARCH_LIMIT (its edge is left to the walk), and the
# searches stop altogether once they have scanned _SEARCH_PER_EDGE per edge of the reduced
# graph plus _SEARCH_BASE (the walk decomposes what is left). They bound the time on graphs
# whose cycles are all long; on the benchmark graphs neither is reached at 100,000.
_SEARCH_LIMIT = 1 << 16
_SEARCH_PER_EDGE = 2048
_SEARCH_BASE = 1 << 22
# Up to this many edges in the reduced graph a plan is chunked both by shortest cycles and by
# the walk alone, and the one with fewer chunks is kept (see _plan_unpaused).
_COMPARE_BELOW = 50_000


@dataclass(frozen=True)
class Obligation:
    """An open debt: ``debtor`` owes ``creditor`` ``amount`` ВРЕ (on-chain obligation ``id``).

    Members are labels (addresses in the real system); any hashable label works.
    """

    id: int
    debtor: str
    creditor: str
    amount: int


class Settlement(NamedTuple):
    """Strike ``amount`` off obligation ``id`` (one entry of a clearing transaction).

    A named tuple rather than a dataclass: a large plan has millions of entries and tuples
    are several times cheaper to create; it is immutable all the same.
    """

    id: int
    amount: int

    def to_json_dict(self) -> dict[str, int]:
        return {"id": self.id, "amount": self.amount}


@dataclass(frozen=True)
class ClearingPlan:
    """The result of a clearing: what to strike off and how to batch it.

    ``settlements`` is the total per obligation (only positive amounts, sorted by id).
    ``chunks`` are the transactions: each is balanced on its own (no member's net position
    moves), entries of one id are merged within a chunk, and across chunks the amounts of an
    id add up to its settlement.
    """

    cleared_total: int
    remaining_total: int
    settlements: list[Settlement]
    chunks: list[list[Settlement]]

    def to_json_dict(self) -> dict[str, Any]:
        """The plan as plain JSON types (amounts stay exact Python ints)."""
        return {
            "cleared_total": self.cleared_total,
            "remaining_total": self.remaining_total,
            "settlements": [s.to_json_dict() for s in self.settlements],
            "chunks": [[s.to_json_dict() for s in chunk] for chunk in self.chunks],
        }


# Builds a Settlement from an (id, amount) pair without a Python-level call: chunking creates
# millions of them.
_new_settlement = partial(tuple.__new__, Settlement)


# --- input checks ---------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    # bool is an int subclass; True as an amount is a bug upstream, not "1 ВРЕ".
    return isinstance(value, int) and not isinstance(value, bool)


def _check_obligations(obligations: Sequence[Obligation]) -> None:
    """Reject inputs the engine cannot give a meaningful answer for (all problems at once)."""
    problems: list[str] = []
    seen: set[int] = set()
    for ob in obligations:
        if not _is_int(ob.id):
            problems.append(f"obligation {ob.id!r}: id must be an int")
        elif ob.id in seen:
            problems.append(f"obligation {ob.id}: duplicate id")
        else:
            seen.add(ob.id)
        if not _is_int(ob.amount) or ob.amount <= 0:
            problems.append(
                f"obligation {ob.id!r}: amount must be a positive int, got {ob.amount!r}"
            )
        if not isinstance(ob.debtor, Hashable) or not isinstance(ob.creditor, Hashable):
            problems.append(f"obligation {ob.id!r}: debtor and creditor must be hashable")
        elif ob.debtor == ob.creditor:
            problems.append(f"obligation {ob.id!r}: debtor and creditor are the same member")
    if problems:
        shown = "; ".join(problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise ValueError(f"invalid obligations: {shown}{more}")


# --- the graph ------------------------------------------------------------------------------


@dataclass
class _Graph:
    """Obligations as arrays: edge ``e`` goes from node ``tails[e]`` to ``heads[e]``."""

    n_nodes: int
    tails: list[int]
    heads: list[int]
    amounts: list[int]
    ids: list[int]


def _build_graph(obligations: Sequence[Obligation]) -> _Graph:
    """Index members and edges; edges are numbered in increasing id order.

    Numbering edges by id means "sorted by edge index" is "sorted by id" (cheap chunk
    output) and the result does not depend on the order the obligations came in.
    """
    obligations = sorted(obligations, key=attrgetter("id"))
    index: dict[Hashable, int] = {}
    tails: list[int] = []
    heads: list[int] = []
    for ob in obligations:
        tails.append(index.setdefault(ob.debtor, len(index)))
        heads.append(index.setdefault(ob.creditor, len(index)))
    return _Graph(
        n_nodes=len(index),
        tails=tails,
        heads=heads,
        amounts=[ob.amount for ob in obligations],
        ids=[ob.id for ob in obligations],
    )


def _net(n_nodes: int, tails: list[int], heads: list[int], values: list[int]) -> list[int]:
    """Per node: sum of ``values`` on out-edges minus on in-edges (exact Python ints)."""
    net = [0] * n_nodes
    for t, h, x in zip(tails, heads, values, strict=True):
        net[t] += x
        net[h] -= x
    return net


# --- optimisation ---------------------------------------------------------------------------
#
# Before the solver sees the graph it is reduced, for speed and robustness rather than for
# correctness. OR-tools' min-cost flow (cost-scaling push-relabel) is fast on the small-world
# graphs real trade produces, but slow (quadratic) on long one-dimensional structures: a ring
# of 20,000 members takes it half a minute. Two exact reductions remove those:
#
# * only obligations inside one strongly connected component lie on a cycle; the others can
#   never be cleared and are dropped (this also removes one-way "rungs" between rings);
# * a member with exactly one obligation in and one out (inside the component) passes
#   through whatever is cleared, so a chain of such members is one "super-edge": its
#   capacity is the smallest debt on it and each unit cleared on it clears one unit on each
#   of its ``weight`` obligations. A chain that comes back to where it started is a cycle
#   that can be cleared in full on its own.
#
# The solver then maximises sum(weight * cleared) on the super-edges.


@dataclass
class _Reduced:
    """The solver's graph: super-edges between the members that are not pass-through."""

    n_nodes: int
    tails: list[int]
    heads: list[int]
    weights: list[int]
    caps: list[int]
    chains: list[list[int]]  # original edges of each super-edge


def _strong_components(n_nodes: int, tails: list[int], heads: list[int]) -> list[int]:
    """Component id per node (Tarjan's algorithm, iterative: no recursion limit)."""
    out: list[list[int]] = [[] for _ in range(n_nodes)]
    for t, h in zip(tails, heads, strict=True):
        out[t].append(h)
    index = [-1] * n_nodes
    low = [0] * n_nodes
    on_stack = [False] * n_nodes
    comp = [-1] * n_nodes
    stack: list[int] = []
    counter = 0
    n_comp = 0
    for root in range(n_nodes):
        if index[root] >= 0:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [root]
        child = [0]
        while work:
            v = work[-1]
            adj = out[v]
            i = child[-1]
            if i < len(adj):
                child[-1] = i + 1
                w = adj[i]
                if index[w] < 0:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append(w)
                    child.append(0)
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            child.pop()
            if work and low[v] < low[work[-1]]:
                low[work[-1]] = low[v]
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = n_comp
                    if w == v:
                        break
                n_comp += 1
    return comp


def _reduce(g: _Graph, cleared: list[int]) -> tuple[_Reduced, list[list[int]]]:
    """Drop what cannot be cleared, contract pass-through chains, clear closed chains.

    Returns the solver's graph and the closed chains (each a cycle cleared in full by its
    smallest debt); fills ``cleared`` for the closed chains' edges. The other edges stay 0
    until the solver's answer is expanded back onto the chains.
    """
    comp = _strong_components(g.n_nodes, g.tails, g.heads)
    kept = [e for e in range(len(g.tails)) if comp[g.tails[e]] == comp[g.heads[e]]]
    indeg = [0] * g.n_nodes
    outdeg = [0] * g.n_nodes
    out_edge = [-1] * g.n_nodes
    for e in kept:
        outdeg[g.tails[e]] += 1
        indeg[g.heads[e]] += 1
        out_edge[g.tails[e]] = e
    through = [i == 1 and o == 1 for i, o in zip(indeg, outdeg, strict=True)]
    node_index: dict[int, int] = {}
    red = _Reduced(0, [], [], [], [], [])
    loops: list[list[int]] = []
    visited = [False] * len(g.tails)
    for e in kept:
        if through[g.tails[e]]:
            continue
        chain = [e]
        x = g.heads[e]
        while through[x]:
            chain.append(out_edge[x])
            x = g.heads[out_edge[x]]
        for f in chain:
            visited[f] = True
        cap = min(g.amounts[f] for f in chain)
        if x == g.tails[e]:  # a loop back to its start: independent of everything else
            for f in chain:
                cleared[f] = cap
            loops.append(chain)
            continue
        red.tails.append(node_index.setdefault(g.tails[e], len(node_index)))
        red.heads.append(node_index.setdefault(x, len(node_index)))
        red.weights.append(len(chain))
        red.caps.append(cap)
        red.chains.append(chain)
    for e in kept:  # what is left are rings of pass-through members only
        if visited[e]:
            continue
        ring = [e]
        x = g.heads[e]
        while x != g.tails[e]:
            ring.append(out_edge[x])
            x = g.heads[out_edge[x]]
        cap = min(g.amounts[f] for f in ring)
        for f in ring:
            visited[f] = True
            cleared[f] = cap
        loops.append(ring)
    red.n_nodes = len(node_index)
    return red, loops


def _max_circulation_in_box(red: _Reduced, low: list[int], high: list[int]) -> list[int]:
    """The circulation ``c``, ``low <= c <= high``, with the largest ``sum weight * c``.

    Substituting ``r = high - c`` (what stays uncleared inside the box) turns it into the
    MTCS min-cost flow: ``0 <= r <= high - low``, net(r) = net(high), minimise
    ``sum weight * r``. The caller guarantees that a feasible circulation exists and that
    the numbers fit the solver.
    """
    caps = [h - lo for lo, h in zip(low, high, strict=True)]
    supplies = _net(red.n_nodes, red.tails, red.heads, high)
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        np.asarray(red.tails, dtype=np.int32),
        np.asarray(red.heads, dtype=np.int32),
        np.asarray(caps, dtype=np.int64),
        np.asarray(red.weights, dtype=np.int64),
    )
    solver.set_nodes_supplies(
        np.arange(red.n_nodes, dtype=np.int32), np.asarray(supplies, dtype=np.int64)
    )
    status = solver.solve()
    if status != solver.OPTIMAL:
        # Cannot happen for a consistent input (a feasible point always exists); fail loudly
        # rather than return a plan that was never proven optimal.
        raise RuntimeError(f"min-cost flow solver failed with status {status}")
    remaining = solver.flows(arcs).tolist()
    return [h - r for h, r in zip(high, remaining, strict=True)]


def _solve_reduced(red: _Reduced, solver_limit: int) -> list[int]:
    """Optimal cleared amount per super-edge, exact for integers of any size."""
    m = len(red.caps)
    if m == 0:
        return []
    zeros = [0] * m
    weighted = sum(w * a for w, a in zip(red.weights, red.caps, strict=True))
    if weighted <= solver_limit:
        return _max_circulation_in_box(red, zeros, red.caps)

    # Too large for int64: capacity scaling with a proximity bound (module docstring). A box
    # of half-width m * (2**j - 1) around the previous answer holds an optimum; its solve
    # costs at most sum(weights) * 2 * m * (2**j - 1), which must stay within the limit.
    total_weight = sum(red.weights)
    step = (solver_limit // (2 * m * total_weight) + 1).bit_length() - 1
    if step < 1:
        raise ValueError(
            f"too many obligations ({total_weight}) for exact clearing of amounts this "
            "large; split the obligations into smaller groups"
        )
    shift = max(0, weighted.bit_length() - solver_limit.bit_length())
    while sum(w * (a >> shift) for w, a in zip(red.weights, red.caps, strict=True)) > (
        solver_limit
    ):
        shift += 1
    cleared = _max_circulation_in_box(red, zeros, [a >> shift for a in red.caps])
    while shift > 0:
        j = min(step, shift)
        shift -= j
        scaled = [a >> shift for a in red.caps]
        radius = m * ((1 << j) - 1)
        prev = [c << j for c in cleared]  # feasible, and an optimum lies within radius
        low = [max(0, p - radius) for p in prev]
        high = [min(a, p + radius) for a, p in zip(scaled, prev, strict=True)]
        cleared = _max_circulation_in_box(red, low, high)
    return cleared


def _optimal_cleared(g: _Graph, solver_limit: int = _SOLVER_LIMIT) -> list[int]:
    """Cleared amount per obligation of an optimal (maximum) set-off."""
    return _solve(g, solver_limit)[0]


def _solve(
    g: _Graph, solver_limit: int
) -> tuple[list[int], Callable[[bool], Iterator[tuple[list[int], int]]], int]:
    """Optimal cleared amounts per obligation, their decomposition into cycles, and the
    number of edges of the reduced graph.

    The decomposition is a function: ``cycles(True)`` gives shortest cycles
    (:func:`_shortest_cycles`), ``cycles(False)`` the walk alone (:func:`_decompose_cycles`);
    see :func:`_plan_unpaused` for why both. The cycles are found on the reduced graph (a
    chain is walked as one step, which is much faster on sparse graphs) and expanded back to
    obligations; closed chains are cycles already.
    """
    cleared = [0] * len(g.amounts)
    red, loops = _reduce(g, cleared)
    red_cleared = _solve_reduced(red, solver_limit)
    for chain, c in zip(red.chains, red_cleared, strict=True):
        if c:
            for e in chain:
                cleared[e] = c

    def cycles(shortest: bool) -> Iterator[tuple[list[int], int]]:
        for loop in loops:
            yield loop, cleared[loop[0]]
        chains = red.chains
        first = [chain[0] for chain in chains]
        is_long = [len(chain) > 1 for chain in chains]
        if shortest:  # the bounds read now, as plan_arrays reads them (tests change them)
            found = _shortest_cycles(
                red.n_nodes, red.tails, red.heads, red_cleared,
                _SEARCH_LIMIT, _SEARCH_PER_EDGE, _SEARCH_BASE,
            )  # fmt: skip
        else:
            found = _decompose_cycles(red.n_nodes, red.tails, red.heads, red_cleared)
        for cycle, amount in found:
            if any(map(is_long.__getitem__, cycle)):
                yield [e for s in cycle for e in chains[s]], amount
            else:  # the common case on dense graphs, kept at C speed
                yield list(map(first.__getitem__, cycle)), amount

    return cleared, cycles, len(red.caps)


# --- cycle decomposition and chunking ------------------------------------------------------


def _shortest_cycles(
    n_nodes: int,
    tails: list[int],
    heads: list[int],
    flow: list[int],
    search_limit: int = _SEARCH_LIMIT,
    search_per_edge: int = _SEARCH_PER_EDGE,
    search_base: int = _SEARCH_BASE,
) -> Iterator[tuple[list[int], int]]:
    """Split a circulation into simple cycles ``(edge indices, amount)``, each the shortest
    cycle through an edge that still carries flow.

    Why: every cycle is about one rank of the circulation, so the number of cycles is nearly
    fixed, but every edge of a cycle is a settlement entry on chain: the shorter the cycles,
    the fewer entries and transactions. On the benchmark graphs this takes 2 to 2.7 times
    fewer entries and chunks than the walk of :func:`_decompose_cycles` alone at 100,000
    obligations, 7 times fewer at 1,000,000.

    How: edges are taken in index order; while edge ``e`` (``t -> u``) has flow left, a
    two-sided breadth-first search over the edges with flow left finds a shortest path
    ``u -> t`` (forward from ``u`` along out-edges, backward from ``t`` along in-edges, a
    level at a time on the side with the smaller frontier, ties forward), and the cycle
    ``e`` + path is cancelled by its smallest flow. The search stops after the member at
    which the two sides first meet: every meeting found while one level is expanded closes
    a path of the same length (a member the other side had reached at a lower level would
    have been met when that side expanded it), so the first is a shortest one. Each cancel
    zeroes an edge, so there are at most as many cycles as edges. Flow conservation guarantees the
    path exists. Dry edges are dropped from an adjacency list when it is scanned (order
    kept). The C port (``_walk.c``) does exactly the same, step for step.

    Bounds: a search that scans more than ``search_limit`` adjacency entries gives up (its
    edge is left), and once all searches together have scanned ``search_per_edge`` per edge
    plus ``search_base`` no more are started; the walk of :func:`_decompose_cycles` then
    decomposes whatever flow is left (a circulation still), so the time stays bounded on
    graphs whose cycles are all long.
    """
    m = len(flow)
    remaining = list(flow)
    out: list[list[int]] = [[] for _ in range(n_nodes)]
    inn: list[list[int]] = [[] for _ in range(n_nodes)]
    for e, x in enumerate(flow):
        if x > 0:
            out[tails[e]].append(e)
            inn[heads[e]].append(e)
    # Per search ``sid``: fseen[v] == sid when the forward side reached v (by fedge[v], at
    # level fdist[v]); the same for the backward side (bedge[v] leaves v towards t).
    fseen = [-1] * n_nodes
    bseen = [-1] * n_nodes
    fedge = [-1] * n_nodes
    bedge = [-1] * n_nodes
    fdist = [0] * n_nodes
    bdist = [0] * n_nodes
    total_limit = search_per_edge * m + search_base
    work = 0
    sid = 0
    for e0 in range(m):
        while remaining[e0] > 0 and work <= total_limit:
            u = heads[e0]
            t = tails[e0]
            fseen[u] = sid
            fedge[u] = -1
            fdist[u] = 0
            bseen[t] = sid
            bedge[t] = -1
            bdist[t] = 0
            fq = [u]
            bq = [t]
            f_lo = 0
            b_lo = 0
            scanned = 0
            best = 1 << 62
            meet_f = meet_b = meet_e = -1
            while meet_e < 0 and scanned <= search_limit:
                f_hi = len(fq)
                b_hi = len(bq)
                if f_lo == f_hi or b_lo == b_hi:
                    raise RuntimeError("cleared amounts are not a circulation")
                forward = f_hi - f_lo <= b_hi - b_lo
                if forward:
                    for i in range(f_lo, f_hi):
                        if scanned > search_limit or meet_e >= 0:
                            break
                        v = fq[i]
                        adj = out[v]
                        scanned += len(adj)
                        w = 0
                        for e in adj:
                            if not remaining[e]:
                                continue
                            adj[w] = e
                            w += 1
                            y = heads[e]
                            if bseen[y] == sid:
                                if fdist[v] + bdist[y] < best:
                                    best = fdist[v] + bdist[y]
                                    meet_f, meet_b, meet_e = v, y, e
                            elif fseen[y] != sid:
                                fseen[y] = sid
                                fedge[y] = e
                                fdist[y] = fdist[v] + 1
                                fq.append(y)
                        del adj[w:]
                    f_lo = f_hi
                else:
                    for i in range(b_lo, b_hi):
                        if scanned > search_limit or meet_e >= 0:
                            break
                        v = bq[i]
                        adj = inn[v]
                        scanned += len(adj)
                        w = 0
                        for e in adj:
                            if not remaining[e]:
                                continue
                            adj[w] = e
                            w += 1
                            x = tails[e]
                            if fseen[x] == sid:
                                if fdist[x] + bdist[v] < best:
                                    best = fdist[x] + bdist[v]
                                    meet_f, meet_b, meet_e = x, v, e
                            elif bseen[x] != sid:
                                bseen[x] = sid
                                bedge[x] = e
                                bdist[x] = bdist[v] + 1
                                bq.append(x)
                        del adj[w:]
                    b_lo = b_hi
            sid += 1
            work += scanned
            if meet_e < 0:
                break  # too far: leave this edge to the walk
            cycle = []
            x = meet_f
            while fedge[x] >= 0:
                cycle.append(fedge[x])
                x = tails[fedge[x]]
            cycle.append(e0)
            cycle.reverse()  # e0, then the path u -> meet_f
            cycle.append(meet_e)
            x = meet_b
            while bedge[x] >= 0:
                cycle.append(bedge[x])
                x = heads[bedge[x]]
            amount = min(map(remaining.__getitem__, cycle))
            for e in cycle:
                remaining[e] -= amount
            yield cycle, amount
    yield from _decompose_cycles(n_nodes, tails, heads, remaining)


def _decompose_cycles(
    n_nodes: int,
    tails: list[int],
    heads: list[int],
    flow: list[int],
    window: int = _WALK_WINDOW,
    scan_limit: int = _SCAN_LIMIT,
) -> Iterator[tuple[list[int], int]]:
    """Split a circulation into simple cycles ``(edge indices, amount)``, preferring short ones.

    Why short: every cycle is one rank of the circulation, so the number of cycles is about
    fixed (roughly one per edge), but every edge of a cycle becomes a settlement entry on
    chain. A plain "walk until a node repeats" finds cycles of length about the square root
    of the number of members (~130 on 10k members); the same circulation then needs ten times
    more entries and transactions.

    How: a walk follows edges that still carry flow. Every node entering the path registers
    its in-neighbours ("one step from the path") with their position; at each step the walker
    checks its out-neighbours against the path and that register and closes the shortest
    cycle it sees: back to a path node, or through one extra node to it. Only the last
    ``window`` path positions (or twice the recent average cycle length, if more) count for
    this look-ahead and the path is trimmed to them, so the cycles found are short; when no
    cycle turns up, the span grows with the number of fruitless steps, so the walk still
    terminates (it is then the plain walk). A cut cycle
    zeroes at least one edge; of the path, the longer of the part before the first zeroed
    edge and the part after the last one is kept (the walk re-roots in the second case) and
    the walk resumes with its look-ahead register still warm. Cost per step is the degree of
    the nodes touched; edges that ran dry are dropped from adjacency lists the first time
    they are seen, so nothing is rescanned forever. Flow conservation guarantees that every
    path node but the first has an edge with flow left to continue on.
    """
    remaining = list(flow)
    out: list[list[int]] = [[] for _ in range(n_nodes)]
    inn: list[list[int]] = [[] for _ in range(n_nodes)]
    for e, x in enumerate(flow):
        if x > 0:
            out[tails[e]].append(e)
            inn[heads[e]].append(e)
    # Adjacency lists are looked at through a window of at most _SCAN_LIMIT entries starting
    # at out_from/in_from; dry edges found in it are moved to the front and skipped for
    # good. A member with 50,000 counterparties thus costs a bounded amount per visit
    # instead of a rescan of everything (which made two-member graphs quadratic).
    out_from = [0] * n_nodes
    in_from = [0] * n_nodes
    # Positions are absolute (a trimmed prefix moves ``base`` up instead of renumbering).
    pos = [-1] * n_nodes  # node -> absolute position on the path, -1 when not on it
    # node y -> an edge from y into a node that was on the path when registered; checked
    # (still on the path? flow left?) when used, so stale entries cost nothing.
    near_edge = [-1] * n_nodes
    end = 0  # absolute position just past the path
    # The look-back span adapts: at least ``window``, and twice the recent average cycle
    # length, so that on sparse graphs (where every cycle is long) the walk does not keep
    # trimming away the part of the path it is about to come back to.
    recent16 = 0  # 16 x exponential moving average of cycle lengths (in walk steps)
    span = window
    for s in range(n_nodes):
        while True:
            adj = out[s]
            k = out_from[s]
            while k < len(adj) and not remaining[adj[k]]:
                k += 1
            out_from[s] = k
            if k == len(adj):
                break  # s has no flow left
            base = end
            path_nodes = [s]
            path_edges: list[int] = []
            pos[s] = base
            end = base + 1
            for e in inn[s][in_from[s] : in_from[s] + scan_limit]:
                if remaining[e]:
                    near_edge[tails[e]] = e
            since = 0  # steps since the last cycle
            while True:
                v = path_nodes[-1]
                reach = span if since < span else since
                lo = end - reach if end - reach > base else base
                best_len = 1 << 62
                best_at = -1
                best_e = -1
                best_f = -1
                step = -1
                adj = out[v]
                k = out_from[v]
                scan = adj if k == 0 and len(adj) <= scan_limit else adj[k : k + scan_limit]
                dirty = False
                for e in scan:
                    if not remaining[e]:
                        dirty = True
                        continue
                    y = heads[e]
                    i = pos[y]
                    if i >= 0:
                        if end - i < best_len:
                            best_len, best_at, best_e, best_f = end - i, i, e, -1
                        continue
                    if step < 0:
                        step = e
                    f = near_edge[y]
                    if f >= 0:
                        p = pos[heads[f]]
                        if p >= lo and end - p + 1 < best_len and remaining[f]:
                            best_len, best_at, best_e, best_f = end - p + 1, p, e, f
                if dirty:
                    live = [e for e in scan if remaining[e]]
                    gap = len(scan) - len(live)
                    adj[k + gap : k + len(scan)] = live
                    out_from[v] = k + gap
                    if best_e < 0 and step < 0 and k + len(scan) < len(adj):
                        continue  # the window was all dry: look further along
                if best_e < 0 or (best_f < 0 and best_at < lo and step >= 0):
                    if step < 0:
                        if len(path_nodes) > 1:
                            raise RuntimeError("cleared amounts are not a circulation")
                        break  # the walk's first node has no flow left
                    w = heads[step]
                    pos[w] = end
                    path_nodes.append(w)
                    path_edges.append(step)
                    adj = inn[w]
                    k = in_from[w]
                    scan = adj if k == 0 and len(adj) <= scan_limit else adj[k : k + scan_limit]
                    dirty = False
                    for e in scan:
                        if remaining[e]:
                            near_edge[tails[e]] = e
                        else:
                            dirty = True
                    if dirty:
                        live = [e for e in scan if remaining[e]]
                        gap = len(scan) - len(live)
                        adj[k + gap : k + len(scan)] = live
                        in_from[w] = k + gap
                    end += 1
                    since += 1
                    reach = span if since < span else since
                    if len(path_nodes) > reach + 1:
                        drop = len(path_nodes) - reach - 1
                        for u in path_nodes[:drop]:
                            pos[u] = -1
                        del path_nodes[:drop]
                        del path_edges[:drop]
                        base += drop
                    continue
                at = best_at - base
                cycle = path_edges[at:]
                cycle.append(best_e)
                if best_f >= 0:
                    cycle.append(best_f)
                amount = min(map(remaining.__getitem__, cycle))
                for x in cycle:
                    remaining[x] -= amount
                recent16 += len(cycle) - (recent16 >> 4)
                span = max(window, recent16 >> 3)
                yield cycle, amount
                since = 0
                n_path = len(path_edges)
                first = at
                while first < n_path and remaining[path_edges[first]]:
                    first += 1
                if first < n_path:
                    last = n_path - 1
                    while remaining[path_edges[last]]:
                        last -= 1
                    if n_path - last - 1 > first:
                        # keep the suffix after the last zeroed edge: re-root there
                        drop = last + 1
                        for u in path_nodes[:drop]:
                            pos[u] = -1
                        del path_nodes[:drop]
                        del path_edges[:drop]
                        base += drop
                    else:
                        for u in path_nodes[first + 1 :]:
                            pos[u] = -1
                        del path_nodes[first + 1 :]
                        del path_edges[first:]
                        end = base + len(path_nodes)
            pos[path_nodes[0]] = -1


def _pack_chunks(
    cycles: Iterable[tuple[list[int], int]], ids: list[int], max_per_chunk: int
) -> list[list[Settlement]]:
    """Pack whole cycles, in order, into chunks of at most ``max_per_chunk`` distinct ids.

    Consecutive cycles of the walk share many edges, so merging within a chunk saves a lot.
    A cycle that does not fit closes the current chunk and starts the next one; a cycle
    longer than ``max_per_chunk`` on its own becomes a chunk of its own (it cannot be split
    without unbalancing it).
    """
    chunks: list[list[Settlement]] = []
    current: dict[int, int] = {}

    def flush() -> None:
        # Edges are numbered in id order (see _build_graph): sorting by edge sorts by id.
        edges = sorted(current)
        pairs = zip(map(ids.__getitem__, edges), map(current.__getitem__, edges), strict=True)
        chunks.append(list(map(_new_settlement, pairs)))
        current.clear()

    for cycle, amount in cycles:
        before = len(current)
        for e in cycle:  # the edges of a simple cycle are distinct
            current[e] = current.get(e, 0) + amount
        if len(current) > max_per_chunk and before:
            # Does not fit: take it back out (amounts are positive, so an entry that drops
            # to zero was new) and start the next chunk with it.
            for e in cycle:
                left = current[e] - amount
                if left:
                    current[e] = left
                else:
                    del current[e]
            flush()
            for e in cycle:
                current[e] = amount
        if len(current) >= max_per_chunk:  # full, or a lone oversized cycle
            flush()
    if current:
        flush()
    return chunks


# --- public API -----------------------------------------------------------------------------


def plan_clearing(
    obligations: Iterable[Obligation], max_per_chunk: int = DEFAULT_MAX_PER_CHUNK
) -> ClearingPlan:
    """The set-off clearing the most in total, split into balanced chunks.

    Raises ``ValueError`` for invalid obligations (non-positive amount, self-debt, duplicate
    id, non-int id or amount) or a ``max_per_chunk`` below 2 (no cycle is shorter than 2).
    """
    if not _is_int(max_per_chunk) or max_per_chunk < 2:
        raise ValueError(f"max_per_chunk must be an int >= 2, got {max_per_chunk!r}")
    obs = list(obligations)
    _check_obligations(obs)
    return _plan(obs, max_per_chunk, _SOLVER_LIMIT)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a large plan.

    A plan can hold millions of small tuples; every few hundred allocations the collector
    would rescan all of them (and the caller's obligations), which more than doubles the
    time of chunking. None of these objects form reference cycles, so nothing is lost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _plan(obs: list[Obligation], max_per_chunk: int, solver_limit: int) -> ClearingPlan:
    if obs and max(ob.amount for ob in obs) * len(obs) <= solver_limit:
        graph = _arrays_from_obligations(obs)
        fast = plan_arrays(graph, max_per_chunk)
        if fast is not None:
            return fast.to_plan()
    with _gc_paused():
        return _plan_unpaused(obs, max_per_chunk, solver_limit)


def _plan_unpaused(
    obs: list[Obligation], max_per_chunk: int, solver_limit: int, method: str = "best"
) -> ClearingPlan:
    """The list path. ``method``: ``"shortest"`` or ``"walk"`` chunk by that decomposition
    alone; ``"best"`` (what plans use) by shortest cycles, and on a reduced graph of at most
    :data:`_COMPARE_BELOW` edges also by the walk, keeping the one with fewer chunks (then
    fewer entries; shortest cycles on a tie). Why both on small graphs: there every cycle is
    short anyway, and the walk's consecutive cycles share more edges, which merge within a
    chunk; on a few hundred obligations it sometimes needs a few percent fewer chunks. On big
    graphs shortest cycles need 2.5 times fewer and the second decomposition would only cost
    time."""
    g = _build_graph(obs)
    cleared, cycles, n_reduced = _solve(g, solver_limit)
    total = sum(g.amounts)
    cleared_total = sum(cleared)
    settlements = [Settlement(g.ids[e], c) for e, c in enumerate(cleared) if c > 0]
    # Finding all cycles first and packing them afterwards is measurably faster than
    # streaming one into the other (each phase keeps its own data hot in the CPU caches).
    chunks = _pack_chunks(list(cycles(method != "walk")), g.ids, max_per_chunk)
    if method == "best" and n_reduced <= _COMPARE_BELOW:
        walked = _pack_chunks(list(cycles(False)), g.ids, max_per_chunk)
        if (len(walked), sum(map(len, walked))) < (len(chunks), sum(map(len, chunks))):
            chunks = walked
    return ClearingPlan(
        cleared_total=cleared_total,
        remaining_total=total - cleared_total,
        settlements=settlements,
        chunks=chunks,
    )


def greedy_cycle_clearing(
    obligations: Iterable[Obligation], *, time_budget: float | None = None
) -> int:
    """Baseline for benchmarks and tests only: cancel cycles as a DFS finds them.

    Walks along obligations with debt left; when the walk meets a node already on its path it
    cancels that cycle's minimum. A node whose every way out is exhausted can never be on a
    cycle again and is marked dead. Returns the total cleared. This is what "just remove
    cycles" gives and it is not optimal: which cycle is found first decides the result.
    Raises ``TimeoutError`` when ``time_budget`` seconds run out.
    """
    obs = list(obligations)
    _check_obligations(obs)
    g = _build_graph(obs)
    deadline = None if time_budget is None else time.monotonic() + time_budget
    remaining = list(g.amounts)
    heads = g.heads
    out: list[list[int]] = [[] for _ in range(g.n_nodes)]
    for e, t in enumerate(g.tails):
        out[t].append(e)
    ptr = [0] * g.n_nodes
    dead = [False] * g.n_nodes
    cleared = 0
    steps = 0
    for start in range(g.n_nodes):
        if dead[start]:
            continue
        path_nodes = [start]
        path_edges: list[int] = []
        pos = {start: 0}
        while path_nodes:
            steps += 1
            if deadline is not None and steps % 4096 == 0 and time.monotonic() > deadline:
                raise TimeoutError(f"greedy cycle clearing did not finish in {time_budget} s")
            v = path_nodes[-1]
            adj = out[v]
            p = ptr[v]
            while p < len(adj) and (remaining[adj[p]] == 0 or dead[heads[adj[p]]]):
                p += 1
            ptr[v] = p
            if p == len(adj):
                dead[v] = True
                del pos[v]
                path_nodes.pop()
                if path_edges:
                    path_edges.pop()
                continue
            e = adj[p]
            w = heads[e]
            path_edges.append(e)
            i = pos.get(w)
            if i is None:
                pos[w] = len(path_nodes)
                path_nodes.append(w)
                continue
            cycle = path_edges[i:]
            amount = min(map(remaining.__getitem__, cycle))
            for x in cycle:
                remaining[x] -= amount
            cleared += amount * len(cycle)
            cut = i
            while remaining[path_edges[cut]] != 0:
                cut += 1
            for u in path_nodes[cut + 1 :]:
                del pos[u]
            del path_nodes[cut + 1 :]
            del path_edges[cut:]
    return cleared


def verify_plan(obligations: Iterable[Obligation], plan: ClearingPlan) -> None:
    """Check a plan against the obligations; raise ``ValueError`` describing what is wrong.

    Checked: every settlement and chunk entry names a known obligation with an amount > 0;
    settlements are sorted by id without repeats and never exceed what is outstanding; the
    chunks add up exactly to the settlements; ids are not repeated within a chunk; no
    member's net position changes, neither overall nor within any single chunk (each chunk is
    a transaction the contract checks on its own); the totals add up. This is the last line
    of defence before a plan is submitted on-chain, so it trusts nothing in the plan.
    """
    obs = list(obligations)
    by_id: dict[int, Obligation] = {}
    for ob in obs:
        if ob.id in by_id:
            raise ValueError(f"obligation id {ob.id} appears twice in the obligations")
        by_id[ob.id] = ob

    previous: int | None = None
    for s in plan.settlements:
        if previous is not None and type(s.id) is int and s.id <= previous:
            raise ValueError(f"settlements are not sorted by id without repeats at id {s.id}")
        previous = s.id
    _check_entries(plan.settlements, "the plan's settlements", by_id, None)

    in_chunks: dict[int, int] = {}
    for k, chunk in enumerate(plan.chunks):
        if not chunk:
            raise ValueError(f"chunk {k} is empty")
        _check_entries(chunk, f"chunk {k}", by_id, in_chunks)
    settled = {s.id: s.amount for s in plan.settlements}
    if in_chunks != settled:
        diff = sorted(
            i for i in settled.keys() | in_chunks.keys() if in_chunks.get(i) != settled.get(i)
        )
        raise ValueError(f"chunks do not add up to the settlements for ids {diff[:10]}")

    total = sum(ob.amount for ob in obs)
    cleared = sum(settled.values())
    if plan.cleared_total != cleared:
        raise ValueError(f"cleared_total is {plan.cleared_total}, settlements sum to {cleared}")
    if plan.remaining_total != total - cleared:
        raise ValueError(f"remaining_total is {plan.remaining_total}, expected {total} - {cleared}")


def _check_entries(
    entries: list[Settlement],
    where: str,
    by_id: dict[int, Obligation],
    totals: dict[int, int] | None,
) -> None:
    """One list of entries (the settlements, or one chunk): each entry valid, no id twice,
    no net position moved; adds the amounts into ``totals`` if given. One tight loop:
    this runs over millions of entries before a big plan is submitted."""
    net: dict[Hashable, int] = {}
    seen: set[int] = set()
    for s in entries:
        ob_id, amount = s
        ob = by_id.get(ob_id) if type(ob_id) is int else None
        if ob is None:
            raise ValueError(f"{where}: unknown obligation id {ob_id!r}")
        if type(amount) is not int or amount <= 0:
            raise ValueError(f"{where}: obligation {ob_id}: amount must be > 0, got {amount!r}")
        if amount > ob.amount:
            raise ValueError(f"{where}: obligation {ob_id}: clears {amount} of {ob.amount}")
        if ob_id in seen:
            raise ValueError(f"{where}: obligation {ob_id} appears twice (not merged)")
        seen.add(ob_id)
        if totals is not None:
            totals[ob_id] = totals.get(ob_id, 0) + amount
        net[ob.debtor] = net.get(ob.debtor, 0) + amount
        net[ob.creditor] = net.get(ob.creditor, 0) - amount
    moved = [(member, x) for member, x in net.items() if x]
    if moved:
        sample = ", ".join(f"{member!r}: {x:+d}" for member, x in moved[:5])
        raise ValueError(f"{where} changes net positions of {len(moved)} members ({sample})")


# --- the array path -------------------------------------------------------------------------
#
# The same method on int64 arrays, with the per-entry loops in C (node/clearing/_walk.c, a
# port of _shortest_cycles, _decompose_cycles and _pack_chunks that gives the same chunks):
# used whenever every
# amount fits (the total stays within the solver's limit, so one min-cost flow is exact) and
# the C part could be built. The list code above stays the reference and handles amounts of
# any size. The command line reads CSV straight into these arrays and writes the plan from
# them, so a large plan never becomes millions of Python objects.


@dataclass(frozen=True)
class ObligationArrays:
    """Obligations as arrays: obligation ``ids[e]``: member ``tails[e]`` owes ``heads[e]``
    ``amounts[e]`` (int64); members are ``0 .. n_members - 1`` (``members`` names them)."""

    ids: np.ndarray
    tails: np.ndarray
    heads: np.ndarray
    amounts: np.ndarray
    members: list[Hashable]

    @property
    def n_members(self) -> int:
        return len(self.members)

    def fits(self, solver_limit: int = _SOLVER_LIMIT) -> bool:
        """Whether the array path is exact for these amounts (one solve, no overflow)."""
        return len(self.amounts) == 0 or int(self.amounts.max()) * len(self.amounts) <= (
            solver_limit
        )

    def to_obligations(self) -> list[Obligation]:
        members = self.members
        return [
            Obligation(i, members[t], members[h], a)
            for i, t, h, a in zip(
                self.ids.tolist(),
                self.tails.tolist(),
                self.heads.tolist(),
                self.amounts.tolist(),
                strict=True,
            )
        ]


def _arrays_from_obligations(obs: Sequence[Obligation]) -> ObligationArrays:
    index: dict[Hashable, int] = {}
    tails = [index.setdefault(ob.debtor, len(index)) for ob in obs]
    heads = [index.setdefault(ob.creditor, len(index)) for ob in obs]
    return ObligationArrays(
        ids=np.fromiter((ob.id for ob in obs), dtype=np.int64, count=len(obs)),
        tails=np.asarray(tails, dtype=np.int64),
        heads=np.asarray(heads, dtype=np.int64),
        amounts=np.fromiter((ob.amount for ob in obs), dtype=np.int64, count=len(obs)),
        members=list(index),
    )


@dataclass(frozen=True)
class PlanArrays:
    """A plan as arrays: settlements ``(settlement_ids[i], settlement_amounts[i])`` sorted by
    id; chunk ``k`` is entries ``chunk_ptr[k] .. chunk_ptr[k + 1] - 1`` of
    ``entry_ids``/``entry_amounts``. Same content as :class:`ClearingPlan`."""

    cleared_total: int
    remaining_total: int
    settlement_ids: np.ndarray
    settlement_amounts: np.ndarray
    chunk_ptr: np.ndarray
    entry_ids: np.ndarray
    entry_amounts: np.ndarray

    @property
    def n_chunks(self) -> int:
        return len(self.chunk_ptr) - 1

    def to_plan(self) -> ClearingPlan:
        settlements = list(
            map(
                _new_settlement,
                zip(self.settlement_ids.tolist(), self.settlement_amounts.tolist(), strict=True),
            )
        )
        entries = list(
            map(
                _new_settlement,
                zip(self.entry_ids.tolist(), self.entry_amounts.tolist(), strict=True),
            )
        )
        bounds = self.chunk_ptr.tolist()
        return ClearingPlan(
            cleared_total=self.cleared_total,
            remaining_total=self.remaining_total,
            settlements=settlements,
            chunks=[entries[a:b] for a, b in pairwise(bounds)],
        )


def _as_ptr(array: np.ndarray) -> Any:
    import ctypes

    return array.ctypes.data_as(ctypes.POINTER(ctypes.c_int64))


def _in_id_order(graph: ObligationArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ids, tails, heads and amounts sorted by id (stable). A file is usually written in id
    order already: then the arrays come back as they are, without a sort and four copies."""
    ids = graph.ids
    if len(ids) < 2 or bool((ids[1:] > ids[:-1]).all()):
        return ids, graph.tails, graph.heads, graph.amounts
    order = np.argsort(ids, kind="stable")
    return ids[order], graph.tails[order], graph.heads[order], graph.amounts[order]


def _csr(lengths: np.ndarray) -> np.ndarray:
    ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    return ptr


def plan_arrays(
    graph: ObligationArrays, max_per_chunk: int = DEFAULT_MAX_PER_CHUNK
) -> PlanArrays | None:
    """The plan of :func:`plan_clearing` for valid obligations given as arrays (ids unique,
    amounts positive, no self-debt: the caller has checked). ``None`` when this path does
    not apply (amounts too large for one exact solve, or no C part): use the list path."""
    from node.clearing._native import library

    lib = library()
    if lib is None or not graph.fits():
        return None
    import ctypes

    ids, tails, heads, amounts = _in_id_order(graph)  # edges numbered in id order
    ids = np.ascontiguousarray(ids)
    m = len(ids)
    n = graph.n_members
    cleared = np.zeros(m, dtype=np.int64)
    red_t, red_h, red_caps, red_len, red_edges, loop_len, loop_edges, loop_caps = _reduce_arrays(
        n, tails, heads, amounts
    )
    # Members of the reduced graph numbered by first appearance (as _reduce does): the walk
    # visits them in that order, which keeps the chunks those of the list path.
    n_red = 0
    if len(red_t):
        inter = np.empty(2 * len(red_t), dtype=np.int64)
        inter[0::2] = red_t
        inter[1::2] = red_h
        uniq, first, inverse = np.unique(inter, return_index=True, return_inverse=True)
        rank = np.empty(len(uniq), dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(len(uniq))
        numbered = rank[inverse]
        red_t, red_h = numbered[0::2].copy(), numbered[1::2].copy()
        n_red = len(uniq)
    flow = _max_circulation_arrays(n_red, red_t, red_h, red_caps, red_len)
    cleared[red_edges] = np.repeat(flow, red_len)
    cleared[loop_edges] = np.repeat(loop_caps, loop_len)
    total = int(amounts.sum())
    cleared_total = int(cleared.sum())
    settled = np.flatnonzero(cleared > 0)

    red_ptr = _csr(red_len)
    loop_ptr = _csr(loop_len)
    arrays = [
        np.ascontiguousarray(x, dtype=np.int64)
        for x in (red_t, red_h, flow, red_ptr, red_edges, loop_ptr, loop_edges, loop_caps)
    ]

    def chunks(per_edge: int, base: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n_chunks = ctypes.c_int64()
        n_entries = ctypes.c_int64()
        chunk_ptr_p = ctypes.POINTER(ctypes.c_int64)()
        ids_p = ctypes.POINTER(ctypes.c_int64)()
        amounts_p = ctypes.POINTER(ctypes.c_int64)()
        rc = lib.coop_plan_chunks(
            n_red,
            len(red_caps),
            *(_as_ptr(x) for x in arrays[:5]),
            len(loop_caps),
            *(_as_ptr(x) for x in arrays[5:]),
            m,
            _as_ptr(ids),
            max_per_chunk,
            _WALK_WINDOW,
            _SCAN_LIMIT,
            _SEARCH_LIMIT,
            per_edge,
            base,
            ctypes.byref(n_chunks),
            ctypes.byref(chunk_ptr_p),
            ctypes.byref(n_entries),
            ctypes.byref(ids_p),
            ctypes.byref(amounts_p),
        )
        if rc == -2:
            raise RuntimeError("cleared amounts are not a circulation")
        if rc != 0:
            raise MemoryError("out of memory while chunking the clearing plan")
        try:
            chunk_ptr = np.ctypeslib.as_array(chunk_ptr_p, shape=(n_chunks.value + 1,)).copy()
            if n_entries.value:
                entry_ids = np.ctypeslib.as_array(ids_p, shape=(n_entries.value,)).copy()
                entry_amounts = np.ctypeslib.as_array(amounts_p, shape=(n_entries.value,)).copy()
            else:
                entry_ids = entry_amounts = np.zeros(0, dtype=np.int64)
        finally:
            for pointer in (chunk_ptr_p, ids_p, amounts_p):
                lib.coop_free(pointer)
        return chunk_ptr, entry_ids, entry_amounts

    # As _plan_unpaused's "best": shortest cycles, and on small graphs also the walk alone
    # (no searches: a negative total bound), keeping the one with fewer chunks, then entries.
    chunk_ptr, entry_ids, entry_amounts = chunks(_SEARCH_PER_EDGE, _SEARCH_BASE)
    if len(red_caps) <= _COMPARE_BELOW:
        walked = chunks(0, -1)
        if (len(walked[0]), len(walked[1])) < (len(chunk_ptr), len(entry_ids)):
            chunk_ptr, entry_ids, entry_amounts = walked
    return PlanArrays(
        cleared_total=cleared_total,
        remaining_total=total - cleared_total,
        settlement_ids=ids[settled],
        settlement_amounts=cleared[settled],
        chunk_ptr=chunk_ptr,
        entry_ids=entry_ids,
        entry_amounts=entry_amounts,
    )


def _reduce_arrays(
    n: int, tails: np.ndarray, heads: np.ndarray, amounts: np.ndarray
) -> tuple[np.ndarray, ...]:
    """:func:`_reduce` on arrays: drop what lies on no cycle (strong components in C),
    contract pass-through chains (a Python loop over the chains' edges only: none on dense
    graphs), split off closed chains.

    Returns the super-edges (tails, heads as members, capacity, length, and their original
    edges concatenated) and the closed loops (length, edges concatenated, amount)."""
    from node.clearing._native import library

    m = len(tails)
    if m == 0:
        empty = np.zeros(0, dtype=np.int64)
        return (empty,) * 8
    lib = library()
    assert lib is not None  # plan_arrays runs only with the C part
    comp = np.empty(n, dtype=np.int64)
    tails = np.ascontiguousarray(tails, dtype=np.int64)
    heads = np.ascontiguousarray(heads, dtype=np.int64)
    if lib.coop_strong_components(n, m, _as_ptr(tails), _as_ptr(heads), _as_ptr(comp)):
        raise MemoryError("out of memory while looking for cycles")
    kept = np.flatnonzero(comp[tails] == comp[heads])
    indeg = np.bincount(heads[kept], minlength=n)
    outdeg = np.bincount(tails[kept], minlength=n)
    through = (indeg == 1) & (outdeg == 1)
    starts = kept[~through[tails[kept]]]
    lengths = np.ones(len(starts), dtype=np.int64)
    ends = heads[starts].copy()
    long_at = np.flatnonzero(through[ends])
    long_chains: list[list[int]] = []
    if len(long_at):
        out_edge = np.full(n, -1, dtype=np.int64)
        out_edge[tails[kept]] = kept
        out_list = out_edge.tolist()
        through_list = through.tolist()
        heads_list = heads.tolist()
        for i in long_at.tolist():
            e = int(starts[i])
            chain = [e]
            x = heads_list[e]
            while through_list[x]:
                f = out_list[x]
                chain.append(f)
                x = heads_list[f]
            long_chains.append(chain)
            lengths[i] = len(chain)
            ends[i] = x
    ptr = _csr(lengths)
    edges = np.empty(int(ptr[-1]), dtype=np.int64)
    edges[ptr[:-1]] = starts
    for i, chain in zip(long_at.tolist(), long_chains, strict=True):
        edges[ptr[i] : ptr[i + 1]] = chain
    caps = np.minimum.reduceat(amounts[edges], ptr[:-1]) if len(starts) else lengths
    is_loop = ends == tails[starts]
    red = ~is_loop
    edge_is_red = np.repeat(red, lengths)
    loop_len = [lengths[is_loop]]
    loop_edges = [edges[~edge_is_red]]
    loop_caps = [caps[is_loop]]
    # what is left are rings of pass-through members only
    visited = np.zeros(m, dtype=bool)
    visited[edges] = True
    rest = kept[~visited[kept]]
    if len(rest):
        out_edge = np.full(n, -1, dtype=np.int64)
        out_edge[tails[kept]] = kept
        out_list = out_edge.tolist()
        heads_list = heads.tolist()
        tails_list = tails.tolist()
        amounts_list = amounts.tolist()
        seen = visited.tolist()
        for e in rest.tolist():
            if seen[e]:
                continue
            ring = [e]
            x = heads_list[e]
            while x != tails_list[e]:
                ring.append(out_list[x])
                x = heads_list[out_list[x]]
            for f in ring:
                seen[f] = True
            loop_len.append(np.array([len(ring)], dtype=np.int64))
            loop_edges.append(np.array(ring, dtype=np.int64))
            loop_caps.append(np.array([min(amounts_list[f] for f in ring)], dtype=np.int64))
    return (
        tails[starts[red]],
        ends[red],
        caps[red],
        lengths[red],
        edges[edge_is_red],
        np.concatenate(loop_len),
        np.concatenate(loop_edges),
        np.concatenate(loop_caps),
    )


def _max_circulation_arrays(
    n: int, tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """:func:`_max_circulation_in_box` with ``low = 0``, ``high = caps`` on arrays."""
    if len(caps) == 0:
        return np.zeros(0, dtype=np.int64)
    supplies = np.zeros(n, dtype=np.int64)
    np.add.at(supplies, tails, caps)
    np.add.at(supplies, heads, -caps)
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps, weights
    )
    solver.set_nodes_supplies(np.arange(n, dtype=np.int32), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow solver failed with status {status}")
    return caps - solver.flows(arcs)


def verify_plan_arrays(graph: ObligationArrays, plan: PlanArrays) -> None:
    """:func:`verify_plan` on arrays, the same checks vectorised (numpy, int64: the array
    path only handles amounts whose total stays far below 2**63, so no sum overflows).

    Independent of the C part that made the plan: it trusts nothing in it.
    """
    m = len(graph.ids)
    ids, tails, heads, amounts = _in_id_order(graph)
    if m and (np.diff(ids) <= 0).any():
        raise ValueError("an obligation id appears twice in the obligations")

    # id -> edge: a table when the ids are dense enough (the usual 0..m-1 or so), else a
    # binary search; either way an id that names no obligation is refused.
    table = None
    if m and ids[0] >= 0 and ids[-1] < 4 * m + 1024:
        table = np.full(int(ids[-1]) + 1, -1, dtype=np.int64)
        table[ids] = np.arange(m, dtype=np.int64)

    def edges_of(entry_ids: np.ndarray, where: str) -> np.ndarray:
        if table is not None:
            inside = (entry_ids >= 0) & (entry_ids < len(table))
            edges = np.where(inside, table[np.where(inside, entry_ids, 0)], -1)
            bad = edges < 0
        elif m:
            edges = np.searchsorted(ids, entry_ids)
            bad = (edges >= m) | (ids[np.minimum(edges, m - 1)] != entry_ids)
        else:
            edges, bad = entry_ids, np.ones(len(entry_ids), dtype=bool)
        if bad.any():
            raise ValueError(f"{where}: unknown obligation id {int(entry_ids[bad][0])}")
        return edges

    exact_floats = int(amounts.sum()) < 2**53  # then float sums of amounts are exact

    def sum_by(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
        if exact_floats:
            return np.bincount(index, weights=values, minlength=size).astype(np.int64)
        out = np.zeros(size, dtype=np.int64)
        np.add.at(out, index, values)
        return out

    def check_amounts(edges: np.ndarray, values: np.ndarray, where: str) -> None:
        if (values <= 0).any():
            raise ValueError(f"{where}: an amount is not > 0")
        over = values > amounts[edges]
        if over.any():
            e = int(edges[over][0])
            raise ValueError(f"{where}: obligation {int(ids[e])} is cleared beyond its amount")

    s_ids, s_amounts = plan.settlement_ids, plan.settlement_amounts
    if len(s_ids) > 1 and (np.diff(s_ids) <= 0).any():
        raise ValueError("settlements are not sorted by id without repeats")
    s_edges = edges_of(s_ids, "the plan's settlements")
    check_amounts(s_edges, s_amounts, "the plan's settlements")
    settled = np.zeros(m, dtype=np.int64)
    settled[s_edges] = s_amounts
    net = sum_by(tails[s_edges], s_amounts, graph.n_members)
    if (net != sum_by(heads[s_edges], s_amounts, graph.n_members)).any():
        raise ValueError("the plan's settlements change net positions")

    ptr = plan.chunk_ptr
    sizes = np.diff(ptr)
    if len(ptr) == 0 or ptr[0] != 0 or (sizes < 1).any() or ptr[-1] != len(plan.entry_ids):
        raise ValueError("a chunk is empty or the chunk bounds are inconsistent")
    e_edges = edges_of(plan.entry_ids, "a chunk")
    e_amounts = plan.entry_amounts
    check_amounts(e_edges, e_amounts, "a chunk")
    chunk_of = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    key = chunk_of * max(m, 1) + e_edges
    if len(key) > 1 and not (np.diff(key) > 0).all():  # the planner writes ids sorted
        key = np.sort(key)
        if (np.diff(key) == 0).any():
            raise ValueError("an obligation appears twice in one chunk (not merged)")
    in_chunks = sum_by(e_edges, e_amounts, m)
    if (in_chunks != settled).any():
        wrong = ids[in_chunks != settled][:10].tolist()
        raise ValueError(f"chunks do not add up to the settlements for ids {wrong}")
    # Every chunk balanced on its own: per (chunk, member), debts cleared == claims cleared.
    n = max(graph.n_members, 1)
    keys = np.concatenate([chunk_of * n + tails[e_edges], chunk_of * n + heads[e_edges]])
    values = np.concatenate([e_amounts, -e_amounts])
    by_key = np.argsort(keys, kind="stable")
    keys, values = keys[by_key], values[by_key]
    if len(keys):
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        moved = np.add.reduceat(values, starts) != 0
        if moved.any():
            chunk = int(keys[starts[moved][0]] // n)
            raise ValueError(f"chunk {chunk} changes net positions")

    total = int(amounts.sum())
    cleared = int(s_amounts.sum())
    if plan.cleared_total != cleared:
        raise ValueError(f"cleared_total is {plan.cleared_total}, settlements sum to {cleared}")
    if plan.remaining_total != total - cleared:
        raise ValueError(f"remaining_total is {plan.remaining_total}, expected {total} - {cleared}")
