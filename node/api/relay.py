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

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import rlp
import sqlalchemy as sa
from eth_account import Account
from eth_account._utils.legacy_transactions import Transaction as LegacyTransaction
from eth_account.typed_transactions import TypedTransaction
from hexbytes import HexBytes
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, TransactionNotFound

from indexer.db import lock_for_transaction
from node.accounts import store
from node.api.agreements import require_accepted
from node.api.gateway import Gateway
from node.api.models import Relay, RelayerNonce
from node.api.problems import Problem, reverted_problem
from node.chain.client import GAS_MARGIN_FACTOR, GAS_MARGIN_FIXED, build_transaction, checksum

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
    own_relays(gw).add(row.id)
    relay_activity(gw).set()
    return row


def relay_call(gw: Gateway, fn: ContractFunction, *, kind: str, account: str) -> Relay:
    """Send `fn` from the relayer account (it pays the gas); track it.

    Refused (403) until `account` has accepted the agreements in force, except the acceptance
    itself (`kind="agreement"`, see `node.api.agreements`).

    The simulation and gas estimate run first, outside any lock; only taking the nonce,
    signing and broadcasting run under the relayer's lock (`relayer_slot`), so concurrent
    relayed actions from every gateway process get consecutive nonces, each used once."""
    if kind != "agreement":
        require_accepted(gw, account)
    ensure_account_deployed(gw, account)
    w3 = gw.chain.w3
    params: dict[str, Any] = {"from": gw.relayer.address, "chainId": gw.chain_id, "value": 0}
    try:
        tx: dict[str, Any] = build_transaction(w3, fn, params)
    except (ContractCustomError, ContractLogicError) as exc:
        raise reverted_problem(gw.chain.decode_revert(exc)) from exc
    block_limit = int(w3.eth.get_block("latest")["gasLimit"])
    tx["gas"] = min(int(tx["gas"] * GAS_MARGIN_FACTOR) + GAS_MARGIN_FIXED, block_limit)
    with relayer_slot(gw) as slot:
        tx["nonce"] = slot.nonce
        signed = gw.relayer.sign_transaction(tx)
        tx_hash = HexBytes(w3.eth.send_raw_transaction(signed.raw_transaction)).to_0x_hex()
        row = slot.sent(kind, account, tx, tx_hash)
    own_relays(gw).add(row.id)
    relay_activity(gw).set()
    return row


class RelayerSlot:
    """The relayer's next nonce, held under its lock: `sent()` records the transaction that
    used it (in the same database transaction that moves the nonce on)."""

    def __init__(self, gw: Gateway, conn: Connection, nonce: int) -> None:
        self.gw = gw
        self.conn = conn
        self.nonce = nonce
        self.row: Relay | None = None

    def sent(self, kind: str, account: str, tx: dict[str, Any], tx_hash: str) -> Relay:
        now = _now()
        row = Relay(
            id=str(uuid.uuid4()),
            kind=kind,
            account=checksum(account),
            to_address=str(tx["to"]),
            tx_hash=tx_hash,
            status="pending",
            created_at=now,
            updated_at=now,
            sender=self.gw.relayer.address,
            nonce=self.nonce,
            sent_at=now,
            unsigned_tx=json.dumps(_jsonable(tx), sort_keys=True),
        )
        self.conn.execute(RELAY.insert().values(**row.model_dump()))
        self.row = row
        return row


