"""Typed clients for a cooperative's MutualAidFund and PropertyRegistry.

ABIs come from the compiled artifacts. Every write takes the signing account explicitly and
returns the `Sent` receipt (or a result carrying it); a refused call raises `TransactionReverted`
whose `.error` is the contract's custom error name (`MutualAidFundBelowReserve`, ...).

Three kinds of authority:

- a member's own wallet: contribute, withdraw, request a loan, accept a guarantee, repay;
- a council decision: `*_action` builders give the `Action` a council item carries
  (`approve_action`, `mint_action`, ...), run by `Council.decide` / `Council.execute`;
- a general-meeting decision: `*_question` builders give the agenda `Question` whose document
  hash is the operation's commitment; once the meeting accepted it and the protocol is signed,
  anyone submits the operation (`write_off`, `set_rules`, `dispose`) naming the meeting and the
  question. Property disposals need a two-thirds or three-quarters majority.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.chain.client import Chain, Sent, checksum
from node.governance._utils import call_or_revert, events
from node.governance.client import Action, Majority, Question

MAX_UINT128 = 2**128 - 1
MAX_UINT256 = 2**256 - 1
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
DAY = 24 * 3600

WRITE_OFF_TYPEHASH = keccak(text="MutualAidFund.writeOff(uint256 loanId,bytes32 document)")
RULES_TYPEHASH = keccak(
    text="MutualAidFund.setRules(uint32 loanToContributionBps,uint16 reserveBps,"
    "uint16 interestBps,uint32 maxTerm,uint128 maxLoanPerMember,bytes32 document)"
)
DISPOSAL_TYPEHASH = keccak(
    text="PropertyRegistry.dispose(uint256 tokenId,uint8 kind,address counterparty,"
    "uint256 amount,bytes32 document)"
)


# -- mutual-aid fund --------------------------------------------------------------------------


class LoanState(IntEnum):
    """`IMutualAidFund.LoanState`."""

    NONE = 0
    REQUESTED = 1
    APPROVED = 2
    ACTIVE = 3
    OVERDUE = 4
    DEFAULTED = 5
    REPAID = 6
    WRITTEN_OFF = 7
    CANCELLED = 8
    REJECTED = 9


@dataclass(frozen=True)
class FundRules:
    """`IMutualAidFund.Rules`: the charter's rules of the fund."""

    loan_to_contribution_bps: int = 20_000
    """A borrower may owe at most this share (basis points) of their own unpledged
    contribution: 20,000 is twice the contribution."""
    reserve_bps: int = 2_000
    """After an approval the fund's cash stays at or above this share of the pool."""
    interest_bps: int = 0
    """Annual simple interest, fixed at approval. Zero by default (a meeting may set it)."""
    max_term: int = 3 * 365 * DAY
    """The longest term in seconds."""
    max_loan_per_member: int = MAX_UINT128
    """The most principal one member may owe at a time (no cap beyond the multiple)."""

    def as_abi(self) -> tuple[int, int, int, int, int]:
        return (
            self.loan_to_contribution_bps,
            self.reserve_bps,
            self.interest_bps,
            self.max_term,
            self.max_loan_per_member,
        )


@dataclass(frozen=True)
class LoanRequest:
    """`IMutualAidFund.LoanRequest`."""

    amount: int
    term: int
    purpose: bytes
    instalments: int = 1
    schedule: tuple[int, ...] = ()
    """Principal per instalment; empty for equal instalments."""
    guarantors: tuple[str, ...] = ()
    pledges: tuple[int, ...] = ()

    def as_abi(self) -> tuple[Any, ...]:
        return (
            self.amount,
            self.term,
            self.instalments,
            self.purpose,
            list(self.schedule),
            [checksum(g) for g in self.guarantors],
            list(self.pledges),
        )


@dataclass(frozen=True)
class LoanInfo:
    """`IMutualAidFund.LoanInfo`."""

    state: LoanState
    borrower: str
    principal: int
    interest: int
    repaid: int
    term: int
    instalments: int
    custom_schedule: bool
    disbursed_at: int
    purpose: bytes
    guarantor_count: int
    accepted_mask: int

    @property
    def total_due(self) -> int:
        return self.principal + self.interest


@dataclass(frozen=True)
class GuaranteeInfo:
    """`IMutualAidFund.GuaranteeInfo`."""

    guarantor: str
    amount: int
    accepted: bool


