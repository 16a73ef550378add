"""The clearing engine: optimal against an independent LP, valid chunks, honest big numbers."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from node.clearing import (
    ClearingPlan,
    Obligation,
    Settlement,
    engine,
    greedy_cycle_clearing,
    plan_clearing,
    verify_plan,
)
from node.clearing.engine import _decompose_cycles, _plan
from tests.clearing.test_oracles import (
    cleared_by_id,
    has_improving_cycle,
    lp_max_clearing,
    random_obligations,
)

# A<->B plus A->B->C->D->A, sharing the single A->B debt: cancelling the 2-cycle first (what
# a DFS from A meets first, B->A being listed before B->C) clears 2, the optimum is 4.
GREEDY_TRAP = [
    Obligation(1, "A", "B", 1),
    Obligation(2, "B", "A", 1),
    Obligation(3, "B", "C", 1),
    Obligation(4, "C", "D", 1),
    Obligation(5, "D", "A", 1),
]


def check(obligations: list[Obligation], max_per_chunk: int = 150) -> ClearingPlan:
    """Plan, then hold the plan to everything it promises."""
    plan = plan_clearing(obligations, max_per_chunk=max_per_chunk)
    verify_plan(obligations, plan)
    assert not has_improving_cycle(obligations, plan)
    for chunk in plan.chunks:
        assert len(chunk) <= max_per_chunk or is_single_cycle(obligations, chunk)
        assert [s.id for s in chunk] == sorted(s.id for s in chunk)
    return plan


def is_single_cycle(obligations: list[Obligation], chunk: list[Settlement]) -> bool:
    """Whether a chunk's obligations form one simple cycle (the only allowed oversize)."""
    by_id = {ob.id: ob for ob in obligations}
    nxt = {by_id[s.id].debtor: by_id[s.id].creditor for s in chunk}
    if len(nxt) != len(chunk) or len({by_id[s.id].creditor for s in chunk}) != len(chunk):
        return False
    start = next(iter(nxt))
    node, steps = nxt[start], 1
    while node != start:
        node, steps = nxt[node], steps + 1
    return steps == len(chunk) and len({s.amount for s in chunk}) == 1


# --- known answers ----------------------------------------------------------------------------


def test_greedy_cycle_removal_is_not_optimal() -> None:
    assert greedy_cycle_clearing(GREEDY_TRAP) == 2
    plan = check(GREEDY_TRAP)
    assert plan.cleared_total == 4
    assert plan.remaining_total == 1
    assert cleared_by_id(plan) == {1: 1, 3: 1, 4: 1, 5: 1}
    assert plan.chunks == [[Settlement(1, 1), Settlement(3, 1), Settlement(4, 1), Settlement(5, 1)]]


def test_self_cancelling_pair() -> None:
    plan = check([Obligation(10, "A", "B", 7), Obligation(11, "B", "A", 7)])
    assert (plan.cleared_total, plan.remaining_total) == (14, 0)
    assert plan.chunks == [[Settlement(10, 7), Settlement(11, 7)]]


def test_unequal_pair_clears_the_smaller_debt_twice() -> None:
    plan = check([Obligation(1, "A", "B", 7), Obligation(2, "B", "A", 3)])
    assert cleared_by_id(plan) == {1: 3, 2: 3}


def test_parallel_obligations_between_the_same_pair() -> None:
    obligations = [
        Obligation(1, "A", "B", 5),
        Obligation(2, "A", "B", 3),
        Obligation(3, "B", "A", 4),
    ]
    plan = check(obligations)
    assert plan.cleared_total == 8
    assert cleared_by_id(plan)[3] == 4


def test_disconnected_groups_clear_independently() -> None:
    left = [Obligation(1, "A", "B", 5), Obligation(2, "B", "C", 3), Obligation(3, "C", "A", 4)]
    right = [Obligation(4, "X", "Y", 2), Obligation(5, "Y", "X", 9)]
    plan = check(left + right)
    assert plan.cleared_total == 9 + 4
    # no chunk mixes the groups needlessly, and each group is balanced on its own anyway
    assert plan.remaining_total == 12 + 11 - 13


def test_acyclic_obligations_clear_nothing() -> None:
    dag = [
        Obligation(1, "A", "B", 5),
        Obligation(2, "B", "C", 3),
        Obligation(3, "A", "C", 4),
        Obligation(4, "C", "D", 1),
    ]
    plan = check(dag)
    assert plan == ClearingPlan(cleared_total=0, remaining_total=13, settlements=[], chunks=[])


