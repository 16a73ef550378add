"""`GET /health`: is the node up, which chain is it on, what is deployed."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from node.api.amounts import amounts_as_strings
from node.api.deps import ChainDep, DeploymentDep

router = APIRouter(tags=["health"])


class HealthPublic(BaseModel):
    status: str
    chain_id: int
    latest_block: int
    contracts: dict[str, str]
    deployed_at_block: int | None = None
    worker: int
    """The answering gateway process (its pid): several may serve one address."""
    indexer: str | None = None
    """This process's indexer, when it runs one: `leader` (indexing) or `standby` (another
    process holds the chain's leader lock)."""


@router.get(
    "/health",
    response_model=amounts_as_strings(HealthPublic),
    responses={503: {"description": "The chain does not answer"}},
)
def health(
    request: Request, chain: ChainDep, deployment: DeploymentDep
) -> HealthPublic | JSONResponse:
    try:
        chain_id = chain.chain_id
        latest = int(chain.w3.eth.block_number)
    except Exception as exc:  # any RPC failure means "not healthy", said plainly
        return JSONResponse(
            status_code=503,
            media_type="application/problem+json",
            content={
                "type": "about:blank",
                "title": "Блокчейн недоступен / Chain unavailable",
                "status": 503,
                "detail": f"{chain.rpc_url}: {exc}",
            },
        )
    return HealthPublic(
        status="ok",
        chain_id=chain_id,
        latest_block=latest,
        contracts={str(k): str(v) for k, v in deployment.get("contracts", {}).items()},
        deployed_at_block=deployment.get("deployed_at_block"),
        worker=os.getpid(),
        indexer=getattr(request.app.state, "indexer", None) and request.app.state.indexer.role,
    )
