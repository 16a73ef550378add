"""Typed clients for a cooperative's Council and GeneralMeeting contracts.

ABIs come from the compiled artifacts. Every write takes the signing account explicitly and
returns the `Sent` receipt (or a result carrying it); a refused call raises `TransactionReverted`
whose `.error` is the contract's custom error name (`CouncilAlreadyVoted`, ...).

Actions (what a council item or a meeting question runs when executed) are `Action(target,
data)` pairs; `Action.call(contract, "fn", *args)` builds one from a web3 contract object.
Execution needs the exact actions the item or question was proposed with: the contracts store
only their hash, and `Council.actions_of` / `GeneralMeeting.questions_of` read them back from
the proposal events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.exceptions import BadFunctionCallOutput, ContractLogicError

from node.chain.client import Chain, Sent, checksum
from node.governance._utils import error_name, events
from node.governance.ballots import (
    Choice,
    SignedBallot,
    ballot_domain,
    ballot_typed_data,
    demand_typed_data,
    sign_ballot,
)
from node.governance.proxies import MeetingProxies


class VoteType(IntEnum):
    """`ICouncil.VoteType`."""

    AGAINST = 0
    FOR = 1
    ABSTAIN = 2


class ItemState(IntEnum):
    """`ICouncil.ItemState`."""

    NONE = 0
    PENDING = 1
    PASSED = 2
    SIGNED = 3
    EXECUTED = 4
    REJECTED = 5
    EXPIRED = 6


class Majority(IntEnum):
    """`IGeneralMeeting.Majority`: simple (> 1/2), at least 2/3, at least 3/4 of those voting."""

    SIMPLE = 0
    TWO_THIRDS = 1
    THREE_QUARTERS = 2


class MeetingState(IntEnum):
    """`IGeneralMeeting.MeetingState`."""

    NONE = 0
    SCHEDULED = 1
    OPEN = 2
    ENDED = 3
    QUORUM_MISSED = 4
    HELD = 5
    RECONVENED = 6


@dataclass(frozen=True)
class Action:
    """One call a decision makes: `target` with call data `data`."""

    target: str
    data: bytes

    @classmethod
    def call(cls, contract: Contract, fn_name: str, *args: Any) -> Action:
        data = contract.encode_abi(fn_name, args=list(args))
        return cls(checksum(contract.address), bytes.fromhex(data[2:]))


def _split(actions: Sequence[Action]) -> tuple[list[str], list[bytes]]:
    return [checksum(a.target) for a in actions], [a.data for a in actions]


@dataclass(frozen=True)
class CouncilItem:
    """`ICouncil.ItemInfo`."""

    state: ItemState
    epoch: int
    expires_at: int
    for_votes: int
    against_votes: int
    abstain_votes: int
    document_hash: bytes
    actions_hash: bytes
    protocol_hash: bytes


class Council:
    """A cooperative's council contract."""

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.contract = chain.contract("Council", address)
        self.address = checksum(address)

    # -- writes -------------------------------------------------------------------------------

    def propose(
        self, proposer: LocalAccount, document_hash: bytes, actions: Sequence[Action] = ()
    ) -> tuple[int, Sent]:
        """Put an item on the agenda; returns its id."""
        targets, calldatas = _split(actions)
        fn = self.contract.functions.propose(document_hash, targets, calldatas)
        sent = self.chain.transact(fn, proposer)
        (event,) = events(self.contract, "CouncilItemProposed", sent.receipt)
        return int(event["args"]["itemId"]), sent

    def vote(self, member: LocalAccount, item_id: int, support: VoteType = VoteType.FOR) -> Sent:
        return self.chain.transact(self.contract.functions.castVote(item_id, int(support)), member)

    def sign_protocol(self, chair: LocalAccount, item_id: int, protocol_hash: bytes) -> Sent:
        fn = self.contract.functions.signProtocol(item_id, protocol_hash)
        return self.chain.transact(fn, chair)

    def execute(
        self, sender: LocalAccount, item_id: int, actions: Sequence[Action] | None = None
    ) -> Sent:
        """Run a signed item's actions (read from its proposal event when not given)."""
        if actions is None:
            actions = self.actions_of(item_id)
        targets, calldatas = _split(actions)
        fn = self.contract.functions.execute(item_id, targets, calldatas)
        return self.chain.transact(fn, sender)

    def decide(
        self,
        proposer: LocalAccount,
        voters: Sequence[LocalAccount],
        chair: LocalAccount,
        document_hash: bytes,
        actions: Sequence[Action] = (),
        *,
        protocol_hash: bytes | None = None,
        executor: LocalAccount | None = None,
    ) -> int:
        """The whole path: propose, votes for, the chair's signature, execution. Returns the id."""
        item_id, _ = self.propose(proposer, document_hash, actions)
        for member in voters:
            self.vote(member, item_id, VoteType.FOR)
        self.sign_protocol(chair, item_id, protocol_hash or document_hash)
        self.execute(executor or chair, item_id, actions)
        return item_id

    # -- reads --------------------------------------------------------------------------------

    def item(self, item_id: int) -> CouncilItem:
        raw = self.contract.functions.item(item_id).call()
        return CouncilItem(
            state=ItemState(raw[0]),
            epoch=int(raw[1]),
            expires_at=int(raw[2]),
            for_votes=int(raw[3]),
            against_votes=int(raw[4]),
            abstain_votes=int(raw[5]),
            document_hash=bytes(raw[6]),
            actions_hash=bytes(raw[7]),
            protocol_hash=bytes(raw[8]),
        )

    def state(self, item_id: int) -> ItemState:
        return ItemState(self.contract.functions.state(item_id).call())

    def has_voted(self, item_id: int, account: str) -> bool:
        return bool(self.contract.functions.hasVoted(item_id, checksum(account)).call())

    def members(self) -> list[str]:
        return [checksum(a) for a in self.contract.functions.councilMembers().call()]

    def epoch(self) -> int:
        return int(self.contract.functions.epoch().call())

    def item_expiry(self) -> int:
        return int(self.contract.functions.itemExpiry().call())

    def actions_of(self, item_id: int) -> list[Action]:
        """The actions an item was proposed with, from its `CouncilItemProposed` event."""
        logs = self.contract.events.CouncilItemProposed().get_logs(
            from_block=0, argument_filters={"itemId": item_id}
        )
        if not logs:
            raise LookupError(f"no council item {item_id}")
        args = logs[0]["args"]
        return [
            Action(checksum(t), bytes(d))
            for t, d in zip(args["targets"], args["calldatas"], strict=True)
        ]

    # -- actions addressed to the council (general-meeting decisions) -------------------------

    def set_council_action(self, members: Sequence[str]) -> Action:
        return Action.call(self.contract, "setCouncil", [checksum(m) for m in members])

    def set_item_expiry_action(self, seconds: int) -> Action:
        return Action.call(self.contract, "setItemExpiry", seconds)


