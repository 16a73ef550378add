"""Reorganisations on a dedicated anvil (`anvil_reorg`, `anvil_rollback`): events removed,
changed and added; after each, the mirror equals a fresh rebuild and the counters are right.

anvil_reorg takes positional params `[depth, [[tx, block_offset], ...]]`: each transaction
request (from an unlocked dev account) is mined into the new branch's block at that offset.
"""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from indexer.audit import audit_raw
from indexer.run import Indexer
from node.chain.client import Chain
from tests.indexer.conftest import DbFactory, deploy_ping, make_indexer, note, rows, rpc


def ping_tx(ping: Contract, sender: LocalAccount, text: str) -> dict[str, Any]:
    return {
        "from": sender.address,
        "to": ping.address,
        "data": ping.encode_abi("ping", [note(text)]),
        "gas": hex(200_000),
    }


def assert_mirror_equals_rebuild(
    chain: Chain, idx: Indexer, live: str, db_factory: DbFactory
) -> None:
    report = idx.sync_once()
    assert report.cursor == chain.w3.eth.block_number
    audit = audit_raw(chain, live, db_factory())
    assert audit.ok, audit.differences
    assert audit.live_cursor == (
        report.cursor,
        chain.w3.eth.get_block("latest")["hash"].to_0x_hex(),
    )


def status(live: str) -> tuple[int, int]:
    ((count, deepest),) = rows(live, "SELECT reorg_count, deepest_reorg FROM idx_status")
    return int(count), int(deepest)


def pinged_notes(live: str) -> list[str]:
    return [r[0] for r in rows(live, "SELECT note FROM ping_note ORDER BY block_number, log_index")]


def test_reorgs_of_depth_1_3_and_beyond_finality_and_a_rollback(
    own_chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory
) -> None:
    chain, live = own_chain, db_factory()
    ping = deploy_ping(chain, accounts[0])
    for i in range(8):
        chain.transact(ping.functions.ping(note(f"a{i}")), accounts[1])
    idx = make_indexer(chain, live, finality_depth=3, initial_range=4, max_range=4)
    assert_mirror_equals_rebuild(chain, idx, live, db_factory)
    assert status(live) == (0, 0)
    assert len(rows(live, "SELECT number FROM idx_block")) == 4  # head and 3 below

    # Depth 1: the last block's event is replaced by another one (changed).
    before = pinged_notes(live)
    rpc(chain, "anvil_reorg", [1, [[ping_tx(ping, accounts[2], "b0"), 0]]])
    report = idx.sync_once()
    assert [(r.depth, r.beyond_finality) for r in report.reorgs] == [(1, False)]
    assert pinged_notes(live) == [*before[:-1], "0x" + note("b0").hex()]
    assert_mirror_equals_rebuild(chain, idx, live, db_factory)
    assert status(live) == (1, 1)

    # Depth 3 (= finality): one block loses its event, another gets two (removed and added).
    rpc(
        chain,
        "anvil_reorg",
        [
            3,
            [
                [ping_tx(ping, accounts[2], "c0"), 0],
                [ping_tx(ping, accounts[3], "c2"), 2],
                [ping_tx(ping, accounts[2], "c3"), 2],
            ],
        ],
    )
    report = idx.sync_once()
    assert [(r.depth, r.beyond_finality) for r in report.reorgs] == [(3, False)]
    assert pinged_notes(live)[-3:] == ["0x" + note(t).hex() for t in ("c0", "c2", "c3")]
    assert_mirror_equals_rebuild(chain, idx, live, db_factory)
    assert status(live) == (2, 3)

    # Deeper than finality (6 > 3): found through the mirrored events' block hashes.
    for i in range(3):
        chain.transact(ping.functions.ping(note(f"d{i}")), accounts[1])
    idx.sync_once()
    rpc(chain, "anvil_reorg", [6, [[ping_tx(ping, accounts[4], "e0"), 5]]])
    report = idx.sync_once()
    assert len(report.reorgs) == 1
    assert report.reorgs[0].beyond_finality
    assert report.reorgs[0].depth >= 6
    assert_mirror_equals_rebuild(chain, idx, live, db_factory)
    count, deepest = status(live)
    assert count == 3 and deepest >= 6

    # Rollback: the head goes back 2 blocks, then the chain grows on the other branch.
    rpc(chain, "anvil_rollback", [2])
    chain.transact(ping.functions.ping(note("f0")), accounts[1])
    report = idx.sync_once()
    assert [r.depth for r in report.reorgs] == [2]
    assert_mirror_equals_rebuild(chain, idx, live, db_factory)
    assert status(live)[0] == 4
    assert pinged_notes(live)[-1] == "0x" + note("f0").hex()
    idx.close()


def test_reorg_removes_an_address_discovered_in_an_orphaned_block(
    own_chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory
) -> None:
    chain, live = own_chain, db_factory()
    root = deploy_ping(chain, accounts[0])
    child = deploy_ping(chain, accounts[0])
    idx = make_indexer(
        chain,
        live,
        roots=[root.address],
        discovery_events={"OwnershipTransferred"},
        finality_depth=2,
    )
    idx.sync_once()
    chain.transact(root.functions.transferOwnership(child.address), accounts[0])
    chain.transact(child.functions.ping(note("child")), accounts[1])
    idx.sync_once()
    assert child.address in {a for (a,) in rows(live, "SELECT address FROM idx_watched_address")}
    assert len(rows(live, "SELECT 1 FROM idx_raw_event WHERE address = :a", a=child.address)) == 1

    # The transfer and the child's ping vanish; the root pings instead.
    rpc(chain, "anvil_reorg", [2, [[ping_tx(root, accounts[1], "root"), 1]]])
    report = idx.sync_once()
    assert [r.depth for r in report.reorgs] == [2]
    assert child.address not in {
        a for (a,) in rows(live, "SELECT address FROM idx_watched_address")
    }
    assert rows(live, "SELECT 1 FROM idx_raw_event WHERE address = :a", a=child.address) == []
    # Pinging the child now is not mirrored: it is no longer watched.
    chain.transact(child.functions.ping(note("ignored")), accounts[1])
    assert_mirror_equals_rebuild(chain, idx, live, db_factory)
    assert rows(live, "SELECT 1 FROM idx_raw_event WHERE address = :a", a=child.address) == []
    idx.close()


def test_reorg_undo_sweeps_ledgers_of_projections_not_running(
    own_chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory
) -> None:
    """Ledgers have no foreign key to the raw events (revision 0010): rows that an earlier run
    with more projections wrote above the ancestor go too, though no projection of the undoing
    indexer writes them (the cascade did that before)."""
    chain, live = own_chain, db_factory()
    ping = deploy_ping(chain, accounts[0])
    for i in range(3):
        chain.transact(ping.functions.ping(note(f"s{i}")), accounts[1])
    with_ping = make_indexer(chain, live, finality_depth=2)
    with_ping.sync_once()
    with_ping.close()
    assert len(pinged_notes(live)) == 3
    rpc(chain, "anvil_reorg", [2, [[ping_tx(ping, accounts[2], "t0"), 0]]])
    raw_only = make_indexer(chain, live, finality_depth=2)
    raw_only.dispatcher.projections.clear()
    report = raw_only.sync_once()
    raw_only.close()
    assert [r.depth for r in report.reorgs] == [2]
    assert pinged_notes(live) == ["0x" + note("s0").hex()]  # s1, s2 orphaned; t0 not projected
    assert rows(live, "SELECT count(*) FROM idx_raw_event WHERE event_name = 'Pinged'") == [(2,)]
