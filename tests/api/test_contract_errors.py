"""Every custom error a contract can raise has a Russian text, and a refusal reaches the member
as that text (with the English notice and the error's name), not as a bare identifier."""

from __future__ import annotations

from pathlib import Path

from node.api.contract_errors import RU, explain
from node.chain.artifacts import Artifacts
from tests.api.conftest import Api

BUILD = Path(__file__).resolve().parents[2] / ".build" / "__local__.json"


def test_every_custom_error_has_a_russian_text() -> None:
    art = Artifacts(BUILD)
    names = {
        item["name"]
        for contract in art.names()
        if not contract.startswith("Test")
        for item in art.get(contract).errors()
    }
    missing = sorted(n for n in names if n not in RU)
    assert not missing, f"custom errors without a Russian text: {missing}"
    assert all(RU[n].strip() and " / " not in RU[n] for n in names)
    ru, en = explain("CouncilNotMember")
    assert ru == "Вы не член действующего совета"
    assert en is not None and "council" in en


def test_a_refusal_reads_in_russian(api: Api) -> None:
    sb = api.sandbox
    outsider = sb.members[1]  # not on the council: the council contract refuses the vote
    r = api.post(outsider, "/council/items/1/votes/tx", json={"support": 1})
    assert r.status_code == 422, r.text
    body = r.json()
    ru, _ = explain(body["error"])
    assert ru is not None and ru in body["detail"]
    assert body["detail"].startswith("Контракт отклонил действие: ")
    assert f"({body['error']}(" in body["detail"]
