"""The cooperative itself: who it is, its dashboard figures and its funds."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel

from indexer.models import CooperativePublic, DashboardPublic, FundsPublic, NamedFundsPublic
from indexer.queries import overview, registry, treasury
from node.api import mirror
from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep
from node.api.problems import Problem, problem_responses

router = APIRouter(prefix="/cooperative", tags=["cooperative"])


class CooperativeInfo(BaseModel):
    slug: str
    chain_id: int
    contracts: dict[str, str]
    relayer: str
    """The account that pays gas for gasless actions."""
    auditors: list[str]
    """The audit commission appointed on chain (as the mirror has it) and the extra auditors
    of `COOP_AUDITORS`."""
    details: CooperativePublic | None
    """As the mirror has it (None until the indexer has seen the cooperative)."""
    block: int | None


@router.get("", response_model=amounts_as_strings(CooperativeInfo))
def cooperative(gw: GatewayDep) -> CooperativeInfo:
    """Which cooperative this gateway serves, its contracts and relayer (no sign-in needed)."""
    details: CooperativePublic | None = None
    block: int | None = None
    try:
        details = mirror.read(
            gw, "get_cooperative", registry.get_cooperative, gw.coop.addresses.charter
        )
        block = mirror.current_block(gw)
    except Problem:
        pass
    return CooperativeInfo(
        slug=gw.slug,
        chain_id=gw.chain_id,
        contracts=gw.contract_addresses(),
        relayer=gw.relayer.address,
        auditors=sorted(gw.auditors | set(details.auditors if details is not None else ())),
        details=details,
        block=block,
    )


@router.get(
    "/dashboard",
    response_model=amounts_as_strings(DashboardPublic),
    responses=problem_responses(401, 503),
)
async def dashboard(gw: GatewayDep, caller: CallerDep) -> Response:
    """Members by status, shares, funds, ВРЕ totals, open obligations, documents: one block."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    return await mirror.respond(
        gw, ("dashboard",), lambda c: overview.dashboard(c, charter, chain_id=cid)
    )


@router.get(
    "/funds", response_model=amounts_as_strings(FundsPublic), responses=problem_responses(401, 503)
)
async def funds(gw: GatewayDep, caller: CallerDep) -> Response:
    """Fund balances (share, reserve, mutual aid, development) and pending income."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    return await mirror.respond(
        gw, ("funds",), lambda c: treasury.fund_balances(c, charter, chain_id=cid)
    )


@router.get(
    "/funds/named",
    response_model=amounts_as_strings(NamedFundsPublic),
    responses=problem_responses(401, 503),
)
async def named_funds(gw: GatewayDep, caller: CallerDep) -> Response:
    """The funds the charter names (created by general-meeting decisions): each one's balance
    (pending income counted as split), share of income, rule of use (council or meeting and
    the majority) and whether it is indivisible (never refunded on exit)."""
    charter, cid = gw.coop.addresses.charter, gw.chain_id
    return await mirror.respond(
        gw, ("named_funds",), lambda c: treasury.named_funds(c, charter, chain_id=cid)
    )
