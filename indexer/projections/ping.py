"""Example projection: every `Pinged` event becomes a `ping_note` ledger row.

It exists to exercise the projection mechanism (ordering, bulk inserts, reorg undo, audit) on
the test contracts before the cooperative contracts' projections land; a domain projection
follows the same shape.
"""

from __future__ import annotations

from indexer.models import PingNote
from indexer.projections import Event, ProjectionContext, projection


@projection("Pinged(address,uint256,bytes32)", tables=(PingNote,))
def ping_note(ctx: ProjectionContext, event: Event) -> None:
    ctx.add(
        PingNote,
        **event.key(),
        block_number=event.block_number,
        contract=event.address,
        sender=event.args["sender"],
        count=event.args["count"],
        note=event.args["note"],
    )
