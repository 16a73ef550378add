"""Relaying: the member signs, the gateway submits, and every action gets a tracking id.

Two ways in:
- `relay_call`: a gasless action (an application, a ballot, an invoice acceptance, a document
  signature) carrying the member's EIP-712 signature; the gateway's relayer account sends the
  contract call and pays the gas.
- `relay_raw`: a transaction the member signed with their own key (they pay the gas); the
  gateway checks it is theirs and addressed to this cooperative's contracts, then broadcasts it.

Both simulate first, so a call the contract would refuse is answered at once with its custom
error (422) and never sent. A sent action is tracked in `api_relay`:
`pending` (sent) -> `mined` (receipt) -> `indexed` (the mirror's cursor passed its block), or
`failed` with the decoded custom error. A background thread advances the rows, and reading a
status advances that row on the spot; rows live in SQL, so tracking survives a restart.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import rlp
from eth_account import Account
from eth_account._utils.legacy_transactions import Transaction as LegacyTransaction
from eth_account.typed_transactions import TypedTransaction
from hexbytes import HexBytes
from sqlmodel import Session, col, select
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, TransactionNotFound

from node.accounts import store
from node.api.agreements import require_accepted
from node.api.gateway import Gateway
from node.api.models import Relay
from node.api.problems import Problem, reverted_problem
from node.chain.client import GAS_MARGIN_FACTOR, GAS_MARGIN_FIXED, checksum

log = logging.getLogger("coop.api.relay")


def _now() -> int:
    return int(time.time())


def track(gw: Gateway, kind: str, account: str, to: str | None, tx_hash: str) -> Relay:
    row = Relay(
        id=str(uuid.uuid4()),
        kind=kind,
        account=checksum(account),
        to_address=to,
        tx_hash=tx_hash,
        status="pending",
        created_at=_now(),
        updated_at=_now(),
    )
    with Session(gw.engine) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
    relay_activity(gw).set()
    return row


def relay_call(gw: Gateway, fn: ContractFunction, *, kind: str, account: str) -> Relay:
    """Send `fn` from the relayer account (it pays the gas); track it.

    Refused (403) until `account` has accepted the agreements in force, except the acceptance
    itself (`kind="agreement"`, see `node.api.agreements`)."""
    if kind != "agreement":
        require_accepted(gw, account)
    ensure_account_deployed(gw, account)
    w3 = gw.chain.w3
    with gw.relay_lock:  # one nonce at a time for the relayer account
        params: dict[str, Any] = {
            "from": gw.relayer.address,
            "nonce": w3.eth.get_transaction_count(gw.relayer.address, "pending"),
            "chainId": gw.chain_id,
            "value": 0,
        }
        try:
            tx = fn.build_transaction(params)  # type: ignore[arg-type]
        except (ContractCustomError, ContractLogicError) as exc:
            raise reverted_problem(gw.chain.decode_revert(exc)) from exc
        block_limit = int(w3.eth.get_block("latest")["gasLimit"])
        tx["gas"] = min(int(tx["gas"] * GAS_MARGIN_FACTOR) + GAS_MARGIN_FIXED, block_limit)
        signed = gw.relayer.sign_transaction(tx)  # type: ignore[arg-type]
        tx_hash = HexBytes(w3.eth.send_raw_transaction(signed.raw_transaction)).to_0x_hex()
    return track(gw, kind, account, str(tx["to"]), tx_hash)


def ensure_account_deployed(gw: Gateway, account: str, timeout: float = 60.0) -> None:
    """A passkey account acts for the first time: the relayer deploys it (the factory's
    `createAccount` with the key its address came from) and waits for it, so the act's
    ERC-1271 check or `execute` finds the account's code. Anything else: nothing to do."""
    accounts = gw.passkeys()
    if accounts is None or not store.is_passkey_account(gw.engine, account):
        return
    if gw.chain.has_code(account):
        return
    key = store.first_key(gw.engine, accounts, account)
    if key is None:
        return
    w3 = gw.chain.w3
    with gw.relay_lock:
        if gw.chain.has_code(account):  # another request deployed it meanwhile
            return
        params: dict[str, Any] = {
            "from": gw.relayer.address,
            "nonce": w3.eth.get_transaction_count(gw.relayer.address, "pending"),
            "chainId": gw.chain_id,
            "value": 0,
        }
        tx = accounts.create_fn(*key).build_transaction(params)  # type: ignore[arg-type]
        tx["gas"] = int(tx["gas"] * GAS_MARGIN_FACTOR) + GAS_MARGIN_FIXED
        signed = gw.relayer.sign_transaction(tx)  # type: ignore[arg-type]
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout, poll_latency=0.1)
    if int(receipt["status"]) != 1:
        raise Problem(
            502,
            "Не удалось создать счёт с ключом доступа / The passkey account could not be created",
        )
    log.info("passkey account %s deployed (tx %s)", account, HexBytes(tx_hash).to_0x_hex())


