"""The /labour routes over real HTTP (a gateway of its own: anvil, indexer, uvicorn): a member
makes and records a results act, cannot approve it themself, the approver does; a meeting's
distribution is credited through the gateway and every part shown beside its recomputation;
the member claims the payout."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from node.chain.devkeys import dev_accounts
from node.governance.sandbox import h
from node.labour import (
    Basis,
    Form,
    LabourRegister,
    Terms,
    Unit,
    deploy_installer,
    install_action,
    predict_register,
)
from tests.api.conftest import Api, running_gateway
from tests.labour.conftest import council_decides, meeting_decides

TOKEN = 10**18
PERIOD = 20271


@pytest.fixture(scope="module")
def labour_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_gateway(tmp_path_factory.mktemp("labour-gw"), with_modules=False) as api:
        yield api


def test_labour_routes(labour_api: Api) -> None:
    api, sb = labour_api, labour_api.sandbox
    member, other = sb.members[0], sb.members[1]
    approver = dev_accounts(10)[5]
    assert api.get(member, "/labour").status_code == 404

    installer = deploy_installer(api.chain, sb.deployer)["installer"]
    charter = sb.cooperative.addresses.charter
    reg = LabourRegister(api.chain, predict_register(api.chain, installer, charter))
    council_decides(
        sb,
        [
            install_action(api.chain, installer, charter, False),
            reg.set_rate_action(0, 400 * TOKEN, Unit.HOUR, True, h("rate")),
            reg.set_approver_action(approver.address),
        ],
        "labour register",
    )
    api.synced()
    overview = api.ok(api.get(member, "/labour"))
    assert overview["contract"] == reg.address
    assert overview["rates"] == [
        {
            "rate_id": 1,
            "price": str(400 * TOKEN),
            "unit": "hour",
            "active": True,
            "document": "0x" + h("rate").hex(),
        }
    ]

    # Acts: a refused one stores nothing; a good one gives the record and anchor transactions.
    bad = api.post(
        member,
        "/labour/acts",
        json={"rate_id": 7, "period": PERIOD, "quantity": 1, "task": "t", "result": "r"},
    )
    assert bad.status_code == 422, bad.text
    acts = []
    for who, hours in ((member, 1_250), (other, 750)):
        act = api.ok(
            api.post(
                who,
                "/labour/acts",
                json={
                    "rate_id": 1,
                    "period": PERIOD,
                    "quantity": hours,
                    "task": "Монтаж стенда",
                    "result": "Стенд собран и принят",
                },
            )
        )
        assert act["value"] == str(400 * TOKEN * hours // 100)
        got = api.get(who, f"/documents/{act['act_sha256']}")
        assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
        assert api.wait(who, api.sign_and_relay(who, act["anchor"]))["status"] == "indexed"
        assert api.wait(who, api.sign_and_relay(who, act["record"]))["status"] == "indexed"
        acts.append(act)
    queue = api.ok(api.get(approver, "/labour/records", params={"status": "recorded"}))
    assert queue["count"] == 2
    assert queue["data"][0]["act"] == "0x" + acts[0]["act_sha256"]

    # Self-approval and a non-approver are refused at simulation, with the Russian text.
    council_decides(sb, [reg.set_approver_action(member.address)], "member approves too")
    api.synced()
    refused = api.post(member, "/labour/records/1/approval/tx", json={"use": "points"})
    assert refused.status_code == 422 and "собственную" in refused.text, refused.text
    assert api.post(other, "/labour/records/1/approval/tx", json={}).status_code == 422
    for rid in (1, 2):
        done = api.act(approver, f"/labour/records/{rid}/approval/tx", {"use": "points"})
        assert done["status"] == "indexed", done
    mine = api.ok(api.get(member, f"/labour/members/{member.address}"))
    assert [r["status"] for r in mine["records"]] == ["points"]

    # The meeting distributes 1,000 tokens + 1 wei; the gateway runs the batch.
    terms = Terms(PERIOD, Basis.LABOUR, Form.PAYOUT, 1_000 * TOKEN + 1)
    doc = h("protocol: labour surplus")
    meeting_id = meeting_decides(sb, [reg.distribution_question(terms, doc)], "labour surplus")
    did, _ = reg.approve_distribution(member, terms, doc, meeting_id, 0)
    token = sb.cooperative.token
    api.chain.transact(token.functions.mint(reg.address, terms.surplus), sb.deployer)
    reg.fund_distribution(member, did)
    assert api.act(other, f"/labour/distributions/{did}/batch/tx", {"count": 10})["status"] == (
        "indexed"
    )
    detail = api.ok(api.get(member, f"/labour/distributions/{did}"))["distribution"]
    assert detail["completed"] and detail["credited"] == str(terms.surplus)
    parts = {p["member"]: p for p in detail["parts"]}
    assert parts[member.address]["part"] == parts[member.address]["recomputed"]
    assert int(parts[member.address]["part"]) == terms.surplus * 1_250 // 2_000
    assert int(parts[other.address]["part"]) == terms.surplus - terms.surplus * 1_250 // 2_000
    assert api.act(member, "/labour/claim/tx")["status"] == "indexed"
    assert api.post(member, "/labour/claim/tx").status_code == 422
    listed = api.ok(api.get(member, "/labour/distributions"))
    assert listed["count"] == 1
