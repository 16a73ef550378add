"""Which agreement versions are in force, who accepted them, and the gate on relayed acts.

A version published by the council (`api_agreement_version`) is *in force* once an officer has
anchored its hash in DocumentRegistry as an official document (type `CouncilDecision`: only
officers may anchor that type, and an official anchor takes over a hash anybody anchored first
as another type, so nobody else can put a text in force or block one). Per kind the newest
version in force is *current*. A member *accepted* it when DocumentRegistry records their
signature of its hash (`signedAt(hash, member) != 0`), which the mirror indexes.

The gateway relays no act of an account (applications included) until it has accepted every
current version: `require_accepted` is called by `relay_call` and `relay_raw`; the one act
allowed is the acceptance itself (the relayed signature of a current agreement). With no
version in force (a cooperative that has not published its agreements yet) nothing is required.

Both facts only ever turn true (an official anchor and a signature are permanent), so positive
answers are cached for the process; negative ones are asked of the chain again each time.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlmodel import Session, col, select

from node.api.gateway import Gateway
from node.api.models import AgreementVersion
from node.api.problems import Problem
from node.cooperative.client import DocumentType

_lock = threading.Lock()
#: Per gateway: hashes known to be in force, (hash, account) pairs known to be accepted.
_in_force: weakref.WeakKeyDictionary[Gateway, set[str]] = weakref.WeakKeyDictionary()
_accepted: weakref.WeakKeyDictionary[Gateway, set[tuple[str, str]]] = weakref.WeakKeyDictionary()


def _known(cache: weakref.WeakKeyDictionary[Gateway, set[Any]], gw: Gateway) -> set[Any]:
    with _lock:
        found = cache.get(gw)
        if found is None:
            found = cache[gw] = set()
        return found


def in_force(gw: Gateway, sha256: str) -> bool:
    known = _known(_in_force, gw)
    if sha256 in known:
        return True
    anchored_by, _at, doc_type, _count = gw.coop.documents.functions.documentOf(
        bytes.fromhex(sha256)
    ).call()
    ok = int(anchored_by, 16) != 0 and int(doc_type) == int(DocumentType.COUNCIL_DECISION)
    if ok:
        known.add(sha256)
    return ok


def current_versions(gw: Gateway) -> dict[str, AgreementVersion]:
    """Per kind, the newest published version in force."""
    with Session(gw.engine) as session:
        rows = session.exec(
            select(AgreementVersion).order_by(
                col(AgreementVersion.kind), col(AgreementVersion.version).desc()
            )
        ).all()
    current: dict[str, AgreementVersion] = {}
    for row in rows:
        if row.kind not in current and in_force(gw, row.sha256):
            current[row.kind] = row
    return current


def has_accepted(gw: Gateway, sha256: str, account: str) -> bool:
    known = _known(_accepted, gw)
    key = (sha256, account.lower())
    if key in known:
        return True
    at = int(gw.coop.documents.functions.signedAt(bytes.fromhex(sha256), account).call())
    if at:
        known.add(key)
    return at != 0


def missing_acceptances(gw: Gateway, account: str) -> list[AgreementVersion]:
    return [v for v in current_versions(gw).values() if not has_accepted(gw, v.sha256, account)]


def is_current_agreement(gw: Gateway, sha256: str) -> bool:
    return any(v.sha256 == sha256 for v in current_versions(gw).values())


def require_accepted(gw: Gateway, account: str) -> None:
    """403 naming the versions `account` must sign first (problem+json, `error`
    `AgreementNotAccepted`, one `errors` entry per version)."""
    missing = missing_acceptances(gw, account)
    if not missing:
        return
    names = ", ".join(f"{v.kind} v{v.version}" for v in missing)
    raise Problem(
        403,
        f"Сначала примите действующие редакции соглашений ({names}): подпишите их, "
        "GET /agreements / First accept the agreements in force "
        f"({names}): sign them, see GET /agreements",
        title="Нужно принять соглашение / Agreement not accepted",
        error="AgreementNotAccepted",
        errors=[
            {
                "loc": ["agreements", v.kind],
                "msg": f"/documents/{v.sha256}/signatures/typed-data",
                "type": f"agreement_not_accepted:v{v.version}:{v.sha256}",
            }
            for v in missing
        ],
    )
