"""Treasury funds and movements: one `treasury_movement` row per treasury event, carrying the
stored fund balances and the pending (not yet split) income after it. The cooperative's
decisions in its union's ВРЕ (invoices issued, accepted, paid, cancelled, rejected through the
Treasury) are rows too, with the union obligation's id.

`fundBalances()` counts pending income as split by the charter's current percentages; the query
layer does the same split with the latest `fund_split` of the cooperative's charter.
"""

from __future__ import annotations

from typing import Any

from indexer.models import TreasuryMovement
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import add, cached, latest, store

FUNDS = ("share_fund", "reserve_fund", "mutual_aid_fund", "development_fund")
_STATE = (*FUNDS, "pending_income")


def balances_of(ctx: ProjectionContext, contract: str) -> dict[str, int]:
    def load() -> dict[str, int]:
        row = latest(ctx, TreasuryMovement, contract=contract)
        return {k: int(row[k]) if row else 0 for k in _STATE}

    return dict(cached(ctx, ("treasury", contract), load))


@projection(
    "FeesCollected",
    "IncomeReceived",
    "IncomeDistributed",
    "ShareRefunded",
    "PaidOut",
    "UnionApplied",
    "UnionFeesPaid",
    "UnionObligationIssued",
    "UnionObligationAccepted",
    "UnionObligationPaid",
    "UnionObligationCancelled",
    "UnionObligationRejected",
    tables=(TreasuryMovement,),
    name="treasury",
)
def treasury_event(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    name = event.name
    s = balances_of(ctx, event.address)
    values: dict[str, Any]
    if name == "FeesCollected":
        s["share_fund"] += int(a["shareAmount"])
        s["pending_income"] += int(a["entranceFee"])
        values = {
            "action": "fees_collected",
            "counterparty": a["payer"],
            "amount": a["entranceFee"],
            "share_amount": a["shareAmount"],
        }
    elif name == "IncomeReceived":
        s["pending_income"] += event.int("amount")
        values = {
            "action": "income_received",
            "counterparty": a["from"],
            "amount": a["amount"],
            "document": a["document"],
        }
    elif name == "IncomeDistributed":
        parts = [int(p) for p in a["parts"]]
        s["pending_income"] -= event.int("amount")
        for fund, part in zip(FUNDS, parts, strict=True):
            s[fund] += part
        values = {
            "action": "income_distributed",
            "amount": a["amount"],
            "parts": ",".join(map(str, parts)),
        }
    elif name == "ShareRefunded":
        s["share_fund"] -= event.int("amount")
        values = {"action": "share_refunded", "counterparty": a["account"], "amount": a["amount"]}
    elif name == "PaidOut":
        fund_no = int(a["fund"])
        s[FUNDS[fund_no]] -= event.int("amount")
        values = {
            "action": "paid_out",
            "fund": fund_no,
            "counterparty": a["to"],
            "amount": a["amount"],
            "document": a["decision"],
        }
    elif name == "UnionApplied":
        values = {
            "action": "union_applied",
            "counterparty": a["unionMembership"],
            "amount": "0",
            "document": a["applicationHash"],
        }
    elif name.startswith("UnionObligation"):
        # The cooperative's acts in the union's ВРЕ, each by its council's decision. They move
        # no tokens: the funds are carried unchanged; the obligation itself is mirrored from
        # the union's ВРЕ (units_obligation_event), joined by (counterparty, obligation_id).
        values = {
            "action": "union_invoice_" + name.removeprefix("UnionObligation").lower(),
            "counterparty": a["unionUnits"],
            "obligation_id": event.int("obligationId"),
            "amount": a.get("amount", "0"),
            "document": a.get("documentHash"),
        }
    else:  # UnionFeesPaid
        fund_no = int(a["fund"])
        s[FUNDS[fund_no]] -= event.int("amount")
        values = {
            "action": "union_fees_paid",
            "fund": fund_no,
            "counterparty": a["unionMembership"],
            "amount": a["amount"],
            "document": a["decision"],
        }
    store(ctx, ("treasury", event.address), dict(s))
    add(
        ctx,
        TreasuryMovement,
        event,
        contract=event.address,
        **values,
        **{k: str(v) for k, v in s.items()},
    )
