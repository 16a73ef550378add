"""The exchange's orders: order, confirm (the invoice goes on chain), the delivery act signed
by both, payment in ВРЕ or clearing, disputes to the council; members' reputation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from node.api.deps import Caller, CallerDep, GatewayDep, WriterDep
from node.api.documents import cooperative_context, store_document
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.schemas import ADDRESS_PATTERN, TransactionToSign
from node.api.txbuild import unsigned_tx
from node.chain.client import checksum
from node.cooperative.client import DocumentType
from node.exchange import service
from node.exchange.http import OrderPublic, follow, order_public, problems, require_member
from node.exchange.models import Order
from node.units.client import ObligationStatus

router = APIRouter(prefix="/orders", tags=["exchange"])
#: What the order routes may refuse with (beyond the common 400, 413, 422, 500, 503).
PROBLEMS = problem_responses(401, 403, 404, 409, 422)

OrderId = Annotated[int, Path(ge=1, lt=2**62)]
OrderState = Literal[
    "requested",
    "confirmed",
    "invoiced",
    "delivered",
    "completed",
    "declined",
    "cancelled",
    "disputed",
]


class OrderCreate(BaseModel):
    offer_id: int = Field(ge=1, lt=2**62)
    quantity: int = Field(ge=1, lt=2**62)
    note: str = Field(default="", max_length=1000)


class OrderList(BaseModel):
    data: list[OrderPublic]
    count: int


class ConfirmationPublic(BaseModel):
    order: OrderPublic
    invoice: TransactionToSign
    """`issueObligation(buyer, total, 0, sha256(order document))` for the supplier's wallet:
    sign it and send it to `POST /relay/transactions`."""


class ActPublic(BaseModel):
    order: OrderPublic
    act_sha256: str
    """The delivery act: `GET /documents/{act_sha256}`."""
    anchor: TransactionToSign | None
    """Anchoring the act in the registry, for the caller's wallet (None: already anchored)."""
    sign_at: str
    """Where each party gets the EIP-712 signature payload of the act."""


