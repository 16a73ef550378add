"""Passkeys (WebAuthn): join, sign in and act without a crypto wallet.

A person registers a passkey (`/passkeys/registration/...`); its P-256 key fixes the address
of their `PasskeyAccount` (a counterfactual CREATE2 clone of the chain's factory), and the answer
is a session for that address, the same session Sign-In with Ethereum gives. Later sign-ins use
`/passkeys/sign-in/...`. Every act is signed by the passkey: `/passkeys/signature/...` turns a
typed-data payload from any `.../typed-data` route into the WebAuthn challenge, checks the
assertion the authenticator made over it and returns the ERC-1271 signature the page sends on
as a wallet's; a call of the account's own (a ВРЕ transfer, adding a passkey) goes through
`/passkeys/execute/...`, relayed by the gateway, which deploys the account with the member's
first act. Challenges of registration and sign-in are single use and expire, like SIWE nonces
(the same table); acts need no stored challenge: the contract's nonce or deadline in the signed
digest makes each signature good once. See docs/security.md, "Passkey accounts".
"""

from __future__ import annotations

import json
import os
import secrets
import time
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from eth_utils import keccak
from fastapi import APIRouter, Response
from fastapi import Path as FastPath
from hexbytes import HexBytes
from pydantic import BaseModel, Field
from sqlmodel import Session
from webauthn import generate_authentication_options, generate_registration_options, options_to_json
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from node.accounts import store
from node.accounts.client import PasskeyAccounts
from node.accounts.passkeys import (
    DOMAIN_NAME,
    PasskeyError,
    execute_typed_data,
    replay_safe_hash,
    typed_digest,
    verify_registration,
)
from node.api.amounts import amounts_as_strings
from node.api.deps import AuthRateLimit, CallerDep, GatewayDep, RelayRateLimit, WriterDep
from node.api.gateway import Gateway
from node.api.models import SiweNonce
from node.api.problems import Problem, problem_responses
from node.api.relay import relay_call
from node.api.routes.auth import SessionPublic
from node.api.routes.relay import public
from node.api.schemas import Address, HexBytesStr, RelayPublic, Signature, Uint
from node.chain.client import checksum

router = APIRouter(prefix="/passkeys", tags=["passkeys"])

B64URL = r"^[A-Za-z0-9_\-]*$"
#: How long a signed `execute` stays good (seconds).
EXECUTE_TTL = 600
#: Ceremony timeout the browser is given (milliseconds).
TIMEOUT_MS = 120_000

B64 = Field(pattern=B64URL, max_length=16_384)


class AssertionResponse(BaseModel):
    clientDataJSON: str = B64
    authenticatorData: str = B64
    signature: str = Field(pattern=B64URL, max_length=200)
    userHandle: str | None = Field(default=None, pattern=B64URL, max_length=100)


class AssertionCredential(BaseModel):
    """A `navigator.credentials.get` answer, its byte strings base64url."""

    id: str = Field(pattern=B64URL, min_length=1, max_length=1400)
    rawId: str = Field(pattern=B64URL, min_length=1, max_length=1400)
    type: Literal["public-key"]
    response: AssertionResponse
    authenticatorAttachment: str | None = Field(default=None, max_length=32)
    clientExtensionResults: dict[str, Any] = Field(default_factory=dict)


class AttestationResponse(BaseModel):
    clientDataJSON: str = B64
    attestationObject: str = B64
    transports: list[str] = Field(default_factory=list, max_length=8)


class RegistrationCredential(BaseModel):
    """A `navigator.credentials.create` answer, its byte strings base64url."""

    id: str = Field(pattern=B64URL, min_length=1, max_length=1400)
    rawId: str = Field(pattern=B64URL, min_length=1, max_length=1400)
    type: Literal["public-key"]
    response: AttestationResponse
    authenticatorAttachment: str | None = Field(default=None, max_length=32)
    clientExtensionResults: dict[str, Any] = Field(default_factory=dict)


class RegistrationOptionsCreate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=64)
    """What the authenticator shows for the passkey (the person's name or a nickname)."""


class RegistrationCreate(BaseModel):
    credential: RegistrationCredential
    label: str | None = Field(default=None, max_length=100)
    """The person's own name for this passkey ("телефон", "ноутбук")."""


class SignInCreate(BaseModel):
    credential: AssertionCredential


class PasskeyPublic(BaseModel):
    credential_id: str
    account: str
    qx: str
    qy: str
    label: str | None
    created_at: int
    active: bool
    """Whether the chain lets it sign for the account now."""


