"""The general meeting: convened by a council decision after the notice period, voters fixed at
the record block, one ballot each (direct or signed), quorum compared strictly, majorities at
their edges, reconvening down the quorum schedule, protocol signed by secretary and chair,
accepted questions executed once with the council's authority."""

from __future__ import annotations

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.cooperative.client import MemberStatus
from node.governance import (
    Action,
    Choice,
    Convocation,
    ItemState,
    Majority,
    MeetingState,
    Question,
    SignedBallot,
    VoteType,
    ballot_digest,
    ballot_domain,
    ballot_typed_data,
    sign_ballot,
)
from node.governance.sandbox import Sandbox, fund, generated_accounts, h, now, warp
from tests.governance.conftest import (
    DAY,
    VOTING,
    convene,
    end_voting,
    expect_revert,
    open_voting,
    sign_protocol,
)

F, A, X = Choice.FOR, Choice.AGAINST, Choice.ABSTAIN


def vote(sb: Sandbox, meeting_id: int, voters: list[LocalAccount], choices: list[Choice]) -> None:
    for voter in voters:
        sb.governance.meeting.cast_ballot(voter, meeting_id, choices)


def test_convening_needs_a_council_decision_and_the_notice_period(coop: Sandbox) -> None:
    meeting = coop.governance.meeting
    assert meeting.notice_period() == 15 * DAY
    start = now(coop.chain)
    too_soon = Convocation(
        opens_at=start + 15 * DAY - 100,
        closes_at=start + 20 * DAY,
        secretary=coop.secretary.address,
        questions=(Question(h("q")),),
    )
    expect_revert(
        lambda: coop.governance.convene(
            coop.council[0], coop.council[:2], coop.chair, too_soon, h("too soon")
        ),
        "GeneralMeetingInvalidSchedule",
    )
    # Convening directly (not as a council decision) is refused.
    ok = Convocation(
        opens_at=start + 16 * DAY,
        closes_at=start + 20 * DAY,
        secretary=coop.secretary.address,
        questions=(Question(h("q")),),
    )
    expect_revert(
        lambda: coop.chain.transact(meeting.contract.functions.convene(ok.as_abi()), coop.chair),
        "GeneralMeetingNotCouncil",
    )
    # The secretary cannot also preside: the protocol needs two signers.
    same = Convocation(
        opens_at=start + 16 * DAY,
        closes_at=start + 20 * DAY,
        secretary=coop.chair.address,
        questions=(Question(h("q")),),
    )
    expect_revert(
        lambda: coop.governance.convene(
            coop.council[0], coop.council[:2], coop.chair, same, h("same signer")
        ),
        "GeneralMeetingSecretaryIsChair",
    )
    assert meeting.contract.functions.meetingCount().call() == 0

    meeting_id = convene(coop, [Question(h("q"))])
    info = meeting.meeting(meeting_id)
    assert info.state is MeetingState.SCHEDULED
    assert info.quorum_bps == 5000 and info.attempt == 0
    assert info.record_block > 0


def test_quorum_is_more_than_the_threshold(coop: Sandbox) -> None:
    meeting = coop.governance.meeting
    exactly_half = convene(coop, [Question(h("q"))], label="6 of 12")
    more_than_half = convene(coop, [Question(h("q"))], label="7 of 12")
    open_voting(coop, more_than_half)
    vote(coop, exactly_half, coop.members[:6], [F])
    vote(coop, more_than_half, coop.members[:7], [F])
    end_voting(coop, more_than_half)
    meeting.close(coop.deployer, exactly_half)
    meeting.close(coop.deployer, more_than_half)

    missed = meeting.meeting(exactly_half)
    assert (missed.state, missed.participants, missed.eligible) == (
        MeetingState.QUORUM_MISSED,
        6,
        12,
    )
    assert missed.accepted_mask == 0  # nothing is accepted without quorum
    held = meeting.meeting(more_than_half)
    assert (held.state, held.participants, held.accepted_mask) == (MeetingState.HELD, 7, 1)


