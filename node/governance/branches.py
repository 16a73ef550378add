"""Cooperative branches (кооперативные участки): a client of the cooperative's `Branches` contract.

Members choose their branch; the council creates branches and appoints their trustees
(уполномоченные участков), who verify the identity of their branch's applicants; each branch's
meeting (a `GeneralMeeting` clone whose register is the branch) elects the branch's delegates by
the norm of representation; a general-meeting decision (`setRegister`) makes the cooperative's
general meeting a meeting of those delegates. See docs/governance.md, "Branches".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, Sent, checksum
from node.governance._utils import events
from node.governance.client import Action, Convocation, GeneralMeeting

ZERO = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True)
class BranchInfo:
    """`IBranches.BranchInfo`."""

    branch_id: int
    trustee: str | None
    meeting: str
    members: int
    delegates: int
    document_hash: bytes


def deploy_branches(
    chain: Chain,
    sender: LocalAccount,
    charter: str,
    meeting_implementation: str,
    *,
    members_per_delegate: int,
    notice_period: int,
    quorum_schedule: Sequence[int] = (5000,),
) -> tuple[Branches, Sent]:
    """Deploy a cooperative's `Branches` (branch meetings clone `meeting_implementation`)."""
    contract, sent = chain.deploy(
        "Branches",
        checksum(charter),
        checksum(meeting_implementation),
        int(members_per_delegate),
        int(notice_period),
        [int(q) for q in quorum_schedule],
        sender=sender,
    )
    return Branches(chain, contract.address), sent


class Branches:
    """A cooperative's `Branches` contract."""

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.contract = chain.contract("Branches", address)
        self.address = checksum(address)

    # -- council decisions' actions -----------------------------------------------------------

    def create_branch_action(self, document_hash: bytes) -> Action:
        return Action.call(self.contract, "createBranch", document_hash)

    def set_trustee_action(self, branch_id: int, trustee: str | None) -> Action:
        return Action.call(self.contract, "setTrustee", int(branch_id), checksum(trustee or ZERO))

    def elect_action(self, branch_id: int, delegates: Sequence[str]) -> Action:
        """The action of a branch meeting's question electing `delegates`."""
        return Action.call(
            self.contract, "electDelegates", int(branch_id), [checksum(d) for d in delegates]
        )

    # -- members and trustees -----------------------------------------------------------------

    def join(self, account: LocalAccount, branch_id: int) -> Sent:
        return self.chain.transact(self.contract.functions.joinBranch(int(branch_id)), account)

    def enrol(self, sender: LocalAccount, account: str) -> Sent:
        return self.chain.transact(self.contract.functions.enrol(checksum(account)), sender)

    def release(self, sender: LocalAccount, account: str) -> Sent:
        return self.chain.transact(self.contract.functions.release(checksum(account)), sender)

    def attest_identity(self, trustee: LocalAccount, applicant: str, check_record: bytes) -> Sent:
        fn = self.contract.functions.attestIdentity(checksum(applicant), check_record)
        return self.chain.transact(fn, trustee)

    def convene(self, convener: LocalAccount, branch_id: int, convocation: Convocation) -> int:
        """The trustee (or the council's key in tests) convenes the branch's meeting."""
        fn = self.contract.functions.conveneBranchMeeting(int(branch_id), convocation.as_abi())
        sent = self.chain.transact(fn, convener)
        (event,) = events(self.contract, "BranchMeetingConvened", sent.receipt)
        return int(event["args"]["meetingId"])

    def meeting(self, branch_id: int) -> GeneralMeeting:
        """The branch's meeting contract."""
        return GeneralMeeting(self.chain, self.branch(branch_id).meeting)

    # -- reads --------------------------------------------------------------------------------

    def branch(self, branch_id: int) -> BranchInfo:
        trustee, meeting, members, delegates, doc = self.contract.functions.branch(
            int(branch_id)
        ).call()
        return BranchInfo(
            int(branch_id),
            None if int(trustee, 16) == 0 else checksum(trustee),
            checksum(meeting),
            int(members),
            int(delegates),
            bytes(doc),
        )

    def branch_count(self) -> int:
        return int(self.contract.functions.branchCount().call())

    def branch_of(self, account: str) -> int:
        return int(self.contract.functions.branchOf(checksum(account)).call())

    def delegates_of(self, branch_id: int) -> list[str]:
        return [checksum(a) for a in self.contract.functions.delegatesOf(int(branch_id)).call()]

    def delegate_count(self) -> int:
        return int(self.contract.functions.delegateCount().call())

    def seats(self, branch_id: int) -> int:
        return int(self.contract.functions.seats(int(branch_id)).call())


def set_register_action(meeting: GeneralMeeting, register: str, proxies: str | None) -> Action:
    """A general-meeting question's action: hold the meeting as a meeting of delegates
    (`register` = the `Branches`, `proxies` None) or of all members again."""
    return Action.call(
        meeting.contract, "setRegister", checksum(register), checksum(proxies or ZERO)
    )


__all__ = ["BranchInfo", "Branches", "deploy_branches", "set_register_action"]
