"""Reading a generated document back as a reader would: its text, its PDF/A identification,
its embedded source. pypdf only: no part of the code under test."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The document's text, whitespace collapsed (a table cell may wrap anywhere)."""
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def pdfa_markers(pdf: bytes) -> dict[str, Any]:
    """XMP `pdfaid:part`/`conformance`, the catalog's /AF entries and their relationships, the
    embedded file names and the fonts (each embedded: a FontFile2 stream)."""
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata
    raw = xmp.stream.get_data().decode() if xmp is not None else ""
    part = re.search(r'pdfaid:part="(\d)"', raw)
    conformance = re.search(r'pdfaid:conformance="(\w)"', raw)
    root = reader.trailer["/Root"]
    af = [a.get_object() for a in root.get("/AF", [])]
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None:
                desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            desc = desc.get_object()
            fonts[str(font["/BaseFont"])] = "/FontFile2" in desc or "/FontFile3" in desc
    return {
        "part": part.group(1) if part else None,
        "conformance": conformance.group(1) if conformance else None,
        "af": [(str(a["/F"]), str(a.get("/AFRelationship"))) for a in af],
        "attachments": sorted(reader.attachments),
        "fonts": fonts,
        "version": reader.pdf_header,
    }


def embedded_source(pdf: bytes) -> dict[str, Any]:
    reader = PdfReader(io.BytesIO(pdf))
    blob = reader.attachments["source.json"][0]
    source: dict[str, Any] = json.loads(blob)
    return source
