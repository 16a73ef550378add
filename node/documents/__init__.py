"""The cooperative's documents: PDF/A-3b made from the chain's facts with Jinja2 templates a
cooperative can change (kept by version), and a content-addressed file store."""

from node.documents.kinds import KINDS
from node.documents.store import DocumentStore, sha256_hex
from node.documents.template_store import TemplateStore

__all__ = ["KINDS", "DocumentStore", "TemplateStore", "sha256_hex"]