def decode_raw(raw: bytes) -> dict[str, Any]:
    """Sender, recipient, chain id, data and value of a signed transaction."""
    try:
        sender = Account.recover_transaction(raw)
        if raw and raw[0] < 0x7F:
            d = TypedTransaction.from_bytes(HexBytes(raw)).as_dict()
            to, chain_id, data, value = d.get("to"), d.get("chainId"), d.get("data"), d["value"]
        else:
            legacy = rlp.decode(raw, LegacyTransaction)
            to, data, value = legacy.to, legacy.data, legacy.value
            chain_id = (legacy.v - 35) // 2 if legacy.v >= 35 else None
    except Exception as exc:
        raise Problem(
            422,
            "Не удалось разобрать подписанную транзакцию / Not a valid signed transaction",
        ) from exc
    return {
        "from": sender,
        "to": checksum(HexBytes(to).to_0x_hex()) if to else None,
        "chainId": int(chain_id) if chain_id is not None else None,
        "data": HexBytes(data or b"").to_0x_hex(),
        "value": int(value or 0),
    }


def relay_raw(gw: Gateway, raw: bytes, *, account: str, kind: str = "transaction") -> Relay:
    """Broadcast a member-signed transaction after checking whose and where it is; track it.

    Refused (403) until `account` has accepted the agreements in force."""
    tx = decode_raw(raw)
    if tx["from"] != checksum(account):
        raise Problem(
            403,
            f"Транзакция подписана другим адресом ({tx['from']}), не вами / "
            f"The transaction is signed by another address ({tx['from']}), not yours",
        )
    require_accepted(gw, account)
    if tx["chainId"] != gw.chain_id:
        raise Problem(
            422,
            f"Транзакция для другой сети (chain id {tx['chainId']}) / "
            f"The transaction is for another chain (chain id {tx['chainId']})",
        )
    allowed = set(gw.contract_addresses().values())
    if _is_fund_approval(gw, tx):  # approving the fund to pull the contribution
        allowed.add(tx["to"])
    if tx["to"] not in allowed:
        raise Problem(
            403,
            "Шлюз передаёт только транзакции к контрактам этого кооператива / "
            "The gateway relays only transactions to this cooperative's contracts",
        )
    call = {"from": tx["from"], "to": tx["to"], "data": tx["data"], "value": tx["value"]}
    try:
        gw.chain.w3.eth.call(call)  # type: ignore[arg-type]
    except (ContractCustomError, ContractLogicError) as exc:
        raise reverted_problem(gw.chain.decode_revert(exc)) from exc
    try:
        tx_hash = HexBytes(gw.chain.w3.eth.send_raw_transaction(raw)).to_0x_hex()
    except ValueError as exc:  # nonce too low, insufficient funds, ...
        message = exc.args[0].get("message") if exc.args and isinstance(exc.args[0], dict) else exc
        raise Problem(
            422,
            f"Узел отклонил транзакцию: {message} / The node refused the transaction: {message}",
        ) from exc
    return track(gw, kind, account, tx["to"], tx_hash)


APPROVE_SELECTOR = "0x095ea7b3"