class RegisteredPublic(BaseModel):
    passkey: PasskeyPublic
    account: str
    deployed: bool
    session: SessionPublic | None = None
    """A new account: the session, as `POST /auth/verify` gives."""
    call: dict[str, Any] | None = None
    """Adding to an existing account: the account's own call (`addPasskey`) to sign with a
    passkey it already has and send to `POST /passkeys/execute`."""


class TypedDataCreate(BaseModel):
    typed_data: dict[str, Any]
    """The payload a `.../typed-data` route gave (what a wallet would sign)."""


class SignatureOptionsPublic(BaseModel):
    options: dict[str, Any]
    """`PublicKeyCredentialRequestOptions` (base64url): the challenge is what the account checks."""
    digest: str
    challenge: str


class SignatureCreate(TypedDataCreate):
    credential: AssertionCredential


class SignaturePublic(BaseModel):
    signature: str
    """The ERC-1271 signature (or `execute` signature) to send where the wallet's would go."""
    account: str


class ExecuteCall(BaseModel):
    to: Address
    value: Uint = "0"
    data: HexBytesStr


class ExecuteCreate(ExecuteCall):
    nonce: Uint
    deadline: Uint
    signature: Signature


def _accounts(gw: Gateway) -> PasskeyAccounts:
    accounts = gw.passkeys()
    if accounts is None:
        raise Problem(
            404,
            "Ключи доступа на этом узле не включены / Passkeys are not enabled on this node",
        )
    return accounts


def _new_challenge(gw: Gateway) -> bytes:
    challenge = os.urandom(32)
    now = int(time.time())
    with Session(gw.engine) as session:
        session.add(
            SiweNonce(
                nonce=challenge.hex(), issued_at=now, expires_at=now + gw.settings.siwe_nonce_ttl
            )
        )
        session.commit()
    return challenge


def _consume_challenge(gw: Gateway, client_data_json_b64: str) -> bytes:
    """The challenge the ceremony answered, consumed atomically (single use, unexpired)."""
    try:
        client = json.loads(base64url_to_bytes(client_data_json_b64))
        challenge = base64url_to_bytes(client["challenge"])
    except (ValueError, KeyError, TypeError) as exc:
        raise PasskeyError("clientDataJSON не читается", "clientDataJSON cannot be read") from exc
    now = int(time.time())
    table = SiweNonce.__table__  # type: ignore[attr-defined]
    with gw.engine.begin() as conn:
        used = conn.execute(
            sa.update(table)
            .where(
                table.c.nonce == challenge.hex(),
                table.c.used_at.is_(None),
                table.c.expires_at > now,
            )
            .values(used_at=now, used_by="passkey")
        ).rowcount
    if used != 1 or len(challenge) != 32:
        raise Problem(
            401,
            "Одноразовый вызов (challenge) неизвестен, уже использован или истёк / The "
            "challenge is unknown, already used or expired",
            title="Вход не выполнен / Sign-in failed",
        )
    return challenge


def _session(gw: Gateway, address: str) -> SessionPublic:
    token, session = gw.sessions.issue(
        address, now=max(time.time(), gw.revocations.not_before(address))
    )
    gw.forget_roles(address)
    return SessionPublic(
        token=token, address=address, roles=sorted(gw.roles(address)), expires_at=session.expires_at
    )


def _public(accounts: PasskeyAccounts, row: Any) -> PasskeyPublic:
    return PasskeyPublic(
        credential_id=row.credential_id,
        account=row.account,
        qx=row.qx,
        qy=row.qy,
        label=row.label,
        created_at=row.created_at,
        active=store.controls(accounts, row),
    )


def _registration_options(
    gw: Gateway, name: str, user_id: bytes, exclude: list[str]
) -> dict[str, Any]:
    options = generate_registration_options(
        rp_id=gw.settings.effective_passkey_rp_id,
        rp_name=f"Coopnode · {gw.slug}",
        user_name=name,
        user_id=user_id,
        user_display_name=name,
        challenge=_new_challenge(gw),
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in exclude
        ],
        supported_pub_key_algs=[COSEAlgorithmIdentifier.ECDSA_SHA_256],
    )
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


# -- registration ----------------------------------------------------------------------------


@router.post(
    "/registration/options",
    dependencies=[AuthRateLimit],
    responses=problem_responses(404, 422, 429),
)
def registration_options(
    gw: GatewayDep, body: RegistrationOptionsCreate | None = None
) -> dict[str, Any]:
    """Options for `navigator.credentials.create`: a new passkey for a new account."""
    _accounts(gw)
    name = (body.name if body and body.name else None) or "Пайщик / Member"
    return _registration_options(gw, name, secrets.token_bytes(16), [])


