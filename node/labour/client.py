"""Typed client for a cooperative's LabourRegister, and its installation.

Three kinds of authority (see `ILabourRegister`):

- a member's own wallet: `record` work, `claim` a payout; an appointed approver: `approve`,
  `reject` (never their own work);
- a council decision: `*_action` builders give the `Action` a council item carries (rates,
  approvers, purchases, a share contribution with its `Shares.creditInKind`, a batch of a
  distribution in shares);
- a general-meeting decision: `distribution_question` gives the agenda `Question` whose document
  hash is the distribution's commitment; once accepted with a signed protocol, anyone submits
  `approve_distribution` naming the meeting and the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from indexer.queries import labour as labour_queries
from node.chain.client import Chain, Sent, checksum
from node.governance._utils import events
from node.governance.client import Action, Majority, Question

DISTRIBUTE_TYPEHASH = keccak(
    text="LabourRegister.distribute(uint32 period,uint8 basis,uint8 form,uint128 surplus,"
    "bytes32 document)"
)


class Unit(IntEnum):
    """`ILabourRegister.Unit`: an hour (quantities in hundredths) or one result."""

    HOUR = 0
    RESULT = 1


class Status(IntEnum):
    """`ILabourRegister.Status`."""

    NONE = 0
    RECORDED = 1
    POINTS = 2
    APPROVED_FOR_SHARES = 3
    CONTRIBUTED = 4
    REJECTED = 5


class Use(IntEnum):
    """`ILabourRegister.Use`: what approved work becomes."""

    POINTS = 0
    SHARES = 1


class Basis(IntEnum):
    """`ILabourRegister.Basis`: what a distribution divides by."""

    LABOUR = 0
    PURCHASES = 1


class Form(IntEnum):
    """`ILabourRegister.Form`: how parts are credited."""

    PAYOUT = 0
    SHARES = 1


@dataclass(frozen=True)
class Terms:
    """`ILabourRegister.Terms`: what the general meeting decides to distribute."""

    period: int
    basis: Basis
    form: Form
    surplus: int

    def as_abi(self) -> tuple[int, int, int, int]:
        return (self.period, int(self.basis), int(self.form), self.surplus)


def valuation(price: int, unit: Unit, quantity: int) -> int:
    """What the contract computes for `quantity` at `price` per `unit` (floor)."""
    return price * quantity // 100 if unit == Unit.HOUR else price * quantity


def distribution_commitment(register: str, terms: Terms, document: bytes) -> bytes:
    """The document hash the meeting's question must carry to approve `terms`."""
    return keccak(
        abi_encode(
            ["bytes32", "address", "uint32", "uint8", "uint8", "uint128", "bytes32"],
            [
                DISTRIBUTE_TYPEHASH,
                checksum(register),
                terms.period,
                int(terms.basis),
                int(terms.form),
                terms.surplus,
                document,
            ],
        )
    )


