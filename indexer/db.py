"""Database access: one engine factory and the programmatic Alembic upgrade.

SQLite (a file under ./data) and PostgreSQL run the same code and the same migrations. SQLite
gets the pragmas that make it behave like a server for our purposes: WAL (the gateway reads
while the indexer writes), enforced foreign keys (projection ledgers cascade like on
PostgreSQL), a busy timeout instead of immediate "database is locked".
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import logging
import operator
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

try:  # optional: several times faster JSON for the COPY buffers and the RPC answers
    import orjson
except ImportError:  # pragma: no cover - installed with the node's dependencies
    orjson = None  # type: ignore[assignment]

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


def advisory_key(name: str) -> int:
    """A PostgreSQL advisory lock key (signed 64 bits) for a lock's name: the same name gives
    the same key in every process and on every host."""
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_for_transaction(conn: Connection, name: str) -> None:
    """On PostgreSQL, wait for the advisory lock `name` and hold it until this transaction ends
    (`pg_advisory_xact_lock`): one holder across every process and host using the database.
    Elsewhere (SQLite: one host, the laptop) nothing: SQLite serialises writers itself."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": advisory_key(name)})


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
            # Several processes start at once (gateway workers, a standby indexer): one migrates,
            # the others wait and then find the schema current.
            lock_for_transaction(conn, "coop:migrate")
            command.upgrade(alembic_config(conn), "head")
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def upgrade_history(engine: Engine, script_location: str, version_table: str) -> None:
    """Bring one of the node's own Alembic histories (the gateway's, the bank's, the notices')
    to its newest revision under the same migration lock as the mirror's: gateway workers start
    at once, one migrates, the others wait and find it current."""
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.set_main_option("version_table", version_table)
    with engine.begin() as conn:
        lock_for_transaction(conn, "coop:migrate")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def run_env_migrations(connection: Connection, version_table: str) -> None:
    """What every Alembic `env.py` of the node runs with its live connection: the revisions up
    to the target, in one transaction, SQLite's ALTERs done by table copies."""
    context.configure(
        connection=connection,
        version_table=version_table,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_history_env(version_table: str, migrate_with: str) -> None:
    """The whole `env.py` of one of the node's own histories: they run only through
    `upgrade_history` (the connection it holds under the migration lock), never offline nor
    from the `alembic` command. `migrate_with` names the function to call instead."""
    connection = context.config.attributes.get("connection")
    if connection is None or context.is_offline_mode():
        raise RuntimeError(f"run these migrations through {migrate_with}")
    run_env_migrations(connection, version_table)


#: Below this many rows a multi-row INSERT beats setting up a COPY.
COPY_THRESHOLD = 200
_copy_ids = itertools.count()


def insert_ignoring_duplicates(
    conn: Connection,
    table: sa.Table,
    rows: list[dict[str, Any]],
    *,
    fresh: bool = False,
    columns: Sequence[str] | None = None,
    text: str | None = None,
) -> None:
    """Bulk INSERT ... ON CONFLICT DO NOTHING: a row already mirrored is not an error.

    Never one ORM add per row. SQLite gets one executemany (a prepared statement in a loop, in
    process: fast). PostgreSQL gets COPY into a temporary table, then one INSERT ... SELECT ...
    ON CONFLICT DO NOTHING: psycopg2's executemany would make one round trip per row.

    `fresh`: the caller knows that no stored row can share a key with these rows (the indexer:
    nothing is mirrored from the step's first block on). Then a table keyed by its raw event
    (see `_keyed_by_raw_event`) is COPYed straight into place, after dropping the rows that
    repeat a key of an earlier one (what ON CONFLICT DO NOTHING would do): a third less
    work for the server than the temporary table.

    `columns`: the keys of each row to write (the rows may carry others, which are ignored;
    the COPY paths then read the rows without copying them). Default: the first row's keys.
    `text`: the rows already in COPY's text format (`copy_text(rows, columns)`, rendered
    outside the transaction), used when a COPY writes them all.
    """
    if not rows:
        return
    name = conn.dialect.name
    cols = list(columns) if columns is not None else list(rows[0])
    if name == "postgresql" and len(rows) >= COPY_THRESHOLD:
        if fresh and _keyed_by_raw_event(table):
            kept = _first_per_key(table, rows)
            _copy_direct(conn, table, kept, cols, text if kept is rows else None)
        else:
            _copy_insert(conn, table, rows, cols, text)
        return
    if columns is not None and len(cols) != len(rows[0]):
        rows = [{c: row[c] for c in cols} for row in rows]
    if name == "postgresql":
        conn.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
    elif name == "sqlite":
        conn.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)
    else:  # pragma: no cover - only the two supported backends are tested
        raise RuntimeError(f"unsupported database backend {name!r}")


