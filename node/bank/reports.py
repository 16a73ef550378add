"""Reports from the books, as CSV (UTF-8 with BOM, `;`, which Excel and 1C open as is) or
XLSX (openpyxl), chosen by the file's suffix; `1c` writes the entries for 1C's loading of a
table document (windows-1251, `;`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from node.bank import tables
from node.bank.formats import format_amount
from node.bank.ledger import ACCOUNTS, balances, turnover

Table = tuple[list[str], list[list[object]]]

FUND_ACCOUNTS = ("80", "82", "86.01", "86.02", "58.03", "51")


def osv(engine: Engine, first: dt.date, last: dt.date) -> Table:
    header = [
        "Счёт", "Наименование",
        "Сальдо на начало Дт", "Сальдо на начало Кт",
        "Оборот Дт", "Оборот Кт",
        "Сальдо на конец Дт", "Сальдо на конец Кт",
    ]  # fmt: skip
    rows: list[list[object]] = [
        [
            r.account,
            r.name,
            *(
                format_amount(v)
                for v in (
                    r.opening_debit,
                    r.opening_credit,
                    r.turnover_debit,
                    r.turnover_credit,
                    r.closing_debit,
                    r.closing_credit,
                )
            ),
        ]
        for r in turnover(engine, first, last)
    ]
    return header, rows


def register(engine: Engine) -> Table:
    """Реестр пайщиков: paid shares (account 80) and entrance fees (86.01) per member."""
    e = tables.entry
    query = (
        sa.select(
            e.c.member,
            sa.func.sum(
                sa.case((e.c.credit == "80", e.c.amount), (e.c.debit == "80", -e.c.amount), else_=0)
            ),
            sa.func.sum(sa.case((e.c.credit == "86.01", e.c.amount), else_=0)),
        )
        .where(e.c.member.is_not(None))
        .group_by(e.c.member)
        .order_by(e.c.member)
    )
    with engine.connect() as conn:
        rows: list[list[object]] = [
            [m, format_amount(int(s or 0)), format_amount(int(f or 0))]
            for m, s, f in conn.execute(query)
        ]
    return ["Пайщик", "Паевые взносы оплачены, руб.", "Вступительные взносы, руб."], rows


def funds(engine: Engine) -> Table:
    totals = balances(engine)
    rows: list[list[object]] = [
        [acc, ACCOUNTS[acc], format_amount(abs(totals.get(acc, 0))),
         "Дт" if totals.get(acc, 0) > 0 else "Кт"]
        for acc in FUND_ACCOUNTS
    ]  # fmt: skip
    return ["Счёт", "Фонд", "Остаток, руб.", "Сторона"], rows


def movements(engine: Engine, member: str, first: dt.date, last: dt.date) -> Table:
    e = tables.entry
    query = (
        sa.select(e.c.booked, e.c.debit, e.c.credit, e.c.amount, e.c.memo, e.c.source)
        .where(
            e.c.member == member, e.c.booked >= first.isoformat(), e.c.booked <= last.isoformat()
        )
        .order_by(e.c.booked, e.c.id)
    )
    with engine.connect() as conn:
        rows: list[list[object]] = [
            [b, d, c, format_amount(int(a)), m, s] for b, d, c, a, m, s in conn.execute(query)
        ]
    return ["Дата", "Дт", "Кт", "Сумма, руб.", "Содержание", "Основание"], rows


def entries_1c(engine: Engine, first: dt.date, last: dt.date) -> Table:
    e = tables.entry
    query = (
        sa.select(e.c.booked, e.c.debit, e.c.credit, e.c.amount, e.c.member, e.c.source, e.c.memo)
        .where(e.c.booked >= first.isoformat(), e.c.booked <= last.isoformat())
        .order_by(e.c.booked, e.c.id)
    )
    with engine.connect() as conn:
        rows: list[list[object]] = [
            [dt.date.fromisoformat(b).strftime("%d.%m.%Y"), d, c, format_amount(int(a)),
             m or "", s, memo]
            for b, d, c, a, m, s, memo in conn.execute(query)
        ]  # fmt: skip
    return ["Дата", "СчетДт", "СчетКт", "Сумма", "Пайщик", "Документ", "Содержание"], rows


def build(engine: Engine, kind: str, first: dt.date, last: dt.date, member: str | None) -> Table:
    if kind == "osv":
        return osv(engine, first, last)
    if kind == "register":
        return register(engine)
    if kind == "funds":
        return funds(engine)
    if kind == "member":
        if not member:
            raise ValueError("для движений пайщика нужен --member")
        return movements(engine, member, first, last)
    if kind == "1c":
        return entries_1c(engine, first, last)
    raise ValueError(f"неизвестный отчёт {kind}")


def to_csv(table: Table, *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table[0])
    writer.writerows(table[1])
    return buffer.getvalue().encode(encoding, errors="replace")


def to_xlsx(table: Table, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(table[0])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    money = [any(w in h for w in _MONEY_WORDS) for h in table[0]]
    for row in table[1]:
        sheet.append([_number(v) if m else v for v, m in zip(row, money, strict=True)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_MONEY_WORDS = ("Сумма", "Сальдо", "Оборот", "руб")


def _number(value: object) -> object:
    """Amounts as numbers in a spreadsheet (so that it can sum them)."""
    if isinstance(value, str) and value.replace(".", "", 1).isdigit() and "." in value:
        return float(value)
    return value


def write(
    engine: Engine, kind: str, first: dt.date, last: dt.date, member: str | None, path: Path
) -> None:
    table = build(engine, kind, first, last, member)
    suffix = path.suffix.lower()
    if kind == "1c":
        data = to_csv(table, encoding="cp1251")
    elif suffix == ".xlsx":
        data = to_xlsx(table, kind)
    elif suffix == ".csv":
        data = to_csv(table)
    else:
        raise ValueError("файл отчёта: .csv или .xlsx")
    path.write_bytes(data)
