"""Target programs (целевые программы): the programs and their members' parts from the mirror,
a member's own part read from the chain, and the member's actions: join by accepting the terms
(a signature the gateway relays, or a transaction to sign), contribute, leave. Creating,
spending and closing are council decisions (`POST /council/decisions` with the kinds
`program_create`, `program_spend`, `program_close`; the terms are a `program_terms` document).

Amounts are in the payment token's smallest units, as decimal strings (see node.api.amounts).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.concurrency import run_in_threadpool
from hexbytes import HexBytes
from pydantic import BaseModel, Field

from indexer.queries import programs as queries
from node.api import mirror
from node.api.amounts import AmountIn, AmountOut, amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, RelayRateLimit, WriterDep
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.relay import relay_call
from node.api.routes.relay import public
from node.api.schemas import (
    ADDRESS_PATTERN,
    RelayPublic,
    Signature,
    TransactionToSign,
    TypedDataToSign,
)
from node.api.txbuild import typed_digest, unsigned_tx
from node.chain.client import checksum
from node.programs import TargetPrograms

router = APIRouter(prefix="/programs", tags=["programs"])

ProgramId = Annotated[int, Path(ge=1, lt=2**63, description="Program number")]
AddressPath = Annotated[str, Path(pattern=ADDRESS_PATTERN, description="EVM address")]


def _address(gw: Gateway) -> str:
    """The cooperative's TargetPrograms (no chain access: safe on the event loop)."""
    address = gw.module_address("target_programs")
    if address is None:
        raise Problem(
            404,
            "У кооператива нет целевых программ (в записи развёртывания нет target_programs) / "
            "The cooperative has no target programs (no target_programs in the deployment record)",
        )
    return address


def programs_client(gw: Gateway) -> TargetPrograms:
    return TargetPrograms(gw.chain, _address(gw))


def member_programs_of(gw: Gateway, account: str, program_id: int | None) -> set[int]:
    """{program_id} when `account` is in that program (read from the chain), else empty: what
    the exchange passes as the programs a supplier or a buyer is in."""
    if program_id is None or gw.module_address("target_programs") is None:
        return set()
    joined = programs_client(gw).position(program_id, account).joined
    return {program_id} if joined else set()


# -- reads -------------------------------------------------------------------------------------


@router.get(
    "",
    response_model=amounts_as_strings(queries.ProgramsPublic),
    responses=problem_responses(401, 404, 503),
)
async def list_programs(gw: GatewayDep, caller: CallerDep) -> Response:
    """Every program: purpose, terms, status, its own balance, units, members (the mirror)."""
    address, cid = _address(gw), gw.chain_id
    return await mirror.respond(
        gw, ("programs", address), lambda c: queries.programs(c, address, chain_id=cid)
    )


@router.get(
    "/mine",
    response_model=amounts_as_strings(queries.MemberProgramsPublic),
    responses=problem_responses(401, 404, 503),
)
async def my_programs(gw: GatewayDep, caller: CallerDep) -> Response:
    """The caller's part in every program they are in (the mirror)."""
    address, cid, who = _address(gw), gw.chain_id, caller.address
    return await mirror.respond(
        gw,
        ("programs-mine", address, who),
        lambda c: queries.member_programs(c, address, who, chain_id=cid),
    )


@router.get(
    "/{program_id}/members",
    response_model=amounts_as_strings(queries.ProgramMembersPublic),
    responses=problem_responses(401, 404, 503),
)
async def program_members(gw: GatewayDep, caller: CallerDep, program_id: ProgramId) -> Response:
    """The program and every member's part (what each would be paid on leaving now)."""
    address, cid = _address(gw), gw.chain_id
    return await mirror.respond(
        gw,
        ("program-members", address, program_id),
        lambda c: queries.program_members(c, address, program_id, chain_id=cid),
    )


class PartPublic(BaseModel):
    """A member's position in a program, read from the chain now."""

    program_id: int
    account: str
    joined: bool
    units: AmountOut
    part: AmountOut
    """What the member would be paid on leaving now (`partOf`)."""


@router.get(
    "/{program_id}/members/{address}",
    response_model=amounts_as_strings(PartPublic),
    responses=problem_responses(401, 404),
)
async def member_part(
    gw: GatewayDep, caller: CallerDep, program_id: ProgramId, address: AddressPath
) -> PartPublic:
    """A member's part in a program, exact at the chain's latest block."""
    _address(gw)
    who = checksum(address)

    def read() -> PartPublic:
        p = programs_client(gw).position(program_id, who)
        return PartPublic(
            program_id=program_id, account=who, joined=p.joined, units=p.units, part=p.part
        )

    return await run_in_threadpool(read)


