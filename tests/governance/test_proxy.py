"""Proxies (доверенности) on a real chain: a member lets another member vote for them in one
meeting; every attack is performed and seen refused: double votes in both orders, a holder over
the charter's cap, an expired, revoked or other meeting's proxy, forged and replayed signatures,
a non-member holder, a principal who has left; the tally and the quorum count each member once."""

from __future__ import annotations

from pathlib import Path

from eth_account.signers.local import LocalAccount

from indexer import queries as q
from indexer.audit import audit_raw
from indexer.db import make_engine
from node.governance import Action, Choice, Majority, Question
from node.governance.proxies import MeetingProxies, ProxyStatus, ProxyTerms, sign_typed
from node.governance.sandbox import Sandbox, fund, generated_accounts, h, now, warp
from tests.governance.conftest import DAY, convene, end_voting, expect_revert, open_voting
from tests.indexer.conftest import make_indexer

F, A, X = Choice.FOR, Choice.AGAINST, Choice.ABSTAIN


def proxies(sb: Sandbox) -> MeetingProxies:
    p = sb.governance.proxies
    assert p is not None, "every installation creates the meeting's proxies"
    return p


def terms(
    sb: Sandbox, meeting_id: int, principal: LocalAccount, holder: str, *, days: int = 30
) -> ProxyTerms:
    return ProxyTerms(
        meeting_id=meeting_id,
        principal=principal.address,
        holder=holder,
        expires_at=now(sb.chain) + days * DAY,
        document_hash=h(f"proxy {meeting_id} {principal.address} {holder}"),
    )


def give(sb: Sandbox, meeting_id: int, principal: LocalAccount, holder: str, **kw: int) -> None:
    """The principal signs the proxy; the relayer (the deployer) submits it."""
    p = proxies(sb)
    t = terms(sb, meeting_id, principal, holder, **kw)
    p.issue_by_sig(sb.deployer, t, sign_typed(principal, p.proxy_typed_data(t)))


def test_installer_wires_proxies_to_the_meeting(coop: Sandbox) -> None:
    p = proxies(coop)
    meeting = coop.governance.meeting
    assert p.contract.functions.generalMeeting().call() == meeting.address
    assert coop.record["meeting_proxies"] == p.address
    # Only the cooperative's MeetingProxies may cast a ballot for a principal.
    meeting_id = convene(coop, [Question(h("q"))])
    open_voting(coop, meeting_id)
    expect_revert(
        lambda: coop.chain.transact(
            meeting.contract.functions.castProxyBallot(
                meeting_id, coop.members[0].address, [int(F)]
            ),
            coop.members[1],
        ),
        "GeneralMeetingNotProxies",
    )
    # A fresh clone cannot be initialised again.
    expect_revert(
        lambda: coop.chain.transact(
            p.contract.functions.initialize(
                coop.members[0].address, coop.members[0].address, coop.members[0].address
            ),
            coop.members[0],
        ),
        "InvalidInitialization",
    )


def test_holder_votes_for_principal_and_self_tally_counts_two(coop: Sandbox) -> None:
    p = proxies(coop)
    meeting = coop.governance.meeting
    principal, holder = coop.members[0], coop.members[1]
    meeting_id = convene(coop, [Question(h("q"))])
    give(coop, meeting_id, principal, holder.address)
    info = p.proxy_of(meeting_id, principal.address)
    assert (info.holder, info.status) == (holder.address, ProxyStatus.ACTIVE)
    assert p.represented_count(meeting_id, holder.address) == 1

    open_voting(coop, meeting_id)
    meeting.cast_ballot(holder, meeting_id, [F])  # the holder's own vote
    p.cast(holder, meeting_id, principal.address, [A])  # the principal's, by proxy
    q = meeting.contract.functions.question(meeting_id, 0).call()
    assert (q[3], q[4]) == (1, 1)  # one for, one against
    assert meeting.meeting(meeting_id).participants == 2
    assert meeting.contract.functions.hasVoted(meeting_id, principal.address).call()
    assert p.proxy_of(meeting_id, principal.address).status is ProxyStatus.USED


