"""Log decoding with the project's compiled ABIs, into JSON that keeps every value exact.

Values become JSON by their ABI type, not their Python type: uint/int as decimal strings
(a uint256 does not fit a JSON number), bytes as 0x-hex, addresses EIP-55 checksummed, tuples
as objects by component name. The same walk finds every address-typed value (plain, in arrays,
in tuples) for address discovery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak
from web3 import Web3

from node.chain.artifacts import Artifacts, _signature

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@lru_cache(maxsize=65536)
def checksum(address: str) -> str:
    """EIP-55 form; cached because the same few contracts emit most logs."""
    return Web3.to_checksum_address(address)


def _is_array(kind: str) -> bool:
    return kind.endswith("]")


def _element(kind: str) -> str:
    return kind[: kind.rindex("[")]


def _is_dynamic(param: dict[str, Any]) -> bool:
    kind = str(param["type"])
    if kind in ("string", "bytes") or kind.endswith("[]"):
        return True
    if _is_array(kind):
        return _is_dynamic({**param, "type": _element(kind)})
    if kind == "tuple":
        return any(_is_dynamic(c) for c in param.get("components", []))
    return False


def _abi_type(param: dict[str, Any]) -> str:
    """The canonical type string eth_abi wants ("(address,uint256)[]" for tuple arrays)."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param.get("components", []))
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def to_json(param: dict[str, Any], value: Any) -> Any:
    """A decoded ABI value as exact JSON, guided by its ABI parameter."""
    kind = str(param["type"])
    if _is_array(kind):
        inner = {**param, "type": _element(kind)}
        return [to_json(inner, v) for v in value]
    if kind == "tuple":
        comps = param.get("components", [])
        return {
            (c.get("name") or f"_{i}"): to_json(c, v)
            for i, (c, v) in enumerate(zip(comps, value, strict=True))
        }
    if kind == "address":
        return checksum(value)
    if kind.startswith(("uint", "int")):
        return str(value)
    if kind == "bool":
        return bool(value)
    if kind == "string":
        return value
    if kind.startswith("bytes"):
        return "0x" + bytes(value).hex()
    raise ValueError(f"unsupported ABI type {kind}")  # pragma: no cover - solc emits no others


def addresses_in(param: dict[str, Any], value: Any) -> Iterator[str]:
    """Every address-typed value inside one JSON argument (arrays and tuples included)."""
    kind = str(param["type"])
    if _is_array(kind):
        inner = {**param, "type": _element(kind)}
        for v in value:
            yield from addresses_in(inner, v)
    elif kind == "tuple":
        for i, comp in enumerate(param.get("components", [])):
            yield from addresses_in(comp, value[comp.get("name") or f"_{i}"])
    elif kind == "address":
        yield value


def _topic_value(param: dict[str, Any], topic: str) -> Any:
    """An indexed argument from its topic. Dynamic types are only their keccak hash."""
    kind = str(param["type"])
    if _is_dynamic(param) or kind == "tuple" or _is_array(kind):
        return topic  # the hash is all the log carries
    if kind == "address":
        return checksum("0x" + topic[-40:])
    if kind.startswith("uint"):
        return str(int(topic, 16))
    if kind.startswith("int"):
        bits = int(kind[3:] or 256)
        raw = int(topic, 16) & ((1 << bits) - 1)
        return str(raw - (1 << bits) if raw >> (bits - 1) else raw)
    if kind == "bool":
        return int(topic, 16) != 0
    if kind.startswith("bytes"):
        return "0x" + topic[2 : 2 + 2 * int(kind[5:])]
    raise ValueError(f"unsupported indexed type {kind}")  # pragma: no cover


