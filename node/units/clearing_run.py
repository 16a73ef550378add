"""`coop clearing run`: read the open obligations from the chain, plan the largest set-off,
check the plan, and submit it chunk by chunk.

Every chunk is balanced on its own (the engine builds them from whole debt cycles) and the
contract checks it again, so chunks are independent: a chunk that fails (an obligation was paid
or cancelled between reading and submitting) is reported and the run goes on with the next.
"""

from __future__ import annotations

import time
from typing import Any

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes

from node.chain.client import Chain, TransactionReverted
from node.clearing.engine import DEFAULT_MAX_PER_CHUNK, Obligation, plan_clearing, verify_plan
from node.units.client import SettlementUnitsClient, plan_hash


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
) -> dict[str, Any]:
    """Plan and (unless `dry_run`) submit the maximum clearing; return a JSON-ready report.

    The report has the totals (open debt before, cleared by the plan, cleared on chain, left),
    the plan's chunks and, per chunk, its transaction, gas, plan hash, or the error that
    stopped it.
    """
    started = time.monotonic()
    client = SettlementUnitsClient(chain, units_address)
    obligations = read_open_obligations(client, from_block)
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
