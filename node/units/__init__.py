"""Internal settlement units (ВРЕ): the typed client of the SettlementUnits contract, EIP-712
acceptance payloads, and the `coop clearing run` logic."""

from node.units.client import (
    ClearingReceipt,
    ObligationInfo,
    ObligationStatus,
    SettlementUnitsClient,
    plan_hash,
)
from node.units.eip712 import accept_typed_data, sign_acceptance

__all__ = [
    "ClearingReceipt",
    "ObligationInfo",
    "ObligationStatus",
    "SettlementUnitsClient",
    "accept_typed_data",
    "plan_hash",
    "sign_acceptance",
]