def _json_text(value: Any) -> str:
    """A JSON value as compact text (orjson when installed: several times faster)."""
    if orjson is not None:
        try:
            return orjson.dumps(value).decode()
        except TypeError:  # an int beyond 64 bits, a key that is no string...
            pass
    return _JSON.encode(value)


_JSON = json.JSONEncoder(separators=(",", ":"))


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = _json_text(value)
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


def _copy_fast(value: Any) -> str:
    """A value as `_copy_text` writes it, but a string unescaped (the caller checks the line)."""
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return "\\N"
    if kind is int:
        return str(value)
    if kind is dict or kind is list:
        return _json_text(value)
    return _copy_text(value)


def copy_text(rows: list[dict[str, Any]], cols: Sequence[str]) -> str:
    """The rows in COPY's text format. Each line is first joined without escaping; only a line
    whose tabs, backslashes (beyond the NULL markers), newlines or carriage returns say that a
    value needs escaping is written again value by value through `_copy_text`."""
    get = operator.itemgetter(*cols)
    single = len(cols) == 1
    tabs = len(cols) - 1
    lines: list[str] = []
    append = lines.append
    fast = _copy_fast
    for row in rows:
        values = (get(row),) if single else get(row)
        line = "\t".join([fast(v) for v in values])
        if (
            line.count("\t") != tabs
            or line.count("\\") != values.count(None)
            or "\n" in line
            or "\r" in line
        ):
            line = "\t".join([_copy_text(v) for v in values])
        append(line)
    lines.append("")
    return "\n".join(lines)


#: Characters psycopg2 reads from the buffer per call during COPY.
COPY_CHUNK = 1 << 20


def _copy_insert(
    conn: Connection,
    table: sa.Table,
    rows: list[dict[str, Any]],
    cols: list[str],
    text: str | None = None,
) -> None:
    quoted = ", ".join(f'"{c}"' for c in cols)
    tmp = f"_idx_copy_{next(_copy_ids)}"
    conn.exec_driver_sql(
        f'CREATE TEMPORARY TABLE "{tmp}" ON COMMIT DROP AS '
        f'SELECT {quoted} FROM "{table.name}" WITH NO DATA'
    )
    buf = io.StringIO(copy_text(rows, cols) if text is None else text)
    dbapi_conn: Any = conn.connection.dbapi_connection
    with dbapi_conn.cursor() as cur:
        cur.copy_expert(f'COPY "{tmp}" ({quoted}) FROM STDIN', buf, size=COPY_CHUNK)
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{tmp}" ON CONFLICT DO NOTHING'
    )
    conn.exec_driver_sql(f'DROP TABLE "{tmp}"')


RAW_KEY = ("chain_id", "block_hash", "log_index")
_raw_keyed: dict[sa.Table, bool] = {}


def _unique_keys(table: sa.Table) -> list[tuple[str, ...]]:
    """Column sets the table keeps unique: its primary key, unique constraints and indexes."""
    keys = [tuple(c.name for c in table.primary_key.columns)]
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            keys.append(tuple(c.name for c in constraint.columns))
    for index in table.indexes:
        if index.unique:
            keys.append(tuple(c.name for c in index.columns))
    return [k for k in keys if k]


def is_ledger(table: sa.Table) -> bool:
    """A projection ledger: keyed by its raw event (chain_id, block_hash, log_index) and carrying
    `block_number` (what the generic reorg undo deletes by)."""
    names = set(table.c.keys())
    pk = [c.name for c in table.primary_key.columns]
    return set(RAW_KEY) <= set(pk) and "block_number" in names and table.name != "idx_raw_event"


