"""A production cooperative of 12 members records a quarter of labour, its results are approved,
a general meeting distributes the quarter's surplus by labour participation, and every member's
part recomputed from the recorded facts equals what the chain credited. Then every privileged
path of the register is attacked and refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from indexer.queries import labour as labour_queries
from node.chain.client import TransactionReverted
from node.governance import Majority, Question
from node.governance.sandbox import h
from node.labour import (
    Basis,
    Form,
    Status,
    Terms,
    Unit,
    Use,
    compute_parts,
    recompute_from_chain,
    valuation,
)
from tests.indexer.conftest import make_indexer
from tests.labour.conftest import (
    HOUR_PRICE,
    RESULT_PRICE,
    TOKEN,
    World,
    council_decides,
    expect_revert,
    meeting_decides,
)

QUARTER = 20264
HOUR_RATE, RESULT_RATE = 1, 2


def record_quarter(w: World) -> list[int]:
    """Each member records three months of hours (and every third a result) in the quarter."""
    ids = []
    for i, member in enumerate(w.members):
        for month in range(3):
            hours = 4_000 + 125 * i + 37 * month  # hundredths of an hour
            rid, _ = w.register.record(
                member, HOUR_RATE, QUARTER, hours, h(f"task {i}/{month}"), h(f"act {i}/{month}")
            )
            ids.append(rid)
        if i % 3 == 0:
            rid, _ = w.register.record(
                member, RESULT_RATE, QUARTER, 1 + i % 2, h(f"drawing {i}"), h(f"act d{i}")
            )
            ids.append(rid)
    return ids


def test_quarter_of_labour_distributed_by_participation(
    labour_world: World, mirror_db: str
) -> None:
    w, reg = labour_world, labour_world.register
    ids = record_quarter(w)
    first = reg.work_record(ids[0])
    assert first["value"] == valuation(HOUR_PRICE, Unit.HOUR, 4_000) == 20_000 * TOKEN
    assert first["status"] == Status.RECORDED
    for rid in ids:
        reg.approve(w.approver, rid, Use.POINTS)
    total, participants, closed = reg.period_totals(QUARTER, Basis.LABOUR)
    assert participants == 12 and not closed
    assert total == sum(reg.work_record(r)["value"] for r in ids)

    # The surplus is not a multiple of the points: the remainder rule is exercised.
    terms = Terms(QUARTER, Basis.LABOUR, Form.PAYOUT, 1_234_567 * TOKEN + 11)
    doc = h("protocol: distribution of Q4 2026 surplus by labour participation")
    meeting_id = meeting_decides(w.sb, [reg.distribution_question(terms, doc)], "surplus")
    did, _ = reg.approve_distribution(w.members[0], terms, doc, meeting_id, 0)
    assert reg.period_totals(QUARTER, Basis.LABOUR)[2]  # closed
    token = w.sb.cooperative.token
    w.chain.transact(token.functions.mint(reg.address, terms.surplus), w.sb.deployer)
    reg.fund_distribution(w.members[1], did)
    for _ in range(3):  # batches of five: 5, 5, 2
        reg.credit_batch(w.members[2], did, 5)
    d = reg.distribution(did)
    assert d["cursor"] == 12 and d["credited"] == terms.surplus

    expected = recompute_from_chain(reg, did)
    # Recomputed from the records themselves (member -> sum of approved values), too.
    by_member: dict[str, int] = {}
    for rid in ids:
        r = reg.work_record(rid)
        by_member[r["member"]] = by_member.get(r["member"], 0) + r["value"]
    order = [reg.participant_at(QUARTER, Basis.LABOUR, i) for i in range(12)]
    assert compute_parts(terms.surplus, [(m, by_member[m]) for m in order]) == expected
    assert sum(expected.values()) == terms.surplus
    for member in w.members:
        assert reg.part_of(did, member.address) == expected[member.address]
        assert reg.claimable(member.address) == expected[member.address]
    before = int(token.functions.balanceOf(w.members[3].address).call())
    reg.claim(w.members[3])
    after = int(token.functions.balanceOf(w.members[3].address).call())
    assert after - before == expected[w.members[3].address]
    expect_revert(lambda: reg.claim(w.members[3]), "LabourRegisterNothingToClaim")

    # The mirror: discovered from the registry alone, every part recomputed equals the chain's.
    idx = make_indexer(w.chain, mirror_db, roots=[w.registry], start_block=w.start_block)
    idx.sync_once()
    engine = sa.create_engine(mirror_db)
    try:
        with engine.connect() as conn:
            charter = w.sb.cooperative.addresses.charter
            assert labour_queries.register_of(conn, charter) == reg.address
            mirrored = labour_queries.distribution(conn, reg.address, did)
            records = labour_queries.work_records(conn, reg.address, member=w.members[0].address)
            rates = labour_queries.rates(conn, reg.address)
    finally:
        engine.dispose()
    assert mirrored.completed and mirrored.funded and mirrored.credited == terms.surplus
    assert len(mirrored.parts) == 12
    for p in mirrored.parts:
        assert p.part == p.recomputed == reg.part_of(did, p.member) == expected[p.member]
    assert [r.status for r in records] == ["points"] * 4
    assert [r.price for r in rates] == [HOUR_PRICE, RESULT_PRICE]

    # Replays: the batch after completion, the same question again, the closed period.
    expect_revert(
        lambda: reg.credit_batch(w.members[2], did, 5), "LabourRegisterDistributionComplete"
    )
    expect_revert(
        lambda: reg.approve_distribution(w.members[0], terms, doc, meeting_id, 0),
        "LabourRegisterPeriodClosed",
    )
    expect_revert(
        lambda: reg.record(w.members[0], HOUR_RATE, QUARTER, 100, h("late"), h("late act")),
        "LabourRegisterPeriodClosed",
    )


def test_labour_contributed_as_shares_by_council(labour_world: World) -> None:
    w, reg = labour_world, labour_world.register
    member = w.members[4]
    rid, _ = reg.record(member, RESULT_RATE, QUARTER + 1, 2, h("patent"), h("act: patent"))
    reg.approve(w.approver, rid, Use.SHARES)
    assert reg.work_record(rid)["status"] == Status.APPROVED_FOR_SHARES
    # Nobody but the council can credit it.
    expect_revert(
        lambda: w.chain.transact(reg.contract.functions.markContributed(rid), w.approver),
        "LabourRegisterNotDecisionExecutor",
    )
    before = w.sb.cooperative.holding(member.address)
    council_decides(w.sb, reg.contribution_actions(w.sb.cooperative.shares, rid), "patent")
    after = w.sb.cooperative.holding(member.address)
    assert after.in_kind_shares - before.in_kind_shares == 2 * RESULT_PRICE
    assert reg.work_record(rid)["status"] == Status.CONTRIBUTED
    # Not twice: the item's first action refuses.
    with pytest.raises(TransactionReverted):
        council_decides(w.sb, reg.contribution_actions(w.sb.cooperative.shares, rid), "again")


def test_distribution_in_shares_runs_only_by_council(labour_world: World) -> None:
    w, reg = labour_world, labour_world.register
    period = QUARTER + 2
    for i, member in enumerate(w.members[:3]):
        rid, _ = reg.record(member, HOUR_RATE, period, 100 * (i + 1), h(f"s{i}"), h(f"sa{i}"))
        reg.approve(w.approver, rid)
    terms = Terms(period, Basis.LABOUR, Form.SHARES, 1_000 * TOKEN + 1)
    doc = h("protocol: surplus as shares")
    meeting_id = meeting_decides(w.sb, [reg.distribution_question(terms, doc)], "shares")
    did, _ = reg.approve_distribution(w.members[0], terms, doc, meeting_id, 0)
    expect_revert(
        lambda: reg.credit_batch(w.members[0], did, 3), "LabourRegisterNotDecisionExecutor"
    )
    expect_revert(
        lambda: reg.fund_distribution(w.members[0], did), "LabourRegisterFundingNotExpected"
    )
    shares = w.sb.cooperative.shares
    before = [w.sb.cooperative.holding(m.address).in_kind_shares for m in w.members[:3]]
    council_decides(w.sb, reg.share_batch_actions(shares, did, 2), "batch 1")
    council_decides(w.sb, reg.share_batch_actions(shares, did, 2), "batch 2")
    parts = recompute_from_chain(reg, did)
    after = [w.sb.cooperative.holding(m.address).in_kind_shares for m in w.members[:3]]
    assert [a - b for a, b in zip(after, before, strict=True)] == [
        parts[m.address] for m in w.members[:3]
    ]
    assert sum(parts.values()) == terms.surplus


# -- attacks ----------------------------------------------------------------------------------


def test_work_attacks_refused(labour_world: World) -> None:
    w, reg = labour_world, labour_world.register
    period = QUARTER + 3
    outsider = w.sb.secretary  # holds an office, is no member
    expect_revert(
        lambda: reg.record(outsider, HOUR_RATE, period, 100, h("t"), h("a")),
        "LabourRegisterNotActiveMember",
    )
    expect_revert(
        lambda: reg.record(w.members[0], 99, period, 100, h("t"), h("a")),
        "LabourRegisterInactiveRate",
    )
    expect_revert(
        lambda: reg.record(w.members[0], HOUR_RATE, period, 0, h("t"), h("a")),
        "LabourRegisterZeroAmount",
    )
    rid, _ = reg.record(w.members[0], HOUR_RATE, period, 100, h("t"), h("a"))
    # Another member who is no approver; the member themself, even once appointed.
    expect_revert(lambda: reg.approve(w.members[1], rid), "LabourRegisterNotApprover")
    council_decides(w.sb, [reg.set_approver_action(w.members[0].address)], "appoint m0")
    expect_revert(lambda: reg.approve(w.members[0], rid), "LabourRegisterSelfApproval")
    expect_revert(lambda: reg.reject(w.members[0], rid, h("no")), "LabourRegisterSelfApproval")
    reg.approve(w.approver, rid)
    expect_revert(lambda: reg.approve(w.approver, rid), "LabourRegisterUnexpectedStatus")
    expect_revert(lambda: reg.reject(w.approver, rid, h("late")), "LabourRegisterUnexpectedStatus")
    expect_revert(lambda: reg.approve(w.approver, 10_000), "LabourRegisterUnknownRecord")
    assert reg.points_of(period, Basis.LABOUR, w.members[0].address) == HOUR_PRICE


def test_rate_and_purchase_attacks_refused(labour_world: World) -> None:
    w, reg = labour_world, labour_world.register
    for who in (w.approver, w.members[0], w.sb.chair):
        expect_revert(
            lambda who=who: w.chain.transact(
                reg.contract.functions.setRate(HOUR_RATE, 1, 0, True, h("cheap")), who
            ),
            "LabourRegisterNotDecisionExecutor",
        )
        expect_revert(
            lambda who=who: w.chain.transact(
                reg.contract.functions.setApprover(who.address, True), who
            ),
            "LabourRegisterNotDecisionExecutor",
        )
        expect_revert(
            lambda who=who: w.chain.transact(
                reg.contract.functions.recordPurchases(1, [who.address], [1], h("p")), who
            ),
            "LabourRegisterNotDecisionExecutor",
        )
    assert reg.contract.functions.rate(HOUR_RATE).call()[0] == HOUR_PRICE


def test_rates_reserved_to_meeting_refuse_council(labour_world: World) -> None:
    """A register installed with `ratesByMeeting`: a council item setting a rate is refused, a
    meeting question carrying it passes."""
    from node.labour import LabourRegister, install_action, predict_register

    w = labour_world
    charter = w.sb.cooperative.addresses.charter
    address = predict_register(w.chain, w.installer, charter)
    council_decides(w.sb, [install_action(w.chain, w.installer, charter, True)], "install 2")
    reg2 = LabourRegister(w.chain, address)
    assert reg2.contract.functions.ratesByMeeting().call()
    action = reg2.set_rate_action(0, HOUR_PRICE, Unit.HOUR, True, h("rate by council"))
    with pytest.raises(TransactionReverted) as info:
        council_decides(w.sb, [action], "council sets a reserved rate")
    assert info.value.error in ("CouncilActionReservedToMeeting", "MeetingDecisionRequired")
    question = Question(h("meeting sets the hourly rate"), Majority.SIMPLE, (action,))
    meeting_id = meeting_decides(w.sb, [question], "rates")
    w.sb.governance.meeting.execute(w.sb.chair, meeting_id, 0, [action])
    assert reg2.contract.functions.rateCount().call() == 1


def test_distribution_attacks_refused(labour_world: World) -> None:
    w, reg = labour_world, labour_world.register
    period = QUARTER + 4
    rid, _ = reg.record(w.members[0], HOUR_RATE, period, 100, h("t"), h("a"))
    terms = Terms(period, Basis.LABOUR, Form.PAYOUT, 100 * TOKEN)
    doc = h("protocol")
    expect_revert(
        lambda: reg.approve_distribution(w.members[0], terms, doc, 1, 0),
        "LabourRegisterNothingToDistribute",
    )
    reg.approve(w.approver, rid)
    # The meeting accepted another question (a different surplus) and an unrelated one.
    other = Terms(period, Basis.LABOUR, Form.PAYOUT, 200 * TOKEN)
    questions = [reg.distribution_question(other, doc), Question(h("unrelated"))]
    meeting_id = meeting_decides(w.sb, questions, "wrong question")
    for index in (0, 1):
        expect_revert(
            lambda index=index: reg.approve_distribution(
                w.members[0], terms, doc, meeting_id, index
            ),
            "LabourRegisterDecisionMismatch",
        )
    expect_revert(
        lambda: reg.approve_distribution(w.members[0], terms, doc, meeting_id, 5),
        "LabourRegisterNotMeetingDecision",
    )
    did, _ = reg.approve_distribution(w.members[0], other, doc, meeting_id, 0)
    # The same question cannot approve it twice (another basis is open, the question is used).
    purchases = Terms(period, Basis.PURCHASES, Form.PAYOUT, 200 * TOKEN)
    council_decides(
        w.sb,
        [reg.record_purchases_action(period, [w.members[1].address], [5 * TOKEN], h("totals"))],
        "purchases",
    )
    expect_revert(
        lambda: reg.approve_distribution(w.members[0], purchases, doc, meeting_id, 0),
        "LabourRegisterDecisionMismatch",
    )
    # Unfunded payout; underfunded payout.
    expect_revert(lambda: reg.credit_batch(w.members[0], did, 1), "LabourRegisterNotFunded")
    token = w.sb.cooperative.token
    w.chain.transact(token.functions.mint(reg.address, 199 * TOKEN), w.sb.deployer)
    expect_revert(
        lambda: reg.fund_distribution(w.members[0], did), "LabourRegisterInsufficientFunds"
    )
    w.chain.transact(token.functions.mint(reg.address, TOKEN), w.sb.deployer)
    reg.fund_distribution(w.members[0], did)
    expect_revert(
        lambda: reg.fund_distribution(w.members[0], did), "LabourRegisterFundingNotExpected"
    )
    reg.credit_batch(w.members[0], did, 10)
    expect_revert(
        lambda: reg.credit_batch(w.members[0], did, 1), "LabourRegisterDistributionComplete"
    )
    assert reg.part_of(did, w.members[0].address) == 200 * TOKEN
