"""Governance integrity (issue #14): the members, not the council, hold the last word.

Each test performs an attack an officer (or a hostile member) could try on the contracts as they
stood before, and shows it refused:
- the convener chooses the register of voters (a past record block);
- a lost or stolen key still votes after the council recovered the membership to a new key;
- the council takes, as a council item, a decision only the general meeting may take (the
  charter, fees, the fund split, the chair, the executor, unhooking the mutual-aid fund,
  joining a union);
- the convener marks a charter change as a simple-majority question;
- officers freeze a held meeting's decisions by never signing its protocol;
- a council of two;
- a contract voter burns the relayer's gas in a batch of ballots.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_abi import encode
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.chain.client import Chain
from node.cooperative.client import CooperativeKind, events
from node.cooperative.deploy import NetworkAddresses, deploy_test_token
from node.governance import Action, Choice, Convocation, Majority, Question, SignedBallot
from node.governance.sandbox import (
    Sandbox,
    fund,
    generated_accounts,
    h,
    now,
    sandbox_cooperative,
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

F, A = Choice.FOR, Choice.AGAINST
ZERO = "0x0000000000000000000000000000000000000000"


def _held(sb: Sandbox, questions: Sequence[Question], *, sign: bool = True) -> int:
    """A meeting every member votes for, closed and (unless `sign` is false) signed."""
    meeting = sb.governance.meeting
    meeting_id = convene(sb, questions, label=f"held {len(questions)} {now(sb.chain)}")
    open_voting(sb, meeting_id)
    for voter in sb.members:
        meeting.cast_ballot(voter, meeting_id, [F] * len(questions))
    end_voting(sb, meeting_id)
    meeting.close(sb.deployer, meeting_id)
    if sign:
        sign_protocol(sb, meeting_id)
    return meeting_id


# -- who votes -----------------------------------------------------------------------------------


def test_the_register_is_fixed_at_convening_and_kept_when_reconvened(
    chain: Chain, scheduled_coop: Sandbox
) -> None:
    sb = scheduled_coop
    meeting, council = sb.governance.meeting, sb.governance.council
    count_before = sb.cooperative.membership.functions.activeMemberCount().call()

    # The attack of old: a convocation naming a past record block (the founders' register).
    # The function that took a record block is gone: the council item that tries it fails.
    opens = now(chain) + meeting.notice_period() + 60
    question = (h("dispose of the warehouse"), 0, [], [])
    old_convene = keccak(
        text="convene((uint40,uint40,uint48,address,address,(bytes32,uint8,address[],bytes[])[]))"
    )[:4] + encode(
        ["(uint40,uint40,uint48,address,address,(bytes32,uint8,address[],bytes[])[])"],
        [(opens, opens + 7 * DAY, 1, sb.secretary.address, ZERO, [question])],
    )
    item_id, _ = council.propose(
        sb.council[0],
        h("convene with the founders' register"),
        [Action(meeting.address, old_convene)],
    )
    for voter in sb.council[:2]:
        council.vote(voter, item_id)
    council.sign_protocol(sb.chair, item_id, h("convene with the founders' register"))
    expect_revert(
        lambda: council.execute(sb.deployer, item_id, [Action(meeting.address, old_convene)]),
        "FailedCall",
    )

    # The register is the convening block's, with its count stored then.
    meeting_id = convene(sb, [Question(h("q"))], label="register")
    convened = chain.w3.eth.block_number
    info = meeting.meeting(meeting_id)
    assert info.record_block == convened
    assert info.eligible == count_before

    # Members admitted afterwards neither vote nor move the quorum base.
    late = generated_accounts(3, "late joiners")
    fund(chain, [a.address for a in late])
    for account in late:
        sb.applicant(account, "late")
    admit = [
        Action.call(sb.cooperative.membership, "admit", a.address, h(f"admit {a.address}"))
        for a in late
    ]
    council.decide(sb.council[0], sb.council[:2], sb.chair, h("admit late joiners"), admit)
    assert sb.cooperative.membership.functions.activeMemberCount().call() == count_before + 3
    open_voting(sb, meeting_id)
    expect_revert(lambda: meeting.cast_ballot(late[0], meeting_id, [F]), "GeneralMeetingNotVoter")
    end_voting(sb, meeting_id)
    meeting.close(sb.deployer, meeting_id)
    assert meeting.meeting(meeting_id).eligible == count_before

    # Reconvening (quorum missed) keeps the register: the late joiners still do not vote.
    opens = now(chain) + meeting.notice_period() + 60
    again = meeting.reconvene_action(meeting_id, opens, opens + 7 * DAY, sb.secretary.address)
    sent_id = council.decide(sb.council[0], sb.council[:2], sb.chair, h("reconvene"), [again])
    assert sent_id
    second = meeting.contract.functions.meetingCount().call()
    info2 = meeting.meeting(second)
    assert info2.previous_meeting_id == meeting_id
    assert info2.record_block == info.record_block and info2.eligible == count_before
    open_voting(sb, second)
    expect_revert(lambda: meeting.cast_ballot(late[1], second, [F]), "GeneralMeetingNotVoter")
    meeting.cast_ballot(sb.members[0], second, [F])


# -- what only the meeting decides ---------------------------------------------------------------


def _reserved_actions(sb: Sandbox) -> list[tuple[str, Action]]:
    coop = sb.cooperative
    charter, membership, treasury = coop.charter, coop.membership, coop.treasury
    return [
        ("charter document", Action.call(charter, "setCharterDocument", h("charter v2"))),
        ("executor", Action.call(charter, "setDecisionExecutor", sb.chair.address)),
        ("chair", Action.call(charter, "setChair", sb.council[2].address)),
        ("fees", Action.call(charter, "setFees", 0, (1, 2))),
        ("fund split", Action.call(charter, "setFundSplit", [10_000, 0, 0, 0])),
        (
            "unhook the ВРЕ as an obligation source",
            Action.call(membership, "removeObligationSource", coop.addresses.settlement_units),
        ),
        ("join a union", Action.call(treasury, "joinUnion", sb.chair.address, h("i"), h("a"))),
    ]


def test_council_items_cannot_take_the_meetings_decisions(coop: Sandbox) -> None:
    council = coop.governance.council
    for label, action in _reserved_actions(coop):
        error = expect_revert(
            lambda action=action, label=label: council.propose(coop.council[0], h(label), [action]),
            "CouncilActionReservedToMeeting",
        )
        assert error.error_args[1] == action.data[:4], label
    # Nor hidden among ordinary actions.
    ordinary = Action.call(coop.cooperative.charter, "setRoles", coop.council[2].address, 1)
    expect_revert(
        lambda: council.propose(
            coop.council[0], h("mixed"), [ordinary, _reserved_actions(coop)[3][1]]
        ),
        "CouncilActionReservedToMeeting",
    )
    # The reserved functions themselves refuse the council's authority outside a meeting
    # decision: asked directly by the executor's own address they name the missing decision.
    charter = coop.cooperative.charter.functions
    assert charter.reservedMajority(charter.setCharterDocument(h("x")).selector).call() == [
        True,
        int(Majority.THREE_QUARTERS),
    ]
    assert charter.reservedMajority(charter.setRoles(ZERO, 0).selector).call() == [False, 0]


def test_the_meeting_decides_them_with_the_majority_the_law_fixes(coop: Sandbox) -> None:
    meeting = coop.governance.meeting
    charter = coop.cooperative.charter
    amend = (Action.call(charter, "setCharterDocument", h("charter, second edition")),)
    # The convener cannot lower a charter change to a simple or two-thirds majority.
    for lower in (Majority.SIMPLE, Majority.TWO_THIRDS):
        error = expect_revert(
            lambda lower=lower: convene(coop, [Question(h("amend"), lower, amend)]),
            "GeneralMeetingMajorityTooLow",
        )
        assert tuple(error.error_args) == (0, int(Majority.THREE_QUARTERS))
    fees = (Action.call(charter, "setFees", 0, (7, 8)),)
    unhook = (
        Action.call(
            coop.cooperative.membership,
            "removeObligationSource",
            coop.cooperative.addresses.settlement_units,
        ),
    )
    meeting_id = _held(
        coop,
        [
            Question(h("amend"), Majority.THREE_QUARTERS, amend),
            Question(h("fees"), Majority.SIMPLE, fees),
            Question(h("unhook"), Majority.SIMPLE, unhook),
        ],
    )
    for index in range(3):
        meeting.execute(coop.deployer, meeting_id, index)
    assert charter.functions.charterDocument().call() == h("charter, second edition")
    assert charter.functions.fees(0).call() == (7, 8)
    sources = coop.cooperative.membership.functions.obligationSources().call()
    assert coop.cooperative.addresses.settlement_units not in sources


def test_a_council_item_cannot_run_inside_a_meeting_decision(coop: Sandbox) -> None:
    """Re-entering the council from a meeting decision's action would lend a council item the
    meeting's authority: refused."""
    council = coop.governance.council
    ordinary = Action.call(coop.cooperative.charter, "setRoles", coop.council[2].address, 1)
    item_id = council.decide(coop.council[0], coop.council[:2], coop.chair, h("roles"), [ordinary])
    assert item_id
    # The council's own functions are the meeting's to call directly, never through
    # executeMeetingDecision, which only the meeting contract may call.
    expect_revert(
        lambda: coop.chain.transact(
            council.contract.functions.executeMeetingDecision(
                coop.cooperative.charter.address, b"\x00" * 4, 0
            ),
            coop.chair,
        ),
        "CouncilNotGeneralMeeting",
    )
    assert council.contract.functions.meetingDecisionMajority().call() == 0


