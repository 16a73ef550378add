"""Labour and results (`docs/labour.md`): the decided rates, work records, the member's own
records and parts, distributions of surplus with their computation (every part recomputed from
the mirror beside the part the chain credited), and the actions as transactions to sign: make
and record a results act, approve or reject work (an approver, never on their own work), run a
batch of a payout, claim a payout.

Amounts are in the payment token's smallest units, as decimal strings (see node.api.amounts).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from eth_utils import keccak
from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from indexer.models import BlockRef
from indexer.queries import labour as labour_queries
from indexer.queries.common import NotFound, current_block
from node.api import mirror
from node.api.amounts import AmountOut
from node.api.deps import CallerDep, GatewayDep, WriterDep
from node.api.documents import cooperative_context, generate_pdf
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.schemas import ADDRESS_PATTERN, Hash32, TransactionToSign
from node.api.txbuild import bytes32, unsigned_tx
from node.chain.client import checksum
from node.cooperative.client import DocumentType
from node.documents.facts import cooperative, header, labour_act
from node.labour import LabourRegister, Unit, valuation

router = APIRouter(prefix="/labour", tags=["labour"])

AddressPath = Annotated[str, Path(pattern=ADDRESS_PATTERN, description="EVM address")]
RecordId = Annotated[int, Path(ge=1, lt=2**63, description="Work record number")]
DistributionId = Annotated[int, Path(ge=1, lt=2**63, description="Distribution number")]
StatusQuery = Annotated[
    Literal["recorded", "points", "approved_for_shares", "contributed", "rejected"] | None,
    Query(description="Only records in this status"),
]


def _no_register() -> Problem:
    return Problem(
        404,
        "У кооператива нет реестра труда / The cooperative has no labour register",
    )


def _register_address(gw: Gateway) -> str:
    """The register: the deployment record's `labour_register`, else the latest one the mirror
    saw installed for the charter."""
    address = gw.module_address("labour_register")
    if address is not None:
        return address
    charter = gw.coop.addresses.charter
    found = mirror.read(gw, "labour_register_of", labour_queries.register_of, charter)
    if found is None:
        raise _no_register()
    return checksum(found)


def _register(gw: Gateway) -> LabourRegister:
    return LabourRegister(gw.chain, _register_address(gw))


# -- read models ---------------------------------------------------------------------------------


class RateOut(BaseModel):
    rate_id: int
    price: AmountOut
    unit: str
    """hour (quantities in hundredths of an hour) or result."""
    active: bool
    document: str


class WorkRecordOut(BaseModel):
    record_id: int
    member: str
    period: int
    rate_id: int
    quantity: int
    value: AmountOut
    task: str
    act: str
    """The results act's SHA-256 (`GET /documents/{sha256}`)."""
    status: str
    approver: str | None
    block_number: int


class PartOut(BaseModel):
    member: str
    points: AmountOut
    part: AmountOut | None
    """Credited by the chain (None until its batch runs)."""
    recomputed: AmountOut
    """The same rule applied to the mirrored points: equal to `part` once credited."""


class DistributionOut(BaseModel):
    distribution_id: int
    period: int
    basis: str
    form: str
    surplus: AmountOut
    total_points: AmountOut
    participants: int
    meeting_id: int
    question_index: int
    document: str
    funded: bool
    credited: AmountOut
    completed: bool
    parts: list[PartOut]


class LabourOverview(BaseModel):
    contract: str
    """The LabourRegister."""
    rates: list[RateOut]
    as_of: BlockRef


class RecordsOut(BaseModel):
    data: list[WorkRecordOut]
    count: int
    as_of: BlockRef


class DistributionsOut(BaseModel):
    data: list[DistributionOut]
    count: int
    as_of: BlockRef


class DistributionDetail(BaseModel):
    distribution: DistributionOut
    rule: str
    """How each part is computed, in words (Russian / English)."""
    as_of: BlockRef


class MemberPartOut(BaseModel):
    distribution_id: int
    period: int
    basis: str
    form: str
    points: AmountOut
    part: AmountOut | None
    recomputed: AmountOut


class MemberLabourOut(BaseModel):
    member: str
    records: list[WorkRecordOut]
    parts: list[MemberPartOut]
    as_of: BlockRef


RULE = (
    "Каждый участник, кроме последнего в порядке первого учёта, получает "
    "floor(излишек × его баллы / сумма баллов); последний — остаток, так что сумма частей равна "
    "излишку. / Every participant but the last (in order of first points) gets "
    "floor(surplus × points / total points); the last gets the remainder, so the parts add up "
    "to the surplus."
)


def _records(c: Connection, register: str, cid: int, **kw: object) -> list[WorkRecordOut]:
    found = labour_queries.work_records(c, register, cid, **kw)  # type: ignore[arg-type]
    return [WorkRecordOut(**w.model_dump()) for w in found]


