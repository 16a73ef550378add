"""`coop clearing run`: read the open obligations, plan the largest set-off, check the plan,
and submit it chunk by chunk.

The obligations come from the SQL mirror when its database is configured and current (its
cursor is the chain's head block, same hash: one query instead of one RPC call per obligation),
else from the chain. The contract checks every chunk again either way, so a stale read can only
make a chunk fail, never clear something wrongly.

Every chunk is balanced on its own (the engine builds them from whole debt cycles) and the
contract checks it again, so chunks are independent: a chunk that fails (an obligation was paid
or cancelled between reading and submitting) is reported and the run goes on with the next.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3

from node.chain.client import Chain, TransactionReverted
from node.clearing.engine import DEFAULT_MAX_PER_CHUNK, Obligation, plan_clearing, verify_plan
from node.units.client import SettlementUnitsClient, plan_hash

#: Where `run_clearing` reads the open obligations: the mirror if it is current, else the chain
#: ("auto"); only the mirror (an error if it is not current); only the chain.
Source = Literal["auto", "mirror", "chain"]
SOURCES: tuple[Source, ...] = ("auto", "mirror", "chain")


class MirrorUnavailable(RuntimeError):
    """The SQL mirror cannot answer for this contract now (the reason is the message)."""


@dataclass(frozen=True)
class MirrorRead:
    """Open obligations read from the mirror, and the block they are current at."""

    obligations: list[Obligation]
    block_number: int
    block_hash: str


def sqlite_file_missing(database_url: str) -> bool:
    """True for a SQLite URL whose file does not exist: nothing is mirrored there, and opening
    it would create an empty database."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return False
    return not url.database or url.database == ":memory:" or not Path(url.database).exists()


def read_open_obligations_from_mirror(
    database_url: str, chain: Chain, units_address: str, max_lag: int = 0
) -> MirrorRead:
    """The open obligations of `units_address` from the mirror at `database_url`, provided the
    mirror follows this chain, its cursor block is on the chain (same hash) and at most
    `max_lag` blocks below the head, and it knows the contract. Read-only: opens no write
    transaction, runs no migration. Raises `MirrorUnavailable` with the reason otherwise."""
    from indexer.db import make_engine
    from indexer.queries.common import NotFound, current_block
    from indexer.queries.registry import get_cooperative
    from indexer.queries.units import open_obligations

    if sqlite_file_missing(database_url):
        raise MirrorUnavailable(f"no mirror database at {database_url}")
    units = Web3.to_checksum_address(units_address)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            try:
                cursor = current_block(conn, chain.chain_id)
                coop = get_cooperative(conn, units, chain.chain_id)
            except NotFound as exc:
                raise MirrorUnavailable(f"the mirror does not hold this contract: {exc}") from exc
            if Web3.to_checksum_address(coop.settlement_units) != units:
                raise MirrorUnavailable(f"{units} is not a ВРЕ contract in the mirror")
            head = chain.w3.eth.block_number
            if head - cursor.number > max_lag:
                raise MirrorUnavailable(
                    f"the mirror is at block {cursor.number}, the chain at {head} "
                    f"(more than {max_lag} behind)"
                )
            on_chain = chain.w3.eth.get_block(cursor.number)["hash"]
            if cursor.hash is None or HexBytes(on_chain) != HexBytes(cursor.hash):
                raise MirrorUnavailable(
                    f"the mirror's block {cursor.number} is not on the chain (a reorg not yet "
                    "followed)"
                )
            page = open_obligations(conn, units, chain.chain_id)
    except sa.exc.SQLAlchemyError as exc:
        raise MirrorUnavailable(f"cannot read the mirror: {exc.__class__.__name__}: {exc}") from exc
    finally:
        engine.dispose()
    obligations = [
        Obligation(id=o.obligation_id, debtor=o.debtor, creditor=o.creditor, amount=o.outstanding)
        for o in page.data
    ]
    return MirrorRead(obligations, cursor.number, HexBytes(on_chain).to_0x_hex())


def read_open_obligations(client: SettlementUnitsClient, from_block: int = 0) -> list[Obligation]:
    """The chain's accepted, not fully discharged obligations, as engine input."""
    return [
        Obligation(id=o.id, debtor=o.debtor, creditor=o.creditor, amount=o.outstanding)
        for o in client.open_obligations(from_block)
    ]


