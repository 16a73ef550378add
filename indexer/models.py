"""The SQL mirror's tables, as typed SQLModel classes.

The Alembic revisions under `indexer/migrations/versions/` create exactly these tables (a test
compares the migrated schema with this metadata); nothing creates tables from the models at
runtime, so SQLite and PostgreSQL always get the same, reviewed DDL.

Every table carries `chain_id`: one database may mirror several chains (a test net and the
production chain) without their rows meeting.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

#: JSON everywhere, JSONB on PostgreSQL so that domain queries can index into `args`.
JsonType = sa.JSON().with_variant(JSONB(), "postgresql")
#: A 64-bit surrogate key on PostgreSQL; SQLite only auto-increments INTEGER PRIMARY KEY.
BigIdType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


#: Integer parts of composite primary keys are plain values, never sequences.
_NO_AUTOINC: dict[str, Any] = {"autoincrement": False}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class RawEvent(SQLModel, table=True):
    """One log of a watched contract, decoded with the project's compiled ABIs.

    The natural key is (chain_id, block_hash, log_index): a log re-delivered after a crash or a
    retry is ignored (ON CONFLICT DO NOTHING), while the same log in a replacing block of a
    reorg is a different row. Big integers are decimal strings inside `args`, so a uint256
    survives JSON exactly.
    """

    __tablename__ = "idx_raw_event"
    __table_args__ = (
        sa.UniqueConstraint("chain_id", "block_hash", "log_index", name="uq_idx_raw_event_key"),
        sa.Index("ix_idx_raw_event_order", "chain_id", "block_number", "log_index"),
        sa.Index("ix_idx_raw_event_name", "chain_id", "event_name"),
        sa.Index("ix_idx_raw_event_address", "chain_id", "address"),
    )

    id: int | None = Field(default=None, sa_type=BigIdType, primary_key=True)
    chain_id: int = Field(sa_type=sa.BigInteger)
    block_number: int = Field(sa_type=sa.BigInteger)
    block_hash: str = Field(max_length=66)
    tx_hash: str = Field(max_length=66)
    tx_index: int
    log_index: int
    address: str = Field(max_length=42)
    """Emitting contract, EIP-55 checksummed."""
    event_name: str | None = Field(default=None, max_length=128)
    """None when no compiled contract declares the log's topic0 (watch-all mode sees those)."""
    signature: str | None = Field(default=None, max_length=512)
    args: dict[str, Any] | None = Field(default=None, sa_type=JsonType)
    """Decoded arguments by name; ints as decimal strings, bytes as 0x-hex."""
    topics: list[str] | None = Field(default=None, sa_type=JsonType)
    """Raw topics, kept only when the log could not be decoded (so it can be later)."""
    data: str | None = Field(default=None, sa_type=sa.Text)
    """Raw data, kept only when the log could not be decoded."""
    block_timestamp: int | None = Field(default=None, sa_type=sa.BigInteger)
    """Unix seconds of the log's block (revision 0002): reports need "when"."""


class Block(SQLModel, table=True):
    """A block above the finality depth: its hash tells a reorg, its parent links the chain."""

    __tablename__ = "idx_block"

    chain_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    number: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    hash: str = Field(max_length=66)
    parent_hash: str = Field(max_length=66)


class Cursor(SQLModel, table=True):
    """The last block whose events are all in SQL; written in the same transaction as them."""

    __tablename__ = "idx_cursor"

    chain_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    block_number: int = Field(sa_type=sa.BigInteger)
    """-1 before the first block is indexed (start_block - 1 in general)."""
    block_hash: str | None = Field(default=None, max_length=66)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime)
    block_timestamp: int | None = Field(default=None, sa_type=sa.BigInteger)
    """Unix seconds of the cursor's block (revision 0002); None right after a reorg undo."""


class Status(SQLModel, table=True):
    """Counters an operator watches, and the indexing scope an audit rebuilds with."""

    __tablename__ = "idx_status"

    chain_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    reorg_count: int = 0
    deepest_reorg: int = 0
    """Largest number of blocks undone by one reorg (an upper bound when deeper than
    finality: blocks without events leave no hash to compare)."""
    last_reorg_ancestor: int | None = Field(default=None, sa_type=sa.BigInteger)
    last_reorg_at: datetime | None = Field(default=None, sa_type=sa.DateTime)
    head_seen: int | None = Field(default=None, sa_type=sa.BigInteger)
    scope: dict[str, Any] | None = Field(default=None, sa_type=JsonType)
    """start_block, watch_all and discovery_events of the run that created the mirror."""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime)


class WatchedAddress(SQLModel, table=True):
    """A contract whose logs are mirrored from `from_block` on: a root, or discovered by an
    event (then `block_hash`/`log_index` name that event, and a reorg that orphans it removes
    the row)."""

    __tablename__ = "idx_watched_address"

    chain_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    address: str = Field(max_length=42, primary_key=True)
    from_block: int = Field(sa_type=sa.BigInteger)
    source: str = Field(max_length=16)
    """"root" or "discovered"."""
    event_name: str | None = Field(default=None, max_length=128)
    block_hash: str | None = Field(default=None, max_length=66)
    log_index: int | None = None


