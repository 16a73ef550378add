"""Gas of target programs: installing a cooperative's TargetPrograms, creating a program by a
council decision, joining (directly and by a relayed EIP-712 acceptance), contributing (first
and later), spending by a council decision, leaving with one's part, and a former member's
part released by anybody.

Runs on a fresh local anvil (started here) against a real cooperative of 8 members with
governance installed. Every figure is a transaction's `gasUsed` (21,000 base included); a
council decision counts its executing transaction only. Also records the runtime sizes, and
wall time, CPU time and load average of the run (the machine is shared). Writes
`benchmarks/programs_results.md`.

    python benchmarks/bench_programs.py
"""

from __future__ import annotations

import json
import os
import resource
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.gas_report import render_gas_report  # noqa: E402
from node.chain.anvil import Anvil  # noqa: E402
from node.chain.artifacts import Artifacts  # noqa: E402
from node.chain.client import Chain  # noqa: E402
from node.chain.devkeys import dev_accounts  # noqa: E402
from node.fund import CouncilSigners  # noqa: E402
from node.governance import Action, VoteType  # noqa: E402
from node.governance.sandbox import Sandbox, governed_cooperative, h, now  # noqa: E402
from node.programs import TargetPrograms, install_programs, sign_join  # noqa: E402

OUT = ROOT / "benchmarks" / "programs_results.md"
MEMBERS = 8
TOKEN = 10**18


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def decide(sb: Sandbox, actions: list[Action], label: str) -> int:
    council = sb.governance.council
    item_id, _ = council.propose(sb.council[0], h(label), actions)
    for member in sb.council[:2]:
        council.vote(member, item_id, VoteType.FOR)
    council.sign_protocol(sb.chair, item_id, h(label))
    return council.execute(sb.chair, item_id, actions).gas_used


def measure(sb: Sandbox) -> list[tuple[str, int, str]]:
    chain = sb.chain
    record = install_programs(
        chain,
        sb.deployer,
        sb.cooperative.addresses.to_dict(),
        council=CouncilSigners(sb.council[0], sb.council[:2], sb.chair),
    )
    p = TargetPrograms(chain, str(record["target_programs"]))
    m = sb.members
    for member in m:
        chain.transact(
            sb.cooperative.token.functions.mint(member.address, 10**6 * TOKEN), sb.deployer
        )
        p.approve(member)
    rows: list[tuple[str, int, str]] = [
        (
            "council item executing TargetProgramsInstaller.install + addObligationSource",
            int(record["install_gas"]),
            "once per cooperative",
        ),
        (
            "council item executing createProgram",
            decide(sb, [p.create_action("Трактор", h("terms"), h("create"))], "create"),
            "",
        ),
    ]
    rows.append(
        (
            "join (member's own transaction)",
            p.join(m[0], 1, h("terms")).gas_used,
            "first program: member key created",
        )
    )
    deadline = now(chain) + 3600
    sig = sign_join(m[1], p.join_typed_data(1, m[1].address, deadline))
    rows.append(
        (
            "joinBySig (relayed EIP-712 acceptance)",
            p.join_by_sig(sb.deployer, 1, m[1].address, h("terms"), deadline, sig).gas_used,
            "relayer pays",
        )
    )
    for member in m[2:]:
        p.join(member, 1, h("terms"))
    rows.append(("contribute (program's first)", p.contribute(m[0], 1, 1_000 * TOKEN).gas_used, ""))
    rows.append(("contribute (member's first)", p.contribute(m[1], 1, 500 * TOKEN).gas_used, ""))
    rows.append(
        (
            "contribute (member's next)",
            p.contribute(m[1], 1, 250 * TOKEN).gas_used,
            "same as the first: the join already wrote the member's slot",
        )
    )
    for member in m[2:]:
        p.contribute(member, 1, 100 * TOKEN)
    rows.append(
        (
            "council item executing spend",
            decide(sb, [p.spend_action(1, sb.deployer.address, 333 * TOKEN, h("spend"))], "spend"),
            "",
        )
    )
    rows.append(("leave (paid one's part)", p.leave(m[2], 1).gas_used, ""))
    # A member exits the cooperative; anybody releases their part.
    gone = m[3]
    sb.cooperative.request_exit(gone, h("exit application"))
    decide(sb, [Action.call(sb.cooperative.membership, "exit", gone.address, h("exit"))], "exit")
    rows.append(
        (
            "release (a former member's part, anybody)",
            p.release(sb.deployer, 1, gone.address).gas_used,
            "",
        )
    )
    return rows


def sizes() -> dict[str, int]:
    manifest = json.loads((ROOT / ".build" / "__local__.json").read_text())
    out = {}
    for name in ("TargetPrograms", "TargetProgramsInstaller"):
        code = manifest["contractTypes"][name]["runtimeBytecode"]["bytecode"]
        out[name] = (len(code) - 2) // 2
    return out


def render(
    rows: list[tuple[str, int, str]], wall: float, cpu: float, load: tuple[float, ...]
) -> str:
    return render_gas_report(
        "Target programs (целевые программы): gas",
        (
            f"A cooperative of {MEMBERS} members, one program; receipts' `gasUsed` "
            "(a council item: its executing transaction only)."
        ),
        rows,
        sizes(),
        wall,
        cpu,
        load,
        "bench_programs.py",
    )


def main() -> int:
    start, cpu0 = time.perf_counter(), time.process_time()
    anvil = Anvil(free_port())
    anvil.start()
    try:
        chain = Chain(anvil.url, Artifacts(ROOT / ".build" / "__local__.json"))
        chain.wait_ready()
        sb = governed_cooperative(chain, dev_accounts(10), MEMBERS, label="bench programs")
        rows = measure(sb)
    finally:
        anvil.stop()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    cpu = max(cpu, resource.getrusage(resource.RUSAGE_SELF).ru_utime)
    table = render(rows, wall, cpu, os.getloadavg())
    print(table)
    OUT.write_text(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
