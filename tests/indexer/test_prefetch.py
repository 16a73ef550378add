"""`prefetch_latest` answers `latest` exactly as its one-row SELECT would (latest row per key in
chain order, None for a key without rows, other contracts and chains apart), and only within
its batch: a new `ProjectionContext` (the next step, or the step after a reorg undo) reads
the database again."""

from __future__ import annotations

import sqlalchemy as sa

from indexer.db import make_engine, migrate
from indexer.models import MemberEvent
from indexer.projections import ProjectionContext
from indexer.projections._domain import latest, prefetch_latest, table_of

C1, C2 = "0x" + "c1" * 20, "0x" + "c2" * 20
A, B, NEW = "0x" + "aa" * 20, "0x" + "bb" * 20, "0x" + "ee" * 20


def _row(chain: int, block: int, log: int, contract: str, account: str, nonce: int) -> dict:
    return {
        "chain_id": chain,
        "block_hash": f"0x{block:064x}",
        "log_index": log,
        "block_number": block,
        "account": account,
        "contract": contract,
        "action": "applied",
        "status": 1,
        "member_kind": 0,
        "blocked_from": 0,
        "identity_verified": False,
        "fees_paid": False,
        "nonce": nonce,
        "applied_at": 0,
        "admitted_at": 0,
    }


def test_prefetch_answers_like_the_select(db_url: str) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    table = table_of(MemberEvent)
    rows = [
        _row(1, 5, 0, C1, A, 1),
        _row(1, 5, 3, C1, A, 2),  # latest of (C1, A): same block, higher log index
        _row(1, 4, 9, C1, A, 3),
        _row(1, 2, 0, C1, B, 4),
        _row(1, 9, 0, C2, B, 5),  # another contract
        _row(2, 9, 1, C1, NEW, 6),  # another chain
    ]
    keys = [(c, a) for c in (C1, C2) for a in (A, B, NEW)]
    try:
        with engine.begin() as conn:
            conn.execute(table.insert(), rows)
            plain = ProjectionContext(conn, 1)
            expected = {k: latest(plain, MemberEvent, contract=k[0], account=k[1]) for k in keys}
            assert expected[(C1, A)]["nonce"] == 2 and expected[(C1, NEW)] is None
            ctx = ProjectionContext(conn, 1)
            for contract in (C1, C2):
                prefetch_latest(ctx, MemberEvent, "account", [A, B, NEW, A], contract=contract)
            # From memory now: a row inserted after the prefetch is not seen in this batch.
            conn.execute(table.insert(), [_row(1, 10, 0, C1, NEW, 7)])
            assert {k: latest(ctx, MemberEvent, contract=k[0], account=k[1]) for k in keys} == (
                expected
            )
            # The next batch (a new context) reads the database again.
            again = latest(ProjectionContext(conn, 1), MemberEvent, contract=C1, account=NEW)
            assert again is not None and again["nonce"] == 7
            conn.execute(sa.delete(table))
    finally:
        engine.dispose()