def test_principal_then_proxy_and_proxy_then_principal_are_refused(coop: Sandbox) -> None:
    p = proxies(coop)
    meeting = coop.governance.meeting
    a, b, holder = coop.members[0], coop.members[1], coop.members[2]
    meeting_id = convene(coop, [Question(h("q"))])
    give(coop, meeting_id, a, holder.address)
    give(coop, meeting_id, b, holder.address)
    open_voting(coop, meeting_id)

    # The principal votes first: the proxy is void for them.
    meeting.cast_ballot(a, meeting_id, [F])
    expect_revert(lambda: p.cast(holder, meeting_id, a.address, [A]), "GeneralMeetingAlreadyVoted")
    # Revoking it then only frees the holder's place.
    p.revoke(a, meeting_id)
    assert p.represented_count(meeting_id, holder.address) == 1

    # The proxy votes first: the principal cannot vote again, nor revoke.
    p.cast(holder, meeting_id, b.address, [F])
    expect_revert(lambda: meeting.cast_ballot(b, meeting_id, [A]), "GeneralMeetingAlreadyVoted")
    sb = meeting.sign_ballot(b, meeting_id, [A])
    expect_revert(
        lambda: meeting.cast_ballot_by_sig(coop.deployer, sb), "GeneralMeetingAlreadyVoted"
    )
    expect_revert(lambda: p.revoke(b, meeting_id), "MeetingProxiesAlreadyVoted")
    # Nor can the proxy be used twice.
    expect_revert(lambda: p.cast(holder, meeting_id, b.address, [F]), "MeetingProxiesNoProxy")
    # A second proxy cannot be given once the principal has voted.
    expect_revert(
        lambda: give(coop, meeting_id, b, coop.members[3].address), "MeetingProxiesAlreadyVoted"
    )
    assert meeting.meeting(meeting_id).participants == 2


def test_holder_over_the_charter_cap_is_refused(coop: Sandbox) -> None:
    p = proxies(coop)
    cap = coop.cooperative.charter.functions.proxyCap().call()
    assert cap == 3
    holder = coop.members[11]
    meeting_id = convene(coop, [Question(h("q"))])
    for principal in coop.members[:cap]:
        give(coop, meeting_id, principal, holder.address)
    extra = coop.members[cap]
    expect_revert(lambda: give(coop, meeting_id, extra, holder.address), "MeetingProxiesCapReached")
    # A revocation frees a place; the cap is per meeting.
    p.revoke(coop.members[0], meeting_id)
    give(coop, meeting_id, extra, holder.address)
    other = convene(coop, [Question(h("q2"))], label="other")
    give(coop, other, coop.members[0], holder.address)
    # Only a general-meeting decision changes the cap: not the council's key holders directly.
    expect_revert(
        lambda: coop.chain.transact(
            coop.cooperative.charter.functions.setProxyCap(10), coop.deployer
        ),
        "CharterNotDecisionExecutor",
    )


def test_expired_proxy_is_refused(coop: Sandbox) -> None:
    p = proxies(coop)
    principal, holder = coop.members[0], coop.members[1]
    meeting_id = convene(coop, [Question(h("q"))])
    # Valid until one day before voting opens.
    opens = coop.governance.meeting.meeting(meeting_id).opens_at
    t = ProxyTerms(meeting_id, principal.address, holder.address, opens - DAY, h("short proxy"))
    p.issue(principal, t)
    open_voting(coop, meeting_id)
    expect_revert(
        lambda: p.cast(holder, meeting_id, principal.address, [F]), "MeetingProxiesExpired"
    )
    # An expiry in the past is refused at issue.
    t2 = ProxyTerms(meeting_id, coop.members[2].address, holder.address, now(coop.chain), h("x"))
    expect_revert(lambda: p.issue(coop.members[2], t2), "MeetingProxiesInvalidExpiry")


