"""The mutual-aid fund's ruble loans, as a loan book beside the fund's token loans.

MutualAidFund.sol is at the 24 KB size limit, and its pool is the payment token: ruble money
never passes through it. So the ruble side of the fund is a projection of BankSettlements'
facts, joined with the payment orders, and shown in the same shape as the token loans
(outstanding, repaid, overdue):

* a **loan** is an `OwedPaid` fact whose obligation is `keccak256(abi.encode("loan", payee,
  decision))` (`settle.loan_obligation`): the chain alone tells it was a fund loan by that
  council decision, disbursed by that statement line;
* its **number** is its payment order's id (the reference the borrower quotes,
  `КП-<n>-ЗАЙМ-<loan>`), its **due date** the one the order carries (from the decision);
* a **repayment** is a `PaymentRecorded` fact with purpose LoanRepayment, the borrower as
  payer and the loan's number as ref.

The fund's ruble totals (contributed, lent, repaid, outstanding) come from the chain facts
alone; `coop audit` checks them against the books (accounts 58.03 and 86.02) and that no
repayment names a loan that is not the payer's or repays more than was lent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from hexbytes import HexBytes
from sqlalchemy.engine import Engine

from node.bank import tables
from node.bank.ledger import ChainFacts
from node.bank.matching import Purpose
from node.bank.settle import loan_obligation

#: The states of a ruble loan, named as the fund's token loans are.
STATES = ("approved", "outstanding", "overdue", "repaid")


@dataclass(frozen=True)
class RubleLoan:
    loan_id: int
    """Its payment order's id: the number in `КП-<n>-ЗАЙМ-<loan>`."""
    borrower: str
    principal: int
    """Kopecks: the order's amount (disbursed: the amount the chain recorded)."""
    repaid: int
    outstanding: int
    due: dt.date | None
    state: str
    """approved (the order is issued, the money not out yet) | outstanding | overdue | repaid."""
    decision: str
    obligation: str
    disbursed_line: str | None


@dataclass(frozen=True)
class FundRubles:
    """The mutual-aid fund's ruble totals, from chain facts only (kopecks)."""

    contributed: int
    lent: int
    repaid: int

    @property
    def outstanding(self) -> int:
        return self.lent - self.repaid

    @property
    def cash(self) -> int:
        """Ruble money of the fund on the cooperative's account: contributions and repayments
        in, loans out."""
        return self.contributed + self.repaid - self.lent


def is_loan(fact: dict[str, object]) -> bool:
    """Whether an `OwedPaid` fact closed a fund loan (its obligation says so)."""
    decision = bytes(HexBytes(str(fact["decision"])))
    expected = "0x" + loan_obligation(str(fact["payee"]), decision).hex()
    return expected == str(fact["obligation"]).lower()


def fund_totals(facts: ChainFacts) -> FundRubles:
    contributed = sum(
        r["amount"] for r in facts.recorded if r["purpose"] is Purpose.FUND_CONTRIBUTION
    )
    repaid = sum(r["amount"] for r in facts.recorded if r["purpose"] is Purpose.LOAN_REPAYMENT)
    lent = sum(p["amount"] for p in facts.paid if is_loan(p))
    return FundRubles(contributed=contributed, lent=lent, repaid=repaid)


def _repayments(facts: ChainFacts) -> dict[tuple[str, int], int]:
    out: dict[tuple[str, int], int] = defaultdict(int)
    for r in facts.recorded:
        if r["purpose"] is Purpose.LOAN_REPAYMENT:
            out[(str(r["payer"]), int(r["ref"]))] += int(r["amount"])
    return out


def loan_book(
    engine: Engine, facts: ChainFacts, today: dt.date, member: str | None = None
) -> list[RubleLoan]:
    """Every ruble loan (one member's, if given), newest first."""
    order = tables.order
    query = sa.select(order).where(order.c.kind == "loan")
    if member is not None:
        query = query.where(order.c.account == member)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(order.c.id.desc())).all()
    disbursed = {str(p["obligation"]): p for p in facts.paid if is_loan(p)}
    repaid_of = _repayments(facts)
    out = []
    for row in rows:
        fact = disbursed.get(row.obligation)
        principal = int(fact["amount"]) if fact is not None else int(row.amount)
        repaid = repaid_of.get((row.account, int(row.id)), 0)
        outstanding = max(principal - repaid, 0) if fact is not None else 0
        due = dt.date.fromisoformat(row.due) if row.due else None
        if fact is None:
            state = "approved"
        elif outstanding == 0:
            state = "repaid"
        elif due is not None and due < today:
            state = "overdue"
        else:
            state = "outstanding"
        out.append(
            RubleLoan(
                loan_id=int(row.id),
                borrower=row.account,
                principal=principal,
                repaid=repaid,
                outstanding=outstanding,
                due=due,
                state=state,
                decision=row.decision,
                obligation=row.obligation,
                disbursed_line=str(fact["line"]) if fact is not None else None,
            )
        )
    return out


def check_loans(engine: Engine, facts: ChainFacts, balances: dict[str, int]) -> list[str]:
    """The fund's ruble invariants (empty: they hold): each repayment names a disbursed loan
    of its payer and repays no more than was lent; the books' 58.03 (loans out) equals what
    the chain says is outstanding and 86.02 (the fund) what was contributed."""
    out: list[str] = []
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(tables.order.c.id, tables.order.c.account, tables.order.c.obligation).where(
                tables.order.c.kind == "loan"
            )
        ).all()
    disbursed = {str(p["obligation"]): int(p["amount"]) for p in facts.paid if is_loan(p)}
    loans = {(r.account, int(r.id)): disbursed.get(r.obligation) for r in rows}
    for (payer, ref), amount in sorted(_repayments(facts).items()):
        principal = loans.get((payer, ref))
        if principal is None:
            out.append(
                f"fund: {payer} repaid {amount} on loan {ref}, not a disbursed loan of theirs"
            )
        elif amount > principal:
            out.append(f"fund: loan {ref} repaid {amount}, more than its {principal}")
    totals = fund_totals(facts)
    if balances.get("58.03", 0) != totals.outstanding:
        out.append(
            f"fund: books 58.03 {balances.get('58.03', 0)}, chain outstanding {totals.outstanding}"
        )
    if -balances.get("86.02", 0) != totals.contributed:
        out.append(
            f"fund: books 86.02 {-balances.get('86.02', 0)}, chain contributed {totals.contributed}"
        )
    return out


def as_rows(loans: Iterable[RubleLoan]) -> list[dict[str, object]]:
    return [loan.__dict__ for loan in loans]
