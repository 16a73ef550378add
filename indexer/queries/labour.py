"""The labour register: rates, work records, a period's points, distributions and their parts,
all folded from `labour_event`; and the recomputation of a distribution's parts from the
mirrored points alone (`recompute_parts`), so that every member can check the part the chain
credited them.

The rule is the contract's (`LabourRegister.creditBatch`): participants in order of their first
points of the period (on the distribution's basis); each but the last gets
floor(surplus * points / total), the last the remainder, so the parts add up to the surplus."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from indexer.queries.common import LABOUR, Db, NotFound, _chain, _exec

STATUS = {
    "recorded": "recorded",
    "approved_points": "points",
    "approved_shares": "approved_for_shares",
    "contributed": "contributed",
    "rejected": "rejected",
}
BASIS = ("labour", "purchases")
FORM = ("payout", "shares")
UNIT = ("hour", "result")


class RatePublic(BaseModel):
    rate_id: int
    price: int
    unit: str
    active: bool
    document: str


class WorkRecordPublic(BaseModel):
    record_id: int
    member: str
    period: int
    rate_id: int
    quantity: int
    value: int
    task: str
    act: str
    status: str
    approver: str | None = None
    block_number: int


class PartPublic(BaseModel):
    member: str
    points: int
    part: int | None
    """What the chain credited (None while the batch has not reached the member)."""
    recomputed: int
    """What the mirrored points give by the contract's rule."""


class DistributionPublic(BaseModel):
    distribution_id: int
    period: int
    basis: str
    form: str
    surplus: int
    total_points: int
    participants: int
    meeting_id: int
    question_index: int
    document: str
    funded: bool
    credited: int
    completed: bool
    parts: list[PartPublic]


def _rows(db: Db, chain_id: int | None, register: str, *where: Any) -> list[Any]:
    cid = _chain(db, chain_id)
    stmt = (
        sa.select(LABOUR)
        .where(LABOUR.c.chain_id == cid, LABOUR.c.contract == register, *where)
        .order_by(LABOUR.c.block_number, LABOUR.c.log_index)
    )
    return list(_exec(db, stmt))


def registers(db: Db, chain_id: int | None = None) -> list[dict[str, str]]:
    """Every installed register: `{register, charter}`."""
    cid = _chain(db, chain_id)
    stmt = sa.select(LABOUR.c.contract, LABOUR.c.member).where(
        LABOUR.c.chain_id == cid, LABOUR.c.action == "installed"
    )
    return [{"register": r.contract, "charter": r.member} for r in _exec(db, stmt)]


def register_of(db: Db, charter: str, chain_id: int | None = None) -> str | None:
    """The latest register installed for `charter` (None: none yet)."""
    found = [r["register"] for r in registers(db, chain_id) if r["charter"] == charter]
    return found[-1] if found else None


def rates(db: Db, register: str, chain_id: int | None = None) -> list[RatePublic]:
    out: dict[int, RatePublic] = {}
    for r in _rows(db, chain_id, register, LABOUR.c.action == "rate_set"):
        d = r.data
        rid = int(d["rateId"])
        out[rid] = RatePublic(
            rate_id=rid,
            price=int(r.amount) if r.amount is not None else int(d["price"]),
            unit=UNIT[int(d["unit"])],
            active=bool(d["active"]),
            document=d["document"],
        )
    return [out[k] for k in sorted(out)]


def work_records(
    db: Db,
    register: str,
    chain_id: int | None = None,
    *,
    member: str | None = None,
    status: str | None = None,
) -> list[WorkRecordPublic]:
    """Work records with their current status (`recorded`, `points`, `approved_for_shares`,
    `contributed`, `rejected`), optionally one member's or in one status."""
    actions = ("recorded", "approved", "rejected", "contributed")
    found: dict[int, WorkRecordPublic] = {}
    for r in _rows(db, chain_id, register, LABOUR.c.action.in_(actions)):
        rid = int(r.record_id)
        if r.action == "recorded":
            d = r.data
            found[rid] = WorkRecordPublic(
                record_id=rid,
                member=r.member,
                period=int(r.period),
                rate_id=int(d["rateId"]),
                quantity=int(d["quantity"]),
                value=int(r.amount),
                task=d["task"],
                act=d["act"],
                status="recorded",
                block_number=int(r.block_number),
            )
            continue
        rec = found.get(rid)
        if rec is None:
            continue
        if r.action == "approved":
            rec.status = "points" if int(r.data["use"]) == 0 else "approved_for_shares"
            rec.approver = r.member
        elif r.action == "rejected":
            rec.status, rec.approver = "rejected", r.member
        else:
            rec.status = "contributed"
    out = list(found.values())
    if member is not None:
        out = [w for w in out if w.member == member]
    if status is not None:
        out = [w for w in out if w.status == status]
    return out


