"""Installing a cooperative's mutual-aid fund and property register, and registering the fund.

`deploy_fund_and_property` adds both modules to a cooperative that already exists through the
network's `FundInstaller` (deployed with the two implementations once per network, like the
governance installer; `deploy_installer`). One `install` call, made by the charter's decision
executor, creates both EIP-1167 clones at predictable addresses (`CREATE2`) and initialises them
in the same transaction: nobody can initialise a fresh clone before its creator (no front-running
window), nobody but the cooperative can install its fund, and the installer's `FundInstalled`
event links the two contracts to the charter on chain (the indexer discovers them from it).

Installing is the cooperative's act, and registering the fund as an obligation source of its
Membership (`Membership.addObligationSource`) is a separate decision-gated call:

- when `sender` is the charter's decision executor (a cooperative without governance yet), it
  sends `install` itself, then the registration (`obligation_source: "direct"`);
- when the executor is the council and `params.council` names who proposes, votes and signs,
  one council decision carries both calls, the registration naming the predicted fund address
  (`"council"`);
- otherwise nothing is sent: the record lists the two actions under `pending_actions` for the
  council to decide (`"pending"`, `installed: false`); the addresses are the installer's
  prediction and hold as long as no other installation for this charter comes first.

With `register_obligation_source=False` only the installation is made (`"skipped"`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.exceptions import BadFunctionCallOutput, ContractCustomError, ContractLogicError

from node.chain.client import Chain, checksum
from node.fund.client import FundRules
from node.governance._utils import events
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
    """Existing `MutualAidFund` / `PropertyRegistry` implementations for a new installer
    (deployed when absent). Ignored when `installer` is given: an installer clones its own."""
    register_obligation_source: bool = True
    """Register the fund with Membership so that borrowers and guarantors cannot exit."""
    council: CouncilSigners | None = None
    """When the council is the executor: who decides the installation and the registration."""
    decision_document: bytes = keccak(text="register the mutual-aid fund as an obligation source")
    """Document hash of the council item (installation and registration)."""
    installer: str | None = None
    """The network's existing `FundInstaller`; unset: one is deployed (with the implementations)
    for this call. Deploy it once per network with `deploy_installer`."""


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
    try:
        return checksum(value)
    except ValueError as exc:
        raise FundDeployError(f"the cooperative's {key!r} is not an address: {value!r}") from exc


def deploy_implementations(chain: Chain, sender: LocalAccount) -> dict[str, str]:
    """Deploy the MutualAidFund and PropertyRegistry implementations (once per network)."""
    out: dict[str, str] = {}
    for name in IMPLEMENTATIONS:
        contract, _ = chain.deploy(name, sender=sender)
        out[name] = checksum(contract.address)
    return out


def deploy_installer(
    chain: Chain, sender: LocalAccount, implementations: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Deploy a `FundInstaller` (once per network), and the implementations unless given.

    Returns `{"installer": address, "implementations": {"MutualAidFund": ...,
    "PropertyRegistry": ...}}`.
    """
    impls = dict(implementations or {})
    if any(name not in impls for name in IMPLEMENTATIONS):
        impls = {**deploy_implementations(chain, sender), **impls}
    impls = {name: checksum(impls[name]) for name in IMPLEMENTATIONS}
    installer, _ = chain.deploy(
        "FundInstaller", impls["MutualAidFund"], impls["PropertyRegistry"], sender=sender
    )
    return {"installer": checksum(installer.address), "implementations": impls}


