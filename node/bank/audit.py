"""`coop audit` checks the books: every ledger entry traces to a statement line or an on-chain
fact (the ledger equals a fresh derivation from those sources), every ruble fact on chain has
its statement line here, and the totals per fund equal the chain's."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from node.bank import tables
from node.bank.ledger import CREDIT_OF, ChainFacts, chain_facts, derive
from node.bank.matching import Purpose


def check_books(engine: Engine, facts: ChainFacts, paid_off_chain: dict[str, int]) -> list[str]:
    """Differences between the books and their sources (empty: the books are right).

    `paid_off_chain`: member -> Shares.holdingOf(member).paidOffChain in kopecks, for every
    member the books name.
    """
    out: list[str] = []
    with engine.connect() as conn:
        lines = conn.execute(sa.select(tables.line).order_by(tables.line.c.id)).all()
        orders = conn.execute(sa.select(tables.order)).all()
        live = conn.execute(sa.select(tables.entry)).all()
    known_lines = {r.line_hash for r in lines}
    for fact in facts.recorded:
        if fact["line"] not in known_lines:
            out.append(
                f"books: line {fact['line']} recorded on chain ({fact['tx']}) is in no statement"
            )
    for fact in facts.paid:
        if fact["line"] not in known_lines:
            out.append(
                f"books: payment {fact['line']} closing {fact['obligation']} is in no statement"
            )

    def key(source: str, booked: Any, debit: str, credit: str, amount: int, member: Any) -> tuple:
        return (source, str(booked), debit, credit, int(amount), member)

    expected = Counter(
        key(e.source, e.booked.isoformat(), e.debit, e.credit, e.amount, e.member)
        for e in derive(lines, orders, facts)
    )
    actual = Counter(key(r.source, r.booked, r.debit, r.credit, r.amount, r.member) for r in live)
    for extra in sorted(actual - expected):
        out.append(f"books: entry {extra} traces to no statement line or chain fact")
    for missing in sorted(expected - actual):
        out.append(f"books: source {missing[0]} has no entry (rebuild the ledger)")

    # Totals per fund: what the ledger credited from chain facts against the chain's own sums.
    chain_totals: Counter[str] = Counter()
    for fact in facts.recorded:
        if fact["purpose"] is Purpose.ENTRY:
            split = facts.entry_split.get((fact["tx"], fact["payer"]), (0, fact["amount"]))
            chain_totals["86.01"] += split[0]
            chain_totals["80"] += split[1]
        else:
            chain_totals[CREDIT_OF[fact["purpose"]]] += fact["amount"]
    funds = {"80", "86.01", *CREDIT_OF.values()}
    ledger_totals: Counter[str] = Counter()
    for r in live:
        if r.source.startswith("chain:") and r.debit == "75" and r.credit in funds:
            ledger_totals[r.credit] += int(r.amount)
    for account in sorted(funds):
        if chain_totals[account] != ledger_totals[account]:
            out.append(
                f"books: account {account} credited {ledger_totals[account]} from chain facts, "
                f"chain total {chain_totals[account]}"
            )
    # Share capital paid in rubles, member by member, against Shares.paidOffChain.
    share_of: Counter[str] = Counter()
    for r in live:
        if r.member and r.source.startswith("chain:"):
            if r.credit == "80":
                share_of[r.member] += int(r.amount)
            elif r.debit == "80":
                share_of[r.member] -= int(r.amount)
    for member, on_chain in sorted(paid_off_chain.items()):
        if share_of[member] != on_chain:
            out.append(
                f"books: shares paid in rubles by {member}: books {share_of[member]}, "
                f"chain paidOffChain {on_chain}"
            )
    return out


def audit_books(chain: Any, live_url: str, report: Any) -> None:
    """The books part of `coop audit` (appends to `report.differences`; no books, no check)."""
    from indexer.db import make_engine
    from node.bank.ledger import balances
    from node.bank.loans import check_loans
    from node.bank.settle import ChainBank
    from node.bank.store import contracts

    engine = make_engine(live_url)
    try:
        if not sa.inspect(engine).has_table(tables.setting.name):
            return
        where = contracts(engine)
        if where is None:
            return
        bank = ChainBank(chain, *where)
        facts = chain_facts(bank, engine)
        with engine.connect() as conn:
            members = set(conn.execute(sa.select(tables.entry.c.member).distinct()).scalars()) - {
                None
            }
        paid = {m: int(bank.shares.functions.holdingOf(m).call()[4]) // bank.scale for m in members}
        problems = check_books(engine, facts, paid)
        problems += check_loans(engine, facts, balances(engine))
        report.compared["books:entries"] = len(facts.recorded) + len(facts.paid)
        report.differences.extend(problems)
    finally:
        engine.dispose()
