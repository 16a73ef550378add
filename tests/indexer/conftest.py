"""Fixtures of the indexer suites: a fresh database per test on SQLite and on PostgreSQL, a
dedicated anvil per test where a test reorganises or kills things, and contract helpers.

PostgreSQL: DATABASE_URL (when it is a PostgreSQL URL) names the server; otherwise the local
127.0.0.1:5432. A laptop without PostgreSQL skips the postgres cases; with DATABASE_URL set
explicitly (CI, `make test-postgres`) an unreachable server fails them.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from indexer.config import IndexerSettings
from indexer.run import Indexer
from node.chain.anvil import Anvil
from node.chain.artifacts import Artifacts
from node.chain.client import Chain
from tests.conftest import free_port

LOCAL_PG = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def _pg_server() -> tuple[str, bool]:
    """(server URL, whether it was asked for explicitly)."""
    env = os.environ.get("DATABASE_URL", "")
    if env.startswith("postgresql"):
        return env, True
    return LOCAL_PG, False


def _port_open(url: str) -> bool:
    u = sa.make_url(url)
    try:
        with socket.create_connection((u.host or "127.0.0.1", u.port or 5432), timeout=1):
            return True
    except OSError:
        return False


DbFactory = Callable[[], str]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DbFactory]:
    """Makes fresh, empty databases of the parametrised kind; drops them after the test."""
    made: list[str] = []
    if request.param == "sqlite":

        def make_sqlite() -> str:
            url = f"sqlite:///{tmp_path / f'mirror-{len(made)}.db'}"
            made.append(url)
            return url

        yield make_sqlite
        return

    server, explicit = _pg_server()
    if not _port_open(server):
        if explicit:
            pytest.fail(f"DATABASE_URL is set but PostgreSQL at {server} does not answer")
        pytest.skip(
            "no PostgreSQL on 127.0.0.1:5432 and DATABASE_URL unset (a laptop): SQLite only"
        )
    admin = sa.create_engine(
        sa.make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )

    def make_pg() -> str:
        name = f"coop_idx_{secrets.token_hex(6)}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return sa.make_url(server).set(database=name).render_as_string(hide_password=False)

    yield make_pg
    with admin.connect() as conn:
        for name in made:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def db_url(db_factory: DbFactory) -> str:
    return db_factory()


@pytest.fixture
def own_chain(artifacts: Artifacts) -> Iterator[Chain]:
    """A dedicated anvil: reorgs, rollbacks and kills stay out of the session chain."""
    node = Anvil(free_port())
    node.start()
    chain = Chain(node.url, artifacts)
    chain.wait_ready()
    yield chain
    node.stop()


NOTE = b"note".ljust(32, b"\0")


def note(text: str) -> bytes:
    return text.encode().ljust(32, b"\0")


def deploy_ping(chain: Chain, owner: LocalAccount) -> Contract:
    ping, _ = chain.deploy("Ping", owner.address, sender=owner)
    return ping


def make_indexer(chain: Chain, db_url: str, **settings: Any) -> Indexer:
    rpc_url = settings.pop("rpc_url", chain.rpc_url)
    before_commit = settings.pop("before_commit", None)
    settings.setdefault("finality_depth", 2)
    settings.setdefault("backoff_initial", 0.05)
    settings.setdefault("backoff_max", 0.2)
    return Indexer(
        rpc_url=rpc_url,
        database_url=db_url,
        artifacts=chain.artifacts,
        settings=IndexerSettings(**settings),
        before_commit=before_commit,
    )


def rows(db_url: str, sql: str, **params: Any) -> list[Any]:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params).all())
    finally:
        engine.dispose()


def rpc(chain: Chain, method: str, params: list[Any]) -> Any:
    answer = chain.w3.provider.make_request(method, params)  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer.get("result")


# -- a real cooperative with every kind of domain event (projections, audit views) -------------

DOMAIN_TOKEN = 10**18


def _h(label: str) -> bytes:
    from eth_utils import keccak

    return keccak(text=label)


class CoopScenario:
    """A cooperative built through the factory on a dedicated anvil, walked through joins (in
    tokens, by bank, by a signed application), voluntary shares, income, documents signed
    directly and by signature, ВРЕ transfers, invoices (one accepted by signature, one paid in
    part), a clearing, then governance: a council decision admitting a member, an exit, a key
    recovery, and a general meeting with direct and signed ballots, closed and executed."""

    def __init__(self, chain: Chain) -> None:
        from eth_account import Account

        from node.chain.devkeys import dev_accounts
        from node.cooperative.client import CooperativeKind, DocumentType, MemberKind
        from node.cooperative.deploy import (
            CooperativeParams,
            create_cooperative,
            deploy_network,
            deploy_test_token,
        )
        from node.governance import Action, Convocation, GovernanceParams, Question
        from node.governance.client import Governance
        from node.governance.deploy import deploy_governance
        from node.governance.sandbox import fund, now, warp
        from node.units.client import SettlementUnitsClient

        t = DOMAIN_TOKEN
        self.chain = chain
        acc = dev_accounts(10)
        self.deployer, self.chair, self.secretary = acc[0], acc[1], acc[4]
        self.council_members = [acc[1], acc[2], acc[3]]
        deployer = self.deployer
        self.network = deploy_network(chain, deployer)
        token_address = deploy_test_token(chain, deployer)
        token = chain.contract("TestToken", token_address)
        self.members = [Account.from_key(_h(f"indexer domain member {i}")) for i in range(6)]
        self.recovered = Account.from_key(_h("indexer domain member 1, new key"))
        fund(chain, [m.address for m in [*self.members, self.recovered]])
        for a in [deployer, *self.members]:
            chain.transact(token.functions.mint(a.address, 100_000 * t), deployer)
        coop, _ = create_cooperative(
            chain,
            deployer,
            self.network.factory,
            CooperativeParams(
                name="Кооператив «Индекс»",
                symbol="IDX",
                kind=CooperativeKind.CONSUMER,
                payment_token=token_address,
                council=[a.address for a in self.council_members],
                chair=self.chair.address,
                decision_executor=deployer.address,
                charter_document=_h("charter"),
                individual_fees=(100 * t, 1_000 * t),
                organisation_fees=(1_000 * t, 5_000 * t),
                fund_split_bps=[0, 5_000, 2_500, 2_500],
                cashiers=[deployer.address],
                verifiers=[],
                default_credit_limit=500 * t,
            ),
        )
        self.coop = coop
        m = self.members
        # Joins: 0 and 1 pay in tokens, 2 by bank, 3 an organisation by a signed application.
        for i in (0, 1):
            coop.apply(m[i], MemberKind.INDIVIDUAL, _h(f"id {i}"), _h(f"app {i}"))
            coop.attest_identity(self.chair, m[i].address, _h(f"check {i}"))
            coop.approve_treasury(m[i])
            coop.pay_fees(m[i], m[i].address)
        coop.apply(m[2], MemberKind.INDIVIDUAL, _h("id 2"), _h("app 2"))
        coop.attest_identity(self.chair, m[2].address, _h("check 2"))
        coop.attest_payment(deployer, m[2].address, _h("bank 2"))
        sig, nonce, deadline = coop.sign_application(
            m[3],
            MemberKind.ORGANISATION,
            _h("id 3"),
            _h("app 3"),
            deadline=now(chain) + 86_400,
        )
        coop.apply_with_sig(
            deployer,
            m[3].address,
            MemberKind.ORGANISATION,
            _h("id 3"),
            _h("app 3"),
            nonce,
            deadline,
            sig,
        )
        coop.attest_identity(self.chair, m[3].address, _h("check 3"))
        coop.attest_payment(deployer, m[3].address, _h("bank 3"))
        for i in range(4):
            coop.admit(deployer, m[i].address, _h(f"admit {i}"))
        # Shares and income.
        coop.contribute(m[0], 50 * t)
        coop.approve_treasury(deployer)
        coop.receive_income(deployer, 1_000 * t, _h("sales"))
        # Documents: anchored by a member, signed directly and by a relayed signature.
        self.contract_doc = _h("supply contract")
        coop.anchor(m[0], self.contract_doc, DocumentType.CONTRACT)
        coop.sign_document(m[0], self.contract_doc)
        coop.sign_document_with_sig(
            deployer,
            self.contract_doc,
            m[1].address,
            coop.document_signature(m[1], self.contract_doc),
        )
        # A member anchors a hash first, as a contract of theirs; the executor's official anchor
        # of it as a meeting protocol takes it over (DocumentReclaimed): one current record.
        self.reclaimed_doc = _h("meeting protocol, front-run")
        coop.anchor(m[2], self.reclaimed_doc, DocumentType.CONTRACT)
        coop.anchor(deployer, self.reclaimed_doc, DocumentType.MEETING_PROTOCOL)
        # ВРЕ: transfers, invoices, a clearing of a three-way cycle, a partial payment.
        units = SettlementUnitsClient(chain, coop.addresses.settlement_units)
        self.units = units
        units.transfer(m[0], m[1].address, 200 * t, _h("act 1"))
        units.transfer(m[1], m[2].address, 100 * t)
        o1, _ = units.issue(m[0], m[1].address, 100 * t, document_hash=_h("inv 1"))
        o2, _ = units.issue(m[1], m[2].address, 100 * t, document_hash=_h("inv 2"))
        o3, _ = units.issue(m[2], m[0].address, 100 * t, document_hash=_h("inv 3"))
        o4, _ = units.issue(m[3], m[0].address, 50 * t, due_date=now(chain) + 3600)
        o5, _ = units.issue(m[3], m[1].address, 10 * t)
        units.accept(m[1], o1)
        units.accept(m[2], o2)
        deadline = now(chain) + 3600
        units.accept_with_signature(
            deployer, o3, deadline, units.sign_acceptance(m[0], o3, deadline)
        )
        units.accept(m[0], o4)
        units.reject(m[1], o5)
        units.settle_clearing(deployer, [(o1, 100 * t), (o2, 100 * t), (o3, 100 * t)])
        units.pay(m[0], o4, 20 * t)
        units.set_credit_limit(deployer, m[2].address, 700 * t)
        # Governance: the council takes over the executor role.
        gov = deploy_governance(
            chain,
            deployer,
            coop.addresses.to_dict(),
            [a.address for a in self.council_members],
            GovernanceParams(),
        )
        self.governance = Governance(chain, gov["council"], gov["general_meeting"])
        council = self.governance.council
        voters = self.council_members[:2]
        # A council decision admits member 4 (joined in tokens).
        coop.apply(m[4], MemberKind.INDIVIDUAL, _h("id 4"), _h("app 4"))
        coop.attest_identity(self.chair, m[4].address, _h("check 4"))
        coop.approve_treasury(m[4])
        coop.pay_fees(m[4], m[4].address)
        admit = Action.call(coop.membership, "admit", m[4].address, _h("council admits 4"))
        council.decide(voters[0], voters, self.chair, _h("council admits 4"), [admit])
        # Member 4 leaves: exit application, council decision, refund from the share fund.
        coop.request_exit(m[4], _h("exit 4"))
        exit_ = Action.call(coop.membership, "exit", m[4].address, _h("council: 4 leaves"))
        council.decide(voters[0], voters, self.chair, _h("council: 4 leaves"), [exit_])
        # Member 1 lost their key: membership, shares, ВРЕ balance and obligations move.
        recover = Action.call(
            coop.membership,
            "recoverMembership",
            m[1].address,
            self.recovered.address,
            _h("council: new key for 1"),
        )
        council.decide(voters[0], voters, self.chair, _h("council: new key for 1"), [recover])
        # An item that is still pending (one vote for, one against).
        pending, _ = council.propose(voters[0], _h("pending item"))
        council.vote(voters[0], pending)
        # Member 5 applies and waits (an open application).
        coop.apply(m[5], MemberKind.INDIVIDUAL, _h("id 5"), _h("app 5"))
        # A general meeting: direct ballots and a signed one, closed, signed, executed.
        gm = self.governance.meeting
        opens = now(chain) + gm.notice_period() + 60
        self.meeting_id = self.governance.convene(
            voters[0],
            voters,
            self.chair,
            Convocation(
                opens_at=opens,
                closes_at=opens + 86_400,
                secretary=self.secretary.address,
                questions=(Question(_h("q1: annual report")), Question(_h("q2: new fund"))),
            ),
            _h("convene annual meeting"),
        )
        warp(chain, opens)
        gm.cast_ballot(m[0], self.meeting_id, [1, 1])
        gm.cast_ballot(m[2], self.meeting_id, [1, 0])
        gm.cast_ballot_by_sig(deployer, gm.sign_ballot(m[3], self.meeting_id, [2, 1]))
        warp(chain, opens + 86_400)
        gm.close(deployer, self.meeting_id)
        gm.sign_protocol(self.secretary, self.meeting_id, _h("protocol"))
        gm.sign_protocol(self.chair, self.meeting_id, _h("protocol"))
        gm.execute(deployer, self.meeting_id, 0)
        self.head = chain.w3.eth.block_number

    @property
    def record(self) -> dict[str, Any]:
        """A deployment record as `coop run` keeps it (for `indexer_from_settings`)."""
        return {
            "contracts": {
                "NetworkRegistry": self.network.registry,
                "CooperativeFactory": self.network.factory,
                "index.council": self.governance.council.address,
                "index.general_meeting": self.governance.meeting.address,
            }
        }

    def indexer(self, db_url: str, **settings: Any) -> Indexer:
        from indexer.run import roots_from_record

        settings.setdefault("roots", roots_from_record(self.record))
        return make_indexer(self.chain, db_url, **settings)


def domain_chain() -> tuple[Anvil, Chain]:
    """A dedicated anvil reading the compiled manifest as it is (no compile: contracts other
    engineers are still writing must not stop the indexer's suites)."""
    from tests.conftest import ARTIFACTS

    node = Anvil(free_port())
    node.start()
    chain = Chain(node.url, Artifacts(ARTIFACTS))
    chain.wait_ready()
    return node, chain


@pytest.fixture(scope="module")
def scenario() -> Iterator[CoopScenario]:
    """One cooperative scenario per module, on its own anvil (tests only read it)."""
    node, chain = domain_chain()
    try:
        yield CoopScenario(chain)
    finally:
        node.stop()