def _is_fund_approval(gw: Gateway, tx: dict[str, Any]) -> bool:
    """`paymentToken.approve(fund, amount)`: the one call to a contract outside the
    cooperative's set that the gateway relays (a contribution needs it first)."""
    fund = gw.fund()
    data: str = tx["data"]
    if fund is None or tx["to"] != checksum(fund.token.address) or len(data) != 2 + 8 + 128:
        return False
    spender = "0x" + data[10 + 24 : 10 + 64]
    return data[:10].lower() == APPROVE_SELECTOR and checksum(spender) == fund.address


def _failure_reason(gw: Gateway, tx_hash: str, block_number: int) -> str:
    """Replay a reverted transaction to name its custom error."""
    try:
        tx = gw.chain.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        call = {"from": tx["from"], "to": tx["to"], "data": tx["input"], "value": tx["value"]}
        gw.chain.w3.eth.call(call, block_identifier=max(0, block_number - 1))  # type: ignore[arg-type]
    except (ContractCustomError, ContractLogicError) as exc:
        return gw.chain.decode_revert(exc).error
    except Exception:
        pass
    return "Reverted"


def advance(gw: Gateway, row: Relay, indexed_block: Callable[[], int | None]) -> bool:
    """One step of a row's life; True when it changed."""
    changed = False
    if row.status == "pending" and row.tx_hash:
        try:
            receipt = gw.chain.w3.eth.get_transaction_receipt(row.tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            receipt = None
        if receipt is not None:
            row.block_number = int(receipt["blockNumber"])
            if int(receipt["status"]) == 1:
                row.status = "mined"
            else:
                row.status = "failed"
                row.error = _failure_reason(gw, row.tx_hash, row.block_number)
                row.detail = (
                    f"Транзакция отменена контрактом: {row.error} / "
                    f"The contract reverted the transaction: {row.error}"
                )
            changed = True
    if row.status == "mined" and row.block_number is not None:
        cursor = indexed_block()
        if cursor is not None and cursor >= row.block_number:
            row.status = "indexed"
            changed = True
    if changed:
        row.updated_at = _now()
    return changed


def refresh(gw: Gateway, relay_id: str, indexed_block: Callable[[], int | None]) -> Relay | None:
    with Session(gw.engine) as session:
        row = session.get(Relay, relay_id)
        if row is None:
            return None
        if advance(gw, row, indexed_block):
            session.add(row)
            session.commit()
            session.refresh(row)
        return row


class Tracker(threading.Thread):
    """Advances unfinished rows in the background until stopped."""

    def __init__(self, gw: Gateway, indexed_block: Callable[[], int | None]) -> None:
        super().__init__(name="coop-relay-tracker", daemon=True)
        self.gw = gw
        self.indexed_block = indexed_block
        self.stop_event = threading.Event()

    #: With nothing to track, look again this often (rows relayed by another gateway process,
    #: or left from before a restart) unless this process relays something first.
    IDLE_RECHECK = 1.0

    def run(self) -> None:
        activity = relay_activity(self.gw)
        busy = True
        while not self.stop_event.is_set():
            if busy:
                self.stop_event.wait(self.gw.settings.relay_poll_interval)
            else:
                # Idle: no query every poll interval (it costs the request path GIL time).
                activity.wait(self.IDLE_RECHECK)
            activity.clear()
            if self.stop_event.is_set():
                break
            try:
                busy = self.step()
            except Exception:  # keep tracking through RPC or database hiccups
                log.exception("relay tracker step failed")
                busy = True

    def step(self) -> bool:
        """Advance the unfinished rows; True when some are still unfinished."""
        with Session(self.gw.engine) as session:
            rows = session.exec(
                select(Relay).where(col(Relay.status).in_(("pending", "mined"))).limit(200)
            ).all()
            dirty = False
            for row in rows:
                if advance(self.gw, row, self.indexed_block):
                    session.add(row)
                    dirty = True
            if dirty:
                session.commit()
            return any(row.status in ("pending", "mined") for row in rows)

    def stop(self) -> None:
        self.stop_event.set()
        relay_activity(self.gw).set()


def relay_activity(gw: Gateway) -> threading.Event:
    """Set when this process starts tracking a relayed action (wakes an idle tracker)."""
    return gw._relay_activity