@dataclass(frozen=True)
class Question:
    """One agenda question as convened."""

    document_hash: bytes
    majority: Majority = Majority.SIMPLE
    actions: tuple[Action, ...] = ()

    def as_abi(self) -> tuple[bytes, int, list[str], list[bytes]]:
        targets, calldatas = _split(self.actions)
        return (self.document_hash, int(self.majority), targets, calldatas)


@dataclass(frozen=True)
class Convocation:
    """`IGeneralMeeting.Convocation`: what the council decides when it convenes a meeting."""

    opens_at: int
    closes_at: int
    secretary: str
    questions: tuple[Question, ...]
    chair: str = "0x0000000000000000000000000000000000000000"
    """The register of voters is not chosen: the contract fixes it at the convening block."""

    def as_abi(self) -> tuple[Any, ...]:
        return (
            self.opens_at,
            self.closes_at,
            checksum(self.secretary),
            checksum(self.chair),
            [q.as_abi() for q in self.questions],
        )


@dataclass(frozen=True)
class MeetingInfo:
    """`IGeneralMeeting.MeetingInfo`."""

    state: MeetingState
    attempt: int
    question_count: int
    quorum_bps: int
    opens_at: int
    closes_at: int
    record_block: int
    participants: int
    eligible: int
    accepted_mask: int
    executed_mask: int
    secretary: str
    chair: str
    secretary_signed: bool
    chair_signed: bool
    protocol_hash: bytes
    previous_meeting_id: int

    def accepted(self, index: int) -> bool:
        return bool(self.accepted_mask >> index & 1)


@dataclass(frozen=True)
class QuestionResult:
    """`IGeneralMeeting.QuestionInfo`: a question's terms and tally."""

    document_hash: bytes
    majority: Majority
    actions_hash: bytes
    for_votes: int
    against_votes: int
    abstain_votes: int


