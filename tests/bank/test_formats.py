"""Statement parsing, validation and idempotent import (no chain)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from indexer.db import make_engine
from node.bank import tables
from node.bank.formats import (
    Party,
    PaymentOrder,
    StatementError,
    inn_valid,
    parse_1c,
    parse_camt053,
    parse_statement,
    write_1c_orders,
)
from node.bank.store import import_file, migrate
from tests.bank.statements import COOP_ACCOUNT, Payment, camt053, inn10, inn12, one_c

PURPOSE = "Вступительный и минимальный паевой взнос КП-7-ВЗН. НДС не облагается"


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'bank.db'}")
    migrate(engine)
    return engine


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_inn_check_digits() -> None:
    assert inn_valid("7707083893")  # Сбербанк
    assert inn_valid(inn12("5001002003"))
    assert not inn_valid("7707083894")
    assert not inn_valid("770708389")


def test_1c_statement_in_windows_1251() -> None:
    data = one_c(
        [
            Payment("11", 110_000_00, PURPOSE),
            Payment(
                "12",
                5_000_00,
                "Возврат пая КП-ВЫП-1",
                incoming=False,
                payee_account="40817810000000000002",
            ),
        ],
        opening=1_000_00,
    )
    assert "КП-7-ВЗН".encode("cp1251") in data  # really windows-1251 on disk
    statement = parse_statement(data)
    assert statement.format == "1c"
    assert statement.account == COOP_ACCOUNT
    assert statement.opening == 1_000_00
    assert statement.closing == 1_000_00 + 110_000_00 - 5_000_00
    first, second = statement.lines
    assert first.incoming and first.amount == 110_000_00 and first.purpose == PURPOSE
    assert first.payer.name == "Иванов Иван Иванович"
    assert not second.incoming and second.payee.account == "40817810000000000002"
    assert first.line_hash != second.line_hash


def test_camt053_statement() -> None:
    statement = parse_statement(camt053([Payment("A-1", 1_100_00, PURPOSE)]))
    assert statement.format == "camt.053"
    (line,) = statement.lines
    assert line.incoming and line.amount == 1_100_00 and line.purpose == PURPOSE
    assert line.bank_ref == "camt:A-1"
    assert line.payer.account == "40817810000000000001"


@pytest.mark.parametrize(
    ("mutate", "line", "reason"),
    [
        (lambda s: s.replace("Сумма=1100.00", "Сумма=1100,00"), "Сумма=", "сумма"),
        (lambda s: s.replace("ПлательщикИНН=", "ПлательщикИНН=1"), "ПлательщикИНН=", "ИНН"),
        (lambda s: s.replace("ПлательщикСчет=4081", "ПлательщикСчет=081"), "ПлательщикСчет=", "20"),
        (
            lambda s: s.replace("ВсегоПоступило=1100.00", "ВсегоПоступило=1200.00"),
            "СекцияРасчСчет",
            "ВсегоПоступило",
        ),
        (lambda s: s.replace("Номер=1\r\n", "Номер 1\r\n"), "Номер 1", "Ключ=Значение"),
        (lambda s: s.replace("КонецДокумента\r\n", ""), "СекцияДокумент=", "КонецДокумента"),
    ],
)
def test_malformed_1c_names_the_line(mutate, line: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    good = one_c([Payment("1", 1_100_00, PURPOSE)]).decode("cp1251")
    bad = mutate(good)
    assert bad != good
    expected = next(i for i, t in enumerate(bad.split("\r\n"), start=1) if t.startswith(line))
    with pytest.raises(StatementError) as info:
        parse_1c(bad.encode("cp1251"))
    assert info.value.line == expected
    assert reason in info.value.reason


def test_truncated_and_foreign_files_refused() -> None:
    good = one_c([Payment("1", 1_100_00, PURPOSE)])
    with pytest.raises(StatementError, match="КонецФайла"):
        parse_1c(good.replace("КонецФайла".encode("cp1251"), b""))
    with pytest.raises(StatementError) as info:
        parse_statement(b"hello")
    assert info.value.line == 1
    # Not windows-1251 text at all: the undecodable line is named.
    with pytest.raises(StatementError) as info:
        parse_1c(good.replace(b"\r\n\xcd", b"\r\n\x98", 1))
    assert info.value.line > 1


def test_camt_refusals() -> None:
    good = camt053([Payment("A-1", 1_100_00, PURPOSE)]).decode()
    with pytest.raises(StatementError, match="RUB") as info:
        parse_camt053(good.replace('Ccy="RUB">1100', 'Ccy="USD">1100').encode())
    assert (
        info.value.line
        == good.split("\n").index(next(t for t in good.split("\n") if "1100.00" in t)) + 1
    )
    with pytest.raises(StatementError, match="DOCTYPE"):
        parse_camt053(
            good.replace("<Document", '<!DOCTYPE x [<!ENTITY a "b">]>\n<Document', 1).encode()
        )
    with pytest.raises(StatementError, match="XML"):
        parse_camt053(good.replace("</Stmt>", "").encode())
    with pytest.raises(StatementError, match="AcctSvcrRef"):
        parse_camt053(good.replace("<AcctSvcrRef>A-1</AcctSvcrRef>", "").encode())


def test_import_is_idempotent_and_all_or_nothing(engine: sa.Engine) -> None:
    first = one_c([Payment("1", 1_100_00, PURPOSE), Payment("2", 500_00, "КП-7-ПАЙ")])
    result = import_file(engine, first)
    assert (result.lines, result.new_lines, result.already_imported) == (2, 2, False)
    # The same file again: nothing changes.
    again = import_file(engine, first)
    assert again.already_imported and count(engine, tables.line) == 2
    assert count(engine, tables.statement) == 1
    # A later statement repeating one booking adds only the new one.
    later = one_c(
        [Payment("2", 500_00, "КП-7-ПАЙ"), Payment("3", 700_00, "КП-7-ФВП")], opening=1_600_00
    )
    result = import_file(engine, later)
    assert (result.lines, result.new_lines) == (2, 1)
    assert count(engine, tables.line) == 3
    # A malformed file imports nothing, not even its good lines.
    bad = one_c([Payment("4", 100_00, "x"), Payment("5", 1_00, "y")]).decode("cp1251")
    bad = bad.replace("Сумма=1.00", "Сумма=-1.00")
    with pytest.raises(StatementError):
        import_file(engine, bad.encode("cp1251"))
    assert count(engine, tables.line) == 3 and count(engine, tables.statement) == 2


def test_payment_orders_round_trip() -> None:
    ours = Party("ПК «Ромашка»", inn10("770000001"), "", COOP_ACCOUNT, "044525225")
    payee = Party("Петров Пётр", inn12("7700000002"), "", "40817810000000000009", "044525225")
    import datetime as dt

    data = write_1c_orders(
        [PaymentOrder("1", dt.date(2026, 12, 3), 1_000_00, ours, payee, "Возврат пая КП-ВЫП-1")],
        COOP_ACCOUNT,
    )
    assert data.startswith(b"1CClientBankExchange\r\n")
    statement = parse_1c(data)
    (line,) = statement.lines
    assert not line.incoming and line.amount == 1_000_00
    assert line.payee.name == "Петров Пётр" and line.purpose == "Возврат пая КП-ВЫП-1"