# -- protocols that nobody signs -----------------------------------------------------------------


def test_officers_who_never_sign_cannot_freeze_a_held_meeting(coop: Sandbox) -> None:
    meeting = coop.governance.meeting
    fees = (Action.call(coop.cooperative.charter, "setFees", 0, (3, 4)),)
    meeting_id = _held(coop, [Question(h("fees"), Majority.SIMPLE, fees)], sign=False)
    period = meeting.signing_period()
    assert period == 14 * DAY
    closed = meeting.closed_at(meeting_id)
    assert closed > 0
    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 0), "GeneralMeetingProtocolNotSigned"
    )
    # The secretary signs; the chair never does.
    meeting.sign_protocol(coop.secretary, meeting_id, h("protocol"))
    warp(coop.chain, closed + period - 10)
    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 0), "GeneralMeetingProtocolNotSigned"
    )
    warp(coop.chain, closed + period)
    sent = meeting.execute(coop.deployer, meeting_id, 0)
    (missing,) = events(meeting.contract, "MeetingProtocolSignatureMissing", sent.receipt)
    assert missing["args"]["missing"] == 2  # the chair's
    assert coop.cooperative.charter.functions.fees(0).call() == (3, 4)
    # Only a meeting decision changes the period, within bounds.
    expect_revert(
        lambda: coop.chain.transact(meeting.contract.functions.setSigningPeriod(DAY), coop.chair),
        "GeneralMeetingNotMeetingDecision",
    )


