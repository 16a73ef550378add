"""FundInstaller: the mutual-aid fund and the property register created and initialised in one
transaction, only by the charter's decision executor (a key, or the council by decision), and
announced by `FundInstalled`, from which the indexer discovers both with the network registry as
its only root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.chain.client import Chain, TransactionReverted, checksum
from node.cooperative.client import Cooperative, CooperativeKind
from node.cooperative.deploy import (
    CooperativeParams,
    NetworkAddresses,
    create_cooperative,
    deploy_network,
    deploy_test_token,
)
from node.fund import (
    CouncilSigners,
    FundDeployError,
    FundParams,
    FundRules,
    deploy_fund_and_property,
    deploy_installer,
)
from node.governance import Action, GovernanceParams, deploy_governance
from node.governance._utils import events
from node.governance.sandbox import h
from tests.fund.conftest import RULES, World, council_decides, expect_revert
from tests.indexer.conftest import make_indexer, rows

ZERO = "0x0000000000000000000000000000000000000000"
RULES_ABI = RULES.as_abi()
PROPERTY = ("Кооператив «Установка»: имущество", "INSTP", "https://node.example/property/")


@pytest.fixture(scope="session")
def fund_network(chain: Chain, accounts: list[LocalAccount]) -> NetworkAddresses:
    return deploy_network(chain, accounts[0])


@pytest.fixture(scope="session")
def fund_installer(chain: Chain, accounts: list[LocalAccount]) -> dict[str, Any]:
    """The network's FundInstaller (with the MutualAidFund and PropertyRegistry implementations)."""
    return deploy_installer(chain, accounts[0])


def make_coop(
    chain: Chain, deployer: LocalAccount, council: list[LocalAccount], factory: str
) -> Cooperative:
    """A cooperative without governance; `deployer` is its decision executor."""
    token = deploy_test_token(chain, deployer)
    coop, _ = create_cooperative(
        chain,
        deployer,
        factory,
        CooperativeParams(
            name="Кооператив «Установка»",
            symbol="INST",
            kind=CooperativeKind.CREDIT,
            payment_token=token,
            council=[a.address for a in council],
            chair=council[0].address,
            decision_executor=deployer.address,
            charter_document=h("charter of the fund installer test"),
            individual_fees=(0, 0),
            organisation_fees=(0, 0),
            fund_split_bps=[0, 5_000, 2_500, 2_500],
            cashiers=[deployer.address],
            verifiers=[],
        ),
    )
    return coop


@pytest.fixture
def fresh_coop(
    chain: Chain, accounts: list[LocalAccount], fund_network: NetworkAddresses
) -> Cooperative:
    return make_coop(chain, accounts[0], accounts[1:4], fund_network.factory)


def installer_state(chain: Chain, installer: str, charter: str) -> tuple[object, ...]:
    """What a refused install could have changed."""
    contract = chain.contract("FundInstaller", installer)
    fund, registry = contract.functions.predictAddresses(charter).call()
    return (
        contract.functions.installations(charter).call(),
        fund,
        registry,
        chain.has_code(fund),
        chain.has_code(registry),
    )


