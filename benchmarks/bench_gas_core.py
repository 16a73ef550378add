"""Gas of the cooperative core contracts' user-facing transactions.

    python benchmarks/bench_gas_core.py            # measure, write gas_core_results.md
    python benchmarks/bench_gas_core.py --update   # also rewrite gas-snapshot.json

Starts its own anvil, deploys the network and measures with `node.cooperative.gasbench`
(the same code the snapshot test runs). A second table measures what the deactivation push
(`IObligationSource.memberDeactivated`, one call per obligation source) costs the Membership
transactions that make an active member inactive, with zero, one and two sources.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_utils import keccak

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from node.chain.anvil import Anvil  # noqa: E402
from node.chain.artifacts import Artifacts  # noqa: E402
from node.chain.client import Chain  # noqa: E402
from node.chain.devkeys import dev_accounts  # noqa: E402
from node.cooperative.client import Cooperative, MemberKind  # noqa: E402
from node.cooperative.gasbench import (  # noqa: E402
    MEMBER_ACTION_GOAL,
    gas_table,
    measure_core_gas,
)
from node.fund.deploy import deploy_fund_and_property  # noqa: E402
from node.units.client import SettlementUnitsClient  # noqa: E402
from node.units.sandbox import single_executor_cooperative  # noqa: E402

SNAPSHOT = ROOT / "benchmarks" / "gas-snapshot.json"
RESULTS = ROOT / "benchmarks" / "gas_core_results.md"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


DEACTIVATIONS = {
    "block": "blockMember of an active member (its ВРЕ status bit set)",
    "block_no_bit": "blockMember of an active member whose ВРЕ bit is not set",
    "request_exit": "requestExit by an active member (bit set, nothing owed)",
    "exit_from_member": "exit decision straight from Member (bit set, nothing owed)",
    "exit_after_request": "exit decision after the member's request (the usual path)",
}

# Issue #21: the figures before the packed active history (one column per source set), and of
# the core table, from the results this script wrote before the change (same command).
PREVIOUS_DEACTIVATIONS = {
    "one source (ВРЕ)": {
        "block": 119_313,
        "block_no_bit": 116_263,
        "request_exit": 114_221,
        "exit_from_member": 141_075,
    },
    "two sources (ВРЕ, fund)": {
        "block": 121_780,
        "block_no_bit": 118_730,
        "request_exit": 125_287,
        "exit_from_member": 152_147,
    },
    "no source": {
        "block": 103_337,
        "block_no_bit": 103_337,
        "request_exit": 94_383,
        "exit_from_member": 121_240,
    },
}
PREVIOUS_CORE = {"admit": 115_790, "request_exit": 108_986, "exit": 105_010}


def _measure_deactivations(
    chain: Chain, coop: Cooperative, executor: Any, members: list[Any]
) -> dict[str, int]:
    """One figure per DEACTIVATIONS row; consumes four members (bits set on three of them)."""
    units = SettlementUnitsClient(chain, coop.addresses.settlement_units)
    with_bit, no_bit, leaver, exited, peer = members[:5]
    for m in (with_bit, leaver, exited):
        units.transfer(m, peer.address, 1)  # sets both bits; back to zero right after
        units.transfer(peer, m.address, 1)
    h = keccak(text=f"deactivation {with_bit.address}")
    return {
        "block": coop.block(executor, with_bit.address, h).gas_used,
        "block_no_bit": coop.block(executor, no_bit.address, h).gas_used,
        "request_exit": coop.request_exit(leaver, h).gas_used,
        "exit_from_member": coop.exit(executor, exited.address, h).gas_used,
        "exit_after_request": coop.exit(executor, leaver.address, h).gas_used,
    }


def measure_deactivation_gas(chain: Chain) -> dict[str, dict[str, int]]:
    """The DEACTIVATIONS rows with the factory's one source (the ВРЕ), with the mutual-aid fund
    as a second one, and with none (both removed): the push's cost per source."""
    accounts = dev_accounts(10)
    deployer, executor = accounts[0], accounts[1]
    coop = single_executor_cooperative(
        chain, deployer, executor, name="Бенчмарк выхода", symbol="EXIT", default_credit_limit=10
    )
    members = []
    admissions: list[int] = []
    for _ in range(20):
        account = Account.create()
        chain.w3.provider.make_request(  # type: ignore[arg-type]
            "anvil_setBalance", [account.address, hex(10**20)]
        )
        tag = account.address
        coop.apply(
            account, MemberKind.INDIVIDUAL, keccak(text=f"id {tag}"), keccak(text=f"a {tag}")
        )
        coop.attest_identity(executor, tag, keccak(text=f"check {tag}"))
        coop.attest_payment(executor, tag, keccak(text=f"payment {tag}"))
        admissions.append(coop.admit(executor, tag, keccak(text=f"admission {tag}")).gas_used)
        members.append(account)
    peer = members[-1]
    # Warm-up: the first block/exit pays first-time writes of the checkpoints.
    _measure_deactivations(chain, coop, executor, [*members[0:4], peer])
    out = {"one source (ВРЕ)": _measure_deactivations(chain, coop, executor, [*members[4:8], peer])}
    fund = deploy_fund_and_property(chain, executor, coop.addresses)
    membership = coop.membership.functions
    sources = membership.obligationSources().call()
    if len(sources) != 2:
        raise RuntimeError(f"the fund was not registered as a source: {fund}")
    out["two sources (ВРЕ, fund)"] = _measure_deactivations(
        chain, coop, executor, [*members[8:12], peer]
    )
    for source in sources:
        chain.transact(membership.removeObligationSource(source), executor)
    out["no source"] = _measure_deactivations(chain, coop, executor, [*members[12:16], peer])
    out["admissions"] = {"min": min(admissions), "max": max(admissions)}
    return out


