"""Dependencies shared by the gateway's routers, in one place."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from node.chain.client import Chain
from node.core.config import Settings


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_chain(request: Request) -> Chain:
    chain: Chain = request.app.state.chain
    return chain


def get_deployment(request: Request) -> dict[str, Any]:
    deployment: dict[str, Any] = request.app.state.deployment or {}
    return deployment


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ChainDep = Annotated[Chain, Depends(get_chain)]
DeploymentDep = Annotated[dict[str, Any], Depends(get_deployment)]