# -- the council's size --------------------------------------------------------------------------


def test_a_council_of_two_is_refused(coop: Sandbox) -> None:
    council = coop.governance.council
    two = (council.set_council_action([coop.council[0].address, coop.council[1].address]),)
    meeting_id = _held(coop, [Question(h("a council of two"), Majority.SIMPLE, two)])
    expect_revert(
        lambda: coop.governance.meeting.execute(coop.deployer, meeting_id, 0),
        "CouncilInvalidSize",
    )
    assert len(council.members()) == 3


# -- hostile contract voters ---------------------------------------------------------------------


def test_a_contract_voter_cannot_burn_a_batch(accounts: list[LocalAccount], coop: Sandbox) -> None:
    chain, meeting, council = coop.chain, coop.governance.meeting, coop.governance.council
    owner = accounts[9]
    membership = coop.cooperative.membership
    burners = []
    for bomb in (False, True):
        wallet, _ = chain.deploy("TestGasBurnerWallet", owner.address, bomb, sender=owner)
        tag = f"burner {bomb}"
        apply = membership.encode_abi("applyToJoin", args=[1, h(tag), h(f"{tag} application")])
        chain.transact(wallet.functions.execute(membership.address, apply), owner)
        coop.cooperative.attest_identity(coop.chair, wallet.address, h(f"{tag} check"))
        coop.cooperative.attest_payment(coop.deployer, wallet.address, h(f"{tag} payment"))
        burners.append(wallet.address)
    admit = [Action.call(membership, "admit", w, h(f"admit {w}")) for w in burners]
    council.decide(coop.council[0], coop.council[:2], coop.chair, h("admit burners"), admit)

    meeting_id = convene(coop, [Question(h("q"))], label="burners")
    open_voting(coop, meeting_id)
    hostile = []
    for wallet in burners:
        data = meeting.ballot_typed_data(meeting_id, wallet, [F])
        signature = owner.sign_message(encode_typed_data(full_message=data)).signature
        hostile.append(SignedBallot(meeting_id, wallet, (F,), bytes(signature)))
    honest = [meeting.sign_ballot(m, meeting_id, [F]) for m in coop.members[:3]]
    result = meeting.cast_ballots_by_sig(coop.deployer, meeting_id, [*hostile, *honest])
    assert result.rejected == [(w, "GeneralMeetingInvalidSignature") for w in burners]
    assert result.accepted == [m.address for m in coop.members[:3]]
    # Each hostile check cost at most its cap (100,000 gas), not the whole batch's gas.
    assert result.sent.receipt["gasUsed"] < 21_000 + 2 * 110_000 + 3 * 40_000


