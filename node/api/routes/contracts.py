"""The served cooperative's contracts and their ABIs, for wallets and tools that must decode
its custom errors (`SharesNonTransferable()` rather than the bytes "zff") and events. No sign-in
needed: the addresses and ABIs are public. The same files: `coop abi export`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from node.api.deps import GatewayDep
from node.api.problems import Problem, problem_responses
from node.chain import abi

router = APIRouter(prefix="/contracts", tags=["contracts"])

#: The gateway's names of the cooperative's contracts -> their contract types.
CONTRACT_TYPES = {
    "charter": "Charter",
    "membership": "Membership",
    "shares": "Shares",
    "treasury": "Treasury",
    "documents": "DocumentRegistry",
    "settlement_units": "SettlementUnits",
    "council": "Council",
    "general_meeting": "GeneralMeeting",
    "meeting_proxies": "MeetingProxies",
    "mutual_aid_fund": "MutualAidFund",
    "property_registry": "PropertyRegistry",
    "labour_register": "LabourRegister",
    "target_programs": "TargetPrograms",
}

ContractName = Annotated[
    str, Path(pattern=r"^[a-z_]{1,32}$", description="A name from `GET /contracts`, e.g. shares")
]


class ContractPublic(BaseModel):
    name: str
    contract: str
    """The contract type (the name of its ABI file in `coop abi export`)."""
    address: str
    abi_url: str


class ContractsPublic(BaseModel):
    chain_id: int
    contracts: list[ContractPublic]


class SignaturesPublic(BaseModel):
    errors: dict[str, str]
    """4-byte selector -> error signature, e.g. `0x7a66667f`: `SharesNonTransferable()`."""
    events: dict[str, str]
    """topic0 -> event signature."""
    functions: dict[str, str]
    """4-byte selector -> function signature."""


@router.get("", response_model=ContractsPublic)
def list_contracts(gw: GatewayDep) -> ContractsPublic:
    """The served cooperative's contracts: name, contract type, address, where its ABI is."""
    return ContractsPublic(
        chain_id=gw.chain_id,
        contracts=[
            ContractPublic(
                name=name,
                contract=CONTRACT_TYPES[name],
                address=address,
                abi_url=f"/contracts/{name}/abi",
            )
            for name, address in gw.contract_addresses().items()
            if name in CONTRACT_TYPES
        ],
    )


@router.get("/signatures", response_model=SignaturesPublic)
def signatures(gw: GatewayDep) -> SignaturesPublic:
    """Every error, event and function selector of the cooperative's contracts with its
    signature (the layout of Foundry's signature cache)."""
    contracts = [gw.chain.artifacts.get(t) for t in sorted(set(CONTRACT_TYPES.values()))]
    return SignaturesPublic(**abi.signatures(contracts))


@router.get(
    "/{name}/abi",
    response_model=list[dict[str, Any]],
    responses=problem_responses(404),
)
def contract_abi(gw: GatewayDep, name: ContractName) -> list[dict[str, Any]]:
    """The contract's ABI (JSON array): functions, events and custom errors."""
    if name not in gw.contract_addresses() or name not in CONTRACT_TYPES:
        raise Problem(
            404,
            f"У кооператива нет контракта {name!r} / The cooperative has no contract {name!r}",
        )
    return list(gw.chain.artifacts.get(CONTRACT_TYPES[name]).abi)
