"""Property register (PropertyRegistry): one `property_asset_event` row per asset event, with
`asset(id)` after it and whether the asset left the register (`exists` is `not disposed`).

The register is watched as a root from the deployment record (`<slug>.property_registry`): no
event announces it. Its events are taken by full signature, which only IPropertyRegistry
declares; the ERC-721 `Transfer` of a mint or disposal is left to the raw mirror.
"""

from __future__ import annotations

import logging
from typing import Any

from indexer.models import AssetEvent
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import (
    ZERO_ADDRESS,
    ZERO_HASH,
    add,
    block_time,
    cached,
    latest,
    store,
)

log = logging.getLogger("coop.indexer.projections.property")

SIGS = (
    "AssetMinted(uint256,address,uint8,uint256,bytes32,bytes32,bytes32)",
    "AssetRevalued(uint256,uint256,uint256,bytes32)",
    "CustodianChanged(uint256,address,address,bytes32)",
    "AssetMetadataChanged(uint256,bytes32,bytes32)",
    "AssetPledged(uint256,address,uint256,bytes32,uint256,uint8)",
    "EncumbranceReleased(uint256,address,bytes32)",
    "AssetDisposed(uint256,uint8,address,uint256,bytes32,uint256,uint8)",
)

_FIELDS = (
    "category",
    "custodian",
    "valuation",
    "title",
    "metadata_hash",
    "acquired_at",
    "valued_at",
    "encumbered",
    "pledgee",
    "pledge_amount",
    "pledge_document",
    "disposed",
    "disposal_kind",
    "counterparty",
    "disposal_amount",
)


def _asset(ctx: ProjectionContext, registry: str, token_id: int) -> dict[str, Any] | None:
    """The asset before the event; None when its mint is not mirrored (a register watched from
    the middle of its history: re-index from an empty database to mirror it)."""

    def load() -> dict[str, Any] | None:
        row = latest(ctx, AssetEvent, contract=registry, token_id=token_id)
        return {k: row[k] for k in _FIELDS} if row is not None else None

    return cached(ctx, ("asset", registry, token_id), load)


def _unencumbered(asset: dict[str, Any]) -> None:
    asset.update(
        encumbered=False, pledgee=ZERO_ADDRESS, pledge_amount="0", pledge_document=ZERO_HASH
    )


@projection(*SIGS, tables=(AssetEvent,), name="property_asset_event")
def property_asset_event(ctx: ProjectionContext, event: Event) -> None:
    registry, token_id, a = event.address, event.int("tokenId"), event.args
    name = event.name
    decision: str | None = a.get("decision") or a.get("document")
    if name == "AssetMinted":
        now = block_time(ctx, event)
        asset: dict[str, Any] = {
            "category": int(a["category"]),
            "custodian": a["custodian"],
            "valuation": str(event.int("valuation")),
            "title": a["title"],
            "metadata_hash": a["metadata"],
            "acquired_at": now,
            "valued_at": now,
            "disposed": False,
            "disposal_kind": None,
            "counterparty": None,
            "disposal_amount": None,
        }
        _unencumbered(asset)
        action = "minted"
    else:
        known = _asset(ctx, registry, token_id)
        if known is None:
            log.warning("register %s: %s of unmirrored asset %s", registry, name, token_id)
            return
        asset = dict(known)
        if name == "AssetRevalued":
            asset.update(valuation=str(event.int("valuation")), valued_at=block_time(ctx, event))
            action = "revalued"
        elif name == "CustodianChanged":
            asset["custodian"], action = a["custodian"], "custodian_changed"
        elif name == "AssetMetadataChanged":
            asset["metadata_hash"], action = a["metadata"], "metadata_changed"
        elif name == "AssetPledged":
            asset.update(
                encumbered=True,
                pledgee=a["pledgee"],
                pledge_amount=str(event.int("amount")),
                pledge_document=a["document"],
            )
            action = "pledged"
        elif name == "EncumbranceReleased":
            _unencumbered(asset)
            action = "released"
        else:  # AssetDisposed
            _unencumbered(asset)
            asset.update(
                disposed=True,
                disposal_kind=int(a["kind"]),
                counterparty=a["counterparty"],
                disposal_amount=str(event.int("amount")),
            )
            action = "disposed"
    store(ctx, ("asset", registry, token_id), asset)
    add(
        ctx,
        AssetEvent,
        event,
        contract=registry,
        token_id=token_id,
        action=action,
        decision=decision,
        **asset,
    )