# -- the member's actions ------------------------------------------------------------------------


class JoinDraftCreate(BaseModel):
    valid_for: int = Field(default=3_600, ge=60, le=30 * 24 * 3_600)
    """Seconds the signed acceptance stays valid."""


class JoinCreate(BaseModel):
    deadline: int = Field(ge=0, lt=2**64)
    signature: Signature


def _open_program(gw: Gateway, program_id: int) -> TargetPrograms:
    client = programs_client(gw)
    info = client.program(program_id)
    if info.status.value == 0:
        raise Problem(404, f"Нет программы {program_id} / No program {program_id}")
    return client


@router.post(
    "/{program_id}/join/typed-data",
    response_model=TypedDataToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def join_payload(
    gw: GatewayDep, caller: WriterDep, program_id: ProgramId, body: JoinDraftCreate
) -> TypedDataToSign:
    """For a member: the EIP-712 acceptance of the program's terms; no ETH needed. The terms
    hash in it is the program's `program_terms` document (`GET /documents/{sha256}`)."""
    client = _open_program(gw, program_id)
    deadline = int(gw.chain.w3.eth.get_block("latest")["timestamp"]) + body.valid_for
    typed = client.join_typed_data(program_id, caller.address, deadline)
    return TypedDataToSign(
        typed_data=typed, digest=typed_digest(typed), submit_to=f"/programs/{program_id}/join"
    )


@router.post(
    "/{program_id}/join",
    response_model=amounts_as_strings(RelayPublic),
    status_code=202,
    dependencies=[RelayRateLimit],
    responses=problem_responses(401, 403, 404, 422, 429),
)
def join(gw: GatewayDep, caller: WriterDep, program_id: ProgramId, body: JoinCreate) -> RelayPublic:
    """Relay the member's signed acceptance of the terms (the cooperative pays the gas); the
    chain records it with the terms hash (`ProgramJoined`)."""
    client = _open_program(gw, program_id)
    terms = client.program(program_id).terms
    fn = client.contract.functions.joinBySig(
        program_id, caller.address, terms, body.deadline, bytes(HexBytes(body.signature))
    )
    return public(relay_call(gw, fn, kind="program_join", account=caller.address))


@router.post(
    "/{program_id}/join/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def join_tx(gw: GatewayDep, caller: WriterDep, program_id: ProgramId) -> TransactionToSign:
    """For a member who pays their own gas: accept the terms and join, as a transaction."""
    client = _open_program(gw, program_id)
    fn = client.contract.functions.join(program_id, client.program(program_id).terms)
    return unsigned_tx(
        gw, fn, caller.address, f"Вступить в программу № {program_id} / Join program {program_id}"
    )


class AmountCreate(BaseModel):
    amount: AmountIn
    """In the payment token's smallest units."""


@router.post(
    "/approval/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def approval_tx(gw: GatewayDep, caller: WriterDep, body: AmountCreate) -> TransactionToSign:
    """Let the programs contract pull up to `amount` of the payment token (before a
    contribution)."""
    client = programs_client(gw)
    fn = client.token.functions.approve(client.address, body.amount)
    return unsigned_tx(
        gw, fn, caller.address, "Разрешить списание взноса / Allow the contribution to be collected"
    )


@router.post(
    "/{program_id}/contributions/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def contribution_tx(
    gw: GatewayDep, caller: WriterDep, program_id: ProgramId, body: AmountCreate
) -> TransactionToSign:
    """For a member of the program: contribute (buys program units at the current price)."""
    client = _open_program(gw, program_id)
    fn = client.contract.functions.contribute(program_id, body.amount)
    return unsigned_tx(
        gw,
        fn,
        caller.address,
        f"Взнос в программу № {program_id} / Contribute to program {program_id}",
    )


@router.post(
    "/{program_id}/leave/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def leave_tx(gw: GatewayDep, caller: WriterDep, program_id: ProgramId) -> TransactionToSign:
    """For a member of the program: leave it and be paid exactly one's part."""
    client = _open_program(gw, program_id)
    fn = client.contract.functions.leave(program_id)
    return unsigned_tx(
        gw,
        fn,
        caller.address,
        f"Выйти из программы № {program_id} с долей / Leave program {program_id} with your part",
    )
