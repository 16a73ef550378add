"""Cooperatives as the network registry announced them, with the charter's current settings
(chair, decision executor, charter document, fund split, auditors)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from indexer.models import (
    COOPERATIVE_KIND,
    CooperativePublic,
)
from indexer.queries.common import (
    CONFIG,
    COOP,
    Db,
    Page,
    _chain,
    _config,
    _coop_row,
    _exec,
    _latest,
    _ref,
    _refs,
    current_block,
)


def _auditors(db: Db, chain_id: int, charter: str) -> list[str]:
    """Accounts whose latest `AuditorChanged` appointed them."""
    latest = _latest(
        CONFIG,
        ("account",),
        CONFIG.c.chain_id == chain_id,
        CONFIG.c.contract == charter,
        CONFIG.c.action == "auditor",
    )
    rows = _exec(db, sa.select(latest.c.account).where(latest.c.number == 1))
    return sorted(r.account for r in rows)


def _coop_public(db: Db, chain_id: int, row: Any) -> CooperativePublic:
    chair = _config(db, chain_id, row.charter, "chair")
    executor = _config(db, chain_id, row.charter, "executor")
    document = _config(db, chain_id, row.charter, "charter_document")
    split = _config(db, chain_id, row.charter, "fund_split")
    refs = _refs(db, chain_id, [row])
    return CooperativePublic(
        chain_id=chain_id,
        network_registry=row.network_registry,
        coop_id=int(row.coop_id),
        charter=row.charter,
        kind=int(row.kind),
        kind_name=COOPERATIVE_KIND[row.kind] if row.kind < len(COOPERATIVE_KIND) else "?",
        name=row.name,
        charter_document=document.value if document is not None else row.charter_document,
        chair=chair.account if chair is not None else row.chair,
        decision_executor=executor.account if executor is not None else None,
        fund_split=[int(v) for v in split.value.split(",")] if split is not None else [],
        auditors=_auditors(db, chain_id, row.charter),
        membership=row.membership,
        shares=row.shares,
        treasury=row.treasury,
        documents=row.documents,
        settlement_units=row.settlement_units,
        registered=_ref(refs, row),
    )


def list_cooperatives(db: Db, chain_id: int | None = None) -> Page[CooperativePublic]:
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    rows = list(
        _exec(
            db,
            sa.select(COOP)
            .where(COOP.c.chain_id == cid)
            .order_by(COOP.c.block_number, COOP.c.log_index),
        )
    )
    data = [_coop_public(db, cid, r) for r in rows]
    return Page[CooperativePublic](data=data, count=len(data), as_of=as_of)


def get_cooperative(db: Db, coop: str | int, chain_id: int | None = None) -> CooperativePublic:
    cid = _chain(db, chain_id)
    return _coop_public(db, cid, _coop_row(db, cid, coop))
