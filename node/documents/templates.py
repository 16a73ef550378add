"""The cooperative's legal documents as self-contained, printable HTML.

Russian first, English subtitles. Rendering is deterministic: the same data gives the same
bytes, so the SHA-256 that a member signs (an application's `applicationHash`) can be
recomputed by anyone from the data. No date is taken from the clock: the caller passes it.

Why HTML and not PDF: a PDF needs an embedded font with Cyrillic glyphs, and no such font can
be relied on without shipping one (system fonts are not part of the project's install). HTML is
UTF-8 text, prints to PDF from any browser, and hashes byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

Context = Mapping[str, Any]

_STYLE = """
body { font-family: "DejaVu Serif", "Times New Roman", serif; max-width: 44em; margin: 2em auto;
       line-height: 1.45; color: #111; }
h1 { font-size: 1.35em; text-align: center; margin-bottom: 0; }
.en { color: #555; font-size: 0.85em; font-style: italic; }
h1 + .en { display: block; text-align: center; margin-bottom: 1.5em; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
td, th { border: 1px solid #999; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
.sign { margin-top: 3em; }
.sign div { margin-top: 2em; }
.meta { font-family: monospace; font-size: 0.8em; color: #444; word-break: break-all; }
@media print { body { margin: 0; } }
""".strip()


def _v(ctx: Context, key: str, default: str = "—") -> str:
    value = ctx.get(key)
    if value is None or value == "":
        return escape(default)
    return escape(str(value))


def _row(ru: str, en: str, value: str) -> str:
    return f'<tr><th>{escape(ru)}<br><span class="en">{escape(en)}</span></th><td>{value}</td></tr>'


def _signature(ru: str, en: str, who: str) -> str:
    return (
        f'<div>{escape(ru)} <span class="en">/ {escape(en)}</span>: '
        f"____________________ {who}</div>"
    )


def _questions(ctx: Context) -> str:
    questions: Sequence[Any] = ctx.get("questions") or []
    if not questions:
        return ""
    rows = []
    for i, q in enumerate(questions, 1):
        if isinstance(q, Mapping):
            text = escape(str(q.get("text", "")))
            result = q.get("result")
            votes = ""
            if result is not None or "for" in q:
                votes = (
                    f"за / for: {escape(str(q.get('for', 0)))}, "
                    f"против / against: {escape(str(q.get('against', 0)))}, "
                    f"воздержались / abstain: {escape(str(q.get('abstain', 0)))}"
                )
                if result is not None:
                    votes += f"; <b>{escape(str(result))}</b>"
            rows.append(f"<tr><td>{i}</td><td>{text}</td><td>{votes}</td></tr>")
        else:
            rows.append(f"<tr><td>{i}</td><td>{escape(str(q))}</td><td></td></tr>")
    return (
        '<table><tr><th>№</th><th>Вопрос <span class="en">/ Question</span></th>'
        '<th>Итоги <span class="en">/ Results</span></th></tr>' + "".join(rows) + "</table>"
    )


def _membership_application(ctx: Context) -> str:
    return f"""
<p>Прошу принять меня в пайщики {_v(ctx, "cooperative_name")}.
<span class="en">I apply to become a member of the cooperative.</span></p>
<table>
{_row("ФИО / наименование", "Name", _v(ctx, "name"))}
{_row("Дата рождения", "Birth date", _v(ctx, "birth_date"))}
{_row("Документ", "Identity document", _v(ctx, "document_number"))}
{_row("Адрес", "Address", _v(ctx, "address"))}
{_row("Вид пайщика", "Member kind", _v(ctx, "kind"))}
{_row("Адрес кошелька", "Wallet address", _v(ctx, "wallet"))}
{_row("Вступительный взнос", "Entrance fee", _v(ctx, "entrance_fee"))}
{_row("Минимальный паевой взнос", "Minimum share", _v(ctx, "minimum_share"))}
{_row("Хэш анкеты", "Identity record hash", _v(ctx, "identity_hash"))}
</table>
<p>С уставом ознакомлен(а), обязуюсь его соблюдать и внести взносы.
<span class="en">I have read the charter, agree to follow it and to pay the fees.</span></p>
<div class="sign">{_signature("Заявитель", "Applicant", _v(ctx, "name"))}
<div>Дата <span class="en">/ Date</span>: {_v(ctx, "date")}</div></div>"""


def _exit_application(ctx: Context) -> str:
    return f"""
<p>Прошу исключить меня из числа пайщиков {_v(ctx, "cooperative_name")} в связи с
добровольным выходом и вернуть паевой взнос в порядке, установленном уставом.
<span class="en">I ask to leave the cooperative and to have my share refunded as the charter
provides.</span></p>
<table>
{_row("ФИО / наименование", "Name", _v(ctx, "name"))}
{_row("Адрес кошелька", "Wallet address", _v(ctx, "wallet"))}
{_row("Паевой взнос к возврату", "Share to refund", _v(ctx, "refundable_share"))}
{_row("Реквизиты для возврата", "Refund details", _v(ctx, "refund_details"))}
</table>
<div class="sign">{_signature("Пайщик", "Member", _v(ctx, "name"))}
<div>Дата <span class="en">/ Date</span>: {_v(ctx, "date")}</div></div>"""


def _council_decision(ctx: Context) -> str:
    return f"""
<table>
{_row("Номер вопроса", "Item", _v(ctx, "item_id"))}
{_row("Дата заседания", "Date", _v(ctx, "date"))}
{_row("Члены совета", "Council members", _v(ctx, "council"))}
{
        _row(
            "Голосовали",
            "Votes",
            "за / for: "
            + _v(ctx, "for", "0")
            + ", против / against: "
            + _v(ctx, "against", "0")
            + ", воздержались / abstain: "
            + _v(ctx, "abstain", "0"),
        )
    }
</table>
<p><b>Повестка <span class="en">/ Agenda</span>:</b> {_v(ctx, "agenda")}</p>
<p><b>Решили <span class="en">/ Decided</span>:</b> {_v(ctx, "decision")}</p>
<div class="sign">{_signature("Председатель совета", "Chair", _v(ctx, "chair"))}</div>"""


def _meeting_notice(ctx: Context) -> str:
    return f"""
<p>Совет {_v(ctx, "cooperative_name")} созывает общее собрание пайщиков.
<span class="en">The council convenes a general meeting of members.</span></p>
<table>
{_row("Номер собрания", "Meeting", _v(ctx, "meeting_id"))}
{_row("Голосование открывается", "Voting opens", _v(ctx, "opens_at"))}
{_row("Голосование закрывается", "Voting closes", _v(ctx, "closes_at"))}
{_row("Форма", "Form", _v(ctx, "form", "электронное голосование подписанными бюллетенями"))}
</table>
<p><b>Повестка дня <span class="en">/ Agenda</span>:</b></p>
{_questions(ctx)}
<div class="sign">{_signature("Председатель", "Chair", _v(ctx, "chair"))}
<div>Дата <span class="en">/ Date</span>: {_v(ctx, "date")}</div></div>"""


def _meeting_protocol(ctx: Context) -> str:
    return f"""
<table>
{_row("Номер собрания", "Meeting", _v(ctx, "meeting_id"))}
{_row("Период голосования", "Voting period", _v(ctx, "opens_at") + " — " + _v(ctx, "closes_at"))}
{_row("Пайщиков с правом голоса", "Eligible members", _v(ctx, "eligible"))}
{_row("Приняли участие", "Took part", _v(ctx, "participants"))}
{_row("Кворум", "Quorum", _v(ctx, "quorum"))}
</table>
<p><b>Итоги голосования <span class="en">/ Results</span>:</b></p>
{_questions(ctx)}
<div class="sign">{_signature("Председатель собрания", "Chair", _v(ctx, "chair"))}
{_signature("Секретарь", "Secretary", _v(ctx, "secretary"))}</div>"""


def _loan_agreement(ctx: Context) -> str:
    return f"""
<p>{_v(ctx, "cooperative_name")} (касса взаимопомощи) и пайщик {_v(ctx, "name")} заключили
договор займа. <span class="en">The cooperative's mutual-aid fund and the member agree on a
loan.</span></p>
<table>
{_row("Заёмщик", "Borrower", _v(ctx, "name") + " (" + _v(ctx, "wallet") + ")")}
{_row("Сумма займа", "Amount", _v(ctx, "amount"))}
{_row("Процентная ставка", "Interest", _v(ctx, "interest", "0 % (беспроцентный / interest-free)"))}
{_row("Срок", "Term", _v(ctx, "term"))}
{_row("График погашения", "Repayment schedule", _v(ctx, "schedule"))}
{_row("Решение совета", "Council decision", _v(ctx, "decision"))}
</table>
<p>Заёмщик обязуется вернуть заём в срок. Выход из кооператива возможен после погашения.
<span class="en">The borrower repays on time; leaving the cooperative requires repayment
first.</span></p>
<div class="sign">{_signature("Председатель", "Chair", _v(ctx, "chair"))}
{_signature("Заёмщик", "Borrower", _v(ctx, "name"))}
<div>Дата <span class="en">/ Date</span>: {_v(ctx, "date")}</div></div>"""


@dataclass(frozen=True)
class Template:
    name: str
    title_ru: str
    title_en: str
    document_type: str
    """The `IDocumentRegistry.DocumentType` it is anchored as."""
    personal: bool
    """Carries the member's identity data (stored encrypted, erased on request)."""
    body: Callable[[Context], str]


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "membership_application",
            "Заявление о вступлении в кооператив",
            "Membership application",
            "APPLICATION",
            True,
            _membership_application,
        ),
        Template(
            "exit_application",
            "Заявление о выходе из кооператива",
            "Exit application",
            "EXIT",
            True,
            _exit_application,
        ),
        Template(
            "council_decision",
            "Протокол решения совета",
            "Council decision protocol",
            "COUNCIL_DECISION",
            False,
            _council_decision,
        ),
        Template(
            "meeting_notice",
            "Уведомление о созыве общего собрания",
            "Notice of a general meeting",
            "OTHER",
            False,
            _meeting_notice,
        ),
        Template(
            "meeting_protocol",
            "Протокол общего собрания пайщиков",
            "Protocol of the general meeting",
            "MEETING_PROTOCOL",
            False,
            _meeting_protocol,
        ),
        Template(
            "loan_agreement",
            "Договор займа из кассы взаимопомощи",
            "Mutual-aid loan agreement",
            "CONTRACT",
            True,
            _loan_agreement,
        ),
    )
}


def render(template: str, ctx: Context) -> bytes:
    """The document as UTF-8 HTML bytes (deterministic for the same `ctx`)."""
    t = TEMPLATES[template]
    footer = (
        f'<p class="meta">Кооператив / Cooperative: {_v(ctx, "cooperative_name")}; '
        f"устав / charter: {_v(ctx, 'charter')}; сеть / chain id: {_v(ctx, 'chain_id')}</p>"
    )
    html = (
        "<!DOCTYPE html>\n"
        '<html lang="ru"><head><meta charset="utf-8">'
        f"<title>{escape(t.title_ru)} / {escape(t.title_en)}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f'<h1>{escape(t.title_ru)}</h1><span class="en">{escape(t.title_en)}</span>'
        f"{t.body(ctx)}{footer}</body></html>\n"
    )
    return html.encode("utf-8")
