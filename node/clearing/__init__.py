"""Clearing: the maximum multilateral set-off (взаимозачёт) of members' obligations.

The engine is OR-tools' min-cost flow plus array code: no chain access. See
:mod:`node.clearing.engine` for the method and :mod:`node.clearing.io` for the file formats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from node.clearing.limits import DEFAULT_MAX_PER_CHUNK

if TYPE_CHECKING:
    from node.clearing.engine import (
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


def __getattr__(name: str) -> Any:
    # Lazy (PEP 562): `coop --help` registers the clearing commands without loading numpy
    # and OR-tools; `from node.clearing import plan_clearing` works as before.
    if name in __all__:
        from node.clearing import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