@router.post(
    "/registration",
    response_model=amounts_as_strings(RegisteredPublic),
    dependencies=[AuthRateLimit],
    responses=problem_responses(401, 404, 422, 429),
)
def register(gw: GatewayDep, body: RegistrationCreate) -> RegisteredPublic:
    """Verify a new passkey, store it and open a session for its (counterfactual) account."""
    accounts = _accounts(gw)
    credential = body.credential.model_dump(exclude_none=True)
    challenge = _consume_challenge(gw, body.credential.response.clientDataJSON)
    passkey = verify_registration(
        credential,
        challenge=challenge,
        rp_id=gw.settings.effective_passkey_rp_id,
        origin=gw.settings.effective_passkey_origins,
    )
    address = accounts.address_of(passkey.qx, passkey.qy)
    gw.auth_address_limit.check(address.lower())
    row = store.save(gw.engine, address, passkey, body.label)
    return RegisteredPublic(
        passkey=_public(accounts, row),
        account=address,
        deployed=accounts.is_deployed(address),
        session=_session(gw, address),
    )


@router.get("/mine", responses=problem_responses(401, 404))
def my_passkeys(gw: GatewayDep, caller: CallerDep) -> list[PasskeyPublic]:
    """The caller's registered passkeys and whether each controls the account on chain."""
    accounts = _accounts(gw)
    return [_public(accounts, row) for row in store.of_account(gw.engine, caller.address)]


@router.post(
    "/mine/registration/options",
    dependencies=[AuthRateLimit],
    responses=problem_responses(401, 403, 404, 429),
)
def add_options(gw: GatewayDep, caller: WriterDep) -> dict[str, Any]:
    """Options for one more passkey of the caller's passkey account (a phone, a laptop)."""
    _accounts(gw)
    rows = store.of_account(gw.engine, caller.address)
    if not rows:
        raise Problem(403, "Это не счёт с ключами доступа / This is not a passkey account")
    user_id = keccak(text=caller.address)[:16]
    return _registration_options(gw, caller.address, user_id, [r.credential_id for r in rows])


@router.post(
    "/mine/registration",
    response_model=amounts_as_strings(RegisteredPublic),
    dependencies=[AuthRateLimit],
    responses=problem_responses(401, 403, 404, 422, 429),
)
def add_passkey(gw: GatewayDep, caller: WriterDep, body: RegistrationCreate) -> RegisteredPublic:
    """Verify and store another passkey of the caller's account; the answer names the account's
    own `addPasskey` call, which an existing passkey signs (`/passkeys/execute`). Until that
    call is mined, the new passkey signs nothing (the chain decides)."""
    accounts = _accounts(gw)
    if not store.of_account(gw.engine, caller.address):
        raise Problem(403, "Это не счёт с ключами доступа / This is not a passkey account")
    challenge = _consume_challenge(gw, body.credential.response.clientDataJSON)
    passkey = verify_registration(
        body.credential.model_dump(exclude_none=True),
        challenge=challenge,
        rp_id=gw.settings.effective_passkey_rp_id,
        origin=gw.settings.effective_passkey_origins,
    )
    row = store.save(gw.engine, caller.address, passkey, body.label)
    account = accounts.account(caller.address)
    data = account.encode_abi("addPasskey", args=[passkey.qx, passkey.qy])
    return RegisteredPublic(
        passkey=_public(accounts, row),
        account=caller.address,
        deployed=accounts.is_deployed(caller.address),
        call={"to": caller.address, "value": "0", "data": data},
    )


class RemovalPublic(BaseModel):
    passkey: PasskeyPublic
    remaining: int
    """Passkeys that will still control the account once this one is removed."""
    call: dict[str, Any]
    """The account's own `removePasskey` call, to sign with a passkey of the account
    (`/passkeys/execute`)."""


CredentialId = Annotated[str, FastPath(pattern=B64URL, min_length=1, max_length=1400)]


def _own(gw: Gateway, caller: str, credential_id: str) -> Any:
    row = store.find(gw.engine, credential_id)
    if row is None or checksum(row.account) != checksum(caller):
        # Another account's passkey reads as unknown: nothing says it exists.
        raise Problem(404, "Нет такого ключа доступа / No such passkey of yours")
    return row


