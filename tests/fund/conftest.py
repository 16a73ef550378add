"""Fixtures for the mutual-aid fund and the property register: one real governed cooperative
(factory, Membership with admitted members, Council + GeneralMeeting holding the executor role)
created once per session before any per-test snapshot, with the fund and the register deployed
and the fund registered as an obligation source by a council decision."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, Sent, TransactionReverted
from node.cooperative.deploy import deploy_network
from node.fund import (
    CouncilSigners,
    FundParams,
    FundRules,
    MutualAidFund,
    PropertyRegistry,
    deploy_fund_and_property,
)
from node.governance import Action, Choice, Convocation, GovernanceParams, Question, VoteType
from node.governance.sandbox import Sandbox, governed_cooperative, h, now, warp

TOKEN = 10**18
DAY = 24 * 3600
MONTH = 30 * DAY
VOTING = 7 * DAY
MEMBERS = 9
BASE_URI = "https://node.example/property/"

#: Rules of the test fund: loans up to twice the unpledged contribution, a 20% reserve, no
#: interest, terms up to two years, at most 5,000 tokens owed per member.
RULES = FundRules(
    loan_to_contribution_bps=20_000,
    reserve_bps=2_000,
    interest_bps=0,
    max_term=24 * MONTH,
    max_loan_per_member=5_000 * TOKEN,
)


@dataclass
class World:
    """The governed cooperative with its fund and register, and who is who."""

    sb: Sandbox
    fund: MutualAidFund
    registry: PropertyRegistry
    record: dict[str, object]

    @property
    def chain(self) -> Chain:
        return self.sb.chain

    @property
    def members(self) -> list[LocalAccount]:
        return self.sb.members

    @property
    def chair(self) -> LocalAccount:
        return self.sb.chair


@pytest.fixture(scope="session")
def world(chain: Chain, accounts: list[LocalAccount]) -> World:
    network = deploy_network(chain, accounts[0])
    sb = governed_cooperative(
        chain, accounts, MEMBERS, GovernanceParams(), network=network, label="Касса"
    )
    record = deploy_fund_and_property(
        chain,
        sb.deployer,
        sb.cooperative.addresses.to_dict(),
        FundParams(
            rules=RULES,
            base_uri=BASE_URI,
            council=CouncilSigners(sb.council[0], sb.council[:2], sb.chair),
        ),
    )
    fund = MutualAidFund(chain, str(record["mutual_aid_fund"]))
    registry = PropertyRegistry(chain, str(record["property_registry"]))
    token = sb.cooperative.token
    for member in sb.members:
        chain.transact(token.functions.mint(member.address, 100_000 * TOKEN), sb.deployer)
        fund.approve(member)
    return World(sb=sb, fund=fund, registry=registry, record=record)


# -- decisions ----------------------------------------------------------------------------------


def council_decides(w: World, actions: Sequence[Action], label: str) -> Sent:
    """A council item carrying `actions`: proposed, two of three votes for, signed, executed.
    Returns the executing transaction."""
    council = w.sb.governance.council
    item_id, _ = council.propose(w.sb.council[0], h(label), actions)
    for member in w.sb.council[:2]:
        council.vote(member, item_id, VoteType.FOR)
    council.sign_protocol(w.chair, item_id, h(f"protocol of {label}"))
    return council.execute(w.chair, item_id, actions)


def meeting_decides(
    w: World,
    questions: Sequence[Question],
    *,
    votes_for: int = MEMBERS,
    label: str = "meeting",
    sign: bool = True,
) -> int:
    """Convene a meeting with `questions`, let every member vote (the first `votes_for` for
    every question, the rest against), close it and (unless `sign` is false) have the secretary
    and the chair sign the protocol. Returns the meeting id."""
    meeting = w.sb.governance.meeting
    opens = now(w.chain) + meeting.notice_period() + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + VOTING,
        secretary=w.sb.secretary.address,
        questions=tuple(questions),
    )
    meeting_id = w.sb.governance.convene(
        w.sb.council[0], w.sb.council[:2], w.chair, convocation, h(f"convene {label}")
    )
    warp(w.chain, opens)
    ballots = [
        meeting.sign_ballot(
            member,
            meeting_id,
            [Choice.FOR if i < votes_for else Choice.AGAINST] * len(questions),
        )
        for i, member in enumerate(w.members)
    ]
    result = meeting.cast_ballots_by_sig(w.members[0], meeting_id, ballots)
    assert not result.rejected, result.rejected
    warp(w.chain, opens + VOTING)
    meeting.close(w.members[0], meeting_id)
    if sign:
        meeting.sign_protocol(w.sb.secretary, meeting_id, h(f"protocol of {label}"))
        meeting.sign_protocol(w.chair, meeting_id, h(f"protocol of {label}"))
    return meeting_id


# -- checks -------------------------------------------------------------------------------------


def expect_revert(action: Callable[[], object], error: str, *args: object) -> TransactionReverted:
    """Run `action`, assert it reverted with the named custom error (and args, if given)."""
    with pytest.raises(TransactionReverted) as info:
        action()
    assert info.value.error == error, f"expected {error}, got {info.value}"
    if args:
        assert info.value.error_args == args, info.value.error_args
    return info.value


def fund_state(w: World, loan_ids: Sequence[int] = (), accounts: Sequence[str] = ()) -> object:
    """Everything a refused fund call could have changed, for before/after checks."""
    token = w.sb.cooperative.token
    people = [*(m.address for m in w.members), *accounts]
    return (
        w.fund.pool(),
        w.fund.rules(),
        tuple(w.fund.position(a) for a in people),
        tuple(int(token.functions.balanceOf(a).call()) for a in [*people, w.fund.address]),
        tuple((w.fund.loan(i), w.fund.guarantees(i)) for i in loan_ids),
    )


def registry_state(w: World, token_ids: Sequence[int] = ()) -> object:
    """Everything a refused register call could have changed."""
    r = w.registry
    return (
        r.total_supply(),
        int(r.contract.functions.assetCount().call()),
        r.balance_of(r.holder()),
        tuple((r.asset(i), r.exists(i)) for i in token_ids),
        tuple(w.sb.cooperative.holding(m.address) for m in w.members),
    )


def advance(w: World, seconds: int) -> None:
    warp(w.chain, now(w.chain) + seconds)
