"""Trade between the member cooperatives of a union: who is in the served cooperative's union,
and the council decisions that put a cross-cooperative invoice on the union's ВРЕ.

A cooperative is a member of its union through its treasury (`Treasury.joinUnion` records the
union's register, `Treasury.joinedUnion()` reads it back). Membership in the union is read from
the mirror (the union's active members) and the chain (which charter a member treasury
belongs to), cached for the gateway's `roles_ttl`. The obligation between two cooperatives is
issued, accepted, paid or cancelled by a treasury, and only by its decision executor: the
gateway answers the council proposal (`{document_hash, actions}` for `POST /council/items/tx`)
with the decision document stored, never a transaction of its own.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from web3.exceptions import BadFunctionCallOutput, ContractCustomError, ContractLogicError

from indexer.queries import members
from node.api import mirror
from node.api.documents import store_document
from node.api.gateway import ZERO, Gateway
from node.api.problems import Problem, reverted_problem
from node.chain.client import checksum
from node.exchange.models import Order


@dataclass(frozen=True)
class UnionView:
    """The served cooperative's union as the chain and the mirror show it now."""

    charter: str
    """The union's charter."""
    units: str
    """The union's ВРЕ (SettlementUnits)."""
    treasuries: dict[str, str]
    """Charter -> treasury of each active member cooperative (the served one included)."""


class ProposalAction(BaseModel):
    type: str = "call"
    target: str
    data: str


class CouncilProposal(BaseModel):
    """The body of `POST /council/items/tx` for a council member of the named cooperative."""

    cooperative: str
    """The charter of the cooperative whose council decides."""
    document_hash: str
    """The decision document (`GET /documents/{sha256}` without `0x`)."""
    actions: list[ProposalAction]
    description: str


_lock = threading.Lock()
_cache: dict[tuple[int, str], tuple[float, Any]] = {}


def _cached(gw: Gateway, key: str, compute: Any) -> Any:
    now = time.monotonic()
    slot = (id(gw), key)
    with _lock:
        hit = _cache.get(slot)
    if hit is not None and now - hit[0] < max(gw.settings.roles_ttl, 1.0):
        return hit[1]
    value = compute()
    with _lock:
        _cache[slot] = (now, value)
    return value


def treasury_of(gw: Gateway, charter: str) -> str:
    """The treasury of the cooperative whose charter is `charter` (it never changes)."""
    return str(
        _cached(
            gw,
            f"treasury {charter}",
            lambda: checksum(gw.chain.contract("Charter", charter).functions.treasury().call()),
        )
    )


def _charter_of_treasury(gw: Gateway, treasury: str) -> str:
    def read() -> str:
        return checksum(gw.chain.contract("Treasury", treasury).functions.charter().call())

    return str(_cached(gw, f"charter of {treasury}", read))


def union_of(gw: Gateway) -> UnionView | None:
    """The union the served cooperative is an active member of (None: none)."""

    def read() -> UnionView | None:
        treasury = gw.coop.addresses.treasury
        try:
            register = checksum(gw.coop.treasury.functions.joinedUnion().call())
        except (ContractCustomError, ContractLogicError, BadFunctionCallOutput):
            return None  # a treasury deployed before union trade: in no union it can trade in
        if register == ZERO:
            return None
        membership = gw.chain.contract("Membership", register)
        if not membership.functions.isActiveMember(treasury).call():
            return None
        charter = checksum(membership.functions.charter().call())
        units = checksum(gw.chain.contract("Charter", charter).functions.settlementUnits().call())
        try:
            page = mirror.read(
                gw, "exchange-union-members", members.list_members, charter, "member", 0, 1000
            )
        except Problem:
            return None
        treasuries = {gw.coop.addresses.charter: treasury}
        for member in page.data:
            address = checksum(member.account)
            if gw.chain.has_code(address):
                try:
                    treasuries[_charter_of_treasury(gw, address)] = address
                except Exception:  # an organisation member that is not a cooperative's treasury
                    continue
        return UnionView(charter=charter, units=units, treasuries=treasuries)

    view: UnionView | None = _cached(gw, "union", read)
    return view


def visible_cooperatives(gw: Gateway, scope: str) -> list[str]:
    """The charters whose offers a member of the served cooperative sees."""
    own = gw.coop.addresses.charter
    if scope != "union":
        return [own]
    view = union_of(gw)
    if view is None:
        return [own]
    return sorted(view.treasuries)


