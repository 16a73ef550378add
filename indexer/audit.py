"""Audit: rebuild the mirror from the chain into a fresh database and compare row by row.

The live mirror went through crashes, retries and reorg undos; a fresh rebuild went through
none. If both agree on every raw event, watched address, projection row and the cursor, the
incremental machinery did its job. The live side is read in one snapshot first, the rebuild
then stops at the live cursor, so a live indexer may keep running during an audit.

After the row-by-row comparison, `audit_views` compares what the mirror *says* (through the
same query layer the gateway uses) with what the contracts' own view functions answer, read at
the live cursor's block (`block_identifier`), so a mirror behind the head still audits clean:
for every cooperative, every account's membership record, holding and share balance, ВРЕ
signed balance and credit limit, every obligation, the fund balances, every document's record
and signatures, the charter's chair, executor, document and fund split, and, for the
cooperative's councils and meetings, every item and meeting with their tallies.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_abi import grammar as abi_grammar
from eth_abi.exceptions import DecodingError
from eth_abi.grammar import TupleType
from eth_utils.abi import get_abi_output_types
from sqlalchemy.engine import Connection
from web3._utils.abi import map_abi_data
from web3._utils.normalizers import BASE_RETURN_NORMALIZERS
from web3.exceptions import Web3Exception

from indexer.config import IndexerSettings
from indexer.db import make_engine
from indexer.models import Cursor, RawEvent, Status, WatchedAddress
from indexer.projections import Dispatcher, Projection, default_projections
from indexer.rpc import Rpc
from indexer.run import Indexer
from node.chain.client import Chain

log = logging.getLogger("coop.indexer.audit")

RAW = RawEvent.__table__  # type: ignore[attr-defined]
CURSOR = Cursor.__table__  # type: ignore[attr-defined]
STATUS = Status.__table__  # type: ignore[attr-defined]
WATCHED = WatchedAddress.__table__  # type: ignore[attr-defined]

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
#: Multicall3's address on every chain where it is deployed (its keyless deployment).
MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11"
#: aggregate3((address,bool,bytes)[]) -> (bool,bytes)[]
_AGGREGATE3 = bytes.fromhex("82ad56cb")
#: Calls per aggregate3: well inside an eth_call's default gas cap for view reads.
MULTICALL_BATCH = 200

#: Columns that differ between two correct mirrors by construction.
_SURROGATE = {"id", "updated_at"}


@dataclass
class AuditReport:
    chain_id: int
    live_cursor: tuple[int, str | None] | None = None
    rebuilt_cursor: tuple[int, str | None] | None = None
    compared: dict[str, int] = field(default_factory=dict)
    """Rows compared per table (live side)."""
    differences: list[str] = field(default_factory=list)
    view_calls: int = 0
    """Contract view calls the audit made."""
    views_batched: int = 0
    """Of those, answered from a batch (JSON-RPC batch or Multicall3)."""
    views_via_multicall: int = 0
    """Of those, answered through Multicall3's aggregate3."""

    @property
    def ok(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        return out


def _snapshot(
    conn: Connection, chain_id: int, tables: list[sa.Table]
) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for table in tables:
        cols = [c for c in table.c if c.name not in _SURROGATE]
        rows = conn.execute(sa.select(*cols).where(table.c.chain_id == chain_id)).mappings()
        out[table.name] = [dict(r) for r in rows]
    return out


def _read_live(
    url: str, chain_id: int, tables: list[sa.Table]
) -> tuple[
    tuple[int, str | None] | None, dict[str, Any] | None, list[str], dict[str, list[dict[str, Any]]]
]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                cur = conn.execute(
                    sa.select(CURSOR.c.block_number, CURSOR.c.block_hash).where(
                        CURSOR.c.chain_id == chain_id
                    )
                ).first()
                scope = conn.execute(
                    sa.select(STATUS.c.scope).where(STATUS.c.chain_id == chain_id)
                ).scalar()
                roots = [
                    r.address
                    for r in conn.execute(
                        sa.select(WATCHED.c.address).where(
                            WATCHED.c.chain_id == chain_id, WATCHED.c.source == "root"
                        )
                    )
                ]
                rows = _snapshot(conn, chain_id, tables)
    finally:
        engine.dispose()
    cursor = (int(cur.block_number), cur.block_hash) if cur is not None else None
    return cursor, scope, roots, rows


def _describe(row: dict[str, Any]) -> str:
    return (
        f"block {row['block_number']} ({row['block_hash'][:10]}…) log {row['log_index']} "
        f"{row.get('event_name') or 'undecoded'} at {row['address']}"
    )


def _compare_raw(live: list[dict[str, Any]], rebuilt: list[dict[str, Any]], out: list[str]) -> None:
    key = lambda r: (r["block_hash"], r["log_index"])  # noqa: E731
    lmap = {key(r): r for r in live}
    rmap = {key(r): r for r in rebuilt}
    if len(lmap) != len(live):
        out.append(f"idx_raw_event: {len(live) - len(lmap)} duplicate rows in the live mirror")
    for k in sorted(rmap.keys() - lmap.keys(), key=lambda k: (rmap[k]["block_number"], k[1])):
        out.append(f"idx_raw_event: missing in live: {_describe(rmap[k])}")
    for k in sorted(lmap.keys() - rmap.keys(), key=lambda k: (lmap[k]["block_number"], k[1])):
        out.append(f"idx_raw_event: extra in live (not on the chain): {_describe(lmap[k])}")
    for k in sorted(lmap.keys() & rmap.keys(), key=lambda k: (lmap[k]["block_number"], k[1])):
        lrow, rrow = lmap[k], rmap[k]
        for col in lrow:
            if lrow[col] != rrow.get(col):
                out.append(
                    f"idx_raw_event: {_describe(lrow)}: {col} live={lrow[col]!r} "
                    f"rebuilt={rrow.get(col)!r}"
                )


def _compare_rows(
    name: str, live: list[dict[str, Any]], rebuilt: list[dict[str, Any]], out: list[str]
) -> None:
    def freeze(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((k, repr(v)) for k, v in row.items()))

    lc, rc = Counter(map(freeze, live)), Counter(map(freeze, rebuilt))
    for row, n in sorted((rc - lc).items()):
        out.append(f"{name}: missing in live ({n}x): {dict(row)}")
    for row, n in sorted((lc - rc).items()):
        out.append(f"{name}: extra in live ({n}x): {dict(row)}")


def audit_raw(
    chain: Chain,
    live_url: str,
    scratch_url: str,
    *,
    settings: IndexerSettings | None = None,
    projections: list[Projection] | None = None,
    views: bool = True,
    batched_views: bool = True,
    extra_checks: Sequence[Callable[[Chain, str, AuditReport], None]] = (),
) -> AuditReport:
    """Rebuild into `scratch_url` (must be empty for this chain) and compare with `live_url`;
    then (`views`) compare the live mirror with the contracts' views at its cursor, and run
    `extra_checks` (each adds its differences to the report)."""
    chain_id = chain.chain_id
    report = AuditReport(chain_id=chain_id)
    projs = default_projections() if projections is None else projections
    tables = [RAW, WATCHED, *Dispatcher(projs).tables()]
    live_cursor, scope, roots, live_rows = _read_live(live_url, chain_id, tables)
    report.live_cursor = live_cursor
    if live_cursor is None:
        report.differences.append(f"the live mirror has no cursor for chain {chain_id}")
        return report

    base = settings or IndexerSettings()
    scope = scope or {}
    rebuild_settings = base.model_copy(
        update={
            "start_block": int(scope.get("start_block", base.start_block)),
            "watch_all": bool(scope.get("watch_all", not roots)),
            "discovery_events": set(scope.get("discovery_events", base.discovery_events)),
            "roots": roots,
        }
    )
    scratch = make_engine(scratch_url)
    try:
        with scratch.connect() as conn:
            insp = sa.inspect(conn)
            if (
                insp.has_table(CURSOR.name)
                and conn.execute(
                    sa.select(CURSOR.c.chain_id).where(CURSOR.c.chain_id == chain_id)
                ).first()
            ):
                raise ValueError(
                    f"scratch database {scratch_url} is not empty: audit needs a fresh one"
                )
        rebuilder = Indexer(
            rpc_url=chain.rpc_url,
            database_url=scratch_url,
            artifacts=chain.artifacts,
            settings=rebuild_settings,
            projections=projs,
            engine=scratch,
        )
        try:
            live_number = live_cursor[0]
            if live_number >= rebuild_settings.start_block:
                rebuilder.sync_once(to_block=live_number)
            with scratch.connect() as conn:
                cur = conn.execute(
                    sa.select(CURSOR.c.block_number, CURSOR.c.block_hash).where(
                        CURSOR.c.chain_id == chain_id
                    )
                ).first()
                report.rebuilt_cursor = (int(cur.block_number), cur.block_hash) if cur else None
                rebuilt_rows = _snapshot(conn, chain_id, tables)
        finally:
            rebuilder.rpc.close()
    finally:
        scratch.dispose()

    diffs = report.differences
    if report.rebuilt_cursor != live_cursor:
        diffs.append(
            f"cursor: live={live_cursor} rebuilt={report.rebuilt_cursor} (a live cursor off the "
            "chain is a reorg the live indexer has not undone yet)"
        )
    for table in tables:
        live = live_rows[table.name]
        report.compared[table.name] = len(live)
        if table is RAW:
            _compare_raw(live, rebuilt_rows[table.name], diffs)
        else:
            _compare_rows(table.name, live, rebuilt_rows[table.name], diffs)
    if views:
        audit_views(chain, live_url, report, batched=batched_views)
        # Checks of the node's own tables against the chain (the cooperative's books,
        # node/bank/audit.py), handed in by the composition root: the indexer imports no domain.
        for check in extra_checks:
            check(chain, live_url, report)
    if diffs:
        log.warning("audit found %d differences", len(diffs))
    return report


# -- the mirror against the contracts' views -------------------------------------------------


#: eth_calls per JSON-RPC batch when the views are read in batches.
VIEW_BATCH = 500


class _Views:
    """Contract reads at one block, with the differences they reveal.

    The audit walks the mirror and reads a view per fact: thousands of `eth_call`s, each a
    round trip through web3's middlewares, were nearly all of `coop audit`'s time. So it walks
    twice. The first walk only records the calls it would make (`recording`: every call
    answers a zero value of its ABI's shape, and the differences go to a scratch report);
    `prefetch` then reads them all in JSON-RPC batches, or through Multicall3 where the chain
    has it; the second walk decodes the answers exactly as web3's `call()` does. A call the
    first walk did not foresee, or one that failed in the batch, is made alone as before, so
    the answers and the differences are those of a walk without batches.
    """

    def __init__(
        self, chain: Chain, block: int, report: AuditReport, *, recording: bool = False
    ) -> None:
        self.chain = chain
        self.block = block
        self.report = report
        self.recording = recording
        self.wanted: dict[tuple[str, str], None] = {}
        self.answers: dict[tuple[str, str], bytes] = {}
        self.batched = 0
        """Calls answered from a batch (a statistic for the benchmark and tests)."""
        self.via_multicall = 0
        """Answers that came through Multicall3."""

    def call(self, contract: Any, fn: str, *args: Any) -> Any:
        bound = getattr(contract.functions, fn)(*args)
        key = (str(contract.address), str(bound._encode_transaction_data()))
        if self.recording:
            self.wanted[key] = None
            return _zero_answer(bound.abi)
        raw = self.answers.get(key)
        if raw is None:
            return bound.call(block_identifier=self.block)
        self.batched += 1
        return _decode_answer(self.chain, bound, raw)

    def prefetch(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Read the answers of `wanted` calls at this block: through Multicall3's aggregate3
        (the chain's own at its canonical address, else the compiled `Multicall3` given to the
        eth_call as a state override: nothing is deployed), then JSON-RPC batches of eth_call
        for whatever that did not answer (a node refusing state overrides, a failed call)."""
        keys = list(wanted)
        if not keys:
            return
        override = (
            None if multicall3_deployed(self.chain, self.block) else _multicall3_code(self.chain)
        )
        if override != b"":
            self.answers.update(_multicall(self.chain, self.block, keys, override))
            self.via_multicall = len(self.answers)
        rest = [k for k in keys if k not in self.answers]
        if not rest:
            return
        rpc = Rpc(self.chain.rpc_url, timeout=120)
        try:
            tag = hex(self.block)
            for i in range(0, len(rest), VIEW_BATCH):
                chunk = rest[i : i + VIEW_BATCH]
                calls: list[tuple[str, list[Any]]] = [
                    ("eth_call", [{"to": to, "data": data}, tag]) for to, data in chunk
                ]
                for key, (result, error) in zip(chunk, rpc.batch_each(calls), strict=True):
                    if error is None and isinstance(result, str):
                        self.answers[key] = bytes.fromhex(result.removeprefix("0x"))
        finally:
            rpc.close()

    def same(self, where: str, what: str, mirror: Any, chain_value: Any) -> None:
        if mirror != chain_value:
            self.report.differences.append(
                f"{where}: {what} mirror={mirror!r} chain={chain_value!r}"
            )

    def count(self, name: str, n: int = 1) -> None:
        key = f"views:{name}"
        self.report.compared[key] = self.report.compared.get(key, 0) + n


def _hex(value: Any) -> str:
    return "0x" + bytes(value).hex()


def multicall3_deployed(chain: Chain, block: int) -> bool:
    """Whether Multicall3 has code at its canonical address at `block`."""
    code = chain.w3.eth.get_code(MULTICALL3, block_identifier=block)  # type: ignore[arg-type]
    return len(code) > 0


def _multicall3_code(chain: Chain) -> bytes:
    """The runtime code of the compiled `Multicall3` (contracts/utils), b"" when not built."""
    try:
        manifest = json.loads(Path(chain.artifacts.path).read_text())
        runtime = manifest["contractTypes"]["Multicall3"].get("runtimeBytecode") or {}
        return bytes.fromhex(str(runtime.get("bytecode") or "0x")[2:])
    except (OSError, KeyError, ValueError):
        return b""


def _multicall(
    chain: Chain, block: int, keys: list[tuple[str, str]], code: bytes | None = None
) -> dict[tuple[str, str], bytes]:
    """The answers of `keys` (target, calldata) at `block` through Multicall3's aggregate3, each
    call allowed to fail (a failed one is left out: the audit then makes it alone)."""
    out: dict[tuple[str, str], bytes] = {}
    for i in range(0, len(keys), MULTICALL_BATCH):
        chunk = keys[i : i + MULTICALL_BATCH]
        calls = [(to, True, bytes.fromhex(data.removeprefix("0x"))) for to, data in chunk]
        payload = _AGGREGATE3 + abi_encode(["(address,bool,bytes)[]"], [calls])
        try:
            raw = chain.w3.eth.call(
                {"to": MULTICALL3, "data": "0x" + payload.hex()},  # type: ignore[typeddict-item]
                block_identifier=block,
                state_override=None if code is None else {MULTICALL3: {"code": code}},
            )
        except (Web3Exception, ValueError) as exc:
            log.warning("aggregate3 refused (%s): these views are read one by one", exc)
            continue
        try:
            (results,) = abi_decode(["(bool,bytes)[]"], bytes(raw))
        except DecodingError:
            # A node that ignores eth_call's state override (EthereumJS) runs the call against
            # an address without code and answers nothing.
            log.warning("aggregate3 answered nothing: these views are read one by one")
            continue
        if len(results) != len(chunk):
            continue
        for key, (success, data) in zip(chunk, results, strict=True):
            if success:
                out[key] = bytes(data)
    return out


def _zero_value(kind: Any) -> Any:
    """A value of ABI type `kind` (eth_abi grammar node) as web3 decodes an all-zero answer."""
    if kind.is_array:
        dims = kind.arrlist[-1]
        if not dims:
            return []
        return [_zero_value(kind.item_type)] * int(dims[0])
    if isinstance(kind, TupleType):
        return tuple(_zero_value(c) for c in kind.components)
    base = kind.base
    if base in ("uint", "int"):
        return 0
    if base == "address":
        return ZERO_ADDRESS
    if base == "bool":
        return False
    if base == "bytes":
        return bytes(int(kind.sub)) if kind.sub else b""
    if base == "string":
        return ""
    return 0  # fixed point: unused by the contracts


def _zero_answer(fn_abi: Any) -> Any:
    """What `.call()` would return for an answer of zeros (the recording walk's placeholder)."""
    values = [_zero_value(abi_grammar.parse(t)) for t in get_abi_output_types(fn_abi)]
    return values[0] if len(values) == 1 else values


def _decode_answer(chain: Chain, bound: Any, raw: bytes) -> Any:
    """An eth_call answer decoded exactly as web3's `ContractFunction.call()` decodes it."""
    output_types = get_abi_output_types(bound.abi)
    decoded = chain.w3.codec.decode(output_types, raw)
    normalizers = itertools.chain(BASE_RETURN_NORMALIZERS, bound._return_data_normalizers or ())
    normalized = map_abi_data(normalizers, output_types, decoded)
    return normalized[0] if len(normalized) == 1 else normalized


def audit_views(
    chain: Chain, live_url: str, report: AuditReport, *, batched: bool = True
) -> AuditReport:
    """Compare the live mirror, read through `indexer.queries`, with the contracts' views at the
    mirror's cursor block. Differences are appended to `report.differences`."""
    from indexer import queries as q

    chain_id = report.chain_id
    engine = make_engine(live_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                try:
                    as_of = q.current_block(conn, chain_id)
                except q.NotFound:
                    return report
                if as_of.number < 0:
                    return report
                # First walk: record the calls; then read them in batches; second walk: the
                # audit proper, on the prefetched answers (see `_Views`).
                scratch = AuditReport(chain_id=chain_id)
                recorder = _Views(chain, as_of.number, scratch, recording=True)
                _walk(conn, chain_id, recorder)
                v = _Views(chain, as_of.number, report)
                if batched:
                    v.prefetch(recorder.wanted)
                _walk(conn, chain_id, v)
                report.view_calls = len(recorder.wanted)
                report.views_batched = v.batched
                report.views_via_multicall = v.via_multicall
                log.debug(
                    "views: %d calls, %d answered from batches", len(recorder.wanted), v.batched
                )
    finally:
        engine.dispose()
    return report


def _walk(conn: Connection, chain_id: int, v: _Views) -> None:
    from indexer import queries as q

    for coop in q.list_cooperatives(conn, chain_id).data:
        _audit_cooperative(conn, chain_id, v, coop)
    # Funds and registers are announced by no event: audited are the addresses whose events
    # the fund / register projections took (their signatures are declared by those contracts
    # only).
    for fund in q.fund_contracts(conn, chain_id):
        _audit_fund(conn, chain_id, v, fund)
    for register in q.property_registries(conn, chain_id):
        _audit_property(conn, chain_id, v, register)


def _audit_cooperative(conn: Connection, chain_id: int, v: _Views, coop: Any) -> None:
    from indexer import queries as q
    from indexer.models import ZERO_HASH_HEX

    a: Any
    b: Any
    c = v.chain
    label = f"cooperative #{coop.coop_id} «{coop.name}»"
    charter = c.contract("Charter", coop.charter)
    membership = c.contract("Membership", coop.membership)
    shares = c.contract("Shares", coop.shares)
    treasury = c.contract("Treasury", coop.treasury)
    registry = c.contract("DocumentRegistry", coop.documents)
    units = c.contract("SettlementUnits", coop.settlement_units)

    # Charter.
    v.same(label, "chair", coop.chair, v.call(charter, "chair"))
    v.same(label, "decision executor", coop.decision_executor, v.call(charter, "decisionExecutor"))
    v.same(
        label, "charter document", coop.charter_document, _hex(v.call(charter, "charterDocument"))
    )
    v.same(label, "fund split", coop.fund_split, [int(x) for x in v.call(charter, "fundSplit")])
    v.count("cooperatives")

    # Members, holdings, ВРЕ.
    members = q.list_members(conn, coop.charter, limit=10**9, chain_id=chain_id).data
    accounts = {m.account: m for m in members}
    held = {e.account for e in q.share_ledger(conn, coop.charter, chain_id=chain_id).data}
    from indexer.queries import _units  # the ВРЕ ledger's accounts (not all are members)

    in_units = set(_units(conn, chain_id, coop.settlement_units, None))
    default_limit = int(v.call(units, "defaultCreditLimit"))
    for account in sorted(set(accounts) | held | in_units):
        where = f"{label} account {account}"
        m = accounts.get(account) or q.get_member(conn, coop.charter, account, chain_id)
        rec = v.call(membership, "memberOf", account)
        if m is None:
            v.same(where, "membership status", 0, int(rec[0]))
        else:
            mine = (
                m.status,
                m.member_kind,
                m.blocked_from,
                m.identity_verified,
                m.fees_paid,
                m.nonce,
                m.applied_at,
                m.admitted_at,
            )
            names = (
                "status",
                "kind",
                "blockedFrom",
                "identityVerified",
                "feesPaid",
                "nonce",
                "appliedAt",
                "admittedAt",
            )
            for name, a, b in zip(names, mine, rec, strict=True):
                v.same(where, f"memberOf.{name}", a, b if isinstance(b, bool) else int(b))
            v.same(where, "statusOf", m.status, int(v.call(membership, "statusOf", account)))
        v.count("members")
        # Shares.
        holding = v.call(shares, "holdingOf", account)
        if m is not None:
            h = m.shares
            mine_h = (
                h.minimum_share,
                h.voluntary_shares,
                h.in_kind_shares,
                h.entrance_fee,
                h.paid_off_chain,
            )
            share_balance, units_balance, limit = m.share_balance, m.units_balance, m.credit_limit
        else:
            led = q._holdings(conn, chain_id, coop.shares, [account]).get(account)
            mine_h = (
                (
                    led.minimum_share,
                    led.voluntary_shares,
                    led.in_kind_shares,
                    led.entrance_fee,
                    led.paid_off_chain,
                )
                if led
                else (0, 0, 0, 0, 0)
            )
            share_balance = sum(mine_h[:3])
            bal, own = q._units(conn, chain_id, coop.settlement_units, [account]).get(
                account, (0, None)
            )
            units_balance, limit = bal, default_limit if own is None else own
        hnames = ("minimumShare", "voluntaryShares", "inKindShares", "entranceFee", "paidOffChain")
        for name, a, b in zip(hnames, mine_h, holding, strict=True):
            v.same(where, f"holdingOf.{name}", a, int(b))
        v.same(where, "Shares.balanceOf", share_balance, int(v.call(shares, "balanceOf", account)))
        # ВРЕ.
        v.same(
            where, "signedBalanceOf", units_balance, int(v.call(units, "signedBalanceOf", account))
        )
        v.same(where, "creditLimitOf", limit, int(v.call(units, "creditLimitOf", account)))

    dash = q.dashboard(conn, coop.charter, chain_id)
    v.same(label, "Shares.totalSupply", dash.total_shares, int(v.call(shares, "totalSupply")))
    v.same(label, "ВРЕ totalSupply", dash.units_supply, int(v.call(units, "totalSupply")))
    v.same(
        label,
        "activeMemberCount",
        dash.active_members,
        int(v.call(membership, "activeMemberCount")),
    )

    # Obligations: every one, as `obligation(id)` answers.
    obligations = q.list_obligations(conn, coop.charter, limit=10**9, chain_id=chain_id).data
    count = int(v.call(units, "obligationCount"))
    v.same(label, "obligationCount", max((o.obligation_id for o in obligations), default=0), count)
    for o in obligations:
        info = v.call(units, "obligation", o.obligation_id)
        where = f"{label} obligation {o.obligation_id}"
        mine_o = (
            o.debtor,
            o.creditor,
            o.status,
            o.due_date,
            o.amount,
            o.outstanding,
            o.document_hash,
        )
        theirs = (
            info[0],
            info[1],
            int(info[2]),
            int(info[3]),
            int(info[4]),
            int(info[5]),
            _hex(info[6]),
        )
        for name, a, b in zip(
            ("debtor", "creditor", "status", "dueDate", "amount", "outstanding", "documentHash"),
            mine_o,
            theirs,
            strict=True,
        ):
            v.same(where, name, a, b)
        v.count("obligations")

    # Treasury.
    funds = dash.funds
    theirs_f = [int(x) for x in v.call(treasury, "fundBalances")]
    v.same(
        label,
        "fundBalances",
        [funds.share, funds.reserve, funds.mutual_aid, funds.development],
        theirs_f,
    )
    v.same(label, "pendingIncome", funds.pending_income, int(v.call(treasury, "pendingIncome")))
    v.count("treasuries")
    # The funds the charter names: terms and balances (pending income counted as split).
    named = q.named_funds(conn, coop.charter, chain_id=chain_id)
    v.same(
        label,
        "namedFundBalances",
        [f.balance for f in named.data],
        [int(x) for x in v.call(treasury, "namedFundBalances")],
    )
    for f in named.data:
        theirs_n = v.call(treasury, "namedFund", f.fund_id)
        v.same(
            f"{label} named fund {f.fund_id}",
            "terms",
            [f.name, f.share_bps, f.rule, f.majority, f.indivisible],
            [
                theirs_n[0],
                int(theirs_n[2]),
                ("council", "meeting")[int(theirs_n[3]) % 2],
                ("simple", "two_thirds", "three_quarters")[min(int(theirs_n[4]), 2)],
                bool(theirs_n[5]),
            ],
        )
        v.count("named funds")

    # Documents and their signers.
    for d in q.list_documents(conn, coop.charter, limit=10**9, chain_id=chain_id).data:
        where = f"{label} document {d.document}"
        rec = v.call(registry, "documentOf", d.document)
        v.same(where, "anchoredBy", d.anchored_by, rec[0])
        v.same(where, "anchoredAt", d.anchored_at, int(rec[1]))
        v.same(where, "documentType", d.document_type, int(rec[2]))
        sigs = v.call(registry, "signaturesOf", d.document)
        v.same(
            where,
            "signatures",
            [(s.signer, s.signed_at) for s in d.signatures],
            [(s[0], int(s[1])) for s in sigs],
        )
        v.count("documents")

    # Governance.
    for council_address in q.councils_of(conn, coop.charter, chain_id):
        council = c.contract("Council", council_address)
        items = q.council_items(conn, council=council_address, limit=10**9, chain_id=chain_id).data
        v.same(
            f"{label} council {council_address}",
            "itemCount",
            max((i.item_id for i in items), default=0),
            int(v.call(council, "itemCount")),
        )
        for it in items:
            info = v.call(council, "item", it.item_id)
            where = f"{label} council item {it.item_id}"
            mine_i = (
                it.state,
                it.epoch,
                it.expires_at,
                it.for_votes,
                it.against_votes,
                it.abstain_votes,
            )
            theirs_i = tuple(int(x) for x in info[:6])
            for name, a, b in zip(
                ("state", "epoch", "expiresAt", "forVotes", "againstVotes", "abstainVotes"),
                mine_i,
                theirs_i,
                strict=True,
            ):
                v.same(where, name, a, b)
            v.same(where, "documentHash", it.document_hash, _hex(info[6]))
            v.same(where, "protocolHash", it.protocol_hash or ZERO_HASH_HEX, _hex(info[8]))
            v.count("council_items")
    for meeting_address in q.meeting_contracts_of(conn, coop.charter, chain_id):
        gm = c.contract("GeneralMeeting", meeting_address)
        for mt in q.meetings(conn, meeting_contract=meeting_address, chain_id=chain_id).data:
            info = v.call(gm, "meeting", mt.meeting_id)
            where = f"{label} meeting {mt.meeting_id}"
            pairs = {
                "state": (mt.state, int(info[0])),
                "attempt": (mt.attempt, int(info[1])),
                "questionCount": (len(mt.questions), int(info[2])),
                "quorumBps": (mt.quorum_bps, int(info[3])),
                "opensAt": (mt.opens_at, int(info[4])),
                "closesAt": (mt.closes_at, int(info[5])),
                "recordBlock": (mt.record_block, int(info[6])),
                "participants": (mt.participants, int(info[7])),
                "eligible": (mt.eligible, int(info[8])),
                "acceptedMask": (mt.accepted_mask, int(info[9])),
                "executedMask": (mt.executed_mask, int(info[10])),
                "secretary": (mt.secretary, info[11]),
                "chair": (mt.chair, info[12]),
                "secretarySigned": (mt.secretary_signed, bool(info[13])),
                "chairSigned": (mt.chair_signed, bool(info[14])),
                "protocolHash": (mt.protocol_hash or ZERO_HASH_HEX, _hex(info[15])),
                "previousMeetingId": (mt.previous_meeting_id, int(info[16])),
            }
            for name, (a, b) in pairs.items():
                v.same(where, name, a, b)
            for qn in mt.questions:
                res = v.call(gm, "question", mt.meeting_id, qn.index)
                v.same(
                    f"{where} question {qn.index}",
                    "votes (for, against, abstain)",
                    (qn.for_votes, qn.against_votes, qn.abstain_votes),
                    (int(res[3]), int(res[4]), int(res[5])),
                )
            v.count("meetings")
            _audit_proxies(v, where, mt)


#: `IMeetingProxies.ProxyStatus` -> the mirror's status (an expired proxy is Active on chain).
_PROXY_STATUS = {1: ("active", "expired"), 2: ("revoked",), 3: ("used",)}


def _audit_proxies(v: _Views, where: str, mt: Any) -> None:
    """Each mirrored proxy of the meeting against `proxyOf` of its MeetingProxies contract."""
    for px in mt.proxies:
        proxies = v.chain.contract("MeetingProxies", px.contract)
        holder, expires_at, status, document_hash = v.call(
            proxies, "proxyOf", px.meeting_id, px.principal
        )
        at = f"{where} proxy of {px.principal}"
        v.same(at, "holder", px.holder, holder)
        v.same(at, "expiresAt", px.expires_at, int(expires_at))
        v.same(at, "documentHash", px.document_hash, _hex(document_hash))
        allowed = _PROXY_STATUS.get(int(status), ())
        v.same(at, "status", px.status, px.status if px.status in allowed else str(allowed))
        v.count("proxies")


# -- mutual-aid fund and property register ------------------------------------------------------

_OVERDUE, _ACTIVE = 4, 3


def _audit_fund(conn: Connection, chain_id: int, v: _Views, address: str) -> None:
    """`pool()`, every mirrored member's `positionOf` (units, balance) and `balanceOf`, and
    every loan's `loan(id)` and `outstanding(id)`. The mirror does not derive `Overdue` (it
    depends on the schedule and time): a loan the chain calls Overdue must be Active in it.
    Balances: the mirror has the book value; the chain's are at the exit value, so the mirrored
    units are valued at the chain's marked-down principal (`valuation().impaired`) too."""
    from indexer import queries as q
    from indexer.projections.fund import value_of

    fund = v.chain.contract("MutualAidFund", address)
    label = f"mutual-aid fund {address}"
    positions = q.fund_positions(conn, address, chain_id)
    loans = q.list_loans(conn, address, limit=10**9, chain_id=chain_id).data
    cash, lent, total_units, loan_count = v.call(fund, "pool")
    v.same(label, "pool.cash", positions.cash, int(cash))
    v.same(label, "pool.lent", positions.lent, int(lent))
    v.same(label, "pool.totalUnits", positions.total_units, int(total_units))
    v.same(label, "pool.loanCount", max((ln.loan_id for ln in loans), default=0), int(loan_count))
    v.count("fund_pools")
    impaired = int(v.call(fund, "valuation")[1])
    for p in positions.positions:
        where = f"{label} account {p.account}"
        chain_pos = v.call(fund, "positionOf", p.account)
        exit_balance = value_of(
            p.units, positions.cash, positions.lent - impaired, positions.total_units
        )
        v.same(where, "positionOf.units", p.units, int(chain_pos[0]))
        v.same(where, "positionOf.balance", exit_balance, int(chain_pos[1]))
        v.same(where, "balanceOf", exit_balance, int(v.call(fund, "balanceOf", p.account)))
        v.count("fund_positions")
    for ln in loans:
        where = f"{label} loan {ln.loan_id}"
        info = v.call(fund, "loan", ln.loan_id)
        state = int(info[0])
        v.same(where, "loan.state", ln.state, _ACTIVE if state == _OVERDUE else state)
        mirror = (
            ln.borrower,
            ln.principal,
            ln.interest,
            ln.repaid,
            ln.term,
            ln.instalments,
            ln.custom_schedule,
            ln.disbursed_at,
            ln.purpose,
            len(ln.guarantees),
            ln.accepted_mask,
        )
        names = (
            "borrower",
            "principal",
            "interest",
            "repaid",
            "term",
            "instalments",
            "customSchedule",
            "disbursedAt",
            "purpose",
            "guarantorCount",
            "acceptedMask",
        )
        for name, a, b in zip(names, mirror, info[1:], strict=True):
            if isinstance(b, bytes):
                b = _hex(b)
            elif not isinstance(b, (bool, str)):
                b = int(b)
            v.same(where, f"loan.{name}", a, b)
        v.same(where, "outstanding", ln.outstanding, int(v.call(fund, "outstanding", ln.loan_id)))
        v.count("fund_loans")


def _audit_property(conn: Connection, chain_id: int, v: _Views, address: str) -> None:
    """`assetCount`, `totalSupply`, and every mirrored asset's `asset(id)` and `exists(id)`."""
    from indexer import queries as q

    registry = v.chain.contract("PropertyRegistry", address)
    label = f"property register {address}"
    assets = q.list_assets(conn, address, limit=10**9, chain_id=chain_id).data
    v.same(label, "assetCount", len(assets), int(v.call(registry, "assetCount")))
    v.same(
        label,
        "totalSupply",
        sum(1 for x in assets if x.exists),
        int(v.call(registry, "totalSupply")),
    )
    names = (
        "category",
        "custodian",
        "valuation",
        "title",
        "metadata",
        "acquiredAt",
        "valuedAt",
        "encumbered",
        "pledgee",
        "pledgeAmount",
        "pledgeDocument",
    )
    for x in assets:
        where = f"{label} asset {x.token_id}"
        info = v.call(registry, "asset", x.token_id)
        mirror = (
            x.category,
            x.custodian,
            x.valuation,
            x.title,
            x.metadata_hash,
            x.acquired_at,
            x.valued_at,
            x.encumbered,
            x.pledgee,
            x.pledge_amount,
            x.pledge_document,
        )
        for name, a, b in zip(names, mirror, info, strict=True):
            if isinstance(b, bytes):
                b = _hex(b)
            elif not isinstance(b, (bool, str)):
                b = int(b)
            v.same(where, f"asset.{name}", a, b)
        v.same(where, "exists", x.exists, bool(v.call(registry, "exists", x.token_id)))
        v.count("assets")