def test_revoked_proxy_is_refused_and_cannot_be_replayed(coop: Sandbox) -> None:
    p = proxies(coop)
    principal, holder = coop.members[0], coop.members[1]
    meeting_id = convene(coop, [Question(h("q"))])
    t = terms(coop, meeting_id, principal, holder.address)
    signature = sign_typed(principal, p.proxy_typed_data(t))
    p.issue_by_sig(coop.deployer, t, signature)
    # The same signature again: the nonce moved on.
    expect_revert(
        lambda: p.issue_by_sig(coop.deployer, t, signature), "MeetingProxiesInvalidSignature"
    )
    revocation = sign_typed(principal, p.revocation_typed_data(meeting_id, principal.address))
    p.revoke_by_sig(coop.deployer, meeting_id, principal.address, revocation)
    assert p.proxy_of(meeting_id, principal.address).status is ProxyStatus.REVOKED
    # Relaying the old proxy signature cannot revive it; nor the revocation twice.
    expect_revert(
        lambda: p.issue_by_sig(coop.deployer, t, signature), "MeetingProxiesInvalidSignature"
    )
    expect_revert(
        lambda: p.revoke_by_sig(coop.deployer, meeting_id, principal.address, revocation),
        "MeetingProxiesInvalidSignature",
    )
    open_voting(coop, meeting_id)
    expect_revert(
        lambda: p.cast(holder, meeting_id, principal.address, [F]), "MeetingProxiesNoProxy"
    )
    # Only the principal revokes: the holder cannot revoke someone else's proxy directly.
    give(coop, meeting_id, coop.members[2], holder.address)
    expect_revert(lambda: p.revoke(holder, meeting_id), "MeetingProxiesNoProxy")


def test_proxy_for_another_meeting_is_refused(coop: Sandbox) -> None:
    p = proxies(coop)
    principal, holder = coop.members[0], coop.members[1]
    first = convene(coop, [Question(h("q1"))], label="first")
    second = convene(coop, [Question(h("q2"))], label="second")
    give(coop, first, principal, holder.address)
    open_voting(coop, second)
    expect_revert(lambda: p.cast(holder, second, principal.address, [F]), "MeetingProxiesNoProxy")
    # A holder's signed ballot for the first meeting does not verify for the second.
    data = p.proxy_ballot_typed_data(first, principal.address, holder.address, [F])
    sig = sign_typed(holder, data)
    expect_revert(
        lambda: p.cast_by_sig(coop.deployer, second, principal.address, holder.address, [F], sig),
        "MeetingProxiesInvalidSignature",
    )
    p.cast_by_sig(coop.deployer, first, principal.address, holder.address, [F], sig)
    # Replaying the holder's signed ballot is refused: the proxy is used.
    expect_revert(
        lambda: p.cast_by_sig(coop.deployer, first, principal.address, holder.address, [F], sig),
        "MeetingProxiesNoProxy",
    )


def test_forged_signatures_are_refused(coop: Sandbox) -> None:
    p = proxies(coop)
    principal, holder, forger = coop.members[0], coop.members[1], coop.members[2]
    meeting_id = convene(coop, [Question(h("q"))])
    t = terms(coop, meeting_id, principal, holder.address)
    # Signed by someone else, or with the terms changed after signing.
    expect_revert(
        lambda: p.issue_by_sig(coop.deployer, t, sign_typed(forger, p.proxy_typed_data(t))),
        "MeetingProxiesInvalidSignature",
    )
    good = sign_typed(principal, p.proxy_typed_data(t))
    changed = ProxyTerms(t.meeting_id, t.principal, forger.address, t.expires_at, t.document_hash)
    expect_revert(
        lambda: p.issue_by_sig(coop.deployer, changed, good), "MeetingProxiesInvalidSignature"
    )
    # Directly, only for oneself.
    expect_revert(lambda: p.issue(forger, t), "MeetingProxiesNotPrincipal")
    p.issue_by_sig(coop.deployer, t, good)
    open_voting(coop, meeting_id)
    # The forger signs a proxy ballot in the holder's name: refused; a direct vote by the
    # forger is no vote of the holder's either.
    data = p.proxy_ballot_typed_data(meeting_id, principal.address, holder.address, [A])
    expect_revert(
        lambda: p.cast_by_sig(
            coop.deployer,
            meeting_id,
            principal.address,
            holder.address,
            [A],
            sign_typed(forger, data),
        ),
        "MeetingProxiesInvalidSignature",
    )
    expect_revert(
        lambda: p.cast(forger, meeting_id, principal.address, [A]), "MeetingProxiesNoProxy"
    )


def test_non_member_holder_and_self_proxy_are_refused(coop: Sandbox) -> None:
    p = proxies(coop)
    (outsider,) = generated_accounts(1, "outsider")
    fund(coop.chain, [outsider.address])
    principal = coop.members[0]
    meeting_id = convene(coop, [Question(h("q"))])
    expect_revert(
        lambda: give(coop, meeting_id, principal, outsider.address), "MeetingProxiesNotVoter"
    )
    # Nor may an outsider give a proxy, nor a member name themselves.
    t = terms(coop, meeting_id, outsider, coop.members[1].address)
    expect_revert(lambda: p.issue(outsider, t), "MeetingProxiesNotVoter")
    expect_revert(
        lambda: give(coop, meeting_id, principal, principal.address), "MeetingProxiesSelfProxy"
    )
    # A member admitted after convening is not in the register: no holder of this meeting.
    (late,) = generated_accounts(1, "late member")
    fund(coop.chain, [late.address])
    coop.applicant(late, "late")
    admit_by_council(coop, late.address)
    assert coop.cooperative.is_active_member(late.address)
    expect_revert(lambda: give(coop, meeting_id, principal, late.address), "MeetingProxiesNotVoter")