def require_cross(gw: Gateway, order: Order) -> UnionView:
    """The union of a cross-cooperative order, checked against the chain now."""
    view = union_of(gw)
    if view is None or order.union_charter != view.charter:
        raise Problem(
            409,
            "Кооператив не состоит в союзе этого заказа / The cooperative is not a member of "
            "this order's union",
        )
    for charter in (order.cooperative, order.buyer_cooperative):
        if charter not in view.treasuries:
            raise Problem(
                409,
                f"Кооператив {charter} вышел из союза / Cooperative {charter} left the union",
            )
    return view


def _decision(
    gw: Gateway,
    order: Order,
    caller: str,
    kind: str,
    text_ru: str,
    text_en: str,
    actions: list[ProposalAction],
) -> CouncilProposal:
    """Store the decision document and answer the proposal for the served council."""
    body = {
        "type": f"coopnode.exchange.union_{kind}",
        "version": 1,
        "cooperative": gw.coop.addresses.charter,
        "order_id": order.id,
        "order_document": order.document_sha256,
        "obligation_id": order.obligation_id,
        "union": order.union_charter,
        "total": order.total,
        "decision_ru": text_ru,
        "decision_en": text_en,
        "actions": [a.model_dump() for a in actions],
    }
    content = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    row = store_document(
        gw,
        content.encode(),
        media_type="application/json",
        filename=f"order-{order.id}-union-{kind}.json",
        template="exchange_union_decision",
        stored_by=caller,
    )
    return CouncilProposal(
        cooperative=gw.coop.addresses.charter,
        document_hash="0x" + row.sha256,
        actions=actions,
        description=f"{text_ru} / {text_en}",
    )


def _action(gw: Gateway, name: str, *args: Any) -> ProposalAction:
    """A call of the served treasury, simulated as the decision executor: a refusal now is a
    422 before the council votes."""
    treasury = gw.coop.treasury
    executor = checksum(gw.coop.charter.functions.decisionExecutor().call())
    try:
        getattr(treasury.functions, name)(*args).call({"from": executor})
    except (ContractCustomError, ContractLogicError) as exc:
        raise reverted_problem(gw.chain.decode_revert(exc)) from exc
    return ProposalAction(target=treasury.address, data=treasury.encode_abi(name, args=list(args)))


def invoice_proposal(gw: Gateway, order: Order, caller: str) -> CouncilProposal:
    """The supplier's cooperative invoices the buyer's in the union's ВРЕ (its council)."""
    view = require_cross(gw, order)
    assert order.document_sha256 is not None and order.buyer_cooperative is not None
    action = _action(
        gw,
        "issueUnionObligation",
        view.units,
        view.treasuries[order.buyer_cooperative],
        int(order.total),
        0,
        bytes.fromhex(order.document_sha256),
    )
    return _decision(
        gw,
        order,
        caller,
        "invoice",
        f"Выставить кооперативу {order.buyer_cooperative} счёт в ВРЕ союза по заказу № {order.id}",
        f"Invoice cooperative {order.buyer_cooperative} in the union's ВРЕ for order {order.id}",
        [action],
    )


def acceptance_proposal(gw: Gateway, order: Order, caller: str) -> CouncilProposal:
    """The buyer's cooperative accepts the invoice as its debt (its council)."""
    view = require_cross(gw, order)
    if order.obligation_id is None:
        raise Problem(409, "Счёт ещё не выставлен / No invoice yet")
    action = _action(gw, "acceptUnionObligation", view.units, order.obligation_id)
    return _decision(
        gw,
        order,
        caller,
        "acceptance",
        f"Принять счёт № {order.obligation_id} по заказу № {order.id}: поставка получена",
        f"Accept invoice {order.obligation_id} for order {order.id}: the delivery is received",
        [action],
    )


def payment_proposal(gw: Gateway, order: Order, caller: str, outstanding: int) -> CouncilProposal:
    """The buyer's cooperative pays what is outstanding in the union's ВРЕ (its council)."""
    view = require_cross(gw, order)
    assert order.obligation_id is not None
    action = _action(gw, "payUnionObligation", view.units, order.obligation_id, outstanding)
    return _decision(
        gw,
        order,
        caller,
        "payment",
        f"Оплатить счёт № {order.obligation_id} по заказу № {order.id} в ВРЕ союза",
        f"Pay invoice {order.obligation_id} for order {order.id} in the union's ВРЕ",
        [action],
    )


def cancellation_action(gw: Gateway, order: Order) -> ProposalAction:
    """For the supplier's council resolving a dispute for the buyer: cancel the union invoice."""
    view = require_cross(gw, order)
    assert order.obligation_id is not None
    return _action(gw, "cancelUnionObligation", view.units, order.obligation_id)
