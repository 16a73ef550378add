"""Council items and votes, general meetings, their agendas and ballots.

- `gov_council_item_event`: one row per item event (proposal, each vote, passed, rejected,
  protocol signed, executed), carrying the item's stored state and vote counts after it. The
  states `Expired` (time ran out, or a new council term began) have no event: the queries derive
  them from the item's expiry, the council's epoch and the block time the mirror is at.
- `gov_meeting_event`: one row per meeting event and meeting, carrying the meeting after it;
  a reconvening writes a row for the new meeting and one (`reconvened`) for the previous.
  Scheduled / Open / Ended depend on time only: the queries derive them.
- `gov_question`: the agenda (`QuestionAdded`); a reconvened meeting keeps its first
  convocation's agenda.
- `gov_ballot`: `BallotCast` (packed choices) and `BallotRejected`. A proxy ballot is a
  `BallotCast` of the principal (the meeting counts it under their membership).
- `gov_proxy_event`: proxies (доверенности): `MeetingProxiesInstalled` (which meeting a
  MeetingProxies contract votes in), `ProxyIssued`, `ProxyRevoked`, `ProxyBallotCast`.
- Council seats, item expiry and meeting parameters: `coop_config_event`.
"""

from __future__ import annotations

from typing import Any

from indexer.models import (
    Ballot,
    ConfigEvent,
    CouncilItemEvent,
    MeetingEvent,
    ProxyEvent,
    Question,
)
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import ZERO_ADDRESS, add, cached, latest, store

PENDING, PASSED, SIGNED, EXECUTED, REJECTED = 1, 2, 3, 4, 5
CONVENED, QUORUM_MISSED, HELD, RECONVENED = 1, 4, 5, 6

_ITEM = (
    "status",
    "epoch",
    "expires_at",
    "for_votes",
    "against_votes",
    "abstain_votes",
    "document_hash",
    "protocol_hash",
)
_MEETING = (
    "status",
    "previous_meeting_id",
    "attempt",
    "opens_at",
    "closes_at",
    "record_block",
    "quorum_bps",
    "secretary",
    "chair",
    "participants",
    "eligible",
    "accepted_mask",
    "executed_mask",
    "secretary_signed",
    "chair_signed",
    "protocol_hash",
)