def deactivation_table(gas: dict[str, dict[str, int]]) -> str:
    columns = [c for c in gas if c != "admissions"]
    lines = [
        "| Transaction | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for key, what in DEACTIVATIONS.items():
        cells = " | ".join(f"{gas[c][key]:,}" for c in columns)
        lines.append(f"| `{key}`: {what} | {cells} |")
    return "\n".join(lines) + "\n"


def before_after_table(core: dict[str, int], gas: dict[str, dict[str, int]]) -> str:
    """Issue #21's rows: the previous figure beside the new one, against the 120,000 goal."""
    lines = [
        "| Transaction | Sources | Before | Now | Change | Within 120,000 |",
        "|---|---|---:|---:|---:|:---:|",
    ]
    for key, before in PREVIOUS_CORE.items():
        now = core[key]
        ok = "yes" if now < MEMBER_ACTION_GOAL else "**no**"
        lines.append(
            f"| `{key}` (table above) | ВРЕ | {before:,} | {now:,} | {now - before:+,} | {ok} |"
        )
    for column, rows in PREVIOUS_DEACTIVATIONS.items():
        if column not in gas:
            continue
        for key, before in rows.items():
            now = gas[column][key]
            ok = "yes" if now < MEMBER_ACTION_GOAL else "**no**"
            lines.append(
                f"| `{key}` | {column} | {before:,} | {now:,} | {now - before:+,} | {ok} |"
            )
    return "\n".join(lines) + "\n"


EXIT_NOTES = """## Issue #21: exit under 120,000 with every source installed

Command: `python benchmarks/bench_gas_core.py`; the previous figures are those this script wrote
before the change. An opcode trace of `requestExit` with both sources showed where 125,287 went:
two fresh storage slots (2 x 22,100) for the record-date checkpoints (OpenZeppelin
`Checkpoints.Trace208`: one slot per checkpoint plus a length slot), one in the member's active
history and one in the active-member count's. Membership now keeps both histories with
`PackedHistory` (80-bit entries: block number and value; word 0 holds the length and two
entries, every further word three). A member's history of admission then exit is one slot, so
`requestExit` (and `blockMember`, `exit` straight from Member) rewrite a warm slot instead of
taking a fresh one; `admit` takes one fresh slot instead of two (length and checkpoint). A fresh
slot is only ever paid by a push that turns an account active: such a push opens words ahead
(one entry in the account's history, as many entries as there are active members in the
count's), so a push that ends an activity always finds its word written (5,000 gas, not
22,100). The figures below are therefore the worst case of every deactivation row, whatever
the histories' lengths; `admit` pays for them: a fresh slot of the count's history on about
two admissions in three (22,100). The 20 admissions of this cooperative (zero fees, one source)
cost {admit_min:,} to {admit_max:,}; the `admit` row of the table above (fees paid) is one that
opens a slot.

What an exit still costs, besides the two pushes: the `hasOpenObligations` call to each
source (the ВРЕ clone about 7,600, the fund clone about 5,300: cold account and
implementation), the ВРЕ's `memberDeactivated` (about 6,100), the charter's `decisionExecutor`
(about 5,000) and, when fees were paid, the share refund (about 15,000).

"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite the gas snapshot")
    args = parser.parse_args()
    with Anvil(_free_port()) as anvil:
        chain = Chain(anvil.url, Artifacts(ROOT / ".build" / "__local__.json"))
        chain.wait_ready()
        gas = measure_core_gas(chain, dev_accounts(10))
        deactivations = measure_deactivation_gas(chain)
    table = gas_table(gas)
    push_table = deactivation_table(deactivations)
    RESULTS.write_text(
        "# Gas of the cooperative core contracts\n\n"
        "Measured by `benchmarks/bench_gas_core.py` on anvil (solc 0.8.28, optimizer 200 runs, "
        "cancun). Steady state: a warm-up cooperative and member go first. Amounts of the "
        "typical cooperative: entrance fee 100, minimum share 1,000 tokens; 3 council members, "
        "a Cyrillic name of 70 bytes.\n\n" + table + "\n"
        "## Deactivation push: one call per obligation source\n\n"
        "Membership tells every obligation source that caches membership status when an "
        "address stops being an active member (`IObligationSource.memberDeactivated`), so "
        "that the ВРЕ contract may keep the status in the member's balance slot and skip "
        "Membership on transfers. Admission and unblocking push nothing. The mutual-aid fund "
        "caches nothing (`cachesMemberStatus() = false`, asked once at registration): it is "
        "not called, and as a second source it adds only the read of its list entry to a "
        "block (and, as before, its `hasOpenObligations` to an exit). The `no source` column "
        "has both sources removed: it is `blockMember` as it was before the push (no source "
        "call at all), while its exit rows also lack the pre-existing `hasOpenObligations` "
        "calls. Measured on a cooperative with zero fees (one office holder), after a warm-up "
        "of each transaction; `requestExit` and `exit` ask every source `hasOpenObligations` "
        "first, so the push finds the ВРЕ contract warm. The `exit` row of the table above is "
        "an exit after a request: every exit is pushed too (so that the ВРЕ forfeits a positive "
        "balance left to the treasury's account), about 4,000 gas, most of it the ВРЕ's first "
        "read of its Membership slot to check the caller. `exit_after_request` is the exit "
        "decision of the member who made the `request_exit` of the same column (zero fees: "
        "no share refund).\n\n"
        + push_table
        + "\n"
        + EXIT_NOTES.format(
            admit_min=deactivations["admissions"]["min"],
            admit_max=deactivations["admissions"]["max"],
        )
        + before_after_table(gas, deactivations)
    )
    print(table)
    print(push_table)
    if args.update:
        SNAPSHOT.write_text(json.dumps(gas, indent=2, sort_keys=True) + "\n")
        print(f"snapshot written to {SNAPSHOT}")


if __name__ == "__main__":
    main()
