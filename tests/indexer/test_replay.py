"""`coop index --replay`: projections refilled from the stored raw events, with no RPC at all
(the RPC URL points at a closed port during the replay), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from indexer.audit import audit_raw
from indexer.cli import index as index_cmd
from indexer.projections import Dispatcher, default_projections
from tests.conftest import free_port
from tests.indexer.conftest import CoopScenario, DbFactory, rows


def _projection_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection table's rows, sorted (a multiset per table)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: sorted(
                    (tuple(str(v) for v in r) for r in conn.execute(sa.select(t))),
                )
                for t in Dispatcher(default_projections()).tables()
            }
    finally:
        engine.dispose()


def test_replay_rebuilds_dropped_projections_from_raw_events_without_rpc(
    scenario: CoopScenario, db_factory: DbFactory, monkeypatch: Any
) -> None:
    live = db_factory()
    idx = scenario.indexer(live, finality_depth=2, initial_range=7)
    try:
        idx.sync_once()
    finally:
        idx.close()
    before = _projection_rows(live)
    assert before["units_entry"] and before["member_event"] and before["gov_ballot"]
    raw_before = rows(live, "SELECT count(*), max(block_number) FROM idx_raw_event")
    cursor_before = rows(live, "SELECT block_number, block_hash FROM idx_cursor")

    # A projection "added" to an existing mirror: its tables are empty for the past.
    engine = sa.create_engine(live)
    with engine.begin() as conn:
        for table in reversed(Dispatcher(default_projections()).tables()):
            conn.execute(sa.delete(table))
    engine.dispose()
    assert all(not r for r in _projection_rows(live).values())

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: any RPC would fail
    monkeypatch.setenv("COOP_RPC_URL", dead)
    result = CliRunner().invoke(index_cmd, ["--replay", "--database-url", live])
    assert result.exit_code == 0, result.output
    assert "(no RPC)" in result.output

    assert _projection_rows(live) == before
    assert rows(live, "SELECT count(*), max(block_number) FROM idx_raw_event") == raw_before
    assert rows(live, "SELECT block_number, block_hash FROM idx_cursor") == cursor_before
    # ... and the mirror equals a fresh rebuild from the chain, views included.
    assert audit_raw(scenario.chain, live, db_factory()).ok

    # One projection alone: only its rows are rebuilt, the others are left as they are.
    engine = sa.create_engine(live)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM doc_signature"))
    engine.dispose()
    result = CliRunner().invoke(
        index_cmd, ["--replay", "--projection", "documents.signed", "--database-url", live]
    )
    assert result.exit_code == 0, result.output
    assert _projection_rows(live) == before


def test_replay_of_an_unknown_projection_changes_nothing(
    scenario: CoopScenario, db_factory: DbFactory
) -> None:
    live = db_factory()
    idx = scenario.indexer(live, finality_depth=2, initial_range=50)
    try:
        idx.sync_once()
    finally:
        idx.close()
    before = _projection_rows(live)
    result = CliRunner().invoke(
        index_cmd, ["--replay", "--projection", "no.such", "--database-url", live]
    )
    assert result.exit_code != 0
    assert "unknown projection(s) no.such" in result.output
    assert _projection_rows(live) == before
