"""A chain's finality and EVM version as settings: `COOP_CHAIN_CONFIRMATIONS` (0 on a BFT
chain) is the indexer's finality depth unless the indexer's own is set, and the depth at which
a relayed transaction counts as indexed; `COOP_EVM_VERSION` picks the matching build."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from indexer.config import IndexerSettings
from indexer.run import with_chain_finality
from node.api.models import Relay
from node.api.relay import advance
from node.core.config import PROJECT_ROOT, Settings


def test_confirmations_are_the_indexers_finality_unless_it_has_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COOP_INDEXER_FINALITY_DEPTH", raising=False)
    bft = Settings(chain_confirmations=0)
    assert with_chain_finality(IndexerSettings(), bft).finality_depth == 0
    probabilistic = Settings(chain_confirmations=30)
    assert with_chain_finality(IndexerSettings(), probabilistic).finality_depth == 30
    # The indexer's own setting wins (COOP_INDEXER_FINALITY_DEPTH), and unset is its default.
    assert with_chain_finality(IndexerSettings(finality_depth=5), bft).finality_depth == 5
    assert with_chain_finality(IndexerSettings(), Settings()).finality_depth == 12
    monkeypatch.setenv("COOP_CHAIN_CONFIRMATIONS", "0")
    assert Settings().chain_confirmations == 0
    with pytest.raises(ValueError):
        Settings(chain_confirmations=-1)


def test_a_relay_is_indexed_once_final() -> None:
    def relay() -> Relay:
        return Relay(
            id="r", kind="transaction", account="0x" + "11" * 20, status="mined",
            block_number=100, created_at=0, updated_at=0,
        )  # fmt: skip

    probabilistic = SimpleNamespace(settings=Settings(chain_confirmations=12))
    row = relay()
    assert not advance(probabilistic, row, lambda: 111)  # type: ignore[arg-type]
    assert row.status == "mined"
    assert advance(probabilistic, row, lambda: 112)  # type: ignore[arg-type]
    assert row.status == "indexed"
    bft = SimpleNamespace(settings=Settings(chain_confirmations=0))
    row = relay()
    assert advance(bft, row, lambda: 100)  # type: ignore[arg-type]
    assert row.status == "indexed"


def test_the_evm_version_picks_its_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COOP_ARTIFACTS", raising=False)
    assert Settings().artifacts_path == PROJECT_ROOT / ".build" / "__local__.json"
    paris = Settings(evm_version="paris")
    assert paris.artifacts_path == PROJECT_ROOT / ".build" / "evm-paris" / "__local__.json"
    chosen = Settings(evm_version="paris", artifacts_path="/srv/coop/paris.json")
    assert str(chosen.artifacts_path) == "/srv/coop/paris.json"
    with pytest.raises(ValueError):
        Settings(evm_version="frontier")
