"""Passkeys as a member's keys: what the portal's WebAuthn ceremonies produce, checked and turned
into what a `PasskeyAccount` verifies on chain.

A member without a crypto wallet registers a passkey (WebAuthn, ES256 = P-256). Its public key
fixes the address of their `PasskeyAccount` (a CREATE2 clone of the per-chain
`PasskeyAccountFactory`), which is the member's address everywhere: it applies, votes, accepts
invoices and signs documents by ERC-1271, and makes its own calls by `execute`.

Every act is signed by the person's authenticator: the challenge of the WebAuthn assertion is
the digest the account checks (`replay_safe_hash` of an EIP-712 digest for ERC-1271,
`execute_digest` for a call). The gateway verifies each ceremony with the `webauthn` package
(origin, RP id, user presence and verification, the signature with the stored key) before it
relays anything, and the chain checks it again (`contracts/libraries/WebAuthnAssertion.sol`).
Nothing here knows HTTP: a refusal raises `PasskeyError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from eth_abi import encode as abi_encode
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address
from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    decode_credential_public_key,
)
from webauthn.helpers.cose import COSECRV, COSEKTY, COSEAlgorithmIdentifier
from webauthn.helpers.decode_credential_public_key import DecodedEC2PublicKey
from webauthn.helpers.exceptions import WebAuthnException

#: The order of the P-256 group: `s` above half of it is flipped (the contract refuses it).
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
#: The account's EIP-712 domain name and version (`PasskeyAccount`'s constructor).
DOMAIN_NAME = "Coopnode PasskeyAccount"
DOMAIN_VERSION = "1"
TYPE_NEEDLE = b'"type":"webauthn.get"'
CHALLENGE_NEEDLE = b'"challenge":"'
#: What a credential id may be (WebAuthn allows up to 1023 bytes).
MAX_CREDENTIAL_ID = 1023


class PasskeyError(Exception):
    """A passkey ceremony or assertion the gateway refuses (Russian / English message)."""

    def __init__(self, ru: str, en: str) -> None:
        super().__init__(f"{ru} / {en}")
        self.ru = ru
        self.en = en


@dataclass(frozen=True)
class RegisteredPasskey:
    """What a verified registration yields: the credential and its P-256 public key."""

    credential_id: bytes
    public_key: bytes
    """The COSE key as the authenticator gave it (the `webauthn` package verifies with it)."""
    qx: bytes
    qy: bytes
    sign_count: int


def public_key_xy(cose_key: bytes) -> tuple[bytes, bytes]:
    """The P-256 coordinates of a COSE key; anything but an ES256 EC2 key is refused."""
    try:
        key = decode_credential_public_key(cose_key)
    except (WebAuthnException, KeyError, ValueError, TypeError) as exc:
        raise PasskeyError("Ключ доступа не читается", "The passkey's key cannot be read") from exc
    if (
        not isinstance(key, DecodedEC2PublicKey)
        or key.kty != COSEKTY.EC2
        or key.alg != COSEAlgorithmIdentifier.ECDSA_SHA_256
        or key.crv != COSECRV.P256
    ):
        raise PasskeyError(
            "Нужен ключ доступа P-256 (ES256)", "A P-256 (ES256) passkey is required"
        )
    return key.x.rjust(32, b"\0"), key.y.rjust(32, b"\0")


def verify_registration(
    credential: dict[str, Any], *, challenge: bytes, rp_id: str, origin: str | list[str]
) -> RegisteredPasskey:
    """Check a `navigator.credentials.create` answer (attestation "none" accepted: the key is
    what matters, not the authenticator's make) and return the passkey."""
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
            supported_pub_key_algs=[COSEAlgorithmIdentifier.ECDSA_SHA_256],
        )
    # Any refusal of the package, and what malformed bytes raise inside it.
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        raise PasskeyError(
            f"Регистрация ключа доступа не прошла проверку: {exc}",
            f"The passkey registration failed verification: {exc}",
        ) from exc
    qx, qy = public_key_xy(verified.credential_public_key)
    return RegisteredPasskey(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        qx=qx,
        qy=qy,
        sign_count=verified.sign_count,
    )


@dataclass(frozen=True)
class VerifiedAssertion:
    """A checked `navigator.credentials.get` answer, ready for the chain."""

    credential_id: bytes
    new_sign_count: int
    signature: bytes
    """`abi.encode(qx, qy, r, s, challengeIndex, typeIndex, authenticatorData, clientDataJSON)`."""