def test_empty_input_gives_an_empty_plan() -> None:
    plan = check([])
    assert plan.to_json_dict() == {
        "cleared_total": 0,
        "remaining_total": 0,
        "settlements": [],
        "chunks": [],
    }


def test_result_does_not_depend_on_input_order() -> None:
    obligations = random_obligations(random.Random(7), 30, 200)
    shuffled = obligations[:]
    random.Random(8).shuffle(shuffled)
    assert plan_clearing(obligations) == plan_clearing(shuffled)


def test_to_json_dict_shape() -> None:
    plan = plan_clearing(GREEDY_TRAP)
    data = plan.to_json_dict()
    assert data["settlements"][0] == {"id": 1, "amount": 1}
    assert data["chunks"] == [[{"id": i, "amount": 1} for i in (1, 3, 4, 5)]]


# --- optimal against an independent LP ------------------------------------------------------

edges = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(1, 40)),
    max_size=28,
).map(lambda rows: [(d, c, a) for d, c, a in rows if d != c])


def to_obligations(rows: list[tuple[int, int, int]], ids: list[int]) -> list[Obligation]:
    return [Obligation(ids[k], f"m{d}", f"m{c}", a) for k, (d, c, a) in enumerate(rows)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=edges, seed=st.integers(0, 2**32 - 1), max_per_chunk=st.integers(2, 8))
def test_matches_lp_optimum(
    rows: list[tuple[int, int, int]], seed: int, max_per_chunk: int
) -> None:
    ids = random.Random(seed).sample(range(10**6), len(rows))
    obligations = to_obligations(rows, ids)
    plan = check(obligations, max_per_chunk=max_per_chunk)
    assert plan.cleared_total == lp_max_clearing(obligations)
    assert plan.cleared_total + plan.remaining_total == sum(ob.amount for ob in obligations)
    assert greedy_cycle_clearing(obligations) <= plan.cleared_total


@pytest.mark.parametrize("seed", range(6))
def test_matches_lp_on_larger_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    obligations = random_obligations(rng, n_members=60, n_obligations=400, max_amount=10_000)
    plan = check(obligations, max_per_chunk=20)
    assert plan.cleared_total == lp_max_clearing(obligations)
    assert greedy_cycle_clearing(obligations) <= plan.cleared_total


sparse_edges = st.lists(
    st.tuples(st.integers(0, 14), st.integers(0, 14), st.integers(1, 40)),
    max_size=22,
).map(lambda rows: [(d, c, a) for d, c, a in rows if d != c])


@settings(max_examples=300, deadline=None)
@given(rows=sparse_edges, seed=st.integers(0, 2**32 - 1))
def test_matches_lp_on_sparse_graphs(rows: list[tuple[int, int, int]], seed: int) -> None:
    # Sparse graphs are full of members with one debt in and one out (contracted into
    # chains before solving) and of obligations on no cycle at all (dropped).
    obligations = to_obligations(rows, random.Random(seed).sample(range(10**6), len(rows)))
    plan = check(obligations, max_per_chunk=3)
    assert plan.cleared_total == lp_max_clearing(obligations)


@pytest.mark.parametrize("seed", range(5))
def test_strong_components_match_scipy(seed: int) -> None:
    rng = random.Random(seed)
    n = 300
    pairs = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.choice([200, 400, 900]))]
    tails = [t for t, _ in pairs]
    heads = [h for _, h in pairs]
    ours = engine._strong_components(n, tails, heads)
    graph = coo_matrix(([1] * len(pairs), (tails, heads)), shape=(n, n)).tocsr()
    _, theirs = connected_components(graph, directed=True, connection="strong")
    assert len(set(ours)) == len(set(theirs.tolist()))
    assert len(set(zip(ours, theirs.tolist(), strict=True))) == len(set(ours))


# --- shapes that are slow for a plain min-cost flow ---------------------------------------


def test_a_long_ring_is_fast_and_cleared_by_its_smallest_debt() -> None:
    rng = random.Random(2)
    n = 20_000
    ring = [Obligation(k, f"m{k}", f"m{(k + 1) % n}", rng.randint(5, 10**6)) for k in range(n)]
    plan = check(ring, max_per_chunk=150)
    smallest = min(ob.amount for ob in ring)
    assert plan.cleared_total == n * smallest
    assert [len(chunk) for chunk in plan.chunks] == [n]  # one cycle: cannot be split


