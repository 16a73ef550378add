"""Chain access for the node: one web3.py connection, signed transactions, decoded reverts.

Every transaction is signed locally by an explicit key (eth-account), so the same code talks to
a local anvil, a consortium chain or a public L2: nothing relies on a node holding keys.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    TransactionNotFound,
    Web3RPCError,
)
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import TxReceipt

from node.chain.artifacts import Artifacts

#: Gas estimates run at the latest block, but a transaction lands in a later one: a checkpoint
#: written in the latest block is updated in place in the estimate and appended for real
#: (~20,000 gas more per checkpoint; admission, exit and recovery write two). Unused gas is not
#: charged, so the margin costs nothing but block space; it is capped at the block gas limit.
log = logging.getLogger("coop.chain")

GAS_MARGIN_FACTOR = 1.2
GAS_MARGIN_FIXED = 60_000


class ChainError(RuntimeError):
    """The chain could not be reached or answered something unusable."""


class TransactionReverted(RuntimeError):
    """A transaction (or its gas estimate) reverted; `error` names the custom error if known."""

    def __init__(self, error: str, args: tuple[Any, ...] = (), raw: str | None = None) -> None:
        self.error = error
        self.error_args = args
        self.raw = raw
        super().__init__(f"{error}{args if args else ''}")


@dataclass(frozen=True)
class Sent:
    receipt: TxReceipt

    @property
    def gas_used(self) -> int:
        return int(self.receipt["gasUsed"])

    @property
    def block_number(self) -> int:
        return int(self.receipt["blockNumber"])


class Chain:
    """A connection to one EVM chain plus the project's compiled artifacts."""

    def __init__(self, rpc_url: str, artifacts: Artifacts, *, timeout: float = 30.0) -> None:
        self.rpc_url = rpc_url
        self.artifacts = artifacts
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
        # Proof-of-authority chains (Clique, QBFT, IBFT) carry the sealers' signatures in a
        # header's extraData, longer than the 32 bytes web3 checks for by default.
        self.w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)

    # -- connection -------------------------------------------------------------------------

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until the RPC answers; the chain may still be starting."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                self.w3.eth.block_number  # noqa: B018 - the call is the probe
                return
            except Exception as exc:  # connection refused while the node boots
                last = exc
                time.sleep(0.1)
        raise ChainError(f"no answer from {self.rpc_url} within {timeout:.0f}s: {last}")

    @property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def genesis_hash(self) -> str:
        return HexBytes(self.w3.eth.get_block(0)["hash"]).to_0x_hex()

    # -- contracts ----------------------------------------------------------------------------

    def contract(self, name: str, address: str) -> Contract:
        artifact = self.artifacts.get(name)
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifact.abi)

    def has_code(self, address: str) -> bool:
        return len(self.w3.eth.get_code(Web3.to_checksum_address(address))) > 0

    def deploy(self, name: str, *args: Any, sender: LocalAccount) -> tuple[Contract, Sent]:
        artifact = self.artifacts.get(name)
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        sent = self._send(factory.constructor(*args), sender)
        address = sent.receipt["contractAddress"]
        if address is None:
            raise ChainError(f"deployment of {name} returned no contract address")
        return self.contract(name, address), sent

    def transact(self, fn: ContractFunction, sender: LocalAccount, *, value: int = 0) -> Sent:
        """Sign and send a contract call; raise TransactionReverted with the decoded error."""
        return self._send(fn, sender, value=value)

    def _send(self, fn: Any, sender: LocalAccount, *, value: int = 0) -> Sent:
        params: dict[str, Any] = {
            "from": sender.address,
            "nonce": self.w3.eth.get_transaction_count(sender.address, "pending"),
            "chainId": self.chain_id,
            "value": value,
        }
        try:
            tx = build_transaction(self.w3, fn, params)  # estimates gas: a revert surfaces here
        except (ContractCustomError, ContractLogicError) as exc:
            raise self.decode_revert(exc) from exc
        block_limit = int(self.w3.eth.get_block("latest")["gasLimit"])
        tx["gas"] = min(int(tx["gas"] * GAS_MARGIN_FACTOR) + GAS_MARGIN_FIXED, block_limit)
        signed = sender.sign_transaction(tx)
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = wait_for_receipt(self.w3, tx_hash)
        if receipt["status"] != 1:
            raise TransactionReverted("reverted on chain", raw=HexBytes(tx_hash).to_0x_hex())
        return Sent(receipt)

    def decode_revert(self, exc: Exception) -> TransactionReverted:
        data = getattr(exc, "data", None)
        if isinstance(exc, ContractCustomError) and isinstance(data, str):
            raw = HexBytes(data)
            known = self.artifacts.error_selectors.get(bytes(raw[:4]))
            if known:
                _sig, item = known
                types = [i["type"] for i in item.get("inputs", [])]
                decoded = abi_decode(types, bytes(raw[4:])) if types else ()
                values = tuple(
                    Web3.to_checksum_address(v) if t == "address" else v
                    for t, v in zip(types, decoded, strict=True)
                )
                return TransactionReverted(item["name"], values, raw=data)
            return TransactionReverted("UnknownCustomError", raw=data)
        return TransactionReverted(str(getattr(exc, "message", None) or exc), raw=str(data))


