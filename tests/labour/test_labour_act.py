"""The results act («акт о результатах труда») renders from its facts, states the valuation the
register computes, and regenerates byte for byte (no chain needed here)."""

from __future__ import annotations

from pathlib import Path

from node.documents import facts
from node.documents.pdf import make, read_source
from node.documents.template_store import TemplateStore
from node.labour import Unit, valuation
from tests.documents.pdfcheck import pdf_text

TOKEN = 10**18


def test_labour_act_states_the_valuation(tmp_path: Path) -> None:
    price = 500 * TOKEN
    rate = {"rate_id": 1, "price": price, "unit": 0, "document": "0x" + "12" * 32}
    value = valuation(price, Unit.HOUR, 4_050)
    body = {
        **facts.header(facts.cooperative("ПА «Артель»", "0x" + "ab" * 20, 31337), "2026-12-05"),
        **facts.labour_act(
            "0x" + "01" * 20,
            "Иванова А. А.",
            "0x" + "cd" * 20,
            rate,
            20264,
            4_050,
            "Чертежи узла крепления",
            "Комплект чертежей, 12 листов",
            value,
        ),
    }
    pdf, source = make(TemplateStore(tmp_path / "a"), "labour_act", body)
    text = pdf_text(pdf).replace(" ", "\u00a0")
    assert "Акт\u00a0о\u00a0результатах\u00a0труда" in text
    assert "40.50\u00a0ч" in text and "20\u00a0250.00" in text
    assert read_source(pdf)["facts"] == body == source["facts"]
    again, _ = make(TemplateStore(tmp_path / "b"), "labour_act", body)
    assert again == pdf
