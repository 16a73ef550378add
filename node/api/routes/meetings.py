"""General meetings: list from the mirror, and signed ballots relayed without gas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from hexbytes import HexBytes
from pydantic import BaseModel, Field

from indexer.models import MeetingPublic
from indexer.queries import governance
from indexer.queries.common import Page
from node.api import mirror
from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, RelayRateLimit, WriterDep
from node.api.problems import Problem, problem_responses
from node.api.relay import relay_call
from node.api.routes.relay import public
from node.api.schemas import Address, RelayPublic, Signature, TypedDataToSign
from node.api.txbuild import typed_digest
from node.chain.client import checksum
from node.governance.ballots import ballot_domain, ballot_typed_data
from node.governance.client import GeneralMeeting

router = APIRouter(prefix="/meetings", tags=["meetings"])

MeetingId = Annotated[int, Path(ge=0, lt=2**64)]
Choices = Annotated[list[Annotated[int, Field(ge=0, le=2)]], Field(min_length=1, max_length=32)]


class BallotDraftCreate(BaseModel):
    choices: Choices
    """One per question: 0 against, 1 for, 2 abstain."""
    voter: Address | None = None
    """Defaults to the signed-in address."""


class BallotCreate(BaseModel):
    voter: Address
    choices: Choices
    signature: Signature


def _meeting(gw: GatewayDep) -> GeneralMeeting:
    meeting = gw.governance().meeting
    if meeting is None:
        raise Problem(
            409,
            "У кооператива нет контракта общего собрания / The cooperative has no general "
            "meeting contract",
        )
    return meeting


@router.get(
    "",
    response_model=amounts_as_strings(Page[MeetingPublic]),
    responses=problem_responses(401, 503),
)
async def list_meetings(gw: GatewayDep, caller: CallerDep) -> Response:
    """Meetings with agenda, ballots, tallies and state at the mirror's block."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    return await mirror.respond(
        gw, ("meetings",), lambda c: governance.meetings(c, charter, chain_id=cid)
    )


@router.post(
    "/{meeting_id}/ballots/typed-data",
    response_model=amounts_as_strings(TypedDataToSign),
    responses=problem_responses(401, 403, 409, 422),
)
def ballot_payload(
    gw: GatewayDep, caller: WriterDep, meeting_id: MeetingId, body: BallotDraftCreate
) -> TypedDataToSign:
    """The EIP-712 ballot for your wallet (`eth_signTypedData_v4`); no ETH needed."""
    meeting = _meeting(gw)
    voter = checksum(body.voter or caller.address)
    typed = ballot_typed_data(
        ballot_domain(gw.chain_id, meeting.address), meeting_id, voter, body.choices
    )
    return TypedDataToSign(
        typed_data=typed, digest=typed_digest(typed), submit_to=f"/meetings/{meeting_id}/ballots"
    )


@router.post(
    "/{meeting_id}/ballots",
    response_model=amounts_as_strings(RelayPublic),
    status_code=202,
    dependencies=[RelayRateLimit],
    responses=problem_responses(401, 403, 409, 422, 429),
)
def submit_ballot(
    gw: GatewayDep, caller: WriterDep, meeting_id: MeetingId, body: BallotCreate
) -> RelayPublic:
    """Relay a signed ballot (`castBallotBySig`); the cooperative pays the gas."""
    meeting = _meeting(gw)
    fn = meeting.contract.functions.castBallotBySig(
        meeting_id,
        (checksum(body.voter), [int(c) for c in body.choices]),
        bytes(HexBytes(body.signature)),
    )
    return public(relay_call(gw, fn, kind="ballot", account=caller.address))
