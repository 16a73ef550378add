"""A reorganisation that removes a member's admission (a council decision) and a ВРЕ transfer:
after the re-sync the projections no longer show them, and the audit (rebuild + views) passes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer import queries as q
from indexer.audit import audit_raw
from indexer.db import make_engine
from node.chain.devkeys import dev_accounts
from node.governance import Action
from tests.indexer.conftest import DOMAIN_TOKEN as T
from tests.indexer.conftest import CoopScenario, DbFactory, _h, rpc


@pytest.fixture
def fresh(scenario: CoopScenario) -> Iterator[CoopScenario]:
    """The module's scenario, restored after each test (a reorg changes the chain)."""
    snapshot = rpc(scenario.chain, "evm_snapshot", [])
    yield scenario
    rpc(scenario.chain, "evm_revert", [snapshot])


def test_reorg_removes_an_admission_and_a_transfer(
    fresh: CoopScenario, db_factory: DbFactory
) -> None:
    sc = fresh
    chain, coop, m = sc.chain, sc.coop, sc.members
    live = db_factory()
    idx = sc.indexer(live, finality_depth=12)
    try:
        idx.sync_once()
        fork_point = chain.w3.eth.block_number
        # On the branch that will be orphaned: member 5 admitted by the council, a transfer.
        coop.attest_identity(sc.chair, m[5].address, _h("check 5"))
        coop.attest_payment(sc.deployer, m[5].address, _h("bank 5"))
        admit = Action.call(coop.membership, "admit", m[5].address, _h("council admits 5"))
        voters = sc.council_members[:2]
        sc.governance.council.decide(voters[0], voters, sc.chair, _h("council admits 5"), [admit])
        sc.units.transfer(m[0], m[2].address, 50 * T, _h("act 5"))
        idx.sync_once()
        engine = make_engine(live)
        with engine.connect() as conn:
            assert q.get_member(conn, coop.addresses.charter, m[5].address).status_name == "member"  # type: ignore[union-attr]
            assert len(q.list_transfers(conn, coop.addresses.charter).data) == 4
        depth = chain.w3.eth.block_number - fork_point
        other = dev_accounts(10)[5]
        tx = {"from": other.address, "to": other.address, "value": hex(1), "gas": hex(21_000)}
        rpc(chain, "anvil_reorg", [depth, [[tx, 0]]])

        report = idx.sync_once()
        assert [r.ancestor for r in report.reorgs] == [fork_point]
        with engine.connect() as conn:
            member = q.get_member(conn, coop.addresses.charter, m[5].address)
            assert member is not None and member.status_name == "applicant"
            assert not member.identity_verified and not member.fees_paid
            transfers = q.list_transfers(conn, coop.addresses.charter).data
            assert [t.amount // T for t in transfers] == [200, 100, 20]
            assert (
                q.get_member(conn, coop.addresses.charter, m[0].address).units_balance == -220 * T
            )  # type: ignore[union-attr]
            assert len(q.council_items(conn, coop.addresses.charter).data) == 5
            assert q.current_block(conn).number == chain.w3.eth.block_number
        engine.dispose()
    finally:
        idx.close()
    audit = audit_raw(chain, live, db_factory())
    assert audit.ok, audit.differences