def test_each_majority_at_its_edge(coop: Sandbox) -> None:
    """12 voters. Simple: 6 for fails (half), 7 passes. 2/3: 7 fails, 8 passes (exactly 2/3).
    3/4: 8 fails, 9 passes (exactly 3/4). Abstentions count among those voting."""
    meeting = coop.governance.meeting
    majorities = [
        Majority.SIMPLE,
        Majority.SIMPLE,
        Majority.TWO_THIRDS,
        Majority.TWO_THIRDS,
        Majority.THREE_QUARTERS,
        Majority.THREE_QUARTERS,
    ]
    needed = [6, 7, 7, 8, 8, 9]
    meeting_id = convene(coop, [Question(h(f"q{i}"), m) for i, m in enumerate(majorities)])
    open_voting(coop, meeting_id)
    for v, voter in enumerate(coop.members):
        other = A if v % 2 else X
        meeting.cast_ballot(voter, meeting_id, [F if v < n else other for n in needed])
    end_voting(coop, meeting_id)
    meeting.close(coop.deployer, meeting_id)

    info = meeting.meeting(meeting_id)
    assert info.state is MeetingState.HELD
    assert [info.accepted(i) for i in range(6)] == [False, True, False, True, False, True]
    q = meeting.question(meeting_id, 5)
    assert q.for_votes == 9 and q.for_votes + q.against_votes + q.abstain_votes == 12
    assert q.majority is Majority.THREE_QUARTERS


def test_voters_are_the_members_at_the_record_block(coop: Sandbox) -> None:
    meeting, council = coop.governance.meeting, coop.governance.council
    meeting_id = convene(coop, [Question(h("q"))])
    (late,) = generated_accounts(1, "joins after the record block")
    fund(coop.chain, [late.address])
    coop.applicant(late, "late")
    admit = Action.call(coop.cooperative.membership, "admit", late.address, h("late admission"))
    council.decide(coop.council[0], coop.council[:2], coop.chair, h("admit late"), [admit])
    assert coop.cooperative.status(late.address) is MemberStatus.MEMBER

    open_voting(coop, meeting_id)
    expect_revert(lambda: meeting.cast_ballot(late, meeting_id, [F]), "GeneralMeetingNotVoter")
    expect_revert(
        lambda: meeting.cast_ballot(coop.chair, meeting_id, [F]), "GeneralMeetingNotVoter"
    )
    assert meeting.meeting(meeting_id).participants == 0
    meeting.cast_ballot(coop.members[0], meeting_id, [F])
    assert meeting.meeting(meeting_id).participants == 1


def test_ballots_only_inside_the_window(coop: Sandbox) -> None:
    meeting = coop.governance.meeting
    meeting_id = convene(coop, [Question(h("q"))])
    info = meeting.meeting(meeting_id)
    voter = coop.members[0]
    expect_revert(lambda: meeting.cast_ballot(voter, meeting_id, [F]), "GeneralMeetingNotOpen")
    signed = meeting.sign_ballot(coop.members[1], meeting_id, [F])
    expect_revert(
        lambda: meeting.cast_ballot_by_sig(coop.deployer, signed), "GeneralMeetingNotOpen"
    )
    expect_revert(
        lambda: meeting.cast_ballots_by_sig(coop.deployer, meeting_id, [signed]),
        "GeneralMeetingNotOpen",
    )
    expect_revert(lambda: meeting.close(coop.deployer, meeting_id), "GeneralMeetingUnexpectedState")
    warp(coop.chain, info.opens_at)
    meeting.cast_ballot(voter, meeting_id, [F])
    warp(coop.chain, info.closes_at)
    assert meeting.state(meeting_id) is MeetingState.ENDED
    expect_revert(
        lambda: meeting.cast_ballot(coop.members[2], meeting_id, [F]), "GeneralMeetingNotOpen"
    )
    expect_revert(
        lambda: meeting.cast_ballot_by_sig(coop.deployer, signed), "GeneralMeetingNotOpen"
    )
    assert meeting.meeting(meeting_id).participants == 1


