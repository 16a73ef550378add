"""Backfill, idempotence, discovery, live follow and the CLI, on SQLite and PostgreSQL, against
the session's anvil (each test's chain state is reverted afterwards)."""

from __future__ import annotations

import json
import threading
import time

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from eth_account.signers.local import LocalAccount

from indexer.audit import audit_raw
from indexer.cli import audit as audit_cmd
from indexer.cli import index as index_cmd
from node.chain.client import Chain
from tests.indexer.conftest import DbFactory, deploy_ping, make_indexer, note, rows

MAX = 2**256 - 1


def test_backfill_mirrors_every_event_exactly_and_in_order(
    chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory
) -> None:
    live = db_factory()
    ping = deploy_ping(chain, accounts[0])
    burst, _ = chain.deploy("EventBurst", sender=accounts[0])
    for i in range(3):
        chain.transact(ping.functions.ping(note(f"n{i}")), accounts[1])
    chain.transact(burst.functions.burst(40, MAX - 39, note("burst")), accounts[2])

    idx = make_indexer(chain, live, finality_depth=0)
    report = idx.sync_once()
    head = chain.w3.eth.get_block("latest")
    assert report.cursor == head["number"]
    cursor = rows(live, "SELECT block_number, block_hash FROM idx_cursor")
    assert cursor == [(head["number"], head["hash"].to_0x_hex())]

    pinged = rows(
        live,
        "SELECT block_number, tx_index, log_index, address, args FROM idx_raw_event "
        "WHERE event_name = 'Pinged' ORDER BY id",
    )
    assert len(pinged) == 43
    keys = [(r[0], r[1], r[2]) for r in pinged]
    assert keys == sorted(keys)  # applied (and numbered) in chain order
    args = [r[4] if isinstance(r[4], dict) else json.loads(r[4]) for r in pinged]
    assert [a["note"][:6] for a in args[:3]] == ["0x6e30", "0x6e31", "0x6e32"]
    assert args[-1]["count"] == str(MAX)  # uint256 max survives JSON exactly
    assert args[-1]["sender"] == accounts[2].address
    assert rows(live, "SELECT count(*) FROM ping_note") == [(43,)]
    assert rows(live, "SELECT count FROM ping_note ORDER BY block_number DESC, log_index DESC")[
        0
    ] == (str(MAX),)
    idx.close()
    assert audit_raw(chain, live, db_factory()).ok


def test_rerun_is_idempotent_and_continues_from_the_cursor(
    chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory
) -> None:
    live = db_factory()
    ping = deploy_ping(chain, accounts[0])
    chain.transact(ping.functions.ping(note("a")), accounts[1])
    idx = make_indexer(chain, live)
    first = idx.sync_once()
    assert idx.sync_once().events == 0
    chain.transact(ping.functions.ping(note("b")), accounts[1])
    again = make_indexer(chain, live)  # a restart: state comes from SQL only
    assert again.sync_once().events == 1
    total = rows(
        live, "SELECT count(*), count(DISTINCT block_hash || ':' || log_index) FROM idx_raw_event"
    )
    assert total[0][0] == total[0][1] == first.events + 1
    idx.close()
    again.close()
    assert audit_raw(chain, live, db_factory()).ok


@pytest.mark.parametrize("max_range", [1, 10_000], ids=["block-by-block", "one-range"])
def test_discovered_addresses_are_watched_from_their_block_mid_range(
    chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory, max_range: int
) -> None:
    live = db_factory()
    root = deploy_ping(chain, accounts[0])
    child = deploy_ping(chain, accounts[0])
    chain.transact(child.functions.ping(note("before")), accounts[1])  # not yet watched
    sent = chain.transact(root.functions.transferOwnership(child.address), accounts[0])
    chain.transact(child.functions.ping(note("after-1")), accounts[1])
    chain.transact(child.functions.ping(note("after-2")), accounts[1])

    idx = make_indexer(
        chain,
        live,
        roots=[root.address],
        discovery_events={"OwnershipTransferred"},
        initial_range=max_range,
        max_range=max_range,
    )
    report = idx.sync_once()
    assert child.address in report.discovered
    watched = dict(
        rows(
            live, "SELECT address, from_block FROM idx_watched_address WHERE source = 'discovered'"
        )
    )
    assert watched[child.address] == sent.block_number
    notes = [
        json.loads(a)["note"] if isinstance(a, str) else a["note"]
        for (a,) in rows(
            live,
            "SELECT args FROM idx_raw_event WHERE address = :a AND event_name = 'Pinged' "
            "ORDER BY id",
            a=child.address,
        )
    ]
    assert notes == ["0x" + note("after-1").hex(), "0x" + note("after-2").hex()]
    idx.close()
    assert audit_raw(chain, live, db_factory()).ok


def test_follow_puts_a_new_block_into_sql_within_a_second(
    chain: Chain, accounts: list[LocalAccount], db_url: str
) -> None:
    ping = deploy_ping(chain, accounts[0])
    idx = make_indexer(chain, db_url, finality_depth=0, poll_interval=0.1)
    idx.sync_once()
    stop = threading.Event()
    thread = threading.Thread(target=idx.follow, args=(stop,), daemon=True)
    thread.start()
    engine = sa.create_engine(db_url)
    try:
        lags = []
        for i in range(3):
            sent = chain.transact(ping.functions.ping(note(f"live{i}")), accounts[1])
            mined = time.monotonic()
            while True:
                with engine.connect() as conn:
                    got = conn.execute(
                        sa.text("SELECT count(*) FROM idx_raw_event WHERE block_number = :n"),
                        {"n": sent.block_number},
                    ).scalar()
                if got or time.monotonic() - mined > 5:
                    break
                time.sleep(0.01)
            assert got == 1
            lags.append(time.monotonic() - mined)
        assert max(lags) < 1.0, lags
    finally:
        stop.set()
        thread.join(5)
        engine.dispose()
        idx.close()
    assert not thread.is_alive()


def test_cli_index_once_then_audit_finds_tampering(
    chain: Chain, accounts: list[LocalAccount], db_factory: DbFactory
) -> None:
    live = db_factory()
    ping = deploy_ping(chain, accounts[0])
    for i in range(3):
        chain.transact(ping.functions.ping(note(f"c{i}")), accounts[1])
    runner = CliRunner()
    common = ["--database-url", live, "--rpc-url", chain.rpc_url]
    result = runner.invoke(index_cmd, ["--once", "--finality-depth", "0", *common])
    assert result.exit_code == 0, result.output
    result = runner.invoke(audit_cmd, ["--json", *common])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True

    engine = sa.create_engine(live)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM ping_note"))
        last = "(SELECT max(id) FROM idx_raw_event)"
        first = "(SELECT min(id) FROM idx_raw_event)"
        conn.execute(sa.text(f"DELETE FROM idx_raw_event WHERE id = {last}"))
        conn.execute(sa.text(f"UPDATE idx_raw_event SET tx_index = 7 WHERE id = {first}"))
    engine.dispose()
    result = runner.invoke(audit_cmd, common)
    assert result.exit_code == 1
    assert "missing in live" in result.output
    assert "tx_index live=7 rebuilt=0" in result.output
    assert "ping_note: missing in live" in result.output
