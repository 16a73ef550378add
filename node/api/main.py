"""The HTTP gateway: one FastAPI app, routers per resource."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from node import __version__
from node.api.routes import health
from node.chain.client import Chain
from node.core.config import Settings


def create_app(settings: Settings, chain: Chain, deployment: dict[str, Any] | None) -> FastAPI:
    app = FastAPI(
        title="Coopnode",
        version=__version__,
        description="Шлюз цифрового кооператива / Gateway of a digital cooperative",
    )
    app.state.settings = settings
    app.state.chain = chain
    app.state.deployment = deployment
    app.include_router(health.router)
    return app
