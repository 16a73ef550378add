"""AES-256-GCM for identity records, with key rotation, and the salted hash that goes on chain.

- `KeyRing`: the first key encrypts, every key decrypts (rotation: put the new key first, keep
  the old ones until `rotate` has re-encrypted every record). Each ciphertext names its key by
  `key_id` (first 8 bytes of the key's SHA-256), and is bound to the member's address as
  associated data, so a row copied to another member does not decrypt.
- `identity_hash`: SHA-256 of the canonical JSON of the record *with a random 32-byte salt*.
  A name, a birth date and a passport number are guessable; the salt (kept inside the
  encrypted record) makes the on-chain hash useless for guessing. Erasing the record erases the
  salt, after which the hash on chain can no longer be linked to anybody, while the chain
  itself stays unchanged and consistent.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, Field, field_validator, model_validator

from node.identity.requisites import check_inn, check_kpp, check_ogrn, check_snils


class IdentityData(BaseModel):
    """An individual's identity record (what the identity check looks at)."""

    name: str = Field(min_length=1, max_length=300)
    """Full name (ФИО)."""
    birth_date: date
    document_number: str = Field(min_length=1, max_length=64)
    """Passport or other identity document number."""
    address: str = Field(min_length=1, max_length=500)
    """Postal address of residence."""
    inn: str | None = None
    """Personal ИНН (12 digits, check digits validated); optional."""
    snils: str | None = None
    """СНИЛС (11 digits, check digits validated); optional."""

    @field_validator("inn")
    @classmethod
    def _inn(cls, value: str | None) -> str | None:
        return None if value is None else check_inn(value, lengths=(12,))

    @field_validator("snils")
    @classmethod
    def _snils(cls, value: str | None) -> str | None:
        return None if value is None else check_snils(value)


class Representative(BaseModel):
    """Who acts for an organisation member (director by the charter, or by a power of
    attorney) and signs with the organisation's wallet."""

    name: str = Field(min_length=1, max_length=300)
    position: str = Field(min_length=1, max_length=200)
    """Должность: «директор», «председатель правления», «представитель по доверенности»."""
    inn: str | None = None
    snils: str | None = None

    @field_validator("inn")
    @classmethod
    def _inn(cls, value: str | None) -> str | None:
        return None if value is None else check_inn(value, lengths=(12,))

    @field_validator("snils")
    @classmethod
    def _snils(cls, value: str | None) -> str | None:
        return None if value is None else check_snils(value)


class PowerOfAttorney(BaseModel):
    """The representative's authority: a document stored in the vault (`POST /documents`,
    personal) named by its SHA-256, with its number and term."""

    document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    number: str | None = Field(default=None, max_length=64)
    issued_on: date | None = None
    valid_until: date | None = None
    """Machine-readable powers of attorney (МЧД) always have a term; paper ones may not."""


class OrganisationData(BaseModel):
    """An organisation member (юридическое лицо or a sole trader, ИП): its requisites and its
    representative. Stored like an individual's record: encrypted, only its salted hash on
    chain."""

    kind: Literal["organisation"] = "organisation"
    name: str = Field(min_length=1, max_length=500)
    """Full name as registered (полное наименование)."""
    inn: str
    """ИНН: 10 digits for an organisation, 12 for a sole trader."""
    kpp: str | None = None
    """КПП: required for an organisation (10-digit ИНН), none for a sole trader."""
    ogrn: str
    """ОГРН (13 digits) or, for a sole trader, ОГРНИП (15)."""
    address: str = Field(min_length=1, max_length=500)
    """Legal address (адрес в пределах места нахождения)."""
    representative: Representative
    power_of_attorney: PowerOfAttorney | None = None
    """None when the representative acts by the charter (the director)."""

    @field_validator("inn")
    @classmethod
    def _inn(cls, value: str) -> str:
        return check_inn(value)

    @field_validator("kpp")
    @classmethod
    def _kpp(cls, value: str | None) -> str | None:
        return None if value is None else check_kpp(value)

    @field_validator("ogrn")
    @classmethod
    def _ogrn(cls, value: str) -> str:
        return check_ogrn(value)

    @model_validator(mode="after")
    def _consistent(self) -> OrganisationData:
        legal_entity = len(self.inn) == 10
        if legal_entity and len(self.ogrn) != 13:
            raise ValueError(
                "организации нужен ОГРН из 13 цифр / an organisation has a 13-digit OGRN"
            )
        if not legal_entity and len(self.ogrn) != 15:
            raise ValueError(
                "у ИП 12-значный ИНН и ОГРНИП из 15 цифр / a sole trader has a 12-digit INN "
                "and a 15-digit OGRNIP"
            )
        if legal_entity and self.kpp is None:
            raise ValueError("организации нужен КПП / an organisation needs a KPP")
        if not legal_entity and self.kpp is not None:
            raise ValueError("у ИП нет КПП / a sole trader has no KPP")
        return self


#: What the vault holds for a member: an individual's record or an organisation's.
MemberIdentity = IdentityData | OrganisationData