def test_a_one_way_ladder() -> None:
    # Two rings joined by one-way rungs: the rungs lie on no cycle; each ring clears alone.
    rng = random.Random(3)
    n = 3000
    obligations = []
    for i in range(n):
        obligations.append(Obligation(3 * i, f"a{i}", f"a{(i + 1) % n}", rng.randint(1, 99)))
        obligations.append(Obligation(3 * i + 1, f"b{(i + 1) % n}", f"b{i}", rng.randint(1, 99)))
        obligations.append(Obligation(3 * i + 2, f"a{i}", f"b{i}", rng.randint(1, 99)))
    plan = check(obligations, max_per_chunk=150)
    a_min = min(ob.amount for ob in obligations if ob.id % 3 == 0)
    b_min = min(ob.amount for ob in obligations if ob.id % 3 == 1)
    assert plan.cleared_total == n * (a_min + b_min)


def test_a_chain_that_loops_back_to_a_busy_member() -> None:
    # H -> a -> b -> H only passes through a and b: a closed chain, cleared in full
    # whatever H does elsewhere.
    obligations = [
        Obligation(1, "H", "a", 9),
        Obligation(2, "a", "b", 4),
        Obligation(3, "b", "H", 6),
        Obligation(4, "H", "X", 5),
        Obligation(5, "X", "H", 2),
        Obligation(6, "X", "Y", 1),
    ]
    plan = check(obligations)
    assert cleared_by_id(plan) == {1: 4, 2: 4, 3: 4, 4: 2, 5: 2}


def test_two_members_with_many_obligations_is_fast() -> None:
    rng = random.Random(5)
    pair = [
        Obligation(k, "A" if k % 2 else "B", "B" if k % 2 else "A", rng.randint(1, 10**4))
        for k in range(20_000)
    ]
    plan = check(pair)
    owed_by_a = sum(ob.amount for ob in pair if ob.debtor == "A")
    owed_by_b = sum(ob.amount for ob in pair if ob.debtor == "B")
    assert plan.cleared_total == 2 * min(owed_by_a, owed_by_b)


# --- amounts beyond int64 -------------------------------------------------------------------


def test_huge_amounts_are_exact() -> None:
    big = 10**30
    scaled = [Obligation(ob.id, ob.debtor, ob.creditor, ob.amount * big) for ob in GREEDY_TRAP]
    plan = check(scaled)
    assert plan.cleared_total == 4 * big
    # with a little noise the answer is no longer a multiple of anything
    noisy = [
        Obligation(ob.id, ob.debtor, ob.creditor, ob.amount * big + ob.id) for ob in GREEDY_TRAP
    ]
    plan = check(noisy)
    assert plan.cleared_total == 4 * (big + 1)  # the 4-cycle, limited by obligation 1


def test_uint256_sized_amounts() -> None:
    top = 2**256 - 1
    obligations = [
        Obligation(1, "A", "B", top),
        Obligation(2, "B", "C", top - 5),
        Obligation(3, "C", "A", top - 2),
        Obligation(4, "C", "B", top),
    ]
    plan = check(obligations)
    assert cleared_by_id(plan) == {1: top - 5, 2: top - 5, 3: top - 5}


@pytest.mark.parametrize("seed", range(5))
def test_huge_random_amounts_are_optimal(seed: int) -> None:
    rng = random.Random(seed)
    obligations = [
        Obligation(ob.id, ob.debtor, ob.creditor, rng.randrange(1, 2**200))
        for ob in random_obligations(rng, n_members=25, n_obligations=120)
    ]
    check(obligations, max_per_chunk=10)  # verify_plan + the residual-graph certificate


big_edges = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(1, 10**6)),
    max_size=28,
).map(lambda rows: [(d, c, a) for d, c, a in rows if d != c])


