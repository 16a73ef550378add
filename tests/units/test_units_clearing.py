"""settleClearing: balanced plans apply atomically; anything else reverts by name and leaves
everything as it was; the engine's plans (including the greedy counterexample) settle on chain."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from node.clearing.engine import Obligation, plan_clearing
from node.units.clearing_run import read_open_obligations, run_clearing
from node.units.client import ObligationStatus, SettlementUnitsClient, plan_hash
from tests.units.conftest import Coop


def _owe(
    units: SettlementUnitsClient, debtor: LocalAccount, creditor: LocalAccount, amount: int
) -> int:
    """An accepted obligation: `debtor` owes `creditor` `amount`."""
    oid, _ = units.issue(creditor, debtor.address, amount)
    units.accept(debtor, oid)
    return oid


def _net_positions(coop: Coop) -> dict[str, int]:
    """Per member: balance + outstanding claims - outstanding debts (what clearing keeps)."""
    units = coop.units
    net = {m.address: units.signed_balance(m.address) for m in coop.members}
    for i in range(1, units.obligation_count() + 1):
        info = units.obligation(i)
        if info.status == ObligationStatus.ACCEPTED:
            net[info.creditor] += info.outstanding
            net[info.debtor] -= info.outstanding
    return net


def test_triangle_clears_fully(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    ab, bc, ca = _owe(units, a, b, 10), _owe(units, b, c, 10), _owe(units, c, a, 10)
    net_before = _net_positions(coop)
    plan = [(ab, 10), (bc, 10), (ca, 10)]
    receipt = units.settle_clearing(coop.outsider, plan)  # anyone may submit
    assert receipt.total_cleared == 30
    assert receipt.entries == 3
    assert receipt.plan_hash == plan_hash(plan)
    assert receipt.cleared == {ab: (10, 0), bc: (10, 0), ca: (10, 0)}
    for oid in (ab, bc, ca):
        info = units.obligation(oid)
        assert (info.status, info.outstanding) == (ObligationStatus.SETTLED, 0)
    for m in (a, b, c):
        assert units.open_obligation_count(m.address) == 0
        assert units.signed_balance(m.address) == 0
        assert not units.has_open_obligations(m.address)
    assert _net_positions(coop) == net_before


def test_partial_clearing_keeps_the_rest_open(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    ab, bc, ca = _owe(units, a, b, 10), _owe(units, b, c, 7), _owe(units, c, a, 12)
    net_before = _net_positions(coop)
    units.settle_clearing(coop.outsider, [(ab, 7), (bc, 7), (ca, 7)])
    assert [units.obligation(i).outstanding for i in (ab, bc, ca)] == [3, 0, 5]
    assert units.obligation(bc).status == ObligationStatus.SETTLED
    assert units.open_obligation_count(a.address) == 2
    assert units.open_obligation_count(b.address) == 1  # bc closed, ab still open
    assert units.open_obligation_count(c.address) == 1
    assert _net_positions(coop) == net_before


def test_unbalanced_plan_reverts_with_the_member(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    ab, bc, ca = _owe(units, a, b, 10), _owe(units, b, c, 10), _owe(units, c, a, 10)
    err = coop.reverts(
        "SettlementUnitsClearingUnbalanced",
        lambda: units.settle_clearing(coop.outsider, [(ab, 10), (bc, 10), (ca, 9)]),
    )
    member, imbalance = err.error_args
    assert (member, abs(imbalance)) in {(a.address, 1), (c.address, 1)}
    # A single obligation is never balanced: it would move both parties' net positions.
    coop.reverts(
        "SettlementUnitsClearingUnbalanced",
        lambda: units.settle_clearing(coop.outsider, [(ab, 1)]),
    )


def test_invalid_entries_revert(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    ab, bc, ca = _owe(units, a, b, 10), _owe(units, b, c, 10), _owe(units, c, a, 10)
    submit = coop.outsider

    coop.reverts("SettlementUnitsClearingEmpty", lambda: units.settle_clearing(submit, []))
    coop.reverts(
        "SettlementUnitsZeroAmount",
        lambda: units.settle_clearing(submit, [(ab, 0), (bc, 0), (ca, 0)]),
    )
    err = coop.reverts(
        "SettlementUnitsExceedsOutstanding",
        lambda: units.settle_clearing(submit, [(ab, 11), (bc, 11), (ca, 11)]),
    )
    assert err.error_args == (ab, 11, 10)
    err = coop.reverts(
        "SettlementUnitsUnexpectedStatus",
        lambda: units.settle_clearing(submit, [(ab, 1), (bc, 1), (999, 1)]),
    )
    assert err.error_args == (999, ObligationStatus.NONE)

    # Not accepted yet: not a debt, not clearable.
    issued, _ = units.issue(a, c.address, 10)
    err = coop.reverts(
        "SettlementUnitsUnexpectedStatus",
        lambda: units.settle_clearing(submit, [(ab, 1), (bc, 1), (issued, 1)]),
    )
    assert err.error_args == (issued, ObligationStatus.ISSUED)
    # Cancelled: gone.
    units.cancel(a, ca)
    err = coop.reverts(
        "SettlementUnitsUnexpectedStatus",
        lambda: units.settle_clearing(submit, [(ab, 1), (bc, 1), (ca, 1)]),
    )
    assert err.error_args == (ca, ObligationStatus.CANCELLED)


def test_duplicate_ids_are_summed_against_what_is_outstanding(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    ab, bc, ca = _owe(units, a, b, 10), _owe(units, b, c, 10), _owe(units, c, a, 10)
    # Twice past what is outstanding: the second entry sees what the first left.
    err = coop.reverts(
        "SettlementUnitsExceedsOutstanding",
        lambda: units.settle_clearing(
            coop.outsider, [(ab, 6), (bc, 6), (ca, 6), (ab, 6), (bc, 6), (ca, 6)]
        ),
    )
    assert err.error_args == (ab, 6, 4)
    # Within it: allowed, the same as one entry of the sum.
    receipt = units.settle_clearing(
        coop.outsider, [(ab, 4), (bc, 4), (ca, 4), (ab, 6), (bc, 6), (ca, 6)]
    )
    assert receipt.total_cleared == 30
    assert receipt.cleared == {ab: (10, 0), bc: (10, 0), ca: (10, 0)}
    assert all(units.obligation(i).status == ObligationStatus.SETTLED for i in (ab, bc, ca))
    assert all(units.open_obligation_count(m.address) == 0 for m in (a, b, c))


def test_clearing_emits_one_event_per_entry_and_a_summary(coop: Coop) -> None:
    a, b = coop.members[:2]
    units = coop.units
    ab, ba = _owe(units, a, b, 5), _owe(units, b, a, 8)
    receipt = units.settle_clearing(a, [(ab, 5), (ba, 5)])
    logs = units.decode_events("ObligationCleared", receipt.sent)
    assert [(e.args["obligationId"], e.args["amount"], e.args["outstanding"]) for e in logs] == [
        (ab, 5, 0),
        (ba, 5, 3),
    ]
    summary = units.decode_events("ClearingSettled", receipt.sent)
    assert summary[0].args["submitter"] == a.address
    assert summary[0].args["totalCleared"] == 10


def test_two_cycles_with_separate_debts_clear_fully(coop: Coop) -> None:
    """A<->B of 1 each plus a separate A->B->C->D->A of 1 each: all six obligations clear."""
    a, b, c, d = coop.members[:4]
    units = coop.units
    _owe(units, a, b, 1)
    _owe(units, b, a, 1)
    _owe(units, a, b, 1)
    _owe(units, b, c, 1)
    _owe(units, c, d, 1)
    _owe(units, d, a, 1)
    net_before = _net_positions(coop)
    obligations = read_open_obligations(units)
    assert len(obligations) == 6
    plan = plan_clearing(obligations)
    assert plan.cleared_total == 6

    report = run_clearing(coop.chain, units.address, coop.outsider, max_per_chunk=10)
    assert report["cleared_on_chain"] == plan.cleared_total
    assert report["chunks_failed"] == 0
    assert read_open_obligations(units) == []
    assert _net_positions(coop) == net_before


def test_greedy_counterexample_sharing_the_debt(coop: Coop) -> None:
    """The engine's counterexample: A<->B share the A->B debt with the 4-cycle; optimum 4."""
    a, b, c, d = coop.members[:4]
    units = coop.units
    _owe(units, a, b, 1)
    ba = _owe(units, b, a, 1)
    _owe(units, b, c, 1)
    _owe(units, c, d, 1)
    _owe(units, d, a, 1)
    net_before = _net_positions(coop)
    report = run_clearing(coop.chain, units.address, coop.outsider)
    assert report["planned_cleared"] == 4
    assert report["cleared_on_chain"] == 4
    assert report["remaining_on_chain"] == 1
    # Greedy would cancel the 2-cycle A<->B first (2) and strand the 4-cycle; the optimum
    # clears the 4-cycle and leaves only B->A.
    assert read_open_obligations(units) == [Obligation(ba, b.address, a.address, 1)]
    assert _net_positions(coop) == net_before


