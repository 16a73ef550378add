"""Installing BankSettlements for a cooperative: deploy it with the charter, then a decision
grants it the cashier role (`Charter.setRoles(bankSettlements, ROLE_CASHIER)`), which it needs
to attest application fees and voluntary shares through Membership and Shares.

The deployment itself is permissionless and harmless: until the decision, the contract can
record only facts that need no role, and only a cashier may call it at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain
from node.chain.deployment import read_record, write_json_atomic

ROLE_CASHIER = 1


@dataclass(frozen=True)
class CouncilVote:
    """Who proposes, votes for and signs the council decision granting the role."""

    proposer: LocalAccount
    voters: Sequence[LocalAccount]
    chair: LocalAccount
    document: bytes
    """Hash of the decision's document."""


def install_bank_settlements(
    chain: Chain,
    deployer: LocalAccount,
    charter: str,
    *,
    executor: LocalAccount | None = None,
    council: CouncilVote | None = None,
) -> tuple[str, int]:
    """Deploy and grant the cashier role, by the executor's own key (a cooperative before its
    governance hand-over) or by a council decision. Returns the address and the gas used."""
    contract, sent = chain.deploy("BankSettlements", charter, sender=deployer)
    gas = sent.gas_used
    charter_contract = chain.contract("Charter", charter)
    if council is not None:
        from node.governance.client import Action, Council

        executor_address = charter_contract.functions.decisionExecutor().call()
        action = Action.call(charter_contract, "setRoles", contract.address, ROLE_CASHIER)
        Council(chain, executor_address).decide(
            council.proposer, council.voters, council.chair, council.document, [action]
        )
    elif executor is not None:
        fn = charter_contract.functions.setRoles(contract.address, ROLE_CASHIER)
        gas += chain.transact(fn, executor).gas_used
    granted = council is not None or executor is not None
    if granted and not charter_contract.functions.isCashier(contract.address).call():
        raise RuntimeError("BankSettlements was not granted the cashier role")
    return contract.address, gas


def record_in_deployment(path: Path, charter: str, address: str) -> str | None:
    """Write the BankSettlements address into the deployment record (`data/deployment.json`)
    beside the cooperative's other modules: `cooperatives.<slug>.bank_settlements` and
    `contracts["<slug>.bank_settlements"]`, where the gateway (`Gateway.module_address`) and
    the indexer (a root, `indexer.run.GOVERNANCE_KEYS`) look. Returns the slug, or None when
    the record does not know the cooperative (nothing is written)."""
    record = read_record(path)
    if record is None:
        return None
    for slug, entry in (record.get("cooperatives") or {}).items():
        if isinstance(entry, dict) and str(entry.get("charter", "")).lower() == charter.lower():
            entry["bank_settlements"] = address
            record["contracts"][f"{slug}.bank_settlements"] = address
            write_json_atomic(path, record)
            return str(slug)
    return None
