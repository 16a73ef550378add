"""Private helpers: event decoding, error names, selectors."""

from __future__ import annotations

from typing import Any

from eth_utils import keccak
from hexbytes import HexBytes
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.types import EventData, TxReceipt

from node.chain.client import Chain, TransactionReverted


def events(contract: Contract, name: str, receipt: TxReceipt) -> list[EventData]:
    """Decoded `name` events of `contract` in `receipt`, in log order (other logs skipped)."""
    event = contract.events[name]()
    topic = HexBytes(event.topic)
    return [
        event.process_log(log)
        for log in receipt["logs"]
        if log["address"] == contract.address
        and log["topics"]
        and HexBytes(log["topics"][0]) == topic
    ]


def error_name(chain: Chain, selector: bytes) -> str:
    """The custom error whose selector is `selector`, or its hex when unknown."""
    known = chain.artifacts.error_selectors.get(bytes(selector))
    return str(known[1]["name"]) if known else "0x" + bytes(selector).hex()


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def call_or_revert(chain: Chain, fn: Any) -> Any:
    """`fn.call()`, with a revert decoded into `TransactionReverted` by the custom error name."""
    try:
        return fn.call()
    except (ContractCustomError, ContractLogicError) as exc:
        raise chain.decode_revert(exc) from exc


__all__ = [
    "TransactionReverted",
    "call_or_revert",
    "error_name",
    "events",
    "selector",
]
