"""Deploying a cooperative's mutual-aid fund and property register, and registering the fund.

`deploy_fund_and_property` adds both modules to a cooperative that already exists: it deploys
the two implementations (unless given), makes an EIP-1167 clone of each, initialises them, and
registers the fund as an obligation source of the cooperative's Membership
(`Membership.addObligationSource`, a decision-gated call):

- when `sender` is the charter's decision executor (a cooperative without governance yet), it
  sends the call itself;
- when the executor is the council and `params.council` names who proposes, votes and signs,
  it runs a council decision carrying the call;
- otherwise the record lists the action under `pending_actions` for the council to decide.

As with governance, clone creation and initialisation are separate transactions until the
cooperative factory creates these modules itself: the function checks what it initialised (a
clone initialised by somebody else makes `initialize` revert) before registering anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.chain.client import Chain, checksum
from node.fund._utils import deploy_clone
from node.fund.client import FundRules
from node.governance.client import Action, Council

IMPLEMENTATIONS = ("MutualAidFund", "PropertyRegistry")


@dataclass(frozen=True)
class CouncilSigners:
    """Who runs a council decision: a proposer, the members voting for, the chair."""

    proposer: LocalAccount
    voters: Sequence[LocalAccount]
    chair: LocalAccount


@dataclass(frozen=True)
class FundParams:
    """Parameters of the fund and the property register."""

    rules: FundRules = field(default_factory=FundRules)
    """The fund's first rules (later changed only by a general-meeting decision)."""
    property_name: str | None = None
    """The register's ERC-721 name; defaults to "<cooperative name>: property"."""
    property_symbol: str | None = None
    """The register's ERC-721 symbol; defaults to "<share symbol>P"."""
    base_uri: str = ""
    """What every `tokenURI` starts with (e.g. "https://node.example/property/")."""
    implementations: Mapping[str, str] = field(default_factory=dict)
    """Existing `MutualAidFund` / `PropertyRegistry` implementations (deployed when absent)."""
    register_obligation_source: bool = True
    """Register the fund with Membership so that borrowers and guarantors cannot exit."""
    council: CouncilSigners | None = None
    """When the council is the executor: who decides the registration."""
    decision_document: bytes = keccak(text="register the mutual-aid fund as an obligation source")
    """Document hash of the registering council item."""


class FundDeployError(RuntimeError):
    """The fund or the register could not be deployed or wired as asked."""


def _address_of(cooperative: Any, key: str) -> str:
    value = (
        cooperative.get(key)
        if isinstance(cooperative, Mapping)
        else getattr(cooperative, key, None)
    )
    if not isinstance(value, str):
        raise FundDeployError(f"the cooperative's addresses have no {key!r}")
    return checksum(value)


def deploy_implementations(chain: Chain, sender: LocalAccount) -> dict[str, str]:
    """Deploy the MutualAidFund and PropertyRegistry implementations (once per network)."""
    out: dict[str, str] = {}
    for name in IMPLEMENTATIONS:
        contract, _ = chain.deploy(name, sender=sender)
        out[name] = checksum(contract.address)
    return out


def deploy_fund_and_property(
    chain: Chain,
    sender: LocalAccount,
    cooperative_addresses: Mapping[str, str] | Any,
    params: FundParams | None = None,
) -> dict[str, Any]:
    """Deploy the mutual-aid fund and the property register of an existing cooperative.

    `cooperative_addresses` is a mapping (or an object such as `CooperativeAddresses`) with at
    least `charter` and `membership`. Returns a JSON-serialisable record: the two clones, the
    implementations, how the fund was registered (`"direct"`, `"council"`, `"pending"` or
    `"skipped"`), the pending actions (target, hex data), and the gas used.
    """
    params = params or FundParams()
    charter_address = _address_of(cooperative_addresses, "charter")
    membership_address = _address_of(cooperative_addresses, "membership")
    charter = chain.contract("Charter", charter_address)

    gas = 0
    implementations = dict(params.implementations)
    if any(name not in implementations for name in IMPLEMENTATIONS):
        implementations = {**deploy_implementations(chain, sender), **implementations}

    fund_address, sent = deploy_clone(chain, implementations["MutualAidFund"], sender)
    gas += sent.gas_used
    registry_address, sent = deploy_clone(chain, implementations["PropertyRegistry"], sender)
    gas += sent.gas_used
    fund = chain.contract("MutualAidFund", fund_address)
    registry = chain.contract("PropertyRegistry", registry_address)

    fn = fund.functions.initialize(charter_address, membership_address, params.rules.as_abi())
    gas += chain.transact(fn, sender).gas_used
    name = params.property_name or f"{charter.functions.name().call()}: property"
    symbol = params.property_symbol or f"{charter.functions.symbol().call()}P"
    fn = registry.functions.initialize(charter_address, name, symbol, params.base_uri)
    gas += chain.transact(fn, sender).gas_used

    if (
        checksum(fund.functions.charter().call()) != charter_address
        or checksum(fund.functions.membership().call()) != membership_address
        or checksum(registry.functions.charter().call()) != charter_address
    ):
        raise FundDeployError("the fund or the register is not wired to this cooperative")

    membership = chain.contract("Membership", membership_address)
    action = Action.call(membership, "addObligationSource", fund_address)
    registration = "skipped"
    pending: list[Action] = []
    if params.register_obligation_source:
        executor = checksum(charter.functions.decisionExecutor().call())
        if executor == sender.address:
            gas += chain.transact(
                membership.functions.addObligationSource(fund_address), sender
            ).gas_used
            registration = "direct"
        elif params.council is not None:
            council = Council(chain, executor)
            signers = params.council
            council.decide(
                signers.proposer,
                signers.voters,
                signers.chair,
                params.decision_document,
                [action],
            )
            registration = "council"
        else:
            pending.append(action)
            registration = "pending"
        if registration != "pending":
            sources = [checksum(s) for s in membership.functions.obligationSources().call()]
            if fund_address not in sources:
                raise FundDeployError("the fund was not registered as an obligation source")

    return {
        "mutual_aid_fund": fund_address,
        "property_registry": registry_address,
        "implementations": implementations,
        "rules": asdict(params.rules),
        "property": {"name": name, "symbol": symbol, "base_uri": params.base_uri},
        "obligation_source": registration,
        "pending_actions": [{"target": a.target, "data": "0x" + a.data.hex()} for a in pending],
        "gas_used": gas,
    }
