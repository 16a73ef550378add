"""EIP-712 acceptance of an obligation: the typed data a debtor's wallet signs.

The gateway hands `accept_typed_data(...)` to a wallet (`eth_signTypedData_v4`); the signature
comes back and anyone submits it with `acceptObligationWithSignature`. The domain is the one
the contract computes for itself (`eip712Domain()`): name "Coopnode ВРЕ", version "1", the
chain id and the contract's own address, so a signature is good for one cooperative's contract
on one chain only. The message repeats the obligation's terms so that the wallet shows what is
being accepted and the contract refuses a signature made for other terms.
"""

from __future__ import annotations

from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3

DOMAIN_NAME = "Coopnode ВРЕ"
DOMAIN_VERSION = "1"

ACCEPT_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "AcceptObligation": [
        {"name": "obligationId", "type": "uint256"},
        {"name": "debtor", "type": "address"},
        {"name": "creditor", "type": "address"},
        {"name": "amount", "type": "uint256"},
        {"name": "dueDate", "type": "uint256"},
        {"name": "documentHash", "type": "bytes32"},
        {"name": "deadline", "type": "uint256"},
    ],
}


def accept_typed_data(
    *,
    chain_id: int,
    contract: str,
    obligation_id: int,
    debtor: str,
    creditor: str,
    amount: int,
    due_date: int,
    document_hash: bytes,
    deadline: int,
) -> dict[str, Any]:
    """The full EIP-712 typed data (JSON-serialisable) for accepting one obligation."""
    if len(document_hash) != 32:
        raise ValueError("document_hash must be 32 bytes")
    return {
        "types": ACCEPT_TYPES,
        "primaryType": "AcceptObligation",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": Web3.to_checksum_address(contract),
        },
        "message": {
            "obligationId": obligation_id,
            "debtor": Web3.to_checksum_address(debtor),
            "creditor": Web3.to_checksum_address(creditor),
            "amount": amount,
            "dueDate": due_date,
            "documentHash": HexBytes(document_hash).to_0x_hex(),
            "deadline": deadline,
        },
    }


def sign_acceptance(account: LocalAccount, typed_data: dict[str, Any]) -> bytes:
    """Sign typed data from `accept_typed_data` with a local key (what a wallet does)."""
    signed = account.sign_message(encode_typed_data(full_message=typed_data))
    return bytes(signed.signature)


def typed_data_digest(typed_data: dict[str, Any]) -> bytes:
    """The 32-byte EIP-712 digest of the typed data (equals the contract's `acceptDigest`)."""
    message = encode_typed_data(full_message=typed_data)
    return bytes(Web3.keccak(b"\x19" + message.version + message.header + message.body))
