"""Fixtures of the indexer suites: a fresh database per test on SQLite and on PostgreSQL, a
dedicated anvil per test where a test reorganises or kills things, and contract helpers.

PostgreSQL: DATABASE_URL (when it is a PostgreSQL URL) names the server; otherwise the local
127.0.0.1:5432. A laptop without PostgreSQL skips the postgres cases; with DATABASE_URL set
explicitly (CI, `make test-postgres`) an unreachable server fails them.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from indexer.config import IndexerSettings
from indexer.run import Indexer
from node.chain.anvil import Anvil
from node.chain.artifacts import Artifacts
from node.chain.client import Chain
from tests.conftest import free_port

LOCAL_PG = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def _pg_server() -> tuple[str, bool]:
    """(server URL, whether it was asked for explicitly)."""
    env = os.environ.get("DATABASE_URL", "")
    if env.startswith("postgresql"):
        return env, True
    return LOCAL_PG, False


def _port_open(url: str) -> bool:
    u = sa.make_url(url)
    try:
        with socket.create_connection((u.host or "127.0.0.1", u.port or 5432), timeout=1):
            return True
    except OSError:
        return False


DbFactory = Callable[[], str]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DbFactory]:
    """Makes fresh, empty databases of the parametrised kind; drops them after the test."""
    made: list[str] = []
    if request.param == "sqlite":

        def make_sqlite() -> str:
            url = f"sqlite:///{tmp_path / f'mirror-{len(made)}.db'}"
            made.append(url)
            return url

        yield make_sqlite
        return

    server, explicit = _pg_server()
    if not _port_open(server):
        if explicit:
            pytest.fail(f"DATABASE_URL is set but PostgreSQL at {server} does not answer")
        pytest.skip(
            "no PostgreSQL on 127.0.0.1:5432 and DATABASE_URL unset (a laptop): SQLite only"
        )
    admin = sa.create_engine(
        sa.make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )

    def make_pg() -> str:
        name = f"coop_idx_{secrets.token_hex(6)}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return sa.make_url(server).set(database=name).render_as_string(hide_password=False)

    yield make_pg
    with admin.connect() as conn:
        for name in made:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def db_url(db_factory: DbFactory) -> str:
    return db_factory()


@pytest.fixture
def own_chain(artifacts: Artifacts) -> Iterator[Chain]:
    """A dedicated anvil: reorgs, rollbacks and kills stay out of the session chain."""
    node = Anvil(free_port())
    node.start()
    chain = Chain(node.url, artifacts)
    chain.wait_ready()
    yield chain
    node.stop()


NOTE = b"note".ljust(32, b"\0")


def note(text: str) -> bytes:
    return text.encode().ljust(32, b"\0")


def deploy_ping(chain: Chain, owner: LocalAccount) -> Contract:
    ping, _ = chain.deploy("Ping", owner.address, sender=owner)
    return ping


def make_indexer(chain: Chain, db_url: str, **settings: Any) -> Indexer:
    rpc_url = settings.pop("rpc_url", chain.rpc_url)
    before_commit = settings.pop("before_commit", None)
    settings.setdefault("finality_depth", 2)
    settings.setdefault("backoff_initial", 0.05)
    settings.setdefault("backoff_max", 0.2)
    return Indexer(
        rpc_url=rpc_url,
        database_url=db_url,
        artifacts=chain.artifacts,
        settings=IndexerSettings(**settings),
        before_commit=before_commit,
    )


def rows(db_url: str, sql: str, **params: Any) -> list[Any]:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params).all())
    finally:
        engine.dispose()


def rpc(chain: Chain, method: str, params: list[Any]) -> Any:
    answer = chain.w3.provider.make_request(method, params)  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer.get("result")