def _distribution(d: labour_queries.DistributionPublic) -> DistributionOut:
    return DistributionOut(**d.model_dump())


# -- reads ---------------------------------------------------------------------------------------


@router.get("", response_model=LabourOverview, responses=problem_responses(401, 404, 503))
async def labour_overview(gw: GatewayDep, caller: CallerDep) -> Response:
    """The register and the rates decided (by the council or the general meeting)."""
    register, cid = _register_address(gw), gw.chain_id

    def compute(c: Connection) -> LabourOverview:
        rates = [RateOut(**r.model_dump()) for r in labour_queries.rates(c, register, cid)]
        return LabourOverview(contract=register, rates=rates, as_of=current_block(c, cid))

    return await mirror.respond(gw, ("labour", register), compute)


@router.get("/records", response_model=RecordsOut, responses=problem_responses(401, 404, 503))
async def list_records(gw: GatewayDep, caller: CallerDep, status: StatusQuery = None) -> Response:
    """Every work record (an approver's queue: `?status=recorded`)."""
    register, cid = _register_address(gw), gw.chain_id

    def compute(c: Connection) -> RecordsOut:
        data = _records(c, register, cid, status=status)
        return RecordsOut(data=data, count=len(data), as_of=current_block(c, cid))

    return await mirror.respond(gw, ("labour_records", register, status), compute)


@router.get(
    "/members/{address}",
    response_model=MemberLabourOut,
    responses=problem_responses(401, 404, 503),
)
async def member_labour(gw: GatewayDep, caller: CallerDep, address: AddressPath) -> Response:
    """A member's own records and their part of every distribution, credited and recomputed."""
    register, cid, member = _register_address(gw), gw.chain_id, checksum(address)

    def compute(c: Connection) -> MemberLabourOut:
        parts = labour_queries.member_parts(c, register, member, cid)
        return MemberLabourOut(
            member=member,
            records=_records(c, register, cid, member=member),
            parts=[MemberPartOut(**p) for p in parts],
            as_of=current_block(c, cid),
        )

    return await mirror.respond(gw, ("labour_member", register, member), compute)


@router.get(
    "/distributions",
    response_model=DistributionsOut,
    responses=problem_responses(401, 404, 503),
)
async def list_distributions(gw: GatewayDep, caller: CallerDep) -> Response:
    """Every distribution of surplus with its parts (credited and recomputed)."""
    register, cid = _register_address(gw), gw.chain_id

    def compute(c: Connection) -> DistributionsOut:
        data = [_distribution(d) for d in labour_queries.distributions(c, register, cid)]
        return DistributionsOut(data=data, count=len(data), as_of=current_block(c, cid))

    return await mirror.respond(gw, ("labour_distributions", register), compute)


@router.get(
    "/distributions/{distribution_id}",
    response_model=DistributionDetail,
    responses=problem_responses(401, 404, 503),
)
async def get_distribution(
    gw: GatewayDep, caller: CallerDep, distribution_id: DistributionId
) -> Response:
    """One distribution, its computation rule and every part."""
    register, cid = _register_address(gw), gw.chain_id

    def compute(c: Connection) -> DistributionDetail:
        try:
            d = labour_queries.distribution(c, register, distribution_id, cid)
        except NotFound as exc:
            raise Problem(404, "Нет такого распределения / No such distribution") from exc
        return DistributionDetail(
            distribution=_distribution(d), rule=RULE, as_of=current_block(c, cid)
        )

    return await mirror.respond(gw, ("labour_distribution", register, distribution_id), compute)


# -- writes --------------------------------------------------------------------------------------


class ActCreate(BaseModel):
    rate_id: int = Field(ge=1, lt=2**32)
    period: int = Field(ge=0, lt=2**32, description="A label such as 20264 (Q4 2026)")
    quantity: int = Field(ge=1, lt=2**64, description="Hundredths of an hour, or results")
    task: str = Field(min_length=1, max_length=500)
    """The task or project (its keccak-256 goes on chain)."""
    result: str = Field(min_length=1, max_length=2000)
    """What was done, as the act states it."""


class ActPublic(BaseModel):
    act_sha256: str
    value: AmountOut
    """The valuation the register will compute."""
    record: TransactionToSign
    """`record(...)` binding the act's hash, for the member to sign (after the anchor: its
    nonce is the anchor's plus one)."""
    anchor: TransactionToSign | None
    """Anchors the act in the document registry (None when already anchored): sign it first."""
    sign_at: str
    """Where the member (and later the approver) signs the act (EIP-712)."""


