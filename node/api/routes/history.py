"""History read from the mirror, for the portal's pictures and per-member views: what each
clearing (взаимозачёт) cleared on a member's invoices, and the cooperative's members and shares
over time. Both replay the mirror's ledgers in SQL (`indexer.queries`); amounts are decimal
strings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel

from indexer.models import BlockRef, EventRef
from indexer.queries import members, units
from indexer.queries.common import Db
from node.api import mirror
from node.api.amounts import AmountOut
from node.api.deps import CallerDep, GatewayDep
from node.api.problems import Problem, problem_responses
from node.api.schemas import ADDRESS_PATTERN
from node.chain.client import checksum

router = APIRouter(prefix="/history", tags=["history"])

AddressPath = Annotated[str, Path(pattern=ADDRESS_PATTERN, description="EVM address")]


class ClearedLineOut(BaseModel):
    obligation_id: int
    debtor: str
    creditor: str
    amount: AmountOut
    """What the clearing set off on this obligation."""
    outstanding: AmountOut
    """What remained owed right after it."""


class MemberClearingOut(BaseModel):
    submitter: str
    plan_hash: str
    entries: int
    total_cleared: AmountOut
    event: EventRef
    lines: list[ClearedLineOut]
    cleared_as_debtor: AmountOut
    cleared_as_creditor: AmountOut


class MemberClearings(BaseModel):
    data: list[MemberClearingOut]
    count: int
    as_of: BlockRef


class MembershipPointOut(BaseModel):
    block_number: int
    timestamp: int | None
    members: int
    total_shares: AmountOut


class MembershipHistory(BaseModel):
    data: list[MembershipPointOut]
    count: int
    as_of: BlockRef


@router.get(
    "/members/{address}/clearings",
    response_model=MemberClearings,
    responses=problem_responses(401, 403, 503),
)
async def member_clearings(gw: GatewayDep, caller: CallerDep, address: AddressPath) -> Response:
    """Every clearing of the cooperative's ВРЕ, oldest first, with the lines (`ObligationCleared`
    of the clearing's transaction) on the member's own invoices, as debtor or creditor. For the
    member themself, the council, the chair and auditors."""
    who = checksum(address)
    if caller.address != who and not caller.has("council", "chair", "auditor"):
        raise Problem(
            403,
            "Зачёты по счетам участника видят он сам, совет и ревизоры / Only the member, the "
            "council and auditors see a member's clearings",
        )
    charter, cid = gw.coop.addresses.charter, gw.chain_id

    def compute(c: Db) -> MemberClearings:
        page = units.member_clearings(c, charter, who, chain_id=cid)
        return MemberClearings.model_validate(page.model_dump())

    return await mirror.respond(gw, ("history-clearings", who), compute)


@router.get(
    "/membership",
    response_model=MembershipHistory,
    responses=problem_responses(401, 503),
)
async def membership_history(gw: GatewayDep, caller: CallerDep) -> Response:
    """Members (in the `member` status) and the total of shares (minimum + voluntary +
    in-kind) after each block with a membership or shares event, oldest first."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id

    def compute(c: Db) -> MembershipHistory:
        page = members.membership_history(c, charter, chain_id=cid)
        return MembershipHistory.model_validate(page.model_dump())

    return await mirror.respond(gw, ("history-membership",), compute)
