"""A cooperative's description (YAML or JSON), validated before anything touches the chain.

Amounts are written in whole payment-token units (decimals allowed: "1500.50") and converted
with the token's `decimals`; addresses are hex; the charter document is given by its hash or
by a file whose keccak-256 is taken.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from eth_utils import is_hex_address, keccak, to_checksum_address
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from node.cooperative.client import CooperativeKind


class DescriptionError(ValueError):
    """The description file cannot be read or is not a valid cooperative description."""


def _address(value: Any) -> str:
    if not isinstance(value, str) or not is_hex_address(value):
        raise ValueError(f"not an Ethereum address: {value!r}")
    return to_checksum_address(value)


def _hash32(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a 32-byte hash must be a 0x-prefixed hex string")
    body = value[2:] if value.startswith("0x") else value
    if len(body) != 64 or any(c not in "0123456789abcdefABCDEF" for c in body):
        raise ValueError(f"not a 32-byte hex hash: {value!r}")
    return "0x" + body.lower()


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if amount < 0 or not amount.is_finite():
        raise ValueError(f"an amount must be a non-negative number: {value!r}")
    return amount


Address = Annotated[str, BeforeValidator(_address)]
Hash32 = Annotated[str, BeforeValidator(_hash32)]
Amount = Annotated[Decimal, BeforeValidator(_amount)]

_SLUG = r"[a-z0-9][a-z0-9_-]{0,31}"

KINDS: dict[str, CooperativeKind] = {
    "consumer": CooperativeKind.CONSUMER,
    "production": CooperativeKind.PRODUCTION,
    "agricultural": CooperativeKind.AGRICULTURAL,
    "credit": CooperativeKind.CREDIT,
    "union": CooperativeKind.UNION,
    "other": CooperativeKind.OTHER,
}


class FeesDescription(BaseModel):
    """What joining costs one kind of member."""

    model_config = ConfigDict(extra="forbid")

    entrance_fee: Amount = Decimal(0)
    """Paid once, never refunded."""
    minimum_share: Amount = Decimal(0)
    """Required to join, refunded on exit."""


class FundSplitDescription(BaseModel):
    """Percent of income credited to each fund; the four sum to 100."""

    model_config = ConfigDict(extra="forbid")

    share: Amount = Decimal(0)
    reserve: Amount = Decimal(50)
    mutual_aid: Amount = Decimal(25)
    development: Amount = Decimal(25)

    @model_validator(mode="after")
    def _sums_to_100(self) -> FundSplitDescription:
        total = self.share + self.reserve + self.mutual_aid + self.development
        if total != 100:
            raise ValueError(f"fund percentages must sum to 100, got {total}")
        for value in (self.share, self.reserve, self.mutual_aid, self.development):
            if (value * 100) != (value * 100).to_integral_value():
                raise ValueError("fund percentages have at most two decimals (basis points)")
        return self

    def basis_points(self) -> list[int]:
        return [int(v * 100) for v in (self.share, self.reserve, self.mutual_aid, self.development)]


class GovernanceDescription(BaseModel):
    """The council and the general meeting (`coop deploy` installs them and hands the
    decision executor's role to the council, so that no single key runs the cooperative)."""

    model_config = ConfigDict(extra="forbid")

    item_expiry_days: int = Field(default=30, ge=1, le=3650)
    """Days a council item stays open for votes and the chair's signature."""
    notice_period_days: int = Field(default=15, ge=0, le=3650)
    """Least days between convening a general meeting and the opening of voting."""
    quorum_percent: list[Amount] = Field(default=[Decimal(50)], min_length=1, max_length=8)
    """Quorum by attempt: participants must be *more than* this share of the members; the last
    repeats (Coopenomics: [75, 50, 25])."""

    @model_validator(mode="after")
    def _check(self) -> GovernanceDescription:
        for value in self.quorum_percent:
            if value >= 100:
                raise ValueError(f"a quorum of {value}% could never be exceeded (must be < 100)")
            if value * 100 != (value * 100).to_integral_value():
                raise ValueError("quorum percentages have at most two decimals (basis points)")
        return self

    def quorum_schedule(self) -> tuple[int, ...]:
        return tuple(int(v * 100) for v in self.quorum_percent)


class FundDescription(BaseModel):
    """The mutual-aid fund's first rules and the property register (later changed only by
    a general-meeting decision)."""

    model_config = ConfigDict(extra="forbid")

    loan_to_contribution_percent: Amount = Decimal(200)
    """A borrower may owe at most this share of their own unpledged contribution."""
    reserve_percent: Amount = Decimal(20)
    """After an approval the fund's cash stays at or above this share of the pool."""
    interest_percent: Amount = Decimal(0)
    """Annual simple interest, fixed at a loan's approval."""
    max_term_days: int = Field(default=3 * 365, ge=1, le=36500)
    """The longest loan term."""
    max_loan_per_member: Amount | None = None
    """The most principal one member may owe at a time (payment-token units); unset: no cap."""
    property_name: str | None = Field(default=None, min_length=1, max_length=100)
    property_symbol: str | None = Field(default=None, min_length=1, max_length=32)

    @model_validator(mode="after")
    def _check(self) -> FundDescription:
        for name in ("loan_to_contribution_percent", "reserve_percent", "interest_percent"):
            value: Decimal = getattr(self, name)
            if value * 100 != (value * 100).to_integral_value():
                raise ValueError(f"{name} has at most two decimals (basis points)")
        if self.reserve_percent >= 100:
            raise ValueError("reserve_percent must be below 100")
        if self.loan_to_contribution_percent * 100 >= 2**32:
            raise ValueError("loan_to_contribution_percent is too large")
        if self.interest_percent * 100 >= 2**16:
            raise ValueError("interest_percent is too large")
        return self


class CooperativeDescription(BaseModel):
    """Everything the factory needs to create one cooperative."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    """The cooperative's name (at most 255 bytes of UTF-8)."""
    symbol: str = Field(min_length=1)
    """Ticker of its shares in wallets (at most 32 bytes)."""
    kind: Literal["consumer", "production", "agricultural", "credit", "union", "other"]
    """What kind of organisation it is; a union's members are organisations."""
    charter_document: Hash32 | None = None
    """keccak-256 hash of the charter document (or give `charter_document_file`)."""
    charter_document_file: Path | None = None
    """The charter document itself; its keccak-256 is anchored (relative to the description)."""
    chair: Address
    """Signs protocols, attests identities, co-signs payouts."""
    decision_executor: Address | None = None
    """Runs decision-gated actions until the council contract takes over. Default: the chair."""
    council: list[Address] = Field(min_length=1, max_length=255)
    """The council elected by the founding meeting."""
    cashiers: list[Address] = []
    """Accounts that attest bank payments."""
    verifiers: list[Address] = []
    """Branch trustees who, besides the chair, attest identity checks."""
    individual_fees: FeesDescription = FeesDescription()
    organisation_fees: FeesDescription = FeesDescription()
    fund_split: FundSplitDescription = FundSplitDescription()
    payment_token: Address | None = None
    """ERC-20 the cooperative's money is held in. Unset: a test token is deployed (dev chains)."""
    token_decimals: int = Field(default=18, ge=0, le=36)
    """Decimals of the payment token, to convert the amounts above."""
    default_credit_limit: Amount = Decimal(0)
    """How far below zero a member's ВРЕ balance may go by default (in ВРЕ units)."""
    factory: Address | None = None
    """An existing CooperativeFactory. Unset: the network (implementations, factory) is deployed."""
    slug: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    """The cooperative's key in the deployment record (`COOP_COOPERATIVE`); default: the
    symbol in lower case."""
    governance: GovernanceDescription | None = None
    """Install the council and the general meeting (needs a council of 2 to 64)."""
    fund: FundDescription | None = None
    """Install the mutual-aid fund and the property register."""

    @model_validator(mode="after")
    def _check(self) -> CooperativeDescription:
        if len(self.name.encode()) > 255:
            raise ValueError("name is longer than 255 bytes of UTF-8")
        if len(self.symbol.encode()) > 32:
            raise ValueError("symbol is longer than 32 bytes of UTF-8")
        if self.charter_document is None and self.charter_document_file is None:
            raise ValueError("give charter_document (a hash) or charter_document_file")
        if len(set(self.council)) != len(self.council):
            raise ValueError("council lists a member twice")
        if self.governance is not None and not 2 <= len(self.council) <= 64:
            raise ValueError("the council contract seats 2 to 64 members")
        if self.slug is None and not re.fullmatch(_SLUG, self.symbol.lower()):
            raise ValueError("give a slug (lower-case latin letters, digits, - or _)")
        return self

    @property
    def record_slug(self) -> str:
        """The cooperative's key in the deployment record."""
        return self.slug or self.symbol.lower()

    @property
    def cooperative_kind(self) -> CooperativeKind:
        return KINDS[self.kind]

    @property
    def executor(self) -> str:
        return self.decision_executor or self.chair

    def units(self, amount: Decimal) -> int:
        """`amount` in the payment token's smallest units."""
        scaled = amount * (Decimal(10) ** self.token_decimals)
        if scaled != scaled.to_integral_value():
            raise DescriptionError(
                f"{amount} has more decimals than the token ({self.token_decimals})"
            )
        return int(scaled)

    def charter_hash(self) -> bytes:
        if self.charter_document is not None:
            return bytes.fromhex(self.charter_document[2:])
        assert self.charter_document_file is not None  # the validator guarantees one of them
        path = self.charter_document_file
        try:
            return keccak(path.read_bytes())
        except OSError as exc:
            raise DescriptionError(f"cannot read the charter document {path}: {exc}") from exc


def parse_description(data: Any) -> CooperativeDescription:
    """Validate already-loaded data; errors list every problem with its field path."""
    try:
        return CooperativeDescription.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise DescriptionError(
            f"описание кооператива неверно / invalid cooperative description: {problems}"
        ) from None


def load_description(path: Path) -> CooperativeDescription:
    """Read a YAML or JSON description file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DescriptionError(f"не удалось прочитать / cannot read {path}: {exc}") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise DescriptionError(f"{path}: не YAML/JSON / not YAML or JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise DescriptionError(f"{path}: ожидался объект / expected a mapping at the top level")
    document_file = data.get("charter_document_file")
    if isinstance(document_file, str) and not Path(document_file).is_absolute():
        data["charter_document_file"] = str(path.parent / document_file)
    return parse_description(data)
