"""Gas of the labour register: recording and approving work, a share contribution, a meeting's
distribution of surplus to 1,000 members credited in batches (gas per batch and per member).

Runs on a fresh local anvil (started here) against a real production cooperative made through
the factory and governed by a Council and GeneralMeeting, with `--members` members (1,000 by
default), each of whom records a month of work that the appointed approver approves; the
general meeting then distributes the quarter's surplus by labour participation, a payout
credited in batches of 200. A second distribution (purchases recorded by council decisions for
the same members) is credited in batches of 500, to show that the cost per member does not
depend on the batch. Every figure is a transaction's `gasUsed` (21,000 base included). Writes
`benchmarks/labour_results.md`.

    python benchmarks/bench_labour.py [--members 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from node.chain.anvil import Anvil  # noqa: E402
from node.chain.artifacts import Artifacts  # noqa: E402
from node.chain.client import Chain  # noqa: E402
from node.chain.devkeys import dev_accounts  # noqa: E402
from node.cooperative.client import CooperativeKind  # noqa: E402
from node.governance import Choice, Convocation, GovernanceParams, Question, VoteType  # noqa: E402
from node.governance.sandbox import Sandbox, governed_cooperative, h, now, warp  # noqa: E402
from node.labour import (  # noqa: E402
    Basis,
    Form,
    LabourRegister,
    Terms,
    Unit,
    Use,
    deploy_installer,
    install_action,
    predict_register,
    recompute_from_chain,
)

OUT = ROOT / "benchmarks" / "labour_results.md"
TOKEN = 10**18
PERIOD = 20264
Row = tuple[str, str, str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def council(sb: Sandbox, actions: list, label: str) -> int:
    c = sb.governance.council
    item_id, _ = c.propose(sb.council[0], h(label), actions)
    for m in sb.council[:2]:
        c.vote(m, item_id, VoteType.FOR)
    c.sign_protocol(sb.chair, item_id, h(label))
    return c.execute(sb.chair, item_id, actions).gas_used


def meeting(sb: Sandbox, questions: list[Question], label: str) -> int:
    """Convened, a majority of the members vote for (relayed in one batch), closed, signed."""
    gm = sb.governance.meeting
    opens = now(sb.chain) + gm.notice_period() + 60
    conv = Convocation(opens, opens + 86_400, sb.secretary.address, tuple(questions))
    mid = sb.governance.convene(sb.council[0], sb.council[:2], sb.chair, conv, h(label))
    warp(sb.chain, opens)
    voters = sb.members[: len(sb.members) // 2 + 1]
    for start in range(0, len(voters), 100):
        ballots = [
            gm.sign_ballot(m, mid, [Choice.FOR] * len(questions))
            for m in voters[start : start + 100]
        ]
        gm.cast_ballots_by_sig(sb.members[0], mid, ballots)
    warp(sb.chain, opens + 86_400)
    gm.close(sb.members[0], mid)
    gm.sign_protocol(sb.secretary, mid, h(label))
    gm.sign_protocol(sb.chair, mid, h(label))
    return mid


def distribute(
    sb: Sandbox, reg: LabourRegister, terms: Terms, batch: int, label: str
) -> tuple[int, dict[str, int], list[int]]:
    doc = h(label)
    mid = meeting(sb, [reg.distribution_question(terms, doc)], label)
    did, sent = reg.approve_distribution(sb.members[0], terms, doc, mid, 0)
    gas = {"approve": sent.gas_used}
    token = sb.cooperative.token
    sb.chain.transact(token.functions.mint(reg.address, terms.surplus), sb.deployer)
    gas["fund"] = reg.fund_distribution(sb.members[1], did).gas_used
    batches = []
    d = reg.distribution(did)
    while d["cursor"] < d["participants"]:
        batches.append(reg.credit_batch(sb.members[2], did, batch).gas_used)
        d = reg.distribution(did)
    parts = recompute_from_chain(reg, did)
    for m in sb.members[:25]:
        assert reg.part_of(did, m.address) == parts[m.address]
    assert d["credited"] == terms.surplus == sum(parts.values())
    return did, gas, batches


def measure(sb: Sandbox, rows: list[Row]) -> None:
    chain = sb.chain
    n = len(sb.members)
    installer = deploy_installer(chain, sb.deployer)["installer"]
    charter = sb.cooperative.addresses.charter
    reg = LabourRegister(chain, predict_register(chain, installer, charter))
    approver = dev_accounts(10)[5]
    gas = council(
        sb,
        [
            install_action(chain, installer, charter, False),
            reg.set_rate_action(0, 500 * TOKEN, Unit.HOUR, True, h("rate: hour")),
            reg.set_rate_action(0, 3_000 * TOKEN, Unit.RESULT, True, h("rate: result")),
            reg.set_approver_action(approver.address),
        ],
        "install",
    )
    rows.append(("council item: install + 2 rates + approver (Council.execute)", f"{gas:,}", ""))
    gas = council(sb, [reg.set_rate_action(1, 520 * TOKEN, Unit.HOUR, True, h("new"))], "rate")
    rows.append(("council item: change one rate", f"{gas:,}", ""))

    record_gas, approve_first, approve_later = [], [], []
    for i, m in enumerate(sb.members):
        rid, sent = reg.record(m, 1, PERIOD, 4_000 + i % 500, h(f"task {i}"), h(f"act {i}"))
        record_gas.append(sent.gas_used)
        approve_first.append(reg.approve(approver, rid, Use.POINTS).gas_used)
    for m in sb.members[:5]:
        rid, sent = reg.record(m, 2, PERIOD, 2, h("result"), h(f"act r {m.address}"))
        record_gas.append(sent.gas_used)
        approve_later.append(reg.approve(approver, rid, Use.POINTS).gas_used)
    rows.append(("record (member's own work, hourly rate)", f"{record_gas[1]:,}", "new slot"))
    rows.append(
        (
            "approve as points (member's first points in the period)",
            f"{approve_first[1]:,}",
            "adds the participant",
        )
    )
    rows.append(("approve as points (member already a participant)", f"{approve_later[-1]:,}", ""))
    rid, sent = reg.record(sb.members[0], 2, PERIOD + 1, 1, h("patent"), h("act patent"))
    rows.append(("record (per-result rate)", f"{sent.gas_used:,}", ""))
    gas = reg.approve(approver, rid, Use.SHARES).gas_used
    rows.append(("approve as a share contribution", f"{gas:,}", ""))
    gas = council(sb, reg.contribution_actions(sb.cooperative.shares, rid), "contribute")
    rows.append(("council item: markContributed + Shares.creditInKind", f"{gas:,}", ""))

    terms = Terms(PERIOD, Basis.LABOUR, Form.PAYOUT, 10_000_000 * TOKEN + 7)
    _, g, batches = distribute(sb, reg, terms, 200, "labour surplus")
    rows.append(
        (
            "approveDistribution (reads the meeting's accepted question)",
            f"{g['approve']:,}",
            f"{n} participants",
        )
    )
    rows.append(("fundDistribution", f"{g['fund']:,}", ""))
    full = [b for b in batches if b == batches[0]] or batches
    per = (batches[0] - 21_000) // 200 if len(batches) > 1 else (batches[0] - 21_000) // n
    rows.append(
        (
            f"creditBatch of 200 (labour, payout) x{len(batches)}",
            f"{batches[0]:,}",
            f"about {per:,} per member; last batch {batches[-1]:,}",
        )
    )
    rows.append(
        (
            f"whole distribution to {n} members (all batches)",
            f"{sum(batches):,}",
            f"{(sum(batches) - 21_000 * len(batches)) // n:,} per member",
        )
    )
    del full
    gas = reg.claim(sb.members[3]).gas_used
    rows.append(("claim (member takes out the payout)", f"{gas:,}", ""))

    # Purchases of the next period for the same members, by council decisions of 250.
    p_gas = []
    for start in range(0, n, 250):
        chunk = sb.members[start : start + 250]
        p_gas.append(
            council(
                sb,
                [
                    reg.record_purchases_action(
                        PERIOD + 1,
                        [m.address for m in chunk],
                        [(j + 1) * TOKEN for j in range(len(chunk))],
                        h(f"exchange totals {start}"),
                    )
                ],
                f"purchases {start}",
            )
        )
    rows.append(
        (
            "council item: recordPurchases of 250 members",
            f"{p_gas[0]:,}",
            f"{(p_gas[0] - 21_000) // 250:,} per member (item execution included)",
        )
    )
    terms2 = Terms(PERIOD + 1, Basis.PURCHASES, Form.PAYOUT, 1_000_000 * TOKEN + 3)
    _, _, batches2 = distribute(sb, reg, terms2, 500, "purchases surplus")
    per2 = (batches2[0] - 21_000) // min(500, n)
    rows.append(
        (
            f"creditBatch of 500 (purchases, payout) x{len(batches2)}",
            f"{batches2[0]:,}",
            f"about {per2:,} per member",
        )
    )


def render(rows: list[Row], n: int, wall: float, cpu: float, load: tuple[float, ...]) -> str:
    size = json.loads((ROOT / ".build" / "__local__.json").read_text())["contractTypes"]
    sizes = {
        k: (len(size[k]["runtimeBytecode"]["bytecode"]) - 2) // 2
        for k in ("LabourRegister", "LabourInstaller")
    }
    lines = [
        "## Labour register: gas",
        "",
        f"A production cooperative of {n} members governed by a council and a general meeting; "
        "every member records a month of work, the appointed approver approves it, the meeting "
        "distributes the quarter's surplus by labour participation (a payout credited in "
        "batches, anyone may run them). Receipts' `gasUsed` (21,000 base included).",
        "",
        "| Transaction | Gas | Note |",
        "|---|---:|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
        "A batch's cost is linear in its size (each member: a participant and points read, "
        "the part and the claimable payout written, an event): about 51,500 gas per member "
        "whose claimable slot is new, 34,400 when it is already written. A block of 30M gas "
        "holds about 580 members, so 1,000 members take at least two transactions, which the "
        "cursor makes resumable by anyone, each member credited once.",
        "",
        "Runtime sizes (EIP-170 limit 24,576 bytes):",
        "",
        "| Contract | Bytes |",
        "|---|---:|",
        *[f"| {k} | {v:,} |" for k, v in sizes.items()],
        "",
        f"Run: wall {wall:.1f} s, CPU {cpu:.1f} s (this process; anvil apart), load average "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} at the end (shared 2-core machine).",
        "",
        "Produced by `python benchmarks/bench_labour.py`.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000)
    args = parser.parse_args()
    start, cpu0 = time.perf_counter(), time.process_time()
    anvil = Anvil(free_port())
    anvil.start()
    rows: list[Row] = []
    try:
        chain = Chain(anvil.url, Artifacts(ROOT / ".build" / "__local__.json"))
        chain.wait_ready()
        sb = governed_cooperative(
            chain,
            dev_accounts(10),
            args.members,
            GovernanceParams(),
            label="bench labour",
            kind=CooperativeKind.PRODUCTION,
        )
        print(f"cooperative ready after {time.perf_counter() - start:.0f} s", flush=True)
        measure(sb, rows)
    finally:
        anvil.stop()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    cpu = max(cpu, resource.getrusage(resource.RUSAGE_SELF).ru_utime)
    table = render(rows, args.members, wall, cpu, os.getloadavg())
    print(table)
    OUT.write_text(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
