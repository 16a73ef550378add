"""A software WebAuthn authenticator for tests: what a phone's passkey does, with a P-256 key
made in the test. It answers registration and authentication ceremonies exactly as the
standard lays them out (authenticator data, clientDataJSON, DER signature), and can be told to
misbehave (flags, type, challenge) so the tests see each refusal."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from eth_abi import encode as abi_encode
from eth_account.messages import SignableMessage, encode_typed_data
from eth_utils import keccak
from webauthn.helpers import bytes_to_base64url

from node.accounts.passkeys import P256_N, encode_signature, replay_safe_hash

UP, UV, AT = 0x01, 0x04, 0x40


@dataclass
class SoftPasskey:
    rp_id: str = "localhost"
    origin: str = "http://localhost"
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    credential_id: bytes = field(default_factory=lambda: os.urandom(16))
    sign_count: int = 0

    @property
    def qx(self) -> bytes:
        return self.key.public_key().public_numbers().x.to_bytes(32, "big")

    @property
    def qy(self) -> bytes:
        return self.key.public_key().public_numbers().y.to_bytes(32, "big")

    def cose(self) -> bytes:
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: self.qx, -3: self.qy})

    def _auth_data(self, flags: int, extra: bytes = b"") -> bytes:
        self.sign_count += 1
        rp = hashlib.sha256(self.rp_id.encode()).digest()
        return rp + bytes([flags]) + self.sign_count.to_bytes(4, "big") + extra

    def assertion(
        self,
        challenge: bytes,
        *,
        flags: int = UP | UV,
        type_: str = "webauthn.get",
        origin: str | None = None,
    ) -> tuple[bytes, bytes, bytes]:
        """(authenticatorData, clientDataJSON, DER signature) over `challenge`."""
        client = json.dumps(
            {
                "type": type_,
                "challenge": bytes_to_base64url(challenge),
                "origin": origin or self.origin,
                "crossOrigin": False,
            },
            separators=(",", ":"),
        ).encode()
        auth = self._auth_data(flags)
        der = self.key.sign(auth + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256()))
        return auth, client, der

    def signature(self, challenge: bytes, **kwargs: Any) -> bytes:
        """The encoded signature a `PasskeyAccount` checks."""
        auth, client, der = self.assertion(challenge, **kwargs)
        return encode_signature(self.qx, self.qy, der, auth, client)

    def raw_signature(self, challenge: bytes, **kwargs: Any) -> bytes:
        """Encoded like `signature`, but with no check of what the answer says (forgeries)."""
        auth, client, der = self.assertion(challenge, **kwargs)
        r, s = decode_dss_signature(der)
        s = min(s, P256_N - s)
        return abi_encode(
            ["bytes32", "bytes32", "bytes32", "bytes32", "uint256", "uint256", "bytes", "string"],
            [
                self.qx,
                self.qy,
                r.to_bytes(32, "big"),
                s.to_bytes(32, "big"),
                client.find(b'"challenge":"'),
                client.find(b'"type":"'),
                auth,
                client.decode(),
            ],
        )

    def get(self, challenge: bytes, **kwargs: Any) -> dict[str, Any]:
        """The JSON of a `navigator.credentials.get` answer (what the portal posts)."""
        auth, client, der = self.assertion(challenge, **kwargs)
        return {
            "id": bytes_to_base64url(self.credential_id),
            "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": bytes_to_base64url(auth),
                "clientDataJSON": bytes_to_base64url(client),
                "signature": bytes_to_base64url(der),
            },
        }

    def create(self, challenge: bytes, *, flags: int = UP | UV | AT) -> dict[str, Any]:
        """The JSON of a `navigator.credentials.create` answer (attestation "none")."""
        client = json.dumps(
            {
                "type": "webauthn.create",
                "challenge": bytes_to_base64url(challenge),
                "origin": self.origin,
            },
            separators=(",", ":"),
        ).encode()
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id
        auth = self._auth_data(flags, attested + self.cose())
        att = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth})
        return {
            "id": bytes_to_base64url(self.credential_id),
            "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client),
                "attestationObject": bytes_to_base64url(att),
            },
        }


def digest_of(signable: SignableMessage) -> bytes:
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


@dataclass
class PasskeySigner:
    """Signs as a `PasskeyAccount` (ERC-1271) with one of its passkeys: the EIP-712 digest,
    wrapped in the account's domain, is the WebAuthn challenge. Duck-types the parts of
    eth-account's `LocalAccount` the node's clients use (`address`, `sign_typed_data`,
    `sign_message`)."""

    passkey: SoftPasskey
    address: str
    chain_id: int

    def challenge(self, digest: bytes) -> bytes:
        return replay_safe_hash(self.chain_id, self.address, digest)

    def sign_digest(self, digest: bytes) -> bytes:
        return self.passkey.signature(self.challenge(digest))

    def sign_message(self, signable: SignableMessage) -> SimpleNamespace:
        return SimpleNamespace(signature=self.sign_digest(digest_of(signable)))

    def sign_typed_data(self, **kwargs: Any) -> SimpleNamespace:
        return self.sign_message(encode_typed_data(**kwargs))
