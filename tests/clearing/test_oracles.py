"""Independent checks for the clearing engine: an LP optimum and an optimality certificate.

Neither shares code with the engine: the LP is scipy's HiGHS on the textbook formulation,
the certificate is Bellman-Ford on the residual graph.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from node.clearing import ClearingPlan, Obligation


def lp_max_clearing(obligations: Sequence[Obligation]) -> int:
    """max sum c_e  s.t.  0 <= c_e <= a_e  and, per member, sum c(out) == sum c(in)."""
    if not obligations:
        return 0
    members = sorted({ob.debtor for ob in obligations} | {ob.creditor for ob in obligations})
    row = {m: k for k, m in enumerate(members)}
    rows, cols, vals = [], [], []
    for e, ob in enumerate(obligations):
        rows += [row[ob.debtor], row[ob.creditor]]
        cols += [e, e]
        vals += [1.0, -1.0]
    a_eq = coo_matrix((vals, (rows, cols)), shape=(len(members), len(obligations)))
    result = linprog(
        c=-np.ones(len(obligations)),
        A_eq=a_eq,
        b_eq=np.zeros(len(members)),
        bounds=[(0, ob.amount) for ob in obligations],
        method="highs",
    )
    assert result.status == 0, result.message
    return round(-result.fun)


def cleared_by_id(plan: ClearingPlan) -> dict[int, int]:
    return {s.id: s.amount for s in plan.settlements}


def has_improving_cycle(obligations: Sequence[Obligation], plan: ClearingPlan) -> bool:
    """Whether the residual graph has a negative cycle, i.e. the plan is not optimal.

    Residual arcs: debtor->creditor with cost -1 where more could be cleared, and
    creditor->debtor with cost +1 where something is cleared (it could be un-cleared).
    A circulation is a maximum one iff no cycle of negative total cost exists. The costs do
    not depend on the amounts, so this check is exact for amounts of any size.
    """
    cleared = cleared_by_id(plan)
    members = sorted({ob.debtor for ob in obligations} | {ob.creditor for ob in obligations})
    index = {m: k for k, m in enumerate(members)}
    arcs: list[tuple[int, int, int]] = []
    for ob in obligations:
        c = cleared.get(ob.id, 0)
        u, v = index[ob.debtor], index[ob.creditor]
        if c < ob.amount:
            arcs.append((u, v, -1))
        if c > 0:
            arcs.append((v, u, 1))
    dist = [0] * len(members)  # a virtual source joined to every node at distance 0
    # Shortest paths from the virtual source have at most len(members) arcs, so they settle
    # within that many rounds; a change in one more round means a negative cycle.
    for _ in range(len(members) + 1):
        changed = False
        for u, v, w in arcs:
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
                changed = True
        if not changed:
            return False
    return True


def random_obligations(
    rng: random.Random,
    n_members: int,
    n_obligations: int,
    max_amount: int = 100,
    id_base: int = 0,
) -> list[Obligation]:
    obligations = []
    ids = rng.sample(range(id_base, id_base + 10 * n_obligations + 10), n_obligations)
    for k in range(n_obligations):
        debtor = rng.randrange(n_members)
        creditor = rng.randrange(n_members - 1)
        if creditor >= debtor:
            creditor += 1
        obligations.append(
            Obligation(ids[k], f"m{debtor}", f"m{creditor}", rng.randint(1, max_amount))
        )
    return obligations


# --- the oracles themselves, on cases small enough to check by hand ---------------------------


def test_lp_oracle_on_hand_cases() -> None:
    triangle = [Obligation(1, "A", "B", 5), Obligation(2, "B", "C", 3), Obligation(3, "C", "A", 4)]
    assert lp_max_clearing(triangle) == 9
    assert lp_max_clearing([Obligation(1, "A", "B", 5), Obligation(2, "B", "C", 3)]) == 0
    assert lp_max_clearing([]) == 0


def test_certificate_detects_a_suboptimal_plan() -> None:
    triangle = [Obligation(1, "A", "B", 5), Obligation(2, "B", "C", 3), Obligation(3, "C", "A", 4)]
    nothing = ClearingPlan(cleared_total=0, remaining_total=12, settlements=[], chunks=[])
    assert has_improving_cycle(triangle, nothing)
