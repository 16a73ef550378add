"""`uvicorn node.api.asgi:create --factory`: the gateway as each worker process builds it.

With `COOP_API_WORKERS` > 1, `coop serve` gives uvicorn this factory's import path instead of an
app object: every worker process builds its own app from the environment (settings, the chain,
the deployment record). `COOP_SERVE_DEPLOYMENT` names the deployment record when `--deployment`
was given, and `COOP_SERVE_INDEX=1` gives every worker an indexer thread, of which only the
holder of the chain's leader lock indexes (see `indexer.leader`).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from node.api.main import create_app
from node.chain.artifacts import Artifacts
from node.chain.client import Chain
from node.chain.deployment import read_record
from node.core.config import Settings


def create() -> FastAPI:
    settings = Settings()
    settings.check_workers()
    chain = Chain(settings.effective_rpc_url, Artifacts(settings.artifacts_path))
    chain.wait_ready()
    path = os.environ.get("COOP_SERVE_DEPLOYMENT")
    record = read_record(Path(path) if path else settings.deployment_file)
    return create_app(settings, chain, record, index=os.environ.get("COOP_SERVE_INDEX") == "1")
