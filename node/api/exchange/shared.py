"""What the exchange's two routers share: public models, the members-only check, and the
orders' chain facts read through the mirror (`facts_of`, `follow`)."""

from __future__ import annotations

import dataclasses
import json

from pydantic import BaseModel
from sqlmodel import Session

from indexer.queries import bank, documents, governance, units
from node.api import mirror
from node.api.deps import Caller
from node.api.exchange.union import treasury_of
from node.api.gateway import Gateway
from node.api.problems import Problem
from node.chain.client import checksum
from node.exchange.models import Offer, Order
from node.exchange.service import FOLLOWED, BankPayment, Facts, apply_facts, outcome_of
from node.governance.branches import Branches


def require_member(caller: Caller) -> None:
    if not caller.has("member"):
        raise Problem(
            403,
            "Биржа открыта только пайщикам кооператива / Only members of the cooperative may "
            "trade on the exchange",
        )


class OfferPublic(BaseModel):
    id: int
    cooperative: str
    supplier: str
    title: str
    description: str
    category: str
    unit: str
    price: str
    """Price of one unit in ВРЕ base units (10^18 per ВРЕ)."""
    token_price: str | None
    quantity: int
    region: str
    attachments: list[str]
    """SHA-256 of photos and attachments: `GET /documents/{sha256}`."""
    status: str
    program_id: int | None = None
    """A target program's exchange scope: only its members see and order the offer."""
    created_at: int
    updated_at: int


class OrderPublic(BaseModel):
    id: int
    offer_id: int
    cooperative: str
    supplier: str
    buyer: str
    quantity: int
    unit_price: str
    total: str
    status: str
    """requested -> confirmed -> invoiced -> delivered -> completed; or declined, cancelled,
    disputed."""
    note: str
    document_sha256: str | None
    """The order document; `0x` + this is the invoice's documentHash."""
    obligation_id: int | None
    invoice_status: str | None
    """The invoice on chain: issued -> accepted -> settled (paid or cleared); or cancelled,
    rejected."""
    act_sha256: str | None
    act_signed: bool
    dispute_sha256: str | None
    dispute_outcome: str | None
    """buyer | supplier: the council's executed decision on the dispute."""
    settlement: str | None
    """settled (the ВРЕ invoice, paid or cleared) | token (a verified payment-token transfer)."""
    currency: str
    """units (a ВРЕ invoice) | token (the cooperative's payment token)."""
    token_total: str | None
    """For a token order: the amount in the token's base units."""
    token_payment_tx: str | None
    buyer_cooperative: str | None
    """Set when the buyer belongs to another cooperative of the same union (the invoice is
    then between the two cooperatives' treasuries in the union's ВРЕ)."""
    union_charter: str | None
    receiver: str | None = None
    """The trustee of the buyer's branch who receives the goods for it (None: the buyer)."""
    created_at: int
    updated_at: int


def offer_public(row: Offer) -> OfferPublic:
    data = row.model_dump(exclude={"search_text", "price_value", "attachments"})
    return OfferPublic(**data, attachments=json.loads(row.attachments))


def order_public(row: Order) -> OrderPublic:
    return OrderPublic(**row.model_dump())


def _dispute_outcome(gw: Gateway, order: Order) -> str | None:
    """The outcome the supplier's cooperative's council decided: its executed item whose
    document is the dispute statement, with the resolution document as the signed protocol."""
    if order.status != "disputed" or order.dispute_sha256 is None:
        return None
    try:
        page = mirror.read(
            gw,
            "exchange-council-items",
            governance.council_items,
            order.cooperative,
            None,
            0,
            10_000,
        )
    except Problem:
        return None
    wanted = "0x" + order.dispute_sha256
    for item in page.data:
        if item.document_hash.lower() == wanted and item.state_name == "executed":
            outcome = outcome_of(order, item.protocol_hash)
            if outcome is not None:
                return outcome
    return None


def bank_settlements_of(gw: Gateway) -> str | None:
    """The served cooperative's BankSettlements: the deployment record's `bank_settlements`,
    else the one `coop bank` remembered in this database for this charter."""
    address = gw.module_address("bank_settlements")
    if address is not None:
        return address
    from node.bank.store import remembered_settlements

    return remembered_settlements(gw.engine, gw.coop.addresses.charter)


