"""The cooperative's documents: templates rendered to HTML, a content-addressed file store."""

from node.documents.store import DocumentStore, sha256_hex
from node.documents.templates import TEMPLATES, render

__all__ = ["TEMPLATES", "DocumentStore", "render", "sha256_hex"]
