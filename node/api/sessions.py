"""Revoking session tokens: logout (this session) and "log out everywhere" (every session of an
address issued until now).

A session token is stateless (HMAC, see `auth.SessionSigner`); a revocation is a row in
`api_session_revocation`, so every gateway process (`COOP_API_WORKERS`) sees it. Checking a
token must not cost a database query per request (the latency goal), so each process keeps the
unexpired revocations in memory: the process that revokes updates its copy at once, the others
reload theirs when the mirror clock (every 20 ms) sees the table change (`refresh`). Rows are
purged once the sessions they revoke have expired anyway.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from node.api.auth import Session
from node.api.models import SessionRevocation

TABLE = SessionRevocation.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Marker:
    count: int
    max_id: int | None


class Revocations:
    """The unexpired revocations, in memory, refreshed from the table when it changes."""

    def __init__(self, engine: Engine, session_ttl: int) -> None:
        self.engine = engine
        self.session_ttl = session_ttl
        self._lock = threading.Lock()
        self._sessions: dict[str, int] = {}
        """session id -> when it expires."""
        self._cutoffs: dict[str, int] = {}
        """address -> sessions issued before this second are revoked."""
        self._marker: _Marker | None = None

    # -- checks (hot path: memory only) ---------------------------------------------------------

    def is_revoked(self, session: Session) -> bool:
        if session.id in self._sessions:
            return True
        cutoff = self._cutoffs.get(session.address)
        return cutoff is not None and session.issued_at < cutoff

    def not_before(self, address: str) -> int:
        """The earliest issue time a new session of `address` may have (after a revoke-all)."""
        return self._cutoffs.get(address, 0)

    # -- revoking -----------------------------------------------------------------------------

    def revoke(self, session: Session) -> None:
        """Logout: this session only."""
        now = int(time.time())
        self._insert(session.address, session.id, None, session.expires_at, now)
        with self._lock:
            self._sessions[session.id] = session.expires_at

    def revoke_all(self, address: str) -> int:
        """Every session of `address` issued until now (this second included). Returns the
        cut-off: sessions issued from then on are valid."""
        now = int(time.time())
        cutoff = now + 1
        self._insert(address, None, cutoff, cutoff + self.session_ttl, now)
        with self._lock:
            self._cutoffs[address] = max(cutoff, self._cutoffs.get(address, 0))
        return cutoff

    def _insert(
        self, address: str, session_id: str | None, not_before: int | None, expires: int, now: int
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(TABLE.delete().where(TABLE.c.expires_at < now))
            conn.execute(
                TABLE.insert().values(
                    address=address,
                    session_id=session_id,
                    not_before=not_before,
                    expires_at=expires,
                    created_at=now,
                )
            )

    # -- other processes' revocations -----------------------------------------------------------

    def refresh(self, conn: Connection) -> None:
        """Reload when the table changed (a row added or purged by any process)."""
        row = conn.execute(sa.select(sa.func.count(), sa.func.max(TABLE.c.id))).one()
        marker = _Marker(int(row[0]), None if row[1] is None else int(row[1]))
        if marker == self._marker:
            return
        now = int(time.time())
        sessions: dict[str, int] = {}
        cutoffs: dict[str, int] = {}
        for r in conn.execute(sa.select(TABLE).where(TABLE.c.expires_at >= now)):
            if r.session_id is not None:
                sessions[r.session_id] = int(r.expires_at)
            if r.not_before is not None:
                cutoffs[r.address] = max(int(r.not_before), cutoffs.get(r.address, 0))
        with self._lock:
            # Keep what this process revoked meanwhile (committed after the rows were read).
            for sid, expires in self._sessions.items():
                if expires >= now:
                    sessions.setdefault(sid, expires)
            for address, cutoff in self._cutoffs.items():
                if cutoff + self.session_ttl >= now:
                    cutoffs[address] = max(cutoff, cutoffs.get(address, 0))
            self._sessions, self._cutoffs, self._marker = sessions, cutoffs, marker

    def load(self) -> None:
        with self.engine.connect() as conn:
            self.refresh(conn)