@settings(max_examples=150, deadline=None)
@given(rows=big_edges, seed=st.integers(0, 2**32 - 1), extra=st.integers(0, 3))
def test_scaling_path_matches_lp(rows: list[tuple[int, int, int]], seed: int, extra: int) -> None:
    # A tiny solver limit forces the capacity-scaling path on amounts the LP can still check
    # exactly; the limit leaves the proximity box room for 1..2 bits per step
    # (2 * m * total_weight * (2**j - 1), both at most the number of obligations).
    obligations = to_obligations(rows, random.Random(seed).sample(range(10**6), len(rows)))
    m = max(len(obligations), 1)
    plan = _plan(obligations, 4, solver_limit=2 * m * m * (1 + extra))
    verify_plan(obligations, plan)
    assert plan.cleared_total == lp_max_clearing(obligations)


def test_scaling_path_really_scales(monkeypatch: pytest.MonkeyPatch) -> None:
    solves = []
    real = engine._max_circulation_in_box

    def spy(red: Any, low: list[int], high: list[int]) -> list[int]:
        solves.append(max(high))
        return real(red, low, high)

    monkeypatch.setattr(engine, "_max_circulation_in_box", spy)
    obligations = random_obligations(random.Random(4), 8, 40, max_amount=10**9)
    plan = _plan(obligations, 150, solver_limit=2 * 40 * 40)
    assert len(solves) > 10  # one solve per bit or two of 10**9
    assert plan.cleared_total == lp_max_clearing(obligations)


def test_too_large_for_the_solver_is_a_clear_error() -> None:
    # The proximity box needs 2 * m**2 of headroom below the solver limit; with int64 that
    # runs out only near 10**9 obligations, so shrink the limit to see the message.
    big = [Obligation(ob.id, ob.debtor, ob.creditor, 1000) for ob in GREEDY_TRAP]
    with pytest.raises(ValueError, match="too many obligations"):
        _plan(big, 150, solver_limit=10)


# --- chunks ---------------------------------------------------------------------------------


def test_a_cycle_longer_than_a_chunk_goes_alone() -> None:
    ring = [Obligation(k, f"m{k}", f"m{(k + 1) % 10}", 5) for k in range(10)]
    pair = [Obligation(100, "x", "y", 1), Obligation(101, "y", "x", 1)]
    plan = check(ring + pair, max_per_chunk=4)
    sizes = sorted(len(chunk) for chunk in plan.chunks)
    assert sizes == [2, 10]


def test_chunks_respect_the_limit_and_cover_the_settlements() -> None:
    obligations = random_obligations(random.Random(3), n_members=200, n_obligations=3000)
    plan = check(obligations, max_per_chunk=50)
    assert len(plan.chunks) > 1
    totals: Counter[int] = Counter()
    for chunk in plan.chunks:
        for s in chunk:
            totals[s.id] += s.amount
    assert dict(totals) == cleared_by_id(plan)


def test_decomposition_into_simple_cycles() -> None:
    rng = random.Random(11)
    n = 40
    tails: list[int] = []
    heads: list[int] = []
    flow: list[int] = []
    for _ in range(300):  # a circulation: a sum of random cycles on parallel edges
        nodes = rng.sample(range(n), rng.randint(2, 12))
        amount = rng.randint(1, 9)
        for a, b in zip(nodes, nodes[1:] + nodes[:1], strict=True):
            tails.append(a)
            heads.append(b)
            flow.append(amount)
    total = [0] * len(flow)
    for cycle, amount in _decompose_cycles(n, tails, heads, flow, window=4):
        assert amount > 0
        assert len(set(cycle)) == len(cycle)
        for e, f in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            assert heads[e] == tails[f]
        assert len({tails[e] for e in cycle}) == len(cycle)  # simple: no node twice
        for e in cycle:
            total[e] += amount
    assert total == flow


def test_max_per_chunk_must_allow_a_two_cycle() -> None:
    with pytest.raises(ValueError, match="max_per_chunk"):
        plan_clearing(GREEDY_TRAP, max_per_chunk=1)


