"""The property register: assets as `asset(id)` answers and each asset's events.

A register is not announced by any event (it is watched as a root from the deployment
record): these functions take the contract's address, and `property_registries` lists the
registers whose events the mirror holds."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from indexer.models import (
    ASSET_CATEGORY,
    AssetPublic,
    EventRef,
)
from indexer.queries.common import (
    ASSET,
    Db,
    Page,
    _chain,
    _events_of,
    _exec,
    _latest,
    _ref,
    _refs,
    current_block,
)


def property_registries(db: Db, chain_id: int | None = None) -> list[str]:
    """Every PropertyRegistry with mirrored events."""
    cid = _chain(db, chain_id)
    return sorted(
        {r[0] for r in _exec(db, sa.select(ASSET.c.contract).where(ASSET.c.chain_id == cid))}
    )


def _asset_public(
    registry: str, r: Any, refs: dict[tuple[str, int], EventRef], first: dict[int, EventRef]
) -> AssetPublic:
    return AssetPublic(
        contract=registry,
        token_id=int(r.token_id),
        exists=not r.disposed,
        category=int(r.category),
        category_name=ASSET_CATEGORY[int(r.category)],
        custodian=r.custodian,
        valuation=int(r.valuation),
        title=r.title,
        metadata_hash=r.metadata_hash,
        acquired_at=int(r.acquired_at),
        valued_at=int(r.valued_at),
        encumbered=bool(r.encumbered),
        pledgee=r.pledgee,
        pledge_amount=int(r.pledge_amount),
        pledge_document=r.pledge_document,
        disposal_kind=r.disposal_kind,
        counterparty=r.counterparty,
        disposal_amount=int(r.disposal_amount) if r.disposal_amount is not None else None,
        minted=first.get(int(r.token_id), _ref(refs, r)),
        last_event=_ref(refs, r),
    )


def list_assets(
    db: Db,
    registry: str,
    include_disposed: bool = True,
    custodian: str | None = None,
    category: int | str | None = None,
    offset: int = 0,
    limit: int = 100,
    chain_id: int | None = None,
    *,
    token_id: int | None = None,
    encumbered: bool | None = None,
) -> Page[AssetPublic]:
    """Assets of a property register as `asset(id)` answers, with `exists(id)` and, for a
    disposed asset, how it left the register. Filtered, counted and paged in SQL."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    where: list[Any] = [ASSET.c.chain_id == cid, ASSET.c.contract == registry]
    if token_id is not None:
        where.append(ASSET.c.token_id == token_id)
    sub = _latest(ASSET, ("token_id",), *where)
    conditions: list[Any] = []
    if not include_disposed:
        conditions.append(sub.c.disposed.is_(False))
    if custodian is not None:
        conditions.append(sub.c.custodian == custodian)
    if category is not None:
        code = ASSET_CATEGORY.index(category) if isinstance(category, str) else category
        conditions.append(sub.c.category == code)
    if encumbered is not None:
        conditions.append(sub.c.encumbered.is_(encumbered))
    total = int(
        _exec(db, sa.select(sa.func.count()).select_from(sub).where(*conditions)).scalar_one()
    )
    page = list(
        _exec(
            db,
            sa.select(sub).where(*conditions).order_by(sub.c.token_id).offset(offset).limit(limit),
        )
    )
    minted = _events_of(db, ASSET, cid, registry, "minted", "token_id", page)
    refs = _refs(db, cid, [*page, *minted])
    first = {int(r.token_id): _ref(refs, r) for r in minted}
    data = [_asset_public(registry, r, refs, first) for r in page]
    return Page[AssetPublic](data=data, count=total, as_of=as_of)


def get_asset(
    db: Db, registry: str, token_id: int, chain_id: int | None = None
) -> AssetPublic | None:
    """One asset as `list_assets` describes it (None when the mirror has no such asset)."""
    page = list_assets(db, registry, token_id=token_id, limit=1, chain_id=chain_id)
    return page.data[0] if page.data else None


class AssetEventPublic(BaseModel):
    """One event of an asset's life: registration, revaluation, custodian change, pledge,
    release, disposal; with the record after it."""

    token_id: int
    action: str
    decision: str | None
    custodian: str
    valuation: int
    encumbered: bool
    disposed: bool
    event: EventRef


def asset_history(
    db: Db, registry: str, token_id: int, chain_id: int | None = None
) -> Page[AssetEventPublic]:
    """Every event of one asset, oldest first."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    rows = list(
        _exec(
            db,
            sa.select(ASSET)
            .where(
                ASSET.c.chain_id == cid,
                ASSET.c.contract == registry,
                ASSET.c.token_id == token_id,
            )
            .order_by(ASSET.c.block_number, ASSET.c.log_index),
        )
    )
    refs = _refs(db, cid, rows)
    data = [
        AssetEventPublic(
            token_id=int(r.token_id),
            action=r.action,
            decision=r.decision,
            custodian=r.custodian,
            valuation=int(r.valuation),
            encumbered=bool(r.encumbered),
            disposed=bool(r.disposed),
            event=_ref(refs, r),
        )
        for r in rows
    ]
    return Page[AssetEventPublic](data=data, count=len(data), as_of=as_of)
