"""Mutual-aid fund (MutualAidFund): contributions, withdrawals, loans, guarantees.

- `fund_entry`: one row per member and event that moves pool units (`Contributed`, `Withdrawn`,
  a called guarantee burning the guarantor's units, both sides of `FundMemberRebound`), with
  the member's units and net contributions after it. A key recovery moves the member's loans
  and pledges too: loan rows keep the addresses of the request, and the queries follow the
  `rebound_from` / `rebound_to` rows to the member's current address.
- `fund_loan_event`: one row per loan event (guarantees included: `actor` is the guarantor),
  with `loan(id)`'s stored part after it.
- `coop_config_event` (action `fund_rules`): the fund's rules as set at initialisation and by
  every general-meeting decision since, with the decision's document; the latest row is the
  rules in force, so an auditor sees when the interest or the loan multiple changed and why.

Both tables carry the pool after the event (`pool()`: cash, lent principal, total units), so a
member's book value (units * (cash + lent + 1) / (totalUnits + 1)) is the latest pool row's,
and a called guarantee's burnt units are recomputed exactly as the contract does (it takes them
at the book value). The mirror does not follow the valuation of issue #14 (pending interest,
marked-down principal: `LoanMarkedDown`, `LoanMarkDownLifted`, `FundReviewed` are not
projected): the chain's `balanceOf` is the exit value, `valuation()` tells the difference.

A cooperative's fund is announced by `FundInstaller`'s `FundInstalled` event (discovered like
governance; older deployment records give it as a root, `<slug>.mutual_aid_fund`): these
events are taken from any watched address by their full signatures, which only IMutualAidFund
declares.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa

from indexer.models import ConfigEvent, FundEntry, FundLoanEvent
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import ZERO_HASH, add, block_time, cached, latest, store

log = logging.getLogger("coop.indexer.projections.fund")

# Stored LoanStatus.
REQUESTED, APPROVED, ACTIVE, DEFAULTED, REPAID, WRITTEN_OFF, CANCELLED, REJECTED = range(1, 9)

SIG = {
    "contributed": "Contributed(address,uint256,uint256)",
    "withdrawn": "Withdrawn(address,uint256,uint256)",
    "requested": (
        "LoanRequested(uint256,address,(uint256,uint32,uint8,bytes32,uint256[],address[],"
        "uint256[]))"
    ),
    "guarantee_accepted": "GuaranteeAccepted(uint256,address,uint256)",
    "approved": "LoanApproved(uint256,uint256,bytes32)",
    "rejected": "LoanRejected(uint256,bytes32)",
    "cancelled": "LoanCancelled(uint256)",
    "disbursed": "LoanDisbursed(uint256,address,uint256)",
    "repaid": "LoanRepaid(uint256,address,uint256,uint256)",
    "closed": "LoanClosed(uint256)",
    "guarantee_called": "GuaranteeCalled(uint256,address,uint256)",
    "guarantee_released": "GuaranteeReleased(uint256,address,uint256)",
    "defaulted": "LoanDefaulted(uint256,uint256,bytes32)",
    "written_off": "LoanWrittenOff(uint256,uint256,uint256,uint8,bytes32)",
    "rebound": "FundMemberRebound(address,address)",
}
RULES_CHANGED = "RulesChanged((uint32,uint16,uint16,uint32,uint128),bytes32)"


def _mul_div(a: int, b: int, d: int, ceil: bool = False) -> int:
    return -(-a * b // d) if ceil else a * b // d


def value_of(units: int, cash: int, lent: int, total_units: int) -> int:
    """`MutualAidFund._valueOf` at the book value `cash + lent`: what `units` are worth when no
    loan is marked down (and what a called guarantee takes them at)."""
    return _mul_div(units, cash + lent + 1, total_units + 1)


def principal_paid(repaid: int, principal: int, interest: int) -> int:
    """`MutualAidFund._principalPaid`: the principal part of `repaid`."""
    return repaid if interest == 0 else _mul_div(repaid, principal, principal + interest)


# -- state (per-step cache over the latest committed rows) ------------------------------------


def _pool_of(ctx: ProjectionContext, fund: str) -> dict[str, int]:
    def load() -> dict[str, int]:
        rows = [latest(ctx, FundEntry, contract=fund), latest(ctx, FundLoanEvent, contract=fund)]
        found = [r for r in rows if r is not None]
        if not found:
            return {"cash": 0, "lent": 0, "units": 0}
        row = max(found, key=lambda r: (r["block_number"], r["log_index"]))
        return {
            "cash": int(row["pool_cash"]),
            "lent": int(row["pool_lent"]),
            "units": int(row["pool_units"]),
        }

    return cached(ctx, ("fund_pool", fund), load)


def _pool_cols(pool: dict[str, int]) -> dict[str, str]:
    return {
        "pool_cash": str(pool["cash"]),
        "pool_lent": str(pool["lent"]),
        "pool_units": str(pool["units"]),
    }


def _member(ctx: ProjectionContext, fund: str, account: str) -> dict[str, int]:
    def load() -> dict[str, int]:
        row = latest(ctx, FundEntry, contract=fund, account=account)
        if row is None:
            return {"units": 0, "contributed": 0}
        return {"units": int(row["units_after"]), "contributed": int(row["contributed_after"])}

    return cached(ctx, ("fund_member", fund, account), load)


def _entry(
    ctx: ProjectionContext,
    event: Event,
    account: str,
    action: str,
    amount: int,
    units: int,
    after: dict[str, int],
) -> None:
    store(ctx, ("fund_member", event.address, account), after)
    add(
        ctx,
        FundEntry,
        event,
        contract=event.address,
        account=account,
        action=action,
        amount=str(amount),
        units=str(units),
        units_after=str(after["units"]),
        contributed_after=str(after["contributed"]),
        **_pool_cols(_pool_of(ctx, event.address)),
    )


@projection(SIG["contributed"], SIG["withdrawn"], tables=(FundEntry,), name="fund_entry")
def fund_entry(ctx: ProjectionContext, event: Event) -> None:
    account, amount, units = event.args["member"], event.int("amount"), event.int("units")
    pool = _pool_of(ctx, event.address)
    before = _member(ctx, event.address, account)
    sign = 1 if event.name == "Contributed" else -1
    pool["cash"] += sign * amount
    pool["units"] += sign * units
    after = {
        "units": before["units"] + sign * units,
        "contributed": before["contributed"] + sign * amount,
    }
    _entry(ctx, event, account, event.name.lower(), amount, units, after)


@projection(SIG["rebound"], tables=(FundEntry,), name="fund_rebound")
def fund_rebound(ctx: ProjectionContext, event: Event) -> None:
    old, new = event.args["from"], event.args["to"]
    moved = _member(ctx, event.address, old)
    target = _member(ctx, event.address, new)
    merged = {
        "units": target["units"] + moved["units"],
        "contributed": target["contributed"] + moved["contributed"],
    }
    store(ctx, ("fund_previous", event.address, new), old)
    _entry(ctx, event, old, "rebound_from", 0, moved["units"], {"units": 0, "contributed": 0})
    _entry(ctx, event, new, "rebound_to", 0, moved["units"], merged)


# -- loans ------------------------------------------------------------------------------------


def _loan(ctx: ProjectionContext, fund: str, loan_id: int) -> dict[str, Any] | None:
    """The loan before the event; None when its request is not mirrored (a fund watched from
    the middle of its history: re-index from an empty database to mirror it)."""

    def load() -> dict[str, Any] | None:
        row = latest(ctx, FundLoanEvent, contract=fund, loan_id=loan_id)
        return {k: row[k] for k in _LOAN_FIELDS} if row is not None else None

    return cached(ctx, ("fund_loan", fund, loan_id), load)


_LOAN_FIELDS = (
    "status",
    "borrower",
    "principal",
    "interest",
    "repaid",
    "term",
    "instalments",
    "custom_schedule",
    "disbursed_at",
    "purpose",
    "guarantors",
    "pledges",
    "accepted_mask",
)


def _write_loan(
    ctx: ProjectionContext,
    event: Event,
    loan_id: int,
    loan: dict[str, Any],
    action: str,
    amount: int = 0,
    actor: str | None = None,
    decision: str | None = None,
) -> None:
    store(ctx, ("fund_loan", event.address, loan_id), loan)
    add(
        ctx,
        FundLoanEvent,
        event,
        contract=event.address,
        loan_id=loan_id,
        action=action,
        actor=actor,
        amount=str(amount),
        decision=decision,
        **loan,
        **_pool_cols(_pool_of(ctx, event.address)),
    )


def _release_principal(pool: dict[str, int], loan: dict[str, Any]) -> None:
    """An approved loan rejected or cancelled: its earmarked principal returns to the cash."""
    if loan["status"] == APPROVED:
        pool["cash"] += int(loan["principal"])
        pool["lent"] -= int(loan["principal"])


def _apply_repayment(pool: dict[str, int], loan: dict[str, Any], amount: int) -> None:
    principal, interest = int(loan["principal"]), int(loan["interest"])
    repaid = int(loan["repaid"])
    part = principal_paid(repaid + amount, principal, interest) - principal_paid(
        repaid, principal, interest
    )
    pool["lent"] -= part
    loan["repaid"] = str(repaid + amount)


@projection(
    *(SIG[k] for k in SIG if k not in ("contributed", "withdrawn", "rebound")),
    tables=(FundLoanEvent,),
    name="fund_loan_event",
)
def fund_loan_event(ctx: ProjectionContext, event: Event) -> None:
    fund, loan_id = event.address, event.int("loanId")
    pool = _pool_of(ctx, fund)
    name = event.name
    if name == "LoanRequested":
        req = event.args["request"]
        loan: dict[str, Any] = {
            "status": REQUESTED,
            "borrower": event.args["borrower"],
            "principal": str(req["amount"]),
            "interest": "0",
            "repaid": "0",
            "term": int(req["term"]),
            "instalments": int(req["instalments"]),
            "custom_schedule": bool(req["schedule"]),
            "disbursed_at": 0,
            "purpose": req["purpose"] or ZERO_HASH,
            "guarantors": list(req["guarantors"]),
            "pledges": [str(p) for p in req["pledges"]],
            "accepted_mask": 0,
        }
        _write_loan(ctx, event, loan_id, loan, "requested", int(req["amount"]))
        return
    known = _loan(ctx, fund, loan_id)
    if known is None:
        log.warning("fund %s: %s of loan %s whose request is not mirrored", fund, name, loan_id)
        return
    loan = dict(known)
    if name == "GuaranteeAccepted":
        guarantor = event.args["guarantor"]
        index = _guarantor_index(ctx, fund, list(loan["guarantors"] or []), guarantor)
        if index is None:
            log.warning("fund %s: loan %s names no guarantor %s", fund, loan_id, guarantor)
            return
        loan["accepted_mask"] |= 1 << index
        _write_loan(ctx, event, loan_id, loan, "guarantee_accepted", event.int("amount"), guarantor)
    elif name == "LoanApproved":
        loan["status"], loan["interest"] = APPROVED, str(event.int("interest"))
        pool["cash"] -= int(loan["principal"])
        pool["lent"] += int(loan["principal"])
        _write_loan(ctx, event, loan_id, loan, "approved", decision=event.args["decision"])
    elif name in ("LoanRejected", "LoanCancelled"):
        _release_principal(pool, loan)
        loan["status"] = REJECTED if name == "LoanRejected" else CANCELLED
        decision = event.args.get("decision")
        _write_loan(ctx, event, loan_id, loan, name[4:].lower(), decision=decision)
    elif name == "LoanDisbursed":
        loan["status"], loan["disbursed_at"] = ACTIVE, block_time(ctx, event)
        _write_loan(ctx, event, loan_id, loan, "disbursed", event.int("amount"))
    elif name == "LoanRepaid":
        amount = event.int("amount")
        _apply_repayment(pool, loan, amount)
        pool["cash"] += amount
        loan["repaid"] = str(event.int("repaid"))  # the contract's total (equal when complete)
        _write_loan(ctx, event, loan_id, loan, "repaid", amount, event.args["payer"])
    elif name == "LoanClosed":
        loan["status"] = REPAID
        _write_loan(ctx, event, loan_id, loan, "closed")
    elif name == "GuaranteeCalled":
        guarantor, take = event.args["guarantor"], event.int("amount")
        member = _member(ctx, fund, guarantor)
        burn = min(
            _mul_div(take, pool["units"] + 1, pool["cash"] + pool["lent"] + 1, ceil=True),
            member["units"],
        )
        pool["units"] -= burn
        if take:
            _apply_repayment(pool, loan, take)
        after = {"units": member["units"] - burn, "contributed": member["contributed"]}
        _entry(ctx, event, guarantor, "guarantee_called", take, burn, after)
        _write_loan(ctx, event, loan_id, loan, "guarantee_called", take, guarantor)
    elif name == "GuaranteeReleased":
        _write_loan(
            ctx,
            event,
            loan_id,
            loan,
            "guarantee_released",
            event.int("amount"),
            event.args["guarantor"],
        )
    elif name == "LoanDefaulted":
        loan["status"] = DEFAULTED
        _write_loan(ctx, event, loan_id, loan, "defaulted", decision=event.args["decision"])
    elif name == "LoanWrittenOff":
        loss = event.int("loss")
        pool["lent"] -= loss
        loan["status"] = WRITTEN_OFF
        _write_loan(ctx, event, loan_id, loan, "written_off", loss, decision=event.args["document"])


def _previous(ctx: ProjectionContext, fund: str, account: str) -> str | None:
    """The address `account` was recovered from (a key recovery), if any."""

    def load() -> str | None:
        to = latest(ctx, FundEntry, contract=fund, account=account, action="rebound_to")
        if to is None:
            return None
        table = FundEntry.__table__  # type: ignore[attr-defined]
        found = ctx.conn.execute(
            sa.select(table.c.account).where(
                table.c.chain_id == ctx.chain_id,
                table.c.block_hash == to["block_hash"],
                table.c.log_index == to["log_index"],
                table.c.action == "rebound_from",
            )
        ).scalar()
        return str(found) if found is not None else None

    return cached(ctx, ("fund_previous", fund, account), load)


def _guarantor_index(
    ctx: ProjectionContext, fund: str, guarantors: list[str], account: str
) -> int | None:
    """Index of `account` among the request's guarantors, following key recoveries back."""
    seen: set[str] = set()
    current: str | None = account
    while current is not None and current not in seen:
        if current in guarantors:
            return guarantors.index(current)
        seen.add(current)
        current = _previous(ctx, fund, current)
    return None


@projection(RULES_CHANGED, tables=(ConfigEvent,), name="fund_rules")
def fund_rules(ctx: ProjectionContext, event: Event) -> None:
    """The rules are a legal act of the general meeting: each change is kept as a row whose
    `value` holds the five parameters as JSON and `previous` the decision's document."""
    r = event.args["rules"]
    value = {
        "loan_to_contribution_bps": int(r["loanToContributionBps"]),
        "reserve_bps": int(r["reserveBps"]),
        "interest_bps": int(r["interestBps"]),
        "max_term": int(r["maxTerm"]),
        "max_loan_per_member": str(int(r["maxLoanPerMember"])),
    }
    add(
        ctx,
        ConfigEvent,
        event,
        contract=event.address,
        action="fund_rules",
        value=json.dumps(value, sort_keys=True, separators=(",", ":")),
        previous=event.args["document"] or ZERO_HASH,
    )
