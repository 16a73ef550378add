"""Cooperative branches (Branches): one `branch_event` row per `IBranches` event.

A Branches contract is watched as a root from the deployment record (or with the whole chain on
a dev chain); its `BranchCreated` names each branch meeting clone, which discovery then watches
(its ballots and protocols go to the governance projections like any general meeting's).
"""

from __future__ import annotations

from typing import Any

from indexer.models import BranchEvent
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import add

SIGS = (
    "BranchCreated(uint256,address,bytes32)",
    "BranchTrusteeSet(uint256,address)",
    "BranchJoined(address,uint256,uint256,uint256,bool)",
    "BranchMemberCounted(uint256,uint256,bool)",
    "DelegatesElected(uint256,address,address[],uint32[])",
    "DelegateRemoved(uint256,uint256)",
    "BranchApplicantVerified(uint256,address,address,bytes32)",
    "BranchMeetingConvened(uint256,uint256,address)",
)


@projection(*SIGS, tables=(BranchEvent,), name="branches")
def branch_event(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    values: dict[str, Any] = {"contract": event.address, "branch_id": event.int("branchId")}
    name = event.name
    if name == "BranchCreated":
        values.update(action="created", meeting=a["meeting"], document_hash=a["documentHash"])
    elif name == "BranchTrusteeSet":
        values.update(action="trustee_set", account=a["trustee"])
    elif name == "BranchJoined":
        values.update(
            action="joined",
            account=a["account"],
            member_index=event.int("memberIndex"),
            from_branch=event.int("fromBranchId"),
            counted=bool(a["counted"]),
        )
    elif name == "BranchMemberCounted":
        counted = bool(a["counted"])
        values.update(
            action="counted" if counted else "uncounted",
            member_index=event.int("memberIndex"),
            counted=counted,
        )
    elif name == "DelegatesElected":
        pairs = [[int(i), str(d)] for i, d in zip(a["memberIndices"], a["delegates"], strict=True)]
        values.update(action="delegates_elected", meeting=a["meeting"], delegates=pairs)
    elif name == "DelegateRemoved":
        values.update(action="delegate_removed", member_index=event.int("memberIndex"))
    elif name == "BranchApplicantVerified":
        values.update(
            action="verified",
            account=a["applicant"],
            meeting=a["trustee"],
            document_hash=a["checkRecord"],
        )
    else:  # BranchMeetingConvened
        values.update(
            action="meeting_convened", meeting=a["convener"], meeting_id=event.int("meetingId")
        )
    add(ctx, BranchEvent, event, **values)
