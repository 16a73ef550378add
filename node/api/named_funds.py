"""The funds a charter names, as officers' forms: a council decision spending a fund whose rule
gives it to the council (`named_fund_payout`), and the general-meeting questions that create,
change or spend a fund (`named_fund_create`, `named_fund_change`, `named_fund_payout`).

Each is checked against the chain before any document is generated (the fund exists, its rule,
its balance, the shares of income under 100 %, the indivisible flag kept) and the question's
majority is raised to what the Treasury will demand at execution: the fund's own majority, and
for a change also the old one (a rule is loosened only by a decision as strong as the rule).
The Treasury refuses anything else anyway; this answers before a meeting is convened in vain.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from node.api.amounts import AmountIn
from node.api.problems import Problem
from node.chain.client import checksum
from node.governance.client import Action

MAJORITY_NAMES = ("simple", "two_thirds", "three_quarters")
RULE_NAMES = ("council", "meeting")
FUND_QUESTION_KINDS = ("named_fund_create", "named_fund_change", "named_fund_payout")
Bps = Annotated[int, Field(ge=0, le=10_000)]
FundId = Annotated[int, Field(ge=0, lt=32)]


class NamedFundPayout(BaseModel):
    """A council decision spending a named fund whose rule is `council`."""

    kind: Literal["named_fund_payout"]
    reason: Annotated[str, Field(max_length=2000)] = ""
    fund_id: FundId
    to: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
    amount: Annotated[AmountIn, Field(gt=0, lt=2**128)]
    """In the payment token's base units."""


class NamedFundFields(BaseModel):
    """The fund a meeting question is about (create: name, share, rule, majority, indivisible;
    change: fund_id and the new terms; payout: fund_id, to, amount)."""

    fund_id: FundId | None = None
    name: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    share_bps: Bps = 0
    """Its share of every income, basis points of the whole income."""
    rule: Literal["council", "meeting"] = "council"
    majority: Literal["simple", "two_thirds", "three_quarters"] = "simple"
    """Of a meeting decision that spends (rule `meeting`) or changes the fund."""
    indivisible: bool = False
    to: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")] | None = None
    amount: Annotated[AmountIn, Field(gt=0, lt=2**128)] | None = None


def _refuse(field: str, ru: str, en: str) -> Problem:
    return Problem(
        422,
        f"{ru} / {en}",
        errors=[{"loc": ["body", *field.split(".")], "msg": en, "type": "value_error"}],
    )


def _fund(treasury: Any, fund_id: int | None, field: str) -> tuple[Any, ...]:
    count = int(treasury.functions.namedFundCount().call())
    if fund_id is None or fund_id >= count:
        raise _refuse(field, "Нет такого фонда", "No such named fund")
    return tuple(treasury.functions.namedFund(fund_id).call())


def council_payout_plan(treasury: Any, body: NamedFundPayout) -> tuple[str, list[Any]]:
    """(the fund's name, the `payoutNamed` builder's arguments without the decision), or a
    refusal: a fund the meeting spends, more than its balance."""
    name, balance, _share, rule, majority, _ind = _fund(treasury, body.fund_id, "fund_id")
    if int(rule) != 0:
        raise _refuse(
            "fund_id",
            f"Фонд «{name}» расходуется только решением общего собрания "
            f"(большинство: {MAJORITY_NAMES[int(majority)]})",
            f"The fund «{name}» is spent only by a general-meeting decision",
        )
    if int(body.amount) > int(balance):
        raise _refuse(
            "amount",
            f"В фонде «{name}» только {int(balance)}",
            f"The fund «{name}» holds only {int(balance)}",
        )
    return str(name), [body.fund_id, checksum(body.to), int(body.amount)]


def least_majority(treasury: Any, kind: str, f: NamedFundFields | None, field: str) -> str:
    """The least majority the Treasury will demand for this question, after checking it."""
    if f is None:
        raise _refuse(field, "Укажите фонд", "Give the fund")
    t = treasury.functions
    if kind == "named_fund_payout":
        name, balance, _s, rule, majority, _i = _fund(treasury, f.fund_id, f"{field}.fund_id")
        if f.to is None or f.amount is None:
            raise _refuse(field, "Укажите получателя и сумму", "Give the recipient and amount")
        if int(f.amount) > int(balance):
            raise _refuse(
                f"{field}.amount",
                f"В фонде «{name}» только {int(balance)}",
                f"The fund «{name}» holds only {int(balance)}",
            )
        return MAJORITY_NAMES[int(majority)] if int(rule) == 1 else "simple"
    if f.rule == "council" and f.majority != "simple":
        raise _refuse(
            f"{field}.majority",
            "Фонд, расходуемый советом, не имеет большинства собрания",
            "A fund the council spends has no meeting majority",
        )
    total = int(t.namedSharesTotal().call())
    least = MAJORITY_NAMES.index(f.majority)
    if kind == "named_fund_create":
        if not f.name:
            raise _refuse(f"{field}.name", "Укажите название фонда", "Give the fund's name")
        if len(f.name.encode()) > 64:
            raise _refuse(f"{field}.name", "Название длиннее 64 байт", "The name is over 64 bytes")
        if int(t.namedFundCount().call()) >= 32:
            raise _refuse(field, "Уже 32 фонда", "The cooperative has 32 named funds already")
        new_total = total + f.share_bps
    else:
        _n, _b, share, _rule, majority, indivisible = _fund(treasury, f.fund_id, f"{field}.fund_id")
        if indivisible and not f.indivisible:
            raise _refuse(
                f"{field}.indivisible",
                "Неделимый фонд остаётся неделимым",
                "An indivisible fund stays indivisible",
            )
        new_total = total - int(share) + f.share_bps
        least = max(least, int(majority))
    if new_total > 10_000:
        raise _refuse(
            f"{field}.share_bps",
            f"Доли фондов составили бы {new_total / 100:.2f} % дохода (больше 100 %)",
            f"The named funds' shares would be {new_total / 100:.2f} % of income (over 100 %)",
        )
    return MAJORITY_NAMES[least]


def question_action(treasury: Any, kind: str, f: NamedFundFields, decision: bytes) -> Action:
    """The action the question carries (its document is the fund's regulation, or the
    spending decision used once)."""
    rule = RULE_NAMES.index(f.rule)
    majority = MAJORITY_NAMES.index(f.majority)
    if kind == "named_fund_create":
        return Action.call(
            treasury,
            "createNamedFund",
            f.name,
            f.share_bps,
            rule,
            majority,
            f.indivisible,
            decision,
        )
    if kind == "named_fund_change":
        return Action.call(
            treasury,
            "changeNamedFund",
            f.fund_id,
            f.share_bps,
            rule,
            majority,
            f.indivisible,
            decision,
        )
    assert f.to is not None and f.amount is not None
    return Action.call(treasury, "payoutNamed", f.fund_id, checksum(f.to), int(f.amount), decision)


def describe(kind: str, f: NamedFundFields | None) -> str:
    """The fund's terms in the question's draft resolution (Russian first)."""
    if f is None:
        return ""
    if kind == "named_fund_payout":
        return f" [фонд № {f.fund_id}; получатель {f.to}; сумма {f.amount} (базовых единиц)]"
    rule = "решением совета" if f.rule == "council" else f"решением общего собрания ({f.majority})"
    head = f"«{f.name}»" if kind == "named_fund_create" else f"№ {f.fund_id}"
    return (
        f" [фонд {head}; доля дохода {f.share_bps / 100:.2f} %; расходуется {rule}; "
        f"{'неделимый' if f.indivisible else 'делимый'}]"
    )
