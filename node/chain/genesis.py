"""A consortium chain of cooperatives on Hyperledger Besu with QBFT: its genesis file.

One validator per cooperative, at least four (QBFT tolerates `f` faulty validators out of
`3f + 1`: with four, one may be down and blocks are still made; with two down the chain stalls
until one is back, and nothing already final is ever undone). Validators are chosen in the
block headers: the genesis block's `extraData` names the first set, and validators then vote
others in and out (`qbft_proposeValidatorVote`).

`extraData` is the RLP list Besu's `QbftExtraDataCodec` writes:
`[vanity (32 bytes), [validator addresses], vote ([] for none), round (0), seals ([])]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import rlp
from eth_utils import is_address, to_canonical_address, to_checksum_address

#: QBFT needs 3f + 1 validators to tolerate f faults; below four, one fault stalls the chain.
MIN_VALIDATORS = 4
VANITY_BYTES = 32
#: Besu's BFT genesis mixHash ("Istanbul" BFT block identifier).
BFT_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"

#: Fork milestones per EVM version the contracts target (all from genesis).
EVM_MILESTONES: dict[str, dict[str, int]] = {
    "london": {"berlinBlock": 0, "londonBlock": 0},
    "shanghai": {"berlinBlock": 0, "londonBlock": 0, "shanghaiTime": 0},
    "cancun": {"berlinBlock": 0, "londonBlock": 0, "shanghaiTime": 0, "cancunTime": 0},
}


class GenesisError(ValueError):
    """The validators or parameters cannot make a working QBFT chain."""


def _addresses(validators: Sequence[str]) -> list[bytes]:
    out: list[bytes] = []
    for v in validators:
        if not isinstance(v, str) or not is_address(v):
            raise GenesisError(f"not an address: {v!r}")
        out.append(to_canonical_address(v))
    if len(set(out)) != len(out):
        raise GenesisError("a validator is listed twice")
    return out


def qbft_extra_data(validators: Sequence[str], vanity: bytes = b"") -> str:
    """The genesis `extraData` (0x-hex) naming `validators` in the order given."""
    if len(vanity) > VANITY_BYTES:
        raise GenesisError(f"vanity is at most {VANITY_BYTES} bytes")
    encoded = rlp.encode([vanity.rjust(VANITY_BYTES, b"\0"), _addresses(validators), [], b"", []])
    return "0x" + encoded.hex()


@dataclass(frozen=True)
class QbftExtra:
    vanity: bytes
    validators: list[str]
    vote: list[Any]
    round: int
    seals: list[bytes]


def decode_qbft_extra_data(extra: str) -> QbftExtra:
    """Read a QBFT `extraData` back (a genesis's or any block header's)."""
    try:
        raw = bytes.fromhex(extra[2:] if extra.startswith("0x") else extra)
        vanity, validators, vote, round_, seals = rlp.decode(raw)
    except Exception as exc:
        raise GenesisError(f"not QBFT extraData: {exc}") from exc
    return QbftExtra(
        vanity=bytes(vanity),
        validators=[to_checksum_address(bytes(v)) for v in validators],
        vote=list(vote),
        round=int.from_bytes(bytes(round_), "big"),
        seals=[bytes(s) for s in seals],
    )


def qbft_genesis(
    validators: Sequence[str],
    *,
    chain_id: int,
    block_period: int = 2,
    request_timeout: int = 4,
    epoch_length: int = 30_000,
    gas_limit: int = 0x1C9C380,
    evm_version: str = "cancun",
    alloc: dict[str, int] | None = None,
    timestamp: int = 0,
) -> dict[str, Any]:
    """Besu's genesis file for a QBFT chain of `validators` (block-header validator selection).

    `alloc` funds accounts from genesis (wei), e.g. the deployer and the relayers: on a
    cooperatives' chain gas is paid in the chain's own coin, which exists only as allocated."""
    if len(validators) < MIN_VALIDATORS:
        raise GenesisError(
            f"QBFT needs at least {MIN_VALIDATORS} validators (one per cooperative) to keep "
            f"making blocks with one down; got {len(validators)}"
        )
    if evm_version not in EVM_MILESTONES:
        raise GenesisError(f"EVM version {evm_version!r}: one of {', '.join(EVM_MILESTONES)}")
    if chain_id <= 0 or block_period <= 0 or request_timeout <= block_period:
        raise GenesisError(
            "chain id and block period must be positive, and the round timeout longer than "
            "the block period"
        )
    funded: dict[str, dict[str, str]] = {}
    for address, wei in (alloc or {}).items():
        if not is_address(address) or wei < 0:
            raise GenesisError(f"bad allocation {address!r}: {wei}")
        funded[to_checksum_address(address)[2:].lower()] = {"balance": hex(wei)}
    return {
        "config": {
            "chainId": chain_id,
            "homesteadBlock": 0,
            "eip150Block": 0,
            "eip155Block": 0,
            "eip158Block": 0,
            "byzantiumBlock": 0,
            "constantinopleBlock": 0,
            "petersburgBlock": 0,
            "istanbulBlock": 0,
            "muirGlacierBlock": 0,
            **EVM_MILESTONES[evm_version],
            "qbft": {
                "blockperiodseconds": block_period,
                "epochlength": epoch_length,
                "requesttimeoutseconds": request_timeout,
            },
        },
        "nonce": "0x0",
        "timestamp": hex(timestamp),
        "gasLimit": hex(gas_limit),
        "difficulty": "0x1",
        "mixHash": BFT_MIX_HASH,
        "coinbase": "0x0000000000000000000000000000000000000000",
        "alloc": funded,
        "extraData": qbft_extra_data(validators),
    }


def fault_tolerance(validators: int) -> int:
    """How many validators may be down (or faulty) with blocks still made: f of 3f + 1."""
    return (validators - 1) // 3
