"""`POST /audit`: the check `coop audit` makes, run by the gateway for the revision commission.

The live mirror is only read; the rebuild goes into a scratch SQLite file in a temporary
directory that is removed afterwards. One audit runs at a time (it replays the whole chain).
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from indexer.audit import audit_raw
from indexer.config import IndexerSettings
from node.api.deps import CallerDep, GatewayDep
from node.api.gateway import Gateway
from node.api.problems import Problem, problem_responses
from node.api.routes.documents import DocumentInfoPublic, _info
from node.api.schemas import SHA256_PATTERN

router = APIRouter(prefix="/audit", tags=["audit"])

_running = threading.Lock()


class AuditPublic(BaseModel):
    """The result of `coop audit`: the mirror against a fresh rebuild and the contracts' views."""

    ok: bool
    chain_id: int
    live_cursor: list[Any] | None
    rebuilt_cursor: list[Any] | None
    compared: dict[str, int]
    """Rows (or views) compared per table."""
    differences: list[str]


def _run(gw: Gateway) -> dict[str, Any]:
    if not _running.acquire(blocking=False):
        raise Problem(
            409, "Проверка уже идёт, повторите позже / An audit is already running, retry later"
        )
    try:
        with tempfile.TemporaryDirectory(prefix="coop-audit-") as tmp:
            scratch = f"sqlite:///{FsPath(tmp) / 'rebuild.db'}"
            report = audit_raw(
                gw.chain, gw.settings.effective_database_url, scratch, settings=IndexerSettings()
            )
        return report.as_dict()
    finally:
        _running.release()


@router.post("", response_model=AuditPublic, responses=problem_responses(401, 403, 409, 503))
async def run_audit(gw: GatewayDep, caller: CallerDep) -> AuditPublic:
    """Rebuild the mirror from the chain and compare it row by row and with the contracts'
    views (what `coop audit` does); for auditors, the council and the chair. Read-only."""
    if not caller.has("auditor", "council", "chair"):
        raise Problem(
            403,
            "Проверку запускают ревизор, совет и председатель / Only auditors, the council and "
            "the chair may run the audit",
        )
    return AuditPublic.model_validate(await run_in_threadpool(_run, gw))


@router.get(
    "/documents/{sha256}", response_model=DocumentInfoPublic, responses=problem_responses(422)
)
async def document_by_hash(
    gw: GatewayDep, sha256: Annotated[str, Path(pattern=SHA256_PATTERN)]
) -> DocumentInfoPublic:
    """Is a file with this SHA-256 anchored, when, by whom, and who signed it? Like
    `POST /documents/verify`, but the file stays with its holder: only its hash (computed in the
    browser) is sent. No sign-in needed."""
    return await run_in_threadpool(_info, gw, sha256)
