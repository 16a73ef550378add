"""Cooperative branches: each branch of a `Branches` contract with its trustee, its counted
members and its delegates, folded from `branch_event` in chain order; a member's branch.

A Branches contract is not announced by the cooperative's set (it is watched as a root from the
deployment record): these functions take the contract's address, and `branch_contracts` lists
the contracts whose events the mirror holds."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from indexer.models import BlockRef, BranchEvent
from indexer.queries.common import Db, NotFound, _chain, _exec, current_block

BRANCH = BranchEvent.__table__  # type: ignore[attr-defined]


class DelegatePublic(BaseModel):
    member_index: int
    address: str


class BranchPublic(BaseModel):
    branch_id: int
    meeting: str
    """The branch meeting (a GeneralMeeting clone: its meetings are in /governance)."""
    document_hash: str
    trustee: str | None
    members: int
    """Active members counted in the branch."""
    delegates: list[DelegatePublic]
    meetings_convened: int
    applicants_verified: int


class BranchesPublic(BaseModel):
    contract: str
    as_of: BlockRef
    data: list[BranchPublic]
    count: int
    delegate_count: int


class MemberBranchPublic(BaseModel):
    contract: str
    account: str
    branch_id: int | None
    """None: the account chose no branch."""
    delegate: bool
    as_of: BlockRef


def branch_contracts(db: Db, chain_id: int | None = None) -> list[str]:
    """Every Branches contract with mirrored events."""
    cid = _chain(db, chain_id)
    stmt = sa.select(BRANCH.c.contract).where(BRANCH.c.chain_id == cid).distinct()
    return sorted(str(r[0]) for r in _exec(db, stmt))


def _rows(db: Db, cid: int, contract: str) -> list[Any]:
    stmt = (
        sa.select(BRANCH)
        .where(BRANCH.c.chain_id == cid, BRANCH.c.contract == contract)
        .order_by(BRANCH.c.block_number, BRANCH.c.log_index)
    )
    rows = list(_exec(db, stmt))
    if not rows:
        raise NotFound(f"no branches mirrored for {contract}")
    return rows


def _fold(rows: list[Any]) -> tuple[dict[int, dict[str, Any]], dict[int, tuple[int, bool]]]:
    """Branches by id, and each membership index's (branch, counted)."""
    branches: dict[int, dict[str, Any]] = {}
    where: dict[int, tuple[int, bool]] = {}
    for r in rows:
        b = int(r.branch_id)
        if r.action == "created":
            branches[b] = {
                "branch_id": b,
                "meeting": r.meeting,
                "document_hash": r.document_hash,
                "trustee": None,
                "delegates": {},
                "meetings_convened": 0,
                "applicants_verified": 0,
            }
            continue
        branch = branches.get(b)
        if branch is None:
            continue
        if r.action == "trustee_set":
            branch["trustee"] = None if int(r.account, 16) == 0 else r.account
        elif r.action == "joined":
            where[int(r.member_index)] = (b, bool(r.counted))
            if int(r.from_branch or 0) in branches:
                old = branches[int(r.from_branch)]
                if old["trustee"] == r.account:
                    old["trustee"] = None
        elif r.action in ("counted", "uncounted"):
            where[int(r.member_index)] = (b, r.action == "counted")
        elif r.action == "delegates_elected":
            branch["delegates"] = {int(i): str(d) for i, d in r.delegates or []}
        elif r.action == "delegate_removed":
            branch["delegates"].pop(int(r.member_index), None)
        elif r.action == "meeting_convened":
            branch["meetings_convened"] += 1
        elif r.action == "verified":
            branch["applicants_verified"] += 1
    return branches, where


def list_branches(db: Db, contract: str, chain_id: int | None = None) -> BranchesPublic:
    """Every branch of `contract` as the chain's `branch(id)` answers, plus its delegates."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    branches, where = _fold(_rows(db, cid, contract))
    counts: dict[int, int] = {}
    for b, counted in where.values():
        if counted:
            counts[b] = counts.get(b, 0) + 1
    data = [
        BranchPublic(
            branch_id=b["branch_id"],
            meeting=b["meeting"],
            document_hash=b["document_hash"],
            trustee=b["trustee"],
            members=counts.get(b["branch_id"], 0),
            delegates=[
                DelegatePublic(member_index=i, address=a) for i, a in b["delegates"].items()
            ],
            meetings_convened=b["meetings_convened"],
            applicants_verified=b["applicants_verified"],
        )
        for b in sorted(branches.values(), key=lambda x: x["branch_id"])
    ]
    return BranchesPublic(
        contract=contract,
        as_of=as_of,
        data=data,
        count=len(data),
        delegate_count=sum(len(b.delegates) for b in data),
    )


def member_branch(
    db: Db, contract: str, account: str, chain_id: int | None = None
) -> MemberBranchPublic:
    """The branch `account` (as it last joined) belongs to, and whether it is a delegate."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    rows = _rows(db, cid, contract)
    branches, where = _fold(rows)
    index = None
    for r in rows:
        if r.action == "joined" and str(r.account).lower() == account.lower():
            index = int(r.member_index)
    branch_id = where[index][0] if index is not None and index in where else None
    delegate = branch_id is not None and index in branches[branch_id]["delegates"]
    return MemberBranchPublic(
        contract=contract, account=account, branch_id=branch_id, delegate=delegate, as_of=as_of
    )