def wait_for_receipt(
    w3: Web3, tx_hash: Any, timeout: float = 120.0, poll: float = 0.05
) -> TxReceipt:
    """The transaction's receipt once mined. Unlike web3's wait, an RPC error while it is
    pending is a "not yet" too: EthereumJS answers a transaction it holds but has not indexed
    with an internal error ("not found in DB") rather than null."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return w3.eth.get_transaction_receipt(tx_hash)
        except (TransactionNotFound, Web3RPCError) as exc:
            if time.monotonic() > deadline:
                raise ChainError(f"{HexBytes(tx_hash).to_0x_hex()} not mined: {exc}") from exc
        time.sleep(poll)


def build_transaction(w3: Web3, fn: Any, params: dict[str, Any]) -> dict[str, Any]:
    """`fn.build_transaction(params)` with the gas estimated at the latest block, by name.

    web3 sends `eth_estimateGas` without a block, and a node may then estimate against a
    pending block it assembles: EthereumJS on a Clique chain refuses that block (its header has
    no sealer's extraData yet). Naming "latest" is what every node answers alike. The fees are
    set here too (`fee_fields`): web3's defaults read the "pending" block and
    `eth_maxPriorityFeePerGas`, which not every node has. A revert raises web3's
    ContractCustomError/ContractLogicError as before.
    """
    params = {**params, **fee_fields(w3, params)}
    if "gas" in params:
        return dict(fn.build_transaction(params))
    tx = dict(fn.build_transaction({**params, "gas": 0}))
    call = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
    tx["gas"] = estimate_gas(w3, call)
    return tx


def estimate_gas(w3: Web3, call: dict[str, Any]) -> int:
    """`eth_estimateGas` at the latest block; where a node cannot estimate (EthereumJS on a
    Clique chain assembles an unsealed block to estimate in, and refuses it), the least gas
    limit an `eth_call` succeeds with, by bisection to within 1,000 gas (what geth's own
    estimator does). A revert raises as web3 raises it for either call."""
    try:
        return int(w3.eth.estimate_gas(call, "latest"))  # type: ignore[arg-type]
    except (ContractCustomError, ContractLogicError):
        raise
    except Web3RPCError as exc:
        log.debug("eth_estimateGas refused (%s): bisecting with eth_call", exc)
    high = int(w3.eth.get_block("latest")["gasLimit"])
    w3.eth.call({**call, "gas": high}, "latest")  # type: ignore[typeddict-item]
    low = 21_000
    while high - low > 1_000:
        mid = (low + high) // 2
        try:
            w3.eth.call({**call, "gas": mid}, "latest")  # type: ignore[typeddict-item]
            high = mid
        except (ContractLogicError, Web3RPCError):
            low = mid
    return high


def fee_fields(w3: Web3, params: dict[str, Any]) -> dict[str, int]:
    """The fee fields `params` lacks, from the latest block: EIP-1559 where the chain has a
    base fee (tip: `eth_maxPriorityFeePerGas`, or where a node lacks it, its `eth_gasPrice`
    above the base fee; max fee: twice the base fee plus the tip, as web3 sets it), else a
    legacy gas price."""
    if any(k in params for k in ("gasPrice", "maxFeePerGas")):
        return {}
    base = w3.eth.get_block("latest").get("baseFeePerGas")
    if base is None:
        return {"gasPrice": int(w3.eth.gas_price)}
    answer = w3.provider.make_request("eth_maxPriorityFeePerGas", [])  # type: ignore[arg-type]
    if answer.get("result") is not None:
        tip = int(answer["result"], 16)
    else:
        tip = max(int(w3.eth.gas_price) - int(base), 0)
    return {"maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * int(base) + tip}


def account_from_key(key: str) -> LocalAccount:
    return Account.from_key(key)


def checksum(address: str) -> ChecksumAddress:
    return Web3.to_checksum_address(address)
