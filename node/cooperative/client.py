"""A typed client for one cooperative's contract set, built on web3.py.

ABIs come from the compiled artifacts (`Chain.contract`); nothing here copies an ABI by hand.
Every write takes the signing account explicitly and returns the `Sent` receipt; a refused call
raises `TransactionReverted` with the contract's custom error name.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import event_abi_to_log_topic
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from node.chain.client import Chain, Sent, checksum

MAX_UINT256 = 2**256 - 1


def send(chain: Chain, fn: ContractFunction, sender: LocalAccount) -> Sent:
    """`chain.transact` (kept as the module's one sending point; the gas margin lives there)."""
    return chain.transact(fn, sender)


class CooperativeKind(IntEnum):
    """`ICharter.CooperativeKind`."""

    CONSUMER = 0
    PRODUCTION = 1
    AGRICULTURAL = 2
    CREDIT = 3
    UNION = 4
    OTHER = 5


class MemberKind(IntEnum):
    """`ICharter.MemberKind`."""

    INDIVIDUAL = 0
    ORGANISATION = 1


class MemberStatus(IntEnum):
    """`IMembership.MemberStatus`."""

    NONE = 0
    APPLICANT = 1
    MEMBER = 2
    EXITING = 3
    EXITED = 4
    BLOCKED = 5


class DocumentType(IntEnum):
    """`IDocumentRegistry.DocumentType`."""

    APPLICATION = 0
    EXIT = 1
    COUNCIL_DECISION = 2
    MEETING_PROTOCOL = 3
    CHARTER = 4
    CONTRACT = 5
    PAYMENT = 6
    OTHER = 7


class Fund(IntEnum):
    """`ITreasury.Fund`."""

    SHARE = 0
    RESERVE = 1
    MUTUAL_AID = 2
    DEVELOPMENT = 3


#: Charter role bits.
ROLE_CASHIER = 1
ROLE_VERIFIER = 2


@dataclass(frozen=True)
class CooperativeAddresses:
    """The contract set of one cooperative, as the factory created it."""

    id: int
    charter: str
    membership: str
    shares: str
    treasury: str
    documents: str
    settlement_units: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MemberRecord:
    """`IMembership.MemberRecord`."""

    status: MemberStatus
    kind: MemberKind
    blocked_from: MemberStatus
    identity_verified: bool
    fees_paid: bool
    nonce: int
    applied_at: int
    admitted_at: int


@dataclass(frozen=True)
class Holding:
    """`IShares.Holding`."""

    minimum_share: int
    voluntary_shares: int
    in_kind_shares: int
    entrance_fee: int
    paid_off_chain: int


APPLICATION_TYPES = {
    "Application": [
        {"name": "applicant", "type": "address"},
        {"name": "kind", "type": "uint8"},
        {"name": "identityHash", "type": "bytes32"},
        {"name": "applicationHash", "type": "bytes32"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}

#: The signature names its signer, so it verifies for that account only (an owner key's
#: signature is not its ERC-1271 wallet's, nor another wallet's of the same key).
DOCUMENT_SIGNATURE_TYPES = {
    "DocumentSignature": [
        {"name": "signer", "type": "address"},
        {"name": "document", "type": "bytes32"},
    ]
}


def events(contract: Contract, name: str, receipt: Any) -> list[Any]:
    """The `name` events `contract` itself emitted in `receipt` (other contracts' logs with the
    same signature, such as a token's `Transfer`, are left out)."""
    event = getattr(contract.events, name)()
    logs = [log for log in receipt["logs"] if log["address"] == contract.address]
    return [event.process_log(log) for log in logs if _topic_matches(event, log)]


def _topic_matches(event: Any, log: Any) -> bool:
    return bool(log["topics"]) and bytes(log["topics"][0]) == event_abi_to_log_topic(event.abi)


def eip712_domain(contract: Contract) -> dict[str, Any]:
    """The contract's EIP-712 domain, read through ERC-5267 `eip712Domain()`."""
    _fields, name, version, chain_id, verifying, _salt, _ext = (
        contract.functions.eip712Domain().call()
    )
    return {
        "name": name,
        "version": version,
        "chainId": chain_id,
        "verifyingContract": checksum(verifying),
    }


class Cooperative:
    """One cooperative's contracts, with typed calls for its processes."""

    def __init__(self, chain: Chain, addresses: CooperativeAddresses) -> None:
        self.chain = chain
        self.addresses = addresses
        self.charter = chain.contract("Charter", addresses.charter)
        self.membership = chain.contract("Membership", addresses.membership)
        self.shares = chain.contract("Shares", addresses.shares)
        self.treasury = chain.contract("Treasury", addresses.treasury)
        self.documents = chain.contract("DocumentRegistry", addresses.documents)
        self.settlement_units = chain.contract("SettlementUnits", addresses.settlement_units)
        self.token = chain.contract("TestToken", self.charter.functions.paymentToken().call())

    @classmethod
    def from_charter(cls, chain: Chain, charter: str, cooperative_id: int = 0) -> Cooperative:
        """Find the rest of the set from its charter."""
        c = chain.contract("Charter", charter)
        return cls(
            chain,
            CooperativeAddresses(
                id=cooperative_id,
                charter=checksum(charter),
                membership=c.functions.membership().call(),
                shares=c.functions.shares().call(),
                treasury=c.functions.treasury().call(),
                documents=c.functions.documents().call(),
                settlement_units=c.functions.settlementUnits().call(),
            ),
        )

    # -- membership ---------------------------------------------------------------------------

    def apply(
        self,
        applicant: LocalAccount,
        kind: MemberKind,
        identity_hash: bytes,
        application_hash: bytes,
    ) -> Sent:
        fn = self.membership.functions.applyToJoin(int(kind), identity_hash, application_hash)
        return send(self.chain, fn, applicant)

    def sign_application(
        self,
        applicant: LocalAccount,
        kind: MemberKind,
        identity_hash: bytes,
        application_hash: bytes,
        *,
        nonce: int | None = None,
        deadline: int | None = None,
        domain: dict[str, Any] | None = None,
    ) -> tuple[bytes, int, int]:
        """The applicant's EIP-712 signature of an application: (signature, nonce, deadline)."""
        if nonce is None:
            nonce = self.member(applicant.address).nonce
        if deadline is None:
            deadline = int(time.time()) + 3600
        signed = applicant.sign_typed_data(
            domain_data=domain or eip712_domain(self.membership),
            message_types=APPLICATION_TYPES,
            message_data={
                "applicant": applicant.address,
                "kind": int(kind),
                "identityHash": identity_hash,
                "applicationHash": application_hash,
                "nonce": nonce,
                "deadline": deadline,
            },
        )
        return bytes(signed.signature), nonce, deadline

    def apply_with_sig(
        self,
        relayer: LocalAccount,
        applicant: str,
        kind: MemberKind,
        identity_hash: bytes,
        application_hash: bytes,
        nonce: int,
        deadline: int,
        signature: bytes,
    ) -> Sent:
        fn = self.membership.functions.applyToJoinWithSig(
            checksum(applicant),
            int(kind),
            identity_hash,
            application_hash,
            nonce,
            deadline,
            signature,
        )
        return send(self.chain, fn, relayer)

    def attest_identity(self, verifier: LocalAccount, account: str, check_record: bytes) -> Sent:
        fn = self.membership.functions.attestIdentity(checksum(account), check_record)
        return send(self.chain, fn, verifier)

    def approve_treasury(self, payer: LocalAccount, amount: int = MAX_UINT256) -> Sent:
        fn = self.token.functions.approve(self.addresses.treasury, amount)
        return send(self.chain, fn, payer)

    def pay_fees(self, payer: LocalAccount, account: str) -> Sent:
        """Pay the fees of `account` from `payer` (who must have approved the treasury)."""
        return send(self.chain, self.membership.functions.payFees(checksum(account)), payer)

    def attest_payment(self, cashier: LocalAccount, account: str, payment_document: bytes) -> Sent:
        fn = self.membership.functions.attestPayment(checksum(account), payment_document)
        return send(self.chain, fn, cashier)

    def admit(self, executor: LocalAccount, account: str, decision: bytes) -> Sent:
        fn = self.membership.functions.admit(checksum(account), decision)
        return send(self.chain, fn, executor)

    def set_auditor(self, executor: LocalAccount, account: str, appointed: bool = True) -> Sent:
        """Appoint (or remove) a member of the audit commission: a decision's action."""
        fn = self.charter.functions.setAuditor(checksum(account), appointed)
        return send(self.chain, fn, executor)

    def is_auditor(self, account: str) -> bool:
        return bool(self.charter.functions.isAuditor(checksum(account)).call())

    def request_exit(self, member: LocalAccount, application_hash: bytes) -> Sent:
        return send(self.chain, self.membership.functions.requestExit(application_hash), member)

    def exit(self, executor: LocalAccount, account: str, decision: bytes) -> Sent:
        return send(
            self.chain, self.membership.functions.exit(checksum(account), decision), executor
        )

    def block(self, executor: LocalAccount, account: str, decision: bytes) -> Sent:
        fn = self.membership.functions.blockMember(checksum(account), decision)
        return send(self.chain, fn, executor)

    def unblock(self, executor: LocalAccount, account: str, decision: bytes) -> Sent:
        fn = self.membership.functions.unblockMember(checksum(account), decision)
        return send(self.chain, fn, executor)

    def recover(self, executor: LocalAccount, old: str, new: str, decision: bytes) -> Sent:
        fn = self.membership.functions.recoverMembership(checksum(old), checksum(new), decision)
        return send(self.chain, fn, executor)

    def member(self, account: str) -> MemberRecord:
        raw = self.membership.functions.memberOf(checksum(account)).call()
        return MemberRecord(
            status=MemberStatus(raw[0]),
            kind=MemberKind(raw[1]),
            blocked_from=MemberStatus(raw[2]),
            identity_verified=bool(raw[3]),
            fees_paid=bool(raw[4]),
            nonce=int(raw[5]),
            applied_at=int(raw[6]),
            admitted_at=int(raw[7]),
        )

    def status(self, account: str) -> MemberStatus:
        return MemberStatus(self.membership.functions.statusOf(checksum(account)).call())

    def is_active_member(self, account: str) -> bool:
        return bool(self.membership.functions.isActiveMember(checksum(account)).call())

    def active_member_count(self) -> int:
        return int(self.membership.functions.activeMemberCount().call())

    # -- shares -------------------------------------------------------------------------------

    def holding(self, account: str) -> Holding:
        raw = self.shares.functions.holdingOf(checksum(account)).call()
        return Holding(*(int(v) for v in raw))

    def share_balance(self, account: str) -> int:
        return int(self.shares.functions.balanceOf(checksum(account)).call())

    def contribute(self, member: LocalAccount, amount: int) -> Sent:
        return send(self.chain, self.shares.functions.contribute(amount), member)

    # -- treasury -----------------------------------------------------------------------------

    def fund_balances(self) -> dict[Fund, int]:
        values = self.treasury.functions.fundBalances().call()
        return {fund: int(values[fund]) for fund in Fund}

    def receive_income(self, sender: LocalAccount, amount: int, document: bytes) -> Sent:
        fn = self.treasury.functions.receiveIncome(amount, document)
        return send(self.chain, fn, sender)

    def payout(
        self, executor: LocalAccount, fund: Fund, to: str, amount: int, decision: bytes
    ) -> Sent:
        fn = self.treasury.functions.payout(int(fund), checksum(to), amount, decision)
        return send(self.chain, fn, executor)

    def join_union(
        self, executor: LocalAccount, union: Cooperative, identity_hash: bytes, application: bytes
    ) -> Sent:
        fn = self.treasury.functions.joinUnion(
            union.addresses.membership, identity_hash, application
        )
        return send(self.chain, fn, executor)

    def pay_union_fees(
        self,
        executor: LocalAccount,
        union: Cooperative,
        fund: Fund,
        decision: bytes,
        approved_amount: int | None = None,
    ) -> Sent:
        """Pay the union's joining fees; `approved_amount` is what the decision approved (by
        default the union's organisation fees as they stand now)."""
        if approved_amount is None:
            entrance, minimum = union.charter.functions.fees(1).call()
            approved_amount = int(entrance) + int(minimum)
        fn = self.treasury.functions.payUnionFees(
            union.addresses.membership, int(fund), approved_amount, decision
        )
        return send(self.chain, fn, executor)

    # -- documents ----------------------------------------------------------------------------

    def anchor(
        self,
        sender: LocalAccount,
        document: bytes,
        document_type: DocumentType,
        replaces: bytes = b"\0" * 32,
    ) -> Sent:
        fn = self.documents.functions.anchor(document, int(document_type), replaces)
        return send(self.chain, fn, sender)

    def sign_document(self, signer: LocalAccount, document: bytes) -> Sent:
        return send(self.chain, self.documents.functions.sign(document), signer)

    def document_signature(
        self, key: LocalAccount, document: bytes, signer: str | None = None
    ) -> bytes:
        """`key`'s EIP-712 signature of `document` for this cooperative's registry, on behalf of
        `signer` (the key's own address by default; an ERC-1271 wallet the key controls)."""
        signed = key.sign_typed_data(
            domain_data=eip712_domain(self.documents),
            message_types=DOCUMENT_SIGNATURE_TYPES,
            message_data={"signer": checksum(signer or key.address), "document": document},
        )
        return bytes(signed.signature)

    def sign_document_with_sig(
        self, relayer: LocalAccount, document: bytes, signer: str, signature: bytes
    ) -> Sent:
        fn = self.documents.functions.signWithSig(document, checksum(signer), signature)
        return send(self.chain, fn, relayer)

    def anchor_signed_decision(
        self, executor: LocalAccount, chair: LocalAccount, decision: bytes
    ) -> None:
        """Anchor a council decision and have the chair sign it (what a payout needs)."""
        self.anchor(executor, decision, DocumentType.COUNCIL_DECISION)
        self.sign_document(chair, decision)
