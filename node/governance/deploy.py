"""Installing a cooperative's governance (Council + GeneralMeeting + MeetingProxies); handing it
the executor role.

`deploy_governance` adds governance to a cooperative that already exists, through the network's
`GovernanceInstaller` (deployed with the three implementations once per network, like the
cooperative factory; `deploy_installer`). One `install` transaction, sent by the charter's
current decision executor, creates the three EIP-1167 clones at predictable addresses and
initialises them: nobody can initialise a fresh clone before its creator (no front-running
window), and nobody but the executor can install governance for the cooperative. Then, when
asked, the executor hands its role over with `Charter.setDecisionExecutor(council)`, a call only
it can make. From then on only council decisions (and, through the council, general-meeting
decisions) can run decision-gated actions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, checksum
from node.governance._utils import events

DAY = 24 * 3600
#: The contracts every installation clones: the council, the general meeting and its proxies.
IMPLEMENTATIONS = ("Council", "GeneralMeeting", "MeetingProxies")


@dataclass(frozen=True)
class GovernanceParams:
    """Charter parameters of governance. Defaults are Coopenomics' and common law's."""

    item_expiry: int = 30 * DAY
    """Seconds a council item stays open for votes and the chair's signature."""
    notice_period: int = 15 * DAY
    """Minimum seconds between convening a general meeting and the opening of voting."""
    quorum_schedule: tuple[int, ...] = (5000,)
    """Quorum thresholds in basis points by attempt (participants must be *more than* this share
    of the active members); the last repeats. Coopenomics: (7500, 5000, 2500)."""
    implementations: Mapping[str, str] = field(default_factory=dict)
    """Existing `Council` / `GeneralMeeting` implementations for a new installer (deployed when
    absent). Ignored when `installer` is given: an installer clones its own."""
    hand_over: bool = True
    """Make the council the charter's decision executor (a second transaction by `sender`)."""
    installer: str | None = None
    """The network's existing `GovernanceInstaller`; unset: one is deployed (with the
    implementations) for this call. Deploy it once per network with `deploy_installer`."""


class GovernanceDeployError(RuntimeError):
    """Governance could not be deployed or wired as asked."""


def _address_of(cooperative: Any, key: str) -> str:
    if isinstance(cooperative, Mapping):
        value = cooperative.get(key)
    else:
        value = getattr(cooperative, key, None)
    if not isinstance(value, str):
        raise GovernanceDeployError(f"the cooperative's addresses have no {key!r}")
    return checksum(value)


def deploy_implementations(chain: Chain, sender: LocalAccount) -> dict[str, str]:
    """Deploy the Council, GeneralMeeting and MeetingProxies implementations (once per network)."""
    out: dict[str, str] = {}
    for name in IMPLEMENTATIONS:
        contract, _ = chain.deploy(name, sender=sender)
        out[name] = checksum(contract.address)
    return out


def deploy_installer(
    chain: Chain, sender: LocalAccount, implementations: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Deploy a `GovernanceInstaller` (once per network), and the implementations unless given.

    Returns `{"installer": address, "implementations": {"Council": ..., "GeneralMeeting": ...,
    "MeetingProxies": ...}}`.
    """
    impls = dict(implementations or {})
    if any(name not in impls for name in IMPLEMENTATIONS):
        impls = {**deploy_implementations(chain, sender), **impls}
    installer, _ = chain.deploy(
        "GovernanceInstaller",
        impls["Council"],
        impls["GeneralMeeting"],
        impls["MeetingProxies"],
        sender=sender,
    )
    return {"installer": checksum(installer.address), "implementations": impls}


def deploy_governance(
    chain: Chain,
    sender: LocalAccount,
    cooperative_addresses: Mapping[str, str] | Any,
    council_members: Sequence[str] | None = None,
    params: GovernanceParams | None = None,
) -> dict[str, Any]:
    """Install Council + GeneralMeeting for an existing cooperative in one transaction and,
    unless `params.hand_over` is false, make the council the decision executor.

    `sender` must be the charter's current decision executor (the installer refuses anyone
    else). `cooperative_addresses` is a mapping (or an object such as `CooperativeAddresses`)
    with at least `charter`. `council_members` defaults to the charter's initial council.
    Returns a JSON-serialisable record: the two clones, the installer and implementations,
    whether the executor role was handed over, and the gas used (`install_gas` for the
    installation alone, `gas_used` in total, deployments excluded).
    """
    params = params or GovernanceParams()
    charter_address = _address_of(cooperative_addresses, "charter")
    charter = chain.contract("Charter", charter_address)
    if council_members is None:
        council_members = list(charter.functions.initialCouncil().call())
    members = [checksum(m) for m in council_members]

    executor = checksum(charter.functions.decisionExecutor().call())
    if executor != sender.address:
        raise GovernanceDeployError(
            f"{sender.address} is not the charter's decision executor ({executor}): "
            "only the executor may install governance and hand the role to the council"
        )

    if params.installer is None:
        deployed = deploy_installer(chain, sender, params.implementations)
        installer_address = deployed["installer"]
    else:
        installer_address = checksum(params.installer)
    installer = chain.contract("GovernanceInstaller", installer_address)
    implementations = {
        "Council": checksum(installer.functions.councilImplementation().call()),
        "GeneralMeeting": checksum(installer.functions.generalMeetingImplementation().call()),
        "MeetingProxies": checksum(installer.functions.meetingProxiesImplementation().call()),
    }

    predicted = [checksum(a) for a in installer.functions.predictAddresses(charter_address).call()]
    predicted_proxies = checksum(installer.functions.predictProxies(charter_address).call())
    config = (
        members,
        int(params.item_expiry),
        int(params.notice_period),
        [int(q) for q in params.quorum_schedule],
    )
    sent = chain.transact(installer.functions.install(charter_address, config), sender)
    install_gas = sent.gas_used
    gas = install_gas
    (installed,) = events(installer, "GovernanceInstalled", sent.receipt)
    council_address = checksum(installed["args"]["council"])
    meeting_address = checksum(installed["args"]["generalMeeting"])
    (proxies_event,) = events(installer, "MeetingProxiesInstalled", sent.receipt)
    proxies_address = checksum(proxies_event["args"]["proxies"])
    if [council_address, meeting_address, proxies_address] != [*predicted, predicted_proxies]:
        raise GovernanceDeployError("the installer created governance at unexpected addresses")

    handed_over = False
    if params.hand_over:
        gas += chain.transact(
            charter.functions.setDecisionExecutor(council_address), sender
        ).gas_used
        handed_over = True

    return {
        "council": council_address,
        "general_meeting": meeting_address,
        "meeting_proxies": proxies_address,
        "installer": installer_address,
        "implementations": implementations,
        "council_members": members,
        "handed_over": handed_over,
        "params": {
            "item_expiry": int(params.item_expiry),
            "notice_period": int(params.notice_period),
            "quorum_schedule": [int(q) for q in params.quorum_schedule],
        },
        "install_gas": install_gas,
        "gas_used": gas,
    }
