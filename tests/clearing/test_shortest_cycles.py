"""Shortest-cycle chunking: simple cycles that are really shortest, never more chunks than the
walk alone, and the same plan from the Python reference and the C path, bounds included."""

from __future__ import annotations

import random
from collections import deque

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node.clearing import Obligation, engine, plan_clearing, verify_plan
from node.clearing.engine import (
    _SOLVER_LIMIT,
    _arrays_from_obligations,
    _plan_unpaused,
    _shortest_cycles,
    plan_arrays,
    verify_plan_arrays,
)
from tests.clearing.test_engine import check
from tests.clearing.test_fast_path import ring_with_chords
from tests.clearing.test_oracles import random_obligations


def random_circulation(rng: random.Random, n: int, cycles: int) -> tuple[list[int], ...]:
    """A circulation on ``n`` nodes: a sum of random cycles, each on its own edges."""
    tails: list[int] = []
    heads: list[int] = []
    flow: list[int] = []
    for _ in range(cycles):
        nodes = rng.sample(range(n), rng.randint(2, min(n, 12)))
        amount = rng.randint(1, 9)
        for a, b in zip(nodes, nodes[1:] + nodes[:1], strict=True):
            tails.append(a)
            heads.append(b)
            flow.append(amount)
    return tails, heads, flow


def shortest_cycle_length(
    n: int, tails: list[int], heads: list[int], remaining: list[int], e0: int
) -> int:
    """Edges on a shortest cycle through ``e0`` over edges with flow left (plain BFS)."""
    out: list[list[int]] = [[] for _ in range(n)]
    for e, x in enumerate(remaining):
        if x > 0:
            out[tails[e]].append(heads[e])
    dist = {heads[e0]: 0}
    queue = deque([heads[e0]])
    while queue:
        v = queue.popleft()
        if v == tails[e0]:
            return dist[v] + 1
        for w in out[v]:
            if w not in dist:
                dist[w] = dist[v] + 1
                queue.append(w)
    raise AssertionError("no cycle through an edge with flow: not a circulation")


def assert_simple_cycles_summing_to(
    cycles: list[tuple[list[int], int]], tails: list[int], heads: list[int], flow: list[int]
) -> None:
    total = [0] * len(flow)
    for cycle, amount in cycles:
        assert amount > 0
        for e, f in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            assert heads[e] == tails[f]
        assert len({tails[e] for e in cycle}) == len(cycle)  # simple: no member twice
        for e in cycle:
            total[e] += amount
    assert total == flow


@pytest.mark.parametrize("seed", range(5))
def test_every_cycle_is_simple_and_a_shortest_one_through_its_edge(seed: int) -> None:
    rng = random.Random(seed)
    n = 60
    tails, heads, flow = random_circulation(rng, n, 200)
    cycles = list(_shortest_cycles(n, tails, heads, flow))
    assert_simple_cycles_summing_to(cycles, tails, heads, flow)
    # Replay: each cycle starts with the edge it was searched for and is as short as the
    # shortest cycle through that edge in what was left at that moment.
    remaining = list(flow)
    previous_edge = -1
    for cycle, amount in cycles:
        e0 = cycle[0]
        assert e0 >= previous_edge  # edges are taken in index order
        assert all(remaining[e] == 0 for e in range(e0))
        previous_edge = e0
        assert len(cycle) == shortest_cycle_length(n, tails, heads, remaining, e0)
        assert amount == min(remaining[e] for e in cycle)
        for e in cycle:
            remaining[e] -= amount
    assert not any(remaining)


@pytest.mark.parametrize(("limit", "per_edge", "base"), [(0, 0, 0), (3, 10**6, 0), (40, 1, 50)])
def test_search_bounds_hand_the_rest_to_the_walk(limit: int, per_edge: int, base: int) -> None:
    # Tiny bounds: the searches give up early and the walk decomposes the rest; the cycles
    # are still simple and still add up to the circulation.
    rng = random.Random(5)
    n = 50
    tails, heads, flow = random_circulation(rng, n, 150)
    cycles = list(_shortest_cycles(n, tails, heads, flow, limit, per_edge, base))
    assert_simple_cycles_summing_to(cycles, tails, heads, flow)
    unbounded = list(_shortest_cycles(n, tails, heads, flow))
    assert cycles != unbounded  # the bounds did change the decomposition


