"""The Python deploy paths: description validation, `coop deploy`, the demo network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from node.chain.client import Chain
from node.chain.devkeys import demo_auditor, dev_accounts
from node.cooperative.cli import deploy
from node.cooperative.client import Cooperative, MemberStatus
from node.cooperative.demo import deploy_demo
from node.cooperative.description import DescriptionError, load_description, parse_description
from node.core.config import ANVIL_DEV_KEY, PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "cooperative.yaml"


def test_example_description_is_valid() -> None:
    description = load_description(EXAMPLE)
    assert description.fund_split.basis_points() == [0, 5_000, 2_500, 2_500]
    assert description.units(description.individual_fees.minimum_share) == 1_000 * 10**18
    assert description.governance is not None and description.fund is not None
    assert description.governance.quorum_schedule() == (7_500, 5_000, 2_500)
    assert description.record_slug == "roma"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "bank"}, "kind"),
        ({"chair": "0x123"}, "not an Ethereum address"),
        ({"council": []}, "council"),
        ({"fund_split": {"share": 50, "reserve": 60, "mutual_aid": 0, "development": 0}}, "100"),
        ({"charter_document": "0x12"}, "32-byte"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"name": "я" * 200}, "255 bytes"),
    ],
)
def test_invalid_descriptions_say_what_is_wrong(change: dict[str, object], message: str) -> None:
    data = yaml.safe_load(EXAMPLE.read_text())
    data.update(change)
    with pytest.raises(DescriptionError) as info:
        parse_description(data)
    assert message in str(info.value)


def test_coop_deploy_prints_addresses(chain: Chain, tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text())
    # The factory's set alone (fund, governance: tests/node/test_coop_deploy_record.py).
    data.pop("fund"), data.pop("governance")
    data["name"] = "Кооператив из CLI"
    path = tmp_path / "coop.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    result = CliRunner().invoke(
        deploy, [str(path), "--rpc-url", chain.rpc_url, "--key", ANVIL_DEV_KEY]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    coop = Cooperative.from_charter(chain, record["cooperative"]["charter"])
    assert coop.charter.functions.name().call() == "Кооператив из CLI"
    assert record["gas_used"] < 1_000_000


def test_coop_deploy_reports_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed")
    result = CliRunner().invoke(deploy, [str(path), "--rpc-url", "http://127.0.0.1:1"])
    assert result.exit_code != 0
    assert "not YAML or JSON" in result.output


def test_demo_network(chain: Chain) -> None:
    record = deploy_demo(chain, dev_accounts(10)[0])
    json.dumps(record)  # JSON-serialisable
    coops = record["cooperatives"]
    romashka = Cooperative.from_charter(chain, coops["romashka"]["charter"])
    union = Cooperative.from_charter(chain, coops["union"]["charter"])
    assert romashka.active_member_count() == 3
    assert len(coops["romashka"]["council"]) == 3
    assert union.active_member_count() == 2
    # The demo's auditor is a fact on chain, appointed by a decision.
    assert coops["romashka"]["auditors"] == [demo_auditor().address]
    assert romashka.is_auditor(demo_auditor().address)
    assert not romashka.is_auditor(dev_accounts(10)[1].address)
    for member in coops["union"]["members"]:
        assert union.status(member["address"]) is MemberStatus.MEMBER
    assert "CooperativeFactory" in record["contracts"]
    # The bank page works in the demo: BankSettlements recorded, a cashier by decision.
    bank = coops["romashka"]["bank_settlements"]
    assert record["contracts"]["romashka.bank_settlements"] == bank
    assert romashka.charter.functions.isCashier(bank).call()