def test_double_votes_replays_and_foreign_signatures_are_refused(
    chain: Chain, coop: Sandbox
) -> None:
    meeting = coop.governance.meeting
    meeting_id = convene(coop, [Question(h("q1")), Question(h("q2"))])
    open_voting(coop, meeting_id)
    alice, bob, carol = coop.members[:3]

    meeting.cast_ballot(alice, meeting_id, [F, A])
    expect_revert(
        lambda: meeting.cast_ballot(alice, meeting_id, [A, A]), "GeneralMeetingAlreadyVoted"
    )
    signed_by_alice = meeting.sign_ballot(alice, meeting_id, [A, A])
    expect_revert(
        lambda: meeting.cast_ballot_by_sig(coop.deployer, signed_by_alice),
        "GeneralMeetingAlreadyVoted",
    )

    signed = meeting.sign_ballot(bob, meeting_id, [F, F])
    meeting.cast_ballot_by_sig(coop.deployer, signed)
    expect_revert(  # the same signature again: a replay
        lambda: meeting.cast_ballot_by_sig(coop.members[5], signed), "GeneralMeetingAlreadyVoted"
    )
    expect_revert(
        lambda: meeting.cast_ballot(bob, meeting_id, [A, A]), "GeneralMeetingAlreadyVoted"
    )

    other_chain = sign_ballot(carol, ballot_domain(1, meeting.address), meeting_id, [F, F])
    other_contract = sign_ballot(
        carol, ballot_domain(chain.chain_id, coop.governance.council.address), meeting_id, [F, F]
    )
    other_meeting = meeting.sign_ballot(carol, meeting_id + 1, [F, F])
    tampered = meeting.sign_ballot(carol, meeting_id, [A, A])
    tampered = type(tampered)(meeting_id, carol.address, (F, F), tampered.signature)
    impostor = meeting.sign_ballot(coop.members[7], meeting_id, [F, F])
    impostor = type(impostor)(meeting_id, carol.address, (F, F), impostor.signature)
    for bad in (other_chain, other_contract, tampered, impostor):
        expect_revert(
            lambda bad=bad: meeting.cast_ballot_by_sig(coop.deployer, bad),
            "GeneralMeetingInvalidSignature",
        )
    wrong_meeting = type(other_meeting)(meeting_id, carol.address, (F, F), other_meeting.signature)
    expect_revert(
        lambda: meeting.cast_ballot_by_sig(coop.deployer, wrong_meeting),
        "GeneralMeetingInvalidSignature",
    )
    expect_revert(
        lambda: meeting.cast_ballot(carol, meeting_id, [F]), "GeneralMeetingInvalidChoices"
    )
    expect_revert(
        lambda: meeting.cast_ballot(carol, meeting_id, [F, 3]), "GeneralMeetingInvalidChoices"
    )

    assert meeting.meeting(meeting_id).participants == 2
    q1, q2 = meeting.question(meeting_id, 0), meeting.question(meeting_id, 1)
    assert (q1.for_votes, q1.against_votes, q2.for_votes, q2.against_votes) == (2, 0, 1, 1)
    assert not meeting.has_voted(meeting_id, carol.address)

    # The wallet payload is what the contract verifies.
    payload = meeting.ballot_typed_data(meeting_id, carol.address, [F, X])
    assert payload["primaryType"] == "Ballot"
    assert payload["domain"]["verifyingContract"] == meeting.address
    digest = meeting.contract.functions.ballotDigest(meeting_id, carol.address, [1, 2]).call()
    assert ballot_digest(payload["domain"], meeting_id, carol.address, [F, X]) == digest


