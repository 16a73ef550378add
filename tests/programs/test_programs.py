"""A program of 50 members, end to end on anvil with the mirror: created by a council decision,
joined by accepting its terms (half directly, half by signatures a relayer submits), funded,
spent by a council decision; a member who leaves the program and a member who exits the
cooperative each get exactly their part, and every part in the mirror equals the chain's."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from indexer.queries import programs as q
from node.governance import Action
from node.governance.sandbox import h, now
from node.programs import sign_join
from tests.indexer.conftest import make_indexer
from tests.programs.conftest import (
    MEMBERS,
    TOKEN,
    World,
    council_decides,
    create_program,
    send_batch,
)


def _index(w: World, url: str) -> None:
    idx = make_indexer(w.chain, url, roots=[w.programs.address], finality_depth=0)
    try:
        idx.sync_once()
    finally:
        idx.close()


def _mirror_matches_chain(w: World, url: str, pid: int) -> q.ProgramMembersPublic:
    _index(w, url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            members = q.program_members(conn, w.programs.address, pid)
    finally:
        engine.dispose()
    info = w.programs.program(pid)
    assert (members.program.balance, members.program.total_units) == (
        info.balance,
        info.total_units,
    )
    assert members.program.members == info.members == members.count
    for m in members.data:
        assert m.part == w.programs.part_of(pid, m.account), m
        assert m.units == w.programs.position(pid, m.account).units
    holders = sum(1 for m in members.data if m.units)
    assert 0 <= info.balance - members.parts_total < max(holders, 1)
    return members


def test_fifty_members_collect_spend_and_leave_with_their_part(
    world: World, tmp_path: Path
) -> None:
    w, p = world, world.programs
    url = f"sqlite:///{tmp_path / 'mirror.db'}"
    pid = create_program(w, "Совместная покупка трактора", h("условия программы «Трактор»"))
    terms = p.program(pid).terms
    deadline = now(w.chain) + 3_600
    f = p.contract.functions
    joins = []
    for i, m in enumerate(w.members):
        if i % 2:
            joins.append((f.join(pid, terms), m))
        else:
            sig = sign_join(m, p.join_typed_data(pid, m.address, deadline))
            joins.append((f.joinBySig(pid, m.address, terms, deadline, sig), w.sb.deployer))
    send_batch(w.chain, joins)
    assert p.program(pid).members == MEMBERS
    # Uneven amounts: roundings happen.
    amounts = [(i + 1) * 100 * TOKEN + 7 * i for i in range(MEMBERS)]
    send_batch(
        w.chain, [(f.contribute(pid, a), m) for a, m in zip(amounts, w.members, strict=True)]
    )
    contributed = sum(amounts)
    assert p.program(pid).balance == contributed == p.token_balance()

    # The council spends by decision; every part shrinks pro rata.
    spend = contributed // 3 + 12_345
    seller = w.sb.deployer.address
    before = p.token_balance(seller)
    council_decides(w, [p.spend_action(pid, seller, spend, h("договор купли-продажи"))], "buy")
    assert p.token_balance(seller) - before == spend
    # Late contributions buy units at the lower price.
    p.contribute(w.members[0], pid, 333 * TOKEN + 1)
    members = _mirror_matches_chain(w, url, pid)
    parts = {m.account: m.part for m in members.data}

    # A member leaves the program: paid exactly the part the mirror showed.
    leaver = w.members[7]
    before = p.token_balance(leaver.address)
    p.leave(leaver, pid)
    assert p.token_balance(leaver.address) - before == parts[leaver.address] > 0

    # A member exits the cooperative; anybody then pays them their part.
    exiting = w.members[8]
    membership = w.sb.cooperative.membership
    w.sb.cooperative.request_exit(exiting, h("заявление о выходе"))
    council_decides(
        w, [Action.call(membership, "exit", exiting.address, h("решение о выходе"))], "exit"
    )
    assert not w.sb.cooperative.is_active_member(exiting.address)
    before = p.token_balance(exiting.address)
    p.release(w.sb.deployer, pid, exiting.address)
    assert p.token_balance(exiting.address) - before == parts[exiting.address] > 0

    members = _mirror_matches_chain(w, url, pid)
    assert members.count == MEMBERS - 2
    assert leaver.address not in {m.account for m in members.data}
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            mine = q.member_programs(conn, p.address, w.members[0].address)
            listed = q.programs(conn, p.address)
    finally:
        engine.dispose()
    assert [m.part for m in mine.data] == [p.part_of(pid, w.members[0].address)]
    assert [x.purpose for x in listed.data if x.program_id == pid] == [
        "Совместная покупка трактора"
    ]
    # Everyone else leaves: the program ends empty, nothing stuck.
    send_batch(w.chain, [(f.leave(pid), m) for m in w.members if p.position(pid, m.address).joined])
    assert p.program(pid).balance == 0 and p.token_balance() == 0
    _mirror_matches_chain(w, url, pid)
