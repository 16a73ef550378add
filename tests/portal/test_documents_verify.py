"""A generated PDF/A document, anchored, then checked by a visitor on the portal's verify page
(real Chromium): the browser hashes the PDF itself and finds the anchor."""

from __future__ import annotations

import hashlib

from playwright.sync_api import FilePayload, expect

from tests.api.conftest import Api
from tests.portal.conftest import Portal


def test_generated_pdf_verified_in_the_browser(portal: Portal, api: Api) -> None:
    sb = api.sandbox
    member = sb.members[1]
    doc = api.ok(
        api.post(
            member,
            "/documents/generate",
            json={
                "template": "council_decision",
                "date": "2026-12-05",
                "fields": {"agenda": "Проверка документа", "decision": "Закрепить в реестре"},
            },
        ),
        201,
    )
    pdf = api.get(member, f"/documents/{doc['sha256']}").content
    assert pdf.startswith(b"%PDF-1.7") and hashlib.sha256(pdf).hexdigest() == doc["sha256"]
    done = api.act(member, f"/documents/{doc['sha256']}/anchor/tx", {"document_type": "other"})
    assert done["status"] == "indexed", done

    page = portal.open(None, route="verify")
    portal.go(page, "verify")
    portal.requests.clear()
    payload: FilePayload = {"name": "решение.pdf", "mimeType": "application/pdf", "buffer": pdf}
    page.set_input_files("#verify-file", files=[payload])
    result = page.locator("#verify-result")
    expect(result).to_have_attribute("data-anchored", "true")
    expect(result.locator("[data-testid=sha256]")).to_have_text(doc["sha256"])
    expect(result.locator("[data-testid=anchored-by]")).to_have_text(member.address)
    # The PDF never left the browser: only its hash was asked about.
    for _method, _url, body in portal.requests:
        assert body is None or pdf[1000:1100] not in body
    assert any(url.endswith(f"/audit/documents/{doc['sha256']}") for _, url, _ in portal.requests)

    # A copy changed by one byte is not the anchored document.
    page.set_input_files(
        "#verify-file",
        files=[{"name": "копия.pdf", "mimeType": "application/pdf", "buffer": pdf + b"\n"}],
    )
    expect(result).to_have_attribute("data-anchored", "false")
