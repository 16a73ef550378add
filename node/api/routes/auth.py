"""Sign-In with Ethereum: `POST /auth/nonce`, `POST /auth/verify`, `GET /auth/me`."""

from __future__ import annotations

import secrets
import time

from fastapi import APIRouter
from hexbytes import HexBytes
from pydantic import BaseModel, Field

from node.api.amounts import amounts_as_strings
from node.api.auth import Session as AuthSession
from node.api.auth import (
    SiweMessage,
    check_message_times,
    iso,
    parse_siwe,
    sign_in_failed,
    verify_signature,
)
from node.api.deps import AuthRateLimit, Caller, CallerDep, GatewayDep
from node.api.problems import Problem, problem_responses
from node.api.schemas import Address, Signature
from node.chain.client import checksum

router = APIRouter(prefix="/auth", tags=["auth"])

#: What the wallet shows above the message. EIP-4361 allows ASCII only here (a wallet's parser
#: refuses the message otherwise), so the portal shows the Russian explanation beside the request.
STATEMENT = (
    "Sign in to the cooperative gateway. This proves you hold the address; "
    "it sends no transaction and costs no gas."
)


class NonceCreate(BaseModel):
    address: Address | None = None
    """When given, the answer carries the complete EIP-4361 message for this address."""


class NoncePublic(BaseModel):
    nonce: str
    issued_at: str
    expires_at: str
    domain: str
    uri: str
    chain_id: int
    message: str | None = None
    """A ready EIP-4361 message (when an address was given): sign it with `personal_sign`."""


class VerifyCreate(BaseModel):
    message: str = Field(min_length=1, max_length=4096)
    signature: Signature


class SessionPublic(BaseModel):
    token: str
    token_type: str = "bearer"
    address: str
    roles: list[str]
    expires_at: int
    """Unix seconds."""


class MePublic(BaseModel):
    address: str
    roles: list[str]
    expires_at: int


@router.post(
    "/nonce",
    response_model=amounts_as_strings(NoncePublic),
    dependencies=[AuthRateLimit],
    responses=problem_responses(422, 429),
)
def create_nonce(gw: GatewayDep, body: NonceCreate | None = None) -> NoncePublic:
    """A single-use nonce for an EIP-4361 sign-in message, valid `siwe_nonce_ttl` seconds."""
    if body is not None and body.address is not None:
        gw.auth_address_limit.check(body.address.lower())
    now = int(time.time())
    nonce = secrets.token_hex(16)
    expires = now + gw.settings.siwe_nonce_ttl
    gw.nonces.issue(nonce, now, expires)  # the database, or Redis shared by every worker
    domain = gw.settings.effective_siwe_domain
    uri = f"http://{domain}"
    message = None
    if body is not None and body.address is not None:
        message = SiweMessage(
            domain=domain,
            address=checksum(body.address),
            statement=STATEMENT,
            uri=uri,
            version="1",
            chain_id=gw.chain_id,
            nonce=nonce,
            issued_at=iso(now),
            expiration_time=iso(expires),
        ).text()
    return NoncePublic(
        nonce=nonce,
        issued_at=iso(now),
        expires_at=iso(expires),
        domain=domain,
        uri=uri,
        chain_id=gw.chain_id,
        message=message,
    )


@router.post(
    "/verify",
    response_model=amounts_as_strings(SessionPublic),
    dependencies=[AuthRateLimit],
    responses=problem_responses(401, 422, 429),
)
def verify(gw: GatewayDep, body: VerifyCreate) -> SessionPublic:
    """Check a signed EIP-4361 message (EOA or ERC-1271 wallet) and open a session."""
    msg = parse_siwe(body.message)
    gw.auth_address_limit.check(msg.address.lower())
    if msg.domain != gw.settings.effective_siwe_domain:
        raise sign_in_failed(
            f"Сообщение для другого сайта ({msg.domain})",
            f"Message for another domain ({msg.domain})",
        )
    if msg.version != "1":
        raise sign_in_failed("Версия EIP-4361 должна быть 1", "EIP-4361 version must be 1")
    if msg.chain_id != gw.chain_id:
        raise sign_in_failed(
            f"Сообщение для другой сети ({msg.chain_id})",
            f"Message for another chain ({msg.chain_id})",
        )
    now = time.time()
    check_message_times(msg, now)
    # Consume the nonce first and atomically: a replay (or a second try, at any worker) finds
    # it used.
    used = gw.nonces.consume(msg.nonce, int(now), msg.address)
    if not used:
        raise Problem(
            401,
            "Одноразовый код (nonce) неизвестен, уже использован или истёк / The nonce is "
            "unknown, already used or expired",
            title="Вход не выполнен / Sign-in failed",
        )
    verify_signature(gw.chain, body.message, msg.address, bytes(HexBytes(body.signature)))
    # After "log out everywhere" a new session must be issued after the cut-off second.
    token, session = gw.sessions.issue(
        msg.address, now=max(time.time(), gw.revocations.not_before(msg.address))
    )
    gw.forget_roles(msg.address)
    return SessionPublic(
        token=token,
        address=msg.address,
        roles=sorted(gw.roles(msg.address)),
        expires_at=session.expires_at,
    )


@router.get("/me", response_model=amounts_as_strings(MePublic), responses=problem_responses(401))
def me(caller: CallerDep) -> MePublic:
    """Who the session belongs to and the roles the chain gives that address now."""
    return MePublic(
        address=caller.address, roles=sorted(caller.roles), expires_at=caller.expires_at
    )


class LogoutPublic(BaseModel):
    address: str
    revoked: str
    """`session` (this token) or `all` (every session of the address issued until now)."""
    not_before: int | None = None
    """For `all`: sessions issued from this unix second on are valid."""


def _session(caller: Caller) -> AuthSession:
    if caller.session is None:  # pragma: no cover - get_caller always sets it
        raise Problem(401, "Нет сессии / No session")
    return caller.session


@router.post("/logout", response_model=LogoutPublic, responses=problem_responses(401))
def logout(gw: GatewayDep, caller: CallerDep) -> LogoutPublic:
    """End this session: its token is refused from now on (401), in every gateway process."""
    gw.revocations.revoke(_session(caller))
    return LogoutPublic(address=caller.address, revoked="session")


@router.post("/logout/all", response_model=LogoutPublic, responses=problem_responses(401))
def logout_everywhere(gw: GatewayDep, caller: CallerDep) -> LogoutPublic:
    """End every session of your address issued until now (this one included), e.g. after a
    lost device; sign in again for a new one."""
    cutoff = gw.revocations.revoke_all(caller.address)
    return LogoutPublic(address=caller.address, revoked="all", not_before=cutoff)
