"""The council: items pass when votes for exceed half of ALL members, the chair signs the
protocol, anyone executes once; expiry; bad input reverts by name and changes nothing; no single
key (chair, one council member, the former executor) can act alone."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.client import MemberStatus
from node.governance import Action, ItemState, VoteType
from node.governance._utils import events
from node.governance.sandbox import Sandbox, fund, generated_accounts, h, warp
from tests.governance.conftest import DAY, expect_revert


def applicant(sb: Sandbox, label: str) -> LocalAccount:
    (account,) = generated_accounts(1, label)
    fund(sb.chain, [account.address])
    sb.applicant(account, label)
    return account


def admit_action(sb: Sandbox, account: str, label: str = "admission") -> Action:
    return Action.call(sb.cooperative.membership, "admit", account, h(f"{label} {account}"))


def test_application_council_decision_admitted(coop: Sandbox) -> None:
    council, chair = coop.governance.council, coop.chair
    person = applicant(coop, "council path")
    assert coop.cooperative.status(person.address) is MemberStatus.APPLICANT
    actions = [admit_action(coop, person.address)]

    item_id, sent = council.propose(coop.council[1], h("application of the person"), actions)
    (event,) = events(council.contract, "CouncilItemProposed", sent.receipt)
    assert event["args"]["proposer"] == coop.council[1].address
    assert council.actions_of(item_id) == actions

    council.vote(coop.council[0], item_id, VoteType.FOR)
    assert council.state(item_id) is ItemState.PENDING  # 1 of 3 is not more than half
    sent = council.vote(coop.council[2], item_id, VoteType.FOR)
    assert events(council.contract, "CouncilItemPassed", sent.receipt)
    assert council.state(item_id) is ItemState.PASSED
    # A third vote after passing is refused: the item is no longer pending.
    expect_revert(
        lambda: council.vote(coop.council[1], item_id, VoteType.FOR), "CouncilUnexpectedState"
    )

    council.sign_protocol(chair, item_id, h("protocol 1"))
    assert council.item(item_id).protocol_hash == h("protocol 1")
    outsider = coop.members[5]  # anyone may execute a signed decision
    council.execute(outsider, item_id)
    assert council.state(item_id) is ItemState.EXECUTED
    assert coop.cooperative.status(person.address) is MemberStatus.MEMBER


def test_rejected_when_it_can_no_longer_pass(coop: Sandbox) -> None:
    council = coop.governance.council
    item_id, _ = council.propose(coop.council[0], h("a loan"))
    council.vote(coop.council[0], item_id, VoteType.FOR)
    council.vote(coop.council[1], item_id, VoteType.ABSTAIN)
    assert council.state(item_id) is ItemState.PENDING  # 2 for would still pass
    council.vote(coop.council[2], item_id, VoteType.AGAINST)
    info = council.item(item_id)
    assert info.state is ItemState.REJECTED
    assert (info.for_votes, info.against_votes, info.abstain_votes) == (1, 1, 1)
    expect_revert(
        lambda: council.sign_protocol(coop.chair, item_id, h("p")), "CouncilUnexpectedState"
    )


def test_expiry_closes_votes_and_signature(chain: Chain, coop: Sandbox) -> None:
    council = coop.governance.council
    assert council.item_expiry() == 30 * DAY
    pending, _ = council.propose(coop.council[0], h("undecided"))
    passed, _ = council.propose(coop.council[0], h("decided, never signed"))
    council.vote(coop.council[0], passed, VoteType.FOR)
    council.vote(coop.council[1], passed, VoteType.FOR)
    council.vote(coop.council[0], pending, VoteType.FOR)
    expires = council.item(pending).expires_at
    # Proposed in the next block, `passed` may expire a second or more later.
    passed_expires = council.item(passed).expires_at
    assert passed_expires >= expires

    warp(chain, expires - 10)
    assert council.state(pending) is ItemState.PENDING
    warp(chain, expires)
    assert council.state(pending) is ItemState.EXPIRED
    if passed_expires > expires:
        warp(chain, passed_expires)
    assert council.state(passed) is ItemState.EXPIRED
    expect_revert(
        lambda: council.vote(coop.council[1], pending, VoteType.FOR), "CouncilItemExpired"
    )
    expect_revert(
        lambda: council.sign_protocol(coop.chair, passed, h("late")), "CouncilItemExpired"
    )
    expect_revert(lambda: council.execute(coop.chair, passed, []), "CouncilUnexpectedState")
    assert council.item(pending).for_votes == 1


def test_bad_input_reverts_by_name_and_changes_nothing(coop: Sandbox) -> None:
    council, chair = coop.governance.council, coop.chair
    stranger = coop.members[0]  # a member of the cooperative, not of the council
    person = applicant(coop, "bad input")
    actions = [admit_action(coop, person.address)]

    expect_revert(lambda: council.propose(stranger, h("x"), actions), "CouncilNotMember")
    expect_revert(lambda: council.propose(coop.council[0], b"\0" * 32, actions), "CouncilZeroHash")
    item_id, _ = council.propose(coop.council[0], h("admit"), actions)
    before = council.item(item_id)

    expect_revert(lambda: council.vote(stranger, item_id, VoteType.FOR), "CouncilNotMember")
    expect_revert(
        lambda: council.chain.transact(
            council.contract.functions.castVote(item_id, 3), coop.council[0]
        ),
        "CouncilInvalidVoteType",
    )
    expect_revert(lambda: council.vote(coop.council[0], 999, VoteType.FOR), "CouncilUnknownItem")
    assert council.item(item_id) == before

    council.vote(coop.council[0], item_id, VoteType.FOR)
    expect_revert(
        lambda: council.vote(coop.council[0], item_id, VoteType.AGAINST), "CouncilAlreadyVoted"
    )
    assert council.item(item_id).for_votes == 1 and council.item(item_id).against_votes == 0
    assert council.has_voted(item_id, coop.council[0].address)
    assert not council.has_voted(item_id, coop.council[1].address)

    expect_revert(
        lambda: council.sign_protocol(chair, item_id, h("early")), "CouncilUnexpectedState"
    )
    council.vote(coop.council[1], item_id, VoteType.FOR)

    expect_revert(lambda: council.execute(chair, item_id, actions), "CouncilProtocolNotSigned")
    expect_revert(
        lambda: council.sign_protocol(coop.council[1], item_id, h("p")), "CouncilNotChair"
    )
    council.sign_protocol(chair, item_id, h("protocol"))
    expect_revert(
        lambda: council.sign_protocol(chair, item_id, h("again")), "CouncilUnexpectedState"
    )

    other = [admit_action(coop, coop.members[1].address, "not on the agenda")]
    expect_revert(lambda: council.execute(chair, item_id, other), "CouncilActionsNotOnAgenda")
    expect_revert(lambda: council.execute(chair, item_id, []), "CouncilActionsNotOnAgenda")
    assert council.state(item_id) is ItemState.SIGNED
    assert coop.cooperative.status(person.address) is MemberStatus.APPLICANT

    council.execute(chair, item_id, actions)
    expect_revert(lambda: council.execute(chair, item_id, actions), "CouncilAlreadyExecuted")
    assert coop.cooperative.status(person.address) is MemberStatus.MEMBER


def test_a_failing_action_reverts_the_execution_which_can_be_retried(coop: Sandbox) -> None:
    council = coop.governance.council
    (person,) = generated_accounts(1, "not yet applied")
    fund(coop.chain, [person.address])
    actions = [admit_action(coop, person.address)]
    item_id, _ = council.propose(coop.council[0], h("admit early"), actions)
    for member in coop.council[:2]:
        council.vote(member, item_id, VoteType.FOR)
    council.sign_protocol(coop.chair, item_id, h("protocol"))
    expect_revert(lambda: council.execute(coop.chair, item_id, actions), "MembershipWrongStatus")
    assert council.state(item_id) is ItemState.SIGNED
    coop.applicant(person, "late applicant")
    council.execute(coop.chair, item_id, actions)
    assert coop.cooperative.status(person.address) is MemberStatus.MEMBER


def test_no_single_key_can_act(coop: Sandbox) -> None:
    council, meeting = coop.governance.council, coop.governance.meeting
    charter, membership = coop.cooperative.charter, coop.cooperative.membership
    chain = coop.chain
    person = applicant(coop, "single key")
    assert charter.functions.decisionExecutor().call() == council.address

    # The former executor, the chair and a council member cannot call decision-gated functions.
    for key in (coop.deployer, coop.chair, coop.council[1]):
        expect_revert(
            lambda key=key: chain.transact(membership.functions.admit(person.address, h("x")), key),
            "MembershipNotDecisionExecutor",
        )
    # One vote of three does not pass; the chair cannot sign what did not pass.
    item_id, _ = council.propose(
        coop.chair, h("chair's wish"), [admit_action(coop, person.address)]
    )
    council.vote(coop.chair, item_id, VoteType.FOR)
    expect_revert(
        lambda: council.sign_protocol(coop.chair, item_id, h("p")), "CouncilUnexpectedState"
    )
    expect_revert(lambda: council.execute(coop.chair, item_id), "CouncilUnexpectedState")

    # Only the meeting contract may use the council's authority or seat a council.
    for key in (coop.chair, coop.council[1]):
        expect_revert(
            lambda key=key: chain.transact(
                council.contract.functions.executeMeetingDecision(
                    membership.address,
                    membership.encode_abi("admit", args=[person.address, h("x")]),
                    0,
                ),
                key,
            ),
            "CouncilNotGeneralMeeting",
        )
        expect_revert(
            lambda key=key: chain.transact(
                council.contract.functions.setCouncil([key.address, coop.members[0].address]), key
            ),
            "CouncilNotGeneralMeeting",
        )
        expect_revert(
            lambda key=key: chain.transact(meeting.contract.functions.setParameters(0, [100]), key),
            "GeneralMeetingNotMeetingDecision",
        )
        expect_revert(
            lambda key=key: chain.transact(
                meeting.contract.functions.reconvene(1, 0, 0, key.address, key.address), key
            ),
            "GeneralMeetingNotCouncil",
        )
    assert coop.cooperative.status(person.address) is MemberStatus.APPLICANT

    # Even a passed and signed council decision cannot seat a council, change the meeting's
    # parameters, or hand the executor role away: those are the general meeting's.
    forbidden = {
        "CouncilNotGeneralMeeting": council.set_council_action(
            [coop.council[0].address, coop.council[1].address]
        ),
        "GeneralMeetingNotMeetingDecision": meeting.set_parameters_action(0, [100]),
    }
    for error, action in forbidden.items():
        item_id, _ = council.propose(coop.council[0], h(f"overreach {error}"), [action])
        for member in coop.council[:2]:
            council.vote(member, item_id, VoteType.FOR)
        council.sign_protocol(coop.chair, item_id, h("protocol"))
        expect_revert(
            lambda item_id=item_id, action=action: council.execute(coop.chair, item_id, [action]),
            error,
        )
    # Handing the executor role away is reserved to the meeting: refused at the proposal.
    hand_over = Action.call(charter, "setDecisionExecutor", coop.chair.address)
    expect_revert(
        lambda: council.propose(coop.council[0], h("overreach executor"), [hand_over]),
        "CouncilActionReservedToMeeting",
    )
    assert charter.functions.decisionExecutor().call() == council.address
    assert council.epoch() == 1
    assert meeting.quorum_schedule() == [5000]


def test_initialisation_is_guarded(chain: Chain, coop: Sandbox) -> None:
    council = coop.governance.council
    expect_revert(
        lambda: chain.transact(
            council.contract.functions.initialize(
                coop.cooperative.addresses.charter,
                coop.deployer.address,
                [coop.deployer.address, coop.chair.address],
                1,
            ),
            coop.deployer,
        ),
        "InvalidInitialization",
    )
    implementation = coop.record["implementations"]["Council"]
    expect_revert(
        lambda: chain.transact(
            chain.contract("Council", implementation).functions.initialize(
                coop.cooperative.addresses.charter,
                coop.deployer.address,
                [coop.deployer.address, coop.chair.address],
                1,
            ),
            coop.deployer,
        ),
        "InvalidInitialization",
    )
