"""Chain access for the node: one web3.py connection, signed transactions, decoded reverts.

Every transaction is signed locally by an explicit key (eth-account), so the same code talks to
a local anvil, a consortium chain or a public L2: nothing relies on a node holding keys.
"""

from __future__ import annotations

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
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.types import TxReceipt

from node.chain.artifacts import Artifacts

#: Gas estimates run at the latest block, but a transaction lands in a later one: a checkpoint
#: written in the latest block is updated in place in the estimate and appended for real
#: (~20,000 gas more per checkpoint; admission, exit and recovery write two). Unused gas is not
#: charged, so the margin costs nothing but block space; it is capped at the block gas limit.
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
            tx = fn.build_transaction(params)  # estimates gas: a revert surfaces here
        except (ContractCustomError, ContractLogicError) as exc:
            raise self.decode_revert(exc) from exc
        block_limit = int(self.w3.eth.get_block("latest")["gasLimit"])
        tx["gas"] = min(int(tx["gas"] * GAS_MARGIN_FACTOR) + GAS_MARGIN_FIXED, block_limit)
        signed = sender.sign_transaction(tx)
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120, poll_latency=0.05)
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


def account_from_key(key: str) -> LocalAccount:
    return Account.from_key(key)


def checksum(address: str) -> ChecksumAddress:
    return Web3.to_checksum_address(address)
