"""Benchmark of the bank module: a 100,000-line statement imported and matched, the ledger's
оборотно-сальдовая ведомость over 1,000,000 entries in SQLite and PostgreSQL, and the gas of
the cashier's batched attestations.

Run: ``.venv/bin/python benchmarks/bench_bank.py`` (``--help`` for options). Writes
``benchmarks/bank_results.md``.

* **Statement**: a 1C «Клиент-банк» file (windows-1251) of N incoming payments, 90% quoting a
  voluntary-share reference ``КП-<member>-ПАЙ`` of one of N/10 members, 10% without one (they
  go to the queue). Measured in a fresh child process each: parsing and validating every line,
  the import into a fresh SQLite file (one transaction), and matching against an in-memory
  directory of members (what the chain directory holds once read); peak RSS of that process.
* **Ledger**: M entries spread over a year among 12 accounts and 10,000 members, inserted in
  batches into `bank_ledger_entry` (created by the module's own migration), then the ОСВ for
  one month (opening balances over everything before it, turnovers within it) as the module's
  `turnover()` runs it: the median of 3 runs. PostgreSQL runs in a scratch database created
  and dropped here.
* **Gas** (anvil): `BankSettlements.recordIncoming` with batches of fund contributions and of
  applications' fees (each of those also attests the payment to Membership and credits the
  minimum share), and `recordOutgoing` closing owed amounts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import random
import resource
import secrets
import shlex
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from indexer.db import make_engine  # noqa: E402
from node.bank import tables  # noqa: E402
from node.bank.formats import format_amount, parse_statement  # noqa: E402
from node.bank.ledger import ENTRY_COLUMNS, turnover  # noqa: E402
from node.bank.matching import Member, match_pending  # noqa: E402
from node.bank.store import bulk_insert, import_statement, migrate  # noqa: E402

OUT = ROOT / "benchmarks" / "bank_results.md"
COOP_ACCOUNT = "40703810900000000001"
ACCOUNTS = ["51", "75", "80", "82", "86.01", "86.02", "58.03", "76.НП", "76.НС", "76.БИР"]


def inn12(body: str) -> str:
    w11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    w12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    digits = [int(c) for c in body]
    digits.append(sum(w * d for w, d in zip(w11, digits, strict=True)) % 11 % 10)
    digits.append(sum(w * d for w, d in zip(w12, digits, strict=True)) % 11 % 10)
    return "".join(map(str, digits))


def statement_bytes(lines: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    members = max(1, lines // 10)
    total = 0
    docs: list[str] = []
    for i in range(lines):
        amount = rng.randint(100, 100_000) * 100
        total += amount
        member = rng.randrange(1, members + 1)
        purpose = (
            f"Добровольный паевой взнос КП-{member}-ПАЙ. НДС не облагается"
            if rng.random() < 0.9
            else "Оплата по счёту, без ссылки"
        )
        docs += [
            "СекцияДокумент=Платежное поручение",
            f"Номер={i + 1}",
            "Дата=01.12.2026",
            f"Сумма={format_amount(amount)}",
            f"ПлательщикСчет=408178100{member:011d}",
            f"Плательщик=Пайщик {member}",
            f"ПлательщикИНН={inn12(f'77{member:08d}')}",
            "ПлательщикБИК=044525225",
            f"ПолучательСчет={COOP_ACCOUNT}",
            "Получатель=ПК «Ромашка»",
            "ПолучательИНН=7707083893",
            "ПолучательБИК=044525225",
            "ВидОплаты=01",
            "Очередность=5",
            f"НазначениеПлатежа={purpose}",
            "ДатаПоступило=01.12.2026",
            "КонецДокумента",
        ]
    head = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        "ДатаНачала=01.12.2026",
        "ДатаКонца=01.12.2026",
        f"РасчСчет={COOP_ACCOUNT}",
        "СекцияРасчСчет",
        f"РасчСчет={COOP_ACCOUNT}",
        "НачальныйОстаток=0.00",
        f"ВсегоПоступило={format_amount(total)}",
        "ВсегоСписано=0.00",
        f"КонечныйОстаток={format_amount(total)}",
        "КонецРасчСчет",
    ]
    return ("\r\n".join([*head, *docs, "КонецФайла"]) + "\r\n").encode("cp1251")


class MemoryDirectory:
    def __init__(self, members: int) -> None:
        self.members = {
            i: Member(i, "0x" + f"{i:040x}", False, True, 110_000_00) for i in range(1, members + 1)
        }
        self.by_addr = {m.address: m for m in self.members.values()}

    def by_index(self, index: int) -> Member | None:
        return self.members.get(index)

    def by_address(self, address: str) -> Member | None:
        return self.by_addr.get(address)


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def _statement_child(lines: int, database_url: str | None, queue: Any) -> None:
    data = statement_bytes(lines)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(database_url or f"sqlite:///{Path(tmp) / 'bank.db'}")
        migrate(engine)
        c0 = _clock()
        statement = parse_statement(data)
        parse = _since(c0)
        c1 = _clock()
        import_statement(engine, statement, "bench")
        imported = _since(c1)
        c2 = _clock()
        again = import_statement(engine, statement, "bench-again")  # idempotent: adds nothing
        repeat = _since(c2)
        assert again.new_lines == 0
        c3 = _clock()
        counts = match_pending(engine, MemoryDirectory(max(1, lines // 10)))
        matched = _since(c3)
        engine.dispose()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put(
        {
            "bytes": len(data),
            "parse": parse,
            "import": imported,
            "repeat": repeat,
            "match": matched,
            "proposed": counts["proposed"],
            "queued": counts["queued"],
            "rss_mb": rss_kb / 1024,
            "load": os.getloadavg()[0],
        }
    )


def bench_statement(lines: int, database_url: str | None = None) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_statement_child, args=(lines, database_url, queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def fill_ledger(engine: sa.Engine, entries: int, seed: int = 2) -> float:
    rng = random.Random(seed)
    start = dt.date(2026, 1, 1)
    days = [(start + dt.timedelta(days=d)).isoformat() for d in range(365)]
    t0 = time.perf_counter()
    batch: list[tuple[Any, ...]] = []
    with engine.begin() as conn:
        for i in range(entries):
            debit, credit = rng.sample(ACCOUNTS, 2)
            batch.append(
                (
                    f"line:{i:064x}",
                    days[rng.randrange(365)],
                    debit,
                    credit,
                    rng.randint(100, 10_000_000),
                    f"0x{rng.randrange(10_000):040x}",
                    None,
                    "bench",
                )
            )
            if len(batch) == 100_000:
                bulk_insert(conn, tables.entry, ENTRY_COLUMNS, batch)
                batch = []
        bulk_insert(conn, tables.entry, ENTRY_COLUMNS, batch)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE bank_ledger_entry")
    return time.perf_counter() - t0


def bench_osv(engine: sa.Engine) -> tuple[float, float, int]:
    """Median wall and CPU (of this process: the database server's own CPU is not in it)."""
    times, cpus = [], []
    rows = 0
    for _ in range(3):
        c0 = _clock()
        rows = len(turnover(engine, dt.date(2026, 6, 1), dt.date(2026, 6, 30)))
        wall, cpu = _since(c0)
        times.append(wall)
        cpus.append(cpu)
    return statistics.median(times), statistics.median(cpus), rows


@contextmanager
def pg_database(server: str) -> Iterator[str | None]:
    admin = sa.create_engine(
        sa.make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    name = f"coop_bank_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        print(f"PostgreSQL at {server} unavailable ({exc.orig}); skipping it", file=sys.stderr)
        admin.dispose()
        yield None
        return
    try:
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def bench_ledger(url: str, entries: int) -> dict[str, Any]:
    engine = make_engine(url)
    migrate(engine)
    fill = fill_ledger(engine, entries)
    median, cpu, rows = bench_osv(engine)
    engine.dispose()
    return {"fill": fill, "osv": median, "osv_cpu": cpu, "rows": rows, "load": os.getloadavg()[0]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_gas(batches: list[int]) -> list[tuple[str, int, int]]:
    """(what, batch size, gasUsed) on a fresh anvil."""
    from eth_account import Account
    from eth_utils import keccak, to_checksum_address

    from node.bank.install import install_bank_settlements
    from node.chain.anvil import Anvil
    from node.chain.artifacts import Artifacts
    from node.chain.client import Chain
    from node.chain.devkeys import dev_accounts
    from node.cooperative.client import CooperativeKind
    from node.cooperative.deploy import (
        CooperativeParams,
        create_cooperative,
        deploy_network,
        deploy_test_token,
    )

    token_unit = 10**18
    anvil = Anvil(free_port())
    anvil.start()
    out: list[tuple[str, int, int]] = []
    try:
        chain = Chain(anvil.url, Artifacts(ROOT / ".build" / "__local__.json"))
        chain.wait_ready()
        keys = dev_accounts(6)
        deployer, chair, executor, cashier, verifier = keys[:5]
        network = deploy_network(chain, deployer)
        token = deploy_test_token(chain, deployer)
        coop, _ = create_cooperative(
            chain,
            deployer,
            network.factory,
            CooperativeParams(
                name="ПК «Бенчмарк»",
                symbol="BNCH",
                kind=CooperativeKind.CONSUMER,
                payment_token=token,
                council=[chair.address, executor.address, cashier.address],
                chair=chair.address,
                decision_executor=executor.address,
                charter_document=keccak(text="charter"),
                individual_fees=(100 * token_unit, 1_000 * token_unit),
                organisation_fees=(1_000 * token_unit, 5_000 * token_unit),
                fund_split_bps=[0, 5_000, 2_500, 2_500],
                cashiers=[cashier.address],
                verifiers=[verifier.address],
                default_credit_limit=0,
            ),
        )
        address, gas = install_bank_settlements(
            chain, deployer, coop.addresses.charter, executor=executor
        )
        out.append(("deploy + cashier role (executor key)", 1, gas))
        settlements = chain.contract("BankSettlements", address)
        serial = 0

        def line() -> bytes:
            nonlocal serial
            serial += 1
            return keccak(text=f"line {serial}")

        for n in batches:
            items = [
                (line(), to_checksum_address(f"0x{i + 1:040x}"), 5_000 * token_unit, 2, b"\0" * 32)
                for i in range(n)
            ]
            sent = chain.transact(settlements.functions.recordIncoming(items), cashier)
            out.append(("recordIncoming: fund contributions", n, sent.gas_used))
        for n in batches:
            applicants = []
            for i in range(n):
                acc = Account.from_key(keccak(text=f"bench applicant {n} {i}"))
                chain.w3.provider.make_request("anvil_setBalance", [acc.address, hex(10**20)])  # type: ignore[arg-type]
                coop.apply(
                    acc, 0, keccak(text=f"id {acc.address}"), keccak(text=f"app {acc.address}")
                )
                coop.attest_identity(verifier, acc.address, keccak(text=f"chk {acc.address}"))
                applicants.append(acc.address)
            items = [(line(), a, 1_100 * token_unit, 0, b"\0" * 32) for a in applicants]
            sent = chain.transact(settlements.functions.recordIncoming(items), cashier)
            out.append(("recordIncoming: applications' fees", n, sent.gas_used))
        for n in batches:
            items = [
                (
                    line(),
                    to_checksum_address(f"0x{i + 1:040x}"),
                    1_000 * token_unit,
                    line(),
                    keccak(text="decision"),
                )
                for i in range(n)
            ]
            sent = chain.transact(settlements.functions.recordOutgoing(items), cashier)
            out.append(("recordOutgoing: owed amounts closed", n, sent.gas_used))
    finally:
        anvil.stop()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BENCH_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
        ),
        help="PostgreSQL server (a scratch database is created and dropped); '' to skip",
    )
    parser.add_argument("--no-gas", action="store_true")
    args = parser.parse_args()

    stmts = {"SQLite": bench_statement(args.lines)}
    print("statement", stmts, flush=True)
    if args.postgres:
        with pg_database(args.postgres) as url:
            if url is not None:
                stmts["PostgreSQL"] = bench_statement(args.lines, url)
                print("statement", stmts["PostgreSQL"], flush=True)
    ledgers: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ledgers["SQLite"] = bench_ledger(f"sqlite:///{Path(tmp) / 'ledger.db'}", args.entries)
        print("sqlite", ledgers["SQLite"], flush=True)
    if args.postgres:
        with pg_database(args.postgres) as url:
            if url is not None:
                ledgers["PostgreSQL"] = bench_ledger(url, args.entries)
                print("postgres", ledgers["PostgreSQL"], flush=True)
    gas = [] if args.no_gas else bench_gas([1, 10, 100])

    stmt = stmts["SQLite"]
    out = [
        "# Bank: statements, matching, the books",
        "",
        f"Generated by `python benchmarks/bench_bank.py {shlex.join(sys.argv[1:])}`"
        f" on {platform.platform()}, Python {platform.python_version()},"
        f" {os.cpu_count()} CPUs (shared with other work), {dt.date.today().isoformat()}."
        " Wall time and the CPU time of the measuring process (`time.process_time`) side by"
        " side: the machine is shared, so wall time includes waiting for a core (the 1-minute"
        " load average is given); the database server's own CPU is not in the process's.",
        "",
        f"## Import and match a statement of {args.lines:,} lines",
        "",
        f"A 1C «Клиент-банк» file of {stmt['bytes'] / 1e6:.1f} MB (windows-1251); 90% of the"
        " payments quote a reference `КП-<member>-ПАЙ`, 10% none. One transaction per file;"
        " rows go in by one bulk statement (PostgreSQL `COPY`, SQLite the driver's"
        " `executemany`). Each database measured in a fresh child process.",
        "",
        "| step | database | wall, s | CPU, s | µs a line (wall / CPU) |",
        "|---|---|---:|---:|---:|",
    ]
    for name, r in stmts.items():
        pi = (r["parse"][0] + r["import"][0], r["parse"][1] + r["import"][1])
        for label, (wall, cpu) in (
            ("parse and validate every line", r["parse"]),
            ("import (one transaction)", r["import"]),
            ("**parse + import**", pi),
            ("the same statement again (changes nothing)", r["repeat"]),
            (f"match ({r['proposed']:,} proposed, {r['queued']:,} queued)", r["match"]),
        ):
            per = f"{wall / args.lines * 1e6:.0f} / {cpu / args.lines * 1e6:.0f}"
            out.append(f"| {label} | {name} | {wall:.2f} | {cpu:.2f} | {per} |")
    out += [
        "",
        "Peak memory (RSS) of the process doing all of it: "
        + ", ".join(f"{name} **{r['rss_mb']:.0f} MB**" for name, r in stmts.items())
        + "; load average "
        + ", ".join(f"{r['load']:.1f}" for r in stmts.values())
        + ".",
        "",
        f"## Оборотно-сальдовая ведомость over {args.entries:,} ledger entries",
        "",
        "Entries over one year, 10 accounts, 10,000 members; the ОСВ for June (opening balances"
        " over January–May, turnovers in June), median of 3 runs.",
        "",
        "| database | fill (bulk), s | ОСВ for a month: wall, s | CPU of the node, s | accounts"
        " | load |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in ledgers.items():
        out.append(
            f"| {name} | {r['fill']:.1f} | {r['osv']:.2f} | {r['osv_cpu']:.2f} | {r['rows']}"
            f" | {r['load']:.1f} |"
        )
    if gas:
        out += [
            "",
            "## Gas of the cashier's transactions",
            "",
            "`gasUsed` of one transaction (21,000 base included) for a batch of N items.",
            "",
            "| transaction | N | gas | gas per item |",
            "|---|---:|---:|---:|",
        ]
        for what, n, g in gas:
            out.append(f"| {what} | {n} | {g:,} | {g // n:,} |")
    OUT.write_text("\n".join(out) + "\n")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