@dataclass(frozen=True)
class MemberPosition:
    """`IMutualAidFund.MemberPosition`."""

    units: int
    balance: int
    pledged: int
    borrowed: int
    locked_for_loans: int
    withdrawable: int
    open_loans: int
    open_pledges: int


@dataclass(frozen=True)
class PoolInfo:
    """`IMutualAidFund.PoolInfo`."""

    cash: int
    lent: int
    total_units: int
    loan_count: int


@dataclass(frozen=True)
class Valuation:
    """`IMutualAidFund.Valuation` with the pool's entry and exit values (from `pool()`):
    contributions buy units at `entry_value`, withdrawals sell them at `exit_value`."""

    entry_value: int
    """cash + lent principal + pending interest."""
    exit_value: int
    """cash + lent principal - marked-down principal."""
    pending_interest: int
    impaired: int
    """Unpaid principal of the loans marked down (overdue or defaulted)."""
    review_by: int
    """Withdrawals need `review` after this time (unix seconds; 2**40 - 1: no open loan)."""
    open_loans: int


#: The loan states `review` must list (disbursed, not closed).
OPEN_STATES = (LoanState.ACTIVE, LoanState.OVERDUE, LoanState.DEFAULTED)


def write_off_commitment(fund: str, loan_id: int, document: bytes) -> bytes:
    """The document hash of a meeting question that writes `loan_id` off."""
    return keccak(
        abi_encode(
            ["bytes32", "address", "uint256", "bytes32"],
            [WRITE_OFF_TYPEHASH, checksum(fund), loan_id, document],
        )
    )


def rules_commitment(fund: str, rules: FundRules, document: bytes) -> bytes:
    """The document hash of a meeting question that sets `rules`."""
    return keccak(
        abi_encode(
            ["bytes32", "address", "uint32", "uint16", "uint16", "uint32", "uint128", "bytes32"],
            [RULES_TYPEHASH, checksum(fund), *rules.as_abi(), document],
        )
    )


