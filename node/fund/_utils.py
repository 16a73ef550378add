"""Private helpers: EIP-1167 clones created by a plain transaction."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes

from node.chain.client import Chain, ChainError, Sent, checksum, wait_for_receipt

_CLONE_PREFIX = bytes.fromhex("3d602d80600a3d3981f3363d3d373d3d3d363d73")
_CLONE_SUFFIX = bytes.fromhex("5af43d82803e903d91602b57fd5bf3")


def clone_init_code(implementation: str) -> bytes:
    """Creation code of an EIP-1167 minimal proxy that delegates to `implementation`."""
    return _CLONE_PREFIX + bytes(HexBytes(checksum(implementation))) + _CLONE_SUFFIX


def deploy_clone(chain: Chain, implementation: str, sender: LocalAccount) -> tuple[str, Sent]:
    """Deploy an EIP-1167 clone of `implementation` from `sender` (a plain creation)."""
    tx: dict[str, Any] = {
        "from": sender.address,
        "nonce": chain.w3.eth.get_transaction_count(sender.address, "pending"),
        "chainId": chain.chain_id,
        "data": clone_init_code(implementation),
        "value": 0,
        "gasPrice": chain.w3.eth.gas_price,
    }
    tx["gas"] = chain.w3.eth.estimate_gas(tx, "latest")  # type: ignore[arg-type]
    signed = sender.sign_transaction(tx)
    tx_hash = chain.w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = wait_for_receipt(chain.w3, tx_hash)
    address = receipt["contractAddress"]
    if receipt["status"] != 1 or address is None:
        raise ChainError(f"clone of {implementation} was not deployed")
    return checksum(address), Sent(receipt)


__all__ = ["clone_init_code", "deploy_clone"]
