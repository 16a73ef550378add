"""Target programs: the programs of a TargetPrograms contract (purpose, terms, balance),
their members' parts, and one member's positions, from `program_event`.

A part is the contract's rule applied to the latest rows: `floor(units * balance /
totalUnits)` with the member's units counted only in the program's current epoch (see
`docs/programs.md`), so the mirror's parts equal the chain's `partOf` at the cursor block."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from indexer.models import BlockRef, ProgramEvent
from indexer.queries.common import Db, NotFound, _chain, _exec, _latest, current_block

PROGRAM = ProgramEvent.__table__  # type: ignore[attr-defined]
STATUS = {1: "open", 2: "closed"}


class ProgramPublic(BaseModel):
    """A program after the latest mirrored event."""

    contract: str
    program_id: int
    purpose: str
    terms: str
    """The hash of the terms document members accept."""
    decision: str
    """The creating decision's document hash."""
    status: str
    """open, closed."""
    balance: int
    total_units: int
    members: int
    epoch: int
    created_block: int


class ProgramsPublic(BaseModel):
    contract: str
    data: list[ProgramPublic]
    count: int
    as_of: BlockRef


class MemberPartPublic(BaseModel):
    """A member's position in a program."""

    program_id: int
    account: str
    joined: bool
    units: int
    part: int
    """What the member would be paid on leaving now."""
    contributed: int
    """What they contributed since joining."""


class ProgramMembersPublic(BaseModel):
    program: ProgramPublic
    data: list[MemberPartPublic]
    count: int
    parts_total: int
    """The sum of the parts: at most the balance, short of it by less than one token unit per
    unit holder (the rounding, in the program's favour)."""
    as_of: BlockRef


class MemberProgramsPublic(BaseModel):
    account: str
    data: list[MemberPartPublic]
    as_of: BlockRef


def part_of(units: int, balance: int, total_units: int) -> int:
    """`TargetPrograms.partOf`: `floor(units * balance / totalUnits)`."""
    return 0 if units == 0 or total_units == 0 else units * balance // total_units


def program_contracts(db: Db, chain_id: int | None = None) -> list[str]:
    """Every TargetPrograms contract with mirrored events."""
    cid = _chain(db, chain_id)
    stmt = sa.select(PROGRAM.c.contract).distinct().where(PROGRAM.c.chain_id == cid)
    return sorted(r[0] for r in _exec(db, stmt))


def _programs(db: Db, cid: int, contract: str, program_id: int | None = None) -> list[Any]:
    where = [PROGRAM.c.chain_id == cid, PROGRAM.c.contract == contract]
    if program_id is not None:
        where.append(PROGRAM.c.program_id == program_id)
    last = _latest(PROGRAM, ("program_id",), *where, extra_order=("seq",))
    created = (
        sa.select(
            PROGRAM.c.program_id,
            PROGRAM.c.purpose,
            PROGRAM.c.document,
            PROGRAM.c.decision,
            PROGRAM.c.block_number,
        )
        .where(*where, PROGRAM.c.action == "created")
        .subquery()
    )
    stmt = (
        sa.select(last, created.c.purpose.label("c_purpose"), created.c.document.label("c_terms"))
        .add_columns(
            created.c.decision.label("c_decision"), created.c.block_number.label("c_block")
        )
        .join(created, created.c.program_id == last.c.program_id)
        .order_by(last.c.program_id)
    )
    return list(_exec(db, stmt))


def _public(contract: str, r: Any) -> ProgramPublic:
    return ProgramPublic(
        contract=contract,
        program_id=int(r.program_id),
        purpose=r.c_purpose or "",
        terms=r.c_terms,
        decision=r.c_decision,
        status=STATUS.get(int(r.status_after), "unknown"),
        balance=int(r.balance_after),
        total_units=int(r.total_units_after),
        members=int(r.members_after),
        epoch=int(r.epoch_after),
        created_block=int(r.c_block),
    )


def programs(db: Db, contract: str, chain_id: int | None = None) -> ProgramsPublic:
    """Every program of `contract`, with its balance after the latest mirrored event."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    data = [_public(contract, r) for r in _programs(db, cid, contract)]
    return ProgramsPublic(contract=contract, data=data, count=len(data), as_of=as_of)


def program(db: Db, contract: str, program_id: int, chain_id: int | None = None) -> ProgramPublic:
    """One program; `NotFound` when the mirror has no such program."""
    cid = _chain(db, chain_id)
    rows = _programs(db, cid, contract, program_id)
    if not rows:
        raise NotFound(f"no program {program_id} of {contract} in the mirror")
    return _public(contract, rows[0])


def _positions(db: Db, cid: int, contract: str, *where: Any) -> list[Any]:
    last = _latest(
        PROGRAM,
        ("program_id", "account"),
        PROGRAM.c.chain_id == cid,
        PROGRAM.c.contract == contract,
        PROGRAM.c.member_joined.is_not(None),
        *where,
        extra_order=("seq",),
    )
    return list(_exec(db, sa.select(last).order_by(last.c.program_id, last.c.account)))


def _part(p: ProgramPublic, r: Any) -> MemberPartPublic:
    units = int(r.member_units_after) if int(r.member_epoch) == p.epoch else 0
    return MemberPartPublic(
        program_id=p.program_id,
        account=r.account,
        joined=bool(r.member_joined),
        units=units,
        part=part_of(units, p.balance, p.total_units),
        contributed=int(r.member_contributed_after),
    )


def program_members(
    db: Db, contract: str, program_id: int, chain_id: int | None = None
) -> ProgramMembersPublic:
    """The members of a program (those who left are not listed) with their parts."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    p = program(db, contract, program_id, cid)
    rows = _positions(db, cid, contract, PROGRAM.c.program_id == program_id)
    data = [_part(p, r) for r in rows if r.member_joined]
    return ProgramMembersPublic(
        program=p,
        data=data,
        count=len(data),
        parts_total=sum(m.part for m in data),
        as_of=as_of,
    )


def member_programs(
    db: Db, contract: str, account: str, chain_id: int | None = None
) -> MemberProgramsPublic:
    """`account`'s positions in every program they are in ("my part")."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    by_id = {p.program_id: p for p in programs(db, contract, cid).data}
    rows = _positions(db, cid, contract, PROGRAM.c.account == account)
    data = [_part(by_id[int(r.program_id)], r) for r in rows if r.member_joined]
    return MemberProgramsPublic(account=account, data=data, as_of=as_of)


__all__ = [
    "MemberPartPublic",
    "MemberProgramsPublic",
    "ProgramMembersPublic",
    "ProgramPublic",
    "ProgramsPublic",
    "member_programs",
    "part_of",
    "program",
    "program_contracts",
    "program_members",
    "programs",
]