class MutualAidFund:
    """A cooperative's mutual-aid fund contract."""

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.address = checksum(address)
        self.contract = chain.contract("MutualAidFund", address)
        self.token = chain.contract("TestToken", self._read(self.contract.functions.token()))

    def _read(self, fn: Any) -> Any:
        """A view call; a revert raises `TransactionReverted` named by the custom error."""
        return call_or_revert(self.chain, fn)

    # -- members' own calls -------------------------------------------------------------------

    def approve(self, payer: LocalAccount, amount: int = MAX_UINT256) -> Sent:
        """Let the fund pull `amount` of the payment token from `payer`."""
        return self.chain.transact(self.token.functions.approve(self.address, amount), payer)

    def contribute(self, member: LocalAccount, amount: int) -> Sent:
        return self.chain.transact(self.contract.functions.contribute(amount), member)

    def withdraw(self, member: LocalAccount, amount: int) -> Sent:
        """Withdraw at the exit value; raises `MutualAidFundReviewDue` when a due time of an
        open loan passed since the last `review` (see `review_due`)."""
        return self.chain.transact(self.contract.functions.withdraw(amount), member)

    def review(self, sender: LocalAccount, loan_ids: Sequence[int] | None = None) -> Sent:
        """Bring the fund's view of its loans up to date (anyone may): marks the overdue ones
        down. `loan_ids` defaults to every open loan, read from the chain."""
        ids = self.open_loan_ids() if loan_ids is None else list(loan_ids)
        return self.chain.transact(self.contract.functions.review(ids), sender)

    def request_loan(self, borrower: LocalAccount, request: LoanRequest) -> tuple[int, Sent]:
        """Request a loan; returns its id."""
        sent = self.chain.transact(self.contract.functions.requestLoan(request.as_abi()), borrower)
        (event,) = events(self.contract, "LoanRequested", sent.receipt)
        return int(event["args"]["loanId"]), sent

    def accept_guarantee(self, guarantor: LocalAccount, loan_id: int) -> Sent:
        return self.chain.transact(self.contract.functions.acceptGuarantee(loan_id), guarantor)

    def cancel_loan(self, borrower: LocalAccount, loan_id: int) -> Sent:
        return self.chain.transact(self.contract.functions.cancelLoan(loan_id), borrower)

    def disburse(self, sender: LocalAccount, loan_id: int) -> Sent:
        return self.chain.transact(self.contract.functions.disburse(loan_id), sender)

    def repay(self, payer: LocalAccount, loan_id: int, amount: int) -> Sent:
        return self.chain.transact(self.contract.functions.repay(loan_id, amount), payer)

    # -- council decisions (actions) ----------------------------------------------------------

    def approve_action(self, loan_id: int, decision: bytes) -> Action:
        return Action.call(self.contract, "approveLoan", loan_id, decision)

    def reject_action(self, loan_id: int, decision: bytes) -> Action:
        return Action.call(self.contract, "rejectLoan", loan_id, decision)

    def disburse_action(self, loan_id: int) -> Action:
        return Action.call(self.contract, "disburse", loan_id)

    def call_guarantees_action(self, loan_id: int, decision: bytes) -> Action:
        return Action.call(self.contract, "callGuarantees", loan_id, decision)

    # -- general-meeting decisions ------------------------------------------------------------

    def write_off_question(
        self, loan_id: int, document: bytes, majority: Majority = Majority.SIMPLE
    ) -> Question:
        """The agenda question whose acceptance allows writing `loan_id` off."""
        return Question(write_off_commitment(self.address, loan_id, document), majority)

    def write_off(
        self,
        sender: LocalAccount,
        loan_id: int,
        document: bytes,
        meeting_id: int,
        question_index: int,
    ) -> Sent:
        fn = self.contract.functions.writeOff(loan_id, document, meeting_id, question_index)
        return self.chain.transact(fn, sender)

    def rules_question(
        self, rules: FundRules, document: bytes, majority: Majority = Majority.SIMPLE
    ) -> Question:
        """The agenda question whose acceptance sets `rules` (e.g. an interest rate)."""
        return Question(rules_commitment(self.address, rules, document), majority)

    def set_rules(
        self,
        sender: LocalAccount,
        rules: FundRules,
        document: bytes,
        meeting_id: int,
        question_index: int,
    ) -> Sent:
        fn = self.contract.functions.setRules(rules.as_abi(), document, meeting_id, question_index)
        return self.chain.transact(fn, sender)

    # -- reads --------------------------------------------------------------------------------

    def balance_of(self, member: str) -> int:
        return int(self._read(self.contract.functions.balanceOf(checksum(member))))

    def position(self, member: str) -> MemberPosition:
        raw = self._read(self.contract.functions.positionOf(checksum(member)))
        return MemberPosition(*(int(v) for v in raw))

    def pool(self) -> PoolInfo:
        return PoolInfo(*(int(v) for v in self._read(self.contract.functions.pool())))

    def rules(self) -> FundRules:
        return FundRules(*(int(v) for v in self._read(self.contract.functions.rules())))

    def valuation(self) -> Valuation:
        pool = self.pool()
        pending, impaired, review_by, open_loans = (
            int(v) for v in self._read(self.contract.functions.valuation())
        )
        return Valuation(
            entry_value=pool.cash + pool.lent + pending,
            exit_value=pool.cash + pool.lent - impaired,
            pending_interest=pending,
            impaired=impaired,
            review_by=review_by,
            open_loans=open_loans,
        )

    def review_due(self) -> bool:
        """Whether a withdrawal now (in the next block) needs a `review` first."""
        latest = self.chain.w3.eth.get_block("latest")
        return int(latest["timestamp"]) + 1 > self.valuation().review_by

    def open_loan_ids(self) -> list[int]:
        """The disbursed loans not closed, in increasing order: what `review` must list. One
        `loanState` call per loan ever requested."""
        count = self.pool().loan_count
        return [i for i in range(1, count + 1) if self.state(i) in OPEN_STATES]

    def loan(self, loan_id: int) -> LoanInfo:
        r = self._read(self.contract.functions.loan(loan_id))
        return LoanInfo(
            state=LoanState(r[0]),
            borrower=checksum(r[1]),
            principal=int(r[2]),
            interest=int(r[3]),
            repaid=int(r[4]),
            term=int(r[5]),
            instalments=int(r[6]),
            custom_schedule=bool(r[7]),
            disbursed_at=int(r[8]),
            purpose=bytes(r[9]),
            guarantor_count=int(r[10]),
            accepted_mask=int(r[11]),
        )

    def state(self, loan_id: int) -> LoanState:
        return LoanState(self._read(self.contract.functions.loanState(loan_id)))

    def guarantees(self, loan_id: int) -> list[GuaranteeInfo]:
        return [
            GuaranteeInfo(checksum(g[0]), int(g[1]), bool(g[2]))
            for g in self._read(self.contract.functions.guaranteesOf(loan_id))
        ]

    def instalment_due(self, loan_id: int, index: int) -> tuple[int, int]:
        """(what must be paid by the end of instalment `index`, 1-based; when it falls due)."""
        due, at = self._read(self.contract.functions.instalmentDue(loan_id, index))
        return int(due), int(at)

    def amount_overdue(self, loan_id: int) -> int:
        return int(self._read(self.contract.functions.amountOverdue(loan_id)))

    def outstanding(self, loan_id: int) -> int:
        return int(self._read(self.contract.functions.outstanding(loan_id)))

    def max_loan_for(self, borrower: str) -> int:
        return int(self._read(self.contract.functions.maxLoanFor(checksum(borrower))))

    def has_open_obligations(self, member: str) -> bool:
        return bool(self._read(self.contract.functions.hasOpenObligations(checksum(member))))