# -- an extraordinary meeting the members demand -------------------------------------------------


def _demanded_convocation(sb: Sandbox, questions: Sequence[Question]) -> Convocation:
    opens = now(sb.chain) + sb.governance.meeting.notice_period() + 60
    return Convocation(
        opens_at=opens,
        closes_at=opens + 7 * DAY,
        secretary=sb.members[0].address,
        questions=tuple(questions),
    )


def test_members_demand_a_meeting_and_convene_it_when_the_council_does_not(
    coop: Sandbox,
) -> None:
    """One tenth of the members (2 of 12, rounded up) sign a demand, gasless; the council does
    not convene within 30 days; a demander convenes the meeting and it replaces the council."""
    chain, meeting, council = coop.chain, coop.governance.meeting, coop.governance.council
    newcomers = [m.address for m in coop.members[5:8]]
    questions = [
        Question(
            h("replace the council"), Majority.SIMPLE, (council.set_council_action(newcomers),)
        )
    ]
    agenda = meeting.agenda_hash(questions)
    assert meeting.contract.functions.demandThresholdBps().call() == 1_000

    # Not a member: refused. One member: below one tenth of 12.
    (outsider,) = generated_accounts(1, "not a member")
    fund(chain, [outsider.address])
    expect_revert(lambda: meeting.demand(outsider, agenda), "GeneralMeetingNotVoter")
    meeting.demand(coop.members[1], agenda)
    assert meeting.demand_info(agenda)["reached_at"] == 0
    expect_revert(lambda: meeting.demand(coop.members[1], agenda), "GeneralMeetingAlreadyDemanded")
    # The demanders cannot convene before the share is reached, nor the council's period ends.
    convocation = _demanded_convocation(coop, questions)
    expect_revert(
        lambda: meeting.convene_on_demand(coop.members[1], convocation),
        "GeneralMeetingNoPendingDemand",
    )
    # A second member signs (relayed, gasless) with a forged and a replayed signature beside it.
    signed = meeting.sign_demand(coop.members[2], agenda)
    forged = meeting.sign_demand(coop.members[3], agenda)
    result = meeting.demand_by_sig(
        coop.deployer,
        agenda,
        [
            (coop.members[4].address, forged),
            (coop.members[2].address, signed),
            (coop.members[2].address, signed),
        ],
    )
    assert result.accepted == [coop.members[2].address]
    assert [r for _, r in result.rejected] == [
        "GeneralMeetingInvalidSignature",
        "GeneralMeetingAlreadyDemanded",
    ]
    info = meeting.demand_info(agenda)
    assert info["count"] == 2 and info["eligible"] == 12 and info["reached_at"] > 0
    due = info["council_due_by"]
    assert due == info["reached_at"] + 30 * DAY

    expect_revert(
        lambda: meeting.convene_on_demand(coop.members[1], convocation),
        "GeneralMeetingCouncilStillDue",
    )
    warp(chain, due)
    # Only a demander convenes.
    convocation = _demanded_convocation(coop, questions)
    expect_revert(
        lambda: meeting.convene_on_demand(coop.members[3], convocation),
        "GeneralMeetingNotDemander",
    )
    # Another agenda is not what was demanded.
    other = _demanded_convocation(coop, [Question(h("something else"))])
    expect_revert(
        lambda: meeting.convene_on_demand(coop.members[1], other), "GeneralMeetingNoPendingDemand"
    )
    meeting_id = meeting.convene_on_demand(coop.members[1], convocation)
    assert meeting.demand_info(agenda)["satisfied"]
    expect_revert(lambda: meeting.demand(coop.members[6], agenda), "GeneralMeetingDemandSatisfied")

    # The meeting the members convened is held and replaces the council.
    open_voting(coop, meeting_id)
    for voter in coop.members:
        meeting.cast_ballot(voter, meeting_id, [F])
    end_voting(coop, meeting_id)
    meeting.close(coop.deployer, meeting_id)
    info_m = meeting.meeting(meeting_id)
    assert info_m.accepted(0)
    warp(chain, meeting.closed_at(meeting_id) + meeting.signing_period())
    meeting.execute(coop.deployer, meeting_id, 0)
    assert council.members() == newcomers


