"""One production cooperative of 12 members with governance and its labour register, created
once per session (before any per-test snapshot): rates set and an approver appointed by one
council decision that also installs the register."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, Sent, TransactionReverted
from node.cooperative.client import CooperativeKind
from node.cooperative.deploy import deploy_network
from node.governance import Action, Choice, Convocation, GovernanceParams, Question, VoteType
from node.governance.sandbox import Sandbox, governed_cooperative, h, now, warp
from node.labour import LabourRegister, Unit, deploy_installer, install_action, predict_register
from tests.indexer.conftest import LOCAL_PG

TOKEN = 10**18
DAY = 24 * 3600
VOTING = 7 * DAY
MEMBERS = 12
HOUR_PRICE = 500 * TOKEN
RESULT_PRICE = 3_000 * TOKEN


@dataclass
class World:
    sb: Sandbox
    register: LabourRegister
    installer: str
    approver: LocalAccount
    registry: str
    start_block: int

    @property
    def chain(self) -> Chain:
        return self.sb.chain

    @property
    def members(self) -> list[LocalAccount]:
        return self.sb.members


def council_decides(sb: Sandbox, actions: Sequence[Action], label: str) -> Sent:
    """A council item carrying `actions`: proposed, two of three for, signed, executed."""
    council = sb.governance.council
    item_id, _ = council.propose(sb.council[0], h(label), actions)
    for member in sb.council[:2]:
        council.vote(member, item_id, VoteType.FOR)
    council.sign_protocol(sb.chair, item_id, h(f"protocol of {label}"))
    return council.execute(sb.chair, item_id, actions)


def meeting_decides(sb: Sandbox, questions: Sequence[Question], label: str = "meeting") -> int:
    """A meeting with `questions`: every member votes for, closed, protocol signed."""
    meeting = sb.governance.meeting
    opens = now(sb.chain) + meeting.notice_period() + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + VOTING,
        secretary=sb.secretary.address,
        questions=tuple(questions),
    )
    meeting_id = sb.governance.convene(
        sb.council[0], sb.council[:2], sb.chair, convocation, h(f"convene {label}")
    )
    warp(sb.chain, opens)
    ballots = [
        meeting.sign_ballot(m, meeting_id, [Choice.FOR] * len(questions)) for m in sb.members
    ]
    result = meeting.cast_ballots_by_sig(sb.members[0], meeting_id, ballots)
    assert not result.rejected, result.rejected
    warp(sb.chain, opens + VOTING)
    meeting.close(sb.members[0], meeting_id)
    meeting.sign_protocol(sb.secretary, meeting_id, h(f"protocol of {label}"))
    meeting.sign_protocol(sb.chair, meeting_id, h(f"protocol of {label}"))
    return meeting_id


def expect_revert(action: Callable[[], object], error: str) -> TransactionReverted:
    with pytest.raises(TransactionReverted) as info:
        action()
    assert info.value.error == error, f"expected {error}, got {info.value}"
    return info.value


@pytest.fixture(scope="session")
def labour_world(chain: Chain, accounts: list[LocalAccount]) -> World:
    start_block = chain.w3.eth.block_number
    network = deploy_network(chain, accounts[0])
    sb = governed_cooperative(
        chain,
        accounts,
        MEMBERS,
        GovernanceParams(),
        network=network,
        label="Артель",
        kind=CooperativeKind.PRODUCTION,
    )
    installer = deploy_installer(chain, sb.deployer)["installer"]
    charter = sb.cooperative.addresses.charter
    address = predict_register(chain, installer, charter)
    register = LabourRegister(chain, address)
    approver = accounts[5]
    council_decides(
        sb,
        [
            install_action(chain, installer, charter, False),
            register.set_rate_action(0, HOUR_PRICE, Unit.HOUR, True, h("rate: hour")),
            register.set_rate_action(0, RESULT_PRICE, Unit.RESULT, True, h("rate: drawing")),
            register.set_approver_action(approver.address),
        ],
        "install the labour register",
    )
    return World(
        sb=sb,
        register=register,
        installer=installer,
        approver=approver,
        registry=network.registry,
        start_block=start_block,
    )


@pytest.fixture
def mirror_db() -> Iterator[str]:
    """A fresh PostgreSQL database for one test (dropped after it)."""
    server = sa.make_url(LOCAL_PG)
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"wt_labour_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