def period_points(
    db: Db, register: str, period: int, basis: int = 0, chain_id: int | None = None
) -> list[tuple[str, int]]:
    """(member, points) of `period` on `basis`, in the register's participant order (first
    points first)."""
    points: dict[str, int] = {}
    where = (
        LABOUR.c.action == "points_added",
        LABOUR.c.period == period,
        LABOUR.c.basis == basis,
    )
    for r in _rows(db, chain_id, register, *where):
        points[r.member] = points.get(r.member, 0) + int(r.amount)
    return list(points.items())


def recompute_parts(surplus: int, points: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Each participant's part of `surplus` by the contract's rule (`points` in participant
    order): floor(surplus * points / total) for all but the last, who takes the remainder."""
    total = sum(p for _, p in points)
    parts: dict[str, int] = {}
    given = 0
    for i, (member, p) in enumerate(points):
        part = surplus - given if i == len(points) - 1 else surplus * p // total
        parts[member] = part
        given += part
    return parts


def distributions(db: Db, register: str, chain_id: int | None = None) -> list[DistributionPublic]:
    """Every distribution of `register`, each with its parts: credited and recomputed."""
    rows = _rows(
        db,
        chain_id,
        register,
        LABOUR.c.action.in_(
            (
                "distribution_approved",
                "distribution_funded",
                "part_credited",
                "distribution_completed",
            )
        ),
    )
    out: dict[int, DistributionPublic] = {}
    credited: dict[int, dict[str, int]] = {}
    for r in rows:
        did = int(r.distribution_id)
        if r.action == "distribution_approved":
            d = r.data
            out[did] = DistributionPublic(
                distribution_id=did,
                period=int(r.period),
                basis=BASIS[int(r.basis)],
                form=FORM[int(d["form"])],
                surplus=int(r.amount),
                total_points=int(d["totalPoints"]),
                participants=int(d["participants"]),
                meeting_id=int(d["meetingId"]),
                question_index=int(d["questionIndex"]),
                document=d["document"],
                funded=False,
                credited=0,
                completed=False,
                parts=[],
            )
            credited[did] = {}
        elif did in out:
            if r.action == "distribution_funded":
                out[did].funded = True
            elif r.action == "part_credited":
                credited[did][r.member] = int(r.amount)
                out[did].credited += int(r.amount)
            else:
                out[did].completed = True
    for did, dist in out.items():
        points = period_points(db, register, dist.period, BASIS.index(dist.basis), chain_id)
        recomputed = recompute_parts(dist.surplus, points)
        dist.parts = [
            PartPublic(member=m, points=p, part=credited[did].get(m), recomputed=recomputed[m])
            for m, p in points
        ]
    return [out[k] for k in sorted(out)]


def distribution(
    db: Db, register: str, distribution_id: int, chain_id: int | None = None
) -> DistributionPublic:
    for d in distributions(db, register, chain_id):
        if d.distribution_id == distribution_id:
            return d
    raise NotFound(f"no distribution {distribution_id} in {register}")


def member_parts(
    db: Db, register: str, member: str, chain_id: int | None = None
) -> list[dict[str, Any]]:
    """A member's parts of every distribution: `{distribution_id, period, basis, form, points,
    part, recomputed}`."""
    out = []
    for d in distributions(db, register, chain_id):
        for p in d.parts:
            if p.member == member:
                out.append(
                    {
                        "distribution_id": d.distribution_id,
                        "period": d.period,
                        "basis": d.basis,
                        "form": d.form,
                        "points": p.points,
                        "part": p.part,
                        "recomputed": p.recomputed,
                    }
                )
    return out