def verify_assertion(
    credential: dict[str, Any],
    *,
    challenge: bytes,
    rp_id: str,
    origin: str | list[str],
    public_key: bytes,
    sign_count: int,
) -> VerifiedAssertion:
    """Check an assertion over `challenge` by the stored passkey (origin, RP id, UP and UV, the
    signature, a counter that moved forward) and encode it as the account expects."""
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=True,
        )
        response = credential["response"]
        authenticator_data = base64url_to_bytes(response["authenticatorData"])
        client_data = base64url_to_bytes(response["clientDataJSON"])
        der = base64url_to_bytes(response["signature"])
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        raise PasskeyError(
            f"Подпись ключом доступа не прошла проверку: {exc}",
            f"The passkey signature failed verification: {exc}",
        ) from exc
    qx, qy = public_key_xy(public_key)
    return VerifiedAssertion(
        credential_id=verified.credential_id,
        new_sign_count=verified.new_sign_count,
        signature=encode_signature(qx, qy, der, authenticator_data, client_data),
    )


def encode_signature(
    qx: bytes, qy: bytes, der_signature: bytes, authenticator_data: bytes, client_data_json: bytes
) -> bytes:
    """The bytes a `PasskeyAccount` decodes: the key, a low-s (r, s), where the type and the
    challenge sit in clientDataJSON, and the two WebAuthn byte strings."""
    try:
        r, s = decode_dss_signature(der_signature)
    except ValueError as exc:
        raise PasskeyError("Подпись не в формате DER", "The signature is not DER") from exc
    if s > P256_N // 2:
        s = P256_N - s
    type_index = client_data_json.find(TYPE_NEEDLE)
    challenge_index = client_data_json.find(CHALLENGE_NEEDLE)
    if type_index < 0 or challenge_index < 0 or len(authenticator_data) < 37:
        raise PasskeyError("Ответ ключа доступа неполон", "The passkey's answer is incomplete")
    return abi_encode(
        ["bytes32", "bytes32", "bytes32", "bytes32", "uint256", "uint256", "bytes", "string"],
        [
            qx,
            qy,
            r.to_bytes(32, "big"),
            s.to_bytes(32, "big"),
            challenge_index,
            type_index,
            authenticator_data,
            client_data_json.decode(),
        ],
    )


def _domain(chain_id: int, account: str) -> dict[str, Any]:
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": chain_id,
        "verifyingContract": to_checksum_address(account),
    }


def _digest(typed: dict[str, Any]) -> bytes:
    signable = encode_typed_data(full_message=typed)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


EIP712_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
EXECUTE_TYPES = {
    "Execute": [
        {"name": "target", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "data", "type": "bytes"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}


def typed_digest(typed: dict[str, Any]) -> bytes:
    """The EIP-712 digest of a typed-data payload (what a wallet would sign)."""
    return _digest(typed)


def replay_safe_hash(chain_id: int, account: str, digest: bytes) -> bytes:
    """The challenge for `isValidSignature(digest, ...)`: the digest wrapped in the account's
    EIP-712 domain (computable before the account is deployed)."""
    return _digest(
        {
            "types": {
                "EIP712Domain": EIP712_DOMAIN,
                "PasskeySignature": [{"name": "hash", "type": "bytes32"}],
            },
            "primaryType": "PasskeySignature",
            "domain": _domain(chain_id, account),
            "message": {"hash": digest},
        }
    )


def execute_typed_data(
    chain_id: int, account: str, target: str, value: int, data: bytes, nonce: int, deadline: int
) -> dict[str, Any]:
    """The EIP-712 `Execute` payload of a call the account makes."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN, **EXECUTE_TYPES},
        "primaryType": "Execute",
        "domain": _domain(chain_id, account),
        "message": {
            "target": to_checksum_address(target),
            "value": value,
            "data": data,
            "nonce": nonce,
            "deadline": deadline,
        },
    }


def client_data_challenge(client_data_json: bytes) -> bytes:
    """The challenge a clientDataJSON carries (to name what an assertion signed)."""
    try:
        return base64url_to_bytes(json.loads(client_data_json)["challenge"])
    except (ValueError, KeyError, TypeError) as exc:
        raise PasskeyError("clientDataJSON не читается", "clientDataJSON cannot be read") from exc


__all__ = [
    "PasskeyError",
    "RegisteredPasskey",
    "VerifiedAssertion",
    "bytes_to_base64url",
    "client_data_challenge",
    "encode_signature",
    "execute_typed_data",
    "public_key_xy",
    "replay_safe_hash",
    "typed_digest",
    "verify_assertion",
    "verify_registration",
]
