"""Request and response models shared by several routers.

Conventions (full-stack-fastapi-template): `XBase` -> `XCreate` (request) -> `XPublic`
(response); lists are `{data, count}`. Every read says at which block it is current (`block`).
Amounts are decimal strings: a uint256 does not fit a JSON number.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"
HASH32_PATTERN = r"^0x[0-9a-fA-F]{64}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
HEX_PATTERN = r"^0x([0-9a-fA-F]{2})*$"
UINT_PATTERN = r"^[0-9]{1,78}$"

Address = Annotated[str, Field(pattern=ADDRESS_PATTERN, examples=["0x" + "ab" * 20])]
Hash32 = Annotated[str, Field(pattern=HASH32_PATTERN, examples=["0x" + "00" * 32])]
HexBytesStr = Annotated[str, Field(pattern=HEX_PATTERN, max_length=65_536)]
Signature = Annotated[str, Field(pattern=HEX_PATTERN, min_length=4, max_length=4_096)]
Uint = Annotated[str, Field(pattern=UINT_PATTERN, examples=["1000000000000000000"])]

T = TypeVar("T")


class ListPublic(BaseModel, Generic[T]):
    """A page of a list, and the block the mirror had indexed when it was read."""

    data: list[T]
    count: int
    """How many items match in all (not only on this page)."""
    block: int | None
    """The mirror is current up to this block (None: nothing indexed yet)."""


class ItemPublic(BaseModel, Generic[T]):
    data: T
    block: int | None


class UnsignedTransaction(BaseModel):
    """A transaction for the member's own wallet to sign (it pays the gas), then send to
    `POST /relay/transactions` (or any node)."""

    model_config = ConfigDict(populate_by_name=True)

    from_: Address = Field(alias="from")
    to: Address
    data: HexBytesStr
    value: int = 0
    chainId: int
    nonce: int
    gas: int
    maxFeePerGas: int | None = None
    maxPriorityFeePerGas: int | None = None
    gasPrice: int | None = None
    type: int | None = None


class TransactionToSign(BaseModel):
    transaction: UnsignedTransaction
    description: str
    """What the transaction does, Russian / English."""


class TypedDataToSign(BaseModel):
    """An EIP-712 payload for `eth_signTypedData_v4`; the signature goes to `submit_to`."""

    typed_data: dict[str, Any]
    digest: Hash32
    """The 32-byte digest the wallet signs (to check a signature offline)."""
    submit_to: str
    """Where to POST the signature (gasless: the cooperative's relayer pays the gas)."""


class RelayPublic(BaseModel):
    """A relayed action and how far it got: pending -> mined -> indexed, or failed."""

    id: str
    kind: str
    account: str
    to_address: str | None
    tx_hash: str | None
    status: str
    block_number: int | None
    error: str | None
    """The contract's custom error name when it failed."""
    detail: str | None
    created_at: int
    updated_at: int


class Message(BaseModel):
    message: str
