"""The cap on rows per step: a range holding more events than `max_rows_per_step` is committed
in several transactions cut at block boundaries, each moving the cursor to a block whose
events are all in; the result equals a fresh rebuild; a crash between them keeps the earlier
ones and the restart finishes the job."""

from __future__ import annotations

import itertools

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy.engine import Connection

from indexer.audit import audit_raw
from indexer.run import StepInfo
from node.chain.client import Chain
from tests.indexer.conftest import DbFactory, make_indexer, note, rows


class Boom(RuntimeError):
    pass


def _bursts(chain: Chain, accounts: list[LocalAccount], sizes: list[int]) -> list[int]:
    burst, _ = chain.deploy("EventBurst", sender=accounts[0])
    blocks = []
    first = 0
    for n in sizes:
        sent = chain.transact(burst.functions.burst(n, first, note("cap")), accounts[1])
        blocks.append(sent.block_number)
        first += n
    return blocks


def test_a_range_over_the_cap_commits_in_runs_cut_at_blocks(
    own_chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory
) -> None:
    # A dedicated anvil: the counts below are of this test's events only (the session chain
    # holds every earlier test's).
    chain, live = own_chain, db_factory()
    blocks = _bursts(chain, accounts, [3, 2, 6, 1, 2])  # one block each
    steps: list[StepInfo] = []

    def seen(_conn: Connection, step: StepInfo) -> None:
        steps.append(step)

    idx = make_indexer(chain, live, max_rows_per_step=4, initial_range=10_000, before_commit=seen)
    report = idx.sync_once()
    idx.close()
    assert report.events == 14
    # Runs of at most 4 rows, except the 6-event block alone; contiguous, ending at the head.
    assert [s.events for s in steps if s.events] == [3, 2, 6, 3]
    assert all(b.from_block == a.to_block + 1 for a, b in itertools.pairwise(steps))
    assert steps[-1].to_block == report.cursor == chain.w3.eth.block_number
    cut_ends = {s.to_block for s in steps[:-1]}
    assert {blocks[0], blocks[1], blocks[2]} <= cut_ends
    assert rows(live, "SELECT count(*) FROM ping_note") == [(14,)]
    assert audit_raw(chain, live, db_factory()).ok


def test_a_crash_between_runs_keeps_the_committed_ones(
    own_chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory
) -> None:
    chain, live = own_chain, db_factory()
    blocks = _bursts(chain, accounts, [3, 3, 3])
    runs: list[StepInfo] = []

    def crash_on_second_run(_conn: Connection, step: StepInfo) -> None:
        if step.events:
            runs.append(step)
            if len(runs) == 2:
                raise Boom("crash between the runs of one range")

    idx = make_indexer(
        chain, live, max_rows_per_step=3, initial_range=10_000, before_commit=crash_on_second_run
    )
    with pytest.raises(Boom):
        idx.sync_once()
    idx.close()
    assert rows(live, "SELECT block_number FROM idx_cursor") == [(blocks[0],)]
    assert rows(live, "SELECT count(*) FROM idx_raw_event WHERE event_name = 'Pinged'") == [(3,)]

    restarted = make_indexer(chain, live, max_rows_per_step=3, initial_range=10_000)
    restarted.sync_once()
    restarted.close()
    assert rows(live, "SELECT count(*) FROM ping_note") == [(9,)]
    assert audit_raw(chain, live, db_factory()).ok
