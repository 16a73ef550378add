"""Bank statement formats: 1C «Клиент-банк» exchange (read and write) and ISO 20022 camt.053.

Every line is validated; the first problem refuses the whole file with its line number (a
partial import would leave the books half right). Keys a bank adds that we do not use are
kept in `extra`, never guessed at.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from eth_utils import keccak

ONE_C_MAGIC = "1CClientBankExchange"
CAMT_NS = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d\d$")

_ACCOUNT = re.compile(r"^\d{20}$")
_BIK = re.compile(r"^\d{9}$")
_AMOUNT = re.compile(r"^\d{1,15}(\.\d{1,2})?$")
_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


class StatementError(ValueError):
    """A file we refuse, with the 1-based line where the problem is."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"строка {line}: {message} / line {line}: {message}")
        self.line = line
        self.reason = message


@functools.lru_cache(maxsize=65536)
def bik_valid(bik: str) -> bool:
    """A Russian bank's БИК: 9 digits, starting with the country code 04."""
    return bool(_BIK.match(bik)) and bik.startswith("04")


def account_key_valid(account: str, bik: str) -> bool:
    """The control key of a client's account at a bank (ЦБ РФ rules, 1997): the last three
    digits of the БИК followed by the 20 digits of the account, weighted 7, 1, 3 repeating,
    sum to a multiple of 10. Catches a mistyped digit of the account or the wrong bank."""
    if not _ACCOUNT.match(account) or not _BIK.match(bik):
        return False
    digits = bik[-3:] + account
    return sum(int(d) * (7, 1, 3)[i % 3] for i, d in enumerate(digits)) % 10 == 0


def inn_valid(inn: str) -> bool:
    """ИНН check digits: 10 digits for an organisation, 12 for a person."""
    if not inn.isdigit() or not inn.isascii():
        return False
    digits = [int(c) for c in inn]

    def check(weights: tuple[int, ...]) -> int:
        return sum(w * d for w, d in zip(weights, digits, strict=False)) % 11 % 10

    if len(digits) == 10:
        return check(_INN10) == digits[9]
    if len(digits) == 12:
        return check(_INN11) == digits[10] and check(_INN12) == digits[11]
    return False


def parse_amount(text: str, line: int) -> int:
    """Rubles with a dot and at most two decimals -> kopecks (positive)."""
    text = text.strip()
    if not _AMOUNT.match(text):
        raise StatementError(line, f"сумма «{text}» не в формате 1100.00 / bad amount")
    try:
        kopecks = int(Decimal(text) * 100)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise StatementError(line, f"сумма «{text}»") from exc
    if kopecks <= 0:
        raise StatementError(line, "сумма должна быть положительной / amount must be positive")
    return kopecks


