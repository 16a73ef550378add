"""Settings of a Coopnode, read from the environment (and `.env`), validated once at start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The repository root: contracts, compiled artifacts and the npm tools live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: Anvil's well-known first development key. Used only when the node starts its own local
#: anvil chain; any other chain needs COOP_DEPLOYER_KEY.
ANVIL_DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


EVM_DEFAULT = "cancun"


class Settings(BaseSettings):
    """Node settings. Every field can be set by an environment variable of the same name."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(
        default=PROJECT_ROOT / "data", validation_alias=AliasChoices("COOP_DATA_DIR", "data_dir")
    )
    """Where the local chain state, the deployment record and the SQLite mirror live."""

    templates_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("COOP_TEMPLATES_DIR", "templates_dir")
    )
    """The cooperative's own document templates: a file here replaces the shipped one of the
    same name (node/documents/templates/, see docs/documents.md)."""

    rpc_url: str | None = Field(
        default=None, validation_alias=AliasChoices("COOP_RPC_URL", "rpc_url")
    )
    """Any EVM JSON-RPC endpoint. Unset: the node starts its own anvil chain under data_dir."""

    anvil_port: int = Field(
        default=8545, ge=1, le=65535, validation_alias=AliasChoices("COOP_ANVIL_PORT", "anvil_port")
    )
    """Port of the local anvil chain started when COOP_RPC_URL is unset."""

    anvil_state_interval: int = Field(
        default=1, ge=1, validation_alias=AliasChoices("COOP_ANVIL_STATE_INTERVAL")
    )
    """Seconds between anvil state dumps: a hard kill loses at most this much of a dev chain."""

    deployer_key: str | None = Field(
        default=None, validation_alias=AliasChoices("COOP_DEPLOYER_KEY", "deployer_key")
    )
    """Private key that deploys and relays. Defaults to anvil's dev key on the local chain."""

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "database_url")
    )
    """SQLAlchemy URL of the SQL mirror. Unset: SQLite file under data_dir."""

    api_host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("COOP_API_HOST"))
    """Interface the HTTP gateway binds to."""

    api_port: int = Field(
        default=8000, ge=1, le=65535, validation_alias=AliasChoices("COOP_API_PORT", "api_port")
    )
    """Port of the HTTP gateway."""

    artifacts_path: Path = Field(
        default=PROJECT_ROOT / ".build" / "__local__.json",
        validation_alias=AliasChoices("COOP_ARTIFACTS"),
    )
    """ape's compiled package manifest: the single source of ABIs and bytecode. Unset with
    `COOP_EVM_VERSION` other than cancun: `.build/evm-<version>/__local__.json`."""

    evm_version: Literal["paris", "shanghai", "cancun", "prague"] = Field(
        default="cancun", validation_alias=AliasChoices("COOP_EVM_VERSION", "evm_version")
    )
    """The EVM version the deployed contracts are compiled for: the chain's hardfork or an older
    one (`make compile EVM_VERSION=paris` builds `.build/evm-paris/`; see docs/deploy.md)."""

    chain_confirmations: int | None = Field(
        default=None,
        ge=0,
        validation_alias=AliasChoices("COOP_CHAIN_CONFIRMATIONS", "chain_confirmations"),
    )
    """Blocks on top of a block before it is final on this chain: 0 on a BFT chain (QBFT, IBFT:
    a sealed block is final), 12 or more on a probabilistic one. The indexer's finality depth
    (unless `COOP_INDEXER_FINALITY_DEPTH` is set) and the depth at which a relayed transaction
    counts as "indexed". Unset: the indexer's finality depth (12), relays "indexed" at once."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias=AliasChoices("COOP_LOG_LEVEL", "log_level")
    )
    """Level of the node's log (stderr). INFO: start, deployments, warnings, errors, slow
    requests; DEBUG adds each indexed batch and the libraries' per-request lines."""

    log_format: Literal["text", "json"] = Field(
        default="text", validation_alias=AliasChoices("COOP_LOG_FORMAT", "log_format")
    )
    """`text` (one readable line per record) or `json` (one JSON object per line: time, level,
    logger, message)."""

    log_slow_request_ms: float = Field(
        default=1000.0, gt=0, validation_alias=AliasChoices("COOP_LOG_SLOW_REQUEST_MS")
    )
    """A gateway request slower than this (milliseconds) is logged as a warning."""

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    # -- gateway (node/api) -----------------------------------------------------------------

    cooperative: str | None = Field(
        default=None, validation_alias=AliasChoices("COOP_COOPERATIVE", "cooperative")
    )
    """The cooperative the gateway serves: a slug of the deployment record (`romashka`) or its
    Charter address. Unset: the first cooperative of the deployment record."""

    relayer_key: str | None = Field(
        default=None, validation_alias=AliasChoices("COOP_RELAYER_KEY", "relayer_key")
    )
    """Key of the cooperative's relayer account, which pays gas for gasless actions
    (applications, ballots, invoice acceptances, document signatures). Unset: the deployer key."""

    session_secret: str | None = Field(
        default=None, validation_alias=AliasChoices("COOP_SESSION_SECRET", "session_secret")
    )
    """HMAC secret of session tokens. Unset: generated once and kept in
    `<data_dir>/gateway/session.key`."""

    session_ttl: int = Field(
        default=3600, ge=10, validation_alias=AliasChoices("COOP_SESSION_TTL", "session_ttl")
    )
    """Seconds a session token stays valid after sign-in."""

    siwe_domain: str | None = Field(
        default=None, validation_alias=AliasChoices("COOP_SIWE_DOMAIN", "siwe_domain")
    )
    """The EIP-4361 `domain` sign-in messages must name. Unset: `<api_host>:<api_port>`."""

    siwe_nonce_ttl: int = Field(
        default=600, ge=10, validation_alias=AliasChoices("COOP_SIWE_NONCE_TTL", "siwe_nonce_ttl")
    )
    """Seconds a sign-in nonce may wait for its signed message."""

    passkey_rp_id: str | None = Field(
        default=None, validation_alias=AliasChoices("COOP_PASSKEY_RP_ID", "passkey_rp_id")
    )
    """The WebAuthn relying party id passkeys are made for (the portal's host name, no port).
    Unset: the host of the sign-in domain (`COOP_SIWE_DOMAIN`, else `api_host`)."""

    passkey_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices("COOP_PASSKEY_ORIGINS", "passkey_origins"),
    )
    """Origins (comma-separated, `https://coop.example`) whose passkey ceremonies the gateway
    accepts. Unset: `http://` and `https://` of the sign-in domain."""

    passkey_factory: str | None = Field(
        default=None, validation_alias=AliasChoices("COOP_PASSKEY_FACTORY", "passkey_factory")
    )
    """The chain's `PasskeyAccountFactory`. Unset: the deployment record's
    `contracts.PasskeyAccountFactory`; none at all: passkey accounts are off."""

    pii_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("COOP_PII_KEYS", "pii_keys")
    )
    """AES-256-GCM keys for personal data (64 hex digits each, comma-separated). The first
    encrypts; all decrypt (key rotation). Unset: one key generated once and kept in
    `<data_dir>/gateway/pii.key` (development only: back it up or set the variable)."""

    gost_ca_file: Path | None = Field(
        default=None, validation_alias=AliasChoices("COOP_GOST_CA_FILE", "gost_ca_file")
    )
    """PEM file of the trusted roots for qualified (GOST) signatures (e.g. the Минцифры head
    CA and the accredited CAs); unset: a signature is checked but its chain is not."""

    auditors: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("COOP_AUDITORS", "auditors")
    )
    """Extra auditors (comma-separated addresses): they read everything, write nothing. The
    revision commission is on chain (`Charter.isAuditor`, appointed by a decision); this
    setting adds auditors the node's operator trusts besides them (an outside audit firm)."""

    rate_limit_auth: float = Field(
        default=60.0, gt=0, validation_alias=AliasChoices("COOP_RATE_LIMIT_AUTH")
    )
    """Sign-in requests (`/auth/nonce`, `/auth/verify`) per minute per client IP, steady."""

    rate_limit_auth_burst: float | None = Field(
        default=None, ge=1, validation_alias=AliasChoices("COOP_RATE_LIMIT_AUTH_BURST")
    )
    """Sign-in requests a client IP may make at once before the steady rate applies.
    Unset: two minutes' worth of COOP_RATE_LIMIT_AUTH (120)."""

    rate_limit_auth_address: float = Field(
        default=30.0, gt=0, validation_alias=AliasChoices("COOP_RATE_LIMIT_AUTH_ADDRESS")
    )
    """Sign-in requests per minute per signing address (from any IP), steady."""

    rate_limit_auth_address_burst: float | None = Field(
        default=None, ge=1, validation_alias=AliasChoices("COOP_RATE_LIMIT_AUTH_ADDRESS_BURST")
    )
    """Sign-in requests for one address at once (a sign-in is two: nonce, verify).
    Unset: two minutes' worth of COOP_RATE_LIMIT_AUTH_ADDRESS (60, i.e. 30 sign-ins)."""

    rate_limit_relay: float = Field(
        default=120.0, gt=0, validation_alias=AliasChoices("COOP_RATE_LIMIT_RELAY")
    )
    """Relayed actions per minute per client IP (burst: a quarter of it, at least 5)."""

    max_body_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, validation_alias=AliasChoices("COOP_MAX_BODY_BYTES")
    )
    """Largest request body the gateway accepts (uploads included)."""

    roles_ttl: float = Field(default=2.0, ge=0, validation_alias=AliasChoices("COOP_ROLES_TTL"))
    """Seconds a role lookup on chain (member, council, chair, cashier) is reused."""

    relay_poll_interval: float = Field(
        default=0.25, gt=0, validation_alias=AliasChoices("COOP_RELAY_POLL_INTERVAL")
    )
    """Seconds between checks of relayed transactions (receipt, then the indexer's cursor)."""

    exchange_follow_interval: float = Field(
        default=2.0, ge=0, validation_alias=AliasChoices("COOP_EXCHANGE_FOLLOW_INTERVAL")
    )
    """Seconds between the exchange follower's passes over open orders (0: off; orders then
    advance only when read)."""

    smtp_url: str | None = Field(default=None, validation_alias=AliasChoices("COOP_SMTP_URL"))
    """Where notices are mailed: `smtp://[user:password@]host[:port][?starttls=1]` (or
    `smtps://` for TLS from the start). Unset: no e-mail; the inbox and webhooks still work and
    e-mail notices wait in the outbox until it is set."""

    notices_from: str = Field(
        default="Кооператив <notices@coopnode.invalid>",
        validation_alias=AliasChoices("COOP_NOTICES_FROM"),
    )
    """The From header of notice e-mails."""

    public_url: str = Field(
        default="http://127.0.0.1:8000", validation_alias=AliasChoices("COOP_PUBLIC_URL")
    )
    """The portal's address as members reach it: the links in notice e-mails start here."""

    notices_interval: float = Field(
        default=2.0, ge=0, validation_alias=AliasChoices("COOP_NOTICES_INTERVAL")
    )
    """Seconds between the notifier's passes (follow the mirror, scan due dates, deliver the
    outbox); 0: off (`coop notices send-pending` still delivers)."""

    notices_backoff: float = Field(
        default=30.0, gt=0, validation_alias=AliasChoices("COOP_NOTICES_BACKOFF")
    )
    """First retry delay of a failed delivery in seconds; doubled each attempt."""

    notices_backoff_max: float = Field(
        default=3600.0, gt=0, validation_alias=AliasChoices("COOP_NOTICES_BACKOFF_MAX")
    )
    """The longest delay between two attempts: a failing server delays a notice, never drops
    it."""

    notices_webhook_private: bool = Field(
        default=False, validation_alias=AliasChoices("COOP_NOTICES_WEBHOOK_PRIVATE")
    )
    """Allow webhooks to loopback and private addresses (tests, a cooperative's own LAN);
    off by default so that a member cannot make the node call its internal services."""

    # -- several processes (docs/deploy.md) -----------------------------------------------------

    api_workers: int = Field(
        default=1, ge=1, le=64, validation_alias=AliasChoices("COOP_API_WORKERS")
    )
    """Gateway processes `coop serve` starts on its port (uvicorn workers). More than one needs
    PostgreSQL (`DATABASE_URL`: the relayer's nonce lock, the indexer's leader lock) and Redis
    (`COOP_REDIS_URL`: request budgets, sign-in nonces); the node refuses to start otherwise."""

    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("COOP_REDIS_URL"))
    """Redis shared by every gateway process (`redis://host:6379/<db>`): request budgets and
    single-use sign-in nonces live there. Unset: in this process (budgets) and the database
    (nonces), right for one process."""

    redis_prefix: str = Field(
        default="coop:",
        min_length=1,
        max_length=64,
        validation_alias=AliasChoices("COOP_REDIS_PREFIX"),
    )
    """Prefix of every Redis key the node writes (several nodes may share one Redis)."""

    relay_replace_after: float = Field(
        default=60.0, gt=0, validation_alias=AliasChoices("COOP_RELAY_REPLACE_AFTER")
    )
    """Seconds a relayer transaction may wait unmined before it is replaced (same nonce, fees
    raised by `COOP_RELAY_FEE_BUMP_PERCENT`): a stuck nonce would hold up every later one."""

    relay_fee_bump_percent: int = Field(
        default=20, ge=10, le=500, validation_alias=AliasChoices("COOP_RELAY_FEE_BUMP_PERCENT")
    )
    """How much a replacement raises both EIP-1559 fees (nodes require at least 10 %)."""

    relay_max_fee_gwei: float = Field(
        default=500.0, gt=0, validation_alias=AliasChoices("COOP_RELAY_MAX_FEE_GWEI")
    )
    """Ceiling of a replacement's max fee per gas: past it the transaction is left to wait."""

    @property
    def uses_postgres(self) -> bool:
        return self.effective_database_url.startswith("postgresql")

    def check_workers(self) -> None:
        """Several gateway processes share state only through PostgreSQL and Redis: refuse a
        multi-process setting without them (ValueError with the reason)."""
        if self.api_workers > 1 and not (self.uses_postgres and self.redis_url):
            raise ValueError(
                f"COOP_API_WORKERS={self.api_workers} needs DATABASE_URL on PostgreSQL and "
                "COOP_REDIS_URL (the relayer's nonce, request budgets and sign-in nonces are "
                "shared through them); with SQLite run one worker"
            )

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("COOP_REDIS_URL must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("relayer_key")
    @classmethod
    def _relayer_key_is_hex32(cls, value: str | None) -> str | None:
        if value is None:
            return None
        body = value[2:] if value.startswith("0x") else value
        if len(body) != 64 or any(c not in "0123456789abcdefABCDEF" for c in body):
            raise ValueError("COOP_RELAYER_KEY must be a 32-byte hex private key")
        return "0x" + body

    @field_validator("pii_keys", "auditors", "passkey_origins", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("pii_keys")
    @classmethod
    def _pii_keys_are_256_bit(cls, value: list[str]) -> list[str]:
        for key in value:
            body = key[2:] if key.startswith("0x") else key
            if len(body) != 64 or any(c not in "0123456789abcdefABCDEF" for c in body):
                raise ValueError("each COOP_PII_KEYS entry must be 64 hex digits (AES-256)")
        return value

    @field_validator("deployer_key")
    @classmethod
    def _key_is_hex32(cls, value: str | None) -> str | None:
        if value is None:
            return None
        body = value[2:] if value.startswith("0x") else value
        if len(body) != 64 or any(c not in "0123456789abcdefABCDEF" for c in body):
            raise ValueError("COOP_DEPLOYER_KEY must be a 32-byte hex private key")
        return "0x" + body

    @model_validator(mode="after")
    def _artifacts_for_evm_version(self) -> Settings:
        if self.evm_version != EVM_DEFAULT and "artifacts_path" not in self.model_fields_set:
            path = PROJECT_ROOT / ".build" / f"evm-{self.evm_version}" / "__local__.json"
            object.__setattr__(self, "artifacts_path", path)
        return self

    @property
    def relay_confirmations(self) -> int:
        """Blocks on top of a relayed transaction's block before the gateway calls it
        "indexed" (its effects in the mirror and final): `COOP_CHAIN_CONFIRMATIONS`, else 0."""
        return self.chain_confirmations or 0

    @property
    def uses_local_chain(self) -> bool:
        return self.rpc_url is None

    @property
    def effective_rpc_url(self) -> str:
        return self.rpc_url or f"http://127.0.0.1:{self.anvil_port}"

    @property
    def effective_deployer_key(self) -> str:
        if self.deployer_key:
            return self.deployer_key
        if self.uses_local_chain:
            return ANVIL_DEV_KEY
        raise ValueError("COOP_DEPLOYER_KEY is required when COOP_RPC_URL points at another chain")

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'coopnode.db'}"

    @property
    def deployment_file(self) -> Path:
        return self.data_dir / "deployment.json"

    @property
    def anvil_state_file(self) -> Path:
        return self.data_dir / "chain" / "anvil-state.json"

    @property
    def effective_relayer_key(self) -> str:
        return self.relayer_key or self.effective_deployer_key

    @property
    def effective_siwe_domain(self) -> str:
        return self.siwe_domain or f"{self.api_host}:{self.api_port}"

    @property
    def effective_passkey_rp_id(self) -> str:
        """The WebAuthn RP id: the configured one, else the sign-in domain's host; a loopback
        address becomes `localhost` (browsers refuse an IP address as an RP id)."""
        if self.passkey_rp_id:
            return self.passkey_rp_id
        host = _host_of(self.effective_siwe_domain)
        return "localhost" if host in _LOOPBACK else host

    @property
    def effective_passkey_origins(self) -> list[str]:
        """The origins passkey ceremonies may come from (see `passkey_origins`)."""
        if self.passkey_origins:
            return list(self.passkey_origins)
        domain = self.effective_siwe_domain
        origins = [f"http://{domain}", f"https://{domain}"]
        host = _host_of(domain)
        if host in _LOOPBACK:
            port = domain[len(host) :].lstrip("]")
            origins += [f"http://localhost{port}", f"https://localhost{port}"]
        return origins

    @property
    def gateway_dir(self) -> Path:
        """The gateway's own files: generated secrets (when not set) and documents."""
        return self.data_dir / "gateway"

    @property
    def seal_dir(self) -> Path:
        """The node's document seal: its key and self-issued certificate (made once, kept)."""
        return self.data_dir / "seal"

    @property
    def template_bundles_dir(self) -> Path:
        """Every template version a document was made with: `templates/<sha256>.json`."""
        return self.data_dir / "templates"

    @property
    def documents_dir(self) -> Path:
        """Content-addressed document files: `documents/<sha256>`."""
        return self.data_dir / "documents"


@lru_cache
def get_settings() -> Settings:
    return Settings()


_LOOPBACK = frozenset({"127.0.0.1", "0.0.0.0", "::1", "[::1]", "localhost"})


def _host_of(domain: str) -> str:
    """`host` of `host:port` (an IPv6 literal keeps its brackets)."""
    if domain.startswith("["):
        return domain[: domain.index("]") + 1] if "]" in domain else domain
    return domain.rsplit(":", 1)[0] if domain.count(":") == 1 else domain
