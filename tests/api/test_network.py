"""One node for the whole network: one gateway serves every cooperative the registry knows.

On one anvil: a union «Край» (registry number 1) and two cooperatives that are its members,
«Поле» (2, the gateway's default, the only one named in the deployment record) and «Лес» (3,
found in the mirror only). One gateway process, one indexer. Scoped routes (`/c/{slug}/...`),
the unscoped routes unchanged, the directory against the chain, one sign-in for every
cooperative with roles from each one's chain, and the attacks: an officer of one cooperative is
nobody in another, a member's session cannot act as a member where they are not one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

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
from node.governance import Choice, Governance, MeetingState, Question
from node.governance.deploy import GovernanceParams, deploy_governance
from node.governance.sandbox import (
    Sandbox,
    apply_ready,
    fund,
    generated_accounts,
    h,
    sandbox_cooperative,
)
from node.units.client import SettlementUnitsClient
from tests.api.conftest import SIWE_DOMAIN
from tests.conftest import free_port
from tests.governance.conftest import convene, end_voting, open_voting

E18 = 10**18
TRANSFERRED = 7 * E18


@dataclass
class Net:
    chain: Chain
    url: str
    deployer: LocalAccount
    factory: str
    token: str
    coops: dict[str, Cooperative]
    """union, field, forest."""
    members: dict[str, list[LocalAccount]]
    both: LocalAccount
    """A person who is a member of «Поле» and of «Лес»."""
    acc: list[LocalAccount]
    governance: Governance
    """«Поле»'s council and general meeting."""
    http: httpx.Client = field(init=False)
    tokens: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.url, timeout=30)

    def token_of(self, account: LocalAccount) -> str:
        if account.address not in self.tokens:
            r = self.http.post("/auth/nonce", json={"address": account.address})
            message = r.json()["message"]
            signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
            r = self.http.post("/auth/verify", json={"message": message, "signature": signature})
            assert r.status_code == 200, r.text
            self.tokens[account.address] = r.json()["token"]
        return self.tokens[account.address]

    def get(self, account: LocalAccount | None, path: str, **kw: Any) -> httpx.Response:
        headers = {} if account is None else {"Authorization": f"Bearer {self.token_of(account)}"}
        return self.http.get(path, headers=headers, **kw)

    def post(self, account: LocalAccount, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token_of(account)}"}
        return self.http.post(path, headers=headers, **kw)

    def synced(self, timeout: float = 60) -> None:
        target = self.chain.w3.eth.block_number
        deadline = time.monotonic() + timeout
        while (self.http.get("/cooperative").json().get("block") or 0) < target:
            if time.monotonic() > deadline:
                pytest.fail(f"the mirror did not reach block {target}")
            time.sleep(0.05)


