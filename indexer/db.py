"""Database access: one engine factory and the programmatic Alembic upgrade.

SQLite (a file under ./data) and PostgreSQL run the same code and the same migrations. SQLite
gets the pragmas that make it behave like a server for our purposes: WAL (the gateway reads
while the indexer writes), enforced foreign keys (projection ledgers cascade like on
PostgreSQL), a busy timeout instead of immediate "database is locked".
"""

from __future__ import annotations

import io
import itertools
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger("coop.indexer.db")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Our own version table: other parts of the node may run their own Alembic histories in the
#: same database, and must not see ours as theirs.
VERSION_TABLE = "idx_alembic_version"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a process crash loses nothing committed; a power cut may lose the
    # last transactions, cursor and rows together, which the next start simply re-indexes.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; creates the parent directory of a SQLite file."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_table", VERSION_TABLE)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def migrate(url_or_engine: str | Engine) -> None:
    """Bring the schema to the newest revision (no autogenerate: revisions are reviewed code)."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


#: Below this many rows a multi-row INSERT beats setting up a COPY.
COPY_THRESHOLD = 200
_copy_ids = itertools.count()


def insert_ignoring_duplicates(
    conn: Connection, table: sa.Table, rows: list[dict[str, Any]]
) -> None:
    """Bulk INSERT ... ON CONFLICT DO NOTHING: a row already mirrored is not an error.

    Never one ORM add per row. SQLite gets one executemany (a prepared statement in a loop, in
    process: fast). PostgreSQL gets COPY into a temporary table, then one INSERT ... SELECT ...
    ON CONFLICT DO NOTHING: psycopg2's executemany would make one round trip per row.
    """
    if not rows:
        return
    name = conn.dialect.name
    if name == "postgresql":
        if len(rows) >= COPY_THRESHOLD:
            _copy_insert(conn, table, rows)
        else:
            conn.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
    elif name == "sqlite":
        conn.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)
    else:  # pragma: no cover - only the two supported backends are tested
        raise RuntimeError(f"unsupported database backend {name!r}")


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value, separators=(",", ":"))
    elif isinstance(value, datetime):
        value = value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy_insert(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    cols = list(rows[0])
    quoted = ", ".join(f'"{c}"' for c in cols)
    tmp = f"_idx_copy_{next(_copy_ids)}"
    conn.exec_driver_sql(
        f'CREATE TEMPORARY TABLE "{tmp}" ON COMMIT DROP AS '
        f'SELECT {quoted} FROM "{table.name}" WITH NO DATA'
    )
    buf = io.StringIO()
    write = buf.write
    for row in rows:
        write("\t".join(_copy_text(row[c]) for c in cols))
        write("\n")
    buf.seek(0)
    dbapi_conn: Any = conn.connection.dbapi_connection
    with dbapi_conn.cursor() as cur:
        cur.copy_expert(f'COPY "{tmp}" ({quoted}) FROM STDIN', buf)
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{tmp}" ON CONFLICT DO NOTHING'
    )
    conn.exec_driver_sql(f'DROP TABLE "{tmp}"')
