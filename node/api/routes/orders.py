"""The exchange's orders: order, confirm (the invoice goes on chain), the delivery act signed
by both, payment in ВРЕ or clearing, disputes to the council; members' reputation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from hexbytes import HexBytes
from pydantic import BaseModel, Field
from sqlmodel import Session
from web3.exceptions import TransactionNotFound

from node.api import mirror
from node.api.deps import Caller, CallerDep, GatewayDep, WriterDep
from node.api.documents import cooperative_context, generate_pdf, store_document
from node.api.exchange import union
from node.api.exchange.shared import (
    OrderPublic,
    branch_receiver,
    follow,
    order_public,
    require_member,
)
from node.api.exchange.union import CouncilProposal, union_of
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.routes.programs import member_programs_of
from node.api.schemas import ADDRESS_PATTERN, Hash32, TransactionToSign
from node.api.txbuild import unsigned_tx
from node.chain.client import checksum
from node.cooperative.client import DocumentType, events
from node.documents.facts import cooperative, delivery_order, header
from node.exchange import service
from node.exchange.models import Order
from node.units.client import ObligationStatus, SettlementUnitsClient

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
    currency: Literal["units", "token"] = "units"
    """units: a ВРЕ invoice; token: pay the offer's `token_price` in the cooperative's payment
    token by an ERC-20 transfer (`POST /orders/{id}/payment/tx`, then `POST .../payment`)."""
    receive_at_branch: bool = False
    """Deliver to your cooperative branch: its trustee receives the goods for you (the order
    names them as receiver)."""


class OrderList(BaseModel):
    data: list[OrderPublic]
    count: int


class ConfirmationPublic(BaseModel):
    order: OrderPublic
    invoice: TransactionToSign | None
    """`issueObligation(buyer, total, 0, sha256(order document))` for the supplier's wallet:
    sign it and send it to `POST /relay/transactions`. None for a token order (the buyer pays
    by transfer) and for a cross-cooperative order (the council invoices: `proposal`)."""
    proposal: CouncilProposal | None = None
    """For an order from another cooperative of the union: the council decision that invoices
    the buyer's cooperative in the union's ВРЕ (`Treasury.issueUnionObligation`); a council
    member sends it to `POST /council/items/tx`."""


class TokenPaymentCreate(BaseModel):
    tx_hash: Hash32
    """The mined ERC-20 transfer of the order's `token_total` from the buyer to the supplier."""


class ResolutionCreate(BaseModel):
    outcome: Literal["buyer", "supplier"]
    """buyer: the order is cancelled (and the invoice cancelled); supplier: the delivery
    stands (the order goes back to delivered, completed once paid)."""


class ResolutionPublic(BaseModel):
    order: OrderPublic
    proposal: CouncilProposal
    """The council item: its document is the dispute statement; a council member sends it to
    `POST /council/items/tx`."""
    protocol_hash: str
    """The resolution document: the chair signs it as the item's protocol
    (`POST /council/items/{id}/protocol/tx`); once executed, the order follows the outcome."""


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


def _token_transfer_tx(gw: Gateway, order: Order) -> TransactionToSign:
    if order.status != "confirmed" or order.token_payment_tx is not None:
        raise Problem(
            409,
            f"Оплатить можно подтверждённый и не оплаченный заказ; заказ {order.id} в состоянии "
            f"{order.status} / Only a confirmed unpaid order can be paid",
        )
    assert order.token_total is not None
    fn = gw.coop.token.functions.transfer(checksum(order.supplier), int(order.token_total))
    return unsigned_tx(
        gw,
        fn,
        order.buyer,
        f"Оплата заказа № {order.id} платёжным токеном / Pay order {order.id} in the payment token",
    )


