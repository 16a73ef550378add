"""GovernanceInstaller: Council and GeneralMeeting created and initialised in one transaction,
only by the charter's decision executor, at predictable addresses; nothing is left to initialise
for somebody else."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, checksum
from node.cooperative.client import Cooperative, CooperativeKind
from node.cooperative.deploy import (
    CooperativeParams,
    NetworkAddresses,
    create_cooperative,
    deploy_test_token,
)
from node.governance import GovernanceParams, deploy_governance
from node.governance._utils import events
from node.governance.deploy import GovernanceDeployError
from node.governance.sandbox import Sandbox, h
from tests.governance.conftest import expect_revert

ZERO = "0x0000000000000000000000000000000000000000"


@pytest.fixture
def fresh_coop(
    chain: Chain, accounts: list[LocalAccount], gov_network: NetworkAddresses
) -> Cooperative:
    """A cooperative without governance; `accounts[0]` is its decision executor."""
    deployer = accounts[0]
    token = deploy_test_token(chain, deployer)
    council = [str(a.address) for a in accounts[1:4]]
    coop, _ = create_cooperative(
        chain,
        deployer,
        gov_network.factory,
        CooperativeParams(
            name="Кооператив «Установка»",
            symbol="INST",
            kind=CooperativeKind.CONSUMER,
            payment_token=token,
            council=council,
            chair=accounts[1].address,
            decision_executor=deployer.address,
            charter_document=h("charter of the installer test"),
            individual_fees=(0, 0),
            organisation_fees=(0, 0),
            fund_split_bps=[0, 5_000, 2_500, 2_500],
            cashiers=[deployer.address],
            verifiers=[],
        ),
    )
    return coop


def config(members: Sequence[str], schedule: Sequence[int] = (5000,)) -> tuple[object, ...]:
    return ([checksum(m) for m in members], 30 * 86_400, 15 * 86_400, list(schedule))


def installer_state(chain: Chain, installer: str, charter: str) -> tuple[object, ...]:
    """What a refused install could have changed."""
    contract = chain.contract("GovernanceInstaller", installer)
    council, meeting = contract.functions.predictAddresses(charter).call()
    executor = chain.contract("Charter", charter).functions.decisionExecutor().call()
    return (
        contract.functions.installations(charter).call(),
        council,
        meeting,
        chain.has_code(council),
        chain.has_code(meeting),
        executor,
    )


def test_install_creates_and_initialises_both_in_one_transaction(
    chain: Chain, accounts: list[LocalAccount], fresh_coop: Cooperative, gov_installer: str
) -> None:
    deployer = accounts[0]
    charter = fresh_coop.addresses.charter
    installer = chain.contract("GovernanceInstaller", gov_installer)
    predicted = installer.functions.predictAddresses(charter).call()

    sent = chain.transact(
        installer.functions.install(charter, config([a.address for a in accounts[1:4]])),
        deployer,
    )
    (event,) = events(installer, "GovernanceInstalled", sent.receipt)
    council_address, meeting_address = event["args"]["council"], event["args"]["generalMeeting"]
    assert event["args"]["charter"] == charter
    assert [council_address, meeting_address] == predicted
    assert installer.functions.installations(charter).call() == 1

    council = chain.contract("Council", council_address)
    meeting = chain.contract("GeneralMeeting", meeting_address)
    assert council.functions.generalMeeting().call() == meeting_address
    assert council.functions.charter().call() == charter
    assert council.functions.councilMembers().call() == [a.address for a in accounts[1:4]]
    assert meeting.functions.council().call() == council_address
    assert meeting.functions.membership().call() == fresh_coop.addresses.membership
    assert meeting.functions.quorumSchedule().call() == [5000]

    # Already initialised within the same transaction: nobody can initialise them again.
    stranger = accounts[7]
    expect_revert(
        lambda: chain.transact(
            council.functions.initialize(charter, stranger.address, [stranger.address] * 2, 1),
            stranger,
        ),
        "InvalidInitialization",
    )
    expect_revert(
        lambda: chain.transact(
            meeting.functions.initialize(
                charter, stranger.address, stranger.address, 1, [5000], stranger.address
            ),
            stranger,
        ),
        "InvalidInitialization",
    )
    assert council.functions.generalMeeting().call() == meeting_address
    assert meeting.functions.council().call() == council_address

    # The executor hands over; the installer itself never held or holds any role.
    charter_contract = chain.contract("Charter", charter)
    chain.transact(charter_contract.functions.setDecisionExecutor(council_address), deployer)
    assert charter_contract.functions.decisionExecutor().call() == council_address


def test_a_stranger_cannot_install_for_a_cooperative(
    chain: Chain, accounts: list[LocalAccount], fresh_coop: Cooperative, gov_installer: str
) -> None:
    charter = fresh_coop.addresses.charter
    installer = chain.contract("GovernanceInstaller", gov_installer)
    before = installer_state(chain, gov_installer, charter)
    for stranger in (accounts[1], accounts[7]):  # the chair is no executor either
        expect_revert(
            lambda stranger=stranger: chain.transact(
                installer.functions.install(
                    charter, config([stranger.address, accounts[8].address])
                ),
                stranger,
            ),
            "GovernanceInstallerNotDecisionExecutor",
        )
    expect_revert(
        lambda: chain.transact(installer.functions.install(ZERO, config([])), accounts[0]),
        "GovernanceInstallerZeroAddress",
    )
    assert installer_state(chain, gov_installer, charter) == before

    # The Python helper refuses before sending anything.
    with pytest.raises(GovernanceDeployError):
        deploy_governance(
            chain,
            accounts[7],
            fresh_coop.addresses.to_dict(),
            None,
            GovernanceParams(installer=gov_installer),
        )
    assert installer_state(chain, gov_installer, charter) == before


def test_once_handed_over_the_former_executor_cannot_install(
    chain: Chain, coop: Sandbox, gov_installer: str
) -> None:
    charter = coop.cooperative.addresses.charter
    installer = chain.contract("GovernanceInstaller", gov_installer)
    before = installer_state(chain, gov_installer, charter)
    expect_revert(
        lambda: chain.transact(
            installer.functions.install(charter, config([a.address for a in coop.council])),
            coop.deployer,
        ),
        "GovernanceInstallerNotDecisionExecutor",
    )
    assert installer_state(chain, gov_installer, charter) == before


def test_an_invalid_configuration_creates_nothing(
    chain: Chain, accounts: list[LocalAccount], fresh_coop: Cooperative, gov_installer: str
) -> None:
    charter = fresh_coop.addresses.charter
    installer = chain.contract("GovernanceInstaller", gov_installer)
    before = installer_state(chain, gov_installer, charter)
    expect_revert(  # a council of one
        lambda: chain.transact(
            installer.functions.install(charter, config([accounts[1].address])), accounts[0]
        ),
        "CouncilInvalidSize",
    )
    expect_revert(
        lambda: chain.transact(
            installer.functions.install(charter, config([a.address for a in accounts[1:4]], [])),
            accounts[0],
        ),
        "GeneralMeetingInvalidQuorumSchedule",
    )
    assert installer_state(chain, gov_installer, charter) == before


def test_a_second_installation_gets_new_addresses(
    chain: Chain, accounts: list[LocalAccount], fresh_coop: Cooperative, gov_installer: str
) -> None:
    params = GovernanceParams(installer=gov_installer, hand_over=False)
    members = [a.address for a in accounts[1:4]]
    first = deploy_governance(chain, accounts[0], fresh_coop.addresses.to_dict(), members, params)
    second = deploy_governance(chain, accounts[0], fresh_coop.addresses.to_dict(), members, params)
    assert first["council"] != second["council"]
    assert first["general_meeting"] != second["general_meeting"]
    assert not first["handed_over"] and not second["handed_over"]
    assert first["install_gas"] > 0 and first["installer"] == checksum(gov_installer)


def test_installer_constructor_refuses_zero_implementations(
    chain: Chain, accounts: list[LocalAccount], gov_installer: str
) -> None:
    installer = chain.contract("GovernanceInstaller", gov_installer)
    council_impl = installer.functions.councilImplementation().call()
    with pytest.raises(Exception, match="GovernanceInstallerZeroAddress"):
        chain.deploy("GovernanceInstaller", council_impl, ZERO, council_impl, sender=accounts[0])
    with pytest.raises(Exception, match="GovernanceInstallerZeroAddress"):
        chain.deploy("GovernanceInstaller", council_impl, council_impl, ZERO, sender=accounts[0])
