"""Clearing: the maximum multilateral set-off (взаимозачёт) of members' obligations.

The engine is pure Python on top of OR-tools' min-cost flow: no chain access. See
:mod:`node.clearing.engine` for the method and :mod:`node.clearing.io` for the file formats.
"""

from node.clearing.engine import (
    DEFAULT_MAX_PER_CHUNK,
    ClearingPlan,
    Obligation,
    Settlement,
    greedy_cycle_clearing,
    plan_clearing,
    verify_plan,
)

__all__ = [
    "DEFAULT_MAX_PER_CHUNK",
    "ClearingPlan",
    "Obligation",
    "Settlement",
    "greedy_cycle_clearing",
    "plan_clearing",
    "verify_plan",
]