class PingNote(SQLModel, table=True):
    """Example projection: a ledger of Ping notes, one row per `Pinged` event.

    Keyed by its raw event (chain_id, block_hash, log_index), written in that event's
    transaction, and carrying `block_number`, so that the generic reorg undo (delete above the
    ancestor) applies.
    "Current state" (e.g. the last note of a sender) is a query over the ledger, never a
    mutable row that an undo would have to reconstruct.
    """

    __tablename__ = "ping_note"
    __table_args__ = (
        sa.Index("ix_ping_note_sender", "chain_id", "sender"),
        sa.Index("ix_ping_note_block", "chain_id", "block_number"),
    )

    chain_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    block_hash: str = Field(max_length=66, primary_key=True)
    log_index: int = Field(primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    block_number: int = Field(sa_type=sa.BigInteger)
    contract: str = Field(max_length=42)
    sender: str = Field(max_length=42)
    count: str = Field(max_length=78)
    """uint256 as a decimal string (78 digits hold 2**256 - 1)."""
    note: str = Field(max_length=66)


#: The indexer's own tables, in creation order (audit and schema tests walk them).
CORE_TABLES: tuple[str, ...] = (
    "idx_raw_event",
    "idx_block",
    "idx_cursor",
    "idx_status",
    "idx_watched_address",
)


# =============================================================================================
# Domain projections (revision 0002): append-only ledgers, one or more rows per raw event.
#
# Every ledger row carries its raw event's key (chain_id, block_hash, log_index) and
# block_number, so that the generic reorg undo applies (no foreign key since revision
# 0010_indexer_speed). Rows that describe an entity (a member, an obligation, a meeting) carry
# the entity's state *after* the event: the current state is the latest row per entity, a query
# (`indexer/queries/`), never a mutable row. uint256 values are decimal strings (String(78));
# signed values String(80).
# =============================================================================================

_ADDRESS = 42
_HASH = 66
_AMOUNT = 78
_SIGNED = 80


def _ledger_args(table: str, *extra: Any) -> tuple[Any, ...]:
    """A ledger's table arguments: the (chain_id, block_number) index of the reorg undo. No
    foreign key to `idx_raw_event` (revision 0010_indexer_speed): a ledger row is written in its
    raw event's transaction, keyed by that event, and undone with it by block number."""
    return (
        sa.Index(f"ix_{table}_block", "chain_id", "block_number"),
        *extra,
    )


class LedgerRow(SQLModel):
    """The raw event a ledger row derives from, and its block (for the reorg undo)."""

    chain_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    block_hash: str = Field(max_length=_HASH, primary_key=True)
    log_index: int = Field(primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    block_number: int = Field(sa_type=sa.BigInteger)


# -- registry ---------------------------------------------------------------------------------


class CooperativeBase(SQLModel):
    network_registry: str = Field(max_length=_ADDRESS)
    """The NetworkRegistry that announced the cooperative."""
    coop_id: int = Field(sa_type=sa.BigInteger)
    """The cooperative's number in its registry (from 1)."""
    charter: str = Field(max_length=_ADDRESS)
    """The cooperative's identity: its Charter's address."""
    kind: int
    """`ICharter.CooperativeKind` (0 consumer ... 4 union, 5 other)."""
    name: str = Field(sa_type=sa.Text)
    charter_document: str = Field(max_length=_HASH)
    chair: str = Field(max_length=_ADDRESS)
    """The chair at registration (later changes: `coop_config_event`)."""
    membership: str = Field(max_length=_ADDRESS)
    shares: str = Field(max_length=_ADDRESS)
    treasury: str = Field(max_length=_ADDRESS)
    documents: str = Field(max_length=_ADDRESS)
    settlement_units: str = Field(max_length=_ADDRESS)


class Cooperative(CooperativeBase, LedgerRow, table=True):
    """`NetworkRegistry.CooperativeRegistered`: one row per cooperative."""

    __tablename__ = "coop_cooperative"
    __table_args__ = _ledger_args(
        "coop_cooperative",
        sa.Index("ix_coop_cooperative_charter", "chain_id", "charter"),
    )


class ConfigEventBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    """Emitter: a Charter, Membership, ВРЕ, Council or GeneralMeeting."""
    action: str = Field(max_length=32)
    """chair, executor, charter_document, fees, fund_split, roles, auditor (number: 1
    appointed, 0 removed), obligation_source_added,
    obligation_source_removed, default_credit_limit, council_seated, item_expiry,
    meeting_parameters, meeting_register (account: the register, value: the proxies),
    fund_rules (value: the rules as JSON; previous: the decision's document)."""
    account: str | None = Field(default=None, max_length=_ADDRESS)
    """New chair / executor, the account whose roles changed, the obligation source."""
    previous: str | None = Field(default=None, max_length=_AMOUNT)
    """Previous chair / executor / document hash / default limit / expiry."""
    value: str | None = Field(default=None, sa_type=sa.Text)
    """New document hash, limit, expiry or notice period (decimal); fund split or quorum
    schedule as comma-separated basis points; council members comma-separated."""
    number: int | None = Field(default=None, sa_type=sa.BigInteger)
    """Roles bitmask, member kind of a fee change, council epoch."""
    entrance_fee: str | None = Field(default=None, max_length=_AMOUNT)
    minimum_share: str | None = Field(default=None, max_length=_AMOUNT)


class ConfigEvent(ConfigEventBase, LedgerRow, table=True):
    """Configuration changes of a cooperative's contracts (charter roles and fees, obligation
    sources, the ВРЕ default credit limit, council seats and expiry, meeting parameters)."""

    __tablename__ = "coop_config_event"
    __table_args__ = _ledger_args(
        "coop_config_event",
        sa.Index("ix_coop_config_event_contract", "chain_id", "contract", "action"),
    )


# -- membership -------------------------------------------------------------------------------


class MemberEventBase(SQLModel):
    account: str = Field(max_length=_ADDRESS, primary_key=True)
    """Part of the key: a recovery writes a row for each of its two addresses."""
    contract: str = Field(max_length=_ADDRESS)
    """The Membership register."""
    action: str = Field(max_length=24)
    """applied, identity_attested, fees_paid, payment_attested, admitted, exit_requested,
    exited, blocked, unblocked, recovered_from (the old address), recovered_to (the new)."""
    status: int
    """`IMembership.MemberStatus` after the event (0 none, 1 applicant, 2 member, 3 exiting,
    4 exited, 5 blocked)."""
    member_kind: int
    """`ICharter.MemberKind` after the event (0 individual, 1 organisation)."""
    blocked_from: int
    identity_verified: bool
    fees_paid: bool
    nonce: int = Field(sa_type=sa.BigInteger)
    applied_at: int = Field(sa_type=sa.BigInteger)
    admitted_at: int = Field(sa_type=sa.BigInteger)
    document: str | None = Field(default=None, max_length=_HASH)
    """Application hash, identity check record, payment document, exit application, decision."""
    identity_hash: str | None = Field(default=None, max_length=_HASH)
    counterparty: str | None = Field(default=None, max_length=_ADDRESS)
    """Submitter, verifier, payer, cashier, or the other address of a recovery."""
    entrance_fee: str | None = Field(default=None, max_length=_AMOUNT)
    minimum_share: str | None = Field(default=None, max_length=_AMOUNT)


class MemberEvent(MemberEventBase, LedgerRow, table=True):
    """A member's status history: one row per membership event and account, carrying the
    `memberOf` record after it."""

    __tablename__ = "member_event"
    __table_args__ = _ledger_args(
        "member_event",
        sa.Index("ix_member_event_account", "chain_id", "contract", "account"),
    )


# -- shares -----------------------------------------------------------------------------------


class ShareEntryBase(SQLModel):
    account: str = Field(max_length=_ADDRESS, primary_key=True)
    """Part of the key: a move or a rebinding writes a row for each side."""
    contract: str = Field(max_length=_ADDRESS)
    """The Shares register."""
    action: str = Field(max_length=24)
    """entry (fees paid on joining), voluntary, in_kind, moved_out, moved_in, settled,
    rebound_out, rebound_in."""
    amount: str = Field(max_length=_AMOUNT)
    off_chain: bool = False
    """Paid by bank (attested by a cashier), not in tokens."""
    document: str | None = Field(default=None, max_length=_HASH)
    counterparty: str | None = Field(default=None, max_length=_ADDRESS)
    refunded_on_chain: str | None = Field(default=None, max_length=_AMOUNT)
    owed_off_chain: str | None = Field(default=None, max_length=_AMOUNT)
    minimum_share: str = Field(max_length=_AMOUNT)
    """The holding after the event (`IShares.Holding`)."""
    voluntary_shares: str = Field(max_length=_AMOUNT)
    in_kind_shares: str = Field(max_length=_AMOUNT)
    entrance_fee: str = Field(max_length=_AMOUNT)
    paid_off_chain: str = Field(max_length=_AMOUNT)


class ShareEntry(ShareEntryBase, LedgerRow, table=True):
    """The shares ledger: one row per change of a member's holding, with the holding after."""

    __tablename__ = "share_entry"
    __table_args__ = _ledger_args(
        "share_entry", sa.Index("ix_share_entry_account", "chain_id", "contract", "account")
    )


# -- treasury ---------------------------------------------------------------------------------


class TreasuryMovementBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    action: str = Field(max_length=24)
    """fees_collected, income_received, income_distributed, share_refunded, paid_out,
    union_applied, union_fees_paid; by decision in the union's ВРЕ (`counterparty` = the
    union's SettlementUnits): union_invoice_issued, union_invoice_accepted,
    union_invoice_paid, union_invoice_cancelled, union_invoice_rejected."""
    obligation_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    """The obligation in the union's ВРЕ (union_invoice_* rows)."""
    fund: int | None = None
    """`ITreasury.Fund` debited (0 share, 1 reserve, 2 mutual aid, 3 development)."""
    counterparty: str | None = Field(default=None, max_length=_ADDRESS)
    amount: str = Field(max_length=_AMOUNT)
    share_amount: str | None = Field(default=None, max_length=_AMOUNT)
    document: str | None = Field(default=None, max_length=_HASH)
    parts: str | None = Field(default=None, max_length=4 * _AMOUNT + 3)
    """Income split into the four funds, comma-separated."""
    share_fund: str = Field(max_length=_AMOUNT)
    """Stored balances after the event; pending income is split only by a distribution."""
    reserve_fund: str = Field(max_length=_AMOUNT)
    mutual_aid_fund: str = Field(max_length=_AMOUNT)
    development_fund: str = Field(max_length=_AMOUNT)
    pending_income: str = Field(max_length=_AMOUNT)


class TreasuryMovement(TreasuryMovementBase, LedgerRow, table=True):
    """Treasury funds and movements: one row per treasury event, with the balances after."""

    __tablename__ = "treasury_movement"
    __table_args__ = _ledger_args(
        "treasury_movement",
        sa.Index("ix_treasury_movement_contract", "chain_id", "contract"),
    )


class NamedFundEntryBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    """The Treasury."""
    fund_id: int = Field(primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    """`ITreasury` named fund id (its index, from 0)."""
    action: str = Field(max_length=16)
    """created, changed, credited (its part of a distribution), paid_out."""
    name: str = Field(sa_type=sa.Text)
    share_bps: int
    """Its share of every income, basis points of the whole income (after the event)."""
    rule: int
    """`ITreasury.SpendRule`: 0 council, 1 meeting."""
    majority: int
    """`IGeneralMeeting.Majority` of the meeting decision that spends, sets or changes it."""
    indivisible: bool
    regulation: str = Field(max_length=_HASH)
    """The fund's regulation (положение о фонде) as last decided."""
    amount: str = Field(max_length=_AMOUNT)
    """Credited or paid out (0 for created / changed)."""
    counterparty: str | None = Field(default=None, max_length=_ADDRESS)
    document: str | None = Field(default=None, max_length=_HASH)
    """The decision that spent it (paid_out)."""
    balance: str = Field(max_length=_AMOUNT)
    """The fund's stored balance after the event."""


class NamedFundEntry(NamedFundEntryBase, LedgerRow, table=True):
    """The funds a charter names: one row per fund an event touches, with its state after."""

    __tablename__ = "treasury_named_fund_entry"
    __table_args__ = _ledger_args(
        "treasury_named_fund_entry",
        sa.Index("ix_treasury_named_fund_entry_fund", "chain_id", "contract", "fund_id"),
    )


# -- documents --------------------------------------------------------------------------------


class DocumentBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    document: str = Field(max_length=_HASH)
    document_type: int
    """`IDocumentRegistry.DocumentType`."""
    anchored_by: str = Field(max_length=_ADDRESS)
    replaces: str = Field(max_length=_HASH)


class Document(DocumentBase, LedgerRow, table=True):
    """`DocumentAnchored`: one row per anchored document."""

    __tablename__ = "doc_document"
    __table_args__ = _ledger_args(
        "doc_document", sa.Index("ix_doc_document_hash", "chain_id", "document")
    )


class SignatureBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    document: str = Field(max_length=_HASH)
    signer: str = Field(max_length=_ADDRESS)
    submitter: str = Field(max_length=_ADDRESS)


class Signature(SignatureBase, LedgerRow, table=True):
    """`DocumentSigned`: one row per signature."""

    __tablename__ = "doc_signature"
    __table_args__ = _ledger_args(
        "doc_signature", sa.Index("ix_doc_signature_document", "chain_id", "document")
    )


# -- ВРЕ (settlement units) -------------------------------------------------------------------


class UnitsEntryBase(SQLModel):
    leg: int = Field(default=0, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    """Part of the key: 0 and 1 for the two legs of one event (a transfer to oneself has two
    legs on one account)."""
    contract: str = Field(max_length=_ADDRESS)
    account: str = Field(max_length=_ADDRESS)
    action: str = Field(max_length=16)
    """sent, received (a Transfer's two legs), limit_set, pinned (the default limit fixed when
    the member first takes part in an obligation), rebound_out, rebound_in."""
    counterparty: str | None = Field(default=None, max_length=_ADDRESS)
    delta: str = Field(max_length=_SIGNED)
    """Signed change of the balance."""
    balance: str = Field(max_length=_SIGNED)
    """Signed balance after the event (`signedBalanceOf`)."""
    credit_limit: str | None = Field(default=None, max_length=_AMOUNT)
    """The member's own limit after the event; None while it is still the default."""


class UnitsEntry(UnitsEntryBase, LedgerRow, table=True):
    """ВРЕ balances and limits: one row per leg of a transfer or change of a member's limit."""

    __tablename__ = "units_entry"
    __table_args__ = _ledger_args(
        "units_entry", sa.Index("ix_units_entry_account", "chain_id", "contract", "account")
    )


class UnitsTransferDocBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    sender: str = Field(max_length=_ADDRESS)
    recipient: str = Field(max_length=_ADDRESS)
    amount: str = Field(max_length=_AMOUNT)
    document: str = Field(max_length=_HASH)


class UnitsTransferDoc(UnitsTransferDocBase, LedgerRow, table=True):
    """`TransferDocumented`: the document of the `Transfer` logged just before it."""

    __tablename__ = "units_transfer_doc"
    __table_args__ = _ledger_args("units_transfer_doc")


class ObligationEventBase(SQLModel):
    obligation_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC
    )
    """Part of the key: a key recovery rewrites every obligation of the member."""
    contract: str = Field(max_length=_ADDRESS)
    action: str = Field(max_length=16)
    """issued, accepted, rejected, cancelled, paid, cleared, rebound."""
    amount: str = Field(max_length=_AMOUNT)
    """What the event moved: issued, paid, cleared or waived (0 for a status change)."""
    by_signature: bool | None = None
    debtor: str = Field(max_length=_ADDRESS)
    """The obligation after the event (`obligation(id)`)."""
    creditor: str = Field(max_length=_ADDRESS)
    status: int
    """`ISettlementUnits.ObligationStatus` (1 issued, 2 accepted, 3 settled, 4 cancelled,
    5 rejected)."""
    due_date: int = Field(sa_type=sa.BigInteger)
    total: str = Field(max_length=_AMOUNT)
    outstanding: str = Field(max_length=_AMOUNT)
    document_hash: str = Field(max_length=_HASH)


class ObligationEvent(ObligationEventBase, LedgerRow, table=True):
    """Obligations (invoices): one row per event and obligation, with the obligation after."""

    __tablename__ = "units_obligation_event"
    __table_args__ = _ledger_args(
        "units_obligation_event",
        sa.Index("ix_units_obligation_event_id", "chain_id", "contract", "obligation_id"),
    )


class ClearingBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    submitter: str = Field(max_length=_ADDRESS)
    plan_hash: str = Field(max_length=_HASH)
    entries: int = Field(sa_type=sa.BigInteger)
    total_cleared: str = Field(max_length=_AMOUNT)


class Clearing(ClearingBase, LedgerRow, table=True):
    """`ClearingSettled`: one row per applied clearing plan (its lines: `cleared` obligation
    events of the same transaction)."""

    __tablename__ = "units_clearing"
    __table_args__ = _ledger_args("units_clearing")


# -- governance -------------------------------------------------------------------------------


class CouncilItemEventBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    """The Council."""
    item_id: int = Field(sa_type=sa.BigInteger)
    action: str = Field(max_length=16)
    """proposed, vote, passed, rejected, signed, executed."""
    actor: str | None = Field(default=None, max_length=_ADDRESS)
    """Proposer, voter, chair or executor."""
    support: int | None = None
    """A vote's `ICouncil.VoteType` (0 against, 1 for, 2 abstain)."""
    status: int
    """Stored state after the event: 1 pending, 2 passed, 3 signed, 4 executed, 5 rejected
    (`Expired` depends on time and the council's term: the queries derive it)."""
    epoch: int = Field(sa_type=sa.BigInteger)
    expires_at: int = Field(sa_type=sa.BigInteger)
    for_votes: int
    against_votes: int
    abstain_votes: int
    document_hash: str = Field(max_length=_HASH)
    protocol_hash: str | None = Field(default=None, max_length=_HASH)
    targets: list[str] | None = Field(default=None, sa_type=JsonType)
    """The item's actions (on the `proposed` row only)."""
    calldatas: list[str] | None = Field(default=None, sa_type=JsonType)


class CouncilItemEvent(CouncilItemEventBase, LedgerRow, table=True):
    """Council items and votes: one row per event, with the item after it."""

    __tablename__ = "gov_council_item_event"
    __table_args__ = _ledger_args(
        "gov_council_item_event",
        sa.Index("ix_gov_council_item_event_item", "chain_id", "contract", "item_id"),
    )


class MeetingEventBase(SQLModel):
    meeting_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    """Part of the key: a reconvening writes a row for the new and the previous meeting."""
    contract: str = Field(max_length=_ADDRESS)
    """The GeneralMeeting."""
    action: str = Field(max_length=24)
    """convened, reconvened (the previous meeting of a new convocation), closed,
    protocol_signed, question_executed."""
    actor: str | None = Field(default=None, max_length=_ADDRESS)
    status: int
    """Stored state after the event: 1 convened (scheduled, open or ended by time),
    4 quorum missed, 5 held, 6 reconvened."""
    previous_meeting_id: int = Field(sa_type=sa.BigInteger)
    attempt: int
    opens_at: int = Field(sa_type=sa.BigInteger)
    closes_at: int = Field(sa_type=sa.BigInteger)
    record_block: int = Field(sa_type=sa.BigInteger)
    quorum_bps: int
    secretary: str = Field(max_length=_ADDRESS)
    chair: str = Field(max_length=_ADDRESS)
    """The presiding chair as convened (zero: the cooperative's chair)."""
    participants: int | None = None
    """At close."""
    eligible: int | None = None
    accepted_mask: int = Field(default=0, sa_type=sa.BigInteger)
    executed_mask: int = Field(default=0, sa_type=sa.BigInteger)
    secretary_signed: bool = False
    chair_signed: bool = False
    protocol_hash: str | None = Field(default=None, max_length=_HASH)


class MeetingEvent(MeetingEventBase, LedgerRow, table=True):
    """General meetings: one row per event and meeting, with the meeting after it."""

    __tablename__ = "gov_meeting_event"
    __table_args__ = _ledger_args(
        "gov_meeting_event",
        sa.Index("ix_gov_meeting_event_meeting", "chain_id", "contract", "meeting_id"),
    )


class QuestionBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    meeting_id: int = Field(sa_type=sa.BigInteger)
    """The first convocation (a reconvened meeting keeps its agenda)."""
    question_index: int
    document_hash: str = Field(max_length=_HASH)
    majority: int
    """`IGeneralMeeting.Majority` (0 simple, 1 two thirds, 2 three quarters)."""
    targets: list[str] = Field(sa_type=JsonType)
    calldatas: list[str] = Field(sa_type=JsonType)


class Question(QuestionBase, LedgerRow, table=True):
    """`QuestionAdded`: a meeting's agenda."""

    __tablename__ = "gov_question"
    __table_args__ = _ledger_args(
        "gov_question",
        sa.Index("ix_gov_question_meeting", "chain_id", "contract", "meeting_id"),
    )


class BallotBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    meeting_id: int = Field(sa_type=sa.BigInteger)
    voter: str = Field(max_length=_ADDRESS)
    choices: str | None = Field(default=None, max_length=_AMOUNT)
    """Packed choices (question i in bits 2i..2i+1: 0 against, 1 for, 2 abstain); None for a
    rejected ballot."""
    by_signature: bool = False
    rejected_reason: str | None = Field(default=None, max_length=10)
    """Selector of the error a rejected ballot of a batch would have reverted with."""


class Ballot(BallotBase, LedgerRow, table=True):
    """`BallotCast` and `BallotRejected`."""

    __tablename__ = "gov_ballot"
    __table_args__ = _ledger_args(
        "gov_ballot", sa.Index("ix_gov_ballot_meeting", "chain_id", "contract", "meeting_id")
    )


class ProxyEventBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    """The MeetingProxies contract."""
    meeting_contract: str | None = Field(default=None, max_length=_ADDRESS)
    """The general meeting the proxies vote in (from `MeetingProxiesInstalled`)."""
    meeting_id: int = Field(sa_type=sa.BigInteger)
    """Zero for the `installed` row."""
    action: str = Field(max_length=16)
    """installed, issued, revoked, voted."""
    principal: str = Field(max_length=_ADDRESS)
    holder: str = Field(max_length=_ADDRESS)
    expires_at: int | None = Field(default=None, sa_type=sa.BigInteger)
    document_hash: str | None = Field(default=None, max_length=_HASH)
    """The proxy document's hash (issued)."""
    choices: str | None = Field(default=None, max_length=_AMOUNT)
    """Packed choices of the principal's ballot (voted)."""
    by_signature: bool = False


class ProxyEvent(ProxyEventBase, LedgerRow, table=True):
    """`MeetingProxiesInstalled`, `ProxyIssued`, `ProxyRevoked`, `ProxyBallotCast`."""

    __tablename__ = "gov_proxy_event"
    __table_args__ = _ledger_args(
        "gov_proxy_event",
        sa.Index("ix_gov_proxy_event_meeting", "chain_id", "meeting_contract", "meeting_id"),
        sa.Index("ix_gov_proxy_event_principal", "chain_id", "principal"),
        sa.Index("ix_gov_proxy_event_holder", "chain_id", "holder"),
    )


# -- branches (кооперативные участки) ---------------------------------------------------------


class BranchEventBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    """The Branches contract."""
    branch_id: int = Field(sa_type=sa.BigInteger)
    action: str = Field(max_length=20)
    """created, trustee_set, joined, counted, uncounted, delegates_elected, delegate_removed,
    verified, meeting_convened."""
    account: str | None = Field(default=None, max_length=_ADDRESS)
    """The member who joined, the trustee (trustee_set, verified's trustee is `meeting`)."""
    member_index: int | None = Field(default=None, sa_type=sa.BigInteger)
    from_branch: int | None = Field(default=None, sa_type=sa.BigInteger)
    """The branch a joining member left (zero: none)."""
    counted: bool | None = None
    meeting: str | None = Field(default=None, max_length=_ADDRESS)
    """The branch meeting contract (created, delegates_elected), the convener
    (meeting_convened) or the verifying trustee (verified)."""
    meeting_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    document_hash: str | None = Field(default=None, max_length=_HASH)
    """The branch's decision document (created) or the identity check record (verified)."""
    delegates: list[Any] | None = Field(default=None, sa_type=JsonType)
    """[[member index, address], ...] of an election."""


class BranchEvent(BranchEventBase, LedgerRow, table=True):
    """Every `IBranches` event: one row each."""

    __tablename__ = "branch_event"
    __table_args__ = _ledger_args(
        "branch_event",
        sa.Index("ix_branch_event_branch", "chain_id", "contract", "branch_id"),
        sa.Index("ix_branch_event_account", "chain_id", "account"),
    )


# -- mutual-aid fund and property register ---------------------------------------------------


class FundPoolAfter(SQLModel):
    """The fund's pool after the event (`pool()`: cash, lent, totalUnits)."""

    pool_cash: str = Field(max_length=_AMOUNT)
    pool_lent: str = Field(max_length=_AMOUNT)
    pool_units: str = Field(max_length=_AMOUNT)


class FundEntryBase(FundPoolAfter):
    contract: str = Field(max_length=_ADDRESS)
    """The MutualAidFund."""
    account: str = Field(max_length=_ADDRESS, primary_key=True)
    """Part of the key: a key recovery writes a row for each side."""
    action: str = Field(max_length=16)
    """contributed, withdrawn, guarantee_called (pledged units burnt), rebound_from, rebound_to."""
    amount: str = Field(max_length=_AMOUNT)
    units: str = Field(max_length=_AMOUNT)
    """Pool units the event moved."""
    units_after: str = Field(max_length=_AMOUNT)
    """The member's pool units after the event (`positionOf.units`)."""
    contributed_after: str = Field(max_length=_SIGNED)
    """Net contributions (contributed less withdrawn) after the event."""


class FundEntry(FundEntryBase, LedgerRow, table=True):
    """Contributions and withdrawals: one row per member and event, with the position after."""

    __tablename__ = "fund_entry"
    __table_args__ = _ledger_args(
        "fund_entry", sa.Index("ix_fund_entry_account", "chain_id", "contract", "account")
    )


class FundLoanEventBase(FundPoolAfter):
    contract: str = Field(max_length=_ADDRESS)
    loan_id: int = Field(sa_type=sa.BigInteger)
    action: str = Field(max_length=20)
    """requested, guarantee_accepted, approved, rejected, cancelled, disbursed, repaid,
    guarantee_called, guarantee_released, defaulted, closed, written_off."""
    actor: str | None = Field(default=None, max_length=_ADDRESS)
    """Payer, guarantor (guarantee events)."""
    amount: str = Field(max_length=_AMOUNT)
    """What the event moved (pledge, disbursed, repaid, called, loss; 0 for a status change)."""
    decision: str | None = Field(default=None, max_length=_HASH)
    status: int
    """Stored `LoanStatus` after the event (`Overdue` depends on time: not stored)."""
    borrower: str = Field(max_length=_ADDRESS)
    principal: str = Field(max_length=_AMOUNT)
    interest: str = Field(max_length=_AMOUNT)
    repaid: str = Field(max_length=_AMOUNT)
    term: int = Field(sa_type=sa.BigInteger)
    instalments: int
    custom_schedule: bool
    disbursed_at: int = Field(sa_type=sa.BigInteger)
    purpose: str = Field(max_length=_HASH)
    guarantors: list[str] | None = Field(default=None, sa_type=JsonType)
    pledges: list[str] | None = Field(default=None, sa_type=JsonType)
    accepted_mask: int


class FundLoanEvent(FundLoanEventBase, LedgerRow, table=True):
    """Loans and guarantees: one row per loan event, with the loan (and the pool) after it."""

    __tablename__ = "fund_loan_event"
    __table_args__ = _ledger_args(
        "fund_loan_event", sa.Index("ix_fund_loan_event_loan", "chain_id", "contract", "loan_id")
    )


class AssetEventBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    """The PropertyRegistry."""
    token_id: int = Field(sa_type=sa.BigInteger)
    action: str = Field(max_length=20)
    """minted, revalued, custodian_changed, metadata_changed, pledged, released, disposed."""
    decision: str | None = Field(default=None, max_length=_HASH)
    """The decision or document hash the event names."""
    category: int
    custodian: str = Field(max_length=_ADDRESS)
    valuation: str = Field(max_length=_AMOUNT)
    title: str = Field(max_length=_HASH)
    metadata_hash: str = Field(max_length=_HASH)
    acquired_at: int = Field(sa_type=sa.BigInteger)
    valued_at: int = Field(sa_type=sa.BigInteger)
    encumbered: bool
    pledgee: str = Field(max_length=_ADDRESS)
    pledge_amount: str = Field(max_length=_AMOUNT)
    pledge_document: str = Field(max_length=_HASH)
    disposed: bool
    disposal_kind: int | None = None
    counterparty: str | None = Field(default=None, max_length=_ADDRESS)
    disposal_amount: str | None = Field(default=None, max_length=_AMOUNT)


class AssetEvent(AssetEventBase, LedgerRow, table=True):
    """Property register: one row per asset event, with `asset(id)` and disposal after it."""

    __tablename__ = "property_asset_event"
    __table_args__ = _ledger_args(
        "property_asset_event",
        sa.Index("ix_property_asset_event_token", "chain_id", "contract", "token_id"),
    )


# -- target programs --------------------------------------------------------------------------


class ProgramEventBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    """The cooperative's TargetPrograms."""
    program_id: int = Field(sa_type=sa.BigInteger)
    seq: int = Field(default=0, primary_key=True, sa_column_kwargs=_NO_AUTOINC)
    """Part of the key: a key recovery writes two rows per program the member is in."""
    action: str = Field(max_length=16)
    """created, joined, contributed, spent, left, closed, rebound_from, rebound_to."""
    account: str | None = Field(default=None, max_length=_ADDRESS)
    """The member (joined, contributed, left, rebound) or the recipient (spent)."""
    amount: str = Field(max_length=_AMOUNT)
    """Contributed, spent or paid out (0 otherwise)."""
    units: str = Field(max_length=_AMOUNT)
    """Program units the event moved."""
    document: str | None = Field(default=None, max_length=_HASH)
    """The terms (created, joined) or the decision (spent, closed)."""
    decision: str | None = Field(default=None, max_length=_HASH)
    """The creating decision (created)."""
    purpose: str | None = Field(default=None, sa_type=sa.Text)
    balance_after: str = Field(max_length=_AMOUNT)
    total_units_after: str = Field(max_length=_AMOUNT)
    members_after: int
    epoch_after: int
    status_after: int
    """`ProgramStatus`: 1 open, 2 closed."""
    member_units_after: str | None = Field(default=None, max_length=_AMOUNT)
    """The member's units after the event (member events), of epoch `member_epoch`."""
    member_epoch: int | None = None
    member_joined: bool | None = None
    member_contributed_after: str | None = Field(default=None, max_length=_AMOUNT)
    """What the member contributed since joining (for the member's statement)."""


class ProgramEvent(ProgramEventBase, LedgerRow, table=True):
    """Target programs: one row per program event (two per program on a key recovery), with the
    program's balance and units, and the member's units, after it."""

    __tablename__ = "program_event"
    __table_args__ = _ledger_args(
        "program_event",
        sa.Index("ix_program_event_program", "chain_id", "contract", "program_id"),
        sa.Index("ix_program_event_account", "chain_id", "account"),
    )


#: The domain ledgers, in creation order (schema test, audit, docs).
DOMAIN_TABLES = (
    "coop_cooperative",
    "coop_config_event",
    "member_event",
    "share_entry",
    "treasury_movement",
    "doc_document",
    "doc_signature",
    "units_entry",
    "units_transfer_doc",
    "units_obligation_event",
    "units_clearing",
    "gov_council_item_event",
    "gov_meeting_event",
    "gov_question",
    "gov_ballot",
    "gov_proxy_event",
    "treasury_named_fund_entry",
    "fund_entry",
    "fund_loan_event",
    "property_asset_event",
    "labour_event",
    "branch_event",
    "program_event",
)
#: The domain ledgers are part of the indexer's schema: the schema test (which walks
#: CORE_TABLES) compares them with revision 0002 too.
CORE_TABLES = (*CORE_TABLES, *DOMAIN_TABLES)


# =============================================================================================
# Read models (`indexer/queries.py` returns them; the gateway serves them). Amounts are Python
# ints (exact); every answer carries the block it is current at (`as_of`).
# =============================================================================================

MEMBER_STATUS = ("none", "applicant", "member", "exiting", "exited", "blocked")
MEMBER_KIND = ("individual", "organisation")
COOPERATIVE_KIND = ("consumer", "production", "agricultural", "credit", "union", "other")
OBLIGATION_STATUS = ("none", "issued", "accepted", "settled", "cancelled", "rejected")
DOCUMENT_TYPE = (
    "application",
    "exit",
    "council_decision",
    "meeting_protocol",
    "charter",
    "contract",
    "payment",
    "other",
)
ITEM_STATE = ("none", "pending", "passed", "signed", "executed", "rejected", "expired")
MEETING_STATE = ("none", "scheduled", "open", "ended", "quorum_missed", "held", "reconvened")
FUND_NAMES = ("share", "reserve", "mutual_aid", "development")
#: A zero bytes32 as the contracts' views return it (unset protocol hashes).
ZERO_HASH_HEX = "0x" + "00" * 32


class BlockRef(SQLModel):
    """The block a read is current at: the mirror's cursor."""

    chain_id: int
    number: int
    hash: str | None = None
    timestamp: int | None = None


class EventRef(SQLModel):
    """Where and when a ledger row's event happened."""

    block_number: int
    block_hash: str
    log_index: int
    tx_hash: str | None = None
    timestamp: int | None = None


class CooperativePublic(CooperativeBase):
    chain_id: int
    kind_name: str
    chair: str
    """The current chair (the registration's, or the latest `ChairChanged`)."""
    decision_executor: str | None = None
    charter_document: str
    """The charter document in force."""
    fund_split: list[int] = []
    """Basis points of income per fund (share, reserve, mutual aid, development)."""
    auditors: list[str] = []
    """The audit commission appointed on chain (`AuditorChanged`), in address order."""
    registered: EventRef


class HoldingPublic(SQLModel):
    minimum_share: int = 0
    voluntary_shares: int = 0
    in_kind_shares: int = 0
    entrance_fee: int = 0
    paid_off_chain: int = 0

    @property
    def refundable(self) -> int:
        """`Shares.balanceOf`: minimum + voluntary + in-kind shares."""
        return self.minimum_share + self.voluntary_shares + self.in_kind_shares


class MemberPublic(SQLModel):
    cooperative: str
    """The cooperative's charter."""
    account: str
    status: int
    status_name: str
    member_kind: int
    kind_name: str
    blocked_from: int
    identity_verified: bool
    fees_paid: bool
    nonce: int
    applied_at: int
    admitted_at: int
    shares: HoldingPublic
    share_balance: int
    """Refundable share capital (`Shares.balanceOf`)."""
    units_balance: int
    """Signed ВРЕ balance (`signedBalanceOf`)."""
    credit_limit: int
    """`creditLimitOf` (the default while the member has not taken part yet)."""
    units_available: int
    last_event: EventRef
    as_of: BlockRef


class MemberEventPublic(MemberEventBase):
    event: EventRef
    status_name: str


class ShareEntryPublic(ShareEntryBase):
    event: EventRef


class TreasuryMovementPublic(TreasuryMovementBase):
    event: EventRef


class FundsPublic(SQLModel):
    """`Treasury.fundBalances` (pending income split by the current percentages) and more."""

    treasury: str
    share: int = 0
    reserve: int = 0
    mutual_aid: int = 0
    development: int = 0
    pending_income: int = 0
    as_of: BlockRef


class NamedFundPublic(SQLModel):
    """A fund the charter names (`ITreasury.namedFund`), its balance counting pending income
    as split by the current shares."""

    fund_id: int
    name: str
    balance: int
    share_bps: int
    rule: str
    """council (any chair-signed decision) or meeting (a general-meeting decision)."""
    majority: str
    """simple, two_thirds, three_quarters: of the meeting decision that spends or changes it."""
    indivisible: bool
    """Never refunded on exit, never divided among members."""
    regulation: str
    last_event: EventRef


class NamedFundsPublic(SQLModel):
    treasury: str
    shares_total_bps: int
    """The named funds' shares of income added up (at most 10,000)."""
    data: list[NamedFundPublic]
    as_of: BlockRef


class TransferPublic(SQLModel):
    contract: str
    sender: str
    recipient: str
    amount: int
    document: str | None = None
    event: EventRef


class ObligationPublic(SQLModel):
    contract: str
    obligation_id: int
    debtor: str
    creditor: str
    status: int
    status_name: str
    due_date: int
    amount: int
    outstanding: int
    document_hash: str
    issued: EventRef
    last_event: EventRef


class ClearingPublic(ClearingBase):
    event: EventRef


class SignaturePublic(SQLModel):
    signer: str
    submitter: str
    signed_at: int | None
    event: EventRef


class DocumentPublic(DocumentBase):
    document_type_name: str
    anchored_at: int | None
    event: EventRef
    signatures: list[SignaturePublic] = []
    replaced_by: str | None = None


class CouncilVotePublic(SQLModel):
    member: str
    support: int
    event: EventRef


class CouncilItemPublic(SQLModel):
    contract: str
    item_id: int
    state: int
    state_name: str
    epoch: int
    expires_at: int
    for_votes: int
    against_votes: int
    abstain_votes: int
    document_hash: str
    protocol_hash: str | None
    proposer: str | None
    targets: list[str] = []
    calldatas: list[str] = []
    votes: list[CouncilVotePublic] = []
    proposed: EventRef
    last_event: EventRef


class QuestionPublic(SQLModel):
    index: int
    document_hash: str
    majority: int
    targets: list[str] = []
    calldatas: list[str] = []
    for_votes: int = 0
    against_votes: int = 0
    abstain_votes: int = 0
    accepted: bool = False
    executed: bool = False


class BallotPublic(SQLModel):
    voter: str
    choices: list[int] | None
    by_signature: bool
    rejected_reason: str | None
    event: EventRef


class ProxyPublic(SQLModel):
    """One principal's proxy (доверенность) for one meeting, as it stands at the mirror's block."""

    contract: str
    """The MeetingProxies contract."""
    meeting_contract: str | None
    meeting_id: int
    principal: str
    holder: str
    status: str
    """active, revoked, used (the holder voted with it), expired."""
    expires_at: int
    document_hash: str | None
    choices: list[int] | None = None
    """The principal's ballot cast by the holder (used proxies)."""
    issued: EventRef
    last: EventRef
    """The latest event of the proxy (issued, revoked or voted)."""


class ProxiesOfPublic(SQLModel):
    """The proxies one member gave (as principal) and received (as holder)."""

    given: list[ProxyPublic]
    received: list[ProxyPublic]
    as_of: BlockRef


class DecisionPublic(SQLModel):
    """A council item or meeting question that concerns a member (its actions name them), or a
    meeting the member voted in."""

    kind: str
    """council_item, meeting_question, my_ballot."""
    contract: str
    number: int
    """The item id, or the meeting id."""
    question_index: int | None = None
    document_hash: str | None
    state_name: str
    accepted: bool | None = None
    executed: bool | None = None
    my_choices: list[int] | None = None
    """The member's ballot (its choices) in that meeting, own or by proxy."""
    event: EventRef


class MeetingPublic(SQLModel):
    contract: str
    meeting_id: int
    state: int
    state_name: str
    previous_meeting_id: int
    attempt: int
    opens_at: int
    closes_at: int
    record_block: int
    quorum_bps: int
    secretary: str
    chair: str
    participants: int
    eligible: int
    accepted_mask: int
    executed_mask: int
    secretary_signed: bool
    chair_signed: bool
    protocol_hash: str | None
    questions: list[QuestionPublic] = []
    ballots: list[BallotPublic] = []
    proxies: list[ProxyPublic] = []
    """Proxies given for the meeting; a used one's ballot is among `ballots` under the
    principal's address."""
    convened: EventRef


class DashboardPublic(SQLModel):
    cooperative: CooperativePublic
    members_by_status: dict[str, int]
    active_members: int
    total_shares: int
    """Refundable share capital of all accounts (`Shares.totalSupply`)."""
    entrance_fees: int
    funds: FundsPublic
    units_supply: int
    """Sum of positive ВРЕ balances (= the sum of negative ones, negated)."""
    units_accounts: int
    units_in_debt: int
    """Accounts with a negative ВРЕ balance."""
    open_obligations: int
    open_obligations_total: int
    documents: int
    as_of: BlockRef


LOAN_STATE = (
    "none",
    "requested",
    "approved",
    "active",
    "overdue",
    "defaulted",
    "repaid",
    "written_off",
    "cancelled",
    "rejected",
)
ASSET_CATEGORY = ("land", "building", "equipment", "vehicle", "intellectual_property", "other")


class FundPositionPublic(SQLModel):
    """A member's position in a fund (the stored part of `positionOf`)."""

    contract: str
    account: str
    units: int
    balance: int
    """What the units are worth at the mirror's pool at the book value, `units * (cash + lent
    + 1) / (totalUnits + 1)`. The chain's `balanceOf` is the exit value: lower while a loan is
    marked down (overdue or defaulted, `valuation().impaired`; `GET /fund/valuation`)."""
    contributed: int
    """Net contributions (contributed less withdrawn)."""
    last_event: EventRef


class FundPositionsPublic(SQLModel):
    contract: str
    cash: int
    lent: int
    total_units: int
    positions: list[FundPositionPublic]
    as_of: BlockRef


class GuaranteePublic(SQLModel):
    guarantor: str
    amount: int
    accepted: bool


class LoanPublic(SQLModel):
    contract: str
    loan_id: int
    status: int
    """Stored `LoanStatus` (1 requested ... 8 rejected)."""
    state: int
    """`LoanState` (`loan(id).state`): `Overdue` is not derived by the mirror."""
    state_name: str
    borrower: str
    principal: int
    interest: int
    repaid: int
    outstanding: int
    """`outstanding(id)`."""
    term: int
    instalments: int
    custom_schedule: bool
    disbursed_at: int
    purpose: str
    guarantees: list[GuaranteePublic]
    accepted_mask: int
    requested: EventRef
    last_event: EventRef


class AssetPublic(SQLModel):
    contract: str
    token_id: int
    exists: bool
    category: int
    category_name: str
    custodian: str
    valuation: int
    title: str
    metadata_hash: str
    acquired_at: int
    valued_at: int
    encumbered: bool
    pledgee: str
    pledge_amount: int
    pledge_document: str
    disposal_kind: int | None
    counterparty: str | None
    disposal_amount: int | None
    minted: EventRef
    last_event: EventRef


# -- labour register (LabourRegister) --------------------------------------------------------


class LabourEventBase(SQLModel):
    contract: str = Field(max_length=_ADDRESS)
    """The LabourRegister."""
    action: str = Field(max_length=24)
    """installed, rate_set, approver_set, recorded, approved, rejected, contributed,
    points_added, purchases_recorded, distribution_approved, distribution_funded,
    part_credited, distribution_completed, claimed."""
    record_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    distribution_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    member: str | None = Field(default=None, max_length=_ADDRESS)
    """The member concerned (the approver for approved/rejected, the charter for installed)."""
    period: int | None = Field(default=None, sa_type=sa.BigInteger)
    basis: int | None = None
    """`ILabourRegister.Basis`: 0 labour, 1 purchases."""
    amount: str | None = Field(default=None, max_length=_AMOUNT)
    """The valuation, points, part, surplus or claimed amount the event carries."""
    data: dict[str, Any] | None = Field(default=None, sa_type=JsonType)
    """The event's other arguments (hashes as hex, integers as decimal strings)."""


class LabourEvent(LabourEventBase, LedgerRow, table=True):
    """Every event of a labour register, one row each: the facts a member recomputes from."""

    __tablename__ = "labour_event"
    __table_args__ = _ledger_args(
        "labour_event",
        sa.Index("ix_labour_event_contract", "chain_id", "contract", "action"),
        sa.Index("ix_labour_event_member", "chain_id", "member"),
    )


class NetworkMemberCooperative(SQLModel):
    """A cooperative that is a member of a union (through its treasury)."""

    coop_id: int
    charter: str
    name: str


class NetworkCooperativePublic(SQLModel):
    """One cooperative of the network directory, with its public figures."""

    coop_id: int
    """The network registry's number (counted from 1)."""
    charter: str
    name: str
    kind: int
    kind_name: str
    slug: str | None = None
    """The gateway's prefix for it (`/c/{slug}/...`); set by the gateway."""
    registered_block: int
    active_members: int
    total_shares: int
    """Refundable share capital of all accounts."""
    units_turnover: int
    """ВРЕ moved between members since the start (sum of transfers)."""
    meetings_held: int
    """General meetings that reached quorum and decided (`held`)."""
    member_cooperatives: list[NetworkMemberCooperative]
    """For a union: its active members that are cooperatives of the network."""
    unions: list[int]
    """Registry numbers of the unions this cooperative is an active member of."""


class NetworkDirectoryPublic(SQLModel):
    data: list[NetworkCooperativePublic]
    count: int
    """Cooperatives in the network (all pages)."""
    unions: int
    """Of them, unions of cooperatives."""
    offset: int
    limit: int
    as_of: BlockRef