@projection(
    "CouncilSeated",
    "CouncilItemExpirySet",
    "GeneralMeetingParametersSet",
    "GeneralMeetingRegisterSet",
    tables=(ConfigEvent,),
    name="governance.config",
)
def governance_config(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    values: dict[str, Any]
    if event.name == "CouncilSeated":
        values = {
            "action": "council_seated",
            "number": int(a["epoch"]),
            "value": ",".join(a["members"]),
        }
    elif event.name == "CouncilItemExpirySet":
        values = {
            "action": "item_expiry",
            "value": a["newExpiry"],
            "previous": a["previousExpiry"],
        }
    elif event.name == "GeneralMeetingRegisterSet":
        # The meeting held as a meeting of delegates (register: Branches) or of all members.
        values = {"action": "meeting_register", "account": a["register"], "value": a["proxies"]}
    else:
        values = {
            "action": "meeting_parameters",
            "number": int(a["noticePeriod"]),
            "value": ",".join(a["quorumSchedule"]),
        }
    add(ctx, ConfigEvent, event, contract=event.address, **values)


# -- council ----------------------------------------------------------------------------------


def item_of(ctx: ProjectionContext, contract: str, item_id: int) -> dict[str, Any] | None:
    def load() -> dict[str, Any] | None:
        row = latest(ctx, CouncilItemEvent, contract=contract, item_id=item_id)
        return {k: row[k] for k in _ITEM} if row else None

    found = cached(ctx, ("item", contract, item_id), load)
    return dict(found) if found is not None else None


def _item(
    ctx: ProjectionContext,
    event: Event,
    item_id: int,
    action: str,
    state: dict[str, Any],
    **detail: Any,
) -> None:
    store(ctx, ("item", event.address, item_id), dict(state))
    add(
        ctx,
        CouncilItemEvent,
        event,
        contract=event.address,
        item_id=item_id,
        action=action,
        **state,
        **detail,
    )


@projection(
    "CouncilItemProposed",
    "CouncilVoteCast",
    "CouncilItemPassed",
    "CouncilItemRejected",
    "CouncilProtocolSigned",
    "CouncilItemExecuted",
    tables=(CouncilItemEvent,),
    name="governance.council",
)
def council_item_event(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    item_id = event.int("itemId")
    if event.name == "CouncilItemProposed":
        state = {
            "status": PENDING,
            "epoch": int(a["epoch"]),
            "expires_at": int(a["expiresAt"]),
            "for_votes": 0,
            "against_votes": 0,
            "abstain_votes": 0,
            "document_hash": a["documentHash"],
            "protocol_hash": None,
        }
        _item(
            ctx,
            event,
            item_id,
            "proposed",
            state,
            actor=a["proposer"],
            targets=list(a["targets"]),
            calldatas=list(a["calldatas"]),
        )
        return
    found = item_of(ctx, event.address, item_id)
    if found is None:
        return  # proposed before the mirror's start block
    state = found
    if event.name == "CouncilVoteCast":
        support = int(a["support"])
        column = ("against_votes", "for_votes", "abstain_votes")[support]
        state[column] += 1
        _item(ctx, event, item_id, "vote", state, actor=a["member"], support=support)
    elif event.name == "CouncilItemPassed":
        state["status"] = PASSED
        _item(ctx, event, item_id, "passed", state)
    elif event.name == "CouncilItemRejected":
        state["status"] = REJECTED
        _item(ctx, event, item_id, "rejected", state)
    elif event.name == "CouncilProtocolSigned":
        state.update(status=SIGNED, protocol_hash=a["protocolHash"])
        _item(ctx, event, item_id, "signed", state, actor=a["chair"])
    else:  # CouncilItemExecuted
        state["status"] = EXECUTED
        _item(ctx, event, item_id, "executed", state, actor=a["executor"])


# -- general meeting --------------------------------------------------------------------------


def meeting_of(ctx: ProjectionContext, contract: str, meeting_id: int) -> dict[str, Any] | None:
    def load() -> dict[str, Any] | None:
        row = latest(ctx, MeetingEvent, contract=contract, meeting_id=meeting_id)
        return {k: row[k] for k in _MEETING} if row else None

    found = cached(ctx, ("meeting", contract, meeting_id), load)
    return dict(found) if found is not None else None


def _meeting(
    ctx: ProjectionContext,
    event: Event,
    meeting_id: int,
    action: str,
    state: dict[str, Any],
    actor: str | None = None,
) -> None:
    store(ctx, ("meeting", event.address, meeting_id), dict(state))
    add(
        ctx,
        MeetingEvent,
        event,
        meeting_id=meeting_id,
        contract=event.address,
        action=action,
        actor=actor,
        **state,
    )


@projection(
    "MeetingConvened",
    "MeetingClosed",
    "MeetingProtocolSigned",
    "QuestionExecuted",
    tables=(MeetingEvent,),
    name="governance.meetings",
)
def meeting_event(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    meeting_id = event.int("meetingId")
    if event.name == "MeetingConvened":
        previous = event.int("previousMeetingId")
        if previous:
            prev = meeting_of(ctx, event.address, previous)
            if prev is not None:
                prev["status"] = RECONVENED
                _meeting(ctx, event, previous, "reconvened", prev)
        state = {
            "status": CONVENED,
            "previous_meeting_id": previous,
            "attempt": int(a["attempt"]),
            "opens_at": int(a["opensAt"]),
            "closes_at": int(a["closesAt"]),
            "record_block": int(a["recordBlock"]),
            "quorum_bps": int(a["quorumBps"]),
            "secretary": a["secretary"],
            "chair": a["chair"] or ZERO_ADDRESS,
            "participants": None,
            # The register is fixed at convening (contracts before issue #14: at close).
            "eligible": int(a["eligible"]) if "eligible" in a else None,
            "accepted_mask": 0,
            "executed_mask": 0,
            "secretary_signed": False,
            "chair_signed": False,
            "protocol_hash": None,
        }
        _meeting(ctx, event, meeting_id, "convened", state)
        return
    found = meeting_of(ctx, event.address, meeting_id)
    if found is None:
        return  # convened before the mirror's start block
    state = found
    if event.name == "MeetingClosed":
        state.update(
            status=HELD if a["quorumReached"] else QUORUM_MISSED,
            participants=event.int("participants"),
            eligible=event.int("eligible"),
            accepted_mask=event.int("acceptedMask"),
        )
        _meeting(ctx, event, meeting_id, "closed", state)
    elif event.name == "MeetingProtocolSigned":
        signer = a["signer"]
        role = "secretary_signed" if signer == state["secretary"] else "chair_signed"
        state.update({role: True, "protocol_hash": a["protocolHash"]})
        _meeting(ctx, event, meeting_id, "protocol_signed", state, signer)
    else:  # QuestionExecuted
        state["executed_mask"] |= 1 << int(a["index"])
        _meeting(ctx, event, meeting_id, "question_executed", state, a["executor"])


@projection("QuestionAdded", tables=(Question,), name="governance.questions")
def question_added(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    add(
        ctx,
        Question,
        event,
        contract=event.address,
        meeting_id=event.int("meetingId"),
        question_index=int(a["index"]),
        document_hash=a["documentHash"],
        majority=int(a["majority"]),
        targets=list(a["targets"]),
        calldatas=list(a["calldatas"]),
    )


@projection("BallotCast", "BallotRejected", tables=(Ballot,), name="governance.ballots")
def ballot(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    cast = event.name == "BallotCast"
    add(
        ctx,
        Ballot,
        event,
        contract=event.address,
        meeting_id=event.int("meetingId"),
        voter=a["voter"],
        choices=a["choices"] if cast else None,
        by_signature=bool(a["bySignature"]) if cast else True,
        rejected_reason=None if cast else a["reason"],
    )


# -- proxies (доверенности) -------------------------------------------------------------------


def _proxies_meeting(ctx: ProjectionContext, proxies: str) -> str | None:
    """The general meeting a MeetingProxies contract votes in (its `installed` row)."""

    def load() -> str | None:
        row = latest(ctx, ProxyEvent, contract=proxies, action="installed")
        return str(row["meeting_contract"]) if row else None

    return cached(ctx, ("proxies_meeting", proxies), load)


@projection(
    "MeetingProxiesInstalled",
    "ProxyIssued",
    "ProxyRevoked",
    "ProxyBallotCast",
    tables=(ProxyEvent,),
    name="governance.proxies",
)
def proxy_event(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    if event.name == "MeetingProxiesInstalled":
        proxies, meeting = a["proxies"], a["generalMeeting"]
        store(ctx, ("proxies_meeting", proxies), meeting)
        add(
            ctx,
            ProxyEvent,
            event,
            contract=proxies,
            meeting_contract=meeting,
            meeting_id=0,
            action="installed",
            principal=a["charter"],
            holder=ZERO_ADDRESS,
            by_signature=False,
        )
        return
    values: dict[str, Any] = {
        "contract": event.address,
        "meeting_contract": _proxies_meeting(ctx, event.address),
        "meeting_id": event.int("meetingId"),
        "principal": a["principal"],
        "holder": a["holder"],
        "by_signature": bool(a.get("bySignature", False)),
    }
    if event.name == "ProxyIssued":
        values.update(
            action="issued", expires_at=int(a["expiresAt"]), document_hash=a["documentHash"]
        )
    elif event.name == "ProxyRevoked":
        values.update(action="revoked")
    else:
        values.update(action="voted", choices=a["choices"])
    add(ctx, ProxyEvent, event, **values)