def format_amount(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


_DATE = re.compile(r"^(\d\d)\.(\d\d)\.(\d{4})$")


@functools.lru_cache(maxsize=4096)
def _date_of(text: str) -> dt.date | None:
    """dd.mm.yyyy (a statement repeats few dates: cached)."""
    found = _DATE.match(text)
    if found is None:
        return None
    try:
        return dt.date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
    except ValueError:
        return None


def _date(text: str, line: int) -> dt.date:
    day = _date_of(text.strip())
    if day is None:
        raise StatementError(line, f"дата «{text}» не в формате дд.мм.гггг / bad date")
    return day


@dataclass(frozen=True)
class Party:
    name: str = ""
    inn: str = ""
    kpp: str = ""
    account: str = ""
    bik: str = ""


@dataclass(frozen=True)
class StatementLine:
    """One booking on the cooperative's account."""

    bank_ref: str
    """What identifies the booking across statements (AcctSvcrRef, or 1C number+date+sum+payer)."""
    source_line: int
    incoming: bool
    date: dt.date
    amount: int
    """Kopecks, positive."""
    payer: Party
    payee: Party
    purpose: str
    number: str = ""
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def line_hash(self) -> bytes:
        """The line's identity on chain: keccak of the bank reference and its money fields."""
        canon = "|".join(
            [
                self.bank_ref,
                "in" if self.incoming else "out",
                self.date.isoformat(),
                str(self.amount),
                self.payer.account,
                self.payee.account,
            ]
        )
        return keccak(text=canon)


@dataclass
class Statement:
    format: str
    account: str
    start: dt.date | None
    end: dt.date | None
    lines: list[StatementLine] = field(default_factory=list)
    opening: int | None = None
    closing: int | None = None


# --------------------------------------------------------------------------- 1C exchange


def _decode_1c(data: bytes) -> str:
    """Bytes -> text, by the file's own `Кодировка` (Windows = cp1251, DOS = cp866)."""
    encoding = "cp1251"
    head = data[:4096]
    if "Кодировка=DOS".encode("cp1251") in head or "Кодировка=DOS".encode("cp866") in head:
        encoding = "cp866"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        number = data.count(b"\n", 0, exc.start) + 1
        raise StatementError(number, f"не читается в кодировке {encoding}") from exc


def parse_1c(data: bytes) -> Statement:
    """Parse a 1C «Клиент-банк» statement; refuse it at the first bad line.

    One pass over the lines (read lazily), each document turned into a `StatementLine` as soon
    as it closes: memory grows with the lines kept, not with the file's text.
    """
    stream = io.StringIO(_decode_1c(data))
    first = stream.readline()
    if first.lstrip("\ufeff").strip() != ONE_C_MAGIC:
        raise StatementError(1, f"первая строка должна быть {ONE_C_MAGIC} / not a 1C exchange file")
    header: dict[str, str] = {}
    our_accounts: list[str] = []
    sections: list[tuple[int, dict[str, str]]] = []
    parsed: list[StatementLine] = []
    current: dict[str, tuple[int, str]] | None = None
    current_kind = ""
    current_start = 0
    in_account = False
    account_section: dict[str, str] = {}
    account_start = 0
    ended = 0
    number = 1
    for number, raw in enumerate(stream, start=2):
        text = raw.strip()
        if not text:
            continue
        if ended:
            raise StatementError(number, "строки после КонецФайла / lines after the end")
        if text == "КонецФайла":
            ended = number
            continue
        if text == "КонецДокумента":
            if current is None:
                raise StatementError(number, "КонецДокумента без СекцияДокумент")
            parsed.append(_document_1c(current_start, current_kind, current, our_accounts))
            current = None
            continue
        if text == "СекцияРасчСчет":
            if current is not None or in_account:
                raise StatementError(number, "вложенная секция / nested section")
            in_account, account_section, account_start = True, {}, number
            continue
        if text == "КонецРасчСчет":
            if not in_account:
                raise StatementError(number, "КонецРасчСчет без СекцияРасчСчет")
            acc = account_section.get("РасчСчет", "")
            if not _ACCOUNT.match(acc):
                raise StatementError(account_start, "РасчСчет секции должен быть из 20 цифр")
            if acc not in our_accounts:
                our_accounts.append(acc)
            sections.append((account_start, account_section))
            in_account = False
            continue
        key, sep, value = text.partition("=")
        if not sep or not key:
            raise StatementError(number, f"ожидается Ключ=Значение, получено «{text[:40]}»")
        if key == "СекцияДокумент":
            if current is not None or in_account:
                raise StatementError(number, "вложенная секция / nested section")
            if not our_accounts:
                raise StatementError(
                    number, "РасчСчет должен стоять до документов / no account yet"
                )
            current, current_kind, current_start = {}, value, number
            continue
        if current is not None:
            current[key] = (number, value)
        elif in_account:
            account_section[key] = value
        elif key == "РасчСчет":
            if not _ACCOUNT.match(value):
                raise StatementError(number, "счёт должен быть из 20 цифр / account is 20 digits")
            our_accounts.append(value)
        else:
            header[key] = value
    if current is not None:
        raise StatementError(current_start, "СекцияДокумент без КонецДокумента")
    if in_account:
        raise StatementError(account_start, "СекцияРасчСчет без КонецРасчСчет")
    if not ended:
        raise StatementError(number, "нет строки КонецФайла / file is truncated")
    if header.get("ВерсияФормата", "1.03") not in {"1.01", "1.02", "1.03"}:
        raise StatementError(2, f"версия формата {header['ВерсияФормата']} не поддерживается")
    if not our_accounts:
        raise StatementError(1, "нет РасчСчет: чей это счёт? / no account in the header")
    statement = Statement(
        format="1c",
        account=our_accounts[0],
        start=_date(header["ДатаНачала"], 2) if "ДатаНачала" in header else None,
        end=_date(header["ДатаКонца"], 2) if "ДатаКонца" in header else None,
        lines=parsed,
    )
    for start, sec in sections:
        _check_section(start, sec, parsed)
        if sec["РасчСчет"] == statement.account:
            statement.opening = _balance(sec.get("НачальныйОстаток"), start)
            statement.closing = _balance(sec.get("КонечныйОстаток"), start)
    return statement


def _balance(text: str | None, line: int) -> int | None:
    if text is None or text.strip() == "":
        return None
    text = text.strip()
    negative = text.startswith("-")
    value = text.removeprefix("-")
    if value in {"0", "0.00", "0.0"}:
        return 0
    amount = parse_amount(value, line)
    return -amount if negative else amount


def _check_section(start: int, sec: dict[str, str], lines: list[StatementLine]) -> None:
    """The section totals must agree with the documents of that account."""
    acc = sec["РасчСчет"]
    got_in = sum(x.amount for x in lines if x.incoming and x.payee.account == acc)
    got_out = sum(x.amount for x in lines if not x.incoming and x.payer.account == acc)
    total_in = _balance(sec.get("ВсегоПоступило"), start)
    total_out = _balance(sec.get("ВсегоСписано"), start)
    if total_in is not None and total_in != got_in:
        raise StatementError(
            start,
            f"ВсегоПоступило {format_amount(total_in)} ≠ сумме документов {format_amount(got_in)}",
        )
    if total_out is not None and total_out != got_out:
        raise StatementError(
            start,
            f"ВсегоСписано {format_amount(total_out)} ≠ сумме документов {format_amount(got_out)}",
        )
    opening = _balance(sec.get("НачальныйОстаток"), start)
    closing = _balance(sec.get("КонечныйОстаток"), start)
    if opening is not None and closing is not None and opening + got_in - got_out != closing:
        raise StatementError(start, "НачальныйОстаток + поступления − списания ≠ КонечныйОстаток")


def _party(doc: dict[str, tuple[int, str]], prefix: str, start: int) -> Party:
    def get(key: str) -> tuple[int, str]:
        return doc.get(key, (start, ""))

    name = get(prefix)[1] or get(prefix + "1")[1]
    line, account = get(prefix + "Счет")
    if not _ACCOUNT.match(account):
        raise StatementError(line, f"{prefix}Счет должен быть из 20 цифр")
    line, bik = get(prefix + "БИК")
    if bik and not _BIK.match(bik):
        raise StatementError(line, f"{prefix}БИК должен быть из 9 цифр")
    line, inn = get(prefix + "ИНН")
    if inn and inn != "0" and not inn_valid(inn):
        raise StatementError(line, f"{prefix}ИНН {inn}: неверные контрольные цифры / bad ИНН")
    return Party(
        name=name,
        inn="" if inn == "0" else inn,
        kpp=get(prefix + "КПП")[1],
        account=account,
        bik=bik,
    )


_KNOWN_1C = {
    "Номер",
    "Дата",
    "Сумма",
    "НазначениеПлатежа",
    "ДатаПоступило",
    "ДатаСписано",
}


def _document_1c(
    start: int, kind: str, doc: dict[str, tuple[int, str]], ours: list[str]
) -> StatementLine:
    if "Сумма" not in doc:
        raise StatementError(start, "в документе нет Сумма")
    if "Дата" not in doc:
        raise StatementError(start, "в документе нет Дата")
    if "Номер" not in doc or not doc["Номер"][1].strip():
        raise StatementError(start, "в документе нет Номер")
    line, amount_text = doc["Сумма"]
    amount = parse_amount(amount_text, line)
    payer = _party(doc, "Плательщик", start)
    payee = _party(doc, "Получатель", start)
    received = doc.get("ДатаПоступило", (start, ""))
    written_off = doc.get("ДатаСписано", (start, ""))
    if payee.account in ours and payer.account not in ours:
        incoming = True
    elif payer.account in ours and payee.account not in ours:
        incoming = False
    elif received[1] and not written_off[1]:
        incoming = True
    elif written_off[1] and not received[1]:
        incoming = False
    else:
        raise StatementError(start, "не понять, поступление это или списание / direction unknown")
    date_line, date_text = doc["Дата"]
    booked = _date(date_text, date_line)
    booking = received if incoming else written_off
    if booking[1]:
        booked = _date(booking[1], booking[0])
    number = doc["Номер"][1].strip()
    return StatementLine(
        bank_ref=f"1c:{number}:{date_text.strip()}:{amount}:{payer.account}",
        source_line=start,
        incoming=incoming,
        date=booked,
        amount=amount,
        payer=payer,
        payee=payee,
        purpose=doc.get("НазначениеПлатежа", (start, ""))[1],
        number=number,
        extra=(
            *(
                (k, v)
                for k, (_, v) in doc.items()
                if k not in _KNOWN_1C and not k.startswith(("Плательщик", "Получатель"))
            ),
            ("СекцияДокумент", kind),
        ),
    )


@dataclass(frozen=True)
class PaymentOrder:
    """An outgoing payment the bank client is to make (платёжное поручение)."""

    number: str
    date: dt.date
    amount: int
    payer: Party
    payee: Party
    purpose: str


def write_1c_orders(
    orders: Iterable[PaymentOrder], account: str, *, now: dt.datetime | None = None
) -> bytes:
    """Payment orders as a 1C «Клиент-банк» file for the bank client (windows-1251, CRLF)."""
    orders = list(orders)
    now = now or dt.datetime.now()
    dates = [o.date for o in orders] or [now.date()]
    out = [
        ONE_C_MAGIC,
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        "Отправитель=Coopnode",
        "Получатель=",
        f"ДатаСоздания={now:%d.%m.%Y}",
        f"ВремяСоздания={now:%H:%M:%S}",
        f"ДатаНачала={min(dates):%d.%m.%Y}",
        f"ДатаКонца={max(dates):%d.%m.%Y}",
        f"РасчСчет={account}",
        "Документ=Платежное поручение",
    ]
    for o in orders:
        out += [
            "СекцияДокумент=Платежное поручение",
            f"Номер={o.number}",
            f"Дата={o.date:%d.%m.%Y}",
            f"Сумма={format_amount(o.amount)}",
            f"ПлательщикСчет={o.payer.account}",
            f"Плательщик={o.payer.name}",
            f"ПлательщикИНН={o.payer.inn}",
            f"ПлательщикКПП={o.payer.kpp}",
            f"ПлательщикБИК={o.payer.bik}",
            f"ПолучательСчет={o.payee.account}",
            f"Получатель={o.payee.name}",
            f"ПолучательИНН={o.payee.inn}",
            f"ПолучательБИК={o.payee.bik}",
            "ВидОплаты=01",
            "Очередность=5",
            f"НазначениеПлатежа={o.purpose}",
            "КонецДокумента",
        ]
    out.append("КонецФайла")
    return ("\r\n".join(out) + "\r\n").encode("cp1251")


# --------------------------------------------------------------------------- camt.053


@dataclass
class _Node:
    tag: str
    line: int
    attrs: dict[str, str]
    children: list[_Node] = field(default_factory=list)
    text: str = ""

    def find(self, path: str) -> _Node | None:
        node: _Node | None = self
        for part in path.split("/"):
            if node is None:
                return None
            node = next((c for c in node.children if c.tag == part), None)
        return node

    def findall(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]

    def text_of(self, path: str) -> str:
        node = self.find(path)
        return node.text.strip() if node is not None else ""


def _parse_xml(data: bytes) -> tuple[_Node, str]:
    """A small tree with source line numbers; DTDs (and so entity tricks) are refused."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    stack: list[_Node] = []
    root: list[_Node] = []
    namespace = [""]

    def start(name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition("}")
        if not stack:
            namespace[0] = ns
        node = _Node(local, parser.CurrentLineNumber, attrs)
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(_name: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if stack:
            stack[-1].text += text

    def doctype(*_args: object) -> None:
        raise StatementError(parser.CurrentLineNumber, "DOCTYPE не допускается / no DTD allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        reason = xml.parsers.expat.errors.messages[exc.code]
        raise StatementError(exc.lineno, f"XML: {reason}") from exc
    if not root:
        raise StatementError(1, "пустой XML")
    return root[0], namespace[0]


def parse_camt053(data: bytes) -> Statement:
    """Parse an ISO 20022 camt.053 statement (RUB entries); refuse it at the first bad element."""
    doc, ns = _parse_xml(data)
    if doc.tag != "Document" or not CAMT_NS.match(ns):
        raise StatementError(doc.line, "не camt.053 (Document в пространстве имён camt.053.001.xx)")
    stmt = doc.find("BkToCstmrStmt/Stmt")
    if stmt is None:
        raise StatementError(doc.line, "нет BkToCstmrStmt/Stmt")
    account = stmt.text_of("Acct/Id/Othr/Id") or stmt.text_of("Acct/Id/IBAN")
    if not account:
        raise StatementError(stmt.line, "нет Acct/Id (счёт выписки)")
    balances: dict[str, int] = {}
    for bal in stmt.findall("Bal"):
        code = bal.text_of("Tp/CdOrPrtry/Cd")
        amt = bal.find("Amt")
        if amt is None:
            raise StatementError(bal.line, "Bal без Amt")
        value = parse_amount(amt.text, amt.line) if amt.text.strip() not in {"0", "0.00"} else 0
        if bal.text_of("CdtDbtInd") == "DBIT":
            value = -value
        balances[code] = value
    lines: list[StatementLine] = []
    seen: set[str] = set()
    for entry in stmt.findall("Ntry"):
        amt = entry.find("Amt")
        if amt is None:
            raise StatementError(entry.line, "Ntry без Amt")
        if amt.attrs.get("Ccy") != "RUB":
            raise StatementError(amt.line, f"валюта {amt.attrs.get('Ccy')!r}: только RUB")
        amount = parse_amount(amt.text, amt.line)
        indicator = entry.text_of("CdtDbtInd")
        if indicator not in {"CRDT", "DBIT"}:
            raise StatementError(entry.line, f"CdtDbtInd {indicator!r}: ожидается CRDT или DBIT")
        incoming = indicator == "CRDT"
        ref = entry.text_of("AcctSvcrRef")
        if not ref:
            raise StatementError(entry.line, "нет AcctSvcrRef (уникальная ссылка банка)")
        if ref in seen:
            raise StatementError(entry.line, f"AcctSvcrRef {ref} повторяется в выписке")
        seen.add(ref)
        booked_node = entry.find("BookgDt/Dt") or entry.find("BookgDt/DtTm")
        if booked_node is None:
            raise StatementError(entry.line, "нет BookgDt")
        try:
            booked = dt.date.fromisoformat(booked_node.text.strip()[:10])
        except ValueError as exc:
            raise StatementError(booked_node.line, "дата не ISO (гггг-мм-дд)") from exc
        tx = entry.find("NtryDtls/TxDtls")
        other_name = other_account = other_inn = purpose = ""
        if tx is not None:
            side = "Dbtr" if incoming else "Cdtr"
            other_name = tx.text_of(f"RltdPties/{side}/Nm")
            other_account = tx.text_of(f"RltdPties/{side}Acct/Id/Othr/Id") or tx.text_of(
                f"RltdPties/{side}Acct/Id/IBAN"
            )
            id_node = tx.find(f"RltdPties/{side}/Id/OrgId/Othr/Id") or tx.find(
                f"RltdPties/{side}/Id/PrvtId/Othr/Id"
            )
            if id_node is not None:
                other_inn = id_node.text.strip()
                if not inn_valid(other_inn):
                    raise StatementError(id_node.line, f"ИНН {other_inn}: неверный / bad ИНН")
            purpose = " ".join(n.text.strip() for n in (tx.find("RmtInf") or tx).findall("Ustrd"))
        if other_account and not _ACCOUNT.match(other_account):
            raise StatementError(entry.line, "счёт контрагента должен быть из 20 цифр")
        other = Party(name=other_name, inn=other_inn, account=other_account)
        ours = Party(account=account)
        lines.append(
            StatementLine(
                bank_ref=f"camt:{ref}",
                source_line=entry.line,
                incoming=incoming,
                date=booked,
                amount=amount,
                payer=other if incoming else ours,
                payee=ours if incoming else other,
                purpose=purpose,
                number=ref,
            )
        )
    return Statement(
        format="camt.053",
        account=account,
        start=None,
        end=None,
        lines=lines,
        opening=balances.get("OPBD"),
        closing=balances.get("CLBD"),
    )


def parse_statement(data: bytes) -> Statement:
    """Either format, told apart by the first bytes."""
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return parse_camt053(data)
    if head.startswith(ONE_C_MAGIC.encode()):
        return parse_1c(data)
    raise StatementError(1, "неизвестный формат: ни 1CClientBankExchange, ни camt.053 XML")
