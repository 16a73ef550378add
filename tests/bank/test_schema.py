"""The bank's tables on SQLite and PostgreSQL: the migration creates exactly what tables.py
declares, the import is idempotent there too, and the ОСВ adds up."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import sqlalchemy as sa

from indexer.db import make_engine
from node.bank import tables
from node.bank.ledger import Entry, turnover
from node.bank.matching import Member, lines_by_status, match_pending
from node.bank.store import import_file, migrate
from tests.bank.statements import Payment, one_c
from tests.indexer.conftest import DbFactory


def test_migration_matches_tables_and_osv_adds_up(db_factory: DbFactory) -> None:
    engine = make_engine(db_factory())
    migrate(engine)
    migrate(engine)  # idempotent
    insp = sa.inspect(engine)
    for table in tables.metadata.sorted_tables:
        assert {c["name"] for c in insp.get_columns(table.name)} == {c.name for c in table.columns}
        assert {i.name for i in table.indexes} <= {i["name"] for i in insp.get_indexes(table.name)}

    data = one_c([Payment("1", 1_100_00, "КП-1-ВЗН"), Payment("2", 50_00, "КП-1-ПАЙ")])
    assert import_file(engine, data).new_lines == 2
    assert import_file(engine, data).already_imported
    # Matching writes its results in bulk (on PostgreSQL through a COPYed temporary table).
    one = Member(1, "0x" + "11" * 20, applicant_unpaid=True, active=False, fees_due=1_100_00)
    directory = SimpleNamespace(by_index={1: one}.get, by_address={one.address: one}.get)
    assert match_pending(engine, directory) == {"proposed": 1, "queued": 1}
    (proposed,) = lines_by_status(engine, "proposed")
    assert (proposed.match_purpose, proposed.match_account) == ("ENTRY", one.address)
    (queued,) = lines_by_status(engine, "queued")
    assert queued.reason == "№1 не действующий пайщик"
    assert match_pending(engine, directory) == {"proposed": 0, "queued": 1}  # the queue again

    def e(n: int, day: str, debit: str, credit: str, amount: int) -> dict[str, object]:
        return Entry(f"line:{n}", dt.date.fromisoformat(day), debit, credit, amount, None, None,
                     "test").row()  # fmt: skip

    with engine.begin() as conn:
        conn.execute(
            tables.entry.insert(),
            [
                e(1, "2026-05-10", "51", "75", 1_000_00),  # before the period: opening
                e(2, "2026-05-10", "75", "80", 1_000_00),
                e(3, "2026-06-01", "51", "75", 300_00),  # within
                e(4, "2026-06-30", "75", "86.02", 300_00),
                e(5, "2026-07-01", "51", "75", 999_00),  # after: ignored
            ],
        )
    rows = {r.account: r for r in turnover(engine, dt.date(2026, 6, 1), dt.date(2026, 6, 30))}
    assert (rows["51"].opening_debit, rows["51"].turnover_debit, rows["51"].closing_debit) == (
        1_000_00,
        300_00,
        1_300_00,
    )
    assert rows["75"].opening_debit == rows["75"].opening_credit == 0
    assert (rows["75"].turnover_debit, rows["75"].turnover_credit) == (300_00, 300_00)
    assert rows["80"].closing_credit == 1_000_00 and rows["80"].turnover_credit == 0
    assert rows["86.02"].closing_credit == 300_00
    assert sum(r.closing_debit for r in rows.values()) == sum(
        r.closing_credit for r in rows.values()
    )
    engine.dispose()