def _jsonable(tx: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tx.items():
        if isinstance(value, bytes | bytearray):
            out[key] = HexBytes(value).to_0x_hex()
        elif isinstance(value, list):  # accessList
            out[key] = value
        else:
            out[key] = value if isinstance(value, int | str) else str(value)
    return out


RELAY = Relay.__table__  # type: ignore[attr-defined]
NONCES = RelayerNonce.__table__  # type: ignore[attr-defined]


@contextmanager
def relayer_lock(gw: Gateway) -> Iterator[Connection]:
    """The single writer of the relayer key's nonces, for as long as the block runs.

    In this process a thread lock; across processes and hosts the PostgreSQL advisory lock
    `coop:relayer:<chain>:<address>` held by the database transaction the block runs in
    (released by its commit or rollback, or by PostgreSQL when the process dies). On SQLite
    (one process) the thread lock is the whole of it."""
    name = f"coop:relayer:{gw.chain_id}:{gw.relayer.address}"
    with gw.relay_lock, gw.engine.begin() as conn:
        lock_for_transaction(conn, name)
        yield conn


@contextmanager
def relayer_slot(gw: Gateway) -> Iterator[RelayerSlot]:
    """Take the relayer's next nonce under its lock; commit it moved on only if the block
    recorded a sent transaction (`slot.sent`), so a refused broadcast leaves no gap.

    The next nonce is the larger of the stored one and the chain's pending count: the chain
    catches a transaction the relayer key sent elsewhere; the stored one a node behind a load
    balancer whose pending count lags what this gateway has just sent."""
    with relayer_lock(gw) as conn:
        key = {"chain_id": gw.chain_id, "address": gw.relayer.address}
        stored = conn.execute(
            sa.select(NONCES.c.next_nonce).where(
                NONCES.c.chain_id == gw.chain_id, NONCES.c.address == gw.relayer.address
            )
        ).scalar()
        pending = int(gw.chain.w3.eth.get_transaction_count(gw.relayer.address, "pending"))
        nonce = max(pending, int(stored) if stored is not None else 0)
        slot = RelayerSlot(gw, conn, nonce)
        yield slot
        if slot.row is None:
            return
        values = {"next_nonce": nonce + 1, "updated_at": _now()}
        if stored is None:
            conn.execute(NONCES.insert().values(**key, **values))
        else:
            conn.execute(
                NONCES.update()
                .where(NONCES.c.chain_id == gw.chain_id, NONCES.c.address == gw.relayer.address)
                .values(**values)
            )


def deployed_accounts(gw: Gateway) -> set[str]:
    """Passkey accounts (lower-case) this process has seen with code: their later acts skip
    the store lookup and `eth_getCode`. Kept for the process's life: a deployed account's code
    never goes away (no self-destruct; only a reorg of its deployment block could undo it, and
    then the act's own simulation fails with the account's error)."""
    known: set[str] | None = getattr(gw, "_deployed_accounts", None)
    if known is None:
        known = gw._deployed_accounts = set()  # type: ignore[attr-defined]
    return known


def ensure_account_deployed(gw: Gateway, account: str, timeout: float = 60.0) -> None:
    """A passkey account acts for the first time: the relayer deploys it (the factory's
    `createAccount` with the key its address came from) and waits for it, so the act's
    ERC-1271 check or `execute` finds the account's code. Anything else: nothing to do."""
    known = deployed_accounts(gw)
    if account.lower() in known:
        return
    accounts = gw.passkeys()
    if accounts is None or not store.is_passkey_account(gw.engine, account):
        return
    if gw.chain.has_code(account):
        known.add(account.lower())
        return
    key = store.first_key(gw.engine, accounts, account)
    if key is None:
        return
    w3 = gw.chain.w3
    params: dict[str, Any] = {"from": gw.relayer.address, "chainId": gw.chain_id, "value": 0}
    tx: dict[str, Any] = build_transaction(w3, accounts.create_fn(*key), params)
    tx["gas"] = int(tx["gas"] * GAS_MARGIN_FACTOR) + GAS_MARGIN_FIXED
    # The relayer's nonce has one writer across every gateway process (`relayer_slot`); the
    # deployment is recorded like any relayed action, so the trackers follow it too.
    with relayer_slot(gw) as slot:
        if gw.chain.has_code(account):  # another request deployed it meanwhile
            known.add(account.lower())
            return
        tx["nonce"] = slot.nonce
        signed = gw.relayer.sign_transaction(tx)
        tx_hash = HexBytes(w3.eth.send_raw_transaction(signed.raw_transaction)).to_0x_hex()
        slot.sent("passkey_account", account, tx, tx_hash)
    receipt = w3.eth.wait_for_transaction_receipt(
        HexBytes(tx_hash), timeout=timeout, poll_latency=0.1
    )
    if int(receipt["status"]) != 1:
        raise Problem(
            502,
            "Не удалось создать счёт с ключом доступа / The passkey account could not be created",
        )
    known.add(account.lower())
    log.info("passkey account %s deployed (tx %s)", account, tx_hash)


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
    """`paymentToken.approve(fund or target programs, amount)`: the one call to a contract
    outside the cooperative's set that the gateway relays (a contribution needs it first)."""
    data: str = tx["data"]
    if tx["to"] != checksum(gw.coop.token.address) or len(data) != 2 + 8 + 128:
        return False
    fund = gw.fund()
    spenders: set[str] = {fund.address} if fund is not None else set()
    programs = gw.module_address("target_programs")
    if programs is not None:
        spenders.add(programs)
    spender = "0x" + data[10 + 24 : 10 + 64]
    return data[:10].lower() == APPROVE_SELECTOR and checksum(spender) in spenders


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


def _receipt(gw: Gateway, tx_hash: str) -> Any:
    try:
        return gw.chain.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
    except TransactionNotFound:
        return None


def _earlier_hashes(row: Relay | Any) -> list[str]:
    return [h for h in (row.replaced_hashes or "").split(",") if h]


def _bumped(value: int, percent: int) -> int:
    return -(-value * (100 + percent) // 100)  # rounded up: nodes want at least +10 %


def replace_stuck(gw: Gateway, relay_id: str) -> str | None:
    """Re-send a relayer transaction unmined for `relay_replace_after` seconds: the same nonce
    (so exactly one version can ever be mined), fees raised by `relay_fee_bump_percent`.

    Runs under the relayer's lock, so of several gateway processes that find the row stuck,
    one replaces it and the others then see it was just sent. Returns the new hash, or None
    when nothing was sent (mined meanwhile, not stuck any more, or the fee ceiling reached)."""
    settings = gw.settings
    with relayer_lock(gw) as conn:
        row = conn.execute(sa.select(RELAY).where(RELAY.c.id == relay_id)).first()
        now = _now()
        if (
            row is None
            or row.status != "pending"
            or row.sender != gw.relayer.address
            or row.nonce is None
            or row.unsigned_tx is None
            or now - int(row.sent_at or 0) < settings.relay_replace_after
        ):
            return None
        hashes = [row.tx_hash, *_earlier_hashes(row)]
        if any(_receipt(gw, h) is not None for h in hashes):
            return None  # mined: the tracker's next step records it
        w3 = gw.chain.w3
        if int(w3.eth.get_transaction_count(gw.relayer.address, "latest")) > int(row.nonce):
            if any(_receipt(gw, h) is not None for h in hashes):
                return None
            # The nonce went to a transaction that is none of ours (the key used elsewhere).
            conn.execute(
                RELAY.update()
                .where(RELAY.c.id == relay_id)
                .values(
                    status="failed",
                    error="NonceUsedElsewhere",
                    detail="Одноразовый номер ретранслятора занят другой транзакцией / The "
                    "relayer's nonce was used by another transaction",
                    updated_at=now,
                )
            )
            return None
        tx: dict[str, Any] = json.loads(row.unsigned_tx)
        bump = settings.relay_fee_bump_percent
        ceiling = int(settings.relay_max_fee_gwei * 10**9)
        if "maxFeePerGas" in tx:
            base = int(w3.eth.get_block("latest").get("baseFeePerGas") or 0)
            tip = _bumped(int(tx["maxPriorityFeePerGas"]), bump)
            tx["maxPriorityFeePerGas"] = tip
            tx["maxFeePerGas"] = max(_bumped(int(tx["maxFeePerGas"]), bump), 2 * base + tip)
            top = int(tx["maxFeePerGas"])
        else:
            tx["gasPrice"] = _bumped(int(tx["gasPrice"]), bump)
            top = int(tx["gasPrice"])
        if top > ceiling:
            log.warning(
                "relay %s (nonce %s) stuck, but a replacement would pay %d wei/gas, over "
                "COOP_RELAY_MAX_FEE_GWEI: left waiting",
                relay_id,
                row.nonce,
                top,
            )
            return None
        signed = gw.relayer.sign_transaction(tx)
        try:
            new_hash = HexBytes(w3.eth.send_raw_transaction(signed.raw_transaction)).to_0x_hex()
        except ValueError as exc:  # nonce too low (mined meanwhile), underpriced, ...
            log.warning("replacing relay %s (nonce %s) refused: %s", relay_id, row.nonce, exc)
            return None
        conn.execute(
            RELAY.update()
            .where(RELAY.c.id == relay_id)
            .values(
                tx_hash=new_hash,
                replaced_hashes=",".join(hashes),
                sent_at=now,
                unsigned_tx=json.dumps(tx, sort_keys=True),
                updated_at=now,
            )
        )
    log.info(
        "relay %s (nonce %s) stuck: replaced by %s with higher fees", relay_id, row.nonce, new_hash
    )
    return new_hash


def advance(gw: Gateway, row: Relay, indexed_block: Callable[[], int | None]) -> bool:
    """One step of a row's life; True when it changed."""
    changed = False
    if row.status == "pending" and row.tx_hash:
        receipt = _receipt(gw, row.tx_hash)
        if receipt is None:  # replaced with higher fees: whichever of its versions was mined
            for earlier in _earlier_hashes(row):
                receipt = _receipt(gw, earlier)
                if receipt is not None:
                    row.tx_hash = earlier
                    break
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
        final = row.block_number + gw.settings.relay_confirmations  # COOP_CHAIN_CONFIRMATIONS
        if cursor is not None and cursor >= final:
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

    #: A row no process has moved for this long is advanced by every tracker (its process
    #: stopped, or it was relayed before a restart); until then only its own process's tracker
    #: asks the chain for it, so N workers do not make N times the receipt queries.
    ORPHAN_AFTER = 30

    def step(self) -> bool:
        """Advance this process's unfinished rows (and orphans); True when some are left."""
        own = own_relays(self.gw)
        before = set(own)  # committed ids: the query below sees them (or they finished)
        cursor: list[int | None] = []

        def indexed_block() -> int | None:  # one cursor read per step, not one per row
            if not cursor:
                cursor.append(self.indexed_block())
            return cursor[0]

        with Session(self.gw.engine) as session:
            rows = session.exec(
                select(Relay).where(col(Relay.status).in_(("pending", "mined"))).limit(500)
            ).all()
            now = _now()
            mine = [r for r in rows if r.id in own or now - r.updated_at >= self.ORPHAN_AFTER]
            dirty = False
            for row in mine:
                if advance(self.gw, row, indexed_block):
                    session.add(row)
                    dirty = True
            if dirty:
                session.commit()
            stuck = [
                row.id
                for row in mine
                if row.status == "pending"
                and row.sender == self.gw.relayer.address
                and now - int(row.sent_at or now) >= self.gw.settings.relay_replace_after
            ]
            unfinished = [row.id for row in mine if row.status in ("pending", "mined")]
            still = {row.id for row in rows if row.status in ("pending", "mined")}
            own.difference_update(before - still)  # finished rows leave the set
        for relay_id in stuck:
            replace_stuck(self.gw, relay_id)
        return bool(unfinished)

    def stop(self) -> None:
        self.stop_event.set()
        relay_activity(self.gw).set()


def own_relays(gw: Gateway) -> set[str]:
    """Ids of the unfinished actions this process relayed (its tracker follows them)."""
    own: set[str] | None = getattr(gw, "_own_relays", None)
    if own is None:
        own = gw._own_relays = set()
    return own


def relay_activity(gw: Gateway) -> threading.Event:
    """Set when this process starts tracking a relayed action (wakes an idle tracker)."""
    return gw._relay_activity
