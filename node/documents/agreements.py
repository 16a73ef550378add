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
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from node.documents.template_store import TemplateStore

AgreementKind = Literal["pep", "personal_data"]


@dataclass(frozen=True)
class Agreement:
    kind: AgreementKind
    document_kind: str
    """Its kind in `node.documents.kinds` (the template and how it is anchored)."""
    title_ru: str
    title_en: str

    @property
    def template(self) -> str:
        from node.documents.kinds import KINDS

        return KINDS[self.document_kind].template


AGREEMENTS: dict[str, Agreement] = {
    a.kind: a
    for a in (
        Agreement(
            "pep",
            "agreement_pep",
            "Соглашение о порядке использования простой электронной подписи",
            "Simple electronic signature agreement",
        ),
        Agreement(
            "personal_data",
            "consent_personal_data",
            "Согласие на обработку персональных данных",
            "Consent to personal data processing",
        ),
    )
}

_FIELDS = ("cooperative_name", "charter", "registry", "chain_id", "version", "effective_date")


def agreement_facts(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """The facts an agreement's version states (embedded in its PDF as `source.json`).

    `ctx` needs cooperative_name, charter, registry, chain_id, version, effective_date; the
    document is dated the day the version takes effect, so the same inputs give the same bytes."""
    missing = [f for f in _FIELDS if f not in ctx]
    if missing:
        raise ValueError(f"agreement: missing {', '.join(missing)}")
    return {
        "cooperative": {
            "name": str(ctx["cooperative_name"]),
            "charter": str(ctx["charter"]),
            "chain_id": int(ctx["chain_id"]),
        },
        "date": str(ctx["effective_date"]),
        "registry": str(ctx["registry"]),
        "version": int(ctx["version"]),
        "effective_date": str(ctx["effective_date"]),
    }


def render_agreement(kind: str, ctx: Mapping[str, Any], store: TemplateStore) -> bytes:
    """The agreement's version as PDF/A-3b (deterministic for the same `ctx` and template)."""
    from node.documents.pdf import make

    pdf, _source = make(store, AGREEMENTS[kind].document_kind, agreement_facts(ctx))
    return pdf
