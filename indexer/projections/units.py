"""ВРЕ (internal settlement units): balances, credit limits, transfers, obligations, clearings.

- `units_entry`: one row per leg of a `Transfer` (sender and recipient), per credit-limit
  decision, per limit fixed at a member's first obligation, and per side of a key recovery,
  carrying the member's signed balance and own credit limit after it. A member's limit is the
  charter default until they first take part (SettlementUnits.sol fixes it then), so the row's
  `credit_limit` is None until then and `creditLimitOf` is "latest row's limit, else the current
  default" (`coop_config_event` rows `default_credit_limit`).
- `units_transfer_doc`: the document a `transferWithDocument` carried.
- `units_obligation_event`: one row per obligation event, carrying `obligation(id)` after it; a
  key recovery writes a `rebound` row for each of the member's obligations (they follow the
  member's key to the new address).
- `units_clearing`: one row per applied clearing plan.

`Transfer` is also the name of the share register's and any ERC-20's event: only transfers of a
registered cooperative's ВРЕ contract are taken.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from indexer.models import (
    Clearing,
    ConfigEvent,
    ObligationEvent,
    UnitsEntry,
    UnitsTransferDoc,
)
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import (
    add,
    batch,
    cached,
    is_module,
    latest,
    store,
    table_of,
)

ISSUED, ACCEPTED, SETTLED, CANCELLED, REJECTED = 1, 2, 3, 4, 5


# -- balances and limits ----------------------------------------------------------------------


def default_limit(ctx: ProjectionContext, contract: str) -> int:
    def load() -> int:
        row = latest(ctx, ConfigEvent, contract=contract, action="default_credit_limit")
        return int(row["value"]) if row else 0

    return cached(ctx, ("default_limit", contract), load)


def member_of(ctx: ProjectionContext, contract: str, account: str) -> dict[str, Any]:
    """{"balance": int, "limit": int | None (None: not fixed yet, the default applies)}."""

    def load() -> dict[str, Any]:
        row = latest(ctx, UnitsEntry, ("leg",), contract=contract, account=account)
        if row is None:
            return {"balance": 0, "limit": None}
        limit = row["credit_limit"]
        return {"balance": int(row["balance"]), "limit": int(limit) if limit else None}

    return dict(cached(ctx, ("units_member", contract, account), load))


def _entry(
    ctx: ProjectionContext,
    event: Event,
    leg: int,
    account: str,
    action: str,
    state: dict[str, Any],
    delta: int,
    counterparty: str | None = None,
) -> None:
    store(ctx, ("units_member", event.address, account), dict(state))
    add(
        ctx,
        UnitsEntry,
        event,
        leg=leg,
        contract=event.address,
        account=account,
        action=action,
        counterparty=counterparty,
        delta=str(delta),
        balance=str(state["balance"]),
        credit_limit=None if state["limit"] is None else str(state["limit"]),
    )


def _pin(ctx: ProjectionContext, contract: str, state: dict[str, Any]) -> None:
    if state["limit"] is None:
        state["limit"] = default_limit(ctx, contract)


@projection("Transfer(address,address,uint256)", tables=(UnitsEntry,), name="units.transfers")
def units_transfer(ctx: ProjectionContext, event: Event) -> None:
    if not is_module(ctx, "settlement_units", event.address):
        return
    sender, recipient, value = event.args["from"], event.args["to"], event.int("value")
    s = member_of(ctx, event.address, sender)
    _pin(ctx, event.address, s)
    s["balance"] -= value
    _entry(ctx, event, 0, sender, "sent", s, -value, recipient)
    r = member_of(ctx, event.address, recipient)  # after the sender: a transfer to oneself
    _pin(ctx, event.address, r)
    r["balance"] += value
    _entry(ctx, event, 1, recipient, "received", r, value, sender)


@projection("TransferDocumented", tables=(UnitsTransferDoc,), name="units.documents")
def transfer_documented(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    add(
        ctx,
        UnitsTransferDoc,
        event,
        contract=event.address,
        sender=a["from"],
        recipient=a["to"],
        amount=a["amount"],
        document=a["documentHash"],
    )


@projection(
    "CreditLimitSet", "DefaultCreditLimitSet", tables=(UnitsEntry, ConfigEvent), name="units.limits"
)
def limit_set(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    if event.name == "DefaultCreditLimitSet":
        store(ctx, ("default_limit", event.address), event.int("newLimit"))
        add(
            ctx,
            ConfigEvent,
            event,
            contract=event.address,
            action="default_credit_limit",
            value=a["newLimit"],
            previous=a["previousLimit"],
        )
        return
    m = member_of(ctx, event.address, a["member"])
    m["limit"] = event.int("newLimit")
    _entry(ctx, event, 0, a["member"], "limit_set", m, 0)


# -- obligations ------------------------------------------------------------------------------


def obligation_of(ctx: ProjectionContext, contract: str, oid: int) -> dict[str, Any] | None:
    """The obligation before the current event; None if its issue is not mirrored (a mirror
    started after it: `start_block`)."""

    def load() -> dict[str, Any] | None:
        row = latest(ctx, ObligationEvent, contract=contract, obligation_id=oid)
        if row is None:
            return None
        keys = ("debtor", "creditor", "status", "due_date", "document_hash")
        return {
            **{k: row[k] for k in keys},
            "total": int(row["total"]),
            "outstanding": int(row["outstanding"]),
        }

    found = cached(ctx, ("obligation", contract, oid), load)
    return dict(found) if found is not None else None


def _obligation(
    ctx: ProjectionContext,
    event: Event,
    oid: int,
    action: str,
    state: dict[str, Any],
    amount: int | str = 0,
    by_signature: bool | None = None,
) -> None:
    store(ctx, ("obligation", event.address, oid), dict(state))
    add(
        ctx,
        ObligationEvent,
        event,
        obligation_id=oid,
        contract=event.address,
        action=action,
        amount=str(amount),
        by_signature=by_signature,
        **{**state, "total": str(state["total"]), "outstanding": str(state["outstanding"])},
    )


@projection(
    "ObligationIssued",
    "ObligationAccepted",
    "ObligationRejected",
    "ObligationCancelled",
    "ObligationPaid",
    "ObligationCleared",
    tables=(ObligationEvent, UnitsEntry),
    name="units.obligations",
)
def obligation_event(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    oid = event.int("obligationId")
    name = event.name
    if name == "ObligationIssued":
        # The contract fixes both parties' limits here (debtor first), if not fixed yet.
        for leg, party in enumerate((a["debtor"], a["creditor"])):
            m = member_of(ctx, event.address, party)
            if m["limit"] is None:
                _pin(ctx, event.address, m)
                _entry(ctx, event, leg, party, "pinned", m, 0)
        state = {
            "debtor": a["debtor"],
            "creditor": a["creditor"],
            "status": ISSUED,
            "due_date": int(a["dueDate"]),
            "total": event.int("amount"),
            "outstanding": event.int("amount"),
            "document_hash": a["documentHash"],
        }
        _obligation(ctx, event, oid, "issued", state, a["amount"])
        return
    found = obligation_of(ctx, event.address, oid)
    if found is None:
        return
    state = found
    if name == "ObligationAccepted":
        state["status"] = ACCEPTED
        _obligation(ctx, event, oid, "accepted", state, by_signature=bool(a["bySignature"]))
    elif name == "ObligationRejected":
        state["status"] = REJECTED
        _obligation(ctx, event, oid, "rejected", state)
    elif name == "ObligationCancelled":
        state.update(status=CANCELLED, outstanding=0)
        _obligation(ctx, event, oid, "cancelled", state, a["waivedAmount"])
    else:  # paid or cleared
        outstanding = event.int("outstanding")
        state["outstanding"] = outstanding
        if outstanding == 0:
            state["status"] = SETTLED
        action = "paid" if name == "ObligationPaid" else "cleared"
        _obligation(ctx, event, oid, action, state, a["amount"])


@projection("ClearingSettled", tables=(Clearing,), name="units.clearings")
def clearing_settled(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    add(
        ctx,
        Clearing,
        event,
        contract=event.address,
        submitter=a["submitter"],
        plan_hash=a["planHash"],
        entries=event.int("entries"),
        total_cleared=a["totalCleared"],
    )


# -- key recovery -----------------------------------------------------------------------------


@projection("MemberRebound", tables=(UnitsEntry, ObligationEvent), name="units.rebound")
def member_rebound(ctx: ProjectionContext, event: Event) -> None:
    old, new = event.args["from"], event.args["to"]
    contract = event.address
    moved = member_of(ctx, contract, old)
    if moved["limit"] is None:
        return  # no key: nothing of `old` is stored, nothing moves
    _entry(ctx, event, 0, old, "rebound_out", {"balance": 0, "limit": None}, -moved["balance"], new)
    _entry(ctx, event, 1, new, "rebound_in", moved, moved["balance"], old)

    table = table_of(ObligationEvent)
    ids = {
        int(r[0])
        for r in ctx.conn.execute(
            sa.select(table.c.obligation_id)
            .where(table.c.chain_id == ctx.chain_id, table.c.contract == contract)
            .where(sa.or_(table.c.debtor == old, table.c.creditor == old))
            .distinct()
        )
    }
    ids |= {
        k[2]
        for k in batch(ctx)
        if isinstance(k, tuple) and len(k) == 3 and k[0] == "obligation" and k[1] == contract
    }
    for oid in sorted(ids):
        state = obligation_of(ctx, contract, oid)
        if state is None or old not in (state["debtor"], state["creditor"]):
            continue
        if state["debtor"] == old:
            state["debtor"] = new
        if state["creditor"] == old:
            state["creditor"] = new
        _obligation(ctx, event, oid, "rebound", state)
