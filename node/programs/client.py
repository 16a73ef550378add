"""Typed client of a cooperative's TargetPrograms, its installation, and the signed acceptance.

ABIs come from the compiled artifacts. Every write takes the signing account explicitly and
returns the `Sent` receipt (or a result carrying it); a refused call raises `TransactionReverted`
whose `.error` is the contract's custom error name (`TargetProgramsInsufficientBalance`, ...).

Authority (see `docs/programs.md`):

- a member's own wallet: join (or a signed acceptance anyone relays), contribute, leave;
- anybody: `release` the part of someone who is no longer an active member;
- the decision executor (a council decision): create, close, spend; `*_action` builders give
  the `Action` a council item carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3

from node.chain.client import Chain, Sent, checksum
from node.governance._utils import call_or_revert, events
from node.governance.client import Action

MAX_UINT256 = 2**256 - 1
DOMAIN_NAME = "TargetPrograms"
DOMAIN_VERSION = "1"

JOIN_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "JoinProgram": [
        {"name": "programId", "type": "uint256"},
        {"name": "member", "type": "address"},
        {"name": "terms", "type": "bytes32"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
}


class ProgramStatus(IntEnum):
    """`ITargetPrograms.ProgramStatus`."""

    NONE = 0
    OPEN = 1
    CLOSED = 2


@dataclass(frozen=True)
class ProgramInfo:
    """`ITargetPrograms.ProgramInfo`."""

    balance: int
    total_units: int
    members: int
    epoch: int
    status: ProgramStatus
    terms: bytes


@dataclass(frozen=True)
class Position:
    """`ITargetPrograms.Position`: whether joined, units of the current epoch, the part."""

    joined: bool
    units: int
    part: int


def part_of(units: int, balance: int, total_units: int) -> int:
    """A member's part: `floor(units * balance / total_units)` (the contract's rule)."""
    return 0 if units == 0 else units * balance // total_units


def units_for(amount: int, balance: int, total_units: int) -> int:
    """Units a contribution of `amount` buys: 1:1 with no units, else rounded down."""
    return amount if total_units == 0 else amount * total_units // balance


def join_typed_data(
    *,
    chain_id: int,
    contract: str,
    program_id: int,
    member: str,
    terms: bytes,
    nonce: int,
    deadline: int,
) -> dict[str, Any]:
    """The EIP-712 typed data (JSON-serialisable) of a member's acceptance of a program's terms;
    the wallet signs it with `eth_signTypedData_v4` and anyone relays it (`joinBySig`)."""
    if len(terms) != 32:
        raise ValueError("terms must be a 32-byte document hash")
    return {
        "types": JOIN_TYPES,
        "primaryType": "JoinProgram",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": Web3.to_checksum_address(contract),
        },
        "message": {
            "programId": program_id,
            "member": Web3.to_checksum_address(member),
            "terms": HexBytes(terms).to_0x_hex(),
            "nonce": nonce,
            "deadline": deadline,
        },
    }


def sign_join(account: LocalAccount, typed_data: dict[str, Any]) -> bytes:
    """Sign `join_typed_data` with a local key (what a wallet does)."""
    return bytes(account.sign_message(encode_typed_data(full_message=typed_data)).signature)


class TargetPrograms:
    """A cooperative's TargetPrograms contract."""

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.address = checksum(address)
        self.contract = chain.contract("TargetPrograms", address)
        self.token = chain.contract("TestToken", self._read(self.contract.functions.token()))

    def _read(self, fn: Any) -> Any:
        return call_or_revert(self.chain, fn)

    # -- members' own calls -------------------------------------------------------------------

    def approve(self, payer: LocalAccount, amount: int = MAX_UINT256) -> Sent:
        """Let the contract pull `amount` of the payment token from `payer`."""
        return self.chain.transact(self.token.functions.approve(self.address, amount), payer)

    def join(self, member: LocalAccount, program_id: int, terms: bytes) -> Sent:
        return self.chain.transact(self.contract.functions.join(program_id, terms), member)

    def join_typed_data(self, program_id: int, member: str, deadline: int) -> dict[str, Any]:
        """The typed data `member` signs to join `program_id` on its current terms."""
        return join_typed_data(
            chain_id=self.chain.chain_id,
            contract=self.address,
            program_id=program_id,
            member=member,
            terms=self.program(program_id).terms,
            nonce=self.nonce(member),
            deadline=deadline,
        )

    def join_by_sig(
        self,
        relayer: LocalAccount,
        program_id: int,
        member: str,
        terms: bytes,
        deadline: int,
        signature: bytes,
    ) -> Sent:
        fn = self.contract.functions.joinBySig(
            program_id, checksum(member), terms, deadline, signature
        )
        return self.chain.transact(fn, relayer)

    def contribute(self, member: LocalAccount, program_id: int, amount: int) -> Sent:
        return self.chain.transact(self.contract.functions.contribute(program_id, amount), member)

    def leave(self, member: LocalAccount, program_id: int) -> Sent:
        return self.chain.transact(self.contract.functions.leave(program_id), member)

    def release(self, sender: LocalAccount, program_id: int, account: str) -> Sent:
        fn = self.contract.functions.release(program_id, checksum(account))
        return self.chain.transact(fn, sender)

    # -- decisions ----------------------------------------------------------------------------

    def create_action(self, purpose: str, terms: bytes, decision: bytes) -> Action:
        return Action.call(self.contract, "createProgram", purpose, terms, decision)

    def close_action(self, program_id: int, decision: bytes) -> Action:
        return Action.call(self.contract, "closeProgram", program_id, decision)

    def spend_action(self, program_id: int, recipient: str, amount: int, decision: bytes) -> Action:
        return Action.call(
            self.contract, "spend", program_id, checksum(recipient), amount, decision
        )

    def created_ids(self, sent: Sent) -> list[int]:
        """The ids of the programs a transaction created."""
        return [
            int(e["args"]["programId"])
            for e in events(self.contract, "ProgramCreated", sent.receipt)
        ]

    # -- views --------------------------------------------------------------------------------

    def program(self, program_id: int) -> ProgramInfo:
        b, u, m, e, s, t = self._read(self.contract.functions.program(program_id))
        return ProgramInfo(int(b), int(u), int(m), int(e), ProgramStatus(s), bytes(t))

    def program_count(self) -> int:
        return int(self._read(self.contract.functions.programCount()))

    def position(self, program_id: int, account: str) -> Position:
        j, u, p = self._read(self.contract.functions.positionOf(program_id, checksum(account)))
        return Position(bool(j), int(u), int(p))

    def part_of(self, program_id: int, account: str) -> int:
        return int(self._read(self.contract.functions.partOf(program_id, checksum(account))))

    def nonce(self, member: str) -> int:
        return int(self._read(self.contract.functions.nonces(checksum(member))))

    def members(self, program_id: int, from_block: int = 0) -> list[str]:
        """The program's current members, read from the chain: everyone who ever joined it (or
        took over a joined address by key recovery), kept when `positionOf` says they are in."""
        f = self.contract.events
        joined = f.ProgramJoined.get_logs(
            from_block=from_block, argument_filters={"programId": program_id}
        )
        rebound = f.ProgramMemberRebound.get_logs(from_block=from_block)
        seen = dict.fromkeys(
            [checksum(e["args"]["member"]) for e in joined]
            + [checksum(e["args"]["to"]) for e in rebound]
        )
        return [a for a in seen if self.position(program_id, a).joined]

    def token_balance(self, account: str | None = None) -> int:
        return int(self.token.functions.balanceOf(checksum(account or self.address)).call())


def program_circle(chain: Chain, programs: str, program_id: int) -> list[str]:
    """A program's own ВРЕ clearing circle: its current members (`run_clearing(circle=...)`
    then clears only the obligations among them)."""
    return TargetPrograms(chain, programs).members(program_id)


__all__ = [
    "DOMAIN_NAME",
    "JOIN_TYPES",
    "Position",
    "ProgramInfo",
    "ProgramStatus",
    "TargetPrograms",
    "join_typed_data",
    "part_of",
    "program_circle",
    "sign_join",
    "units_for",
]
