"""Content-addressed files: `documents/<sha256>` (plain) or `documents/<sha256>.sealed`.

The name is the SHA-256 of the *plain* content, the same 32 bytes that are anchored on chain,
so a file can be checked by hashing it. Files holding personal data are sealed with the
identity key ring (AES-256-GCM, the hash as associated data) and can be erased on the member's
request; their hash stays on chain.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from node.identity.crypto import KeyRing, Sealed


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def is_sha256_hex(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


class DocumentStore:
    def __init__(self, root: Path, keyring: KeyRing | None = None) -> None:
        self.root = root
        self.keyring = keyring
        root.mkdir(parents=True, exist_ok=True)

    def _plain(self, digest: str) -> Path:
        return self.root / digest

    def _sealed(self, digest: str) -> Path:
        return self.root / f"{digest}.sealed"

    def put(self, content: bytes, *, personal: bool = False) -> str:
        """Store `content` (idempotent); returns its SHA-256 hex."""
        digest = sha256_hex(content)
        if personal:
            if self.keyring is None:
                raise RuntimeError("personal documents need a key ring")
            sealed = self.keyring.seal(content, bytes.fromhex(digest))
            blob = sealed.key_id.encode() + b":" + sealed.nonce + sealed.ciphertext
            self._write(self._sealed(digest), blob)
        elif not self._plain(digest).exists():
            self._write(self._plain(digest), content)
        return digest

    def get(self, digest: str) -> bytes | None:
        if not is_sha256_hex(digest):
            return None
        plain = self._plain(digest)
        if plain.exists():
            return plain.read_bytes()
        sealed_path = self._sealed(digest)
        if sealed_path.exists() and self.keyring is not None:
            blob = sealed_path.read_bytes()
            kid, rest = blob.split(b":", 1)
            sealed = Sealed(kid.decode(), rest[:12], rest[12:])
            return self.keyring.open(sealed, bytes.fromhex(digest))
        return None

    def exists(self, digest: str) -> bool:
        return is_sha256_hex(digest) and (
            self._plain(digest).exists() or self._sealed(digest).exists()
        )

    def erase(self, digest: str) -> None:
        """Remove a file's content (personal data erasure); its hash may stay anchored."""
        if is_sha256_hex(digest):
            self._plain(digest).unlink(missing_ok=True)
            self._sealed(digest).unlink(missing_ok=True)

    def _write(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
