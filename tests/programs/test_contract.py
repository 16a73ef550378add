"""TargetPrograms rules, each with the attack it refuses: creation and spending only by a council
decision, a spend capped by its own program's balance (never another's), joining only with the
program's terms (signed acceptances relayed once, for this contract and member only), parts paid
once, outsiders refused, a hostile token's reentry refused, installation by the executor only."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from eth_account.signers.local import LocalAccount

from indexer.queries import programs as programs_q
from node.chain.client import Chain
from node.cooperative.client import CooperativeKind
from node.cooperative.deploy import deploy_network
from node.governance import Action
from node.governance._utils import events
from node.governance.sandbox import (
    apply_ready,
    fund,
    generated_accounts,
    h,
    now,
    sandbox_cooperative,
)
from node.programs import TargetPrograms, install_programs, part_of, sign_join, units_for
from tests.indexer.conftest import make_indexer
from tests.programs.conftest import TOKEN, World, council_decides, create_program, expect_revert


def _state(w: World, *program_ids: int) -> object:
    p = w.programs
    people = [m.address for m in w.members[:6]]
    return (
        tuple(p.program(i) for i in program_ids),
        tuple(p.position(i, a) for i in program_ids for a in people),
        tuple(p.token_balance(a) for a in [*people, p.address]),
    )


def _joined(w: World, program_id: int, members: list[LocalAccount], amount: int) -> None:
    terms = w.programs.program(program_id).terms
    for m in members:
        w.programs.join(m, program_id, terms)
        if amount:
            w.programs.contribute(m, program_id, amount)


def test_create_and_spend_only_by_decision(world: World) -> None:
    w, p = world, world.programs
    stranger, member = w.sb.deployer, w.members[0]
    for who in (stranger, member, w.sb.chair):
        expect_revert(
            lambda who=who: w.chain.transact(
                p.contract.functions.createProgram("дом", h("t"), h("d")), who
            ),
            "TargetProgramsNotDecisionExecutor",
        )
    pid = create_program(w, "Совместная закупка")
    _joined(w, pid, w.members[:2], 100 * TOKEN)
    before = _state(w, pid)
    for who in (stranger, member, w.sb.chair):
        expect_revert(
            lambda who=who: w.chain.transact(
                p.contract.functions.spend(pid, who.address, TOKEN, h("d")), who
            ),
            "TargetProgramsNotDecisionExecutor",
        )
        expect_revert(
            lambda who=who: w.chain.transact(p.contract.functions.closeProgram(pid, h("d")), who),
            "TargetProgramsNotDecisionExecutor",
        )
    assert _state(w, pid) == before
    # The decision spends, with its document in the event.
    sent = council_decides(w, [p.spend_action(pid, stranger.address, 50 * TOKEN, h("buy"))], "s")
    (ev,) = events(p.contract, "ProgramSpent", sent.receipt)
    assert ev["args"]["decision"] == h("buy") and ev["args"]["amount"] == 50 * TOKEN
    assert p.program(pid).balance == 150 * TOKEN
    assert p.part_of(pid, member.address) == 75 * TOKEN


def test_spend_capped_by_own_balance_never_another_programs(world: World) -> None:
    w, p = world, world.programs
    a, b = create_program(w, "Дом"), create_program(w, "Автомобиль")
    _joined(w, a, w.members[:2], 100 * TOKEN)
    _joined(w, b, w.members[2:4], 1_000 * TOKEN)
    before = _state(w, a, b)
    # The council cannot take 300 from program a (holding 200) although the contract holds 2,200.
    expect_revert(
        lambda: council_decides(
            w, [p.spend_action(a, w.sb.deployer.address, 300 * TOKEN, h("x"))], "x"
        ),
        "TargetProgramsInsufficientBalance",
    )
    assert _state(w, a, b) == before
    council_decides(w, [p.spend_action(a, w.sb.deployer.address, 200 * TOKEN, h("y"))], "y")
    assert p.program(b).balance == 2_000 * TOKEN
    assert p.part_of(b, w.members[2].address) == 1_000 * TOKEN
    # a is empty: its members' parts are zero, the program moved to a new epoch.
    info = p.program(a)
    assert (info.balance, info.total_units, info.epoch) == (0, 0, 1)
    assert p.position(a, w.members[0].address).units == 0
    # Leaving a pays nothing and touches b's money not at all.
    p.leave(w.members[0], a)
    assert p.token_balance() == 2_000 * TOKEN
    # Zero amounts, zero recipients, zero decisions, unknown programs: refused.
    for action, error in (
        (p.spend_action(b, w.sb.deployer.address, 0, h("z")), "TargetProgramsZeroAmount"),
        (p.spend_action(b, w.sb.deployer.address, 1, bytes(32)), "TargetProgramsZeroHash"),
        (p.spend_action(99, w.sb.deployer.address, 1, h("z")), "TargetProgramsUnknownProgram"),
        (p.spend_action(b, "0x" + "00" * 20, 1, h("z")), "TargetProgramsZeroAddress"),
    ):
        expect_revert(lambda action=action: council_decides(w, [action], "z"), error)


def test_join_needs_the_terms_and_membership(world: World) -> None:
    w, p = world, world.programs
    pid = create_program(w, "Цифровой кошелёк", h("terms v1"))
    m = w.members[0]
    expect_revert(lambda: p.join(m, pid, h("terms v0")), "TargetProgramsTermsMismatch")
    expect_revert(lambda: p.join(m, 99, h("terms v1")), "TargetProgramsUnknownProgram")
    outsider = generated_accounts(1, "outsider")[0]
    w.chain.w3.provider.make_request(  # type: ignore[arg-type]
        "anvil_setBalance", [outsider.address, hex(10**20)]
    )
    expect_revert(lambda: p.join(outsider, pid, h("terms v1")), "TargetProgramsNotActiveMember")
    # Not joined: no contribution.
    expect_revert(lambda: p.contribute(m, pid, TOKEN), "TargetProgramsNotJoined")
    sent = p.join(m, pid, h("terms v1"))
    (ev,) = events(p.contract, "ProgramJoined", sent.receipt)
    assert ev["args"]["terms"] == h("terms v1") and ev["args"]["member"] == m.address
    expect_revert(lambda: p.join(m, pid, h("terms v1")), "TargetProgramsAlreadyJoined")
    # A closed program takes no joins or contributions; its members still leave.
    p.contribute(m, pid, 10 * TOKEN)
    council_decides(w, [p.close_action(pid, h("close"))], "close")
    expect_revert(lambda: p.join(w.members[1], pid, h("terms v1")), "TargetProgramsProgramClosed")
    expect_revert(lambda: p.contribute(m, pid, TOKEN), "TargetProgramsProgramClosed")
    p.leave(m, pid)
    assert p.program(pid).balance == 0


def test_signed_acceptance_relayed_once(world: World) -> None:
    w, p = world, world.programs
    pid = create_program(w, "Ремонт")
    m, relayer = w.members[1], w.sb.deployer
    deadline = now(w.chain) + 3600
    data = p.join_typed_data(pid, m.address, deadline)
    sig = sign_join(m, data)
    terms = p.program(pid).terms
    # Someone else's signature, other terms, an expired deadline: refused.
    other = sign_join(w.members[2], data)
    expect_revert(
        lambda: p.join_by_sig(relayer, pid, m.address, terms, deadline, other),
        "TargetProgramsInvalidSignature",
    )
    expect_revert(
        lambda: p.join_by_sig(relayer, pid, m.address, h("other"), deadline, sig),
        "TargetProgramsInvalidSignature",
    )
    expect_revert(
        lambda: p.join_by_sig(relayer, pid, m.address, terms, now(w.chain) - 1, sig),
        "TargetProgramsSignatureExpired",
    )
    p.join_by_sig(relayer, pid, m.address, terms, deadline, sig)
    assert p.position(pid, m.address).joined
    # After leaving, the old signature cannot rejoin the member (the nonce moved on).
    p.leave(m, pid)
    expect_revert(
        lambda: p.join_by_sig(relayer, pid, m.address, terms, deadline, sig),
        "TargetProgramsInvalidSignature",
    )


def test_part_paid_once_and_outsiders_refused(world: World) -> None:
    w, p = world, world.programs
    pid = create_program(w, "Закупка зерна")
    a, b, c = w.members[:3]
    _joined(w, pid, [a, b, c], 0)
    p.contribute(a, pid, 100 * TOKEN)
    p.contribute(b, pid, 200 * TOKEN)
    council_decides(w, [p.spend_action(pid, w.sb.deployer.address, 100 * TOKEN, h("sp"))], "sp")
    info = p.program(pid)
    # After a spend, contributions buy units at the lower price, rounded down.
    p.contribute(c, pid, 7)
    assert p.position(pid, c.address).units == units_for(7, info.balance, info.total_units)
    info = p.program(pid)
    want = part_of(p.position(pid, a.address).units, info.balance, info.total_units)
    before = p.token_balance(a.address)
    p.leave(a, pid)
    assert p.token_balance(a.address) - before == want
    expect_revert(lambda: p.leave(a, pid), "TargetProgramsNotJoined")
    expect_revert(lambda: p.leave(w.members[5], pid), "TargetProgramsNotJoined")
    # Release is for those no longer members: an active member's part stays theirs to take.
    expect_revert(lambda: p.release(w.sb.deployer, pid, b.address), "TargetProgramsStillMember")
    # The last unit holders take the whole balance: nothing is left behind.
    p.leave(b, pid)
    p.leave(c, pid)
    assert p.program(pid).balance == 0
    assert p.token_balance() == 0


def test_hostile_token_reentry_refused(chain: Chain, accounts: list[LocalAccount]) -> None:
    """A cooperative whose payment token calls a hook before the contract's tokens move out: a
    departure whose hook calls back into the contract (leave again, spend) is refused whole."""
    deployer, member = accounts[0], generated_accounts(1, "hook")[0]
    fund(chain, [member.address])
    token, _ = chain.deploy("TestHookToken", 0, sender=deployer)
    network = deploy_network(chain, deployer)
    coop = sandbox_cooperative(
        chain,
        deployer,
        network.factory,
        token.address,
        "Кооператив «Крюк»",
        CooperativeKind.CONSUMER,
        accounts[1],
        accounts[1:4],
    )
    apply_ready(coop, accounts[1], deployer, member, "hook")
    coop.admit(deployer, member.address, h("admit hook"))
    record = install_programs(chain, deployer, coop.addresses.to_dict())
    p = TargetPrograms(chain, str(record["target_programs"]))
    sent = chain.transact(p.contract.functions.createProgram("дом", h("t"), h("d")), deployer)
    (pid,) = p.created_ids(sent)
    chain.transact(token.functions.mint(member.address, 1_000), deployer)
    p.approve(member)
    p.join(member, pid, h("t"))
    p.contribute(member, pid, 1_000)
    hook, _ = chain.deploy("TestReentrantCaller", sender=deployer)
    chain.transact(token.functions.setHook(p.address, hook.address), deployer)
    for data in (
        p.contract.encode_abi("leave", [pid]),
        p.contract.encode_abi("release", [pid, member.address]),
    ):
        chain.transact(hook.functions.setCall(p.address, data), deployer)
        expect_revert(lambda: p.leave(member, pid), "TargetProgramsReentrantCall")
        assert p.part_of(pid, member.address) == 1_000
    chain.transact(hook.functions.setCall(p.address, b""), deployer)
    p.leave(member, pid)
    assert p.token_balance(member.address) == 1_000 and p.token_balance() == 0


def test_installation_only_by_the_executor(world: World) -> None:
    w = world
    inst = w.chain.contract("TargetProgramsInstaller", str(w.record["installer"]))
    charter = w.sb.cooperative.addresses.charter
    for who in (w.sb.deployer, w.members[0], w.sb.chair):
        expect_revert(
            lambda who=who: w.chain.transact(inst.functions.install(charter), who),
            "TargetProgramsInstallerNotDecisionExecutor",
        )
    # The clone was initialised in the creating transaction: nobody can re-initialise it.
    expect_revert(
        lambda: w.chain.transact(w.programs.contract.functions.initialize(charter), w.sb.deployer),
        "InvalidInitialization",
    )
    # Key recovery hooks answer Membership only.
    expect_revert(
        lambda: w.chain.transact(
            w.programs.contract.functions.rebindMember(w.members[0].address, w.sb.deployer.address),
            w.sb.deployer,
        ),
        "TargetProgramsNotMembership",
    )


def test_key_recovery_moves_every_position(world: World, tmp_path: Path) -> None:
    """A member who lost their key keeps their parts: the council's recovery decision rebinds
    the membership, and Membership tells the programs contract (an obligation source), which
    moves every position at once; the old key can no longer take anything out."""
    w, p = world, world.programs
    a, b = create_program(w, "Дача"), create_program(w, "Лодка")
    lost = w.members[20]
    _joined(w, a, [lost, w.members[21]], 40 * TOKEN)
    _joined(w, b, [lost], 60 * TOKEN)
    new = generated_accounts(1, "new key")[0]
    fund(w.chain, [new.address])
    membership = w.sb.cooperative.membership
    council_decides(
        w,
        [Action.call(membership, "recoverMembership", lost.address, new.address, h("recovery"))],
        "recovery",
    )
    assert p.position(a, lost.address).joined is False
    assert p.part_of(a, new.address) == 40 * TOKEN and p.part_of(b, new.address) == 60 * TOKEN
    expect_revert(lambda: p.leave(lost, a), "TargetProgramsNotJoined")
    # The mirror follows: the positions are the new address's, none is left at the old one.
    url = f"sqlite:///{tmp_path / 'mirror.db'}"
    idx = make_indexer(w.chain, url, roots=[p.address], finality_depth=0)
    try:
        idx.sync_once()
    finally:
        idx.close()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            moved = programs_q.member_programs(conn, p.address, new.address)
            left = programs_q.member_programs(conn, p.address, lost.address)
    finally:
        engine.dispose()
    assert {(m.program_id, m.part) for m in moved.data} == {(a, 40 * TOKEN), (b, 60 * TOKEN)}
    assert left.data == []
    before = p.token_balance(new.address)
    p.leave(new, a)
    p.leave(new, b)
    assert p.token_balance(new.address) - before == 100 * TOKEN
