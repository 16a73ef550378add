"""Imported statements in SQL: one transaction per file, each bank booking stored once.

Importing the same file again changes nothing (its SHA-256 is known); a later statement that
repeats a booking already imported (same bank reference) adds only the new ones. A file that
fails validation never reaches this module.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from indexer.db import upgrade_history
from node.bank import tables
from node.bank.formats import Statement, parse_statement

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "bank_alembic_version"


def migrate(engine: Engine) -> None:
    """Bring the bank's tables to the newest revision (idempotent)."""
    upgrade_history(engine, str(MIGRATIONS_DIR), VERSION_TABLE)


@dataclass(frozen=True)
class ImportResult:
    statement_id: int | None
    """None when this very file was imported before."""
    lines: int
    new_lines: int
    already_imported: bool


def import_file(engine: Engine, data: bytes) -> ImportResult:
    """Validate and import one statement file (raises StatementError, importing nothing)."""
    statement = parse_statement(data)
    digest = hashlib.sha256(data).hexdigest()
    try:
        return import_statement(engine, statement, digest)
    except sa.exc.IntegrityError:
        # The same file (or a booking of it) imported concurrently: the other import won and
        # this one rolled back whole; asked again, it is a repeat that changes nothing.
        return import_statement(engine, statement, digest)


def import_statement(engine: Engine, statement: Statement, file_sha256: str) -> ImportResult:
    with engine.begin() as conn:
        known = conn.execute(
            sa.select(tables.statement.c.id).where(tables.statement.c.file_sha256 == file_sha256)
        ).first()
        if known is not None:
            return ImportResult(None, len(statement.lines), 0, True)
        refs = {x.bank_ref for x in statement.lines}
        existing = _existing_refs(conn, refs)
        fresh = [x for x in statement.lines if x.bank_ref not in existing]
        statement_id = conn.execute(
            tables.statement.insert().values(
                file_sha256=file_sha256,
                format=statement.format,
                account=statement.account,
                lines=len(statement.lines),
                new_lines=len(fresh),
                imported_at=int(time.time()),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        rows = [
            (
                "0x" + x.line_hash.hex(),
                x.bank_ref,
                statement_id,
                x.source_line,
                x.incoming,
                x.date.isoformat(),
                x.amount,
                x.number[:64],
                x.payer.name[:300],
                x.payer.inn,
                x.payer.account,
                x.payer.bik,
                x.payee.name[:300],
                x.payee.inn,
                x.payee.account,
                x.purpose,
                "new",
            )
            for x in fresh
        ]
        bulk_insert(conn, tables.line, LINE_COLUMNS, rows)
        return ImportResult(int(statement_id), len(statement.lines), len(fresh), False)


#: The columns an import fills, in the order of the tuples `bulk_insert` gets.
LINE_COLUMNS = (
    "line_hash",
    "bank_ref",
    "statement_id",
    "source_line",
    "incoming",
    "booked",
    "amount",
    "number",
    "payer_name",
    "payer_inn",
    "payer_account",
    "payer_bik",
    "payee_name",
    "payee_inn",
    "payee_account",
    "purpose",
    "status",
)


def bulk_insert(
    conn: Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert many rows inside the caller's transaction, the fastest way each database has.

    PostgreSQL: `COPY ... FROM STDIN` (CSV) on the connection's own psycopg2 cursor; anything
    else: the driver's `executemany` with plain tuples (SQLAlchemy's per-row parameter
    processing is most of the cost of a Core insert of 100,000 rows). Either way it is part of
    the transaction: a failure rolls the whole import back.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg2":
        buffer = io.StringIO()
        buffer.writelines(",".join(map(_csv_value, row)) + "\n" for row in rows)
        buffer.seek(0)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.copy_expert(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)",
                buffer,
            )
        finally:
            cursor.close()
        return
    marks = ", ".join("?" if conn.dialect.paramstyle == "qmark" else "%s" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    for start in range(0, len(rows), 20_000):
        conn.exec_driver_sql(sql, rows[start : start + 20_000])


def _csv_value(value: Any) -> str:
    """One CSV field for COPY: NULL is an unquoted empty field, a string is always quoted (so an
    empty string stays one), booleans are t/f."""
    if value is None:
        return ""
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def _existing_refs(conn: Connection, refs: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(refs)
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        found.update(
            conn.execute(
                sa.select(tables.line.c.bank_ref).where(tables.line.c.bank_ref.in_(chunk))
            ).scalars()
        )
    return found


def remember_contracts(engine: Engine, charter: str, settlements: str) -> None:
    """Which cooperative and BankSettlements these books belong to (for the audit)."""
    with engine.begin() as conn:
        for key, value in (("charter", charter), ("settlements", settlements)):
            conn.execute(tables.setting.delete().where(tables.setting.c.key == key))
            conn.execute(tables.setting.insert().values(key=key, value=value))


def contracts(engine: Engine) -> tuple[str, str] | None:
    with engine.connect() as conn:
        values = dict(conn.execute(sa.select(tables.setting.c.key, tables.setting.c.value)).all())
    if "charter" in values and "settlements" in values:
        return values["charter"], values["settlements"]
    return None


def remembered_settlements(engine: Engine, charter: str) -> str | None:
    """The BankSettlements remembered for `charter` (None: no bank tables, or another one)."""
    if not sa.inspect(engine).has_table(tables.setting.name):
        return None
    known = contracts(engine)
    if known is None or known[0].lower() != charter.lower():
        return None
    return known[1]
