"""A whole cooperative from its description: the factory's set, then (when the description
asks) the mutual-aid fund with the property register, then the council and the general
meeting, with the decision executor's role handed to the council last.

The deployment record (`data/deployment.json`, what `coop serve` and `coop run` read) is
written after every step, so an interrupted `coop deploy --record` run resumes where it
stopped when started again: a step whose result the record already holds is not repeated.
The order matters: the fund is registered as Membership's obligation source by the executor
key, which is only possible before the council takes the executor's role over.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from node.chain.client import Chain
from node.chain.deployment import (
    DeploymentError,
    read_record,
    record_matches_chain,
    write_json_atomic,
)
from node.cooperative.deploy import NetworkAddresses, deploy_cooperative
from node.cooperative.description import CooperativeDescription, DescriptionError

DAY = 24 * 3600
CORE_KEYS = ("charter", "membership", "shares", "treasury", "documents", "settlement_units")
MODULE_KEYS = (
    "council",
    "general_meeting",
    "meeting_proxies",
    "mutual_aid_fund",
    "property_registry",
)


def _bps(percent: Decimal) -> int:
    return int(percent * 100)


def fund_params(description: CooperativeDescription, installer: str | None) -> Any:
    from node.fund.client import MAX_UINT128, FundRules
    from node.fund.deploy import FundParams

    fund = description.fund
    assert fund is not None
    cap = MAX_UINT128
    if fund.max_loan_per_member is not None:
        cap = description.units(fund.max_loan_per_member)
        if cap > MAX_UINT128:
            raise DescriptionError("fund.max_loan_per_member is too large")
    rules = FundRules(
        loan_to_contribution_bps=_bps(fund.loan_to_contribution_percent),
        reserve_bps=_bps(fund.reserve_percent),
        interest_bps=_bps(fund.interest_percent),
        max_term=fund.max_term_days * DAY,
        max_loan_per_member=cap,
    )
    return FundParams(
        rules=rules,
        property_name=fund.property_name,
        property_symbol=fund.property_symbol,
        installer=installer,
    )


def _check_before_sending(
    chain: Chain,
    sender: LocalAccount,
    description: CooperativeDescription,
    record: dict[str, Any] | None,
) -> None:
    """Refuse, with nothing sent, what would stop half-way."""
    if record is not None and not record_matches_chain(record, chain):
        raise DeploymentError(
            "запись о развёртывании относится к другой сети / the deployment record describes "
            "another chain (chain_id, genesis_hash or code at a recorded address differ)"
        )
    if (description.governance or description.fund) and (
        to_checksum_address(description.executor) != sender.address
    ):
        raise DescriptionError(
            "чтобы установить совет, собрание и фонд, ключ развёртывающего должен быть "
            f"исполнителем решений / to install governance and the fund the deployer key "
            f"({sender.address}) must be the description's decision_executor "
            f"({description.executor}); the council takes the role over at the end"
        )


def _save(path: Path | None, record: dict[str, Any]) -> None:
    if path is not None:
        write_json_atomic(path, record)


def deploy_from_description(
    chain: Chain,
    sender: LocalAccount,
    description: CooperativeDescription,
    record_path: Path | None = None,
) -> dict[str, Any]:
    """Deploy (or finish deploying) the described cooperative; return the deployment record.

    With `record_path`, the record there is extended (several cooperatives of one network
    share it) and saved after each step; a cooperative already in it under the same slug is
    completed, not deployed again.
    """
    record = read_record(record_path) if record_path is not None else None
    _check_before_sending(chain, sender, description, record)
    if record is None:
        record = {
            "contracts": {},
            "cooperatives": {},
            "chain_id": chain.chain_id,
            "genesis_hash": chain.genesis_hash(),
            "deployed_at_block": chain.w3.eth.block_number,
            "deployed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "deployer": sender.address,
        }
    contracts: dict[str, Any] = record.setdefault("contracts", {})
    cooperatives: dict[str, Any] = record.setdefault("cooperatives", {})
    slug = description.record_slug
    entry: dict[str, Any] | None = cooperatives.get(slug)

    if entry is None:
        network = None
        if description.factory is None and isinstance(record.get("network"), dict):
            network = NetworkAddresses(**record["network"])
        core = deploy_cooperative(chain, sender, description, network)
        addresses = core["cooperative"]
        record["network"] = core["network"]
        record.setdefault("payment_token", core["payment_token"])
        contracts["CooperativeFactory"] = core["network"]["factory"]
        contracts["NetworkRegistry"] = core["network"]["registry"]
        for name, address in core["network"]["implementations"].items():
            contracts[f"impl.{name}"] = address
        entry = {
            **addresses,
            "name": description.name,
            "kind": description.kind,
            "chair": description.chair,
            "decision_executor": description.executor,
            "council": list(description.council),
            "payment_token": core["payment_token"],
            "gas_used": {"cooperative": core["gas_used"]},
        }
        for key in CORE_KEYS:
            contracts[f"{slug}.{key}"] = addresses[key]
        cooperatives[slug] = entry
        _save(record_path, record)
    elif to_checksum_address(entry["charter"]) != entry["charter"] or not chain.has_code(
        entry["charter"]
    ):
        raise DeploymentError(f"{slug}: the recorded charter has no code on this chain")

    charter = chain.contract("Charter", entry["charter"])
    if description.fund is not None and "mutual_aid_fund" not in entry:
        from node.fund.deploy import deploy_fund_and_property
        from node.fund.deploy import deploy_installer as deploy_fund_installer

        executor = to_checksum_address(charter.functions.decisionExecutor().call())
        if executor != sender.address:
            raise DeploymentError(
                f"{slug}: the council already runs the cooperative ({executor}); install the "
                "fund by a council decision (node.fund.deploy_fund_and_property with council "
                "signers)"
            )
        if not isinstance(contracts.get("FundInstaller"), str):
            contracts["FundInstaller"] = deploy_fund_installer(chain, sender)["installer"]
            _save(record_path, record)
        fund = deploy_fund_and_property(
            chain, sender, entry, fund_params(description, contracts["FundInstaller"])
        )
        entry["mutual_aid_fund"] = fund["mutual_aid_fund"]
        entry["property_registry"] = fund["property_registry"]
        entry["gas_used"]["fund"] = fund["gas_used"]
        contracts[f"{slug}.mutual_aid_fund"] = fund["mutual_aid_fund"]
        contracts[f"{slug}.property_registry"] = fund["property_registry"]
        _save(record_path, record)

    # Members without a crypto wallet: one passkey account factory per chain, shared by every
    # cooperative in the record (deployed once, kept on reruns).
    if not isinstance(contracts.get("PasskeyAccountFactory"), str):
        passkey_factory, _ = chain.deploy("PasskeyAccountFactory", sender=sender)
        contracts["PasskeyAccountFactory"] = passkey_factory.address
        _save(record_path, record)

    if description.governance is not None and "council_contract" not in entry:
        from node.governance.deploy import GovernanceParams, deploy_governance, deploy_installer

        if not isinstance(contracts.get("GovernanceInstaller"), str):
            contracts["GovernanceInstaller"] = deploy_installer(chain, sender)["installer"]
            _save(record_path, record)
        gov = description.governance
        governance = deploy_governance(
            chain,
            sender,
            entry,
            list(description.council),
            GovernanceParams(
                item_expiry=gov.item_expiry_days * DAY,
                notice_period=gov.notice_period_days * DAY,
                quorum_schedule=gov.quorum_schedule(),
                installer=contracts["GovernanceInstaller"],
            ),
        )
        # `council` in an entry is the list of seats; the contract goes to the record's
        # contracts map (`<slug>.council`), where the gateway and the indexer look for it.
        entry["council_contract"] = governance["council"]
        entry["general_meeting"] = governance["general_meeting"]
        entry["meeting_proxies"] = governance["meeting_proxies"]
        entry["decision_executor"] = governance["council"]
        entry["gas_used"]["governance"] = governance["gas_used"]
        contracts[f"{slug}.council"] = governance["council"]
        contracts[f"{slug}.general_meeting"] = governance["general_meeting"]
        contracts[f"{slug}.meeting_proxies"] = governance["meeting_proxies"]
        _save(record_path, record)
    return record