def _coop(net: Any, name: str, kind: CooperativeKind, chair: LocalAccount, council: list) -> Any:
    chain, deployer, factory, token = net
    return sandbox_cooperative(
        chain,
        deployer,
        factory,
        token,
        name,
        kind,
        chair,
        council,
        symbol="NET",
        organisation_fees=(100 * E18, 500 * E18),
        default_credit_limit=1_000 * E18,
    )


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Net]:
    tmp: Path = tmp_path_factory.mktemp("network")
    anvil = Anvil(free_port())
    anvil.start()
    stop = threading.Event()
    server: uvicorn.Server | None = None
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
        ctx = (chain, deployer, network.factory, token)
        union = _coop(ctx, "Союз «Край»", CooperativeKind.UNION, acc[9], [acc[9], acc[7], acc[8]])
        both: LocalAccount = Account.from_key(keccak(text="network tests: both"))
        coops = {"union": union}
        members: dict[str, list[LocalAccount]] = {}
        for slug, name, kind, chair, council in (
            ("field", "«Поле»", CooperativeKind.AGRICULTURAL, acc[1], [acc[1], acc[2], acc[3]]),
            ("forest", "«Лес»", CooperativeKind.PRODUCTION, acc[5], [acc[5], acc[6], acc[7]]),
        ):
            coop = _coop(ctx, f"Кооператив {name}", kind, chair, council)
            people = [*generated_accounts(2, f"net {slug}"), both]
            fund(chain, [m.address for m in people])
            for member in people:
                apply_ready(coop, chair, deployer, member, slug)
                coop.admit(deployer, member.address, h(f"admission {member.address}"))
            coop.approve_treasury(deployer)
            coop.receive_income(deployer, 10_000 * E18, h(f"{slug} sales"))
            join_union(coop, union, deployer, chair, acc[9])
            coops[slug], members[slug] = coop, people
        # «Поле» is governed by its council and general meeting, and holds one meeting.
        field_council = [acc[1], acc[2], acc[3]]
        gov = deploy_governance(
            chain,
            deployer,
            coops["field"].addresses.to_dict(),
            [a.address for a in field_council],
            GovernanceParams(notice_period=3600),
        )
        sb = Sandbox(
            chain=chain,
            cooperative=coops["field"],
            governance=Governance(chain, gov["council"], gov["general_meeting"]),
            deployer=deployer,
            chair=acc[1],
            secretary=acc[4],
            council=field_council,
            members=members["field"],
            record=gov,
        )
        meeting_id = convene(sb, [Question(document_hash=h("network: agenda"))], label="net")
        open_voting(sb, meeting_id)
        for voter in members["field"]:
            sb.governance.meeting.cast_ballot(voter, meeting_id, [Choice.FOR])
        end_voting(sb, meeting_id)
        sb.governance.meeting.close(deployer, meeting_id)
        assert sb.governance.meeting.state(meeting_id) == MeetingState.HELD
        # ВРЕ turnover in «Поле»: one member pays another.
        units = SettlementUnitsClient(chain, coops["field"].addresses.settlement_units)
        units.transfer(members["field"][0], members["field"][1].address, TRANSFERRED)

        db_url = f"sqlite:///{tmp / 'coopnode.db'}"
        record = {"contracts": {}, "cooperatives": {"field": coops["field"].addresses.to_dict()}}
        settings = Settings(
            data_dir=tmp,
            rpc_url=anvil.url,
            database_url=db_url,
            deployer_key="0x" + bytes(deployer.key).hex(),
            siwe_domain=SIWE_DOMAIN,
            cooperative="field",
            rate_limit_auth=100_000,
            rate_limit_relay=100_000,
            relay_poll_interval=0.05,
            roles_ttl=0.0,
            notices_interval=0,
        )
        indexer = Indexer(
            rpc_url=anvil.url,
            database_url=db_url,
            artifacts=artifacts,
            settings=IndexerSettings(finality_depth=0, poll_interval=0.05),
        )
        threads.append(threading.Thread(target=indexer.follow, args=(stop,), daemon=True))
        app = create_app(settings, chain, record)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
        )
        threads.append(threading.Thread(target=server.run, daemon=True))
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline:
                pytest.fail("the gateway did not start")
            time.sleep(0.05)
        n = Net(
            chain,
            f"http://127.0.0.1:{server.config.port}",
            deployer,
            network.factory,
            token,
            coops,
            members,
            both,
            acc,
            sb.governance,
        )
        n.synced()
        yield n
        n.http.close()
    finally:
        stop.set()
        if server is not None:
            server.should_exit = True
        for t in threads:
            t.join(timeout=10)
        anvil.stop()


def _problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    return body


def test_scoped_and_default_routes(net: Net) -> None:
    field_charter = net.coops["field"].addresses.charter
    forest_charter = net.coops["forest"].addresses.charter
    default = net.http.get("/cooperative").json()
    assert (default["slug"], default["contracts"]["charter"]) == ("field", field_charter)
    # The default cooperative by its record key, its registry number and its charter.
    for slug in ("field", "2", field_charter.lower()):
        body = net.http.get(f"/c/{slug}/cooperative").json()
        assert body["contracts"]["charter"] == field_charter, slug
    # «Лес» is not in the deployment record: found in the mirror by number or charter.
    for slug in ("3", forest_charter):
        body = net.http.get(f"/c/{slug}/cooperative").json()
        assert body["slug"] == "3"
        assert body["contracts"]["charter"] == forest_charter
        assert body["details"]["name"] == "Кооператив «Лес»"
    for bad in ("/c/99/cooperative", "/c/nope/cooperative", "/c/a.b/cooperative", "/c/"):
        _problem(net.http.get(bad), 404)
    # A treasury or any other address that is no charter of the registry is no cooperative.
    _problem(net.http.get(f"/c/{net.deployer.address}/cooperative"), 404)


def test_directory_against_the_chain(net: Net) -> None:
    body = net.http.get("/network", params={"limit": 100}).json()
    assert (body["count"], body["unions"], body["offset"]) == (3, 1, 0)
    entries = {e["charter"]: e for e in body["data"]}
    people = {
        "union": [net.coops["field"].addresses.treasury, net.coops["forest"].addresses.treasury],
        "field": [m.address for m in net.members["field"]] + [net.members["forest"][0].address],
        "forest": [m.address for m in net.members["forest"]] + [net.members["field"][0].address],
    }
    for slug, coop in net.coops.items():
        entry = entries[coop.addresses.charter]
        active = sum(1 for a in people[slug] if coop.is_active_member(a))
        assert entry["active_members"] == active
        supply = coop.shares.functions.totalSupply().call()
        assert entry["total_shares"] == str(supply)
        held = 0
        if slug == "field":
            meeting = net.governance.meeting
            count = int(meeting.contract.functions.meetingCount().call())
            held = sum(1 for i in range(1, count + 1) if meeting.state(i) == MeetingState.HELD)
            assert held == 1
        assert entry["meetings_held"] == held
    union = entries[net.coops["union"].addresses.charter]
    assert union["kind_name"] == "union" and union["slug"] == "1"
    assert [m["coop_id"] for m in union["member_cooperatives"]] == [2, 3]
    field_entry = entries[net.coops["field"].addresses.charter]
    assert field_entry["slug"] == "field" and field_entry["unions"] == [1]
    assert field_entry["units_turnover"] == str(TRANSFERRED)
    assert entries[net.coops["forest"].addresses.charter]["units_turnover"] == "0"
    # Paged; bad paging is a problem, not an answer.
    page = net.http.get("/network", params={"offset": 1, "limit": 1}).json()
    assert [e["coop_id"] for e in page["data"]] == [2] and page["count"] == 3
    _problem(net.http.get("/network", params={"limit": 0}), 422)
    _problem(net.http.get("/network", params={"offset": -1}), 422)