def admit_by_council(sb: Sandbox, account: str) -> None:
    """An admission decision of the council (the executor since the hand-over)."""
    from node.governance import Action, VoteType

    membership = sb.cooperative.membership
    doc = h(f"admission {account}")
    action = Action.call(membership, "admit", account, doc)
    council = sb.governance.council
    item_id, _ = council.propose(sb.council[0], doc, [action])
    for member in sb.council[:2]:
        council.vote(member, item_id, VoteType.FOR)
    council.sign_protocol(sb.chair, item_id, doc)
    council.execute(sb.chair, item_id, [action])


def test_proxy_after_the_member_left_is_refused(coop: Sandbox) -> None:
    p = proxies(coop)
    principal, holder = coop.members[0], coop.members[1]
    meeting_id = convene(coop, [Question(h("q"))])
    give(coop, meeting_id, principal, holder.address)
    give(coop, meeting_id, coop.members[2], holder.address)
    # The principal applies to leave: no longer an active member, nobody votes for them.
    coop.cooperative.request_exit(principal, h("exit application"))
    assert not coop.cooperative.is_active_member(principal.address)
    open_voting(coop, meeting_id)
    expect_revert(
        lambda: p.cast(holder, meeting_id, principal.address, [F]), "MeetingProxiesPrincipalLeft"
    )
    # A holder who leaves can no longer use the proxies they hold.
    coop.cooperative.request_exit(holder, h("holder exit application"))
    expect_revert(
        lambda: p.cast(holder, meeting_id, coop.members[2].address, [F]), "MeetingProxiesNotVoter"
    )


def test_quorum_counts_members_represented_by_proxy(coop: Sandbox) -> None:
    """12 members, quorum more than half: 4 vote themselves, 3 through two holders -> 7 present."""
    p = proxies(coop)
    meeting = coop.governance.meeting
    meeting_id = convene(coop, [Question(h("q"))])
    holders = coop.members[:2]
    principals = coop.members[4:7]
    give(coop, meeting_id, principals[0], holders[0].address)
    give(coop, meeting_id, principals[1], holders[0].address)
    give(coop, meeting_id, principals[2], holders[1].address)
    open_voting(coop, meeting_id)
    for voter in coop.members[:4]:
        meeting.cast_ballot(voter, meeting_id, [F])
    p.cast(holders[0], meeting_id, principals[0].address, [F])
    p.cast(holders[0], meeting_id, principals[1].address, [A])
    p.cast(holders[1], meeting_id, principals[2].address, [X])
    end_voting(coop, meeting_id)
    meeting.close(coop.deployer, meeting_id)
    info = meeting.meeting(meeting_id)
    assert (info.participants, info.eligible, info.accepted_mask) == (7, 12, 1)
    assert info.state.name == "HELD"
    # Too late now: the meeting no longer takes proxies.
    warp(coop.chain, now(coop.chain) + DAY)
    expect_revert(
        lambda: give(coop, meeting_id, coop.members[8], holders[1].address),
        "MeetingProxiesMeetingNotOpen",
    )