def test_the_council_answers_a_demand_in_time_or_not_at_all(coop: Sandbox) -> None:
    meeting = coop.governance.meeting
    questions = [Question(h("annual report"))]
    agenda = meeting.agenda_hash(questions)
    for member in coop.members[:2]:
        meeting.demand(member, agenda)
    # A convocation that opens a year later does not answer the demand.
    late = _demanded_convocation(coop, questions)
    late = Convocation(
        opens_at=late.opens_at + 365 * DAY,
        closes_at=late.closes_at + 365 * DAY,
        secretary=coop.secretary.address,
        questions=late.questions,
    )
    expect_revert(
        lambda: coop.governance.convene(
            coop.council[0], coop.council[:2], coop.chair, late, h("late")
        ),
        "GeneralMeetingDemandedMeetingTooLate",
    )
    meeting_id = convene(coop, questions, label="answer the demand")
    assert meeting.demand_info(agenda)["satisfied"]
    assert meeting.meeting(meeting_id).question_count == 1


def test_a_question_cannot_forward_its_own_majority(coop: Sandbox) -> None:
    """A question whose action is `Council.executeMeetingDecision(charter, setCharterDocument,
    3/4)` would pass the charter change by a simple majority: refused at convening."""
    council = coop.governance.council
    forward = Action.call(
        council.contract,
        "executeMeetingDecision",
        coop.cooperative.charter.address,
        coop.cooperative.charter.encode_abi("setCharterDocument", args=[h("charter by stealth")]),
        int(Majority.THREE_QUARTERS),
    )
    error = expect_revert(
        lambda: convene(coop, [Question(h("stealth"), Majority.SIMPLE, (forward,))]),
        "GeneralMeetingActionNotAllowed",
    )
    assert tuple(error.error_args) == (0, 0)