class DisputeCreate(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class DisputePublic(BaseModel):
    order: OrderPublic
    document_hash: str
    """The dispute statement's hash: a council member puts it on the agenda with
    `POST /council/items/tx`."""


class ReputationPublic(BaseModel):
    address: str
    completed: int
    disputed: int
    cancelled: int
    as_supplier: int
    as_buyer: int
    acts: list[str]


def _may_read(caller: Caller, order: Order) -> None:
    if caller.address not in (order.buyer, order.supplier) and not caller.has(
        "council", "chair", "auditor"
    ):
        raise Problem(
            403, "Заказ видят его стороны и совет / Only the parties and the council see an order"
        )


def _invoice_tx(gw: Gateway, order: Order) -> TransactionToSign:
    assert order.document_sha256 is not None
    fn = gw.units.contract.functions.issueObligation(
        checksum(order.buyer), int(order.total), 0, bytes.fromhex(order.document_sha256)
    )
    return unsigned_tx(
        gw,
        fn,
        order.supplier,
        f"Счёт в ВРЕ по заказу № {order.id} / ВРЕ invoice for order {order.id}",
    )


@router.post("", response_model=OrderPublic, status_code=201, responses=PROBLEMS)
def place_order(gw: GatewayDep, caller: WriterDep, body: OrderCreate) -> OrderPublic:
    """For a member: order a quantity of an offer (reserved until declined or cancelled)."""
    require_member(caller)
    with Session(gw.engine) as session, problems():
        order = service.place_order(
            session,
            offer_id=body.offer_id,
            buyer=caller.address,
            quantity=body.quantity,
            note=body.note,
        )
        return order_public(order)


@router.get("", response_model=OrderList, responses=PROBLEMS)
def list_orders(
    gw: GatewayDep,
    caller: CallerDep,
    role: Literal["buyer", "supplier", "any"] = "any",
    status: OrderState | None = None,
    party: Annotated[str | None, Query(pattern=ADDRESS_PATTERN)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> OrderList:
    """Your orders (as buyer, supplier or both); the council and auditors may list anyone's
    (`party`) or all (`party` unset). States follow the chain on read."""
    who: str | None = caller.address
    if caller.has("council", "chair", "auditor"):
        who = checksum(party) if party else None
    elif party and checksum(party) != caller.address:
        raise Problem(403, "Только свои заказы / Only your own orders")
    with Session(gw.engine) as session:
        rows, _ = service.list_orders(session, party=who, role=role, status=None, limit=10_000)
        follow(gw, session, [r for r in rows if r.status in service.FOLLOWED])
        rows, count = service.list_orders(
            session, party=who, role=role, status=status, offset=offset, limit=limit
        )
        return OrderList(data=[order_public(r) for r in rows], count=count)


@router.get("/reputation/{address}", response_model=ReputationPublic)
def get_reputation(
    gw: GatewayDep, address: Annotated[str, Path(pattern=ADDRESS_PATTERN)]
) -> ReputationPublic:
    """A member's completed (delivery act anchored and signed by both), disputed and cancelled
    orders; each act can be checked by anyone at `POST /documents/verify`. No sign-in needed."""
    who = checksum(address)
    with Session(gw.engine) as session:
        rows, _ = service.list_orders(session, party=who, limit=10_000)
        follow(gw, session, [r for r in rows if r.status in service.FOLLOWED])
        rep = service.reputation(session, who)
        return ReputationPublic(**rep.__dict__)


@router.get("/{order_id}", response_model=OrderPublic, responses=PROBLEMS)
def get_order(gw: GatewayDep, caller: CallerDep, order_id: OrderId) -> OrderPublic:
    """One order, its state advanced to what the chain shows."""
    with Session(gw.engine) as session, problems():
        order = service.get_order(session, order_id)
        _may_read(caller, order)
        follow(gw, session, [order])
        return order_public(order)


@router.post(
    "/{order_id}/confirmation",
    response_model=ConfirmationPublic,
    responses=PROBLEMS,
)
def confirm_order(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> ConfirmationPublic:
    """For the supplier: confirm; stores the order document and returns the invoice
    (`issueObligation`, supplier -> buyer, for the order's total) for your wallet."""
    with Session(gw.engine) as session, problems():
        order, offer = service.check_confirmable(session, order_id, caller.address)
        content = service.order_document(order, offer, gw.chain_id)
        row = store_document(
            gw,
            content,
            media_type="application/json",
            filename=f"order-{order.id}.json",
            template="exchange_order",
            stored_by=caller.address,
        )
        order.document_sha256 = row.sha256
        tx = _invoice_tx(gw, order)  # simulated first: a refusal changes nothing
        session.expire(order)
        order = service.confirm_order(session, order_id, caller.address, row.sha256)
        return ConfirmationPublic(order=order_public(order), invoice=tx)


@router.post(
    "/{order_id}/invoice/tx",
    response_model=TransactionToSign,
    responses=PROBLEMS,
)
def invoice_tx(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> TransactionToSign:
    """For the supplier of a confirmed order: the invoice transaction again (fresh nonce)."""
    with Session(gw.engine) as session, problems():
        order = service.get_order(session, order_id)
        if caller.address != order.supplier:
            raise Problem(403, "Только поставщик / Only the supplier")
        if order.status != "confirmed":
            raise Problem(409, f"Заказ в состоянии {order.status} / The order is {order.status}")
        return _invoice_tx(gw, order)


@router.post("/{order_id}/decline", response_model=OrderPublic, responses=PROBLEMS)
def decline_order(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> OrderPublic:
    """For the supplier: decline a requested order (its quantity returns to the offer)."""
    with Session(gw.engine) as session, problems():
        return order_public(service.decline_order(session, order_id, caller.address))


@router.post("/{order_id}/cancel", response_model=OrderPublic, responses=PROBLEMS)
def cancel_order(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> OrderPublic:
    """For the buyer: cancel an order the supplier has not confirmed yet."""
    with Session(gw.engine) as session, problems():
        return order_public(service.cancel_order(session, order_id, caller.address))


@router.post("/{order_id}/act", response_model=ActPublic, responses=PROBLEMS)
def delivery_act(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> ActPublic:
    """For either party of an invoiced order: the delivery act (generated once), and the
    transaction anchoring it; both parties then sign it by EIP-712 (gasless)."""
    with Session(gw.engine) as session, problems():
        order = service.get_order(session, order_id)
        follow(gw, session, [order])
        order, offer = service.start_act(session, order_id, caller.address)
        if order.act_sha256 is None:
            content = service.act_document(
                order,
                offer,
                datetime.now(UTC).date().isoformat(),
                str(cooperative_context(gw)["cooperative_name"]),
            )
            row = store_document(
                gw,
                content,
                media_type="text/html; charset=utf-8",
                filename=f"act-{order.id}.html",
                template="exchange_delivery_act",
                stored_by=caller.address,
            )
            order = service.set_act(session, order, row.sha256)
        assert order.act_sha256 is not None
        digest = bytes.fromhex(order.act_sha256)
        anchored_by = gw.coop.documents.functions.documentOf(digest).call()[0]
        anchor = None
        if int(anchored_by, 16) == 0:
            fn = gw.coop.documents.functions.anchor(digest, int(DocumentType.CONTRACT), b"\0" * 32)
            anchor = unsigned_tx(
                gw, fn, caller.address, "Закрепить акт приёма-передачи / Anchor the delivery act"
            )
        return ActPublic(
            order=order_public(order),
            act_sha256=order.act_sha256,
            anchor=anchor,
            sign_at=f"/documents/{order.act_sha256}/signatures/typed-data",
        )


@router.post(
    "/{order_id}/payment/tx",
    response_model=TransactionToSign,
    responses=PROBLEMS,
)
def payment_tx(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> TransactionToSign:
    """For the buyer: pay the accepted invoice in ВРЕ now (`payObligation` of what is
    outstanding). Otherwise it stays open for the next clearing."""
    with Session(gw.engine) as session, problems():
        order = service.get_order(session, order_id)
        if caller.address != order.buyer:
            raise Problem(403, "Платит покупатель / Only the buyer pays")
        follow(gw, session, [order])
        if order.obligation_id is None:
            raise Problem(409, "Счёт ещё не выставлен / No invoice yet")
        info = gw.units.obligation(order.obligation_id)
        if info.status != ObligationStatus.ACCEPTED or info.outstanding == 0:
            raise Problem(
                409,
                f"Счёт {order.obligation_id} в состоянии {info.status.name}: платить можно "
                f"принятый счёт / Invoice {order.obligation_id} is {info.status.name}: accept it "
                "first (POST /units/invoices/{id}/acceptance/typed-data)",
            )
        fn = gw.units.contract.functions.payObligation(order.obligation_id, info.outstanding)
        return unsigned_tx(
            gw, fn, caller.address, f"Оплата заказа № {order.id} в ВРЕ / Pay order {order.id}"
        )


@router.post(
    "/{order_id}/dispute",
    response_model=DisputePublic,
    responses=PROBLEMS,
)
def dispute_order(
    gw: GatewayDep, caller: WriterDep, order_id: OrderId, body: DisputeCreate
) -> DisputePublic:
    """For either party: dispute the order; the statement is stored for the council's agenda."""
    with Session(gw.engine) as session, problems():
        order = service.check_disputable(session, order_id, caller.address)
        content = service.dispute_document(order, caller.address, body.reason)
        row = store_document(
            gw,
            content,
            media_type="application/json",
            filename=f"dispute-{order.id}.json",
            template="exchange_dispute",
            stored_by=caller.address,
        )
        order = service.dispute_order(session, order_id, caller.address, row.sha256)
        return DisputePublic(order=order_public(order), document_hash="0x" + row.sha256)
