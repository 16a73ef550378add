"""Exchange search benchmark: p50 / p99 latency of offer searches over 100,000 offers, on
SQLite and PostgreSQL (goal: p99 under 50 ms).

The tables are made by the gateway's own migrations (`node.api.db.migrate`), filled with
generated offers (Russian titles and descriptions, 12 categories, 20 regions, 500 suppliers,
prices 1..1000 ВРЕ), and queried through `node.exchange.service.search_offers`, the function
behind `GET /offers`, with a mix of text, category, region, price range and supplier filters.

    python benchmarks/bench_exchange.py [--offers 100000] [--queries 400] [--pg URL|none]
    python benchmarks/bench_exchange.py --gas   # gas of the treasury's union obligation calls

`--gas` starts its own anvil, deploys a union of two cooperatives and measures
`Treasury.issueUnionObligation` and the rest (`node.cooperative.union.measure_union_gas`).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.db import make_engine
from node.api.db import migrate
from node.exchange import service
from node.exchange.models import Offer

RESULTS = Path(__file__).resolve().parent / "exchange_results.md"
RESULTS_HEAD = """# Exchange search benchmark

```
python benchmarks/bench_exchange.py    # {offers} offers, {queries} queries per database, + gas
```

{offers} generated offers (Russian titles and 12-word descriptions, 12 categories, 20 regions,
500 suppliers, prices 1..1000 ВРЕ, 5 % withdrawn; 60 % of them in the searching cooperative,
the rest in two other cooperatives of its union) loaded into tables made by the gateway's
migrations, queried through `node.exchange.service.search_offers` (the function behind
`GET /offers`), page size 50, with the total `count`. Text uses the trigram index (SQLite
FTS5 `trigram`, PostgreSQL `pg_trgm` GIN). Each query kind 100 times, milliseconds; "union
scope" is `GET /offers?scope=union` (three cooperatives). Shared 2-core machine (other jobs
running), SQLite {sqlite} (file on local disk), PostgreSQL on 127.0.0.1 (after
`VACUUM ANALYZE`, as autovacuum would do). {date}; load average {load} at the start and
{load_end} at the end of the run (2 cores: above 2, other jobs were competing for the CPU).

Goal: p99 under 50 ms. **{verdict}**

"""
RESULTS_TAIL = """
Before the trigram index (plain `LIKE '%word%'` on the lowercased text, a full scan), the
first run gave p99 84 ms (SQLite) and 99 ms (PostgreSQL), text queries 63-90 ms p50: the index
is what brings text search under the goal. The slowest remaining case is a very common word
(a quarter of all offers), where most of the time is the total `count`.

## Gas of the treasury's union obligation calls