# -- property register ------------------------------------------------------------------------


class Category(IntEnum):
    """`IPropertyRegistry.Category`."""

    LAND = 0
    BUILDING = 1
    EQUIPMENT = 2
    VEHICLE = 3
    INTELLECTUAL_PROPERTY = 4
    OTHER = 5


class DisposalKind(IntEnum):
    """`IPropertyRegistry.DisposalKind`."""

    SALE = 0
    TRANSFER_OUT = 1
    PLEDGE = 2
    WRITE_OFF = 3


@dataclass(frozen=True)
class Disposal:
    """`IPropertyRegistry.Disposal`: what a general meeting decides to do with an asset."""

    kind: DisposalKind
    document: bytes
    counterparty: str = ZERO_ADDRESS
    amount: int = 0

    def as_abi(self) -> tuple[int, str, int, bytes]:
        return (int(self.kind), checksum(self.counterparty), self.amount, self.document)


@dataclass(frozen=True)
class AssetInfo:
    """`IPropertyRegistry.AssetInfo`."""

    category: Category
    custodian: str
    valuation: int
    title: bytes
    metadata: bytes
    acquired_at: int
    valued_at: int
    encumbered: bool
    pledgee: str
    pledge_amount: int
    pledge_document: bytes


@dataclass(frozen=True)
class AssetMetadata:
    """An asset's ERC-721 metadata document (what `tokenURI` serves) and its hash."""

    document: bytes
    """The canonical JSON bytes (sorted keys, no spaces, UTF-8)."""
    hash: bytes
    """keccak-256 of `document`: the hash the token stores."""

    @property
    def json(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.document)
        return value


