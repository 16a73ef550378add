"""`coop audit` against the contracts' views: a mirror behind the head audits clean at its cursor
(the views are read at the cursor's block), and a tampered mirror fails, naming the difference."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from indexer.audit import audit_raw
from indexer.cli import audit as audit_cmd
from tests.indexer.conftest import CoopScenario, DbFactory


def test_a_mirror_behind_the_head_audits_clean_at_its_cursor(
    scenario: CoopScenario, db_factory: DbFactory
) -> None:
    """Stopped mid-way (before governance), the views are read at the cursor, not the head."""
    live = db_factory()
    idx = scenario.indexer(live)
    try:
        idx.sync_once(to_block=scenario.head - 40)
    finally:
        idx.close()
    report = audit_raw(scenario.chain, live, db_factory())
    assert report.ok, report.differences
    assert report.compared["views:members"] > 0


def test_tampered_mirror_fails_the_audit_and_names_the_difference(
    scenario: CoopScenario, db_factory: DbFactory
) -> None:
    live = db_factory()
    idx = scenario.indexer(live)
    try:
        idx.sync_once()
    finally:
        idx.close()
    account = scenario.members[0].address
    engine = sa.create_engine(live)
    with engine.begin() as conn:
        last = conn.execute(
            sa.text(
                "SELECT block_hash, log_index FROM member_event WHERE account = :a "
                "ORDER BY block_number DESC, log_index DESC LIMIT 1"
            ),
            {"a": account},
        ).one()
        conn.execute(
            sa.text(
                "UPDATE member_event SET status = 5 "
                "WHERE account = :a AND block_hash = :h AND log_index = :i"
            ),
            {"a": account, "h": last.block_hash, "i": last.log_index},
        )
    engine.dispose()
    report = audit_raw(scenario.chain, live, db_factory())
    assert not report.ok
    named = [d for d in report.differences if account in d and "memberOf.status" in d]
    assert named == [
        f"cooperative #1 «Кооператив «Индекс»» account {account}: memberOf.status mirror=5 chain=2"
    ]
    assert any(d.startswith("member_event: extra in live") for d in report.differences)
    result = CliRunner().invoke(
        audit_cmd, ["--database-url", live, "--rpc-url", scenario.chain.rpc_url]
    )
    assert result.exit_code == 1
    assert "memberOf.status mirror=5 chain=2" in result.output


def test_views_are_read_in_batches_and_audit_the_same_as_one_by_one(
    scenario: CoopScenario, db_factory: DbFactory
) -> None:
    """The chain (anvil) lacks Multicall3: the compiled one answers through a state override,
    and both ways find the same tampering with the same counts."""
    live = db_factory()
    idx = scenario.indexer(live)
    try:
        idx.sync_once()
    finally:
        idx.close()
    engine = sa.create_engine(live)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE units_obligation_event SET outstanding = '1' WHERE obligation_id = 1")
        )
    engine.dispose()
    batched = audit_raw(scenario.chain, live, db_factory(), batched_views=True)
    alone = audit_raw(scenario.chain, live, db_factory(), batched_views=False)
    assert batched.view_calls > 50
    assert batched.views_via_multicall == batched.views_batched == batched.view_calls
    assert alone.views_batched == 0 and alone.view_calls == batched.view_calls
    assert batched.compared == alone.compared
    assert batched.differences == alone.differences
    assert any("obligation 1: outstanding mirror=1" in d for d in batched.differences)
