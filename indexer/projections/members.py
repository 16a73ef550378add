"""Members and their status history: one `member_event` row per membership event and account,
carrying the `IMembership.MemberRecord` after the event.

The record follows Membership.sol's transitions exactly (an application resets the record and
bumps the nonce; an exit clears the verification and payment flags; a block remembers the state
it interrupted; a key recovery moves the record to the new address and leaves the old one empty,
each address keeping its own nonce), so that the latest row of an account equals `memberOf`.
Applications are the `applied` rows (with the identity and application hashes).
"""

from __future__ import annotations

from typing import Any

from indexer.models import MemberEvent
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import (
    add,
    block_time,
    cached,
    latest,
    prefetch_latest,
    store,
)

NONE, APPLICANT, MEMBER, EXITING, EXITED, BLOCKED = range(6)

_RECORD = (
    "status",
    "member_kind",
    "blocked_from",
    "identity_verified",
    "fees_paid",
    "nonce",
    "applied_at",
    "admitted_at",
)
_EMPTY: dict[str, Any] = {
    "status": NONE,
    "member_kind": 0,
    "blocked_from": NONE,
    "identity_verified": False,
    "fees_paid": False,
    "nonce": 0,
    "applied_at": 0,
    "admitted_at": 0,
}


def record_of(ctx: ProjectionContext, contract: str, account: str) -> dict[str, Any]:
    """The member record of `account` before the current event."""

    def load() -> dict[str, Any]:
        row = latest(ctx, MemberEvent, contract=contract, account=account)
        return {k: row[k] for k in _RECORD} if row else dict(_EMPTY)

    return dict(cached(ctx, ("member", contract, account), load))


def _write(
    ctx: ProjectionContext,
    event: Event,
    account: str,
    action: str,
    record: dict[str, Any],
    **detail: Any,
) -> None:
    store(ctx, ("member", event.address, account), dict(record))
    add(
        ctx,
        MemberEvent,
        event,
        contract=event.address,
        account=account,
        action=action,
        **record,
        **detail,
    )


def _prepare(ctx: ProjectionContext, events: list[Event]) -> None:
    """The latest rows of every account the batch's events touch: one query per contract."""
    accounts: dict[str, list[str]] = {}
    for event in events:
        a = event.args
        touched = (a["from"], a["to"]) if event.name == "MemberRecovered" else (a["account"],)
        accounts.setdefault(event.address, []).extend(touched)
    for contract, wanted in accounts.items():
        prefetch_latest(ctx, MemberEvent, "account", wanted, contract=contract)


@projection(
    "ApplicationSubmitted",
    "IdentityAttested",
    "FeesPaid",
    "PaymentAttested",
    "MemberAdmitted",
    "ExitRequested",
    "MemberExited",
    "MemberBlocked",
    "MemberUnblocked",
    "MemberRecovered",
    tables=(MemberEvent,),
    name="members",
    prepare=_prepare,
)
def membership_event(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    name = event.name
    if name == "MemberRecovered":
        _recovered(ctx, event)
        return
    account = a["account"]
    rec = record_of(ctx, event.address, account)
    detail: dict[str, Any] = {}
    if name == "ApplicationSubmitted":
        action = "applied"
        rec.update(
            status=APPLICANT,
            member_kind=int(a["kind"]),
            blocked_from=NONE,
            identity_verified=False,
            fees_paid=False,
            nonce=int(a["nonce"]) + 1,
            applied_at=block_time(ctx, event),
            admitted_at=0,
        )
        detail = {
            "document": a["applicationHash"],
            "identity_hash": a["identityHash"],
            "counterparty": a["submitter"],
        }
    elif name == "IdentityAttested":
        action = "identity_attested"
        rec["identity_verified"] = True
        detail = {"document": a["checkRecord"], "counterparty": a["verifier"]}
    elif name == "FeesPaid":
        action = "fees_paid"
        rec["fees_paid"] = True
        detail = {
            "counterparty": a["payer"],
            "entrance_fee": a["entranceFee"],
            "minimum_share": a["minimumShare"],
        }
    elif name == "PaymentAttested":
        action = "payment_attested"
        rec["fees_paid"] = True
        detail = {
            "document": a["paymentDocument"],
            "counterparty": a["cashier"],
            "entrance_fee": a["entranceFee"],
            "minimum_share": a["minimumShare"],
        }
    elif name == "MemberAdmitted":
        action = "admitted"
        rec.update(status=MEMBER, admitted_at=block_time(ctx, event))
        detail = {"document": a["decision"]}
    elif name == "ExitRequested":
        action = "exit_requested"
        rec["status"] = EXITING
        detail = {"document": a["applicationHash"]}
    elif name == "MemberExited":
        action = "exited"
        rec.update(status=EXITED, blocked_from=NONE, identity_verified=False, fees_paid=False)
        detail = {"document": a["decision"]}
    elif name == "MemberBlocked":
        action = "blocked"
        rec.update(status=BLOCKED, blocked_from=rec["status"])
        detail = {"document": a["decision"]}
    else:  # MemberUnblocked
        action = "unblocked"
        rec.update(status=rec["blocked_from"], blocked_from=NONE)
        detail = {"document": a["decision"]}
    _write(ctx, event, account, action, rec, **detail)


def _recovered(ctx: ProjectionContext, event: Event) -> None:
    old, new = event.args["from"], event.args["to"]
    decision = event.args["decision"]
    moved = record_of(ctx, event.address, old)
    target = record_of(ctx, event.address, new)
    left = {**_EMPTY, "nonce": moved["nonce"]}
    moved["nonce"] = target["nonce"]
    _write(ctx, event, old, "recovered_from", left, document=decision, counterparty=new)
    _write(ctx, event, new, "recovered_to", moved, document=decision, counterparty=old)
