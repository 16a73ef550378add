"""The cooperative's documents: PDF/A-3b made from the chain's facts with Jinja2 templates a
cooperative can change (kept by version), and a content-addressed file store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from node.documents.kinds import KINDS
    from node.documents.store import DocumentStore, sha256_hex
    from node.documents.template_store import TemplateStore

__all__ = ["KINDS", "DocumentStore", "TemplateStore", "sha256_hex"]

_HOME = {
    "KINDS": "kinds",
    "DocumentStore": "store",
    "sha256_hex": "store",
    "TemplateStore": "template_store",
}


def __getattr__(name: str) -> Any:
    # Lazy (PEP 562): `coop --help` registers `coop signatures` from this package and must not
    # load cryptography, pydantic or WeasyPrint; `from node.documents import KINDS` still works.
    if name in _HOME:
        from importlib import import_module

        return getattr(import_module(f"node.documents.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
