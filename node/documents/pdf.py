"""Documents as PDF/A-3b: a Jinja2 template bundle and the facts it states -> PDF bytes.

Deterministic: the same facts and the same bundle give the same bytes (no clock is read, the
PDF's dates are the document's date, its /ID is derived from the content, and the only fonts are
Debian's DejaVu files named by path). The facts travel inside the PDF as `source.json`
(AFRelationship /Source), with the kind and the bundle's SHA-256, so anyone holding the PDF can
regenerate it (`regenerate`) and compare the SHA-256 with the one anchored on chain. The bytes
also depend on the renderer (WeasyPrint, pinned in constraints.txt, on Debian's Pango): the
source names the WeasyPrint version that made it.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, DictLoader
from jinja2.sandbox import SandboxedEnvironment

from node.documents.kinds import KINDS
from node.documents.template_store import Bundle, TemplateStore

FORMAT = "coopnode-document/1"
SOURCE_NAME = "source.json"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONTS_CONF = Path(__file__).parent / "fonts.conf"
# Fontconfig reads this when Pango first asks for a font: only DejaVu is ever seen.
os.environ["FONTCONFIG_FILE"] = str(_FONTS_CONF)


class DocumentSourceError(ValueError):
    """The PDF carries no (valid) source, or its template bundle is unknown."""


class _Dash(ChainableUndefined):
    """A fact the template asks for and the facts lack prints as a dash, visibly."""

    def __str__(self) -> str:
        return "—"


def _missing(value: Any) -> bool:
    return value is None or value == "" or isinstance(value, ChainableUndefined)


# The filters never raise: a value they cannot read prints as it is (a document is still made,
# and shows what it was given).


def _decimal(value: Any, decimals: int = 18) -> str:
    """Base units as a decimal amount with two places, thin-spaced thousands."""
    if _missing(value):
        return "—"
    try:
        amount = Decimal(int(value)) / (Decimal(10) ** decimals)
    except (TypeError, ValueError):
        return str(value)
    return f"{amount:,.2f}".replace(",", "\u00a0")


def _ru_date(value: Any) -> str:
    """ISO date -> ДД.ММ.ГГГГ."""
    if _missing(value):
        return "—"
    text = str(value)
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:10]}.{text[5:7]}.{text[0:4]}"
    return text


def _from_unix(value: Any, fmt: str) -> str:
    if _missing(value) or value == 0:
        return "—"
    try:
        return datetime.fromtimestamp(int(value), UTC).strftime(fmt)
    except (TypeError, ValueError, OverflowError, OSError):
        return str(value)


def _ru_datetime(value: Any) -> str:
    return _from_unix(value, "%d.%m.%Y %H:%M UTC")


def _ru_date_ts(value: Any) -> str:
    return _from_unix(value, "%d.%m.%Y")


def _bps(value: Any) -> str:
    if _missing(value):
        return "—"
    try:
        return f"{Decimal(int(value)) / 100:.2f}".rstrip("0").rstrip(".") + " %"
    except (TypeError, ValueError):
        return str(value)


VOTES = ("против / against", "за / for", "воздержался / abstain")
"""A council vote's `support` and a ballot's choice, as `VoteType` numbers them."""


def _vote(value: Any) -> str:
    if isinstance(value, int) and 0 <= value < len(VOTES):
        return VOTES[value]
    return "—"


def _environment(bundle: Bundle) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=DictLoader(bundle.files), autoescape=True, undefined=_Dash, auto_reload=False
    )
    env.filters.update(
        amount=_decimal,
        ru_date=_ru_date,
        ru_datetime=_ru_datetime,
        ru_date_ts=_ru_date_ts,
        bps=_bps,
        vote=_vote,
    )
    return env


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _plain(value: Any) -> Any:
    """Facts as JSON has them (tuples to lists, big ints kept): what the source will hold."""
    return json.loads(canonical_json(value))


def render_html(kind: str, facts: Mapping[str, Any], bundle: Bundle) -> str:
    ctx = {**facts, "kind": kind}
    return _environment(bundle).get_template(bundle.template).render(**ctx)


def _weasyprint_version() -> str:
    import weasyprint

    return str(weasyprint.__version__)


def source_of(kind: str, facts: Mapping[str, Any], bundle: Bundle) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "kind": kind,
        "template": {"name": bundle.template, "sha256": bundle.sha256},
        "renderer": f"WeasyPrint {_weasyprint_version()}",
        "facts": _plain(dict(facts)),
    }


def _document_time(facts: Mapping[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(str(facts.get("date"))[:10]).replace(tzinfo=UTC)
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=UTC)


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    allowed = {f"file://{p}" for p in FONT_DIR.glob("*.ttf")}

    class FontsOnly(URLFetcher):
        """A template reaches the DejaVu font files and nothing else (no network, no files)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url not in allowed:
                raise ValueError(f"documents load nothing but the fonts: {url}")
            return super().fetch(url, headers)

    return FontsOnly()


