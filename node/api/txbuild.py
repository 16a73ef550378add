"""Unsigned transactions for a member's wallet, and EIP-712 payload helpers."""

from __future__ import annotations

from typing import Any

from eth_account.messages import encode_typed_data
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError

from node.api.gateway import Gateway
from node.api.problems import reverted_problem
from node.api.schemas import TransactionToSign, UnsignedTransaction
from node.chain.client import GAS_MARGIN_FACTOR, GAS_MARGIN_FIXED, build_transaction, checksum


def unsigned_tx(
    gw: Gateway, fn: ContractFunction, sender: str, description: str
) -> TransactionToSign:
    """`fn` as a transaction from `sender`, simulated first: a refusal is a 422 with the
    contract's custom error, before the member spends anything."""
    w3 = gw.chain.w3
    params: dict[str, Any] = {
        "from": checksum(sender),
        "nonce": w3.eth.get_transaction_count(checksum(sender), "pending"),
        "chainId": gw.chain_id,
        "value": 0,
    }
    try:
        tx = build_transaction(w3, fn, params)
    except (ContractCustomError, ContractLogicError) as exc:
        raise reverted_problem(gw.chain.decode_revert(exc)) from exc
    block_limit = int(w3.eth.get_block("latest")["gasLimit"])
    gas = min(int(int(tx["gas"]) * GAS_MARGIN_FACTOR) + GAS_MARGIN_FIXED, block_limit)
    data = tx.get("data", "0x")
    return TransactionToSign(
        transaction=UnsignedTransaction(
            from_=checksum(sender),
            to=checksum(str(tx["to"])),
            data=data if isinstance(data, str) else HexBytes(data).to_0x_hex(),
            value=int(tx.get("value", 0)),
            chainId=gw.chain_id,
            nonce=int(tx["nonce"]),
            gas=gas,
            maxFeePerGas=_opt_int(tx.get("maxFeePerGas")),
            maxPriorityFeePerGas=_opt_int(tx.get("maxPriorityFeePerGas")),
            gasPrice=_opt_int(tx.get("gasPrice")),
            type=2 if tx.get("maxFeePerGas") is not None else None,
        ),
        description=description,
    )


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def typed_digest(typed_data: dict[str, Any]) -> str:
    signable = encode_typed_data(full_message=typed_data)
    return HexBytes(
        Web3.keccak(b"\x19" + signable.version + signable.header + signable.body)
    ).to_0x_hex()


EIP712_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def hex_to_bytes(value: str) -> bytes:
    return bytes(HexBytes(value))


def bytes32(value: str) -> bytes:
    raw = bytes(HexBytes(value))
    if len(raw) != 32:
        raise ValueError("expected 32 bytes")
    return raw
