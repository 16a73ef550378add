"""Cooperative branches (кооперативные участки): the branches with their trustees, members and
delegates (from the mirror), my branch, and the two acts a member's own wallet signs: joining a
branch, and (for a branch's trustee) attesting an applicant's identity check.

Creating branches and appointing trustees are council decisions (`/council`); delegates are
elected only by a branch meeting's accepted question (see docs/governance.md, "Branches").
Each act is simulated before it is offered: a refusal (another branch's applicant, a
non-trustee) is a 422 with the contract's reason.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from hexbytes import HexBytes
from pydantic import BaseModel

from indexer.queries import branches as branch_queries
from node.api import mirror
from node.api.deps import CallerDep, GatewayDep, WriterDep
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.schemas import Address, Hash32, TransactionToSign
from node.api.txbuild import unsigned_tx
from node.chain.client import checksum

router = APIRouter(prefix="/branches", tags=["branches"])

BranchId = Annotated[int, Path(ge=1, lt=2**32, description="Branch number (from 1)")]


class VerifyCreate(BaseModel):
    applicant: Address
    """The applicant of your branch whose identity you checked."""
    check_record: Hash32
    """`0x` + hash of the identity check record (the record itself stays off chain)."""


def _branches(gw: Gateway) -> str:
    address = gw.module_address("branches")
    if address is None:
        raise Problem(
            404,
            "У кооператива нет кооперативных участков (в записи развёртывания нет branches) / "
            "The cooperative has no branches (no branches in the deployment record)",
        )
    return address


@router.get(
    "",
    response_model=branch_queries.BranchesPublic,
    responses=problem_responses(401, 404, 503),
)
async def list_branches(gw: GatewayDep, caller: CallerDep) -> Response:
    """Every branch: its meeting contract, trustee, counted members and delegates."""
    contract, cid = _branches(gw), gw.chain_id
    return await mirror.respond(
        gw,
        ("branches", contract),
        lambda c: branch_queries.list_branches(c, contract, chain_id=cid),
    )


@router.get(
    "/me",
    response_model=branch_queries.MemberBranchPublic,
    responses=problem_responses(401, 404, 503),
)
async def my_branch(gw: GatewayDep, caller: CallerDep) -> Response:
    """The branch you belong to (none: null) and whether you hold a delegate's mandate."""
    contract, cid, me = _branches(gw), gw.chain_id, caller.address
    return await mirror.respond(
        gw,
        ("branch_of", contract, me),
        lambda c: branch_queries.member_branch(c, contract, me, chain_id=cid),
    )


@router.post(
    "/{branch_id}/join",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def join_branch(gw: GatewayDep, caller: WriterDep, branch_id: BranchId) -> TransactionToSign:
    """A transaction for your wallet: join the branch (or move to it from yours). An applicant
    chooses a branch before the identity check: its trustee verifies them."""
    contract = gw.chain.contract("Branches", _branches(gw))
    fn = contract.functions.joinBranch(branch_id)
    return unsigned_tx(
        gw,
        fn,
        caller.address,
        f"Вступление в кооперативный участок №{branch_id} / Joining branch {branch_id}",
    )


@router.post(
    "/verify",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def verify_applicant(gw: GatewayDep, caller: WriterDep, body: VerifyCreate) -> TransactionToSign:
    """A transaction for the trustee's wallet: attest the identity check of an applicant of the
    trustee's own branch (the contract refuses any other applicant and any other sender)."""
    contract = gw.chain.contract("Branches", _branches(gw))
    fn = contract.functions.attestIdentity(checksum(body.applicant), HexBytes(body.check_record))
    return unsigned_tx(
        gw,
        fn,
        caller.address,
        f"Подтверждение личности заявителя {body.applicant} уполномоченным участка / "
        f"The branch trustee attests the identity of applicant {body.applicant}",
    )
