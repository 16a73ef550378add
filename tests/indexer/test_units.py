"""Pure parts of the indexer: value encoding, address discovery walk, error classification,
the adaptive range and settings parsing. No chain, no database."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.config import IndexerSettings
from indexer.decode import EventSpec
from indexer.ranges import AdaptiveRange
from indexer.rpc import RpcError, is_range_limit, suggested_range

A1 = "0x" + "ab" * 20
A2 = "0x" + "22" * 20
A3 = "0x" + "33" * 20

#: A synthetic event with every address shape discovery must see. Tests may build ABI items;
#: the node itself only decodes with the compiled artifacts.
CREATED: dict[str, Any] = {
    "type": "event",
    "name": "CooperativeCreated",
    "inputs": [
        {"name": "charter", "type": "address", "indexed": True},
        {"name": "id", "type": "uint256", "indexed": True},
        {"name": "modules", "type": "address[]", "indexed": False},
        {
            "name": "info",
            "type": "tuple",
            "indexed": False,
            "components": [
                {"name": "treasury", "type": "address"},
                {"name": "shares", "type": "uint256"},
                {"name": "tags", "type": "bytes32[2]"},
            ],
        },
        {"name": "delta", "type": "int256", "indexed": False},
    ],
}


def _encode_created() -> tuple[list[str], str]:
    from eth_abi import encode

    topics = [
        "0x" + "00" * 32,
        "0x" + "00" * 12 + A1[2:],
        "0x" + (2**256 - 1).to_bytes(32, "big").hex(),
    ]
    data = encode(
        ["address[]", "(address,uint256,bytes32[2])", "int256"],
        [[A2, A3], (A3, 2**200, [b"\x01" * 32, b"\x02" * 32]), -5],
    )
    return topics, "0x" + data.hex()


def test_values_are_exact_json_and_every_address_is_found() -> None:
    spec = EventSpec.from_abi(CREATED)
    topics, data = _encode_created()
    args = spec.decode(topics, data)
    assert args["id"] == str(2**256 - 1)  # uint256 beyond any JSON number, exact
    assert args["info"]["shares"] == str(2**200)
    assert args["delta"] == "-5"
    assert args["info"]["tags"] == ["0x" + "01" * 32, "0x" + "02" * 32]
    assert args["charter"].lower() == A1 and args["charter"] != A1  # checksummed
    found = [a.lower() for a in spec.addresses(args)]
    assert found == [A1, A2, A3, A3]
    assert (
        spec.signature
        == "CooperativeCreated(address,uint256,address[],(address,uint256,bytes32[2]),int256)"
    )


def test_limit_errors_are_recognised() -> None:
    assert is_range_limit(RpcError("eth_getLogs", -32005, "query returned more than 10000 results"))
    assert is_range_limit(RpcError("eth_getLogs", -32000, "Log response size exceeded."))
    assert is_range_limit(RpcError("eth_getLogs", -32602, "block range too large"))
    assert not is_range_limit(RpcError("eth_getLogs", -32601, "method not found"))
    err = RpcError("eth_getLogs", -32602, "try with this block range [0x10, 0x1f]")
    assert suggested_range(err) == 16


def test_adaptive_range_shrinks_grows_and_remembers_a_ceiling() -> None:
    r = AdaptiveRange(initial=100, minimum=1, maximum=1000)
    assert r.shrink(100)
    assert r.size == 50
    r.success(50)
    assert r.size == 99  # not back to the size that just failed
    r.success(99)
    assert r.size == 99
    for _ in range(20):
        r.success(r.size)
    assert r.size == 1000  # the ceiling is forgotten after a run of successes
    small = AdaptiveRange(initial=1, minimum=1, maximum=8)
    assert not small.shrink(1)
    assert small.stats.limit_errors == 1 and small.stats.shrinks == 0


def test_settings_accept_comma_separated_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_INDEXER_ROOTS", f"{A1},{A2}")
    monkeypatch.setenv("COOP_INDEXER_DISCOVERY_EVENTS", "CooperativeCreated,ModuleAdded")
    s = IndexerSettings()
    assert [r.lower() for r in s.roots] == [A1, A2]
    assert s.discovery_events == {"CooperativeCreated", "ModuleAdded"}
    assert not s.watches_all
    assert IndexerSettings(roots=[]).watches_all
    with pytest.raises(ValueError):
        IndexerSettings(initial_range=10, max_range=5)