@router.post(
    "/mine/{credential_id}/removal",
    response_model=amounts_as_strings(RemovalPublic),
    dependencies=[AuthRateLimit],
    responses=problem_responses(401, 403, 404, 409, 429),
)
def removal(gw: GatewayDep, caller: WriterDep, credential_id: CredentialId) -> RemovalPublic:
    """The account's own `removePasskey` call for one of the caller's passkeys (a lost phone),
    to sign with a passkey of the account (`/passkeys/execute`). Never the last one: the
    account refuses (`PasskeyAccountLastPasskey`) and so does this, before anything is signed
    (409); a passkey that does not control the account is forgotten instead (`DELETE`)."""
    accounts = _accounts(gw)
    row = _own(gw, caller.address, credential_id)
    if not store.controls(accounts, row):
        raise Problem(
            409,
            "Этот ключ не управляет счётом: удалите его из списка / This passkey does not "
            "control the account: forget it instead",
        )
    if accounts.is_deployed(caller.address):
        count = int(accounts.account(caller.address).functions.passkeyCount().call())
    else:
        count = 1  # before its first act the account has only the key it was derived from
    if count <= 1:
        raise Problem(
            409,
            "Нельзя удалить последний ключ доступа: сначала добавьте другой / The last passkey "
            "cannot be removed: add another one first",
        )
    qx, qy = store.key_of(row)
    data = accounts.account(caller.address).encode_abi("removePasskey", args=[qx, qy])
    return RemovalPublic(
        passkey=_public(accounts, row),
        remaining=count - 1,
        call={"to": caller.address, "value": "0", "data": data},
    )


@router.delete(
    "/mine/{credential_id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409),
)
def forget(gw: GatewayDep, caller: WriterDep, credential_id: CredentialId) -> Response:
    """Forget a passkey that no longer controls the account (removed on chain, or made here and
    never added): the chain decides, so a passkey that still signs for the account is kept
    (409: remove it first)."""
    accounts = _accounts(gw)
    row = _own(gw, caller.address, credential_id)
    if store.controls(accounts, row):
        raise Problem(
            409,
            "Ключ ещё управляет счётом: сначала удалите его в блокчейне / The passkey still "
            "controls the account: remove it on chain first",
        )
    store.forget(gw.engine, credential_id)
    return Response(status_code=204)


# -- sign-in ---------------------------------------------------------------------------------


@router.post(
    "/sign-in/options", dependencies=[AuthRateLimit], responses=problem_responses(404, 429)
)
def sign_in_options(gw: GatewayDep) -> dict[str, Any]:
    """Options for `navigator.credentials.get` (a discoverable passkey picks the account)."""
    _accounts(gw)
    options = generate_authentication_options(
        rp_id=gw.settings.effective_passkey_rp_id,
        challenge=_new_challenge(gw),
        timeout=TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


@router.post(
    "/sign-in",
    response_model=amounts_as_strings(SessionPublic),
    dependencies=[AuthRateLimit],
    responses=problem_responses(401, 404, 422, 429),
)
def sign_in(gw: GatewayDep, body: SignInCreate) -> SessionPublic:
    """Check a passkey assertion over a sign-in challenge; the same session as SIWE gives."""
    accounts = _accounts(gw)
    challenge = _consume_challenge(gw, body.credential.response.clientDataJSON)
    row, _ = store.assert_with(
        gw.engine,
        accounts,
        body.credential.model_dump(exclude_none=True),
        challenge=challenge,
        rp_id=gw.settings.effective_passkey_rp_id,
        origins=gw.settings.effective_passkey_origins,
    )
    gw.auth_address_limit.check(row.account.lower())
    return _session(gw, row.account)


# -- signing acts ----------------------------------------------------------------------------


def _challenge_of(gw: Gateway, account: str, typed: dict[str, Any]) -> tuple[bytes, bytes]:
    """(digest, challenge) of a payload: the account's own `Execute` is signed as it is;
    anything else (an ERC-1271 check) wrapped in the account's domain."""
    try:
        digest = bytes(HexBytes(typed_digest(typed)))
    except Exception as exc:  # eth-account refuses a malformed payload in many ways
        raise Problem(422, f"Неверные данные для подписи / Malformed typed data: {exc}") from exc
    domain = typed.get("domain") or {}
    own = (
        isinstance(domain, dict)
        and typed.get("primaryType") == "Execute"
        and domain.get("name") == DOMAIN_NAME
        and str(domain.get("verifyingContract", "")).lower() == account.lower()
        and str(domain.get("chainId", "")) == str(gw.chain_id)
    )
    return digest, digest if own else replay_safe_hash(gw.chain_id, account, digest)


@router.post(
    "/signature/options",
    response_model=SignatureOptionsPublic,
    dependencies=[AuthRateLimit],
    responses=problem_responses(401, 403, 404, 422, 429),
)
def signature_options(
    gw: GatewayDep, caller: WriterDep, body: TypedDataCreate
) -> SignatureOptionsPublic:
    """The WebAuthn request that signs a typed-data payload as the caller's passkey account."""
    rows = store.of_account(gw.engine, caller.address)
    if not rows:
        raise Problem(403, "Это не счёт с ключами доступа / This is not a passkey account")
    digest, challenge = _challenge_of(gw, caller.address, body.typed_data)
    # Only the passkeys the chain honours now (a new one waits for its `addPasskey`).
    accounts = _accounts(gw)
    rows = [r for r in rows if store.controls(accounts, r)]
    options = generate_authentication_options(
        rp_id=gw.settings.effective_passkey_rp_id,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(r.credential_id)) for r in rows
        ],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return SignatureOptionsPublic(
        options=json.loads(options_to_json(options)),
        digest="0x" + digest.hex(),
        challenge=bytes_to_base64url(challenge),
    )


