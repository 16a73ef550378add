"""The texts of notices: Russian first, English below, rendered from `templates/` (Jinja2).

The same text goes to every channel (the e-mail's body, the inbox's text, the webhook's `text`
field), so what a member reads in the portal is what the e-mail said.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from node.notices.kinds import EMAIL_CONFIRM, KINDS

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _dt(value: Any) -> str:
    if value in ("", None):
        return "—"
    return datetime.fromtimestamp(int(value), UTC).strftime("%d.%m.%Y %H:%M")


def _days(value: Any, lang: str = "ru") -> str:
    seconds = int(value)
    for unit, ru, en in ((86400, "дн.", "days"), (3600, "ч", "h"), (60, "мин", "min")):
        if seconds and seconds % unit == 0:
            return f"{seconds // unit} {ru if lang == 'ru' else en}"
    return f"{seconds} {'с' if lang == 'ru' else 's'}"


def _bps(value: Any) -> str:
    text = f"{Decimal(int(value)) / 100:.2f}"
    return text.rstrip("0").rstrip(".") + "%"


def _units(value: Any) -> str:
    """An amount of 18 decimals, as the portal shows it."""
    if value in ("", None):
        return "—"
    q = Decimal(int(value)) / Decimal(10**18)
    return f"{q:.2f}"


@lru_cache(maxsize=1)
def _env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # plain text
    )
    env.filters.update(dt=_dt, days=_days, bps=_bps, units=_units)
    return env


def title(kind: str) -> tuple[str, str]:
    if kind == EMAIL_CONFIRM:
        return ("Подтверждение адреса электронной почты", "Confirm your e-mail address")
    return KINDS[kind]


def render(kind: str, payload: dict[str, Any], name: str, link: str = "") -> str:
    """The notice's text (Russian, then English)."""
    ru, en = title(kind)
    template = {
        "meeting_convened": "meeting_convened.txt.j2",
        EMAIL_CONFIRM: "email_confirm.txt.j2",
    }
    env = _env()
    return env.get_template(template.get(kind, "notice.txt.j2")).render(
        kind=kind, p=_Payload(payload), name=name, title_ru=ru, title_en=en, link=link
    )


class _Payload(dict[str, Any]):
    """A payload whose missing keys read as empty (old rows, optional facts)."""

    def __getattr__(self, key: str) -> Any:
        return self.get(key, "")


def message_id(event_id: str, recipient: str) -> str:
    """The same Message-ID for every attempt of one notice: a receiver (or a mail client) sees
    a repeat after a crash as the same message."""
    digest = hashlib.sha256(f"{event_id}|{recipient}".encode()).hexdigest()[:32]
    return f"<{digest}@coopnode>"


def email(
    *, sender: str, to: str, kind: str, event_id: str, recipient: str, text: str, at: datetime
) -> EmailMessage:
    ru, en = title(kind)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = f"{ru} / {en}"
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = message_id(event_id, recipient) if event_id else make_msgid()
    msg["X-Coop-Event-Id"] = event_id
    msg["X-Coop-Kind"] = kind
    msg["Content-Language"] = "ru, en"
    msg.set_content(text, charset="utf-8")
    return msg