def run_clearing(
    chain: Chain,
    units_address: str,
    sender: LocalAccount,
    max_per_chunk: int = DEFAULT_MAX_PER_CHUNK,
    *,
    from_block: int = 0,
    dry_run: bool = False,
    database_url: str | None = None,
    source: Source = "auto",
    max_lag: int = 0,
    circle: Collection[str] | None = None,
) -> dict[str, Any]:
    """Plan and (unless `dry_run`) submit the maximum clearing; return a JSON-ready report.

    `circle`, when given, is a clearing circle of its own (a target program's members,
    `node.programs.program_circle`): only obligations whose debtor and creditor are both in it
    are read and cleared; every other obligation is left as it is.

    The obligations come from the mirror at `database_url` when `source` is "mirror" (raises
    `MirrorUnavailable` if it cannot answer) or "auto" and the mirror is current (see
    `read_open_obligations_from_mirror`); otherwise from the chain, over RPC. The report has
    where they came from (`source`, and `mirror_block` or why the mirror was not used), the
    totals (open debt before, cleared by the plan, cleared on chain, left), the plan's chunks
    and, per chunk, its transaction, gas, plan hash, or the error that stopped it.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}: one of {', '.join(SOURCES)}")
    if max_lag < 0:
        raise ValueError(f"max_lag must not be negative, got {max_lag}")
    started = time.monotonic()
    client = SettlementUnitsClient(chain, units_address)
    read_from: dict[str, Any]
    mirror: MirrorRead | None = None
    not_used = ""
    if source != "chain":
        if database_url is None:
            if source == "mirror":
                raise MirrorUnavailable("no mirror database is configured")
            not_used = "no mirror database is configured"
        else:
            try:
                mirror = read_open_obligations_from_mirror(
                    database_url, chain, client.address, max_lag
                )
            except MirrorUnavailable as exc:
                if source == "mirror":
                    raise
                not_used = str(exc)
    if mirror is not None:
        obligations = mirror.obligations
        read_from = {"source": "mirror", "mirror_block": mirror.block_number}
    else:
        obligations = read_open_obligations(client, from_block)
        read_from = {"source": "chain"}
        if source == "auto":
            read_from["mirror_not_used"] = not_used
    if circle is not None:
        members = {Web3.to_checksum_address(a) for a in circle}
        obligations = [
            o
            for o in obligations
            if Web3.to_checksum_address(o.debtor) in members
            and Web3.to_checksum_address(o.creditor) in members
        ]
        read_from["circle"] = len(members)
    plan = plan_clearing(obligations, max_per_chunk=max_per_chunk)
    verify_plan(obligations, plan)
    planned_at = time.monotonic()

    chunks: list[dict[str, Any]] = []
    cleared_on_chain = 0
    gas_total = 0
    for index, chunk in enumerate(plan.chunks):
        entry: dict[str, Any] = {
            "index": index,
            "entries": len(chunk),
            "amount": sum(s.amount for s in chunk),
            "plan_hash": HexBytes(plan_hash(chunk)).to_0x_hex(),
        }
        if not dry_run:
            try:
                receipt = client.settle_clearing(sender, chunk)
            except TransactionReverted as exc:
                entry.update(status="failed", error=exc.error, error_args=list(exc.error_args))
            else:
                entry.update(
                    status="settled",
                    tx=HexBytes(receipt.sent.receipt["transactionHash"]).to_0x_hex(),
                    block=receipt.sent.block_number,
                    gas_used=receipt.sent.gas_used,
                )
                cleared_on_chain += receipt.total_cleared
                gas_total += receipt.sent.gas_used
        chunks.append(entry)

    debt_total = sum(o.amount for o in obligations)
    settled = [c for c in chunks if c.get("status") == "settled"]
    return {
        "units": client.address,
        "chain_id": chain.chain_id,
        "dry_run": dry_run,
        **read_from,
        "open_obligations": len(obligations),
        "debt_total": debt_total,
        "planned_cleared": plan.cleared_total,
        "planned_remaining": plan.remaining_total,
        "cleared_on_chain": cleared_on_chain,
        "remaining_on_chain": debt_total - cleared_on_chain if not dry_run else None,
        "obligations_cleared": len(plan.settlements),
        "chunks_total": len(plan.chunks),
        "chunks_settled": len(settled),
        "chunks_failed": sum(1 for c in chunks if c.get("status") == "failed"),
        "gas_used": gas_total,
        "gas_per_settled_entry": (
            gas_total // sum(c["entries"] for c in settled) if settled else None
        ),
        "plan_seconds": round(planned_at - started, 3),
        "chunks": chunks,
    }
