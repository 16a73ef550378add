"""Benchmark of the notices: the legal notice of a general meeting of N members (10,000 by
default) derived from the mirror, queued in the outbox and handed to an SMTP server.

Run: ``python benchmarks/bench_notices.py`` (``--help`` for options). Writes
``benchmarks/notices_results.md``.

* **Mirror**: a fresh database migrated by the indexer's own Alembic history, holding one
  cooperative, N admitted members (`member_event` rows, each with its raw event) and a meeting
  convened with 3 questions (`MeetingConvened`, `QuestionAdded`, the meeting's parameters):
  what the indexer writes, inserted directly (no chain: the figure is the notifier's).
* **Members' channels**: every member has the inbox; `--email-share` of them (default 60%)
  confirmed an e-mail address.
* **Queue**: `events.follow` from a cursor before the convening: reads the event, the meeting
  and its agenda, the N members, their channels, and writes the outbox rows (one transaction).
* **Hand over**: `Notifier.deliver()`: renders each e-mail (Russian and English), sends it over
  one SMTP connection per batch of 500 to an aiosmtpd server in a child process (a sink that
  counts what it accepted), marks the rows sent.
* Each database kind runs in a fresh child process: wall time, CPU time of the node's process
  (the machine is shared with other work: CPU time is the steadier figure), peak RSS. SQLite is
  a file; PostgreSQL a scratch database created and dropped here.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import secrets
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from indexer.db import make_engine  # noqa: E402
from indexer.db import migrate as migrate_mirror  # noqa: E402
from indexer.models import (  # noqa: E402
    Cooperative,
    Cursor,
    MeetingEvent,
    MemberEvent,
    Question,
    RawEvent,
)
from node.notices import store  # noqa: E402
from node.notices.events import Contracts, start_at  # noqa: E402
from node.notices.worker import Notifier, NotifierConfig  # noqa: E402

OUT = ROOT / "benchmarks" / "notices_results.md"
CHAIN = 31337
CHARTER = "0x" + "c1" * 20
MEMBERSHIP = "0x" + "c2" * 20
MEETING = "0x" + "c7" * 20
COUNCIL = "0x" + "c8" * 20
PG = os.environ.get("BENCH_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def _address(i: int) -> str:
    return "0x" + f"{i + 1:040x}"


def _sink(port: int, ready: Any, counter: Any, stop: Any) -> None:
    """An SMTP server that accepts every message and counts it (a child process)."""
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def _fill_mirror(url: str, members: int, email_share: float) -> Contracts:
    migrate_mirror(url)
    engine = make_engine(url)
    store.migrate(engine)
    raw = RawEvent.__table__  # type: ignore[attr-defined]
    block = 10
    with engine.begin() as conn:

        def raw_event(log_index: int, address: str, name: str, args: dict[str, Any]) -> dict:
            return {
                "chain_id": CHAIN,
                "block_number": block,
                "block_hash": f"0x{block:064x}",
                "tx_hash": f"0x{log_index:064x}",
                "tx_index": 0,
                "log_index": log_index,
                "address": address,
                "event_name": name,
                "args": args,
                "block_timestamp": 1_800_000_000,
            }

        conn.execute(
            sa.insert(raw),
            [raw_event(0, CHARTER, "CooperativeRegistered", {})]
            + [raw_event(1 + i, MEMBERSHIP, "MemberAdmitted", {}) for i in range(members)],
        )
        conn.execute(
            sa.insert(Cooperative.__table__),  # type: ignore[attr-defined]
            [
                {
                    "chain_id": CHAIN,
                    "block_hash": f"0x{block:064x}",
                    "log_index": 0,
                    "block_number": block,
                    "network_registry": CHARTER,
                    "coop_id": 1,
                    "charter": CHARTER,
                    "kind": 0,
                    "name": "Кооператив «Бенчмарк»",
                    "charter_document": "0x" + "00" * 32,
                    "chair": _address(0),
                    "membership": MEMBERSHIP,
                    "shares": "0x" + "c3" * 20,
                    "treasury": "0x" + "c4" * 20,
                    "documents": "0x" + "c5" * 20,
                    "settlement_units": "0x" + "c6" * 20,
                }
            ],
        )
        member_rows = [
            {
                "chain_id": CHAIN,
                "block_hash": f"0x{block:064x}",
                "log_index": 1 + i,
                "block_number": block,
                "account": _address(i),
                "contract": MEMBERSHIP,
                "action": "admitted",
                "status": 2,
                "member_kind": 0,
                "blocked_from": 0,
                "identity_verified": True,
                "fees_paid": True,
                "nonce": 1,
                "applied_at": 1_799_000_000,
                "admitted_at": 1_799_500_000,
            }
            for i in range(members)
        ]
        for start in range(0, members, 2000):
            conn.execute(sa.insert(MemberEvent.__table__), member_rows[start : start + 2000])  # type: ignore[attr-defined]
        block = 11
        first = members + 1
        agenda = [
            raw_event(
                first + 1 + q,
                MEETING,
                "QuestionAdded",
                {"meetingId": "1", "index": str(q)},
            )
            for q in range(3)
        ]
        conn.execute(
            sa.insert(raw),
            [
                raw_event(
                    first - 1,
                    MEETING,
                    "GeneralMeetingParametersSet",
                    {"noticePeriod": "1296000", "quorumSchedule": ["5000"]},
                ),
                raw_event(first, MEETING, "MeetingConvened", {"meetingId": "1"}),
                *agenda,
            ],
        )
        conn.execute(
            sa.insert(MeetingEvent.__table__),  # type: ignore[attr-defined]
            [
                {
                    "chain_id": CHAIN,
                    "block_hash": f"0x{block:064x}",
                    "log_index": first,
                    "block_number": block,
                    "meeting_id": 1,
                    "contract": MEETING,
                    "action": "convened",
                    "status": 1,
                    "previous_meeting_id": 0,
                    "attempt": 0,
                    "opens_at": 1_801_400_000,
                    "closes_at": 1_802_000_000,
                    "record_block": 10,
                    "quorum_bps": 5000,
                    "secretary": _address(1),
                    "chair": "0x" + "00" * 20,
                }
            ],
        )
        conn.execute(
            sa.insert(Question.__table__),  # type: ignore[attr-defined]
            [
                {
                    "chain_id": CHAIN,
                    "block_hash": f"0x{block:064x}",
                    "log_index": first + 1 + q,
                    "block_number": block,
                    "contract": MEETING,
                    "meeting_id": 1,
                    "question_index": q,
                    "document_hash": "0x" + f"{q + 1:064x}",
                    "majority": q % 3,
                    "targets": [],
                    "calldatas": [],
                }
                for q in range(3)
            ],
        )
        conn.execute(
            sa.insert(Cursor.__table__),  # type: ignore[attr-defined]
            [
                {
                    "chain_id": CHAIN,
                    "block_number": 11,
                    "block_hash": f"0x{11:064x}",
                    "block_timestamp": 1_800_000_100,
                }
            ],
        )
    t = int(time.time())
    with engine.begin() as conn:
        mailed = int(members * email_share)
        conn.execute(
            sa.insert(store.tables.email),
            [
                {
                    "account": _address(i),
                    "address": f"member{i}@mail.example",
                    "confirmed_at": t,
                    "attempts": 0,
                    "updated_at": t,
                }
                for i in range(mailed)
            ],
        )
    engine.dispose()
    return Contracts(
        chain_id=CHAIN,
        charter=CHARTER,
        membership=MEMBERSHIP,
        units="0x" + "c6" * 20,
        documents="0x" + "c5" * 20,
        council=COUNCIL,
        meeting=MEETING,
        name="Кооператив «Бенчмарк»",
    )


def _measure(url: str, members: int, email_share: float, smtp_port: int, result: Any) -> None:
    """In a fresh child process: fill, then queue and hand over, timed."""
    c = _fill_mirror(url, members, email_share)
    engine = make_engine(url)
    with engine.begin() as conn:
        start_at(conn, c, 11)
    notifier = Notifier(engine, c, NotifierConfig(smtp_url=f"smtp://127.0.0.1:{smtp_port}"))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    collected = notifier.collect()
    queue_wall, queue_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    delivered = notifier.deliver()
    send_wall, send_cpu = time.perf_counter() - wall, time.process_time() - cpu
    with engine.connect() as conn:
        counts = store.status(conn)
    result.update(
        rows=collected.rows,
        queue_wall=queue_wall,
        queue_cpu=queue_cpu,
        sent=delivered.sent,
        send_wall=send_wall,
        send_cpu=send_cpu,
        rss_before=rss0 // 1024,
        rss_peak=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        counts=counts,
    )
    engine.dispose()


def run_kind(kind: str, members: int, email_share: float) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    from tests.conftest import free_port

    port = free_port()
    ready, stop, counter = ctx.Event(), ctx.Event(), ctx.Value("i", 0)
    sink = ctx.Process(target=_sink, args=(port, ready, counter, stop), daemon=True)
    sink.start()
    ready.wait(30)
    scratch = None
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "sqlite":
            url = f"sqlite:///{tmp}/bench.db"
        else:
            scratch = f"bench_notices_{secrets.token_hex(4)}"
            admin = sa.create_engine(PG, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
            url = sa.make_url(PG).set(database=scratch).render_as_string(hide_password=False)
        manager = ctx.Manager()
        result = manager.dict()
        child = ctx.Process(target=_measure, args=(url, members, email_share, port, result))
        child.start()
        child.join()
        out = dict(result)
        out["accepted"] = counter.value
        if scratch is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            admin.dispose()
    stop.set()
    sink.join(10)
    if child.exitcode != 0:
        raise SystemExit(f"{kind}: the measuring process failed ({child.exitcode})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--email-share", type=float, default=0.6)
    parser.add_argument("--kinds", default="sqlite,postgres")
    args = parser.parse_args()
    load = os.getloadavg()
    results = {k: run_kind(k, args.members, args.email_share) for k in args.kinds.split(",")}
    mailed = int(args.members * args.email_share)
    lines = [
        "# Notices: the notice of a general meeting to 10,000 members",
        "",
        f"Generated by `python benchmarks/bench_notices.py {shlex.join(sys.argv[1:])}` on "
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        f"(shared with other work; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the "
        f"start), {time.strftime('%Y-%m-%d')}.",
        "",
        f"A meeting of {args.members:,} members with 3 questions; {mailed:,} of them confirmed an "
        "e-mail address, every one has the portal's inbox. **Queue**: the notifier reads the "
        "convening from the mirror, the agenda, the members and their channels, and writes the "
        "outbox (one row per member and channel, one transaction). **Hand over**: every e-mail "
        "rendered (Russian, then English) and sent over one SMTP connection per 500 to an "
        "aiosmtpd sink in another process, the rows marked sent 50 at a time. CPU time is the "
        "notifier's process only (the sink runs apart).",
        "",
        "| database | outbox rows | queue: wall, s | queue: CPU, s | e-mails handed over | "
        "accepted by the server | hand over: wall, s | hand over: CPU, s | e-mails/s (wall) | "
        "peak RSS, MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, r in results.items():
        rate = r["sent"] / r["send_wall"] if r["send_wall"] else 0
        lines.append(
            f"| {'SQLite' if kind == 'sqlite' else 'PostgreSQL'} | {r['rows']:,} | "
            f"{r['queue_wall']:.2f} | {r['queue_cpu']:.2f} | {r['sent']:,} | {r['accepted']:,} | "
            f"{r['send_wall']:.2f} | {r['send_cpu']:.2f} | {rate:,.0f} | {r['rss_peak']} |"
        )
    lines += [
        "",
        "Peak RSS is that of the measuring process (it also built the synthetic mirror before "
        "the timed steps; RSS before them: "
        + ", ".join(f"{k} {r['rss_before']} MB" for k, r in results.items())
        + ").",
        "",
    ]
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