@dataclass(frozen=True)
class BatchResult:
    """What `castBallotsBySig` did: the ballots counted and the ones skipped, with the reason."""

    sent: Sent
    accepted: list[str]
    rejected: list[tuple[str, str]] = field(default_factory=list)


class GeneralMeeting:
    """A cooperative's general meeting contract."""

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.contract = chain.contract("GeneralMeeting", address)
        self.address = checksum(address)
        self._proxies: str | None

    # -- convening (as council actions) -------------------------------------------------------

    def convene_action(self, convocation: Convocation) -> Action:
        """The action a council item carries to convene a meeting."""
        return Action.call(self.contract, "convene", convocation.as_abi())

    def reconvene_action(
        self,
        previous_meeting_id: int,
        opens_at: int,
        closes_at: int,
        secretary: str,
        *,
        chair: str = "0x0000000000000000000000000000000000000000",
    ) -> Action:
        """Reconvening keeps the first convocation's register (record block and eligible count)."""
        return Action.call(
            self.contract,
            "reconvene",
            previous_meeting_id,
            opens_at,
            closes_at,
            checksum(secretary),
            checksum(chair),
        )

    def set_parameters_action(self, notice_period: int, quorum_schedule: Sequence[int]) -> Action:
        """An action for a meeting question that changes this contract's parameters."""
        return Action.call(self.contract, "setParameters", notice_period, list(quorum_schedule))

    def set_signing_period_action(self, seconds: int) -> Action:
        """An action for a meeting question: how long officers have to sign a protocol."""
        return Action.call(self.contract, "setSigningPeriod", seconds)

    def signing_period(self) -> int:
        return int(self.contract.functions.signingPeriod().call())

    def proxies_address(self) -> str | None:
        """The cooperative's `MeetingProxies` (None when it takes no votes by proxy). Set at
        initialisation (a meeting decision may change it, `setRegister`: read once per client)."""
        if not hasattr(self, "_proxies"):
            try:
                address = str(self.contract.functions.proxies().call())
            except (ContractLogicError, BadFunctionCallOutput):
                # A meeting deployed before proxies existed has no `proxies()`.
                address = "0x0"
            self._proxies = None if int(address, 16) == 0 else checksum(address)
        return self._proxies

    def closed_at(self, meeting_id: int) -> int:
        return int(self.contract.functions.closedAt(meeting_id).call())

    @staticmethod
    def convened_id(chain: Chain, meeting_address: str, sent: Sent) -> int:
        """The id of the meeting a council execution convened."""
        contract = chain.contract("GeneralMeeting", meeting_address)
        (event,) = events(contract, "MeetingConvened", sent.receipt)
        return int(event["args"]["meetingId"])

    # -- ballots ------------------------------------------------------------------------------

    def cast_ballot(self, voter: LocalAccount, meeting_id: int, choices: Sequence[int]) -> Sent:
        fn = self.contract.functions.castBallot(meeting_id, [int(c) for c in choices])
        return self.chain.transact(fn, voter)

    def domain(self) -> dict[str, Any]:
        return ballot_domain(self.chain.chain_id, self.address)

    def ballot_typed_data(
        self, meeting_id: int, voter: str, choices: Sequence[int]
    ) -> dict[str, Any]:
        """The `eth_signTypedData_v4` payload a member's wallet signs."""
        return ballot_typed_data(self.domain(), meeting_id, voter, choices)

    def sign_ballot(
        self, voter: LocalAccount, meeting_id: int, choices: Sequence[int]
    ) -> SignedBallot:
        return sign_ballot(voter, self.domain(), meeting_id, choices)

    def cast_ballot_by_sig(self, relayer: LocalAccount, ballot: SignedBallot) -> Sent:
        fn = self.contract.functions.castBallotBySig(
            ballot.meeting_id, ballot.as_abi(), ballot.signature
        )
        return self.chain.transact(fn, relayer)

    def cast_ballots_by_sig(
        self, relayer: LocalAccount, meeting_id: int, ballots: Sequence[SignedBallot]
    ) -> BatchResult:
        """Relay a batch; invalid ballots are skipped on chain and reported here by reason."""
        fn = self.contract.functions.castBallotsBySig(
            meeting_id, [b.as_abi() for b in ballots], [b.signature for b in ballots]
        )
        sent = self.chain.transact(fn, relayer)
        accepted: list[str] = [
            checksum(e["args"]["voter"]) for e in events(self.contract, "BallotCast", sent.receipt)
        ]
        rejected: list[tuple[str, str]] = [
            (checksum(e["args"]["voter"]), error_name(self.chain, bytes(e["args"]["reason"])))
            for e in events(self.contract, "BallotRejected", sent.receipt)
        ]
        return BatchResult(sent, accepted, rejected)

    # -- extraordinary meetings on the members' demand ----------------------------------------

    def agenda_hash(self, questions: Sequence[Question]) -> bytes:
        """What members demand: the hash of the agenda's questions (as the contract computes)."""
        return bytes(self.contract.functions.agendaHash([q.as_abi() for q in questions]).call())

    def demand(self, member: LocalAccount, agenda_hash: bytes) -> Sent:
        """`member` joins the demand for a meeting with the agenda (from their own wallet)."""
        return self.chain.transact(self.contract.functions.demandMeeting(agenda_hash), member)

    def demand_typed_data(self, agenda_hash: bytes, member: str) -> dict[str, Any]:
        """The `eth_signTypedData_v4` payload a member's wallet signs to join a demand."""
        return demand_typed_data(self.domain(), agenda_hash, member)

    def sign_demand(self, member: LocalAccount, agenda_hash: bytes) -> bytes:
        data = self.demand_typed_data(agenda_hash, member.address)
        return bytes(member.sign_message(encode_typed_data(full_message=data)).signature)

    def demand_by_sig(
        self, relayer: LocalAccount, agenda_hash: bytes, signed: Sequence[tuple[str, bytes]]
    ) -> BatchResult:
        """Relay members' signed demands; invalid ones are skipped and reported by reason."""
        fn = self.contract.functions.demandMeetingBySig(
            agenda_hash, [checksum(m) for m, _ in signed], [sig for _, sig in signed]
        )
        sent = self.chain.transact(fn, relayer)
        accepted: list[str] = [
            checksum(e["args"]["member"])
            for e in events(self.contract, "MeetingDemanded", sent.receipt)
        ]
        rejected: list[tuple[str, str]] = [
            (checksum(e["args"]["member"]), error_name(self.chain, bytes(e["args"]["reason"])))
            for e in events(self.contract, "MeetingDemandRejected", sent.receipt)
        ]
        return BatchResult(sent, accepted, rejected)

    def demand_info(self, agenda_hash: bytes) -> dict[str, Any]:
        r = self.contract.functions.demand(agenda_hash).call()
        return {
            "record_block": int(r[0]),
            "eligible": int(r[1]),
            "count": int(r[2]),
            "reached_at": int(r[3]),
            "satisfied": bool(r[4]),
            "council_due_by": int(r[5]),
        }

    def convene_on_demand(self, member: LocalAccount, convocation: Convocation) -> int:
        """A demander convenes the demanded meeting after the council's period; its id."""
        fn = self.contract.functions.conveneOnDemand(convocation.as_abi())
        sent = self.chain.transact(fn, member)
        (event,) = events(self.contract, "MeetingConvened", sent.receipt)
        return int(event["args"]["meetingId"])

    # -- results ------------------------------------------------------------------------------

    def close(self, sender: LocalAccount, meeting_id: int) -> Sent:
        return self.chain.transact(self.contract.functions.close(meeting_id), sender)

    def sign_protocol(self, signer: LocalAccount, meeting_id: int, protocol_hash: bytes) -> Sent:
        fn = self.contract.functions.signProtocol(meeting_id, protocol_hash)
        return self.chain.transact(fn, signer)

    def execute(
        self,
        sender: LocalAccount,
        meeting_id: int,
        index: int,
        actions: Sequence[Action] | None = None,
    ) -> Sent:
        """Run an accepted question's actions (read from the agenda events when not given)."""
        if actions is None:
            agenda = self.questions_of(meeting_id)
            # An index off the agenda goes to the contract, which names the error.
            actions = agenda[index].actions if index < len(agenda) else ()
        targets, calldatas = _split(actions)
        fn = self.contract.functions.execute(meeting_id, index, targets, calldatas)
        return self.chain.transact(fn, sender)

    # -- reads --------------------------------------------------------------------------------

    def meeting(self, meeting_id: int) -> MeetingInfo:
        r = self.contract.functions.meeting(meeting_id).call()
        return MeetingInfo(
            state=MeetingState(r[0]),
            attempt=int(r[1]),
            question_count=int(r[2]),
            quorum_bps=int(r[3]),
            opens_at=int(r[4]),
            closes_at=int(r[5]),
            record_block=int(r[6]),
            participants=int(r[7]),
            eligible=int(r[8]),
            accepted_mask=int(r[9]),
            executed_mask=int(r[10]),
            secretary=checksum(r[11]),
            chair=checksum(r[12]),
            secretary_signed=bool(r[13]),
            chair_signed=bool(r[14]),
            protocol_hash=bytes(r[15]),
            previous_meeting_id=int(r[16]),
        )

    def state(self, meeting_id: int) -> MeetingState:
        return MeetingState(self.contract.functions.state(meeting_id).call())

    def question(self, meeting_id: int, index: int) -> QuestionResult:
        r = self.contract.functions.question(meeting_id, index).call()
        return QuestionResult(
            document_hash=bytes(r[0]),
            majority=Majority(r[1]),
            actions_hash=bytes(r[2]),
            for_votes=int(r[3]),
            against_votes=int(r[4]),
            abstain_votes=int(r[5]),
        )

    def has_voted(self, meeting_id: int, voter: str) -> bool:
        """Whether the membership `voter` votes with (or holds) cast its ballot."""
        return bool(self.contract.functions.hasVoted(meeting_id, checksum(voter)).call())

    def has_index_voted(self, meeting_id: int, member_index: int) -> bool:
        """Whether the membership with this member index (`memberIndexOf`) cast its ballot."""
        return bool(self.contract.functions.hasIndexVoted(meeting_id, member_index).call())

    def quorum_schedule(self) -> list[int]:
        return [int(v) for v in self.contract.functions.quorumSchedule().call()]

    def notice_period(self) -> int:
        return int(self.contract.functions.noticePeriod().call())

    def questions_of(self, meeting_id: int) -> list[Question]:
        """The agenda with its actions, from the `QuestionAdded` events of the first
        convocation (a reconvened meeting has the agenda of the meeting it reconvenes)."""
        first = meeting_id
        while (previous := self.meeting(first).previous_meeting_id) != 0:
            first = previous
        logs = self.contract.events.QuestionAdded().get_logs(
            from_block=0, argument_filters={"meetingId": first}
        )
        ordered = sorted(logs, key=lambda e: int(e["args"]["index"]))
        return [
            Question(
                document_hash=bytes(e["args"]["documentHash"]),
                majority=Majority(e["args"]["majority"]),
                actions=tuple(
                    Action(checksum(t), bytes(d))
                    for t, d in zip(e["args"]["targets"], e["args"]["calldatas"], strict=True)
                ),
            )
            for e in ordered
        ]