Measured by the same command (`--gas` alone prints only this table): a union of two
cooperatives on anvil (solc 0.8.28, optimizer 200 runs), each call made by the cooperative's
decision executor (a key here; the council contract's `execute` adds its own cost around it),
second of its kind so that storage is warm as in steady use
(`node.cooperative.union.measure_union_gas`).

"""
COOP = "0x" + "cc" * 20
#: The other member cooperatives of COOP's union: `GET /offers?scope=union` searches all three.
UNION = [COOP, "0x" + "c1" * 20, "0x" + "c2" * 20]
E18 = 10**18
NOUNS = [
    "мёд",
    "хлеб",
    "сыр",
    "молоко",
    "творог",
    "яблоки",
    "картофель",
    "мясо",
    "рыба",
    "грибы",
    "ягоды",
    "варенье",
    "дрова",
    "доски",
    "кирпич",
    "ткань",
    "свитер",
    "носки",
    "обувь",
    "мебель",
    "стол",
    "стул",
    "посуда",
    "керамика",
    "мыло",
    "свечи",
    "чай",
    "травы",
    "ремонт",
    "уборка",
    "перевозка",
    "стрижка",
    "урок",
    "консультация",
    "перевод",
    "сайт",
    "дизайн",
    "фотосъёмка",
]
ADJECTIVES = [
    "свежий",
    "домашний",
    "липовый",
    "гречишный",
    "ручной",
    "натуральный",
    "эко",
    "деревенский",
    "зимний",
    "летний",
    "большой",
    "малый",
    "крепкий",
    "мягкий",
    "горный",
    "лесной",
]
CATEGORIES = [f"категория-{i}" for i in range(12)]
REGIONS = [f"регион-{i}" for i in range(20)]
SUPPLIERS = [f"0x{i:040x}" for i in range(1, 501)]


def fill(engine: sa.Engine, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = int(time.time())
    rows = []
    for _ in range(count):
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(NOUNS)}"
        description = " ".join(rng.choice(NOUNS + ADJECTIVES) for _ in range(12))
        price = rng.randint(1, 1000) * E18
        rows.append(
            {
                "cooperative": COOP if rng.random() < 0.6 else rng.choice(UNION[1:]),
                "supplier": rng.choice(SUPPLIERS),
                "title": title,
                "search_text": service.normalize(f"{title} {description}"),
                "description": description,
                "category": rng.choice(CATEGORIES),
                "unit": "шт",
                "price": str(price),
                "price_value": service.price_value(price),
                "token_price": None,
                "quantity": rng.randint(0, 100),
                "region": rng.choice(REGIONS),
                "attachments": "[]",
                "status": "active" if rng.random() < 0.95 else "withdrawn",
                "created_at": now,
                "updated_at": now,
            }
        )
    table = Offer.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for i in range(0, len(rows), 10_000):
            conn.execute(table.insert(), rows[i : i + 10_000])
        if engine.dialect.name != "postgresql":
            conn.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE api_exchange_offer")


def queries(n: int, seed: int = 11) -> list[tuple[str, service.OfferQuery, int]]:
    rng = random.Random(seed)
    kinds: list[tuple[str, Callable[[], service.OfferQuery]]] = [
        ("text", lambda: service.OfferQuery(text=rng.choice(NOUNS), cooperatives=[COOP])),
        (
            "text+category",
            lambda: service.OfferQuery(
                text=rng.choice(NOUNS), category=rng.choice(CATEGORIES), cooperatives=[COOP]
            ),
        ),
        (
            "two words",
            lambda: service.OfferQuery(
                text=f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}", cooperatives=[COOP]
            ),
        ),
        (
            "category+region+price",
            lambda: service.OfferQuery(
                category=rng.choice(CATEGORIES),
                region=rng.choice(REGIONS),
                price_min=100 * E18,
                price_max=400 * E18,
                cooperatives=[COOP],
            ),
        ),
        ("supplier", lambda: service.OfferQuery(supplier=rng.choice(SUPPLIERS))),
        ("no match", lambda: service.OfferQuery(text="несуществующее", cooperatives=[COOP])),
        ("all, page 20", lambda: service.OfferQuery(cooperatives=[COOP])),
        (
            "union scope: text",
            lambda: service.OfferQuery(text=rng.choice(NOUNS), cooperatives=UNION),
        ),
    ]
    out = []
    for i in range(n):
        name, make = kinds[i % len(kinds)]
        out.append((name, make(), 950 if name == "all, page 20" else 0))
    return out


def measure(engine: sa.Engine, n: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    with Session(engine) as session:
        for _, q, offset in queries(20):  # warm up
            service.search_offers(session, q, offset, 50)
        for name, q, offset in queries(n):
            start = time.perf_counter()
            service.search_offers(session, q, offset, 50)
            times.setdefault(name, []).append((time.perf_counter() - start) * 1000)
    return times


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@contextmanager
def pg_database(server: str | None) -> Iterator[str | None]:
    if server is None:
        yield None
        return
    admin = sa.create_engine(
        sa.make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    name = f"coop_exchange_bench_{secrets.token_hex(4)}"
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


def run(label: str, url: str, offers: int, n: int) -> tuple[str, float]:
    """Fill and measure one database; returns its markdown table and the overall p99."""
    engine = make_engine(url)
    try:
        migrate(engine)
        start = time.perf_counter()
        fill(engine, offers)
        print(f"\n{label}: {offers} offers loaded in {time.perf_counter() - start:.1f} s")
        times = measure(engine, n)
    finally:
        engine.dispose()
    every = [t for ts in times.values() for t in ts]
    lines = [f"| {label} query | n | p50 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|"]
    for name, ts in [*times.items(), ("**all queries**", every)]:
        lines.append(
            f"| {name} | {len(ts)} | {statistics.median(ts):.2f} | {pct(ts, 99):.2f} | "
            f"{max(ts):.2f} |"
        )
    table = "\n".join(lines) + "\n"
    print(table)
    return table, pct(every, 99)


def gas_table() -> str:
    import socket

    from node.chain.anvil import Anvil
    from node.chain.artifacts import Artifacts
    from node.chain.client import Chain
    from node.chain.devkeys import dev_accounts
    from node.cooperative.union import measure_union_gas

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    root = Path(__file__).resolve().parents[1]
    with Anvil(port) as anvil:
        chain = Chain(anvil.url, Artifacts(root / ".build" / "__local__.json"))
        chain.wait_ready()
        gas = measure_union_gas(chain, dev_accounts(10))
    lines = ["| Treasury call (by the council's decision) | gas |", "|---|---:|"]
    lines += [f"| `{name}` | {used:,} |" for name, used in gas.items()]
    table = "\n".join(lines) + "\n"
    print(table)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=800)
    parser.add_argument(
        "--pg",
        default=os.environ.get("DATABASE_URL", "")
        if os.environ.get("DATABASE_URL", "").startswith("postgresql")
        else "postgresql+psycopg2://postgres@127.0.0.1:5432/test",
        help="PostgreSQL server (a scratch database is created on it); 'none' to skip",
    )
    parser.add_argument("--gas", action="store_true", help="measure union gas only (print)")
    args = parser.parse_args()
    if args.gas:
        gas_table()
        return
    load = f"{os.getloadavg()[0]:.1f}"
    tables: list[str] = []
    p99: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        table, p99["SQLite"] = run(
            "SQLite", f"sqlite:///{Path(tmp) / 'exchange.db'}", args.offers, args.queries
        )
        tables.append(table)
    with pg_database(None if args.pg == "none" else args.pg) as pg_url:
        if pg_url is not None:
            table, p99["PostgreSQL"] = run("PostgreSQL", pg_url, args.offers, args.queries)
            tables.append(table)
    gas = gas_table()
    met = all(v < 50 for v in p99.values())
    verdict = ", ".join(f"{v:.1f} ms ({k})" for k, v in p99.items())
    RESULTS.write_text(
        RESULTS_HEAD.format(
            offers=f"{args.offers:,}",
            queries=args.queries,
            sqlite=sqlite3.sqlite_version,
            date=time.strftime("%Y-%m-%d"),
            load=load,
            load_end=f"{os.getloadavg()[0]:.1f}",
            verdict=("Met" if met else "Not met") + f": p99 {verdict} over all queries.",
        )
        + "\n".join(tables)
        + RESULTS_TAIL
        + gas
    )
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
