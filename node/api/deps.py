"""Dependencies shared by the gateway's routers, in one place (`Annotated` aliases)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from node.api.auth import Session
from node.api.gateway import Gateway
from node.api.limits import client_key
from node.api.problems import Problem
from node.chain.client import Chain
from node.core.config import Settings


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_chain(request: Request) -> Chain:
    chain: Chain = request.app.state.chain
    return chain


async def get_deployment(request: Request) -> dict[str, Any]:
    deployment: dict[str, Any] = request.app.state.deployment or {}
    return deployment


async def get_gateway(request: Request) -> Gateway:
    """The served cooperative's gateway: the one `/c/{slug}/...` names (set in the request's
    state by `node.api.network.CooperativeScope`), else the default cooperative's."""
    scoped: Gateway | None = request.scope.get("state", {}).get("gateway")
    if scoped is not None:
        return scoped
    gateway: Gateway | None = getattr(request.app.state, "gateway", None)
    if gateway is None:
        reason = getattr(request.app.state, "gateway_error", "not configured")
        raise Problem(
            503,
            f"Шлюз не настроен: {reason} / The gateway is not configured: {reason}",
        )
    return gateway


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ChainDep = Annotated[Chain, Depends(get_chain)]
DeploymentDep = Annotated[dict[str, Any], Depends(get_deployment)]
GatewayDep = Annotated[Gateway, Depends(get_gateway)]

bearer = HTTPBearer(
    auto_error=False,
    description="Токен сессии из POST /auth/verify / Session token from POST /auth/verify",
)


@dataclass(frozen=True)
class Caller:
    """The signed-in address and its roles (read from the chain)."""

    address: str
    roles: frozenset[str]
    expires_at: int
    session: Session | None = None
    """The session token's payload (id, issue time)."""

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_auditor(self) -> bool:
        return "auditor" in self.roles


async def get_caller(
    gw: GatewayDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(
            401,
            "Войдите через Sign-In with Ethereum (POST /auth/nonce, POST /auth/verify) и "
            "передайте токен в заголовке Authorization: Bearer / Sign in with Ethereum and send "
            "the token as Authorization: Bearer",
            headers={"WWW-Authenticate": "Bearer"},
        )
    session = gw.sessions.check(credentials.credentials)
    if gw.revocations.is_revoked(session):
        raise Problem(
            401,
            "Сессия завершена (выход из системы), войдите снова / The session was revoked "
            "(logged out): sign in again",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    roles = gw.usable_roles(session.address)
    if roles is None:  # chain calls (one lookup per address at a time): off the event loop
        roles = await run_in_threadpool(gw.roles, session.address)
    return Caller(session.address, roles, session.expires_at, session)


CallerDep = Annotated[Caller, Depends(get_caller)]


async def get_writer(caller: CallerDep) -> Caller:
    """A signed-in caller who may act: everyone but an auditor."""
    if caller.is_auditor:
        raise Problem(
            403,
            "Ревизор читает всё, но ничего не изменяет / An auditor reads everything and "
            "writes nothing",
        )
    return caller


WriterDep = Annotated[Caller, Depends(get_writer)]


def require_self_or(caller: Caller, address: str, *roles: str) -> None:
    if caller.address.lower() != address.lower() and not caller.has(*roles):
        who = ", ".join(roles) or "nobody else"
        raise Problem(
            403,
            f"Доступ только владельцу адреса и ролям: {who} / "
            f"Only the address itself and these roles may do this: {who}",
        )


async def auth_rate_limit(request: Request, gw: GatewayDep) -> None:
    """The sign-in budget of the client IP (the signing address's is checked by the route,
    once the body names it)."""
    gw.auth_limit.check(client_key(request))


async def relay_rate_limit(request: Request, gw: GatewayDep) -> None:
    gw.relay_limit.check(client_key(request))


AuthRateLimit = Depends(auth_rate_limit)
RelayRateLimit = Depends(relay_rate_limit)
