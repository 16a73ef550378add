"""Installing a cooperative's TargetPrograms through the network's `TargetProgramsInstaller`.

As the mutual-aid fund (`node/fund/deploy.py`): the installer (one per network, with the
implementation) creates the EIP-1167 clone at a predictable address (`CREATE2`) and initialises
it in the same transaction, for the charter's decision executor only; its
`TargetProgramsInstalled` event links the clone to the charter on chain. Registering the clone
as an obligation source of Membership (so that key recovery moves the positions) is a separate
decision-gated call; a council item carries both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, checksum
from node.fund.deploy import CouncilSigners
from node.governance._utils import events
from node.governance.client import Action, Council


class ProgramsDeployError(RuntimeError):
    """The target programs could not be installed as asked."""


def deploy_programs_installer(chain: Chain, sender: LocalAccount) -> dict[str, str]:
    """Deploy the TargetPrograms implementation and its installer (once per network)."""
    implementation, _ = chain.deploy("TargetPrograms", sender=sender)
    installer, _ = chain.deploy("TargetProgramsInstaller", implementation.address, sender=sender)
    return {
        "installer": checksum(installer.address),
        "implementation": checksum(implementation.address),
    }


def install_programs(
    chain: Chain,
    sender: LocalAccount,
    cooperative_addresses: Mapping[str, str],
    *,
    installer: str | None = None,
    council: CouncilSigners | None = None,
    register_obligation_source: bool = True,
    decision_document: bytes = b"\x01" * 32,
) -> dict[str, Any]:
    """Install the cooperative's TargetPrograms: directly when `sender` is the charter's
    executor, else by one council decision signed by `council` (installation and registration
    as an obligation source). Returns `{"target_programs", "installer", "install_gas", ...}`."""
    charter_address = checksum(cooperative_addresses["charter"])
    charter = chain.contract("Charter", charter_address)
    membership = chain.contract("Membership", charter.functions.membership().call())
    installer_address = installer or deploy_programs_installer(chain, sender)["installer"]
    inst = chain.contract("TargetProgramsInstaller", installer_address)
    predicted = checksum(inst.functions.predictAddress(charter_address).call())
    executor = checksum(charter.functions.decisionExecutor().call())
    actions = [Action.call(inst, "install", charter_address)]
    if register_obligation_source:
        actions.append(Action.call(membership, "addObligationSource", predicted))
    if executor == sender.address:
        sent = chain.transact(inst.functions.install(charter_address), sender)
        gas = sent.gas_used
        if register_obligation_source:
            chain.transact(membership.functions.addObligationSource(predicted), sender)
    elif council is not None:
        c = Council(chain, executor)
        item_id, _ = c.propose(council.proposer, decision_document, actions)
        for member in council.voters:
            c.vote(member, item_id)
        c.sign_protocol(council.chair, item_id, decision_document)
        sent = c.execute(council.chair, item_id, actions)
        gas = sent.gas_used
    else:
        raise ProgramsDeployError("the executor is the council: name who decides (council=)")
    found = events(inst, "TargetProgramsInstalled", sent.receipt)
    if len(found) != 1 or checksum(found[0]["args"]["programs"]) != predicted:
        raise ProgramsDeployError("the installation emitted no matching TargetProgramsInstalled")
    return {
        "target_programs": predicted,
        "installer": checksum(installer_address),
        "installation": int(found[0]["args"]["installation"]),
        "install_gas": gas,
    }


__all__ = ["ProgramsDeployError", "deploy_programs_installer", "install_programs"]
