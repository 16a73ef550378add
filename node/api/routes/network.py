"""The network this node serves: the directory of its cooperatives and unions, and the
cooperatives a signed-in person is a member of (the portal's switcher)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from indexer.models import NetworkDirectoryPublic
from indexer.queries import network as queries
from node.api import mirror
from node.api.amounts import amounts_as_strings
from node.api.deps import CallerDep, GatewayDep
from node.api.gateway import Gateway
from node.api.network import Network, network_of
from node.api.notifier import cooperative_name
from node.api.problems import Problem, problem_responses

router = APIRouter(prefix="/network", tags=["network"])


def _network(request: Request) -> Network:
    network = network_of(request.app)
    if network is None:
        raise Problem(503, "Шлюз не настроен / The gateway is not configured")
    return network


@router.get(
    "",
    response_model=amounts_as_strings(NetworkDirectoryPublic),
    responses=problem_responses(503),
)
async def directory(
    request: Request,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Every cooperative of the network registry on this chain (registration order, paged),
    unions with their member cooperatives, and public figures per cooperative: active
    members, share capital, ВРЕ turnover, general meetings held. No sign-in needed; `slug` is
    the prefix that serves the cooperative (`/c/{slug}/...`)."""
    network = _network(request)
    gw = network.default  # one cache for every prefix
    cid = gw.chain_id

    def compute(conn: object) -> NetworkDirectoryPublic:
        page = queries.directory(conn, offset, limit, chain_id=cid)  # type: ignore[arg-type]
        for entry in page.data:
            entry.slug = network.slug_of(entry.coop_id, entry.charter)
        return page

    return await mirror.respond(gw, ("network", offset, limit), compute)


class MyCooperative(BaseModel):
    coop_id: int
    charter: str
    slug: str
    name: str
    roles: list[str]
    """The caller's roles in it, from that cooperative's chain state."""


class MyCooperatives(BaseModel):
    address: str
    data: list[MyCooperative]


def _mine(network: Network, address: str) -> list[MyCooperative]:
    gw = network.default
    with gw.engine.connect() as conn:
        found = queries.memberships_of(conn, address, gw.chain_id)
    out: list[MyCooperative] = []
    for coop_id, charter in found:
        slug = network.slug_of(coop_id, charter)
        served: Gateway | None = network.resolve(slug)
        if served is None:
            continue
        name = cooperative_name(served)
        out.append(
            MyCooperative(
                coop_id=coop_id,
                charter=charter,
                slug=slug,
                name=name,
                roles=sorted(served.roles(address)),
            )
        )
    return out


@router.get("/me", response_model=MyCooperatives, responses=problem_responses(401, 503))
async def my_cooperatives(request: Request, gw: GatewayDep, caller: CallerDep) -> MyCooperatives:
    """The cooperatives the signed-in person is an active member of (one session serves them
    all), with the roles each one's chain gives them: the portal's switcher."""
    network = _network(request)
    data = await run_in_threadpool(_mine, network, caller.address)
    return MyCooperatives(address=caller.address, data=data)
