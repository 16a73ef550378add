"""Templates are files a cooperative changes; a document made before a change still
regenerates byte for byte from the template version it names (no chain needed here)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from node.documents.pdf import DocumentSourceError, make, read_source, regenerate, render
from node.documents.template_store import SHIPPED, TemplateStore
from tests.documents.pdfcheck import embedded_source, pdf_text, pdfa_markers

FACTS = {
    "date": "2026-11-30",
    "cooperative": {"name": "ПК «Рассвет»", "charter": "0x" + "ab" * 20, "chain_id": 31337},
    "chair": "0x" + "cd" * 20,
    "meeting": {
        "meeting_id": 7,
        "opens_at": 1_790_000_000,
        "closes_at": 1_790_600_000,
        "eligible": 3,
        "participants": 2,
        "quorum_bps": 5000,
        "quorum_reached": True,
        "chair": "0x" + "cd" * 20,
        "secretary": "0x" + "ef" * 20,
        "questions": [
            {
                "text": "Утвердить годовой отчёт",
                "document_hash": "0x" + "11" * 32,
                "for_votes": 2,
                "against_votes": 0,
                "abstain_votes": 0,
                "accepted": True,
            }
        ],
        "ballots": [
            {"voter": "0x" + "01" * 20, "choices": [1], "by_signature": True, "block": 10},
            {"voter": "0x" + "02" * 20, "choices": [1], "by_signature": False, "block": 11},
        ],
    },
}


def test_same_facts_same_bytes(tmp_path: Path) -> None:
    store = TemplateStore(tmp_path / "bundles")
    first, source = make(store, "meeting_protocol", FACTS)
    second, _ = make(TemplateStore(tmp_path / "other"), "meeting_protocol", FACTS)
    assert first == second
    assert embedded_source(first) == source == read_source(first)
    assert source["facts"] == FACTS
    assert "Утвердить годовой отчёт" in pdf_text(first)
    changed = {**FACTS, "date": "2026-12-01"}
    assert make(store, "meeting_protocol", changed)[0] != first


def test_template_change_keeps_old_documents(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    store = TemplateStore(tmp_path / "bundles", override=own)
    old, old_source = make(store, "meeting_protocol", FACTS)

    # The cooperative rewrites the protocol's wording and its stylesheet.
    text = (SHIPPED / "meeting_protocol.html.j2").read_text("utf-8")
    (own / "meeting_protocol.html.j2").write_text(
        text.replace("Список проголосовавших", "Пайщики, принявшие участие"), "utf-8"
    )
    shutil.copy(SHIPPED / "style.css", own / "style.css")
    with (own / "style.css").open("a", encoding="utf-8") as fh:
        fh.write("\nh1 { font-size: 16pt; }\n")
    new, new_source = make(store, "meeting_protocol", FACTS)
    assert new != old
    assert new_source["template"]["sha256"] != old_source["template"]["sha256"]
    assert "Пайщики, принявшие участие" in pdf_text(new)
    assert "Список проголосовавших" in pdf_text(old)

    # The old document names its own version: it regenerates byte for byte, also from a
    # fresh store that only has the kept versions on disk.
    assert regenerate(old, store) == old
    reopened = TemplateStore(tmp_path / "bundles", override=own)
    assert regenerate(old, reopened) == old
    assert regenerate(new, reopened) == new

    # Without that version the document cannot be regenerated, and says so.
    with pytest.raises(DocumentSourceError):
        regenerate(old, TemplateStore(tmp_path / "empty"))


def test_kept_bundle_tampering_is_detected(tmp_path: Path) -> None:
    store = TemplateStore(tmp_path / "bundles")
    pdf, source = make(store, "meeting_protocol", FACTS)
    digest = source["template"]["sha256"]
    path = tmp_path / "bundles" / f"{digest}.json"
    path.write_bytes(path.read_bytes().replace("Протокол".encode(), "Протакол".encode()))
    with pytest.raises(DocumentSourceError):
        regenerate(pdf, TemplateStore(tmp_path / "bundles"))
    assert hashlib.sha256(path.read_bytes()).hexdigest() != digest


def test_templates_reach_no_files_but_the_fonts(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("секрет", "utf-8")
    text = (SHIPPED / "meeting_protocol.html.j2").read_text("utf-8")
    (own / "meeting_protocol.html.j2").write_text(
        text.replace(
            "{% block body %}",
            f'{{% block body %}}<img src="file://{secret}"><iframe src="file://{secret}"></iframe>',
        ),
        "utf-8",
    )
    store = TemplateStore(tmp_path / "bundles", override=own)
    pdf, _ = make(store, "meeting_protocol", FACTS)
    assert "секрет" not in pdf_text(pdf)
    assert pdfa_markers(pdf)["attachments"] == ["source.json"]


def test_sandbox_refuses_unsafe_template(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    (own / "meeting_protocol.html.j2").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}", "utf-8"
    )
    store = TemplateStore(tmp_path / "bundles", override=own)
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        render("meeting_protocol", FACTS, store.current("meeting_protocol.html.j2"))


def test_same_bytes_in_another_process(tmp_path: Path) -> None:
    """Another process (another hash seed, another working directory) makes the same bytes:
    what an outsider regenerating the document does."""
    import json
    import os
    import subprocess
    import sys

    pdf, _ = make(TemplateStore(tmp_path / "here"), "meeting_protocol", FACTS)
    script = (
        "import hashlib, json, sys\n"
        "from pathlib import Path\n"
        "from node.documents.pdf import make\n"
        "from node.documents.template_store import TemplateStore\n"
        "facts = json.loads(sys.argv[1])\n"
        "pdf, _ = make(TemplateStore(Path(sys.argv[2])), 'meeting_protocol', facts)\n"
        "print(hashlib.sha256(pdf).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(FACTS), str(tmp_path / "there")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.strip() == hashlib.sha256(pdf).hexdigest()


def test_disposal_act_names_the_counterparty(tmp_path: Path) -> None:
    """The property act of a disposal: the cooperative hands the asset to the counterparty."""
    facts = {
        "date": "2026-11-30",
        "cooperative": FACTS["cooperative"],
        "chair": "0x" + "cd" * 20,
        "direction": "disposal",
        "party": {"account": "0x" + "77" * 20, "name": "ООО «Покупатель»"},
        "asset": {
            "token_id": 3,
            "title": "0x" + "aa" * 32,
            "category_name": "vehicle",
            "valuation": str(500_000 * 10**18),
            "custodian": "0x" + "66" * 20,
            "encumbered": False,
            "disposal_name": "продажа / sale",
            "disposal_amount": str(450_000 * 10**18),
        },
    }
    pdf, _ = make(TemplateStore(tmp_path / "bundles"), "property_act", facts)
    text = pdf_text(pdf)
    assert "(disposal)" in text and "продажа / sale" in text
    assert "ООО «Покупатель»" in text and "450\u00a0000.00" in text.replace(" ", "\u00a0")
