"""`coop deploy --record`: a whole cooperative (factory set, fund and register, council and
general meeting with the executor's role handed over) written to the record `coop serve`
reads, resumable after an interruption, refusing what would stop half-way before sending."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from indexer.run import roots_from_record
from node.api.gateway import resolve_cooperative
from node.chain.client import Chain
from node.chain.deployment import record_matches_chain
from node.cooperative.cli import deploy
from node.core.config import ANVIL_DEV_KEY, PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "cooperative.yaml"
DAY = 24 * 3600

FUND = {"loan_to_contribution_percent": 150, "reserve_percent": 25, "interest_percent": 1.5}
GOVERNANCE = {"item_expiry_days": 10, "notice_period_days": 7, "quorum_percent": [75, 50, 25]}


def _description(tmp_path: Path, **sections: Any) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text())
    data.pop("fund"), data.pop("governance")
    data.update(name="Кооператив «Запись»", symbol="ZAP", **sections)
    path = tmp_path / "coop.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def _deploy(chain: Chain, description: Path, record: Path, key: str = ANVIL_DEV_KEY) -> Any:
    return CliRunner().invoke(
        deploy,
        [str(description), "--rpc-url", chain.rpc_url, "--key", key, "--record", str(record)],
    )


def test_a_whole_cooperative_lands_in_the_record_coop_serve_reads(
    chain: Chain, accounts: list[LocalAccount], tmp_path: Path
) -> None:
    record_path = tmp_path / "data" / "deployment.json"
    result = _deploy(chain, _description(tmp_path, fund=FUND, governance=GOVERNANCE), record_path)
    assert result.exit_code == 0, result.output
    record = json.loads(record_path.read_text())
    assert json.loads(result.output) == record
    assert record_matches_chain(record, chain)
    entry = record["cooperatives"]["zap"]

    # The council runs the cooperative: no single key is its executor any more.
    charter = chain.contract("Charter", entry["charter"])
    council = to_checksum_address(charter.functions.decisionExecutor().call())
    assert council == entry["council_contract"] == record["contracts"]["zap.council"]
    meeting = chain.contract("GeneralMeeting", entry["general_meeting"])
    assert list(meeting.functions.quorumSchedule().call()) == [7_500, 5_000, 2_500]
    assert meeting.functions.noticePeriod().call() == 7 * DAY

    # The fund has the described rules and holds borrowers to their loans on exit.
    fund = chain.contract("MutualAidFund", entry["mutual_aid_fund"])
    rules = fund.functions.rules().call()
    assert tuple(rules[:3]) == (15_000, 2_500, 150)
    membership = chain.contract("Membership", entry["membership"])
    sources = {to_checksum_address(a) for a in membership.functions.obligationSources().call()}
    assert to_checksum_address(entry["mutual_aid_fund"]) in sources

    # What the gateway and the indexer take from the record.
    slug, charter_address, _ = resolve_cooperative(record, "zap")
    assert (slug, charter_address) == ("zap", entry["charter"])
    roots = roots_from_record(record)
    assert entry["council_contract"] in roots and record["contracts"]["NetworkRegistry"] in roots
    # The chain's passkey account factory, which the gateway's passkey routes use.
    passkeys = chain.contract("PasskeyAccountFactory", record["contracts"]["PasskeyAccountFactory"])
    assert chain.has_code(passkeys.functions.implementation().call())

    # A rerun finds everything done and sends nothing.
    nonce = chain.w3.eth.get_transaction_count(accounts[0].address)
    again = _deploy(chain, _description(tmp_path, fund=FUND, governance=GOVERNANCE), record_path)
    assert again.exit_code == 0, again.output
    assert chain.w3.eth.get_transaction_count(accounts[0].address) == nonce
    assert json.loads(record_path.read_text()) == record


def test_an_interrupted_deployment_is_finished_by_a_rerun(
    chain: Chain, accounts: list[LocalAccount], tmp_path: Path
) -> None:
    record_path = tmp_path / "deployment.json"
    # The first run stops after the fund (as if governance had failed or been left for later).
    first = _deploy(chain, _description(tmp_path, fund=FUND), record_path)
    assert first.exit_code == 0, first.output
    before = json.loads(record_path.read_text())["cooperatives"]["zap"]
    assert "council_contract" not in before

    second = _deploy(chain, _description(tmp_path, fund=FUND, governance=GOVERNANCE), record_path)
    assert second.exit_code == 0, second.output
    after = json.loads(record_path.read_text())["cooperatives"]["zap"]
    # Same cooperative and fund, not a second one; governance added.
    assert (after["charter"], after["mutual_aid_fund"]) == (
        before["charter"],
        before["mutual_aid_fund"],
    )
    charter = chain.contract("Charter", after["charter"])
    assert (
        to_checksum_address(charter.functions.decisionExecutor().call())
        == (after["council_contract"])
    )

    # A second cooperative of the same network joins the same record and factory.
    other = yaml.safe_load(_description(tmp_path).read_text())
    other.update(name="Второй кооператив", symbol="TWO")
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(other, allow_unicode=True))
    third = _deploy(chain, path, record_path)
    assert third.exit_code == 0, third.output
    record = json.loads(record_path.read_text())
    assert set(record["cooperatives"]) == {"zap", "two"}
    factory = chain.contract("CooperativeFactory", record["contracts"]["CooperativeFactory"])
    assert factory.address == record["network"]["factory"]


def test_refusals_send_nothing_and_write_nothing(
    chain: Chain, accounts: list[LocalAccount], tmp_path: Path
) -> None:
    nonce = chain.w3.eth.get_transaction_count(accounts[5].address)
    record_path = tmp_path / "deployment.json"

    # Governance needs the deployer to be the decision executor (it hands the role over).
    result = _deploy(
        chain,
        _description(tmp_path, governance=GOVERNANCE),
        record_path,
        key="0x" + accounts[5].key.hex().removeprefix("0x"),
    )
    assert result.exit_code != 0
    assert "decision_executor" in result.output
    assert not record_path.exists()
    assert chain.w3.eth.get_transaction_count(accounts[5].address) == nonce

    # A record of another chain is never extended.
    foreign = {"contracts": {}, "chain_id": 1, "genesis_hash": "0x" + "00" * 32}
    record_path.write_text(json.dumps(foreign))
    result = _deploy(chain, _description(tmp_path, fund=FUND), record_path)
    assert result.exit_code != 0
    assert "another chain" in result.output
    assert json.loads(record_path.read_text()) == foreign

    # Bad sections are reported with their field, before anything is sent.
    for sections, message in (
        ({"governance": {"quorum_percent": [100]}}, "could never be exceeded"),
        ({"fund": {"reserve_percent": 100}}, "reserve_percent"),
        ({"governance": {"item_expiry_days": 0}}, "item_expiry_days"),
        ({"slug": "Не латиница"}, "slug"),
    ):
        record_path.unlink(missing_ok=True)
        result = _deploy(chain, _description(tmp_path, **sections), record_path)
        assert result.exit_code != 0
        assert message in result.output, result.output
        assert not record_path.exists()
