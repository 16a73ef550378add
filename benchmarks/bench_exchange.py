"""Exchange search benchmark: p50 / p99 latency of offer searches over 100,000 offers, on
SQLite and PostgreSQL (goal: p99 under 50 ms).

The tables are made by the gateway's own migrations (`node.api.db.migrate`), filled with
generated offers (Russian titles and descriptions, 12 categories, 20 regions, 500 suppliers,
prices 1..1000 ВРЕ), and queried through `node.exchange.service.search_offers`, the function
behind `GET /offers`, with a mix of text, category, region, price range and supplier filters.

    python benchmarks/bench_exchange.py [--offers 100000] [--queries 400] [--pg URL|none]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
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

COOP = "0x" + "cc" * 20
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
                "cooperative": COOP,
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


def run(label: str, url: str, offers: int, n: int) -> None:
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
    print(f"| {label} query | n | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for name, ts in [*times.items(), ("all queries", every)]:
        print(
            f"| {name} | {len(ts)} | {statistics.median(ts):.2f} | {pct(ts, 99):.2f} | "
            f"{max(ts):.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=700)
    parser.add_argument(
        "--pg",
        default=os.environ.get("DATABASE_URL", "")
        if os.environ.get("DATABASE_URL", "").startswith("postgresql")
        else "postgresql+psycopg2://postgres@127.0.0.1:5432/test",
        help="PostgreSQL server (a scratch database is created on it); 'none' to skip",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'exchange.db'}", args.offers, args.queries)
    with pg_database(None if args.pg == "none" else args.pg) as pg_url:
        if pg_url is not None:
            run("PostgreSQL", pg_url, args.offers, args.queries)


if __name__ == "__main__":
    main()