def test_a_batch_skips_invalid_ballots_and_names_the_reason(coop: Sandbox) -> None:
    meeting = coop.governance.meeting
    meeting_id = convene(coop, [Question(h("q"))])
    open_voting(coop, meeting_id)
    m = coop.members
    meeting.cast_ballot(m[0], meeting_id, [F])
    good = [meeting.sign_ballot(v, meeting_id, [F]) for v in m[1:4]]
    already = meeting.sign_ballot(m[0], meeting_id, [A])
    duplicate = good[0]
    (outsider,) = generated_accounts(1, "outsider")
    not_member = meeting.sign_ballot(outsider, meeting_id, [A])
    bad_sig = meeting.sign_ballot(m[4], meeting_id, [A])
    bad_sig = type(bad_sig)(meeting_id, m[4].address, (F,), bad_sig.signature)
    bad_choices = meeting.sign_ballot(m[5], meeting_id, [A, A])
    batch = [*good, already, duplicate, not_member, bad_sig, bad_choices]

    result = meeting.cast_ballots_by_sig(coop.deployer, meeting_id, batch)
    assert result.accepted == [b.voter for b in good]
    assert result.rejected == [
        (m[0].address, "GeneralMeetingAlreadyVoted"),
        (m[1].address, "GeneralMeetingAlreadyVoted"),
        (outsider.address, "GeneralMeetingNotVoter"),
        (m[4].address, "GeneralMeetingInvalidSignature"),
        (m[5].address, "GeneralMeetingInvalidChoices"),
    ]
    assert meeting.meeting(meeting_id).participants == 4
    assert meeting.question(meeting_id, 0).for_votes == 4

    fn = meeting.contract.functions.castBallotsBySig(
        meeting_id, [b.as_abi() for b in good], [good[0].signature]
    )
    expect_revert(
        lambda: coop.chain.transact(fn, coop.deployer), "GeneralMeetingBatchLengthMismatch"
    )


def test_protocol_signatures_then_each_accepted_question_runs_once(coop: Sandbox) -> None:
    meeting, council = coop.governance.meeting, coop.governance.council
    charter = coop.cooperative.charter
    new_document = h("charter, second edition")
    amend = (Action.call(charter, "setCharterDocument", new_document),)
    params = (meeting.set_parameters_action(10 * DAY, [6000, 3000]),)
    expiry = (council.set_item_expiry_action(14 * DAY),)
    questions = [
        Question(h("amend the charter"), Majority.THREE_QUARTERS, amend),
        Question(h("meeting rules"), Majority.TWO_THIRDS, params),
        Question(h("shorter council items"), Majority.SIMPLE, expiry),
        Question(h("rejected proposal"), Majority.THREE_QUARTERS, amend),
    ]
    meeting_id = convene(coop, questions)
    open_voting(coop, meeting_id)
    vote(coop, meeting_id, coop.members[:9], [F, F, F, A])
    expect_revert(lambda: meeting.close(coop.deployer, meeting_id), "GeneralMeetingUnexpectedState")
    end_voting(coop, meeting_id)
    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 0), "GeneralMeetingUnexpectedState"
    )
    meeting.close(coop.deployer, meeting_id)
    assert meeting.meeting(meeting_id).accepted_mask == 0b0111

    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 0), "GeneralMeetingProtocolNotSigned"
    )
    expect_revert(
        lambda: meeting.sign_protocol(coop.members[0], meeting_id, h("protocol")),
        "GeneralMeetingNotSigner",
    )
    meeting.sign_protocol(coop.secretary, meeting_id, h("protocol"))
    expect_revert(
        lambda: meeting.sign_protocol(coop.secretary, meeting_id, h("protocol")),
        "GeneralMeetingNotSigner",
    )
    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 0), "GeneralMeetingProtocolNotSigned"
    )
    expect_revert(
        lambda: meeting.sign_protocol(coop.chair, meeting_id, h("another protocol")),
        "GeneralMeetingProtocolMismatch",
    )
    meeting.sign_protocol(coop.chair, meeting_id, h("protocol"))
    info = meeting.meeting(meeting_id)
    assert info.secretary_signed and info.chair_signed and info.protocol_hash == h("protocol")

    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 3), "GeneralMeetingQuestionNotAccepted"
    )
    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 0, list(params)),
        "GeneralMeetingActionsNotOnAgenda",
    )
    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 9), "GeneralMeetingUnknownQuestion"
    )
    assert charter.functions.charterDocument().call() != new_document

    for index in range(3):
        meeting.execute(coop.members[11], meeting_id, index)  # anyone executes
    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 0), "GeneralMeetingAlreadyExecuted"
    )
    assert charter.functions.charterDocument().call() == new_document
    assert meeting.notice_period() == 10 * DAY and meeting.quorum_schedule() == [6000, 3000]
    assert council.item_expiry() == 14 * DAY
    assert meeting.meeting(meeting_id).executed_mask == 0b0111
    assert charter.functions.decisionExecutor().call() == council.address
    assert council.state(1) is ItemState.EXECUTED  # the convening decision


