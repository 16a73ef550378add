"""Settings of the indexer, read from `COOP_INDEXER_*` environment variables.

The database URL and the RPC endpoint are not repeated here: they come from the node's own
`node.core.config.Settings` (DATABASE_URL, COOP_RPC_URL), so the gateway and the indexer can never
point at different mirrors.
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from web3 import Web3


class IndexerSettings(BaseSettings):
    """How the indexer follows the chain. Every field can be set as COOP_INDEXER_<FIELD>."""

    model_config = SettingsConfigDict(
        env_prefix="COOP_INDEXER_", env_file=".env", extra="ignore", validate_assignment=True
    )

    finality_depth: int = Field(default=12, ge=0)
    """Blocks this far below the head are final. The (number, hash, parent hash) of every block
    above are kept so that a reorg is found by a hash mismatch. 0 suits a dedicated dev chain."""

    poll_interval: float = Field(default=0.5, gt=0)
    """Seconds between head polls in `follow`: the upper bound of the idle part of the lag."""

    leader_retry: float = Field(default=1.0, gt=0)
    """Seconds between a standby indexer's tries of the leader lock (see `indexer.leader`):
    the longest a dead leader's chain goes unindexed once its lock is released."""

    start_block: int = Field(default=0, ge=0)
    """First block to index (the deployment block of the roots saves a long empty backfill)."""

    initial_range: int = Field(default=2_000, ge=1)
    """Blocks per `eth_getLogs` call at start; the range then adapts to the provider."""

    max_range: int = Field(default=50_000, ge=1)
    """Upper bound of the adaptive range (many providers refuse more than 10k-100k blocks)."""

    max_rows_per_step: int = Field(default=10_000, ge=1)
    """Most rows (events) one step commits in one transaction. A range holding more is
    committed in several transactions cut at block boundaries, and the next ranges narrow to
    the density seen: PostgreSQL's per-row foreign-key checks cost more the more rows one
    transaction holds, so a sparse chain can still be read in huge ranges."""

    background_commit: bool = True
    """Commit a step in a background thread while the next one is read and decoded (at most
    one commit in flight; its failure stops `sync_once` like a failure in line)."""

    min_range: int = Field(default=1, ge=1)
    """Lower bound of the adaptive range; at this size a limit error is retried with backoff."""

    roots: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Addresses watched from `start_block` (e.g. the network registry and the factory).
    Empty: watch every address of the chain (dedicated dev chain)."""

    watch_all: bool | None = None
    """Index logs of every address. Unset: true exactly when no roots are given."""

    discovery_events: Annotated[set[str], NoDecode] = Field(
        default_factory=lambda: {
            "CooperativeCreated",
            "CooperativeRegistered",
            "GovernanceInstalled",
            "MeetingProxiesInstalled",
            "FundInstalled",
            "LabourRegisterInstalled",
            "BranchCreated",
            "TargetProgramsInstalled",
        }
    )
    """Event names whose address-typed arguments become watched from that event's block on
    (INetworkRegistry.CooperativeRegistered carries a cooperative's whole contract set;
    GovernanceInstalled, MeetingProxiesInstalled and FundInstalled a cooperative's council,
    general meeting, its proxies, mutual-aid fund and property register; BranchCreated a branch
    meeting)."""

    installers: Annotated[set[str], NoDecode] = Field(
        default_factory=lambda: {
            "GovernanceInstaller",
            "FundInstaller",
            "LabourInstaller",
            "TargetProgramsInstaller",
        }
    )
    """Compiled contract names whose discovery events are also taken from addresses that are not
    watched: such an event counts when its `charter` argument is already watched and the
    emitting contract's code is this contract's compiled code (immutables aside), so the
    network's installers need not be roots and no look-alike can announce modules."""

    rpc_timeout: float = Field(default=20.0, gt=0)
    """Seconds before an RPC call counts as timed out (a timed-out eth_getLogs shrinks the
    range; any other call is retried with backoff)."""

    backoff_initial: float = Field(default=0.5, gt=0)
    """First delay before retrying an RPC that failed; doubles on each further failure."""

    backoff_max: float = Field(default=30.0, gt=0)
    """Cap of the retry delay, so that a node back from maintenance is noticed quickly."""

    max_retries: int | None = Field(default=None, ge=0)
    """Give up after this many consecutive failures of one call. Unset: wait forever (a
    daemon should outlive its node's restarts)."""

    max_addresses_per_query: int = Field(default=500, ge=1)
    """Watched addresses per eth_getLogs filter; more are split over several calls."""

    @field_validator("roots")
    @classmethod
    def _checksum_roots(cls, value: list[str]) -> list[str]:
        return [Web3.to_checksum_address(a) for a in value]

    @field_validator("roots", "discovery_events", "installers", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        # COOP_INDEXER_ROOTS=0xabc,0xdef reads better in a .env than a JSON list.
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [v.strip() for v in text.split(",") if v.strip()]
        return value

    @model_validator(mode="after")
    def _ranges_are_ordered(self) -> IndexerSettings:
        if not self.min_range <= self.initial_range <= self.max_range:
            raise ValueError("need min_range <= initial_range <= max_range")
        return self

    @property
    def watches_all(self) -> bool:
        return self.watch_all if self.watch_all is not None else not self.roots