def instances() -> list[tuple[str, list[Obligation]]]:
    rng = random.Random(21)
    cases = [
        (f"random {members}x{size}", random_obligations(rng, members, size))
        for members, size in [(10, 60), (30, 400), (100, 1000), (300, 3000), (1000, 3000)]
    ]
    cases.append(("ring with chords", ring_with_chords(rng, 400)))
    return cases


@pytest.mark.parametrize("max_per_chunk", [4, 20, 150])
@pytest.mark.parametrize("index", range(6))
def test_never_more_chunks_or_entries_than_the_walk(index: int, max_per_chunk: int) -> None:
    _, obligations = instances()[index]
    walk = _plan_unpaused(obligations, max_per_chunk, _SOLVER_LIMIT, method="walk")
    shortest = _plan_unpaused(obligations, max_per_chunk, _SOLVER_LIMIT)  # what plans use
    verify_plan(obligations, walk)
    verify_plan(obligations, shortest)
    assert shortest.cleared_total == walk.cleared_total  # chunking only decomposes the optimum
    assert shortest.settlements == walk.settlements
    assert len(shortest.chunks) <= len(walk.chunks)
    assert sum(map(len, shortest.chunks)) <= sum(map(len, walk.chunks))


def test_fewer_chunks_on_a_benchmark_sized_graph() -> None:
    # 20,000 obligations among 2,000 members (a fifth of the benchmark's size): a quarter
    # fewer chunks and entries than the walk (575 and 84,040 against 782 and 112,813; the gap
    # grows with the graph: 2.7 times at 100,000, see benchmarks/clearing_results.md).
    obligations = random_obligations(random.Random(3), 2000, 20_000)
    graph = _arrays_from_obligations(obligations)
    shortest = plan_arrays(graph)
    assert shortest is not None
    verify_plan_arrays(graph, shortest)
    walk = _plan_unpaused(obligations, 150, _SOLVER_LIMIT, method="walk")
    assert shortest.n_chunks * 4 < len(walk.chunks) * 3
    assert len(shortest.entry_ids) * 4 < sum(map(len, walk.chunks)) * 3


@pytest.mark.parametrize("index", range(6))
def test_chunks_are_balanced_and_within_the_contracts_limit(index: int) -> None:
    _, obligations = instances()[index]
    check(obligations, max_per_chunk=20)  # verify_plan, optimality, size, ids ascending


@pytest.mark.parametrize(
    ("limit", "per_edge", "base"), [(0, 0, 0), (5, 10**6, 0), (200, 2, 100), (1 << 16, 2048, 0)]
)
@pytest.mark.parametrize("index", range(6))
def test_both_paths_give_the_same_plan_under_any_bounds(
    monkeypatch: pytest.MonkeyPatch, index: int, limit: int, per_edge: int, base: int
) -> None:
    monkeypatch.setattr(engine, "_SEARCH_LIMIT", limit)
    monkeypatch.setattr(engine, "_SEARCH_PER_EDGE", per_edge)
    monkeypatch.setattr(engine, "_SEARCH_BASE", base)
    _, obligations = instances()[index]
    fast = plan_arrays(_arrays_from_obligations(obligations), 20)
    assert fast is not None
    reference = _plan_unpaused(obligations, 20, _SOLVER_LIMIT)
    assert fast.to_plan() == reference
    verify_plan(obligations, reference)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(1, 20)),
        min_size=1,
        max_size=60,
    ),
    max_per_chunk=st.integers(2, 12),
)
def test_both_paths_agree_on_small_graphs(
    rows: list[tuple[int, int, int]], max_per_chunk: int
) -> None:
    obligations = [
        Obligation(k, f"m{a}", f"m{b}", amount) for k, (a, b, amount) in enumerate(rows) if a != b
    ]
    if not obligations:
        return
    fast = plan_arrays(_arrays_from_obligations(obligations), max_per_chunk)
    assert fast is not None
    reference = _plan_unpaused(obligations, max_per_chunk, _SOLVER_LIMIT)
    assert fast.to_plan() == reference
    assert plan_clearing(obligations, max_per_chunk) == reference
    verify_plan(obligations, reference)
