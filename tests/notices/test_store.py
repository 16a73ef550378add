"""The outbox on SQLite and PostgreSQL: channels chosen by preference, one row per
`(event_id, recipient, channel)`, backoff that grows and is capped, permanent refusals, and
delivery to a real SMTP server (no chain needed: the rows are made directly)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from indexer.db import make_engine
from node.notices import delivery_list, store, tables
from node.notices.events import Contracts
from node.notices.store import ChannelPreference, Notice
from node.notices.worker import Notifier, NotifierConfig
from tests.indexer.conftest import _pg_server, _port_open
from tests.notices.conftest import SmtpServer

A = "0x" + "a1" * 20
B = "0x" + "b2" * 20
C = "0x" + "c3" * 20


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        e = make_engine(f"sqlite:///{tmp_path / 'notices.db'}")
        store.migrate(e)
        yield e
        e.dispose()
        return
    server, explicit = _pg_server()
    if not _port_open(server):
        if explicit:
            pytest.fail(f"DATABASE_URL is set but PostgreSQL at {server} does not answer")
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    admin = sa.create_engine(
        sa.make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    name = f"test_notify_{secrets.token_hex(5)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    e = make_engine(sa.make_url(server).set(database=name).render_as_string(hide_password=False))
    store.migrate(e)
    store.migrate(e)  # idempotent
    yield e
    e.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _confirm(e: Engine, account: str, address: str) -> None:
    with e.begin() as conn:
        code = store.start_email_confirmation(conn, account, address)
        store.enqueue_direct(
            conn, f"c:{account}", "email_confirm", account, "email", address, {"code": code}
        )
        conn.execute(  # as if mailed
            tables.outbox.update()
            .where(tables.outbox.c.event_id == f"c:{account}")
            .values(status="sent")
        )
    with e.begin() as conn:
        store.confirm_email(conn, account, code)
        spent = conn.execute(
            sa.select(tables.outbox.c.payload).where(tables.outbox.c.event_id == f"c:{account}")
        ).scalar_one()
    assert spent == {}  # the code does not stay readable


def test_channels_follow_preferences_and_rows_are_unique(engine: Engine) -> None:
    _confirm(engine, A, "a@mail.example")
    _confirm(engine, B, "b@mail.example")
    with engine.begin() as conn:
        store.set_preferences(conn, A, [ChannelPreference("email", True, ["invoice_issued"])])
        store.set_preferences(conn, B, [ChannelPreference("inbox", False, None)])
        store.set_webhook(conn, C, "https://hooks.example.org/c", allow_private=False)
        store.set_preferences(conn, C, [ChannelPreference("webhook", True, None)])
        with pytest.raises(store.NoticeError):
            store.set_preferences(conn, C, [ChannelPreference("email", True, ["nonsense"])])
    notices = [
        Notice("invoice_issued:1", "invoice_issued", [A, B, C], {}),
        Notice("payment_due:1", "payment_due", [A, B, C], {}),
        Notice("meeting_convened:m:1", "meeting_convened", [A, B, C], {}, "m:1"),
    ]
    with engine.begin() as conn:
        added = store.enqueue(conn, notices, at=1000)
        again = store.enqueue(conn, notices, at=1001)
    assert again == 0
    with engine.connect() as conn:
        rows = {
            (r.event_id, r.recipient, r.channel): r.status
            for r in conn.execute(
                sa.select(tables.outbox).where(tables.outbox.c.kind != "email_confirm")
            )
        }
    assert added == len(rows)
    # A: e-mail only for invoices (its kinds), but the legal notice whatever the list says.
    assert ("invoice_issued:1", A, "email") in rows
    assert ("payment_due:1", A, "email") not in rows
    assert ("meeting_convened:m:1", A, "email") in rows
    # B turned the inbox off and e-mail was never turned on: the legal notice still reaches
    # both of B's channels; nothing else reaches B.
    assert ("payment_due:1", B, "inbox") not in rows and ("payment_due:1", B, "email") not in rows
    assert ("meeting_convened:m:1", B, "inbox") in rows
    assert ("meeting_convened:m:1", B, "email") in rows
    # C: inbox (default) and webhook for everything.
    assert ("payment_due:1", C, "webhook") in rows and ("payment_due:1", C, "inbox") in rows
    assert all(s == "sent" for (_, _, ch), s in rows.items() if ch == "inbox")
    assert all(s == "pending" for (_, _, ch), s in rows.items() if ch != "inbox")
    with engine.begin() as conn:
        assert store.read_cursor(conn, "x") is None
        store.write_cursor(conn, "x", 12, 3)
        store.write_cursor(conn, "x", 13, 0)
        assert store.read_cursor(conn, "x") == (13, 0)


def test_backoff_grows_is_capped_and_permanent_refusals_end(engine: Engine) -> None:
    with engine.begin() as conn:
        store.enqueue_direct(conn, "e:1", "email_confirm", A, "email", "a@x.example", {"code": "1"})
        store.enqueue_direct(conn, "e:2", "email_confirm", B, "email", "b@x.example", {"code": "2"})
    t = 4_000_000_000
    delays = []
    for _ in range(6):
        with engine.begin() as conn:
            (row,) = [r for r in store.due(conn, 10**12, 10) if r.event_id == "e:1"]
            store.mark_failed(conn, row, "451 busy", t, backoff=30, backoff_max=200)
        with engine.connect() as conn:
            (row,) = conn.execute(
                sa.select(tables.outbox).where(tables.outbox.c.event_id == "e:1")
            ).all()
        delays.append(row.next_attempt_at - t)
        assert row.status == "pending"
    assert delays == [30, 60, 120, 200, 200, 200]
    with engine.begin() as conn:
        assert [r.event_id for r in store.due(conn, t + 199, 10)] == ["e:2"]
    for _ in range(store.MAX_PERMANENT_ATTEMPTS):
        with engine.begin() as conn:
            (row,) = [r for r in store.due(conn, 10**12, 10) if r.event_id == "e:2"]
            store.mark_failed(
                conn, row, "550 no such user", t, backoff=1, backoff_max=1, permanent=True
            )
    with engine.connect() as conn:
        (row,) = conn.execute(
            sa.select(tables.outbox).where(tables.outbox.c.event_id == "e:2")
        ).all()
    assert row.status == "failed" and row.attempts == store.MAX_PERMANENT_ATTEMPTS


def test_delivery_to_smtp_and_the_sealed_list(engine: Engine, smtp: SmtpServer) -> None:
    address = f"list-{engine.dialect.name}@mail.example"  # the server is the package's
    _confirm(engine, A, address)
    payload = {
        "meeting_contract": "0x" + "dd" * 20,
        "meeting_id": 7,
        "opens_at": 2_000_000_000,
        "closes_at": 2_000_086_400,
        "quorum_bps": 5000,
        "notice_period": 3600,
        "deadline": 2_000_000_000 - 3600,
        "agenda": [],
        "link": "https://coop.test/#/meetings",
    }
    with engine.begin() as conn:
        store.enqueue(
            conn, [Notice("meeting_convened:x:7", "meeting_convened", [A, B], payload, "x:7")]
        )
        assert delivery_list.ready(conn, chain_time=0) == []  # e-mail still pending
    c = Contracts(
        chain_id=1, charter="0x" + "ee" * 20, membership=A, units=A, documents=A, name="Тест"
    )
    notifier = Notifier(engine, c, NotifierConfig(smtp_url=smtp.url))
    done = notifier.deliver()
    assert done.sent == 1
    (mail,) = smtp.mailbox.wait(address, "meeting_convened")
    assert (
        "УВЕДОМЛЕНИЕ О СОЗЫВЕ ОБЩЕГО СОБРАНИЯ ПАЙЩИКОВ № 7"
        in mail.get_body(("plain",)).get_content()
    )  # type: ignore[union-attr]
    assert notifier.deliver().sent == 0  # nothing twice
    with engine.begin() as conn:
        assert delivery_list.ready(conn, chain_time=0) == ["x:7"]
        sealed = delivery_list.seal(conn, "x:7", chain_id=1, charter=c.charter, at=5)
        assert delivery_list.seal(conn, "x:7", chain_id=1, charter=c.charter, at=6) == sealed
    import hashlib

    assert hashlib.sha256(sealed.body).hexdigest() == sealed.sha256
    doc = sealed.document
    assert [r["account"] for r in doc["recipients"]] == sorted([A, B])
    assert doc["delivered_count"] == 2 and doc["sealed_at"] == 5


def test_coop_notices_status_reads_the_outbox(engine: Engine) -> None:
    import json

    from click.testing import CliRunner

    from node.cli import main

    with engine.begin() as conn:
        store.enqueue(conn, [Notice("cli:1", "payment_due", [A], {})])
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["notices", "status"], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["outbox"] == {"inbox": {"sent": 1}}