def _word_reader(param: dict[str, Any]) -> Callable[[str], Any] | None:
    """A converter from one 64-hex-digit ABI word to the exact JSON `to_json` gives, for the
    static one-word types (uintN, intN, address, bool, bytesN); None for every other type.

    It validates like eth_abi's decoders (padding bytes zero, a value within its bits), so a
    word eth_abi would refuse is refused here too (DecodingError) and the decoder tries the
    next layout exactly as before.
    """
    kind = str(param["type"])
    if kind == "address":

        def read_address(word: str) -> str:
            if word[:24] != "0" * 24:
                raise DecodingError("address with non-empty padding bytes")
            return checksum("0x" + word[24:])

        return read_address
    if kind == "bool":

        def read_bool(word: str) -> bool:
            value = int(word, 16)
            if value > 1:
                raise DecodingError("bool with non-empty padding bytes")
            return value == 1

        return read_bool
    if kind.startswith("uint") and not _is_array(kind):
        bits = int(kind[4:] or 256)
        limit = 1 << bits

        def read_uint(word: str) -> str:
            value = int(word, 16)
            if value >= limit:
                raise DecodingError(f"{kind} out of bounds")
            return str(value)

        return read_uint
    if kind.startswith("int") and not _is_array(kind):
        bits = int(kind[3:] or 256)
        low, high = -(1 << (bits - 1)), 1 << (bits - 1)

        def read_int(word: str) -> str:
            value = int(word, 16)
            if value >> 255:
                value -= 1 << 256
            if not low <= value < high:
                raise DecodingError(f"{kind} out of bounds")
            return str(value)

        return read_int
    if kind.startswith("bytes") and kind != "bytes" and not _is_array(kind):
        width = 2 * int(kind[5:])

        def read_bytes(word: str) -> str:
            if word[width:].strip("0"):
                raise DecodingError(f"{kind} with non-empty padding bytes")
            return "0x" + word[:width].lower()

        return read_bytes
    return None


def _topic_reader(param: dict[str, Any]) -> Callable[[str], Any]:
    """`_topic_value` for one indexed input, with the type dispatch done once (addresses and
    uints, the common cases, get a direct converter)."""
    kind = str(param["type"])
    if kind == "address":
        return lambda topic: checksum("0x" + topic[-40:])
    if kind.startswith("uint") and not _is_array(kind):
        return lambda topic: str(int(topic, 16))
    return lambda topic: _topic_value(param, topic)


def _fast_decoder(
    signature: str,
    names: tuple[str, ...],
    indexed: tuple[int, ...],
    unindexed: tuple[int, ...],
    topic_readers: tuple[Callable[[str], Any], ...],
    readers: tuple[Callable[[str], Any], ...],
) -> Callable[[list[str], str], dict[str, Any]]:
    """One function decoding an event whose data holds static words only: a dict display of
    the readers applied to the topics and to slices of the data's hex, in input order (what
    `EventSpec.decode`'s loops build, without the loops)."""
    env: dict[str, Any] = {"DecodingError": DecodingError}
    source: dict[int, str] = {}
    for j, pos in enumerate(indexed):
        env[f"t{j}"] = topic_readers[j]
        source[pos] = f"t{j}(topics[{j + 1}])"
    for n, pos in enumerate(unindexed):
        env[f"w{n}"] = readers[n]
        source[pos] = f"w{n}(data[{2 + 64 * n}:{66 + 64 * n}])"
    if unindexed:
        check = (
            f"    if len(data) < {2 + 64 * len(unindexed)} or data[:2] not in ('0x', '0X'):\n"
            f"        raise DecodingError({signature + ': data too short'!r})\n"
        )
    else:
        check = (
            "    if data not in ('0x', ''):\n"
            f"        raise DecodingError({signature + ': unexpected data'!r})\n"
        )
    body = ", ".join(f"{names[p]!r}: {source[p]}" for p in range(len(names)))
    exec(f"def fast(topics, data):\n{check}    return {{{body}}}\n", env)
    fast: Callable[[list[str], str], dict[str, Any]] = env["fast"]
    return fast