def test_meeting_elects_a_council_which_then_admits_a_member(
    accounts: list[LocalAccount], coop: Sandbox
) -> None:
    meeting, council = coop.governance.meeting, coop.governance.council
    new_council = [accounts[5], accounts[6], accounts[7], accounts[8]]
    elect = council.set_council_action([a.address for a in new_council])
    meeting_id = convene(coop, [Question(h("election of the council"), actions=(elect,))])
    # An item of the old council, pending when the new one is seated, lapses.
    stale, _ = council.propose(coop.council[0], h("old business"))
    open_voting(coop, meeting_id)
    vote(coop, meeting_id, coop.members[:8], [F])
    end_voting(coop, meeting_id)
    meeting.close(coop.deployer, meeting_id)
    sign_protocol(coop, meeting_id)
    meeting.execute(coop.deployer, meeting_id, 0)

    assert council.members() == [a.address for a in new_council]
    assert council.epoch() == 2
    assert council.state(stale) is ItemState.EXPIRED
    expect_revert(lambda: council.vote(new_council[0], stale, VoteType.FOR), "CouncilItemExpired")
    expect_revert(lambda: council.propose(coop.council[1], h("x")), "CouncilNotMember")

    (person,) = generated_accounts(1, "admitted by the new council")
    fund(coop.chain, [person.address])
    coop.applicant(person, "new council")
    admit = Action.call(coop.cooperative.membership, "admit", person.address, h("admission"))
    item_id, _ = council.propose(new_council[0], h("application"), [admit])
    council.vote(new_council[0], item_id, VoteType.FOR)
    council.vote(new_council[1], item_id, VoteType.FOR)
    assert council.state(item_id) is ItemState.PENDING  # 2 of 4 is exactly half: not enough
    expect_revert(lambda: council.vote(coop.council[1], item_id, VoteType.FOR), "CouncilNotMember")
    council.vote(new_council[2], item_id, VoteType.FOR)
    assert council.state(item_id) is ItemState.PASSED
    council.sign_protocol(coop.chair, item_id, h("protocol"))
    council.execute(new_council[3], item_id)
    assert coop.cooperative.status(person.address) is MemberStatus.MEMBER