def test_one_sign_in_roles_per_cooperative(net: Net) -> None:
    field_chair = net.acc[1]
    me = net.get(field_chair, "/auth/me").json()
    assert {"chair", "council"} <= set(me["roles"])
    # The same session at «Лес»: no role at all there (its own chain state says so).
    assert net.get(field_chair, "/c/3/auth/me").json()["roles"] == []
    assert net.get(field_chair, "/c/1/auth/me").json()["roles"] == []
    # A member of both: member in each, and the switcher lists both with those roles.
    assert "member" in net.get(net.both, "/c/3/auth/me").json()["roles"]
    mine = net.get(net.both, "/network/me").json()
    assert [(c["slug"], c["roles"]) for c in mine["data"]] == [
        ("field", ["member"]),
        ("3", ["member"]),
    ]
    only_field = net.get(net.members["field"][1], "/c/3/network/me").json()
    assert [c["slug"] for c in only_field["data"]] == ["field"]


def test_attack_officer_of_a_is_nobody_in_b(net: Net) -> None:
    field_chair = net.acc[1]
    assert net.get(field_chair, "/notices/status").status_code == 200
    _problem(net.get(field_chair, "/c/3/notices/status"), 403)
    _problem(net.get(field_chair, "/c/1/notices/status"), 403)
    # «Лес»'s council member 7 also sits on the union's council: officer there, not in «Поле».
    assert net.get(net.acc[7], "/c/1/notices/status").status_code == 200
    _problem(net.get(net.acc[7], "/notices/status"), 403)
    # Another member's clearings: for the council only, and only its own cooperative's.
    other = net.members["forest"][1].address
    _problem(net.get(field_chair, f"/c/3/history/members/{other}/clearings"), 403)


def test_attack_member_of_a_cannot_act_as_member_of_b(net: Net) -> None:
    outsider = net.members["field"][1]  # member of «Поле» only
    offer = {
        "title": "Мёд",
        "description": "Липовый",
        "category": "продукты",
        "unit": "кг",
        "price": str(2 * E18),
        "quantity": 5,
    }
    _problem(net.post(outsider, "/c/3/offers", json=offer), 403)
    created = net.post(outsider, "/offers", json=offer)
    assert created.status_code == 201, created.text
    # A transaction to «Поле»'s contracts is not relayed through «Лес»'s prefix.
    units = SettlementUnitsClient(net.chain, net.coops["field"].addresses.settlement_units)
    call = units.contract.functions.transfer(net.members["field"][0].address, 1)
    tx = call.build_transaction(
        {
            "from": outsider.address,
            "nonce": net.chain.w3.eth.get_transaction_count(outsider.address),
            "gas": 200_000,
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": 0,
            "chainId": net.chain.chain_id,
        }
    )
    raw = outsider.sign_transaction(tx).raw_transaction.to_0x_hex()
    r = net.post(outsider, "/c/3/relay/transactions", json={"raw_transaction": raw})
    assert r.status_code in (403, 422), r.text


def test_union_sees_its_members_and_trades_from_one_node(net: Net) -> None:
    """An offer of a «Лес» member is seen from «Поле» with scope=union, on the same node."""
    seller = net.members["forest"][0]
    offer = {
        "title": "Брус",
        "description": "Сосна",
        "category": "стройматериалы",
        "unit": "м³",
        "price": str(12 * E18),
        "quantity": 3,
    }
    created = net.post(seller, "/c/3/offers", json=offer)
    assert created.status_code == 201, created.text
    buyer = net.members["field"][0]
    seen = net.get(buyer, "/offers", params={"q": "брус", "scope": "union"}).json()
    assert [o["id"] for o in seen["data"]] == [created.json()["id"]]
    own = net.get(buyer, "/offers", params={"q": "брус"}).json()
    assert own["data"] == []


def test_new_cooperative_served_without_restart(net: Net) -> None:
    _problem(net.http.get("/c/4/cooperative"), 404)
    acc = net.acc
    _coop(
        (net.chain, net.deployer, net.factory, net.token),
        "Кооператив «Река»",
        CooperativeKind.CONSUMER,
        acc[2],
        [acc[2], acc[3], acc[4]],
    )
    net.synced()
    body = net.http.get("/c/4/cooperative").json()
    assert body["details"]["name"] == "Кооператив «Река»"
    assert net.http.get("/network").json()["count"] == 4
    assert {"chair", "council"} <= set(net.get(acc[2], "/c/4/auth/me").json()["roles"])
