"""Exchange tables: offers and orders (created exactly by revision `0002_exchange`).

Amounts in ВРЕ are decimal strings of base units (uint256 does not fit an integer column);
`price_value` is the same price in whole ВРЕ as a float, only for range filters and sorting.
Times are unix seconds.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Offer(SQLModel, table=True):
    """What a member offers: goods or work, at a price in ВРЕ, with a quantity available."""

    __tablename__ = "api_exchange_offer"

    id: int | None = Field(default=None, primary_key=True)
    cooperative: str = Field(max_length=42)
    """The charter of the cooperative the supplier belongs to."""
    supplier: str = Field(max_length=42)
    title: str = Field(max_length=200)
    search_text: str = Field(sa_type=sa.Text)
    """Lowercased title and description: what text search matches."""
    description: str = Field(default="", sa_type=sa.Text)
    category: str = Field(max_length=64)
    unit: str = Field(max_length=32)
    price: str = Field(max_length=78)
    """Price of one unit in ВРЕ base units (decimal string)."""
    price_value: float
    """The price in whole ВРЕ (price / 10^18), for filters and sorting only."""
    token_price: str | None = Field(default=None, max_length=78)
    """Optional price in the cooperative's payment token (base units)."""
    quantity: int = Field(sa_type=sa.BigInteger)
    """Units still available (orders reserve from it, declines and cancellations return)."""
    region: str = Field(default="", max_length=64)
    attachments: str = Field(default="[]", sa_type=sa.Text)
    """JSON list of the SHA-256 of photos and attachments in the document store."""
    status: str = Field(default="active", max_length=16)
    """active | withdrawn."""
    program_id: int | None = Field(default=None, sa_type=sa.BigInteger, index=True)
    """A target program's exchange scope: the offer is seen and ordered only by the members of
    this program of the supplier's cooperative (revision `0009_programs`); None: the whole
    cooperative."""
    created_at: int = Field(sa_type=sa.BigInteger)
    updated_at: int = Field(sa_type=sa.BigInteger)


class Order(SQLModel, table=True):
    """A buyer's order of an offer, and how far it has gone (see `service.TRANSITIONS`)."""

    __tablename__ = "api_exchange_order"

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(index=True)
    cooperative: str = Field(max_length=42)
    supplier: str = Field(max_length=42, index=True)
    buyer: str = Field(max_length=42, index=True)
    quantity: int = Field(sa_type=sa.BigInteger)
    unit_price: str = Field(max_length=78)
    total: str = Field(max_length=78)
    status: str = Field(default="requested", max_length=16, index=True)
    note: str = Field(default="", max_length=1000)
    document_sha256: str | None = Field(default=None, max_length=64)
    """The canonical order document (its hash is the invoice's documentHash)."""
    obligation_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    invoice_status: str | None = Field(default=None, max_length=16)
    """The invoice as the mirror last showed it: issued | accepted | settled | cancelled |
    rejected."""
    act_sha256: str | None = Field(default=None, max_length=64)
    """The delivery act, anchored and signed by both parties."""
    act_signed: bool = False
    dispute_sha256: str | None = Field(default=None, max_length=64)
    """The dispute statement for the council's agenda."""
    settlement: str | None = Field(default=None, max_length=16)
    """How the order was paid: settled (its ВРЕ invoice, by payment or clearing) | token (a
    verified transfer of the payment token) | bank (a ruble transfer the cashier attested on
    chain, BankSettlements); None while open."""
    buyer_cooperative: str | None = Field(default=None, max_length=42)
    """The charter of the buyer's cooperative when it is not the supplier's (cross-cooperative
    trade through their union); None for an order inside one cooperative."""
    union_charter: str | None = Field(default=None, max_length=42)
    """For a cross-cooperative order: the union whose ВРЕ carries the invoice between the two
    cooperatives' treasuries."""
    currency: str = Field(default="units", max_length=8)
    """units (ВРЕ invoice) | token (the cooperative's payment token, ERC-20)."""
    token_total: str | None = Field(default=None, max_length=78)
    """For a token order: what the buyer pays, in the token's base units."""
    token_payment_tx: str | None = Field(default=None, max_length=66, unique=True)
    """The verified ERC-20 transfer paying a token order (one order per transaction); for
    `settlement=bank`, the hash of the attested statement line (one order per line)."""
    dispute_outcome: str | None = Field(default=None, max_length=16)
    """buyer | supplier: the council's executed decision on the dispute."""
    receiver: str | None = Field(default=None, max_length=42)
    """Who receives the goods for the buyer: the trustee of the buyer's cooperative branch
    (кооперативный участок) when the buyer asked for delivery to the branch; None: the buyer."""
    created_at: int = Field(sa_type=sa.BigInteger)
    updated_at: int = Field(sa_type=sa.BigInteger)


EXCHANGE_TABLES = ("api_exchange_offer", "api_exchange_order")
