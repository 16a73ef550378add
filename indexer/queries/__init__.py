"""The read side of the mirror: typed answers for the gateway, the CLI and reports.

One module per domain, as `indexer/projections/` writes them: `registry` (cooperatives),
`members`, `shares`, `treasury`, `units` (ВРЕ), `documents`, `governance`, `fund`, `property`,
and `overview` (the dashboard, one cooperative across domains); `common` holds what they share
(`Db`, `Page`, `NotFound`, `current_block`). The gateway imports the domain module a route
serves (`from indexer.queries import members`). This package re-exports every public query for
the readers that span every domain (`coop audit`, the projection tests); no re-exported name
may be a module's name, or it would hide the module.

Every function takes an open SQLAlchemy `Connection` or SQLModel `Session` (the gateway's
`SessionDep`), a cooperative (its charter address, any of its contract addresses, or its number
in the registry) where it applies, and returns `indexer.models` read models. Every answer says
at which block it is current (`as_of`, the indexer's cursor): read it in the same transaction as
the rows (`with engine.connect() as conn:` or one `Session`) and the two agree.

"Current state" is the latest ledger row per entity (see `indexer/projections/_domain.py`);
states that depend on time only (a council item's expiry, a meeting's Scheduled / Open / Ended)
are computed at the cursor block's timestamp, exactly as the contracts' views would answer at
that block. uint256 amounts are stored as decimal strings and summed in Python, exactly, on both
SQLite and PostgreSQL.
"""

from __future__ import annotations

from indexer.queries.common import Db, NotFound, Page, current_block
from indexer.queries.documents import document, list_documents
from indexer.queries.fund import (
    LoanEventPublic,
    fund_contracts,
    fund_positions,
    get_loan,
    list_loans,
    loan_history,
)
from indexer.queries.governance import (
    council_items,
    councils_of,
    decisions_of,
    meeting_contracts_of,
    meetings,
    proxies_of,
)
from indexer.queries.members import (
    MembershipPoint,
    get_member,
    list_applications,
    list_members,
    member_history,
    membership_history,
)
from indexer.queries.overview import dashboard
from indexer.queries.property import (
    AssetEventPublic,
    asset_history,
    get_asset,
    list_assets,
    property_registries,
)
from indexer.queries.registry import get_cooperative, list_cooperatives
from indexer.queries.shares import _holdings as _holdings  # coop audit compares holdings
from indexer.queries.shares import share_ledger
from indexer.queries.treasury import fund_balances, named_funds, treasury_movements
from indexer.queries.units import (
    ClearedLine,
    MemberClearingPublic,
    list_clearings,
    list_obligations,
    list_transfers,
    member_clearings,
    open_obligations,
)
from indexer.queries.units import _units as _units  # coop audit compares ВРЕ accounts

__all__ = [
    "AssetEventPublic",
    "ClearedLine",
    "Db",
    "LoanEventPublic",
    "MemberClearingPublic",
    "MembershipPoint",
    "NotFound",
    "Page",
    "asset_history",
    "council_items",
    "councils_of",
    "current_block",
    "dashboard",
    "decisions_of",
    "document",
    "fund_balances",
    "fund_contracts",
    "fund_positions",
    "get_asset",
    "get_cooperative",
    "get_loan",
    "get_member",
    "list_applications",
    "list_assets",
    "list_clearings",
    "list_cooperatives",
    "list_documents",
    "list_loans",
    "list_members",
    "list_obligations",
    "list_transfers",
    "loan_history",
    "meeting_contracts_of",
    "meetings",
    "member_clearings",
    "member_history",
    "membership_history",
    "named_funds",
    "open_obligations",
    "property_registries",
    "proxies_of",
    "share_ledger",
    "treasury_movements",
]
