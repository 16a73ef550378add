"""Statement files built in tests: 1C «Клиент-банк» (windows-1251, CRLF) and camt.053 XML."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from node.bank.formats import format_amount

COOP_ACCOUNT = "40703810900000000001"
COOP_BIK = "044525225"


def inn10(body: str) -> str:
    """A valid organisation ИНН from 9 digits."""
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    digits = [int(c) for c in body]
    return body + str(sum(w * d for w, d in zip(weights, digits, strict=True)) % 11 % 10)


def inn12(body: str) -> str:
    """A valid personal ИНН from 10 digits."""
    w11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    w12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    digits = [int(c) for c in body]
    n11 = sum(w * d for w, d in zip(w11, digits, strict=True)) % 11 % 10
    digits.append(n11)
    n12 = sum(w * d for w, d in zip(w12, digits, strict=True)) % 11 % 10
    return body + str(n11) + str(n12)


COOP_INN = inn10("770000001")


@dataclass
class Payment:
    number: str
    amount: int
    """Kopecks."""
    purpose: str
    payer_name: str = "Иванов Иван Иванович"
    payer_inn: str = field(default_factory=lambda: inn12("7700000001"))
    payer_account: str = "40817810000000000001"
    incoming: bool = True
    date: dt.date = dt.date(2026, 12, 1)
    payee_account: str = ""


def one_c(payments: list[Payment], *, totals: bool = True, opening: int = 0) -> bytes:
    """A 1C statement of the cooperative's account."""
    received = sum(p.amount for p in payments if p.incoming)
    spent = sum(p.amount for p in payments if not p.incoming)
    lines = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        "Отправитель=Бухгалтерия",
        "Получатель=",
        "ДатаСоздания=02.12.2026",
        "ВремяСоздания=10:00:00",
        "ДатаНачала=01.12.2026",
        "ДатаКонца=01.12.2026",
        f"РасчСчет={COOP_ACCOUNT}",
        "СекцияРасчСчет",
        "ДатаНачала=01.12.2026",
        "ДатаКонца=01.12.2026",
        f"РасчСчет={COOP_ACCOUNT}",
        f"НачальныйОстаток={format_amount(opening)}",
    ]
    if totals:
        lines += [
            f"ВсегоПоступило={format_amount(received)}",
            f"ВсегоСписано={format_amount(spent)}",
            f"КонечныйОстаток={format_amount(opening + received - spent)}",
        ]
    lines.append("КонецРасчСчет")
    for p in payments:
        them = (p.payer_account, p.payer_name, p.payer_inn)
        ours = (COOP_ACCOUNT, "ПК «Ромашка»", COOP_INN)
        payer, payee = (
            (them, ours) if p.incoming else (ours, (p.payee_account, p.payer_name, p.payer_inn))
        )
        day = f"{p.date:%d.%m.%Y}"
        lines += [
            "СекцияДокумент=Платежное поручение",
            f"Номер={p.number}",
            f"Дата={day}",
            f"Сумма={format_amount(p.amount)}",
            f"ПлательщикСчет={payer[0]}",
            f"Плательщик={payer[1]}",
            f"ПлательщикИНН={payer[2]}",
            f"ПлательщикБИК={COOP_BIK}",
            f"ПолучательСчет={payee[0]}",
            f"Получатель={payee[1]}",
            f"ПолучательИНН={payee[2]}",
            f"ПолучательБИК={COOP_BIK}",
            "ВидОплаты=01",
            "Очередность=5",
            f"НазначениеПлатежа={p.purpose}",
            f"{'ДатаПоступило' if p.incoming else 'ДатаСписано'}={day}",
            "КонецДокумента",
        ]
    lines.append("КонецФайла")
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def camt053(payments: list[Payment], *, statement_id: str = "STMT-1") -> bytes:
    """A camt.053.001.02 statement (UTF-8 XML)."""
    entries = []
    for i, p in enumerate(payments):
        side = "Dbtr" if p.incoming else "Cdtr"
        account = p.payer_account if p.incoming else p.payee_account
        entries.append(
            f"""    <Ntry>
      <Amt Ccy="RUB">{format_amount(p.amount)}</Amt>
      <CdtDbtInd>{"CRDT" if p.incoming else "DBIT"}</CdtDbtInd>
      <Sts>BOOK</Sts>
      <BookgDt><Dt>{p.date.isoformat()}</Dt></BookgDt>
      <AcctSvcrRef>{p.number or f"REF{i}"}</AcctSvcrRef>
      <NtryDtls><TxDtls>
        <RltdPties>
          <{side}><Nm>{p.payer_name}</Nm><Id><PrvtId><Othr><Id>{p.payer_inn}</Id></Othr></PrvtId></Id></{side}>
          <{side}Acct><Id><Othr><Id>{account}</Id></Othr></Id></{side}Acct>
        </RltdPties>
        <RmtInf><Ustrd>{p.purpose}</Ustrd></RmtInf>
      </TxDtls></NtryDtls>
    </Ntry>"""
        )
    body = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>2026-12-02T10:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{statement_id}</Id>
      <CreDtTm>2026-12-02T10:00:00</CreDtTm>
      <Acct><Id><Othr><Id>{COOP_ACCOUNT}</Id></Othr></Id></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="RUB">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
{body}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()