def parse_identity(body: dict[str, object]) -> MemberIdentity:
    """The record a decrypted JSON body describes (organisations carry `kind`)."""
    if body.get("kind") == "organisation":
        return OrganisationData.model_validate(body)
    return IdentityData.model_validate(body)


class DecryptionError(RuntimeError):
    """No key of the ring opens the record (wrong key, tampered data, other member's row)."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).digest()[:8].hex()


@dataclass(frozen=True)
class Sealed:
    key_id: str
    nonce: bytes
    ciphertext: bytes


class KeyRing:
    """AES-256-GCM keys: `keys[0]` encrypts, all decrypt."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        for key in keys:
            if len(key) != 32:
                raise ValueError("identity keys are 32 bytes (AES-256)")
        self.keys = list(keys)
        self._by_id = {key_id(k): k for k in keys}

    @classmethod
    def from_hex(cls, keys: list[str]) -> KeyRing:
        return cls([bytes.fromhex(k[2:] if k.startswith("0x") else k) for k in keys])

    @property
    def current_id(self) -> str:
        return key_id(self.keys[0])

    def seal(self, plaintext: bytes, associated: bytes) -> Sealed:
        nonce = os.urandom(12)
        ciphertext = AESGCM(self.keys[0]).encrypt(nonce, plaintext, associated)
        return Sealed(self.current_id, nonce, ciphertext)

    def open(self, sealed: Sealed, associated: bytes) -> bytes:
        candidates = [self._by_id[sealed.key_id]] if sealed.key_id in self._by_id else []
        candidates += [k for k in self.keys if k not in candidates]
        for key in candidates:
            try:
                return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, associated)
            except Exception:  # InvalidTag: try the next key of the ring
                continue
        raise DecryptionError("no key of the ring opens this record")


def _canonical(data: MemberIdentity, salt: bytes) -> bytes:
    # Unset optional fields are left out, so a record made before they existed hashes as then.
    body = {"salt": salt.hex(), **data.model_dump(mode="json", exclude_none=True)}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def identity_hash(data: MemberIdentity, salt: bytes) -> bytes:
    """The 32 bytes that go on chain (`identityHash` of the application)."""
    return hashlib.sha256(_canonical(data, salt)).digest()


def seal_identity(ring: KeyRing, address: str, data: MemberIdentity) -> tuple[bytes, Sealed]:
    """Encrypt a new record with a fresh salt: (identity hash, sealed record)."""
    salt = secrets.token_bytes(32)
    plaintext = _canonical(data, salt)
    return hashlib.sha256(plaintext).digest(), ring.seal(plaintext, address.lower().encode())


def open_identity(ring: KeyRing, address: str, sealed: Sealed) -> tuple[MemberIdentity, bytes]:
    """Decrypt a record: (the data, its salt). Raises DecryptionError."""
    body = json.loads(ring.open(sealed, address.lower().encode()))
    salt = bytes.fromhex(body.pop("salt"))
    return parse_identity(body), salt


def reseal(ring: KeyRing, address: str, sealed: Sealed) -> Sealed:
    """Re-encrypt with the ring's current key (rotation); the plaintext and hash do not change."""
    return ring.seal(ring.open(sealed, address.lower().encode()), address.lower().encode())


class FileKeyRing(KeyRing):
    """A key ring kept in a file (one key per line, hex; the first encrypts). It re-reads the
    file when it changes, so a running gateway follows `coop identity rotate-key`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        super().__init__(read_key_file(path))
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def _reload(self) -> None:
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:
            return
        keys = read_key_file(self.path)
        self.keys = keys
        self._by_id = {key_id(k): k for k in keys}
        self._stamp = stamp

    @property
    def current_id(self) -> str:
        self._reload()
        return key_id(self.keys[0])

    def seal(self, plaintext: bytes, associated: bytes) -> Sealed:
        self._reload()
        return super().seal(plaintext, associated)

    def open(self, sealed: Sealed, associated: bytes) -> bytes:
        self._reload()
        return super().open(sealed, associated)


def read_key_file(path: Path) -> list[bytes]:
    """The keys of a key file: one 64-hex-digit key per line, the first encrypts."""
    keys = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        body = text[2:] if text.startswith("0x") else text
        try:
            key = bytes.fromhex(body)
        except ValueError as exc:
            raise ValueError(f"{path}:{n}: not hex") from exc
        if len(key) != 32:
            raise ValueError(f"{path}:{n}: identity keys are 32 bytes (64 hex digits)")
        keys.append(key)
    if not keys:
        raise ValueError(f"{path}: no key")
    return keys


def write_key_file(path: Path, keys: list[bytes]) -> None:
    """Replace the key file atomically (readable by the owner only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("".join(k.hex() + "\n" for k in keys))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_keyring(configured: list[str], key_file: Path) -> KeyRing:
    """The configured keys, or the key file under the data dir (a development key is generated
    once when there is none; `coop identity rotate-key` rotates the file's keys)."""
    if configured:
        return KeyRing.from_hex(configured)
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return FileKeyRing(key_file)
        with os.fdopen(fd, "w") as fh:
            fh.write(key.hex())
    return FileKeyRing(key_file)
