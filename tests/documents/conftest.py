"""A small real PDF for sealing tests (pyHanko's writer: one blank A4 page with a line of
text); the PDF/A renderer is tested on its own."""

from __future__ import annotations

from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter


def blank_pdf(text: str = "Protocol No. 1") -> bytes:
    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            }
        )
    )
    stream = generic.StreamObject(stream_data=f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode())
    page = PageObject(
        contents=writer.add_object(stream),
        media_box=generic.ArrayObject([generic.NumberObject(x) for x in (0, 0, 595, 842)]),
        resources=generic.DictionaryObject(
            {
                generic.NameObject("/Font"): generic.DictionaryObject(
                    {generic.NameObject("/F1"): font}
                )
            }
        ),
    )
    writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def pdf() -> bytes:
    return blank_pdf()
