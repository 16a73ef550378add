"""The gateway's /programs over real HTTP (its own anvil, indexer and uvicorn): the terms as a
generated document, a council decision drafted from typed fields, a member joining by a relayed
signature, contributing and leaving with their part through transactions to sign, the parts
read from the mirror and the chain; and a program's exchange scope: its offers seen and ordered
by its members only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from node.fund import CouncilSigners
from node.governance.client import Action
from node.programs import install_programs
from tests.api.conftest import Api, running_gateway

TOKEN = 10**18


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_gateway(tmp_path_factory.mktemp("programs"), with_modules=False) as running:
        sb = running.sandbox
        record = install_programs(
            running.chain,
            sb.deployer,
            sb.cooperative.addresses.to_dict(),
            council=CouncilSigners(sb.council[0], sb.council[:2], sb.chair),
        )
        running.gateway.record["target_programs"] = record["target_programs"]
        for m in sb.members:
            running.chain.transact(
                sb.cooperative.token.functions.mint(m.address, 1_000 * TOKEN), sb.deployer
            )
        yield running


def _decide(api: Api, draft: dict) -> None:
    """Run a drafted decision's actions as a council item (proposed, voted, signed, executed)."""
    sb = api.sandbox
    actions = [Action(a["target"], bytes.fromhex(a["data"][2:])) for a in draft["actions"]]
    sb.governance.council.decide(
        sb.council[0], sb.council[:2], sb.chair, bytes.fromhex(draft["document"]), actions
    )


def test_program_through_the_gateway(api: Api, tmp_path: Path) -> None:
    sb = api.sandbox
    officer, (alice, bob, carol) = sb.council[0], sb.members[:3]
    terms = api.ok(
        api.post(
            officer,
            "/documents/generate",
            json={
                "template": "program_terms",
                "fields": {"purpose": "Общая теплица", "contributions": "по 100 ₽"},
            },
        ),
        201,
    )["sha256"]
    bad = api.post(
        officer,
        "/council/decisions",
        json={"kind": "program_spend", "program_id": 1, "to": alice.address, "amount": "1"},
    )
    assert bad.status_code == 422, bad.text  # no such program yet
    draft = api.ok(
        api.post(
            officer,
            "/council/decisions",
            json={"kind": "program_create", "purpose": "Общая теплица", "terms": "0x" + terms},
        )
    )
    assert [a["function"] for a in draft["actions"]] == ["createProgram"]
    _decide(api, draft)

    # Alice joins by a signature the gateway relays; Bob by his own transaction.
    typed = api.ok(api.post(alice, "/programs/1/join/typed-data", json={}))
    assert typed["typed_data"]["message"]["terms"] == "0x" + terms
    sig = api.sign_typed(alice, typed["typed_data"])
    relayed = api.ok(
        api.post(
            alice,
            "/programs/1/join",
            json={"deadline": typed["typed_data"]["message"]["deadline"], "signature": sig},
        ),
        202,
    )
    assert api.wait(alice, relayed["id"])["status"] == "indexed"
    assert api.act(bob, "/programs/1/join/tx")["status"] == "indexed"
    for m, amount in ((alice, 300), (bob, 100)):
        api.act(m, "/programs/approval/tx", {"amount": str(amount * TOKEN)})
        done = api.act(m, "/programs/1/contributions/tx", {"amount": str(amount * TOKEN)})
        assert done["status"] == "indexed", done
    # Carol is not in it: her contribution is refused before she signs anything.
    refused = api.post(carol, "/programs/1/contributions/tx", json={"amount": "1"})
    assert refused.status_code == 422 and "TargetProgramsNotJoined" in refused.text

    # Spending more than the program holds is refused in the draft; within it, it passes.
    over = api.post(
        officer,
        "/council/decisions",
        json={
            "kind": "program_spend",
            "program_id": 1,
            "to": carol.address,
            "amount": str(401 * TOKEN),
        },
    )
    assert over.status_code == 422, over.text
    _decide(
        api,
        api.ok(
            api.post(
                officer,
                "/council/decisions",
                json={
                    "kind": "program_spend",
                    "program_id": 1,
                    "to": carol.address,
                    "amount": str(100 * TOKEN),
                },
            )
        ),
    )
    api.synced()
    listed = api.ok(api.get(carol, "/programs"))["data"]
    assert [(p["purpose"], p["balance"], p["members"]) for p in listed] == [
        ("Общая теплица", str(300 * TOKEN), 2)
    ]
    parts = {m["account"]: m["part"] for m in api.ok(api.get(carol, "/programs/1/members"))["data"]}
    assert parts == {alice.address: str(225 * TOKEN), bob.address: str(75 * TOKEN)}
    mine = api.ok(api.get(alice, "/programs/mine"))["data"]
    assert [m["part"] for m in mine] == [str(225 * TOKEN)]
    now = api.ok(api.get(bob, f"/programs/1/members/{bob.address}"))
    assert now["part"] == str(75 * TOKEN) and now["joined"] is True

    # The program's exchange scope.
    offer = {
        "title": "Рассада",
        "category": "растения",
        "price": "1",
        "quantity": 5,
        "program_id": 1,
    }
    own = api.ok(api.post(alice, "/offers", json=offer), 201)
    assert own["program_id"] == 1
    assert api.post(carol, "/offers", json=offer).status_code == 403
    assert api.get(carol, "/offers", params={"program": 1}).status_code == 403
    assert own["id"] not in {o["id"] for o in api.ok(api.get(carol, "/offers"))["data"]}
    assert [o["id"] for o in api.ok(api.get(bob, "/offers", params={"program": 1}))["data"]] == [
        own["id"]
    ]
    assert api.get(carol, f"/offers/{own['id']}").status_code == 404
    assert (
        api.post(carol, "/orders", json={"offer_id": own["id"], "quantity": 1}).status_code == 403
    )
    api.ok(api.post(bob, "/orders", json={"offer_id": own["id"], "quantity": 1}), 201)

    # Bob leaves with exactly his part.
    token = sb.cooperative.token.functions
    before = token.balanceOf(bob.address).call()
    assert api.act(bob, "/programs/1/leave/tx")["status"] == "indexed"
    assert token.balanceOf(bob.address).call() - before == 75 * TOKEN
