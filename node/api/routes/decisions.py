"""Typed council decisions (`node/api/decisions.py`) and the protocol drafts of council items:
what the officers' forms in the portal call instead of raw call data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from node.api.amounts import amounts_as_strings
from node.api.decisions import (
    ActionPublic,
    AmountUnit,
    DecisionCreate,
    Drafted,
    SummaryLine,
    amount_units,
    describe,
    encode,
    plan,
    require_council,
)
from node.api.deps import CallerDep, GatewayDep, WriterDep
from node.api.problems import Problem, problem_responses
from node.api.routes.council import _council
from node.api.routes.documents import GenerateCreate, generate_document
from node.api.schemas import UnsignedTransaction
from node.api.txbuild import unsigned_tx

router = APIRouter(prefix="/council", tags=["council"])

COUNCIL_DECISION = 2
"""`IDocumentRegistry.DocumentType.CouncilDecision`."""

ItemId = Annotated[int, Path(ge=0, lt=2**64)]


class StepTx(BaseModel):
    transaction: UnsignedTransaction
    description: str


class DraftPublic(Drafted):
    before: list[StepTx] = Field(default_factory=list)
    """Transactions the wallet sends first (e.g. anchoring the decision document a payout
    needs), each shown as a stage."""
    transaction: UnsignedTransaction
    description: str


class ProtocolDraftPublic(BaseModel):
    before: list[StepTx] = Field(default_factory=list)
    """The chair's signature of the decision document when it is anchored and not yet signed
    by them (a payout moves money only on a decision the chair signed)."""
    document: str
    document_url: str
    lines: list[SummaryLine]
    transaction: UnsignedTransaction
    description: str


@router.get(
    "/decisions/units",
    response_model=dict[str, AmountUnit],
    responses=problem_responses(401),
)
def decision_units(gw: GatewayDep, caller: CallerDep) -> dict[str, AmountUnit]:
    """The unit of each amount field of the typed decisions (`<kind>.<field>`: symbol and
    decimals, read from the chain), so that the form takes "12,5" and sends base units; the
    decision itself (`POST /council/decisions`) still takes base units and checks them."""
    return amount_units(gw)


@router.post(
    "/decisions",
    response_model=amounts_as_strings(DraftPublic),
    responses=problem_responses(401, 403, 409, 422),
)
def draft_decision(gw: GatewayDep, caller: WriterDep, body: DecisionCreate) -> DraftPublic:
    """For a council member: a decision from typed fields. The gateway checks the fields,
    generates the decision document, encodes the actions and simulates `Council.propose` from
    the caller; the answer says who, what, how much and which document, and carries the
    transaction for the caller's wallet."""
    require_council(caller)
    council = _council(gw)
    p = plan(gw, body)
    reason = body.reason.strip()
    facts = {
        "agenda": f"{p.title_ru} / {p.title_en}",
        "decision": "; ".join(f"{label}: {value}" for label, value in p.lines)
        + (f". {reason}" if reason else ""),
        "accounts": list(p.persons),
    }
    if p.amount is not None:
        facts["amount"] = str(p.amount)
    doc = generate_document(
        gw,
        caller,
        GenerateCreate(template=p.template, fields=facts),
    )
    decision = bytes.fromhex(doc.sha256)
    actions, shown = encode(p, decision)
    fn = council.contract.functions.propose(
        decision, [a.target for a in actions], [a.data for a in actions]
    )
    tx = unsigned_tx(gw, fn, caller.address, f"{p.title_ru} / {p.title_en}")
    before: list[StepTx] = []
    if body.kind in ("payout", "named_fund_payout"):
        # The treasury pays only on a decision anchored as a council decision and signed by
        # the chair (two keys): the proposer anchors it now, the chair signs with the protocol.
        anchor = gw.coop.documents.functions.anchor(decision, COUNCIL_DECISION, b"\0" * 32)
        a = unsigned_tx(
            gw,
            anchor,
            caller.address,
            "Закрепить документ решения / Anchor the decision document",
        )
        before.append(StepTx(transaction=a.transaction, description=a.description))
    lines = [
        SummaryLine(label="Кто вносит / Proposed by", value=caller.address),
        *(SummaryLine(label=label, value=value) for label, value in p.lines),
        SummaryLine(label="Документ / Document", value=doc.sha256),
    ]
    return DraftPublic(
        kind=body.kind,
        title=f"{p.title_ru} / {p.title_en}",
        lines=lines,
        document=doc.sha256,
        document_url=doc.url,
        actions=shown,
        before=before,
        transaction=tx.transaction,
        description=tx.description,
    )


@router.post(
    "/items/{item_id}/protocol/draft",
    response_model=amounts_as_strings(ProtocolDraftPublic),
    responses=problem_responses(401, 403, 404, 409, 422),
)
def draft_council_protocol(
    gw: GatewayDep, caller: WriterDep, item_id: ItemId
) -> ProtocolDraftPublic:
    """For the chair: the protocol of a passed item generated from the chain's tally and votes
    (`council_protocol`), and the `signProtocol` transaction with its hash."""
    if not caller.has("chair"):
        raise Problem(403, "Протокол совета подписывает председатель / Only the chair signs")
    council = _council(gw)
    if not 1 <= item_id <= int(council.contract.functions.itemCount().call()):
        raise Problem(404, f"Нет вопроса {item_id} / No item {item_id}")
    doc = generate_document(
        gw, caller, GenerateCreate(template="council_protocol", item_ids=[item_id])
    )
    fn = council.contract.functions.signProtocol(item_id, bytes.fromhex(doc.sha256))
    tx = unsigned_tx(
        gw, fn, caller.address, "Подписать протокол совета / Sign the council protocol"
    )
    before: list[StepTx] = []
    decision = council.item(item_id).document_hash
    registry = gw.coop.documents.functions
    anchored = int(registry.documentOf(decision).call()[1]) != 0
    if anchored and int(registry.signedAt(decision, caller.address).call()) == 0:
        sig = unsigned_tx(
            gw,
            registry.sign(decision),
            caller.address,
            "Подписать документ решения / Sign the decision document",
        )
        before.append(StepTx(transaction=sig.transaction, description=sig.description))
    return ProtocolDraftPublic(
        before=before,
        document=doc.sha256,
        document_url=doc.url,
        lines=[
            SummaryLine(label="Вопрос № / Item no.", value=str(item_id)),
            SummaryLine(label="Подписывает / Signed by", value=caller.address),
            SummaryLine(label="Протокол / Protocol", value=doc.sha256),
        ],
        transaction=tx.transaction,
        description=tx.description,
    )


@router.get(
    "/items/{item_id}/actions",
    response_model=list[ActionPublic],
    responses=problem_responses(401, 404, 409),
)
def item_actions(gw: GatewayDep, caller: CallerDep, item_id: ItemId) -> list[ActionPublic]:
    """What a council item does when executed: each action's contract, function and arguments,
    decoded from its proposal (what a council member reads before voting or executing)."""
    council = _council(gw)
    try:
        actions = council.actions_of(item_id)
    except LookupError as exc:
        raise Problem(404, f"Нет вопроса {item_id} / No item {item_id}") from exc
    return describe(gw, [a.target for a in actions], [a.data for a in actions])
