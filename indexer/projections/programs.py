"""Target programs (TargetPrograms): `program_event`, one row per program event.

Each row carries the program after the event (balance, units, members, epoch, status), and for
member events the member's units after it (of the epoch `member_epoch`), whether they are in,
and what they contributed since joining. The mirror recomputes the contract's accounting from
the events alone, exactly: a contribution adds its amount and units, a spend subtracts its
amount (and, when it empties the program, clears the units and moves to the event's epoch), a
departure subtracts the part paid and the units burnt. A member's part is then
`floor(units * balance / totalUnits)` over the latest rows (`indexer/queries/programs.py`).

`ProgramMemberRebound(from, to)` (key recovery) names no program: for each program `from` is in,
the projection writes a `rebound_from` row (nothing left) and a `rebound_to` row (the position
moved), `seq` 0 and 1, 2 and 3, ...

A cooperative's TargetPrograms is announced by `TargetProgramsInstalled` (a discovery event of
the network's `TargetProgramsInstaller`); its events are taken by their full signatures, which
only ITargetPrograms declares.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from indexer.models import ProgramEvent
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import add, batch, cached, hex32, latest, store, table_of

SIG = {
    "created": "ProgramCreated(uint256,bytes32,bytes32,string)",
    "joined": "ProgramJoined(uint256,address,bytes32)",
    "contributed": "ProgramContributed(uint256,address,uint256,uint256)",
    "spent": "ProgramSpent(uint256,address,uint256,bytes32,uint32)",
    "left": "ProgramLeft(uint256,address,uint256,uint256)",
    "closed": "ProgramClosed(uint256,bytes32)",
    "rebound": "ProgramMemberRebound(address,address)",
}
OPEN, CLOSED = 1, 2
_NO_MEMBER = {"units": 0, "epoch": 0, "joined": False, "contributed": 0}


def _program(ctx: ProjectionContext, contract: str, program_id: int) -> dict[str, int]:
    def load() -> dict[str, int]:
        row = latest(
            ctx, ProgramEvent, order_extra=("seq",), contract=contract, program_id=program_id
        )
        if row is None:
            return {"balance": 0, "units": 0, "members": 0, "epoch": 0, "status": OPEN}
        return {
            "balance": int(row["balance_after"]),
            "units": int(row["total_units_after"]),
            "members": int(row["members_after"]),
            "epoch": int(row["epoch_after"]),
            "status": int(row["status_after"]),
        }

    return cached(ctx, ("program", contract, program_id), load)


def _member(ctx: ProjectionContext, contract: str, program_id: int, account: str) -> dict[str, Any]:
    def load() -> dict[str, Any]:
        table = table_of(ProgramEvent)
        row = ctx.conn.execute(
            sa.select(table)
            .where(
                table.c.chain_id == ctx.chain_id,
                table.c.contract == contract,
                table.c.program_id == program_id,
                table.c.account == account,
                table.c.member_joined.is_not(None),
            )
            .order_by(table.c.block_number.desc(), table.c.log_index.desc(), table.c.seq.desc())
            .limit(1)
        ).first()
        if row is None:
            return dict(_NO_MEMBER)
        m = row._mapping
        return {
            "units": int(m["member_units_after"]),
            "epoch": int(m["member_epoch"]),
            "joined": bool(m["member_joined"]),
            "contributed": int(m["member_contributed_after"]),
        }

    return cached(ctx, ("program_member", contract, program_id, account), load)


def _row(
    ctx: ProjectionContext,
    event: Event,
    program_id: int,
    action: str,
    *,
    seq: int = 0,
    account: str | None = None,
    amount: int = 0,
    units: int = 0,
    member: dict[str, Any] | None = None,
    **extra: Any,
) -> None:
    p = _program(ctx, event.address, program_id)
    cols: dict[str, Any] = {}
    if member is not None and account is not None:
        store(ctx, ("program_member", event.address, program_id, account), member)
        cols = {
            "member_units_after": str(member["units"]),
            "member_epoch": member["epoch"],
            "member_joined": member["joined"],
            "member_contributed_after": str(member["contributed"]),
        }
    add(
        ctx,
        ProgramEvent,
        event,
        contract=event.address,
        program_id=program_id,
        seq=seq,
        action=action,
        account=account,
        amount=str(amount),
        units=str(units),
        balance_after=str(p["balance"]),
        total_units_after=str(p["units"]),
        members_after=p["members"],
        epoch_after=p["epoch"],
        status_after=p["status"],
        **cols,
        **extra,
    )


@projection(
    SIG["created"], SIG["closed"], SIG["spent"], tables=(ProgramEvent,), name="program_decisions"
)
def program_decisions(ctx: ProjectionContext, event: Event) -> None:
    pid = event.int("programId")
    p = _program(ctx, event.address, pid)
    if event.name == "ProgramCreated":
        p.update(balance=0, units=0, members=0, epoch=0, status=OPEN)
        _row(
            ctx,
            event,
            pid,
            "created",
            document=hex32(event.args["terms"]),
            decision=hex32(event.args["decision"]),
            purpose=str(event.args["purpose"]),
        )
    elif event.name == "ProgramClosed":
        p["status"] = CLOSED
        _row(ctx, event, pid, "closed", document=hex32(event.args["decision"]))
    else:
        amount = event.int("amount")
        p["balance"] -= amount
        if event.int("epoch") != p["epoch"]:
            p["units"], p["epoch"] = 0, event.int("epoch")
        _row(
            ctx,
            event,
            pid,
            "spent",
            account=event.args["recipient"],
            amount=amount,
            document=hex32(event.args["decision"]),
        )


@projection(
    SIG["joined"], SIG["contributed"], SIG["left"], tables=(ProgramEvent,), name="program_members"
)
def program_members(ctx: ProjectionContext, event: Event) -> None:
    pid, account = event.int("programId"), event.args["member"]
    p = _program(ctx, event.address, pid)
    m = dict(_member(ctx, event.address, pid, account))
    held = m["units"] if m["epoch"] == p["epoch"] else 0
    if event.name == "ProgramJoined":
        p["members"] += 1
        m = {"units": 0, "epoch": p["epoch"], "joined": True, "contributed": 0}
        _row(
            ctx,
            event,
            pid,
            "joined",
            account=account,
            member=m,
            document=hex32(event.args["terms"]),
        )
    elif event.name == "ProgramContributed":
        amount, units = event.int("amount"), event.int("units")
        p["balance"] += amount
        p["units"] += units
        m.update(units=held + units, epoch=p["epoch"], contributed=m["contributed"] + amount)
        _row(ctx, event, pid, "contributed", account=account, amount=amount, units=units, member=m)
    else:
        amount, units = event.int("amount"), event.int("units")
        p["balance"] -= amount
        p["units"] -= units
        p["members"] -= 1
        m = dict(_NO_MEMBER, epoch=p["epoch"])
        _row(ctx, event, pid, "left", account=account, amount=amount, units=units, member=m)


def _programs_of(ctx: ProjectionContext, contract: str, account: str) -> list[int]:
    table = table_of(ProgramEvent)
    ids = {
        int(r[0])
        for r in ctx.conn.execute(
            sa.select(table.c.program_id)
            .distinct()
            .where(
                table.c.chain_id == ctx.chain_id,
                table.c.contract == contract,
                table.c.account == account,
                table.c.member_joined.is_not(None),
            )
        )
    }
    for key in batch(ctx):
        if isinstance(key, tuple) and key[:2] == ("program_member", contract) and key[3] == account:
            ids.add(int(key[2]))
    return sorted(ids)


@projection(SIG["rebound"], tables=(ProgramEvent,), name="program_rebound")
def program_rebound(ctx: ProjectionContext, event: Event) -> None:
    old, new = event.args["from"], event.args["to"]
    seq = 0
    for pid in _programs_of(ctx, event.address, old):
        moved = dict(_member(ctx, event.address, pid, old))
        if not moved["joined"]:
            continue
        _row(
            ctx,
            event,
            pid,
            "rebound_from",
            seq=seq,
            account=old,
            member=dict(_NO_MEMBER, epoch=moved["epoch"]),
            units=moved["units"],
        )
        _row(
            ctx,
            event,
            pid,
            "rebound_to",
            seq=seq + 1,
            account=new,
            member=moved,
            units=moved["units"],
        )
        seq += 2
