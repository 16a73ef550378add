"""Member cooperatives are full members of their union (issue #14): each votes in the union's
meeting (one cooperative, one vote) by its own council's decision, carried out by its treasury;
the union's meeting, held by its member cooperatives, replaces the union's council; and a
cooperative leaves the union by its own general meeting's decision (its council cannot)."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.client import Cooperative, CooperativeKind, MemberStatus
from node.cooperative.deploy import NetworkAddresses, deploy_test_token
from node.cooperative.union import join_union
from node.governance import Action, Choice, Convocation, GovernanceParams, Majority, Question
from node.governance.client import Governance
from node.governance.deploy import deploy_governance
from node.governance.sandbox import (
    apply_ready,
    fund,
    generated_accounts,
    h,
    now,
    sandbox_cooperative,
    warp,
)
from tests.governance.conftest import DAY, expect_revert

E18 = 10**18
F = Choice.FOR


def _meeting_decides(
    gov: Governance,
    council: list[LocalAccount],
    chair: LocalAccount,
    secretary: LocalAccount,
    voters: list[LocalAccount],
    relayer: LocalAccount,
    question: Question,
) -> int:
    meeting = gov.meeting
    opens = now(gov.chain) + meeting.notice_period() + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + 7 * DAY,
        secretary=secretary.address,
        questions=(question,),
    )
    meeting_id = gov.convene(council[0], council[:2], chair, convocation, h(f"convene {opens}"))
    warp(gov.chain, opens)
    for voter in voters:
        meeting.cast_ballot(voter, meeting_id, [F])
    warp(gov.chain, opens + 7 * DAY)
    meeting.close(relayer, meeting_id)
    meeting.sign_protocol(secretary, meeting_id, h(f"protocol {meeting_id}"))
    meeting.sign_protocol(chair, meeting_id, h(f"protocol {meeting_id}"))
    meeting.execute(relayer, meeting_id, 0)
    return meeting_id


def test_a_union_of_three_cooperatives_replaces_its_council_and_one_leaves(
    chain: Chain,
    accounts: list[LocalAccount],
    gov_network: NetworkAddresses,
    gov_installer: str,
) -> None:
    deployer = accounts[0]
    coop_council = [accounts[1], accounts[2], accounts[3]]
    union_council = [accounts[5], accounts[6], accounts[7]]
    union_chair, union_secretary = accounts[5], accounts[8]
    params = GovernanceParams(notice_period=DAY, installer=gov_installer)
    token = deploy_test_token(chain, deployer)
    chain.transact(
        chain.contract("TestToken", token).functions.mint(deployer.address, 10**24), deployer
    )
    union = sandbox_cooperative(
        chain,
        deployer,
        gov_network.factory,
        token,
        "Союз «Три реки»",
        CooperativeKind.UNION,
        union_chair,
        union_council,
        organisation_fees=(100 * E18, 500 * E18),
    )

    members: list[tuple[Cooperative, Governance, list[LocalAccount]]] = []
    for i, name in enumerate(("«Ока»", "«Кама»", "«Вятка»")):
        coop = sandbox_cooperative(
            chain,
            deployer,
            gov_network.factory,
            token,
            f"Кооператив {name}",
            CooperativeKind.CONSUMER,
            coop_council[0],
            coop_council,
        )
        people = generated_accounts(3, f"union member coop {i}")
        fund(chain, [p.address for p in people])
        for person in people:
            apply_ready(coop, coop_council[0], deployer, person, f"coop {i}")
            coop.admit(deployer, person.address, h(f"admission {person.address}"))
        coop.approve_treasury(deployer)
        coop.receive_income(deployer, 10_000 * E18, h(f"sales {i}"))
        # Joining happens while the founders' key is still the executor (before governance):
        # from then on it would be the cooperative's general meeting's decision.
        join_union(coop, union, deployer, coop_council[0], union_chair)
        record = deploy_governance(
            chain, deployer, coop.addresses.to_dict(), [a.address for a in coop_council], params
        )
        members.append(
            (coop, Governance(chain, record["council"], record["general_meeting"]), people)
        )
    treasuries = [coop.addresses.treasury for coop, _, _ in members]
    assert all(union.status(t) is MemberStatus.MEMBER for t in treasuries)
    union_record = deploy_governance(
        chain, deployer, union.addresses.to_dict(), [a.address for a in union_council], params
    )
    union_gov = Governance(chain, union_record["council"], union_record["general_meeting"])

    # The union's meeting: replace its council. Each member cooperative votes by its own
    # council's decision, carried out by its treasury (the union's member).
    new_council = [accounts[7].address, accounts[8].address, accounts[9].address]
    opens = now(chain) + union_gov.meeting.notice_period() + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + 7 * DAY,
        secretary=union_secretary.address,
        questions=(
            Question(
                h("new union council"),
                Majority.SIMPLE,
                (union_gov.council.set_council_action(new_council),),
            ),
        ),
    )
    meeting_id = union_gov.convene(
        union_council[0], union_council[:2], union_chair, convocation, h("convene the union")
    )
    assert union_gov.meeting.meeting(meeting_id).eligible == 3
    warp(chain, opens)
    # Nobody but the cooperative's decision makes its treasury vote.
    coop0 = members[0][0]
    expect_revert(
        lambda: chain.transact(
            coop0.treasury.functions.voteInUnion(meeting_id, [int(F)]), coop_council[0]
        ),
        "TreasuryNotDecisionExecutor",
    )
    for i, (coop, gov, _) in enumerate(members):
        vote = Action.call(coop.treasury, "voteInUnion", meeting_id, [int(F)])
        gov.council.decide(
            coop_council[0], coop_council[:2], coop_council[0], h(f"vote in union {i}"), [vote]
        )
    assert union_gov.meeting.meeting(meeting_id).participants == 3
    assert all(union_gov.meeting.has_voted(meeting_id, t) for t in treasuries)
    warp(chain, opens + 7 * DAY)
    union_gov.meeting.close(deployer, meeting_id)
    assert union_gov.meeting.meeting(meeting_id).accepted(0)
    union_gov.meeting.sign_protocol(union_secretary, meeting_id, h("union protocol"))
    union_gov.meeting.sign_protocol(union_chair, meeting_id, h("union protocol"))
    union_gov.meeting.execute(deployer, meeting_id, 0)
    assert union_gov.council.members() == new_council

    # Leaving the union is the cooperative's general meeting's decision, not its council's.
    coop, gov, people = members[0]
    leave = Action.call(coop.treasury, "leaveUnion", h("we leave the union"))
    expect_revert(
        lambda: gov.council.propose(coop_council[0], h("leave by council"), [leave]),
        "CouncilActionReservedToMeeting",
    )
    _meeting_decides(
        gov,
        coop_council,
        coop_council[0],
        people[0],
        people,
        deployer,
        Question(h("leave the union"), Majority.SIMPLE, (leave,)),
    )
    assert union.status(coop.addresses.treasury) is MemberStatus.EXITING
    # The union's (new) council decides the exit.
    exit_action = Action.call(union.membership, "exit", coop.addresses.treasury, h("exit decision"))
    union_gov.council.decide(
        accounts[7], [accounts[7], accounts[8]], union_chair, h("exit decision"), [exit_action]
    )
    assert union.status(coop.addresses.treasury) is MemberStatus.EXITED
    assert union.status(members[1][0].addresses.treasury) is MemberStatus.MEMBER