# --- input checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (Obligation(1, "A", "B", 0), "positive"),
        (Obligation(1, "A", "B", -3), "positive"),
        (Obligation(1, "A", "A", 3), "same member"),
        (Obligation(1, "A", "B", True), "positive int"),  # bool is an int to mypy, not to us
        (Obligation("1", "A", "B", 3), "id must be an int"),  # type: ignore[arg-type]
    ],
)
def test_invalid_obligations_are_rejected(bad: Obligation, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_clearing([bad, Obligation(2, "B", "A", 1)])


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate id"):
        plan_clearing([Obligation(1, "A", "B", 1), Obligation(1, "B", "A", 1)])


# --- verify_plan catches every kind of wrong plan ------------------------------------------

TRIANGLE = [Obligation(1, "A", "B", 5), Obligation(2, "B", "C", 3), Obligation(3, "C", "A", 4)]


def plan_of(
    settlements: list[tuple[int, int]], chunks: list[list[tuple[int, int]]]
) -> ClearingPlan:
    cleared = sum(a for _, a in settlements)
    return ClearingPlan(
        cleared_total=cleared,
        remaining_total=12 - cleared,
        settlements=[Settlement(i, a) for i, a in settlements],
        chunks=[[Settlement(i, a) for i, a in chunk] for chunk in chunks],
    )


def test_verify_accepts_an_id_split_across_balanced_chunks() -> None:
    plan = plan_of([(1, 3), (2, 3), (3, 3)], [[(1, 1), (2, 1), (3, 1)], [(1, 2), (2, 2), (3, 2)]])
    verify_plan(TRIANGLE, plan)


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (plan_of([(1, 4), (2, 4), (3, 4)], [[(1, 4), (2, 4), (3, 4)]]), "clears 4 of 3"),
        (plan_of([(1, 0), (2, 0), (3, 0)], [[(1, 0), (2, 0), (3, 0)]]), "must be > 0"),
        (plan_of([(1, 3), (2, 3), (9, 3)], [[(1, 3), (2, 3), (9, 3)]]), "unknown obligation"),
        (plan_of([(1, 3), (2, 2), (3, 3)], [[(1, 3), (2, 2), (3, 3)]]), "net positions"),
        # each chunk unbalanced, together balanced: the contract checks chunks one by one
        (plan_of([(1, 2), (2, 2), (3, 2)], [[(1, 2), (2, 1)], [(2, 1), (3, 2)]]), "chunk 0"),
        (plan_of([(1, 3), (2, 3), (3, 3)], [[(1, 2), (2, 2), (3, 2)]]), "do not add up"),
        (plan_of([(2, 3), (1, 3), (3, 3)], [[(1, 3), (2, 3), (3, 3)]]), "sorted"),
        (
            plan_of([(1, 2), (2, 2), (3, 2)], [[(1, 1), (1, 1), (2, 2), (3, 2)]]),
            "appears twice",
        ),
        (plan_of([(1, 2), (2, 2), (3, 2)], [[(1, 2), (2, 2), (3, 2)], []]), "empty"),
    ],
)
def test_verify_rejects(plan: ClearingPlan, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        verify_plan(TRIANGLE, plan)


def test_verify_rejects_wrong_totals() -> None:
    good = plan_of([(1, 3), (2, 3), (3, 3)], [[(1, 3), (2, 3), (3, 3)]])
    with pytest.raises(ValueError, match="cleared_total"):
        verify_plan(TRIANGLE, ClearingPlan(8, 3, good.settlements, good.chunks))
    with pytest.raises(ValueError, match="remaining_total"):
        verify_plan(TRIANGLE, ClearingPlan(9, 4, good.settlements, good.chunks))


# --- the baseline ---------------------------------------------------------------------------


def test_greedy_respects_its_time_budget() -> None:
    obligations = random_obligations(random.Random(5), n_members=500, n_obligations=20_000)
    with pytest.raises(TimeoutError):
        greedy_cycle_clearing(obligations, time_budget=0.0)


def test_greedy_finds_cycles_and_stops_on_a_dag() -> None:
    assert greedy_cycle_clearing(TRIANGLE) == 9
    assert greedy_cycle_clearing([Obligation(1, "A", "B", 5)]) == 0
    assert greedy_cycle_clearing([]) == 0


def test_moderately_large_plan_is_fast_and_valid() -> None:
    obligations = random_obligations(random.Random(1), n_members=2000, n_obligations=20_000)
    plan = plan_clearing(obligations)
    verify_plan(obligations, plan)
    assert plan.cleared_total > 0


@pytest.mark.slow
def test_100k_obligations_are_optimal_and_valid() -> None:
    # The benchmark's size, checked against the LP (about 10 s; deselect with -m "not slow").
    obligations = random_obligations(
        random.Random(100), n_members=10_000, n_obligations=100_000, max_amount=10_000
    )
    plan = plan_clearing(obligations)
    verify_plan(obligations, plan)
    assert plan.cleared_total == lp_max_clearing(obligations)
