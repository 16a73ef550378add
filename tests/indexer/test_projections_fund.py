"""The mutual-aid fund and the property register in the mirror, against a real governed
cooperative on anvil (no mocks): contributions, a guaranteed loan approved and disbursed by a
council decision and partly repaid, an asset minted by a council decision and revalued. The
projections and queries equal the contracts' views and `coop audit` passes on SQLite and
PostgreSQL; a tampered row fails the audit, which names it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from eth_account import Account

from indexer import queries as q
from indexer.audit import audit_raw
from indexer.db import make_engine
from indexer.projections.fund import value_of
from indexer.run import roots_from_record
from node.chain.devkeys import dev_accounts
from node.cooperative.deploy import deploy_network
from node.fund import (
    Category,
    CouncilSigners,
    Disposal,
    DisposalKind,
    FundParams,
    LoanRequest,
    LoanState,
    MutualAidFund,
    PropertyRegistry,
    deploy_fund_and_property,
)
from node.governance import Action, GovernanceParams, Majority
from node.governance.sandbox import fund as fund_eth
from node.governance.sandbox import governed_cooperative, h, now, warp
from tests.fund.conftest import (
    BASE_URI,
    MEMBERS,
    MONTH,
    RULES,
    TOKEN,
    World,
    council_decides,
    meeting_decides,
)
from tests.indexer.conftest import DbFactory, domain_chain, make_indexer, rows, rpc

NEW_KEY = Account.from_key(h("kassa member 4, new key"))


@dataclass
class Kassa:
    w: World
    record: dict[str, Any]
    loan_id: int
    token_id: int
    lathe: int
    head: int

    def index(self, db_url: str, **settings: Any) -> None:
        settings.setdefault("roots", roots_from_record(self.record))
        idx = make_indexer(self.w.chain, db_url, **settings)
        try:
            idx.sync_once()
        finally:
            idx.close()


@pytest.fixture(scope="module")
def kassa() -> Iterator[Kassa]:
    """The fund test world (tests/fund/conftest.py) on its own anvil, walked through a loan and
    an asset."""
    node, chain = domain_chain()
    try:
        accounts = dev_accounts(10)
        network = deploy_network(chain, accounts[0])
        sb = governed_cooperative(
            chain, accounts, MEMBERS, GovernanceParams(), network=network, label="Касса"
        )
        record = deploy_fund_and_property(
            chain,
            sb.deployer,
            sb.cooperative.addresses.to_dict(),
            FundParams(
                rules=RULES,
                base_uri=BASE_URI,
                council=CouncilSigners(sb.council[0], sb.council[:2], sb.chair),
            ),
        )
        fund = MutualAidFund(chain, str(record["mutual_aid_fund"]))
        registry = PropertyRegistry(chain, str(record["property_registry"]))
        for member in sb.members:
            chain.transact(
                sb.cooperative.token.functions.mint(member.address, 100_000 * TOKEN), sb.deployer
            )
            fund.approve(member)
        w = World(sb=sb, fund=fund, registry=registry, record=record)
        fund_eth(chain, [NEW_KEY.address])
        m = w.members
        # Two assets minted by one council decision; the tractor is revalued and pledged by a
        # general meeting, the lathe pledged and then sold by the same meeting.
        sent = council_decides(
            w,
            [
                registry.mint_action(
                    m[0].address,
                    Category.VEHICLE,
                    500_000 * TOKEN,
                    h("title of tractor"),
                    h("metadata of tractor"),
                    h("mint tractor"),
                ),
                registry.mint_action(
                    m[1].address,
                    Category.EQUIPMENT,
                    80_000 * TOKEN,
                    h("title of lathe"),
                    h("metadata of lathe"),
                    h("mint tractor"),
                ),
            ],
            "mint tractor",
        )
        token_id, lathe = registry.minted_ids(chain, registry.address, sent)
        council_decides(
            w,
            [registry.revalue_action(token_id, 450_000 * TOKEN, h("valuation report"))],
            "revalue",
        )
        bank = "0x000000000000000000000000000000000000bA4c"
        pledge = Disposal(DisposalKind.PLEDGE, h("pledge agreement"), bank, 300_000 * TOKEN)
        lathe_pledge = Disposal(DisposalKind.PLEDGE, h("lathe pledge"), bank, 50_000 * TOKEN)
        sale = Disposal(DisposalKind.SALE, h("sale contract"), m[8].address, 90_000 * TOKEN)
        meeting_id = meeting_decides(
            w,
            [
                registry.disposal_question(token_id, pledge, Majority.THREE_QUARTERS),
                registry.disposal_question(lathe, lathe_pledge, Majority.THREE_QUARTERS),
                registry.disposal_question(lathe, sale, Majority.THREE_QUARTERS),
            ],
            label="pledges and sale",
        )
        for i, (asset_id, disposal) in enumerate(
            ((token_id, pledge), (lathe, lathe_pledge), (lathe, sale))
        ):
            registry.dispose(m[2], asset_id, disposal, meeting_id, i)
        assert registry.asset(token_id).encumbered and not registry.exists(lathe)
        # Contributions (and a withdrawal).
        for member, amount in zip(m[:4], (1_000, 2_000, 500, 700), strict=True):
            fund.contribute(member, amount * TOKEN)
        fund.withdraw(m[3], 200 * TOKEN)
        # A loan guaranteed by member 1, approved and disbursed by one council decision.
        request = LoanRequest(
            amount=900 * TOKEN,
            term=3 * MONTH,
            purpose=h("a milking machine"),
            instalments=3,
            guarantors=(m[1].address,),
            pledges=(300 * TOKEN,),
        )
        loan_id, _ = fund.request_loan(m[0], request)
        fund.accept_guarantee(m[1], loan_id)
        council_decides(
            w,
            [fund.approve_action(loan_id, h("approve loan")), fund.disburse_action(loan_id)],
            "approve loan",
        )
        fund.repay(m[0], loan_id, 300 * TOKEN)
        # A second loan, only requested; a third rejected by the council.
        fund.request_loan(m[2], LoanRequest(amount=100 * TOKEN, term=MONTH, purpose=h("seeds")))
        rejected, _ = fund.request_loan(
            m[3], LoanRequest(amount=100 * TOKEN, term=MONTH, purpose=h("a fence"))
        )
        council_decides(w, [fund.reject_action(rejected, h("reject fence"))], "reject fence")
        # A fourth, guaranteed by member 5, missed: the council calls the guarantee (the
        # guarantor's pool units are burnt), then the borrower's key is recovered (the fund
        # position and the loan move to the new address).
        fund.contribute(m[4], 1_000 * TOKEN)
        fund.contribute(m[5], 1_000 * TOKEN)
        missed = LoanRequest(
            amount=500 * TOKEN,
            term=MONTH,
            purpose=h("a boat"),
            guarantors=(m[5].address,),
            pledges=(200 * TOKEN,),
        )
        missed_id, _ = fund.request_loan(m[4], missed)
        fund.accept_guarantee(m[5], missed_id)
        council_decides(
            w,
            [fund.approve_action(missed_id, h("approve boat")), fund.disburse_action(missed_id)],
            "approve boat",
        )
        warp(chain, now(chain) + MONTH + 1)
        assert fund.state(missed_id) == LoanState.OVERDUE
        assert fund.state(loan_id) == LoanState.ACTIVE
        council_decides(w, [fund.call_guarantees_action(missed_id, h("call boat"))], "call")
        assert fund.state(missed_id) == LoanState.DEFAULTED
        recover = Action.call(
            sb.cooperative.membership,
            "recoverMembership",
            m[4].address,
            NEW_KEY.address,
            h("new key for 4"),
        )
        council_decides(w, [recover], "new key for 4")
        assert fund.loan(missed_id).borrower == NEW_KEY.address
        full_record = {
            "contracts": {
                "NetworkRegistry": network.registry,
                "CooperativeFactory": network.factory,
                "kassa.council": sb.governance.council.address,
                "kassa.general_meeting": sb.governance.meeting.address,
                "kassa.mutual_aid_fund": fund.address,
                "kassa.property_registry": registry.address,
            }
        }
        yield Kassa(w, full_record, loan_id, token_id, lathe, chain.w3.eth.block_number)
    finally:
        node.stop()


def test_fund_and_register_projections_equal_the_contracts(
    kassa: Kassa, db_factory: DbFactory
) -> None:
    w, m = kassa.w, kassa.w.members
    assert w.fund.address in roots_from_record(kassa.record)
    live = db_factory()
    kassa.index(live)
    engine = make_engine(live)
    try:
        with engine.connect() as conn:
            assert q.fund_contracts(conn) == [w.fund.address]
            assert q.property_registries(conn) == [w.registry.address]
            pos = q.fund_positions(conn, w.fund.address)
            assert pos.as_of.number == kassa.head
            pool = w.fund.pool()
            assert (pos.cash, pos.lent, pos.total_units) == (
                pool.cash,
                pool.lent,
                pool.total_units,
            )
            assert pos.lent == 600 * TOKEN + 300 * TOKEN
            by_account = {p.account: p for p in pos.positions}
            assert set(by_account) == {a.address for a in m[:6]} | {NEW_KEY.address}
            assert by_account[m[4].address].units == 0
            # The mirror's balance is the book value; the chain's is the exit value, lower by
            # the defaulted loan's marked-down principal (issue #14).
            impaired = w.fund.valuation().impaired
            assert impaired > 0
            for account, p in by_account.items():
                chain_pos = w.fund.position(account)
                assert p.balance == value_of(p.units, pos.cash, pos.lent, pos.total_units)
                exit_balance = value_of(p.units, pos.cash, pos.lent - impaired, pos.total_units)
                assert (p.units, exit_balance) == (chain_pos.units, chain_pos.balance)
                assert exit_balance == w.fund.balance_of(account)
            assert by_account[m[3].address].contributed == 500 * TOKEN

            # The rules in force are the fund's latest `fund_rules` row (set at initialisation).
            (rules_row,) = conn.execute(
                sa.text(
                    "SELECT value, previous FROM coop_config_event "
                    "WHERE contract = :fund AND action = 'fund_rules'"
                ),
                {"fund": w.fund.address},
            ).all()
            chain_rules = w.fund.rules()
            assert json.loads(rules_row.value) == {
                "loan_to_contribution_bps": chain_rules.loan_to_contribution_bps,
                "reserve_bps": chain_rules.reserve_bps,
                "interest_bps": chain_rules.interest_bps,
                "max_term": chain_rules.max_term,
                "max_loan_per_member": str(chain_rules.max_loan_per_member),
            }
            assert rules_row.previous == "0x" + "00" * 32

            loans = q.list_loans(conn, w.fund.address)
            assert loans.count == 4 and loans.data[0].loan_id == kassa.loan_id
            for loan in loans.data:
                info = w.fund.loan(loan.loan_id)
                assert loan.state == int(info.state)
                assert (loan.borrower, loan.principal, loan.interest, loan.repaid) == (
                    info.borrower,
                    info.principal,
                    info.interest,
                    info.repaid,
                )
                assert loan.disbursed_at == info.disbursed_at
                assert loan.purpose == "0x" + info.purpose.hex()
                assert loan.accepted_mask == info.accepted_mask
                assert loan.outstanding == w.fund.outstanding(loan.loan_id)
            active = q.list_loans(conn, w.fund.address, status="active").data
            assert [ln.loan_id for ln in active] == [kassa.loan_id]
            assert active[0].state == LoanState.ACTIVE and active[0].outstanding == 600 * TOKEN
            assert active[0].guarantees[0].guarantor == m[1].address
            assert (
                active[0].guarantees[0].accepted and active[0].guarantees[0].amount == 300 * TOKEN
            )
            assert q.list_loans(conn, w.fund.address, borrower=m[2].address).data[0].state_name == (
                "requested"
            )

            (called,) = q.list_loans(conn, w.fund.address, borrower=NEW_KEY.address).data
            assert called.state_name == "defaulted" and called.repaid == 200 * TOKEN
            assert [ln.state_name for ln in loans.data] == [
                "active",
                "requested",
                "rejected",
                "defaulted",
            ]

            assets = q.list_assets(conn, w.registry.address)
            asset, sold = assets.data
            assert (sold.token_id, sold.exists, sold.disposal_kind) == (kassa.lathe, False, 0)
            assert (sold.counterparty, sold.disposal_amount) == (m[8].address, 90_000 * TOKEN)
            assert not sold.encumbered and not w.registry.exists(kassa.lathe)
            assert [a.token_id for a in q.list_assets(conn, w.registry.address, False).data] == [
                kassa.token_id
            ]
            chain_asset = w.registry.asset(kassa.token_id)
            assert asset.exists and w.registry.exists(kassa.token_id)
            assert asset.category == int(chain_asset.category) and asset.category_name == "vehicle"
            assert (asset.custodian, asset.valuation) == (
                chain_asset.custodian,
                chain_asset.valuation,
            )
            assert asset.valuation == 450_000 * TOKEN
            assert asset.title == "0x" + chain_asset.title.hex()
            assert (asset.acquired_at, asset.valued_at) == (
                chain_asset.acquired_at,
                chain_asset.valued_at,
            )
            assert asset.encumbered and asset.pledge_amount == chain_asset.pledge_amount
            assert asset.pledgee == chain_asset.pledgee and asset.minted.tx_hash
    finally:
        engine.dispose()
    report = audit_raw(w.chain, live, db_factory())
    assert report.ok, report.differences
    assert report.compared["views:fund_positions"] == 7
    assert report.compared["views:fund_loans"] == 4
    assert report.compared["views:assets"] == 2
    for table in ("fund_entry", "fund_loan_event", "property_asset_event"):
        assert report.compared[table] > 0


def test_tampered_fund_and_register_rows_fail_the_audit(
    kassa: Kassa, db_factory: DbFactory
) -> None:
    w, m = kassa.w, kassa.w.members
    live = db_factory()
    kassa.index(live)
    account = m[0].address
    engine = sa.create_engine(live)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE fund_entry SET units_after = '1' WHERE account = :a"), {"a": account}
        )
        conn.execute(
            sa.text("UPDATE property_asset_event SET valuation = '7' WHERE token_id = :t"),
            {"t": kassa.token_id},
        )
    engine.dispose()
    report = audit_raw(w.chain, live, db_factory())
    assert not report.ok
    units = w.fund.position(account).units
    assert (
        f"mutual-aid fund {w.fund.address} account {account}: positionOf.units mirror=1 "
        f"chain={units}"
    ) in report.differences
    assert (
        f"property register {w.registry.address} asset {kassa.token_id}: asset.valuation "
        f"mirror=7 chain={450_000 * TOKEN}"
    ) in report.differences
    assert any(d.startswith("fund_entry: extra in live") for d in report.differences)


def test_a_reorg_orphaning_fund_and_register_events_is_undone(
    kassa: Kassa, db_factory: DbFactory
) -> None:
    """Index a repayment and a revaluation, drop them from the chain, replace them with another
    repayment: the mirror follows, the per-step caches never see the orphaned state, and the
    audit passes. The chain is put back as the module's other tests expect it."""
    w, m = kassa.w, kassa.w.members
    live = db_factory()
    snapshot = rpc(w.chain, "evm_snapshot", [])
    try:
        w.fund.repay(m[0], kassa.loan_id, 100 * TOKEN)
        council_decides(
            w, [w.registry.revalue_action(kassa.token_id, TOKEN, h("orphaned"))], "orphaned"
        )
        kassa.index(live, finality_depth=12)
        assert rpc(w.chain, "evm_revert", [snapshot])
        snapshot = rpc(w.chain, "evm_snapshot", [])
        w.fund.repay(m[0], kassa.loan_id, 50 * TOKEN)
        w.fund.contribute(m[6], 10 * TOKEN)
        kassa.index(live, finality_depth=12)
        engine = make_engine(live)
        try:
            with engine.connect() as conn:
                (loan,) = [ln for ln in q.list_loans(conn, w.fund.address).data if ln.loan_id == 1]
                assert loan.repaid == w.fund.loan(kassa.loan_id).repaid == 350 * TOKEN
                asset = q.list_assets(conn, w.registry.address).data[0]
                assert asset.valuation == 450_000 * TOKEN
                pos = q.fund_positions(conn, w.fund.address)
                assert pos.cash == w.fund.pool().cash
        finally:
            engine.dispose()
        assert rows(live, "SELECT reorg_count FROM idx_status")[0][0] == 1
        report = audit_raw(w.chain, live, db_factory())
        assert report.ok, report.differences
    finally:
        rpc(w.chain, "evm_revert", [snapshot])
    assert w.chain.w3.eth.block_number == kassa.head