def test_install_creates_and_initialises_both_in_one_transaction(
    chain: Chain,
    accounts: list[LocalAccount],
    fresh_coop: Cooperative,
    fund_installer: dict[str, Any],
) -> None:
    deployer, stranger = accounts[0], accounts[7]
    charter = fresh_coop.addresses.charter
    installer = chain.contract("FundInstaller", fund_installer["installer"])
    predicted = installer.functions.predictAddresses(charter).call()
    assert not chain.has_code(predicted[0]) and not chain.has_code(predicted[1])

    sent = chain.transact(installer.functions.install(charter, RULES_ABI, PROPERTY), deployer)

    (event,) = events(installer, "FundInstalled", sent.receipt)
    fund_address = event["args"]["fund"]
    registry_address = event["args"]["propertyRegistry"]
    assert event["args"]["charter"] == charter
    assert event["args"]["installation"] == 0
    assert [fund_address, registry_address] == predicted
    assert installer.functions.installations(charter).call() == 1
    # The next installation goes elsewhere.
    assert installer.functions.predictAddresses(charter).call() != predicted

    fund = chain.contract("MutualAidFund", fund_address)
    registry = chain.contract("PropertyRegistry", registry_address)
    assert fund.functions.charter().call() == charter
    assert fund.functions.membership().call() == fresh_coop.addresses.membership
    assert tuple(fund.functions.rules().call()) == RULES_ABI
    assert registry.functions.charter().call() == charter
    assert registry.functions.holder().call() == fresh_coop.addresses.treasury
    assert registry.functions.name().call() == PROPERTY[0]
    assert registry.functions.symbol().call() == PROPERTY[1]
    assert registry.functions.baseURI().call() == PROPERTY[2]
    # Both clones were initialised inside the installing transaction, before its event.
    logs = [checksum(lg["address"]) for lg in sent.receipt["logs"]]
    assert logs.index(fund_address) < logs.index(installer.address)
    assert logs.index(registry_address) < logs.index(installer.address)

    # Nobody can initialise them again, with another charter or any rules.
    expect_revert(
        lambda: chain.transact(
            fund.functions.initialize(stranger.address, stranger.address, RULES_ABI), stranger
        ),
        "InvalidInitialization",
    )
    expect_revert(
        lambda: chain.transact(
            registry.functions.initialize(stranger.address, "x", "X", "https://evil/"), stranger
        ),
        "InvalidInitialization",
    )
    assert fund.functions.charter().call() == charter
    assert registry.functions.baseURI().call() == PROPERTY[2]


def test_only_the_decision_executor_installs(
    chain: Chain,
    accounts: list[LocalAccount],
    fresh_coop: Cooperative,
    fund_installer: dict[str, Any],
) -> None:
    deployer = accounts[0]
    charter = fresh_coop.addresses.charter
    installer_address = fund_installer["installer"]
    installer = chain.contract("FundInstaller", installer_address)
    before = installer_state(chain, installer_address, charter)
    for stranger in (accounts[1], accounts[7]):  # the chair is no executor either
        expect_revert(
            lambda stranger=stranger: chain.transact(
                installer.functions.install(charter, RULES_ABI, PROPERTY), stranger
            ),
            "FundInstallerNotDecisionExecutor",
            charter,
            stranger.address,
        )
    expect_revert(
        lambda: chain.transact(installer.functions.install(ZERO, RULES_ABI, PROPERTY), deployer),
        "FundInstallerZeroAddress",
    )
    assert installer_state(chain, installer_address, charter) == before

    # Once the executor role is handed to another account, the old key may not install.
    charter_contract = chain.contract("Charter", charter)
    chain.transact(charter_contract.functions.setDecisionExecutor(accounts[5].address), deployer)
    expect_revert(
        lambda: chain.transact(installer.functions.install(charter, RULES_ABI, PROPERTY), deployer),
        "FundInstallerNotDecisionExecutor",
        charter,
        deployer.address,
    )
    assert installer_state(chain, installer_address, charter) == before
    chain.transact(installer.functions.install(charter, RULES_ABI, PROPERTY), accounts[5])
    assert installer.functions.installations(charter).call() == 1


def test_installer_refuses_zero_implementations(
    chain: Chain, accounts: list[LocalAccount], fund_installer: dict[str, Any]
) -> None:
    impl = fund_installer["implementations"]["MutualAidFund"]
    for args in ((impl, ZERO), (ZERO, impl)):
        with pytest.raises(Exception, match="FundInstallerZeroAddress"):
            chain.deploy("FundInstaller", *args, sender=accounts[0])
    installer = chain.contract("FundInstaller", fund_installer["installer"])
    assert installer.functions.fundImplementation().call() == impl
    assert (
        installer.functions.propertyRegistryImplementation().call()
        == fund_installer["implementations"]["PropertyRegistry"]
    )


def test_deploy_direct_installs_and_registers(
    chain: Chain,
    accounts: list[LocalAccount],
    fresh_coop: Cooperative,
    fund_installer: dict[str, Any],
) -> None:
    record = deploy_fund_and_property(
        chain,
        accounts[0],
        fresh_coop.addresses.to_dict(),
        FundParams(rules=RULES, installer=fund_installer["installer"]),
    )
    assert record["installed"] is True
    assert record["installation"] == 0
    assert record["obligation_source"] == "direct"
    assert record["pending_actions"] == []
    assert record["installer"] == fund_installer["installer"]
    assert record["implementations"] == fund_installer["implementations"]
    assert 0 < record["install_gas"] < record["gas_used"]
    membership = chain.contract("Membership", fresh_coop.addresses.membership)
    assert record["mutual_aid_fund"] in membership.functions.obligationSources().call()
    registry = chain.contract("PropertyRegistry", record["property_registry"])
    assert registry.functions.name().call() == "Кооператив «Установка»: property"
    assert registry.functions.symbol().call() == "INSTP"