def test_reconvening_follows_the_quorum_schedule(scheduled_coop: Sandbox) -> None:
    sb = scheduled_coop
    meeting = sb.governance.meeting
    questions = [
        Question(h("budget"), actions=(sb.governance.council.set_item_expiry_action(DAY),))
    ]
    first = convene(sb, questions)
    assert meeting.meeting(first).quorum_bps == 7500
    open_voting(sb, first)
    vote(sb, first, sb.members[:9], [F])  # 9 of 12 is exactly 75%: not more
    end_voting(sb, first)
    expect_revert(  # reconvening needs a meeting that missed its quorum
        lambda: sb.governance.council.decide(
            sb.council[0],
            sb.council[:2],
            sb.chair,
            h("too early"),
            [
                meeting.reconvene_action(
                    first, now(sb.chain) + 16 * DAY, now(sb.chain) + 20 * DAY, sb.secretary.address
                )
            ],
        ),
        "GeneralMeetingUnexpectedState",
    )
    meeting.close(sb.deployer, first)
    assert meeting.state(first) is MeetingState.QUORUM_MISSED

    def reconvene(previous: int, label: str) -> int:
        opens = now(sb.chain) + meeting.notice_period() + 60
        action = meeting.reconvene_action(previous, opens, opens + VOTING, sb.secretary.address)
        item_id, _ = sb.governance.council.propose(sb.council[0], h(label), [action])
        for member in sb.council[:2]:
            sb.governance.council.vote(member, item_id, VoteType.FOR)
        sb.governance.council.sign_protocol(sb.chair, item_id, h(label))
        sent = sb.governance.council.execute(sb.chair, item_id, [action])
        return meeting.convened_id(sb.chain, meeting.address, sent)

    second = reconvene(first, "second convocation")
    info = meeting.meeting(second)
    assert (info.attempt, info.quorum_bps, info.previous_meeting_id) == (1, 5000, first)
    assert meeting.state(first) is MeetingState.RECONVENED
    assert meeting.question(second, 0).document_hash == h("budget")
    open_voting(sb, second)
    vote(sb, second, sb.members[:6], [F])  # 6 of 12 is exactly 50%: not more
    end_voting(sb, second)
    meeting.close(sb.deployer, second)
    assert meeting.state(second) is MeetingState.QUORUM_MISSED

    third = reconvene(second, "third convocation")
    assert meeting.meeting(third).quorum_bps == 2500
    open_voting(sb, third)
    vote(sb, third, sb.members[:4], [F])  # 4 of 12 is more than 25%
    end_voting(sb, third)
    meeting.close(sb.deployer, third)
    assert meeting.state(third) is MeetingState.HELD
    sign_protocol(sb, third)
    meeting.execute(sb.deployer, third, 0)  # the actions come from the first convocation
    assert sb.governance.council.item_expiry() == DAY


def test_a_member_organisation_votes_through_its_representatives_contract_wallet(
    accounts: list[LocalAccount], coop: Sandbox
) -> None:
    """A member cooperative's address is a contract wallet (ERC-1271); its representative signs."""
    chain, meeting, council = coop.chain, coop.governance.meeting, coop.governance.council
    representative = accounts[9]
    wallet, _ = chain.deploy("TestContractWallet", representative.address, sender=representative)
    membership = coop.cooperative.membership
    apply = membership.encode_abi("applyToJoin", args=[1, h("org identity"), h("org application")])
    chain.transact(wallet.functions.execute(membership.address, apply), representative)
    coop.cooperative.attest_identity(coop.chair, wallet.address, h("org check"))
    coop.cooperative.attest_payment(coop.deployer, wallet.address, h("org payment"))
    admit = Action.call(membership, "admit", wallet.address, h("org admission"))
    council.decide(coop.council[0], coop.council[:2], coop.chair, h("admit org"), [admit])

    meeting_id = convene(coop, [Question(h("union question"))])
    open_voting(coop, meeting_id)
    data = ballot_typed_data(meeting.domain(), meeting_id, wallet.address, [F])
    signature = representative.sign_message(encode_typed_data(full_message=data)).signature
    ballot = SignedBallot(meeting_id, wallet.address, (F,), bytes(signature))
    forged = meeting.sign_ballot(coop.members[0], meeting_id, [F])
    forged = SignedBallot(meeting_id, wallet.address, (F,), forged.signature)
    result = meeting.cast_ballots_by_sig(coop.deployer, meeting_id, [forged, ballot])
    assert result.rejected == [(wallet.address, "GeneralMeetingInvalidSignature")]
    assert result.accepted == [wallet.address]
    assert meeting.meeting(meeting_id).participants == 1