def test_mirror_lists_proxies_and_audits_them(coop: Sandbox, tmp_path: Path) -> None:
    """The indexer mirrors proxies given, revoked and used; the meeting's ballots carry the
    principal's proxy ballot; `coop audit` compares every mirrored proxy with `proxyOf`."""
    p = proxies(coop)
    meeting = coop.governance.meeting
    a, b, holder = coop.members[0], coop.members[1], coop.members[2]
    meeting_id = convene(coop, [Question(h("q")), Question(h("q2"))])
    give(coop, meeting_id, a, holder.address)
    give(coop, meeting_id, b, holder.address)
    p.revoke(b, meeting_id)
    open_voting(coop, meeting_id)
    p.cast(holder, meeting_id, a.address, [F, A])
    meeting.cast_ballot(holder, meeting_id, [A, A])

    live = f"sqlite:///{tmp_path / 'live.db'}"
    make_indexer(coop.chain, live).sync_once()
    charter = coop.cooperative.addresses.charter
    engine = make_engine(live)
    try:
        with engine.connect() as conn:
            mt = next(m for m in q.meetings(conn, charter).data if m.meeting_id == meeting_id)
            assert mt.participants == 2
            by = {x.principal: x for x in mt.proxies}
            assert by[a.address].status == "used" and by[a.address].choices == [1, 0]
            assert by[b.address].status == "revoked"
            assert by[a.address].holder == holder.address
            assert [x.voter for x in mt.ballots] == [a.address, holder.address]
            mine = q.proxies_of(conn, holder.address, charter)
            assert sorted(x.principal for x in mine.received) == sorted([a.address, b.address])
            assert mine.given == []
            given = q.proxies_of(conn, a.address, charter).given
            assert [x.document_hash for x in given] == [
                "0x" + h(f"proxy {meeting_id} {a.address} {holder.address}").hex()
            ]
    finally:
        engine.dispose()
    report = audit_raw(coop.chain, live, f"sqlite:///{tmp_path / 'scratch.db'}")
    assert report.ok, report.differences
    assert report.compared["views:proxies"] >= 2


def test_only_a_three_quarters_meeting_decision_changes_the_cap(coop: Sandbox) -> None:
    """The cap is a charter provision: a question setting it must carry a 3/4 majority (the
    convener cannot lower it), and once accepted and executed the new cap holds."""
    charter = coop.cooperative.charter
    action = Action.call(charter, "setProxyCap", 1)
    expect_revert(
        lambda: convene(coop, [Question(h("cap simple"), Majority.SIMPLE, (action,))]),
        "GeneralMeetingMajorityTooLow",
    )
    meeting = coop.governance.meeting
    meeting_id = convene(coop, [Question(h("cap"), Majority.THREE_QUARTERS, (action,))])
    open_voting(coop, meeting_id)
    for voter in coop.members[:9]:  # 9 of 12 present and for: exactly 3/4 of those voting
        meeting.cast_ballot(voter, meeting_id, [F])
    end_voting(coop, meeting_id)
    meeting.close(coop.deployer, meeting_id)
    meeting.sign_protocol(coop.secretary, meeting_id, h("cap protocol"))
    meeting.sign_protocol(coop.chair, meeting_id, h("cap protocol"))
    meeting.execute(coop.deployer, meeting_id, 0)
    assert charter.functions.proxyCap().call() == 1
    # The new cap holds for the next meeting.
    p = proxies(coop)
    holder = coop.members[11]
    next_id = convene(coop, [Question(h("after"))], label="after the cap")
    give(coop, next_id, coop.members[0], holder.address)
    expect_revert(
        lambda: give(coop, next_id, coop.members[1], holder.address), "MeetingProxiesCapReached"
    )
    assert p.represented_count(next_id, holder.address) == 1


def test_a_gas_burning_wallet_cannot_burn_the_relayers_gas(
    accounts: list[LocalAccount], coop: Sandbox
) -> None:
    """A contract principal whose ERC-1271 check burns all the gas it is given: the relayed act
    fails as an invalid signature having spent at most the wallet's cap (100,000 gas), not the
    3,000,000 the relayer allowed."""
    chain, p, relayer = coop.chain, proxies(coop), coop.deployer
    wallet, _ = chain.deploy("TestGasBurnerWallet", accounts[9].address, False, sender=accounts[9])
    fn = p.contract.functions.revokeBySig(1, wallet.address, b"\x01" * 65)
    tx = fn.build_transaction(
        {
            "from": relayer.address,
            "nonce": chain.w3.eth.get_transaction_count(relayer.address, "pending"),
            "chainId": chain.chain_id,
            "gas": 3_000_000,
        }
    )
    sent = chain.w3.eth.send_raw_transaction(relayer.sign_transaction(tx).raw_transaction)
    receipt = chain.w3.eth.wait_for_transaction_receipt(sent, timeout=60)
    assert receipt["status"] == 0
    assert receipt["gasUsed"] < 21_000 + 100_000 + 60_000
    expect_revert(
        lambda: p.revoke_by_sig(relayer, 1, wallet.address, b"\x01" * 65),
        "MeetingProxiesInvalidSignature",
    )
