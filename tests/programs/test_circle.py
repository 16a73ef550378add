"""A target program's own ВРЕ clearing circle: the clearing run scoped to the program's members
clears the debt cycle among them and leaves a cycle that passes through a non-member alone."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from node.governance.sandbox import h
from node.programs import program_circle
from node.units.clearing_run import run_clearing
from node.units.client import SettlementUnitsClient
from tests.programs.conftest import World, create_program


def test_program_circle_clears_only_among_its_members(world: World) -> None:
    w, p = world, world.programs
    pid = create_program(w, "Кольцо обмена")
    a, b, c, outsider = w.members[10:14]
    for m in (a, b, c):
        p.join(m, pid, p.program(pid).terms)
    units = SettlementUnitsClient(w.chain, w.sb.cooperative.addresses.settlement_units)

    counter = iter(range(100))

    def debt(debtor: LocalAccount, creditor: LocalAccount, amount: int) -> int:
        label = f"circle invoice {next(counter)}"
        oid, _ = units.issue(creditor, debtor.address, amount, document_hash=h(label))
        units.accept(debtor, oid)
        return oid

    inside = [debt(a, b, 5), debt(b, c, 5), debt(c, a, 5)]
    outside = [debt(a, outsider, 3), debt(outsider, b, 3), debt(b, a, 3)]
    circle = program_circle(w.chain, p.address, pid)
    assert sorted(circle) == sorted(m.address for m in (a, b, c))
    report = run_clearing(w.chain, units.address, w.sb.deployer, circle=circle, source="chain")
    assert report["circle"] == 3 and report["chunks_failed"] == 0
    # The program's cycle is cleared; the cycle through the outsider is untouched, and so is
    # b -> a (it would clear only with the outsider's debts).
    assert [units.obligation(i).outstanding for i in inside] == [0, 0, 0]
    assert [units.obligation(i).outstanding for i in outside] == [3, 3, 3]