def _one_af_entry(document: Any, pdf: Any) -> None:
    """WeasyPrint lists the attachment twice in the catalog's /AF: once is what PDF/A-3 wants."""
    af = pdf.catalog.get("AF")
    if af:
        unique = list(dict.fromkeys(af))
        af.clear()
        af.extend(unique)


def render(kind: str, facts: Mapping[str, Any], bundle: Bundle) -> bytes:
    """The document as PDF/A-3b bytes with its source attached (deterministic)."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    from weasyprint import HTML, Attachment

    source = source_of(kind, facts, bundle)
    html = render_html(kind, source["facts"], bundle)
    when = _document_time(source["facts"]).replace(tzinfo=None)
    attachment = Attachment(
        string=canonical_json(source),
        name=SOURCE_NAME,
        description="Сведения документа (JSON) / The document's facts",
        created=when,
        modified=when,
        relationship="Source",
    )
    out = HTML(string=html, url_fetcher=_fetcher()).write_pdf(
        pdf_variant="pdf/a-3b", attachments=[attachment], finisher=_one_af_entry
    )
    assert isinstance(out, bytes)
    return out


def make(store: TemplateStore, kind: str, facts: Mapping[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """Render `kind` with today's template bundle (kept in `store`); returns (pdf, source)."""
    bundle = store.current(KINDS[kind].template)
    pdf = render(kind, facts, bundle)
    return pdf, source_of(kind, facts, bundle)


def read_source(pdf: bytes) -> dict[str, Any]:
    """The source embedded in a document made here (kind, template hash, facts)."""
    from pypdf import PdfReader

    try:
        blobs = PdfReader(io.BytesIO(pdf)).attachments.get(SOURCE_NAME)
    except Exception as exc:  # a hostile or broken file: pypdf raises many kinds of errors
        raise DocumentSourceError(f"not a readable PDF: {exc}") from exc
    if not blobs:
        raise DocumentSourceError("the PDF carries no source.json")
    try:
        source = json.loads(blobs[0])
    except ValueError as exc:
        raise DocumentSourceError("source.json is not JSON") from exc
    if not isinstance(source, dict) or source.get("format") != FORMAT:
        raise DocumentSourceError("source.json is not a Coopnode document source")
    return source


def regenerate(pdf: bytes, store: TemplateStore) -> bytes:
    """Make the document again from its own source and the template version it names."""
    source = read_source(pdf)
    template = source.get("template")
    digest = str(template.get("sha256", "")) if isinstance(template, dict) else ""
    kind, facts = source.get("kind"), source.get("facts")
    if kind not in KINDS or not isinstance(facts, dict):
        raise DocumentSourceError("source.json names no known kind or has no facts")
    bundle = store.get(digest)
    if bundle is None:
        raise DocumentSourceError(f"template bundle {digest} is not known here")
    try:
        return render(str(kind), facts, bundle)
    except Exception as exc:  # facts that no template of ours would have been given
        raise DocumentSourceError(f"the source does not render: {exc}") from exc