class LabourRegister:
    """One cooperative's LabourRegister clone."""

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.address = checksum(address)
        self.contract = chain.contract("LabourRegister", self.address)

    # -- members and approvers ----------------------------------------------------------------

    def record(
        self,
        member: LocalAccount,
        rate_id: int,
        period: int,
        quantity: int,
        task: bytes,
        act: bytes,
    ) -> tuple[int, Sent]:
        fn = self.contract.functions.record(rate_id, period, quantity, task, act)
        sent = self.chain.transact(fn, member)
        found = events(self.contract, "WorkRecorded", sent.receipt)
        return int(found[0]["args"]["recordId"]), sent

    def approve(self, approver: LocalAccount, record_id: int, use: Use = Use.POINTS) -> Sent:
        return self.chain.transact(self.contract.functions.approve(record_id, int(use)), approver)

    def reject(self, approver: LocalAccount, record_id: int, reason: bytes) -> Sent:
        return self.chain.transact(self.contract.functions.reject(record_id, reason), approver)

    def claim(self, member: LocalAccount) -> Sent:
        return self.chain.transact(self.contract.functions.claim(), member)

    # -- decisions ----------------------------------------------------------------------------

    def set_rate_action(
        self, rate_id: int, price: int, unit: Unit, active: bool, document: bytes
    ) -> Action:
        return Action.call(self.contract, "setRate", rate_id, price, int(unit), active, document)

    def set_approver_action(self, account: str, appointed: bool = True) -> Action:
        return Action.call(self.contract, "setApprover", checksum(account), appointed)

    def record_purchases_action(
        self, period: int, members: Sequence[str], amounts: Sequence[int], document: bytes
    ) -> Action:
        return Action.call(
            self.contract,
            "recordPurchases",
            period,
            [checksum(m) for m in members],
            list(amounts),
            document,
        )

    def contribution_actions(self, shares: Any, record_id: int) -> list[Action]:
        """The council item that credits approved work `record_id` as shares: the register's
        `markContributed` and `Shares.creditInKind` at the recorded valuation."""
        w = self.work_record(record_id)
        valuation_hash = bytes(self.contract.functions.shareValuation(record_id).call())
        return [
            Action.call(self.contract, "markContributed", record_id),
            Action.call(shares, "creditInKind", w["member"], w["value"], valuation_hash),
        ]

    def share_batch_actions(self, shares: Any, distribution_id: int, count: int) -> list[Action]:
        """The council item that credits the next `count` parts of a distribution in shares."""
        d = self.distribution(distribution_id)
        t = d["terms"]
        end = min(d["cursor"] + count, d["participants"])
        members = [self.participant_at(t.period, t.basis, i) for i in range(d["cursor"], end)]
        parts = recompute_from_chain(self, distribution_id)
        actions = [Action.call(self.contract, "creditBatch", distribution_id, count)]
        for m in members:
            if parts[m]:
                vh = bytes(self.contract.functions.partValuation(distribution_id, m).call())
                actions.append(Action.call(shares, "creditInKind", m, parts[m], vh))
        return actions

    def distribution_question(
        self, terms: Terms, document: bytes, majority: Majority = Majority.SIMPLE
    ) -> Question:
        return Question(distribution_commitment(self.address, terms, document), majority)

    def approve_distribution(
        self,
        sender: LocalAccount,
        terms: Terms,
        document: bytes,
        meeting_id: int,
        question_index: int,
    ) -> tuple[int, Sent]:
        fn = self.contract.functions.approveDistribution(
            terms.as_abi(), document, meeting_id, question_index
        )
        sent = self.chain.transact(fn, sender)
        found = events(self.contract, "DistributionApproved", sent.receipt)
        return int(found[0]["args"]["distributionId"]), sent

    def fund_distribution(self, sender: LocalAccount, distribution_id: int) -> Sent:
        return self.chain.transact(
            self.contract.functions.fundDistribution(distribution_id), sender
        )

    def credit_batch(self, sender: LocalAccount, distribution_id: int, count: int) -> Sent:
        return self.chain.transact(
            self.contract.functions.creditBatch(distribution_id, count), sender
        )

    # -- views --------------------------------------------------------------------------------

    def work_record(self, record_id: int) -> dict[str, Any]:
        r = self.contract.functions.workRecord(record_id).call()
        return {
            "member": checksum(r[0]),
            "rate_id": int(r[1]),
            "period": int(r[2]),
            "quantity": int(r[3]),
            "status": Status(r[4]),
            "value": int(r[5]),
            "task": bytes(r[6]),
            "act": bytes(r[7]),
        }

    def points_of(self, period: int, basis: Basis, member: str) -> int:
        return int(self.contract.functions.pointsOf(period, int(basis), checksum(member)).call())

    def period_totals(self, period: int, basis: Basis) -> tuple[int, int, bool]:
        t, n, closed = self.contract.functions.periodTotals(period, int(basis)).call()
        return int(t), int(n), bool(closed)

    def participant_at(self, period: int, basis: Basis, index: int) -> str:
        return checksum(self.contract.functions.participantAt(period, int(basis), index).call())

    def distribution(self, distribution_id: int) -> dict[str, Any]:
        d = self.contract.functions.distribution(distribution_id).call()
        t = d[0]
        return {
            "terms": Terms(int(t[0]), Basis(t[1]), Form(t[2]), int(t[3])),
            "total_points": int(d[1]),
            "participants": int(d[2]),
            "cursor": int(d[3]),
            "funded": bool(d[4]),
            "credited": int(d[5]),
            "document": bytes(d[6]),
        }

    def part_of(self, distribution_id: int, member: str) -> int:
        return int(self.contract.functions.partOf(distribution_id, checksum(member)).call())

    def claimable(self, member: str) -> int:
        return int(self.contract.functions.claimable(checksum(member)).call())


#: Each participant's part by the contract's rule (`points` in participant order): the mirror's
#: own function, so the node and a member reading the mirror compute alike.
compute_parts = labour_queries.recompute_parts


def recompute_from_chain(register: LabourRegister, distribution_id: int) -> dict[str, int]:
    """Every part of `distribution_id` recomputed from the register's recorded points."""
    d = register.distribution(distribution_id)
    t: Terms = d["terms"]
    order = [register.participant_at(t.period, t.basis, i) for i in range(d["participants"])]
    return compute_parts(t.surplus, [(m, register.points_of(t.period, t.basis, m)) for m in order])


# -- installation ---------------------------------------------------------------------------


def deploy_installer(chain: Chain, sender: LocalAccount) -> dict[str, str]:
    """Deploy the LabourRegister implementation and a LabourInstaller (once per network)."""
    impl, _ = chain.deploy("LabourRegister", sender=sender)
    installer, _ = chain.deploy("LabourInstaller", impl.address, sender=sender)
    return {"installer": checksum(installer.address), "implementation": checksum(impl.address)}


def install_action(chain: Chain, installer: str, charter: str, rates_by_meeting: bool) -> Action:
    """The council action installing the register of `charter`."""
    contract = chain.contract("LabourInstaller", installer)
    return Action.call(contract, "install", checksum(charter), rates_by_meeting)


def predict_register(chain: Chain, installer: str, charter: str) -> str:
    contract = chain.contract("LabourInstaller", installer)
    return checksum(contract.functions.predictAddress(checksum(charter)).call())


__all__ = [
    "DISTRIBUTE_TYPEHASH",
    "Basis",
    "Form",
    "LabourRegister",
    "Status",
    "Terms",
    "Unit",
    "Use",
    "compute_parts",
    "deploy_installer",
    "distribution_commitment",
    "install_action",
    "predict_register",
    "recompute_from_chain",
    "valuation",
]