def test_run_clearing_in_chunks_and_dry_run(coop: Coop) -> None:
    m = coop.members
    units = coop.units
    # Two disjoint triangles and a 2-cycle: several chunks.
    for x, y, z in ((m[0], m[1], m[2]), (m[3], m[4], m[5])):
        _owe(units, x, y, 5)
        _owe(units, y, z, 5)
        _owe(units, z, x, 5)
    _owe(units, m[0], m[3], 2)
    _owe(units, m[3], m[0], 3)
    dry = run_clearing(coop.chain, units.address, coop.outsider, max_per_chunk=3, dry_run=True)
    assert dry["planned_cleared"] == 34
    assert dry["cleared_on_chain"] == 0
    assert len(read_open_obligations(units)) == 8
    report = run_clearing(coop.chain, units.address, coop.outsider, max_per_chunk=3)
    assert report["chunks_total"] >= 3
    assert report["chunks_settled"] == report["chunks_total"]
    assert report["cleared_on_chain"] == 34
    left = read_open_obligations(units)
    assert [(o.debtor, o.creditor, o.amount) for o in left] == [(m[3].address, m[0].address, 1)]


def test_clearing_stays_possible_for_blocked_and_exiting_members(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    ab, bc, ca = _owe(units, a, b, 10), _owe(units, b, c, 10), _owe(units, c, a, 10)
    coop.block(b)
    coop.block(c)
    units.settle_clearing(coop.outsider, [(ab, 10), (bc, 10), (ca, 10)])
    assert not units.has_open_obligations(b.address)
    assert not units.has_open_obligations(c.address)
    coop.exit(c)  # an exit decision for a blocked member now goes through


def test_engine_obligations_come_from_the_chain(coop: Coop) -> None:
    a, b, c = coop.members[:3]
    units = coop.units
    ab = _owe(units, a, b, 10)
    units.pay(a, ab, 4)
    issued, _ = units.issue(b, c.address, 3)  # not accepted: not read
    assert issued
    assert read_open_obligations(units) == [Obligation(ab, a.address, b.address, 6)]
