"""Cross-cooperative trade through a union, end to end over HTTP and anvil.

Two governed cooperatives («Поле» and «Лес») are members of a union through their treasuries
(joined by decision, as in the demo). Each runs its own gateway (own members, council, relayer
and document store) over one exchange database and one indexer mirror, as the union's
cooperatives do. A member of «Поле» finds an offer of a member of «Лес» (`scope=union`),
orders it; «Лес»'s council invoices «Поле» in the union's ВРЕ; «Поле»'s council accepts the
invoice (the delivery is received) and pays it; the order follows the chain to completed on
both gateways.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlmodel import Session

from indexer.config import IndexerSettings
from indexer.run import Indexer
from node.api.main import create_app
from node.chain.anvil import Anvil
from node.chain.artifacts import Artifacts
from node.chain.client import Chain
from node.chain.devkeys import dev_accounts
from node.cooperative.client import Cooperative, CooperativeKind
from node.cooperative.deploy import deploy_network, deploy_test_token
from node.cooperative.union import join_union
from node.core.config import Settings
from node.exchange import service
from node.governance.client import Governance
from node.governance.deploy import GovernanceParams, deploy_governance
from node.governance.sandbox import (
    Sandbox,
    apply_ready,
    fund,
    generated_accounts,
    h,
    sandbox_cooperative,
)
from node.units.clearing_run import run_clearing
from node.units.client import ObligationStatus, SettlementUnitsClient
from tests.api.conftest import SIWE_DOMAIN, Api
from tests.conftest import free_port

E18 = 10**18


@dataclass
class Union:
    chain: Chain
    union: Cooperative
    field: Api
    """The gateway of «Поле» (the buyer's cooperative)."""
    forest: Api
    """The gateway of «Лес» (the supplier's cooperative)."""

    @property
    def units(self) -> SettlementUnitsClient:
        return SettlementUnitsClient(self.chain, self.union.addresses.settlement_units)


def _cooperative(
    chain: Chain,
    deployer: LocalAccount,
    factory: str,
    token: str,
    name: str,
    kind: CooperativeKind,
    chair: LocalAccount,
    council: list[LocalAccount],
) -> Cooperative:
    return sandbox_cooperative(
        chain,
        deployer,
        factory,
        token,
        name,
        kind,
        chair,
        council,
        symbol="UNI",
        organisation_fees=(100 * E18, 500 * E18),
        default_credit_limit=1_000 * E18,
    )


def _serve(
    tmp: Path, anvil: Anvil, chain: Chain, deployer: LocalAccount, record: dict[str, Any], slug: str
) -> tuple[uvicorn.Server, threading.Thread, Any, Settings]:
    settings = Settings(
        data_dir=tmp / slug,
        rpc_url=anvil.url,
        database_url=f"sqlite:///{tmp / 'exchange.db'}",
        deployer_key="0x" + bytes(deployer.key).hex(),
        siwe_domain=SIWE_DOMAIN,
        cooperative=slug,
        rate_limit_auth=100_000,
        rate_limit_relay=100_000,
        relay_poll_interval=0.05,
        roles_ttl=0.0,
        exchange_follow_interval=0.5,
    )
    app = create_app(settings, chain, record)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    return server, thread, app, settings


@pytest.fixture(scope="module")
def union(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Union]:
    tmp: Path = tmp_path_factory.mktemp("union")
    anvil = Anvil(free_port())
    anvil.start()
    stop = threading.Event()
    servers: list[uvicorn.Server] = []
    threads: list[threading.Thread] = []
    try:
        artifacts = Artifacts(Path(__file__).resolve().parents[2] / ".build" / "__local__.json")
        chain = Chain(anvil.url, artifacts)
        chain.wait_ready()
        acc = dev_accounts(10)
        deployer = acc[0]
        network = deploy_network(chain, deployer)
        token = deploy_test_token(chain, deployer)
        chain.transact(
            chain.contract("TestToken", token).functions.mint(deployer.address, 10**24), deployer
        )
        union_coop = _cooperative(
            chain,
            deployer,
            network.factory,
            token,
            "Союз кооперативов «Край»",
            CooperativeKind.UNION,
            acc[9],
            [acc[9], acc[7], acc[8]],
        )
        sandboxes: dict[str, Sandbox] = {}
        for slug, name, kind, chair, council in (
            ("field", "«Поле»", CooperativeKind.AGRICULTURAL, acc[1], [acc[1], acc[2], acc[3]]),
            ("forest", "«Лес»", CooperativeKind.PRODUCTION, acc[5], [acc[5], acc[6], acc[7]]),
        ):
            coop = _cooperative(
                chain, deployer, network.factory, token, f"Кооператив {name}", kind, chair, council
            )
            members = generated_accounts(2, slug)
            fund(chain, [m.address for m in members])
            for member in members:
                apply_ready(coop, chair, deployer, member, slug)
                coop.admit(deployer, member.address, h(f"admission {member.address}"))
            coop.approve_treasury(deployer)
            coop.receive_income(deployer, 10_000 * E18, h(f"{slug} sales"))
            join_union(coop, union_coop, deployer, chair, acc[9])
            record = deploy_governance(
                chain,
                deployer,
                coop.addresses.to_dict(),
                [a.address for a in council],
                GovernanceParams(notice_period=3600),
            )
            sandboxes[slug] = Sandbox(
                chain=chain,
                cooperative=coop,
                governance=Governance(chain, record["council"], record["general_meeting"]),
                deployer=deployer,
                chair=chair,
                secretary=acc[4],
                council=council,
                members=members,
                record=record,
            )
        deployment = {
            "contracts": {},
            "cooperatives": {
                slug: {
                    **sb.cooperative.addresses.to_dict(),
                    "council": sb.governance.council.address,
                    "general_meeting": sb.governance.meeting.address,
                }
                for slug, sb in sandboxes.items()
            }
            | {"union": union_coop.addresses.to_dict()},
        }
        indexer = Indexer(
            rpc_url=anvil.url,
            database_url=f"sqlite:///{tmp / 'exchange.db'}",
            artifacts=artifacts,
            settings=IndexerSettings(finality_depth=0, poll_interval=0.05),
        )
        threads.append(threading.Thread(target=indexer.follow, args=(stop,), daemon=True))
        apis: dict[str, Api] = {}
        for slug, sb in sandboxes.items():
            server, thread, app, settings = _serve(tmp, anvil, chain, deployer, deployment, slug)
            servers.append(server)
            threads.append(thread)
            apis[slug] = Api(
                f"http://127.0.0.1:{server.config.port}",
                app,
                sb,
                Account.from_key(b"\x42" * 32),
                settings,
            )
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        for server in servers:
            while not server.started:
                if time.monotonic() > deadline:
                    pytest.fail("a gateway did not start")
                time.sleep(0.05)
        for api in apis.values():
            while api.http.get("/cooperative").json().get("details") is None:
                if time.monotonic() > deadline:
                    pytest.fail("the indexer did not mirror the cooperatives")
                time.sleep(0.1)
        yield Union(chain, union_coop, apis["field"], apis["forest"])
        for api in apis.values():
            api.http.close()
    finally:
        stop.set()
        for server in servers:
            server.should_exit = True
        for t in threads:
            t.join(timeout=10)
        anvil.stop()


def _decide(api: Api, proposal: dict[str, Any], protocol_hash: str | None = None) -> None:
    """The council of `api`'s cooperative takes the proposal through the gateway: propose,
    vote 2 of 3, the chair signs the protocol, execute."""
    sb = api.sandbox
    proposer, second, chair = sb.council[1], sb.council[2], sb.chair
    assert proposal["cooperative"] == sb.cooperative.addresses.charter
    body = {"document_hash": proposal["document_hash"], "actions": proposal["actions"]}
    assert api.act(proposer, "/council/items/tx", body)["status"] == "indexed"
    items = api.ok(api.get(proposer, "/council/items"))["data"]
    item_id = next(i for i in items if i["document_hash"] == proposal["document_hash"])["item_id"]
    for voter in (proposer, second):
        done = api.act(voter, f"/council/items/{item_id}/votes/tx", {"support": 1})
        assert done["status"] == "indexed"
    protocol = {"protocol_hash": protocol_hash or proposal["document_hash"]}
    done = api.act(chair, f"/council/items/{item_id}/protocol/tx", protocol)
    assert done["status"] == "indexed"
    executed = api.act(chair, f"/council/items/{item_id}/execution/tx")
    assert executed["status"] == "indexed", executed


def test_order_between_cooperatives_settled_in_the_union(union: Union) -> None:
    field, forest = union.field, union.forest
    buyer = field.sandbox.members[0]
    supplier = forest.sandbox.members[0]
    field_coop, forest_coop = field.sandbox.cooperative, forest.sandbox.cooperative

    offer = forest.ok(
        forest.post(
            supplier,
            "/offers",
            json={
                "title": "Доска обрезная",
                "description": "Сосна, 50×150",
                "category": "стройматериалы",
                "unit": "м³",
                "price": 12 * E18,  # a JSON integer is accepted; answers carry strings
                "quantity": 10,
            },
        ),
        201,
    )
    assert offer["price"] == str(12 * E18)
    # Offers of the union's other cooperatives are listed with scope=union only.
    own = field.ok(field.get(buyer, "/offers", params={"q": "доска"}))
    assert all(o["id"] != offer["id"] for o in own["data"])
    seen = field.ok(field.get(buyer, "/offers", params={"q": "доска", "scope": "union"}))
    assert [o["id"] for o in seen["data"]] == [offer["id"]]
    assert seen["data"][0]["cooperative"] == forest_coop.addresses.charter

    # Refused: a union order paid in tokens (the union settles in its ВРЕ).
    token_order = field.post(
        buyer, "/orders", json={"offer_id": offer["id"], "quantity": 1, "currency": "token"}
    )
    assert token_order.status_code == 422
    order = field.ok(
        field.post(buyer, "/orders", json={"offer_id": offer["id"], "quantity": 2}), 201
    )
    assert order["buyer_cooperative"] == field_coop.addresses.charter
    assert order["union_charter"] == union.union.addresses.charter
    assert order["total"] == str(24 * E18)
    oid = order["id"]

    # Only the supplier's cooperative's gateway confirms; its council invoices.
    assert field.post(buyer, f"/orders/{oid}/confirmation").status_code == 403
    confirmed = forest.ok(forest.post(supplier, f"/orders/{oid}/confirmation"))
    assert confirmed["invoice"] is None and confirmed["order"]["status"] == "confirmed"
    proposal = confirmed["proposal"]
    assert proposal["cooperative"] == forest_coop.addresses.charter
    assert [a["target"] for a in proposal["actions"]] == [forest_coop.addresses.treasury]
    decision = forest.get(supplier, f"/documents/{proposal['document_hash'][2:]}")
    assert decision.status_code == 200 and "Выставить кооперативу" in decision.text
    # The other cooperative's council does not decide on this invoice.
    assert field.post(buyer, f"/orders/{oid}/union/invoice").status_code == 409
    _decide(forest, proposal)

    invoiced = field.ok(field.get(buyer, f"/orders/{oid}"))
    assert invoiced["status"] == "invoiced" and invoiced["invoice_status"] == "issued"
    info = union.units.obligation(invoiced["obligation_id"])
    assert (info.creditor, info.debtor, info.amount) == (
        forest_coop.addresses.treasury,
        field_coop.addresses.treasury,
        24 * E18,
    )
    stored = forest.get(supplier, f"/documents/{invoiced['document_sha256']}").content
    assert info.document_hash == hashlib.sha256(stored).digest()

    # Paying before acceptance is refused; the buyer's council accepts: delivery received.
    assert field.post(buyer, f"/orders/{oid}/union/payment").status_code == 409
    assert forest.post(supplier, f"/orders/{oid}/union/acceptance").status_code == 409
    _decide(field, field.ok(field.post(buyer, f"/orders/{oid}/union/acceptance")))
    delivered = field.ok(field.get(buyer, f"/orders/{oid}"))
    assert delivered["status"] == "delivered" and delivered["invoice_status"] == "accepted"

    # The buyer's council pays within the union's credit line.
    _decide(field, field.ok(field.post(buyer, f"/orders/{oid}/union/payment")))
    assert union.units.obligation(info_id := invoiced["obligation_id"]).status is (
        ObligationStatus.SETTLED
    )
    assert union.units.signed_balance(forest_coop.addresses.treasury) == 24 * E18
    assert union.units.signed_balance(field_coop.addresses.treasury) == -24 * E18
    # The background followers take it to completed without anyone reading the order.
    deadline = time.monotonic() + 30
    while True:
        with Session(forest.gateway.engine) as session:
            row = service.get_order(session, oid)
        if row.status == "completed" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert row.status == "completed" and row.settlement == "settled"
    assert row.obligation_id == info_id
    seen_by_supplier = forest.ok(forest.get(supplier, f"/orders/{oid}"))
    assert seen_by_supplier["status"] == "completed"
    reputation = forest.ok(forest.get(supplier, f"/orders/reputation/{supplier.address}"))
    assert reputation["completed"] == 1


def _union_order(union: Union, seller: Api, buyer_api: Api, title: str) -> dict[str, Any]:
    """An order from `buyer_api`'s member to `seller`'s member, invoiced by the seller's
    council and accepted by the buyer's council (an open debt in the union's ВРЕ)."""
    supplier, buyer = seller.sandbox.members[1], buyer_api.sandbox.members[1]
    offer = seller.ok(
        seller.post(
            supplier,
            "/offers",
            json={"title": title, "category": "обмен", "price": str(5 * E18), "quantity": 1},
        ),
        201,
    )
    order = buyer_api.ok(
        buyer_api.post(buyer, "/orders", json={"offer_id": offer["id"], "quantity": 1}), 201
    )
    oid = order["id"]
    _decide(seller, seller.ok(seller.post(supplier, f"/orders/{oid}/confirmation"))["proposal"])
    _decide(buyer_api, buyer_api.ok(buyer_api.post(buyer, f"/orders/{oid}/union/acceptance")))
    accepted = buyer_api.ok(buyer_api.get(buyer, f"/orders/{oid}"))
    assert accepted["status"] == "delivered" and accepted["invoice_status"] == "accepted"
    return accepted


def test_counter_orders_settled_by_the_unions_clearing(union: Union) -> None:
    field, forest = union.field, union.forest
    wood = _union_order(union, forest, field, "Дрова")
    grain = _union_order(union, field, forest, "Зерно")
    # The two cooperatives owe each other 5 ВРЕ: the union's clearing (what `coop clearing run
    # -c union` runs) sets the debts off against each other.
    report = run_clearing(
        union.chain,
        union.union.addresses.settlement_units,
        field.sandbox.secretary,
        source="chain",
    )
    assert int(report["cleared_on_chain"]) == 10 * E18, report
    for order in (wood, grain):
        info = union.units.obligation(order["obligation_id"])
        assert info.status is ObligationStatus.SETTLED and info.outstanding == 0
    deadline = time.monotonic() + 30
    for api, order in ((field, wood), (forest, grain)):
        buyer = api.sandbox.members[1]
        while True:
            seen = api.ok(api.get(buyer, f"/orders/{order['id']}"))
            if seen["status"] == "completed" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert seen["status"] == "completed" and seen["invoice_status"] == "settled"


def test_dispute_between_cooperatives_decided_for_the_buyer(union: Union) -> None:
    """The supplier's cooperative's council decides; deciding for the buyer cancels the union
    invoice by the same decision, and the order follows to cancelled on both gateways."""
    field, forest = union.field, union.forest
    supplier, buyer = forest.sandbox.members[0], field.sandbox.members[0]
    offer = forest.ok(
        forest.post(
            supplier,
            "/offers",
            json={"title": "Брус", "category": "стройматериалы", "price": str(E18), "quantity": 3},
        ),
        201,
    )
    oid = field.ok(
        field.post(buyer, "/orders", json={"offer_id": offer["id"], "quantity": 3}), 201
    )["id"]
    _decide(forest, forest.ok(forest.post(supplier, f"/orders/{oid}/confirmation"))["proposal"])
    invoiced = field.ok(field.get(buyer, f"/orders/{oid}"))
    assert invoiced["status"] == "invoiced"
    disputed = field.ok(field.post(buyer, f"/orders/{oid}/dispute", json={"reason": "Брус сырой"}))
    assert disputed["order"]["status"] == "disputed"

    # The buyer's council does not decide the dispute; the supplier's does.
    path = f"/orders/{oid}/dispute/resolution"
    assert field.post(field.sandbox.council[1], path, json={"outcome": "buyer"}).status_code == 409
    resolution = forest.ok(forest.post(forest.sandbox.council[1], path, json={"outcome": "buyer"}))
    assert resolution["proposal"]["document_hash"] == disputed["document_hash"]
    assert [a["target"] for a in resolution["proposal"]["actions"]] == [
        forest.sandbox.cooperative.addresses.treasury
    ]
    _decide(forest, resolution["proposal"], resolution["protocol_hash"])

    assert union.units.obligation(invoiced["obligation_id"]).status is ObligationStatus.CANCELLED
    for api, who in ((field, buyer), (forest, supplier)):
        order = api.ok(api.get(who, f"/orders/{oid}"))
        assert order["status"] == "cancelled" and order["dispute_outcome"] == "buyer"
        assert order["invoice_status"] == "cancelled"
    # The reserved quantity is back on the offer.
    assert forest.ok(forest.get(supplier, f"/offers/{offer['id']}"))["quantity"] == 3
