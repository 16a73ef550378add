"""Fixtures for governance: real cooperatives (factory, Membership with admitted members and
checkpoints) created once per session before any per-test snapshot, each with its Council and
GeneralMeeting deployed and holding the decision executor role."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, TransactionReverted
from node.cooperative.deploy import NetworkAddresses, deploy_network
from node.governance import Convocation, GovernanceParams, Question
from node.governance.deploy import deploy_installer
from node.governance.sandbox import Sandbox, governed_cooperative, h, now, warp

DAY = 24 * 3600
VOTING = 7 * DAY


@pytest.fixture(scope="session")
def gov_network(chain: Chain, accounts: list[LocalAccount]) -> NetworkAddresses:
    return deploy_network(chain, accounts[0])


@pytest.fixture(scope="session")
def gov_installer(chain: Chain, accounts: list[LocalAccount]) -> str:
    """The network's GovernanceInstaller (with the Council and GeneralMeeting implementations)."""
    return str(deploy_installer(chain, accounts[0])["installer"])


@pytest.fixture(scope="session")
def coop(
    chain: Chain, accounts: list[LocalAccount], gov_network: NetworkAddresses, gov_installer: str
) -> Sandbox:
    """12 members, charter defaults: expiry 30 days, notice 15 days, quorum more than 50%."""
    return governed_cooperative(
        chain,
        accounts,
        12,
        GovernanceParams(),
        network=gov_network,
        label="Ромашка",
        installer=gov_installer,
    )


@pytest.fixture(scope="session")
def scheduled_coop(
    chain: Chain, accounts: list[LocalAccount], gov_network: NetworkAddresses, gov_installer: str
) -> Sandbox:
    """12 members, Coopenomics' quorum schedule 75% -> 50% -> 25% (the floor repeats)."""
    params = GovernanceParams(quorum_schedule=(7500, 5000, 2500))
    return governed_cooperative(
        chain, accounts, 12, params, network=gov_network, label="Василёк", installer=gov_installer
    )


@pytest.fixture(scope="session")
def big_coop(
    chain: Chain, accounts: list[LocalAccount], gov_network: NetworkAddresses, gov_installer: str
) -> Sandbox:
    """100 members, for batches of signed ballots."""
    return governed_cooperative(
        chain,
        accounts,
        100,
        GovernanceParams(),
        network=gov_network,
        label="Союз",
        installer=gov_installer,
    )


def expect_revert(action: Callable[[], object], error: str) -> TransactionReverted:
    """Run `action`, assert it reverted with the named custom error."""
    with pytest.raises(TransactionReverted) as info:
        action()
    assert info.value.error == error, f"expected {error}, got {info.value}"
    return info.value


def convene(
    sb: Sandbox,
    questions: Sequence[Question],
    *,
    label: str = "meeting",
    voting: int = VOTING,
    chair: str | None = None,
) -> int:
    """A council decision convening a meeting that opens right after the notice period."""
    notice = sb.governance.meeting.notice_period()
    opens = now(sb.chain) + notice + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + voting,
        secretary=sb.secretary.address,
        questions=tuple(questions),
        chair=chair or "0x0000000000000000000000000000000000000000",
    )
    return sb.governance.convene(
        sb.council[0], sb.council[:2], sb.chair, convocation, h(f"convene {label}")
    )


def open_voting(sb: Sandbox, meeting_id: int) -> None:
    warp(sb.chain, sb.governance.meeting.meeting(meeting_id).opens_at)


def end_voting(sb: Sandbox, meeting_id: int) -> None:
    warp(sb.chain, sb.governance.meeting.meeting(meeting_id).closes_at)


def sign_protocol(sb: Sandbox, meeting_id: int, label: str = "protocol") -> None:
    sb.governance.meeting.sign_protocol(sb.secretary, meeting_id, h(label))
    sb.governance.meeting.sign_protocol(sb.chair, meeting_id, h(label))