@dataclass(frozen=True)
class EventSpec:
    """One event ABI item, prepared for fast repeated decoding."""

    name: str
    signature: str
    inputs: tuple[dict[str, Any], ...]
    indexed: tuple[int, ...]
    unindexed: tuple[int, ...]
    data_types: tuple[str, ...]
    names: tuple[str, ...]
    topic_readers: tuple[Callable[[str], Any], ...] = ()
    """`_topic_value` of each indexed input, prepared once."""
    readers: tuple[Callable[[str], Any], ...] | None = None
    """One word converter per unindexed input when every one is a static one-word type: the
    data is then read by slicing its hex, without eth_abi (several times faster)."""
    fast: Callable[[list[str], str], dict[str, Any]] | None = None
    """With `readers`: the whole decoding (after the topic count check) as one generated
    function, the arguments in input order, the same checks and values as the generic path."""

    @classmethod
    def from_abi(cls, item: dict[str, Any]) -> EventSpec:
        inputs = tuple(item.get("inputs", []))
        indexed = tuple(i for i, p in enumerate(inputs) if p.get("indexed"))
        unindexed = tuple(i for i, p in enumerate(inputs) if not p.get("indexed"))
        words = [_word_reader(inputs[i]) for i in unindexed]
        readers = None if None in words else tuple(r for r in words if r is not None)
        names = tuple((p.get("name") or f"_{i}") for i, p in enumerate(inputs))
        topic_readers = tuple(_topic_reader(inputs[i]) for i in indexed)
        signature = _signature(item)
        return cls(
            name=str(item["name"]),
            signature=signature,
            inputs=inputs,
            indexed=indexed,
            unindexed=unindexed,
            data_types=tuple(_abi_type(inputs[i]) for i in unindexed),
            names=names,
            topic_readers=topic_readers,
            readers=readers,
            fast=None
            if readers is None
            else _fast_decoder(signature, names, indexed, unindexed, topic_readers, readers),
        )

    def decode(self, topics: list[str], data: str) -> dict[str, Any]:
        if len(topics) != len(self.indexed) + 1:
            raise DecodingError(f"{self.signature}: {len(topics) - 1} indexed topics")
        if self.fast is not None:
            return self.fast(topics, data)
        values: list[Any] = [None] * len(self.inputs)
        for pos, read, topic in zip(self.indexed, self.topic_readers, topics[1:], strict=True):
            values[pos] = read(topic)
        if self.unindexed and self.readers is not None:
            # Static words only: slice the hex (strict=False: trailing bytes are ignored, as
            # eth_abi does; too few bytes are refused).
            if len(data) < 2 + 64 * len(self.readers) or data[:2] not in ("0x", "0X"):
                raise DecodingError(f"{self.signature}: data too short")
            for n, (pos, read) in enumerate(zip(self.unindexed, self.readers, strict=True)):
                values[pos] = read(data[2 + 64 * n : 66 + 64 * n])
        elif self.unindexed:
            raw = bytes.fromhex(data[2:])
            decoded = abi_decode(list(self.data_types), raw, strict=False)
            for pos, value in zip(self.unindexed, decoded, strict=True):
                values[pos] = to_json(self.inputs[pos], value)
        elif data not in ("0x", ""):
            raise DecodingError(f"{self.signature}: unexpected data")
        return dict(zip(self.names, values, strict=True))

    def addresses(self, args: dict[str, Any]) -> list[str]:
        """Address values of a decoded event (indexed tuples/arrays are hashes: skipped)."""
        out: list[str] = []
        for pos, param in enumerate(self.inputs):
            if param.get("indexed") and str(param["type"]) != "address":
                continue
            out.extend(addresses_in(param, args[self.names[pos]]))
        return out


@dataclass(frozen=True)
class Decoded:
    spec: EventSpec | None
    args: dict[str, Any] | None


class EventDecoder:
    """topic0 -> candidate event specs, from every compiled contract and interface.

    Artifacts.event_topics gives one ABI item per topic0; contracts that declare the same
    signature with another `indexed` layout also exist (ERC-20 vs ERC-721 Transfer), so the
    decoder keeps every layout and picks the one whose topic count fits.
    """

    def __init__(self, artifacts: Artifacts) -> None:
        self._specs: dict[str, list[EventSpec]] = {}
        for topic, (_sig, item) in artifacts.event_topics.items():
            self._add("0x" + topic.hex(), item)
        for name in artifacts.names():
            for item in artifacts.get(name).events():
                if not item.get("anonymous"):
                    self._add("0x" + keccak(text=_signature(item)).hex(), item)

    def _add(self, topic0: str, item: dict[str, Any]) -> None:
        spec = EventSpec.from_abi(item)
        known = self._specs.setdefault(topic0, [])
        if all(s.indexed != spec.indexed for s in known):
            known.append(spec)

    def decode(self, topics: list[str], data: str) -> Decoded:
        return Decoded(*self.decode_pair(topics, data))

    def decode_pair(
        self, topics: list[str], data: str
    ) -> tuple[EventSpec, dict[str, Any]] | tuple[None, None]:
        """`decode` as a (spec, args) pair: (None, None) when no compiled event fits."""
        if not topics:
            return None, None  # anonymous event without topics
        specs = self._specs.get(topics[0])
        if specs is None:
            specs = self._specs.get(topics[0].lower()) or []
        for spec in specs:
            try:
                return spec, spec.decode(topics, data)
            except (DecodingError, ValueError, OverflowError):
                continue
        return None, None
