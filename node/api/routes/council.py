"""The council: its composition, its items from the mirror, and the council members' actions
(propose, vote, the chair's protocol signature, execution) as transactions to sign."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from hexbytes import HexBytes
from pydantic import BaseModel, Field

from indexer.models import CouncilItemPublic
from indexer.queries import governance
from indexer.queries.common import Page
from node.api import mirror
from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep, WriterDep
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.schemas import Address, Hash32, HexBytesStr, TransactionToSign
from node.api.txbuild import bytes32, unsigned_tx
from node.chain.client import checksum
from node.governance.client import Action, Council

router = APIRouter(prefix="/council", tags=["council"])

ItemId = Annotated[int, Path(ge=0, lt=2**64)]


class CouncilPublic(BaseModel):
    executor: str
    """The charter's decision executor (the council contract once it took over)."""
    council: str | None
    general_meeting: str | None
    members: list[str]
    chair: str
    item_expiry: int | None
    epoch: int | None
    block: int


class ActionCreate(BaseModel):
    """What a decision does when executed: a named membership action or a raw call."""

    type: Literal["admit", "exit", "block", "unblock", "call"]
    account: Address | None = None
    """The member concerned (admit, exit, block, unblock)."""
    target: Address | None = None
    """For `call`: the contract to call."""
    data: HexBytesStr | None = None
    """For `call`: the call data."""


class ItemCreate(BaseModel):
    document_hash: Hash32
    """SHA-256 of the decision document (e.g. from `POST /documents/generate`)."""
    actions: list[ActionCreate] = Field(default_factory=list, max_length=16)


class VoteCreate(BaseModel):
    support: Literal[0, 1, 2] = 1
    """0 against, 1 for, 2 abstain."""


class ProtocolCreate(BaseModel):
    protocol_hash: Hash32


def _council(gw: Gateway) -> Council:
    council = gw.governance().council
    if council is None:
        raise Problem(
            409,
            "У кооператива ещё нет контракта совета / The cooperative has no council contract",
        )
    return council


def _actions(gw: Gateway, body: ItemCreate) -> list[Action]:
    out: list[Action] = []
    decision = bytes32(body.document_hash)
    membership = gw.coop.membership
    for a in body.actions:
        if a.type == "call":
            if a.target is None or a.data is None:
                raise Problem(422, "Для call нужны target и data / call needs target and data")
            out.append(Action(checksum(a.target), bytes(HexBytes(a.data))))
            continue
        if a.account is None:
            raise Problem(422, f"Для {a.type} нужен account / {a.type} needs account")
        fn = {"admit": "admit", "exit": "exit", "block": "blockMember", "unblock": "unblockMember"}
        out.append(Action.call(membership, fn[a.type], checksum(a.account), decision))
    return out


@router.get("", response_model=amounts_as_strings(CouncilPublic), responses=problem_responses(401))
def council_info(gw: GatewayDep, caller: CallerDep) -> CouncilPublic:
    """The council's members, the chair and the executor, read from the chain."""
    block = int(gw.chain.w3.eth.block_number)
    gov = gw.governance()
    chair = checksum(gw.coop.charter.functions.chair().call())
    if gov.council is not None:
        return CouncilPublic(
            executor=gov.executor,
            council=gov.council.address,
            general_meeting=gov.meeting.address if gov.meeting else None,
            members=gov.council.members(),
            chair=chair,
            item_expiry=gov.council.item_expiry(),
            epoch=gov.council.epoch(),
            block=block,
        )
    return CouncilPublic(
        executor=gov.executor,
        council=None,
        general_meeting=None,
        members=[checksum(a) for a in gw.coop.charter.functions.initialCouncil().call()],
        chair=chair,
        item_expiry=None,
        epoch=None,
        block=block,
    )


@router.get(
    "/items",
    response_model=amounts_as_strings(Page[CouncilItemPublic]),
    responses=problem_responses(401, 503),
)
async def council_items(
    gw: GatewayDep,
    caller: CallerDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Agenda items with votes and state at the mirror's block."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    return await mirror.respond(
        gw,
        ("council_items", offset, limit),
        lambda c: governance.council_items(c, charter, None, offset, limit, chain_id=cid),
    )


@router.post(
    "/items/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 409, 422),
)
def propose_tx(gw: GatewayDep, caller: WriterDep, body: ItemCreate) -> TransactionToSign:
    """For a council member: put an item on the agenda."""
    council = _council(gw)
    actions = _actions(gw, body)
    fn = council.contract.functions.propose(
        bytes32(body.document_hash), [a.target for a in actions], [a.data for a in actions]
    )
    return unsigned_tx(gw, fn, caller.address, "Внести вопрос в повестку / Propose an item")


@router.post(
    "/items/{item_id}/votes/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 409, 422),
)
def vote_tx(
    gw: GatewayDep, caller: WriterDep, item_id: ItemId, body: VoteCreate
) -> TransactionToSign:
    """For a council member: vote on an item."""
    fn = _council(gw).contract.functions.castVote(item_id, body.support)
    return unsigned_tx(gw, fn, caller.address, "Голос по вопросу совета / Vote on an item")


@router.post(
    "/items/{item_id}/protocol/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 409, 422),
)
def protocol_tx(
    gw: GatewayDep, caller: WriterDep, item_id: ItemId, body: ProtocolCreate
) -> TransactionToSign:
    """For the chair: sign the protocol of a passed item."""
    fn = _council(gw).contract.functions.signProtocol(item_id, bytes32(body.protocol_hash))
    return unsigned_tx(gw, fn, caller.address, "Подписать протокол / Sign the protocol")


@router.post(
    "/items/{item_id}/execution/tx",
    response_model=amounts_as_strings(TransactionToSign),
    responses=problem_responses(401, 403, 404, 409, 422),
)
def execute_tx(gw: GatewayDep, caller: WriterDep, item_id: ItemId) -> TransactionToSign:
    """For anyone: execute a signed item (its actions are read from its proposal)."""
    council = _council(gw)
    try:
        actions = council.actions_of(item_id)
    except LookupError as exc:
        raise Problem(404, f"Нет вопроса {item_id} / No item {item_id}") from exc
    fn = council.contract.functions.execute(
        item_id, [a.target for a in actions], [a.data for a in actions]
    )
    return unsigned_tx(gw, fn, caller.address, "Исполнить решение / Execute the decision")
