"""The agreements every member accepts when joining, as Jinja2 templates.

- `pep`: «Соглашение о порядке использования простой электронной подписи» — without it a
  wallet signature is not a simple electronic signature (63-ФЗ art. 9 part 2: a ПЭП needs an
  agreement between the parties that sets how the signer is identified).
- `personal_data`: the consent to personal data processing (152-ФЗ art. 9).

A version is rendered deterministically from the cooperative's data (name, charter, registry,
chain id), its number and the date it takes effect: the same inputs give the same bytes, so the
anchored SHA-256 can be recomputed by anyone. Acceptance is the member's EIP-712 signature of that
hash in DocumentRegistry (`signWithSig`, relayed), which the mirror indexes (`DocumentSigned`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

AgreementKind = Literal["pep", "personal_data"]


@dataclass(frozen=True)
class Agreement:
    kind: AgreementKind
    template: str
    title_ru: str
    title_en: str


AGREEMENTS: dict[str, Agreement] = {
    a.kind: a
    for a in (
        Agreement(
            "pep",
            "agreement_pep.html.j2",
            "Соглашение о порядке использования простой электронной подписи",
            "Simple electronic signature agreement",
        ),
        Agreement(
            "personal_data",
            "consent_personal_data.html.j2",
            "Согласие на обработку персональных данных",
            "Consent to personal data processing",
        ),
    )
}

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(enabled_extensions=("j2", "html")),
    undefined=StrictUndefined,  # a missing field is an error, never a silent blank
    keep_trailing_newline=True,
)
_FIELDS = ("cooperative_name", "charter", "registry", "chain_id", "version", "effective_date")


def render_agreement(kind: str, ctx: Mapping[str, Any]) -> bytes:
    """The agreement's version as UTF-8 HTML (deterministic for the same `ctx`).

    `ctx` needs cooperative_name, charter, registry, chain_id, version, effective_date."""
    agreement = AGREEMENTS[kind]
    missing = [f for f in _FIELDS if f not in ctx]
    if missing:
        raise ValueError(f"agreement {kind}: missing {', '.join(missing)}")
    html = _ENV.get_template(agreement.template).render({f: ctx[f] for f in _FIELDS})
    return html.encode("utf-8")
