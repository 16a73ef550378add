"""The books on anvil: a fund contribution and a ruble loan disbursed and repaid, an exit
refunded by bank; the ledger, its reports, and the audit finding a tampered entry."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from eth_account.signers.local import LocalAccount
from openpyxl import load_workbook

from indexer.config import IndexerSettings
from indexer.db import make_engine
from indexer.queries import bank as mirror_bank
from indexer.run import Indexer
from node.bank import reports, tables
from node.bank.audit import audit_books, check_books
from node.bank.formats import Party, parse_1c
from node.bank.ledger import balances, chain_facts, read_chain, rebuild, turnover
from node.bank.loans import check_loans, fund_totals, loan_book
from node.bank.matching import Purpose, confirm, match_pending, reference
from node.bank.settle import (
    BankChainError,
    ChainBank,
    close_paid_and_match,
    export_orders,
    issue_orders,
)
from node.bank.store import import_file, remember_contracts
from node.cooperative.client import Cooperative
from tests.bank.statements import COOP_ACCOUNT, COOP_BIK, COOP_INN, Payment, inn12, one_c
from tests.bank.test_chain import FEES_KOPECKS, join_by_bank
from tests.contracts.conftest import MINIMUM, TOKEN, Roles, h

OURS = Party("ПК «Ромашка»", COOP_INN, "", COOP_ACCOUNT, COOP_BIK)
DAY = dt.date(2026, 12, 1)


def pay_out(bank: ChainBank, db: sa.Engine, cashier: LocalAccount, number: str) -> None:
    """The bank executes every issued order; its statement comes back; the cashier closes."""
    (line,) = parse_1c(export_orders(db, OURS)).lines
    paid = Payment(
        number, line.amount, line.purpose, incoming=False, payee_account=line.payee.account
    )
    import_file(db, one_c([paid]))
    close_paid_and_match(bank, db, cashier)


def incoming(bank: ChainBank, db: sa.Engine, cashier: LocalAccount, payment: Payment) -> None:
    import_file(db, one_c([payment]))
    assert match_pending(db, bank.directory())["proposed"] == 1
    confirm(db, None)
    bank.record_incoming(db, cashier)


def test_books_from_chain_and_statements(
    coop: Cooperative,
    roles: Roles,
    chain_bank: ChainBank,
    bank_db: sa.Engine,
    new_account: Callable[[], LocalAccount],
    tmp_path: Path,
) -> None:
    alice, bob = new_account(), new_account()
    join_by_bank(coop, roles, chain_bank, bank_db, alice, "301")
    join_by_bank(coop, roles, chain_bank, bank_db, bob, "302")
    a = int(coop.membership.functions.memberIndexOf(alice.address).call())
    b = int(coop.membership.functions.memberIndexOf(bob.address).call())
    # Alice contributes 5,000 rubles to the mutual-aid fund.
    incoming(chain_bank, bank_db, roles.cashier,
             Payment("303", 5_000_00, f"Взнос в фонд {reference(a, Purpose.FUND_CONTRIBUTION)}",
                     payer_account="40817810000000000301"))  # fmt: skip
    # A ruble loan to Bob: refused without a signed council decision, then disbursed.
    decision = h("council decision: loan to bob")
    with pytest.raises(BankChainError, match="не найдено"):
        chain_bank.decided_payout("loan", bob.address, 3_000_00, decision)
    coop.anchor_signed_decision(roles.executor, roles.chair, decision)
    due = dt.date(2027, 3, 1)
    loan = chain_bank.decided_payout("loan", bob.address, 3_000_00, decision, due)
    bob_bank = Party("Боб", inn12("7700000003"), "", "40817810000000000777", COOP_BIK)
    (order_id,) = issue_orders(bank_db, [loan], payee_override={bob.address: bob_bank})[0]
    (approved,) = loan_book(bank_db, read_chain(chain_bank), dt.date(2027, 1, 1), bob.address)
    assert (approved.state, approved.outstanding) == ("approved", 0)  # the money is not out yet
    pay_out(chain_bank, bank_db, roles.cashier, "9101")
    assert chain_bank.settlements.functions.closedBy(loan.obligation).call() != b"\0" * 32
    # Bob repays it in two parts, quoting the loan; between them his loan book shows the rest
    # outstanding (overdue after the due date), and the fund's totals say the same.
    repay = f"Возврат займа {reference(b, Purpose.LOAN_REPAYMENT, order_id)}"
    for number, part in (("304", 1_000_00), ("305", 2_000_00)):
        incoming(chain_bank, bank_db, roles.cashier,
                 Payment(number, part, repay, payer_account="40817810000000000302"))  # fmt: skip
        if number == "304":
            mid = read_chain(chain_bank)
            (open_loan,) = loan_book(bank_db, mid, dt.date(2027, 1, 1), bob.address)
            assert (open_loan.loan_id, open_loan.principal) == (order_id, 3_000_00)
            assert (open_loan.repaid, open_loan.outstanding) == (1_000_00, 2_000_00)
            assert open_loan.state == "outstanding" and open_loan.due == due
            late = loan_book(bank_db, mid, dt.date(2027, 3, 2), bob.address)
            assert late[0].state == "overdue"
            assert loan_book(bank_db, mid, dt.date(2027, 1, 1), alice.address) == []
            totals = fund_totals(mid)
            assert (totals.contributed, totals.lent, totals.outstanding) == (
                5_000_00,
                3_000_00,
                2_000_00,
            )
    # Alice leaves; her share is refunded by bank.
    coop.request_exit(alice, h("exit application"))
    coop.exit(roles.executor, alice.address, h("exit decision"))
    issue_orders(bank_db, chain_bank.owed_exits())
    pay_out(chain_bank, bank_db, roles.cashier, "9102")

    facts = read_chain(chain_bank)
    # The same facts from the indexer's mirror (SQL), as `coop bank ledger` reads them on a node.
    mirror = make_engine(f"sqlite:///{tmp_path / 'mirror.db'}")
    indexer = Indexer(
        rpc_url=coop.chain.rpc_url,
        database_url=str(mirror.url),
        artifacts=coop.chain.artifacts,
        settings=IndexerSettings(finality_depth=2),
        engine=mirror,
    )
    try:
        indexer.sync_once()
    finally:
        indexer.close()
    assert chain_facts(chain_bank, mirror) == facts
    # Bob's loan book and the fund's totals: repaid, the same from the chain and the mirror.
    (done,) = loan_book(bank_db, facts, dt.date(2027, 3, 2), bob.address)
    assert (done.state, done.repaid, done.outstanding) == ("repaid", 3_000_00, 0)
    totals = fund_totals(chain_facts(chain_bank, mirror))
    assert totals == fund_totals(facts)
    assert (totals.lent, totals.repaid, totals.outstanding) == (3_000_00, 3_000_00, 0)
    assert totals.cash == 5_000_00
    with mirror.connect() as conn:
        assert mirror_bank.watches(conn, chain_bank.settlements.address)
    # A mirror that began without the contract and watches it only from a later block lacks
    # its past: the books then read the chain, never a partial mirror.
    partial = make_engine(f"sqlite:///{tmp_path / 'partial.db'}")
    for roots in ([chain_bank.membership.address], [chain_bank.membership.address,
                                                     chain_bank.settlements.address]):  # fmt: skip
        later = Indexer(
            rpc_url=coop.chain.rpc_url,
            database_url=str(partial.url),
            artifacts=coop.chain.artifacts,
            settings=IndexerSettings(finality_depth=2, roots=roots),
            engine=partial,
        )
        try:
            later.sync_once()
        finally:
            later.close()
    with partial.connect() as conn:
        assert not mirror_bank.watches(conn, chain_bank.settlements.address)
    assert chain_facts(chain_bank, partial) == facts
    count = rebuild(bank_db, facts)
    assert count > 0
    # Every entry points to its statement line or chain fact.
    with bank_db.connect() as conn:
        sources = conn.execute(sa.select(tables.entry.c.source)).scalars().all()
    assert all(s.startswith(("line:", "chain:")) for s in sources)
    osv = {r.account: r for r in turnover(bank_db, dt.date(2000, 1, 1), dt.date(2099, 12, 31))}
    assert sum(r.turnover_debit for r in osv.values()) == sum(
        r.turnover_credit for r in osv.values()
    )
    minimum = MINIMUM // TOKEN * 100
    money_in = 2 * FEES_KOPECKS + 5_000_00 + 3_000_00
    money_out = 3_000_00 + minimum
    assert osv["51"].closing_debit == money_in - money_out
    totals = balances(bank_db)
    assert totals["58.03"] == 0  # the loan is repaid
    assert totals["86.02"] == -5_000_00  # the fund holds Alice's contribution
    assert totals["80"] == -minimum  # Bob's share only: Alice's was refunded
    assert totals.get("75", 0) == 0  # nothing owed to or by members
    # A period before everything: nothing turned over, nothing opened.
    assert turnover(bank_db, dt.date(2000, 1, 1), dt.date(2000, 1, 2)) == []

    # The books check against the chain: clean, then a tampered entry is found.
    paid = {
        m: int(chain_bank.shares.functions.holdingOf(m).call()[4]) // chain_bank.scale
        for m in (alice.address, bob.address)
    }
    assert paid == {alice.address: 0, bob.address: minimum}
    assert check_books(bank_db, facts, paid) == []
    assert check_loans(bank_db, facts, balances(bank_db)) == []
    remember_contracts(bank_db, coop.addresses.charter, chain_bank.settlements.address)
    report = SimpleNamespace(differences=[], compared={})
    audit_books(coop.chain, str(bank_db.url), report)
    assert report.differences == []
    with bank_db.begin() as conn:
        conn.execute(tables.entry.update().where(tables.entry.c.credit == "86.02").values(amount=1))
    problems = check_books(bank_db, facts, paid)
    assert any("traces to no statement line" in p for p in problems)
    assert any("86.02" in p and "chain total" in p for p in problems)
    assert any("86.02" in p for p in check_loans(bank_db, facts, balances(bank_db)))

    # Reports: XLSX opens with the ОСВ, the register lists Bob's paid share, 1C file in cp1251.
    rebuild(bank_db, facts)
    out = tmp_path / "osv.xlsx"
    reports.write(bank_db, "osv", dt.date(2000, 1, 1), dt.date(2099, 12, 31), None, out)
    sheet = load_workbook(io.BytesIO(out.read_bytes())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Счёт"
    (fund_row,) = [r for r in rows[1:] if r[0] == "86.02"]
    assert fund_row[5] == 5_000.0  # the turnover on credit, as a number
    _header, register = reports.register(bank_db)
    assert [bob.address, f"{minimum // 100}.00", "100.00"] in register
    one_c_file = tmp_path / "entries.csv"
    reports.write(bank_db, "1c", dt.date(2000, 1, 1), dt.date(2099, 12, 31), None, one_c_file)
    text = one_c_file.read_bytes().decode("cp1251")
    assert text.startswith("Дата;СчетДт;СчетКт;Сумма") and "86.02" in text
    _header, moves = reports.movements(
        bank_db, alice.address, dt.date(2000, 1, 1), dt.date(2099, 12, 31)
    )
    assert any(m[1] == "80" and m[2] == "75" for m in moves)  # her share owed back
