"""The funds a charter names beyond the four fixed ones (`ITreasury.createNamedFund` and after):
read them, and build the calls a general-meeting question (create, change, spend) or a council
item (spend a fund whose rule allows the council) carries.

Only the general meeting creates or changes a named fund; the Treasury checks that itself, so
the calls built here are actions for `Question` or `Council.propose`, never sent by a key once
governance is installed (a founders' key before that may send them directly).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from eth_account.signers.local import LocalAccount

from node.chain.client import Sent, checksum
from node.cooperative.client import Cooperative, send
from node.governance.client import Action, Majority

BASIS_POINTS = 10_000
MAX_NAMED_FUNDS = 32
MAX_NAME_BYTES = 64


class SpendRule(IntEnum):
    """`ITreasury.SpendRule`: which decisions may spend a named fund."""

    COUNCIL = 0
    """Any chair-signed decision anchored as a council decision or meeting protocol."""
    MEETING = 1
    """Only a general-meeting decision of at least the fund's majority."""


@dataclass(frozen=True)
class NamedFundTerms:
    """What a meeting decides about a fund: its name, share of income, rule and flag."""

    name: str
    share_bps: int
    rule: SpendRule = SpendRule.COUNCIL
    majority: Majority = Majority.SIMPLE
    indivisible: bool = False

    def check(self) -> None:
        """The Treasury's own checks, answered before a question is convened on them."""
        size = len(self.name.encode())
        if not 0 < size <= MAX_NAME_BYTES:
            raise ValueError(f"a fund's name is 1 to {MAX_NAME_BYTES} bytes, not {size}")
        if not 0 <= self.share_bps <= BASIS_POINTS:
            raise ValueError("a share of income is 0 to 10,000 basis points")
        if self.rule is SpendRule.COUNCIL and self.majority is not Majority.SIMPLE:
            raise ValueError("a fund the council spends has no meeting majority")

    @property
    def decision_majority(self) -> Majority:
        """The least majority of the meeting decision that creates the fund (its own)."""
        return self.majority


@dataclass(frozen=True)
class NamedFund:
    """`ITreasury.namedFund`: balance counts pending income as split."""

    fund_id: int
    name: str
    balance: int
    share_bps: int
    rule: SpendRule
    majority: Majority
    indivisible: bool


def named_funds(coop: Cooperative) -> list[NamedFund]:
    t = coop.treasury.functions
    out = []
    for i in range(int(t.namedFundCount().call())):
        name, balance, share, rule, majority, indivisible = t.namedFund(i).call()
        out.append(
            NamedFund(
                i,
                str(name),
                int(balance),
                int(share),
                SpendRule(int(rule)),
                Majority(int(majority)),
                bool(indivisible),
            )
        )
    return out


def split_income(
    income: int, named_bps: Sequence[int], four_bps: Sequence[int]
) -> tuple[list[int], list[int]]:
    """`Treasury.distributeIncome`'s rounding, for anyone to recompute: each named fund gets
    floor(income * bps / 10,000) of the whole income; the four funds split the rest, floor
    each, the remainder to the reserve. The parts add up to the income."""
    named = [income * bp // BASIS_POINTS for bp in named_bps]
    rest = income - sum(named)
    four = [rest * bp // BASIS_POINTS for bp in four_bps]
    four[1] += rest - sum(four)
    return named, four


def create_action(coop: Cooperative, terms: NamedFundTerms, regulation: bytes) -> Action:
    terms.check()
    return Action.call(
        coop.treasury,
        "createNamedFund",
        terms.name,
        terms.share_bps,
        int(terms.rule),
        int(terms.majority),
        terms.indivisible,
        regulation,
    )


def change_action(
    coop: Cooperative, fund_id: int, terms: NamedFundTerms, regulation: bytes
) -> Action:
    """The name is kept (a fund's name is its identity in the books); `terms.name` unused."""
    terms.check()
    return Action.call(
        coop.treasury,
        "changeNamedFund",
        fund_id,
        terms.share_bps,
        int(terms.rule),
        int(terms.majority),
        terms.indivisible,
        regulation,
    )


def payout_action(coop: Cooperative, fund_id: int, to: str, amount: int, decision: bytes) -> Action:
    return Action.call(coop.treasury, "payoutNamed", fund_id, checksum(to), amount, decision)


def create(
    coop: Cooperative, executor: LocalAccount, terms: NamedFundTerms, regulation: bytes
) -> Sent:
    """Sent directly: only while the executor is still a key (before governance)."""
    terms.check()
    fn = coop.treasury.functions.createNamedFund(
        terms.name,
        terms.share_bps,
        int(terms.rule),
        int(terms.majority),
        terms.indivisible,
        regulation,
    )
    return send(coop.chain, fn, executor)


def payout(
    coop: Cooperative, executor: LocalAccount, fund_id: int, to: str, amount: int, decision: bytes
) -> Sent:
    fn = coop.treasury.functions.payoutNamed(fund_id, checksum(to), amount, decision)
    return send(coop.chain, fn, executor)
