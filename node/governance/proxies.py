"""Proxies (доверенности) for the general meeting: the typed data a principal signs, and a client
of the cooperative's `MeetingProxies` contract.

A principal signs `Proxy(uint256 meetingId,address principal,address holder,uint64 expiresAt,
bytes32 documentHash,uint256 nonce)` in the domain of their cooperative's MeetingProxies clone
(name "Coopnode MeetingProxies", version "1"); a revocation is `ProxyRevocation(uint256
meetingId,address principal,uint256 nonce)`; the holder's vote for the principal is
`ProxyBallot(uint256 meetingId,address principal,address holder,uint8[] choices)`. The nonce
makes a proxy or revocation signature usable once: a revoked proxy cannot be revived by relaying
its old signature. Anyone relays; the contract checks the signature (ECDSA or ERC-1271), and the
general meeting counts the ballot under the principal's membership (one member, one vote).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, Sent, checksum
from node.governance.ballots import EIP712_DOMAIN_TYPE, pack_choices

DOMAIN_NAME = "Coopnode MeetingProxies"
DOMAIN_VERSION = "1"

PROXY_TYPES: dict[str, list[dict[str, str]]] = {
    "Proxy": [
        {"name": "meetingId", "type": "uint256"},
        {"name": "principal", "type": "address"},
        {"name": "holder", "type": "address"},
        {"name": "expiresAt", "type": "uint64"},
        {"name": "documentHash", "type": "bytes32"},
        {"name": "nonce", "type": "uint256"},
    ]
}
REVOCATION_TYPES: dict[str, list[dict[str, str]]] = {
    "ProxyRevocation": [
        {"name": "meetingId", "type": "uint256"},
        {"name": "principal", "type": "address"},
        {"name": "nonce", "type": "uint256"},
    ]
}
PROXY_BALLOT_TYPES: dict[str, list[dict[str, str]]] = {
    "ProxyBallot": [
        {"name": "meetingId", "type": "uint256"},
        {"name": "principal", "type": "address"},
        {"name": "holder", "type": "address"},
        {"name": "choices", "type": "uint8[]"},
    ]
}


class ProxyStatus(IntEnum):
    """`IMeetingProxies.ProxyStatus`."""

    NONE = 0
    ACTIVE = 1
    REVOKED = 2
    USED = 3


@dataclass(frozen=True)
class ProxyTerms:
    """`IMeetingProxies.ProxyTerms`: what the principal signs (with their nonce)."""

    meeting_id: int
    principal: str
    holder: str
    expires_at: int
    document_hash: bytes

    def as_abi(self) -> tuple[int, str, str, int, bytes]:
        return (
            int(self.meeting_id),
            checksum(self.principal),
            checksum(self.holder),
            int(self.expires_at),
            bytes(self.document_hash),
        )


@dataclass(frozen=True)
class ProxyInfo:
    """`IMeetingProxies.ProxyInfo`: one principal's proxy for one meeting."""

    holder: str
    expires_at: int
    status: ProxyStatus
    document_hash: bytes


def proxies_domain(chain_id: int, proxies_contract: str) -> dict[str, Any]:
    """The EIP-712 domain of a MeetingProxies clone."""
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": int(chain_id),
        "verifyingContract": checksum(proxies_contract),
    }


def proxy_typed_data(domain: dict[str, Any], terms: ProxyTerms, nonce: int) -> dict[str, Any]:
    """The `eth_signTypedData_v4` payload of a proxy (JSON-serialisable)."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, **PROXY_TYPES},
        "primaryType": "Proxy",
        "domain": dict(domain),
        "message": {
            "meetingId": int(terms.meeting_id),
            "principal": checksum(terms.principal),
            "holder": checksum(terms.holder),
            "expiresAt": int(terms.expires_at),
            "documentHash": "0x" + bytes(terms.document_hash).hex(),
            "nonce": int(nonce),
        },
    }


def revocation_typed_data(
    domain: dict[str, Any], meeting_id: int, principal: str, nonce: int
) -> dict[str, Any]:
    """The `eth_signTypedData_v4` payload of a revocation."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, **REVOCATION_TYPES},
        "primaryType": "ProxyRevocation",
        "domain": dict(domain),
        "message": {
            "meetingId": int(meeting_id),
            "principal": checksum(principal),
            "nonce": int(nonce),
        },
    }


