"""Cooperative branches (кооперативные участки) on a real chain: a consumer society of three
branches holds branch meetings that elect delegates by the norm of representation, adopts the
meeting of delegates, and holds one whose decision executes. Every attack is performed and seen
refused: verifying as a non-trustee or another branch's trustee, electing delegates without a
branch meeting decision (directly, for another branch, over the seats, outside the branch),
voting in another branch's meeting, voting twice, a non-delegate or a delegate who lost the
mandate voting in the delegates' meeting, and the quorum base fixed at convening."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from eth_account.signers.local import LocalAccount

from indexer.db import make_engine
from indexer.queries import branches as branch_queries
from node.chain.client import Chain
from node.cooperative.client import MemberKind
from node.cooperative.deploy import NetworkAddresses
from node.governance import Choice, Convocation, GovernanceParams, Majority, Question
from node.governance.branches import ZERO, Branches, deploy_branches, set_register_action
from node.governance.client import Action, GeneralMeeting, MeetingState
from node.governance.sandbox import (
    Sandbox,
    fund,
    generated_accounts,
    governed_cooperative,
    h,
    now,
    warp,
)
from tests.governance.conftest import (
    DAY,
    convene,
    end_voting,
    expect_revert,
    open_voting,
    sign_protocol,
)
from tests.indexer.conftest import make_indexer

F, A, X = Choice.FOR, Choice.AGAINST, Choice.ABSTAIN
BRANCH_NOTICE = 3 * DAY
NORM = 2  # one delegate per two members: four members a branch, two seats


@dataclass
class Society:
    sb: Sandbox
    branches: Branches
    by_branch: dict[int, list[LocalAccount]]
    trustees: dict[int, LocalAccount]


@pytest.fixture(scope="module")
def society(
    chain: Chain, accounts: list[LocalAccount], gov_network: NetworkAddresses, gov_installer: str
) -> Society:
    """12 members in three branches of four, a trustee each; Branches holds the verifier role."""
    sb = governed_cooperative(
        chain,
        accounts,
        12,
        GovernanceParams(),
        network=gov_network,
        label="Участки",
        installer=gov_installer,
    )
    branches, _ = deploy_branches(
        chain,
        sb.deployer,
        sb.cooperative.addresses.charter,
        sb.record["implementations"]["GeneralMeeting"],
        members_per_delegate=NORM,
        notice_period=BRANCH_NOTICE,
    )
    charter = sb.cooperative.charter
    actions = [branches.create_branch_action(h(f"branch {i}")) for i in (1, 2, 3)]
    actions.append(Action.call(charter, "setRoles", branches.address, 2))  # ROLE_VERIFIER
    council = sb.governance.council
    council.decide(sb.council[0], sb.council[:2], sb.chair, h("create branches"), actions)
    by_branch = {b: sb.members[4 * (b - 1) : 4 * b] for b in (1, 2, 3)}
    for b, people in by_branch.items():
        for person in people:
            branches.join(person, b)
    trustees = {b: by_branch[b][0] for b in (1, 2, 3)}
    council.decide(
        sb.council[0],
        sb.council[:2],
        sb.chair,
        h("trustees"),
        [branches.set_trustee_action(b, t.address) for b, t in trustees.items()],
    )
    return Society(sb, branches, by_branch, trustees)


def branch_convocation(sb: Sandbox, questions: Sequence[Question]) -> Convocation:
    opens = now(sb.chain) + BRANCH_NOTICE + 60
    return Convocation(opens, opens + 3 * DAY, sb.secretary.address, tuple(questions))


def elect_question(s: Society, branch_id: int, delegates: Sequence[str]) -> Question:
    return Question(
        h(f"delegates of {branch_id}"), actions=(s.branches.elect_action(branch_id, delegates),)
    )


def hold(sb: Sandbox, meeting: GeneralMeeting, meeting_id: int, voters: Sequence[LocalAccount]):
    """Open, vote for every question, close, sign the protocol."""
    warp(sb.chain, meeting.meeting(meeting_id).opens_at)
    count = meeting.meeting(meeting_id).question_count
    for voter in voters:
        meeting.cast_ballot(voter, meeting_id, [F] * count)
    warp(sb.chain, meeting.meeting(meeting_id).closes_at)
    meeting.close(sb.deployer, meeting_id)
    meeting.sign_protocol(sb.secretary, meeting_id, h(f"protocol {meeting.address} {meeting_id}"))
    meeting.sign_protocol(sb.chair, meeting_id, h(f"protocol {meeting.address} {meeting_id}"))


def elect(s: Society, branch_id: int, delegates: Sequence[LocalAccount]) -> None:
    """The trustee convenes the branch meeting, the branch votes, the decision executes."""
    meeting = s.branches.meeting(branch_id)
    question = elect_question(s, branch_id, [d.address for d in delegates])
    mid = s.branches.convene(s.trustees[branch_id], branch_id, branch_convocation(s.sb, [question]))
    hold(s.sb, meeting, mid, s.by_branch[branch_id][:3])
    meeting.execute(s.sb.deployer, mid, 0)


def test_trustee_verifies_only_applicants_of_their_branch(society: Society) -> None:
    s, coop = society, society.sb.cooperative
    applicant, stranger = generated_accounts(2, "участки заявитель")
    fund(s.sb.chain, [applicant.address, stranger.address])
    for person in (applicant, stranger):
        coop.apply(person, MemberKind.INDIVIDUAL, h(f"id {person.address}"), h("application"))
    s.branches.join(applicant, 1)
    # An applicant is in the branch but not counted until admitted.
    assert s.branches.branch(1).members == 4 and s.branches.branch_of(applicant.address) == 1

    plain_member, other_trustee = s.by_branch[1][1], s.trustees[2]
    expect_revert(
        lambda: s.branches.attest_identity(plain_member, applicant.address, h("check")),
        "BranchesNotTrustee",
    )
    expect_revert(
        lambda: s.branches.attest_identity(other_trustee, applicant.address, h("check")),
        "BranchesNotTrustee",
    )
    # An applicant who chose no branch has no trustee.
    expect_revert(
        lambda: s.branches.attest_identity(s.trustees[1], stranger.address, h("check")),
        "BranchesNotTrustee",
    )
    # The trustee's own key is not a verifier of the cooperative: only through Branches.
    expect_revert(
        lambda: coop.attest_identity(s.trustees[1], applicant.address, h("check")),
        "MembershipNotVerifier",
    )
    s.branches.attest_identity(s.trustees[1], applicant.address, h("check"))
    assert coop.member(applicant.address).identity_verified


def test_delegates_only_by_their_branch_meeting(society: Society) -> None:
    s, sb = society, society.sb
    b1 = s.by_branch[1]
    # Directly, by anyone (a member, the council's former executor key): refused.
    expect_revert(
        lambda: sb.chain.transact(
            s.branches.contract.functions.electDelegates(1, [b1[0].address]), sb.deployer
        ),
        "BranchesNotBranchMeeting",
    )
    # Only the council or the branch's trustee convenes, with an agenda for this branch only.
    conv = branch_convocation(sb, [elect_question(s, 1, [b1[0].address])])
    expect_revert(lambda: s.branches.convene(b1[1], 1, conv), "BranchesNotConvener")
    expect_revert(lambda: s.branches.convene(s.trustees[2], 1, conv), "BranchesNotConvener")
    other = branch_convocation(sb, [elect_question(s, 2, [s.by_branch[2][0].address])])
    expect_revert(lambda: s.branches.convene(s.trustees[1], 1, other), "BranchesActionNotAllowed")
    foreign = Action.call(sb.cooperative.charter, "setChair", b1[0].address)
    bad = branch_convocation(sb, [Question(h("chair"), actions=(foreign,))])
    expect_revert(lambda: s.branches.convene(s.trustees[1], 1, bad), "BranchesActionNotAllowed")

    # A held branch meeting: over the seats, or naming another branch's member, does not execute.
    meeting = s.branches.meeting(1)
    questions = [
        elect_question(s, 1, [p.address for p in b1[:3]]),  # 3 > 2 seats
        elect_question(s, 1, [s.by_branch[2][1].address]),  # not in branch 1
        elect_question(s, 1, [b1[1].address, b1[1].address]),  # twice
    ]
    mid = s.branches.convene(s.trustees[1], 1, branch_convocation(sb, questions))
    hold(sb, meeting, mid, b1[:3])
    assert s.branches.seats(1) == 2
    expect_revert(lambda: meeting.execute(sb.deployer, mid, 0), "BranchesInvalidDelegation")
    expect_revert(lambda: meeting.execute(sb.deployer, mid, 1), "BranchesNotInBranch")
    expect_revert(lambda: meeting.execute(sb.deployer, mid, 2), "BranchesDuplicateDelegate")
    assert s.branches.delegate_count() == 0


def test_branch_members_cannot_change_their_meetings_rules_on_demand(society: Society) -> None:
    """A branch meeting convened on its members' demand escapes the convener's agenda check:
    its accepted question still cannot change the branch meeting's register, quorum or demand
    rules (the charter's, set by Branches), nor act on anything but electDelegates."""
    s, sb = society, society.sb
    meeting = s.branches.meeting(1)
    rogue = [
        Question(
            h("own register"),
            Majority.THREE_QUARTERS,  # what setRegister needs (a charter matter)
            (set_register_action(meeting, sb.deployer.address, None),),
        ),
        Question(h("no quorum"), actions=(meeting.set_parameters_action(0, [0]),)),
    ]
    demander = s.by_branch[1][1]
    agenda = meeting.agenda_hash(rogue)
    meeting.demand(demander, agenda)  # one of four: the default tenth is reached
    due = meeting.demand_info(agenda)["council_due_by"]
    warp(sb.chain, due + 1)
    opens = now(sb.chain) + BRANCH_NOTICE + 60
    conv = Convocation(opens, opens + 3 * DAY, sb.secretary.address, tuple(rogue))
    mid = meeting.convene_on_demand(demander, conv)
    hold(sb, meeting, mid, s.by_branch[1][:3])
    assert meeting.meeting(mid).accepted_mask == 0b11
    for index in (0, 1):
        expect_revert(
            lambda i=index: meeting.execute(sb.deployer, mid, i),
            "GeneralMeetingNotMeetingDecision",
        )
    assert meeting.contract.functions.membership().call() == s.branches.address
    assert meeting.quorum_schedule() == [5000]


def test_branch_meeting_counts_its_members_once(society: Society) -> None:
    s, sb = society, society.sb
    b1, b2 = s.by_branch[1], s.by_branch[2]
    m1, m2 = s.branches.meeting(1), s.branches.meeting(2)
    id1 = s.branches.convene(
        s.trustees[1], 1, branch_convocation(sb, [elect_question(s, 1, [b1[0].address])])
    )
    id2 = s.branches.convene(
        s.trustees[2], 2, branch_convocation(sb, [elect_question(s, 2, [b2[0].address])])
    )
    assert m1.meeting(id1).eligible == 4 and m2.meeting(id2).eligible == 4
    # A member of branch 1 moves to branch 2 after both were convened: the registers are fixed.
    mover = b1[3]
    s.branches.join(mover, 2)
    assert s.branches.branch(1).members == 3 and s.branches.branch(2).members == 5
    warp(sb.chain, max(m1.meeting(id1).opens_at, m2.meeting(id2).opens_at))
    m1.cast_ballot(mover, id1, [F])  # where they were at the record block
    expect_revert(lambda: m2.cast_ballot(mover, id2, [F]), "GeneralMeetingNotVoter")
    expect_revert(lambda: m1.cast_ballot(mover, id1, [A]), "GeneralMeetingAlreadyVoted")
    expect_revert(lambda: m1.cast_ballot(b2[1], id1, [F]), "GeneralMeetingNotVoter")
    expect_revert(lambda: m1.cast_ballot(sb.council[1], id1, [F]), "GeneralMeetingNotVoter")
    assert m1.meeting(id1).participants == 1


def test_society_of_three_branches_holds_a_meeting_of_delegates(
    society: Society, tmp_path: Path
) -> None:
    s, sb = society, society.sb
    gm = sb.governance.meeting
    charter = sb.cooperative.charter

    # 1. The members' general meeting adopts the meeting of delegates (3/4, a charter matter):
    # the register becomes Branches, no proxies, the law's quorum of two thirds of delegates.
    adopt = Question(
        h("charter: general meeting held as a meeting of delegates"),
        Majority.THREE_QUARTERS,
        (
            set_register_action(gm, s.branches.address, None),
            gm.set_parameters_action(gm.notice_period(), [6666]),
        ),
    )
    # Attack: the convener cannot put it to a simple or two-thirds majority (a charter matter).
    for lower in (Majority.SIMPLE, Majority.TWO_THIRDS):
        error = expect_revert(
            lambda lower=lower: convene(
                sb, [Question(adopt.document_hash, lower, adopt.actions)], label="lower"
            ),
            "GeneralMeetingMajorityTooLow",
        )
        assert tuple(error.error_args) == (0, int(Majority.THREE_QUARTERS))
    mid = convene(sb, [adopt], label="adopt delegates")
    hold(sb, gm, mid, sb.members[:9])
    gm.execute(sb.deployer, mid, 0)
    assert gm.contract.functions.membership().call() == s.branches.address
    assert int(gm.contract.functions.proxies().call(), 16) == 0

    # 2. Each branch meeting elects its two delegates (one per two members).
    delegates = {b: s.by_branch[b][1:3] for b in (1, 2, 3)}
    for b in (1, 2, 3):
        elect(s, b, delegates[b])
        assert s.branches.delegates_of(b) == [d.address for d in delegates[b]]
    assert s.branches.delegate_count() == 6

    # 3. A delegate who moves to another branch loses the branch's mandate.
    lost = delegates[3][1]
    s.branches.join(lost, 1)
    assert s.branches.delegate_count() == 5

    # 4. The meeting of delegates: a charter change needing 3/4, executed by the council.
    new_charter = h("charter, edition 2")
    question = Question(
        new_charter,
        Majority.THREE_QUARTERS,
        (Action.call(charter, "setCharterDocument", new_charter),),
    )
    mid = convene(sb, [question], label="delegates")
    info = gm.meeting(mid)
    assert (info.eligible, info.quorum_bps) == (5, 6666)
    open_voting(sb, mid)
    voters = [*delegates[1], *delegates[2]]
    for voter in voters:
        gm.cast_ballot(voter, mid, [F])
    expect_revert(lambda: gm.cast_ballot(voters[0], mid, [A]), "GeneralMeetingAlreadyVoted")
    expect_revert(lambda: gm.cast_ballot(sb.members[0], mid, [F]), "GeneralMeetingNotVoter")
    expect_revert(lambda: gm.cast_ballot(lost, mid, [F]), "GeneralMeetingNotVoter")
    # The quorum base was fixed at convening: a delegate moving now changes neither it nor who
    # votes (the remaining delegate of branch 3 still holds the mandate of the record block).
    s.branches.join(delegates[3][0], 2)
    gm.cast_ballot(delegates[3][0], mid, [A])
    end_voting(sb, mid)
    gm.close(sb.deployer, mid)
    info = gm.meeting(mid)
    assert (info.state, info.participants, info.eligible) == (MeetingState.HELD, 5, 5)
    sign_protocol(sb, mid, "delegates' protocol")
    gm.execute(sb.deployer, mid, 0)  # 4 of 5 for: at least 3/4
    assert charter.functions.charterDocument().call() == new_charter

    # 5. The mirror answers as the chain does.
    live = f"sqlite:///{tmp_path / 'live.db'}"
    make_indexer(sb.chain, live).sync_once()
    engine = make_engine(live)
    try:
        with engine.connect() as conn:
            register = conn.execute(
                sa.text(
                    "SELECT account, value FROM coop_config_event "
                    "WHERE contract = :gm AND action = 'meeting_register'"
                ),
                {"gm": gm.address},
            ).all()
            mirrored = branch_queries.list_branches(conn, s.branches.address)
            moved = branch_queries.member_branch(conn, s.branches.address, lost.address)
    finally:
        engine.dispose()
    assert [tuple(r) for r in register] == [(s.branches.address, ZERO)]
    assert mirrored.count == 3 and mirrored.delegate_count == s.branches.delegate_count() == 4
    for b in mirrored.data:
        chain_branch = s.branches.branch(b.branch_id)
        assert (b.trustee, b.members, b.meeting) == (
            chain_branch.trustee,
            chain_branch.members,
            chain_branch.meeting,
        )
        assert [d.address for d in b.delegates] == s.branches.delegates_of(b.branch_id)
        assert b.meetings_convened == 1
    assert (moved.branch_id, moved.delegate) == (1, False)
