"""Deploying a cooperative's governance (Council + GeneralMeeting) and handing it the executor role.

`deploy_governance` adds governance to a cooperative that already exists: it deploys the two
implementations (unless given), makes an EIP-1167 clone of each, initialises them with the
charter parameters, and, when `sender` is the charter's current decision executor, calls
`Charter.setDecisionExecutor(council)`. From then on only council decisions (and, through the
council, general-meeting decisions) can run decision-gated actions.

Until the cooperative factory creates governance in its own transaction, the clones are created
and initialised in separate transactions: on a public chain somebody could initialise a fresh
clone first. `deploy_governance` checks what it initialised (it raises if the clone is already
initialised, since `initialize` then reverts), so a hijacked clone is never handed the role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, checksum
from node.governance._utils import deploy_clone

DAY = 24 * 3600


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
    """Existing `Council` / `GeneralMeeting` implementations to clone (deployed when absent)."""
    hand_over: bool = True
    """Make the council the charter's decision executor (`sender` must be the executor)."""


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
    """Deploy the Council and GeneralMeeting implementations (once per network)."""
    out: dict[str, str] = {}
    for name in ("Council", "GeneralMeeting"):
        contract, _ = chain.deploy(name, sender=sender)
        out[name] = checksum(contract.address)
    return out


def deploy_governance(
    chain: Chain,
    sender: LocalAccount,
    cooperative_addresses: Mapping[str, str] | Any,
    council_members: Sequence[str] | None = None,
    params: GovernanceParams | None = None,
) -> dict[str, Any]:
    """Deploy Council + GeneralMeeting for an existing cooperative and wire them.

    `cooperative_addresses` is a mapping (or an object such as `CooperativeAddresses`) with at
    least `charter` and `membership`. `council_members` defaults to the charter's initial
    council. Returns a JSON-serialisable record: the two clones, the implementations, whether
    the executor role was handed over, and the gas used.
    """
    params = params or GovernanceParams()
    charter_address = _address_of(cooperative_addresses, "charter")
    membership_address = _address_of(cooperative_addresses, "membership")
    charter = chain.contract("Charter", charter_address)
    if council_members is None:
        council_members = list(charter.functions.initialCouncil().call())
    members = [checksum(m) for m in council_members]

    gas = 0
    implementations = dict(params.implementations)
    if "Council" not in implementations or "GeneralMeeting" not in implementations:
        implementations = {**deploy_implementations(chain, sender), **implementations}

    council_address, sent = deploy_clone(chain, implementations["Council"], sender)
    gas += sent.gas_used
    meeting_address, sent = deploy_clone(chain, implementations["GeneralMeeting"], sender)
    gas += sent.gas_used
    council = chain.contract("Council", council_address)
    meeting = chain.contract("GeneralMeeting", meeting_address)

    fn = council.functions.initialize(
        charter_address, meeting_address, members, int(params.item_expiry)
    )
    gas += chain.transact(fn, sender).gas_used
    fn = meeting.functions.initialize(
        charter_address,
        membership_address,
        council_address,
        int(params.notice_period),
        [int(q) for q in params.quorum_schedule],
    )
    gas += chain.transact(fn, sender).gas_used

    # What was initialised is what we asked for (nobody initialised the clones before us).
    if (
        checksum(council.functions.generalMeeting().call()) != meeting_address
        or checksum(meeting.functions.council().call()) != council_address
    ):
        raise GovernanceDeployError("the governance clones are not wired to each other")

    handed_over = False
    if params.hand_over:
        executor = checksum(charter.functions.decisionExecutor().call())
        if executor != sender.address:
            raise GovernanceDeployError(
                f"{sender.address} is not the charter's decision executor ({executor}): "
                "the executor must hand the role to the council"
            )
        gas += chain.transact(
            charter.functions.setDecisionExecutor(council_address), sender
        ).gas_used
        handed_over = True

    return {
        "council": council_address,
        "general_meeting": meeting_address,
        "implementations": implementations,
        "council_members": members,
        "handed_over": handed_over,
        "params": {
            "item_expiry": int(params.item_expiry),
            "notice_period": int(params.notice_period),
            "quorum_schedule": [int(q) for q in params.quorum_schedule],
        },
        "gas_used": gas,
    }