def test_deploy_without_registration_only_installs(
    chain: Chain,
    accounts: list[LocalAccount],
    fresh_coop: Cooperative,
    fund_installer: dict[str, Any],
) -> None:
    record = deploy_fund_and_property(
        chain,
        accounts[0],
        fresh_coop.addresses.to_dict(),
        FundParams(installer=fund_installer["installer"], register_obligation_source=False),
    )
    assert record["obligation_source"] == "skipped"
    assert record["install_gas"] == record["gas_used"]
    assert chain.has_code(record["mutual_aid_fund"])
    membership = chain.contract("Membership", fresh_coop.addresses.membership)
    assert record["mutual_aid_fund"] not in membership.functions.obligationSources().call()


def test_deploy_refuses_bad_input_before_sending_anything(
    chain: Chain,
    accounts: list[LocalAccount],
    fresh_coop: Cooperative,
    fund_installer: dict[str, Any],
) -> None:
    installer_address = fund_installer["installer"]
    charter = fresh_coop.addresses.charter
    before = installer_state(chain, installer_address, charter)
    nonce = chain.w3.eth.get_transaction_count(accounts[0].address)
    with pytest.raises(TransactionReverted) as info:
        deploy_fund_and_property(
            chain,
            accounts[0],
            fresh_coop.addresses.to_dict(),
            FundParams(rules=FundRules(reserve_bps=10_000), installer=installer_address),
        )
    assert info.value.error == "MutualAidFundInvalidRules"
    addresses = {**fresh_coop.addresses.to_dict(), "membership": accounts[3].address}
    with pytest.raises(FundDeployError, match="not the membership register"):
        deploy_fund_and_property(
            chain, accounts[0], addresses, FundParams(installer=installer_address)
        )
    with pytest.raises(FundDeployError, match="not an address"):
        deploy_fund_and_property(
            chain,
            accounts[0],
            {**fresh_coop.addresses.to_dict(), "charter": "0x1234"},
            FundParams(installer=installer_address),
        )
    for wrong in (accounts[5].address, fresh_coop.addresses.charter, "not an address"):
        with pytest.raises(FundDeployError, match=r"FundInstaller|not an address"):
            deploy_fund_and_property(
                chain, accounts[0], fresh_coop.addresses.to_dict(), FundParams(installer=wrong)
            )
    assert installer_state(chain, installer_address, charter) == before
    assert chain.w3.eth.get_transaction_count(accounts[0].address) == nonce


def test_council_installs_and_registers_in_one_decision(chain: Chain, world: World) -> None:
    """The session fund (tests/fund/conftest.py) was installed by the council's decision."""
    record = world.record
    council = world.sb.governance.council.address
    assert world.sb.cooperative.charter.functions.decisionExecutor().call() == council
    assert record["installed"] is True
    assert record["obligation_source"] == "council"
    assert record["install_gas"] is None  # the council's execution carried it
    installer = chain.contract("FundInstaller", str(record["installer"]))
    charter = world.sb.cooperative.addresses.charter
    assert installer.functions.installations(charter).call() == 1
    membership = chain.contract("Membership", world.sb.cooperative.addresses.membership)
    assert world.fund.address in membership.functions.obligationSources().call()
    assert world.fund.contract.functions.charter().call() == charter


