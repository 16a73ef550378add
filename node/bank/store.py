"""Imported statements in SQL: one transaction per file, each bank booking stored once.

Importing the same file again changes nothing (its SHA-256 is known); a later statement that
repeats a booking already imported (same bank reference) adds only the new ones. A file that
fails validation never reaches this module.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from indexer.db import lock_for_transaction
from node.bank import tables
from node.bank.formats import Statement, parse_statement

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "bank_alembic_version"


def migrate(engine: Engine) -> None:
    """Bring the bank's tables to the newest revision (idempotent)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_table", VERSION_TABLE)
    with engine.begin() as conn:
        lock_for_transaction(conn, "coop:migrate")  # gateway workers may all try at once
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


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
        rows = (
            {
                "line_hash": "0x" + x.line_hash.hex(),
                "bank_ref": x.bank_ref,
                "statement_id": statement_id,
                "source_line": x.source_line,
                "incoming": x.incoming,
                "booked": x.date.isoformat(),
                "amount": x.amount,
                "number": x.number[:64],
                "payer_name": x.payer.name[:300],
                "payer_inn": x.payer.inn,
                "payer_account": x.payer.account,
                "payer_bik": x.payer.bik,
                "payee_name": x.payee.name[:300],
                "payee_inn": x.payee.inn,
                "payee_account": x.payee.account,
                "purpose": x.purpose,
                "status": "new",
            }
            for x in fresh
        )
        while chunk := list(itertools.islice(rows, 5_000)):
            conn.execute(tables.line.insert(), chunk)
        return ImportResult(int(statement_id), len(statement.lines), len(fresh), False)


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
