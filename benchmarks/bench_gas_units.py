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
## How a transfer gets under 45,000: the cached membership status

Before issue #5's change a transfer cost 51,963: besides the 21,000 base, calldata and the
clone hop (~2,650, a cold DELEGATECALL to the implementation), about 11,000 went to the two
`IMembershipView.isActiveMember` calls (the Membership clone and its implementation cold, one
slot each). Now the ВРЕ contract caches "active member" in one bit of the member's own balance
slot (the key takes 31 bits of the slot's 32-bit tag), which a transfer reads and writes anyway:

- a set bit means "an active member now", so a transfer between members whose bits are set
  calls nobody: slot 0 (supply, last key, "bits trusted" flag; 2,100), the two balance slots
  (2 x 5,000), the `Transfer` log (1,756), dispatch and checks;
- the bit is set lazily: a party without it is asked about once (as before) and, if active,
  the bit goes into the slot write the transfer does anyway (`transfer_uncached`: the one-off
  cost after admission or unblocking);
- Membership clears it: `requestExit`, and `exit` or `blockMember` of an active member, call
  `memberDeactivated` on every obligation source that caches status (see
  `gas_core_results.md` for what that costs them; `admit` is unchanged);
- the bits are trusted only while the contract hears of every deactivation (an obligation
  source since initialisation, never detached by `removeObligationSource`).

`transfer_into_debt` also writes the supply, now packed into slot 0 beside the flag (a warm
write, 2,900, instead of a slot of its own, 5,000). The sum of the positive balances fits 128
bits: fewer than 2**31 member keys, no balance below minus its limit (< 2**96). Invoices use the
bit too: `issue` and `accept` ask Membership only for a party whose bit is not set.

## Issue #21: the transfer against OpenZeppelin's 34,454 (not reached: 39,476)

Before this round a transfer cost 40,860 (`transfer_into_debt` 43,967, `transferWithDocument`
43,567). Opcode trace of that figure (`debug_traceTransaction` on anvil with
`--steps-tracing`, same set-up as this script): 21,000 base + 632 calldata + 19,228
execution, of which 12,100 storage (slot 0 read 2,100; the two member slots, read 2 x 2,100
and written 2 x 2,900), 1,756 the `Transfer` log, about 2,750 the clone hop (the cold
DELEGATECALL to the implementation, 2,600 + 100, and the proxy's copying) and about 2,620
everything else. OpenZeppelin's ERC-20 pays the same two member slots and log, no hop, no
slot 0, and about 1,100 for the rest.

What changed: `transfer`, `transferWithDocument` and `transferFrom` first try the transfer
in place (`_transferInCredit`, inline assembly on the three words a transfer reads): when
the cached status is trusted and set for both parties, they differ, the amount fits 128
bits, the sender stays within its limit and the recipient within int128, it writes the two
balance words (and the supply when a balance crosses or stays below zero) and logs
`Transfer`, exactly what the general path does in that case; in every other case it
changes nothing and the general path (`_transfer`) runs with all its rules and errors. The
"everything else" fell from about 2,620 to about 1,200, OpenZeppelin's level: `transfer`
40,860 -> 39,476, `transfer_into_debt` 43,967 -> 42,408, `transferWithDocument` 43,567 ->
42,171. Movements that take the general path pay about 840 more for the failed attempt
(`transfer_first_time` 94,240 -> 95,084, `transfer_uncached` 54,792 -> 55,636: once per
member and reactivation). `SettlementUnitsTransferPaths.invariants.t.sol` runs every
transfer, `transferWithDocument` and `transferFrom` (random parties including oneself, an
outsider and address 0, amounts in credit, into debt, past the limit and any 256-bit
number, with random limits, blocks and unblocks) on the cooperative's ВРЕ and on a second
ВРЕ of the same cooperative that trusts no cached bit, and requires the same answer (success
or the same revert data) and the same balances, limits and supply after every call.

What is left over OpenZeppelin (39,476 - 34,454 = 5,022) is the clone hop and slot 0:

- the hop (about 2,750 per transfer) goes only if the cooperative's ВРЕ is a full contract
  instead of an EIP-1167 clone. Deploying it costs `units_implementation_deploy` (table above)
  (the implementation's creation, the same code a full contract would carry) once per
  cooperative instead of once per network, against a clone's ~45,000 inside
  `factory_deploy` (865,668 for the whole set of six clones, goal < 1,000,000, asserted by
  `tests/contracts/test_gas_snapshot.py`): `factory_deploy` would pass 4 million. Paid back
  after about 3,215,427 / 2,750 = 1,170 transfers of that cooperative. Not done: it breaks the
  factory's goal and its test, and alone it does not reach 34,454 (about 36,700);
- slot 0 (2,100, cold) holds the flag that says whether the cached status bits may be
  trusted. It turns false when Membership detaches the contract (`removeObligationSource`),
  after which no deactivation reaches it, and `test_detached_contract_stops_trusting_bits_
  and_asks_membership` requires that a member blocked after the detachment is refused. A
  flag that changes cannot be an immutable, and every other place for it is a cold slot (or
  the contract's ether balance, which anyone can raise with a forced send: a one-wei attack
  that would switch every cooperative's cache off). Dropping it means dropping that rule.

So 34,454 is reachable only by dropping the detachment rule and the clone together (about
34,600 even then, computed, not measured); this round keeps every rule and takes the part
that costs nothing else.

## Clearing: where the triangle's gas goes

A settled obligation costs one cold SLOAD + SSTORE of its slot (5,000) and its
`ObligationCleared` log (1,637); a member whose obligations close pays one write of its
open-obligation counter (5,000, refunded 4,800 when it drops to zero, within the 20% refund
cap); the plan pays the 21,000 base, the clone hop and the `ClearingSettled` log (2,012) once.
The change in this round: the per-member table keeps key, closed count and net in one memory
word (half the memory of two arrays) and the final balance check visits only the members met,
in plan order, instead of scanning the whole hash table (four slots per entry); this saved
2,100 gas on the triangle, 65,000 on the ring of 100 and 100,000 on the dense plan. The
triangle (opcode trace: 17,400 SSTORE, 12,600 SLOAD, 6,923 logs, ~6,500 other execution, then
the refund) stays above 15,000 per obligation only because it shares the 21,000 base among
three: without the base it costs about 11,500 per obligation. Nothing is moved to other
transactions; the open-obligation counters that block exit and every per-obligation event stay.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    with Anvil(_free_port()) as anvil:
        chain = Chain(anvil.url, Artifacts(ROOT / ".build" / "__local__.json"))
        chain.wait_ready()
        accounts = dev_accounts(10)
        gas = measure_units_gas(chain, accounts)
        # What a full contract per cooperative would pay at its creation: the same code (the
        # implementation, whose constructor only disables initialisers).
        _, sent = chain.deploy("SettlementUnits", sender=accounts[0])
        deploy = sent.gas_used
    table = units_gas_table(gas) + (
        "\n\n| Deployment | Gas | Paid |\n|---|---:|---|\n"
        f"| `units_implementation_deploy`: SettlementUnits implementation "
        f"(the code a full contract per cooperative would carry) | {deploy:,} "
        "| once per network (clone: inside `factory_deploy`, once per cooperative, "
        "see gas_core_results.md) |"
    )
    gas = {**gas, "units_implementation_deploy": deploy}
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