class Governance:
    """A cooperative's council and general meeting together."""

    def __init__(self, chain: Chain, council: str, general_meeting: str) -> None:
        self.chain = chain
        self.council = Council(chain, council)
        self.meeting = GeneralMeeting(chain, general_meeting)
        proxies = self.meeting.proxies_address()
        self.proxies = MeetingProxies(chain, proxies) if proxies is not None else None
        """The meeting's proxies (доверенности); None for a meeting installed without them."""

    def convene(
        self,
        proposer: LocalAccount,
        voters: Sequence[LocalAccount],
        chair: LocalAccount,
        convocation: Convocation,
        document_hash: bytes,
    ) -> int:
        """A council decision that convenes a meeting; returns the meeting id."""
        action = self.meeting.convene_action(convocation)
        item_id, _ = self.council.propose(proposer, document_hash, [action])
        for member in voters:
            self.council.vote(member, item_id, VoteType.FOR)
        self.council.sign_protocol(chair, item_id, document_hash)
        sent = self.council.execute(chair, item_id, [action])
        return GeneralMeeting.convened_id(self.chain, self.meeting.address, sent)


__all__ = [
    "Action",
    "BatchResult",
    "Choice",
    "Convocation",
    "Council",
    "CouncilItem",
    "GeneralMeeting",
    "Governance",
    "ItemState",
    "Majority",
    "MeetingInfo",
    "MeetingState",
    "Question",
    "QuestionResult",
    "SignedBallot",
    "VoteType",
]
