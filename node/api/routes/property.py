"""The property register (реестр имущества): the cooperative's assets from the mirror, with
filters, and one asset with every event of its life. Registering, revaluing, pledging or
disposing of an asset are council or general-meeting decisions (`/council`, `/meetings`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from indexer.models import ASSET_CATEGORY, AssetPublic, BlockRef, EventRef
from indexer.queries import property as property_queries
from indexer.queries.common import Page
from node.api import mirror
from node.api.amounts import AmountOut, amounts_as_strings
from node.api.deps import CallerDep, GatewayDep
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.schemas import ADDRESS_PATTERN
from node.chain.client import checksum

router = APIRouter(prefix="/property", tags=["property"])

TokenId = Annotated[int, Path(ge=0, lt=2**63, description="Asset (token) number")]


def _registry(gw: Gateway) -> str:
    address = gw.module_address("property_registry")
    if address is None:
        raise Problem(
            404,
            "У кооператива нет реестра имущества (в записи развёртывания нет "
            "property_registry) / The cooperative has no property register (no "
            "property_registry in the deployment record)",
        )
    return address


class AssetEventOut(BaseModel):
    token_id: int
    action: str
    """minted, revalued, custodian_changed, pledged, released, disposed, ... (the event)."""
    decision: str | None
    custodian: str
    valuation: AmountOut
    encumbered: bool
    disposed: bool
    event: EventRef


class AssetDetail(BaseModel):
    asset: amounts_as_strings(AssetPublic)  # type: ignore[valid-type]
    history: list[AssetEventOut]
    as_of: BlockRef


@router.get(
    "/assets",
    response_model=amounts_as_strings(Page[AssetPublic]),
    responses=problem_responses(401, 404, 503),
)
async def list_assets(
    gw: GatewayDep,
    caller: CallerDep,
    custodian: Annotated[str | None, Query(pattern=ADDRESS_PATTERN)] = None,
    category: Annotated[str | None, Query(pattern="^(" + "|".join(ASSET_CATEGORY) + ")$")] = None,
    include_disposed: bool = False,
    encumbered: bool | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """The register's assets (by default those still held), filtered by custodian, category,
    pledge; paginated by token number."""
    registry, cid = _registry(gw), gw.chain_id
    who = checksum(custodian) if custodian else None
    return await mirror.respond(
        gw,
        ("assets", registry, who, category, include_disposed, encumbered, offset, limit),
        lambda c: property_queries.list_assets(
            c,
            registry,
            include_disposed,
            who,
            category,
            offset,
            limit,
            chain_id=cid,
            encumbered=encumbered,
        ),
    )


@router.get(
    "/assets/{token_id}",
    response_model=AssetDetail,
    responses=problem_responses(401, 404, 503),
)
async def get_asset(gw: GatewayDep, caller: CallerDep, token_id: TokenId) -> Response:
    """One asset (also a disposed one) and every event of its life, oldest first."""
    registry, cid = _registry(gw), gw.chain_id

    def compute(c: Connection) -> AssetDetail:
        asset = property_queries.get_asset(c, registry, token_id, chain_id=cid)
        if asset is None:
            raise Problem(404, f"Имущества №{token_id} нет в реестре / No asset {token_id}")
        history = property_queries.asset_history(c, registry, token_id, chain_id=cid)
        return AssetDetail(
            asset=asset.model_dump(),
            history=[AssetEventOut.model_validate(e.model_dump()) for e in history.data],
            as_of=history.as_of,
        )

    return await mirror.respond(gw, ("asset", registry, token_id), compute)
