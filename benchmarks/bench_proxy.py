"""Gas of proxies (доверенности): issuing, revoking and voting by proxy, beside a member's own
ballot, and what installing the proxies contract adds to a governance installation.

Runs on a fresh local anvil (started here) against a real cooperative of 24 members with
governance installed by the network's `GovernanceInstaller` (Council + GeneralMeeting +
MeetingProxies in one transaction). Every figure is a transaction's `gasUsed` (21,000 base
included). Also records the runtime sizes of GeneralMeeting and MeetingProxies (EIP-170 limit
24,576 bytes), and wall time, CPU time and load average of the run (the machine is shared).
Writes `benchmarks/proxy_results.md`.

    python benchmarks/bench_proxy.py
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
from node.governance import Choice, Convocation, Question, VoteType  # noqa: E402
from node.governance.client import GeneralMeeting  # noqa: E402
from node.governance.proxies import MeetingProxies, ProxyTerms, sign_typed  # noqa: E402
from node.governance.sandbox import Sandbox, governed_cooperative, h, now, warp  # noqa: E402

OUT = ROOT / "benchmarks" / "proxy_results.md"
MEMBERS = 24


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def convene(sb: Sandbox, label: str) -> int:
    meeting = sb.governance.meeting
    opens = now(sb.chain) + meeting.notice_period() + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + 7 * 24 * 3600,
        secretary=sb.secretary.address,
        questions=(Question(h(label)), Question(h(label + " 2"))),
    )
    action = meeting.convene_action(convocation)
    council = sb.governance.council
    item_id, _ = council.propose(sb.council[0], h(label), [action])
    for member in sb.council[:2]:
        council.vote(member, item_id, VoteType.FOR)
    council.sign_protocol(sb.chair, item_id, h(label))
    sent = council.execute(sb.chair, item_id, [action])
    return GeneralMeeting.convened_id(sb.chain, meeting.address, sent)


def measure(sb: Sandbox) -> list[tuple[str, int, str]]:
    p = sb.governance.proxies
    assert isinstance(p, MeetingProxies)
    meeting = sb.governance.meeting
    m = sb.members
    relayer = sb.deployer
    rows: list[tuple[str, int, str]] = [
        (
            "GovernanceInstaller.install (Council + GeneralMeeting + MeetingProxies)",
            int(sb.record["install_gas"]),
            "was 524,698 with two clones (gas_governance_results.md)",
        )
    ]
    meeting_id = convene(sb, "bench proxies")
    expires = now(sb.chain) + 30 * 24 * 3600

    def terms(principal: int, holder: int, label: str) -> ProxyTerms:
        return ProxyTerms(meeting_id, m[principal].address, m[holder].address, expires, h(label))

    t = terms(0, 10, "p0")
    rows.append(
        ("issue (principal's own transaction, holder's first)", p.issue(m[0], t).gas_used, "")
    )
    t = terms(1, 10, "p1")
    rows.append(("issue (holder's second)", p.issue(m[1], t).gas_used, "cap counter warm"))
    t = terms(2, 11, "p2")
    sig = sign_typed(m[2], p.proxy_typed_data(t))
    rows.append(
        ("issueBySig (relayed, EIP-712)", p.issue_by_sig(relayer, t, sig).gas_used, "relayer pays")
    )
    rows.append(("revoke (principal's own transaction)", p.revoke(m[1], meeting_id).gas_used, ""))
    rev = sign_typed(m[2], p.revocation_typed_data(meeting_id, m[2].address))
    rows.append(
        (
            "revokeBySig (relayed)",
            p.revoke_by_sig(relayer, meeting_id, m[2].address, rev).gas_used,
            "",
        )
    )
    t = terms(3, 11, "p3")
    p.issue_by_sig(relayer, t, sign_typed(m[3], p.proxy_typed_data(t)))

    warp(sb.chain, meeting.meeting(meeting_id).opens_at + 1)
    choices = [Choice.FOR, Choice.AGAINST]
    rows.append(
        (
            "GeneralMeeting.castBallot (own vote, for comparison)",
            meeting.cast_ballot(m[20], meeting_id, choices).gas_used,
            "",
        )
    )
    signed = meeting.sign_ballot(m[21], meeting_id, choices)
    rows.append(
        (
            "GeneralMeeting.castBallotBySig (own vote, relayed)",
            meeting.cast_ballot_by_sig(relayer, signed).gas_used,
            "",
        )
    )
    rows.append(
        (
            "castAsProxy (holder's transaction)",
            p.cast(m[10], meeting_id, m[0].address, choices).gas_used,
            "the principal's ballot through castProxyBallot",
        )
    )
    data = p.proxy_ballot_typed_data(meeting_id, m[3].address, m[11].address, choices)
    rows.append(
        (
            "castAsProxyBySig (relayed, holder's EIP-712)",
            p.cast_by_sig(
                relayer, meeting_id, m[3].address, m[11].address, choices, sign_typed(m[11], data)
            ).gas_used,
            "",
        )
    )
    return rows


def sizes() -> dict[str, int]:
    manifest = json.loads((ROOT / ".build" / "__local__.json").read_text())
    out = {}
    for name in ("GeneralMeeting", "MeetingProxies", "GovernanceInstaller", "Charter"):
        code = manifest["contractTypes"][name]["runtimeBytecode"]["bytecode"]
        out[name] = (len(code) - 2) // 2
    return out


def render(
    rows: list[tuple[str, int, str]], wall: float, cpu: float, load: tuple[float, ...]
) -> str:
    return render_gas_report(
        "Proxies (доверенности): gas",
        (f"A cooperative of {MEMBERS} members, a two-question meeting; receipts' `gasUsed`."),
        rows,
        sizes(),
        wall,
        cpu,
        load,
        "bench_proxy.py",
    )


def main() -> int:
    start, cpu0 = time.perf_counter(), time.process_time()
    anvil = Anvil(free_port())
    anvil.start()
    try:
        chain = Chain(anvil.url, Artifacts(ROOT / ".build" / "__local__.json"))
        chain.wait_ready()
        sb = governed_cooperative(chain, dev_accounts(10), MEMBERS, label="bench proxies")
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
