"""Domain projections against a real cooperative on anvil (no mocks): joins, exit, key
recovery, documents, ВРЕ transfers, invoices, a clearing, council decisions, a general meeting.
The query layer's answers equal the contracts' views, and `coop audit` (raw rebuild + views)
passes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from click.testing import CliRunner

from indexer import queries as q
from indexer.audit import audit_raw
from indexer.cli import audit as audit_cmd
from indexer.db import make_engine
from indexer.run import indexer_from_settings, roots_from_record
from node.core.config import Settings
from tests.indexer.conftest import DOMAIN_TOKEN as T
from tests.indexer.conftest import CoopScenario, DbFactory


def test_projections_and_queries_equal_the_contracts(
    scenario: CoopScenario, db_factory: DbFactory
) -> None:
    live = db_factory()
    settings = Settings(rpc_url=scenario.chain.rpc_url, database_url=live)
    from indexer.config import IndexerSettings

    idx = indexer_from_settings(
        settings, scenario.record, IndexerSettings(finality_depth=2, initial_range=7)
    )
    assert set(idx.settings.roots) == set(roots_from_record(scenario.record))
    try:
        report = idx.sync_once()
    finally:
        idx.close()
    assert report.cursor == scenario.head
    coop, m, new = scenario.coop, scenario.members, scenario.recovered
    engine = make_engine(live)
    try:
        with engine.connect() as conn:
            as_of = q.current_block(conn)
            assert as_of.number == scenario.head and as_of.timestamp
            (c,) = q.list_cooperatives(conn).data
            assert c.name == "Кооператив «Индекс»" and c.kind_name == "consumer"
            assert c.charter == coop.addresses.charter
            assert c.decision_executor == scenario.governance.council.address
            assert c.fund_split == [0, 5_000, 2_500, 2_500]

            member = q.get_member(conn, c.charter, m[0].address)
            assert member is not None and member.status_name == "member"
            assert member.shares.voluntary_shares == 50 * T
            assert member.share_balance == coop.share_balance(m[0].address) == 1_050 * T
            assert member.units_balance == scenario.units.signed_balance(m[0].address) == -220 * T
            assert member.credit_limit == 500 * T
            assert q.get_member(conn, c.coop_id, m[2].address).credit_limit == 700 * T  # type: ignore[union-attr]

            # Key recovery: everything moved to the new address, the old one is empty.
            old = q.get_member(conn, c.charter, m[1].address)
            moved = q.get_member(conn, c.charter, new.address)
            assert old is not None and old.status_name == "none" and old.share_balance == 0
            assert moved is not None and moved.status_name == "member"
            assert moved.units_balance == 100 * T and moved.shares.minimum_share == 1_000 * T
            actions = [e.action for e in q.member_history(conn, c.charter, m[1].address).data]
            assert actions == [
                "applied",
                "identity_attested",
                "fees_paid",
                "admitted",
                "recovered_from",
            ]
            # Exit by council decision.
            history = q.member_history(conn, c.charter, m[4].address).data
            assert [e.status_name for e in history][-3:] == ["member", "exiting", "exited"]
            assert all(e.event.timestamp and e.event.tx_hash for e in history)

            page = q.list_members(conn, c.charter, status="member", limit=2)
            assert page.count == 4 and len(page.data) == 2 and page.as_of == as_of
            assert q.list_members(conn, c.charter).count == 7
            apps = q.list_applications(conn, c.charter).data
            assert [a.account for a in apps] == [m[5].address]

            # ВРЕ: transfers with their documents, obligations, the clearing.
            transfers = q.list_transfers(conn, c.charter).data
            assert [(t.amount // T, t.document is not None) for t in transfers] == [
                (200, True),
                (100, False),
                (20, False),
            ]
            obligations = {o.obligation_id: o for o in q.list_obligations(conn, c.charter).data}
            assert {i: o.status_name for i, o in obligations.items()} == {
                1: "settled",
                2: "settled",
                3: "settled",
                4: "accepted",
                5: "rejected",
            }
            assert obligations[1].debtor == new.address  # followed the recovered member
            assert obligations[5].debtor == new.address
            units = coop.addresses.settlement_units
            (open_,) = q.open_obligations(conn, units).data
            assert (open_.obligation_id, open_.outstanding) == (4, 30 * T)
            assert (
                q.list_obligations(conn, c.charter, debtor=m[0].address, status="accepted").count
                == 1
            )
            (clearing,) = q.list_clearings(conn, c.charter).data
            assert (clearing.entries, int(clearing.total_cleared)) == (3, 300 * T)

            # Documents.
            doc = q.document(conn, "0x" + scenario.contract_doc.hex())
            assert doc is not None and doc.document_type_name == "contract"
            assert [s.signer for s in doc.signatures] == [m[0].address, m[1].address]
            assert doc.anchored_at and doc.event.block_number
            assert q.list_documents(conn, c.charter, document_type="council_decision").count == 0
            reclaimed = q.document(conn, "0x" + scenario.reclaimed_doc.hex())
            assert reclaimed is not None and reclaimed.document_type_name == "meeting_protocol"
            assert reclaimed.anchored_by == scenario.deployer.address
            listed = q.list_documents(conn, c.charter, limit=1_000).data
            assert [d.document for d in listed].count("0x" + scenario.reclaimed_doc.hex()) == 1
            assert q.list_documents(conn, c.charter, document_type="contract").count == 1

            # Treasury.
            funds = q.fund_balances(conn, c.charter)
            chain_funds = list(coop.fund_balances().values())
            assert [funds.share, funds.reserve, funds.mutual_aid, funds.development] == chain_funds

            # Governance.
            items = q.council_items(conn, c.charter).data
            assert [i.state_name for i in items] == ["executed"] * 3 + ["pending", "executed"]
            assert items[3].for_votes == 1
            assert [v.member for v in items[3].votes] == [scenario.council_members[0].address]
            assert items[0].proposer == scenario.council_members[0].address
            (meeting,) = q.meetings(conn, c.charter).data
            assert meeting.state_name == "held" and meeting.participants == 3
            assert [(x.for_votes, x.against_votes, x.abstain_votes) for x in meeting.questions] == [
                (2, 0, 1),
                (2, 1, 0),
            ]
            assert meeting.questions[0].executed and not meeting.questions[1].executed
            assert [b.by_signature for b in meeting.ballots] == [False, False, True]

            dash = q.dashboard(conn, c.charter)
            assert dash.members_by_status["member"] == 4 == coop.active_member_count()
            assert dash.members_by_status["exited"] == 1
            assert dash.open_obligations == 1 and dash.open_obligations_total == 30 * T
            assert dash.units_supply == scenario.units.total_supply()
    finally:
        engine.dispose()

    # The audit: a fresh rebuild equals the mirror, and the mirror equals the views.
    audit = audit_raw(scenario.chain, live, db_factory())
    assert audit.ok, audit.differences
    for kind in ("members", "obligations", "documents", "council_items", "meetings"):
        assert audit.compared[f"views:{kind}"] > 0
    assert audit.compared["views:members"] == 7  # members 0-5 and member 1's new key
    assert audit.compared["member_event"] > 0

    result = CliRunner().invoke(
        audit_cmd, ["--json", "--database-url", live, "--rpc-url", scenario.chain.rpc_url]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True
