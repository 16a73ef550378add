"""EIP-712 ballots of the general meeting: the payload a wallet signs, and signing it.

A member signs `Ballot(uint256 meetingId,address voter,uint8[] choices)` in the domain of their
cooperative's GeneralMeeting contract (name "Coopnode GeneralMeeting", version "1", the chain id,
the contract's address): a signature made for another chain or another cooperative does not
verify. Anyone (usually the gateway's relayer) submits it; the member needs no ETH.

`ballot_typed_data` returns the full `eth_signTypedData_v4` JSON that a browser wallet or the
gateway hands to the member's wallet; `sign_ballot` signs the same payload with a local key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.chain.client import checksum

DOMAIN_NAME = "Coopnode GeneralMeeting"
DOMAIN_VERSION = "1"

BALLOT_TYPE = "Ballot(uint256 meetingId,address voter,uint8[] choices)"

BALLOT_TYPES: dict[str, list[dict[str, str]]] = {
    "Ballot": [
        {"name": "meetingId", "type": "uint256"},
        {"name": "voter", "type": "address"},
        {"name": "choices", "type": "uint8[]"},
    ]
}

DEMAND_TYPES: dict[str, list[dict[str, str]]] = {
    "MeetingDemand": [
        {"name": "agendaHash", "type": "bytes32"},
        {"name": "member", "type": "address"},
    ]
}
"""What a member signs to demand an extraordinary meeting with an agenda (gasless)."""

EIP712_DOMAIN_TYPE: list[dict[str, str]] = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


class Choice(IntEnum):
    """`IGeneralMeeting.Choice`: a ballot's answer to one question."""

    AGAINST = 0
    FOR = 1
    ABSTAIN = 2


@dataclass(frozen=True)
class SignedBallot:
    """A ballot signed by its voter, ready for `castBallotBySig` / `castBallotsBySig`."""

    meeting_id: int
    voter: str
    choices: tuple[Choice, ...]
    signature: bytes

    def as_abi(self) -> tuple[str, list[int]]:
        """The `IGeneralMeeting.SignedBallot` tuple."""
        return (checksum(self.voter), [int(c) for c in self.choices])


def ballot_domain(chain_id: int, meeting_contract: str) -> dict[str, Any]:
    """The EIP-712 domain of a GeneralMeeting contract."""
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": int(chain_id),
        "verifyingContract": checksum(meeting_contract),
    }


def ballot_message(meeting_id: int, voter: str, choices: Sequence[int]) -> dict[str, Any]:
    return {
        "meetingId": int(meeting_id),
        "voter": checksum(voter),
        "choices": [int(c) for c in choices],
    }


def ballot_typed_data(
    domain: dict[str, Any], meeting_id: int, voter: str, choices: Sequence[int]
) -> dict[str, Any]:
    """The complete `eth_signTypedData_v4` payload for a wallet (JSON-serialisable)."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, **BALLOT_TYPES},
        "primaryType": "Ballot",
        "domain": dict(domain),
        "message": ballot_message(meeting_id, voter, choices),
    }


def ballot_digest(
    domain: dict[str, Any], meeting_id: int, voter: str, choices: Sequence[int]
) -> bytes:
    """The 32-byte EIP-712 digest (what `GeneralMeeting.ballotDigest` returns)."""
    signable = encode_typed_data(full_message=ballot_typed_data(domain, meeting_id, voter, choices))
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign_ballot(
    account: LocalAccount, domain: dict[str, Any], meeting_id: int, choices: Sequence[int]
) -> SignedBallot:
    """Sign a ballot with a local key (a wallet signs `ballot_typed_data` instead)."""
    data = ballot_typed_data(domain, meeting_id, account.address, choices)
    signed = account.sign_message(encode_typed_data(full_message=data))
    return SignedBallot(
        meeting_id=int(meeting_id),
        voter=account.address,
        choices=tuple(Choice(int(c)) for c in choices),
        signature=bytes(signed.signature),
    )


def pack_choices(choices: Sequence[int]) -> int:
    """The packed form the `BallotCast` event carries: question i in bits 2i..2i+1."""
    packed = 0
    for i, c in enumerate(choices):
        packed |= int(c) << (2 * i)
    return packed


def unpack_choices(packed: int, question_count: int) -> tuple[Choice, ...]:
    """Inverse of `pack_choices`."""
    return tuple(Choice((packed >> (2 * i)) & 3) for i in range(question_count))


def demand_typed_data(domain: dict[str, Any], agenda_hash: bytes, member: str) -> dict[str, Any]:
    """The `eth_signTypedData_v4` payload of a demand for an extraordinary meeting."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, **DEMAND_TYPES},
        "primaryType": "MeetingDemand",
        "domain": dict(domain),
        "message": {"agendaHash": "0x" + bytes(agenda_hash).hex(), "member": member},
    }
