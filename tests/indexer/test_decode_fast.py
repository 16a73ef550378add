"""The static-word decoder (hex slicing) answers exactly what eth_abi answers, and refuses
exactly what eth_abi refuses (non-empty padding, out-of-range values), for every one-word type."""

from __future__ import annotations

import random
from typing import Any

import pytest
from eth_abi import decode as abi_decode

from indexer.decode import _word_reader, to_json

TYPES = ["uint8", "uint64", "uint256", "int8", "int128", "int256", "address", "bool"]
TYPES += ["bytes1", "bytes4", "bytes32"]


def _words(rng: random.Random) -> list[int]:
    out = [0, 1, 2, 2**255, 2**256 - 1, 2**160 - 1, 2**160, 255, 256, 2**255 - 1]
    for _ in range(2_000):
        mode = rng.randrange(5)
        if mode == 0:
            out.append(rng.getrandbits(256))
        elif mode == 1:
            out.append(rng.getrandbits(rng.randrange(1, 257)))
        elif mode == 2:
            out.append(2**256 - 1 - rng.getrandbits(rng.randrange(1, 256)))
        elif mode == 3:
            out.append(rng.randrange(3))
        else:
            out.append(rng.getrandbits(8) << (8 * rng.randrange(32)))
    return out


def _outcome(fn: Any) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except Exception:  # both refuse: the decoder then tries the next layout
        return "refused", None


@pytest.mark.parametrize("kind", TYPES)
def test_word_reader_equals_eth_abi(kind: str) -> None:
    read = _word_reader({"type": kind})
    assert read is not None
    for value in _words(random.Random(kind)):
        word = f"{value:064x}"
        expected = _outcome(
            lambda w=word: to_json({"type": kind}, abi_decode([kind], bytes.fromhex(w))[0])
        )
        assert _outcome(lambda w=word: read(w)) == expected, (kind, word)


def test_dynamic_and_composite_types_keep_eth_abi() -> None:
    for kind in ("string", "bytes", "uint256[]", "address[2]", "tuple"):
        assert _word_reader({"type": kind, "components": []}) is None
