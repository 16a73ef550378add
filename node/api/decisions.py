"""Council decisions built from typed fields: the officer says *what* (admit this applicant, pay
this much from that fund, approve that loan), the gateway writes the decision document, encodes
the actions and answers the unsigned `Council.propose` transaction with a summary of who, what,
how much and which document, which the portal shows before the wallet signs.

Nobody types call data: each kind below knows its contract function and checks its fields
before anything is generated (a refusal changes nothing). The chain still decides: the
transaction is simulated from the officer's address, so a refused action (a reserved function,
a non-member, a loan in the wrong state) comes back as the contract's custom error before the
officer spends gas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from web3 import Web3

from node.api.deps import Caller
from node.api.gateway import Gateway
from node.api.named_funds import NamedFundPayout, council_payout_plan
from node.api.problems import Problem
from node.api.schemas import Address, Hash32, Uint
from node.chain.client import checksum
from node.governance.client import Action

FUNDS = {"share": 0, "reserve": 1, "mutual_aid": 2, "development": 3}
FUND_NAMES = {
    "share": ("паевой фонд", "share fund"),
    "reserve": ("резервный фонд", "reserve fund"),
    "mutual_aid": ("фонд взаимопомощи", "mutual-aid fund"),
    "development": ("фонд развития", "development fund"),
}
CATEGORIES = {
    "land": 0,
    "building": 1,
    "equipment": 2,
    "vehicle": 3,
    "intellectual_property": 4,
    "other": 5,
}
Text = Annotated[str, Field(min_length=1, max_length=2000)]
OptText = Annotated[str, Field(max_length=2000)]
Id = Annotated[int, Field(ge=0, lt=2**63)]


class _Base(BaseModel):
    reason: OptText = ""
    """Why (the decision document's wording); the gateway adds who and what."""


class Admission(_Base):
    kind: Literal["admission"]
    account: Address


class Block(_Base):
    kind: Literal["block", "unblock"]
    account: Address


class Exit(_Base):
    kind: Literal["exit"]
    account: Address
    """The member leaves (or is excluded); their refundable shares are settled on chain."""


class KeyRecovery(_Base):
    kind: Literal["key_recovery"]
    account: Address
    """The lost address."""
    new_account: Address


class CreditLimit(_Base):
    kind: Literal["credit_limit"]
    account: Address
    limit: Uint
    """In ВРЕ base units."""


class Payout(_Base):
    kind: Literal["payout"]
    fund: Literal["share", "reserve", "mutual_aid", "development"]
    to: Address
    amount: Uint
    """In the payment token's base units."""


class Loan(_Base):
    kind: Literal["loan_approval", "loan_rejection", "guarantee_call"]
    loan_id: Id


class InKind(_Base):
    kind: Literal["contribution_in_kind"]
    account: Address
    amount: Uint
    """The valuation credited as a share (share base units)."""
    title: Text
    """What the property is (goes into the document and the property register's title)."""
    category: Literal["land", "building", "equipment", "vehicle", "intellectual_property", "other"]


class Mint(_Base):
    kind: Literal["property_mint"]
    custodian: Address
    category: Literal["land", "building", "equipment", "vehicle", "intellectual_property", "other"]
    valuation: Uint
    title: Text


class Revalue(_Base):
    kind: Literal["property_revaluation"]
    token_id: Id
    valuation: Uint


class UnionInvoice(_Base):
    kind: Literal["union_invoice"]
    union_units: Address
    """The union's settlement units (ВРЕ of the union)."""
    debtor: Address
    """The cooperative (its treasury) that owes."""
    amount: Uint
    due_date: dt.date


class Reconvene(_Base):
    kind: Literal["reconvene"]
    meeting_id: Id
    """The meeting that missed its quorum (its agenda and register are kept)."""
    opens_at: Annotated[int, Field(ge=0, lt=2**40)]
    closes_at: Annotated[int, Field(ge=0, lt=2**40)]
    secretary: Address
    chair: Address | None = None
    """The presiding chair (None: the cooperative's chair)."""


class ProgramCreate(_Base):
    kind: Literal["program_create"]
    purpose: Annotated[str, Field(min_length=1, max_length=200)]
    terms: Hash32
    """The terms document (`program_terms`, its SHA-256 as 0x-hex) members accept to join."""


class ProgramSpend(_Base):
    kind: Literal["program_spend"]
    program_id: Id
    to: Address
    amount: Uint
    """In the payment token's base units; at most the program's own balance."""


class ProgramClose(_Base):
    kind: Literal["program_close"]
    program_id: Id


DecisionCreate = Annotated[
    Reconvene
    | Admission
    | Block
    | Exit
    | KeyRecovery
    | CreditLimit
    | Payout
    | Loan
    | InKind
    | Mint
    | Revalue
    | UnionInvoice
    | NamedFundPayout
    | ProgramCreate
    | ProgramSpend
    | ProgramClose,
    Field(discriminator="kind"),
]


class SummaryLine(BaseModel):
    label: str
    """Russian / English."""
    value: str


class ActionPublic(BaseModel):
    target: str
    contract: str
    function: str
    args: list[str]
    data: str


class Drafted(BaseModel):
    """What the officer sees before signing."""

    kind: str
    title: str
    """Russian / English: what the decision does."""
    lines: list[SummaryLine]
    """Who, what, how much, which document."""
    document: str
    """SHA-256 of the generated decision document (its hash goes on chain)."""
    document_url: str
    actions: list[ActionPublic]


@dataclass
class Plan:
    title_ru: str
    title_en: str
    template: str
    persons: list[str]
    amount: int | None
    lines: list[tuple[str, str]]
    build: Any
    """`build(decision_hash) -> list[tuple[contract, fn, args]]`."""
    extra_fields: dict[str, Any] = field(default_factory=dict)


class AmountUnit(BaseModel):
    """The unit an amount field of a decision is in: the officer types it with decimals
    ("12,5"), the portal sends base units (`value * 10**decimals`)."""

    symbol: str
    decimals: int


PROPERTY_DECIMALS = 18
"""Property valuations: the cooperative's accounting unit (18 decimals, like ВРЕ)."""
UNION_UNITS_DECIMALS = 18
"""A union's ВРЕ (`SettlementUnits.decimals()` is a constant 18)."""


def amount_units(gw: Gateway) -> dict[str, AmountUnit]:
    """Each amount field of the decision kinds (`<kind>.<field>`) and its unit, read from the
    chain: what the form shows and scales by, and what the preview formats with."""
    units = gw.coop.settlement_units.functions
    pay = gw.coop.token.functions
    shares = gw.coop.shares.functions
    vre = AmountUnit(symbol=str(units.symbol().call()), decimals=int(units.decimals().call()))
    money = AmountUnit(symbol=str(pay.symbol().call()), decimals=int(pay.decimals().call()))
    share = AmountUnit(symbol=str(shares.symbol().call()), decimals=int(shares.decimals().call()))
    valuation = AmountUnit(symbol=vre.symbol, decimals=PROPERTY_DECIMALS)
    return {
        "credit_limit.limit": vre,
        "payout.amount": money,
        "named_fund_payout.amount": money,
        "contribution_in_kind.amount": share,
        "property_mint.valuation": valuation,
        "property_revaluation.valuation": valuation,
        "union_invoice.amount": AmountUnit(symbol=vre.symbol, decimals=UNION_UNITS_DECIMALS),
        "program_spend.amount": money,
    }


def fmt_amount(value: int | str, unit: AmountUnit) -> str:
    """`12,5 ВРЕ (12500000000000000000)`: as the officer typed it, with the base units the
    chain receives (Russian decimal comma, no rounding: every digit shown)."""
    v = int(value)
    whole, frac = divmod(v, 10**unit.decimals) if unit.decimals else (v, 0)
    text = f"{whole:,}".replace(",", "\u00a0")
    if frac:
        text += "," + str(frac).rjust(unit.decimals, "0").rstrip("0")
    return f"{text} {unit.symbol} ({v})"


def require_council(caller: Caller) -> None:
    """Only a sitting council member drafts a decision (the council contract refuses anyone
    else's `propose` too: this answers before a document is generated)."""
    if caller.is_auditor or not caller.has("council"):
        raise Problem(
            403,
            "Проект решения готовит член совета / Only a council member drafts a decision",
        )


def _need(value: Any, what_ru: str, what_en: str) -> Any:
    if value is None:
        raise Problem(
            409,
            f"У кооператива нет модуля: {what_ru} / The cooperative has no {what_en}",
        )
    return value


def _status(gw: Gateway, account: str) -> int:
    return int(gw.coop.membership.functions.statusOf(checksum(account)).call())


def _refuse(ru: str, en: str, field_name: str) -> Problem:
    return Problem(
        422,
        f"{ru} / {en}",
        errors=[{"loc": ["body", field_name], "msg": en, "type": "value_error"}],
    )


def plan(gw: Gateway, body: Any) -> Plan:
    """The decision's actions and summary, with the fields checked against the chain's facts
    where a wrong value would only fail at execution (days later)."""
    m = gw.coop.membership
    kind = body.kind
    if kind == "admission":
        if _status(gw, body.account) != 1:
            raise _refuse("Адрес не подавал заявления", "The address has no application", "account")
        return Plan(
            "Приём в пайщики",
            "Admission",
            "council_admission",
            [body.account],
            None,
            [("Кого / Whom", body.account)],
            lambda d: [(m, "admit", [checksum(body.account), d])],
        )
    if kind in ("block", "unblock", "exit"):
        if _status(gw, body.account) in (0, 4):
            raise _refuse("Адрес не пайщик", "The address is not a member", "account")
        fn = {"block": "blockMember", "unblock": "unblockMember", "exit": "exit"}[kind]
        titles = {
            "block": ("Блокировка пайщика", "Blocking a member"),
            "unblock": ("Снятие блокировки", "Unblocking a member"),
            "exit": ("Выход (исключение) с возвратом пая", "Exit (exclusion) with share refund"),
        }[kind]
        lines = [("Кого / Whom", body.account)]
        if kind == "exit":
            holding = gw.coop.shares.functions.holdingOf(checksum(body.account)).call()
            lines.append(("Паевой взнос к возврату / Shares refunded", str(_refundable(holding))))
        return Plan(
            titles[0],
            titles[1],
            "council_exclusion" if kind in ("block", "exit") else "council_decision",
            [body.account],
            None,
            lines,
            lambda d: [(m, fn, [checksum(body.account), d])],
        )
    if kind == "key_recovery":
        if _status(gw, body.new_account) != 0:
            raise _refuse(
                "Новый адрес уже известен реестру",
                "The new address already has a membership record",
                "new_account",
            )
        return Plan(
            "Восстановление ключа",
            "Key recovery",
            "council_decision",
            [body.account, body.new_account],
            None,
            [
                ("Старый адрес / Lost address", body.account),
                ("Новый адрес / New address", body.new_account),
            ],
            lambda d: [
                (m, "recoverMembership", [checksum(body.account), checksum(body.new_account), d])
            ],
        )
    if kind == "reconvene":
        return _reconvene(gw, body)
    if kind == "credit_limit":
        units = gw.coop.settlement_units
        return Plan(
            "Кредитный лимит ВРЕ",
            "ВРЕ credit limit",
            "council_decision",
            [body.account],
            int(body.limit),
            [
                ("Кому / Whom", body.account),
                (
                    "Лимит (базовых единиц) / Limit (base units)",
                    fmt_amount(body.limit, amount_units(gw)["credit_limit.limit"]),
                ),
            ],
            lambda d: [(units, "setCreditLimit", [checksum(body.account), int(body.limit)])],
        )
    if kind.startswith("program_"):
        return _program_plan(gw, body)
    if kind == "payout":
        treasury = gw.coop.treasury
        fund = FUNDS[body.fund]
        ru, en = FUND_NAMES[body.fund]
        balance = int(treasury.functions.fundBalance(fund).call())
        if int(body.amount) > balance:
            held = fmt_amount(balance, amount_units(gw)["payout.amount"])
            raise _refuse(
                f"В фонде «{ru}» только {held}",
                f"The {en} holds only {held}",
                "amount",
            )
        if int(body.amount) == 0:
            raise _refuse("Сумма должна быть больше нуля", "The amount must be positive", "amount")
        return Plan(
            "Выплата из фонда",
            "Payout from a fund",
            "council_payout",
            [body.to],
            int(body.amount),
            [
                ("Из фонда / From fund", f"{ru} / {en}"),
                ("Кому / To", body.to),
                (
                    "Сумма (базовых единиц) / Amount (base units)",
                    fmt_amount(body.amount, amount_units(gw)["payout.amount"]),
                ),
            ],
            lambda d: [(treasury, "payout", [fund, checksum(body.to), int(body.amount), d])],
        )
    if kind == "named_fund_payout":
        treasury = gw.coop.treasury
        name, args = council_payout_plan(treasury, body)
        return Plan(
            "Выплата из фонда устава",
            "Payout from a named fund",
            "council_payout",
            [body.to],
            int(body.amount),
            [
                ("Из фонда / From fund", f"№ {body.fund_id} «{name}»"),
                ("Кому / To", body.to),
                (
                    "Сумма (базовых единиц) / Amount (base units)",
                    fmt_amount(body.amount, amount_units(gw)["named_fund_payout.amount"]),
                ),
            ],
            lambda d: [(treasury, "payoutNamed", [*args, d])],
        )
    if kind in ("loan_approval", "loan_rejection", "guarantee_call"):
        fund_client = _need(gw.fund(), "фонд взаимопомощи", "mutual-aid fund")
        c = fund_client.contract
        try:
            loan = c.functions.loan(body.loan_id).call()
        except Exception as exc:
            raise _refuse("Нет такого займа", "No such loan", "loan_id") from exc
        borrower = checksum(loan[1])
        if int(borrower, 16) == 0:
            raise _refuse("Нет такого займа", "No such loan", "loan_id")
        fn, ru, en = {
            "loan_approval": ("approveLoan", "Одобрение займа", "Loan approval"),
            "loan_rejection": ("rejectLoan", "Отказ в займе", "Loan rejection"),
            "guarantee_call": ("callGuarantees", "Взыскание с поручителей", "Guarantee call"),
        }[kind]
        return Plan(
            ru,
            en,
            "council_decision",
            [borrower],
            int(loan[2]),
            [
                ("Заём № / Loan no.", str(body.loan_id)),
                ("Заёмщик / Borrower", borrower),
                ("Сумма займа / Loan amount", str(int(loan[2]))),
            ],
            lambda d: [(c, fn, [body.loan_id, d])],
        )
    if kind == "contribution_in_kind":
        if _status(gw, body.account) != 2:
            raise _refuse("Адрес не действующий пайщик", "Not an active member", "account")
        shares = gw.coop.shares
        registry = gw.registry()
        title = Web3.keccak(text=body.title)

        def build(d: bytes) -> list[tuple[Any, str, list[Any]]]:
            out: list[tuple[Any, str, list[Any]]] = [
                (shares, "creditInKind", [checksum(body.account), int(body.amount), d])
            ]
            if registry is not None:
                out.append(
                    (
                        registry.contract,
                        "mint",
                        [
                            checksum(body.account),
                            CATEGORIES[body.category],
                            int(body.amount),
                            title,
                            d,
                            d,
                        ],
                    )
                )
            return out

        return Plan(
            "Взнос имуществом",
            "Contribution in kind",
            "council_decision",
            [body.account],
            int(body.amount),
            [
                ("Пайщик / Member", body.account),
                ("Имущество / Property", body.title),
                (
                    "Оценка (паевой взнос) / Valuation (share)",
                    fmt_amount(body.amount, amount_units(gw)["contribution_in_kind.amount"]),
                ),
            ],
            build,
        )
    if kind == "property_mint":
        registry = _need(gw.registry(), "реестр имущества", "property register")
        title = Web3.keccak(text=body.title)
        return Plan(
            "Постановка имущества на учёт",
            "Registering property",
            "council_decision",
            [body.custodian],
            int(body.valuation),
            [
                ("Имущество / Property", body.title),
                ("Хранитель / Custodian", body.custodian),
                (
                    "Оценка / Valuation",
                    fmt_amount(body.valuation, amount_units(gw)["property_mint.valuation"]),
                ),
            ],
            lambda d: [
                (
                    registry.contract,
                    "mint",
                    [
                        checksum(body.custodian),
                        CATEGORIES[body.category],
                        int(body.valuation),
                        title,
                        d,
                        d,
                    ],
                )
            ],
        )
    if kind == "property_revaluation":
        registry = _need(gw.registry(), "реестр имущества", "property register")
        if not registry.contract.functions.exists(body.token_id).call():
            raise _refuse("Нет такого имущества", "No such asset", "token_id")
        return Plan(
            "Переоценка имущества",
            "Revaluation of property",
            "council_decision",
            [],
            int(body.valuation),
            [
                ("Имущество № / Asset no.", str(body.token_id)),
                (
                    "Новая оценка / New valuation",
                    fmt_amount(body.valuation, amount_units(gw)["property_revaluation.valuation"]),
                ),
            ],
            lambda d: [(registry.contract, "revalue", [body.token_id, int(body.valuation), d])],
        )
    if kind == "union_invoice":
        treasury = gw.coop.treasury
        due = int(dt.datetime.combine(body.due_date, dt.time(), dt.UTC).timestamp())
        return Plan(
            "Счёт кооперативу союза",
            "Invoice to a union cooperative",
            "council_decision",
            [],
            int(body.amount),
            [
                ("Должник / Debtor", body.debtor),
                (
                    "Сумма, ВРЕ союза / Amount, union ВРЕ",
                    fmt_amount(body.amount, amount_units(gw)["union_invoice.amount"]),
                ),
                ("Срок / Due", body.due_date.isoformat()),
            ],
            lambda d: [
                (
                    treasury,
                    "issueUnionObligation",
                    [checksum(body.union_units), checksum(body.debtor), int(body.amount), due, d],
                )
            ],
        )
    raise _refuse("Неизвестный вид решения", "Unknown decision kind", "kind")  # pragma: no cover


def _program_plan(gw: Gateway, body: Any) -> Plan:
    """A target program's creation, spending or closing (`contracts/TargetPrograms.sol`)."""
    address = gw.module_address("target_programs")
    if address is None:
        raise _refuse(
            "У кооператива нет целевых программ", "The cooperative has no target programs", "kind"
        )
    c = gw.chain.contract("TargetPrograms", address)
    if body.kind == "program_create":
        terms = bytes.fromhex(body.terms[2:])
        return Plan(
            "Открытие целевой программы",
            "A new target program",
            "council_program",
            [],
            None,
            [("Цель / Purpose", body.purpose), ("Условия (документ) / Terms", body.terms)],
            lambda d: [(c, "createProgram", [body.purpose, terms, d])],
        )
    balance, _, _, _, status, _ = c.functions.program(body.program_id).call()
    if int(status) == 0:
        raise _refuse("Нет такой программы", "No such program", "program_id")
    if body.kind == "program_close":
        return Plan(
            "Закрытие целевой программы",
            "Closing a target program",
            "council_program",
            [],
            None,
            [("Программа / Program", f"№ {body.program_id}")],
            lambda d: [(c, "closeProgram", [body.program_id, d])],
        )
    amount = int(body.amount)
    unit = amount_units(gw)["program_spend.amount"]
    if amount == 0:
        raise _refuse("Сумма должна быть больше нуля", "The amount must be positive", "amount")
    if amount > int(balance):
        held = fmt_amount(balance, unit)
        raise _refuse(
            f"На балансе программы только {held}", f"The program holds only {held}", "amount"
        )
    return Plan(
        "Расход средств целевой программы",
        "Spending from a target program",
        "council_program",
        [body.to],
        amount,
        [
            ("Программа / Program", f"№ {body.program_id}"),
            ("Кому / To", body.to),
            ("Сумма / Amount", fmt_amount(amount, unit)),
        ],
        lambda d: [(c, "spend", [body.program_id, checksum(body.to), amount, d])],
    )


def _reconvene(gw: Gateway, body: Any) -> Plan:
    """A meeting that missed its quorum convened again with the same agenda and register
    (`GeneralMeeting.reconvene`, a council action): checked against the chain before anything
    is generated (the meeting's state, the charter's notice period, the dates)."""
    from node.governance.client import MeetingState

    meeting = _need(gw.governance().meeting, "общее собрание", "general meeting")
    count = int(meeting.contract.functions.meetingCount().call())
    if not 1 <= body.meeting_id <= count:
        raise _refuse("Нет такого собрания", "No such meeting", "meeting_id")
    if meeting.state(body.meeting_id) is not MeetingState.QUORUM_MISSED:
        raise _refuse(
            "Повторно созывается только собрание, не набравшее кворума",
            "Only a meeting that missed its quorum is reconvened",
            "meeting_id",
        )
    now = int(gw.chain.w3.eth.get_block("latest")["timestamp"])
    earliest = now + int(meeting.notice_period())
    if body.opens_at < earliest:
        raise _refuse(
            f"Голосование не может открыться раньше срока уведомления: не ранее {earliest} (unix)",
            f"Voting cannot open before the notice period: not before {earliest} (unix)",
            "opens_at",
        )
    if body.closes_at <= body.opens_at:
        raise _refuse(
            "Закрытие должно быть позже открытия",
            "Voting must close after it opens",
            "closes_at",
        )
    chair = checksum(body.chair) if body.chair else "0x0000000000000000000000000000000000000000"
    if chair == checksum(body.secretary):
        raise _refuse(
            "Секретарь и председательствующий — разные люди",
            "The secretary and the presiding chair must be different people",
            "secretary",
        )
    args = [body.meeting_id, body.opens_at, body.closes_at, checksum(body.secretary), chair]
    return Plan(
        "Повторный созыв общего собрания",
        "Reconvening a general meeting",
        "council_decision",
        [],
        None,
        [
            ("Собрание № (без кворума) / Meeting no. (quorum missed)", str(body.meeting_id)),
            ("Открытие голосования / Voting opens", _utc(body.opens_at)),
            ("Закрытие голосования / Voting closes", _utc(body.closes_at)),
            ("Секретарь / Secretary", checksum(body.secretary)),
        ],
        lambda d: [(meeting.contract, "reconvene", args)],
    )


def _utc(t: int) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%d.%m.%Y %H:%M UTC")


def _refundable(holding: Any) -> int:
    """Refundable part of `Shares.holdingOf`: minimum, voluntary and in-kind shares (the
    entrance fee never comes back)."""
    return int(holding[0]) + int(holding[1]) + int(holding[2])


def encode(plan_: Plan, decision: bytes) -> tuple[list[Action], list[ActionPublic]]:
    actions: list[Action] = []
    shown: list[ActionPublic] = []
    for contract, fn, args in plan_.build(decision):
        action = Action.call(contract, fn, *args)
        actions.append(action)
        shown.append(
            ActionPublic(
                target=action.target,
                contract=_contract_name(contract),
                function=fn,
                args=[_show(a) for a in args],
                data="0x" + action.data.hex(),
            )
        )
    return actions, shown


def _contract_name(contract: Any) -> str:
    return str(getattr(contract, "contract_name", None) or type(contract).__name__)


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


#: The cooperative's contracts by the key `Gateway.contract_addresses` gives them.
CONTRACT_NAMES = {
    "charter": "Charter",
    "membership": "Membership",
    "shares": "Shares",
    "treasury": "Treasury",
    "documents": "DocumentRegistry",
    "settlement_units": "SettlementUnits",
    "council": "Council",
    "general_meeting": "GeneralMeeting",
    "mutual_aid_fund": "MutualAidFund",
    "property_registry": "PropertyRegistry",
    "labour_register": "LabourRegister",
    "target_programs": "TargetPrograms",
}


def describe(gw: Gateway, targets: list[str], calldatas: list[bytes]) -> list[ActionPublic]:
    """What an item's actions call, decoded with the ABIs of the cooperative's own contracts
    (a target outside them is shown as its address and raw data, never guessed)."""
    known = {
        address.lower(): CONTRACT_NAMES[key]
        for key, address in gw.contract_addresses().items()
        if key in CONTRACT_NAMES
    }
    out: list[ActionPublic] = []
    for target, data in zip(targets, calldatas, strict=True):
        name = known.get(target.lower())
        fn_name, args = "?", [f"0x{data.hex()[:200]}"]
        if name is not None:
            try:
                fn, decoded = gw.chain.contract(name, target).decode_function_input(data)
                fn_name = str(fn.fn_name)
                args = [_show(v)[:200] for v in decoded.values()]
            except (ValueError, KeyError):  # not a function of that contract: shown raw
                pass
        out.append(
            ActionPublic(
                target=checksum(target),
                contract=name or "?",
                function=fn_name,
                args=args,
                data="0x" + data.hex(),
            )
        )
    return out
