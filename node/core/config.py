"""Settings of a Coopnode, read from the environment (and `.env`), validated once at start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The repository root: contracts, compiled artifacts and the npm tools live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: Anvil's well-known first development key. Used only when the node starts its own local
#: anvil chain; any other chain needs COOP_DEPLOYER_KEY.
ANVIL_DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


class Settings(BaseSettings):
    """Node settings. Every field can be set by an environment variable of the same name."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(
        default=PROJECT_ROOT / "data", validation_alias=AliasChoices("COOP_DATA_DIR", "data_dir")
    )
    """Where the local chain state, the deployment record and the SQLite mirror live."""

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
    """ape's compiled package manifest: the single source of ABIs and bytecode."""

    @field_validator("deployer_key")
    @classmethod
    def _key_is_hex32(cls, value: str | None) -> str | None:
        if value is None:
            return None
        body = value[2:] if value.startswith("0x") else value
        if len(body) != 64 or any(c not in "0123456789abcdefABCDEF" for c in body):
            raise ValueError("COOP_DEPLOYER_KEY must be a 32-byte hex private key")
        return "0x" + body

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
