"""A cooperative's acts in its union's ВРЕ (through its Treasury, by decision) are rows of its
treasury ledger in the mirror, with the union obligation's id, on SQLite and PostgreSQL; the
audit's rebuild agrees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_utils import keccak

from indexer.audit import audit_raw
from indexer.run import roots_from_record
from node.chain.client import Chain
from node.chain.devkeys import dev_accounts
from node.cooperative.client import Cooperative
from node.cooperative.demo import deploy_demo
from node.cooperative.union import (
    cancel_union_obligation,
    issue_union_obligation,
    union_units_of,
)
from tests.indexer.conftest import DbFactory, domain_chain, make_indexer, rows

AMOUNT = 1_234 * 10**18


@pytest.fixture(scope="module")
def union_world() -> Iterator[tuple[Chain, dict[str, object], dict[str, object]]]:
    node, chain = domain_chain()
    try:
        deployer = dev_accounts(10)[0]
        record = deploy_demo(chain, deployer)
        coops = record["cooperatives"]
        artel = Cooperative.from_charter(chain, coops["artel"]["charter"])
        romashka_treasury = coops["romashka"]["treasury"]
        units = union_units_of(chain, artel)
        assert units == coops["union"]["settlement_units"]
        # Artel's executor is still the deployer's key: its decisions are sent directly.
        issued, _ = issue_union_obligation(
            artel, deployer, units, romashka_treasury, AMOUNT, keccak(text="order 7")
        )
        cancelled, _ = issue_union_obligation(
            artel, deployer, units, romashka_treasury, 5 * 10**18, keccak(text="order 8")
        )
        cancel_union_obligation(artel, deployer, units, cancelled)
        facts = {"units": units, "issued": issued, "cancelled": cancelled}
        yield chain, record, {"treasury": artel.addresses.treasury, **facts}
    finally:
        node.stop()


def test_union_invoices_are_treasury_rows(
    union_world: tuple[Chain, dict[str, object], dict[str, object]], db_factory: DbFactory
) -> None:
    chain, record, facts = union_world
    live = db_factory()
    idx = make_indexer(chain, live, roots=roots_from_record(record))  # type: ignore[arg-type]
    try:
        idx.sync_once()
    finally:
        idx.close()
    got = rows(
        live,
        "SELECT action, counterparty, obligation_id, amount, document FROM treasury_movement "
        "WHERE contract = :t AND action LIKE 'union_invoice_%' ORDER BY block_number, log_index",
        t=facts["treasury"],
    )
    units = facts["units"]
    assert [tuple(r) for r in got] == [
        (
            "union_invoice_issued",
            units,
            facts["issued"],
            str(AMOUNT),
            "0x" + keccak(text="order 7").hex(),
        ),
        (
            "union_invoice_issued",
            units,
            facts["cancelled"],
            str(5 * 10**18),
            "0x" + keccak(text="order 8").hex(),
        ),
        ("union_invoice_cancelled", units, facts["cancelled"], "0", None),
    ]
    # The same obligations, from the union's ВРЕ: the treasury row joins to its obligation.
    (debtor,) = rows(
        live,
        "SELECT DISTINCT debtor FROM units_obligation_event WHERE contract = :u "
        "AND obligation_id = :i",
        u=units,
        i=facts["issued"],
    )
    assert debtor[0] == record["cooperatives"]["romashka"]["treasury"]  # type: ignore[index]
    report = audit_raw(chain, live, db_factory())
    assert report.ok, report.differences
    assert report.compared["treasury_movement"] > 0