def test_a_contract_executor_cannot_take_the_meetings_decisions(
    chain: Chain, accounts: list[LocalAccount], gov_network: NetworkAddresses
) -> None:
    """An executor that is a contract but not a Council (a multisig) cannot say it carries out a
    general-meeting decision: the reserved function refuses it (`MeetingDecisionRequired`)."""
    deployer, owner = accounts[0], accounts[9]
    token = deploy_test_token(chain, deployer)
    coop = sandbox_cooperative(
        chain,
        deployer,
        gov_network.factory,
        token,
        "Кооператив с мультиподписью",
        CooperativeKind.CONSUMER,
        accounts[1],
        [accounts[1], accounts[2], accounts[3]],
    )
    wallet, _ = chain.deploy("TestContractWallet", owner.address, sender=owner)
    charter = coop.charter
    chain.transact(charter.functions.setDecisionExecutor(wallet.address), deployer)
    set_fees = charter.encode_abi("setFees", args=[0, (1, 2)])
    error = expect_revert(
        lambda: chain.transact(wallet.functions.execute(charter.address, set_fees), owner),
        "MeetingDecisionRequired",
    )
    assert error.error_args[0] == wallet.address
    # Ordinary decisions still work for it.
    roles = charter.encode_abi("setRoles", args=[accounts[4].address, 1])
    chain.transact(wallet.functions.execute(charter.address, roles), owner)
    assert charter.functions.isCashier(accounts[4].address).call()


def test_a_meeting_decision_cannot_lend_its_authority_to_a_council_item(coop: Sandbox) -> None:
    """A meeting question's action reaches a contract that calls back into `Council.execute` of
    a signed council item: the item would run with the meeting's authority. Refused."""
    chain, council, meeting = coop.chain, coop.governance.council, coop.governance.meeting
    # A wallet the council owns: the meeting's action calls it, it calls Council.execute.
    relay, _ = chain.deploy("TestContractWallet", council.address, sender=coop.deployer)
    roles = Action.call(coop.cooperative.charter, "setRoles", coop.council[2].address, 1)
    item_id, _ = council.propose(coop.council[0], h("an ordinary item"), [roles])
    for voter in coop.council[:2]:
        council.vote(voter, item_id)
    council.sign_protocol(coop.chair, item_id, h("an ordinary item"))
    run_item = council.contract.encode_abi("execute", args=[item_id, [roles.target], [roles.data]])
    through = Action.call(relay, "execute", council.address, run_item)
    meeting_id = _held(coop, [Question(h("run it"), Majority.SIMPLE, (through,))])
    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 0),
        "CouncilExecutionInsideMeetingDecision",
    )
    assert not coop.cooperative.charter.functions.isCashier(coop.council[2].address).call()
    assert council.contract.functions.meetingDecisionMajority().call() == 0


def test_meeting_rules_change_only_by_a_meeting_and_within_bounds(coop: Sandbox) -> None:
    """The signing period and the demand rules: refused to anyone but a meeting decision, and
    a meeting decision out of bounds (a share above one tenth, a period of zero) fails."""
    meeting = coop.governance.meeting
    for fn in (
        meeting.contract.functions.setDemandRules(500, 10 * DAY),
        meeting.contract.functions.setSigningPeriod(7 * DAY),
    ):
        for caller in (coop.chair, coop.council[0], coop.members[0]):
            expect_revert(
                lambda fn=fn, caller=caller: coop.chain.transact(fn, caller),
                "GeneralMeetingNotMeetingDecision",
            )
    rules = meeting.contract
    bad = [
        Action.call(rules, "setDemandRules", 2_000, 10 * DAY),
        Action.call(rules, "setSigningPeriod", 0),
    ]
    good = Action.call(rules, "setDemandRules", 500, 10 * DAY)
    meeting_id = _held(
        coop,
        [
            Question(h("harder demands"), Majority.SIMPLE, (bad[0],)),
            Question(h("no signing period"), Majority.SIMPLE, (bad[1],)),
            Question(h("easier demands"), Majority.SIMPLE, (good,)),
        ],
    )
    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 0), "GeneralMeetingInvalidDemandRules"
    )
    expect_revert(
        lambda: meeting.execute(coop.deployer, meeting_id, 1),
        "GeneralMeetingInvalidSigningPeriod",
    )
    meeting.execute(coop.deployer, meeting_id, 2)
    assert rules.functions.demandThresholdBps().call() == 500
    assert rules.functions.demandPeriod().call() == 10 * DAY
    assert meeting.signing_period() == 14 * DAY
