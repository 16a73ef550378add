"""A typed client of one cooperative's SettlementUnits (ВРЕ) contract.

Reads go through the contract's views; writes are signed locally by an explicit account and
sent through `node.chain.client.Chain` (reverts come back as `TransactionReverted` with the
contract's error name). Open obligations are found from `ObligationAccepted` logs and then
read back through `obligation(id)`, so the answer reflects payments, clearings, cancellations
and key recoveries since.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import event_abi_to_log_topic
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract

from node.chain.client import Chain, Sent
from node.units.eip712 import accept_typed_data, sign_acceptance

CONTRACT_NAME = "SettlementUnits"
ZERO_HASH = b"\x00" * 32

# How many blocks one eth_getLogs request covers; shrunk on a "too many results" answer.
_LOG_RANGE = 50_000


class ObligationStatus(IntEnum):
    """Mirror of `ISettlementUnits.ObligationStatus`."""

    NONE = 0
    ISSUED = 1
    ACCEPTED = 2
    SETTLED = 3
    CANCELLED = 4
    REJECTED = 5


@dataclass(frozen=True)
class ObligationInfo:
    """One obligation as the contract stores it now."""

    id: int
    debtor: ChecksumAddress
    creditor: ChecksumAddress
    status: ObligationStatus
    due_date: int
    amount: int
    outstanding: int
    document_hash: bytes

    @property
    def is_open(self) -> bool:
        """An accepted debt with something outstanding: payable and clearable."""
        return self.status == ObligationStatus.ACCEPTED and self.outstanding > 0


class SettlementLike(Protocol):
    """Anything with an obligation id and an amount (e.g. the engine's `Settlement`)."""

    @property
    def id(self) -> int: ...

    @property
    def amount(self) -> int: ...


@dataclass(frozen=True)
class ClearingReceipt:
    """What one `settleClearing` transaction did."""

    sent: Sent
    plan_hash: bytes
    entries: int
    total_cleared: int
    cleared: dict[int, tuple[int, int]]
    """Obligation id -> (amount cleared, outstanding after), from `ObligationCleared` events
    (for an id given twice in the plan: the sum and the final outstanding)."""


def _entries(settlements: Iterable[SettlementLike | tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s in settlements:
        if isinstance(s, tuple):
            out.append((int(s[0]), int(s[1])))
        else:
            out.append((int(s.id), int(s.amount)))
    return out


def plan_hash(settlements: Iterable[SettlementLike | tuple[int, int]]) -> bytes:
    """keccak256 over the (id, amount) pairs as 32-byte words: `ClearingSettled.planHash`."""
    data = b"".join(i.to_bytes(32, "big") + a.to_bytes(32, "big") for i, a in _entries(settlements))
    return bytes(Web3.keccak(data))


class SettlementUnitsClient:
    """One SettlementUnits contract (a cooperative's or a union's ВРЕ)."""

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.contract: Contract = chain.contract(CONTRACT_NAME, address)
        self.address: ChecksumAddress = self.contract.address

    # -- views ------------------------------------------------------------------------------

    def signed_balance(self, account: str) -> int:
        return int(self.contract.functions.signedBalanceOf(_cs(account)).call())

    def balance_of(self, account: str) -> int:
        """The ERC-20 view: the positive part of the signed balance."""
        return int(self.contract.functions.balanceOf(_cs(account)).call())

    def available(self, account: str) -> int:
        return int(self.contract.functions.availableOf(_cs(account)).call())

    def credit_limit(self, account: str) -> int:
        return int(self.contract.functions.creditLimitOf(_cs(account)).call())

    def default_credit_limit(self) -> int:
        return int(self.contract.functions.defaultCreditLimit().call())

    def total_supply(self) -> int:
        return int(self.contract.functions.totalSupply().call())

    def open_obligation_count(self, account: str) -> int:
        return int(self.contract.functions.openObligationCount(_cs(account)).call())

    def has_open_obligations(self, account: str) -> bool:
        return bool(self.contract.functions.hasOpenObligations(_cs(account)).call())

    def obligation_count(self) -> int:
        return int(self.contract.functions.obligationCount().call())

    def obligation(self, obligation_id: int) -> ObligationInfo:
        raw = self.contract.functions.obligation(obligation_id).call()
        debtor, creditor, status, due_date, amount, outstanding, document_hash = raw
        return ObligationInfo(
            id=obligation_id,
            debtor=_cs(debtor),
            creditor=_cs(creditor),
            status=ObligationStatus(status),
            due_date=int(due_date),
            amount=int(amount),
            outstanding=int(outstanding),
            document_hash=bytes(document_hash),
        )

    def accepted_obligation_ids(
        self, from_block: int = 0, to_block: int | None = None
    ) -> list[int]:
        """Ids of every obligation ever accepted in the block range (from the logs)."""
        last = self.chain.w3.eth.block_number if to_block is None else to_block
        event = self.contract.events.ObligationAccepted
        ids: set[int] = set()
        start, span = from_block, _LOG_RANGE
        while start <= last:
            end = min(start + span - 1, last)
            try:
                logs = event.get_logs(from_block=start, to_block=end)
            except ValueError:
                if span == 1:
                    raise
                span = max(1, span // 2)  # the node refused the range: shrink and retry
                continue
            ids.update(int(log["args"]["obligationId"]) for log in logs)
            start = end + 1
        return sorted(ids)

    def open_obligations(self, from_block: int = 0) -> list[ObligationInfo]:
        """Accepted obligations with something outstanding, read back from the contract."""
        infos = (self.obligation(i) for i in self.accepted_obligation_ids(from_block))
        return [info for info in infos if info.is_open]

    def decode_events(self, name: str, sent: Sent) -> list[Any]:
        """This contract's `name` events in a transaction, in log order (other logs skipped)."""
        event = self.contract.events[name]()
        topic = HexBytes(event_abi_to_log_topic(event.abi))
        return [
            event.process_log(log)
            for log in sent.receipt["logs"]
            if log["address"] == self.address and log["topics"] and log["topics"][0] == topic
        ]

    # -- transfers and limits -----------------------------------------------------------------

    def transfer(
        self, sender: LocalAccount, to: str, amount: int, document_hash: bytes | None = None
    ) -> Sent:
        if document_hash is None:
            return self.chain.transact(self.contract.functions.transfer(_cs(to), amount), sender)
        fn = self.contract.functions.transferWithDocument(_cs(to), amount, _hash32(document_hash))
        return self.chain.transact(fn, sender)

    def set_credit_limit(self, executor: LocalAccount, member: str, limit: int) -> Sent:
        fn = self.contract.functions.setCreditLimit(_cs(member), limit)
        return self.chain.transact(fn, executor)

    def set_default_credit_limit(self, executor: LocalAccount, limit: int) -> Sent:
        return self.chain.transact(self.contract.functions.setDefaultCreditLimit(limit), executor)

    # -- obligations ----------------------------------------------------------------------------

    def issue(
        self,
        creditor: LocalAccount,
        debtor: str,
        amount: int,
        *,
        due_date: int = 0,
        document_hash: bytes = ZERO_HASH,
    ) -> tuple[int, Sent]:
        """Invoice `debtor`; returns the new obligation id and the transaction."""
        fn = self.contract.functions.issueObligation(
            _cs(debtor), amount, due_date, _hash32(document_hash)
        )
        sent = self.chain.transact(fn, creditor)
        events = self.decode_events("ObligationIssued", sent)
        return int(events[0]["args"]["obligationId"]), sent

    def accept(self, debtor: LocalAccount, obligation_id: int) -> Sent:
        return self.chain.transact(self.contract.functions.acceptObligation(obligation_id), debtor)

    def accept_typed_data(self, obligation_id: int, deadline: int) -> dict[str, Any]:
        """The EIP-712 payload the debtor's wallet signs to accept `obligation_id`."""
        info = self.obligation(obligation_id)
        if info.status != ObligationStatus.ISSUED:
            raise ValueError(f"obligation {obligation_id} is {info.status.name}, not ISSUED")
        return accept_typed_data(
            chain_id=self.chain.chain_id,
            contract=self.address,
            obligation_id=obligation_id,
            debtor=info.debtor,
            creditor=info.creditor,
            amount=info.amount,
            due_date=info.due_date,
            document_hash=info.document_hash,
            deadline=deadline,
        )

    def sign_acceptance(self, debtor: LocalAccount, obligation_id: int, deadline: int) -> bytes:
        """Sign the acceptance with a local key (tests, scripts; wallets sign the payload)."""
        return sign_acceptance(debtor, self.accept_typed_data(obligation_id, deadline))

    def accept_digest(self, obligation_id: int, deadline: int) -> bytes:
        return bytes(self.contract.functions.acceptDigest(obligation_id, deadline).call())

    def accept_with_signature(
        self, submitter: LocalAccount, obligation_id: int, deadline: int, signature: bytes
    ) -> Sent:
        fn = self.contract.functions.acceptObligationWithSignature(
            obligation_id, deadline, signature
        )
        return self.chain.transact(fn, submitter)

    def reject(self, debtor: LocalAccount, obligation_id: int) -> Sent:
        return self.chain.transact(self.contract.functions.rejectObligation(obligation_id), debtor)

    def cancel(self, creditor: LocalAccount, obligation_id: int) -> Sent:
        fn = self.contract.functions.cancelObligation(obligation_id)
        return self.chain.transact(fn, creditor)

    def pay(self, debtor: LocalAccount, obligation_id: int, amount: int) -> Sent:
        fn = self.contract.functions.payObligation(obligation_id, amount)
        return self.chain.transact(fn, debtor)

    # -- clearing -------------------------------------------------------------------------------

    def settle_clearing(
        self,
        submitter: LocalAccount,
        settlements: Sequence[SettlementLike | tuple[int, int]],
    ) -> ClearingReceipt:
        """Submit one balanced chunk of a clearing plan."""
        entries = _entries(settlements)
        sent = self.chain.transact(self.contract.functions.settleClearing(entries), submitter)
        summary = self.decode_events("ClearingSettled", sent)[0]["args"]
        cleared: dict[int, tuple[int, int]] = {}
        for log in self.decode_events("ObligationCleared", sent):
            oid = int(log["args"]["obligationId"])
            before = cleared.get(oid, (0, 0))[0]
            cleared[oid] = (before + int(log["args"]["amount"]), int(log["args"]["outstanding"]))
        return ClearingReceipt(
            sent=sent,
            plan_hash=bytes(summary["planHash"]),
            entries=int(summary["entries"]),
            total_cleared=int(summary["totalCleared"]),
            cleared=cleared,
        )


def _cs(address: str) -> ChecksumAddress:
    return Web3.to_checksum_address(address)


def _hash32(value: bytes) -> bytes:
    raw = bytes(HexBytes(value))
    if len(raw) != 32:
        raise ValueError(f"a document hash is 32 bytes, got {len(raw)}")
    return raw