def test_pending_installation_is_decided_later(chain: Chain, world: World) -> None:
    """Without council signers nothing is sent: the council runs the two actions later."""
    sb = world.sb
    charter = sb.cooperative.addresses.charter
    installer = chain.contract("FundInstaller", str(world.record["installer"]))
    record = deploy_fund_and_property(
        chain,
        sb.deployer,
        sb.cooperative.addresses.to_dict(),
        FundParams(rules=RULES, installer=installer.address),
    )
    assert record["installed"] is False
    assert record["obligation_source"] == "pending"
    assert record["gas_used"] == 0
    assert record["installation"] is None
    fund_address = record["mutual_aid_fund"]
    assert [fund_address, record["property_registry"]] == (
        installer.functions.predictAddresses(charter).call()
    )
    assert not chain.has_code(fund_address)
    actions = [Action(a["target"], bytes.fromhex(a["data"][2:])) for a in record["pending_actions"]]
    assert [a.target for a in actions] == [installer.address, sb.cooperative.addresses.membership]

    sent = council_decides(world, actions, "install a second fund")
    (event,) = events(installer, "FundInstalled", sent.receipt)
    assert event["args"]["fund"] == fund_address
    assert event["args"]["installation"] == 1
    membership = chain.contract("Membership", sb.cooperative.addresses.membership)
    assert fund_address in membership.functions.obligationSources().call()


def test_council_cannot_be_bypassed(chain: Chain, world: World) -> None:
    """With the council as executor, no key installs directly, not even the chair's."""
    installer = chain.contract("FundInstaller", str(world.record["installer"]))
    charter = world.sb.cooperative.addresses.charter
    for who in (world.sb.deployer, world.chair):
        expect_revert(
            lambda who=who: chain.transact(
                installer.functions.install(charter, RULES_ABI, PROPERTY), who
            ),
            "FundInstallerNotDecisionExecutor",
            charter,
            who.address,
        )


# -- the indexer finds the fund and the register from the chain alone ---------------------------


def _deploy_raw(chain: Chain, sender: LocalAccount, init_code: bytes) -> str:
    tx: dict[str, Any] = {
        "from": sender.address,
        "nonce": chain.w3.eth.get_transaction_count(sender.address, "pending"),
        "chainId": chain.chain_id,
        "data": init_code,
        "value": 0,
        "gasPrice": chain.w3.eth.gas_price,
        "gas": 200_000,
    }
    signed = sender.sign_transaction(tx)
    tx_hash = chain.w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60, poll_latency=0.05)
    assert receipt["status"] == 1
    return checksum(str(receipt["contractAddress"]))


def fake_announcer(chain: Chain, sender: LocalAccount, charter: str, fund: str, reg: str) -> str:
    """A contract that, when called, emits a genuine-looking
    `FundInstalled(charter, fund, reg, 0)` without being an installer."""

    def push32(value: bytes) -> bytes:
        return b"\x7f" + value.rjust(32, b"\0")

    topic0 = keccak(text="FundInstalled(address,address,address,uint256)")
    runtime = (
        push32(bytes.fromhex(reg[2:]))
        + push32(bytes.fromhex(fund[2:]))
        + push32(bytes.fromhex(charter[2:]))
        + push32(topic0)
        + bytes.fromhex("60206000a400")  # LOG4(offset 0, size 32); STOP
    )
    n = len(runtime)
    init = bytes([0x60, n, 0x60, 13, 0x60, 0, 0x39, 0x60, n, 0x60, 0, 0xF3]) + b"\0"
    assert len(init) == 13
    return _deploy_raw(chain, sender, init + runtime)