@router.post("/acts", response_model=ActPublic, responses=problem_responses(401, 403, 404, 422))
def make_act(gw: GatewayDep, caller: WriterDep, body: ActCreate) -> ActPublic:
    """For a member: the results act («акт о результатах труда») of their work at a decided
    rate, generated as a PDF, and the transactions recording the work with the act's hash and
    anchoring it. The record transaction is simulated first: a non-member, an inactive rate or a
    closed period is a 422 before anything is stored."""
    reg = _register(gw)
    raw = reg.contract.functions.rate(body.rate_id).call()
    price, unit, active, document = int(raw[0]), int(raw[1]), bool(raw[2]), bytes(raw[3])
    if not active:
        raise Problem(422, "Нет такой действующей расценки / No such active rate")
    task_hash = keccak(text=body.task)
    # Simulated with a placeholder act first: refusals before a file is stored.
    probe = reg.contract.functions.record(
        body.rate_id, body.period, body.quantity, task_hash, b"\x01" * 32
    )
    unsigned_tx(gw, probe, caller.address, "probe")
    value = valuation(price, Unit(unit), body.quantity)
    rate = {
        "rate_id": body.rate_id,
        "price": price,
        "unit": unit,
        "document": "0x" + document.hex(),
    }
    ctx = cooperative_context(gw)
    facts = {
        **header(
            cooperative(str(ctx["cooperative_name"]), str(ctx["charter"]), gw.chain_id),
            datetime.now(UTC).date().isoformat(),
            mirror.current_block(gw),
        ),
        **labour_act(
            caller.address,
            None,
            reg.address,
            rate,
            body.period,
            body.quantity,
            body.task,
            body.result,
            value,
        ),
    }
    row = generate_pdf(
        gw, "labour_act", facts, stored_by=caller.address, filename=f"act-{body.period}.pdf"
    )
    digest = bytes.fromhex(row.sha256)
    fn = reg.contract.functions.record(body.rate_id, body.period, body.quantity, task_hash, digest)
    record = unsigned_tx(gw, fn, caller.address, "Записать работу с актом / Record the work")
    anchor = None
    if int(gw.coop.documents.functions.documentOf(digest).call()[0], 16) == 0:
        anchor_fn = gw.coop.documents.functions.anchor(
            digest, int(DocumentType.CONTRACT), b"\0" * 32
        )
        anchor = unsigned_tx(
            gw, anchor_fn, caller.address, "Закрепить акт о результатах / Anchor the results act"
        )
        # The anchor goes first; the record takes the next nonce.
        record.transaction.nonce += 1
    return ActPublic(
        act_sha256=row.sha256,
        value=value,
        record=record,
        anchor=anchor,
        sign_at=f"/documents/{row.sha256}/signatures/typed-data",
    )


class ApprovalCreate(BaseModel):
    use: Literal["points", "shares"] = "points"
    """Labour participation points of the period, or a share contribution (credited then by a
    council decision)."""


class RejectionCreate(BaseModel):
    reason: Hash32
    """The hash of the reasoned refusal."""


@router.post(
    "/records/{record_id}/approval/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def approval_tx(
    gw: GatewayDep, caller: WriterDep, record_id: RecordId, body: ApprovalCreate
) -> TransactionToSign:
    """For an approver the council appointed: approve work (never one's own: refused)."""
    reg = _register(gw)
    fn = reg.contract.functions.approve(record_id, 0 if body.use == "points" else 1)
    return unsigned_tx(gw, fn, caller.address, "Утвердить работу / Approve the work")


@router.post(
    "/records/{record_id}/rejection/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def rejection_tx(
    gw: GatewayDep, caller: WriterDep, record_id: RecordId, body: RejectionCreate
) -> TransactionToSign:
    """For an approver: reject work with the hash of the reasons."""
    reg = _register(gw)
    fn = reg.contract.functions.reject(record_id, bytes32(body.reason))
    return unsigned_tx(gw, fn, caller.address, "Отклонить работу / Reject the work")


class BatchCreate(BaseModel):
    count: int = Field(default=200, ge=1, le=500)
    """Participants to credit in this transaction."""


@router.post(
    "/distributions/{distribution_id}/batch/tx",
    response_model=TransactionToSign,
    responses=problem_responses(401, 403, 404, 422),
)
def batch_tx(
    gw: GatewayDep, caller: WriterDep, distribution_id: DistributionId, body: BatchCreate
) -> TransactionToSign:
    """For anyone: credit the next participants of a funded payout (a distribution in shares
    is run by council decisions)."""
    reg = _register(gw)
    fn = reg.contract.functions.creditBatch(distribution_id, body.count)
    return unsigned_tx(gw, fn, caller.address, "Начислить части / Credit the parts")


@router.post(
    "/claim/tx", response_model=TransactionToSign, responses=problem_responses(401, 403, 404, 422)
)
def claim_tx(gw: GatewayDep, caller: WriterDep) -> TransactionToSign:
    """For a member: take out every payout credited to them."""
    reg = _register(gw)
    fn = reg.contract.functions.claim()
    return unsigned_tx(gw, fn, caller.address, "Получить выплату / Claim the payout")