def _bank_payments(gw: Gateway, order: Order) -> tuple[BankPayment, ...]:
    """Ruble payments the cashier attested for a token order (BankSettlements, from the
    mirror; none when the cooperative has no BankSettlements or the mirror is not ready)."""
    if order.currency != "token" or order.status != "confirmed" or order.id is None:
        return ()
    if order.cooperative != gw.coop.addresses.charter:
        return ()
    settlements = bank_settlements_of(gw)
    if settlements is None:
        return ()
    try:
        found = mirror.read(gw, "exchange-bank-payments", bank.exchange_payments, settlements)
    except Problem:
        return ()
    return tuple(
        BankPayment(
            line=str(f.args["line"]).lower(),
            payer=checksum(str(f.args["payer"])),
            amount=int(f.args["amount"]),
        )
        for f in found.by_order.get(order.id, [])
    )


def facts_of(gw: Gateway, order: Order) -> Facts | None:
    """The chain facts about `order` from the mirror (None: the mirror is not ready), with the
    ruble payments recorded for it."""
    facts = _facts_of(gw, order)
    paid = _bank_payments(gw, order)
    if facts is None or not paid:
        return facts
    return dataclasses.replace(facts, bank_payments=paid)


def _facts_of(gw: Gateway, order: Order) -> Facts | None:
    """The chain facts about `order` from the mirror (None: the mirror is not ready).

    Inside one cooperative the invoice is an obligation of the buyer to the supplier in the
    cooperative's ВРЕ; between cooperatives, of the buyer's cooperative's treasury to the
    supplier's in the union's ВРЕ. Either way it carries the order document's hash."""
    outcome = _dispute_outcome(gw, order)
    if order.document_sha256 is None:
        return Facts(dispute_outcome=outcome)
    charter = order.cooperative
    where, debtor, creditor = charter, order.buyer, order.supplier
    if order.buyer_cooperative is not None and order.union_charter is not None:
        where = order.union_charter
        debtor = treasury_of(gw, order.buyer_cooperative)
        creditor = treasury_of(gw, order.cooperative)
    try:
        page = mirror.read(
            gw,
            "exchange-obligations",
            units.list_obligations,
            where,
            debtor,
            creditor,
            None,
            0,
            10_000,
        )
    except Problem:
        return None
    wanted = "0x" + order.document_sha256
    found = [o for o in page.data if o.document_hash.lower() == wanted]
    live = [o for o in found if o.status_name not in ("cancelled", "rejected")]
    candidates = live or found
    chosen = candidates[-1] if candidates else None
    signers: frozenset[str] = frozenset()
    if order.act_sha256 is not None:
        try:
            doc = mirror.read(
                gw, "exchange-document", documents.document, "0x" + order.act_sha256, charter
            )
        except Problem:
            doc = None
        if doc is not None:
            signers = frozenset(checksum(s.signer) for s in doc.signatures)
    if chosen is None:
        return Facts(act_signers=signers, dispute_outcome=outcome)
    return Facts(
        obligation_id=chosen.obligation_id,
        obligation_status=chosen.status_name,
        act_signers=signers,
        dispute_outcome=outcome,
    )


def follow(gw: Gateway, session: Session, orders: list[Order]) -> None:
    """Advance followed orders to what the chain shows."""
    for order in orders:
        if order.status in FOLLOWED:
            facts = facts_of(gw, order)
            if facts is not None:
                apply_facts(session, order, facts)


def branch_receiver(gw: Gateway, buyer: str) -> str:
    """The trustee of `buyer`'s cooperative branch, who receives goods for the branch (read on
    chain); 422 when the cooperative has no branches, the buyer none, or the branch no trustee."""
    address = gw.module_address("branches")
    if address is None:
        raise Problem(
            422,
            "У кооператива нет кооперативных участков / The cooperative has no branches",
        )
    branches = Branches(gw.chain, address)
    branch_id = branches.branch_of(buyer)
    if branch_id == 0:
        raise Problem(422, "Вы не относитесь ни к одному участку / You belong to no branch")
    trustee = branches.branch(branch_id).trustee
    if trustee is None:
        raise Problem(
            422,
            f"У участка №{branch_id} нет уполномоченного / Branch {branch_id} has no trustee",
        )
    return trustee
