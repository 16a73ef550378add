"""Gas of the ВРЕ (internal settlement units) transactions: transfers, invoices, clearing.

    python benchmarks/bench_gas_units.py     # measure, print, write gas_units_results.md

Starts its own anvil, deploys the network and a cooperative, admits 104 members through the
real join flow and measures with `node.units.gasbench`.
"""

from __future__ import annotations

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
from node.units.gasbench import measure_units_gas, units_gas_table  # noqa: E402

RESULTS = ROOT / "benchmarks" / "gas_units_results.md"
COMMAND = "python benchmarks/bench_gas_units.py"


NOTES = """
## Where a transfer's gas goes, and why it misses 45,000

Call trace of `transfer` (52,051): 21,000 base + ~650 calldata; ~2,650 for the EIP-1167 clone
(cold DELEGATECALL to the implementation); ~11,000 for the two `isActiveMember` checks (the
Membership clone is cold, its implementation is cold, and each check reads one slot); the
contract's own work ~16,400 (slot 0 with the register and default limit 2,100; sender and
recipient balance slots 2 x 5,000; the `Transfer` log 1,756; dispatch, decoding, checks).

The membership checks and the two clone hops (~13,700 together) are set by the fixed seams
(`IMembershipView.isActiveMember`, one account per call; both contracts are clones). Without
them the transfer would cost ~38,400. Getting under 45,000 needs a seam change: Membership
pushing status changes to the ВРЕ contract (an active bit kept in the member's balance slot),
or a combined view `areActiveMembers(a, b)` (saves ~3,000 only).

Clearing: each settled obligation costs one cold SLOAD + SSTORE of its slot (5,000), an
`ObligationCleared` log (1,637), calldata (~400) and the in-memory net check (~600); a member
whose obligations close pays one write of their open-obligation counter. The 21,000 base and
the clone hop are shared by the plan, which is why the triangle is the worst case per
obligation.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    with Anvil(_free_port()) as anvil:
        chain = Chain(anvil.url, Artifacts(ROOT / ".build" / "__local__.json"))
        chain.wait_ready()
        gas = measure_units_gas(chain, dev_accounts(10))
    table = units_gas_table(gas)
    RESULTS.write_text(
        "# Gas of the ВРЕ (internal settlement units) contract\n\n"
        f"Measured by `{COMMAND}` on anvil (solc 0.8.28, optimizer 200 runs, cancun); "
        "the SettlementUnits contract runs as an EIP-1167 clone (one DELEGATECALL more per "
        "transaction than a plain deployment), membership is checked with the cooperative's "
        "real Membership contract. Figures are the receipts' gasUsed (after refunds), including "
        "the 21,000 base and calldata. Steady state: warm-up transactions go first; "
        "`transfer_first_time` shows the one-off cost of a member's first movement.\n\n"
        + table
        + NOTES
        + "\n<details><summary>Raw figures</summary>\n\n```json\n"
        + json.dumps(gas, indent=2, sort_keys=True)
        + "\n```\n</details>\n"
    )
    print(table)


if __name__ == "__main__":
    main()
