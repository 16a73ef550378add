"""The exchange's offers: what members make or do, priced in ВРЕ; search with filters."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, BeforeValidator, Field
from sqlmodel import Session

from node.api.deps import CallerDep, GatewayDep, WriterDep
from node.api.documents import store_document
from node.api.exchange.shared import OfferPublic, offer_public, require_member
from node.api.exchange.union import visible_cooperatives
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.routes.programs import member_programs_of
from node.api.schemas import ADDRESS_PATTERN, UINT_PATTERN, Uint
from node.chain.client import checksum
from node.exchange import service
from node.exchange.models import Offer

router = APIRouter(prefix="/offers", tags=["exchange"])

OfferId = Annotated[int, Path(ge=1, lt=2**62)]


def _int_to_str(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


#: An amount in base units: a decimal string (a uint256 does not fit a JavaScript number); a
#: JSON integer is accepted too.
Amount = Annotated[Uint, BeforeValidator(_int_to_str)]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class OfferCreate(BaseModel):
    title: Text
    description: str = Field(default="", max_length=10_000)
    category: Annotated[str, Field(min_length=1, max_length=64)]
    unit: Annotated[str, Field(min_length=1, max_length=32)] = "шт"
    price: Amount
    """Price of one unit in ВРЕ base units (10^18 per ВРЕ)."""
    token_price: Amount | None = None
    """Optional price of one unit in the cooperative's payment token (base units): buyers may
    then order with `currency=token` and pay by an ERC-20 transfer."""
    quantity: int = Field(ge=0, lt=2**62)
    region: str = Field(default="", max_length=64)
    program_id: int | None = Field(default=None, ge=1, lt=2**63)
    """Offer within a target program only (you must be in it): its members see and order it."""


class OfferUpdate(BaseModel):
    title: Text | None = None
    description: str | None = Field(default=None, max_length=10_000)
    category: Annotated[str | None, Field(min_length=1, max_length=64)] = None
    unit: Annotated[str | None, Field(min_length=1, max_length=32)] = None
    price: Amount | None = None
    token_price: Amount | None = None
    quantity: int | None = Field(default=None, ge=0, lt=2**62)
    region: str | None = Field(default=None, max_length=64)


class OfferList(BaseModel):
    data: list[OfferPublic]
    count: int


ATTACHMENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in sorted(service.ALLOWED_MEDIA)
        },
    }
}


def _visible(gw: Gateway, scope: str) -> list[str]:
    """The served cooperative's charter; with `scope=union`, also those of the other active
    member cooperatives of its union (read from the chain and the mirror)."""
    return visible_cooperatives(gw, scope)


@router.post(
    "", response_model=OfferPublic, status_code=201, responses=problem_responses(401, 403, 409, 422)
)
def create_offer(gw: GatewayDep, caller: WriterDep, body: OfferCreate) -> OfferPublic:
    """For a member: offer goods or work at a price in ВРЕ."""
    require_member(caller)
    with Session(gw.engine) as session:
        offer = service.create_offer(
            session,
            cooperative=gw.coop.addresses.charter,
            supplier=caller.address,
            title=body.title,
            description=body.description,
            category=body.category,
            unit=body.unit,
            price=int(body.price),
            quantity=body.quantity,
            region=body.region,
            token_price=None if body.token_price is None else int(body.token_price),
            program_id=body.program_id,
            supplier_programs=member_programs_of(gw, caller.address, body.program_id),
        )
        return offer_public(offer)


@router.get("", response_model=OfferList, responses=problem_responses(401, 403))
def search_offers(
    gw: GatewayDep,
    caller: CallerDep,
    q: Annotated[str | None, Query(max_length=200, description="Слова из названия и описания")] = (
        None
    ),
    category: Annotated[str | None, Query(max_length=64)] = None,
    region: Annotated[str | None, Query(max_length=64)] = None,
    supplier: Annotated[str | None, Query(pattern=ADDRESS_PATTERN)] = None,
    price_min: Annotated[str | None, Query(pattern=UINT_PATTERN)] = None,
    price_max: Annotated[str | None, Query(pattern=UINT_PATTERN)] = None,
    include_withdrawn: bool = False,
    scope: Annotated[
        Literal["cooperative", "union"],
        Query(description="cooperative: свои; union: и кооперативов союза / also the union's"),
    ] = "cooperative",
    program: Annotated[
        int | None,
        Query(ge=1, lt=2**63, description="Предложения целевой программы (для её участников)"),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> OfferList:
    """Search offers (text, category, region, price range in ВРЕ base units, supplier), newest
    first, paginated. `scope=union` adds the offers of the other member cooperatives of the
    cooperative's union (members order them through their cooperatives' councils)."""
    query = service.OfferQuery(
        text=q,
        category=category,
        region=region,
        supplier=checksum(supplier) if supplier else None,
        price_min=int(price_min) if price_min else None,
        price_max=int(price_max) if price_max else None,
        status=None if include_withdrawn else "active",
        cooperatives=_visible(gw, scope),
        program=program,
    )
    if program is not None and not member_programs_of(gw, caller.address, program):
        raise Problem(
            403,
            f"Предложения программы {program} видны только её участникам / The offers of "
            f"program {program} are for its members only",
        )
    with Session(gw.engine) as session:
        rows, count = service.search_offers(session, query, offset, limit)
        return OfferList(data=[offer_public(r) for r in rows], count=count)


@router.get("/{offer_id}", response_model=OfferPublic, responses=problem_responses(401, 404))
def get_offer(gw: GatewayDep, caller: CallerDep, offer_id: OfferId) -> OfferPublic:
    """One offer (of the cooperative or of its union)."""
    with Session(gw.engine) as session:
        offer = service.get_offer(session, offer_id)
        if offer.cooperative != gw.coop.addresses.charter and offer.cooperative not in _visible(
            gw, "union"
        ):
            raise service.ExchangeError(404, f"Нет предложения {offer_id} / No offer {offer_id}")
        if offer.program_id is not None and (
            offer.cooperative != gw.coop.addresses.charter
            or not member_programs_of(gw, caller.address, offer.program_id)
        ):
            raise service.ExchangeError(404, f"Нет предложения {offer_id} / No offer {offer_id}")
        return offer_public(offer)


@router.patch(
    "/{offer_id}", response_model=OfferPublic, responses=problem_responses(401, 403, 404, 409)
)
def update_offer(
    gw: GatewayDep, caller: WriterDep, offer_id: OfferId, body: OfferUpdate
) -> OfferPublic:
    """For the supplier: change an active offer."""
    with Session(gw.engine) as session:
        changes = body.model_dump(exclude_unset=True)
        return offer_public(service.update_offer(session, offer_id, caller.address, changes))


@router.delete(
    "/{offer_id}", response_model=OfferPublic, responses=problem_responses(401, 403, 404, 409)
)
def withdraw_offer(gw: GatewayDep, caller: WriterDep, offer_id: OfferId) -> OfferPublic:
    """For the supplier: withdraw an offer (orders already placed go on)."""
    with Session(gw.engine) as session:
        return offer_public(service.withdraw_offer(session, offer_id, caller.address))


def _attach(
    gw: Gateway, offer_id: int, caller: str, content: bytes, media: str, filename: str | None
) -> Offer:
    with Session(gw.engine) as session:
        service.get_offer(session, offer_id)
        offer = session.get(Offer, offer_id)
        if offer is not None and offer.supplier == caller and offer.status == "active":
            row = store_document(gw, content, media_type=media, filename=filename, stored_by=caller)
            return service.add_attachment(session, offer_id, caller, row.sha256)
        return service.add_attachment(session, offer_id, caller, "")  # raises 403 / 409


@router.post(
    "/{offer_id}/attachments",
    response_model=OfferPublic,
    status_code=201,
    openapi_extra=ATTACHMENT_BODY,
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
)
async def add_attachment(
    request: Request,
    gw: GatewayDep,
    caller: WriterDep,
    offer_id: OfferId,
    filename: Annotated[str | None, Query(max_length=255, pattern=r"^[^/\\\x00]+$")] = None,
) -> OfferPublic:
    """For the supplier: add a photo or attachment (the body as is; JPEG, PNG, WebP, GIF, PDF,
    plain text; at most 5 MiB); stored content-addressed, its SHA-256 listed on the offer."""
    content = await request.body()
    media = service.check_attachment(
        request.headers.get("content-type", "application/octet-stream"), len(content)
    )
    offer = await run_in_threadpool(_attach, gw, offer_id, caller.address, content, media, filename)
    return offer_public(offer)
