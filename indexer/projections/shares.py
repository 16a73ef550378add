"""The shares ledger: one `share_entry` row per change of a member's holding, carrying the
`IShares.Holding` after it (minimum, voluntary and in-kind shares, entrance fee, the part paid
by bank).

Joining fees are credited by Membership (its `FeesPaid` / `PaymentAttested` carry the amounts and
say whether the money came by bank); the rest comes from the Shares register's own events. The
latest row of an account equals `holdingOf`, and its refundable sum equals `balanceOf`.
"""

from __future__ import annotations

from typing import Any

from indexer.models import ShareEntry
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import (
    ZERO_HASH,
    add,
    batch,
    cached,
    cooperative_by,
    latest,
    prefetch_latest,
    store,
)

_HOLDING = ("minimum_share", "voluntary_shares", "in_kind_shares", "entrance_fee", "paid_off_chain")


def holding_of(ctx: ProjectionContext, contract: str, account: str) -> dict[str, int]:
    def load() -> dict[str, int]:
        row = latest(ctx, ShareEntry, contract=contract, account=account)
        return {k: int(row[k]) if row else 0 for k in _HOLDING}

    return dict(cached(ctx, ("holding", contract, account), load))


def _write(
    ctx: ProjectionContext,
    event: Event,
    contract: str,
    account: str,
    action: str,
    holding: dict[str, int],
    amount: int,
    **detail: Any,
) -> None:
    store(ctx, ("holding", contract, account), dict(holding))
    add(
        ctx,
        ShareEntry,
        event,
        contract=contract,
        account=account,
        action=action,
        amount=str(amount),
        off_chain=bool(detail.pop("off_chain", False)),
        **{k: str(v) for k, v in holding.items()},
        **detail,
    )


def _prepare_entries(ctx: ProjectionContext, events: list[Event]) -> None:
    """Note the accounts the batch credits, per Membership contract: the first credit of each
    contract prefetches their holdings in one query (its cooperative may be registered only
    earlier in the same batch, so its register is known only then)."""
    for event in events:
        batch(ctx).setdefault(("credited", event.address), []).append(event.args["account"])


@projection(
    "FeesPaid",
    "PaymentAttested",
    tables=(ShareEntry,),
    name="shares.entry",
    prepare=_prepare_entries,
)
def entry_credited(ctx: ProjectionContext, event: Event) -> None:
    coop = cooperative_by(ctx, "membership", event.address)
    if coop is None:
        return
    a = event.args
    shares, account = coop["shares"], a["account"]
    credited = batch(ctx).pop(("credited", event.address), None)
    if credited is not None:
        prefetch_latest(ctx, ShareEntry, "account", credited, contract=shares)
    off_chain = event.name == "PaymentAttested"
    minimum, entrance = int(a["minimumShare"]), int(a["entranceFee"])
    h = holding_of(ctx, shares, account)
    h["minimum_share"] += minimum
    h["entrance_fee"] += entrance
    if off_chain:
        h["paid_off_chain"] += minimum
    _write(
        ctx,
        event,
        shares,
        account,
        "entry",
        h,
        minimum,
        off_chain=off_chain,
        document=a["paymentDocument"] if off_chain else None,
        counterparty=None if off_chain else a["payer"],
    )


@projection(
    "VoluntaryContributed",
    "InKindCredited",
    "SharesMovedByDecision",
    "SharesSettled",
    "HoldingRebound",
    tables=(ShareEntry,),
    name="shares",
)
def shares_event(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    contract = event.address
    name = event.name
    if name == "VoluntaryContributed":
        amount = event.int("amount")
        off_chain = a["paymentDocument"] != ZERO_HASH
        h = holding_of(ctx, contract, a["account"])
        h["voluntary_shares"] += amount
        if off_chain:
            h["paid_off_chain"] += amount
        _write(
            ctx,
            event,
            contract,
            a["account"],
            "voluntary",
            h,
            amount,
            off_chain=off_chain,
            document=a["paymentDocument"] if off_chain else None,
        )
    elif name == "InKindCredited":
        amount = event.int("amount")
        h = holding_of(ctx, contract, a["account"])
        h["in_kind_shares"] += amount
        _write(ctx, event, contract, a["account"], "in_kind", h, amount, document=a["valuation"])
    elif name == "SharesMovedByDecision":
        amount = event.int("amount")
        src = holding_of(ctx, contract, a["from"])
        dst = holding_of(ctx, contract, a["to"])
        off = min(src["paid_off_chain"], amount)
        src["voluntary_shares"] -= amount
        src["paid_off_chain"] -= off
        dst["voluntary_shares"] += amount
        dst["paid_off_chain"] += off
        common = {"document": a["decision"]}
        _write(
            ctx,
            event,
            contract,
            a["from"],
            "moved_out",
            src,
            amount,
            counterparty=a["to"],
            **common,
        )
        _write(
            ctx, event, contract, a["to"], "moved_in", dst, amount, counterparty=a["from"], **common
        )
    elif name == "SharesSettled":
        h = holding_of(ctx, contract, a["account"])
        refundable = h["minimum_share"] + h["voluntary_shares"] + h["in_kind_shares"]
        _write(
            ctx,
            event,
            contract,
            a["account"],
            "settled",
            dict.fromkeys(_HOLDING, 0),
            refundable,
            refunded_on_chain=a["refundedOnChain"],
            owed_off_chain=a["owedOffChain"],
        )
    else:  # HoldingRebound
        h = holding_of(ctx, contract, a["from"])
        amount = h["minimum_share"] + h["voluntary_shares"] + h["in_kind_shares"]
        zero = dict.fromkeys(_HOLDING, 0)
        _write(ctx, event, contract, a["from"], "rebound_out", zero, amount, counterparty=a["to"])
        _write(ctx, event, contract, a["to"], "rebound_in", h, amount, counterparty=a["from"])
