"""Treasury funds and movements: one `treasury_movement` row per treasury event, carrying the
stored fund balances and the pending (not yet split) income after it. The cooperative's
decisions in its union's ВРЕ (invoices issued, accepted, paid, cancelled, rejected through the
Treasury) are rows too, with the union obligation's id.

`fundBalances()` counts pending income as split by the charter's current percentages; the query
layer does the same split with the latest `fund_split` of the cooperative's charter.

The funds a charter names are a ledger of their own (`treasury_named_fund_entry`): one row per
fund an event touches, carrying the fund's terms and stored balance after it. Their parts of a
distribution come in `NamedIncomeDistributed`, emitted just before the `IncomeDistributed` of
the same split (whose `amount` is the whole income and whose `parts` are the four funds' only).
"""

from __future__ import annotations

from typing import Any

from indexer.models import NamedFundEntry, TreasuryMovement
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import ZERO_HASH, add, cached, hex32, latest, store

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


_NAMED_STATE = ("name", "share_bps", "rule", "majority", "indivisible", "regulation", "balance")


def _named_state(ctx: ProjectionContext, contract: str, fund_id: int) -> dict[str, Any]:
    def load() -> dict[str, Any]:
        row = latest(ctx, NamedFundEntry, contract=contract, fund_id=fund_id)
        if row is None:  # an event of a fund never created: nothing to carry
            return {
                "name": "",
                "share_bps": 0,
                "rule": 0,
                "majority": 0,
                "indivisible": False,
                "regulation": ZERO_HASH,
                "balance": 0,
            }
        return {k: (int(row[k]) if k == "balance" else row[k]) for k in _NAMED_STATE}

    return dict(cached(ctx, ("named_fund", contract, fund_id), load))


@projection(
    "NamedFundCreated",
    "NamedFundChanged",
    "NamedIncomeDistributed",
    "NamedFundPaidOut",
    tables=(NamedFundEntry,),
    name="treasury_named_funds",
)
def named_fund_event(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    name = event.name
    if name == "NamedIncomeDistributed":
        for fund_id, part in enumerate(int(p) for p in a["parts"]):
            if part:
                _named_row(ctx, event, fund_id, "credited", part, balance_delta=part)
        return
    fund_id = event.int("fundId")
    if name == "NamedFundPaidOut":
        amount = event.int("amount")
        _named_row(
            ctx,
            event,
            fund_id,
            "paid_out",
            amount,
            balance_delta=-amount,
            counterparty=a["to"],
            document=a["decision"],
        )
        return
    terms = {
        "share_bps": event.int("shareBasisPoints"),
        "rule": event.int("rule"),
        "majority": event.int("majority"),
        "indivisible": bool(a["indivisible"]),
        "regulation": hex32(a["regulation"]),
    }
    if name == "NamedFundCreated":
        terms["name"] = str(a["name"])
    _named_row(
        ctx, event, fund_id, "created" if name == "NamedFundCreated" else "changed", 0, terms=terms
    )


def _named_row(
    ctx: ProjectionContext,
    event: Event,
    fund_id: int,
    action: str,
    amount: int,
    *,
    balance_delta: int = 0,
    terms: dict[str, Any] | None = None,
    counterparty: str | None = None,
    document: str | None = None,
) -> None:
    s = _named_state(ctx, event.address, fund_id)
    s.update(terms or {})
    s["balance"] = int(s["balance"]) + balance_delta
    store(ctx, ("named_fund", event.address, fund_id), dict(s))
    add(
        ctx,
        NamedFundEntry,
        event,
        contract=event.address,
        fund_id=fund_id,
        action=action,
        amount=str(amount),
        counterparty=counterparty,
        document=document,
        **{**s, "balance": str(s["balance"])},
    )