def asset_metadata(
    name: str,
    description: str,
    category: Category,
    valuation: int,
    title: bytes,
    *,
    image: str | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> AssetMetadata:
    """Build the JSON metadata document of an asset (ERC-721 metadata JSON schema: name,
    description, image, attributes) in canonical form, with its keccak-256 hash."""
    attrs: list[dict[str, Any]] = [
        {"trait_type": "category", "value": category.name.lower()},
        {"trait_type": "valuation", "value": str(valuation)},
        {"trait_type": "title document", "value": "0x" + title.hex()},
    ]
    attrs += [{"trait_type": k, "value": v} for k, v in (attributes or {}).items()]
    body: dict[str, Any] = {"name": name, "description": description, "attributes": attrs}
    if image is not None:
        body["image"] = image
    document = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    raw = document.encode()
    return AssetMetadata(raw, keccak(raw))


def disposal_commitment(registry: str, token_id: int, disposal: Disposal) -> bytes:
    """The document hash of a meeting question that carries out `disposal` of `token_id`."""
    return keccak(
        abi_encode(
            ["bytes32", "address", "uint256", "uint8", "address", "uint256", "bytes32"],
            [DISPOSAL_TYPEHASH, checksum(registry), token_id, *disposal.as_abi()],
        )
    )


class PropertyRegistry:
    """A cooperative's property register (ERC-721, moved only by decisions)."""

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.address = checksum(address)
        self.contract = chain.contract("PropertyRegistry", address)

    def _read(self, fn: Any) -> Any:
        """A view call; a revert raises `TransactionReverted` named by the custom error."""
        return call_or_revert(self.chain, fn)

    # -- council decisions (actions) ----------------------------------------------------------

    def mint_action(
        self,
        custodian: str,
        category: Category,
        valuation: int,
        title: bytes,
        metadata: bytes,
        decision: bytes,
    ) -> Action:
        return Action.call(
            self.contract,
            "mint",
            checksum(custodian),
            int(category),
            valuation,
            title,
            metadata,
            decision,
        )

    def revalue_action(self, token_id: int, valuation: int, document: bytes) -> Action:
        return Action.call(self.contract, "revalue", token_id, valuation, document)

    def set_custodian_action(self, token_id: int, custodian: str, decision: bytes) -> Action:
        return Action.call(self.contract, "setCustodian", token_id, checksum(custodian), decision)

    def set_metadata_action(self, token_id: int, metadata: bytes, decision: bytes) -> Action:
        return Action.call(self.contract, "setMetadata", token_id, metadata, decision)

    def release_action(self, token_id: int, document: bytes) -> Action:
        return Action.call(self.contract, "releaseEncumbrance", token_id, document)

    def set_base_uri_action(self, base_uri: str) -> Action:
        return Action.call(self.contract, "setBaseURI", base_uri)

    @staticmethod
    def minted_ids(chain: Chain, registry: str, sent: Sent) -> list[int]:
        """The ids of the assets a transaction (e.g. a council execution) registered."""
        contract = chain.contract("PropertyRegistry", registry)
        return [int(e["args"]["tokenId"]) for e in events(contract, "AssetMinted", sent.receipt)]

    # -- general-meeting decisions ------------------------------------------------------------

    def disposal_question(
        self, token_id: int, disposal: Disposal, majority: Majority = Majority.TWO_THIRDS
    ) -> Question:
        """The agenda question whose acceptance (by a qualified majority) allows `disposal`."""
        return Question(disposal_commitment(self.address, token_id, disposal), majority)

    def dispose(
        self,
        sender: LocalAccount,
        token_id: int,
        disposal: Disposal,
        meeting_id: int,
        question_index: int,
    ) -> Sent:
        fn = self.contract.functions.dispose(
            token_id, disposal.as_abi(), meeting_id, question_index
        )
        return self.chain.transact(fn, sender)

    # -- reads --------------------------------------------------------------------------------

    def asset(self, token_id: int) -> AssetInfo:
        r = self._read(self.contract.functions.asset(token_id))
        return AssetInfo(
            category=Category(r[0]),
            custodian=checksum(r[1]),
            valuation=int(r[2]),
            title=bytes(r[3]),
            metadata=bytes(r[4]),
            acquired_at=int(r[5]),
            valued_at=int(r[6]),
            encumbered=bool(r[7]),
            pledgee=checksum(r[8]),
            pledge_amount=int(r[9]),
            pledge_document=bytes(r[10]),
        )

    def exists(self, token_id: int) -> bool:
        return bool(self._read(self.contract.functions.exists(token_id)))

    def owner_of(self, token_id: int) -> str:
        return checksum(self._read(self.contract.functions.ownerOf(token_id)))

    def balance_of(self, owner: str) -> int:
        return int(self._read(self.contract.functions.balanceOf(checksum(owner))))

    def total_supply(self) -> int:
        return int(self._read(self.contract.functions.totalSupply()))

    def token_uri(self, token_id: int) -> str:
        return str(self._read(self.contract.functions.tokenURI(token_id)))

    def holder(self) -> str:
        return checksum(self._read(self.contract.functions.holder()))


def loan_schedule(amount: int, instalments: int, weights: Sequence[int]) -> tuple[int, ...]:
    """Split `amount` into instalments proportional to `weights` (the remainder in the last)."""
    if len(weights) != instalments or sum(weights) <= 0:
        raise ValueError("one positive weight per instalment")
    total = sum(weights)
    parts = [amount * w // total for w in weights]
    parts[-1] += amount - sum(parts)
    return tuple(parts)


__all__ = [
    "AssetInfo",
    "AssetMetadata",
    "Category",
    "Disposal",
    "DisposalKind",
    "FundRules",
    "GuaranteeInfo",
    "LoanInfo",
    "LoanRequest",
    "LoanState",
    "MemberPosition",
    "MutualAidFund",
    "PoolInfo",
    "PropertyRegistry",
    "asset_metadata",
    "disposal_commitment",
    "loan_schedule",
    "rules_commitment",
    "write_off_commitment",
]
