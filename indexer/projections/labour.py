"""Labour register (LabourRegister): work records, their approval, points, distributions.

`labour_event`: one row per event of a register (and its installer's
`LabourRegisterInstalled`), with the member, the period and basis, the amount the event carries
and the other arguments as JSON. The mirror keeps the facts, not a folded state: a member's
records, the points of a period and a distribution's parts are queries
(`indexer.queries.labour`), and a distribution's parts can be recomputed from the
`points_added` rows alone (`recompute_parts`), which is how a member checks theirs.

A register is announced by the network's `LabourInstaller` (`LabourRegisterInstalled`, a
discovery event): its events are taken by their full signatures, which only ILabourRegister
declares (`Claimed` or `RateSet` alone could be another contract's).
"""

from __future__ import annotations

from typing import Any

from indexer.models import LabourEvent
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import add

SIG = {
    "installed": "LabourRegisterInstalled(address,address,uint256,bool)",
    "rate_set": "RateSet(uint32,uint128,uint8,bool,bytes32)",
    "approver_set": "ApproverSet(address,bool)",
    "recorded": "WorkRecorded(uint256,address,uint32,uint32,uint64,uint128,bytes32,bytes32)",
    "approved": "WorkApproved(uint256,address,uint8)",
    "rejected": "WorkRejected(uint256,address,bytes32)",
    "contributed": "WorkContributed(uint256,address,uint128)",
    "points_added": "PointsAdded(uint32,uint8,address,uint128)",
    "purchases_recorded": "PurchasesRecorded(uint32,uint256,bytes32)",
    "distribution_approved": (
        "DistributionApproved(uint256,uint32,uint8,uint8,uint128,uint128,uint32,uint256,uint8,"
        "bytes32)"
    ),
    "distribution_funded": "DistributionFunded(uint256,uint128)",
    "part_credited": "PartCredited(uint256,address,uint128)",
    "distribution_completed": "DistributionCompleted(uint256,uint128)",
    "claimed": "Claimed(address,uint256)",
}
ACTION = {sig: action for action, sig in SIG.items()}


def _opt_int(args: dict[str, Any], name: str) -> int | None:
    return int(args[name]) if name in args else None


@projection(*SIG.values(), tables=(LabourEvent,), name="labour")
def labour_event(ctx: ProjectionContext, event: Event) -> None:
    a = dict(event.args)
    action = ACTION[event.signature]
    contract = event.address
    member = a.pop("member", None)
    if action == "installed":
        contract, member = a.pop("register"), a.pop("charter")
    elif action in ("approved", "rejected"):
        member = a.pop("approver")
    elif action == "approver_set":
        member = a.pop("account")
    amount: Any = None
    for name in ("value", "points", "amount", "surplus", "credited"):
        if name in a:
            amount = str(a.pop(name))
            break
    add(
        ctx,
        LabourEvent,
        event,
        contract=contract,
        action=action,
        record_id=_opt_int(a, "recordId"),
        distribution_id=_opt_int(a, "distributionId"),
        member=member,
        period=_opt_int(a, "period"),
        basis=_opt_int(a, "basis"),
        amount=amount,
        data=a or None,
    )