@router.post(
    "/signature",
    response_model=SignaturePublic,
    dependencies=[AuthRateLimit],
    responses=problem_responses(401, 403, 404, 422, 429),
)
def signature(gw: GatewayDep, caller: WriterDep, body: SignatureCreate) -> SignaturePublic:
    """Verify the passkey's assertion over the payload's challenge (origin, RP id, user
    verification, the stored key, the chain still honouring it) and encode it for the chain."""
    accounts = _accounts(gw)
    _, challenge = _challenge_of(gw, caller.address, body.typed_data)
    _, verified = store.assert_with(
        gw.engine,
        accounts,
        body.credential.model_dump(exclude_none=True),
        challenge=challenge,
        rp_id=gw.settings.effective_passkey_rp_id,
        origins=gw.settings.effective_passkey_origins,
        account=caller.address,
    )
    return SignaturePublic(signature="0x" + verified.signature.hex(), account=caller.address)


# -- the account's own calls -----------------------------------------------------------------


def _check_target(gw: Gateway, caller: str, call: ExecuteCall) -> None:
    """Only calls to this cooperative's contracts, or the account's own passkey changes."""
    allowed = set(gw.contract_addresses().values()) | {checksum(caller)}
    if checksum(call.to) not in allowed:
        raise Problem(
            403,
            "Шлюз передаёт только вызовы контрактов этого кооператива / The gateway relays only "
            "calls to this cooperative's contracts",
        )


@router.post(
    "/execute/typed-data",
    dependencies=[AuthRateLimit],
    responses=problem_responses(401, 403, 404, 422, 429),
)
def execute_typed(gw: GatewayDep, caller: WriterDep, body: ExecuteCall) -> dict[str, Any]:
    """The `Execute` payload of a call the caller's account makes (nonce and deadline set)."""
    accounts = _accounts(gw)
    if not store.is_passkey_account(gw.engine, caller.address):
        raise Problem(403, "Это не счёт с ключами доступа / This is not a passkey account")
    _check_target(gw, caller.address, body)
    deadline = int(gw.chain.w3.eth.get_block("latest")["timestamp"]) + EXECUTE_TTL
    typed = execute_typed_data(
        gw.chain_id,
        caller.address,
        body.to,
        int(body.value),
        bytes(HexBytes(body.data)),
        accounts.nonce(caller.address),
        deadline,
    )
    typed["message"]["data"] = body.data
    return {"typed_data": typed, "submit_to": "/passkeys/execute"}


@router.post(
    "/execute",
    response_model=amounts_as_strings(RelayPublic),
    status_code=202,
    dependencies=[RelayRateLimit],
    responses=problem_responses(401, 403, 404, 422, 429),
)
def execute(gw: GatewayDep, caller: WriterDep, body: ExecuteCreate) -> RelayPublic:
    """Relay the account's own call signed by its passkey; the gateway pays the gas (and
    deploys the account first when this is its first act)."""
    accounts = _accounts(gw)
    if not store.is_passkey_account(gw.engine, caller.address):
        raise Problem(403, "Это не счёт с ключами доступа / This is not a passkey account")
    _check_target(gw, caller.address, body)
    fn = accounts.execute_fn(
        caller.address,
        body.to,
        int(body.value),
        bytes(HexBytes(body.data)),
        int(body.nonce),
        int(body.deadline),
        bytes(HexBytes(body.signature)),
    )
    return public(relay_call(gw, fn, kind="passkey_execute", account=caller.address))
