"""One indexer per chain: a leader lock that a standby takes over when the leader dies.

Two indexers writing one mirror would race on the cursor (both read block N, both commit
N+1..M, the second fails or doubles the projections' work), so every indexer of a chain asks for
the lock before each pass and indexes only while it holds it:

- PostgreSQL (`DATABASE_URL`): a session-level advisory lock (`pg_try_advisory_lock`) on a
  connection kept open for as long as the process leads. It is released when that connection
  ends, so when the leader's process or host dies PostgreSQL frees it (at once for a killed
  process, after TCP keepalive for a lost host) and a standby's next try takes it. Every host
  using the database sees the same lock.
- SQLite (one host, the laptop): an exclusive `flock` on `<database>.indexer-<chain>.lock`
  beside the database file; the kernel releases it when the process dies.

A leader that loses its PostgreSQL connection stops leading at once (`held()` is False): its
next commit would fail anyway, and a standby may already have taken over.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from indexer.db import advisory_key

log = logging.getLogger("coop.indexer.leader")


class LeaderLock:
    """`try_acquire()` (non-blocking) / `held()` / `release()` of the indexer lock of a chain."""

    def __init__(self, engine: Engine, chain_id: int, role: str = "indexer") -> None:
        """`role` names what runs once per chain and database: the indexer, or another single
        writer such as the notices' sender (each role has its own lock)."""
        self.engine = engine
        self.chain_id = chain_id
        self.role = role
        self.name = f"coop:{role}:{chain_id}"
        self._conn: Any = None  # PostgreSQL: the DBAPI connection holding the session lock
        self._fd: int | None = None  # SQLite: the locked file
        self.path: Path | None = None
        if engine.dialect.name != "postgresql":
            database = engine.url.database
            if database and database != ":memory:":
                self.path = Path(f"{database}.{role}-{chain_id}.lock")

    @property
    def is_leader(self) -> bool:
        return self._conn is not None or self._fd is not None or self._memory_only

    @property
    def _memory_only(self) -> bool:
        """An in-memory SQLite mirror belongs to one process: nothing to share, always leader."""
        return self.engine.dialect.name != "postgresql" and self.path is None

    def try_acquire(self) -> bool:
        """Take the lock if free (True), or say another indexer holds it (False)."""
        if self.is_leader:
            return self.held()
        if self.engine.dialect.name == "postgresql":
            return self._try_pg()
        return self._try_file()

    def _try_pg(self) -> bool:
        # A raw DBAPI connection outside the pool: its session is the lock's lifetime, and the
        # pool must never hand it to anyone else (nor recycle it).
        conn = self.engine.raw_connection()
        try:
            cur = conn.cursor()
            cur.execute("SELECT pg_try_advisory_lock(%s)", (advisory_key(self.name),))
            row = cur.fetchone()
            cur.close()
            conn.commit()
        except Exception:
            conn.close()
            raise
        if row is None or not row[0]:
            conn.close()
            return False
        self._conn = conn
        log.info("%s leader for chain %d (PostgreSQL advisory lock)", self.role, self.chain_id)
        return True

    def _try_file(self) -> bool:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        log.info("%s leader for chain %d (lock file %s)", self.role, self.chain_id, self.path)
        return True

    def held(self) -> bool:
        """Still the leader? For PostgreSQL: the lock's connection still answers."""
        if self._memory_only or self._fd is not None:
            return True
        if self._conn is None:
            return False
        try:
            cur = self._conn.cursor()
            cur.execute("SELECT 1")
            cur.fetchone()
            cur.close()
            self._conn.commit()
            return True
        except Exception as exc:
            log.warning("%s leader lock lost (%s): standing down", self.role, exc)
            self._drop_pg()
            return False

    def _drop_pg(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def release(self) -> None:
        if self._conn is not None:
            try:
                cur = self._conn.cursor()
                cur.execute("SELECT pg_advisory_unlock(%s)", (advisory_key(self.name),))
                cur.close()
                self._conn.commit()
            except Exception:
                pass
            self._drop_pg()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