def proxy_ballot_typed_data(
    domain: dict[str, Any], meeting_id: int, principal: str, holder: str, choices: Sequence[int]
) -> dict[str, Any]:
    """The `eth_signTypedData_v4` payload of the holder's ballot for the principal."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, **PROXY_BALLOT_TYPES},
        "primaryType": "ProxyBallot",
        "domain": dict(domain),
        "message": {
            "meetingId": int(meeting_id),
            "principal": checksum(principal),
            "holder": checksum(holder),
            "choices": [int(c) for c in choices],
        },
    }


def sign_typed(account: LocalAccount, data: dict[str, Any]) -> bytes:
    """Sign a typed-data payload with a local key (a wallet signs the same JSON)."""
    return bytes(account.sign_message(encode_typed_data(full_message=data)).signature)


class MeetingProxies:
    """A cooperative's `MeetingProxies` contract."""

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.contract = chain.contract("MeetingProxies", address)
        self.address = checksum(address)

    def domain(self) -> dict[str, Any]:
        return proxies_domain(self.chain.chain_id, self.address)

    # -- reads --------------------------------------------------------------------------------

    def nonce(self, principal: str) -> int:
        return int(self.contract.functions.nonces(checksum(principal)).call())

    def proxy_of(self, meeting_id: int, principal: str) -> ProxyInfo:
        holder, expires_at, status, document_hash = self.contract.functions.proxyOf(
            int(meeting_id), checksum(principal)
        ).call()
        return ProxyInfo(
            checksum(holder), int(expires_at), ProxyStatus(status), bytes(document_hash)
        )

    def represented_count(self, meeting_id: int, holder: str) -> int:
        return int(
            self.contract.functions.representedCount(int(meeting_id), checksum(holder)).call()
        )

    # -- typed data ---------------------------------------------------------------------------

    def proxy_typed_data(self, terms: ProxyTerms, nonce: int | None = None) -> dict[str, Any]:
        """What the principal's wallet signs (with their current nonce unless given)."""
        return proxy_typed_data(
            self.domain(), terms, self.nonce(terms.principal) if nonce is None else nonce
        )

    def revocation_typed_data(
        self, meeting_id: int, principal: str, nonce: int | None = None
    ) -> dict[str, Any]:
        return revocation_typed_data(
            self.domain(), meeting_id, principal, self.nonce(principal) if nonce is None else nonce
        )

    def proxy_ballot_typed_data(
        self, meeting_id: int, principal: str, holder: str, choices: Sequence[int]
    ) -> dict[str, Any]:
        return proxy_ballot_typed_data(self.domain(), meeting_id, principal, holder, choices)

    # -- transactions -------------------------------------------------------------------------

    def issue(self, principal: LocalAccount, terms: ProxyTerms) -> Sent:
        """The principal issues the proxy from their own wallet."""
        return self.chain.transact(self.contract.functions.issue(terms.as_abi()), principal)

    def issue_by_sig(self, relayer: LocalAccount, terms: ProxyTerms, signature: bytes) -> Sent:
        fn = self.contract.functions.issueBySig(terms.as_abi(), bytes(signature))
        return self.chain.transact(fn, relayer)

    def revoke(self, principal: LocalAccount, meeting_id: int) -> Sent:
        return self.chain.transact(self.contract.functions.revoke(int(meeting_id)), principal)

    def revoke_by_sig(
        self, relayer: LocalAccount, meeting_id: int, principal: str, signature: bytes
    ) -> Sent:
        fn = self.contract.functions.revokeBySig(
            int(meeting_id), checksum(principal), bytes(signature)
        )
        return self.chain.transact(fn, relayer)

    def cast(
        self, holder: LocalAccount, meeting_id: int, principal: str, choices: Sequence[int]
    ) -> Sent:
        """The holder casts the principal's ballot from their own wallet."""
        fn = self.contract.functions.castAsProxy(
            int(meeting_id), checksum(principal), [int(c) for c in choices]
        )
        return self.chain.transact(fn, holder)

    def cast_by_sig(
        self,
        relayer: LocalAccount,
        meeting_id: int,
        principal: str,
        holder: str,
        choices: Sequence[int],
        signature: bytes,
    ) -> Sent:
        fn = self.contract.functions.castAsProxyBySig(
            int(meeting_id),
            checksum(principal),
            checksum(holder),
            [int(c) for c in choices],
            bytes(signature),
        )
        return self.chain.transact(fn, relayer)


__all__ = [
    "MeetingProxies",
    "ProxyInfo",
    "ProxyStatus",
    "ProxyTerms",
    "pack_choices",
    "proxies_domain",
    "proxy_ballot_typed_data",
    "proxy_typed_data",
    "revocation_typed_data",
    "sign_typed",
]
