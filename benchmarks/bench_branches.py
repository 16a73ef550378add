"""Gas of cooperative branches (кооперативные участки): setting branches up, electing delegates
in a branch meeting, and a delegate's ballot in the meeting of delegates beside a member's
ballot in the members' meeting.

Runs on a fresh local anvil (started here) against a real consumer society of 24 members in
three branches of eight, the norm of representation one delegate per four members (two seats a
branch). Governance is installed without handing the executor role to the council, so that the
set-up calls (creating branches, appointing trustees) are measured as the executor's own
transactions, without a council decision's overhead. Every figure is a transaction's `gasUsed`
(21,000 base included). Also records runtime sizes (EIP-170 limit 24,576 bytes), wall time,
CPU time and the load average (the machine is shared). Writes `benchmarks/branches_results.md`.

    python benchmarks/bench_branches.py
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

from eth_account import Account  # noqa: E402

from benchmarks.gas_report import render_gas_report  # noqa: E402
from node.chain.anvil import Anvil  # noqa: E402
from node.chain.artifacts import Artifacts  # noqa: E402
from node.chain.client import Chain  # noqa: E402
from node.chain.devkeys import dev_accounts  # noqa: E402
from node.cooperative.client import MemberKind  # noqa: E402
from node.governance import Choice, Convocation, GovernanceParams, Majority, Question, VoteType  # noqa: E402  # noqa: E402
from node.governance.branches import deploy_branches, set_register_action  # noqa: E402
from node.governance.client import Action, GeneralMeeting  # noqa: E402
from node.governance.sandbox import (  # noqa: E402
    Sandbox,
    fund,
    governed_cooperative,
    h,
    now,
    warp,
)

OUT = ROOT / "benchmarks" / "branches_results.md"
MEMBERS = 24
NORM = 4
DAY = 24 * 3600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def convene_general(sb: Sandbox, questions: tuple[Question, ...], label: str) -> int:
    meeting = sb.governance.meeting
    opens = now(sb.chain) + meeting.notice_period() + 60
    convocation = Convocation(opens, opens + 7 * DAY, sb.secretary.address, questions)
    action = meeting.convene_action(convocation)
    council = sb.governance.council
    item_id, _ = council.propose(sb.council[0], h(label), [action])
    for member in sb.council[:2]:
        council.vote(member, item_id, VoteType.FOR)
    council.sign_protocol(sb.chair, item_id, h(label))
    sent = council.execute(sb.chair, item_id, [action])
    return GeneralMeeting.convened_id(sb.chain, meeting.address, sent)


def close_and_sign(sb: Sandbox, meeting: GeneralMeeting, mid: int) -> None:
    warp(sb.chain, meeting.meeting(mid).closes_at)
    meeting.close(sb.deployer, mid)
    meeting.sign_protocol(sb.secretary, mid, h(f"protocol {meeting.address} {mid}"))
    meeting.sign_protocol(sb.chair, mid, h(f"protocol {meeting.address} {mid}"))


def measure(sb: Sandbox) -> list[tuple[str, int, str]]:
    chain, executor, m = sb.chain, sb.deployer, sb.members
    rows: list[tuple[str, int, str]] = []
    branches, sent = deploy_branches(
        chain,
        executor,
        sb.cooperative.addresses.charter,
        sb.record["implementations"]["GeneralMeeting"],
        members_per_delegate=NORM,
        notice_period=3 * DAY,
    )
    rows.append(("deploy Branches (once per cooperative)", sent.gas_used, "plain deployment"))
    c = branches.contract
    for i in (1, 2, 3):
        sent = chain.transact(c.functions.createBranch(h(f"branch {i}")), executor)
        if i <= 2:
            note = "clones and initialises the branch's GeneralMeeting"
            rows.append((f"createBranch (branch {i})", sent.gas_used, note))
    chain.transact(sb.cooperative.charter.functions.setRoles(branches.address, 2), executor)
    by_branch = {b: m[8 * (b - 1) : 8 * b] for b in (1, 2, 3)}
    for b, people in by_branch.items():
        for j, person in enumerate(people):
            sent = branches.join(person, b)
            if b == 1 and j < 2:
                rows.append((f"joinBranch (member's own, {j + 1})", sent.gas_used, "counted"))
    for b in (1, 2, 3):
        sent = chain.transact(c.functions.setTrustee(b, by_branch[b][0].address), executor)
        if b == 1:
            rows.append(("setTrustee", sent.gas_used, "council's call"))

    applicant = Account.from_key(h("bench branches applicant"))
    fund(chain, [applicant.address])
    sb.cooperative.apply(applicant, MemberKind.INDIVIDUAL, h("id"), h("application"))
    rows.append(("joinBranch (applicant)", branches.join(applicant, 1).gas_used, "not counted"))
    sent = branches.attest_identity(by_branch[1][0], applicant.address, h("check"))
    rows.append(("attestIdentity by the branch trustee", sent.gas_used, "through Membership"))

    # The members' meeting adopts the meeting of delegates (and its quorum of two thirds).
    gm = sb.governance.meeting
    adopt = Question(
        h("adopt"),
        Majority.THREE_QUARTERS,
        (
            set_register_action(gm, branches.address, None),
            gm.set_parameters_action(gm.notice_period(), [6666]),
        ),
    )
    mid = convene_general(sb, (adopt,), "adopt")
    warp(chain, gm.meeting(mid).opens_at)
    rows.append(
        (
            "GeneralMeeting.castBallot (a member, members' meeting)",
            gm.cast_ballot(m[0], mid, [Choice.FOR]).gas_used,
            "for comparison",
        )
    )
    for voter in m[1:18]:
        gm.cast_ballot(voter, mid, [Choice.FOR])

    # Branch meetings elect two delegates each.
    elected: dict[int, list] = {}
    for b, people in by_branch.items():
        meeting = branches.meeting(b)
        delegates = people[1:3]
        elected[b] = delegates
        question = Question(
            h(f"delegates {b}"),
            actions=(branches.elect_action(b, [d.address for d in delegates]),),
        )
        opens = now(chain) + 3 * DAY + 60
        conv = Convocation(opens, opens + 3 * DAY, sb.secretary.address, (question,))
        fn = c.functions.conveneBranchMeeting(b, conv.as_abi())
        sent = chain.transact(fn, people[0])
        bmid = int(sent.receipt["logs"][-1]["topics"][2].hex(), 16)
        if b == 1:
            rows.append(("conveneBranchMeeting (trustee, one question)", sent.gas_used, ""))
        warp(chain, meeting.meeting(bmid).opens_at)
        for k, voter in enumerate(people[:6]):
            sent = meeting.cast_ballot(voter, bmid, [Choice.FOR])
            if b == 1 and k == 0:
                rows.append(("branch meeting castBallot (a member)", sent.gas_used, ""))
        close_and_sign(sb, meeting, bmid)
        sent = meeting.execute(executor, bmid, 0)
        if b == 1:
            rows.append(("branch meeting execute: electDelegates (2 delegates)", sent.gas_used, ""))

    close_and_sign(sb, gm, mid)
    sent = gm.execute(executor, mid, 0)
    rows.append(("GeneralMeeting.execute: setRegister + setParameters", sent.gas_used, "3/4"))

    # The meeting of delegates.
    new_doc = h("charter 2")
    question = Question(
        new_doc,
        Majority.THREE_QUARTERS,
        (Action.call(sb.cooperative.charter, "setCharterDocument", new_doc),),
    )
    mid = convene_general(sb, (question,), "delegates")
    warp(chain, gm.meeting(mid).opens_at)
    d = [p for b in (1, 2, 3) for p in elected[b]]
    rows.append(
        (
            "delegate's ballot (castBallot, meeting of delegates)",
            gm.cast_ballot(d[0], mid, [Choice.FOR]).gas_used,
            "register lookup through Branches",
        )
    )
    signed = gm.sign_ballot(d[1], mid, [Choice.FOR])
    rows.append(
        (
            "delegate's ballot (castBallotBySig, relayed)",
            gm.cast_ballot_by_sig(executor, signed).gas_used,
            "",
        )
    )
    for voter in d[2:5]:
        gm.cast_ballot(voter, mid, [Choice.FOR])
    close_and_sign(sb, gm, mid)
    # The council runs decisions from here on (the set-up above was the founders' key).
    charter = sb.cooperative.charter
    chain.transact(charter.functions.setDecisionExecutor(sb.governance.council.address), executor)
    sent = gm.execute(executor, mid, 0)
    rows.append(("meeting of delegates: execute (charter document, 3/4)", sent.gas_used, ""))
    assert charter.functions.charterDocument().call() == new_doc
    return rows


def sizes() -> dict[str, int]:
    manifest = json.loads((ROOT / ".build" / "__local__.json").read_text())
    out = {}
    for name in ("GeneralMeeting", "Branches"):
        code = manifest["contractTypes"][name]["runtimeBytecode"]["bytecode"]
        out[name] = (len(code) - 2) // 2
    return out


def render(
    rows: list[tuple[str, int, str]], wall: float, cpu: float, load: tuple[float, ...]
) -> str:
    return render_gas_report(
        "Branches (кооперативные участки): gas",
        (
            f"A consumer society of {MEMBERS} members in three branches of eight, one delegate per "
            f"{NORM} members (two seats a branch); receipts' `gasUsed`."
        ),
        rows,
        sizes(),
        wall,
        cpu,
        load,
        "bench_branches.py",
    )


def main() -> int:
    start, cpu0 = time.perf_counter(), time.process_time()
    anvil = Anvil(free_port())
    anvil.start()
    try:
        chain = Chain(anvil.url, Artifacts(ROOT / ".build" / "__local__.json"))
        chain.wait_ready()
        sb = governed_cooperative(
            chain,
            dev_accounts(10),
            MEMBERS,
            GovernanceParams(hand_over=False),
            label="bench branches",
        )
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