def _verify_token_payment(gw: Gateway, order: Order, tx_hash: str) -> None:
    """The transfer is mined, final for the mirror, and moved exactly the order's token total
    of the cooperative's payment token from the buyer to the supplier."""
    w3 = gw.chain.w3
    try:
        receipt = w3.eth.get_transaction_receipt(HexBytes(tx_hash))
    except TransactionNotFound as exc:
        raise Problem(
            409, f"Транзакция {tx_hash} ещё не в блоке / Transaction {tx_hash} is not mined yet"
        ) from exc
    if int(receipt["status"]) != 1:
        raise Problem(422, f"Транзакция {tx_hash} отменена / Transaction {tx_hash} reverted")
    head = mirror.current_block(gw)
    if head is None or int(receipt["blockNumber"]) > head:
        raise Problem(
            409,
            f"Транзакция {tx_hash} ещё не подтверждена (зеркало на блоке {head}) / Transaction "
            f"{tx_hash} is not confirmed yet (the mirror is at block {head})",
        )
    token = gw.coop.token
    expected = (checksum(order.buyer), checksum(order.supplier), int(order.token_total or 0))
    transfers = [
        (checksum(e["args"]["from"]), checksum(e["args"]["to"]), int(e["args"]["value"]))
        for e in events(token, "Transfer", receipt)
    ]
    if expected not in transfers:
        raise Problem(
            422,
            f"В транзакции {tx_hash} нет перевода {expected[2]} токена {token.address} от "
            f"покупателя поставщику / Transaction {tx_hash} does not transfer {expected[2]} of "
            f"the payment token {token.address} from the buyer to the supplier",
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
    """For a member: order a quantity of an offer (reserved until declined or cancelled). An
    offer of another cooperative of the union is ordered through the two cooperatives: the
    invoice goes between their treasuries in the union's ВРЕ."""
    require_member(caller)
    own = gw.coop.addresses.charter
    with Session(gw.engine) as session:
        offer = service.get_offer(session, body.offer_id)
        buyer_cooperative = union_charter = None
        if offer.cooperative != own:
            view = union_of(gw)
            if view is None or offer.cooperative not in view.treasuries:
                raise Problem(
                    403,
                    "Предложение кооператива вне вашего союза / The offer belongs to a "
                    "cooperative outside your union",
                )
            buyer_cooperative, union_charter = own, view.charter
        order = service.place_order(
            session,
            offer_id=body.offer_id,
            buyer=caller.address,
            quantity=body.quantity,
            note=body.note,
            currency=body.currency,
            buyer_cooperative=buyer_cooperative,
            union_charter=union_charter,
            receiver=branch_receiver(gw, caller.address) if body.receive_at_branch else None,
            buyer_programs=member_programs_of(gw, caller.address, offer.program_id),
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
        own = gw.coop.addresses.charter
        rows, _ = service.list_orders(
            session, party=who, role=role, status=None, limit=10_000, cooperative=own
        )
        follow(gw, session, [r for r in rows if r.status in service.FOLLOWED])
        rows, count = service.list_orders(
            session,
            party=who,
            role=role,
            status=status,
            offset=offset,
            limit=limit,
            cooperative=own,
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
    with Session(gw.engine) as session:
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
    with Session(gw.engine) as session:
        order, offer = service.check_confirmable(session, order_id, caller.address)
        if order.cooperative != gw.coop.addresses.charter:
            raise Problem(
                409,
                "Подтверждайте заказ через шлюз своего кооператива / Confirm the order at "
                "your cooperative's gateway",
            )
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
        # Simulated first: a refusal changes nothing.
        tx = proposal = None
        if order.buyer_cooperative is not None:
            proposal = union.invoice_proposal(gw, order, caller.address)
        elif order.currency == "units":
            tx = _invoice_tx(gw, order)
        session.expire(order)
        order = service.confirm_order(session, order_id, caller.address, row.sha256)
        return ConfirmationPublic(order=order_public(order), invoice=tx, proposal=proposal)


@router.post(
    "/{order_id}/invoice/tx",
    response_model=TransactionToSign,
    responses=PROBLEMS,
)
def invoice_tx(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> TransactionToSign:
    """For the supplier of a confirmed order: the invoice transaction again (fresh nonce)."""
    with Session(gw.engine) as session:
        order = service.get_order(session, order_id)
        if caller.address != order.supplier:
            raise Problem(403, "Только поставщик / Only the supplier")
        if order.status != "confirmed":
            raise Problem(409, f"Заказ в состоянии {order.status} / The order is {order.status}")
        if order.buyer_cooperative is not None or order.currency != "units":
            raise Problem(
                409,
                "Счёт этого заказа выставляет совет (POST /orders/{id}/union/invoice) или он "
                "оплачивается токеном / This order is invoiced by the council or paid in tokens",
            )
        return _invoice_tx(gw, order)


@router.post("/{order_id}/decline", response_model=OrderPublic, responses=PROBLEMS)
def decline_order(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> OrderPublic:
    """For the supplier: decline a requested order (its quantity returns to the offer)."""
    with Session(gw.engine) as session:
        return order_public(service.decline_order(session, order_id, caller.address))


@router.post("/{order_id}/cancel", response_model=OrderPublic, responses=PROBLEMS)
def cancel_order(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> OrderPublic:
    """For the buyer: cancel an order the supplier has not confirmed yet."""
    with Session(gw.engine) as session:
        return order_public(service.cancel_order(session, order_id, caller.address))


@router.post("/{order_id}/act", response_model=ActPublic, responses=PROBLEMS)
def delivery_act(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> ActPublic:
    """For either party of an invoiced order: the delivery act (generated once), and the
    transaction anchoring it; both parties then sign it by EIP-712 (gasless)."""
    with Session(gw.engine) as session:
        order = service.get_order(session, order_id)
        follow(gw, session, [order])
        order, offer = service.start_act(session, order_id, caller.address)
        if order.act_sha256 is None:
            charter = gw.coop.addresses.charter
            name = str(cooperative_context(gw)["cooperative_name"])
            facts = {
                **header(
                    cooperative(name, charter, gw.chain_id),
                    datetime.now(UTC).date().isoformat(),
                    mirror.current_block(gw),
                ),
                "chair": checksum(gw.coop.charter.functions.chair().call()),
                **delivery_order(order, offer),
            }
            row = generate_pdf(
                gw,
                "delivery_act",
                facts,
                stored_by=caller.address,
                filename=f"act-{order.id}.pdf",
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
    with Session(gw.engine) as session:
        order = service.get_order(session, order_id)
        if caller.address != order.buyer:
            raise Problem(403, "Платит покупатель / Only the buyer pays")
        if order.currency == "token":
            return _token_transfer_tx(gw, order)
        if order.buyer_cooperative is not None:
            raise Problem(
                409,
                "Заказ между кооперативами оплачивает совет кооператива: POST /orders/{id}/"
                "union/payment / A cross-cooperative order is paid by the council",
            )
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
    with Session(gw.engine) as session:
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


@router.post("/{order_id}/payment", response_model=OrderPublic, responses=PROBLEMS)
def record_payment(
    gw: GatewayDep, caller: WriterDep, order_id: OrderId, body: TokenPaymentCreate
) -> OrderPublic:
    """For the buyer of a token order: record the mined ERC-20 transfer that paid it. The
    gateway checks it on chain (mined, final for the mirror, the cooperative's payment token,
    from the buyer to the supplier, the exact total, not used for another order)."""
    with Session(gw.engine) as session:
        order = service.get_order(session, order_id)
        if caller.address != order.buyer:
            raise Problem(403, "Платит покупатель / Only the buyer pays")
        if order.currency != "token":
            raise Problem(
                409, f"Заказ {order_id} оплачивается в ВРЕ / Order {order_id} is paid in ВРЕ"
            )
        if order.status != "confirmed" or order.token_payment_tx is not None:
            raise Problem(
                409,
                f"Заказ {order_id} в состоянии {order.status}: оплачивается подтверждённый "
                f"заказ / Order {order_id} is {order.status}: pay a confirmed order",
            )
        tx_hash = body.tx_hash.lower()
        _verify_token_payment(gw, order, tx_hash)
        return order_public(
            service.record_token_payment(session, order_id, caller.address, tx_hash)
        )


def _cross_party(gw: Gateway, caller: Caller, order: Order, side: str) -> None:
    """`side` (supplier | buyer) cooperative's gateway, called by that party or its council."""
    charter = order.cooperative if side == "supplier" else order.buyer_cooperative
    party = order.supplier if side == "supplier" else order.buyer
    if order.buyer_cooperative is None:
        raise Problem(
            409,
            f"Заказ {order.id} внутри кооператива / Order {order.id} is within one cooperative",
        )
    if charter != gw.coop.addresses.charter:
        raise Problem(
            409,
            "Это решает совет другого кооператива: его шлюз / Another cooperative's council "
            "decides this: use its gateway",
        )
    if caller.address != party and not caller.has("council", "chair"):
        raise Problem(
            403,
            "Решение готовят сторона заказа или совет / Only the party or the council prepares "
            "this decision",
        )


@router.post("/{order_id}/union/invoice", response_model=CouncilProposal, responses=PROBLEMS)
def union_invoice(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> CouncilProposal:
    """For the supplier or the council of the supplier's cooperative: the council decision
    that invoices the buyer's cooperative in the union's ВРЕ (again, while confirmed)."""
    with Session(gw.engine) as session:
        order = service.get_order(session, order_id)
        _cross_party(gw, caller, order, "supplier")
        if order.status != "confirmed":
            raise Problem(409, f"Заказ в состоянии {order.status} / The order is {order.status}")
        return union.invoice_proposal(gw, order, caller.address)


@router.post("/{order_id}/union/acceptance", response_model=CouncilProposal, responses=PROBLEMS)
def union_acceptance(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> CouncilProposal:
    """For the buyer or the council of the buyer's cooperative, once the goods are received:
    the council decision accepting the union invoice as the cooperative's debt
    (`Treasury.acceptUnionObligation`); the order then counts as delivered."""
    with Session(gw.engine) as session:
        order = service.get_order(session, order_id)
        _cross_party(gw, caller, order, "buyer")
        follow(gw, session, [order])
        if order.status != "invoiced" or order.invoice_status != "issued":
            raise Problem(
                409,
                f"Принять можно выставленный счёт; заказ {order_id} в состоянии {order.status}"
                f" / Only an issued invoice can be accepted; order {order_id} is {order.status}",
            )
        return union.acceptance_proposal(gw, order, caller.address)


@router.post("/{order_id}/union/payment", response_model=CouncilProposal, responses=PROBLEMS)
def union_payment(gw: GatewayDep, caller: WriterDep, order_id: OrderId) -> CouncilProposal:
    """For the buyer or the council of the buyer's cooperative: the council decision paying
    what is outstanding in the union's ВРЕ (`Treasury.payUnionObligation`). Otherwise the
    accepted invoice waits for the union's clearing."""
    with Session(gw.engine) as session:
        order = service.get_order(session, order_id)
        _cross_party(gw, caller, order, "buyer")
        follow(gw, session, [order])
        view = union.require_cross(gw, order)
        if order.obligation_id is None:
            raise Problem(409, "Счёт ещё не выставлен / No invoice yet")
        info = SettlementUnitsClient(gw.chain, view.units).obligation(order.obligation_id)
        if info.status != ObligationStatus.ACCEPTED or info.outstanding == 0:
            raise Problem(
                409,
                f"Счёт {order.obligation_id} в состоянии {info.status.name}: платить можно "
                f"принятый счёт / Invoice {order.obligation_id} is {info.status.name}: accept it "
                "first",
            )
        return union.payment_proposal(gw, order, caller.address, info.outstanding)


@router.post("/{order_id}/dispute/resolution", response_model=ResolutionPublic, responses=PROBLEMS)
def dispute_resolution(
    gw: GatewayDep, caller: WriterDep, order_id: OrderId, body: ResolutionCreate
) -> ResolutionPublic:
    """For a council member of the supplier's cooperative: the decision on a dispute. The item
    carries the dispute statement; the chair signs the returned resolution document as its
    protocol; once the item is executed the order follows: for the buyer, cancelled (with the
    union invoice cancelled by the same decision; a member's invoice is the supplier's to
    cancel); for the supplier, delivered (completed once paid)."""
    if not caller.has("council", "chair"):
        raise Problem(403, "Споры решает совет / The council decides disputes")
    with Session(gw.engine) as session:
        order = service.get_order(session, order_id)
        if order.cooperative != gw.coop.addresses.charter:
            raise Problem(
                409,
                "Спор решает совет кооператива поставщика / The supplier's cooperative's "
                "council decides the dispute",
            )
        if order.status != "disputed" or order.dispute_sha256 is None:
            raise Problem(409, f"Заказ {order_id} не оспорен / Order {order_id} is not disputed")
        content = service.resolution_document(order, body.outcome)
        row = store_document(
            gw,
            content,
            media_type="application/json",
            filename=f"dispute-{order.id}-resolution.json",
            template="exchange_dispute_resolution",
            stored_by=caller.address,
        )
        actions = []
        if (
            body.outcome == "buyer"
            and order.buyer_cooperative is not None
            and order.obligation_id is not None
            and order.invoice_status in ("issued", "accepted")
        ):
            actions.append(union.cancellation_action(gw, order))
        ru = "в пользу покупателя" if body.outcome == "buyer" else "в пользу поставщика"
        proposal = union.CouncilProposal(
            cooperative=gw.coop.addresses.charter,
            document_hash="0x" + order.dispute_sha256,
            actions=actions,
            description=f"Спор по заказу № {order.id}: {ru} / Dispute over order {order.id}: "
            f"for the {body.outcome}",
        )
        return ResolutionPublic(
            order=order_public(order), proposal=proposal, protocol_hash="0x" + row.sha256
        )