def test_a_recovered_membership_votes_once_whatever_its_address(coop: Sandbox) -> None:
    """The has-voted bit belongs to the membership (its member index), not to an address."""
    meeting, council = coop.governance.meeting, coop.governance.council
    membership = coop.cooperative.membership.functions
    old, voted_then_recovered = coop.members[3], coop.members[4]
    new_key, newer_key = generated_accounts(2, "recovered key")
    fund(coop.chain, [new_key.address, newer_key.address])
    index = membership.memberIndexOf(old.address).call()
    meeting_id = convene(coop, [Question(h("q"))], label="recovery")
    open_voting(coop, meeting_id)

    # Voted, then recovered after the record block: neither address votes again.
    meeting.cast_ballot(voted_then_recovered, meeting_id, [F])
    recover = Action.call(
        coop.cooperative.membership,
        "recoverMembership",
        voted_then_recovered.address,
        newer_key.address,
        h("recovery after voting"),
    )
    council.decide(coop.council[0], coop.council[:2], coop.chair, h("recover 4"), [recover])
    assert meeting.has_voted(meeting_id, newer_key.address)
    expect_revert(
        lambda: meeting.cast_ballot(newer_key, meeting_id, [A]), "GeneralMeetingAlreadyVoted"
    )
    expect_revert(
        lambda: meeting.cast_ballot(voted_then_recovered, meeting_id, [A]),
        "GeneralMeetingNotVoter",
    )

    # Recovered after the record block, before voting (the key was lost or stolen): the
    # membership votes with its new key; the old key, whoever holds it now, has no vote.
    recover = Action.call(
        coop.cooperative.membership, "recoverMembership", old.address, new_key.address, h("r3")
    )
    council.decide(coop.council[0], coop.council[:2], coop.chair, h("recover 3"), [recover])
    assert membership.memberIndexOf(new_key.address).call() == index
    assert membership.memberIndexOf(old.address).call() == 0
    expect_revert(lambda: meeting.cast_ballot(old, meeting_id, [F]), "GeneralMeetingNotVoter")
    stolen = meeting.sign_ballot(old, meeting_id, [A])
    expect_revert(
        lambda: meeting.cast_ballot_by_sig(coop.deployer, stolen), "GeneralMeetingNotVoter"
    )
    assert not meeting.has_voted(meeting_id, new_key.address)
    signed = meeting.sign_ballot(new_key, meeting_id, [F])
    result = meeting.cast_ballots_by_sig(coop.deployer, meeting_id, [stolen, signed, signed])
    assert len(result.accepted) == 1
    assert [name for _, name in result.rejected] == [
        "GeneralMeetingNotVoter",
        "GeneralMeetingAlreadyVoted",
    ]
    assert meeting.has_voted(meeting_id, new_key.address)
    assert meeting.has_index_voted(meeting_id, index)
    assert not meeting.has_index_voted(meeting_id, 0)
    assert meeting.meeting(meeting_id).participants == 2

    # A meeting whose record block follows the recovery: the new key votes, the old does not.
    later_id = convene(coop, [Question(h("q2"))], label="after recovery")
    open_voting(coop, later_id)
    expect_revert(lambda: meeting.cast_ballot(old, later_id, [F]), "GeneralMeetingNotVoter")
    meeting.cast_ballot(new_key, later_id, [F])
    expect_revert(lambda: meeting.cast_ballot(new_key, later_id, [F]), "GeneralMeetingAlreadyVoted")
    assert meeting.has_voted(later_id, new_key.address)
    assert meeting.meeting(later_id).participants == 1