def ledger_tables(conn: Connection) -> list[sa.Table]:
    """Every projection ledger of the node's models that exists in this database (the reorg
    undo deletes their rows above the ancestor even when no projection of this indexer writes
    them: the foreign key's cascade did that before revision 0010_indexer_speed)."""
    from sqlmodel import SQLModel

    import indexer.models  # noqa: F401 - the tables' metadata

    present = set(sa.inspect(conn).get_table_names())
    return [t for t in SQLModel.metadata.sorted_tables if t.name in present and is_ledger(t)]


def _keyed_by_raw_event(table: sa.Table) -> bool:
    """Whether every unique key of `table` contains the raw event's key (chain_id, block_hash,
    log_index) and its rows derive from raw events (a ledger, a table referencing
    `idx_raw_event`, or that table itself): a row of a block that is not mirrored yet can then
    never collide with a stored row (a projection keys its rows by the event it applies)."""
    known = _raw_keyed.get(table)
    if known is None:
        raw = table.name == "idx_raw_event"
        references = (
            raw
            or is_ledger(table)
            or any(
                fk.referred_table.name == "idx_raw_event"
                and {c.name for c in fk.columns} == set(RAW_KEY)
                for fk in table.foreign_key_constraints
            )
        )
        keys = [k for k in _unique_keys(table) if not (raw and k == ("id",))]
        known = references and bool(keys) and all(set(RAW_KEY) <= set(k) for k in keys)
        _raw_keyed[table] = known
    return known


def _first_per_key(table: sa.Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows without those that repeat a unique key of an earlier row (what ON CONFLICT DO
    NOTHING keeps); a key the rows do not carry (a generated id) is unique anyway."""
    out = rows
    for key in _unique_keys(table):
        if not all(c in rows[0] for c in key):
            continue
        keys = list(map(operator.itemgetter(*key), out))
        if len(set(keys)) == len(keys):
            continue  # the usual case: no repeated key, nothing to drop
        seen: set[Any] = set()
        kept: list[dict[str, Any]] = []
        for row, value in zip(out, keys, strict=True):
            if value not in seen:
                seen.add(value)
                kept.append(row)
        out = kept
    return out


def _copy_direct(
    conn: Connection,
    table: sa.Table,
    rows: list[dict[str, Any]],
    cols: list[str],
    text: str | None = None,
) -> None:
    quoted = ", ".join(f'"{c}"' for c in cols)
    buf = io.StringIO(copy_text(rows, cols) if text is None else text)
    dbapi_conn: Any = conn.connection.dbapi_connection
    with dbapi_conn.cursor() as cur:
        cur.copy_expert(f'COPY "{table.name}" ({quoted}) FROM STDIN', buf, size=COPY_CHUNK)


#: Below this many estimated rows a table's statistics are refreshed as it fills (see
#: `analyze_while_young`); above it the planner's choice no longer changes.
YOUNG_ROWS = 50_000


def analyze_while_young(
    conn: Connection, table: sa.Table, added: int, *, if_referenced: bool = False
) -> None:
    """ANALYZE `table` on PostgreSQL while it is young: never analyzed, or about to double.
    `if_referenced`: only when a foreign key references `table` (the reason below; the
    ledgers have none since revision 0010_indexer_speed, a later table may declare one).

    Why: PostgreSQL checks each foreign key with a plan cached per connection, made when the
    connection first checks one. Made on an empty, never-analyzed `idx_raw_event`, that plan
    reads the raw events of the whole chain through the (chain_id, address) index for every
    ledger row, so a step's cost grew with the mirror's size (16k domain events in 8,000-block
    steps: 1.3k events/s). Fresh statistics make it use the (chain_id, block_hash, log_index)
    key, and ANALYZE invalidates the cached plan. Inside the step's transaction ANALYZE counts
    the step's own rows; on a young table it reads at most a few thousand pages.
    """
    if conn.dialect.name != "postgresql" or added <= 0:
        return
    estimate = conn.execute(
        sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"),
        {"t": table.name},
    ).scalar()
    rows = -1.0 if estimate is None else float(estimate)
    if rows < YOUNG_ROWS and (rows < 0 or added >= rows):
        if (
            if_referenced
            and not conn.execute(
                sa.text(
                    "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f' "
                    "AND confrelid = CAST(:t AS regclass))"
                ),
                {"t": table.name},
            ).scalar()
        ):
            return
        conn.exec_driver_sql(f'ANALYZE "{table.name}"')
