"""Gas of the cooperative core contracts' user-facing transactions.

    python benchmarks/bench_gas_core.py            # measure, write gas_core_results.md
    python benchmarks/bench_gas_core.py --update   # also rewrite gas-snapshot.json

Starts its own anvil, deploys the network and measures with `node.cooperative.gasbench`
(the same code the snapshot test runs).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from node.chain.anvil import Anvil  # noqa: E402
from node.chain.artifacts import Artifacts  # noqa: E402
from node.chain.client import Chain  # noqa: E402
from node.chain.devkeys import dev_accounts  # noqa: E402
from node.cooperative.gasbench import gas_table, measure_core_gas  # noqa: E402

SNAPSHOT = ROOT / "benchmarks" / "gas-snapshot.json"
RESULTS = ROOT / "benchmarks" / "gas_core_results.md"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite the gas snapshot")
    args = parser.parse_args()
    with Anvil(_free_port()) as anvil:
        chain = Chain(anvil.url, Artifacts(ROOT / ".build" / "__local__.json"))
        chain.wait_ready()
        gas = measure_core_gas(chain, dev_accounts(10))
    table = gas_table(gas)
    RESULTS.write_text(
        "# Gas of the cooperative core contracts\n\n"
        "Measured by `benchmarks/bench_gas_core.py` on anvil (solc 0.8.28, optimizer 200 runs, "
        "cancun). Steady state: a warm-up cooperative and member go first. Amounts of the "
        "typical cooperative: entrance fee 100, minimum share 1,000 tokens; 3 council members, "
        "a Cyrillic name of 70 bytes.\n\n" + table
    )
    print(table)
    if args.update:
        SNAPSHOT.write_text(json.dumps(gas, indent=2, sort_keys=True) + "\n")
        print(f"snapshot written to {SNAPSHOT}")


if __name__ == "__main__":
    main()
