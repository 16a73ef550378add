"""Fails when the gas of a user-facing transaction grows by more than 5% over the snapshot in
`benchmarks/gas-snapshot.json` (refresh it with `python benchmarks/bench_gas_core.py --update`
when a rise is intended), and when a figure misses the issue's goals."""

from __future__ import annotations

import json

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.gasbench import (
    ACTIONS,
    DEPLOY_GOAL,
    MEMBER_ACTION_GOAL,
    measure_core_gas,
)
from node.core.config import PROJECT_ROOT

SNAPSHOT = PROJECT_ROOT / "benchmarks" / "gas-snapshot.json"
TOLERANCE = 0.05


def test_gas_within_snapshot_and_goals(chain: Chain, accounts: list[LocalAccount]) -> None:
    snapshot: dict[str, int] = json.loads(SNAPSHOT.read_text())
    assert set(snapshot) == set(ACTIONS), "snapshot and measured actions differ: --update it"
    measured = measure_core_gas(chain, accounts)
    grown = {
        name: (snapshot[name], value)
        for name, value in measured.items()
        if value > snapshot[name] * (1 + TOLERANCE)
    }
    assert not grown, f"gas grew by more than {TOLERANCE:.0%} (snapshot, now): {grown}"
    assert measured["factory_deploy"] < DEPLOY_GOAL
    over = {k: v for k, v in measured.items() if k != "factory_deploy" and v >= MEMBER_ACTION_GOAL}
    assert not over, f"member actions over {MEMBER_ACTION_GOAL:,} gas: {over}"