def deploy_fund_and_property(
    chain: Chain,
    sender: LocalAccount,
    cooperative_addresses: Mapping[str, str] | Any,
    params: FundParams | None = None,
) -> dict[str, Any]:
    """Install the mutual-aid fund and the property register of an existing cooperative.

    `cooperative_addresses` is a mapping (or an object such as `CooperativeAddresses`) with at
    least `charter` and `membership` (which must be the charter's). Returns a JSON-serialisable
    record: the two clones, the installer and implementations, whether they are installed yet,
    how the fund was registered (`"direct"`, `"council"`, `"pending"` or `"skipped"`), the
    pending actions (target, hex data), and the gas used (`install_gas` for the installation
    transaction, `gas_used` for everything sent, installer deployment excluded; a council
    decision counts its executing transaction only).

    Everything is checked (a dry run of `install` as the executor) before anything is sent:
    bad rules or names raise `TransactionReverted` and change nothing.
    """
    params = params or FundParams()
    charter_address = _address_of(cooperative_addresses, "charter")
    membership_address = _address_of(cooperative_addresses, "membership")
    charter = chain.contract("Charter", charter_address)
    if checksum(charter.functions.membership().call()) != membership_address:
        raise FundDeployError(
            f"{membership_address} is not the membership register of charter {charter_address}"
        )

    if params.installer is None:
        installer_address = deploy_installer(chain, sender, params.implementations)["installer"]
    else:
        installer_address = _address_of({"installer": params.installer}, "installer")
    installer = chain.contract("FundInstaller", installer_address)
    try:
        implementations = {
            "MutualAidFund": checksum(installer.functions.fundImplementation().call()),
            "PropertyRegistry": checksum(
                installer.functions.propertyRegistryImplementation().call()
            ),
        }
    except (ContractLogicError, BadFunctionCallOutput, ValueError) as exc:
        raise FundDeployError(f"{installer_address} is not a FundInstaller") from exc

    name = params.property_name or f"{charter.functions.name().call()}: property"
    symbol = params.property_symbol or f"{charter.functions.symbol().call()}P"
    install_args = (charter_address, params.rules.as_abi(), (name, symbol, params.base_uri))
    install_fn = installer.functions.install(*install_args)
    executor = checksum(charter.functions.decisionExecutor().call())
    # A dry run as the executor: refuses bad rules before a transaction or a council item.
    try:
        install_fn.call({"from": executor})
    except (ContractCustomError, ContractLogicError) as exc:
        raise chain.decode_revert(exc) from exc
    predicted = [checksum(a) for a in installer.functions.predictAddresses(charter_address).call()]
    fund_address, registry_address = predicted

    membership = chain.contract("Membership", membership_address)
    install_action = Action.call(installer, "install", *install_args)
    register_action = Action.call(membership, "addObligationSource", fund_address)
    actions = [install_action]
    if params.register_obligation_source:
        actions.append(register_action)

    gas = 0
    install_gas: int | None = None
    installed = True
    pending: list[Action] = []
    if executor == sender.address:
        sent = chain.transact(install_fn, sender)
        install_gas = sent.gas_used
        gas += install_gas
        receipt = sent.receipt
        registration = "skipped"
        if params.register_obligation_source:
            gas += chain.transact(
                membership.functions.addObligationSource(fund_address), sender
            ).gas_used
            registration = "direct"
    elif params.council is not None:
        council = Council(chain, executor)
        signers = params.council
        item_id, _ = council.propose(signers.proposer, params.decision_document, actions)
        for member in signers.voters:
            council.vote(member, item_id)
        council.sign_protocol(signers.chair, item_id, params.decision_document)
        sent = council.execute(signers.chair, item_id, actions)
        gas += sent.gas_used
        receipt = sent.receipt
        registration = "council" if params.register_obligation_source else "skipped"
    else:
        installed = False
        pending = actions
        registration = "pending" if params.register_obligation_source else "skipped"

    installation: int | None = None
    if installed:
        found = events(installer, "FundInstalled", receipt)
        if len(found) != 1:
            raise FundDeployError("the installation emitted no FundInstalled event")
        args = found[0]["args"]
        if [checksum(args["fund"]), checksum(args["propertyRegistry"])] != predicted or (
            checksum(args["charter"]) != charter_address
        ):
            raise FundDeployError("the installer created the fund at unexpected addresses")
        installation = int(args["installation"])
        fund = chain.contract("MutualAidFund", fund_address)
        registry = chain.contract("PropertyRegistry", registry_address)
        if (
            checksum(fund.functions.charter().call()) != charter_address
            or checksum(fund.functions.membership().call()) != membership_address
            or checksum(registry.functions.charter().call()) != charter_address
        ):
            raise FundDeployError("the fund or the register is not wired to this cooperative")
        if registration in ("direct", "council"):
            sources = [checksum(s) for s in membership.functions.obligationSources().call()]
            if fund_address not in sources:
                raise FundDeployError("the fund was not registered as an obligation source")

    return {
        "mutual_aid_fund": fund_address,
        "property_registry": registry_address,
        "installer": installer_address,
        "implementations": implementations,
        "installed": installed,
        "installation": installation,
        "rules": asdict(params.rules),
        "property": {"name": name, "symbol": symbol, "base_uri": params.base_uri},
        "obligation_source": registration,
        "pending_actions": [{"target": a.target, "data": "0x" + a.data.hex()} for a in pending],
        "install_gas": install_gas,
        "gas_used": gas,
    }