def test_indexer_discovers_fund_and_register_from_the_registry_alone(
    chain: Chain, accounts: list[LocalAccount], tmp_path: Path
) -> None:
    deployer, council = accounts[0], accounts[1:4]
    start = chain.w3.eth.block_number + 1
    network = deploy_network(chain, deployer)
    installer = deploy_installer(chain, deployer)["installer"]
    coop = make_coop(chain, deployer, council, network.factory)
    charter = coop.addresses.charter
    record = deploy_fund_and_property(
        chain,
        deployer,
        coop.addresses.to_dict(),
        FundParams(rules=RULES, installer=installer, base_uri="https://a.example/"),
    )
    fund, registry = record["mutual_aid_fund"], record["property_registry"]
    # A look-alike naming the real charter must not make the indexer watch its addresses.
    decoys = [checksum("0x" + keccak(text=f"decoy {i}").hex()[-40:]) for i in (1, 2)]
    fake = fake_announcer(chain, deployer, charter, *decoys)
    chain.w3.eth.wait_for_transaction_receipt(
        chain.w3.eth.send_transaction({"from": deployer.address, "to": fake, "gas": 100_000})
    )

    db = f"sqlite:///{tmp_path / 'mirror.db'}"
    idx = make_indexer(chain, db, roots=[network.registry], start_block=start)
    try:
        idx.sync_once()
        watched = {
            r.address: (r.source, r.event_name)
            for r in rows(db, "SELECT address, source, event_name FROM idx_watched_address")
        }
        assert watched[network.registry] == ("root", None)
        assert watched[charter] == ("discovered", "CooperativeRegistered")
        assert watched[fund] == ("discovered", "FundInstalled")
        assert watched[registry] == ("discovered", "FundInstalled")
        assert installer not in watched and fake not in watched
        assert not set(decoys) & set(watched)

        def names(address: str) -> list[str]:
            sql = (
                "SELECT event_name FROM idx_raw_event WHERE address = :a "
                "ORDER BY block_number, log_index"
            )
            return [r.event_name for r in rows(db, sql, a=address)]

        # The clones' initialisation events, emitted in the installing transaction itself.
        assert names(fund) == ["RulesChanged", "Initialized"]
        assert names(registry) == ["BaseURIChanged", "Initialized"]
        assert names(installer) == ["FundInstalled"]
        assert names(fake) == []
        config = rows(db, "SELECT action FROM coop_config_event WHERE contract = :c", c=fund)
        assert [r.action for r in config] == ["fund_rules"]

        # Later steps: governance installed and handed the role, a second fund installed by a
        # council decision; both announced by installers that are no roots either.
        gov = deploy_governance(
            chain, deployer, coop.addresses, [a.address for a in council], GovernanceParams()
        )
        registry_contract = chain.contract("PropertyRegistry", registry)
        council_address = gov["council"]
        second = deploy_fund_and_property(
            chain,
            deployer,
            coop.addresses.to_dict(),
            FundParams(
                rules=RULES,
                installer=installer,
                council=CouncilSigners(council[0], council[:2], council[0]),
                register_obligation_source=False,
            ),
        )
        assert second["obligation_source"] == "skipped" and second["installed"]
        assert registry_contract.functions.charter().call() == charter
        idx.sync_once()
        watched = {
            r.address: r.event_name
            for r in rows(db, "SELECT address, event_name FROM idx_watched_address")
        }
        assert watched[council_address] == "GovernanceInstalled"
        assert watched[gov["general_meeting"]] == "GovernanceInstalled"
        assert watched[second["mutual_aid_fund"]] == "FundInstalled"
        assert watched[second["property_registry"]] == "FundInstalled"
        assert names(second["mutual_aid_fund"]) == ["RulesChanged", "Initialized"]
        assert "CouncilItemExecuted" in names(council_address)
    finally:
        idx.close()


def test_installer_code_check_accepts_only_the_compiled_code(
    chain: Chain, fund_installer: dict[str, Any]
) -> None:
    """The indexer's check: deployed code = compiled runtime code with the address immutables
    filled in; any other byte changed, or a non-address immutable, is another contract."""
    import json

    from indexer.run import _immutable_slots, _same_code

    manifest = json.loads(chain.artifacts.path.read_text())
    compiled = bytes.fromhex(
        manifest["contractTypes"]["FundInstaller"]["runtimeBytecode"]["bytecode"][2:]
    )
    deployed = bytes(chain.w3.eth.get_code(fund_installer["installer"]))
    slots = _immutable_slots(compiled)
    assert len(slots) >= 2  # each implementation is read in at least one place
    assert deployed != compiled and _same_code(deployed, compiled)
    governance = manifest["contractTypes"]["GovernanceInstaller"]["runtimeBytecode"]["bytecode"]
    assert not _same_code(deployed, bytes.fromhex(governance[2:]))

    tampered = bytearray(deployed)
    at = next(
        i
        for i in range(len(deployed) // 2, len(deployed))
        if not any(s <= i < s + 32 for s in slots)
    )
    tampered[at] ^= 0x01
    assert not _same_code(bytes(tampered), compiled)
    not_an_address = bytearray(deployed)
    not_an_address[slots[0]] = 0x01  # a 32-byte value with a high byte set
    assert not _same_code(bytes(not_an_address), compiled)
    assert not _same_code(deployed + b"\0", compiled)
